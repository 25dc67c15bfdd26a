//! The object identifiers signing and checking both name: content types, attributes,
//! algorithms, extended key usages, OCSP and time-stamp structures.

use der::asn1::ObjectIdentifier;

macro_rules! oids {
    ($( $(#[doc = $d:literal])* $name:ident = $oid:literal; )+) => {
        $( $(#[doc = $d])* pub(super) const $name: ObjectIdentifier = ObjectIdentifier::new_unwrap($oid); )+
    };
}

oids! {
    ID_DATA = "1.2.840.113549.1.7.1";
    ID_SIGNED_DATA = "1.2.840.113549.1.7.2";
    ID_CONTENT_TYPE = "1.2.840.113549.1.9.3";
    ID_MESSAGE_DIGEST = "1.2.840.113549.1.9.4";
    /// `id-aa-signingCertificate` (RFC 2634): the first version, naming a certificate by SHA-1.
    ID_SIGNING_CERTIFICATE = "1.2.840.113549.1.9.16.2.12";
    ID_SIGNING_CERTIFICATE_V2 = "1.2.840.113549.1.9.16.2.47";
    /// `id-aa-signatureTimeStampToken`: the unsigned attribute holding a signature time-stamp.
    ID_AA_SIGNATURE_TIME_STAMP = "1.2.840.113549.1.9.16.2.14";
    /// `id-ct-TSTInfo`: the content type of a time-stamp token.
    ID_CT_TST_INFO = "1.2.840.113549.1.9.16.1.4";
    ID_SHA1 = "1.3.14.3.2.26";
    ID_SHA256 = "2.16.840.1.101.3.4.2.1";
    ID_SHA384 = "2.16.840.1.101.3.4.2.2";
    ID_SHA512 = "2.16.840.1.101.3.4.2.3";
    ID_ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
    ID_EC_PUBLIC_KEY = "1.2.840.10045.2.1";
    ID_RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
    ID_SHA256_WITH_RSA = "1.2.840.113549.1.1.11";
    ID_KP_TIME_STAMPING = "1.3.6.1.5.5.7.3.8";
    ID_KP_OCSP_SIGNING = "1.3.6.1.5.5.7.3.9";
    ID_AD_OCSP = "1.3.6.1.5.5.7.48.1";
    ID_PKIX_OCSP_BASIC = "1.3.6.1.5.5.7.48.1.1";
}
