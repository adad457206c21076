//! Updates follow the lifecycle, append to the history, and never lose or
//! overwrite a change made meanwhile.

use civic311::{CloseReason, ErrorKind, Status};
use civic311_store::{EventKind, Submission, Update};

use crate::util::{at, each_store, pothole, riverton};

fn submit(store: &civic311_store::Store) -> String {
    let sub = Submission { at: Some(at("2026-03-02T15:00:00Z")), ..Submission::default() };
    store.submit(riverton(), pothole(38.94, -90.957, "hole"), sub).unwrap().service_request_id
}

#[test]
fn a_request_goes_through_its_lifecycle() {
    each_store("lifecycle", |store| {
        let id = submit(store);
        let t = |h: u32| at(&format!("2026-03-03T{h:02}:00:00Z"));
        let r = store.update(&id, Update::by("dispatch").status(Status::Acknowledged).at(t(14))).unwrap();
        assert_eq!(r.acknowledged_datetime.unwrap().to_string(), "2026-03-03T08:00:00-06:00");
        let r = store
            .update(&id, Update::by("dispatch").department("parks").note("parks crew is closer", false).at(t(15)))
            .unwrap();
        assert_eq!(r.department.as_deref(), Some("parks"));
        let r = store.update(&id, Update::by("dispatch").department("streets").at(t(16))).unwrap();
        let r2 = store
            .update(&id, Update::by("crew-7").status(Status::InProgress).note("crew on site", true).at(t(17)))
            .unwrap();
        assert_eq!(r2.status_notes.as_deref(), Some("crew on site"));
        store.update(&id, Update::by("crew-7").note("cold patch for now", false).at(t(18))).unwrap();
        let closed =
            store.update(&id, Update::by("crew-7").close(CloseReason::Fixed).note("filled", true).at(t(19))).unwrap();
        assert_eq!(closed.open311_status(), "closed");
        assert_eq!(closed.closed_datetime.unwrap().to_string(), "2026-03-03T13:00:00-06:00");
        assert_eq!(closed.status_notes.as_deref(), Some("filled"));
        let reopened = store
            .update(&id, Update::by("supervisor").status(Status::Reopened).note("still a hole", true).at(t(20)))
            .unwrap();
        assert_eq!(reopened.open311_status(), "open");
        assert_eq!(reopened.closed_datetime, None);
        assert_eq!(reopened.version, r.version + 4);

        let kinds: Vec<_> = reopened.history.iter().map(|e| e.kind).collect();
        use EventKind::*;
        assert_eq!(
            kinds,
            [Submitted, Routed, Acknowledged, Transferred, Transferred, StatusChanged, Note, Closed, Reopened]
        );
        let public: Vec<_> = reopened.public_history().map(|e| e.kind).collect();
        assert_eq!(public, [Submitted, StatusChanged, Closed, Reopened]);
        assert_eq!(reopened.history[3].note.as_deref(), Some("parks crew is closer"));
        assert_eq!(reopened.history[3].actor, "dispatch");
        assert!(reopened.history.windows(2).all(|w| w[0].n + 1 == w[1].n));
        assert!(store.verify().unwrap().is_empty());
    });
}

#[test]
fn an_illegal_move_changes_nothing() {
    each_store("lifecycle_illegal", |store| {
        let id = submit(store);
        let before = store.get(&id).unwrap().unwrap();
        let err = store.update(&id, Update::by("x").status(Status::OnHold)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Lifecycle);
        assert!(err.to_string().contains("from submitted it may go to: acknowledged, in_progress, closed"), "{err}");
        assert_eq!(
            store.update(&id, Update::by("x").status(Status::Reopened)).unwrap_err().kind(),
            ErrorKind::Lifecycle
        );
        store.update(&id, Update::by("x").close(CloseReason::Withdrawn)).unwrap();
        let err = store.update(&id, Update::by("x").close(CloseReason::Fixed)).unwrap_err();
        assert!(err.to_string().contains("from closed it may go to: reopened"), "{err}");
        assert_eq!(store.get(&id).unwrap().unwrap().history.len(), before.history.len() + 1);

        // Updates that cannot be made at all.
        for (update, kind) in [
            (Update::by(""), ErrorKind::Format),
            (Update::by("x"), ErrorKind::Format),
            (Update::by("x").note("   ", true), ErrorKind::Format),
            (Update::by("x").note("é".repeat(10_001), true), ErrorKind::Format),
        ] {
            assert_eq!(store.update(&id, update).unwrap_err().kind(), kind);
        }
        assert_eq!(store.update("404", Update::by("x").note("hi", false)).unwrap_err().kind(), ErrorKind::NotFound);
    });
}

#[test]
fn duplicates_are_marked_and_cleared_on_reopen() {
    each_store("lifecycle_duplicates", |store| {
        let (a, b) = (submit(store), submit(store));
        let err = store.update(&b, Update::by("x").close(CloseReason::Duplicate { of: b.clone() })).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Lifecycle);
        let err = store.update(&b, Update::by("x").close(CloseReason::Duplicate { of: "999".into() })).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        let r = store.update(&b, Update::by("x").close(CloseReason::Duplicate { of: a.clone() })).unwrap();
        assert_eq!(r.duplicate_of.as_deref(), Some(a.as_str()));
        assert_eq!(r.history.last().unwrap().kind, EventKind::MarkedDuplicate);
        let r = store.update(&b, Update::by("x").status(Status::Reopened)).unwrap();
        assert_eq!(r.duplicate_of, None);
    });
}

#[test]
fn a_stale_version_is_refused_not_lost() {
    each_store("lifecycle_stale", |store| {
        let id = submit(store);
        let read = store.get(&id).unwrap().unwrap();
        store.update(&id, Update::by("a").status(Status::Acknowledged).expecting(read.version)).unwrap();
        let err = store.update(&id, Update::by("b").close(CloseReason::Fixed).expecting(read.version)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Conflict);
        assert!(err.to_string().contains("changed since it was read"), "{err}");
        assert_eq!(store.get(&id).unwrap().unwrap().status, Status::Acknowledged);
    });
}

/// Eight threads add notes and change the department of one request, each
/// against the version it read: every change either lands or is refused as
/// stale, and every one that landed is in the history.
#[test]
fn eight_threads_updating_one_request_lose_nothing() {
    each_store("lifecycle_threads", |store| {
        let id = submit(store);
        let (landed, refused): (Vec<_>, Vec<_>) = std::thread::scope(|s| {
            let threads: Vec<_> = (0..8)
                .map(|t| {
                    let id = id.clone();
                    s.spawn(move || {
                        let mut outcomes = Vec::new();
                        for i in 0..15 {
                            let note = format!("thread {t} change {i}");
                            let version = store.get(&id).unwrap().unwrap().version;
                            let update = Update::by(format!("t{t}")).note(note.clone(), false).expecting(version);
                            let update = if i % 3 == 0 { update.department(format!("dept-{t}")) } else { update };
                            match store.update(&id, update) {
                                Ok(_) => outcomes.push((note, true)),
                                Err(e) if e.kind() == ErrorKind::Conflict => outcomes.push((note, false)),
                                Err(e) => panic!("{e}"),
                            }
                        }
                        outcomes
                    })
                })
                .collect();
            threads.into_iter().flat_map(|t| t.join().unwrap()).partition(|(_, ok)| *ok)
        });
        assert_eq!(landed.len() + refused.len(), 120);
        assert!(!landed.is_empty());
        let r = store.get(&id).unwrap().unwrap();
        let notes: Vec<&str> = r.history.iter().filter_map(|e| e.note.as_deref()).collect();
        for (note, _) in &landed {
            assert!(notes.contains(&note.as_str()), "a change that landed is in the history: {note}");
        }
        for (note, _) in &refused {
            assert!(!notes.contains(&note.as_str()), "a refused change left nothing: {note}");
        }
        assert_eq!(r.version, 1 + landed.len() as i64);
        assert!(r.history.windows(2).all(|w| w[0].n + 1 == w[1].n), "no gap, no number twice");
        assert!(store.verify().unwrap().is_empty(), "{:?}", store.verify());

        // Without versions, every change lands.
        std::thread::scope(|s| {
            for t in 0..8 {
                let id = id.clone();
                s.spawn(move || {
                    for i in 0..5 {
                        store.update(&id, Update::by("x").note(format!("free {t} {i}"), false)).unwrap();
                    }
                });
            }
        });
        assert_eq!(store.get(&id).unwrap().unwrap().version, 1 + landed.len() as i64 + 40);
    });
}
