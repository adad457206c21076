//! `Store`: mirrors `civic311_store::Store` (submit, get, update, query,
//! sweep, import). Requests come back as dicts with Open311 field names and
//! timezone-aware datetimes; a query can come back as a pandas DataFrame.
//! The GIL is released while the database works.

use civic311::Status;
use civic311::open311::Format;
use civic311_store::{
    BoundingBox, Bucket, Event, Filter, ImportFormat, ImportOptions, Mapping, Near, ReportOptions, StatusFilter,
    StoredRequest, Submission, Update,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::engine::Engine;
use crate::errors::{IntoPyResult, QueryError};
use crate::time;

/// A request store: a SQLite file (`sqlite:PATH`, created if missing), a
/// store in memory (`sqlite::memory:`), or a PostgreSQL database
/// (`postgres://USER:PASSWORD@HOST:PORT/DATABASE`). Safe to share between
/// threads; each call is one transaction.
#[pyclass(module = "civic311", frozen)]
pub struct Store {
    inner: civic311_store::Store,
}

fn opt_time<'py>(py: Python<'py>, t: Option<civic311::DateTime>) -> PyResult<Bound<'py, PyAny>> {
    match t {
        Some(t) => Ok(time::to_py(py, &t)?.into_any()),
        None => Ok(py.None().into_bound(py)),
    }
}

fn instant(value: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<jiff::Timestamp>> {
    value.filter(|v| !v.is_none()).map(|v| time::from_py(v, what).map(|d| d.timestamp())).transpose()
}

/// A JSON value as Python: dicts, lists, str, int, float, bool, None.
fn json_to_py<'py>(py: Python<'py>, v: &serde_json::Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        serde_json::Value::Null => py.None().into_bound(py),
        serde_json::Value::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => i.into_pyobject(py)?.into_any(),
            None => n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any(),
        },
        serde_json::Value::String(s) => s.into_pyobject(py)?.into_any(),
        serde_json::Value::Array(a) => {
            let list = PyList::empty(py);
            for x in a {
                list.append(json_to_py(py, x)?)?;
            }
            list.into_any()
        }
        serde_json::Value::Object(o) => {
            let d = PyDict::new(py);
            for (k, x) in o {
                d.set_item(k, json_to_py(py, x)?)?;
            }
            d.into_any()
        }
    })
}

fn event_dict<'py>(py: Python<'py>, e: &Event) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("n", e.n)?;
    d.set_item("at", time::to_py(py, &e.at)?)?;
    d.set_item("kind", e.kind.as_str())?;
    d.set_item("actor", &e.actor)?;
    d.set_item("public", e.public)?;
    d.set_item("note", &e.note)?;
    d.set_item("state", &e.state)?;
    d.set_item("department", &e.department)?;
    Ok(d)
}

/// A stored request as a dict: the Open311 fields (`status` is `open` or
/// `closed`), then civic311's (`state`, `close_reason`, `department`, ...);
/// `history` and `personal` when `full`.
fn request_dict<'py>(py: Python<'py>, r: &StoredRequest, full: bool) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("service_request_id", &r.service_request_id)?;
    d.set_item("status", r.open311_status())?;
    d.set_item("status_notes", &r.status_notes)?;
    d.set_item("service_name", &r.service_name)?;
    d.set_item("service_code", &r.service_code)?;
    d.set_item("description", &r.description)?;
    d.set_item("agency_responsible", &r.agency_responsible)?;
    d.set_item("service_notice", &r.service_notice)?;
    d.set_item("requested_datetime", time::to_py(py, &r.requested_datetime)?)?;
    d.set_item("updated_datetime", time::to_py(py, &r.updated_datetime)?)?;
    d.set_item("expected_datetime", opt_time(py, r.expected_datetime)?)?;
    d.set_item("address", &r.address)?;
    d.set_item("address_id", &r.address_id)?;
    d.set_item("zipcode", &r.zipcode)?;
    d.set_item("lat", r.lat)?;
    d.set_item("long", r.long)?;
    d.set_item("media_url", &r.media_url)?;
    d.set_item("state", r.status.name())?;
    let reason = match &r.status {
        Status::Closed(reason) => Some(reason.to_string()),
        _ => None,
    };
    d.set_item("close_reason", reason)?;
    d.set_item("acknowledged_datetime", opt_time(py, r.acknowledged_datetime)?)?;
    d.set_item("closed_datetime", opt_time(py, r.closed_datetime)?)?;
    match &r.escalation {
        Some(e) => {
            let esc = PyDict::new(py);
            esc.set_item("to", &e.to)?;
            esc.set_item("at", time::to_py(py, &e.at)?)?;
            esc.set_item("escalated_datetime", opt_time(py, e.escalated_datetime)?)?;
            d.set_item("escalation", esc)?;
        }
        None => d.set_item("escalation", py.None())?,
    }
    d.set_item("sla_breached_datetime", opt_time(py, r.sla_breached_datetime)?)?;
    d.set_item("attributes", json_to_py(py, &serde_json::to_value(&r.attributes).unwrap_or_default())?)?;
    d.set_item("channel", r.channel.map(|c| c.as_str()))?;
    d.set_item("reporter", r.reporter.as_str())?;
    d.set_item("priority", r.priority.map(|p| p.as_str()))?;
    d.set_item("jurisdiction", &r.jurisdiction)?;
    d.set_item("department", &r.department)?;
    d.set_item("duplicate_of", &r.duplicate_of)?;
    d.set_item("referred_to", &r.referred_to)?;
    d.set_item("rule", &r.rule)?;
    d.set_item("sla", &r.sla)?;
    d.set_item("time_zone", &r.time_zone)?;
    d.set_item("client_request_id", &r.client_request_id)?;
    d.set_item("source", &r.source)?;
    d.set_item("version", r.version)?;
    if full {
        let history = PyList::empty(py);
        for e in &r.history {
            history.append(event_dict(py, e)?)?;
        }
        d.set_item("history", history)?;
        match &r.personal {
            Some(p) => d.set_item("personal", json_to_py(py, &serde_json::to_value(p).unwrap_or_default())?)?,
            None => d.set_item("personal", py.None())?,
        }
    }
    Ok(d)
}

fn parse_status(status: &str, reason: Option<&str>) -> PyResult<Status> {
    Status::from_name(status, reason).filter(|s| *s != Status::Submitted).ok_or_else(|| {
        QueryError::new_err(format!(
            "status = {status:?}; use 'acknowledged', 'in_progress', 'on_hold', 'closed' or 'reopened'"
        ))
    })
}

#[pymethods]
impl Store {
    /// Opens a store, creating it or bringing its schema up to date.
    #[new]
    fn new(py: Python<'_>, url: &str) -> PyResult<Store> {
        let url = url.to_string();
        let inner = py.detach(move || civic311_store::Store::open(&url)).py_err(py)?;
        Ok(Store { inner })
    }

    /// The store's URL, without a password.
    #[getter]
    fn url(&self) -> &str {
        self.inner.label()
    }

    fn __repr__(&self) -> String {
        format!("Store({:?})", self.inner.label())
    }

    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        let n = py.detach(|| self.inner.len()).py_err(py)?;
        Ok(n as usize)
    }

    /// Validates, routes and stores a request (an Open311 dict); returns
    /// `{"service_request_id", "created", "routing", "duplicates"}`. A
    /// `client_request_id` seen before returns the first answer with
    /// `created` False and stores nothing.
    #[pyo3(signature = (engine, request, *, channel=None, staff=false, client_request_id=None, at=None))]
    fn submit<'py>(
        &self,
        py: Python<'py>,
        engine: &Engine,
        request: &Bound<'py, PyAny>,
        channel: Option<&str>,
        staff: bool,
        client_request_id: Option<String>,
        at: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let request = crate::open311::request_from_py(request)?;
        let channel = match channel {
            None => None,
            Some(c) => Some(civic311::Channel::parse(c).ok_or_else(|| {
                QueryError::new_err(format!("channel = {c:?}; use one of {}", civic311::Channel::NAMES.join(", ")))
            })?),
        };
        let submission = Submission {
            channel,
            reporter: staff.then_some(civic311::Reporter::Staff),
            client_request_id,
            at: instant(at, "at")?,
        };
        let engine = engine.shared();
        let s = py.detach(|| self.inner.submit(&engine, request, submission)).py_err(py)?;
        let d = PyDict::new(py);
        d.set_item("service_request_id", &s.service_request_id)?;
        d.set_item("created", s.created)?;
        d.set_item("routing", crate::route::to_dict(py, &s.routing)?)?;
        d.set_item("duplicates", json_to_py(py, &serde_json::to_value(&s.duplicates).unwrap_or_default())?)?;
        Ok(d)
    }

    /// The request with its `history` and `personal` data, or None.
    fn get<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Option<Bound<'py, PyDict>>> {
        let found = py.detach(|| self.inner.get(id)).py_err(py)?;
        found.map(|r| request_dict(py, &r, true)).transpose()
    }

    /// Changes a request through its lifecycle; returns it as it now is.
    /// Raises LifecycleError for an illegal move, ConflictError when
    /// `expected_version` is stale, NotFoundError for an unknown id.
    #[pyo3(signature = (id, *, actor, status=None, reason=None, note=None, public=true, department=None, at=None, expected_version=None))]
    fn update<'py>(
        &self,
        py: Python<'py>,
        id: &str,
        actor: String,
        status: Option<&str>,
        reason: Option<&str>,
        note: Option<String>,
        public: bool,
        department: Option<String>,
        at: Option<&Bound<'py, PyAny>>,
        expected_version: Option<i64>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let status = status.map(|s| parse_status(s, reason)).transpose()?;
        if reason.is_some() && !matches!(status, Some(Status::Closed(_))) {
            return Err(QueryError::new_err("reason goes with status='closed'"));
        }
        let update = Update { status, note, public, department, actor, at: instant(at, "at")?, expected_version };
        let r = py.detach(|| self.inner.update(id, update)).py_err(py)?;
        request_dict(py, &r, true)
    }

    /// One page of requests by the Open311 filters (newest first), as a
    /// list of dicts, or as a pandas DataFrame with `frame=True`.
    /// `near` is `(lat, long, radius_m)`; `bbox` is
    /// `(min_lat, min_long, max_lat, max_long)`.
    #[pyo3(signature = (*, ids=None, service_codes=None, status=None, start=None, end=None, department=None, updated_after=None, near=None, bbox=None, page=1, page_size=50, frame=false))]
    fn query<'py>(
        &self,
        py: Python<'py>,
        ids: Option<Vec<String>>,
        service_codes: Option<Vec<String>>,
        status: Option<&str>,
        start: Option<&Bound<'py, PyAny>>,
        end: Option<&Bound<'py, PyAny>>,
        department: Option<String>,
        updated_after: Option<&Bound<'py, PyAny>>,
        near: Option<(f64, f64, f64)>,
        bbox: Option<(f64, f64, f64, f64)>,
        page: i64,
        page_size: i64,
        frame: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let status = status
            .map(|s| {
                StatusFilter::parse(s).ok_or_else(|| {
                    QueryError::new_err(format!(
                        "status = {s:?}; use 'open', 'closed', 'submitted', 'acknowledged', 'in_progress', 'on_hold' or 'reopened'"
                    ))
                })
            })
            .transpose()?;
        let count = |v: i64, name: &str| {
            u32::try_from(v).map_err(|_| QueryError::new_err(format!("{name} = {v}; give a positive whole number")))
        };
        let filter = Filter {
            ids: ids.unwrap_or_default(),
            service_codes: service_codes.unwrap_or_default(),
            status,
            start: instant(start, "start")?,
            end: instant(end, "end")?,
            department,
            updated_after: instant(updated_after, "updated_after")?,
            near: near.map(|(lat, long, radius_m)| Near { lat, long, radius_m }),
            bbox: bbox.map(|(min_lat, min_long, max_lat, max_long)| BoundingBox {
                min_lat,
                min_long,
                max_lat,
                max_long,
            }),
            page: count(page, "page")?,
            page_size: count(page_size, "page_size")?,
        };
        let found = py.detach(|| self.inner.query(&filter)).py_err(py)?;
        let rows = PyList::empty(py);
        for r in &found.requests {
            rows.append(request_dict(py, r, false)?)?;
        }
        if frame {
            let pandas = py
                .import("pandas")
                .map_err(|_| pyo3::exceptions::PyImportError::new_err("frame=True needs pandas: pip install pandas"))?;
            return pandas.getattr("DataFrame")?.call_method1("from_records", (rows,));
        }
        Ok(rows.into_any())
    }

    /// Records the escalations and SLA breaches fallen due by `now`
    /// (default: now), once each; returns `{"escalated": [(id, to)], "breached": [id]}`.
    #[pyo3(signature = (now=None))]
    fn sweep<'py>(&self, py: Python<'py>, now: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyDict>> {
        let now = instant(now, "now")?.unwrap_or_else(jiff::Timestamp::now);
        let report = py.detach(|| self.inner.sweep(now)).py_err(py)?;
        let d = PyDict::new(py);
        d.set_item("escalated", report.escalated)?;
        d.set_item("breached", report.breached)?;
        Ok(d)
    }

    /// Imports a file: a CSV export read through `mapping` (`"nyc311"`,
    /// `"nyc-council"`, or a mapping's TOML text), or an Open311 payload
    /// (`mapping="open311"`, JSON or XML by the file's name). Returns
    /// `{"rows", "imported", "already_stored", "problems"}`; with
    /// `strict=True` nothing loads unless every row reads (FormatError,
    /// with `.problems`).
    #[pyo3(signature = (path, *, mapping="nyc311", strict=false, time_zone=None))]
    fn import_file<'py>(
        &self,
        py: Python<'py>,
        path: std::path::PathBuf,
        mapping: &str,
        strict: bool,
        time_zone: Option<String>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let format = if mapping == "open311" {
            let xml = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("xml"));
            ImportFormat::Open311(if xml { Format::Xml } else { Format::Json })
        } else if mapping.contains('\n') || mapping.contains('=') {
            ImportFormat::Csv(Mapping::from_toml(mapping).py_err(py)?)
        } else {
            ImportFormat::Csv(Mapping::builtin(mapping).py_err(py)?)
        };
        let options = ImportOptions { strict, time_zone };
        let shown = path.display().to_string();
        let report = py
            .detach(|| {
                let file = std::fs::File::open(&path).map_err(|e| {
                    civic311::Error::new(civic311::ErrorKind::Io, format!("cannot read '{shown}': {e}"))
                })?;
                self.inner.import(&shown, std::io::BufReader::new(file), &format, &options)
            })
            .py_err(py)?;
        let d = PyDict::new(py);
        d.set_item("rows", report.rows)?;
        d.set_item("imported", report.imported)?;
        d.set_item("already_stored", report.already_stored)?;
        let problems = PyList::empty(py);
        for p in &report.problems {
            let pd = PyDict::new(py);
            pd.set_item("file", &p.file)?;
            pd.set_item("line", p.line)?;
            pd.set_item("field", &p.field)?;
            pd.set_item("message", &p.message)?;
            problems.append(pd)?;
        }
        d.set_item("problems", problems)?;
        Ok(d)
    }

    /// What disagrees between each request's state and its history (empty
    /// for a sound store).
    fn verify(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        py.detach(|| self.inner.verify()).py_err(py)
    }

    /// Answers a question and, when it is escalated, keeps it as an
    /// inquiry in the queue of the department named, due by the catalog's
    /// inquiry deadline. Returns `{"reply": ..., "inquiry": ...}`: the
    /// reply as `Engine.answer` gives it, and the inquiry (a dict) or None
    /// when the question was answered or is an emergency.
    #[pyo3(signature = (engine, question, *, lang=None, min_confidence=0.5, channel=None, page=None, token=None, at=None))]
    #[allow(clippy::too_many_arguments)]
    fn escalate<'py>(
        &self,
        py: Python<'py>,
        engine: &Engine,
        question: String,
        lang: Option<String>,
        min_confidence: f32,
        channel: Option<String>,
        page: Option<String>,
        token: Option<String>,
        at: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let at = instant(at, "at")?;
        let options = civic311::AnswerOptions { lang, min_confidence, now: at, ..civic311::AnswerOptions::default() };
        let engine = engine.shared();
        let (reply, inquiry) = py
            .detach(|| -> civic311::Result<_> {
                let reply = engine.answer(&question, &options)?;
                let inquiry = match reply.escalation {
                    Some(_) => Some(self.inner.escalate(
                        &engine,
                        &question,
                        &reply,
                        &civic311_store::Asked { channel, page, token, at },
                    )?),
                    None => None,
                };
                Ok((reply, inquiry))
            })
            .py_err(py)?;
        let d = PyDict::new(py);
        d.set_item("reply", crate::engine::reply_dict(py, &reply)?)?;
        match &inquiry {
            Some(i) => d.set_item("inquiry", inquiry_dict(py, i)?)?,
            None => d.set_item("inquiry", py.None())?,
        }
        Ok(d)
    }

    /// Records a search (`kind="search"`) or an answer followed
    /// (`kind="follow"`, with `followed="kind:id"`) for the report's "what
    /// residents asked". The question is scrubbed of e-mail addresses and
    /// numbers of three digits or more; the page keeps its address only.
    #[pyo3(signature = (query, *, kind="search", lang=None, answers=None, top=None, top_score=None, followed=None, page=None, at=None, source="python"))]
    #[allow(clippy::too_many_arguments)]
    fn record_search<'py>(
        &self,
        py: Python<'py>,
        query: String,
        kind: &str,
        lang: Option<String>,
        answers: Option<u32>,
        top: Option<String>,
        top_score: Option<f32>,
        followed: Option<String>,
        page: Option<String>,
        at: Option<&Bound<'py, PyAny>>,
        source: &str,
    ) -> PyResult<()> {
        let kind = civic311_store::SearchEventKind::parse(kind)
            .ok_or_else(|| QueryError::new_err(format!("kind = {kind:?}; use \"search\" or \"follow\"")))?;
        let event = civic311_store::SearchEvent {
            at: instant(at, "at")?,
            kind,
            query,
            lang,
            answers,
            top,
            top_score,
            followed,
            page,
            source: source.to_string(),
        };
        py.detach(|| self.inner.record_search(&event)).py_err(py)
    }

    /// Deletes the search events from before `before` (an aware datetime or
    /// RFC 3339 text); returns how many.
    fn prune_searches(&self, py: Python<'_>, before: &Bound<'_, PyAny>) -> PyResult<u64> {
        let before = time::from_py(before, "before")?.timestamp();
        py.detach(|| self.inner.prune_searches(before)).py_err(py)
    }

    /// A replied inquiry's reply as a draft article in catalog format:
    /// `{"id", "lang", "text"}`, the text to save as `articles/LANG/ID.md`.
    /// Raises LifecycleError before the reply, NotFoundError for an unknown id.
    fn draft_article<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Bound<'py, PyDict>> {
        let draft = py
            .detach(|| {
                let inquiry = self.inner.inquiry(id)?.ok_or_else(|| {
                    civic311::Error::new(civic311::ErrorKind::NotFound, format!("no inquiry has id '{id}'"))
                })?;
                inquiry.draft_article()
            })
            .py_err(py)?;
        let d = PyDict::new(py);
        d.set_item("id", draft.id)?;
        d.set_item("lang", draft.lang)?;
        d.set_item("text", draft.text)?;
        Ok(d)
    }

    /// An inquiry with its `history`, or None.
    fn inquiry<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Option<Bound<'py, PyDict>>> {
        let found = py.detach(|| self.inner.inquiry(id)).py_err(py)?;
        found.map(|i| inquiry_dict(py, &i)).transpose()
    }

    /// Inquiries, oldest first: a department's queue. `status` is "open"
    /// (default), "closed" or "all".
    #[pyo3(signature = (*, department=None, status="open", page=1, page_size=50))]
    fn inquiries<'py>(
        &self,
        py: Python<'py>,
        department: Option<String>,
        status: &str,
        page: u32,
        page_size: u32,
    ) -> PyResult<Bound<'py, PyList>> {
        let open = match status {
            "open" => Some(true),
            "closed" => Some(false),
            "all" => None,
            other => {
                return Err(QueryError::new_err(format!("status = {other:?}; use \"open\", \"closed\" or \"all\"")));
            }
        };
        let filter = civic311_store::InquiryFilter { department, open, page, page_size };
        let list = py.detach(|| self.inner.inquiries(&filter)).py_err(py)?;
        let out = PyList::empty(py);
        for i in &list {
            out.append(inquiry_dict(py, i)?)?;
        }
        Ok(out)
    }

    /// Changes an inquiry: an internal `note`, a transfer to `department`,
    /// the `reply` (public; it closes the inquiry). Returns it as it now is.
    /// Raises LifecycleError when it is closed, ConflictError when
    /// `expected_version` is stale, NotFoundError for an unknown id.
    #[pyo3(signature = (engine, id, *, actor, note=None, department=None, reply=None, at=None, expected_version=None))]
    #[allow(clippy::too_many_arguments)]
    fn update_inquiry<'py>(
        &self,
        py: Python<'py>,
        engine: &Engine,
        id: &str,
        actor: String,
        note: Option<String>,
        department: Option<String>,
        reply: Option<String>,
        at: Option<&Bound<'py, PyAny>>,
        expected_version: Option<i64>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let update =
            civic311_store::InquiryUpdate { actor, note, department, reply, at: instant(at, "at")?, expected_version };
        let engine = engine.shared();
        let i = py.detach(|| self.inner.update_inquiry(&engine, id, update)).py_err(py)?;
        inquiry_dict(py, &i)
    }

    /// A report over the requests filed from `from_date` to `to_date`
    /// (both included; `datetime.date` or "YYYY-MM-DD"), against the
    /// period of the same length before: a dict with the period, the
    /// totals and `tables` (volumes, changes, rising, service_levels,
    /// backlog, referrals, duplicates, questions_top, questions_unanswered,
    /// inquiries), each a pandas DataFrame when pandas is installed and a
    /// list of dicts otherwise (`frame=False` forces lists). `departments`
    /// limits it to those departments' requests. `by` is "day", "week" or
    /// "month"; `now` is when open, overdue and age are measured (default
    /// now). With `engine`, residents' searches are grouped by what they ask
    /// and the unanswered ones get the department that should know; with
    /// `engine` and `districts` (a boundary kind of its catalog, such as
    /// "council_district") requests are counted by district too.
    #[pyo3(signature = (from_date, to_date, *, by="week", now=None, engine=None, districts=None, rising=10, departments=None, frame=None))]
    #[allow(clippy::too_many_arguments)]
    fn report<'py>(
        &self,
        py: Python<'py>,
        from_date: &Bound<'py, PyAny>,
        to_date: &Bound<'py, PyAny>,
        by: &str,
        now: Option<&Bound<'py, PyAny>>,
        engine: Option<PyRef<'py, Engine>>,
        districts: Option<String>,
        rising: usize,
        departments: Option<Vec<String>>,
        frame: Option<bool>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let mut options = report_options(from_date, to_date, by, now, engine, districts, rising)?;
        options.departments = departments.unwrap_or_default();
        let report = py.detach(|| self.inner.report(&options)).py_err(py)?;
        let pandas = match frame {
            Some(false) => None,
            Some(true) => Some(py.import("pandas").map_err(|_| {
                pyo3::exceptions::PyImportError::new_err("frame=True needs pandas: pip install pandas")
            })?),
            None => py.import("pandas").ok(),
        };
        let d = PyDict::new(py);
        d.set_item("from_date", report.from.to_string())?;
        d.set_item("to_date", report.to.to_string())?;
        d.set_item("previous_from", report.previous_from.to_string())?;
        d.set_item("previous_to", report.previous_to.to_string())?;
        d.set_item("by", by.to_ascii_lowercase())?;
        d.set_item("now", report.now.to_string())?;
        d.set_item("total", report.total)?;
        d.set_item("previous_total", report.previous_total)?;
        let tables = PyDict::new(py);
        for table in report.tables() {
            let rows = PyList::empty(py);
            for row in &table.rows {
                let r = PyDict::new(py);
                for (column, cell) in table.columns.iter().zip(row) {
                    match cell {
                        civic311_store::Cell::Text(t) => r.set_item(column, t)?,
                        civic311_store::Cell::Int(i) => r.set_item(column, i)?,
                        civic311_store::Cell::Real(x) => r.set_item(column, x)?,
                        civic311_store::Cell::Empty => r.set_item(column, py.None())?,
                    }
                }
                rows.append(r)?;
            }
            match &pandas {
                Some(pd) => {
                    let kwargs = PyDict::new(py);
                    kwargs.set_item("columns", table.columns.clone())?;
                    let df = pd.getattr("DataFrame")?.call((rows,), Some(&kwargs))?;
                    tables.set_item(table.name, df)?;
                }
                None => tables.set_item(table.name, rows)?,
            }
        }
        d.set_item("tables", tables)?;
        Ok(d)
    }

    /// The same report as one self-contained HTML page (charts, tables,
    /// print styles; nothing fetched from elsewhere), as a str.
    #[pyo3(signature = (from_date, to_date, *, title="311 report", by="week", now=None, engine=None, districts=None, rising=10))]
    #[allow(clippy::too_many_arguments)]
    fn report_html<'py>(
        &self,
        py: Python<'py>,
        from_date: &Bound<'py, PyAny>,
        to_date: &Bound<'py, PyAny>,
        title: &str,
        by: &str,
        now: Option<&Bound<'py, PyAny>>,
        engine: Option<PyRef<'py, Engine>>,
        districts: Option<String>,
        rising: usize,
    ) -> PyResult<String> {
        let options = report_options(from_date, to_date, by, now, engine, districts, rising)?;
        py.detach(|| self.inner.report(&options).map(|r| r.to_html(title))).py_err(py)
    }
}

/// A day from a `datetime.date` (or `datetime`) or a "YYYY-MM-DD" str.
fn day(value: &Bound<'_, PyAny>, what: &str) -> PyResult<jiff::civil::Date> {
    let text: String = if let Ok(s) = value.extract::<String>() {
        s
    } else if value.hasattr("isoformat")? {
        let iso: String = value.call_method0("isoformat")?.extract()?;
        iso.chars().take(10).collect()
    } else {
        return Err(QueryError::new_err(format!("{what} = {}; give a datetime.date or 'YYYY-MM-DD'", value.repr()?)));
    };
    text.trim()
        .parse()
        .map_err(|e| QueryError::new_err(format!("{what} = {text:?} is not a date ({e}); give 'YYYY-MM-DD'")))
}

fn report_options(
    from_date: &Bound<'_, PyAny>,
    to_date: &Bound<'_, PyAny>,
    by: &str,
    now: Option<&Bound<'_, PyAny>>,
    engine: Option<PyRef<'_, Engine>>,
    districts: Option<String>,
    rising: usize,
) -> PyResult<ReportOptions> {
    let by =
        Bucket::parse(by).ok_or_else(|| QueryError::new_err(format!("by = {by:?}; use 'day', 'week' or 'month'")))?;
    let shared = engine.as_ref().map(|e| e.shared());
    let districts = match (engine, districts) {
        (Some(engine), Some(kind)) => Some(
            ReportOptions::districts_of(engine.shared().catalog(), &kind)
                .map_err(|e| QueryError::new_err(e.message().to_string()))?,
        ),
        (None, Some(_)) => {
            return Err(QueryError::new_err("districts needs engine=, whose catalog has the boundaries"));
        }
        _ => None,
    };
    Ok(ReportOptions {
        from: day(from_date, "from_date")?,
        to: day(to_date, "to_date")?,
        by,
        now: instant(now, "now")?.unwrap_or_else(jiff::Timestamp::now),
        districts,
        rising,
        departments: Vec::new(),
        engine: shared,
    })
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Store>()?;
    Ok(())
}

/// An inquiry as a dict, with aware datetimes (the token is not in it).
fn inquiry_dict<'py>(py: Python<'py>, i: &civic311_store::Inquiry) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("id", &i.id)?;
    d.set_item("question", &i.question)?;
    d.set_item("lang", &i.lang)?;
    d.set_item("open", i.open)?;
    d.set_item("asked_datetime", time::to_py(py, &i.asked_datetime)?)?;
    d.set_item("updated_datetime", time::to_py(py, &i.updated_datetime)?)?;
    d.set_item("reply_by", opt_time(py, i.reply_by)?)?;
    d.set_item("time_zone", &i.time_zone)?;
    d.set_item("department", &i.department)?;
    d.set_item("service_code", &i.service_code)?;
    d.set_item("confidence", i.confidence)?;
    d.set_item("reason", &i.reason)?;
    d.set_item("channel", &i.channel)?;
    d.set_item("page", &i.page)?;
    d.set_item("reply", &i.reply)?;
    d.set_item("replied_datetime", opt_time(py, i.replied_datetime)?)?;
    d.set_item("version", i.version)?;
    let history = PyList::empty(py);
    for e in &i.history {
        let x = PyDict::new(py);
        x.set_item("n", e.n)?;
        x.set_item("at", time::to_py(py, &e.at)?)?;
        x.set_item("kind", &e.kind)?;
        x.set_item("actor", &e.actor)?;
        x.set_item("public", e.public)?;
        x.set_item("note", &e.note)?;
        x.set_item("department", &e.department)?;
        history.append(x)?;
    }
    d.set_item("history", history)?;
    Ok(d)
}
