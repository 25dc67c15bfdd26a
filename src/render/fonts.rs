//! Fonts for PDF: two CJK faces compiled into the binary, so Chinese renders on a machine with
//! no fonts installed — Noto Serif CJK SC (a Song/宋体-style face, SIL OFL, subset to GB 2312)
//! for body text, and WenQuanYi Micro Hei (a 黑体, Apache-2.0) for headings, table headers
//! and labels, and for every character the Song subset lacks. Neither has a bold weight:
//! bold is drawn as faux bold (a thin stroke). Glyphs are measured with skrifa and drawn by
//! krilla, which subsets the faces into each PDF.

use std::sync::OnceLock;

use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::{FontRef, MetadataProvider};

/// WenQuanYi Micro Hei; face 0 of the collection carries Latin, digits and CJK.
static EMBEDDED: &[u8] = include_bytes!("../../assets/fonts/wqy-microhei.ttc");
/// Noto Serif CJK SC, subset to GB 2312 (assets/fonts/subset.sh).
static SERIF: &[u8] = include_bytes!("../../assets/fonts/NotoSerifCJKsc-Regular-GB2312.ttf");

/// One face: krilla's handle for drawing, skrifa's tables for measuring.
pub struct Face {
    /// Where it came from: `builtin` or `file.ttc#0`, and its family name.
    pub name: String,
    pub font: krilla::text::Font,
    /// The font file and the face's index in it (for formats that subset fonts themselves).
    pub data: &'static [u8],
    pub index: u32,
    charmap: skrifa::charmap::Charmap<'static>,
    metrics: GlyphMetrics<'static>,
    units_per_em: f32,
    /// Ascent and descent as fractions of the em (descent negative).
    pub ascent: f32,
    pub descent: f32,
    /// Bold text in this face is drawn as faux bold (it has no bold weight of its own).
    pub synthetic_bold: bool,
}

impl Face {
    fn new(data: &'static [u8], index: u32, name: String) -> Option<Face> {
        let font_ref = FontRef::from_index(data, index).ok()?;
        let m = font_ref.metrics(Size::unscaled(), LocationRef::default());
        let upem = f32::from(m.units_per_em.max(1));
        Some(Face {
            name,
            font: krilla::text::Font::new(data.into(), index)?,
            data,
            index,
            charmap: font_ref.charmap(),
            metrics: font_ref.glyph_metrics(Size::unscaled(), LocationRef::default()),
            units_per_em: upem,
            ascent: m.ascent / upem,
            descent: m.descent / upem,
            synthetic_bold: true,
        })
    }

    /// The glyph for a character and its advance in ems.
    fn glyph(&self, c: char) -> Option<(u32, f32)> {
        let gid = self.charmap.map(c)?;
        let adv = self.metrics.advance_width(gid).unwrap_or(0.0) / self.units_per_em;
        Some((gid.to_u32(), adv))
    }
}

/// The faces tried in order for each character; text set in the heading face (headings,
/// table headers, labels, bold) tries it first.
pub struct FontSet {
    pub faces: Vec<Face>,
    /// The face for headings, labels and bold text: the built-in 黑体, or the configured one.
    pub heading: Option<usize>,
}

impl std::fmt::Debug for FontSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FontSet")
            .field(
                "faces",
                &self
                    .faces
                    .iter()
                    .map(|x| x.name.as_str())
                    .collect::<Vec<_>>(),
            )
            .field("heading", &self.heading)
            .finish()
    }
}

/// A fonts directory that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum FontError {
    #[error("fonts directory {0}: {1}")]
    Dir(String, String),
    #[error("no font in {dir} matches {setting}=\"{wanted}\"; faces found: {found}")]
    NoMatch {
        dir: String,
        setting: &'static str,
        wanted: String,
        found: String,
    },
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

/// The face at `index` of a font file (a single font or a collection) as a font of its own
/// whose `post` table names no glyphs (format 3); `None` when it has no names to drop or the
/// file cannot be read as an sfnt. A PDF refers to glyphs by number, so the names only cost:
/// the subsetter reads all of them for every PDF (49,000 in WenQuanYi, 8,000 in the Song
/// subset — a sixteenth of a PDF's render), and the subset carried those it kept.
pub fn without_glyph_names(data: &[u8], index: u32) -> Option<Vec<u8>> {
    let (version, mut tables) = sfnt_tables(data, index)?;
    let post = tables.iter_mut().find(|(tag, _)| tag == b"post")?;
    if post.1.len() < 32 || post.1[..4] != [0, 2, 0, 0] {
        return None;
    }
    let mut header = post.1[..32].to_vec();
    header[..4].copy_from_slice(&[0, 3, 0, 0]);
    post.1 = std::borrow::Cow::Owned(header);
    Some(write_sfnt(version, &tables))
}

pub(crate) type Tables<'a> = Vec<([u8; 4], std::borrow::Cow<'a, [u8]>)>;

/// The sfnt version and the tables, in directory order, of face `index` of a font file.
pub(crate) fn sfnt_tables(data: &[u8], index: u32) -> Option<(u32, Tables<'_>)> {
    let u16_at = |o: usize| data.get(o..o + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
    let u32_at = |o: usize| {
        data.get(o..o + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let start = if data.get(..4)? == b"ttcf" {
        (index < u32_at(8)?).then_some(())?;
        u32_at(12 + 4 * index as usize)? as usize
    } else {
        (index == 0).then_some(())?;
        0
    };
    let count = usize::from(u16_at(start + 4)?);
    let mut tables = Vec::with_capacity(count);
    for i in 0..count {
        let record = start + 12 + 16 * i;
        let tag: [u8; 4] = data.get(record..record + 4)?.try_into().ok()?;
        let offset = u32_at(record + 8)? as usize;
        let body = data.get(offset..offset.checked_add(u32_at(record + 12)? as usize)?)?;
        tables.push((tag, std::borrow::Cow::Borrowed(body)));
    }
    Some((u32_at(start)?, tables))
}

/// The sfnt checksum: the sum of big-endian 32-bit words, the last one padded with zeros.
fn checksum(bytes: &[u8]) -> u32 {
    bytes.chunks(4).fold(0u32, |sum, c| {
        let mut word = [0u8; 4];
        word[..c.len()].copy_from_slice(c);
        sum.wrapping_add(u32::from_be_bytes(word))
    })
}

/// A font file of these tables: directory, tables 4-byte aligned, checksums as the format
/// defines them (`head` summed with its checkSumAdjustment zero, which is then set).
pub(crate) fn write_sfnt(version: u32, tables: &Tables<'_>) -> Vec<u8> {
    let count = tables.len();
    let mut out = Vec::with_capacity(tables.iter().map(|(_, b)| b.len() + 20).sum::<usize>() + 12);
    let search = 1u16 << (15 - (count as u16).leading_zeros().min(15));
    out.extend(version.to_be_bytes());
    for v in [
        count as u16,
        search * 16,
        search.trailing_zeros() as u16,
        (count as u16 - search) * 16,
    ] {
        out.extend(v.to_be_bytes());
    }
    let mut offset = 12 + 16 * count;
    let mut head_at = None;
    for (tag, body) in tables {
        let sum = if tag == b"head" && body.len() >= 12 {
            head_at = Some(offset);
            let mut zeroed = body.to_vec();
            zeroed[8..12].fill(0);
            checksum(&zeroed)
        } else {
            checksum(body)
        };
        out.extend(tag);
        out.extend(sum.to_be_bytes());
        out.extend((offset as u32).to_be_bytes());
        out.extend((body.len() as u32).to_be_bytes());
        offset += body.len().next_multiple_of(4);
    }
    for (_, body) in tables {
        out.extend(body.iter());
        out.resize(out.len().next_multiple_of(4), 0);
    }
    if let Some(at) = head_at {
        out[at + 8..at + 12].fill(0);
        let adjustment = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
        out[at + 8..at + 12].copy_from_slice(&adjustment.to_be_bytes());
    }
    out
}

/// Face 0 of a built-in font without its glyph names (see [`without_glyph_names`]), made
/// once per process: about 7 MB for the two built-in faces, kept for as long as it runs.
fn leaked_without_names(data: &'static [u8]) -> &'static [u8] {
    match without_glyph_names(data, 0) {
        Some(bytes) => Box::leak(bytes.into_boxed_slice()),
        None => data,
    }
}

impl FontSet {
    fn embedded() -> Face {
        static FACE: OnceLock<&'static [u8]> = OnceLock::new();
        let data = FACE.get_or_init(|| leaked_without_names(EMBEDDED));
        Face::new(data, 0, "builtin: WenQuanYi Micro Hei".into()).expect("the embedded font parses")
    }

    fn serif() -> Face {
        static FACE: OnceLock<&'static [u8]> = OnceLock::new();
        let data = FACE.get_or_init(|| leaked_without_names(SERIF));
        Face::new(data, 0, "builtin: Noto Serif CJK SC".into()).expect("the embedded font parses")
    }

    /// The built-in font set: the Song face for body text, the 黑体 for headings and as the
    /// fallback for every character the Song subset lacks.
    pub fn builtin() -> &'static FontSet {
        static SET: OnceLock<FontSet> = OnceLock::new();
        SET.get_or_init(|| FontSet {
            faces: vec![Self::serif(), Self::embedded()],
            heading: Some(1),
        })
    }

    /// Loads every face of every `.ttf`, `.otf`, `.ttc` and `.otc` file in `dir` (in name
    /// order), then the embedded face as the last fallback. `body` and `heading` pick faces
    /// by a part of their file or family name; the body face is tried first for every
    /// character. Loaded once at start-up, so the font data lives as long as the process.
    pub fn load(
        dir: &std::path::Path,
        body: Option<&str>,
        heading: Option<&str>,
    ) -> Result<&'static FontSet, FontError> {
        let shown = dir.display().to_string();
        let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| FontError::Dir(shown.clone(), e.to_string()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                    ["ttf", "otf", "ttc", "otc"].contains(&e.to_ascii_lowercase().as_str())
                })
            })
            .collect();
        files.sort();
        let mut faces = Vec::new();
        for path in files {
            let bytes: &'static [u8] = Box::leak(
                std::fs::read(&path)
                    .map_err(|e| FontError::Dir(shown.clone(), format!("{}: {e}", path.display())))?
                    .into_boxed_slice(),
            );
            let count = skrifa::raw::FileRef::new(bytes)
                .map(|f| f.fonts().count())
                .unwrap_or(0);
            for index in 0..count as u32 {
                let family = FontRef::from_index(bytes, index)
                    .ok()
                    .and_then(|f| {
                        f.localized_strings(skrifa::string::StringId::FAMILY_NAME)
                            .english_or_first()
                            .map(|s| s.to_string())
                    })
                    .unwrap_or_default();
                let file = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or_default();
                if let Some(face) = Face::new(bytes, index, format!("{file}#{index}: {family}")) {
                    faces.push(face);
                }
            }
        }
        let pick = |faces: &[Face],
                    setting: &'static str,
                    wanted: Option<&str>|
         -> Result<Option<usize>, FontError> {
            let Some(w) = wanted.filter(|w| !w.trim().is_empty()) else {
                return Ok(None);
            };
            let lw = w.to_lowercase();
            faces
                .iter()
                .position(|f| f.name.to_lowercase().contains(&lw))
                .map(Some)
                .ok_or_else(|| FontError::NoMatch {
                    dir: shown.clone(),
                    setting,
                    wanted: w.to_string(),
                    found: faces
                        .iter()
                        .map(|f| f.name.clone())
                        .collect::<Vec<_>>()
                        .join(", "),
                })
        };
        if let Some(i) = pick(&faces, "COLLABDOCS_BODY_FONT", body)? {
            let f = faces.remove(i);
            faces.insert(0, f);
        }
        let heading = pick(&faces, "COLLABDOCS_HEADING_FONT", heading)?;
        if let Some(h) = heading {
            // A configured heading face draws bold text as it is.
            faces[h].synthetic_bold = false;
        }
        faces.push(Self::serif());
        faces.push(Self::embedded());
        Ok(Box::leak(Box::new(FontSet { faces, heading })))
    }

    /// Places a character for text in the heading face (`heading`) or the body face.
    pub fn place_styled(&self, c: char, heading: bool) -> Placed {
        if let (true, Some(h)) = (heading, self.heading) {
            if let Some((gid, advance)) = self.faces[h].glyph(c) {
                return Placed {
                    face: h,
                    gid,
                    advance,
                    missing: false,
                };
            }
        }
        self.place(c)
    }

    /// Places a character in `face` when it has it, else as [`FontSet::place_styled`] does.
    pub fn place_in(&self, c: char, face: Option<u16>, heading: bool) -> Placed {
        if let Some(f) = face.map(usize::from).filter(|f| *f < self.faces.len()) {
            if let Some((gid, advance)) = self.faces[f].glyph(c) {
                return Placed {
                    face: f,
                    gid,
                    advance,
                    missing: false,
                };
            }
        }
        self.place_styled(c, heading)
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
    fn dropping_glyph_names_keeps_every_glyph_metric_and_checksum() {
        for (data, index) in [(EMBEDDED, 0), (SERIF, 0)] {
            let stripped = without_glyph_names(data, index).expect("both have glyph names");
            let (a, b) = (
                FontRef::from_index(data, index).unwrap(),
                FontRef::new(&stripped).unwrap(),
            );
            use skrifa::raw::TableProvider;
            assert_eq!(
                b.post().unwrap().version(),
                skrifa::raw::types::Version16Dot16::VERSION_3_0
            );
            assert_eq!(
                a.maxp().unwrap().num_glyphs(),
                b.maxp().unwrap().num_glyphs()
            );
            let (ma, mb) = (
                a.glyph_metrics(Size::unscaled(), LocationRef::default()),
                b.glyph_metrics(Size::unscaled(), LocationRef::default()),
            );
            for c in "协作会议纪要，。Aa1（）".chars() {
                let (ga, gb) = (a.charmap().map(c).unwrap(), b.charmap().map(c).unwrap());
                assert_eq!(ga, gb);
                assert_eq!(ma.advance_width(ga), mb.advance_width(gb));
                assert_eq!(
                    a.glyf().unwrap().offset_data().len(),
                    b.glyf().unwrap().offset_data().len()
                );
            }
            // Every table's checksum, and the whole font's, as the sfnt format defines them.
            // Summed here independently of the writer's own checksum.
            let sum = |bytes: &[u8]| {
                bytes.chunks(4).fold(0u32, |s, c| {
                    let mut w = [0u8; 4];
                    w[..c.len()].copy_from_slice(c);
                    s.wrapping_add(u32::from_be_bytes(w))
                })
            };
            assert_eq!(sum(&stripped), 0xB1B0_AFBA);
            for record in b.table_directory.table_records() {
                let mut body = b.table_data(record.tag()).unwrap().as_bytes().to_vec();
                if record.tag() == skrifa::raw::types::Tag::new(b"head") {
                    body[8..12].fill(0);
                }
                assert_eq!(sum(&body), record.checksum(), "{}", record.tag());
            }
            // Nothing to drop a second time.
            assert!(without_glyph_names(&stripped, 0).is_none());
        }
        assert!(without_glyph_names(b"not a font", 0).is_none());
        assert!(without_glyph_names(EMBEDDED, 7).is_none());
    }

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

    fn assets() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/fonts")
    }

    #[test]
    fn a_fonts_directory_adds_faces_and_picks_body_and_heading() {
        let set = FontSet::load(&assets(), Some("mono"), Some("wqy-microhei.ttc#0")).unwrap();
        assert!(set.faces[0].name.contains("Mono"), "{set:?}");
        let h = set.heading.expect("a heading face");
        assert!(
            set.faces[h].name.starts_with("wqy-microhei.ttc#0"),
            "{set:?}"
        );
        assert!(set.faces.last().unwrap().name.starts_with("builtin"));
        assert_eq!(set.place_styled('会', true).face, h);
    }

    #[test]
    fn an_unknown_face_name_is_refused_with_the_faces_found() {
        let err = FontSet::load(&assets(), Some("SimSun"), None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("SimSun") && err.contains("WenQuanYi"), "{err}");
        assert!(FontSet::load(std::path::Path::new("/no/such/dir"), None, None).is_err());
    }
}
