//! Reports over the stored requests, against figures computed by hand.
//!
//! The fixture is a New York export (nyc311 mapping, America/New_York) over
//! two weeks, 3 to 16 March 2025, of which the first holds the change to
//! summer time (Sunday the 9th); the period before is 17 February to 2
//! March. `now` is 2025-03-25 12:00 EDT.

use civic311::{CloseReason, Status};
use civic311_store::{Bucket, ImportFormat, ImportOptions, Mapping, Report, ReportOptions, Store, Update};
use jiff::civil::date;

use crate::util::*;

const HEADER: &str = "Unique Key,Created Date,Closed Date,Agency,Complaint Type,Status,Due Date,Latitude,Longitude,Open Data Channel Type";

/// Each row, and what it tests:
const ROWS: &[&str] = &[
    // Closed in 4 h, due the next day: within its SLA.
    "1001,03/03/2025 09:00:00 AM,03/03/2025 01:00:00 PM,NYPD,Noise,Closed,03/04/2025 09:00:00 AM,40.7,-73.9,PHONE",
    // Sunday 23:30 after the change to summer time: 03:30 UTC on Monday
    // the 10th, but the week of the 3rd where it was filed. Closed in 2 h.
    "1002,03/09/2025 11:30:00 PM,03/10/2025 01:30:00 AM,NYPD,Noise,Closed,03/10/2025 11:30:00 PM,40.7,-73.9,ONLINE",
    // Monday 00:30: the week of the 10th. Open and overdue; acknowledged
    // 2 h after it was filed (below).
    "1003,03/10/2025 12:30:00 AM,,NYPD,Noise,Open,03/11/2025 12:30:00 AM,40.7,-73.9,MOBILE",
    // Closed after its due time; reopened and closed again (below), so
    // its time to close is to the last close: 240 h.
    "1004,03/12/2025 10:00:00 AM,03/20/2025 10:00:00 AM,DOT,Pothole,Closed,03/15/2025 10:00:00 AM,40.7,-73.9,PHONE",
    // Closed with no closed date: closed, but out of the SLA and
    // time-to-close figures.
    "1005,03/14/2025 10:00:00 AM,,DOT,Pothole,Closed,03/17/2025 10:00:00 AM,40.7,-73.9,OTHER",
    // Open, due after now; acknowledged 6 h after it was filed (below).
    "1006,03/15/2025 08:00:00 AM,,DOT,Pothole,Open,03/28/2025 08:00:00 AM,40.7,-73.9,ONLINE",
    // The period before.
    "901,02/20/2025 10:00:00 AM,02/20/2025 11:00:00 AM,NYPD,Noise,Closed,02/21/2025 10:00:00 AM,40.7,-73.9,PHONE",
    "902,02/25/2025 10:00:00 AM,02/26/2025 10:00:00 AM,DOT,Pothole,Closed,02/27/2025 10:00:00 AM,40.7,-73.9,PHONE",
    // Older, still open and overdue: in the backlog only (74 days old).
    "801,01/10/2025 10:00:00 AM,,NYPD,Noise,Open,01/12/2025 10:00:00 AM,40.7,-73.9,PHONE",
];

fn load(store: &Store, rows: &[&str]) {
    let csv = format!("{HEADER}\n{}\n", rows.join("\n"));
    let report = store
        .import(
            "fixture.csv",
            csv.as_bytes(),
            &ImportFormat::Csv(Mapping::builtin("nyc311").unwrap()),
            &ImportOptions::default(),
        )
        .unwrap();
    assert_eq!(report.imported as usize, rows.len(), "{:?}", report.problems);
}

fn options() -> ReportOptions {
    ReportOptions { now: at("2025-03-25T16:00:00Z"), ..ReportOptions::new(date(2025, 3, 3), date(2025, 3, 16)) }
}

fn level<'a>(r: &'a Report, dimension: &str, value: &str) -> &'a civic311_store::ServiceLevel {
    r.service_levels.iter().find(|s| s.dimension == dimension && s.value == value).unwrap()
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

#[test]
fn figures_match_the_hand_computed_ones() {
    each_store("report", |store| {
        load(store, ROWS);
        store.update("1003", Update::by("crew").status(Status::Acknowledged).at(at("2025-03-10T06:30:00Z"))).unwrap();
        store.update("1006", Update::by("crew").status(Status::Acknowledged).at(at("2025-03-15T18:00:00Z"))).unwrap();
        store.update("1004", Update::by("crew").status(Status::Reopened).at(at("2025-03-21T14:00:00Z"))).unwrap();
        store
            .update(
                "1004",
                Update::by("crew").status(Status::Closed(CloseReason::Fixed)).at(at("2025-03-22T14:00:00Z")),
            )
            .unwrap();

        let r = store.report(&options()).unwrap();
        assert_eq!((r.total, r.previous_total), (6, 2));
        assert_eq!((r.previous_from, r.previous_to), (date(2025, 2, 17), date(2025, 3, 2)));

        // Weeks in New York's calendar: request 1002 (Sunday night, Monday
        // in UTC) is in the week of the 3rd.
        let week = |value: &str, d| {
            r.volumes.iter().find(|v| v.dimension == "category" && v.value == value && v.bucket == d).map(|v| v.count)
        };
        assert_eq!(week("Noise", date(2025, 3, 3)), Some(2));
        assert_eq!(week("Noise", date(2025, 3, 10)), Some(1));
        assert_eq!(week("Pothole", date(2025, 3, 10)), Some(3));
        assert_eq!(week("Pothole", date(2025, 3, 3)), None);

        let change = |dimension: &str, value: &str| {
            let c = r.changes.iter().find(|c| c.dimension == dimension && c.value == value).unwrap();
            (c.count, c.previous, c.change, c.percent)
        };
        assert_eq!(change("category", "Noise"), (3, 1, 2, Some(200.0)));
        assert_eq!(change("department", "DOT"), (3, 1, 2, Some(200.0)));
        assert_eq!(change("channel", "phone"), (2, 2, 0, Some(0.0)));
        assert_eq!(change("channel", "mobile_app"), (1, 0, 1, None));
        // 3 against 1 is within chance (p = 5/16): nothing is rising.
        assert!(r.rising.is_empty(), "{:?}", r.rising);

        let all = level(&r, "all", "(all)");
        assert_eq!((all.requests, all.sla_decided, all.within_sla), (6, 4, 2));
        assert!(close(all.within_sla_percent, 50.0));
        assert_eq!((all.open, all.overdue), (2, 1));
        assert!(close(all.acknowledge_hours_p50, 4.0) && close(all.acknowledge_hours_p90, 5.6), "{all:?}");
        assert!(close(all.close_hours_p50, 4.0) && close(all.close_hours_p90, 192.8), "{all:?}");
        assert_eq!((all.closed, all.reopened), (4, 1));
        assert!(close(all.reopen_percent, 25.0));

        let noise = level(&r, "category", "Noise");
        assert_eq!((noise.requests, noise.sla_decided, noise.within_sla, noise.open, noise.overdue), (3, 3, 2, 1, 1));
        assert!(close(noise.close_hours_p50, 3.0) && close(noise.close_hours_p90, 3.8), "{noise:?}");
        assert!(close(noise.acknowledge_hours_p50, 2.0));
        let pothole = level(&r, "department", "DOT");
        assert_eq!((pothole.sla_decided, pothole.within_sla, pothole.open, pothole.overdue), (1, 0, 1, 0));
        assert!(close(pothole.within_sla_percent, 0.0) && close(pothole.reopen_percent, 50.0), "{pothole:?}");

        // The backlog now: 1003 and 1006 (7 to 30 days), 801 (30 to 90).
        let backlog = |department: &str, age: &str| {
            r.backlog.iter().find(|b| b.department == department && b.age == age).map(|b| (b.open, b.overdue))
        };
        assert_eq!(backlog("(all)", "7-30 days"), Some((2, 1)));
        assert_eq!(backlog("(all)", "30-90 days"), Some((1, 1)));
        assert_eq!(backlog("NYPD", "30-90 days"), Some((1, 1)));
        assert_eq!(backlog("DOT", "7-30 days"), Some((1, 0)));
        assert_eq!(backlog("(all)", "under 1 day"), None);

        // By day and by month.
        let by_day = store.report(&ReportOptions { by: Bucket::Day, ..options() }).unwrap();
        let day = |d| {
            by_day.volumes.iter().filter(|v| v.dimension == "category" && v.bucket == d).map(|v| v.count).sum::<u64>()
        };
        assert_eq!((day(date(2025, 3, 9)), day(date(2025, 3, 10))), (1, 1));
        let by_month = store.report(&ReportOptions { by: Bucket::Month, ..options() }).unwrap();
        assert!(by_month.volumes.iter().all(|v| v.bucket == date(2025, 3, 1)));

        // Every table has its columns in every row, and writes as CSV.
        for t in r.tables() {
            assert!(t.rows.iter().all(|row| row.len() == t.columns.len()), "{}", t.name);
            let csv = t.to_csv();
            assert_eq!(csv.lines().count(), t.rows.len() + 1, "{}", t.name);
        }
        serde_json::to_string(&r).unwrap();
    });
}

#[test]
fn a_real_rise_is_told_from_noise() {
    each_store("rising", |store| {
        let mut rows = Vec::new();
        // Rodents: 5 the fortnight before, 30 in the period: rising. Noise:
        // 10 and 14: within chance.
        for (kind, before, now) in [("Rodent", 5, 30), ("Noise", 10, 14)] {
            for i in 0..before {
                rows.push(format!(
                    "{},02/{:02}/2025 10:00:00 AM,,DHS,{kind},Open,,40.7,-73.9,PHONE",
                    rows.len() + 1,
                    17 + i % 12
                ));
            }
            for i in 0..now {
                rows.push(format!(
                    "{},03/{:02}/2025 10:00:00 AM,,DHS,{kind},Open,,40.7,-73.9,PHONE",
                    rows.len() + 1,
                    3 + i % 14
                ));
            }
        }
        let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
        load(store, &rows);
        let r = store.report(&options()).unwrap();
        assert_eq!(r.rising.len(), 1, "{:?}", r.rising);
        let rodent = &r.rising[0];
        assert_eq!((rodent.category.as_str(), rodent.count, rodent.previous), ("Rodent", 30, 5));
        assert!(rodent.p < 1e-4 && rodent.q < 0.05, "{rodent:?}");
    });
}

#[test]
fn a_period_that_ends_before_it_begins_is_refused() {
    let store = Store::open("sqlite::memory:").unwrap();
    let err = store.report(&ReportOptions::new(date(2025, 3, 16), date(2025, 3, 3))).unwrap_err();
    assert!(err.to_string().contains("--to on or after --from"), "{err}");
}

#[test]
fn the_html_report_is_one_page_with_nothing_from_elsewhere() {
    each_store("report-html", |store| {
        let mut rows: Vec<&str> = ROWS.to_vec();
        // A category name that is markup: it must come out as text.
        rows.push("1007,03/05/2025 10:00:00 AM,,DOT,<script>alert(1)</script> & \"x\",Open,,40.7,-73.9,PHONE");
        load(store, &rows);
        let html = store.report(&options()).unwrap().to_html("Riverton 311: March 2025");
        assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>\n"));
        assert!(!html.contains("<script"), "markup in the data is escaped");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        // Nothing from elsewhere: no script, stylesheet, font or image link.
        for word in ["src=", "href=", "@import", "url(", "<link", "@font-face"] {
            assert!(!html.contains(word), "{word}");
        }
        // The charts (trend, categories, departments, SLA) and the tables.
        assert_eq!(html.matches("<svg").count(), 4, "{html}");
        for heading in ["Trend", "By category", "Service levels by department", "Backlog by age", "By channel"] {
            assert!(html.contains(&format!("<h2>{heading}</h2>")), "{heading}");
        }
        assert!(html.contains("@media print"));
    });
}

/// Riverton's days are Chicago's: the period 1 to 7 December 2026.
fn question_options(engine: Option<std::sync::Arc<civic311::Engine>>) -> ReportOptions {
    ReportOptions {
        now: at("2026-12-10T18:00:00Z"),
        engine,
        ..ReportOptions::new(date(2026, 12, 1), date(2026, 12, 7))
    }
}

fn search(store: &Store, when: &str, query: &str, answers: u32) {
    let event = civic311_store::SearchEvent {
        at: Some(at(when)),
        query: query.into(),
        answers: Some(answers),
        page: Some("https://riverton.example/search?q=ana@example.org".into()),
        source: "api".into(),
        ..civic311_store::SearchEvent::default()
    };
    store.record_search(&event).unwrap();
}

#[test]
fn what_residents_asked_is_grouped_with_the_department_that_should_know() {
    each_store("report_questions", |store| {
        // Three wordings of one question (a typo among them), two of another,
        // one asked before the period (Chicago's 30 November, 23:00) and one
        // after it (8 December, 00:30 in Chicago).
        search(store, "2026-12-01T15:00:00Z", "Potholes on Maple?", 4);
        search(store, "2026-12-02T15:00:00Z", "maple potole", 4);
        search(store, "2026-12-03T15:00:00Z", "potholes on maple", 4);
        search(store, "2026-12-03T16:00:00Z", "do I need a permit for a garage sale", 3);
        search(store, "2026-12-04T16:00:00Z", "Do I need a permit for a garage sale", 3);
        search(store, "2026-12-01T05:00:00Z", "leaf pickup", 2);
        search(store, "2026-12-08T06:30:00Z", "leaf pickup", 2);
        let follow = civic311_store::SearchEvent {
            at: Some(at("2026-12-03T15:01:00Z")),
            kind: civic311_store::SearchEventKind::Follow,
            query: "potholes on maple".into(),
            followed: Some("service:ST-POTHOLE".into()),
            source: "widget".into(),
            ..civic311_store::SearchEvent::default()
        };
        store.record_search(&follow).unwrap();
        // Two escalated questions: one replied in time, one still open and overdue.
        let engine = riverton();
        let ask = |q: &str, when: &str| {
            let options = civic311::AnswerOptions { now: Some(at(when)), ..civic311::AnswerOptions::default() };
            let reply = engine.answer(q, &options).unwrap();
            let asked = civic311_store::Asked { at: Some(at(when)), ..civic311_store::Asked::default() };
            store.escalate(engine, q, &reply, &asked).unwrap()
        };
        let first = ask("do I need a permit for a garage sale", "2026-12-01T16:00:00Z");
        let reply = civic311_store::InquiryUpdate::by("desk").reply("No.").at(at("2026-12-02T16:00:00Z"));
        store.update_inquiry(engine, &first.id, reply).unwrap();
        ask("is there an outdoor ice rink anywhere in riverton this winter", "2026-12-02T16:00:00Z");

        let shared = std::sync::Arc::new(civic311::Engine::build(civic311::Catalog::riverton().unwrap()).unwrap());
        let r = store.report(&question_options(Some(shared))).unwrap();
        let q = &r.questions;
        assert_eq!((q.searches, q.follows, q.groups), (5, 1, 2), "{q:#?}");
        assert_eq!(q.top[0].count, 3);
        assert_eq!(
            q.top[0].question, "potholes on maple",
            "the most frequent wording, lowercased, without its question mark"
        );
        assert_eq!(q.top[0].forms, ["maple potole"]);
        assert_eq!(q.top[0].followed, 1);
        assert_eq!(q.top[0].top_answer.as_deref(), Some("service:ST-POTHOLE"));
        assert!(q.top[0].confidence.unwrap() >= 0.5);
        assert_eq!(q.top[1].count, 2);
        assert_eq!(q.unanswered.len(), 1, "{:#?}", q.unanswered);
        assert_eq!(q.unanswered[0].question, "do i need a permit for a garage sale");
        assert_eq!(q.unanswered[0].department.as_deref(), Some("permits"));
        let all = q.inquiries.iter().find(|l| l.department == "(all)").unwrap();
        assert_eq!((all.asked, all.replied, all.replied_in_time, all.open, all.overdue), (2, 1, 1, 1, 1), "{all:?}");
        assert_eq!(all.reply_hours_p50, Some(24.0));
        assert_eq!(all.in_time_percent, Some(50.0));
        let names: Vec<&str> = r.tables().iter().map(|t| t.name).collect();
        assert!(names.ends_with(&["questions_top", "questions_unanswered", "inquiries"]), "{names:?}");
        let html = r.to_html("Riverton");
        assert!(
            html.contains("What residents asked") && html.contains("articles to write"),
            "the HTML has the section"
        );
        assert!(html.contains("do i need a permit for a garage sale") && !html.contains("ana@example.org"));

        // Without an engine: grouped by words, and only searches that found
        // nothing count as unanswered (none here). Days are UTC's, so the
        // search at 05:00 UTC on the 1st is in the period.
        let plain = store.report(&question_options(None)).unwrap();
        assert_eq!(plain.questions.groups, 4, "{:#?}", plain.questions.top);
        assert!(plain.questions.unanswered.is_empty());
        assert!(plain.questions.top[0].department.is_none() && plain.questions.top[0].confidence.is_none());

        // Retention: everything before 3 December goes.
        let deleted = store.prune_searches(at("2026-12-03T00:00:00Z")).unwrap();
        assert_eq!(deleted, 3);
        assert_eq!(store.report(&question_options(None)).unwrap().questions.searches, 3);
    });
}

#[test]
fn a_search_event_keeps_nothing_that_names_a_person() {
    each_store("search_privacy", |store| {
        let event = civic311_store::SearchEvent {
            at: Some(at("2026-12-02T15:00:00Z")),
            query: "water bill for 1422 River St, account 00981234, mail ana@example.org".into(),
            answers: Some(0),
            source: "api".into(),
            ..civic311_store::SearchEvent::default()
        };
        store.record_search(&event).unwrap();
        let r = store.report(&question_options(None)).unwrap();
        assert_eq!(r.questions.top[0].question, "water bill for # river st, account #, mail #");
        assert_eq!(r.questions.unanswered.len(), 1, "no answer found: unanswered even without an engine");
        let empty = civic311_store::SearchEvent { query: " 12 ".replace("12", ""), ..event.clone() };
        assert!(store.record_search(&empty).unwrap_err().to_string().contains("no question"));
        let follow = civic311_store::SearchEvent { kind: civic311_store::SearchEventKind::Follow, ..event };
        assert!(store.record_search(&follow).unwrap_err().to_string().contains("answer followed"));
    });
}
