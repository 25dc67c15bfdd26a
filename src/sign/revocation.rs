//! Revocation data: fetched at signing (OCSP from a certificate's authority information
//! access, else the CRL from its distribution point) for the document security store, and
//! read back at verification to say whether a certificate was good, revoked or unknown.

use std::time::Duration;

use cms::cert::x509::Certificate;
use der::asn1::{ObjectIdentifier, OctetString};
use der::oid::AssociatedOid;
use der::{Decode, Encode};
use sha2::Digest;
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{AuthorityInfoAccessSyntax, CrlDistributionPoints};
use x509_cert::ext::Extensions;
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_ocsp::{
    CertId, OcspRequest, OcspResponse, OcspResponseStatus, Request, ResponderId, TbsRequest,
    Version,
};

use super::trust::{fingerprint, issued_by};
use super::SignError;

const ID_AD_OCSP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1");
const ID_PKIX_OCSP_BASIC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.1");
const ID_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const ID_SHA256: ObjectIdentifier = super::cms::ID_SHA256;

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

/// What goes into a document security store: certificates, OCSP responses and CRLs (DER).
#[derive(Debug, Default, Clone)]
pub struct ValidationData {
    pub certs: Vec<Vec<u8>>,
    pub ocsps: Vec<Vec<u8>>,
    pub crls: Vec<Vec<u8>>,
}

impl ValidationData {
    fn add_cert(&mut self, cert: &Certificate) -> Result<(), SignError> {
        let der = cert
            .to_der()
            .map_err(|e| SignError::Internal(e.to_string()))?;
        if !self.certs.contains(&der) {
            self.certs.push(der);
        }
        Ok(())
    }

    /// Every certificate of `chains` with the revocation data of each one that is not
    /// self-issued, fetched now. A revoked certificate, or one whose status cannot be had,
    /// is an error: a long-term signature must not be built on it.
    pub fn fetch(chains: &[Certificate], timeout: Duration) -> Result<Self, SignError> {
        let mut data = ValidationData::default();
        let mut crl_urls: Vec<String> = Vec::new();
        for cert in chains {
            data.add_cert(cert)?;
        }
        for cert in chains {
            let subject = cert.tbs_certificate.subject.to_string();
            if cert.tbs_certificate.issuer == cert.tbs_certificate.subject {
                continue;
            }
            let issuer = chains
                .iter()
                .find(|c| fingerprint(c) != fingerprint(cert) && issued_by(cert, c))
                .ok_or_else(|| {
                    SignError::Upstream(format!(
                        "the issuer of {subject} is not known, so its revocation status cannot be asked (give it in COLLABDOCS_SIGNING_CHAIN)"
                    ))
                })?;
            let urls = Urls::of(cert);
            let mut why = Vec::new();
            let mut done = false;
            for url in &urls.ocsp {
                match ask_ocsp(url, cert, issuer, timeout) {
                    Ok((der, Status::Good, responders)) => {
                        data.ocsps.push(der);
                        for r in &responders {
                            data.add_cert(r)?;
                        }
                        done = true;
                        break;
                    }
                    Ok((_, Status::Revoked(at), _)) => return Err(revoked(&subject, at, url)),
                    Ok((_, Status::Unknown, _)) => why.push(format!("{url}: status unknown")),
                    Err(e) => why.push(e),
                }
            }
            for url in urls.crl.iter().filter(|_| !done) {
                let crl = match super::net::fetch(&get(url, "application/pkix-crl", timeout)) {
                    Ok(crl) => crl,
                    Err(e) => {
                        why.push(e);
                        continue;
                    }
                };
                match crl_status(&crl, cert, issuer).map(|a| a.status) {
                    Ok(Status::Revoked(at)) => return Err(revoked(&subject, at, url)),
                    Ok(_) => {
                        if !crl_urls.contains(url) {
                            crl_urls.push(url.clone());
                            data.crls.push(crl);
                        }
                        done = true;
                        break;
                    }
                    Err(e) => why.push(format!("{url}: {e}")),
                }
            }
            if !done {
                return Err(SignError::Upstream(if why.is_empty() {
                    format!("{subject} names no OCSP responder and no CRL, so its revocation status cannot be embedded")
                } else {
                    format!(
                        "the revocation status of {subject} could not be had: {}",
                        why.join("; ")
                    )
                }));
            }
        }
        Ok(data)
    }
}

fn revoked(subject: &str, at: u64, url: &str) -> SignError {
    SignError::Upstream(format!(
        "{subject} is revoked since {} (according to {url}); nothing is signed with it",
        super::trust::rfc3339(at)
    ))
}

fn get<'a>(url: &'a str, accept: &'a str, timeout: Duration) -> super::net::Request<'a> {
    super::net::Request {
        url,
        post: None,
        accept,
        auth: None,
        timeout,
    }
}

/// The OCSP responders and CRL distribution points a certificate names (HTTP URIs).
struct Urls {
    ocsp: Vec<String>,
    crl: Vec<String>,
}

impl Urls {
    fn of(cert: &Certificate) -> Urls {
        let mut urls = Urls {
            ocsp: Vec::new(),
            crl: Vec::new(),
        };
        let uri = |n: &GeneralName| match n {
            GeneralName::UniformResourceIdentifier(u) => Some(u.to_string()),
            _ => None,
        };
        for ext in cert.tbs_certificate.extensions.iter().flatten() {
            if ext.extn_id == AuthorityInfoAccessSyntax::OID {
                if let Ok(aia) = AuthorityInfoAccessSyntax::from_der(ext.extn_value.as_bytes()) {
                    urls.ocsp.extend(
                        aia.0
                            .iter()
                            .filter(|a| a.access_method == ID_AD_OCSP)
                            .filter_map(|a| uri(&a.access_location)),
                    );
                }
            } else if ext.extn_id == CrlDistributionPoints::OID {
                if let Ok(dps) = CrlDistributionPoints::from_der(ext.extn_value.as_bytes()) {
                    for DistributionPoint {
                        distribution_point, ..
                    } in &dps.0
                    {
                        if let Some(DistributionPointName::FullName(names)) = distribution_point {
                            urls.crl.extend(names.iter().filter_map(uri));
                        }
                    }
                }
            }
        }
        urls
    }
}

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

/// The OCSP `CertID` of `cert` (issued by `issuer`) with SHA-1, as responders expect.
fn cert_id(cert: &Certificate, issuer: &Certificate) -> Result<CertId, der::Error> {
    let name = issuer.tbs_certificate.subject.to_der()?;
    let key = issuer
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .raw_bytes();
    Ok(CertId {
        hash_algorithm: AlgorithmIdentifierOwned {
            oid: ID_SHA1,
            parameters: Some(der::asn1::Null.into()),
        },
        issuer_name_hash: OctetString::new(sha1::Sha1::digest(&name).to_vec())?,
        issuer_key_hash: OctetString::new(sha1::Sha1::digest(key).to_vec())?,
        serial_number: cert.tbs_certificate.serial_number.clone(),
    })
}

/// Asks the responder at `url` about `cert`: the response (DER), the status it gives, and
/// the responder certificates it carries.
fn ask_ocsp(
    url: &str,
    cert: &Certificate,
    issuer: &Certificate,
    timeout: Duration,
) -> Result<(Vec<u8>, Status, Vec<Certificate>), String> {
    let request = OcspRequest {
        tbs_request: TbsRequest {
            request_list: vec![Request {
                req_cert: cert_id(cert, issuer).map_err(|e| e.to_string())?,
                single_request_extensions: None,
            }],
            ..Default::default()
        },
        optional_signature: None,
    }
    .to_der()
    .map_err(|e| e.to_string())?;
    let answer = super::net::fetch(&super::net::Request {
        url,
        post: Some(("application/ocsp-request", &request)),
        accept: "application/ocsp-response",
        auth: None,
        timeout,
    })?;
    let (a, responders) = ocsp_status(&answer, cert, issuer).map_err(|e| format!("{url}: {e}"))?;
    Ok((answer, a.status, responders))
}

/// What an OCSP response (DER) says about `cert`, its signature checked against the issuer
/// or a responder certificate the issuer delegated to (certified for OCSP signing); with
/// the responder certificates.
pub(super) fn ocsp_status(
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
pub(super) fn crl_status(
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
pub(super) fn embedded_status(
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
