//! Parsing request payloads into domain types, collecting every error with its JSON Pointer.
//!
//! serde's derive stops at the first error; a caller fixing a form wants all of them at once.
//! Each domain type implements [`FromJson`], which walks a `serde_json::Value`, records problems
//! in a [`Cx`] and returns `None` when the value cannot be used.

use serde_json::{Map, Value};

use crate::error::FieldError;

/// Bounds applied while parsing, so no payload can make the renderers do unbounded work.
#[derive(Debug, Clone, Copy)]
pub struct InputLimits {
    /// The longest string accepted, in characters.
    pub max_string_chars: usize,
    /// The most items one array may hold.
    pub max_array_items: usize,
}

impl Default for InputLimits {
    fn default() -> Self {
        Self {
            max_string_chars: 20_000,
            max_array_items: 2_000,
        }
    }
}

/// Parsing context: the limits in force, the errors and warnings found so far.
#[derive(Debug, Default)]
pub struct Cx {
    pub limits: InputLimits,
    pub errors: Vec<FieldError>,
    pub warnings: Vec<FieldError>,
}

impl Cx {
    pub fn new(limits: InputLimits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }

    pub fn error(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError::new(path, message));
    }

    pub fn warn(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.warnings.push(FieldError::new(path, message));
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
}

/// Removes the characters XML 1.0 forbids (C0 controls other than tab, LF and CR; U+FFFE/U+FFFF)
/// so no format can be corrupted by them. CRLF and CR become LF.
pub fn clean_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 => {}
            '\u{7f}' | '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

impl FromJson for String {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        let Value::String(s) = v else {
            cx.error(path, format!("must be a string, not {}", type_name(v)));
            return None;
        };
        let n = s.chars().count();
        if n > cx.limits.max_string_chars {
            cx.error(
                path,
                format!(
                    "is {n} characters long; the limit is {}",
                    cx.limits.max_string_chars
                ),
            );
            return None;
        }
        Some(clean_text(s))
    }

    fn is_blank(&self) -> bool {
        self.trim().is_empty()
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        let Value::Array(items) = v else {
            cx.error(path, format!("must be an array, not {}", type_name(v)));
            return None;
        };
        if items.len() > cx.limits.max_array_items {
            cx.error(
                path,
                format!(
                    "has {} items; the limit is {}",
                    items.len(),
                    cx.limits.max_array_items
                ),
            );
            return None;
        }
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let p = index(path, i);
            match T::from_json(item, &p, cx) {
                Some(x) if x.is_blank() => {
                    cx.error(p, "must not be empty");
                    ok = false;
                }
                Some(x) => out.push(x),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }
}

impl FromJson for u32 {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        match v.as_u64() {
            Some(n) if n <= 1_000_000 => Some(n as u32),
            Some(_) => {
                cx.error(path, "must be at most 1000000");
                None
            }
            None => {
                cx.error(
                    path,
                    format!("must be a whole number ≥ 0, not {}", describe(v)),
                );
                None
            }
        }
    }
}

impl FromJson for f64 {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        match v.as_f64() {
            Some(n) if n.is_finite() && n.abs() < 1e15 => Some(n),
            _ => {
                cx.error(path, format!("must be a number, not {}", describe(v)));
                None
            }
        }
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        other => type_name(other).to_string(),
    }
}

/// A JSON object being read field by field; unknown fields are reported when it is opened.
pub struct Obj<'a> {
    map: &'a Map<String, Value>,
    path: &'a str,
}

impl<'a> Obj<'a> {
    /// Checks that `v` is an object whose fields are all among `known`.
    pub fn open(v: &'a Value, path: &'a str, cx: &mut Cx, known: &[&str]) -> Option<Self> {
        let Value::Object(map) = v else {
            cx.error(path, format!("must be an object, not {}", type_name(v)));
            return None;
        };
        for key in map.keys() {
            if !known.contains(&key.as_str()) {
                let hint = suggestion(key, known)
                    .map(|s| format!(" (did you mean \"{s}\"?)"))
                    .unwrap_or_default();
                cx.error(
                    child(path, key),
                    format!(
                        "is not a known field{hint}; known fields: {}",
                        known.join(", ")
                    ),
                );
            }
        }
        Some(Self { map, path })
    }

    fn get(&self, name: &str) -> Option<&'a Value> {
        self.map.get(name).filter(|v| !v.is_null())
    }

    /// A required field: missing, null or blank is an error. `None` when unusable.
    pub fn req<T: FromJson>(&mut self, name: &str, cx: &mut Cx) -> Option<T> {
        let p = child(self.path, name);
        match self.get(name) {
            None => {
                cx.error(p, "is required");
                None
            }
            Some(v) => {
                let x = T::from_json(v, &p, cx)?;
                if x.is_blank() {
                    cx.error(p, "must not be empty");
                    return None;
                }
                Some(x)
            }
        }
    }

    /// An optional field: missing or null is `Some(None)`; a bad value is `None`.
    pub fn opt<T: FromJson>(&mut self, name: &str, cx: &mut Cx) -> Option<Option<T>> {
        let p = child(self.path, name);
        match self.get(name) {
            None => Some(None),
            Some(v) => T::from_json(v, &p, cx).map(|x| (!x.is_blank()).then_some(x)),
        }
    }

    /// An optional array: missing or null is empty.
    pub fn list<T: FromJson>(&mut self, name: &str, cx: &mut Cx) -> Option<Vec<T>> {
        self.list_min(name, cx, 0)
    }

    /// An array that must hold at least `min` items (and so is required when `min > 0`).
    pub fn list_min<T: FromJson>(&mut self, name: &str, cx: &mut Cx, min: usize) -> Option<Vec<T>> {
        let p = child(self.path, name);
        match self.get(name) {
            None if min == 0 => Some(Vec::new()),
            None => {
                cx.error(p, "is required");
                None
            }
            Some(v) => {
                let items = Vec::<T>::from_json(v, &p, cx)?;
                if items.len() < min {
                    cx.error(
                        p,
                        format!(
                            "must have at least {min} item{}",
                            if min == 1 { "" } else { "s" }
                        ),
                    );
                    return None;
                }
                Some(items)
            }
        }
    }
}

/// The known field closest to a misspelt one, if it is close enough to be a likely typo.
fn suggestion<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (levenshtein(key, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Declares a payload object: the struct, and a [`FromJson`] impl that rejects unknown fields,
/// reads every field (so every error is reported), then runs an optional rule check.
///
/// Field modes: `req` (required), `opt` (optional), `list` (optional array),
/// `list_min(n)` (array with at least n items). A field can be renamed in JSON with
/// `field as "json_name"`.
#[macro_export]
macro_rules! json_object {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* $field:ident $(as $json:literal)? : $ty:ty = $mode:ident $(($arg:expr))? ),* $(,)?
        }
        $(check($this:ident, $path:ident, $cx:ident) $check:block)?
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, serde::Serialize)]
        pub struct $name {
            $( $(#[$fmeta])* $(#[serde(rename = $json)])? pub $field: $ty, )*
        }

        impl $name {
            /// The JSON field names this object accepts.
            pub const FIELDS: &'static [&'static str] = &[$( $crate::json_object!(@name $field $($json)?) ),*];
        }

        impl $crate::input::FromJson for $name {
            fn from_json(
                v: &serde_json::Value,
                path: &str,
                cx: &mut $crate::input::Cx,
            ) -> Option<Self> {
                let mut o = $crate::input::Obj::open(v, path, cx, Self::FIELDS)?;
                $( let $field = o.$mode($crate::json_object!(@name $field $($json)?), cx $(, $arg)?); )*
                let value = $name { $( $field: $field?, )* };
                $(
                    {
                        let $this = &value;
                        let $path = path;
                        let $cx = &mut *cx;
                        $check
                    }
                )?
                Some(value)
            }
        }
    };
    (@name $field:ident $json:literal) => { $json };
    (@name $field:ident) => { stringify!($field) };
}

/// Declares a closed set of values: English codes on the wire, Chinese labels accepted as
/// aliases on input and used when rendering.
#[macro_export]
macro_rules! json_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $variant:ident = $code:literal / $label:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $( $variant ),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$( $name::$variant ),+];

            pub fn code(self) -> &'static str {
                match self { $( $name::$variant => $code ),+ }
            }

            pub fn label(self) -> &'static str {
                match self { $( $name::$variant => $label ),+ }
            }

            /// The accepted spellings: the code, or its Chinese label.
            pub fn parse(s: &str) -> Option<Self> {
                let s = s.trim();
                match s {
                    $( $code | $label => Some($name::$variant), )+
                    _ => None,
                }
            }

            /// The Chinese labels joined by `|`, for dropdowns and markup hints.
            pub fn labels() -> String {
                [$( $label ),+].join("|")
            }
        }

        impl serde::Serialize for $name {
            /// Rendering uses the Chinese label.
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.label())
            }
        }

        impl $crate::input::FromJson for $name {
            fn from_json(
                v: &serde_json::Value,
                path: &str,
                cx: &mut $crate::input::Cx,
            ) -> Option<Self> {
                let found = v.as_str().and_then($name::parse);
                if found.is_none() {
                    let allowed: Vec<String> = $name::ALL
                        .iter()
                        .map(|x| format!("{} ({})", x.code(), x.label()))
                        .collect();
                    let got = match v {
                        serde_json::Value::String(s) => format!("\"{s}\""),
                        other => $crate::input::type_name(other).to_string(),
                    };
                    cx.error(path, format!("must be one of {}; got {got}", allowed.join(", ")));
                }
                found
            }
        }
    };
}

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

    #[test]
    fn a_typo_gets_a_suggestion() {
        assert_eq!(suggestion("titel", &["title", "project"]), Some("title"));
        assert_eq!(suggestion("zzzzzz", &["title"]), None);
    }
}
