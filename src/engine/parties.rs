//! Every party signs with a key the service never holds ("hash out, signature in"): the
//! service prepares the revision that fills the party's field and answers the digest to sign
//! with a token; the party's USB key middleware or e-signature platform signs the digest; the
//! service checks that the returned CMS signs exactly that digest with the certificate it
//! carries and puts it in.
//!
//! Stateless: the prepared PDF comes back with the completion, and the token binds it — an
//! HMAC-SHA256 (`COLLABDOCS_SIGNING_TOKEN_SECRET`, the same on every replica) over the field,
//! the prepared file's SHA-256, the digest and an expiry. Nothing is kept between the two
//! calls, so any replica behind a load balancer completes what another prepared; a file that
//! differs from the prepared one by a byte, a token past its time or made with another
//! secret, a CMS over another digest are each refused.

use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::Engine;
use crate::error::{Error, FieldError};
use crate::sign::Level;

/// The most bytes kept for a party's CMS (its certificate chain and a time-stamp token with
/// it): a larger one is refused.
pub const MAX_PARTY_CMS: usize = 64 * 1024;

/// The secret tokens are made with, and how long one is good for.
#[derive(Clone)]
pub struct PartyTokens {
    pub secret: Vec<u8>,
    pub ttl: std::time::Duration,
}

impl std::fmt::Debug for PartyTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PartyTokens")
            .field("ttl", &self.ttl)
            .finish()
    }
}

/// What a party's `prepare` is asked: the PDF and the field, the name the signature
/// carries, and optionally the party's seal (pressed at `seal_mm`) and certificate.
#[derive(Debug, Clone)]
pub struct PartyPrepare {
    pub pdf: Vec<u8>,
    pub field: String,
    pub signer: String,
    pub seal: Option<crate::sign::Seal>,
    /// The seal's real size: its longer side, in millimetres.
    pub seal_mm: f32,
    /// The party's signing certificate, for a raw signature the service makes the CMS of.
    pub certificate: Option<cms::cert::x509::Certificate>,
}

/// The default size of a party's seal: company seals are round, 38–42 mm.
pub const DEFAULT_SEAL_MM: f32 = 40.0;

/// What `prepare` answers.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Prepared {
    /// The field being signed.
    pub field: String,
    /// The SHA-256 digest to sign, in hex: the signed attributes' message digest (a detached
    /// CMS, `ETSI.CAdES.detached`).
    pub digest_sha256: String,
    /// The same digest in base64, as most signing middleware takes it.
    pub digest_base64: String,
    /// With the party's certificate: the CMS signed attributes over that digest (DER of the
    /// SET OF, base64) — what a raw signature is made over (PKCS#1 v1.5 or ECDSA, SHA-256),
    /// for the service to build the CMS at completion.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed_attributes: Option<String>,
    /// SHA-256 of those signed attributes, in hex: the hash a USB key's "sign hash" call takes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed_attributes_sha256: Option<String>,
    /// Sent back with the completion.
    pub token: String,
    /// When the token stops being accepted (RFC 3339, UTC).
    pub expires_at: String,
    /// The prepared PDF (base64), sent back with the completion as it is.
    pub prepared_pdf: String,
}

fn hmac(secret: &[u8], message: &[u8]) -> [u8; 32] {
    let mut key = [0u8; 64];
    if secret.len() > 64 {
        key[..32].copy_from_slice(&Sha256::digest(secret));
    } else {
        key[..secret.len()].copy_from_slice(secret);
    }
    let pad = |b: u8| key.iter().map(|k| k ^ b).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

/// What a token says.
#[derive(serde::Serialize, serde::Deserialize)]
struct Claims {
    field: String,
    pdf_sha256: String,
    digest: String,
    exp: u64,
    /// SHA-256 of the certificate the signed attributes name, when prepare was given one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    certificate: Option<String>,
}

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
}

fn bad(path: &str, message: impl Into<String>) -> Error {
    Error::invalid(vec![FieldError::new(path, message.into())])
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl PartyTokens {
    fn make(&self, claims: &Claims) -> String {
        let body = b64().encode(serde_json::to_vec(claims).expect("claims serialize"));
        let mac = b64().encode(hmac(&self.secret, body.as_bytes()));
        format!("{body}.{mac}")
    }

    fn read(&self, token: &str) -> Result<Claims, Error> {
        let refused = |m: &str| bad("/token", m);
        let (body, mac) = token
            .split_once('.')
            .filter(|_| token.len() <= 4096)
            .ok_or_else(|| refused("is not a token this service made"))?;
        let expected = hmac(&self.secret, body.as_bytes());
        let given = b64().decode(mac).unwrap_or_default();
        // Compared in constant time.
        let same = given.len() == expected.len()
            && given
                .iter()
                .zip(expected)
                .fold(0u8, |d, (a, b)| d | (a ^ b))
                == 0;
        if !same {
            return Err(refused(
                "was not made by this service (or by one with another COLLABDOCS_SIGNING_TOKEN_SECRET)",
            ));
        }
        let claims: Claims = b64()
            .decode(body)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or_else(|| refused("cannot be read"))?;
        if claims.exp < now() {
            return Err(refused("has expired: prepare the signature again"));
        }
        Ok(claims)
    }
}

impl Engine {
    fn party_tokens(&self) -> Result<&PartyTokens, Error> {
        self.party_tokens.as_ref().ok_or_else(|| {
            Error::SigningNotConfigured(
                "signing by the parties needs COLLABDOCS_SIGNING_TOKEN_SECRET (at least 32 bytes, the same on every replica)".into(),
            )
        })
    }

    /// Prepares the signature of a party's field by a key the service does not hold: the
    /// revision that fills it, the digest to sign and the token that binds them; with the
    /// party's certificate, also the signed attributes a raw signature is made over.
    pub fn prepare_party(&self, asked: &PartyPrepare) -> Result<Prepared, Error> {
        if !asked.pdf.starts_with(b"%PDF-") {
            return Err(Error::BadRequest(
                "the body is not a PDF (it does not start with %PDF-)".into(),
            ));
        }
        let tokens = self.party_tokens()?;
        let seal = asked
            .seal
            .as_ref()
            .map(|s| (s, asked.seal_mm * 72.0 / 25.4));
        let appearance: crate::sign::Appearance =
            &move |widget, first| crate::sign::party_appearance(widget, seal, first);
        let at = std::time::SystemTime::now();
        let prepared = crate::sign::prepare_field(
            &asked.pdf,
            &asked.field,
            &crate::sign::FieldSigning {
                name: &asked.signer,
                reason: "各方签署确认",
                date: crate::sign::pdf_date(at),
                appearance,
                room: MAX_PARTY_CMS,
            },
        )
        .map_err(|e| match e {
            crate::sign::SignError::Refused(m) => bad("/field", m),
            other => Error::Internal(other.to_string()),
        })?;
        let signed_attributes = match &asked.certificate {
            Some(cert) => {
                use der::Encode;
                let attrs = crate::sign::signed_attributes(cert, &prepared.digest)
                    .and_then(|a| a.to_der().map_err(|e| e.to_string().into()))
                    .map_err(|e| Error::Internal(e.to_string()))?;
                Some(attrs)
            }
            None => None,
        };
        let exp = now() + tokens.ttl.as_secs();
        let claims = Claims {
            field: asked.field.clone(),
            pdf_sha256: crate::values::hex(&Sha256::digest(&prepared.pdf)),
            digest: crate::values::hex(&prepared.digest),
            exp,
            certificate: asked
                .certificate
                .as_ref()
                .map(|c| crate::values::hex(&crate::sign::trust::fingerprint(c))),
        };
        let standard = base64::engine::general_purpose::STANDARD;
        Ok(Prepared {
            field: asked.field.clone(),
            digest_sha256: claims.digest.clone(),
            digest_base64: standard.encode(prepared.digest),
            signed_attributes_sha256: signed_attributes
                .as_ref()
                .map(|a| crate::values::hex(&Sha256::digest(a))),
            signed_attributes: signed_attributes.map(|a| standard.encode(a)),
            token: tokens.make(&claims),
            expires_at: crate::sign::check::rfc3339(exp),
            prepared_pdf: standard.encode(&prepared.pdf),
        })
    }

    /// Completes a prepared signature: the token checked, the prepared PDF the one it binds,
    /// the CMS a signature over the prepared digest by the certificate it carries; the signed
    /// PDF.
    pub fn complete_party(
        &self,
        token: &str,
        prepared: Vec<u8>,
        signature: PartySignature,
    ) -> Result<Vec<u8>, Error> {
        let claims = self.party_tokens()?.read(token)?;
        if crate::values::hex(&Sha256::digest(&prepared)) != claims.pdf_sha256 {
            return Err(bad(
                "/prepared_pdf",
                "is not the PDF this token was prepared for: send back the prepared PDF exactly as it came",
            ));
        }
        let (contents_at, room, digest) =
            crate::sign::placeholder(&prepared).map_err(|e| bad("/prepared_pdf", e.to_string()))?;
        if crate::values::hex(&digest) != claims.digest {
            return Err(bad("/prepared_pdf", "its digest is not the prepared one"));
        }
        let (cms, path) = match signature {
            PartySignature::Cms(cms) => (cms, "/cms"),
            PartySignature::Raw {
                signature,
                certificates,
            } => (
                raw_cms(&claims, &digest, &signature, &certificates)?,
                "/signature",
            ),
        };
        if cms.len() > room {
            return Err(bad(
                path,
                format!(
                    "is {} bytes; at most {room} are kept for a signature",
                    cms.len()
                ),
            ));
        }
        let cms = cms.as_slice();
        let signer =
            crate::sign::check::check_detached(cms, &digest).map_err(|why| bad(path, why))?;
        // Raised to the level the service signs at: its time-stamp authority stamps the
        // party's signature (B-T), the party's chain and its revocation data go into the
        // document security store (B-LT), a document time-stamp covers it all (B-LTA).
        let services = self
            .signer
            .as_ref()
            .map(|s| s.services.clone())
            .unwrap_or_default();
        let upstream = |e: crate::sign::SignError| match e {
            crate::sign::SignError::Refused(m) => bad(path, m),
            crate::sign::SignError::Upstream(m) => {
                Error::Upstream(format!("the party's signature was not completed: {m}"))
            }
            crate::sign::SignError::Internal(m) => Error::Internal(m),
        };
        let mut cms = cms.to_vec();
        if let Some(tsa) = services
            .tsa
            .as_ref()
            .filter(|_| services.level >= Level::BT)
        {
            cms = crate::sign::with_signature_time_stamp(&cms, tsa).map_err(upstream)?;
            if cms.len() > room {
                return Err(bad(
                    path,
                    format!("with its time-stamp token it is {} bytes; at most {room} are kept for a signature", cms.len()),
                ));
            }
        }
        let chain = if services.level >= Level::BLt {
            crate::sign::check::signer_chain(&cms, &self.trust_anchors)
                .map_err(|why| bad(path, why))?
        } else {
            Vec::new()
        };
        let signed = crate::sign::embed(prepared, contents_at, room, &cms).map_err(upstream)?;
        cms.resize(room, 0);
        let signed = crate::sign::raise(signed, &chain, &cms, &services).map_err(upstream)?;
        tracing::info!(field = %claims.field, signer = %signer, level = services.level.name(), "a party signed");
        Ok(signed)
    }
}

/// A party's signature as `complete` takes it.
#[derive(Debug, Clone)]
pub enum PartySignature {
    /// A detached CMS SignedData over the prepared digest.
    Cms(Vec<u8>),
    /// A raw signature over the prepared signed attributes, and the signer's certificates
    /// (DER, the signer's first, then its issuers): the service builds the CMS.
    Raw {
        signature: Vec<u8>,
        certificates: Vec<Vec<u8>>,
    },
}

/// The most certificates a raw signature's chain may have.
pub const MAX_PARTY_CHAIN: usize = 10;

/// The CMS of a raw signature: the certificates read (at most [`MAX_PARTY_CHAIN`]), the
/// first the one prepare was given, the signature over the signed attributes prepare answered.
fn raw_cms(
    claims: &Claims,
    digest: &[u8],
    signature: &[u8],
    certificates: &[Vec<u8>],
) -> Result<Vec<u8>, Error> {
    use der::Decode;
    let Some(want) = &claims.certificate else {
        return Err(bad(
            "/signature",
            "prepare was not given the party's certificate, so no signed attributes were made to sign: prepare again with the certificate, or send a CMS",
        ));
    };
    if certificates.is_empty() || certificates.len() > MAX_PARTY_CHAIN {
        return Err(bad(
            "/certificates",
            format!(
                "holds {} certificates: the signer's first, then its issuers, at most {MAX_PARTY_CHAIN}",
                certificates.len()
            ),
        ));
    }
    if signature.is_empty() || signature.len() > 1024 {
        return Err(bad(
            "/signature",
            format!("is {} bytes; a signature is 1 to 1024", signature.len()),
        ));
    }
    let chain = certificates
        .iter()
        .enumerate()
        .map(|(i, der)| {
            cms::cert::x509::Certificate::from_der(der)
                .map_err(|_| bad(&format!("/certificates/{i}"), "is not a DER certificate"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if crate::values::hex(&crate::sign::trust::fingerprint(&chain[0])) != *want {
        return Err(bad(
            "/certificates/0",
            "is not the certificate prepare was given: the signed attributes name that one",
        ));
    }
    crate::sign::cms_from_signature(&chain, digest, signature)
        .map_err(|e| bad("/signature", e.to_string()))
}
