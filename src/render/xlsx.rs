//! XLSX output (rust_xlsxwriter), driven only by the document model and its column hints.
//!
//! The first sheet, 概要, holds the title, the key–value sections, text, lists and signatures.
//! Every table becomes a real Excel table (autofilter, style, frozen header) on its own sheet,
//! or on the sheet it names; typed cells (dates, numbers, percentages), dropdowns and colours
//! for enumerated columns, data bars for percentages, and a chart where the table asks for one.

use std::collections::HashMap;

use rust_xlsxwriter::{
    Chart, ChartType, Color, ConditionalFormatCell, ConditionalFormatCellRule,
    ConditionalFormatDataBar, DataValidation, DocProperties, ExcelDateTime, Format, FormatAlign,
    FormatBorder, Table as XTable, TableColumn, TableStyle, Url, Workbook, Worksheet, XlsxError,
};

use super::{RenderError, Theme};
use crate::document::*;

/// Width units Excel gives a character: about 2.1 for CJK, 1.1 for Latin (autofit under-measures CJK).
pub fn char_units(c: char) -> f64 {
    if c.is_ascii() {
        1.1
    } else if unicode_wide(c) {
        2.1
    } else {
        1.2
    }
}

fn unicode_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x1F300..=0x1F64F | 0x1F900..=0x1F9FF | 0x20000..=0x3FFFD)
}

/// Lines a text needs in a cell `width` units wide.
fn lines_needed(text: &str, width: f64) -> usize {
    text.split('\n')
        .map(|l| {
            let w: f64 = l.chars().map(char_units).sum();
            ((w / width.max(1.0)).ceil() as usize).max(1)
        })
        .sum()
}

fn row_height(lines: usize) -> f64 {
    (lines as f64 * 15.0 + 3.0).min(409.0)
}

struct Formats {
    title: Format,
    subtitle: Format,
    heading: Format,
    label: Format,
    text: Format,
    header: Format,
    plain: Format,
    note: Format,
}

fn base(theme: &Theme) -> Format {
    Format::new()
        .set_font_name(theme.body_east_asia.as_str())
        .set_font_size(10.5)
}

fn formats(theme: &Theme) -> Formats {
    let cell = base(theme)
        .set_border(FormatBorder::Thin)
        .set_border_color("8C8C8C")
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter);
    Formats {
        title: base(theme)
            .set_bold()
            .set_font_size(16)
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter),
        subtitle: base(theme)
            .set_font_size(12)
            .set_font_color("404040")
            .set_align(FormatAlign::Center),
        heading: base(theme).set_bold().set_font_size(12),
        label: cell
            .clone()
            .set_bold()
            .set_background_color("F2F2F2")
            .set_align(FormatAlign::Center),
        text: cell.clone(),
        header: cell
            .clone()
            .set_bold()
            .set_background_color("D9E2F3")
            .set_align(FormatAlign::Center),
        plain: base(theme).set_text_wrap().set_align(FormatAlign::Top),
        note: base(theme)
            .set_font_size(9)
            .set_font_color("595959")
            .set_text_wrap(),
    }
}

fn xerr(e: XlsxError) -> RenderError {
    match e {
        XlsxError::RowColumnLimitError
        | XlsxError::MaxStringLengthExceeded
        | XlsxError::MaxUrlLengthExceeded
        | XlsxError::TableRangeOverlaps(_, _) => {
            RenderError::TooBig(format!("the document does not fit a spreadsheet: {e}"))
        }
        other => RenderError::Internal(format!("xlsx: {other}")),
    }
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`, unique.
fn sheet_name(wanted: &str, used: &mut Vec<String>) -> String {
    let cleaned: String = wanted
        .chars()
        .map(|c| {
            if "[]:*?/\\".contains(c) || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.trim().trim_matches('\'').to_string();
    let base: String = if cleaned.is_empty() {
        format!("表{}", used.len())
    } else {
        cleaned
    };
    let mut name: String = base.chars().take(31).collect();
    let mut n = 2;
    while used.iter().any(|u| u.to_lowercase() == name.to_lowercase())
        || name.eq_ignore_ascii_case("history")
    {
        let suffix = format!("({n})");
        name = base
            .chars()
            .take(31 - suffix.chars().count())
            .collect::<String>()
            + &suffix;
        n += 1;
    }
    used.push(name.clone());
    name
}

/// Escapes text for a print header or footer (`&` is a control character there).
fn hf(s: &str) -> String {
    s.replace('&', "&&").chars().take(100).collect()
}

fn excel_date(iso: &str) -> Option<ExcelDateTime> {
    let d = crate::values::Date::parse(iso)?;
    ExcelDateTime::from_ymd(d.year as u16, d.month as u8, d.day as u8).ok()
}

/// Writes one typed value. Text is always a string — never a formula, whatever it starts with.
fn write_value(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    text: &str,
    hint: &CellHint,
    fmt: &Format,
) -> Result<(), XlsxError> {
    match hint {
        CellHint::Date(iso) => match excel_date(iso) {
            Some(d) => ws
                .write_datetime_with_format(
                    row,
                    col,
                    &d,
                    &fmt.clone().set_num_format("yyyy\"年\"m\"月\"d\"日\""),
                )
                .map(|_| ()),
            None => ws.write_string_with_format(row, col, text, fmt).map(|_| ()),
        },
        CellHint::Number(n) => match number_format(text, *n) {
            // The number as it is shown (50000元, 62,000.50) as a number with a format, so it
            // still sums.
            Some(num_format) => {
                let fmt = fmt.clone().set_num_format(num_format);
                ws.write_number_with_format(row, col, *n, &fmt).map(|_| ())
            }
            None => ws.write_string_with_format(row, col, text, fmt).map(|_| ()),
        },
        CellHint::Percent(p) => ws
            .write_number_with_format(row, col, *p, &fmt.clone().set_num_format("0%"))
            .map(|_| ()),
        CellHint::Text if text.is_empty() => ws.write_blank(row, col, fmt).map(|_| ()),
        CellHint::Text => ws.write_string_with_format(row, col, text, fmt).map(|_| ()),
    }
}

/// The Excel number format that shows `n` as `text` does: the number plain (`General`) or
/// grouped with two decimals (`#,##0.00`, as [`format_amount`] writes money), with any unit
/// around it kept as literal text (`50000元` → `General"元"`). `None` when the text does
/// not show the number (then the text is written as it is, so nothing is lost).
fn number_format(text: &str, n: f64) -> Option<String> {
    let t = text.trim();
    if t.is_empty() {
        return Some("General".into());
    }
    let plain = if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    };
    let (i, shown, core) = match t.find(&plain) {
        Some(i) => (i, plain, "General"),
        None => {
            let amount = format_amount(n);
            (t.find(&amount)?, amount, "#,##0.00")
        }
    };
    let (pre, post) = (&t[..i], &t[i + shown.len()..]);
    let literal = |s: &str| {
        if s.is_empty() {
            Some(String::new())
        } else if s
            .chars()
            .all(|c| !c.is_ascii_digit() && !"\n;@[]*,.".contains(c))
        {
            Some(format!("\"{}\"", s.replace('"', "")))
        } else {
            None
        }
    };
    Some(format!("{}{core}{}", literal(pre)?, literal(post)?))
}

pub fn render(doc: &Document, theme: &Theme) -> Result<super::Output, RenderError> {
    let f = formats(theme);
    let mut wb = Workbook::new();
    // Fast deflate: a workbook is small and speed matters more than a few kilobytes.
    wb.set_zip_compression_level(1);
    let company = doc
        .header
        .as_ref()
        .map(|h| h.left.clone())
        .unwrap_or_default();
    wb.set_properties(
        &DocProperties::new()
            .set_title(doc.meta.title.as_str())
            .set_subject(doc.meta.subject.as_str())
            .set_author(doc.meta.author.as_str())
            .set_company(company.as_str())
            .set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1).map_err(xerr)?),
    );
    let mut used = Vec::new();
    let overview_name = sheet_name("概要", &mut used);

    // Which sheet each table goes on, in order of first appearance.
    let mut sheets: Vec<(String, Vec<&Table>)> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for b in &doc.blocks {
        if let Block::Table(t) = b {
            let key = t
                .sheet
                .clone()
                .unwrap_or_else(|| format!("\u{0}{}", sheets.len()));
            match by_key.get(&key) {
                Some(&i) => sheets[i].1.push(t),
                None => {
                    let name = sheet_name(t.sheet.as_deref().unwrap_or(&t.name), &mut used);
                    by_key.insert(key, sheets.len());
                    sheets.push((name, vec![t]));
                }
            }
        }
    }
    let table_sheet: HashMap<*const Table, String> = sheets
        .iter()
        .flat_map(|(name, ts)| ts.iter().map(move |t| (*t as *const Table, name.clone())))
        .collect();

    overview(wb.add_worksheet(), doc, &f, &overview_name, &table_sheet).map_err(xerr)?;
    let mut table_no = 0;
    for (name, tables) in &sheets {
        crate::budget::check().map_err(RenderError::Stopped)?;
        let ws = wb.add_worksheet();
        ws.set_name(name).map_err(xerr)?;
        table_sheet_write(ws, doc, name, tables, &f, &mut table_no).map_err(xerr)?;
    }
    crate::budget::check().map_err(RenderError::Stopped)?;
    wb.save_to_buffer().map(super::Output::plain).map_err(xerr)
}

const OVERVIEW_WIDTHS: [f64; 6] = [14.0, 24.0, 14.0, 24.0, 14.0, 24.0];

fn print_setup(ws: &mut Worksheet, doc: &Document, landscape: bool) {
    ws.set_paper_size(9); // A4
    if landscape {
        ws.set_landscape();
    }
    ws.set_print_fit_to_pages(1, 0);
    ws.set_margins(0.6, 0.6, 0.8, 0.8, 0.4, 0.4);
    let h = doc.header.clone().unwrap_or_default();
    ws.set_header(format!(
        "&L{}&C{}&R{}",
        hf(&h.left),
        hf(&doc.meta.title),
        hf(&h.right)
    ));
    ws.set_footer("&C第 &P 页 / 共 &N 页");
}

/// The first sheet: title, key–value sections, text, lists, signatures, and links to tables.
fn overview(
    ws: &mut Worksheet,
    doc: &Document,
    f: &Formats,
    name: &str,
    table_sheet: &HashMap<*const Table, String>,
) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    for (i, w) in OVERVIEW_WIDTHS.iter().enumerate() {
        ws.set_column_width(i as u16, *w)?;
    }
    let full: f64 = OVERVIEW_WIDTHS.iter().sum();
    print_setup(ws, doc, false);
    let mut r: u32 = 0;
    // The page header's text (organisation, document number) heads the sheet.
    if let Some(h) = doc
        .header
        .as_ref()
        .filter(|h| !h.left.is_empty() || !h.right.is_empty())
    {
        ws.merge_range(r, 0, r, 2, &h.left, &f.note)?;
        ws.merge_range(
            r,
            3,
            r,
            5,
            &h.right,
            &f.note.clone().set_align(FormatAlign::Right),
        )?;
        r += 1;
    }
    let span_all =
        |ws: &mut Worksheet, r: u32, text: &str, fmt: &Format| -> Result<(), XlsxError> {
            ws.merge_range(r, 0, r, 5, text, fmt)?;
            ws.set_row_height(r, row_height(lines_needed(text, full)))?;
            Ok(())
        };
    for b in &doc.blocks {
        match b {
            Block::Title(t) => {
                span_all(ws, r, &plain_text(t), &f.title)?;
                ws.set_row_height(r, 28)?;
                r += 1;
            }
            Block::Subtitle(t) => {
                span_all(ws, r, &plain_text(t), &f.subtitle)?;
                r += 2;
            }
            Block::Heading { text, .. } => {
                r += 1;
                ws.write_string_with_format(r, 0, plain_text(text), &f.heading)?;
                r += 1;
            }
            Block::Paragraph { style, text, .. } => {
                let fmt = if *style == ParaStyle::Note {
                    &f.note
                } else {
                    &f.plain
                };
                span_all(ws, r, &plain_text(text), fmt)?;
                r += 1;
            }
            Block::List { ordered, items } => {
                for (i, item) in items.iter().enumerate() {
                    let marker = format!("{} ", list_marker(*ordered, i));
                    span_all(ws, r, &format!("{marker}{}", plain_text(item)), &f.plain)?;
                    r += 1;
                }
            }
            Block::KeyValue(kv) => {
                for row in kv.rows(3).1 {
                    let mut tallest = 1;
                    for (col, span, item) in row.items {
                        let c = (col * 2) as u16;
                        ws.write_string_with_format(r, c, &item.label, &f.label)?;
                        let value = plain_text(&item.value);
                        let last = c + (span * 2 - 1) as u16;
                        let width: f64 = OVERVIEW_WIDTHS[usize::from(c) + 1..=usize::from(last)]
                            .iter()
                            .sum();
                        tallest = tallest
                            .max(lines_needed(&value, width))
                            .max(lines_needed(&item.label, OVERVIEW_WIDTHS[0]));
                        if last > c + 1 {
                            ws.merge_range(r, c + 1, r, last, "", &f.text)?;
                        }
                        write_value(ws, r, c + 1, &value, &item.hint, &f.text)?;
                    }
                    ws.set_row_height(r, row_height(tallest))?;
                    r += 1;
                }
            }
            Block::Table(t) => {
                let sheet = table_sheet
                    .get(&(t as *const Table))
                    .cloned()
                    .unwrap_or_default();
                let link = Url::new(format!("internal:'{sheet}'!A1")).set_text(format!(
                    "见工作表「{sheet}」（{}，{} 行）",
                    t.name,
                    t.rows.len()
                ));
                ws.write_url(r, 0, link)?;
                r += 1;
            }
            Block::Signatures(list) if !list.is_empty() => {
                for (c, h) in SIGNATURE_COLUMNS.iter().enumerate() {
                    ws.write_string_with_format(r, c as u16, *h, &f.header)?;
                }
                r += 1;
                for s in list {
                    for (c, v) in [
                        &s.role,
                        &s.department,
                        &s.name,
                        &s.title,
                        &String::new(),
                        &s.date,
                    ]
                    .iter()
                    .enumerate()
                    {
                        ws.write_string_with_format(r, c as u16, v.as_str(), &f.text)?;
                    }
                    ws.set_row_height(r, 30)?;
                    r += 1;
                }
            }
            Block::Signatures(_) | Block::Image { .. } | Block::PageBreak => {}
        }
    }
    Ok(())
}

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

fn table_sheet_write(
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
        let n = t.columns.len();
        let heads = headers(t);
        if tables.len() > 1 {
            ws.write_string_with_format(r, 0, &t.name, &f.heading)?;
            r += 1;
        }
        let header_row = r;
        first_header_row.get_or_insert(header_row);
        for (c, h) in heads.iter().enumerate() {
            widths[c] = widths[c].max(h.chars().map(char_units).sum::<f64>() + 2.0);
        }
        // Measure widths first so row heights can be estimated.
        let body = row_cells(t, &t.rows);
        for placed in &body {
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
        let mut data_row = header_row + 1;
        for (row, placed) in t.rows.iter().zip(&body) {
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
                    fmt = fmt.set_background_color(Color::RGB(
                        u32::from_str_radix(flag.bg(), 16).unwrap_or(0),
                    ));
                }
                tallest = tallest.max(lines_needed(&text, widths[c]));
                write_value(ws, data_row, c as u16, &text, &hint, &fmt)?;
            }
            ws.set_row_height(data_row, row_height(tallest))?;
            data_row += 1;
        }
        let last_row = if t.rows.is_empty() {
            header_row + 1
        } else {
            data_row - 1
        };
        let columns: Vec<TableColumn> = heads
            .iter()
            .map(|h| {
                TableColumn::new()
                    .set_header(h.as_str())
                    .set_header_format(&f.header)
            })
            .collect();
        *table_no += 1;
        let table = XTable::new()
            .set_name(format!("表{}", table_no))
            .set_columns(&columns)
            .set_style(TableStyle::Medium2)
            .set_autofilter(true);
        ws.add_table(header_row, 0, last_row, (n - 1) as u16, &table)?;
        if !t.rows.is_empty() {
            let (top, bottom) = (header_row + 1, last_row);
            for (c, col) in t.columns.iter().enumerate() {
                let c = c as u16;
                if col.kind == ColumnType::Enum && !col.options.is_empty() {
                    let options: Vec<&str> = col.options.iter().map(String::as_str).collect();
                    if options.iter().map(|o| o.chars().count() + 1).sum::<usize>() <= 255 {
                        let dv = DataValidation::new().allow_list_strings(&options)?;
                        ws.add_data_validation(top, c, bottom, c, &dv)?;
                    }
                    for (option, tone) in col.options.iter().zip(&col.colors) {
                        if let Some(tone) = tone {
                            let fmt = Format::new()
                                .set_font_color(Color::RGB(
                                    u32::from_str_radix(tone.fg(), 16).unwrap_or(0),
                                ))
                                .set_background_color(Color::RGB(
                                    u32::from_str_radix(tone.bg(), 16).unwrap_or(0),
                                ));
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
            }
        }
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
            let mut chart = Chart::new(match kind {
                ChartKind::Column => ChartType::Column,
                ChartKind::Bar => ChartType::Bar,
                ChartKind::Pie => ChartType::Pie,
            });
            chart
                .add_series()
                .set_categories((name, header_row + 1, 0, last_row, 0))
                .set_values((name, header_row + 1, 1, last_row, 1))
                .set_name(heads.get(1).map(String::as_str).unwrap_or(""));
            chart.title().set_name(&t.name);
            chart.legend().set_hidden();
            ws.insert_chart(header_row, (ncols + 1) as u16, &chart)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_legal_and_unique() {
        let mut used = vec![];
        assert_eq!(sheet_name("行动项", &mut used), "行动项");
        assert_eq!(sheet_name("行动项", &mut used), "行动项(2)");
        assert_eq!(sheet_name("a/b:c*d?[e]", &mut used), "a_b_c_d__e_");
        let long = sheet_name(&"很".repeat(40), &mut used);
        assert_eq!(long.chars().count(), 31);
    }

    #[test]
    fn a_number_keeps_its_unit_and_grouping_as_a_format() {
        assert_eq!(
            number_format("50000元", 50000.0).as_deref(),
            Some("General\"元\"")
        );
        assert_eq!(
            number_format("约 3 人", 3.0).as_deref(),
            Some("\"约 \"General\" 人\"")
        );
        assert_eq!(
            number_format("62,000.50", 62000.5).as_deref(),
            Some("#,##0.00")
        );
        assert_eq!(
            number_format("¥1,234,567.00", 1234567.0).as_deref(),
            Some("\"¥\"#,##0.00")
        );
        assert_eq!(number_format("三人", 3.0), None);
        assert_eq!(number_format("62,000", 62000.0), None);
    }

    #[test]
    fn cjk_text_is_measured_wider_than_latin() {
        assert_eq!(lines_needed("会议纪要会议纪要", 10.0), 2);
        assert_eq!(lines_needed("abcdefgh", 10.0), 1);
    }
}
