//! XLSX output (rust_xlsxwriter), driven only by the document model and its column hints.
//!
//! The first sheet, 概要, holds the title, the key–value sections, text, lists and signatures.
//! Every table becomes a real Excel table (autofilter, style, frozen header) on its own sheet,
//! or on the sheet it names; typed cells (dates, numbers, percentages), dropdowns and colours
//! for enumerated columns, data bars for percentages, and a chart where the table asks for one.

use crate::values::format_amount;
use std::collections::HashMap;

use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use super::{RenderError, Theme};

mod overview;
mod table;

use crate::document::*;
use overview::overview;
use table::table_sheet_write;

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

fn excel_date(d: &crate::values::Date) -> Option<ExcelDateTime> {
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
        CellHint::Date(date) => match excel_date(date) {
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
