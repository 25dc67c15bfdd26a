//! Page layout for PDF: line breaking (UAX #14 plus Chinese rules), tables with repeated header
//! rows and rows that split across pages, page furniture. Produces positioned drawing operations;
//! `pdf.rs` turns them into a PDF. Pure and inspectable: tests assert on the lines it sets.
//!
//! Units are points; the origin is the page's top-left corner, y grows downwards.

use std::collections::BTreeSet;

use super::fonts::FontSet;
use super::RenderError;
use crate::document::*;

pub const A4: (f32, f32) = (595.28, 841.89);
const MARGIN_X: f32 = 56.7; // 20 mm
const MARGIN_TOP: f32 = 64.0;
const MARGIN_BOTTOM: f32 = 62.0;
const BODY: f32 = 10.5;
const TABLE: f32 = 9.5;
const LEADING: f32 = 1.5;
const CELL_PAD_X: f32 = 4.0;
const CELL_PAD_Y: f32 = 3.0;

pub type Rgb = [u8; 3];
const INK: Rgb = [0x1f, 0x1f, 0x1f];
const MUTED: Rgb = [0x59, 0x59, 0x59];
const RULE: Rgb = [0x8c, 0x8c, 0x8c];
const HEAD_FILL: Rgb = [0xd9, 0xe2, 0xf3];
const LABEL_FILL: Rgb = [0xf2, 0xf2, 0xf2];

/// Characters that may not begin a line (避头尾: 行首禁则).
pub const NO_LINE_START: &str = "，。、；：？！）》」』】〕〉”’…—·%‰,.;:?!)]}｝〗〙";
/// Characters that may not end a line (行尾禁则).
pub const NO_LINE_END: &str = "（《「『【〔〈“‘([{｛〖〘";

pub fn rgb(hex: &str) -> Rgb {
    let v = u32::from_str_radix(hex, 16).unwrap_or(0);
    [(v >> 16) as u8, (v >> 8) as u8, v as u8]
}

/// Size, colour and weight of a piece of text.
#[derive(Debug, Clone, Copy)]
pub struct TextStyle {
    pub size: f32,
    pub color: Rgb,
    pub bold: bool,
}

impl TextStyle {
    pub const fn new(size: f32, color: Rgb) -> Self {
        Self {
            size,
            color,
            bold: false,
        }
    }
    pub const fn bold(self) -> Self {
        Self { bold: true, ..self }
    }
}

/// A run of text drawn in one style.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub text: String,
    pub bold: bool,
    pub width: f32,
}

/// A set line: runs and total width.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TextLine {
    pub runs: Vec<Run>,
    pub width: f32,
}

impl TextLine {
    pub fn text(&self) -> String {
        self.runs.iter().map(|r| r.text.as_str()).collect()
    }
}

#[derive(Debug, Clone)]
pub enum Op {
    /// One run of text; `y` is the baseline.
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        color: Rgb,
        text: String,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Option<Rgb>,
        stroke: Option<Rgb>,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        color: Rgb,
        width: f32,
    },
    Image {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        image: ImageData,
    },
    /// A diagonal mark across the page.
    Mark { text: String },
}

/// A line of text as set on a page, for checks: where it starts and ends, and the limit.
#[derive(Debug, Clone)]
pub struct SetLine {
    pub text: String,
    pub x: f32,
    pub right: f32,
    pub limit: f32,
}

#[derive(Debug, Clone, Default)]
pub struct Page {
    pub ops: Vec<Op>,
    pub lines: Vec<SetLine>,
}

#[derive(Debug, Clone)]
pub struct Layout {
    pub width: f32,
    pub height: f32,
    pub pages: Vec<Page>,
    /// Characters no configured face has.
    pub missing: BTreeSet<char>,
    /// Where each anchored block landed.
    pub anchors: Vec<Anchor>,
}

/// The area an anchored block occupies: page (0-based) and `[left, top, right, bottom]` in
/// points from the page's top-left corner. A block split across pages reports its last part.
#[derive(Debug, Clone, PartialEq)]
pub struct Anchor {
    pub name: String,
    pub page: usize,
    pub rect: [f32; 4],
}

/// Breaks inline text into lines no wider than `max_w`.
pub fn wrap(
    spans: &[Span],
    size: f32,
    max_w: f32,
    fonts: &FontSet,
    missing: &mut BTreeSet<char>,
) -> Vec<TextLine> {
    // Flatten to characters with their boldness and width.
    let mut chars: Vec<(char, bool, f32)> = Vec::new();
    for s in spans {
        for c in s.text.chars() {
            if c == '\n' {
                chars.push((c, s.bold, 0.0));
                continue;
            }
            let p = fonts.place_styled(c, s.bold);
            if p.missing {
                missing.insert(c);
            }
            chars.push((c, s.bold, p.advance * size));
        }
    }
    let mut lines = Vec::new();
    for para in chars.split(|(c, _, _)| *c == '\n') {
        lines.extend(wrap_paragraph(para, max_w.max(size)));
    }
    if lines.is_empty() {
        lines.push(TextLine::default());
    }
    lines
}

fn wrap_paragraph(chars: &[(char, bool, f32)], max_w: f32) -> Vec<TextLine> {
    if chars.is_empty() {
        return vec![TextLine::default()];
    }
    let text: String = chars.iter().map(|c| c.0).collect();
    // Byte offsets → char indices.
    let mut char_at_byte = vec![0usize; text.len() + 1];
    let mut n = 0;
    for (b, _) in text.char_indices() {
        char_at_byte[b] = n;
        n += 1;
    }
    char_at_byte[text.len()] = n;
    let mut segments: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    for (b, _) in unicode_linebreak::linebreaks(&text) {
        let end = char_at_byte[b];
        if end > start {
            segments.push((start, end));
        }
        start = end;
    }
    if start < chars.len() {
        segments.push((start, chars.len()));
    }
    let width = |a: usize, b: usize| chars[a..b].iter().map(|c| c.2).sum::<f32>();
    // Width without trailing spaces (they may hang past the margin invisibly).
    let visible = |a: usize, b: usize| {
        let mut e = b;
        while e > a && chars[e - 1].0.is_whitespace() {
            e -= 1;
        }
        width(a, e)
    };
    let mut breaks: Vec<(usize, usize)> = Vec::new(); // line ranges
    let (mut ls, mut le) = (0usize, 0usize);
    for (a, b) in segments {
        if le > ls && visible(ls, b) <= max_w {
            le = b;
            continue;
        }
        if le > ls {
            breaks.push((ls, le));
        }
        ls = a;
        le = b;
        // A segment wider than the line is broken between characters.
        while visible(ls, le) > max_w {
            let mut e = ls + 1;
            while e < le && width(ls, e + 1) <= max_w {
                e += 1;
            }
            // Keep 行首/行尾 rules where the line has room to give.
            while e - ls > 1
                && e < le
                && (NO_LINE_START.contains(chars[e].0) || NO_LINE_END.contains(chars[e - 1].0))
            {
                e -= 1;
            }
            breaks.push((ls, e));
            ls = e;
        }
    }
    if le > ls {
        breaks.push((ls, le));
    }
    breaks
        .into_iter()
        .map(|(a, mut b)| {
            while b > a && chars[b - 1].0.is_whitespace() {
                b -= 1;
            }
            let mut line = TextLine::default();
            for &(c, bold, w) in &chars[a..b] {
                match line.runs.last_mut() {
                    Some(r) if r.bold == bold => {
                        r.text.push(c);
                        r.width += w;
                    }
                    _ => line.runs.push(Run {
                        text: c.to_string(),
                        bold,
                        width: w,
                    }),
                }
                line.width += w;
            }
            line
        })
        .collect()
}

/// One cell of a grid (table, key–value block or signature table), positioned by column.
struct GridCell {
    col: usize,
    span: usize,
    /// Rows it covers, from its own down (1 = its own row only).
    rowspan: usize,
    lines: Vec<TextLine>,
    size: f32,
    align: Align,
    fill: Option<Rgb>,
    color: Rgb,
    image: Option<ImageData>,
}

struct GridRow {
    cells: Vec<GridCell>,
}

struct Grid {
    /// Column x positions (n + 1 edges).
    edges: Vec<f32>,
    header: Vec<GridRow>,
    /// The header rows' heights, drawn again on every page the grid runs over.
    header_heights: Vec<f32>,
    rows: Vec<GridRow>,
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
        let text = self.lines.len() as f32 * self.size * LEADING;
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
        let min = TABLE * LEADING + 2.0 * CELL_PAD_Y;
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

struct Flow<'a> {
    fonts: &'a FontSet,
    width: f32,
    height: f32,
    pages: Vec<Page>,
    y: f32,
    missing: BTreeSet<char>,
    anchors: Vec<Anchor>,
    /// The most pages this document may have.
    max_pages: usize,
    /// Set when the budget ran out: no page is added after it, and loops end.
    stop: Option<RenderError>,
}

impl Flow<'_> {
    fn left(&self) -> f32 {
        MARGIN_X
    }
    fn right(&self) -> f32 {
        self.width - MARGIN_X
    }
    fn content_w(&self) -> f32 {
        self.right() - self.left()
    }
    fn bottom(&self) -> f32 {
        self.height - MARGIN_BOTTOM
    }
    fn remaining(&self) -> f32 {
        self.bottom() - self.y
    }
    fn page(&mut self) -> &mut Page {
        self.pages.last_mut().expect("a page")
    }
    /// Starts a page, unless the page budget or the time is used up: then [`Flow::stop`] is
    /// set, the last page is drawn over, and every loop ends at its next check.
    fn new_page(&mut self) {
        self.y = MARGIN_TOP;
        if self.stop.is_some() {
            return;
        }
        if self.pages.len() >= self.max_pages {
            self.stop = Some(RenderError::TooBig(format!(
                "the PDF would have more than {} pages, the most one document may have (COLLABDOCS_MAX_PAGES)",
                self.max_pages
            )));
            return;
        }
        if let Err(stop) = crate::budget::check() {
            self.stop = Some(RenderError::Stopped(stop));
            return;
        }
        self.pages.push(Page::default());
    }
    fn ensure(&mut self, h: f32) {
        if self.remaining() < h && self.y > MARGIN_TOP + 0.5 {
            self.new_page();
        }
    }

    fn wrap(&mut self, spans: &[Span], size: f32, w: f32) -> Vec<TextLine> {
        wrap(spans, size, w, self.fonts, &mut self.missing)
    }

    /// Draws one line with its left edge at `x` within `[x, limit]`.
    fn draw_line(
        &mut self,
        line: &TextLine,
        (x, baseline): (f32, f32),
        style: TextStyle,
        limit: f32,
    ) {
        let TextStyle {
            size,
            color,
            bold: force_bold,
        } = style;
        let mut cx = x;
        let mut ops = Vec::new();
        for r in &line.runs {
            ops.push(Op::Text {
                x: cx,
                y: baseline,
                size,
                bold: r.bold || force_bold,
                color,
                text: r.text.clone(),
            });
            cx += r.width;
        }
        let page = self.page();
        page.ops.extend(ops);
        page.lines.push(SetLine {
            text: line.text(),
            x,
            right: x + line.width,
            limit,
        });
    }

    /// A wrapped paragraph with space `before` and `after`.
    fn paragraph(
        &mut self,
        spans: &[Span],
        style: TextStyle,
        align: Align,
        (before, after): (f32, f32),
    ) {
        let size = style.size;
        let x0 = self.left();
        let w = self.right() - x0;
        let lines = self.wrap(spans, size, w);
        let lh = size * LEADING;
        self.y += before;
        for line in &lines {
            self.ensure(lh);
            let x = match align {
                Align::Left => x0,
                Align::Center => x0 + (w - line.width) / 2.0,
                Align::Right => x0 + w - line.width,
            };
            let baseline = self.y + size * 1.1;
            let right = self.right();
            self.draw_line(line, (x, baseline), style, right);
            self.y += lh;
        }
        self.y += after;
    }

    /// Lays out one block; `next` are the blocks after it, which a heading, and the line
    /// before a signature table, keep their start with.
    fn block(&mut self, b: &Block, next: &[Block]) {
        match b {
            Block::Title(t) => self.paragraph(
                t,
                TextStyle::new(18.0, INK).bold(),
                Align::Center,
                (4.0, 4.0),
            ),
            Block::Subtitle(t) => self.paragraph(
                t,
                TextStyle::new(12.0, [0x40, 0x40, 0x40]),
                Align::Center,
                (0.0, 10.0),
            ),
            Block::Heading { level, text } => {
                let size = match level {
                    1 => 14.0,
                    2 => 12.0,
                    _ => 10.5,
                };
                // Keep a heading with the start of what follows it.
                let follow = self.room_to_start(next);
                self.ensure(size * LEADING + 8.0 + follow);
                let before = if *level == 1 { 10.0 } else { 6.0 };
                self.paragraph(
                    text,
                    TextStyle::new(size, INK).bold(),
                    Align::Left,
                    (before, 3.0),
                );
            }
            Block::Paragraph { align, style, text } => {
                // The line before a signature table goes with it.
                if let [Block::Signatures(_), ..] = next {
                    let need = self.room_to_start(next) + BODY * LEADING * 2.0;
                    self.ensure(need.min(self.bottom() - MARGIN_TOP));
                }
                match style {
                    ParaStyle::Normal => {
                        self.paragraph(text, TextStyle::new(BODY, INK), *align, (1.0, 2.0))
                    }
                    ParaStyle::Note => {
                        self.paragraph(text, TextStyle::new(9.0, MUTED), *align, (1.0, 2.0))
                    }
                }
            }
            Block::List { ordered, items } => {
                for (i, item) in items.iter().enumerate() {
                    let marker = list_marker(*ordered, i);
                    let indent = 18.0;
                    let x0 = self.left() + indent;
                    let lines = self.wrap(item, BODY, self.right() - x0);
                    let lh = BODY * LEADING;
                    for (k, line) in lines.iter().enumerate() {
                        self.ensure(lh);
                        let baseline = self.y + BODY * 1.1;
                        if k == 0 {
                            let m = TextLine {
                                width: self.fonts.width(&marker, BODY),
                                runs: vec![Run {
                                    text: marker.clone(),
                                    bold: false,
                                    width: self.fonts.width(&marker, BODY),
                                }],
                            };
                            let (l, r) = (self.left() + 2.0, self.right());
                            self.draw_line(&m, (l, baseline), TextStyle::new(BODY, INK), r);
                        }
                        let r = self.right();
                        self.draw_line(line, (x0, baseline), TextStyle::new(BODY, INK), r);
                        self.y += lh;
                    }
                }
                self.y += 3.0;
            }
            Block::KeyValue(kv) => {
                let g = self.kv_grid(kv);
                let (page, top) = (self.pages.len(), self.y);
                self.grid(g);
                if let Some(name) = &kv.anchor {
                    let top = if self.pages.len() == page {
                        top
                    } else {
                        MARGIN_TOP
                    };
                    self.anchors.push(Anchor {
                        name: name.clone(),
                        page: self.pages.len() - 1,
                        rect: [self.left(), top, self.right(), self.y],
                    });
                }
            }
            Block::Table(t) => {
                let g = self.table_grid(t);
                self.grid(g);
            }
            Block::Signatures(s) if !s.is_empty() => {
                // Signatures stay together on one page when they fit on one.
                let h = self.signatures_height(s);
                self.ensure(h);
                self.y += 6.0;
                let g = self.signature_grid(s);
                self.grid(g);
            }
            Block::Signatures(_) => {}
            Block::Image {
                image,
                width_mm,
                align,
            } => {
                // An image taller than a page is shrunk to the page.
                let ratio = image.height_px as f32 / image.width_px.max(1) as f32;
                let page_h = self.bottom() - MARGIN_TOP - 4.0;
                let w = (width_mm * 72.0 / 25.4)
                    .min(self.content_w())
                    .min(page_h / ratio.max(f32::MIN_POSITIVE));
                let h = w * ratio;
                self.ensure(h + 4.0);
                let x = match align {
                    Align::Left => self.left(),
                    Align::Center => self.left() + (self.content_w() - w) / 2.0,
                    Align::Right => self.right() - w,
                };
                let y = self.y;
                self.page().ops.push(Op::Image {
                    x,
                    y,
                    w,
                    h,
                    image: image.clone(),
                });
                self.y += h + 4.0;
            }
            Block::PageBreak => self.new_page(),
        }
    }

    fn edges(&self, rel: &[f32]) -> Vec<f32> {
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

    fn cell(
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
            align,
            fill: None,
            color: INK,
            image: None,
        }
    }

    fn table_grid(&mut self, t: &Table) -> Grid {
        let edges = self.edges(&t.columns.iter().map(|c| c.width).collect::<Vec<_>>());
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
                        let mut g = this.cell(&edges, slot.col, slot.span, &spans, TABLE, align);
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

    fn kv_grid(&mut self, kv: &KeyValue) -> Grid {
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
                let mut label = self.cell(&edges, col * 2, 1, &label_text, TABLE, Align::Center);
                label.fill = Some(LABEL_FILL);
                cells.push(label);
                cells.push(self.cell(
                    &edges,
                    col * 2 + 1,
                    span * 2 - 1,
                    &item.value,
                    TABLE,
                    Align::Left,
                ));
            }
            if kv_row.empty > 0 {
                cells.push(self.cell(
                    &edges,
                    (cols - kv_row.empty) * 2,
                    kv_row.empty * 2,
                    &[],
                    TABLE,
                    Align::Left,
                ));
            }
            rows.push(GridRow { cells });
        }
        Grid::new(edges, Vec::new(), rows)
    }

    fn signature_grid(&mut self, list: &[SignatureBlock]) -> Grid {
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
                        TABLE,
                        Align::Center,
                    );
                    c.fill = Some(HEAD_FILL);
                    c
                })
                .collect(),
        }];
        let rows = list
            .iter()
            .map(|s| {
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
                            TABLE,
                            Align::Center,
                        )
                    })
                    .collect();
                cells[4].image = s.image.clone();
                // Room to sign by hand when there is no image.
                cells[4].lines = vec![TextLine::default(), TextLine::default()];
                GridRow { cells }
            })
            .collect();
        Grid::new(edges, header, rows)
    }

    /// The room a signature table needs, up to a page.
    fn signatures_height(&mut self, s: &[SignatureBlock]) -> f32 {
        if s.is_empty() {
            return 0.0;
        }
        let g = self.signature_grid(s);
        let h: f32 = g.header_heights.iter().sum::<f32>()
            + GridRow::band_heights(&g.rows).iter().sum::<f32>();
        (6.0 + h).min(self.bottom() - MARGIN_TOP)
    }

    /// The room the blocks from `next` on need on this page for their start to stand there:
    /// a table's header and first rows, a whole signature table, with the line that
    /// introduces it.
    fn room_to_start(&mut self, next: &[Block]) -> f32 {
        let lines = BODY * LEADING * 2.0;
        match next {
            [Block::Table(_) | Block::KeyValue(_), ..] => {
                3.0 * (TABLE * LEADING + 2.0 * CELL_PAD_Y)
            }
            [Block::Signatures(s), ..] => self.signatures_height(s),
            [Block::Paragraph { .. }, Block::Signatures(s), ..] => {
                lines + self.signatures_height(s)
            }
            _ => lines,
        }
    }

    fn draw_header_rows(&mut self, g: &Grid) {
        self.draw_band(g, &g.header, &g.header_heights);
    }

    /// Draws rows that stay together, each `heights[i]` tall, at `self.y`; a cell spanning
    /// rows gets the height of all of them.
    fn draw_band(&mut self, g: &Grid, rows: &[GridRow], heights: &[f32]) {
        for (i, r) in rows.iter().enumerate() {
            for c in &r.cells {
                let h = heights[i..(i + c.rowspan).min(rows.len())].iter().sum();
                self.draw_cell(g, c, 0, usize::MAX, h);
            }
            self.y += heights[i];
        }
    }

    /// Draws lines `[from, to)` of each cell of a row in a band of height `h` at `self.y`.
    fn draw_row(&mut self, g: &Grid, r: &GridRow, from: usize, to: usize, h: f32) {
        for c in &r.cells {
            self.draw_cell(g, c, from, to, h);
        }
    }

    /// Draws lines `[from, to)` of a cell in a box of height `h` at `self.y`.
    fn draw_cell(&mut self, g: &Grid, c: &GridCell, from: usize, to: usize, h: f32) {
        let y = self.y;
        let (x0, x1) = (
            g.edges[c.col],
            g.edges[(c.col + c.span).min(g.edges.len() - 1)],
        );
        self.page().ops.push(Op::Rect {
            x: x0,
            y,
            w: x1 - x0,
            h,
            fill: c.fill,
            stroke: Some(RULE),
        });
        let lh = c.size * LEADING;
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
    }

    fn grid(&mut self, mut g: Grid) {
        let mut header_h: f32 = g.header_heights.iter().sum();
        if header_h > (self.bottom() - MARGIN_TOP) / 3.0 {
            // A header too tall to repeat on every page is drawn once, as the first rows.
            let mut rows = std::mem::take(&mut g.header);
            rows.append(&mut g.rows);
            g.rows = rows;
            g.header_heights.clear();
            header_h = 0.0;
        }
        let g = &g;
        let room = self.bottom() - MARGIN_TOP - header_h;
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
    fn row(&mut self, g: &Grid, r: &GridRow, room: f32) {
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
            .map(|c| c.size * LEADING)
            .fold(TABLE * LEADING, f32::max);
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

/// Lays a document out on A4 pages (landscape when the document asks), within the page
/// budget and the time of [`crate::budget`].
pub fn layout(doc: &Document, fonts: &FontSet) -> Result<Layout, RenderError> {
    let (width, height) = if doc.landscape { (A4.1, A4.0) } else { A4 };
    let mut flow = Flow {
        fonts,
        width,
        height,
        pages: Vec::new(),
        y: MARGIN_TOP,
        missing: BTreeSet::new(),
        anchors: Vec::new(),
        max_pages: crate::budget::limits().max_pages.max(1),
        stop: None,
    };
    flow.pages.push(Page::default());
    for (i, b) in doc.blocks.iter().enumerate() {
        flow.block(b, &doc.blocks[i + 1..]);
        if let Some(stop) = flow.stop.take() {
            return Err(stop);
        }
    }
    // Page furniture, now that the page count is known.
    let total = flow.pages.len();
    let header = doc.header.clone().unwrap_or_default();
    let footer = doc
        .footer
        .clone()
        .unwrap_or_else(|| "第 {page} 页 / 共 {pages} 页".into());
    let (l, r) = (flow.left(), flow.right());
    for i in 0..total {
        let mut furniture = Flow {
            fonts,
            width,
            height,
            pages: vec![Page::default()],
            y: 0.0,
            missing: BTreeSet::new(),
            anchors: Vec::new(),
            max_pages: 1,
            stop: None,
        };
        let size = 9.0;
        let top = 38.0;
        let mut left_x = l;
        if let Some(logo) = &header.logo {
            let h = 14.0;
            let w = (h * logo.width_px as f32 / logo.height_px.max(1) as f32).min(80.0);
            furniture.page().ops.push(Op::Image {
                x: l,
                y: top - h + 2.0,
                w,
                h,
                image: logo.clone(),
            });
            left_x = l + w + 4.0;
        }
        for (text, align) in [(&header.left, Align::Left), (&header.right, Align::Right)] {
            if text.is_empty() {
                continue;
            }
            let line = &furniture.wrap(&[Span::plain(text.as_str())], size, (r - l) / 2.0)[0];
            let x = if align == Align::Left {
                left_x
            } else {
                r - line.width
            };
            furniture.draw_line(line, (x, top), TextStyle::new(size, MUTED), r);
        }
        furniture.page().ops.push(Op::Line {
            x1: l,
            y1: top + 5.0,
            x2: r,
            y2: top + 5.0,
            color: [0xbf, 0xbf, 0xbf],
            width: 0.5,
        });
        let text = footer
            .replace("{page}", &(i + 1).to_string())
            .replace("{pages}", &total.to_string());
        let line = &furniture.wrap(&[Span::plain(text)], size, r - l)[0];
        furniture.draw_line(
            line,
            (l + (r - l - line.width) / 2.0, height - 32.0),
            TextStyle::new(size, MUTED),
            r,
        );
        if let Some(mark) = &doc.draft_mark {
            furniture.page().ops.push(Op::Mark { text: mark.clone() });
        }
        flow.missing.extend(furniture.missing.iter());
        let f = furniture.pages.pop().unwrap_or_default();
        let page = &mut flow.pages[i];
        page.ops.extend(f.ops);
        page.lines.extend(f.lines);
    }
    Ok(Layout {
        width,
        height,
        pages: flow.pages,
        missing: flow.missing,
        anchors: flow.anchors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str, w: f32) -> Vec<String> {
        let mut missing = BTreeSet::new();
        wrap(
            &[Span::plain(text)],
            10.0,
            w,
            FontSet::builtin(),
            &mut missing,
        )
        .iter()
        .map(TextLine::text)
        .collect()
    }

    #[test]
    fn chinese_breaks_between_characters_and_keeps_punctuation_off_line_starts() {
        let text = "根据用户调研数据，70%目标用户更关注短视频渠道，建议优先投入。主持人引导各方明确分歧本质。";
        for w in [40.0, 55.0, 73.0, 101.0, 150.0] {
            let ls = lines(text, w);
            assert_eq!(ls.concat(), text, "text lost at width {w}");
            for l in &ls[1..] {
                let first = l.chars().next().unwrap();
                assert!(
                    !NO_LINE_START.contains(first),
                    "line starts with {first} at width {w}: {ls:?}"
                );
            }
        }
    }

    #[test]
    fn latin_words_and_numbers_stay_whole() {
        let ls = lines("budget 50000 yuan for Q3 campaign", 60.0);
        assert!(ls.iter().any(|l| l.contains("50000")), "{ls:?}");
    }

    #[test]
    fn a_word_wider_than_the_line_is_broken_not_lost() {
        let word = "x".repeat(300);
        let ls = lines(&word, 50.0);
        assert!(ls.len() > 1);
        assert_eq!(ls.concat(), word);
    }
}
