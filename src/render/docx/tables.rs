//! Tables in WordprocessingML: header rows that repeat on every page, merged cells, key-value
//! grids and signature tables.

use std::fmt::Write as _;

use super::*;

impl<'a> Writer<'a> {
    pub(super) fn table_start(&mut self, widths: &[u32], borders: bool) {
        let border = if borders {
            r#"<w:tblBorders><w:top w:val="single" w:sz="4" w:color="8C8C8C"/><w:left w:val="single" w:sz="4" w:color="8C8C8C"/><w:bottom w:val="single" w:sz="4" w:color="8C8C8C"/><w:right w:val="single" w:sz="4" w:color="8C8C8C"/><w:insideH w:val="single" w:sz="4" w:color="8C8C8C"/><w:insideV w:val="single" w:sz="4" w:color="8C8C8C"/></w:tblBorders>"#
        } else {
            ""
        };
        let _ = write!(
            self.xml,
            r#"<w:tbl><w:tblPr><w:tblW w:w="{}" w:type="dxa"/><w:jc w:val="center"/>{border}<w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>"#,
            widths.iter().sum::<u32>()
        );
        for w in widths {
            let _ = write!(self.xml, r#"<w:gridCol w:w="{w}"/>"#);
        }
        self.xml.push_str("</w:tblGrid>");
    }

    pub(super) fn row_start(&mut self, header: bool, min_height: Option<u32>) {
        self.xml.push_str("<w:tr><w:trPr><w:cantSplit/>");
        if header {
            self.xml.push_str("<w:tblHeader/>");
        }
        if let Some(h) = min_height {
            let _ = write!(self.xml, r#"<w:trHeight w:val="{h}" w:hRule="atLeast"/>"#);
        }
        self.xml.push_str("</w:trPr>");
    }

    /// One cell; `content` writes what goes inside its paragraph.
    pub(super) fn cell(&mut self, width: u32, look: CellLook<'_>, content: impl FnOnce(&mut Self)) {
        let _ = write!(
            self.xml,
            r#"<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>"#
        );
        if look.span > 1 {
            let _ = write!(self.xml, r#"<w:gridSpan w:val="{}"/>"#, look.span);
        }
        match look.vmerge {
            Some(true) => self.xml.push_str(r#"<w:vMerge w:val="restart"/>"#),
            Some(false) => self.xml.push_str("<w:vMerge/>"),
            None => {}
        }
        if let Some(f) = look.fill {
            let _ = write!(
                self.xml,
                r#"<w:shd w:val="clear" w:color="auto" w:fill="{f}"/>"#
            );
        }
        self.xml.push_str(r#"<w:vAlign w:val="center"/></w:tcPr><w:p><w:pPr><w:spacing w:before="20" w:after="20" w:line="260" w:lineRule="auto"/>"#);
        if let Some(a) = look.align {
            let _ = write!(self.xml, r#"<w:jc w:val="{}"/>"#, jc(a));
        }
        self.xml.push_str("</w:pPr>");
        content(self);
        self.xml.push_str("</w:p></w:tc>");
    }

    pub(super) fn text_cell(&mut self, width: u32, spans: &[Span], look: CellLook<'_>) {
        let color = look.color;
        self.cell(width, look, |w| w.runs(spans, color));
    }

    pub(super) fn table(&mut self, t: &Table) {
        let widths = twips_widths(
            &t.columns.iter().map(|c| c.width).collect::<Vec<_>>(),
            self.content_width,
        );
        self.table_start(&widths, true);
        let sections = [(&t.header, true), (&t.rows, false), (&t.footer, false)];
        for (rows, is_header) in sections {
            for (row, slots) in rows.iter().zip(t.place(rows)) {
                self.row_start(is_header, None);
                // Slots stand side by side from the first column; what a short row leaves
                // is filled with empty cells after them.
                let mut col = 0;
                for slot in slots {
                    col = slot.col + slot.span;
                    let width = widths[slot.col..col].iter().sum();
                    if slot.continued {
                        let look = CellLook {
                            span: slot.span,
                            vmerge: Some(false),
                            ..CellLook::default()
                        };
                        self.cell(width, look, |_| {});
                        continue;
                    }
                    let (cell, column) = (slot.cell, &t.columns[slot.col]);
                    let tone = if is_header {
                        None
                    } else {
                        column.tone_of(&cell.plain_text())
                    };
                    let mut look = CellLook {
                        align: if is_header {
                            Some(Align::Center)
                        } else {
                            cell.align.or(column.align)
                        },
                        span: slot.span,
                        color: tone.map(Tone::fg),
                        vmerge: (slot.rowspan > 1).then_some(true),
                        ..CellLook::default()
                    };
                    look.fill = if is_header {
                        Some(HEADER_FILL)
                    } else {
                        tone.map(Tone::bg).or(row.flag.map(Tone::bg))
                    };
                    self.text_cell(width, &cell.text, look);
                }
                for &w in &widths[col..] {
                    self.cell(w, CellLook::default(), |_| {});
                }
                self.xml.push_str("</w:tr>");
            }
        }
        self.xml.push_str("</w:tbl>");
    }

    pub(super) fn key_value(&mut self, kv: &KeyValue) {
        let (cols, rows) = kv.rows(usize::MAX);
        // Each pair is label (1 part) + value (2.4 parts).
        let rel: Vec<f32> = (0..cols).flat_map(|_| [1.0, 2.4]).collect();
        let widths = twips_widths(&rel, self.content_width);
        self.table_start(&widths, true);
        for row in rows {
            self.row_start(false, None);
            for (col, span, item) in row.items {
                let label = [Span {
                    text: item.label.clone(),
                    bold: true,
                }];
                let look = CellLook {
                    align: Some(Align::Center),
                    fill: Some(LABEL_FILL),
                    ..CellLook::default()
                };
                self.text_cell(widths[col * 2], &label, look);
                let value_cols = span * 2 - 1;
                let vw = widths[col * 2 + 1..col * 2 + 1 + value_cols].iter().sum();
                self.text_cell(
                    vw,
                    &item.value,
                    CellLook {
                        span: value_cols,
                        ..CellLook::default()
                    },
                );
            }
            if row.empty > 0 {
                let rest = widths[(cols - row.empty) * 2..].iter().sum();
                self.cell(
                    rest,
                    CellLook {
                        span: row.empty * 2,
                        ..CellLook::default()
                    },
                    |_| {},
                );
            }
            self.xml.push_str("</w:tr>");
        }
        self.xml.push_str("</w:tbl>");
    }

    /// A signature table: role, department, name, title, signature (image or room to sign), date.
    pub(super) fn signatures(&mut self, list: &'a [SignatureBlock]) {
        let widths = twips_widths(&[1.1, 1.6, 1.3, 1.2, 2.2, 1.8], self.content_width);
        self.table_start(&widths, true);
        self.row_start(true, None);
        for (h, w) in SIGNATURE_COLUMNS.iter().zip(&widths) {
            let look = CellLook {
                align: Some(Align::Center),
                fill: Some(HEADER_FILL),
                ..CellLook::default()
            };
            self.text_cell(
                *w,
                &[Span {
                    text: h.to_string(),
                    bold: true,
                }],
                look,
            );
        }
        self.xml.push_str("</w:tr>");
        let centre = CellLook {
            align: Some(Align::Center),
            ..CellLook::default()
        };
        for s in list {
            self.row_start(false, Some(700));
            let date = if s.date.is_empty() {
                BLANK_DATE.to_string()
            } else {
                s.date.clone()
            };
            for (i, text) in [&s.role, &s.department, &s.name, &s.title]
                .into_iter()
                .enumerate()
            {
                self.text_cell(widths[i], &[Span::plain(text.as_str())], centre);
            }
            match &s.image {
                Some(img) => self.cell(widths[4], centre, |w| {
                    w.picture(img, 30.0, Some("签名图片"))
                }),
                None => self.cell(widths[4], centre, |_| {}),
            }
            self.text_cell(widths[5], &[Span::plain(date)], centre);
            self.xml.push_str("</w:tr>");
        }
        self.xml.push_str("</w:tbl>");
    }
}
