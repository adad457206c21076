//! Real histories move in: NYC 311 exports, NYC Council cases, Open311
//! payloads from real cities. Bad rows are reported by line; the good ones
//! load (or, strict, nothing does); importing twice stores each once.

use std::fs::File;

use civic311::open311::{Format, Payload};
use civic311::{Channel, ErrorKind, Status};
use civic311_store::{EventKind, Filter, ImportFormat, ImportOptions, Mapping, StatusFilter, Store, Submission};

use crate::util::{at, each_store, fixture, pothole, riverton};

fn csv(mapping: &str) -> ImportFormat {
    ImportFormat::Csv(Mapping::builtin(mapping).unwrap())
}

fn import_file(store: &Store, path: &str, format: &ImportFormat) -> civic311_store::ImportReport {
    let file = File::open(fixture(path)).unwrap();
    store.import(path, file, format, &ImportOptions::default()).unwrap()
}

#[test]
fn nyc311_exports_of_two_eras() {
    each_store("import_nyc311", |store| {
        let report = import_file(store, "requests/nyc311-sample-2011.csv", &csv("nyc311"));
        assert_eq!((report.rows, report.imported, report.already_stored), (2000, 2000, 0));
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        let r = store.get("19937901").unwrap().unwrap();
        assert_eq!(r.service_code, "Street Sign - Dangling");
        assert_eq!(r.description.as_deref(), Some("Street Cleaning - ASP"));
        assert_eq!(r.department.as_deref(), Some("DOT"));
        assert_eq!(r.channel, Some(Channel::Phone));
        assert_eq!(r.requested_datetime.to_string(), "2011-03-01T10:41:13-05:00");
        assert_eq!(r.closed_datetime.unwrap().to_string(), "2011-03-15T16:14:19-04:00", "after the DST change");
        assert_eq!(r.expected_datetime.unwrap().to_string(), "2011-03-15T17:32:23-04:00");
        assert_eq!(r.open311_status(), "closed");
        assert!(r.status_notes.as_deref().unwrap().starts_with("The Department of Transportation has completed"));
        assert_eq!(r.lat, Some(40.660811976282695));
        assert_eq!(r.source, "import");
        let kinds: Vec<_> = r.history.iter().map(|e| e.kind).collect();
        assert_eq!(kinds, [EventKind::Submitted, EventKind::Closed]);
        assert_eq!(r.history[1].at, r.closed_datetime.unwrap());

        let open =
            store.query(&Filter { status: Some(StatusFilter::Open), page_size: 1000, ..Filter::default() }).unwrap();
        assert_eq!(open.requests.len(), 44, "24 Pending and 20 Assigned");
        assert_eq!(open.requests.iter().filter(|r| r.status == Status::OnHold).count(), 24);
        assert_eq!(open.requests.iter().filter(|r| r.status == Status::Acknowledged).count(), 20);
        let web = store.query(&Filter { page_size: 1000, ..Filter::default() });
        let _ = web;

        // The 2025 export: other columns, other date forms.
        let report = import_file(store, "requests/nyc311-animals-2025q1.csv", &csv("nyc311"));
        assert_eq!((report.rows, report.imported), (4969, 4969));
        let r = store.get("64345465").unwrap().unwrap();
        assert_eq!(r.status, Status::InProgress);
        assert_eq!(r.requested_datetime.to_string(), "2025-03-14T01:20:00-04:00");
        assert_eq!(r.channel, None, "this export has no channel column");
        assert_eq!(store.len().unwrap(), 6969);
        assert!(store.verify().unwrap().is_empty());
    });
}

#[test]
fn importing_twice_stores_each_request_once_and_ids_go_on_past_them() {
    each_store("import_twice", |store| {
        import_file(store, "requests/nyc311-sample-2011.csv", &csv("nyc311"));
        let again = import_file(store, "requests/nyc311-sample-2011.csv", &csv("nyc311"));
        assert_eq!((again.imported, again.already_stored), (0, 2000));
        assert_eq!(store.len().unwrap(), 2000);
        // The highest imported id is 19939921 or so: a new submission's id comes after it.
        let highest: i64 = store
            .query(&Filter { page_size: 1000, ..Filter::default() })
            .unwrap()
            .requests
            .iter()
            .chain(store.query(&Filter { page: 2, page_size: 1000, ..Filter::default() }).unwrap().requests.iter())
            .map(|r| r.service_request_id.parse::<i64>().unwrap())
            .max()
            .unwrap();
        let s = store.submit(riverton(), pothole(38.94, -90.957, "x"), Submission::default()).unwrap();
        assert!(s.service_request_id.parse::<i64>().unwrap() > highest, "{} after {highest}", s.service_request_id);
    });
}

/// A file that gives an id twice (the NYC Council's export does, 105
/// times): the first row is kept, with its own history, and the second is
/// counted as already stored, whether the two fall in one statement or not.
#[test]
fn an_id_given_twice_in_a_file_is_stored_once() {
    let text = std::fs::read_to_string(fixture("requests/nyc311-sample-2011.csv")).unwrap();
    let mut lines: Vec<&str> = text.lines().take(301).collect();
    let (second, late) = (lines[2], lines[250]);
    lines.insert(4, second); // the same statement
    lines.push(late); // another statement
    let file = lines.join("\n");
    each_store("import_twice_in_file", |store| {
        let report = store
            .import("twice.csv", file.as_bytes(), &csv("nyc311"), &civic311_store::ImportOptions::default())
            .unwrap();
        assert_eq!((report.rows, report.imported, report.already_stored), (302, 300, 2), "{report:?}");
        assert_eq!(store.len().unwrap(), 300);
        let id = second.split(',').next().unwrap();
        assert!(!store.get(id).unwrap().unwrap().history.is_empty());
        assert!(store.verify().unwrap().is_empty());
    });
}

#[test]
fn council_cases_with_dates_only() {
    each_store("import_council", |store| {
        let report = import_file(store, "requests/nyc-council-cases-sample.csv", &csv("nyc-council"));
        assert_eq!((report.rows, report.imported), (2000, 2000));
        let r = store.get("NYCC34519746").unwrap().unwrap();
        assert_eq!(r.department.as_deref(), Some("NYCC34"));
        assert_eq!(r.service_code, "Utilities");
        assert_eq!(r.requested_datetime.to_string(), "2025-01-09T00:00:00-05:00");
        assert_eq!(r.open311_status(), "closed");
        let open =
            store.query(&Filter { status: Some(StatusFilter::Open), page_size: 1000, ..Filter::default() }).unwrap();
        assert_eq!(open.requests.len(), 528);
    });
}

#[test]
fn open311_payloads_of_real_cities() {
    each_store("import_open311", |store| {
        let report =
            import_file(store, "open311/open311status_service_requests.json", &ImportFormat::Open311(Format::Json));
        assert!(report.imported >= 1 && report.problems.is_empty(), "{report:?}");
        for (file, format) in [
            ("open311/open311status_requests_many.xml", Format::Xml),
            ("open311/open311status_requests_toronto_multi.xml", Format::Xml),
        ] {
            let report = import_file(store, file, &ImportFormat::Open311(format));
            assert!(report.imported + report.already_stored >= 1, "{file}: {report:?}");
            assert!(report.problems.is_empty(), "{file}: {:?}", report.problems);
        }
        // Every imported request is there with the payload's own id and times.
        let list = civic311::open311::RequestList::read(
            &std::fs::read_to_string(fixture("open311/open311status_service_requests.json")).unwrap(),
            Format::Json,
        )
        .unwrap();
        for r in list.0 {
            let id = r.service_request_id.unwrap();
            let stored = store.get(&id).unwrap().unwrap();
            assert_eq!(
                Some(stored.requested_datetime.timestamp()),
                r.requested_datetime.map(|d| d.timestamp()),
                "{id}"
            );
            assert_eq!(Some(stored.open311_status()), r.status.map(|s| s.as_str()), "{id}");
        }
        let err = store.import(
            "x.json",
            "{not json".as_bytes(),
            &ImportFormat::Open311(Format::Json),
            &ImportOptions::default(),
        );
        assert_eq!(err.unwrap().problems.len(), 1);
    });
}

#[test]
fn malformed_rows_are_reported_by_line_and_the_good_ones_load() {
    each_store("import_malformed", |store| {
        let text = "Unique Key,Created Date,Closed Date,Agency,Complaint Type,Status,Latitude,Longitude\n\
                    1,03/01/2011 02:27:57 PM,,DOT,Pothole,Open,40.7,-73.9\n\
                    2,yesterday,,DOT,Pothole,Open,40.7,-73.9\n\
                    ,03/01/2011 02:27:57 PM,,DOT,Pothole,Open,40.7,-73.9\n\
                    4,03/01/2011 02:27:57 PM,,DOT,,Open,40.7,-73.9\n\
                    5,03/01/2011 02:27:57 PM,,DOT,Pothole,Open,north,-73.9\n\
                    6,03/01/2011 02:27:57 PM,,DOT,\"Quoted, with a comma\",Open,40.7,-73.9\n\
                    7,\"03/01/2011\n02:27:57 PM\",,DOT,Pothole,Open,40.7,-73.9\n\
                    8,03/01/2011 02:27:57 PM,not a date,DOT,Pothole,Closed,40.7,-73.9\n\
                    9,03/01/2011 02:27:57 PM,,DOT,Noise – ñandú,Open,,\n";
        let report = store.import("bad.csv", text.as_bytes(), &csv("nyc311"), &ImportOptions::default()).unwrap();
        let lines: Vec<_> = report.problems.iter().map(|p| (p.line, p.field.as_str())).collect();
        assert_eq!(
            lines,
            [
                (Some(3), "Created Date"),
                (Some(4), "Unique Key"),
                (Some(5), "Complaint Type"),
                (Some(6), "Latitude"),
                (Some(10), "Closed Date"),
            ],
            "{:#?}",
            report.problems
        );
        assert!(report.problems[0].message.contains("'yesterday' is not a date"), "{}", report.problems[0]);
        assert!(report.problems[1].message.contains("no id"));
        assert!(report.problems[2].message.contains("request 4 has no service code"));
        // A quoted field may hold a line break; the rows after it keep their
        // own lines (row 8 is on line 10).
        assert_eq!(store.get("7").unwrap().unwrap().requested_datetime.to_string(), "2011-03-01T14:27:57-05:00");
        assert_eq!((report.rows, report.imported), (9, 4));
        assert_eq!(store.get("6").unwrap().unwrap().service_code, "Quoted, with a comma");
        assert_eq!(store.get("9").unwrap().unwrap().service_code, "Noise – ñandú");

        // Strict: nothing loads.
        let (_dir, urls) = crate::util::urls("import_strict");
        let strict = Store::open(&urls[0]).unwrap();
        let options = ImportOptions { strict: true, ..ImportOptions::default() };
        let err = strict.import("bad.csv", text.as_bytes(), &csv("nyc311"), &options).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Format);
        assert_eq!(err.problems().len(), 5);
        assert!(err.to_string().contains("5 of 9 rows could not be read, so nothing was imported"), "{err}");
        assert_eq!(strict.len().unwrap(), 0);
    });
}

#[test]
fn files_that_cannot_be_imported() {
    each_store("import_refused", |store| {
        let err =
            store.import("x.csv", "a,b\n1,2\n".as_bytes(), &csv("nyc311"), &ImportOptions::default()).unwrap_err();
        assert!(err.to_string().contains("has no column 'Unique Key'"), "{err}");
        let err =
            store.import("x.csv", &[0xff, 0xfe, 0x00][..], &csv("nyc311"), &ImportOptions::default()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Format);
        let options = ImportOptions { time_zone: Some("Mars/Olympus".into()), ..ImportOptions::default() };
        let err = store.import("x.csv", "".as_bytes(), &csv("nyc311"), &options).unwrap_err();
        assert!(err.to_string().contains("not a time zone"));
        // An empty file with a header alone imports nothing, and says so.
        let header = "Unique Key,Created Date,Complaint Type\n";
        let report = store.import("h.csv", header.as_bytes(), &csv("nyc311"), &ImportOptions::default()).unwrap();
        assert_eq!((report.rows, report.imported), (0, 0));
        let _ = at("2026-01-01T00:00:00Z");
    });
}
