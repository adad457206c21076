//! Reports over the stored requests: how many came in, by what and where,
//! against the period before; which categories rise beyond chance; and the
//! service levels (within SLA, overdue, time to acknowledge and to close,
//! the backlog by age, reopened, referred, merged as duplicates).
//!
//! A report reads a narrow projection of the requests filed in the period
//! and the period before it, the open requests, and the reopen events, and
//! aggregates in Rust. Days, weeks (from Monday) and months are counted in
//! each request's own time zone, so a week that changes to or from summer
//! time is still one week of the calendar.

use std::collections::{BTreeMap, HashMap, HashSet};

use civic311::catalog::Boundary;
use civic311::{Error, ErrorKind, Result};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::Serialize;

use crate::Store;
use crate::db::{Mode, Value};

mod html;
mod questions;

pub use questions::{InquiryLevel, QuestionGroup, Questions};

/// How a report's volumes are bucketed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Bucket {
    Day,
    /// Weeks start on Monday.
    #[default]
    Week,
    Month,
}

impl Bucket {
    /// `day`, `week` or `month`.
    pub fn parse(text: &str) -> Option<Bucket> {
        match text.trim().to_ascii_lowercase().as_str() {
            "day" | "daily" => Some(Bucket::Day),
            "week" | "weekly" => Some(Bucket::Week),
            "month" | "monthly" => Some(Bucket::Month),
            _ => None,
        }
    }

    /// The first day of the bucket that holds `date`.
    fn start(self, date: Date) -> Date {
        match self {
            Bucket::Day => date,
            Bucket::Week => date - i64::from(date.weekday().to_monday_zero_offset()).days(),
            Bucket::Month => date.first_of_month(),
        }
    }
}

/// What a report covers.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// The first day of the period (in each request's own time zone).
    pub from: Date,
    /// The last day of the period, included.
    pub to: Date,
    pub by: Bucket,
    /// The moment "open", "overdue" and "age" are measured at.
    pub now: Timestamp,
    /// Districts to count by: the boundaries of one kind from a catalog
    /// (`council_district`, ...), as `(kind, boundaries)`. A request in none
    /// of them, or without a place, counts under "(none)".
    pub districts: Option<(String, Vec<Boundary>)>,
    /// How many rising categories to list.
    pub rising: usize,
    /// Only these departments' requests (empty: every request). A staff
    /// member's view of their own queue.
    pub departments: Vec<String>,
    /// The engine that groups the period's searches by what they ask and
    /// names, for those nothing answers, the department that should know
    /// (see [`Questions`]). Without it, searches are grouped by their words,
    /// and "unanswered" means searches that found no answer.
    pub engine: Option<std::sync::Arc<civic311::Engine>>,
}

impl ReportOptions {
    /// The default period, `(from, to)`: the 28 days ending on `to`, or
    /// ending yesterday (UTC, at `now`) when no `to` is given.
    pub fn four_weeks_ending(to: Option<Date>, now: Timestamp) -> (Date, Date) {
        let to = to.unwrap_or_else(|| now.to_zoned(TimeZone::UTC).date().yesterday().unwrap_or_default());
        (to.checked_sub(27.days()).unwrap_or(to), to)
    }

    /// The districts of a catalog to count by: its boundaries of `kind`
    /// (`council_district`, ...). A kind it has none of is a
    /// [`Query`](ErrorKind::Query) error naming the kinds it has.
    pub fn districts_of(catalog: &civic311::Catalog, kind: &str) -> Result<(String, Vec<Boundary>)> {
        let boundaries: Vec<Boundary> = catalog.boundaries().iter().filter(|b| b.kind == kind).cloned().collect();
        if boundaries.is_empty() {
            let mut kinds: Vec<&str> = catalog.boundaries().iter().map(|b| b.kind.as_str()).collect();
            kinds.sort();
            kinds.dedup();
            return Err(Error::new(
                ErrorKind::Query,
                format!(
                    "the catalog has no boundaries of kind '{kind}'; its kinds are: {}",
                    if kinds.is_empty() { "none".to_string() } else { kinds.join(", ") }
                ),
            ));
        }
        Ok((kind.to_string(), boundaries))
    }

    /// The period from `from` to `to` (both included), by week, measured now.
    pub fn new(from: Date, to: Date) -> ReportOptions {
        ReportOptions {
            from,
            to,
            by: Bucket::Week,
            now: Timestamp::now(),
            districts: None,
            rising: 10,
            departments: Vec::new(),
            engine: None,
        }
    }
}

/// A report: every table serializes, and [`Report::tables`] gives them as
/// rows for CSV and data frames.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub from: Date,
    pub to: Date,
    /// The period before, of the same length.
    pub previous_from: Date,
    pub previous_to: Date,
    pub by: Bucket,
    pub now: Timestamp,
    /// Requests filed in the period, and in the period before.
    pub total: u64,
    pub previous_total: u64,
    /// Counts per bucket, for each dimension and value.
    pub volumes: Vec<Volume>,
    /// Each dimension's values over the whole period, against the period
    /// before.
    pub changes: Vec<Change>,
    /// The categories whose rise is unlikely to be chance, fastest first.
    pub rising: Vec<Rising>,
    /// Service levels by category, by department, and overall (`"(all)"`).
    pub service_levels: Vec<ServiceLevel>,
    /// Open requests at `now`, by department and age.
    pub backlog: Vec<Backlog>,
    /// Requests of the period referred to another jurisdiction, by which.
    pub referrals: Vec<Count>,
    /// Requests of the period merged into another as its duplicate, by
    /// category.
    pub duplicates: Vec<Count>,
    /// What residents searched for in the period, and the questions
    /// escalated to departments.
    pub questions: Questions,
}

/// How many requests of one dimension's value fell in one bucket.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Volume {
    /// `category`, `department`, `jurisdiction`, `district`, `channel` or
    /// `reporter`.
    pub dimension: &'static str,
    pub value: String,
    /// The bucket's first day.
    pub bucket: Date,
    pub count: u64,
}

/// One dimension's value over the period, against the period before.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub dimension: &'static str,
    pub value: String,
    pub count: u64,
    pub previous: u64,
    /// `count - previous`.
    pub change: i64,
    /// The change as a percent of `previous`; `None` when there was none.
    pub percent: Option<f64>,
}

/// A category that rose: its counts, the ratio, and the test's verdict.
///
/// The test is the exact conditional test for two Poisson counts over
/// periods of equal length: given `count + previous` requests, under no
/// change each fell in the current period with probability 1/2, so the
/// one-sided p-value is P(X ≥ count) for X ~ Binomial(count + previous,
/// 1/2). The p-values of all categories are then adjusted for testing many
/// at once (Benjamini–Hochberg), and a category is listed when its adjusted
/// value (`q`) is below 0.05.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rising {
    pub category: String,
    pub count: u64,
    pub previous: u64,
    /// `(count + 0.5) / (previous + 0.5)`.
    pub ratio: f64,
    pub p: f64,
    pub q: f64,
}

/// Service levels of one group of requests filed in the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceLevel {
    /// `category`, `department` or `all`.
    pub dimension: &'static str,
    pub value: String,
    pub requests: u64,
    /// Requests with a due time that is past, or that were closed: the
    /// ones whose SLA is decided.
    pub sla_decided: u64,
    /// Of those, closed by their due time.
    pub within_sla: u64,
    pub within_sla_percent: Option<f64>,
    /// Open at `now`, and of those past their due time.
    pub open: u64,
    pub overdue: u64,
    pub overdue_percent: Option<f64>,
    /// Hours from filed to acknowledged, and to closed.
    pub acknowledge_hours_p50: Option<f64>,
    pub acknowledge_hours_p90: Option<f64>,
    pub close_hours_p50: Option<f64>,
    pub close_hours_p90: Option<f64>,
    /// Requests closed at least once, and of those reopened.
    pub closed: u64,
    pub reopened: u64,
    pub reopen_percent: Option<f64>,
}

/// Open requests of one department in one age band.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Backlog {
    pub department: String,
    /// `under 1 day`, `1-3 days`, `3-7 days`, `7-30 days`, `30-90 days`,
    /// `over 90 days`.
    pub age: &'static str,
    pub open: u64,
    pub overdue: u64,
}

/// A count of one value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Count {
    pub value: String,
    pub count: u64,
}

/// A report's table as rows of text: a CSV file or a data frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub name: &'static str,
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

/// A cell of a [`Table`].
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Real(f64),
    Empty,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}
impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}
impl From<u64> for Cell {
    fn from(n: u64) -> Cell {
        Cell::Int(n as i64)
    }
}
impl From<i64> for Cell {
    fn from(n: i64) -> Cell {
        Cell::Int(n)
    }
}
impl From<f64> for Cell {
    fn from(x: f64) -> Cell {
        Cell::Real(x)
    }
}
impl From<Option<f64>> for Cell {
    fn from(x: Option<f64>) -> Cell {
        x.map(Cell::Real).unwrap_or(Cell::Empty)
    }
}
impl From<Date> for Cell {
    fn from(d: Date) -> Cell {
        Cell::Text(d.to_string())
    }
}

const NONE: &str = "(none)";
const ALL: &str = "(all)";
const AGES: [(&str, i64); 6] = [
    ("under 1 day", 86_400),
    ("1-3 days", 3 * 86_400),
    ("3-7 days", 7 * 86_400),
    ("7-30 days", 30 * 86_400),
    ("30-90 days", 90 * 86_400),
    ("over 90 days", i64::MAX),
];

/// One request as a report reads it.
struct Row {
    id: String,
    category: String,
    department: Option<String>,
    jurisdiction: Option<String>,
    channel: Option<String>,
    reporter: String,
    lat: Option<f64>,
    lon: Option<f64>,
    closed: bool,
    requested: i64,
    acknowledged: Option<i64>,
    closed_at: Option<i64>,
    expected: Option<i64>,
    zone: String,
    duplicate_of: Option<String>,
    referred_to: Option<String>,
}

impl Store {
    /// A report over the requests filed from `options.from` to
    /// `options.to`, against the period of the same length before.
    ///
    /// ```
    /// # use civic311_store::{ReportOptions, Store};
    /// let store = Store::open("sqlite::memory:")?;
    /// let from = jiff::civil::date(2026, 3, 2);
    /// let report = store.report(&ReportOptions::new(from, from + jiff::ToSpan::days(27)))?;
    /// assert_eq!(report.total, 0);
    /// assert_eq!(report.previous_from, jiff::civil::date(2026, 2, 2));
    /// # Ok::<(), civic311::Error>(())
    /// ```
    pub fn report(&self, options: &ReportOptions) -> Result<Report> {
        if options.to < options.from {
            return Err(Error::new(
                ErrorKind::Query,
                format!(
                    "the report's period ends ({}) before it begins ({}); give --to on or after --from",
                    options.to, options.from
                ),
            ));
        }
        let days = options.from.until(options.to).map_err(|e| Error::new(ErrorKind::Query, e.to_string()))?.get_days()
            as i64
            + 1;
        let previous_from = options.from - days.days();
        let previous_to = options.from - 1.day();
        // Seconds that surely hold both periods in any time zone (a day of
        // slack on each side); the exact days are checked per request.
        let first = utc_midnight(previous_from) - 2 * 86_400;
        let last = utc_midnight(options.to) + 3 * 86_400;
        let now = options.now.as_second();
        let (rows, open, reopened) = self.transaction(Mode::Read, |c| {
            let rows = c.query(
                "SELECT id, service_code, department, jurisdiction, channel, reporter, lat, lon, state, requested_at, \
                 acknowledged_at, closed_at, expected_at, time_zone, duplicate_of, referred_to \
                 FROM requests WHERE requested_at >= ? AND requested_at < ?",
                &[Value::Int(first), Value::Int(last)],
            )?;
            let open = c.query(
                "SELECT department, requested_at, expected_at FROM requests WHERE state <> 'closed' AND requested_at <= ?",
                &[Value::Int(now)],
            )?;
            let reopened = c.query(
                "SELECT DISTINCT request_id FROM request_events WHERE kind = 'reopened' AND at >= ?",
                &[Value::Int(first)],
            )?;
            Ok((rows, open, reopened))
        })?;
        let reopened: HashSet<String> =
            reopened.into_iter().filter_map(|r| r.into_iter().next()?.into_text()).collect();
        let mut zones: HashMap<String, TimeZone> = HashMap::new();
        let mut current: Vec<(Row, Date)> = Vec::new();
        let mut previous_counts: BTreeMap<(&'static str, String), u64> = BTreeMap::new();
        let mut previous_total = 0;
        let wanted = |department: Option<&str>| {
            options.departments.is_empty() || department.is_some_and(|d| options.departments.iter().any(|w| w == d))
        };
        for row in rows {
            let row = read_row(row);
            if !wanted(row.department.as_deref()) {
                continue;
            }
            if !zones.contains_key(&row.zone) {
                zones.insert(row.zone.clone(), crate::rows::zone(&row.zone));
            }
            let zone = zones[&row.zone].clone();
            let Ok(day) = Timestamp::from_second(row.requested).map(|t| t.to_zoned(zone).date()) else { continue };
            if day >= options.from && day <= options.to {
                current.push((row, day));
            } else if day >= previous_from && day <= previous_to {
                previous_total += 1;
                for (dimension, value) in dimensions(&row, options.districts.as_ref()) {
                    *previous_counts.entry((dimension, value)).or_default() += 1;
                }
            }
        }

        // Volumes and changes.
        let mut buckets: BTreeMap<(&'static str, String, Date), u64> = BTreeMap::new();
        let mut counts: BTreeMap<(&'static str, String), u64> = BTreeMap::new();
        for (row, day) in &current {
            let bucket = options.by.start(*day);
            for (dimension, value) in dimensions(row, options.districts.as_ref()) {
                *buckets.entry((dimension, value.clone(), bucket)).or_default() += 1;
                *counts.entry((dimension, value)).or_default() += 1;
            }
        }
        let volumes = buckets
            .into_iter()
            .map(|((dimension, value, bucket), count)| Volume { dimension, value, bucket, count })
            .collect();
        let mut keys: Vec<(&'static str, String)> = counts.keys().chain(previous_counts.keys()).cloned().collect();
        keys.sort();
        keys.dedup();
        let changes: Vec<Change> = keys
            .into_iter()
            .map(|key| {
                let count = counts.get(&key).copied().unwrap_or(0);
                let previous = previous_counts.get(&key).copied().unwrap_or(0);
                Change {
                    dimension: key.0,
                    value: key.1,
                    count,
                    previous,
                    change: count as i64 - previous as i64,
                    percent: (previous > 0).then(|| 100.0 * (count as f64 - previous as f64) / previous as f64),
                }
            })
            .collect();
        let rising = rising(&changes, options.rising);

        // Service levels.
        let mut groups: BTreeMap<(&'static str, String), Vec<&Row>> = BTreeMap::new();
        for (row, _) in &current {
            groups.entry(("all", ALL.to_string())).or_default().push(row);
            groups.entry(("category", row.category.clone())).or_default().push(row);
            groups.entry(("department", row.department.clone().unwrap_or_else(|| NONE.into()))).or_default().push(row);
        }
        let service_levels = groups
            .into_iter()
            .map(|((dimension, value), rows)| service_level(dimension, value, &rows, now, &reopened))
            .collect();

        // The backlog at `now`.
        let mut backlog: BTreeMap<(String, usize), (u64, u64)> = BTreeMap::new();
        for row in open {
            let mut v = row.into_iter();
            let department = v.next().and_then(Value::into_text);
            if !wanted(department.as_deref()) {
                continue;
            }
            let department = department.unwrap_or_else(|| NONE.into());
            let requested = v.next().and_then(|x| x.int()).unwrap_or(now);
            let expected = v.next().and_then(|x| x.int());
            let age = now - requested;
            let band = AGES.iter().position(|(_, limit)| age < *limit).unwrap_or(AGES.len() - 1);
            let overdue = expected.is_some_and(|e| e < now);
            for d in [ALL.to_string(), department] {
                let entry = backlog.entry((d, band)).or_default();
                entry.0 += 1;
                entry.1 += u64::from(overdue);
            }
        }
        let backlog = backlog
            .into_iter()
            .map(|((department, band), (open, overdue))| Backlog { department, age: AGES[band].0, open, overdue })
            .collect();

        let tally = |f: &dyn Fn(&Row) -> Option<String>| -> Vec<Count> {
            let mut m: BTreeMap<String, u64> = BTreeMap::new();
            for (row, _) in &current {
                if let Some(v) = f(row) {
                    *m.entry(v).or_default() += 1;
                }
            }
            let mut out: Vec<Count> = m.into_iter().map(|(value, count)| Count { value, count }).collect();
            out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            out
        };
        let referrals = tally(&|r| r.referred_to.clone());
        let duplicates = tally(&|r| r.duplicate_of.as_ref().map(|_| r.category.clone()));
        // Searches and inquiries carry no time zone: their days are the
        // catalog's (its first calendar's), or UTC without an engine.
        let tz = options
            .engine
            .as_ref()
            .and_then(|e| e.catalog().calendars().first().map(|c| c.tz()))
            .unwrap_or(TimeZone::UTC);
        let start = |d: Date| d.to_zoned(tz.clone()).map(|z| z.timestamp().as_second()).unwrap_or(0);
        let (from_s, to_s) = (start(options.from), start(options.to.tomorrow().unwrap_or(options.to)) - 1);
        let questions =
            questions::build(self, options.engine.as_deref(), from_s, to_s, options.now, &options.departments)?;

        Ok(Report {
            from: options.from,
            to: options.to,
            previous_from,
            previous_to,
            by: options.by,
            now: options.now,
            total: current.len() as u64,
            previous_total,
            volumes,
            changes,
            rising,
            service_levels,
            backlog,
            referrals,
            duplicates,
            questions,
        })
    }
}

fn utc_midnight(d: Date) -> i64 {
    d.to_zoned(TimeZone::UTC).map(|z| z.timestamp().as_second()).unwrap_or(0)
}

fn read_row(row: Vec<Value>) -> Row {
    let mut v = row.into_iter();
    let mut next = || v.next().unwrap_or(Value::Null);
    Row {
        id: next().into_text().unwrap_or_default(),
        category: next().into_text().unwrap_or_default(),
        department: next().into_text(),
        jurisdiction: next().into_text(),
        channel: next().into_text(),
        reporter: next().into_text().unwrap_or_else(|| "resident".into()),
        lat: next().real(),
        lon: next().real(),
        closed: next().text() == Some("closed"),
        requested: next().int().unwrap_or(0),
        acknowledged: next().int(),
        closed_at: next().int(),
        expected: next().int(),
        zone: next().into_text().unwrap_or_else(|| "UTC".into()),
        duplicate_of: next().into_text(),
        referred_to: next().into_text(),
    }
}

/// The values a request counts under, one for each dimension.
fn dimensions(row: &Row, districts: Option<&(String, Vec<Boundary>)>) -> Vec<(&'static str, String)> {
    let or_none = |v: &Option<String>| v.clone().unwrap_or_else(|| NONE.into());
    let mut out = vec![
        ("category", row.category.clone()),
        ("department", or_none(&row.department)),
        ("jurisdiction", or_none(&row.jurisdiction)),
        ("channel", or_none(&row.channel)),
        ("reporter", row.reporter.clone()),
    ];
    if let Some((_, boundaries)) = districts {
        let district = match (row.lat, row.lon) {
            (Some(lat), Some(lon)) => boundaries.iter().find(|b| b.contains(lat, lon)).map(|b| b.id.clone()),
            _ => None,
        };
        out.push(("district", district.unwrap_or_else(|| NONE.into())));
    }
    out
}

fn percent(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| 100.0 * part as f64 / whole as f64)
}

/// The value below which a share `p` of the sorted values lie (linear
/// between the two nearest, as pandas' and numpy's default).
fn quantile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let pos = p * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    Some(sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64))
}

fn service_level(
    dimension: &'static str,
    value: String,
    rows: &[&Row],
    now: i64,
    reopened: &HashSet<String>,
) -> ServiceLevel {
    let mut decided = 0;
    let mut within = 0;
    let mut open = 0;
    let mut overdue = 0;
    let mut closed = 0;
    let mut reopen = 0;
    let mut ack: Vec<f64> = Vec::new();
    let mut close: Vec<f64> = Vec::new();
    for r in rows {
        if let Some(expected) = r.expected {
            match (r.closed, r.closed_at) {
                (true, Some(at)) => {
                    decided += 1;
                    within += u64::from(at <= expected);
                }
                (false, _) if expected < now => decided += 1,
                _ => {}
            }
        }
        if !r.closed {
            open += 1;
            overdue += u64::from(r.expected.is_some_and(|e| e < now));
        }
        if let Some(at) = r.acknowledged.filter(|at| *at >= r.requested) {
            ack.push((at - r.requested) as f64 / 3600.0);
        }
        if let Some(at) = r.closed_at.filter(|at| r.closed && *at >= r.requested) {
            close.push((at - r.requested) as f64 / 3600.0);
        }
        let was_reopened = reopened.contains(&r.id);
        if r.closed || was_reopened {
            closed += 1;
            reopen += u64::from(was_reopened);
        }
    }
    ack.sort_by(f64::total_cmp);
    close.sort_by(f64::total_cmp);
    ServiceLevel {
        dimension,
        value,
        requests: rows.len() as u64,
        sla_decided: decided,
        within_sla: within,
        within_sla_percent: percent(within, decided),
        open,
        overdue,
        overdue_percent: percent(overdue, open),
        acknowledge_hours_p50: quantile(&ack, 0.5),
        acknowledge_hours_p90: quantile(&ack, 0.9),
        close_hours_p50: quantile(&close, 0.5),
        close_hours_p90: quantile(&close, 0.9),
        closed,
        reopened: reopen,
        reopen_percent: percent(reopen, closed),
    }
}

/// The categories that rose beyond chance (see [`Rising`]), fastest first.
fn rising(changes: &[Change], limit: usize) -> Vec<Rising> {
    let categories: Vec<&Change> = changes.iter().filter(|c| c.dimension == "category").collect();
    let p: Vec<f64> = categories.iter().map(|c| binomial_upper_tail(c.count, c.count + c.previous)).collect();
    let q = benjamini_hochberg(&p);
    let mut out: Vec<Rising> = categories
        .iter()
        .zip(p.iter().zip(&q))
        .filter(|(c, (_, q))| c.count > c.previous && **q < 0.05)
        .map(|(c, (p, q))| Rising {
            category: c.value.clone(),
            count: c.count,
            previous: c.previous,
            ratio: (c.count as f64 + 0.5) / (c.previous as f64 + 0.5),
            p: *p,
            q: *q,
        })
        .collect();
    out.sort_by(|a, b| b.ratio.total_cmp(&a.ratio).then_with(|| a.q.total_cmp(&b.q)));
    out.truncate(limit);
    out
}

/// P(X ≥ k) for X ~ Binomial(n, 1/2), summed in log space.
pub(crate) fn binomial_upper_tail(k: u64, n: u64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if k > n {
        return 0.0;
    }
    let ln_half_n = n as f64 * std::f64::consts::LN_2;
    // ln C(n, i) from ln C(n, i-1), starting at i = k.
    let mut ln_c = ln_choose(n, k);
    let mut total = 0.0;
    for i in k..=n {
        if i > k {
            ln_c += ((n - i + 1) as f64).ln() - (i as f64).ln();
        }
        let term = (ln_c - ln_half_n).exp();
        total += term;
        if term < total * 1e-17 {
            break;
        }
    }
    total.min(1.0)
}

fn ln_choose(n: u64, k: u64) -> f64 {
    ln_factorial(n) - ln_factorial(k) - ln_factorial(n - k)
}

/// ln(n!), exact by summing for small n, Stirling's series beyond.
fn ln_factorial(n: u64) -> f64 {
    if n < 256 {
        return (2..=n).map(|i| (i as f64).ln()).sum();
    }
    let x = n as f64;
    x * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI * x).ln() + 1.0 / (12.0 * x) - 1.0 / (360.0 * x.powi(3))
}

/// Benjamini–Hochberg adjusted p-values, in the order given.
pub(crate) fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[b].total_cmp(&p[a]));
    let mut q = vec![1.0; m];
    let mut running = 1.0_f64;
    for (rank_from_top, &i) in order.iter().enumerate() {
        let rank = m - rank_from_top;
        running = running.min(p[i] * m as f64 / rank as f64);
        q[i] = running.min(1.0);
    }
    q
}

impl Report {
    /// Every table, as rows: for CSV files and data frames.
    pub fn tables(&self) -> Vec<Table> {
        let mut tables = Vec::new();
        tables.push(Table {
            name: "volumes",
            columns: vec!["dimension", "value", "bucket", "count"],
            rows: self
                .volumes
                .iter()
                .map(|v| vec![v.dimension.into(), v.value.clone().into(), v.bucket.into(), v.count.into()])
                .collect(),
        });
        tables.push(Table {
            name: "changes",
            columns: vec!["dimension", "value", "count", "previous", "change", "percent"],
            rows: self
                .changes
                .iter()
                .map(|c| {
                    vec![
                        c.dimension.into(),
                        c.value.clone().into(),
                        c.count.into(),
                        c.previous.into(),
                        c.change.into(),
                        c.percent.into(),
                    ]
                })
                .collect(),
        });
        tables.push(Table {
            name: "rising",
            columns: vec!["category", "count", "previous", "ratio", "p", "q"],
            rows: self
                .rising
                .iter()
                .map(|r| {
                    vec![
                        r.category.clone().into(),
                        r.count.into(),
                        r.previous.into(),
                        r.ratio.into(),
                        r.p.into(),
                        r.q.into(),
                    ]
                })
                .collect(),
        });
        tables.push(Table {
            name: "service_levels",
            columns: vec![
                "dimension",
                "value",
                "requests",
                "sla_decided",
                "within_sla",
                "within_sla_percent",
                "open",
                "overdue",
                "overdue_percent",
                "acknowledge_hours_p50",
                "acknowledge_hours_p90",
                "close_hours_p50",
                "close_hours_p90",
                "closed",
                "reopened",
                "reopen_percent",
            ],
            rows: self
                .service_levels
                .iter()
                .map(|s| {
                    vec![
                        s.dimension.into(),
                        s.value.clone().into(),
                        s.requests.into(),
                        s.sla_decided.into(),
                        s.within_sla.into(),
                        s.within_sla_percent.into(),
                        s.open.into(),
                        s.overdue.into(),
                        s.overdue_percent.into(),
                        s.acknowledge_hours_p50.into(),
                        s.acknowledge_hours_p90.into(),
                        s.close_hours_p50.into(),
                        s.close_hours_p90.into(),
                        s.closed.into(),
                        s.reopened.into(),
                        s.reopen_percent.into(),
                    ]
                })
                .collect(),
        });
        tables.push(Table {
            name: "backlog",
            columns: vec!["department", "age", "open", "overdue"],
            rows: self
                .backlog
                .iter()
                .map(|b| vec![b.department.clone().into(), b.age.into(), b.open.into(), b.overdue.into()])
                .collect(),
        });
        tables.push(Table {
            name: "referrals",
            columns: vec!["jurisdiction", "count"],
            rows: self.referrals.iter().map(|c| vec![c.value.clone().into(), c.count.into()]).collect(),
        });
        tables.push(Table {
            name: "duplicates",
            columns: vec!["category", "count"],
            rows: self.duplicates.iter().map(|c| vec![c.value.clone().into(), c.count.into()]).collect(),
        });
        let groups = |list: &[QuestionGroup]| -> Vec<Vec<Cell>> {
            list.iter()
                .map(|g| {
                    vec![
                        g.question.clone().into(),
                        g.count.into(),
                        g.no_answers.into(),
                        g.followed.into(),
                        g.top_answer.clone().map(Cell::Text).unwrap_or(Cell::Empty),
                        g.confidence.map(f64::from).into(),
                        g.department.clone().map(Cell::Text).unwrap_or(Cell::Empty),
                        g.forms.join(" | ").into(),
                    ]
                })
                .collect()
        };
        let group_columns = vec![
            "question",
            "count",
            "no_answers",
            "followed",
            "top_answer",
            "confidence",
            "department",
            "other_forms",
        ];
        tables.push(Table { name: "questions_top", columns: group_columns.clone(), rows: groups(&self.questions.top) });
        tables.push(Table {
            name: "questions_unanswered",
            columns: group_columns,
            rows: groups(&self.questions.unanswered),
        });
        tables.push(Table {
            name: "inquiries",
            columns: vec![
                "department",
                "asked",
                "replied",
                "replied_in_time",
                "in_time_percent",
                "open",
                "overdue",
                "reply_hours_p50",
            ],
            rows: self
                .questions
                .inquiries
                .iter()
                .map(|l| {
                    vec![
                        l.department.clone().into(),
                        l.asked.into(),
                        l.replied.into(),
                        l.replied_in_time.into(),
                        l.in_time_percent.into(),
                        l.open.into(),
                        l.overdue.into(),
                        l.reply_hours_p50.into(),
                    ]
                })
                .collect(),
        });
        tables
    }
}

impl Table {
    /// The table as CSV text, with a header line.
    pub fn to_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record(&self.columns);
        for row in &self.rows {
            let _ = w.write_record(row.iter().map(|c| match c {
                Cell::Text(s) => s.clone(),
                Cell::Int(i) => i.to_string(),
                Cell::Real(x) => format!("{x}"),
                Cell::Empty => String::new(),
            }));
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binomial_tails() {
        // P(X >= 5 | n = 5) = 1/32; P(X >= 3 | n = 5) = 1/2.
        assert!((binomial_upper_tail(5, 5) - 1.0 / 32.0).abs() < 1e-12);
        assert!((binomial_upper_tail(3, 5) - 0.5).abs() < 1e-12);
        assert_eq!(binomial_upper_tail(0, 10), 1.0);
        // Large n: 600 of 1,000 is far beyond chance; 510 of 1,000 is not.
        assert!(binomial_upper_tail(600, 1000) < 1e-9);
        let p = binomial_upper_tail(510, 1000);
        assert!(p > 0.25 && p < 0.3, "{p}");
    }

    #[test]
    fn adjusted_p_values() {
        // R: p.adjust(c(0.01, 0.04, 0.03, 0.5), "BH") = 0.04 0.0533 0.0533 0.5
        let q = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.5]);
        let want = [0.04, 0.16 / 3.0, 0.16 / 3.0, 0.5];
        for (a, b) in q.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{q:?}");
        }
    }

    #[test]
    fn quantiles_interpolate() {
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.5), Some(2.5));
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], 0.9), Some(9.1));
        assert_eq!(quantile(&[], 0.5), None);
    }

    #[test]
    fn weeks_start_on_monday() {
        let sunday = jiff::civil::date(2026, 3, 8);
        assert_eq!(Bucket::Week.start(sunday), jiff::civil::date(2026, 3, 2));
        assert_eq!(Bucket::Week.start(jiff::civil::date(2026, 3, 9)), jiff::civil::date(2026, 3, 9));
        assert_eq!(Bucket::Month.start(sunday), jiff::civil::date(2026, 3, 1));
    }
}
