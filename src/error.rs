//! One error type for every front door; each variant decides its HTTP status and problem body.

use serde::Serialize;

/// One problem with one field of a request body, located by JSON Pointer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct FieldError {
    /// JSON Pointer (RFC 6901) into the request body.
    pub path: String,
    /// What is wrong, in one sentence.
    pub message: String,
}

impl FieldError {
    /// A problem; a pointer or message longer than [`MAX_MESSAGE_CHARS`] is cut short.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: bounded(path.into(), MAX_MESSAGE_CHARS),
            message: bounded(message.into(), MAX_MESSAGE_CHARS),
        }
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (`https://collabdocs.dev/problems/invalid-payload`).
    #[serde(rename = "type")]
    pub type_: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request.
    pub detail: String,
    /// For 422: the problems in the payload, each located by JSON Pointer (at most 100).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub errors: Vec<FieldError>,
    /// For 422: how many more problems were found than `errors` lists.
    #[serde(skip_serializing_if = "is_zero", default)]
    pub errors_not_listed: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The most problems one answer lists; the rest are counted in `errors_not_listed`.
pub const MAX_LISTED_ERRORS: usize = 100;

/// The longest message or pointer kept in a [`FieldError`], in characters.
pub const MAX_MESSAGE_CHARS: usize = 400;

/// `s` cut to at most `max` characters, marked with `…` where it was cut.
pub fn bounded(s: String, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => s,
        Some((at, _)) => {
            let mut s = s;
            s.truncate(at);
            s.push('…');
            s
        }
    }
}

/// A list for a message: the first `max` items joined by `, `, then how many more.
pub fn list_preview<S: AsRef<str>>(items: &[S], max: usize) -> String {
    let mut out = items
        .iter()
        .take(max)
        .map(|s| bounded(s.as_ref().to_string(), 40))
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > max {
        out.push_str(&format!(" and {} more", items.len() - max));
    }
    out
}

/// Everything that can go wrong while serving a request.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The body is not well-formed JSON.
    #[error("the request body is not valid JSON: {0}")]
    MalformedJson(String),
    /// Well-formed JSON that breaks the kind's schema or rules: the problems listed (at most
    /// [`MAX_LISTED_ERRORS`] are sent) and how many more were found but not kept.
    #[error("the payload has {} problem(s)", .0.len() + .1)]
    Invalid(Vec<FieldError>, usize),
    /// No such document kind.
    #[error("unknown document kind \"{0}\"")]
    UnknownKind(String),
    /// The format is not one this service renders.
    #[error("{0}")]
    UnsupportedFormat(String),
    /// A query parameter or header value is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// The body is larger than allowed.
    #[error("{0}")]
    TooLarge(String),
    /// The body did not arrive in time.
    #[error("{0}")]
    RequestTimeout(String),
    /// An API key is required and was not given, or is wrong.
    #[error("{0}")]
    Unauthorized(String),
    /// The key is valid but may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// No such route.
    #[error("no resource at {0}")]
    NotFound(String),
    /// The route exists but not for this method.
    #[error("method {0} is not allowed here")]
    MethodNotAllowed(String),
    /// Too much work at once, or a render took too long; the client may retry later.
    #[error("{0}")]
    Overloaded(String),
    /// Digital signing was asked for but the service has no signing key configured.
    #[error("{0}")]
    SigningNotConfigured(String),
    /// A service the request depends on (a time-stamp authority, an OCSP responder, a CRL
    /// distribution point) failed; nothing was produced.
    #[error("{0}")]
    Upstream(String),
    /// A bug or a failure inside the service; the cause is logged, not sent.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// A 422 listing these problems.
    pub fn invalid(errors: Vec<FieldError>) -> Self {
        Error::Invalid(errors, 0)
    }

    pub fn status(&self) -> u16 {
        match self {
            Error::MalformedJson(_) | Error::BadRequest(_) => 400,
            Error::Unauthorized(_) => 401,
            Error::Forbidden(_) => 403,
            Error::NotFound(_) | Error::UnknownKind(_) => 404,
            Error::MethodNotAllowed(_) => 405,
            Error::SigningNotConfigured(_) => 409,
            Error::UnsupportedFormat(_) => 406,
            Error::TooLarge(_) => 413,
            Error::RequestTimeout(_) => 408,
            Error::Invalid(..) => 422,
            Error::Overloaded(_) => 503,
            Error::Upstream(_) => 502,
            Error::Internal(_) => 500,
        }
    }

    fn slug_and_title(&self) -> (&'static str, &'static str) {
        match self {
            Error::MalformedJson(_) => ("malformed-json", "Malformed JSON"),
            Error::Invalid(..) => ("invalid-payload", "The payload is not valid"),
            Error::UnknownKind(_) => ("unknown-kind", "Unknown document kind"),
            Error::UnsupportedFormat(_) => ("unsupported-format", "Unsupported format"),
            Error::BadRequest(_) => ("bad-request", "Bad request"),
            Error::TooLarge(_) => ("too-large", "Request too large"),
            Error::RequestTimeout(_) => ("request-timeout", "Request body too slow"),
            Error::Unauthorized(_) => ("unauthorized", "Unauthorized"),
            Error::Forbidden(_) => ("forbidden", "Forbidden"),
            Error::NotFound(_) => ("not-found", "Not found"),
            Error::MethodNotAllowed(_) => ("method-not-allowed", "Method not allowed"),
            Error::Overloaded(_) => ("overloaded", "Service busy"),
            Error::SigningNotConfigured(_) => (
                "signing-not-configured",
                "Digital signing is not configured",
            ),
            Error::Upstream(_) => ("upstream-failed", "A service signing depends on failed"),
            Error::Internal(_) => ("internal", "Internal error"),
        }
    }

    /// The problem document sent to the client. Internal causes are not disclosed.
    pub fn problem(&self) -> Problem {
        let (slug, title) = self.slug_and_title();
        let detail = match self {
            Error::Internal(_) => {
                "the document could not be produced because of a fault in the service; it has been logged".to_string()
            }
            Error::Invalid(errors, more) => {
                let total = errors.len() + more;
                if total > MAX_LISTED_ERRORS {
                    format!(
                        "{total} problems in the payload; the first {MAX_LISTED_ERRORS} are listed in `errors` with their JSON Pointers"
                    )
                } else {
                    format!(
                        "{total} problem{} in the payload; each is listed in `errors` with its JSON Pointer",
                        if total == 1 { "" } else { "s" }
                    )
                }
            }
            other => other.to_string(),
        };
        Problem {
            type_: format!("https://collabdocs.dev/problems/{slug}"),
            title: title.to_string(),
            status: self.status(),
            detail,
            errors: match self {
                Error::Invalid(e, _) => e.iter().take(MAX_LISTED_ERRORS).cloned().collect(),
                _ => Vec::new(),
            },
            errors_not_listed: match self {
                Error::Invalid(e, more) => (e.len() + more).saturating_sub(MAX_LISTED_ERRORS),
                _ => 0,
            },
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
