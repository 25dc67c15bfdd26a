//! The incremental update that signs a PDF written by collabdocs: a signature field on the
//! signature area, a new AcroForm, and the signature dictionary whose `/Contents` is the CMS
//! over every byte but itself.

use sha2::{Digest, Sha256};

use super::Signer;
use crate::values::Date;

/// The placeholder `/ByteRange`, as wide as any range it will hold.
const PLACEHOLDER_RANGE: &str = "[0 0000000000 0000000000 0000000000]";

impl Signer {
    /// Signs a PDF written by collabdocs: appends the signature field (its widget over
    /// `area` — page index, `[left, top, right, bottom]` from the top-left — or an invisible
    /// one on the last page) and the signature, as an incremental update.
    pub fn sign_pdf(
        &self,
        pdf: &[u8],
        area: Option<(usize, [f32; 4])>,
        at: std::time::SystemTime,
        reason: &str,
    ) -> Result<Vec<u8>, String> {
        let reserve = self.cms(&[0; 32])?.len() + 64;
        let tail = PdfTail::parse(pdf, area.map(|(page, _)| page))?;
        let (widget, sig, appearance) = (tail.size, tail.size + 1, tail.size + 2);
        let mut update = Update::new(pdf);
        update.object(
            tail.last_page,
            add_to_annots(&tail.page_dict, widget)?.as_bytes(),
        );
        let catalog = insert_before_end(
            &tail.catalog_dict,
            &format!("/AcroForm<</Fields[{widget} 0 R]/SigFlags 3>>"),
        )?;
        update.object(tail.root, catalog.as_bytes());
        let rect = area.map_or([0.0; 4], |(_, [x0, top, x1, bottom])| {
            [x0, tail.page_height - bottom, x1, tail.page_height - top]
        });
        update.object(
            widget,
            format!(
                "<</Type/Annot/Subtype/Widget/FT/Sig/T(Signature1)/F 132/Rect[{:.2} {:.2} {:.2} {:.2}]/P {} 0 R/V {sig} 0 R/AP<</N {appearance} 0 R>>>>",
                rect[0], rect[1], rect[2], rect[3], tail.last_page
            )
            .as_bytes(),
        );
        let seal = self
            .seal
            .as_ref()
            .filter(|_| rect[2] > rect[0] && rect[3] > rect[1]);
        let seal_nums = (tail.size + 3, tail.size + 4);
        update.object(
            appearance,
            &widget_appearance(rect, seal.map(|s| (s, seal_nums.0))),
        );
        if let Some(seal) = seal {
            for (num, body) in seal.objects(seal_nums.0, seal_nums.1) {
                update.object(num, &body);
            }
        }
        let sig_start = update.out.len();
        update.object(
            sig,
            format!(
                "<</Type/Sig/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached/ByteRange{PLACEHOLDER_RANGE}/Contents<{}>/M({})/Name{}/Reason{}>>",
                "0".repeat(reserve * 2),
                pdf_date(at),
                pdf_text(&self.organisation),
                pdf_text(reason),
            )
            .as_bytes(),
        );
        let mut out = update.finish(&tail, tail.size + if seal.is_some() { 5 } else { 3 });
        self.fill_signature(&mut out, sig_start, reserve)?;
        Ok(out)
    }

    /// Writes the byte range around the signature dictionary's `/Contents` (starting at
    /// `sig_start`), then the CMS over those bytes into it.
    fn fill_signature(
        &self,
        out: &mut [u8],
        sig_start: usize,
        reserve: usize,
    ) -> Result<(), String> {
        let sig_obj = &out[sig_start..];
        let contents_at = sig_start
            + find(sig_obj, b"/Contents<").ok_or("internal: no /Contents placeholder")?
            + b"/Contents".len();
        let contents_end = contents_at + 2 + reserve * 2;
        let range_at = sig_start
            + find(sig_obj, PLACEHOLDER_RANGE.as_bytes()).ok_or("internal: no /ByteRange")?;
        let range = format!(
            "[0 {contents_at} {contents_end} {}]",
            out.len() - contents_end
        );
        let padded = format!("{range:<width$}", width = PLACEHOLDER_RANGE.len());
        out[range_at..range_at + padded.len()].copy_from_slice(padded.as_bytes());
        let mut hasher = Sha256::new();
        hasher.update(&out[..contents_at]);
        hasher.update(&out[contents_end..]);
        let cms = self.cms(&hasher.finalize())?;
        if cms.len() > reserve {
            return Err("internal: the signature is larger than the room kept for it".into());
        }
        let hex: String = cms.iter().map(|b| format!("{b:02X}")).collect();
        out[contents_at + 1..contents_at + 1 + hex.len()].copy_from_slice(hex.as_bytes());
        Ok(())
    }
}

/// The signature widget's appearance: the signature area's text is in the page itself, the
/// appearance draws its frame and, when there is one, the seal (image object `seal.1`) on top.
fn widget_appearance(rect: [f32; 4], seal: Option<(&super::Seal, u32)>) -> Vec<u8> {
    let (w, h) = (rect[2] - rect[0], rect[3] - rect[1]);
    let mut stream = if w > 0.0 && h > 0.0 {
        format!(
            "0.12 0.35 0.65 RG 1.2 w 0.6 0.6 {:.2} {:.2} re S",
            w - 1.2,
            h - 1.2
        )
    } else {
        String::new()
    };
    let mut resources = String::new();
    if let Some((seal, num)) = seal {
        stream.push('\n');
        stream.push_str(&seal.placement(w, h));
        resources = format!("/Resources<</XObject<</Seal {num} 0 R>>>>");
    }
    format!(
        "<</Type/XObject/Subtype/Form/BBox[0 0 {w:.2} {h:.2}]{resources}/Length {}>>\nstream\n{stream}\nendstream",
        stream.len()
    )
    .into_bytes()
}

/// An incremental update being written after the original file: its objects, then its
/// cross-reference section and trailer.
struct Update {
    out: Vec<u8>,
    offsets: Vec<(u32, usize)>,
}

impl Update {
    fn new(pdf: &[u8]) -> Self {
        let mut out = pdf.to_vec();
        if !out.ends_with(b"\n") {
            out.push(b'\n');
        }
        Self {
            out,
            offsets: Vec::new(),
        }
    }

    fn object(&mut self, num: u32, body: &[u8]) {
        self.offsets.push((num, self.out.len()));
        self.out
            .extend_from_slice(format!("{num} 0 obj\n").as_bytes());
        self.out.extend_from_slice(body);
        self.out.extend_from_slice(b"\nendobj\n");
    }

    /// The cross-reference section of the new objects and the trailer, pointing back at the
    /// file's own; `size` is the new object count.
    fn finish(mut self, tail: &PdfTail, size: u32) -> Vec<u8> {
        let xref_at = self.out.len();
        self.offsets.sort();
        let mut xref = String::from("xref\n0 1\n0000000000 65535 f \n");
        for (num, at) in &self.offsets {
            xref.push_str(&format!("{num} 1\n{at:010} 00000 n \n"));
        }
        xref.push_str(&format!(
            "trailer\n<</Size {size}/Root {} 0 R{}{}/Prev {}>>\nstartxref\n{xref_at}\n%%EOF\n",
            tail.root,
            tail.info
                .as_deref()
                .map(|i| format!("/Info {i}"))
                .unwrap_or_default(),
            tail.id
                .as_deref()
                .map(|i| format!("/ID{i}"))
                .unwrap_or_default(),
            tail.startxref,
        ));
        self.out.extend_from_slice(xref.as_bytes());
        self.out
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A PDF date for a moment, in China Standard Time: `D:20261201201530+08'00'`.
fn pdf_date(at: std::time::SystemTime) -> String {
    let secs = at
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
        + 8 * 3600;
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let d = Date::from_days(days);
    format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}+08'00'",
        d.year,
        d.month,
        d.day,
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// A PDF text string: UTF-16BE with a byte-order mark, in hex.
fn pdf_text(s: &str) -> String {
    let mut out = String::from("<FEFF");
    for unit in s.encode_utf16() {
        out.push_str(&format!("{unit:04X}"));
    }
    out.push('>');
    out
}

/// What the incremental update needs from the end of a PDF written by collabdocs, read
/// through its cross-reference table (see [`crate::sign::reader`]).
struct PdfTail {
    startxref: usize,
    size: u32,
    root: u32,
    info: Option<String>,
    id: Option<String>,
    catalog_dict: String,
    last_page: u32,
    page_dict: String,
    page_height: f32,
}

impl PdfTail {
    /// `page`: the 0-based page the widget goes on; the last when `None`.
    fn parse(pdf: &[u8], page: Option<usize>) -> Result<Self, String> {
        use crate::sign::reader::{Obj, PdfFile};
        let bad = |what: &str| format!("cannot sign this PDF: {what}");
        let file = PdfFile::open(pdf).map_err(|e| bad(&e))?;
        let text = |r: std::ops::Range<usize>| String::from_utf8_lossy(file.slice(r)).into_owned();
        let trailer = &file.trailer;
        let size = trailer
            .get("Size")
            .and_then(Obj::as_int)
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| bad("no /Size"))?;
        let Some(&Obj::Ref(root)) = trailer.get("Root") else {
            return Err(bad("no /Root"));
        };
        let info = match trailer.get("Info") {
            Some(Obj::Ref(n)) => Some(format!("{n} 0 R")),
            _ => None,
        };
        let id = trailer.entry("ID").map(|(_, r)| text(r));
        let catalog = file.object(root).map_err(|e| bad(&e))?;
        if catalog.value.get("AcroForm").is_some() {
            return Err(bad("it already has a form"));
        }
        let pages = file.pages(100_000).map_err(|e| bad(&e))?;
        let last_page = *match page {
            Some(i) => pages.get(i),
            None => pages.last(),
        }
        .ok_or_else(|| bad("no such page"))?;
        let page = file.object(last_page).map_err(|e| bad(&e))?;
        let page_height = page
            .value
            .get("MediaBox")
            .and_then(Obj::as_array)
            .and_then(|b| b.get(3))
            .and_then(Obj::as_num)
            .ok_or_else(|| bad("no /MediaBox on the page"))? as f32;
        let page_dict = match page.value.entry("Annots") {
            None => text(page.span.clone()),
            Some((Obj::Array(_), r)) => {
                // Where the widget goes: just inside the array's `[`.
                let inner = r.start + 1 - page.span.start;
                let dict = text(page.span.clone());
                format!("{}\u{0}{}", &dict[..inner], &dict[inner..])
            }
            Some(_) => return Err(bad("the page's annotations are indirect")),
        };
        Ok(PdfTail {
            startxref: file.startxref,
            size,
            root,
            info,
            id,
            catalog_dict: text(catalog.span),
            last_page,
            page_dict,
            page_height,
        })
    }
}

fn insert_before_end(dict: &str, entry: &str) -> Result<String, String> {
    let end = dict
        .rfind(">>")
        .ok_or("cannot sign this PDF: a dictionary is not closed")?;
    Ok(format!("{}{entry}{}", &dict[..end], &dict[end..]))
}

/// The page dictionary with the widget among its annotations: in the array where
/// [`PdfTail::parse`] marked its place with a NUL, else in a new `/Annots`.
fn add_to_annots(page: &str, widget: u32) -> Result<String, String> {
    match page.split_once('\u{0}') {
        None => insert_before_end(page, &format!("/Annots[{widget} 0 R]")),
        Some((before, after)) => Ok(format!("{before}{widget} 0 R {after}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_times_are_written_in_china_standard_time() {
        let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_796_156_130);
        assert_eq!(pdf_date(at), "D:20261202041530+08'00'");
    }

    #[test]
    fn pdf_text_strings_are_utf16_with_a_bom() {
        assert_eq!(pdf_text("A中"), "<FEFF00414E2D>");
    }
}
