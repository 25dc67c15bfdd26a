//! A small, bounded PDF reader for signing and verifying: it finds objects through the
//! cross-reference table and the trailer chain, never by searching the text (an image or a
//! string may hold anything that looks like an object), and reads each object it is asked
//! for once. Every step is bounded — revisions, nesting, object sizes — so a crafted file
//! costs time linear in its size.
//!
//! What it reads: classic cross-reference tables (`xref` … `trailer`), as collabdocs and
//! most incremental updates write them. A file with cross-reference streams is refused with
//! a reason rather than guessed at.

use std::collections::HashMap;
use std::ops::Range;

/// The most revisions (`/Prev` links) followed.
const MAX_REVISIONS: usize = 64;
/// The deepest nesting of arrays and dictionaries read.
const MAX_DEPTH: usize = 32;

/// A PDF value. Dictionaries keep each value's byte range in the file, so a caller can copy
/// a value exactly as it was written.
#[derive(Debug, Clone, PartialEq)]
pub enum Obj {
    Null,
    Bool(bool),
    Int(i64),
    Real(f64),
    /// A literal or hexadecimal string, decoded.
    Str(Vec<u8>),
    Name(String),
    Array(Vec<Obj>),
    Dict(Vec<(String, Obj, Range<usize>)>),
    Ref(u32),
}

impl Obj {
    /// The value under `key` of a dictionary.
    pub fn get(&self, key: &str) -> Option<&Obj> {
        self.entry(key).map(|(v, _)| v)
    }

    /// The value under `key` and where it stands in the file.
    pub fn entry(&self, key: &str) -> Option<(&Obj, Range<usize>)> {
        match self {
            Obj::Dict(entries) => entries
                .iter()
                .find(|(k, _, _)| k == key)
                .map(|(_, v, r)| (v, r.clone())),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Obj::Int(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_num(&self) -> Option<f64> {
        match self {
            Obj::Int(n) => Some(*n as f64),
            Obj::Real(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_name(&self) -> Option<&str> {
        match self {
            Obj::Name(n) => Some(n),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Obj]> {
        match self {
            Obj::Array(a) => Some(a),
            _ => None,
        }
    }
}

/// One object as found through the cross-reference table.
#[derive(Debug, Clone)]
pub struct Found {
    pub value: Obj,
    /// The value's bytes, from after `N G obj` to before `endobj` (or `stream`), trimmed.
    pub span: Range<usize>,
}

/// An opened PDF: where each object is, and the newest trailer.
#[derive(Debug)]
pub struct PdfFile<'a> {
    bytes: &'a [u8],
    offsets: HashMap<u32, usize>,
    /// The newest trailer dictionary.
    pub trailer: Obj,
    /// Where the newest cross-reference table starts.
    pub startxref: usize,
}

impl<'a> PdfFile<'a> {
    /// Reads the last `startxref`, then every cross-reference table back through `/Prev`.
    pub fn open(bytes: &'a [u8]) -> Result<Self, String> {
        let tail_from = bytes.len().saturating_sub(1024);
        let sx = rfind(&bytes[tail_from..], b"startxref")
            .map(|i| tail_from + i)
            .ok_or("no startxref at the end of the file")?;
        let mut lx = Lexer::new(bytes, sx + 9);
        let startxref = lx
            .int()
            .and_then(|n| usize::try_from(n).ok())
            .ok_or("startxref is not followed by an offset")?;
        let mut offsets = HashMap::new();
        let mut trailer = None;
        let mut at = startxref;
        let mut seen = Vec::new();
        while seen.len() < MAX_REVISIONS {
            if seen.contains(&at) {
                return Err("the cross-reference chain loops".into());
            }
            seen.push(at);
            let t = read_xref(bytes, at, &mut offsets)?;
            let prev = t.get("Prev").and_then(Obj::as_int);
            trailer.get_or_insert(t);
            match prev {
                Some(p) => at = usize::try_from(p).map_err(|_| "a bad /Prev offset")?,
                None => break,
            }
        }
        Ok(PdfFile {
            bytes,
            offsets,
            trailer: trailer.ok_or("no trailer")?,
            startxref,
        })
    }

    /// The numbers of every object in use, in order.
    pub fn object_numbers(&self) -> Vec<u32> {
        let mut n: Vec<u32> = self.offsets.keys().copied().collect();
        n.sort_unstable();
        n
    }

    /// The object numbered `num`, read at the offset the cross-reference table gives.
    pub fn object(&self, num: u32) -> Result<Found, String> {
        let at = *self
            .offsets
            .get(&num)
            .ok_or_else(|| format!("object {num} is not in the cross-reference table"))?;
        let mut lx = Lexer::new(self.bytes, at);
        let head = (lx.int(), lx.int(), lx.keyword());
        if head.0 != Some(i64::from(num)) || head.2.as_deref() != Some("obj") {
            return Err(format!(
                "the cross-reference table points object {num} at a place where it is not"
            ));
        }
        lx.skip_space();
        let start = lx.at;
        let value = lx.value(0)?;
        let end = lx.at;
        Ok(Found {
            value,
            span: start..end,
        })
    }

    /// A value, following it when it is a reference.
    pub fn resolve(&self, v: &Obj) -> Result<Obj, String> {
        match v {
            Obj::Ref(n) => self.object(*n).map(|f| f.value),
            other => Ok(other.clone()),
        }
    }

    /// The bytes of a range of the file.
    pub fn slice(&self, r: Range<usize>) -> &'a [u8] {
        &self.bytes[r]
    }

    /// The leaf pages in order, walking the page tree from the catalog's `/Pages` (at most
    /// `limit` of them, nesting bounded).
    pub fn pages(&self, limit: usize) -> Result<Vec<u32>, String> {
        let root = self.trailer.get("Root").ok_or("the trailer has no /Root")?;
        let Obj::Ref(root) = root else {
            return Err("/Root is not a reference".into());
        };
        let catalog = self.object(*root)?.value;
        let Some(Obj::Ref(tree)) = catalog.get("Pages") else {
            return Err("the catalog has no /Pages".into());
        };
        let mut out = Vec::new();
        let mut stack = vec![(*tree, 0usize)];
        let mut visited = 0;
        while let Some((num, depth)) = stack.pop() {
            visited += 1;
            if depth > MAX_DEPTH || visited > limit * 2 + 64 {
                return Err("the page tree is too deep or too large".into());
            }
            let node = self.object(num)?.value;
            match node.get("Type").and_then(Obj::as_name) {
                Some("Pages") => {
                    let kids = node.get("Kids").and_then(Obj::as_array).unwrap_or(&[]);
                    for kid in kids.iter().rev() {
                        if let Obj::Ref(k) = kid {
                            stack.push((*k, depth + 1));
                        }
                    }
                }
                _ => {
                    out.push(num);
                    if out.len() > limit {
                        return Err("the file has more pages than can be read".into());
                    }
                }
            }
        }
        Ok(out)
    }
}

/// Reads one cross-reference table at `at` into `offsets` (entries already known, from a
/// newer revision, win) and returns its trailer.
fn read_xref(bytes: &[u8], at: usize, offsets: &mut HashMap<u32, usize>) -> Result<Obj, String> {
    let mut lx = Lexer::new(bytes, at);
    if lx.keyword().as_deref() != Some("xref") {
        return Err(
            "the file uses a cross-reference stream or a damaged table, which cannot be read here"
                .into(),
        );
    }
    loop {
        let save = lx.at;
        if lx.keyword().as_deref() == Some("trailer") {
            break;
        }
        lx.at = save;
        let first = lx.int().ok_or("a bad cross-reference subsection")?;
        let count = lx.int().ok_or("a bad cross-reference subsection")?;
        // Each entry takes at least 18 bytes: a count past what is left is a lie.
        let left = (bytes.len() - lx.at) / 18;
        if first < 0 || count < 0 || count as usize > left {
            return Err("a cross-reference subsection is larger than the file".into());
        }
        for i in 0..count {
            let offset = lx.int().ok_or("a bad cross-reference entry")?;
            let _gen = lx.int().ok_or("a bad cross-reference entry")?;
            let kind = lx.keyword().ok_or("a bad cross-reference entry")?;
            let num = u32::try_from(first + i).map_err(|_| "an object number out of range")?;
            if kind == "n" {
                let offset = usize::try_from(offset).map_err(|_| "a bad offset")?;
                if offset >= bytes.len() {
                    return Err(format!(
                        "object {num} is said to be past the end of the file"
                    ));
                }
                offsets.entry(num).or_insert(offset);
            }
        }
    }
    match lx.value(0)? {
        d @ Obj::Dict(_) => Ok(d),
        _ => Err("the trailer is not a dictionary".into()),
    }
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// A tokenizer over PDF syntax, starting anywhere in the file.
struct Lexer<'a> {
    b: &'a [u8],
    at: usize,
}

fn is_delim(c: u8) -> bool {
    matches!(
        c,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

impl<'a> Lexer<'a> {
    fn new(b: &'a [u8], at: usize) -> Self {
        Self {
            b,
            at: at.min(b.len()),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while let Some(c) = self.peek() {
            if is_space(c) {
                self.at += 1;
            } else if c == b'%' {
                while let Some(c) = self.peek() {
                    if c == b'\n' || c == b'\r' {
                        break;
                    }
                    self.at += 1;
                }
            } else {
                break;
            }
        }
    }

    /// A run of regular characters.
    fn word(&mut self) -> &'a [u8] {
        self.skip_space();
        let start = self.at;
        while let Some(c) = self.peek() {
            if is_space(c) || is_delim(c) {
                break;
            }
            self.at += 1;
        }
        &self.b[start..self.at]
    }

    fn keyword(&mut self) -> Option<String> {
        let w = self.word();
        (!w.is_empty()).then(|| String::from_utf8_lossy(w).into_owned())
    }

    fn int(&mut self) -> Option<i64> {
        std::str::from_utf8(self.word()).ok()?.parse().ok()
    }

    fn value(&mut self, depth: usize) -> Result<Obj, String> {
        if depth > MAX_DEPTH {
            return Err("objects are nested too deeply".into());
        }
        self.skip_space();
        match self
            .peek()
            .ok_or_else(|| bad("the file ends inside an object"))?
        {
            b'/' => {
                self.at += 1;
                Ok(Obj::Name(self.name()))
            }
            b'[' => self.array(depth),
            b'<' if self.b.get(self.at + 1) == Some(&b'<') => self.dict(depth),
            b'<' => self.hex_string(),
            b'(' => self.literal_string(),
            _ => self.word_value(),
        }
    }

    /// The characters of a name, after its slash.
    fn name(&mut self) -> String {
        let start = self.at;
        while let Some(c) = self.peek() {
            if is_space(c) || is_delim(c) {
                break;
            }
            self.at += 1;
        }
        String::from_utf8_lossy(&self.b[start..self.at]).into_owned()
    }

    fn array(&mut self, depth: usize) -> Result<Obj, String> {
        self.at += 1;
        let mut items = Vec::new();
        loop {
            self.skip_space();
            match self.peek() {
                Some(b']') => {
                    self.at += 1;
                    return Ok(Obj::Array(items));
                }
                None => return Err(bad("an array is not closed")),
                _ => items.push(self.value(depth + 1)?),
            }
        }
    }

    /// A dictionary; each value keeps the byte range it was written in.
    fn dict(&mut self, depth: usize) -> Result<Obj, String> {
        self.at += 2;
        let mut entries = Vec::new();
        loop {
            self.skip_space();
            match self.peek() {
                Some(b'>') if self.b.get(self.at + 1) == Some(&b'>') => {
                    self.at += 2;
                    return Ok(Obj::Dict(entries));
                }
                Some(b'/') => {
                    self.at += 1;
                    let key = self.name();
                    self.skip_space();
                    let start = self.at;
                    let v = self.value(depth + 1)?;
                    entries.push((key, v, start..self.at));
                }
                _ => return Err(bad("a dictionary key is not a name")),
            }
        }
    }

    fn hex_string(&mut self) -> Result<Obj, String> {
        self.at += 1;
        let start = self.at;
        let end = start
            + self.b[start..]
                .iter()
                .position(|&c| c == b'>')
                .ok_or_else(|| bad("a hexadecimal string is not closed"))?;
        self.at = end + 1;
        let digits: Vec<u8> = self.b[start..end]
            .iter()
            .copied()
            .filter(|c| !is_space(*c))
            .collect();
        let hex = |c: u8| {
            (c as char)
                .to_digit(16)
                .map(|d| d as u8)
                .ok_or_else(|| bad("a bad hexadecimal string"))
        };
        let mut out = Vec::with_capacity(digits.len() / 2 + 1);
        for pair in digits.chunks(2) {
            let lo = pair.get(1).map_or(Ok(0), |&c| hex(c))?;
            out.push(hex(pair[0])? << 4 | lo);
        }
        Ok(Obj::Str(out))
    }

    fn literal_string(&mut self) -> Result<Obj, String> {
        self.at += 1;
        let mut out = Vec::new();
        let mut level = 1;
        while let Some(c) = self.peek() {
            self.at += 1;
            match c {
                b'\\' => {
                    if let Some(byte) = self.escape()? {
                        out.push(byte);
                    }
                }
                b'(' => {
                    level += 1;
                    out.push(c);
                }
                b')' => {
                    level -= 1;
                    if level == 0 {
                        return Ok(Obj::Str(out));
                    }
                    out.push(c);
                }
                _ => out.push(c),
            }
        }
        Err(bad("a string is not closed"))
    }

    /// The byte a backslash escape in a literal string stands for (`None`: a line
    /// continuation).
    fn escape(&mut self) -> Result<Option<u8>, String> {
        let e = self.peek().ok_or_else(|| bad("a string is not closed"))?;
        self.at += 1;
        Ok(Some(match e {
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'b' => 8,
            b'f' => 12,
            b'0'..=b'7' => {
                let mut n = u32::from(e - b'0');
                for _ in 0..2 {
                    match self.peek() {
                        Some(d @ b'0'..=b'7') => {
                            n = n * 8 + u32::from(d - b'0');
                            self.at += 1;
                        }
                        _ => break,
                    }
                }
                n as u8
            }
            b'\r' | b'\n' => return Ok(None),
            other => other,
        }))
    }

    /// `null`, `true`, `false`, a number, or a reference `N G R`.
    fn word_value(&mut self) -> Result<Obj, String> {
        let start = self.at;
        let w = self.word();
        if w.is_empty() {
            return Err(bad("an unexpected character"));
        }
        let text = std::str::from_utf8(w).map_err(|_| bad("an unreadable token"))?;
        match text {
            "null" => return Ok(Obj::Null),
            "true" => return Ok(Obj::Bool(true)),
            "false" => return Ok(Obj::Bool(false)),
            _ => {}
        }
        if let Ok(n) = text.parse::<i64>() {
            let save = self.at;
            if let (Some(_gen), Some("R")) = (self.int(), self.keyword().as_deref()) {
                return u32::try_from(n)
                    .map(Obj::Ref)
                    .map_err(|_| bad("a reference out of range"));
            }
            self.at = save;
            return Ok(Obj::Int(n));
        }
        if let Ok(x) = text.parse::<f64>() {
            return Ok(Obj::Real(x));
        }
        self.at = start;
        Err(bad(&format!(
            "an unexpected word `{}`",
            text.chars().take(20).collect::<String>()
        )))
    }
}

fn bad(what: &str) -> String {
    format!("cannot read the PDF: {what}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Vec<u8> {
        let mut pdf = b"%PDF-1.7\n".to_vec();
        let mut offsets = Vec::new();
        for body in [
            "<</Type/Catalog/Pages 2 0 R>>",
            "<</Type/Pages/Kids[3 0 R]/Count 1>>",
            "<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Note(a (nested) \\051 string)>>",
        ] {
            offsets.push(pdf.len());
            pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", offsets.len()).as_bytes());
        }
        let xref = pdf.len();
        pdf.extend_from_slice(b"xref\n0 4\n0000000000 65535 f \n");
        for o in offsets {
            pdf.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
        }
        pdf.extend_from_slice(
            format!("trailer\n<</Size 4/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
        );
        pdf
    }

    #[test]
    fn objects_are_found_through_the_table() {
        let pdf = tiny();
        let f = PdfFile::open(&pdf).unwrap();
        assert_eq!(f.trailer.get("Root"), Some(&Obj::Ref(1)));
        assert_eq!(f.pages(10).unwrap(), vec![3]);
        let page = f.object(3).unwrap();
        assert_eq!(
            page.value.get("Note"),
            Some(&Obj::Str(b"a (nested) ) string".to_vec()))
        );
        let (_, r) = page.value.entry("MediaBox").unwrap();
        assert_eq!(f.slice(r), b"[0 0 595 842]");
    }

    #[test]
    fn text_that_looks_like_an_object_is_not_one() {
        let mut pdf = tiny();
        // A fake object 1 before the real one: the table still names the real one.
        let fake = b"\n1 0 obj\n<</Type/Catalog/OpenAction 9 0 R>>\nendobj\n";
        pdf.splice(9..9, fake.iter().copied());
        // The offsets moved: rebuild the table by hand for the shifted file.
        let f = PdfFile::open(&pdf);
        // Offsets now point at the wrong bytes: refused, never read from the fake.
        assert!(f
            .and_then(|f| f.object(1).map(|o| o.value))
            .map_or(true, |v| v.get("OpenAction").is_none()));
    }

    #[test]
    fn crafted_tables_are_refused_in_bounded_time() {
        for bad in [
            &b"%PDF-1.7\nstartxref\n999999\n%%EOF"[..],
            b"%PDF-1.7\nxref\n0 99999999\ntrailer<<>>\nstartxref\n9\n%%EOF",
            b"%PDF-1.7\nxref\n0 0\ntrailer<</Prev 9>>\nstartxref\n9\n%%EOF",
            b"%PDF-1.7\nxref\n0 0\ntrailer<</A[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]>>\nstartxref\n9\n%%EOF",
            b"",
        ] {
            let r = PdfFile::open(bad);
            assert!(r.is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }
}
