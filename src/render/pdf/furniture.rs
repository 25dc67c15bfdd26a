//! Page furniture: the header (organisation, logo, document number) and the footer with the
//! page number, drawn on every page once the page count is known; the draft mark.

use std::collections::BTreeSet;

use super::flow::Flow;
use super::layout::{mm, Op, Page, TextStyle, INK, MUTED};
use crate::document::*;

/// Draws the header and footer on every page of `flow`.
pub(super) fn add(flow: &mut Flow<'_>, doc: &Document) {
    let (fonts, width, height) = (flow.fonts, flow.width, flow.height);
    // Page furniture, now that the page count is known.
    let total = flow.pages.len();
    let header = doc.header.clone().unwrap_or_default();
    let footer = doc
        .footer
        .clone()
        .unwrap_or_else(|| "第 {page} 页 / 共 {pages} 页".into());
    let (l, r) = (flow.left(), flow.right());
    for i in 0..total {
        let mut furniture = Flow {
            fonts,
            geo: flow.geo,
            in_colophon: false,
            width,
            height,
            pages: vec![Page::default()],
            y: 0.0,
            missing: BTreeSet::new(),
            anchors: Vec::new(),
            max_pages: 1,
            stop: None,
            signature_heights: Vec::new(),
            nodes: Vec::new(),
            node: None,
            repeated_header: None,
        };
        if flow.geo.official {
            official_page_number(&mut furniture, i, (l, r), height - flow.geo.bottom);
        } else {
            standard(
                &mut furniture,
                (&header, footer.as_str()),
                (i, total),
                (l, r),
            );
        }
        if let Some(mark) = &doc.draft_mark {
            furniture.page().ops.push(Op::Mark { text: mark.clone() });
        }
        if let Some((seal, size_mm)) = doc.cross_page_seal.as_ref().filter(|_| total > 1) {
            furniture.page().ops.push(cross_page_slice(
                seal,
                mm(*size_mm),
                (i, total),
                (width, height),
            ));
        }
        flow.missing.extend(furniture.missing.iter());
        let f = furniture.pages.pop().unwrap_or_default();
        let page = &mut flow.pages[i];
        // Page furniture is an artifact to a screen reader.
        page.marks.push((page.ops.len(), None));
        page.furniture = Some(page.ops.len());
        page.ops.extend(f.ops);
        page.lines.extend(f.lines);
    }
}

/// Page `i`'s slice of the 骑缝章: the seal, `side` points along its longer side, split into
/// `total` vertical strips; page `i` shows strip `i` at its right edge, halfway down — laid
/// side by side, the pages' edges show the whole seal.
fn cross_page_slice(
    seal: &ImageData,
    side: f32,
    (i, total): (usize, usize),
    (width, height): (f32, f32),
) -> Op {
    let ratio = seal.height_px as f32 / seal.width_px.max(1) as f32;
    let (w, h) = if ratio <= 1.0 {
        (side, side * ratio)
    } else {
        (side / ratio, side)
    };
    let strip = w / total as f32;
    let y = (height - h) / 2.0;
    Op::ImageSlice {
        x: width - strip - strip * i as f32,
        y,
        w,
        h,
        image: seal.clone(),
        window: [width - strip, y, strip, h],
    }
}

/// GB/T 9704-2012 §7.5: the page number as "— 1 —" in 4号 宋体, 7 mm under the text block,
/// on the outer side one character in: odd pages right, even pages left.
fn official_page_number(furniture: &mut Flow<'_>, i: usize, (l, r): (f32, f32), block_bottom: f32) {
    let size = 14.0;
    let style = TextStyle::new(size, INK);
    let text = format!("— {} —", i + 1);
    let line = &furniture.wrap_styled(&[Span::plain(text)], style, r - l, 0.0)[0];
    let x = if i.is_multiple_of(2) {
        r - size - line.width
    } else {
        l + size
    };
    furniture.draw_line(line, (x, block_bottom + mm(7.0) + size), style, r);
}

/// The standard header (organisation, logo, document number) over a rule, and the footer.
fn standard(
    furniture: &mut Flow<'_>,
    (header, footer): (&PageHeader, &str),
    (i, total): (usize, usize),
    (l, r): (f32, f32),
) {
    let height = furniture.height;
    {
        let size = 9.0;
        let top = 38.0;
        let mut left_x = l;
        if let Some(logo) = &header.logo {
            let h = 14.0;
            let w = (h * logo.width_px as f32 / logo.height_px.max(1) as f32).min(80.0);
            furniture.page().ops.push(Op::Image {
                x: l,
                y: top - h + 2.0,
                w,
                h,
                image: logo.clone(),
            });
            left_x = l + w + 4.0;
        }
        for (text, align) in [(&header.left, Align::Left), (&header.right, Align::Right)] {
            if text.is_empty() {
                continue;
            }
            let line = &furniture.wrap(&[Span::plain(text.as_str())], size, (r - l) / 2.0)[0];
            let x = if align == Align::Left {
                left_x
            } else {
                r - line.width
            };
            furniture.draw_line(line, (x, top), TextStyle::new(size, MUTED), r);
        }
        furniture.page().ops.push(Op::Line {
            x1: l,
            y1: top + 5.0,
            x2: r,
            y2: top + 5.0,
            color: [0xbf, 0xbf, 0xbf],
            width: 0.5,
        });
        let text = footer
            .replace("{page}", &(i + 1).to_string())
            .replace("{pages}", &total.to_string());
        let line = &furniture.wrap(&[Span::plain(text)], size, r - l)[0];
        furniture.draw_line(
            line,
            (l + (r - l - line.width) / 2.0, height - 32.0),
            TextStyle::new(size, MUTED),
            r,
        );
    }
}
