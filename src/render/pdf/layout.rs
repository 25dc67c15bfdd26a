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

/// Millimetres in points.
pub const fn mm(v: f32) -> f32 {
    v * 72.0 / 25.4
}

/// Where text goes on a page and how large: the standard look, or GB/T 9704-2012.
#[derive(Debug, Clone, Copy)]
pub struct Geometry {
    /// Margins (points): left (the binding side), right, top, bottom.
    pub left: f32,
    pub right: f32,
    pub top: f32,
    pub bottom: f32,
    /// Body and table text sizes.
    pub body: f32,
    pub table: f32,
    /// Line height as a multiple of the text size.
    pub leading: f32,
    /// Points added to each character of body text.
    pub tracking: f32,
    /// GB/T 9704-2012: the profile's fonts, furniture and spacing.
    pub official: bool,
}

impl Geometry {
    pub const STANDARD: Geometry = Geometry {
        left: MARGIN_X,
        right: MARGIN_X,
        top: MARGIN_TOP,
        bottom: MARGIN_BOTTOM,
        body: BODY,
        table: TABLE,
        leading: LEADING,
        tracking: 0.0,
        official: false,
    };

    /// GB/T 9704-2012 §5.2: top margin 37 mm, binding-side margin 28 mm, a 156 × 225 mm
    /// text block of 22 lines × 28 characters of 3号 (16 pt) text.
    pub const OFFICIAL: Geometry = Geometry {
        left: mm(28.0),
        right: A4.0 - mm(28.0) - mm(156.0),
        top: mm(37.0),
        bottom: A4.1 - mm(37.0) - mm(225.0),
        body: OFFICIAL_BODY,
        table: 12.0,
        leading: mm(225.0) / 22.0 / OFFICIAL_BODY,
        // −0.25 pt a character, as the DOCX sets it: 28 characters advance 441 pt, so the
        // 28th ends inside the 156 mm (442.2 pt) measure. (A pitch of 156/28 mm would put
        // each character 0.2 pt closer than its 16 pt width and the 28th 0.07 mm past.)
        tracking: OFFICIAL_TRACKING,
        official: true,
    };

    /// The geometry of a profile.
    pub fn of(profile: crate::values::Profile) -> Geometry {
        match profile {
            crate::values::Profile::Standard => Geometry::STANDARD,
            crate::values::Profile::Official => Geometry::OFFICIAL,
        }
    }

    /// The line pitch of body text.
    pub fn line(&self) -> f32 {
        self.body * self.leading
    }
}

/// 3号: the official profile's body size.
pub(super) const OFFICIAL_BODY: f32 = 16.0;
/// The official profile's character spacing (points), the DOCX's `w:spacing w:val="-5"`.
pub(super) const OFFICIAL_TRACKING: f32 = -0.25;
/// The red of 版头 (发文机关标志 and its rule).
pub(super) const RED: Rgb = [0xE6, 0x00, 0x12];

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

/// Size, colour, face and weight of a piece of text.
#[derive(Debug, Clone, Copy)]
pub struct TextStyle {
    pub size: f32,
    pub color: Rgb,
    /// Drawn bold: faux bold in a face without a bold weight.
    pub bold: bool,
    /// Set in the heading face (黑体) rather than the body face (宋体).
    pub heading: bool,
    /// Points added to every character's advance (a text block of so many characters a
    /// line).
    pub tracking: f32,
    /// The face asked for first; `None`: the body or heading face.
    pub face: Option<u16>,
    /// Slanted by 12°: italic in a face without an italic of its own.
    pub italic: bool,
}

impl TextStyle {
    pub const fn new(size: f32, color: Rgb) -> Self {
        Self {
            size,
            color,
            bold: false,
            heading: false,
            tracking: 0.0,
            face: None,
            italic: false,
        }
    }
    /// Bold, in the heading face: headings, table headers, labels.
    pub const fn bold(self) -> Self {
        Self {
            bold: true,
            heading: true,
            ..self
        }
    }
}

/// A run of text drawn in one face and weight.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub text: String,
    pub bold: bool,
    /// Set in the heading face.
    pub heading: bool,
    /// The caller's style of its characters ([`super::lines::Piece::style`]); 0 otherwise.
    pub style: u32,
    /// The face asked for, tried before the set's own order.
    pub face: Option<u16>,
    pub width: f32,
    /// Each character's advance and horizontal offset as set (points).
    pub advances: Vec<(f32, f32)>,
}

impl Run {
    /// A run of `text` at its natural widths in `style`.
    pub fn plain(text: &str, style: TextStyle, fonts: &crate::render::fonts::FontSet) -> Run {
        let advances: Vec<(f32, f32)> = text
            .chars()
            .map(|c| {
                (
                    fonts.place_styled(c, style.heading).advance * style.size,
                    0.0,
                )
            })
            .collect();
        Run {
            text: text.to_string(),
            bold: style.bold,
            heading: style.heading,
            style: 0,
            face: None,
            width: advances.iter().map(|a| a.0).sum(),
            advances,
        }
    }
}

/// A set line: runs, total width, and how far in its first line starts (a paragraph's
/// first-line indent).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TextLine {
    pub runs: Vec<Run>,
    pub width: f32,
    pub indent: f32,
}

impl TextLine {
    pub fn text(&self) -> String {
        self.runs.iter().map(|r| r.text.as_str()).collect()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// One run of text; `y` is the baseline; each character's advance and offset (points).
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        heading: bool,
        color: Rgb,
        text: String,
        advances: Vec<(f32, f32)>,
        /// The face asked for first; `None`: the body or heading face.
        face: Option<u16>,
        /// Slanted (a face without an italic of its own).
        italic: bool,
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
    /// An image seen only through a window `[x, y, w, h]` (a slice of a seal).
    ImageSlice {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        image: ImageData,
        window: [f32; 4],
    },
    /// A diagonal mark across the page.
    Mark { text: String },
}

/// The draft mark (草案 / DRAFT) as every format that draws pages draws it: bold 黑体 in red,
/// faint, centred on the page and turned about its centre.
#[derive(Debug, Clone, Copy)]
pub struct DraftMark {
    pub size: f32,
    pub color: Rgb,
    pub opacity: f32,
    /// The turn about `centre`, in degrees (negative: anticlockwise as seen).
    pub angle: f32,
    pub centre: (f32, f32),
    /// Where its baseline starts before the turn.
    pub start: (f32, f32),
}

impl DraftMark {
    /// The mark `text` on a page of `width` × `height` points.
    pub fn of(
        text: &str,
        fonts: &crate::render::fonts::FontSet,
        (width, height): (f32, f32),
    ) -> Self {
        let size = 64.0;
        let w: f32 = text
            .chars()
            .map(|c| fonts.place_styled(c, true).advance * size)
            .sum();
        let centre = (width / 2.0, height / 2.0);
        DraftMark {
            size,
            color: [0xC0, 0x00, 0x00],
            opacity: 0.16,
            angle: -35.0,
            centre,
            start: (centre.0 - w / 2.0, centre.1 + size * 0.35),
        }
    }
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
    /// Its own width and height, when not the layout's.
    pub size: Option<(f32, f32)>,
    /// Which structure element the operations from an index on belong to (tagged PDF):
    /// `(first op, node)`, `None` an artifact (page furniture, rules, cell boxes, a header
    /// row repeated). Operations before the first mark are artifacts.
    pub marks: Vec<(usize, Option<u32>)>,
    /// Where the page furniture (header, footer, marks) starts among the operations, once
    /// it is drawn: every operation from there on is furniture.
    pub furniture: Option<usize>,
}

/// What a structure element is, in reading order (tagged PDF).
#[derive(Debug, Clone, PartialEq)]
pub enum Role {
    /// A heading, level 1 (the title) to 6, with its text (its title in the outline).
    Heading(u8, String),
    Paragraph,
    /// A list, numbered or not; its items, each with its body.
    List(bool),
    ListItem,
    ListBody,
    Table,
    Row,
    /// A header cell over its column, or at the start of its row (a key of a key–value block).
    HeaderCell {
        column: bool,
    },
    Cell,
    /// A picture, with its alternative text.
    Figure(String),
}

/// A structure element: its role and the element it is part of.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub role: Role,
    pub parent: Option<u32>,
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
    /// The structure elements, in the order they were opened (empty: the pages are not
    /// tagged).
    pub nodes: Vec<Node>,
}

/// The area an anchored block occupies: page (0-based) and `[left, top, right, bottom]` in
/// points from the page's top-left corner. A block split across pages reports its last part.
#[derive(Debug, Clone, PartialEq)]
pub struct Anchor {
    pub name: String,
    pub page: usize,
    pub rect: [f32; 4],
}
