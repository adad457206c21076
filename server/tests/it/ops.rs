//! Health, metrics, limits, CORS, and the errors the layers make.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use civic311_server::Options;

use crate::util::*;

#[tokio::test]
async fn health_and_metrics() {
    let t = each_server("health", options()).remove(0);
    let s = &t.server;
    let a = get(s, "/healthz").await;
    assert_eq!((a.status, a.json()["status"].as_str()), (StatusCode::OK, Some("ok")));
    submit_pothole(s, 38.95).await;
    get(s, "/open311/v2/services.json").await;
    let m = get(s, "/metrics").await;
    assert!(m.content_type().starts_with("text/plain; version=0.0.4"));
    assert!(
        m.body.contains(r#"civic311_http_requests_total{method="POST",route="/open311/v2/{file}",status="201"} 1"#),
        "{}",
        m.body
    );
    assert!(m.body.contains("civic311_http_request_duration_seconds_bucket{route=\"/open311/v2/{file}\",le=\"+Inf\"}"));
    assert!(m.body.contains("civic311_store_errors_total 0"));
}

#[tokio::test]
async fn errors_of_the_layers_are_error_arrays() {
    let small = Options { max_body_bytes: 4096, ..options() };
    let t = each_server("layers", small).remove(0);
    let s = &t.server;
    get(s, "/nowhere").await.assert_error(StatusCode::NOT_FOUND, "/open311/v2/");
    get(s, "/open311/v2/services/x/y.xml").await.assert_error(StatusCode::NOT_FOUND, "nothing is at");
    let big = format!("{}&description={}", pothole_form(CLIENT, 38.95), "x".repeat(10_000));
    post_form(s, "/open311/v2/requests.xml", &big).await.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "too large");
    let put = Request::put("/open311/v2/services.json").body(Body::empty()).unwrap();
    send(s, put).await.assert_error(StatusCode::METHOD_NOT_ALLOWED, "not allowed");
    assert_eq!(off(|| t.store.len().unwrap()), 0);
}

#[tokio::test]
async fn a_client_over_its_rate_gets_429_with_retry_after() {
    let tight = Options { per_key_per_minute: 5, per_address_per_minute: 3, ..Options::default() };
    let t = each_server("rate", tight).remove(0);
    let s = &t.server;
    let statuses: Vec<StatusCode> = {
        let mut v = Vec::new();
        for _ in 0..5 {
            v.push(get(s, "/open311/v2/services.json").await.status);
        }
        v
    };
    assert_eq!(&statuses[..3], &[StatusCode::OK; 3]);
    let a = get(s, "/open311/v2/services.xml").await;
    a.assert_error(StatusCode::TOO_MANY_REQUESTS, "wait");
    let wait: u64 = a.headers.get(header::RETRY_AFTER).unwrap().to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait));
    // A key has a bucket of its own.
    let keyed = Request::get("/open311/v2/services.json").header("x-api-key", CLIENT).body(Body::empty()).unwrap();
    assert_eq!(send(s, keyed).await.status, StatusCode::OK);
}

#[tokio::test]
async fn cors_for_the_named_origins_only() {
    let t = each_server("cors", options()).remove(0);
    let preflight = |origin: &str| {
        Request::builder()
            .method("OPTIONS")
            .uri("/api/search?q=x")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
            .body(Body::empty())
            .unwrap()
    };
    let ok = send(&t.server, preflight("https://www.riverton.gov")).await;
    assert_eq!(ok.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).unwrap(), "https://www.riverton.gov");
    let other = send(&t.server, preflight("https://evil.example")).await;
    assert!(other.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}
