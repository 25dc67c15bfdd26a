//! One document at a time: the kinds, their examples, validation and rendering.

use std::time::Instant;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use super::middleware::with_json;
use super::request::{flag, query};
use super::response::file_response;
use super::state::AppState;
use crate::engine::Rendered;
use crate::error::Error;
use crate::kinds::DocumentKind;
use crate::render::OutputFormat;

/// One entry of `GET /v1/kinds`.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct KindInfo {
    /// The kind's name in paths: `/v1/documents/{kind}` — a built-in kind, or one a Word
    /// template folder defines (named as its folder).
    pub kind: String,
    pub title_zh: String,
    pub title_en: String,
    pub formats: Vec<OutputFormat>,
    /// The house styles (`?style=`) this kind is rendered in.
    pub styles: Vec<crate::values::Profile>,
    /// Whether `sign=true` gives a digitally signed PDF of this kind here: the kind is signed
    /// and the service has a signing key.
    pub signable: bool,
    /// Where a complete example payload is.
    pub example_url: String,
    /// For a kind a Word template folder defines: the template's name (`GET
    /// /v1/templates/word/{name}` lists its tags). Built-in kinds have none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub word_template: Option<String>,
    /// For a kind an Excel template folder defines: the template's name (`GET
    /// /v1/templates/excel/{name}` lists its tags).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excel_template: Option<String>,
    /// The signature fields its PDF carries, one per line of its signature table in the order
    /// printed (each party signs its own with `POST /v1/sign/prepare?field=…`); none for a kind
    /// without a signature table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature_fields: Option<String>,
}

/// The answer of a validate endpoint.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Validation {
    /// Always true: an invalid payload is answered 422.
    pub valid: bool,
    /// What may be a mistake but does not stop the render, each located by JSON Pointer.
    pub warnings: Vec<crate::error::FieldError>,
}

/// The document kinds, their titles and formats.
#[utoipa::path(get, path = "/v1/kinds", tag = "kinds", operation_id = "listKinds",
    responses(
        (status = 200, description = "Every kind the service renders.", body = [KindInfo]),
        (status = 401, description = "API keys are configured and the request has no valid key.", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_kinds(state: web::Data<AppState>) -> HttpResponse {
    let signer = state.engine.signer().is_some();
    let mut kinds: Vec<_> = DocumentKind::ALL
        .iter()
        .map(|k| KindInfo {
            kind: k.slug().into(),
            title_zh: k.title_zh().into(),
            title_en: k.title_en().into(),
            formats: OutputFormat::ALL.to_vec(),
            styles: crate::values::Profile::ALL
                .into_iter()
                .filter(|p| k.has_profile(*p))
                .collect(),
            signable: signer && k.signing().is_some(),
            example_url: format!("/v1/kinds/{}/example", k.slug()),
            word_template: None,
            excel_template: None,
            signature_fields: k.has_signature_lines().then(|| {
                "party-1, party-2, … (one per signature line, in the order printed)".to_string()
            }),
        })
        .collect();
    for folder in state.engine.folder_kinds() {
        let name = folder.name().to_string();
        let (word, excel) = match &folder {
            crate::engine::Folder::Word(_) => (Some(name.clone()), None),
            crate::engine::Folder::Excel(_) => (None, Some(name.clone())),
        };
        kinds.push(KindInfo {
            kind: name.clone(),
            title_zh: folder.kind().title.clone(),
            title_en: folder.kind().title_en.clone(),
            formats: folder.formats().to_vec(),
            styles: vec![crate::values::Profile::Standard],
            signable: false,
            example_url: format!("/v1/kinds/{name}/example"),
            word_template: word,
            excel_template: excel,
            signature_fields: None,
        });
    }
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(kinds)
}

pub(super) fn kind_of(req: &HttpRequest) -> Result<DocumentKind, Error> {
    let slug = req.match_info().get("kind").unwrap_or_default();
    DocumentKind::from_slug(slug).ok_or_else(|| Error::UnknownKind(slug.to_string()))
}

/// The kind a path names: a built-in kind, or one a Word or Excel template folder defines.
pub(super) enum Target {
    Builtin(DocumentKind),
    Folder(crate::engine::Folder),
}

pub(super) fn target_of(req: &HttpRequest, state: &AppState) -> Result<Target, Error> {
    let slug = req.match_info().get("kind").unwrap_or_default();
    if let Some(kind) = DocumentKind::from_slug(slug) {
        return Ok(Target::Builtin(kind));
    }
    state
        .engine
        .folder_kind(slug)
        .map(Target::Folder)
        .ok_or_else(|| Error::UnknownKind(crate::error::bounded(slug.to_string(), 64)))
}

pub(super) async fn example(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Error> {
    let body = match target_of(&req, &state)? {
        Target::Builtin(kind) => kind.example().to_string(),
        Target::Folder(folder) => folder.example().to_string(),
    };
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(body))
}

/// The format from `?format=`, else from `Accept`, else PDF.
pub(super) fn negotiate(req: &HttpRequest) -> Result<OutputFormat, Error> {
    negotiate_or(req, OutputFormat::Pdf)
}

/// The format from `?format=`, else from `Accept`, else `default`.
pub(super) fn negotiate_or(
    req: &HttpRequest,
    default: OutputFormat,
) -> Result<OutputFormat, Error> {
    if let Some((_, v)) = query(req)?.iter().find(|(k, _)| k == "format") {
        return OutputFormat::parse(v).ok_or_else(|| {
            Error::UnsupportedFormat(format!(
                "format \"{v}\" is not one of {}",
                OutputFormat::names()
            ))
        });
    }
    let Some(accept) = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(default);
    };
    let mut wildcard = accept.trim().is_empty();
    for item in accept.split(',') {
        let mime = item.split(';').next().unwrap_or("").trim();
        if let Some(f) = OutputFormat::from_mime(mime) {
            return Ok(f);
        }
        wildcard |= matches!(
            mime,
            "*/*" | "application/*" | "application/problem+json" | "application/json"
        );
    }
    if wildcard {
        Ok(default)
    } else {
        Err(Error::UnsupportedFormat(format!(
            "none of the types in Accept ({accept}) can be produced; ask for one of: {}",
            OutputFormat::ALL
                .iter()
                .map(|f| f.mime())
                .collect::<Vec<_>>()
                .join(", ")
        )))
    }
}

pub(super) async fn validate(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Error> {
    let target = target_of(&req, &state)?;
    let engine = state.engine.clone();
    let warnings = with_json(
        &req,
        payload,
        &state,
        state.body_limit,
        "validation",
        move |value| match target {
            Target::Builtin(kind) => engine.validate(kind, &value).map(|v| v.warnings),
            Target::Folder(entry) => engine.validate_folder(&entry, &value),
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(Validation {
        valid: true,
        warnings,
    }))
}

pub(super) async fn render_document(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Error> {
    if let Target::Folder(entry) = target_of(&req, &state)? {
        return render_folder_kind(req, payload, state, entry).await;
    }
    let template = super::request::text(&req, "template")?;
    // A Word template is filled as a DOCX unless another format is asked for by name.
    let default = match &template {
        // An Excel template is filled as a workbook; a Word template as a DOCX.
        Some(name)
            if state.engine.excel_templates().get(name).is_some()
                && state.engine.word_templates().get(name).is_none() =>
        {
            OutputFormat::Xlsx
        }
        Some(_) => OutputFormat::Docx,
        None => OutputFormat::Pdf,
    };
    let mut request = crate::engine::Request::new(
        &state.engine,
        kind_of(&req)?,
        negotiate_or(&req, default)?,
        super::request::style(&req)?,
        flag(&req, "sign")?,
    )?
    .with_cross_page_seal(&state.engine, flag(&req, "cross_page_seal")?)?;
    if let Some(name) = &template {
        request = request.with_template(&state.engine, name)?;
    }
    let archive = match super::request::text(&req, "archive")? {
        None => None,
        Some(a) => Some(crate::engine::ArchiveFormat::parse(&a).ok_or_else(|| {
            Error::BadRequest(format!(
                "archive is pdfa or none (\"{}\" is not)",
                crate::error::bounded(a, 20)
            ))
        })?),
    };
    request = request.with_archive(&state.engine, archive)?;
    let key = super::middleware::bearer(req.headers()).map(str::to_string);
    if request.sign && !state.signing_keys.is_empty() {
        let allowed = key
            .as_deref()
            .is_some_and(|k| super::middleware::key_among(k, &state.signing_keys));
        if !allowed {
            return Err(Error::Forbidden(
                "this API key may not ask for signed documents (COLLABDOCS_SIGNING_API_KEYS)"
                    .into(),
            ));
        }
    }
    let engine = state.engine.clone();
    let started = Instant::now();
    let (kind, format, sign) = (request.kind, request.format, request.sign);
    let rendered = with_json(
        &req,
        payload,
        &state,
        state.body_limit,
        "render",
        move |value| {
            #[cfg(debug_assertions)]
            super::faults::inject(&value);
            engine.run(&request, &value)
        },
    )
    .await?;
    if sign {
        audit_signature(&req, key.as_deref(), &rendered, &state);
    }
    state.metrics.render(
        kind.slug(),
        format.extension(),
        started.elapsed().as_secs_f64(),
        rendered.bytes.len(),
    );
    Ok(file_response(&rendered))
}

/// A kind a Word or Excel template folder defines: its payload checked by its schema, filled
/// into its template, as one of its formats (others 406; no style, signature or other
/// template).
async fn render_folder_kind(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
    folder: crate::engine::Folder,
) -> Result<HttpResponse, Error> {
    let format = negotiate_or(&req, folder.formats()[0])?;
    folder.check_format(format)?;
    for (name, what) in [
        ("style", "a house style"),
        ("sign", "a signature"),
        ("template", "another template"),
        ("archive", "archive copy (not yet)"),
    ] {
        if query(&req)?.iter().any(|(k, _)| k == name) {
            return Err(Error::BadRequest(format!(
                "{} is a kind defined by {}: it has its own layout and takes no {what} (leave out {name})",
                folder.name(),
                folder.defined_by()
            )));
        }
    }
    let engine = state.engine.clone();
    let started = Instant::now();
    let name = folder.name().to_string();
    let rendered = with_json(
        &req,
        payload,
        &state,
        state.body_limit,
        "render",
        move |value| engine.fill_folder(&folder, &value, format),
    )
    .await?;
    state.metrics.render(
        &name,
        format.extension(),
        started.elapsed().as_secs_f64(),
        rendered.bytes.len(),
    );
    Ok(file_response(&rendered))
}

/// One log line per signature: the request, the key that asked (its id, never the key), the
/// signed file's SHA-256 and the signing certificate's.
fn audit_signature(req: &HttpRequest, key: Option<&str>, rendered: &Rendered, state: &AppState) {
    use actix_web::HttpMessage;
    use sha2::Digest;
    let request_id = req
        .extensions()
        .get::<super::middleware::RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    let hex = crate::values::hex;
    let document = hex(&sha2::Sha256::digest(&rendered.bytes));
    let signer = state.engine.signer();
    let certificate = signer
        .map(|s| hex(&s.certificate_sha256()))
        .unwrap_or_default();
    tracing::info!(
        request_id = %request_id,
        key_id = %key.map(super::middleware::key_id).unwrap_or_else(|| "none".into()),
        level = signer.map_or("", |s| s.services.level.name()),
        document_sha256 = %document,
        certificate_sha256 = %certificate,
        "document signed"
    );
}
