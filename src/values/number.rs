//! Numbers: percentages, and numbers as people write them.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
pub struct Percent(pub f64);

impl<'de> serde::Deserialize<'de> for Percent {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = f64::deserialize(d)?;
        if (0.0..=100.0).contains(&n) {
            Ok(Percent(n))
        } else {
            Err(serde::de::Error::custom("a percent is from 0 to 100"))
        }
    }
}

impl schemars::JsonSchema for Percent {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Percent".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "number", "minimum": 0, "maximum": 100, "description": "Percent, 0 to 100." })
    }
}

/// An amount of money as Chinese forms print it: thousands grouped, two decimals
/// (`62000.5` → `62,000.50`). Templates show amounts so, and XLSX keeps such a cell a number
/// with the matching format.
pub fn format_amount(n: f64) -> String {
    let cents = (n.abs() * 100.0).round();
    let (yuan, fen) = ((cents / 100.0).trunc(), cents % 100.0);
    let digits = format!("{yuan:.0}");
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 + 4);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(d);
    }
    let sign = if n < 0.0 && cents > 0.0 { "-" } else { "" };
    format!("{sign}{grouped}.{fen:02.0}")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_grouped_with_two_decimals() {
        assert_eq!(format_amount(62000.5), "62,000.50");
        assert_eq!(format_amount(0.0), "0.00");
        assert_eq!(format_amount(999.999), "1,000.00");
        assert_eq!(format_amount(1234567.0), "1,234,567.00");
        assert_eq!(format_amount(0.1 + 0.2), "0.30");
        assert_eq!(format_amount(-1500.25), "-1,500.25");
    }
}
