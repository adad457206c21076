//! The two database engines behind one small interface: a transaction runs
//! statements written once, with `?` for each parameter, over a few value
//! types that both engines bind the same way (BIGINT, DOUBLE PRECISION,
//! TEXT, NULL). Everything the engines do differently stays in this module
//! and its two files.

use std::sync::{Condvar, Mutex};

use civic311::{Error, ErrorKind, Result};

pub(crate) mod postgres;
pub(crate) mod sqlite;

/// A value bound to a statement or read from a row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

impl Value {
    pub(crate) fn int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Real(f) => Some(*f as i64),
            _ => None,
        }
    }

    pub(crate) fn real(&self) -> Option<f64> {
        match self {
            Value::Real(f) => Some(*f),
            Value::Int(i) => Some(*i as f64),
            _ => None,
        }
    }

    pub(crate) fn text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn into_text(self) -> Option<String> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Value {
        if f.is_finite() { Value::Real(f) } else { Value::Null }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Text(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Text(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Int(i64::from(b))
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map(Into::into).unwrap_or(Value::Null)
    }
}

/// A row: its columns in the order the statement selected them.
pub(crate) type Row = Vec<Value>;

/// Which engine a statement runs on, for the few statements that differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
        }
    }
}

/// A connection inside a transaction.
pub(crate) trait Conn {
    fn dialect(&self) -> Dialect;
    /// Runs a statement; the number of rows it changed.
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64>;
    /// Runs a query; every row.
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>>;
    /// Runs several statements with no parameters (a migration).
    fn batch(&mut self, sql: &str) -> Result<()>;

    /// The first row of a query, if any.
    fn query_one(&mut self, sql: &str, params: &[Value]) -> Result<Option<Row>> {
        Ok(self.query(sql, params)?.into_iter().next())
    }
}

/// Whether a transaction writes: SQLite takes its write lock at the start
/// of a writing transaction (`BEGIN IMMEDIATE`), so that two writers never
/// both read and then both try to upgrade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Read,
    Write,
}

/// A database error that says which store and what failed.
pub(crate) fn store_error(what: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Store, what.to_string())
}

/// A bounded pool of connections of one kind: taken for a transaction and
/// given back after it, opened on demand up to `max`.
pub(crate) struct Pool<C> {
    idle: Mutex<(Vec<C>, usize)>,
    freed: Condvar,
    max: usize,
}

impl<C> Pool<C> {
    pub(crate) fn new(first: C, max: usize) -> Pool<C> {
        Pool { idle: Mutex::new((vec![first], 1)), freed: Condvar::new(), max: max.max(1) }
    }

    /// Runs `f` with a connection: an idle one, a new one from `open` while
    /// under the limit, or the next one given back. A connection whose
    /// transaction failed at the database is dropped rather than reused
    /// when `f` says it is broken.
    pub(crate) fn with<T>(
        &self,
        open: impl FnOnce() -> Result<C>,
        f: impl FnOnce(&mut C) -> (Result<T>, bool),
    ) -> Result<T> {
        let mut conn = {
            let mut guard = self.idle.lock().unwrap_or_else(|e| e.into_inner());
            loop {
                if let Some(c) = guard.0.pop() {
                    break Some(c);
                }
                if guard.1 < self.max {
                    guard.1 += 1;
                    break None;
                }
                guard = self.freed.wait(guard).unwrap_or_else(|e| e.into_inner());
            }
        };
        if conn.is_none() {
            match open() {
                Ok(c) => conn = Some(c),
                Err(e) => {
                    self.forget();
                    return Err(e);
                }
            }
        }
        let mut conn = conn.expect("a connection was taken or opened");
        let (result, broken) = f(&mut conn);
        if broken {
            self.forget();
        } else {
            let mut guard = self.idle.lock().unwrap_or_else(|e| e.into_inner());
            guard.0.push(conn);
            drop(guard);
            self.freed.notify_one();
        }
        result
    }

    fn forget(&self) {
        let mut guard = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        guard.1 -= 1;
        drop(guard);
        self.freed.notify_one();
    }
}

/// Turns `?` placeholders into PostgreSQL's `$1`, `$2`, ... (outside
/// quoted strings).
pub(crate) fn numbered_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    let mut quoted = false;
    for c in sql.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                out.push(c);
            }
            '?' if !quoted => {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            }
            _ => out.push(c),
        }
    }
    out
}

/// The statements of a migration file for one engine (see the file's
/// header for the `-- dialect:` sections).
pub(crate) fn for_dialect(sql: &str, dialect: Dialect) -> String {
    let mut keep = true;
    let mut out = String::new();
    for line in sql.lines() {
        if let Some(which) = line.trim().strip_prefix("-- dialect:") {
            let which = which.trim();
            keep = which == "all" || which == dialect.name();
            continue;
        }
        if keep {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_outside_strings() {
        assert_eq!(numbered_placeholders("a = ? AND b IN (?, ?) AND c = '?'"), "a = $1 AND b IN ($2, $3) AND c = '?'");
        assert_eq!(numbered_placeholders(""), "");
    }

    #[test]
    fn dialect_sections() {
        let sql = "-- dialect: all\nA;\n-- dialect: sqlite\nS;\n-- dialect: postgres\nP;\n-- dialect: all\nZ;\n";
        assert_eq!(for_dialect(sql, Dialect::Sqlite), "A;\nS;\nZ;\n");
        assert_eq!(for_dialect(sql, Dialect::Postgres), "A;\nP;\nZ;\n");
    }

    #[test]
    fn values_from_rust() {
        assert_eq!(Value::from(f64::NAN), Value::Null);
        assert_eq!(Value::from(None::<i64>), Value::Null);
        assert_eq!(Value::from(Some("é")), Value::Text("é".into()));
        assert_eq!(Value::from(true), Value::Int(1));
    }
}
