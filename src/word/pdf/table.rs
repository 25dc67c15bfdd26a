//! A table set as rows: its grid shared out, cells laid out at their widths between their
//! margins and borders, vertical merges over their rows, header rows to repeat.

use std::collections::HashMap;

use super::super::model::*;
use super::items::{Body, CellBox, Item, RowBox};
use super::setter::Setter;
use crate::render::pdf::layout::Role;

impl Setter<'_> {
    pub(super) fn table(&mut self, t: &Table, width: f32, page_h: f32, depth: usize) -> Vec<Item> {
        let total: f32 = t.grid.iter().sum();
        // Columns of no width (or a table far wider than the page) are shared out.
        let grid: Vec<f32> = if total < 1.0 || total > width * 4.0 {
            vec![width / t.grid.len().max(1) as f32; t.grid.len().max(1)]
        } else {
            t.grid.clone()
        };
        let total: f32 = grid.iter().sum();
        let x0 = match t.align {
            Align::Center => ((width - total) / 2.0).max(0.0),
            Align::Right => (width - total).max(0.0),
            _ => t.indent,
        };
        let starts: Vec<f32> = grid
            .iter()
            .scan(0.0, |acc, w| {
                let s = *acc;
                *acc += w;
                Some(s)
            })
            .collect();
        // Tagged: a table element, a row element per row, a header cell (header rows) or
        // data cell element per cell, the cell's paragraphs in it.
        let table = self.open(Role::Table);
        let mut rows: Vec<RowBox> = Vec::with_capacity(t.rows.len());
        // Each cell's rows (a vertical merge's first cell covers several).
        let mut rowspans: Vec<Vec<usize>> = Vec::with_capacity(t.rows.len());
        // The (row, cell) of each open vertical merge, by its first column.
        let mut open: HashMap<usize, (usize, usize)> = HashMap::new();
        for (ri, row) in t.rows.iter().enumerate() {
            if crate::budget::check().is_err() {
                break;
            }
            let mut cells = Vec::with_capacity(row.cells.len());
            let mut spans = Vec::with_capacity(row.cells.len());
            let row_node = self.within(table, |s| s.open(Role::Row));
            for c in &row.cells {
                let col = c.col.min(grid.len() - 1);
                let span = c.span.min(grid.len() - col).max(1);
                let w: f32 = grid[col..col + span].iter().sum();
                let start = open.get(&col).copied().filter(|_| c.merge == Some(false));
                match (c.merge, start) {
                    (Some(false), Some((r0, c0))) => rowspans[r0][c0] += 1,
                    (Some(true), _) => {
                        open.insert(col, (ri, cells.len()));
                    }
                    _ => {
                        open.remove(&col);
                    }
                }
                let covered = start.is_some();
                // Its content goes between its margins and inside its side borders.
                let sides = [c.borders[1], c.borders[3]]
                    .iter()
                    .map(|b| b.map_or(0.0, |b| b.width))
                    .sum::<f32>();
                let inner = (w - t.margins[0] - t.margins[1] - sides).max(6.0);
                // A cell a merge above covers has no element: the merge's first cell is it.
                let node = (!covered)
                    .then(|| {
                        self.within(row_node, |s| {
                            s.open(if row.header {
                                Role::HeaderCell { column: true }
                            } else {
                                Role::Cell
                            })
                        })
                    })
                    .flatten();
                cells.push(CellBox {
                    x: x0 + starts[col],
                    w,
                    h: 0.0,
                    items: if covered {
                        Vec::new()
                    } else {
                        self.within(node, |s| s.blocks(&c.blocks, inner, page_h, depth))
                    },
                    margins: t.margins,
                    valign: c.valign,
                    fill: c.fill,
                    borders: c.borders,
                    covered,
                    node,
                });
                spans.push(1);
            }
            rows.push(RowBox {
                h: 0.0,
                cells,
                can_split: !row.cant_split,
            });
            rowspans.push(spans);
        }
        // A cell holds its content, its margins and its top border's width.
        let content = |c: &CellBox| {
            c.items.iter().map(|i| i.h).sum::<f32>()
                + c.margins[2]
                + c.margins[3]
                + c.borders[0].map_or(0.0, |b| b.width)
        };
        for (ri, row) in rows.iter_mut().enumerate() {
            let mut h: f32 = 0.0;
            for (ci, c) in row.cells.iter().enumerate() {
                if !c.covered && rowspans[ri][ci] == 1 {
                    h = h.max(content(c));
                }
            }
            match t.rows[ri].height {
                Some((v, true)) => h = v,
                Some((v, false)) => h = h.max(v),
                None => {}
            }
            row.h = h.max(1.0);
        }
        // A merged cell covers its rows; the last grows when its content needs more room.
        let mut merged_rows = vec![false; rows.len()];
        for (ri, spans) in rowspans.iter().enumerate() {
            for (ci, &n) in spans.iter().enumerate() {
                let end = (ri + n).min(rows.len());
                let need = content(&rows[ri].cells[ci]);
                let have: f32 = rows[ri..end].iter().map(|r| r.h).sum();
                if need > have {
                    rows[end - 1].h += need - have;
                }
                if n > 1 {
                    rows[ri].can_split = false;
                    for m in merged_rows.iter_mut().take(end).skip(ri + 1) {
                        *m = true;
                    }
                }
            }
        }
        for (ri, spans) in rowspans.iter().enumerate() {
            for (ci, &n) in spans.iter().enumerate() {
                let end = (ri + n).min(rows.len());
                let h: f32 = rows[ri..end].iter().map(|r| r.h).sum();
                rows[ri].cells[ci].h = h;
            }
        }
        let header_rows = t.rows.iter().take_while(|r| r.header).count();
        let mut out = Vec::with_capacity(rows.len());
        let mut header: Option<std::rc::Rc<Vec<Item>>> = None;
        for (ri, row) in rows.into_iter().enumerate() {
            let mut it = Item {
                h: row.h,
                body: Body::Row(row),
                breakable: !merged_rows[ri],
                repeat: if ri >= header_rows {
                    header.clone()
                } else {
                    None
                },
                ..Item::ops(0.0, Vec::new())
            };
            if ri + 1 == header_rows {
                it.breakable = ri == 0;
            }
            out.push(it);
            if ri + 1 == header_rows && header_rows > 0 {
                let total_h: f32 = out.iter().map(|i| i.h).sum();
                // Header rows of more than a third of the page are not repeated.
                if total_h < page_h / 3.0 {
                    header = Some(std::rc::Rc::new(out.clone()));
                }
            }
        }
        for it in out.iter_mut().take(header_rows).skip(1) {
            it.breakable = false;
        }
        if let Some(first_body) = out.get_mut(header_rows).filter(|_| header_rows > 0) {
            first_body.breakable = false;
        }
        out
    }
}
