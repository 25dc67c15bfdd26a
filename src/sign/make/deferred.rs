//! Signing one named signature field, in two steps so that the key can be anywhere — the
//! service's, or a party's on a USB key or an e-signature platform the service never sees:
//! [`prepare_field`] writes the revision that fills the field (its value a signature
//! dictionary whose `/Contents` is still zeros, its byte range written) and gives the digest
//! to sign; [`embed`] puts a detached CMS over that digest into the zeros, after checking
//! that it signs exactly that digest with the certificate it carries. Every earlier byte
//! stays as it was: earlier signatures hold.

use super::contents::{frame, PreparedField, PLACEHOLDER_RANGE};
use super::update::{insert_before_end, pdf_text, Base, Update};
use super::SignError;
use crate::sign::reader::{Obj, PdfFile};

/// Objects written into an update: number and body.
pub type Objects = Vec<(u32, Vec<u8>)>;

/// A widget being drawn: its size, and its party's line (`[x0 y0 x1 y1]` inside it: the
/// 签名 cell the widget was grown around; the whole widget when the file does not say).
#[derive(Debug, Clone, Copy)]
pub struct Widget {
    pub w: f32,
    pub h: f32,
    pub line: [f32; 4],
}

/// A widget's appearance stream, with the extra objects it needs numbered from the given one.
pub type Appearance<'a> = &'a dyn Fn(&Widget, u32) -> (Vec<u8>, Objects);

/// What the revision draws and says: who signs (the dictionary's `/Name`), why, when
/// (`/M`, a PDF date), the appearance of the widget.
pub struct FieldSigning<'a> {
    pub name: &'a str,
    pub reason: &'a str,
    pub date: String,
    /// The widget's appearance.
    pub appearance: Appearance<'a>,
    /// Bytes kept for the signature.
    pub room: usize,
}

/// A party's signature as it shows: a frame around the party's line and, when the party
/// sent one, their seal (or handwritten signature) pressed over it at its real size —
/// `seal_side` points along its longer side — as part of the signed appearance.
pub fn party_appearance(
    widget: &Widget,
    seal: Option<(&super::Seal, f32)>,
    first: u32,
) -> (Vec<u8>, Objects) {
    let [x0, y0, x1, y1] = widget.line;
    let mut stream = format!(
        "0.72 0.1 0.1 RG 1.2 w {:.2} {:.2} {:.2} {:.2} re S",
        x0 + 0.6,
        y0 + 0.6,
        (x1 - x0 - 1.2).max(0.0),
        (y1 - y0 - 1.2).max(0.0)
    );
    let mut resources = String::new();
    let mut objects = Objects::new();
    if let Some((seal, side)) = seal {
        stream.push('\n');
        stream.push_str(&seal.pressed(side, (x0 + x1) / 2.0, (y0 + y1) / 2.0, widget.w, widget.h));
        resources = format!("/Resources<</XObject<</Seal {first} 0 R>>>>");
        objects.extend(seal.objects(first, first + 1));
    }
    let body = format!(
        "<</Type/XObject/Subtype/Form/BBox[0 0 {:.2} {:.2}]{resources}/Length {}>>\nstream\n{stream}\nendstream",
        widget.w,
        widget.h,
        stream.len()
    );
    (body.into_bytes(), objects)
}

/// The signature fields of a file: (number, name, signed).
pub fn signature_fields(pdf: &[u8]) -> Result<Vec<(u32, String, bool)>, String> {
    let file = PdfFile::open(pdf)?;
    let base = Base::read(&file)?;
    let catalog = file.object(base.root)?.value;
    let Some(form) = catalog.get("AcroForm") else {
        return Ok(Vec::new());
    };
    let form = file.resolve(form)?;
    let fields = file.resolve(form.get("Fields").unwrap_or(&Obj::Null))?;
    let mut out = Vec::new();
    for f in fields.as_array().unwrap_or(&[]).iter().take(1000) {
        let Obj::Ref(n) = f else { continue };
        let field = file.object(*n)?.value;
        if field.get("FT").and_then(Obj::as_name) != Some("Sig") {
            continue;
        }
        if let Some(name) = crate::sign::check::text_string(field.get("T")) {
            out.push((*n, name, field.get("V").is_some()));
        }
    }
    Ok(out)
}

/// Writes the revision that fills the signature field `field` of `pdf`, its `/Contents` kept
/// to `how.room` bytes of zeros; refuses a field that is not there or is signed already.
pub fn prepare_field(
    pdf: &[u8],
    field: &str,
    how: &FieldSigning,
) -> Result<PreparedField, SignError> {
    let refused = |m: String| SignError::Refused(m);
    let fields = signature_fields(pdf).map_err(refused)?;
    let Some(&(num, _, signed)) = fields.iter().find(|(_, n, _)| n == field) else {
        let names: Vec<&str> = fields.iter().map(|(_, n, _)| n.as_str()).collect();
        return Err(refused(if names.is_empty() {
            format!("the document has no signature field {field}: it has no signature fields")
        } else {
            format!(
                "the document has no signature field {field}; it has {}",
                names.join(", ")
            )
        }));
    };
    if signed {
        return Err(refused(format!(
            "the signature field {field} is signed already"
        )));
    }
    let file = PdfFile::open(pdf)?;
    let base = Base::read(&file)?;
    let obj = file.object(num)?;
    let rect: Vec<f32> = obj
        .value
        .get("Rect")
        .and_then(Obj::as_array)
        .unwrap_or(&[])
        .iter()
        .filter_map(|n| n.as_num().map(|n| n as f32))
        .collect();
    let [x0, y0, x1, y1] = <[f32; 4]>::try_from(rect)
        .map_err(|_| refused(format!("the signature field {field} has no /Rect")))?;
    let (w, h) = ((x1 - x0).abs(), (y1 - y0).abs());
    let (left, bottom) = (x0.min(x1), y0.min(y1));
    let line = obj
        .value
        .get("CollabdocsLine")
        .and_then(Obj::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|n| n.as_num())
                .map(|n| n as f32)
                .collect::<Vec<_>>()
        })
        .and_then(|a| <[f32; 4]>::try_from(a).ok())
        .map(|[a, b, c, d]| {
            [
                (a - left).clamp(0.0, w),
                (b - bottom).clamp(0.0, h),
                (c - left).clamp(0.0, w),
                (d - bottom).clamp(0.0, h),
            ]
        })
        .filter(|l| l[2] > l[0] && l[3] > l[1])
        .unwrap_or([0.0, 0.0, w, h]);
    let (sig, appearance) = (base.size, base.size + 1);
    let (ap_stream, extra) = (how.appearance)(&Widget { w, h, line }, base.size + 2);
    let size = base.size + 2 + extra.len() as u32;
    // The field: its value the new signature, its appearance the new one.
    let dict = String::from_utf8_lossy(file.slice(obj.span.clone())).into_owned();
    let dict = match obj.value.entry("AP") {
        Some((_, r)) => format!(
            "{}<</N {appearance} 0 R>>{}",
            &dict[..r.start - obj.span.start],
            &dict[r.end - obj.span.start..]
        ),
        None => insert_before_end(&dict, &format!("/AP<</N {appearance} 0 R>>"))?,
    };
    let dict = insert_before_end(&dict, &format!("/V {sig} 0 R"))?;
    let mut update = Update::new(pdf);
    update.object(num, dict.as_bytes());
    // The form says signatures exist (and the file is appended to only) once one does.
    let catalog = file.object(base.root)?;
    match catalog.value.entry("AcroForm") {
        Some((form @ Obj::Dict(_), r)) if form.get("SigFlags").is_none() => {
            let at = r.end - 2 - catalog.span.start;
            let mut text = base.catalog_dict.clone();
            text.insert_str(at, "/SigFlags 3");
            update.object(base.root, text.as_bytes());
        }
        Some((Obj::Ref(form_num), _)) => {
            let form = file.object(*form_num)?;
            if form.value.get("SigFlags").is_none() {
                let text = String::from_utf8_lossy(file.slice(form.span.clone())).into_owned();
                update.object(
                    *form_num,
                    insert_before_end(&text, "/SigFlags 3")?.as_bytes(),
                );
            }
        }
        _ => {}
    }
    update.object(appearance, &ap_stream);
    for (n, body) in &extra {
        update.object(*n, body);
    }
    let sig_start = update.out_len();
    update.object(
        sig,
        format!(
            "<</Type/Sig/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached/ByteRange{PLACEHOLDER_RANGE}/Contents<{}>/M({})/Name{}/Reason{}>>",
            "0".repeat(how.room * 2),
            how.date,
            pdf_text(how.name),
            pdf_text(how.reason),
        )
        .as_bytes(),
    );
    let out = update.finish(&base, size);
    frame(out, sig_start, how.room)
}
