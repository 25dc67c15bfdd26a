//! Strings, numbers, booleans, arrays and optional values read from JSON.

use serde_json::{json, Value};

use super::{index, nullable, type_name, Cx, FromJson, Schemas};

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
