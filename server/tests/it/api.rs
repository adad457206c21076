//! The widget's backend: the engine's answers, as JSON.

use axum::http::StatusCode;

use crate::util::*;

#[tokio::test]
async fn search_suggest_classify_and_triage() {
    let t = each_server("api", options()).remove(0);
    let s = &t.server;
    let a = get(s, "/api/search?q=when+does+the+library+open&limit=3").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let answers = a.json()["answers"].as_array().unwrap().clone();
    assert!(!answers.is_empty() && answers.len() <= 3);
    let direct = engine()
        .search("when does the library open", &civic311::SearchOptions { limit: 3, ..Default::default() })
        .unwrap();
    assert_eq!(answers[0]["id"], direct[0].id.as_str(), "the engine's own answer");
    let es = get(s, "/api/search?q=basura&lang=es&kind=article").await;
    assert!(es.json()["answers"].as_array().unwrap().iter().all(|a| a["kind"] == "article"), "{}", es.body);
    get(s, "/api/search?q=").await.assert_error(StatusCode::BAD_REQUEST, "q is required");
    get(s, "/api/search?q=x&limit=1000").await.assert_error(StatusCode::BAD_REQUEST, "limit");
    get(s, "/api/search?q=x&kind=tree").await.assert_error(StatusCode::BAD_REQUEST, "kind");
    let info = get(s, "/api/info").await.json();
    assert_eq!(info["languages"], serde_json::json!(["en", "es"]));
    assert_eq!(info["answers"], engine().current().answer_count());
    let a = get(s, "/api/suggest?q=pot").await;
    assert!(
        a.json()["completions"].as_array().unwrap().iter().any(|c| c["text"].as_str().unwrap().contains("pot")),
        "{}",
        a.body
    );
    let a =
        post_json(s, "/api/classify", serde_json::json!({"text": "there is a huge pothole on maple", "top": 2})).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.json()["suggestions"][0]["service_code"], "ST-POTHOLE", "{}", a.body);
    let a = post_json(s, "/api/triage", serde_json::json!({"text": "gas smell and hissing by the meter"})).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.json()["kind"], "emergency", "{}", a.body);
    post_json(s, "/api/classify", serde_json::json!({"txt": "x"})).await.assert_error(StatusCode::BAD_REQUEST, "text");
    post_json(s, "/api/triage", serde_json::json!({"text": "  "})).await.assert_error(StatusCode::BAD_REQUEST, "empty");
}
