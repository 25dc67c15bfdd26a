//! The `collabdocs` command: run the service, or render documents without one.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use actix_web::{web, HttpServer};
use clap::{Parser, Subcommand};

use collabdocs::batch::{self, BatchItem, ManifestEntry};
use collabdocs::config::{EngineSettings, LimitSettings, LogFormat, ServeSettings};
use collabdocs::engine::Engine;
use collabdocs::error::{Error, FieldError};
use collabdocs::http::{self, AppState};
use collabdocs::kinds::DocumentKind;
use collabdocs::render::OutputFormat;

#[derive(Debug, Parser)]
#[command(
    name = "collabdocs",
    version,
    about = "Cross-department collaboration paperwork from JSON to DOCX, XLSX, PDF and HTML."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP service.
    Serve(ServeSettings),
    /// Render one document from a JSON payload.
    Render {
        /// The document kind (see `collabdocs kinds`).
        kind: String,
        /// The payload file; `-` reads standard input.
        #[arg(short, long, default_value = "-")]
        input: PathBuf,
        /// Output format (see `collabdocs kinds`): pdf, docx, xlsx or html.
        #[arg(short, long, default_value = "pdf")]
        format: String,
        /// Where to write the file; `-` writes standard output.
        #[arg(short, long, default_value = "-")]
        output: PathBuf,
        /// Digitally sign the PDF (agreements only; needs --signing-key and --signing-cert).
        #[arg(long)]
        sign: bool,
        /// House style: standard, or official (GB/T 9704-2012; meeting-minutes,
        /// meeting-notice and collaboration-memo).
        #[arg(long, default_value = "standard", value_parser = ["standard", "official"])]
        style: String,
        #[command(flatten)]
        engine: EngineSettings,
    },
    /// Render many documents from a jobs file into a directory or a ZIP.
    ///
    /// The jobs file is JSON (`{"items": [...]}` or an array) or NDJSON (one item per line);
    /// each item is `{"kind", "format", "filename"?, "data"}`. Exits non-zero if any item failed.
    Batch {
        /// The jobs file; `-` reads standard input.
        jobs: PathBuf,
        /// Write the files and manifest.json into this directory.
        #[arg(long, required_unless_present = "zip", conflicts_with = "zip")]
        out_dir: Option<PathBuf>,
        /// Write one ZIP (files + manifest.json) instead.
        #[arg(long)]
        zip: Option<PathBuf>,
        /// Render threads (0 = one per core).
        #[arg(long, default_value_t = 0)]
        workers: usize,
        /// Check every item first and render nothing if any is invalid.
        #[arg(long)]
        fail_fast: bool,
        #[command(flatten)]
        engine: EngineSettings,
    },
    /// Print a kind's complete example payload.
    Example {
        /// The document kind.
        kind: String,
    },
    /// List the document kinds.
    Kinds,
    /// Write a key and a self-signed certificate (key.pem, cert.pem) for trying signing out.
    ///
    /// Not for production: a self-signed certificate proves nothing to anyone else. Start the
    /// service with COLLABDOCS_SIGNING_KEY=DIR/key.pem COLLABDOCS_SIGNING_CERT=DIR/cert.pem.
    DevCert {
        /// The directory to write key.pem and cert.pem into (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// The organisation the certificate names (O and CN).
        #[arg(long, default_value = "collabdocs 开发测试")]
        organisation: String,
    },
    /// Check the digital signatures of a PDF; exits non-zero unless valid.
    Verify {
        /// The PDF file.
        pdf: PathBuf,
        /// This service's signing certificate (PEM), to report `signed_by_this_service`.
        #[arg(long, env = "COLLABDOCS_SIGNING_CERT")]
        signing_cert: Option<PathBuf>,
        /// PEM bundle of trust anchors, to report whether each signer is trusted.
        #[arg(long, env = "COLLABDOCS_TRUST_ANCHORS")]
        trust_anchors: Option<PathBuf>,
    },
    /// Print the OpenAPI 3.1 document (the one served at /openapi.json).
    ///
    /// With the default limits this is `openapi/openapi.json` as committed.
    Openapi {
        /// Write it to this file instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        limits: LimitSettings,
    },
    /// Check that a running service answers /healthz (for container health checks).
    Health {
        /// Address of the service.
        #[arg(long, env = "COLLABDOCS_BIND", default_value = "127.0.0.1:8080")]
        addr: String,
    },
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("COLLABDOCS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Human => builder.init(),
    }
}

fn kind_arg(s: &str) -> Result<DocumentKind, String> {
    DocumentKind::from_slug(s).ok_or_else(|| {
        let all: Vec<&str> = DocumentKind::ALL.iter().map(|k| k.slug()).collect();
        format!("unknown kind \"{s}\"; kinds: {}", all.join(", "))
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(s) => serve(s),
        Command::Render {
            kind,
            input,
            format,
            output,
            sign,
            style,
            engine,
        } => render(&kind, &input, (&format, &style), &output, sign, &engine),
        Command::Batch {
            jobs,
            out_dir,
            zip,
            workers,
            fail_fast,
            engine,
        } => batch(
            &jobs,
            out_dir.as_deref(),
            zip.as_deref(),
            workers,
            fail_fast,
            &engine,
        ),
        Command::Example { kind } => {
            kind_arg(&kind).map(|k| println!("{}", k.example().trim_end()))
        }
        Command::Health { addr } => health(&addr),
        Command::Openapi { output, limits } => openapi(output.as_deref(), &limits),
        Command::DevCert { out, organisation } => dev_cert(&out, &organisation),
        Command::Verify {
            pdf,
            signing_cert,
            trust_anchors,
        } => verify(&pdf, signing_cert.as_deref(), trust_anchors.as_deref()),
        Command::Kinds => {
            for k in DocumentKind::ALL {
                println!("{:<16} {}  {}", k.slug(), k.title_zh(), k.title_en());
            }
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("collabdocs: {msg}");
            ExitCode::FAILURE
        }
    }
}

/// `collabdocs verify`: prints the report; an error unless every signature is valid.
fn verify(
    pdf: &Path,
    signing_cert: Option<&Path>,
    trust_anchors: Option<&Path>,
) -> Result<(), String> {
    let ours = signing_cert
        .map(|path| {
            std::fs::read(path)
                .map_err(|e| format!("reading {}: {e}", path.display()))
                .and_then(|pem| collabdocs::sign::certificate_sha256_pem(&pem))
        })
        .transpose()?;
    let anchors = trust_anchors
        .map(collabdocs::config::read_anchors)
        .transpose()?
        .unwrap_or_default();
    let bytes = std::fs::read(pdf).map_err(|e| format!("reading {}: {e}", pdf.display()))?;
    let report = collabdocs::sign::verify(&bytes, &collabdocs::sign::Trust { ours, anchors });
    println!(
        "{}",
        serde_json::to_string_pretty(&report).unwrap_or_default()
    );
    if report.valid {
        Ok(())
    } else {
        Err(format!("{}: the signature is not valid", pdf.display()))
    }
}

/// `collabdocs openapi`: the API document for these limits, to a file or standard output.
fn openapi(output: Option<&Path>, limits: &LimitSettings) -> Result<(), String> {
    let text = collabdocs::http::openapi::document_text(limits.limits());
    match output {
        Some(path) => {
            std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
        }
        None => std::io::stdout()
            .write_all(text.as_bytes())
            .map_err(|e| e.to_string()),
    }
}

fn serve(s: ServeSettings) -> Result<(), String> {
    init_logging(s.log_format);
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
        collabdocs::watch::spawn(engine.clone())?;
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

fn render(
    kind: &str,
    input: &PathBuf,
    (format, style): (&str, &str),
    output: &PathBuf,
    sign: bool,
    settings: &EngineSettings,
) -> Result<(), String> {
    let kind = kind_arg(kind)?;
    let profile = collabdocs::values::Profile::parse(style).ok_or_else(|| {
        format!(
            "unknown style \"{style}\"; use {}",
            collabdocs::values::Profile::names()
        )
    })?;
    let format = OutputFormat::parse(format)
        .ok_or_else(|| format!("unknown format \"{format}\"; use {}", OutputFormat::names()))?;
    let mut body = Vec::new();
    if input.as_os_str() == "-" {
        std::io::stdin()
            .read_to_end(&mut body)
            .map_err(|e| format!("reading standard input: {e}"))?;
    } else {
        body = std::fs::read(input).map_err(|e| format!("reading {}: {e}", input.display()))?;
    }
    let engine = Engine::new(settings.engine_options()?).map_err(|e| e.to_string())?;
    let value = collabdocs::input::json(&body).map_err(|e| e.to_string())?;
    let request = collabdocs::engine::Request::new(&engine, kind, format, profile, sign)
        .map_err(|e| describe(&e))?;
    let rendered = engine.run(&request, &value).map_err(|e| describe(&e))?;
    for w in &rendered.warnings {
        eprintln!("warning: {}: {}", w.path, w.message);
    }
    if output.as_os_str() == "-" {
        std::io::stdout()
            .write_all(&rendered.bytes)
            .map_err(|e| format!("writing standard output: {e}"))?;
    } else {
        std::fs::write(output, &rendered.bytes)
            .map_err(|e| format!("writing {}: {e}", output.display()))?;
    }
    Ok(())
}

fn dev_cert(out: &Path, organisation: &str) -> Result<(), String> {
    let (key, cert) = collabdocs::sign::dev_cert(organisation)?;
    std::fs::create_dir_all(out).map_err(|e| format!("creating {}: {e}", out.display()))?;
    let key_path = out.join("key.pem");
    let cert_path = out.join("cert.pem");
    std::fs::write(&key_path, key).map_err(|e| format!("writing {}: {e}", key_path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o600));
    }
    std::fs::write(&cert_path, cert)
        .map_err(|e| format!("writing {}: {e}", cert_path.display()))?;
    eprintln!(
        "wrote {} and {} (self-signed, for trying signing out only)\n\
         start the service with:\n  COLLABDOCS_SIGNING_KEY={} COLLABDOCS_SIGNING_CERT={} collabdocs serve",
        key_path.display(),
        cert_path.display(),
        key_path.display(),
        cert_path.display()
    );
    Ok(())
}

/// Reads a jobs file: JSON object with `items`, JSON array, or NDJSON.
fn read_jobs(
    path: &Path,
    limits: collabdocs::budget::Limits,
    max: usize,
) -> Result<Vec<Result<BatchItem, Vec<FieldError>>>, String> {
    let text = if path.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("reading standard input: {e}"))?;
        s
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?
    };
    let ndjson = path
        .extension()
        .is_some_and(|e| e == "ndjson" || e == "jsonl");
    let value: serde_json::Value = if ndjson {
        let mut items: Vec<serde_json::Value> = Vec::new();
        for (n, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            if items.len() == max {
                return Err(format!(
                    "{}: the batch has more than {max} items; the limit is {max}",
                    path.display()
                ));
            }
            items.push(
                serde_json::from_str(line)
                    .map_err(|e| format!("{} line {}: {e}", path.display(), n + 1))?,
            );
        }
        serde_json::json!({ "items": items })
    } else {
        match batch::parse_json(text.as_bytes(), max)
            .map_err(|e| format!("{}: {}", path.display(), describe(&e)))?
        {
            serde_json::Value::Array(items) => serde_json::json!({ "items": items }),
            other => other,
        }
    };
    batch::parse_body(&value, limits, max, false).map_err(|e| describe(&e))
}

fn describe(e: &Error) -> String {
    match e {
        Error::Invalid(errors, more) => {
            let lines: Vec<String> = errors
                .iter()
                .map(|e| {
                    format!(
                        "  {}: {}",
                        if e.path.is_empty() { "/" } else { &e.path },
                        e.message
                    )
                })
                .collect();
            let more = if *more > 0 {
                format!("\n  … and {more} more")
            } else {
                String::new()
            };
            format!("the payload is not valid:\n{}{more}", lines.join("\n"))
        }
        other => other.to_string(),
    }
}

fn batch(
    jobs: &Path,
    out_dir: Option<&Path>,
    zip: Option<&Path>,
    workers: usize,
    fail_fast: bool,
    settings: &EngineSettings,
) -> Result<(), String> {
    let engine = Engine::new(settings.engine_options()?).map_err(|e| e.to_string())?;
    let items = read_jobs(jobs, engine.limits(), 1_000_000)?;
    if fail_fast {
        batch::check_all(&engine, &items).map_err(|e| describe(&e))?;
    }
    let total = items.len();
    let workers = if workers == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        workers
    };
    let started = std::time::Instant::now();
    let tty = std::io::stderr().is_terminal();
    let progress = |i: usize, _: &ManifestEntry| {
        if tty {
            let done = i + 1;
            let filled = done * 30 / total.max(1);
            eprint!(
                "\r[{}{}] {done}/{total}",
                "#".repeat(filled),
                " ".repeat(30 - filled)
            );
        }
    };
    let manifest = match (out_dir, zip) {
        (_, Some(zip_path)) => {
            let file = std::fs::File::create(zip_path)
                .map_err(|e| format!("creating {}: {e}", zip_path.display()))?;
            batch::to_zip(
                &engine,
                items,
                workers,
                std::io::BufWriter::new(file),
                progress,
            )
            .map_err(|e| describe(&e))?
        }
        (Some(dir), None) => {
            std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
            let manifest = batch::run(
                &engine,
                items,
                workers,
                |name, bytes| {
                    std::fs::write(dir.join(name), bytes)
                        .map_err(|e| Error::Internal(format!("writing {name}: {e}")))
                },
                progress,
            )
            .map_err(|e| describe(&e))?;
            let json = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
            std::fs::write(dir.join("manifest.json"), json)
                .map_err(|e| format!("writing manifest.json: {e}"))?;
            manifest
        }
        (None, None) => return Err("give --out-dir DIR or --zip FILE".into()),
    };
    if tty {
        eprintln!();
    }
    report(&manifest, total, started.elapsed().as_secs_f64())
}

/// Tells on standard error how the batch went, each failed item with its problems; `Err`
/// when any failed.
fn report(manifest: &[ManifestEntry], total: usize, secs: f64) -> Result<(), String> {
    let failed: Vec<&ManifestEntry> = manifest.iter().filter(|m| m.status != "ok").collect();
    for m in &failed {
        let p = m.problem.as_ref();
        eprintln!(
            "item {} failed: {}",
            m.index,
            p.map(|p| p.detail.as_str()).unwrap_or("")
        );
        for e in p.map(|p| p.errors.as_slice()).unwrap_or_default() {
            eprintln!("  {}: {}", e.path, e.message);
        }
    }
    eprintln!(
        "rendered {} of {total} documents in {secs:.2} s ({:.0} docs/s){}",
        total - failed.len(),
        total as f64 / secs.max(1e-9),
        if failed.is_empty() {
            String::new()
        } else {
            format!("; {} failed", failed.len())
        }
    );
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("{} of {total} items failed", failed.len()))
    }
}

/// GET /healthz over a plain socket; success only on a 200.
fn health(addr: &str) -> Result<(), String> {
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
