//! Every real Open311 payload in kb-fixtures/open311 reads, writes back and
//! reads again to the same thing, in its own format and in the other.

use civic311::open311::*;
use civic311::{Catalog, ServiceRequest};

use crate::util::fixture;

fn read(name: &str) -> String {
    let path = fixture(&format!("open311/{name}"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Reads, writes in both formats, and reads each back to the same value.
fn round_trip<P: Payload + PartialEq + std::fmt::Debug>(text: &str, format: Format) -> P {
    let first = P::read(text, format).unwrap_or_else(|e| panic!("{e}"));
    for out in [Format::Json, Format::Xml] {
        let written = first.write(out);
        let again = P::read(&written, out).unwrap_or_else(|e| panic!("{e}\n{written}"));
        assert_eq!(again, first, "{out:?} round trip changed the payload:\n{written}");
    }
    first
}

#[test]
fn every_fixture_is_covered() {
    let mut names: Vec<String> = std::fs::read_dir(fixture("open311"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "PROVENANCE.md")
        .collect();
    names.sort();
    let covered = [
        "civicbot_bloomington_service_definition_69.json",
        "civicbot_bloomington_services.json",
        "civicbot_seeclickfix_newhaven_services.json",
        "open311status_requests_many.xml",
        "open311status_requests_single.xml",
        "open311status_requests_toronto_multi.xml",
        "open311status_requests_toronto_single.xml",
        "open311status_service_list.json",
        "open311status_service_requests.json",
        "open311status_services_giessen.xml",
    ];
    assert_eq!(names, covered, "a new fixture needs a test here");
}

#[test]
fn bloomington_services() {
    let list: ServiceList = round_trip(&read("civicbot_bloomington_services.json"), Format::Json);
    assert_eq!(list.0.len(), 63);
    let graffiti = list.0.iter().find(|s| s.service_code == "37").unwrap();
    assert_eq!(graffiti.service_name, "Graffiti");
    assert_eq!(graffiti.group.as_deref(), Some("Cleanup & Sanitation"));
    assert!(graffiti.metadata);
    assert!(graffiti.keywords.is_empty(), "an empty keywords string is no keywords");
}

#[test]
fn bloomington_service_definition() {
    let def: ServiceDefinition = round_trip(&read("civicbot_bloomington_service_definition_69.json"), Format::Json);
    assert_eq!(def.service_code, "69");
    let issue = &def.attributes[0];
    assert_eq!(issue.code, "issue");
    assert_eq!(issue.datatype, civic311::catalog::Datatype::Singlevaluelist);
    assert!(!issue.required && issue.variable);
    assert_eq!(
        issue.values.iter().map(|v| v.key.as_str()).collect::<Vec<_>>(),
        ["City Maintained Light", "Private Light", "Request for Lights"]
    );
    assert_eq!(issue.datatype_description, None);
}

#[test]
fn new_haven_services_have_numeric_codes_and_nulls() {
    let list: ServiceList = round_trip(&read("civicbot_seeclickfix_newhaven_services.json"), Format::Json);
    assert_eq!(list.0.len(), 44);
    let first = &list.0[0];
    assert_eq!(first.service_code, "43965", "numeric codes become strings");
    assert_eq!(first.description, None);
    assert_eq!(first.group, None);
    assert!(
        ServiceList::from_json(&read("civicbot_seeclickfix_newhaven_services.json"))
            .unwrap()
            .to_json()
            .contains("\"service_code\": \"43965\"")
    );
}

#[test]
fn specification_service_list() {
    let list: ServiceList = round_trip(&read("open311status_service_list.json"), Format::Json);
    assert_eq!(list.0.len(), 3);
    assert_eq!(list.0[0].service_code, "001");
    assert_eq!(list.0[0].keywords, ["lorem", "ipsum", "dolor"]);
    assert_eq!(list.0[1].group.as_deref(), Some("street"));
}

#[test]
fn giessen_services_in_german() {
    let list: ServiceList = round_trip(&read("open311status_services_giessen.xml"), Format::Xml);
    assert_eq!(list.0.len(), 8);
    let names: Vec<&str> = list.0.iter().map(|s| s.service_name.as_str()).collect();
    assert!(names.contains(&"Straßen- und Gehwegschäden") && names.contains(&"Wilde Müllkippe, Sperrmüll"));
    assert_eq!(list.0[3].keywords, ["graffiti", "paintings"]);
    assert!(!list.0[0].metadata);
    assert_eq!(list.0[0].description, None);
}

#[test]
fn chicago_requests() {
    let list: RequestList = round_trip(&read("open311status_service_requests.json"), Format::Json);
    assert_eq!(list.0.len(), 2);
    let r = &list.0[0];
    assert_eq!(r.service_request_id.as_deref(), Some("14-01100669"));
    assert_eq!(r.status, Some(RequestStatus::Open));
    assert_eq!(r.requested_datetime.unwrap().to_string(), "2014-07-12T10:58:43-05:00");
    assert_eq!(r.lat, Some(41.858724777757864));
    assert_eq!(list.0[1].status_notes.as_deref(), Some("Locked"));
    // Written back to JSON, the payload is the same JSON value, with every
    // field of the specification present: the ones Chicago leaves out are
    // written as `null`, as the specification's example writes them.
    let original: serde_json::Value = serde_json::from_str(&read("open311status_service_requests.json")).unwrap();
    let mut written: serde_json::Value = serde_json::from_str(&list.to_json()).unwrap();
    for r in written.as_array_mut().unwrap() {
        let r = r.as_object_mut().unwrap();
        assert_eq!(r.len(), 17, "every field of the specification");
        r.retain(|_, v| !v.is_null());
    }
    assert_eq!(original, written);
}

#[test]
fn toronto_requests() {
    for name in [
        "open311status_requests_single.xml",
        "open311status_requests_toronto_single.xml",
        "open311status_requests_many.xml",
        "open311status_requests_toronto_multi.xml",
    ] {
        let list: RequestList = round_trip(&read(name), Format::Xml);
        let r = &list.0[0];
        assert_eq!(r.service_request_id.as_deref(), Some("101005420892"), "{name}");
        assert_eq!(r.service_code.as_deref(), Some("CSROWR-12"));
        assert_eq!(r.description, None, "<description/> is absent");
        assert_eq!(r.updated_datetime, None);
        assert_eq!(r.expected_datetime.unwrap().to_string(), "2018-08-03T00:01:00-04:00");
        assert_eq!(r.long, Some(-79.272306875));
        assert_eq!(r.address_id.as_deref(), Some("13459430"));
    }
    assert_eq!(RequestList::from_xml(&read("open311status_requests_many.xml")).unwrap().0.len(), 2);
}

#[test]
fn requests_become_service_requests_and_back() {
    let list = RequestList::from_xml(&read("open311status_requests_single.xml")).unwrap();
    let sr: ServiceRequest = list.0[0].clone().into_service_request();
    assert_eq!(sr.open311_status(), "open");
    assert_eq!(Request::from_service_request(&sr), list.0[0]);
}

#[test]
fn riverton_payloads_round_trip() {
    let catalog = Catalog::riverton().unwrap();
    let list = ServiceList::from_catalog(&catalog);
    assert_eq!(list.0.len(), catalog.services().len() - 2, "staff-only services are not listed");
    round_trip::<ServiceList>(&list.to_json(), Format::Json);
    round_trip::<ServiceList>(&list.to_xml(), Format::Xml);
    for service in catalog.services() {
        let def = ServiceDefinition::from_catalog(&catalog, &service.code).unwrap();
        assert_eq!(round_trip::<ServiceDefinition>(&def.to_xml(), Format::Xml), def);
    }
    let err = ServiceDefinition::from_catalog(&catalog, "ST-POTHOL").unwrap_err();
    assert_eq!(err.open311_errors()[0].code, 404);
    assert!(err.open311_errors()[0].description.contains("did you mean 'ST-POTHOLE'?"));

    let changeset = "2026-11-01T00:00:00-05:00".parse().ok();
    let discovery = Discovery::for_catalog(&catalog, "https://311.riverton.example/open311/v2", changeset);
    assert_eq!(round_trip::<Discovery>(&discovery.to_json(), Format::Json), discovery);
    assert!(discovery.contact.as_deref().unwrap().starts_with("City of Riverton"));

    let answer = PostResponseList(vec![PostResponse {
        service_request_id: Some("RIV-1".into()),
        service_notice: Some("Crews aim to fill potholes within 3 business days.".into()),
        ..Default::default()
    }]);
    round_trip::<PostResponseList>(&answer.to_xml(), Format::Xml);
    let errors = ErrorList(vec![Open311Error { code: 400, description: "attribute[SIZE] is required & <b>".into() }]);
    assert!(errors.to_xml().contains("is required &amp; &lt;b&gt;"));
    round_trip::<ErrorList>(&errors.to_json(), Format::Json);
}

#[test]
fn malformed_payloads_are_format_errors() {
    let cases: [(&str, Format, &str); 9] = [
        ("", Format::Json, "not valid JSON"),
        ("{\"services\": 3}", Format::Json, "found an object without one"),
        ("[{\"service_name\": \"x\"}]", Format::Json, "services[0].service_code: missing"),
        ("[{\"service_code\": {}}]", Format::Json, "expected text, found an object"),
        ("[{\"service_code\": \"1\", \"type\": \"soon\"}]", Format::Json, "unknown type 'soon'"),
        (
            "<services><service><service_code>1</service_code><metadata>yes</metadata></service></services>",
            Format::Xml,
            "expected true or false",
        ),
        ("<requests/>", Format::Xml, "expected <services>"),
        ("<services><service>", Format::Xml, "never closed"),
        ("<services><service><service_code>1</service_code></service></services><x/>", Format::Xml, "second root"),
    ];
    for (text, format, words) in cases {
        let err = ServiceList::read(text, format).unwrap_err();
        assert_eq!(err.kind(), civic311::ErrorKind::Format);
        assert!(err.message().contains(words), "{text}: {err}");
    }
    let err = RequestList::from_json("[{\"requested_datetime\": \"2014-07-12 10:58\"}]").unwrap_err();
    assert!(err.message().contains("requests[0].requested_datetime") && err.message().contains("RFC 3339"), "{err}");
    let err = RequestList::from_json("[{\"status\": \"pending\"}]").unwrap_err();
    assert!(err.message().contains("open and closed"), "{err}");
}
