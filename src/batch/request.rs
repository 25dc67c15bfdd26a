//! Reading a batch body: `{"items": [...]}`, each item checked on its own.

use serde_json::Value;

use super::{BatchItem, ItemResult};
use crate::engine::Engine;
use crate::error::{Error, FieldError};
use crate::input::type_name;
use crate::kinds::DocumentKind;
use crate::render::OutputFormat;

/// The body of `POST /v1/batch`, as the OpenAPI document describes it (parsed by [`parse_body`]).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchRequest {
    /// The documents to render, at least one (at most `COLLABDOCS_BATCH_MAX_ITEMS`, else 413).
    #[schema(min_items = 1)]
    pub items: Vec<BatchItemSpec>,
}

/// One document of a batch. A `data` payload that breaks its kind's schema or rules does not
/// stop the batch: the item is reported in `manifest.json` (unless `fail_fast=true`).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchItemSpec {
    pub kind: DocumentKind,
    pub format: OutputFormat,
    /// The file's name in the ZIP; made safe (no directories), given the format's extension,
    /// numbered on collision. Default: the document's own name (会议纪要-2026-07-28.pdf).
    #[serde(default)]
    pub filename: Option<String>,
    /// The kind's payload, as `POST /v1/documents/{kind}` takes it.
    pub data: serde_json::Map<String, Value>,
}

/// Prefixes every error's pointer with the item's place in the batch.
pub(super) fn under(prefix: &str, errors: Vec<FieldError>) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|e| FieldError::new(format!("{prefix}{}", e.path), e.message))
        .collect()
}

/// Reads one item; errors carry pointers under `/items/<i>`.
pub fn parse_item(v: &Value, i: usize) -> Result<BatchItem, Vec<FieldError>> {
    let p = format!("/items/{i}");
    let Value::Object(o) = v else {
        return Err(vec![FieldError::new(
            &p,
            format!("must be an object, not {}", type_name(v)),
        )]);
    };
    let mut errors = Vec::new();
    for key in o.keys() {
        if !["kind", "format", "filename", "data"].contains(&key.as_str()) {
            errors.push(FieldError::new(
                format!("{p}/{key}"),
                "is not a known field; known fields: kind, format, filename, data",
            ));
        }
    }
    // A required string field looked up in a closed set.
    let mut lookup = |field: &str, allowed: &str, parse: &dyn Fn(&str) -> bool| -> Option<String> {
        match o.get(field).and_then(Value::as_str) {
            Some(v) if parse(v) => Some(v.to_string()),
            Some(v) => {
                errors.push(FieldError::new(
                    format!("{p}/{field}"),
                    format!("\"{v}\" is not one of {allowed}"),
                ));
                None
            }
            None => {
                errors.push(FieldError::new(
                    format!("{p}/{field}"),
                    "is required (a string)",
                ));
                None
            }
        }
    };
    let kinds: Vec<&str> = DocumentKind::ALL.iter().map(|k| k.slug()).collect();
    let kind = lookup("kind", &kinds.join(", "), &|v| {
        DocumentKind::from_slug(v).is_some()
    })
    .and_then(|v| DocumentKind::from_slug(&v));
    let format = lookup("format", &OutputFormat::names(), &|v| {
        OutputFormat::parse(v).is_some()
    })
    .and_then(|v| OutputFormat::parse(&v));
    let filename = match o.get("filename") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => {
            errors.push(FieldError::new(
                format!("{p}/filename"),
                format!("must be a string, not {}", type_name(other)),
            ));
            None
        }
    };
    let data = o.get("data").cloned();
    match &data {
        None => errors.push(FieldError::new(format!("{p}/data"), "is required")),
        Some(Value::Object(_)) => {}
        Some(other) => errors.push(FieldError::new(
            format!("{p}/data"),
            format!(
                "must be an object (the kind's payload), not {}",
                type_name(other)
            ),
        )),
    }
    match (kind, format, data, errors.is_empty()) {
        (Some(kind), Some(format), Some(data), true) => Ok(BatchItem {
            kind,
            format,
            filename,
            data,
        }),
        _ => Err(errors),
    }
}

/// Reads a batch body `{"items": [...]}`. A problem in an item's `data` stays with its item; a
/// malformed item (not an object, no known kind or format, an unknown field) stays with it too,
/// unless `strict`, when every such problem is answered at once as one 422.
pub fn parse_body(v: &Value, max_items: usize, strict: bool) -> Result<Vec<ItemResult>, Error> {
    let Value::Object(o) = v else {
        return Err(Error::invalid(vec![FieldError::new(
            "",
            format!("must be an object with \"items\", not {}", type_name(v)),
        )]));
    };
    let mut errors = Vec::new();
    for key in o.keys().filter(|k| k.as_str() != "items") {
        errors.push(FieldError::new(
            format!("/{key}"),
            "is not a known field; known fields: items",
        ));
    }
    let items = match o.get("items") {
        Some(Value::Array(a)) if !a.is_empty() => a,
        Some(Value::Array(_)) => {
            errors.push(FieldError::new("/items", "must have at least 1 item"));
            return Err(Error::invalid(errors));
        }
        Some(other) => {
            errors.push(FieldError::new(
                "/items",
                format!("must be an array, not {}", type_name(other)),
            ));
            return Err(Error::invalid(errors));
        }
        None => {
            errors.push(FieldError::new("/items", "is required"));
            return Err(Error::invalid(errors));
        }
    };
    if !errors.is_empty() {
        return Err(Error::invalid(errors));
    }
    if items.len() > max_items {
        return Err(Error::TooLarge(format!(
            "the batch has {} items; the limit is {max_items}",
            items.len()
        )));
    }
    let parsed: Vec<_> = items
        .iter()
        .enumerate()
        .map(|(i, v)| parse_item(v, i))
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
            Ok(it) => match engine.validate(it.kind, &it.data) {
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
