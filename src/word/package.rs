//! A template's package, read as untrusted input: a ZIP whose entries are counted and whose
//! sizes are checked — declared totals and ratios before anything is inflated, real sizes
//! while it is — and which may hold no macros and no encryption. Parts are inflated only when
//! asked for; the rest are copied into the filled file as they were, compressed bytes and all.

use std::io::{Cursor, Read};

/// How much a template may hold.
#[derive(Debug, Clone, Copy)]
pub struct PackageLimits {
    /// The most entries in the ZIP.
    pub max_entries: usize,
    /// The most bytes one part may inflate to.
    pub max_part_bytes: u64,
    /// The most bytes all parts together may inflate to.
    pub max_total_bytes: u64,
    /// The most one entry may grow when inflated (a ZIP bomb grows by thousands).
    pub max_ratio: u64,
}

impl Default for PackageLimits {
    fn default() -> Self {
        PackageLimits {
            max_entries: 2000,
            max_part_bytes: 32 * 1024 * 1024,
            max_total_bytes: 128 * 1024 * 1024,
            max_ratio: 200,
        }
    }
}

/// A read package: its bytes and its entries' names, in order.
pub struct Package {
    bytes: Vec<u8>,
    pub names: Vec<String>,
}

impl Package {
    /// Opens a package, refusing what no Word template should be. `what` names it in
    /// messages (`the template`, `template.docx`).
    pub fn open(bytes: Vec<u8>, limits: PackageLimits) -> Result<Package, String> {
        if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
            return Err("is a Word 97–2003 .doc or an encrypted document, not a .docx: save it as a Word document (.docx) without a password".into());
        }
        if !bytes.starts_with(b"PK") {
            return Err("is not a .docx (not a ZIP package)".into());
        }
        let mut zip = zip::ZipArchive::new(Cursor::new(&bytes[..]))
            .map_err(|e| format!("is not a readable ZIP package ({e})"))?;
        if zip.len() > limits.max_entries {
            return Err(format!(
                "has {} entries; a template may have at most {}",
                zip.len(),
                limits.max_entries
            ));
        }
        let mut names = Vec::with_capacity(zip.len());
        let mut total = 0u64;
        for i in 0..zip.len() {
            let f = zip
                .by_index_raw(i)
                .map_err(|e| format!("has an unreadable entry ({e})"))?;
            let name = f
                .name()
                .map_err(|e| format!("has an entry with an unreadable name ({e})"))?
                .to_string();
            if f.encrypted() {
                return Err(format!("has an encrypted entry ({name})"));
            }
            let lower = name.to_ascii_lowercase();
            if lower.ends_with("vbaproject.bin") || lower.ends_with("vbadata.xml") {
                return Err(format!(
                    "holds macros ({name}): macro-enabled documents (.docm) are not templates; save it as a .docx"
                ));
            }
            let (size, packed) = (f.size(), f.compressed_size());
            if size > limits.max_part_bytes {
                return Err(format!(
                    "has an entry ({name}) of {size} bytes inflated; the limit is {} per entry",
                    limits.max_part_bytes
                ));
            }
            if size > 1024 * 1024 && size / packed.max(1) > limits.max_ratio {
                return Err(format!(
                    "has an entry ({name}) that inflates {} times (a ZIP bomb); the limit is {}",
                    size / packed.max(1),
                    limits.max_ratio
                ));
            }
            total = total.saturating_add(size);
            if total > limits.max_total_bytes {
                return Err(format!(
                    "inflates to more than {} bytes in all",
                    limits.max_total_bytes
                ));
            }
            names.push(name);
        }
        let pkg = Package { bytes, names };
        pkg.no_dtd()?;
        let types = pkg.text("[Content_Types].xml", limits)?;
        if types.contains("macroEnabled") {
            return Err("is macro-enabled (.docm/.dotm): save it as a .docx".into());
        }
        Ok(pkg)
    }

    /// Refuses a DTD (and so any entity) in any XML part, also those no tag is in and that
    /// are copied as they are: the reader of the filled file would expand it. A DTD stands
    /// before the root element, so only the start of a part is inflated.
    fn no_dtd(&self) -> Result<(), String> {
        const HEAD: u64 = 4096;
        let mut zip = zip::ZipArchive::new(Cursor::new(&self.bytes[..]))
            .map_err(|e| format!("is not a readable ZIP package ({e})"))?;
        for name in &self.names {
            let lower = name.to_ascii_lowercase();
            if !(lower.ends_with(".xml") || lower.ends_with(".rels")) {
                continue;
            }
            let f = zip
                .by_name(name)
                .map_err(|e| format!("has an unreadable entry {name} ({e})"))?;
            let mut head = Vec::new();
            f.take(HEAD)
                .read_to_end(&mut head)
                .map_err(|e| format!("has a part ({name}) that does not inflate ({e})"))?;
            // The root element: the first `<` not opening a declaration, comment or DTD.
            let root = head
                .windows(2)
                .position(|w| w[0] == b'<' && !matches!(w[1], b'?' | b'!'));
            let prolog = &head[..root.unwrap_or(head.len())];
            if memchr::memmem::find(prolog, b"<!DOCTYPE").is_some()
                || memchr::memmem::find(prolog, b"<!ENTITY").is_some()
            {
                return Err(format!(
                    "has a DTD in {name}: entity declarations are not accepted in a template"
                ));
            }
            if root.is_none() && head.len() as u64 == HEAD {
                return Err(format!(
                    "has a part ({name}) with more than {HEAD} bytes before its root element"
                ));
            }
        }
        Ok(())
    }

    /// The package's bytes as read.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The package written again: each part as it was (copied without inflating it), but
    /// those in `parts`, written as given, and those `skip` names, left out; then the parts
    /// it did not have, in name order. The writer is returned for more to be added.
    pub fn rewrite(
        &self,
        mut parts: std::collections::HashMap<String, String>,
        skip: &dyn Fn(&str) -> bool,
        options: &dyn Fn(&[u8]) -> zip::write::SimpleFileOptions,
    ) -> Result<zip::ZipWriter<Cursor<Vec<u8>>>, zip::result::ZipError> {
        use std::io::Write;
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(self.bytes.len() + 4096)));
        let mut src = zip::ZipArchive::new(Cursor::new(self.bytes()))?;
        for i in 0..src.len() {
            let f = src.by_index_raw(i)?;
            let name = f.name()?.to_string();
            if skip(&name) {
                continue;
            }
            match parts.remove(&name) {
                Some(xml) => {
                    drop(f);
                    out.start_file(&name, options(xml.as_bytes()))?;
                    out.write_all(xml.as_bytes())?;
                }
                None => out.raw_copy_file(f)?,
            }
        }
        let mut added: Vec<(String, String)> = parts.into_iter().collect();
        added.sort();
        for (name, xml) in added {
            out.start_file(&name, options(xml.as_bytes()))?;
            out.write_all(xml.as_bytes())?;
        }
        Ok(out)
    }

    pub fn has(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }

    /// A part inflated as UTF-8 text, held to the limits while it inflates (a declared size
    /// that lies does not help).
    pub fn text(&self, name: &str, limits: PackageLimits) -> Result<String, String> {
        let out = self.binary(name, limits)?;
        let out = out
            .strip_prefix(b"\xEF\xBB\xBF")
            .map(<[u8]>::to_vec)
            .unwrap_or(out);
        String::from_utf8(out).map_err(|_| format!("has a part ({name}) that is not UTF-8"))
    }

    /// A part inflated, held to the limits while it inflates.
    pub fn binary(&self, name: &str, limits: PackageLimits) -> Result<Vec<u8>, String> {
        let mut zip = zip::ZipArchive::new(Cursor::new(&self.bytes[..]))
            .map_err(|e| format!("is not a readable ZIP package ({e})"))?;
        let f = zip
            .by_name(name)
            .map_err(|_| format!("has no part {name}"))?;
        let mut out = Vec::new();
        f.take(limits.max_part_bytes + 1)
            .read_to_end(&mut out)
            .map_err(|e| format!("has a part ({name}) that does not inflate ({e})"))?;
        if out.len() as u64 > limits.max_part_bytes {
            return Err(format!(
                "has a part ({name}) larger than {} bytes inflated",
                limits.max_part_bytes
            ));
        }
        Ok(out)
    }
}

/// A relationship's target as a package name: `media/a.png` from `word` → `word/media/a.png`,
/// `/xl/x.xml` as it is; `..` never climbs out of the package.
pub fn resolve(dir: &str, target: &str) -> String {
    let mut parts: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        dir.split('/').filter(|p| !p.is_empty()).collect()
    };
    for p in target.trim_start_matches('/').split('/') {
        match p {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            p => parts.push(p),
        }
    }
    parts.join("/")
}
