//! `serve --watch-templates`: the templates directory is read every few hundred milliseconds
//! and, when any file in it changed, loaded again through [`Engine::reload_templates`] — proven
//! against every kind's example before it takes effect, the last good templates kept otherwise.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::engine::Engine;

/// How often the directory is read.
pub const INTERVAL: Duration = Duration::from_millis(200);

/// The most files (and folders) one look at the directory reads; more are not watched.
const MAX_FILES: usize = 2_000;

/// Watches the engine's templates directory on a thread of its own for as long as the
/// process runs.
pub fn spawn(engine: Arc<Engine>) -> Result<(), String> {
    let dir = engine
        .templates_dir()
        .ok_or("--watch-templates needs a templates directory (COLLABDOCS_TEMPLATES_DIR)")?
        .to_path_buf();
    if !dir.is_dir() {
        return Err(format!(
            "--watch-templates: {} is not a directory",
            dir.display()
        ));
    }
    // Taken before the thread starts, so a change made right after this returns is seen.
    let mut seen = fingerprint(&dir);
    std::thread::Builder::new()
        .name("template-watch".into())
        .spawn(move || loop {
            std::thread::sleep(INTERVAL);
            let now = fingerprint(&dir);
            if now == seen {
                continue;
            }
            seen = now;
            match engine.reload_templates() {
                Ok(generation) => tracing::info!(generation, "templates reloaded"),
                Err(e) => {
                    tracing::warn!(error = %e, "templates not reloaded; the last good ones stay")
                }
            }
        })
        .map(|_| ())
        .map_err(|e| format!("cannot start the template watcher: {e}"))
}

/// A hash of every template file's path and content under `dir`.
pub fn fingerprint(dir: &Path) -> u64 {
    let mut files = Vec::new();
    collect(dir, &mut files, 0);
    files.sort();
    let mut h = DefaultHasher::new();
    for path in files {
        path.hash(&mut h);
        hash_content(&path, &mut h);
    }
    h.finish()
}

/// Streams a file into the hash a buffer at a time, so a huge file costs time, not memory.
fn hash_content(path: &Path, h: &mut DefaultHasher) {
    use std::io::Read;
    let Ok(mut file) = std::fs::File::open(path) else {
        return;
    };
    let mut buf = [0u8; 16 * 1024];
    while let Ok(n) = file.read(&mut buf) {
        if n == 0 {
            break;
        }
        h.write(&buf[..n]);
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if out.len() >= MAX_FILES {
            return;
        }
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() && depth < 3 {
            collect(&path, out, depth + 1);
        } else if path
            .extension()
            .is_some_and(|e| e == "hbs" || e == "docx" || e == "json")
        {
            out.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_follows_content_new_files_and_nothing_else() {
        let dir = std::env::temp_dir().join(format!("collabdocs-fp-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("partials")).unwrap();
        std::fs::write(dir.join("a.hbs"), "甲").unwrap();
        std::fs::write(dir.join("notes.txt"), "x").unwrap();
        let first = fingerprint(&dir);
        assert_eq!(fingerprint(&dir), first);
        std::fs::write(dir.join("notes.txt"), "changed").unwrap();
        assert_eq!(fingerprint(&dir), first, "only templates count");
        std::fs::write(dir.join("a.hbs"), "乙").unwrap();
        let second = fingerprint(&dir);
        assert_ne!(second, first, "same length, other content");
        std::fs::write(dir.join("partials/b.hbs"), "").unwrap();
        assert_ne!(fingerprint(&dir), second, "a new partial");
        std::fs::remove_dir_all(&dir).ok();
    }
}
