//! PDF output: the layout's drawing operations written with krilla, the font subset inside.

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{GlyphId, KrillaGlyph};

use super::fonts::FontSet;
use super::RenderError;
use layout::{Layout, Op, Page, Rgb, TextStyle, A4};

mod flow;
mod furniture;
mod grid;
pub mod layout;
pub mod lines;
mod tags;
use crate::document::{Document, ImageData, ImageFormat};
pub use tags::{headings, Heading};

/// A PDF in the theme's faces, with the characters no font could draw and where anchored
/// blocks landed.
pub fn render(doc: &Document, theme: &super::Theme) -> Result<super::Output, RenderError> {
    let fonts = theme.fonts;
    let lay = layout(doc, fonts)?;
    let bytes = write(doc, &lay, fonts)?;
    Ok(super::Output {
        bytes,
        missing_glyphs: lay.missing.into_iter().collect(),
        anchors: lay.anchors,
    })
}

fn color(c: Rgb) -> rgb::Color {
    rgb::Color::new(c[0], c[1], c[2])
}

fn fill(c: Rgb, opacity: f32) -> Fill {
    Fill {
        paint: color(c).into(),
        opacity: NormalizedF32::new(opacity).unwrap_or(NormalizedF32::ONE),
        rule: Default::default(),
    }
}

fn stroke(c: Rgb, width: f32) -> Stroke {
    Stroke {
        paint: color(c).into(),
        width,
        ..Stroke::default()
    }
}

/// Draws a string with the faces the font set picks, as positioned glyphs, so what was
/// measured is what is drawn; `bold` adds a thin stroke (synthetic bold).
/// Draws the glyphs of one run of `text` (the byte `range`) in one face at `(x, y)`.
fn draw_run(
    surface: &mut krilla::surface::Surface<'_>,
    fonts: &FontSet,
    face: usize,
    glyphs: &mut Vec<KrillaGlyph>,
    (text, range): (&str, std::ops::Range<usize>),
    (x, y): (f32, f32),
    size: f32,
) {
    if glyphs.is_empty() {
        return;
    }
    // Glyph text ranges are relative to the slice passed with them.
    let start = range.start;
    let slice = &text[range];
    let shifted: Vec<KrillaGlyph> = glyphs
        .drain(..)
        .map(|g| {
            KrillaGlyph::new(
                g.glyph_id,
                g.x_advance,
                0.0,
                0.0,
                0.0,
                g.text_range.start - start..g.text_range.end - start,
                None,
            )
        })
        .collect();
    surface.draw_glyphs(
        Point::from_xy(x, y),
        &shifted,
        fonts.faces[face].font.clone(),
        slice,
        size,
        false,
    );
}

/// Draws `text` at `(x, y)`, each character with its advance and offset (points) as the
/// layout set it, or at its natural width when `advances` is `None`.
fn draw_text(
    surface: &mut krilla::surface::Surface<'_>,
    fonts: &FontSet,
    (x, y): (f32, f32),
    (text, advances): (&str, Option<&[(f32, f32)]>),
    style: TextStyle,
    opacity: f32,
) {
    let TextStyle {
        size,
        color: c,
        bold,
        heading,
        face: wanted,
        italic,
        ..
    } = style;
    if italic {
        // A 12° slant about the baseline.
        s_push_slant(surface, y);
    }
    surface.set_fill(Some(fill(c, opacity)));
    // Faux bold (a thin stroke) in a face without a bold weight.
    let faux_bold = Some(Stroke {
        opacity: NormalizedF32::new(opacity).unwrap_or(NormalizedF32::ONE),
        ..stroke(c, size * 0.035)
    });
    let set_stroke = |surface: &mut krilla::surface::Surface<'_>, face: usize| {
        surface.set_stroke(if bold && fonts.faces[face].synthetic_bold {
            faux_bold.clone()
        } else {
            None
        });
    };
    let mut cx = x;
    // Group consecutive characters drawn with the same face.
    let mut run_start = 0;
    let mut glyphs: Vec<KrillaGlyph> = Vec::new();
    let mut face = usize::MAX;
    let mut run_w = 0.0;
    let flush = |surface: &mut krilla::surface::Surface<'_>,
                 face: usize,
                 glyphs: &mut Vec<KrillaGlyph>,
                 range: std::ops::Range<usize>,
                 cx: f32| {
        if !glyphs.is_empty() {
            set_stroke(surface, face);
        }
        draw_run(surface, fonts, face, glyphs, (text, range), (cx, y), size);
    };
    for (k, (i, ch)) in text.char_indices().enumerate() {
        let p = fonts.place_in(ch, wanted, heading);
        let (advance, offset) = advances
            .and_then(|a| a.get(k).copied())
            .unwrap_or((p.advance * size, 0.0));
        if p.face != face && !glyphs.is_empty() {
            flush(surface, face, &mut glyphs, run_start..i, cx);
            cx += run_w;
            run_w = 0.0;
        }
        if glyphs.is_empty() {
            run_start = i;
            face = p.face;
        }
        glyphs.push(KrillaGlyph::new(
            GlyphId::new(p.gid),
            advance / size,
            offset / size,
            0.0,
            0.0,
            i..i + ch.len_utf8(),
            None,
        ));
        run_w += advance;
    }
    flush(surface, face, &mut glyphs, run_start..text.len(), cx);
    surface.set_stroke(None);
    if italic {
        surface.pop();
    }
}

/// Slants what is drawn next by 12° about the baseline at `(x, y)` (until `pop`).
fn s_push_slant(surface: &mut krilla::surface::Surface<'_>, y: f32) {
    let k = -(12f32.to_radians().tan());
    surface.push_transform(&Transform::from_row(1.0, 0.0, k, 1.0, -k * y, 0.0));
}

fn write(doc: &Document, lay: &Layout, fonts: &FontSet) -> Result<Vec<u8>, RenderError> {
    write_layout(&doc.meta, lay, fonts)
}

/// Writes laid-out pages as a PDF: each page its own size when it has one, else the layout's.
pub fn write_layout(
    meta: &crate::document::Meta,
    lay: &Layout,
    fonts: &FontSet,
) -> Result<Vec<u8>, RenderError> {
    if meta.archive.is_some() && !lay.missing.is_empty() {
        // PDF/A draws every character from its font; a plain PDF would show an empty box.
        let named: Vec<String> = lay
            .missing
            .iter()
            .take(16)
            .map(|c| format!("{c} (U+{:04X})", u32::from(*c)))
            .collect();
        return Err(RenderError::Refused(format!(
            "a PDF/A copy must draw every character from its font, and no font here has {}{}: leave out archive=pdfa (a plain PDF shows them as empty boxes), or add a font that has them (COLLABDOCS_FONTS_DIR)",
            named.join(", "),
            if lay.missing.len() > 16 { format!(" and {} more", lay.missing.len() - 16) } else { String::new() }
        )));
    }
    // A tagged layout is also checked against PDF/UA-1 when every character has a glyph and
    // the document has a title (PDF/UA asks both). Should the check find anything else, the
    // file is written again without the claim: a document is never refused for it.
    let ua = !lay.nodes.is_empty() && lay.missing.is_empty() && !meta.title.trim().is_empty();
    match write_checked(meta, lay, fonts, ua) {
        Err(RenderError::Internal(why)) if ua => {
            tracing::warn!(%why, "the PDF/UA-1 check failed; written without the claim");
            write_checked(meta, lay, fonts, false)
        }
        other => other,
    }
}

/// [`write_layout`], claiming (and checked against) PDF/UA-1 when `ua`.
fn write_checked(
    meta: &crate::document::Meta,
    lay: &Layout,
    fonts: &FontSet,
    ua: bool,
) -> Result<Vec<u8>, RenderError> {
    // A layout with structure elements is tagged (a Word template's is not, yet).
    let tagged = !lay.nodes.is_empty();
    let mut settings = krilla::SerializeSettings {
        enable_tagging: tagged,
        ..Default::default()
    };
    // The writer checks the file against what it claims as it writes it: PDF/A-3b for an
    // archive copy; PDF/UA-1 when asked (PDF/UA does not allow the empty box a plain PDF
    // shows for a character no font has: such a file is tagged all the same, without it).
    if meta.archive.is_some() || ua {
        let mut config = krilla::configure::ConfigurationBuilder::new();
        if meta.archive.is_some() {
            config = config.with_archival_validator(krilla::configure::Archival::A3_B);
        }
        if ua {
            config = config.with_accessibility_validator(krilla::configure::Accessibility::UA1);
        }
        settings.configuration = config
            .finish()
            .map_err(|e| RenderError::Internal(format!("pdf/a, pdf/ua: {e:?}")))?;
    }
    let mut pdf = krilla::Document::new_with(settings);
    if let Some(archive) = &meta.archive {
        let (y, m, d) = archive.date;
        pdf.embed_file(krilla::embed::EmbeddedFile {
            path: archive.name.clone(),
            mime_type: krilla::embed::MimeType::new("application/json"),
            description: Some("the data this document was made from (JSON)".into()),
            association_kind: krilla::embed::AssociationKind::Source,
            data: archive.json.clone().into(),
            modification_date: Some(krilla::metadata::DateTime::new(y).month(m).day(d)),
            compress: Some(true),
            location: None,
        })
        .ok_or_else(|| RenderError::Internal("pdf/a: the data could not be attached".into()))?;
    }
    let mut metadata = Metadata::new()
        .title(meta.title.clone())
        .description(meta.subject.clone())
        .creator("collabdocs".to_string())
        .authors(vec![meta.author.clone()])
        .language(meta.lang.clone());
    if let Some(archive) = &meta.archive {
        // An archive copy is dated (PDF/A asks for it): the document's own date, so the same
        // input gives the same bytes.
        let (y, m, d) = archive.date;
        metadata = metadata.creation_date(krilla::metadata::DateTime::new(y).month(m).day(d));
    }
    pdf.set_metadata(metadata);
    let smooth = meta.archive.is_none();
    let mut tagger = tags::Tagger::new(&lay.nodes);
    for page in &lay.pages {
        let (w, h) = page.size.unwrap_or((lay.width, lay.height));
        let size =
            Size::from_wh(w, h).ok_or_else(|| RenderError::Internal("bad page size".into()))?;
        crate::budget::check().map_err(RenderError::Stopped)?;
        let mut p = pdf.start_page_with(PageSettings::new(size));
        let mut s = p.surface();
        if tagged {
            tagger.page(&mut s, page, |s, op| draw_op(s, op, fonts, lay, smooth));
        } else {
            for op in &page.ops {
                draw_op(&mut s, op, fonts, lay, smooth);
            }
        }
        s.finish();
        p.finish();
    }
    if tagged {
        pdf.set_tag_tree(tagger.tree(&lay.nodes, &meta.lang));
        pdf.set_outline(tags::outline(&lay.nodes, &lay.pages));
    }
    pdf.finish()
        .map_err(|e| RenderError::Internal(format!("pdf: {e:?}")))
}

/// Draws an image into `[x, y, w, h]`, interpolated when `smooth` (PDF/A forbids asking
/// for it). Images were checked at the boundary; one that still fails to decode is left out.
fn draw_image(
    s: &mut krilla::surface::Surface<'_>,
    image: &ImageData,
    [x, y, w, h]: [f32; 4],
    smooth: bool,
) {
    let data: krilla::Data = image.bytes.clone().into();
    let img = match image.format {
        ImageFormat::Png => krilla::image::Image::from_png(data, smooth),
        ImageFormat::Jpeg => krilla::image::Image::from_jpeg(data, smooth),
    };
    if let (Ok(img), Some(sz)) = (img, Size::from_wh(w, h)) {
        s.push_transform(&Transform::from_translate(x, y));
        s.draw_image(img, sz);
        s.pop();
    }
}

/// Draws one operation of the layout on a page.
fn draw_op(
    s: &mut krilla::surface::Surface<'_>,
    op: &Op,
    fonts: &FontSet,
    lay: &Layout,
    smooth: bool,
) {
    match op {
        Op::Rect {
            x,
            y,
            w,
            h,
            fill: f,
            stroke: st,
        } => {
            let Some(rect) = Rect::from_xywh(*x, *y, w.max(0.01), h.max(0.01)) else {
                return;
            };
            let mut pb = PathBuilder::new();
            pb.push_rect(rect);
            let Some(path) = pb.finish() else { return };
            s.set_fill(f.map(|c| fill(c, 1.0)));
            s.set_stroke(st.map(|c| stroke(c, 0.5)));
            s.draw_path(&path);
            s.set_stroke(None);
        }
        Op::Line {
            x1,
            y1,
            x2,
            y2,
            color: c,
            width,
        } => {
            let mut pb = PathBuilder::new();
            pb.move_to(*x1, *y1);
            pb.line_to(*x2, *y2);
            let Some(path) = pb.finish() else { return };
            s.set_fill(None);
            s.set_stroke(Some(stroke(*c, *width)));
            s.draw_path(&path);
            s.set_stroke(None);
        }
        Op::Text {
            x,
            y,
            size,
            bold,
            heading,
            color: c,
            text,
            advances,
            face,
            italic,
        } => draw_text(
            s,
            fonts,
            (*x, *y),
            (text, Some(advances)),
            TextStyle {
                bold: *bold,
                heading: *heading,
                face: *face,
                italic: *italic,
                ..TextStyle::new(*size, *c)
            },
            1.0,
        ),
        Op::Image { x, y, w, h, image } => draw_image(s, image, [*x, *y, *w, *h], smooth),
        Op::ImageSlice {
            x,
            y,
            w,
            h,
            image,
            window: [wx, wy, ww, wh],
        } => {
            let mut pb = PathBuilder::new();
            let Some(rect) = Rect::from_xywh(*wx, *wy, *ww, *wh) else {
                return;
            };
            pb.push_rect(rect);
            let Some(path) = pb.finish() else { return };
            s.push_clip_path(&path, &krilla::paint::FillRule::NonZero);
            draw_image(s, image, [*x, *y, *w, *h], smooth);
            s.pop();
        }
        Op::Mark { text } => {
            let m = layout::DraftMark::of(text, fonts, (lay.width, lay.height));
            s.push_transform(&Transform::from_rotate_at(m.angle, m.centre.0, m.centre.1));
            let style = TextStyle::new(m.size, m.color).bold();
            draw_text(s, fonts, m.start, (text, None), style, m.opacity);
            s.pop();
        }
    }
}

/// Lays a document out on A4 pages (landscape when the document asks), within the page
/// budget and the time of [`crate::budget`].
pub fn layout(doc: &Document, fonts: &FontSet) -> Result<Layout, RenderError> {
    let (width, height) = if doc.landscape { (A4.1, A4.0) } else { A4 };
    let geo = layout::Geometry::of(doc.profile);
    let mut flow = flow::Flow {
        fonts,
        geo,
        in_colophon: false,
        width,
        height,
        pages: Vec::new(),
        y: geo.top,
        missing: std::collections::BTreeSet::new(),
        anchors: Vec::new(),
        max_pages: crate::budget::limits().max_pages.max(1),
        stop: None,
        signature_heights: Vec::new(),
        nodes: Vec::new(),
        node: None,
        repeated_header: None,
    };
    flow.pages.push(Page::default());
    for (i, b) in doc.blocks.iter().enumerate() {
        flow.block(b, &doc.blocks[i + 1..]);
        if let Some(stop) = flow.stop.take() {
            return Err(stop);
        }
    }
    furniture::add(&mut flow, doc);
    Ok(Layout {
        width,
        height,
        pages: flow.pages,
        missing: flow.missing,
        anchors: flow.anchors,
        nodes: flow.nodes,
    })
}
