//! What one render asks for, checked once for every front door, and running it: the
//! built-in layout, a Word or Excel template, signed or not.

use serde_json::Value;

use super::{Engine, Rendered, Template};
use crate::error::Error;
use crate::kinds::DocumentKind;
use crate::render::OutputFormat;
use crate::sign::{SignError, Signer};
use crate::values::Profile;

/// What one render asks for: a kind in a format and house style, signed or not. Made only by
/// [`Request::new`], which checks the combination once — a style the kind has, a signature
/// only of a signable kind, as a PDF in the standard style, by a service with a key — so the
/// front doors (HTTP, the command line, batch items) only translate into it.
#[derive(Debug, Clone)]
pub struct Request {
    pub kind: DocumentKind,
    pub format: OutputFormat,
    pub style: Profile,
    pub sign: bool,
    /// The Word or Excel template the document is filled into, instead of the kind's own
    /// layout.
    pub template: Option<Template>,
    /// The service's seal pressed across the right edge of every page (骑缝章) before it
    /// signs.
    pub cross_page_seal: bool,
    /// Written as PDF/A-3b, the payload attached.
    pub archive: bool,
}

impl Request {
    pub fn new(
        engine: &Engine,
        kind: DocumentKind,
        format: OutputFormat,
        style: Profile,
        sign: bool,
    ) -> Result<Request, Error> {
        if sign {
            if style != Profile::Standard {
                return Err(Error::BadRequest(
                    "a signed document is set in the standard style; leave out the style".into(),
                ));
            }
            if format != OutputFormat::Pdf {
                return Err(Error::BadRequest(format!(
                    "a signed document is a PDF; format {format} cannot be signed"
                )));
            }
            kind.signing().ok_or_else(|| not_signed(kind))?;
            engine.signer().ok_or_else(no_signer)?;
        }
        kind.check_profile(style)?;
        Ok(Request {
            kind,
            format,
            style,
            sign,
            template: None,
            cross_page_seal: false,
            // The service's default for a built-in layout's PDF (`COLLABDOCS_ARCHIVE`).
            archive: format == OutputFormat::Pdf && engine.archive == super::ArchiveFormat::Pdfa,
        })
    }

    /// The same request as an archive asks for it (`?archive=pdfa`), or as the service's
    /// default (`COLLABDOCS_ARCHIVE`) says when the request does not: a PDF/A-3b of a built-in
    /// layout or a Word template. Call after [`Request::with_template`].
    pub fn with_archive(
        mut self,
        engine: &Engine,
        asked: Option<super::ArchiveFormat>,
    ) -> Result<Self, Error> {
        let fits = self.format == OutputFormat::Pdf
            && matches!(self.template, None | Some(Template::Word(_)));
        self.archive = match asked {
            Some(super::ArchiveFormat::Pdfa) if !fits => {
                return Err(Error::BadRequest(
                    "archive=pdfa is a PDF/A-3b: ask for format=pdf (of the built-in layout or a Word template)".into(),
                ))
            }
            Some(a) => a == super::ArchiveFormat::Pdfa,
            None => fits && engine.archive == super::ArchiveFormat::Pdfa,
        };
        Ok(self)
    }

    /// The same request with the service's seal pressed across every page's right edge
    /// (`?cross_page_seal=true`): for a signed document from a service with a seal
    /// (`COLLABDOCS_SEAL_IMAGE`), since the seal is the signing organisation's.
    pub fn with_cross_page_seal(mut self, engine: &Engine, on: bool) -> Result<Self, Error> {
        if !on {
            return Ok(self);
        }
        if !self.sign || self.template.is_some() {
            return Err(Error::BadRequest(
                "the cross-page seal (骑缝章) is pressed by the service as it signs its own layout: add sign=true (and leave out template)".into(),
            ));
        }
        if engine.signer().is_none_or(|s| s.seal.is_none()) {
            return Err(Error::SigningNotConfigured(
                "the cross-page seal needs the organisation's seal: start the service with COLLABDOCS_SEAL_IMAGE".into(),
            ));
        }
        self.cross_page_seal = true;
        Ok(self)
    }

    /// The same request filled into the Word template `name` (`?template=`): a template of
    /// the request's kind, as a DOCX, in its own layout (no house style), not signed.
    pub fn with_template(self, engine: &Engine, name: &str) -> Result<Request, Error> {
        // An Excel template when the file asked for is a workbook (or its preview, html, of a
        // name only the Excel templates have), else a Word template.
        let excel = self.format == OutputFormat::Xlsx
            || (self.format == OutputFormat::Html
                && engine.excel_templates().get(name).is_some()
                && engine.word_templates().get(name).is_none());
        let (what, folder, other) = if excel {
            (
                "Excel",
                "excel",
                engine
                    .word_templates()
                    .get(name)
                    .map(|_| "a Word template: ask for docx, pdf, html or ofd"),
            )
        } else {
            (
                "Word",
                "word",
                engine
                    .excel_templates()
                    .get(name)
                    .map(|_| "an Excel template: ask for format=xlsx"),
            )
        };
        let (kind, names, template) = if excel {
            let library = engine.excel_templates();
            let entry = library.get(name);
            (
                entry.as_ref().map(|e| e.kind()),
                library.names().join(", "),
                entry.map(Template::Excel),
            )
        } else {
            let library = engine.word_templates();
            let entry = library.get(name);
            (
                entry.as_ref().map(|e| e.kind()),
                library.names().join(", "),
                entry.map(Template::Word),
            )
        };
        let Some(template) = template else {
            return Err(match other {
                Some(hint) => Error::BadRequest(format!("\"{name}\" is {hint}")),
                None => Error::NotFound(format!(
                    "{what} template \"{name}\": {}",
                    if names.is_empty() {
                        format!("this service has no {what} templates (COLLABDOCS_TEMPLATES_DIR/{folder}/<name>/)")
                    } else {
                        format!("there are: {names}")
                    }
                )),
            });
        };
        match kind.flatten() {
            Some(kind) if kind == self.kind => {}
            Some(kind) => {
                return Err(Error::BadRequest(format!(
                    "the {what} template \"{name}\" is filled with {kind} data, not {}",
                    self.kind
                )))
            }
            None => {
                return Err(Error::BadRequest(format!(
                "\"{name}\" is a kind of its own, not a template of {}: POST /v1/documents/{name}",
                self.kind
            )))
            }
        }
        if self.sign && excel {
            return Err(Error::BadRequest(
                "a workbook filled into an Excel template is not signed; leave out sign or the template".into(),
            ));
        }
        if self.style != Profile::Standard {
            return Err(Error::BadRequest(format!(
                "a {what} template has its own layout; leave out the style"
            )));
        }
        if !excel && !self.format.fills_word_template() {
            return Err(Error::UnsupportedFormat(format!(
                "a Word template is filled as docx (or laid out as pdf or html); format {} of a Word template is not available",
                self.format
            )));
        }
        Ok(Request {
            template: Some(template),
            // A Word template's PDF may be an archive copy; a workbook is not.
            archive: self.archive && !excel,
            ..self
        })
    }
}

/// Signs a PDF with the service's key at this server's clock (never a date from the payload),
/// the widget over `area` or invisible.
pub(super) fn sign_now(
    signer: &Signer,
    pdf: &[u8],
    area: Option<(usize, [f32; 4])>,
    reason: &str,
) -> Result<Vec<u8>, Error> {
    signer
        .sign_pdf(pdf, area, std::time::SystemTime::now(), reason)
        .map_err(|e| match e {
            SignError::Upstream(e) => Error::Upstream(format!("the document was not signed: {e}")),
            SignError::Internal(e) => Error::Internal(e),
            SignError::Refused(e) => Error::BadRequest(e),
        })
}

/// A 400 naming the kinds that are signed.
pub(super) fn not_signed(kind: DocumentKind) -> Error {
    let signable: Vec<&str> = DocumentKind::ALL
        .iter()
        .filter(|k| k.signing().is_some())
        .map(|k| k.slug())
        .collect();
    Error::BadRequest(format!(
        "signing is for {}; a {kind} is not signed",
        signable.join(", ")
    ))
}

/// A 409 saying how to configure a signing key.
pub(super) fn no_signer() -> Error {
    Error::SigningNotConfigured(
        "this service has no signing key: start it with COLLABDOCS_SIGNING_KEY and \
         COLLABDOCS_SIGNING_CERT (PEM files; `collabdocs dev-cert --out DIR` writes a \
         pair for trying it out)"
            .into(),
    )
}

impl Engine {
    /// Renders what `request` asks for.
    pub fn run(&self, request: &Request, body: &Value) -> Result<Rendered, Error> {
        if let Some(Template::Word(entry)) = &request.template {
            if request.sign {
                self.fill_word_signed(entry, request.kind, body, request.archive)
            } else {
                self.fill_word_as(entry, body, request.format, request.archive)
            }
        } else if let Some(Template::Excel(entry)) = &request.template {
            self.fill_excel(entry, body, request.format)
        } else if request.sign {
            self.render_signed_with(request.kind, body, request.cross_page_seal, request.archive)
        } else {
            self.render_unsigned(request, body)
        }
    }
}
