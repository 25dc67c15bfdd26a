//! Rows a block repeats: the row after a loop's last, and vertical merges carried across
//! the repeated rows so one cell spans every item.

use super::super::xml::{Emit, Node};
use super::{get, get_mut};

/// The next row of the table after the row at `path`.
pub(super) fn next_row(tree: &[Node], path: &[usize]) -> Option<Vec<usize>> {
    let (last, parent) = path.split_last()?;
    let siblings = &get(tree, parent).children;
    (last + 1..siblings.len())
        .find(|i| matches!(&siblings[*i], Node::El(e) if e.name == "w:tr"))
        .map(|i| [parent, &[i]].concat())
}

/// The vertical merges of a row, by the grid column each cell starts at: `Some(true)` starts a
/// merge, `Some(false)` continues one, with the path of its `w:vMerge`.
fn vmerges(tree: &[Node], row: &[usize]) -> Vec<(usize, bool, Vec<usize>)> {
    let mut out = Vec::new();
    let mut column = 0;
    for (i, n) in get(tree, row).children.iter().enumerate() {
        let Node::El(tc) = n else { continue };
        if tc.name != "w:tc" {
            continue;
        }
        let mut span = 1;
        for (j, m) in tc.children.iter().enumerate() {
            let Node::El(pr) = m else { continue };
            if pr.name != "w:tcPr" {
                continue;
            }
            for (k, c) in pr.children.iter().enumerate() {
                let Node::El(c) = c else { continue };
                match c.name.as_str() {
                    "w:gridSpan" => {
                        span = c
                            .attr("w:val")
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(1)
                            .clamp(1, 64)
                    }
                    "w:vMerge" => {
                        let restart = c.attr("w:val").as_deref() == Some("restart");
                        out.push((column, restart, [row, &[i, j, k]].concat()));
                    }
                    _ => {}
                }
            }
        }
        column += span;
    }
    out
}

/// Vertical merges across repeated rows: a cell whose merge starts in the first repeated row
/// and goes on in the row after the loop starts it only in the first repetition and continues
/// it in the others, so one cell spans every item and the row after (Word's `restart`
/// repeated would start a new merge in each copy).
pub(super) fn merge_across(tree: &mut [Node], first: &[usize], last: &[usize]) {
    let Some(after) = next_row(tree, last) else {
        return;
    };
    let continued: Vec<usize> = vmerges(tree, &after)
        .into_iter()
        .filter(|(_, restart, _)| !restart)
        .map(|(column, _, _)| column)
        .collect();
    for (column, restart, path) in vmerges(tree, first) {
        if restart && continued.contains(&column) {
            let el = get_mut(tree, &path);
            el.dropped = true;
            el.before.push(Emit::Raw(format!(
                "{{{{#if @first}}}}{}{{{{else}}}}<w:vMerge/>{{{{/if}}}}",
                el.start
            )));
            // The cell's text is written once; the copies that continue it hold an empty
            // paragraph, as Word writes them.
            let cell = get_mut(tree, &path[..path.len() - 2]);
            let content: Vec<usize> = (0..cell.children.len())
                .filter(|i| matches!(&cell.children[*i], Node::El(e) if e.name != "w:tcPr"))
                .collect();
            if let (Some(&a), Some(&b)) = (content.first(), content.last()) {
                if let Node::El(e) = &mut cell.children[a] {
                    e.before.insert(0, Emit::Raw("{{#if @first}}".into()));
                }
                if let Node::El(e) = &mut cell.children[b] {
                    e.after.push(Emit::Raw("{{else}}<w:p/>{{/if}}".into()));
                }
            }
        }
    }
}
