//! A file's signatures as a reader finds them: the form's fields (signed, with their
//! signature dictionaries, or still empty), the certification the catalog names, and the
//! document security store of the newest revision — all through the cross-reference table,
//! bounded.

use cms::cert::x509::Certificate;

use super::{UnsignedField, MAX_SIGNATURES};
use crate::sign::reader::{Obj, PdfFile};

/// The most entries read from each list of a document security store.
const MAX_DSS_ENTRIES: usize = 256;
/// The most bytes the streams of a document security store are decoded to, all together.
const MAX_DSS_BYTES: usize = 32 * 1024 * 1024;

/// A signature as found through the document's form fields.
pub(super) struct Found {
    /// The field it fills, and whom the field is for.
    pub(super) field: Option<String>,
    pub(super) party: Option<String>,
    /// Its DocMDP permissions, when it certifies the document.
    pub(super) certification: Option<u8>,
    /// The dictionary's `/SubFilter`.
    pub(super) sub_filter: Option<String>,
    pub(super) range: [usize; 4],
    /// Where the `/Contents` hex string stands, `<` to `>` inclusive.
    pub(super) contents: std::ops::Range<usize>,
    pub(super) der: Vec<u8>,
    pub(super) signing_time: Option<String>,
}

/// The document security store's contents, and where its dictionary was written.
#[derive(Default)]
pub(super) struct Dss {
    pub(super) at: Option<usize>,
    pub(super) certs: Vec<Certificate>,
    pub(super) ocsps: Vec<Vec<u8>>,
    pub(super) crls: Vec<Vec<u8>>,
}

/// The signature dictionaries of a PDF, found as a reader finds them: the catalog's
/// `/AcroForm` → `/Fields` (and their `/Kids`) → each signature field's `/V`, all through the
/// cross-reference table. Text elsewhere that looks like a signature is not one.
pub(super) fn find_signatures(file: &PdfFile) -> Result<(Vec<Found>, Vec<UnsignedField>), String> {
    let Some(Obj::Ref(root)) = file.trailer.get("Root") else {
        return Err("the trailer has no /Root".into());
    };
    let catalog = file.object(*root)?.value;
    let Some(form) = catalog.get("AcroForm") else {
        return Ok((Vec::new(), Vec::new()));
    };
    let certifying = match catalog.get("Perms").map(|p| file.resolve(p)).transpose()? {
        Some(perms) => match perms.get("DocMDP") {
            Some(Obj::Ref(n)) => Some(*n),
            _ => None,
        },
        None => None,
    };
    let form = file.resolve(form)?;
    let fields = file.resolve(form.get("Fields").unwrap_or(&Obj::Null))?;
    let mut stack: Vec<(Obj, usize)> = fields
        .as_array()
        .unwrap_or(&[])
        .iter()
        .rev()
        .map(|f| (f.clone(), 0))
        .collect();
    let mut out = Vec::new();
    let mut unsigned = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut values = std::collections::HashSet::new();
    while let Some((field, depth)) = stack.pop() {
        // Each field is read once: a tree that lists a field again (or itself) adds nothing.
        if let Obj::Ref(n) = field {
            if !seen.insert(n) {
                continue;
            }
        }
        if seen.len() > 512 || out.len() >= MAX_SIGNATURES {
            break;
        }
        crate::budget::check_every(seen.len(), 64)?;
        let field = file.resolve(&field)?;
        if depth < 8 {
            for kid in field
                .get("Kids")
                .and_then(Obj::as_array)
                .unwrap_or(&[])
                .iter()
                .rev()
            {
                stack.push((kid.clone(), depth + 1));
            }
        }
        if field.get("FT").and_then(Obj::as_name) != Some("Sig") {
            continue;
        }
        let name = text_string(field.get("T"));
        let party = text_string(field.get("TU"));
        let Some(Obj::Ref(v)) = field.get("V") else {
            if let Some(field) = name {
                if unsigned.len() < MAX_SIGNATURES * 4 {
                    unsigned.push(UnsignedField { field, party });
                }
            }
            continue;
        };
        if values.insert(*v) {
            let mut found = read_signature(file, *v)?;
            found.field = name;
            found.party = party;
            if certifying == Some(*v) {
                found.certification = Some(docmdp_permissions(file, &file.object(*v)?.value));
            }
            out.push(found);
        }
    }
    out.sort_by_key(|f| f.range[2].saturating_add(f.range[3]));
    Ok((out, unsigned))
}

/// The `/P` of a signature's DocMDP reference (2 when it says none, as ISO 32000 has it).
fn docmdp_permissions(file: &PdfFile, sig: &Obj) -> u8 {
    let resolve = |o: &Obj| file.resolve(o).ok();
    let references = sig.get("Reference").and_then(resolve);
    references
        .as_ref()
        .and_then(Obj::as_array)
        .unwrap_or(&[])
        .iter()
        .take(8)
        .filter_map(resolve)
        .filter(|r| r.get("TransformMethod").and_then(Obj::as_name) == Some("DocMDP"))
        .find_map(|r| resolve(r.get("TransformParams")?)?.get("P")?.as_int())
        .and_then(|p| u8::try_from(p).ok())
        .filter(|p| (1..=3).contains(p))
        .unwrap_or(2)
}

/// A PDF text string (UTF-16BE with its byte-order mark, else PDFDocEncoding read as Latin-1),
/// at most 200 characters.
pub(in crate::sign) fn text_string(o: Option<&Obj>) -> Option<String> {
    let Some(Obj::Str(b)) = o else { return None };
    let text: String = match b.strip_prefix(&[0xFE, 0xFF]) {
        Some(units) => char::decode_utf16(
            units
                .chunks_exact(2)
                .map(|u| u16::from_be_bytes([u[0], u[1]])),
        )
        .map(|c| c.unwrap_or('\u{FFFD}'))
        .collect(),
        None => b.iter().map(|&c| char::from(c)).collect(),
    };
    Some(text.chars().take(200).collect())
}

fn read_signature(file: &PdfFile, v: u32) -> Result<Found, String> {
    let sig = file.object(v)?.value;
    let range: Vec<usize> = sig
        .get("ByteRange")
        .and_then(Obj::as_array)
        .unwrap_or(&[])
        .iter()
        .filter_map(|n| n.as_int().and_then(|n| usize::try_from(n).ok()))
        .collect();
    let (Ok(range), Some((Obj::Str(der), contents))) =
        (<[usize; 4]>::try_from(range), sig.entry("Contents"))
    else {
        return Err(format!(
            "signature {v} has no usable /ByteRange or /Contents"
        ));
    };
    let signing_time = match sig.get("M") {
        Some(Obj::Str(m)) => Some(String::from_utf8_lossy(m).into_owned()),
        _ => None,
    };
    Ok(Found {
        field: None,
        party: None,
        certification: None,
        sub_filter: sig
            .get("SubFilter")
            .and_then(Obj::as_name)
            .map(str::to_string),
        range,
        contents,
        der: der.clone(),
        signing_time,
    })
}

/// The document security store of the newest revision, bounded.
pub(super) fn read_dss(file: &PdfFile) -> Dss {
    let mut dss = Dss::default();
    let Some(Obj::Ref(root)) = file.trailer.get("Root") else {
        return dss;
    };
    let Some(Obj::Ref(num)) = file
        .object(*root)
        .ok()
        .and_then(|c| c.value.get("DSS").cloned())
    else {
        return dss;
    };
    let Ok(d) = file.object(num) else {
        return dss;
    };
    dss.at = file.offset(num);
    let mut budget = MAX_DSS_BYTES;
    let mut streams = |key: &str| -> Vec<Vec<u8>> {
        let list = d
            .value
            .get(key)
            .and_then(|l| file.resolve(l).ok())
            .and_then(|l| l.as_array().map(<[Obj]>::to_vec))
            .unwrap_or_default();
        let mut out = Vec::new();
        for r in list.iter().take(MAX_DSS_ENTRIES) {
            if budget == 0 || crate::budget::check().is_err() {
                break;
            }
            if let Some(data) = match r {
                Obj::Ref(n) => file.stream(*n).ok(),
                _ => None,
            } {
                budget = budget.saturating_sub(data.len());
                out.push(data);
            }
        }
        out
    };
    use der::Decode;
    dss.certs = streams("Certs")
        .iter()
        .filter_map(|c| Certificate::from_der(c).ok())
        .collect();
    dss.ocsps = streams("OCSPs");
    dss.crls = streams("CRLs");
    dss
}
