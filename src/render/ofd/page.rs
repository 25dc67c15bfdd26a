//! A page's content as OFD objects: the layout's operations, the same the PDF draws, as
//! text objects (one per face, every glyph's position given by `DeltaX`), path objects
//! (rules and cell boxes) and image objects. Coordinates are millimetres from the page's
//! top-left corner, as the layout's points are from it.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::font::Used;
use crate::document::{ImageData, ImageFormat};
use crate::render::fonts::FontSet;
use crate::render::pdf::layout::{DraftMark, Op, Rgb};
use crate::values::xml_escape;

/// Millimetres in a point.
const MM: f32 = 25.4 / 72.0;

/// A length in millimetres, at most three decimals, no trailing zeros.
pub(super) fn num(points: f32) -> Mm {
    Mm((f64::from(points) * f64::from(MM) * 1000.0).round() as i64)
}

/// Thousandths of a millimetre, written as a decimal.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) struct Mm(pub(super) i64);

impl std::fmt::Display for Mm {
    /// Written digit by digit into a buffer on the stack: a page has thousands of lengths,
    /// and the formatting machinery (padding, a string for the decimals) was a tenth of an
    /// OFD's time.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut buf = [0u8; 24];
        let mut at = buf.len();
        let (mut int, mut frac) = (self.0.unsigned_abs() / 1000, self.0.unsigned_abs() % 1000);
        // The decimals, trailing zeros dropped.
        let mut decimals = 3;
        while decimals > 0 && frac % 10 == 0 {
            frac /= 10;
            decimals -= 1;
        }
        if decimals > 0 {
            for _ in 0..decimals {
                at -= 1;
                buf[at] = b'0' + (frac % 10) as u8;
                frac /= 10;
            }
            at -= 1;
            buf[at] = b'.';
        }
        loop {
            at -= 1;
            buf[at] = b'0' + (int % 10) as u8;
            int /= 10;
            if int == 0 {
                break;
            }
        }
        if self.0 < 0 {
            at -= 1;
            buf[at] = b'-';
        }
        f.write_str(std::str::from_utf8(&buf[at..]).unwrap_or("0"))
    }
}

/// What the pages of one document share as they are written: the next object ID, the
/// characters each face draws, the images (each once, by content).
pub(super) struct Shared<'a> {
    pub fonts: &'a FontSet,
    pub next_id: u32,
    /// Per face of the font set: the characters drawn with it and their glyphs.
    pub used: Vec<Used>,
    /// Each image's resource ID and file, in the order first drawn.
    pub images: Vec<(u32, String, ImageData)>,
    image_ids: BTreeMap<Vec<u8>, u32>,
    /// The layout's page size (points): the draft mark turns about its centre.
    pub page_width: f32,
    pub page_height: f32,
}

impl<'a> Shared<'a> {
    pub fn new(fonts: &'a FontSet, first_id: u32, (page_width, page_height): (f32, f32)) -> Self {
        Shared {
            fonts,
            next_id: first_id,
            used: vec![Used::new(); fonts.faces.len()],
            images: Vec::new(),
            image_ids: BTreeMap::new(),
            page_width,
            page_height,
        }
    }

    pub fn id(&mut self) -> u32 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// The font resource ID of face `face`.
    pub fn font_id(face: usize) -> u32 {
        face as u32 + 1
    }

    /// The resource ID of an image, registered at its first use.
    fn image(&mut self, image: &ImageData) -> u32 {
        use sha2::Digest;
        let key = sha2::Sha256::digest(image.bytes.as_slice()).to_vec();
        if let Some(id) = self.image_ids.get(&key) {
            return *id;
        }
        let id = self.id();
        let ext = match image.format {
            ImageFormat::Png => "png",
            ImageFormat::Jpeg => "jpg",
        };
        self.images
            .push((id, format!("image_{id}.{ext}"), image.clone()));
        self.image_ids.insert(key, id);
        id
    }

    /// A layer holding `ops` as OFD objects.
    pub fn layer(&mut self, ops: &[&Op]) -> String {
        let mut out = String::with_capacity(ops.len() * 200);
        let layer = self.id();
        let _ = write!(out, "<ofd:Layer ID=\"{layer}\">");
        for op in ops {
            self.object(&mut out, op);
        }
        out.push_str("</ofd:Layer>");
        out
    }

    fn object(&mut self, out: &mut String, op: &Op) {
        match op {
            Op::Text {
                x,
                y,
                size,
                bold,
                heading,
                color,
                text,
                advances,
                face,
                italic,
            } => {
                let style = Style {
                    size: *size,
                    color: *color,
                    bold: *bold,
                    heading: *heading,
                    face: *face,
                    italic: *italic,
                    alpha: None,
                    ctm: None,
                };
                self.text(out, (*x, *y), text, Some(advances), style);
            }
            Op::Rect {
                x,
                y,
                w,
                h,
                fill,
                stroke,
            } => {
                let (w, h) = (w.max(0.01), h.max(0.01));
                let half = if stroke.is_some() { 0.25 } else { 0.0 };
                let id = self.id();
                let _ =
                    write!(
                    out,
                    "<ofd:PathObject ID=\"{id}\" Boundary=\"{} {} {} {}\" LineWidth=\"{}\"{}{}>",
                    num(x - half),
                    num(y - half),
                    num(w + 2.0 * half),
                    num(h + 2.0 * half),
                    num(0.5),
                    if stroke.is_some() { "" } else { " Stroke=\"false\"" },
                    if fill.is_some() { " Fill=\"true\"" } else { "" },
                );
                if let Some(c) = fill {
                    color(out, "FillColor", *c);
                }
                if let Some(c) = stroke {
                    color(out, "StrokeColor", *c);
                }
                let (l, t, r, b) = (num(half), num(half), num(half + w), num(half + h));
                let _ = write!(
                    out,
                    "<ofd:AbbreviatedData>M {l} {t} L {r} {t} L {r} {b} L {l} {b} C</ofd:AbbreviatedData></ofd:PathObject>"
                );
            }
            Op::Line {
                x1,
                y1,
                x2,
                y2,
                color: c,
                width,
            } => {
                let half = width / 2.0;
                let (bx, by) = (x1.min(*x2) - half, y1.min(*y2) - half);
                let id = self.id();
                let _ = write!(
                    out,
                    "<ofd:PathObject ID=\"{id}\" Boundary=\"{} {} {} {}\" LineWidth=\"{}\">",
                    num(bx),
                    num(by),
                    num((x2 - x1).abs() + width),
                    num((y2 - y1).abs() + width),
                    num(*width),
                );
                color(out, "StrokeColor", *c);
                let _ = write!(
                    out,
                    "<ofd:AbbreviatedData>M {} {} L {} {}</ofd:AbbreviatedData></ofd:PathObject>",
                    num(x1 - bx),
                    num(y1 - by),
                    num(x2 - bx),
                    num(y2 - by),
                );
            }
            Op::Image { x, y, w, h, image } => {
                let res = self.image(image);
                let id = self.id();
                let _ = write!(
                    out,
                    "<ofd:ImageObject ID=\"{id}\" Boundary=\"{} {} {} {}\" CTM=\"{} 0 0 {} 0 0\" ResourceID=\"{res}\"/>",
                    num(*x),
                    num(*y),
                    num(*w),
                    num(*h),
                    num(*w),
                    num(*h),
                );
            }
            Op::ImageSlice {
                x,
                y,
                w,
                h,
                image,
                window: [wx, wy, ww, wh],
            } => {
                // The object's boundary is the window: what falls outside it is not drawn.
                let res = self.image(image);
                let id = self.id();
                let _ = write!(
                    out,
                    "<ofd:ImageObject ID=\"{id}\" Boundary=\"{} {} {} {}\" CTM=\"{} 0 0 {} {} {}\" ResourceID=\"{res}\"/>",
                    num(*wx),
                    num(*wy),
                    num(*ww),
                    num(*wh),
                    num(*w),
                    num(*h),
                    num(x - wx),
                    num(y - wy),
                );
            }
            Op::Mark { text } => {
                // The draft mark, turned about the page's centre by the object's matrix.
                let m = DraftMark::of(text, self.fonts, (self.page_width, self.page_height));
                let (cx, cy) = m.centre;
                let (sin, cos) = m.angle.to_radians().sin_cos();
                let ctm = [
                    cos,
                    sin,
                    -sin,
                    cos,
                    cx - cos * cx + sin * cy,
                    cy - sin * cx - cos * cy,
                ];
                let style = Style {
                    size: m.size,
                    color: m.color,
                    bold: true,
                    heading: true,
                    face: None,
                    italic: false,
                    alpha: Some((m.opacity * 255.0).round() as u8),
                    ctm: Some(ctm),
                };
                self.text(out, m.start, text, None, style);
            }
        }
    }

    /// Text at `(x, y)` (the baseline), each character at its advance and offset as the
    /// layout set it (or its natural width): one text object per run of characters drawn
    /// with the same face, as the PDF draws them.
    fn text(
        &mut self,
        out: &mut String,
        (x, y): (f32, f32),
        text: &str,
        advances: Option<&[(f32, f32)]>,
        style: Style,
    ) {
        let fonts = self.fonts;
        // Each character: its face, glyph and where it is drawn.
        let mut placed: Vec<(char, usize, u32, f32, f32)> = Vec::with_capacity(text.len());
        let mut cx = x;
        for (k, ch) in text.chars().enumerate() {
            let p = fonts.place_in(ch, style.face, style.heading);
            let (advance, offset) = advances
                .and_then(|a| a.get(k).copied())
                .unwrap_or((p.advance * style.size, 0.0));
            placed.push((ch, p.face, p.gid, cx + offset, advance));
            cx += advance;
        }
        let mut start = 0;
        while start < placed.len() {
            let face = placed[start].1;
            let end = placed[start..]
                .iter()
                .position(|p| p.1 != face)
                .map_or(placed.len(), |n| start + n);
            self.text_object(out, y, &placed[start..end], style);
            start = end;
        }
    }

    /// One text object: characters of one face, blank ones at either end left out.
    fn text_object(
        &mut self,
        out: &mut String,
        y: f32,
        run: &[(char, usize, u32, f32, f32)],
        style: Style,
    ) {
        let visible = |p: &&(char, usize, u32, f32, f32)| !shown(p.0).is_whitespace();
        let Some(first) = run.iter().position(|p| visible(&p)) else {
            return;
        };
        let last = run.iter().rposition(|p| visible(&p)).unwrap_or(first);
        let run = &run[first..=last];
        let face = run[0].1;
        let fonts = self.fonts;
        for &(c, _, gid, _, _) in run {
            // A character no face has is drawn as the missing glyph: the subset maps none.
            if gid != 0 {
                self.used[face].insert(c, gid);
            }
        }
        let size = style.size;
        let (left, right) = (run[0].3, run[run.len() - 1].3 + run[run.len() - 1].4);
        let synthetic = style.bold && fonts.faces[face].synthetic_bold;
        let id = self.id();
        let font = Self::font_id(face);
        // The boundary holds the glyphs with room to spare: readers clip to it.
        let (bx, by) = match style.ctm {
            Some(_) => (0.0, 0.0),
            None => (left - size * 0.5, y - size * 1.25),
        };
        let (bw, bh) = match style.ctm {
            Some(_) => (self.page_width, self.page_height),
            None => (right - left + size, size * 1.75),
        };
        let _ = write!(
            out,
            "<ofd:TextObject ID=\"{id}\" Boundary=\"{} {} {} {}\" Font=\"{font}\" Size=\"{}\"",
            num(bx),
            num(by),
            num(bw),
            num(bh),
            num(size),
        );
        if synthetic {
            let _ = write!(out, " Stroke=\"true\" LineWidth=\"{}\"", num(size * 0.035));
        }
        if let Some(alpha) = style.alpha {
            let _ = write!(out, " Alpha=\"{alpha}\"");
        }
        if let Some(m) = style.ctm {
            // The matrix's translation is in millimetres; its turn has no unit.
            let _ = write!(
                out,
                " CTM=\"{} {} {} {} {} {}\"",
                Ratio(m[0]),
                Ratio(m[1]),
                Ratio(m[2]),
                Ratio(m[3]),
                num(m[4]),
                num(m[5])
            );
        } else if style.italic {
            // A 12° slant about the baseline.
            let t = 12f32.to_radians().tan();
            let _ = write!(out, " CTM=\"1 0 {} 1 {} 0\"", Ratio(-t), num(t * (y - by)));
        }
        out.push('>');
        color(out, "FillColor", style.color);
        if synthetic {
            color(out, "StrokeColor", style.color);
        }
        let text: String = run.iter().map(|p| shown(p.0)).collect();
        let _ = write!(
            out,
            "<ofd:TextCode X=\"{}\" Y=\"{}\"",
            num(run[0].3 - bx),
            num(y - by)
        );
        if run.len() > 1 {
            let deltas: Vec<Mm> = run
                .windows(2)
                .map(|w| Mm(num(w[1].3).0 - num(w[0].3).0))
                .collect();
            out.push_str(" DeltaX=\"");
            delta_x(out, &deltas);
            out.push('"');
        }
        let _ = write!(
            out,
            ">{}</ofd:TextCode></ofd:TextObject>",
            xml_escape(&text)
        );
    }
}

/// How a piece of text is drawn.
#[derive(Clone, Copy)]
struct Style {
    size: f32,
    color: Rgb,
    bold: bool,
    heading: bool,
    face: Option<u16>,
    italic: bool,
    /// Opacity, 0–255; `None` opaque.
    alpha: Option<u8>,
    /// A transformation of the whole page (the draft mark), its translation in points.
    ctm: Option<[f32; 6]>,
}

/// A character as a `TextCode` carries it: one that XML cannot hold (a control character)
/// or that would be read as markup spacing (a tab, a line break) is a space, so every
/// character keeps its place in `DeltaX`.
fn shown(c: char) -> char {
    if (c as u32) < 0x20 || matches!(c, '\u{7f}' | '\u{FFFE}' | '\u{FFFF}') {
        ' '
    } else {
        c
    }
}

/// The gaps between characters, runs of equal gaps written `g <count> <gap>`.
fn delta_x(out: &mut String, deltas: &[Mm]) {
    let mut i = 0;
    let mut first = true;
    while i < deltas.len() {
        let n = deltas[i..].iter().take_while(|d| **d == deltas[i]).count();
        if !first {
            out.push(' ');
        }
        first = false;
        if n > 1 {
            let _ = write!(out, "g {n} {}", deltas[i]);
        } else {
            let _ = write!(out, "{}", deltas[i]);
        }
        i += n;
    }
}

fn color(out: &mut String, what: &str, c: Rgb) {
    let _ = write!(out, "<ofd:{what} Value=\"{} {} {}\"/>", c[0], c[1], c[2]);
}

/// A number without a unit, at most six decimals.
struct Ratio(f32);

impl std::fmt::Display for Ratio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = (f64::from(self.0) * 1e6).round() / 1e6;
        let s = format!("{v:.6}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        f.write_str(if s == "-0" { "0" } else { s })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_millimetres_with_three_decimals_at_most() {
        assert_eq!(num(72.0).to_string(), "25.4");
        assert_eq!(num(0.0).to_string(), "0");
        assert_eq!(num(-72.0).to_string(), "-25.4");
        assert_eq!(num(10.5).to_string(), "3.704");
        assert_eq!(Mm(1050).to_string(), "1.05");
        assert_eq!(Mm(-7).to_string(), "-0.007");
        assert_eq!(Mm(210_002).to_string(), "210.002");
        assert_eq!(Mm(i64::MIN + 1).to_string().len(), 21);
        assert_eq!(Ratio(-0.0000001).to_string(), "0");
        assert_eq!(Ratio(0.5).to_string(), "0.5");
    }

    #[test]
    fn equal_gaps_are_grouped() {
        let mut out = String::new();
        delta_x(
            &mut out,
            &[Mm(3704), Mm(3704), Mm(3704), Mm(1852), Mm(3704)],
        );
        assert_eq!(out, "g 3 3.704 1.852 3.704");
    }
}
