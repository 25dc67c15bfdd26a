//! A table read: its style's and its own properties, the grid, each row's cells with their
//! spans, vertical merges, shading and borders (the table's where a cell has none).

use super::props::{borders6, len, rgb_of};
use super::Builder;
use crate::word::model::*;
use crate::word::style::*;
use crate::word::xml::Element;

impl Builder<'_, '_> {
    pub(super) fn table(&mut self, t: &Element, depth: usize) -> Option<Table> {
        let style = t
            .child("w:tblPr")
            .and_then(|p| p.child("w:tblStyle"))
            .and_then(|s| s.attr("w:val"));
        let style_pr = style.as_deref().and_then(|s| self.cx.table_style(s));
        let direct = t.child("w:tblPr");
        let pick = |name: &str| {
            direct
                .and_then(|p| p.child(name))
                .or_else(|| style_pr.as_ref().and_then(|p| p.child(name)))
                .cloned()
        };
        let table_borders = borders6(pick("w:tblBorders").as_ref());
        let mut margins = [5.4, 5.4, 0.0, 0.0];
        if let Some(m) = pick("w:tblCellMar") {
            for (i, k) in [
                ("w:left", 0),
                ("w:start", 0),
                ("w:right", 1),
                ("w:end", 1),
                ("w:top", 2),
                ("w:bottom", 3),
            ] {
                if let Some(v) = m.child(i).and_then(|e| num(e, "w:w")) {
                    margins[k] = (v * TWIP).clamp(0.0, 200.0);
                }
            }
        }
        let align = match pick("w:jc").and_then(|j| j.attr("w:val")).as_deref() {
            Some("center") => Align::Center,
            Some("right" | "end") => Align::Right,
            _ => Align::Left,
        };
        let indent = pick("w:tblInd")
            .and_then(|i| num(&i, "w:w"))
            .map_or(0.0, |v| len(v * TWIP));
        let mut grid: Vec<f32> = t
            .child("w:tblGrid")
            .map(|g| {
                g.elements()
                    .filter(|c| c.name == "w:gridCol")
                    .take(256)
                    .map(|c| len(num(c, "w:w").unwrap_or(0.0) * TWIP).max(0.0))
                    .collect()
            })
            .unwrap_or_default();
        let mut rows = Vec::new();
        for r in t.elements().filter(|r| r.name == "w:tr") {
            if crate::budget::check().is_err() {
                break;
            }
            let trpr = r.child("w:trPr");
            let mut col = trpr
                .and_then(|p| p.child("w:gridBefore"))
                .and_then(|g| num(g, "w:val"))
                .map_or(0, |v| v.clamp(0.0, 63.0) as usize);
            let mut cells = Vec::new();
            for c in r.elements().filter(|c| c.name == "w:tc") {
                let pr = c.child("w:tcPr");
                let span = pr
                    .and_then(|p| p.child("w:gridSpan"))
                    .and_then(|g| num(g, "w:val"))
                    .map_or(1, |v| v.clamp(1.0, 64.0) as usize);
                let merge = pr
                    .and_then(|p| p.child("w:vMerge"))
                    .map(|m| m.attr("w:val").as_deref() == Some("restart"));
                let own = borders6(pr.and_then(|p| p.child("w:tcBorders")));
                let mut blocks = Vec::new();
                for b in c.elements() {
                    self.block(b, &mut blocks, depth);
                }
                if pr.and_then(|p| p.child("w:tcW")).is_some() && grid.len() < col + span {
                    // A table without a grid: the cells' own widths make one.
                    let w = pr
                        .and_then(|p| p.child("w:tcW"))
                        .and_then(|w| num(w, "w:w"))
                        .map_or(72.0, |v| len(v * TWIP).max(0.0));
                    while grid.len() < col + span {
                        grid.push(w / span as f32);
                    }
                }
                cells.push(Cell {
                    col,
                    span,
                    merge,
                    fill: pr
                        .and_then(|p| p.child("w:shd"))
                        .and_then(|s| s.attr("w:fill"))
                        .and_then(|f| rgb_of(&f)),
                    valign: match pr
                        .and_then(|p| p.child("w:vAlign"))
                        .and_then(|v| v.attr("w:val"))
                        .as_deref()
                    {
                        Some("center") => 1,
                        Some("bottom") => 2,
                        _ => 0,
                    },
                    borders: [own[0], own[1], own[2], own[3]],
                    blocks,
                });
                col += span;
            }
            let height = trpr.and_then(|p| p.child("w:trHeight")).and_then(|h| {
                num(h, "w:val").map(|v| {
                    (
                        len(v * TWIP).max(0.0),
                        h.attr("w:hRule").as_deref() == Some("exact"),
                    )
                })
            });
            rows.push(Row {
                cells,
                height,
                header: trpr.and_then(|p| p.child("w:tblHeader")).is_some_and(on),
                cant_split: trpr.and_then(|p| p.child("w:cantSplit")).is_some_and(on),
            });
        }
        let needed = rows
            .iter()
            .flat_map(|r| r.cells.last().map(|c| c.col + c.span))
            .max()
            .unwrap_or(0);
        while grid.len() < needed {
            grid.push(grid.last().copied().unwrap_or(72.0));
        }
        if rows.is_empty() {
            return None;
        }
        // The table's borders become each cell's where the cell has none of its own.
        let last_row = rows.len() - 1;
        let ncols = grid.len();
        for (ri, row) in rows.iter_mut().enumerate() {
            for c in &mut row.cells {
                let edge = |outer: usize, inner: usize, is_edge: bool| {
                    if is_edge {
                        table_borders[outer]
                    } else {
                        table_borders[inner]
                    }
                };
                let defaults = [
                    edge(0, 4, ri == 0),
                    edge(1, 5, c.col == 0),
                    edge(2, 4, ri == last_row),
                    edge(3, 5, c.col + c.span >= ncols),
                ];
                for (b, d) in c.borders.iter_mut().zip(defaults) {
                    if b.is_none() {
                        *b = d;
                    }
                }
            }
        }
        Some(Table {
            grid,
            indent,
            align,
            rows,
            margins,
        })
    }
}
