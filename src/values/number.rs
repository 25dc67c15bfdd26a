//! Numbers: percentages, and numbers as people write them.

use serde::Serialize;
use serde_json::Value;

use crate::input::{Cx, FromJson, Schemas};

#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
pub struct Percent(pub f64);

impl FromJson for Percent {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        match v.as_f64() {
            Some(n) if (0.0..=100.0).contains(&n) => Some(Percent(n)),
            _ => {
                cx.error(path, "must be a number from 0 to 100");
                None
            }
        }
    }

    fn schema(_: &mut Schemas) -> Value {
        serde_json::json!({ "type": "number", "minimum": 0, "maximum": 100, "description": "Percent, 0 to 100." })
    }
}

/// A number as people write it: no trailing `.0`.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        let s = format!("{n:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}
