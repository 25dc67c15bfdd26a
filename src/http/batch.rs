//! Batches: many documents in one streamed ZIP, and one weekly report split by department.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use super::documents::{kind_of, negotiate};
use super::middleware::{with_json, with_parsed};
use super::request::{flag, query};
use super::response::content_disposition;
use super::state::AppState;
use crate::error::Error;

/// Renders a batch and streams the ZIP out as it is written: the answer starts with the
/// first finished entry, and each file is held only until its entry is sent. The items are
/// taken one at a time (see [`crate::batch::run`]); a client that leaves stops the batch.
fn run_batch(
    state: &web::Data<AppState>,
    items: impl IntoIterator<Item = crate::batch::ItemResult, IntoIter: Send + 'static>,
    name: &str,
) -> Result<HttpResponse, Error> {
    let engine = state.engine.clone();
    let items = items.into_iter();
    // A batch is bounded by its item count, so it holds one slot and has no time limit.
    let slot = state.slots.try_take().ok_or_else(|| {
        Error::Overloaded(format!(
            "{} renders are already running, the most this service allows; retry shortly",
            state.slots.max()
        ))
    })?;
    let workers = state.batch_workers;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<web::Bytes, std::io::Error>>(4);
    actix_web::rt::task::spawn_blocking(move || {
        let _slot = slot;
        let send = |chunk: Vec<u8>| {
            tx.blocking_send(Ok(web::Bytes::from(chunk)))
                .map_err(|_| std::io::Error::other("the client went away"))
        };
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            crate::batch::to_zip_stream(&engine, items, workers, send)
        }));
        let failure = match outcome {
            Ok(Ok(_)) => return,
            Ok(Err(e)) => e.to_string(),
            Err(panic) => panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic".into()),
        };
        // The status line is gone; cutting the body short is how the client learns.
        tracing::warn!(cause = %failure, "batch stopped while streaming");
        let _ = tx.blocking_send(Err(std::io::Error::other("the batch stopped")));
    });
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    });
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/zip"))
        .insert_header((header::CONTENT_DISPOSITION, content_disposition(name, name)))
        .streaming(body))
}

/// Many documents, of any kinds and formats, in one ZIP with `manifest.json`.
///
/// Items render in parallel. An item whose `data` is invalid is reported in the manifest and
/// the others still render, unless `fail_fast=true`: then nothing renders and the answer is a
/// 422 naming each problem by pointer (`/items/7/data/tasks/0/status`).
#[utoipa::path(post, path = "/v1/batch", tag = "batch", operation_id = "renderBatch",
    params(("fail_fast" = Option<bool>, Query, description = "Refuse the whole batch (422) if any item is invalid, before rendering anything.")),
    responses((status = 200, description = "The ZIP.")))]
pub async fn batch(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Error> {
    let fail_fast = flag(&req, "fail_fast")?;
    let (engine, max_items) = (state.engine.clone(), state.batch_max_items);
    let items = with_parsed(
        &req,
        payload,
        &state,
        (state.batch_body_limit, "batch check"),
        move |body| crate::batch::parse_json(body, max_items),
        move |value| {
            // Malformed items are refused at once; with fail_fast they are listed with the data
            // problems, and nothing renders unless every item is valid.
            let items = crate::batch::parse_body(&value, &engine, max_items, !fail_fast)?;
            if fail_fast {
                crate::batch::check_all(&engine, &items)?;
            }
            Ok(items)
        },
    )
    .await?;
    run_batch(&state, items, "collabdocs-batch.zip")
}

/// `POST /v1/batch/{kind}?split_by=…`: one payload split the kind's way (a weekly report
/// by department), each part a file, zipped.
pub(super) async fn split(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Error> {
    let kind = kind_of(&req)?;
    let splits = kind.splits();
    if splits.is_empty() {
        return Err(Error::NotFound(format!(
            "{}: a {kind} payload does not split",
            req.path()
        )));
    }
    let supported = splits.iter().map(|s| s.by).collect::<Vec<_>>().join(", ");
    let q = query(&req)?;
    let split = match q
        .iter()
        .find(|(k, _)| k == "split_by")
        .map(|(_, v)| v.as_str())
    {
        Some(by) => splits.iter().find(|s| s.by == by).ok_or_else(|| {
            Error::BadRequest(format!(
                "split_by=\"{by}\" is not supported; use split_by={supported}"
            ))
        })?,
        None => {
            return Err(Error::BadRequest(format!(
                "split_by is required; use split_by={supported}"
            )))
        }
    };
    let request = crate::engine::Request::new(
        &state.engine,
        kind,
        negotiate(&req)?,
        super::request::style(&req)?,
        false,
    )?;
    let (format, style) = (request.format, request.style);
    let (engine, max_items, parts) = (state.engine.clone(), state.batch_max_items, split.parts);
    let parts = with_json(
        &req,
        payload,
        &state,
        state.batch_body_limit,
        "batch check",
        move |value| {
            engine.validate(kind, &value)?;
            let (count, parts) = parts(value);
            if count > max_items {
                return Err(Error::TooLarge(format!(
                    "the split gives {count} files; a batch may hold at most {max_items}"
                )));
            }
            Ok(parts)
        },
    )
    .await?;
    let items = parts.map(move |(stem, data)| {
        Ok(crate::batch::BatchItem {
            kind: crate::batch::ItemKind::Builtin(kind),
            format,
            style,
            filename: Some(stem),
            template: None,
            data,
        })
    });
    let name = format!("{}-by-{}.zip", kind.slug(), split.by);
    run_batch(&state, items, &name)
}
