//! File names inside a batch: safe for any file system, unique within the ZIP.

use std::collections::HashSet;

/// A file name safe to put in a ZIP or a directory: no path separators, no `..`, no control
/// characters, the right extension, at most 120 characters.
pub fn safe_filename(wanted: &str, ext: &str) -> String {
    let base = wanted.rsplit(['/', '\\']).next().unwrap_or("");
    let mut stem = base
        .trim_matches(|c: char| c == '.' || c.is_whitespace())
        .replace("..", "_");
    let dotted = format!(".{ext}");
    if stem.to_lowercase().ends_with(&dotted) {
        stem.truncate(stem.len() - dotted.len());
    }
    format!("{}.{ext}", crate::values::file_name_stem(&stem, 120))
}

/// Numbers a name that is already taken: `a.pdf`, `a (2).pdf`, `a (3).pdf` …
pub(super) fn unique(name: String, taken: &mut HashSet<String>) -> String {
    if taken.insert(name.to_lowercase()) {
        return name;
    }
    let (stem, ext) = name.rsplit_once('.').unwrap_or((&name, ""));
    for n in 2.. {
        let candidate = format!("{stem} ({n}).{ext}");
        if taken.insert(candidate.to_lowercase()) {
            return candidate;
        }
    }
    unreachable!("some number is free")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filenames_from_callers_cannot_escape() {
        assert_eq!(safe_filename("../../etc/passwd", "pdf"), "passwd.pdf");
        assert_eq!(safe_filename("..\\..\\win.ini", "docx"), "win.ini.docx");
        assert_eq!(safe_filename("周报.PDF", "pdf"), "周报.pdf");
        assert_eq!(safe_filename("a..b", "pdf"), "a_b.pdf");
        assert_eq!(safe_filename("", "pdf"), "document.pdf");
        assert_eq!(safe_filename("..", "pdf"), "document.pdf");
        assert_eq!(safe_filename("con", "pdf"), "_con.pdf");
        assert_eq!(safe_filename("nul.pdf", "pdf"), "_nul.pdf");
        assert_eq!(safe_filename("a\u{202E}b. ", "pdf"), "ab.pdf");
    }

    #[test]
    fn collisions_are_numbered() {
        let mut taken = HashSet::new();
        assert_eq!(unique("a.pdf".into(), &mut taken), "a.pdf");
        assert_eq!(unique("A.pdf".into(), &mut taken), "A (2).pdf");
        assert_eq!(unique("a.pdf".into(), &mut taken), "a (3).pdf");
    }
}
