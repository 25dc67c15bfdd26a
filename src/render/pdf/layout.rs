//! Page layout for PDF: line breaking (UAX #14 plus Chinese rules), tables with repeated header
//! rows and rows that split across pages, page furniture. Produces positioned drawing operations;
//! the writer in this module's parent turns them into a PDF. Pure and inspectable: tests assert on the lines it sets.
//!
//! Units are points; the origin is the page's top-left corner, y grows downwards.

//!
//! These are the types of a laid-out document; [`super::layout()`] makes one: [`super::lines`]
//! breaks text into lines, [`super::flow`] places blocks down the pages, [`super::grid`] lays
//! out tables and grids, [`super::furniture`] adds the page header and footer once the page
//! count is known.

use std::collections::BTreeSet;

use crate::document::*;

pub const A4: (f32, f32) = (595.28, 841.89);
pub(super) const MARGIN_X: f32 = 56.7; // 20 mm
pub(super) const MARGIN_TOP: f32 = 64.0;
pub(super) const MARGIN_BOTTOM: f32 = 62.0;
pub(super) const BODY: f32 = 10.5;
pub(super) const TABLE: f32 = 9.5;
pub(super) const LEADING: f32 = 1.5;
pub(super) const CELL_PAD_X: f32 = 4.0;
pub(super) const CELL_PAD_Y: f32 = 3.0;

pub type Rgb = [u8; 3];
pub(super) const INK: Rgb = [0x1f, 0x1f, 0x1f];
pub(super) const MUTED: Rgb = [0x59, 0x59, 0x59];
pub(super) const RULE: Rgb = [0x8c, 0x8c, 0x8c];
pub(super) const HEAD_FILL: Rgb = [0xd9, 0xe2, 0xf3];
pub(super) const LABEL_FILL: Rgb = [0xf2, 0xf2, 0xf2];

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
