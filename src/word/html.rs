//! A filled Word document as one self-contained HTML page: what the office's template looks
//! like with the data in it, for the studio's preview and `?format=html` of a Word template.
//!
//! Read from the package as untrusted input (its parts through [`Package`], pictures decoded
//! and rebuilt under the pixel budget), written with every text escaped. What is carried over:
//! page width and margins; paragraph and character properties resolved as Word resolves them
//! (document defaults → style chain → direct formatting): East Asian and Latin fonts, size,
//! bold, italic, underline, strike, colour, highlight, super/subscript, alignment (distributed
//! included), indents (first-line and hanging, in characters too), spacing before and after,
//! line spacing, page breaks; headings by outline level; numbered and bulleted lists
//! (decimal, 一、, ①, letters, bullets); tables with their grid, spans, vertical merges,
//! borders, shading and vertical alignment; pictures; text boxes (as blocks after their
//! paragraph); the default header and footer; fields by their last result. A browser lays it
//! out: there are no pages, so `PAGE` shows the result Word saved.

use std::fmt::Write;

use base64::Engine as _;

use super::context::Context;
use super::package::{resolve, Package, PackageLimits};
use super::read::find;
use super::style::*;
use super::xml::{self, Element};
use crate::values::html_escape as esc;

const EMU_PX: f32 = 96.0 / 914_400.0;
/// How deep tables may nest before their content is written flat.
const MAX_TABLE_DEPTH: usize = 16;

struct Reader<'a> {
    cx: Context<'a>,
    pictures: usize,
}

impl Reader<'_> {
    fn paragraph(&mut self, p: &Element, out: &mut String, after: &mut String, depth: usize) {
        let (props, run_base) = self.cx.paragraph_props(p.child("w:pPr"));
        let mut css = para_css(&props, run_base.size.unwrap_or(21.0));
        if props.page_break_before == Some(true) {
            css.push_str("break-before:page;");
        }
        let tag = match props.outline {
            Some(l) if l < 6 => format!("h{}", l + 1),
            _ => "p".into(),
        };
        let _ = write!(out, "<{tag} style=\"{css}{}\">", run_css(&run_base));
        if let Some((id, level)) = props.num.clone() {
            if let Some(label) = self.cx.list_label(&id, level) {
                let _ = write!(out, "<span class=\"label\">{}</span>", esc(&label));
            }
        }
        let mut state = FieldState::default();
        self.inline(p, &run_base, out, after, &mut state, depth);
        if out.ends_with('>') && !out.ends_with("<br>") {
            // An empty paragraph keeps its line.
            out.push('\u{200B}');
        }
        let _ = write!(out, "</{tag}>");
    }

    /// The runs of a paragraph (or of a hyperlink, a field, a content control inside it).
    fn inline(
        &mut self,
        e: &Element,
        base: &RunProps,
        out: &mut String,
        after: &mut String,
        state: &mut FieldState,
        depth: usize,
    ) {
        for c in e.elements() {
            match c.name.as_str() {
                "w:r" => self.run(c, base, out, after, state, depth),
                "w:hyperlink" | "w:smartTag" | "w:fldSimple" | "w:ins" | "w:customXml" => {
                    self.inline(c, base, out, after, state, depth)
                }
                "w:sdt" => {
                    if let Some(content) = c.child("w:sdtContent") {
                        self.inline(content, base, out, after, state, depth)
                    }
                }
                _ => {}
            }
        }
    }

    fn run(
        &mut self,
        r: &Element,
        base: &RunProps,
        out: &mut String,
        after: &mut String,
        state: &mut FieldState,
        depth: usize,
    ) {
        let props = self.cx.run_props_of(r, base);
        if props.hidden == Some(true) {
            return;
        }
        let mut text = String::new();
        for c in r.elements() {
            match c.name.as_str() {
                "w:fldChar" => match c.attr("w:fldCharType").as_deref() {
                    Some("begin") => state.in_code = true,
                    Some("separate") => state.in_code = false,
                    Some("end") => state.in_code = false,
                    _ => {}
                },
                _ if state.in_code => {}
                "w:t" => text.push_str(&c.text()),
                "w:tab" | "w:ptab" => text.push('\t'),
                "w:br" | "w:cr" => {
                    if c.attr("w:type").as_deref() == Some("page") {
                        flush(&mut text, &props, out);
                        out.push_str("<span class=\"page-break\"></span>");
                    } else {
                        text.push('\n');
                    }
                }
                "w:noBreakHyphen" => text.push('\u{2011}'),
                "w:sym" => {
                    if let Some(ch) = c
                        .attr("w:char")
                        .and_then(|h| u32::from_str_radix(&h, 16).ok())
                        .and_then(char::from_u32)
                    {
                        text.push(ch);
                    }
                }
                "w:drawing" | "w:pict" | "mc:AlternateContent" | "w:object" => {
                    flush(&mut text, &props, out);
                    self.drawing(c, out, after, depth);
                }
                _ => {}
            }
        }
        flush(&mut text, &props, out);
    }

    /// A picture inline, where it stands; a text box's paragraphs after the paragraph.
    fn drawing(&mut self, d: &Element, out: &mut String, after: &mut String, depth: usize) {
        // A text box: its own paragraphs, once (Word writes a fallback copy beside it).
        if let Some(txbx) = find(d, "w:txbxContent") {
            let mut inner = String::new();
            self.blocks(txbx, &mut inner, depth + 1);
            let _ = write!(after, "<div class=\"textbox\">{inner}</div>");
            return;
        }
        let Some(blip) = find(d, "a:blip").or_else(|| find(d, "v:imagedata")) else {
            return;
        };
        let Some(id) = blip.attr("r:embed").or_else(|| blip.attr("r:id")) else {
            return;
        };
        let Some(target) = self.cx.rels.get(&id).cloned() else {
            return;
        };
        let (w, h) = find(d, "wp:extent")
            .map(|e| {
                (
                    num(e, "cx").unwrap_or(0.0) * EMU_PX,
                    num(e, "cy").unwrap_or(0.0) * EMU_PX,
                )
            })
            .unwrap_or((0.0, 0.0));
        let name = resolve(&self.cx.part_dir, &target);
        match self.picture(&name) {
            Some(uri) => {
                self.pictures += 1;
                let size = if w > 0.0 && h > 0.0 {
                    format!(" style=\"width:{w:.0}px;height:{h:.0}px\"")
                } else {
                    String::new()
                };
                let alt = find(d, "wp:docPr")
                    .and_then(|p| p.attr("descr"))
                    .unwrap_or_default();
                let _ = write!(out, "<img src=\"{uri}\" alt=\"{}\"{size}>", esc(&alt));
            }
            None => out.push_str("<span class=\"missing\">[图片]</span>"),
        }
    }

    /// A picture of the package as a data URI, decoded and rebuilt under the pixel budget.
    fn picture(&self, name: &str) -> Option<String> {
        let image = self.cx.image(name)?;
        let mime = match image.format {
            crate::image::ImageFormat::Png => "image/png",
            crate::image::ImageFormat::Jpeg => "image/jpeg",
        };
        Some(format!(
            "data:{mime};base64,{}",
            base64::engine::general_purpose::STANDARD.encode(image.bytes.as_slice())
        ))
    }

    /// The block content of a body, a cell, a text box, a header.
    fn blocks(&mut self, e: &Element, out: &mut String, depth: usize) {
        for c in e.elements() {
            match c.name.as_str() {
                "w:p" => {
                    let mut after = String::new();
                    self.paragraph(c, out, &mut after, depth);
                    out.push_str(&after);
                }
                "w:tbl" if depth < MAX_TABLE_DEPTH => self.table(c, out, depth + 1),
                "w:tbl" => self.blocks(c, out, depth),
                "w:tr" | "w:tc" => self.blocks(c, out, depth),
                "w:sdt" => {
                    if let Some(content) = c.child("w:sdtContent") {
                        self.blocks(content, out, depth)
                    }
                }
                "w:customXml" | "w:ins" => self.blocks(c, out, depth),
                _ => {}
            }
        }
    }

    fn table(&mut self, t: &Element, out: &mut String, depth: usize) {
        let tblpr = t.child("w:tblPr");
        let borders = tblpr
            .and_then(|p| p.child("w:tblBorders"))
            .map(|b| {
                b.elements().any(
                    |s| matches!(s.attr("w:val").as_deref(), Some(v) if v != "nil" && v != "none"),
                )
            })
            .unwrap_or(false);
        let align = tblpr
            .and_then(|p| p.child("w:jc"))
            .and_then(|j| j.attr("w:val"));
        let grid: Vec<f32> = t
            .child("w:tblGrid")
            .map(|g| {
                g.elements()
                    .filter(|c| c.name == "w:gridCol")
                    .map(|c| num(c, "w:w").unwrap_or(0.0) * TWIP_PX)
                    .collect()
            })
            .unwrap_or_default();
        let rows: Vec<&Element> = t.elements().filter(|r| r.name == "w:tr").collect();
        // Each cell's grid column and vertical merge, row by row.
        let cells: Vec<Vec<Cell>> = rows
            .iter()
            .map(|r| {
                let mut col = r
                    .child("w:trPr")
                    .and_then(|p| p.child("w:gridBefore"))
                    .and_then(|g| g.attr("w:val"))
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0usize);
                r.elements()
                    .filter(|c| c.name == "w:tc")
                    .map(|c| {
                        let pr = c.child("w:tcPr");
                        let span = pr
                            .and_then(|p| p.child("w:gridSpan"))
                            .and_then(|g| g.attr("w:val"))
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(1usize)
                            .clamp(1, 64);
                        let merge = pr
                            .and_then(|p| p.child("w:vMerge"))
                            .map(|m| m.attr("w:val").as_deref() == Some("restart"));
                        let at = col;
                        col += span;
                        (at, span, merge, c)
                    })
                    .collect()
            })
            .collect();
        let table_align = match align.as_deref() {
            Some("center") => "margin-left:auto;margin-right:auto;",
            Some("right" | "end") => "margin-left:auto;",
            _ => "",
        };
        let width: f32 = grid.iter().sum();
        let _ = write!(
            out,
            "<table class=\"{}\" style=\"{table_align}{}\">",
            if borders { "ruled" } else { "plain" },
            if width > 0.0 {
                format!("width:{width:.0}px;")
            } else {
                String::new()
            }
        );
        if !grid.is_empty() {
            out.push_str("<colgroup>");
            for w in &grid {
                let _ = write!(out, "<col style=\"width:{w:.0}px\">");
            }
            out.push_str("</colgroup>");
        }
        for (ri, row) in cells.iter().enumerate() {
            out.push_str("<tr>");
            for &(col, span, merge, cell) in row {
                if merge == Some(false) {
                    continue; // continues a merge started above
                }
                let rowspan = if merge == Some(true) {
                    1 + cells[ri + 1..]
                        .iter()
                        .take_while(|r| r.iter().any(|(c, _, m, _)| *c == col && *m == Some(false)))
                        .count()
                } else {
                    1
                };
                let pr = cell.child("w:tcPr");
                let mut css = String::new();
                if let Some(fill) = pr
                    .and_then(|p| p.child("w:shd"))
                    .and_then(|s| s.attr("w:fill"))
                    .filter(|f| is_hex(f))
                {
                    let _ = write!(css, "background:#{fill};");
                }
                match pr
                    .and_then(|p| p.child("w:vAlign"))
                    .and_then(|v| v.attr("w:val"))
                    .as_deref()
                {
                    Some("center") => css.push_str("vertical-align:middle;"),
                    Some("bottom") => css.push_str("vertical-align:bottom;"),
                    _ => {}
                }
                let _ = write!(out, "<td");
                if span > 1 {
                    let _ = write!(out, " colspan=\"{span}\"");
                }
                if rowspan > 1 {
                    let _ = write!(out, " rowspan=\"{rowspan}\"");
                }
                let _ = write!(out, " style=\"{css}\">");
                self.blocks(cell, out, depth);
                out.push_str("</td>");
            }
            out.push_str("</tr>");
        }
        out.push_str("</table>");
    }
}

/// A table cell: its first grid column, the columns it spans, its vertical merge (`Some(true)`
/// starts one, `Some(false)` continues one) and its element.
type Cell<'e> = (usize, usize, Option<bool>, &'e Element);

#[derive(Default)]
struct FieldState {
    /// Inside a field's instructions (between `begin` and `separate`): not shown.
    in_code: bool,
}

fn flush(text: &mut String, props: &RunProps, out: &mut String) {
    if text.is_empty() {
        return;
    }
    let css = run_css(props);
    let body = esc(text);
    let body = match props.vert.as_deref() {
        Some("superscript") => format!("<sup>{body}</sup>"),
        Some("subscript") => format!("<sub>{body}</sub>"),
        _ => body,
    };
    if css.is_empty() {
        out.push_str(&body);
    } else {
        let _ = write!(out, "<span style=\"{css}\">{body}</span>");
    }
    text.clear();
}

const CSS: &str = r#"
*{box-sizing:border-box}
body{margin:0;background:#e9ecef;color:#000;font:10.5pt/1.3 "Noto Serif CJK SC","Source Han Serif SC","Songti SC",SimSun,serif}
.page{max-width:210mm;margin:24px auto;background:#fff;box-shadow:0 1px 6px rgba(0,0,0,.15);overflow-wrap:anywhere}
p,h1,h2,h3,h4,h5,h6{margin:0;white-space:pre-wrap;font-size:inherit;font-weight:inherit}
table{border-collapse:collapse;table-layout:fixed;max-width:100%}
td{padding:0 7px;vertical-align:top}
table.ruled td{border:1px solid #000}
.header{border-bottom:1px dashed #ccc;margin-bottom:12px;color:inherit}
.footer{border-top:1px dashed #ccc;margin-top:12px}
.page-break{display:block;border-top:1px dashed #bbb;margin:12px 0}
.textbox{border:1px dotted #999;padding:4px;margin:4px 0}
.label{display:inline-block;min-width:1.5em;text-indent:0}
img{max-width:100%;height:auto}
@media print{body{background:#fff}.page{box-shadow:none;margin:0;max-width:none}.page-break{break-after:page;border:0}}
"#;

/// The filled document as HTML. Parts that cannot be read are left out; the body must read.
pub fn to_html(
    package: &Package,
    limits: PackageLimits,
    max_pixels: u64,
    title: &str,
) -> Result<String, String> {
    let mut r = Reader {
        cx: Context::of(package, limits, max_pixels),
        pictures: 0,
    };
    let text = package.text("word/document.xml", limits)?;
    let tree = xml::parse(&text)?;
    let document = xml::elements(&tree)
        .next()
        .ok_or("has an empty word/document.xml")?;
    let body = document.child("w:body").ok_or("has no body")?;
    let doc_rels = r.cx.rels_of("word/document.xml");
    // The page: the last section's size and margins.
    let sect = body.child("w:sectPr");
    let (width, margins) = sect
        .map(|s| {
            let w = s
                .child("w:pgSz")
                .and_then(|p| num(p, "w:w"))
                .unwrap_or(11906.0);
            let m = s.child("w:pgMar");
            let get = |k: &str, d: f32| m.and_then(|m| num(m, k)).unwrap_or(d) * TWIP_PX;
            (
                w * TWIP_PX,
                [
                    get("w:top", 1440.0),
                    get("w:right", 1800.0),
                    get("w:bottom", 1440.0),
                    get("w:left", 1800.0),
                ],
            )
        })
        .unwrap_or((794.0, [96.0, 120.0, 96.0, 120.0]));
    let furniture = |r: &mut Reader, kind: &str| -> String {
        let Some(id) = sect.and_then(|s| {
            s.elements()
                .filter(|e| e.name == format!("w:{kind}Reference"))
                .find(|e| {
                    e.attr("w:type").as_deref() != Some("first")
                        && e.attr("w:type").as_deref() != Some("even")
                })
                .and_then(|e| e.attr("r:id"))
        }) else {
            return String::new();
        };
        let Some(target) = doc_rels.get(&id) else {
            return String::new();
        };
        let name = resolve("word", target);
        let Some(tree) = r.cx.part(&name) else {
            return String::new();
        };
        let Some(root) = xml::elements(&tree).next() else {
            return String::new();
        };
        r.cx.rels = r.cx.rels_of(&name);
        let mut out = String::new();
        r.blocks(root, &mut out, 0);
        out
    };
    let header = furniture(&mut r, "header");
    let footer = furniture(&mut r, "footer");
    r.cx.rels = doc_rels.clone();
    let mut content = String::with_capacity(text.len() / 2);
    r.blocks(body, &mut content, 0);
    let clamp = |v: f32| v.clamp(0.0, 400.0);
    let mut html = String::with_capacity(content.len() + header.len() + footer.len() + 2048);
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{}</title><style>{CSS}</style></head><body><div class=\"page\" style=\"max-width:{:.0}px;padding:{:.0}px {:.0}px {:.0}px {:.0}px\">",
        esc(title),
        width.clamp(200.0, 4000.0),
        clamp(margins[0]),
        clamp(margins[1]),
        clamp(margins[2]),
        clamp(margins[3])
    );
    if !header.is_empty() {
        let _ = write!(html, "<div class=\"header\">{header}</div>");
    }
    html.push_str(&content);
    if !footer.is_empty() {
        let _ = write!(html, "<div class=\"footer\">{footer}</div>");
    }
    html.push_str("</div></body></html>\n");
    Ok(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relationship_targets_resolve_inside_the_package() {
        assert_eq!(resolve("word", "media/a.png"), "word/media/a.png");
        assert_eq!(resolve("word", "../customXml/x.xml"), "customXml/x.xml");
        assert_eq!(resolve("word", "/word/media/b.png"), "word/media/b.png");
        assert_eq!(resolve("word", "../../../etc/passwd"), "etc/passwd");
    }
}
