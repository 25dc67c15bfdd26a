//! The headers a rendered file is answered with.

use actix_web::http::header::{self, HeaderValue};
use actix_web::HttpResponse;
use base64::Engine as _;
use sha2::Digest;

use crate::engine::Rendered;

/// `attachment; filename="ascii.docx"; filename*=UTF-8''%E4%BC%9A…` (RFC 6266 / 5987).
pub fn content_disposition(ascii: &str, utf8: &str) -> String {
    let mut enc = String::new();
    for b in utf8.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            enc.push(b as char);
        } else {
            enc.push_str(&format!("%{b:02X}"));
        }
    }
    let ascii: String = ascii
        .chars()
        .filter(|c| c.is_ascii_graphic() && *c != '"' && *c != '\\')
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{enc}")
}

/// The most characters `Collabdocs-Missing-Glyphs` names; the header then says how many more.
const MISSING_GLYPHS_LISTED: usize = 64;

/// `U+1F680 U+1F469`, at most [`MISSING_GLYPHS_LISTED`] of them, then `+N`: a header any
/// client accepts, however many characters were missing.
fn missing_glyphs(chars: &[char]) -> String {
    let mut list: Vec<String> = chars
        .iter()
        .take(MISSING_GLYPHS_LISTED)
        .map(|c| format!("U+{:04X}", *c as u32))
        .collect();
    if chars.len() > MISSING_GLYPHS_LISTED {
        list.push(format!("+{}", chars.len() - MISSING_GLYPHS_LISTED));
    }
    list.join(" ")
}

/// The most entries a list header (`Collabdocs-Unsupported`, `Collabdocs-Font-Substitutions`)
/// names; the header then says how many more.
const LISTED: usize = 16;

/// Entries of a list header, `; `-separated, each percent-encoded but for visible ASCII other
/// than `%` and `;` (a font named 宋体 is `%E5%AE%8B%E4%BD%93`), at most [`LISTED`] of them
/// and 64 bytes each, then `+N`.
fn header_list(items: &[String]) -> String {
    let mut list: Vec<String> = items
        .iter()
        .take(LISTED)
        .map(|item| {
            let mut out = String::new();
            for b in item.bytes() {
                if out.len() >= 64 {
                    break;
                }
                if (b.is_ascii_graphic() || b == b' ') && b != b'%' && b != b';' {
                    out.push(b as char);
                } else {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            out
        })
        .collect();
    if items.len() > LISTED {
        list.push(format!("+{}", items.len() - LISTED));
    }
    list.join("; ")
}

/// `sha-256=:<base64>:` (RFC 9530).
pub fn content_digest(bytes: &[u8]) -> String {
    let digest = sha2::Sha256::digest(bytes);
    format!(
        "sha-256=:{}:",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

pub(super) fn file_response(r: &Rendered) -> HttpResponse {
    let mut res = HttpResponse::Ok();
    res.insert_header((header::CONTENT_TYPE, r.format.mime()));
    if let Ok(v) = HeaderValue::from_str(&content_disposition(&r.ascii_filename, &r.filename)) {
        res.insert_header((header::CONTENT_DISPOSITION, v));
    }
    res.insert_header(("Content-Digest", content_digest(&r.bytes)));
    res.insert_header(("Collabdocs-Warnings", r.warnings.len().to_string()));
    if !r.missing_glyphs.is_empty() {
        res.insert_header((
            "Collabdocs-Missing-Glyphs",
            missing_glyphs(&r.missing_glyphs),
        ));
    }
    for (name, items) in [
        ("Collabdocs-Unsupported", &r.unsupported),
        ("Collabdocs-Font-Substitutions", &r.substituted),
    ] {
        if !items.is_empty() {
            if let Ok(v) = HeaderValue::from_str(&header_list(items)) {
                res.insert_header((name, v));
            }
        }
    }
    res.body(r.bytes.clone())
}
