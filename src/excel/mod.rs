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

use serde_json::Value;

mod cached;
mod describe;
mod fill;
mod follow;
pub mod preview;
pub mod refs;
mod repeat;
mod sheet;
mod write;

use crate::word::package::{resolve, Package, PackageLimits};
use crate::word::xml;
use crate::word::Fault;
use fill::lookup;
use refs::{Block, RowMap};
use sheet::{read_sheet, si_text, Sheet};

pub use describe::{ExcelCell, ExcelCondition, ExcelLoop, ExcelRepeatedSheet, ExcelTags};

/// The most rows the loops of one workbook may write (a loop writes its rows once per item).
pub const MAX_FILLED_ROWS: usize = 100_000;

const ITEM: char = '\u{E010}';

/// An item a cell is rendered inside: its value, its index and its list's length.
type Item<'v> = (&'v Value, usize, usize);
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

/// Whether `bytes` are a ZIP package with a workbook part: an Excel template rather than a
/// Word one (read from the ZIP's directory only; the template is checked when it loads).
pub fn is_workbook(bytes: &[u8]) -> bool {
    zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map(|z| z.index_for_name("xl/workbook.xml").is_some())
        .unwrap_or(false)
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
                let mut sheet = read_sheet(&name, &part, src, &shared)?;
                sheet.rid = id.clone();
                if let Some(template) = sheet.repeat.as_ref().and_then(|r| r.name.as_ref()) {
                    hb.register_template_string(&format!("{part}#name"), template)
                        .map_err(|e| Fault::Tag {
                            part: "xl/workbook.xml".into(),
                            paragraph: name.clone(),
                            tag: template.clone(),
                            message: e.reason().to_string(),
                        })?;
                }
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
        let root = handlebars::Context::wraps(view).map_err(|e| Fault::Package(e.to_string()))?;
        let instances = self.instances(view, &root)?;
        // How many times each loop repeats, sheet by sheet: the rows' new places.
        let mut maps: HashMap<String, RowMap> = HashMap::new();
        let mut items: Vec<Vec<Vec<Value>>> = Vec::new();
        let mut rows = 0usize;
        for inst in &instances {
            let s = &self.sheets[inst.sheet];
            let context = inst.item.as_ref().map_or(view, |(v, _, _)| v);
            if inst.copy > 0 {
                rows = rows.saturating_add(s.rows);
            }
            let mut blocks = Vec::new();
            let mut lists = Vec::new();
            for l in &s.loops {
                let list = list_of(lookup(view, context, &l.expr));
                rows =
                    rows.saturating_add(list.len().saturating_mul((l.last - l.first + 1) as usize));
                blocks.push(Block {
                    start: l.first,
                    end: l.last,
                    copies: list.len().max(1) as u32,
                });
                lists.push(list);
            }
            maps.insert(inst.name.clone(), RowMap { blocks });
            items.push(lists);
        }
        if rows > MAX_FILLED_ROWS {
            return Err(Fault::Package(format!(
                "would be filled with {rows} rows, more than the {MAX_FILLED_ROWS} one workbook's loops may write"
            )));
        }
        // Rows pushed past the sheet's last row cannot be written.
        for inst in &instances {
            let s = &self.sheets[inst.sheet];
            let last = maps[&inst.name].moved_to(s.last_row, u32::MAX);
            if last > u64::from(refs::MAX_ROW) {
                return Err(Fault::Package(format!(
                    "would move row {} of sheet {} to row {last}, past the {} rows a sheet may have",
                    s.last_row,
                    inst.name,
                    refs::MAX_ROW
                )));
            }
        }
        // A reference to a repeated sheet by its template name is one to its first copy.
        let renames: Vec<(String, String)> = instances
            .iter()
            .filter(|i| i.copy == 0 && self.sheets[i.sheet].repeat.is_some())
            .map(|i| (self.sheets[i.sheet].name.clone(), i.name.clone()))
            .collect();
        let mut parts: HashMap<String, String> = HashMap::new();
        for (ii, inst) in instances.iter().enumerate() {
            crate::budget::check().map_err(|e| Fault::Stopped(e.to_string()))?;
            let filled = self.fill_sheet(inst, &items[ii], view, &root, &maps, &renames)?;
            parts.insert(inst.part.clone(), filled);
            if inst.copy > 0 {
                let s = &self.sheets[inst.sheet];
                let (dir, file) = s.part.rsplit_once('/').unwrap_or(("", &s.part));
                let (new_dir, new_file) = inst.part.rsplit_once('/').unwrap_or(("", &inst.part));
                if let Some(rels) = self
                    .package
                    .text(&format!("{dir}/_rels/{file}.rels"), self.limits)
                    .ok()
                    .and_then(|r| repeat::copy_rels(&r))
                {
                    parts.insert(format!("{new_dir}/_rels/{new_file}.rels"), rels);
                }
            }
        }
        self.follow(&mut parts, &maps, &instances, &renames)?;
        let sheets: Vec<(String, String)> = instances
            .iter()
            .map(|i| (i.name.clone(), i.part.clone()))
            .collect();
        cached::totals(&mut parts, &sheets);
        for (name, xml) in &parts {
            xml::check(xml).map_err(|m| part_fault(name, format!("filled {m}")))?;
        }
        let new: Vec<(&str, &str)> = instances
            .iter()
            .filter_map(|i| Some((i.rid.as_deref()?, i.part.as_str())))
            .collect();
        self.write(parts, &new)
    }

    /// The sheets as written: each sheet once, a repeated one once per item of its list (once,
    /// emptied, for no items), each named and given its part.
    fn instances(
        &self,
        view: &Value,
        root: &handlebars::Context,
    ) -> Result<Vec<repeat::Instance>, Fault> {
        let mut taken: std::collections::HashSet<String> = self
            .sheets
            .iter()
            .filter(|s| s.repeat.is_none())
            .map(|s| s.name.to_lowercase())
            .collect();
        let mut next_part = self
            .package
            .names
            .iter()
            .filter_map(|n| {
                n.strip_prefix("xl/worksheets/sheet")?
                    .strip_suffix(".xml")?
                    .parse::<u32>()
                    .ok()
            })
            .max()
            .unwrap_or(0);
        let mut next_rid = 0;
        let mut out = Vec::new();
        for (si, s) in self.sheets.iter().enumerate() {
            let Some(rep) = &s.repeat else {
                out.push(repeat::Instance {
                    sheet: si,
                    name: s.name.clone(),
                    part: s.part.clone(),
                    item: None,
                    copy: 0,
                    rid: None,
                });
                continue;
            };
            let list = list_of(lookup(view, view, &rep.expr));
            if list.len() > repeat::MAX_SHEETS {
                return Err(Fault::Package(format!(
                    "would write sheet {} once for each of {} items, more than the {} sheets one repeated sheet may become",
                    s.name,
                    list.len(),
                    repeat::MAX_SHEETS
                )));
            }
            let n = list.len();
            if n == 0 {
                out.push(repeat::Instance {
                    sheet: si,
                    name: repeat::safe_name("", 0, &mut taken),
                    part: s.part.clone(),
                    item: None,
                    copy: 0,
                    rid: None,
                });
            }
            for (k, item) in list.into_iter().enumerate() {
                let raw = match &rep.name {
                    Some(_) => self.render(&format!("{}#name", s.part), root, &[(&item, k, n)])?,
                    None => repeat::default_name(&item),
                };
                let name = repeat::safe_name(&raw, k, &mut taken);
                let (part, rid) = if k == 0 {
                    (s.part.clone(), None)
                } else {
                    next_part += 1;
                    next_rid += 1;
                    (
                        format!("xl/worksheets/sheet{next_part}.xml"),
                        Some(format!("rIdCollabdocs{next_rid}")),
                    )
                };
                out.push(repeat::Instance {
                    sheet: si,
                    name,
                    part,
                    item: Some((item, k, n)),
                    copy: k,
                    rid,
                });
            }
        }
        Ok(out)
    }
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

/// The items a loop (or a repeated sheet) goes over: a list's, none for nothing, one for a
/// single value.
fn list_of(v: Option<&Value>) -> Vec<Value> {
    match v {
        Some(Value::Array(a)) => a.clone(),
        Some(Value::Null) | None => Vec::new(),
        Some(other) => vec![other.clone()],
    }
}
