//! The `collabdocs` command: run the service, or render documents without one.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use actix_web::{web, App, HttpServer};
use clap::{Parser, Subcommand};

use collabdocs::config::{EngineSettings, LogFormat, ServeSettings};
use collabdocs::engine::Engine;
use collabdocs::http::{self, AppState};
use collabdocs::kinds::DocumentKind;
use collabdocs::render::OutputFormat;

/// mimalloc: rendering allocates many small strings; the system allocator spent a third of
/// the time in malloc/free (measured with callgrind).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
        /// Output format: pdf, docx, xlsx or html.
        #[arg(short, long, default_value = "pdf")]
        format: String,
        /// Where to write the file; `-` writes standard output.
        #[arg(short, long, default_value = "-")]
        output: PathBuf,
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
            engine,
        } => render(&kind, &input, &format, &output, &engine),
        Command::Example { kind } => {
            kind_arg(&kind).map(|k| println!("{}", k.example().trim_end()))
        }
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

fn serve(s: ServeSettings) -> Result<(), String> {
    init_logging(s.log_format);
    let engine = Arc::new(Engine::new(s.engine.engine_options()?).map_err(|e| e.to_string())?);
    let state = web::Data::new(AppState {
        engine,
        body_limit: s.body_limit_bytes as usize,
    });
    let workers = if s.workers == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        s.workers
    };
    tracing::info!(bind = %s.bind, workers, "collabdocs listening");
    let bind = s.bind.clone();
    actix_web::rt::System::new()
        .block_on(async move {
            HttpServer::new(move || {
                App::new()
                    .app_data(state.clone())
                    .configure(http::configure)
            })
            .workers(workers)
            .bind(&bind)?
            .run()
            .await
        })
        .map_err(|e| format!("cannot serve on {}: {e}", s.bind))
}

fn render(
    kind: &str,
    input: &PathBuf,
    format: &str,
    output: &PathBuf,
    settings: &EngineSettings,
) -> Result<(), String> {
    let kind = kind_arg(kind)?;
    let format = OutputFormat::parse(format)
        .ok_or_else(|| format!("unknown format \"{format}\"; use pdf, docx, xlsx or html"))?;
    let mut body = Vec::new();
    if input.as_os_str() == "-" {
        std::io::stdin()
            .read_to_end(&mut body)
            .map_err(|e| format!("reading standard input: {e}"))?;
    } else {
        body = std::fs::read(input).map_err(|e| format!("reading {}: {e}", input.display()))?;
    }
    let engine = Engine::new(settings.engine_options()?).map_err(|e| e.to_string())?;
    let value = Engine::parse_json(&body).map_err(|e| e.to_string())?;
    let rendered = engine.render(kind, &value, format).map_err(|e| match e {
        collabdocs::error::Error::Invalid(errors) => {
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
            format!("the payload is not valid:\n{}", lines.join("\n"))
        }
        other => other.to_string(),
    })?;
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
