//! Whom to believe: a signer's certificate described (subject, issuer, serial, validity,
//! fingerprint) and its chain followed — through the certificates the signature carries —
//! to one of the trust anchors the deployment names (`COLLABDOCS_TRUST_ANCHORS`). A
//! look-alike certificate with the same name but another key never reaches an anchor.

use cms::cert::x509::Certificate;
use der::Encode;
use p256::ecdsa::signature::Verifier as _;
use rsa::pkcs8::DecodePublicKey;
use sha2::{Digest, Sha256};
use x509_cert::spki::SubjectPublicKeyInfoOwned;

use crate::sign::oid::{
    ID_ECDSA_WITH_SHA256, ID_EC_PUBLIC_KEY, ID_KP_OCSP_SIGNING, ID_KP_TIME_STAMPING,
    ID_RSA_ENCRYPTION, ID_SHA256_WITH_RSA,
};

/// The certificates a verification believes: this service's own (to say
/// `signed_by_this_service`) and the trust anchors.
#[derive(Debug, Clone, Default)]
pub struct Trust {
    /// SHA-256 of the service's signing certificate, when it has one.
    pub ours: Option<[u8; 32]>,
    /// Root (or intermediate) certificates a chain must reach to be trusted.
    pub anchors: Vec<Certificate>,
}

impl Trust {
    /// Reads a PEM bundle of anchor certificates.
    pub fn anchors_from_pem(pem: &[u8]) -> Result<Vec<Certificate>, String> {
        let certs = Certificate::load_pem_chain(pem)
            .map_err(|e| format!("the trust anchors are not PEM certificates: {e}"))?;
        if certs.is_empty() {
            return Err("the trust anchor file holds no certificate".into());
        }
        Ok(certs)
    }
}

/// A certificate as `/v1/verify` describes it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CertificateInfo {
    /// `CN=…,O=…`
    pub subject: String,
    pub issuer: String,
    /// The serial number, in hex.
    pub serial: String,
    /// Valid from, RFC 3339 (UTC).
    pub not_before: String,
    /// Valid until, RFC 3339 (UTC).
    pub not_after: String,
    /// SHA-256 of the certificate (DER), in hex.
    pub sha256: String,
}

pub fn fingerprint(cert: &Certificate) -> [u8; 32] {
    cert.to_der()
        .map(|d| Sha256::digest(&d).into())
        .unwrap_or_default()
}

pub fn describe(cert: &Certificate) -> CertificateInfo {
    let tbs = &cert.tbs_certificate;
    let time = |t: &x509_cert::time::Time| rfc3339(t.to_unix_duration().as_secs());
    CertificateInfo {
        subject: tbs.subject.to_string(),
        issuer: tbs.issuer.to_string(),
        serial: crate::values::hex(tbs.serial_number.as_bytes()),
        not_before: time(&tbs.validity.not_before),
        not_after: time(&tbs.validity.not_after),
        sha256: crate::values::hex(&fingerprint(cert)),
    }
}

/// `2026-12-01T12:30:00Z`
pub fn rfc3339(secs: u64) -> String {
    let d = crate::values::Date::from_days((secs / 86_400) as i64);
    let s = secs % 86_400;
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        d.year,
        d.month,
        d.day,
        s / 3600,
        s % 3600 / 60,
        s % 60
    )
}

/// Whether `signature` over `data` verifies with the key `spki` under algorithm `alg`;
/// `None` for an algorithm that cannot be checked here.
pub(in crate::sign) fn verify_with_key(
    spki: &SubjectPublicKeyInfoOwned,
    alg: der::asn1::ObjectIdentifier,
    signature: &[u8],
    data: &[u8],
) -> Option<bool> {
    if spki.algorithm.oid == ID_EC_PUBLIC_KEY && alg == ID_ECDSA_WITH_SHA256 {
        let key = spki
            .subject_public_key
            .as_bytes()
            .and_then(|b| p256::ecdsa::VerifyingKey::from_sec1_bytes(b).ok());
        let sig = p256::ecdsa::Signature::from_der(signature).ok();
        Some(matches!((key, sig), (Some(k), Some(s)) if k.verify(data, &s).is_ok()))
    } else if spki.algorithm.oid == ID_RSA_ENCRYPTION
        && (alg == ID_SHA256_WITH_RSA || alg == ID_RSA_ENCRYPTION)
    {
        let key = spki
            .to_der()
            .ok()
            .and_then(|d| rsa::RsaPublicKey::from_public_key_der(&d).ok())
            .map(rsa::pkcs1v15::VerifyingKey::<Sha256>::new);
        let sig = rsa::pkcs1v15::Signature::try_from(signature).ok();
        Some(matches!((key, sig), (Some(k), Some(s)) if k.verify(data, &s).is_ok()))
    } else {
        None
    }
}

/// `child` was signed by `issuer`'s key.
pub(in crate::sign) fn issued_by(child: &Certificate, issuer: &Certificate) -> bool {
    if child.tbs_certificate.issuer != issuer.tbs_certificate.subject {
        return false;
    }
    let Ok(tbs) = child.tbs_certificate.to_der() else {
        return false;
    };
    let Some(sig) = child.signature.as_bytes() else {
        return false;
    };
    verify_with_key(
        &issuer.tbs_certificate.subject_public_key_info,
        child.signature_algorithm.oid,
        sig,
        &tbs,
    ) == Some(true)
}

/// `at` (seconds since 1970) lies within the certificate's validity.
fn valid_at(cert: &Certificate, at: u64) -> bool {
    let v = &cert.tbs_certificate.validity;
    v.not_before.to_unix_duration().as_secs() <= at
        && at <= v.not_after.to_unix_duration().as_secs()
}

/// The certificate's validity ended before `at`.
pub(in crate::sign) fn expired_at(cert: &Certificate, at: u64) -> bool {
    cert.tbs_certificate
        .validity
        .not_after
        .to_unix_duration()
        .as_secs()
        < at
}

/// What a certificate at the end of a chain must be good for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Signing documents: key usage, if stated, allows digital signatures or non-repudiation.
    Signing,
    /// A time-stamp authority: extended key usage `timeStamping` (RFC 3161 §2.3).
    TimeStamping,
    /// An OCSP responder its CA delegated to: extended key usage `OCSPSigning` (RFC 6960).
    OcspSigning,
}

/// A certificate's extension of type `T`, if it has one that reads.
fn extension<T>(cert: &Certificate) -> Option<T>
where
    T: for<'a> der::Decode<'a> + der::oid::AssociatedOid,
{
    cert.tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id == T::OID)
        .and_then(|e| T::from_der(e.extn_value.as_bytes()).ok())
}

/// Whether `cert` may be used for `purpose`; else why not.
pub(in crate::sign) fn fit_for(cert: &Certificate, purpose: Purpose) -> Result<(), String> {
    use x509_cert::ext::pkix::{ExtendedKeyUsage, KeyUsage};
    let subject = &cert.tbs_certificate.subject;
    let eku = |oid, name: &str| -> Result<(), String> {
        match extension::<ExtendedKeyUsage>(cert) {
            Some(e) if e.0.contains(&oid) => Ok(()),
            _ => Err(format!(
                "{subject} is not certified for {name} (its extended key usage does not name it)"
            )),
        }
    };
    match purpose {
        Purpose::Signing => match extension::<KeyUsage>(cert) {
            Some(ku) if !ku.digital_signature() && !ku.non_repudiation() => Err(format!(
                "{subject} is not certified for signing (its key usage allows neither digital signatures nor non-repudiation)"
            )),
            _ => Ok(()),
        },
        Purpose::TimeStamping => eku(ID_KP_TIME_STAMPING, "time-stamping"),
        Purpose::OcspSigning => eku(ID_KP_OCSP_SIGNING, "signing OCSP responses"),
    }
}

/// Whether `issuer` may issue a certificate that has `below` CA certificates under it on
/// the way to the end certificate: a CA by its basic constraints, allowed to sign
/// certificates by its key usage, and within its path length.
fn may_issue(issuer: &Certificate, below: u32) -> Result<(), String> {
    use x509_cert::ext::pkix::{BasicConstraints, KeyUsage};
    let subject = &issuer.tbs_certificate.subject;
    let bc = extension::<BasicConstraints>(issuer)
        .filter(|bc| bc.ca)
        .ok_or_else(|| {
            format!("{subject} issued a certificate but is not a CA (basic constraints)")
        })?;
    if bc.path_len_constraint.is_some_and(|n| below > u32::from(n)) {
        return Err(format!(
            "{subject} may have at most {} CA certificates below it (path length), and the chain has {below}",
            bc.path_len_constraint.unwrap_or(0)
        ));
    }
    if extension::<KeyUsage>(issuer).is_some_and(|ku| !ku.key_cert_sign()) {
        return Err(format!(
            "{subject} issued a certificate but its key usage does not allow signing certificates"
        ));
    }
    Ok(())
}

/// Follows `cert`'s chain through `pool` (the certificates the file carries) to an anchor:
/// each link's signature checked, each issuer a CA allowed to issue (basic constraints, path
/// length, key usage), each certificate valid at `at`, and the end certificate fit for
/// `purpose`. `(trusted, why)`.
pub fn evaluate(
    cert: &Certificate,
    pool: &[Certificate],
    anchors: &[Certificate],
    at: u64,
    purpose: Purpose,
) -> (bool, String) {
    if anchors.is_empty() {
        return (
            false,
            "no trust anchors are configured (COLLABDOCS_TRUST_ANCHORS); the certificate is not judged".into(),
        );
    }
    if let Err(why) = fit_for(cert, purpose) {
        return (false, why);
    }
    let anchor_prints: Vec<[u8; 32]> = anchors.iter().map(fingerprint).collect();
    let mut current = cert;
    let mut seen = vec![fingerprint(cert)];
    // CA certificates between the end certificate and the issuer being checked.
    let mut below = 0u32;
    for _ in 0..8 {
        if !valid_at(current, at) {
            return (
                false,
                format!(
                    "{} is not valid at {}, the time the chain is judged at",
                    current.tbs_certificate.subject,
                    rfc3339(at)
                ),
            );
        }
        let print = fingerprint(current);
        if anchor_prints.contains(&print) {
            return (
                true,
                format!(
                    "the chain reaches the trust anchor {}",
                    current.tbs_certificate.subject
                ),
            );
        }
        if let Some(a) = anchors.iter().find(|a| issued_by(current, a)) {
            if let Err(why) = may_issue(a, below) {
                return (false, why);
            }
            return (
                true,
                format!("issued by the trust anchor {}", a.tbs_certificate.subject),
            );
        }
        let next = pool.iter().find(|c| {
            let p = fingerprint(c);
            !seen.contains(&p) && issued_by(current, c)
        });
        match next {
            Some(issuer) => {
                if let Err(why) = may_issue(issuer, below) {
                    return (false, why);
                }
                seen.push(fingerprint(issuer));
                current = issuer;
                if current.tbs_certificate.subject != current.tbs_certificate.issuer {
                    below += 1;
                }
            }
            None => {
                return (
                    false,
                    format!(
                        "the chain ends at {}, issued by {}, which is not a trust anchor",
                        current.tbs_certificate.subject, current.tbs_certificate.issuer
                    ),
                )
            }
        }
    }
    (false, "the chain is longer than eight certificates".into())
}

/// Seconds since 1970 of a PDF date (`D:20261201203015+08'00'`), if it reads as one.
/// Seconds since 1970 of a `GeneralizedTime` in UTC (`YYYYMMDDHHMMSS[.fff]Z`), fractions
/// dropped.
pub(in crate::sign) fn generalized_time(t: &der::Any) -> Option<u64> {
    if der::Tagged::tag(t) != der::Tag::GeneralizedTime {
        return None;
    }
    let s = std::str::from_utf8(t.value()).ok()?;
    let whole = s.strip_suffix('Z')?.split('.').next()?;
    if whole.len() != 14 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pdf_date_secs(&format!("D:{whole}Z"))
}

pub fn pdf_date_secs(m: &str) -> Option<u64> {
    let s = m.strip_prefix("D:")?;
    let num = |r: std::ops::Range<usize>| -> Option<i64> { s.get(r)?.parse().ok() };
    let date = crate::values::Date {
        year: num(0..4)? as i32,
        month: num(4..6).unwrap_or(1) as u32,
        day: num(6..8).unwrap_or(1) as u32,
    };
    let (h, mi, se) = (
        num(8..10).unwrap_or(0),
        num(10..12).unwrap_or(0),
        num(12..14).unwrap_or(0),
    );
    let offset = match s.get(14..15) {
        Some(sign @ ("+" | "-")) => {
            let oh = num(15..17).unwrap_or(0);
            let om = num(18..20).unwrap_or(0);
            let o = oh * 3600 + om * 60;
            if sign == "+" {
                o
            } else {
                -o
            }
        }
        _ => 0,
    };
    let secs = date.days() * 86_400 + h * 3600 + mi * 60 + se - offset;
    u64::try_from(secs).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_dates_read_with_their_offset() {
        assert_eq!(pdf_date_secs("D:19700101080000+08'00'"), Some(0));
        assert_eq!(pdf_date_secs("D:19700101000001Z"), Some(1));
        assert_eq!(rfc3339(1_796_156_130), "2026-12-01T20:15:30Z");
    }
}
