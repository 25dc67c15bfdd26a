//! Settings: defaults in code, overridden by `COLLABDOCS_*` environment variables or flags,
//! checked at start-up (clap refuses a bad value with a clear message).

use std::path::PathBuf;

use clap::Args;

use crate::engine::EngineOptions;
use crate::input::InputLimits;

/// Settings of the engine, shared by every command.
#[derive(Debug, Clone, Args)]
pub struct EngineSettings {
    /// Directory of replacement templates (`<kind>.hbs`, `partials/*.hbs`); built-ins otherwise.
    #[arg(long, env = "COLLABDOCS_TEMPLATES_DIR")]
    pub templates_dir: Option<PathBuf>,
    /// Longest string accepted in a payload, in characters.
    #[arg(long, env = "COLLABDOCS_MAX_STRING_CHARS", default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_string_chars: u64,
    /// Most items accepted in one array of a payload.
    #[arg(long, env = "COLLABDOCS_MAX_ARRAY_ITEMS", default_value_t = 2_000, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub max_array_items: u64,
}

impl EngineSettings {
    pub fn engine_options(&self) -> EngineOptions {
        EngineOptions {
            templates_dir: self.templates_dir.clone(),
            limits: InputLimits {
                max_string_chars: self.max_string_chars as usize,
                max_array_items: self.max_array_items as usize,
            },
            ..EngineOptions::default()
        }
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Human,
    Json,
}

/// Settings of the HTTP service.
#[derive(Debug, Clone, Args)]
pub struct ServeSettings {
    /// Address and port to listen on.
    #[arg(long, env = "COLLABDOCS_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// HTTP worker threads (0 = one per core).
    #[arg(long, env = "COLLABDOCS_WORKERS", default_value_t = 0)]
    pub workers: usize,
    /// Largest request body accepted, in bytes.
    #[arg(long, env = "COLLABDOCS_BODY_LIMIT_BYTES", default_value_t = 2 * 1024 * 1024, value_parser = clap::value_parser!(u64).range(1024..=512 * 1024 * 1024))]
    pub body_limit_bytes: u64,
    /// Log format: human or json.
    #[arg(long, env = "COLLABDOCS_LOG_FORMAT", value_enum, default_value_t = LogFormat::Human)]
    pub log_format: LogFormat,
    #[command(flatten)]
    pub engine: EngineSettings,
}
