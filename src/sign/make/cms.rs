//! The CMS SignedData of a PAdES signature: detached, SHA-256, with the content type, the
//! message digest and signing-certificate-v2 as signed attributes.

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
    ID_CONTENT_TYPE, ID_DATA, ID_MESSAGE_DIGEST, ID_SHA256, ID_SIGNED_DATA,
    ID_SIGNING_CERTIFICATE_V2,
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

impl Signer {
    /// A detached CMS SignedData over content with this digest, with the PAdES signed
    /// attributes and, with a time-stamp authority, a signature time-stamp token.
    pub(super) fn cms(
        &self,
        content_digest: &[u8],
        tsa: Option<&Tsa>,
    ) -> Result<Vec<u8>, SignError> {
        let e = |e: der::Error| SignError::Internal(format!("CMS: {e}"));
        let cert = &self.chain[0];
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
            unsigned_attrs: match tsa {
                Some(tsa) => Some(time_stamp_attribute(tsa, &signature)?),
                None => None,
            },
            signature: OctetString::new(signature).map_err(e)?,
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
}
