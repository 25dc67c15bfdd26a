//! collabdocs' side of `bench/peers`: renders a payload N times in process, timing each
//! render like the peers' own loops do (template filled, file built in memory), and prints
//! the times as JSON. Not a criterion benchmark; `bench/peers/run.py` runs it.
//!
//! Usage: cargo bench --bench peers_loop -- PAYLOAD.json FORMAT N OUT   (COLLABDOCS_ARCHIVE=pdfa: the PDF/A copy;
//!        the kind is the one PAYLOAD's file is named after, else meeting-minutes)
//!        cargo bench --bench peers_loop -- --word TEMPLATE.docx DATA.json once|each N OUT
//!        cargo bench --bench peers_loop -- --named TEMPLATES_DIR NAME KIND PAYLOAD.json FORMAT N OUT
//!
//! `--word` fills a Word template with DATA (under `doc`, as `POST /v1/render` without a kind
//! does): `once` reads the template once and fills it N times (a named template), `each`
//! reads it for every document (a template sent with each request, as the peers' loops do).
//!
//! `--named` renders a payload of KIND into the named Word or Excel template of a templates
//! directory (`?template=NAME`), in FORMAT (docx, pdf or html; xlsx for a workbook).

use std::time::Instant;

use collabdocs::engine::{Engine, EngineOptions};
use collabdocs::kinds::DocumentKind;
use collabdocs::render::OutputFormat;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if args.first().map(String::as_str) == Some("--word") {
        return word(&args[1..]);
    }
    if args.first().map(String::as_str) == Some("--named") {
        return named(&args[1..]);
    }
    let [payload, format, n, out] = &args[..] else {
        eprintln!("usage: peers_loop PAYLOAD.json FORMAT N OUT");
        std::process::exit(2);
    };
    // `COLLABDOCS_ARCHIVE=pdfa` measures the PDF/A-3b copy.
    let archive = match std::env::var("COLLABDOCS_ARCHIVE").as_deref() {
        Ok("pdfa") => collabdocs::engine::ArchiveFormat::Pdfa,
        _ => collabdocs::engine::ArchiveFormat::None,
    };
    let engine = Engine::new(EngineOptions {
        archive,
        ..EngineOptions::default()
    })
    .expect("templates load");
    let format = OutputFormat::parse(format).expect("format");
    // The kind the payload's file is named after (`examples/raci-matrix.json`), else the
    // meeting minutes.
    let kind = std::path::Path::new(payload)
        .file_stem()
        .and_then(|s| s.to_str())
        .and_then(DocumentKind::from_slug)
        .unwrap_or(DocumentKind::MeetingMinutes);
    timed(payload, n, out, |value| {
        engine.render(kind, &value, format).expect("renders").bytes
    });
}

/// Renders the payload N times with `render`, each time from its JSON (parsing is part of
/// each render, as it is for a request), writes the last to `out` and prints the times.
fn timed(payload: &str, n: &str, out: &str, mut render: impl FnMut(serde_json::Value) -> Vec<u8>) {
    let body = std::fs::read(payload).expect("payload");
    let n: usize = n.parse().expect("N");
    let mut times = Vec::with_capacity(n);
    let mut last = Vec::new();
    for _ in 0..n {
        let t0 = Instant::now();
        let value = collabdocs::input::json(&body).expect("JSON");
        last = render(value);
        times.push(t0.elapsed().as_secs_f64() * 1e3);
    }
    report(&times, &last, out);
}

fn word(args: &[String]) {
    let [template, data, mode, n, out] = args else {
        eprintln!("usage: peers_loop --word TEMPLATE.docx DATA.json once|each N OUT");
        std::process::exit(2);
    };
    let engine = Engine::new(EngineOptions::default()).expect("templates load");
    let bytes = std::fs::read(template).expect("template");
    let body = std::fs::read(data).expect("data");
    let n: usize = n.parse().expect("N");
    let loaded =
        collabdocs::word::WordTemplate::load(bytes.clone(), Default::default()).expect("template");
    let mut times = Vec::with_capacity(n);
    let mut last = Vec::new();
    for _ in 0..n {
        let t0 = Instant::now();
        let value = collabdocs::input::json(&body).expect("JSON");
        last = match mode.as_str() {
            "once" => loaded
                .fill(&serde_json::json!({ "doc": value }), 8_000_000)
                .expect("fills"),
            _ => {
                engine
                    .fill_uploaded(bytes.clone(), None, &value, OutputFormat::Docx)
                    .expect("fills")
                    .bytes
            }
        };
        times.push(t0.elapsed().as_secs_f64() * 1e3);
    }
    report(&times, &last, out);
}

fn named(args: &[String]) {
    let [dir, name, kind, payload, format, n, out] = args else {
        eprintln!("usage: peers_loop --named TEMPLATES_DIR NAME KIND PAYLOAD.json FORMAT N OUT");
        std::process::exit(2);
    };
    let kind = DocumentKind::from_slug(kind).expect("a kind");
    let engine = Engine::new(EngineOptions {
        templates_dir: Some(dir.into()),
        ..Default::default()
    })
    .expect("templates load");
    let format = OutputFormat::parse(format).expect("format");
    let request = collabdocs::engine::Request::new(
        &engine,
        kind,
        format,
        collabdocs::values::Profile::Standard,
        false,
    )
    .expect("request")
    .with_template(&engine, name)
    .expect("template");
    timed(payload, n, out, |value| {
        engine.run(&request, &value).expect("renders").bytes
    });
}

/// Writes the last document to `out` and prints the times as JSON.
fn report(times: &[f64], last: &[u8], out: &str) {
    std::fs::write(out, last).expect("write");
    println!(
        "{{\"times\": {}, \"bytes\": {}}}",
        serde_json::to_string(times).unwrap(),
        last.len()
    );
}
