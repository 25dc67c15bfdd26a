//! Tables and grids: cells wrapped to their columns, header rows repeated on each page (or
//! drawn once when too tall to repeat), rows spanned together kept together, a row taller
//! than a page split line by line.

use super::flow::Flow;
use super::layout::*;
use crate::document::*;
use crate::render::RenderError;

/// One cell of a grid (table, key–value block or signature table), positioned by column.
pub(super) struct GridCell {
    col: usize,
    span: usize,
    /// Rows it covers, from its own down (1 = its own row only).
    rowspan: usize,
    lines: Vec<TextLine>,
    size: f32,
    /// Line height as a multiple of `size`.
    leading: f32,
    align: Align,
    fill: Option<Rgb>,
    color: Rgb,
    pub(super) image: Option<ImageData>,
    /// Reported where it is drawn, under this name (a party's signature cell).
    anchor: Option<String>,
    /// A header at the start of its row (a key–value block's key).
    pub(super) row_header: bool,
    /// Its structure element, and its picture's (tagged PDF).
    pub(super) node: Option<u32>,
    pub(super) figure: Option<u32>,
}

pub(super) struct GridRow {
    pub(super) cells: Vec<GridCell>,
}

pub(super) struct Grid {
    /// Column x positions (n + 1 edges).
    edges: Vec<f32>,
    pub(super) header: Vec<GridRow>,
    /// The header rows' heights, drawn again on every page the grid runs over.
    header_heights: Vec<f32>,
    pub(super) rows: Vec<GridRow>,
}

impl Grid {
    fn new(edges: Vec<f32>, header: Vec<GridRow>, rows: Vec<GridRow>) -> Self {
        let header_heights = GridRow::band_heights(&header);
        Grid {
            edges,
            header,
            header_heights,
            rows,
        }
    }
}

const IMAGE_H: f32 = 28.0;

impl GridCell {
    fn height(&self) -> f32 {
        let text = self.lines.len() as f32 * self.size * self.leading;
        let img = if self.image.is_some() { IMAGE_H } else { 0.0 };
        text.max(img) + 2.0 * CELL_PAD_Y
    }
}

impl GridRow {
    /// The height the row needs when it stands alone.
    fn height(&self) -> f32 {
        self.cells.iter().map(GridCell::height).fold(0.0, f32::max)
    }

    /// The rows from `rows[0]` that must stay together: the first, and every row a cell
    /// spanning rows reaches.
    fn band_len(rows: &[GridRow]) -> usize {
        let mut end = 1;
        let mut i = 0;
        while i < end.min(rows.len()) {
            let reach = rows[i].cells.iter().map(|c| c.rowspan).max().unwrap_or(1);
            end = end.max(i + reach);
            i += 1;
        }
        end.min(rows.len())
    }

    /// Heights for rows drawn together: each row as tall as its own cells, and the last row
    /// a cell spans grown until the cell fits.
    fn band_heights(rows: &[GridRow]) -> Vec<f32> {
        // A row of cells all continued from above is as tall as one line of its table.
        let line = rows
            .iter()
            .flat_map(|r| r.cells.iter())
            .map(|c| c.size * c.leading)
            .fold(f32::INFINITY, f32::min);
        let min = if line.is_finite() { line } else { 0.0 } + 2.0 * CELL_PAD_Y;
        let mut hs: Vec<f32> = rows
            .iter()
            .map(|r| {
                r.cells
                    .iter()
                    .filter(|c| c.rowspan == 1)
                    .map(GridCell::height)
                    .fold(min, f32::max)
            })
            .collect();
        for (i, r) in rows.iter().enumerate() {
            for c in r.cells.iter().filter(|c| c.rowspan > 1) {
                let last = (i + c.rowspan).min(rows.len()) - 1;
                let have: f32 = hs[i..=last].iter().sum();
                hs[last] += (c.height() - have).max(0.0);
            }
        }
        hs
    }
}

/// The fewest lines `spans` can wrap to at `size` in a column `w` wide: no glyph is narrower
/// than a fifth of an em, and white space at a line's end takes no room.
fn least_lines(spans: &[Span], size: f32, w: f32) -> usize {
    let chars = visible_chars(spans);
    let per_line = (w / (size * 0.2)).floor().max(1.0) as usize;
    chars.div_ceil(per_line)
}

/// The characters of `spans` that take room on a line (white space aside).
fn visible_chars(spans: &[Span]) -> usize {
    spans
        .iter()
        .map(|s| s.text.chars().filter(|c| !c.is_whitespace()).count())
        .sum()
}

impl Flow<'_> {
    pub(super) fn edges(&self, rel: &[f32]) -> Vec<f32> {
        let sum: f32 = rel.iter().sum::<f32>().max(0.001);
        let mut x = self.left();
        let mut edges = vec![x];
        for w in rel {
            x += w / sum * self.content_w();
            edges.push(x);
        }
        if let Some(last) = edges.last_mut() {
            *last = self.right();
        }
        edges
    }

    pub(super) fn cell(
        &mut self,
        edges: &[f32],
        col: usize,
        span: usize,
        spans: &[Span],
        size: f32,
        align: Align,
    ) -> GridCell {
        let w = edges[col + span] - edges[col] - 2.0 * CELL_PAD_X;
        GridCell {
            col,
            span,
            rowspan: 1,
            lines: self.wrap(spans, size, w),
            size,
            leading: self.geo.leading,
            align,
            fill: None,
            color: INK,
            image: None,
            anchor: None,
            row_header: false,
            node: None,
            figure: None,
        }
    }

    /// At least how tall a table's rows are at `size` between `edges`, from its text alone:
    /// what wrapping them would give at the least, before any line is built.
    fn least_height(&self, t: &Table, edges: &[f32], size: f32, room: f32) -> f32 {
        let line = size * self.geo.leading;
        let sections = [&t.header, &t.rows, &t.footer];
        // First a quick bound from above, without placing cells or decoding text: every byte
        // a character in the narrowest column, one line more per cell. Nearly every table is
        // done here.
        let narrowest = edges
            .windows(2)
            .map(|e| e[1] - e[0] - 2.0 * CELL_PAD_X)
            .fold(f32::MAX, f32::min);
        let (cells, chars) = sections
            .iter()
            .flat_map(|rows| rows.iter().flat_map(|r| r.cells.iter()))
            .fold((0usize, 0usize), |(n, c), cell| {
                (
                    n + 1,
                    c + cell.text.iter().map(|s| s.text.len()).sum::<usize>(),
                )
            });
        let per_line = (narrowest / (size * 0.2)).floor().max(1.0);
        if (chars as f32 / per_line + cells as f32) * line <= room {
            return 0.0;
        }
        sections
            .into_iter()
            .flat_map(|rows| rows.iter().zip(t.place(rows)).collect::<Vec<_>>())
            .map(|(_, slots)| {
                slots
                    .iter()
                    .filter(|s| !s.continued)
                    .map(|s| {
                        let w = edges[s.col + s.span] - edges[s.col] - 2.0 * CELL_PAD_X;
                        least_lines(&s.cell.text, size, w) as f32 * line / s.rowspan.max(1) as f32
                    })
                    .fold(0.0, f32::max)
            })
            .sum()
    }

    pub(super) fn table_grid(&mut self, t: &Table) -> Grid {
        let edges = self.edges(&t.columns.iter().map(|c| c.width).collect::<Vec<_>>());
        let size = self.geo.table;
        // A table that cannot fit the pages left is refused before its cells are wrapped
        // (a matrix of two thousand narrow columns and long tasks would wrap a line per
        // character first).
        let pages_left = self.max_pages.saturating_sub(self.pages.len()) + 1;
        let room = pages_left as f32 * (self.bottom() - self.top());
        let least = self.least_height(t, &edges, size, room);
        if least > room {
            self.stop = Some(RenderError::TooBig(format!(
                "a table would take at least {} pages at the width its columns have; the PDF may have at most {} pages (COLLABDOCS_MAX_PAGES)",
                (least / (self.bottom() - self.top())).ceil() as usize,
                self.max_pages
            )));
            return Grid::new(edges, Vec::new(), Vec::new());
        }
        let build = |rows: &[Row], header: bool, this: &mut Self| -> Vec<GridRow> {
            rows.iter()
                .zip(t.place(rows))
                .map(|(r, slots)| {
                    let mut cells = Vec::new();
                    for slot in slots.iter().filter(|s| !s.continued) {
                        let (c, column) = (slot.cell, &t.columns[slot.col]);
                        let align = if header {
                            Align::Center
                        } else {
                            c.align.or(column.align).unwrap_or_default()
                        };
                        let mut spans = c.text.clone();
                        if header {
                            spans.iter_mut().for_each(|s| s.bold = true);
                        }
                        let mut g = this.cell(&edges, slot.col, slot.span, &spans, size, align);
                        g.rowspan = slot.rowspan;
                        if header {
                            g.fill = Some(HEAD_FILL);
                        } else if let Some(tone) = column.tone_of(&c.plain_text()) {
                            g.fill = Some(rgb(tone.bg()));
                            g.color = rgb(tone.fg());
                        } else if let Some(flag) = r.flag {
                            g.fill = Some(rgb(flag.bg()));
                        }
                        cells.push(g);
                    }
                    GridRow { cells }
                })
                .collect()
        };
        let header = build(&t.header, true, self);
        let mut rows = build(&t.rows, false, self);
        rows.extend(build(&t.footer, false, self));
        Grid::new(edges, header, rows)
    }

    pub(super) fn kv_grid(&mut self, kv: &KeyValue) -> Grid {
        let (cols, kv_rows) = kv.rows(usize::MAX);
        let rel: Vec<f32> = (0..cols).flat_map(|_| [1.0, 2.4]).collect();
        let edges = self.edges(&rel);
        let mut rows = Vec::new();
        for kv_row in kv_rows {
            let mut cells = Vec::new();
            for (col, span, item) in kv_row.items {
                let label_text = [Span {
                    text: item.label.clone(),
                    bold: true,
                }];
                let mut label = self.cell(
                    &edges,
                    col * 2,
                    1,
                    &label_text,
                    self.geo.table,
                    Align::Center,
                );
                label.fill = Some(LABEL_FILL);
                label.row_header = true;
                cells.push(label);
                cells.push(self.cell(
                    &edges,
                    col * 2 + 1,
                    span * 2 - 1,
                    &item.value,
                    self.geo.table,
                    Align::Left,
                ));
            }
            if kv_row.empty > 0 {
                cells.push(self.cell(
                    &edges,
                    (cols - kv_row.empty) * 2,
                    kv_row.empty * 2,
                    &[],
                    self.geo.table,
                    Align::Left,
                ));
            }
            rows.push(GridRow { cells });
        }
        Grid::new(edges, Vec::new(), rows)
    }

    pub(super) fn signature_grid(&mut self, list: &[SignatureBlock]) -> Grid {
        let edges = self.edges(&[1.1, 1.6, 1.3, 1.2, 2.2, 1.8]);
        let head = SIGNATURE_COLUMNS;
        let header = vec![GridRow {
            cells: head
                .iter()
                .enumerate()
                .map(|(i, h)| {
                    let mut c = self.cell(
                        &edges,
                        i,
                        1,
                        &[Span {
                            text: h.to_string(),
                            bold: true,
                        }],
                        self.geo.table,
                        Align::Center,
                    );
                    c.fill = Some(HEAD_FILL);
                    c
                })
                .collect(),
        }];
        let rows = list
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let date = if s.date.is_empty() {
                    BLANK_DATE.to_string()
                } else {
                    s.date.clone()
                };
                let texts = [
                    &s.role,
                    &s.department,
                    &s.name,
                    &s.title,
                    &String::new(),
                    &date,
                ];
                let mut cells: Vec<GridCell> = texts
                    .iter()
                    .enumerate()
                    .map(|(i, t)| {
                        self.cell(
                            &edges,
                            i,
                            1,
                            &[Span::plain(t.as_str())],
                            self.geo.table,
                            Align::Center,
                        )
                    })
                    .collect();
                cells[4].image = s.image.clone();
                cells[4].anchor = Some(crate::document::signature_field(i));
                // Room to sign by hand when there is no image.
                cells[4].lines = vec![TextLine::default(), TextLine::default()];
                GridRow { cells }
            })
            .collect();
        Grid::new(edges, header, rows)
    }

    /// The room a signature table needs, up to a page.
    pub(super) fn signatures_height(&mut self, s: &[SignatureBlock]) -> f32 {
        if s.is_empty() {
            return 0.0;
        }
        let key = s.as_ptr() as usize;
        if let Some((_, h)) = self.signature_heights.iter().find(|(k, _)| *k == key) {
            return *h;
        }
        let g = self.signature_grid(s);
        let h = self.signature_grid_height(&g);
        self.signature_heights.push((key, h));
        h
    }

    /// The room a signature table takes: its rows and the space above, at most a page.
    pub(super) fn signature_grid_height(&self, g: &Grid) -> f32 {
        let h: f32 = g.header_heights.iter().sum::<f32>()
            + GridRow::band_heights(&g.rows).iter().sum::<f32>();
        (6.0 + h).min(self.bottom() - self.top())
    }

    /// Draws the header rows; drawn again on a later page they are an artifact (a screen
    /// reader has read them once).
    pub(super) fn draw_header_rows(&mut self, g: &Grid) {
        let first = g
            .header
            .first()
            .and_then(|r| r.cells.first())
            .and_then(|c| c.node);
        let repeat = first.is_some() && self.repeated_header == first;
        self.repeated_header = first;
        let node = self.node;
        if repeat {
            self.set_node(None);
        }
        self.draw_band(g, &g.header, &g.header_heights);
        self.set_node(node);
    }

    /// Draws rows that stay together, each `heights[i]` tall, at `self.y`; a cell spanning
    /// rows gets the height of all of them.
    pub(super) fn draw_band(&mut self, g: &Grid, rows: &[GridRow], heights: &[f32]) {
        for (i, r) in rows.iter().enumerate() {
            let h_of = |c: &GridCell| heights[i..(i + c.rowspan).min(rows.len())].iter().sum();
            self.draw_boxes(g, r, |c| h_of(c), 0);
            for c in &r.cells {
                self.draw_cell(g, c, 0, usize::MAX, h_of(c));
            }
            self.y += heights[i];
        }
    }

    /// Draws lines `[from, to)` of each cell of a row in a band of height `h` at `self.y`.
    pub(super) fn draw_row(&mut self, g: &Grid, r: &GridRow, from: usize, to: usize, h: f32) {
        self.draw_boxes(g, r, |_| h, from);
        for c in &r.cells {
            self.draw_cell(g, c, from, to, h);
        }
    }

    /// Draws the boxes of a row's cells at `self.y`, each `h` tall — one artifact for the
    /// row; reports an anchored cell (`from` 0: where its first line is).
    fn draw_boxes(&mut self, g: &Grid, r: &GridRow, h: impl Fn(&GridCell) -> f32, from: usize) {
        let (y, node) = (self.y, self.node);
        self.set_node(None);
        for c in &r.cells {
            let (x0, x1) = (
                g.edges[c.col],
                g.edges[(c.col + c.span).min(g.edges.len() - 1)],
            );
            let h = h(c);
            if let (Some(name), 0) = (&c.anchor, from) {
                self.anchors.push(super::layout::Anchor {
                    name: name.clone(),
                    page: self.pages.len() - 1,
                    rect: [x0, y, x1, y + h],
                });
            }
            self.page().ops.push(Op::Rect {
                x: x0,
                y,
                w: x1 - x0,
                h,
                fill: c.fill,
                stroke: Some(RULE),
            });
        }
        self.set_node(node);
    }

    /// Draws lines `[from, to)` of a cell in a box of height `h` at `self.y` (its box drawn
    /// already).
    pub(super) fn draw_cell(&mut self, g: &Grid, c: &GridCell, from: usize, to: usize, h: f32) {
        let y = self.y;
        let (x0, x1) = (
            g.edges[c.col],
            g.edges[(c.col + c.span).min(g.edges.len() - 1)],
        );
        // The cell's picture and text are the cell's (unless the whole row is an artifact:
        // a header drawn again).
        let table = self.node;
        let (cell, figure) = match table {
            Some(_) => (c.node, c.figure),
            None => (None, None),
        };
        let lh = c.size * self.geo.leading;
        let shown: Vec<&TextLine> = c
            .lines
            .iter()
            .skip(from)
            .take(to.saturating_sub(from))
            .collect();
        let whole = from == 0 && to >= c.lines.len();
        // Centre vertically when the whole cell is on this page.
        let text_h = shown.len() as f32 * lh;
        let mut ty = if whole && c.image.is_none() {
            y + (h - text_h) / 2.0
        } else {
            y + CELL_PAD_Y
        };
        if let (Some(img), true) = (&c.image, from == 0) {
            let ih = IMAGE_H.min(h - 2.0 * CELL_PAD_Y);
            let iw =
                (ih * img.width_px as f32 / img.height_px as f32).min(x1 - x0 - 2.0 * CELL_PAD_X);
            let ih = iw * img.height_px as f32 / img.width_px as f32;
            self.set_node(figure);
            self.page().ops.push(Op::Image {
                x: x0 + (x1 - x0 - iw) / 2.0,
                y: y + (h - ih) / 2.0,
                w: iw,
                h: ih,
                image: img.clone(),
            });
            ty = y + CELL_PAD_Y;
        }
        let inner = (x0 + CELL_PAD_X, x1 - CELL_PAD_X);
        self.set_node(cell);
        for line in shown {
            let x = match c.align {
                Align::Left => inner.0,
                Align::Center => inner.0 + (inner.1 - inner.0 - line.width) / 2.0,
                Align::Right => inner.1 - line.width,
            };
            self.draw_line(
                line,
                (x, ty + c.size * 1.1),
                TextStyle::new(c.size, c.color),
                inner.1,
            );
            ty += lh;
        }
        self.set_node(table);
    }

    pub(super) fn grid(&mut self, mut g: Grid) {
        self.tag_grid(&mut g);
        let mut header_h: f32 = g.header_heights.iter().sum();
        if header_h > (self.bottom() - self.top()) / 3.0 {
            // A header too tall to repeat on every page is drawn once, as the first rows.
            let mut rows = std::mem::take(&mut g.header);
            rows.append(&mut g.rows);
            g.rows = rows;
            g.header_heights.clear();
            header_h = 0.0;
        }
        let g = &g;
        let room = self.bottom() - self.top() - header_h;
        let first_band = &g.rows[..GridRow::band_len(&g.rows)];
        let first: f32 = GridRow::band_heights(first_band).iter().sum();
        let first = if first <= room {
            first
        } else {
            g.rows.first().map_or(0.0, GridRow::height).min(room)
        };
        self.ensure(header_h + first);
        self.draw_header_rows(g);
        let mut i = 0;
        while i < g.rows.len() && self.stop.is_none() {
            let band = &g.rows[i..i + GridRow::band_len(&g.rows[i..])];
            i += band.len();
            if band.len() > 1 {
                let heights = GridRow::band_heights(band);
                let h: f32 = heights.iter().sum();
                if h <= room {
                    if h > self.remaining() {
                        self.new_page();
                        self.draw_header_rows(g);
                    }
                    self.draw_band(g, band, &heights);
                    continue;
                }
                // Rows spanned together taller than a page: each row on its own, a
                // spanning cell drawn in its first row.
            }
            for r in band {
                self.row(g, r, room);
            }
        }
        self.y += 6.0;
    }

    /// One row, on this page if it fits, else on the next; a row taller than a page is
    /// split line by line, the header repeated on each page.
    pub(super) fn row(&mut self, g: &Grid, r: &GridRow, room: f32) {
        let h = r.height();
        if h <= self.remaining() {
            self.draw_row(g, r, 0, usize::MAX, h);
            self.y += h;
            return;
        }
        if h <= room {
            self.new_page();
            self.draw_header_rows(g);
            self.draw_row(g, r, 0, usize::MAX, h);
            self.y += h;
            return;
        }
        // A row taller than a page: split it line by line, repeating the header.
        let max_lines = r.cells.iter().map(|c| c.lines.len()).max().unwrap_or(0);
        let lh = r
            .cells
            .iter()
            .map(|c| c.size * self.geo.leading)
            .fold(self.geo.table * self.geo.leading, f32::max);
        let mut from = 0;
        let mut fresh = false;
        while from < max_lines && self.stop.is_none() {
            let fit = (((self.remaining() - 2.0 * CELL_PAD_Y) / lh).floor() as usize).max(1);
            // On a page just begun, at least one line is drawn, room or not: always progress.
            if self.remaining() < lh + 2.0 * CELL_PAD_Y && !fresh {
                self.new_page();
                self.draw_header_rows(g);
                fresh = true;
                continue;
            }
            fresh = false;
            let to = (from + fit).min(max_lines);
            let band = (to - from) as f32 * lh + 2.0 * CELL_PAD_Y;
            self.draw_row(g, r, from, to, band);
            self.y += band;
            from = to;
            if from < max_lines {
                self.new_page();
                self.draw_header_rows(g);
                fresh = true;
            }
        }
    }
}
