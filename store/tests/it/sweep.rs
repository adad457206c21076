//! The monitor records each escalation and each breach once.

use civic311::open311::NewRequest;
use civic311::{AttributeAnswer, CloseReason, Status};
use civic311_store::{EventKind, Submission, Update};

use crate::util::{at, each_store, pothole, riverton};

#[test]
fn escalations_and_breaches_are_recorded_once_each() {
    each_store("sweep", |store| {
        let t0 = at("2026-03-03T15:00:00Z"); // a Tuesday, 09:00 in Riverton
        let sub = Submission { at: Some(t0), ..Submission::default() };
        let mut gushing = NewRequest::new("WS-MAIN-BREAK");
        (gushing.lat, gushing.long) = (Some(38.955), Some(-90.95));
        gushing.attributes.insert("FLOWING".into(), AttributeAnswer::One("yes".into()));
        gushing.attributes.insert("AMOUNT".into(), AttributeAnswer::One("gushing".into()));
        let main = store.submit(riverton(), gushing.clone(), sub.clone()).unwrap();
        let escalation = main.routing.escalation.clone().expect("a gushing main escalates");
        let deadline = main.routing.expected_datetime.expect("and has a deadline");
        let fixed = store.submit(riverton(), gushing, sub.clone()).unwrap();
        store.update(&fixed.service_request_id, Update::by("crew").close(CloseReason::Fixed).at(t0)).unwrap();
        let hole = store.submit(riverton(), pothole(38.94, -90.957, "hole"), sub).unwrap();

        // Before anything is due: nothing.
        let report = store.sweep(t0 + jiff::SignedDuration::from_mins(1)).unwrap();
        assert!(report.escalated.is_empty() && report.breached.is_empty(), "{report:?}");

        // Past the escalation time, and the main break's deadline.
        let later = escalation.at.timestamp().max(deadline.timestamp()) + jiff::SignedDuration::from_mins(1);
        let report = store.sweep(later).unwrap();
        assert_eq!(report.escalated, [(main.service_request_id.clone(), escalation.to.clone())]);
        assert_eq!(report.breached, [main.service_request_id.clone()], "the closed one and the pothole are not due");
        let again = store.sweep(later + jiff::SignedDuration::from_hours(1)).unwrap();
        assert!(again.escalated.is_empty() && again.breached.is_empty(), "recorded once: {again:?}");

        let r = store.get(&main.service_request_id).unwrap().unwrap();
        let monitor: Vec<_> = r.history.iter().filter(|e| e.actor == "monitor").collect();
        assert_eq!(monitor.iter().map(|e| e.kind).collect::<Vec<_>>(), [EventKind::Escalated, EventKind::SlaBreached]);
        assert!(monitor.iter().all(|e| !e.public));
        assert_eq!(monitor[0].department.as_deref(), Some(escalation.to.as_str()));
        assert!(r.escalation.as_ref().unwrap().escalated_datetime.is_some());
        assert!(r.sla_breached_datetime.is_some());
        assert_eq!(r.status, Status::Submitted, "the monitor records; it changes no state");
        assert_eq!(r.version, 1, "nor the version a staff member's change was made against");

        // The pothole falls due days later.
        let hole_due = store.get(&hole.service_request_id).unwrap().unwrap().expected_datetime.unwrap();
        let report = store.sweep(hole_due.timestamp() + jiff::SignedDuration::from_secs(1)).unwrap();
        assert_eq!(report.breached, [hole.service_request_id.clone()]);
        assert!(store.verify().unwrap().is_empty());
    });
}

/// A sweep over more requests than one of its transactions records
/// (imported: open, each with a due date).
#[test]
fn a_sweep_of_many_commits_as_it_goes() {
    each_store("sweep_many", |store| {
        let n = 5_100;
        let mut csv = String::from("Unique Key,Created Date,Closed Date,Agency,Complaint Type,Status,Due Date\n");
        for i in 0..n {
            csv.push_str(&format!(
                "{},03/01/2025 09:00:00 AM,,DOT,Pothole,Open,03/0{}/2025 09:00:00 AM\n",
                100 + i,
                2 + i % 3
            ));
        }
        let mapping = civic311_store::Mapping::builtin("nyc311").unwrap();
        let format = civic311_store::ImportFormat::Csv(mapping);
        let report = store.import("due.csv", csv.as_bytes(), &format, &Default::default()).unwrap();
        assert_eq!(report.imported, n);
        let report = store.sweep(at("2025-03-03T15:00:00Z")).unwrap();
        assert_eq!(report.breached.len(), 3400, "due on the 2nd and the 3rd");
        let report = store.sweep(at("2025-03-05T15:00:00Z")).unwrap();
        assert_eq!(report.breached.len(), 1700, "the rest, and none twice");
        assert!(store.sweep(at("2025-04-01T00:00:00Z")).unwrap().breached.is_empty());
    });
}
