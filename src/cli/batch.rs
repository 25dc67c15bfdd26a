//! `collabdocs batch`: many documents from a jobs file into a directory or a ZIP, with a
//! progress bar on a terminal and a summary of what failed.

use std::io::{IsTerminal, Read};
use std::path::Path;

use super::describe;
use crate::batch::{self, BatchItem, ManifestEntry};
use crate::config::EngineSettings;
use crate::engine::Engine;
use crate::error::{Error, FieldError};

pub(super) fn batch(
    jobs: &Path,
    out_dir: Option<&Path>,
    zip: Option<&Path>,
    workers: usize,
    fail_fast: bool,
    settings: &EngineSettings,
) -> Result<(), String> {
    let engine = Engine::new(settings.engine_options()?).map_err(|e| e.to_string())?;
    let items = read_jobs(jobs, &engine, 1_000_000)?;
    if fail_fast {
        batch::check_all(&engine, &items).map_err(|e| describe(&e))?;
    }
    let total = items.len();
    let workers = if workers == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        workers
    };
    let started = std::time::Instant::now();
    let tty = std::io::stderr().is_terminal();
    let progress = |i: usize, _: &ManifestEntry| {
        if tty {
            let done = i + 1;
            let filled = done * 30 / total.max(1);
            eprint!(
                "\r[{}{}] {done}/{total}",
                "#".repeat(filled),
                " ".repeat(30 - filled)
            );
        }
    };
    let manifest = match (out_dir, zip) {
        (_, Some(zip_path)) => {
            let file = std::fs::File::create(zip_path)
                .map_err(|e| format!("creating {}: {e}", zip_path.display()))?;
            batch::to_zip(
                &engine,
                items,
                workers,
                std::io::BufWriter::new(file),
                progress,
            )
            .map_err(|e| describe(&e))?
        }
        (Some(dir), None) => {
            std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
            let manifest = batch::run(
                &engine,
                items,
                workers,
                |name, bytes| {
                    std::fs::write(dir.join(name), bytes)
                        .map_err(|e| Error::Internal(format!("writing {name}: {e}")))
                },
                progress,
            )
            .map_err(|e| describe(&e))?;
            let json = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
            std::fs::write(dir.join("manifest.json"), json)
                .map_err(|e| format!("writing manifest.json: {e}"))?;
            manifest
        }
        (None, None) => return Err("give --out-dir DIR or --zip FILE".into()),
    };
    if tty {
        eprintln!();
    }
    report(&manifest, total, started.elapsed().as_secs_f64())
}

/// Reads a jobs file: JSON object with `items`, JSON array, or NDJSON.
fn read_jobs(
    path: &Path,
    engine: &Engine,
    max: usize,
) -> Result<Vec<Result<BatchItem, Vec<FieldError>>>, String> {
    let text = if path.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("reading standard input: {e}"))?;
        s
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?
    };
    let ndjson = path
        .extension()
        .is_some_and(|e| e == "ndjson" || e == "jsonl");
    let value: serde_json::Value = if ndjson {
        let mut items: Vec<serde_json::Value> = Vec::new();
        for (n, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            if items.len() == max {
                return Err(format!(
                    "{}: the batch has more than {max} items; the limit is {max}",
                    path.display()
                ));
            }
            items.push(
                serde_json::from_str(line)
                    .map_err(|e| format!("{} line {}: {e}", path.display(), n + 1))?,
            );
        }
        serde_json::json!({ "items": items })
    } else {
        match batch::parse_json(text.as_bytes(), max)
            .map_err(|e| format!("{}: {}", path.display(), describe(&e)))?
        {
            serde_json::Value::Array(items) => serde_json::json!({ "items": items }),
            other => other,
        }
    };
    batch::parse_body(&value, engine, max, false).map_err(|e| describe(&e))
}

/// Tells on standard error how the batch went, each failed item with its problems; `Err`
/// when any failed.
fn report(manifest: &[ManifestEntry], total: usize, secs: f64) -> Result<(), String> {
    let failed: Vec<&ManifestEntry> = manifest.iter().filter(|m| m.status != "ok").collect();
    for m in &failed {
        let p = m.problem.as_ref();
        eprintln!(
            "item {} failed: {}",
            m.index,
            p.map(|p| p.detail.as_str()).unwrap_or("")
        );
        for e in p.map(|p| p.errors.as_slice()).unwrap_or_default() {
            eprintln!("  {}: {}", e.path, e.message);
        }
    }
    eprintln!(
        "rendered {} of {total} documents in {secs:.2} s ({:.0} docs/s){}",
        total - failed.len(),
        total as f64 / secs.max(1e-9),
        if failed.is_empty() {
            String::new()
        } else {
            format!("; {} failed", failed.len())
        }
    );
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("{} of {total} items failed", failed.len()))
    }
}
