//! Word templates in the service: the shipped sample (`examples/templates/word/`) proven at
//! start-up and used by `?template=`, its tags listed, a template sent with the request
//! (`POST /v1/render`), hostile templates refused with the service left running, and a broken
//! template stopping start-up and reload with its file named.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use actix_web::test::TestRequest;
use collabdocs::engine::{Engine, EngineOptions};
use collabdocs::http::AppState;
use serde_json::{json, Value};

use crate::common::{assert_all_present, call_with, example, zip_part, Reply};
use crate::word::{docx, p, paragraphs, part};
use collabdocs::kinds::DocumentKind;

pub(crate) const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/templates");

pub(crate) fn engine() -> Arc<Engine> {
    static ENGINE: OnceLock<Arc<Engine>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            Arc::new(
                Engine::new(EngineOptions {
                    templates_dir: Some(SAMPLES.into()),
                    ..Default::default()
                })
                .unwrap_or_else(|e| panic!("the shipped Word templates load: {e}")),
            )
        })
        .clone()
}

pub(crate) async fn call(req: TestRequest) -> Reply {
    call_with(AppState::new(engine()), req).await
}

fn sample() -> Vec<u8> {
    std::fs::read(Path::new(SAMPLES).join("word/letterhead-minutes/template.docx")).unwrap()
}

/// The text of a filled document: body, headers and footers.
fn all_text(docx: &[u8]) -> String {
    ["word/document.xml", "word/header1.xml", "word/footer1.xml"]
        .iter()
        .filter_map(|n| part(docx, n))
        .flat_map(|x| paragraphs(&x))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What the letterhead minutes shows of a meeting-minutes payload (it leaves some out).
fn assert_minutes_filled(payload: &Value, docx: &[u8]) {
    crate::word::keep(docx);
    let text = all_text(docx);
    let shown = json!({
        "title": payload["title"],
        "organization": payload["organization"]["name"],
        "document_no": payload["document_no"],
        "meeting": {"date": payload["meeting"]["date"], "start": payload["meeting"]["start"], "location": payload["meeting"]["location"]},
        "attendees": payload["attendees"].as_array().unwrap().iter().map(|a| a["name"].clone()).collect::<Vec<_>>(),
        "agenda": payload["agenda"].as_array().unwrap().iter().map(|a| a["title"].clone()).collect::<Vec<_>>(),
        "discussions": payload["discussions"].as_array().unwrap().iter().map(|d| json!([d["topic"], d["summary"]])).collect::<Vec<_>>(),
        "decisions": payload["decisions"],
        "action_items": payload["action_items"].as_array().unwrap().iter().map(|a| json!([a["task"], a["due"], a["owner"]])).collect::<Vec<_>>(),
    });
    assert_all_present("letterhead-minutes", "docx", &shown, &text);
    let xml = part(docx, "word/document.xml").unwrap();
    let rows = xml.matches("<w:tr ").count();
    assert_eq!(
        rows,
        5 + 1 + payload["action_items"].as_array().unwrap().len(),
        "the information table, the header row and one row per action item"
    );
}

#[actix_web::test]
async fn a_kind_is_filled_into_a_named_word_template() {
    let payload = example(DocumentKind::MeetingMinutes);
    let r = call(
        TestRequest::post()
            .uri("/v1/documents/meeting-minutes?template=letterhead-minutes")
            .insert_header(("content-type", "application/json"))
            .set_payload(serde_json::to_vec(&payload).unwrap()),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(
        r.header("content-type"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    assert!(r
        .header("content-disposition")
        .contains("meeting-minutes-2026-07-28.docx"));
    assert_minutes_filled(&payload, &r.body);
    // What no tag touched is the template's, byte for byte.
    for name in [
        "word/styles.xml",
        "word/settings.xml",
        "word/fontTable.xml",
        "docProps/core.xml",
    ] {
        assert_eq!(part(&r.body, name), part(&sample(), name), "{name}");
    }
    // The footer's PAGE field stays a field; no value became one.
    let footer = part(&r.body, "word/footer1.xml").unwrap();
    assert_eq!(footer.matches("w:fldSimple").count(), 2);

    // More rows, other values: every one present.
    let mut more = payload.clone();
    more["action_items"] = json!((0..40)
        .map(|i| json!({"task": format!("任务&<{i}>"), "owner": format!("负责人{i}"), "department": "市场部", "due": "2026-09-01", "deliverable": "—"}))
        .collect::<Vec<_>>());
    let r = call(
        TestRequest::post()
            .uri("/v1/documents/meeting-minutes?template=letterhead-minutes&format=docx")
            .insert_header(("content-type", "application/json"))
            .set_payload(serde_json::to_vec(&more).unwrap()),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_minutes_filled(&more, &r.body);
}

#[actix_web::test]
async fn a_word_template_is_shown_as_one_page_of_html() {
    let mut payload = example(DocumentKind::MeetingMinutes);
    payload["title"] = json!("<script>alert(1)</script> & 会议");
    let r = call(
        TestRequest::post()
            .uri("/v1/documents/meeting-minutes?template=letterhead-minutes&format=html")
            .insert_header(("content-type", "application/json"))
            .set_payload(serde_json::to_vec(&payload).unwrap()),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert!(r
        .header("content-disposition")
        .contains("meeting-minutes-2026-07-28.html"));
    let html = String::from_utf8(r.body.clone()).unwrap();
    assert!(!html.contains("<script"), "data is text in the page");
    let text = crate::common::html_text(&html);
    // What the DOCX shows, the page shows: the same paragraphs, in order.
    let docx = call(
        TestRequest::post()
            .uri("/v1/documents/meeting-minutes?template=letterhead-minutes")
            .insert_header(("content-type", "application/json"))
            .set_payload(serde_json::to_vec(&payload).unwrap()),
    )
    .await;
    let flat: String = text.split_whitespace().collect();
    let mut at = 0;
    let body = paragraphs(&part(&docx.body, "word/document.xml").unwrap());
    for para in body.iter().filter(|l| !l.trim().is_empty()) {
        let p: String = para.split_whitespace().collect();
        let found = flat[at..]
            .find(&p)
            .unwrap_or_else(|| panic!("{p:?} not in order in the page"));
        at += found + p.len();
    }
    assert!(text.contains("华远科技有限公司"), "the header");
    assert!(
        html.contains("text-indent"),
        "the first-line indents in characters"
    );
    assert!(html.contains("color:#C00000"), "the letterhead's red");
    // The same with a template sent with the request.
    let r = upload_at(
        "/v1/render?format=html",
        &[
            ("template", &sample()),
            ("data", &serde_json::to_vec(&payload).unwrap()),
            ("kind", b"meeting-minutes"),
        ],
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(String::from_utf8(r.body).unwrap(), html, "the same page");
}

#[actix_web::test]
async fn a_named_template_is_refused_where_it_does_not_apply() {
    let body = serde_json::to_vec(&example(DocumentKind::MeetingMinutes)).unwrap();
    let ask = |uri: &str| {
        TestRequest::post()
            .uri(uri)
            .insert_header(("content-type", "application/json"))
            .set_payload(body.clone())
    };
    let r = call(ask(
        "/v1/documents/meeting-minutes?template=letterhed-minutes",
    ))
    .await;
    assert_eq!(r.status, 404);
    assert!(
        r.json()["detail"]
            .as_str()
            .unwrap()
            .contains("letterhead-minutes"),
        "names the real ones"
    );
    // As a PDF, laid out natively: the text there, the fonts it names reported as set in ours.
    let r = call(ask(
        "/v1/documents/meeting-minutes?template=letterhead-minutes&format=pdf",
    ))
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), "application/pdf");
    assert!(r.header("content-disposition").contains(".pdf"));
    assert!(r
        .header("collabdocs-font-substitutions")
        .contains("%E5%AE%8B%E4%BD%93="));
    let text = pdf_extract::extract_text_from_mem(&r.body).unwrap();
    let title = example(DocumentKind::MeetingMinutes)["title"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        text.split_whitespace()
            .collect::<String>()
            .contains(&title.split_whitespace().collect::<String>()),
        "{text}"
    );
    let r = call(ask(
        "/v1/documents/meeting-minutes?template=letterhead-minutes&format=xlsx",
    ))
    .await;
    assert!([400, 404, 406].contains(&r.status), "{}", r.status);
    let r = call(ask(
        "/v1/documents/meeting-minutes?template=letterhead-minutes&style=official",
    ))
    .await;
    assert_eq!(r.status, 400);
    let r = call(ask(
        "/v1/documents/weekly-progress?template=letterhead-minutes",
    ))
    .await;
    assert_eq!(r.status, 400);
    assert!(r.json()["detail"]
        .as_str()
        .unwrap()
        .contains("meeting-minutes"));
    // The payload is checked as without a template: every bad field by pointer.
    let r = call(
        TestRequest::post()
            .uri("/v1/documents/meeting-minutes?template=letterhead-minutes")
            .insert_header(("content-type", "application/json"))
            .set_payload(r#"{"title": 5}"#),
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.error_paths().contains(&"/title".to_string()));
}

#[actix_web::test]
async fn the_word_templates_and_their_tags_are_listed() {
    let r = call(TestRequest::get().uri("/v1/templates/word")).await;
    assert_eq!(r.status, 200);
    let list = r.json();
    assert_eq!(list[0]["name"], "letterhead-minutes");
    assert_eq!(list[0]["kind"], "meeting-minutes");
    let r = call(TestRequest::get().uri("/v1/templates/word/letterhead-minutes")).await;
    assert_eq!(r.status, 200);
    let tags = r.json()["tags"].as_array().unwrap().clone();
    assert_eq!(list[0]["tags"], tags.len());
    let find = |text: &str| {
        tags.iter()
            .find(|t| t["text"] == text)
            .unwrap_or_else(|| panic!("{text} in {tags:?}"))
            .clone()
    };
    // Joined over the runs, the spell-check marks and the bookmark Word put inside it.
    let title = find("{{doc.title}}");
    assert_eq!(title["binds"], json!(["doc.title"]));
    assert_eq!(title["part"], "word/document.xml");
    let each = find("{{#each doc.action_items}}");
    assert_eq!(each["does"], "open");
    assert_eq!(each["binds"], json!(["doc.action_items"]));
    // Inside the loop, a field of the item by its full path; helpers are not fields.
    assert_eq!(
        find("{{task}}")["binds"],
        json!(["doc.action_items[].task"])
    );
    assert_eq!(
        find("{{date due}}")["binds"],
        json!(["doc.action_items[].due"])
    );
    assert_eq!(find("{{this}}")["binds"], json!(["doc.decisions[]"]));
    assert_eq!(
        find("{{date doc.meeting.date}}")["binds"],
        json!(["doc.meeting.date"])
    );
    assert_eq!(
        find("{{doc.organization.name}}")["part"],
        "word/header1.xml"
    );
    // The quotes autocorrect made curly are read as quotes.
    let join = find("{{join doc.attendees “、”}}");
    assert_eq!(join["binds"], json!(["doc.attendees"]));
    assert_eq!(join["expr"], "join doc.attendees \"、\"");
    let r = call(TestRequest::get().uri("/v1/templates/word/none")).await;
    assert_eq!(r.status, 404);

    // A template sent to be read: the same tags, nothing kept; a broken one named.
    let r = call(
        TestRequest::post()
            .uri("/v1/templates/word/inspect")
            .insert_header((
                "content-type",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ))
            .set_payload(sample()),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["tags"], json!(tags));
    let r = call(
        TestRequest::post()
            .uri("/v1/templates/word/inspect")
            .set_payload(docx(&p(&[("", "{{#each doc.a}}")]), &[])),
    )
    .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.error_paths(), ["/template"]);
    assert!(r.json()["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("never closed"));
}

/// A `multipart/form-data` body of these parts.
fn multipart(parts: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----collabdocs7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, bytes) in parts {
        write!(
            body,
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\""
        )
        .unwrap();
        if *name == "template" {
            write!(body, "; filename=\"模板.docx\"\r\nContent-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document").unwrap();
        }
        body.extend_from_slice(b"\r\n\r\n");
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    write!(body, "--{boundary}--\r\n").unwrap();
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(parts: &[(&str, &[u8])]) -> Reply {
    upload_at("/v1/render", parts).await
}

/// A multipart request to `uri` (`/v1/render?format=…`).
pub(crate) async fn upload_at(uri: &str, parts: &[(&str, &[u8])]) -> Reply {
    let (ct, body) = multipart(parts);
    call(
        TestRequest::post()
            .uri(uri)
            .insert_header(("content-type", ct))
            .set_payload(body),
    )
    .await
}

#[actix_web::test]
async fn a_template_sent_with_the_request_is_filled_and_kept_nowhere() {
    let payload = example(DocumentKind::MeetingMinutes);
    let data = serde_json::to_vec(&payload).unwrap();
    let r = upload(&[
        ("kind", b"meeting-minutes"),
        ("template", &sample()),
        ("data", &data),
    ])
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_minutes_filled(&payload, &r.body);

    // Without a kind the data is used as it is, under doc.
    let letter = docx(
        &[
            p(&[("<w:b/>", "致{{doc.to}}：")]),
            p(&[("", "{{#each doc.lines}}{{this}}；{{/each}}")]),
        ]
        .concat(),
        &[],
    );
    let r = upload(&[
        ("template", &letter),
        (
            "data",
            br#"{"to": "\u884c\u653f\u90e8", "lines": ["\u7532", "a & b"]}"#,
        ),
    ])
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let ps = paragraphs(&part(&r.body, "word/document.xml").unwrap());
    assert_eq!(ps[..2], ["致行政部：", "甲；a & b；"]);
    assert!(r.header("content-disposition").contains("document.docx"));

    // A field the data does not have is named, with the one it may have meant.
    let r = upload(&[
        ("template", &letter),
        ("data", br#"{"too": "x", "lines": []}"#),
    ])
    .await;
    assert_eq!(r.status, 422);
    let message = r.json()["errors"][0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("{{doc.to}}") && message.contains("doc.too"),
        "{message}"
    );
    assert_eq!(r.error_paths(), ["/to"]);

    // What the route needs, each a 4xx naming it.
    assert_eq!(upload(&[("data", b"{}")]).await.status, 400);
    assert_eq!(upload(&[("template", &letter)]).await.status, 400);
    assert_eq!(
        upload(&[("template", &letter), ("data", b"{")])
            .await
            .status,
        400
    );
    assert_eq!(
        upload(&[("template", &letter), ("data", b"{}"), ("kind", b"memo")])
            .await
            .status,
        404
    );
    assert_eq!(
        upload(&[("template", &letter), ("data", b"{}"), ("extra", b"")])
            .await
            .status,
        400
    );
    let r = call(
        TestRequest::post()
            .uri("/v1/render")
            .insert_header(("content-type", "application/json"))
            .set_payload("{}"),
    )
    .await;
    assert_eq!(r.status, 400);
    let r = upload_at(
        "/v1/render?format=pdf",
        &[
            ("template", &letter),
            (
                "data",
                "{\"to\": \"各部门\", \"lines\": [\"周五前提交\"]}".as_bytes(),
            ),
        ],
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let text: String = pdf_extract::extract_text_from_mem(&r.body)
        .unwrap()
        .split_whitespace()
        .collect();
    assert!(
        text.contains("致各部门：") && text.contains("周五前提交；"),
        "{text}"
    );
    let r = upload_at(
        "/v1/render?format=png",
        &[("template", &letter), ("data", b"{}")],
    )
    .await;
    assert_eq!(r.status, 406);
}

/// A ZIP whose one entry inflates a thousandfold.
fn zip_bomb() -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    out.start_file("word/document.xml", opts).unwrap();
    out.write_all(&vec![b' '; 50 * 1024 * 1024]).unwrap();
    out.finish().unwrap().into_inner()
}

#[actix_web::test]
async fn hostile_templates_sent_with_the_request_get_a_422_and_the_service_stays() {
    let with = |name: &str, content: &str| docx(&p(&[("", "{{doc.a}}")]), &[(name, content)]);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("a ZIP bomb", zip_bomb(), "limit"),
        ("macros", with("word/vbaProject.bin", "x"), "macro"),
        ("an entity", docx(&p(&[("", "{{doc.a}}")]), &[("word/document.xml", "<!DOCTYPE d [<!ENTITY e \"x\">]><w:document/>")]), "DTD"),
        ("not a docx", b"%PDF-1.7".to_vec(), "ZIP"),
        ("a .doc", vec![0xD0, 0xCF, 0x11, 0xE0, 0, 0, 0, 0], ".doc"),
        ("tracked changes", docx("<w:p><w:ins w:id=\"1\" w:author=\"a\"><w:r><w:t>{{doc.a}}</w:t></w:r></w:ins></w:p>", &[]), "tracked"),
        ("full-width braces", docx(&p(&[("", "｛｛doc.a｝｝")]), &[]), "full-width"),
    ];
    for (what, template, says) in cases {
        let r = upload(&[("template", &template), ("data", br#"{"a": 1}"#)]).await;
        assert_eq!(
            r.status,
            422,
            "{what}: {}",
            String::from_utf8_lossy(&r.body)
        );
        let problem = r.json();
        let message = problem["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(says), "{what}: {message}");
        assert_eq!(problem["errors"][0]["path"], "/template", "{what}");
    }
    // Still serving.
    let r = call(TestRequest::get().uri("/v1/templates/word")).await;
    assert_eq!(r.status, 200);
    // A body over the template limit is refused before it is read.
    let (ct, body) = multipart(&[("template", &vec![b'x'; 4096]), ("data", b"{}")]);
    let r = call_with(
        AppState {
            template_body_limit: 2048,
            ..AppState::new(engine())
        },
        TestRequest::post()
            .uri("/v1/render")
            .insert_header(("content-type", ct))
            .set_payload(body),
    )
    .await;
    assert_eq!(r.status, 413);
}

/// A templates directory with a copy of the sample, changed by `f`.
fn sample_dir(tag: &str, f: impl FnOnce(&Path)) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("collabdocs-word-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let to = dir.join("word/letterhead-minutes");
    std::fs::create_dir_all(&to).unwrap();
    for f in ["template.docx", "template.json", "example.json"] {
        std::fs::copy(
            Path::new(SAMPLES).join("word/letterhead-minutes").join(f),
            to.join(f),
        )
        .unwrap();
    }
    f(&to);
    dir
}

fn load(dir: &Path) -> Result<Engine, String> {
    Engine::new(EngineOptions {
        templates_dir: Some(dir.to_path_buf()),
        ..Default::default()
    })
    .map_err(|e| e.to_string())
}

#[test]
fn a_broken_word_template_stops_start_up_naming_its_file_and_a_reload_keeps_the_last_good() {
    // A tag reading a field the kind does not have, found by filling the example.
    let dir = sample_dir("field", |d| {
        let t = docx(&p(&[("", "{{doc.meeting.locaton}}")]), &[]);
        std::fs::write(d.join("template.docx"), t).unwrap();
    });
    let e = load(&dir).err().unwrap();
    assert!(e.contains("word/letterhead-minutes/template.docx"), "{e}");
    assert!(
        e.contains("doc.meeting.locaton") && e.contains("did you mean doc.meeting.location"),
        "{e}"
    );

    let dir = sample_dir("kind", |d| {
        std::fs::write(d.join("template.json"), r#"{"kind": "minutes"}"#).unwrap()
    });
    let e = load(&dir).err().unwrap();
    assert!(
        e.contains("template.json") && e.contains("meeting-minutes"),
        "{e}"
    );

    let dir = sample_dir("example", |d| {
        std::fs::write(d.join("example.json"), r#"{"title": 1}"#).unwrap()
    });
    let e = load(&dir).err().unwrap();
    assert!(e.contains("example.json") && e.contains("/title"), "{e}");

    let dir = sample_dir("Bad Name", |_| {});
    std::fs::rename(
        dir.join("word/letterhead-minutes"),
        dir.join("word/Letterhead Minutes"),
    )
    .unwrap();
    assert!(load(&dir).err().unwrap().contains("not a template name"));

    // Reload: a broken template keeps the last good one in force; a fixed one takes effect.
    let dir = sample_dir("reload", |_| {});
    let engine = load(&dir).unwrap();
    let request = || {
        collabdocs::engine::Request::new(
            &engine,
            DocumentKind::MeetingMinutes,
            collabdocs::render::OutputFormat::Docx,
            collabdocs::values::Profile::Standard,
            false,
        )
        .unwrap()
        .with_template(&engine, "letterhead-minutes")
        .unwrap()
    };
    let payload = example(DocumentKind::MeetingMinutes);
    let before = engine.run(&request(), &payload).unwrap().bytes;
    let t = dir.join("word/letterhead-minutes/template.docx");
    std::fs::write(&t, b"PK broken").unwrap();
    assert!(engine.reload_templates().is_err());
    assert_eq!(engine.run(&request(), &payload).unwrap().bytes, before);
    assert!(engine
        .template_status()
        .error
        .unwrap()
        .template
        .contains("template.docx"));
    std::fs::write(&t, docx(&p(&[("", "新版：{{doc.title}}")]), &[])).unwrap();
    engine.reload_templates().unwrap();
    let after = engine.run(&request(), &payload).unwrap().bytes;
    assert_eq!(
        paragraphs(&zip_part(&after, "word/document.xml").unwrap())[0],
        "新版：Q3新产品上市推广方案协调会"
    );
    for d in ["field", "kind", "example", "Bad Name", "reload"] {
        let _ = std::fs::remove_dir_all(
            std::env::temp_dir().join(format!("collabdocs-word-{d}-{}", std::process::id())),
        );
    }
}

#[test]
fn the_command_line_fills_a_named_template_or_a_file() {
    let bin = env!("CARGO_BIN_EXE_collabdocs");
    let out = std::env::temp_dir().join(format!("collabdocs-word-cli-{}.docx", std::process::id()));
    let input = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/meeting-minutes.json");
    let run = |args: &[&str]| std::process::Command::new(bin).args(args).output().unwrap();
    let o = run(&[
        "render",
        "meeting-minutes",
        "-i",
        input,
        "--templates-dir",
        SAMPLES,
        "--template",
        "letterhead-minutes",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let named = std::fs::read(&out).unwrap();
    assert_minutes_filled(&example(DocumentKind::MeetingMinutes), &named);
    let file = Path::new(SAMPLES).join("word/letterhead-minutes/template.docx");
    let o = run(&[
        "render",
        "meeting-minutes",
        "-i",
        input,
        "--word-template",
        file.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        std::fs::read(&out).unwrap(),
        named,
        "the same template and data, the same bytes"
    );
    let o = run(&[
        "render",
        "meeting-minutes",
        "-i",
        input,
        "--word-template",
        file.to_str().unwrap(),
        "--format",
        "xlsx",
    ]);
    assert!(!o.status.success());
    std::fs::remove_file(&out).ok();
}

/// A batch answered 200: its ZIP and its manifest.
pub(crate) async fn batch(body: &Value) -> (Vec<u8>, Value) {
    let r = call(
        TestRequest::post()
            .uri("/v1/batch")
            .insert_header(("content-type", "application/json"))
            .set_payload(serde_json::to_vec(body).unwrap()),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let manifest = serde_json::from_str(&zip_part(&r.body, "manifest.json").unwrap()).unwrap();
    (r.body, manifest)
}

/// A file of a ZIP, as bytes.
pub(crate) fn zip_file(zip: &[u8], name: &str) -> Vec<u8> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut z.by_name(name).unwrap(), &mut out).unwrap();
    out
}

#[actix_web::test]
async fn a_batch_item_names_its_word_template() {
    let payload = example(DocumentKind::MeetingMinutes);
    let body = json!({"items": [
        {"kind": "meeting-minutes", "format": "docx", "template": "letterhead-minutes", "filename": "信笺", "data": payload},
        {"kind": "meeting-minutes", "format": "pdf", "template": "letterhead-minutes", "data": payload},
        {"kind": "meeting-minutes", "format": "docx", "template": "none", "data": payload},
        {"kind": "meeting-minutes", "format": "docx", "data": payload},
        {"kind": "meeting-minutes", "format": "pdf", "template": "letterhead-minutes", "style": "official", "data": payload},
    ]});
    let (zip, manifest) = batch(&body).await;
    let status: Vec<&str> = manifest
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert_eq!(status, ["ok", "ok", "error", "ok", "error"], "{manifest}");
    let filled = zip_file(&zip, "信笺.docx");
    assert_minutes_filled(&payload, &filled);
    // The PDF of the template, with the fonts it set in another face in the manifest.
    let pdf = zip_file(&zip, manifest[1]["filename"].as_str().unwrap());
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(
        manifest[1]["fonts_substituted"]
            .to_string()
            .contains("宋体="),
        "{manifest}"
    );
}

fn travel_example() -> Value {
    serde_json::from_slice(
        &std::fs::read(Path::new(SAMPLES).join("word/travel-request/example.json")).unwrap(),
    )
    .unwrap()
}

/// Every value of a travel request in the filled form (amounts as written, dates in Chinese).
fn assert_travel_filled(payload: &Value, docx: &[u8]) {
    crate::word::keep(docx);
    let text = all_text(docx);
    let mut shown = payload.clone();
    // Amounts are written as sent (3200), not grouped as the built-in kinds print money.
    for item in shown["budget"].as_array_mut().unwrap() {
        item["cost"] = item["amount"].take();
    }
    assert_all_present("travel-request", "docx", &shown, &text);
    let xml = part(docx, "word/document.xml").unwrap();
    assert_eq!(
        xml.matches("<w:tr ").count(),
        5 + payload["budget"].as_array().unwrap().len() + 2,
        "five rows, one per cost, the total and the approvals"
    );
}

#[actix_web::test]
async fn a_folder_defines_a_kind_of_its_own() {
    let r = call(TestRequest::get().uri("/v1/kinds")).await;
    let kinds = r.json();
    let travel = kinds
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "travel-request")
        .expect("listed with the built-in kinds")
        .clone();
    assert_eq!(travel["title_zh"], "出差审批单");
    assert_eq!(travel["formats"], json!(["docx", "pdf", "html", "ofd"]));
    assert_eq!(travel["word_template"], "travel-request");
    assert_eq!(
        kinds.as_array().unwrap().len(),
        DocumentKind::ALL.len() + 2,
        "travel-request and duty-list"
    );
    let r = call(TestRequest::get().uri("/v1/kinds/travel-request/example")).await;
    assert_eq!(r.json(), travel_example());

    let payload = travel_example();
    let post = |uri: &str, body: &Value| {
        TestRequest::post()
            .uri(uri)
            .insert_header(("content-type", "application/json"))
            .set_payload(serde_json::to_vec(body).unwrap())
    };
    let r = call(post("/v1/documents/travel-request", &payload)).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert!(r
        .header("content-disposition")
        .contains("travel-request.docx"));
    assert!(
        r.header("content-disposition")
            .contains("%E5%87%BA%E5%B7%AE"),
        "出差审批单.docx"
    );
    assert_travel_filled(&payload, &r.body);
    // The cost cell spans every cost row and the total.
    let xml = part(&r.body, "word/document.xml").unwrap();
    assert_eq!(xml.matches("<w:vMerge w:val=\"restart\"/>").count(), 1);
    assert_eq!(
        xml.matches("<w:vMerge/>").count(),
        payload["budget"].as_array().unwrap().len()
    );

    // Checked by its schema: every problem at its pointer, in the service's words.
    let mut bad = payload.clone();
    bad["start"] = json!("2026-13-01");
    bad["transport"] = json!("轮船");
    bad["budget"][1]["amount"] = json!("四千");
    bad["visa"] = json!(true);
    bad.as_object_mut().unwrap().remove("purpose");
    bad["destination"] = json!("成".repeat(30_000));
    for uri in [
        "/v1/documents/travel-request",
        "/v1/documents/travel-request/validate",
    ] {
        let r = call(post(uri, &bad)).await;
        assert_eq!(r.status, 422, "{uri}");
        let mut paths = r.error_paths();
        paths.sort();
        for p in [
            "/start",
            "/transport",
            "/budget/1/amount",
            "/visa",
            "/destination",
        ] {
            assert!(paths.contains(&p.to_string()), "{uri}: {p} in {paths:?}");
        }
        assert!(
            paths.iter().any(|p| p.is_empty() || p == "/purpose"),
            "{paths:?}"
        );
    }
    let r = call(post("/v1/documents/travel-request/validate", &payload)).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["valid"], true);

    // Its own layout, as a DOCX.
    assert_eq!(
        call(post("/v1/documents/travel-request?format=xlsx", &payload))
            .await
            .status,
        406
    );
    let r = call(post("/v1/documents/travel-request?format=pdf", &payload)).await;
    assert_eq!(r.status, 200);
    assert!(r.body.starts_with(b"%PDF-"));
    assert_eq!(
        call(post(
            "/v1/documents/travel-request?style=official",
            &payload
        ))
        .await
        .status,
        400
    );
    assert_eq!(
        call(post("/v1/documents/travel-request?sign=true", &payload))
            .await
            .status,
        400
    );
    // It is not a template of a built-in kind.
    let r = call(post(
        "/v1/documents/meeting-minutes?template=travel-request",
        &example(DocumentKind::MeetingMinutes),
    ))
    .await;
    assert_eq!(r.status, 400);

    // Its operations, with its schema, in the API document served.
    let r = call(TestRequest::get().uri("/openapi.json")).await;
    let doc = r.json();
    let op = &doc["paths"]["/v1/documents/travel-request"]["post"];
    assert_eq!(op["operationId"], "renderTravelRequest");
    assert_eq!(
        op["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/WordKindTravelRequest"
    );
    assert_eq!(
        doc["components"]["schemas"]["WordKindTravelRequest"]["properties"]["destination"]["title"],
        "出差地点"
    );
    assert!(doc["paths"]["/v1/documents/travel-request/validate"]["post"].is_object());
}

#[actix_web::test]
async fn a_folder_kind_renders_in_batches_and_from_the_command_line() {
    let payload = travel_example();
    let body = json!({"items": [
        {"kind": "travel-request", "format": "docx", "data": payload},
        {"kind": "travel-request", "format": "docx", "data": {"destination": 1}},
        {"kind": "travel-request", "format": "xlsx", "data": payload},
    ]});
    let (zip, manifest) = batch(&body).await;
    let status: Vec<&str> = manifest
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert_eq!(status, ["ok", "error", "error"], "{manifest}");
    assert_eq!(manifest[0]["kind"], "travel-request");
    let name = manifest[0]["filename"].as_str().unwrap();
    let filled = zip_file(&zip, name);
    assert_travel_filled(&payload, &filled);
    assert!(manifest[1]["problem"]["errors"]
        .to_string()
        .contains("/items/1/data/destination"));

    assert_eq!(
        render_sample("travel-request", "word/travel-request/example.json", "docx"),
        filled,
        "the same data, the same bytes"
    );
}

/// A kind the samples' folders define rendered by the command line from a sample payload.
pub(crate) fn render_sample(kind: &str, payload: &str, ext: &str) -> Vec<u8> {
    let out = std::env::temp_dir().join(format!("collabdocs-{kind}-{}.{ext}", std::process::id()));
    let input = Path::new(SAMPLES).join(payload);
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_collabdocs"))
        .args([
            "render",
            kind,
            "-i",
            input.to_str().unwrap(),
            "--templates-dir",
            SAMPLES,
            "-o",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let bytes = std::fs::read(&out).unwrap();
    std::fs::remove_file(&out).ok();
    bytes
}

#[test]
fn a_folder_kind_that_cannot_work_stops_start_up_naming_its_file() {
    let travel = Path::new(SAMPLES).join("word/travel-request");
    let dir_with = |tag: &str, edit: &dyn Fn(&Path)| {
        let dir =
            std::env::temp_dir().join(format!("collabdocs-kind-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let to = dir.join("word/travel-request");
        std::fs::create_dir_all(&to).unwrap();
        for f in [
            "template.docx",
            "template.json",
            "example.json",
            "schema.json",
        ] {
            std::fs::copy(travel.join(f), to.join(f)).unwrap();
        }
        edit(&to);
        dir
    };
    type Edit = Box<dyn Fn(&Path)>;
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "schema",
            Box::new(|d: &Path| {
                std::fs::write(d.join("schema.json"), r#"{"type": "object", "properties": {"a": {"$ref": "https://example.com/x.json"}}}"#).unwrap()
            }),
            "schema.json",
        ),
        (
            "schema-json",
            Box::new(|d: &Path| std::fs::write(d.join("schema.json"), "{").unwrap()),
            "schema.json",
        ),
        (
            "example",
            Box::new(|d: &Path| {
                std::fs::write(d.join("example.json"), r#"{"destination": "x"}"#).unwrap()
            }),
            "example.json",
        ),
        (
            "title",
            Box::new(|d: &Path| {
                std::fs::write(d.join("template.json"), r#"{"schema": "schema.json"}"#).unwrap()
            }),
            "title",
        ),
        (
            "escape",
            Box::new(|d: &Path| {
                std::fs::write(
                    d.join("template.json"),
                    r#"{"title": "x", "schema": "../../etc/passwd"}"#,
                )
                .unwrap()
            }),
            "own folder",
        ),
        (
            "field",
            Box::new(|d: &Path| {
                std::fs::write(
                    d.join("template.docx"),
                    docx(&p(&[("", "{{doc.destinaton}}")]), &[]),
                )
                .unwrap()
            }),
            "did you mean doc.destination",
        ),
    ];
    for (tag, edit, says) in cases {
        let dir = dir_with(tag, &*edit);
        let e = load(&dir).err().unwrap_or_else(|| panic!("{tag}: loaded"));
        assert!(
            e.contains("word/travel-request/") && e.contains(says),
            "{tag}: {e}"
        );
        std::fs::remove_dir_all(&dir).ok();
    }
    // A folder named like a built-in kind cannot define a kind.
    let dir = dir_with("builtin", &|_| {});
    std::fs::rename(
        dir.join("word/travel-request"),
        dir.join("word/meeting-minutes"),
    )
    .unwrap();
    assert!(load(&dir).err().unwrap().contains("built-in kind"));
    std::fs::remove_dir_all(&dir).ok();
}

#[actix_web::test]
async fn a_word_template_is_laid_out_as_an_ofd_with_the_pdfs_pages() {
    let payload = example(DocumentKind::MeetingMinutes);
    let get = |format: &'static str| {
        let body = serde_json::to_vec(&payload).unwrap();
        async move {
            call(
                TestRequest::post()
                    .uri(&format!(
                        "/v1/documents/meeting-minutes?template=letterhead-minutes&format={format}"
                    ))
                    .insert_header(("content-type", "application/json"))
                    .set_payload(body),
            )
            .await
        }
    };
    let (ofd, pdf) = (get("ofd").await, get("pdf").await);
    assert_eq!(ofd.status, 200, "{}", String::from_utf8_lossy(&ofd.body));
    assert_eq!(ofd.header("content-type"), "application/ofd");
    assert!(ofd
        .header("content-disposition")
        .contains("meeting-minutes-2026-07-28.ofd"));
    let read = crate::ofd::Ofd::open(&ofd.body);
    let pages = collabdocs::sign::reader::PdfFile::open(&pdf.body)
        .unwrap()
        .pages(100)
        .unwrap()
        .len();
    assert_eq!(read.pages.len(), pages, "the PDF's pages");
    // Every character the PDF draws, the OFD draws.
    let sorted = |s: &str| {
        let mut v: Vec<char> = s.chars().filter(|c| !c.is_whitespace()).collect();
        v.sort_unstable();
        v
    };
    let pdf_text = pdf_extract::extract_text_from_mem(&pdf.body).unwrap();
    assert_eq!(sorted(&read.text()), sorted(&pdf_text));
    // What it was made from: the kind, filled into the named template.
    assert_eq!(read.custom("kind").as_deref(), Some("meeting-minutes"));
    assert_eq!(
        read.custom("template").as_deref(),
        Some("word/letterhead-minutes")
    );
    assert!(read.custom("payload-sha256").is_some_and(|h| h.len() == 64));
    // The same from a template sent with the request.
    let r = upload_at(
        "/v1/render?format=ofd",
        &[
            ("template", &sample()),
            ("data", &serde_json::to_vec(&payload).unwrap()),
            ("kind", b"meeting-minutes"),
        ],
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(
        sorted(&crate::ofd::Ofd::open(&r.body).text()),
        sorted(&pdf_text)
    );
}
