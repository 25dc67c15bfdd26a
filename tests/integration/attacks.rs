//! The service tried as an attacker would: each test is one way in that once worked (a key
//! check bypassed, a payload that looped the layout, a body that grew the answer, an image
//! that smuggled objects into a signed file, …) and what must happen now.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::test::TestRequest;
use base64::Engine as _;
use collabdocs::budget::Limits;
use collabdocs::engine::{Engine, EngineOptions};
use collabdocs::http::AppState;
use collabdocs::kinds::DocumentKind;
use collabdocs::render::OutputFormat;
use serde_json::{json, Value};

use crate::common::*;

fn keyed() -> AppState {
    AppState {
        api_keys: vec!["k-1".into()],
        ..AppState::new(engine())
    }
}

fn limited(limits: Limits) -> Arc<Engine> {
    Arc::new(
        Engine::new(EngineOptions {
            limits,
            ..EngineOptions::default()
        })
        .unwrap(),
    )
}

#[actix_web::test]
async fn no_spelling_of_a_v1_path_gets_past_the_keys() {
    let minutes = serde_json::to_vec(&example(DocumentKind::MeetingMinutes)).unwrap();
    let gets = [
        "/%761/kinds",
        "/v%31/kinds",
        "/%76%31/kinds",
        "/v1/%6Binds",
        "/v1/kinds/",
        "//v1/kinds",
        "/v1//kinds",
        "/v1/kinds/meeting-minutes/example",
        "/%761/kinds/meeting-minutes/example",
    ];
    for path in gets {
        let r = call_with(keyed(), TestRequest::get().uri(path)).await;
        assert!(
            r.status == 401 || r.status == 404,
            "{path} answered {} without a key",
            r.status
        );
    }
    let posts = [
        "/%761/documents/meeting-minutes?format=html",
        "/v1/%64ocuments/meeting-minutes/validate",
        "/%761/batch",
        "/%761/batch/weekly-progress?split_by=department",
        "/%761/verify",
        "/%761/documents/agreement?sign=true",
    ];
    for path in posts {
        let r = call_with(
            keyed(),
            TestRequest::post().uri(path).set_payload(minutes.clone()),
        )
        .await;
        assert!(
            r.status == 401 || r.status == 404,
            "{path} answered {} without a key",
            r.status
        );
    }
    // With the key, the encoded spelling reaches the same handler.
    let r = call_with(
        keyed(),
        TestRequest::get()
            .uri("/%761/kinds")
            .insert_header(("authorization", "Bearer k-1")),
    )
    .await;
    assert_eq!(r.status, 200);
}

fn raci(parties: Vec<String>, tasks: usize) -> Value {
    let tasks: Vec<Value> = (0..tasks)
        .map(|i| {
            let mut a = serde_json::Map::new();
            for (j, p) in parties.iter().enumerate() {
                a.insert(p.clone(), json!(if j == 0 { "A" } else { "R" }));
            }
            json!({"task": format!("任务{i}"), "assignments": a})
        })
        .collect();
    let mut r = example(DocumentKind::RaciMatrix);
    r["parties"] = json!(parties);
    r["tasks"] = json!(tasks);
    r
}

#[actix_web::test]
async fn a_header_taller_than_a_page_is_drawn_once_and_the_render_ends() {
    let long = "协".repeat(1500);
    let payload = raci(vec![long.clone(), "市场部".into()], 3);
    for format in formats() {
        let r = render("raci-matrix", format, &payload).await;
        assert_eq!(
            r.status,
            200,
            "{format}: {}",
            String::from_utf8_lossy(&r.body)
        );
    }
    let r = render("raci-matrix", "pdf", &payload).await;
    let text: String = crate::pdf::pdf_text(&r.body)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(
        text.matches('协').count() >= 1500,
        "every character of the party's name is printed"
    );
}

#[actix_web::test]
async fn thousands_of_problems_give_a_bounded_answer() {
    // 400 tasks each naming 25 undeclared parties: 10,000 problems.
    let mut payload = raci(vec!["市场部".into(), "产品部".into()], 400);
    for t in payload["tasks"].as_array_mut().unwrap() {
        for j in 0..25 {
            t["assignments"][format!("未声明部门{j}")] = json!("I");
        }
    }
    payload["parties"] = json!((0..300).map(|i| format!("部门{i}")).collect::<Vec<_>>());
    let r = call_with(
        AppState::new(engine()),
        TestRequest::post()
            .uri("/v1/documents/raci-matrix/validate")
            .set_payload(serde_json::to_vec(&payload).unwrap()),
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.body.len() < 150_000, "{} bytes", r.body.len());
    let p = r.json();
    assert_eq!(p["errors"].as_array().unwrap().len(), 100);
    assert!(
        p["errors_not_listed"].as_u64().unwrap() > 9_000,
        "{}",
        p["errors_not_listed"]
    );
    let messages: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert!(messages.iter().all(|m| m.chars().count() <= 401));
    assert!(
        messages
            .iter()
            .any(|m| m.contains("declared parties") && m.contains("and 290 more")),
        "a long list inside a message is cut short: {messages:?}"
    );
}

/// A weekly report with `n` made-up members beside its own (`k0`, `k1`, …).
fn unknown_fields(n: usize) -> Value {
    let mut w = example(DocumentKind::WeeklyProgress);
    for i in 0..n {
        w[format!("k{i}")] = json!(0);
    }
    w
}

#[actix_web::test]
async fn an_object_with_a_hundred_thousand_unknown_fields_lists_a_hundred() {
    let payload = serde_json::to_vec(&unknown_fields(100_000)).unwrap();
    let r = call_with(
        AppState::new(engine()),
        TestRequest::post()
            .uri("/v1/documents/weekly-progress/validate")
            .set_payload(payload),
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.body.len() < 40_000, "{} bytes", r.body.len());
    let p = r.json();
    let errors = p["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 100);
    assert_eq!(errors[0]["path"], "/k0", "{}", errors[0]);
    assert!(errors[0]["message"]
        .as_str()
        .unwrap()
        .starts_with("is not a known field"));
    // Every unknown field is counted, whether listed or not.
    assert_eq!(p["errors_not_listed"], 100_000 - 100);
}

#[actix_web::test]
async fn a_matrix_over_the_cell_budget_is_refused_at_its_tasks() {
    let parties: Vec<String> = (0..250).map(|i| format!("部门{i}")).collect();
    let r = call_with(
        AppState::new(engine()),
        TestRequest::post()
            .uri("/v1/documents/raci-matrix?format=pdf")
            .set_payload(serde_json::to_vec(&raci(parties, 250)).unwrap()),
    )
    .await;
    assert_eq!(r.status, 422);
    let p = r.json();
    assert_eq!(p["errors"][0]["path"], "/tasks");
    assert!(p["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("COLLABDOCS_MAX_TABLE_CELLS"));
}

fn long_minutes(rows: usize) -> Value {
    let mut m = example(DocumentKind::MeetingMinutes);
    let items: Vec<Value> = (0..rows)
        .map(|i| json!({"task": format!("第{i}项：{}", "核对渠道数据并提交报告".repeat(20)), "owner": "李明", "department": "市场部", "due": "2026-08-10", "status": "open"}))
        .collect();
    m["action_items"] = json!(items);
    m
}

#[actix_web::test]
async fn pages_and_output_bytes_have_budgets_named_in_the_answer() {
    let engine = limited(Limits {
        max_pages: 3,
        ..Limits::default()
    });
    let e = engine
        .render(
            DocumentKind::MeetingMinutes,
            &long_minutes(200),
            OutputFormat::Pdf,
        )
        .unwrap_err();
    let p = e.problem();
    assert_eq!(p.status, 422);
    assert_eq!(p.errors[0].path, "/action_items");
    assert!(
        p.errors[0].message.contains("COLLABDOCS_MAX_PAGES"),
        "{p:?}"
    );

    let engine = limited(Limits {
        max_output_bytes: 4096,
        ..Limits::default()
    });
    for format in [OutputFormat::Docx, OutputFormat::Html] {
        let p = engine
            .render(DocumentKind::MeetingMinutes, &long_minutes(50), format)
            .unwrap_err()
            .problem();
        assert_eq!(p.status, 422);
        assert!(p.errors[0].message.contains("COLLABDOCS_MAX_OUTPUT_BYTES"));
    }
}

#[test]
fn a_render_past_its_deadline_stops_itself_in_every_format() {
    let _watch = collabdocs::budget::watch(Some(Instant::now()), None);
    for format in OutputFormat::ALL {
        let e = engine()
            .render(DocumentKind::MeetingMinutes, &long_minutes(400), *format)
            .unwrap_err();
        assert_eq!(e.status(), 503, "{format}: {e:?}");
    }
}

#[actix_web::test]
async fn a_timed_out_render_gives_back_its_slot() {
    let state = AppState {
        render_timeout: Duration::from_millis(1),
        ..AppState::new(engine())
    };
    let slots = state.slots.clone();
    let r = call_with(
        state,
        TestRequest::post()
            .uri("/v1/documents/meeting-minutes?format=pdf")
            .set_payload(serde_json::to_vec(&long_minutes(1500)).unwrap()),
    )
    .await;
    assert_eq!(r.status, 503);
    // The work stops at its next check: the slot comes back long before the render would end.
    for _ in 0..100 {
        if slots.in_flight() == 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(slots.in_flight(), 0);
}

#[actix_web::test]
async fn validation_takes_a_render_slot() {
    let state = AppState {
        slots: std::sync::Arc::new(collabdocs::http::Slots::new(0)),
        ..AppState::new(engine())
    };
    let r = call_with(
        state,
        TestRequest::post()
            .uri("/v1/documents/meeting-minutes/validate")
            .set_payload(serde_json::to_vec(&example(DocumentKind::MeetingMinutes)).unwrap()),
    )
    .await;
    assert_eq!(
        r.status, 503,
        "validation runs under a slot, off the event loop"
    );
}

fn png_uri(w: u32, h: u32, depth16: bool) -> String {
    let mut out = Vec::new();
    let mut e = png::Encoder::new(&mut out, w, h);
    e.set_color(png::ColorType::Rgba);
    e.set_depth(if depth16 {
        png::BitDepth::Sixteen
    } else {
        png::BitDepth::Eight
    });
    let mut wr = e.write_header().unwrap();
    let per = if depth16 { 8 } else { 4 };
    wr.write_image_data(&vec![0x80; (w * h * per) as usize])
        .unwrap();
    drop(wr);
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(out)
    )
}

#[actix_web::test]
async fn images_are_decoded_whole_under_the_pixel_budget() {
    // A 16-bit image whose header promises 4000 × 4000: 16 megapixels, over the budget.
    let mut huge = Vec::new();
    {
        let mut e = png::Encoder::new(&mut huge, 4000, 4000);
        e.set_color(png::ColorType::Rgba);
        e.set_depth(png::BitDepth::Sixteen);
        let mut wr = e.write_header().unwrap();
        let mut stream = wr.stream_writer().unwrap();
        let row = vec![0u8; 4000 * 8];
        for _ in 0..4000 {
            std::io::Write::write_all(&mut stream, &row).unwrap();
        }
        stream.finish().unwrap();
    }
    let huge = format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(huge)
    );
    let mut broken = png_uri(40, 40, false);
    let n = broken.len();
    broken.replace_range(n - 80..n - 20, &"A".repeat(60));
    for (uri, why) in [(huge, "pixels"), (broken, "PNG")] {
        let mut a = example(DocumentKind::Agreement);
        a["signatories"][0]["signature_image"] = json!(uri);
        for format in formats() {
            let r = render("agreement", format, &a).await;
            assert_eq!(
                r.status,
                422,
                "{format}: {}",
                String::from_utf8_lossy(&r.body)
            );
            let p = r.json();
            assert_eq!(p["errors"][0]["path"], "/signatories/0/signature_image");
            assert!(
                p["errors"][0]["message"].as_str().unwrap().contains(why),
                "{p}"
            );
        }
    }
    // A 16-bit image within the budget is taken, as 8 bits.
    let mut a = example(DocumentKind::Agreement);
    a["signatories"][0]["signature_image"] = json!(png_uri(64, 32, true));
    assert_eq!(render("agreement", "pdf", &a).await.status, 200);
}

fn jpeg_with_comment(comment: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let enc = jpeg_encoder::Encoder::new(&mut out, 80);
    let pixels = vec![0x99u8; 32 * 16 * 3];
    enc.encode(&pixels, 32, 16, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    // A COM segment right after SOI.
    let mut seg = vec![0xFF, 0xFE];
    seg.extend_from_slice(&((comment.len() + 2) as u16).to_be_bytes());
    seg.extend_from_slice(comment);
    out.splice(2..2, seg);
    out
}

#[actix_web::test]
async fn an_image_cannot_smuggle_a_catalog_into_a_signed_file() {
    let engine = crate::signing::signing_engine();
    // Fake objects for every number a small PDF uses, each a catalog with a script.
    let mut fake = Vec::new();
    for n in 1..60 {
        fake.extend_from_slice(
            format!("\n{n} 0 obj\n<</Type/Catalog/Pages 1 0 R/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>\nendobj\n").as_bytes(),
        );
    }
    let jpeg = jpeg_with_comment(&fake);
    let mut a = example(DocumentKind::Agreement);
    a["signatories"][0]["signature_image"] = json!(format!(
        "data:image/jpeg;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(&jpeg)
    ));
    let r = call_with(
        AppState::new(engine.clone()),
        TestRequest::post()
            .uri("/v1/documents/agreement?format=pdf&sign=true")
            .set_payload(serde_json::to_vec(&a).unwrap()),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let pdf = r.body;
    assert!(
        !pdf.windows(10).any(|w| w == b"OpenAction"),
        "the comment segment is not in the file"
    );
    let file = collabdocs::sign::reader::PdfFile::open(&pdf).unwrap();
    let collabdocs::sign::reader::Obj::Ref(root) = file.trailer.get("Root").unwrap().clone() else {
        panic!()
    };
    let catalog = file.object(root).unwrap().value;
    assert!(catalog.get("OpenAction").is_none() && catalog.get("AcroForm").is_some());
    let v = collabdocs::sign::verify(&pdf, &engine.trust());
    assert!(v.valid, "{v:?}");
    assert!(v.signatures[0].signed_by_this_service);
    assert_eq!(
        v.signatures[0].certificate_sha256.as_ref().unwrap().len(),
        64
    );
}

#[actix_web::test]
async fn the_signing_time_is_the_clock_not_the_payload() {
    let engine = crate::signing::signing_engine();
    let mut a = example(DocumentKind::Agreement);
    for s in a["signatories"].as_array_mut().unwrap() {
        s["signed_on"] = json!("2019-03-01");
    }
    a["approver"]["signed_on"] = json!("2019-03-02");
    let pdf = engine
        .render_signed(DocumentKind::Agreement, &a)
        .unwrap()
        .bytes;
    let v = collabdocs::sign::verify(&pdf, &Default::default());
    let m = v.signatures[0].signing_time.clone().unwrap();
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let today = collabdocs::values::Date::from_days(secs / 86_400);
    let yesterday = collabdocs::values::Date::from_days(secs / 86_400 - 1);
    let stamp = |d: collabdocs::values::Date| format!("{:04}-{:02}-{:02}T", d.year, d.month, d.day);
    assert!(
        m.starts_with(&stamp(today)) || m.starts_with(&stamp(yesterday)),
        "{m}"
    );
}

#[actix_web::test]
async fn many_byte_range_strings_are_not_signatures() {
    let mut body = b"%PDF-1.7\n".to_vec();
    while body.len() < 1_500_000 {
        body.extend_from_slice(b"/ByteRange[0 9 13 0] ");
    }
    let r = post("/v1/verify", body).await;
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["valid"], false);
    assert_eq!(v["signatures"], json!([]));
    assert!(v["problem"].as_str().is_some());
}

#[actix_web::test]
async fn verify_has_its_own_body_limit() {
    let state = AppState {
        verify_body_limit: 2048,
        ..AppState::new(engine())
    };
    let r = call_with(
        state,
        TestRequest::post()
            .uri("/v1/verify")
            .set_payload(vec![b'%'; 4096]),
    )
    .await;
    assert_eq!(r.status, 413);
}

#[actix_web::test]
async fn a_split_counts_its_parts_against_the_item_limit() {
    let mut w = example(DocumentKind::WeeklyProgress);
    let task = w["tasks"][0].clone();
    let tasks: Vec<Value> = (0..40)
        .map(|i| {
            let mut t = task.clone();
            t["department"] = json!(format!("部门{i}"));
            t
        })
        .collect();
    w["tasks"] = json!(tasks);
    let state = AppState {
        batch_max_items: 10,
        ..AppState::new(engine())
    };
    let r = call_with(
        state,
        TestRequest::post()
            .uri("/v1/batch/weekly-progress?split_by=department&format=html")
            .set_payload(serde_json::to_vec(&w).unwrap()),
    )
    .await;
    assert_eq!(r.status, 413);
    assert!(r.json()["detail"].as_str().unwrap().contains("41 files"));
}

#[test]
fn a_batch_whose_client_leaves_stops_taking_items() {
    let taken = Arc::new(AtomicUsize::new(0));
    let counter = taken.clone();
    let items = (0..200).map(move |_| {
        counter.fetch_add(1, Ordering::Relaxed);
        Ok(collabdocs::batch::BatchItem {
            kind: collabdocs::batch::ItemKind::Builtin(DocumentKind::MeetingMinutes),
            format: OutputFormat::Html,
            style: Default::default(),
            filename: None,
            template: None,
            data: example(DocumentKind::MeetingMinutes),
        })
    });
    let mut sent = 0;
    let r = collabdocs::batch::run(
        &engine(),
        items,
        2,
        |_, _| {
            sent += 1;
            if sent > 2 {
                Err(collabdocs::error::Error::Internal(
                    "the client went away".into(),
                ))
            } else {
                Ok(())
            }
        },
        |_, _| {},
    );
    assert!(r.is_err());
    let n = taken.load(Ordering::Relaxed);
    assert!(
        n <= 3 + 2 * 2 + 2,
        "{n} items were taken after the client left"
    );
}

#[actix_web::test]
async fn made_up_methods_are_counted_as_other() {
    let state = AppState::new(engine());
    let metrics = state.metrics.clone();
    let method = actix_web::http::Method::from_bytes(b"FROBNICATE").unwrap();
    let r = call_with(
        state,
        TestRequest::default().method(method).uri("/v1/kinds"),
    )
    .await;
    assert_eq!(r.status, 405);
    let text = metrics.render_text(0, 0);
    assert!(text.contains("method=\"OTHER\""), "{text}");
    assert!(!text.contains("FROBNICATE"));
}

#[actix_web::test]
async fn thousands_of_missing_glyphs_give_a_short_header() {
    let mut m = example(DocumentKind::MeetingMinutes);
    let private: String = (0xE000u32..0xE000 + 5000)
        .filter_map(char::from_u32)
        .collect();
    m["objective"] = json!(private);
    let r = render("meeting-minutes", "pdf", &m).await;
    assert_eq!(r.status, 200);
    let h = r.header("collabdocs-missing-glyphs");
    assert!(
        h.len() < 1024 && h.ends_with(&format!("+{}", 5000 - 64)),
        "{h}"
    );
}

#[actix_web::test]
async fn file_names_carry_no_bidi_controls_or_device_names() {
    let mut r = example(DocumentKind::RaciMatrix);
    r["project"]["name"] = json!("大促\u{202E}fdp.exe");
    let reply = render("raci-matrix", "html", &r).await;
    let cd = reply.header("content-disposition");
    assert!(!cd.contains("%E2%80%AE") && cd.contains("fdp.exe"), "{cd}");
    let batch = json!({"items": [
        {"kind": "meeting-minutes", "format": "html", "filename": "con", "data": example(DocumentKind::MeetingMinutes)},
        {"kind": "meeting-minutes", "format": "html", "filename": "a\u{200B}b. . ", "data": example(DocumentKind::MeetingMinutes)}
    ]});
    let reply = post("/v1/batch", serde_json::to_vec(&batch).unwrap()).await;
    assert_eq!(reply.status, 200);
    let names = zip_names(&reply.body);
    assert!(names.contains(&"_con.html".to_string()), "{names:?}");
    assert!(names.contains(&"ab.html".to_string()), "{names:?}");
}

/// The largest resident size the process has had, from `/proc/<pid>/status`, in KiB.
#[cfg(target_os = "linux")]
fn peak_rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap()
}

/// The real binary, with API keys and a signing key, through every heavy case at once:
/// it answers each with a bounded status, stays alive, and its peak memory stays under
/// 300 MB. `.ci/run` runs it again against the release binary (`COLLABDOCS_TEST_BINARY`).
#[cfg(target_os = "linux")]
#[test]
fn the_binary_survives_every_case_within_its_memory() {
    use crate::cli::http_with;
    let dir = std::env::temp_dir().join(format!("collabdocs-attacks-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (key, cert) = collabdocs::sign::dev_cert("华东零售集团").unwrap();
    std::fs::write(dir.join("key.pem"), key).unwrap();
    std::fs::write(dir.join("cert.pem"), cert).unwrap();
    let port = 20000 + ((std::process::id() + 4409) % 20000) as u16;
    let (mut child, _kill) = serve_binary(
        port,
        &[
            ("COLLABDOCS_API_KEYS", "k-1".into()),
            (
                "COLLABDOCS_SIGNING_KEY",
                dir.join("key.pem").display().to_string(),
            ),
            (
                "COLLABDOCS_SIGNING_CERT",
                dir.join("cert.pem").display().to_string(),
            ),
            ("COLLABDOCS_BODY_TIMEOUT_MS", "1000".into()),
        ],
    );
    let auth = "Authorization: Bearer k-1\r\n";
    let send = |method: &str, path: &str, body: &[u8]| -> String {
        http_with(port, method, path, auth, body)
            .map(|(s, _)| s)
            .unwrap_or_else(|e| format!("no answer: {e}"))
    };
    let status_of = |line: &str| line.split_whitespace().nth(1).unwrap_or("").to_string();

    // Encoded paths without a key.
    let (line, _) = http_with(port, "GET", "/%761/kinds", "", b"").unwrap();
    assert_eq!(status_of(&line), "401", "{line}");
    // A header row taller than a page.
    let tall = serde_json::to_vec(&raci(vec!["协".repeat(1500), "市场部".into()], 5)).unwrap();
    assert_eq!(
        status_of(&send("POST", "/v1/documents/raci-matrix?format=pdf", &tall)),
        "200"
    );
    // Hundreds of undeclared parties on every task.
    let mut many = raci(vec!["市场部".into(), "产品部".into()], 1000);
    for t in many["tasks"].as_array_mut().unwrap() {
        for j in 0..30 {
            t["assignments"][format!("未声明{j}")] = json!("I");
        }
    }
    many["parties"] = json!((0..1000).map(|i| format!("部门{i}")).collect::<Vec<_>>());
    let many = serde_json::to_vec(&many).unwrap();
    assert_eq!(
        status_of(&send("POST", "/v1/documents/raci-matrix/validate", &many)),
        "422"
    );
    assert_eq!(
        status_of(&send("POST", "/v1/documents/raci-matrix?format=pdf", &many)),
        "422"
    );
    // A hundred thousand unknown fields in one object.
    let unknown = serde_json::to_vec(&unknown_fields(100_000)).unwrap();
    assert_eq!(
        status_of(&send(
            "POST",
            "/v1/documents/weekly-progress?format=pdf",
            &unknown
        )),
        "422"
    );
    // A matrix over the cell budget.
    let parties: Vec<String> = (0..260).map(|i| format!("部门{i}")).collect();
    let big = serde_json::to_vec(&raci(parties, 260)).unwrap();
    assert_eq!(
        status_of(&send("POST", "/v1/documents/raci-matrix?format=pdf", &big)),
        "422"
    );
    // Two megabytes of fake byte ranges.
    let mut fake = b"%PDF-1.7\n".to_vec();
    while fake.len() < 2_000_000 {
        fake.extend_from_slice(b"/ByteRange[0 9 13 0] ");
    }
    assert_eq!(status_of(&send("POST", "/v1/verify", &fake)), "200");
    // A weekly report split into more parts than a batch may hold.
    let mut w = example(DocumentKind::WeeklyProgress);
    let task = w["tasks"][0].clone();
    w["tasks"] = json!((0..1500)
        .map(|i| {
            let mut t = task.clone();
            t["department"] = json!(format!("部门{i}"));
            t
        })
        .collect::<Vec<_>>());
    let w = serde_json::to_vec(&w).unwrap();
    assert_eq!(
        status_of(&send(
            "POST",
            "/v1/batch/weekly-progress?split_by=department",
            &w
        )),
        "413"
    );
    // Long documents in every format, several at once.
    let long = serde_json::to_vec(&long_minutes(600)).unwrap();
    let threads: Vec<_> = formats()
        .into_iter()
        .map(|f| {
            let long = long.clone();
            std::thread::spawn(move || {
                http_with(
                    port,
                    "POST",
                    &format!("/v1/documents/meeting-minutes?format={f}"),
                    "Authorization: Bearer k-1\r\n",
                    &long,
                )
                .map(|(s, _)| s)
                .unwrap_or_default()
            })
        })
        .collect();
    for t in threads {
        let line = t.join().unwrap();
        assert!(
            line.contains(" 200 ") || line.contains(" 422 ") || line.contains(" 503 "),
            "{line}"
        );
    }
    // A body trickled one byte at a time is cut off at the body timeout.
    {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(s, "POST /v1/documents/meeting-minutes/validate HTTP/1.1\r\nHost: x\r\n{auth}Content-Length: 100000\r\n\r\n").unwrap();
        s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
        let mut buf = Vec::new();
        for _ in 0..100 {
            if s.write_all(b" ").is_err() {
                break;
            }
            let mut chunk = [0u8; 512];
            match s.read(&mut chunk) {
                Ok(n) if n > 0 => {
                    buf.extend_from_slice(&chunk[..n]);
                    break;
                }
                Ok(_) => break,
                Err(_) => {}
            }
        }
        let text = String::from_utf8_lossy(&buf);
        assert!(
            text.starts_with("HTTP/1.1 408"),
            "the trickled body got: {text:?}"
        );
    }
    let (line, _) = http_with(port, "GET", "/healthz", "", b"").expect("still alive");
    assert_eq!(status_of(&line), "200");
    let peak = peak_rss_kib(child.id());
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!("peak RSS of the service: {} MB", peak / 1024);
    assert!(peak < 300 * 1024, "peak RSS {} MB", peak / 1024);
}

#[actix_web::test]
async fn health_answers_while_a_render_is_running() {
    use futures_util::future::{select, Either};
    let app = actix_web::test::init_service(collabdocs::http::app(actix_web::web::Data::new(
        AppState::new(engine()),
    )))
    .await;
    // A render held busy off the event loop (the test build's slow-render fault), and a
    // health check sent after it: the check is answered first.
    let mut m = example(DocumentKind::MeetingMinutes);
    m["title"] = json!("__collabdocs_fault_slow__");
    let render = actix_web::test::call_service(
        &app,
        TestRequest::post()
            .uri("/v1/documents/meeting-minutes?format=html")
            .set_payload(serde_json::to_vec(&m).unwrap())
            .to_request(),
    );
    let health =
        actix_web::test::call_service(&app, TestRequest::get().uri("/healthz").to_request());
    let render = Box::pin(render);
    let first_was_health = match select(render, Box::pin(health)).await {
        Either::Right((h, render)) => {
            assert_eq!(h.status(), 200);
            assert_eq!(render.await.status(), 200);
            true
        }
        Either::Left(_) => false,
    };
    assert!(first_was_health, "the health check waited for the render");
}

#[test]
fn a_matrix_too_wide_for_its_tasks_is_refused_before_it_is_wrapped() {
    // Two thousand parties leave each column a point wide; three tasks of 20,000 characters
    // would wrap a line per character: hundreds of pages, refused from an estimate.
    let parties: Vec<String> = (0..2000).map(|i| format!("部门{i}")).collect();
    let mut m = raci(parties, 3);
    for t in m["tasks"].as_array_mut().unwrap() {
        t["task"] = json!("协".repeat(20_000));
    }
    let e = engine()
        .render(DocumentKind::RaciMatrix, &m, OutputFormat::Pdf)
        .unwrap_err();
    let collabdocs::error::Error::Invalid(errors, _) = &e else {
        panic!("{e:?}")
    };
    let detail = &errors[0].message;
    assert!(
        detail.contains("at least") && detail.contains("COLLABDOCS_MAX_PAGES"),
        "{detail}"
    );
}

#[actix_web::test]
async fn bodies_in_flight_share_one_budget() {
    let state = AppState {
        bodies: Arc::new(collabdocs::http::BodyBudget::new(4096)),
        ..AppState::new(engine())
    };
    let big = vec![b' '; 5000];
    let r = call_with(
        state,
        TestRequest::post()
            .uri("/v1/documents/meeting-minutes/validate")
            .insert_header(("content-length", big.len().to_string()))
            .set_payload(big),
    )
    .await;
    assert_eq!(r.status, 503, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.header("retry-after"), "1");
    assert!(r.json()["detail"]
        .as_str()
        .unwrap()
        .contains("COLLABDOCS_BODY_BUDGET_BYTES"));
    // The share comes back with each answer: requests one after another all fit.
    let state = web_state(AppState {
        bodies: Arc::new(collabdocs::http::BodyBudget::new(64 * 1024)),
        ..AppState::new(engine())
    });
    let body = serde_json::to_vec(&example(DocumentKind::MeetingMinutes)).unwrap();
    for _ in 0..20 {
        let r = call_state(
            &state,
            TestRequest::post()
                .uri("/v1/documents/meeting-minutes/validate")
                .set_payload(body.clone()),
        )
        .await;
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    }
}

fn web_state(s: AppState) -> actix_web::web::Data<AppState> {
    actix_web::web::Data::new(s)
}

async fn call_state(state: &actix_web::web::Data<AppState>, req: TestRequest) -> Reply {
    let app = actix_web::test::init_service(collabdocs::http::app(state.clone())).await;
    let res = actix_web::test::call_service(&app, req.to_request()).await;
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let body = actix_web::test::read_body(res).await.to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

#[actix_web::test]
async fn a_batch_of_a_million_items_is_refused_as_it_is_read() {
    let mut body = b"{\"items\":[".to_vec();
    for i in 0..1_000_000 {
        body.extend_from_slice(if i == 0 { b"[]" } else { b",[]" });
    }
    body.extend_from_slice(b"]}");
    let state = AppState {
        batch_body_limit: 4 * 1024 * 1024,
        ..AppState::new(engine())
    };
    let r = call_with(
        state,
        TestRequest::post().uri("/v1/batch").set_payload(body),
    )
    .await;
    assert_eq!(r.status, 413, "{}", String::from_utf8_lossy(&r.body));
    assert!(r.json()["detail"]
        .as_str()
        .unwrap()
        .contains("more than 1000 items"));
    // A top-level list is counted the same way; malformed JSON is still a 400.
    let list = format!("[{}]", vec!["[]"; 2000].join(","));
    assert_eq!(post("/v1/batch", list).await.status, 413);
    assert_eq!(post("/v1/batch", "{\"items\": [").await.status, 400);
}

/// A one-bit grey PNG of `w` × `h`, black but for pixel `dot`: a few hundred bytes to send,
/// `w` × `h` pixels to decode.
pub fn sparse_png_uri(w: u32, h: u32, dot: u32) -> String {
    let mut out = Vec::new();
    let mut e = png::Encoder::new(&mut out, w, h);
    e.set_color(png::ColorType::Grayscale);
    e.set_depth(png::BitDepth::One);
    e.set_compression(png::Compression::High);
    let mut wr = e.write_header().unwrap();
    let row_bytes = w.div_ceil(8) as usize;
    let mut data = vec![0u8; row_bytes * h as usize];
    let (x, y) = (dot % w, (dot / w) % h);
    data[y as usize * row_bytes + x as usize / 8] = 0x80 >> (x % 8);
    wr.write_image_data(&data).unwrap();
    drop(wr);
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(out)
    )
}

#[actix_web::test]
async fn a_payloads_images_share_one_pixel_budget() {
    // Six images of 7.84 megapixels each: five fit the 40-megapixel budget, the sixth does not.
    let mut a = example(DocumentKind::Agreement);
    let template = a["signatories"][0].clone();
    a["signatories"] = json!((0..6)
        .map(|i| {
            let mut s = template.clone();
            s["name"] = json!(format!("签署人{i}"));
            s["signature_image"] = json!(sparse_png_uri(2800, 2800, i));
            s
        })
        .collect::<Vec<_>>());
    let r = render("agreement", "html", &a).await;
    assert_eq!(r.status, 422, "{}", String::from_utf8_lossy(&r.body));
    let p = r.json();
    assert_eq!(
        p["errors"][0]["path"], "/signatories/5/signature_image",
        "{p}"
    );
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("COLLABDOCS_MAX_REQUEST_IMAGE_PIXELS"),
        "{p}"
    );
}

/// The service binary serving on `port` with these settings, once ready — the release
/// binary when CI names it in `COLLABDOCS_TEST_BINARY`, else the one `cargo test` built —
/// and a guard that stops it when the test ends, passing or failing.
#[cfg(target_os = "linux")]
fn serve_binary(port: u16, env: &[(&str, String)]) -> (std::process::Child, KillOnDrop) {
    use crate::cli::{bin, http_with};
    let mut cmd = match std::env::var_os("COLLABDOCS_TEST_BINARY") {
        Some(path) => std::process::Command::new(path),
        None => bin(),
    };
    cmd.args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("COLLABDOCS_LOG", "error");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let child = cmd.spawn().unwrap();
    let guard = KillOnDrop(child.id());
    let ready = (0..200).any(|_| {
        std::thread::sleep(Duration::from_millis(100));
        http_with(port, "GET", "/readyz", "", b"").is_ok_and(|(s, _)| s.contains("200"))
    });
    assert!(ready, "the service did not become ready");
    (child, guard)
}

/// Kills a process when dropped, so a failing test leaves no service behind.
struct KillOnDrop(u32);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = std::process::Command::new("kill")
            .arg(self.0.to_string())
            .stderr(std::process::Stdio::null())
            .status();
    }
}

/// CPU time a process has used so far (user and system), in clock ticks (hundredths of a
/// second).
#[cfg(target_os = "linux")]
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // The fields after the command name (which is in parentheses and may hold spaces).
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
}

/// Files made to keep a verifier busy: each a signed agreement with a revision appended
/// whose page tree, annotations or fields repeat one object a hundred thousand times.
fn hostile_pdfs() -> Vec<(&'static str, Vec<u8>)> {
    use crate::forgeries::{signed_agreement, text_of, update, with_entry, Doc};
    let pdf = signed_agreement();
    let doc = Doc::of(&pdf);
    let root = format!("/Root {} 0 R", doc.root);
    let n = doc.size;
    let catalog = text_of(&pdf, doc.root);
    let pages_node = {
        let f = collabdocs::sign::reader::PdfFile::open(&pdf).unwrap();
        match f.object(doc.root).unwrap().value.get("Pages") {
            Some(collabdocs::sign::reader::Obj::Ref(p)) => *p,
            _ => panic!("no page tree"),
        }
    };
    let many = |num: u32, times: usize| format!("{num} 0 R ").repeat(times);
    // Sixteen signatures, each over nearly 16 MB (a filler nothing refers to).
    let sixteen = {
        let mut objects = vec![(
            n,
            crate::forgeries::stream("", &vec![b'x'; 15 * 1024 * 1024]),
        )];
        let mut fields = String::new();
        for i in 0..16u32 {
            let (sig, field) = (n + 1 + i, n + 17 + i);
            objects.push((
                sig,
                format!(
                    "<</Type/Sig/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached/ByteRange[0 {z} {z} {z}]/Contents<{}>>>",
                    "0".repeat(64),
                    z = "0".repeat(10)
                )
                .into_bytes(),
            ));
            objects.push((
                field,
                format!("<</FT/Sig/T(s{i})/V {sig} 0 R>>").into_bytes(),
            ));
            fields.push_str(&format!("{field} 0 R "));
        }
        objects.push((
            doc.root,
            catalog
                .replacen("/Fields[", &format!("/Fields[{fields}"), 1)
                .into_bytes(),
        ));
        let mut out = update(&pdf, &objects, &root, None);
        // Each range frames its own /Contents and runs to the end of the file.
        let len = out.len();
        let mut from = pdf.len();
        while let Some(i) = out[from..].windows(11).position(|w| w == b"/ByteRange[") {
            let at = from + i + 11;
            let contents = at
                + out[at..]
                    .windows(10)
                    .position(|w| w == b"/Contents<")
                    .unwrap()
                + 9;
            let end = contents + 66;
            let range = format!("0 {contents:010} {end:010} {:010}", len - end);
            out[at..at + range.len()].copy_from_slice(range.as_bytes());
            from = end;
        }
        out
    };
    let big_leaf = format!("<</Type/Page/Filler[{}]>>", "0 ".repeat(400_000));
    vec![
        ("sixteen signatures over 16 MB", sixteen),
        (
            "a large leaf listed 100,000 times",
            update(
                &pdf,
                &[
                    (n, big_leaf.into_bytes()),
                    (
                        pages_node,
                        format!("<</Type/Pages/Kids[{}]/Count 100000>>", many(n, 100_000))
                            .into_bytes(),
                    ),
                ],
                &root,
                None,
            ),
        ),
        (
            "a page tree node listing itself 300,000 times",
            update(
                &pdf,
                &[(
                    pages_node,
                    format!(
                        "<</Type/Pages/Kids[{}]/Count 1>>",
                        many(pages_node, 300_000)
                    )
                    .into_bytes(),
                )],
                &root,
                None,
            ),
        ),
        (
            "a page with 200,000 annotations",
            update(
                &pdf,
                &[(
                    doc.pages[0],
                    with_entry(
                        &text_of(&pdf, doc.pages[0]),
                        &format!("/Annots[{}]", many(doc.root, 200_000)),
                    )
                    .into_bytes(),
                )],
                &root,
                None,
            ),
        ),
        (
            "a field listing itself 200,000 times",
            update(
                &pdf,
                &[
                    (
                        doc.root,
                        catalog
                            .replacen("/Fields[", &format!("/Fields[{n} 0 R "), 1)
                            .into_bytes(),
                    ),
                    (
                        n,
                        format!("<</FT/Sig/Kids[{}]>>", many(n, 200_000)).into_bytes(),
                    ),
                ],
                &root,
                None,
            ),
        ),
    ]
}

/// The real binary, with a short render timeout, against verifies made to run long, a
/// payload of images each decoding to the pixel cap, a batch of a million items and a matrix
/// too wide for its tasks: every answer comes (200, 413, 422 or 503), the core is idle within
/// a second of it, and peak memory stays bounded. `.ci/run` runs it with the release binary.
#[cfg(target_os = "linux")]
#[test]
fn the_binary_stops_hostile_work_and_frees_the_core() {
    use crate::cli::http_with;
    let port = 20000 + ((std::process::id() + 12_011) % 20000) as u16;
    let (mut child, _kill) = serve_binary(
        port,
        &[
            ("COLLABDOCS_RENDER_TIMEOUT_MS", "100".into()),
            ("COLLABDOCS_BODY_LIMIT_BYTES", (8 * 1024 * 1024).to_string()),
            // The payload-wide pixel budget would refuse the images at once: the deadline is
            // what is tried here.
            ("COLLABDOCS_MAX_REQUEST_IMAGE_PIXELS", "4000000000".into()),
        ],
    );
    let pid = child.id();
    // After each answer: no more than a fifth of a second of CPU in the second after the first
    // (the debug build, ten times slower, gets two seconds to settle).
    let settle = if std::env::var_os("COLLABDOCS_TEST_BINARY").is_some() {
        1000
    } else {
        2000
    };
    let idle_after = |what: &str| {
        std::thread::sleep(Duration::from_millis(settle));
        let before = cpu_ticks(pid);
        std::thread::sleep(Duration::from_millis(1000));
        let used = cpu_ticks(pid) - before;
        assert!(
            used <= 20,
            "{what}: the service used {used} ticks of CPU after answering"
        );
    };
    let status = |line: &str| line.split_whitespace().nth(1).unwrap_or("").to_string();
    for (what, pdf) in hostile_pdfs() {
        let started = Instant::now();
        let (line, body) = http_with(port, "POST", "/v1/verify", "", &pdf).unwrap();
        let took = started.elapsed();
        assert!(
            ["200", "503"].contains(&status(&line).as_str()),
            "{what}: {line} {}",
            String::from_utf8_lossy(&body[body.len().saturating_sub(300)..])
        );
        eprintln!("{what}: {} in {took:?}", status(&line));
        idle_after(what);
    }
    // 1,400 images, each decoding to the pixel cap (one picture, its URIs told apart by a
    // space the decoder skips, so none is remembered from the last): past the deadline, a
    // 503, and the decoding stops with it.
    let uri = sparse_png_uri(2800, 2800, 7);
    let comma = uri.find(',').unwrap() + 1;
    let mut a = example(DocumentKind::Agreement);
    let template = a["signatories"][0].clone();
    a["signatories"] = json!((0..1400)
        .map(|i| {
            let mut s = template.clone();
            let at = comma + 1 + i % (uri.len() - comma - 1);
            s["signature_image"] = json!(format!(
                "{} {}{}",
                &uri[..at],
                " ".repeat(i / 200),
                &uri[at..]
            ));
            s
        })
        .collect::<Vec<_>>());
    let body = serde_json::to_vec(&a).unwrap();
    let started = Instant::now();
    let (line, _) = http_with(port, "POST", "/v1/documents/agreement/validate", "", &body).unwrap();
    eprintln!("1,400 images: {} in {:?}", status(&line), started.elapsed());
    assert!(
        ["422", "503"].contains(&status(&line).as_str()),
        "images: {line}"
    );
    idle_after("1,400 images");
    // A matrix whose columns are a point wide, with tasks of 20,000 characters.
    let parties: Vec<String> = (0..2000).map(|i| format!("部门{i}")).collect();
    let mut m = raci(parties, 3);
    for t in m["tasks"].as_array_mut().unwrap() {
        t["task"] = json!("协".repeat(20_000));
    }
    let body = serde_json::to_vec(&m).unwrap();
    let started = Instant::now();
    let (line, _) = http_with(
        port,
        "POST",
        "/v1/documents/raci-matrix?format=pdf",
        "",
        &body,
    )
    .unwrap();
    eprintln!("wide matrix: {} in {:?}", status(&line), started.elapsed());
    assert!(
        ["422", "503"].contains(&status(&line).as_str()),
        "wide matrix: {line}"
    );
    // 32 MB of `[]` in a batch: refused as it is read.
    let mut batch = b"{\"items\":[".to_vec();
    while batch.len() < 32 * 1024 * 1024 - 16 {
        batch.extend_from_slice(b"[],");
    }
    batch.extend_from_slice(b"[]]}");
    let started = Instant::now();
    let (line, _) = http_with(port, "POST", "/v1/batch", "", &batch).unwrap();
    eprintln!(
        "32 MB batch of []: {} in {:?}",
        status(&line),
        started.elapsed()
    );
    assert_eq!(status(&line), "413", "batch of []: {line}");
    let (line, _) = http_with(port, "GET", "/healthz", "", b"").expect("still alive");
    assert_eq!(status(&line), "200");
    let peak = peak_rss_kib(pid);
    let _ = child.kill();
    let _ = child.wait();
    eprintln!("peak RSS of the service: {} MB", peak / 1024);
    assert!(peak < 300 * 1024, "peak RSS {} MB", peak / 1024);
}
