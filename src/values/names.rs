//! File names made from payload text.

use crate::values::clean_text;

/// Cleans a string for use in a file name: no path separators, no control characters.
pub fn safe_file_stem(s: &str) -> String {
    file_name_stem(s, 60)
}

/// A file name (or stem) any file system and any unzip takes, at most `max` characters: no
/// path separators or characters Windows refuses, no control, format or bidirectional
/// characters (a U+202E could make `exe.pdf` read as `fdp.exe`), no leading or trailing
/// dots and spaces, and never a Windows device name (`CON`, `com1.txt`): those get a `_`.
pub fn file_name_stem(s: &str, max: usize) -> String {
    let cleaned: String = clean_text(s)
        .chars()
        .filter(|c| !is_format_char(*c))
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' | '\n' | '\t' => '_',
            c => c,
        })
        .collect();
    let trim = |s: &str| {
        s.trim_matches(|c: char| c == '.' || c.is_whitespace())
            .to_string()
    };
    let short: String = trim(&cleaned).chars().take(max).collect();
    let short = trim(&short);
    if short.is_empty() {
        return "document".to_string();
    }
    let device = short
        .split('.')
        .next()
        .unwrap_or("")
        .trim_end()
        .to_ascii_uppercase();
    let reserved = matches!(device.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (device.len() == 4
            && (device.starts_with("COM") || device.starts_with("LPT"))
            && device.as_bytes()[3].is_ascii_digit());
    if reserved {
        format!("_{short}")
    } else {
        short
    }
}

/// Unicode format characters (category Cf: bidirectional controls, zero-width characters,
/// the BOM, tag characters) and other invisible ones that have no place in a file name.
fn is_format_char(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x061C | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180B..=0x180F
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
        | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFFB | 0x1D173..=0x1D17A | 0xE0000..=0xE0FFF)
        || (c as u32) >= 0x80 && (c as u32) < 0xA0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems_cannot_escape_a_directory() {
        assert_eq!(safe_file_stem("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(safe_file_stem("  "), "document");
    }

    #[test]
    fn file_names_lose_format_characters_and_never_name_a_device() {
        assert_eq!(safe_file_stem("报告\u{202E}fdp.exe"), "报告fdp.exe");
        assert_eq!(safe_file_stem("a\u{200B}b\u{FEFF}c"), "abc");
        assert_eq!(safe_file_stem("con"), "_con");
        assert_eq!(safe_file_stem("CON.txt"), "_CON.txt");
        assert_eq!(safe_file_stem("com1"), "_com1");
        assert_eq!(safe_file_stem("Lpt9.tar"), "_Lpt9.tar");
        assert_eq!(safe_file_stem("console"), "console");
        assert_eq!(safe_file_stem("name. . "), "name");
        assert_eq!(file_name_stem(&"长".repeat(500), 120).chars().count(), 120);
    }
}
