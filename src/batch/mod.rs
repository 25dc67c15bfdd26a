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
pub use request::{check_all, parse_body, parse_item, BatchItemSpec, BatchRequest};
pub use zip::{to_zip, to_zip_stream};

use names::unique;
use request::under;

/// One document to render.
#[derive(Debug, Clone)]
pub struct BatchItem {
    pub kind: DocumentKind,
    pub format: OutputFormat,
    pub filename: Option<String>,
    pub data: Value,
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
