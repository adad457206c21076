//! The Open311 filters and the extensions, on both engines alike.

use civic311::{CloseReason, ErrorKind};
use civic311_store::{BoundingBox, Filter, Near, StatusFilter, Submission, Update};

use crate::util::{at, each_store, pothole, riverton};

/// Twelve potholes, one an hour from 2026-03-02 15:00Z, along Maple; the
/// ids are "1" to "12". Every third is closed, the fourth goes to parks.
fn twelve(store: &civic311_store::Store) {
    for i in 0..12 {
        let t = at("2026-03-02T15:00:00Z") + jiff::SignedDuration::from_hours(i);
        let sub = Submission { at: Some(t), ..Submission::default() };
        let r = pothole(38.9400 + 0.001 * i as f64, -90.957, &format!("hole {i}"));
        store.submit(riverton(), r, sub).unwrap();
    }
    for id in ["3", "6", "9", "12"] {
        store.update(id, Update::by("crew").close(CloseReason::Fixed).at(at("2026-03-05T15:00:00Z"))).unwrap();
    }
    store.update("4", Update::by("dispatch").department("parks").at(at("2026-03-06T15:00:00Z"))).unwrap();
}

fn ids(store: &civic311_store::Store, filter: Filter) -> Vec<String> {
    store.query(&filter).unwrap().requests.into_iter().map(|r| r.service_request_id).collect()
}

#[test]
fn every_filter() {
    each_store("query_filters", |store| {
        twelve(store);
        let all = ids(store, Filter::default());
        assert_eq!(all, ["12", "11", "10", "9", "8", "7", "6", "5", "4", "3", "2", "1"], "newest first");
        assert_eq!(
            ids(store, Filter { ids: vec!["3".into(), "5".into(), "404".into()], ..Filter::default() }),
            ["5", "3"]
        );
        assert_eq!(ids(store, Filter { service_codes: vec!["ST-POTHOLE".into()], ..Filter::default() }).len(), 12);
        assert!(ids(store, Filter { service_codes: vec!["SW-BULKY".into()], ..Filter::default() }).is_empty());
        assert_eq!(
            ids(store, Filter { status: Some(StatusFilter::Closed), ..Filter::default() }),
            ["12", "9", "6", "3"]
        );
        assert_eq!(ids(store, Filter { status: Some(StatusFilter::Open), ..Filter::default() }).len(), 8);
        assert_eq!(ids(store, Filter { status: StatusFilter::parse("submitted"), ..Filter::default() }).len(), 8);
        let window = Filter {
            start: Some(at("2026-03-02T17:00:00Z")),
            end: Some(at("2026-03-02T19:00:00Z")),
            ..Filter::default()
        };
        assert_eq!(ids(store, window), ["5", "4", "3"], "start and end are inclusive");
        assert_eq!(ids(store, Filter { department: Some("parks".into()), ..Filter::default() }), ["4"]);
        assert_eq!(ids(store, Filter { updated_after: Some(at("2026-03-05T16:00:00Z")), ..Filter::default() }), ["4"]);
        // Hole i (id i + 1) is at 38.9400 + 0.001 i: within 250 m of hole 5
        // are holes 3 to 7, ids 4 to 8.
        let near = Near { lat: 38.945, long: -90.957, radius_m: 250.0 };
        assert_eq!(ids(store, Filter { near: Some(near), ..Filter::default() }), ["8", "7", "6", "5", "4"]);
        let bbox = BoundingBox { min_lat: 38.9405, min_long: -91.0, max_lat: 38.9425, max_long: -90.9 };
        assert_eq!(ids(store, Filter { bbox: Some(bbox), ..Filter::default() }), ["3", "2"]);
        // Filters together.
        let both = Filter {
            status: Some(StatusFilter::Open),
            near: Some(near),
            department: Some("streets".into()),
            ..Filter::default()
        };
        assert_eq!(ids(store, both), ["8", "7", "5"]);
    });
}

#[test]
fn pages_are_stable_and_say_whether_more_follow() {
    each_store("query_pages", |store| {
        twelve(store);
        let page = |n: u32| store.query(&Filter { page: n, page_size: 5, ..Filter::default() }).unwrap();
        let (one, two, three) = (page(1), page(2), page(3));
        assert!(one.has_more && two.has_more && !three.has_more);
        let joined: Vec<_> =
            [one, two, three].into_iter().flat_map(|p| p.requests).map(|r| r.service_request_id).collect();
        assert_eq!(joined, ids(store, Filter::default()));
        assert!(page(4).requests.is_empty());
        // Requests made at the same second come in id order (descending, as
        // text), the same every time.
        let same = Submission { at: Some(at("2026-03-01T00:00:00Z")), ..Submission::default() };
        for _ in 0..3 {
            store.submit(riverton(), pothole(38.93, -90.957, "same second"), same.clone()).unwrap();
        }
        let last = store.query(&Filter { page: 3, page_size: 5, ..Filter::default() }).unwrap();
        assert_eq!(
            last.requests.iter().map(|r| r.service_request_id.as_str()).collect::<Vec<_>>(),
            ["2", "1", "15", "14", "13"]
        );
        let err = store.query(&Filter { page_size: 0, ..Filter::default() }).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Query);
    });
}
