//! The search widget's backend and apps' helpers under `/api/`, all JSON:
//! the engine's answers as the library gives them.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use civic311::SearchOptions;
use serde::Deserialize;

use crate::Shared;
use crate::error::ApiError;
use crate::ops::blocking;

fn params(query: Option<&str>) -> Vec<(String, String)> {
    query
        .map(|q| form_urlencoded::parse(q.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
        .unwrap_or_default()
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).filter(|v| !v.trim().is_empty())
}

fn limit(params: &[(String, String)], default: usize, max: usize) -> Result<usize, ApiError> {
    match param(params, "limit") {
        None => Ok(default),
        Some(v) => match v.trim().parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(ApiError::bad_request(format!("limit is '{v}'; give 1 to {max}"))),
        },
    }
}

/// `GET /api/search?q=&lang=&limit=&kind=&department=`: the answers.
pub(crate) async fn search(State(s): State<Shared>, RawQuery(query): RawQuery) -> Result<Response, ApiError> {
    let p = params(query.as_deref());
    let q = param(&p, "q").ok_or_else(|| ApiError::bad_request("q is required: the resident's question"))?.to_string();
    let mut options = SearchOptions { limit: limit(&p, 5, civic311::search::MAX_LIMIT)?, ..SearchOptions::default() };
    options.lang = param(&p, "lang").map(str::to_string);
    options.department = param(&p, "department").map(str::to_string);
    if let Some(kinds) = param(&p, "kind") {
        for k in kinds.split(',').map(str::trim).filter(|k| !k.is_empty()) {
            options.kinds.push(
                civic311::AnswerKind::parse(k)
                    .ok_or_else(|| ApiError::bad_request(format!("kind '{k}' is not article, service or facility")))?,
            );
        }
    }
    let engine = s.engine.current();
    let answers = blocking(&s, move || engine.search(&q, &options).map(|a| (q, a))).await?;
    Ok(Json(serde_json::json!({ "query": answers.0, "answers": answers.1 })).into_response())
}

/// `GET /api/info`: the catalog's name and languages, and how many answers
/// it has (what the widget asks first, in its `endpoint` mode).
pub(crate) async fn info(State(s): State<Shared>) -> Response {
    let engine = s.engine.current();
    Json(serde_json::json!({
        "catalog": engine.catalog().name(),
        "languages": engine.catalog().languages(),
        "answers": engine.answer_count(),
    }))
    .into_response()
}

/// `GET /api/suggest?q=&limit=`: completions of what a resident has typed.
pub(crate) async fn suggest(State(s): State<Shared>, RawQuery(query): RawQuery) -> Result<Response, ApiError> {
    let p = params(query.as_deref());
    let q = param(&p, "q").unwrap_or_default().to_string();
    let n = limit(&p, 8, 50)?;
    let completions = s.engine.current().suggest(&q, n);
    Ok(Json(serde_json::json!({ "prefix": q, "completions": completions })).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TextBody {
    text: String,
    #[serde(default)]
    top: Option<usize>,
}

fn text_body(body: &[u8]) -> Result<TextBody, ApiError> {
    let parsed: TextBody = serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(format!("the body must be a JSON object such as {{\"text\": \"...\"}}: {e}"))
    })?;
    if parsed.text.trim().is_empty() {
        return Err(ApiError::bad_request("text is empty; give the resident's words"));
    }
    Ok(parsed)
}

/// `POST /api/classify` with `{"text": "...", "top": 3}`: the likely services.
pub(crate) async fn classify(State(s): State<Shared>, body: Bytes) -> Result<Response, ApiError> {
    let b = text_body(&body)?;
    let top = b.top.unwrap_or(3);
    if !(1..=20).contains(&top) {
        return Err(ApiError::bad_request(format!("top is {top}; give 1 to 20")));
    }
    let engine = s.engine.current();
    let (text, suggestions) = blocking(&s, move || engine.classify(&b.text, top).map(|r| (b.text, r))).await?;
    Ok(Json(serde_json::json!({ "text": text, "suggestions": suggestions })).into_response())
}

/// `POST /api/triage` with `{"text": "..."}`: emergency, request or question.
pub(crate) async fn triage(State(s): State<Shared>, body: Bytes) -> Result<Response, ApiError> {
    let b = text_body(&body)?;
    let engine = s.engine.current();
    let triage = blocking(&s, move || engine.triage(&b.text)).await?;
    Ok(Json(triage).into_response())
}

/// `GET /api/stats?from=&to=&by=&at=`: the report over the store
/// (docs/analytics.md), for a staff or admin key; a staff key limited to
/// departments sees only their requests. Dates are YYYY-MM-DD, both
/// included; by default the 28 days ending yesterday, by week.
pub(crate) async fn stats(
    State(s): State<Shared>,
    RawQuery(query): RawQuery,
    headers: axum::http::HeaderMap,
) -> Result<Response, ApiError> {
    let key = crate::ops::require_key(
        &s,
        crate::ops::key_of(&headers, query.as_deref()).as_deref(),
        civic311::open311::Format::Json,
    )?;
    if key.role == crate::keys::Role::Client {
        return Err(ApiError::forbidden("the statistics are for staff: a client key may not read them"));
    }
    let p = params(query.as_deref());
    let day = |name: &str| -> Result<Option<jiff::civil::Date>, ApiError> {
        param(&p, name)
            .map(|v| {
                v.trim()
                    .parse()
                    .map_err(|_| ApiError::bad_request(format!("{name} is '{v}'; write a day as YYYY-MM-DD")))
            })
            .transpose()
    };
    let now = match param(&p, "at") {
        Some(v) => civic311::DateTime::parse(v)
            .map_err(|_| {
                ApiError::bad_request(format!("at is '{v}'; write a time as RFC 3339 (2025-03-20T12:00:00Z)"))
            })?
            .timestamp(),
        None => jiff::Timestamp::now(),
    };
    let (default_from, to) = civic311_store::ReportOptions::four_weeks_ending(day("to")?, now);
    let from = day("from")?.unwrap_or(default_from);
    let by = match param(&p, "by") {
        Some(v) => civic311_store::Bucket::parse(v)
            .ok_or_else(|| ApiError::bad_request(format!("by is '{v}'; use day, week or month")))?,
        None => civic311_store::Bucket::Week,
    };
    let options = civic311_store::ReportOptions {
        by,
        now,
        departments: key.departments.clone(),
        ..civic311_store::ReportOptions::new(from, to)
    };
    let store = s.store.clone();
    let report = blocking(&s, move || store.report(&options)).await?;
    Ok(Json(report).into_response())
}
