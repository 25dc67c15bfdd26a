//! The `collabdocs` command: run the service, or render documents without one. One file per
//! command or small group: [`serve`] (the service, its health check), [`render`], [`batch`],
//! [`signing`] (verify, dev-cert) and [`openapi`].

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::{EngineSettings, LimitSettings, LogFormat, ServeSettings};
use crate::error::Error;
use crate::kinds::DocumentKind;

mod batch;
mod openapi;
mod render;
mod serve;
mod signing;

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
        /// Output format (see `collabdocs kinds`): pdf, docx, xlsx, html or ofd. Default: pdf, or
        /// docx with a Word template.
        #[arg(short, long)]
        format: Option<String>,
        /// Where to write the file; `-` writes standard output.
        #[arg(short, long, default_value = "-")]
        output: PathBuf,
        /// Fill the Word template of this name (`<templates dir>/word/<name>/`) instead of the
        /// kind's own layout.
        #[arg(long, conflicts_with = "word_template")]
        template: Option<String>,
        /// Fill this .docx as a Word template of the kind (as `POST /v1/render` does).
        #[arg(long)]
        word_template: Option<PathBuf>,
        /// Fill this .xlsx as an Excel template of the kind (as `POST /v1/render?format=xlsx`
        /// does).
        #[arg(long, conflicts_with_all = ["template", "word_template"])]
        excel_template: Option<PathBuf>,
        /// Digitally sign the PDF (agreements only; needs --signing-key and --signing-cert).
        #[arg(long)]
        sign: bool,
        /// With --sign: press the organisation's seal (COLLABDOCS_SEAL_IMAGE) across the right
        /// edge of every page (骑缝章).
        #[arg(long, requires = "sign")]
        cross_page_seal: bool,
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
    /// List the document kinds, with those the Word and Excel template folders of a
    /// templates directory define (`word/<name>/`, `excel/<name>/` with a schema).
    Kinds {
        /// The templates directory whose Word and Excel template folders may define kinds.
        #[arg(long, env = "COLLABDOCS_TEMPLATES_DIR")]
        templates_dir: Option<PathBuf>,
    },
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

/// Runs the command line: parses the arguments, runs the command, and says how it went.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(s) => serve::serve(s),
        Command::Render {
            kind,
            input,
            format,
            output,
            template,
            word_template,
            excel_template,
            sign,
            cross_page_seal,
            style,
            engine,
        } => render::render(
            &kind,
            &input,
            (format.as_deref(), &style),
            (
                template.as_deref(),
                word_template.as_deref(),
                excel_template.as_deref(),
            ),
            &output,
            (sign, cross_page_seal),
            &engine,
        ),
        Command::Batch {
            jobs,
            out_dir,
            zip,
            workers,
            fail_fast,
            engine,
        } => batch::batch(
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
        Command::Health { addr } => serve::health(&addr),
        Command::Openapi { output, limits } => openapi::openapi(output.as_deref(), &limits),
        Command::DevCert { out, organisation } => signing::dev_cert(&out, &organisation),
        Command::Verify {
            pdf,
            signing_cert,
            trust_anchors,
        } => signing::verify(&pdf, signing_cert.as_deref(), trust_anchors.as_deref()),
        Command::Kinds { templates_dir } => kinds(templates_dir),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("collabdocs: {msg}");
            ExitCode::FAILURE
        }
    }
}

pub(super) fn init_logging(format: LogFormat) {
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

pub(super) fn kind_arg(s: &str) -> Result<DocumentKind, String> {
    DocumentKind::from_slug(s).ok_or_else(|| {
        let all: Vec<&str> = DocumentKind::ALL.iter().map(|k| k.slug()).collect();
        format!("unknown kind \"{s}\"; kinds: {}", all.join(", "))
    })
}

pub(super) fn describe(e: &Error) -> String {
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

/// `collabdocs kinds`: the built-in kinds, then the folders' (their templates proven first).
fn kinds(templates_dir: Option<PathBuf>) -> Result<(), String> {
    for k in DocumentKind::ALL {
        println!("{:<16} {}  {}", k.slug(), k.title_zh(), k.title_en());
    }
    if let Some(dir) = templates_dir {
        let engine = crate::engine::Engine::new(crate::engine::EngineOptions {
            templates_dir: Some(dir),
            ..Default::default()
        })
        .map_err(|e| e.to_string())?;
        for folder in engine.folder_kinds() {
            println!(
                "{:<16} {}  {}  ({}: {})",
                folder.name(),
                folder.kind().title,
                folder.kind().title_en,
                folder.defined_by(),
                folder.format_names()
            );
        }
    }
    Ok(())
}
