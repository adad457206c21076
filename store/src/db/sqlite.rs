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
    /// other processes still wait through the busy timeout.
    writer: std::sync::Mutex<()>,
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
        })
    }

    pub(crate) fn label(&self) -> &str {
        &self.label
    }

    /// Runs `f` in a transaction, committed when it returns `Ok`.
    pub(crate) fn transaction<T>(&self, mode: Mode, f: impl FnOnce(&mut dyn Conn) -> Result<T>) -> Result<T> {
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
