//! Tables in the document model: columns with their types and tones, rows and cells, and
//! where each cell lands once spans are placed.

use super::*;

/// What a value is, beyond its display text: lets XLSX write typed cells and PDF align.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum CellHint {
    #[default]
    Text,
    /// A date.
    Date(crate::values::Date),
    Number(f64),
    /// A fraction, 0.0 to 1.0.
    Percent(f64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColumnType {
    #[default]
    Text,
    Date,
    Number,
    Percent,
    /// One of a fixed list (`Column::options`), coloured by `Column::colors`.
    Enum,
}

/// The named colours a template may use for enumerated values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Red,
    Amber,
    Green,
    Blue,
    Gray,
    Purple,
}

impl Tone {
    pub fn parse(s: &str) -> Option<Tone> {
        Some(match s.trim() {
            "red" => Tone::Red,
            "amber" => Tone::Amber,
            "green" => Tone::Green,
            "blue" => Tone::Blue,
            "gray" | "grey" => Tone::Gray,
            "purple" => Tone::Purple,
            _ => return None,
        })
    }

    /// Text colour, as `RRGGBB`.
    pub fn fg(self) -> &'static str {
        match self {
            Tone::Red => "9C0006",
            Tone::Amber => "9C5700",
            Tone::Green => "006100",
            Tone::Blue => "1F4E79",
            Tone::Gray => "595959",
            Tone::Purple => "5B2C83",
        }
    }

    /// Fill colour, as `RRGGBB`.
    pub fn bg(self) -> &'static str {
        match self {
            Tone::Red => "FFC7CE",
            Tone::Amber => "FFEB9C",
            Tone::Green => "C6EFCE",
            Tone::Blue => "DDEBF7",
            Tone::Gray => "EDEDED",
            Tone::Purple => "E4DFEC",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Column {
    /// Relative width.
    pub width: f32,
    pub kind: ColumnType,
    pub align: Option<Align>,
    pub options: Vec<String>,
    /// Colour per option, parallel to `options`.
    pub colors: Vec<Option<Tone>>,
}

impl Column {
    /// The tone for a cell's text in this column, when it is one of the coloured options.
    pub fn tone_of(&self, text: &str) -> Option<Tone> {
        let i = self.options.iter().position(|o| o == text.trim())?;
        self.colors.get(i).copied().flatten()
    }
}

/// A chart drawn from a table's first column (categories) and second column (values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    Column,
    Bar,
    Pie,
}

#[derive(Debug, Clone)]
pub struct Table {
    /// A short name (sheet name in XLSX).
    pub name: String,
    /// Tables naming the same sheet share it in XLSX (stacked); otherwise each has its own.
    pub sheet: Option<String>,
    /// A chart of this table where the format can draw one (XLSX).
    pub chart: Option<ChartKind>,
    pub columns: Vec<Column>,
    pub header: Vec<Row>,
    pub rows: Vec<Row>,
    /// Totals or summary rows after the body.
    pub footer: Vec<Row>,
}

/// A cell placed on a table's columns by [`Table::place`].
#[derive(Debug, Clone, Copy)]
pub struct Slot<'a> {
    pub col: usize,
    /// Columns it covers, at least 1, within the table.
    pub span: usize,
    /// Rows it covers from the row it starts in, at least 1, within its section.
    pub rowspan: usize,
    /// A cell that starts in a row above and covers this one too.
    pub continued: bool,
    pub cell: &'a Cell,
}

impl Table {
    /// Places each row of a section (header, body or footer) on the columns: a cell takes
    /// the first column no cell from above still covers, and a cell spanning rows comes
    /// again, `continued`, in each row below that it covers. Spans are clipped to the
    /// table's columns and the section's rows; cells past the last column are dropped.
    /// Every renderer reads rows through this, so spans land on the same columns in each.
    pub fn place<'a>(&self, rows: &'a [Row]) -> Vec<Vec<Slot<'a>>> {
        let n = self.columns.len();
        // Per column: the slot covering it and how many rows below it still covers.
        let mut above: Vec<Option<(Slot<'a>, usize)>> = vec![None; n];
        let mut out = Vec::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            let mut slots = Vec::with_capacity(row.cells.len());
            let mut own = row.cells.iter();
            let mut col = 0;
            while col < n {
                if let Some((slot, left)) = above[col].as_mut() {
                    slots.push(Slot {
                        continued: true,
                        ..*slot
                    });
                    let span = slot.span;
                    *left -= 1;
                    if *left == 0 {
                        above[col] = None;
                    }
                    col += span;
                    continue;
                }
                // A row out of cells still shows the cells spanning into it from above.
                let Some(cell) = own.next() else {
                    col += 1;
                    continue;
                };
                // A colspan stops short of a column still covered from above.
                let free = (col..n).take_while(|&c| above[c].is_none()).count();
                let span = cell.colspan.clamp(1, free);
                let rowspan = cell.rowspan.clamp(1, rows.len() - i);
                let slot = Slot {
                    col,
                    span,
                    rowspan,
                    continued: false,
                    cell,
                };
                if rowspan > 1 {
                    above[col] = Some((slot, rowspan - 1));
                }
                slots.push(slot);
                col += span;
            }
            out.push(slots);
        }
        out
    }
}

#[derive(Debug, Clone, Default)]
pub struct Row {
    pub cells: Vec<Cell>,
    /// Highlight the row (e.g. an overdue task).
    pub flag: Option<Tone>,
}

#[derive(Debug, Clone)]
pub struct Cell {
    pub text: Inlines,
    pub colspan: usize,
    pub rowspan: usize,
    pub hint: CellHint,
    pub align: Option<Align>,
}

impl Cell {
    pub fn plain_text(&self) -> String {
        plain_text(&self.text)
    }
}
