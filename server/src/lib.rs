//! `civic311 serve`: the Open311 GeoReport v2 server over a civic311 store,
//! and the JSON backend of the search widget.
//!
//! Handlers are thin: each one reads the HTTP request, makes one call on
//! the engine or the store (the store's calls run on tokio's blocking
//! threads), and writes the answer. Around them, in this order: a log line
//! a request (tracing), the metrics, the rate limits, CORS, the body limit
//! and the timeout; every error, also the ones the layers make, is an
//! Open311 error array.
//!
//! ```no_run
//! use std::sync::Arc;
//! use civic311::{Catalog, Engine, EngineHandle};
//! use civic311_server::{Keys, Options, Server};
//! use civic311_store::Store;
//!
//! let engine = Arc::new(EngineHandle::new(Engine::build(Catalog::load("catalog/")?)?));
//! let store = Arc::new(Store::open("sqlite:requests.db")?);
//! let keys = Keys::load("keys.toml".as_ref())?;
//! let server = Server::new(engine, store, keys, Options::default());
//! civic311_server::run(server, "127.0.0.1:8311".parse().unwrap(), None)?;
//! # Ok::<(), civic311::Error>(())
//! ```
//!
//! See `docs/server.md` for running it, keys, and every endpoint.

mod api;
mod error;
mod keys;
mod open311;
mod ops;
mod render;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};
use civic311::{EngineHandle, Error, ErrorKind, Result};
use civic311_store::Store;

pub use error::ApiError;
pub use keys::{Key, Keys, Role, hash_key, new_key};

/// The server's limits and settings.
#[derive(Debug, Clone)]
pub struct Options {
    /// The URL clients reach the Open311 endpoint at, for `discovery`
    /// (default: `http://` and the Host header, then `/open311/v2/`).
    pub base_url: Option<String>,
    /// The largest request body read, in bytes (default 1 MiB).
    pub max_body_bytes: usize,
    /// How long one request may take before it is answered 408 (default 30 s).
    pub request_timeout: Duration,
    /// Requests a minute one key may make (default 1,200).
    pub per_key_per_minute: u32,
    /// Requests a minute one address may make without a key (default 600).
    pub per_address_per_minute: u32,
    /// Take the client's address from `X-Forwarded-For`'s last entry, for a
    /// server behind a proxy (default: the connection's address).
    pub behind_proxy: bool,
    /// How many days searches are kept for the report's "what residents
    /// asked" (default 90); 0 records none.
    pub search_retention_days: u32,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            base_url: None,
            max_body_bytes: 1 << 20,
            request_timeout: Duration::from_secs(30),
            per_key_per_minute: 1_200,
            per_address_per_minute: 600,
            behind_proxy: false,
            search_retention_days: 90,
        }
    }
}

/// What every handler shares.
pub(crate) struct State {
    pub engine: Arc<EngineHandle>,
    pub store: Arc<Store>,
    pub keys: Keys,
    pub options: Options,
    pub metrics: ops::Metrics,
    pub limiter: ops::RateLimiter,
    pub services: open311::ServicesCache,
    pub searches: ops::SearchLog,
}

pub(crate) type Shared = Arc<State>;

/// The server: its routes over an engine and a store.
#[derive(Clone)]
pub struct Server {
    state: Shared,
}

impl Server {
    pub fn new(engine: Arc<EngineHandle>, store: Arc<Store>, keys: Keys, options: Options) -> Server {
        let limiter = ops::RateLimiter::new(options.per_key_per_minute, options.per_address_per_minute);
        Server {
            state: Arc::new(State {
                engine,
                store,
                keys,
                options,
                metrics: ops::Metrics::default(),
                limiter,
                services: open311::ServicesCache::default(),
                searches: ops::SearchLog::default(),
            }),
        }
    }

    /// The engine handle: replace its engine to reload the catalog.
    pub fn engine(&self) -> &Arc<EngineHandle> {
        &self.state.engine
    }

    /// Every route, with its layers.
    pub fn router(&self) -> Router {
        let s = self.state.clone();
        let v2 = Router::new()
            .route("/{file}", get(open311::get_top).post(open311::post_top))
            .route("/services/{file}", get(open311::service_definition))
            // Some clients ask `service/{code}` (singular), as some servers
            // answer it; it is the same resource.
            .route("/service/{file}", get(open311::service_definition))
            .route("/requests/{file}", get(open311::get_request))
            .route("/tokens/{file}", get(open311::get_token));
        let api = Router::new()
            .route("/info", get(api::info))
            .route("/search", get(api::search))
            .route("/suggest", get(api::suggest))
            .route("/classify", post(api::classify))
            .route("/triage", post(api::triage))
            .route("/stats", get(api::stats))
            .route("/events", post(api::events))
            .route("/questions", get(api::inquiries).post(api::ask))
            .route("/questions/{id}", get(api::inquiry).post(api::update_inquiry));
        // Layers run outside in: the log line, then the guard (rate limits,
        // metrics, error arrays), CORS, the body limit, the timeout.
        Router::new()
            .nest("/open311/v2", v2)
            .nest("/api", api)
            .route("/healthz", get(ops::healthz))
            .route("/metrics", get(ops::metrics))
            .fallback(ops::not_found)
            // A request that takes too long is most often a client that
            // stalls in the middle of its body: 408.
            .layer(tower_http::timeout::TimeoutLayer::with_status_code(
                axum::http::StatusCode::REQUEST_TIMEOUT,
                s.options.request_timeout,
            ))
            .layer(axum::extract::DefaultBodyLimit::max(s.options.max_body_bytes))
            .layer(tower_http::limit::RequestBodyLimitLayer::new(s.options.max_body_bytes))
            .layer(ops::cors(&s.keys))
            .layer(axum::middleware::from_fn_with_state(s.clone(), ops::guard))
            .layer(tower_http::trace::TraceLayer::new_for_http())
            .with_state(s)
    }

    /// Serves on `listener` until `shutdown` completes, then finishes the
    /// requests in flight.
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let app = self.router().into_make_service_with_connect_info::<SocketAddr>();
        let state = self.state.clone();
        let served = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
        // The searches still in memory are written before the server stops.
        let _ = tokio::task::spawn_blocking(move || state.searches.flush(&state.store, None)).await;
        served
    }
}

/// A way to build the engine anew, for SIGHUP.
pub type Reload = Box<dyn Fn() -> Result<civic311::Engine> + Send + Sync>;

/// Runs the server on `addr` until SIGTERM or Ctrl-C, finishing the
/// requests in flight; SIGHUP builds the engine anew with `reload` and
/// swaps it in without dropping a request (a failed reload is logged and
/// the old engine kept). Logs go to standard error (`RUST_LOG` sets the
/// level; `CIVIC311_LOG=json` writes JSON lines).
pub fn run(server: Server, addr: SocketAddr, reload: Option<Reload>) -> Result<()> {
    init_logs();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::new(ErrorKind::Io, format!("cannot start the server's runtime: {e}")))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
            Error::new(ErrorKind::Io, format!("cannot listen on {addr}: {e}; is another server using the port?"))
        })?;
        let local = listener.local_addr().map_err(|e| Error::new(ErrorKind::Io, e.to_string()))?;
        tracing::info!(%local, "civic311 serving Open311 GeoReport v2 at http://{local}/open311/v2/");
        // The address, on standard output, for whoever started the server
        // on port 0.
        println!("listening on http://{local}");
        #[cfg(unix)]
        if let Some(reload) = reload {
            let handle = server.engine().clone();
            let reload = Arc::new(reload);
            let mut hangups = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
                .map_err(|e| Error::new(ErrorKind::Io, format!("cannot listen for SIGHUP: {e}")))?;
            tokio::spawn(async move {
                while hangups.recv().await.is_some() {
                    let reload = reload.clone();
                    match tokio::task::spawn_blocking(move || reload()).await {
                        Ok(Ok(engine)) => {
                            handle.replace(engine);
                            tracing::info!("SIGHUP: catalog reloaded");
                        }
                        Ok(Err(e)) => tracing::error!(error = %e, "SIGHUP: reload failed; the old catalog stays"),
                        Err(e) => tracing::error!(error = %e, "SIGHUP: reload failed; the old catalog stays"),
                    }
                }
            });
        }
        #[cfg(not(unix))]
        let _ = reload;
        server
            .serve(listener, shutdown_signal())
            .await
            .map_err(|e| Error::new(ErrorKind::Io, format!("the server stopped: {e}")))?;
        tracing::info!("stopped: every request in flight was answered");
        Ok(())
    })
}

/// SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing the requests in flight");
}

fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if std::env::var("CIVIC311_LOG").is_ok_and(|v| v == "json") {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// The Rust examples of docs/server.md, compiled as doctests so that the
/// guide stays true.
#[cfg(doctest)]
#[doc = include_str!("../../docs/server.md")]
pub struct ServerGuideDoctests;
