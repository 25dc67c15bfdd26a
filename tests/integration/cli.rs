//! The command line: same engine, same bytes as the service.

use std::process::Command;

use collabdocs::kinds::DocumentKind;

use crate::common::*;

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_collabdocs"))
}

fn tmp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("collabdocs-cli-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

#[actix_web::test]
async fn render_writes_the_same_bytes_as_the_service() {
    let input = tmp("minutes.json");
    std::fs::write(&input, DocumentKind::MeetingMinutes.example()).unwrap();
    for format in formats() {
        let out = tmp(&format!("minutes.{format}"));
        let status = bin()
            .args(["render", "meeting-minutes", "-i"])
            .arg(&input)
            .args(["-f", format, "-o"])
            .arg(&out)
            .status()
            .unwrap();
        assert!(status.success());
        let http = render(
            "meeting-minutes",
            format,
            &example(DocumentKind::MeetingMinutes),
        )
        .await
        .body;
        assert!(
            std::fs::read(&out).unwrap() == http,
            "{format}: CLI and HTTP differ"
        );
    }
}

#[test]
fn render_reports_every_problem_and_exits_non_zero() {
    let input = tmp("bad.json");
    std::fs::write(&input, r#"{"project": {}, "parties": ["甲"], "tasks": []}"#).unwrap();
    let out = bin()
        .args(["render", "raci-matrix", "-i"])
        .arg(&input)
        .args(["-f", "pdf", "-o", "-"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("/project/name") && err.contains("/tasks"),
        "{err}"
    );
}

#[test]
fn batch_writes_files_and_a_manifest_and_fails_when_an_item_fails() {
    let jobs = tmp("jobs.ndjson");
    let good = serde_json::json!({"kind": "raci-matrix", "format": "pdf", "filename": "矩阵", "data": example(DocumentKind::RaciMatrix)});
    let bad = serde_json::json!({"kind": "raci-matrix", "format": "pdf", "data": {"project": {}}});
    std::fs::write(&jobs, format!("{good}\n\n{bad}\n")).unwrap();
    let dir = tmp("out");
    let out = bin()
        .arg("batch")
        .arg(&jobs)
        .arg("--out-dir")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success(), "a failed item must fail the run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("/items/1/data/project/name") && err.contains("rendered 1 of 2"),
        "{err}"
    );
    assert!(std::fs::read(dir.join("矩阵.pdf"))
        .unwrap()
        .starts_with(b"%PDF-"));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest[1]["status"], "error");

    let ok = tmp("ok.json");
    std::fs::write(&ok, serde_json::json!({"items": [good]}).to_string()).unwrap();
    let zip_path = tmp("out.zip");
    let status = bin()
        .arg("batch")
        .arg(&ok)
        .arg("--zip")
        .arg(&zip_path)
        .status()
        .unwrap();
    assert!(status.success());
    assert!(zip_names(&std::fs::read(&zip_path).unwrap()).contains(&"manifest.json".to_string()));
}

#[test]
fn example_and_kinds_print_what_the_service_serves() {
    let out = bin().args(["example", "agreement"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v, example(DocumentKind::Agreement));
    let kinds = String::from_utf8(bin().arg("kinds").output().unwrap().stdout).unwrap();
    assert!(kinds.contains("meeting-minutes") && kinds.contains("跨部门会议纪要"));
    assert!(!bin().args(["example", "nope"]).status().unwrap().success());
}

#[test]
fn openapi_prints_the_committed_document_and_states_the_limits_given() {
    let out = bin().arg("openapi").output().unwrap();
    assert!(out.status.success());
    let committed =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json")).unwrap();
    assert!(
        out.stdout == committed,
        "collabdocs openapi = openapi/openapi.json"
    );
    let path = tmp("openapi-small.json");
    let st = bin()
        .args(["openapi", "--max-string-chars", "500", "-o"])
        .arg(&path)
        .status()
        .unwrap();
    assert!(st.success());
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(
        doc["components"]["schemas"]["Agreement"]["properties"]["title"]["maxLength"],
        500
    );
}

/// One HTTP/1.1 request over a plain socket; returns the status line and body.
fn http(port: u16, method: &str, path: &str, body: &[u8]) -> std::io::Result<(String, Vec<u8>)> {
    http_with(port, method, path, "", body)
}

/// The same with extra header lines (each ending in `\r\n`).
pub fn http_with(
    port: u16,
    method: &str,
    path: &str,
    headers: &str,
    body: &[u8],
) -> std::io::Result<(String, Vec<u8>)> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(60)))?;
    write!(s, "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n", body.len())?;
    s.write_all(body)?;
    let mut out = Vec::new();
    s.read_to_end(&mut out)?;
    let text = String::from_utf8_lossy(&out);
    let status = text.lines().next().unwrap_or_default().to_string();
    Ok((status, out))
}

#[cfg(unix)]
#[test]
fn sigterm_drains_lets_requests_in_flight_finish_and_exits() {
    let port = 20000 + (std::process::id() % 20000) as u16;
    let mut child = bin()
        .args([
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--drain-secs",
            "1",
        ])
        .env("COLLABDOCS_LOG", "warn")
        .spawn()
        .unwrap();
    let ready = (0..100).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(100));
        http(port, "GET", "/readyz", b"").is_ok_and(|(s, _)| s.contains("200"))
    });
    assert!(ready, "the service did not become ready");
    let health = bin()
        .args(["health", "--addr", &format!("127.0.0.1:{port}")])
        .status()
        .unwrap();
    assert!(
        health.success(),
        "collabdocs health failed against a live service"
    );
    // HEAD is answered as GET, without the body (load balancers check health with it).
    for path in ["/healthz", "/readyz", "/openapi.json"] {
        let (status, raw) = http(port, "HEAD", path, b"").unwrap();
        assert!(status.contains(" 200 "), "HEAD {path}: {status}");
        let head_end = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        assert_eq!(raw.len(), head_end, "HEAD {path} carries no body");
    }
    let mut m = example(DocumentKind::MeetingMinutes);
    m["title"] = serde_json::json!("__collabdocs_fault_slow__");
    let body = serde_json::to_vec(&m).unwrap();
    let slow = std::thread::spawn(move || {
        http(
            port,
            "POST",
            "/v1/documents/meeting-minutes?format=html",
            &body,
        )
    });
    std::thread::sleep(std::time::Duration::from_millis(150));
    assert!(Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap()
        .success());
    std::thread::sleep(std::time::Duration::from_millis(200));
    let (status, _) = http(port, "GET", "/readyz", b"").expect("still serving while draining");
    assert!(status.contains("503"), "readyz while draining: {status}");
    let (status, _) = slow
        .join()
        .unwrap()
        .expect("the request in flight got an answer");
    assert!(status.contains("200"), "the request in flight: {status}");
    let code = (0..100).find_map(|_| {
        std::thread::sleep(std::time::Duration::from_millis(100));
        child.try_wait().unwrap()
    });
    assert!(
        code.is_some_and(|c| c.success()),
        "the service did not exit cleanly: {code:?}"
    );
}

#[test]
fn a_client_too_slow_to_send_its_request_is_cut_off() {
    use std::io::{Read, Write};
    let port = 20000 + ((std::process::id() + 7919) % 20000) as u16;
    let mut child = bin()
        .args([
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--client-timeout-ms",
            "300",
        ])
        .env("COLLABDOCS_LOG", "warn")
        .spawn()
        .unwrap();
    let ready = (0..100).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(100));
        http(port, "GET", "/healthz", b"").is_ok()
    });
    assert!(ready, "the service did not start");
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(b"POST /v1/documents/raci-matrix HTTP/1.1\r\nHost: x\r\n")
        .unwrap(); // never finishes
    s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let started = std::time::Instant::now();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let waited = started.elapsed();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        waited < std::time::Duration::from_secs(4),
        "the slow client was not cut off ({waited:?})"
    );
    let text = String::from_utf8_lossy(&buf);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 408"),
        "{text}"
    );
}

#[test]
fn a_bad_setting_stops_start_up_with_a_message_naming_it() {
    let out = bin()
        .arg("serve")
        .env("COLLABDOCS_RENDER_TIMEOUT_MS", "soon")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("render-timeout-ms") && err.contains("soon"),
        "{err}"
    );
    let out = bin()
        .arg("serve")
        .env("COLLABDOCS_FONTS_DIR", "/no/such/fonts")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/fonts"));
}

#[test]
fn signing_settings_that_cannot_work_stop_start_up() {
    // A setting that needs a signing key, with none: start-up fails, and what it says.
    let without_key = |name: &str, value: &str| {
        let out = bin()
            .arg("serve")
            .env(name, value)
            .env_remove("COLLABDOCS_SIGNING_KEY")
            .env_remove("COLLABDOCS_SIGNING_CERT")
            .env_remove("COLLABDOCS_SIGNING_P12")
            .output()
            .unwrap();
        assert!(!out.status.success());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    assert!(
        without_key("COLLABDOCS_SEAL_IMAGE", "/no/such/seal.png").contains("COLLABDOCS_SEAL_IMAGE")
    );
    // A signing key that is not an API key.
    let out = bin()
        .arg("serve")
        .env("COLLABDOCS_API_KEYS", "a,b")
        .env("COLLABDOCS_SIGNING_API_KEYS", "c")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("COLLABDOCS_SIGNING_API_KEYS"));
    // Trust anchors that are not certificates.
    let out = bin()
        .arg("serve")
        .env("COLLABDOCS_TRUST_ANCHORS", "/no/such/roots.pem")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("COLLABDOCS_TRUST_ANCHORS"));
    // Time-stamps and levels: each refusal names the setting.
    let dir = tmp("level-keys");
    let made = bin()
        .args(["dev-cert", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(made.status.success());
    let with_key = |envs: &[(&str, &str)]| {
        let mut c = bin();
        c.arg("serve")
            .env("COLLABDOCS_SIGNING_KEY", dir.join("key.pem"))
            .env("COLLABDOCS_SIGNING_CERT", dir.join("cert.pem"));
        for (k, v) in envs {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        assert!(!out.status.success());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let e = with_key(&[("COLLABDOCS_SIGNATURE_LEVEL", "b-t")]);
    assert!(e.contains("COLLABDOCS_TSA_URL"), "{e}");
    let e = with_key(&[
        ("COLLABDOCS_SIGNATURE_LEVEL", "b-lta"),
        ("COLLABDOCS_TSA_URL", "http://127.0.0.1:1/tsa"),
    ]);
    assert!(e.contains("COLLABDOCS_SIGNING_CHAIN"), "{e}");
    let e = with_key(&[("COLLABDOCS_TSA_URL", "https://tsa.example.com/")]);
    assert!(
        e.contains("COLLABDOCS_TSA_URL") && e.contains("http://"),
        "{e}"
    );
    let e = with_key(&[("COLLABDOCS_SIGNATURE_LEVEL", "b-x")]);
    assert!(e.contains("b-lta"), "{e}");
    assert!(without_key("COLLABDOCS_TSA_URL", "http://127.0.0.1:1/tsa")
        .contains("COLLABDOCS_TSA_URL is set but there is no signing key"));
}

#[test]
fn every_setting_the_service_reads_is_in_the_readme() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let mut missing = Vec::new();
    for file in ["src/config.rs", "src/main.rs"] {
        let code = std::fs::read_to_string(root.join(file)).unwrap();
        for (at, _) in code.match_indices("COLLABDOCS_") {
            let name: String = code[at..]
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || *c == '_' || c.is_ascii_digit())
                .collect();
            if !readme.contains(&name) && !missing.contains(&name) {
                missing.push(name);
            }
        }
    }
    assert!(
        missing.is_empty(),
        "settings missing from the README: {missing:?}"
    );
}
