//! No public answer shows who filed a request or an internal note: every
//! endpoint that shows requests, in both formats, with no key, a client's
//! key and another department's staff key. The department's staff see both.

use axum::http::StatusCode;
use civic311_store::Update;

use crate::util::*;

const INTERNAL: &str = "INTERNAL-ONLY: caller sounded upset";

#[tokio::test]
async fn public_answers_never_show_personal_data_or_internal_notes() {
    for t in each_server("privacy", options()) {
        let s = &t.server;
        let post = post_form(s, "/open311/v2/requests.json", &pothole_form(CLIENT, 38.95)).await;
        assert_eq!(post.status, StatusCode::CREATED);
        let id = post.json()[0]["service_request_id"].as_str().unwrap().to_string();
        off(|| t.store.update(&id, Update::by("supervisor").note(INTERNAL, false)).unwrap());
        let batch = post_form(
            s,
            "/open311/v2/requests.xml",
            &format!(
                "api_key={CLIENT}&service_code=TREE-PLANT&lat=38.95&long=-90.94&email=ana.quintero%40example.org&\
             attribute%5BPLANTING_SPOT%5D=parkway&attribute%5BRELATIONSHIP%5D=owner"
            ),
        )
        .await;
        assert_eq!(batch.status, StatusCode::CREATED, "{}", batch.body);
        let token = batch.body.split("<token>").nth(1).unwrap().split('<').next().unwrap().to_string();
        let mut bodies =
            vec![("POST requests.json".to_string(), post.body.clone()), ("POST requests.xml".to_string(), batch.body)];
        for ext in ["json", "xml"] {
            for extensions in ["", "&extensions=true"] {
                for key in ["", CLIENT, PARKS] {
                    let key = if key.is_empty() { String::new() } else { format!("&api_key={key}") };
                    for uri in [
                        format!("/open311/v2/requests.{ext}?status=open{extensions}{key}"),
                        format!("/open311/v2/requests/{id}.{ext}?x=1{extensions}{key}"),
                        format!("/open311/v2/requests.{ext}?service_request_id={id}{extensions}{key}"),
                        format!("/open311/v2/tokens/{token}.{ext}?x=1{key}"),
                    ] {
                        let a = get(s, &uri).await;
                        assert_eq!(a.status, StatusCode::OK, "{uri}: {}", a.body);
                        bodies.push((uri, a.body));
                    }
                }
            }
        }
        for (uri, body) in &bodies {
            for secret in PERSONAL.iter().chain([&INTERNAL, &"rule '"]) {
                assert!(!body.contains(secret), "{}: {uri} shows '{secret}':\n{body}", t.url);
            }
        }
        // The department's own staff see who filed it and the internal note.
        for ext in ["json", "xml"] {
            let a = get(s, &format!("/open311/v2/requests/{id}.{ext}?extensions=true&api_key={STREETS}")).await;
            for secret in PERSONAL.iter().chain([&"INTERNAL-ONLY"]) {
                assert!(a.body.contains(secret), "staff should see '{secret}': {}", a.body);
            }
            let a = get(s, &format!("/open311/v2/requests.{ext}?api_key={ADMIN}")).await;
            assert!(a.body.contains("ana.quintero@example.org"), "{}", a.body);
            // A staff key in a header works as in the query string.
            let request = axum::http::Request::get(format!("/open311/v2/requests/{id}.{ext}"))
                .header("x-api-key", STREETS)
                .body(axum::body::Body::empty())
                .unwrap();
            assert!(send(s, request).await.body.contains("555-0142"));
        }
    }
}
