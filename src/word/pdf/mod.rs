//! A filled Word document ([`super::model`]) laid out on pages and written as PDF by our own
//! writer, with the fonts inside: no office suite.
//!
//! Lines are broken by the same rules as the built-in layouts (UAX #14, 避头尾, punctuation
//! compression) in runs of several sizes, faces and colours; line heights follow the font's
//! own height, the paragraph's line rule and the section's document grid as LibreOffice sets
//! them (a line takes whole grid pitches, then the multiple). Paragraphs keep with the next,
//! keep their lines together and avoid a single line at a page's top or bottom (widow
//! control); tables repeat their header rows and split rows that may split; headers and
//! footers are set per page with `PAGE` and `NUMPAGES` computed, the first page's and even
//! pages' own when the section has them; a table of contents gets its headings' real page
//! numbers (laid out twice when there is one).

use std::collections::{BTreeSet, HashMap};

use super::model::*;
use crate::render::fonts::FontSet;
use crate::render::pdf::layout::{Layout, Op, Page};
use crate::render::RenderError;
use faces::Faces;
use items::{Body, Item};
use setter::Setter;

mod faces;
mod items;
mod setter;
mod table;
mod text;

/// The laid-out document and what a response reports about it.
pub struct Laid {
    pub layout: Layout,
    pub substituted: BTreeSet<(String, String)>,
}

/// Lays the document out on pages.
pub fn layout(docx: &Docx, fonts: &FontSet) -> Result<Laid, RenderError> {
    let mut pages = HashMap::new();
    let first = layout_pass(docx, fonts, &pages)?;
    if !docx.has_toc {
        return Ok(first.0);
    }
    pages = first.1;
    Ok(layout_pass(docx, fonts, &pages)?.0)
}

struct Placed {
    ops: Vec<Op>,
    /// Which structure element each run of `ops` belongs to.
    marks: items::Marks,
}

fn too_many(max_pages: usize) -> RenderError {
    RenderError::TooBig(format!(
        "the PDF would have more than {max_pages} pages, the most one document may have (COLLABDOCS_MAX_PAGES)"
    ))
}

fn layout_pass(
    docx: &Docx,
    fonts: &FontSet,
    heading_pages: &HashMap<usize, usize>,
) -> Result<(Laid, HashMap<usize, usize>), RenderError> {
    let face = &fonts.faces[0];
    let mut setter = Setter {
        faces: Faces::new(fonts),
        missing: BTreeSet::new(),
        heading_pages: heading_pages.clone(),
        page: (1, 1),
        height_em: (face.ascent - face.descent).clamp(0.8, 2.0),
        ascent_em: face.ascent.clamp(0.5, 1.5),
        grid: None,
        char_pitch: None,
        keep_next_pending: false,
        compress: docx.compress_punctuation,
        break_pending: false,
        tags: Some(setter::Tags::default()),
    };
    let max_pages = crate::budget::limits().max_pages.max(1);
    let mut out: Vec<Placed> = Vec::new();
    // Which section each page belongs to, and whether it is the section's first page.
    let mut page_section: Vec<(usize, bool)> = Vec::new();
    let mut found = HashMap::new();
    let mut y = 0.0f32;
    let mut size = (0.0, 0.0);
    for (si, s) in docx.sections.iter().enumerate() {
        let pg = &s.page;
        (setter.grid, setter.char_pitch) = (pg.grid, pg.char_pitch);
        let width = (pg.width - pg.left - pg.right).max(36.0);
        let body_h = (pg.height - pg.top - pg.bottom).max(36.0);
        (setter.break_pending, setter.keep_next_pending) = (false, false);
        let mut queue = split_tall(setter.blocks(&s.blocks, width, body_h, 0), body_h);
        if out.is_empty() || s.new_page || size != (pg.width, pg.height) {
            if out.len() >= max_pages {
                return Err(too_many(max_pages));
            }
            out.push(Placed {
                ops: Vec::new(),
                marks: Vec::new(),
            });
            page_section.push((si, true));
            y = 0.0;
        }
        size = (pg.width, pg.height);
        // What the page held before this section's items, and where they start.
        let mut base = out.last().map_or(0, |p| p.ops.len());
        let mut base_y = y;
        let mut page_start = 0;
        let mut i = 0;
        while i < queue.len() {
            crate::budget::check().map_err(RenderError::Stopped)?;
            let at_top = i == page_start;
            let it = &queue[i];
            let fits = y + it.h <= body_h + 0.01;
            if !fits && !it.forced {
                // A row that may split gives this page what fits.
                if let Body::Row(row) = &it.body {
                    if let Some((a, b)) = row.split(body_h - y) {
                        let (mut first, mut rest) = (it.clone(), it.clone());
                        (first.h, first.body) = (a.h, Body::Row(a));
                        (rest.h, rest.body, rest.breakable) = (b.h, Body::Row(b), true);
                        queue[i] = first;
                        queue.insert(i + 1, rest);
                        continue;
                    }
                }
            }
            if (it.forced || !fits) && !at_top {
                // Back to the last place the page may break, if that leaves something here.
                let mut at = i;
                if !it.forced {
                    while at > page_start && !queue[at].breakable {
                        at -= 1;
                    }
                    if at == page_start {
                        at = i;
                    }
                }
                if at < i {
                    let page = out.last_mut().expect("a page");
                    page.ops.truncate(base);
                    page.marks.retain(|m| m.0 < base);
                    let mut yy = base_y;
                    for it in &queue[page_start..at] {
                        let to = (&mut page.ops, &mut page.marks);
                        it.draw_marked(pg.left, pg.top + yy, to, Some(pg), None);
                        yy += it.h;
                    }
                }
                if out.len() >= max_pages {
                    return Err(too_many(max_pages));
                }
                out.push(Placed {
                    ops: Vec::new(),
                    marks: Vec::new(),
                });
                page_section.push((si, false));
                y = 0.0;
                i = at;
                // Space at the top of a page is left out; a table's header rows come again.
                while i < queue.len() && queue[i].space && !queue[i].forced {
                    i += 1;
                }
                page_start = i;
                let page = out.last_mut().expect("a page");
                if let Some(h) = queue.get(i).and_then(|it| it.repeat.clone()) {
                    // Drawn again, the header rows are artifacts: read once, where they stand.
                    page.marks.push((page.ops.len(), None));
                    for hr in h.iter() {
                        hr.draw(pg.left, pg.top + y, &mut page.ops, Some(pg));
                        y += hr.h;
                    }
                }
                base = page.ops.len();
                base_y = y;
                continue;
            }
            if let Some(n) = it.heading {
                found.insert(n, out.len());
            }
            let page = out.last_mut().expect("a page");
            it.draw_marked(
                pg.left,
                pg.top + y,
                (&mut page.ops, &mut page.marks),
                Some(pg),
                None,
            );
            y += it.h;
            i += 1;
        }
    }
    // Page furniture, now that the page count is known: artifacts.
    let nodes = setter.tags.take().map(|t| t.nodes).unwrap_or_default();
    let count = out.len();
    let mut pages = Vec::with_capacity(count);
    let (w0, h0) = docx
        .sections
        .first()
        .map_or((595.3, 841.9), |s| (s.page.width, s.page.height));
    for (n, placed) in out.into_iter().enumerate() {
        let (si, first_of_section) = page_section[n];
        let s = &docx.sections[si];
        let pg = &s.page;
        setter.page = (n + 1, count);
        (setter.grid, setter.char_pitch) = (None, None);
        let width = (pg.width - pg.left - pg.right).max(36.0);
        let pick = |f: &Furniture| -> Option<Vec<Block>> {
            if s.title_page && first_of_section {
                return f.first.clone();
            }
            if (n + 1) % 2 == 0 && docx.even_and_odd {
                if let Some(e) = &f.even {
                    return Some(e.clone());
                }
            }
            f.default.clone()
        };
        let mut ops = Vec::new();
        (setter.break_pending, setter.keep_next_pending) = (false, false);
        if let Some(h) = pick(&s.header) {
            let items = setter.blocks(&h, width, pg.height, 0);
            let mut y = pg.header;
            for it in &items {
                it.draw(pg.left, y, &mut ops, Some(pg));
                y += it.h;
            }
        }
        if let Some(f) = pick(&s.footer) {
            let items = setter.blocks(&f, width, pg.height, 0);
            let total: f32 = items.iter().map(|i| i.h).sum();
            let mut y = pg.height - pg.footer - total;
            for it in &items {
                it.draw(pg.left, y, &mut ops, Some(pg));
                y += it.h;
            }
        }
        // The header and footer come first, artifacts; the body's marks after them.
        let furniture = ops.len();
        ops.extend(placed.ops);
        pages.push(Page {
            ops,
            lines: Vec::new(),
            size: ((pg.width, pg.height) != (w0, h0)).then_some((pg.width, pg.height)),
            marks: placed
                .marks
                .into_iter()
                .map(|(at, node)| (at + furniture, node))
                .collect(),
            furniture: None,
        });
    }
    Ok((
        Laid {
            layout: Layout {
                width: w0,
                height: h0,
                pages,
                missing: setter.missing,
                anchors: Vec::new(),
                nodes,
            },
            substituted: setter.faces.substituted,
        },
        found,
    ))
}

/// Items taller than a page split where they can (a row by its cells' lines); what cannot
/// split is left to overflow its page rather than be lost.
fn split_tall(items: Vec<Item>, body_h: f32) -> Vec<Item> {
    let mut out = Vec::with_capacity(items.len());
    for mut it in items {
        let mut guard = 0;
        while it.h > body_h && guard < 10_000 {
            guard += 1;
            let Body::Row(row) = &it.body else { break };
            let mut splittable = row.clone();
            splittable.can_split = true;
            let Some((a, b)) = splittable.split(body_h) else {
                break;
            };
            let mut first = it.clone();
            first.h = a.h;
            first.body = Body::Row(a);
            out.push(first);
            it.h = b.h;
            it.body = Body::Row(b);
            it.breakable = true;
            it.forced = false;
        }
        out.push(it);
    }
    out
}

/// A filled Word document as PDF, and what its response reports.
#[derive(Debug, Clone)]
/// A filled template laid out on pages and written (as a PDF or an OFD), with what the
/// writing found.
pub struct PdfFile {
    pub bytes: Vec<u8>,
    pub missing_glyphs: Vec<char>,
    /// Fonts the document names that are not here: (asked for, set in).
    pub substituted: Vec<(String, String)>,
    /// What was not carried over: `chart ×2`.
    pub unsupported: Vec<String>,
}

/// What writes laid-out pages as a file: [`crate::render::pdf::write_layout`] or
/// [`crate::render::ofd::write_layout`].
pub type PageWriter = fn(&crate::document::Meta, &Layout, &FontSet) -> Result<Vec<u8>, RenderError>;

/// Reads the filled package, lays it out with `fonts` and writes the pages with `write`.
pub fn to_pages(
    package: &super::package::Package,
    (limits, max_pixels): (super::package::PackageLimits, u64),
    (meta, fonts): (&crate::document::Meta, &FontSet),
    write: PageWriter,
) -> Result<PdfFile, RenderError> {
    let mut cx = super::context::Context::of(package, limits, max_pixels);
    let docx = super::read::read(&mut cx).map_err(RenderError::TooBig)?;
    let laid = layout(&docx, fonts)?;
    let bytes = write(meta, &laid.layout, fonts)?;
    Ok(PdfFile {
        bytes,
        missing_glyphs: laid.layout.missing.into_iter().collect(),
        substituted: laid.substituted.into_iter().collect(),
        unsupported: docx
            .unsupported
            .into_iter()
            .map(|(what, n)| {
                if n > 1 {
                    format!("{what} ×{n}")
                } else {
                    what.to_string()
                }
            })
            .collect(),
    })
}
