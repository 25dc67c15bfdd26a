//! A sheet repeated once per item: a sheet named `{{#each doc.departments}}` (optionally
//! followed by a name, `{{#each doc.departments}}{{name}}`) is written once per item, each copy
//! named from its item and made safe for Excel (31 characters, none of `[]:*?/\`, unique), the
//! item the context of its cells. The first copy keeps the template's part, drawings and
//! tables; later copies are new parts with the cells, merges, formats and validations, but not
//! the drawings, tables or comments (a part of those belongs to one sheet). The workbook's
//! sheet list, defined names (print areas and titles of each copy), active tab, relationships
//! and content types follow.

use std::collections::HashSet;

use serde_json::Value;

use super::follow::{remove_attr, set_attr};
use crate::word::xml::{self, Element, Node};

/// The most sheets a repeated sheet may be written as.
pub const MAX_SHEETS: usize = 1_000;

/// A sheet's name read as a repetition: the list, and the template of each copy's name.
#[derive(Debug, Clone)]
pub(super) struct Repeat {
    pub(super) expr: String,
    pub(super) name: Option<String>,
}

/// `{{#each doc.departments}}{{name}}` → the list `doc.departments`, names `{{name}}`.
pub(super) fn parse(sheet_name: &str) -> Option<Repeat> {
    let rest = sheet_name.trim().strip_prefix("{{#each ")?;
    let end = rest.find("}}")?;
    let name = rest[end + 2..].trim();
    Some(Repeat {
        expr: rest[..end].trim().to_string(),
        name: (!name.is_empty()).then(|| name.to_string()),
    })
}

/// A copy's name when its template gives none: the item's `name`, the item itself when it is
/// text or a number, else empty.
pub(super) fn default_name(item: &Value) -> String {
    match item {
        Value::Object(o) => match o.get("name") {
            Some(Value::String(s)) => s.clone(),
            _ => String::new(),
        },
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

/// A name Excel accepts, unique among `taken` (compared as Excel does, ignoring case): the
/// characters `[]:*?/\` and control characters left out, no `'` at either end, at most 31
/// characters (UTF-16 units), `表{k+1}` when nothing is left, ` (2)`… when taken.
pub(super) fn safe_name(raw: &str, k: usize, taken: &mut HashSet<String>) -> String {
    let clean: String = raw
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') && !c.is_control())
        .collect();
    let clean = clean.trim().trim_matches('\'').trim();
    let base = if clean.is_empty() || clean.eq_ignore_ascii_case("history") {
        format!("表{}", k + 1)
    } else {
        clean.to_string()
    };
    let fit = |s: &str, room: usize| -> String {
        let mut out = String::new();
        let mut units = 0;
        for c in s.chars() {
            units += c.len_utf16();
            if units > room {
                break;
            }
            out.push(c);
        }
        out.trim_end_matches('\'').to_string()
    };
    let mut name = fit(&base, 31);
    let mut n = 2;
    while taken.contains(&name.to_lowercase()) {
        let suffix = format!(" ({n})");
        name = format!("{}{suffix}", fit(&base, 31 - suffix.len()));
        n += 1;
    }
    taken.insert(name.to_lowercase());
    name
}

/// A sheet as written: the template sheet it comes from, its name, its part, the item it is
/// written for (with its index and the list's length) and which copy it is.
#[derive(Debug, Clone)]
pub(super) struct Instance {
    pub(super) sheet: usize,
    pub(super) name: String,
    pub(super) part: String,
    pub(super) item: Option<(Value, usize, usize)>,
    pub(super) copy: usize,
    /// The workbook relationship of a new part.
    pub(super) rid: Option<String>,
}

/// A name as a formula writes it before `!`: always quoted, quotes doubled.
pub(super) fn quoted(name: &str) -> String {
    format!("'{}'", name.replace('\'', "''"))
}

/// A formula (or range) with references to `from`'s sheet made references to `to`.
pub(super) fn renamed(text: &str, renames: &[(String, String)]) -> String {
    let mut out = text.to_string();
    for (from, to) in renames {
        let q = format!("{}!", quoted(from));
        if out.contains(&q) {
            out = out.replace(&q, &format!("{}!", quoted(to)));
        }
    }
    out
}

/// A later copy of a sheet without what belongs to one sheet only: drawings (and the charts
/// and pictures in them), tables, comments, controls, embedded objects, a background picture;
/// not selected (only one tab is).
pub(super) fn strip_copy(ws: &mut Element) {
    ws.children.retain(|n| {
        !matches!(n, Node::El(e) if matches!(e.name.as_str(),
            "drawing" | "legacyDrawing" | "legacyDrawingHF" | "tableParts" | "picture"
                | "controls" | "oleObjects"))
    });
    for n in ws.children.iter_mut() {
        let Node::El(e) = n else { continue };
        match e.name.as_str() {
            "pageSetup" => e.start = remove_attr(&e.start, "r:id"),
            "sheetViews" => {
                for v in e.children.iter_mut() {
                    if let Node::El(v) = v {
                        v.start = remove_attr(&v.start, "tabSelected");
                    }
                }
            }
            // A hyperlink to a place in the workbook stays; one to a file or address needs a
            // relationship of the sheet's, which a copy keeps (external ones only).
            _ => {}
        }
    }
}

/// The relationships a later copy keeps: the external ones (hyperlinks to addresses).
pub(super) fn copy_rels(rels: &str) -> Option<String> {
    let tree = xml::parse(rels).ok()?;
    let root = xml::elements(&tree).next()?;
    let kept: String = root
        .elements()
        .filter(|r| r.attr("TargetMode").as_deref() == Some("External"))
        .map(|r| r.start.clone())
        .collect();
    (!kept.is_empty()).then(|| {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">{kept}</Relationships>"
        )
    })
}

/// The workbook's sheet list, defined names and active tab for the sheets as written.
/// `order` is, for each `<sheet>` of the template in order, the template sheet it is (by index).
pub(super) fn workbook(
    root: &mut Element,
    order: &[Option<usize>],
    instances: &[Instance],
    renames: &[(String, String)],
) {
    // Where each template position goes: the positions of its copies.
    let mut positions: Vec<Vec<usize>> = Vec::new();
    let mut next_id = 0u32;
    let mut at = 0usize;
    for n in root.children.iter() {
        let Node::El(e) = n else { continue };
        if e.name == "sheets" {
            for s in e.elements() {
                next_id = next_id.max(s.attr("sheetId").and_then(|v| v.parse().ok()).unwrap_or(0));
            }
        }
    }
    for n in root.children.iter_mut() {
        let Node::El(e) = n else { continue };
        if e.name != "sheets" {
            continue;
        }
        let old = std::mem::take(&mut e.children);
        let mut i = 0;
        for n in old {
            let Node::El(s) = n else { continue };
            let copies: Vec<&Instance> = match order.get(i).copied().flatten() {
                Some(si) => instances.iter().filter(|x| x.sheet == si).collect(),
                None => Vec::new(),
            };
            i += 1;
            if copies.is_empty() {
                positions.push(vec![at]);
                at += 1;
                e.children.push(Node::El(s));
                continue;
            }
            let mut here = Vec::new();
            for inst in copies {
                let mut c = s.clone();
                c.start = set_attr(&c.start, "name", &inst.name);
                if let Some(rid) = &inst.rid {
                    next_id += 1;
                    c.start = set_attr(&c.start, "sheetId", &next_id.to_string());
                    c.start = set_attr(&c.start, "r:id", rid);
                }
                e.children.push(Node::El(c));
                here.push(at);
                at += 1;
            }
            positions.push(here);
        }
    }
    for n in root.children.iter_mut() {
        let Node::El(e) = n else { continue };
        match e.name.as_str() {
            "definedNames" => {
                let old = std::mem::take(&mut e.children);
                for n in old {
                    let Node::El(d) = n else {
                        e.children.push(n);
                        continue;
                    };
                    let local = d.attr("localSheetId").and_then(|v| v.parse::<usize>().ok());
                    let template = local.and_then(|l| order.get(l).copied().flatten());
                    let copies: Vec<&Instance> = template
                        .map(|si| instances.iter().filter(|x| x.sheet == si).collect())
                        .unwrap_or_default();
                    let Some(l) = local.filter(|_| copies.len() > 1) else {
                        // Global, or local to one sheet: renamed, its index where it went.
                        let mut d = d;
                        if let Some(p) =
                            local.and_then(|l| positions.get(l)).and_then(|p| p.first())
                        {
                            d.start = set_attr(&d.start, "localSheetId", &p.to_string());
                        }
                        let text = renamed(&d.text(), renames);
                        d.children = vec![Node::Text(xml::escape(&text))];
                        e.children.push(Node::El(d));
                        continue;
                    };
                    // Local to a repeated sheet (its print area, its titles): one per copy.
                    let from = &renames
                        .iter()
                        .find(|r| Some(&r.1) == copies.first().map(|c| &c.name));
                    for (inst, p) in copies.iter().zip(&positions[l]) {
                        let mut c = d.clone();
                        c.start = set_attr(&c.start, "localSheetId", &p.to_string());
                        let text = match from {
                            Some((template, _)) => {
                                renamed(&d.text(), &[(template.clone(), inst.name.clone())])
                            }
                            None => d.text(),
                        };
                        c.children = vec![Node::Text(xml::escape(&text))];
                        e.children.push(Node::El(c));
                    }
                }
            }
            "bookViews" => {
                for v in e.children.iter_mut() {
                    let Node::El(v) = v else { continue };
                    for key in ["activeTab", "firstSheet"] {
                        if let Some(p) = v
                            .attr(key)
                            .and_then(|a| a.parse::<usize>().ok())
                            .and_then(|a| positions.get(a))
                            .and_then(|p| p.first())
                        {
                            v.start = set_attr(&v.start, key, &p.to_string());
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

/// `[Content_Types].xml` with an override for each new sheet part.
pub(super) fn content_types(xml: &str, parts: &[&str]) -> String {
    let add: String = parts
        .iter()
        .map(|p| format!("<Override PartName=\"/{p}\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"))
        .collect();
    match xml.rfind("</Types>") {
        Some(i) => format!("{}{add}{}", &xml[..i], &xml[i..]),
        None => xml.to_string(),
    }
}

/// The workbook's relationships with one for each new sheet part (`rid`, `part`).
pub(super) fn workbook_rels(xml: &str, new: &[(&str, &str)]) -> String {
    let add: String = new
        .iter()
        .map(|(rid, part)| {
            let target = part.strip_prefix("xl/").unwrap_or(part);
            format!("<Relationship Id=\"{rid}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"{target}\"/>")
        })
        .collect();
    match xml.rfind("</Relationships>") {
        Some(i) => format!("{}{add}{}", &xml[..i], &xml[i..]),
        None => xml.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_excel_accepts() {
        let mut taken = HashSet::from(["汇总".to_string()]);
        assert_eq!(safe_name("市场部", 0, &mut taken), "市场部");
        assert_eq!(safe_name("市场部", 1, &mut taken), "市场部 (2)");
        assert_eq!(safe_name("汇总", 2, &mut taken), "汇总 (2)");
        assert_eq!(safe_name("a/b:c[d]*?", 3, &mut taken), "abcd");
        assert_eq!(safe_name("  ''  ", 4, &mut taken), "表5");
        assert_eq!(safe_name("History", 5, &mut taken), "表6");
        let long = "研".repeat(40);
        let a = safe_name(&long, 6, &mut taken);
        assert_eq!(a.chars().count(), 31);
        let b = safe_name(&long, 7, &mut taken);
        assert!(b.ends_with(" (2)") && b.encode_utf16().count() <= 31, "{b}");
        let emoji = safe_name(&"😀".repeat(20), 8, &mut taken);
        assert!(emoji.encode_utf16().count() <= 31);
        assert_eq!(
            parse("{{#each doc.departments}}{{name}}").map(|r| (r.expr, r.name)),
            Some(("doc.departments".into(), Some("{{name}}".into())))
        );
        assert!(parse("周进展").is_none());
        assert_eq!(
            renamed(
                "SUM('{{#each x}}'!A1)",
                &[("{{#each x}}".into(), "市场'部".into())]
            ),
            "SUM('市场''部'!A1)"
        );
    }
}
