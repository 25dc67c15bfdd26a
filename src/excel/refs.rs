//! Where rows go when a template's loops repeat them, and every reference rewritten to follow:
//! formulas (in any sheet, naming this one or not), ranges of merges, conditional formats,
//! data validations, tables, charts and defined names. A range that spans a repeated block
//! grows to its last copy (`SUM(E5:E5)` over 100 items → `SUM(E5:E104)`); rows below move
//! down; inside a copy, a relative reference to its own block points at the same copy.

use std::collections::HashMap;

/// The last row a sheet may have (Excel's 1,048,576).
pub const MAX_ROW: u32 = 1_048_576;

/// Rows `start..=end` of a sheet, written `copies` times one after the other (at least once:
/// a loop over no items keeps its rows, emptied).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    pub start: u32,
    pub end: u32,
    pub copies: u32,
}

impl Block {
    fn len(&self) -> u32 {
        self.end - self.start + 1
    }
}

/// How the rows of one sheet move.
#[derive(Debug, Clone, Default)]
pub struct RowMap {
    /// In row order, not overlapping.
    pub blocks: Vec<Block>,
}

/// Which copy of which block a formula stands in, when it stands in one.
#[derive(Debug, Clone, Copy)]
pub struct Within {
    pub block: usize,
    pub copy: u32,
}

impl RowMap {
    /// The rows added above row `r` by the blocks that end before it.
    fn added_before(&self, r: u32) -> u32 {
        self.blocks
            .iter()
            .filter(|b| b.end < r)
            .map(|b| (b.copies - 1).saturating_mul(b.len()))
            .fold(0, u32::saturating_add)
    }

    pub fn block_of(&self, r: u32) -> Option<usize> {
        self.blocks
            .iter()
            .position(|b| (b.start..=b.end).contains(&r))
    }

    /// Row `r` of the template in copy `k` of its block (copy 0 outside blocks); a reference
    /// pushed past the sheet's last row stays at it, as a range to the end of the sheet does.
    pub fn in_copy(&self, r: u32, k: u32) -> u32 {
        u32::try_from(self.moved_to(r, k).min(u64::from(MAX_ROW))).unwrap_or(MAX_ROW)
    }

    /// Where row `r` of copy `k` lands, past the sheet's end or not.
    pub fn moved_to(&self, r: u32, k: u32) -> u64 {
        let base = u64::from(r) + u64::from(self.added_before(r));
        match self.block_of(r) {
            Some(b) => {
                let block = &self.blocks[b];
                base + u64::from(k.min(block.copies - 1)) * u64::from(block.len())
            }
            None => base,
        }
    }

    /// Where row `r` goes as the start of a range (or a single cell): its first copy.
    pub fn first(&self, r: u32) -> u32 {
        self.in_copy(r, 0)
    }

    /// Where row `r` goes as the end of a range: its last copy.
    pub fn last(&self, r: u32) -> u32 {
        match self.block_of(r) {
            Some(b) => self.in_copy(r, self.blocks[b].copies - 1),
            None => self.in_copy(r, 0),
        }
    }

    pub fn is_identity(&self) -> bool {
        self.blocks.iter().all(|b| b.copies == 1)
    }
}

/// One cell reference as written: `$E$5` → column `$E`, row 5, absolute row.
struct CellRef<'a> {
    col: &'a str,
    row: u32,
    abs_row: bool,
}

/// Reads a cell reference at the start of `s`; its length.
fn cell_ref(s: &str) -> Option<(CellRef<'_>, usize)> {
    let b = s.as_bytes();
    let mut i = 0;
    if b.get(i) == Some(&b'$') {
        i += 1;
    }
    let letters = b[i..].iter().take_while(|c| c.is_ascii_uppercase()).count();
    if !(1..=3).contains(&letters) {
        return None;
    }
    i += letters;
    let col = &s[..i];
    let abs_row = b.get(i) == Some(&b'$');
    if abs_row {
        i += 1;
    }
    let digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 || digits > 7 {
        return None;
    }
    let row: u32 = s[i..i + digits].parse().ok()?;
    i += digits;
    // A function name (LOG10() or a name (A1B) is not a reference.
    if b.get(i)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'(' || *c == b'.')
    {
        return None;
    }
    (row >= 1).then_some((CellRef { col, row, abs_row }, i))
}

/// A row number and whether it is absolute (`$4`).
type RowEnd = (u32, bool);

/// Reads a whole-row range at the start of `s` (`5:5`, `$4:$6`): its two rows, whether each
/// is absolute, and its length.
fn row_range(s: &str) -> Option<(RowEnd, RowEnd, usize)> {
    let b = s.as_bytes();
    let one = |at: usize| -> Option<(RowEnd, usize)> {
        let abs = b.get(at) == Some(&b'$');
        let from = at + usize::from(abs);
        let digits = b[from.min(b.len())..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if digits == 0 || digits > 7 {
            return None;
        }
        let row: u32 = s[from..from + digits].parse().ok()?;
        (row >= 1).then_some(((row, abs), from + digits))
    };
    let (a, i) = one(0)?;
    if b.get(i) != Some(&b':') {
        return None;
    }
    let (z, end) = one(i + 1)?;
    if b.get(end)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'.' || *c == b'$')
    {
        return None;
    }
    Some((a, z, end))
}

/// A sheet name written before `!`, read back from the text that ends just before it.
fn sheet_before(text: &str) -> Option<(String, usize)> {
    if let Some(inner) = text.strip_suffix('\'') {
        // 'My sheet'!A1, with '' for a quote inside.
        let mut i = inner.len();
        let bytes = inner.as_bytes();
        while i > 0 {
            if bytes[i - 1] == b'\'' {
                if i >= 2 && bytes[i - 2] == b'\'' {
                    i -= 2;
                    continue;
                }
                let name = inner[i..].replace("''", "'");
                return Some((name, text.len() - (i - 1)));
            }
            i -= 1;
        }
        return None;
    }
    let start = text
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || *c == '_' || *c == '.')
        .last()
        .map(|(i, _)| i)?;
    Some((text[start..].to_string(), text.len() - start))
}

/// Rewrites the references of a formula (or a range list) found in sheet `own`.
pub fn rewrite(
    formula: &str,
    own: &str,
    maps: &HashMap<String, RowMap>,
    within: Option<Within>,
) -> String {
    let mut out = String::with_capacity(formula.len() + 8);
    let mut i = 0;
    let mut in_string = false;
    let bytes = formula.as_bytes();
    while i < formula.len() {
        let c = bytes[i];
        if c == b'"' {
            in_string = !in_string;
            out.push('"');
            i += 1;
            continue;
        }
        let prev_ident = out
            .chars()
            .last()
            .is_some_and(|p| p.is_alphanumeric() || p == '_' || p == '$' || p == '.');
        let after_sheet = out.ends_with('!');
        if in_string
            || (prev_ident && !after_sheet)
            || !(c == b'$' || c.is_ascii_uppercase() || c.is_ascii_digit())
        {
            let ch = formula[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
            continue;
        }
        if c == b'$' || c.is_ascii_digit() {
            if let Some(((a, abs_a), (z, abs_z), len)) = row_range(&formula[i..]) {
                let sheet = if after_sheet {
                    sheet_before(&out[..out.len() - 1])
                        .map(|(s, _)| s)
                        .unwrap_or_else(|| own.to_string())
                } else {
                    own.to_string()
                };
                match maps.get(&sheet) {
                    Some(map) if !map.is_identity() => {
                        let dollar = |abs: bool| if abs { "$" } else { "" };
                        out.push_str(&format!(
                            "{}{}:{}{}",
                            dollar(abs_a),
                            map.first(a),
                            dollar(abs_z),
                            map.last(z)
                        ));
                    }
                    _ => out.push_str(&formula[i..i + len]),
                }
                i += len;
                continue;
            }
        }
        let Some((first, n1)) = cell_ref(&formula[i..]) else {
            let ch = formula[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
            continue;
        };
        let mut second = None;
        let mut len = n1;
        if formula[i + n1..].starts_with(':') {
            if let Some((r2, n2)) = cell_ref(&formula[i + n1 + 1..]) {
                second = Some(r2);
                len = n1 + 1 + n2;
            }
        }
        let sheet = if after_sheet {
            sheet_before(&out[..out.len() - 1])
                .map(|(s, _)| s)
                .unwrap_or_else(|| own.to_string())
        } else {
            own.to_string()
        };
        let within = if sheet == own { within } else { None };
        match maps.get(&sheet) {
            Some(map) if !map.is_identity() => {
                let place = |r: &CellRef, end: bool| -> u32 {
                    if let (Some(w), Some(b)) = (within, map.block_of(r.row)) {
                        if b == w.block && !r.abs_row {
                            return map.in_copy(r.row, w.copy);
                        }
                    }
                    if end {
                        map.last(r.row)
                    } else {
                        map.first(r.row)
                    }
                };
                let write = |out: &mut String, r: &CellRef, row: u32| {
                    out.push_str(r.col);
                    if r.abs_row {
                        out.push('$');
                    }
                    out.push_str(&row.to_string());
                };
                match &second {
                    Some(r2) => {
                        let (a, b) = (place(&first, false), place(r2, true));
                        write(&mut out, &first, a);
                        out.push(':');
                        write(&mut out, r2, b);
                    }
                    None => {
                        let row = place(&first, false);
                        write(&mut out, &first, row);
                    }
                }
            }
            _ => out.push_str(&formula[i..i + len]),
        }
        i += len;
    }
    out
}

/// A column's number (`A` → 1, `AB` → 28).
pub fn column_number(letters: &str) -> u32 {
    letters
        .bytes()
        .filter(u8::is_ascii_uppercase)
        .fold(0, |n, b| n * 26 + u32::from(b - b'A' + 1))
}

/// A column's letters (1 → `A`, 28 → `AB`).
pub fn column_letters(mut n: u32) -> String {
    let mut out = Vec::new();
    while n > 0 {
        let d = (n - 1) % 26;
        out.push(b'A' + d as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// A formula as it reads moved by `rows` and `columns` (how a shared formula's master is read
/// in one of the cells that share it): relative references move, absolute ones stay; a
/// reference moved off the sheet becomes `#REF!`.
pub fn shift(formula: &str, rows: i64, columns: i64) -> String {
    let mut out = String::with_capacity(formula.len() + 8);
    let mut i = 0;
    let mut in_string = false;
    let bytes = formula.as_bytes();
    let moved = |n: u32, by: i64, max: i64| -> Option<u32> {
        let m = i64::from(n) + by;
        (1..=max).contains(&m).then_some(m as u32)
    };
    while i < formula.len() {
        let c = bytes[i];
        if c == b'"' {
            in_string = !in_string;
        }
        let prev_ident = out
            .chars()
            .last()
            .is_some_and(|p| p.is_alphanumeric() || p == '_' || p == '$' || p == '.');
        let after_sheet = out.ends_with('!');
        let free = !in_string && (!prev_ident || after_sheet);
        if free && (c == b'$' || c.is_ascii_digit()) {
            if let Some(((a, abs_a), (z, abs_z), len)) = row_range(&formula[i..]) {
                let one = |r: u32, abs: bool| -> Option<String> {
                    Some(if abs {
                        format!("${r}")
                    } else {
                        moved(r, rows, 1_048_576)?.to_string()
                    })
                };
                match (one(a, abs_a), one(z, abs_z)) {
                    (Some(a), Some(z)) => out.push_str(&format!("{a}:{z}")),
                    _ => out.push_str("#REF!"),
                }
                i += len;
                continue;
            }
        }
        if free && (c == b'$' || c.is_ascii_uppercase()) {
            if let Some((r, len)) = cell_ref(&formula[i..]) {
                let abs_col = r.col.starts_with('$');
                let col = if abs_col {
                    Some(r.col.to_string())
                } else {
                    moved(column_number(r.col), columns, 16_384).map(column_letters)
                };
                let row = if r.abs_row {
                    Some(format!("${}", r.row))
                } else {
                    moved(r.row, rows, 1_048_576).map(|n| n.to_string())
                };
                match (col, row) {
                    (Some(col), Some(row)) => {
                        out.push_str(&col);
                        out.push_str(&row);
                    }
                    _ => out.push_str("#REF!"),
                }
                i += len;
                continue;
            }
        }
        let ch = formula[i..].chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn maps(blocks: Vec<Block>) -> HashMap<String, RowMap> {
        HashMap::from([("表".to_string(), RowMap { blocks })])
    }

    #[test]
    fn ranges_over_a_repeated_row_grow_and_rows_below_move() {
        let m = maps(vec![Block {
            start: 5,
            end: 5,
            copies: 100,
        }]);
        assert_eq!(rewrite("SUM(E5:E5)", "表", &m, None), "SUM(E5:E104)");
        assert_eq!(rewrite("E7*2+$F$9", "表", &m, None), "E106*2+$F$108");
        assert_eq!(rewrite("A1&\"E5\"", "表", &m, None), "A1&\"E5\"");
        assert_eq!(rewrite("LOG10(E4)", "表", &m, None), "LOG10(E4)");
        // In the 3rd copy of row 5, C5*D5 is that copy's own row; $C$5 stays the first.
        let w = Some(Within { block: 0, copy: 2 });
        assert_eq!(rewrite("C5*D5+$C$5", "表", &m, w), "C7*D7+$C$5");
        // Another sheet's formula names this one.
        assert_eq!(
            rewrite("SUM(表!E5:E6)", "汇总", &m, None),
            "SUM(表!E5:E105)"
        );
        assert_eq!(
            rewrite("SUM('表'!E5:E5)", "汇总", &m, None),
            "SUM('表'!E5:E104)"
        );
        assert_eq!(
            rewrite("E5", "汇总", &m, None),
            "E5",
            "its own E5 does not move"
        );
    }

    #[test]
    fn a_shared_formula_read_in_another_cell() {
        assert_eq!(shift("D5*2+$C$1", 3, 0), "D8*2+$C$1");
        assert_eq!(shift("SUM(A5:C5)/$B5", 1, 1), "SUM(B6:D6)/$B6");
        assert_eq!(shift("Z1&\"A1\"", 0, 1), "AA1&\"A1\"");
        assert_eq!(shift("A1", -1, 0), "#REF!");
        assert_eq!(shift("SUM(5:5)", 2, 0), "SUM(7:7)");
        assert_eq!((column_number("AB"), column_letters(28)), (28, "AB".into()));
        assert_eq!(column_letters(16_384), "XFD");
    }

    #[test]
    fn references_stop_at_the_sheets_last_row() {
        let m = maps(vec![Block {
            start: 5,
            end: 5,
            copies: 10,
        }]);
        assert_eq!(rewrite("A1:XFD1048576", "表", &m, None), "A1:XFD1048576");
        assert_eq!(
            rewrite("SUM(B1048570:B1048576)", "表", &m, None),
            "SUM(B1048576:B1048576)"
        );
        assert_eq!(m["表"].moved_to(1_048_576, 0), 1_048_585);
    }

    #[test]
    fn whole_rows_follow_and_numbers_stay() {
        let m = maps(vec![Block {
            start: 5,
            end: 5,
            copies: 10,
        }]);
        assert_eq!(rewrite("SUM(5:5)", "表", &m, None), "SUM(5:14)");
        assert_eq!(rewrite("'表'!$4:$5", "", &m, None), "'表'!$4:$14");
        assert_eq!(rewrite("表!$7:$7", "", &m, None), "表!$16:$16");
        assert_eq!(rewrite("E5*5+0.5", "表", &m, None), "E5*5+0.5");
        assert_eq!(rewrite("A1:B2", "汇总", &m, None), "A1:B2");
    }

    #[test]
    fn blocks_of_several_rows_and_several_blocks() {
        let m = RowMap {
            blocks: vec![
                Block {
                    start: 3,
                    end: 4,
                    copies: 3,
                },
                Block {
                    start: 8,
                    end: 8,
                    copies: 2,
                },
            ],
        };
        assert_eq!(m.in_copy(3, 0), 3);
        assert_eq!(m.in_copy(4, 2), 8);
        assert_eq!(m.first(6), 10);
        assert_eq!(m.last(8), 13);
        assert_eq!(m.first(9), 14);
    }
}
