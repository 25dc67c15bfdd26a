//! A sheet filled: its rows written once, or once per item of a loop, in order; each tagged
//! cell rendered in its item's context and typed where it holds one value; rows hidden by
//! their conditions; formulas, merges and ranges following the rows.

use std::collections::HashMap;

use serde_json::Value;

use super::follow::{range_rows, remove_attr, rewrite_ranges, serialize, set_attr};
use super::refs::{self, RowMap, Within};
use super::sheet::{row_number, Sheet};
use super::{part_fault, repeat, ExcelTemplate, Item};
use crate::word::xml::{self, Element, Node};
use crate::word::Fault;

impl ExcelTemplate {
    /// Renders a cell's template against the view, inside item `k` of `n` of a loop when
    /// given: the item is the context (`{{task}}`), `@index`, `@first` and `@last` are set and
    /// `@root` is the whole view, as inside `{{#each}}`.
    pub(super) fn render(
        &self,
        name: &str,
        view: &handlebars::Context,
        items: &[Item],
    ) -> Result<String, Fault> {
        use handlebars::Renderable;
        let fault = |message: String| Fault::Tag {
            part: name.split('#').next().unwrap_or(name).to_string(),
            paragraph: String::new(),
            tag: String::new(),
            message,
        };
        let template = self
            .hb
            .get_template(name)
            .ok_or_else(|| fault("is not compiled".into()))?;
        let mut rc = handlebars::RenderContext::new(None);
        for &(value, k, n) in items {
            let mut block = handlebars::BlockContext::new();
            block.set_base_value(value.clone());
            block.set_local_var("index", Value::from(k));
            block.set_local_var("first", Value::from(k == 0));
            block.set_local_var("last", Value::from(k + 1 == n));
            rc.push_block(block);
        }
        let mut out = handlebars::StringOutput::new();
        template
            .render(&self.hb, view, &mut rc, &mut out)
            .map_err(|e| fault(e.reason().to_string()))?;
        out.into_string().map_err(|e| fault(e.to_string()))
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn fill_sheet(
        &self,
        inst: &repeat::Instance,
        lists: &[Vec<Value>],
        view: &Value,
        root: &handlebars::Context,
        maps: &HashMap<String, RowMap>,
        renames: &[(String, String)],
    ) -> Result<String, Fault> {
        let s = &self.sheets[inst.sheet];
        let mut tree = xml::parse(&s.src).map_err(|m| part_fault(&s.part, m))?;
        let map = &maps[&inst.name];
        // The sheet's own item (a repeated sheet), then a loop's.
        let sheet_item: Vec<(&Value, usize, usize)> =
            inst.item.iter().map(|(v, k, n)| (v, *k, *n)).collect();
        let sheet_context = inst.item.as_ref().map_or(view, |(v, _, _)| v);
        // The data lands on this sheet: the saved results of its formulas may be stale.
        let data_sheet = !s.cells.is_empty() || !s.loops.is_empty();
        // A repeated sheet over no items is written once, its tags empty.
        let empty_sheet = s.repeat.is_some() && inst.item.is_none();
        let mut shown: HashMap<(usize, Option<usize>), bool> = HashMap::new();
        let mut cell_at: HashMap<(usize, usize), usize> = HashMap::new();
        for (i, c) in s.cells.iter().enumerate() {
            cell_at.insert((c.row, c.cell), i);
        }
        let Some(ws) = tree.iter_mut().find_map(|n| match n {
            Node::El(e) => Some(e),
            _ => None,
        }) else {
            return Err(part_fault(&s.part, "is empty"));
        };
        for e in ws.children.iter_mut() {
            let Node::El(e) = e else { continue };
            match e.name.as_str() {
                "sheetData" => {
                    let rows = std::mem::take(&mut e.children);
                    let mut out = Vec::with_capacity(rows.len());
                    for (ri, n) in rows.iter().enumerate() {
                        let Node::El(row) = n else {
                            out.push(n.clone());
                            continue;
                        };
                        let Some(r) = row_number(row) else {
                            out.push(n.clone());
                            continue;
                        };
                        let (copies, list) = match map.block_of(r) {
                            Some(b) => (map.blocks[b].copies, Some((b, &lists[b]))),
                            None => (1, None),
                        };
                        for k in 0..copies {
                            let new_r = map.in_copy(r, k);
                            let item = list.and_then(|(_, l)| l.get(k as usize));
                            let within = list.map(|(b, _)| Within { block: b, copy: k });
                            let context = item.unwrap_or(sheet_context);
                            let mut copy = row.clone();
                            copy.start = set_attr(&copy.start, "r", &new_r.to_string());
                            let n = list.map_or(0, |(_, l)| l.len());
                            let mut stack = sheet_item.clone();
                            stack.extend(item.map(|it| (it, k as usize, n)));
                            let hidden = !empty_sheet
                                && self.hidden(
                                    s,
                                    r,
                                    list.map(|(b, _)| b),
                                    (&sheet_item, &stack, item.is_some()),
                                    root,
                                    &mut shown,
                                )?;
                            if hidden {
                                copy.start = set_attr(&copy.start, "hidden", "1");
                            }
                            for (ci, c) in copy.children.iter_mut().enumerate() {
                                let Node::El(c) = c else { continue };
                                if c.name != "c" {
                                    continue;
                                }
                                let col = c
                                    .attr("r")
                                    .map(|a| {
                                        a.trim_end_matches(|ch: char| ch.is_ascii_digit())
                                            .to_string()
                                    })
                                    .unwrap_or_default();
                                if !col.is_empty() {
                                    c.start = set_attr(&c.start, "r", &format!("{col}{new_r}"));
                                }
                                if let Some(&ti) = cell_at.get(&(ri, ci)) {
                                    let tc = &s.cells[ti];
                                    let in_empty_loop =
                                        hidden || empty_sheet || (list.is_some() && item.is_none());
                                    let text = if in_empty_loop {
                                        String::new()
                                    } else {
                                        self.render(&format!("{}#{ti}", s.part), root, &stack)?
                                    };
                                    let computed;
                                    let typed = if in_empty_loop {
                                        None
                                    } else {
                                        match tc.single.as_deref() {
                                            Some(e) => match lookup(view, context, e) {
                                                Some(v) => Some(v),
                                                // A helper's number (`{{inc @index}}`).
                                                None => {
                                                    computed = helper_number(&text);
                                                    computed.as_ref()
                                                }
                                            },
                                            None => None,
                                        }
                                    };
                                    fill_cell(c, &text, typed);
                                } else {
                                    // A formula follows the rows. Its saved result is
                                    // dropped where it may be stale — it moved, it is on a
                                    // sheet the data fills, or it reads another sheet — and
                                    // the workbook recalculates on open (simple totals get
                                    // their value back from the data, see `cached`).
                                    let mut changed = false;
                                    for f in c.children.iter_mut() {
                                        let Node::El(f) = f else { continue };
                                        if f.name == "f" {
                                            let old = f.text();
                                            let new = refs::rewrite(
                                                &repeat::renamed(&old, renames),
                                                &inst.name,
                                                maps,
                                                within,
                                            );
                                            if new != old {
                                                f.children = vec![Node::Text(xml::escape(&new))];
                                            }
                                            changed |=
                                                data_sheet || new != old || old.contains('!');
                                            if let Some(r) = f.attr("ref") {
                                                f.start = set_attr(
                                                    &f.start,
                                                    "ref",
                                                    &refs::rewrite(&r, &inst.name, maps, within),
                                                );
                                            }
                                        }
                                    }
                                    if changed {
                                        c.children
                                            .retain(|n| !matches!(n, Node::El(v) if v.name == "v"));
                                        // A text, error or boolean result type goes with it.
                                        if matches!(c.attr("t").as_deref(), Some("str" | "e" | "b"))
                                        {
                                            c.start = remove_attr(&c.start, "t");
                                        }
                                    }
                                }
                            }
                            out.push(Node::El(copy));
                        }
                    }
                    // A block of several rows is written copy after copy: rows in order.
                    out.retain(|n| matches!(n, Node::El(_)));
                    out.sort_by_key(|n| match n {
                        Node::El(row) => row_number(row).unwrap_or(0),
                        _ => 0,
                    });
                    e.children = out;
                }
                "mergeCells" => {
                    let merges = std::mem::take(&mut e.children);
                    let mut out = Vec::new();
                    for n in merges {
                        let Node::El(m) = &n else {
                            out.push(n);
                            continue;
                        };
                        let Some(range) = m.attr("ref") else { continue };
                        let rows = range_rows(&range);
                        // A merge inside a repeated block is repeated with it; any other
                        // follows the rows.
                        let block = rows.and_then(|(a, b)| {
                            map.block_of(a).filter(|bl| map.block_of(b) == Some(*bl))
                        });
                        let copies: Vec<Option<Within>> = match block {
                            Some(b) => (0..map.blocks[b].copies)
                                .map(|k| Some(Within { block: b, copy: k }))
                                .collect(),
                            None => vec![None],
                        };
                        for w in copies {
                            let mut copy = m.clone();
                            copy.start = set_attr(
                                &m.start,
                                "ref",
                                &refs::rewrite(&range, &inst.name, maps, w),
                            );
                            out.push(Node::El(copy));
                        }
                    }
                    let count = out.iter().filter(|n| matches!(n, Node::El(_))).count();
                    e.start = set_attr(&e.start, "count", &count.to_string());
                    e.children = out;
                }
                _ => rewrite_ranges(e, &inst.name, maps),
            }
        }
        if inst.copy > 0 {
            repeat::strip_copy(ws);
        }
        let out = serialize(&tree);
        Ok(out)
    }

    /// Whether template row `r` is hidden by a condition over rows: a condition inside the
    /// row's loop (`block`) is read for its item, any other for the whole view; each read once.
    fn hidden(
        &self,
        s: &Sheet,
        r: u32,
        block: Option<usize>,
        (sheet, stack, has_item): (&[Item], &[Item], bool),
        root: &handlebars::Context,
        shown: &mut HashMap<(usize, Option<usize>), bool>,
    ) -> Result<bool, Fault> {
        for (ci, c) in s.conds.iter().enumerate() {
            if !(c.first..=c.last).contains(&r) {
                continue;
            }
            let in_loop = block.is_some_and(|b| {
                let l = &s.loops[b];
                c.first >= l.first && c.last <= l.last
            });
            let (key, items) = match (in_loop, has_item) {
                (true, true) => ((ci, stack.last().map(|it| it.1)), stack),
                // A loop over no items keeps its rows, emptied and shown.
                (true, false) => continue,
                (false, _) => ((ci, None), sheet),
            };
            let show = match shown.get(&key) {
                Some(v) => *v,
                None => {
                    let v = self.render(&format!("{}#if{ci}", s.part), root, items)? == "1";
                    shown.insert(key, v);
                    v
                }
            };
            if !show {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// A value tag's value, for a typed cell: a simple path from the context (`this`, `a.b`,
/// `@root.doc.x`), else none.
pub(super) fn lookup<'v>(root: &'v Value, context: &'v Value, path: &str) -> Option<&'v Value> {
    let (mut at, rest) = match path.strip_prefix("@root.") {
        Some(rest) => (root, rest),
        None => (context, path),
    };
    if rest == "this" {
        return Some(at);
    }
    let rest = rest.strip_prefix("this.").unwrap_or(rest);
    for seg in rest.split('.') {
        if seg.is_empty() || seg.contains(|c: char| c.is_whitespace() || c == '(' || c == '"') {
            return None;
        }
        at = match at {
            Value::Object(o) => o.get(seg)?,
            Value::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(at)
}

/// The number a helper wrote (`{{inc @index}}` → `3`), when its text is a number written the
/// way a number is written: no leading zeros, no sign but `-`, no exponent, at most 15 digits.
/// Anything else (`007`, `1e3`, ` 5`) stays the text it is.
fn helper_number(text: &str) -> Option<Value> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let plain = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty()
        || !plain(whole)
        || !plain(frac)
        || (whole.len() > 1 && whole.starts_with('0'))
        || (digits.contains('.') && (frac.is_empty() || frac.ends_with('0')))
        || whole.len() + frac.len() > 15
    {
        return None;
    }
    let n: f64 = text.parse().ok()?;
    serde_json::Number::from_f64(n).map(|n| {
        if frac.is_empty() {
            Value::from(text.parse::<i64>().unwrap_or(0))
        } else {
            Value::Number(n)
        }
    })
}

/// Writes a filled cell: a typed value where the cell held one value tag, else an inline
/// string. Data never becomes a formula: text is always text.
fn fill_cell(c: &mut Element, text: &str, typed: Option<&Value>) {
    let number = |v: &str, c: &mut Element| {
        c.start = remove_attr(&set_attr(&c.start, "t", "n"), "t");
        c.children = vec![Node::El(Element {
            name: "v".into(),
            start: "<v>".into(),
            end: Some("</v>".into()),
            children: vec![Node::Text(v.to_string())],
            ..Element::default()
        })];
    };
    match typed {
        Some(Value::Number(n)) => return number(&n.to_string(), c),
        Some(Value::Bool(b)) => {
            number(if *b { "1" } else { "0" }, c);
            c.start = set_attr(&c.start, "t", "b");
            return;
        }
        Some(Value::String(s)) => {
            if let Some(d) = crate::values::Date::parse(s) {
                return number(&(d.days() + 25_569).to_string(), c);
            }
        }
        _ => {}
    }
    c.start = set_attr(&c.start, "t", "inlineStr");
    c.children = vec![Node::Other(format!(
        "<is><t xml:space=\"preserve\">{}</t></is>",
        xml::escape(text)
    ))];
}

#[cfg(test)]
mod tests {
    use super::helper_number;
    use serde_json::json;

    #[test]
    fn a_helpers_number_is_a_number_only_when_written_as_one() {
        assert_eq!(helper_number("3"), Some(json!(3)));
        assert_eq!(helper_number("-12.5"), Some(json!(-12.5)));
        assert_eq!(helper_number("0"), Some(json!(0)));
        for text in [
            "007",
            "1e3",
            " 5",
            "5.",
            "5.10",
            "+5",
            "",
            "-",
            "1234567890123456",
            "三",
        ] {
            assert_eq!(helper_number(text), None, "{text:?}");
        }
    }
}
