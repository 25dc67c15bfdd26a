//! collabdocs' side of `bench/peers`: renders a payload N times in process, timing each
//! render like the peers' own loops do (template filled, file built in memory), and prints
//! the times as JSON. Not a criterion benchmark; `bench/peers/run.py` runs it.
//!
//! Usage: cargo bench --bench peers_loop -- PAYLOAD.json FORMAT N OUT

use std::time::Instant;

use collabdocs::engine::{Engine, EngineOptions};
use collabdocs::kinds::DocumentKind;
use collabdocs::render::OutputFormat;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let [payload, format, n, out] = &args[..] else {
        eprintln!("usage: peers_loop PAYLOAD.json FORMAT N OUT");
        std::process::exit(2);
    };
    let engine = Engine::new(EngineOptions::default()).expect("templates load");
    let body = std::fs::read(payload).expect("payload");
    let format = OutputFormat::parse(format).expect("format");
    let n: usize = n.parse().expect("N");
    let mut times = Vec::with_capacity(n);
    let mut last = Vec::new();
    for _ in 0..n {
        let t0 = Instant::now();
        // Parsing the JSON is part of each render, as it is for a request.
        let value = collabdocs::input::json(&body).expect("JSON");
        last = engine
            .render(DocumentKind::MeetingMinutes, &value, format)
            .expect("renders")
            .bytes;
        times.push(t0.elapsed().as_secs_f64() * 1e3);
    }
    std::fs::write(out, &last).expect("write");
    println!(
        "{{\"times\": {}, \"bytes\": {}}}",
        serde_json::to_string(&times).unwrap(),
        last.len()
    );
}
