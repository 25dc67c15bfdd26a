//! Archive copies: the archival form a PDF is written in, and what a PDF/A copy carries
//! besides its pages — the payload it was made from, named and dated after the document.

use serde_json::Value;
use std::sync::Arc;

use crate::kinds::DocumentKind;

/// The archival form of a PDF.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ArchiveFormat {
    /// A plain PDF.
    #[default]
    None,
    /// PDF/A-3b (ISO 19005-3), the payload attached as its source.
    Pdfa,
}

impl ArchiveFormat {
    /// Reads `?archive=`: `pdfa` or `none`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pdfa" => Some(Self::Pdfa),
            "none" => Some(Self::None),
            _ => None,
        }
    }
}

/// The archive copy's attachment: the payload as JSON, named and dated after the document
/// (`会议纪要-2026-07-28` → `meeting-minutes-2026-07-28.json` — ASCII, as a file
/// specification's `/F` is read —, 2026-07-28; 1980-01-01 when the name carries no date).
pub(super) fn archive_copy(
    kind: DocumentKind,
    file_stem: &str,
    body: &Value,
) -> crate::document::Archive {
    archive_attachment(&super::ascii_stem(kind, file_stem), file_stem, body)
}

/// The payload attached as `<ascii_stem>.json`, dated by the date `file_stem` ends with.
pub(super) fn archive_attachment(
    ascii_stem: &str,
    file_stem: &str,
    body: &Value,
) -> crate::document::Archive {
    let date = file_stem
        .len()
        .checked_sub(10)
        .and_then(|at| file_stem.get(at..))
        .and_then(crate::values::Date::parse)
        .map_or((1980, 1, 1), |d| {
            (d.year as u16, d.month as u8, d.day as u8)
        });
    crate::document::Archive {
        name: format!("{ascii_stem}.json"),
        json: Arc::new(serde_json::to_vec_pretty(body).unwrap_or_default()),
        date,
    }
}
