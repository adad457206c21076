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

#[tokio::test]
async fn stats_are_for_staff_and_a_department_sees_its_own() {
    for t in each_server("stats", options()) {
        let s = &t.server;
        for lat in [38.95, 38.951, 38.9521] {
            submit_pothole(s, lat).await;
        }
        let today = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date();
        let period = format!("from={}&to={}&by=day", today - jiff::ToSpan::days(1), today + jiff::ToSpan::days(1));
        get(s, &format!("/api/stats?{period}")).await.assert_error(StatusCode::FORBIDDEN, "api_key");
        get(s, &format!("/api/stats?{period}&api_key={CLIENT}")).await.assert_error(StatusCode::FORBIDDEN, "staff");
        for (key, total) in [(STREETS, 3), (PARKS, 0), (ADMIN, 3)] {
            let a = get(s, &format!("/api/stats?{period}&api_key={key}")).await;
            assert_eq!(a.status, StatusCode::OK, "{}", a.body);
            let r = a.json();
            assert_eq!(r["total"], total, "{key}: {}", a.body);
            assert!(r["service_levels"].is_array() && r["backlog"].is_array());
        }
        // Streets' open potholes are its backlog; parks sees none of them.
        let streets = get(s, &format!("/api/stats?{period}&api_key={STREETS}")).await.json();
        let open: u64 = streets["backlog"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| b["department"] == "streets")
            .map(|b| b["open"].as_u64().unwrap())
            .sum();
        assert_eq!(open, 3);
        let parks = get(s, &format!("/api/stats?{period}&api_key={PARKS}")).await.json();
        assert!(parks["backlog"].as_array().unwrap().is_empty(), "{parks}");
        get(s, &format!("/api/stats?{period}&by=fortnight&api_key={ADMIN}"))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "day, week or month");
        get(s, &format!("/api/stats?from=March&api_key={ADMIN}"))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "YYYY-MM-DD");
    }
}
