//! Empty signature fields, one per party, on each party's line of a document's signature
//! table: the places a department head's own signature goes (`party-1`, `party-2`, …), added
//! as an incremental update to the PDF the layout wrote. Deterministic: the same document,
//! the same bytes.

use std::collections::BTreeMap;

use super::update::{insert_before_end, page_height, pdf_text, Base, Update};
use crate::sign::reader::{Obj, PdfFile};

/// An empty signature field to add: its name, the party it is for (shown as its tooltip), and
/// where its widget sits — page (0-based) and `[left, top, right, bottom]` in points from the
/// page's top-left corner.
#[derive(Debug, Clone)]
pub struct FieldSpot {
    pub name: String,
    pub party: String,
    pub page: usize,
    pub rect: [f32; 4],
}

/// The PDF with an empty signature field for each spot, in a new AcroForm; the file as it was
/// when there are none. A file with a form already is refused.
pub fn add_signature_fields(pdf: Vec<u8>, spots: &[FieldSpot]) -> Result<Vec<u8>, String> {
    if spots.is_empty() {
        return Ok(pdf);
    }
    // What the update rewrites is read first; the file is then appended to, not copied.
    let (objects, base, size) = {
        let file = PdfFile::open(&pdf)?;
        let base = Base::read(&file)?;
        let (objects, size) = field_objects(&file, &base, spots)?;
        (objects, base, size)
    };
    let mut update = Update::after(pdf);
    for (num, body) in &objects {
        update.object(*num, body);
    }
    Ok(update.finish(&base, size))
}

/// The objects of the update: each widget and its appearance, the pages with their widgets
/// among their annotations, the catalog with its form; and the new object count.
fn field_objects(
    file: &PdfFile,
    base: &Base,
    spots: &[FieldSpot],
) -> Result<(super::deferred::Objects, u32), String> {
    if file.object(base.root)?.value.get("AcroForm").is_some() {
        return Err("the PDF has a form already".into());
    }
    let pages = file.pages(100_000)?;
    let mut update = Vec::new();
    let mut next = base.size;
    let mut widgets = Vec::new();
    let mut on_page: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for spot in spots {
        let page = *pages
            .get(spot.page)
            .ok_or_else(|| format!("the PDF has no page {}", spot.page + 1))?;
        let page_obj = file.object(page)?.value;
        let (width, height) = page_size(&page_obj).ok_or("a page has no /MediaBox")?;
        let [x0, top, x1, bottom] = spot.rect;
        let line = [x0, height - bottom, x1, height - top];
        let [wx0, wy0, wx1, wy1] = widget_rect(line, width, height);
        let (w, h) = (wx1 - wx0, wy1 - wy0);
        let (widget, appearance) = (next, next + 1);
        next += 2;
        update.push((
            widget,
            format!(
                "<</Type/Annot/Subtype/Widget/FT/Sig/T({})/TU{}/F 4/Rect[{wx0:.2} {wy0:.2} {wx1:.2} {wy1:.2}]/CollabdocsLine[{:.2} {:.2} {:.2} {:.2}]/P {page} 0 R/AP<</N {appearance} 0 R>>>>",
                literal(&spot.name),
                pdf_text(&spot.party),
                line[0],
                line[1],
                line[2],
                line[3],
            )
            .into_bytes(),
        ));
        update.push((
            appearance,
            format!("<</Type/XObject/Subtype/Form/BBox[0 0 {w:.2} {h:.2}]/Length 0>>\nstream\n\nendstream").into_bytes(),
        ));
        widgets.push(widget);
        on_page.entry(page).or_default().push(widget);
    }
    for (page, list) in &on_page {
        let obj = file.object(*page)?;
        let dict = String::from_utf8_lossy(file.slice(obj.span.clone())).into_owned();
        let refs: String = list.iter().map(|w| format!("{w} 0 R ")).collect();
        let dict = match obj.value.entry("Annots") {
            None => insert_before_end(&dict, &format!("/Annots[{}]", refs.trim_end()))?,
            Some((Obj::Array(_), r)) => {
                let inner = r.start + 1 - obj.span.start;
                format!("{}{refs}{}", &dict[..inner], &dict[inner..])
            }
            Some(_) => return Err("a page's annotations are indirect".into()),
        };
        update.push((*page, dict.into_bytes()));
    }
    let fields: String = widgets.iter().map(|w| format!("{w} 0 R ")).collect();
    let catalog = insert_before_end(
        &base.catalog_dict,
        &format!("/AcroForm<</Fields[{}]>>", fields.trim_end()),
    )?;
    update.push((base.root, catalog.into_bytes()));
    Ok((update, next))
}

/// The largest seal drawn at its real size, in points: company seals are round, 38–42 mm.
pub const LARGEST_SEAL: f32 = 42.0 * 72.0 / 25.4;

/// A party's widget: its line (the 签名 cell, `[x0 y0 x1 y1]` from the page's bottom left)
/// grown, around its centre, to hold the largest seal at its real size — seals are pressed
/// over the line and its neighbours, as on paper — and kept on the page.
fn widget_rect(line: [f32; 4], page_w: f32, page_h: f32) -> [f32; 4] {
    let grow = |a: f32, b: f32, limit: f32| {
        let half = ((b - a).max(LARGEST_SEAL) / 2.0).min(limit / 2.0);
        let centre = ((a + b) / 2.0).clamp(half, limit - half);
        (centre - half, centre + half)
    };
    let (x0, x1) = grow(line[0], line[2], page_w);
    let (y0, y1) = grow(line[1], line[3], page_h);
    [x0, y0, x1, y1]
}

/// A page's width and height: the top right of its `/MediaBox`.
fn page_size(page: &Obj) -> Option<(f32, f32)> {
    let b = page.get("MediaBox").and_then(Obj::as_array)?;
    Some((b.get(2)?.as_num()? as f32, page_height(page)?))
}

/// A field name as a literal string: its ASCII letters, digits and `-_.` (what signing tools
/// write back unchanged).
fn literal(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect()
}
