//! A filled DOCX as a model of what it shows ([`super::read`] makes one), every property
//! resolved as Word resolves it (document defaults → style chain → direct formatting), in
//! points: sections with their
//! page set-up, headers and footers; paragraphs of styled runs, list labels, fields (`PAGE`,
//! `NUMPAGES`, a table of contents rebuilt from the headings); tables with their grid, merges,
//! borders and shading; pictures. What [`super::pdf`] lays out on pages.
//!
//! What the model does not carry (charts, equations, WordArt, SmartArt, floating text wrap) is counted by name in
//! [`Docx::unsupported`]; the text inside such an element is still read.

use std::collections::BTreeMap;

use crate::image::ImageData;

/// Twips to points.
pub const TWIP: f32 = 1.0 / 20.0;
#[derive(Debug, Clone, Default)]
pub struct Docx {
    pub sections: Vec<Section>,
    /// Elements not carried over, by what they are, with how many there were.
    pub unsupported: BTreeMap<&'static str, usize>,
    /// Font names the runs ask for, East Asian and Latin.
    pub fonts: std::collections::BTreeSet<String>,
    /// Whether any table of contents was rebuilt (its page numbers need a second pass).
    pub has_toc: bool,
    /// Even pages have their own headers and footers (`w:evenAndOddHeaders`).
    pub even_and_odd: bool,
    /// Full-width punctuation is compressed (`w:characterSpacingControl`).
    pub compress_punctuation: bool,
}

#[derive(Debug, Clone)]
pub struct PageSetup {
    pub width: f32,
    pub height: f32,
    pub top: f32,
    pub bottom: f32,
    pub left: f32,
    pub right: f32,
    pub header: f32,
    pub footer: f32,
    /// The document grid's line pitch, when lines snap to it.
    pub grid: Option<f32>,
    /// The character grid's pitch (`linesAndChars`): each East Asian character takes whole
    /// cells of it.
    pub char_pitch: Option<f32>,
}

impl Default for PageSetup {
    fn default() -> Self {
        PageSetup {
            width: 595.3,
            height: 841.9,
            top: 72.0,
            bottom: 72.0,
            left: 90.0,
            right: 90.0,
            header: 42.55,
            footer: 49.6,
            grid: None,
            char_pitch: None,
        }
    }
}

/// Headers or footers of a section.
#[derive(Debug, Clone, Default)]
pub struct Furniture {
    pub default: Option<Vec<Block>>,
    pub first: Option<Vec<Block>>,
    pub even: Option<Vec<Block>>,
}

#[derive(Debug, Clone, Default)]
pub struct Section {
    pub page: PageSetup,
    pub header: Furniture,
    pub footer: Furniture,
    /// The first page has its own header and footer.
    pub title_page: bool,
    /// The section starts on a new page (not `continuous`).
    pub new_page: bool,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone)]
pub enum Block {
    Para(Para),
    Table(Table),
    /// A table of contents: its entries are paragraphs whose page numbers refer to headings.
    Toc(Vec<Para>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
    Both,
    Distribute,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LineRule {
    /// A multiple of the line's natural height.
    Auto(f32),
    Exact(f32),
    AtLeast(f32),
}

/// A tab stop: position (points from the paragraph's left indent) and kind.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TabStop {
    pub pos: f32,
    pub align: Align,
    pub leader: bool,
}

#[derive(Debug, Clone)]
pub struct Para {
    pub align: Align,
    pub left: f32,
    pub right: f32,
    /// The first line's indent from `left`: positive in, negative hanging.
    pub first: f32,
    /// The same in characters, when the document gave it so (a character grid's cells).
    pub first_chars: Option<f32>,
    pub before: f32,
    pub after: f32,
    pub line: LineRule,
    pub keep_next: bool,
    pub keep_lines: bool,
    pub page_break_before: bool,
    pub widows: bool,
    /// Lines snap to the section's document grid.
    pub snap: bool,
    pub outline: Option<u8>,
    /// A heading's number among the document's headings (what a contents entry refers to).
    pub heading: Option<usize>,
    pub tabs: Vec<TabStop>,
    pub default_tab: f32,
    pub inlines: Vec<Inline>,
    /// The paragraph's own style (the size of an empty paragraph's line).
    pub mark: RunStyle,
    pub fill: Option<[u8; 3]>,
    /// Rules above and below the paragraph.
    pub rules: [Option<Border>; 2],
}

#[derive(Debug, Clone, PartialEq)]
pub struct RunStyle {
    pub size: f32,
    pub bold: bool,
    pub italic: bool,
    pub underline: bool,
    pub strike: bool,
    pub color: [u8; 3],
    pub highlight: Option<[u8; 3]>,
    pub east_asia: Option<String>,
    pub latin: Option<String>,
    /// −1 subscript, 1 superscript.
    pub vert: i8,
    /// Points added to every character (`w:spacing`).
    pub spacing: f32,
}

impl Default for RunStyle {
    fn default() -> Self {
        RunStyle {
            size: 10.5,
            bold: false,
            italic: false,
            underline: false,
            strike: false,
            color: [0, 0, 0],
            highlight: None,
            east_asia: None,
            latin: None,
            vert: 0,
            spacing: 0.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Page,
    Pages,
    /// The page a heading starts on (a contents entry's number).
    PageOf(usize),
}

#[derive(Debug, Clone)]
pub enum Inline {
    Text(String, RunStyle),
    Tab(RunStyle),
    /// A line break within the paragraph.
    Break,
    PageBreak,
    Field(Field, RunStyle),
    Picture(Picture),
    /// A picture or text box anchored at a position of its own (`wp:anchor`): drawn there,
    /// over or under the text, taking no room in the line.
    Floating(Box<Floating>),
}

/// What a floating object is anchored to, on one axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relative {
    Page,
    /// The page's margin (or the column: one column here).
    Margin,
    /// The paragraph it is anchored in (or its line, or the character).
    Paragraph,
}

/// Where a floating object stands on one axis: from what, and an offset (points) or an
/// alignment (`left`, `center`, `right`, `top`, `bottom`…).
#[derive(Debug, Clone, PartialEq)]
pub struct Position {
    pub from: Relative,
    pub offset: f32,
    pub align: Option<String>,
}

#[derive(Debug, Clone)]
pub enum FloatingBody {
    Picture(Picture),
    /// A text box's paragraphs and tables.
    Blocks(Vec<Block>),
}

#[derive(Debug, Clone)]
pub struct Floating {
    pub x: Position,
    pub y: Position,
    pub width: f32,
    pub height: f32,
    pub body: FloatingBody,
}

#[derive(Debug, Clone)]
pub struct Picture {
    pub image: ImageData,
    pub width: f32,
    pub height: f32,
    pub alt: String,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Border {
    pub width: f32,
    pub color: [u8; 3],
}

/// Top, left, bottom, right, inside horizontal, inside vertical.
pub type Borders = [Option<Border>; 6];

#[derive(Debug, Clone)]
pub struct Table {
    pub grid: Vec<f32>,
    pub indent: f32,
    pub align: Align,
    pub rows: Vec<Row>,
    /// Cell margins: left, right, top, bottom.
    pub margins: [f32; 4],
}

#[derive(Debug, Clone)]
pub struct Row {
    pub cells: Vec<Cell>,
    /// The row's height and whether it is exact (else at least).
    pub height: Option<(f32, bool)>,
    pub header: bool,
    pub cant_split: bool,
}

#[derive(Debug, Clone)]
pub struct Cell {
    pub col: usize,
    pub span: usize,
    /// `Some(true)` starts a vertical merge, `Some(false)` continues one.
    pub merge: Option<bool>,
    pub fill: Option<[u8; 3]>,
    /// 0 top, 1 centre, 2 bottom.
    pub valign: u8,
    /// Top, left, bottom, right.
    pub borders: [Option<Border>; 4],
    pub blocks: Vec<Block>,
}
