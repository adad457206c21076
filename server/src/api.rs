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

/// The page a request came from: the `page` parameter, else the Referer
/// (the log keeps its address only).
fn page_of(params: &[(String, String)], headers: &axum::http::HeaderMap) -> Option<String> {
    param(params, "page")
        .map(str::to_string)
        .or_else(|| headers.get(axum::http::header::REFERER).and_then(|v| v.to_str().ok()).map(str::to_string))
}

/// `GET /api/search?q=&lang=&limit=&kind=&department=&page=&record=`: the
/// answers. Each search is recorded for the report (docs/analytics.md),
/// unless `record=0`: the widget passes it while a resident types, and
/// records through `/api/events` only on pages that opt in.
pub(crate) async fn search(
    State(s): State<Shared>,
    RawQuery(query): RawQuery,
    headers: axum::http::HeaderMap,
) -> Result<Response, ApiError> {
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
    let record = param(&p, "record") != Some("0");
    let page = page_of(&p, &headers);
    let lang = options.lang.clone();
    let engine = s.engine.current();
    let (q, answers) = blocking(&s, move || engine.search(&q, &options).map(|a| (q, a))).await?;
    if record {
        let top = answers.first();
        s.searches.push(
            &s,
            civic311_store::SearchEvent {
                query: q.clone(),
                lang,
                answers: Some(answers.len() as u32),
                top: top.map(|a| format!("{}:{}", a.kind.as_str(), a.id)),
                top_score: top.map(|a| a.score),
                page,
                source: "api".into(),
                ..civic311_store::SearchEvent::default()
            },
        );
    }
    Ok(Json(serde_json::json!({ "query": q, "answers": answers })).into_response())
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
        engine: Some(s.engine.current()),
        ..civic311_store::ReportOptions::new(from, to)
    };
    let store = s.store.clone();
    let shared = s.clone();
    let report = blocking(&s, move || {
        // The searches still in memory belong in the report.
        shared.searches.flush(&store, None);
        store.report(&options)
    })
    .await?;
    Ok(Json(report).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionBody {
    question: String,
    #[serde(default)]
    lang: Option<String>,
    /// The page the question was asked on (its query string is dropped).
    #[serde(default)]
    page: Option<String>,
    #[serde(default)]
    limit: Option<usize>,
    /// How it was asked: `web` by default.
    #[serde(default)]
    channel: Option<String>,
}

/// `POST /api/questions` with `{"question": "...", "lang": "en", "page": "..."}`:
/// the answers, or an escalation. An escalated question is kept as an
/// inquiry in the department's queue; the answer then carries its id and
/// the secret token with which the asker reads the reply
/// (`GET /api/questions/{id}?token=`).
pub(crate) async fn ask(State(s): State<Shared>, body: Bytes) -> Result<Response, ApiError> {
    let b: QuestionBody = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(format!("the body must be a JSON object such as {{\"question\": \"...\"}}: {e}"))
    })?;
    if b.question.trim().is_empty() {
        return Err(ApiError::bad_request("question is empty; give the resident's words"));
    }
    let limit = b.limit.unwrap_or(3);
    if !(1..=20).contains(&limit) {
        return Err(ApiError::bad_request(format!("limit is {limit}; give 1 to 20")));
    }
    let options = civic311::AnswerOptions { limit, lang: b.lang.clone(), ..civic311::AnswerOptions::default() };
    let engine = s.engine.current();
    let store = s.store.clone();
    let token = crate::keys::random_text(18).map_err(|e| ApiError::from_error(&e))?;
    let (reply, inquiry) = blocking(&s, move || {
        let reply = engine.answer(&b.question, &options)?;
        let inquiry = match reply.escalation {
            Some(_) => {
                let asked = civic311_store::Asked {
                    channel: Some(b.channel.unwrap_or_else(|| "web".into())),
                    page: b.page,
                    token: Some(token),
                    at: None,
                };
                Some(store.escalate(&engine, &b.question, &reply, &asked)?)
            }
            None => None,
        };
        Ok((reply, inquiry))
    })
    .await?;
    let mut answer = serde_json::to_value(&reply).unwrap_or_default();
    answer["inquiry"] = match &inquiry {
        Some(i) => serde_json::json!({
            "id": i.id,
            "token": i.token,
            "department": i.department,
            "reply_by": i.reply_by,
        }),
        None => serde_json::Value::Null,
    };
    let status = if inquiry.is_some() { axum::http::StatusCode::CREATED } else { axum::http::StatusCode::OK };
    Ok((status, Json(answer)).into_response())
}

/// What the asker sees of an inquiry: the question, whom it went to, the
/// deadline and the reply; no internal note.
fn public_inquiry(i: &civic311_store::Inquiry, engine: &civic311::Engine) -> serde_json::Value {
    let department_name = i.department.as_deref().and_then(|d| engine.catalog().department(d)).map(|d| d.name.clone());
    serde_json::json!({
        "id": i.id,
        "question": i.question,
        "open": i.open,
        "asked_datetime": i.asked_datetime,
        "department": i.department,
        "department_name": department_name,
        "reply_by": i.reply_by,
        "reply": i.reply,
        "replied_datetime": i.replied_datetime,
    })
}

/// `GET /api/questions/{id}?token=`: an inquiry. With the asker's token, what
/// the asker may see; with a staff key of its department, all of it.
pub(crate) async fn inquiry(
    State(s): State<Shared>,
    axum::extract::Path(id): axum::extract::Path<String>,
    RawQuery(query): RawQuery,
    headers: axum::http::HeaderMap,
) -> Result<Response, ApiError> {
    let p = params(query.as_deref());
    let key = crate::ops::key_of(&headers, query.as_deref()).and_then(|k| s.keys.find(&k).cloned());
    let store = s.store.clone();
    let lookup = id.clone();
    let found = blocking(&s, move || store.inquiry(&lookup)).await?;
    let unknown = || {
        ApiError::not_found(format!(
            "no inquiry '{id}' with that token; give the id and token the question's answer gave"
        ))
    };
    let Some(found) = found else { return Err(unknown()) };
    if let Some(key) = key
        && key.role != crate::keys::Role::Client
        && key.is_staff_for(found.department.as_deref())
    {
        return Ok(Json(found).into_response());
    }
    match param(&p, "token") {
        Some(t) if found.token_matches(t) => Ok(Json(public_inquiry(&found, &s.engine.current())).into_response()),
        _ => Err(unknown()),
    }
}

/// The staff key of a handler (a client key is refused).
fn staff_key<'a>(
    s: &'a Shared,
    headers: &axum::http::HeaderMap,
    query: Option<&str>,
) -> Result<&'a crate::keys::Key, ApiError> {
    let key =
        crate::ops::require_key(s, crate::ops::key_of(headers, query).as_deref(), civic311::open311::Format::Json)?;
    if key.role == crate::keys::Role::Client {
        return Err(ApiError::forbidden("inquiries are for staff: a client key may not read or change them"));
    }
    Ok(key)
}

/// `GET /api/questions?department=&status=open|closed|all&page=&page_size=`:
/// a department's queue of inquiries, oldest first (staff). A key limited
/// to departments sees theirs only.
pub(crate) async fn inquiries(
    State(s): State<Shared>,
    RawQuery(query): RawQuery,
    headers: axum::http::HeaderMap,
) -> Result<Response, ApiError> {
    let key = staff_key(&s, &headers, query.as_deref())?;
    let p = params(query.as_deref());
    let mut department = param(&p, "department").map(str::to_string);
    if key.role == crate::keys::Role::Staff && !key.departments.is_empty() {
        match &department {
            Some(d) if key.is_staff_for(Some(d)) => {}
            Some(d) => return Err(ApiError::forbidden(format!("this key is not staff of department '{d}'"))),
            None if key.departments.len() == 1 => department = key.departments.first().cloned(),
            None => {
                return Err(ApiError::bad_request(format!(
                    "give department: this key is staff of {}",
                    key.departments.join(", ")
                )));
            }
        }
    }
    let open = match param(&p, "status").unwrap_or("open") {
        "open" => Some(true),
        "closed" => Some(false),
        "all" => None,
        other => return Err(ApiError::bad_request(format!("status is '{other}'; use open, closed or all"))),
    };
    let number = |name: &str, default: u32| -> Result<u32, ApiError> {
        param(&p, name)
            .map(|v| v.trim().parse().map_err(|_| ApiError::bad_request(format!("{name} is '{v}'; give a number"))))
            .transpose()
            .map(|n| n.unwrap_or(default))
    };
    let filter = civic311_store::InquiryFilter {
        department,
        open,
        page: number("page", 1)?,
        page_size: number("page_size", 50)?,
    };
    let store = s.store.clone();
    let list = blocking(&s, move || store.inquiries(&filter)).await?;
    Ok(Json(serde_json::json!({ "inquiries": list })).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InquiryChange {
    #[serde(default)]
    reply: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    department: Option<String>,
    #[serde(default)]
    version: Option<i64>,
}

/// `POST /api/questions/{id}` with `{"reply": "...", "note": "...",
/// "department": "...", "version": 2}` (staff of its department): a note,
/// a transfer, or the reply, which closes it.
pub(crate) async fn update_inquiry(
    State(s): State<Shared>,
    axum::extract::Path(id): axum::extract::Path<String>,
    RawQuery(query): RawQuery,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let key = staff_key(&s, &headers, query.as_deref())?.clone();
    let change: InquiryChange = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(format!("the body must be a JSON object with reply, note, department or version: {e}"))
    })?;
    let store = s.store.clone();
    let lookup = id.clone();
    let current = blocking(&s, move || store.inquiry(&lookup))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no inquiry has id '{id}'")))?;
    if !key.is_staff_for(current.department.as_deref()) {
        return Err(ApiError::forbidden(format!("this key is not staff of inquiry {id}'s department")));
    }
    let update = civic311_store::InquiryUpdate {
        actor: key.name.clone(),
        note: change.note,
        department: change.department,
        reply: change.reply,
        at: None,
        expected_version: change.version,
    };
    let engine = s.engine.current();
    let store = s.store.clone();
    let updated = blocking(&s, move || store.update_inquiry(&engine, &id, update)).await?;
    Ok(Json(updated).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventBody {
    kind: String,
    query: String,
    #[serde(default)]
    lang: Option<String>,
    #[serde(default)]
    answers: Option<u32>,
    #[serde(default)]
    top: Option<String>,
    #[serde(default)]
    top_score: Option<f32>,
    #[serde(default)]
    followed: Option<String>,
    #[serde(default)]
    page: Option<String>,
}

/// `POST /api/events` with `{"kind": "search", "query": "...", "answers": 3,
/// "top": "service:ST-POTHOLE", "top_score": 7.1, "page": "..."}` or
/// `{"kind": "follow", "query": "...", "followed": "article:..."}`: what the
/// widget sends on pages that opt in (its `record-searches` attribute). 202;
/// nothing that names a person is kept (docs/analytics.md).
pub(crate) async fn events(
    State(s): State<Shared>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let b: EventBody = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(format!(
            "the body must be a JSON object such as {{\"kind\": \"search\", \"query\": \"...\", \"answers\": 3}}: {e}"
        ))
    })?;
    let kind = civic311_store::SearchEventKind::parse(&b.kind)
        .ok_or_else(|| ApiError::bad_request(format!("kind is '{}'; use search or follow", b.kind)))?;
    let page = b.page.or_else(|| page_of(&[], &headers));
    let event = civic311_store::SearchEvent {
        at: None,
        kind,
        query: b.query,
        lang: b.lang,
        answers: b.answers,
        top: b.top,
        top_score: b.top_score,
        followed: b.followed,
        page,
        source: "widget".into(),
    };
    event.check().map_err(|e| ApiError::from_error(&e))?;
    s.searches.push(&s, event);
    Ok(axum::http::StatusCode::ACCEPTED.into_response())
}
