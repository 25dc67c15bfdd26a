//! Reading a payload: validated against its type's schema, cleaned, deserialized, its rules
//! checked.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use super::{problems, text, Cx, InputLimits, Payload, Schemas};

/// A payload type's schema, compiled for validation under one set of limits.
pub struct Validator {
    /// `{"$ref": <the type>, "components": {"schemas": …}}`: what errors are explained against.
    pub(super) root: Value,
    compiled: jsonschema::Validator,
}

impl Validator {
    fn build<T: Payload>(limits: InputLimits) -> Validator {
        let mut schemas = Schemas::new(limits);
        let mut root = schemas.component::<T>();
        root["components"] = json!({ "schemas": schemas.components() });
        let max_pixels = limits.max_image_pixels;
        let compiled = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .with_format("date", |s: &str| crate::values::Date::parse(s).is_some())
            .with_format(crate::values::IMAGE_FORMAT, move |s: &str| {
                crate::document::ImageData::from_data_uri(s, max_pixels).is_ok()
            })
            .build(&root)
            .expect("the payload types' schemas compile");
        Validator { root, compiled }
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

type Cache = Mutex<HashMap<(&'static str, InputLimits), Arc<Validator>>>;

/// `T`'s validator under `limits`, compiled on first use and kept.
pub fn validator<T: Payload>(limits: InputLimits) -> Arc<Validator> {
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
        Value::String(s) => text::is_blank(s),
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
            Value::String(s) if text::needs_cleaning(s) => {
                visitor.visit_string(text::clean_text(s))
            }
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::kinds::weekly_progress::WeeklyProgress;
    use crate::kinds::DocumentKind;

    fn problems(v: &Value) -> Vec<(String, String)> {
        let mut cx = Cx::default();
        assert!(parse::<WeeklyProgress>(v, "", &mut cx).is_none());
        let mut found: Vec<_> = cx.errors.into_iter().map(|e| (e.path, e.message)).collect();
        found.sort();
        found
    }

    fn example() -> Value {
        serde_json::from_str(DocumentKind::WeeklyProgress.example()).unwrap()
    }

    #[test]
    fn every_problem_is_said_in_the_service_words_at_its_pointer() {
        let mut w = example();
        w["reporter"] = json!(null);
        w["summry"] = json!("typo");
        w["tasks"][0]["task"] = json!(" \u{1} ");
        w["tasks"][0]["due"] = json!("2026-02-29");
        w["tasks"][1]["status"] = json!("finished");
        w["tasks"][2]["progress"] = json!(120);
        w["tasks"][3]["owner"] = json!({"name": "周强", "dept": "技术部"});
        w["next_week"] = json!(["", "x".repeat(20_001)]);
        w["week"]["end"] = json!("2026-05-01");
        let found = problems(&w);
        let want = [
            ("/next_week/0", "must not be empty".to_string()),
            ("/next_week/1", "is 20001 characters long; the limit is 20000".into()),
            ("/reporter", "is required".into()),
            ("/summry", "is not a known field (did you mean \"summary\"?); known fields: document_no, organization, project, week, department, reporter, summary, tasks, issues, next_week".into()),
            ("/tasks/0/due", "must be a date as YYYY-MM-DD (e.g. 2026-07-28); got \"2026-02-29\"".into()),
            ("/tasks/0/task", "must not be empty".into()),
            ("/tasks/1/status", "must be one of not_started (未开始), in_progress (进行中), done (已完成), need_support (需支持), at_risk (延期风险), delayed (已延期); got \"finished\"".into()),
            ("/tasks/2/progress", "must be a number from 0 to 100".into()),
            ("/tasks/3/owner/dept", "is not a known field; known fields: name, department, title, contact".into()),
            // A rule of a part that can be read, with the problems of shape.
            ("/week/end", "2026年5月1日 is before the week's start 2026年6月1日".into()),
        ];
        let want: Vec<(String, String)> =
            want.into_iter().map(|(p, m)| (p.to_string(), m)).collect();
        assert_eq!(found, want);
    }

    #[test]
    fn chinese_labels_null_and_blank_optional_members_and_control_characters_are_read() {
        let mut w = example();
        w["tasks"][0]["status"] = json!("已完成");
        w["tasks"][0]["risk"] = json!("高");
        w["tasks"][0]["note"] = json!("  ");
        w["tasks"][1]["note"] = json!(null);
        w["tasks"][2]["note"] = json!("甲\u{1}乙\r\n丙");
        w["issues"] = json!(null);
        let mut cx = Cx::default();
        let read = parse::<WeeklyProgress>(&w, "", &mut cx).expect("valid");
        assert!(cx.errors.is_empty(), "{:?}", cx.errors);
        let t = &read.tasks;
        assert_eq!(
            (t[0].status.code(), t[0].risk.map(|r| r.code())),
            ("done", Some("high"))
        );
        assert_eq!((t[0].note.as_deref(), t[1].note.as_deref()), (None, None));
        assert_eq!(t[2].note.as_deref(), Some("甲乙\n丙"));
        assert!(read.issues.is_empty());
        assert_eq!(read.reporter.display, "王芳（市场部·专员）");
    }

    #[test]
    fn dates_before_1900_and_impossible_times_are_refused() {
        let mut w = example();
        w["week"]["start"] = json!("1899-12-31");
        w["tasks"][0]["owner"] = json!(7);
        assert_eq!(
            problems(&w),
            [
                (
                    "/tasks/0/owner".to_string(),
                    "must be a person: a name string or an object with \"name\"; got a number"
                        .to_string()
                ),
                (
                    "/week/start".into(),
                    "must be a date as YYYY-MM-DD (e.g. 2026-07-28); got \"1899-12-31\"".into()
                ),
            ]
        );
    }

    #[test]
    fn past_the_listed_problems_the_rest_are_counted() {
        let mut w = example();
        let tasks: Vec<Value> = (0..300)
            .map(|_| json!({"task": "", "owner": "王芳", "status": "x"}))
            .collect();
        w["tasks"] = json!(tasks);
        let mut cx = Cx::default();
        assert!(parse::<WeeklyProgress>(&w, "", &mut cx).is_none());
        assert_eq!(cx.errors.len(), crate::error::MAX_LISTED_ERRORS);
        assert_eq!(cx.errors.len() + cx.errors_not_kept, 600);
    }
}
