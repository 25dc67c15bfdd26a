//! The batch ZIP: entries in item order, `manifest.json` last, sent out as it is written.

use std::io::{Seek, Write};

use super::{run, ItemResult, ManifestEntry};
use crate::engine::Engine;
use crate::error::Error;

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
