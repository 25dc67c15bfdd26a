//! What a filled part needs before it goes into the file: the pictures the picture tags asked
//! for, with their relationships and media parts; ids of their own for everything a repeat
//! copied (paragraph ids, drawing ids, bookmarks, content controls), so Word, WPS and
//! LibreOffice open it without repairing it; a check that the part is well-formed; and the
//! package written again — filled parts new, every other part copied as it was.

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::Write;

use super::{Fault, ImageRequest, WordTemplate};
use crate::image::ImageFormat;

const EMU_PER_MM: f64 = 36_000.0;
const REL_IMAGE: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image";

/// Writes the filled package; with `stored`, nothing is deflated (a package read back at once
/// to be laid out, never sent).
pub(super) fn package(
    t: &WordTemplate,
    filled: Vec<String>,
    images: Vec<ImageRequest>,
    stored: bool,
) -> Result<Vec<u8>, Fault> {
    let mut media: Vec<(String, &ImageRequest)> = Vec::new();
    let mut rels: HashMap<String, Vec<(String, String)>> = HashMap::new();
    let mut parts: HashMap<String, String> = HashMap::new();
    let mut docpr = 0u32;
    for (p, xml) in t.parts.iter().zip(filled) {
        let rels_name = rels_of(&p.name);
        let existing = if t.package.has(&rels_name) {
            t.package
                .text(&rels_name, t.limits)
                .map_err(Fault::Package)?
        } else {
            String::new()
        };
        let mut new_rels = Vec::new();
        let xml = place_images(&xml, &images, &p.boxes, |req| {
            let ext = match req.image.format {
                ImageFormat::Png => "png",
                ImageFormat::Jpeg => "jpeg",
            };
            let name = format!("word/media/collabdocs-{}.{ext}", media.len() + 1);
            media.push((name.clone(), req));
            let mut n = new_rels.len() + 1;
            let id = loop {
                let id = format!("rIdCd{n}");
                if !existing.contains(&format!("\"{id}\"")) {
                    break id;
                }
                n += 1;
            };
            new_rels.push((id.clone(), name["word/".len()..].to_string()));
            id
        })
        .map_err(|message| Fault::Part {
            part: p.name.clone(),
            message,
        })?;
        let xml = renumber(&xml, &mut docpr);
        super::xml::check(&xml).map_err(|e| Fault::Part {
            part: p.name.clone(),
            message: format!("filled {e}: a tag stands where its value breaks the part"),
        })?;
        if !new_rels.is_empty() {
            rels.insert(rels_name, new_rels);
        }
        parts.insert(p.name.clone(), xml);
    }
    write_zip(t, parts, rels, &media, stored)
}

/// The relationships part of a part: `word/document.xml` → `word/_rels/document.xml.rels`.
fn rels_of(part: &str) -> String {
    let (dir, file) = part.rsplit_once('/').unwrap_or(("", part));
    format!("{dir}/_rels/{file}.rels")
}

/// Replaces each picture marker with its drawing. `rel` adds the picture to the package and
/// gives its relationship id.
fn place_images<'a>(
    xml: &str,
    images: &'a [ImageRequest],
    boxes: &[String],
    mut rel: impl FnMut(&'a ImageRequest) -> String,
) -> Result<String, String> {
    if !xml.contains('\u{E000}') {
        return Ok(xml.to_string());
    }
    let mut out = String::with_capacity(xml.len() + 1024);
    let mut rest = xml;
    while let Some(i) = rest.find('\u{E000}') {
        out.push_str(&rest[..i]);
        let after = &rest[i + '\u{E000}'.len_utf8()..];
        let end = after
            .find('\u{E001}')
            .ok_or("has a broken picture marker")?;
        let n: usize = after[..end]
            .parse()
            .map_err(|_| "has a broken picture marker")?;
        let req = images.get(n).ok_or("has a picture marker of no picture")?;
        let id = rel(req);
        let (w, h) = (req.image.width_px as f64, req.image.height_px as f64);
        match req.placeholder.and_then(|b| boxes.get(b)) {
            Some(drawing) => {
                let (bx, by) = extent(drawing).unwrap_or((40.0 * EMU_PER_MM, 40.0 * EMU_PER_MM));
                let (cx, cy) = fit((w, h), (bx, by));
                out.push_str(&refill(drawing, &id, cx, cy));
            }
            None => {
                let (cx, cy) = sized(req, (w, h));
                // The marker stands in a `w:t`: the drawing goes between two of them.
                out.push_str("</w:t>");
                out.push_str(&drawing(&id, cx, cy, n));
                out.push_str("<w:t xml:space=\"preserve\">");
            }
        }
        rest = &after[end + '\u{E001}'.len_utf8()..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The size of a picture placed by a tag: the size it names (one side: the other kept in
/// proportion; both: within that box), else its pixels at 96 dpi, at most 150 mm wide.
fn sized(req: &ImageRequest, (w, h): (f64, f64)) -> (i64, i64) {
    let mm = |v: f32| v as f64 * EMU_PER_MM;
    match (req.width, req.height) {
        (Some(a), Some(b)) => fit((w, h), (mm(a), mm(b))),
        (Some(a), None) => (mm(a) as i64, (mm(a) * h / w.max(1.0)) as i64),
        (None, Some(b)) => ((mm(b) * w / h.max(1.0)) as i64, mm(b) as i64),
        (None, None) => {
            let natural = w * 25.4 / 96.0 * EMU_PER_MM;
            let width = natural.min(150.0 * EMU_PER_MM);
            fit((w, h), (width, width * h / w.max(1.0)))
        }
    }
}

/// The largest size of a `w`×`h` picture within a `bx`×`by` box, in EMU.
fn fit((w, h): (f64, f64), (bx, by): (f64, f64)) -> (i64, i64) {
    let scale = (bx / w.max(1.0)).min(by / h.max(1.0));
    ((w * scale).round() as i64, (h * scale).round() as i64)
}

/// A placeholder's box: its `wp:extent`.
fn extent(drawing: &str) -> Option<(f64, f64)> {
    let i = drawing.find("<wp:extent")?;
    let tag = &drawing[i..i + drawing[i..].find('>')?];
    let cx = super::xml::attr_of(tag, "cx")?.parse().ok()?;
    let cy = super::xml::attr_of(tag, "cy")?.parse().ok()?;
    Some((cx, cy))
}

/// The placeholder's drawing showing the picture `id` at `cx`×`cy`: its picture relationship,
/// its extents and its alternative text (the tag) replaced.
fn refill(drawing: &str, id: &str, cx: i64, cy: i64) -> String {
    let mut out = set_attr(drawing, "<a:blip", "r:embed", id);
    out = set_attr(&out, "<wp:extent", "cx", &cx.to_string());
    out = set_attr(&out, "<wp:extent", "cy", &cy.to_string());
    if let Some(i) = out.find("<pic:spPr") {
        let (head, tail) = out.split_at(i);
        let tail = set_attr(tail, "<a:ext", "cx", &cx.to_string());
        let tail = set_attr(&tail, "<a:ext", "cy", &cy.to_string());
        out = format!("{head}{tail}");
    }
    for key in ["descr", "title"] {
        if let Some(v) = find_attr(&out, "<wp:docPr", key) {
            if v.contains("{{") {
                out = set_attr(&out, "<wp:docPr", key, "");
            }
        }
    }
    out
}

fn find_attr(xml: &str, tag: &str, key: &str) -> Option<String> {
    let i = xml.find(tag)?;
    let end = i + xml[i..].find('>')?;
    super::xml::attr_of(&xml[i..end], key)
}

/// `xml` with attribute `key` of the first `tag` element set to `value` (added if absent).
fn set_attr(xml: &str, tag: &str, key: &str, value: &str) -> String {
    let Some(i) = xml.find(tag) else {
        return xml.to_string();
    };
    let Some(end) = xml[i..].find('>').map(|e| i + e) else {
        return xml.to_string();
    };
    let start_tag = &xml[i..end];
    let needle = format!(" {key}=\"");
    let new_tag = match start_tag.find(&needle) {
        Some(a) => {
            let v = a + needle.len();
            let close = v + start_tag[v..].find('"').unwrap_or(0);
            format!(
                "{}{}{}",
                &start_tag[..v],
                super::xml::escape(value),
                &start_tag[close..]
            )
        }
        None => {
            let cut = start_tag
                .strip_suffix('/')
                .map_or(start_tag.len(), |s| s.len());
            format!(
                "{} {key}=\"{value}\"{}",
                &start_tag[..cut],
                &start_tag[cut..]
            )
        }
    };
    format!("{}{new_tag}{}", &xml[..i], &xml[end..])
}

/// An inline picture, as Word writes one.
fn drawing(id: &str, cx: i64, cy: i64, n: usize) -> String {
    format!(
        concat!(
            "<w:drawing><wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\" xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\">",
            "<wp:extent cx=\"{cx}\" cy=\"{cy}\"/><wp:docPr id=\"{doc}\" name=\"Picture {doc}\"/>",
            "<wp:cNvGraphicFramePr><a:graphicFrameLocks xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" noChangeAspect=\"1\"/></wp:cNvGraphicFramePr>",
            "<a:graphic xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\"><a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\">",
            "<pic:pic xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><pic:nvPicPr><pic:cNvPr id=\"0\" name=\"Picture {doc}\"/><pic:cNvPicPr/></pic:nvPicPr>",
            "<pic:blipFill><a:blip r:embed=\"{id}\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>",
            "<pic:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"{cx}\" cy=\"{cy}\"/></a:xfrm><a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>",
            "</a:graphicData></a:graphic></wp:inline></w:drawing>"
        ),
        cx = cx,
        cy = cy,
        doc = 90_000 + n,
        id = id
    )
}

/// Gives everything a repeat copied an id of its own: paragraph and row ids (`w14:paraId`,
/// `w14:textId`), drawing ids (`wp:docPr`, unique across the parts through `docpr`),
/// bookmarks (ids, each end with its start; names numbered) and content controls (`w:id`).
fn renumber(xml: &str, docpr: &mut u32) -> String {
    // Every paragraph and text id already in the part: a new one is none of these.
    let mut taken: HashSet<String> = HashSet::new();
    for key in ["w14:paraId=\"", "w14:textId=\""] {
        let mut at = 0;
        while let Some(i) = xml[at..].find(key) {
            let v = at + i + key.len();
            taken.insert(xml[v..].chars().take(8).collect());
            at = v;
        }
    }
    let mut para: HashSet<String> = HashSet::new();
    let mut para_next = 0x1000_0000u32;
    let mut docpr_seen: HashSet<u32> = HashSet::new();
    let mut marks: HashSet<i64> = HashSet::new();
    let mut mark_next = 100_000i64;
    let mut mark_names: HashMap<String, usize> = HashMap::new();
    let mut open: HashMap<i64, VecDeque<i64>> = HashMap::new();
    let mut sdt: HashSet<i64> = HashSet::new();
    let mut sdt_next = 1_000_000_000i64;
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let Some(len) = rest[i..].find('>') else {
            out.push_str(&rest[i..]);
            rest = "";
            break;
        };
        let tag = &rest[i..=i + len];
        rest = &rest[i + len + 1..];
        let name = tag[1..]
            .split(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .next()
            .unwrap_or("");
        let mut tag = tag.to_string();
        match name {
            "w:p" | "w:tr" => {
                let el = format!("<{name}");
                for key in ["w14:paraId", "w14:textId"] {
                    if let Some(v) = super::xml::attr_of(&tag, key) {
                        if !para.insert(format!("{key}{v}")) {
                            let new = loop {
                                let n = format!("{para_next:08X}");
                                para_next += 1;
                                if !taken.contains(&n) {
                                    break n;
                                }
                            };
                            taken.insert(new.clone());
                            para.insert(format!("{key}{new}"));
                            tag = set_attr(&tag, &el, key, &new);
                        }
                    }
                }
            }
            "wp:docPr" => {
                let id = super::xml::attr_of(&tag, "id").and_then(|v| v.parse::<u32>().ok());
                if let Some(id) = id {
                    *docpr = (*docpr).max(id);
                    if !docpr_seen.insert(id) {
                        *docpr += 1;
                        docpr_seen.insert(*docpr);
                        tag = set_attr(&tag, "<wp:docPr", "id", &docpr.to_string());
                    }
                }
            }
            "w:bookmarkStart" => {
                if let Some(id) =
                    super::xml::attr_of(&tag, "w:id").and_then(|v| v.parse::<i64>().ok())
                {
                    let new = if marks.insert(id) {
                        id
                    } else {
                        while marks.contains(&mark_next) {
                            mark_next += 1;
                        }
                        marks.insert(mark_next);
                        tag = set_attr(&tag, "<w:bookmarkStart", "w:id", &mark_next.to_string());
                        mark_next
                    };
                    open.entry(id).or_default().push_back(new);
                    if let Some(name) = super::xml::attr_of(&tag, "w:name") {
                        let n = mark_names.entry(name.clone()).or_insert(0);
                        *n += 1;
                        if *n > 1 {
                            let renamed: String = format!("{name}_{n}").chars().take(40).collect();
                            tag = set_attr(&tag, "<w:bookmarkStart", "w:name", &renamed);
                        }
                    }
                }
            }
            "w:bookmarkEnd" => {
                if let Some(id) =
                    super::xml::attr_of(&tag, "w:id").and_then(|v| v.parse::<i64>().ok())
                {
                    if let Some(new) = open.get_mut(&id).and_then(VecDeque::pop_front) {
                        if new != id {
                            tag = set_attr(&tag, "<w:bookmarkEnd", "w:id", &new.to_string());
                        }
                    }
                }
            }
            "w:id" => {
                if let Some(v) =
                    super::xml::attr_of(&tag, "w:val").and_then(|v| v.parse::<i64>().ok())
                {
                    if !sdt.insert(v) {
                        while sdt.contains(&sdt_next) {
                            sdt_next += 1;
                        }
                        sdt.insert(sdt_next);
                        tag = set_attr(&tag, "<w:id", "w:val", &sdt_next.to_string());
                    }
                }
            }
            _ => {}
        }
        out.push_str(&tag);
    }
    out.push_str(rest);
    out
}

/// The package again: filled parts and rewritten relationships deflated, every other part
/// copied as it was, the pictures added (stored: they are compressed already), and their
/// types declared.
fn write_zip(
    t: &WordTemplate,
    mut parts: HashMap<String, String>,
    rels: HashMap<String, Vec<(String, String)>>,
    media: &[(String, &ImageRequest)],
    stored: bool,
) -> Result<Vec<u8>, Fault> {
    let bad = |e: zip::result::ZipError| Fault::Package(format!("could not be written ({e})"));
    for (name, list) in &rels {
        let mut xml = if t.package.has(name) {
            t.package.text(name, t.limits).map_err(Fault::Package)?
        } else {
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"></Relationships>".into()
        };
        let add: String = list
            .iter()
            .map(|(id, target)| {
                format!("<Relationship Id=\"{id}\" Type=\"{REL_IMAGE}\" Target=\"{target}\"/>")
            })
            .collect();
        let at = xml.rfind("</Relationships>").ok_or_else(|| {
            Fault::Package(format!(
                "has a relationships part {name} that cannot be read"
            ))
        })?;
        xml.insert_str(at, &add);
        parts.insert(name.clone(), xml);
    }
    if !media.is_empty() {
        let mut types = t
            .package
            .text("[Content_Types].xml", t.limits)
            .map_err(Fault::Package)?;
        for (ext, mime) in [("png", "image/png"), ("jpeg", "image/jpeg")] {
            let used = media.iter().any(|(n, _)| n.ends_with(ext));
            let declared = types
                .to_ascii_lowercase()
                .contains(&format!("extension=\"{ext}\""));
            if used && !declared {
                let at = types.rfind("</Types>").ok_or_else(|| {
                    Fault::Package("has a [Content_Types].xml that cannot be read".into())
                })?;
                types.insert_str(
                    at,
                    &format!("<Default Extension=\"{ext}\" ContentType=\"{mime}\"/>"),
                );
            }
        }
        parts.insert("[Content_Types].xml".into(), types);
    }
    // Filled parts and pictures as every package of the service is written: fast deflate,
    // small parts and compressed pictures stored, fixed times.
    let options = |bytes: &[u8]| {
        if stored {
            crate::render::zip_stored_options()
        } else {
            crate::render::zip_entry_options(bytes)
        }
    };
    let mut out = t
        .package
        .rewrite(parts, &|_| false, &options)
        .map_err(bad)?;
    for (name, req) in media {
        out.start_file(name, options(&req.image.bytes))
            .map_err(bad)?;
        out.write_all(&req.image.bytes)
            .map_err(|e| Fault::Package(format!("could not be written ({e})")))?;
    }
    Ok(out.finish().map_err(bad)?.into_inner())
}
