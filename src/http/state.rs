//! What every handler shares: the engine, the limits of requests, the render slots, the body
//! budget, the keys, the metrics and the API document.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use super::slots::{BodyBudget, Slots};
use crate::engine::Engine;
use crate::metrics::Metrics;

/// What every handler shares.
pub struct AppState {
    pub engine: Arc<Engine>,
    /// The largest request body accepted, in bytes.
    pub body_limit: usize,
    /// The largest batch body accepted, in bytes.
    pub batch_body_limit: usize,
    /// The largest PDF `/v1/verify` accepts, in bytes.
    pub verify_body_limit: usize,
    /// The largest `POST /v1/render` body (a Word template and its data) accepted, in bytes.
    pub template_body_limit: usize,
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
    /// The API document for the engine's limits and folder kinds, with the template generation
    /// it was made for: made on its first request and again after a reload.
    pub openapi: std::sync::Mutex<Option<(u64, std::sync::Arc<Vec<u8>>)>>,
    /// Started with `--watch-templates` (the studio then follows template changes).
    pub watch_templates: bool,
}

impl AppState {
    /// Defaults for everything but the engine (as `serve` has them without settings).
    pub fn new(engine: Arc<Engine>) -> Self {
        Self {
            openapi: std::sync::Mutex::new(None),
            engine,
            body_limit: 2 * 1024 * 1024,
            batch_body_limit: 32 * 1024 * 1024,
            verify_body_limit: 16 * 1024 * 1024,
            template_body_limit: 16 * 1024 * 1024,
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
