//! `collabdocs render`: one document from a JSON payload.

use std::io::{Read, Write};
use std::path::PathBuf;

use super::{describe, kind_arg};
use crate::config::EngineSettings;
use crate::engine::Engine;
use crate::render::OutputFormat;

pub(super) fn render(
    kind: &str,
    input: &PathBuf,
    (format, style): (&str, &str),
    output: &PathBuf,
    sign: bool,
    settings: &EngineSettings,
) -> Result<(), String> {
    let kind = kind_arg(kind)?;
    let profile = crate::values::Profile::parse(style).ok_or_else(|| {
        format!(
            "unknown style \"{style}\"; use {}",
            crate::values::Profile::names()
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
    let value = crate::input::json(&body).map_err(|e| e.to_string())?;
    let request = crate::engine::Request::new(&engine, kind, format, profile, sign)
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
