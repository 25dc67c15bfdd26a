//! The OpenAPI 3.1 document: the fixed endpoints from their `#[utoipa::path]` annotations, each
//! kind's operations and payload schema from the kind's own parsing types (so the schema is the
//! parser's, not a copy of it), and the examples from `examples/`.
//!
//! `collabdocs openapi` prints it; `openapi/openapi.json` is that output for the default limits,
//! and a test fails when the two differ. `GET /openapi.json` serves it, made on its first request.

use crate::budget::Limits;
use actix_web::{web, HttpResponse};
use serde_json::{json, Map, Value};
use utoipa::OpenApi;

use super::state::AppState;

use crate::input::Schemas;
use crate::kinds::DocumentKind;
use crate::render::OutputFormat;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "collabdocs",
        description = "Renders the paperwork of cross-department collaboration — request forms, meeting minutes, RACI matrices, weekly progress sheets, agreements — from JSON into PDF, DOCX, XLSX or an HTML preview, laid out like the forms of a Chinese collaboration guide, with the CJK font embedded.\n\nEvery error is `application/problem+json` (RFC 9457); a payload that breaks the schema or a kind's rules is answered 422 with every problem listed in `errors`, each located by JSON Pointer. Unknown fields are refused. The same payload always gives the same bytes.\n\nWhen the service is started with `COLLABDOCS_API_KEYS`, every `/v1` route needs `Authorization: Bearer <key>`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    paths(
        crate::http::documents::list_kinds,
        crate::http::batch::batch,
        crate::http::operations::healthz,
        crate::http::operations::readyz,
        crate::http::operations::metrics,
        crate::http::openapi::openapi_json,
        crate::http::operations::templates,
        crate::http::word::list,
        crate::http::word::list_excel,
        crate::http::word::excel_tags,
        crate::http::word::tags,
        crate::http::word::inspect,
        crate::http::word::inspect_excel,
        crate::http::word::render,
        crate::http::signing::verify,
        crate::http::signing::prepare,
        crate::http::signing::complete,
    ),
    components(schemas(
        crate::error::Problem,
        crate::error::FieldError,
        crate::http::documents::KindInfo,
        crate::http::documents::Validation,
        crate::http::operations::Health,
        crate::http::operations::TemplatesInfo,
        crate::engine::TemplateProblem,
        crate::http::word::WordTemplateInfo,
        crate::http::word::WordTemplateTags,
        crate::http::word::TagInfo,
        crate::http::word::WordUpload,
        crate::http::word::InspectedTags,
        crate::http::word::ExcelTemplateInfo,
        crate::http::word::ExcelTemplateTags,
        crate::excel::ExcelCell,
        crate::excel::ExcelLoop,
        crate::excel::ExcelTags,
        crate::excel::ExcelCondition,
        crate::excel::ExcelRepeatedSheet,
        crate::values::Profile,
        crate::batch::ManifestEntry,
        crate::sign::Verification,
        crate::sign::SignatureReport,
        crate::sign::check::UnsignedField,
        crate::engine::PreparedSignature,
        crate::http::signing::CompleteSignature,
        crate::http::signing::PrepareForm,
        DocumentKind,
        OutputFormat,
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "documents", description = "Render one document, or check its payload"),
        (name = "kinds", description = "The document kinds and their example payloads"),
        (name = "batch", description = "Many documents in one ZIP"),
        (name = "templates", description = "Word and Excel templates: the office's own .docx and .xlsx filled from JSON"),
        (name = "operations", description = "Health, readiness, metrics, this document"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme(
                "bearer",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .description(Some(
                            "Needed on /v1 routes only when the service has API keys configured (COLLABDOCS_API_KEYS).",
                        ))
                        .build(),
                ),
            );
        }
    }
}

/// The whole document for the given input limits, as JSON: the built-in kinds only (what
/// `collabdocs openapi` prints and `openapi/openapi.json` holds).
pub fn document(limits: Limits) -> Value {
    document_with(limits, &[])
}

/// The document with the kinds the Word and Excel template folders define: each its render,
/// validate and example operations, with its own schema (what `/openapi.json` serves).
pub fn document_with(limits: Limits, folders: &[crate::engine::Folder]) -> Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).expect("the OpenAPI document serializes");
    doc["info"]["version"] = json!(env!("CARGO_PKG_VERSION"));
    let mut schemas = Schemas::new(limits);
    let mut examples = Map::new();
    let paths = doc["paths"].as_object_mut().expect("paths");
    for kind in DocumentKind::ALL {
        let body = kind.schema(&mut schemas);
        let slug = kind.slug();
        examples.insert(
            slug.to_string(),
            json!({
                "summary": format!("A complete {slug} payload"),
                "value": serde_json::from_str::<Value>(kind.example()).expect("examples are JSON"),
            }),
        );
        let example = json!({ "$ref": format!("#/components/examples/{slug}") });
        paths.insert(
            format!("/v1/documents/{slug}"),
            json!({ "post": render_operation(*kind, &body, &example) }),
        );
        paths.insert(
            format!("/v1/documents/{slug}/validate"),
            json!({ "post": validate_operation(*kind, &body, &example) }),
        );
        paths.insert(
            format!("/v1/kinds/{slug}/example"),
            json!({ "get": example_operation(*kind, &body, &example) }),
        );
    }
    for kind in DocumentKind::ALL.iter().filter(|k| !k.splits().is_empty()) {
        let body = kind.schema(&mut schemas);
        let example = json!({ "$ref": format!("#/components/examples/{}", kind.slug()) });
        paths.insert(
            format!("/v1/batch/{}", kind.slug()),
            json!({ "post": split_operation(*kind, &body, &example) }),
        );
    }
    let batch_body = schemas.component::<crate::batch::BatchRequest>();
    // Items are read one by one (a malformed item stays with its item); each is described here.
    let item = schemas.component::<crate::batch::BatchItemSpec>();
    let batch = &mut paths["/v1/batch"]["post"];
    batch["requestBody"] = json!({
        "required": true,
        "content": { "application/json": { "schema": batch_body } },
    });
    batch["responses"]["200"] = zip_response(
        "The ZIP: one file per item that rendered, and `manifest.json` listing every item (`status` ok or error, with its problem, and each file's sha256). It is streamed as it is written (chunked, no Content-Length); a ZIP cut short means the batch stopped on a fault.",
    );
    add_errors(batch, &[400, 401, 408, 413, 422, 503]);
    let mut folder_schemas = Vec::new();
    for entry in folders {
        let folder = entry.kind();
        let prefix = match entry {
            crate::engine::Folder::Word(_) => "WordKind",
            crate::engine::Folder::Excel(_) => "ExcelKind",
        };
        let name = format!("{prefix}{}", crate::values::pascal_case(entry.name()));
        // The schema as a component of its own; its own `#/…` references made to point inside it.
        folder_schemas.push((
            name.clone(),
            rebase(&folder.schema, &format!("#/components/schemas/{name}")),
        ));
        let body = json!({ "$ref": format!("#/components/schemas/{name}") });
        examples.insert(
            entry.name().to_string(),
            json!({ "summary": format!("A complete {} payload", entry.name()), "value": entry.example() }),
        );
        let example = json!({ "$ref": format!("#/components/examples/{}", entry.name()) });
        let paths = doc["paths"].as_object_mut().expect("paths");
        paths.insert(
            format!("/v1/documents/{}", entry.name()),
            json!({ "post": folder_render_operation(entry, &body, &example) }),
        );
        paths.insert(
            format!("/v1/documents/{}/validate", entry.name()),
            json!({ "post": folder_operation(entry, "validate", validate_operation(DocumentKind::ALL[0], &body, &example)) }),
        );
        paths.insert(
            format!("/v1/kinds/{}/example", entry.name()),
            json!({ "get": folder_operation(entry, "example", example_operation(DocumentKind::ALL[0], &body, &example)) }),
        );
    }
    doc["components"]["examples"] = Value::Object(examples);
    let components = doc["components"]["schemas"]
        .as_object_mut()
        .expect("components");
    for (name, schema) in schemas.components().into_iter().chain(folder_schemas) {
        components.insert(name, schema);
    }
    // A batch's item count is bounded by COLLABDOCS_BATCH_MAX_ITEMS (413), not the array limit.
    if let Some(items) = components
        .get_mut("BatchRequest")
        .and_then(|b| b.pointer_mut("/properties/items"))
        .and_then(Value::as_object_mut)
    {
        items.remove("maxItems");
        items.insert("items".into(), item);
    }
    // Every operation on /v1 takes the bearer key when keys are configured, and works without
    // one when they are not.
    for (path, item) in doc["paths"].as_object_mut().expect("paths") {
        if path.starts_with("/v1") {
            for op in item.as_object_mut().expect("path item").values_mut() {
                op["security"] = json!([{}, { "bearer": [] }]);
            }
        }
    }
    sort_keys(&mut doc);
    doc
}

/// A folder kind's schema with its local references (`#/$defs/x`) made to point where the
/// schema now stands (`#/components/schemas/Name/$defs/x`).
fn rebase(schema: &Value, at: &str) -> Value {
    match schema {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| k.as_str() != "$schema")
                .map(|(k, v)| {
                    let v = match (k.as_str(), v) {
                        ("$ref", Value::String(r)) if r.starts_with('#') => {
                            Value::String(format!("{at}{}", &r[1..]))
                        }
                        _ => rebase(v, at),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| rebase(v, at)).collect()),
        other => other.clone(),
    }
}

/// A built-in kind's operation made a folder kind's: its id, summary and tag.
fn folder_operation(entry: &crate::engine::Folder, verb: &str, mut op: Value) -> Value {
    let title = &entry.kind().title;
    op["operationId"] = json!(format!(
        "{verb}{}",
        crate::values::pascal_case(entry.name())
    ));
    op["summary"] = json!(match verb {
        "validate" => format!("Check a {} payload without rendering", entry.name()),
        _ => format!("A complete example payload for {} ({title})", entry.name()),
    });
    op
}

/// `POST /v1/documents/<folder kind>`: its payload, its template, its file.
fn folder_render_operation(entry: &crate::engine::Folder, body: &Value, example: &Value) -> Value {
    let (title, title_en) = (&entry.kind().title, &entry.kind().title_en);
    let (description, content) = match entry {
        crate::engine::Folder::Word(_) => (
            format!(
                "A kind defined by the Word template folder `word/{}/`: the payload is checked against its schema (422 lists every problem by pointer) and filled into its template. The answer is a DOCX, or with `format=pdf` the filled document laid out as a PDF (natively, the fonts inside), or with `format=html` as one HTML page; other formats are 406, `style`, `sign` and `template` are 400.",
                entry.name()
            ),
            json!({
                OutputFormat::Docx.mime(): { "schema": binary() },
                "application/pdf": { "schema": binary() },
                "text/html": { "schema": { "type": "string" } },
            }),
        ),
        crate::engine::Folder::Excel(_) => (
            format!(
                "A kind defined by the Excel template folder `excel/{}/`: the payload is checked against its schema (422 lists every problem by pointer) and filled into its workbook. The answer is an XLSX; other formats are 406, `style`, `sign` and `template` are 400.",
                entry.name()
            ),
            json!({ OutputFormat::Xlsx.mime(): { "schema": binary() } }),
        ),
    };
    let mut op = json!({
        "tags": ["documents"],
        "operationId": format!("render{}", crate::values::pascal_case(entry.name())),
        "summary": format!("Render {title} — {title_en}"),
        "description": description,
        "parameters": [format_parameter()],
        "requestBody": json_body(body, example),
        "responses": {
            "200": {
                "description": "The filled document.",
                "headers": file_headers(),
                "content": content,
            },
        },
    });
    add_errors(&mut op, &[400, 401, 406, 408, 413, 422, 503]);
    op
}

/// The document as committed: pretty JSON with a final newline.
pub fn document_text(limits: Limits) -> String {
    let mut s = serde_json::to_string_pretty(&document(limits)).expect("serializes");
    s.push('\n');
    s
}

fn title(kind: DocumentKind) -> String {
    format!("{} — {}", kind.title_zh(), kind.title_en())
}

fn operation_id(prefix: &str, kind: DocumentKind) -> String {
    format!("{prefix}{}", crate::values::pascal_case(kind.slug()))
}

fn json_body(schema: &Value, example: &Value) -> Value {
    json!({
        "required": true,
        "content": { "application/json": {
            "schema": schema,
            "examples": { "example": example },
        }},
    })
}

fn format_parameter() -> Value {
    json!({
        "name": "format",
        "in": "query",
        "required": false,
        "description": "The output format. Without it the `Accept` header decides (the formats' media types); without either, pdf.",
        "schema": { "$ref": "#/components/schemas/OutputFormat" },
    })
}

/// `?style=`: the house style, offered where the kind has the official one.
fn style_parameter(kind: DocumentKind) -> Value {
    let styles: Vec<&str> = crate::values::Profile::ALL
        .iter()
        .filter(|p| kind.has_profile(**p))
        .map(|p| p.name())
        .collect();
    json!({
        "name": "style",
        "in": "query",
        "required": false,
        "description": format!(
            "The house style: `standard` (the default: 宋体 body, 黑体 headings, tables in colour) or `official` (GB/T 9704-2012 党政机关公文格式: A4 with a 156 × 225 mm text block of 22 lines × 28 characters, 3号 仿宋-style body, 2号 小标宋-style title, the red 版头 and the 版记, page numbers “— 1 —”). Official is offered for {}.",
            DocumentKind::official_kinds().join(", ")
        ),
        "schema": { "type": "string", "enum": styles, "default": "standard" },
    })
}

/// `?template=`: a Word template of the templates directory, filled instead of the built-in layout.
fn template_parameter() -> Value {
    json!({
        "name": "template",
        "in": "query",
        "required": false,
        "description": "A Word template of this kind (`COLLABDOCS_TEMPLATES_DIR/word/<name>/`, listed by `GET /v1/templates/word`): the payload is validated as without it and filled into the office's own .docx. The answer is a docx (the default with a Word template), or with `format=pdf` the filled document laid out as a PDF (natively, its fonts inside, page numbers and a table of contents computed), or with `format=html` as one HTML page (a preview); an Excel template (`COLLABDOCS_TEMPLATES_DIR/excel/<name>/`, listed by `GET /v1/templates/excel`) is filled as xlsx (its default). Other formats are 406; not with `style`; with `sign=true` (an agreement, as pdf) the laid-out PDF is signed as the built-in one is. An unknown name is 404.",
        "schema": { "type": "string" },
    })
}

fn archive_parameter() -> Value {
    json!({
        "name": "archive",
        "in": "query",
        "required": false,
        "description": "`pdfa`: the PDF as PDF/A-3b (ISO 19005-3) for an archive — an sRGB output intent, XMP with the PDF/A identification, every font embedded, the payload attached as the document's source (`/AF`, `AFRelationship /Source`, `application/json`); signing keeps it PDF/A. Only with format=pdf, of the built-in layout or a Word template named with `template` (400 otherwise); a character no font has is a 422 (PDF/A cannot show an empty box). `none`: a plain PDF. Absent: the service's `COLLABDOCS_ARCHIVE`.",
        "schema": { "type": "string", "enum": ["pdfa", "none"] },
    })
}

fn file_headers() -> Value {
    json!({
        "Content-Disposition": {
            "description": "attachment, with an ASCII `filename` and the Chinese `filename*` (RFC 6266/5987), e.g. 会议纪要-2026-07-28.pdf",
            "required": true,
            "schema": { "type": "string" },
        },
        "Content-Digest": {
            "description": "sha-256 of the body (RFC 9530): `sha-256=:<base64>:`",
            "required": true,
            "schema": { "type": "string" },
        },
        "Collabdocs-Warnings": {
            "description": "How many warnings the payload raised (see the validate endpoint for them).",
            "required": true,
            "schema": { "type": "string", "pattern": "^[0-9]+$" },
        },
        "Collabdocs-Missing-Glyphs": {
            "description": "PDF only, when some characters have no glyph in any configured font: their code points (U+1F600 …), drawn as boxes.",
            "schema": { "type": "string" },
        },
        "Collabdocs-Unsupported": {
            "description": "A Word template as PDF only, when some elements are not carried over: what they are and how many (`chart ×2; equation`), `; `-separated, percent-encoded beyond visible ASCII, at most 16 then `+N`. Their text is still printed.",
            "schema": { "type": "string" },
        },
        "Collabdocs-Font-Substitutions": {
            "description": "A Word template as PDF only, when it names fonts that are not here: `asked=used` pairs (`%E5%AE%8B%E4%BD%93=Noto Serif CJK SC`: 宋体 set in the built-in Song face), `; `-separated, percent-encoded beyond visible ASCII, at most 16 then `+N`.",
            "schema": { "type": "string" },
        },
    })
}

fn binary() -> Value {
    json!({ "type": "string", "format": "binary" })
}

fn zip_response(description: &str) -> Value {
    json!({
        "description": description,
        "headers": {
            "Content-Disposition": { "required": true, "schema": { "type": "string" } },
        },
        "content": { "application/zip": { "schema": binary() } },
    })
}

fn problem(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/problem+json": {
            "schema": { "$ref": "#/components/schemas/Problem" },
        }},
    })
}

/// Adds the problem responses for the given statuses.
fn add_errors(op: &mut Value, statuses: &[u16]) {
    for status in statuses {
        let text = match status {
            400 => "The body is not JSON, or a query parameter is malformed.",
            401 => "API keys are configured and the request has no valid `Authorization: Bearer` key.",
            404 => "`template` names no Word template of this service (`GET /v1/templates/word` lists them).",
            403 => "sign=true with an API key that may not ask for signed documents (COLLABDOCS_SIGNING_API_KEYS).",
            406 => "The format asked for (query or Accept) is not one this service renders.",
            408 => "The body did not arrive within the body timeout (COLLABDOCS_BODY_TIMEOUT_MS).",
            413 => "The body is larger than the configured limit (or a batch has too many items).",
            422 => "The payload breaks the schema or the kind's rules; `errors` lists every problem with its JSON Pointer.",
            409 => "sign=true, but this service has no signing key configured (COLLABDOCS_SIGNING_KEY, COLLABDOCS_SIGNING_CERT).",
            502 => "sign=true, and a service signing depends on failed: the time-stamp authority (COLLABDOCS_TSA_URL), an OCSP responder or a CRL distribution point, or the fetched data says the signing certificate is revoked. Nothing was produced.",
            503 => "Every render slot is busy, or the render took longer than the limit; retry after `Retry-After` seconds.",
            _ => "Error.",
        };
        op["responses"][status.to_string()] = problem(text);
    }
}

fn render_operation(kind: DocumentKind, body: &Value, example: &Value) -> Value {
    let mut content = Map::new();
    for f in OutputFormat::ALL {
        let mime = f.mime().split(';').next().unwrap_or_default();
        content.insert(mime.to_string(), json!({ "schema": binary() }));
    }
    let mut op = json!({
        "tags": ["documents"],
        "operationId": operation_id("render", kind),
        "summary": format!("Render {}", title(kind)),
        "description": format!(
            "Renders the `{}` payload into the chosen format and answers the file. The same payload always gives the same bytes. Rules beyond the schema are checked too (422 names each broken rule by pointer); warnings do not stop the render.",
            kind.slug()
        ),
        "parameters": match kind.signing() {
            Some(signing) => json!([format_parameter(), style_parameter(kind), template_parameter(), archive_parameter(), {
                "name": "sign",
                "in": "query",
                "required": false,
                "description": signing.description,
                "schema": { "type": "boolean" },
            }, {
                "name": "cross_page_seal",
                "in": "query",
                "required": false,
                "description": "With sign=true, and a service with a seal (COLLABDOCS_SEAL_IMAGE): the seal pressed across the right edge of every page (骑缝章, 40 mm), each page showing its slice, before the service signs — so the certification covers it. 409 without a seal.",
                "schema": { "type": "boolean" },
            }]),
            None => json!([format_parameter(), style_parameter(kind), template_parameter(), archive_parameter()]),
        },
        "requestBody": json_body(body, example),
        "responses": {
            "200": {
                "description": "The document. The media type is the format's: application/pdf, the OOXML types for docx and xlsx, text/html for the preview.",
                "headers": file_headers(),
                "content": content,
            },
        },
    });
    add_errors(&mut op, &[400, 401, 404, 406, 408, 413, 422, 503]);
    if kind.signing().is_some() {
        add_errors(&mut op, &[403, 409, 502]);
    }
    op
}

fn validate_operation(kind: DocumentKind, body: &Value, example: &Value) -> Value {
    let mut op = json!({
        "tags": ["documents"],
        "operationId": operation_id("validate", kind),
        "summary": format!("Check a {} payload without rendering", kind.slug()),
        "description": "200 with the warnings when the payload would render; 422 listing every problem otherwise.",
        "requestBody": json_body(body, example),
        "responses": {
            "200": {
                "description": "The payload is valid; warnings point at what may be a mistake.",
                "content": { "application/json": {
                    "schema": { "$ref": "#/components/schemas/Validation" },
                }},
            },
        },
    });
    add_errors(&mut op, &[400, 401, 408, 413, 422, 503]);
    op
}

fn example_operation(kind: DocumentKind, body: &Value, example: &Value) -> Value {
    let mut op = json!({
        "tags": ["kinds"],
        "operationId": operation_id("example", kind),
        "summary": format!("A complete example payload for {}", kind.slug()),
        "responses": {
            "200": {
                "description": "The example, valid as it is.",
                "content": { "application/json": { "schema": body, "examples": { "example": example } } },
            },
        },
    });
    add_errors(&mut op, &[401]);
    op
}

fn split_operation(kind: DocumentKind, body: &Value, example: &Value) -> Value {
    let splits = kind.splits();
    let first = splits[0];
    let by: Vec<&str> = splits.iter().map(|s| s.by).collect();
    let mut op = json!({
        "tags": ["batch"],
        "operationId": format!("{}By{}", operation_id("split", kind), crate::values::pascal_case(first.by)),
        "summary": first.summary,
        "description": first.description,
        "parameters": [
            {
                "name": "split_by",
                "in": "query",
                "required": true,
                "description": format!("What to split by; `{}` is the one supported.", by.join("`, `")),
                "schema": { "type": "string", "enum": by },
            },
            format_parameter(),
            style_parameter(kind),
        ],
        "requestBody": json_body(body, example),
        "responses": {
            "200": zip_response(first.zip),
        },
    });
    add_errors(&mut op, &[400, 401, 406, 408, 413, 422, 503]);
    op
}

/// Objects with sorted keys, so the committed file diffs cleanly whatever the build's map order.
fn sort_keys(v: &mut Value) {
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> =
                std::mem::take(map).into_iter().collect::<Vec<_>>();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            for (k, mut v) in entries {
                sort_keys(&mut v);
                map.insert(k, v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(sort_keys),
        _ => {}
    }
}

/// This OpenAPI 3.1 document.
#[utoipa::path(get, path = "/openapi.json", tag = "operations",
    responses((status = 200, description = "The OpenAPI 3.1 document of this service.", body = Object)))]
pub async fn openapi_json(state: web::Data<AppState>) -> HttpResponse {
    // Made on its first request, and again after a template reload (the folder kinds may
    // have changed).
    let generation = state.engine.template_status().generation;
    let mut cached = state
        .openapi
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let text = match cached.as_ref() {
        Some((g, text)) if *g == generation => text.clone(),
        _ => {
            let folders = state.engine.folder_kinds();
            let mut s =
                serde_json::to_string_pretty(&document_with(state.engine.limits(), &folders))
                    .expect("serializes");
            s.push('\n');
            let text = std::sync::Arc::new(s.into_bytes());
            *cached = Some((generation, text.clone()));
            text
        }
    };
    HttpResponse::Ok()
        .content_type("application/json")
        .body(text.as_ref().clone())
}
