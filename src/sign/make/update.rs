//! The incremental updates that sign a PDF written by collabdocs: the signature (a signature
//! field on the signature area, a new AcroForm, and the signature dictionary whose
//! `/Contents` is the CMS over every byte but itself); for B-LT the document security store;
//! for B-LTA the document time-stamp.

use super::{Level, SignError, Signer, Tsa};
use crate::sign::reader::{Obj, PdfFile};
use crate::values::Date;

use super::contents::PLACEHOLDER_RANGE;
/// Room first kept for a time-stamp token, in bytes; a larger token is made room for by
/// writing the revision again.
pub(super) const TOKEN_ROOM: usize = 8 * 1024;
/// The most room kept for a signature's contents.
const MAX_CONTENTS: usize = 256 * 1024;

/// The contents written into a revision's `/Contents`, or the room they would need.
pub(super) enum Filled {
    /// The file, and the contents as the `/Contents` string holds them (zero-padded).
    Done(Vec<u8>, Vec<u8>),
    TooSmall(usize),
}

/// Writes a revision with `reserve` bytes kept for its contents, again with more room when
/// they turn out larger (a time-stamp token is sized by its authority).
pub(super) fn with_room(
    mut reserve: usize,
    mut write: impl FnMut(usize) -> Result<Filled, SignError>,
) -> Result<(Vec<u8>, Vec<u8>), SignError> {
    for _ in 0..3 {
        match write(reserve)? {
            Filled::Done(out, contents) => return Ok((out, contents)),
            Filled::TooSmall(need) if need <= MAX_CONTENTS => reserve = need + 1024,
            Filled::TooSmall(need) => {
                return Err(SignError::Upstream(format!(
                "the signature would take {need} bytes, more than the {MAX_CONTENTS} kept for it"
            )))
            }
        }
    }
    Err(SignError::Internal(
        "the signature's size kept changing while it was written".into(),
    ))
}

impl Signer {
    /// Signs a PDF written by collabdocs: appends the signature field (its widget over
    /// `area` — page index, `[left, top, right, bottom]` from the top-left — or an invisible
    /// one on the last page) and the signature, as an incremental update; then, by the
    /// configured level, the validation data and the document time-stamp.
    pub fn sign_pdf(
        &self,
        pdf: &[u8],
        area: Option<(usize, [f32; 4])>,
        at: std::time::SystemTime,
        reason: &str,
    ) -> Result<Vec<u8>, SignError> {
        let (tsa, reserve) = self.signing_room()?;
        let (out, contents) = with_room(reserve, |reserve| {
            self.signed_revision(pdf, area, at, reason, reserve, tsa)
        })?;
        self.raise(out, &contents)
    }

    /// The revision that carries the signature, its contents kept to `reserve` bytes.
    fn signed_revision(
        &self,
        pdf: &[u8],
        area: Option<(usize, [f32; 4])>,
        at: std::time::SystemTime,
        reason: &str,
        reserve: usize,
        tsa: Option<&Tsa>,
    ) -> Result<Filled, SignError> {
        let tail = PdfTail::parse(pdf, area.map(|(page, _)| page))?;
        let base = &tail.base;
        let (widget, sig, appearance) = (base.size, base.size + 1, base.size + 2);
        let mut update = Update::new(pdf);
        update.object(
            tail.last_page,
            add_to_annots(&tail.page_dict, widget)?.as_bytes(),
        );
        // A document with the parties' empty signature fields has a form: the service's field
        // joins them; else the form is new.
        let catalog = if tail.has_form {
            add_form_field(pdf, widget, true)?
        } else {
            insert_before_end(
                &base.catalog_dict,
                &format!("/AcroForm<</Fields[{widget} 0 R]/SigFlags 3>>"),
            )?
        };
        // The service's signature certifies the document (DocMDP): what may follow it.
        let catalog = insert_before_end(&catalog, &format!("/Perms<</DocMDP {sig} 0 R>>"))?;
        update.object(base.root, catalog.as_bytes());
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
        let seal_nums = (base.size + 3, base.size + 4);
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
                "<</Type/Sig/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached/ByteRange{PLACEHOLDER_RANGE}/Contents<{}>/M({})/Name{}/Reason{}/Reference[<</Type/SigRef/TransformMethod/DocMDP/TransformParams<</Type/TransformParams/P {}/V/1.2>>>>]>>",
                "0".repeat(reserve * 2),
                pdf_date(at),
                pdf_text(&self.organisation),
                pdf_text(reason),
                self.certification.clamp(1, 3),
            )
            .as_bytes(),
        );
        let out = update.finish(base, base.size + if seal.is_some() { 5 } else { 3 });
        fill_contents(out, sig_start, reserve, |digest| self.cms(digest, tsa))
    }

    /// The time-stamp authority a signature asks (B-T and up), and the room first kept for
    /// the signature: the CMS, and a token when there is an authority.
    fn signing_room(&self) -> Result<(Option<&Tsa>, usize), SignError> {
        let tsa = self
            .services
            .tsa
            .as_ref()
            .filter(|_| self.services.level >= Level::BT);
        let reserve =
            self.cms(&[0; 32], None)?.len() + 64 + if tsa.is_some() { TOKEN_ROOM } else { 0 };
        Ok((tsa, reserve))
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

/// The catalog (of a file collabdocs wrote) with `field` added to its AcroForm's fields, and
/// with `sign_flags` the form's `/SigFlags 3` (signatures exist; append only) when it has none.
pub(super) fn add_form_field(
    pdf: &[u8],
    field: u32,
    sign_flags: bool,
) -> Result<String, SignError> {
    let file = PdfFile::open(pdf)?;
    let base = Base::read(&file)?;
    let catalog = file.object(base.root)?;
    let (form, form_range) = match catalog.value.entry("AcroForm") {
        Some((form @ Obj::Dict(_), r)) => (form, r),
        _ => {
            return Err(SignError::Internal(
                "the file has no form in its catalog".into(),
            ))
        }
    };
    let Some((Obj::Array(_), range)) = form.entry("Fields") else {
        return Err(SignError::Internal(
            "the file has no form fields in its catalog".into(),
        ));
    };
    // Just before the array's `]`, relative to the catalog's text.
    let at = range.end - 1 - catalog.span.start;
    let dict = &base.catalog_dict;
    let mut out = format!("{} {field} 0 R{}", &dict[..at], &dict[at..]);
    if sign_flags && form.get("SigFlags").is_none() {
        // Just before the form's `>>`, moved by the reference just written.
        let end = form_range.end - 2 - catalog.span.start + format!(" {field} 0 R").len();
        out.insert_str(end, "/SigFlags 3");
    }
    Ok(out)
}

/// Writes the byte range around the `/Contents` of the signature dictionary starting at
/// `sig_start`, then what `make` gives for the digest of those bytes into it — or says how
/// much room it needs when `reserve` is too little.
pub(super) fn fill_contents(
    out: Vec<u8>,
    sig_start: usize,
    reserve: usize,
    make: impl FnOnce(&[u8]) -> Result<Vec<u8>, SignError>,
) -> Result<Filled, SignError> {
    let framed = super::contents::frame(out, sig_start, reserve)?;
    let mut contents = make(&framed.digest)?;
    if contents.len() > reserve {
        return Ok(Filled::TooSmall(contents.len()));
    }
    let out = super::contents::embed(framed.pdf, framed.contents_at, reserve, &contents)?;
    contents.resize(reserve, 0);
    Ok(Filled::Done(out, contents))
}

/// An incremental update being written after the original file: its objects, then its
/// cross-reference section and trailer.
pub(super) struct Update {
    out: Vec<u8>,
    offsets: Vec<(u32, usize)>,
}

impl Update {
    pub(super) fn new(pdf: &[u8]) -> Self {
        Self::after(pdf.to_vec())
    }

    /// An update written after `out`, taken as it is (not copied).
    pub(super) fn after(mut out: Vec<u8>) -> Self {
        if !out.ends_with(b"\n") {
            out.push(b'\n');
        }
        Self {
            out,
            offsets: Vec::new(),
        }
    }

    pub(super) fn object(&mut self, num: u32, body: &[u8]) {
        self.offsets.push((num, self.out.len()));
        self.out
            .extend_from_slice(format!("{num} 0 obj\n").as_bytes());
        self.out.extend_from_slice(body);
        self.out.extend_from_slice(b"\nendobj\n");
    }

    /// How many bytes are written so far.
    pub(super) fn out_len(&self) -> usize {
        self.out.len()
    }

    /// A stream object holding `data` as it is.
    pub(super) fn stream(&mut self, num: u32, data: &[u8]) {
        let mut body = format!("<</Length {}>>\nstream\n", data.len()).into_bytes();
        body.extend_from_slice(data);
        body.extend_from_slice(b"\nendstream");
        self.object(num, &body);
    }

    /// The cross-reference section of the new objects and the trailer, pointing back at the
    /// file's own; `size` is the new object count.
    pub(super) fn finish(mut self, tail: &Base, size: u32) -> Vec<u8> {
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

/// A PDF date for a moment, in China Standard Time: `D:20261201201530+08'00'`.
pub fn pdf_date(at: std::time::SystemTime) -> String {
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
pub(super) fn pdf_text(s: &str) -> String {
    let mut out = String::from("<FEFF");
    for unit in s.encode_utf16() {
        out.push_str(&format!("{unit:04X}"));
    }
    out.push('>');
    out
}

/// What every incremental update needs from the newest revision: where its
/// cross-reference table is, the object count, the trailer's entries and the catalog.
pub(super) struct Base {
    startxref: usize,
    pub(super) size: u32,
    pub(super) root: u32,
    info: Option<String>,
    id: Option<String>,
    pub(super) catalog_dict: String,
}

impl Base {
    pub(super) fn read(file: &PdfFile) -> Result<Base, String> {
        let bad = |what: &str| format!("cannot sign this PDF: {what}");
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
        Ok(Base {
            startxref: file.startxref,
            size,
            root,
            info,
            id,
            catalog_dict: text(catalog.span),
        })
    }
}

/// What the signature's update needs besides the [`Base`]: the page its widget goes on.
pub(super) struct PdfTail {
    pub(super) base: Base,
    /// The file has a form (the parties' empty signature fields).
    has_form: bool,
    pub(super) last_page: u32,
    pub(super) page_dict: String,
    page_height: f32,
}

impl PdfTail {
    /// `page`: the 0-based page the widget goes on; the last when `None`.
    pub(super) fn parse(pdf: &[u8], page: Option<usize>) -> Result<Self, String> {
        let bad = |what: &str| format!("cannot sign this PDF: {what}");
        let file = PdfFile::open(pdf).map_err(|e| bad(&e))?;
        let text = |r: std::ops::Range<usize>| String::from_utf8_lossy(file.slice(r)).into_owned();
        let base = Base::read(&file)?;
        let has_form = file
            .object(base.root)
            .map_err(|e| bad(&e))?
            .value
            .get("AcroForm")
            .is_some();
        let pages = file.pages(100_000).map_err(|e| bad(&e))?;
        let last_page = *match page {
            Some(i) => pages.get(i),
            None => pages.last(),
        }
        .ok_or_else(|| bad("no such page"))?;
        let page = file.object(last_page).map_err(|e| bad(&e))?;
        let page_height =
            page_height(&page.value).ok_or_else(|| bad("no /MediaBox on the page"))?;
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
            base,
            has_form,
            last_page,
            page_dict,
            page_height,
        })
    }
}

/// A page's height: the top of its `/MediaBox`.
pub(super) fn page_height(page: &Obj) -> Option<f32> {
    page.get("MediaBox")
        .and_then(Obj::as_array)
        .and_then(|b| b.get(3))
        .and_then(Obj::as_num)
        .map(|h| h as f32)
}

pub(super) fn insert_before_end(dict: &str, entry: &str) -> Result<String, String> {
    let end = dict
        .rfind(">>")
        .ok_or("cannot sign this PDF: a dictionary is not closed")?;
    Ok(format!("{}{entry}{}", &dict[..end], &dict[end..]))
}

/// The page dictionary with the widget among its annotations: in the array where
/// [`PdfTail::parse`] marked its place with a NUL, else in a new `/Annots`.
pub(super) fn add_to_annots(page: &str, widget: u32) -> Result<String, String> {
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
