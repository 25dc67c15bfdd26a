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

pub(super) async fn file(req: HttpRequest) -> HttpResponse {
    let tail = req.match_info().get("tail").unwrap_or_default();
    let tail = if tail == "index.html" { "" } else { tail };
    match FILES.iter().find(|(name, _, _)| *name == tail) {
        Some((_, content_type, bytes)) => HttpResponse::Ok()
            .content_type(*content_type)
            .insert_header((header::CACHE_CONTROL, "no-cache"))
            .insert_header((header::CONTENT_SECURITY_POLICY, POLICY))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .insert_header((header::REFERRER_POLICY, "no-referrer"))
            .body(*bytes),
        None => problem_response(&Error::NotFound(req.path().to_string())),
    }
}
