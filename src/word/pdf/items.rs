//! What the layout places down a page: items of a fixed height that draw themselves, and
//! table rows that can also split where a page ends.

use super::super::model::{Border, PageSetup, Position, Relative};
use crate::render::pdf::layout::Op;

/// A placed piece of content: its height and what it draws, relative to its top-left corner.
#[derive(Debug, Clone)]
pub(super) struct Item {
    pub(super) h: f32,
    pub(super) body: Body,
    /// May the page break before this item?
    pub(super) breakable: bool,
    /// A page break comes before it.
    pub(super) forced: bool,
    /// Space that is left out at the top of a page.
    pub(super) space: bool,
    /// The heading it starts (for a table of contents).
    pub(super) heading: Option<usize>,
    /// The header rows of its table, repeated above it at the top of a page.
    pub(super) repeat: Option<std::rc::Rc<Vec<Item>>>,
    /// Pictures and text boxes anchored in its paragraph, drawn where they are anchored.
    pub(super) floats: Vec<Float>,
    /// The structure element it belongs to (tagged PDF): its paragraph or heading; `None`
    /// not tagged (or, inside a table cell, the cell's).
    pub(super) node: Option<u32>,
    /// The figure elements of the pictures among its operations, in order.
    pub(super) figures: Vec<u32>,
}

/// Where each run of a page's operations starts and the structure element it belongs to
/// (`None`: an artifact), as [`crate::render::pdf::layout::Page::marks`] holds them.
pub(super) type Marks = Vec<(usize, Option<u32>)>;

/// Marks the operations from `at` on as `node`'s.
fn mark(marks: &mut Marks, at: usize, node: Option<u32>) {
    match marks.last_mut() {
        Some(last) if last.0 == at => last.1 = node,
        Some(last) if last.1 == node => {}
        _ => marks.push((at, node)),
    }
}

/// A floating object laid out: its size, where it is anchored, and what it draws relative to
/// its top-left corner.
#[derive(Debug, Clone)]
pub(super) struct Float {
    pub(super) x: Position,
    pub(super) y: Position,
    pub(super) w: f32,
    pub(super) h: f32,
    pub(super) ops: Vec<Op>,
    /// A picture's figure element (tagged PDF); a text box's content is its paragraph's.
    pub(super) figure: Option<u32>,
}

impl Float {
    /// Its top-left corner on the page, for an item drawn at `(x, y)` on a page set up as
    /// `page` (kept on the page); without a page (inside a table cell), its offsets from the
    /// item.
    fn at(&self, x: f32, y: f32, page: Option<&PageSetup>) -> (f32, f32) {
        let Some(pg) = page else {
            return (x + self.x.offset, y + self.y.offset);
        };
        let place = |p: &Position, (start, room): (f32, f32), size: f32| match p.align.as_deref() {
            Some("center") => start + (room - size) / 2.0,
            Some("right" | "outside" | "bottom") => start + room - size,
            Some(_) => start,
            None => start + p.offset,
        };
        let across = match self.x.from {
            Relative::Page => (0.0, pg.width),
            Relative::Margin => (pg.left, pg.width - pg.left - pg.right),
            Relative::Paragraph => (x, pg.width - pg.right - x),
        };
        let down = match self.y.from {
            Relative::Page => (0.0, pg.height),
            Relative::Margin => (pg.top, pg.height - pg.top - pg.bottom),
            Relative::Paragraph => (y, 0.0),
        };
        let fx = place(&self.x, across, self.w).clamp(0.0, (pg.width - self.w).max(0.0));
        let fy = place(&self.y, down, self.h).clamp(0.0, (pg.height - self.h).max(0.0));
        (fx, fy)
    }
}

#[derive(Debug, Clone)]
pub(super) enum Body {
    Ops(Vec<Op>),
    Row(RowBox),
}

/// A table row laid out: its cells with their content, ready to draw or to split.
#[derive(Debug, Clone)]
pub(super) struct RowBox {
    pub(super) h: f32,
    pub(super) cells: Vec<CellBox>,
    pub(super) can_split: bool,
}

#[derive(Debug, Clone)]
pub(super) struct CellBox {
    pub(super) x: f32,
    pub(super) w: f32,
    /// The height it covers: the row's, or the rows it merges.
    pub(super) h: f32,
    pub(super) items: Vec<Item>,
    pub(super) margins: [f32; 4],
    pub(super) valign: u8,
    pub(super) fill: Option<[u8; 3]>,
    pub(super) borders: [Option<Border>; 4],
    /// Continues a vertical merge drawn in a row above: its borders only.
    pub(super) covered: bool,
    /// Its header or data cell element (tagged PDF).
    pub(super) node: Option<u32>,
}

impl Item {
    pub(super) fn ops(h: f32, ops: Vec<Op>) -> Item {
        Item {
            h,
            body: Body::Ops(ops),
            breakable: true,
            forced: false,
            space: false,
            heading: None,
            repeat: None,
            floats: Vec::new(),
            node: None,
            figures: Vec::new(),
        }
    }

    pub(super) fn gap(h: f32) -> Item {
        Item {
            space: true,
            ..Item::ops(h, Vec::new())
        }
    }

    /// Draws the item with its top-left corner at `(x, y)`, its floating objects where they
    /// are anchored on `page` (relative to the item inside a table cell, `None`).
    pub(super) fn draw(&self, x: f32, y: f32, out: &mut Vec<Op>, page: Option<&PageSetup>) {
        self.draw_marked(x, y, (out, &mut Marks::new()), page, None);
    }

    /// [`Item::draw`], marking what it draws as the structure elements it belongs to: its
    /// own, else `within`'s (a table cell's); its pictures as their figures; a row's fills
    /// and borders as artifacts.
    pub(super) fn draw_marked(
        &self,
        x: f32,
        y: f32,
        (out, marks): (&mut Vec<Op>, &mut Marks),
        page: Option<&PageSetup>,
        within: Option<u32>,
    ) {
        let node = self.node.or(within);
        match &self.body {
            Body::Ops(ops) => {
                mark(marks, out.len(), node);
                let mut figures = self.figures.iter();
                for op in ops {
                    let figure = matches!(op, Op::Image { .. })
                        .then(|| figures.next())
                        .flatten();
                    if let Some(f) = figure {
                        mark(marks, out.len(), Some(*f));
                    }
                    out.push(moved(op, x, y));
                    if figure.is_some() {
                        mark(marks, out.len(), node);
                    }
                }
            }
            Body::Row(row) => row.draw(x, y, (out, marks)),
        }
        for f in &self.floats {
            let (fx, fy) = f.at(x, y, page);
            mark(marks, out.len(), f.figure.or(node));
            out.extend(f.ops.iter().map(|op| moved(op, fx, fy)));
        }
    }
}

/// An operation moved by `(dx, dy)`.
fn moved(op: &Op, dx: f32, dy: f32) -> Op {
    let mut op = op.clone();
    match &mut op {
        Op::Text { x, y, .. } | Op::Rect { x, y, .. } | Op::Image { x, y, .. } => {
            *x += dx;
            *y += dy;
        }
        Op::Line { x1, y1, x2, y2, .. } => {
            *x1 += dx;
            *x2 += dx;
            *y1 += dy;
            *y2 += dy;
        }
        Op::ImageSlice { x, y, window, .. } => {
            *x += dx;
            *y += dy;
            window[0] += dx;
            window[1] += dy;
        }
        Op::Mark { .. } => {}
    }
    op
}

impl RowBox {
    /// Draws the row at `(x, y)`: each cell's fill and borders (artifacts) and its content
    /// (marked as the cell's).
    pub(super) fn draw(&self, x: f32, y: f32, (out, marks): (&mut Vec<Op>, &mut Marks)) {
        // A cell a merge above covers is drawn by that merge's first cell.
        for c in self.cells.iter().filter(|c| !c.covered) {
            let (cx, h) = (x + c.x, c.h);
            mark(marks, out.len(), None);
            if let Some(fill) = c.fill {
                out.push(Op::Rect {
                    x: cx,
                    y,
                    w: c.w,
                    h,
                    fill: Some(fill),
                    stroke: None,
                });
            }
            let content: f32 = c.items.iter().map(|i| i.h).sum();
            let room = h - c.margins[2] - c.margins[3];
            let shift = match c.valign {
                1 => ((room - content) / 2.0).max(0.0),
                2 => (room - content).max(0.0),
                _ => 0.0,
            };
            let mut iy = y + c.margins[2] + shift;
            for it in &c.items {
                it.draw_marked(cx + c.margins[0], iy, (out, marks), None, c.node);
                iy += it.h;
            }
            mark(marks, out.len(), None);
            let edges = [
                (cx, y, cx + c.w, y),
                (cx, y, cx, y + h),
                (cx, y + h, cx + c.w, y + h),
                (cx + c.w, y, cx + c.w, y + h),
            ];
            for (b, (x1, y1, x2, y2)) in c.borders.iter().zip(edges) {
                if let Some(b) = b {
                    out.push(Op::Line {
                        x1,
                        y1,
                        x2,
                        y2,
                        color: b.color,
                        width: b.width,
                    });
                }
            }
        }
    }

    /// The row split so that its first part is at most `avail` high; `None` when nothing of
    /// it fits there.
    pub(super) fn split(&self, avail: f32) -> Option<(RowBox, RowBox)> {
        if !self.can_split {
            return None;
        }
        let mut first = self.clone();
        let mut rest = self.clone();
        let mut any = false;
        let mut first_h: f32 = 0.0;
        let mut rest_h: f32 = 0.0;
        for (i, c) in self.cells.iter().enumerate() {
            let room = avail - c.margins[2] - c.margins[3];
            let mut used = 0.0;
            let mut n = 0;
            for it in &c.items {
                if used + it.h > room + 0.01 {
                    break;
                }
                used += it.h;
                n += 1;
            }
            if n > 0 && n < c.items.len() {
                any = true;
            }
            if n == c.items.len() && !c.items.is_empty() {
                any = true;
            }
            first.cells[i].items = c.items[..n].to_vec();
            rest.cells[i].items = c.items[n..].to_vec();
            let rest_content: f32 = rest.cells[i].items.iter().map(|i| i.h).sum();
            first_h = first_h.max(used + c.margins[2] + c.margins[3]);
            rest_h = rest_h.max(rest_content + c.margins[2] + c.margins[3]);
        }
        let moved_on = rest.cells.iter().any(|c| !c.items.is_empty());
        if !any || !moved_on {
            return None;
        }
        first.h = avail;
        rest.h = rest_h.max(self.h - first_h).max(1.0);
        for c in &mut first.cells {
            c.h = first.h;
        }
        for c in &mut rest.cells {
            c.h = rest.h;
            c.valign = 0;
        }
        Some((first, rest))
    }
}
