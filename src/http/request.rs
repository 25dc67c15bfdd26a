//! Reading a request: the body within its limit, its time and the bytes all bodies in flight
//! may hold together; the query parameters.

use std::time::Duration;

use actix_web::http::header;
use actix_web::{web, HttpRequest};
use futures_util::StreamExt;
use tokio::sync::OwnedSemaphorePermit;

use super::slots::BodyBudget;
use super::state::AppState;
use crate::error::Error;

/// A request body and its share of the [`BodyBudget`], given back when it is dropped.
#[derive(Debug)]
pub struct Body {
    pub bytes: Vec<u8>,
    _share: Option<OwnedSemaphorePermit>,
}

impl std::ops::Deref for Body {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.bytes
    }
}

/// Reads the body up to the limit; a larger body is refused as soon as that is known, one
/// not received whole within the body timeout is a 408, and one the body budget has no room
/// for a 503 — before its bytes are held.
pub(super) async fn read_body(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<Body, Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let timeout = state
        .as_ref()
        .map_or(Duration::from_secs(20), |s| s.body_timeout);
    let budget = state.map(|s| s.bodies.clone());
    actix_web::rt::time::timeout(
        timeout,
        read_body_within(req, payload, limit, budget.as_deref()),
    )
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
    budget: Option<&BodyBudget>,
) -> Result<Body, Error> {
    let too_large = || {
        Error::TooLarge(format!(
            "the request body is larger than the limit of {limit} bytes"
        ))
    };
    let mut share = None;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if let Some(len) = declared {
        if len > limit {
            return Err(too_large());
        }
        if let Some(b) = budget {
            b.take(len, &mut share)?;
        }
    }
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk
            .map_err(|e| Error::BadRequest(format!("the request body could not be read: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        // A body without a length takes its share as it comes.
        if let (Some(b), None) = (budget, declared) {
            b.take(chunk.len(), &mut share)?;
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Body {
        bytes: body,
        _share: share,
    })
}

pub(super) fn query(req: &HttpRequest) -> Result<Vec<(String, String)>, Error> {
    web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .map(|q| q.into_inner())
        .map_err(|e| Error::BadRequest(format!("the query string is malformed: {e}")))
}

/// The house style from `?style=`: standard (the default) or official.
pub(super) fn style(req: &HttpRequest) -> Result<crate::values::Profile, Error> {
    match query(req)?.iter().find(|(k, _)| k == "style") {
        None => Ok(crate::values::Profile::Standard),
        Some((_, v)) => crate::values::Profile::parse(v).ok_or_else(|| {
            Error::BadRequest(format!(
                "style=\"{v}\" must be {}",
                crate::values::Profile::names()
            ))
        }),
    }
}

/// A text query parameter (`?template=`), if given; empty is a 400.
pub(super) fn text(req: &HttpRequest, name: &str) -> Result<Option<String>, Error> {
    match query(req)?.into_iter().find(|(k, _)| k == name) {
        None => Ok(None),
        Some((_, v)) if v.is_empty() || v.len() > 200 => Err(Error::BadRequest(format!(
            "{name} must name something (1 to 200 characters)"
        ))),
        Some((_, v)) => Ok(Some(v)),
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
