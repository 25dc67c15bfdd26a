//! `collabdocs render`: one document from a JSON payload.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::{describe, kind_arg};
use crate::config::EngineSettings;
use crate::engine::Engine;
use crate::render::OutputFormat;

pub(super) fn render(
    kind: &str,
    input: &PathBuf,
    (format, style): (Option<&str>, &str),
    (template, word_template, excel_template): (Option<&str>, Option<&Path>, Option<&Path>),
    output: &PathBuf,
    (sign, cross_page_seal): (bool, bool),
    settings: &EngineSettings,
) -> Result<(), String> {
    let name = kind;
    let profile = crate::values::Profile::parse(style).ok_or_else(|| {
        format!(
            "unknown style \"{style}\"; use {}",
            crate::values::Profile::names()
        )
    })?;
    let folder_kind = crate::kinds::DocumentKind::from_slug(name).is_none();
    let with_template = template.is_some() || word_template.is_some() || folder_kind;
    let mut body = Vec::new();
    if input.as_os_str() == "-" {
        std::io::stdin()
            .read_to_end(&mut body)
            .map_err(|e| format!("reading standard input: {e}"))?;
    } else {
        body = std::fs::read(input).map_err(|e| format!("reading {}: {e}", input.display()))?;
    }
    let engine = Engine::new(settings.engine_options()?).map_err(|e| e.to_string())?;
    // A template's own format unless asked: a workbook's xlsx, a Word template's docx.
    let folder = engine.folder_kind(name);
    let excel = excel_template.is_some()
        || matches!(folder, Some(crate::engine::Folder::Excel(_)))
        || template.is_some_and(|t| {
            engine.excel_templates().get(t).is_some() && engine.word_templates().get(t).is_none()
        });
    let format = format.unwrap_or(match (excel, with_template) {
        (true, _) => "xlsx",
        (false, true) => "docx",
        (false, false) => "pdf",
    });
    let format = OutputFormat::parse(format)
        .ok_or_else(|| format!("unknown format \"{format}\"; use {}", OutputFormat::names()))?;
    let value = crate::input::json(&body).map_err(|e| e.to_string())?;
    // A kind a Word or Excel template folder of the templates directory defines.
    if let Some(folder) = folder {
        if !folder.formats().contains(&format)
            || sign
            || template.is_some()
            || word_template.is_some()
            || excel_template.is_some()
            || profile != crate::values::Profile::Standard
        {
            return Err(format!(
                "{name} is a kind defined by {}: a {} in its own layout (leave out --style, --sign and the template options)",
                folder.defined_by(),
                folder.format_names()
            ));
        }
        let rendered = engine
            .fill_folder(&folder, &value, format)
            .map_err(|e| describe(&e))?;
        return write(&rendered, output);
    }
    let kind = kind_arg(name)?;
    let mut request = crate::engine::Request::new(&engine, kind, format, profile, sign)
        .and_then(|r| r.with_cross_page_seal(&engine, cross_page_seal))
        .map_err(|e| describe(&e))?;
    let rendered = if let Some(path) = excel_template {
        let bytes =
            std::fs::read(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
        if !matches!(format, OutputFormat::Xlsx | OutputFormat::Html)
            || sign
            || profile != crate::values::Profile::Standard
        {
            return Err("an Excel template is filled as xlsx (or shown as html), in its own layout, not signed: leave out --style and --sign".into());
        }
        engine.fill_uploaded_excel(bytes, Some(kind), &value, format)
    } else if let Some(path) = word_template {
        let bytes =
            std::fs::read(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
        // The same checks as a named template: docx, own layout, not signed.
        if !format.fills_word_template()
            || sign
            || profile != crate::values::Profile::Standard
        {
            return Err("a Word template is filled as docx (or laid out as pdf or html), in its own layout, not signed: leave out --style and --sign".into());
        }
        engine.fill_uploaded(bytes, Some(kind), &value, format)
    } else {
        if let Some(name) = template {
            request = request.with_template(&engine, name).map_err(|e| describe(&e))?;
        }
        engine.run(&request, &value)
    }
    .map_err(|e| describe(&e))?;
    write(&rendered, output)
}

/// Writes a rendered file (`-`: standard output), its warnings on standard error.
fn write(rendered: &crate::engine::Rendered, output: &PathBuf) -> Result<(), String> {
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
