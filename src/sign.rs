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

use std::path::Path;

use cms::cert::x509::Certificate;
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{ObjectIdentifier, OctetString, SetOfVec};
use der::{Any, Decode, Encode};
use p256::ecdsa::signature::{Signer as _, Verifier as _};
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rsa::pkcs8::DecodePublicKey;
use sha2::{Digest, Sha256};
use x509_cert::attr::Attribute;
use x509_cert::spki::{AlgorithmIdentifierOwned, EncodePublicKey};

use crate::kinds::Date;

const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const ID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const ID_SIGNING_CERTIFICATE_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const ID_ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const ID_RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const ID_SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");

/// A signing key: ECDSA P-256, or RSA (PKCS#1 v1.5); both sign deterministically.
enum Key {
    P256(p256::ecdsa::SigningKey),
    Rsa(Box<rsa::pkcs1v15::SigningKey<Sha256>>),
}

impl Key {
    /// From a PKCS#8 DER private key.
    fn from_pkcs8_der(der: &[u8]) -> Option<Key> {
        if let Ok(k) = p256::SecretKey::from_pkcs8_der(der) {
            return Some(Key::P256(k.into()));
        }
        rsa::RsaPrivateKey::from_pkcs8_der(der)
            .ok()
            .map(|k| Key::Rsa(Box::new(rsa::pkcs1v15::SigningKey::new(k))))
    }

    /// From PEM: PKCS#8, SEC1 (EC) or PKCS#1 (RSA).
    fn from_pem(pem: &str) -> Option<Key> {
        use rsa::pkcs1::DecodeRsaPrivateKey;
        if let Ok(k) = p256::SecretKey::from_pkcs8_pem(pem) {
            return Some(Key::P256(k.into()));
        }
        if let Ok(k) = p256::SecretKey::from_sec1_pem(pem) {
            return Some(Key::P256(k.into()));
        }
        rsa::RsaPrivateKey::from_pkcs8_pem(pem)
            .or_else(|_| rsa::RsaPrivateKey::from_pkcs1_pem(pem))
            .ok()
            .map(|k| Key::Rsa(Box::new(rsa::pkcs1v15::SigningKey::new(k))))
    }

    fn public_key_der(&self) -> Result<Vec<u8>, String> {
        let der = match self {
            Key::P256(k) => k.verifying_key().to_public_key_der(),
            Key::Rsa(k) => rsa::RsaPublicKey::from(k.as_ref().as_ref()).to_public_key_der(),
        };
        der.map(|d| d.as_bytes().to_vec())
            .map_err(|e| e.to_string())
    }

    /// The signature over `data` and its algorithm.
    fn sign(&self, data: &[u8]) -> (Vec<u8>, AlgorithmIdentifierOwned) {
        match self {
            Key::P256(k) => {
                let s: p256::ecdsa::Signature = k.sign(data);
                (
                    s.to_der().as_bytes().to_vec(),
                    AlgorithmIdentifierOwned {
                        oid: ID_ECDSA_WITH_SHA256,
                        parameters: None,
                    },
                )
            }
            Key::Rsa(k) => {
                use signature::SignatureEncoding;
                let s = k.sign(data);
                (
                    s.to_vec(),
                    AlgorithmIdentifierOwned {
                        oid: ID_SHA256_WITH_RSA,
                        parameters: Some(der::asn1::Null.into()),
                    },
                )
            }
        }
    }
}

/// `ESSCertIDv2` with the default hash algorithm (SHA-256) left out, as DER requires.
#[derive(Clone, Debug, Eq, PartialEq, der::Sequence)]
struct EssCertIdV2 {
    cert_hash: OctetString,
}

/// `SigningCertificateV2` (RFC 5035) naming the signer's certificate by its hash.
#[derive(Clone, Debug, Eq, PartialEq, der::Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
}

/// The service's signing identity: an ECDSA P-256 key and its certificate (plus any chain).
pub struct Signer {
    key: Key,
    chain: Vec<Certificate>,
    /// The certificate's subject, as `CN=…,O=…`.
    pub subject: String,
    /// The organisation the certificate names (O, else CN): printed in the signature area.
    pub organisation: String,
}

/// SHA-256 of the first certificate in a PEM file.
pub fn certificate_sha256_pem(pem: &[u8]) -> Result<[u8; 32], String> {
    let chain = Certificate::load_pem_chain(pem)
        .map_err(|e| format!("the certificate file is not PEM certificates: {e}"))?;
    let first = chain
        .first()
        .ok_or("the certificate file holds no certificate")?;
    first
        .to_der()
        .map(|d| Sha256::digest(&d).into())
        .map_err(|e| e.to_string())
}

impl Signer {
    /// SHA-256 of the signing certificate (DER).
    pub fn certificate_sha256(&self) -> [u8; 32] {
        self.chain[0]
            .to_der()
            .map(|d| Sha256::digest(&d).into())
            .unwrap_or_default()
    }
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// Loads the key (PKCS#8 or SEC1 PEM) and the certificate file (PEM; the signer's
    /// certificate first, then any chain).
    pub fn from_pem_files(key: &Path, cert: &Path) -> Result<Self, String> {
        let read = |p: &Path| {
            std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))
        };
        Self::from_pem(&read(key)?, &read(cert)?)
    }

    pub fn from_pem(key_pem: &str, cert_pem: &str) -> Result<Self, String> {
        let key = Key::from_pem(key_pem).ok_or_else(|| {
            "the signing key is not an ECDSA P-256 or RSA private key in PEM (PKCS#8, SEC1 or \
             PKCS#1; unencrypted)"
                .to_string()
        })?;
        let chain = Certificate::load_pem_chain(cert_pem.as_bytes())
            .map_err(|e| format!("the certificate file is not PEM certificates: {e}"))?;
        Self::new(key, chain)
    }

    /// Loads the key and its certificate chain from a PKCS#12 (.p12 / .pfx) file.
    pub fn from_pkcs12(data: &[u8], password: &str) -> Result<Self, String> {
        let store = p12_keystore::KeyStore::from_pkcs12(data, password)
            .map_err(|e| format!("the PKCS#12 file cannot be opened (wrong password?): {e}"))?;
        let (key, chain) = store
            .entries()
            .find_map(|(_, e)| match e {
                p12_keystore::KeyStoreEntry::PrivateKeyChain(c) => Some((
                    c.key().to_vec(),
                    c.chain()
                        .iter()
                        .map(|c| c.as_der().to_vec())
                        .collect::<Vec<_>>(),
                )),
                _ => None,
            })
            .ok_or("the PKCS#12 file holds no private key with its certificate")?;
        let key =
            Key::from_pkcs8_der(&key).ok_or("the PKCS#12 key is not an ECDSA P-256 or RSA key")?;
        let chain = chain
            .iter()
            .map(|d| Certificate::from_der(d))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("a certificate in the PKCS#12 file cannot be read: {e}"))?;
        Self::new(key, chain)
    }

    fn new(key: Key, mut chain: Vec<Certificate>) -> Result<Self, String> {
        let ours = key.public_key_der()?;
        // The signer's certificate first, whatever order the file has.
        if let Some(i) = chain.iter().position(|c| {
            c.tbs_certificate
                .subject_public_key_info
                .to_der()
                .ok()
                .as_deref()
                == Some(&ours[..])
        }) {
            let own = chain.remove(i);
            chain.insert(0, own);
        }
        let cert = chain
            .first()
            .ok_or("the certificate file holds no certificate")?;
        let theirs = cert
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .map_err(|e| e.to_string())?;
        if ours != theirs {
            return Err("the signing key does not belong to the (first) certificate".into());
        }
        let subject = cert.tbs_certificate.subject.to_string();
        let organisation = name_part(&subject, "O")
            .or_else(|| name_part(&subject, "CN"))
            .unwrap_or_else(|| subject.clone());
        Ok(Signer {
            key,
            chain,
            subject,
            organisation,
        })
    }

    /// A detached CMS SignedData over `content`, with the PAdES signed attributes.
    fn cms(&self, content_digest: &[u8]) -> Result<Vec<u8>, String> {
        let e = |e: der::Error| format!("CMS: {e}");
        let cert = &self.chain[0];
        let cert_der = cert.to_der().map_err(e)?;
        let signing_cert = SigningCertificateV2 {
            certs: vec![EssCertIdV2 {
                cert_hash: OctetString::new(Sha256::digest(&cert_der).to_vec()).map_err(e)?,
            }],
        };
        let attr = |oid: ObjectIdentifier, value: Any| -> Result<Attribute, String> {
            Ok(Attribute {
                oid,
                values: SetOfVec::try_from(vec![value]).map_err(e)?,
            })
        };
        let signed_attrs = SetOfVec::try_from(vec![
            attr(ID_CONTENT_TYPE, Any::encode_from(&ID_DATA).map_err(e)?)?,
            attr(
                ID_MESSAGE_DIGEST,
                Any::encode_from(&OctetString::new(content_digest.to_vec()).map_err(e)?)
                    .map_err(e)?,
            )?,
            attr(
                ID_SIGNING_CERTIFICATE_V2,
                Any::encode_from(&signing_cert).map_err(e)?,
            )?,
        ])
        .map_err(e)?;
        let to_sign = signed_attrs.to_der().map_err(e)?;
        let (signature, signature_algorithm) = self.key.sign(&to_sign);
        let sha256 = AlgorithmIdentifierOwned {
            oid: ID_SHA256,
            parameters: None,
        };
        let signer_info = SignerInfo {
            version: CmsVersion::V1,
            sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
                issuer: cert.tbs_certificate.issuer.clone(),
                serial_number: cert.tbs_certificate.serial_number.clone(),
            }),
            digest_alg: sha256.clone(),
            signed_attrs: Some(signed_attrs),
            signature_algorithm,
            signature: OctetString::new(signature).map_err(e)?,
            unsigned_attrs: None,
        };
        let certificates = CertificateSet(
            SetOfVec::try_from(
                self.chain
                    .iter()
                    .cloned()
                    .map(CertificateChoices::Certificate)
                    .collect::<Vec<_>>(),
            )
            .map_err(e)?,
        );
        let signed_data = SignedData {
            version: CmsVersion::V1,
            digest_algorithms: SetOfVec::try_from(vec![sha256]).map_err(e)?,
            encap_content_info: EncapsulatedContentInfo {
                econtent_type: ID_DATA,
                econtent: None,
            },
            certificates: Some(certificates),
            crls: None,
            signer_infos: SignerInfos(SetOfVec::try_from(vec![signer_info]).map_err(e)?),
        };
        ContentInfo {
            content_type: ID_SIGNED_DATA,
            content: Any::encode_from(&signed_data).map_err(e)?,
        }
        .to_der()
        .map_err(e)
    }

    /// Signs a PDF written by collabdocs: appends the signature field (its widget over
    /// `area` — page index, `[left, top, right, bottom]` from the top-left — or an invisible
    /// one on the last page) and the signature, as an incremental update.
    pub fn sign_pdf(
        &self,
        pdf: &[u8],
        area: Option<(usize, [f32; 4])>,
        at: std::time::SystemTime,
        reason: &str,
    ) -> Result<Vec<u8>, String> {
        let reserve = self.cms(&[0; 32])?.len() + 64;
        let parsed = PdfTail::parse(pdf, area.map(|(page, _)| page))?;
        let next = parsed.size;
        let (widget, sig, appearance) = (next, next + 1, next + 2);
        let page = parsed.last_page;
        let mut out = pdf.to_vec();
        if !out.ends_with(b"\n") {
            out.push(b'\n');
        }
        let mut offsets: Vec<(u32, usize)> = Vec::new();
        let mut object = |out: &mut Vec<u8>, num: u32, body: &[u8]| {
            offsets.push((num, out.len()));
            out.extend_from_slice(format!("{num} 0 obj\n").as_bytes());
            out.extend_from_slice(body);
            out.extend_from_slice(b"\nendobj\n");
        };
        let page_dict = add_to_annots(&parsed.page_dict, widget)?;
        object(&mut out, page, page_dict.as_bytes());
        let catalog = insert_before_end(
            &parsed.catalog_dict,
            &format!("/AcroForm<</Fields[{widget} 0 R]/SigFlags 3>>"),
        )?;
        object(&mut out, parsed.root, catalog.as_bytes());
        let rect = area.map_or([0.0; 4], |(_, [x0, top, x1, bottom])| {
            [
                x0,
                parsed.page_height - bottom,
                x1,
                parsed.page_height - top,
            ]
        });
        let (w, h) = (rect[2] - rect[0], rect[3] - rect[1]);
        object(
            &mut out,
            widget,
            format!(
                "<</Type/Annot/Subtype/Widget/FT/Sig/T(Signature1)/F 132/Rect[{:.2} {:.2} {:.2} {:.2}]/P {page} 0 R/V {sig} 0 R/AP<</N {appearance} 0 R>>>>",
                rect[0], rect[1], rect[2], rect[3]
            )
            .as_bytes(),
        );
        // The signature area's text is in the page itself; the appearance draws its frame.
        let frame = if w > 0.0 && h > 0.0 {
            format!(
                "0.12 0.35 0.65 RG 1.2 w 0.6 0.6 {:.2} {:.2} re S",
                w - 1.2,
                h - 1.2
            )
        } else {
            String::new()
        };
        object(
            &mut out,
            appearance,
            format!(
                "<</Type/XObject/Subtype/Form/BBox[0 0 {w:.2} {h:.2}]/Length {}>>\nstream\n{frame}\nendstream",
                frame.len()
            )
            .as_bytes(),
        );
        let placeholder_range = "[0 0000000000 0000000000 0000000000]";
        let m = pdf_date(at);
        let sig_start = out.len();
        object(
            &mut out,
            sig,
            format!(
                "<</Type/Sig/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached/ByteRange{placeholder_range}/Contents<{}>/M({m})/Name{}/Reason{}>>",
                "0".repeat(reserve * 2),
                pdf_text(&self.organisation),
                pdf_text(reason),
            )
            .as_bytes(),
        );
        let xref_at = out.len();
        offsets.sort();
        let mut xref = String::from("xref\n0 1\n0000000000 65535 f \n");
        for (num, at) in &offsets {
            xref.push_str(&format!("{num} 1\n{at:010} 00000 n \n"));
        }
        xref.push_str(&format!(
            "trailer\n<</Size {}/Root {} 0 R{}{}/Prev {}>>\nstartxref\n{xref_at}\n%%EOF\n",
            next + 3,
            parsed.root,
            parsed
                .info
                .as_deref()
                .map(|i| format!("/Info {i}"))
                .unwrap_or_default(),
            parsed
                .id
                .as_deref()
                .map(|i| format!("/ID{i}"))
                .unwrap_or_default(),
            parsed.startxref,
        ));
        out.extend_from_slice(xref.as_bytes());

        // Fill in the byte range around /Contents, then the signature over it.
        let sig_obj = &out[sig_start..];
        let contents_at = sig_start
            + find(sig_obj, b"/Contents<").ok_or("internal: no /Contents placeholder")?
            + b"/Contents".len();
        let contents_end = contents_at + 2 + reserve * 2;
        let range_at = sig_start
            + find(sig_obj, placeholder_range.as_bytes()).ok_or("internal: no /ByteRange")?;
        let range = format!(
            "[0 {contents_at} {contents_end} {}]",
            out.len() - contents_end
        );
        let padded = format!("{range:<width$}", width = placeholder_range.len());
        out[range_at..range_at + padded.len()].copy_from_slice(padded.as_bytes());
        let mut hasher = Sha256::new();
        hasher.update(&out[..contents_at]);
        hasher.update(&out[contents_end..]);
        let cms = self.cms(&hasher.finalize())?;
        if cms.len() > reserve {
            return Err("internal: the signature is larger than the room kept for it".into());
        }
        let hex: String = cms.iter().map(|b| format!("{b:02X}")).collect();
        out[contents_at + 1..contents_at + 1 + hex.len()].copy_from_slice(hex.as_bytes());
        Ok(out)
    }
}

/// A PEM key and a self-signed certificate for trying signing out: P-256, valid two years,
/// key usage digital signature and non-repudiation. Not for production.
pub fn dev_cert(organisation: &str) -> Result<(String, String), String> {
    use std::str::FromStr;
    use x509_cert::builder::{Builder, CertificateBuilder, Profile};
    let key = p256::ecdsa::SigningKey::random(&mut rand_core::OsRng);
    let subject = x509_cert::name::Name::from_str(&format!(
        "CN={organisation} (collabdocs development signing),O={organisation}"
    ))
    .map_err(|e| format!("bad organisation name: {e}"))?;
    let mut serial = [0u8; 16];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut serial);
    serial[0] &= 0x7f;
    let spki = x509_cert::spki::SubjectPublicKeyInfoOwned::from_key(*key.verifying_key())
        .map_err(|e| e.to_string())?;
    let builder = CertificateBuilder::new(
        Profile::Leaf {
            issuer: subject.clone(),
            enable_key_agreement: false,
            enable_key_encipherment: false,
        },
        x509_cert::serial_number::SerialNumber::new(&serial).map_err(|e| e.to_string())?,
        x509_cert::time::Validity::from_now(std::time::Duration::from_secs(2 * 366 * 86_400))
            .map_err(|e| e.to_string())?,
        subject,
        spki,
        &key,
    )
    .map_err(|e| e.to_string())?;
    let cert = builder
        .build::<p256::ecdsa::DerSignature>()
        .map_err(|e| e.to_string())?;
    let cert_pem =
        der::EncodePem::to_pem(&cert, der::pem::LineEnding::LF).map_err(|e| e.to_string())?;
    let key_pem = p256::SecretKey::from(key)
        .to_pkcs8_pem(der::pem::LineEnding::LF)
        .map_err(|e| e.to_string())?
        .to_string();
    Ok((key_pem, cert_pem))
}

/// What `POST /v1/verify` reports about one signature.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SignatureReport {
    /// The digest matches the signed bytes and the signature verifies with the certificate.
    pub valid: bool,
    /// The signer certificate's subject (`CN=…,O=…`), if the CMS carries it.
    pub signer: Option<String>,
    /// SHA-256 of the signer's certificate (DER), in hex: compare it with the certificate
    /// you trust.
    pub certificate_sha256: Option<String>,
    /// The signer's certificate is the one this service signs with.
    pub signed_by_this_service: bool,
    /// The signed range is the whole file as it was at signing: from the first byte to the
    /// end of that revision, with only the signature itself left out.
    pub covers_whole_file: bool,
    /// Bytes follow the signed revision: the file was changed (an incremental update)
    /// after signing.
    pub modified_after_signing: bool,
    /// The signing time in the signature dictionary (`/M`), as written.
    pub signing_time: Option<String>,
    /// Why `valid` is false.
    pub problem: Option<String>,
}

/// What `POST /v1/verify` answers.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Verification {
    /// At least one signature, every one valid, the last one covering the whole file.
    pub valid: bool,
    /// The last signature's signer.
    pub signer: Option<String>,
    /// The last signature covers the whole file.
    pub covers_whole_file: bool,
    /// Something was appended after the last signature.
    pub modified_after_signing: bool,
    /// Every signature field found, in file order (at most 16 are examined).
    pub signatures: Vec<SignatureReport>,
    /// Why the file's signatures could not be read at all, if so.
    pub problem: Option<String>,
}

/// The most signatures one verification examines.
pub const MAX_SIGNATURES: usize = 16;

/// A signature as found through the document's form fields.
struct Found {
    range: [usize; 4],
    /// Where the `/Contents` hex string stands, `<` to `>` inclusive.
    contents: std::ops::Range<usize>,
    der: Vec<u8>,
    signing_time: Option<String>,
}

/// The signature dictionaries of a PDF, found as a reader finds them: the catalog's
/// `/AcroForm` → `/Fields` (and their `/Kids`) → each signature field's `/V`, all through the
/// cross-reference table. Text elsewhere that looks like a signature is not one.
fn find_signatures(pdf: &[u8]) -> Result<Vec<Found>, String> {
    use crate::pdf_read::{Obj, PdfFile};
    let file = PdfFile::open(pdf)?;
    let Some(Obj::Ref(root)) = file.trailer.get("Root") else {
        return Err("the trailer has no /Root".into());
    };
    let catalog = file.object(*root)?.value;
    let Some(form) = catalog.get("AcroForm") else {
        return Ok(Vec::new());
    };
    let form = file.resolve(form)?;
    let fields = file.resolve(form.get("Fields").unwrap_or(&Obj::Null))?;
    let mut stack: Vec<(Obj, usize)> = fields
        .as_array()
        .unwrap_or(&[])
        .iter()
        .rev()
        .map(|f| (f.clone(), 0))
        .collect();
    let mut out = Vec::new();
    let mut visited = 0;
    while let Some((field, depth)) = stack.pop() {
        visited += 1;
        if visited > 512 || out.len() >= MAX_SIGNATURES {
            break;
        }
        let field = file.resolve(&field)?;
        if depth < 8 {
            for kid in field
                .get("Kids")
                .and_then(Obj::as_array)
                .unwrap_or(&[])
                .iter()
                .rev()
            {
                stack.push((kid.clone(), depth + 1));
            }
        }
        if field.get("FT").and_then(Obj::as_name) != Some("Sig") {
            continue;
        }
        let Some(Obj::Ref(v)) = field.get("V") else {
            continue;
        };
        let sig = file.object(*v)?.value;
        let range: Vec<usize> = sig
            .get("ByteRange")
            .and_then(Obj::as_array)
            .unwrap_or(&[])
            .iter()
            .filter_map(|n| n.as_int().and_then(|n| usize::try_from(n).ok()))
            .collect();
        let (Ok(range), Some((Obj::Str(der), contents))) =
            (<[usize; 4]>::try_from(range), sig.entry("Contents"))
        else {
            return Err(format!(
                "signature {v} has no usable /ByteRange or /Contents"
            ));
        };
        let signing_time = match sig.get("M") {
            Some(Obj::Str(m)) => Some(String::from_utf8_lossy(m).into_owned()),
            _ => None,
        };
        out.push(Found {
            range,
            contents,
            der: der.clone(),
            signing_time,
        });
    }
    out.sort_by_key(|f| f.range[2].saturating_add(f.range[3]));
    Ok(out)
}

/// Checks every signature in a PDF (at most [`MAX_SIGNATURES`]); `ours` is the SHA-256 of
/// this service's signing certificate, when it has one.
pub fn verify(pdf: &[u8], ours: Option<[u8; 32]>) -> Verification {
    let (signatures, problem) = match find_signatures(pdf) {
        Ok(found) => (
            found.iter().map(|f| verify_one(pdf, f, ours)).collect(),
            None,
        ),
        Err(e) => (
            Vec::new(),
            Some(format!("the signatures cannot be read: {e}")),
        ),
    };
    let last: Option<&SignatureReport> = signatures.last();
    Verification {
        valid: !signatures.is_empty()
            && signatures.iter().all(|s| s.valid)
            && last.is_some_and(|s| s.covers_whole_file),
        signer: last.and_then(|s| s.signer.clone()),
        covers_whole_file: last.is_some_and(|s| s.covers_whole_file),
        modified_after_signing: last.is_some_and(|s| s.modified_after_signing),
        problem: problem.or_else(|| {
            signatures
                .is_empty()
                .then(|| "the file has no signature".into())
        }),
        signatures,
    }
}

fn verify_one(pdf: &[u8], found: &Found, ours: Option<[u8; 32]>) -> SignatureReport {
    let [a, b, c, d] = found.range;
    let mut report = SignatureReport {
        valid: false,
        signer: None,
        certificate_sha256: None,
        signed_by_this_service: false,
        covers_whole_file: false,
        modified_after_signing: false,
        signing_time: found.signing_time.clone(),
        problem: None,
    };
    let end = c.checked_add(d);
    let framed = a == 0
        && b == found.contents.start
        && c == found.contents.end
        && end.is_some_and(|e| e <= pdf.len());
    let (true, Some(end)) = (framed, end) else {
        report.problem = Some("the byte range does not frame the signature contents".into());
        return report;
    };
    report.modified_after_signing = pdf[end..].iter().any(|b| !b.is_ascii_whitespace());
    // The range must reach the end of its revision: the %%EOF just before `end`.
    let tail = &pdf[end.saturating_sub(64)..end];
    report.covers_whole_file = !report.modified_after_signing
        && tail
            .windows(5)
            .rposition(|w| w == b"%%EOF")
            .is_some_and(|r| tail[r + 5..].iter().all(u8::is_ascii_whitespace));
    let mut hasher = Sha256::new();
    hasher.update(&pdf[..b]);
    hasher.update(&pdf[c..end]);
    let digest = hasher.finalize();
    let (outcome, cert) = check_cms(&found.der, &digest);
    if let Some(fp) = cert {
        report.certificate_sha256 = Some(fp.iter().map(|b| format!("{b:02x}")).collect());
        report.signed_by_this_service = ours == Some(fp);
    }
    match outcome {
        Ok(subject) => {
            report.signer = Some(subject);
            report.valid = true;
        }
        Err((subject, why)) => {
            report.signer = subject;
            report.problem = Some(why);
        }
    }
    report
}

/// Checks a CMS SignedData: the message digest against `digest`, the signature against the
/// signer's certificate. `Ok(subject)` or `Err((subject if known, why))`.
/// `Ok(subject)` or `Err((subject if known, why))`.
type CmsOutcome = Result<String, (Option<String>, String)>;

fn check_cms(der: &[u8], digest: &[u8]) -> (CmsOutcome, Option<[u8; 32]>) {
    let mut fingerprint = None;
    let outcome = check_cms_inner(der, digest, &mut fingerprint);
    (outcome, fingerprint)
}

fn check_cms_inner(der: &[u8], digest: &[u8], fingerprint: &mut Option<[u8; 32]>) -> CmsOutcome {
    let fail = |s: Option<String>, why: &str| Err((s, why.to_string()));
    // The contents are zero-padded after the DER value.
    let ci = match der::SliceReader::new(der).and_then(|mut r| ContentInfo::decode(&mut r)) {
        Ok(ci) if ci.content_type == ID_SIGNED_DATA => ci,
        _ => return fail(None, "the signature contents are not a CMS SignedData"),
    };
    let Ok(sd) = ci.content.decode_as::<SignedData>() else {
        return fail(None, "the CMS SignedData cannot be read");
    };
    let Some(si) = sd.signer_infos.0.iter().next() else {
        return fail(None, "the CMS has no signer");
    };
    let SignerIdentifier::IssuerAndSerialNumber(id) = &si.sid else {
        return fail(None, "the signer is not named by issuer and serial number");
    };
    let cert = sd.certificates.as_ref().and_then(|set| {
        set.0.iter().find_map(|c| match c {
            CertificateChoices::Certificate(c)
                if c.tbs_certificate.serial_number == id.serial_number
                    && c.tbs_certificate.issuer == id.issuer =>
            {
                Some(c)
            }
            _ => None,
        })
    });
    let Some(cert) = cert else {
        return fail(None, "the signer's certificate is not in the signature");
    };
    *fingerprint = cert.to_der().ok().map(|d| Sha256::digest(&d).into());
    let name = cert.tbs_certificate.subject.to_string();
    let subject = Some(name.clone());
    if si.digest_alg.oid != ID_SHA256 {
        return fail(subject, "the digest algorithm is not SHA-256");
    }
    let Some(attrs) = &si.signed_attrs else {
        return fail(subject, "there are no signed attributes");
    };
    let md = attrs
        .iter()
        .find(|a| a.oid == ID_MESSAGE_DIGEST)
        .and_then(|a| a.values.iter().next())
        .and_then(|v| v.decode_as::<OctetString>().ok());
    if md.as_ref().map(OctetString::as_bytes) != Some(digest) {
        return fail(
            subject,
            "the document's digest does not match the signed one: the signed bytes were changed",
        );
    }
    let Ok(signed) = attrs.to_der() else {
        return fail(subject, "the signed attributes cannot be encoded");
    };
    let spki = &cert.tbs_certificate.subject_public_key_info;
    let sig_alg = si.signature_algorithm.oid;
    let verified = if spki.algorithm.oid == ID_EC_PUBLIC_KEY && sig_alg == ID_ECDSA_WITH_SHA256 {
        let key = spki
            .subject_public_key
            .as_bytes()
            .and_then(|b| p256::ecdsa::VerifyingKey::from_sec1_bytes(b).ok());
        let sig = p256::ecdsa::Signature::from_der(si.signature.as_bytes()).ok();
        matches!((key, sig), (Some(k), Some(s)) if k.verify(&signed, &s).is_ok())
    } else if spki.algorithm.oid == ID_RSA_ENCRYPTION
        && (sig_alg == ID_SHA256_WITH_RSA || sig_alg == ID_RSA_ENCRYPTION)
    {
        let key = spki
            .to_der()
            .ok()
            .and_then(|d| rsa::RsaPublicKey::from_public_key_der(&d).ok())
            .map(rsa::pkcs1v15::VerifyingKey::<Sha256>::new);
        let sig = rsa::pkcs1v15::Signature::try_from(si.signature.as_bytes()).ok();
        matches!((key, sig), (Some(k), Some(s)) if k.verify(&signed, &s).is_ok())
    } else {
        return fail(
            subject,
            "only ECDSA P-256 and RSA signatures with SHA-256 can be checked",
        );
    };
    if verified {
        Ok(name)
    } else {
        fail(
            subject,
            "the signature does not verify with the signer's certificate",
        )
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// `X=value` from an RFC 4514 name string.
fn name_part(name: &str, key: &str) -> Option<String> {
    name.split(',')
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case(key))
        .map(|(_, v)| v.trim().to_string())
}

/// A PDF date for a moment, in China Standard Time: `D:20261201201530+08'00'`.
fn pdf_date(at: std::time::SystemTime) -> String {
    let secs = at
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
        + 8 * 3600;
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let d = Date::from_days(days);
    format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}+08'00'",
        d.year,
        d.month,
        d.day,
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// A PDF text string: UTF-16BE with a byte-order mark, in hex.
fn pdf_text(s: &str) -> String {
    let mut out = String::from("<FEFF");
    for unit in s.encode_utf16() {
        out.push_str(&format!("{unit:04X}"));
    }
    out.push('>');
    out
}

/// What the incremental update needs from the end of a PDF written by collabdocs, read
/// through its cross-reference table (see [`crate::pdf_read`]).
struct PdfTail {
    startxref: usize,
    size: u32,
    root: u32,
    info: Option<String>,
    id: Option<String>,
    catalog_dict: String,
    last_page: u32,
    page_dict: String,
    page_height: f32,
}

impl PdfTail {
    /// `page`: the 0-based page the widget goes on; the last when `None`.
    fn parse(pdf: &[u8], page: Option<usize>) -> Result<Self, String> {
        use crate::pdf_read::{Obj, PdfFile};
        let bad = |what: &str| format!("cannot sign this PDF: {what}");
        let file = PdfFile::open(pdf).map_err(|e| bad(&e))?;
        let text = |r: std::ops::Range<usize>| String::from_utf8_lossy(file.slice(r)).into_owned();
        let trailer = &file.trailer;
        let size = trailer
            .get("Size")
            .and_then(Obj::as_int)
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| bad("no /Size"))?;
        let Some(&Obj::Ref(root)) = trailer.get("Root") else {
            return Err(bad("no /Root"));
        };
        let info = match trailer.get("Info") {
            Some(Obj::Ref(n)) => Some(format!("{n} 0 R")),
            _ => None,
        };
        let id = trailer.entry("ID").map(|(_, r)| text(r));
        let catalog = file.object(root).map_err(|e| bad(&e))?;
        if catalog.value.get("AcroForm").is_some() {
            return Err(bad("it already has a form"));
        }
        let pages = file.pages(100_000).map_err(|e| bad(&e))?;
        let last_page = *match page {
            Some(i) => pages.get(i),
            None => pages.last(),
        }
        .ok_or_else(|| bad("no such page"))?;
        let page = file.object(last_page).map_err(|e| bad(&e))?;
        let page_height = page
            .value
            .get("MediaBox")
            .and_then(Obj::as_array)
            .and_then(|b| b.get(3))
            .and_then(Obj::as_num)
            .ok_or_else(|| bad("no /MediaBox on the page"))? as f32;
        let page_dict = match page.value.entry("Annots") {
            None => text(page.span.clone()),
            Some((Obj::Array(_), r)) => {
                // Where the widget goes: just inside the array's `[`.
                let inner = r.start + 1 - page.span.start;
                let dict = text(page.span.clone());
                format!("{}\u{0}{}", &dict[..inner], &dict[inner..])
            }
            Some(_) => return Err(bad("the page's annotations are indirect")),
        };
        Ok(PdfTail {
            startxref: file.startxref,
            size,
            root,
            info,
            id,
            catalog_dict: text(catalog.span),
            last_page,
            page_dict,
            page_height,
        })
    }
}

fn insert_before_end(dict: &str, entry: &str) -> Result<String, String> {
    let end = dict
        .rfind(">>")
        .ok_or("cannot sign this PDF: a dictionary is not closed")?;
    Ok(format!("{}{entry}{}", &dict[..end], &dict[end..]))
}

/// The page dictionary with the widget among its annotations: in the array where
/// [`PdfTail::parse`] marked its place with a NUL, else in a new `/Annots`.
fn add_to_annots(page: &str, widget: u32) -> Result<String, String> {
    match page.split_once('\u{0}') {
        None => insert_before_end(page, &format!("/Annots[{widget} 0 R]")),
        Some((before, after)) => Ok(format!("{before}{widget} 0 R {after}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dev_certificate_loads_back_and_names_its_organisation() {
        let (key, cert) = dev_cert("华东零售集团").unwrap();
        let s = Signer::from_pem(&key, &cert).unwrap();
        assert_eq!(s.organisation, "华东零售集团");
        let (other_key, _) = dev_cert("x").unwrap();
        assert!(
            Signer::from_pem(&other_key, &cert).is_err(),
            "a key that does not match"
        );
    }

    #[test]
    fn byte_ranges_that_frame_nothing_are_reported_not_trusted() {
        for body in [
            &b"%PDF-1.7 /ByteRange[0 9 9 0]"[..],
            b"%PDF-1.7 /ByteRange[0 0 0 0]",
            b"%PDF-1.7 <> /ByteRange[0 9 10 2]",
            b"%PDF-1.7 /ByteRange[0 99999999999999999999999 1 1]",
            b"%PDF-1.7 /ByteRange[0 1 2",
            b"%PDF-1.7 /ByteRange[",
            b"%PDF-1.7 /ByteRange",
            b"%PDF-1.7 <00> /ByteRange[0 9 13 18446744073709551615]",
            b"%PDF-1.7 <zz> /ByteRange[0 9 13 0]",
        ] {
            let v = verify(body, None);
            assert!(!v.valid, "{}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn signing_times_are_written_in_china_standard_time() {
        let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_796_156_130);
        assert_eq!(pdf_date(at), "D:20261202041530+08'00'");
    }

    #[test]
    fn pdf_text_strings_are_utf16_with_a_bom() {
        assert_eq!(pdf_text("A中"), "<FEFF00414E2D>");
    }
}
