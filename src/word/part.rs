//! One part of a Word template (the body, a header, a footer, the footnotes) made into a
//! Handlebars template: tags that Word split over runs — by formatting, spell-check marks,
//! bookmarks, language changes — joined into the run of their first character; quotes that
//! autocorrect curled straightened inside tags; each block tag (`{{#each}}`, `{{#if}}`,
//! `{{else}}`, `{{/each}}`) moved to where its block repeats — the runs between its tags in
//! one paragraph, the paragraphs between them, the row they share, the rows from one to the
//! other — and a picture placeholder whose alternative text is a picture tag replaced by that
//! tag. Everything else is written back as it was, the document's own `{{` escaped.

use super::xml::{self, Element, Emit, Node, Piece};
use super::{Fault, Tag, TagKind};

mod rows;
use rows::{merge_across, next_row};

/// Elements that record tracked changes: a template with them is refused.
const REVISIONS: [&str; 13] = [
    "w:ins",
    "w:del",
    "w:moveFrom",
    "w:moveTo",
    "w:rPrChange",
    "w:pPrChange",
    "w:tblPrChange",
    "w:trPrChange",
    "w:tcPrChange",
    "w:sectPrChange",
    "w:cellIns",
    "w:cellDel",
    "w:numberingChange",
];

/// Elements whose children are paragraphs and tables: where a block of paragraphs repeats.
const CONTAINERS: [&str; 10] = [
    "w:body",
    "w:tc",
    "w:hdr",
    "w:ftr",
    "w:txbxContent",
    "w:sdtContent",
    "w:footnote",
    "w:endnote",
    "w:comment",
    "w:docPartBody",
];

/// A part made ready: its Handlebars source, and where each tag stands in it.
pub struct Prepared {
    /// The tags, and between them `{{collabdocs-lit P N}}`: the part's own XML is kept out of
    /// the source (Handlebars would parse it character by character) and written as it is.
    pub source: String,
    /// The XML between the tags, by `N`.
    pub chunks: Vec<String>,
    /// `(start, end, tag index)` of every tag written into the source.
    pub spans: Vec<(usize, usize, usize)>,
    /// The pictures whose placeholders a tag replaces: the drawing as written.
    pub boxes: Vec<String>,
}

/// Where a tag stands in the tree.
#[derive(Debug, Clone)]
struct At {
    /// The `w:t` holding it (child indices from the top).
    t: Vec<usize>,
    /// Its paragraph.
    p: Vec<usize>,
}

/// Makes the part `part` (the template's `index`th part with tags) ready.
pub fn prepare(
    part: &str,
    index: usize,
    src: &str,
    tags: &mut Vec<Tag>,
) -> Result<Prepared, Fault> {
    let fault = |message: String| Fault::Part {
        part: part.to_string(),
        message,
    };
    let mut tree = xml::parse(src).map_err(&fault)?;
    if let Some(name) = find(&tree, &|e| REVISIONS.contains(&e.name.as_str())) {
        return Err(fault(format!(
            "has tracked changes ({name}): accept or reject them first (Review → Accept / Reject; 审阅 → 接受/拒绝)"
        )));
    }
    let first = tags.len();
    let mut at: Vec<At> = Vec::new();
    let mut paragraphs = Vec::new();
    paths(&tree, &mut Vec::new(), "w:p", &mut paragraphs);
    for p in &paragraphs {
        merge_paragraph(part, &mut tree, p, tags, &mut at)?;
    }
    let mut boxes = Vec::new();
    placeholders(part, &mut tree, tags, &mut boxes)?;
    structure(part, &mut tree, tags, first, &at)?;
    // Write the source: the document's own XML as chunks, each tag as Handlebars has it.
    let spans = std::cell::RefCell::new(Vec::new());
    let chunks = std::cell::RefCell::new(Vec::new());
    let pending = std::cell::RefCell::new(String::new());
    let moved: Vec<bool> = tags.iter().map(|t| t.moved).collect();
    let kinds: Vec<String> = tags.iter().map(|t| t.kind.source()).collect();
    let mut source = String::with_capacity(src.len() / 8 + 256);
    {
        let flush = |o: &mut String| {
            let mut p = pending.borrow_mut();
            if !p.is_empty() {
                let mut c = chunks.borrow_mut();
                o.push_str(&format!("{{{{collabdocs-lit {index} {}}}}}", c.len()));
                c.push(std::mem::take(&mut *p));
            }
        };
        let literal = |s: &str, _: &mut String| pending.borrow_mut().push_str(s);
        let raw = |s: &str, o: &mut String| {
            flush(o);
            o.push_str(s);
        };
        let tag = |i: usize, inline: bool, o: &mut String| {
            if inline && moved[i] {
                return;
            }
            flush(o);
            let start = o.len();
            o.push_str(&kinds[i]);
            spans.borrow_mut().push((start, o.len(), i));
        };
        xml::write(&tree, &mut source, &literal, &raw, &tag);
        flush(&mut source);
    }
    Ok(Prepared {
        source,
        chunks: chunks.into_inner(),
        spans: spans.into_inner(),
        boxes,
    })
}

/// The first element (by name) for which `f` holds.
fn find(nodes: &[Node], f: &dyn Fn(&Element) -> bool) -> Option<String> {
    for n in nodes {
        if let Node::El(e) = n {
            if f(e) {
                return Some(e.name.clone());
            }
            if let Some(found) = find(&e.children, f) {
                return Some(found);
            }
        }
    }
    None
}

/// The paths of every element named `name`, in document order (nested ones too).
fn paths(nodes: &[Node], here: &mut Vec<usize>, name: &str, out: &mut Vec<Vec<usize>>) {
    for (i, n) in nodes.iter().enumerate() {
        if let Node::El(e) = n {
            here.push(i);
            if e.name == name {
                out.push(here.clone());
            }
            paths(&e.children, here, name, out);
            here.pop();
        }
    }
}

pub(super) fn get<'a>(nodes: &'a [Node], path: &[usize]) -> &'a Element {
    match &nodes[path[0]] {
        Node::El(e) if path.len() == 1 => e,
        Node::El(e) => get(&e.children, &path[1..]),
        _ => unreachable!("a path leads to elements"),
    }
}

fn get_mut<'a>(nodes: &'a mut [Node], path: &[usize]) -> &'a mut Element {
    let Node::El(e) = &mut nodes[path[0]] else {
        unreachable!("a path leads to elements")
    };
    if path.len() == 1 {
        e
    } else {
        get_mut(&mut e.children, &path[1..])
    }
}

/// The `w:t` elements of a paragraph, in order — not those of a text box's own paragraphs.
fn texts_of(p: &Element, here: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
    for (i, n) in p.children.iter().enumerate() {
        if let Node::El(e) = n {
            if e.name == "w:txbxContent" || e.name == "w:p" {
                continue;
            }
            here.push(i);
            if e.name == "w:t" {
                out.push(here.clone());
            } else {
                texts_of(e, here, out);
            }
            here.pop();
        }
    }
}

/// A paragraph's text as a reader sees it, cut for messages.
fn context(text: &str) -> String {
    let t: String = text.chars().take(80).collect();
    if text.chars().count() > 80 {
        format!("{t}…")
    } else {
        t
    }
}

/// Finds the tags of one paragraph and joins each into the `w:t` of its first character.
fn merge_paragraph(
    part: &str,
    tree: &mut [Node],
    p: &[usize],
    tags: &mut Vec<Tag>,
    at: &mut Vec<At>,
) -> Result<(), Fault> {
    let mut ts = Vec::new();
    texts_of(get(tree, p), &mut Vec::new(), &mut ts);
    let texts: Vec<String> = ts
        .iter()
        .map(|t| get(tree, &[p, t].concat()).text())
        .collect();
    let all: String = texts.concat();
    let fault = |message: String, tag: &str| Fault::Tag {
        part: part.to_string(),
        paragraph: context(&all),
        tag: tag.to_string(),
        message,
    };
    if all.contains("｛｛") || all.contains("｝｝") || all.contains("{｛") || all.contains("｝}")
    {
        return Err(fault(
            "is typed with full-width braces (｛｛ ｝｝) from a Chinese input method: type tags with half-width {{ }}".into(),
            if all.contains("｛｛") { "｛｛" } else { "｝｝" },
        ));
    }
    if !all.contains("{{") {
        if all.contains("}}") {
            return Err(fault("closes a tag that was never opened".into(), "}}"));
        }
        return Ok(());
    }
    // Each character's owner: the w:t it belongs to.
    let chars: Vec<char> = all.chars().collect();
    let mut owner: Vec<usize> = Vec::with_capacity(chars.len());
    for (k, t) in texts.iter().enumerate() {
        owner.extend(std::iter::repeat_n(k, t.chars().count()));
    }
    let first_owner = owner.clone();
    // The tags, as char ranges.
    let mut found: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i + 1 < chars.len() {
        if chars[i] == '{' && chars[i + 1] == '{' {
            let triple = chars.get(i + 2) == Some(&'{');
            let close: &[char] = if triple {
                &['}', '}', '}']
            } else {
                &['}', '}']
            };
            let from = i + if triple { 3 } else { 2 };
            let end = (from..chars.len()).find(|&j| chars[j..].starts_with(close));
            let Some(end) = end else {
                let tag: String = chars[i..].iter().take(40).collect();
                return Err(fault(
                    "is not closed in its paragraph (a tag must open and close in one paragraph)"
                        .into(),
                    &tag,
                ));
            };
            let stop = end + close.len();
            if chars[from..end].contains(&'{') {
                let tag: String = chars[i..stop].iter().collect();
                return Err(fault("opens a tag inside a tag".into(), &tag));
            }
            found.push((i, stop));
            let first = owner[i];
            for o in &mut owner[i..stop] {
                *o = first;
            }
            i = stop;
        } else {
            i += 1;
        }
    }
    // Each w:t's pieces.
    let mut pieces: Vec<Vec<Piece>> = vec![Vec::new(); texts.len()];
    let mut changed = vec![false; texts.len()];
    let mut k = 0;
    let mut f = 0;
    while k < chars.len() {
        if f < found.len() && found[f].0 == k {
            let (a, b) = found[f];
            let raw: String = chars[a..b].iter().collect();
            let kind = TagKind::parse(&raw).map_err(|m| fault(m, &raw))?;
            let index = tags.len();
            tags.push(Tag {
                part: part.to_string(),
                text: raw,
                paragraph: context(&all),
                kind,
                moved: false,
            });
            at.push(At {
                t: [p, ts[owner[a]].as_slice()].concat(),
                p: p.to_vec(),
            });
            pieces[owner[a]].push(Piece::Tag(index));
            for c in &mut changed[first_owner[a]..=first_owner[b - 1]] {
                *c = true;
            }
            k = b;
            f += 1;
        } else {
            match pieces[owner[k]].last_mut() {
                Some(Piece::Text(t)) => t.push(chars[k]),
                _ => pieces[owner[k]].push(Piece::Text(chars[k].to_string())),
            }
            k += 1;
        }
    }
    for (n, t) in ts.iter().enumerate() {
        if !changed[n] {
            continue;
        }
        let el = get_mut(tree, &[p, t.as_slice()].concat());
        el.pieces = Some(std::mem::take(&mut pieces[n]));
        if el.end.is_none() {
            // `<w:t/>` that now holds part of a tag.
            el.end = Some("</w:t>".into());
            el.start = el.start.trim_end_matches("/>").to_string() + ">";
        }
        if el.attr("xml:space").is_none() {
            el.start = el.start.replacen("<w:t", "<w:t xml:space=\"preserve\"", 1);
        }
    }
    Ok(())
}

/// Pictures whose alternative text (or title) is a picture tag: the drawing becomes the tag.
fn placeholders(
    part: &str,
    tree: &mut [Node],
    tags: &mut Vec<Tag>,
    boxes: &mut Vec<String>,
) -> Result<(), Fault> {
    let mut drawings = Vec::new();
    paths(tree, &mut Vec::new(), "w:drawing", &mut drawings);
    for d in drawings {
        let el = get(tree, &d);
        let mut docprs = Vec::new();
        paths(&el.children, &mut Vec::new(), "wp:docPr", &mut docprs);
        let Some(docpr) = docprs.first() else {
            continue;
        };
        let pr = get(&el.children, docpr);
        let text = [pr.attr("descr"), pr.attr("title")]
            .into_iter()
            .flatten()
            .find(|t| t.trim_start().starts_with("{{"));
        let Some(text) = text else { continue };
        let text = text.trim().to_string();
        let kind = TagKind::parse(&text).map_err(|message| Fault::Tag {
            part: part.to_string(),
            paragraph: "(a picture's alternative text)".into(),
            tag: text.clone(),
            message,
        })?;
        let TagKind::Image {
            expr,
            width,
            height,
            ..
        } = kind
        else {
            return Err(Fault::Tag {
                part: part.to_string(),
                paragraph: "(a picture's alternative text)".into(),
                tag: text,
                message: "in a picture's alternative text must be a picture tag ({{image …}})"
                    .into(),
            });
        };
        let mut raw = String::new();
        xml::write(
            std::slice::from_ref(&Node::El(el.clone())),
            &mut raw,
            &|s, o| o.push_str(s),
            &|s, o| o.push_str(s),
            &|_, _, _| {},
        );
        boxes.push(raw);
        let index = tags.len();
        tags.push(Tag {
            part: part.to_string(),
            text,
            paragraph: "(a picture's alternative text)".into(),
            kind: TagKind::Image {
                expr,
                width,
                height,
                placeholder: Some(boxes.len() - 1),
            },
            moved: true,
        });
        let el = get_mut(tree, &d);
        el.dropped = true;
        el.before.push(Emit::Tag(index));
    }
    Ok(())
}

/// Pairs block tags and moves each to where its block repeats.
fn structure(
    part: &str,
    tree: &mut [Node],
    tags: &mut [Tag],
    first: usize,
    at: &[At],
) -> Result<(), Fault> {
    // (open, else, close), by tag index.
    let mut stack: Vec<(usize, Option<usize>)> = Vec::new();
    let mut blocks: Vec<(usize, Option<usize>, usize)> = Vec::new();
    for i in first..first + at.len() {
        let fault = |message: String| Fault::Tag {
            part: part.to_string(),
            paragraph: tags[i].paragraph.clone(),
            tag: tags[i].text.clone(),
            message,
        };
        match &tags[i].kind {
            TagKind::Open { .. } => stack.push((i, None)),
            TagKind::Else => match stack.last_mut() {
                Some((_, e @ None)) => *e = Some(i),
                Some(_) => return Err(fault("is a second {{else}} in one block".into())),
                None => return Err(fault("stands outside any {{#if}} or {{#each}}".into())),
            },
            TagKind::Close { helper } => {
                let Some((open, els)) = stack.pop() else {
                    return Err(fault("closes a block that was never opened".into()));
                };
                let TagKind::Open { helper: opened, .. } = &tags[open].kind else {
                    unreachable!()
                };
                if opened != helper {
                    return Err(fault(format!(
                        "closes {{{{#{opened}}}}} (opened at “{}”) with {{{{/{helper}}}}}",
                        tags[open].text
                    )));
                }
                blocks.push((open, els, i));
            }
            _ => {}
        }
    }
    if let Some((open, _)) = stack.pop() {
        return Err(Fault::Tag {
            part: part.to_string(),
            paragraph: tags[open].paragraph.clone(),
            tag: tags[open].text.clone(),
            message: "is never closed".into(),
        });
    }
    for (open, els, close) in blocks {
        let (o, c) = (&at[open - first], &at[close - first]);
        if o.p == c.p {
            // Inline: the runs between the tags repeat; the tags stay in the text.
            if let Some(e) = els {
                if at[e - first].p != o.p {
                    return Err(block_fault(
                        part,
                        tags,
                        e,
                        "must stand in the same paragraph as its block's tags, which share one",
                    ));
                }
            }
            continue;
        }
        let lca: Vec<usize> =
            o.t.iter()
                .zip(&c.t)
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| *a)
                .collect();
        let container = get(tree, &lca).name.clone();
        let (uo, uc) = (
            [lca.as_slice(), &[o.t[lca.len()]]].concat(),
            [lca.as_slice(), &[c.t[lca.len()]]].concat(),
        );
        let unit_name = |path: &[usize]| get(tree, path).name.clone();
        let unit = match container.as_str() {
            "w:tr" => None, // one row: the row repeats
            "w:tbl" if unit_name(&uo) == "w:tr" && unit_name(&uc) == "w:tr" => Some("w:tr"),
            n if CONTAINERS.contains(&n) && unit_name(&uo) == "w:p" && unit_name(&uc) == "w:p" => {
                Some("w:p")
            }
            _ => {
                return Err(block_fault(
                    part,
                    tags,
                    open,
                    &format!(
                        "cannot be repeated: it opens in “{}” and closes in “{}”, which are not paragraphs of one place, rows of one table or cells of one row (a loop that opens inside a table must close in the same table)",
                        tags[open].paragraph, tags[close].paragraph
                    ),
                ))
            }
        };
        match unit {
            None => {
                // The row they share repeats, tags out of the text.
                if is_each(&tags[open].kind) {
                    merge_across(tree, &lca, &lca);
                }
                let row = get_mut(tree, &lca);
                row.before.insert(0, Emit::Tag(open));
                row.after.push(Emit::Tag(close));
                tags[open].moved = true;
                tags[close].moved = true;
                if let Some(e) = els {
                    return Err(block_fault(part, tags, e, "cannot stand inside a block that repeats one table row: give {{else}} a row of its own, with the block's tags in the rows around it"));
                }
            }
            Some(unit) => {
                tags[open].moved = true;
                tags[close].moved = true;
                let drop_o = only_tags(get(tree, &uo), tags, &[open]);
                let drop_c = only_tags(get(tree, &uc), tags, &[close]);
                if unit == "w:tr" && is_each(&tags[open].kind) {
                    let first = if drop_o {
                        next_row(tree, &uo)
                    } else {
                        Some(uo.clone())
                    };
                    if let Some(first) = first.filter(|f| f <= &uc) {
                        merge_across(tree, &first, &uc);
                    }
                }
                let u = get_mut(tree, &uo);
                u.before.insert(0, Emit::Tag(open));
                u.dropped |= drop_o;
                if let Some(e) = els {
                    let ue = [lca.as_slice(), &[at[e - first].t[lca.len()]]].concat();
                    if at[e - first].t[..lca.len()] != lca[..]
                        || get(tree, &ue).name != get(tree, &uo).name
                        || !only_tags(get(tree, &ue), tags, &[e])
                    {
                        return Err(block_fault(part, tags, e, "must stand alone in a paragraph (or a row) between its block's paragraphs (or rows)"));
                    }
                    tags[e].moved = true;
                    let u = get_mut(tree, &ue);
                    u.before.push(Emit::Tag(e));
                    u.dropped = true;
                }
                let u = get_mut(tree, &uc);
                u.after.push(Emit::Tag(close));
                u.dropped |= drop_c;
            }
        }
    }
    Ok(())
}

fn is_each(kind: &TagKind) -> bool {
    matches!(kind, TagKind::Open { helper, .. } if helper == "each")
}

fn block_fault(part: &str, tags: &[Tag], i: usize, message: &str) -> Fault {
    Fault::Tag {
        part: part.to_string(),
        paragraph: tags[i].paragraph.clone(),
        tag: tags[i].text.clone(),
        message: message.to_string(),
    }
}

/// Whether a paragraph or row holds nothing but the tags `these` (and white space): no other
/// text, tag, picture or object.
fn only_tags(unit: &Element, tags: &[Tag], these: &[usize]) -> bool {
    fn walk(e: &Element, tags: &[Tag], these: &[usize]) -> bool {
        if matches!(
            e.name.as_str(),
            "w:drawing" | "w:pict" | "w:object" | "w:sym" | "w:fldSimple" | "w:instrText"
        ) {
            return false;
        }
        if let Some(pieces) = &e.pieces {
            return pieces.iter().all(|p| match p {
                Piece::Text(t) => t.trim().is_empty(),
                Piece::Tag(i) => these.contains(i) || tags[*i].moved,
            });
        }
        if e.name == "w:t" {
            return e.text().trim().is_empty();
        }
        e.elements().all(|c| walk(c, tags, these))
    }
    walk(unit, tags, these)
}
