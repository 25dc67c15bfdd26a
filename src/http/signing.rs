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

/// What `POST /v1/sign/complete` takes.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteSignature {
    /// The token `prepare` answered.
    pub token: String,
    /// The prepared PDF `prepare` answered (base64), exactly as it came.
    pub prepared_pdf: String,
    /// The party's detached CMS SignedData (base64 DER) over the prepared digest: what a USB
    /// key's middleware or an e-signature platform returns for it.
    pub cms: String,
}

/// The first step of a party's own signature: the revision that fills the party's field
/// (`?field=party-2`), and the digest to sign with a key the service never sees.
#[utoipa::path(post, path = "/v1/sign/prepare", tag = "documents", operation_id = "prepareSignature",
    params(
        ("field" = String, Query, description = "The signature field to sign (`party-1`, `party-2`, …; `/v1/verify` lists those not signed yet)."),
        ("signer" = Option<String>, Query, description = "The name the signature carries (the party's); the field's name when absent."),
    ),
    request_body(content = Vec<u8>, content_type = "application/pdf", description = "The PDF, as the service wrote it or as the previous party's completion returned it."),
    responses(
        (status = 200, description = "The digest to sign, the token and the prepared PDF to send back.", body = crate::engine::PreparedSignature),
        (status = 400, description = "No `field`, or the body is not a PDF.", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "API keys are configured and the request has no valid key.", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The service has no COLLABDOCS_SIGNING_TOKEN_SECRET.", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than `COLLABDOCS_VERIFY_BODY_LIMIT_BYTES`.", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The document has no such field, or it is signed already (at `/field`).", body = crate::error::Problem, content_type = "application/problem+json"),
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
    let body = read_body(&req, payload, state.verify_body_limit).await?;
    let engine = state.engine.clone();
    let prepared = off_thread(&state, Some(state.render_timeout), "sign", move || {
        engine.prepare_party(&body, &field, &signer)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(prepared))
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
        (status = 422, description = "The token is expired or not this service's (`/token`), the PDF is not the prepared one (`/prepared_pdf`), or the CMS does not sign the prepared digest with its certificate, or is too large (`/cms`).", body = crate::error::Problem, content_type = "application/problem+json"),
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
        let cms = decode("/cms", &asked.cms)?;
        engine.complete_party(&asked.token, pdf, &cms)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(signed))
}
