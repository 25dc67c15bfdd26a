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
