//! The GeoReport v2 specification's own examples, sent to the server as they
//! are written and compared with the example responses, in XML and in JSON.
//!
//! The examples live in `kb-fixtures/open311-spec/examples` (copied from the
//! specification, see PROVENANCE.md), and the catalog beside them holds the
//! examples' city: its services, its service definition, and service 001's
//! notice. The GET requests examples are imported into the store first, from
//! the specification's own XML.
//!
//! "The same" means: the same root, the same records, and in each record
//! the same fields with the same values. The specification's examples
//! differ among themselves in field order (service 002 lists `metadata`
//! first), write numbers without quotes, `-08:00` for San Francisco in April
//! (civic311 writes the same instant as `-07:00`), and `001` as a JSON
//! number (not valid JSON); so values compare as trimmed text, `null` as
//! empty, times as instants. Values the server assigns (a new request's id,
//! a token) only have to be there.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use civic311::{Catalog, Engine, EngineHandle};
use civic311_server::{Key, Role, Server};
use civic311_store::{ImportFormat, ImportOptions};

use crate::util::*;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../kb-fixtures/open311-spec");

fn example(name: &str) -> String {
    let text = std::fs::read_to_string(format!("{DIR}/examples/{name}")).unwrap();
    // The errors' examples start with their status line.
    match text.find(['<', '[', '{']) {
        Some(start) => text[start..].to_string(),
        None => text,
    }
}

/// A payload as records: the root's name, and each record's fields as text
/// (a nested list, such as a definition's `values`, as its own records).
#[derive(Debug, Clone, PartialEq)]
enum Tree {
    Text(String),
    Fields(Vec<(String, Tree)>),
}

fn xml_tree(text: &str) -> (String, Tree) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<(String, Vec<(String, Tree)>, String)> = vec![(String::new(), Vec::new(), String::new())];
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) => stack.push((e.local_name().as_ref().to_string(), Vec::new(), String::new())),
            Event::Empty(e) => {
                let name = e.local_name().as_ref().to_string();
                stack.last_mut().unwrap().1.push((name, Tree::Text(String::new())));
            }
            Event::Text(t) => stack.last_mut().unwrap().2.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let c = match r.as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("entity {other}"),
                };
                stack.last_mut().unwrap().2.push_str(c);
            }
            Event::CData(t) => stack.last_mut().unwrap().2.push_str(&t.xml10_content()),
            Event::End(_) => {
                let (name, children, text) = stack.pop().unwrap();
                let node =
                    if children.is_empty() { Tree::Text(text.trim().to_string()) } else { Tree::Fields(children) };
                stack.last_mut().unwrap().1.push((name, node));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let (_, mut top, _) = stack.pop().unwrap();
    assert_eq!(top.len(), 1, "one root element");
    top.pop().unwrap()
}

/// The specification writes codes such as `001` as JSON numbers, which no
/// JSON reader takes: they are quoted before reading.
fn spec_json(text: &str) -> serde_json::Value {
    let mut fixed = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let mut quoted = false;
    while i < chars.len() {
        if chars[i] == '"' && (i == 0 || chars[i - 1] != '\\') {
            quoted = !quoted;
        }
        if !quoted
            && chars[i] == ':'
            && chars.get(i + 1) == Some(&'0')
            && chars.get(i + 2).is_some_and(|c| c.is_ascii_digit())
        {
            let end = (i + 1..chars.len()).find(|&j| !chars[j].is_ascii_digit()).unwrap_or(chars.len());
            fixed.push_str(&format!(":\"{}\"", chars[i + 1..end].iter().collect::<String>()));
            i = end;
        } else {
            fixed.push(chars[i]);
            i += 1;
        }
    }
    serde_json::from_str(&fixed).unwrap_or_else(|e| panic!("{e}: {fixed}"))
}

fn json_tree(v: &serde_json::Value) -> Tree {
    match v {
        serde_json::Value::Object(m) => Tree::Fields(m.iter().map(|(k, v)| (k.clone(), json_tree(v))).collect()),
        // A list is a field repeated, as XML writes it.
        serde_json::Value::Array(items) => {
            Tree::Fields(items.iter().map(|v| ("item".to_string(), json_tree(v))).collect())
        }
        serde_json::Value::Null => Tree::Text(String::new()),
        serde_json::Value::String(s) => Tree::Text(s.trim().to_string()),
        other => Tree::Text(other.to_string()),
    }
}

/// Compares what the server wrote with the example: the same fields, the
/// same values (see the module's comment); `assigned` fields only have to
/// be present.
fn same(path: &str, ours: &Tree, spec: &Tree, assigned: &[&str]) {
    match (ours, spec) {
        (Tree::Text(a), Tree::Text(b)) => {
            let instants = (a.parse::<jiff::Timestamp>(), b.parse::<jiff::Timestamp>());
            if let (Ok(a), Ok(b)) = instants {
                assert_eq!(a, b, "{path}: a different time");
            } else {
                assert_eq!(a, b, "{path}");
            }
        }
        (Tree::Fields(a), Tree::Fields(b)) => {
            fn names(f: &[(String, Tree)]) -> Vec<&str> {
                let mut n: Vec<&str> = f.iter().map(|(k, _)| k.as_str()).collect();
                n.sort();
                n
            }
            assert_eq!(names(a), names(b), "{path}: the fields differ");
            // Repeated fields (records) in order; the others by name.
            let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
            for (name, theirs) in b {
                let n = seen.entry(name.as_str()).or_default();
                let mine = &a.iter().filter(|(k, _)| k == name).nth(*n).unwrap().1;
                *n += 1;
                if !assigned.contains(&name.as_str()) {
                    same(&format!("{path}/{name}"), mine, theirs, assigned);
                }
            }
        }
        (a, b) => panic!("{path}: {a:?} where the example has {b:?}"),
    }
}

fn same_xml(ours: &str, spec: &str, assigned: &[&str]) {
    assert!(ours.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"), "{ours}");
    let (root, tree) = xml_tree(ours);
    let (spec_root, spec_tree) = xml_tree(spec);
    assert_eq!(root, spec_root);
    same(&root, &tree, &spec_tree, assigned);
}

fn same_json(ours: &str, spec: &str, assigned: &[&str]) {
    let ours: serde_json::Value = serde_json::from_str(ours).unwrap();
    same("json", &json_tree(&ours), &json_tree(&spec_json(spec)), assigned);
}

/// Keeps only the records whose field `key` is one of `values` (a list
/// with more records than the example).
fn only(tree: Tree, key: &str, values: &[&str]) -> Tree {
    let Tree::Fields(records) = tree else { return tree };
    Tree::Fields(
        records
            .into_iter()
            .filter(|(_, r)| match r {
                Tree::Fields(f) => {
                    f.iter().any(|(k, v)| k == key && matches!(v, Tree::Text(t) if values.contains(&t.as_str())))
                }
                _ => false,
            })
            .collect(),
    )
}

fn spec_servers(test: &str) -> Vec<TestServer> {
    let engine = Arc::new(EngineHandle::new(Engine::build(Catalog::load(DIR).unwrap()).unwrap()));
    // The example's key, as a client's.
    let keys = keys().with_key("xyz", Key { name: "example".into(), role: Role::Client, departments: Vec::new() });
    each_server_with(test, engine, keys, options())
}

async fn post_example(server: &Server, path: &str) -> Answer {
    let http = std::fs::read_to_string(format!("{DIR}/examples/post-service-request-body.http")).unwrap();
    let body = http.lines().last().unwrap().to_string();
    let request = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded; charset=utf-8")
        .body(Body::from(body))
        .unwrap();
    send(server, request).await
}

#[tokio::test]
async fn the_specifications_examples_get_the_specifications_answers() {
    for t in spec_servers("spec") {
        let s = &t.server;

        // GET services: the example's three services, then the others.
        let a = get(s, "/open311/v2/services.xml?jurisdiction_id=city.gov").await;
        assert_eq!(a.status, StatusCode::OK);
        let (root, tree) = xml_tree(&a.body);
        let (spec_root, spec) = xml_tree(&example("xml-service-list.xml"));
        assert_eq!(root, spec_root);
        same("services", &only(tree, "service_code", &["001", "002", "003"]), &spec, &[]);
        let a = get(s, "/open311/v2/services.json?jurisdiction_id=city.gov").await;
        let ours = json_tree(&serde_json::from_str(&a.body).unwrap());
        same(
            "services.json",
            &only(ours, "service_code", &["001", "002", "003"]),
            &json_tree(&spec_json(&example("json-service-list.json"))),
            &[],
        );

        // GET a service definition.
        let a = get(s, "/open311/v2/services/DMV66.xml?jurisdiction_id=city.gov").await;
        assert_eq!(a.status, StatusCode::OK);
        same_xml(&a.body, &example("xml-service-definition.xml"), &[]);
        let a = get(s, "/open311/v2/services/DMV66.json?jurisdiction_id=city.gov").await;
        same_json(&a.body, &example("json-service-definition.json"), &[]);

        // POST the example's form, byte for byte, answered in XML and JSON:
        // the new id and the service's notice, nothing of the filer's.
        let a = post_example(s, "/open311/v2/requests.xml").await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        same_xml(&a.body, &example("xml-service-request-post.xml"), &["service_request_id"]);
        let first = a.body.clone();
        let a = post_example(s, "/open311/v2/requests.json").await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        same_json(&a.body, &example("json-service-request-post.json"), &["service_request_id"]);
        let id = a.json()[0]["service_request_id"].as_str().unwrap().to_string();
        assert!(!first.contains(&format!(">{id}<")), "two POSTs, two requests");
        // What was posted is stored: the attributes, the place, the person.
        let stored = off(|| t.store.get(&id).unwrap().unwrap());
        assert_eq!(stored.description.as_deref(), Some("A large sinkhole is destroying the street"));
        assert_eq!(stored.address.as_deref(), Some("1234 5th street"));
        assert_eq!(stored.attributes.len(), 2, "{:?}", stored.attributes);
        let person = stored.personal.unwrap();
        assert_eq!((person.email.as_deref(), person.phone.as_deref()), (Some("smit333@sfgov.edu"), Some("111111111")));

        // A token for a batch service, and GET tokens/{token}.
        let a = post_form(
            s,
            "/open311/v2/requests.xml",
            "api_key=xyz&service_code=BATCH1&lat=37.76&long=-122.42&description=a+couch",
        )
        .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        let (_, tree) = xml_tree(&a.body);
        let Tree::Fields(records) = &tree else { panic!() };
        let Tree::Fields(fields) = &records[0].1 else { panic!() };
        let Some((_, Tree::Text(token))) = fields.iter().find(|(k, _)| k == "token") else { panic!("{}", a.body) };
        for (ext, spec) in [("xml", "xml-request-from-token.xml"), ("json", "json-request-from-token.json")] {
            let a = get(s, &format!("/open311/v2/tokens/{token}.{ext}?jurisdiction_id=city.gov")).await;
            assert_eq!(a.status, StatusCode::OK, "{}", a.body);
            if ext == "xml" {
                same_xml(&a.body, &example(spec), &["service_request_id", "token"]);
            } else {
                same_json(&a.body, &example(spec), &["service_request_id", "token"]);
            }
        }

        // GET requests and GET one request, over the example's own requests
        // imported from its XML.
        let payload = example("xml-service-requests.xml");
        let report = off(|| {
            t.store
                .import(
                    "spec",
                    payload.as_bytes(),
                    &ImportFormat::Open311(civic311::open311::Format::Xml),
                    &ImportOptions::default(),
                )
                .unwrap()
        });
        assert_eq!(report.imported, 2, "{report:?}");
        // The example's sample URL: no request of the example is open and
        // that recent, so the answer is an empty list.
        let sample = "/open311/v2/requests.xml?start_date=2010-05-24T00:00:00Z&end_date=2010-06-24T00:00:00Z&status=open&jurisdiction_id=city.gov";
        let a = get(s, sample).await;
        assert_eq!(a.status, StatusCode::OK);
        assert_eq!(xml_tree(&a.body), ("service_requests".to_string(), Tree::Text(String::new())), "{}", a.body);
        let april = "start_date=2010-04-01T00:00:00Z&end_date=2010-05-01T00:00:00Z&jurisdiction_id=city.gov";
        let ids = ["638344", "638349"];
        let a = get(s, &format!("/open311/v2/requests.xml?{april}")).await;
        assert_eq!(a.status, StatusCode::OK);
        let (root, tree) = xml_tree(&a.body);
        assert_eq!(root, "service_requests");
        let (_, spec) = xml_tree(&payload);
        // Newest first here, in the example's order there.
        let reorder = |tree: Tree| -> Tree {
            let Tree::Fields(mut records) = tree else { return tree };
            records.sort_by_key(|(_, r)| format!("{r:?}"));
            Tree::Fields(records)
        };
        same("requests.xml", &reorder(only(tree, "service_request_id", &ids)), &reorder(spec), &[]);
        let a = get(s, &format!("/open311/v2/requests.json?{april}")).await;
        let ours = json_tree(&serde_json::from_str(&a.body).unwrap());
        same(
            "requests.json",
            &reorder(ours),
            &reorder(json_tree(&spec_json(&example("json-service-requests.json")))),
            &[],
        );
        let a = get(s, "/open311/v2/requests/638344.xml?jurisdiction_id=city.gov").await;
        same_xml(&a.body, &example("xml-service-request.xml"), &[]);
        let a = get(s, "/open311/v2/requests/638344.json?jurisdiction_id=city.gov").await;
        same_json(&a.body, &example("json-service-request.json"), &[]);

        // The error example: a POST with a key nobody was given.
        for (ext, spec) in [("xml", "xml-errors.xml"), ("json", "json-errors.json")] {
            let a = post_form(
                s,
                &format!("/open311/v2/requests.{ext}"),
                "api_key=not-a-key&service_code=001&lat=37.76&long=-122.42",
            )
            .await;
            assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.body);
            if ext == "xml" {
                same_xml(&a.body, &example(spec), &["description"]);
            } else {
                same_json(&a.body, &example(spec), &["description"]);
            }
        }
    }
}

/// The services list is written once per engine and kept: a reloaded
/// catalog (a new engine) gets its own list at once, in both formats.
#[tokio::test]
async fn a_reloaded_catalog_gets_its_own_services_list() {
    let engine = Arc::new(EngineHandle::new(Engine::build(Catalog::load(DIR).unwrap()).unwrap()));
    for t in each_server_with("services-cache", engine.clone(), keys(), options()) {
        for ext in ["json", "xml"] {
            let first = get(&t.server, &format!("/open311/v2/services.{ext}")).await.body;
            assert!(first.contains("Cans left out 24x7"));
            assert_eq!(get(&t.server, &format!("/open311/v2/services.{ext}")).await.body, first);
        }
        let old = engine.replace(Engine::build(Catalog::riverton().unwrap()).unwrap());
        for ext in ["json", "xml"] {
            let body = get(&t.server, &format!("/open311/v2/services.{ext}")).await.body;
            assert!(body.contains("ST-POTHOLE") && !body.contains("Cans left out"), "{ext}");
        }
        engine.replace(Arc::into_inner(old).unwrap());
    }
}
