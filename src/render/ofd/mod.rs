//! OFD (GB/T 33190-2016): the layout the PDF is drawn from, written as an OFD package —
//! `OFD.xml` with the document's information (the kind and the payload's SHA-256 among its
//! custom data), `Doc_0/Document.xml` with the page area, the pages, the outline of the
//! headings and the payload as an attachment; the furniture every page shares as a template
//! page; each face's subset with a character map in the document's resources, so no font is
//! needed on the reader's machine. Same input, same bytes: IDs are given in drawing order,
//! and the package's entries are stamped as every package of ours is.

use std::fmt::Write;

use sha2::Digest;

use super::fonts::FontSet;
use super::pdf::layout::{Layout, Op, Page};
use super::RenderError;
use crate::document::{Document, Meta};
use crate::values::xml_escape;

mod font;
mod page;

use page::{num, Shared};

const NS: &str = "http://www.ofdspec.org/2016";

/// An OFD of the document in the theme's faces, with the characters no font could draw.
pub fn render(doc: &Document, theme: &super::Theme) -> Result<super::Output, RenderError> {
    let lay = super::pdf::layout(doc, theme.fonts)?;
    let bytes = write_layout(&doc.meta, &lay, theme.fonts)?;
    Ok(super::Output {
        bytes,
        missing_glyphs: lay.missing.into_iter().collect(),
        anchors: lay.anchors,
    })
}

/// Writes laid-out pages as an OFD package.
pub fn write_layout(meta: &Meta, lay: &Layout, fonts: &FontSet) -> Result<Vec<u8>, RenderError> {
    // IDs: each face's font resource is its index + 1; then the template page, the pages,
    // and every layer, object and image in drawing order.
    let mut shared = Shared::new(fonts, fonts.faces.len() as u32 + 1, (lay.width, lay.height));
    let (template, bodies) = split_furniture(&lay.pages);
    let template_id = (!template.is_empty()).then(|| shared.id());
    let page_ids: Vec<u32> = lay.pages.iter().map(|_| shared.id()).collect();
    let template_xml = template_id.map(|_| page_xml(None, None, &shared.layer(&template)));
    let mut pages_xml = Vec::with_capacity(lay.pages.len());
    for (page, ops) in lay.pages.iter().zip(&bodies) {
        crate::budget::check().map_err(RenderError::Stopped)?;
        let layer = shared.layer(ops);
        let area = page
            .size
            .filter(|s| *s != (lay.width, lay.height))
            .map(|(w, h)| format!("0 0 {} {}", num(w), num(h)));
        pages_xml.push(page_xml(template_id, area, &layer));
    }
    let mut parts: Vec<(String, Vec<u8>)> = Vec::with_capacity(lay.pages.len() + 8);
    let payload = meta.archive.as_ref();
    let digest = payload.map(|a| hex(&sha2::Sha256::digest(a.json.as_slice())));
    parts.push((
        "OFD.xml".into(),
        ofd_xml(meta, digest.as_deref()).into_bytes(),
    ));
    // Fonts: every face that drew a character, subset.
    let mut fonts_xml = String::new();
    let mut font_files = Vec::new();
    for (face, used) in shared.used.iter().enumerate() {
        if used.is_empty() {
            continue;
        }
        let id = Shared::font_id(face);
        let file = format!("font_{id}.ttf");
        let family = fonts.faces[face]
            .name
            .split_once(": ")
            .map_or(fonts.faces[face].name.as_str(), |(_, f)| f);
        let _ = write!(
            fonts_xml,
            "<ofd:Font ID=\"{id}\" FontName=\"{0}\" FamilyName=\"{0}\"><ofd:FontFile>{file}</ofd:FontFile></ofd:Font>",
            xml_escape(family)
        );
        font_files.push((
            format!("Doc_0/Res/{file}"),
            font::subset(&fonts.faces[face], used)?,
        ));
    }
    let mut media_xml = String::new();
    for (id, file, image) in &shared.images {
        let format = match image.format {
            crate::document::ImageFormat::Png => "PNG",
            crate::document::ImageFormat::Jpeg => "JPEG",
        };
        let _ = write!(
            media_xml,
            "<ofd:MultiMedia ID=\"{id}\" Type=\"Image\" Format=\"{format}\"><ofd:MediaFile>{file}</ofd:MediaFile></ofd:MultiMedia>"
        );
    }
    let max_id = shared.next_id - 1;
    parts.push((
        "Doc_0/Document.xml".into(),
        document_xml(
            lay,
            (max_id, template_id, &page_ids),
            !media_xml.is_empty(),
            payload.is_some(),
        )
        .into_bytes(),
    ));
    parts.push((
        "Doc_0/PublicRes.xml".into(),
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ofd:Res xmlns:ofd=\"{NS}\" BaseLoc=\"Res\"><ofd:Fonts>{fonts_xml}</ofd:Fonts></ofd:Res>")
            .into_bytes(),
    ));
    if !media_xml.is_empty() {
        parts.push((
            "Doc_0/DocumentRes.xml".into(),
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ofd:Res xmlns:ofd=\"{NS}\" BaseLoc=\"Res\"><ofd:MultiMedias>{media_xml}</ofd:MultiMedias></ofd:Res>")
                .into_bytes(),
        ));
    }
    if let Some(xml) = template_xml {
        parts.push(("Doc_0/Tpls/Tpl_0/Content.xml".into(), xml.into_bytes()));
    }
    for (i, xml) in pages_xml.into_iter().enumerate() {
        parts.push((
            format!("Doc_0/Pages/Page_{i}/Content.xml"),
            xml.into_bytes(),
        ));
    }
    parts.extend(font_files);
    for (_, file, image) in &shared.images {
        parts.push((format!("Doc_0/Res/{file}"), image.bytes.to_vec()));
    }
    if let Some(archive) = payload {
        let (y, m, d) = archive.date;
        parts.push((
            "Doc_0/Attachs/Attachments.xml".into(),
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ofd:Attachments xmlns:ofd=\"{NS}\"><ofd:Attachment ID=\"payload\" Name=\"{}\" Format=\"json\" CreationDate=\"{y:04}-{m:02}-{d:02}T00:00:00\" Size=\"{}\" Visible=\"true\" Usage=\"source\"><ofd:FileLoc>{}</ofd:FileLoc></ofd:Attachment></ofd:Attachments>",
                xml_escape(&archive.name),
                (archive.json.len() as f64 / 1024.0 * 1000.0).round() / 1000.0,
                xml_escape(&archive.name),
            )
            .into_bytes(),
        ));
        parts.push((
            format!("Doc_0/Attachs/{}", archive.name),
            archive.json.to_vec(),
        ));
    }
    super::deterministic_zip(&parts)
}

/// The furniture every page draws alike (the header, its rule, the draft mark) — drawn once
/// in the template page — and each page's own operations (its body, its page number).
fn split_furniture(pages: &[Page]) -> (Vec<&Op>, Vec<Vec<&Op>>) {
    fn furniture(p: &Page) -> &[Op] {
        &p.ops[p.furniture.unwrap_or(p.ops.len()).min(p.ops.len())..]
    }
    let shared: Vec<&Op> = match pages.first() {
        Some(first) if pages.iter().all(|p| p.furniture.is_some()) => furniture(first)
            .iter()
            .filter(|op| pages[1..].iter().all(|p| furniture(p).contains(op)))
            .collect(),
        _ => Vec::new(),
    };
    let bodies = pages
        .iter()
        .map(|p| {
            let mut left: Vec<&Op> = shared.clone();
            p.ops
                .iter()
                .enumerate()
                .filter(|(i, op)| {
                    if *i < p.furniture.unwrap_or(usize::MAX) {
                        return true;
                    }
                    match left.iter().position(|s| s == op) {
                        Some(k) => {
                            left.remove(k);
                            false
                        }
                        None => true,
                    }
                })
                .map(|(_, op)| op)
                .collect()
        })
        .collect();
    (shared, bodies)
}

/// A page's (or the template page's) content file.
fn page_xml(template: Option<u32>, area: Option<String>, layer: &str) -> String {
    let mut out =
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ofd:Page xmlns:ofd=\"{NS}\">");
    if let Some(t) = template {
        let _ = write!(
            out,
            "<ofd:Template TemplateID=\"{t}\" ZOrder=\"Background\"/>"
        );
    }
    if let Some(area) = area {
        let _ = write!(
            out,
            "<ofd:Area><ofd:PhysicalBox>{area}</ofd:PhysicalBox></ofd:Area>"
        );
    }
    let _ = write!(out, "<ofd:Content>{layer}</ofd:Content></ofd:Page>");
    out
}

/// `OFD.xml`: the document's information and where its root is.
fn ofd_xml(meta: &Meta, digest: Option<&str>) -> String {
    // The document's identifier: from what it is made of, so the same input gives the same.
    let id_source = format!("{}\n{}\n{}", meta.subject, meta.title, digest.unwrap_or(""));
    let doc_id = hex(&sha2::Sha256::digest(id_source.as_bytes())[..16]);
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ofd:OFD xmlns:ofd=\"{NS}\" Version=\"1.0\" DocType=\"OFD\"><ofd:DocBody><ofd:DocInfo><ofd:DocID>{doc_id}</ofd:DocID><ofd:Title>{}</ofd:Title>",
        xml_escape(&meta.title)
    );
    if !meta.author.is_empty() {
        let _ = write!(out, "<ofd:Author>{}</ofd:Author>", xml_escape(&meta.author));
    }
    if !meta.subject.is_empty() {
        let _ = write!(
            out,
            "<ofd:Subject>{}</ofd:Subject>",
            xml_escape(&meta.subject)
        );
    }
    if let Some(a) = &meta.archive {
        let (y, m, d) = a.date;
        let _ = write!(
            out,
            "<ofd:CreationDate>{y:04}-{m:02}-{d:02}</ofd:CreationDate>"
        );
    }
    // The kind: the subject of a built-in layout; a filled template's own.
    let (kind, template) = match &meta.filled {
        Some(f) => (f.kind.as_str(), Some(f.template.as_str())),
        None => (meta.subject.as_str(), None),
    };
    let _ = write!(
        out,
        "<ofd:Creator>collabdocs</ofd:Creator><ofd:CreatorVersion>{}</ofd:CreatorVersion><ofd:CustomDatas>",
        env!("CARGO_PKG_VERSION"),
    );
    if !kind.is_empty() {
        let _ = write!(
            out,
            "<ofd:CustomData Name=\"kind\">{}</ofd:CustomData>",
            xml_escape(kind)
        );
    }
    if let Some(t) = template {
        let _ = write!(
            out,
            "<ofd:CustomData Name=\"template\">{}</ofd:CustomData>",
            xml_escape(t)
        );
    }
    let _ = write!(
        out,
        "<ofd:CustomData Name=\"language\">{}</ofd:CustomData>",
        xml_escape(&meta.lang)
    );
    if let Some(d) = digest {
        let _ = write!(
            out,
            "<ofd:CustomData Name=\"payload-sha256\">{d}</ofd:CustomData>"
        );
    }
    out.push_str("</ofd:CustomDatas></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>");
    out
}

/// `Document.xml`: the page area, the resources (the images' when there are any), the
/// template page, the pages, the outline of the headings, the attachment.
fn document_xml(
    lay: &Layout,
    (max_id, template, page_ids): (u32, Option<u32>, &[u32]),
    images: bool,
    attachment: bool,
) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ofd:Document xmlns:ofd=\"{NS}\"><ofd:CommonData><ofd:MaxUnitID>{max_id}</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 {} {}</ofd:PhysicalBox></ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes>",
        num(lay.width),
        num(lay.height)
    );
    if images {
        out.push_str("<ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes>");
    }
    if let Some(t) = template {
        let _ = write!(
            out,
            "<ofd:TemplatePage ID=\"{t}\" BaseLoc=\"Tpls/Tpl_0/Content.xml\"/>"
        );
    }
    out.push_str("</ofd:CommonData><ofd:Pages>");
    for (i, id) in page_ids.iter().enumerate() {
        let _ = write!(
            out,
            "<ofd:Page ID=\"{id}\" BaseLoc=\"Pages/Page_{i}/Content.xml\"/>"
        );
    }
    out.push_str("</ofd:Pages>");
    let headings = super::pdf::headings(&lay.nodes, &lay.pages);
    if !headings.is_empty() {
        out.push_str("<ofd:Outlines>");
        // Open entries' levels: a heading closes those at its level or deeper.
        let mut open: Vec<u8> = Vec::new();
        for h in headings {
            while open.last().is_some_and(|l| *l >= h.level) {
                open.pop();
                out.push_str("</ofd:OutlineElem>");
            }
            let _ = write!(
                out,
                "<ofd:OutlineElem Title=\"{}\"><ofd:Actions><ofd:Action Event=\"CLICK\"><ofd:Goto><ofd:Dest Type=\"XYZ\" PageID=\"{}\" Left=\"0\" Top=\"{}\" Zoom=\"1\"/></ofd:Goto></ofd:Action></ofd:Actions>",
                xml_escape(h.title),
                page_ids.get(h.page).copied().unwrap_or(page_ids[0]),
                num(h.top)
            );
            open.push(h.level);
        }
        for _ in open {
            out.push_str("</ofd:OutlineElem>");
        }
        out.push_str("</ofd:Outlines>");
    }
    if attachment {
        out.push_str("<ofd:Attachments>Attachs/Attachments.xml</ofd:Attachments>");
    }
    out.push_str("</ofd:Document>");
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}
