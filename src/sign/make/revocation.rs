//! Revocation data fetched at signing for the document security store: an OCSP response from
//! each certificate's authority information access, else the CRL from its distribution point,
//! each checked before it is kept.

use std::time::Duration;

use cms::cert::x509::Certificate;
use der::asn1::OctetString;
use der::oid::AssociatedOid;
use der::{Decode, Encode};
use sha2::Digest;
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{AuthorityInfoAccessSyntax, CrlDistributionPoints};
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_ocsp::{CertId, OcspRequest, Request, TbsRequest};

use super::SignError;
use crate::sign::check::revocation::{crl_status, ocsp_status, Status};
use crate::sign::check::trust::{fingerprint, issued_by};
use crate::sign::oid::{ID_AD_OCSP, ID_SHA1};

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
        crate::sign::check::trust::rfc3339(at)
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
