//! What an Excel template reads: its cells with tags and its loops over rows, with the fields
//! of the view each reads (`GET /v1/templates/excel/{name}`).

use super::ExcelTemplate;

/// The tags of an Excel template: its cells with tags and its loops over rows.
#[derive(Debug, Default, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ExcelTags {
    pub cells: Vec<ExcelCell>,
    pub loops: Vec<ExcelLoop>,
    /// Rows shown only when a condition holds.
    pub conditions: Vec<ExcelCondition>,
    /// Sheets written once per item of a list.
    pub repeated_sheets: Vec<ExcelRepeatedSheet>,
}

/// A sheet named `{{#each …}}`: written once per item, each copy named from it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ExcelRepeatedSheet {
    /// The sheet's name in the template.
    pub sheet: String,
    /// The list (`doc.departments`).
    pub over: String,
    /// How each copy is named (`{{name}}`); without one, the item's `name`.
    pub name: Option<String>,
}

/// Rows between `{{#if …}}` and `{{/if}}` (or `{{#unless …}}` and `{{/unless}}`), hidden when
/// the condition does not hold (inside a loop, for each item).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ExcelCondition {
    pub sheet: String,
    /// The template's rows (`6:6`).
    pub rows: String,
    /// The condition (`note`, `doc.risks`).
    pub when: String,
    /// `{{#unless}}`: the rows are shown when the condition does not hold.
    pub unless: bool,
}

/// A cell with tags.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ExcelCell {
    pub sheet: String,
    /// Its reference in the template (`B5`).
    pub cell: String,
    /// Its text, loop markers taken out.
    pub text: String,
    /// It holds one value and nothing else: a number, date or boolean is written typed.
    pub typed: bool,
    /// The fields it reads (`doc.tasks[].name`).
    pub binds: Vec<String>,
}

/// Rows repeated once per item of a list.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ExcelLoop {
    pub sheet: String,
    /// The template's rows that repeat (`5:5`, `5:6`).
    pub rows: String,
    /// The list (`doc.tasks`).
    pub over: String,
    /// The fields it reads.
    pub binds: Vec<String>,
}

/// The `{{…}}` tags of a cell's text, in order.
fn tags_in(source: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = source;
    let mut offset = 0;
    while let Some(i) = rest.find("{{") {
        let triple = rest[i..].starts_with("{{{");
        let close = if triple { "}}}" } else { "}}" };
        let Some(j) = rest[i..].find(close) else {
            break;
        };
        let end = i + j + close.len();
        out.push(&source[offset + i..offset + end]);
        offset += end;
        rest = &rest[end..];
    }
    out
}

impl ExcelTemplate {
    /// Every cell with tags and every loop over rows, sheet by sheet, with the fields of the
    /// view each reads as full paths (`doc.tasks[].owner.display`).
    pub fn describe(&self) -> ExcelTags {
        let mut out = ExcelTags::default();
        for sheet in &self.sheets {
            // The tags in reading order, each loop's open before its first row's cells and its
            // close after its last row's, so that a cell inside reads the loop's items.
            let mut tags: Vec<crate::word::Tag> = Vec::new();
            // Whose each tag is: a cell's, a loop's open, a loop's close.
            enum Owner {
                Cell(usize),
                Loop(usize),
                Close,
            }
            let mut owner: Vec<Owner> = Vec::new();
            let tag = |text: &str, kind: crate::word::TagKind| crate::word::Tag {
                part: sheet.part.clone(),
                text: text.to_string(),
                paragraph: String::new(),
                kind,
                moved: false,
            };
            // A sheet written per item reads its item, as inside the list's loop.
            if let Some(r) = &sheet.repeat {
                tags.push(tag(
                    &format!("{{{{#each {}}}}}", r.expr),
                    crate::word::TagKind::Open {
                        helper: "each".into(),
                        expr: r.expr.clone(),
                    },
                ));
                owner.push(Owner::Close);
            }
            let mut cells = sheet.cells.iter().enumerate().peekable();
            let mut rows: Vec<u32> = sheet.cells.iter().map(|c| c.row_number).collect();
            rows.extend(sheet.loops.iter().flat_map(|l| [l.first, l.last]));
            rows.sort_unstable();
            rows.dedup();
            for r in rows {
                for (li, l) in sheet.loops.iter().enumerate().filter(|(_, l)| l.first == r) {
                    tags.push(tag(
                        &format!("{{{{#each {}}}}}", l.expr),
                        crate::word::TagKind::Open {
                            helper: "each".into(),
                            expr: l.expr.clone(),
                        },
                    ));
                    owner.push(Owner::Loop(li));
                }
                while let Some((ci, c)) = cells.next_if(|(_, c)| c.row_number == r) {
                    for raw in tags_in(&c.source) {
                        if let Ok(kind) = crate::word::TagKind::parse(raw) {
                            tags.push(tag(raw, kind));
                            owner.push(Owner::Cell(ci));
                        }
                    }
                }
                for _ in sheet.loops.iter().filter(|l| l.last == r) {
                    tags.push(tag(
                        "{{/each}}",
                        crate::word::TagKind::Close {
                            helper: "each".into(),
                        },
                    ));
                    owner.push(Owner::Close);
                }
            }
            if sheet.repeat.is_some() {
                tags.push(tag(
                    "{{/each}}",
                    crate::word::TagKind::Close {
                        helper: "each".into(),
                    },
                ));
                owner.push(Owner::Close);
            }
            let binds = crate::word::bindings(&tags);
            let mut cell_binds: Vec<Vec<String>> = vec![Vec::new(); sheet.cells.len()];
            for (o, b) in owner.iter().zip(&binds) {
                match o {
                    Owner::Cell(ci) => {
                        for f in b {
                            if !cell_binds[*ci].contains(f) {
                                cell_binds[*ci].push(f.clone());
                            }
                        }
                    }
                    Owner::Loop(li) => {
                        let l = &sheet.loops[*li];
                        out.loops.push(ExcelLoop {
                            sheet: sheet.name.clone(),
                            rows: format!("{}:{}", l.first, l.last),
                            over: l.expr.clone(),
                            binds: b.clone(),
                        });
                    }
                    Owner::Close => {}
                }
            }
            if let Some(r) = &sheet.repeat {
                out.repeated_sheets.push(ExcelRepeatedSheet {
                    sheet: sheet.name.clone(),
                    over: r.expr.clone(),
                    name: r.name.clone(),
                });
            }
            for c in &sheet.conds {
                out.conditions.push(ExcelCondition {
                    sheet: sheet.name.clone(),
                    rows: format!("{}:{}", c.first, c.last),
                    when: c.expr.clone(),
                    unless: c.unless,
                });
            }
            for (c, binds) in sheet.cells.iter().zip(cell_binds) {
                out.cells.push(ExcelCell {
                    sheet: sheet.name.clone(),
                    cell: c.at.clone(),
                    text: c.source.clone(),
                    typed: c.single.is_some(),
                    binds,
                });
            }
        }
        out
    }
}
