//! Making a signature: the service's signing identity (its key, certificate and chain, the
//! level it signs at and the services that level needs), the CMS SignedData, the time-stamp
//! request, the revocation data fetched for the document security store, and the
//! incremental updates that write them into a PDF. What is fetched is checked with
//! [`crate::sign::check`] before it is used.

use ::cms::cert::x509::Certificate;

mod cms;
mod contents;
mod deferred;
mod dev_cert;
mod dss;
mod fields;
mod keys;
mod net;
mod revocation;
mod seal;
mod tsa;
mod update;

pub use cms::{cms_from_signature, signed_attributes, with_signature_time_stamp};
pub use contents::{embed, placeholder, PreparedField};
pub use deferred::{
    party_appearance, prepare_field, signature_fields, Appearance, FieldSigning, Widget,
};
pub use dev_cert::dev_cert;
pub use dss::raise;
pub use fields::{add_signature_fields, FieldSpot, LARGEST_SEAL};
pub use seal::Seal;
pub use tsa::Tsa;
pub use update::pdf_date;

use keys::Key;

/// The service's signing identity: an ECDSA P-256 key and its certificate (plus any chain).
pub struct Signer {
    key: Key,
    chain: Vec<Certificate>,
    /// The certificate's subject, as `CN=…,O=…`.
    pub subject: String,
    /// The organisation the certificate names (O, else CN): printed in the signature area.
    pub organisation: String,
    /// The seal drawn in the signature widget (`COLLABDOCS_SEAL_IMAGE`), if any.
    pub seal: Option<Seal>,
    /// The DocMDP permissions the service's signature certifies the document with: 2 (the
    /// default) lets the parties fill in and sign their fields afterwards; 1 allows nothing
    /// but validation data and time-stamps.
    pub certification: u8,
    /// SHA-256 of the signing certificate, computed once.
    fingerprint: [u8; 32],
    /// The level signed at, and the services it needs.
    pub services: Services,
}

/// A PAdES baseline level (ETSI EN 319 142-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Level {
    /// The signature alone; its time is the server's claim.
    #[value(name = "b-b")]
    BB,
    /// With a signature time-stamp from a time-stamp authority.
    #[value(name = "b-t")]
    BT,
    /// B-T with the chains' certificates and revocation data in a document security store.
    #[value(name = "b-lt")]
    BLt,
    /// B-LT with a document time-stamp over it.
    #[value(name = "b-lta")]
    BLta,
}

impl Level {
    /// As ETSI writes it: `B-B`, `B-T`, `B-LT`, `B-LTA`.
    pub fn name(self) -> &'static str {
        match self {
            Level::BB => "B-B",
            Level::BT => "B-T",
            Level::BLt => "B-LT",
            Level::BLta => "B-LTA",
        }
    }
}

/// What signing at a level beyond B-B needs.
#[derive(Debug, Clone)]
pub struct Services {
    pub level: Level,
    /// The time-stamp authority (B-T and up).
    pub tsa: Option<Tsa>,
    /// How long to wait for an OCSP responder or a CRL (B-LT and up).
    pub revocation_timeout: std::time::Duration,
}

impl Default for Services {
    fn default() -> Self {
        Services {
            level: Level::BB,
            tsa: None,
            revocation_timeout: std::time::Duration::from_secs(10),
        }
    }
}

/// Why a document could not be signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignError {
    /// A service signing depends on — the time-stamp authority, an OCSP responder, a CRL
    /// distribution point — failed or refused (or says the certificate is revoked).
    Upstream(String),
    /// A fault in the service.
    Internal(String),
    /// What was asked cannot be done to this document: a field it does not have, a field
    /// signed already, a signature over other bytes.
    Refused(String),
}

impl From<String> for SignError {
    fn from(e: String) -> Self {
        SignError::Internal(e)
    }
}

impl From<&str> for SignError {
    fn from(e: &str) -> Self {
        SignError::Internal(e.to_string())
    }
}

impl std::fmt::Display for SignError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignError::Upstream(e) | SignError::Internal(e) | SignError::Refused(e) => {
                f.write_str(e)
            }
        }
    }
}

/// SHA-256 of the first certificate in a PEM file.
pub fn certificate_sha256_pem(pem: &[u8]) -> Result<[u8; 32], String> {
    let chain = Certificate::load_pem_chain(pem)
        .map_err(|e| format!("the certificate file is not PEM certificates: {e}"))?;
    let first = chain
        .first()
        .ok_or("the certificate file holds no certificate")?;
    Ok(crate::sign::check::trust::fingerprint(first))
}

impl Signer {
    /// A detached CMS over a content digest, as a party's USB key middleware makes one: for
    /// a party signing with a key of this kind (and for tests that play that party).
    pub fn detached_cms(&self, digest: &[u8]) -> Result<Vec<u8>, SignError> {
        self.cms(digest, None)
    }

    /// Appends `chain` (the issuers of the signing certificate) to the certificates the
    /// signature carries, leaving out any it has.
    pub fn with_chain(mut self, chain: Vec<Certificate>) -> Self {
        for c in chain {
            let print = crate::sign::check::trust::fingerprint(&c);
            if !self
                .chain
                .iter()
                .any(|have| crate::sign::check::trust::fingerprint(have) == print)
            {
                self.chain.push(c);
            }
        }
        self
    }

    /// Sets the level and its services. Refuses a level the configuration cannot give,
    /// naming what is missing.
    pub fn with_services(mut self, services: Services) -> Result<Self, String> {
        let level = services.level;
        if level >= Level::BT && services.tsa.is_none() {
            return Err(format!(
                "COLLABDOCS_SIGNATURE_LEVEL={} needs a time-stamp authority: set COLLABDOCS_TSA_URL",
                level.name().to_lowercase()
            ));
        }
        if level >= Level::BLt && !self.has_issuer() {
            return Err(format!(
                "COLLABDOCS_SIGNATURE_LEVEL={} needs the issuer of the signing certificate ({}) to fetch its revocation data: give the chain in COLLABDOCS_SIGNING_CHAIN",
                level.name().to_lowercase(),
                self.chain[0].tbs_certificate.issuer
            ));
        }
        self.services = services;
        Ok(self)
    }

    /// The highest level a configuration allows: B-LTA with a TSA and the signing
    /// certificate's issuer at hand, B-T with a TSA alone, else B-B.
    pub fn highest_level(&self, tsa: bool) -> Level {
        match (tsa, self.has_issuer()) {
            (false, _) => Level::BB,
            (true, false) => Level::BT,
            (true, true) => Level::BLta,
        }
    }

    /// The signing certificate's issuer is among the certificates at hand.
    fn has_issuer(&self) -> bool {
        let cert = &self.chain[0];
        self.chain[1..]
            .iter()
            .any(|c| crate::sign::check::trust::issued_by(cert, c))
    }

    /// SHA-256 of the signing certificate (DER).
    pub fn certificate_sha256(&self) -> [u8; 32] {
        self.fingerprint
    }
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}
