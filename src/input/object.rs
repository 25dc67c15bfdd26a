//! Objects read field by field ([`Obj`]) and the declarations that write those readers and
//! their schemas: `json_object!` for objects, `json_enum!` for closed sets of values.

use serde_json::{json, Map, Value};

use super::{child, index, nullable, type_name, Cx, FromJson, Schemas};

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
/// `field as "json_name"`. A string after the mode is the field's Chinese label, its schema's
/// `title` (what the studio's form shows): `due: Date = req "截止日期"`.
#[macro_export]
macro_rules! json_object {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident {
            $( $(#[doc = $fdoc:literal])* $field:ident $(as $json:literal)? : $ty:ty = $mode:ident $(($arg:expr))? $($label:literal)? ),* $(,)?
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
                        $( schema = $crate::input::label_schema(schema, $label); )?
                        if is_required {
                            required.push(field);
                        }
                        properties.insert(field.to_string(), schema);
                    )*
                    let mut schema = serde_json::json!({
                        "type": "object",
                        "properties": properties,
                        "additionalProperties": false,
                        "x-property-order": Self::FIELDS,
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

/// Adds a label (the schema's `title`): into the schema itself, or beside a `$ref` / `anyOf`.
pub fn label_schema(mut schema: Value, label: &str) -> Value {
    if let Value::Object(map) = &mut schema {
        map.insert("title".into(), Value::String(label.into()));
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
                        "x-enum-labels": { $( $code: $label ),+ },
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
    fn a_typo_gets_a_suggestion() {
        assert_eq!(suggestion("titel", &["title", "project"]), Some("title"));
        assert_eq!(suggestion("zzzzzz", &["title"]), None);
    }
}
