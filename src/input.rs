//! Parsing request payloads into domain types, collecting every error with its JSON Pointer.
//!
//! serde's derive stops at the first error; a caller fixing a form wants all of them at once.
//! Each domain type implements [`FromJson`], which walks a `serde_json::Value`, records problems
//! in a [`Cx`] and returns `None` when the value cannot be used.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

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

/// The named schemas collected while describing payload types, under the limits in force.
#[derive(Debug, Default)]
pub struct Schemas {
    pub limits: InputLimits,
    pub components: BTreeMap<String, Value>,
}

impl Schemas {
    pub fn new(limits: InputLimits) -> Self {
        Self {
            limits,
            components: BTreeMap::new(),
        }
    }

    /// A `$ref` to the component `name`, built by `build` the first time it is asked for.
    pub fn component(&mut self, name: &str, build: impl FnOnce(&mut Self) -> Value) -> Value {
        if !self.components.contains_key(name) {
            // A placeholder first, so a type that refers to itself cannot recurse forever.
            self.components.insert(name.to_string(), Value::Null);
            let schema = build(self);
            self.components.insert(name.to_string(), schema);
        }
        json!({ "$ref": format!("#/components/schemas/{name}") })
    }
}

/// The component name of a payload type: `Person` for the shared types in `kinds`, the kind's
/// name in front for a kind's own (`meeting_minutes::Project` → `MeetingMinutesProject`).
pub fn component_name(module_path: &str, type_name: &str) -> String {
    let module = module_path.rsplit("::").next().unwrap_or_default();
    if module == "kinds" || !module_path.contains("::kinds::") {
        return type_name.to_string();
    }
    let prefix = pascal_case(module);
    if type_name.starts_with(&prefix) {
        type_name.to_string()
    } else {
        prefix + type_name
    }
}

/// `meeting_minutes` or `meeting-minutes` → `MeetingMinutes`.
pub fn pascal_case(s: &str) -> String {
    s.split(['_', '-'])
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The same schema also accepting `null` (optional fields: null counts as absent).
pub fn nullable(mut schema: Value) -> Value {
    if let Some(Value::String(t)) = schema.get("type") {
        let t = t.clone();
        schema["type"] = json!([t, "null"]);
        if let Some(Value::Array(values)) = schema.get_mut("enum") {
            values.push(Value::Null);
        }
        schema
    } else {
        json!({ "anyOf": [schema, { "type": "null" }] })
    }
}

/// Joins doc-comment lines (` line` each) into one description.
pub fn doc_text(lines: &[&str]) -> Option<String> {
    let text = lines.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" ");
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// The pattern that refuses blank text: at least one character that is not white space.
pub const NOT_BLANK: &str = r"\S";

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

    fn schema(s: &mut Schemas) -> Value {
        json!({ "type": "string", "maxLength": s.limits.max_string_chars })
    }

    fn required_schema(s: &mut Schemas) -> Value {
        json!({ "type": "string", "maxLength": s.limits.max_string_chars, "pattern": NOT_BLANK })
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

    fn schema(s: &mut Schemas) -> Value {
        json!({
            "type": "array",
            "items": T::required_schema(s),
            "maxItems": s.limits.max_array_items,
        })
    }
}

/// An optional value: `null` is absent.
impl<T: FromJson> FromJson for Option<T> {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        if v.is_null() {
            return Some(None);
        }
        T::from_json(v, path, cx).map(Some)
    }

    fn is_blank(&self) -> bool {
        self.as_ref().is_none_or(T::is_blank)
    }

    fn schema(s: &mut Schemas) -> Value {
        nullable(T::schema(s))
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

    fn schema(_: &mut Schemas) -> Value {
        json!({ "type": "integer", "minimum": 0, "maximum": 1_000_000 })
    }
}

impl FromJson for bool {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        let b = v.as_bool();
        if b.is_none() {
            cx.error(path, format!("must be true or false, not {}", type_name(v)));
        }
        b
    }

    fn schema(_: &mut Schemas) -> Value {
        json!({ "type": "boolean" })
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

    fn schema(_: &mut Schemas) -> Value {
        json!({ "type": "number", "exclusiveMinimum": -1e15, "exclusiveMaximum": 1e15 })
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

    /// An array of at least `min` items, no item twice.
    pub fn unique_list<T>(&mut self, name: &str, cx: &mut Cx, min: usize) -> Option<Vec<T>>
    where
        T: FromJson + Eq + std::hash::Hash + std::fmt::Display,
    {
        let items = self.list_min::<T>(name, cx, min)?;
        let p = child(self.path, name);
        let mut seen = std::collections::HashSet::new();
        for (i, item) in items.iter().enumerate() {
            if !seen.insert(item) {
                cx.error(
                    index(&p, i),
                    format!("\"{item}\" is listed twice; {name} must be unique"),
                );
            }
        }
        Some(items)
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
    // A long key is no typo of a field name, and comparing it would cost its length squared.
    if key.chars().count() > 40 {
        return None;
    }
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
        $(#[doc = $doc:literal])*
        pub struct $name:ident {
            $( $(#[doc = $fdoc:literal])* $field:ident $(as $json:literal)? : $ty:ty = $mode:ident $(($arg:expr))? ),* $(,)?
        }
        $(check($this:ident, $path:ident, $cx:ident) $check:block)?
        $(always($raw:ident, $rpath:ident, $rcx:ident) $always:block)?
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, serde::Serialize)]
        pub struct $name {
            $( $(#[doc = $fdoc])* $(#[serde(rename = $json)])? pub $field: $ty, )*
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
                $(
                    // Rules read from the raw value, reported whatever else failed.
                    {
                        let $raw = v;
                        let $rpath = path;
                        let $rcx = &mut *cx;
                        $always
                    }
                )?
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

            fn schema(s: &mut $crate::input::Schemas) -> serde_json::Value {
                let name = $crate::input::component_name(module_path!(), stringify!($name));
                s.component(&name, |s| {
                    let mut properties = serde_json::Map::new();
                    let mut required: Vec<&str> = Vec::new();
                    $(
                        let field = $crate::json_object!(@name $field $($json)?);
                        let (mut schema, is_required) =
                            $crate::input::FieldMode::$mode $(($arg))?.schema::<$ty>(s);
                        if let Some(d) = $crate::input::doc_text(&[$($fdoc),*]) {
                            schema = $crate::input::describe_schema(schema, d);
                        }
                        if is_required {
                            required.push(field);
                        }
                        properties.insert(field.to_string(), schema);
                    )*
                    let mut schema = serde_json::json!({
                        "type": "object",
                        "properties": properties,
                        "additionalProperties": false,
                    });
                    if !required.is_empty() {
                        schema["required"] = serde_json::json!(required);
                    }
                    if let Some(d) = $crate::input::doc_text(&[$($doc),*]) {
                        schema["description"] = serde_json::json!(d);
                    }
                    schema
                })
            }
        }
    };
    (@name $field:ident $json:literal) => { $json };
    (@name $field:ident) => { stringify!($field) };
}

/// How a [`json_object!`] field is read, as named in the macro; gives the field's schema.
#[allow(non_camel_case_types)]
#[derive(Debug, Clone, Copy)]
pub enum FieldMode {
    req,
    opt,
    list,
    list_min(usize),
    unique_list(usize),
}

impl FieldMode {
    /// The field's schema and whether it is required.
    pub fn schema<T: FromJson>(self, s: &mut Schemas) -> (Value, bool) {
        match self {
            FieldMode::req => (T::required_schema(s), true),
            FieldMode::opt => (T::schema(s), false),
            FieldMode::list | FieldMode::list_min(0) => (nullable(T::schema(s)), false),
            FieldMode::list_min(n) => {
                let mut schema = T::schema(s);
                schema["minItems"] = json!(n);
                (schema, true)
            }
            FieldMode::unique_list(n) => {
                let (mut schema, required) = FieldMode::list_min(n).schema::<T>(s);
                schema["uniqueItems"] = json!(true);
                (schema, required)
            }
        }
    }
}

/// Adds a description: into the schema itself, or beside a `$ref` / `anyOf`.
pub fn describe_schema(mut schema: Value, description: String) -> Value {
    if let Value::Object(map) = &mut schema {
        map.insert("description".into(), Value::String(description));
    }
    schema
}

/// Declares a closed set of values: English codes on the wire, Chinese labels accepted as
/// aliases on input and used when rendering.
#[macro_export]
macro_rules! json_enum {
    (
        $(#[doc = $doc:literal])*
        pub enum $name:ident { $( $variant:ident = $code:literal / $label:literal ),+ $(,)? }
    ) => {
        $(#[doc = $doc])*
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

            fn schema(s: &mut $crate::input::Schemas) -> serde_json::Value {
                let name = $crate::input::component_name(module_path!(), stringify!($name));
                s.component(&name, |_| {
                    let doc = $crate::input::doc_text(&[$($doc),*]).unwrap_or_default();
                    let values: Vec<String> = $name::ALL
                        .iter()
                        .map(|x| format!("`{}` ({})", x.code(), x.label()))
                        .collect();
                    serde_json::json!({
                        "type": "string",
                        "enum": [$( $code ),+ , $( $label ),+],
                        "description": format!(
                            "{doc} One of {}; the Chinese label is accepted in place of the code.",
                            values.join(", ")
                        ).trim().to_string(),
                    })
                })
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
