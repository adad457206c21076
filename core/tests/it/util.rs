//! Helpers shared by the integration tests.

use std::path::PathBuf;

use civic311::{Catalog, Error, ErrorKind, Problem};

/// A file or folder of the project's public test data (`kb-fixtures/`), each
/// folder with its PROVENANCE.md.
pub fn fixture(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../kb-fixtures").join(path)
}

/// A small, valid catalog: one of each thing. Tests replace one file with a
/// broken one and check what is reported.
pub fn base_files() -> Vec<(&'static str, String)> {
    vec![
        (
            "catalog.toml",
            r#"[catalog]
name = "Testville 311"
default_jurisdiction = "testville"
languages = ["en", "es"]

[[jurisdictions]]
id = "testville"
kind = "city"
name = "City of Testville"
time_zone = "America/Chicago"
boundary = "city-limits"

[[departments]]
id = "streets"
jurisdiction = "testville"
name = "Streets"
calendar = "city"

[[services]]
code = "ST-POTHOLE"
name = "Pothole"
description = "A hole in the street."
group = "Streets"
department = "streets"
keywords = ["pothole"]

[[services.attributes]]
code = "SIZE"
description = "How big is it?"
datatype = "singlevaluelist"
required = true
values = [{ key = "small", name = "Small" }, { key = "large", name = "Large" }]

[[synonyms]]
terms = ["trash", "garbage"]
"#
            .to_string(),
        ),
        (
            "routing.toml",
            r#"[[calendars]]
id = "city"
time_zone = "America/Chicago"

[calendars.hours]
mon = ["08:00-17:00"]

[[calendars.holidays]]
name = "Independence Day"
month = 7
day = 4
observed = true
"#
            .to_string(),
        ),
        (
            "facilities.toml",
            r#"[[facilities]]
id = "city-hall"
name = "City Hall"
kind = "office"
department = "streets"
holidays = "city"

[facilities.hours]
mon = ["08:00-12:00", "13:00-17:00"]
"#
            .to_string(),
        ),
        (
            "boundaries.geojson",
            r#"{"type": "FeatureCollection", "features": [
  {"type": "Feature", "properties": {"id": "city-limits", "name": "City limits", "kind": "city_limits", "jurisdiction": "testville"},
   "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}}
]}
"#
            .to_string(),
        ),
        (
            "articles/potholes.md",
            "+++\nid = \"potholes\"\ntitle = \"Report a pothole\"\nservices = [\"ST-POTHOLE\"]\ndepartment = \"streets\"\n+++\nCrews fill potholes in three days.\n".to_string(),
        ),
        (
            "articles/es/baches.md",
            "+++\nid = \"baches\"\ntitle = \"Reportar un bache\"\nlang = \"es\"\ntranslation_of = \"potholes\"\n+++\nLos equipos reparan los baches en tres días.\n".to_string(),
        ),
    ]
}

/// The base catalog with one file replaced (or added).
pub fn with_file(path: &'static str, text: &str) -> Vec<(&'static str, String)> {
    let mut files: Vec<_> = base_files().into_iter().filter(|(p, _)| *p != path).collect();
    files.push((path, text.to_string()));
    files
}

/// Loads files that must fail, returning the problems.
pub fn problems(files: Vec<(&'static str, String)>) -> Vec<Problem> {
    let err: Error = Catalog::from_files(files).expect_err("the catalog should have been refused");
    assert_eq!(err.kind(), ErrorKind::Catalog, "{err}");
    assert!(!err.problems().is_empty());
    err.problems().to_vec()
}

/// Asserts that exactly one problem was found, in `file` at `line`, about
/// `field`, and that its message contains every one of `words`.
#[track_caller]
pub fn one_problem(
    files: Vec<(&'static str, String)>,
    file: &str,
    line: Option<u32>,
    field: &str,
    words: &[&str],
) -> Problem {
    let found = problems(files);
    assert_eq!(found.len(), 1, "expected one problem, found: {found:#?}");
    let p = found.into_iter().next().unwrap();
    assert_eq!(p.file, file, "{p}");
    assert_eq!(p.line, line, "{p}");
    assert_eq!(p.field, field, "{p}");
    for w in words {
        assert!(p.message.contains(w), "message lacks {w:?}: {p}");
    }
    p
}
