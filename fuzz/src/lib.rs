//! What the fuzz targets share: a small catalog whose files the catalog
//! targets replace one at a time (so that references across files are
//! exercised without paying for Riverton's 200 kB of TOML on every run),
//! and Riverton's engine, built once per process, for the targets that
//! search, classify and route.

use std::sync::OnceLock;

use civic311::{Catalog, Engine};

pub const CATALOG_TOML: &str = r#"[catalog]
name = "Fuzzton 311"
default_jurisdiction = "fuzzton"
languages = ["en", "es"]

[[jurisdictions]]
id = "fuzzton"
kind = "city"
name = "City of Fuzzton"
time_zone = "America/Chicago"
url = "https://fuzzton.example"
boundary = "city-limits"

[[jurisdictions]]
id = "county"
kind = "county"
name = "Fuzz County"
time_zone = "America/Denver"

[[departments]]
id = "streets"
jurisdiction = "fuzzton"
name = "Streets"
calendar = "city"

[[departments]]
id = "roads"
jurisdiction = "county"
name = "County Roads"

[[services]]
code = "ST-POTHOLE"
name = "Pothole"
group = "Streets"
department = "streets"
description = "A hole in the street."
keywords = ["pothole", "hole in the road"]
phrasings = ["big pothole on maple", "hay un bache en mi calle"]

[[services.attributes]]
code = "SIZE"
description = "How big?"
datatype = "singlevaluelist"
required = true
values = [{ key = "small", name = "Small" }, { key = "large", name = "Large" }]

[[services]]
code = "RD-SHOULDER"
name = "Road shoulder"
department = "roads"
description = "A county road's shoulder is washed out."

[[synonyms]]
lang = "en"
terms = ["pothole", "chuckhole"]
"#;

pub const ROUTING_TOML: &str = r#"[[calendars]]
id = "city"
time_zone = "America/Chicago"

[calendars.hours]
mon = ["08:00-12:00", "13:00-17:00"]
tue = ["08:00-17:00"]
fri = ["08:00-17:00"]

[[calendars.holidays]]
name = "New Year's Day"
month = 1
day = 1
observed = true

[[calendars.holidays]]
name = "Labor Day"
month = 9
weekday = "mon"
nth = 1

[slas]
default = "5 business days"
ST-POTHOLE = "3 business days"

[[rules]]
id = "outside-city"
description = "Outside the city limits, the county fixes roads."
services = ["ST-POTHOLE"]
outside = ["city-limits"]
department = "roads"
refer = true

[[rules]]
id = "large-after-hours"
description = "Large holes after hours are urgent."
services = ["ST-POTHOLE"]
attributes = { SIZE = ["large"] }
keywords = ["tire", "accident"]
when = ["after-hours"]
priority = "high"
sla = "4 hours"
escalate = { to = "streets", after = "2 business hours" }
"#;

pub const FACILITIES_TOML: &str = r#"[[facilities]]
id = "yard"
name = "Streets yard"
kind = "yard"
department = "streets"
location = { lat = 38.95, lon = -90.94 }
keywords = ["yard", "salt"]
holidays = "city"

[facilities.hours]
mon = ["07:00-15:30"]
sat = ["09:00-12:00"]

[[facilities.exceptions]]
date = "2026-12-24"
closed = true
note = "Christmas Eve"
"#;

pub const BOUNDARIES_GEOJSON: &str = r#"{"type": "FeatureCollection", "features": [
 {"type": "Feature", "properties": {"id": "city-limits", "name": "City limits", "kind": "city_limits", "jurisdiction": "fuzzton"},
  "geometry": {"type": "Polygon", "coordinates": [[[-91.0, 38.9], [-90.9, 38.9], [-90.9, 39.0], [-91.0, 39.0], [-91.0, 38.9]],
   [[-90.96, 38.94], [-90.95, 38.94], [-90.95, 38.95], [-90.96, 38.94]]]}}]}"#;

pub const ARTICLE_EN: &str = r#"+++
id = "potholes"
title = "Potholes"
services = ["ST-POTHOLE"]
keywords = ["pothole"]
questions = ["how do i report a pothole"]
url = "/streets/potholes"
+++
Report a **pothole** with [311](https://fuzzton.example/311).

## When we fix it

- Within three business days.
"#;

pub const ARTICLE_ES: &str = r#"+++
id = "baches"
title = "Baches"
lang = "es"
translation_of = "potholes"
+++
Reporte un bache.
"#;

/// The small catalog's files, with `name` replaced by `text`.
pub fn files_with(name: &str, text: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = [
        ("catalog.toml", CATALOG_TOML),
        ("routing.toml", ROUTING_TOML),
        ("facilities.toml", FACILITIES_TOML),
        ("boundaries.geojson", BOUNDARIES_GEOJSON),
        ("articles/potholes.md", ARTICLE_EN),
        ("articles/baches.md", ARTICLE_ES),
    ]
    .into_iter()
    .map(|(n, t)| (n.to_string(), t.to_string()))
    .collect();
    match files.iter_mut().find(|(n, _)| n == name) {
        Some(f) => f.1 = text.to_string(),
        None => files.push((name.to_string(), text.to_string())),
    }
    files
}

/// Loads the small catalog with one file replaced; a loaded catalog is
/// also built into an engine and searched, so that whatever loads is used.
pub fn load_with(name: &str, text: &str) {
    if let Ok(catalog) = Catalog::from_files(files_with(name, text))
        && let Ok(engine) = Engine::build(catalog)
    {
        let _ = engine.search("pothole", &Default::default());
        let _ = engine.to_bundle().map(|b| Engine::from_bundle(&b).expect("a bundle of a valid catalog loads"));
    }
}

/// Riverton's engine, built once.
pub fn riverton() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::build(Catalog::riverton().expect("Riverton loads")).expect("Riverton builds"))
}

/// Splits off the first byte as a selector.
pub fn selector(data: &[u8]) -> Option<(u8, &[u8])> {
    data.split_first().map(|(s, rest)| (*s, rest))
}

/// The bundle checksum (xxh3-64), so that crafted bundles get past it.
pub fn xxh3(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}
