//! The studio (`/studio/`): a page for people — a form from a kind's schema, the document
//! previewed as they type, the files downloaded. Its files are compiled into the binary; the
//! page asks nothing of any other origin (its Content-Security-Policy says so too).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};

use super::problem_response;
use crate::error::Error;

/// The studio's files: name under `/studio/`, content type, bytes.
const FILES: &[(&str, &str, &[u8])] = &[
    (
        "",
        "text/html; charset=utf-8",
        include_bytes!("../../assets/studio/index.html"),
    ),
    (
        "studio.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/studio/studio.js"),
    ),
    (
        "studio.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/studio/studio.css"),
    ),
    (
        "jsoneditor.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/studio/vendor/jsoneditor.js"),
    ),
];

/// Same origin only. Styles may be inline (the form library sets them, and the preview is a
/// document with its own style sheet); the preview frame is sandboxed without scripts.
const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; frame-src 'self'; \
     base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

pub(super) async fn redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/studio/"))
        .finish()
}

/// Each file's entity tag: the start of its SHA-256, worked out once.
fn etag(index: usize) -> &'static str {
    use sha2::Digest;
    static TAGS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    &TAGS.get_or_init(|| {
        FILES
            .iter()
            .map(|(_, _, bytes)| {
                let hash = crate::values::hex(&sha2::Sha256::digest(bytes));
                format!("\"{}\"", &hash[..32])
            })
            .collect()
    })[index]
}

/// A studio file; revalidated on every load (`no-cache`), answered 304 when the browser's copy
/// is current, so the form library's half megabyte crosses the network once per version.
pub(super) async fn file(req: HttpRequest) -> HttpResponse {
    let tail = req.match_info().get("tail").unwrap_or_default();
    let tail = if tail == "index.html" { "" } else { tail };
    let Some(index) = FILES.iter().position(|(name, _, _)| *name == tail) else {
        return problem_response(&Error::NotFound(req.path().to_string()));
    };
    let (_, content_type, bytes) = FILES[index];
    let tag = etag(index);
    let current = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"));
    let mut res = if current {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::ETAG, tag))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::CONTENT_SECURITY_POLICY, POLICY))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"));
    if current {
        res.finish()
    } else {
        res.content_type(content_type).body(bytes)
    }
}
