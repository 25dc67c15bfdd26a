//! Helpers: the app in-process, requests, and readers that take rendered files apart.

#![allow(dead_code)]

use std::io::Read;
use std::sync::{Arc, OnceLock};

use actix_web::dev::ServiceResponse;
use actix_web::{test, web};
use collabdocs::engine::{Engine, EngineOptions};
use collabdocs::http::AppState;
use collabdocs::kinds::DocumentKind;
use quick_xml::events::Event;
use serde_json::Value;

pub const BODY_LIMIT: usize = 256 * 1024;
pub const BATCH_MAX_ITEMS: usize = 1000;

pub fn engine() -> Arc<Engine> {
    static ENGINE: OnceLock<Arc<Engine>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            Arc::new(Engine::new(EngineOptions::default()).expect("built-in templates load"))
        })
        .clone()
}

pub struct Reply {
    pub status: u16,
    pub headers: actix_web::http::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    }

    /// The `errors[].path` of a problem body.
    pub fn error_paths(&self) -> Vec<String> {
        self.json()["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["path"].as_str().unwrap().to_string())
            .collect()
    }
}

/// Sends one request to a fresh in-process app.
pub async fn call(req: test::TestRequest) -> Reply {
    call_with(
        AppState {
            body_limit: BODY_LIMIT,
            batch_max_items: BATCH_MAX_ITEMS,
            ..AppState::new(engine())
        },
        req,
    )
    .await
}

/// Sends one request to a fresh in-process app with the given state.
pub async fn call_with(state: AppState, req: test::TestRequest) -> Reply {
    let app = test::init_service(collabdocs::http::app(web::Data::new(state))).await;
    let res: ServiceResponse = test::call_service(&app, req.to_request()).await;
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let body = test::read_body(res).await.to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

pub async fn post(path: &str, body: impl Into<Vec<u8>>) -> Reply {
    call(
        test::TestRequest::post()
            .uri(path)
            .insert_header(("content-type", "application/json"))
            .set_payload(body.into()),
    )
    .await
}

pub async fn render(kind: &str, format: &str, payload: &Value) -> Reply {
    post(
        &format!("/v1/documents/{kind}?format={format}"),
        serde_json::to_vec(payload).unwrap(),
    )
    .await
}

/// Renders a kind's example in a format, asserting a 200 with the format's content type.
pub async fn render_example(kind: DocumentKind, format: &str) -> (Value, Reply) {
    let payload = example(kind);
    let r = render(kind.slug(), format, &payload).await;
    assert_eq!(
        r.status,
        200,
        "{kind} {format}: {}",
        String::from_utf8_lossy(&r.body)
    );
    let mime = collabdocs::render::OutputFormat::parse(format)
        .unwrap()
        .mime();
    assert_eq!(r.header("content-type"), mime, "{kind} {format}");
    (payload, r)
}

/// Renders a document written in the template markup straight to a format, default theme.
pub fn render_markup(markup: &str, format: collabdocs::render::OutputFormat) -> Vec<u8> {
    let doc = collabdocs::markup::parse(markup).expect("the markup parses");
    collabdocs::render::render(&doc, format, &Default::default())
        .expect("the document renders")
        .bytes
}

/// Every format's name, from the service's own list.
pub fn formats() -> Vec<&'static str> {
    collabdocs::render::OutputFormat::ALL
        .iter()
        .map(|f| f.extension())
        .collect()
}

pub fn example(kind: DocumentKind) -> Value {
    serde_json::from_str(kind.example()).unwrap()
}

/// One part of a ZIP package as text.
pub fn zip_part(bytes: &[u8], name: &str) -> Option<String> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a valid zip");
    let mut f = z.by_name(name).ok()?;
    let mut s = String::new();
    f.read_to_string(&mut s).unwrap();
    Some(s)
}

pub fn zip_names(bytes: &[u8]) -> Vec<String> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a valid zip");
    (0..z.len())
        .map(|i| z.by_index(i).expect("an entry").name().unwrap().to_string())
        .collect()
}

/// A WordprocessingML part parsed strictly: paragraphs' text (runs joined, `<w:br/>` as `\n`)
/// and tables as rows of cell texts.
#[derive(Debug, Default)]
pub struct WordText {
    pub paragraphs: Vec<String>,
    pub tables: Vec<Vec<Vec<String>>>,
}

impl WordText {
    pub fn all(&self) -> String {
        self.paragraphs.join("\n")
    }
}

pub fn word_text(xml: &str) -> WordText {
    let mut r = quick_xml::Reader::from_str(xml);
    let mut out = WordText::default();
    let mut para = String::new();
    let mut in_t = false;
    // Stack of tables under construction: rows of cells.
    let mut tables: Vec<Vec<Vec<String>>> = Vec::new();
    let mut cell = String::new();
    loop {
        match r
            .read_event()
            .unwrap_or_else(|e| panic!("WordprocessingML does not parse: {e}"))
        {
            Event::Start(e) => match e.name().as_ref() {
                b"w:t" => in_t = true,
                b"w:tbl" => tables.push(Vec::new()),
                b"w:tr" => tables.last_mut().unwrap().push(Vec::new()),
                b"w:tc" => cell.clear(),
                _ => {}
            },
            Event::Empty(e) => match e.name().as_ref() {
                b"w:br" => para.push('\n'),
                b"w:tab" => para.push('\t'),
                _ => {}
            },
            Event::Text(t) if in_t => para.push_str(&t.unescape().unwrap()),
            Event::End(e) => match e.name().as_ref() {
                b"w:t" => in_t = false,
                b"w:p" => {
                    if !cell.is_empty() || !tables.is_empty() {
                        if !cell.is_empty() {
                            cell.push('\n');
                        }
                        cell.push_str(&para);
                    }
                    out.paragraphs.push(std::mem::take(&mut para));
                }
                b"w:tc" => {
                    if let Some(t) = tables.last_mut() {
                        t.last_mut().unwrap().push(std::mem::take(&mut cell));
                    }
                }
                b"w:tbl" => out.tables.push(tables.pop().unwrap()),
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// The text of a DOCX: body, then headers and footers.
pub fn docx_text(bytes: &[u8]) -> (WordText, String) {
    let body = word_text(&zip_part(bytes, "word/document.xml").expect("document.xml"));
    let mut furniture = String::new();
    for name in zip_names(bytes) {
        if name.starts_with("word/header") || name.starts_with("word/footer") {
            furniture.push_str(&word_text(&zip_part(bytes, &name).unwrap()).all());
            furniture.push('\n');
        }
    }
    (body, furniture)
}

/// The Chinese label of an enumeration code, as documents print it: read from the API
/// document, where every enumeration lists its codes and then their labels.
pub fn label(code: &str) -> &str {
    static LABELS: OnceLock<std::collections::HashMap<String, String>> = OnceLock::new();
    let labels = LABELS.get_or_init(|| {
        let doc = collabdocs::http::openapi::document(Default::default());
        let mut labels = std::collections::HashMap::new();
        for schema in doc["components"]["schemas"].as_object().unwrap().values() {
            let Some(values) = schema["enum"].as_array() else {
                continue;
            };
            let values: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
            let (codes, names) = values.split_at(values.len() / 2);
            if values.len().is_multiple_of(2) && names.iter().all(|n| !n.is_ascii()) {
                for (c, n) in codes.iter().zip(names) {
                    labels.insert(c.to_string(), n.to_string());
                }
            }
        }
        labels
    });
    labels.get(code).map_or(code, String::as_str)
}

/// Every value of a payload as it should appear in a document: strings (enumeration codes as
/// their labels, dates as 2026年7月28日) and numbers (amounts of money as 62,000.50). Data URIs and map keys are skipped;
/// each value comes with its JSON Pointer for the failure message.
pub fn expected_texts(v: &Value) -> Vec<(String, String)> {
    fn walk(v: &Value, path: String, key: &str, out: &mut Vec<(String, String)>) {
        match v {
            Value::String(s) if s.starts_with("data:") => {}
            Value::String(s) => {
                let text = if let Some(d) = collabdocs::values::Date::parse(s) {
                    d.zh()
                } else if matches!(
                    key,
                    "status" | "kind" | "risk" | "severity" | "type" | "role"
                ) {
                    label(s).to_string()
                } else {
                    s.clone()
                };
                out.push((path, text));
            }
            // Money is shown grouped with two decimals (62,000.50).
            Value::Number(n) if matches!(key, "amount" | "budget_limit") => {
                out.push((path, collabdocs::values::format_amount(n.as_f64().unwrap())))
            }
            Value::Number(n) => out.push((path, n.to_string())),
            Value::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, x)| walk(x, format!("{path}/{i}"), key, out)),
            Value::Object(o) => o
                .iter()
                .for_each(|(k, x)| walk(x, format!("{path}/{k}"), k, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, String::new(), "", &mut out);
    out
}

/// Asserts every payload value is in `text`, naming each one missing.
pub fn assert_all_present(kind: &str, format: &str, payload: &Value, text: &str) {
    let missing: Vec<String> = expected_texts(payload)
        .into_iter()
        .filter(|(_, t)| !text.contains(t.as_str()))
        .map(|(p, t)| format!("{p} = {t:?}"))
        .collect();
    assert!(
        missing.is_empty(),
        "{kind} {format} is missing {} value(s):\n{}",
        missing.len(),
        missing.join("\n")
    );
}

/// The visible text of an HTML page: tags removed, entities decoded.
pub fn html_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    let mut in_style = false;
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("<style") {
            in_style = true;
        }
        if rest.starts_with("</style>") {
            in_style = false;
        }
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag && !in_style => out.push(c),
            _ => {}
        }
        rest = &rest[c.len_utf8()..];
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

pub fn sha256_b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    use sha2::Digest;
    base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(bytes))
}

/// A ZIP package of these parts (name, content), deflated, as an office suite writes one.
pub fn package(parts: &[(String, String)]) -> Vec<u8> {
    use std::io::Write;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in parts {
        out.start_file(name.as_str(), opts).unwrap();
        out.write_all(content.as_bytes()).unwrap();
    }
    out.finish().unwrap().into_inner()
}
