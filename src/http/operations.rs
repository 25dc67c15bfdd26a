//! Operations: health, readiness, metrics, the OpenAPI document and the docs page.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use super::problem_response;
use super::state::AppState;
use crate::error::Error;
use crate::kinds::DocumentKind;
use crate::render::OutputFormat;

/// `{"status": ...}`, with what the service offers once ready.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok` (liveness), `ready`, or `draining` (shutting down; send traffic elsewhere).
    pub status: String,
    /// How many document kinds are served.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kinds: Option<usize>,
    /// The output formats.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub formats: Option<Vec<OutputFormat>>,
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "The process is alive.", body = Health)))]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok".into(),
        kinds: None,
        formats: None,
    })
}

/// Readiness: templates parsed and proven, fonts loaded, not shutting down.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "Ready for traffic.", body = Health),
        (status = 503, description = "Draining after SIGTERM: in-flight requests finish, new traffic should go elsewhere.", body = Health),
    ))]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    if state.draining.load(Ordering::Relaxed) {
        return HttpResponse::ServiceUnavailable().json(Health {
            status: "draining".into(),
            kinds: None,
            formats: None,
        });
    }
    // The engine exists only once templates are parsed and proven, so being here means ready.
    HttpResponse::Ok().json(Health {
        status: "ready".into(),
        kinds: Some(DocumentKind::ALL.len()),
        formats: Some(OutputFormat::ALL.to_vec()),
    })
}

/// Prometheus metrics: requests by route and status, renders by kind and format, durations,
/// sizes, render slots in use.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text exposition format 0.0.4.", body = String, content_type = "text/plain")))]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(
            state
                .metrics
                .render_text(state.slots.in_flight(), state.slots.refused()),
        )
}

/// `GET /v1/templates`: whether the templates directory is watched, and how its loads went.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct TemplatesInfo {
    /// The service was started with `--watch-templates`: template files are reloaded when
    /// they change on disk.
    pub watching: bool,
    /// Counts the template loads that took effect: 1 after start-up, one more per reload.
    pub generation: u64,
    /// Why the last reload failed (the templates of the last good load stay in force); null
    /// when it succeeded.
    pub error: Option<crate::engine::TemplateProblem>,
}

/// The templates: watched or not, how many loads took effect, the last reload's error.
#[utoipa::path(get, path = "/v1/templates", tag = "operations", operation_id = "templateStatus",
    responses(
        (status = 200, description = "The state of the templates in force.", body = TemplatesInfo),
        (status = 401, description = "API keys are configured and the request has no valid key.", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn templates(state: web::Data<AppState>) -> HttpResponse {
    let status = state.engine.template_status();
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(TemplatesInfo {
            watching: state.watch_templates,
            generation: status.generation,
            error: status.error,
        })
}

pub(super) async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/docs/"))
        .finish()
}

/// Swagger UI, compiled into the binary: no request leaves the page (the validator is off).
pub(super) async fn docs(req: HttpRequest) -> HttpResponse {
    static CONFIG: std::sync::OnceLock<Arc<utoipa_swagger_ui::Config<'static>>> =
        std::sync::OnceLock::new();
    let config = CONFIG.get_or_init(|| {
        Arc::new(
            utoipa_swagger_ui::Config::new(["/openapi.json"])
                .validator_url("none")
                .try_it_out_enabled(true)
                .display_request_duration(true),
        )
    });
    let tail = req.match_info().get("tail").unwrap_or_default();
    match utoipa_swagger_ui::serve(tail, config.clone()) {
        Ok(Some(file)) => HttpResponse::Ok()
            .content_type(file.content_type)
            .body(file.bytes.into_owned()),
        Ok(None) => problem_response(&Error::NotFound(req.path().to_string())),
        Err(e) => problem_response(&Error::Internal(format!("docs page: {e}"))),
    }
}
