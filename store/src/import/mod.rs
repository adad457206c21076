//! History moves in: requests from Open311 GET payloads (JSON or XML) and
//! from the CSV exports cities publish, read through a named column
//! mapping. Imported requests keep their own ids and times, and get a
//! history built from what the row says (opened, and closed when it was).
//!
//! A row that cannot be read is reported with its line (or its place in
//! the payload), and the good rows still load; a strict import loads
//! nothing unless every row reads. Importing the same file twice stores
//! each request once.

mod csv_rows;
mod mapping;

use std::io::Read;

use civic311::open311::{Format, Payload, RequestList};
use civic311::{Channel, CloseReason, DateTime, Error, ErrorKind, Problem, Reporter, Result, Status};
use jiff::Timestamp;
use serde::Serialize;

pub use mapping::Mapping;

use crate::Store;
use crate::db::{Conn, Mode};
use crate::model::{EventKind, StoredRequest};
use crate::rows::{self, NewEvent};

/// How many rows one transaction of an import writes.
const BATCH: usize = 5_000;

/// What a file holds.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportFormat {
    /// An Open311 GET requests payload, JSON or XML.
    Open311(Format),
    /// A CSV export, read through a column mapping.
    Csv(Mapping),
}

/// How to import.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImportOptions {
    /// Load nothing unless every row reads.
    pub strict: bool,
    /// The time zone the imported requests are shown in; for CSV the
    /// mapping's, for Open311 payloads UTC, when `None`.
    pub time_zone: Option<String>,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ImportReport {
    /// Rows (or payload requests) read.
    pub rows: u64,
    /// Requests stored.
    pub imported: u64,
    /// Requests already in the store (same id), left as they were.
    pub already_stored: u64,
    /// Each row that could not be read: file, line, field, what is wrong.
    #[serde(serialize_with = "problems_as_text")]
    pub problems: Vec<Problem>,
}

fn problems_as_text<S: serde::Serializer>(problems: &[Problem], s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_seq(
        problems
            .iter()
            .map(|p| serde_json::json!({"file": p.file, "line": p.line, "field": p.field, "message": p.message})),
    )
}

/// A request read from a row, ready to store.
pub(crate) struct Imported {
    request: StoredRequest,
    events: Vec<NewEvent>,
}

impl Store {
    /// Imports requests from `reader`, a file named `file` (for messages).
    ///
    /// ```
    /// # use civic311_store::{ImportFormat, ImportOptions, Mapping, Store};
    /// let store = Store::open("sqlite::memory:")?;
    /// let csv = "Unique Key,Created Date,Closed Date,Agency,Complaint Type,Status\n\
    ///            1001,03/01/2011 02:27:57 PM,03/14/2011 03:59:20 PM,DOT,Street Light Condition,Closed\n\
    ///            1002,not a date,,DOT,Pothole,Open\n";
    /// let report = store.import("sample.csv", csv.as_bytes(), &ImportFormat::Csv(Mapping::builtin("nyc311")?), &ImportOptions::default())?;
    /// assert_eq!((report.rows, report.imported), (2, 1));
    /// assert_eq!(report.problems[0].line, Some(3));
    /// let r = store.get("1001")?.unwrap();
    /// assert_eq!(r.closed_datetime.unwrap().to_string(), "2011-03-14T15:59:20-04:00");
    /// # Ok::<(), civic311::Error>(())
    /// ```
    pub fn import(
        &self,
        file: &str,
        reader: impl Read,
        format: &ImportFormat,
        options: &ImportOptions,
    ) -> Result<ImportReport> {
        match format {
            ImportFormat::Open311(f) => {
                let mut text = String::new();
                let mut reader = reader;
                reader.read_to_string(&mut text).map_err(|e| {
                    Error::new(ErrorKind::Io, format!("cannot read {file}: {e} (a payload must be UTF-8)"))
                })?;
                let zone = options.time_zone.clone().unwrap_or_else(|| "UTC".into());
                check_zone(&zone)?;
                let (rows, problems) = open311_rows(file, &text, *f, &zone);
                self.store_all(file, rows.into_iter().map(Ok).collect::<Vec<_>>().into_iter(), problems, options)
            }
            ImportFormat::Csv(mapping) => {
                let zone = options.time_zone.clone().unwrap_or_else(|| mapping.time_zone.clone());
                check_zone(&zone)?;
                let reader = csv_rows::Rows::new(file, reader, mapping, &zone)?;
                self.store_all(file, reader, Vec::new(), options)
            }
        }
    }

    /// Stores what `rows` yields in batches; strict: nothing unless all read.
    fn store_all(
        &self,
        file: &str,
        rows: impl Iterator<Item = std::result::Result<Imported, Problem>>,
        mut problems: Vec<Problem>,
        options: &ImportOptions,
    ) -> Result<ImportReport> {
        let mut report = ImportReport { rows: problems.len() as u64, ..ImportReport::default() };
        let mut batch: Vec<Imported> = Vec::with_capacity(BATCH);
        let mut held: Vec<Imported> = Vec::new();
        for row in rows {
            report.rows += 1;
            match row {
                Ok(imported) if options.strict => held.push(imported),
                Ok(imported) => {
                    batch.push(imported);
                    if batch.len() == BATCH {
                        self.write_batch(&batch, &mut report)?;
                        batch.clear();
                    }
                }
                Err(problem) => problems.push(problem),
            }
        }
        if options.strict {
            if !problems.is_empty() {
                let first = problems[0].to_string();
                return Err(Error::with_problems(
                    ErrorKind::Format,
                    format!(
                        "{file}: {} of {} rows could not be read, so nothing was imported (strict); the first: {first}",
                        problems.len(),
                        report.rows
                    ),
                    problems,
                ));
            }
            for chunk in held.chunks(BATCH) {
                self.write_batch(chunk, &mut report)?;
            }
        } else {
            self.write_batch(&batch, &mut report)?;
        }
        report.problems = problems;
        Ok(report)
    }

    fn write_batch(&self, batch: &[Imported], report: &mut ImportReport) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let (imported, skipped) = self.transaction(Mode::Write, |c| write_rows(c, batch))?;
        report.imported += imported;
        report.already_stored += skipped;
        Ok(())
    }
}

fn placeholder() -> StoredRequest {
    let epoch = DateTime::in_zone(Timestamp::UNIX_EPOCH, &jiff::tz::TimeZone::UTC);
    StoredRequest {
        service_request_id: String::new(),
        client_request_id: None,
        service_code: String::new(),
        service_name: None,
        description: None,
        status: Status::Submitted,
        status_notes: None,
        agency_responsible: None,
        service_notice: None,
        requested_datetime: epoch,
        updated_datetime: epoch,
        expected_datetime: None,
        acknowledged_datetime: None,
        closed_datetime: None,
        escalation: None,
        sla_breached_datetime: None,
        time_zone: "UTC".into(),
        address: None,
        address_id: None,
        zipcode: None,
        lat: None,
        long: None,
        media_url: None,
        attributes: Default::default(),
        channel: None,
        reporter: Reporter::Resident,
        priority: None,
        jurisdiction: None,
        department: None,
        duplicate_of: None,
        referred_to: None,
        rule: None,
        sla: None,
        source: "import".into(),
        version: 1,
        history: Vec::new(),
        personal: None,
    }
}

fn check_zone(zone: &str) -> Result<()> {
    jiff::tz::TimeZone::get(zone).map(|_| ()).map_err(|_| {
        Error::new(
            ErrorKind::Format,
            format!("'{zone}' is not a time zone; give an IANA name such as America/New_York"),
        )
    })
}

/// Writes rows, a hundred a statement; how many were new and how many
/// already stored (or given twice in the file: the first one is kept).
fn write_rows(c: &mut dyn Conn, batch: &[Imported]) -> Result<(u64, u64)> {
    let mut seen = std::collections::HashSet::new();
    let unique: Vec<&Imported> = batch.iter().filter(|r| seen.insert(r.request.service_request_id.as_str())).collect();
    let (mut imported, mut skipped) = (0, (batch.len() - unique.len()) as u64);
    let mut highest: Option<i64> = None;
    for chunk in unique.chunks(rows::ROWS_A_STATEMENT) {
        let params: Vec<_> = chunk.iter().flat_map(|r| rows::to_row(&r.request)).collect();
        let stored: std::collections::HashSet<String> = c
            .query(&rows::insert_requests_returning_sql(chunk.len()), &params)?
            .into_iter()
            .filter_map(|r| r.into_iter().next().and_then(crate::db::Value::into_text))
            .collect();
        skipped += (chunk.len() - stored.len()) as u64;
        imported += stored.len() as u64;
        let mut events = Vec::new();
        for row in chunk.iter().filter(|r| stored.contains(&r.request.service_request_id)) {
            let id = row.request.service_request_id.as_str();
            events.extend(row.events.iter().enumerate().map(|(i, e)| (id, 1 + i as i64, e)));
            if let Ok(n) = id.parse::<i64>()
                && n > 0
                && n < (1 << 53)
            {
                highest = Some(highest.map_or(n, |h| h.max(n)));
            }
        }
        rows::insert_events(c, &events)?;
    }
    if let Some(n) = highest {
        crate::submit::reserve_ids_through(c, n)?;
    }
    Ok((imported, skipped))
}

/// The fields of a request as a source row gives them, before checks.
#[derive(Debug, Default)]
pub(crate) struct Fields {
    pub id: Option<String>,
    pub service_code: Option<String>,
    pub service_name: Option<String>,
    pub description: Option<String>,
    pub requested: Option<Timestamp>,
    pub updated: Option<Timestamp>,
    pub expected: Option<Timestamp>,
    pub closed: Option<Timestamp>,
    /// Whether the source says it is closed.
    pub is_closed: bool,
    /// The lifecycle state of an open one.
    pub open_state: Option<Status>,
    pub status_notes: Option<String>,
    pub agency_responsible: Option<String>,
    pub department: Option<String>,
    pub address: Option<String>,
    pub address_id: Option<String>,
    pub zipcode: Option<String>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub media_url: Option<String>,
    pub channel: Option<Channel>,
    pub service_notice: Option<String>,
}

/// A request and its history from a row's fields: the problem, with its
/// place, when a required field is missing.
///
/// `place` names where the row is (`requests[3]` in a payload); `columns`,
/// for a CSV export, names the column of each field.
pub(crate) fn build(
    file: &str,
    line: Option<u32>,
    place: &str,
    columns: Option<&std::collections::BTreeMap<String, String>>,
    f: Fields,
    zone: &str,
) -> std::result::Result<Imported, Problem> {
    let problem = |field: &str, message: String| {
        let field = columns.and_then(|c| c.get(field)).cloned().unwrap_or_else(|| place.to_string());
        Problem { file: file.to_string(), line, field, message }
    };
    let id =
        f.id.filter(|s| !s.trim().is_empty())
            .ok_or_else(|| problem("service_request_id", "the request has no id".into()))?;
    if id.chars().count() > 128 || id.chars().any(char::is_control) {
        return Err(problem(
            "service_request_id",
            format!("'{}' is not an id: at most 128 characters, none of them control characters", id.escape_debug()),
        ));
    }
    let service_code = f
        .service_code
        .or_else(|| f.service_name.clone())
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| problem("service_code", format!("request {id} has no service code")))?;
    let requested = f
        .requested
        .ok_or_else(|| problem("requested_datetime", format!("request {id} has no time it was requested")))?;
    let tz = rows::zone(zone);
    let at = |t: Timestamp| DateTime::in_zone(t, &tz);
    let closed_at = if f.is_closed { f.closed.or(f.updated) } else { None };
    let updated = [Some(requested), f.updated, closed_at].into_iter().flatten().max().unwrap_or(requested);
    let status = if f.is_closed {
        Status::Closed(CloseReason::Other { note: f.status_notes.clone().unwrap_or_else(|| "closed".into()) })
    } else {
        f.open_state.unwrap_or(Status::Submitted)
    };
    let source = format!("import:{file}");
    let mut events = vec![
        NewEvent::new(requested, EventKind::Submitted, &source, true)
            .note(Some(format!("imported from {file}")))
            .state("submitted")
            .department(f.department.clone()),
    ];
    match &status {
        Status::Closed(reason) => {
            let note = if f.closed.is_none() {
                Some("closed; the source gives no time it was closed".to_string())
            } else {
                f.status_notes.clone()
            };
            events.push(
                NewEvent::new(closed_at.unwrap_or(updated), EventKind::Closed, &source, true)
                    .note(note)
                    .state("closed")
                    .detail(rows::close_reason_json(reason)),
            );
        }
        Status::Submitted => {}
        other => {
            let kind = if *other == Status::Acknowledged { EventKind::Acknowledged } else { EventKind::StatusChanged };
            events.push(NewEvent::new(updated, kind, &source, true).state(other.name()).note(f.status_notes.clone()));
        }
    }
    let request = StoredRequest {
        service_request_id: id,
        service_code,
        service_name: f.service_name,
        description: f.description,
        status_notes: f.status_notes,
        agency_responsible: f.agency_responsible,
        service_notice: f.service_notice,
        requested_datetime: at(requested),
        updated_datetime: at(updated),
        expected_datetime: f.expected.map(at),
        acknowledged_datetime: (status == Status::Acknowledged).then(|| at(updated)),
        closed_datetime: if f.is_closed { f.closed.map(at) } else { None },
        status,
        time_zone: zone.to_string(),
        address: f.address,
        address_id: f.address_id,
        zipcode: f.zipcode,
        lat: f.lat.filter(|l| (-90.0..=90.0).contains(l)),
        long: f.long.filter(|l| (-180.0..=180.0).contains(l)),
        media_url: f.media_url,
        channel: f.channel,
        department: f.department,
        source: "import".into(),
        ..placeholder()
    };
    Ok(Imported { request, events })
}

/// The requests of an Open311 GET requests payload.
fn open311_rows(file: &str, text: &str, format: Format, zone: &str) -> (Vec<Imported>, Vec<Problem>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    match RequestList::read(text, format) {
        Err(e) => {
            problems.push(Problem { file: file.to_string(), line: None, field: String::new(), message: e.to_string() })
        }
        Ok(list) => {
            for (i, r) in list.0.into_iter().enumerate() {
                let closed = r.status == Some(civic311::open311::RequestStatus::Closed);
                let fields = Fields {
                    id: r.service_request_id,
                    service_code: r.service_code,
                    service_name: r.service_name,
                    description: r.description,
                    requested: r.requested_datetime.map(|d| d.timestamp()),
                    updated: r.updated_datetime.map(|d| d.timestamp()),
                    expected: r.expected_datetime.map(|d| d.timestamp()),
                    closed: if closed { r.updated_datetime.map(|d| d.timestamp()) } else { None },
                    is_closed: closed,
                    open_state: None,
                    status_notes: r.status_notes,
                    agency_responsible: r.agency_responsible.clone(),
                    department: None,
                    address: r.address,
                    address_id: r.address_id,
                    zipcode: r.zipcode,
                    lat: r.lat,
                    long: r.long,
                    media_url: r.media_url,
                    channel: None,
                    service_notice: r.service_notice,
                };
                match build(file, None, &format!("requests[{i}]"), None, fields, zone) {
                    Ok(row) => out.push(row),
                    Err(p) => problems.push(p),
                }
            }
        }
    }
    (out, problems)
}
