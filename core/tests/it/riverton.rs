//! The embedded Riverton catalog: what the issue asks of it, and that it is
//! the same catalog as the folder in kb-fixtures.

use std::collections::HashSet;

use civic311::Catalog;
use civic311::catalog::{JurisdictionKind, Placement};
use jiff::civil::date;

fn riverton() -> Catalog {
    Catalog::riverton().expect("the embedded Riverton catalog loads")
}

#[test]
fn embedded_catalog_equals_the_folder() {
    let folder = Catalog::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../kb-fixtures/riverton")).unwrap();
    let embedded = riverton();
    assert_eq!(folder.source_files(), embedded.source_files());
}

#[test]
fn size_and_shape() {
    let c = riverton();
    assert!(c.jurisdictions().len() >= 4);
    let kinds: HashSet<JurisdictionKind> = c.jurisdictions().iter().map(|j| j.kind).collect();
    for kind in [JurisdictionKind::City, JurisdictionKind::County, JurisdictionKind::State, JurisdictionKind::Utility] {
        assert!(kinds.contains(&kind), "no {kind:?} jurisdiction");
    }
    assert!(c.departments().len() >= 14);
    assert!(c.services().len() >= 80);
    assert!(c.articles().len() >= 150);
    assert!(c.articles().iter().filter(|a| a.lang == "es").count() >= 30);
    assert!(c.facilities().len() >= 12);
    assert!(c.facilities().iter().all(|f| !f.hours.is_always_closed()));
    assert!(c.facilities().iter().map(|f| f.exceptions.len()).sum::<usize>() >= 12);
    assert!(c.boundaries().iter().filter(|b| b.kind == "council_district").count() >= 4);
}

#[test]
fn who_delivers_what_spans_governments() {
    let c = riverton();
    let government_of = |code: &str| {
        let service = c.service(code).unwrap();
        let dept = c.department(&service.department).unwrap();
        c.jurisdiction(&dept.jurisdiction).unwrap().kind
    };
    assert_eq!(government_of("ST-POTHOLE"), JurisdictionKind::City);
    assert_eq!(government_of("WS-MAIN-BREAK"), JurisdictionKind::Utility);
    assert_eq!(government_of("HL-FOOD"), JurisdictionKind::County);
    assert_eq!(government_of("TX-PROPERTY"), JurisdictionKind::County);
    assert!(c.departments().iter().any(|d| c.jurisdiction(&d.jurisdiction).unwrap().kind == JurisdictionKind::State));
}

#[test]
fn every_public_service_is_explained_by_an_article() {
    let c = riverton();
    for s in c.services() {
        assert!(!s.articles.is_empty(), "no article names service {}", s.code);
        assert!(!s.phrasings.is_empty() && !s.keywords.is_empty(), "{} has no phrasings or keywords", s.code);
    }
    let with_attributes = c.services().iter().filter(|s| !s.attributes.is_empty()).count();
    assert!(with_attributes >= 40, "{with_attributes}");
    let staff: Vec<&str> = c.services().iter().filter(|s| s.staff_only).map(|s| s.code.as_str()).collect();
    assert_eq!(staff, ["IN-FACILITY", "IN-FLEET"]);
}

#[test]
fn holidays_follow_the_calendar() {
    let c = riverton();
    let city = c.calendar("city").unwrap();
    let name = |y, m, d| city.holiday_on(date(y, m, d)).map(|h| h.name.clone());
    assert_eq!(name(2026, 11, 26).as_deref(), Some("Thanksgiving Day"));
    assert_eq!(name(2026, 11, 27).as_deref(), Some("Day after Thanksgiving"));
    assert_eq!(name(2026, 5, 25).as_deref(), Some("Memorial Day"));
    assert_eq!(name(2027, 12, 24).as_deref(), Some("Christmas Day"), "Christmas 2027 is a Saturday");
    assert_eq!(name(2027, 12, 31).as_deref(), Some("New Year's Day"), "New Year's Day 2028 is a Saturday");
    assert_eq!(name(2026, 11, 25), None);
    assert!(city.hours_on(date(2026, 11, 26)).is_empty());
    assert_eq!(city.hours_on(date(2026, 11, 30))[0].to_string(), "08:00-17:00");
    assert!(c.calendar("utility-24x7").unwrap().hours_on(date(2026, 12, 25))[0].end_minute() == 1440);
}

#[test]
fn boundaries_place_points() {
    let c = riverton();
    let city = c.boundary("riverton-city-limits").unwrap();
    assert_eq!(city.placement(38.95, -90.95), Placement::Inside, "downtown");
    assert_eq!(city.placement(38.98, -90.98), Placement::Outside, "the Pine Hollow county island");
    assert_eq!(city.placement(39.031, -90.861), Placement::Outside, "the county HHW facility");
    assert!(c.boundary("mercer-county").unwrap().contains(39.031, -90.861));
    assert!(c.boundary("rrwsa-service-area").unwrap().contains(39.12, -91.15), "the separate Cedar Lake system");
    // A point on the border between districts 1 and 3 belongs to both, every time.
    for _ in 0..3 {
        assert_eq!(c.boundary("council-district-1").unwrap().placement(38.95, -91.0), Placement::OnEdge);
        assert!(c.boundary("council-district-3").unwrap().contains(38.95, -91.0));
    }
    for f in c.facilities() {
        if f.id != "hhw-facility" {
            let loc = f.location.unwrap();
            assert!(city.contains(loc.lat, loc.lon), "{} is outside the city", f.id);
        }
    }
}

#[test]
fn articles_have_plain_text_bodies() {
    let c = riverton();
    let form = c
        .articles()
        .iter()
        .find(|a| a.body_markdown.contains("<script>"))
        .expect("the web form article quotes a script tag");
    assert!(form.body_text.contains("<script>alert(1)</script>"), "code spans keep their text");
    for a in c.articles() {
        assert!(!a.body_text.contains("**"), "{} keeps Markdown emphasis", a.id);
        assert!(a.body_text.len() > 200, "{} is short", a.id);
    }
}
