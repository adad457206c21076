//! Schema migrations: numbered SQL files in `store/migrations/`
//! (`V1__init.sql`, ...), applied in order at open, each in its own
//! transaction with its record in `schema_migrations`. A migration already
//! applied must not change: its checksum is compared at every open.

use civic311::{Error, ErrorKind, Result};
use jiff::Timestamp;

use crate::db::{Conn, Dialect, Mode, Value, for_dialect, sqlite::APPLICATION_ID, store_error};
use crate::{Backend, Store};

/// Every migration, in order: version, name, SQL.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "init", include_str!("../migrations/V1__init.sql")),
    (2, "place_bands", include_str!("../migrations/V2__place_bands.sql")),
    (3, "place_state", include_str!("../migrations/V3__place_state.sql")),
    (4, "inquiries", include_str!("../migrations/V4__inquiries.sql")),
    (5, "search_events", include_str!("../migrations/V5__search_events.sql")),
];

/// FNV-1a, 64 bits: a stable checksum of a migration's text.
fn checksum(sql: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in sql.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Brings a store's schema up to date, refusing a database that is not a
/// civic311 store or was written by a newer one.
pub(crate) fn migrate(store: &Store) -> Result<()> {
    let label = store.label().to_string();
    if let Backend::Sqlite(sqlite) = &store.backend {
        let id: i64 = sqlite.plain(|c| {
            c.query_row("PRAGMA application_id", [], |r| r.get(0)).map_err(|e| crate::db::sqlite::to_error(&label, e))
        })?;
        if id != 0 && id != APPLICATION_ID {
            return Err(store_error(format!(
                "{label} is a SQLite database of another application (application_id {id:#x}); \
                 give the path of a civic311 store, or a new file name to create one"
            )));
        }
    }
    for (version, name, sql) in MIGRATIONS {
        let applied = store.transaction(Mode::Write, |c| apply(c, &label, *version, name, sql))?;
        if applied
            && *version == 1
            && let Backend::Sqlite(sqlite) = &store.backend
        {
            sqlite.plain(|c| {
                c.execute_batch(&format!("PRAGMA application_id = {APPLICATION_ID}"))
                    .map_err(|e| crate::db::sqlite::to_error(&label, e))
            })?;
        }
    }
    Ok(())
}

/// Applies one migration unless it was; whether it was applied now.
fn apply(c: &mut dyn Conn, label: &str, version: i64, name: &str, sql: &str) -> Result<bool> {
    if c.dialect() == Dialect::Postgres {
        // Two processes opening a new store at once take turns.
        c.query("SELECT pg_advisory_xact_lock(311311)", &[])?;
    }
    let tables = tables(c)?;
    if !tables.iter().any(|t| t == "schema_migrations") {
        if !tables.is_empty() {
            let mut shown = tables.clone();
            shown.truncate(8);
            return Err(store_error(format!(
                "{label} holds tables that civic311 did not make ({}); give an empty database, or a civic311 store",
                shown.join(", ")
            )));
        }
        c.batch(
            "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, \
             checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)",
        )?;
    }
    let applied = c.query("SELECT version, name, checksum FROM schema_migrations ORDER BY version", &[])?;
    let newest = MIGRATIONS.last().map(|m| m.0).unwrap_or(0);
    for row in &applied {
        let v = row[0].int().unwrap_or(0);
        if v > newest {
            return Err(store_error(format!(
                "{label} was written by a newer civic311 (schema version {v}; this build knows up to {newest}); \
                 open it with that version or newer"
            )));
        }
    }
    let sql = for_dialect(sql, c.dialect());
    if let Some(row) = applied.iter().find(|r| r[0].int() == Some(version)) {
        let recorded = row[2].text().unwrap_or_default();
        if recorded != checksum(&sql) {
            return Err(Error::new(
                ErrorKind::Store,
                format!(
                    "{label}: migration V{version}__{name} was changed after it was applied (checksum {recorded}, now {}); \
                     migrations are never edited: add a new one",
                    checksum(&sql)
                ),
            ));
        }
        return Ok(false);
    }
    c.batch(&sql)?;
    c.execute(
        "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)",
        &[Value::Int(version), name.into(), checksum(&sql).into(), Value::Int(Timestamp::now().as_second())],
    )?;
    Ok(true)
}

/// The tables of the store's database (of its schema, in PostgreSQL).
fn tables(c: &mut dyn Conn) -> Result<Vec<String>> {
    let sql = match c.dialect() {
        Dialect::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        Dialect::Postgres => {
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name"
        }
    };
    Ok(c.query(sql, &[])?.into_iter().filter_map(|r| r.into_iter().next().and_then(Value::into_text)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_numbered_in_order() {
        for (i, (version, name, sql)) in MIGRATIONS.iter().enumerate() {
            assert_eq!(*version, i as i64 + 1);
            assert!(!name.is_empty() && !sql.is_empty());
        }
        assert_ne!(checksum("a"), checksum("b"));
        assert_eq!(checksum(""), "cbf29ce484222325");
    }
}
