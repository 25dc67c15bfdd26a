//! A small, bounded PDF reader for signing and verifying: it finds objects through the
//! cross-reference table and the trailer chain, never by searching the text (an image or a
//! string may hold anything that looks like an object), and reads each object it is asked
//! for once. Every step is bounded — revisions, nesting, object sizes — so a crafted file
//! costs time linear in its size.
//!
//! What it reads: classic cross-reference tables (`xref` … `trailer`), as collabdocs and
//! most incremental updates write them. A file with cross-reference streams is refused with
//! a reason rather than guessed at.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::rc::Rc;

mod lexer;

use lexer::Lexer;

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
    /// Its object number.
    pub num: u32,
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
    /// Every revision read, oldest first.
    pub revisions: Vec<Revision>,
    /// Objects parsed so far, by offset, while their text adds up to at most
    /// [`MAX_CACHED_BYTES`]: a walk that meets an object again does not parse it again.
    cache: RefCell<Cache>,
}

#[derive(Debug, Default)]
struct Cache {
    objects: HashMap<usize, Rc<Found>>,
    bytes: usize,
}

/// The most bytes of object text whose parsed values are kept.
const MAX_CACHED_BYTES: usize = 32 * 1024 * 1024;

/// One revision of a file: its cross-reference section and what it defines.
#[derive(Debug, Clone)]
pub struct Revision {
    /// Where its cross-reference table starts.
    pub xref_at: usize,
    /// The objects it writes (number, offset) and those it frees (number, `None`).
    pub objects: Vec<(u32, Option<usize>)>,
    /// Its trailer dictionary.
    pub trailer: Obj,
    /// Its trailer names a cross-reference stream besides the table (`/XRefStm`, a
    /// hybrid-reference file): readers that follow it see objects this reader does not.
    pub hybrid: bool,
}

/// The most bytes a stream may decode to here (validation data, not page content).
const MAX_STREAM_BYTES: u64 = 16 * 1024 * 1024;

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
        let mut at = startxref;
        let mut seen = HashSet::new();
        let mut revisions: Vec<Revision> = Vec::new();
        loop {
            if !seen.insert(at) {
                return Err("the cross-reference chain loops".into());
            }
            if seen.len() > MAX_REVISIONS {
                return Err(format!(
                    "the file has more than {MAX_REVISIONS} revisions, more than are read here"
                ));
            }
            let (trailer, objects) = read_xref(bytes, at, &mut offsets)?;
            let prev = trailer.get("Prev").and_then(Obj::as_int);
            revisions.push(Revision {
                xref_at: at,
                objects,
                hybrid: trailer.get("XRefStm").is_some(),
                trailer,
            });
            match prev {
                Some(p) => at = usize::try_from(p).map_err(|_| "a bad /Prev offset")?,
                None => break,
            }
        }
        let trailer = revisions[0].trailer.clone();
        revisions.reverse();
        Ok(PdfFile {
            bytes,
            offsets,
            trailer,
            startxref,
            revisions,
            cache: RefCell::default(),
        })
    }

    /// The whole file.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Where each object is after the revisions `revisions` (oldest first): what a reader
    /// of the file as it was then finds.
    pub fn table(revisions: &[Revision]) -> HashMap<u32, usize> {
        let mut table = HashMap::new();
        for r in revisions {
            for &(num, at) in &r.objects {
                match at {
                    Some(at) => table.insert(num, at),
                    None => table.remove(&num),
                };
            }
        }
        table
    }

    /// Object `num` as written at `at`, parsed once and shared.
    pub fn object_rc(&self, num: u32, at: usize) -> Result<Rc<Found>, String> {
        if let Some(found) = self.cache.borrow().objects.get(&at) {
            if found.num == num {
                return Ok(found.clone());
            }
        }
        let found = Rc::new(self.parse_at(num, at)?);
        let mut cache = self.cache.borrow_mut();
        let cost = found.span.len();
        if cache.bytes + cost <= MAX_CACHED_BYTES {
            cache.bytes += cost;
            cache.objects.insert(at, found.clone());
        }
        Ok(found)
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
        self.object_at(num, at)
    }

    /// Where the newest revision has object `num`.
    pub fn offset(&self, num: u32) -> Option<usize> {
        self.offsets.get(&num).copied()
    }

    /// Object `num` as written at `at` (an offset some revision gives for it).
    pub fn object_at(&self, num: u32, at: usize) -> Result<Found, String> {
        self.object_rc(num, at).map(|f| (*f).clone())
    }

    fn parse_at(&self, num: u32, at: usize) -> Result<Found, String> {
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
            num,
            value,
            span: start..end,
        })
    }

    /// The decoded data of stream object `num` as written at `at` (no filter or
    /// `/FlateDecode`), at most 16 MB.
    pub fn stream_at(&self, num: u32, at: usize) -> Result<Vec<u8>, String> {
        let (dict, raw) = self.raw_stream_at(num, at)?;
        match dict.get("Filter") {
            None => Ok(raw.to_vec()),
            Some(Obj::Name(f)) if f == "FlateDecode" => inflate(raw, num),
            Some(Obj::Array(fs)) if fs.len() == 1 && fs[0].as_name() == Some("FlateDecode") => {
                inflate(raw, num)
            }
            Some(_) => Err(format!("stream {num} has a filter that is not read here")),
        }
    }

    /// Stream object `num` as written at `at`: its dictionary and its data, not decoded.
    pub fn raw_stream_at(&self, num: u32, at: usize) -> Result<(Obj, &'a [u8]), String> {
        let found = self.object_at(num, at)?;
        let mut lx = Lexer::new(self.bytes, found.span.end);
        if lx.keyword().as_deref() != Some("stream") {
            return Err(format!("object {num} is not a stream"));
        }
        // The data starts after the end of line that follows `stream`.
        let mut start = lx.at;
        if self.bytes.get(start) == Some(&b'\r') {
            start += 1;
        }
        if self.bytes.get(start) == Some(&b'\n') {
            start += 1;
        }
        let len = match found.value.get("Length") {
            Some(Obj::Ref(n)) if *n != num => self.object(*n)?.value.as_int(),
            Some(v) => v.as_int(),
            None => None,
        }
        .and_then(|n| usize::try_from(n).ok())
        .filter(|n| start.checked_add(*n).is_some_and(|e| e <= self.bytes.len()))
        .ok_or_else(|| format!("stream {num} has no usable /Length"))?;
        Ok((found.value, &self.bytes[start..start + len]))
    }

    /// The decoded data of stream object `num` in the newest revision.
    pub fn stream(&self, num: u32) -> Result<Vec<u8>, String> {
        let at = self
            .offset(num)
            .ok_or_else(|| format!("object {num} is not in the cross-reference table"))?;
        self.stream_at(num, at)
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
        self.pages_in(&self.offsets, *root, limit)
    }

    /// Object `num` where `table` places it.
    pub fn object_in(&self, table: &HashMap<u32, usize>, num: u32) -> Result<Rc<Found>, String> {
        let at = *table
            .get(&num)
            .ok_or_else(|| format!("object {num} is not in the cross-reference table"))?;
        self.object_rc(num, at)
    }

    /// The leaf pages in order of the catalog `root` where `table` places objects. Each node
    /// is read once: a tree that lists a node twice (or itself) is refused, as is one deeper
    /// than [`MAX_DEPTH`] or with more than `limit` pages.
    pub fn pages_in(
        &self,
        table: &HashMap<u32, usize>,
        root: u32,
        limit: usize,
    ) -> Result<Vec<u32>, String> {
        let catalog = self.object_in(table, root)?;
        let Some(Obj::Ref(tree)) = catalog.value.get("Pages") else {
            return Err("the catalog has no /Pages".into());
        };
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut stack = vec![(*tree, 0usize)];
        while let Some((num, depth)) = stack.pop() {
            if !seen.insert(num) {
                return Err(format!("the page tree lists object {num} twice"));
            }
            if depth > MAX_DEPTH {
                return Err("the page tree is too deep".into());
            }
            crate::budget::check_every(seen.len(), 1024)?;
            let node = self.object_in(table, num)?;
            match node.value.get("Type").and_then(Obj::as_name) {
                Some("Pages") => {
                    let kids = node
                        .value
                        .get("Kids")
                        .and_then(Obj::as_array)
                        .unwrap_or(&[]);
                    if stack.len() + kids.len() > limit * 2 + 64 {
                        return Err("the page tree is too large".into());
                    }
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

fn inflate(raw: &[u8], num: u32) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(raw)
        .take(MAX_STREAM_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("stream {num} does not inflate: {e}"))?;
    if out.len() as u64 > MAX_STREAM_BYTES {
        return Err(format!("stream {num} is larger than 16 MB"));
    }
    Ok(out)
}

/// An object table of one revision: object numbers with their offsets (`None`: freed).
type XrefEntries = Vec<(u32, Option<usize>)>;

/// Reads one cross-reference table at `at` into `offsets` (entries already known, from a
/// newer revision, win) and returns its trailer and its own entries.
fn read_xref(
    bytes: &[u8],
    at: usize,
    offsets: &mut HashMap<u32, usize>,
) -> Result<(Obj, XrefEntries), String> {
    let mut entries = Vec::new();
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
            crate::budget::check_every(i as usize, 4096)?;
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
                entries.push((num, Some(offset)));
            } else if num != 0 {
                entries.push((num, None));
            }
        }
    }
    match lx.value(0)? {
        d @ Obj::Dict(_) => Ok((d, entries)),
        _ => Err("the trailer is not a dictionary".into()),
    }
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
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
