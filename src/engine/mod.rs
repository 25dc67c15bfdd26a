//! The engine: templates, theme and limits loaded once; every front door renders through it.

use crate::budget::Limits;
use crate::values::Profile;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use serde_json::Value;

use crate::document::Document;
use crate::error::{Error, FieldError};
use crate::excel::ExcelTemplate;
use crate::input::Cx;
use crate::kinds::{DocumentKind, Prepared};
use crate::render::{self, OutputFormat, RenderError, Theme};
use crate::sign::Signer;
use crate::template::{TemplateError, Templates};
use crate::word::library::{word_fault, Entry as WordEntry, Library as WordLibrary, TemplateFile};

mod archive;
mod folders;
mod parties;
mod request;
mod signed;
mod templates;
pub use archive::ArchiveFormat;
use archive::{archive_attachment, archive_copy};
pub use folders::Folder;
pub use parties::{
    PartyPrepare, PartySignature, PartyTokens, Prepared as PreparedSignature, DEFAULT_SEAL_MM,
    MAX_PARTY_CHAIN, MAX_PARTY_CMS,
};
pub use request::Request;
use templates::Reading;
pub use templates::{word_error, Template};

/// The Excel templates of the templates directory (`excel/<name>/`).
type ExcelLibrary = WordLibrary<ExcelTemplate>;
/// A named Excel template.
pub type ExcelEntry = WordEntry<ExcelTemplate>;

#[derive(Debug, Clone, Default)]
pub struct EngineOptions {
    /// A directory whose `<kind>.hbs` / `partials/*.hbs` replace the built-in templates and
    /// whose `word/<name>/` folders hold Word templates.
    pub templates_dir: Option<PathBuf>,
    pub limits: Limits,
    pub theme: Theme,
    /// The key and certificate agreements are digitally signed with, if any.
    pub signer: Option<Arc<Signer>>,
    /// The certificates a signature's chain must reach to be trusted (`/v1/verify`).
    pub trust_anchors: Vec<cms::cert::x509::Certificate>,
    /// The secret the tokens of the parties' signatures are made with, if the parties may
    /// sign (`POST /v1/sign/prepare`, `/v1/sign/complete`).
    pub party_tokens: Option<PartyTokens>,
    /// What a built-in layout's PDF is unless a request says (`COLLABDOCS_ARCHIVE`).
    pub archive: ArchiveFormat,
}

pub struct Engine {
    /// The templates in force; replaced whole when a reload proves its successor.
    templates: RwLock<Arc<Templates>>,
    /// The Word templates in force, replaced together with `templates`.
    word: RwLock<Arc<WordLibrary>>,
    /// The Excel templates in force, replaced together with `templates`.
    excel: RwLock<Arc<ExcelLibrary>>,
    templates_dir: Option<PathBuf>,
    template_status: Mutex<TemplateStatus>,
    theme: Theme,
    limits: Limits,
    signer: Option<Arc<Signer>>,
    trust_anchors: Vec<cms::cert::x509::Certificate>,
    party_tokens: Option<PartyTokens>,
    archive: ArchiveFormat,
}

/// What the template loads so far came to: how many succeeded, and why the last one failed if
/// it did (the templates of the last good load stay in force).
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct TemplateStatus {
    /// Counts successful loads: 1 after start-up, one more for every reload that took effect.
    pub generation: u64,
    /// The last reload's failure, cleared by the next success.
    pub error: Option<TemplateProblem>,
}

/// A template that failed to load or to render its kind's example.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TemplateProblem {
    /// The file, relative to the templates directory (`meeting-minutes.hbs`).
    pub template: String,
    pub message: String,
    /// 1-based line and column in the template, where the template engine tells.
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl From<&TemplateError> for TemplateProblem {
    fn from(e: &TemplateError) -> Self {
        let (line, column) = e
            .position()
            .map_or((None, None), |(l, c)| (Some(l), Some(c)));
        TemplateProblem {
            template: e.template().to_string(),
            message: e.to_string(),
            line,
            column,
        }
    }
}

/// Where the parties' signature fields go: each signature line's cell, as the layout reported
/// it, named `party-N` and labelled with the party.
fn signature_spots(
    doc: &Document,
    anchors: &[crate::render::pdf::layout::Anchor],
) -> Vec<crate::sign::FieldSpot> {
    let lines: Vec<&crate::document::SignatureBlock> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            crate::document::Block::Signatures(s) => Some(s),
            _ => None,
        })
        .flatten()
        .collect();
    lines
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let name = crate::document::signature_field(i);
            let at = anchors.iter().find(|a| a.name == name)?;
            Some(crate::sign::FieldSpot {
                name,
                party: format!("{} {}（{}）", s.department, s.name, s.role),
                page: at.page,
                rect: at.rect,
            })
        })
        .collect()
}

impl Engine {
    /// The input limits payloads are parsed under.
    pub fn limits(&self) -> Limits {
        self.limits
    }
}

/// A rendered file and what to call it.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub bytes: Vec<u8>,
    pub format: OutputFormat,
    /// e.g. `会议纪要-2026-07-28.docx`
    pub filename: String,
    /// ASCII fallback, e.g. `meeting-minutes-2026-07-28.docx`
    pub ascii_filename: String,
    pub warnings: Vec<FieldError>,
    /// Characters no font could draw (shown as boxes in a PDF).
    pub missing_glyphs: Vec<char>,
    /// Fonts a Word template names that are not here, as `asked=used` (its PDF).
    pub substituted: Vec<String>,
    /// What of a Word template's PDF was not carried over (`chart ×2`).
    pub unsupported: Vec<String>,
}

/// A payload that passed validation.
#[derive(Debug, Clone)]
pub struct Validated {
    pub prepared: Prepared,
    pub warnings: Vec<FieldError>,
}

impl Engine {
    /// Loads the templates and proves each one by rendering its kind's example into a
    /// document, so a template or markup mistake stops start-up instead of the first request.
    pub fn new(opts: EngineOptions) -> Result<Self, TemplateError> {
        let templates = Templates::load(opts.templates_dir.as_deref())?;
        let word = WordLibrary::load(
            opts.templates_dir.as_deref(),
            Default::default(),
            opts.limits,
        )?;
        let excel = ExcelLibrary::load(
            opts.templates_dir.as_deref(),
            Default::default(),
            opts.limits,
        )?;
        let engine = Engine {
            templates: RwLock::new(Arc::new(templates)),
            word: RwLock::new(Arc::new(word)),
            excel: RwLock::new(Arc::new(excel)),
            templates_dir: opts.templates_dir,
            template_status: Mutex::new(TemplateStatus {
                generation: 1,
                error: None,
            }),
            theme: opts.theme,
            limits: opts.limits,
            signer: opts.signer,
            trust_anchors: opts.trust_anchors,
            party_tokens: opts.party_tokens,
            archive: opts.archive,
        };
        engine.prove(&engine.templates())?;
        engine.prove_word(&engine.word_templates())?;
        engine.prove_excel(&engine.excel_templates())?;
        folders::distinct(&engine.word_templates(), &engine.excel_templates())?;
        Ok(engine)
    }

    /// Fills every Word template with its example: a field the kind's data does not have, or a
    /// template the example breaks, stops the load.
    fn prove_word(&self, library: &WordLibrary) -> Result<(), TemplateError> {
        self.prove_each(library, |t, view| {
            t.fill(view, self.limits.max_image_pixels).map(drop)
        })
    }

    /// Fills every Excel template with its example, as [`Engine::prove_word`] does.
    fn prove_excel(&self, library: &ExcelLibrary) -> Result<(), TemplateError> {
        self.prove_each(library, |t, view| t.fill(view).map(drop))
    }

    fn prove_each<T: TemplateFile>(
        &self,
        library: &WordLibrary<T>,
        fill: impl Fn(&T, &Value) -> Result<(), crate::word::Fault>,
    ) -> Result<(), TemplateError> {
        for entry in library.entries() {
            let at = |file: &str, message: String| {
                word_fault(&format!("{}/{}/{file}", T::FOLDER, entry.name), message)
            };
            let _images = crate::image::remember();
            let (view, _) = self
                .view_of(&Reading::of(entry), &entry.example)
                .map_err(|e| {
                    let listed = match &e {
                        Error::Invalid(errors, _) => errors
                            .iter()
                            .take(5)
                            .map(|e| format!("{} {}", e.path, e.message))
                            .collect::<Vec<_>>()
                            .join("; "),
                        other => other.to_string(),
                    };
                    at(
                        "example.json",
                        format!("is not a valid {} payload: {listed}", entry.kind_name()),
                    )
                })?;
            let _budget = crate::budget::limit(self.limits);
            fill(&entry.template, &view).map_err(|f| at(T::FILE, f.to_string()))?;
        }
        Ok(())
    }

    /// The Excel templates in force.
    pub fn excel_templates(&self) -> Arc<ExcelLibrary> {
        self.excel
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The Word templates in force.
    pub fn word_templates(&self) -> Arc<WordLibrary> {
        self.word
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Renders every kind's example, in every style it has, into a document with `templates`.
    fn prove(&self, templates: &Templates) -> Result<(), TemplateError> {
        for kind in DocumentKind::ALL {
            let example: Value =
                serde_json::from_str(kind.example()).expect("examples are valid JSON");
            let v = self
                .validate(*kind, &example)
                .unwrap_or_else(|e| panic!("the built-in example of {kind} is invalid: {e:?}"));
            for profile in Profile::ALL.into_iter().filter(|p| kind.has_profile(*p)) {
                self.document_with(templates, *kind, profile, v.prepared.context.clone())?;
            }
        }
        Ok(())
    }

    /// The templates in force.
    fn templates(&self) -> Arc<Templates> {
        self.templates
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Reads the templates directory again and, if every template loads and renders its
    /// kind's example, puts the new templates in force. On failure the templates in force
    /// stay and the error is kept for [`Engine::template_status`].
    pub fn reload_templates(&self) -> Result<u64, TemplateError> {
        let loaded = Templates::load(self.templates_dir.as_deref()).and_then(|t| {
            self.prove(&t)?;
            let word = WordLibrary::load(
                self.templates_dir.as_deref(),
                Default::default(),
                self.limits,
            )?;
            self.prove_word(&word)?;
            let excel = ExcelLibrary::load(
                self.templates_dir.as_deref(),
                Default::default(),
                self.limits,
            )?;
            self.prove_excel(&excel)?;
            folders::distinct(&word, &excel)?;
            Ok((t, word, excel))
        });
        let mut status = self
            .template_status
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match loaded {
            Ok((t, word, excel)) => {
                *self
                    .excel
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(excel);
                *self
                    .templates
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(t);
                *self
                    .word
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(word);
                status.generation += 1;
                status.error = None;
                Ok(status.generation)
            }
            Err(e) => {
                status.error = Some(TemplateProblem::from(&e));
                Err(e)
            }
        }
    }

    /// How the template loads went (see [`Engine::reload_templates`]).
    pub fn template_status(&self) -> TemplateStatus {
        self.template_status
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The directory templates are read from, if not only the built-in ones.
    pub fn templates_dir(&self) -> Option<&std::path::Path> {
        self.templates_dir.as_deref()
    }

    /// Checks a payload against its kind; every problem is reported together.
    pub fn validate(&self, kind: DocumentKind, body: &Value) -> Result<Validated, Error> {
        // The payload's images are held to the engine's pixel budgets, counted afresh, and
        // decoded once for the whole request.
        let _budget = crate::budget::limit(self.limits);
        let _images = crate::image::remember();
        let mut cx = Cx::new(self.limits);
        let prepared = kind.prepare(body, &mut cx);
        match prepared {
            Some(p) if !cx.has_errors() => Ok(Validated {
                prepared: p,
                warnings: cx.warnings,
            }),
            _ => {
                let mut errors = cx.errors;
                if errors.is_empty() && cx.errors_not_kept == 0 {
                    errors.push(FieldError::new("", "the payload is not valid"));
                }
                Err(Error::Invalid(errors, cx.errors_not_kept))
            }
        }
    }

    fn document_from(
        &self,
        kind: DocumentKind,
        profile: Profile,
        context: Value,
    ) -> Result<Document, TemplateError> {
        self.document_with(&self.templates(), kind, profile, context)
    }

    fn document_with(
        &self,
        templates: &Templates,
        kind: DocumentKind,
        profile: Profile,
        context: Value,
    ) -> Result<Document, TemplateError> {
        // The markup's images are held to the engine's pixel budget.
        let _budget = crate::budget::limit(self.limits);
        let markup = templates.render(kind, profile, context)?;
        crate::markup::parse(&markup).map_err(|error| TemplateError::Markup {
            name: format!("{}.hbs", crate::template::template_name(kind, profile)),
            line: error.source_line.clone(),
            error: error.to_string(),
        })
    }

    /// Validates a payload and lays it out as a format-neutral document in the request's
    /// style, within the table cell budget.
    pub fn document(
        &self,
        request: &Request,
        body: &Value,
    ) -> Result<(Document, Validated), Error> {
        let (kind, profile) = (request.kind, request.style);
        let _images = crate::image::remember();
        let mut v = self.validate(kind, body)?;
        // The template consumes the context; the caller keeps the file name and warnings.
        let context = std::mem::take(&mut v.prepared.context);
        let doc = self.document_from(kind, profile, context).map_err(|e| {
            tracing::error!(kind = %kind, error = %e, "template failed on a valid payload");
            Error::Internal(e.to_string())
        })?;
        let cells = doc.cell_count();
        if cells > self.limits.max_table_cells {
            return Err(over_budget(
                body,
                format!(
                    "the document would have {cells} table cells; the limit is {} (COLLABDOCS_MAX_TABLE_CELLS)",
                    self.limits.max_table_cells
                ),
            ));
        }
        Ok((doc, v))
    }

    /// Validates, lays out and renders a payload in one format, in the standard style.
    pub fn render(
        &self,
        kind: DocumentKind,
        body: &Value,
        format: OutputFormat,
    ) -> Result<Rendered, Error> {
        self.run(
            &Request::new(self, kind, format, Profile::Standard, false)?,
            body,
        )
    }

    /// Validates, lays out and renders a payload as `request` asks (not signed).
    fn render_unsigned(&self, request: &Request, body: &Value) -> Result<Rendered, Error> {
        let (mut doc, v) = self.document(request, body)?;
        // An archive copy carries its payload: a PDF/A attaches it, an OFD attaches it and
        // names its SHA-256 in the document's information.
        if request.archive || request.format == OutputFormat::Ofd {
            doc.meta.archive = Some(archive_copy(request.kind, &v.prepared.file_stem, body));
        }
        let out = self.output(request.kind, &doc, request.format, body)?;
        Ok(Self::rendered(
            request.kind,
            &v.prepared,
            v.warnings,
            request.format,
            out,
        ))
    }

    /// Renders under the engine's limits: a file over a budget is a 422 pointing at the
    /// payload's largest array, a render past its time a 503.
    fn output(
        &self,
        kind: DocumentKind,
        doc: &Document,
        format: OutputFormat,
        body: &Value,
    ) -> Result<render::Output, Error> {
        let _budget = crate::budget::limit(self.limits);
        let mut out = render::render(doc, format, &self.theme).map_err(|e| match e {
            RenderError::TooBig(msg) => over_budget(body, msg),
            RenderError::Refused(msg) => Error::invalid(vec![FieldError::new("", msg)]),
            RenderError::Stopped(stop) => Error::Overloaded(format!("{stop}; retry later")),
            RenderError::Internal(msg) => {
                tracing::error!(kind = %kind, format = %format, error = %msg, "renderer failed");
                Error::Internal(msg)
            }
        })?;
        if format == OutputFormat::Pdf {
            // Each party's line of the signature table gets its empty signature field.
            let spots = signature_spots(doc, &out.anchors);
            out.bytes = crate::sign::add_signature_fields(std::mem::take(&mut out.bytes), &spots)
                .map_err(|e| Error::Internal(format!("the signature fields: {e}")))?;
        }
        if out.bytes.len() > self.limits.max_output_bytes {
            return Err(over_budget(
                body,
                format!(
                    "the {format} file would be {} bytes; the limit is {} (COLLABDOCS_MAX_OUTPUT_BYTES)",
                    out.bytes.len(),
                    self.limits.max_output_bytes
                ),
            ));
        }
        Ok(out)
    }

    fn rendered(
        kind: DocumentKind,
        prepared: &Prepared,
        warnings: Vec<FieldError>,
        format: OutputFormat,
        out: render::Output,
    ) -> Rendered {
        let ext = format.extension();
        Rendered {
            bytes: out.bytes,
            missing_glyphs: out.missing_glyphs,
            substituted: Vec::new(),
            unsupported: Vec::new(),
            format,
            filename: format!("{}.{ext}", prepared.file_stem),
            ascii_filename: format!("{}.{ext}", ascii_stem(kind, &prepared.file_stem)),
            warnings,
        }
    }

    /// What a verification here believes: the service's own certificate and the trust anchors.
    pub fn trust(&self) -> crate::sign::Trust {
        crate::sign::Trust {
            ours: self.signer.as_ref().map(|s| s.certificate_sha256()),
            anchors: self.trust_anchors.clone(),
        }
    }

    /// Whether agreements can be digitally signed here, and by whom.
    pub fn signer(&self) -> Option<&Signer> {
        self.signer.as_deref()
    }
}

/// A 422 for a document over a budget, at the payload's largest array (what made it big),
/// else at the whole payload.
fn over_budget(body: &Value, message: String) -> Error {
    fn largest(v: &Value, path: &mut String, best: &mut (usize, String)) {
        match v {
            Value::Array(a) => {
                if a.len() > best.0 {
                    *best = (a.len(), path.clone());
                }
                for (i, x) in a.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("/{i}"));
                    largest(x, path, best);
                    path.truncate(len);
                }
            }
            Value::Object(o) => {
                for (k, x) in o {
                    let len = path.len();
                    *path = crate::input::child(path, k);
                    largest(x, path, best);
                    path.truncate(len);
                }
            }
            _ => {}
        }
    }
    let mut best = (0, String::new());
    largest(body, &mut String::new(), &mut best);
    let message = if best.0 > 0 {
        format!("{message}; it has {} items here", best.0)
    } else {
        message
    };
    Error::invalid(vec![FieldError::new(best.1, message)])
}

/// `会议纪要-2026-07-28` → `meeting-minutes-2026-07-28`: the kind's slug plus the ASCII part.
fn ascii_stem(kind: DocumentKind, stem: &str) -> String {
    let suffix: String = stem
        .split_once('-')
        .map(|(_, rest)| rest)
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    let suffix = suffix.trim_matches(|c| c == '-' || c == '.');
    if suffix.is_empty() {
        kind.slug().to_string()
    } else {
        format!("{}-{suffix}", kind.slug())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_names_keep_the_date() {
        assert_eq!(
            ascii_stem(DocumentKind::MeetingMinutes, "会议纪要-2026-07-28"),
            "meeting-minutes-2026-07-28"
        );
        assert_eq!(
            ascii_stem(DocumentKind::RaciMatrix, "责任矩阵-大促"),
            "raci-matrix"
        );
    }
}
