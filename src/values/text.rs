//! Text as documents take it: no characters XML forbids, one kind of newline.

/// The pattern that refuses blank text: at least one character that is neither white space
/// nor one [`clean_text`] removes.
pub const NOT_BLANK: &str = r"[^\s\x00-\x1F\x7F\uFFFE\uFFFF]";

/// Removes the characters XML 1.0 forbids (C0 controls other than tab, LF and CR; U+FFFE/U+FFFF)
/// so no format can be corrupted by them. CRLF and CR become LF.
pub fn clean_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            c if removed(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Whether [`clean_text`] would change `s` (most text it would not, and is kept as it is).
pub fn needs_cleaning(s: &str) -> bool {
    // By bytes first, without branches: a control character is one byte below 0x20 (or 0x7F);
    // U+FFFE and U+FFFF are EF BF BE and EF BF BF, and most text has no 0xEF byte at all.
    let suspect = s.bytes().fold(false, |found, b| {
        found | ((b < 0x20) & (b != b'\t') & (b != b'\n')) | (b == 0x7F) | (b == 0xEF)
    });
    suspect && s.chars().any(|c| c == '\r' || removed(c))
}

/// Whether [`clean_text`] leaves nothing of `s` but white space.
pub fn is_blank(s: &str) -> bool {
    s.chars().all(|c| c.is_whitespace() || removed(c))
}

/// A character [`clean_text`] removes.
fn removed(c: char) -> bool {
    ((c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(c, '\u{7f}' | '\u{FFFE}' | '\u{FFFF}')
}

/// Escapes text for XML content and attribute values. Only `& < > " '` are entities; a data
/// newline becomes `&#10;` so the markup parser can tell it from template layout.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Text for HTML: the five characters with a meaning there written as references.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_xml_characters_are_removed_and_newlines_normalised() {
        assert_eq!(
            clean_text("a\u{0}b\u{1}c\u{b}d\r\ne\rf\tg"),
            "abcd\ne\nf\tg"
        );
    }
}
