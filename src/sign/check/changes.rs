//! What the revisions after a signature changed: only what PAdES permits — validation data
//! (a document security store), document time-stamps, signatures in fields that were empty
//! when signed or in new signature fields, and the document's metadata — or content.
//!
//! The analysis works from the signed revision outwards, as pyHanko's difference analysis
//! does: which revisions count as signed is decided by the signed revision's own
//! cross-reference chain, never by where a section lies in the file; the objects the signed
//! revision holds are classified by where they stand in its document (the catalog, the page
//! tree, a page's annotations, the form and its fields, the document security store, the
//! metadata); every object a later revision rewrites must be explained by a rule for its
//! place, and every object it adds must be reached only through what such a rule allows
//! (objects nothing refers to change nothing a reader shows and are passed, as pyHanko
//! passes them). Each object is read once per state and every walk checks the request's
//! deadline.

use std::collections::{HashMap, HashSet};

use crate::sign::reader::{Obj, PdfFile, Revision};

mod dss;
mod form;

/// What was written after a signed revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum After {
    /// Nothing.
    Nothing,
    /// Only a document security store, document time-stamps, further signatures, or the
    /// document's metadata (the Info dictionary, XMP) that writers update with them.
    Permitted,
    /// Something else; what, first found.
    Content(String),
}

/// The catalog keys a permitted update may set: the document security store, the form
/// (with new signature fields only), the extension level they need, the metadata, the
/// marked-content flags and the version a signing tool declares (pyHanko's list: a signer
/// such as pyHanko writes `/Version /2.0` and its extensions when it signs a party's field).
const CATALOG_KEYS: [&str; 6] = [
    "DSS",
    "AcroForm",
    "Extensions",
    "Metadata",
    "MarkInfo",
    "Version",
];
/// The keys a signature field that was empty when signed may gain or change.
const SIGNING_KEYS: [&str; 3] = ["V", "AP", "AS"];

/// Classifies every revision written after `signed_end` (the end of the signed bytes).
pub fn after(file: &PdfFile, signed_end: usize) -> After {
    match analyse(file, signed_end) {
        Ok(a) => a,
        Err(what) => After::Content(what),
    }
}

type Table = HashMap<u32, usize>;

/// Where an object of the signed revision is used: in the document (catalog, pages, form,
/// anything a reader shows), in the document security store, as the XMP metadata, or in the
/// Info dictionary. One object may be used in several places.
#[derive(Debug, Default, Clone, Copy)]
struct Uses {
    document: bool,
    dss: bool,
    metadata: bool,
    info: bool,
}

/// The signed revision's objects as a reader finds them.
struct Signed {
    table: Table,
    root: u32,
    uses: HashMap<u32, Uses>,
    /// Object numbers referred to but not defined when signed: a later revision must not
    /// define them (it would change what the signed document shows).
    dangling: HashSet<u32>,
    pages: HashSet<u32>,
    /// The pages' `/Annots` arrays written as objects of their own.
    annots: HashSet<u32>,
    /// The form (`/AcroForm`) and its `/Fields` array, when written as objects of their own.
    form: Option<u32>,
    fields: Option<u32>,
    /// Signature fields that had no value when signed, and the widgets of theirs that are
    /// separate objects.
    empty_fields: HashSet<u32>,
    empty_widgets: HashSet<u32>,
}

/// The rules' findings about the objects later revisions added.
#[derive(Default)]
struct Explained {
    /// Added objects a rule allows (with everything added that they lead to).
    objects: HashSet<u32>,
    /// Widgets of new signature fields: what a page's annotations may gain.
    widgets: HashSet<u32>,
    /// An object of the signed document security store was rewritten: the store is checked.
    dss_touched: bool,
}

fn analyse(file: &PdfFile, end: usize) -> Result<After, String> {
    let bytes = file.bytes();
    let sx = signed_startxref(&bytes[..end])
        .ok_or("the signed bytes do not end with a cross-reference section")?;
    let Some(i) = file.revisions.iter().position(|r| r.xref_at == sx) else {
        return Err(
            "the newest revision does not build on the signed one: the signed cross-reference section is not on its chain"
                .into(),
        );
    };
    let (signed_revs, later) = file.revisions.split_at(i + 1);
    if signed_revs.iter().any(|r| r.hybrid) {
        return Err(
            "the signed revision has a hybrid cross-reference (/XRefStm), which readers follow differently"
                .into(),
        );
    }
    let tail = last_eof(bytes);
    if tail.is_some_and(|t| bytes[t..].iter().any(|b| !b.is_ascii_whitespace())) {
        return Err("bytes that are no revision follow the last one".into());
    }
    if later.is_empty() {
        return Ok(if bytes[end..].iter().any(|b| !b.is_ascii_whitespace()) {
            After::Content("bytes that are no revision were appended".into())
        } else {
            After::Nothing
        });
    }
    check_later_revisions(later, end)?;
    let old = PdfFile::table(signed_revs);
    if let Some((num, _)) = old.iter().find(|(_, &at)| at >= end) {
        return Err(format!(
            "the signed revision places object {num} past the signed bytes"
        ));
    }
    let new = PdfFile::table(&file.revisions);
    let old_trailer = &signed_revs[i].trailer;
    let root = match old_trailer.get("Root") {
        Some(Obj::Ref(n)) => *n,
        _ => return Err("the signed trailer has no catalog".into()),
    };
    if file.trailer.get("Root") != Some(&Obj::Ref(root)) {
        return Err("the newest trailer names another document catalog (/Root)".into());
    }
    if file.trailer.get("Encrypt") != old_trailer.get("Encrypt") {
        return Err("the file's encryption was changed after signing".into());
    }
    if let Some(num) = old.keys().filter(|n| !new.contains_key(n)).min() {
        return Err(format!("object {num} was deleted"));
    }
    let signed = Signed::read(file, &old, root, old_trailer)?;
    let mut added: Vec<u32> = new
        .keys()
        .filter(|n| !old.contains_key(n))
        .copied()
        .collect();
    added.sort_unstable();
    if let Some(num) = added.iter().find(|n| signed.dangling.contains(n)) {
        return Err(format!(
            "object {num} was referred to but not defined when signed, and a later revision defines it"
        ));
    }
    let added: HashSet<u32> = added.into_iter().collect();
    let mut changed: Vec<u32> = new
        .iter()
        .filter(|(n, at)| old.get(n).is_some_and(|o| o != *at))
        .map(|(n, _)| *n)
        .collect();
    changed.sort_unstable();
    let cx = Cx {
        file,
        old: &old,
        new: &new,
        added: &added,
        signed: &signed,
    };
    let mut explained = Explained::default();
    // The catalog and the form first: they say which widgets pages may gain.
    let (first, rest): (Vec<u32>, Vec<u32>) = changed
        .iter()
        .partition(|&&n| n == root || Some(n) == signed.form || Some(n) == signed.fields);
    let mut rewritten = Vec::new();
    for (k, num) in first.into_iter().chain(rest).enumerate() {
        crate::budget::check_every(k, 256)?;
        let (a, b) = (file.object_in(&old, num)?, file.object_in(&new, num)?);
        if same_object(file, &old, &new, num, &a.value, &b.value) {
            continue;
        }
        cx.rewritten(num, &a.value, &b.value, &mut explained)?;
        rewritten.push(num);
    }
    if explained.dss_touched {
        let catalog = file.object_in(&new, root)?;
        match catalog.value.get("DSS") {
            Some(d) => cx.dss(&resolve(file, &new, d)?, &mut explained)?,
            None => return Err("the document security store was removed".into()),
        }
    }
    if let Some(Obj::Ref(info)) = file.trailer.get("Info") {
        if added.contains(info) {
            cx.explain_tree(*info, &mut explained)?;
        }
    }
    // Every added object a reader can reach must have been explained; the rest are orphans.
    let mut stack: Vec<u32> = Vec::new();
    collect_refs(&file.trailer, &mut stack, 0);
    for &num in &rewritten {
        collect_refs(&file.object_in(&new, num)?.value, &mut stack, 0);
    }
    let mut reached = HashSet::new();
    while let Some(num) = stack.pop() {
        if !added.contains(&num) || !reached.insert(num) {
            continue;
        }
        if !explained.objects.contains(&num) {
            return Err(format!(
                "object {num} was added, and it is neither validation data nor part of a signature"
            ));
        }
        crate::budget::check_every(reached.len(), 1024)?;
        collect_refs(&file.object_in(&new, num)?.value, &mut stack, 0);
    }
    Ok(After::Permitted)
}

/// Every revision after signing lies after the signed bytes, its objects too, and has a
/// plain cross-reference table.
fn check_later_revisions(later: &[Revision], end: usize) -> Result<(), String> {
    for r in later {
        if r.xref_at < end {
            return Err(
                "a revision after signing has its cross-reference section inside the signed bytes"
                    .into(),
            );
        }
        if r.hybrid {
            return Err(
                "a revision after signing has a hybrid cross-reference (/XRefStm), which readers follow differently"
                    .into(),
            );
        }
        if let Some((num, _)) = r.objects.iter().find(|(_, at)| at.is_some_and(|a| a < end)) {
            return Err(format!(
                "a revision after signing places object {num} inside the signed bytes"
            ));
        }
    }
    Ok(())
}

/// The offset the last `startxref` of `signed` names: the signed revision's own table.
fn signed_startxref(signed: &[u8]) -> Option<usize> {
    let from = signed.len().saturating_sub(1024);
    let tail = &signed[from..];
    let sx = tail.windows(9).rposition(|w| w == b"startxref")?;
    std::str::from_utf8(&tail[sx + 9..])
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Where the bytes after the file's last `%%EOF` start.
fn last_eof(bytes: &[u8]) -> Option<usize> {
    let from = bytes.len().saturating_sub(1024);
    bytes[from..]
        .windows(5)
        .rposition(|w| w == b"%%EOF")
        .map(|i| from + i + 5)
}

impl Signed {
    /// Walks the signed revision from its catalog and its Info dictionary, noting where
    /// each object is used and the places of the catalog, pages, annotations and form.
    fn read(file: &PdfFile, table: &Table, root: u32, trailer: &Obj) -> Result<Signed, String> {
        let mut s = Signed {
            table: table.clone(),
            root,
            uses: HashMap::new(),
            dangling: HashSet::new(),
            pages: HashSet::new(),
            annots: HashSet::new(),
            form: None,
            fields: None,
            empty_fields: HashSet::new(),
            empty_widgets: HashSet::new(),
        };
        let catalog = file.object_in(table, root)?;
        let mut stack: Vec<(u32, u8)> = vec![(root, DOC)];
        if let Obj::Dict(entries) = &catalog.value {
            for (key, v, _) in entries {
                let use_ = match key.as_str() {
                    "DSS" => DSS,
                    "Metadata" => META,
                    _ => DOC,
                };
                let mut refs = Vec::new();
                collect_refs(v, &mut refs, 0);
                stack.extend(refs.into_iter().map(|n| (n, use_)));
            }
        }
        if let Some(v) = trailer.get("Info") {
            let mut refs = Vec::new();
            collect_refs(v, &mut refs, 0);
            stack.extend(refs.into_iter().map(|n| (n, INFO)));
        }
        let mut seen: HashSet<(u32, u8)> = HashSet::new();
        while let Some((num, use_)) = stack.pop() {
            if !seen.insert((num, use_)) {
                continue;
            }
            crate::budget::check_every(seen.len(), 1024)?;
            let Some(&at) = table.get(&num) else {
                s.dangling.insert(num);
                continue;
            };
            let u = s.uses.entry(num).or_default();
            match use_ {
                DOC => u.document = true,
                DSS => u.dss = true,
                META => u.metadata = true,
                _ => u.info = true,
            }
            if num == root {
                continue; // its entries were pushed above, each with its own use
            }
            let found = file.object_rc(num, at)?;
            let mut refs = Vec::new();
            collect_refs(&found.value, &mut refs, 0);
            stack.extend(refs.into_iter().map(|n| (n, use_)));
        }
        for page in file.pages_in(table, root, 100_000)? {
            s.pages.insert(page);
            if let Some(Obj::Ref(a)) = file.object_in(table, page)?.value.get("Annots") {
                s.annots.insert(*a);
            }
        }
        if let Some(form) = catalog.value.get("AcroForm") {
            if let Obj::Ref(n) = form {
                s.form = Some(*n);
            }
            let form = resolve(file, table, form)?;
            if let Some(fields) = form.get("Fields") {
                if let Obj::Ref(n) = fields {
                    s.fields = Some(*n);
                }
                s.find_empty_fields(file, &resolve(file, table, fields)?)?;
            }
        }
        Ok(s)
    }

    /// Notes the signature fields of the field tree that have no value, and their widgets.
    fn find_empty_fields(&mut self, file: &PdfFile, fields: &Obj) -> Result<(), String> {
        let mut stack: Vec<(u32, usize)> = refs_of(fields).into_iter().map(|n| (n, 0)).collect();
        let mut seen = HashSet::new();
        while let Some((num, depth)) = stack.pop() {
            if depth > 16 || !seen.insert(num) {
                continue;
            }
            let Ok(field) = file.object_in(&self.table, num) else {
                continue;
            };
            let kids = field.value.get("Kids").map(refs_of).unwrap_or_default();
            let is_sig = field.value.get("FT").and_then(Obj::as_name) == Some("Sig");
            if is_sig && field.value.get("V").is_none() {
                self.empty_fields.insert(num);
                self.empty_widgets.extend(kids.iter().copied());
            }
            stack.extend(kids.into_iter().map(|k| (k, depth + 1)));
        }
        Ok(())
    }
}

const DOC: u8 = 0;
const DSS: u8 = 1;
const META: u8 = 2;
const INFO: u8 = 3;

/// What the rules read: the two states of the file, what was added, and the signed
/// revision's places.
struct Cx<'f, 'a> {
    file: &'f PdfFile<'a>,
    old: &'f Table,
    new: &'f Table,
    added: &'f HashSet<u32>,
    signed: &'f Signed,
}

impl Cx<'_, '_> {
    /// Whether a later revision may rewrite object `num` from `a` to `b`, by its place in the
    /// signed document; else what changed.
    fn rewritten(&self, num: u32, a: &Obj, b: &Obj, ex: &mut Explained) -> Result<(), String> {
        let s = self.signed;
        let uses = s.uses.get(&num).copied().unwrap_or_default();
        if num == s.root {
            return self.catalog(a, b, ex);
        }
        if Some(num) == s.form {
            return self.form(a, b, ex);
        }
        if Some(num) == s.fields {
            return self.fields(Some(a), Some(b), ex);
        }
        if s.pages.contains(&num) {
            if !same(a, b, &["Annots"]) {
                return Err(format!("page object {num} was changed"));
            }
            return self.annotations(a.get("Annots"), b.get("Annots"), ex);
        }
        if s.annots.contains(&num) {
            return self.annotations(Some(a), Some(b), ex);
        }
        if s.empty_fields.contains(&num) || s.empty_widgets.contains(&num) {
            return self.signing(num, a, b, ex);
        }
        if !uses.document {
            if uses.dss {
                // The store's structure is checked once, from the catalog.
                ex.dss_touched = true;
                return Ok(());
            }
            if uses.metadata && b.get("Type").and_then(Obj::as_name) != Some("Metadata") {
                return Err(format!(
                    "the metadata object {num} was replaced by something else"
                ));
            }
            if uses.metadata || uses.info {
                let mut refs = Vec::new();
                collect_refs(b, &mut refs, 0);
                for n in refs {
                    self.explain_tree(n, ex)?;
                }
                return Ok(());
            }
        }
        let kind = a.get("Type").and_then(Obj::as_name).unwrap_or("");
        Err(format!(
            "object {num}{} was changed",
            if kind.is_empty() {
                String::new()
            } else {
                format!(" (/{kind})")
            }
        ))
    }

    /// The catalog: only the keys PAdES updates write may differ, each checked.
    fn catalog(&self, a: &Obj, b: &Obj, ex: &mut Explained) -> Result<(), String> {
        if !same(a, b, &CATALOG_KEYS) {
            return Err("the document catalog was changed beyond validation data".into());
        }
        let (fa, fb) = (a.get("AcroForm"), b.get("AcroForm"));
        match (fa, fb) {
            (Some(_), None) => return Err("the form was removed".into()),
            (None, None) => {}
            (_, Some(f)) if differs(fa, fb) => {
                if let Obj::Ref(n) = f {
                    self.added_or_same(*n, fa, "the form")?;
                    ex.objects.insert(*n);
                }
                let old = match fa {
                    Some(o) => resolve(self.file, self.old, o)?,
                    None => Obj::Dict(Vec::new()),
                };
                self.form(&old, &resolve(self.file, self.new, f)?, ex)?;
            }
            (_, Some(_)) => {}
        }
        let (da, db) = (a.get("DSS"), b.get("DSS"));
        match db {
            None if da.is_some() => return Err("the document security store was removed".into()),
            None => {}
            Some(v) => {
                if let Obj::Ref(n) = v {
                    self.added_or_same(*n, da, "the document security store")?;
                    ex.objects.insert(*n);
                }
                self.dss(&resolve(self.file, self.new, v)?, ex)?;
            }
        }
        if differs(a.get("Version"), b.get("Version"))
            && !matches!(b.get("Version"), None | Some(Obj::Name(_)))
        {
            return Err("the catalog's /Version was set to something other than a name".into());
        }
        for key in ["Metadata", "Extensions", "MarkInfo"] {
            if let Some(Obj::Ref(n)) = b.get(key) {
                if differs(a.get(key), b.get(key)) {
                    self.added_or_same(*n, None, key)?;
                    self.explain_tree(*n, ex)?;
                }
            }
        }
        Ok(())
    }

    /// `num` is an object added after signing, or the one `old` named.
    fn added_or_same(&self, num: u32, old: Option<&Obj>, what: &str) -> Result<(), String> {
        if self.added.contains(&num) || old == Some(&Obj::Ref(num)) {
            Ok(())
        } else {
            Err(format!(
                "{what} was pointed at object {num}, which the signed document already used"
            ))
        }
    }

    /// Explains the added objects the values under `keys` of `dict` lead to.
    fn explain_entries(&self, dict: &Obj, keys: &[&str], ex: &mut Explained) -> Result<(), String> {
        for key in keys {
            if let Some(v) = dict.get(key) {
                let mut refs = Vec::new();
                collect_refs(v, &mut refs, 0);
                for n in refs {
                    self.explain_tree(n, ex)?;
                }
            }
        }
        Ok(())
    }

    /// Explains `num`, when it was added, and every added object it leads to (objects of
    /// the signed revision it refers to are not followed: they are unchanged or checked).
    fn explain_tree(&self, num: u32, ex: &mut Explained) -> Result<(), String> {
        let mut stack = vec![num];
        while let Some(n) = stack.pop() {
            if !self.added.contains(&n) || !ex.objects.insert(n) {
                continue;
            }
            crate::budget::check_every(ex.objects.len(), 1024)?;
            collect_refs(&self.file.object_in(self.new, n)?.value, &mut stack, 0);
        }
        Ok(())
    }
}

/// A value, followed through `table` when it is a reference.
fn resolve(file: &PdfFile, table: &Table, v: &Obj) -> Result<Obj, String> {
    match v {
        Obj::Ref(n) => Ok(file.object_in(table, *n)?.value.clone()),
        other => Ok(other.clone()),
    }
}

/// The references an array holds (or the one a single reference is).
fn refs_of(o: &Obj) -> Vec<u32> {
    match o {
        Obj::Ref(n) => vec![*n],
        Obj::Array(items) => items
            .iter()
            .filter_map(|i| match i {
                Obj::Ref(n) => Some(*n),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Every reference inside a value.
fn collect_refs(o: &Obj, out: &mut Vec<u32>, depth: usize) {
    if depth > 32 {
        return;
    }
    match o {
        Obj::Ref(n) => out.push(*n),
        Obj::Array(items) => items.iter().for_each(|i| collect_refs(i, out, depth + 1)),
        Obj::Dict(entries) => entries
            .iter()
            .for_each(|(_, v, _)| collect_refs(v, out, depth + 1)),
        _ => {}
    }
}

/// An object rewritten with the same value (and, for a stream, the same data as written).
fn same_object(file: &PdfFile, old: &Table, new: &Table, num: u32, a: &Obj, b: &Obj) -> bool {
    if !same(a, b, &[]) {
        return false;
    }
    let raw = |t: &Table| t.get(&num).and_then(|&at| file.raw_stream_at(num, at).ok());
    match (raw(old), raw(new)) {
        (None, None) => true,
        (Some((_, x)), Some((_, y))) => x == y,
        _ => false,
    }
}

/// Whether an entry was added, removed or changed.
fn differs(a: Option<&Obj>, b: Option<&Obj>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => !same(a, b, &[]),
        (None, None) => false,
        _ => true,
    }
}

/// Two values are the same, the keys `except` of a dictionary ignored.
fn same(a: &Obj, b: &Obj, except: &[&str]) -> bool {
    match (a, b) {
        (Obj::Dict(x), Obj::Dict(y)) => {
            let keep = |d: &Vec<(String, Obj, std::ops::Range<usize>)>| -> Vec<(String, Obj)> {
                let mut v: Vec<(String, Obj)> = d
                    .iter()
                    .filter(|(k, _, _)| !except.contains(&k.as_str()))
                    .map(|(k, v, _)| (k.clone(), v.clone()))
                    .collect();
                v.sort_by(|p, q| p.0.cmp(&q.0));
                v
            };
            let (x, y) = (keep(x), keep(y));
            x.len() == y.len()
                && x.iter()
                    .zip(&y)
                    .all(|((k1, v1), (k2, v2))| k1 == k2 && same(v1, v2, &[]))
        }
        (Obj::Array(x), Obj::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q, &[]))
        }
        _ => a == b,
    }
}
