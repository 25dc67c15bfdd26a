//! A filled workbook as one HTML page, for a preview: each visible sheet a table under its
//! name — merged cells spanned, hidden rows left out, numbers as their formats show them
//! (dates as dates, percentages as percentages), a formula its saved value or, without one,
//! its text. The workbook itself is the file; this is what a person looks at before
//! downloading it.

use std::collections::{HashMap, HashSet};

use super::follow::range_rows;
use super::refs::column_number;
use super::sheet::si_text;
use crate::word::package::{resolve, Package, PackageLimits};
use crate::word::xml::{self, escape, Element};
use crate::word::Fault;

/// The most rows of one sheet the preview shows; the rest are counted.
const MAX_ROWS: usize = 5_000;

const CSS: &str = "body{font-family:\"Noto Sans CJK SC\",\"Microsoft YaHei\",\"PingFang SC\",sans-serif;margin:16px;color:#222}h2{font-size:16px;margin:24px 0 8px}table{border-collapse:collapse;font-size:13px}td{border:1px solid #c8c8c8;padding:3px 6px;vertical-align:top;white-space:pre-wrap}td.n{text-align:right}td.f{color:#666}p.more{color:#666}td.gap{border:none;height:12px}";

/// How a cell's number is shown, from its style's number format.
#[derive(Clone, Copy, PartialEq)]
enum Shown {
    Plain,
    Date,
    Percent(usize),
}

fn number_formats(package: &Package, limits: PackageLimits) -> Vec<Shown> {
    let Ok(text) = package.text("xl/styles.xml", limits) else {
        return Vec::new();
    };
    let Ok(tree) = xml::parse(&text) else {
        return Vec::new();
    };
    let Some(root) = xml::elements(&tree).next() else {
        return Vec::new();
    };
    let custom: HashMap<u32, String> = root
        .child("numFmts")
        .into_iter()
        .flat_map(|n| n.elements())
        .filter_map(|f| Some((f.attr("numFmtId")?.parse().ok()?, f.attr("formatCode")?)))
        .collect();
    let shown = |id: u32| -> Shown {
        match id {
            9 => Shown::Percent(0),
            10 => Shown::Percent(2),
            14..=22 | 27..=36 | 45..=47 | 50..=58 => Shown::Date,
            _ => match custom.get(&id) {
                Some(code) => {
                    let code: String = code.split('"').step_by(2).collect();
                    if code.contains('%') {
                        let decimals = code
                            .split('.')
                            .nth(1)
                            .map_or(0, |d| d.chars().take_while(|c| *c == '0').count());
                        Shown::Percent(decimals)
                    } else if code.contains(['y', 'd']) || code.contains("m/") {
                        Shown::Date
                    } else {
                        Shown::Plain
                    }
                }
                None => Shown::Plain,
            },
        }
    };
    root.child("cellXfs")
        .into_iter()
        .flat_map(|x| x.elements())
        .map(|xf| {
            shown(
                xf.attr("numFmtId")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0),
            )
        })
        .collect()
}

/// A date serial as `2026-07-10`.
fn date_text(serial: f64) -> Option<String> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64 - 25_569;
    Some(crate::values::Date::from_days(days).iso())
}

/// A cell's text as shown, and whether it is a number.
fn shown(c: &Element, shared: &[String], formats: &[Shown]) -> (String, bool, bool) {
    let v = c.child("v").map(|v| v.text());
    let formula = c.child("f").map(|f| f.text());
    match c.attr("t").as_deref() {
        Some("s") => {
            let text = v
                .and_then(|i| i.trim().parse::<usize>().ok())
                .and_then(|i| shared.get(i).cloned())
                .unwrap_or_default();
            (text, false, false)
        }
        Some("inlineStr") => (c.child("is").map(si_text).unwrap_or_default(), false, false),
        Some("b") => (
            if v.as_deref() == Some("1") {
                "TRUE"
            } else {
                "FALSE"
            }
            .into(),
            false,
            false,
        ),
        Some("str") | Some("e") => (v.unwrap_or_default(), false, false),
        _ => match (v.and_then(|v| v.trim().parse::<f64>().ok()), formula) {
            (Some(n), _) => {
                let style = c
                    .attr("s")
                    .and_then(|s| s.parse::<usize>().ok())
                    .and_then(|s| formats.get(s).copied())
                    .unwrap_or(Shown::Plain);
                let text = match style {
                    Shown::Date => date_text(n).unwrap_or_else(|| n.to_string()),
                    Shown::Percent(d) => format!("{:.*}%", d, n * 100.0),
                    Shown::Plain => n.to_string(),
                };
                (text, true, false)
            }
            (None, Some(f)) => (format!("={f}"), false, true),
            (None, None) => (String::new(), false, false),
        },
    }
}

/// The filled workbook `bytes` as one HTML page titled `title`.
pub fn html(bytes: Vec<u8>, title: &str) -> Result<String, Fault> {
    let limits = PackageLimits::default();
    let package = Package::open(bytes, limits).map_err(Fault::Package)?;
    let shared: Vec<String> = package
        .text("xl/sharedStrings.xml", limits)
        .ok()
        .and_then(|t| xml::parse(&t).ok())
        .map(|tree| {
            xml::elements(&tree)
                .flat_map(|sst| sst.elements().filter(|e| e.name == "si").map(si_text))
                .collect()
        })
        .unwrap_or_default();
    let formats = number_formats(&package, limits);
    let wb_text = package
        .text("xl/workbook.xml", limits)
        .map_err(Fault::Package)?;
    let wb = xml::parse(&wb_text).map_err(|m| super::part_fault("xl/workbook.xml", m))?;
    let rels = super::rels(&package, "xl/_rels/workbook.xml.rels", limits);
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{}</title><style>{CSS}</style></head><body>",
        escape(title)
    );
    for s in xml::elements(&wb)
        .flat_map(|root| root.child("sheets").into_iter().flat_map(|s| s.elements()))
    {
        if s.attr("state").is_some_and(|v| v != "visible") {
            continue;
        }
        let (Some(name), Some(target)) = (
            s.attr("name"),
            s.attr("r:id").and_then(|id| rels.get(&id).cloned()),
        ) else {
            continue;
        };
        crate::budget::check().map_err(|e| Fault::Stopped(e.to_string()))?;
        let part = resolve("xl", &target);
        let text = package.text(&part, limits).map_err(Fault::Package)?;
        let tree = xml::parse(&text).map_err(|m| super::part_fault(&part, m))?;
        let Some(ws) = xml::elements(&tree).next() else {
            continue;
        };
        out.push_str(&format!("<h2>{}</h2>", escape(&name)));
        sheet_table(ws, &shared, &formats, &mut out);
    }
    out.push_str("</body></html>\n");
    Ok(out)
}

/// One sheet's rows as a table.
fn sheet_table(ws: &Element, shared: &[String], formats: &[Shown], out: &mut String) {
    // Merges: the top-left cell spans; the others are covered.
    let mut spans: HashMap<(u32, u32), (u32, u32)> = HashMap::new();
    let mut covered: HashSet<(u32, u32)> = HashSet::new();
    for m in ws
        .child("mergeCells")
        .into_iter()
        .flat_map(|m| m.elements())
    {
        let Some(range) = m.attr("ref") else { continue };
        let (Some((r1, r2)), Some((a, b))) = (range_rows(&range), range.split_once(':')) else {
            continue;
        };
        let col = |s: &str| column_number(s.trim_end_matches(|c: char| c.is_ascii_digit()));
        let (c1, c2) = (col(a), col(b));
        if r2 < r1 || c2 < c1 || (r2 - r1) > 10_000 || (c2 - c1) > 1_000 {
            continue;
        }
        spans.insert((r1, c1), (r2 - r1 + 1, c2 - c1 + 1));
        for r in r1..=r2 {
            for c in c1..=c2 {
                if (r, c) != (r1, c1) {
                    covered.insert((r, c));
                }
            }
        }
    }
    let rows: Vec<&Element> = ws
        .child("sheetData")
        .into_iter()
        .flat_map(|d| d.elements())
        .filter(|r| r.name == "row")
        .collect();
    let place = |c: &Element| -> Option<(u32, u32)> {
        let at = c.attr("r")?;
        let letters = at.trim_end_matches(|ch: char| ch.is_ascii_digit());
        Some((at[letters.len()..].parse().ok()?, column_number(letters)))
    };
    let last_col = rows
        .iter()
        .flat_map(|r| r.elements())
        .filter_map(|c| place(c).map(|p| p.1))
        .max()
        .unwrap_or(0)
        .min(200);
    out.push_str("<table>");
    let mut previous: Option<u32> = None;
    for row in rows.iter().take(MAX_ROWS) {
        let Some(r) = row.attr("r").and_then(|r| r.parse::<u32>().ok()) else {
            continue;
        };
        // Empty rows between (up to two), as the sheet spaces its blocks; hidden rows are
        // not shown and leave no gap.
        let gap = previous.map_or(0, |p| r.saturating_sub(p + 1)).min(2);
        previous = Some(r);
        if row.attr("hidden").as_deref() == Some("1") {
            continue;
        }
        for _ in 0..gap {
            out.push_str(&format!(
                "<tr><td colspan=\"{last_col}\" class=\"gap\"></td></tr>"
            ));
        }
        let cells: HashMap<u32, &Element> = row
            .elements()
            .filter_map(|c| place(c).map(|p| (p.1, c)))
            .collect();
        out.push_str("<tr>");
        for col in 1..=last_col {
            if covered.contains(&(r, col)) {
                continue;
            }
            let (text, number, formula) = cells
                .get(&col)
                .map(|c| shown(c, shared, formats))
                .unwrap_or_default();
            out.push_str("<td");
            if let Some((rs, cs)) = spans.get(&(r, col)) {
                if *rs > 1 {
                    out.push_str(&format!(" rowspan=\"{rs}\""));
                }
                if *cs > 1 {
                    out.push_str(&format!(" colspan=\"{cs}\""));
                }
            }
            if number {
                out.push_str(" class=\"n\"");
            } else if formula {
                out.push_str(" class=\"f\"");
            }
            out.push('>');
            out.push_str(&escape(&text));
            out.push_str("</td>");
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
    if rows.len() > MAX_ROWS {
        out.push_str(&format!(
            "<p class=\"more\">… 另有 {} 行未在预览中显示（下载 XLSX 查看全部）</p>",
            rows.len() - MAX_ROWS
        ));
    }
}
