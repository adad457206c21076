//! Submitting: validated, routed, checked for duplicates, stored with its
//! first events in one transaction; a client's retry never makes a second
//! request; personal data kept apart.

use civic311::open311::NewRequest;
use civic311::{AttributeAnswer, Channel, ErrorKind, Reporter, Status};
use civic311_store::{EventKind, Filter, Store, Submission};

use crate::util::{at, each_store, pothole, riverton, urls};

fn main_break() -> NewRequest {
    let mut r = NewRequest::new("WS-MAIN-BREAK");
    (r.lat, r.long) = (Some(38.955), Some(-90.95));
    r.attributes.insert("FLOWING".into(), AttributeAnswer::One("yes".into()));
    r.attributes.insert("AMOUNT".into(), AttributeAnswer::One("gushing".into()));
    r
}

#[test]
fn a_submission_is_routed_and_stored_with_its_first_events() {
    each_store("submit_stored", |store| {
        let mut request = pothole(38.94, -90.957, "deep hole by the bus stop, ñ");
        request.first_name = Some("Ana".into());
        request.email = Some("ana@example.org".into());
        request.phone = Some("555-0100".into());
        let submission = Submission {
            channel: Some(Channel::MobileApp),
            at: Some(at("2026-03-06T22:00:00Z")),
            ..Submission::default()
        };
        let s = store.submit(riverton(), request, submission).unwrap();
        assert!(s.created);
        assert_eq!(s.service_request_id, "1");
        assert_eq!(s.routing.department.as_deref(), Some("streets"));
        assert_eq!(s.routing.expected_datetime.unwrap().to_string(), "2026-03-11T17:00:00-05:00");

        let r = store.get("1").unwrap().unwrap();
        assert_eq!(r.status, Status::Submitted);
        assert_eq!(r.department.as_deref(), Some("streets"));
        assert_eq!(r.channel, Some(Channel::MobileApp));
        assert_eq!(r.reporter, Reporter::Resident);
        assert_eq!(r.description.as_deref(), Some("deep hole by the bus stop, ñ"));
        assert_eq!(r.attributes["SIZE"], AttributeAnswer::One("large".into()));
        assert_eq!(r.time_zone, "America/Chicago");
        assert_eq!(r.requested_datetime.to_string(), "2026-03-06T16:00:00-06:00");
        assert_eq!(r.expected_datetime, s.routing.expected_datetime);
        assert_eq!(r.rule.as_deref(), Some("default"));
        assert_eq!(r.version, 1);
        let kinds: Vec<_> = r.history.iter().map(|e| (e.kind, e.public)).collect();
        assert_eq!(kinds, [(EventKind::Submitted, true), (EventKind::Routed, false)]);
        assert!(r.history[1].note.as_deref().unwrap_or_default().contains("default"), "the trace: {:?}", r.history[1]);
        assert_eq!(r.history[1].department.as_deref(), Some("streets"));

        // Personal data is kept, apart: a query and the Open311 view carry none of it.
        let p = r.personal.clone().unwrap();
        assert_eq!(
            (p.first_name.as_deref(), p.email.as_deref(), p.phone.as_deref()),
            (Some("Ana"), Some("ana@example.org"), Some("555-0100"))
        );
        let listed = &store.query(&Filter::default()).unwrap().requests[0];
        assert_eq!(listed.personal, None);
        let open311 = r.to_service_request();
        assert_eq!((open311.email, open311.first_name, open311.phone), (None, None, None));
        assert_eq!(open311.history.len(), 1, "the public events only");
        assert!(store.verify().unwrap().is_empty());
    });
}

#[test]
fn an_invalid_submission_stores_nothing() {
    each_store("submit_invalid", |store| {
        let mut r = pothole(38.94, -90.957, "");
        r.attributes.clear();
        let err = store.submit(riverton(), r, Submission::default()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation);
        assert!(err.open311_errors().iter().any(|e| e.description.contains("SIZE")), "{err}");
        let err = store.submit(riverton(), NewRequest::new("NO-SUCH"), Submission::default()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation);
        assert_eq!(store.len().unwrap(), 0);
        // The next good one still gets the first id.
        let s = store.submit(riverton(), pothole(38.94, -90.957, "x"), Submission::default()).unwrap();
        assert_eq!(s.service_request_id, "1");
    });
}

#[test]
fn the_same_client_request_id_twice_gives_one_request() {
    each_store("submit_client_id", |store| {
        let sub = |id: &str| Submission {
            client_request_id: Some(id.into()),
            at: Some(at("2026-03-06T22:00:00Z")),
            ..Submission::default()
        };
        let first = store.submit(riverton(), main_break(), sub("app-7f3a")).unwrap();
        let again = store.submit(riverton(), main_break(), sub("app-7f3a")).unwrap();
        assert!(first.created && !again.created);
        assert_eq!(again.service_request_id, first.service_request_id);
        assert_eq!(again.routing, first.routing, "the first answer, rebuilt from what was stored");
        assert_eq!(store.len().unwrap(), 1);
        let other = store.submit(riverton(), main_break(), sub("app-7f3b")).unwrap();
        assert_ne!(other.service_request_id, first.service_request_id);
        assert_eq!(other.duplicates[0].id, first.service_request_id, "the first is a likely duplicate of the third");
        assert_eq!(store.submit(riverton(), main_break(), sub("app-7f3b")).unwrap().duplicates, other.duplicates);

        // Eight clients retrying the same submission at once: one request.
        let ids: Vec<String> = std::thread::scope(|s| {
            let threads: Vec<_> = (0..8)
                .map(|_| s.spawn(|| store.submit(riverton(), main_break(), sub("retry-storm")).unwrap()))
                .collect();
            threads.into_iter().map(|t| t.join().unwrap().service_request_id).collect()
        });
        assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
        assert_eq!(store.len().unwrap(), 3);
    });
}

#[test]
fn duplicates_are_found_among_open_requests_near_it() {
    each_store("submit_duplicates", |store| {
        let t = Submission { at: Some(at("2026-03-02T15:00:00Z")), ..Submission::default() };
        let first = store
            .submit(riverton(), pothole(38.9501, -90.9402, "deep pothole in front of 412 maple"), t.clone())
            .unwrap();
        assert!(first.duplicates.is_empty());
        let far = store.submit(riverton(), pothole(38.9701, -90.9402, "pothole on maple"), t.clone()).unwrap();
        assert!(far.duplicates.is_empty(), "2 km away: {:?}", far.duplicates);
        let near = store.submit(riverton(), pothole(38.9503, -90.9401, "big pothole on maple"), t.clone()).unwrap();
        assert_eq!(near.duplicates.len(), 1);
        assert_eq!(near.duplicates[0].id, first.service_request_id);
        assert!(near.duplicates[0].distance_m < 30.0);
        // A closed one is no longer a candidate.
        store
            .update(&first.service_request_id, civic311_store::Update::by("crew").close(civic311::CloseReason::Fixed))
            .unwrap();
        let later = store.submit(riverton(), pothole(38.9502, -90.9402, "pothole maple"), t).unwrap();
        assert_eq!(
            later.duplicates.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
            [near.service_request_id.as_str()]
        );
    });
}

#[test]
fn a_referral_is_stored_closed_as_referred() {
    each_store("submit_referral", |store| {
        let mut r = NewRequest::new("WS-MAIN-BREAK");
        (r.lat, r.long) = (Some(39.1), Some(-90.75));
        r.attributes.insert("FLOWING".into(), AttributeAnswer::One("yes".into()));
        r.attributes.insert("AMOUNT".into(), AttributeAnswer::One("steady".into()));
        let s = store.submit(riverton(), r, Submission::default()).unwrap();
        assert!(s.routing.referral.is_some());
        let stored = store.get(&s.service_request_id).unwrap().unwrap();
        assert_eq!(stored.open311_status(), "closed");
        assert_eq!(stored.referred_to.as_deref(), Some("mercer-county"));
        assert_eq!(stored.history.last().unwrap().kind, EventKind::Referred);
        assert!(stored.history.last().unwrap().public);
        assert!(store.verify().unwrap().is_empty());
    });
}

#[test]
fn staff_and_channels_are_kept() {
    each_store("submit_staff", |store| {
        let sub =
            Submission { channel: Some(Channel::Internal), reporter: Some(Reporter::Staff), ..Submission::default() };
        let s = store.submit(riverton(), main_break(), sub).unwrap();
        let r = store.get(&s.service_request_id).unwrap().unwrap();
        assert_eq!((r.channel, r.reporter), (Some(Channel::Internal), Reporter::Staff));
        assert_eq!(r.history[0].actor, "staff (internal)");
        assert!(r.escalation.is_some(), "a gushing main escalates");
        let long = "x".repeat(201);
        let err = store
            .submit(riverton(), main_break(), Submission { client_request_id: Some(long), ..Submission::default() })
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Format);
    });
}

/// Eight threads submitting at once, some of them invalid and some retries
/// of another thread's client id: on SQLite their writes share commits.
/// Every acknowledged id is stored, once, and is there after the store is
/// opened again; every refused one left nothing; each retried client id
/// made one request.
#[test]
fn writers_at_once_share_commits_and_lose_nothing() {
    let (_dir, urls) = urls("submit_at_once");
    for url in urls {
        let store = Store::open(&url).unwrap();
        let outcomes: Vec<(usize, civic311::Result<civic311_store::Submitted>)> = std::thread::scope(|s| {
            let threads: Vec<_> = (0..8)
                .map(|t| {
                    let store = &store;
                    s.spawn(move || {
                        (0..40)
                            .map(|i| {
                                let k = t * 40 + i;
                                let mut r = pothole(38.93 + (k % 50) as f64 * 0.0005, -90.95, &format!("hole {k}"));
                                if k % 7 == 3 {
                                    r.lat = Some(123.0); // invalid: refused, in the middle of a shared commit
                                }
                                let client_request_id = (k % 5 == 0).then(|| format!("client-{}", i % 8));
                                let sub = Submission { client_request_id, ..Submission::default() };
                                (k, store.submit(riverton(), r, sub))
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            threads.into_iter().flat_map(|t| t.join().unwrap()).collect()
        });
        let mut acknowledged = std::collections::BTreeSet::new();
        for (k, outcome) in &outcomes {
            match outcome {
                Ok(s) => {
                    acknowledged.insert(s.service_request_id.clone());
                }
                Err(e) => {
                    assert_eq!(k % 7, 3, "{url}: submission {k} failed: {e}");
                    assert_eq!(e.kind(), civic311::ErrorKind::Validation, "{e}");
                }
            }
        }
        let with_client_id: std::collections::BTreeSet<String> = outcomes
            .iter()
            .filter(|(k, o)| k % 5 == 0 && o.is_ok())
            .map(|(_, o)| o.as_ref().unwrap().service_request_id.clone())
            .collect();
        assert_eq!(with_client_id.len(), 8, "{url}: one request for each of the 8 client ids");
        let expected = outcomes.iter().filter(|(k, _)| k % 7 != 3 && k % 5 != 0).count() + 8;
        assert_eq!(acknowledged.len(), expected, "{url}");
        drop(store);
        let store = Store::open(&url).unwrap();
        assert_eq!(store.len().unwrap(), expected as u64, "{url}");
        for id in &acknowledged {
            let r = store.get(id).unwrap().unwrap_or_else(|| panic!("{url}: acknowledged {id} is gone"));
            assert_eq!(r.history.len(), 2, "{url}: {id}");
        }
        assert!(store.verify().unwrap().is_empty());
    }
}
