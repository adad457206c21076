//! Opening: new stores are made, existing ones reopened, and anything else
//! is refused with an error that says what it is.

use civic311::ErrorKind;
use civic311_store::{Store, Submission};

use crate::util::{pothole, riverton, temp_dir, urls};

#[test]
fn a_store_reopens_with_everything_in_it() {
    let (_dir, urls) = urls("open_reopen");
    for url in urls {
        let id = {
            let store = Store::open(&url).unwrap();
            store.submit(riverton(), pothole(38.94, -90.957, "x"), Submission::default()).unwrap().service_request_id
        };
        let store = Store::open(&url).unwrap();
        assert_eq!(store.len().unwrap(), 1, "{url}");
        assert!(store.get(&id).unwrap().is_some());
        let next = store.submit(riverton(), pothole(38.94, -90.957, "y"), Submission::default()).unwrap();
        assert_ne!(next.service_request_id, id);
    }
}

#[test]
fn urls_that_name_no_store() {
    for url in ["", "mysql://db/x", "sqlite:", "/tmp/x.db"] {
        let err = Store::open(url).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Store);
        assert!(err.to_string().contains("is not a store URL"), "{err}");
    }
    let err = Store::open("sqlite:/no/such/folder/x.db").unwrap_err();
    assert!(err.to_string().contains("does not exist"), "{err}");
    let err = Store::open("postgres://nobody@127.0.0.1:1/none").unwrap_err();
    assert!(err.to_string().contains("cannot connect"), "{err}");
}

#[test]
fn a_corrupt_or_foreign_file_is_refused() {
    let dir = temp_dir();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("text.db", b"these are not the bytes of a database\n".repeat(200), "is not a SQLite database"),
        ("zeros.db", vec![0u8; 8192], "is not a SQLite database"),
    ];
    for (name, bytes, words) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        let err = Store::open(&format!("sqlite:{}", path.display())).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Store, "{name}");
        assert!(err.to_string().contains(words), "{name}: {err}");
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "{name} is left as it was");
    }

    // Another application's SQLite database.
    let other = dir.path().join("other.db");
    another_applications_database(&other, "CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL);");
    let err = Store::open(&format!("sqlite:{}", other.display())).unwrap_err();
    assert!(err.to_string().contains("holds tables that civic311 did not make (invoices)"), "{err}");

    // A store whose header was damaged after it was written.
    let damaged = dir.path().join("damaged.db");
    {
        let store = Store::open(&format!("sqlite:{}", damaged.display())).unwrap();
        store.submit(riverton(), pothole(38.94, -90.957, "x"), Submission::default()).unwrap();
    }
    let _ = std::fs::remove_file(dir.path().join("damaged.db-wal"));
    let mut bytes = std::fs::read(&damaged).unwrap();
    bytes[..16].copy_from_slice(b"NOT SQLITE HEAD\0");
    std::fs::write(&damaged, &bytes).unwrap();
    let err = Store::open(&format!("sqlite:{}", damaged.display())).unwrap_err();
    assert!(err.to_string().contains("is not a SQLite database"), "{err}");

    // A PostgreSQL database with tables of its own.
    if let Some(url) = crate::util::postgres_database("open_foreign") {
        let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        client.batch_execute("CREATE TABLE invoices (id BIGINT PRIMARY KEY)").unwrap();
        let err = Store::open(&url).unwrap_err();
        assert!(err.to_string().contains("holds tables that civic311 did not make (invoices)"), "{err}");
    }
}

#[test]
fn a_store_of_a_newer_schema_or_an_edited_migration_is_refused() {
    let (_dir, urls) = urls("open_newer");
    for url in urls {
        drop(Store::open(&url).unwrap());
        execute(
            &url,
            "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (99, 'future', 'x', 0)",
        );
        let err = Store::open(&url).unwrap_err();
        assert!(err.to_string().contains("written by a newer civic311 (schema version 99"), "{url}: {err}");
        execute(&url, "DELETE FROM schema_migrations WHERE version = 99");
        execute(&url, "UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1");
        let err = Store::open(&url).unwrap_err();
        assert!(err.to_string().contains("migration V1__init was changed after it was applied"), "{url}: {err}");
    }
}

/// Runs a statement on a store's database directly, as an administrator would.
fn execute(url: &str, sql: &str) {
    if let Some(path) = url.strip_prefix("sqlite:") {
        rusqlite::Connection::open(path).unwrap().execute_batch(sql).unwrap();
    } else {
        postgres::Client::connect(url, postgres::NoTls).unwrap().batch_execute(sql).unwrap();
    }
}

/// A SQLite database of another application.
fn another_applications_database(path: &std::path::Path, sql: &str) {
    rusqlite::Connection::open(path).unwrap().execute_batch(sql).unwrap();
}
