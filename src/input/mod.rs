//! Reading request payloads into domain types, collecting every error with its JSON Pointer.
//!
//! Payload types are plain Rust types with serde's `Deserialize` and schemars' `JsonSchema`
//! derives: the field list is written once, in the struct. A payload is read in three steps
//! ([`parse`]): it is validated against the type's JSON Schema (the same schema the API document
//! publishes, with the limits in force), which finds every problem of shape at once, each at its
//! pointer and in the service's own words; a valid payload is then cleaned (control characters
//! out, null or blank optional members absent) and deserialized; last, the type's [`Rules`]
//! (checks between fields, such as an end not before its start) run on the typed value.

use crate::budget::Limits;
use serde_json::Value;

use crate::error::{FieldError, MAX_LISTED_ERRORS};

/// Parsing context: the limits in force, the errors and warnings found so far.
#[derive(Debug, Default)]
pub struct Cx {
    pub limits: Limits,
    /// The first [`MAX_LISTED_ERRORS`] problems found.
    pub errors: Vec<FieldError>,
    /// How many more were found and not kept.
    pub errors_not_kept: usize,
    pub warnings: Vec<FieldError>,
    /// How many more warnings were found and not kept.
    pub warnings_not_kept: usize,
}

impl Cx {
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }

    /// Records a problem; past [`MAX_LISTED_ERRORS`] it is only counted.
    pub fn error(&mut self, path: impl Into<String>, message: impl Into<String>) {
        if self.errors.len() < MAX_LISTED_ERRORS {
            self.errors.push(FieldError::new(path, message));
        } else {
            self.errors_not_kept += 1;
        }
    }

    /// Records a warning; past [`MAX_LISTED_ERRORS`] it is only counted.
    pub fn warn(&mut self, path: impl Into<String>, message: impl Into<String>) {
        if self.warnings.len() < MAX_LISTED_ERRORS {
            self.warnings.push(FieldError::new(path, message));
        } else {
            self.warnings_not_kept += 1;
        }
    }

    /// Whether any problem was found (kept or only counted).
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty() || self.errors_not_kept > 0
    }
}

/// Appends one reference token to a JSON Pointer (RFC 6901 escaping).
pub fn child(path: &str, token: &str) -> String {
    let mut out = String::with_capacity(path.len() + token.len() + 1);
    out.push_str(path);
    out.push('/');
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}

pub fn index(path: &str, i: usize) -> String {
    format!("{path}/{i}")
}

/// The JSON type name used in error messages.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The rules of a payload type beyond its shape: checks between fields, run on the typed value
/// once the payload has its schema's shape. A type whose fields have rules calls theirs.
pub trait Rules {
    /// Records every broken rule of this value, found at `path`, into `cx`.
    fn rules(&self, _path: &str, _cx: &mut Cx) {}

    /// Rules read from the raw payload, reported together with its problems of shape (for the
    /// checks a user fixes in the same pass, such as a RACI task naming an undeclared party).
    fn raw_rules(_v: &Value, _cx: &mut Cx) {}

    /// When `v` as a whole does not have its shape: the rules of its parts that do (each part
    /// read on its own), so a payload's broken rules are reported with its problems of shape.
    /// Written for the types whose fields have rules, with [`member_rules`] and [`item_rules`].
    fn part_rules(_v: &Value, _path: &str, _cx: &mut Cx) {}
}

/// A list's rules: each item's, at its index.
impl<T: Rules> Rules for Vec<T> {
    fn rules(&self, path: &str, cx: &mut Cx) {
        for (i, item) in self.iter().enumerate() {
            item.rules(&index(path, i), cx);
        }
    }
}

/// An optional member's rules: its value's, when sent.
impl<T: Rules> Rules for Option<T> {
    fn rules(&self, path: &str, cx: &mut Cx) {
        if let Some(value) = self {
            value.rules(path, cx);
        }
    }
}

/// Parses a request body as JSON; a syntax error names its line and column.
pub fn json(body: &[u8]) -> Result<Value, crate::error::Error> {
    use crate::error::Error;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::MalformedJson(
            "the body is empty; send the payload as JSON".into(),
        ));
    }
    serde_json::from_slice(body).map_err(|e| Error::MalformedJson(e.to_string()))
}

/// A span of days ends no earlier than it starts.
impl Rules for crate::values::Period {
    fn rules(&self, path: &str, cx: &mut Cx) {
        if self.end < self.start {
            cx.error(
                format!("{path}/end"),
                format!("{} is before the start {}", self.end.zh(), self.start.zh()),
            );
        }
    }
}

/// A payload type: read by serde, described by schemars, checked by its [`Rules`].
pub trait Payload: serde::de::DeserializeOwned + schemars::JsonSchema + Rules {}

impl<T: serde::de::DeserializeOwned + schemars::JsonSchema + Rules> Payload for T {}

mod problems;
mod read;
mod schemas;
mod suggest;

pub use read::{item_rules, member_rules, parse, parse_skipping, parse_with, validator, Validator};
pub use schemas::Schemas;
pub(crate) use suggest::suggestion;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_tokens_are_escaped() {
        assert_eq!(child("/a", "x/y~z"), "/a/x~1y~0z");
    }
}
