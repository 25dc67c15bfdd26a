//! The nearest known name for a misspelt one (a field, an enumeration's value).

/// The known field closest to a misspelt one, if it is close enough to be a likely typo.
pub(crate) fn suggestion<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    // A long key is no typo of a field name, and comparing it would cost its length squared.
    if key.chars().count() > 40 {
        return None;
    }
    known
        .iter()
        .map(|k| (levenshtein(key, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Declares a closed set of values: English codes on the wire, Chinese labels accepted as
/// aliases on input and used when rendering.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_gets_a_suggestion() {
        assert_eq!(suggestion("titel", &["title", "project"]), Some("title"));
        assert_eq!(suggestion("zzzzzz", &["title"]), None);
    }
}
