//! The OpenAPI document: committed = generated = served, and what it says is what the code does.

use actix_web::test::TestRequest;
use collabdocs::budget::Limits;
use collabdocs::kinds::DocumentKind;
use serde_json::{json, Value};

use crate::common::*;

fn committed() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
        .expect("openapi/openapi.json is committed")
}

fn spec() -> Value {
    serde_json::from_str(&committed()).unwrap()
}

#[test]
fn the_committed_document_is_what_the_code_produces() {
    let produced = collabdocs::http::openapi::document_text(Limits::default());
    assert!(
        produced == committed(),
        "openapi/openapi.json is out of date: run `cargo run -- openapi -o openapi/openapi.json` and commit it"
    );
}

#[actix_web::test]
async fn the_service_serves_the_committed_document() {
    let r = call(TestRequest::get().uri("/openapi.json")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), "application/json");
    assert_eq!(String::from_utf8(r.body).unwrap(), committed());
}

#[test]
fn the_document_states_the_configured_limits() {
    let doc = collabdocs::http::openapi::document(Limits {
        max_string_chars: 77,
        max_array_items: 9,
        ..Limits::default()
    });
    let s = &doc["components"]["schemas"]["MeetingMinutes"]["properties"];
    assert_eq!(s["title"]["maxLength"], 77);
    assert_eq!(s["attendees"]["maxItems"], 9);
}

/// The schema component a `$ref` names.
fn resolve<'a>(spec: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.rsplit('/').next().unwrap();
            &spec["components"]["schemas"][name]
        }
        None => v,
    }
}

#[actix_web::test]
async fn every_kind_has_its_operations_and_its_example() {
    let spec = spec();
    for kind in DocumentKind::ALL {
        let slug = kind.slug();
        let op = &spec["paths"][format!("/v1/documents/{slug}")]["post"];
        let body = &op["requestBody"]["content"]["application/json"];
        let schema = resolve(&spec, &body["schema"]);
        assert_eq!(schema["type"], "object", "{slug}");
        assert_eq!(schema["additionalProperties"], false, "{slug}");
        assert_eq!(
            spec["components"]["examples"][slug]["value"],
            example(*kind),
            "{slug}: the example is examples/{slug}.json"
        );
        for status in ["200", "400", "406", "413", "422", "503"] {
            assert!(op["responses"][status].is_object(), "{slug} {status}");
        }
        let content = op["responses"]["200"]["content"].as_object().unwrap();
        for format in formats() {
            let (_, r) = render_example(*kind, format).await;
            let mime = r.header("content-type");
            let essence = mime.split(';').next().unwrap();
            assert!(
                content.contains_key(essence),
                "{slug}: {essence} documented"
            );
        }
        assert!(spec["paths"][format!("/v1/documents/{slug}/validate")]["post"].is_object());
        assert!(spec["paths"][format!("/v1/kinds/{slug}/example")]["get"].is_object());
    }
}

/// Each field the schema calls required is one the service refuses to do without, by pointer;
/// each field it lists is one the service accepts (the example carries them; an unknown one is
/// refused).
#[actix_web::test]
async fn required_fields_in_the_schema_are_required_by_the_service() {
    let spec = spec();
    for kind in DocumentKind::ALL {
        let slug = kind.slug();
        let schema = resolve(
            &spec,
            &spec["paths"][format!("/v1/documents/{slug}")]["post"]["requestBody"]["content"]
                ["application/json"]["schema"],
        );
        let required: Vec<&str> = schema["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert!(!required.is_empty(), "{slug}");
        for field in &required {
            let mut payload = example(*kind);
            payload.as_object_mut().unwrap().remove(*field);
            let r = post(
                &format!("/v1/documents/{slug}/validate"),
                serde_json::to_vec(&payload).unwrap(),
            )
            .await;
            assert_eq!(r.status, 422, "{slug} without {field}");
            assert!(
                r.error_paths().contains(&format!("/{field}")),
                "{slug} without {field}: {:?}",
                r.error_paths()
            );
        }
        let properties = schema["properties"].as_object().unwrap();
        for key in example(*kind).as_object().unwrap().keys() {
            assert!(properties.contains_key(key), "{slug}: {key} documented");
        }
        let optional_null: Vec<&String> = properties
            .keys()
            .filter(|k| !required.contains(&k.as_str()))
            .collect();
        // Every optional field may be null, as the schema says.
        let mut payload = example(*kind);
        for k in &optional_null {
            payload[k.as_str()] = Value::Null;
        }
        let r = post(
            &format!("/v1/documents/{slug}/validate"),
            serde_json::to_vec(&payload).unwrap(),
        )
        .await;
        assert_eq!(
            r.status,
            200,
            "{slug}: {}",
            String::from_utf8_lossy(&r.body)
        );
    }
}

#[test]
fn enumerations_list_the_codes_and_their_chinese_labels() {
    let spec = spec();
    let status = &spec["components"]["schemas"]["WeeklyProgressTaskStatus"];
    let values: Vec<&str> = status["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for v in [
        "at_risk",
        "延期风险",
        "need_support",
        "需支持",
        "done",
        "已完成",
    ] {
        assert!(values.contains(&v), "{v} in {values:?}");
    }
    let format = &spec["components"]["schemas"]["OutputFormat"]["enum"];
    let names: Vec<&str> = collabdocs::render::OutputFormat::ALL
        .iter()
        .map(|f| f.extension())
        .collect();
    assert_eq!(format, &json!(names));
}

#[actix_web::test]
async fn the_docs_page_is_served_from_the_binary_and_calls_nothing_outside() {
    let r = call(TestRequest::get().uri("/docs")).await;
    assert_eq!(r.status, 308);
    assert_eq!(r.header("location"), "/docs/");
    let r = call(TestRequest::get().uri("/docs/")).await;
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").starts_with("text/html"));
    let page = String::from_utf8(r.body).unwrap();
    assert!(page.contains("swagger-ui"), "{page}");
    let init = call(TestRequest::get().uri("/docs/swagger-initializer.js")).await;
    assert_eq!(init.status, 200);
    let init = String::from_utf8(init.body).unwrap();
    assert!(init.contains("\"/openapi.json\""), "{init}");
    assert!(init.contains("\"validatorUrl\": \"none\""), "{init}");
    for text in [&page, &init] {
        assert!(
            !text.contains("http://") && !text.contains("https://"),
            "no outside address: {text}"
        );
    }
    for asset in ["swagger-ui.css", "swagger-ui-bundle.js"] {
        let r = call(TestRequest::get().uri(&format!("/docs/{asset}"))).await;
        assert_eq!(r.status, 200, "{asset}");
    }
    let r = call(TestRequest::get().uri("/docs/nope.js")).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.header("content-type"), "application/problem+json");
}

#[actix_web::test]
async fn a_wrong_method_is_told_which_one_is_right() {
    let r = call(TestRequest::get().uri("/v1/documents/agreement")).await;
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), "POST");
    let r = call(TestRequest::delete().uri("/v1/kinds")).await;
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), "GET, HEAD");
}

#[actix_web::test]
async fn a_malformed_batch_item_is_refused_naming_it() {
    let items = json!([
        {"kind": "raci-matrix", "format": "html", "data": example(DocumentKind::RaciMatrix)},
        {"kind": "raci-matrix", "format": "PNG", "data": example(DocumentKind::RaciMatrix)},
        {"kind": "raci-matrix", "format": "pdf", "data": "not an object"},
    ]);
    let r = post(
        "/v1/batch",
        serde_json::to_vec(&json!({ "items": items })).unwrap(),
    )
    .await;
    assert_eq!(r.status, 422, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.error_paths(), ["/items/1/format", "/items/2/data"]);
}
