//! Word's paragraph and character properties, resolved as Word resolves them (document
//! defaults → style chain → direct formatting), and how each is written as CSS; list numbers
//! in Word's formats. Read by [`super::html`].

use std::fmt::Write;

use super::xml::Element;

/// Twips (1/1440 inch) to CSS pixels.
pub(super) const TWIP_PX: f32 = 96.0 / 1440.0;

/// Character properties, each `None` when not set at this level.
#[derive(Debug, Clone, Default)]
pub(super) struct RunProps {
    pub(super) bold: Option<bool>,
    pub(super) italic: Option<bool>,
    pub(super) underline: Option<bool>,
    pub(super) strike: Option<bool>,
    pub(super) color: Option<String>,
    pub(super) highlight: Option<String>,
    /// Half-points.
    pub(super) size: Option<f32>,
    pub(super) east_asia: Option<String>,
    pub(super) latin: Option<String>,
    pub(super) vert: Option<String>,
    pub(super) hidden: Option<bool>,
    /// Twips added to each character.
    pub(super) spacing: Option<f32>,
}

impl RunProps {
    pub(super) fn over(&self, top: &RunProps) -> RunProps {
        RunProps {
            bold: top.bold.or(self.bold),
            italic: top.italic.or(self.italic),
            underline: top.underline.or(self.underline),
            strike: top.strike.or(self.strike),
            color: top.color.clone().or_else(|| self.color.clone()),
            highlight: top.highlight.clone().or_else(|| self.highlight.clone()),
            size: top.size.or(self.size),
            east_asia: top.east_asia.clone().or_else(|| self.east_asia.clone()),
            latin: top.latin.clone().or_else(|| self.latin.clone()),
            vert: top.vert.clone().or_else(|| self.vert.clone()),
            hidden: top.hidden.or(self.hidden),
            spacing: top.spacing.or(self.spacing),
        }
    }
}

/// Paragraph properties, each `None` when not set at this level.
#[derive(Debug, Clone, Default)]
pub(super) struct ParaProps {
    pub(super) align: Option<String>,
    /// Twips.
    pub(super) left: Option<f32>,
    pub(super) right: Option<f32>,
    pub(super) first_line: Option<f32>,
    pub(super) hanging: Option<f32>,
    /// Hundredths of a character.
    pub(super) first_line_chars: Option<f32>,
    pub(super) hanging_chars: Option<f32>,
    pub(super) before: Option<f32>,
    pub(super) after: Option<f32>,
    /// (value, rule): `auto` in 240ths of a line, `exact`/`atLeast` in twips.
    pub(super) line: Option<(f32, String)>,
    pub(super) page_break_before: Option<bool>,
    pub(super) outline: Option<u8>,
    pub(super) num: Option<(String, usize)>,
    pub(super) keep_next: Option<bool>,
    pub(super) keep_lines: Option<bool>,
    pub(super) widows: Option<bool>,
    pub(super) snap: Option<bool>,
    /// The paragraph's shading (hex).
    pub(super) fill: Option<String>,
    /// Tab stops: position (twips), kind (`left`, `right`, `clear`…), leader; a style's and
    /// the paragraph's together.
    pub(super) tabs: Vec<(f32, String, String)>,
    /// The paragraph's borders (`w:pBdr`).
    pub(super) borders: Option<Element>,
}

impl ParaProps {
    pub(super) fn over(&self, top: &ParaProps) -> ParaProps {
        ParaProps {
            align: top.align.clone().or_else(|| self.align.clone()),
            left: top.left.or(self.left),
            right: top.right.or(self.right),
            first_line: top.first_line.or(self.first_line),
            hanging: top.hanging.or(self.hanging),
            first_line_chars: top.first_line_chars.or(self.first_line_chars),
            hanging_chars: top.hanging_chars.or(self.hanging_chars),
            before: top.before.or(self.before),
            after: top.after.or(self.after),
            line: top.line.clone().or_else(|| self.line.clone()),
            page_break_before: top.page_break_before.or(self.page_break_before),
            outline: top.outline.or(self.outline),
            num: top.num.clone().or_else(|| self.num.clone()),
            keep_next: top.keep_next.or(self.keep_next),
            keep_lines: top.keep_lines.or(self.keep_lines),
            widows: top.widows.or(self.widows),
            snap: top.snap.or(self.snap),
            fill: top.fill.clone().or_else(|| self.fill.clone()),
            tabs: self
                .tabs
                .iter()
                .chain(&top.tabs)
                .take(64)
                .cloned()
                .collect(),
            borders: top.borders.clone().or_else(|| self.borders.clone()),
        }
    }
}

#[derive(Debug, Default)]
pub(super) struct Style {
    pub(super) based_on: Option<String>,
    pub(super) para: ParaProps,
    pub(super) run: RunProps,
}

/// A level of a list: its number format, its text (`%1、`), where it starts.
#[derive(Debug, Clone)]
pub(super) struct Level {
    pub(super) format: String,
    pub(super) text: String,
    pub(super) start: usize,
}

pub(super) fn on(e: &Element) -> bool {
    !matches!(
        e.attr("w:val").as_deref(),
        Some("0" | "false" | "off" | "none")
    )
}

/// A number attribute; `NaN`, infinities and what is not a number read as absent.
pub(super) fn num(e: &Element, key: &str) -> Option<f32> {
    e.attr(key)?.parse::<f32>().ok().filter(|v| v.is_finite())
}

pub(super) fn run_props(rpr: Option<&Element>) -> RunProps {
    let mut p = RunProps::default();
    let Some(rpr) = rpr else { return p };
    for c in rpr.elements() {
        match c.name.as_str() {
            "w:b" => p.bold = Some(on(c)),
            "w:i" => p.italic = Some(on(c)),
            "w:u" => p.underline = Some(on(c)),
            "w:strike" | "w:dstrike" => p.strike = Some(on(c)),
            "w:vanish" => p.hidden = Some(on(c)),
            "w:color" => p.color = c.attr("w:val").filter(|v| v != "auto" && is_hex(v)),
            "w:highlight" => p.highlight = c.attr("w:val").filter(|v| v != "none"),
            "w:sz" => p.size = num(c, "w:val"),
            "w:rFonts" => {
                p.east_asia = c.attr("w:eastAsia");
                p.latin = c.attr("w:ascii").or_else(|| c.attr("w:hAnsi"));
            }
            "w:vertAlign" => p.vert = c.attr("w:val"),
            "w:spacing" => p.spacing = num(c, "w:val"),
            _ => {}
        }
    }
    p
}

pub(super) fn is_hex(v: &str) -> bool {
    v.len() == 6 && v.bytes().all(|b| b.is_ascii_hexdigit())
}

pub(super) fn para_props(ppr: Option<&Element>) -> ParaProps {
    let mut p = ParaProps::default();
    let Some(ppr) = ppr else { return p };
    for c in ppr.elements() {
        match c.name.as_str() {
            "w:jc" => p.align = c.attr("w:val"),
            "w:ind" => {
                p.left = num(c, "w:left").or_else(|| num(c, "w:start"));
                p.right = num(c, "w:right").or_else(|| num(c, "w:end"));
                p.first_line = num(c, "w:firstLine");
                p.hanging = num(c, "w:hanging");
                p.first_line_chars = num(c, "w:firstLineChars");
                p.hanging_chars = num(c, "w:hangingChars");
            }
            "w:spacing" => {
                p.before = num(c, "w:before");
                p.after = num(c, "w:after");
                if let Some(line) = num(c, "w:line") {
                    p.line = Some((line, c.attr("w:lineRule").unwrap_or_else(|| "auto".into())));
                }
            }
            "w:pageBreakBefore" => p.page_break_before = Some(on(c)),
            "w:keepNext" => p.keep_next = Some(on(c)),
            "w:keepLines" => p.keep_lines = Some(on(c)),
            "w:widowControl" => p.widows = Some(on(c)),
            "w:snapToGrid" => p.snap = Some(on(c)),
            "w:shd" => p.fill = c.attr("w:fill").filter(|f| is_hex(f)),
            "w:pBdr" => p.borders = Some(c.clone()),
            "w:tabs" => {
                p.tabs = c
                    .elements()
                    .filter(|t| t.name == "w:tab")
                    .take(64)
                    .filter_map(|t| {
                        Some((
                            num(t, "w:pos")?,
                            t.attr("w:val").unwrap_or_default(),
                            t.attr("w:leader").unwrap_or_default(),
                        ))
                    })
                    .collect()
            }
            "w:outlineLvl" => p.outline = c.attr("w:val").and_then(|v| v.parse().ok()),
            "w:numPr" => {
                let id = c
                    .elements()
                    .find(|e| e.name == "w:numId")
                    .and_then(|e| e.attr("w:val"));
                let level = c
                    .elements()
                    .find(|e| e.name == "w:ilvl")
                    .and_then(|e| e.attr("w:val"))
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                p.num = id.filter(|id| id != "0").map(|id| (id, level));
            }
            _ => {}
        }
    }
    p
}

/// The CSS font stack for a face a run names: the face itself, then ours for its kind.
pub(super) fn font_stack(east_asia: Option<&str>, latin: Option<&str>) -> String {
    let family = |f: &str| format!("\"{}\"", f.replace(['"', '\\', '<', '>', ';', '&'], ""));
    let mut stack: Vec<String> = Vec::new();
    if let Some(l) = latin {
        stack.push(family(l));
    }
    if let Some(e) = east_asia {
        stack.push(family(e));
    }
    let ea = east_asia.unwrap_or("");
    let generic = if [
        "黑体",
        "SimHei",
        "微软雅黑",
        "Microsoft YaHei",
        "等线",
        "DengXian",
    ]
    .iter()
    .any(|f| ea.contains(f))
    {
        "\"Noto Sans CJK SC\",\"Source Han Sans SC\",sans-serif"
    } else if ea.contains("楷") {
        "\"KaiTi\",\"楷体\",\"Noto Serif CJK SC\",serif"
    } else if ea.contains("仿宋") {
        "\"FangSong\",\"仿宋\",\"Noto Serif CJK SC\",serif"
    } else {
        "\"Noto Serif CJK SC\",\"Source Han Serif SC\",\"Songti SC\",SimSun,serif"
    };
    stack.push(generic.into());
    stack.join(",")
}

pub(super) fn run_css(p: &RunProps) -> String {
    let mut css = String::new();
    if p.east_asia.is_some() || p.latin.is_some() {
        let _ = write!(
            css,
            "font-family:{};",
            font_stack(p.east_asia.as_deref(), p.latin.as_deref()).replace('"', "&quot;")
        );
    }
    if let Some(sz) = p.size {
        let _ = write!(css, "font-size:{}pt;", sz / 2.0);
    }
    if p.bold == Some(true) {
        css.push_str("font-weight:bold;");
    } else if p.bold == Some(false) {
        css.push_str("font-weight:normal;");
    }
    if p.italic == Some(true) {
        css.push_str("font-style:italic;");
    }
    let mut lines = Vec::new();
    if p.underline == Some(true) {
        lines.push("underline");
    }
    if p.strike == Some(true) {
        lines.push("line-through");
    }
    if !lines.is_empty() {
        let _ = write!(css, "text-decoration:{};", lines.join(" "));
    }
    if let Some(c) = &p.color {
        let _ = write!(css, "color:#{c};");
    }
    if let Some(h) = p.highlight.as_deref().and_then(highlight) {
        let _ = write!(css, "background:{h};");
    }
    css
}

pub(super) fn highlight(name: &str) -> Option<&'static str> {
    Some(match name {
        "yellow" => "#ffff00",
        "green" => "#00ff00",
        "cyan" => "#00ffff",
        "magenta" => "#ff00ff",
        "blue" => "#0000ff",
        "red" => "#ff0000",
        "darkBlue" => "#000080",
        "darkCyan" => "#008080",
        "darkGreen" => "#008000",
        "darkMagenta" => "#800080",
        "darkRed" => "#800000",
        "darkYellow" => "#808000",
        "darkGray" => "#808080",
        "lightGray" => "#c0c0c0",
        "black" => "#000000",
        _ => return None,
    })
}

/// A paragraph's layout as CSS; `size` is its text's size in half-points (a character's width
/// for indents in characters).
pub(super) fn para_css(p: &ParaProps, size: f32) -> String {
    let mut css = String::new();
    match p.align.as_deref() {
        Some("center") => css.push_str("text-align:center;"),
        Some("right" | "end") => css.push_str("text-align:right;"),
        Some("both") => css.push_str("text-align:justify;"),
        Some("distribute") => css.push_str("text-align:justify;text-align-last:justify;"),
        _ => {}
    }
    let char_px = size / 2.0 * 96.0 / 72.0;
    let px = |twips: f32| (twips * TWIP_PX).clamp(-2000.0, 2000.0);
    if let Some(l) = p.left {
        let _ = write!(css, "margin-left:{:.1}px;", px(l));
    }
    if let Some(r) = p.right {
        let _ = write!(css, "margin-right:{:.1}px;", px(r));
    }
    let indent = match (p.first_line_chars, p.hanging_chars, p.first_line, p.hanging) {
        (Some(c), _, _, _) => Some(c / 100.0 * char_px),
        (_, Some(c), _, _) => Some(-c / 100.0 * char_px),
        (_, _, Some(f), _) => Some(px(f)),
        (_, _, _, Some(h)) => Some(-px(h)),
        _ => None,
    };
    if let Some(i) = indent {
        let _ = write!(css, "text-indent:{:.1}px;", i.clamp(-2000.0, 2000.0));
    }
    if let Some(b) = p.before {
        let _ = write!(css, "margin-top:{:.1}px;", px(b).max(0.0));
    }
    if let Some(a) = p.after {
        let _ = write!(css, "margin-bottom:{:.1}px;", px(a).max(0.0));
    }
    match &p.line {
        Some((v, rule)) if rule == "auto" => {
            let _ = write!(
                css,
                "line-height:{:.2};",
                (v / 240.0).clamp(0.5, 10.0) * 1.3
            );
        }
        Some((v, _)) => {
            let _ = write!(css, "line-height:{:.1}px;", px(*v).clamp(1.0, 500.0));
        }
        None => {}
    }
    css
}

/// A list number in its format: 3 → `3`, `三`, `③`, `c`, `iii`.
pub(super) fn number_text(n: usize, format: &str) -> String {
    const CN: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match format {
        "chineseCounting"
        | "chineseCountingThousand"
        | "chineseLegalSimplified"
        | "taiwaneseCounting" => crate::template::chinese_number(n as u64),
        "ideographTraditional" => ["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬", "癸"]
            .get(n.wrapping_sub(1))
            .map_or_else(|| n.to_string(), |s| s.to_string()),
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" if (1..=20).contains(&n) => {
            char::from_u32(0x2460 + n as u32 - 1).map_or_else(|| n.to_string(), |c| c.to_string())
        }
        "decimalFullWidth" | "decimalFullWidth2" => n
            .to_string()
            .chars()
            .map(|c| char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap_or(c))
            .collect(),
        "lowerLetter" | "upperLetter" => {
            let base = if format == "lowerLetter" { b'a' } else { b'A' };
            let i = n.saturating_sub(1);
            let letter = (base + (i % 26) as u8) as char;
            letter.to_string().repeat(i / 26 + 1)
        }
        "lowerRoman" | "upperRoman" => {
            let r = roman(n);
            if format == "lowerRoman" {
                r.to_lowercase()
            } else {
                r
            }
        }
        "ideographDigital" => n
            .to_string()
            .chars()
            .map(|c| CN[c.to_digit(10).unwrap_or(0) as usize])
            .collect(),
        _ => n.to_string(),
    }
}

pub(super) fn roman(mut n: usize) -> String {
    const R: [(usize, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    if n == 0 || n > 3999 {
        return n.to_string();
    }
    let mut out = String::new();
    for (v, s) in R {
        while n >= v {
            out.push_str(s);
            n -= v;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_numbers_in_their_formats() {
        assert_eq!(number_text(3, "decimal"), "3");
        assert_eq!(number_text(12, "chineseCounting"), "十二");
        assert_eq!(number_text(2, "ideographTraditional"), "乙");
        assert_eq!(number_text(3, "decimalEnclosedCircle"), "③");
        assert_eq!(number_text(27, "lowerLetter"), "aa");
        assert_eq!(number_text(14, "upperRoman"), "XIV");
        assert_eq!(number_text(12, "decimalFullWidth"), "１２");
    }

    #[test]
    fn a_font_name_cannot_leave_its_css_string() {
        let css = run_css(&RunProps {
            east_asia: Some("宋体\";}</style><script>".into()),
            ..Default::default()
        });
        assert!(!css.contains('<') && !css.contains(";}"), "{css}");
    }
}
