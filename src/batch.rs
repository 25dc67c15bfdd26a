//! Batch rendering: many documents, rendered in parallel on every core, written into one ZIP
//! in item order with a `manifest.json`. One bad item does not sink the others.

use std::collections::{BTreeMap, HashSet};
use std::io::{Seek, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use serde::Serialize;
use serde_json::{json, Value};
use sha2::Digest;

use crate::engine::{Engine, Rendered};
use crate::error::{Error, FieldError, Problem};
use crate::input::{clean_text, type_name};
use crate::kinds::DocumentKind;
use crate::render::OutputFormat;

/// One document to render.
#[derive(Debug, Clone)]
pub struct BatchItem {
    pub kind: DocumentKind,
    pub format: OutputFormat,
    pub filename: Option<String>,
    pub data: Value,
}

/// The body of `POST /v1/batch`, as the OpenAPI document describes it (parsed by [`parse_body`]).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchRequest {
    /// The documents to render, at least one (at most `COLLABDOCS_BATCH_MAX_ITEMS`, else 413).
    #[schema(min_items = 1)]
    pub items: Vec<BatchItemSpec>,
}

/// One document of a batch. A `data` payload that breaks its kind's schema or rules does not
/// stop the batch: the item is reported in `manifest.json` (unless `fail_fast=true`).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchItemSpec {
    pub kind: DocumentKind,
    pub format: OutputFormat,
    /// The file's name in the ZIP; made safe (no directories), given the format's extension,
    /// numbered on collision. Default: the document's own name (会议纪要-2026-07-28.pdf).
    #[serde(default)]
    pub filename: Option<String>,
    /// The kind's payload, as `POST /v1/documents/{kind}` takes it.
    pub data: serde_json::Map<String, Value>,
}

/// One line of `manifest.json`.
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ManifestEntry {
    pub index: usize,
    pub filename: Option<String>,
    pub kind: Option<String>,
    pub format: Option<String>,
    /// `ok` or `error`.
    pub status: String,
    pub bytes: Option<usize>,
    /// Hex SHA-256 of the file.
    pub sha256: Option<String>,
    pub problem: Option<Problem>,
}

/// Prefixes every error's pointer with the item's place in the batch.
fn under(prefix: &str, errors: Vec<FieldError>) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|e| FieldError::new(format!("{prefix}{}", e.path), e.message))
        .collect()
}

/// Reads one item; errors carry pointers under `/items/<i>`.
pub fn parse_item(v: &Value, i: usize) -> Result<BatchItem, Vec<FieldError>> {
    let p = format!("/items/{i}");
    let Value::Object(o) = v else {
        return Err(vec![FieldError::new(
            &p,
            format!("must be an object, not {}", type_name(v)),
        )]);
    };
    let mut errors = Vec::new();
    for key in o.keys() {
        if !["kind", "format", "filename", "data"].contains(&key.as_str()) {
            errors.push(FieldError::new(
                format!("{p}/{key}"),
                "is not a known field; known fields: kind, format, filename, data",
            ));
        }
    }
    // A required string field looked up in a closed set.
    let mut lookup = |field: &str, allowed: &str, parse: &dyn Fn(&str) -> bool| -> Option<String> {
        match o.get(field).and_then(Value::as_str) {
            Some(v) if parse(v) => Some(v.to_string()),
            Some(v) => {
                errors.push(FieldError::new(
                    format!("{p}/{field}"),
                    format!("\"{v}\" is not one of {allowed}"),
                ));
                None
            }
            None => {
                errors.push(FieldError::new(
                    format!("{p}/{field}"),
                    "is required (a string)",
                ));
                None
            }
        }
    };
    let kinds: Vec<&str> = DocumentKind::ALL.iter().map(|k| k.slug()).collect();
    let kind = lookup("kind", &kinds.join(", "), &|v| {
        DocumentKind::from_slug(v).is_some()
    })
    .and_then(|v| DocumentKind::from_slug(&v));
    let format = lookup("format", "pdf, docx, xlsx, html", &|v| {
        OutputFormat::parse(v).is_some()
    })
    .and_then(|v| OutputFormat::parse(&v));
    let filename = match o.get("filename") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => {
            errors.push(FieldError::new(
                format!("{p}/filename"),
                format!("must be a string, not {}", type_name(other)),
            ));
            None
        }
    };
    let data = o.get("data").cloned();
    match &data {
        None => errors.push(FieldError::new(format!("{p}/data"), "is required")),
        Some(Value::Object(_)) => {}
        Some(other) => errors.push(FieldError::new(
            format!("{p}/data"),
            format!(
                "must be an object (the kind's payload), not {}",
                type_name(other)
            ),
        )),
    }
    match (kind, format, data, errors.is_empty()) {
        (Some(kind), Some(format), Some(data), true) => Ok(BatchItem {
            kind,
            format,
            filename,
            data,
        }),
        _ => Err(errors),
    }
}

/// Reads a batch body `{"items": [...]}`. A problem in an item's `data` stays with its item; a
/// malformed item (not an object, no known kind or format, an unknown field) stays with it too,
/// unless `strict`, when every such problem is answered at once as one 422.
pub fn parse_body(
    v: &Value,
    max_items: usize,
    strict: bool,
) -> Result<Vec<Result<BatchItem, Vec<FieldError>>>, Error> {
    let Value::Object(o) = v else {
        return Err(Error::Invalid(vec![FieldError::new(
            "",
            format!("must be an object with \"items\", not {}", type_name(v)),
        )]));
    };
    let mut errors = Vec::new();
    for key in o.keys().filter(|k| k.as_str() != "items") {
        errors.push(FieldError::new(
            format!("/{key}"),
            "is not a known field; known fields: items",
        ));
    }
    let items = match o.get("items") {
        Some(Value::Array(a)) if !a.is_empty() => a,
        Some(Value::Array(_)) => {
            errors.push(FieldError::new("/items", "must have at least 1 item"));
            return Err(Error::Invalid(errors));
        }
        Some(other) => {
            errors.push(FieldError::new(
                "/items",
                format!("must be an array, not {}", type_name(other)),
            ));
            return Err(Error::Invalid(errors));
        }
        None => {
            errors.push(FieldError::new("/items", "is required"));
            return Err(Error::Invalid(errors));
        }
    };
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    if items.len() > max_items {
        return Err(Error::TooLarge(format!(
            "the batch has {} items; the limit is {max_items}",
            items.len()
        )));
    }
    let parsed: Vec<_> = items
        .iter()
        .enumerate()
        .map(|(i, v)| parse_item(v, i))
        .collect();
    if strict {
        let malformed: Vec<FieldError> = parsed
            .iter()
            .filter_map(|r| r.as_ref().err())
            .flatten()
            .cloned()
            .collect();
        if !malformed.is_empty() {
            return Err(Error::Invalid(malformed));
        }
    }
    Ok(parsed)
}

/// A file name safe to put in a ZIP or a directory: no path separators, no `..`, no control
/// characters, the right extension, at most 120 characters.
pub fn safe_filename(wanted: &str, ext: &str) -> String {
    let base = wanted.rsplit(['/', '\\']).next().unwrap_or("");
    let mut stem: String = clean_text(base)
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if ":*?\"<>|".contains(c) { '_' } else { c })
        .collect();
    let dotted = format!(".{ext}");
    if stem.to_lowercase().ends_with(&dotted) {
        stem.truncate(stem.len() - dotted.len());
    }
    let stem = stem.trim().trim_matches('.').replace("..", "_");
    let stem: String = stem.chars().take(120).collect();
    let stem = if stem.is_empty() {
        "document".to_string()
    } else {
        stem
    };
    format!("{stem}.{ext}")
}

/// Numbers a name that is already taken: `a.pdf`, `a (2).pdf`, `a (3).pdf` …
fn unique(name: String, taken: &mut HashSet<String>) -> String {
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

/// What happened to one item, before it is written.
type Outcome = Result<Rendered, Error>;

/// Renders every item with up to `workers` threads and hands each result to `sink` in item
/// order (so output is deterministic), returning the manifest. Rendered bytes are dropped as
/// soon as they are written.
pub fn run(
    engine: &Engine,
    items: Vec<Result<BatchItem, Vec<FieldError>>>,
    workers: usize,
    mut sink: impl FnMut(&str, &[u8]) -> Result<(), Error>,
    mut progress: impl FnMut(usize, &ManifestEntry),
) -> Result<Vec<ManifestEntry>, Error> {
    let n = items.len();
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel::<(usize, Outcome)>();
    let mut manifest = Vec::with_capacity(n);
    let mut taken = HashSet::new();
    taken.insert("manifest.json".to_string());
    std::thread::scope(|scope| -> Result<(), Error> {
        for _ in 0..workers.clamp(1, 64).min(n.max(1)) {
            let tx = tx.clone();
            let (items, next) = (&items, &next);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= items.len() {
                    break;
                }
                let outcome = match &items[i] {
                    Ok(item) => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        engine.render(item.kind, &item.data, item.format)
                    }))
                    .unwrap_or_else(|_| Err(Error::Internal("render panicked".into()))),
                    Err(e) => Err(Error::Invalid(e.clone())),
                };
                if tx.send((i, outcome)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let mut pending: BTreeMap<usize, Outcome> = BTreeMap::new();
        let mut want = 0;
        for (i, outcome) in rx.iter() {
            pending.insert(i, outcome);
            while let Some(outcome) = pending.remove(&want) {
                let item = items[want].as_ref().ok();
                let mut entry = ManifestEntry {
                    index: want,
                    filename: None,
                    kind: item.map(|it| it.kind.slug().to_string()),
                    format: item.map(|it| it.format.extension().to_string()),
                    status: "ok".into(),
                    bytes: None,
                    sha256: None,
                    problem: None,
                };
                match outcome {
                    Ok(r) => {
                        let wanted = item
                            .and_then(|it| it.filename.clone())
                            .unwrap_or_else(|| r.filename.clone());
                        let name = unique(safe_filename(&wanted, r.format.extension()), &mut taken);
                        sink(&name, &r.bytes)?;
                        entry.filename = Some(name);
                        entry.bytes = Some(r.bytes.len());
                        entry.sha256 = Some(hex(&sha2::Sha256::digest(&r.bytes)));
                    }
                    Err(e) => {
                        let prefix = format!("/items/{want}/data");
                        let e = match e {
                            // Payload errors point into the item's data; item errors already carry /items/i.
                            Error::Invalid(errs) if item.is_some() => {
                                Error::Invalid(under(&prefix, errs))
                            }
                            other => other,
                        };
                        entry.status = "error".into();
                        entry.problem = Some(e.problem());
                    }
                }
                progress(want, &entry);
                manifest.push(entry);
                want += 1;
            }
        }
        Ok(())
    })?;
    Ok(manifest)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks every item before rendering any (for `fail_fast`): all problems, by pointer.
pub fn check_all(
    engine: &Engine,
    items: &[Result<BatchItem, Vec<FieldError>>],
) -> Result<(), Error> {
    let mut errors = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match item {
            Ok(it) => {
                if let Err(Error::Invalid(e)) = engine.validate(it.kind, &it.data) {
                    errors.extend(under(&format!("/items/{i}/data"), e));
                }
            }
            Err(e) => errors.extend(e.iter().cloned()),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(errors))
    }
}

/// Runs a batch into a ZIP written to `out`, with `manifest.json` last.
pub fn to_zip<W: Write + Seek>(
    engine: &Engine,
    items: Vec<Result<BatchItem, Vec<FieldError>>>,
    workers: usize,
    out: W,
    progress: impl FnMut(usize, &ManifestEntry),
) -> Result<Vec<ManifestEntry>, Error> {
    to_zip_marked(
        engine,
        items,
        workers,
        out,
        &EntryMarks::default(),
        progress,
    )
    .map(|(m, _)| m)
}

/// Runs a batch into a ZIP sent out in chunks as it is written (see [`ZipStream`]): each
/// file is held once, and only until its entry is complete, whatever the batch's size.
pub fn to_zip_stream(
    engine: &Engine,
    items: Vec<Result<BatchItem, Vec<FieldError>>>,
    workers: usize,
    send: impl FnMut(Vec<u8>) -> std::io::Result<()>,
) -> Result<Vec<ManifestEntry>, Error> {
    let marks = std::rc::Rc::new(EntryMarks::default());
    let stream = ZipStream::new(marks.clone(), send);
    let (manifest, stream) = to_zip_marked(engine, items, workers, stream, &marks, |_, _| {})?;
    stream
        .close()
        .map_err(|e| Error::Internal(format!("zip stream: {e}")))?;
    Ok(manifest)
}

/// Where the ZIP writer is, shared with the [`ZipStream`] under it: `end` is how far the
/// archive reaches, `release` the offset before which nothing will be rewritten.
#[derive(Debug, Default)]
pub struct EntryMarks {
    end: std::cell::Cell<u64>,
    release: std::cell::Cell<u64>,
}

fn to_zip_marked<W: Write + Seek>(
    engine: &Engine,
    items: Vec<Result<BatchItem, Vec<FieldError>>>,
    workers: usize,
    out: W,
    marks: &EntryMarks,
    progress: impl FnMut(usize, &ManifestEntry),
) -> Result<(Vec<ManifestEntry>, W), Error> {
    let mut zip = zip::ZipWriter::new(out);
    let zerr = |e: &dyn std::fmt::Display| Error::Internal(format!("zip: {e}"));
    let start = |zip: &mut zip::ZipWriter<W>, name: &str, bytes: &[u8]| -> Result<(), Error> {
        // Starting an entry completes the one before (its header is rewritten with its size
        // and CRC) and puts the new header at the end: from there on, nothing before that
        // end is touched again.
        let end = marks.end.get();
        let options = crate::render::zip_entry_options(bytes);
        zip.start_file(name, options).map_err(|e| zerr(&e))?;
        marks.release.set(end);
        Ok(())
    };
    let manifest = run(
        engine,
        items,
        workers,
        |name, bytes| {
            start(&mut zip, name, bytes)?;
            zip.write_all(bytes).map_err(|e| zerr(&e))
        },
        progress,
    )?;
    let manifest_json = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
    start(&mut zip, "manifest.json", &manifest_json)?;
    zip.write_all(&manifest_json).map_err(|e| zerr(&e))?;
    let out = zip.finish().map_err(|e| zerr(&e))?;
    Ok((manifest, out))
}

/// A `Write + Seek` target that sends the ZIP out as it goes. The ZIP writer seeks back only
/// into the entry it is writing (to fill in the header), so everything before that entry —
/// [`EntryMarks::release`] — is sent and forgotten; only the current entry is buffered.
pub struct ZipStream<F: FnMut(Vec<u8>) -> std::io::Result<()>> {
    marks: std::rc::Rc<EntryMarks>,
    /// Bytes already sent: the buffer starts at this offset.
    sent: u64,
    buf: Vec<u8>,
    pos: u64,
    send: F,
}

impl<F: FnMut(Vec<u8>) -> std::io::Result<()>> ZipStream<F> {
    pub fn new(marks: std::rc::Rc<EntryMarks>, send: F) -> Self {
        Self {
            marks,
            sent: 0,
            buf: Vec::new(),
            pos: 0,
            send,
        }
    }

    /// Sends what lies before the release mark.
    fn release(&mut self) -> std::io::Result<()> {
        let upto = self.marks.release.get().min(self.pos);
        if upto > self.sent {
            let n = (upto - self.sent) as usize;
            let rest = self.buf.split_off(n);
            let chunk = std::mem::replace(&mut self.buf, rest);
            self.sent = upto;
            (self.send)(chunk)?;
        }
        Ok(())
    }

    /// Sends everything left; the archive is complete.
    pub fn close(mut self) -> std::io::Result<()> {
        if !self.buf.is_empty() {
            (self.send)(std::mem::take(&mut self.buf))?;
        }
        Ok(())
    }
}

impl<F: FnMut(Vec<u8>) -> std::io::Result<()>> Write for ZipStream<F> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.release()?;
        let at = (self.pos - self.sent) as usize;
        let overlap = data.len().min(self.buf.len().saturating_sub(at));
        self.buf[at..at + overlap].copy_from_slice(&data[..overlap]);
        self.buf.extend_from_slice(&data[overlap..]);
        self.pos += data.len() as u64;
        self.marks.end.set(self.sent + self.buf.len() as u64);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<F: FnMut(Vec<u8>) -> std::io::Result<()>> Seek for ZipStream<F> {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        let end = self.sent + self.buf.len() as u64;
        let target = match to {
            std::io::SeekFrom::Start(n) => Some(n),
            std::io::SeekFrom::End(d) => end.checked_add_signed(d),
            std::io::SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        match target {
            Some(t) if t >= self.sent && t <= end => {
                self.pos = t;
                Ok(t)
            }
            _ => Err(std::io::Error::other(format!(
                "the ZIP stream cannot seek to {target:?}: {} bytes are already sent",
                self.sent
            ))),
        }
    }
}

/// Splits one project's weekly-progress payload by department: one payload per department
/// (its tasks, and the issues that involve it) plus the whole project, first.
pub fn split_weekly_by_department(data: &Value, format: OutputFormat) -> Vec<BatchItem> {
    let start = data
        .pointer("/week/start")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut out = vec![BatchItem {
        kind: DocumentKind::WeeklyProgress,
        format,
        filename: Some(format!("周进展表-全项目-{start}")),
        data: data.clone(),
    }];
    let fallback = data
        .get("department")
        .and_then(Value::as_str)
        .unwrap_or("未指定部门")
        .to_string();
    let tasks = data
        .get("tasks")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let dept_of = |t: &Value| {
        t.get("department")
            .and_then(Value::as_str)
            .filter(|d| !d.trim().is_empty())
            .unwrap_or(&fallback)
            .to_string()
    };
    let mut departments: Vec<String> = Vec::new();
    for t in &tasks {
        let d = dept_of(t);
        if !departments.contains(&d) {
            departments.push(d);
        }
    }
    for d in departments {
        let mut part = data.clone();
        part["department"] = json!(d);
        part["tasks"] = Value::Array(tasks.iter().filter(|t| dept_of(t) == d).cloned().collect());
        if let Some(Value::Array(issues)) = data.get("issues") {
            part["issues"] = Value::Array(
                issues
                    .iter()
                    .filter(|i| {
                        i.get("departments")
                            .and_then(Value::as_array)
                            .is_some_and(|ds| ds.iter().any(|x| x.as_str() == Some(d.as_str())))
                    })
                    .cloned()
                    .collect(),
            );
        }
        let filename = Some(format!("周进展表-{d}-{start}"));
        out.push(BatchItem {
            kind: DocumentKind::WeeklyProgress,
            format,
            filename,
            data: part,
        });
    }
    out
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
    }

    #[test]
    fn collisions_are_numbered() {
        let mut taken = HashSet::new();
        assert_eq!(unique("a.pdf".into(), &mut taken), "a.pdf");
        assert_eq!(unique("A.pdf".into(), &mut taken), "A (2).pdf");
        assert_eq!(unique("a.pdf".into(), &mut taken), "a (3).pdf");
    }
}
