//! Time-stamp tokens (RFC 3161) read back: their time, their authority, whether they are
//! intact, and the signature time-stamp among a signer's unsigned attributes.

use cms::cert::x509::Certificate;
use der::asn1::{Int, ObjectIdentifier, OctetString};
use der::{Any, Decode, Encode};
use sha2::{Digest, Sha256};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::Extensions;
use x509_tsp::{Accuracy, MessageImprint, TspVersion};

use crate::sign::oid::{ID_AA_SIGNATURE_TIME_STAMP, ID_CT_TST_INFO, ID_SHA256};

/// A time-stamp token as read.
pub(in crate::sign) struct Token {
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

/// `TSTInfo` (RFC 3161 §2.4.2) read with its time as it comes: authorities write fractions
/// of a second, which the DER `GeneralizedTime` type refuses.
#[derive(Clone, Debug, Eq, PartialEq, der::Sequence)]
pub(in crate::sign) struct TstInfo {
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
    pub(in crate::sign) nonce: Option<Int>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    tsa: Option<GeneralName>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    extensions: Option<Extensions>,
}

pub(in crate::sign) fn tst_info(token: &[u8]) -> Result<TstInfo, String> {
    let sd = super::signer::signed_data(token)?;
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
pub(in crate::sign) fn read_token(der: &[u8]) -> Result<Token, String> {
    let sd = super::signer::signed_data(der)?;
    let info = tst_info(der)?;
    let content = sd
        .encap_content_info
        .econtent
        .as_ref()
        .and_then(|c| c.decode_as::<OctetString>().ok())
        .ok_or("the token has no content")?;
    let digest = Sha256::digest(content.as_bytes());
    let (outcome, facts) = super::signer::check_signer(&sd, &digest);
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
pub(in crate::sign) fn signature_token(unsigned: &[x509_cert::attr::Attribute]) -> Option<Vec<u8>> {
    unsigned
        .iter()
        .find(|a| a.oid == ID_AA_SIGNATURE_TIME_STAMP)
        .and_then(|a| a.values.iter().next())
        .and_then(|v: &Any| v.to_der().ok())
}
