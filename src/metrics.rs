//! Service metrics in the Prometheus text format: requests by route and status, render
//! durations by kind and format, bytes produced; and, given by the render slots, renders in
//! flight and overload refusals.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

/// Upper bounds of the render-duration histogram, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// Counters shared by every worker.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    renders: Mutex<BTreeMap<(String, String), Histogram>>,
    bytes: Mutex<BTreeMap<(String, String), u64>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Metrics {
    pub fn request(&self, method: &str, route: &str, status: u16) {
        *lock(&self.requests)
            .entry((method.to_string(), route.to_string(), status))
            .or_default() += 1;
    }

    pub fn render(&self, kind: &str, format: &str, seconds: f64, bytes: usize) {
        let key = (kind.to_string(), format.to_string());
        let mut r = lock(&self.renders);
        let h = r.entry(key.clone()).or_default();
        for (i, b) in BUCKETS.iter().enumerate() {
            if seconds <= *b {
                h.counts[i] += 1;
            }
        }
        h.count += 1;
        h.sum += seconds;
        drop(r);
        *lock(&self.bytes).entry(key).or_default() += bytes as u64;
    }

    /// The Prometheus text exposition, with the render slots' state.
    pub fn render_text(&self, in_flight: usize, refused: u64) -> String {
        let mut s = String::new();
        s.push_str("# HELP collabdocs_requests_total HTTP requests by method, route and status.\n# TYPE collabdocs_requests_total counter\n");
        for ((m, route, status), n) in lock(&self.requests).iter() {
            let _ = writeln!(s, "collabdocs_requests_total{{method=\"{m}\",route=\"{route}\",status=\"{status}\"}} {n}");
        }
        s.push_str("# HELP collabdocs_render_duration_seconds Time to render one document.\n# TYPE collabdocs_render_duration_seconds histogram\n");
        for ((kind, format), h) in lock(&self.renders).iter() {
            let labels = format!("kind=\"{kind}\",format=\"{format}\"");
            for (b, n) in BUCKETS.iter().zip(h.counts) {
                let _ = writeln!(
                    s,
                    "collabdocs_render_duration_seconds_bucket{{{labels},le=\"{b}\"}} {n}"
                );
            }
            let _ = writeln!(
                s,
                "collabdocs_render_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                s,
                "collabdocs_render_duration_seconds_sum{{{labels}}} {}",
                h.sum
            );
            let _ = writeln!(
                s,
                "collabdocs_render_duration_seconds_count{{{labels}}} {}",
                h.count
            );
        }
        s.push_str("# HELP collabdocs_output_bytes_total Bytes of documents produced.\n# TYPE collabdocs_output_bytes_total counter\n");
        for ((kind, format), n) in lock(&self.bytes).iter() {
            let _ = writeln!(
                s,
                "collabdocs_output_bytes_total{{kind=\"{kind}\",format=\"{format}\"}} {n}"
            );
        }
        let _ = write!(
            s,
            "# HELP collabdocs_renders_in_flight Renders running now.\n# TYPE collabdocs_renders_in_flight gauge\ncollabdocs_renders_in_flight {}\n# HELP collabdocs_overload_refused_total Requests refused with 503 because too many renders were running.\n# TYPE collabdocs_overload_refused_total counter\ncollabdocs_overload_refused_total {}\n",
            in_flight, refused
        );
        s
    }
}
