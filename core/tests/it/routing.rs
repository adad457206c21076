//! Routing: rules of every kind on Riverton, the table of expected
//! routings, mistakes in rules, and the duplicate finder.

use std::sync::Arc;

use civic311::open311::NewRequest;
use civic311::route::{DuplicateFinder, DuplicateOptions, OpenRequest};
use civic311::{Catalog, ErrorKind, Priority};

use crate::search::riverton;
use crate::util::*;

fn request(json: serde_json::Value) -> NewRequest {
    NewRequest::from_json_value(&json).unwrap()
}

fn now() -> jiff::Timestamp {
    "2026-03-04T15:00:00Z".parse().unwrap()
}

/// Every row of `routing_table.jsonl`: a request and the jurisdiction,
/// department, priority, rule and due date it must get (the due dates were
/// computed by `routing_reference.py`, a separate implementation of the
/// business-time rules).
#[test]
fn the_riverton_table() {
    let engine = riverton();
    let path = format!("{}/tests/it/routing_table.jsonl", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let mut rows = 0;
    let mut failures = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        rows += 1;
        let row: serde_json::Value = serde_json::from_str(line).unwrap();
        let name = row["name"].as_str().unwrap();
        let expected = &row["expected"];
        let got = NewRequest::from_json_value(&row["request"]).and_then(|r| engine.route(&r, now()));
        let routing = match (got, expected.get("error")) {
            (Err(e), Some(kind)) => {
                let want = format!("{}error", kind.as_str().unwrap());
                if !e.kind().name().eq_ignore_ascii_case(&want) {
                    failures.push(format!("{name}: expected a {kind} error, got {e}"));
                }
                continue;
            }
            (Err(e), None) => {
                failures.push(format!("{name}: {e} {:?}", e.open311_errors()));
                continue;
            }
            (Ok(r), Some(_)) => {
                failures.push(format!("{name}: expected an error, got rule {}", r.rule));
                continue;
            }
            (Ok(r), None) => r,
        };
        let check = |field: &str, got: serde_json::Value, failures: &mut Vec<String>| {
            if expected.get(field).is_some_and(|e| *e != got) {
                failures.push(format!("{name}: {field} {got} but expected {}", expected[field]));
            }
        };
        check("jurisdiction", routing.jurisdiction.clone().into(), &mut failures);
        check("department", serde_json::to_value(&routing.department).unwrap(), &mut failures);
        check("priority", routing.priority.as_str().into(), &mut failures);
        check("rule", routing.rule.clone().into(), &mut failures);
        check(
            "expected_datetime",
            serde_json::to_value(routing.expected_datetime.map(|d| d.to_string())).unwrap(),
            &mut failures,
        );
        check("referral", routing.referral.is_some().into(), &mut failures);
        assert!(!routing.trace.is_empty(), "{name}: no trace");
    }
    assert!(rows >= 60, "the table has {rows} rows");
    assert!(failures.is_empty(), "{} of {rows} rows differ:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn a_water_main_break_at_2am_on_a_holiday() {
    let engine = riverton();
    let r = engine
        .route(
            &request(serde_json::json!({
                "service_code": "WS-MAIN-BREAK", "lat": 38.955, "long": -90.93,
                "description": "water shooting up out of the street",
                "attribute": {"FLOWING": "yes", "AMOUNT": "gushing"},
                "requested_datetime": "2026-07-03T02:00:00-05:00"
            })),
            now(),
        )
        .unwrap();
    assert_eq!((r.jurisdiction.as_str(), r.department.as_deref()), ("rrwsa", Some("rrwsa-ops")));
    assert!(r.priority <= Priority::Urgent, "{r:#?}");
    let due = r.expected_datetime.unwrap();
    assert!(due.timestamp() > r.requested_datetime.timestamp());
    assert!(
        due.timestamp().duration_since(r.requested_datetime.timestamp()) <= jiff::SignedDuration::from_hours(8),
        "a main break is due within hours, even at night on a holiday: {due}"
    );
    assert!(r.trace.last().unwrap().contains("applies"), "{:?}", r.trace);
}

#[test]
fn every_rule_before_the_deciding_one_is_explained() {
    let engine = riverton();
    let r = engine
        .route(
            &request(serde_json::json!({
                "service_code": "ST-POTHOLE", "lat": 38.97, "long": -90.99,
                "attribute": {"SIZE": "small", "LANE_POSITION": "wheel-path"},
                "requested_datetime": "2026-03-02T10:00:00-06:00"
            })),
            now(),
        )
        .unwrap();
    let concerned = engine
        .catalog()
        .rules()
        .iter()
        .take_while(|rule| rule.id != r.rule)
        .filter(|rule| {
            (rule.services.is_empty() || rule.services.iter().any(|s| s == "ST-POTHOLE"))
                && (rule.groups.is_empty() || rule.groups.iter().any(|g| g == "Streets and Sidewalks"))
        })
        .count();
    assert_eq!(r.trace.len(), concerned + 1, "{:#?}", r.trace);
    assert!(r.trace[..concerned].iter().all(|t| t.contains("does not apply: ")), "{:#?}", r.trace);
}

#[test]
fn validation_comes_first() {
    let engine = riverton();
    let err = engine
        .route(&request(serde_json::json!({"service_code": "ST-POTHOLE", "lat": 38.95, "long": -90.95})), now())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    assert!(err.open311_errors().iter().any(|e| e.description.contains("attribute[SIZE]")), "{err}");
    let err = engine
        .route(&request(serde_json::json!({"service_code": "NOPE", "lat": 1.0, "long": 1.0})), now())
        .unwrap_err();
    assert_eq!(err.open311_errors()[0].code, 404);
}

#[test]
fn nowhere_to_go_is_an_error_not_a_default() {
    let engine = riverton();
    let err = engine
        .route(
            &request(serde_json::json!({
                "service_code": "GR-PUBLIC", "lat": 40.5, "long": -88.0,
                "attribute": {"SURFACE": "building", "OFFENSIVE": "no", "SIZE": "small"}
            })),
            now(),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Routing);
    assert!(err.to_string().contains("outside every known boundary"), "{err}");
}

fn with_routing(rules: &str) -> Vec<(&'static str, String)> {
    let base = base_files().into_iter().find(|(p, _)| *p == "routing.toml").unwrap().1;
    with_file("routing.toml", &format!("{base}\n{rules}"))
}

#[test]
fn rules_route_the_small_catalog() {
    let catalog = Catalog::from_files(with_routing(
        r#"
[slas]
ST-POTHOLE = "2 business hours"

[[rules]]
id = "big-holes"
description = "Large potholes are fixed first."
services = ["ST-POTHOLE"]
attributes = { SIZE = "large" }
keywords = ["tire"]
priority = "high"
escalate = { to = "streets", after = "1 business hour" }
notice = "We fix large potholes first."
"#,
    ))
    .unwrap();
    let engine = civic311::Engine::build(catalog).unwrap();
    let base = serde_json::json!({
        "service_code": "ST-POTHOLE", "lat": 0.5, "long": 0.5, "attribute": {"SIZE": "large"},
        "description": "it popped two of my tires", "requested_datetime": "2026-03-02T16:30:00-06:00"
    });
    let r = engine.route(&request(base.clone()), now()).unwrap();
    assert_eq!((r.rule.as_str(), r.priority), ("big-holes", Priority::High));
    // Mondays 8 to 5 only: half an hour on Monday, 1.5 hours the Monday after.
    assert_eq!(r.expected_datetime.unwrap().to_string(), "2026-03-09T09:30:00-05:00");
    assert_eq!(r.escalation.as_ref().unwrap().at.to_string(), "2026-03-09T08:30:00-05:00");
    assert!(r.trace[0].contains("SIZE is large") && r.trace[0].contains("\"tire\""), "{:?}", r.trace);
    // Without the keyword the rule does not apply, and the trace says why.
    let mut other = base.clone();
    other["description"] = "just a hole".into();
    let r = engine.route(&request(other.clone()), now()).unwrap();
    assert_eq!(r.rule, "default");
    assert!(r.trace[0].contains("mentions none of \"tire\""), "{:?}", r.trace);
    // Outside the only jurisdiction's boundary, with no rule: refused, not
    // routed by default.
    let mut far = other;
    far["lat"] = 5.0.into();
    assert_eq!(engine.route(&request(far), now()).unwrap_err().kind(), ErrorKind::Routing);
}

#[test]
fn mistakes_in_rules_are_reported_with_their_place() {
    let found = problems(with_routing(
        r#"
[slas]
ST-POTHOLE = "3 fortnights"

[[rules]]
id = "r1"
description = "x"
services = ["ST-POTHOL"]
groups = ["Street"]
inside = ["city-limit"]
attributes = { SIZE = ["huge"] }
when = ["afterhours"]
channels = ["fax"]
priority = "asap"
department = "street"

[[rules]]
id = "r2"
description = "y"
services = ["ST-POTHOLE"]
attributes = { SIZE = ["huge"] }
"#,
    ));
    let text: Vec<String> = found.iter().map(|p| p.to_string()).collect();
    let has = |needle: &str| assert!(text.iter().any(|t| t.contains(needle)), "no '{needle}' in {text:#?}");
    has("routing.toml:16: slas.ST-POTHOLE: '3 fortnights' is not a duration");
    has("rules[0].services[0]: unknown service code 'ST-POTHOL'");
    has("did you mean 'ST-POTHOLE'?");
    has("rules[0].groups[0]: no service is in group 'Street'");
    has("rules[0].inside[0]: unknown boundary 'city-limit'");
    has("'huge' is not a value key of attribute SIZE (keys: small, large)");
    has("unknown time condition 'afterhours'");
    has("did you mean 'after-hours'?");
    has("unknown channel 'fax'");
    has("unknown priority 'asap'");
    has("rules[0].department: unknown department 'street'");
}

fn open(id: &str, code: &str, lat: f64, lon: f64, hours: i64, text: &str) -> OpenRequest {
    let t: jiff::Timestamp = "2026-03-01T12:00:00Z".parse().unwrap();
    OpenRequest {
        id: id.into(),
        service_code: code.into(),
        lat,
        lon,
        requested: t + jiff::SignedDuration::from_hours(hours),
        description: text.into(),
    }
}

#[test]
fn duplicates_are_near_recent_related_and_alike() {
    let mut finder = DuplicateFinder::new(Arc::new(Catalog::riverton().unwrap()), DuplicateOptions::default());
    finder.add(open("1", "ST-POTHOLE", 38.9500, -90.9400, 0, "deep pothole by 412 maple")).unwrap();
    finder.add(open("2", "ST-PAVEMENT", 38.9501, -90.9401, 2, "road surface crumbling by 412 maple")).unwrap();
    finder.add(open("3", "ST-POTHOLE", 38.9600, -90.9400, 1, "pothole")).unwrap(); // 1.1 km away
    finder.add(open("4", "ST-POTHOLE", 38.9500, -90.9400, -24 * 30, "pothole by 412 maple")).unwrap(); // a month old
    finder.add(open("5", "GR-PUBLIC", 38.9500, -90.9400, 0, "graffiti on the wall")).unwrap(); // unrelated
    let new = open("9", "ST-POTHOLE", 38.9502, -90.9402, 5, "pothole on maple, deep");
    let found = finder.find(&new).unwrap();
    let ids: Vec<&str> = found.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids[0], "1", "{found:#?}");
    assert!(!ids.contains(&"3") && !ids.contains(&"4") && !ids.contains(&"5"), "{found:#?}");
    assert!(found[0].reasons.iter().any(|r| r == "same category"));
    assert!(found[0].reasons.iter().any(|r| r.starts_with("descriptions share")));
    assert!(found.windows(2).all(|w| w[0].score >= w[1].score));
    if let Some(related) = found.iter().find(|d| d.id == "2") {
        assert!(related.reasons[0].starts_with("related category"));
    }
    // A request is never its own duplicate; removed ones are gone; re-adding replaces.
    assert!(
        finder
            .find(&open("1", "ST-POTHOLE", 38.95, -90.94, 0, "deep pothole by 412 maple"))
            .unwrap()
            .iter()
            .all(|d| d.id != "1")
    );
    assert!(finder.remove("1"));
    assert!(!finder.remove("1"));
    assert!(finder.find(&new).unwrap().iter().all(|d| d.id != "1"));
    finder.add(open("2", "ST-POTHOLE", 38.9502, -90.9402, 4, "pothole on maple deep")).unwrap();
    assert_eq!(finder.len(), 4);
    assert_eq!(finder.find(&new).unwrap()[0].id, "2");
    // Bad input is an error, not a panic.
    assert!(finder.add(open("x", "NOPE", 38.95, -90.94, 0, "")).is_err());
    assert!(finder.find(&open("x", "ST-POTHOLE", f64::NAN, -90.94, 0, "")).is_err());
    assert!(finder.find(&open("x", "ST-POTHOLE", 95.0, -90.94, 0, "")).is_err());
}

/// `find_among` (the store's one-shot check) gives exactly what holding
/// the same candidates and `find` give, on a few thousand mixed requests.
#[test]
fn finding_among_candidates_is_finding_among_held_ones() {
    let catalog = Arc::new(Catalog::riverton().unwrap());
    let codes = ["ST-POTHOLE", "ST-PAVEMENT", "GR-PUBLIC", "NOPE", "SW-MISSED-TRASH"];
    let texts = ["deep pothole by 412 maple", "pothole on maple", "graffiti on the wall", "", "crumbling road surface"];
    let mut seed = 7u64;
    let mut next = |n: u64| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    let requests: Vec<OpenRequest> = (0..3_000)
        .map(|i| {
            open(
                &i.to_string(),
                codes[next(5) as usize],
                38.95 + next(400) as f64 * 0.00001,
                -90.94 + next(400) as f64 * 0.00001,
                next(24 * 30) as i64 - 24 * 15,
                texts[next(5) as usize],
            )
        })
        .collect();
    let mut held = DuplicateFinder::new(catalog.clone(), DuplicateOptions::default());
    for r in &requests {
        let _ = held.add(r.clone()); // the unknown code is refused here, passed over there
    }
    let one_shot = DuplicateFinder::new(catalog, DuplicateOptions::default());
    let mut compared = 0;
    for new in requests.iter().step_by(97).filter(|r| r.service_code != "NOPE") {
        let found = held.find(new).unwrap();
        assert_eq!(one_shot.find_among(new, requests.iter().cloned()).unwrap(), found, "request {}", new.id);
        compared += usize::from(!found.is_empty());
    }
    assert!(compared > 10, "only {compared} requests had duplicates to compare");
    let pothole = requests.iter().find(|r| r.service_code == "ST-POTHOLE").unwrap();
    assert!(riverton().find_duplicates_among(pothole, []).unwrap().is_empty());
    assert!(!riverton().find_duplicates_among(pothole, requests.iter().cloned()).unwrap().is_empty());
}
