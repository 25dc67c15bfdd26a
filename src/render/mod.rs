//! Output formats and the dispatch from a [`Document`] to bytes. Renderers know nothing of kinds.

use std::io::Write;

use crate::document::Document;

pub mod docx;
pub mod fonts;
pub mod html;
pub mod ofd;
pub mod pdf;
pub mod xlsx;

/// Declares the output formats once: each one's name, media type and renderer. Every list
/// of formats — `OutputFormat::ALL`, the names in messages, the API document — comes from here.
macro_rules! output_formats {
    ($( $variant:ident => $ext:literal, $mime:literal, $render:path; )+) => {
        /// The formats a document can be rendered to.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, utoipa::ToSchema)]
        #[serde(rename_all = "lowercase")]
        pub enum OutputFormat { $( $variant ),+ }

        impl OutputFormat {
            /// Every format, the default (PDF) first.
            pub const ALL: &'static [OutputFormat] = &[$( OutputFormat::$variant ),+];

            pub fn extension(self) -> &'static str {
                match self { $( OutputFormat::$variant => $ext ),+ }
            }

            pub fn mime(self) -> &'static str {
                match self { $( OutputFormat::$variant => $mime ),+ }
            }

            /// The renderer: every format's has the same signature, [`Renderer`].
            fn renderer(self) -> Renderer {
                match self { $( OutputFormat::$variant => $render ),+ }
            }
        }
    };
}

output_formats! {
    Pdf => "pdf", "application/pdf", pdf::render;
    Docx => "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx::render;
    Xlsx => "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx::render;
    Html => "html", "text/html; charset=utf-8", html::render;
    Ofd => "ofd", "application/ofd", ofd::render;
}

/// What renders a document in one format.
pub type Renderer = fn(&Document, &Theme) -> Result<Output, RenderError>;

impl OutputFormat {
    /// The formats a filled Word template comes in: the DOCX, and laid out as PDF, HTML or
    /// OFD.
    pub const WORD_TEMPLATE: [OutputFormat; 4] = [
        OutputFormat::Docx,
        OutputFormat::Pdf,
        OutputFormat::Html,
        OutputFormat::Ofd,
    ];

    /// Whether a Word template can be filled into this format.
    pub fn fills_word_template(self) -> bool {
        Self::WORD_TEMPLATE.contains(&self)
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|f| f.extension() == s)
    }

    /// Every format's name, for messages: `pdf, docx, xlsx, html`.
    pub fn names() -> String {
        Self::ALL
            .iter()
            .map(|f| f.extension())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The format named by a MIME type in an `Accept` header, if any.
    pub fn from_mime(m: &str) -> Option<Self> {
        let essence = m.split(';').next().unwrap_or("").trim();
        Self::ALL
            .iter()
            .copied()
            .find(|f| f.mime().split(';').next() == Some(essence))
    }
}

impl<'de> serde::Deserialize<'de> for OutputFormat {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        OutputFormat::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!("must be one of {}", OutputFormat::names()))
        })
    }
}

impl schemars::JsonSchema for OutputFormat {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "OutputFormat".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        crate::values::utoipa_schema::<Self>()
    }
}

impl std::fmt::Display for OutputFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.extension())
    }
}

/// Font names written into DOCX/XLSX (which name fonts rather than embed them).
#[derive(Debug, Clone)]
pub struct Theme {
    /// East Asian body font, e.g. 宋体.
    pub body_east_asia: String,
    /// East Asian heading font, e.g. 黑体.
    pub heading_east_asia: String,
    /// Latin font for letters and digits.
    pub latin: String,
    /// The faces PDF draws with (the embedded CJK face unless a fonts directory is set).
    pub fonts: &'static fonts::FontSet,
}

impl Default for Theme {
    fn default() -> Self {
        Self {
            body_east_asia: "宋体".into(),
            heading_east_asia: "黑体".into(),
            latin: "Arial".into(),
            fonts: fonts::FontSet::builtin(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The document is too big for the format (a writer's limit); the client's payload is to blame.
    #[error("{0}")]
    TooBig(String),
    /// The render's time ran out or its caller left ([`crate::budget`]).
    #[error("{0}")]
    Stopped(crate::budget::Stop),
    /// The document cannot be written in the form asked (a PDF/A copy of characters no font
    /// has); the message names what and why.
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Internal(String),
}

/// A rendered file.
#[derive(Debug, Clone)]
pub struct Output {
    pub bytes: Vec<u8>,
    /// Characters no configured font could draw (PDF only; other formats name fonts).
    pub missing_glyphs: Vec<char>,
    /// Where anchored blocks landed (PDF only).
    pub anchors: Vec<pdf::layout::Anchor>,
}

/// Renders a document in the given format.
pub fn render(doc: &Document, format: OutputFormat, theme: &Theme) -> Result<Output, RenderError> {
    format.renderer()(doc, theme)
}

impl Output {
    /// A file with nothing to report beside its bytes.
    pub fn plain(bytes: Vec<u8>) -> Self {
        Self {
            bytes,
            missing_glyphs: Vec::new(),
            anchors: Vec::new(),
        }
    }
}

/// ZIP entry options that make packages reproducible: stamped 1980-01-01 00:00, fixed
/// permissions, and deflated at a fast level — unless deflating would cost more than it
/// saves: a part under 2 KB (setting up a deflate stream costs more time than those bytes)
/// or one already compressed (a PDF, an Office package, a PNG or JPEG) is stored.
pub fn zip_entry_options(bytes: &[u8]) -> zip::write::SimpleFileOptions {
    const SMALL_PART: usize = 2048;
    const COMPRESSED: [&[u8]; 4] = [b"%PDF-", b"PK\x03\x04", b"\x89PNG", b"\xff\xd8\xff"];
    if bytes.len() < SMALL_PART || COMPRESSED.iter().any(|m| bytes.starts_with(m)) {
        zip_stored_options()
    } else {
        zip_stored_options()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(1))
    }
}

/// ZIP entry options of a stored (not deflated) entry, stamped as [`zip_entry_options`] does.
pub fn zip_stored_options() -> zip::write::SimpleFileOptions {
    zip::write::SimpleFileOptions::default()
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644)
        .compression_method(zip::CompressionMethod::Stored)
        .compression_level(None)
}

/// Writes a ZIP package deterministically: entries in the given order, with
/// [`zip_entry_options`], so the same parts always give the same bytes.
pub fn deterministic_zip(parts: &[(String, Vec<u8>)]) -> Result<Vec<u8>, RenderError> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        for (name, bytes) in parts {
            zip.start_file(name.as_str(), zip_entry_options(bytes))
                .map_err(|e| RenderError::Internal(format!("zip: {e}")))?;
            zip.write_all(bytes)
                .map_err(|e| RenderError::Internal(format!("zip: {e}")))?;
        }
        zip.finish()
            .map_err(|e| RenderError::Internal(format!("zip: {e}")))?;
    }
    Ok(out.into_inner())
}
