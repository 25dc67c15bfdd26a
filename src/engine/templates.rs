//! Filling the office's own templates: a Word template (named, a kind's of its own, or sent
//! with the request) as DOCX or HTML, an Excel template as XLSX — the payload read as its kind
//! reads it, the view the built-in layout gets, the file held to the output budget.

use std::sync::Arc;

use serde_json::Value;

use super::{ascii_stem, over_budget, Engine, ExcelEntry, Rendered, WordEntry};
use crate::error::{Error, FieldError};
use crate::excel::ExcelTemplate;
use crate::input::Cx;
use crate::kinds::DocumentKind;
use crate::render::OutputFormat;

/// What a Word template is filled as: the format, and whether its PDF is an archive copy.
#[derive(Debug, Clone, Copy)]
pub(super) struct Filling {
    format: OutputFormat,
    archive: bool,
}

impl Engine {
    /// Validates a payload of the template's kind (a built-in kind, or the kind its folder
    /// defines) and fills the Word template with the view the kind's built-in template gets.
    pub fn fill_word(
        &self,
        entry: &WordEntry,
        body: &Value,
        format: OutputFormat,
    ) -> Result<Rendered, Error> {
        self.fill_word_as(entry, body, format, false)
    }

    /// [`Engine::fill_word`], its PDF a PDF/A-3b copy with the payload attached when
    /// `archive`.
    pub fn fill_word_as(
        &self,
        entry: &WordEntry,
        body: &Value,
        format: OutputFormat,
        archive: bool,
    ) -> Result<Rendered, Error> {
        let at = format!("word/{}", entry.name);
        let how = Filling { format, archive };
        self.fill_template(&entry.template, &at, &Reading::of(entry), body, how)
    }

    /// A signable kind's payload filled into its Word template, laid out as PDF and signed by
    /// the service (an invisible signature over the whole file), once every party the
    /// payload lists has signed, as for the built-in layout.
    pub fn fill_word_signed(
        &self,
        entry: &WordEntry,
        kind: DocumentKind,
        body: &Value,
        archive: bool,
    ) -> Result<Rendered, Error> {
        let signing = kind
            .signing()
            .ok_or_else(|| super::request::not_signed(kind))?;
        let signer = self.signer.as_ref().ok_or_else(super::request::no_signer)?;
        {
            let _images = crate::image::remember();
            let v = self.validate(kind, body)?;
            if !v.prepared.signing_problems.is_empty() {
                return Err(Error::invalid(v.prepared.signing_problems));
            }
        }
        let mut rendered = self.fill_word_as(entry, body, OutputFormat::Pdf, archive)?;
        rendered.bytes = super::request::sign_now(signer, &rendered.bytes, None, signing.reason)?;
        Ok(rendered)
    }

    /// Fills a Word template sent with the request (`POST /v1/render`): with a kind, its
    /// payload validated and its view; without, the data as it is under `doc`.
    pub fn fill_uploaded(
        &self,
        template: Vec<u8>,
        kind: Option<DocumentKind>,
        data: &Value,
        format: OutputFormat,
    ) -> Result<Rendered, Error> {
        let template = crate::word::WordTemplate::load(template, Default::default())
            .map_err(|f| word_error("/template", &f))?;
        let reading = kind.map_or(Reading::AsIs, Reading::Kind);
        let how = Filling {
            format,
            archive: false,
        };
        self.fill_template(&template, "/template", &reading, data, how)
    }

    /// The view a Word template is filled with, and the file's names and warnings.
    pub(super) fn view_of(&self, reading: &Reading, body: &Value) -> Result<(Value, Named), Error> {
        match reading {
            Reading::Kind(kind) => {
                let mut v = self.validate(*kind, body)?;
                let view = std::mem::take(&mut v.prepared.context);
                let stem = &v.prepared.file_stem;
                Ok((
                    view,
                    Named {
                        title: kind.title_zh().to_string(),
                        filename: stem.clone(),
                        ascii_filename: ascii_stem(*kind, stem),
                        warnings: v.warnings,
                    },
                ))
            }
            Reading::Folder(name, folder) => {
                let _budget = crate::budget::limit(self.limits);
                let mut cx = Cx::new(self.limits);
                let Some(doc) = crate::input::parse_with(&folder.validator, body, &mut cx) else {
                    return Err(Error::Invalid(cx.errors, cx.errors_not_kept));
                };
                let page = serde_json::json!({
                    "organization": doc.get("organization"),
                    "document_no": doc.get("document_no"),
                });
                Ok((
                    serde_json::json!({ "doc": doc, "derived": {}, "page": page }),
                    Named {
                        title: folder.title.clone(),
                        filename: folder.title.clone(),
                        ascii_filename: name.to_string(),
                        warnings: cx.warnings,
                    },
                ))
            }
            Reading::AsIs => Ok((
                serde_json::json!({ "doc": body }),
                Named {
                    title: "document".into(),
                    filename: "document".into(),
                    ascii_filename: "document".into(),
                    warnings: Vec::new(),
                },
            )),
        }
    }

    /// Fills `template` (named `at` in errors) with `body`, read as `reading` says.
    fn fill_template(
        &self,
        template: &crate::word::WordTemplate,
        at: &str,
        reading: &Reading,
        body: &Value,
        Filling { format, archive }: Filling,
    ) -> Result<Rendered, Error> {
        let _images = crate::image::remember();
        let (view, named) = self.view_of(reading, body)?;
        let _budget = crate::budget::limit(self.limits);
        let px = self.limits.max_image_pixels;
        if matches!(format, OutputFormat::Pdf | OutputFormat::Ofd) {
            // An OFD, like a PDF/A copy, carries the payload it was made from.
            let meta = crate::document::Meta {
                title: named.title.clone(),
                subject: at.to_string(),
                author: String::new(),
                lang: "zh-CN".into(),
                archive: (archive || format == OutputFormat::Ofd).then(|| {
                    super::archive_attachment(&named.ascii_filename, &named.filename, body)
                }),
                filled: Some(crate::document::Filled {
                    kind: match reading {
                        Reading::Kind(k) => k.slug().to_string(),
                        Reading::Folder(name, _) => name.to_string(),
                        Reading::AsIs => String::new(),
                    },
                    template: if at.starts_with("word/") {
                        at.to_string()
                    } else {
                        "request".into()
                    },
                }),
            };
            let write: crate::word::pdf::PageWriter = match format {
                OutputFormat::Ofd => crate::render::ofd::write_layout,
                _ => crate::render::pdf::write_layout,
            };
            let file = template
                .fill_pages(&view, px, (&meta, self.theme.fonts), write)
                .map_err(|f| word_error(at, &f))?;
            let mut rendered = self.filled(file.bytes, format, named, body)?;
            rendered.missing_glyphs = file.missing_glyphs;
            rendered.substituted = file
                .substituted
                .into_iter()
                .map(|(asked, used)| format!("{asked}={used}"))
                .collect();
            rendered.unsupported = file.unsupported;
            return Ok(rendered);
        }
        let bytes = match format {
            OutputFormat::Html => template
                .fill_html(&view, px, &named.title)
                .map(String::into_bytes),
            _ => template.fill(&view, px),
        }
        .map_err(|f| word_error(at, &f))?;
        self.filled(bytes, format, named, body)
    }

    /// A filled template's file, held to the output budget.
    fn filled(
        &self,
        bytes: Vec<u8>,
        format: OutputFormat,
        named: Named,
        body: &Value,
    ) -> Result<Rendered, Error> {
        if bytes.len() > self.limits.max_output_bytes {
            return Err(over_budget(
                body,
                format!(
                    "the {format} file would be {} bytes; the limit is {} (COLLABDOCS_MAX_OUTPUT_BYTES)",
                    bytes.len(),
                    self.limits.max_output_bytes
                ),
            ));
        }
        let ext = format.extension();
        Ok(Rendered {
            bytes,
            format,
            filename: format!("{}.{ext}", named.filename),
            ascii_filename: format!("{}.{ext}", named.ascii_filename),
            warnings: named.warnings,
            missing_glyphs: Vec::new(),
            substituted: Vec::new(),
            unsupported: Vec::new(),
        })
    }
}

/// A named template a request fills.
#[derive(Debug, Clone)]
pub enum Template {
    Word(Arc<WordEntry>),
    Excel(Arc<ExcelEntry>),
}

impl Engine {
    /// Validates a payload of the template's kind and fills the Excel template with its view:
    /// the workbook, or (`format` html) the workbook shown as one page of tables.
    pub fn fill_excel(
        &self,
        entry: &ExcelEntry,
        body: &Value,
        format: OutputFormat,
    ) -> Result<Rendered, Error> {
        let at = format!("excel/{}", entry.name);
        self.fill_workbook(&entry.template, &at, &Reading::of(entry), body, format)
    }

    /// Fills an Excel template sent with the request (`POST /v1/render?format=xlsx|html`).
    pub fn fill_uploaded_excel(
        &self,
        template: Vec<u8>,
        kind: Option<DocumentKind>,
        data: &Value,
        format: OutputFormat,
    ) -> Result<Rendered, Error> {
        let template = ExcelTemplate::load(template, Default::default())
            .map_err(|f| word_error("/template", &f))?;
        let reading = kind.map_or(Reading::AsIs, Reading::Kind);
        self.fill_workbook(&template, "/template", &reading, data, format)
    }

    fn fill_workbook(
        &self,
        template: &ExcelTemplate,
        at: &str,
        reading: &Reading,
        body: &Value,
        format: OutputFormat,
    ) -> Result<Rendered, Error> {
        let _images = crate::image::remember();
        let (view, named) = self.view_of(reading, body)?;
        let _budget = crate::budget::limit(self.limits);
        let mut bytes = template.fill(&view).map_err(|f| word_error(at, &f))?;
        if format == OutputFormat::Html {
            bytes = crate::excel::preview::html(bytes, &named.title)
                .map_err(|f| word_error(at, &f))?
                .into_bytes();
        }
        self.filled(bytes, format, named, body)
    }
}

/// How the data of a Word template is read.
pub(super) enum Reading<'a> {
    /// As a built-in kind's payload.
    Kind(DocumentKind),
    /// By the schema of the kind a folder defines, named so.
    Folder(&'a str, &'a crate::word::library::FolderKind),
    /// As it is, under `doc`.
    AsIs,
}

impl<'a> Reading<'a> {
    pub(super) fn of<T>(entry: &'a WordEntry<T>) -> Reading<'a> {
        match &entry.binding {
            crate::word::library::Binding::Kind(k) => Reading::Kind(*k),
            crate::word::library::Binding::Folder(f) => Reading::Folder(&entry.name, f),
        }
    }
}

/// A filled file's title, names (without extension) and its payload's warnings.
pub(super) struct Named {
    pub(super) title: String,
    pub(super) filename: String,
    pub(super) ascii_filename: String,
    pub(super) warnings: Vec<FieldError>,
}

/// What a Word template's fault is to the client: a 503 when the render's time ran out, else
/// a 422 at the field the tag reads (`doc.a.b` → `/a/b`), or at the template (`at`).
pub fn word_error(at: &str, fault: &crate::word::Fault) -> Error {
    use crate::word::Fault;
    match fault {
        Fault::Stopped(m) => Error::Overloaded(format!("{m}; retry later")),
        Fault::Tag { .. } => {
            let path = fault
                .missing_field()
                .and_then(|f| f.strip_prefix("doc."))
                .map(|p| format!("/{}", p.replace('.', "/")))
                .unwrap_or_else(|| at.to_string());
            Error::invalid(vec![FieldError::new(path, fault.to_string())])
        }
        other => Error::invalid(vec![FieldError::new(at, other.to_string())]),
    }
}
