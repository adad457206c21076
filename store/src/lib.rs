//! Service requests that persist: the request store of civic311.
//!
//! A [`Store`] keeps every request with its Open311 fields, what routing
//! decided (department, priority, service-level deadline, escalation), the
//! channel it came by, and its whole history as append-only events. It
//! lives in a SQLite file by default (WAL, every commit on disk before it
//! returns) and in PostgreSQL when a city outgrows one machine; the same
//! calls and the same tests run on both.
//!
//! ```
//! use civic311::{Engine, Catalog, CloseReason, Status};
//! use civic311::open311::NewRequest;
//! use civic311_store::{Filter, Store, Submission, Update};
//!
//! let engine = Engine::build(Catalog::riverton()?)?;
//! let store = Store::open("sqlite::memory:")?;
//!
//! // A resident reports a pothole through the app.
//! let mut pothole = NewRequest::new("ST-POTHOLE");
//! (pothole.lat, pothole.long) = (Some(38.9501), Some(-90.9402));
//! pothole.attributes.insert("SIZE".into(), civic311::AttributeAnswer::One("medium".into()));
//! pothole.attributes.insert("LANE_POSITION".into(), civic311::AttributeAnswer::One("edge".into()));
//! pothole.email = Some("resident@example.org".into());
//! let submitted = store.submit(&engine, pothole, Submission::default())?;
//! assert_eq!(submitted.routing.department.as_deref(), Some("streets"));
//!
//! // Streets acknowledges it, then fixes it.
//! let id = &submitted.service_request_id;
//! store.update(id, Update::by("streets-dispatch").status(Status::Acknowledged))?;
//! store.update(id, Update::by("crew-7").close(CloseReason::Fixed).note("filled", true))?;
//!
//! // Its history, and the Open311 filters.
//! let request = store.get(id)?.expect("stored");
//! assert_eq!(request.open311_status(), "closed");
//! assert_eq!(request.personal.unwrap().email.as_deref(), Some("resident@example.org"));
//! let kinds: Vec<_> = request.history.iter().map(|e| e.kind.as_str()).collect();
//! assert_eq!(kinds, ["submitted", "routed", "acknowledged", "closed"]);
//! let page = store.query(&Filter { service_codes: vec!["ST-POTHOLE".into()], ..Filter::default() })?;
//! assert_eq!(page.requests.len(), 1);
//! # Ok::<(), civic311::Error>(())
//! ```
//!
//! `core` does no I/O and knows nothing of the store; every SQL statement
//! of civic311 lives in this crate.

mod analytics;
mod db;
mod geo;
mod import;
mod inquiry;
mod migrate;
mod model;
mod query;
mod rows;
mod searches;
mod submit;
mod sweep;
mod update;

use std::path::Path;

use civic311::{Error, ErrorKind, Result};

pub use analytics::{
    Backlog, Bucket, Cell, Change, Count, InquiryLevel, QuestionGroup, Questions, Report, ReportOptions, Rising,
    ServiceLevel, Table, Volume,
};
pub use import::{ImportFormat, ImportOptions, ImportReport, Mapping};
pub use inquiry::{Asked, DraftArticle, Inquiry, InquiryEvent, InquiryFilter, InquiryUpdate};
pub use model::{
    BoundingBox, Event, EventKind, Filter, Near, Page, Personal, StatusFilter, StoredEscalation, StoredRequest,
    Submission, Submitted, SweepReport, Update,
};
pub use searches::{SearchEvent, SearchEventKind, scrub};

use db::{Conn, Dialect, Mode, postgres::Postgres, sqlite::Sqlite};

/// A request store: a SQLite file (or memory) or a PostgreSQL database.
/// Cheap to share between threads (`&Store` is all an operation needs);
/// each operation is one transaction.
pub struct Store {
    backend: Backend,
}

enum Backend {
    Sqlite(Sqlite),
    Postgres(Postgres),
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("url", &self.label()).finish()
    }
}

impl Store {
    /// Opens a store, creating it (or bringing its schema up to date) as
    /// needed:
    ///
    /// - `sqlite:PATH`: a SQLite file, created if missing (the default
    ///   choice: one file, nothing to run);
    /// - `sqlite::memory:`: a store that lives as long as this value;
    /// - `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE` (or
    ///   `postgresql://`): a PostgreSQL database, empty or a civic311 store.
    ///
    /// A file or database that holds something else, is damaged, or was
    /// written by a newer civic311 is refused with a
    /// [`Store`](ErrorKind::Store) error that says so.
    pub fn open(url: &str) -> Result<Store> {
        let url = url.trim();
        let backend = if url == "sqlite::memory:" {
            Backend::Sqlite(Sqlite::open(None)?)
        } else if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            if path.is_empty() {
                return Err(bad_url(url));
            }
            Backend::Sqlite(Sqlite::open(Some(Path::new(path)))?)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres(Postgres::open(url)?)
        } else {
            return Err(bad_url(url));
        };
        let store = Store { backend };
        migrate::migrate(&store)?;
        Ok(store)
    }

    /// The store's URL, without a password.
    pub fn label(&self) -> &str {
        match &self.backend {
            Backend::Sqlite(s) => s.label(),
            Backend::Postgres(p) => p.label(),
        }
    }

    /// Runs `f` in one transaction, committed when it returns `Ok`.
    fn transaction<T>(&self, mode: Mode, f: impl FnOnce(&mut dyn Conn) -> Result<T>) -> Result<T> {
        match &self.backend {
            Backend::Sqlite(s) => s.transaction(mode, f),
            Backend::Postgres(p) => p.transaction(mode, f),
        }
    }

    /// Runs `f`, which sends one statement or writes through
    /// single-statement writes: on PostgreSQL with no transaction around
    /// it (each statement commits on its own, and `BEGIN` and `COMMIT`
    /// cost no round trips); on SQLite in a transaction of `mode`.
    fn autocommit<T>(&self, mode: Mode, f: impl FnOnce(&mut dyn Conn) -> Result<T>) -> Result<T> {
        match &self.backend {
            Backend::Sqlite(s) => s.transaction(mode, f),
            Backend::Postgres(p) => p.autocommit(f),
        }
    }

    fn dialect(&self) -> Dialect {
        match &self.backend {
            Backend::Sqlite(_) => Dialect::Sqlite,
            Backend::Postgres(_) => Dialect::Postgres,
        }
    }

    /// A request with its history and personal data; `None` when no request
    /// has that id.
    pub fn get(&self, id: &str) -> Result<Option<StoredRequest>> {
        self.transaction(Mode::Read, |c| get(c, id))
    }

    /// Fills in the history and personal data of requests a
    /// [`query`](Store::query) gave (which reads neither), in one read
    /// transaction: for a page whose notes are shown, or a staff view.
    pub fn fill_details(&self, requests: &mut [StoredRequest]) -> Result<()> {
        self.transaction(Mode::Read, |c| {
            for r in requests.iter_mut() {
                let tz = rows::zone(&r.time_zone);
                r.history = rows::history(c, &r.service_request_id, &tz)?;
                r.personal = rows::personal(c, &r.service_request_id)?;
            }
            Ok(())
        })
    }

    /// The id of the request submitted with a client's own id, if any.
    pub fn id_for_client_request(&self, client_request_id: &str) -> Result<Option<String>> {
        self.transaction(Mode::Read, |c| {
            Ok(c.query_one("SELECT id FROM requests WHERE client_request_id = ?", &[client_request_id.into()])?
                .and_then(|r| r.into_iter().next())
                .and_then(db::Value::into_text))
        })
    }

    /// How many requests the store holds.
    pub fn len(&self) -> Result<u64> {
        self.transaction(Mode::Read, |c| {
            Ok(c.query_one("SELECT COUNT(*) FROM requests", &[])?.and_then(|r| r[0].int()).unwrap_or(0) as u64)
        })
    }

    /// Whether the store holds no request.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    /// Checks that every request's current state is the one its history
    /// gives (the two are written in one transaction, so this finds only a
    /// store changed by hand or damaged). Returns what disagrees, one
    /// message a request.
    pub fn verify(&self) -> Result<Vec<String>> {
        self.transaction(Mode::Read, update::verify_all)
    }
}

/// A request, its history and its personal data, read in `c`'s transaction.
pub(crate) fn get(c: &mut dyn Conn, id: &str) -> Result<Option<StoredRequest>> {
    let sql = format!("SELECT {} FROM requests WHERE id = ?", rows::REQUEST_COLUMNS);
    let Some(row) = c.query_one(&sql, &[id.into()])? else { return Ok(None) };
    let mut request = rows::from_row(row)?;
    let tz = rows::zone(&request.time_zone);
    request.history = rows::history(c, id, &tz)?;
    request.personal = rows::personal(c, id)?;
    Ok(Some(request))
}

fn bad_url(url: &str) -> Error {
    Error::new(
        ErrorKind::Store,
        format!(
            "'{url}' is not a store URL; write sqlite:PATH (a file, created if missing), sqlite::memory:, \
             or postgres://USER:PASSWORD@HOST:PORT/DATABASE"
        ),
    )
}

/// The Rust examples of docs/store.md, run as doctests so that the guide
/// stays true.
#[cfg(doctest)]
#[doc = include_str!("../../docs/store.md")]
pub struct StoreGuideDoctests;

/// The Rust examples of docs/analytics.md, run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../docs/analytics.md")]
pub struct AnalyticsGuideDoctests;
