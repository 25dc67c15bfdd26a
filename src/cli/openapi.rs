//! `collabdocs openapi`: the API document for the limits given.

use std::io::Write;
use std::path::Path;

use crate::config::LimitSettings;

/// `collabdocs openapi`: the API document for these limits, to a file or standard output.
pub(super) fn openapi(output: Option<&Path>, limits: &LimitSettings) -> Result<(), String> {
    let text = crate::http::openapi::document_text(limits.limits());
    match output {
        Some(path) => {
            std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
        }
        None => std::io::stdout()
            .write_all(text.as_bytes())
            .map_err(|e| e.to_string()),
    }
}
