//! PostgreSQL through the synchronous rust-postgres client: a pool of
//! connections, each with its prepared statements cached, so that many
//! threads submit and read at once.
//!
//! Durability is the server's: with its default `synchronous_commit = on`,
//! a COMMIT returns once the change is in the server's write-ahead log on
//! disk.

use std::collections::HashMap;
use std::error::Error as StdError;

use bytes::BytesMut;
use civic311::{Error, ErrorKind, Result};
use postgres::error::SqlState;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, NoTls, Statement};

use super::{Conn, Dialect, Mode, Pool, Row, Value, numbered_placeholders, store_error};

/// How many connections one store opens at most.
const MAX_CONNECTIONS: usize = 16;

pub(crate) struct Postgres {
    url: String,
    label: String,
    pool: Pool<Connection>,
}

struct Connection {
    /// Taken only when the connection is dropped.
    client: Option<Client>,
    statements: HashMap<String, Statement>,
}

impl Connection {
    fn client(&mut self) -> &mut Client {
        self.client.as_mut().expect("a connection holds its client until it is dropped")
    }
}

impl Drop for Connection {
    /// The synchronous client closes its connection by running a runtime
    /// of its own, which tokio refuses on a thread that drives async tasks
    /// (a server dropping its store at shutdown). The client is closed on
    /// a thread of its own instead, wherever the store is dropped.
    fn drop(&mut self) {
        let statements = std::mem::take(&mut self.statements);
        let client = self.client.take();
        let _ = std::thread::spawn(move || {
            drop(statements);
            drop(client);
        })
        .join();
    }
}

impl Postgres {
    pub(crate) fn open(url: &str) -> Result<Postgres> {
        let label = redacted(url);
        let first = connect(url, &label)?;
        Ok(Postgres { url: url.to_string(), label, pool: Pool::new(first, MAX_CONNECTIONS) })
    }

    pub(crate) fn label(&self) -> &str {
        &self.label
    }

    pub(crate) fn transaction<T>(&self, mode: Mode, f: impl FnOnce(&mut dyn Conn) -> Result<T>) -> Result<T> {
        let label = &self.label;
        self.pool.with(
            || connect(&self.url, label),
            |conn| {
                let begin = match mode {
                    Mode::Read => "BEGIN READ ONLY",
                    Mode::Write => "BEGIN",
                };
                if let Err(e) = conn.client().batch_execute(begin) {
                    let broken = conn.client().is_closed();
                    return (Err(to_error(label, e)), broken);
                }
                let mut c = PgConn { conn: &mut *conn, label };
                let result = f(&mut c);
                let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
                match conn.client().batch_execute(end) {
                    Ok(()) => (result, false),
                    Err(e) => {
                        let broken = conn.client().is_closed();
                        (result.and(Err(to_error(label, e))), broken)
                    }
                }
            },
        )
    }
}

impl Postgres {
    /// Runs `f` with no transaction around it: each statement commits on
    /// its own, as PostgreSQL runs a statement sent outside `BEGIN`. That
    /// saves the two round trips of `BEGIN` and `COMMIT` where one
    /// statement is all there is to commit (a read, or a write that puts
    /// every row in one statement).
    pub(crate) fn autocommit<T>(&self, f: impl FnOnce(&mut dyn Conn) -> Result<T>) -> Result<T> {
        let label = &self.label;
        self.pool.with(
            || connect(&self.url, label),
            |conn| {
                let mut c = PgConn { conn: &mut *conn, label };
                let result = f(&mut c);
                let broken = result.is_err() && conn.client().is_closed();
                (result, broken)
            },
        )
    }
}

fn connect(url: &str, label: &str) -> Result<Connection> {
    let client = Client::connect(url, NoTls).map_err(|e| {
        store_error(format!(
            "{label}: cannot connect ({e}); check that the server runs and that the URL names its host, port, user and database"
        ))
    })?;
    Ok(Connection { client: Some(client), statements: HashMap::new() })
}

/// The URL without its password, for messages.
fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let user_info = &url[scheme + 3..at];
            match user_info.find(':') {
                Some(colon) => format!("{}{}:***{}", &url[..scheme + 3], &user_info[..colon], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

struct PgConn<'a> {
    conn: &'a mut Connection,
    label: &'a str,
}

impl PgConn<'_> {
    fn statement(&mut self, sql: &str) -> Result<Statement> {
        if let Some(s) = self.conn.statements.get(sql) {
            return Ok(s.clone());
        }
        let stmt = self.conn.client().prepare(&numbered_placeholders(sql)).map_err(|e| to_error(self.label, e))?;
        self.conn.statements.insert(sql.to_string(), stmt.clone());
        Ok(stmt)
    }
}

impl Conn for PgConn<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        let stmt = self.statement(sql)?;
        let params: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        self.conn.client().execute(&stmt, &params).map_err(|e| to_error(self.label, e))
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        let stmt = self.statement(sql)?;
        let params: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        let rows = self.conn.client().query(&stmt, &params).map_err(|e| to_error(self.label, e))?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let mut values = Vec::with_capacity(row.len());
            for (i, column) in row.columns().iter().enumerate() {
                let get = |e: postgres::Error| to_error(self.label, e);
                let ty = column.type_();
                let value = if *ty == Type::INT8 {
                    row.try_get::<_, Option<i64>>(i).map_err(get)?.into()
                } else if *ty == Type::INT4 {
                    row.try_get::<_, Option<i32>>(i).map_err(get)?.map(i64::from).into()
                } else if *ty == Type::INT2 {
                    row.try_get::<_, Option<i16>>(i).map_err(get)?.map(i64::from).into()
                } else if *ty == Type::FLOAT8 {
                    row.try_get::<_, Option<f64>>(i).map_err(get)?.into()
                } else if *ty == Type::FLOAT4 {
                    row.try_get::<_, Option<f32>>(i).map_err(get)?.map(f64::from).into()
                } else if *ty == Type::BOOL {
                    row.try_get::<_, Option<bool>>(i).map_err(get)?.into()
                } else {
                    // Text and anything else that reads as text; what does
                    // not (a `void` from a function called for its effect)
                    // is NULL.
                    row.try_get::<_, Option<String>>(i).ok().flatten().into()
                };
                values.push(value);
            }
            out.push(values);
        }
        Ok(out)
    }

    fn batch(&mut self, sql: &str) -> Result<()> {
        self.conn.client().batch_execute(sql).map_err(|e| to_error(self.label, e))
    }
}

/// Values bind to the column's own type: the store's statements compare
/// BIGINT columns with integers and DOUBLE PRECISION ones with reals, but an
/// integer is also accepted where PostgreSQL inferred another number type.
impl ToSql for Value {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> std::result::Result<IsNull, Box<dyn StdError + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(i) => {
                if *ty == Type::INT4 {
                    i32::try_from(*i)?.to_sql(ty, out)
                } else if *ty == Type::INT2 {
                    i16::try_from(*i)?.to_sql(ty, out)
                } else if *ty == Type::FLOAT8 {
                    (*i as f64).to_sql(ty, out)
                } else if *ty == Type::BOOL {
                    (*i != 0).to_sql(ty, out)
                } else if *ty == Type::TEXT || *ty == Type::VARCHAR {
                    i.to_string().to_sql(ty, out)
                } else {
                    i.to_sql(ty, out)
                }
            }
            Value::Real(f) => {
                if *ty == Type::FLOAT4 {
                    (*f as f32).to_sql(ty, out)
                } else {
                    f.to_sql(ty, out)
                }
            }
            Value::Text(s) => s.to_sql(ty, out),
        }
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

fn to_error(label: &str, e: postgres::Error) -> Error {
    if let Some(db) = e.as_db_error() {
        if *db.code() == SqlState::UNIQUE_VIOLATION {
            return Error::new(ErrorKind::Conflict, format!("{label}: {}", db.message()));
        }
        return store_error(format!("{label}: {} ({})", db.message(), db.code().code()));
    }
    store_error(format!("{label}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_stay_out_of_messages() {
        assert_eq!(redacted("postgres://civic:s3cret@db:5432/c311"), "postgres://civic:***@db:5432/c311");
        assert_eq!(redacted("postgres://civic@db/c311"), "postgres://civic@db/c311");
        assert_eq!(redacted("postgres://db/c311"), "postgres://db/c311");
    }
}
