//! Finding likely duplicates of a new request among the open ones: the same
//! or a related category, near in place and time, with a similar
//! description.
//!
//! Open requests sit in a grid of cells as wide as the search radius, keyed
//! by category, so a query looks at the nine cells around its point for each
//! related category and scores only what it finds there.

use std::collections::HashMap;
use std::sync::Arc;

use jiff::Timestamp;
use serde::Serialize;

use crate::analyzer::{Analyzer, Language, detect_language};
use crate::catalog::Catalog;
use crate::error::{Error, ErrorKind, Result};

/// Metres per degree of latitude.
const METRES_PER_DEGREE: f64 = 111_320.0;

/// How far and how long apart duplicates may be, and how sure a match must be.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateOptions {
    /// The farthest a duplicate may be, in metres (default 150).
    pub radius_m: f64,
    /// The longest time between a duplicate and the new request (default 14 days).
    pub window: jiff::SignedDuration,
    /// The lowest score reported, from 0 to 1 (default 0.5).
    pub min_score: f32,
    /// The most duplicates one query returns (default 5).
    pub limit: usize,
    /// Count requests in the same Open311 group as related (default true).
    pub related_by_group: bool,
}

impl Default for DuplicateOptions {
    fn default() -> Self {
        DuplicateOptions {
            radius_m: 150.0,
            window: jiff::SignedDuration::from_hours(14 * 24),
            min_score: 0.5,
            limit: 5,
            related_by_group: true,
        }
    }
}

/// An open request, as the finder holds it (and as a query describes a new one).
#[derive(Debug, Clone, PartialEq)]
pub struct OpenRequest {
    pub id: String,
    pub service_code: String,
    pub lat: f64,
    pub lon: f64,
    pub requested: Timestamp,
    pub description: String,
}

/// A likely duplicate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Duplicate {
    pub id: String,
    /// From 0 to 1: category, distance, time and description together.
    pub score: f32,
    pub distance_m: f64,
    /// Why, in words: "same category", "40 m away", "filed 2 days before",
    /// "descriptions share 3 of 5 words".
    pub reasons: Vec<String>,
}

struct Entry {
    id: Box<str>,
    code: u16,
    lat: f64,
    lon: f64,
    seconds: i64,
    /// Sorted, distinct hashes of the description's stems.
    words: Box<[u32]>,
}

/// Holds open requests and finds the likely duplicates of a new one.
///
/// ```
/// use civic311::Catalog;
/// use civic311::route::{DuplicateFinder, DuplicateOptions, OpenRequest};
/// use std::sync::Arc;
///
/// let mut finder = DuplicateFinder::new(Arc::new(Catalog::riverton()?), DuplicateOptions::default());
/// let at: jiff::Timestamp = "2026-03-02T15:00:00Z".parse().unwrap();
/// finder.add(OpenRequest {
///     id: "101".into(), service_code: "ST-POTHOLE".into(), lat: 38.9501, lon: -90.9402,
///     requested: at, description: "deep pothole in front of 412 maple".into(),
/// })?;
/// let new = OpenRequest {
///     id: "102".into(), service_code: "ST-POTHOLE".into(), lat: 38.9503, lon: -90.9401,
///     requested: at + jiff::SignedDuration::from_hours(5), description: "big pothole on maple".into(),
/// };
/// let found = finder.find(&new)?;
/// assert_eq!(found[0].id, "101");
/// assert!(found[0].reasons.iter().any(|r| r == "same category"));
/// # Ok::<(), civic311::Error>(())
/// ```
pub struct DuplicateFinder {
    catalog: Arc<Catalog>,
    options: DuplicateOptions,
    /// Category index by service code, and the categories related to each.
    codes: HashMap<String, u16>,
    related: Vec<Vec<u16>>,
    cells: HashMap<(u16, i32, i32), Vec<u32>>,
    slots: Vec<Option<Entry>>,
    free: Vec<u32>,
    ids: HashMap<Box<str>, u32>,
    analyzers: [Analyzer; 2],
    /// Metres per degree of longitude, at the catalog's latitude.
    lon_scale: f64,
}

impl std::fmt::Debug for DuplicateFinder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DuplicateFinder").field("open", &self.len()).field("options", &self.options).finish()
    }
}

impl DuplicateFinder {
    /// An empty finder for a catalog's categories.
    pub fn new(catalog: Arc<Catalog>, options: DuplicateOptions) -> DuplicateFinder {
        let services = catalog.services();
        let codes: HashMap<String, u16> =
            services.iter().enumerate().map(|(i, s)| (s.code.clone(), i as u16)).collect();
        let related = services
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let mut r = vec![i as u16];
                if options.related_by_group && s.group.is_some() {
                    r.extend(
                        services
                            .iter()
                            .enumerate()
                            .filter(|(j, o)| *j != i && o.group == s.group)
                            .map(|(j, _)| j as u16),
                    );
                }
                r
            })
            .collect();
        // The grid's longitude scale is fixed at the catalog's middle
        // latitude: cells are squares there, and near enough elsewhere in
        // one city. Distances themselves are computed exactly.
        let lats: Vec<f64> = catalog
            .boundaries()
            .iter()
            .filter_map(|b| geo::BoundingRect::bounding_rect(&b.area))
            .map(|r| r.center().y)
            .collect();
        let mid = if lats.is_empty() { 0.0 } else { lats.iter().sum::<f64>() / lats.len() as f64 };
        DuplicateFinder {
            catalog,
            options,
            codes,
            related,
            cells: HashMap::new(),
            slots: Vec::new(),
            free: Vec::new(),
            ids: HashMap::new(),
            analyzers: Language::ALL.map(Analyzer::new),
            lon_scale: METRES_PER_DEGREE * mid.to_radians().cos().max(0.01),
        }
    }

    /// The options it was made with.
    pub fn options(&self) -> &DuplicateOptions {
        &self.options
    }

    /// How many open requests it holds.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    fn cell(&self, lat: f64, lon: f64) -> (i32, i32) {
        let size = self.options.radius_m.max(1.0);
        ((lon * self.lon_scale / size).floor() as i32, (lat * METRES_PER_DEGREE / size).floor() as i32)
    }

    fn check(&self, r: &OpenRequest) -> Result<u16> {
        if !(-90.0..=90.0).contains(&r.lat) || !(-180.0..=180.0).contains(&r.lon) {
            return Err(Error::new(
                ErrorKind::Query,
                format!(
                    "request {}: ({}, {}) is not a latitude and longitude; latitude is from -90 to 90 and longitude from -180 to 180",
                    r.id, r.lat, r.lon
                ),
            ));
        }
        self.codes.get(&r.service_code).copied().ok_or_else(|| {
            Error::new(
                ErrorKind::Query,
                format!("request {}: unknown service code '{}'; use a code from the catalog", r.id, r.service_code),
            )
        })
    }

    fn words(&self, text: &str) -> Box<[u32]> {
        let lang = match detect_language(text) {
            Some(Language::Spanish) => 1,
            _ => 0,
        };
        let mut words: Vec<u32> = Vec::new();
        self.analyzers[lang].for_each_token(crate::search::truncate_query(text, 2_000), |t| {
            words.push(xxhash_rust::xxh3::xxh3_64(t.stem.as_bytes()) as u32)
        });
        words.sort_unstable();
        words.dedup();
        words.into_boxed_slice()
    }

    /// Adds an open request, or replaces the one with the same id.
    pub fn add(&mut self, request: OpenRequest) -> Result<()> {
        let code = self.check(&request)?;
        self.remove(&request.id);
        let entry = Entry {
            id: request.id.into_boxed_str(),
            code,
            lat: request.lat,
            lon: request.lon,
            seconds: request.requested.as_second(),
            words: self.words(&request.description),
        };
        let (cx, cy) = self.cell(entry.lat, entry.lon);
        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                self.slots.push(None);
                (self.slots.len() - 1) as u32
            }
        };
        self.cells.entry((code, cx, cy)).or_default().push(slot);
        self.ids.insert(entry.id.clone(), slot);
        self.slots[slot as usize] = Some(entry);
        Ok(())
    }

    /// Removes a request that was closed or withdrawn; false when it was not held.
    pub fn remove(&mut self, id: &str) -> bool {
        let Some(slot) = self.ids.remove(id) else { return false };
        let Some(entry) = self.slots[slot as usize].take() else { return false };
        let (cx, cy) = self.cell(entry.lat, entry.lon);
        let key = (entry.code, cx, cy);
        if let Some(list) = self.cells.get_mut(&key) {
            list.retain(|s| *s != slot);
            if list.is_empty() {
                self.cells.remove(&key);
            }
        }
        self.free.push(slot);
        true
    }

    /// The likely duplicates of a new request among the open ones, best
    /// first (never the request itself, by id).
    pub fn find(&self, request: &OpenRequest) -> Result<Vec<Duplicate>> {
        let code = self.check(request)?;
        let words = self.words(&request.description);
        let (cx, cy) = self.cell(request.lat, request.lon);
        let mut found: Vec<(f32, u32, &Entry, f64)> = Vec::new();
        for &c in &self.related[code as usize] {
            for dx in -1..=1 {
                for dy in -1..=1 {
                    let Some(slots) = self.cells.get(&(c, cx + dx, cy + dy)) else { continue };
                    for &slot in slots {
                        let Some(e) = &self.slots[slot as usize] else { continue };
                        if let Some((score, d)) = self.candidate(request, code, &words, e) {
                            found.push((score, slot, e, d));
                        }
                    }
                }
            }
        }
        Ok(self.best(request, code, &words, found))
    }

    /// The likely duplicates of a new request among `candidates`, best
    /// first, without holding them: for a caller that keeps its open
    /// requests elsewhere (a database) and checks one new request. Gives
    /// what [`add`](Self::add)ing each candidate and then
    /// [`find`](Self::find) give, but reads a candidate's description only
    /// when its category, place and time could make it a duplicate.
    /// Candidates of a service the catalog does not have are passed over.
    ///
    /// ```
    /// use civic311::Catalog;
    /// use civic311::route::{DuplicateFinder, DuplicateOptions, OpenRequest};
    /// use std::sync::Arc;
    ///
    /// let finder = DuplicateFinder::new(Arc::new(Catalog::riverton()?), DuplicateOptions::default());
    /// let at: jiff::Timestamp = "2026-03-02T15:00:00Z".parse().unwrap();
    /// let open = OpenRequest {
    ///     id: "101".into(), service_code: "ST-POTHOLE".into(), lat: 38.9501, lon: -90.9402,
    ///     requested: at, description: "deep pothole in front of 412 maple".into(),
    /// };
    /// let new = OpenRequest {
    ///     id: String::new(), service_code: "ST-POTHOLE".into(), lat: 38.9503, lon: -90.9401,
    ///     requested: at + jiff::SignedDuration::from_hours(5), description: "big pothole on maple".into(),
    /// };
    /// assert_eq!(finder.find_among(&new, [open])?[0].id, "101");
    /// # Ok::<(), civic311::Error>(())
    /// ```
    pub fn find_among(
        &self,
        request: &OpenRequest,
        candidates: impl IntoIterator<Item = OpenRequest>,
    ) -> Result<Vec<Duplicate>> {
        let code = self.check(request)?;
        let words = self.words(&request.description);
        let related = &self.related[code as usize];
        let mut entries: Vec<Entry> = Vec::new();
        for c in candidates {
            let Some(&c_code) = self.codes.get(&c.service_code) else { continue };
            let seconds = c.requested.as_second();
            if !related.contains(&c_code)
                || *c.id == *request.id
                || (request.requested.as_second() - seconds).abs() > self.options.window.as_secs().max(1)
                || distance_m(request.lat, request.lon, c.lat, c.lon) > self.options.radius_m
            {
                continue;
            }
            entries.push(Entry {
                words: self.words(&c.description),
                id: c.id.into_boxed_str(),
                code: c_code,
                lat: c.lat,
                lon: c.lon,
                seconds,
            });
        }
        let found = entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| self.candidate(request, code, &words, e).map(|(score, d)| (score, i as u32, e, d)))
            .collect();
        Ok(self.best(request, code, &words, found))
    }

    /// The score and distance of an open request as a duplicate of a new
    /// one; `None` when it is the request itself, too far in time or place,
    /// or scores too low.
    fn candidate(&self, request: &OpenRequest, code: u16, words: &[u32], e: &Entry) -> Option<(f32, f64)> {
        let seconds = request.requested.as_second();
        if *e.id == *request.id || (seconds - e.seconds).abs() > self.options.window.as_secs().max(1) {
            return None;
        }
        let d = distance_m(request.lat, request.lon, e.lat, e.lon);
        if d > self.options.radius_m {
            return None;
        }
        let score = self.score(code, e, d, seconds, words);
        (score >= self.options.min_score).then_some((score, d))
    }

    /// The best of the candidates found (score, the order they were held
    /// or given in, entry, distance), best first, with their reasons. Ties
    /// go to the one held or given first.
    fn best(
        &self,
        request: &OpenRequest,
        code: u16,
        words: &[u32],
        mut found: Vec<(f32, u32, &Entry, f64)>,
    ) -> Vec<Duplicate> {
        let seconds = request.requested.as_second();
        found.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        found.truncate(self.options.limit);
        found
            .into_iter()
            .map(|(score, _, e, d)| {
                let shared = shared(words, &e.words);
                let reasons = self.reasons(e.code == code, e, d, seconds, shared, words.len() + e.words.len() - shared);
                Duplicate { id: e.id.to_string(), score, distance_m: (d * 10.0).round() / 10.0, reasons }
            })
            .collect()
    }

    /// The score of a candidate: category 35%, nearness 25%, recency 15%,
    /// description 25% (the Jaccard share of stems).
    fn score(&self, code: u16, e: &Entry, d: f64, seconds: i64, words: &[u32]) -> f32 {
        let category = if e.code == code { 1.0 } else { 0.6 };
        let near = 1.0 - (d / self.options.radius_m.max(1.0)) as f32;
        let apart = (seconds - e.seconds).abs();
        let recent = (1.0 - apart as f32 / self.options.window.as_secs().max(1) as f32).max(0.0);
        let shared = shared(words, &e.words);
        let union = words.len() + e.words.len() - shared;
        // Two requests without descriptions are neither alike nor unlike.
        let text = if union == 0 { 0.5 } else { shared as f32 / union as f32 };
        0.35 * category + 0.25 * near + 0.15 * recent + 0.25 * text
    }

    fn reasons(&self, same: bool, e: &Entry, d: f64, seconds: i64, shared: usize, union: usize) -> Vec<String> {
        let mut r = Vec::with_capacity(4);
        r.push(if same {
            "same category".to_string()
        } else {
            format!("related category ({})", self.catalog.services()[e.code as usize].code)
        });
        r.push(format!("{:.0} m away", d));
        let apart = seconds - e.seconds;
        let hours = apart.abs() / 3600;
        let when = if hours < 1 {
            "less than an hour".to_string()
        } else if hours < 48 {
            format!("{hours} hours")
        } else {
            format!("{} days", hours / 24)
        };
        r.push(format!("filed {when} {}", if apart >= 0 { "before" } else { "after" }));
        if union > 0 {
            r.push(format!("descriptions share {shared} of {union} words"));
        }
        r
    }
}

/// How many values two sorted slices share.
fn shared(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// The great-circle distance in metres (haversine).
fn distance_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * a.sqrt().asin()
}
