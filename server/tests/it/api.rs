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

#[tokio::test]
async fn an_escalated_question_waits_in_its_departments_queue_until_replied_to() {
    for t in each_server("questions", options()) {
        let s = &t.server;
        // Answered: no inquiry.
        let a = post_json(s, "/api/questions", serde_json::json!({"question": "how do i report a pothole"})).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let r = a.json();
        assert_eq!(r["answered"], true, "{r}");
        assert!(r["inquiry"].is_null() && r["escalation"].is_null(), "{r}");
        assert_eq!(r["answers"][0]["service_code"], "ST-POTHOLE");
        // Escalated: an inquiry in Development Services' queue, with a token for the asker.
        let q = "do I need a permit for a garage sale";
        let a = post_json(
            s,
            "/api/questions",
            serde_json::json!({"question": q, "page": "https://riverton.example/permits?email=ana@example.org"}),
        )
        .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        let r = a.json();
        assert_eq!(r["answered"], false);
        assert_eq!(r["escalation"]["department"], "permits", "{r}");
        assert!(r["escalation"]["reason"].as_str().unwrap().contains("Development Services"), "{r}");
        let id = r["inquiry"]["id"].as_str().unwrap().to_string();
        let token = r["inquiry"]["token"].as_str().unwrap().to_string();
        assert!(token.len() >= 20, "{token}");
        assert!(r["inquiry"]["reply_by"].is_string(), "{r}");
        // The asker reads it with the token; a wrong or missing token finds nothing.
        let mine = get(s, &format!("/api/questions/{id}?token={token}")).await;
        assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
        assert_eq!(mine.json()["question"], q);
        assert_eq!(mine.json()["open"], true);
        assert!(mine.json().get("history").is_none() && mine.json().get("reason").is_none(), "{}", mine.body);
        get(s, &format!("/api/questions/{id}?token=nope")).await.assert_error(StatusCode::NOT_FOUND, "token");
        get(s, &format!("/api/questions/{id}")).await.assert_error(StatusCode::NOT_FOUND, "token");
        // The queue is for staff of the department.
        get(s, "/api/questions").await.assert_error(StatusCode::FORBIDDEN, "api_key");
        get(s, &format!("/api/questions?api_key={CLIENT}")).await.assert_error(StatusCode::FORBIDDEN, "staff");
        get(s, &format!("/api/questions?department=permits&api_key={STREETS}"))
            .await
            .assert_error(StatusCode::FORBIDDEN, "permits");
        let queue = get(s, &format!("/api/questions?department=permits&api_key={ADMIN}")).await;
        assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
        let list = queue.json()["inquiries"].as_array().unwrap().clone();
        assert_eq!(list.len(), 1, "{}", queue.body);
        assert_eq!(list[0]["id"], id.as_str());
        assert_eq!(list[0]["page"], "https://riverton.example/permits", "the query string is not kept");
        // Streets' staff may not answer it; an admin notes, then replies.
        let url = |key: &str| format!("/api/questions/{id}?api_key={key}");
        post_json(s, &url(STREETS), serde_json::json!({"reply": "x"}))
            .await
            .assert_error(StatusCode::FORBIDDEN, "department");
        let noted = post_json(s, &url(ADMIN), serde_json::json!({"note": "asking the zoning desk"})).await;
        assert_eq!(noted.status, StatusCode::OK, "{}", noted.body);
        post_json(s, &url(ADMIN), serde_json::json!({"reply": "No.", "version": 1}))
            .await
            .assert_error(StatusCode::CONFLICT, "version");
        let reply = "No permit is needed for up to two garage sales a year.";
        let done = post_json(s, &url(ADMIN), serde_json::json!({"reply": reply, "version": 2})).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert_eq!(done.json()["open"], false);
        let kinds: Vec<String> = done.json()["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(kinds, ["asked", "note", "replied"]);
        post_json(s, &url(ADMIN), serde_json::json!({"reply": "again"}))
            .await
            .assert_error(StatusCode::CONFLICT, "closed");
        // The asker sees the reply, not the internal note.
        let mine = get(s, &format!("/api/questions/{id}?token={token}")).await.json();
        assert_eq!(mine["reply"], reply);
        assert_eq!(mine["open"], false);
        assert!(!mine.to_string().contains("zoning desk"), "{mine}");
        let empty = get(s, &format!("/api/questions?department=permits&api_key={ADMIN}")).await.json();
        assert!(empty["inquiries"].as_array().unwrap().is_empty(), "{empty}");
        // Bad bodies.
        post_json(s, "/api/questions", serde_json::json!({"question": " "}))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "empty");
        post_json(s, "/api/questions", serde_json::json!({"q": "x"}))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "question");
        // An emergency gets 911's advice and is kept nowhere.
        let a = post_json(
            s,
            "/api/questions",
            serde_json::json!({"question": "my neighbor collapsed and is not breathing"}),
        )
        .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        assert!(a.json()["emergency"].as_str().unwrap().contains("911"), "{}", a.body);
        assert!(a.json()["inquiry"].is_null());
    }
}

#[tokio::test]
async fn searches_are_recorded_for_the_report_unless_asked_not_to() {
    for t in each_server("search_events", options()) {
        let s = &t.server;
        for q in ["do+I+need+a+permit+for+a+garage+sale", "garage+sale+permit+needed%3F", "potholes+on+maple"] {
            let a = get(s, &format!("/api/search?q={q}&page=https%3A%2F%2Friverton.example%2Fhelp%3Fname%3DAna")).await;
            assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        }
        // While a resident types, the widget asks not to record.
        get(s, "/api/search?q=do+I+need+a+per&record=0").await;
        // What the widget sends on a page that opts in.
        let e = post_json(
            s,
            "/api/events",
            serde_json::json!({"kind": "follow", "query": "potholes on maple", "followed": "service:ST-POTHOLE"}),
        )
        .await;
        assert_eq!(e.status, StatusCode::ACCEPTED, "{}", e.body);
        post_json(s, "/api/events", serde_json::json!({"kind": "click", "query": "x"}))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "search or follow");
        post_json(s, "/api/events", serde_json::json!({"kind": "follow", "query": "x"}))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "answer followed");
        post_json(s, "/api/events", serde_json::json!({"kind": "search", "query": "x", "ip": "10.0.0.1"}))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "ip");
        let today = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date();
        let period = format!("from={}&to={}", today - jiff::ToSpan::days(1), today + jiff::ToSpan::days(1));
        let r = get(s, &format!("/api/stats?{period}&api_key={ADMIN}")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let q = &r.json()["questions"];
        assert_eq!(q["searches"], 3, "{q}");
        assert_eq!(q["follows"], 1, "{q}");
        let unanswered = q["unanswered"].as_array().unwrap();
        assert!(unanswered.iter().any(|g| g["department"] == "permits" && g["count"].as_u64().unwrap() >= 1), "{q}");
        assert!(!r.body.contains("Ana"), "no page query string is kept");
    }
}
