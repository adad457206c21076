//! Running it for real: health, Prometheus metrics, rate limits, and the
//! layer that turns every error (also the ones axum and tower make: an
//! unknown path, a body too large, a timeout) into an Open311 error array.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use civic311::open311::Format;

use crate::Shared;
use crate::error::ApiError;

/// Latency buckets, in seconds.
const BUCKETS: [f64; 12] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0];

/// One route's latency histogram: counts by bucket, count, sum of seconds.
type Latency = ([u64; BUCKETS.len()], u64, f64);

/// Requests answered, by method, route and status; latencies by route.
#[derive(Default)]
pub(crate) struct Metrics {
    answered: Mutex<HashMap<(String, String, u16), u64>>,
    latency: Mutex<HashMap<String, Latency>>,
    pub store_errors: AtomicU64,
    pub rate_limited: AtomicU64,
}

impl Metrics {
    fn record(&self, method: &Method, route: &str, status: StatusCode, elapsed: Duration) {
        let key = (method.as_str().to_string(), route.to_string(), status.as_u16());
        *self.answered.lock().unwrap_or_else(|e| e.into_inner()).entry(key).or_default() += 1;
        let seconds = elapsed.as_secs_f64();
        let mut latency = self.latency.lock().unwrap_or_else(|e| e.into_inner());
        let entry = latency.entry(route.to_string()).or_insert(([0; BUCKETS.len()], 0, 0.0));
        for (i, upper) in BUCKETS.iter().enumerate() {
            if seconds <= *upper {
                entry.0[i] += 1;
            }
        }
        entry.1 += 1;
        entry.2 += seconds;
    }

    /// Prometheus' text format.
    fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP civic311_http_requests_total Requests answered, by method, route and status.\n");
        out.push_str("# TYPE civic311_http_requests_total counter\n");
        let mut answered: Vec<_> =
            self.answered.lock().unwrap_or_else(|e| e.into_inner()).iter().map(|(k, v)| (k.clone(), *v)).collect();
        answered.sort();
        for ((method, route, status), n) in answered {
            out.push_str(&format!(
                "civic311_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}\n",
                label(&route)
            ));
        }
        out.push_str("# HELP civic311_http_request_duration_seconds Time to answer, by route.\n");
        out.push_str("# TYPE civic311_http_request_duration_seconds histogram\n");
        let latency = self.latency.lock().unwrap_or_else(|e| e.into_inner());
        let mut routes: Vec<_> = latency.keys().cloned().collect();
        routes.sort();
        for route in routes {
            let (buckets, count, sum) = &latency[&route];
            let route = label(&route);
            for (upper, n) in BUCKETS.iter().zip(buckets) {
                out.push_str(&format!(
                    "civic311_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{upper}\"}} {n}\n"
                ));
            }
            out.push_str(&format!(
                "civic311_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {count}\n\
                 civic311_http_request_duration_seconds_sum{{route=\"{route}\"}} {sum}\n\
                 civic311_http_request_duration_seconds_count{{route=\"{route}\"}} {count}\n"
            ));
        }
        out.push_str("# HELP civic311_store_errors_total Store calls that failed at the database.\n");
        out.push_str("# TYPE civic311_store_errors_total counter\n");
        out.push_str(&format!("civic311_store_errors_total {}\n", self.store_errors.load(Ordering::Relaxed)));
        out.push_str("# HELP civic311_rate_limited_total Requests refused with 429.\n");
        out.push_str("# TYPE civic311_rate_limited_total counter\n");
        out.push_str(&format!("civic311_rate_limited_total {}\n", self.rate_limited.load(Ordering::Relaxed)));
        out
    }
}

/// A Prometheus label value, escaped.
fn label(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// Token buckets: each key, and each address without a key, may make so
/// many requests a minute, in bursts of up to that many.
pub(crate) struct RateLimiter {
    per_key: f64,
    per_address: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(per_key_per_minute: u32, per_address_per_minute: u32) -> RateLimiter {
        RateLimiter {
            per_key: f64::from(per_key_per_minute.max(1)),
            per_address: f64::from(per_address_per_minute.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token from `who`'s bucket; `Err(seconds to wait)` when empty.
    fn take(&self, who: &str, keyed: bool) -> Result<(), u64> {
        let per_minute = if keyed { self.per_key } else { self.per_address };
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > 100_000 {
            // Forget the buckets that have filled up again.
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * per_minute / 60.0 < per_minute
            });
        }
        let (tokens, at) = buckets.entry(who.to_string()).or_insert((per_minute, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * per_minute / 60.0).min(per_minute);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) * 60.0 / per_minute).ceil().max(1.0) as u64)
        }
    }
}

/// The key a request names in its query string (`api_key=`) or headers
/// (`X-API-Key`, `Authorization: Bearer`); a key in a form body is read by
/// the handler.
pub(crate) fn key_of(headers: &HeaderMap, query: Option<&str>) -> Option<String> {
    if let Some(v) = headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
        return Some(v.trim().to_string());
    }
    if let Some(v) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok())
        && let Some(token) = v.strip_prefix("Bearer ")
    {
        return Some(token.trim().to_string());
    }
    query.and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "api_key").map(|(_, v)| v.into_owned()))
}

/// The client's address: the connection's, or behind a proxy the last
/// `X-Forwarded-For` entry.
fn address_of(request: &Request, behind_proxy: bool) -> String {
    if behind_proxy
        && let Some(v) = request.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok())
        && let Some(last) = v.rsplit(',').next()
    {
        return last.trim().to_string();
    }
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "local".to_string())
}

/// The layer around every handler: rate limits, metrics, and error arrays.
pub(crate) async fn guard(State(s): State<Shared>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let format = if request.uri().path().ends_with(".xml") { Format::Xml } else { Format::Json };
    let key = key_of(request.headers(), request.uri().query());
    let (who, keyed) = match key.as_deref().and_then(|k| s.keys.find(k)) {
        Some(k) => (format!("key:{}", k.name), true),
        None => (format!("address:{}", address_of(&request, s.options.behind_proxy)), false),
    };
    let response = if method == Method::OPTIONS {
        next.run(request).await
    } else {
        match s.limiter.take(&who, keyed) {
            Ok(()) => next.run(request).await,
            Err(wait) => {
                s.metrics.rate_limited.fetch_add(1, Ordering::Relaxed);
                let mut e = ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    format!("too many requests from {who}; wait {wait} s and try again"),
                )
                .in_format(format);
                e.retry_after = Some(wait);
                e.into_response()
            }
        }
    };
    let response = as_error_array(response, format).await;
    s.metrics.record(&method, &route, response.status(), started.elapsed());
    response
}

/// An error answer that is not yet an Open311 error array (axum's and
/// tower's own, in plain text) becomes one, with the same status.
async fn as_error_array(response: Response, format: Format) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let typed = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json") || t.starts_with("text/xml"));
    if typed {
        return response;
    }
    let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
    let allow = response.headers().get(header::ALLOW).cloned();
    let text = axum::body::to_bytes(response.into_body(), 64 * 1024).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text).trim().to_string();
    let description = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "the request body is too large".to_string(),
        StatusCode::REQUEST_TIMEOUT => "the request took too long and was stopped; try again".to_string(),
        StatusCode::METHOD_NOT_ALLOWED => format!(
            "this method is not allowed here{}",
            allow.as_ref().and_then(|a| a.to_str().ok()).map(|a| format!("; use {a}")).unwrap_or_default()
        ),
        _ if !text.is_empty() => text,
        _ => status.canonical_reason().unwrap_or("error").to_string(),
    };
    let mut out = ApiError::new(status, description).in_format(format).into_response();
    if let Some(v) = retry_after {
        out.headers_mut().insert(header::RETRY_AFTER, v);
    }
    if let Some(v) = allow {
        out.headers_mut().insert(header::ALLOW, v);
    }
    out
}

/// `GET /healthz`: 200 when the store answers, 503 when it does not.
pub(crate) async fn healthz(State(s): State<Shared>) -> Response {
    let store = s.store.clone();
    match tokio::task::spawn_blocking(move || store.len()).await {
        Ok(Ok(n)) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::json!({"status": "ok", "requests": n}).to_string(),
        )
            .into_response(),
        Ok(Err(e)) => {
            s.metrics.store_errors.fetch_add(1, Ordering::Relaxed);
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, format!("the store does not answer: {e}")).into_response()
        }
        Err(e) => {
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, format!("the health check failed: {e}")).into_response()
        }
    }
}

/// `GET /metrics`, in Prometheus' text format.
pub(crate) async fn metrics(State(s): State<Shared>) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], s.metrics.render()).into_response()
}

/// Any other path.
pub(crate) async fn not_found(request: Request) -> Response {
    let path = request.uri().path().to_string();
    let format = if path.ends_with(".xml") { Format::Xml } else { Format::Json };
    ApiError::not_found(format!(
        "nothing is at {path}; Open311 is under /open311/v2/ (discovery.json, services.json, requests.json), \
         the widget's API under /api/"
    ))
    .in_format(format)
    .into_response()
}

/// Runs a store call on a blocking thread; a database failure is counted.
pub(crate) async fn blocking<T: Send + 'static>(
    s: &Shared,
    f: impl FnOnce() -> civic311::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => {
            if e.kind() == civic311::ErrorKind::Store {
                s.metrics.store_errors.fetch_add(1, Ordering::Relaxed);
                tracing::error!(error = %e, "store error");
            }
            Err(ApiError::from_error(&e))
        }
        Err(e) => {
            tracing::error!(error = %e, "a handler's blocking task failed");
            Err(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "the server failed to answer; try again"))
        }
    }
}

/// The key's role check for a handler.
pub(crate) fn require_key<'a>(
    s: &'a Shared,
    key: Option<&str>,
    format: Format,
) -> Result<&'a crate::keys::Key, ApiError> {
    let Some(key) = key.filter(|k| !k.is_empty()) else {
        return Err(ApiError::unauthorized("an api_key is required; ask the city for one").in_format(format));
    };
    s.keys.find(key).ok_or_else(|| ApiError::unauthorized("the api_key is not one this server knows").in_format(format))
}

/// CORS for the origins `keys.toml` names (`*` for any).
pub(crate) fn cors(keys: &crate::Keys) -> tower_http::cors::CorsLayer {
    use tower_http::cors::{AllowOrigin, CorsLayer};
    let origins: Vec<axum::http::HeaderValue> =
        keys.cors_origins.iter().filter(|o| *o != "*").filter_map(|o| o.parse().ok()).collect();
    let allow =
        if keys.cors_origins.iter().any(|o| o == "*") { AllowOrigin::any() } else { AllowOrigin::list(origins) };
    CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION, header::HeaderName::from_static("x-api-key")])
        .max_age(Duration::from_secs(3600))
}

/// Searches waiting to be written: one database write per search would cost
/// more than the search, so they are written in batches (every 64, or two
/// seconds after the oldest), before a report, and when the server stops.
/// A crash loses at most those few seconds of searches; requests are not
/// kept here.
#[derive(Default)]
pub(crate) struct SearchLog {
    waiting: std::sync::Mutex<(Vec<civic311_store::SearchEvent>, Option<std::time::Instant>)>,
    pruned: std::sync::Mutex<Option<std::time::Instant>>,
}

const BATCH: usize = 64;
const WAIT: std::time::Duration = std::time::Duration::from_secs(2);
const PRUNE_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

impl SearchLog {
    /// Keeps an event; writes the batch on a blocking thread when it is due.
    pub(crate) fn push(&self, s: &Shared, event: civic311_store::SearchEvent) {
        if s.options.search_retention_days == 0 {
            return;
        }
        let due = {
            let Ok(mut w) = self.waiting.lock() else { return };
            let first = *w.1.get_or_insert_with(std::time::Instant::now);
            w.0.push(event);
            w.0.len() >= BATCH || first.elapsed() >= WAIT
        };
        if due {
            let s = s.clone();
            tokio::task::spawn_blocking(move || s.searches.flush(&s.store, Some(s.options.search_retention_days)));
        }
    }

    /// Writes what waits; with a retention, deletes older events (at most
    /// once an hour).
    pub(crate) fn flush(&self, store: &civic311_store::Store, retention_days: Option<u32>) {
        let batch = match self.waiting.lock() {
            Ok(mut w) => {
                w.1 = None;
                std::mem::take(&mut w.0)
            }
            Err(_) => return,
        };
        if !batch.is_empty()
            && let Err(e) = store.record_searches(&batch)
        {
            tracing::warn!(error = %e, events = batch.len(), "searches could not be recorded");
        }
        let Some(days) = retention_days else { return };
        let prune = match self.pruned.lock() {
            Ok(mut last) => {
                let due = last.is_none_or(|t| t.elapsed() >= PRUNE_EVERY);
                if due {
                    *last = Some(std::time::Instant::now());
                }
                due
            }
            Err(_) => false,
        };
        if prune {
            let before = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * i64::from(days));
            match store.prune_searches(before) {
                Ok(n) if n > 0 => tracing::info!(deleted = n, days, "searches past their retention deleted"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "searches past their retention could not be deleted"),
            }
        }
    }
}
