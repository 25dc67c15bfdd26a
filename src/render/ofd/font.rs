//! The fonts an OFD carries: each face a document draws with, subset to the glyphs it uses,
//! with a character map of its own — an OFD names characters (a `TextCode` is Unicode text),
//! and the reader finds each one's glyph through the font's `cmap`, so the subset keeps one
//! (a PDF's subset needs none: a PDF names glyphs).

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::render::fonts::{sfnt_tables, write_sfnt, Face};
use crate::render::RenderError;

/// The characters a document draws with one face, each with its glyph in the face.
pub(super) type Used = BTreeMap<char, u32>;

/// `face` subset to the glyphs of `used` (and the glyphs they are built of), glyphs
/// renumbered, with a `cmap` mapping every character of `used` to its new glyph and the
/// face's own `OS/2`. Same characters, same bytes.
pub(super) fn subset(face: &Face, used: &Used) -> Result<Vec<u8>, RenderError> {
    let fail = |why: String| RenderError::Internal(format!("the font {}: {why}", face.name));
    let mut remapper = subsetter::GlyphRemapper::new();
    remapper.remap(0);
    let mut gids: Vec<u16> = used
        .values()
        .filter_map(|g| u16::try_from(*g).ok())
        .collect();
    gids.sort_unstable();
    gids.dedup();
    for g in gids {
        remapper.remap(g);
    }
    let cmap: Vec<(u32, u16)> = used
        .iter()
        .filter_map(|(c, g)| {
            let new = remapper.get(u16::try_from(*g).ok()?)?;
            (new != 0).then_some((u32::from(*c), new))
        })
        .collect();
    let bytes = subsetter::subset(face.data, face.index, &remapper)
        .map_err(|e| fail(format!("subsetting: {e}")))?;
    let (version, mut tables) =
        sfnt_tables(&bytes, 0).ok_or_else(|| fail("the subset does not read back".into()))?;
    tables.push((*b"cmap", Cow::Owned(cmap_table(&cmap))));
    if let Some((_, os2)) = sfnt_tables(face.data, face.index)
        .and_then(|(_, t)| t.into_iter().find(|(tag, _)| tag == b"OS/2"))
    {
        tables.push((*b"OS/2", os2));
    }
    // The table directory is sorted by tag.
    tables.sort_by_key(|t| t.0);
    Ok(write_sfnt(version, &tables))
}

/// A `cmap` table of `map` (characters ascending, each with its glyph): a format 4 subtable
/// (Windows, Unicode BMP) for the characters of the Basic Multilingual Plane — the one every
/// reader knows — when it fits in its 64 KiB, and a format 12 subtable (Windows, Unicode
/// full repertoire) for all of them.
pub(super) fn cmap_table(map: &[(u32, u16)]) -> Vec<u8> {
    // Runs of consecutive characters with consecutive glyphs.
    let mut groups: Vec<(u32, u32, u16)> = Vec::new();
    for &(c, g) in map {
        match groups.last_mut() {
            Some((start, end, first))
                if c == *end + 1 && u32::from(g) == u32::from(*first) + c - *start =>
            {
                *end = c;
            }
            _ => groups.push((c, c, g)),
        }
    }
    let format4 = format4(&groups);
    let mut f12 = Vec::with_capacity(16 + 12 * groups.len());
    f12.extend(12u16.to_be_bytes());
    f12.extend(0u16.to_be_bytes());
    f12.extend((16 + 12 * groups.len() as u32).to_be_bytes());
    f12.extend(0u32.to_be_bytes());
    f12.extend((groups.len() as u32).to_be_bytes());
    for &(start, end, g) in &groups {
        f12.extend(start.to_be_bytes());
        f12.extend(end.to_be_bytes());
        f12.extend(u32::from(g).to_be_bytes());
    }
    let subtables: Vec<(u16, &[u8])> = match &format4 {
        Some(f4) => vec![(1, f4.as_slice()), (10, f12.as_slice())],
        None => vec![(10, f12.as_slice())],
    };
    let mut out = Vec::new();
    out.extend(0u16.to_be_bytes());
    out.extend((subtables.len() as u16).to_be_bytes());
    let mut offset = 4 + 8 * subtables.len() as u32;
    for (encoding, body) in &subtables {
        out.extend(3u16.to_be_bytes());
        out.extend(encoding.to_be_bytes());
        out.extend(offset.to_be_bytes());
        offset += body.len() as u32;
    }
    for (_, body) in subtables {
        out.extend(body);
    }
    out
}

/// The format 4 subtable of the groups within the BMP, one segment each (its glyphs
/// consecutive, so an `idDelta` maps it), or `None` when they would not fit in 64 KiB.
fn format4(groups: &[(u32, u32, u16)]) -> Option<Vec<u8>> {
    let mut segments: Vec<(u16, u16, u16)> = groups
        .iter()
        .filter(|(start, _, _)| *start < 0xFFFF)
        .map(|&(start, end, g)| (start as u16, end.min(0xFFFE) as u16, g))
        .collect();
    segments.push((0xFFFF, 0xFFFF, 0));
    let n = segments.len();
    let length = 16 + 8 * n;
    if length > 0xFFFF {
        return None;
    }
    let search = 2 * (1u16 << (15 - (n as u16).leading_zeros().min(15)));
    let mut out = Vec::with_capacity(length);
    for v in [
        4,
        length as u16,
        0,
        (2 * n) as u16,
        search,
        search.trailing_zeros() as u16 - 1,
        (2 * n) as u16 - search,
    ] {
        out.extend(v.to_be_bytes());
    }
    for s in &segments {
        out.extend(s.1.to_be_bytes());
    }
    out.extend(0u16.to_be_bytes());
    for s in &segments {
        out.extend(s.0.to_be_bytes());
    }
    // The last segment (required) maps 0xFFFF to glyph 0: its delta, 1, wraps it round.
    for s in &segments {
        out.extend(s.2.wrapping_sub(s.0).to_be_bytes());
    }
    for _ in &segments {
        out.extend(0u16.to_be_bytes());
    }
    Some(out)
}
