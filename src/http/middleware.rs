//! What runs around every request: request ids, the key check of the `/v1` scope, metrics
//! labels, and the render slots CPU-heavy work runs under.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use actix_web::body::BoxBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::web;

use super::problem_response;
use super::state::AppState;
use crate::error::Error;

/// A request id for logs when the caller sent none: process start time and a counter.
pub(super) fn new_request_id() -> String {
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
pub(super) fn metric_method(m: &actix_web::http::Method) -> String {
    const STANDARD: [&str; 9] = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
    ];
    let m = m.as_str();
    if STANDARD.contains(&m) { m } else { "OTHER" }.to_string()
}

/// The key check of the `/v1` scope. It runs after routing, on whatever path the router
/// matched, so no spelling of a path (percent-encoded, doubled slashes) reaches a `/v1`
/// handler without a key.
pub(super) async fn require_key(
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
    match bearer(req.headers()) {
        Some(k) if key_among(k, keys) => None,
        Some(_) => Some(Error::Unauthorized("the API key is not valid".into())),
        None => Some(Error::Unauthorized(
            "this route needs `Authorization: Bearer <API key>`".into(),
        )),
    }
}

/// The key of an `Authorization: Bearer <key>` header.
pub(super) fn bearer(headers: &actix_web::http::header::HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// Whether `key` is one of `keys`, compared in constant time.
pub(super) fn key_among(key: &str, keys: &[String]) -> bool {
    keys.iter()
        .any(|k| constant_time_eq(k.as_bytes(), key.as_bytes()))
}

/// A key's id for logs: the first 12 hex digits of its SHA-256, never the key.
pub(super) fn key_id(key: &str) -> String {
    use sha2::Digest;
    crate::values::hex(&sha2::Sha256::digest(key.as_bytes())[..6])
}

/// The request id, kept in the request's extensions for handlers and logs.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Compares in constant time (`subtle`), over SHA-256 digests so that neither the position
/// of the first difference nor the key's length shows in the time taken.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use sha2::Digest;
    use subtle::ConstantTimeEq;
    sha2::Sha256::digest(a)
        .ct_eq(&sha2::Sha256::digest(b))
        .into()
}

/// Runs CPU-heavy work on the blocking pool holding a render slot (503 at once when none is
/// free), turns a panic into a 500 with the cause logged, and, with a timeout, a slow render
/// into a 503 — and stops the work itself at the same deadline ([`crate::budget`]), so its
/// slot and memory are freed.
pub(super) async fn off_thread<T: Send + 'static>(
    state: &AppState,
    timeout: Option<Duration>,
    what: &'static str,
    f: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    let slot = state.slots.try_take().ok_or_else(|| {
        Error::Overloaded(format!(
            "{} renders are already running, the most this service allows; retry shortly",
            state.slots.max()
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

/// Reads the body (up to `limit`), then, off the event loop under a render slot and the
/// render timeout, parses it with `parse` and hands the value to `f`.
pub(super) async fn with_parsed<T: Send + 'static>(
    req: &actix_web::HttpRequest,
    payload: web::Payload,
    state: &AppState,
    (limit, what): (usize, &'static str),
    parse: impl FnOnce(&[u8]) -> Result<serde_json::Value, Error> + Send + 'static,
    f: impl FnOnce(serde_json::Value) -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    let body = super::request::read_body(req, payload, limit).await?;
    off_thread(state, Some(state.render_timeout), what, move || {
        let value = parse(&body)?;
        drop(body);
        f(value)
    })
    .await
}

/// [`with_parsed`] with the body parsed as JSON.
pub(super) async fn with_json<T: Send + 'static>(
    req: &actix_web::HttpRequest,
    payload: web::Payload,
    state: &AppState,
    limit: usize,
    what: &'static str,
    f: impl FnOnce(serde_json::Value) -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    with_parsed(req, payload, state, (limit, what), crate::input::json, f).await
}
