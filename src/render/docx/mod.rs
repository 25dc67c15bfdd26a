//! DOCX output: WordprocessingML written directly, packed with fixed timestamps.
//!
//! Written by hand rather than through docx-rs: measured here, docx-rs spent 2–3 ms per
//! document in its XML writer, drew paragraph and picture ids from process-wide counters (so
//! bytes depended on what was rendered before) and could not mark header rows to repeat.
//! This writer produces the same structure — real heading styles, East Asian fonts on every
//! run, tables with repeating header rows, merged cells, signature tables with images, page
//! header and a 第 N 页 / 共 M 页 footer — deterministically, in a fraction of the time.

use crate::values::Profile;
use std::fmt::Write as _;

use super::{deterministic_zip, RenderError, Theme};
use crate::document::*;
use crate::values::xml_escape as esc;

mod furniture;
mod official;
mod tables;

/// A4 in twentieths of a point.
const A4_W: u32 = 11906;
const A4_H: u32 = 16838;
const MARGIN_LR: u32 = 1134; // 2 cm
const MARGIN_TB: u32 = 1247; // 2.2 cm
const HEADER_FILL: &str = "D9E2F3";
const LABEL_FILL: &str = "F2F2F2";

/// The VML namespaces a header needs for the draft watermark.
const VML_NS: &str =
    r#"xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office""#;

/// Word's WordArt text-path shape type (`o:spt="136"`), as Word writes it for a watermark.
const WATERMARK_SHAPETYPE: &str = r##"<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" path="m@7,l@8,m@5,21600l@6,21600e"><v:formulas><v:f eqn="sum #0 0 10800"/><v:f eqn="prod #0 2 1"/><v:f eqn="sum 21600 0 @1"/><v:f eqn="sum 0 0 @2"/><v:f eqn="sum 21600 0 @3"/><v:f eqn="if @0 @3 0"/><v:f eqn="if @0 21600 @1"/><v:f eqn="if @0 0 @2"/><v:f eqn="if @0 @4 21600"/><v:f eqn="mid @5 @6"/><v:f eqn="mid @8 @5"/><v:f eqn="mid @7 @8"/><v:f eqn="mid @6 @7"/><v:f eqn="sum @6 0 @5"/></v:formulas><v:path textpathok="t" o:connecttype="custom" o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800" o:connectangles="270,180,90,0"/><v:textpath on="t" fitshape="t"/><v:handles><v:h position="#0,bottomRight" xrange="6629,14971"/></v:handles><o:lock v:ext="edit" text="t" shapetype="t"/></v:shapetype>"##;

const NS: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture""#;

/// The document being written: its XML and the pictures it refers to.
struct Writer<'a> {
    theme: &'a Theme,
    /// GB/T 9704-2012: the official profile's faces, page and paragraphs.
    official: bool,
    /// The `w:rFonts` of body and of heading-face runs, written once.
    body_fonts: String,
    heading_fonts: String,
    content_width: u32,
    xml: String,
    images: Vec<(String, &'a ImageData)>,
    /// Drawings written so far (each needs its own id).
    drawings: u32,
}

fn fonts(theme: &Theme, east_asia: &str) -> String {
    format!(
        r#"<w:rFonts w:ascii="{l}" w:hAnsi="{l}" w:eastAsia="{e}" w:cs="{l}"/>"#,
        l = esc(&theme.latin),
        e = esc(east_asia)
    )
}

pub fn render(doc: &Document, theme: &Theme) -> Result<super::Output, RenderError> {
    let (w, h) = if doc.landscape {
        (A4_H, A4_W)
    } else {
        (A4_W, A4_H)
    };
    let official = doc.profile == Profile::Official;
    let mut wr = Writer {
        theme,
        official,
        body_fonts: fonts(
            theme,
            if official {
                official::BODY
            } else {
                &theme.body_east_asia
            },
        ),
        heading_fonts: fonts(theme, &theme.heading_east_asia),
        content_width: if official {
            official::CONTENT_WIDTH
        } else {
            w - 2 * MARGIN_LR
        },
        xml: String::with_capacity(64 * 1024),
        images: Vec::new(),
        drawings: 0,
    };
    wr.xml
        .push_str(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#);
    let _ = write!(wr.xml, "<w:document {NS}><w:body>");
    for b in &doc.blocks {
        crate::budget::check().map_err(RenderError::Stopped)?;
        wr.block(b);
    }
    let orient = if doc.landscape {
        r#" w:orient="landscape""#
    } else {
        ""
    };
    if official {
        wr.xml.push_str(official::SECTION);
        wr.xml.push_str("</w:body></w:document>");
        return package(doc, theme, wr);
    }
    let _ = write!(
        wr.xml,
        r#"<w:sectPr><w:headerReference w:type="default" r:id="rIdHeader1"/><w:footerReference w:type="default" r:id="rIdFooter1"/><w:pgSz w:w="{w}" w:h="{h}"{orient}/><w:pgMar w:top="{MARGIN_TB}" w:right="{MARGIN_LR}" w:bottom="{MARGIN_TB}" w:left="{MARGIN_LR}" w:header="680" w:footer="680" w:gutter="0"/></w:sectPr></w:body></w:document>"#
    );
    package(doc, theme, wr)
}

/// The package: the body written, its header and footer, styles, properties, relationships
/// and pictures, zipped deterministically.
fn package<'a>(
    doc: &'a Document,
    theme: &Theme,
    mut wr: Writer<'a>,
) -> Result<super::Output, RenderError> {
    let header = wr.header(doc);
    let footer = wr.footer(doc);
    // Pictures are related from the body and from the header (the logo).
    let image_rels = image_relationships(&wr);
    let mut parts: Vec<(String, Vec<u8>)> = vec![
        ("_rels/.rels".into(), ROOT_RELS.as_bytes().to_vec()),
        ("docProps/core.xml".into(), core_xml(doc)),
        ("docProps/app.xml".into(), APP.as_bytes().to_vec()),
        (
            "word/document.xml".into(),
            std::mem::take(&mut wr.xml).into_bytes(),
        ),
        (
            "word/_rels/document.xml.rels".into(),
            document_relationships(wr.official, &image_rels).into_bytes(),
        ),
    ];
    if wr.official {
        // The official package has always listed its content types after these parts.
        parts.extend(official_parts(theme, header));
    } else {
        let content_types = (
            "[Content_Types].xml".into(),
            CONTENT_TYPES.as_bytes().to_vec(),
        );
        parts.insert(0, content_types);
        parts.extend([
            ("word/styles.xml".into(), styles(theme).into_bytes()),
            ("word/settings.xml".into(), SETTINGS.as_bytes().to_vec()),
            ("word/header1.xml".into(), header.into_bytes()),
            ("word/footer1.xml".into(), footer.into_bytes()),
        ]);
    }
    if !image_rels.is_empty() {
        let header_rels = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{image_rels}</Relationships>"#
        );
        parts.push((
            "word/_rels/header1.xml.rels".into(),
            header_rels.into_bytes(),
        ));
    }
    for (name, img) in &wr.images {
        parts.push((format!("word/media/{name}"), img.bytes.to_vec()));
    }
    deterministic_zip(&parts).map(super::Output::plain)
}

/// One relationship per picture (`image3.png` → `rIdImage3`).
fn image_relationships(wr: &Writer<'_>) -> String {
    let mut rels = String::new();
    for (name, _) in &wr.images {
        let id = name
            .split('.')
            .next()
            .unwrap_or_default()
            .replace("image", "rIdImage");
        let _ = write!(
            rels,
            r#"<Relationship Id="{id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/{name}"/>"#
        );
    }
    rels
}

/// The main document's relationships: styles, settings, header and footer (the official
/// profile's second footer and font table), and the pictures.
fn document_relationships(official: bool, image_rels: &str) -> String {
    let mut rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rIdSettings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/><Relationship Id="rIdHeader1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/><Relationship Id="rIdFooter1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/>"#,
    );
    if official {
        rels.push_str(r#"<Relationship Id="rIdFooter2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer2.xml"/><Relationship Id="rIdFonts" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable" Target="fontTable.xml"/>"#);
    }
    rels.push_str(image_rels);
    rels.push_str("</Relationships>");
    rels
}

/// The official profile's own parts (GB/T 9704-2012): content types with the font table,
/// styles, settings, fonts, the 版头 header and the odd and even page-number footers.
fn official_parts(theme: &Theme, header: String) -> [(String, Vec<u8>); 7] {
    [
        (
            "[Content_Types].xml".into(),
            OFFICIAL_CONTENT_TYPES.as_bytes().to_vec(),
        ),
        (
            "word/styles.xml".into(),
            official::styles(&theme.latin).into_bytes(),
        ),
        (
            "word/settings.xml".into(),
            official::SETTINGS.as_bytes().to_vec(),
        ),
        (
            "word/fontTable.xml".into(),
            official::FONT_TABLE.as_bytes().to_vec(),
        ),
        ("word/header1.xml".into(), header.into_bytes()),
        (
            "word/footer1.xml".into(),
            official::footer(true).into_bytes(),
        ),
        (
            "word/footer2.xml".into(),
            official::footer(false).into_bytes(),
        ),
    ]
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Default Extension="jpeg" ContentType="image/jpeg"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/><Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/><Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>"#;

/// The content types of the official profile: an even-page footer and a font table too.
const OFFICIAL_CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Default Extension="jpeg" ContentType="image/jpeg"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/><Override PartName="/word/fontTable.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml"/><Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/><Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/><Override PartName="/word/footer2.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>"#;

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/></Relationships>"#;

const APP: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>collabdocs</Application></Properties>"#;

const SETTINGS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:defaultTabStop w:val="420"/><w:characterSpacingControl w:val="compressPunctuation"/><w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat></w:settings>"#;

/// Real paragraph styles, so Word's navigation pane and table of contents see the structure.
fn styles(theme: &Theme) -> String {
    let body = fonts(theme, &theme.body_east_asia);
    let head = fonts(theme, &theme.heading_east_asia);
    let heading = |id: &str, name: &str, size: u32, level: u32, before: u32| {
        format!(
            r#"<w:style w:type="paragraph" w:styleId="{id}"><w:name w:val="{name}"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="9"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before="{before}" w:after="120"/><w:outlineLvl w:val="{level}"/></w:pPr><w:rPr>{head}<w:b/><w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr></w:style>"#
        )
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr>{body}<w:sz w:val="21"/><w:szCs w:val="21"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="60" w:line="300" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style><w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:jc w:val="center"/><w:spacing w:before="120" w:after="120"/></w:pPr><w:rPr>{head}<w:b/><w:sz w:val="36"/><w:szCs w:val="36"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Subtitle"><w:name w:val="Subtitle"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:jc w:val="center"/><w:spacing w:after="240"/></w:pPr><w:rPr><w:color w:val="404040"/><w:sz w:val="24"/><w:szCs w:val="24"/></w:rPr></w:style>{h1}{h2}{h3}<w:style w:type="paragraph" w:styleId="Note"><w:name w:val="Note"/><w:basedOn w:val="Normal"/><w:rPr><w:color w:val="595959"/><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr></w:style><w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr><w:tblCellMar><w:left w:w="100" w:type="dxa"/><w:right w:w="100" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style></w:styles>"#,
        h1 = heading("Heading1", "heading 1", 28, 0, 240),
        h2 = heading("Heading2", "heading 2", 24, 1, 160),
        h3 = heading("Heading3", "heading 3", 21, 2, 120),
    )
}

/// Our own core properties: title, subject, creator, language; no timestamps.
fn core_xml(doc: &Document) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>{}</dc:title><dc:subject>{}</dc:subject><dc:creator>{}</dc:creator><dc:language>{}</dc:language><cp:revision>1</cp:revision></cp:coreProperties>"#,
        esc(&doc.meta.title),
        esc(&doc.meta.subject),
        esc(&doc.meta.author),
        esc(&doc.meta.lang),
    )
    .into_bytes()
}

fn jc(a: Align) -> &'static str {
    match a {
        Align::Left => "left",
        Align::Center => "center",
        Align::Right => "right",
    }
}

fn twips_widths(rel: &[f32], total: u32) -> Vec<u32> {
    let sum: f32 = rel.iter().sum::<f32>().max(0.0001);
    let mut out: Vec<u32> = rel
        .iter()
        .map(|w| (w / sum * total as f32) as u32)
        .collect();
    let used: u32 = out.iter().sum();
    if let Some(last) = out.last_mut() {
        *last += total.saturating_sub(used);
    }
    out
}

/// How a cell looks beyond its text.
#[derive(Default, Clone, Copy)]
struct CellLook<'s> {
    align: Option<Align>,
    fill: Option<&'s str>,
    color: Option<&'s str>,
    span: usize,
    vmerge: Option<bool>,
}

impl<'a> Writer<'a> {
    /// Runs for spans: `\n` becomes a line break; the East Asian font is named on every run —
    /// the body face (宋体; 仿宋 in the official profile), or the heading face (黑体) for bold
    /// text: labels, table headers. In the official profile a bold label is 黑体, not bold.
    fn runs(&mut self, spans: &[Span], color: Option<&str>) {
        self.runs_in(spans, color, None);
    }

    /// Runs in the face a paragraph style names (`face`), else as [`Writer::runs`].
    fn runs_in(&mut self, spans: &[Span], color: Option<&str>, face: Option<&str>) {
        let styled = face.map(|f| fonts(self.theme, f));
        for span in spans {
            let f = match (&styled, span.bold) {
                (_, true) => &self.heading_fonts,
                (Some(f), false) => f,
                (None, false) => &self.body_fonts,
            };
            self.xml.push_str("<w:r><w:rPr>");
            self.xml.push_str(f);
            if span.bold && !self.official {
                self.xml.push_str("<w:b/><w:bCs/>");
            }
            if let Some(c) = color {
                let _ = write!(self.xml, r#"<w:color w:val="{c}"/>"#);
            }
            self.xml.push_str("</w:rPr>");
            for (i, line) in span.text.split('\n').enumerate() {
                if i > 0 {
                    self.xml.push_str("<w:br/>");
                }
                if !line.is_empty() {
                    let _ = write!(self.xml, r#"<w:t xml:space="preserve">{}</w:t>"#, esc(line));
                }
            }
            self.xml.push_str("</w:r>");
        }
    }

    fn para(&mut self, spans: &[Span], style: Option<&str>, align: Option<Align>, extra_ppr: &str) {
        self.xml.push_str("<w:p><w:pPr>");
        if let Some(s) = style {
            let _ = write!(self.xml, r#"<w:pStyle w:val="{s}"/>"#);
        }
        self.xml.push_str(extra_ppr);
        if let Some(a) = align {
            let _ = write!(self.xml, r#"<w:jc w:val="{}"/>"#, jc(a));
        }
        self.xml.push_str("</w:pPr>");
        let face = self.style_face(style);
        self.runs_in(spans, None, face.as_deref());
        self.xml.push_str("</w:p>");
    }

    /// The East Asian face a paragraph style sets its runs in.
    fn style_face(&self, style: Option<&str>) -> Option<String> {
        let face = match (self.official, style) {
            (true, Some("Title")) => official::TITLE,
            (true, Some("Heading1")) => official::HEI,
            (true, Some("Heading2")) => official::KAI,
            (true, Some("Heading3")) => official::BODY,
            (false, Some("Title" | "Heading1" | "Heading2" | "Heading3")) => {
                self.theme.heading_east_asia.as_str()
            }
            _ => return None,
        };
        Some(face.to_string())
    }

    /// 发文机关标志: red, centred, with the red rule under it that ends the 版头.
    fn masthead(&mut self, text: &[Span]) {
        let _ = write!(
            self.xml,
            r#"<w:p><w:pPr>{}</w:pPr><w:r><w:rPr>{}</w:rPr><w:t xml:space="preserve">{}</w:t></w:r></w:p>"#,
            official::MASTHEAD_PPR,
            official::masthead_rpr(&self.theme.latin),
            esc(&plain_text(text))
        );
    }

    fn block(&mut self, b: &'a Block) {
        match b {
            Block::Title(t) => self.para(t, Some("Title"), None, ""),
            Block::Subtitle(t) => self.para(t, Some("Subtitle"), None, ""),
            Block::Heading { level, text } => {
                let style = match level {
                    1 => "Heading1",
                    2 => "Heading2",
                    _ => "Heading3",
                };
                self.para(text, Some(style), None, "");
            }
            Block::Paragraph {
                align,
                style,
                text,
                indent,
            } => {
                let s = (*style == ParaStyle::Note).then_some("Note");
                // Body text starts two characters in (首行缩进两字).
                let indent = match (indents_first_line(*align, *style, *indent), self.official) {
                    (true, false) => r#"<w:ind w:firstLineChars="200" w:firstLine="420"/>"#,
                    (true, true) => r#"<w:ind w:firstLineChars="200" w:firstLine="640"/>"#,
                    (false, _) => "",
                };
                match style {
                    ParaStyle::Masthead => self.masthead(text),
                    ParaStyle::Colophon => {
                        self.para(text, Some("Note"), None, official::COLOPHON_PPR)
                    }
                    _ => self.para(text, s, Some(*align), indent),
                }
            }
            Block::List { ordered, items } => {
                for (i, item) in items.iter().enumerate() {
                    let marker = format!("{}\t", list_marker(*ordered, i));
                    let mut spans = vec![Span::plain(marker)];
                    spans.extend(item.iter().cloned());
                    self.para(&spans, None, None, r#"<w:tabs><w:tab w:val="left" w:pos="420"/></w:tabs><w:ind w:left="420" w:hanging="420"/>"#);
                }
            }
            Block::KeyValue(kv) => self.key_value(kv),
            Block::Table(t) => self.table(t),
            Block::Signatures(s) if !s.is_empty() => {
                self.xml.push_str("<w:p/>");
                self.signatures(s);
            }
            Block::Signatures(_) => {}
            Block::Image {
                image,
                width_mm,
                align,
                alt,
            } => {
                let _ = write!(
                    self.xml,
                    r#"<w:p><w:pPr><w:jc w:val="{}"/></w:pPr>"#,
                    jc(*align)
                );
                self.picture(image, *width_mm, alt.as_deref());
                self.xml.push_str("</w:p>");
            }
            Block::PageBreak => self
                .xml
                .push_str(r#"<w:p><w:r><w:br w:type="page"/></w:r></w:p>"#),
        }
    }

    /// An inline picture sized to `width_mm`, keeping its aspect ratio, with its description
    /// (alternative text) when it has one. The same image bytes are stored once; pictures and
    /// drawings are numbered in document order.
    fn picture(&mut self, image: &'a ImageData, width_mm: f32, descr: Option<&str>) {
        let n = match self.images.iter().position(|(_, i)| i.bytes == image.bytes) {
            Some(i) => i + 1,
            None => {
                let ext = match image.format {
                    ImageFormat::Png => "png",
                    ImageFormat::Jpeg => "jpeg",
                };
                self.images
                    .push((format!("image{}.{ext}", self.images.len() + 1), image));
                self.images.len()
            }
        };
        self.drawings += 1;
        let d = self.drawings;
        let (w, h) = (u64::from(image.width_px.max(1)), u64::from(image.height_px));
        let mut cx = (width_mm * 36_000.0) as u64;
        let mut cy = cx * h / w;
        // No taller than half the width asked for (a signature should not inflate its row).
        let max_h = cx / 2;
        if cy > max_h {
            cx = cx * max_h / cy;
            cy = max_h;
        }
        let descr = descr.map_or(String::new(), |d| {
            format!(" descr=\"{}\"", crate::values::xml_escape(d))
        });
        let _ = write!(
            self.xml,
            r#"<w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="{d}" name="Picture {d}"{descr}/><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic><pic:nvPicPr><pic:cNvPr id="{d}" name="image{n}"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed="rIdImage{n}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"#
        );
    }
}
