//! RFC 3161 time-stamps: asking a time-stamp authority for a token over a digest, checked
//! before it is used.

use std::time::Duration;

use der::asn1::{Int, OctetString};
use der::{Decode, Encode};
use x509_cert::spki::AlgorithmIdentifier;
use x509_tsp::{MessageImprint, TimeStampReq, TimeStampResp, TspVersion};

use super::SignError;
use crate::sign::check::token::{read_token, tst_info};
use crate::sign::oid::ID_SHA256;

/// A time-stamp authority (`COLLABDOCS_TSA_URL`).
#[derive(Debug, Clone)]
pub struct Tsa {
    pub url: String,
    /// Basic-auth credentials (`COLLABDOCS_TSA_USERNAME`, `COLLABDOCS_TSA_PASSWORD`).
    pub auth: Option<(String, String)>,
    pub timeout: Duration,
}

impl Tsa {
    /// A token over `digest` (SHA-256), checked: granted, over that digest, with our nonce,
    /// signed intact by the certificate it carries.
    pub(super) fn stamp(&self, digest: &[u8]) -> Result<Vec<u8>, SignError> {
        let fail = |why: String| {
            SignError::Upstream(format!("the time-stamp authority {}: {why}", self.url))
        };
        let mut nonce = [0u8; 8];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut nonce);
        nonce[0] &= 0x7f;
        nonce[0] |= 0x01;
        let nonce = Int::new(&nonce).map_err(|e| SignError::Internal(e.to_string()))?;
        let request = TimeStampReq {
            version: TspVersion::V1,
            message_imprint: MessageImprint {
                hash_algorithm: AlgorithmIdentifier {
                    oid: ID_SHA256,
                    parameters: None,
                },
                hashed_message: OctetString::new(digest.to_vec())
                    .map_err(|e| SignError::Internal(e.to_string()))?,
            },
            req_policy: None,
            nonce: Some(nonce.clone()),
            cert_req: true,
            extensions: None,
        }
        .to_der()
        .map_err(|e| SignError::Internal(e.to_string()))?;
        let answer = super::net::fetch(&super::net::Request {
            url: &self.url,
            post: Some(("application/timestamp-query", &request)),
            accept: "application/timestamp-reply",
            auth: self.auth.as_ref().map(|(u, p)| (u.as_str(), p.as_str())),
            timeout: self.timeout,
        })
        .map_err(|e| {
            SignError::Upstream(format!(
                "the time-stamp authority could not be reached: {e}"
            ))
        })?;
        let response = TimeStampResp::from_der(&answer)
            .map_err(|e| fail(format!("the answer is not a time-stamp response ({e})")))?;
        use cmpv2::status::PkiStatus;
        if !matches!(
            response.status.status,
            PkiStatus::Accepted | PkiStatus::GrantedWithMods
        ) {
            return Err(fail(format!(
                "the request was refused ({:?})",
                response.status.status
            )));
        }
        let token = response
            .time_stamp_token
            .ok_or_else(|| fail("the answer holds no token".into()))?
            .to_der()
            .map_err(|e| SignError::Internal(e.to_string()))?;
        let read = read_token(&token).map_err(fail)?;
        if read.imprint != digest {
            return Err(fail("the token is over another digest".into()));
        }
        if tst_info(&token).map(|t| t.nonce) != Ok(Some(nonce)) {
            return Err(fail("the token does not carry our nonce".into()));
        }
        read.intact
            .map_err(|why| fail(format!("the token is not intact: {why}")))?;
        Ok(token)
    }
}
