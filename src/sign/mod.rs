//! PAdES baseline signatures (B-B, B-T, B-LT, B-LTA) on the PDFs collabdocs renders, and
//! their verification.
//!
//! Signing appends an incremental update to the finished PDF: a signature field whose widget
//! sits on the document's signature area, added to its page and to a new AcroForm, and a
//! signature dictionary (`/SubFilter /ETSI.CAdES.detached`) whose `/Contents` is a detached
//! CMS SignedData over every byte but itself (`/ByteRange`), with the signed attributes PAdES
//! asks for — content type, message digest (SHA-256) and signing-certificate-v2 — and no
//! signing-time attribute: the claimed time is the dictionary's `/M`, the server's clock.
//! With a time-stamp authority (B-T) the signature carries a signature time-stamp token, and
//! the signing time is the token's. B-LT appends a second update, a document security store
//! (DSS, with VRI) holding every certificate of the signer's and the TSA's chains and their
//! OCSP responses or CRLs, fetched at signing; B-LTA a third, a document time-stamp over all
//! of it.
//!
//! Verification finds each signature through the form fields, checks the CMS digest and
//! signature, the time-stamps, the embedded revocation data, the chain against the trust
//! anchors, and what later revisions changed.
//!
//! The parts: [`make`] (the signing identity, the CMS, time-stamp requests, revocation data
//! fetched, the incremental updates, the seal, a development certificate), [`check`] (a CMS
//! signer checked, time-stamp tokens and revocation data read, trust, what later revisions
//! changed, the verification itself), `oid` (the identifiers both name) and [`reader`], the
//! bounded PDF reader both find objects with. Making uses checking; checking makes nothing.

pub mod check;
mod make;
mod oid;
pub mod reader;

pub use check::trust;
pub use check::{verify, SignatureReport, TimeStampReport, Trust, Verification, MAX_SIGNATURES};
pub use make::{
    add_signature_fields, certificate_sha256_pem, cms_from_signature, dev_cert, embed,
    party_appearance, pdf_date, placeholder, prepare_field, raise, signature_fields,
    signed_attributes, with_signature_time_stamp, Appearance, FieldSigning, FieldSpot, Level,
    PreparedField, Seal, Services, SignError, Signer, Tsa, Widget, LARGEST_SEAL,
};
