//! SQLite through rusqlite: one file in WAL mode, written by one
//! transaction at a time, read by several.
//!
//! Durability: `synchronous = FULL` makes each commit reach the disk before
//! it returns, so a request whose id was handed out survives a crash of the
//! process or of the machine. The WAL lets readers go on while a writer
//! commits.

use std::path::{Path, PathBuf};
use std::time::Duration;

use civic311::{Error, ErrorKind, Result};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, ErrorCode, OpenFlags};

use super::{Conn, Dialect, Mode, Pool, Row, Value, store_error};

/// `PRAGMA application_id` of a civic311 store: "C311".
pub(crate) const APPLICATION_ID: i64 = 0x4333_3131;

/// How many connections a file store keeps: enough for a server's
/// readers; writers take turns whatever the number.
const MAX_CONNECTIONS: usize = 16;

pub(crate) struct Sqlite {
    /// `None` for a store in memory, which lives in its one connection.
    path: Option<PathBuf>,
    label: String,
    pool: Pool<Connection>,
    /// Writers of this process take turns here rather than in SQLite's
    /// busy handler, which sleeps for milliseconds between its tries;
    /// other processes still wait through the busy timeout. (A store in
    /// memory, whose one connection is the pool's.)
    writer: std::sync::Mutex<()>,
    /// A file store's writers, who share commits.
    group: GroupCommit,
}

/// The most writes one shared commit holds.
const MAX_GROUP: usize = 64;

/// Group commit. A commit costs one `fsync` however much it holds, so the
/// writers of a file store share them: each writer runs its own work on
/// the one writing connection, inside a savepoint of a transaction that
/// may hold other writers' work, and the writer that finds nobody waiting
/// behind it commits for all. No writer returns before the commit that
/// holds its work: what is acknowledged is on disk. A writer whose work
/// fails rolls back its savepoint alone; a commit that fails fails every
/// writer in it.
struct GroupCommit {
    conn: std::sync::Mutex<Writing>,
    /// Writers waiting for `conn`.
    waiting: std::sync::atomic::AtomicUsize,
    ended: std::sync::Mutex<Ended>,
    ended_cv: std::sync::Condvar,
}

/// The writing connection (made at the first write) and its open transaction.
#[derive(Default)]
struct Writing {
    conn: Option<Connection>,
    /// The number of the open transaction, and how many writes it holds.
    open: Option<(u64, usize)>,
    last: u64,
}

/// How the transactions ended: the number of the last one, and the
/// failures among the recent ones.
#[derive(Default)]
struct Ended {
    last: u64,
    failed: std::collections::VecDeque<(u64, String)>,
}

impl GroupCommit {
    fn new() -> GroupCommit {
        GroupCommit {
            conn: std::sync::Mutex::new(Writing::default()),
            waiting: std::sync::atomic::AtomicUsize::new(0),
            ended: std::sync::Mutex::new(Ended::default()),
            ended_cv: std::sync::Condvar::new(),
        }
    }

    /// Records the end of transaction `n` and wakes the writers waiting for it.
    fn end(&self, n: u64, failure: Option<String>) {
        let mut ended = self.ended.lock().unwrap_or_else(|e| e.into_inner());
        ended.last = ended.last.max(n);
        if let Some(message) = failure {
            ended.failed.push_back((n, message));
            while ended.failed.len() > 1024 {
                ended.failed.pop_front();
            }
        }
        self.ended_cv.notify_all();
    }

    /// Waits for the end of transaction `n`: `Err` with its failure.
    fn wait_for(&self, n: u64) -> std::result::Result<(), String> {
        let mut ended = self.ended.lock().unwrap_or_else(|e| e.into_inner());
        while ended.last < n {
            ended = self.ended_cv.wait(ended).unwrap_or_else(|e| e.into_inner());
        }
        match ended.failed.iter().find(|(m, _)| *m == n) {
            Some((_, message)) => Err(message.clone()),
            None => Ok(()),
        }
    }
}

/// Ends a shared transaction that a writer's work left by panicking:
/// rolled back, and every writer in it told.
struct PanicGuard<'a> {
    group: &'a GroupCommit,
    writing: Option<std::sync::MutexGuard<'a, Writing>>,
}

impl Drop for PanicGuard<'_> {
    fn drop(&mut self) {
        if let Some(mut w) = self.writing.take()
            && std::thread::panicking()
            && let Some((n, _)) = w.open.take()
        {
            if let Some(c) = w.conn.take() {
                let _ = c.execute_batch("ROLLBACK");
            }
            self.group.end(n, Some("a writer in the same commit panicked; nothing of it was stored".into()));
        }
    }
}

impl Sqlite {
    /// Opens (creating it if missing) the database at `path`, or one in
    /// memory.
    pub(crate) fn open(path: Option<&Path>) -> Result<Sqlite> {
        let label = match path {
            Some(p) => format!("sqlite:{}", p.display()),
            None => "sqlite::memory:".to_string(),
        };
        if let Some(p) = path
            && let Some(parent) = p.parent()
            && !parent.as_os_str().is_empty()
            && !parent.is_dir()
        {
            return Err(store_error(format!(
                "{label}: the folder {} does not exist; create it or give another path",
                parent.display()
            )));
        }
        let first = connect(path, &label)?;
        let max = if path.is_some() { MAX_CONNECTIONS } else { 1 };
        Ok(Sqlite {
            path: path.map(Path::to_path_buf),
            label,
            pool: Pool::new(first, max),
            writer: std::sync::Mutex::new(()),
            group: GroupCommit::new(),
        })
    }

    pub(crate) fn label(&self) -> &str {
        &self.label
    }

    /// Runs `f` in a transaction, committed when it returns `Ok`.
    pub(crate) fn transaction<T>(&self, mode: Mode, f: impl FnOnce(&mut dyn Conn) -> Result<T>) -> Result<T> {
        if mode == Mode::Write && self.path.is_some() {
            return self.write(f);
        }
        let _turn = match mode {
            Mode::Write => Some(self.writer.lock().unwrap_or_else(|e| e.into_inner())),
            Mode::Read => None,
        };
        let label = &self.label;
        self.pool.with(
            || connect(self.path.as_deref(), label),
            |conn| {
                let begin = match mode {
                    Mode::Read => "BEGIN DEFERRED",
                    Mode::Write => "BEGIN IMMEDIATE",
                };
                if let Err(e) = conn.execute_batch(begin) {
                    return (Err(to_error(label, e)), false);
                }
                let mut c = SqliteConn { conn, label };
                let result = f(&mut c);
                let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
                match conn.execute_batch(end) {
                    Ok(()) => (result, false),
                    Err(e) => {
                        // A failed COMMIT or ROLLBACK leaves the connection in
                        // a state not worth reusing.
                        let _ = conn.execute_batch("ROLLBACK");
                        (result.and(Err(to_error(label, e))), true)
                    }
                }
            },
        )
    }

    /// Runs `f` as one writer of a shared commit (see [`GroupCommit`]).
    fn write<T>(&self, f: impl FnOnce(&mut dyn Conn) -> Result<T>) -> Result<T> {
        use std::sync::atomic::Ordering;
        let group = &self.group;
        let label = self.label.as_str();
        group.waiting.fetch_add(1, Ordering::SeqCst);
        let writing = group.conn.lock().unwrap_or_else(|e| e.into_inner());
        group.waiting.fetch_sub(1, Ordering::SeqCst);
        let mut guard = PanicGuard { group, writing: Some(writing) };
        let Writing { conn: slot, open, last } = &mut **guard.writing.as_mut().expect("held until the end");
        if slot.is_none() {
            *slot = Some(connect(self.path.as_deref(), label)?);
        }
        let conn = slot.as_ref().expect("made above");
        // A writer that begins the transaction has it to itself while it
        // runs: its work needs no savepoint (one would make SQLite copy
        // every page the work changes, to undo them). A writer that joins
        // one holding other writers' work runs inside a savepoint, so that
        // its failure undoes its work alone.
        let joined = open.is_some();
        let n = match *open {
            Some((n, _)) => n,
            None => {
                conn.execute_batch("BEGIN IMMEDIATE").map_err(|e| to_error(label, e))?;
                *last += 1;
                *open = Some((*last, 0));
                *last
            }
        };
        let result = if joined {
            match conn.execute_batch("SAVEPOINT civic311_write") {
                Ok(()) => {
                    let result = f(&mut SqliteConn { conn, label });
                    let end = if result.is_ok() {
                        "RELEASE civic311_write"
                    } else {
                        "ROLLBACK TO civic311_write; RELEASE civic311_write"
                    };
                    conn.execute_batch(end).map_err(|e| to_error(label, e)).and(Ok(result))
                }
                Err(e) => Err(to_error(label, e)),
            }
        } else {
            match f(&mut SqliteConn { conn, label }) {
                Ok(value) => Ok(Ok(value)),
                Err(e) => {
                    // Its own transaction: rolled back whole, nobody else in it.
                    let rolled_back = conn.execute_batch("ROLLBACK");
                    *open = None;
                    if rolled_back.is_err() {
                        *slot = None;
                    }
                    drop(guard);
                    group.end(n, Some(e.to_string()));
                    return Err(e);
                }
            }
        };
        let result = match result {
            Ok(result) => result,
            Err(broken) => {
                // The savepoint could not be made or ended: the transaction
                // cannot go on. It is rolled back, with the work of every
                // writer in it, and the connection is made anew.
                let _ = conn.execute_batch("ROLLBACK");
                *slot = None;
                *open = None;
                drop(guard);
                group.end(n, Some(broken.to_string()));
                return Err(broken);
            }
        };
        let writes = open.map_or(0, |(_, k)| k) + 1;
        *open = Some((n, writes));
        if group.waiting.load(Ordering::SeqCst) == 0 || writes >= MAX_GROUP {
            // Nobody behind: this writer commits for all.
            let committed = conn.execute_batch("COMMIT").map_err(|e| to_error(label, e));
            if committed.is_err() {
                let _ = conn.execute_batch("ROLLBACK");
                *slot = None;
            }
            *open = None;
            drop(guard);
            group.end(n, committed.as_ref().err().map(ToString::to_string));
            return committed.and(result);
        }
        drop(guard);
        // Work that failed was rolled back: there is no commit to wait for.
        let value = result?;
        match group.wait_for(n) {
            Ok(()) => Ok(value),
            Err(message) => Err(store_error(message)),
        }
    }

    /// Runs `f` outside any transaction (checks and settings at open).
    pub(crate) fn plain<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.pool.with(|| connect(self.path.as_deref(), &self.label), |conn| (f(conn), false))
    }
}

fn connect(path: Option<&Path>, label: &str) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = match path {
        Some(p) => Connection::open_with_flags(p, flags),
        None => Connection::open_in_memory(),
    }
    .map_err(|e| to_error(label, e))?;
    conn.busy_timeout(Duration::from_secs(30)).map_err(|e| to_error(label, e))?;
    // The first read of the file: a file that is not a database, or whose
    // header is damaged, is refused here.
    let journal: String =
        conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(|e| to_error(label, e))?;
    if path.is_some() && !journal.eq_ignore_ascii_case("wal") {
        return Err(store_error(format!(
            "{label}: the database would not switch to WAL mode (it says '{journal}'); \
             put the store on a local file system"
        )));
    }
    // 64 MB of page cache a connection (SQLite's default is 2 MB): the
    // indexes of a million requests stay in memory while they are written.
    conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536;")
        .map_err(|e| to_error(label, e))?;
    conn.set_prepared_statement_cache_capacity(64);
    conn.create_scalar_function(
        "civic311_distance_m",
        4,
        rusqlite::functions::FunctionFlags::SQLITE_UTF8 | rusqlite::functions::FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let f = |i| ctx.get::<Option<f64>>(i);
            Ok(match (f(0)?, f(1)?, f(2)?, f(3)?) {
                (Some(a), Some(b), Some(c), Some(d)) => Some(crate::geo::distance_m(a, b, c, d)),
                _ => None,
            })
        },
    )
    .map_err(|e| to_error(label, e))?;
    Ok(conn)
}

struct SqliteConn<'a> {
    conn: &'a Connection,
    label: &'a str,
}

impl Conn for SqliteConn<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(|e| to_error(self.label, e))?;
        let n =
            stmt.execute(rusqlite::params_from_iter(params.iter().map(to_sql))).map_err(|e| to_error(self.label, e))?;
        Ok(n as u64)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(|e| to_error(self.label, e))?;
        let columns = stmt.column_count();
        let mut rows =
            stmt.query(rusqlite::params_from_iter(params.iter().map(to_sql))).map_err(|e| to_error(self.label, e))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(|e| to_error(self.label, e))? {
            let mut values = Vec::with_capacity(columns);
            for i in 0..columns {
                values.push(match row.get_ref(i).map_err(|e| to_error(self.label, e))? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(i) => Value::Int(i),
                    ValueRef::Real(f) => Value::Real(f),
                    ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(b) => Value::Text(String::from_utf8_lossy(b).into_owned()),
                });
            }
            out.push(values);
        }
        Ok(out)
    }

    fn batch(&mut self, sql: &str) -> Result<()> {
        self.conn.execute_batch(sql).map_err(|e| to_error(self.label, e))
    }
}

fn to_sql(v: &Value) -> rusqlite::types::Value {
    match v {
        Value::Null => rusqlite::types::Value::Null,
        Value::Int(i) => rusqlite::types::Value::Integer(*i),
        Value::Real(f) => rusqlite::types::Value::Real(*f),
        Value::Text(s) => rusqlite::types::Value::Text(s.clone()),
    }
}

/// A rusqlite error as the store reports it: a unique constraint is a
/// conflict; a file that is not a database, or a damaged one, says so.
pub(crate) fn to_error(label: &str, e: rusqlite::Error) -> Error {
    if let rusqlite::Error::SqliteFailure(f, detail) = &e {
        let detail = detail.clone().unwrap_or_default();
        match f.code {
            ErrorCode::NotADatabase => {
                return store_error(format!(
                    "{label} is not a SQLite database (or its header is damaged); \
                     give the path of a civic311 store, or a new file name to create one"
                ));
            }
            ErrorCode::DatabaseCorrupt => {
                return store_error(format!(
                    "{label} is damaged ({detail}); restore it from a backup, or run \
                     `sqlite3 FILE .recover` on a copy"
                ));
            }
            ErrorCode::ConstraintViolation
                if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
            {
                return Error::new(ErrorKind::Conflict, format!("{label}: {detail}"));
            }
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => {
                return store_error(format!(
                    "{label} stayed locked by another writer for 30 s; is a long import or another process holding it?"
                ));
            }
            ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied => {
                return store_error(format!(
                    "{label} cannot be opened for writing ({e}); check the file's permissions"
                ));
            }
            _ => {}
        }
    }
    store_error(format!("{label}: {e}"))
}
