//! JSON Schema for the payload types: components collected once, named after their types.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::InputLimits;

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
