//! References followed in the parts of a workbook: ranges in attributes (`sqref`, `ref`),
//! formula texts, chart series; start tags edited in place; a part written back.

use std::collections::HashMap;

use super::refs::{self, RowMap};
use crate::word::xml::{self, Element, Node};

/// A part's tree written back.
pub(super) fn serialize(tree: &[Node]) -> String {
    let mut out = String::new();
    let copy = |t: &str, o: &mut String| o.push_str(t);
    xml::write(tree, &mut out, &copy, &copy, &|_, _, _| {});
    out
}

/// The rows of `A5:B7`.
pub(super) fn range_rows(range: &str) -> Option<(u32, u32)> {
    let row = |s: &str| -> Option<u32> {
        s.trim_start_matches(|c: char| c.is_ascii_alphabetic() || c == '$')
            .replace('$', "")
            .parse()
            .ok()
    };
    let (a, b) = range.split_once(':').unwrap_or((range, range));
    Some((row(a)?, row(b)?))
}

/// The `sqref`/`ref` attributes and formula texts of an element and those below it.
pub(super) fn rewrite_ranges(e: &mut Element, sheet: &str, maps: &HashMap<String, RowMap>) {
    for key in ["sqref", "ref"] {
        if let Some(v) = e.attr(key) {
            // A conditional format or validation on one cell of a repeated row covers every
            // copy: the cell is read as a one-cell range, which grows.
            let v = if key == "sqref" {
                v.split_whitespace()
                    .map(|r| {
                        if r.contains(':') {
                            r.to_string()
                        } else {
                            format!("{r}:{r}")
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            } else {
                v
            };
            let new = refs::rewrite(&v, sheet, maps, None);
            if new != v {
                e.start = set_attr(&e.start, key, &new);
            }
        }
    }
    if matches!(
        e.name.as_str(),
        "formula" | "formula1" | "formula2" | "f" | "xm:f"
    ) {
        let old = e.text();
        let new = refs::rewrite(&old, sheet, maps, None);
        if new != old {
            e.children = vec![Node::Text(xml::escape(&new))];
        }
        return;
    }
    for c in e.children.iter_mut() {
        if let Node::El(c) = c {
            rewrite_ranges(c, sheet, maps);
        }
    }
}

/// The text of every `<c:f>…</c:f>` (or `<f>`, where the chart namespace is the default)
/// rewritten: chart series and categories. A series of one cell of a repeated row grows over
/// every copy.
pub(super) fn rewrite_element_text(text: &str, maps: &HashMap<String, RowMap>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let next = ["<c:f>", "<f>"]
            .iter()
            .filter_map(|open| rest.find(open).map(|i| (i, *open)))
            .min();
        let Some((i, open)) = next else { break };
        let close = if open == "<c:f>" { "</c:f>" } else { "</f>" };
        let after = &rest[i + open.len()..];
        let Some(j) = after.find(close) else { break };
        out.push_str(&rest[..i + open.len()]);
        let inner = one_cell_as_range(&xml::unescape(&after[..j]));
        out.push_str(&xml::escape(&refs::rewrite(&inner, "", maps, None)));
        rest = &after[j..];
    }
    out.push_str(rest);
    out
}

/// `Sheet!$F$5` → `Sheet!$F$5:$F$5`; anything else as it is.
pub(super) fn one_cell_as_range(r: &str) -> String {
    let (sheet, cell) = match r.rfind('!') {
        Some(i) => (&r[..=i], &r[i + 1..]),
        None => ("", r),
    };
    let plain = !cell.is_empty()
        && cell.chars().all(|c| c.is_ascii_alphanumeric() || c == '$')
        && cell.chars().any(|c| c.is_ascii_digit());
    if plain {
        format!("{sheet}{cell}:{cell}")
    } else {
        r.to_string()
    }
}

/// An XML text with every empty element whose attributes mention `needle` left out.
pub(super) fn drop_elements_naming(xml: &str, needle: &str) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let Some(end) = rest[i..].find('>') else {
            break;
        };
        let tag = &rest[i..=i + end];
        if !(tag.ends_with("/>") && tag.contains(needle)) {
            out.push_str(tag);
        }
        rest = &rest[i + end + 1..];
    }
    out.push_str(rest);
    out
}

/// A start tag with attribute `key` set to `value` (added when missing).
pub(super) fn set_attr(start: &str, key: &str, value: &str) -> String {
    let value = xml::escape(value).replace('"', "&quot;");
    let pat = format!(" {key}=\"");
    if let Some(i) = start.find(&pat) {
        let v = i + pat.len();
        if let Some(len) = start[v..].find('"') {
            return format!("{}{value}{}", &start[..v], &start[v + len..]);
        }
    }
    let at = start
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap_or(start.len());
    format!("{} {key}=\"{value}\"{}", &start[..at], &start[at..])
}

pub(super) fn remove_attr(start: &str, key: &str) -> String {
    let pat = format!(" {key}=\"");
    match start.find(&pat) {
        Some(i) => {
            let v = i + pat.len();
            match start[v..].find('"') {
                Some(len) => format!("{}{}", &start[..i], &start[v + len + 1..]),
                None => start.to_string(),
            }
        }
        None => start.to_string(),
    }
}
