//! Parsing request payloads into domain types, collecting every error with its JSON Pointer.
//!
//! serde's derive stops at the first error; a caller fixing a form wants all of them at once.
//! Each domain type implements [`FromJson`], which walks a `serde_json::Value`, records problems
//! in a [`Cx`] and returns `None` when the value cannot be used.

use serde_json::Value;

use crate::error::{FieldError, MAX_LISTED_ERRORS};

/// Bounds applied while parsing, so no payload can make the renderers do unbounded work.
#[derive(Debug, Clone, Copy)]
pub struct InputLimits {
    /// The longest string accepted, in characters.
    pub max_string_chars: usize,
    /// The most items one array may hold.
    pub max_array_items: usize,
    /// The most pages one PDF may have.
    pub max_pages: usize,
    /// The most table cells one document may have (every table, key-value grid and matrix).
    pub max_table_cells: usize,
    /// The largest file one render may produce, in bytes.
    pub max_output_bytes: usize,
    /// The most pixels (width × height) one image may decode to.
    pub max_image_pixels: u64,
}

impl Default for InputLimits {
    fn default() -> Self {
        Self {
            max_string_chars: 20_000,
            max_array_items: 2_000,
            max_pages: 500,
            max_table_cells: 60_000,
            max_output_bytes: 32 * 1024 * 1024,
            max_image_pixels: 8_000_000,
        }
    }
}

/// Parsing context: the limits in force, the errors and warnings found so far.
#[derive(Debug, Default)]
pub struct Cx {
    pub limits: InputLimits,
    /// The first [`MAX_LISTED_ERRORS`] problems found.
    pub errors: Vec<FieldError>,
    /// How many more were found and not kept.
    pub errors_not_kept: usize,
    pub warnings: Vec<FieldError>,
    /// How many more warnings were found and not kept.
    pub warnings_not_kept: usize,
}

impl Cx {
    pub fn new(limits: InputLimits) -> Self {
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

/// A value that can be read from JSON, reporting every problem into `cx`.
pub trait FromJson: Sized {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self>;

    /// Whether a present value counts as empty for a required field (blank text).
    fn is_blank(&self) -> bool {
        false
    }

    /// The JSON Schema (OpenAPI 3.1 dialect) of exactly what [`FromJson::from_json`] accepts:
    /// a `$ref` for named types (described once into `s`), the schema itself otherwise.
    fn schema(s: &mut Schemas) -> Value;

    /// The schema where a blank value is refused (required fields, array items).
    fn required_schema(s: &mut Schemas) -> Value {
        Self::schema(s)
    }
}

mod object;
mod scalars;
mod schemas;

pub use object::{describe_schema, label_schema, FieldMode, Obj};
pub use scalars::{clean_text, NOT_BLANK};
pub use schemas::{component_name, doc_text, nullable, pascal_case, Schemas};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_tokens_are_escaped() {
        assert_eq!(child("/a", "x/y~z"), "/a/x~1y~0z");
    }

    #[test]
    fn forbidden_xml_characters_are_removed_and_newlines_normalised() {
        assert_eq!(
            clean_text("a\u{0}b\u{1}c\u{b}d\r\ne\rf\tg"),
            "abcd\ne\nf\tg"
        );
    }
}
