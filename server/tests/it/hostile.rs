//! The server's rows of the hostile-input table (docs/reliability.md, S
//! rows): malformed, oversized and crafted requests each get a 4xx with
//! the specification's error array, in the format asked for, and change
//! nothing. (S09 and S10, a stalled client and a flood of 10,000 malformed
//! requests against the server as a process, are in cli/tests/serve.rs.)

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use civic311_server::Options;

use crate::util::*;

fn raw_post(uri: &str, content_type: &str, body: Vec<u8>) -> Request<Body> {
    Request::post(uri).header(header::CONTENT_TYPE, content_type).body(Body::from(body)).unwrap()
}

#[tokio::test]
async fn hostile_s01_malformed_forms() {
    for t in each_server("s01", options()) {
        let s = &t.server;
        let form = "application/x-www-form-urlencoded";
        for (ext, body, status, words) in [
            ("json", b"api_key=%ZZ&service_code".to_vec(), StatusCode::FORBIDDEN, "api_key"),
            ("xml", vec![0xff, 0xfe, 0x00, 0x01], StatusCode::BAD_REQUEST, "UTF-8"),
            (
                "json",
                format!("api_key={CLIENT}&service_code=ST-POTHOLE&lat=north&long=-90").into_bytes(),
                StatusCode::BAD_REQUEST,
                "lat",
            ),
            (
                "xml",
                format!("api_key={CLIENT}&service_code=NOPE&lat=38.9&long=-90.9").into_bytes(),
                StatusCode::NOT_FOUND,
                "NOPE",
            ),
            (
                "json",
                format!("api_key={CLIENT}&lat=38.9&long=-90.9").into_bytes(),
                StatusCode::BAD_REQUEST,
                "service_code",
            ),
            (
                "xml",
                format!("api_key={CLIENT}&service_code=ST-POTHOLE&lat=1e308&long=-90.9").into_bytes(),
                StatusCode::BAD_REQUEST,
                "lat",
            ),
            (
                "json",
                format!("api_key={CLIENT}&service_code=ST-POTHOLE&colour=red").into_bytes(),
                StatusCode::BAD_REQUEST,
                "colour",
            ),
        ] {
            send(s, raw_post(&format!("/open311/v2/requests.{ext}"), form, body)).await.assert_error(status, words);
        }
        assert_eq!(off(|| t.store.len().unwrap()), 0);
    }
}

#[tokio::test]
async fn hostile_s02_a_body_over_the_limit() {
    let t = each_server("s02", Options { max_body_bytes: 4096, ..options() }).remove(0);
    let big = format!("{}&description={}", pothole_form(CLIENT, 38.95), "x".repeat(5000));
    for ext in ["json", "xml"] {
        post_form(&t.server, &format!("/open311/v2/requests.{ext}"), &big)
            .await
            .assert_error(StatusCode::PAYLOAD_TOO_LARGE, "too large");
    }
    assert_eq!(off(|| t.store.len().unwrap()), 0);
}

#[tokio::test]
async fn hostile_s03_malformed_json() {
    let t = each_server("s03", options()).remove(0);
    let s = &t.server;
    let json = "application/json";
    let deep = "[".repeat(100_000);
    let deep_objects = "{\"a\":".repeat(50_000);
    let long = serde_json::json!({"api_key": CLIENT, "service_code": "ST-POTHOLE", "lat": 38.95, "long": -90.94,
        "attribute": {"SIZE": "large", "LANE_POSITION": "edge"}, "description": "x".repeat(1_000_000)})
    .to_string();
    for (body, status, words) in [
        (String::new(), StatusCode::BAD_REQUEST, "not JSON"),
        ("{\"service_code\": ".to_string(), StatusCode::BAD_REQUEST, "not JSON"),
        ("null".to_string(), StatusCode::BAD_REQUEST, "one object"),
        (deep, StatusCode::BAD_REQUEST, "not JSON"),
        (deep_objects, StatusCode::BAD_REQUEST, "not JSON"),
        (format!("{{\"api_key\": \"{CLIENT}\", \"service_code\": [1, 2]}}"), StatusCode::BAD_REQUEST, "service_code"),
        (long, StatusCode::BAD_REQUEST, "4000"),
    ] {
        send(s, raw_post("/open311/v2/requests.json", json, body.into_bytes())).await.assert_error(status, words);
    }
    assert_eq!(off(|| t.store.len().unwrap()), 0);
}

#[tokio::test]
async fn hostile_s04_requests_queries_that_cannot_be_answered() {
    let t = each_server("s04", options()).remove(0);
    let ids = (0..1001).map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    for (query, words) in [
        ("page_size=1000000000".to_string(), "1 to 500"),
        ("page=0".to_string(), "count from 1"),
        ("page=-1".to_string(), "page"),
        ("start_date=not-a-date".to_string(), "start_date"),
        ("updated_after=2026-13-45T99:00:00Z".to_string(), "updated_after"),
        ("lat=NaN&long=-90.9&radius=10".to_string(), "lat"),
        ("lat=38.9&long=-90.9&radius=1e308".to_string(), "radius"),
        ("status=pending,open,closed".to_string(), "status"),
        ("service_request_id=1,%00".to_string(), "not an id"),
        (format!("service_request_id={ids}"), "at most 1000"),
    ] {
        for ext in ["json", "xml"] {
            get(&t.server, &format!("/open311/v2/requests.{ext}?{query}"))
                .await
                .assert_error(StatusCode::BAD_REQUEST, words);
        }
    }
}

#[tokio::test]
async fn hostile_s05_paths_and_methods() {
    for t in each_server("s05", options()) {
        paths_and_methods(&t).await;
    }
}

async fn paths_and_methods(t: &TestServer) {
    let s = &t.server;
    for path in [
        "/open311/v2/..%2F..%2Fetc%2Fpasswd.json",
        "/open311/v2/services/..%2F..%2Fetc%2Fpasswd.xml",
        "/open311/v2/requests/%00.json",
        "/open311/v2/tokens/a%0Ab.xml",
        "/open311/v2/services.html",
        "/open311/v3/services.json",
        "/%ff%fe",
    ] {
        let a = get(s, path).await;
        assert!(a.status == StatusCode::NOT_FOUND || a.status == StatusCode::BAD_REQUEST, "{path}: {}", a.body);
        a.assert_error(a.status, "");
        assert!(!a.body.contains("root:"), "{path}");
    }
    for method in ["PUT", "DELETE", "PATCH"] {
        let request = Request::builder().method(method).uri("/open311/v2/requests.json").body(Body::empty()).unwrap();
        send(s, request).await.assert_error(StatusCode::METHOD_NOT_ALLOWED, "not allowed");
    }
}

#[tokio::test]
async fn hostile_s06_a_client_over_its_rate() {
    let t = each_server("s06", Options { per_address_per_minute: 2, ..Options::default() }).remove(0);
    for _ in 0..2 {
        assert_eq!(get(&t.server, "/open311/v2/services.json").await.status, StatusCode::OK);
    }
    let a = get(&t.server, "/open311/v2/services.xml").await;
    a.assert_error(StatusCode::TOO_MANY_REQUESTS, "wait");
    assert!(a.headers.contains_key(header::RETRY_AFTER));
}

#[tokio::test]
async fn hostile_s07_keys_of_the_wrong_role_or_department() {
    for t in each_server("s07", options()) {
        let s = &t.server;
        let id = submit_pothole(s, 38.95).await;
        let update = |key: &str| format!("api_key={key}&service_request_id={id}&status=FIXED&description=done");
        for (key, status) in [
            ("", StatusCode::FORBIDDEN),
            ("not-a-key", StatusCode::FORBIDDEN),
            (CLIENT, StatusCode::FORBIDDEN),
            (PARKS, StatusCode::FORBIDDEN),
        ] {
            post_form(s, "/open311/v2/servicerequestupdates.xml", &update(key)).await.assert_error(status, "");
        }
        let stored = off(|| t.store.get(&id).unwrap().unwrap());
        assert_eq!((stored.status.name(), stored.version), ("submitted", 1), "{}: nothing changed", t.url);
    }
}

#[tokio::test]
async fn hostile_s08_the_widget_api() {
    let t = each_server("s08", options()).remove(0);
    let s = &t.server;
    let long = "pothole+".repeat(6_000);
    let a = get(s, &format!("/api/search?q={long}")).await;
    assert_eq!(
        a.status,
        StatusCode::OK,
        "a 48 kB query (as long as a URL may be) is answered, read up to its first 2 kB"
    );
    let a = get(s, "/api/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E").await;
    assert_eq!(a.status, StatusCode::OK);
    // JSON carries the query as text; the snippets' only tags are <mark>.
    for answer in a.json()["answers"].as_array().unwrap() {
        let snippet = answer["snippet"].as_str().unwrap_or_default();
        assert!(!snippet.replace("<mark>", "").replace("</mark>", "").contains('<'), "{snippet}");
    }
    assert_eq!(a.headers.get(header::CONTENT_TYPE).unwrap(), "application/json");
    get(s, "/api/search?limit=5").await.assert_error(StatusCode::BAD_REQUEST, "q is required");
    get(s, "/api/suggest?q=x&limit=-1").await.assert_error(StatusCode::BAD_REQUEST, "limit");
    for body in ["", "[", "{\"text\": 5}", "{\"text\": \"x\", \"top\": 1000}"] {
        let a = send(s, raw_post("/api/classify", "application/json", body.as_bytes().to_vec())).await;
        a.assert_error(StatusCode::BAD_REQUEST, "");
    }
    let nuls = serde_json::json!({"text": "\u{0}".repeat(10_000)}).to_string();
    assert_eq!(send(s, raw_post("/api/triage", "application/json", nuls.into_bytes())).await.status, StatusCode::OK);
}
