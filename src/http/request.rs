//! Reading a request: the body within its limit and time, the query parameters.

use std::time::Duration;

use actix_web::http::header;
use actix_web::{web, HttpRequest};
use futures_util::StreamExt;

use super::AppState;
use crate::error::Error;

/// Reads the body up to the limit; a larger body is refused as soon as that is known, and
/// one not received whole within the body timeout is a 408.
pub(super) async fn read_body(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<Vec<u8>, Error> {
    let timeout = req
        .app_data::<web::Data<AppState>>()
        .map_or(Duration::from_secs(20), |s| s.body_timeout);
    actix_web::rt::time::timeout(timeout, read_body_within(req, payload, limit))
        .await
        .map_err(|_| {
            Error::RequestTimeout(format!(
                "the request body did not arrive within {} ms",
                timeout.as_millis()
            ))
        })?
}

async fn read_body_within(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
) -> Result<Vec<u8>, Error> {
    let too_large = || {
        Error::TooLarge(format!(
            "the request body is larger than the limit of {limit} bytes"
        ))
    };
    if let Some(len) = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
    {
        if len > limit {
            return Err(too_large());
        }
    }
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk
            .map_err(|e| Error::BadRequest(format!("the request body could not be read: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

pub(super) fn query(req: &HttpRequest) -> Result<Vec<(String, String)>, Error> {
    web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .map(|q| q.into_inner())
        .map_err(|e| Error::BadRequest(format!("the query string is malformed: {e}")))
}

/// The house style from `?style=`: standard (the default) or official.
pub(super) fn style(req: &HttpRequest) -> Result<crate::document::Profile, Error> {
    match query(req)?.iter().find(|(k, _)| k == "style") {
        None => Ok(crate::document::Profile::Standard),
        Some((_, v)) => crate::document::Profile::parse(v).ok_or_else(|| {
            Error::BadRequest(format!(
                "style=\"{v}\" must be {}",
                crate::document::Profile::names()
            ))
        }),
    }
}

pub(super) fn flag(req: &HttpRequest, name: &str) -> Result<bool, Error> {
    match query(req)?
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
    {
        None | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") | Some("") => Ok(true),
        Some(v) => Err(Error::BadRequest(format!(
            "{name}=\"{v}\" must be true or false"
        ))),
    }
}
