//! The CMS SignedData of a PAdES signature: detached, SHA-256, with the content type, the
//! message digest and signing-certificate-v2 as signed attributes.

use cms::cert::x509::Certificate;
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{ObjectIdentifier, OctetString, SetOfVec};
use der::{Any, Decode, Encode};
use sha2::{Digest, Sha256};
use x509_cert::attr::Attribute;
use x509_cert::spki::AlgorithmIdentifierOwned;

use super::{SignError, Signer, Tsa};
use crate::sign::oid::{
    ID_CONTENT_TYPE, ID_DATA, ID_ECDSA_WITH_SHA256, ID_EC_PUBLIC_KEY, ID_MESSAGE_DIGEST,
    ID_RSA_ENCRYPTION, ID_SHA256, ID_SHA256_WITH_RSA, ID_SIGNED_DATA, ID_SIGNING_CERTIFICATE_V2,
};

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

/// The unsigned attributes holding a signature time-stamp token over `signature`.
fn time_stamp_attribute(tsa: &Tsa, signature: &[u8]) -> Result<SetOfVec<Attribute>, SignError> {
    let e = |e: der::Error| SignError::Internal(format!("CMS: {e}"));
    let token = tsa.stamp(&Sha256::digest(signature))?;
    SetOfVec::try_from(vec![Attribute {
        oid: crate::sign::oid::ID_AA_SIGNATURE_TIME_STAMP,
        values: SetOfVec::try_from(vec![Any::from_der(&token).map_err(e)?]).map_err(e)?,
    }])
    .map_err(e)
}

/// A party's detached CMS with a signature time-stamp token over its signature value added
/// as an unsigned attribute (PAdES B-T); the signed part stays byte for byte as the party
/// made it. A CMS that carries a signature time-stamp already is returned as it is.
pub fn with_signature_time_stamp(cms: &[u8], tsa: &Tsa) -> Result<Vec<u8>, SignError> {
    let e = |e: der::Error| SignError::Internal(format!("CMS: {e}"));
    let mut sd = crate::sign::check::signer::signed_data(cms)?;
    let mut infos: Vec<SignerInfo> = sd.signer_infos.0.iter().cloned().collect();
    let Some(si) = infos.first_mut() else {
        return Err(SignError::Refused("the CMS has no signer".into()));
    };
    let mut unsigned: Vec<Attribute> = si
        .unsigned_attrs
        .as_ref()
        .map(|a| a.iter().cloned().collect())
        .unwrap_or_default();
    if unsigned
        .iter()
        .any(|a| a.oid == crate::sign::oid::ID_AA_SIGNATURE_TIME_STAMP)
    {
        return Ok(cms.to_vec());
    }
    unsigned.extend(time_stamp_attribute(tsa, si.signature.as_bytes())?.into_vec());
    si.unsigned_attrs = Some(SetOfVec::try_from(unsigned).map_err(e)?);
    sd.signer_infos = SignerInfos(SetOfVec::try_from(infos).map_err(e)?);
    ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: Any::encode_from(&sd).map_err(e)?,
    }
    .to_der()
    .map_err(e)
}

/// The signed attributes of a PAdES signature by `cert` over content with this digest: the
/// content type, the message digest and signing-certificate-v2 naming `cert` — what a signer
/// signs (their DER, a SET OF).
pub fn signed_attributes(
    cert: &Certificate,
    content_digest: &[u8],
) -> Result<SetOfVec<Attribute>, SignError> {
    let e = |e: der::Error| SignError::Internal(format!("CMS: {e}"));
    let cert_der = cert.to_der().map_err(e)?;
    let signing_cert = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            cert_hash: OctetString::new(Sha256::digest(&cert_der).to_vec()).map_err(e)?,
        }],
    };
    let attr = |oid: ObjectIdentifier, value: Any| -> Result<Attribute, SignError> {
        Ok(Attribute {
            oid,
            values: SetOfVec::try_from(vec![value]).map_err(e)?,
        })
    };
    SetOfVec::try_from(vec![
        attr(ID_CONTENT_TYPE, Any::encode_from(&ID_DATA).map_err(e)?)?,
        attr(
            ID_MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new(content_digest.to_vec()).map_err(e)?).map_err(e)?,
        )?,
        attr(
            ID_SIGNING_CERTIFICATE_V2,
            Any::encode_from(&signing_cert).map_err(e)?,
        )?,
    ])
    .map_err(e)
}

/// The detached CMS SignedData of one signer (the first of `chain`), its signed attributes,
/// the signature over them and, optionally, its unsigned attributes.
fn assemble(
    chain: &[Certificate],
    signed_attrs: SetOfVec<Attribute>,
    signature: Vec<u8>,
    signature_algorithm: AlgorithmIdentifierOwned,
    unsigned_attrs: Option<SetOfVec<Attribute>>,
) -> Result<Vec<u8>, SignError> {
    let e = |e: der::Error| SignError::Internal(format!("CMS: {e}"));
    let cert = chain.first().ok_or("CMS: no signing certificate")?;
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
        unsigned_attrs,
        signature: OctetString::new(signature).map_err(e)?,
    };
    let certificates = CertificateSet(
        SetOfVec::try_from(
            chain
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

/// The detached CMS a party's raw signature makes: `signature` over the DER of
/// [`signed_attributes`]`(chain[0], content_digest)` — PKCS#1 v1.5 with SHA-256 for an RSA
/// key, ECDSA with SHA-256 for a P-256 key (DER, or the bare 64 bytes r‖s a USB key gives) —
/// with `chain` as the certificates it carries. Whether the signature verifies is checked
/// afterwards, as for any party's CMS.
pub fn cms_from_signature(
    chain: &[Certificate],
    content_digest: &[u8],
    signature: &[u8],
) -> Result<Vec<u8>, SignError> {
    let refused = |m: &str| SignError::Refused(m.to_string());
    let cert = chain.first().ok_or_else(|| refused("no certificate"))?;
    let key_algorithm = cert.tbs_certificate.subject_public_key_info.algorithm.oid;
    let (signature, algorithm) = if key_algorithm == ID_EC_PUBLIC_KEY {
        let der = match signature.len() {
            64 => p256::ecdsa::Signature::from_slice(signature)
                .map_err(|_| refused("the 64 bytes are not an ECDSA P-256 signature r‖s"))?
                .to_der()
                .as_bytes()
                .to_vec(),
            _ => signature.to_vec(),
        };
        (
            der,
            AlgorithmIdentifierOwned {
                oid: ID_ECDSA_WITH_SHA256,
                parameters: None,
            },
        )
    } else if key_algorithm == ID_RSA_ENCRYPTION {
        (
            signature.to_vec(),
            AlgorithmIdentifierOwned {
                oid: ID_SHA256_WITH_RSA,
                parameters: Some(der::asn1::Null.into()),
            },
        )
    } else {
        return Err(refused(
            "the certificate's key is neither RSA nor ECDSA P-256, the keys signatures are built for here",
        ));
    };
    assemble(
        chain,
        signed_attributes(cert, content_digest)?,
        signature,
        algorithm,
        None,
    )
}

impl Signer {
    /// A detached CMS SignedData over content with this digest, with the PAdES signed
    /// attributes and, with a time-stamp authority, a signature time-stamp token.
    pub(super) fn cms(
        &self,
        content_digest: &[u8],
        tsa: Option<&Tsa>,
    ) -> Result<Vec<u8>, SignError> {
        let e = |e: der::Error| SignError::Internal(format!("CMS: {e}"));
        let signed_attrs = signed_attributes(&self.chain[0], content_digest)?;
        let to_sign = signed_attrs.to_der().map_err(e)?;
        let (signature, signature_algorithm) = self.key.sign(&to_sign);
        let unsigned = match tsa {
            Some(tsa) => Some(time_stamp_attribute(tsa, &signature)?),
            None => None,
        };
        assemble(
            &self.chain,
            signed_attrs,
            signature,
            signature_algorithm,
            unsigned,
        )
    }
}
