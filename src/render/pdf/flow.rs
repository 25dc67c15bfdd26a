//! Page flow: blocks placed down the pages, a heading kept with what follows it, new pages
//! within the page budget and the render's time.

use std::collections::BTreeSet;

use super::layout::*;
use super::lines::wrap;
use crate::document::*;
use crate::render::fonts::FontSet;
use crate::render::RenderError;

pub(super) struct Flow<'a> {
    pub(super) fonts: &'a FontSet,
    pub(super) width: f32,
    pub(super) height: f32,
    pub(super) pages: Vec<Page>,
    pub(super) y: f32,
    pub(super) missing: BTreeSet<char>,
    pub(super) anchors: Vec<Anchor>,
    /// The most pages this document may have.
    pub(super) max_pages: usize,
    /// Set when the budget ran out: no page is added after it, and loops end.
    pub(super) stop: Option<RenderError>,
}

impl Flow<'_> {
    pub(super) fn left(&self) -> f32 {
        MARGIN_X
    }

    pub(super) fn right(&self) -> f32 {
        self.width - MARGIN_X
    }

    pub(super) fn content_w(&self) -> f32 {
        self.right() - self.left()
    }

    pub(super) fn bottom(&self) -> f32 {
        self.height - MARGIN_BOTTOM
    }

    pub(super) fn remaining(&self) -> f32 {
        self.bottom() - self.y
    }

    pub(super) fn page(&mut self) -> &mut Page {
        self.pages.last_mut().expect("a page")
    }

    /// Starts a page, unless the page budget or the time is used up: then [`Flow::stop`] is
    /// set, the last page is drawn over, and every loop ends at its next check.
    pub(super) fn new_page(&mut self) {
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

    pub(super) fn ensure(&mut self, h: f32) {
        if self.remaining() < h && self.y > MARGIN_TOP + 0.5 {
            self.new_page();
        }
    }

    pub(super) fn wrap(&mut self, spans: &[Span], size: f32, w: f32) -> Vec<TextLine> {
        wrap(spans, size, w, self.fonts, &mut self.missing)
    }

    /// Draws one line with its left edge at `x` within `[x, limit]`.
    pub(super) fn draw_line(
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
    pub(super) fn paragraph(
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
    pub(super) fn block(&mut self, b: &Block, next: &[Block]) {
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
            Block::Heading { level, text } => self.heading(*level, text, next),
            Block::Paragraph { align, style, text } => {
                self.body_paragraph(*align, *style, text, next)
            }
            Block::List { ordered, items } => self.list(*ordered, items),
            Block::KeyValue(kv) => self.key_value(kv),
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
            } => self.image(image, *width_mm, *align),
            Block::PageBreak => self.new_page(),
        }
    }

    /// A heading, kept with the start of what follows it.
    fn heading(&mut self, level: u8, text: &[Span], next: &[Block]) {
        let size = match level {
            1 => 14.0,
            2 => 12.0,
            _ => 10.5,
        };
        let follow = self.room_to_start(next);
        self.ensure(size * LEADING + 8.0 + follow);
        let before = if level == 1 { 10.0 } else { 6.0 };
        self.paragraph(
            text,
            TextStyle::new(size, INK).bold(),
            Align::Left,
            (before, 3.0),
        );
    }

    /// A body paragraph; the line before a signature table goes with it.
    fn body_paragraph(&mut self, align: Align, style: ParaStyle, text: &[Span], next: &[Block]) {
        if let [Block::Signatures(_), ..] = next {
            let need = self.room_to_start(next) + BODY * LEADING * 2.0;
            self.ensure(need.min(self.bottom() - MARGIN_TOP));
        }
        match style {
            ParaStyle::Normal => self.paragraph(text, TextStyle::new(BODY, INK), align, (1.0, 2.0)),
            ParaStyle::Note => self.paragraph(text, TextStyle::new(9.0, MUTED), align, (1.0, 2.0)),
        }
    }

    /// A bulleted or numbered list, its items' lines hanging from the marker.
    fn list(&mut self, ordered: bool, items: &[Inlines]) {
        for (i, item) in items.iter().enumerate() {
            let marker = list_marker(ordered, i);
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

    /// A key-value grid; a named one reports where it landed (the signature area).
    fn key_value(&mut self, kv: &KeyValue) {
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

    /// An image block; one taller than a page is shrunk to the page.
    fn image(&mut self, image: &ImageData, width_mm: f32, align: Align) {
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

    /// The room the blocks from `next` on need on this page for their start to stand there:
    /// a table's header and first rows, a whole signature table, with the line that
    /// introduces it.
    pub(super) fn room_to_start(&mut self, next: &[Block]) -> f32 {
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
}
