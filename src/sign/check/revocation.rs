//! Revocation data read back: what an OCSP response or a CRL says about a certificate, its
//! signature checked, and, of the data a file embeds, which speaks for a given time.

use cms::cert::x509::Certificate;
use der::{Decode, Encode};
use sha2::Digest;
use x509_cert::crl::CertificateList;
use x509_cert::ext::Extensions;
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_ocsp::{CertId, OcspResponse, OcspResponseStatus, ResponderId, Version};

use super::trust::{fingerprint, issued_by};
use crate::sign::oid::{ID_PKIX_OCSP_BASIC, ID_SHA1, ID_SHA256};

/// A certificate's revocation status as the data says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Good,
    /// Revoked since (seconds since 1970).
    Revoked(u64),
    Unknown,
}

/// What one OCSP response or CRL says about a certificate, and when: issued at
/// `this_update`, to be replaced by `next_update` (seconds since 1970).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: Status,
    pub this_update: u64,
    pub next_update: Option<u64>,
}

/// How far a responder's clock may run ahead of ours, in seconds.
const CLOCK_SKEW: u64 = 120;

/// `BasicOCSPResponse` (RFC 6960 §4.2.1) with its signed part kept as written and its
/// times read as they come (responders write fractions of a second, which the DER
/// `GeneralizedTime` type refuses).
#[derive(Clone, Debug, Eq, PartialEq, der::Sequence)]
struct BasicResponse {
    tbs_response_data: der::Any,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: der::asn1::BitString,
    #[asn1(context_specific = "0", optional = "true", tag_mode = "EXPLICIT")]
    certs: Option<Vec<Certificate>>,
}

/// `ResponseData`, times as they come.
#[derive(Clone, Debug, Eq, PartialEq, der::Sequence)]
struct ResponseData {
    #[asn1(
        context_specific = "0",
        default = "Default::default",
        tag_mode = "EXPLICIT"
    )]
    version: Version,
    responder_id: ResponderId,
    produced_at: der::Any,
    responses: Vec<SingleResponse>,
    #[asn1(context_specific = "1", optional = "true", tag_mode = "EXPLICIT")]
    response_extensions: Option<Extensions>,
}

/// `SingleResponse`, its status read by hand: `[0]` good, `[1]` revoked (with the time),
/// `[2]` unknown.
#[derive(Clone, Debug, Eq, PartialEq, der::Sequence)]
struct SingleResponse {
    cert_id: CertId,
    cert_status: der::Any,
    this_update: der::Any,
    #[asn1(context_specific = "0", optional = "true", tag_mode = "EXPLICIT")]
    next_update: Option<der::Any>,
    #[asn1(context_specific = "1", optional = "true", tag_mode = "EXPLICIT")]
    single_extensions: Option<Extensions>,
}

impl SingleResponse {
    fn status(&self) -> Status {
        use der::Tagged;
        match self.cert_status.tag().octet() & 0x1f {
            0 => Status::Good,
            1 => {
                // RevokedInfo: revocationTime GeneralizedTime, then an optional reason.
                let at = der::SliceReader::new(self.cert_status.value())
                    .ok()
                    .and_then(|mut r| der::Any::decode(&mut r).ok())
                    .and_then(|t| super::trust::generalized_time(&t));
                at.map_or(Status::Unknown, Status::Revoked)
            }
            _ => Status::Unknown,
        }
    }
}

/// What an OCSP response (DER) says about `cert`, its signature checked against the issuer
/// or a responder certificate the issuer delegated to (certified for OCSP signing); with
/// the responder certificates.
pub(in crate::sign) fn ocsp_status(
    der: &[u8],
    cert: &Certificate,
    issuer: &Certificate,
) -> Result<(Answer, Vec<Certificate>), String> {
    let response =
        OcspResponse::from_der(der).map_err(|e| format!("not an OCSP response ({e})"))?;
    if response.response_status != OcspResponseStatus::Successful {
        return Err(format!(
            "the responder answered {:?}",
            response.response_status
        ));
    }
    let bytes = response
        .response_bytes
        .filter(|b| b.response_type == ID_PKIX_OCSP_BASIC)
        .ok_or("not a basic OCSP response")?;
    let basic = BasicResponse::from_der(bytes.response.as_bytes())
        .map_err(|e| format!("the basic OCSP response cannot be read ({e})"))?;
    let data = basic
        .tbs_response_data
        .decode_as::<ResponseData>()
        .map_err(|e| format!("the OCSP response data cannot be read ({e})"))?;
    let responders = basic.certs.clone().unwrap_or_default();
    let delegated = |r: &&Certificate| {
        issued_by(r, issuer) && super::trust::fit_for(r, super::trust::Purpose::OcspSigning).is_ok()
    };
    let signer = match &data.responder_id {
        ResponderId::ByName(name) if *name == issuer.tbs_certificate.subject => Some(issuer),
        ResponderId::ByName(name) => responders
            .iter()
            .filter(delegated)
            .find(|r| r.tbs_certificate.subject == *name),
        ResponderId::ByKey(hash) => std::iter::once(issuer)
            .chain(responders.iter().filter(delegated))
            .find(|c| {
                let key = c
                    .tbs_certificate
                    .subject_public_key_info
                    .subject_public_key
                    .raw_bytes();
                sha1::Sha1::digest(key).as_slice() == hash.as_bytes()
            }),
    }
    .ok_or(
        "the response is not signed by the issuer or a responder it certified for OCSP signing",
    )?;
    signed_by(
        signer,
        &basic.signature_algorithm,
        &basic.signature,
        &basic.tbs_response_data,
        "the response's signature does not verify",
    )?;
    let single = data
        .responses
        .iter()
        .find(|r| names(&r.cert_id, cert, issuer))
        .ok_or("the response is about another certificate")?;
    let this_update = super::trust::generalized_time(&single.this_update)
        .ok_or("the response's thisUpdate cannot be read")?;
    let next_update = single
        .next_update
        .as_ref()
        .and_then(super::trust::generalized_time);
    Ok((
        Answer {
            status: single.status(),
            this_update,
            next_update,
        },
        responders,
    ))
}

/// The `CertID` names `cert` issued by `issuer` (hashed with SHA-1 or SHA-256).
fn names(id: &CertId, cert: &Certificate, issuer: &Certificate) -> bool {
    if id.serial_number != cert.tbs_certificate.serial_number {
        return false;
    }
    let Ok(name) = issuer.tbs_certificate.subject.to_der() else {
        return false;
    };
    let key = issuer
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .raw_bytes();
    let (n, k) = if id.hash_algorithm.oid == ID_SHA1 {
        (
            sha1::Sha1::digest(&name).to_vec(),
            sha1::Sha1::digest(key).to_vec(),
        )
    } else if id.hash_algorithm.oid == ID_SHA256 {
        (
            sha2::Sha256::digest(&name).to_vec(),
            sha2::Sha256::digest(key).to_vec(),
        )
    } else {
        return false;
    };
    id.issuer_name_hash.as_bytes() == n && id.issuer_key_hash.as_bytes() == k
}

/// `tbs` (DER-encoded) carries a signature by `cert`'s key; else `Err(why)`.
fn signed_by(
    cert: &Certificate,
    alg: &AlgorithmIdentifierOwned,
    signature: &der::asn1::BitString,
    tbs: &impl Encode,
    why: &str,
) -> Result<(), String> {
    let tbs = tbs.to_der().map_err(|e| e.to_string())?;
    let verified = super::trust::verify_with_key(
        &cert.tbs_certificate.subject_public_key_info,
        alg.oid,
        signature.raw_bytes(),
        &tbs,
    );
    match verified {
        Some(true) => Ok(()),
        _ => Err(why.to_string()),
    }
}

/// What a CRL (DER) says about `cert`, its signature checked against the issuer.
pub(in crate::sign) fn crl_status(
    der: &[u8],
    cert: &Certificate,
    issuer: &Certificate,
) -> Result<Answer, String> {
    let crl = CertificateList::from_der(der).map_err(|e| format!("not a CRL ({e})"))?;
    if crl.tbs_cert_list.issuer != cert.tbs_certificate.issuer {
        return Err("the CRL is from another issuer".into());
    }
    signed_by(
        issuer,
        &crl.signature_algorithm,
        &crl.signature,
        &crl.tbs_cert_list,
        "the CRL's signature does not verify with its issuer",
    )?;
    let list = &crl.tbs_cert_list;
    let status = list
        .revoked_certificates
        .iter()
        .flatten()
        .find(|r| r.serial_number == cert.tbs_certificate.serial_number)
        .map_or(Status::Good, |r| {
            Status::Revoked(r.revocation_date.to_unix_duration().as_secs())
        });
    Ok(Answer {
        status,
        this_update: list.this_update.to_unix_duration().as_secs(),
        next_update: list.next_update.map(|t| t.to_unix_duration().as_secs()),
    })
}

/// The status of `cert` at `at` by the embedded data: of the OCSP responses and CRLs about
/// it that verify, those that speak for `at` — issued after it, or before it and not yet due
/// for replacement then — and were not issued after `now`, the freshest decides (a
/// revocation wins a tie); `Unknown` when none does. An old list from before a revocation
/// does not outweigh a newer one that records it.
pub(in crate::sign) fn embedded_status(
    cert: &Certificate,
    pool: &[Certificate],
    ocsps: &[Vec<u8>],
    crls: &[Vec<u8>],
    at: u64,
    now: u64,
) -> Status {
    let Some(issuer) = pool
        .iter()
        .find(|c| fingerprint(c) != fingerprint(cert) && issued_by(cert, c))
    else {
        return Status::Unknown;
    };
    let answers = ocsps
        .iter()
        .filter_map(|o| ocsp_status(o, cert, issuer).ok().map(|(a, _)| a))
        .chain(crls.iter().filter_map(|c| crl_status(c, cert, issuer).ok()));
    let mut best: Option<Answer> = None;
    for a in answers {
        let speaks_for_at =
            a.this_update + CLOCK_SKEW >= at || a.next_update.is_some_and(|n| at <= n);
        if !speaks_for_at || a.this_update > now + CLOCK_SKEW {
            continue;
        }
        let better = match &best {
            None => true,
            Some(b) => {
                a.this_update > b.this_update
                    || (a.this_update == b.this_update && matches!(a.status, Status::Revoked(_)))
            }
        };
        if better {
            best = Some(a);
        }
    }
    best.map_or(Status::Unknown, |a| a.status)
}
