//! Batch: many documents in one ZIP with a manifest that matches the files.

use std::io::Read;

use collabdocs::batch::ManifestEntry;
use collabdocs::kinds::DocumentKind;
use serde_json::{json, Value};

use crate::common::*;

fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("the zip opens");
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut b = Vec::new();
            f.read_to_end(&mut b).unwrap();
            (f.name().unwrap().to_string(), b)
        })
        .collect()
}

fn manifest(files: &[(String, Vec<u8>)]) -> Vec<ManifestEntry> {
    let m = &files
        .iter()
        .find(|(n, _)| n == "manifest.json")
        .expect("manifest.json")
        .1;
    serde_json::from_slice(m).unwrap()
}

fn hex_sha256(b: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

fn every_kind_and_format() -> Vec<Value> {
    let mut items = Vec::new();
    for kind in DocumentKind::ALL {
        for format in formats() {
            items.push(json!({"kind": kind.slug(), "format": format, "data": example(*kind)}));
        }
    }
    items
}

#[actix_web::test]
async fn a_batch_of_every_kind_and_format_with_one_bad_item_reports_it_and_renders_the_rest() {
    let mut items = every_kind_and_format();
    let mut bad = example(DocumentKind::WeeklyProgress);
    bad["tasks"][0]["status"] = json!("finished");
    items.insert(
        7,
        json!({"kind": "weekly-progress", "format": "pdf", "data": bad}),
    );
    let r = post(
        "/v1/batch",
        serde_json::to_vec(&json!({ "items": items })).unwrap(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.header("content-type"), "application/zip");
    let files = unzip(&r.body);
    let m = manifest(&files);
    let files_expected = DocumentKind::ALL.len() * formats().len();
    assert_eq!(m.len(), files_expected + 1);
    for e in &m {
        if e.index == 7 {
            assert_eq!(e.status, "error");
            let p = e.problem.as_ref().unwrap();
            assert_eq!(p.status, 422);
            assert_eq!(p.errors[0].path, "/items/7/data/tasks/0/status");
            assert!(e.filename.is_none());
            continue;
        }
        assert_eq!(e.status, "ok", "{e:?}");
        let name = e.filename.as_ref().unwrap();
        let (_, bytes) = files
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{name} is not in the zip"));
        assert_eq!(e.bytes, Some(bytes.len()));
        assert_eq!(
            e.sha256.as_deref(),
            Some(hex_sha256(bytes).as_str()),
            "{name}"
        );
        assert!(name.ends_with(e.format.as_deref().unwrap()));
    }
    assert_eq!(
        files.len(),
        files_expected + 1,
        "the files and the manifest"
    );
    // Files that are compressed already are stored; HTML and the manifest are deflated.
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(&r.body)).unwrap();
    for i in 0..z.len() {
        let f = z.by_index(i).unwrap();
        let expected =
            if f.name().unwrap().ends_with(".html") || f.name().unwrap() == "manifest.json" {
                zip::CompressionMethod::Deflated
            } else {
                zip::CompressionMethod::Stored
            };
        assert_eq!(f.compression(), expected, "{}", f.name().unwrap());
    }
}

#[actix_web::test]
async fn fail_fast_refuses_the_batch_naming_the_item_by_pointer() {
    let mut items = every_kind_and_format();
    let mut bad = example(DocumentKind::WeeklyProgress);
    bad["tasks"][0]["status"] = json!("finished");
    items[7] = json!({"kind": "weekly-progress", "format": "pdf", "data": bad});
    items[3] = json!({"kind": "minutes", "format": "pdf", "data": {}});
    let r = post(
        "/v1/batch?fail_fast=true",
        serde_json::to_vec(&json!({ "items": items })).unwrap(),
    )
    .await;
    assert_eq!(r.status, 422);
    let paths = r.error_paths();
    assert!(
        paths.contains(&"/items/7/data/tasks/0/status".to_string()),
        "{paths:?}"
    );
    assert!(paths.contains(&"/items/3/kind".to_string()), "{paths:?}");
}

#[actix_web::test]
async fn caller_filenames_are_made_safe_and_collisions_numbered() {
    let data = example(DocumentKind::RaciMatrix);
    let items = json!([
        {"kind": "raci-matrix", "format": "html", "filename": "../../etc/passwd", "data": data},
        {"kind": "raci-matrix", "format": "html", "filename": "矩阵.html", "data": data},
        {"kind": "raci-matrix", "format": "html", "filename": "矩阵", "data": data},
        {"kind": "raci-matrix", "format": "html", "filename": "manifest.json", "data": data}
    ]);
    let r = post(
        "/v1/batch",
        serde_json::to_vec(&json!({ "items": items })).unwrap(),
    )
    .await;
    let names: Vec<String> = manifest(&unzip(&r.body))
        .into_iter()
        .map(|e| e.filename.unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "passwd.html",
            "矩阵.html",
            "矩阵 (2).html",
            "manifest.json.html"
        ]
    );
}

#[actix_web::test]
async fn a_thousand_items_render_and_one_more_than_the_limit_is_a_413() {
    let data = example(DocumentKind::WeeklyProgress);
    let items: Vec<Value> = (0..BATCH_MAX_ITEMS).map(|i| json!({"kind": "weekly-progress", "format": "html", "filename": format!("w{i}"), "data": data})).collect();
    let r = post(
        "/v1/batch",
        serde_json::to_vec(&json!({ "items": items })).unwrap(),
    )
    .await;
    assert_eq!(r.status, 200);
    let m = manifest(&unzip(&r.body));
    assert_eq!(
        m.iter().filter(|e| e.status == "ok").count(),
        BATCH_MAX_ITEMS
    );
    let mut items = items;
    items.push(items[0].clone());
    let r = post(
        "/v1/batch",
        serde_json::to_vec(&json!({ "items": items })).unwrap(),
    )
    .await;
    assert_eq!(
        (r.status, r.header("content-type").as_str()),
        (413, "application/problem+json")
    );
}

#[actix_web::test]
async fn a_malformed_batch_is_a_problem() {
    assert_eq!(post("/v1/batch", "{").await.status, 400);
    let r = post("/v1/batch", r#"{"itemz": []}"#).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.error_paths(), ["/itemz", "/items"]);
    assert_eq!(post("/v1/batch", r#"{"items": []}"#).await.status, 422);
}

#[actix_web::test]
async fn a_weekly_report_splits_into_one_file_per_department_plus_the_project() {
    let payload = example(DocumentKind::WeeklyProgress);
    let r = post(
        "/v1/batch/weekly-progress?split_by=department&format=docx",
        serde_json::to_vec(&payload).unwrap(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let files = unzip(&r.body);
    let m = manifest(&files);
    let departments = ["市场部", "产品部", "销售部", "技术部", "客服部"];
    assert_eq!(m.len(), 1 + departments.len());
    assert_eq!(
        m[0].filename.as_deref(),
        Some("周进展表-全项目-2026-06-01.docx")
    );
    assert!(m
        .iter()
        .all(|e| e.status == "ok" && e.format.as_deref() == Some("docx")));
    for (task, dept) in [("活动页面设计", "市场部"), ("页面加载性能优化", "技术部")]
    {
        let e = m
            .iter()
            .find(|e| {
                e.filename
                    .as_deref()
                    .unwrap()
                    .contains(&format!("周进展表-{dept}-"))
            })
            .unwrap_or_else(|| panic!("no file for {dept}"));
        let bytes = &files
            .iter()
            .find(|(n, _)| Some(n) == e.filename.as_ref())
            .unwrap()
            .1;
        let cells: Vec<String> = docx_text(bytes)
            .0
            .tables
            .into_iter()
            .flatten()
            .flatten()
            .collect();
        let is_row = |c: &String, t: &str| c == t || *c == format!("{t}（已逾期）");
        assert!(
            cells.iter().any(|c| is_row(c, task)),
            "{dept} lacks its task"
        );
        let other = if dept == "市场部" {
            "页面加载性能优化"
        } else {
            "活动页面设计"
        };
        assert!(
            !cells.iter().any(|c| is_row(c, other)),
            "{dept} holds another department's task"
        );
    }
    assert_eq!(
        post(
            "/v1/batch/weekly-progress?split_by=week",
            serde_json::to_vec(&payload).unwrap()
        )
        .await
        .status,
        400
    );
}

fn parsed_items() -> Vec<Result<collabdocs::batch::BatchItem, Vec<collabdocs::error::FieldError>>> {
    every_kind_and_format()
        .iter()
        .enumerate()
        .map(|(i, v)| collabdocs::batch::parse_item(v, i, Default::default(), &[]))
        .collect()
}

#[test]
fn the_streamed_zip_is_sent_entry_by_entry_and_equals_the_written_one() {
    let items = parsed_items();
    let mut whole = std::io::Cursor::new(Vec::new());
    collabdocs::batch::to_zip(&engine(), items.clone(), 2, &mut whole, |_, _| {}).unwrap();
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    collabdocs::batch::to_zip_stream(&engine(), items, 2, |c| {
        chunks.push(c);
        Ok(())
    })
    .unwrap();
    assert_eq!(chunks.concat(), whole.into_inner(), "same bytes either way");
    // Sent as it went, in chunks of about 64 KB: never the whole archive at once, and no
    // chunk larger than one file and its headers.
    let total: usize = chunks.iter().map(Vec::len).sum();
    assert!(
        chunks.len() > total / (128 * 1024),
        "{} chunks for {total} bytes",
        chunks.len()
    );
    let largest_file = unzip(&chunks.concat())
        .iter()
        .map(|(_, b)| b.len())
        .max()
        .unwrap();
    assert!(chunks
        .iter()
        .all(|c| c.len() <= (64 * 1024).max(largest_file + 4096)));
}

#[test]
fn a_stream_whose_client_went_away_stops_the_batch() {
    let items = parsed_items();
    let mut sent = 0;
    let r = collabdocs::batch::to_zip_stream(&engine(), items, 2, |_| {
        sent += 1;
        if sent > 2 {
            Err(std::io::Error::other("gone"))
        } else {
            Ok(())
        }
    });
    assert!(r.is_err());
    assert_eq!(sent, 3, "no more sends after the failure");
}
