//! Files an archive accepts: PDF/A-3b (`?archive=pdfa`, or `COLLABDOCS_ARCHIVE=pdfa` for the
//! default) with the payload attached as the document's source — read back from the file:
//! the XMP identification, the output intent, the associated file and its bytes, the text.

use collabdocs::kinds::DocumentKind;
use collabdocs::sign::reader::{Obj, PdfFile};
use serde_json::Value;

use crate::common::*;

/// What a PDF/A-3b copy carries, read with the signing reader: (pdfaid part, conformance),
/// the output intent's subtype, and the attachment (name, relationship, MIME subtype, JSON).
struct Archived {
    part: String,
    conformance: String,
    intent: String,
    attachment: (String, String, String, Value),
}

fn archived(pdf: &[u8]) -> Archived {
    let file = PdfFile::open(pdf).unwrap();
    let Some(Obj::Ref(root)) = file.trailer.get("Root") else {
        panic!("no root")
    };
    let catalog = file.object(*root).unwrap().value;
    let Some(Obj::Ref(meta)) = catalog.get("Metadata") else {
        panic!("no XMP metadata")
    };
    let xmp = String::from_utf8(file.stream(*meta).unwrap()).unwrap();
    let tag = |name: &str| {
        let open = format!("<pdfaid:{name}>");
        let at = xmp
            .find(&open)
            .unwrap_or_else(|| panic!("no pdfaid:{name} in {xmp}"))
            + open.len();
        xmp[at..at + xmp[at..].find('<').unwrap()].to_string()
    };
    let intents = file
        .resolve(catalog.get("OutputIntents").expect("an output intent"))
        .unwrap();
    let intent = file.resolve(&intents.as_array().unwrap()[0]).unwrap();
    let af = file
        .resolve(catalog.get("AF").expect("associated files"))
        .unwrap();
    let spec = file.resolve(&af.as_array().unwrap()[0]).unwrap();
    let name = |o: Option<&Obj>| o.and_then(Obj::as_name).unwrap_or_default().to_string();
    let text = |o: Option<&Obj>| match o {
        Some(Obj::Str(s)) => String::from_utf8_lossy(s).into_owned(),
        _ => String::new(),
    };
    let ef = file.resolve(spec.get("EF").unwrap()).unwrap();
    let Some(Obj::Ref(stream)) = ef.get("F") else {
        panic!("no embedded file stream")
    };
    let embedded = file.object(*stream).unwrap().value;
    let json = file.stream(*stream).unwrap();
    Archived {
        part: tag("part"),
        conformance: tag("conformance"),
        intent: name(intent.get("S")),
        attachment: (
            text(spec.get("F")),
            name(spec.get("AFRelationship")),
            // A `/` in a name is written `#2F`.
            name(embedded.get("Subtype")).replace("#2F", "/"),
            serde_json::from_slice(&json).expect("the attachment is JSON"),
        ),
    }
}

async fn ask(query: &str, kind: DocumentKind, payload: &Value) -> Reply {
    post(
        &format!("/v1/documents/{}?{query}", kind.slug()),
        serde_json::to_vec(payload).unwrap(),
    )
    .await
}

#[actix_web::test]
async fn every_kind_is_a_pdf_a_3b_with_its_payload_attached_and_its_text_all_there() {
    for &kind in DocumentKind::ALL {
        let payload = example(kind);
        let r = ask("format=pdf&archive=pdfa", kind, &payload).await;
        assert_eq!(
            r.status,
            200,
            "{kind}: {}",
            String::from_utf8_lossy(&r.body)
        );
        let a = archived(&r.body);
        assert_eq!(
            (a.part.as_str(), a.conformance.as_str()),
            ("3", "B"),
            "{kind}"
        );
        assert_eq!(a.intent, "GTS_PDFA1", "{kind}");
        let (name, relationship, mime, json) = a.attachment;
        assert!(name.ends_with(".json") && name.is_ascii(), "{kind}: {name}");
        assert_eq!(relationship, "Source", "{kind}");
        assert_eq!(mime, "application/json", "{kind}");
        assert_eq!(json, payload, "{kind}: the attachment is the payload");
        let missing = crate::pdf::missing_from_pdf(&r.body, &payload);
        assert!(
            missing.is_empty(),
            "{kind} pdf/a is missing:\n{}",
            missing.join("\n")
        );
        // The same input, the same bytes; the plain PDF is not PDF/A and has no attachment.
        assert_eq!(
            ask("format=pdf&archive=pdfa", kind, &payload).await.body,
            r.body
        );
        let plain = ask("format=pdf", kind, &payload).await.body;
        assert!(!plain.windows(4).any(|w| w == b"/AF["), "{kind}");
    }
}

#[actix_web::test]
async fn a_signed_pdf_a_with_its_seals_stays_pdf_a_and_its_signature_holds() {
    let engine = crate::party_keys::sealed_engine(200);
    let payload = example(DocumentKind::Agreement);
    let r = call_with(
        collabdocs::http::AppState::new(engine),
        actix_web::test::TestRequest::post()
            .uri("/v1/documents/agreement?format=pdf&sign=true&archive=pdfa&cross_page_seal=true")
            .insert_header(("content-type", "application/json"))
            .set_payload(serde_json::to_vec(&payload).unwrap()),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let a = archived(&r.body);
    assert_eq!((a.part.as_str(), a.intent.as_str()), ("3", "GTS_PDFA1"));
    assert_eq!(a.attachment.3, payload);
    let v = collabdocs::sign::verify(&r.body, &collabdocs::sign::Trust::default());
    assert!(v.valid && v.covers_whole_file, "{v:?}");
}

#[actix_web::test]
async fn what_an_archive_copy_cannot_be_is_a_clear_answer() {
    let kind = DocumentKind::MeetingMinutes;
    let mut payload = example(kind);
    // A character no font here has cannot be drawn in PDF/A: a 422 naming it, and the
    // plain PDF still draws the rest.
    payload["title"] = Value::String(format!("🚀 上线{}", "长".repeat(3000)));
    let r = ask("format=pdf&archive=pdfa", kind, &payload).await;
    assert_eq!(r.status, 422, "{}", String::from_utf8_lossy(&r.body));
    let problem = r.json();
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("U+1F680"),
        "{problem}"
    );
    assert_eq!(ask("format=pdf", kind, &payload).await.status, 200);
    // Only a PDF: not docx; an unknown value.
    let payload = example(kind);
    for query in ["format=docx&archive=pdfa", "format=pdf&archive=pdfx"] {
        assert_eq!(ask(query, kind, &payload).await.status, 400, "{query}");
    }
    assert_eq!(
        ask("format=docx&archive=none", kind, &payload).await.status,
        200
    );
}

#[actix_web::test]
async fn the_service_default_makes_every_pdf_an_archive_copy_unless_asked() {
    let engine = std::sync::Arc::new(
        collabdocs::engine::Engine::new(collabdocs::engine::EngineOptions {
            archive: collabdocs::engine::ArchiveFormat::Pdfa,
            ..Default::default()
        })
        .unwrap(),
    );
    let kind = DocumentKind::RaciMatrix;
    let payload = example(kind);
    let get = |query: &'static str| {
        call_with(
            collabdocs::http::AppState::new(engine.clone()),
            actix_web::test::TestRequest::post()
                .uri(&format!("/v1/documents/raci-matrix?{query}"))
                .insert_header(("content-type", "application/json"))
                .set_payload(serde_json::to_vec(&payload).unwrap()),
        )
    };
    let default = get("format=pdf").await;
    assert_eq!(archived(&default.body).part, "3");
    let plain = get("format=pdf&archive=none").await;
    assert!(!plain.body.windows(4).any(|w| w == b"/AF["));
    // Other formats are what they are.
    assert_eq!(get("format=docx").await.status, 200);
}

/// The hostile payloads archives meet: 500 rows, 3,000 characters without a space, a name written
/// right to left. A PDF/A copy and the tagged PDF hold every row and the structure of each; a
/// script no font here has is refused for PDF/A by name, and the plain PDF is tagged without
/// the PDF/UA claim.
#[actix_web::test]
async fn five_hundred_rows_a_long_line_and_a_right_to_left_name() {
    let kind = DocumentKind::MeetingMinutes;
    let mut payload = example(kind);
    let items: Vec<Value> = (0..500)
        .map(|i| serde_json::json!({"task": format!("第{i}项任务：核对渠道数据并提交报告"), "owner": "李明", "department": "市场部", "due": "2026-08-10", "deliverable": format!("交付物{i}"), "status": "in_progress"}))
        .collect();
    payload["action_items"] = Value::Array(items);
    payload["objective"] = Value::String("长".repeat(3000));
    for query in ["format=pdf&archive=pdfa", "format=pdf"] {
        let r = ask(query, kind, &payload).await;
        assert_eq!(
            r.status,
            200,
            "{query}: {}",
            String::from_utf8_lossy(&r.body)
        );
        // The long line runs over pages: read without the page furniture between.
        let missing: Vec<String> = crate::pdf::missing_from_pdf(&r.body, &payload)
            .into_iter()
            .filter(|m| !m.starts_with("/objective"))
            .collect();
        assert!(
            missing.is_empty(),
            "{query} is missing:\n{}",
            missing.join("\n")
        );
        assert!(
            crate::pdf::body_text(&r.body).contains(&"长".repeat(3000)),
            "{query}"
        );
        // Every row of the actions table is a row of the structure (a header row besides).
        let rows = crate::tagged::elements(&r.body)
            .iter()
            .filter(|e| e.0 == "TR")
            .count();
        assert!(rows > 500, "{query}: {rows} rows in the structure");
        assert!(
            r.body.windows(14).any(|w| w == b"pdfuaid:part>1"),
            "{query}"
        );
    }
    let mut payload = example(kind);
    payload["attendees"][0]["name"] = Value::String("שרה כהן".into());
    let r = ask("format=pdf&archive=pdfa", kind, &payload).await;
    assert_eq!(r.status, 422);
    assert!(r.json()["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("U+05E9"));
    let r = ask("format=pdf", kind, &payload).await;
    assert_eq!(r.status, 200);
    assert!(!r.body.windows(14).any(|w| w == b"pdfuaid:part>1"));
}

/// A Word template laid out as PDF is an archive copy too: the office's own layout, the
/// payload attached; as a DOCX it is not a PDF (400).
#[actix_web::test]
async fn a_word_template_laid_out_as_pdf_a_carries_its_payload() {
    let engine = std::sync::Arc::new(
        collabdocs::engine::Engine::new(collabdocs::engine::EngineOptions {
            templates_dir: Some("examples/templates".into()),
            ..Default::default()
        })
        .unwrap(),
    );
    let payload = example(DocumentKind::MeetingMinutes);
    let get = |query: &'static str| {
        call_with(
            collabdocs::http::AppState::new(engine.clone()),
            actix_web::test::TestRequest::post()
                .uri(&format!(
                    "/v1/documents/meeting-minutes?template=letterhead-minutes&{query}"
                ))
                .insert_header(("content-type", "application/json"))
                .set_payload(serde_json::to_vec(&payload).unwrap()),
        )
    };
    let r = get("format=pdf&archive=pdfa").await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let a = archived(&r.body);
    assert_eq!((a.part.as_str(), a.conformance.as_str()), ("3", "B"));
    assert_eq!(a.attachment.1, "Source");
    assert_eq!(a.attachment.3, payload);
    assert_eq!(
        get("format=pdf&archive=pdfa").await.body,
        r.body,
        "the same bytes"
    );
    assert_eq!(get("format=docx&archive=pdfa").await.status, 400);
    assert!(!get("format=pdf")
        .await
        .body
        .windows(4)
        .any(|w| w == b"/AF["));
}
