//! Checking the signer of a CMS SignedData — a PAdES signature or a time-stamp token: the
//! digest its signed attributes carry and its signature with the certificate it names.

use cms::cert::x509::Certificate;
use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use der::asn1::OctetString;
use der::{Decode, Encode};
use x509_cert::attr::Attribute;

use crate::sign::oid::{
    ID_MESSAGE_DIGEST, ID_SHA1, ID_SHA256, ID_SHA384, ID_SHA512, ID_SIGNED_DATA,
    ID_SIGNING_CERTIFICATE, ID_SIGNING_CERTIFICATE_V2,
};

/// `ESSCertIDv2` (RFC 5035) as read: the hash algorithm (SHA-256 when left out), the
/// certificate's hash, and optionally its issuer and serial.
#[derive(Clone, Debug, Eq, PartialEq, der::Sequence)]
struct EssCertId {
    #[asn1(optional = "true")]
    hash_algorithm: Option<x509_cert::spki::AlgorithmIdentifierOwned>,
    cert_hash: OctetString,
    #[asn1(optional = "true")]
    issuer_serial: Option<IssuerSerial>,
}

/// `IssuerSerial`: the issuer's names and the serial number.
#[derive(Clone, Debug, Eq, PartialEq, der::Sequence)]
struct IssuerSerial {
    issuer: der::Any,
    serial_number: x509_cert::serial_number::SerialNumber,
}

/// `SigningCertificate` / `SigningCertificateV2`: the certificates, the policies left unread.
#[derive(Clone, Debug, Eq, PartialEq, der::Sequence)]
struct SigningCertificate {
    certs: Vec<EssCertId>,
    #[asn1(optional = "true")]
    policies: Option<der::Any>,
}

/// What the signed attributes say of the signer's certificate: `Ok(true)` when a
/// signing-certificate attribute names it (by its hash, and its serial when given),
/// `Ok(false)` when there is no such attribute, `Err` when one names another certificate.
fn names_signer(attrs: &[Attribute], cert: &Certificate) -> Result<bool, String> {
    use sha2::Digest;
    let Some(attr) = attrs
        .iter()
        .find(|a| a.oid == ID_SIGNING_CERTIFICATE_V2 || a.oid == ID_SIGNING_CERTIFICATE)
    else {
        return Ok(false);
    };
    let other = || {
        "the signing-certificate attribute names another certificate than the signer's: the signature is not bound to the certificate it carries".to_string()
    };
    let id = attr
        .values
        .iter()
        .next()
        .and_then(|v| v.decode_as::<SigningCertificate>().ok())
        .and_then(|sc| sc.certs.into_iter().next())
        .ok_or("the signing-certificate attribute cannot be read")?;
    let der = cert.to_der().map_err(|e| e.to_string())?;
    let v1 = attr.oid == ID_SIGNING_CERTIFICATE;
    let alg = match &id.hash_algorithm {
        Some(a) => a.oid,
        None if v1 => ID_SHA1,
        None => ID_SHA256,
    };
    let hash = match alg {
        a if a == ID_SHA256 => sha2::Sha256::digest(&der).to_vec(),
        a if a == ID_SHA384 => sha2::Sha384::digest(&der).to_vec(),
        a if a == ID_SHA512 => sha2::Sha512::digest(&der).to_vec(),
        a if a == ID_SHA1 => sha1::Sha1::digest(&der).to_vec(),
        a => {
            return Err(format!(
                "the signing-certificate attribute hashes with {a}, which is not read here"
            ))
        }
    };
    if id.cert_hash.as_bytes() != hash {
        return Err(other());
    }
    if id
        .issuer_serial
        .is_some_and(|is| is.serial_number != cert.tbs_certificate.serial_number)
    {
        return Err(other());
    }
    Ok(true)
}

/// `Ok(subject)` or `Err((subject if known, why))`.
pub(in crate::sign) type CmsOutcome = Result<String, (Option<String>, String)>;

/// What the first signer of a SignedData is, as read.
pub(in crate::sign) struct SignerFacts {
    /// The signer's certificate.
    pub cert: Certificate,
    /// Every certificate the SignedData carries.
    pub pool: Vec<Certificate>,
    /// The signed attributes name the certificate (signing-certificate-v2, as PAdES asks).
    pub pades: bool,
    /// The signature value (what a signature time-stamp is over).
    pub signature: Vec<u8>,
    /// The unsigned attributes (a signature time-stamp token among them).
    pub unsigned: Vec<Attribute>,
}

/// The certificates a SignedData carries.
fn certificates(sd: &SignedData) -> Vec<Certificate> {
    sd.certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|c| match c {
            CertificateChoices::Certificate(c) => Some(c.clone()),
            _ => None,
        })
        .collect()
}

/// The SignedData inside a ContentInfo; trailing zero padding (a PDF's `/Contents`) is fine.
pub(in crate::sign) fn signed_data(der: &[u8]) -> Result<SignedData, String> {
    let ci = der::SliceReader::new(der)
        .and_then(|mut r| ContentInfo::decode(&mut r))
        .ok()
        .filter(|ci| ci.content_type == ID_SIGNED_DATA)
        .ok_or("the contents are not a CMS SignedData")?;
    ci.content
        .decode_as::<SignedData>()
        .map_err(|_| "the CMS SignedData cannot be read".to_string())
}

/// Checks the first signer of `sd`: its message digest against `digest`, its signature
/// against its certificate; and what it is, when it can be read that far.
pub(in crate::sign) fn check_signer(
    sd: &SignedData,
    digest: &[u8],
) -> (CmsOutcome, Option<SignerFacts>) {
    let mut facts = None;
    let outcome = check(sd, digest, &mut facts);
    (outcome, facts)
}

fn check(sd: &SignedData, digest: &[u8], facts: &mut Option<SignerFacts>) -> CmsOutcome {
    let fail = |s: Option<String>, why: &str| Err((s, why.to_string()));
    let Some(si) = sd.signer_infos.0.iter().next() else {
        return fail(None, "the CMS has no signer");
    };
    let SignerIdentifier::IssuerAndSerialNumber(id) = &si.sid else {
        return fail(None, "the signer is not named by issuer and serial number");
    };
    let pool = certificates(sd);
    let Some(cert) = pool
        .iter()
        .find(|c| {
            c.tbs_certificate.serial_number == id.serial_number
                && c.tbs_certificate.issuer == id.issuer
        })
        .cloned()
    else {
        return fail(None, "the signer's certificate is not in the signature");
    };
    let attrs: Vec<Attribute> = si
        .signed_attrs
        .as_ref()
        .map(|a| a.iter().cloned().collect())
        .unwrap_or_default();
    let named = names_signer(&attrs, &cert);
    let pades = named.as_ref().is_ok_and(|&n| n)
        && attrs.iter().any(|x| x.oid == ID_SIGNING_CERTIFICATE_V2);
    let name = cert.tbs_certificate.subject.to_string();
    let subject = Some(name.clone());
    let spki = cert.tbs_certificate.subject_public_key_info.clone();
    *facts = Some(SignerFacts {
        cert,
        pool,
        pades,
        signature: si.signature.as_bytes().to_vec(),
        unsigned: si
            .unsigned_attrs
            .as_ref()
            .map(|a| a.iter().cloned().collect())
            .unwrap_or_default(),
    });
    if si.digest_alg.oid != ID_SHA256 {
        return fail(subject, "the digest algorithm is not SHA-256");
    }
    if let Err(why) = named {
        return fail(subject, &why);
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
    let verified = super::trust::verify_with_key(
        &spki,
        si.signature_algorithm.oid,
        si.signature.as_bytes(),
        &signed,
    );
    match verified {
        None => fail(
            subject,
            "only ECDSA P-256 and RSA signatures with SHA-256 can be checked",
        ),
        Some(true) => Ok(name),
        Some(false) => fail(
            subject,
            "the signature does not verify with the signer's certificate",
        ),
    }
}

/// The most certificates a signer's chain is followed through.
const MAX_CHAIN: usize = 8;

/// The chain of a CMS's signer: its certificate, then each issuer found among the
/// certificates the CMS carries and `more` (the trust anchors), up to a self-issued one.
pub fn chain(cms: &[u8], more: &[Certificate]) -> Result<Vec<Certificate>, String> {
    use super::trust::{fingerprint, issued_by};
    let sd = signed_data(cms)?;
    let (_, facts) = check_signer(&sd, &[]);
    let facts = facts.ok_or("the signer's certificate is not in the signature")?;
    let pool: Vec<&Certificate> = facts.pool.iter().chain(more).collect();
    let mut chain = vec![facts.cert];
    while chain.len() < MAX_CHAIN {
        let last = chain.last().expect("the chain has its first certificate");
        if last.tbs_certificate.issuer == last.tbs_certificate.subject {
            break;
        }
        let print = fingerprint(last);
        let Some(issuer) = pool
            .iter()
            .find(|c| fingerprint(c) != print && issued_by(last, c))
        else {
            return Err(format!(
                "the issuer of {} is neither in the signature nor among the trust anchors: include the signer's chain in the CMS",
                last.tbs_certificate.subject
            ));
        };
        chain.push((*issuer).clone());
    }
    Ok(chain)
}
