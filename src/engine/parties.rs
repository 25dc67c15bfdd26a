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

    /// Prepares the signature of `field` in `pdf` by a key the service does not hold: the
    /// revision that fills it, the digest to sign and the token that binds them. `signer` is
    /// the name the signature dictionary carries (the party's).
    pub fn prepare_party(&self, pdf: &[u8], field: &str, signer: &str) -> Result<Prepared, Error> {
        if !pdf.starts_with(b"%PDF-") {
            return Err(Error::BadRequest(
                "the body is not a PDF (it does not start with %PDF-)".into(),
            ));
        }
        let tokens = self.party_tokens()?;
        let none = |_: f32, _: f32, _: u32| {
            (
                b"<</Type/XObject/Subtype/Form/BBox[0 0 0 0]/Length 0>>\nstream\n\nendstream"
                    .to_vec(),
                Vec::new(),
            )
        };
        let framed = |w: f32, h: f32, _: u32| {
            let s = format!(
                "0.72 0.1 0.1 RG 1.2 w 0.6 0.6 {:.2} {:.2} re S",
                w - 1.2,
                h - 1.2
            );
            (
                format!(
                    "<</Type/XObject/Subtype/Form/BBox[0 0 {w:.2} {h:.2}]/Length {}>>\nstream\n{s}\nendstream",
                    s.len()
                )
                .into_bytes(),
                Vec::new(),
            )
        };
        let appearance: crate::sign::Appearance = &move |w, h, n| {
            if w > 0.0 && h > 0.0 {
                framed(w, h, n)
            } else {
                none(w, h, n)
            }
        };
        let at = std::time::SystemTime::now();
        let prepared = crate::sign::prepare_field(
            pdf,
            field,
            &crate::sign::FieldSigning {
                name: signer,
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
        let exp = now() + tokens.ttl.as_secs();
        let claims = Claims {
            field: field.to_string(),
            pdf_sha256: crate::values::hex(&Sha256::digest(&prepared.pdf)),
            digest: crate::values::hex(&prepared.digest),
            exp,
        };
        Ok(Prepared {
            field: field.to_string(),
            digest_sha256: claims.digest.clone(),
            digest_base64: base64::engine::general_purpose::STANDARD.encode(prepared.digest),
            token: tokens.make(&claims),
            expires_at: crate::sign::check::rfc3339(exp),
            prepared_pdf: base64::engine::general_purpose::STANDARD.encode(&prepared.pdf),
        })
    }

    /// Completes a prepared signature: the token checked, the prepared PDF the one it binds,
    /// the CMS a signature over the prepared digest by the certificate it carries; the signed
    /// PDF.
    pub fn complete_party(
        &self,
        token: &str,
        prepared: Vec<u8>,
        cms: &[u8],
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
        if cms.len() > room {
            return Err(bad(
                "/cms",
                format!(
                    "is {} bytes; at most {room} are kept for a signature",
                    cms.len()
                ),
            ));
        }
        let signer =
            crate::sign::check::check_detached(cms, &digest).map_err(|why| bad("/cms", why))?;
        tracing::info!(field = %claims.field, signer = %signer, "a party signed");
        crate::sign::embed(prepared, contents_at, room, cms).map_err(|e| bad("/cms", e.to_string()))
    }
}
