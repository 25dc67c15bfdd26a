//! Properties resolved in points: a paragraph's, a run's, borders; fields named; every length
//! clamped to what a page can hold; a table of contents filled from the headings.

use crate::word::context::Context;
use crate::word::model::*;
use crate::word::style::*;
use crate::word::xml::Element;

/// EMUs to points.
pub(super) const EMU: f32 = 72.0 / 914_400.0;
/// How deep tables may nest before their content is read flat.
pub(super) const MAX_TABLE_DEPTH: usize = 16;
/// The largest length (points) any measure is taken as: a page of 2 m.
const MAX_LEN: f32 = 5669.0;

/// Clamps a length in points to what a page can hold.
pub(super) fn len(v: f32) -> f32 {
    if v.is_finite() {
        v.clamp(-MAX_LEN, MAX_LEN)
    } else {
        0.0
    }
}

pub(super) fn rgb_of(v: &str) -> Option<[u8; 3]> {
    is_hex(v).then(|| crate::render::pdf::layout::rgb(v))
}

/// A paragraph's properties resolved, in points.
pub(crate) fn para_of(props: &ParaProps, mark: RunStyle, default_tab: f32) -> Para {
    let size = mark.size;
    let first = match (
        props.first_line_chars,
        props.hanging_chars,
        props.first_line,
        props.hanging,
    ) {
        (_, Some(c), _, _) if c > 0.0 => -c / 100.0 * size,
        (Some(c), _, _, _) if c != 0.0 => c / 100.0 * size,
        (_, _, _, Some(h)) if h > 0.0 => -h * TWIP,
        (_, _, Some(f), _) => f * TWIP,
        _ => 0.0,
    };
    let first_chars = match (props.first_line_chars, props.hanging_chars) {
        (_, Some(c)) if c > 0.0 => Some(-c / 100.0),
        (Some(c), _) if c != 0.0 => Some(c / 100.0),
        _ => None,
    };
    let line = match &props.line {
        Some((v, rule)) if rule == "exact" => LineRule::Exact(len(v.abs() * TWIP).max(1.0)),
        Some((v, rule)) if rule == "atLeast" => LineRule::AtLeast(len(v * TWIP).max(0.0)),
        Some((v, _)) => LineRule::Auto((v / 240.0).clamp(0.06, 20.0)),
        None => LineRule::Auto(1.0),
    };
    let align = match props.align.as_deref() {
        Some("center") => Align::Center,
        Some("right" | "end") => Align::Right,
        Some("both") => Align::Both,
        Some("distribute") => Align::Distribute,
        _ => Align::Left,
    };
    let mut tabs: Vec<TabStop> = props
        .tabs
        .iter()
        .filter(|t| t.1 != "clear")
        .map(|t| TabStop {
            pos: len(t.0 * TWIP),
            align: match t.1.as_str() {
                "center" => Align::Center,
                "right" | "end" => Align::Right,
                _ => Align::Left,
            },
            leader: t.2 == "dot",
        })
        .collect();
    tabs.sort_by(|a, b| a.pos.total_cmp(&b.pos));
    tabs.truncate(64);
    Para {
        align,
        left: len(props.left.unwrap_or(0.0) * TWIP),
        right: len(props.right.unwrap_or(0.0) * TWIP),
        first: len(first),
        first_chars: first_chars.map(|c| c.clamp(-500.0, 500.0)),
        before: len(props.before.unwrap_or(0.0) * TWIP).max(0.0),
        after: len(props.after.unwrap_or(0.0) * TWIP).max(0.0),
        line,
        keep_next: props.keep_next.unwrap_or(false),
        keep_lines: props.keep_lines.unwrap_or(false),
        page_break_before: props.page_break_before.unwrap_or(false),
        widows: props.widows.unwrap_or(false),
        snap: props.snap.unwrap_or(true),
        outline: props.outline,
        heading: None,
        tabs,
        default_tab,
        inlines: Vec::new(),
        mark,
        fill: props.fill.as_deref().and_then(rgb_of),
        rules: {
            let b = borders6(props.borders.as_ref());
            [b[0], b[2]]
        },
    }
}

pub(crate) fn run_style(p: &RunProps) -> RunStyle {
    RunStyle {
        size: (p.size.unwrap_or(21.0) / 2.0).clamp(1.0, 400.0),
        bold: p.bold.unwrap_or(false),
        italic: p.italic.unwrap_or(false),
        underline: p.underline.unwrap_or(false),
        strike: p.strike.unwrap_or(false),
        color: p.color.as_deref().and_then(rgb_of).unwrap_or([0, 0, 0]),
        highlight: p
            .highlight
            .as_deref()
            .and_then(highlight)
            .and_then(|h| rgb_of(&h[1..])),
        east_asia: p.east_asia.clone(),
        latin: p.latin.clone(),
        vert: match p.vert.as_deref() {
            Some("superscript") => 1,
            Some("subscript") => -1,
            _ => 0,
        },
        spacing: p.spacing.map_or(0.0, |s| (s * TWIP).clamp(-20.0, 100.0)),
    }
}

/// A border element's six sides (top, left, bottom, right, insideH, insideV); `nil` and `none`
/// read as no border.
pub(super) fn borders6(b: Option<&Element>) -> [Option<Border>; 6] {
    let mut out = [None; 6];
    let Some(b) = b else { return out };
    for (i, names) in [
        ["w:top", "w:top"],
        ["w:left", "w:start"],
        ["w:bottom", "w:bottom"],
        ["w:right", "w:end"],
        ["w:insideH", "w:insideH"],
        ["w:insideV", "w:insideV"],
    ]
    .iter()
    .enumerate()
    {
        let Some(e) = b.child(names[0]).or_else(|| b.child(names[1])) else {
            continue;
        };
        let val = e.attr("w:val").unwrap_or_default();
        if matches!(val.as_str(), "nil" | "none" | "") {
            continue;
        }
        out[i] = Some(Border {
            width: (num(e, "w:sz").unwrap_or(4.0) / 8.0).clamp(0.25, 6.0),
            color: e
                .attr("w:color")
                .and_then(|c| rgb_of(&c))
                .unwrap_or([0, 0, 0]),
        });
    }
    out
}

/// The field a page-number instruction asks for.
pub(super) fn field_of(instr: &str) -> Option<Field> {
    match instr
        .split_whitespace()
        .next()?
        .to_ascii_uppercase()
        .as_str()
    {
        "PAGE" => Some(Field::Page),
        "NUMPAGES" | "SECTIONPAGES" => Some(Field::Pages),
        _ => None,
    }
}

pub(super) fn is_toc(instr: &str) -> bool {
    instr
        .split_whitespace()
        .next()
        .is_some_and(|w| w.eq_ignore_ascii_case("TOC"))
}

/// The first element named `name` below `e`.
pub(crate) fn find<'e>(e: &'e Element, name: &str) -> Option<&'e Element> {
    for c in e.elements() {
        if c.name == name {
            return Some(c);
        }
        if let Some(f) = find(c, name) {
            return Some(f);
        }
    }
    None
}

/// Fills every table of contents with an entry per heading (levels 1–3), each in its `TOC n`
/// style with a dotted tab to its page number. Whether there was one.
pub(super) fn contents(sections: &mut [Section], cx: &Context) -> bool {
    let mut headings = Vec::new();
    for s in sections.iter() {
        for b in &s.blocks {
            if let Block::Para(p) = b {
                if let (Some(n), Some(level)) = (p.heading, p.outline.filter(|l| *l < 3)) {
                    let text: String = p
                        .inlines
                        .iter()
                        .filter_map(|i| match i {
                            Inline::Text(t, _) => Some(t.as_str()),
                            Inline::Tab(_) => Some(" "),
                            _ => None,
                        })
                        .collect();
                    headings.push((n, level, text));
                }
            }
        }
    }
    let mut any = false;
    for s in sections.iter_mut() {
        for b in &mut s.blocks {
            let Block::Toc(entries) = b else { continue };
            any = true;
            *entries = headings
                .iter()
                .map(|(n, level, text)| toc_entry(cx, *n, *level, text))
                .collect();
        }
    }
    any
}

/// A contents entry for heading `n` at `level` (0-based): in the `TOC n` style, the
/// heading's text, a dotted tab to the right margin, the page number.
pub(super) fn toc_entry(cx: &Context, n: usize, level: u8, text: &str) -> Para {
    let id = cx
        .style_named(&format!("toc {}", level + 1))
        .cloned()
        .unwrap_or_else(|| format!("TOC{}", level + 1));
    let (p, r) = cx.style_chain(&id);
    let props = cx.defaults.0.over(&p);
    let run = cx.defaults.1.over(&r);
    let style = run_style(&run);
    let mut para = para_of(&props, style.clone(), cx.default_tab);
    if props.left.is_none() {
        para.left = f32::from(level) * 2.0 * style.size;
    }
    para.tabs = vec![TabStop {
        pos: f32::INFINITY,
        align: Align::Right,
        leader: true,
    }];
    para.inlines = vec![
        Inline::Text(text.to_string(), style.clone()),
        Inline::Tab(style.clone()),
        Inline::Field(Field::PageOf(n), style),
    ];
    para
}
