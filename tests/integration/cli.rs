//! The command line: same engine, same bytes as the service.

use std::process::Command;

use collabdocs::kinds::DocumentKind;

use crate::common::*;

fn bin() -> Command {
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
    for format in ["pdf", "docx", "xlsx", "html"] {
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
