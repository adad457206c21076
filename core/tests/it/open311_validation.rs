//! A submitted request is checked against its service definition, and every
//! failure comes back as one entry of the Open311 error array.

use civic311::open311::{ErrorList, NewRequest, Payload, validate_request};
use civic311::{AttributeAnswer, Catalog, Channel, ErrorKind, Reporter};

fn catalog() -> Catalog {
    Catalog::riverton().unwrap()
}

fn errors(req: &NewRequest) -> Vec<(u16, String)> {
    match validate_request(&catalog(), req) {
        Ok(()) => Vec::new(),
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::Validation);
            e.open311_errors().iter().map(|e| (e.code, e.description.clone())).collect()
        }
    }
}

/// A pothole report that passes.
fn pothole() -> NewRequest {
    let mut req = NewRequest::new("ST-POTHOLE");
    req.lat = Some(38.95);
    req.long = Some(-90.95);
    req.description = Some("Deep hole in the right lane".into());
    let service = catalog().service("ST-POTHOLE").unwrap().clone();
    for attr in service.attributes.iter().filter(|a| a.required) {
        let value = match attr.datatype {
            civic311::catalog::Datatype::Number => "2".to_string(),
            civic311::catalog::Datatype::Datetime => "2026-03-02T08:00:00-06:00".to_string(),
            _ if attr.datatype.is_list() => attr.values[0].key.clone(),
            _ => "by the school".to_string(),
        };
        req.attributes.insert(attr.code.clone(), AttributeAnswer::One(value));
    }
    req
}

#[test]
fn a_complete_request_passes() {
    assert_eq!(errors(&pothole()), Vec::<(u16, String)>::new());
    // An address is as good as coordinates.
    let mut req = pothole();
    req.lat = None;
    req.long = None;
    req.address_string = Some("200 Commerce Street".into());
    assert!(errors(&req).is_empty());
}

#[test]
fn unknown_and_staff_only_services() {
    let found = errors(&NewRequest::new("ST-POTHOL"));
    assert_eq!(found[0].0, 404);
    assert!(found[0].1.contains("did you mean 'ST-POTHOLE'?"));
    assert!(errors(&NewRequest::new(""))[0].1.contains("service_code is missing"));

    let mut req = NewRequest::new("IN-FLEET");
    req.address_string = Some("City garage".into());
    assert!(errors(&req).iter().any(|(code, d)| *code == 403 && d.contains("city staff only")));
    req.reporter = Reporter::Staff;
    assert!(!errors(&req).iter().any(|(code, _)| *code == 403));
}

#[test]
fn location_is_required() {
    let mut req = pothole();
    req.lat = None;
    req.long = None;
    assert!(errors(&req).iter().any(|(_, d)| d.contains("a location is required")));
    req.lat = Some(38.9);
    assert!(errors(&req).iter().any(|(_, d)| d.contains("lat is given without long")));
    req.long = Some(-200.0);
    assert!(errors(&req).iter().any(|(_, d)| d.contains("long -200 is off the globe")));
}

#[test]
fn description_up_to_4000_characters() {
    let mut req = pothole();
    req.description = Some("ñ".repeat(4000));
    assert!(errors(&req).is_empty(), "4000 characters (not bytes) are allowed");
    req.description = Some("ñ".repeat(4001));
    assert_eq!(errors(&req), [(400, "description is 4001 characters; Open311 allows at most 4000".to_string())]);
}

#[test]
fn attributes_are_checked_against_the_definition() {
    let service = catalog().service("ST-POTHOLE").unwrap().clone();
    let required =
        service.attributes.iter().find(|a| a.required && a.datatype.is_list()).expect("a required list attribute");

    let mut req = pothole();
    req.attributes.remove(&required.code);
    assert!(
        errors(&req)
            .iter()
            .any(|(_, d)| d.contains(&format!("attribute[{}]", required.code)) && d.contains("is required"))
    );

    let mut req = pothole();
    req.attributes.insert(required.code.clone(), AttributeAnswer::One("enormous".into()));
    let found = errors(&req);
    assert!(found.iter().any(|(_, d)| d.contains("has no value 'enormous'; use one of:")), "{found:?}");

    let mut req = pothole();
    req.attributes.insert("COLOR".into(), AttributeAnswer::One("red".into()));
    assert!(
        errors(&req).iter().any(|(_, d)| d.contains("attribute[COLOR] is not an attribute of service 'ST-POTHOLE'"))
    );

    // Every datatype somewhere in Riverton.
    let c = catalog();
    for service in c.services() {
        for attr in service.attributes.iter().filter(|a| a.variable) {
            let wrong = match attr.datatype {
                civic311::catalog::Datatype::Number => "many",
                civic311::catalog::Datatype::Datetime => "last tuesday",
                civic311::catalog::Datatype::String => "line one\nline two",
                civic311::catalog::Datatype::Text => continue,
                _ => "no-such-key",
            };
            let mut req = NewRequest::new(service.code.clone());
            req.address_string = Some("100 River Street".into());
            req.reporter = Reporter::Staff;
            req.attributes.insert(attr.code.clone(), AttributeAnswer::One(wrong.into()));
            let found = errors(&req);
            assert!(
                found.iter().any(|(_, d)| d.starts_with(&format!("attribute[{}]", attr.code))),
                "{} {}: {found:?}",
                service.code,
                attr.code
            );
        }
    }
}

#[test]
fn several_problems_come_back_together() {
    let mut req = NewRequest::new("ST-POTHOLE");
    req.description = Some("x".repeat(5000));
    req.email = Some("not an email".into());
    req.media_url = Some("file:///etc/passwd".into());
    let err = validate_request(&catalog(), &req).unwrap_err();
    let list = ErrorList::from_error(&err);
    assert!(list.0.len() >= 4, "{list:?}");
    let json = list.to_json();
    assert!(json.contains("\"code\": 400"));
    let xml = list.to_xml();
    assert!(xml.starts_with("<?xml") && xml.contains("<errors>"));
}

#[test]
fn submissions_read_from_json_and_forms() {
    let req = NewRequest::from_json(
        r#"{"service_code": "SW-BULKY", "lat": "38.95", "long": -90.95, "attribute": {"ITEMS": ["couch", "mattress"], "COUNT": 2},
            "channel": "mobile_app", "reporter": "resident", "requested_datetime": "2026-03-02T09:00:00-06:00"}"#,
    )
    .unwrap();
    assert_eq!(req.lat, Some(38.95));
    assert_eq!(req.channel, Some(Channel::MobileApp));
    assert_eq!(req.attributes["ITEMS"], AttributeAnswer::Many(vec!["couch".into(), "mattress".into()]));
    assert_eq!(req.attributes["COUNT"], AttributeAnswer::One("2".into()));
    assert_eq!(NewRequest::from_json(&req.to_json()).unwrap(), req);

    let form = NewRequest::from_form("service_code=ST-POTHOLE&lat=38.95&long=-90.95&description=hole+in+road%21&attribute%5BSIZE%5D=large&attribute[KIND][]=a&attribute[KIND][]=b").unwrap();
    assert_eq!(form.description.as_deref(), Some("hole in road!"));
    assert_eq!(form.attributes["SIZE"], AttributeAnswer::One("large".into()));
    assert_eq!(form.attributes["KIND"], AttributeAnswer::Many(vec!["a".into(), "b".into()]));

    let err = NewRequest::from_json(r#"{"service_code": "X", "descripton": "typo"}"#).unwrap_err();
    assert!(
        err.message().contains("unknown field 'descripton'") && err.message().contains("did you mean 'description'?"),
        "{err}"
    );
    assert!(NewRequest::from_json("[1, 2]").unwrap_err().message().contains("expected an object"));
    assert!(
        NewRequest::from_json(r#"{"service_code": "X", "channel": "fax"}"#)
            .unwrap_err()
            .message()
            .contains("unknown channel 'fax'")
    );
    assert!(
        NewRequest::from_json(r#"{"service_code": "X", "lat": "north"}"#)
            .unwrap_err()
            .message()
            .contains("lat: expected a number")
    );
}

#[test]
fn a_valid_submission_opens_a_request() {
    let req = pothole();
    let sr = req.clone().into_service_request(&catalog());
    assert_eq!(sr.service_name.as_deref(), Some("Pothole"));
    assert_eq!(sr.status, civic311::Status::Submitted);
    assert_eq!(sr.attributes, req.attributes);
}
