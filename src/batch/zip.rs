//! The batch ZIP: entries in item order, `manifest.json` last, written front to back with
//! the ZIP library's streaming writer (sizes and CRCs in data descriptors after each entry),
//! so it can go out as it is written without seeking back.

use std::io::Write;

use super::{run, ItemResult, ManifestEntry};
use crate::engine::Engine;
use crate::error::Error;

/// Runs a batch into a ZIP written to `out` front to back, with `manifest.json` last.
pub fn to_zip<W: Write>(
    engine: &Engine,
    items: impl IntoIterator<Item = ItemResult, IntoIter: Send>,
    workers: usize,
    out: W,
    progress: impl FnMut(usize, &ManifestEntry),
) -> Result<Vec<ManifestEntry>, Error> {
    let zerr = |e: &dyn std::fmt::Display| Error::Internal(format!("zip: {e}"));
    let mut zip = zip::ZipWriter::new_stream(out);
    let add = |zip: &mut zip::ZipWriter<_>, name: &str, bytes: &[u8]| -> Result<(), Error> {
        zip.start_file(name, crate::render::zip_entry_options(bytes))
            .map_err(|e| zerr(&e))?;
        zip.write_all(bytes).map_err(|e| zerr(&e))
    };
    let manifest = run(
        engine,
        items,
        workers,
        |name, bytes| add(&mut zip, name, bytes),
        progress,
    )?;
    let manifest_json = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
    add(&mut zip, "manifest.json", &manifest_json)?;
    zip.finish()
        .map_err(|e| zerr(&e))?
        .into_inner()
        .flush()
        .map_err(|e| zerr(&e))?;
    Ok(manifest)
}

/// Runs a batch into a ZIP handed to `send` in chunks of about 64 KB as it is written: each
/// file is held only until it is written, whatever the batch's size. A failing `send` (the
/// client left) stops the batch.
pub fn to_zip_stream(
    engine: &Engine,
    items: impl IntoIterator<Item = ItemResult, IntoIter: Send>,
    workers: usize,
    send: impl FnMut(Vec<u8>) -> std::io::Result<()>,
) -> Result<Vec<ManifestEntry>, Error> {
    let out = std::io::BufWriter::with_capacity(64 * 1024, Chunks { send, gone: false });
    to_zip(engine, items, workers, out, |_, _| {})
}

/// A writer that hands every write on as one chunk (behind a `BufWriter`, chunks of its
/// size); once a send failed, nothing more is sent.
struct Chunks<F: FnMut(Vec<u8>) -> std::io::Result<()>> {
    send: F,
    gone: bool,
}

impl<F: FnMut(Vec<u8>) -> std::io::Result<()>> Write for Chunks<F> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.gone {
            return Err(std::io::Error::other("the receiver went away"));
        }
        if let Err(e) = (self.send)(data.to_vec()) {
            self.gone = true;
            return Err(e);
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
