//! Line breaking: UAX #14 opportunities, Chinese rules (no closing punctuation at a line's
//! start, no opening one at its end), and words wider than the line broken rather than lost.
//! And the spacing Chinese typesetting asks for: two adjacent full-width punctuation marks
//! take one and a half ems (标点挤压), a closing mark ending a line takes half an em, and Latin
//! letters or digits next to Chinese get a quarter-em of space (as Word's 中西文间距).

use std::collections::BTreeSet;

use super::layout::{Run, TextLine, TextStyle};
use crate::document::*;
use crate::render::fonts::FontSet;

/// Characters that may not begin a line (避头尾: 行首禁则).
pub const NO_LINE_START: &str = "，。、；：？！）》」』】〕〉”’…—·%‰,.;:?!)]}｝〗〙";
/// Characters that may not end a line (行尾禁则).
pub const NO_LINE_END: &str = "（《「『【〔〈“‘([{｛〖〘";
/// Full-width marks whose ink sits in the left half of the em: their right half can go.
pub const CLOSING: &str = "，。、；：？！）》」』】〕〉〗〙”’";
/// Full-width marks whose ink sits in the right half: their left half can go.
pub const OPENING: &str = "（《「『【〔〈〖〘“‘";

/// One character as set: its face, its natural width, and the width and offset it is set
/// with after the spacing rules (points).
#[derive(Debug, Clone, Copy)]
struct Ch {
    c: char,
    bold: bool,
    heading: bool,
    /// The size it is set in (points).
    size: f32,
    /// Which of the caller's styles it is in ([`Run::style`]).
    style: u32,
    /// The face asked for, before the set's own order.
    face: Option<u16>,
    /// Full-width punctuation is compressed (标点挤压) and a closing mark ends a line half
    /// an em wide.
    compress: bool,
    natural: f32,
    /// The natural width with the block's tracking: what a line's last character takes.
    tracked: f32,
    advance: f32,
    offset: f32,
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{3040}'..='\u{30FF}' | '\u{20000}'..='\u{3FFFF}')
}

/// A full-width punctuation mark of one kind, set a whole em wide.
fn full_width(ch: &Ch, kind: &str) -> bool {
    ch.compress && kind.contains(ch.c) && ch.natural > ch.size * 0.8
}

/// Breaks inline text into lines no wider than `max_w`, the first `indent` narrower (and set
/// that far in). Every line after a `\n` starts a paragraph, and is indented too.
pub fn wrap(
    spans: &[Span],
    style: TextStyle,
    max_w: f32,
    indent: f32,
    fonts: &FontSet,
    missing: &mut BTreeSet<char>,
) -> Vec<TextLine> {
    let size = style.size;
    let mut chars: Vec<Ch> = Vec::new();
    for s in spans {
        let heading = style.heading || s.bold;
        for c in s.text.chars() {
            let natural = if c == '\n' {
                0.0
            } else {
                let p = fonts.place_styled(c, heading);
                if p.missing {
                    missing.insert(c);
                }
                p.advance * size
            };
            let tracked = natural + if c == '\n' { 0.0 } else { style.tracking };
            chars.push(Ch {
                c,
                bold: s.bold,
                heading,
                size,
                style: 0,
                face: None,
                compress: true,
                natural,
                tracked,
                advance: tracked,
                offset: 0.0,
            });
        }
    }
    break_lines(&mut chars, max_w.max(size), indent)
}

/// One character of styled text for [`wrap_pieces`].
#[derive(Debug, Clone, Copy)]
pub struct Piece {
    pub c: char,
    pub size: f32,
    /// The caller's style, given back on each [`Run`].
    pub style: u32,
    pub bold: bool,
    pub heading: bool,
    pub face: Option<u16>,
    /// Points added to its advance.
    pub tracking: f32,
    /// Its advance when it is not a glyph (a tab, a picture).
    pub advance: Option<f32>,
}

/// Breaks characters of several sizes and styles into lines as [`wrap`] does; full-width
/// punctuation is compressed only when `compress` says so.
pub fn wrap_pieces(
    pieces: &[Piece],
    (max_w, indent): (f32, f32),
    compress: bool,
    fonts: &FontSet,
    missing: &mut BTreeSet<char>,
) -> Vec<TextLine> {
    let mut chars: Vec<Ch> = Vec::with_capacity(pieces.len());
    for p in pieces {
        let natural = match p.advance {
            Some(a) => a,
            None if p.c == '\n' => 0.0,
            None => {
                let placed = fonts.place_in(p.c, p.face, p.heading);
                if placed.missing {
                    missing.insert(p.c);
                }
                placed.advance * p.size
            }
        };
        let tracked = natural + if p.c == '\n' { 0.0 } else { p.tracking };
        chars.push(Ch {
            c: p.c,
            bold: p.bold,
            heading: p.heading,
            size: p.size,
            style: p.style,
            face: p.face,
            compress,
            natural,
            tracked,
            advance: tracked,
            offset: 0.0,
        });
    }
    break_lines(&mut chars, max_w.max(1.0), indent)
}

fn break_lines(chars: &mut [Ch], max_w: f32, indent: f32) -> Vec<TextLine> {
    let mut lines = Vec::new();
    for para in chars.split_mut(|ch| ch.c == '\n') {
        space(para);
        lines.extend(wrap_paragraph(para, max_w, indent));
    }
    if lines.is_empty() {
        lines.push(TextLine::default());
    }
    lines
}

/// The spacing rules within a paragraph: adjacent full-width marks compressed, a quarter-em
/// between Chinese and Latin letters or digits.
fn space(chars: &mut [Ch]) {
    for i in 1..chars.len() {
        let (a, b) = (chars[i - 1], chars[i]);
        let punct = |ch: &Ch| full_width(ch, CLOSING) || full_width(ch, OPENING);
        if punct(&a) && punct(&b) {
            if full_width(&a, CLOSING) {
                chars[i - 1].advance -= a.natural / 2.0;
            } else if full_width(&b, OPENING) {
                chars[i].advance -= b.natural / 2.0;
                chars[i].offset -= b.natural / 2.0;
            }
        }
        if spaced(a.c, b.c) {
            chars[i - 1].advance += a.size.min(b.size) / 4.0;
        }
    }
}

/// Whether a quarter-em goes between two characters: Chinese next to a Latin letter or digit.
pub fn spaced(a: char, b: char) -> bool {
    let latin = |c: char| c.is_ascii_alphanumeric();
    (is_cjk(a) && latin(b)) || (latin(a) && is_cjk(b))
}

fn wrap_paragraph(chars: &[Ch], max_w: f32, indent: f32) -> Vec<TextLine> {
    if chars.is_empty() {
        return vec![TextLine {
            indent,
            ..TextLine::default()
        }];
    }
    let width = |a: usize, b: usize| chars[a..b].iter().map(|c| c.advance).sum::<f32>();
    // Width without trailing spaces (they may hang past the margin invisibly), and with a
    // closing mark at the end taking half an em, as it is set there.
    let visible = |a: usize, b: usize| {
        let mut e = b;
        while e > a && chars[e - 1].c.is_whitespace() {
            e -= 1;
        }
        if e == a {
            return 0.0;
        }
        let last = &chars[e - 1];
        let end = if full_width(last, CLOSING) {
            last.tracked - last.natural / 2.0 - last.offset
        } else {
            last.tracked
        };
        width(a, e - 1) + end
    };
    let mut breaks: Vec<(usize, usize)> = Vec::new(); // line ranges
                                                      // (A hundredth of a point to spare: a text block made to hold so many characters.)
    let limit = |breaks: &Vec<(usize, usize)>| {
        if breaks.is_empty() {
            (max_w - indent).max(chars[0].size) + 0.01
        } else {
            max_w + 0.01
        }
    };
    let (mut ls, mut le) = (0usize, 0usize);
    for (a, b) in segments(chars) {
        if le > ls && visible(ls, b) <= limit(&breaks) {
            le = b;
            continue;
        }
        if le > ls {
            // 避头尾: closing punctuation does not open the next line, nor opening punctuation
            // end this one, while the line has a character to give: it goes along.
            let mut cut = le;
            while cut - ls > 1
                && (NO_LINE_START.contains(chars[cut].c) || NO_LINE_END.contains(chars[cut - 1].c))
            {
                cut -= 1;
            }
            breaks.push((ls, cut));
            ls = cut;
        } else {
            ls = a;
        }
        le = b;
        // A segment wider than the line is broken between characters.
        while visible(ls, le) > limit(&breaks) {
            let max = limit(&breaks);
            let mut e = ls + 1;
            while e < le && visible(ls, e + 1) <= max {
                e += 1;
            }
            // Keep 行首/行尾 rules where the line has room to give.
            while e - ls > 1
                && e < le
                && (NO_LINE_START.contains(chars[e].c) || NO_LINE_END.contains(chars[e - 1].c))
            {
                e -= 1;
            }
            breaks.push((ls, e));
            ls = e;
        }
    }
    if le > ls {
        breaks.push((ls, le));
    }
    breaks
        .into_iter()
        .enumerate()
        .map(|(i, (a, b))| line(chars, a, b, if i == 0 { indent } else { 0.0 }))
        .collect()
}

/// The stretches between UAX #14 break opportunities, as character index ranges.
fn segments(chars: &[Ch]) -> Vec<(usize, usize)> {
    let text: String = chars.iter().map(|c| c.c).collect();
    // Byte offsets → char indices.
    let mut char_at_byte = vec![0usize; text.len() + 1];
    let mut n = 0;
    for (b, _) in text.char_indices() {
        char_at_byte[b] = n;
        n += 1;
    }
    char_at_byte[text.len()] = n;
    let mut segments: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    for (b, _) in unicode_linebreak::linebreaks(&text) {
        let end = char_at_byte[b];
        if end > start {
            segments.push((start, end));
        }
        start = end;
    }
    if start < chars.len() {
        segments.push((start, chars.len()));
    }
    segments
}

/// The line of characters `[a, b)`, trailing spaces dropped, in runs of one face and weight;
/// its last character set as a line's end is (a closing mark half an em, no space after).
fn line(chars: &[Ch], a: usize, mut b: usize, indent: f32) -> TextLine {
    while b > a && chars[b - 1].c.is_whitespace() {
        b -= 1;
    }
    let mut line = TextLine {
        indent,
        ..TextLine::default()
    };
    for (i, ch) in chars[a..b].iter().enumerate() {
        let mut advance = ch.advance;
        if a + i + 1 == b {
            advance = if full_width(ch, CLOSING) {
                ch.tracked - ch.natural / 2.0
            } else {
                ch.tracked
            };
        }
        match line.runs.last_mut() {
            Some(r)
                if r.bold == ch.bold
                    && r.heading == ch.heading
                    && r.style == ch.style
                    && r.face == ch.face =>
            {
                r.text.push(ch.c);
                r.width += advance;
                r.advances.push((advance, ch.offset));
            }
            _ => line.runs.push(Run {
                text: ch.c.to_string(),
                bold: ch.bold,
                heading: ch.heading,
                style: ch.style,
                face: ch.face,
                width: advance,
                advances: vec![(advance, ch.offset)],
            }),
        }
        line.width += advance;
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str, w: f32) -> Vec<String> {
        set(text, w).iter().map(TextLine::text).collect()
    }

    #[test]
    fn chinese_breaks_between_characters_and_keeps_punctuation_off_line_starts() {
        let text = "根据用户调研数据，70%目标用户更关注短视频渠道，建议优先投入。主持人引导各方明确分歧本质。";
        for w in [40.0, 55.0, 73.0, 101.0, 150.0] {
            let ls = lines(text, w);
            assert_eq!(ls.concat(), text, "text lost at width {w}");
            for l in &ls[1..] {
                let first = l.chars().next().unwrap();
                assert!(
                    !NO_LINE_START.contains(first),
                    "line starts with {first} at width {w}: {ls:?}"
                );
            }
        }
    }

    fn set(text: &str, w: f32) -> Vec<TextLine> {
        let mut missing = BTreeSet::new();
        wrap(
            &[Span::plain(text)],
            TextStyle::new(10.0, [0; 3]),
            w,
            0.0,
            FontSet::builtin(),
            &mut missing,
        )
    }

    #[test]
    fn adjacent_full_width_marks_take_one_and_a_half_ems() {
        let text = "他说：“好。”然后（注），结束。」（「再议」）。";
        let line = &set(text, 1000.0)[0];
        let chars: Vec<char> = text.chars().collect();
        let advances: Vec<f32> = line
            .runs
            .iter()
            .flat_map(|r| r.advances.iter().map(|a| a.0))
            .collect();
        assert_eq!(advances.len(), chars.len());
        let punct = |c: char| CLOSING.contains(c) || OPENING.contains(c);
        let mut pairs = 0;
        for i in 1..chars.len() {
            if punct(chars[i - 1]) && punct(chars[i]) {
                pairs += 1;
                let w = advances[i - 1] + advances[i];
                assert!(w <= 15.0 + 0.01, "{}{} take {w}", chars[i - 1], chars[i]);
            }
        }
        assert!(pairs >= 5);
    }

    #[test]
    fn latin_and_digits_next_to_chinese_get_a_quarter_em_and_a_line_end_gives_its_half() {
        let line = &set("第3季度Q3", 1000.0)[0];
        let advances: Vec<f32> = line
            .runs
            .iter()
            .flat_map(|r| r.advances.iter().map(|a| a.0))
            .collect();
        // 第 → 3 → 季 … 度 → Q: a quarter-em after 第, after 3 and after 度.
        assert!((advances[0] - 12.5).abs() < 0.01, "{advances:?}");
        assert!(advances[1] > FontSet::builtin().place('3').advance * 10.0 + 2.49);
        // A closing mark at a line's end takes half an em.
        let ls = set("甲甲甲甲。乙乙", 45.0);
        assert_eq!(ls[0].text(), "甲甲甲甲。", "{ls:?}");
        assert!(ls[0].width <= 45.0 + 0.01);
    }

    #[test]
    fn latin_words_and_numbers_stay_whole() {
        let ls = lines("budget 50000 yuan for Q3 campaign", 60.0);
        assert!(ls.iter().any(|l| l.contains("50000")), "{ls:?}");
    }

    #[test]
    fn a_word_wider_than_the_line_is_broken_not_lost() {
        let word = "x".repeat(300);
        let ls = lines(&word, 50.0);
        assert!(ls.len() > 1);
        assert_eq!(ls.concat(), word);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// Text of Chinese, Latin words, digits, spaces and the punctuation the rules are about.
        fn text() -> impl Strategy<Value = String> {
            let pieces = prop_oneof![
                Just("协".to_string()),
                Just("调研数据".to_string()),
                Just("collaboration".to_string()),
                Just("2026".to_string()),
                Just(" ".to_string()),
                prop::sample::select(NO_LINE_START.chars().collect::<Vec<_>>())
                    .prop_map(String::from),
                prop::sample::select(NO_LINE_END.chars().collect::<Vec<_>>())
                    .prop_map(String::from),
                Just("W".repeat(30)),
            ];
            prop::collection::vec(pieces, 1..40).prop_map(|p| p.concat())
        }

        fn visible(s: &str) -> String {
            s.chars().filter(|c| !c.is_whitespace()).collect()
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

            #[test]
            fn no_character_is_lost_and_no_line_is_too_wide(t in text(), w in 20.0f32..300.0) {
                let mut missing = BTreeSet::new();
                let set = wrap(&[Span::plain(t.as_str())], TextStyle::new(10.0, [0; 3]), w, 0.0, FontSet::builtin(), &mut missing);
                let joined: String = set.iter().map(TextLine::text).collect();
                prop_assert_eq!(visible(&joined), visible(&t));
                for l in &set {
                    prop_assert!(
                        l.width <= w + 0.01 || l.text().chars().count() == 1,
                        "{:?} is {} wide, more than {}", l.text(), l.width, w
                    );
                }
            }

            #[test]
            fn closing_punctuation_opens_no_line_that_could_give_way(t in text(), w in 20.0f32..300.0) {
                let mut missing = BTreeSet::new();
                let set: Vec<String> = wrap(&[Span::plain(t.as_str())], TextStyle::new(10.0, [0; 3]), w, 0.0, FontSet::builtin(), &mut missing)
                    .iter()
                    .map(TextLine::text)
                    .collect();
                for pair in set.windows(2) {
                    let first = pair[1].chars().next();
                    if first.is_some_and(|c| NO_LINE_START.contains(c)) {
                        // Only where the line before had nothing to give: one character at most.
                        prop_assert!(pair[0].chars().count() <= 1, "{:?}", set);
                    }
                }
            }
        }
    }
}
