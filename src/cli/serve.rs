//! `collabdocs serve`: the HTTP service, its start and its draining shutdown; and
//! `collabdocs health`, the check a container runs against it.

use std::io::{Read, Write};
use std::sync::Arc;
use std::time::Duration;

use actix_web::{web, HttpServer};

use crate::config::ServeSettings;
use crate::engine::Engine;
use crate::http::{self, AppState};

pub(super) fn serve(s: ServeSettings) -> Result<(), String> {
    super::init_logging(s.log_format);
    let engine = Arc::new(Engine::new(s.engine.engine_options()?).map_err(|e| e.to_string())?);
    let clean = |keys: &[String]| -> Vec<String> {
        keys.iter()
            .map(|k| k.trim().to_string())
            .filter(|k| !k.is_empty())
            .collect()
    };
    let keys = clean(&s.api_keys);
    let signing_keys = clean(&s.signing_api_keys);
    if signing_keys.iter().any(|k| !keys.contains(k)) {
        return Err(
            "COLLABDOCS_SIGNING_API_KEYS: every signing key must also be one of COLLABDOCS_API_KEYS"
                .into(),
        );
    }
    let defaults = AppState::new(engine.clone());
    let state = web::Data::new(AppState {
        body_limit: s.body_limit_bytes as usize,
        batch_body_limit: s.batch_body_limit_bytes as usize,
        verify_body_limit: s.verify_body_limit_bytes as usize,
        template_body_limit: s.template_body_limit_bytes as usize,
        body_timeout: Duration::from_millis(s.body_timeout_ms),
        bodies: Arc::new(http::BodyBudget::new(s.body_budget_bytes as usize)),
        batch_max_items: s.batch_max_items as usize,
        slots: if s.max_concurrent_renders == 0 {
            defaults.slots.clone()
        } else {
            Arc::new(http::Slots::new(s.max_concurrent_renders))
        },
        render_timeout: Duration::from_millis(s.render_timeout_ms),
        api_keys: keys,
        signing_keys,
        watch_templates: s.watch_templates,
        ..defaults
    });
    if s.watch_templates {
        crate::watch::spawn(engine.clone())?;
    }
    let workers = if s.workers == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        s.workers
    };
    tracing::info!(bind = %s.bind, workers, max_renders = state.slots.max(), auth = !state.api_keys.is_empty(), "collabdocs listening");
    let bind = s.bind.clone();
    let draining = state.draining.clone();
    actix_web::rt::System::new()
        .block_on(async move {
            let server = HttpServer::new(move || http::app(state.clone()))
                .workers(workers)
                .client_request_timeout(Duration::from_millis(s.client_timeout_ms))
                .shutdown_timeout(s.shutdown_timeout_secs)
                .disable_signals()
                .bind(&bind)?
                .run();
            let handle = server.handle();
            // SIGTERM or Ctrl-C: report not-ready, keep serving for the drain time, then stop
            // accepting and let requests in flight finish.
            actix_web::rt::spawn(async move {
                wait_for_shutdown_signal().await;
                draining.store(true, std::sync::atomic::Ordering::Relaxed);
                tracing::info!(drain_secs = s.drain_secs, "shutting down: draining");
                actix_web::rt::time::sleep(Duration::from_secs(s.drain_secs)).await;
                handle.stop(true).await;
            });
            server.await
        })
        .map_err(|e| format!("cannot serve on {}: {e}", s.bind))
}

async fn wait_for_shutdown_signal() {
    #[cfg(unix)]
    {
        use actix_web::rt::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio_select(term.recv(), actix_web::rt::signal::ctrl_c()).await;
            }
            Err(_) => {
                let _ = actix_web::rt::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = actix_web::rt::signal::ctrl_c().await;
    }
}

/// Waits for whichever of two futures finishes first.
async fn tokio_select<A: std::future::Future, B: std::future::Future>(a: A, b: B) {
    let a = std::pin::pin!(a);
    let b = std::pin::pin!(b);
    futures_util::future::select(a, b).await;
}

/// GET /healthz over a plain socket; success only on a 200.
pub(super) fn health(addr: &str) -> Result<(), String> {
    use std::net::ToSocketAddrs;
    let addr = addr.replace("0.0.0.0", "127.0.0.1");
    let target = addr
        .to_socket_addrs()
        .map_err(|e| format!("{addr}: {e}"))?
        .next()
        .ok_or(format!("{addr}: no address"))?;
    let mut s = std::net::TcpStream::connect_timeout(&target, Duration::from_secs(2))
        .map_err(|e| format!("{addr}: {e}"))?;
    s.set_read_timeout(Some(Duration::from_secs(2)))
        .map_err(|e| e.to_string())?;
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .map_err(|e| e.to_string())?;
    let mut head = [0u8; 12];
    s.read_exact(&mut head).map_err(|e| e.to_string())?;
    if head.starts_with(b"HTTP/1.1 200") {
        Ok(())
    } else {
        Err(format!(
            "{addr}/healthz answered {}",
            String::from_utf8_lossy(&head)
        ))
    }
}
