//! The XML of a package part as a tree that writes itself back byte for byte: each element
//! keeps its start and end tags as written, text keeps its escapes. What the template engine
//! changes — the text of a `w:t`, strings written before or after an element, an element left
//! out — is all that differs. Documents with a DTD or entity declarations are refused: no
//! entity is ever expanded.

use quick_xml::events::Event;
use quick_xml::Reader;

/// The deepest nesting read (Word's own documents stay far below it).
pub const MAX_DEPTH: usize = 256;

#[derive(Debug, Clone)]
pub enum Node {
    El(Element),
    /// Text between tags, as written (escaped).
    Text(String),
    /// A comment, processing instruction, CDATA section or declaration, as written.
    Other(String),
}

#[derive(Debug, Clone, Default)]
pub struct Element {
    /// The qualified name (`w:p`).
    pub name: String,
    /// The start tag as written (`<w:p w14:paraId="…">`), or the whole empty-element tag.
    pub start: String,
    /// The end tag as written; `None` for an empty element.
    pub end: Option<String>,
    pub children: Vec<Node>,
    /// Written before the element (template tags moved out of the text).
    pub before: Vec<Emit>,
    /// Written after the element.
    pub after: Vec<Emit>,
    /// Left out, all but `before` and `after` (a paragraph that held only a block tag).
    pub dropped: bool,
    /// For a `w:t` whose text holds tags: the text as pieces, written instead of `children`.
    pub pieces: Option<Vec<Piece>>,
}

/// What is written before or after an element.
#[derive(Debug, Clone, PartialEq)]
pub enum Emit {
    /// A tag moved out of the text, by its index in the part's list of tags.
    Tag(usize),
    /// Template source written as it is (a vertical merge that depends on the repetition).
    Raw(String),
}

/// The text of a `w:t` with tags: literal text (unescaped) and template tags.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    Text(String),
    /// A tag, by its index in the part's list of tags.
    Tag(usize),
}

impl Element {
    /// The attribute `key` of the start tag, unescaped.
    pub fn attr(&self, key: &str) -> Option<String> {
        attr_of(&self.start, key)
    }

    /// The first child element named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|c| c.name == name)
    }

    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::El(e) => Some(e),
            _ => None,
        })
    }

    /// The element's text: every text node below it, unescaped (for `w:t`: its text).
    pub fn text(&self) -> String {
        let mut out = String::new();
        collect_text(self, &mut out);
        out
    }
}

fn collect_text(e: &Element, out: &mut String) {
    for c in &e.children {
        match c {
            Node::Text(t) => out.push_str(&unescape(t)),
            Node::El(el) => collect_text(el, out),
            Node::Other(raw) if raw.starts_with("<![CDATA[") => {
                out.push_str(&raw[9..raw.len().saturating_sub(3)])
            }
            Node::Other(_) => {}
        }
    }
}

/// The elements among `nodes` (a part's root, after its declaration and comments).
pub fn elements(nodes: &[Node]) -> impl Iterator<Item = &Element> {
    nodes.iter().filter_map(|n| match n {
        Node::El(e) => Some(e),
        _ => None,
    })
}

/// Checks that a part is well-formed (no DTD, not too deep) without building its tree: a
/// filled part is checked so, once per fill.
pub fn check(src: &str) -> Result<(), String> {
    let mut reader = Reader::from_str(src);
    reader.config_mut().check_end_names = true;
    let mut depth = 0usize;
    loop {
        match reader
            .read_event()
            .map_err(|e| format!("is not well-formed XML ({e})"))?
        {
            Event::Eof => break,
            Event::DocType(_) => return Err("declares a DTD (<!DOCTYPE>)".into()),
            Event::Start(_) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(format!("nests elements more than {MAX_DEPTH} deep"));
                }
            }
            Event::End(_) => {
                depth = depth
                    .checked_sub(1)
                    .ok_or("has an end tag without a start")?
            }
            _ => {}
        }
    }
    if depth != 0 {
        return Err("ends inside an element".into());
    }
    Ok(())
}

/// Reads a part. `Err` names the problem (not well-formed, a DTD, too deep).
pub fn parse(src: &str) -> Result<Vec<Node>, String> {
    let mut reader = Reader::from_str(src);
    let cfg = reader.config_mut();
    cfg.check_end_names = true;
    cfg.trim_text_start = false;
    cfg.trim_text_end = false;
    cfg.expand_empty_elements = false;
    let mut stack: Vec<Element> = Vec::new();
    let mut top: Vec<Node> = Vec::new();
    let push = |stack: &mut Vec<Element>, top: &mut Vec<Node>, n: Node| match stack.last_mut() {
        Some(e) => e.children.push(n),
        None => top.push(n),
    };
    loop {
        let from = reader.buffer_position() as usize;
        let ev = reader
            .read_event()
            .map_err(|e| format!("is not well-formed XML ({e})"))?;
        let to = reader.buffer_position() as usize;
        let raw = &src[from..to];
        match ev {
            Event::Eof => break,
            Event::DocType(_) => {
                return Err("declares a DTD (<!DOCTYPE>), which a Word part never does: refused, so no entity is expanded".into())
            }
            Event::Start(s) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(format!("nests elements more than {MAX_DEPTH} deep"));
                }
                stack.push(Element {
                    name: String::from_utf8_lossy(s.name().as_ref()).into_owned(),
                    start: raw.to_string(),
                    ..Element::default()
                });
            }
            Event::End(_) => {
                let mut e = stack.pop().ok_or("has an end tag without a start")?;
                e.end = Some(raw.to_string());
                push(&mut stack, &mut top, Node::El(e));
            }
            Event::Empty(s) => push(
                &mut stack,
                &mut top,
                Node::El(Element {
                    name: String::from_utf8_lossy(s.name().as_ref()).into_owned(),
                    start: raw.to_string(),
                    ..Element::default()
                }),
            ),
            Event::Text(_) => push(&mut stack, &mut top, Node::Text(raw.to_string())),
            _ => push(&mut stack, &mut top, Node::Other(raw.to_string())),
        }
    }
    if !stack.is_empty() {
        return Err("ends inside an element".into());
    }
    Ok(top)
}

/// Writes nodes back. `literal` writes what was read (the document's own XML, never read as
/// template source); `raw` writes [`Emit::Raw`] template source; `tag` writes a tag, told
/// whether it stands in a `w:t`'s text (`true`) or was placed before or after an element
/// (`false`).
pub fn write(
    nodes: &[Node],
    out: &mut String,
    literal: &dyn Fn(&str, &mut String),
    raw: &dyn Fn(&str, &mut String),
    tag: &dyn Fn(usize, bool, &mut String),
) {
    let placed = |emits: &[Emit], o: &mut String| {
        for e in emits {
            match e {
                Emit::Tag(i) => tag(*i, false, o),
                Emit::Raw(r) => raw(r, o),
            }
        }
    };
    for n in nodes {
        match n {
            Node::Text(t) | Node::Other(t) => literal(t, out),
            Node::El(e) => {
                placed(&e.before, out);
                if !e.dropped {
                    literal(&e.start, out);
                    match &e.pieces {
                        Some(pieces) => {
                            for p in pieces {
                                match p {
                                    Piece::Text(t) => literal(&escape(t), out),
                                    Piece::Tag(i) => tag(*i, true, out),
                                }
                            }
                        }
                        None => write(&e.children, out, literal, raw, tag),
                    }
                    if let Some(end) = &e.end {
                        literal(end, out);
                    }
                }
                placed(&e.after, out);
            }
        }
    }
}

/// Text escaped for an XML text node.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Text or an attribute value unescaped: the five named entities and character references.
pub fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let Some(end) = after.find(';').filter(|&e| e <= 10) else {
            out.push('&');
            rest = after;
            continue;
        };
        let ent = &after[..end];
        let c = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ if ent.starts_with("#x") || ent.starts_with("#X") => {
                u32::from_str_radix(&ent[2..], 16)
                    .ok()
                    .and_then(char::from_u32)
            }
            _ if ent.starts_with('#') => ent[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The value of attribute `key` in a start tag as written.
pub fn attr_of(start: &str, key: &str) -> Option<String> {
    let mut at = 0;
    while let Some(i) = start[at..].find(key) {
        let i = at + i;
        let before_ok = start[..i].ends_with(|c: char| c.is_ascii_whitespace());
        let rest = start[i + key.len()..].trim_start();
        if before_ok {
            if let Some(rest) = rest.strip_prefix('=') {
                let rest = rest.trim_start();
                let q = rest.chars().next()?;
                if q == '"' || q == '\'' {
                    let end = rest[1..].find(q)?;
                    return Some(unescape(&rest[1..1 + end]));
                }
            }
        }
        at = i + key.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_writes_itself_back_byte_for_byte() {
        let src = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<w:document xmlns:w=\"x\"><w:body><w:p w14:paraId=\"1A\"><w:r><w:t xml:space=\"preserve\"> a &amp; b </w:t></w:r><!-- c --><w:br/></w:p></w:body></w:document>";
        let tree = parse(src).unwrap();
        let mut out = String::new();
        write(
            &tree,
            &mut out,
            &|s, o| o.push_str(s),
            &|s, o| o.push_str(s),
            &|_, _, _| {},
        );
        assert_eq!(out, src);
    }

    #[test]
    fn the_check_agrees_with_the_parse() {
        for src in [
            "<a><b/>t</a>",
            "<a><b></a>",
            "<a>",
            "</a>",
            "<!DOCTYPE a><a/>",
            "<a></b>",
        ] {
            assert_eq!(check(src).is_ok(), parse(src).is_ok(), "{src}");
        }
        assert!(check(&"<a>".repeat(300)).unwrap_err().contains("deep"));
    }

    #[test]
    fn dtds_and_broken_xml_are_refused() {
        assert!(parse("<!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>")
            .unwrap_err()
            .contains("DTD"));
        assert!(parse("<a><b></a>").is_err());
        assert!(parse(&"<a>".repeat(300)).unwrap_err().contains("deep"));
    }

    #[test]
    fn entities_and_attributes_read() {
        assert_eq!(
            unescape("a &amp;&#x4E2D;&#25991; &bogus;"),
            "a &中文 &bogus;"
        );
        assert_eq!(
            attr_of("<w:t xml:space=\"preserve\">", "xml:space").as_deref(),
            Some("preserve")
        );
        assert_eq!(
            attr_of(
                "<wp:docPr id=\"3\" name=\"x\" descr='{{image a}}'/>",
                "descr"
            )
            .as_deref(),
            Some("{{image a}}")
        );
    }
}
