//! Kinds a folder of the templates directory defines: a Word folder's (`word/<name>/`, filled
//! as docx, pdf, html or ofd) or an Excel folder's (`excel/<name>/`, filled as xlsx), each with its
//! own schema, title and example. A name defines one kind: a Word and an Excel folder may not
//! both define it.

use std::sync::Arc;

use serde_json::Value;

use super::{Engine, ExcelEntry, ExcelLibrary, Rendered, WordEntry};
use crate::error::{Error, FieldError};
use crate::render::OutputFormat;
use crate::template::TemplateError;
use crate::word::library::{word_fault, FolderKind, Library as WordLibrary};

/// A kind a folder defines, with its template.
#[derive(Debug, Clone)]
pub enum Folder {
    Word(Arc<WordEntry>),
    Excel(Arc<ExcelEntry>),
}

const WORKBOOK: [OutputFormat; 2] = [OutputFormat::Xlsx, OutputFormat::Html];

impl Folder {
    pub fn name(&self) -> &str {
        match self {
            Folder::Word(e) => &e.name,
            Folder::Excel(e) => &e.name,
        }
    }

    /// Its titles and schema.
    pub fn kind(&self) -> &FolderKind {
        let folder = match self {
            Folder::Word(e) => e.folder(),
            Folder::Excel(e) => e.folder(),
        };
        folder.expect("a folder kind is defined by its folder")
    }

    /// The payload it is proven with.
    pub fn example(&self) -> &Value {
        match self {
            Folder::Word(e) => &e.example,
            Folder::Excel(e) => &e.example,
        }
    }

    /// The formats it is filled as; the first is the default.
    pub fn formats(&self) -> &'static [OutputFormat] {
        match self {
            Folder::Word(_) => &OutputFormat::WORD_TEMPLATE,
            Folder::Excel(_) => &WORKBOOK,
        }
    }

    /// What defines it, for messages: "a Word template", "an Excel template".
    pub fn defined_by(&self) -> &'static str {
        match self {
            Folder::Word(_) => "a Word template",
            Folder::Excel(_) => "an Excel template",
        }
    }

    /// A 406 unless `format` is one of its formats.
    pub fn check_format(&self, format: OutputFormat) -> Result<(), Error> {
        if self.formats().contains(&format) {
            return Ok(());
        }
        Err(Error::UnsupportedFormat(format!(
            "{} is a kind defined by {} and is rendered as {}; format {format} is not available for it",
            self.name(),
            self.defined_by(),
            self.format_names()
        )))
    }

    /// The formats, for messages: "docx, pdf, html or ofd".
    pub fn format_names(&self) -> String {
        let names: Vec<&str> = self.formats().iter().map(|f| f.extension()).collect();
        match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => names.join(""),
        }
    }
}

/// Refuses a name that both a Word and an Excel folder define as a kind.
pub(super) fn distinct(word: &WordLibrary, excel: &ExcelLibrary) -> Result<(), TemplateError> {
    for e in excel.folder_kinds() {
        if word.folder_kind(&e.name).is_some() {
            return Err(word_fault(
                &format!("excel/{}/", e.name),
                format!(
                    "defines the kind {0}, which word/{0}/ defines too: a kind has one template; name one of the folders otherwise",
                    e.name
                ),
            ));
        }
    }
    Ok(())
}

impl Engine {
    /// The kind a Word or Excel folder defines under this name.
    pub fn folder_kind(&self, name: &str) -> Option<Folder> {
        self.word_templates()
            .folder_kind(name)
            .map(Folder::Word)
            .or_else(|| self.excel_templates().folder_kind(name).map(Folder::Excel))
    }

    /// Every kind folders define, by name.
    pub fn folder_kinds(&self) -> Vec<Folder> {
        let mut all: Vec<Folder> = self
            .word_templates()
            .folder_kinds()
            .cloned()
            .map(Folder::Word)
            .chain(
                self.excel_templates()
                    .folder_kinds()
                    .cloned()
                    .map(Folder::Excel),
            )
            .collect();
        all.sort_by(|a, b| a.name().cmp(b.name()));
        all
    }

    /// Checks a payload of a kind a folder defines against its schema: its warnings, or a 422
    /// listing every problem.
    pub fn validate_folder(&self, folder: &Folder, body: &Value) -> Result<Vec<FieldError>, Error> {
        let _images = crate::image::remember();
        let reading = match folder {
            Folder::Word(e) => super::Reading::of(e),
            Folder::Excel(e) => super::Reading::of(e),
        };
        self.view_of(&reading, body)
            .map(|(_, named)| named.warnings)
    }

    /// Fills a folder's template with a payload of its kind, as `format` (one of its formats).
    pub fn fill_folder(
        &self,
        folder: &Folder,
        body: &Value,
        format: OutputFormat,
    ) -> Result<Rendered, Error> {
        folder.check_format(format)?;
        match folder {
            Folder::Word(e) => self.fill_word(e, body, format),
            Folder::Excel(e) => self.fill_excel(e, body, format),
        }
    }
}
