//! The format-neutral document model every renderer reads. No kind-specific types here.

pub use crate::image::{ImageData, ImageFormat};
use crate::values::Profile;

mod table;

pub use table::*;

/// A whole document: metadata, page furniture and a flow of blocks.
#[derive(Debug, Clone, Default)]
pub struct Document {
    pub meta: Meta,
    pub header: Option<PageHeader>,
    /// Footer text; `{page}` and `{pages}` stand for the page number and count.
    pub footer: Option<String>,
    /// A diagonal mark on every page (e.g. `草案 / DRAFT`).
    pub draft_mark: Option<String>,
    /// A seal pressed across the right edge of every page (骑缝章), at its real size in
    /// millimetres: each page shows its slice, so no page can be swapped unseen.
    pub cross_page_seal: Option<(ImageData, f32)>,
    pub landscape: bool,
    /// The house style the renderers lay the document out in.
    pub profile: Profile,
    pub blocks: Vec<Block>,
}

/// Whether a paragraph's first line starts two characters in (首行缩进两字): a left-aligned
/// body paragraph not set flush; not notes, centred or right-aligned lines.
pub fn indents_first_line(align: Align, style: ParaStyle, indent: bool) -> bool {
    indent && style == ParaStyle::Normal && align == Align::Left
}

#[derive(Debug, Clone, Default)]
pub struct Meta {
    pub title: String,
    /// The document kind's slug.
    pub subject: String,
    pub author: String,
    pub lang: String,
    /// Written as PDF/A-3b for an archive, the data it was made from attached.
    pub archive: Option<Archive>,
    /// What an OFD names in its custom data when the subject is not the kind: the kind of a
    /// document filled into a Word template, and the template (`word/<name>`, or `request`
    /// for one sent with the request).
    pub filled: Option<Filled>,
}

/// A document filled into a Word template: its kind (a slug, or a folder kind's name;
/// empty when the data was read as it is) and the template.
#[derive(Debug, Clone, Default)]
pub struct Filled {
    pub kind: String,
    pub template: String,
}

/// What a PDF/A-3b copy carries besides the document: the JSON it was made from, attached as
/// its source (`/AF`, `AFRelationship /Source`, `application/json`), and the date the data
/// is of.
#[derive(Debug, Clone)]
pub struct Archive {
    /// The attachment's file name (`会议纪要-2026-07-28.json`).
    pub name: String,
    pub json: std::sync::Arc<Vec<u8>>,
    /// The attachment's date: the document's, else 1980-01-01 (as the packages' entries).
    pub date: (u16, u8, u8),
}

#[derive(Debug, Clone, Default)]
pub struct PageHeader {
    pub left: String,
    pub right: String,
    /// A logo printed before the left text.
    pub logo: Option<ImageData>,
}

/// A run of text; `\n` inside is a line break.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Span {
    pub text: String,
    pub bold: bool,
}

impl Span {
    pub fn plain(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            bold: false,
        }
    }
}

/// Inline content: spans in order.
pub type Inlines = Vec<Span>;

/// All the text of some inlines, concatenated.
pub fn plain_text(spans: &[Span]) -> String {
    spans.iter().map(|s| s.text.as_str()).collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ParaStyle {
    #[default]
    Normal,
    /// Smaller, muted text (legends, notes).
    Note,
    /// The issuing organisation's mark (发文机关标志): large, red, centred, a red rule below.
    Masthead,
    /// A line of the closing block (版记: 抄送, 印发机关和日期), between rules.
    Colophon,
}

#[derive(Debug, Clone)]
pub enum Block {
    Title(Inlines),
    Subtitle(Inlines),
    Heading {
        level: u8,
        text: Inlines,
    },
    Paragraph {
        align: Align,
        style: ParaStyle,
        text: Inlines,
        /// A left-aligned body paragraph's first line starts two characters in; `false` for
        /// a line set flush (主送机关, a salutation).
        indent: bool,
    },
    KeyValue(KeyValue),
    Table(Table),
    List {
        ordered: bool,
        items: Vec<Inlines>,
    },
    Signatures(Vec<SignatureBlock>),
    Image {
        image: ImageData,
        width_mm: f32,
        align: Align,
        /// What the picture shows, for a screen reader (the PDF's figure, HTML's `alt`,
        /// Word's description); `None`: 插图 (picture).
        alt: Option<String>,
    },
    PageBreak,
}

/// What a picture is called when its block says nothing of what it shows.
pub const PICTURE: &str = "插图";

/// A grid of label–value pairs, `columns` pairs per row.
#[derive(Debug, Clone)]
pub struct KeyValue {
    pub columns: usize,
    pub items: Vec<KvItem>,
    /// A name under which the PDF layout reports where the grid landed (`anchor="…"`), e.g.
    /// the signature area a digital signature's widget is placed over.
    pub anchor: Option<String>,
}

/// One row of a key–value grid as every renderer lays it out.
#[derive(Debug)]
pub struct KvRow<'a> {
    /// (first pair-column, pair-columns spanned, item).
    pub items: Vec<(usize, usize, &'a KvItem)>,
    /// Pair-columns left empty at the end of the row.
    pub empty: usize,
}

impl KeyValue {
    /// The pair-columns per row (`columns`, at most `max_columns`) and the items laid into
    /// rows: an item that does not fit what is left of a row starts the next one.
    pub fn rows(&self, max_columns: usize) -> (usize, Vec<KvRow<'_>>) {
        let cols = self.columns.clamp(1, max_columns.max(1));
        let mut rows = Vec::new();
        let mut row = KvRow {
            items: Vec::new(),
            empty: cols,
        };
        for item in &self.items {
            let span = item.span.clamp(1, cols);
            if span > row.empty {
                rows.push(std::mem::replace(
                    &mut row,
                    KvRow {
                        items: Vec::new(),
                        empty: cols,
                    },
                ));
            }
            row.items.push((cols - row.empty, span, item));
            row.empty -= span;
        }
        if !row.items.is_empty() {
            rows.push(row);
        }
        (cols, rows)
    }
}

#[derive(Debug, Clone)]
pub struct KvItem {
    pub label: String,
    pub value: Inlines,
    /// How many pair-columns this item takes (a wide item spans the row).
    pub span: usize,
    pub hint: CellHint,
}

/// The column labels of a signature table, in every format.
pub const SIGNATURE_COLUMNS: [&str; 6] = ["角色", "部门", "姓名", "职务", "签字", "日期"];

/// What a signature table shows in the date column when nothing is signed yet.
pub const BLANK_DATE: &str = "　　年　　月　　日";

/// The marker of list item `i`: `1.` for ordered lists, `•` otherwise.
pub fn list_marker(ordered: bool, i: usize) -> String {
    if ordered {
        format!("{}.", i + 1)
    } else {
        "•".to_string()
    }
}

/// The name of the signature field of the `i`-th (0-based) signature line of a document:
/// `party-1`, `party-2`, … in the order the lines are printed.
pub fn signature_field(i: usize) -> String {
    format!("party-{}", i + 1)
}

/// A signature line: role, name, department, title, date and image.
#[derive(Debug, Clone, Default)]
pub struct SignatureBlock {
    pub role: String,
    pub name: String,
    pub department: String,
    pub title: String,
    pub date: String,
    pub image: Option<ImageData>,
}

impl Document {
    /// How many table cells the document has: every table's rows × columns, two per
    /// key-value item, five per signature line. What [`crate::budget::Limits`] bounds.
    pub fn cell_count(&self) -> usize {
        self.blocks
            .iter()
            .map(|b| match b {
                Block::Table(t) => (t.header.len() + t.rows.len() + t.footer.len())
                    .saturating_mul(t.columns.len().max(1)),
                Block::KeyValue(kv) => 2 * kv.items.len(),
                Block::Signatures(s) => 5 * s.len(),
                _ => 0,
            })
            .fold(0, usize::saturating_add)
    }

    /// Every piece of text in the document, in reading order (for tests and text checks).
    pub fn all_text(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(h) = &self.header {
            out.push(h.left.clone());
            out.push(h.right.clone());
        }
        for b in &self.blocks {
            match b {
                Block::Title(t) | Block::Subtitle(t) | Block::Heading { text: t, .. } => {
                    out.push(plain_text(t))
                }
                Block::Paragraph { text, .. } => out.push(plain_text(text)),
                Block::KeyValue(kv) => {
                    for i in &kv.items {
                        out.push(i.label.clone());
                        out.push(plain_text(&i.value));
                    }
                }
                Block::Table(t) => {
                    for r in t.header.iter().chain(&t.rows).chain(&t.footer) {
                        out.extend(r.cells.iter().map(Cell::plain_text));
                    }
                }
                Block::List { items, .. } => out.extend(items.iter().map(|i| plain_text(i))),
                Block::Signatures(s) => {
                    for s in s {
                        out.extend([
                            s.role.clone(),
                            s.name.clone(),
                            s.department.clone(),
                            s.title.clone(),
                            s.date.clone(),
                        ])
                    }
                }
                Block::Image { .. } | Block::PageBreak => {}
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn cell(colspan: usize, rowspan: usize) -> Cell {
            Cell {
                text: vec![Span::plain("x")],
                colspan,
                rowspan,
                hint: CellHint::Text,
                align: None,
            }
        }

        /// A table of `ncols` columns whose rows hold cells of random spans, some past the edge.
        fn table() -> impl Strategy<Value = Table> {
            (1usize..6).prop_flat_map(|ncols| {
                let row =
                    prop::collection::vec((1usize..4, 1usize..4), 0..ncols + 2).prop_map(|cells| {
                        Row {
                            cells: cells.into_iter().map(|(c, r)| cell(c, r)).collect(),
                            flag: None,
                        }
                    });
                prop::collection::vec(row, 1..8).prop_map(move |rows| Table {
                    name: "t".into(),
                    sheet: None,
                    chart: None,
                    columns: vec![Column::default(); ncols],
                    header: Vec::new(),
                    rows,
                    footer: Vec::new(),
                })
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 500, failure_persistence: None, ..ProptestConfig::default() })]

            /// Every placed cell lies within the columns and the section's rows, no two cells
            /// of a row cover one column, and a spanning cell comes again, continued, in each
            /// row it covers, on the same columns.
            #[test]
            fn spans_are_placed_within_the_table_without_overlap(t in table()) {
                let n = t.columns.len();
                let placed = t.place(&t.rows);
                prop_assert_eq!(placed.len(), t.rows.len());
                for (i, slots) in placed.iter().enumerate() {
                    let mut taken = vec![false; n];
                    for s in slots {
                        prop_assert!(s.span >= 1 && s.col + s.span <= n, "{:?} in {} columns", (s.col, s.span), n);
                        prop_assert!(s.rowspan >= 1 && i + s.rowspan <= t.rows.len() + usize::from(s.continued) * i);
                        for (c, t) in taken.iter_mut().enumerate().skip(s.col).take(s.span) {
                            prop_assert!(!*t, "row {} column {} covered twice", i, c);
                            *t = true;
                        }
                        if !s.continued {
                            for below in 1..s.rowspan {
                                let again = placed[i + below]
                                    .iter()
                                    .any(|b| b.continued && b.col == s.col && b.span == s.span);
                                prop_assert!(again, "a cell spanning rows is missing below row {}", i);
                            }
                        }
                    }
                }
            }
        }
    }
}
