//! Signing keys and their certificates: PEM (PKCS#8, SEC1, PKCS#1) or PKCS#12.

use std::path::Path;

use cms::cert::x509::Certificate;
use der::{Decode, Encode};
use p256::ecdsa::signature::Signer as _;
use p256::pkcs8::DecodePrivateKey;
use sha2::Sha256;
use x509_cert::spki::{AlgorithmIdentifierOwned, EncodePublicKey};

use super::Signer;
use crate::sign::oid::{ID_ECDSA_WITH_SHA256, ID_SHA256_WITH_RSA};

/// A signing key: ECDSA P-256, or RSA (PKCS#1 v1.5); both sign deterministically.
pub(super) enum Key {
    P256(p256::ecdsa::SigningKey),
    Rsa(Box<rsa::pkcs1v15::SigningKey<Sha256>>),
}

impl Key {
    /// From a PKCS#8 DER private key.
    fn from_pkcs8_der(der: &[u8]) -> Option<Key> {
        if let Ok(k) = p256::SecretKey::from_pkcs8_der(der) {
            return Some(Key::P256(k.into()));
        }
        rsa::RsaPrivateKey::from_pkcs8_der(der)
            .ok()
            .map(|k| Key::Rsa(Box::new(rsa::pkcs1v15::SigningKey::new(k))))
    }

    /// From PEM: PKCS#8, SEC1 (EC) or PKCS#1 (RSA).
    fn from_pem(pem: &str) -> Option<Key> {
        use rsa::pkcs1::DecodeRsaPrivateKey;
        if let Ok(k) = p256::SecretKey::from_pkcs8_pem(pem) {
            return Some(Key::P256(k.into()));
        }
        if let Ok(k) = p256::SecretKey::from_sec1_pem(pem) {
            return Some(Key::P256(k.into()));
        }
        rsa::RsaPrivateKey::from_pkcs8_pem(pem)
            .or_else(|_| rsa::RsaPrivateKey::from_pkcs1_pem(pem))
            .ok()
            .map(|k| Key::Rsa(Box::new(rsa::pkcs1v15::SigningKey::new(k))))
    }

    fn public_key_der(&self) -> Result<Vec<u8>, String> {
        let der = match self {
            Key::P256(k) => k.verifying_key().to_public_key_der(),
            Key::Rsa(k) => rsa::RsaPublicKey::from(k.as_ref().as_ref()).to_public_key_der(),
        };
        der.map(|d| d.as_bytes().to_vec())
            .map_err(|e| e.to_string())
    }

    /// The signature over `data` and its algorithm.
    pub(super) fn sign(&self, data: &[u8]) -> (Vec<u8>, AlgorithmIdentifierOwned) {
        match self {
            Key::P256(k) => {
                let s: p256::ecdsa::Signature = k.sign(data);
                (
                    s.to_der().as_bytes().to_vec(),
                    AlgorithmIdentifierOwned {
                        oid: ID_ECDSA_WITH_SHA256,
                        parameters: None,
                    },
                )
            }
            Key::Rsa(k) => {
                use signature::SignatureEncoding;
                let s = k.sign(data);
                (
                    s.to_vec(),
                    AlgorithmIdentifierOwned {
                        oid: ID_SHA256_WITH_RSA,
                        parameters: Some(der::asn1::Null.into()),
                    },
                )
            }
        }
    }
}

impl Signer {
    /// Loads the key (PKCS#8 or SEC1 PEM) and the certificate file (PEM; the signer's
    /// certificate first, then any chain).
    pub fn from_pem_files(key: &Path, cert: &Path) -> Result<Self, String> {
        let read = |p: &Path| {
            std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))
        };
        Self::from_pem(&read(key)?, &read(cert)?)
    }

    pub fn from_pem(key_pem: &str, cert_pem: &str) -> Result<Self, String> {
        let key = Key::from_pem(key_pem).ok_or_else(|| {
            "the signing key is not an ECDSA P-256 or RSA private key in PEM (PKCS#8, SEC1 or \
             PKCS#1; unencrypted)"
                .to_string()
        })?;
        let chain = Certificate::load_pem_chain(cert_pem.as_bytes())
            .map_err(|e| format!("the certificate file is not PEM certificates: {e}"))?;
        Self::new(key, chain)
    }

    /// Loads the key and its certificate chain from a PKCS#12 (.p12 / .pfx) file.
    pub fn from_pkcs12(data: &[u8], password: &str) -> Result<Self, String> {
        let store = p12_keystore::KeyStore::from_pkcs12(data, password)
            .map_err(|e| format!("the PKCS#12 file cannot be opened (wrong password?): {e}"))?;
        let (key, chain) = store
            .entries()
            .find_map(|(_, e)| match e {
                p12_keystore::KeyStoreEntry::PrivateKeyChain(c) => Some((
                    c.key().to_vec(),
                    c.chain()
                        .iter()
                        .map(|c| c.as_der().to_vec())
                        .collect::<Vec<_>>(),
                )),
                _ => None,
            })
            .ok_or("the PKCS#12 file holds no private key with its certificate")?;
        let key =
            Key::from_pkcs8_der(&key).ok_or("the PKCS#12 key is not an ECDSA P-256 or RSA key")?;
        let chain = chain
            .iter()
            .map(|d| Certificate::from_der(d))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("a certificate in the PKCS#12 file cannot be read: {e}"))?;
        Self::new(key, chain)
    }

    fn new(key: Key, mut chain: Vec<Certificate>) -> Result<Self, String> {
        let ours = key.public_key_der()?;
        // The signer's certificate first, whatever order the file has.
        if let Some(i) = chain.iter().position(|c| {
            c.tbs_certificate
                .subject_public_key_info
                .to_der()
                .ok()
                .as_deref()
                == Some(&ours[..])
        }) {
            let own = chain.remove(i);
            chain.insert(0, own);
        }
        let cert = chain
            .first()
            .ok_or("the certificate file holds no certificate")?;
        let theirs = cert
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .map_err(|e| e.to_string())?;
        if ours != theirs {
            return Err("the signing key does not belong to the (first) certificate".into());
        }
        let subject = cert.tbs_certificate.subject.to_string();
        let fingerprint = crate::sign::check::trust::fingerprint(cert);
        let organisation = name_part(&subject, "O")
            .or_else(|| name_part(&subject, "CN"))
            .unwrap_or_else(|| subject.clone());
        Ok(Signer {
            key,
            chain,
            subject,
            organisation,
            seal: None,
            certification: 2,
            fingerprint,
            services: super::Services::default(),
        })
    }
}

/// `X=value` from an RFC 4514 name string.
fn name_part(name: &str, key: &str) -> Option<String> {
    name.split(',')
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case(key))
        .map(|(_, v)| v.trim().to_string())
}
