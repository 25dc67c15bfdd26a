//! The sheets that hold a document's tables.

use rust_xlsxwriter::{
    Chart, ChartType, Color, ConditionalFormatCell, ConditionalFormatCellRule,
    ConditionalFormatDataBar, DataValidation, Format, FormatAlign, Table as XTable, TableColumn,
    TableStyle, Worksheet, XlsxError,
};

use super::{char_units, lines_needed, print_setup, row_height, write_value, Formats};
use crate::document::*;

/// The header texts of a table, one per column, unique and non-empty.
fn headers(t: &Table) -> Vec<String> {
    let n = t.columns.len();
    // Each column is named by every header cell above it, top to bottom: a cell spanning
    // columns names each of them (`计划 · 开始`, `计划 · 结束`), one spanning rows once.
    let mut parts: Vec<Vec<String>> = vec![Vec::new(); n];
    for s in t.place(&t.header).iter().flatten().filter(|s| !s.continued) {
        let text = s.cell.plain_text().replace('\n', " ");
        if text.trim().is_empty() {
            continue;
        }
        for p in &mut parts[s.col..s.col + s.span] {
            p.push(text.clone());
        }
    }
    let mut out: Vec<String> = parts.into_iter().map(|p| p.join(" · ")).collect();
    let mut seen: Vec<String> = Vec::new();
    for (i, h) in out.iter_mut().enumerate() {
        if h.trim().is_empty() {
            *h = format!("列{}", i + 1);
        }
        let mut candidate = h.clone();
        let mut k = 2;
        while seen
            .iter()
            .any(|s| s.to_lowercase() == candidate.to_lowercase())
        {
            candidate = format!("{h}({k})");
            k += 1;
        }
        *h = candidate.chars().take(255).collect();
        seen.push(h.clone());
    }
    out
}

/// Each row's cells laid on the columns: a colspan leaves blanks after its text, and a
/// rowspan repeats its value in every row it covers (an Excel table cannot merge cells, and
/// a filtered row keeps its value).
fn row_cells<'a>(t: &Table, rows: &'a [Row]) -> Vec<Vec<Option<&'a Cell>>> {
    t.place(rows)
        .into_iter()
        .map(|slots| {
            let mut out = vec![None; t.columns.len()];
            for s in slots {
                out[s.col] = Some(s.cell);
            }
            out
        })
        .collect()
}

/// A sheet of one or more tables (stacked), each a real Excel table with typed cells,
/// dropdowns and colours for enumerated columns, data bars for percentages, and a chart
/// where the table asks for one.
pub(super) fn table_sheet_write(
    ws: &mut Worksheet,
    doc: &Document,
    name: &str,
    tables: &[&Table],
    f: &Formats,
    table_no: &mut usize,
) -> Result<(), XlsxError> {
    let ncols = tables.iter().map(|t| t.columns.len()).max().unwrap_or(1);
    print_setup(ws, doc, doc.landscape || ncols > 6);
    ws.write_string_with_format(0, 0, format!("{} — {}", doc.meta.title, name), &f.heading)?;
    let mut widths = vec![6.0f64; ncols];
    let mut r: u32 = 2;
    let mut first_header_row = None;
    for t in tables {
        let heads = headers(t);
        if tables.len() > 1 {
            ws.write_string_with_format(r, 0, &t.name, &f.heading)?;
            r += 1;
        }
        let header_row = r;
        first_header_row.get_or_insert(header_row);
        // Measure widths first so row heights can be estimated.
        let body = row_cells(t, &t.rows);
        measure(&mut widths, &heads, &body);
        let last_row = body_rows(ws, t, &body, header_row, &widths, f)?;
        *table_no += 1;
        excel_table(ws, t, &heads, (header_row, last_row), *table_no, f)?;
        r = last_row + 1;
        for placed in row_cells(t, &t.footer) {
            for (c, cell) in placed.into_iter().enumerate() {
                if let Some(cell) = cell {
                    write_value(ws, r, c as u16, &cell.plain_text(), &cell.hint, &f.label)?;
                }
            }
            r += 1;
        }
        if let (Some(kind), false) = (t.chart, t.rows.is_empty()) {
            chart(ws, name, t, kind, &heads, (header_row, last_row), ncols)?;
        }
        r += 2;
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    if let Some(h) = first_header_row {
        if tables.len() == 1 {
            ws.set_freeze_panes(h + 1, 0)?;
        }
        ws.set_repeat_rows(h, h)?;
    }
    Ok(())
}

/// Widens each column to its header and its widest line, within 6 to 50 units.
fn measure(widths: &mut [f64], heads: &[String], body: &[Vec<Option<&Cell>>]) {
    for (c, h) in heads.iter().enumerate() {
        widths[c] = widths[c].max(h.chars().map(char_units).sum::<f64>() + 2.0);
    }
    for placed in body {
        for (c, &cell) in placed.iter().enumerate() {
            if let Some(cell) = cell {
                let w: f64 = cell
                    .plain_text()
                    .split('\n')
                    .map(|l| l.chars().map(char_units).sum::<f64>())
                    .fold(0.0, f64::max);
                widths[c] = widths[c].max(w + 2.0);
            }
        }
    }
    for w in widths.iter_mut() {
        *w = w.clamp(6.0, 50.0);
    }
}

/// Writes a table's body below its header row; returns the table's last row.
fn body_rows(
    ws: &mut Worksheet,
    t: &Table,
    body: &[Vec<Option<&Cell>>],
    header_row: u32,
    widths: &[f64],
    f: &Formats,
) -> Result<u32, XlsxError> {
    let mut data_row = header_row + 1;
    for (row, placed) in t.rows.iter().zip(body) {
        let mut tallest = 1;
        for (c, &cell) in placed.iter().enumerate() {
            let text = cell.map(Cell::plain_text).unwrap_or_default();
            let hint = cell.map(|c| c.hint.clone()).unwrap_or_default();
            let mut fmt = f.text.clone();
            if let Some(a) = cell.and_then(|c| c.align).or(t.columns[c].align) {
                fmt = fmt.set_align(match a {
                    Align::Left => FormatAlign::Left,
                    Align::Center => FormatAlign::Center,
                    Align::Right => FormatAlign::Right,
                });
            }
            if let Some(flag) = row.flag {
                fmt = fmt.set_background_color(rgb(flag.bg()));
            }
            tallest = tallest.max(lines_needed(&text, widths[c]));
            write_value(ws, data_row, c as u16, &text, &hint, &fmt)?;
        }
        ws.set_row_height(data_row, row_height(tallest))?;
        data_row += 1;
    }
    Ok(if t.rows.is_empty() {
        header_row + 1
    } else {
        data_row - 1
    })
}

fn rgb(hex: &str) -> Color {
    Color::RGB(u32::from_str_radix(hex, 16).unwrap_or(0))
}

/// The Excel table over `rows` (header to last row), and its columns' rules.
fn excel_table(
    ws: &mut Worksheet,
    t: &Table,
    heads: &[String],
    (header_row, last_row): (u32, u32),
    table_no: usize,
    f: &Formats,
) -> Result<(), XlsxError> {
    let columns: Vec<TableColumn> = heads
        .iter()
        .map(|h| {
            TableColumn::new()
                .set_header(h.as_str())
                .set_header_format(&f.header)
        })
        .collect();
    let table = XTable::new()
        .set_name(format!("表{}", table_no))
        .set_columns(&columns)
        .set_style(TableStyle::Medium2)
        .set_autofilter(true);
    ws.add_table(
        header_row,
        0,
        last_row,
        (t.columns.len() - 1) as u16,
        &table,
    )?;
    if !t.rows.is_empty() {
        for (c, col) in t.columns.iter().enumerate() {
            column_rules(ws, col, c as u16, (header_row + 1, last_row))?;
        }
    }
    Ok(())
}

/// A column's rules over its body rows: a dropdown and colours for an enumerated column, data
/// bars for a percentage.
fn column_rules(
    ws: &mut Worksheet,
    col: &Column,
    c: u16,
    (top, bottom): (u32, u32),
) -> Result<(), XlsxError> {
    if col.kind == ColumnType::Enum && !col.options.is_empty() {
        let options: Vec<&str> = col.options.iter().map(String::as_str).collect();
        if options.iter().map(|o| o.chars().count() + 1).sum::<usize>() <= 255 {
            let dv = DataValidation::new().allow_list_strings(&options)?;
            ws.add_data_validation(top, c, bottom, c, &dv)?;
        }
        for (option, tone) in col.options.iter().zip(&col.colors) {
            if let Some(tone) = tone {
                let fmt = Format::new()
                    .set_font_color(rgb(tone.fg()))
                    .set_background_color(rgb(tone.bg()));
                let cf = ConditionalFormatCell::new()
                    .set_rule(ConditionalFormatCellRule::EqualTo(option.as_str()))
                    .set_format(fmt);
                ws.add_conditional_format(top, c, bottom, c, &cf)?;
            }
        }
    }
    if col.kind == ColumnType::Percent {
        ws.add_conditional_format(top, c, bottom, c, &ConditionalFormatDataBar::new())?;
    }
    Ok(())
}

/// A chart of a table's first column (categories) and second (values), beside the table.
fn chart(
    ws: &mut Worksheet,
    sheet: &str,
    t: &Table,
    kind: ChartKind,
    heads: &[String],
    (header_row, last_row): (u32, u32),
    ncols: usize,
) -> Result<(), XlsxError> {
    let mut chart = Chart::new(match kind {
        ChartKind::Column => ChartType::Column,
        ChartKind::Bar => ChartType::Bar,
        ChartKind::Pie => ChartType::Pie,
    });
    chart
        .add_series()
        .set_categories((sheet, header_row + 1, 0, last_row, 0))
        .set_values((sheet, header_row + 1, 1, last_row, 1))
        .set_name(heads.get(1).map(String::as_str).unwrap_or(""));
    chart.title().set_name(&t.name);
    chart.legend().set_hidden();
    ws.insert_chart(header_row, (ncols + 1) as u16, &chart)?;
    Ok(())
}
