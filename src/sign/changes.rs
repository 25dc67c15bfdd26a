//! What the revisions after a signature changed: only validation data, time-stamps and
//! further signatures (permitted — PAdES B-LT and B-LTA add exactly these), or content.

use std::collections::HashMap;

use super::reader::{Obj, PdfFile};

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
/// (with new signature fields only), the extension level they need, and the metadata.
const CATALOG_KEYS: [&str; 4] = ["DSS", "AcroForm", "Extensions", "Metadata"];

/// Classifies every revision written after `signed_end` (the end of the signed bytes).
/// `trailing`: bytes other than white space follow `signed_end`.
pub fn after(file: &PdfFile, signed_end: usize, trailing: bool) -> After {
    let (signed, later): (Vec<_>, Vec<_>) =
        file.revisions.iter().partition(|r| r.xref_at < signed_end);
    if later.is_empty() {
        return if trailing {
            After::Content("bytes that are no revision were appended".into())
        } else {
            After::Nothing
        };
    }
    let mut state: HashMap<u32, usize> = HashMap::new();
    for r in &signed {
        for &(num, at) in &r.objects {
            match at {
                Some(at) => state.insert(num, at),
                None => state.remove(&num),
            };
        }
    }
    let root = match file.trailer.get("Root") {
        Some(Obj::Ref(n)) => *n,
        _ => return After::Content("the newest trailer has no catalog".into()),
    };
    let mut free = state
        .get(&root)
        .and_then(|&at| file.object_at(root, at).ok())
        .map(|c| dss_parts(file, &c.value))
        .unwrap_or_default();
    if let Some(Obj::Ref(info)) = file.trailer.get("Info") {
        free.push(*info);
    }
    let mut added = Vec::new();
    for r in later {
        for (i, &(num, at)) in r.objects.iter().enumerate() {
            // Each object costs a read or two: stop at the request's deadline.
            if i % 1024 == 1023 {
                if let Err(stop) = crate::budget::check() {
                    return After::Content(format!("the check stopped: {stop}"));
                }
            }
            let Some(at) = at else {
                if state.remove(&num).is_some() {
                    return After::Content(format!("object {num} was deleted"));
                }
                continue;
            };
            let Some(&old_at) = state.get(&num) else {
                state.insert(num, at);
                added.push(num);
                continue;
            };
            if let Err(what) = permitted(file, num, old_at, at, root, &free) {
                return After::Content(what);
            }
            state.insert(num, at);
        }
    }
    match unexplained(file, root, &added) {
        Some(num) => After::Content(format!(
            "object {num} was added, and it is neither validation data nor part of a signature"
        )),
        None => After::Permitted,
    }
}

/// An added object not reached from the document security store, the form's fields or the
/// pages' annotations through added objects only — the first, if any. (Changes to the
/// objects that lead there are checked by [`permitted`].)
fn unexplained(file: &PdfFile, root: u32, added: &[u32]) -> Option<u32> {
    if added.is_empty() {
        return None;
    }
    let mut stack: Vec<u32> = Vec::new();
    let refs = |o: &Obj, stack: &mut Vec<u32>| collect_refs(o, stack, 0);
    if let Ok(catalog) = file.object(root) {
        for key in ["DSS", "AcroForm"] {
            if let Some(v) = catalog.value.get(key) {
                refs(v, &mut stack);
            }
        }
        if let Some(form) = catalog
            .value
            .get("AcroForm")
            .and_then(|f| file.resolve(f).ok())
        {
            refs(&form, &mut stack);
        }
    }
    for page in file.pages(100_000).unwrap_or_default() {
        if let Some(annots) = file
            .object(page)
            .ok()
            .and_then(|p| p.value.get("Annots").cloned())
        {
            refs(&annots, &mut stack);
            if let Ok(list) = file.resolve(&annots) {
                refs(&list, &mut stack);
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    while let Some(num) = stack.pop() {
        if !added.contains(&num) || !seen.insert(num) {
            continue;
        }
        if let Ok(o) = file.object(num) {
            refs(&o.value, &mut stack);
        }
    }
    added.iter().copied().find(|n| !seen.contains(n))
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

/// The objects a later revision may rewrite freely: the document security store's (its
/// dictionary, VRI, arrays) and the catalog's XMP metadata stream.
fn dss_parts(file: &PdfFile, catalog: &Obj) -> Vec<u32> {
    let mut out = Vec::new();
    if let Some(Obj::Ref(xmp)) = catalog.get("Metadata") {
        out.push(*xmp);
    }
    if let Some(Obj::Ref(dss)) = catalog.get("DSS") {
        out.push(*dss);
        if let Ok(d) = file.object(*dss) {
            for key in ["VRI", "Certs", "OCSPs", "CRLs"] {
                if let Some(Obj::Ref(n)) = d.value.get(key) {
                    out.push(*n);
                }
            }
        }
    }
    out
}

/// Whether rewriting object `num` (written at `old`, now at `new`) is a permitted change;
/// else what changed.
fn permitted(
    file: &PdfFile,
    num: u32,
    old: usize,
    new: usize,
    root: u32,
    free: &[u32],
) -> Result<(), String> {
    let read = |at| file.object_at(num, at).map(|f| f.value);
    let (Ok(a), Ok(b)) = (read(old), read(new)) else {
        return Err(format!("object {num} cannot be read in a later revision"));
    };
    if free.contains(&num) {
        return Ok(());
    }
    // Streams compare as written: nothing is decoded to tell that they differ.
    let is_stream = |at| file.raw_stream_at(num, at).ok().map(|(_, raw)| raw);
    if let (Some(x), Some(y)) = (is_stream(old), is_stream(new)) {
        return if x == y && same(&a, &b, &["Length"]) {
            Ok(())
        } else {
            Err(format!("stream {num} was changed"))
        };
    }
    let kind = a.get("Type").and_then(Obj::as_name).unwrap_or("");
    if num == root {
        if !same(&a, &b, &CATALOG_KEYS) {
            return Err("the document catalog was changed beyond validation data".into());
        }
        return only_new_signature_fields(file, a.get("AcroForm"), b.get("AcroForm"));
    }
    if kind == "Page" {
        if !same(&a, &b, &["Annots"]) {
            return Err(format!("page object {num} was changed"));
        }
        return only_new_signatures(file, a.get("Annots"), b.get("Annots"), "annotation");
    }
    if a.get("Fields").is_some() {
        // The form itself, as its own object.
        return only_new_signature_fields(file, Some(&Obj::Ref(num)), Some(&b))
            .and_then(|()| {
                if same(&a, &b, &["Fields", "SigFlags"]) {
                    Ok(())
                } else {
                    Err("the form was changed beyond new signature fields".into())
                }
            })
            .or_else(|_| {
                only_new_signatures(file, a.get("Fields"), b.get("Fields"), "form field")
            });
    }
    if a.get("FT").and_then(Obj::as_name) == Some("Sig") && a.get("V").is_none() {
        // An empty signature field being signed.
        return if same(&a, &b, &["V", "AP"]) {
            Ok(())
        } else {
            Err(format!(
                "signature field {num} was changed beyond its signature"
            ))
        };
    }
    if same(&a, &b, &[]) {
        return Ok(());
    }
    Err(format!(
        "object {num}{} was changed",
        if kind.is_empty() {
            String::new()
        } else {
            format!(" (/{kind})")
        }
    ))
}

/// The form's fields in `new` are those in `old` plus signature fields only.
fn only_new_signature_fields(
    file: &PdfFile,
    old: Option<&Obj>,
    new: Option<&Obj>,
) -> Result<(), String> {
    let fields = |form: Option<&Obj>| -> Option<Obj> {
        let form = file.resolve(form?).ok()?;
        file.resolve(form.get("Fields")?).ok()
    };
    let (old, new) = (fields(old), fields(new));
    only_new_signatures(file, old.as_ref(), new.as_ref(), "form field")
}

/// Every reference in `old` is in `new`, and each one `new` adds is a signature field or
/// its widget.
fn only_new_signatures(
    file: &PdfFile,
    old: Option<&Obj>,
    new: Option<&Obj>,
    what: &str,
) -> Result<(), String> {
    let list = |o: Option<&Obj>| -> Vec<Obj> {
        o.and_then(|o| file.resolve(o).ok())
            .and_then(|o| o.as_array().map(<[Obj]>::to_vec))
            .unwrap_or_default()
    };
    let (old, new) = (list(old), list(new));
    if old.iter().any(|o| !new.contains(o)) {
        return Err(format!("an existing {what} was removed"));
    }
    for added in new.iter().filter(|n| !old.contains(n)) {
        let is_sig = file.resolve(added).is_ok_and(|o| {
            o.get("FT").and_then(Obj::as_name) == Some("Sig")
                || o.get("Parent")
                    .and_then(|p| file.resolve(p).ok())
                    .is_some_and(|p| p.get("FT").and_then(Obj::as_name) == Some("Sig"))
        });
        if !is_sig {
            return Err(format!("a {what} that is not a signature was added"));
        }
    }
    Ok(())
}

/// Two values are the same, byte ranges aside and the keys `except` of a dictionary ignored.
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
