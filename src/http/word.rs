//! Word templates over HTTP: the named ones of the templates directory and their tags, and a
//! template sent with the request, filled once and kept nowhere.

use std::time::Instant;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use super::documents::negotiate_or;
use super::middleware::off_thread;
use super::request::read_body;
use super::response::file_response;
use super::state::AppState;
use crate::error::Error;
use crate::kinds::DocumentKind;
use crate::render::OutputFormat;

/// A named Word template: `?template=<name>` on its kind's route.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct WordTemplateInfo {
    pub name: String,
    /// The kind whose data fills it: a built-in kind (`?template=<name>` on its route), or
    /// the kind this folder defines, named as the folder (`POST /v1/documents/<name>`).
    pub kind: String,
    /// How many tags it has (`GET /v1/templates/word/{name}` lists them).
    pub tags: usize,
}

/// The parts of `POST /v1/render`.
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct WordUpload {
    /// The template: a `.docx` saved by Word or WPS.
    #[schema(value_type = String, format = Binary)]
    template: Vec<u8>,
    /// The data, as JSON: a payload of `kind`, or (without a kind) anything, read under `doc`.
    data: String,
    /// A kind's name: the data is validated as its payload and filled with its view.
    kind: Option<String>,
}

/// A Word template's tags: where each stands and what it binds to.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct WordTemplateTags {
    pub name: String,
    pub kind: String,
    pub tags: Vec<TagInfo>,
}

/// One tag of a Word template.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct TagInfo {
    #[serde(flatten)]
    pub tag: crate::word::Tag,
    /// The fields of the view it reads, as full paths: `doc.meeting.title`, or
    /// `doc.action_items[].task` for `{{task}}` inside `{{#each doc.action_items}}`.
    pub binds: Vec<String>,
}

/// The Word templates of the templates directory.
#[utoipa::path(get, path = "/v1/templates/word", tag = "templates", operation_id = "listWordTemplates",
    responses(
        (status = 200, description = "Every Word template in force, by name.", body = [WordTemplateInfo]),
        (status = 401, description = "API keys are configured and the request has no valid key.", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(state: web::Data<AppState>) -> HttpResponse {
    let library = state.engine.word_templates();
    let list: Vec<WordTemplateInfo> = library
        .entries()
        .map(|e| WordTemplateInfo {
            name: e.name.clone(),
            kind: e.kind_name().to_string(),
            tags: e.template.tags().len(),
        })
        .collect();
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(list)
}

/// A named Excel template: `?template=<name>&format=xlsx` on its kind's route.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ExcelTemplateInfo {
    pub name: String,
    /// The kind whose data fills it.
    pub kind: String,
    /// How many cells hold tags.
    pub tagged_cells: usize,
}

/// The Excel templates of the templates directory.
#[utoipa::path(get, path = "/v1/templates/excel", tag = "templates", operation_id = "listExcelTemplates",
    responses(
        (status = 200, description = "Every Excel template in force, by name.", body = [ExcelTemplateInfo]),
        (status = 401, description = "API keys are configured and the request has no valid key.", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_excel(state: web::Data<AppState>) -> HttpResponse {
    let library = state.engine.excel_templates();
    let list: Vec<ExcelTemplateInfo> = library
        .entries()
        .map(|e| ExcelTemplateInfo {
            name: e.name.clone(),
            kind: e.kind_name().to_string(),
            tagged_cells: e.template.tagged_cells(),
        })
        .collect();
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(list)
}

/// An Excel template's cells with tags and its loops over rows.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ExcelTemplateTags {
    pub name: String,
    pub kind: String,
    /// Every cell with tags, sheet by sheet, in row order.
    pub cells: Vec<crate::excel::ExcelCell>,
    /// Every group of rows repeated per item of a list.
    pub loops: Vec<crate::excel::ExcelLoop>,
    /// Every group of rows hidden unless a condition holds.
    pub conditions: Vec<crate::excel::ExcelCondition>,
    /// Every sheet written once per item of a list.
    pub repeated_sheets: Vec<crate::excel::ExcelRepeatedSheet>,
}

/// The cells with tags and the loops over rows of one Excel template, with the fields each
/// reads.
#[utoipa::path(get, path = "/v1/templates/excel/{name}", tag = "templates", operation_id = "excelTemplateTags",
    params(("name" = String, Path, description = "The template's folder name.")),
    responses(
        (status = 200, description = "The template's tagged cells and loops.", body = ExcelTemplateTags),
        (status = 401, description = "API keys are configured and the request has no valid key.", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No Excel template of that name.", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn excel_tags(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Error> {
    let name = req.match_info().get("name").unwrap_or_default();
    let library = state.engine.excel_templates();
    let entry = library
        .get(name)
        .ok_or_else(|| Error::NotFound(format!("Excel template \"{name}\"")))?;
    let tags = entry.template.describe();
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(ExcelTemplateTags {
            name: entry.name.clone(),
            kind: entry.kind_name().to_string(),
            cells: tags.cells,
            loops: tags.loops,
            conditions: tags.conditions,
            repeated_sheets: tags.repeated_sheets,
        }))
}

/// The tags of one Word template, in document order, part by part.
#[utoipa::path(get, path = "/v1/templates/word/{name}", tag = "templates", operation_id = "wordTemplateTags",
    params(("name" = String, Path, description = "The template's folder name.")),
    responses(
        (status = 200, description = "The template's tags.", body = WordTemplateTags),
        (status = 401, description = "API keys are configured and the request has no valid key.", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No Word template of that name.", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn tags(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, Error> {
    let name = req.match_info().get("name").unwrap_or_default();
    let library = state.engine.word_templates();
    let entry = library
        .get(name)
        .ok_or_else(|| Error::NotFound(format!("Word template \"{name}\"")))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(WordTemplateTags {
            name: entry.name.clone(),
            kind: entry.kind_name().to_string(),
            tags: tag_infos(&entry.template),
        }))
}

/// The tags of a Word template sent with the request.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct InspectedTags {
    pub tags: Vec<TagInfo>,
}

fn tag_infos(template: &crate::word::WordTemplate) -> Vec<TagInfo> {
    template
        .tags()
        .iter()
        .zip(crate::word::bindings(template.tags()))
        .map(|(t, binds)| TagInfo {
            binds,
            tag: t.clone(),
        })
        .collect()
}

/// Reads a Word template sent as the body and lists its tags, as for a named one (the studio
/// shows them before the template is used). Nothing is kept; the template gets the checks every
/// template gets (a 422 names what is wrong with it).
#[utoipa::path(post, path = "/v1/templates/word/inspect", tag = "templates", operation_id = "inspectWordTemplate",
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", description = "The .docx file."),
    responses(
        (status = 200, description = "The template's tags, in document order.", body = InspectedTags),
        (status = 401, description = "API keys are configured and the request has no valid key.", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 408, description = "The body did not arrive within the body timeout (COLLABDOCS_BODY_TIMEOUT_MS).", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than `COLLABDOCS_TEMPLATE_BODY_LIMIT_BYTES`.", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The template cannot be used (a ZIP bomb, macros, a DTD, tracked changes, a broken tag: each named with its part, paragraph and tag), at the pointer `/template`.", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Every render slot is busy, or reading it ran past the render timeout.", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn inspect(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Error> {
    inspected(req, payload, state, |bytes| {
        let template = crate::word::WordTemplate::load(bytes, Default::default())
            .map_err(|f| crate::engine::word_error("/template", &f))?;
        Ok(InspectedTags {
            tags: tag_infos(&template),
        })
    })
    .await
}

/// A template sent as the body, read off the request threads within the render timeout by
/// `read`, its answer as JSON; nothing kept.
async fn inspected<T: serde::Serialize + Send + 'static>(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
    read: impl FnOnce(Vec<u8>) -> Result<T, Error> + Send + 'static,
) -> Result<HttpResponse, Error> {
    let body = read_body(&req, payload, state.template_body_limit).await?;
    let answer = off_thread(
        &state,
        Some(state.render_timeout),
        "template check",
        move || read(body.bytes.to_vec()),
    )
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(answer))
}

/// Reads an Excel template sent as the body and lists what it reads, as for a named one: its
/// cells with tags, loops, conditions and repeated sheets (the studio shows them before the
/// workbook is used). Nothing is kept; the workbook gets the checks every template gets.
#[utoipa::path(post, path = "/v1/templates/excel/inspect", tag = "templates", operation_id = "inspectExcelTemplate",
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", description = "The .xlsx file."),
    responses(
        (status = 200, description = "The workbook's tagged cells, loops, conditions and repeated sheets.", body = crate::excel::ExcelTags),
        (status = 401, description = "API keys are configured and the request has no valid key.", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 408, description = "The body did not arrive within the body timeout (COLLABDOCS_BODY_TIMEOUT_MS).", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than `COLLABDOCS_TEMPLATE_BODY_LIMIT_BYTES`.", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The workbook cannot be used (a ZIP bomb, macros, a DTD, an .xls, a broken tag or loop: each named with its sheet and cell), at the pointer `/template`.", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Every render slot is busy, or reading it ran past the render timeout.", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn inspect_excel(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Error> {
    inspected(req, payload, state, |bytes| {
        crate::excel::ExcelTemplate::load(bytes, Default::default())
            .map(|t| t.describe())
            .map_err(|f| crate::engine::word_error("/template", &f))
    })
    .await
}

/// Fills a Word template sent with the request: `multipart/form-data` with the parts
/// `template` (the `.docx`), `data` (the JSON) and optionally `kind` (a kind's name: the data
/// is validated as that kind's payload and filled with its view, as `?template=` does; without
/// it the data is used as it is, under `doc`). Nothing is kept.
#[utoipa::path(post, path = "/v1/render", tag = "templates", operation_id = "renderWordTemplate",
    params(("format" = Option<String>, Query, description = "docx (the default), pdf (the filled Word document laid out natively), or html: the filled Word document as one page, for a preview; xlsx when the template is an Excel workbook, and html of a workbook is the filled workbook as tables.")),
    request_body(content = WordUpload, content_type = "multipart/form-data", description = "Parts: `template` (the .docx or .xlsx file), `data` (the JSON), optionally `kind`."),
    responses(
        (status = 200, description = "The filled document.", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (status = 200, description = "The filled document laid out as a PDF (format=pdf).", content_type = "application/pdf"),
        (status = 200, description = "The filled document as one HTML page (format=html).", content_type = "text/html"),
        (status = 200, description = "The filled document laid out as an OFD (format=ofd), the data attached.", content_type = "application/ofd"),
        (status = 200, description = "The filled workbook (format=xlsx, an Excel template).", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, description = "The body is not multipart/form-data with a template and a data part, or the data is not JSON.", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "API keys are configured and the request has no valid key.", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "The kind part names no kind.", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 406, description = "A format other than docx, pdf, html, ofd or xlsx was asked for.", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 408, description = "The body did not arrive within the body timeout (COLLABDOCS_BODY_TIMEOUT_MS).", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than `COLLABDOCS_TEMPLATE_BODY_LIMIT_BYTES`.", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The template cannot be used (a ZIP bomb, macros, tracked changes, a broken tag: each named with its part, paragraph and tag), or the data is not a valid payload of the kind. Pointers `/template` name the template; others point into the data.", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Every render slot is busy, or the fill ran past the render timeout.", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn render(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Error> {
    let format = negotiate_or(&req, OutputFormat::Docx)?;
    if !(format.fills_word_template() || format == OutputFormat::Xlsx) {
        return Err(Error::UnsupportedFormat(format!(
            "a template is filled as docx or xlsx (a Word template laid out as pdf or html too); format {format} is not available"
        )));
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    super::multipart::boundary(&content_type)?;
    let body = read_body(&req, payload, state.template_body_limit).await?;
    let engine = state.engine.clone();
    let started = Instant::now();
    let rendered = off_thread(&state, Some(state.render_timeout), "render", move || {
        let [template, data, kind] =
            super::multipart::named(&content_type, &body, ["template", "data", "kind"])?;
        let template = template.ok_or_else(|| {
            Error::BadRequest("the part \"template\" (the .docx file) is missing".into())
        })?;
        let data =
            crate::input::json(data.ok_or_else(|| {
                Error::BadRequest("the part \"data\" (the JSON) is missing".into())
            })?)?;
        let kind = match kind {
            None => None,
            Some(k) => {
                let slug = std::str::from_utf8(k).unwrap_or("").trim();
                Some(DocumentKind::from_slug(slug).ok_or_else(|| {
                    Error::UnknownKind(crate::error::bounded(slug.to_string(), 40))
                })?)
            }
        };
        // A workbook is an Excel template (filled as xlsx, or shown as html); a Word
        // template is filled as docx, pdf, html or ofd.
        if format == OutputFormat::Xlsx
            || (format == OutputFormat::Html && crate::excel::is_workbook(template))
        {
            engine.fill_uploaded_excel(template.to_vec(), kind, &data, format)
        } else {
            engine.fill_uploaded(template.to_vec(), kind, &data, format)
        }
    })
    .await?;
    state.metrics.render(
        "word-template",
        format.extension(),
        started.elapsed().as_secs_f64(),
        rendered.bytes.len(),
    );
    Ok(file_response(&rendered))
}
