//! RFC 3161 time-stamps: asking a time-stamp authority for a token over a digest, and
//! reading a token back (its time, its authority, whether it is intact).

use std::time::Duration;

use cms::cert::x509::Certificate;
use der::asn1::{Int, ObjectIdentifier, OctetString};
use der::{Any, Decode, Encode};
use sha2::{Digest, Sha256};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::Extensions;
use x509_cert::spki::AlgorithmIdentifier;
use x509_tsp::{Accuracy, MessageImprint, TimeStampReq, TimeStampResp, TspVersion};

use super::cms::ID_SHA256;
use super::SignError;

/// `id-ct-TSTInfo`: the content type of a time-stamp token.
const ID_CT_TST_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
/// `id-aa-signatureTimeStampToken`: the unsigned attribute holding a signature time-stamp.
pub(super) const ID_AA_SIGNATURE_TIME_STAMP: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");

/// A time-stamp authority (`COLLABDOCS_TSA_URL`).
#[derive(Debug, Clone)]
pub struct Tsa {
    pub url: String,
    /// Basic-auth credentials (`COLLABDOCS_TSA_USERNAME`, `COLLABDOCS_TSA_PASSWORD`).
    pub auth: Option<(String, String)>,
    pub timeout: Duration,
}

/// A time-stamp token as read.
pub(super) struct Token {
    /// When the authority says the digest existed, in seconds since 1970.
    pub time: u64,
    /// The digest the token is over.
    pub imprint: Vec<u8>,
    /// The authority's certificate and every certificate the token carries.
    pub cert: Option<Certificate>,
    pub pool: Vec<Certificate>,
    /// `Ok(tsa subject)`, or why the token's own signature does not hold.
    pub intact: Result<String, String>,
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

/// `TSTInfo` (RFC 3161 §2.4.2) read with its time as it comes: authorities write fractions
/// of a second, which the DER `GeneralizedTime` type refuses.
#[derive(Clone, Debug, Eq, PartialEq, der::Sequence)]
struct TstInfo {
    version: TspVersion,
    policy: ObjectIdentifier,
    message_imprint: MessageImprint,
    serial_number: Int,
    gen_time: Any,
    #[asn1(optional = "true")]
    accuracy: Option<Accuracy>,
    #[asn1(default = "Default::default")]
    ordering: bool,
    #[asn1(optional = "true")]
    nonce: Option<Int>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    tsa: Option<GeneralName>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    extensions: Option<Extensions>,
}

fn tst_info(token: &[u8]) -> Result<TstInfo, String> {
    let sd = super::check::signed_data(token)?;
    if sd.encap_content_info.econtent_type != ID_CT_TST_INFO {
        return Err("the token's content is not a TSTInfo".into());
    }
    let content = sd
        .encap_content_info
        .econtent
        .as_ref()
        .ok_or("the token has no content")?
        .decode_as::<OctetString>()
        .map_err(|e| format!("the token's content cannot be read: {e}"))?;
    TstInfo::from_der(content.as_bytes()).map_err(|e| format!("the TSTInfo cannot be read: {e}"))
}

/// Reads a time-stamp token (a ContentInfo, zero padding after it allowed).
pub(super) fn read_token(der: &[u8]) -> Result<Token, String> {
    let sd = super::check::signed_data(der)?;
    let info = tst_info(der)?;
    let content = sd
        .encap_content_info
        .econtent
        .as_ref()
        .and_then(|c| c.decode_as::<OctetString>().ok())
        .ok_or("the token has no content")?;
    let digest = Sha256::digest(content.as_bytes());
    let (outcome, facts) = super::check::check_signer(&sd, &digest);
    let (cert, pool) = match facts {
        Some(f) => (Some(f.cert), f.pool),
        None => (None, Vec::new()),
    };
    if info.message_imprint.hash_algorithm.oid != ID_SHA256 {
        return Err("the token's imprint is not SHA-256".into());
    }
    Ok(Token {
        time: super::trust::generalized_time(&info.gen_time)
            .ok_or("the token's time cannot be read")?,
        imprint: info.message_imprint.hashed_message.as_bytes().to_vec(),
        cert,
        pool,
        intact: outcome.map_err(|(_, why)| why),
    })
}

/// The signature time-stamp token among a signer's unsigned attributes, as DER.
pub(super) fn signature_token(unsigned: &[x509_cert::attr::Attribute]) -> Option<Vec<u8>> {
    unsigned
        .iter()
        .find(|a| a.oid == ID_AA_SIGNATURE_TIME_STAMP)
        .and_then(|a| a.values.iter().next())
        .and_then(|v: &Any| v.to_der().ok())
}
