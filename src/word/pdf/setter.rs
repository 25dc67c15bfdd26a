//! Blocks set as items: paragraphs (their spacing, keep and widow rules, page breaks inside
//! them) and, through [`super::table`] and [`super::text`], tables and lines.

use std::collections::{BTreeSet, HashMap};

use super::super::model::*;
use super::faces::Faces;
use super::items::{Float, Item};
use crate::render::pdf::layout::{Node, Op, Role};
use crate::render::pdf::lines::Piece;

/// One character's look beyond what the line breaker knows.
#[derive(Debug, Clone)]
pub(super) struct Ink {
    pub(super) size: f32,
    pub(super) color: [u8; 3],
    pub(super) underline: bool,
    pub(super) strike: bool,
    pub(super) italic: bool,
    pub(super) highlight: Option<[u8; 3]>,
    pub(super) vert: i8,
    pub(super) leader: bool,
    pub(super) picture: Option<Picture>,
}

/// What the layout needs besides the content: fonts, page numbers known so far.
pub(super) struct Setter<'f> {
    pub(super) faces: Faces<'f>,
    pub(super) missing: BTreeSet<char>,
    /// A heading's page (1-based), from the pass before.
    pub(super) heading_pages: HashMap<usize, usize>,
    /// The page and page count a header or footer is set for.
    pub(super) page: (usize, usize),
    /// The font's height (ascent + descent) in ems.
    pub(super) height_em: f32,
    pub(super) ascent_em: f32,
    pub(super) grid: Option<f32>,
    /// The character grid's pitch of the body being set.
    pub(super) char_pitch: Option<f32>,
    /// The block before keeps with the next: the next block's first item stays with it.
    pub(super) keep_next_pending: bool,
    /// The document compresses full-width punctuation (`w:characterSpacingControl`).
    pub(super) compress: bool,
    /// A page break ended the paragraph before: the next block starts a page.
    pub(super) break_pending: bool,
    /// The structure elements of the body (tagged PDF), with the one being set inside;
    /// `None` while page furniture and text boxes are set (artifacts and their paragraph's).
    pub(super) tags: Option<Tags>,
}

/// The structure elements opened so far, in reading order, and the element what is set now
/// goes into (`None`: the document).
#[derive(Default)]
pub(super) struct Tags {
    pub(super) nodes: Vec<Node>,
    pub(super) parent: Option<u32>,
}

impl Setter<'_> {
    /// Opens a structure element in the one being set (when tagging).
    pub(super) fn open(&mut self, role: Role) -> Option<u32> {
        let tags = self.tags.as_mut()?;
        tags.nodes.push(Node {
            role,
            parent: tags.parent,
        });
        Some(tags.nodes.len() as u32 - 1)
    }

    /// Sets what `f` sets inside the element `parent`.
    pub(super) fn within<T>(&mut self, parent: Option<u32>, f: impl FnOnce(&mut Self) -> T) -> T {
        let Some(tags) = self.tags.as_mut() else {
            return f(self);
        };
        let outer = std::mem::replace(&mut tags.parent, parent);
        let out = f(self);
        if let Some(tags) = self.tags.as_mut() {
            tags.parent = outer;
        }
        out
    }

    pub(super) fn field_text(&self, f: Field) -> String {
        match f {
            Field::Page => self.page.0.to_string(),
            Field::Pages => self.page.1.to_string(),
            Field::PageOf(n) => self.heading_pages.get(&n).copied().unwrap_or(1).to_string(),
        }
    }

    /// A paragraph as items: the space before, its lines, the space after; tagged, a
    /// paragraph or (with an outline level) a heading element, its pictures figures in it.
    pub(super) fn paragraph(&mut self, p: &Para, width: f32) -> Vec<Item> {
        let node = self.open(Role::Paragraph);
        let mut figures: std::collections::VecDeque<u32> = self.within(node, |s| {
            p.inlines
                .iter()
                .filter_map(|i| match i {
                    Inline::Picture(pic) => s.open(figure(pic)),
                    _ => None,
                })
                .collect()
        });
        let mut out = Vec::new();
        // A page break inside the paragraph splits it into parts.
        let mut parts: Vec<Vec<&Inline>> = vec![Vec::new()];
        for i in &p.inlines {
            match i {
                Inline::PageBreak => parts.push(Vec::new()),
                _ => parts.last_mut().expect("a part").push(i),
            }
        }
        if p.before > 0.0 {
            out.push(Item {
                space: false,
                ..Item::gap(p.before)
            });
        }
        let mut first_line = true;
        // Nothing after the paragraph's last page break: the next block starts the page.
        if parts.len() > 1 && parts.last().is_some_and(|p| p.is_empty()) {
            parts.pop();
            self.break_pending = true;
        }
        let parts_n = parts.len();
        for (pi, part) in parts.iter().enumerate() {
            let mut lines = self.lines(p, part, width, pi == 0);
            // The paragraph's rules above its first line and below its last.
            let rule = |b: Border, y: f32| Op::Line {
                x1: p.left,
                y1: y,
                x2: width - p.right,
                y2: y,
                color: b.color,
                width: b.width,
            };
            if let (Some(b), Some(first)) = (p.rules[0].filter(|_| pi == 0), lines.first_mut()) {
                first.1.push(rule(b, b.width / 2.0));
            }
            if let (Some(b), Some(last)) =
                (p.rules[1].filter(|_| pi + 1 == parts_n), lines.last_mut())
            {
                let y = last.0 + 1.0;
                last.1.push(rule(b, y));
            }
            let n = lines.len();
            for (li, (h, ops)) in lines.into_iter().enumerate() {
                let pictures = ops.iter().filter(|o| matches!(o, Op::Image { .. })).count();
                let mut it = Item::ops(h, ops);
                it.node = node;
                it.figures = (0..pictures).filter_map(|_| figures.pop_front()).collect();
                // Widow control: no single line of a paragraph alone on a page.
                let keep =
                    p.keep_lines || (p.widows && n > 1 && (li == 1 || (li + 1 == n && li > 0)));
                it.breakable = !keep || li == 0;
                if li == 0 && pi > 0 {
                    it.forced = true;
                    it.breakable = true;
                }
                if first_line {
                    it.heading = p.heading;
                    it.floats = self.within(node, |s| s.floats(p));
                    // The space before goes with the first line.
                    if p.before > 0.0 {
                        it.breakable = false;
                    }
                    first_line = false;
                }
                out.push(it);
            }
        }
        if p.after > 0.0 {
            let mut gap = Item::gap(p.after);
            gap.breakable = false;
            out.push(gap);
        }
        if self.break_pending && parts_n == 1 && parts[0].is_empty() {
            // A paragraph of nothing but a page break: no line of its own.
            return Vec::new();
        }
        if p.page_break_before {
            if let Some(first) = out.first_mut() {
                first.forced = true;
                first.breakable = true;
            }
        }
        // A paragraph with an outline level is a heading, its text its title.
        if let (Some(level), Some(n), Some(tags)) = (p.outline, node, self.tags.as_mut()) {
            let title: String = out
                .iter()
                .filter_map(|it| match &it.body {
                    super::items::Body::Ops(ops) => Some(ops),
                    _ => None,
                })
                .flatten()
                .filter_map(|op| match op {
                    Op::Text { text, .. } => Some(text.as_str()),
                    _ => None,
                })
                .collect();
            let title = title.trim();
            if !title.is_empty() {
                tags.nodes[n as usize].role = Role::Heading((level + 1).min(6), title.to_string());
            }
        }
        out
    }

    /// The paragraph's floating objects laid out, each at its own size.
    fn floats(&mut self, p: &Para) -> Vec<Float> {
        let mut out = Vec::new();
        for i in &p.inlines {
            let Inline::Floating(f) = i else { continue };
            let mut ops = Vec::new();
            let mut picture = None;
            match &f.body {
                FloatingBody::Picture(pic) => {
                    picture = self.open(figure(pic));
                    ops.push(Op::Image {
                        x: 0.0,
                        y: 0.0,
                        w: f.width,
                        h: f.height,
                        image: pic.image.clone(),
                    });
                }
                FloatingBody::Blocks(blocks) => {
                    // A text box: its content between the box's usual 0.1 in margins, read
                    // as part of its paragraph.
                    let (pending, keep) = (self.break_pending, self.keep_next_pending);
                    let tags = self.tags.take();
                    let mut y = 3.6;
                    for it in self.blocks(blocks, (f.width - 14.4).max(6.0), f32::MAX, 1) {
                        it.draw(7.2, y, &mut ops, None);
                        y += it.h;
                    }
                    self.tags = tags;
                    (self.break_pending, self.keep_next_pending) = (pending, keep);
                }
            }
            out.push(Float {
                x: f.x.clone(),
                y: f.y.clone(),
                w: f.width,
                h: f.height,
                ops,
                figure: picture,
            });
        }
        out
    }

    /// The natural height of a line whose largest text is `size`, its height under the
    /// paragraph's line rule and the grid, and its height on the grid alone: a line takes whole grid pitches, then its multiple
    /// of them — the first line of a paragraph its multiple of its natural height over them,
    /// as LibreOffice sets proportional spacing.
    pub(super) fn line_height(
        &self,
        p: &Para,
        size: f32,
        picture: f32,
        first: bool,
    ) -> (f32, f32, f32) {
        let natural = (size * self.height_em).max(picture);
        let grid = self.grid.filter(|_| p.snap);
        let snapped = match grid {
            Some(pitch) => (natural / pitch - 0.001).ceil().max(1.0) * pitch,
            None => natural,
        };
        let h = match p.line {
            LineRule::Auto(m) if first => snapped + natural * (m - 1.0),
            LineRule::Auto(m) => snapped * m,
            LineRule::Exact(v) => v,
            LineRule::AtLeast(v) => snapped.max(v),
        };
        (natural, h.max(1.0), snapped)
    }

    /// Blocks as items, at `width`; `depth` counts the tables around them.
    pub(super) fn blocks(
        &mut self,
        blocks: &[Block],
        width: f32,
        page_h: f32,
        depth: usize,
    ) -> Vec<Item> {
        let mut out = Vec::new();
        for (i, b) in blocks.iter().enumerate() {
            if crate::budget::check().is_err() {
                break;
            }
            let start = out.len();
            match b {
                Block::Para(p) => out.extend(self.paragraph(p, width)),
                Block::Toc(entries) => {
                    for p in entries {
                        out.extend(self.paragraph(p, width));
                    }
                }
                Block::Table(t) => out.extend(self.table(t, width, page_h, depth + 1)),
            }
            // Keep with next: the block before keeps this one's first item with it; this
            // one keeps its own lines together and with the next block.
            if self.break_pending
                && out.len() > start
                && !matches!(b, Block::Para(p) if p.inlines.iter().any(|i| matches!(i, Inline::PageBreak)))
            {
                out[start].forced = true;
                out[start].breakable = true;
                self.break_pending = false;
            }
            if self.keep_next_pending && out.len() > start && !out[start].forced {
                out[start].breakable = false;
            }
            self.keep_next_pending = false;
            if matches!(b, Block::Para(p) if p.keep_next) && i + 1 < blocks.len() {
                for it in out.iter_mut().skip(start + 1) {
                    if !it.forced {
                        it.breakable = false;
                    }
                }
                self.keep_next_pending = true;
            }
        }
        out
    }
}

/// A picture's figure element: its description (alternative text), else 插图.
fn figure(p: &Picture) -> Role {
    let alt = p.alt.trim();
    Role::Figure(if alt.is_empty() {
        crate::document::PICTURE.to_string()
    } else {
        alt.to_string()
    })
}

/// A character that only holds a place (a tab, a picture, a line break).
pub(super) fn plain(c: char, size: f32, style: u32) -> Piece {
    Piece {
        c,
        size,
        style,
        bold: false,
        heading: false,
        face: None,
        tracking: 0.0,
        advance: None,
    }
}

/// Whether two looks are one: neither a picture (each picture is a look of its own), every
/// property equal.
pub(super) fn same(a: &Ink, b: &Ink) -> bool {
    a.picture.is_none()
        && b.picture.is_none()
        && a.size == b.size
        && a.color == b.color
        && a.underline == b.underline
        && a.strike == b.strike
        && a.italic == b.italic
        && a.highlight == b.highlight
        && a.vert == b.vert
        && a.leader == b.leader
}

/// A picture's size within `avail` wide (kept in proportion).
pub(super) fn fit(p: &Picture, avail: f32) -> (f32, f32) {
    if p.width > avail {
        (avail, p.height * avail / p.width)
    } else {
        (p.width, p.height)
    }
}
