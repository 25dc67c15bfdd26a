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
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
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
    /// For 422: every problem in the payload, each located by JSON Pointer.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub errors: Vec<FieldError>,
}

/// Everything that can go wrong while serving a request.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The body is not well-formed JSON.
    #[error("the request body is not valid JSON: {0}")]
    MalformedJson(String),
    /// Well-formed JSON that breaks the kind's schema or rules.
    #[error("the payload has {} problem(s)", .0.len())]
    Invalid(Vec<FieldError>),
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
    /// An API key is required and was not given, or is wrong.
    #[error("{0}")]
    Unauthorized(String),
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
    /// A bug or a failure inside the service; the cause is logged, not sent.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn status(&self) -> u16 {
        match self {
            Error::MalformedJson(_) | Error::BadRequest(_) => 400,
            Error::Unauthorized(_) => 401,
            Error::NotFound(_) | Error::UnknownKind(_) => 404,
            Error::MethodNotAllowed(_) => 405,
            Error::SigningNotConfigured(_) => 409,
            Error::UnsupportedFormat(_) => 406,
            Error::TooLarge(_) => 413,
            Error::Invalid(_) => 422,
            Error::Overloaded(_) => 503,
            Error::Internal(_) => 500,
        }
    }

    fn slug_and_title(&self) -> (&'static str, &'static str) {
        match self {
            Error::MalformedJson(_) => ("malformed-json", "Malformed JSON"),
            Error::Invalid(_) => ("invalid-payload", "The payload is not valid"),
            Error::UnknownKind(_) => ("unknown-kind", "Unknown document kind"),
            Error::UnsupportedFormat(_) => ("unsupported-format", "Unsupported format"),
            Error::BadRequest(_) => ("bad-request", "Bad request"),
            Error::TooLarge(_) => ("too-large", "Request too large"),
            Error::Unauthorized(_) => ("unauthorized", "Unauthorized"),
            Error::NotFound(_) => ("not-found", "Not found"),
            Error::MethodNotAllowed(_) => ("method-not-allowed", "Method not allowed"),
            Error::Overloaded(_) => ("overloaded", "Service busy"),
            Error::SigningNotConfigured(_) => (
                "signing-not-configured",
                "Digital signing is not configured",
            ),
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
            Error::Invalid(errors) => format!(
                "{} problem{} in the payload; each is listed in `errors` with its JSON Pointer",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" }
            ),
            other => other.to_string(),
        };
        Problem {
            type_: format!("https://collabdocs.dev/problems/{slug}"),
            title: title.to_string(),
            status: self.status(),
            detail,
            errors: match self {
                Error::Invalid(e) => e.clone(),
                _ => Vec::new(),
            },
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
