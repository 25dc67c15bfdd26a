//! Word and WPS templates: a `.docx` the office already has, its tags filled from the same view
//! a kind's built-in template gets (`doc.*`, `derived.*`, `page.*`, the helpers `date`, `join`,
//! `inc`, `add`, `cn`) in the same Handlebars language.
//!
//! A template is read once ([`WordTemplate::load`]): its package checked as untrusted input
//! ([`package`]); each part with tags — the body, headers, footers, footnotes and endnotes,
//! with the text boxes and table cells inside them — made into a Handlebars template
//! (`part`: tags Word split over runs joined, block tags moved to where their blocks
//! repeat), compiled. Filling it ([`WordTemplate::fill`]) renders those parts, places the
//! pictures the picture tags name and gives repeated paragraphs, pictures, bookmarks and
//! content controls ids of their own (`fixups`); every other part is copied into the file as
//! it was, byte for byte. Values from the data are text in a `w:t` and nothing else: never
//! markup, never a field.

use std::cell::RefCell;

use handlebars::{
    Context, Handlebars, Helper, HelperDef, HelperResult, Output, RenderContext, RenderErrorReason,
};
use serde_json::Value;

mod context;
mod fixups;
pub mod html;
pub mod library;
pub mod model;
pub mod package;
mod part;
pub mod pdf;
pub mod read;
mod style;
mod tag;
pub mod xml;

pub use package::PackageLimits;
pub use tag::{bindings, Tag, TagKind};

/// How a fault about a field the data lacks begins and goes on (read back by
/// [`Fault::missing_field`]).
const READS: &str = "reads ";
const MISSING: &str = ", which the data does not have";

/// Why a template cannot be used, or a fill failed: named so its author can act.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// The package itself (a ZIP bomb, macros, not a .docx).
    Package(String),
    /// A part as a whole (not well-formed, tracked changes).
    Part { part: String, message: String },
    /// The render's time ran out (or its caller went away) while it was filled.
    Stopped(String),
    /// One tag.
    Tag {
        part: String,
        paragraph: String,
        tag: String,
        message: String,
    },
}

impl Fault {
    /// The field of the view a tag read and the data does not have (`doc.meeting.title`).
    pub fn missing_field(&self) -> Option<&str> {
        match self {
            Fault::Tag { message, .. } => message.strip_prefix(READS)?.split(MISSING).next(),
            _ => None,
        }
    }
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fault::Package(m) => write!(f, "the template {m}"),
            Fault::Stopped(m) => write!(f, "the template was not filled: {m}"),
            Fault::Part { part, message } => write!(f, "{part} {message}"),
            Fault::Tag {
                part,
                paragraph,
                tag,
                message,
            } => write!(f, "{part}, in “{paragraph}”: {tag} {message}"),
        }
    }
}

/// One part made into a template.
struct PartTemplate {
    name: String,
    /// The Handlebars source (to find the tag a render error points at).
    source: String,
    spans: Vec<(usize, usize, usize)>,
    boxes: Vec<String>,
}

/// A Word template, read and compiled.
pub struct WordTemplate {
    package: package::Package,
    parts: Vec<PartTemplate>,
    tags: Vec<Tag>,
    hb: Handlebars<'static>,
    limits: PackageLimits,
}

impl std::fmt::Debug for WordTemplate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WordTemplate")
            .field(
                "parts",
                &self.parts.iter().map(|p| &p.name).collect::<Vec<_>>(),
            )
            .field("tags", &self.tags.len())
            .finish()
    }
}

/// Whether a part may hold tags: the body, headers, footers, footnotes and endnotes.
fn is_story(name: &str) -> bool {
    name == "word/document.xml"
        || name == "word/footnotes.xml"
        || name == "word/endnotes.xml"
        || ((name.starts_with("word/header") || name.starts_with("word/footer"))
            && name.ends_with(".xml")
            && !name[5..].contains('/'))
}

impl WordTemplate {
    /// Reads a template. Every tag is checked for its form here; whether the fields it reads
    /// exist is told when it is filled (a directory's templates are filled with their example
    /// at start-up).
    pub fn load(bytes: Vec<u8>, limits: PackageLimits) -> Result<WordTemplate, Fault> {
        let package = package::Package::open(bytes, limits).map_err(Fault::Package)?;
        if !package.has("word/document.xml") {
            return Err(Fault::Package(
                "has no word/document.xml: it is not a Word document".into(),
            ));
        }
        let mut hb = crate::template::handlebars(docx_escape);
        hb.register_helper("collabdocs-image", Box::new(ImageHelper));
        let mut tags = Vec::new();
        let mut parts = Vec::new();
        let mut chunks = Vec::new();
        for name in package.names.iter().filter(|n| is_story(n)) {
            let src = package.text(name, limits).map_err(Fault::Package)?;
            if !src.contains("{{") && !src.contains("｛｛") {
                continue;
            }
            let before = tags.len();
            let prepared = part::prepare(name, parts.len(), &src, &mut tags)?;
            if tags.len() == before {
                continue;
            }
            hb.register_template_string(name, &prepared.source)
                .map_err(|e| {
                    let at = e.pos().map(|(l, c)| offset(&prepared.source, l, c));
                    tag_fault(&tags, &prepared.spans, name, at, &e.reason().to_string())
                })?;
            chunks.push(prepared.chunks);
            parts.push(PartTemplate {
                name: name.clone(),
                source: prepared.source,
                spans: prepared.spans,
                boxes: prepared.boxes,
            });
        }
        hb.register_helper("collabdocs-lit", Box::new(Literal(chunks)));
        Ok(WordTemplate {
            package,
            parts,
            tags,
            hb,
            limits,
        })
    }

    /// Every tag, in document order, part by part.
    pub fn tags(&self) -> &[Tag] {
        &self.tags
    }

    /// Fills the template with `view` (`{"doc": …, "derived": …, "page": …}`): the filled
    /// `.docx`. Images are held to `max_image_pixels` each.
    pub fn fill(&self, view: &Value, max_image_pixels: u64) -> Result<Vec<u8>, Fault> {
        self.fill_package(view, max_image_pixels, false)
    }

    /// The filled package, its parts deflated unless `stored` (read back at once to be laid
    /// out as PDF or HTML: deflating it would only cost).
    fn fill_package(
        &self,
        view: &Value,
        max_image_pixels: u64,
        stored: bool,
    ) -> Result<Vec<u8>, Fault> {
        IMAGES.with(|i| {
            *i.borrow_mut() = Some(Images {
                max_pixels: max_image_pixels,
                list: Vec::new(),
            })
        });
        let _clear = ClearImages;
        let context = Context::wraps(view).map_err(|e| Fault::Package(e.to_string()))?;
        let mut filled = Vec::with_capacity(self.parts.len());
        for p in &self.parts {
            crate::budget::check().map_err(|e| Fault::Stopped(e.to_string()))?;
            let out = self
                .hb
                .render_with_context(&p.name, &context)
                .map_err(|e| self.render_fault(p, &e, view))?;
            filled.push(out);
        }
        let images = IMAGES.with(|i| i.borrow_mut().take().map(|i| i.list).unwrap_or_default());
        fixups::package(self, filled, images, stored)
    }

    /// Fills the template and shows the filled document as one HTML page ([`html`]), titled
    /// `title`.
    pub fn fill_html(
        &self,
        view: &Value,
        max_image_pixels: u64,
        title: &str,
    ) -> Result<String, Fault> {
        let docx = self.fill_package(view, max_image_pixels, true)?;
        let package = package::Package::open(docx, self.limits).map_err(Fault::Package)?;
        html::to_html(&package, self.limits, max_image_pixels, title).map_err(Fault::Package)
    }

    /// Fills the template and lays the filled document out as a PDF ([`pdf`]) with `fonts`.
    pub fn fill_pdf(
        &self,
        view: &Value,
        max_image_pixels: u64,
        meta: &crate::document::Meta,
        fonts: &crate::render::fonts::FontSet,
    ) -> Result<pdf::PdfFile, Fault> {
        self.fill_pages(
            view,
            max_image_pixels,
            (meta, fonts),
            crate::render::pdf::write_layout,
        )
    }

    /// Fills the template, lays the filled document out on pages ([`pdf`]) with `fonts` and
    /// writes them with `write`: as a PDF, or as an OFD.
    pub fn fill_pages(
        &self,
        view: &Value,
        max_image_pixels: u64,
        (meta, fonts): (&crate::document::Meta, &crate::render::fonts::FontSet),
        write: pdf::PageWriter,
    ) -> Result<pdf::PdfFile, Fault> {
        let docx = self.fill_package(view, max_image_pixels, true)?;
        let package = package::Package::open(docx, self.limits).map_err(Fault::Package)?;
        pdf::to_pages(
            &package,
            (self.limits, max_image_pixels),
            (meta, fonts),
            write,
        )
        .map_err(|e| match e {
            crate::render::RenderError::Stopped(s) => Fault::Stopped(s.to_string()),
            other => Fault::Package(other.to_string()),
        })
    }

    fn render_fault(&self, p: &PartTemplate, e: &handlebars::RenderError, view: &Value) -> Fault {
        let message = match e.reason() {
            RenderErrorReason::MissingVariable(Some(path)) => {
                let hint = suggest(view, path)
                    .map(|s| format!("; did you mean {s}?"))
                    .unwrap_or_default();
                format!("{READS}{path}{MISSING}{hint}")
            }
            RenderErrorReason::HelperNotFound(h) => format!(
                "calls {h}, which is not a helper (there are: {})",
                crate::template::HELPERS.join(", ")
            ),
            other => other.to_string(),
        };
        // Handlebars says where in the source, or names what it missed; the spans say which
        // tag stands there.
        let named = match e.reason() {
            RenderErrorReason::MissingVariable(Some(v))
            | RenderErrorReason::InvalidJsonIndex(v)
            | RenderErrorReason::HelperNotFound(v) => Some(v.as_str()),
            _ => None,
        };
        let by_name = named.and_then(|v| {
            p.spans
                .iter()
                .find(|(_, _, i)| self.tags[*i].text.contains(v))
                .map(|(s, _, _)| *s)
        });
        let source_at = by_name.or_else(|| {
            e.line_no
                .zip(e.column_no)
                .map(|(l, c)| offset(&p.source, l, c))
        });
        tag_fault(&self.tags, &p.spans, &p.name, source_at, &message)
    }
}

/// The byte offset of a 1-based line and column (0-based in some errors).
fn offset(src: &str, line: usize, column: usize) -> usize {
    let start: usize = src
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (start + column).min(src.len())
}

/// The fault of the tag standing at `at` in a part's source (the nearest before it).
fn tag_fault(
    tags: &[Tag],
    spans: &[(usize, usize, usize)],
    part: &str,
    at: Option<usize>,
    message: &str,
) -> Fault {
    let tag = at.and_then(|at| {
        spans
            .iter()
            .filter(|(s, _, _)| *s <= at)
            .max_by_key(|(s, _, _)| *s)
            .map(|(_, _, i)| &tags[*i])
    });
    match tag {
        Some(t) => Fault::Tag {
            part: part.to_string(),
            paragraph: t.paragraph.clone(),
            tag: t.text.clone(),
            message: message.to_string(),
        },
        None => Fault::Part {
            part: part.to_string(),
            message: message.to_string(),
        },
    }
}

/// The path nearest `path` that the view has, among the keys of its nearest existing parent.
fn suggest(view: &Value, path: &str) -> Option<String> {
    let segs: Vec<&str> = path.split('.').collect();
    let mut here = view;
    let mut prefix = Vec::new();
    for (i, s) in segs.iter().enumerate() {
        match here.get(s) {
            Some(v) => {
                here = v;
                prefix.push(*s);
            }
            None => {
                let keys: Vec<&str> = here.as_object()?.keys().map(String::as_str).collect();
                let best = crate::input::suggestion(s, &keys)?;
                let mut out = prefix.clone();
                out.push(best);
                out.extend(&segs[i + 1..]);
                return Some(out.join("."));
            }
        }
    }
    None
}

/// A value written into a `w:t`: XML escaped, line breaks as `w:br`, tabs as `w:tab`, the
/// characters XML forbids left out, and the private-use characters the picture markers use
/// written as references (so no data can pose as a picture).
fn docx_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' => out.push_str("</w:t><w:br/><w:t xml:space=\"preserve\">"),
            '\t' => out.push_str("</w:t><w:tab/><w:t xml:space=\"preserve\">"),
            '\u{E000}' => out.push_str("&#xE000;"),
            '\u{E001}' => out.push_str("&#xE001;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// `{{collabdocs-lit P N}}`: the `N`th piece of part `P`'s own XML, written as it is.
struct Literal(Vec<Vec<String>>);

impl HelperDef for Literal {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let at = |i: usize| {
            h.param(i)
                .and_then(|p| p.value().as_u64())
                .map(|v| v as usize)
        };
        let chunk = at(0)
            .zip(at(1))
            .and_then(|(p, n)| self.0.get(p)?.get(n))
            .ok_or_else(|| RenderErrorReason::Other("a broken literal".into()))?;
        out.write(chunk)?;
        Ok(())
    }
}

/// A picture a tag asked for while a part was rendered.
pub(crate) struct ImageRequest {
    pub image: crate::image::ImageData,
    /// The placeholder drawing whose box it fills (index into the part's boxes).
    pub placeholder: Option<usize>,
    /// The size named, millimetres.
    pub width: Option<f32>,
    pub height: Option<f32>,
}

struct Images {
    max_pixels: u64,
    list: Vec<ImageRequest>,
}

thread_local! {
    static IMAGES: RefCell<Option<Images>> = const { RefCell::new(None) };
}

struct ClearImages;

impl Drop for ClearImages {
    fn drop(&mut self) {
        IMAGES.with(|i| *i.borrow_mut() = None);
    }
}

/// `{{collabdocs-image value box=N width=W height=H}}`: decodes the picture, keeps it for the
/// package, and writes a marker (`U+E000 n U+E001`) where it goes. No picture (null or
/// absent): nothing.
struct ImageHelper;

impl HelperDef for ImageHelper {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let value = h.param(0).map(|p| p.value().clone()).unwrap_or(Value::Null);
        let uri = match &value {
            Value::Null => return Ok(()),
            Value::String(s) if s.is_empty() => return Ok(()),
            Value::String(s) => s.clone(),
            other => {
                return Err(RenderErrorReason::Other(format!(
                    "is given {}, not a data: URI of a picture",
                    crate::input::type_name(other)
                ))
                .into())
            }
        };
        let num = |k: &str| h.hash_get(k).and_then(|v| v.value().as_f64());
        let max = IMAGES.with(|i| i.borrow().as_ref().map_or(8_000_000, |i| i.max_pixels));
        let image = crate::image::ImageData::from_data_uri(&uri, max)
            .map_err(|e| RenderErrorReason::Other(format!("is given a picture that {e}")))?;
        let index = IMAGES.with(|i| {
            let mut i = i.borrow_mut();
            let i = i
                .as_mut()
                .expect("images are collected while a template is filled");
            i.list.push(ImageRequest {
                image,
                placeholder: num("box").filter(|b| *b >= 0.0).map(|b| b as usize),
                width: num("width").filter(|w| *w > 0.0).map(|w| w as f32),
                height: num("height").filter(|w| *w > 0.0).map(|w| w as f32),
            });
            i.list.len() - 1
        });
        out.write(&format!("\u{E000}{index}\u{E001}"))?;
        Ok(())
    }
}
