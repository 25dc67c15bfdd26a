//! Batch rendering: many documents, rendered in parallel on every core, written into one ZIP
//! in item order with a `manifest.json`. One bad item does not sink the others.

use std::collections::{BTreeMap, HashSet};
use std::io::{Seek, Write};
use std::sync::mpsc;

use serde::Serialize;
use serde_json::{json, Value};
use sha2::Digest;

use crate::engine::{Engine, Rendered};
use crate::error::{Error, FieldError, Problem};
use crate::input::type_name;
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
pub fn parse_body(v: &Value, max_items: usize, strict: bool) -> Result<Vec<ItemResult>, Error> {
    let Value::Object(o) = v else {
        return Err(Error::invalid(vec![FieldError::new(
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
            return Err(Error::invalid(errors));
        }
        Some(other) => {
            errors.push(FieldError::new(
                "/items",
                format!("must be an array, not {}", type_name(other)),
            ));
            return Err(Error::invalid(errors));
        }
        None => {
            errors.push(FieldError::new("/items", "is required"));
            return Err(Error::invalid(errors));
        }
    };
    if !errors.is_empty() {
        return Err(Error::invalid(errors));
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
            return Err(Error::invalid(malformed));
        }
    }
    Ok(parsed)
}

/// A file name safe to put in a ZIP or a directory: no path separators, no `..`, no control
/// characters, the right extension, at most 120 characters.
pub fn safe_filename(wanted: &str, ext: &str) -> String {
    let base = wanted.rsplit(['/', '\\']).next().unwrap_or("");
    let mut stem = base
        .trim_matches(|c: char| c == '.' || c.is_whitespace())
        .replace("..", "_");
    let dotted = format!(".{ext}");
    if stem.to_lowercase().ends_with(&dotted) {
        stem.truncate(stem.len() - dotted.len());
    }
    format!("{}.{ext}", crate::kinds::file_name_stem(&stem, 120))
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

/// One item as it comes from the caller: ready to render, or already known to be malformed.
pub type ItemResult = Result<BatchItem, Vec<FieldError>>;

/// The items handed out to the workers, one at a time and never far ahead of the writer.
struct Source<I> {
    items: I,
    /// The index the next item gets.
    next: usize,
    /// How many items the writer has finished.
    written: usize,
    /// Nothing more is handed out: the writer failed or the client left.
    stopped: bool,
}

/// Renders every item with up to `workers` threads and hands each result to `sink` in item
/// order (so output is deterministic), returning the manifest. Items are taken from the
/// iterator one at a time, at most two per worker ahead of the writer, so memory holds a
/// few documents whatever the batch's size; rendered bytes are dropped once written. When
/// `sink` fails (the client left), the workers stop: renders in progress are cancelled
/// ([`crate::budget`]) and no further item is started.
pub fn run<I>(
    engine: &Engine,
    items: I,
    workers: usize,
    mut sink: impl FnMut(&str, &[u8]) -> Result<(), Error>,
    mut progress: impl FnMut(usize, &ManifestEntry),
) -> Result<Vec<ManifestEntry>, Error>
where
    I: IntoIterator<Item = ItemResult>,
    I::IntoIter: Send,
{
    let workers = workers.clamp(1, 64);
    let window = 2 * workers;
    let source = std::sync::Mutex::new(Source {
        items: items.into_iter(),
        next: 0,
        written: 0,
        stopped: false,
    });
    let turn = std::sync::Condvar::new();
    let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let lock = || source.lock().unwrap_or_else(|p| p.into_inner());
    let (tx, rx) = mpsc::sync_channel::<(usize, Option<BatchItem>, Outcome)>(window);
    let mut manifest = Vec::new();
    let mut taken = HashSet::new();
    taken.insert("manifest.json".to_string());
    let result = std::thread::scope(|scope| -> Result<(), Error> {
        for _ in 0..workers {
            let tx = tx.clone();
            let (turn, cancel, lock) = (&turn, cancel.clone(), &lock);
            scope.spawn(move || loop {
                let (i, item) = {
                    let mut src = lock();
                    while !src.stopped && src.next >= src.written + window {
                        src = turn.wait(src).unwrap_or_else(|p| p.into_inner());
                    }
                    if src.stopped {
                        break;
                    }
                    let Some(item) = src.items.next() else {
                        break;
                    };
                    src.next += 1;
                    (src.next - 1, item)
                };
                let outcome = match &item {
                    Ok(it) => {
                        let _budget = crate::budget::watch(None, Some(cancel.clone()));
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            engine.render(it.kind, &it.data, it.format)
                        }))
                        .unwrap_or_else(|_| Err(Error::Internal("render panicked".into())))
                    }
                    Err(e) => Err(Error::invalid(e.clone())),
                };
                if tx.send((i, item.ok(), outcome)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        // Owned here, so a return below drops it and frees any worker blocked sending.
        let rx = rx;
        let stop = |why: Error| {
            cancel.store(true, std::sync::atomic::Ordering::Relaxed);
            lock().stopped = true;
            turn.notify_all();
            Err(why)
        };
        let mut pending: BTreeMap<usize, (Option<BatchItem>, Outcome)> = BTreeMap::new();
        let mut want = 0;
        for (i, item, outcome) in rx.iter() {
            pending.insert(i, (item, outcome));
            while let Some((item, outcome)) = pending.remove(&want) {
                let item = item.as_ref();
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
                        if let Err(e) = sink(&name, &r.bytes) {
                            return stop(e);
                        }
                        entry.filename = Some(name);
                        entry.bytes = Some(r.bytes.len());
                        entry.sha256 = Some(hex(&sha2::Sha256::digest(&r.bytes)));
                    }
                    Err(e) => {
                        let prefix = format!("/items/{want}/data");
                        let e = match e {
                            // Payload errors point into the item's data; item errors already carry /items/i.
                            Error::Invalid(errs, more) if item.is_some() => {
                                Error::Invalid(under(&prefix, errs), more)
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
                lock().written = want;
                turn.notify_all();
            }
        }
        Ok(())
    });
    result.map(|()| manifest)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks every item before rendering any (for `fail_fast`): all problems, by pointer.
pub fn check_all(engine: &Engine, items: &[ItemResult]) -> Result<(), Error> {
    let mut errors = Vec::new();
    let mut more = 0;
    for (i, item) in items.iter().enumerate() {
        let (found, not_listed) = match item {
            Ok(it) => match engine.validate(it.kind, &it.data) {
                Err(Error::Invalid(e, n)) => (under(&format!("/items/{i}/data"), e), n),
                _ => continue,
            },
            Err(e) => (e.clone(), 0),
        };
        more += not_listed;
        let room = crate::error::MAX_LISTED_ERRORS.saturating_sub(errors.len());
        more += found.len().saturating_sub(room);
        errors.extend(found.into_iter().take(room));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(errors, more))
    }
}

/// Runs a batch into a ZIP written to `out`, with `manifest.json` last.
pub fn to_zip<W: Write + Seek>(
    engine: &Engine,
    items: impl IntoIterator<Item = ItemResult, IntoIter: Send>,
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
    items: impl IntoIterator<Item = ItemResult, IntoIter: Send>,
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
    items: impl IntoIterator<Item = ItemResult, IntoIter: Send>,
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

/// Splits one project's weekly-progress payload by department: the whole project first,
/// then one payload per department (its tasks, and the issues that involve it). Returns how
/// many parts there are and the parts, each built only when it is taken.
pub fn split_weekly_by_department(
    data: Value,
    format: OutputFormat,
) -> (usize, impl Iterator<Item = BatchItem> + Send) {
    let start = data
        .pointer("/week/start")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let fallback = data
        .get("department")
        .and_then(Value::as_str)
        .unwrap_or("未指定部门")
        .to_string();
    let dept_of = move |t: &Value| -> String {
        t.get("department")
            .and_then(Value::as_str)
            .filter(|d| !d.trim().is_empty())
            .unwrap_or(&fallback)
            .to_string()
    };
    let mut departments: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    for t in data
        .get("tasks")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let d = dept_of(t);
        if seen.insert(d.clone()) {
            departments.push(d);
        }
    }
    let data = std::sync::Arc::new(data);
    let whole = {
        let data = data.clone();
        let start = start.clone();
        std::iter::once_with(move || BatchItem {
            kind: DocumentKind::WeeklyProgress,
            format,
            filename: Some(format!("周进展表-全项目-{start}")),
            data: Value::clone(&data),
        })
    };
    let parts = departments.clone().into_iter().map(move |d| {
        let mut part = serde_json::Map::new();
        for (k, v) in data.as_object().into_iter().flatten() {
            if k != "tasks" && k != "issues" {
                part.insert(k.clone(), v.clone());
            }
        }
        part.insert("department".into(), json!(d));
        let tasks = data
            .get("tasks")
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        part.insert(
            "tasks".into(),
            Value::Array(tasks.filter(|t| dept_of(t) == d).cloned().collect()),
        );
        if let Some(Value::Array(issues)) = data.get("issues") {
            let involved = |i: &&Value| {
                i.get("departments")
                    .and_then(Value::as_array)
                    .is_some_and(|ds| ds.iter().any(|x| x.as_str() == Some(d.as_str())))
            };
            part.insert(
                "issues".into(),
                Value::Array(issues.iter().filter(involved).cloned().collect()),
            );
        }
        BatchItem {
            kind: DocumentKind::WeeklyProgress,
            format,
            filename: Some(format!("周进展表-{d}-{start}")),
            data: Value::Object(part),
        }
    });
    (1 + departments.len(), whole.chain(parts))
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
        assert_eq!(safe_filename("con", "pdf"), "_con.pdf");
        assert_eq!(safe_filename("nul.pdf", "pdf"), "_nul.pdf");
        assert_eq!(safe_filename("a\u{202E}b. ", "pdf"), "ab.pdf");
    }

    #[test]
    fn collisions_are_numbered() {
        let mut taken = HashSet::new();
        assert_eq!(unique("a.pdf".into(), &mut taken), "a.pdf");
        assert_eq!(unique("A.pdf".into(), &mut taken), "A (2).pdf");
        assert_eq!(unique("a.pdf".into(), &mut taken), "a (3).pdf");
    }
}
