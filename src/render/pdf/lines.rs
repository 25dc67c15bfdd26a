//! Line breaking: UAX #14 opportunities, Chinese rules (no closing punctuation at a line's
//! start, no opening one at its end), and words wider than the line broken rather than lost.

use std::collections::BTreeSet;

use super::layout::{Run, TextLine};
use crate::document::*;
use crate::render::fonts::FontSet;

/// Characters that may not begin a line (避头尾: 行首禁则).
pub const NO_LINE_START: &str = "，。、；：？！）》」』】〕〉”’…—·%‰,.;:?!)]}｝〗〙";
/// Characters that may not end a line (行尾禁则).
pub const NO_LINE_END: &str = "（《「『【〔〈“‘([{｛〖〘";

/// Breaks inline text into lines no wider than `max_w`.
pub fn wrap(
    spans: &[Span],
    size: f32,
    max_w: f32,
    fonts: &FontSet,
    missing: &mut BTreeSet<char>,
) -> Vec<TextLine> {
    // Flatten to characters with their boldness and width.
    let mut chars: Vec<(char, bool, f32)> = Vec::new();
    for s in spans {
        for c in s.text.chars() {
            if c == '\n' {
                chars.push((c, s.bold, 0.0));
                continue;
            }
            let p = fonts.place_styled(c, s.bold);
            if p.missing {
                missing.insert(c);
            }
            chars.push((c, s.bold, p.advance * size));
        }
    }
    let mut lines = Vec::new();
    for para in chars.split(|(c, _, _)| *c == '\n') {
        lines.extend(wrap_paragraph(para, max_w.max(size)));
    }
    if lines.is_empty() {
        lines.push(TextLine::default());
    }
    lines
}

fn wrap_paragraph(chars: &[(char, bool, f32)], max_w: f32) -> Vec<TextLine> {
    if chars.is_empty() {
        return vec![TextLine::default()];
    }
    let width = |a: usize, b: usize| chars[a..b].iter().map(|c| c.2).sum::<f32>();
    // Width without trailing spaces (they may hang past the margin invisibly).
    let visible = |a: usize, b: usize| {
        let mut e = b;
        while e > a && chars[e - 1].0.is_whitespace() {
            e -= 1;
        }
        width(a, e)
    };
    let mut breaks: Vec<(usize, usize)> = Vec::new(); // line ranges
    let (mut ls, mut le) = (0usize, 0usize);
    for (a, b) in segments(chars) {
        if le > ls && visible(ls, b) <= max_w {
            le = b;
            continue;
        }
        if le > ls {
            // 避头尾: closing punctuation does not open the next line, nor opening punctuation
            // end this one, while the line has a character to give: it goes along.
            let mut cut = le;
            while cut - ls > 1
                && (NO_LINE_START.contains(chars[cut].0) || NO_LINE_END.contains(chars[cut - 1].0))
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
        while visible(ls, le) > max_w {
            let mut e = ls + 1;
            while e < le && width(ls, e + 1) <= max_w {
                e += 1;
            }
            // Keep 行首/行尾 rules where the line has room to give.
            while e - ls > 1
                && e < le
                && (NO_LINE_START.contains(chars[e].0) || NO_LINE_END.contains(chars[e - 1].0))
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
    breaks.into_iter().map(|(a, b)| line(chars, a, b)).collect()
}

/// The stretches between UAX #14 break opportunities, as character index ranges.
fn segments(chars: &[(char, bool, f32)]) -> Vec<(usize, usize)> {
    let text: String = chars.iter().map(|c| c.0).collect();
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

/// The line of characters `[a, b)`, trailing spaces dropped, in runs of one weight.
fn line(chars: &[(char, bool, f32)], a: usize, mut b: usize) -> TextLine {
    while b > a && chars[b - 1].0.is_whitespace() {
        b -= 1;
    }
    let mut line = TextLine::default();
    for &(c, bold, w) in &chars[a..b] {
        match line.runs.last_mut() {
            Some(r) if r.bold == bold => {
                r.text.push(c);
                r.width += w;
            }
            _ => line.runs.push(Run {
                text: c.to_string(),
                bold,
                width: w,
            }),
        }
        line.width += w;
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str, w: f32) -> Vec<String> {
        let mut missing = BTreeSet::new();
        wrap(
            &[Span::plain(text)],
            10.0,
            w,
            FontSet::builtin(),
            &mut missing,
        )
        .iter()
        .map(TextLine::text)
        .collect()
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
                let set = wrap(&[Span::plain(t.as_str())], 10.0, w, FontSet::builtin(), &mut missing);
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
                let set: Vec<String> = wrap(&[Span::plain(t.as_str())], 10.0, w, FontSet::builtin(), &mut missing)
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
