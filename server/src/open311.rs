//! Open311 GeoReport v2 under `/open311/v2/`: each handler reads the HTTP
//! request, makes one call on the engine or the store, and writes the
//! answer in the format the path names (`.json` or `.xml`).

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use civic311::catalog::ServiceType;
use civic311::open311::{
    Discovery, Format, NewRequest, Payload, PostResponse, PostResponseList, ServiceDefinition, ServiceList,
};
use civic311::{CloseReason, DateTime, Reporter, Status};
use civic311_store::{Filter, Near, StatusFilter, StoredRequest, Submission, Update};
use sha2::Digest;

use crate::Shared;
use crate::error::{ApiError, content_type};
use crate::keys::{Key, Role};
use crate::ops::{blocking, key_of, require_key};
use crate::render::{self, View};

/// The default page size of `GET requests`, and the largest.
const DEFAULT_PAGE_SIZE: u32 = 50;
const MAX_PAGE_SIZE: u32 = 500;
/// Without a start date or ids, `GET requests` lists the last 90 days (as
/// the specification suggests servers do).
const DEFAULT_DAYS: i64 = 90;
/// The radius of `lat`/`long` without `radius`, in metres.
const DEFAULT_RADIUS_M: f64 = 500.0;

/// A path's last segment split into its name and format: `services.json`.
pub(crate) fn split_format(file: &str) -> Result<(&str, Format), ApiError> {
    let unknown = |ext: &str| {
        ApiError::not_found(format!(
            "'{file}' names no format{ext}; end the path with .json or .xml, such as services.json"
        ))
    };
    let Some((stem, ext)) = file.rsplit_once('.') else { return Err(unknown("")) };
    match Format::parse(ext) {
        Some(format) if !stem.is_empty() => Ok((stem, format)),
        _ => Err(unknown(&format!(" ('.{ext}' is not one)"))),
    }
}

/// Whether a text could be a stored id or token: ids are 1 to 128
/// characters without white space, control characters or `/` (the
/// catalog's id rule; generated ids are numbers). Anything else names
/// nothing, and is never sent to the database (PostgreSQL refuses a NUL in
/// text).
fn could_be_id(id: &str) -> bool {
    let n = id.chars().count();
    (1..=200).contains(&n) && !id.chars().any(|c| c.is_whitespace() || c.is_control() || c == '/')
}

/// The services list's bytes in each format, written once for each engine:
/// the list changes only with the catalog, and a reloaded catalog is a new
/// engine. (The `Weak` keeps the old engine's address from being reused
/// while the cache names it.)
#[derive(Default)]
pub(crate) struct ServicesCache(std::sync::Mutex<Option<(std::sync::Weak<civic311::Engine>, [Option<Bytes>; 2])>>);

impl ServicesCache {
    pub(crate) fn get(&self, engine: &std::sync::Arc<civic311::Engine>, format: Format) -> Bytes {
        let mut cache = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let current = std::sync::Arc::downgrade(engine);
        if !cache.as_ref().is_some_and(|(cached, _)| cached.ptr_eq(&current)) {
            *cache = Some((current, [None, None]));
        }
        let slots = &mut cache.as_mut().expect("filled above").1;
        let slot = &mut slots[usize::from(format == Format::Xml)];
        slot.get_or_insert_with(|| Bytes::from(ServiceList::from_catalog(engine.catalog()).write(format))).clone()
    }
}

fn ok(format: Format, status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, content_type(format))], body).into_response()
}

/// The query string's pairs; a name given twice keeps its last value.
fn pairs(query: Option<&str>) -> BTreeMap<String, String> {
    query
        .map(|q| form_urlencoded::parse(q.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
        .unwrap_or_default()
}

/// `GET discovery`, `GET services`, `GET requests`.
pub(crate) async fn get_top(
    State(s): State<Shared>,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (stem, format) = split_format(&file)?;
    match stem {
        "discovery" => {
            let base = match &s.options.base_url {
                Some(url) => url.clone(),
                None => {
                    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
                    format!("http://{host}/open311/v2/")
                }
            };
            let engine = s.engine.current();
            Ok(ok(format, StatusCode::OK, Discovery::for_catalog(engine.catalog(), &base, None).write(format)))
        }
        "services" => {
            let body = s.services.get(&s.engine.current(), format);
            Ok((StatusCode::OK, [(header::CONTENT_TYPE, content_type(format))], body).into_response())
        }
        "requests" => get_requests(s, format, query.as_deref(), &headers).await,
        other => Err(ApiError::not_found(format!(
            "no method '{other}'; GET discovery, services, services/CODE, requests, requests/ID or tokens/TOKEN"
        ))
        .in_format(format)),
    }
}

/// `POST requests`, `POST servicerequestupdates`.
pub(crate) async fn post_top(
    State(s): State<Shared>,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (stem, format) = split_format(&file)?;
    let result = match stem {
        "requests" => post_request(&s, format, query.as_deref(), &headers, &body).await,
        "servicerequestupdates" => post_update(&s, format, query.as_deref(), &headers, &body).await,
        other => {
            Err(ApiError::not_found(format!("no method '{other}' to POST; POST requests or servicerequestupdates")))
        }
    };
    result.map_err(|e| e.in_format(format))
}

/// `GET services/{code}`: the service definition.
pub(crate) async fn service_definition(
    State(s): State<Shared>,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    let (code, format) = split_format(&file)?;
    let engine = s.engine.current();
    let definition =
        ServiceDefinition::from_catalog(engine.catalog(), code).map_err(|e| ApiError::from(e).in_format(format))?;
    Ok(ok(format, StatusCode::OK, definition.write(format)))
}

/// `GET requests/{id}`: a list holding the one request.
pub(crate) async fn get_request(
    State(s): State<Shared>,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (id, format) = split_format(&file)?;
    if !could_be_id(id) {
        return Err(ApiError::not_found(format!("no request has the id '{}'", id.escape_debug())).in_format(format));
    }
    let id = id.to_string();
    let params = pairs(query.as_deref());
    let key = key_of(&headers, query.as_deref()).and_then(|k| s.keys.find(&k).cloned());
    let store = s.store.clone();
    let lookup = id.clone();
    let found = blocking(&s, move || store.get(&lookup)).await.map_err(|e| e.in_format(format))?;
    let Some(request) = found else {
        return Err(ApiError::not_found(format!("no request has the id '{id}'")).in_format(format));
    };
    let view = View {
        extensions: params.get("extensions").is_some_and(|v| v == "true"),
        staff: key.as_ref().is_some_and(|k| k.is_staff_for(request.department.as_deref())),
    };
    Ok(ok(format, StatusCode::OK, render::requests(std::slice::from_ref(&request), format, |_| view)))
}

/// `GET tokens/{token}`: the id of the request a batch submission made.
pub(crate) async fn get_token(State(s): State<Shared>, Path(file): Path<String>) -> Result<Response, ApiError> {
    let (token, format) = split_format(&file)?;
    if !could_be_id(token) {
        return Err(ApiError::not_found(format!("no request was made for the token '{}'", token.escape_debug()))
            .in_format(format));
    }
    let token = token.to_string();
    let store = s.store.clone();
    let client_id = format!("token:{token}");
    let id = blocking(&s, move || store.id_for_client_request(&client_id)).await.map_err(|e| e.in_format(format))?;
    let Some(id) = id else {
        return Err(ApiError::not_found(format!("no request was made for the token '{token}'")).in_format(format));
    };
    Ok(ok(format, StatusCode::OK, render::token(&token, &id, format)))
}

/// `GET requests`: the filters of the specification and the common extensions.
async fn get_requests(
    s: Shared,
    format: Format,
    query: Option<&str>,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let params = pairs(query);
    let filter = filter_of(&params).map_err(|e| e.in_format(format))?;
    let extensions = params.get("extensions").is_some_and(|v| v == "true");
    let key: Option<Key> = key_of(headers, query).and_then(|k| s.keys.find(&k).cloned());
    let staff_somewhere = key.as_ref().is_some_and(|k| k.role >= Role::Staff);
    let store = s.store.clone();
    let page = blocking(&s, move || {
        let mut page = store.query(&filter)?;
        if extensions || staff_somewhere {
            store.fill_details(&mut page.requests)?;
        }
        Ok(page)
    })
    .await
    .map_err(|e| e.in_format(format))?;
    let body = render::requests(&page.requests, format, |r: &StoredRequest| View {
        extensions,
        staff: key.as_ref().is_some_and(|k| k.is_staff_for(r.department.as_deref())),
    });
    let mut response = ok(format, StatusCode::OK, body);
    if page.has_more
        && let Ok(v) = axum::http::HeaderValue::from_str(&(page.page + 1).to_string())
    {
        // The page that follows, for clients that page.
        response.headers_mut().insert("x-next-page", v);
    }
    Ok(response)
}

fn bad_request_id(id: &str) -> ApiError {
    bad(format!(
        "service_request_id '{}' is not an id: ids hold no white space, control characters or '/'",
        id.escape_debug()
    ))
}

fn bad(message: String) -> ApiError {
    ApiError::bad_request(message)
}

fn time_param(params: &BTreeMap<String, String>, name: &str) -> Result<Option<jiff::Timestamp>, ApiError> {
    match params.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => DateTime::parse(v).map(|d| Some(d.timestamp())).map_err(|e| bad(format!("{name}: {}", e.message()))),
    }
}

fn number<T: std::str::FromStr>(
    params: &BTreeMap<String, String>,
    name: &str,
    what: &str,
) -> Result<Option<T>, ApiError> {
    match params.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| bad(format!("{name} is '{v}'; give {what}"))),
    }
}

fn list(params: &BTreeMap<String, String>, name: &str) -> Vec<String> {
    params
        .get(name)
        .map(|v| v.split(',').map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect())
        .unwrap_or_default()
}

/// The store filter of `GET requests`' parameters.
fn filter_of(params: &BTreeMap<String, String>) -> Result<Filter, ApiError> {
    let mut f = Filter {
        page: number(params, "page", "a page number from 1")?.unwrap_or(1),
        page_size: number(params, "page_size", "a number from 1 to 500")?.unwrap_or(DEFAULT_PAGE_SIZE),
        ..Filter::default()
    };
    if f.page == 0 {
        return Err(bad("page is 0; pages count from 1".into()));
    }
    if f.page_size == 0 || f.page_size > MAX_PAGE_SIZE {
        return Err(bad(format!("page_size is {}; give 1 to {MAX_PAGE_SIZE}", f.page_size)));
    }
    f.ids = list(params, "service_request_id");
    if let Some(bad) = f.ids.iter().find(|id| !could_be_id(id)) {
        return Err(bad_request_id(bad));
    }
    if !f.ids.is_empty() {
        // The specification: ids override every other filter.
        return Ok(f);
    }
    f.service_codes = list(params, "service_code");
    let statuses = list(params, "status");
    f.status = match statuses.as_slice() {
        [] => None,
        [one] => Some(StatusFilter::parse(one).ok_or_else(|| {
            bad(format!("status is '{one}'; give open or closed (or a lifecycle state such as in_progress)"))
        })?),
        many if many.iter().all(|s| s == "open" || s == "closed") => None,
        _ => return Err(bad("status lists several values; give open, closed, or both".into())),
    };
    f.start = time_param(params, "start_date")?;
    f.end = time_param(params, "end_date")?;
    f.updated_after = time_param(params, "updated_after")?;
    if f.start.is_none() {
        let end = f.end.unwrap_or_else(jiff::Timestamp::now);
        f.start = end.checked_sub(jiff::SignedDuration::from_hours(24 * DEFAULT_DAYS)).ok();
    }
    f.department = params.get("department").filter(|d| !d.trim().is_empty()).cloned();
    let lat: Option<f64> = number(params, "lat", "a latitude")?;
    let long: Option<f64> = number(params, "long", "a longitude")?;
    let radius: Option<f64> = number(params, "radius", "a radius in metres")?;
    match (lat, long) {
        (Some(lat), Some(long)) => f.near = Some(Near { lat, long, radius_m: radius.unwrap_or(DEFAULT_RADIUS_M) }),
        (None, None) if radius.is_none() => {}
        _ => {
            return Err(bad(
                "lat, long and radius go together; give lat and long (radius in metres, default 500)".into()
            ));
        }
    }
    Ok(f)
}

/// A POST body's fields: a JSON object, or a form.
struct Posted {
    /// The body as a JSON object, without the fields that are not the
    /// request's own (`api_key`, `client_request_id`).
    json: serde_json::Map<String, serde_json::Value>,
    api_key: Option<String>,
    client_request_id: Option<String>,
}

fn posted(headers: &HeaderMap, body: &[u8]) -> Result<Posted, ApiError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.trim_start().starts_with("application/json"));
    let mut json = if is_json {
        match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(serde_json::Value::Object(map)) => map,
            Ok(_) => return Err(bad("the JSON body must be one object of request fields".into())),
            Err(e) => return Err(bad(format!("the body is not JSON: {e}"))),
        }
    } else {
        let text = std::str::from_utf8(body).map_err(|_| bad("the form body is not UTF-8 text".into()))?;
        let mut map = serde_json::Map::new();
        for (k, v) in form_urlencoded::parse(text.as_bytes()) {
            let (k, v) = (k.into_owned(), v.into_owned());
            // `attribute[CODE][]` repeats for a multivaluelist.
            if let Some(code) = k.strip_suffix("[]") {
                let entry = map.entry(code.to_string()).or_insert_with(|| serde_json::Value::Array(Vec::new()));
                if let serde_json::Value::Array(a) = entry {
                    a.push(v.into());
                }
            } else {
                map.insert(k, v.into());
            }
        }
        map
    };
    let take = |m: &mut serde_json::Map<String, serde_json::Value>, k: &str| {
        m.remove(k).and_then(|v| match v {
            serde_json::Value::String(s) => Some(s),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
    };
    let api_key = take(&mut json, "api_key");
    let client_request_id = take(&mut json, "client_request_id");
    Ok(Posted { json, api_key, client_request_id })
}

/// A POST's fields and its key (from the body, the query string or the
/// headers), which must be one the server knows.
fn posted_with_key(
    s: &Shared,
    format: Format,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Posted, Key), ApiError> {
    let posted = posted(headers, body)?;
    let secret = posted.api_key.clone().or_else(|| key_of(headers, query));
    let key = require_key(s, secret.as_deref(), format)?.clone();
    Ok((posted, key))
}

/// `POST requests`: validated, routed, checked for duplicates and stored;
/// 201 with the new id, or with a token for a batch service.
async fn post_request(
    s: &Shared,
    format: Format,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, ApiError> {
    let (posted, key) = posted_with_key(s, format, query, headers, body)?;
    let mut request = NewRequest::from_json_value(&serde_json::Value::Object(posted.json))?;
    // Only staff file as staff; anyone else files as a resident.
    if key.role == Role::Client {
        request.reporter = Reporter::Resident;
    }
    let engine = s.engine.current();
    let batch =
        engine.catalog().service(&request.service_code).is_some_and(|svc| svc.service_type == ServiceType::Batch);
    let idempotency = posted
        .client_request_id
        .or_else(|| headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_string))
        .filter(|k| !k.trim().is_empty())
        // Keys are the client's own: two clients' ids never collide.
        .map(|k| format!("{}:{k}", key.name));
    let token = match (batch, &idempotency) {
        (false, _) => None,
        // A retry gets the same token: 24 characters of its id's hash.
        (true, Some(k)) => Some(crate::keys::url_safe(&sha2::Sha256::digest(k.as_bytes())[..18])),
        (true, None) => Some(crate::keys::random_text(18)?),
    };
    let client_request_id = match &token {
        Some(t) => Some(format!("token:{t}")),
        None => idempotency,
    };
    let submission = Submission { client_request_id, ..Submission::default() };
    let store = s.store.clone();
    let submitted = blocking(s, move || store.submit(&engine, request, submission)).await?;
    tracing::info!(key = %key.name, id = %submitted.service_request_id, created = submitted.created, "request submitted");
    let notice = (!submitted.routing.notices.is_empty()).then(|| submitted.routing.notices.join("\n"));
    let answer = match token {
        Some(token) => PostResponse { token: Some(token), service_notice: notice, ..PostResponse::default() },
        None => PostResponse {
            service_request_id: Some(submitted.service_request_id),
            service_notice: notice,
            ..PostResponse::default()
        },
    };
    let status = if submitted.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok(ok(format, status, PostResponseList(vec![answer]).write(format)))
}

/// The lifecycle state a department's status means: FixMyStreet's and
/// open311-adapter's names, or civic311's own. `None` when it is the
/// request's state already (the update is then a note).
fn status_of(name: &str, current: &Status, note: Option<&str>) -> Result<Option<Status>, ApiError> {
    let upper = name.trim().to_ascii_uppercase();
    let wanted = match upper.as_str() {
        "OPEN" | "CONFIRMED" | "ACKNOWLEDGED" => {
            if current.is_closed() {
                Status::Reopened
            } else if matches!(current, Status::Submitted) {
                Status::Acknowledged
            } else {
                return Ok(None);
            }
        }
        "IN_PROGRESS" | "ACTION_SCHEDULED" | "INVESTIGATING" => Status::InProgress,
        "ON_HOLD" => Status::OnHold,
        "CLOSED" | "FIXED" => Status::Closed(CloseReason::Fixed),
        "NOT_COUNCILS_RESPONSIBILITY" | "NOT_OURS" => Status::Closed(CloseReason::NotOurs),
        "NO_FURTHER_ACTION" | "UNABLE_TO_FIX" | "NO_ISSUE_FOUND" => Status::Closed(CloseReason::NoIssueFound),
        "CANCELLED" | "WITHDRAWN" => Status::Closed(CloseReason::Withdrawn),
        "DUPLICATE" => Status::Closed(CloseReason::Other { note: note.unwrap_or("duplicate").to_string() }),
        "INTERNAL_REFERRAL" | "REFERRED" => {
            Status::Closed(CloseReason::Other { note: note.unwrap_or("referred").to_string() })
        }
        "REOPENED" => Status::Reopened,
        _ => {
            return Err(bad(format!(
                "status '{name}' is not one this server knows; use OPEN, IN_PROGRESS, ACTION_SCHEDULED, \
                 INVESTIGATING, ON_HOLD, FIXED, CLOSED, DUPLICATE, NOT_COUNCILS_RESPONSIBILITY, \
                 NO_FURTHER_ACTION, CANCELLED or REOPENED"
            )));
        }
    };
    if wanted.name() == current.name() && (!wanted.is_closed() || wanted == *current) {
        return Ok(None);
    }
    Ok(Some(wanted))
}

/// `POST servicerequestupdates`: a department's update, in the convention
/// of FixMyStreet and its open311-adapter, through the store's lifecycle.
async fn post_update(
    s: &Shared,
    format: Format,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, ApiError> {
    let (posted, key) = posted_with_key(s, format, query, headers, body)?;
    if key.role < Role::Staff {
        return Err(ApiError::forbidden(format!("the key '{}' may submit requests, not update them", key.name)));
    }
    let text = |k: &str| {
        posted
            .json
            .get(k)
            .and_then(|v| match v {
                serde_json::Value::String(s) => Some(s.trim().to_string()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .filter(|s| !s.is_empty())
    };
    let id = text("service_request_id").ok_or_else(|| bad("service_request_id is required".into()))?;
    if !could_be_id(&id) {
        return Err(bad_request_id(&id));
    }
    let status_name = text("status").ok_or_else(|| bad("status is required (such as IN_PROGRESS or FIXED)".into()))?;
    let description = text("description");
    let at = match text("updated_datetime") {
        Some(v) => {
            Some(DateTime::parse(&v).map_err(|e| bad(format!("updated_datetime: {}", e.message())))?.timestamp())
        }
        None => None,
    };
    let update_id = text("update_id");
    let store = s.store.clone();
    let lookup = id.clone();
    let current = blocking(s, move || store.get(&lookup))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no request has the id '{id}'")))?;
    if !key.is_staff_for(current.department.as_deref()) {
        return Err(ApiError::forbidden(format!(
            "the key '{}' updates the requests of {}; request {id} is {}'s",
            key.name,
            key.departments.join(", "),
            current.department.as_deref().unwrap_or("no department")
        )));
    }
    let status = status_of(&status_name, &current.status, description.as_deref())?;
    if status.is_none() && description.is_none() {
        return Err(bad(format!(
            "request {id} is {} already and the update has no description; nothing would change",
            current.status.name()
        )));
    }
    let mut update =
        Update::by(format!("{} (open311 update{})", key.name, update_id.map(|u| format!(" {u}")).unwrap_or_default()));
    update.status = status;
    update.note = description;
    update.public = true;
    update.at = at;
    let store = s.store.clone();
    let updated = blocking(s, move || store.update(&id, update)).await?;
    let event = updated.history.last().map(|e| e.n).unwrap_or(0);
    let update_id = format!("{}-{event}", updated.service_request_id);
    tracing::info!(key = %key.name, id = %updated.service_request_id, status = updated.status.name(), "request updated");
    Ok(ok(format, StatusCode::OK, render::update_ids(&[update_id], format)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_of_paths() {
        assert_eq!(split_format("services.json").unwrap(), ("services", Format::Json));
        assert_eq!(split_format("KB:1.2.xml").unwrap(), ("KB:1.2", Format::Xml));
        assert_eq!(split_format("services.JSON").unwrap().1, Format::Json);
        for bad in ["services", "services.html", ".json"] {
            assert_eq!(split_format(bad).unwrap_err().status, StatusCode::NOT_FOUND, "{bad}");
        }
    }

    #[test]
    fn department_statuses_follow_the_lifecycle() {
        let open = Status::Submitted;
        assert_eq!(status_of("OPEN", &open, None).unwrap(), Some(Status::Acknowledged));
        assert_eq!(status_of("in_progress", &open, None).unwrap(), Some(Status::InProgress));
        assert_eq!(status_of("FIXED", &open, None).unwrap(), Some(Status::Closed(CloseReason::Fixed)));
        assert_eq!(status_of("IN_PROGRESS", &Status::InProgress, None).unwrap(), None);
        let closed = Status::Closed(CloseReason::Fixed);
        assert_eq!(status_of("OPEN", &closed, None).unwrap(), Some(Status::Reopened));
        assert_eq!(status_of("CLOSED", &closed, None).unwrap(), None);
        assert!(status_of("DONE-ISH", &open, None).unwrap_err().errors.0[0].description.contains("FIXED"));
    }

    #[test]
    fn request_filters() {
        let p = |q: &str| pairs(Some(q));
        let f = filter_of(&p("service_code=ST-POTHOLE,GR-PUBLIC&status=open&page=2&page_size=10")).unwrap();
        assert_eq!(f.service_codes, ["ST-POTHOLE", "GR-PUBLIC"]);
        assert_eq!((f.status, f.page, f.page_size), (Some(StatusFilter::Open), 2, 10));
        assert!(f.start.is_some(), "the last 90 days by default");
        let f = filter_of(&p("service_request_id=1,2&status=open")).unwrap();
        assert_eq!((f.ids.len(), f.status), (2, None), "ids override the other filters");
        let f = filter_of(&p("lat=38.95&long=-90.94")).unwrap();
        assert_eq!(f.near.unwrap().radius_m, 500.0);
        for (q, words) in [
            ("page_size=501", "give 1 to 500"),
            ("page=0", "count from 1"),
            ("status=pending", "open or closed"),
            ("start_date=yesterday", "start_date"),
            ("lat=38.9", "go together"),
            ("radius=ten", "radius"),
        ] {
            let e = filter_of(&p(q)).unwrap_err();
            assert_eq!(e.status, StatusCode::BAD_REQUEST);
            assert!(e.errors.0[0].description.contains(words), "{q}: {:?}", e.errors);
        }
    }
}
