//! The store's commands: submit, request, requests, update, import, sweep.

use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use civic311::open311::{Format, NewRequest, Payload, RequestList};
use civic311::{Channel, Error, ErrorKind, Reporter, Result, Status};
use civic311_store::{
    Filter, ImportFormat, ImportOptions, Mapping, Near, StatusFilter, Store, StoredRequest, Submission, Update,
};
use clap::Args;

use crate::Source;

#[derive(Args)]
pub(crate) struct StoreArg {
    /// The request store: sqlite:PATH (created if missing), sqlite::memory:,
    /// or postgres://USER:PASSWORD@HOST:PORT/DATABASE.
    #[arg(long, env = "CIVIC311_STORE")]
    store: String,
}

impl StoreArg {
    pub(crate) fn open(&self) -> Result<Store> {
        Store::open(&self.store)
    }
}

pub(crate) fn io_error(what: &str, e: std::io::Error) -> Error {
    Error::new(ErrorKind::Io, format!("{what}: {e}"))
}

pub(crate) fn instant(at: Option<&str>) -> Result<Option<jiff::Timestamp>> {
    at.map(|a| civic311::DateTime::parse(a).map(|d| d.timestamp())).transpose()
}

#[derive(Args)]
pub(crate) struct SubmitArgs {
    #[command(flatten)]
    store: StoreArg,
    /// How the requests came in: phone, web, mobile_app, email, walk_in,
    /// social, internal, api (default: each request's own, else api).
    #[arg(long)]
    channel: Option<String>,
    /// Filed by staff rather than residents.
    #[arg(long)]
    staff: bool,
    /// When they were received (RFC 3339), instead of now.
    #[arg(long)]
    at: Option<String>,
    #[command(flatten)]
    source: Source,
}

/// Open311 POST requests as JSON, one a line on standard input; one JSON
/// line out for each, written and flushed as soon as the request is stored.
pub(crate) fn submit(args: SubmitArgs, out: &mut impl Write) -> Result<ExitCode> {
    let channel = match &args.channel {
        None => None,
        Some(c) => Some(Channel::parse(c).ok_or_else(|| {
            Error::new(ErrorKind::Query, format!("unknown channel '{c}'; use one of {}", Channel::NAMES.join(", ")))
        })?),
    };
    let at = instant(args.at.as_deref())?;
    let engine = args.source.engine()?;
    let store = args.store.open()?;
    let mut refused = false;
    for line in std::io::stdin().lock().lines() {
        let line = line.map_err(|e| io_error("cannot read standard input", e))?;
        if line.trim().is_empty() {
            continue;
        }
        let answer = submit_one(&store, &engine, &line, channel, args.staff, at);
        let json = match answer {
            Ok(json) => json,
            Err(err) => {
                refused = true;
                errors_json(&err)
            }
        };
        // Note: flushed line by line: a caller that saw an id may count on it.
        writeln!(out, "{json}").and_then(|_| out.flush()).map_err(|e| io_error("cannot write", e))?;
    }
    Ok(if refused { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn submit_one(
    store: &Store,
    engine: &civic311::Engine,
    line: &str,
    channel: Option<Channel>,
    staff: bool,
    at: Option<jiff::Timestamp>,
) -> Result<serde_json::Value> {
    let mut value: serde_json::Value = serde_json::from_str(line)
        .map_err(|e| Error::new(ErrorKind::Format, format!("the line is not a JSON object: {e}")))?;
    // The client's id for its submission rides along with the request; it
    // is the store's, not an Open311 field.
    let client_request_id = match value.as_object_mut().and_then(|o| o.remove("client_request_id")) {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s),
        Some(other) => {
            return Err(Error::new(ErrorKind::Format, format!("client_request_id is {other}; give a string")));
        }
    };
    let request = NewRequest::from_json_value(&value)?;
    let submission = Submission { channel, reporter: staff.then_some(Reporter::Staff), client_request_id, at };
    let s = store.submit(engine, request, submission)?;
    Ok(serde_json::json!({
        "service_request_id": s.service_request_id,
        "created": s.created,
        "jurisdiction": s.routing.jurisdiction,
        "department": s.routing.department,
        "priority": s.routing.priority,
        "expected_datetime": s.routing.expected_datetime,
        "referral": s.routing.referral.as_ref().map(|r| &r.message),
        "duplicates": s.duplicates,
    }))
}

/// An error as the Open311 error array.
fn errors_json(err: &Error) -> serde_json::Value {
    if err.open311_errors().is_empty() {
        let code = match err.kind() {
            ErrorKind::NotFound => 404,
            ErrorKind::Conflict => 409,
            ErrorKind::Store | ErrorKind::Io => 500,
            _ => 400,
        };
        serde_json::json!({"errors": [{"code": code, "description": err.to_string()}]})
    } else {
        serde_json::json!({"errors": err.open311_errors()})
    }
}

#[derive(Args)]
pub(crate) struct RequestArgs {
    #[command(flatten)]
    store: StoreArg,
    /// The request's id.
    id: String,
    /// Print JSON (with the personal data and internal notes).
    #[arg(long)]
    json: bool,
}

/// One request with its history.
pub(crate) fn request(args: RequestArgs, out: &mut impl Write) -> Result<ExitCode> {
    let store = args.store.open()?;
    let Some(r) = store.get(&args.id)? else {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!("no request has the id '{}' in {}", args.id, store.label()),
        ));
    };
    let text = if args.json { serde_json::to_string_pretty(&r).unwrap_or_default() } else { describe(&r) };
    writeln!(out, "{text}").map_err(|e| io_error("cannot write", e))?;
    Ok(ExitCode::SUCCESS)
}

fn describe(r: &StoredRequest) -> String {
    let mut s = format!(
        "{} {} ({}) [{}]\n",
        r.service_request_id,
        r.service_name.as_deref().unwrap_or(&r.service_code),
        r.service_code,
        r.status
    );
    let opt = |o: &Option<String>| o.clone().unwrap_or_else(|| "-".into());
    s += &format!(
        "  requested {} by {} via {}\n",
        r.requested_datetime,
        r.reporter.as_str(),
        r.channel.map(|c| c.as_str()).unwrap_or("-")
    );
    s += &format!("  department {}, priority {}\n", opt(&r.department), r.priority.map(|p| p.as_str()).unwrap_or("-"));
    if let Some(due) = r.expected_datetime {
        s += &format!("  due {due}{}\n", r.sla.as_deref().map(|x| format!(" ({x})")).unwrap_or_default());
    }
    if let Some(d) = &r.description {
        s += &format!("  \"{d}\"\n");
    }
    if let Some(a) = &r.address {
        s += &format!("  at {a}\n");
    }
    s += "  history:\n";
    for e in &r.history {
        let seen = if e.public { "public" } else { "internal" };
        let note = e.note.as_deref().map(|n| format!(": {}", n.replace('\n', " / "))).unwrap_or_default();
        let dept = e.department.as_deref().map(|d| format!(" [{d}]")).unwrap_or_default();
        s += &format!("    {} {} by {} ({seen}){dept}{note}\n", e.at, e.kind.as_str(), e.actor);
    }
    s.trim_end().to_string()
}

#[derive(Args)]
pub(crate) struct RequestsArgs {
    #[command(flatten)]
    store: StoreArg,
    /// open, closed, or a state: submitted, acknowledged, in_progress, on_hold, reopened.
    #[arg(long)]
    status: Option<String>,
    /// Service codes (repeat or comma-separate).
    #[arg(long = "service-code", value_delimiter = ',')]
    service_code: Vec<String>,
    /// Request ids (repeat or comma-separate).
    #[arg(long, value_delimiter = ',')]
    id: Vec<String>,
    /// Requested at or after (RFC 3339).
    #[arg(long = "start-date")]
    start_date: Option<String>,
    /// Requested at or before (RFC 3339).
    #[arg(long = "end-date")]
    end_date: Option<String>,
    #[arg(long)]
    department: Option<String>,
    /// Changed after (RFC 3339).
    #[arg(long = "updated-after")]
    updated_after: Option<String>,
    /// Within --radius metres of LAT,LONG.
    #[arg(long, value_name = "LAT,LONG")]
    near: Option<String>,
    #[arg(long, default_value_t = 500.0)]
    radius: f64,
    #[arg(long, default_value_t = 1)]
    page: u32,
    #[arg(long = "page-size", default_value_t = 50)]
    page_size: u32,
    /// open311-json, open311-xml or csv.
    #[arg(long, default_value = "open311-json")]
    format: String,
}

/// The requests that pass the filters, as Open311 JSON or XML, or CSV.
pub(crate) fn requests(args: RequestsArgs, out: &mut impl Write) -> Result<ExitCode> {
    let query = |m: String| Error::new(ErrorKind::Query, m);
    let status = match &args.status {
        None => None,
        Some(s) => Some(StatusFilter::parse(s).ok_or_else(|| {
            query(format!(
                "unknown status '{s}'; use open, closed, submitted, acknowledged, in_progress, on_hold or reopened"
            ))
        })?),
    };
    let near = match &args.near {
        None => None,
        Some(p) => {
            let (lat, long) = p
                .split_once(',')
                .and_then(|(a, b)| Some((a.trim().parse::<f64>().ok()?, b.trim().parse::<f64>().ok()?)))
                .ok_or_else(|| query(format!("--near '{p}' is not LAT,LONG, such as 38.95,-90.95")))?;
            Some(Near { lat, long, radius_m: args.radius })
        }
    };
    let filter = Filter {
        ids: args.id,
        service_codes: args.service_code,
        status,
        start: instant(args.start_date.as_deref())?,
        end: instant(args.end_date.as_deref())?,
        department: args.department,
        updated_after: instant(args.updated_after.as_deref())?,
        near,
        bbox: None,
        page: args.page,
        page_size: args.page_size,
    };
    let store = args.store.open()?;
    let page = store.query(&filter)?;
    let write =
        |out: &mut dyn Write, text: &str| writeln!(out, "{}", text.trim_end()).map_err(|e| io_error("cannot write", e));
    match args.format.as_str() {
        "csv" => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let header = [
                "service_request_id",
                "status",
                "state",
                "service_code",
                "service_name",
                "description",
                "department",
                "priority",
                "channel",
                "requested_datetime",
                "updated_datetime",
                "expected_datetime",
                "closed_datetime",
                "address",
                "lat",
                "long",
            ];
            let _ = w.write_record(header);
            for r in &page.requests {
                let t = |d: Option<civic311::DateTime>| d.map(|d| d.to_string()).unwrap_or_default();
                let o = |s: &Option<String>| s.clone().unwrap_or_default();
                let n = |f: Option<f64>| f.map(|f| f.to_string()).unwrap_or_default();
                let _ = w.write_record([
                    r.service_request_id.clone(),
                    r.open311_status().to_string(),
                    r.status.name().to_string(),
                    r.service_code.clone(),
                    o(&r.service_name),
                    o(&r.description),
                    o(&r.department),
                    r.priority.map(|p| p.as_str().to_string()).unwrap_or_default(),
                    r.channel.map(|c| c.as_str().to_string()).unwrap_or_default(),
                    r.requested_datetime.to_string(),
                    r.updated_datetime.to_string(),
                    t(r.expected_datetime),
                    t(r.closed_datetime),
                    o(&r.address),
                    n(r.lat),
                    n(r.long),
                ]);
            }
            let bytes = w.into_inner().map_err(|e| Error::new(ErrorKind::Io, format!("cannot write CSV: {e}")))?;
            write(out, &String::from_utf8_lossy(&bytes))?;
        }
        other => {
            let format = Format::parse(other)
                .ok_or_else(|| query(format!("unknown format '{other}'; use open311-json, open311-xml or csv")))?;
            let list = RequestList(
                page.requests
                    .iter()
                    .map(|r| civic311::open311::Request::from_service_request(&r.to_service_request()))
                    .collect(),
            );
            write(out, &list.write(format))?;
        }
    }
    if page.has_more {
        eprintln!("civic311: more on page {} (--page {})", page.page + 1, page.page + 1);
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub(crate) struct UpdateArgs {
    #[command(flatten)]
    store: StoreArg,
    /// The request's id.
    id: String,
    /// acknowledged, in_progress, on_hold, closed or reopened.
    #[arg(long)]
    status: Option<String>,
    /// Why it is closed: fixed (default), duplicate:ID, referred:JURISDICTION,
    /// not_ours, no_issue_found, withdrawn, or any other words.
    #[arg(long)]
    reason: Option<String>,
    #[arg(long)]
    note: Option<String>,
    /// The note and the change are internal: not shown to the public.
    #[arg(long)]
    internal: bool,
    /// Assign or transfer it to a department.
    #[arg(long)]
    department: Option<String>,
    /// Who makes the change.
    #[arg(long, default_value = "cli")]
    actor: String,
    /// The version it was read at: refused if it changed since.
    #[arg(long = "expected-version")]
    expected_version: Option<i64>,
    /// When (RFC 3339), instead of now.
    #[arg(long)]
    at: Option<String>,
}

/// A change of state, department or a note, through the lifecycle.
pub(crate) fn update(args: UpdateArgs, out: &mut impl Write) -> Result<ExitCode> {
    let status = match args.status.as_deref() {
        None => None,
        Some(s) => Some(parse_status(s, args.reason.as_deref())?),
    };
    if args.reason.is_some() && !matches!(status, Some(Status::Closed(_))) {
        return Err(Error::new(ErrorKind::Query, "--reason goes with --status closed"));
    }
    let update = Update {
        status,
        note: args.note,
        public: !args.internal,
        department: args.department,
        actor: args.actor,
        at: instant(args.at.as_deref())?,
        expected_version: args.expected_version,
    };
    let store = args.store.open()?;
    let r = store.update(&args.id, update)?;
    let last = r.history.last().map(|e| e.kind.as_str()).unwrap_or("-");
    writeln!(out, "{}: {} (version {}, {last})", r.service_request_id, r.status, r.version)
        .map_err(|e| io_error("cannot write", e))?;
    Ok(ExitCode::SUCCESS)
}

fn parse_status(s: &str, reason: Option<&str>) -> Result<Status> {
    Status::from_name(s, reason).filter(|s| *s != Status::Submitted).ok_or_else(|| {
        Error::new(
            ErrorKind::Query,
            format!("unknown status '{s}'; use acknowledged, in_progress, on_hold, closed or reopened"),
        )
    })
}

#[derive(Args)]
pub(crate) struct ImportArgs {
    #[command(flatten)]
    store: StoreArg,
    /// CSV exports or Open311 payloads (.json, .xml); .gz files are read compressed.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// How to read them: nyc311, nyc-council (CSV), open311 (payloads), or a mapping file (.toml).
    #[arg(long, default_value = "nyc311")]
    mapping: String,
    /// Load nothing from a file unless every row of it reads.
    #[arg(long)]
    strict: bool,
    /// The time zone the requests are shown in (default: the mapping's, or UTC).
    #[arg(long = "time-zone")]
    time_zone: Option<String>,
}

/// Imports files; every problem on standard error, one a line; exits 1 when
/// any row was refused.
pub(crate) fn import(args: ImportArgs, out: &mut impl Write) -> Result<ExitCode> {
    let store = args.store.open()?;
    let options = ImportOptions { strict: args.strict, time_zone: args.time_zone.clone() };
    let mut refused = false;
    for file in &args.files {
        let format = import_format(&args.mapping, file)?;
        let reader = open_file(file)?;
        let shown = file.display().to_string();
        let report = store.import(&shown, reader, &format, &options)?;
        for p in &report.problems {
            eprintln!("{p}");
        }
        refused |= !report.problems.is_empty();
        writeln!(
            out,
            "{shown}: {} rows, {} imported, {} already stored, {} refused",
            report.rows,
            report.imported,
            report.already_stored,
            report.problems.len()
        )
        .map_err(|e| io_error("cannot write", e))?;
    }
    Ok(if refused { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn import_format(mapping: &str, file: &Path) -> Result<ImportFormat> {
    if mapping == "open311" {
        let name = file.to_string_lossy().to_lowercase();
        let name = name.strip_suffix(".gz").unwrap_or(&name);
        return Ok(ImportFormat::Open311(if name.ends_with(".xml") { Format::Xml } else { Format::Json }));
    }
    if mapping.ends_with(".toml") {
        let text = std::fs::read_to_string(mapping).map_err(|e| io_error(&format!("cannot read {mapping}"), e))?;
        return Mapping::from_toml(&text).map(ImportFormat::Csv);
    }
    Mapping::builtin(mapping).map(ImportFormat::Csv)
}

fn open_file(path: &Path) -> Result<Box<dyn Read>> {
    let file = std::fs::File::open(path).map_err(|e| io_error(&format!("cannot read '{}'", path.display()), e))?;
    let file = std::io::BufReader::with_capacity(1 << 16, file);
    Ok(if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::bufread::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    })
}

#[derive(Args)]
pub(crate) struct SweepArgs {
    #[command(flatten)]
    store: StoreArg,
    /// The time to sweep at (RFC 3339), instead of now.
    #[arg(long)]
    at: Option<String>,
    #[arg(long)]
    json: bool,
}

/// Records the escalations and breaches that have fallen due.
pub(crate) fn sweep(args: SweepArgs, out: &mut impl Write) -> Result<ExitCode> {
    let at = instant(args.at.as_deref())?.unwrap_or_else(jiff::Timestamp::now);
    let store = args.store.open()?;
    let report = store.sweep(at)?;
    let text = if args.json {
        serde_json::to_string(&report).unwrap_or_default()
    } else {
        let mut s = format!("{} escalated, {} past their deadline", report.escalated.len(), report.breached.len());
        for (id, to) in &report.escalated {
            s += &format!("\n  escalated {id} to {to}");
        }
        for id in &report.breached {
            s += &format!("\n  overdue {id}");
        }
        s
    };
    writeln!(out, "{text}").map_err(|e| io_error("cannot write", e))?;
    Ok(ExitCode::SUCCESS)
}
