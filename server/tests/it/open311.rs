//! GeoReport v2: every method, as JSON and as XML.

use axum::http::StatusCode;
use civic311::Catalog;
use civic311::open311::{Format, Payload, PostResponseList, RequestList, ServiceDefinition, ServiceList};

use crate::util::*;

#[tokio::test]
async fn discovery_services_and_definitions_in_both_formats() {
    for t in each_server("services", options()) {
        let catalog = Catalog::riverton().unwrap();
        for format in [Format::Json, Format::Xml] {
            let ext = if format == Format::Json { "json" } else { "xml" };
            let a = get(&t.server, &format!("/open311/v2/services.{ext}")).await;
            assert_eq!(a.status, StatusCode::OK);
            // Byte for byte what the core writes.
            assert_eq!(a.body, ServiceList::from_catalog(&catalog).write(format));
            assert!(a.content_type().starts_with(if ext == "json" { "application/json" } else { "text/xml" }));
            let a = get(&t.server, &format!("/open311/v2/services/ST-POTHOLE.{ext}")).await;
            assert_eq!(a.body, ServiceDefinition::from_catalog(&catalog, "ST-POTHOLE").unwrap().write(format));
            // The singular path some clients use.
            assert_eq!(get(&t.server, &format!("/open311/v2/service/ST-POTHOLE.{ext}")).await.body, a.body);
            get(&t.server, &format!("/open311/v2/services/NOPE.{ext}"))
                .await
                .assert_error(StatusCode::NOT_FOUND, "NOPE");
            let d = get(&t.server, &format!("/open311/v2/discovery.{ext}")).await;
            assert_eq!(d.status, StatusCode::OK);
            assert!(d.body.contains("/open311/v2/") && d.body.contains("GeoReport_v2"), "{}", d.body);
        }
        get(&t.server, "/open311/v2/services.html").await.assert_error(StatusCode::NOT_FOUND, ".json or .xml");
    }
}

#[tokio::test]
async fn a_request_is_posted_as_a_form_or_json_and_read_back() {
    for t in each_server("post", options()) {
        let s = &t.server;
        let id = submit_pothole(s, 38.95).await;
        // JSON, answered in XML.
        let a = post_json(
            s,
            "/open311/v2/requests.xml",
            serde_json::json!({"api_key": CLIENT, "service_code": "ST-POTHOLE", "lat": 38.9601, "long": -90.93,
                "attribute": {"SIZE": "small", "LANE_POSITION": "center"}, "description": "another"}),
        )
        .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        let second = PostResponseList::from_xml(&a.body).unwrap().0[0].service_request_id.clone().unwrap();
        assert_ne!(second, id);
        for ext in ["json", "xml"] {
            let a = get(s, &format!("/open311/v2/requests/{id}.{ext}")).await;
            assert_eq!(a.status, StatusCode::OK);
            let list = RequestList::read(&a.body, if ext == "json" { Format::Json } else { Format::Xml }).unwrap();
            assert_eq!(list.0.len(), 1, "GET requests/ID answers a list of one");
            assert_eq!(list.0[0].service_request_id.as_deref(), Some(id.as_str()));
            assert_eq!(list.0[0].description.as_deref(), Some("deep pothole"));
            get(s, &format!("/open311/v2/requests/404404.{ext}")).await.assert_error(StatusCode::NOT_FOUND, "404404");
        }
        assert_eq!(off(|| t.store.len().unwrap()), 2, "{}", t.url);
    }
}

#[tokio::test]
async fn a_post_without_a_good_key_or_request_is_refused_with_the_error_array() {
    for t in each_server("refused", options()) {
        let s = &t.server;
        let form = pothole_form(CLIENT, 38.95);
        let no_key = form.replacen(&format!("api_key={CLIENT}&"), "", 1);
        post_form(s, "/open311/v2/requests.json", &no_key).await.assert_error(StatusCode::FORBIDDEN, "api_key");
        let wrong = form.replacen(CLIENT, "guess", 1);
        post_form(s, "/open311/v2/requests.xml", &wrong).await.assert_error(StatusCode::FORBIDDEN, "api_key");
        let no_size = form.replacen("attribute%5BSIZE%5D=large&", "", 1);
        post_form(s, "/open311/v2/requests.json", &no_size).await.assert_error(StatusCode::BAD_REQUEST, "SIZE");
        let unknown = form.replacen("ST-POTHOLE", "ST-POTHOL", 1);
        post_form(s, "/open311/v2/requests.xml", &unknown).await.assert_error(StatusCode::NOT_FOUND, "ST-POTHOL");
        post_json(s, "/open311/v2/requests.json", serde_json::json!(["not", "an", "object"]))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "one object");
        let broken = axum::http::Request::post("/open311/v2/requests.json")
            .header("content-type", "application/json")
            .body(axum::body::Body::from("{\"service_code\": "))
            .unwrap();
        send(s, broken).await.assert_error(StatusCode::BAD_REQUEST, "not JSON");
        assert_eq!(off(|| t.store.len().unwrap()), 0, "nothing refused was stored");
    }
}

#[tokio::test]
async fn a_retry_with_the_same_client_id_gets_the_same_request() {
    for t in each_server("retry", options()) {
        let s = &t.server;
        let form = format!("{}&client_request_id=app-123", pothole_form(CLIENT, 38.95));
        let first = post_form(s, "/open311/v2/requests.json", &form).await;
        assert_eq!(first.status, StatusCode::CREATED);
        let again = post_form(s, "/open311/v2/requests.json", &form).await;
        assert_eq!(again.status, StatusCode::OK, "a replay is not a creation");
        assert_eq!(again.json()[0]["service_request_id"], first.json()[0]["service_request_id"]);
        // The Idempotency-Key header does the same.
        let with_header = |key: &str| {
            axum::http::Request::post("/open311/v2/requests.json")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("idempotency-key", key)
                .body(axum::body::Body::from(pothole_form(CLIENT, 38.96)))
                .unwrap()
        };
        let a = send(s, with_header("k-1")).await;
        let b = send(s, with_header("k-1")).await;
        assert_eq!((a.status, b.status), (StatusCode::CREATED, StatusCode::OK));
        assert_eq!(off(|| t.store.len().unwrap()), 2);
    }
}

#[tokio::test]
async fn a_batch_service_answers_a_token_resolved_later() {
    for t in each_server("token", options()) {
        let s = &t.server;
        let form = format!(
            "api_key={CLIENT}&service_code=TREE-PLANT&address_string=412+Maple+St&lat=38.95&long=-90.94&\
             attribute%5BPLANTING_SPOT%5D=parkway&attribute%5BRELATIONSHIP%5D=owner"
        );
        let a = post_form(s, "/open311/v2/requests.json", &form).await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        let answer = &a.json()[0];
        assert!(answer.get("service_request_id").is_none(), "{}", a.body);
        let token = answer["token"].as_str().unwrap().to_string();
        for ext in ["json", "xml"] {
            let r = get(s, &format!("/open311/v2/tokens/{token}.{ext}")).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            assert!(r.body.contains(&token) && r.body.contains("service_request_id"), "{}", r.body);
            get(s, &format!("/open311/v2/tokens/nosuchtoken.{ext}")).await.assert_error(StatusCode::NOT_FOUND, "token");
        }
    }
}

#[tokio::test]
async fn get_requests_filters_pages_and_extensions() {
    for t in each_server("filters", options()) {
        let s = &t.server;
        let mut ids = Vec::new();
        for i in 0..7 {
            ids.push(submit_pothole(s, 38.93 + f64::from(i) * 0.01).await);
        }
        let closed = &ids[0];
        let a = post_form(
            s,
            "/open311/v2/servicerequestupdates.json",
            &format!("api_key={STREETS}&service_request_id={closed}&status=FIXED&description=filled&update_id=u1"),
        )
        .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let list = |uri: &str| {
            let uri = uri.to_string();
            async move {
                let a = get(s, &uri).await;
                assert_eq!(a.status, StatusCode::OK, "{uri}: {}", a.body);
                RequestList::from_json(&a.body).unwrap().0
            }
        };
        assert_eq!(list("/open311/v2/requests.json").await.len(), 7);
        assert_eq!(list("/open311/v2/requests.json?status=closed").await.len(), 1);
        assert_eq!(list("/open311/v2/requests.json?status=open").await.len(), 6);
        assert_eq!(list("/open311/v2/requests.json?status=open,closed").await.len(), 7);
        assert_eq!(list("/open311/v2/requests.json?service_code=GR-PUBLIC").await.len(), 0);
        let some = format!("/open311/v2/requests.json?service_request_id={},{}&status=open", ids[0], ids[3]);
        assert_eq!(list(&some).await.len(), 2, "ids override the other filters");
        let page = get(s, "/open311/v2/requests.json?page_size=3&page=2").await;
        assert_eq!(page.headers.get("x-next-page").unwrap(), "3");
        assert_eq!(RequestList::from_json(&page.body).unwrap().0.len(), 3);
        assert_eq!(list("/open311/v2/requests.json?lat=38.95&long=-90.94&radius=600").await.len(), 1);
        assert_eq!(
            list("/open311/v2/requests.json?start_date=2000-01-01T00:00:00Z&end_date=2000-01-02T00:00:00Z").await.len(),
            0
        );
        get(s, "/open311/v2/requests.json?page_size=501").await.assert_error(StatusCode::BAD_REQUEST, "1 to 500");
        get(s, "/open311/v2/requests.xml?start_date=soon").await.assert_error(StatusCode::BAD_REQUEST, "start_date");
        // Extensions: department, priority, duplicate parent, public notes.
        let a = get(s, &format!("/open311/v2/requests/{closed}.json?extensions=true")).await;
        let r = &a.json()[0];
        assert_eq!(r["extended_attributes"]["department"], "streets", "{}", a.body);
        assert_eq!(r["extended_attributes"]["priority"], "normal");
        let notes = r["notes"].as_array().unwrap();
        assert!(notes.iter().any(|n| n["summary"] == "filled" && n["type"] == "closed"), "{}", a.body);
        assert!(notes.iter().all(|n| n["type"] != "routed"), "the router's trace is internal: {}", a.body);
        let x = get(s, &format!("/open311/v2/requests.xml?extensions=true&service_request_id={closed}")).await;
        assert!(x.body.contains("<extended_attributes>") && x.body.contains("<note>"), "{}", x.body);
        assert!(RequestList::from_xml(&x.body).is_ok(), "still an Open311 list: {}", x.body);
    }
}

#[tokio::test]
async fn department_updates_follow_the_lifecycle() {
    for t in each_server("updates", options()) {
        let s = &t.server;
        let id = submit_pothole(s, 38.95).await;
        let update = |key: &str, status: &str| {
            format!("api_key={key}&service_request_id={id}&status={status}&description=crew+on+site&update_id=77")
        };
        let a = post_form(s, "/open311/v2/servicerequestupdates.xml", &update(STREETS, "IN_PROGRESS")).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        assert!(a.body.contains("<service_request_updates><request_update><update_id>"), "{}", a.body);
        assert_eq!(off(|| t.store.get(&id).unwrap().unwrap()).status.name(), "in_progress");
        // Illegal: in progress cannot be acknowledged... nor reopened while open.
        post_form(s, "/open311/v2/servicerequestupdates.json", &update(STREETS, "REOPENED"))
            .await
            .assert_error(StatusCode::CONFLICT, "reopened");
        post_form(s, "/open311/v2/servicerequestupdates.json", &update(CLIENT, "FIXED"))
            .await
            .assert_error(StatusCode::FORBIDDEN, "may submit requests, not update");
        post_form(s, "/open311/v2/servicerequestupdates.json", &update(PARKS, "FIXED"))
            .await
            .assert_error(StatusCode::FORBIDDEN, "parks");
        post_form(s, "/open311/v2/servicerequestupdates.json", &update(STREETS, "DONE-ISH"))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "DONE-ISH");
        post_form(s, "/open311/v2/servicerequestupdates.json", &update(ADMIN, "FIXED").replace(&id, "999999"))
            .await
            .assert_error(StatusCode::NOT_FOUND, "999999");
        let a = post_form(s, "/open311/v2/servicerequestupdates.json", &update(ADMIN, "FIXED")).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let stored = off(|| t.store.get(&id).unwrap().unwrap());
        assert_eq!(stored.status.name(), "closed");
        assert!(stored.history.iter().any(|e| e.actor.contains("update 77")));
    }
}
