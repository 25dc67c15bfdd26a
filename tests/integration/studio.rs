//! The studio page: served from the binary with a same-origin policy, and a schema that can
//! be made into a Chinese form (every field labelled, enumerations named, fields in order).
//! The page itself is driven in a real browser by `.ci/studio.sh`.

use std::collections::BTreeSet;

use actix_web::test::TestRequest;
use collabdocs::http::AppState;
use collabdocs::kinds::DocumentKind;
use serde_json::Value;

use crate::common::*;

async fn get(path: &str) -> Reply {
    call(TestRequest::get().uri(path)).await
}

#[actix_web::test]
async fn the_studio_is_served_from_the_binary_with_a_same_origin_policy() {
    let r = get("/studio").await;
    assert_eq!(r.status, 308);
    assert_eq!(r.header("location"), "/studio/");

    let page = get("/studio/").await;
    assert_eq!(page.status, 200);
    assert!(page.header("content-type").starts_with("text/html"));
    let policy = page.header("content-security-policy");
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "connect-src 'self'",
    ] {
        assert!(policy.contains(directive), "{policy}");
    }
    let html = String::from_utf8(page.body).unwrap();
    // Every file the page loads is one the service serves, and each one is there.
    let mut loaded = Vec::new();
    for attr in ["src=\"", "href=\""] {
        for part in html.split(attr).skip(1) {
            loaded.push(part.split('"').next().unwrap().to_string());
        }
    }
    assert!(loaded.len() >= 3, "{loaded:?}");
    for file in loaded.iter().filter(|f| !f.starts_with("data:")) {
        assert!(!file.contains("//"), "{file} is not on this service");
        let r = get(&format!("/studio/{file}")).await;
        assert_eq!(r.status, 200, "{file}");
        assert_eq!(r.header("x-content-type-options"), "nosniff");
        let ct = r.header("content-type");
        let want = if file.ends_with(".js") {
            "text/javascript"
        } else {
            "text/css"
        };
        assert!(ct.starts_with(want), "{file}: {ct}");
    }
    // Revalidation: the browser's current copy is answered 304 without a body.
    let js = get("/studio/jsoneditor.js").await;
    let tag = js.header("etag");
    assert!(tag.starts_with('"') && tag.len() > 10, "{tag}");
    let again = call(
        TestRequest::get()
            .uri("/studio/jsoneditor.js")
            .insert_header(("if-none-match", tag.as_str())),
    )
    .await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), tag);
    let stale = call(
        TestRequest::get()
            .uri("/studio/jsoneditor.js")
            .insert_header(("if-none-match", "\"old\"")),
    )
    .await;
    assert_eq!(stale.status, 200);
    assert_eq!(stale.body, js.body);
    assert_eq!(get("/studio/nothing.js").await.status, 404);
    assert_eq!(
        get("/studio/../Cargo.toml").await.status,
        404,
        "only the listed files are served"
    );
}

#[test]
fn the_studio_code_asks_only_its_own_service() {
    for file in ["index.html", "studio.js", "studio.css"] {
        let text = std::fs::read_to_string(format!("assets/studio/{file}")).unwrap();
        for scheme in ["http://", "https://", "//cdn", "fonts.googleapis"] {
            assert!(!text.contains(scheme), "{file} names {scheme}");
        }
    }
}

#[test]
fn the_vendored_form_library_is_the_pinned_one() {
    use sha2::Digest;
    let bytes = std::fs::read("assets/studio/vendor/jsoneditor.js").unwrap();
    let hash = collabdocs::values::hex(&sha2::Sha256::digest(&bytes));
    let readme = std::fs::read_to_string("assets/studio/vendor/README.md").unwrap();
    assert!(readme.contains(&hash), "vendor/README.md must pin {hash}");
    assert!(std::path::Path::new("assets/studio/vendor/LICENSE-json-editor").exists());
}

#[actix_web::test]
async fn the_studio_opens_without_a_key_but_its_calls_need_one() {
    let keyed = || AppState {
        api_keys: vec!["k-1".into()],
        ..AppState::new(engine())
    };
    let page = call_with(keyed(), TestRequest::get().uri("/studio/")).await;
    assert_eq!(page.status, 200);
    let kinds = call_with(keyed(), TestRequest::get().uri("/v1/kinds")).await;
    assert_eq!(kinds.status, 401);
    assert!(kinds.json()["detail"].as_str().unwrap().contains("Bearer"));
    let templates = call_with(keyed(), TestRequest::get().uri("/v1/templates")).await;
    assert_eq!(templates.status, 401);
}

#[actix_web::test]
async fn kinds_tell_their_styles_and_whether_they_can_be_signed_here() {
    let kinds = get("/v1/kinds").await.json();
    for k in kinds.as_array().unwrap() {
        let kind = DocumentKind::from_slug(k["kind"].as_str().unwrap()).unwrap();
        let styles: Vec<&str> = k["styles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        assert_eq!(
            styles.contains(&"official"),
            kind.official_template().is_some()
        );
        assert!(styles.contains(&"standard"));
        // The test engine has no signing key, so nothing is signable here.
        assert_eq!(k["signable"], false, "{kind}");
    }
}

#[actix_web::test]
async fn template_status_says_whether_templates_are_watched() {
    let status = get("/v1/templates").await.json();
    assert_eq!(status["watching"], false);
    assert_eq!(status["generation"], 1);
    assert!(status["error"].is_null());
}

/// Every property reachable from a kind's payload schema, with its pointer in the schemas.
fn properties<'a>(
    schemas: &'a serde_json::Map<String, Value>,
    schema: &'a Value,
    at: String,
    seen: &mut BTreeSet<String>,
    out: &mut Vec<(String, &'a Value)>,
) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap().to_string();
        if seen.insert(name.clone()) {
            properties(schemas, &schemas[&name], name, seen, out);
        }
    }
    for key in ["anyOf", "oneOf"] {
        for alt in schema
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            properties(schemas, alt, at.clone(), seen, out);
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(inner) = schema.get(key).filter(|v| v.is_object()) {
            properties(schemas, inner, at.clone(), seen, out);
        }
    }
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        let order: Vec<&str> = schema["x-property-order"]
            .as_array()
            .unwrap_or_else(|| panic!("{at} has no x-property-order"))
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let mut keys: Vec<&str> = props.keys().map(String::as_str).collect();
        let mut sorted = order.clone();
        keys.sort();
        sorted.sort();
        assert_eq!(
            keys, sorted,
            "{at}: x-property-order names every property once"
        );
        for (name, p) in props {
            out.push((format!("{at}.{name}"), p));
            properties(schemas, p, format!("{at}.{name}"), seen, out);
        }
    }
}

#[test]
fn every_field_of_every_kind_has_a_chinese_label_and_every_enumeration_its_names() {
    let doc = collabdocs::http::openapi::document(collabdocs::budget::Limits::default());
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let han = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    for kind in DocumentKind::ALL {
        let name = collabdocs::values::pascal_case(kind.slug());
        let mut found = Vec::new();
        let root = serde_json::json!({ "$ref": format!("#/components/schemas/{name}") });
        properties(
            schemas,
            &root,
            name.clone(),
            &mut BTreeSet::new(),
            &mut found,
        );
        assert!(found.len() > 5, "{kind}");
        for (at, p) in found {
            let title = p["title"]
                .as_str()
                .unwrap_or_else(|| panic!("{at} has no title"));
            assert!(han(title), "{at}: {title}");
        }
    }
    for (name, s) in schemas {
        if let (Some(values), Some(labels)) = (s["enum"].as_array(), s.get("x-enum-labels")) {
            let labels = labels.as_object().unwrap();
            for (code, label) in labels {
                assert!(
                    values.contains(&Value::String(code.clone())),
                    "{name}: {code}"
                );
                assert!(values.contains(label), "{name}: {label}");
            }
            assert_eq!(labels.len() * 2, values.len(), "{name}");
        }
    }
}
