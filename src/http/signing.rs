//! Checking the signatures of a PDF.

use actix_web::{web, HttpRequest, HttpResponse};

use super::middleware::off_thread;
use super::request::read_body;
use super::state::AppState;
use crate::error::Error;

/// Checks the digital signatures of a PDF: whether each is intact and valid, who signed, and
/// whether the signed range is the whole file or something was appended after signing.
/// Trust in the signer's certificate is not judged: `signer` says whose it is.
#[utoipa::path(post, path = "/v1/verify", tag = "documents", operation_id = "verifyPdf",
    request_body(content = Vec<u8>, content_type = "application/pdf", description = "The PDF file."),
    responses(
        (status = 200, description = "What was found; `valid` is false when there is no signature, or one does not verify, or the last does not cover the whole file.", body = crate::sign::Verification),
        (status = 400, description = "The body is empty or not a PDF.", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "API keys are configured and the request has no valid key.", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 408, description = "The body did not arrive within the body timeout.", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than the verify body limit (`COLLABDOCS_VERIFY_BODY_LIMIT_BYTES`).", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Every render slot is busy, or the check ran past the render timeout; retry after `Retry-After` seconds.", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn verify(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Error> {
    let body = read_body(&req, payload, state.verify_body_limit).await?;
    if !body.starts_with(b"%PDF-") {
        return Err(Error::BadRequest(
            "the body is not a PDF (it does not start with %PDF-)".into(),
        ));
    }
    let trust = state.engine.trust();
    let report = off_thread(&state, Some(state.render_timeout), "verify", move || {
        Ok(crate::sign::verify(&body, &trust))
    })
    .await?;
    Ok(HttpResponse::Ok().json(report))
}

/// What `POST /v1/sign/complete` takes: the token, the prepared PDF, and either the party's
/// CMS or a raw signature with the party's certificates.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteSignature {
    /// The token `prepare` answered.
    pub token: String,
    /// The prepared PDF `prepare` answered (base64), exactly as it came.
    pub prepared_pdf: String,
    /// The party's detached CMS SignedData (base64 DER) over the prepared digest: what a USB
    /// key's middleware or an e-signature platform returns for it. Or send `signature` and
    /// `certificates` instead.
    #[serde(default)]
    pub cms: Option<String>,
    /// A raw signature (base64) over the signed attributes `prepare` answered (prepared with
    /// the party's certificate): PKCS#1 v1.5 with SHA-256 for RSA, ECDSA with SHA-256 for a
    /// P-256 key (DER, or the 64 bytes r‖s). The service builds the CMS.
    #[serde(default)]
    pub signature: Option<String>,
    /// With `signature`: the party's certificate (base64 DER) first, then its issuers; at most 10.
    #[serde(default)]
    pub certificates: Option<Vec<String>>,
}

/// The largest seal picture a party may send, in bytes.
const MAX_SEAL_BYTES: usize = 2 * 1024 * 1024;

/// The first step of a party's own signature: the revision that fills the party's field
/// (`?field=party-2`), and the digest to sign with a key the service never sees. The body is
/// the PDF, or a form with the PDF, the party's seal picture and certificate.
#[utoipa::path(post, path = "/v1/sign/prepare", tag = "documents", operation_id = "prepareSignature",
    params(
        ("field" = String, Query, description = "The signature field to sign (`party-1`, `party-2`, …; `/v1/verify` lists those not signed yet)."),
        ("signer" = Option<String>, Query, description = "The name the signature carries (the party's); the field's name when absent."),
        ("seal_mm" = Option<f32>, Query, description = "The real size of the seal picture, its longer side in millimetres (10 to 42; 40 when absent): company seals are round, 38–42 mm."),
        ("kind" = Option<String>, Query, description = "The kind of a payload sent instead of the PDF (`agreement` when absent)."),
    ),
    request_body(content(
        (Vec<u8> = "application/pdf"),
        (serde_json::Value = "application/json"),
        (PrepareForm = "multipart/form-data"),
    ), description = "The PDF (as the service wrote it or as the previous party's completion returned it); or the payload (JSON) of `kind`, whose PDF the service renders as `format=pdf` does; or a form with either and the party's seal picture and/or certificate."),
    responses(
        (status = 200, description = "The digest to sign (and, with a certificate, the signed attributes), the token and the prepared PDF to send back.", body = crate::engine::PreparedSignature),
        (status = 400, description = "No `field`, a `seal_mm` out of range, or the body is not a PDF or JSON (or a form with one of them).", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "`kind` names no kind.", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "API keys are configured and the request has no valid key.", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The service has no COLLABDOCS_SIGNING_TOKEN_SECRET.", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than `COLLABDOCS_VERIFY_BODY_LIMIT_BYTES`.", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The document has no such field, or it is signed already (at `/field`); the seal is not a PNG (`/seal`); the certificate cannot be read (`/certificate`); the payload is not a valid one of the kind (pointers into it).", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Every render slot is busy.", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn prepare(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Error> {
    let field = super::request::text(&req, "field")?
        .ok_or_else(|| Error::BadRequest("name the field to sign: ?field=party-1".into()))?;
    let signer = super::request::text(&req, "signer")?.unwrap_or_else(|| field.clone());
    if field.chars().count() > 100 || signer.chars().count() > 200 {
        return Err(Error::BadRequest(
            "the field (100) or signer (200 characters) is too long".into(),
        ));
    }
    let seal_mm = match super::request::text(&req, "seal_mm")? {
        None => crate::engine::DEFAULT_SEAL_MM,
        Some(t) => t
            .parse::<f32>()
            .ok()
            .filter(|mm| (10.0..=42.0).contains(mm))
            .ok_or_else(|| {
                Error::BadRequest(format!(
                    "seal_mm is the seal's real size in millimetres, 10 to 42 (\"{}\" is not)",
                    crate::error::bounded(t, 20)
                ))
            })?,
    };
    let kind = match super::request::text(&req, "kind")? {
        None => crate::kinds::DocumentKind::Agreement,
        Some(k) => crate::kinds::DocumentKind::from_slug(&k)
            .ok_or_else(|| Error::UnknownKind(crate::error::bounded(k, 40)))?,
    };
    let content_type = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = read_body(&req, payload, state.verify_body_limit).await?;
    let engine = state.engine.clone();
    let prepared = off_thread(&state, Some(state.render_timeout), "sign", move || {
        let mut asked = crate::engine::PartyPrepare {
            pdf: Vec::new(),
            field,
            signer,
            seal: None,
            seal_mm,
            certificate: None,
        };
        let media = content_type.to_ascii_lowercase();
        let data = if media.starts_with("multipart/form-data") {
            read_prepare_form(&content_type, &body, &mut asked)?
        } else if media.starts_with("application/json") {
            Some(body.to_vec())
        } else {
            asked.pdf = body.to_vec();
            None
        };
        if let Some(data) = data {
            // A payload: its PDF, as `format=pdf` renders it, with the parties' fields.
            let value = crate::input::json(&data)?;
            asked.pdf = engine
                .render(kind, &value, crate::render::OutputFormat::Pdf)?
                .bytes;
        }
        engine.prepare_party(&asked)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(prepared))
}

/// The form `prepare` takes besides a bare PDF or payload: one of `pdf` and `data`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct PrepareForm {
    /// The PDF.
    #[schema(value_type = Option<String>, format = Binary)]
    pdf: Option<Vec<u8>>,
    /// Instead of the PDF, the payload (JSON) of `kind`, whose PDF the service renders.
    #[schema(value_type = Option<String>, format = Binary)]
    data: Option<Vec<u8>>,
    /// The party's seal (or handwritten signature) as a PNG with transparency, at most 2 MiB
    /// and 2,000 pixels a side: drawn over the party's line at `seal_mm`.
    #[schema(value_type = Option<String>, format = Binary)]
    seal: Option<Vec<u8>>,
    /// The party's signing certificate (PEM or DER): prepare then answers the signed
    /// attributes, and complete takes a raw signature.
    #[schema(value_type = Option<String>, format = Binary)]
    certificate: Option<Vec<u8>>,
}

/// Reads `prepare`'s form: the parts `pdf` or `data`, `seal` and `certificate`, each at most
/// once; answers the payload when the form has one instead of the PDF.
fn read_prepare_form(
    content_type: &str,
    body: &[u8],
    asked: &mut crate::engine::PartyPrepare,
) -> Result<Option<Vec<u8>>, Error> {
    use der::Decode;
    let invalid =
        |path: &str, m: String| Error::invalid(vec![crate::error::FieldError::new(path, m)]);
    let [pdf, data, seal, certificate] =
        super::multipart::named(content_type, body, ["pdf", "data", "seal", "certificate"])?;
    if let Some(seal) = seal {
        if seal.len() > MAX_SEAL_BYTES {
            return Err(invalid(
                "/seal",
                format!("is {} bytes; at most {MAX_SEAL_BYTES}", seal.len()),
            ));
        }
        asked.seal = Some(crate::sign::Seal::from_png(seal).map_err(|e| invalid("/seal", e))?);
    }
    if let Some(der_or_pem) = certificate {
        let cert = if der_or_pem.starts_with(b"-----BEGIN") {
            cms::cert::x509::Certificate::load_pem_chain(der_or_pem)
                .ok()
                .and_then(|c| c.into_iter().next())
        } else {
            cms::cert::x509::Certificate::from_der(der_or_pem).ok()
        };
        asked.certificate =
            Some(cert.ok_or_else(|| {
                invalid("/certificate", "is not a PEM or DER certificate".into())
            })?);
    }
    match (pdf, data) {
        (Some(pdf), None) if !pdf.is_empty() => {
            asked.pdf = pdf.to_vec();
            Ok(None)
        }
        (None, Some(data)) => Ok(Some(data.to_vec())),
        (Some(_), Some(_)) => Err(Error::BadRequest(
            "the form has both \"pdf\" and \"data\": send the document or its payload".into(),
        )),
        _ => Err(Error::BadRequest(
            "the form has no part \"pdf\" with the document (or \"data\" with its payload)".into(),
        )),
    }
}

/// The second step: the party's CMS over the prepared digest put into the prepared PDF, after
/// the token, the PDF and the signature are checked. Earlier signatures stay valid.
#[utoipa::path(post, path = "/v1/sign/complete", tag = "documents", operation_id = "completeSignature",
    request_body(content = CompleteSignature, content_type = "application/json"),
    responses(
        (status = 200, description = "The signed PDF.", content_type = "application/pdf"),
        (status = 400, description = "The body is not that JSON.", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "API keys are configured and the request has no valid key.", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The service has no COLLABDOCS_SIGNING_TOKEN_SECRET.", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than twice `COLLABDOCS_VERIFY_BODY_LIMIT_BYTES`.", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The token is expired or not this service's (`/token`), the PDF is not the prepared one (`/prepared_pdf`), the CMS does not sign the prepared digest with its certificate or is too large (`/cms`), a raw signature does not verify or was not prepared with a certificate (`/signature`), the certificates are not the prepared one's chain or too many (`/certificates`), or neither a CMS nor a signature was sent (``).", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 502, description = "The service signs above B-B and its time-stamp authority, an OCSP responder or a CRL the party's signature needs failed; nothing was written.", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Every render slot is busy.", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn complete(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Error> {
    use base64::Engine as _;
    let body = read_body(&req, payload, state.verify_body_limit.saturating_mul(2)).await?;
    let engine = state.engine.clone();
    let signed = off_thread(&state, Some(state.render_timeout), "sign", move || {
        let asked: CompleteSignature = serde_json::from_slice(&body)
            .map_err(|e| Error::BadRequest(format!("the body is not the completion JSON: {e}")))?;
        let decode = |path: &str, text: &str| {
            base64::engine::general_purpose::STANDARD
                .decode(text.trim())
                .map_err(|_| {
                    Error::invalid(vec![crate::error::FieldError::new(path, "is not base64")])
                })
        };
        let pdf = decode("/prepared_pdf", &asked.prepared_pdf)?;
        let signature = match (&asked.cms, &asked.signature, &asked.certificates) {
            (Some(cms), None, None) => crate::engine::PartySignature::Cms(decode("/cms", cms)?),
            (None, Some(signature), Some(certificates)) => crate::engine::PartySignature::Raw {
                signature: decode("/signature", signature)?,
                certificates: certificates
                    .iter()
                    .take(crate::engine::MAX_PARTY_CHAIN + 1)
                    .enumerate()
                    .map(|(i, c)| decode(&format!("/certificates/{i}"), c))
                    .collect::<Result<_, _>>()?,
            },
            _ => {
                return Err(Error::invalid(vec![crate::error::FieldError::new(
                    "",
                    "send either cms, or signature with certificates",
                )]))
            }
        };
        engine.complete_party(&asked.token, pdf, signature)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(signed))
}
