//! A schema validator's errors in the service's words: each at its JSON Pointer, said the way
//! the type it concerns would say it (a date, a person, a closed set of values with their
//! Chinese labels, the limits in force).

use crate::budget::Limits;
use jsonschema::error::{ValidationError, ValidationErrorKind};
use serde_json::Value;

use super::{child, index, type_name};
use crate::values::NOT_BLANK;
use crate::values::{IMAGE_FORMAT, MAX_IMAGE_URI_BYTES, TIME_PATTERN};

/// The problems one validator error stands for: `(pointer, message)`, at most `room` of the
/// unknown fields one object has (the rest are only counted, see [`count`]).
pub(super) fn describe(
    e: &ValidationError,
    root: &Value,
    limits: Limits,
    room: usize,
) -> Vec<(String, String)> {
    let path = e.instance_path().as_str().to_string();
    let node = schema_at(root, e.evaluation_path().as_str());
    let v = e.instance().as_ref();
    let one = |m: String| vec![(path.clone(), m)];
    if v.is_null() && declared_member(e.evaluation_path().as_str()) {
        // A member sent as null is absent: a required one is missing.
        return one("is required".into());
    }
    match e.kind() {
        ValidationErrorKind::Required { property } => {
            vec![(
                child(&path, property.as_str().unwrap_or_default()),
                "is required".into(),
            )]
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let known: Vec<&str> = node
                .and_then(|n| n.get("x-property-order"))
                .and_then(Value::as_array)
                .map(|k| k.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            unexpected
                .iter()
                .take(room)
                .map(|key| (child(&path, key), unknown_field(key, &known)))
                .collect()
        }
        ValidationErrorKind::MaxLength { limit } => match node {
            Some(n) if is_image(n) => one(format!(
                "is {} bytes; images are limited to {MAX_IMAGE_URI_BYTES}",
                v.as_str().map_or(0, str::len)
            )),
            _ => one(format!(
                "is {} characters long; the limit is {limit}",
                v.as_str().map_or(0, |s| s.chars().count())
            )),
        },
        ValidationErrorKind::MaxItems { limit } => one(format!(
            "has {} items; the limit is {limit}",
            v.as_array().map_or(0, Vec::len)
        )),
        ValidationErrorKind::MinItems { limit } => one(format!(
            "must have at least {limit} item{}",
            if *limit == 1 { "" } else { "s" }
        )),
        ValidationErrorKind::UniqueItems => duplicate(&path, v),
        ValidationErrorKind::Pattern { pattern } if pattern == NOT_BLANK => {
            one("must not be empty".into())
        }
        ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => {
            alternatives(e, context, node, root, limits, room)
        }
        ValidationErrorKind::Custom { message, .. } => one(message.clone()),
        _ => one(match node {
            Some(n) => wrong_value(n, v, limits),
            None => e.to_string(),
        }),
    }
}

/// How many problems one validator error stands for, without saying them.
pub(super) fn count(e: &ValidationError) -> usize {
    match e.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => unexpected.len(),
        _ => 1,
    }
}

/// `oneOf` / `anyOf`: a person (a name or an object), or an optional value (it or null). The
/// problems of the alternative the value was meant for.
fn alternatives(
    e: &ValidationError,
    context: &[Vec<ValidationError<'static>>],
    node: Option<&Value>,
    root: &Value,
    limits: Limits,
    room: usize,
) -> Vec<(String, String)> {
    let path = e.instance_path().as_str().to_string();
    let v = e.instance().as_ref();
    let options = node
        .and_then(|n| n.get("oneOf").or_else(|| n.get("anyOf")))
        .and_then(Value::as_array);
    let meant = options.and_then(|options| {
        options.iter().position(|o| {
            let o = resolve(root, o);
            if o.get("oneOf").is_some() || o.get("anyOf").is_some() {
                // A choice of its own (a person): meant for anything but null.
                return !v.is_null();
            }
            let t = o.get("type");
            let wants = |name: &str| match t {
                Some(Value::String(x)) => x == name,
                Some(Value::Array(xs)) => xs.iter().any(|x| x == name),
                _ => false,
            };
            match v {
                Value::String(_) => wants("string"),
                Value::Object(_) => wants("object"),
                Value::Array(_) => wants("array"),
                Value::Number(_) => wants("number") || wants("integer"),
                Value::Bool(_) => wants("boolean"),
                Value::Null => wants("null"),
            }
        })
    });
    match meant.and_then(|i| context.get(i)) {
        Some(errors) if !errors.is_empty() => errors
            .iter()
            .flat_map(|inner| describe(inner, root, limits, room))
            .collect(),
        _ => {
            let person = node.and_then(|n| n.get("oneOf")).is_some();
            let message = if person {
                format!(
                    "must be a person: a name string or an object with \"name\"; got {}",
                    type_name(v)
                )
            } else {
                match options.and_then(|o| o.first()).map(|o| resolve(root, o)) {
                    Some(first) => wrong_value(first, v, limits),
                    None => e.to_string(),
                }
            };
            vec![(path, message)]
        }
    }
}

/// A value that is not what its schema describes, said for the kind of value it should be.
fn wrong_value(n: &Value, v: &Value, limits: Limits) -> String {
    let got = match v {
        Value::String(s) => format!("\"{}\"", s.chars().take(40).collect::<String>()),
        other => type_name(other).to_string(),
    };
    let number = match v {
        Value::Number(x) => x.to_string(),
        other => type_name(other).to_string(),
    };
    if n.get("format").and_then(Value::as_str) == Some("date") {
        return format!("must be a date as YYYY-MM-DD (e.g. 2026-07-28); got {got}");
    }
    if n.get("pattern").and_then(Value::as_str) == Some(TIME_PATTERN) {
        return "must be a time as HH:MM (24-hour, e.g. 14:30)".into();
    }
    if is_image(n) {
        return match v.as_str() {
            Some(s) => crate::image::ImageData::from_data_uri(s, limits.max_image_pixels)
                .err()
                .unwrap_or_else(|| "must be a PNG or JPEG data: URI".into()),
            None => format!("must be a data: URI string, not {}", type_name(v)),
        };
    }
    if let Some(values) = n.get("enum").and_then(Value::as_array) {
        return format!("must be one of {}; got {got}", allowed(n, values));
    }
    let is = |t: &str| match n.get("type") {
        Some(Value::String(x)) => x == t,
        Some(Value::Array(xs)) => xs.iter().any(|x| x == t),
        _ => false,
    };
    if is("integer") {
        return match v.as_u64() {
            Some(_) => "must be at most 1000000".into(),
            None => format!("must be a whole number ≥ 0, not {number}"),
        };
    }
    if is("number") {
        if n.get("maximum").and_then(Value::as_f64) == Some(100.0) {
            return "must be a number from 0 to 100".into();
        }
        return format!("must be a number, not {number}");
    }
    if is("boolean") {
        return format!("must be true or false, not {}", type_name(v));
    }
    for (t, name) in [
        ("string", "a string"),
        ("array", "an array"),
        ("object", "an object"),
    ] {
        if is(t) {
            return format!("must be {name}, not {}", type_name(v));
        }
    }
    format!("is not valid here; got {got}")
}

/// The values a closed set allows: each code with its Chinese label where it has one.
fn allowed(n: &Value, values: &[Value]) -> String {
    let labels = n.get("x-enum-labels").and_then(Value::as_object);
    let codes = labels.map_or(values.len(), |l| l.len());
    values
        .iter()
        .take(codes)
        .filter_map(Value::as_str)
        .map(
            |code| match labels.and_then(|l| l.get(code)).and_then(Value::as_str) {
                Some(label) => format!("{code} ({label})"),
                None => code.to_string(),
            },
        )
        .collect::<Vec<_>>()
        .join(", ")
}

fn is_image(n: &Value) -> bool {
    n.get("format").and_then(Value::as_str) == Some(IMAGE_FORMAT)
}

/// The first item listed twice in an array that must hold each once.
fn duplicate(path: &str, v: &Value) -> Vec<(String, String)> {
    let items = v.as_array().map(Vec::as_slice).unwrap_or_default();
    let name = path.rsplit('/').next().unwrap_or_default();
    let mut seen = std::collections::HashSet::new();
    items
        .iter()
        .enumerate()
        .filter(|(_, item)| !seen.insert(item.to_string()))
        .map(|(i, item)| {
            let shown = item.as_str().map_or_else(|| item.to_string(), String::from);
            let shown = crate::error::bounded(shown, 40);
            (
                index(path, i),
                format!("\"{shown}\" is listed twice; {name} must be unique"),
            )
        })
        .collect()
}

fn unknown_field(key: &str, known: &[&str]) -> String {
    let hint = super::suggest::suggestion(key, known)
        .map(|s| format!(" (did you mean \"{s}\"?)"))
        .unwrap_or_default();
    format!(
        "is not a known field{hint}; known fields: {}",
        known.join(", ")
    )
}

/// Whether the schema an error's keyword belongs to is a declared property's (rather than an
/// array item's or a map value's).
fn declared_member(evaluation_path: &str) -> bool {
    let mut tokens: Vec<&str> = evaluation_path.split('/').collect();
    tokens.pop();
    while tokens.last() == Some(&"$ref") {
        tokens.pop();
    }
    tokens.len() >= 2 && tokens[tokens.len() - 2] == "properties"
}

/// The schema holding the keyword an error's evaluation path ends in, following `$ref`s.
fn schema_at<'r>(root: &'r Value, evaluation_path: &str) -> Option<&'r Value> {
    let tokens: Vec<String> = evaluation_path
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    let mut node = root;
    for t in tokens.iter().take(tokens.len().saturating_sub(1)) {
        node = if t == "$ref" {
            resolve(root, node)
        } else {
            match node {
                Value::Object(m) => m.get(t)?,
                Value::Array(a) => a.get(t.parse::<usize>().ok()?)?,
                _ => return None,
            }
        };
    }
    Some(node)
}

/// The schema a `$ref` points to (within the root), or the schema itself.
fn resolve<'r>(root: &'r Value, node: &'r Value) -> &'r Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(r) => root.pointer(r.trim_start_matches('#')).unwrap_or(node),
        None => node,
    }
}
