//! Reading a batch body: `{"items": [...]}`, each item checked on its own.

use crate::budget::Limits;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{BatchItem, ItemKind, ItemResult};
use crate::engine::Engine;
use crate::error::{Error, FieldError};
use crate::input::{Cx, Rules};
use crate::kinds::DocumentKind;
use crate::render::OutputFormat;
use crate::values::Profile;

/// The body of `POST /v1/batch`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = crate::values::object_schema::<Self>)]
pub struct BatchRequest {
    /// The documents to render, at least one (at most `COLLABDOCS_BATCH_MAX_ITEMS`, else 413).
    #[schemars(title = "条目", length(min = 1))]
    pub items: Vec<Item>,
}

impl Rules for BatchRequest {}

/// One document of a batch. A `data` payload that breaks its kind's schema or rules does not
/// stop the batch: the item is reported in `manifest.json` (unless `fail_fast=true`).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = crate::values::object_schema::<Self>)]
pub struct BatchItemSpec {
    #[schemars(title = "文档类型")]
    pub kind: DocumentKind,
    #[schemars(title = "格式")]
    pub format: OutputFormat,
    /// The house style: `standard` (the default) or `official` (GB/T 9704-2012; for
    /// meeting-minutes, meeting-notice and collaboration-memo, a 422 for the item otherwise).
    #[schemars(title = "版式")]
    pub style: Option<Profile>,
    /// The file's name in the ZIP; made safe (no directories), given the format's extension,
    /// numbered on collision. Default: the document's own name (会议纪要-2026-07-28.pdf).
    #[schemars(title = "文件名")]
    pub filename: Option<String>,
    /// A Word template of the kind (`GET /v1/templates/word`), filled instead of the built-in
    /// layout; the format must be `docx`.
    #[schemars(title = "Word 模板", length(min = 1, max = 200))]
    pub template: Option<String>,
    /// The kind's payload, as `POST /v1/documents/{kind}` takes it.
    #[schemars(title = "数据")]
    pub data: Payload,
}

impl Rules for BatchItemSpec {}

/// One item of a batch as sent: read on its own by [`parse_item`], so a malformed item stays
/// with its item. Any value here; the API document describes it as a [`BatchItemSpec`].
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Item(Value);

impl schemars::JsonSchema for Item {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        "BatchItem".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::Schema::default()
    }
}

/// A kind's payload inside a batch item: any JSON object, checked against its kind later.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Payload(Value);

impl schemars::JsonSchema for Payload {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        "BatchItemData".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "object", "additionalProperties": {} })
    }
}

/// Prefixes every error's pointer with the item's place in the batch.
pub(super) fn under(prefix: &str, errors: Vec<FieldError>) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|e| FieldError::new(format!("{prefix}{}", e.path), e.message))
        .collect()
}

/// Reads one item; errors carry pointers under `/items/<i>`. `folders` are the kinds Word and
/// Excel template folders define, which an item may name too.
pub fn parse_item(
    v: &Value,
    i: usize,
    limits: Limits,
    folders: &[crate::engine::Folder],
) -> Result<BatchItem, Vec<FieldError>> {
    let mut cx = Cx::new(limits);
    // An item of a folder's kind is read like one of a built-in kind — its other members have
    // the same shape — with the kind's name checked against the folders instead of the list
    // the schema has: the shape is checked on a copy naming a built-in kind (its data left
    // out: it is read later by its own kind, and copying it would cost its size).
    let folder = v
        .get("kind")
        .and_then(Value::as_str)
        .and_then(|k| folders.iter().find(|f| f.name() == k).cloned());
    let shaped;
    let checked = match (&folder, v) {
        (Some(_), Value::Object(members)) => {
            let mut copy: serde_json::Map<String, Value> = members
                .iter()
                .filter(|(k, _)| k.as_str() != "data")
                .map(|(k, x)| (k.clone(), x.clone()))
                .collect();
            copy.insert("kind".into(), json!(DocumentKind::ALL[0].slug()));
            if members.contains_key("data") {
                copy.insert("data".into(), json!({}));
            }
            shaped = Value::Object(copy);
            &shaped
        }
        _ => v,
    };
    let checked_copy = !std::ptr::eq(checked, v);
    match crate::input::parse_skipping::<BatchItemSpec>(
        checked,
        &format!("/items/{i}"),
        &mut cx,
        &["data"],
    ) {
        Some(spec) if !cx.has_errors() => Ok(BatchItem {
            kind: match folder {
                Some(entry) => ItemKind::Folder(entry),
                None => ItemKind::Builtin(spec.kind),
            },
            format: spec.format,
            style: spec.style.unwrap_or_default(),
            filename: spec.filename,
            template: spec.template,
            data: if checked_copy {
                v.get("data").cloned().unwrap_or_default()
            } else {
                spec.data.0
            },
        }),
        _ => Err(cx.errors),
    }
}

/// Parses a batch body as JSON, counting the items of its `items` list (or of a top-level
/// list) as they are read: past `max_items` the parse stops at once with a 413, before more
/// items are built (a body of a million `[]` costs no more than a thousand).
pub fn parse_json(body: &[u8], max_items: usize) -> Result<Value, Error> {
    use serde::de::DeserializeSeed;
    if body.iter().all(u8::is_ascii_whitespace) {
        return crate::input::json(body);
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let parsed = Counted {
        max: max_items,
        top: true,
    }
    .deserialize(&mut de)
    .and_then(|v| de.end().map(|()| v));
    parsed.map_err(|e| {
        if e.to_string().starts_with(TOO_MANY) {
            Error::TooLarge(format!(
                "the batch has more than {max_items} items; the limit is {max_items}"
            ))
        } else {
            Error::MalformedJson(e.to_string())
        }
    })
}

const TOO_MANY: &str = "too many items";

/// A JSON value whose `items` list (at the top, or the top-level list) holds at most `max`.
struct Counted {
    max: usize,
    /// This is the whole body: its `items` member is the list counted.
    top: bool,
}

impl<'de> serde::de::DeserializeSeed<'de> for Counted {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Counted {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a batch: {\"items\": [...]}")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = if self.top && key == "items" {
                map.next_value_seed(Counted { top: false, ..self })?
            } else {
                map.next_value::<Value>()?
            };
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Value>()? {
            if items.len() == self.max {
                return Err(serde::de::Error::custom(TOO_MANY));
            }
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(v.into())
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(v.into())
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
}

/// Reads a batch body `{"items": [...]}`. A problem in an item's `data` stays with its item; a
/// malformed item (not an object, no known kind or format, an unknown field) stays with it too,
/// unless `strict`, when every such problem is answered at once as one 422.
pub fn parse_body(
    v: &Value,
    engine: &Engine,
    max_items: usize,
    strict: bool,
) -> Result<Vec<ItemResult>, Error> {
    let limits = engine.limits();
    let folders = engine.folder_kinds();
    let count = v.get("items").and_then(Value::as_array).map_or(0, Vec::len);
    if count > max_items {
        return Err(Error::TooLarge(format!(
            "the batch has {count} items; the limit is {max_items}"
        )));
    }
    let mut cx = Cx::new(Limits {
        max_array_items: limits.max_array_items.max(max_items),
        ..limits
    });
    let body = match crate::input::parse::<BatchRequest>(v, "", &mut cx) {
        Some(body) if !cx.has_errors() => body,
        _ => return Err(Error::Invalid(cx.errors, cx.errors_not_kept)),
    };
    let parsed: Vec<_> = body
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| parse_item(&item.0, i, limits, &folders))
        .collect();
    if strict {
        let malformed: Vec<FieldError> = parsed
            .iter()
            .filter_map(|r| r.as_ref().err())
            .flatten()
            .cloned()
            .collect();
        if !malformed.is_empty() {
            return Err(Error::invalid(malformed));
        }
    }
    Ok(parsed)
}

/// Checks every item before rendering any (for `fail_fast`): all problems, by pointer.
pub fn check_all(engine: &Engine, items: &[ItemResult]) -> Result<(), Error> {
    let mut errors = Vec::new();
    let mut more = 0;
    for (i, item) in items.iter().enumerate() {
        let (found, not_listed) = match item {
            Ok(it) => match match &it.kind {
                ItemKind::Builtin(kind) => engine.validate(*kind, &it.data).map(|_| ()),
                ItemKind::Folder(entry) => engine.validate_folder(entry, &it.data).map(|_| ()),
            } {
                Err(Error::Invalid(e, n)) => (under(&format!("/items/{i}/data"), e), n),
                _ => continue,
            },
            Err(e) => (e.clone(), 0),
        };
        more += not_listed;
        let room = crate::error::MAX_LISTED_ERRORS.saturating_sub(errors.len());
        more += found.len().saturating_sub(room);
        errors.extend(found.into_iter().take(room));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(errors, more))
    }
}
