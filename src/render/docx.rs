//! DOCX output (docx-rs), re-packed deflated with fixed timestamps so output is deterministic.
//!
//! docx-rs builds the WordprocessingML parts; this module then writes its own ZIP, its own
//! `docProps/core.xml` (no clock), numbers picture ids in order of appearance (docx-rs draws
//! them from a process-wide counter) and marks header rows to repeat on every page.

use docx_rs::{
    AlignmentType, BreakType, Docx, Footer, Header, HeightRule, LineSpacing, NumPages, PageMargin,
    PageNum, PageOrientationType, Paragraph, Pic, Run, RunFonts, Shading, ShdType,
    SpecialIndentType, Style, StyleType, Table as DTable, TableAlignmentType, TableBorders,
    TableCell, TableLayoutType, TableRow, VAlignType, VMergeType, WidthType,
};

use super::{deterministic_zip, RenderError, Theme};
use crate::document::*;

/// A4 in twentieths of a point.
const A4_W: u32 = 11906;
const A4_H: u32 = 16838;
const MARGIN_LR: i32 = 1134; // 2 cm
const MARGIN_TB: i32 = 1247; // 2.2 cm
/// Marks a header row while building; replaced by `<w:tblHeader/>` afterwards.
const HEADER_ROW_MARK: f32 = 1.0;

const HEADER_FILL: &str = "D9E2F3";
const LABEL_FILL: &str = "F2F2F2";

struct Ctx<'a> {
    theme: &'a Theme,
    /// Usable width between the margins, in twips.
    content_width: u32,
}

pub fn render(doc: &Document, theme: &Theme) -> Result<Vec<u8>, RenderError> {
    // docx-rs expects on bad image bytes; images were checked at the boundary, but a panic here
    // must still become an error, never a dead worker.
    let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| build(doc, theme)))
        .map_err(|_| RenderError::Internal("the DOCX writer failed on this document".into()))?;
    package(doc, built)
}

fn build(doc: &Document, theme: &Theme) -> docx_rs::XMLDocx {
    let (w, h) = if doc.landscape {
        (A4_H, A4_W)
    } else {
        (A4_W, A4_H)
    };
    let cx = Ctx {
        theme,
        content_width: w - 2 * MARGIN_LR as u32,
    };
    let mut d = Docx::new()
        .page_size(w, h)
        .page_margin(PageMargin {
            top: MARGIN_TB,
            left: MARGIN_LR,
            bottom: MARGIN_TB,
            right: MARGIN_LR,
            header: 680,
            footer: 680,
            gutter: 0,
        })
        .default_fonts(body_fonts(theme))
        .default_size(21) // 五号 10.5 pt
        .default_line_spacing(LineSpacing::new().after(60).line(300));
    if doc.landscape {
        d = d.page_orient(PageOrientationType::Landscape);
    }
    for s in styles(theme) {
        d = d.add_style(s);
    }
    d = d.header(header(doc, &cx)).footer(footer(doc));
    for block in &doc.blocks {
        d = match block {
            Block::Table(t) => d.add_table(table(t, &cx)),
            Block::KeyValue(kv) => d.add_table(key_value(kv, &cx)),
            Block::Signatures(s) if !s.is_empty() => d
                .add_paragraph(Paragraph::new())
                .add_table(signatures(s, &cx)),
            Block::Signatures(_) => d,
            other => {
                let mut d = d;
                for p in paragraphs(other, &cx) {
                    d = d.add_paragraph(p);
                }
                d
            }
        };
    }
    d.build()
}

fn body_fonts(theme: &Theme) -> RunFonts {
    RunFonts::new()
        .ascii(&theme.latin)
        .hi_ansi(&theme.latin)
        .east_asia(&theme.body_east_asia)
        .cs(&theme.latin)
}

fn heading_fonts(theme: &Theme) -> RunFonts {
    RunFonts::new()
        .ascii(&theme.latin)
        .hi_ansi(&theme.latin)
        .east_asia(&theme.heading_east_asia)
        .cs(&theme.latin)
}

/// Real paragraph styles, so Word's navigation pane and TOC see the structure.
fn styles(theme: &Theme) -> Vec<Style> {
    let heading = |id: &str, name: &str, size: usize, level: usize, before: u32| {
        Style::new(id, StyleType::Paragraph)
            .name(name)
            .based_on("Normal")
            .next("Normal")
            .q_format(true)
            .fonts(heading_fonts(theme))
            .size(size)
            .bold()
            .outline_lvl(level)
            .line_spacing(LineSpacing::new().before(before).after(120))
    };
    vec![
        Style::new("Title", StyleType::Paragraph)
            .name("Title")
            .based_on("Normal")
            .q_format(true)
            .fonts(heading_fonts(theme))
            .size(36)
            .bold()
            .align(AlignmentType::Center)
            .line_spacing(LineSpacing::new().before(120).after(120)),
        Style::new("Subtitle", StyleType::Paragraph)
            .name("Subtitle")
            .based_on("Normal")
            .q_format(true)
            .size(24)
            .color("404040")
            .align(AlignmentType::Center)
            .line_spacing(LineSpacing::new().after(240)),
        heading("Heading1", "heading 1", 28, 0, 240),
        heading("Heading2", "heading 2", 24, 1, 160),
        heading("Heading3", "heading 3", 21, 2, 120),
        Style::new("Note", StyleType::Paragraph)
            .name("Note")
            .based_on("Normal")
            .size(18)
            .color("595959"),
    ]
}

/// Runs for inline spans: `\n` becomes a line break; the East Asian font is set on every run.
fn runs(spans: &[Span], theme: &Theme, tone: Option<Tone>) -> Vec<Run> {
    let mut out = Vec::new();
    for span in spans {
        let mut run = Run::new().fonts(body_fonts(theme));
        if span.bold {
            run = run.bold();
        }
        if let Some(t) = tone {
            run = run.color(t.fg());
        }
        for (i, line) in span.text.split('\n').enumerate() {
            if i > 0 {
                run = run.add_break(BreakType::TextWrapping);
            }
            if !line.is_empty() {
                run = run.add_text(line);
            }
        }
        out.push(run);
    }
    out
}

fn para(spans: &[Span], theme: &Theme) -> Paragraph {
    runs(spans, theme, None)
        .into_iter()
        .fold(Paragraph::new(), Paragraph::add_run)
}

fn align(a: Align) -> AlignmentType {
    match a {
        Align::Left => AlignmentType::Left,
        Align::Center => AlignmentType::Center,
        Align::Right => AlignmentType::Right,
    }
}

fn paragraphs(block: &Block, cx: &Ctx<'_>) -> Vec<Paragraph> {
    let theme = cx.theme;
    match block {
        Block::Title(t) => vec![para(t, theme).style("Title")],
        Block::Subtitle(t) => vec![para(t, theme).style("Subtitle")],
        Block::Heading { level, text } => {
            let style = match level {
                1 => "Heading1",
                2 => "Heading2",
                _ => "Heading3",
            };
            vec![para(text, theme).style(style).keep_next(true)]
        }
        Block::Paragraph {
            align: a,
            style,
            text,
        } => {
            let mut p = para(text, theme).align(align(*a));
            if *style == ParaStyle::Note {
                p = p.style("Note");
            }
            vec![p]
        }
        Block::List { ordered, items } => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let marker = if *ordered {
                    format!("{}. ", i + 1)
                } else {
                    "• ".to_string()
                };
                let mut spans = vec![Span::plain(marker)];
                spans.extend(item.iter().cloned());
                para(&spans, theme).indent(
                    Some(420),
                    Some(SpecialIndentType::Hanging(420)),
                    None,
                    None,
                )
            })
            .collect(),
        Block::Image {
            image,
            width_mm,
            align: a,
        } => {
            let mut p = Paragraph::new().align(align(*a));
            if let Some(pic) = picture(image, *width_mm) {
                p = p.add_run(Run::new().add_image(pic));
            }
            vec![p]
        }
        Block::PageBreak => vec![Paragraph::new().add_run(Run::new().add_break(BreakType::Page))],
        Block::Table(_) | Block::KeyValue(_) | Block::Signatures(_) => Vec::new(),
    }
}

/// A picture sized to `width_mm`, keeping its aspect ratio.
fn picture(image: &ImageData, width_mm: f32) -> Option<Pic> {
    let w_emu = (width_mm * 36_000.0) as u32;
    let h_emu = (w_emu as f64 * image.height_px as f64 / image.width_px as f64) as u32;
    let pic = match image.format {
        ImageFormat::Png => {
            Pic::new_with_dimensions(image.bytes.clone(), image.width_px, image.height_px)
        }
        // docx-rs stores media as PNG; it converts other formats itself.
        ImageFormat::Jpeg => Pic::new(&image.bytes),
    };
    Some(pic.size(w_emu, h_emu))
}

fn twips_widths(rel: &[f32], total: u32) -> Vec<usize> {
    let sum: f32 = rel.iter().sum::<f32>().max(0.0001);
    let mut out: Vec<usize> = rel
        .iter()
        .map(|w| (w / sum * total as f32) as usize)
        .collect();
    let used: usize = out.iter().sum();
    if let Some(last) = out.last_mut() {
        *last += (total as usize).saturating_sub(used);
    }
    out
}

fn cell_with(spans: &[Span], cx: &Ctx<'_>, a: Option<Align>, tone: Option<Tone>) -> TableCell {
    let mut p = runs(spans, cx.theme, tone)
        .into_iter()
        .fold(Paragraph::new(), Paragraph::add_run);
    if let Some(a) = a {
        p = p.align(align(a));
    }
    TableCell::new()
        .add_paragraph(p.line_spacing(LineSpacing::new().before(20).after(20).line(260)))
        .vertical_align(VAlignType::Center)
}

fn shade(c: TableCell, fill: &str) -> TableCell {
    c.shading(
        Shading::new()
            .shd_type(ShdType::Clear)
            .color("auto")
            .fill(fill),
    )
}

fn table(t: &Table, cx: &Ctx<'_>) -> DTable {
    let widths = twips_widths(
        &t.columns.iter().map(|c| c.width).collect::<Vec<_>>(),
        cx.content_width,
    );
    let mut rows = Vec::new();
    // Columns still covered by a cell above that spans rows: (remaining rows, colspan).
    let mut carry: Vec<usize> = vec![0; widths.len()];
    let all = t
        .header
        .iter()
        .map(|r| (r, true))
        .chain(t.rows.iter().chain(&t.footer).map(|r| (r, false)));
    for (row, is_header) in all {
        let mut cells = Vec::new();
        let mut col = 0;
        let mut src = row.cells.iter();
        while col < widths.len() {
            if carry[col] > 0 {
                carry[col] -= 1;
                cells.push(
                    TableCell::new()
                        .vertical_merge(VMergeType::Continue)
                        .width(widths[col], WidthType::Dxa)
                        .add_paragraph(Paragraph::new()),
                );
                col += 1;
                continue;
            }
            let Some(cell) = src.next() else {
                cells.push(
                    TableCell::new()
                        .width(widths[col], WidthType::Dxa)
                        .add_paragraph(Paragraph::new()),
                );
                col += 1;
                continue;
            };
            let span = cell.colspan.min(widths.len() - col).max(1);
            let column = &t.columns[col];
            let tone = if is_header {
                None
            } else {
                column.tone_of(&cell.plain_text())
            };
            let a = if is_header {
                Some(Align::Center)
            } else {
                cell.align.or(column.align)
            };
            let width: usize = widths[col..col + span].iter().sum();
            let mut c = cell_with(&cell.text, cx, a, tone).width(width, WidthType::Dxa);
            if span > 1 {
                c = c.grid_span(span);
            }
            if cell.rowspan > 1 {
                c = c.vertical_merge(VMergeType::Restart);
                carry[col..col + span].fill(cell.rowspan - 1);
            }
            if is_header {
                c = shade(c, HEADER_FILL);
            } else if let Some(t) = tone {
                c = shade(c, t.bg());
            } else if let Some(flag) = row.flag {
                c = shade(c, flag.bg());
            }
            cells.push(c);
            col += span;
        }
        // A row stays on one page (Word still splits a row taller than a page).
        let mut r = TableRow::new(cells).cant_split();
        if is_header {
            r = r
                .row_height(HEADER_ROW_MARK)
                .height_rule(HeightRule::AtLeast);
        }
        rows.push(r);
    }
    DTable::new(rows)
        .set_grid(widths)
        .layout(TableLayoutType::Fixed)
        .align(TableAlignmentType::Center)
        .width(cx.content_width as usize, WidthType::Dxa)
}

fn key_value(kv: &KeyValue, cx: &Ctx<'_>) -> DTable {
    let cols = kv.columns.max(1);
    // Each pair is label (1 part) + value (2.4 parts).
    let rel: Vec<f32> = (0..cols).flat_map(|_| [1.0, 2.4]).collect();
    let widths = twips_widths(&rel, cx.content_width);
    let mut rows = Vec::new();
    let mut cells = Vec::new();
    let mut used = 0;
    let flush = |cells: &mut Vec<TableCell>, used: &mut usize, rows: &mut Vec<TableRow>| {
        if cells.is_empty() {
            return;
        }
        if *used < cols {
            let rest: usize = widths[*used * 2..].iter().sum();
            cells.push(
                TableCell::new()
                    .grid_span((cols - *used) * 2)
                    .width(rest, WidthType::Dxa)
                    .add_paragraph(Paragraph::new()),
            );
        }
        rows.push(TableRow::new(std::mem::take(cells)));
        *used = 0;
    };
    for item in &kv.items {
        let span = item.span.min(cols);
        if used + span > cols {
            flush(&mut cells, &mut used, &mut rows);
        }
        let label = shade(
            cell_with(
                &[Span {
                    text: item.label.clone(),
                    bold: true,
                }],
                cx,
                Some(Align::Center),
                None,
            )
            .width(widths[used * 2], WidthType::Dxa),
            LABEL_FILL,
        );
        let value_cols = span * 2 - 1;
        let vw: usize = widths[used * 2 + 1..used * 2 + 1 + value_cols].iter().sum();
        let mut value = cell_with(&item.value, cx, None, None).width(vw, WidthType::Dxa);
        if value_cols > 1 {
            value = value.grid_span(value_cols);
        }
        cells.push(label);
        cells.push(value);
        used += span;
        if used == cols {
            flush(&mut cells, &mut used, &mut rows);
        }
    }
    flush(&mut cells, &mut used, &mut rows);
    DTable::new(rows)
        .set_grid(widths)
        .layout(TableLayoutType::Fixed)
        .align(TableAlignmentType::Center)
        .width(cx.content_width as usize, WidthType::Dxa)
}

/// A signature table: role, department, name, title, signature (image or a blank line), date.
fn signatures(list: &[SignatureBlock], cx: &Ctx<'_>) -> DTable {
    let widths = twips_widths(&[1.1, 1.6, 1.3, 1.2, 2.2, 1.8], cx.content_width);
    let head = ["角色", "部门", "姓名", "职务", "签字", "日期"];
    let mut rows = vec![TableRow::new(
        head.iter()
            .zip(&widths)
            .map(|(h, w)| {
                shade(
                    cell_with(
                        &[Span {
                            text: h.to_string(),
                            bold: true,
                        }],
                        cx,
                        Some(Align::Center),
                        None,
                    )
                    .width(*w, WidthType::Dxa),
                    HEADER_FILL,
                )
            })
            .collect(),
    )
    .cant_split()];
    for s in list {
        let text = |t: &str| cell_with(&[Span::plain(t)], cx, Some(Align::Center), None);
        let sign = match s.image.as_ref().and_then(|img| picture(img, 30.0)) {
            Some(pic) => TableCell::new()
                .add_paragraph(
                    Paragraph::new()
                        .align(AlignmentType::Center)
                        .add_run(Run::new().add_image(pic)),
                )
                .vertical_align(VAlignType::Center),
            None => text(""),
        };
        let date = if s.date.is_empty() {
            "   年   月   日"
        } else {
            s.date.as_str()
        };
        let cells = vec![
            text(&s.role),
            text(&s.department),
            text(&s.name),
            text(&s.title),
            sign,
            text(date),
        ];
        rows.push(
            TableRow::new(
                cells
                    .into_iter()
                    .zip(&widths)
                    .map(|(c, w)| c.width(*w, WidthType::Dxa))
                    .collect(),
            )
            .cant_split()
            .row_height(700.0)
            .height_rule(HeightRule::AtLeast),
        );
    }
    DTable::new(rows)
        .set_grid(widths)
        .layout(TableLayoutType::Fixed)
        .align(TableAlignmentType::Center)
        .width(cx.content_width as usize, WidthType::Dxa)
}

fn header(doc: &Document, cx: &Ctx<'_>) -> Header {
    let h = doc.header.clone().unwrap_or_default();
    let half = cx.content_width as usize / 2;
    let cell = |text: &str, a: AlignmentType| {
        TableCell::new()
            .width(half, WidthType::Dxa)
            .clear_all_border()
            .add_paragraph(
                Paragraph::new().align(a).add_run(
                    Run::new()
                        .fonts(body_fonts(cx.theme))
                        .size(18)
                        .color("595959")
                        .add_text(text),
                ),
            )
    };
    let row = TableRow::new(vec![
        cell(&h.left, AlignmentType::Left),
        cell(&h.right, AlignmentType::Right),
    ]);
    let mut header = Header::new().add_table(
        DTable::new(vec![row])
            .set_grid(vec![half, half])
            .set_borders(TableBorders::with_empty())
            .width(cx.content_width as usize, WidthType::Dxa)
            .layout(TableLayoutType::Fixed),
    );
    if let Some(mark) = &doc.draft_mark {
        header = header.add_paragraph(
            Paragraph::new().align(AlignmentType::Center).add_run(
                Run::new()
                    .fonts(heading_fonts(cx.theme))
                    .bold()
                    .size(28)
                    .color("C00000")
                    .add_text(mark),
            ),
        );
    }
    header
}

fn footer(doc: &Document) -> Footer {
    let text = doc
        .footer
        .clone()
        .unwrap_or_else(|| "第 {page} 页 / 共 {pages} 页".into());
    let mut p = Paragraph::new().align(AlignmentType::Center);
    let mut rest = text.as_str();
    while !rest.is_empty() {
        let next = [("{page}", 0), ("{pages}", 1)]
            .iter()
            .filter_map(|(tok, k)| rest.find(tok).map(|i| (i, *tok, *k)))
            .min_by_key(|(i, _, _)| *i);
        match next {
            Some((i, tok, k)) => {
                if i > 0 {
                    p = p.add_run(Run::new().size(18).add_text(&rest[..i]));
                }
                p = if k == 0 {
                    p.add_page_num(PageNum::new())
                } else {
                    p.add_num_pages(NumPages::new())
                };
                rest = &rest[i + tok.len()..];
            }
            None => {
                p = p.add_run(Run::new().size(18).add_text(rest));
                rest = "";
            }
        }
    }
    Footer::new().add_paragraph(p)
}

fn xml_attr(s: &str) -> String {
    crate::template::xml_escape(s)
}

/// Our own core properties: title, subject, creator; no timestamps.
fn core_xml(doc: &Document) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>{}</dc:title><dc:subject>{}</dc:subject><dc:creator>{}</dc:creator><dc:language>{}</dc:language><cp:revision>1</cp:revision></cp:coreProperties>"#,
        xml_attr(&doc.meta.title),
        xml_attr(&doc.meta.subject),
        xml_attr(&doc.meta.author),
        xml_attr(&doc.meta.lang),
    )
    .into_bytes()
}

/// Renames `rIdImage<N>` ids to 1, 2, 3… in order of first appearance in `document.xml`
/// (docx-rs numbers pictures from a process-wide counter, which would make output depend on
/// what was rendered before).
fn renumber_images(xml: &mut docx_rs::XMLDocx) {
    const KEY: &str = "rIdImage";
    let doc = String::from_utf8_lossy(&xml.document).into_owned();
    let mut order: Vec<String> = Vec::new();
    map_ids(&doc, KEY, |old| {
        if !order.iter().any(|o| o == old) {
            order.push(old.to_string());
        }
        String::new()
    });
    if order.is_empty() {
        return;
    }
    let new_id = |old: &str| {
        order
            .iter()
            .position(|o| o == old)
            .map_or_else(|| old.to_string(), |i| (i + 1).to_string())
    };
    xml.document = map_ids(&doc, KEY, &new_id).into_bytes();
    xml.document_rels =
        map_ids(&String::from_utf8_lossy(&xml.document_rels), KEY, &new_id).into_bytes();
    for m in &mut xml.media {
        m.0 = map_ids(&m.0, KEY, &new_id);
    }
    xml.media.sort_by(|a, b| a.0.cmp(&b.0));
}

/// Rewrites the digits after every `key` in `s` through `f`.
fn map_ids(s: &str, key: &str, mut f: impl FnMut(&str) -> String) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(key) {
        out.push_str(&rest[..i + key.len()]);
        let tail = &rest[i + key.len()..];
        let n = tail.bytes().take_while(u8::is_ascii_digit).count();
        out.push_str(&f(&tail[..n]));
        rest = &tail[n..];
    }
    out.push_str(rest);
    out
}

/// Rewrites the value of every `key"…"` attribute to a counter in document order. docx-rs
/// draws paragraph ids from a per-thread counter that is never reset and gives every drawing
/// id 1, so left alone they would differ between renders or collide.
fn renumber_attr(part: &[u8], key: &str, next: &mut u32, hex: bool) -> Vec<u8> {
    let s = String::from_utf8_lossy(part);
    let mut out = String::with_capacity(s.len());
    let mut rest: &str = &s;
    while let Some(i) = rest.find(key) {
        out.push_str(&rest[..i + key.len()]);
        let tail = &rest[i + key.len()..];
        *next += 1;
        out.push_str(&if hex {
            format!("{:08X}", *next)
        } else {
            next.to_string()
        });
        rest = &tail[tail.find('"').unwrap_or(0)..];
    }
    out.push_str(rest);
    out.into_bytes()
}

fn package(doc: &Document, mut xml: docx_rs::XMLDocx) -> Result<Vec<u8>, RenderError> {
    renumber_images(&mut xml);
    let (mut para, mut drawing) = (0, 0);
    xml.document = renumber_attr(&xml.document, "w14:paraId=\"", &mut para, true);
    xml.document = renumber_attr(&xml.document, "wp:docPr id=\"", &mut drawing, false);
    for h in xml.headers.iter_mut().chain(xml.footers.iter_mut()) {
        *h = renumber_attr(h, "w14:paraId=\"", &mut para, true);
    }
    let document = String::from_utf8_lossy(&xml.document)
        .replace(
            r#"<w:trHeight w:val="1" w:hRule="atLeast" />"#,
            "<w:tblHeader />",
        )
        .replace(
            r#"<w:trHeight w:val="1" w:hRule="atLeast"/>"#,
            "<w:tblHeader/>",
        )
        .into_bytes();
    let mut parts: Vec<(String, Vec<u8>)> = vec![
        ("[Content_Types].xml".into(), xml.content_type),
        ("_rels/.rels".into(), xml.rels),
        ("docProps/app.xml".into(), xml.doc_props.app),
        ("docProps/core.xml".into(), core_xml(doc)),
        ("docProps/custom.xml".into(), xml.doc_props.custom),
        ("word/_rels/document.xml.rels".into(), xml.document_rels),
        ("word/document.xml".into(), document),
        ("word/styles.xml".into(), xml.styles),
        ("word/settings.xml".into(), xml.settings),
        ("word/fontTable.xml".into(), xml.font_table),
        ("word/comments.xml".into(), xml.comments),
        ("word/numbering.xml".into(), xml.numberings),
        ("word/commentsExtended.xml".into(), xml.comments_extended),
        ("word/footnotes.xml".into(), xml.footnotes),
    ];
    for (i, h) in xml.headers.into_iter().enumerate() {
        parts.push((format!("word/header{}.xml", i + 1), h));
        if let Some(r) = xml.header_rels.get(i) {
            parts.push((format!("word/_rels/header{}.xml.rels", i + 1), r.clone()));
        }
    }
    for (i, f) in xml.footers.into_iter().enumerate() {
        parts.push((format!("word/footer{}.xml", i + 1), f));
        if let Some(r) = xml.footer_rels.get(i) {
            parts.push((format!("word/_rels/footer{}.xml.rels", i + 1), r.clone()));
        }
    }
    for (id, bytes) in xml.media {
        parts.push((format!("word/media/{id}.png"), bytes));
    }
    deterministic_zip(&parts)
}
