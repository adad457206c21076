use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use civic311::{Catalog, Engine, EngineHandle};
use civic311_server::{Key, Keys, Options, Role, Server};
use civic311_store::Store;
use tower::ServiceExt;

pub const CLIENT: &str = "client-key-for-tests";
pub const STREETS: &str = "streets-staff-key";
pub const PARKS: &str = "parks-staff-key";
pub const ADMIN: &str = "admin-key-for-tests";

pub fn engine() -> Arc<EngineHandle> {
    static ENGINE: std::sync::OnceLock<Arc<EngineHandle>> = std::sync::OnceLock::new();
    ENGINE.get_or_init(|| Arc::new(EngineHandle::new(Engine::build(Catalog::riverton().unwrap()).unwrap()))).clone()
}

pub fn keys() -> Keys {
    let key = |name: &str, role, departments: &[&str]| Key {
        name: name.into(),
        role,
        departments: departments.iter().map(|d| d.to_string()).collect(),
    };
    let mut keys = Keys::none()
        .with_key(CLIENT, key("app", Role::Client, &[]))
        .with_key(STREETS, key("streets-crew", Role::Staff, &["streets"]))
        .with_key(PARKS, key("parks-crew", Role::Staff, &["parks"]))
        .with_key(ADMIN, key("admin", Role::Admin, &[]));
    keys.cors_origins = vec!["https://www.riverton.gov".into()];
    keys
}

/// Generous limits: the tests' requests all come from one address.
pub fn options() -> Options {
    Options { per_key_per_minute: 1_000_000, per_address_per_minute: 1_000_000, ..Options::default() }
}

/// A server over a new store, with the test keys.
pub struct TestServer {
    pub server: Server,
    pub store: Arc<Store>,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

/// Runs `f` on a thread of its own: PostgreSQL's synchronous client runs
/// a runtime of its own, which tokio refuses inside a test's runtime (the
/// server itself calls the store on blocking threads).
pub fn off<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| s.spawn(f).join().unwrap())
}

/// The store URLs of a test: a SQLite file, and a new PostgreSQL database
/// when the test command gives a server.
pub fn each_server(test: &str, options: Options) -> Vec<TestServer> {
    off(|| servers(test, engine(), keys(), options))
}

/// Like [`each_server`], with another catalog's engine and other keys.
pub fn each_server_with(test: &str, engine: Arc<EngineHandle>, keys: Keys, options: Options) -> Vec<TestServer> {
    off(|| servers(test, engine, keys, options))
}

fn servers(test: &str, engine: Arc<EngineHandle>, keys: Keys, options: Options) -> Vec<TestServer> {
    let dir = tempfile::Builder::new().prefix("civic311-server-").tempdir().unwrap();
    let mut urls = vec![(format!("sqlite:{}", dir.path().join("store.db").display()), Some(dir))];
    if let Some(url) = postgres_database(test) {
        urls.push((url, None));
    }
    urls.into_iter()
        .map(|(url, dir)| {
            let store = Arc::new(Store::open(&url).unwrap_or_else(|e| panic!("{url}: {e}")));
            let server = Server::new(engine.clone(), store.clone(), keys.clone(), options.clone());
            TestServer { server, store, url, _dir: dir }
        })
        .collect()
}

pub fn postgres_database(test: &str) -> Option<String> {
    static N: AtomicUsize = AtomicUsize::new(0);
    let Ok(server) = std::env::var("CIVIC311_TEST_POSTGRES") else {
        if std::env::var("CIVIC311_REQUIRE_POSTGRES").as_deref() == Ok("1") {
            panic!("CIVIC311_REQUIRE_POSTGRES=1 but CIVIC311_TEST_POSTGRES names no server");
        }
        return None;
    };
    // A name PostgreSQL takes unquoted: letters, digits and underscores.
    let test = test.to_lowercase().replace(|c: char| !c.is_ascii_alphanumeric(), "_");
    let name = format!("s_{test}_{}_{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
    let mut admin = postgres::Client::connect(&server, postgres::NoTls).unwrap_or_else(|e| panic!("{server}: {e}"));
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name}")).unwrap();
    admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let base = server.rsplit_once('/').map(|(b, _)| b).unwrap_or(&server);
    Some(format!("{base}/{name}"))
}

/// An answer: status, headers and body text.
pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn content_type(&self) -> &str {
        self.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    /// The answer is the specification's error array with `status` as its code.
    pub fn assert_error(&self, status: StatusCode, words: &str) {
        assert_eq!(self.status, status, "{}", self.body);
        if self.content_type().starts_with("text/xml") {
            let list =
                civic311::open311::ErrorList::from_xml(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body));
            assert_eq!(list.0[0].code, status.as_u16(), "{}", self.body);
            assert!(list.0[0].description.contains(words), "{}", self.body);
        } else {
            let v = self.json();
            assert_eq!(v[0]["code"], status.as_u16(), "{}", self.body);
            assert!(v[0]["description"].as_str().unwrap().contains(words), "wanted '{words}' in {}", self.body);
        }
    }
}

use civic311::open311::Payload;

pub async fn send(server: &Server, request: Request<Body>) -> Answer {
    let response = server.router().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), 64 << 20).await.unwrap();
    Answer { status, headers, body: String::from_utf8(bytes.to_vec()).unwrap() }
}

pub async fn get(server: &Server, uri: &str) -> Answer {
    send(server, Request::get(uri).body(Body::empty()).unwrap()).await
}

pub async fn post_form(server: &Server, uri: &str, form: &str) -> Answer {
    let request = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form.to_string()))
        .unwrap();
    send(server, request).await
}

pub async fn post_json(server: &Server, uri: &str, json: serde_json::Value) -> Answer {
    let request =
        Request::post(uri).header(header::CONTENT_TYPE, "application/json").body(Body::from(json.to_string())).unwrap();
    send(server, request).await
}

/// A pothole report form, with a resident's personal data.
pub fn pothole_form(key: &str, lat: f64) -> String {
    format!(
        "api_key={key}&service_code=ST-POTHOLE&lat={lat}&long=-90.94&description=deep+pothole&\
         attribute%5BSIZE%5D=large&attribute%5BLANE_POSITION%5D=edge&first_name=Ana&last_name=Quintero&\
         email=ana.quintero%40example.org&phone=555-0142&device_id=device-77"
    )
}

/// The personal data `pothole_form` plants, none of which a public answer may show.
pub const PERSONAL: [&str; 5] = ["Ana", "Quintero", "ana.quintero@example.org", "555-0142", "device-77"];

/// Submits a pothole; its id.
pub async fn submit_pothole(server: &Server, lat: f64) -> String {
    let a = post_form(server, "/open311/v2/requests.json", &pothole_form(CLIENT, lat)).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    a.json()[0]["service_request_id"].as_str().unwrap().to_string()
}
