//! Fonts for PDF: the embedded CJK face (WenQuanYi Micro Hei, Apache-2.0) compiled into the
//! binary, so Chinese renders on a machine with no fonts installed. Glyphs are measured with
//! skrifa and drawn by krilla, which subsets the face into each PDF.

use std::sync::OnceLock;

use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::{FontRef, MetadataProvider};

/// WenQuanYi Micro Hei; face 0 of the collection carries Latin, digits and CJK.
static EMBEDDED: &[u8] = include_bytes!("../../assets/fonts/wqy-microhei.ttc");

/// One face: krilla's handle for drawing, skrifa's tables for measuring.
pub struct Face {
    pub font: krilla::text::Font,
    charmap: skrifa::charmap::Charmap<'static>,
    metrics: GlyphMetrics<'static>,
    units_per_em: f32,
    /// Ascent and descent as fractions of the em (descent negative).
    pub ascent: f32,
    pub descent: f32,
}

impl Face {
    fn new(data: &'static [u8], index: u32) -> Option<Face> {
        let font_ref = FontRef::from_index(data, index).ok()?;
        let m = font_ref.metrics(Size::unscaled(), LocationRef::default());
        let upem = f32::from(m.units_per_em.max(1));
        Some(Face {
            font: krilla::text::Font::new(data.into(), index)?,
            charmap: font_ref.charmap(),
            metrics: font_ref.glyph_metrics(Size::unscaled(), LocationRef::default()),
            units_per_em: upem,
            ascent: m.ascent / upem,
            descent: m.descent / upem,
        })
    }

    /// The glyph for a character and its advance in ems.
    fn glyph(&self, c: char) -> Option<(u32, f32)> {
        let gid = self.charmap.map(c)?;
        let adv = self.metrics.advance_width(gid).unwrap_or(0.0) / self.units_per_em;
        Some((gid.to_u32(), adv))
    }
}

/// The faces tried in order for each character.
pub struct FontSet {
    pub faces: Vec<Face>,
}

/// A character placed with a face: which face, which glyph, how wide (in ems).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placed {
    pub face: usize,
    pub gid: u32,
    pub advance: f32,
    /// No face has this character; it is drawn as the missing-glyph box.
    pub missing: bool,
}

impl FontSet {
    /// The built-in font set: the embedded face alone.
    pub fn builtin() -> &'static FontSet {
        static SET: OnceLock<FontSet> = OnceLock::new();
        SET.get_or_init(|| FontSet {
            faces: vec![Face::new(EMBEDDED, 0).expect("the embedded font parses")],
        })
    }

    /// Places a character in the first face that has it.
    pub fn place(&self, c: char) -> Placed {
        for (i, f) in self.faces.iter().enumerate() {
            if let Some((gid, advance)) = f.glyph(c) {
                return Placed {
                    face: i,
                    gid,
                    advance,
                    missing: false,
                };
            }
        }
        // Zero-width controls and variation selectors take no room and need no glyph.
        let invisible = matches!(c, '\u{200B}'..='\u{200F}' | '\u{FE00}'..='\u{FE0F}' | '\u{2060}' | '\u{FEFF}');
        Placed {
            face: 0,
            gid: 0,
            advance: if invisible { 0.0 } else { 1.0 },
            missing: !invisible,
        }
    }

    /// Width of a string in points at `size`.
    pub fn width(&self, s: &str, size: f32) -> f32 {
        s.chars().map(|c| self.place(c).advance).sum::<f32>() * size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_face_has_latin_digits_and_cjk() {
        let f = FontSet::builtin();
        for c in ['A', 'z', '7', '会', '议', '，', '。', '（', '𠮷'] {
            let p = f.place(c);
            if c == '𠮷' {
                continue; // outside the BMP face; reported as missing when absent
            }
            assert!(!p.missing, "{c} is missing");
        }
        assert!(f.width("会议", 10.0) > 15.0);
    }
}
