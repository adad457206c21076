//! The catalog as a bundle stores it: the model, already read and checked
//! from the catalog's files, as JSON.
//!
//! Loading it needs no TOML, Markdown or GeoJSON reader, which keeps them out
//! of the browser's build (about 100 kB of its download) and makes loading
//! faster. A bundle's checksum tells damage, not intent, so what is read
//! back is checked again for everything the engine relies on: ids unique,
//! every reference known, hours in order, zones known, links safe, polygons
//! closed. A bundle that fails is refused with what is wrong.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::boundaries::{Boundary, check_rings};
use super::hours::{TimeRange, normalize_day};
use super::load::{is_language_tag, url_problem};
use super::model::{Article, Department, Facility, Jurisdiction, ServiceCategory, SynonymGroup};
use super::source::{CODE_RULE, id_problem, is_valid_code, quote_id};
use super::{Calendar, Catalog, DAY_NAMES, WeeklyHours};
use crate::classify::cues::{LocalCues, MAX_WINDOW, cue_word};
use crate::route::{Rule, ServiceLevels};

/// A polygon as rings of `[longitude, latitude]`, the outer ring first.
type Rings = Vec<Vec<[f64; 2]>>;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredBoundary {
    id: String,
    name: String,
    kind: String,
    jurisdiction: Option<String>,
    polygons: Vec<Rings>,
}

/// The catalog's parts, as a bundle is read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredCatalog {
    name: String,
    default_jurisdiction: Option<String>,
    languages: Vec<String>,
    jurisdictions: Vec<Jurisdiction>,
    departments: Vec<Department>,
    services: Vec<ServiceCategory>,
    synonyms: Vec<SynonymGroup>,
    articles: Vec<Article>,
    facilities: Vec<Facility>,
    calendars: Vec<Calendar>,
    boundaries: Vec<StoredBoundary>,
    rules: Vec<Rule>,
    slas: ServiceLevels,
    /// Absent from bundles written before catalogs had cues of their own.
    #[serde(default)]
    triage: LocalCues,
}

/// The same parts borrowed from a catalog, as a bundle is written: nothing
/// is copied to be serialized. (A separate type rather than `Cow`s in one:
/// the browser's build only reads, and keeps no `Cow` handling.)
#[derive(Serialize)]
struct StoredCatalogRef<'a> {
    name: &'a str,
    default_jurisdiction: Option<&'a str>,
    languages: &'a [String],
    jurisdictions: &'a [Jurisdiction],
    departments: &'a [Department],
    services: &'a [ServiceCategory],
    synonyms: &'a [SynonymGroup],
    articles: &'a [Article],
    facilities: &'a [Facility],
    calendars: &'a [Calendar],
    boundaries: Vec<StoredBoundary>,
    rules: &'a [Rule],
    slas: &'a ServiceLevels,
    #[serde(skip_serializing_if = "LocalCues::is_empty")]
    triage: &'a LocalCues,
}

impl Catalog {
    /// The catalog as a bundle stores it. The same catalog always gives the
    /// same bytes.
    pub(crate) fn to_stored(&self) -> Vec<u8> {
        let boundaries = self
            .boundaries
            .iter()
            .map(|b| StoredBoundary {
                id: b.id.clone(),
                name: b.name.clone(),
                kind: b.kind.clone(),
                jurisdiction: b.jurisdiction.clone(),
                polygons: b
                    .area
                    .0
                    .iter()
                    .map(|p| {
                        std::iter::once(p.exterior())
                            .chain(p.interiors())
                            .map(|ring| ring.coords().map(|c| [c.x, c.y]).collect())
                            .collect()
                    })
                    .collect(),
            })
            .collect();
        let stored = StoredCatalogRef {
            name: &self.name,
            default_jurisdiction: self.default_jurisdiction.as_deref(),
            languages: &self.languages,
            jurisdictions: &self.jurisdictions,
            departments: &self.departments,
            services: &self.services,
            synonyms: &self.synonyms,
            articles: &self.articles,
            facilities: &self.facilities,
            calendars: &self.calendars,
            boundaries,
            rules: &self.rules,
            slas: &self.slas,
            triage: &self.triage,
        };
        // Note: every type here serializes to JSON without fail (string keys,
        // finite numbers), so the empty fallback is never taken.
        serde_json::to_vec(&stored).unwrap_or_default()
    }

    /// Reads back what [`Catalog::to_stored`] wrote and checks it; the error
    /// says what is wrong.
    pub(crate) fn from_stored(bytes: &[u8]) -> Result<Catalog, String> {
        let stored: StoredCatalog = serde_json::from_slice(bytes).map_err(|e| format!("it does not read: {e}"))?;
        let mut boundaries = Vec::with_capacity(stored.boundaries.len());
        for b in stored.boundaries {
            check_rings(&b.polygons, |p| p.as_slice()).map_err(|e| format!("boundary '{}': {e}", b.id))?;
            let polygons = b.polygons.into_iter().map(|rings| {
                let mut rings = rings.into_iter().map(geo::LineString::from);
                let exterior = rings.next().unwrap_or_else(|| geo::LineString::new(Vec::new()));
                geo::Polygon::new(exterior, rings.collect())
            });
            boundaries.push(Boundary::new(
                b.id,
                b.name,
                b.kind,
                b.jurisdiction,
                geo::MultiPolygon::new(polygons.collect()),
            ));
        }
        let mut catalog = Catalog {
            name: stored.name,
            default_jurisdiction: stored.default_jurisdiction,
            languages: stored.languages,
            jurisdictions: stored.jurisdictions,
            departments: stored.departments,
            services: stored.services,
            synonyms: stored.synonyms,
            articles: stored.articles,
            facilities: stored.facilities,
            calendars: stored.calendars,
            boundaries,
            rules: stored.rules,
            slas: stored.slas,
            triage: stored.triage,
            ..Catalog::empty()
        };
        catalog.reindex();
        check(&catalog)?;
        Ok(catalog)
    }
}

/// Everything the engine relies on of a catalog that was not read from its
/// files here: the first thing wrong.
fn check(c: &Catalog) -> Result<(), String> {
    // Ids and codes as the loader takes them, each defined once.
    let code_problem = |code: &str| (!is_valid_code(code)).then(|| CODE_RULE.to_string());
    let ids = |kind: &str, ids: Vec<&str>, problem: &dyn Fn(&str) -> Option<String>| -> Result<(), String> {
        let mut seen = HashSet::new();
        for id in ids {
            if let Some(why) = problem(id) {
                return Err(format!("its {kind} {} is not well formed: {why}", quote_id(id)));
            }
            if !seen.insert(id) {
                return Err(format!("{kind} {} is defined twice", quote_id(id)));
            }
        }
        Ok(())
    };
    ids("jurisdiction", c.jurisdictions.iter().map(|x| x.id.as_str()).collect(), &id_problem)?;
    ids("department", c.departments.iter().map(|x| x.id.as_str()).collect(), &id_problem)?;
    ids("service", c.services.iter().map(|x| x.code.as_str()).collect(), &code_problem)?;
    ids("article", c.articles.iter().map(|x| x.id.as_str()).collect(), &id_problem)?;
    ids("facility", c.facilities.iter().map(|x| x.id.as_str()).collect(), &id_problem)?;
    ids("calendar", c.calendars.iter().map(|x| x.id.as_str()).collect(), &id_problem)?;
    ids("boundary", c.boundaries.iter().map(|x| x.id.as_str()).collect(), &id_problem)?;
    ids("rule", c.rules.iter().map(|x| x.id.as_str()).collect(), &id_problem)?;

    // Note: the same rules as cues::check_cue, written small on purpose:
    // bundles are read in the browser's engine, and check_cue's messages
    // took it over its size bar (2.8 kB brotli) when tried here.
    for cue in c.triage.cues.iter().chain(&c.triage.warnings) {
        let words = cue.slots.iter().flatten().chain(&cue.cancel_next).chain(&cue.cancel_near);
        let well_formed = !cue.name.trim().is_empty()
            && (1..=MAX_WINDOW).contains(&cue.window)
            && !cue.slots.is_empty()
            && cue.slots.iter().all(|s| !s.is_empty());
        if !well_formed || words.into_iter().any(|w| cue_word(w).as_deref() != Ok(w.as_str())) {
            return Err(format!("its triage cue '{}' is not well formed", cue.name));
        }
    }
    if c.languages.is_empty() || !c.languages.iter().all(|l| is_language_tag(l)) {
        return Err(format!("its languages {:?} are not a list of language tags such as \"en\"", c.languages));
    }
    let known = |kind: &str, found: bool, id: &str, of: &str| -> Result<(), String> {
        if found { Ok(()) } else { Err(format!("{of} names the unknown {kind} '{id}'")) }
    };
    let zone = |name: &str, of: &str| -> Result<(), String> {
        if crate::zones::get(name).is_some() {
            Ok(())
        } else {
            Err(format!("{of} has the time zone '{name}', which neither this build nor the bundle carries"))
        }
    };
    let link = |url: &Option<String>, of: &str| -> Result<(), String> {
        match url.as_deref().and_then(url_problem) {
            Some(problem) => Err(format!("{of}: {problem}")),
            None => Ok(()),
        }
    };
    if let Some(id) = &c.default_jurisdiction {
        known("jurisdiction", c.jurisdiction(id).is_some(), id, "the catalog")?;
    }
    for j in &c.jurisdictions {
        let of = format!("jurisdiction '{}'", j.id);
        zone(&j.time_zone, &of)?;
        link(&j.url, &of)?;
        if let Some(b) = &j.boundary {
            known("boundary", c.boundary(b).is_some(), b, &of)?;
        }
    }
    for d in &c.departments {
        let of = format!("department '{}'", d.id);
        known("jurisdiction", c.jurisdiction(&d.jurisdiction).is_some(), &d.jurisdiction, &of)?;
        link(&d.url, &of)?;
        if let Some(cal) = &d.calendar {
            known("calendar", c.calendar(cal).is_some(), cal, &of)?;
        }
    }
    for s in &c.services {
        let of = format!("service '{}'", s.code);
        known("department", c.department(&s.department).is_some(), &s.department, &of)?;
        for a in &s.articles {
            known("article", c.article(a).is_some(), a, &of)?;
        }
    }
    for a in &c.articles {
        let of = format!("article '{}'", a.id);
        known("language", c.languages.contains(&a.lang), &a.lang, &of)?;
        link(&a.url, &of)?;
        for s in &a.services {
            known("service", c.service(s).is_some(), s, &of)?;
        }
        if let Some(d) = &a.department {
            known("department", c.department(d).is_some(), d, &of)?;
        }
        if let Some(t) = &a.translation_of {
            known("article", c.article(t).is_some(), t, &of)?;
        }
    }
    for f in &c.facilities {
        let of = format!("facility '{}'", f.id);
        zone(&f.time_zone, &of)?;
        link(&f.url, &of)?;
        if let Some(d) = &f.department {
            known("department", c.department(d).is_some(), d, &of)?;
        }
        if let Some(cal) = &f.holidays {
            known("calendar", c.calendar(cal).is_some(), cal, &of)?;
        }
        if let Some(l) = f.location
            && !(l.lat.is_finite() && l.lon.is_finite() && l.lat.abs() <= 90.0 && l.lon.abs() <= 180.0)
        {
            return Err(format!("{of} has a location off the globe ({}, {})", l.lat, l.lon));
        }
        week(&f.hours, &of)?;
        for e in &f.exceptions {
            day(&e.hours, &format!("{of}, on {}", e.date))?;
        }
    }
    for cal in &c.calendars {
        let of = format!("calendar '{}'", cal.id);
        zone(&cal.time_zone, &of)?;
        week(&cal.hours, &of)?;
    }
    for b in &c.boundaries {
        if let Some(j) = &b.jurisdiction {
            known("jurisdiction", c.jurisdiction(j).is_some(), j, &format!("boundary '{}'", b.id))?;
        }
    }
    for r in &c.rules {
        let of = format!("rule '{}'", r.id);
        for s in &r.services {
            known("service", c.service(s).is_some(), s, &of)?;
        }
        for b in r.inside.iter().chain(&r.outside) {
            known("boundary", c.boundary(b).is_some(), b, &of)?;
        }
        if let Some(d) = &r.department {
            known("department", c.department(d).is_some(), d, &of)?;
        }
        if let Some(e) = &r.escalate {
            known("department", c.department(&e.to).is_some(), &e.to, &of)?;
        }
    }
    for code in c.slas.by_service.keys() {
        known("service", c.service(code).is_some(), code, "the service levels")?;
    }
    Ok(())
}

/// A week's hours: each day's ranges in order, none overlapping.
fn week(hours: &WeeklyHours, of: &str) -> Result<(), String> {
    for (i, name) in DAY_NAMES.iter().enumerate() {
        let weekday = jiff::civil::Weekday::from_monday_zero_offset(i as i8).unwrap_or(jiff::civil::Weekday::Monday);
        day(hours.on(weekday), &format!("{of}, on {name}"))?;
    }
    Ok(())
}

fn day(ranges: &[TimeRange], of: &str) -> Result<(), String> {
    let mut sorted = ranges.to_vec();
    normalize_day(&mut sorted).map_err(|e| format!("{of}: {e}"))?;
    if sorted != ranges {
        return Err(format!("{of}: the hours are not in order"));
    }
    Ok(())
}
