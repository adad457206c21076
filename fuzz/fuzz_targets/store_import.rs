//! The store's importers: any bytes as a CSV export (through the nyc311
//! and nyc-council mappings) or as an Open311 payload (JSON, XML), into a
//! store in memory. Beyond "no panic": the report accounts for every row,
//! what was imported is there and agrees with its history, and importing
//! the same bytes again stores nothing new.
#![no_main]
use civic311::open311::Format;
use civic311_store::{Filter, ImportFormat, ImportOptions, Mapping, Store};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((which, rest)) = civic311_fuzz::selector(data) else { return };
    let format = match which % 4 {
        0 => ImportFormat::Csv(Mapping::builtin("nyc311").unwrap()),
        1 => ImportFormat::Csv(Mapping::builtin("nyc-council").unwrap()),
        2 => ImportFormat::Open311(Format::Json),
        _ => ImportFormat::Open311(Format::Xml),
    };
    let store = Store::open("sqlite::memory:").unwrap();
    let Ok(report) = store.import("fuzz", rest, &format, &ImportOptions::default()) else { return };
    assert!(report.imported + report.already_stored + report.problems.len() as u64 <= report.rows.max(1));
    assert_eq!(store.len().unwrap(), report.imported);
    assert!(store.verify().unwrap().is_empty());
    let page = store.query(&Filter { page_size: 1000, ..Filter::default() }).unwrap();
    assert_eq!(page.requests.len() as u64, report.imported.min(1000));
    let again = store.import("fuzz", rest, &format, &ImportOptions::default()).unwrap();
    assert_eq!(again.imported, 0, "the same rows twice are stored once");
    // Strict: all or nothing.
    let strict = Store::open("sqlite::memory:").unwrap();
    match strict.import("fuzz", rest, &format, &ImportOptions { strict: true, ..ImportOptions::default() }) {
        Ok(r) => assert!(r.problems.is_empty() && strict.len().unwrap() == r.imported),
        Err(_) => assert_eq!(strict.len().unwrap(), 0),
    }
});
