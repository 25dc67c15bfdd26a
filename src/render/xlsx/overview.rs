//! The first sheet of a workbook: the title, key–value sections, text, lists, signatures and
//! links to the sheets that hold the tables.

use std::collections::HashMap;

use rust_xlsxwriter::{Format, FormatAlign, Url, Worksheet, XlsxError};

use super::{lines_needed, print_setup, row_height, write_value, Formats};
use crate::document::*;

const OVERVIEW_WIDTHS: [f64; 6] = [14.0, 24.0, 14.0, 24.0, 14.0, 24.0];

/// Writes the overview sheet; `table_sheet` names the sheet each table went to.
pub(super) fn overview(
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
    for b in &doc.blocks {
        r = block(ws, r, b, f, table_sheet)?;
    }
    Ok(())
}

/// Text across all six columns, the row as tall as the text needs.
fn span_all(ws: &mut Worksheet, r: u32, text: &str, fmt: &Format) -> Result<(), XlsxError> {
    let full: f64 = OVERVIEW_WIDTHS.iter().sum();
    ws.merge_range(r, 0, r, 5, text, fmt)?;
    ws.set_row_height(r, row_height(lines_needed(text, full)))?;
    Ok(())
}

/// Writes one block from row `r`; returns the next free row.
fn block(
    ws: &mut Worksheet,
    mut r: u32,
    b: &Block,
    f: &Formats,
    table_sheet: &HashMap<*const Table, String>,
) -> Result<u32, XlsxError> {
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
        Block::KeyValue(kv) => r = key_value(ws, r, kv, f)?,
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
        Block::Signatures(list) if !list.is_empty() => r = signatures(ws, r, list, f)?,
        Block::Signatures(_) | Block::Image { .. } | Block::PageBreak => {}
    }
    Ok(r)
}

/// A key–value grid, three pairs a row; returns the next free row.
fn key_value(ws: &mut Worksheet, mut r: u32, kv: &KeyValue, f: &Formats) -> Result<u32, XlsxError> {
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
    Ok(r)
}

/// The signature table; returns the next free row.
fn signatures(
    ws: &mut Worksheet,
    mut r: u32,
    list: &[SignatureBlock],
    f: &Formats,
) -> Result<u32, XlsxError> {
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
    Ok(r)
}
