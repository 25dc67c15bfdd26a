//! Batch rendering: many documents, rendered in parallel on every core, written into one ZIP
//! in item order with a `manifest.json`. One bad item does not sink the others.
//!
//! The parts: this module runs a batch ([`run`]); [`request`] reads a batch body,
//! [`names`] makes file names safe and unique, [`zip`] writes the ZIP (streamed or whole).

use std::collections::{BTreeMap, HashSet};
use std::sync::mpsc;

use serde::Serialize;
use serde_json::Value;
use sha2::Digest;

use crate::engine::{Engine, Rendered};
use crate::error::{Error, FieldError, Problem};
use crate::kinds::DocumentKind;
use crate::render::OutputFormat;

mod names;
mod request;
mod zip;

pub use names::safe_filename;
pub use request::{check_all, parse_body, parse_item, parse_json, BatchItemSpec, BatchRequest};
pub use zip::{to_zip, to_zip_stream};

use names::unique;
use request::under;

/// One document to render.
#[derive(Debug, Clone)]
pub struct BatchItem {
    pub kind: ItemKind,
    pub format: OutputFormat,
    pub style: crate::values::Profile,
    pub filename: Option<String>,
    /// A Word template of the kind, filled instead of the built-in layout.
    pub template: Option<String>,
    pub data: Value,
}

/// The kind of a batch item: a built-in kind, or one a Word template folder defines.
#[derive(Debug, Clone)]
pub enum ItemKind {
    Builtin(DocumentKind),
    Folder(crate::engine::Folder),
}

impl ItemKind {
    /// The kind's name (`meeting-minutes`, `travel-request`).
    pub fn name(&self) -> &str {
        match self {
            ItemKind::Builtin(k) => k.slug(),
            ItemKind::Folder(f) => f.name(),
        }
    }
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
    /// What of a Word template's PDF was not carried over (`chart ×2`), as the
    /// `Collabdocs-Unsupported` header says.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unsupported: Vec<String>,
    /// Fonts a Word template names that are not here, as `asked=used`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fonts_substituted: Vec<String>,
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

/// The source behind its lock, with the condition workers wait on for their turn.
struct Feed<I> {
    source: std::sync::Mutex<Source<I>>,
    turn: std::sync::Condvar,
    /// How far ahead of the writer an item may be taken.
    window: usize,
}

impl<I: Iterator<Item = ItemResult>> Feed<I> {
    fn lock(&self) -> std::sync::MutexGuard<'_, Source<I>> {
        self.source.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The next item and its index, once it is within the window of the writer; `None` when
    /// the items are done or the batch stopped.
    fn take(&self) -> Option<(usize, ItemResult)> {
        let mut src = self.lock();
        while !src.stopped && src.next >= src.written + self.window {
            src = self.turn.wait(src).unwrap_or_else(|p| p.into_inner());
        }
        if src.stopped {
            return None;
        }
        let item = src.items.next()?;
        src.next += 1;
        Some((src.next - 1, item))
    }

    fn written(&self, n: usize) {
        self.lock().written = n;
        self.turn.notify_all();
    }

    fn stop(&self) {
        self.lock().stopped = true;
        self.turn.notify_all();
    }
}

/// What a worker sends the writer: the item's index, the item, and how its render went.
type Done = (usize, Option<BatchItem>, Outcome);

/// Renders one item, its render cancelled when `cancel` is set; a panic is an error.
fn render_item(
    engine: &Engine,
    item: &ItemResult,
    cancel: &std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> Outcome {
    match item {
        Ok(it) => {
            let _budget = crate::budget::watch(None, Some(cancel.clone()));
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let kind = match &it.kind {
                    ItemKind::Builtin(kind) => *kind,
                    ItemKind::Folder(folder) => {
                        if it.template.is_some() || it.style != crate::values::Profile::Standard {
                            return Err(Error::BadRequest(format!(
                                "{} is a kind defined by {}: a {} in its own layout (no style or template)",
                                folder.name(),
                                folder.defined_by(),
                                folder.format_names()
                            )));
                        }
                        return engine.fill_folder(folder, &it.data, it.format);
                    }
                };
                let mut request =
                    crate::engine::Request::new(engine, kind, it.format, it.style, false)?;
                if let Some(name) = &it.template {
                    request = request.with_template(engine, name)?;
                }
                engine.run(&request, &it.data)
            }))
            .unwrap_or_else(|_| Err(Error::Internal("render panicked".into())))
        }
        Err(e) => Err(Error::invalid(e.clone())),
    }
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
    sink: impl FnMut(&str, &[u8]) -> Result<(), Error>,
    progress: impl FnMut(usize, &ManifestEntry),
) -> Result<Vec<ManifestEntry>, Error>
where
    I: IntoIterator<Item = ItemResult>,
    I::IntoIter: Send,
{
    let workers = workers.clamp(1, 64);
    let feed = Feed {
        source: std::sync::Mutex::new(Source {
            items: items.into_iter(),
            next: 0,
            written: 0,
            stopped: false,
        }),
        turn: std::sync::Condvar::new(),
        window: 2 * workers,
    };
    let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (tx, rx) = mpsc::sync_channel::<Done>(feed.window);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let (tx, feed, cancel) = (tx.clone(), &feed, &cancel);
            scope.spawn(move || {
                while let Some((i, item)) = feed.take() {
                    let outcome = render_item(engine, &item, cancel);
                    if tx.send((i, item.ok(), outcome)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let written = write_in_order(rx, &feed, sink, progress);
        if written.is_err() {
            cancel.store(true, std::sync::atomic::Ordering::Relaxed);
            feed.stop();
        }
        written
    })
}

/// Takes the workers' results as they come and writes them in item order, each with its
/// manifest entry. Returns at the first failing write; `rx` is dropped then, which frees any
/// worker blocked sending.
fn write_in_order<I: Iterator<Item = ItemResult>>(
    rx: mpsc::Receiver<Done>,
    feed: &Feed<I>,
    mut sink: impl FnMut(&str, &[u8]) -> Result<(), Error>,
    mut progress: impl FnMut(usize, &ManifestEntry),
) -> Result<Vec<ManifestEntry>, Error> {
    let mut manifest = Vec::new();
    let mut taken = HashSet::new();
    taken.insert("manifest.json".to_string());
    let mut pending: BTreeMap<usize, (Option<BatchItem>, Outcome)> = BTreeMap::new();
    for (i, item, outcome) in rx.iter() {
        pending.insert(i, (item, outcome));
        while let Some((item, outcome)) = pending.remove(&manifest.len()) {
            let index = manifest.len();
            let entry = write_one(index, item.as_ref(), outcome, &mut taken, &mut sink)?;
            progress(index, &entry);
            manifest.push(entry);
            feed.written(manifest.len());
        }
    }
    Ok(manifest)
}

/// Writes one rendered item (or records its problem) and gives its manifest entry.
fn write_one(
    index: usize,
    item: Option<&BatchItem>,
    outcome: Outcome,
    taken: &mut HashSet<String>,
    sink: &mut impl FnMut(&str, &[u8]) -> Result<(), Error>,
) -> Result<ManifestEntry, Error> {
    let mut entry = ManifestEntry {
        index,
        filename: None,
        kind: item.map(|it| it.kind.name().to_string()),
        format: item.map(|it| it.format.extension().to_string()),
        status: "ok".into(),
        bytes: None,
        sha256: None,
        problem: None,
        unsupported: Vec::new(),
        fonts_substituted: Vec::new(),
    };
    match outcome {
        Ok(r) => {
            let wanted = item
                .and_then(|it| it.filename.clone())
                .unwrap_or_else(|| r.filename.clone());
            let name = unique(safe_filename(&wanted, r.format.extension()), taken);
            sink(&name, &r.bytes)?;
            entry.filename = Some(name);
            entry.bytes = Some(r.bytes.len());
            entry.sha256 = Some(crate::values::hex(&sha2::Sha256::digest(&r.bytes)));
            entry.unsupported = r.unsupported;
            entry.fonts_substituted = r.substituted;
        }
        Err(e) => {
            // Payload errors point into the item's data; item errors already carry /items/i.
            let e = match e {
                Error::Invalid(errs, more) if item.is_some() => {
                    Error::Invalid(under(&format!("/items/{index}/data"), errs), more)
                }
                other => other,
            };
            entry.status = "error".into();
            entry.problem = Some(e.problem());
        }
    }
    Ok(entry)
}
