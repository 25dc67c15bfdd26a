//! PAdES baseline B-B signatures on the PDFs collabdocs renders, and their verification.
//!
//! Signing appends an incremental update to the finished PDF: a signature field whose widget
//! sits on the document's signature area, added to the last page and to a new AcroForm, and a
//! signature dictionary (`/SubFilter /ETSI.CAdES.detached`) whose `/Contents` is a detached
//! CMS SignedData over every byte but itself (`/ByteRange`), with the signed attributes PAdES
//! asks for — content type, message digest (SHA-256) and signing-certificate-v2 — and no
//! signing-time attribute: the time is the dictionary's `/M`, taken from the payload, so the
//! same payload and key give the same bytes (ECDSA per RFC 6979 is deterministic).
//!
//! Verification finds each `/ByteRange`, checks the CMS digest and signature against the
//! embedded certificate, and says whether the signed range is the whole file.
//!
//! The parts: [`keys`] (loading a key and its certificates), [`cms`] (the CMS SignedData),
//! [`update`] (the incremental update that carries the signature), [`verify`], [`dev_cert`],
//! and [`reader`], the bounded PDF reader both signing and verifying find objects with.

use ::cms::cert::x509::Certificate;

mod cms;
mod dev_cert;
mod keys;
pub mod reader;
mod seal;
pub mod trust;
mod update;
mod verify;

pub use dev_cert::dev_cert;
pub use seal::Seal;
pub use trust::Trust;
pub use verify::{verify, SignatureReport, Verification, MAX_SIGNATURES};

use keys::Key;

/// The service's signing identity: an ECDSA P-256 key and its certificate (plus any chain).
pub struct Signer {
    key: Key,
    chain: Vec<Certificate>,
    /// The certificate's subject, as `CN=…,O=…`.
    pub subject: String,
    /// The organisation the certificate names (O, else CN): printed in the signature area.
    pub organisation: String,
    /// The seal drawn in the signature widget (`COLLABDOCS_SEAL_IMAGE`), if any.
    pub seal: Option<Seal>,
    /// SHA-256 of the signing certificate, computed once.
    fingerprint: [u8; 32],
}

/// SHA-256 of the first certificate in a PEM file.
pub fn certificate_sha256_pem(pem: &[u8]) -> Result<[u8; 32], String> {
    let chain = Certificate::load_pem_chain(pem)
        .map_err(|e| format!("the certificate file is not PEM certificates: {e}"))?;
    let first = chain
        .first()
        .ok_or("the certificate file holds no certificate")?;
    Ok(trust::fingerprint(first))
}

impl Signer {
    /// SHA-256 of the signing certificate (DER).
    pub fn certificate_sha256(&self) -> [u8; 32] {
        self.fingerprint
    }
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}
