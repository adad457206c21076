//! One store per engine for each test, and the Riverton engine.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use civic311::open311::NewRequest;
use civic311::{AttributeAnswer, Catalog, Engine};
use civic311_store::Store;

pub fn riverton() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::build(Catalog::riverton().unwrap()).unwrap())
}

pub fn at(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

/// A valid pothole report near Maple Street.
pub fn pothole(lat: f64, lon: f64, description: &str) -> NewRequest {
    let mut r = NewRequest::new("ST-POTHOLE");
    (r.lat, r.long) = (Some(lat), Some(lon));
    r.description = Some(description.to_string());
    r.attributes.insert("SIZE".into(), AttributeAnswer::One("large".into()));
    r.attributes.insert("LANE_POSITION".into(), AttributeAnswer::One("edge".into()));
    r
}

/// A project file (kb-fixtures/...).
pub fn fixture(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../kb-fixtures").join(path)
}

/// A folder for one test's files, removed when the test's value drops.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("civic311-store-").tempdir().unwrap()
}

/// The store URLs of a test: a SQLite file and, when a server is given, a
/// new PostgreSQL database. Keep the returned folder alive while the
/// stores are used.
pub fn urls(test: &str) -> (tempfile::TempDir, Vec<String>) {
    let dir = temp_dir();
    let mut urls = vec![format!("sqlite:{}", dir.path().join("store.db").display())];
    if let Some(url) = postgres_database(test) {
        urls.push(url);
    }
    (dir, urls)
}

/// Runs `f` on a new store of each engine.
pub fn each_store(test: &str, f: impl Fn(&Store)) {
    let (_dir, urls) = urls(test);
    for url in urls {
        eprintln!("{test}: {url}");
        let store = Store::open(&url).unwrap_or_else(|e| panic!("{url}: {e}"));
        f(&store);
    }
}

/// A new, empty database on the test server, or `None` without one.
pub fn postgres_database(test: &str) -> Option<String> {
    static N: AtomicUsize = AtomicUsize::new(0);
    let Ok(server) = std::env::var("CIVIC311_TEST_POSTGRES") else {
        if std::env::var("CIVIC311_REQUIRE_POSTGRES").as_deref() == Ok("1") {
            panic!("CIVIC311_REQUIRE_POSTGRES=1 but CIVIC311_TEST_POSTGRES names no server");
        }
        return None;
    };
    let name = format!(
        "t_{}_{}_{}",
        test.to_lowercase().replace(|c: char| !c.is_ascii_alphanumeric(), "_"),
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    let mut admin = postgres::Client::connect(&server, postgres::NoTls).unwrap_or_else(|e| panic!("{server}: {e}"));
    // (One statement a call: neither may run inside a transaction block.)
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name}")).unwrap();
    admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let base = server.rsplit_once('/').map(|(b, _)| b).unwrap_or(&server);
    Some(format!("{base}/{name}"))
}
