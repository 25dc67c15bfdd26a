//! The HTTP front door (actix-web). Every response that is not a file is JSON; every error is
//! `application/problem+json`, including actix's own (unknown route, wrong method, bad query).
//!
//! The parts: [`middleware`] (request ids, API keys, metrics labels, render slots),
//! [`documents`] (kinds, examples, validate, render), [`batch`], [`signing`] (verify),
//! [`operations`] (health, readiness, metrics, OpenAPI, docs, templates), [`word`] (Word
//! templates: listed, their tags, one sent with the request), `studio` (the page
//! for people), [`request`] and [`response`]
//! (bodies, query parameters, file headers), and [`openapi`], the API document.

use std::time::Instant;

use actix_web::body::BoxBody;
use actix_web::dev::{Service, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::App;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};

use crate::error::Error;

pub mod batch;
pub mod documents;
#[cfg(debug_assertions)]
mod faults;
mod middleware;
mod multipart;
pub mod openapi;
pub mod operations;
mod request;
mod response;
pub mod signing;
pub mod slots;
pub mod state;
mod studio;
pub mod word;

pub use response::{content_digest, content_disposition};
pub use slots::BodyBudget;
pub use state::AppState;

use middleware::{metric_method, new_request_id, require_key};
pub use slots::Slots;

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
            .service(post("/sign/prepare").to(signing::prepare))
            .service(post("/sign/complete").to(signing::complete))
            .service(get("/templates").to(operations::templates))
            .service(get("/templates/word").to(word::list))
            .service(get("/templates/excel").to(word::list_excel))
            .service(post("/templates/excel/inspect").to(word::inspect_excel))
            .service(get("/templates/excel/{name}").to(word::excel_tags))
            .service(post("/templates/word/inspect").to(word::inspect))
            .service(get("/templates/word/{name}").to(word::tags))
            .service(post("/render").to(word::render))
            .default_service(web::to(not_found)),
    )
    .service(get("/healthz").to(operations::healthz))
    .service(get("/readyz").to(operations::readyz))
    .service(get("/metrics").to(operations::metrics))
    .service(get("/openapi.json").to(openapi::openapi_json))
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
