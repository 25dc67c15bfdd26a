//! JSON Schema for the payload types: schemars' derive describes each type; the service adds
//! what only it knows — the limits in force, blank text refused where a value is required, the
//! order fields are declared in — to every component before it is published or validated.

use crate::budget::Limits;
use std::collections::BTreeMap;

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{json, Map, Value};

use crate::values::NOT_BLANK;

/// The named schemas collected while describing payload types, under the limits in force.
pub struct Schemas {
    pub limits: Limits,
    generator: SchemaGenerator,
}

impl std::fmt::Debug for Schemas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Schemas")
            .field("limits", &self.limits)
            .finish()
    }
}

/// Where components live in the API document and in a validator's root schema.
pub const COMPONENTS: &str = "/components/schemas/";

impl Schemas {
    pub fn new(limits: Limits) -> Self {
        let mut settings = SchemaSettings::draft2020_12();
        settings.definitions_path = COMPONENTS.into();
        settings.meta_schema = None;
        Self {
            limits,
            generator: SchemaGenerator::new(settings),
        }
    }

    /// A `$ref` to `T`'s component (or `T`'s schema itself, for inline types), its parts
    /// collected.
    pub fn component<T: JsonSchema>(&mut self) -> Value {
        let mut schema = self.generator.subschema_for::<T>().to_value();
        self.finish(&mut schema);
        schema
    }

    /// Every component described so far, with the service's additions.
    pub fn components(&self) -> BTreeMap<String, Value> {
        self.generator
            .definitions()
            .iter()
            .map(|(name, schema)| {
                let mut schema = schema.clone();
                self.finish(&mut schema);
                (name.clone(), schema)
            })
            .collect()
    }

    /// Adds to one schema, and every schema inside it, what the derive cannot know.
    fn finish(&self, schema: &mut Value) {
        walk(schema, &mut |s| {
            numbers(s);
            required_text(s);
            limits(s, self.limits);
            if let Some(Value::String(d)) = s.get_mut("description") {
                *d = d.replace('\n', " ");
            }
            s.remove("default");
        });
    }
}

/// Calls `f` on every schema object in `v`, inner ones first.
fn walk(v: &mut Value, f: &mut impl FnMut(&mut Map<String, Value>)) {
    match v {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                // Examples and enumerated values are data, not schemas.
                if !matches!(
                    key.as_str(),
                    "examples" | "enum" | "x-enum-labels" | "x-property-order" | "required"
                ) {
                    walk(inner, f);
                }
            }
            if map.contains_key("type") || map.contains_key("properties") {
                f(map);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| walk(i, f)),
        _ => {}
    }
}

/// Whether a schema's `type` is `t` (alone, or with `null`).
fn is_type(s: &Map<String, Value>, t: &str) -> bool {
    match s.get("type") {
        Some(Value::String(x)) => x == t,
        Some(Value::Array(xs)) => xs.iter().any(|x| x == t),
        _ => false,
    }
}

/// Text that is only text: no format, pattern of its own, or closed set of values.
fn is_plain_text(s: &Map<String, Value>) -> bool {
    is_type(s, "string") && !["format", "enum"].iter().any(|k| s.contains_key(*k))
}

/// Whole numbers are counts up to a million; other numbers stay below 10^15 in size.
fn numbers(s: &mut Map<String, Value>) {
    match s.get("format").and_then(Value::as_str) {
        Some("uint32") => {
            s.remove("format");
            s.insert("minimum".into(), json!(0));
            s.insert("maximum".into(), json!(1_000_000));
        }
        Some("double") => {
            s.remove("format");
            s.insert("exclusiveMinimum".into(), json!(-1e15));
            s.insert("exclusiveMaximum".into(), json!(1e15));
        }
        _ => {}
    }
}

/// Blank text is refused where a value is required: required fields and array items.
fn required_text(s: &mut Map<String, Value>) {
    let refuse_blank = |v: &mut Value| {
        if let Value::Object(inner) = v {
            if is_plain_text(inner) && !inner.contains_key("pattern") {
                inner.insert("pattern".into(), json!(NOT_BLANK));
            }
        }
    };
    if let Some(items) = s.get_mut("items") {
        refuse_blank(items);
    }
    let required: Vec<String> = s
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    if let Some(Value::Object(props)) = s.get_mut("properties") {
        for name in required {
            if let Some(p) = props.get_mut(&name) {
                refuse_blank(p);
            }
        }
    }
}

/// The limits in force: every plain text's length, every array's items.
fn limits(s: &mut Map<String, Value>, limits: Limits) {
    let own_pattern = s
        .get("pattern")
        .is_some_and(|p| p.as_str() != Some(NOT_BLANK));
    if is_plain_text(s) && !own_pattern && !s.contains_key("maxLength") {
        s.insert("maxLength".into(), json!(limits.max_string_chars));
    }
    if is_type(s, "array") && !s.contains_key("maxItems") {
        s.insert("maxItems".into(), json!(limits.max_array_items));
    }
}
