//! A sheet of a template as read: its cells with tags, its loops over rows paired, every
//! mistake named with its cell.

use std::collections::HashMap;

use super::{part_fault, refs};
use crate::word::xml::{self, Element, Node};
use crate::word::Fault;

/// The most elements (tags, counted by their `<`) one sheet of a template may have.
pub const MAX_ELEMENTS: usize = 500_000;

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

/// Rows `first..=last` shown only when `expr` is true (`{{#if}}`), or false (`{{#unless}}`).
#[derive(Debug, Clone)]
pub(super) struct Cond {
    pub(super) expr: String,
    pub(super) unless: bool,
    pub(super) first: u32,
    pub(super) last: u32,
}

impl Cond {
    /// The Handlebars template that writes `1` when the rows are shown.
    pub(super) fn source(&self) -> String {
        let h = if self.unless { "unless" } else { "if" };
        format!("{{{{#{h} {}}}}}1{{{{/{h}}}}}", self.expr)
    }
}

/// Takes a condition over rows out of a cell's text: an `{{#if …}}` (or `{{#unless …}}`)
/// that begins the cell without its close, or an `{{/if}}` that ends it without its open.
fn take_cond(
    source: &mut String,
    r: u32,
    open: &mut Option<(String, bool, u32)>,
    conds: &mut Vec<Cond>,
) -> Result<(), &'static str> {
    for (h, unless) in [("if", false), ("unless", true)] {
        let (o, c) = (format!("{{{{#{h} "), format!("{{{{/{h}}}}}"));
        let (opens, closes) = (source.matches(&o).count(), source.matches(&c).count());
        if opens > closes {
            let t = source.trim_start();
            if !t.starts_with(&o) || opens != closes + 1 {
                return Err("opens {{#if}} over rows somewhere else than at the start of the cell: a condition over rows begins its first cell and its {{/if}} ends a cell of its last row");
            }
            let at = source.len() - t.len();
            let end = source[at..]
                .find("}}")
                .ok_or("opens {{#if without closing the tag")?
                + at;
            if open.is_some() {
                return Err("opens a condition over rows inside another; close the first one ({{/if}}) before");
            }
            *open = Some((source[at + o.len()..end].trim().to_string(), unless, r));
            source.replace_range(at..end + 2, "");
        } else if closes > opens {
            let t = source.trim_end();
            if !t.ends_with(&c) || closes != opens + 1 {
                return Err("closes {{/if}} over rows somewhere else than at the end of the cell");
            }
            let Some((expr, u, first)) = open.take().filter(|o| o.1 == unless) else {
                return Err(
                    "closes a condition over rows ({{/if}}) that was never opened in a row above",
                );
            };
            conds.push(Cond {
                expr,
                unless: u,
                first,
                last: r,
            });
            source.replace_range(t.len() - c.len()..t.len(), "");
        }
    }
    Ok(())
}

pub(super) struct Sheet {
    pub(super) name: String,
    pub(super) part: String,
    pub(super) src: String,
    pub(super) loops: Vec<Loop>,
    pub(super) conds: Vec<Cond>,
    pub(super) cells: Vec<TagCell>,
    /// Its relationship in the workbook (`rId1`).
    pub(super) rid: String,
    /// Written once per item when its name is `{{#each …}}`.
    pub(super) repeat: Option<super::repeat::Repeat>,
    /// How many rows it has (a copy of it writes as many), and the number of its last.
    pub(super) rows: usize,
    pub(super) last_row: u32,
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
    // A sheet is held as a tree while it fills: its elements are counted first, so a sheet of
    // millions of empty styled rows is refused before it takes memory.
    let elements = memchr::memchr_iter(b'<', src.as_bytes()).count();
    if elements > MAX_ELEMENTS {
        return Err(part_fault(
            part,
            format!("has {elements} elements (an empty styled row is one); a template sheet may have at most {MAX_ELEMENTS}"),
        ));
    }
    let mut tree = xml::parse(&src).map_err(|m| part_fault(part, m))?;
    let ws = xml::elements(&tree)
        .next()
        .ok_or_else(|| part_fault(part, "is empty"))?;
    let mut cells = Vec::new();
    let mut loops = Vec::new();
    let mut open: Option<(String, u32)> = None;
    let mut conds = Vec::new();
    let mut open_cond: Option<(String, bool, u32)> = None;
    let rows = ws
        .child("sheetData")
        .map_or(0, |d| d.elements().filter(|e| e.name == "row").count());
    let last_row = ws
        .child("sheetData")
        .and_then(|d| d.elements().filter_map(row_number).max())
        .unwrap_or(0);
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
                take_cond(&mut source, r, &mut open_cond, &mut conds)
                    .map_err(|m| tag_fault(part, &at, &text, m))?;
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
    if let Some((expr, _, first)) = open_cond {
        return Err(Fault::Tag {
            part: part.to_string(),
            paragraph: format!("row {first}"),
            tag: format!("{{{{#if {expr}}}}}"),
            message: "is never closed: put {{/if}} at the end of a cell of the last row it hides"
                .into(),
        });
    }
    for c in &conds {
        for l in &loops {
            let inside = c.first >= l.first && c.last <= l.last;
            let around = l.first >= c.first && l.last <= c.last;
            let apart = c.last < l.first || c.first > l.last;
            if !(inside || around || apart) {
                return Err(Fault::Tag {
                    part: part.to_string(),
                    paragraph: format!("rows {}–{}", c.first, c.last),
                    tag: format!("{{{{#if {}}}}}", c.expr),
                    message: format!(
                        "overlaps the loop over rows {}–{} ({{{{#each {}}}}}): a condition over rows lies inside a loop's rows or around all of them",
                        l.first, l.last, l.expr
                    ),
                });
            }
        }
    }
    // Rows of a loop are written once per item: a shared formula there would have its
    // master written many times. Each cell that shares one gets the formula as it reads there.
    let src = if !loops.is_empty() && src.contains("t=\"shared\"") {
        expand_shared(&mut tree);
        super::follow::serialize(&tree)
    } else {
        src
    };
    Ok(Sheet {
        name: name.to_string(),
        part: part.to_string(),
        src,
        loops,
        conds,
        cells,
        rid: String::new(),
        repeat: super::repeat::parse(name),
        rows,
        last_row,
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

/// A cell's column number and row from its reference (`F6` → (6, 6)).
fn place(at: &str) -> Option<(u32, u32)> {
    let letters = at.trim_end_matches(|c: char| c.is_ascii_digit());
    let row = at[letters.len()..].parse().ok()?;
    Some((refs::column_number(letters), row))
}

/// Every shared formula of a sheet written out in each cell that shares it.
fn expand_shared(tree: &mut [Node]) {
    fn cells(nodes: &mut [Node], f: &mut dyn FnMut(&str, &mut Element)) {
        for n in nodes {
            let Node::El(e) = n else { continue };
            if e.name == "c" {
                let at = e.attr("r").unwrap_or_default();
                for c in e.children.iter_mut() {
                    if let Node::El(fe) = c {
                        if fe.name == "f" && fe.attr("t").as_deref() == Some("shared") {
                            f(&at, fe);
                        }
                    }
                }
            } else if matches!(e.name.as_str(), "worksheet" | "sheetData" | "row") {
                cells(&mut e.children, f);
            }
        }
    }
    let mut masters: HashMap<String, (String, u32, u32)> = HashMap::new();
    cells(tree, &mut |at, f| {
        if let (Some(si), Some(_), Some((col, row))) = (f.attr("si"), f.attr("ref"), place(at)) {
            masters.entry(si).or_insert((f.text(), col, row));
        }
    });
    cells(tree, &mut |at, f| {
        let text = match (f.attr("si").and_then(|si| masters.get(&si)), place(at)) {
            (Some((master, mc, mr)), Some((col, row))) => refs::shift(
                master,
                i64::from(row) - i64::from(*mr),
                i64::from(col) - i64::from(*mc),
            ),
            _ => return,
        };
        *f = Element {
            name: "f".into(),
            start: "<f>".into(),
            end: Some("</f>".into()),
            children: vec![Node::Text(xml::escape(&text))],
            ..Element::default()
        };
    });
}
