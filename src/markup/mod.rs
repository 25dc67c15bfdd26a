//! The template markup: a small XML vocabulary (documented in `templates/README.md`) parsed into
//! the [`Document`] model. Errors carry the line and column of the generated markup.
//!
//! Whitespace: a run of literal whitespace that contains a newline is template layout and is
//! dropped; data newlines reach the markup as `&#10;` (see `values::xml_escape`) and are kept.

use crate::values::Profile;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::document::*;

mod table;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct MarkupError {
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// The offending line of markup, for the log.
    pub source_line: String,
}

#[derive(Debug)]
struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
    pos: usize,
}

#[derive(Debug)]
enum Node {
    El(Element),
    Text(String),
}

impl Element {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

struct Parser<'a> {
    src: &'a str,
}

impl Parser<'_> {
    fn err(&self, pos: usize, message: impl Into<String>) -> MarkupError {
        let pos = pos.min(self.src.len());
        let before = &self.src[..self.src.floor_char_boundary(pos)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        let source_line = self.src[line_start..]
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(200)
            .collect();
        MarkupError {
            line,
            column,
            message: message.into(),
            source_line,
        }
    }
}

/// Drops whitespace runs that contain a newline (template layout), keeps everything else.
fn collapse_layout_whitespace(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut run = String::new();
    for c in raw.chars() {
        if c.is_whitespace() {
            run.push(c);
        } else {
            if !run.contains('\n') {
                out.push_str(&run);
            }
            run.clear();
            out.push(c);
        }
    }
    if !run.contains('\n') {
        out.push_str(&run);
    }
    out
}

fn parse_tree(src: &str) -> Result<Element, MarkupError> {
    let p = Parser { src };
    let mut reader = Reader::from_str(src);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let pos = reader.buffer_position() as usize;
        let ev = reader.read_event().map_err(|e| {
            p.err(
                reader.error_position() as usize,
                format!("malformed markup: {e}"),
            )
        })?;
        match ev {
            Event::Start(e) => stack.push(element(&p, &e, pos)?),
            Event::Empty(e) => {
                let el = element(&p, &e, pos)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::El(el)),
                    None => root = Some(el),
                }
            }
            Event::End(_) => {
                let el = stack
                    .pop()
                    .ok_or_else(|| p.err(pos, "unexpected end tag"))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::El(el)),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                let raw = std::str::from_utf8(&t).map_err(|_| p.err(pos, "text is not UTF-8"))?;
                let collapsed = collapse_layout_whitespace(raw);
                if collapsed.is_empty() {
                    continue;
                }
                let text = quick_xml::escape::unescape(&collapsed)
                    .map_err(|e| p.err(pos, format!("bad character reference: {e}")))?
                    .into_owned();
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Text(text)),
                    None if text.trim().is_empty() => {}
                    None => return Err(p.err(pos, "text outside the <document> element")),
                }
            }
            Event::CData(t) => {
                let text = String::from_utf8_lossy(&t).into_owned();
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(Node::Text(text));
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(p.err(open.pos, format!("<{}> is never closed", open.name)));
    }
    root.ok_or_else(|| p.err(0, "no <document> element"))
}

fn element(p: &Parser<'_>, e: &BytesStart<'_>, pos: usize) -> Result<Element, MarkupError> {
    let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|err| p.err(pos, format!("bad attribute in <{name}>: {err}")))?;
        let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        let value = a
            .unescape_value()
            .map_err(|err| p.err(pos, format!("bad attribute value in <{name}>: {err}")))?
            .into_owned();
        attrs.push((key, value));
    }
    Ok(Element {
        name,
        attrs,
        children: Vec::new(),
        pos,
    })
}

/// Parses template output into a document.
pub fn parse(src: &str) -> Result<Document, MarkupError> {
    let root = parse_tree(src)?;
    let p = Parser { src };
    if root.name != "document" {
        return Err(p.err(
            root.pos,
            format!("the root element must be <document>, not <{}>", root.name),
        ));
    }
    let mut doc = Document {
        meta: Meta {
            filled: None,
            title: root.attr("title").unwrap_or_default().to_string(),
            subject: root.attr("subject").unwrap_or_default().to_string(),
            author: root.attr("author").unwrap_or("collabdocs").to_string(),
            lang: root.attr("lang").unwrap_or("zh-CN").to_string(),
            archive: None,
        },
        landscape: root.attr("orientation") == Some("landscape"),
        profile: match root.attr("profile") {
            None | Some("") => Profile::Standard,
            Some(v) => Profile::parse(v).ok_or_else(|| {
                p.err(
                    root.pos,
                    format!("profile=\"{v}\" must be {}", Profile::names()),
                )
            })?,
        },
        ..Document::default()
    };
    for node in &root.children {
        let el = match node {
            Node::El(el) => el,
            Node::Text(t) if t.trim().is_empty() => continue,
            Node::Text(_) => {
                return Err(p.err(root.pos, "text directly inside <document>; wrap it in <p>"))
            }
        };
        check_attrs(&p, el)?;
        match el.name.as_str() {
            "page-header" => {
                doc.header = Some(PageHeader {
                    left: el.attr("left").unwrap_or_default().to_string(),
                    right: el.attr("right").unwrap_or_default().to_string(),
                    logo: parse_image(&p, el, "logo")?,
                })
            }
            "page-footer" => doc.footer = Some(plain_text(&inlines(&p, el)?)),
            "draft-mark" => doc.draft_mark = Some(plain_text(&inlines(&p, el)?)),
            _ => doc.blocks.push(block(&p, el)?),
        }
    }
    Ok(doc)
}

/// The attributes each element accepts; anything else is a template mistake.
fn allowed_attrs(name: &str) -> Option<&'static [&'static str]> {
    Some(match name {
        "document" => &[
            "title",
            "subject",
            "author",
            "lang",
            "orientation",
            "profile",
        ],
        "page-header" => &["left", "right", "logo"],
        "page-footer" | "draft-mark" | "title" | "subtitle" | "h1" | "h2" | "h3" | "ul" | "ol"
        | "li" | "b" | "br" | "page-break" | "signatures" | "thead" | "tbody" | "tfoot" => &[],
        "p" => &["align", "style", "indent"],
        "kv" => &["columns", "anchor"],
        "item" => &["label", "span", "type", "value"],
        "table" => &["name", "sheet", "chart"],
        "col" => &["width", "type", "align", "options", "colors"],
        "tr" => &["flag"],
        "th" | "td" => &["colspan", "rowspan", "type", "value", "align"],
        "signature" => &["role", "name", "department", "title", "date", "image"],
        "image" => &["src", "width", "align", "alt"],
        _ => return None,
    })
}

fn check_attrs(p: &Parser<'_>, el: &Element) -> Result<(), MarkupError> {
    let allowed = allowed_attrs(&el.name)
        .ok_or_else(|| p.err(el.pos, format!("unknown element <{}>", el.name)))?;
    for (k, _) in &el.attrs {
        if !allowed.contains(&k.as_str()) {
            return Err(p.err(el.pos, format!("<{}> has no attribute \"{k}\"", el.name)));
        }
    }
    Ok(())
}

fn children<'e>(p: &Parser<'_>, el: &'e Element) -> Result<Vec<&'e Element>, MarkupError> {
    let mut out = Vec::new();
    for n in &el.children {
        match n {
            Node::El(c) => {
                check_attrs(p, c)?;
                out.push(c);
            }
            Node::Text(t) if t.trim().is_empty() => {}
            Node::Text(t) => {
                return Err(p.err(
                    el.pos,
                    format!(
                        "<{}> cannot hold text directly (found \"{}\")",
                        el.name,
                        t.chars().take(30).collect::<String>()
                    ),
                ))
            }
        }
    }
    Ok(out)
}

fn inlines(p: &Parser<'_>, el: &Element) -> Result<Inlines, MarkupError> {
    let mut out: Inlines = Vec::new();
    collect_inlines(p, el, false, &mut out)?;
    Ok(out)
}

fn push_span(out: &mut Inlines, text: &str, bold: bool) {
    if text.is_empty() {
        return;
    }
    match out.last_mut() {
        Some(last) if last.bold == bold => last.text.push_str(text),
        _ => out.push(Span {
            text: text.to_string(),
            bold,
        }),
    }
}

fn collect_inlines(
    p: &Parser<'_>,
    el: &Element,
    bold: bool,
    out: &mut Inlines,
) -> Result<(), MarkupError> {
    for n in &el.children {
        match n {
            Node::Text(t) => push_span(out, t, bold),
            Node::El(c) => {
                check_attrs(p, c)?;
                match c.name.as_str() {
                    "b" => collect_inlines(p, c, true, out)?,
                    "br" => push_span(out, "\n", bold),
                    other => {
                        return Err(p.err(
                            c.pos,
                            format!(
                                "<{other}> is not allowed inside <{}>; only text, <b> and <br/>",
                                el.name
                            ),
                        ))
                    }
                }
            }
        }
    }
    Ok(())
}

fn parse_num<T: std::str::FromStr>(
    p: &Parser<'_>,
    el: &Element,
    name: &str,
    default: T,
) -> Result<T, MarkupError> {
    match el.attr(name) {
        None | Some("") => Ok(default),
        Some(v) => v.trim().parse().map_err(|_| {
            p.err(
                el.pos,
                format!("<{}> {name}=\"{v}\" is not a number", el.name),
            )
        }),
    }
}

fn parse_align(p: &Parser<'_>, el: &Element) -> Result<Option<Align>, MarkupError> {
    Ok(match el.attr("align") {
        None | Some("") => None,
        Some("left") => Some(Align::Left),
        Some("center") => Some(Align::Center),
        Some("right") => Some(Align::Right),
        Some(v) => {
            return Err(p.err(
                el.pos,
                format!("align=\"{v}\" must be left, center or right"),
            ))
        }
    })
}

fn parse_hint(p: &Parser<'_>, el: &Element) -> Result<CellHint, MarkupError> {
    let value = el.attr("value").unwrap_or_default().trim();
    let kind = el.attr("type").unwrap_or("text");
    if value.is_empty() {
        return Ok(CellHint::Text);
    }
    Ok(match kind {
        "text" | "enum" => CellHint::Text,
        "date" => CellHint::Date(crate::values::Date::parse(value).ok_or_else(|| {
            p.err(
                el.pos,
                format!("value=\"{value}\" is not a YYYY-MM-DD date"),
            )
        })?),
        "number" => CellHint::Number(parse_num(p, el, "value", 0.0)?),
        "percent" => CellHint::Percent(parse_num(p, el, "value", 0.0)?),
        other => {
            return Err(p.err(
                el.pos,
                format!("type=\"{other}\" must be text, date, number, percent or enum"),
            ))
        }
    })
}

fn parse_image(p: &Parser<'_>, el: &Element, attr: &str) -> Result<Option<ImageData>, MarkupError> {
    match el.attr(attr).map(str::trim) {
        None | Some("") => Ok(None),
        Some(uri) => ImageData::from_data_uri(uri, crate::budget::limits().max_image_pixels)
            .map(Some)
            .map_err(|why| p.err(el.pos, format!("<{}> {attr} {why}", el.name))),
    }
}

fn block(p: &Parser<'_>, el: &Element) -> Result<Block, MarkupError> {
    Ok(match el.name.as_str() {
        "title" => Block::Title(inlines(p, el)?),
        "subtitle" => Block::Subtitle(inlines(p, el)?),
        "h1" | "h2" | "h3" => Block::Heading {
            level: el.name[1..].parse().unwrap_or(1),
            text: inlines(p, el)?,
        },
        "p" => paragraph(p, el)?,
        "ul" | "ol" => Block::List {
            ordered: el.name == "ol",
            items: only(p, el, "li")?
                .into_iter()
                .map(|c| inlines(p, c))
                .collect::<Result<_, _>>()?,
        },
        "kv" => key_value(p, el)?,
        "table" => Block::Table(table::table(p, el)?),
        "signatures" => signatures(p, el)?,
        "image" => Block::Image {
            image: parse_image(p, el, "src")?.ok_or_else(|| p.err(el.pos, "<image> needs src"))?,
            width_mm: parse_num(p, el, "width", 30.0f32)?.clamp(5.0, 170.0),
            align: parse_align(p, el)?.unwrap_or_default(),
            alt: el
                .attr("alt")
                .map(|a| a.trim().to_string())
                .filter(|a| !a.is_empty()),
        },
        "page-break" => Block::PageBreak,
        other => {
            return Err(p.err(
                el.pos,
                format!("<{other}> cannot stand at the top level of <document>"),
            ))
        }
    })
}

/// The children of `el`, every one of which must be a `<name>`.
fn only<'e>(p: &Parser<'_>, el: &'e Element, name: &str) -> Result<Vec<&'e Element>, MarkupError> {
    let kids = children(p, el)?;
    if let Some(c) = kids.iter().find(|c| c.name != name) {
        return Err(p.err(
            c.pos,
            format!("<{}> may only hold <{name}>, not <{}>", el.name, c.name),
        ));
    }
    Ok(kids)
}

fn paragraph(p: &Parser<'_>, el: &Element) -> Result<Block, MarkupError> {
    Ok(Block::Paragraph {
        indent: match el.attr("indent") {
            None | Some("") | Some("first-line") => true,
            Some("none") => false,
            Some(v) => {
                return Err(p.err(el.pos, format!("indent=\"{v}\" must be first-line or none")))
            }
        },
        align: parse_align(p, el)?.unwrap_or_default(),
        style: match el.attr("style") {
            None | Some("") | Some("normal") => ParaStyle::Normal,
            Some("note") => ParaStyle::Note,
            Some("masthead") => ParaStyle::Masthead,
            Some("colophon") => ParaStyle::Colophon,
            Some(v) => {
                return Err(p.err(
                    el.pos,
                    format!("style=\"{v}\" must be normal, note, masthead or colophon"),
                ))
            }
        },
        text: inlines(p, el)?,
    })
}

fn key_value(p: &Parser<'_>, el: &Element) -> Result<Block, MarkupError> {
    let columns = parse_num(p, el, "columns", 2usize)?.clamp(1, 4);
    let mut items = Vec::new();
    for c in only(p, el, "item")? {
        items.push(KvItem {
            label: c.attr("label").unwrap_or_default().to_string(),
            value: inlines(p, c)?,
            span: parse_num(p, c, "span", 1usize)?.clamp(1, columns),
            hint: parse_hint(p, c)?,
        });
    }
    Ok(Block::KeyValue(KeyValue {
        columns,
        items,
        anchor: el.attr("anchor").map(str::to_string),
    }))
}

fn signatures(p: &Parser<'_>, el: &Element) -> Result<Block, MarkupError> {
    let mut sigs = Vec::new();
    for c in only(p, el, "signature")? {
        let a = |k: &str| c.attr(k).unwrap_or_default().to_string();
        sigs.push(SignatureBlock {
            role: a("role"),
            name: a("name"),
            department: a("department"),
            title: a("title"),
            date: a("date"),
            image: parse_image(p, c, "image")?,
        });
    }
    Ok(Block::Signatures(sigs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_whitespace_goes_and_data_newlines_stay() {
        let doc =
            parse("<document>\n  <p>\n    第一行&#10;第二行  有空格\n  </p>\n</document>").unwrap();
        match &doc.blocks[0] {
            Block::Paragraph { text, .. } => assert_eq!(plain_text(text), "第一行\n第二行  有空格"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_error_names_line_and_column() {
        let err = parse("<document>\n  <p>ok</p>\n  <bogus/>\n</document>").unwrap_err();
        assert_eq!((err.line, err.column), (3, 3));
        assert!(err.message.contains("bogus"));
    }

    #[test]
    fn unclosed_element_is_reported() {
        let err = parse("<document>\n<p>text\n</document>").unwrap_err();
        assert!(
            err.message.contains("malformed") || err.message.contains("never closed"),
            "{err}"
        );
    }
}
