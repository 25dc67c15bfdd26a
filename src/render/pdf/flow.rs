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
    /// Margins, sizes and spacing of the document's profile.
    pub(super) geo: Geometry,
    /// The block before was a line of 版记 (a rule is already above the next).
    pub(super) in_colophon: bool,
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
    /// The height of each signature table measured so far (by where its lines are), so the
    /// paragraph before it and the table itself do not lay it out again to know it.
    pub(super) signature_heights: Vec<(usize, f32)>,
    /// The structure elements opened so far, and the one what is drawn now belongs to
    /// (`None`: an artifact).
    pub(super) nodes: Vec<Node>,
    pub(super) node: Option<u32>,
    /// The first header row of the table whose header was drawn last: drawn again on a later
    /// page, it is an artifact.
    pub(super) repeated_header: Option<u32>,
}

impl Flow<'_> {
    pub(super) fn left(&self) -> f32 {
        self.geo.left
    }

    pub(super) fn right(&self) -> f32 {
        self.width - self.geo.right
    }

    /// Where text starts on a page.
    pub(super) fn top(&self) -> f32 {
        self.geo.top
    }

    pub(super) fn content_w(&self) -> f32 {
        self.right() - self.left()
    }

    pub(super) fn bottom(&self) -> f32 {
        self.height - self.geo.bottom
    }

    pub(super) fn remaining(&self) -> f32 {
        self.bottom() - self.y
    }

    pub(super) fn page(&mut self) -> &mut Page {
        self.pages.last_mut().expect("a page")
    }

    /// Opens a structure element inside `parent`.
    pub(super) fn open(&mut self, role: Role, parent: Option<u32>) -> u32 {
        self.nodes.push(Node { role, parent });
        (self.nodes.len() - 1) as u32
    }

    /// What is drawn from now on belongs to `node` (`None`: an artifact).
    pub(super) fn set_node(&mut self, node: Option<u32>) {
        self.node = node;
        let page = self.pages.last_mut().expect("a page");
        let at = page.ops.len();
        match page.marks.last_mut() {
            Some((i, n)) if *i == at => *n = node,
            Some((_, n)) if *n == node => {}
            _ => page.marks.push((at, node)),
        }
    }

    /// Starts a page, unless the page budget or the time is used up: then [`Flow::stop`] is
    /// set, the last page is drawn over, and every loop ends at its next check.
    pub(super) fn new_page(&mut self) {
        self.y = self.top();
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
        // What was being drawn goes on on the new page.
        let node = self.node;
        self.set_node(node);
    }

    pub(super) fn ensure(&mut self, h: f32) {
        // (A hundredth of a point to spare: a text block made to hold so many lines.)
        if self.remaining() + 0.01 < h && self.y > self.top() + 0.5 {
            self.new_page();
        }
    }

    pub(super) fn wrap(&mut self, spans: &[Span], size: f32, w: f32) -> Vec<TextLine> {
        self.wrap_styled(spans, TextStyle::new(size, INK), w, 0.0)
    }

    /// Lines of `spans` set in `style`, the first `indent` in.
    pub(super) fn wrap_styled(
        &mut self,
        spans: &[Span],
        style: TextStyle,
        w: f32,
        indent: f32,
    ) -> Vec<TextLine> {
        wrap(spans, style, w, indent, self.fonts, &mut self.missing)
    }

    /// Draws one line with its left edge at `x` within `[x, limit]`.
    pub(super) fn draw_line(
        &mut self,
        line: &TextLine,
        (x, baseline): (f32, f32),
        style: TextStyle,
        limit: f32,
    ) {
        let x = x + line.indent;
        let mut cx = x;
        let mut ops = Vec::new();
        // In the official profile a bold label (出席：) is 黑体, not faux bold.
        let inline_bold = !self.geo.official;
        for r in &line.runs {
            ops.push(Op::Text {
                x: cx,
                y: baseline,
                size: style.size,
                bold: (r.bold && inline_bold) || style.bold,
                heading: r.heading || style.heading,
                color: style.color,
                text: r.text.clone(),
                advances: r.advances.clone(),
                face: None,
                italic: false,
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
        spacing: (f32, f32),
    ) {
        self.indented_paragraph(spans, style, align, spacing, 0.0);
    }

    /// A wrapped paragraph whose first line (and each after a line break) starts `indent` in.
    pub(super) fn indented_paragraph(
        &mut self,
        spans: &[Span],
        style: TextStyle,
        align: Align,
        (before, after): (f32, f32),
        indent: f32,
    ) {
        let w = self.right() - self.left();
        let lines = self.wrap_styled(spans, style, w, indent);
        self.set_lines(&lines, style, align, (before, after));
    }

    /// A centred title whose lines are of even length (GB/T 9704-2012 §7.3.1 sets a title
    /// of several lines as a trapezoid or diamond, never with one character left over).
    fn balanced_title(&mut self, spans: &[Span], style: TextStyle, spacing: (f32, f32)) {
        let w = self.right() - self.left();
        let mut lines = self.wrap_styled(spans, style, w, 0.0);
        if lines.len() > 1 {
            let total: f32 = lines.iter().map(|l| l.width).sum();
            let even = total / lines.len() as f32 + style.size;
            let narrower = self.wrap_styled(spans, style, even.min(w), 0.0);
            if narrower.len() == lines.len() {
                lines = narrower;
            }
        }
        self.set_lines(&lines, style, Align::Center, spacing);
    }

    /// Sets lines one under another, aligned, with space `before` and `after`.
    fn set_lines(
        &mut self,
        lines: &[TextLine],
        style: TextStyle,
        align: Align,
        (before, after): (f32, f32),
    ) {
        let size = style.size;
        let x0 = self.left();
        let w = self.right() - x0;
        let lh = size * self.geo.leading;
        self.y += before;
        for line in lines {
            self.ensure(lh);
            let x = match align {
                Align::Left => x0,
                Align::Center => x0 + (w - line.width - line.indent) / 2.0,
                Align::Right => x0 + w - line.width - line.indent,
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
        if !matches!(
            b,
            Block::Paragraph {
                style: ParaStyle::Colophon,
                ..
            }
        ) {
            self.in_colophon = false;
        }
        // The structure element the block is, in reading order (tagged PDF).
        let role = match b {
            Block::Title(t) => Some(Role::Heading(1, plain_text(t))),
            Block::Heading { level, text } => Some(Role::Heading(
                level.saturating_add(1).min(6),
                plain_text(text),
            )),
            Block::Subtitle(_) | Block::Paragraph { .. } => Some(Role::Paragraph),
            Block::List { ordered, .. } => Some(Role::List(*ordered)),
            Block::KeyValue(_) | Block::Table(_) => Some(Role::Table),
            Block::Signatures(s) if !s.is_empty() => Some(Role::Table),
            Block::Image { alt, .. } => Some(Role::Figure(
                alt.clone()
                    .unwrap_or_else(|| crate::document::PICTURE.into()),
            )),
            _ => None,
        };
        let node = role.map(|r| self.open(r, None));
        self.set_node(node);
        self.draw_block(b, next);
        self.set_node(None);
    }

    fn draw_block(&mut self, b: &Block, next: &[Block]) {
        let official = self.geo.official;
        match b {
            // 2号 小标宋-style: the Song face in faux bold, a blank line after.
            Block::Title(t) if official => self.balanced_title(
                t,
                TextStyle {
                    bold: true,
                    ..TextStyle::new(22.0, INK)
                },
                (0.0, self.geo.line()),
            ),
            Block::Title(t) => self.paragraph(
                t,
                TextStyle::new(18.0, INK).bold(),
                Align::Center,
                (4.0, 4.0),
            ),
            Block::Subtitle(t) if official => {
                self.paragraph(t, self.body_style(), Align::Center, (0.0, 0.0))
            }
            Block::Subtitle(t) => self.paragraph(
                t,
                TextStyle::new(12.0, [0x40, 0x40, 0x40]),
                Align::Center,
                (0.0, 10.0),
            ),
            Block::Heading { level, text } => self.heading(*level, text, next),
            Block::Paragraph {
                align,
                style,
                text,
                indent,
            } => self.body_paragraph((*align, *indent), *style, text, next),
            Block::List { ordered, items } => self.list(*ordered, items),
            Block::KeyValue(kv) => self.key_value(kv),
            Block::Table(t) => {
                let g = self.table_grid(t);
                self.grid(g);
            }
            Block::Signatures(s) if !s.is_empty() => {
                // Signatures stay together on one page when they fit on one.
                let g = self.signature_grid(s);
                let h = self.signature_grid_height(&g);
                self.ensure(h);
                self.y += 6.0;
                self.grid(g);
            }
            Block::Signatures(_) => {}
            Block::Image {
                image,
                width_mm,
                align,
                ..
            } => self.image(image, *width_mm, *align),
            Block::PageBreak => self.new_page(),
        }
    }

    /// A first-line indent: two characters of body text as set.
    pub(super) fn two_characters(&self) -> f32 {
        2.0 * (self.geo.body + self.geo.tracking)
    }

    /// Body text as the profile sets it.
    pub(super) fn body_style(&self) -> TextStyle {
        TextStyle {
            tracking: self.geo.tracking,
            ..TextStyle::new(self.geo.body, INK)
        }
    }

    /// A heading, kept with the start of what follows it. In the official profile headings
    /// are body-sized and on the line grid, indented two characters: 一、 in 黑体, （一） in
    /// 楷体 and 1. in 仿宋 style (the Song face stands in for both).
    fn heading(&mut self, level: u8, text: &[Span], next: &[Block]) {
        let follow = self.room_to_start(next);
        if self.geo.official {
            let style = TextStyle {
                heading: level == 1,
                ..self.body_style()
            };
            self.ensure(self.geo.line() + follow);
            let indent = self.two_characters();
            self.indented_paragraph(text, style, Align::Left, (0.0, 0.0), indent);
            return;
        }
        let size = match level {
            1 => 14.0,
            2 => 12.0,
            _ => 10.5,
        };
        self.ensure(size * self.geo.leading + 8.0 + follow);
        let before = if level == 1 { 10.0 } else { 6.0 };
        self.paragraph(
            text,
            TextStyle::new(size, INK).bold(),
            Align::Left,
            (before, 3.0),
        );
    }

    /// The issuing organisation's mark (发文机关标志), red and centred, with the red rule
    /// under it that ends the 版头.
    fn masthead(&mut self, text: &[Span]) {
        let style = TextStyle {
            bold: true,
            ..TextStyle::new(26.0, RED)
        };
        self.paragraph(text, style, Align::Center, (0.0, mm(4.0)));
        self.rule(2.0, RED);
        self.y += mm(4.0) + self.geo.line();
    }

    /// A line of 版记, between rules: thick above the first and below the last, thin between.
    fn colophon(&mut self, text: &[Span], next: &[Block]) {
        let lh = 14.0 * self.geo.leading;
        if !self.in_colophon {
            // 版记 stands at the foot of the last page, its last rule on the text block's
            // lower edge (GB/T 9704-2012 §7.4): all of its lines together.
            let lines = 1 + next
                .iter()
                .take_while(|b| {
                    matches!(
                        b,
                        Block::Paragraph {
                            style: ParaStyle::Colophon,
                            ..
                        }
                    )
                })
                .count();
            // (A hair more than the lines, so each still finds its room.)
            let h = lines as f32 * lh + 0.5;
            self.ensure(h);
            self.y = self.y.max(self.bottom() - h);
            self.rule(1.0, INK);
        }
        let style = TextStyle {
            tracking: self.geo.tracking * 14.0 / self.geo.body,
            ..TextStyle::new(14.0, INK)
        };
        let indent = 14.0;
        self.indented_paragraph(text, style, Align::Left, (0.0, 0.0), indent);
        let last = !matches!(
            next,
            [
                Block::Paragraph {
                    style: ParaStyle::Colophon,
                    ..
                },
                ..
            ]
        );
        self.rule(if last { 1.0 } else { 0.7 }, INK);
        self.in_colophon = true;
    }

    /// A rule across the text block at the current position (an artifact).
    fn rule(&mut self, width: f32, color: Rgb) {
        let (l, r, y) = (self.left(), self.right(), self.y);
        let node = self.node;
        self.set_node(None);
        self.page().ops.push(Op::Line {
            x1: l,
            y1: y,
            x2: r,
            y2: y,
            color,
            width,
        });
        self.set_node(node);
    }

    /// A body paragraph; the line before a signature table goes with it.
    fn body_paragraph(
        &mut self,
        (align, indent): (Align, bool),
        style: ParaStyle,
        text: &[Span],
        next: &[Block],
    ) {
        if let [Block::Signatures(_), ..] = next {
            let need = self.room_to_start(next) + self.geo.line() * 2.0;
            self.ensure(need.min(self.bottom() - self.top()));
        }
        // The official profile keeps every line on the grid: no space between paragraphs.
        let spacing = if self.geo.official {
            (0.0, 0.0)
        } else {
            (1.0, 2.0)
        };
        match style {
            // Body text starts two characters in (首行缩进两字), unless centred or set right.
            ParaStyle::Normal => {
                let indent = if indents_first_line(align, style, indent) {
                    self.two_characters()
                } else {
                    0.0
                };
                let style = self.body_style();
                self.indented_paragraph(text, style, align, spacing, indent)
            }
            ParaStyle::Note => {
                let size = if self.geo.official { 14.0 } else { 9.0 };
                self.paragraph(text, TextStyle::new(size, MUTED), align, spacing)
            }
            ParaStyle::Masthead => self.masthead(text),
            ParaStyle::Colophon => self.colophon(text, next),
        }
    }

    /// A bulleted or numbered list, its items' lines hanging from the marker.
    fn list(&mut self, ordered: bool, items: &[Inlines]) {
        let list = self.node;
        for (i, item) in items.iter().enumerate() {
            let li = self.open(Role::ListItem, list);
            let body = self.open(Role::ListBody, Some(li));
            self.set_node(Some(body));
            let marker = list_marker(ordered, i);
            let body = self.body_style();
            let indent = if self.geo.official {
                self.two_characters()
            } else {
                18.0
            };
            let x0 = self.left() + indent;
            let lines = self.wrap_styled(item, body, self.right() - x0, 0.0);
            let lh = self.geo.line();
            for (k, line) in lines.iter().enumerate() {
                self.ensure(lh);
                let baseline = self.y + body.size * 1.1;
                if k == 0 {
                    let run = Run::plain(&marker, body, self.fonts);
                    let m = TextLine {
                        width: run.width,
                        runs: vec![run],
                        indent: 0.0,
                    };
                    let l = if self.geo.official {
                        x0 - m.width
                    } else {
                        self.left() + 2.0
                    };
                    let r = self.right();
                    self.draw_line(&m, (l, baseline), body, r);
                }
                let r = self.right();
                self.draw_line(line, (x0, baseline), body, r);
                self.y += lh;
            }
        }
        self.set_node(list);
        if !self.geo.official {
            self.y += 3.0;
        }
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
                self.top()
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
        let page_h = self.bottom() - self.top() - 4.0;
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
        let lines = self.geo.line() * 2.0;
        match next {
            [Block::Table(_) | Block::KeyValue(_), ..] => {
                3.0 * (self.geo.table * self.geo.leading + 2.0 * CELL_PAD_Y)
            }
            [Block::Signatures(s), ..] => self.signatures_height(s),
            [Block::Paragraph { .. }, Block::Signatures(s), ..] => {
                lines + self.signatures_height(s)
            }
            _ => lines,
        }
    }
}
