//! The HTTP front door (actix-web). Every response that is not a file is JSON; every error is
//! `application/problem+json`, including actix's own (unknown route, wrong method, bad query).
//!
//! The parts: [`middleware`] (request ids, API keys, metrics labels, render slots),
//! [`documents`] (kinds, examples, validate, render), [`batch`], [`signing`] (verify),
//! [`operations`] (health, readiness, metrics, OpenAPI, docs, templates), `studio` (the page
//! for people), [`request`] and [`response`]
//! (bodies, query parameters, file headers), and [`openapi`], the API document.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::body::BoxBody;
use actix_web::dev::{Service, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::App;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};

use crate::engine::Engine;
use crate::error::Error;
use crate::metrics::Metrics;

pub mod batch;
pub mod documents;
#[cfg(debug_assertions)]
mod faults;
mod middleware;
pub mod openapi;
pub mod operations;
mod request;
mod response;
pub mod signing;
pub mod slots;
mod studio;

pub use request::BodyBudget;
pub use response::{content_digest, content_disposition};

use middleware::{metric_method, new_request_id, require_key};
pub use slots::Slots;

/// What every handler shares.
pub struct AppState {
    pub engine: Arc<Engine>,
    /// The largest request body accepted, in bytes.
    pub body_limit: usize,
    /// The largest batch body accepted, in bytes.
    pub batch_body_limit: usize,
    /// The largest PDF `/v1/verify` accepts, in bytes.
    pub verify_body_limit: usize,
    /// A request body not received whole in this time is refused with 408.
    pub body_timeout: Duration,
    /// The bytes of request bodies all requests in flight may hold together.
    pub bodies: Arc<BodyBudget>,
    /// The most items one batch may hold.
    pub batch_max_items: usize,
    /// Threads one batch renders on.
    pub batch_workers: usize,
    /// Renders allowed at once; more are refused with 503 at once, never queued.
    pub slots: Arc<Slots>,
    /// A render taking longer is answered 503 (the work finishes in the background, holding its slot).
    pub render_timeout: Duration,
    /// When not empty, every `/v1` route needs `Authorization: Bearer <one of these>`.
    pub api_keys: Vec<String>,
    /// The API keys that may ask for a digitally signed document (`sign=true`); when empty,
    /// any key may.
    pub signing_keys: Vec<String>,
    /// Set on SIGTERM: `/readyz` answers 503 so traffic moves elsewhere while requests finish.
    pub draining: Arc<AtomicBool>,
    pub metrics: Arc<Metrics>,
    /// The OpenAPI document for the engine's limits, built once.
    pub openapi: Arc<Vec<u8>>,
    /// Started with `--watch-templates` (the studio then follows template changes).
    pub watch_templates: bool,
}

impl AppState {
    /// Defaults for everything but the engine (as `serve` has them without settings).
    pub fn new(engine: Arc<Engine>) -> Self {
        let openapi = Arc::new(openapi::document_text(engine.limits()).into_bytes());
        Self {
            openapi,
            engine,
            body_limit: 2 * 1024 * 1024,
            batch_body_limit: 32 * 1024 * 1024,
            verify_body_limit: 16 * 1024 * 1024,
            body_timeout: Duration::from_secs(20),
            bodies: Arc::new(BodyBudget::new(64 * 1024 * 1024)),
            batch_max_items: 1000,
            batch_workers: cores(),
            slots: Arc::new(Slots::new(4 * cores())),
            render_timeout: Duration::from_secs(30),
            api_keys: Vec::new(),
            signing_keys: Vec::new(),
            draining: Arc::new(AtomicBool::new(false)),
            metrics: Arc::new(Metrics::default()),
            watch_templates: false,
        }
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// The whole application: state, the request-id / auth / metrics middleware, and the routes.
pub fn app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<BoxBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new().app_data(state).configure(configure).wrap_fn(|req, srv| {
        let started = Instant::now();
        let request_id = req
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
            .map_or_else(new_request_id, str::to_string);
        actix_web::HttpMessage::extensions_mut(&req).insert(middleware::RequestId(request_id.clone()));
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let fut = srv.call(req);
        async move {
            let mut res = fut.await?;
            if let Ok(v) = HeaderValue::from_str(&request_id) {
                res.headers_mut().insert(header::HeaderName::from_static("x-request-id"), v);
            }
            let route = res.request().match_pattern().unwrap_or_else(|| "unmatched".to_string());
            let method = metric_method(res.request().method());
            let status = res.status().as_u16();
            if let Some(st) = state {
                st.metrics.request(&method, &route, status);
            }
            tracing::info!(request_id = %request_id, %method, path = %res.request().path(), %route, status, ms = started.elapsed().as_secs_f64() * 1e3, "request");
            Ok(res)
        }
    })
}

impl ResponseError for Error {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        problem_response(self)
    }
}

/// Renders an error as problem+json with the right status (and `Retry-After` for 503).
pub fn problem_response(e: &Error) -> HttpResponse {
    let mut res = HttpResponse::build(e.status_code());
    res.insert_header((header::CONTENT_TYPE, "application/problem+json"));
    if matches!(e, Error::Overloaded(_)) {
        res.insert_header((header::RETRY_AFTER, "1"));
    }
    res.body(serde_json::to_vec(&e.problem()).unwrap_or_default())
}

/// Registers every route; used by `serve` and by the tests. Everything under `/v1` sits in
/// one scope behind the API-key check.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/v1")
            .wrap(actix_web::middleware::from_fn(require_key))
            .service(get("/kinds").to(documents::list_kinds))
            .service(get("/kinds/{kind}/example").to(documents::example))
            .service(post("/documents/{kind}/validate").to(documents::validate))
            .service(post("/documents/{kind}").to(documents::render_document))
            .service(post("/batch").to(batch::batch))
            .service(post("/batch/{kind}").to(batch::split))
            .service(post("/verify").to(signing::verify))
            .service(get("/templates").to(operations::templates))
            .default_service(web::to(not_found)),
    )
    .service(get("/healthz").to(operations::healthz))
    .service(get("/readyz").to(operations::readyz))
    .service(get("/metrics").to(operations::metrics))
    .service(get("/openapi.json").to(operations::openapi_json))
    .service(get("/docs").to(operations::docs_redirect))
    .service(get("/docs/{tail:.*}").to(operations::docs))
    .service(get("/studio").to(studio::redirect))
    .service(get("/studio/{tail:.*}").to(studio::file))
    .default_service(web::to(not_found));
}

/// A GET resource, answering HEAD as GET without the body (load balancers check health with
/// `HEAD /healthz`); other methods get 405 with `Allow: GET, HEAD`.
fn get(path: &str) -> Route {
    use actix_web::guard;
    Route(
        web::resource(path),
        web::route().guard(guard::Any(guard::Get()).or(guard::Head())),
        "GET, HEAD",
    )
}

/// A POST resource; other methods get 405 with `Allow: POST`.
fn post(path: &str) -> Route {
    Route(web::resource(path), web::post(), "POST")
}

struct Route(actix_web::Resource, actix_web::Route, &'static str);

impl Route {
    fn to<F, Args>(self, handler: F) -> actix_web::Resource
    where
        F: actix_web::Handler<Args>,
        Args: actix_web::FromRequest + 'static,
        F::Output: actix_web::Responder + 'static,
    {
        let Route(resource, route, allow) = self;
        resource.route(route.to(handler)).default_service(web::to(
            move |req: HttpRequest| async move {
                let mut res = problem_response(&Error::MethodNotAllowed(req.method().to_string()));
                res.headers_mut()
                    .insert(header::ALLOW, HeaderValue::from_static(allow));
                res
            },
        ))
    }
}

async fn not_found(req: HttpRequest) -> HttpResponse {
    problem_response(&Error::NotFound(req.path().to_string()))
}
