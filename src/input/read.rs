//! Reading a payload: validated against its type's schema, cleaned, deserialized, its rules
//! checked.

use crate::budget::Limits;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Deserialize;
use serde_json::{json, Value};

use super::{problems, Cx, Payload, Schemas};
use crate::values::{clean_text, is_blank, needs_cleaning};

/// A payload type's schema, compiled for validation under one set of limits.
pub struct Validator {
    /// `{"$ref": <the type>, "components": {"schemas": …}}`: what errors are explained against.
    pub(super) root: Value,
    compiled: jsonschema::Validator,
}

impl Validator {
    fn build<T: Payload>(limits: Limits) -> Validator {
        let mut schemas = Schemas::new(limits);
        let mut root = schemas.component::<T>();
        root["components"] = json!({ "schemas": schemas.components() });
        let compiled = compile(&root, limits).expect("the payload types' schemas compile");
        Validator { root, compiled }
    }

    /// A JSON Schema given at run time (the schema of a kind a Word template folder defines),
    /// with the service's formats (`date`, images). Nothing it refers to is fetched: a `$ref`
    /// outside the schema is an error.
    pub fn from_schema(root: Value, limits: Limits) -> Result<Validator, String> {
        let compiled = compile(&root, limits).map_err(|e| e.to_string())?;
        Ok(Validator { root, compiled })
    }

    /// Every problem of shape in `v`, in the service's words, into `cx`.
    pub fn check(&self, v: &Value, cx: &mut Cx) {
        let mut last: Option<(String, String)> = None;
        for error in self.compiled.iter_errors(v) {
            if cx.errors.len() >= crate::error::MAX_LISTED_ERRORS {
                // Past the problems listed, they are only counted: no message is built.
                cx.errors_not_kept += problems::count(&error);
                continue;
            }
            let room = crate::error::MAX_LISTED_ERRORS - cx.errors.len();
            let listed = problems::describe(&error, &self.root, cx.limits, room);
            cx.errors_not_kept += problems::count(&error).saturating_sub(listed.len());
            for (path, message) in listed {
                // A value breaking two keywords of one type (a date's pattern and format) is
                // one problem.
                if last.as_ref() != Some(&(path.clone(), message.clone())) {
                    cx.error(path.clone(), message.clone());
                    last = Some((path, message));
                }
            }
        }
    }
}

fn compile(
    root: &Value,
    limits: Limits,
) -> Result<jsonschema::Validator, jsonschema::ValidationError<'static>> {
    let max_pixels = limits.max_image_pixels;
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .with_format("date", |s: &str| crate::values::Date::parse(s).is_some())
        .with_format(crate::values::IMAGE_FORMAT, move |s: &str| {
            crate::image::ImageData::from_data_uri(s, max_pixels).is_ok()
        })
        .build(root)
}

/// Reads a payload against a schema given at run time: every problem of shape, and every
/// string and array over the limits in force (a run-time schema does not carry them), goes
/// into `cx`; a payload without any comes back tidied as the typed kinds' are (control
/// characters out, null or blank members absent).
pub fn parse_with(validator: &Validator, v: &Value, cx: &mut Cx) -> Option<Value> {
    let before = cx.errors.len() + cx.errors_not_kept;
    validator.check(v, cx);
    within_limits(v, &mut String::new(), cx);
    if cx.errors.len() + cx.errors_not_kept != before {
        return None;
    }
    match Value::deserialize(Tidy::new(v, &[])) {
        Ok(value) => Some(value),
        Err(e) => {
            cx.error("", format!("could not be read: {e}"));
            None
        }
    }
}

/// Strings and arrays over the limits, at their pointers.
fn within_limits(v: &Value, path: &mut String, cx: &mut Cx) {
    let len = path.len();
    match v {
        Value::String(s) => {
            let chars = s.chars().count();
            if chars > cx.limits.max_string_chars {
                let limit = cx.limits.max_string_chars;
                cx.error(
                    path.clone(),
                    format!("is {chars} characters long; the limit is {limit} (COLLABDOCS_MAX_STRING_CHARS)"),
                );
            }
        }
        Value::Array(items) => {
            if items.len() > cx.limits.max_array_items {
                let limit = cx.limits.max_array_items;
                cx.error(
                    path.clone(),
                    format!(
                        "has {} items; the limit is {limit} (COLLABDOCS_MAX_ARRAY_ITEMS)",
                        items.len()
                    ),
                );
                return;
            }
            for (i, item) in items.iter().enumerate() {
                path.push_str(&format!("/{i}"));
                within_limits(item, path, cx);
                path.truncate(len);
            }
        }
        Value::Object(members) => {
            for (k, item) in members {
                *path = super::child(path, k);
                within_limits(item, path, cx);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

type Cache = Mutex<HashMap<(&'static str, Limits), Arc<Validator>>>;

/// `T`'s validator under `limits`, compiled on first use and kept.
pub fn validator<T: Payload>(limits: Limits) -> Arc<Validator> {
    static CACHE: std::sync::OnceLock<Cache> = std::sync::OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = (std::any::type_name::<T>(), limits);
    if let Some(v) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return v.clone();
    }
    let built = Arc::new(Validator::build::<T>(limits));
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(key)
        .or_insert(built)
        .clone()
}

/// Reads a payload of type `T` found at `path`: every problem of shape and every broken rule
/// goes into `cx`; `None` when there was any.
pub fn parse<T: Payload>(v: &Value, path: &str, cx: &mut Cx) -> Option<T> {
    parse_skipping(v, path, cx, &[])
}

/// [`parse`], leaving the members named in `opaque` as they were sent (a batch item's `data`,
/// read later by its own kind).
pub fn parse_skipping<T: Payload>(
    v: &Value,
    path: &str,
    cx: &mut Cx,
    opaque: &[&str],
) -> Option<T> {
    let before = cx.errors.len() + cx.errors_not_kept;
    T::raw_rules(v, cx);
    if !shape::<T>(v, path, cx) {
        T::part_rules(v, path, cx);
        return None;
    }
    let value = read::<T>(v, path, cx, opaque)?;
    value.rules(path, cx);
    (cx.errors.len() + cx.errors_not_kept == before).then_some(value)
}

/// Whether `v` has `T`'s shape; its problems go into `cx`, under `path`.
fn shape<T: Payload>(v: &Value, path: &str, cx: &mut Cx) -> bool {
    let mut found = Cx::new(cx.limits);
    validator::<T>(cx.limits).check(v, &mut found);
    let ok = !found.has_errors();
    for e in found.errors {
        cx.error(format!("{path}{}", e.path), e.message);
    }
    cx.errors_not_kept += found.errors_not_kept;
    ok
}

/// Deserializes a value that has `T`'s shape, tidied on the way ([`Tidy`]).
fn read<T: Payload>(v: &Value, path: &str, cx: &mut Cx, opaque: &[&str]) -> Option<T> {
    match T::deserialize(Tidy::new(v, opaque)) {
        Ok(value) => Some(value),
        Err(e) => {
            // The schema and the type describe the same shape; this would be a bug, said plainly.
            cx.error(path, format!("could not be read: {e}"));
            None
        }
    }
}

/// The rules of `v`'s member `key`, a `T`, if that member has its shape on its own (else of
/// its own parts that do). Problems of shape are not reported here: the whole's are.
pub fn member_rules<T: Payload>(v: &Value, key: &str, path: &str, cx: &mut Cx) {
    if let Some(member) = v.get(key).filter(|m| !m.is_null()) {
        part_rules::<T>(member, &super::child(path, key), cx);
    }
}

/// [`member_rules`] for each item of the array `v[key]`.
pub fn item_rules<T: Payload>(v: &Value, key: &str, path: &str, cx: &mut Cx) {
    if let Some(Value::Array(items)) = v.get(key) {
        let at = super::child(path, key);
        for (i, item) in items.iter().enumerate() {
            part_rules::<T>(item, &super::index(&at, i), cx);
        }
    }
}

fn part_rules<T: Payload>(v: &Value, path: &str, cx: &mut Cx) {
    let mut probe = Cx::new(cx.limits);
    if !shape::<T>(v, "", &mut probe) {
        T::part_rules(v, path, cx);
    } else if let Some(value) = read::<T>(v, path, cx, &[]) {
        value.rules(path, cx);
    }
}

/// A payload as serde reads it once it has its shape: text cleaned (control characters out,
/// one kind of newline; free-form names, such as a RACI task's parties, are cleaned by their
/// type), and object members that are null or blank text absent (an optional
/// member sent so is left out; a required one was refused by the schema already). Members
/// named in `opaque` are read as they are (`as_is`).
struct Tidy<'a> {
    v: &'a Value,
    opaque: &'a [&'a str],
    as_is: bool,
}

impl<'a> Tidy<'a> {
    fn new(v: &'a Value, opaque: &'a [&'a str]) -> Self {
        Tidy {
            v,
            opaque,
            as_is: false,
        }
    }
}

/// Whether an object member counts as absent.
fn absent(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => is_blank(s),
        _ => false,
    }
}

impl<'de> serde::de::IntoDeserializer<'de, serde_json::Error> for Tidy<'de> {
    type Deserializer = Tidy<'de>;
    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> serde::Deserializer<'de> for Tidy<'de> {
    type Error = serde_json::Error;

    fn deserialize_any<V: serde::de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        use serde::de::value::{MapDeserializer, SeqDeserializer};
        if self.as_is {
            return self.v.deserialize_any(visitor);
        }
        match self.v {
            Value::String(s) if needs_cleaning(s) => visitor.visit_string(clean_text(s)),
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(items) => {
                let mut seq = SeqDeserializer::new(items.iter().map(|v| Tidy::new(v, &[])));
                let value = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(value)
            }
            Value::Object(map) => {
                let opaque = self.opaque;
                let members = map.iter().filter(|(_, v)| !absent(v)).map(move |(k, v)| {
                    let as_is = opaque.contains(&k.as_str());
                    (
                        k.as_str(),
                        Tidy {
                            v,
                            opaque: &[],
                            as_is,
                        },
                    )
                });
                let mut map = MapDeserializer::new(members);
                let value = visitor.visit_map(&mut map)?;
                map.end()?;
                Ok(value)
            }
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_option<V: serde::de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        if self.as_is {
            self.v.deserialize_option(visitor)
        } else if absent(self.v) {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        if self.as_is {
            self.v.deserialize_newtype_struct(name, visitor)
        } else {
            visitor.visit_newtype_struct(self)
        }
    }

    /// Enum tags are read as they were sent (closed sets need no cleaning).
    fn deserialize_enum<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.v.deserialize_enum(name, variants, visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}
