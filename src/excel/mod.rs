//! Excel and WPS 表格 templates: the office's own `.xlsx`, its cells' tags filled from the same
//! view a kind's built-in template gets, in the same Handlebars language.
//!
//! A cell's text may hold tags anywhere (`第{{doc.week}}周`); a cell that holds one value tag
//! and nothing else gets a typed value (a number, a date serial in the cell's own number
//! format, a boolean), any other cell text — never a formula, whatever the data starts with.
//! A row, or a block of rows, between `{{#each …}}` (in a cell of its first row) and
//! `{{/each}}` (in a cell of its last) repeats once per item; rows below move down, and every
//! reference follows ([`refs`]): formulas in any sheet, merges, conditional formats, data
//! validations, tables, charts, defined names. A loop over no items keeps its rows, emptied.
//! Formulas are recalculated on open (`fullCalcOnLoad`); `calcChain.xml`, which would point at
//! cells that moved, is left out. Every part nothing changed is copied as it was.

use std::collections::HashMap;
use std::io::{Cursor, Write};

use serde_json::Value;

mod cached;
mod describe;
mod follow;
pub mod refs;
mod sheet;

use crate::word::package::{resolve, Package, PackageLimits};
use crate::word::xml::{self, Element, Node};
use crate::word::Fault;
use follow::{
    drop_elements_naming, range_rows, remove_attr, rewrite_element_text, rewrite_ranges, serialize,
    set_attr,
};
use refs::{Block, RowMap, Within};
use sheet::{read_sheet, row_number, si_text, Sheet};

pub use describe::{ExcelCell, ExcelCondition, ExcelLoop, ExcelTags};

/// The most rows the loops of one workbook may write (a loop writes its rows once per item).
pub const MAX_FILLED_ROWS: usize = 100_000;

const ITEM: char = '\u{E010}';
const CELL: char = '\u{E012}';

impl crate::word::library::TemplateFile for ExcelTemplate {
    const FOLDER: &'static str = "excel";
    const FILE: &'static str = "template.xlsx";
    fn read(bytes: Vec<u8>, limits: PackageLimits) -> Result<Self, Fault> {
        ExcelTemplate::load(bytes, limits)
    }
}

/// An Excel template, read and compiled.
pub struct ExcelTemplate {
    package: Package,
    limits: PackageLimits,
    sheets: Vec<Sheet>,
    hb: handlebars::Handlebars<'static>,
}

impl std::fmt::Debug for ExcelTemplate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExcelTemplate")
            .field("sheets", &self.sheets.len())
            .finish()
    }
}

pub(super) fn part_fault(part: &str, message: impl Into<String>) -> Fault {
    Fault::Part {
        part: part.to_string(),
        message: message.into(),
    }
}

/// `id → target` of a relationships part.
fn rels(package: &Package, name: &str, limits: PackageLimits) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let Ok(text) = package.text(name, limits) else {
        return out;
    };
    let Ok(tree) = xml::parse(&text) else {
        return out;
    };
    for root in xml::elements(&tree) {
        for r in root.elements() {
            if let (Some(id), Some(t)) = (r.attr("Id"), r.attr("Target")) {
                if r.attr("TargetMode").as_deref() != Some("External") {
                    out.insert(id, t);
                }
            }
        }
    }
    out
}

impl ExcelTemplate {
    /// Reads a template: its package checked as untrusted input, every sheet's tags found and
    /// checked for their form, its loops paired.
    pub fn load(bytes: Vec<u8>, limits: PackageLimits) -> Result<ExcelTemplate, Fault> {
        if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
            return Err(Fault::Package(
                "is an Excel 97–2003 .xls or an encrypted workbook, not an .xlsx: save it as an Excel workbook (.xlsx) without a password".into(),
            ));
        }
        let package = Package::open(bytes, limits)
            .map_err(|m| Fault::Package(m.replace(".docx", ".xlsx")))?;
        if !package.has("xl/workbook.xml") {
            return Err(Fault::Package(
                "has no xl/workbook.xml: it is not an Excel workbook".into(),
            ));
        }
        let shared = match package.text("xl/sharedStrings.xml", limits) {
            Ok(text) => {
                let tree = xml::parse(&text).map_err(|m| part_fault("xl/sharedStrings.xml", m))?;
                xml::elements(&tree)
                    .flat_map(|sst| sst.elements().filter(|e| e.name == "si").map(si_text))
                    .collect()
            }
            Err(_) => Vec::new(),
        };
        let wb_text = package
            .text("xl/workbook.xml", limits)
            .map_err(Fault::Package)?;
        let wb = xml::parse(&wb_text).map_err(|m| part_fault("xl/workbook.xml", m))?;
        let wb_rels = rels(&package, "xl/_rels/workbook.xml.rels", limits);
        let mut sheets = Vec::new();
        let mut hb = crate::template::handlebars(value_text);
        for root in xml::elements(&wb) {
            for s in root.child("sheets").into_iter().flat_map(|s| s.elements()) {
                let (Some(name), Some(id)) = (s.attr("name"), s.attr("r:id")) else {
                    continue;
                };
                let Some(target) = wb_rels.get(&id) else {
                    continue;
                };
                let part = resolve("xl", target);
                let src = package.text(&part, limits).map_err(Fault::Package)?;
                let sheet = read_sheet(&name, &part, src, &shared)?;
                for (i, c) in sheet.cells.iter().enumerate() {
                    hb.register_template_string(&format!("{part}#{i}"), &c.source)
                        .map_err(|e| Fault::Tag {
                            part: part.clone(),
                            paragraph: c.source.clone(),
                            tag: c.source.clone(),
                            message: e.reason().to_string(),
                        })?;
                }
                for (i, c) in sheet.conds.iter().enumerate() {
                    hb.register_template_string(&format!("{part}#if{i}"), c.source())
                        .map_err(|e| Fault::Tag {
                            part: part.clone(),
                            paragraph: format!("rows {}–{}", c.first, c.last),
                            tag: format!("{{{{#if {}}}}}", c.expr),
                            message: e.reason().to_string(),
                        })?;
                }
                sheets.push(sheet);
            }
        }
        Ok(ExcelTemplate {
            package,
            limits,
            sheets,
            hb,
        })
    }

    /// How many cells hold tags, in every sheet.
    pub fn tagged_cells(&self) -> usize {
        self.sheets.iter().map(|s| s.cells.len()).sum()
    }

    /// Fills the template with `view` (`{"doc": …, "derived": …}`): the filled `.xlsx`.
    pub fn fill(&self, view: &Value) -> Result<Vec<u8>, Fault> {
        // How many times each loop repeats, sheet by sheet: the rows' new places.
        let mut maps: HashMap<String, RowMap> = HashMap::new();
        let mut items: Vec<Vec<Vec<Value>>> = Vec::new();
        let mut rows = 0usize;
        for s in &self.sheets {
            let mut blocks = Vec::new();
            let mut lists = Vec::new();
            for l in &s.loops {
                let list = match lookup(view, view, &l.expr) {
                    Some(Value::Array(a)) => a.clone(),
                    Some(Value::Null) | None => Vec::new(),
                    Some(other) => vec![other.clone()],
                };
                rows =
                    rows.saturating_add(list.len().saturating_mul((l.last - l.first + 1) as usize));
                blocks.push(Block {
                    start: l.first,
                    end: l.last,
                    copies: list.len().max(1) as u32,
                });
                lists.push(list);
            }
            maps.insert(s.name.clone(), RowMap { blocks });
            items.push(lists);
        }
        if rows > MAX_FILLED_ROWS {
            return Err(Fault::Package(format!(
                "would be filled with {rows} rows, more than the {MAX_FILLED_ROWS} one workbook's loops may write"
            )));
        }
        let mut parts: HashMap<String, String> = HashMap::new();
        for (si, s) in self.sheets.iter().enumerate() {
            crate::budget::check().map_err(|e| Fault::Stopped(e.to_string()))?;
            let filled = self.fill_sheet(s, &items[si], view, &maps)?;
            parts.insert(s.part.clone(), filled);
        }
        self.follow(&mut parts, &maps)?;
        let sheets: Vec<(String, String)> = self
            .sheets
            .iter()
            .map(|s| (s.name.clone(), s.part.clone()))
            .collect();
        cached::totals(&mut parts, &sheets);
        for (name, xml) in &parts {
            xml::check(xml).map_err(|m| part_fault(name, format!("filled {m}")))?;
        }
        self.write(parts)
    }

    /// Renders a cell's template against the view, inside item `k` of `n` of a loop when
    /// given: the item is the context (`{{task}}`), `@index`, `@first` and `@last` are set and
    /// `@root` is the whole view, as inside `{{#each}}`.
    fn render(
        &self,
        name: &str,
        view: &handlebars::Context,
        item: Option<(&Value, usize, usize)>,
    ) -> Result<String, Fault> {
        use handlebars::Renderable;
        let fault = |message: String| Fault::Tag {
            part: name.split('#').next().unwrap_or(name).to_string(),
            paragraph: String::new(),
            tag: String::new(),
            message,
        };
        let template = self
            .hb
            .get_template(name)
            .ok_or_else(|| fault("is not compiled".into()))?;
        let mut rc = handlebars::RenderContext::new(None);
        if let Some((value, k, n)) = item {
            let mut block = handlebars::BlockContext::new();
            block.set_base_value(value.clone());
            block.set_local_var("index", Value::from(k));
            block.set_local_var("first", Value::from(k == 0));
            block.set_local_var("last", Value::from(k + 1 == n));
            rc.push_block(block);
        }
        let mut out = handlebars::StringOutput::new();
        template
            .render(&self.hb, view, &mut rc, &mut out)
            .map_err(|e| fault(e.reason().to_string()))?;
        out.into_string().map_err(|e| fault(e.to_string()))
    }

    fn fill_sheet(
        &self,
        s: &Sheet,
        lists: &[Vec<Value>],
        view: &Value,
        maps: &HashMap<String, RowMap>,
    ) -> Result<String, Fault> {
        let mut tree = xml::parse(&s.src).map_err(|m| part_fault(&s.part, m))?;
        let map = &maps[&s.name];
        let root = handlebars::Context::wraps(view).map_err(|e| Fault::Package(e.to_string()))?;
        let mut shown: HashMap<(usize, Option<usize>), bool> = HashMap::new();
        let mut cell_at: HashMap<(usize, usize), usize> = HashMap::new();
        for (i, c) in s.cells.iter().enumerate() {
            cell_at.insert((c.row, c.cell), i);
        }
        let Some(ws) = tree.iter_mut().find_map(|n| match n {
            Node::El(e) => Some(e),
            _ => None,
        }) else {
            return Err(part_fault(&s.part, "is empty"));
        };
        for e in ws.children.iter_mut() {
            let Node::El(e) = e else { continue };
            match e.name.as_str() {
                "sheetData" => {
                    let rows = std::mem::take(&mut e.children);
                    let mut out = Vec::with_capacity(rows.len());
                    for (ri, n) in rows.iter().enumerate() {
                        let Node::El(row) = n else {
                            out.push(n.clone());
                            continue;
                        };
                        let Some(r) = row_number(row) else {
                            out.push(n.clone());
                            continue;
                        };
                        let (copies, list) = match map.block_of(r) {
                            Some(b) => (map.blocks[b].copies, Some((b, &lists[b]))),
                            None => (1, None),
                        };
                        for k in 0..copies {
                            let new_r = map.in_copy(r, k);
                            let item = list.and_then(|(_, l)| l.get(k as usize));
                            let within = list.map(|(b, _)| Within { block: b, copy: k });
                            let context = match item {
                                Some(it) => it,
                                None => view,
                            };
                            let mut copy = row.clone();
                            copy.start = set_attr(&copy.start, "r", &new_r.to_string());
                            let n = list.map_or(0, |(_, l)| l.len());
                            let hidden = self.hidden(
                                s,
                                r,
                                list.map(|(b, _)| b),
                                item.map(|it| (it, k as usize, n)),
                                &root,
                                &mut shown,
                            )?;
                            if hidden {
                                copy.start = set_attr(&copy.start, "hidden", "1");
                            }
                            for (ci, c) in copy.children.iter_mut().enumerate() {
                                let Node::El(c) = c else { continue };
                                if c.name != "c" {
                                    continue;
                                }
                                let col = c
                                    .attr("r")
                                    .map(|a| {
                                        a.trim_end_matches(|ch: char| ch.is_ascii_digit())
                                            .to_string()
                                    })
                                    .unwrap_or_default();
                                if !col.is_empty() {
                                    c.start = set_attr(&c.start, "r", &format!("{col}{new_r}"));
                                }
                                if let Some(&ti) = cell_at.get(&(ri, ci)) {
                                    let tc = &s.cells[ti];
                                    let in_empty_loop =
                                        hidden || (list.is_some() && item.is_none());
                                    let text = if in_empty_loop {
                                        String::new()
                                    } else {
                                        let n = list.map_or(0, |(_, l)| l.len());
                                        self.render(
                                            &format!("{}#{ti}", s.part),
                                            &root,
                                            item.map(|it| (it, k as usize, n)),
                                        )?
                                    };
                                    let computed;
                                    let typed = if in_empty_loop {
                                        None
                                    } else {
                                        match tc.single.as_deref() {
                                            Some(e) => match lookup(view, context, e) {
                                                Some(v) => Some(v),
                                                // A helper's number (`{{inc @index}}`).
                                                None => {
                                                    computed = helper_number(&text);
                                                    computed.as_ref()
                                                }
                                            },
                                            None => None,
                                        }
                                    };
                                    fill_cell(c, &text, typed);
                                } else {
                                    // A formula follows the rows; its saved result is
                                    // dropped (the workbook recalculates on open).
                                    let mut changed = false;
                                    for f in c.children.iter_mut() {
                                        let Node::El(f) = f else { continue };
                                        if f.name == "f" {
                                            let old = f.text();
                                            let new = refs::rewrite(&old, &s.name, maps, within);
                                            if new != old {
                                                f.children = vec![Node::Text(xml::escape(&new))];
                                                changed = true;
                                            }
                                            if let Some(r) = f.attr("ref") {
                                                f.start = set_attr(
                                                    &f.start,
                                                    "ref",
                                                    &refs::rewrite(&r, &s.name, maps, within),
                                                );
                                            }
                                        }
                                    }
                                    if changed {
                                        c.children
                                            .retain(|n| !matches!(n, Node::El(v) if v.name == "v"));
                                    }
                                }
                            }
                            out.push(Node::El(copy));
                        }
                    }
                    // A block of several rows is written copy after copy: rows in order.
                    out.retain(|n| matches!(n, Node::El(_)));
                    out.sort_by_key(|n| match n {
                        Node::El(row) => row_number(row).unwrap_or(0),
                        _ => 0,
                    });
                    e.children = out;
                }
                "mergeCells" => {
                    let merges = std::mem::take(&mut e.children);
                    let mut out = Vec::new();
                    for n in merges {
                        let Node::El(m) = &n else {
                            out.push(n);
                            continue;
                        };
                        let Some(range) = m.attr("ref") else { continue };
                        let rows = range_rows(&range);
                        // A merge inside a repeated block is repeated with it; any other
                        // follows the rows.
                        let block = rows.and_then(|(a, b)| {
                            map.block_of(a).filter(|bl| map.block_of(b) == Some(*bl))
                        });
                        let copies: Vec<Option<Within>> = match block {
                            Some(b) => (0..map.blocks[b].copies)
                                .map(|k| Some(Within { block: b, copy: k }))
                                .collect(),
                            None => vec![None],
                        };
                        for w in copies {
                            let mut copy = m.clone();
                            copy.start =
                                set_attr(&m.start, "ref", &refs::rewrite(&range, &s.name, maps, w));
                            out.push(Node::El(copy));
                        }
                    }
                    let count = out.iter().filter(|n| matches!(n, Node::El(_))).count();
                    e.start = set_attr(&e.start, "count", &count.to_string());
                    e.children = out;
                }
                _ => rewrite_ranges(e, &s.name, maps),
            }
        }
        let out = serialize(&tree);
        Ok(out)
    }

    /// Whether template row `r` is hidden by a condition over rows: a condition inside the
    /// row's loop (`block`) is read for its item, any other for the whole view; each read once.
    fn hidden(
        &self,
        s: &Sheet,
        r: u32,
        block: Option<usize>,
        item: Option<(&Value, usize, usize)>,
        root: &handlebars::Context,
        shown: &mut HashMap<(usize, Option<usize>), bool>,
    ) -> Result<bool, Fault> {
        for (ci, c) in s.conds.iter().enumerate() {
            if !(c.first..=c.last).contains(&r) {
                continue;
            }
            let in_loop = block.is_some_and(|b| {
                let l = &s.loops[b];
                c.first >= l.first && c.last <= l.last
            });
            let (key, item) = match (in_loop, item) {
                (true, Some(it)) => ((ci, Some(it.1)), Some(it)),
                // A loop over no items keeps its rows, emptied and shown.
                (true, None) => continue,
                (false, _) => ((ci, None), None),
            };
            let show = match shown.get(&key) {
                Some(v) => *v,
                None => {
                    let v = self.render(&format!("{}#if{ci}", s.part), root, item)? == "1";
                    shown.insert(key, v);
                    v
                }
            };
            if !show {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Everything outside the sheets that names their cells: defined names, tables, charts;
    /// the workbook told to recalculate on open.
    fn follow(
        &self,
        parts: &mut HashMap<String, String>,
        maps: &HashMap<String, RowMap>,
    ) -> Result<(), Fault> {
        if maps.values().all(RowMap::is_identity) {
            return Ok(());
        }
        let wb = self
            .package
            .text("xl/workbook.xml", self.limits)
            .map_err(Fault::Package)?;
        let mut tree = xml::parse(&wb).map_err(|m| part_fault("xl/workbook.xml", m))?;
        for root in tree.iter_mut().filter_map(|n| match n {
            Node::El(e) => Some(e),
            _ => None,
        }) {
            let mut has_calc = false;
            for e in root.children.iter_mut() {
                let Node::El(e) = e else { continue };
                match e.name.as_str() {
                    "definedNames" => {
                        for d in e.children.iter_mut() {
                            let Node::El(d) = d else { continue };
                            let old = d.text();
                            let new = refs::rewrite(&old, "", maps, None);
                            if new != old {
                                d.children = vec![Node::Text(xml::escape(&new))];
                            }
                        }
                    }
                    "calcPr" => {
                        has_calc = true;
                        e.start = set_attr(&e.start, "fullCalcOnLoad", "1");
                    }
                    _ => {}
                }
            }
            if !has_calc {
                root.children
                    .push(Node::Other("<calcPr fullCalcOnLoad=\"1\"/>".into()));
            }
        }
        let out = serialize(&tree);
        parts.insert("xl/workbook.xml".into(), out);
        // Tables (by the sheet they belong to) and charts (their references name sheets).
        for s in &self.sheets {
            let (dir, file) = s.part.rsplit_once('/').unwrap_or(("", &s.part));
            for target in rels(
                &self.package,
                &format!("{dir}/_rels/{file}.rels"),
                self.limits,
            )
            .values()
            {
                let name = resolve(dir, target);
                if name.starts_with("xl/tables/") {
                    let text = self
                        .package
                        .text(&name, self.limits)
                        .map_err(Fault::Package)?;
                    let mut tree = xml::parse(&text).map_err(|m| part_fault(&name, m))?;
                    for e in tree.iter_mut().filter_map(|n| match n {
                        Node::El(e) => Some(e),
                        _ => None,
                    }) {
                        rewrite_ranges(e, &s.name, maps);
                    }
                    let out = serialize(&tree);
                    parts.insert(name, out);
                }
            }
        }
        for name in self
            .package
            .names
            .iter()
            .filter(|n| n.starts_with("xl/charts/chart") && n.ends_with(".xml"))
        {
            let text = self
                .package
                .text(name, self.limits)
                .map_err(Fault::Package)?;
            let new = rewrite_element_text(&text, maps);
            if new != text {
                parts.insert(name.clone(), new);
            }
        }
        Ok(())
    }

    fn write(&self, mut parts: HashMap<String, String>) -> Result<Vec<u8>, Fault> {
        let bad = |e: zip::result::ZipError| Fault::Package(format!("could not be written ({e})"));
        let moved = parts.contains_key("xl/workbook.xml");
        if moved {
            // calcChain names cells by place; after rows moved it would point at the wrong ones.
            for (name, xml) in [
                (
                    "[Content_Types].xml",
                    self.package
                        .text("[Content_Types].xml", self.limits)
                        .map_err(Fault::Package)?,
                ),
                (
                    "xl/_rels/workbook.xml.rels",
                    self.package
                        .text("xl/_rels/workbook.xml.rels", self.limits)
                        .unwrap_or_default(),
                ),
            ] {
                parts.insert(name.to_string(), drop_elements_naming(&xml, "calcChain"));
            }
        }
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(
            self.package.bytes().len() + 4096,
        )));
        let mut src = zip::ZipArchive::new(Cursor::new(self.package.bytes())).map_err(bad)?;
        for i in 0..src.len() {
            let f = src.by_index_raw(i).map_err(bad)?;
            let name = f.name().map_err(bad)?.to_string();
            if moved && name == "xl/calcChain.xml" {
                continue;
            }
            match parts.remove(&name) {
                Some(xml) => {
                    drop(f);
                    out.start_file(&name, crate::render::zip_entry_options(xml.as_bytes()))
                        .map_err(bad)?;
                    out.write_all(xml.as_bytes())
                        .map_err(|e| Fault::Package(format!("could not be written ({e})")))?;
                }
                None => out.raw_copy_file(f).map_err(bad)?,
            }
        }
        Ok(out.finish().map_err(bad)?.into_inner())
    }
}

/// A value tag's value, for a typed cell: a simple path from the context (`this`, `a.b`,
/// `@root.doc.x`), else none.
fn lookup<'v>(root: &'v Value, context: &'v Value, path: &str) -> Option<&'v Value> {
    let (mut at, rest) = match path.strip_prefix("@root.") {
        Some(rest) => (root, rest),
        None => (context, path),
    };
    if rest == "this" {
        return Some(at);
    }
    let rest = rest.strip_prefix("this.").unwrap_or(rest);
    for seg in rest.split('.') {
        if seg.is_empty() || seg.contains(|c: char| c.is_whitespace() || c == '(' || c == '"') {
            return None;
        }
        at = match at {
            Value::Object(o) => o.get(seg)?,
            Value::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(at)
}

/// The number a helper wrote (`{{inc @index}}` → `3`), when its text is a number written the
/// way a number is written: no leading zeros, no sign but `-`, no exponent, at most 15 digits.
/// Anything else (`007`, `1e3`, ` 5`) stays the text it is.
fn helper_number(text: &str) -> Option<Value> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let plain = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty()
        || !plain(whole)
        || !plain(frac)
        || (whole.len() > 1 && whole.starts_with('0'))
        || (digits.contains('.') && (frac.is_empty() || frac.ends_with('0')))
        || whole.len() + frac.len() > 15
    {
        return None;
    }
    let n: f64 = text.parse().ok()?;
    serde_json::Number::from_f64(n).map(|n| {
        if frac.is_empty() {
            Value::from(text.parse::<i64>().unwrap_or(0))
        } else {
            Value::Number(n)
        }
    })
}

/// Writes a filled cell: a typed value where the cell held one value tag, else an inline
/// string. Data never becomes a formula: text is always text.
fn fill_cell(c: &mut Element, text: &str, typed: Option<&Value>) {
    let number = |v: &str, c: &mut Element| {
        c.start = remove_attr(&set_attr(&c.start, "t", "n"), "t");
        c.children = vec![Node::El(Element {
            name: "v".into(),
            start: "<v>".into(),
            end: Some("</v>".into()),
            children: vec![Node::Text(v.to_string())],
            ..Element::default()
        })];
    };
    match typed {
        Some(Value::Number(n)) => return number(&n.to_string(), c),
        Some(Value::Bool(b)) => {
            number(if *b { "1" } else { "0" }, c);
            c.start = set_attr(&c.start, "t", "b");
            return;
        }
        Some(Value::String(s)) => {
            if let Some(d) = crate::values::Date::parse(s) {
                return number(&(d.days() + 25_569).to_string(), c);
            }
        }
        _ => {}
    }
    c.start = set_attr(&c.start, "t", "inlineStr");
    c.children = vec![Node::Other(format!(
        "<is><t xml:space=\"preserve\">{}</t></is>",
        xml::escape(text)
    ))];
}

/// A value written into a cell: the markers the engine splits on and the characters XML
/// forbids left out; escaped when the cell is written.
fn value_text(s: &str) -> String {
    s.chars()
        .filter(|c| {
            !matches!(*c, ITEM | CELL)
                && (*c as u32 >= 0x20 || matches!(*c, '\t' | '\n' | '\r'))
                && !matches!(*c, '\u{FFFE}' | '\u{FFFF}')
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::helper_number;
    use serde_json::json;

    #[test]
    fn a_helpers_number_is_a_number_only_when_written_as_one() {
        assert_eq!(helper_number("3"), Some(json!(3)));
        assert_eq!(helper_number("-12.5"), Some(json!(-12.5)));
        assert_eq!(helper_number("0"), Some(json!(0)));
        for text in [
            "007",
            "1e3",
            " 5",
            "5.",
            "5.10",
            "+5",
            "",
            "-",
            "1234567890123456",
            "三",
        ] {
            assert_eq!(helper_number(text), None, "{text:?}");
        }
    }
}
