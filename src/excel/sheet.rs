//! A sheet of a template as read: its cells with tags, its loops over rows paired, every
//! mistake named with its cell.

use super::part_fault;
use crate::word::xml::{self, Element, Node};
use crate::word::Fault;

/// A cell of the template with tags.
#[derive(Debug, Clone)]
pub(super) struct TagCell {
    /// Index of the row in the sheet's `sheetData`, and of the cell in the row.
    pub(super) row: usize,
    pub(super) cell: usize,
    /// The cell's reference (`B5`) and its row's number.
    pub(super) at: String,
    pub(super) row_number: u32,
    /// The text with the loop markers taken out: a Handlebars template.
    pub(super) source: String,
    /// The expression of a cell that holds one value tag and nothing else.
    pub(super) single: Option<String>,
}

/// A loop over rows: rows `first..=last` (template row numbers) repeat over `expr`.
#[derive(Debug, Clone)]
pub(super) struct Loop {
    pub(super) expr: String,
    pub(super) first: u32,
    pub(super) last: u32,
}

pub(super) struct Sheet {
    pub(super) name: String,
    pub(super) part: String,
    pub(super) src: String,
    pub(super) loops: Vec<Loop>,
    pub(super) cells: Vec<TagCell>,
}

/// The text of a cell: its shared string, inline string or value.
pub(super) fn cell_text(c: &Element, shared: &[String]) -> Option<String> {
    match c.attr("t").as_deref() {
        Some("s") => {
            let i: usize = c.child("v")?.text().trim().parse().ok()?;
            shared.get(i).cloned()
        }
        Some("inlineStr") => Some(c.child("is")?.text()),
        _ => None,
    }
}

/// The row number of a `<row>` (its `r`).
pub(super) fn row_number(r: &Element) -> Option<u32> {
    r.attr("r")?.parse().ok()
}

/// The text of a shared string (rich text runs joined; phonetic runs left out).
pub(super) fn si_text(si: &Element) -> String {
    let mut out = String::new();
    for c in si.elements() {
        match c.name.as_str() {
            "t" => out.push_str(&c.text()),
            "r" => {
                if let Some(t) = c.child("t") {
                    out.push_str(&t.text())
                }
            }
            _ => {}
        }
    }
    out
}

/// Reads a sheet: its tagged cells, its loops paired.
pub(super) fn read_sheet(
    name: &str,
    part: &str,
    src: String,
    shared: &[String],
) -> Result<Sheet, Fault> {
    let tree = xml::parse(&src).map_err(|m| part_fault(part, m))?;
    let ws = xml::elements(&tree)
        .next()
        .ok_or_else(|| part_fault(part, "is empty"))?;
    let mut cells = Vec::new();
    let mut loops = Vec::new();
    let mut open: Option<(String, u32)> = None;
    if let Some(data) = ws.child("sheetData") {
        for (ri, n) in data.children.iter().enumerate() {
            let Node::El(row) = n else { continue };
            let Some(r) = row_number(row) else { continue };
            for (ci, c) in row.children.iter().enumerate() {
                let Node::El(c) = c else { continue };
                let Some(text) = cell_text(c, shared) else {
                    continue;
                };
                if !text.contains("{{") {
                    if text.contains("｛｛") {
                        return Err(Fault::Tag {
                            part: part.to_string(),
                            paragraph: text.clone(),
                            tag: "｛｛".into(),
                            message: "is typed with full-width braces (｛｛ ｝｝) from a Chinese input method: type tags with half-width {{ }}".into(),
                        });
                    }
                    continue;
                }
                let at = c.attr("r").unwrap_or_default();
                let mut source = text.clone();
                if let Some(i) = source.find("{{#each ") {
                    let end = source[i..].find("}}").ok_or_else(|| {
                        tag_fault(part, &at, &text, "opens {{#each without closing the tag")
                    })? + i;
                    let expr = source[i + 8..end].trim().to_string();
                    if open.is_some() {
                        return Err(tag_fault(part, &at, &text, "opens a loop inside a loop over rows; close the first one ({{/each}}) before"));
                    }
                    open = Some((expr, r));
                    source.replace_range(i..end + 2, "");
                }
                if let Some(i) = source.find("{{/each}}") {
                    let Some((expr, first)) = open.take() else {
                        return Err(tag_fault(
                            part,
                            &at,
                            &text,
                            "closes a loop ({{/each}}) that was never opened in a row above",
                        ));
                    };
                    loops.push(Loop {
                        expr,
                        first,
                        last: r,
                    });
                    source.replace_range(i..i + 9, "");
                }
                let trimmed = source.trim();
                let single = (trimmed.starts_with("{{")
                    && trimmed.ends_with("}}")
                    && trimmed.matches("{{").count() == 1
                    && !trimmed[2..].starts_with(['#', '/', '!', '>', '{']))
                .then(|| trimmed[2..trimmed.len() - 2].trim().to_string());
                cells.push(TagCell {
                    row: ri,
                    cell: ci,
                    at,
                    row_number: r,
                    source,
                    single,
                });
            }
        }
    }
    if let Some((expr, first)) = open {
        return Err(Fault::Tag {
            part: part.to_string(),
            paragraph: format!("row {first}"),
            tag: format!("{{{{#each {expr}}}}}"),
            message: "is never closed: put {{/each}} in a cell of the loop's last row".into(),
        });
    }
    Ok(Sheet {
        name: name.to_string(),
        part: part.to_string(),
        src,
        loops,
        cells,
    })
}

pub(super) fn tag_fault(part: &str, cell: &str, text: &str, message: &str) -> Fault {
    Fault::Tag {
        part: part.to_string(),
        paragraph: format!("{cell}: {text}"),
        tag: text.to_string(),
        message: message.to_string(),
    }
}
