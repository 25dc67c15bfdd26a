//! The HTTP front door (actix-web). Every response that is not a file is JSON; every error is
//! `application/problem+json`, including actix's own (unknown route, wrong method, bad query).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::body::BoxBody;
use actix_web::dev::{Service, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::App;
use futures_util::future::LocalBoxFuture;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use base64::Engine as _;
use futures_util::StreamExt;
use serde_json::json;
use sha2::Digest;

use crate::engine::{Engine, Rendered};
use crate::error::Error;
use crate::kinds::DocumentKind;
use crate::metrics::Metrics;
use crate::render::OutputFormat;

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
    /// The most items one batch may hold.
    pub batch_max_items: usize,
    /// Threads one batch renders on.
    pub batch_workers: usize,
    /// Renders allowed at once; more are refused with 503 at once, never queued.
    pub max_renders: usize,
    /// A render taking longer is answered 503 (the work finishes in the background, holding its slot).
    pub render_timeout: Duration,
    /// When not empty, every `/v1` route needs `Authorization: Bearer <one of these>`.
    pub api_keys: Vec<String>,
    /// Set on SIGTERM: `/readyz` answers 503 so traffic moves elsewhere while requests finish.
    pub draining: Arc<AtomicBool>,
    pub metrics: Arc<Metrics>,
    /// The OpenAPI document for the engine's limits, built once.
    pub openapi: Arc<Vec<u8>>,
}

impl AppState {
    /// Defaults for everything but the engine (as `serve` has them without settings).
    pub fn new(engine: Arc<Engine>) -> Self {
        let openapi = Arc::new(crate::openapi::document_text(engine.limits()).into_bytes());
        Self {
            openapi,
            engine,
            body_limit: 2 * 1024 * 1024,
            batch_body_limit: 32 * 1024 * 1024,
            verify_body_limit: 16 * 1024 * 1024,
            body_timeout: Duration::from_secs(20),
            batch_max_items: 1000,
            batch_workers: cores(),
            max_renders: 4 * cores(),
            render_timeout: Duration::from_secs(30),
            api_keys: Vec::new(),
            draining: Arc::new(AtomicBool::new(false)),
            metrics: Arc::new(Metrics::default()),
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
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let fut: LocalBoxFuture<'static, Result<ServiceResponse<BoxBody>, actix_web::Error>> =
            Box::pin(srv.call(req));
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

/// A request id for logs when the caller sent none: process start time and a counter.
fn new_request_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    static START: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let start = *START.get_or_init(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
    });
    format!(
        "{:012x}-{:08x}",
        start & 0xffff_ffff_ffff,
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// The method as a metrics label: one of the standard methods, else `OTHER` (so made-up
/// methods cannot grow the label set).
fn metric_method(m: &actix_web::http::Method) -> String {
    const STANDARD: [&str; 9] = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
    ];
    let m = m.as_str();
    if STANDARD.contains(&m) { m } else { "OTHER" }.to_string()
}

/// The key check of the `/v1` scope. It runs after routing, on whatever path the router
/// matched, so no spelling of a path (percent-encoded, doubled slashes) reaches a `/v1`
/// handler without a key.
async fn require_key(
    req: ServiceRequest,
    next: actix_web::middleware::Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let denied = req
        .app_data::<web::Data<AppState>>()
        .and_then(|st| unauthorized(&req, &st.api_keys));
    match denied {
        Some(e) => Ok(req.into_response(problem_response(&e))),
        None => next.call(req).await,
    }
}

/// `Some(401 problem)` when keys are configured and the request lacks a valid bearer key.
fn unauthorized(req: &ServiceRequest, keys: &[String]) -> Option<Error> {
    if keys.is_empty() {
        return None;
    }
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match given {
        Some(k)
            if keys
                .iter()
                .any(|key| constant_time_eq(key.as_bytes(), k.as_bytes())) =>
        {
            None
        }
        Some(_) => Some(Error::Unauthorized("the API key is not valid".into())),
        None => Some(Error::Unauthorized(
            "this route needs `Authorization: Bearer <API key>`".into(),
        )),
    }
}

/// Compares without an early exit on the first differing byte.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = (a.len() ^ b.len()) as u8 | u8::from(a.len() != b.len());
    for (i, x) in a.iter().enumerate() {
        diff |= x ^ b.get(i).copied().unwrap_or(0);
    }
    diff == 0
}

/// Runs CPU-heavy work on the blocking pool holding a render slot (503 at once when none is
/// free), turns a panic into a 500 with the cause logged, and, with a timeout, a slow render
/// into a 503 — and stops the work itself at the same deadline ([`crate::budget`]), so its
/// slot and memory are freed.
async fn off_thread<T: Send + 'static>(
    state: &AppState,
    timeout: Option<Duration>,
    what: &'static str,
    f: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    let slot = state.metrics.try_slot(state.max_renders).ok_or_else(|| {
        Error::Overloaded(format!(
            "{} renders are already running, the most this service allows; retry shortly",
            state.max_renders
        ))
    })?;
    let deadline = timeout.map(|t| Instant::now() + t);
    let task = web::block(move || {
        let _slot = slot;
        let _budget = crate::budget::watch(deadline, None);
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
    });
    let joined = match timeout {
        Some(t) => actix_web::rt::time::timeout(t, task).await.map_err(|_| {
            Error::Overloaded(format!(
                "the {what} took longer than {} ms; retry later",
                t.as_millis()
            ))
        })?,
        None => task.await,
    };
    joined
        .map_err(|e| Error::Internal(format!("{what} task failed: {e}")))?
        .map_err(|panic| {
            let why = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(panic = %why, "{what} panicked");
            Error::Internal(format!("{what} panicked: {why}"))
        })?
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
            .service(get("/kinds").to(list_kinds))
            .service(get("/kinds/{kind}/example").to(example))
            .service(post("/documents/{kind}/validate").to(validate))
            .service(post("/documents/{kind}").to(render_document))
            .service(post("/batch").to(batch))
            .service(post("/batch/weekly-progress").to(batch_weekly))
            .service(post("/verify").to(verify))
            .default_service(web::to(not_found)),
    )
    .service(get("/healthz").to(healthz))
    .service(get("/readyz").to(readyz))
    .service(get("/metrics").to(metrics))
    .service(get("/openapi.json").to(openapi_json))
    .service(get("/docs").to(docs_redirect))
    .service(get("/docs/{tail:.*}").to(docs))
    .default_service(web::to(not_found));
}

/// A GET resource; other methods get 405 with `Allow: GET`.
fn get(path: &str) -> Route {
    Route(web::resource(path), web::get(), "GET")
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
        .body(state.metrics.render_text())
}

/// This OpenAPI 3.1 document.
#[utoipa::path(get, path = "/openapi.json", tag = "operations",
    responses((status = 200, description = "The OpenAPI 3.1 document of this service.", body = Object)))]
pub async fn openapi_json(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(state.openapi.as_ref().clone())
}

async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/docs/"))
        .finish()
}

/// Swagger UI, compiled into the binary: no request leaves the page (the validator is off).
async fn docs(req: HttpRequest) -> HttpResponse {
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

/// One entry of `GET /v1/kinds`.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct KindInfo {
    /// The kind's name in paths: `/v1/documents/{kind}`.
    pub kind: DocumentKind,
    pub title_zh: String,
    pub title_en: String,
    pub formats: Vec<OutputFormat>,
    /// Where a complete example payload is.
    pub example_url: String,
}

/// The answer of a validate endpoint.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Validation {
    /// Always true: an invalid payload is answered 422.
    pub valid: bool,
    /// What may be a mistake but does not stop the render, each located by JSON Pointer.
    pub warnings: Vec<crate::error::FieldError>,
}

/// The document kinds, their titles and formats.
#[utoipa::path(get, path = "/v1/kinds", tag = "kinds", operation_id = "listKinds",
    responses(
        (status = 200, description = "Every kind the service renders.", body = [KindInfo]),
        (status = 401, description = "API keys are configured and the request has no valid key.", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_kinds() -> HttpResponse {
    let kinds: Vec<_> = DocumentKind::ALL
        .iter()
        .map(|k| KindInfo {
            kind: *k,
            title_zh: k.title_zh().into(),
            title_en: k.title_en().into(),
            formats: OutputFormat::ALL.to_vec(),
            example_url: format!("/v1/kinds/{}/example", k.slug()),
        })
        .collect();
    HttpResponse::Ok().json(kinds)
}

fn kind_of(req: &HttpRequest) -> Result<DocumentKind, Error> {
    let slug = req.match_info().get("kind").unwrap_or_default();
    DocumentKind::from_slug(slug).ok_or_else(|| Error::UnknownKind(slug.to_string()))
}

async fn example(req: HttpRequest) -> Result<HttpResponse, Error> {
    let kind = kind_of(&req)?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(kind.example()))
}

/// Reads the body up to the limit; a larger body is refused as soon as that is known, and
/// one not received whole within the body timeout is a 408.
async fn read_body(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<Vec<u8>, Error> {
    let timeout = req
        .app_data::<web::Data<AppState>>()
        .map_or(Duration::from_secs(20), |s| s.body_timeout);
    actix_web::rt::time::timeout(timeout, read_body_within(req, payload, limit))
        .await
        .map_err(|_| {
            Error::RequestTimeout(format!(
                "the request body did not arrive within {} ms",
                timeout.as_millis()
            ))
        })?
}

async fn read_body_within(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
) -> Result<Vec<u8>, Error> {
    let too_large = || {
        Error::TooLarge(format!(
            "the request body is larger than the limit of {limit} bytes"
        ))
    };
    if let Some(len) = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
    {
        if len > limit {
            return Err(too_large());
        }
    }
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk
            .map_err(|e| Error::BadRequest(format!("the request body could not be read: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn query(req: &HttpRequest) -> Result<Vec<(String, String)>, Error> {
    web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .map(|q| q.into_inner())
        .map_err(|e| Error::BadRequest(format!("the query string is malformed: {e}")))
}

fn flag(req: &HttpRequest, name: &str) -> Result<bool, Error> {
    match query(req)?
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
    {
        None | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") | Some("") => Ok(true),
        Some(v) => Err(Error::BadRequest(format!(
            "{name}=\"{v}\" must be true or false"
        ))),
    }
}

/// Renders a batch and streams the ZIP out as it is written: the answer starts with the
/// first finished entry, and each file is held only until its entry is sent. The items are
/// taken one at a time (see [`crate::batch::run`]); a client that leaves stops the batch.
fn run_batch(
    state: &web::Data<AppState>,
    items: impl IntoIterator<Item = crate::batch::ItemResult, IntoIter: Send + 'static>,
    name: &str,
) -> Result<HttpResponse, Error> {
    let engine = state.engine.clone();
    let items = items.into_iter();
    // A batch is bounded by its item count, so it holds one slot and has no time limit.
    let slot = state.metrics.try_slot(state.max_renders).ok_or_else(|| {
        Error::Overloaded(format!(
            "{} renders are already running, the most this service allows; retry shortly",
            state.max_renders
        ))
    })?;
    let workers = state.batch_workers;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<web::Bytes, std::io::Error>>(4);
    actix_web::rt::task::spawn_blocking(move || {
        let _slot = slot;
        let send = |chunk: Vec<u8>| {
            tx.blocking_send(Ok(web::Bytes::from(chunk)))
                .map_err(|_| std::io::Error::other("the client went away"))
        };
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            crate::batch::to_zip_stream(&engine, items, workers, send)
        }));
        let failure = match outcome {
            Ok(Ok(_)) => return,
            Ok(Err(e)) => e.to_string(),
            Err(panic) => panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic".into()),
        };
        // The status line is gone; cutting the body short is how the client learns.
        tracing::warn!(cause = %failure, "batch stopped while streaming");
        let _ = tx.blocking_send(Err(std::io::Error::other("the batch stopped")));
    });
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    });
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/zip"))
        .insert_header((header::CONTENT_DISPOSITION, content_disposition(name, name)))
        .streaming(body))
}

/// Many documents, of any kinds and formats, in one ZIP with `manifest.json`.
///
/// Items render in parallel. An item whose `data` is invalid is reported in the manifest and
/// the others still render, unless `fail_fast=true`: then nothing renders and the answer is a
/// 422 naming each problem by pointer (`/items/7/data/tasks/0/status`).
#[utoipa::path(post, path = "/v1/batch", tag = "batch", operation_id = "renderBatch",
    params(("fail_fast" = Option<bool>, Query, description = "Refuse the whole batch (422) if any item is invalid, before rendering anything.")),
    request_body = crate::batch::BatchRequest,
    responses((status = 200, description = "The ZIP.")))]
pub async fn batch(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Error> {
    let fail_fast = flag(&req, "fail_fast")?;
    let body = read_body(&req, payload, state.batch_body_limit).await?;
    let (engine, max_items) = (state.engine.clone(), state.batch_max_items);
    let items = off_thread(
        &state,
        Some(state.render_timeout),
        "batch check",
        move || {
            let value = Engine::parse_json(&body)?;
            drop(body);
            // Malformed items are refused at once; with fail_fast they are listed with the data
            // problems, and nothing renders unless every item is valid.
            let items = crate::batch::parse_body(&value, max_items, !fail_fast)?;
            if fail_fast {
                crate::batch::check_all(&engine, &items)?;
            }
            Ok(items)
        },
    )
    .await?;
    run_batch(&state, items, "collabdocs-batch.zip")
}

/// `POST /v1/batch/weekly-progress?split_by=department`: one file per department plus the
/// whole project, from one weekly-progress payload.
async fn batch_weekly(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Error> {
    let q = query(&req)?;
    match q
        .iter()
        .find(|(k, _)| k == "split_by")
        .map(|(_, v)| v.as_str())
    {
        Some("department") => {}
        Some(other) => {
            return Err(Error::BadRequest(format!(
                "split_by=\"{other}\" is not supported; use split_by=department"
            )))
        }
        None => {
            return Err(Error::BadRequest(
                "split_by is required; use split_by=department".into(),
            ))
        }
    }
    let format = negotiate(&req)?;
    let body = read_body(&req, payload, state.batch_body_limit).await?;
    let (engine, max_items) = (state.engine.clone(), state.batch_max_items);
    let parts = off_thread(&state, Some(state.render_timeout), "batch check", move || {
        let value = Engine::parse_json(&body)?;
        drop(body);
        engine.validate(DocumentKind::WeeklyProgress, &value)?;
        let (count, parts) = crate::batch::split_weekly_by_department(value, format);
        if count > max_items {
            return Err(Error::TooLarge(format!(
                "the split gives {count} files (the project and {} departments); a batch may hold at most {max_items}",
                count - 1
            )));
        }
        Ok(parts)
    })
    .await?;
    run_batch(&state, parts.map(Ok), "weekly-progress-by-department.zip")
}

/// The format from `?format=`, else from `Accept`, else PDF.
fn negotiate(req: &HttpRequest) -> Result<OutputFormat, Error> {
    if let Some((_, v)) = query(req)?.iter().find(|(k, _)| k == "format") {
        return OutputFormat::parse(v).ok_or_else(|| {
            Error::UnsupportedFormat(format!(
                "format \"{v}\" is not one of pdf, docx, xlsx, html"
            ))
        });
    }
    let Some(accept) = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(OutputFormat::Pdf);
    };
    let mut wildcard = accept.trim().is_empty();
    for item in accept.split(',') {
        let mime = item.split(';').next().unwrap_or("").trim();
        if let Some(f) = OutputFormat::from_mime(mime) {
            return Ok(f);
        }
        wildcard |= matches!(
            mime,
            "*/*" | "application/*" | "application/problem+json" | "application/json"
        );
    }
    if wildcard {
        Ok(OutputFormat::Pdf)
    } else {
        Err(Error::UnsupportedFormat(format!(
            "none of the types in Accept ({accept}) can be produced; ask for one of: {}",
            OutputFormat::ALL
                .iter()
                .map(|f| f.mime())
                .collect::<Vec<_>>()
                .join(", ")
        )))
    }
}

async fn validate(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Error> {
    let kind = kind_of(&req)?;
    let body = read_body(&req, payload, state.body_limit).await?;
    let engine = state.engine.clone();
    let warnings = off_thread(
        &state,
        Some(state.render_timeout),
        "validation",
        move || {
            let value = Engine::parse_json(&body)?;
            engine.validate(kind, &value).map(|v| v.warnings)
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(json!({"valid": true, "warnings": warnings})))
}

async fn render_document(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Error> {
    let kind = kind_of(&req)?;
    let format = negotiate(&req)?;
    let sign = flag(&req, "sign")?;
    if sign && format != OutputFormat::Pdf {
        return Err(Error::BadRequest(format!(
            "sign=true makes a signed PDF; format {format} cannot be signed"
        )));
    }
    let body = read_body(&req, payload, state.body_limit).await?;
    let engine = state.engine.clone();
    let started = Instant::now();
    let rendered = off_thread(&state, Some(state.render_timeout), "render", move || {
        let value = Engine::parse_json(&body)?;
        drop(body);
        if sign {
            engine.render_signed(kind, &value)
        } else {
            engine.render(kind, &value, format)
        }
    })
    .await?;
    state.metrics.render(
        kind.slug(),
        format.extension(),
        started.elapsed().as_secs_f64(),
        rendered.bytes.len(),
    );
    Ok(file_response(&rendered))
}

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
    let ours = state.engine.signer().map(|s| s.certificate_sha256());
    let report = off_thread(&state, Some(state.render_timeout), "verify", move || {
        Ok(crate::sign::verify(&body, ours))
    })
    .await?;
    Ok(HttpResponse::Ok().json(report))
}

/// `attachment; filename="ascii.docx"; filename*=UTF-8''%E4%BC%9A…` (RFC 6266 / 5987).
pub fn content_disposition(ascii: &str, utf8: &str) -> String {
    let mut enc = String::new();
    for b in utf8.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            enc.push(b as char);
        } else {
            enc.push_str(&format!("%{b:02X}"));
        }
    }
    let ascii: String = ascii
        .chars()
        .filter(|c| c.is_ascii_graphic() && *c != '"' && *c != '\\')
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{enc}")
}

/// The most characters `Collabdocs-Missing-Glyphs` names; the header then says how many more.
const MISSING_GLYPHS_LISTED: usize = 64;

/// `U+1F680 U+1F469`, at most [`MISSING_GLYPHS_LISTED`] of them, then `+N`: a header any
/// client accepts, however many characters were missing.
fn missing_glyphs(chars: &[char]) -> String {
    let mut list: Vec<String> = chars
        .iter()
        .take(MISSING_GLYPHS_LISTED)
        .map(|c| format!("U+{:04X}", *c as u32))
        .collect();
    if chars.len() > MISSING_GLYPHS_LISTED {
        list.push(format!("+{}", chars.len() - MISSING_GLYPHS_LISTED));
    }
    list.join(" ")
}

/// `sha-256=:<base64>:` (RFC 9530).
pub fn content_digest(bytes: &[u8]) -> String {
    let digest = sha2::Sha256::digest(bytes);
    format!(
        "sha-256=:{}:",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

fn file_response(r: &Rendered) -> HttpResponse {
    let mut res = HttpResponse::Ok();
    res.insert_header((header::CONTENT_TYPE, r.format.mime()));
    if let Ok(v) = HeaderValue::from_str(&content_disposition(&r.ascii_filename, &r.filename)) {
        res.insert_header((header::CONTENT_DISPOSITION, v));
    }
    res.insert_header(("Content-Digest", content_digest(&r.bytes)));
    res.insert_header(("Collabdocs-Warnings", r.warnings.len().to_string()));
    if !r.missing_glyphs.is_empty() {
        res.insert_header((
            "Collabdocs-Missing-Glyphs",
            missing_glyphs(&r.missing_glyphs),
        ));
    }
    res.body(r.bytes.clone())
}
