//! Cached results of the simple totals of a filled workbook — `SUM`, `COUNT`, `COUNTA` and
//! `AVERAGE` of one range, on its own sheet or another — computed from the filled cells and
//! written as the formula cell's value, so that a viewer that does not calculate (a preview, a
//! mail client, a phone) shows the totals of the data rather than the template's. Excel, WPS
//! and LibreOffice recalculate everything on open anyway (`fullCalcOnLoad`).

use std::collections::HashMap;

/// A filled cell's value, as far as the totals care.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Value {
    Number(f64),
    Text,
}

/// `(column, row)` → value, of one sheet.
type Values = HashMap<(u32, u32), Value>;

/// Column letters and row of a reference (`$B$5` → (2, 5)).
fn cell_ref(s: &str) -> Option<(u32, u32)> {
    let s = s.replace('$', "");
    let letters = s.bytes().take_while(u8::is_ascii_uppercase).count();
    if letters == 0 || letters > 3 {
        return None;
    }
    let col = s[..letters]
        .bytes()
        .fold(0u32, |n, b| n * 26 + u32::from(b - b'A' + 1));
    let row = s[letters..].parse().ok()?;
    Some((col, row))
}

/// The value of every cell of a sheet's XML that has one.
fn values(xml: &str) -> Values {
    let mut out = Values::new();
    let mut rest = xml;
    while let Some(i) = rest.find("<c ") {
        let cell = &rest[i..];
        let head_end = cell.find('>').unwrap_or(cell.len());
        let head = &cell[..head_end];
        let end = if head.ends_with('/') {
            head_end + 1
        } else {
            cell.find("</c>").map_or(cell.len(), |e| e + 4)
        };
        let body = &cell[head_end.min(end)..end];
        let at = crate::word::xml::attr_of(head, "r").and_then(|r| cell_ref(&r));
        let kind = crate::word::xml::attr_of(head, "t");
        if let Some(at) = at {
            let v = body
                .find("<v>")
                .and_then(|a| body[a + 3..].find("</v>").map(|b| &body[a + 3..a + 3 + b]));
            let value = match (kind.as_deref(), v) {
                (Some("s" | "str"), Some(_)) => Some(Value::Text),
                (Some("inlineStr"), _) => {
                    let text = crate::word::xml::unescape(
                        body.split("<t")
                            .skip(1)
                            .filter_map(|t| t.split_once('>'))
                            .map(|(_, t)| t.split("</t>").next().unwrap_or(""))
                            .collect::<String>()
                            .as_str(),
                    );
                    (!text.is_empty()).then_some(Value::Text)
                }
                (Some("b"), Some(v)) | (None | Some("n"), Some(v)) => {
                    v.trim().parse().ok().map(Value::Number)
                }
                _ => None,
            };
            if let Some(value) = value {
                out.insert(at, value);
            }
        }
        rest = &cell[end.max(1)..];
    }
    out
}

/// A simple total: its function, the sheet it names (else its own), its range's corners.
struct Total<'f> {
    function: &'f str,
    sheet: Option<String>,
    from: (u32, u32),
    to: (u32, u32),
}

/// What a formula computes, when it is one function of one range.
fn simple(formula: &str) -> Option<Total<'_>> {
    let f = formula.trim().trim_start_matches('=');
    let open = f.find('(')?;
    let name = &f[..open];
    if !matches!(name, "SUM" | "COUNT" | "COUNTA" | "AVERAGE") || !f.ends_with(')') {
        return None;
    }
    let arg = &f[open + 1..f.len() - 1];
    let (sheet, range) = match arg.rsplit_once('!') {
        Some((s, r)) => (
            Some(crate::word::xml::unescape(s.trim_matches('\'')).replace("''", "'")),
            r,
        ),
        None => (None, arg),
    };
    let (a, b) = range.split_once(':')?;
    Some(Total {
        function: name,
        sheet,
        from: cell_ref(a)?,
        to: cell_ref(b)?,
    })
}

fn compute(name: &str, values: &Values, (c0, r0): (u32, u32), (c1, r1): (u32, u32)) -> Option<f64> {
    let (mut sum, mut numbers, mut filled) = (0.0, 0u32, 0u32);
    // A range is walked by the values there are, never cell by cell: `A1:XFD1048576` costs
    // what the sheet holds.
    for (&(c, r), v) in values {
        if c < c0.min(c1) || c > c0.max(c1) || r < r0.min(r1) || r > r0.max(r1) {
            continue;
        }
        filled += 1;
        if let Value::Number(n) = v {
            sum += n;
            numbers += 1;
        }
    }
    match name {
        "SUM" => Some(sum),
        "COUNT" => Some(f64::from(numbers)),
        "COUNTA" => Some(f64::from(filled)),
        "AVERAGE" if numbers > 0 => Some(sum / f64::from(numbers)),
        _ => None,
    }
}

/// A number to 15 significant digits, as a spreadsheet keeps it (`0.6`, not
/// `0.6000000000000001`).
fn fifteen_digits(v: f64) -> f64 {
    format!("{v:.14e}").parse().unwrap_or(v)
}

/// Writes the cached value of each simple total of the filled sheets (`name`, `part`).
pub(super) fn totals(parts: &mut HashMap<String, String>, sheets: &[(String, String)]) {
    let all: HashMap<&str, Values> = sheets
        .iter()
        .filter_map(|(name, part)| parts.get(part).map(|xml| (name.as_str(), values(xml))))
        .collect();
    for (name, part) in sheets {
        let Some(xml) = parts.get(part) else { continue };
        let mut out = String::with_capacity(xml.len() + 256);
        let mut rest = xml.as_str();
        while let Some(i) = rest.find("<f>") {
            let Some(j) = rest[i..].find("</f>") else {
                break;
            };
            let formula = crate::word::xml::unescape(&rest[i + 3..i + j]);
            let after = i + j + 4;
            out.push_str(&rest[..after]);
            rest = &rest[after..];
            let cell_head = out.rfind("<c ").map(|c| &out[c..]).unwrap_or("");
            let plain = crate::word::xml::attr_of(cell_head, "t").is_none();
            let value = simple(&formula).filter(|_| plain).and_then(|t| {
                let values = all.get(t.sheet.as_deref().unwrap_or(name.as_str()))?;
                compute(t.function, values, t.from, t.to)
            });
            let Some(value) = value.filter(|v| v.is_finite()) else {
                continue;
            };
            // The value after the formula: replace the template's, or add one.
            if let Some(v) = rest.strip_prefix("<v>") {
                if let Some(k) = v.find("</v>") {
                    rest = &v[k + 4..];
                }
            } else if rest.starts_with("<v/>") {
                rest = &rest[4..];
            }
            out.push_str(&format!("<v>{}</v>", fifteen_digits(value)));
        }
        out.push_str(rest);
        parts.insert(part.clone(), out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_totals_are_computed_from_the_filled_cells() {
        let tasks = r#"<sheetData><row r="5"><c r="B5" t="inlineStr"><is><t>甲</t></is></c><c r="F5"><v>0.8</v></c></row><row r="6"><c r="B6" t="s"><v>3</v></c><c r="F6"><v>0.4</v></c></row><row r="8"><c r="F8"><f>AVERAGE(F5:F6)</f><v>0.8</v></c><c r="G8"><f>SUM($F$5:$F$6)</f></c><c r="H8"><f>COUNTA(B5:B6)&amp;"项"</f><v>x</v></c></row></sheetData>"#;
        let summary = r#"<sheetData><row r="2"><c r="B2"><f>COUNTA('周进展'!B5:B6)</f><v>1</v></c><c r="B3" t="str"><f>SUM(周进展!F5:F6)</f><v>s</v></c></row></sheetData>"#;
        let mut parts = HashMap::from([
            ("s1".to_string(), tasks.to_string()),
            ("s2".to_string(), summary.to_string()),
        ]);
        totals(
            &mut parts,
            &[("周进展".into(), "s1".into()), ("汇总".into(), "s2".into())],
        );
        let s1 = &parts["s1"];
        assert!(s1.contains("<f>AVERAGE(F5:F6)</f><v>0.6</v>"), "{s1}");
        assert!(s1.contains("<f>SUM($F$5:$F$6)</f><v>1.2</v>"), "{s1}");
        // Not a simple total: left to the spreadsheet.
        assert!(s1.contains("&amp;\"项\"</f><v>x</v>"), "{s1}");
        let s2 = &parts["s2"];
        assert!(s2.contains("<f>COUNTA('周进展'!B5:B6)</f><v>2</v>"), "{s2}");
        assert!(
            s2.contains("<v>s</v>"),
            "a text formula is left alone: {s2}"
        );
    }
}
