//! How the shared values and the payload types describe themselves in JSON Schema: their
//! component names, the fields a form shows in order, which members may be `null`. The derive
//! on every payload type names these; [`crate::input`] adds the limits in force and validates.

use schemars::Schema;
use serde_json::{json, Map, Value};

/// The schema utoipa derives for `T` (from its doc comment and serde names), for the enums that
/// response types (described by utoipa) and payload types (by schemars) both refer to, so each
/// is described once.
pub fn utoipa_schema<T: utoipa::PartialSchema>() -> Schema {
    let value = serde_json::to_value(T::schema()).expect("a utoipa schema serializes");
    Schema::try_from(value).expect("a utoipa schema is an object")
}

/// The component name of a payload type: `Person` for the shared types, the kind's name in
/// front for a kind's own (`meeting_minutes::Project` → `MeetingMinutesProject`).
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

/// A field's schema that also accepts `null` (absent, as for every optional field): for
/// arrays read with `#[serde(default)]`.
pub fn nullable(schema: &mut Schema) {
    let mut v = std::mem::take(schema).to_value();
    v = nullable_value(v);
    *schema = Schema::try_from(v).expect("an object schema");
}

/// The same schema also accepting `null`.
pub fn nullable_value(mut schema: Value) -> Value {
    if let Some(Value::String(t)) = schema.get("type") {
        let t = t.clone();
        schema["type"] = json!([t, "null"]);
        if let Some(Value::Array(values)) = schema.get_mut("enum") {
            values.push(Value::Null);
        }
        schema
    } else {
        let mut outer = Map::new();
        if let Value::Object(inner) = &mut schema {
            // Annotations stay beside the alternatives.
            for key in ["title", "description"] {
                if let Some(v) = inner.remove(key) {
                    outer.insert(key.into(), v);
                }
            }
        }
        outer.insert("anyOf".into(), json!([schema, { "type": "null" }]));
        Value::Object(outer)
    }
}

/// An object's schema gets the order its fields are declared in (`x-property-order`: what a
/// form shows first, and what an unknown field's message lists).
pub fn object_schema<T: serde::de::DeserializeOwned>(schema: &mut Schema) {
    schema.insert("x-property-order".into(), json!(field_names::<T>()));
}

/// The JSON field names of a struct deserialized by serde's derive, in declaration order: the
/// derive hands them to `deserialize_struct`, where this deserializer records them.
fn field_names<T: serde::de::DeserializeOwned>() -> Vec<&'static str> {
    struct Names(Option<&'static [&'static str]>);
    #[derive(Debug)]
    struct Stop;
    impl std::fmt::Display for Stop {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("stop")
        }
    }
    impl std::error::Error for Stop {}
    impl serde::de::Error for Stop {
        fn custom<M: std::fmt::Display>(_: M) -> Self {
            Stop
        }
    }
    impl<'de> serde::Deserializer<'de> for &mut Names {
        type Error = Stop;
        fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
            Err(Stop)
        }
        fn deserialize_struct<V: serde::de::Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Stop> {
            self.0 = Some(fields);
            Err(Stop)
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }
    let mut names = Names(None);
    let _ = T::deserialize(&mut names);
    names.0.unwrap_or_default().to_vec()
}
