//! Which face sets the text of a font a document names: a face of the set with that name, else
//! the built-in Song or sans face, each substitution remembered for the response.

use std::collections::{BTreeSet, HashMap};

use crate::render::fonts::FontSet;

/// Fonts a document asks for, and what sets them here.
pub(super) struct Faces<'f> {
    pub(super) fonts: &'f FontSet,
    /// Name → (the heading face?, a face of the set that is that font).
    known: HashMap<String, (bool, Option<u16>)>,
    /// Fonts not present, with the face that sets them instead.
    pub(super) substituted: BTreeSet<(String, String)>,
}

/// Other names fonts go by (a Chinese name and its Windows family name).
const ALIASES: [(&str, &str); 8] = [
    ("宋体", "simsun"),
    ("黑体", "simhei"),
    ("楷体", "kaiti"),
    ("仿宋", "fangsong"),
    ("微软雅黑", "microsoft yahei"),
    ("等线", "dengxian"),
    ("新宋体", "nsimsun"),
    ("方正小标宋", "fzxiaobiaosong"),
];

impl<'f> Faces<'f> {
    pub(super) fn new(fonts: &'f FontSet) -> Self {
        Faces {
            fonts,
            known: HashMap::new(),
            substituted: BTreeSet::new(),
        }
    }

    /// How text in font `name` is set: in the sans (heading) face or not, and in a face of the
    /// set that is that font when there is one.
    pub(super) fn of(&mut self, name: Option<&str>) -> (bool, Option<u16>) {
        let Some(name) = name.filter(|n| !n.trim().is_empty()) else {
            return (false, None);
        };
        if let Some(k) = self.known.get(name) {
            return *k;
        }
        let lower = name.to_lowercase();
        let mut names = vec![lower.clone()];
        for (a, b) in ALIASES {
            if lower.contains(a) {
                names.push(b.into());
            }
            if lower.contains(b) {
                names.push(a.into());
            }
        }
        let found = self.fonts.faces.iter().position(|f| {
            let family = f.name.rsplit(": ").next().unwrap_or("").to_lowercase();
            names.iter().any(|n| !family.is_empty() && family == *n)
        });
        let sans = [
            "黑",
            "雅黑",
            "等线",
            "yahei",
            "simhei",
            "dengxian",
            "arial",
            "helvetica",
            "sans",
            "calibri",
            "verdana",
            "tahoma",
        ]
        .iter()
        .any(|k| lower.contains(k));
        let result = (sans, found.and_then(|f| u16::try_from(f).ok()));
        if found.is_none() {
            let face = if sans {
                self.fonts.heading.unwrap_or(0)
            } else {
                0
            };
            let used = self.fonts.faces[face.min(self.fonts.faces.len() - 1)]
                .name
                .rsplit(": ")
                .next()
                .unwrap_or("")
                .to_string();
            self.substituted.insert((name.to_string(), used));
        }
        if self.known.len() < 256 {
            self.known.insert(name.to_string(), result);
        }
        result
    }
}

pub(super) fn is_east_asian(c: char) -> bool {
    matches!(c, '\u{2E80}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{FE30}'..='\u{FE4F}' | '\u{FF00}'..='\u{FFEF}' | '\u{20000}'..='\u{3FFFF}' | '\u{2018}'..='\u{201F}' | '\u{2026}' | '\u{2014}')
}
