//! HTML preview: one self-contained page (inline CSS, images as data URIs, no external requests).

use crate::values::{html_escape as esc, Profile};
use std::fmt::Write;

use base64::Engine as _;

use super::RenderError;
use crate::document::*;

const CSS: &str = r#"
:root{--ink:#1f1f1f;--muted:#595959;--line:#8c8c8c;--head:#d9e2f3;--label:#f2f2f2;--sans:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",SimHei,sans-serif}
*{box-sizing:border-box}
body{margin:0;background:#e9ecef;color:var(--ink);font:14px/1.6 "Noto Serif CJK SC","Source Han Serif SC","Songti SC",SimSun,"宋体",serif;text-autospace:normal;text-spacing-trim:normal}
h1,h2,h3,h4,th,td.label,b,strong,.furniture{font-family:var(--sans)}
p.body{text-indent:2em}
.page.official{padding:37mm 26mm 35mm 28mm;font-size:16pt;line-height:28.95pt;font-family:"FangSong_GB2312","仿宋_GB2312","FangSong","仿宋","Noto Serif CJK SC","Songti SC",SimSun,serif}
.page.official p,.page.official h2,.page.official h3,.page.official h4{margin:0;font-size:16pt;font-weight:normal}
.page.official h1.title{font-size:22pt;font-family:"方正小标宋简体","FZXiaoBiaoSong-B05S","Noto Serif CJK SC",SimSun,serif;margin:0 0 28.95pt}
.page.official h2{font-family:var(--sans);text-indent:2em}.page.official h3{font-family:"KaiTi_GB2312","楷体_GB2312","KaiTi","楷体",serif;text-indent:2em}.page.official h4{text-indent:2em}
.page.official b{font-weight:normal}
.page.official table{font-size:12pt;line-height:1.5}
.page p.masthead{color:#e60012;font-size:26pt;font-weight:bold;text-align:center;text-indent:0;border-bottom:2px solid #e60012;padding-bottom:4mm;margin:0 0 calc(4mm + 28.95pt)}
.page p.colophon{font-size:14pt;text-indent:0;border-top:1px solid #000;border-bottom:1px solid #000;margin:0;padding:2px 1em}.page p.colophon+p.colophon{border-top:0}
h1.title{text-wrap:balance}
.page{position:relative;max-width:210mm;margin:24px auto;background:#fff;padding:18mm 20mm;box-shadow:0 1px 6px rgba(0,0,0,.15);overflow-wrap:anywhere}
.page.landscape{max-width:297mm}
.furniture{display:flex;justify-content:space-between;color:var(--muted);font-size:12px;border-bottom:1px solid #ccc;padding-bottom:4px;margin-bottom:16px}
.footer{border-top:1px solid #ccc;border-bottom:0;margin:24px 0 0;padding-top:4px;justify-content:center}
h1.title{font-size:24px;text-align:center;margin:8px 0}
p.subtitle{text-align:center;color:#404040;font-size:16px;margin:0 0 16px}
h2{font-size:18px;margin:20px 0 8px}h3{font-size:16px;margin:14px 0 6px}h4{font-size:14px;margin:10px 0 4px}
p{margin:6px 0;white-space:pre-wrap}p.note{color:var(--muted);font-size:12px}
table{width:100%;border-collapse:collapse;margin:8px 0;table-layout:fixed}
th,td{border:1px solid var(--line);padding:4px 6px;vertical-align:middle;white-space:pre-wrap}
th{background:var(--head)}td.label{background:var(--label);font-weight:bold;text-align:center}
tfoot td{font-weight:bold}
ul,ol{margin:6px 0;padding-left:2em}li{white-space:pre-wrap}
.sig img{max-height:48px;max-width:100%}.logo{height:18px;vertical-align:middle;margin-right:6px}
.draft{position:absolute;inset:0;display:flex;align-items:center;justify-content:center;pointer-events:none;overflow:hidden}
.draft span{transform:rotate(-35deg);font-size:72px;font-weight:bold;color:rgba(192,0,0,.15);white-space:nowrap}
@media print{body{background:#fff}.page{box-shadow:none;margin:0;max-width:none}}
"#;

fn spans(s: &[Span]) -> String {
    s.iter()
        .map(|s| {
            if s.bold {
                format!("<b>{}</b>", esc(&s.text))
            } else {
                esc(&s.text)
            }
        })
        .collect()
}

fn data_uri(img: &ImageData) -> String {
    let mime = match img.format {
        ImageFormat::Png => "image/png",
        ImageFormat::Jpeg => "image/jpeg",
    };
    format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(img.bytes.as_slice())
    )
}

fn align_css(a: Option<Align>) -> &'static str {
    match a {
        Some(Align::Center) => " style=\"text-align:center\"",
        Some(Align::Right) => " style=\"text-align:right\"",
        _ => "",
    }
}

pub fn render(doc: &Document, _theme: &super::Theme) -> Result<super::Output, RenderError> {
    let mut h = String::with_capacity(16 * 1024);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><meta name=\"generator\" content=\"collabdocs\"><meta name=\"description\" content=\"{}\"><title>{}</title><style>{CSS}</style></head><body><div class=\"page{}\">",
        esc(&doc.meta.lang),
        esc(&doc.meta.subject),
        esc(&doc.meta.title),
        match (doc.landscape, doc.profile) {
            (_, Profile::Official) => " official",
            (true, _) => " landscape",
            (false, _) => "",
        }
    );
    if let Some(mark) = &doc.draft_mark {
        let _ = write!(
            h,
            "<div class=\"draft\" aria-hidden=\"true\"><span>{}</span></div>",
            esc(mark)
        );
    }
    if let Some(ph) = &doc.header {
        let logo = ph
            .logo
            .as_ref()
            .map(|l| format!("<img class=\"logo\" alt=\"\" src=\"{}\">", data_uri(l)))
            .unwrap_or_default();
        let _ = write!(
            h,
            "<div class=\"furniture\"><span>{logo}{}</span><span>{}</span></div>",
            esc(&ph.left),
            esc(&ph.right)
        );
    }
    for b in &doc.blocks {
        crate::budget::check().map_err(RenderError::Stopped)?;
        block(&mut h, b);
    }
    let footer = doc
        .footer
        .clone()
        .unwrap_or_default()
        .replace("{page}", "1")
        .replace("{pages}", "1");
    // The official profile numbers printed pages only ("— 1 —"); a screen has none.
    if doc.profile != Profile::Official {
        let _ = write!(
            h,
            "<div class=\"furniture footer\"><span>{}</span></div>",
            esc(&footer)
        );
    }
    h.push_str("</div></body></html>\n");
    Ok(super::Output::plain(h.into_bytes()))
}

fn block(h: &mut String, b: &Block) {
    match b {
        Block::Title(t) => {
            let _ = write!(h, "<h1 class=\"title\">{}</h1>", spans(t));
        }
        Block::Subtitle(t) => {
            let _ = write!(h, "<p class=\"subtitle\">{}</p>", spans(t));
        }
        Block::Heading { level, text } => {
            let l = (*level).clamp(1, 3) + 1;
            let _ = write!(h, "<h{l}>{}</h{l}>", spans(text));
        }
        Block::Paragraph {
            align,
            style,
            text,
            indent,
        } => {
            // Body text starts two characters in (首行缩进两字).
            let class = match style {
                _ if indents_first_line(*align, *style, *indent) => " class=\"body\"",
                ParaStyle::Note => " class=\"note\"",
                ParaStyle::Masthead => " class=\"masthead\"",
                ParaStyle::Colophon => " class=\"colophon\"",
                ParaStyle::Normal => "",
            };
            let _ = write!(
                h,
                "<p{class}{}>{}</p>",
                align_css(Some(*align)),
                spans(text)
            );
        }
        Block::List { ordered, items } => {
            let tag = if *ordered { "ol" } else { "ul" };
            let _ = write!(h, "<{tag}>");
            for i in items {
                let _ = write!(h, "<li>{}</li>", spans(i));
            }
            let _ = write!(h, "</{tag}>");
        }
        Block::KeyValue(kv) => key_value(h, kv),
        Block::Table(t) => table(h, t),
        Block::Signatures(list) if !list.is_empty() => {
            h.push_str("<table class=\"sig\"><thead><tr><th>角色</th><th>部门</th><th>姓名</th><th>职务</th><th>签字</th><th>日期</th></tr></thead><tbody>");
            for s in list {
                let img = s
                    .image
                    .as_ref()
                    .map(|i| format!("<img alt=\"签名\" src=\"{}\">", data_uri(i)))
                    .unwrap_or_default();
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{img}</td><td>{}</td></tr>",
                    esc(&s.role), esc(&s.department), esc(&s.name), esc(&s.title),
                    if s.date.is_empty() { BLANK_DATE.to_string() } else { esc(&s.date) }
                );
            }
            h.push_str("</tbody></table>");
        }
        Block::Signatures(_) => {}
        Block::Image {
            image,
            width_mm,
            align,
            alt,
        } => {
            let _ = write!(
                h,
                "<p{}><img alt=\"{}\" style=\"width:{width_mm}mm\" src=\"{}\"></p>",
                align_css(Some(*align)),
                esc(alt.as_deref().unwrap_or(crate::document::PICTURE)),
                data_uri(image)
            );
        }
        Block::PageBreak => h.push_str("<hr>"),
    }
}

fn key_value(h: &mut String, kv: &KeyValue) {
    let (cols, rows) = kv.rows(usize::MAX);
    h.push_str("<table class=\"kv\"><colgroup>");
    for _ in 0..cols {
        h.push_str("<col style=\"width:10%\"><col style=\"width:24%\">");
    }
    h.push_str("</colgroup><tbody>");
    for row in rows {
        h.push_str("<tr>");
        for (_, span, item) in row.items {
            let _ = write!(
                h,
                "<td class=\"label\">{}</td><td colspan=\"{}\">{}</td>",
                esc(&item.label),
                span * 2 - 1,
                spans(&item.value)
            );
        }
        if row.empty > 0 {
            let _ = write!(h, "<td colspan=\"{}\"></td>", row.empty * 2);
        }
        h.push_str("</tr>");
    }
    h.push_str("</tbody></table>");
}

fn table(h: &mut String, t: &Table) {
    let total: f32 = t.columns.iter().map(|c| c.width).sum::<f32>().max(0.001);
    let _ = write!(h, "<table data-name=\"{}\"><colgroup>", esc(&t.name));
    for c in &t.columns {
        let _ = write!(h, "<col style=\"width:{:.1}%\">", c.width / total * 100.0);
    }
    h.push_str("</colgroup>");
    let section = |h: &mut String, tag: &str, rows: &[Row], header: bool| {
        if rows.is_empty() {
            return;
        }
        let _ = write!(h, "<{tag}>");
        for (r, slots) in rows.iter().zip(t.place(rows)) {
            h.push_str("<tr>");
            for slot in slots.iter().filter(|s| !s.continued) {
                let (c, column) = (slot.cell, t.columns.get(slot.col));
                let tone = if header {
                    None
                } else {
                    column.and_then(|k| k.tone_of(&c.plain_text()))
                };
                let mut style = String::new();
                match c.align.or(column.and_then(|k| k.align)) {
                    Some(Align::Center) => style.push_str("text-align:center;"),
                    Some(Align::Right) => style.push_str("text-align:right;"),
                    _ => {}
                }
                if let Some(t) = tone {
                    let _ = write!(style, "color:#{};background:#{};", t.fg(), t.bg());
                } else if let (Some(f), false) = (r.flag, header) {
                    let _ = write!(style, "background:#{};", f.bg());
                }
                let cell = if header { "th" } else { "td" };
                let _ = write!(h, "<{cell}");
                if slot.span > 1 {
                    let _ = write!(h, " colspan=\"{}\"", slot.span);
                }
                if slot.rowspan > 1 {
                    let _ = write!(h, " rowspan=\"{}\"", slot.rowspan);
                }
                if !style.is_empty() {
                    let _ = write!(h, " style=\"{style}\"");
                }
                let _ = write!(h, ">{}</{cell}>", spans(&c.text));
            }
            h.push_str("</tr>");
        }
        let _ = write!(h, "</{tag}>");
    };
    section(h, "thead", &t.header, true);
    section(h, "tbody", &t.rows, false);
    section(h, "tfoot", &t.footer, false);
    h.push_str("</table>");
}
