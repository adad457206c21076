//! Hot reload: an engine handle that a server shares between its threads
//! and swaps to a new catalog or bundle while they search.
//!
//! A search takes the engine current when it starts and finishes on it, so
//! every answer list comes whole from one catalog or the other, never half
//! from each; a reload that fails leaves the current engine in place.
//!
//! ```
//! use std::sync::Arc;
//! use civic311::{Catalog, Engine, EngineHandle, SearchOptions};
//!
//! let handle = Arc::new(EngineHandle::new(Engine::build(Catalog::riverton()?)?));
//! let worker = {
//!     let handle = Arc::clone(&handle);
//!     std::thread::spawn(move || handle.search("potholes", &SearchOptions::default()))
//! };
//! // Meanwhile, the catalog was edited and rebuilt (here: the same one, from a bundle).
//! let bytes = handle.current().to_bundle()?;
//! handle.replace(Engine::from_bundle(&bytes)?);
//! assert_eq!(worker.join().unwrap()?[0].id, "ST-POTHOLE");
//! # Ok::<(), civic311::Error>(())
//! ```

use std::path::Path;
use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::catalog::Catalog;
use crate::engine::Engine;
use crate::error::Result;
use crate::search::{Answer, SearchOptions};

/// An [`Engine`] that can be replaced while other threads use it.
pub struct EngineHandle {
    current: ArcSwap<Engine>,
}

impl EngineHandle {
    pub fn new(engine: Engine) -> EngineHandle {
        EngineHandle { current: ArcSwap::from_pointee(engine) }
    }

    /// The engine now current. Work done on it stays on it, whatever is
    /// swapped in meanwhile: take it once for a request that makes several
    /// calls (search, then classify, then route) so they agree.
    pub fn current(&self) -> Arc<Engine> {
        self.current.load_full()
    }

    /// Makes `engine` current and returns the one it replaces, which lives
    /// on until the last search on it ends.
    pub fn replace(&self, engine: Engine) -> Arc<Engine> {
        self.current.swap(Arc::new(engine))
    }

    /// Loads the bundle at `path` and makes it current. Nothing changes if
    /// it does not load.
    ///
    /// The current engine's sentence encoder, if it has one, is attached to
    /// the new engine (which keeps the bundle's answer vectors when that
    /// encoder made them, and encodes its answers otherwise).
    pub fn reload_bundle(&self, path: impl AsRef<Path>) -> Result<Arc<Engine>> {
        let engine = self.keep_encoder(Engine::load_bundle(path)?);
        Ok(self.replace(engine))
    }

    /// Loads and builds the catalog folder at `dir` and makes it current.
    /// Nothing changes if the catalog has problems: the error lists them.
    /// The current engine's sentence encoder, if any, is attached to it.
    pub fn reload_dir(&self, dir: impl AsRef<Path>) -> Result<Arc<Engine>> {
        let engine = self.keep_encoder(Engine::build(Catalog::load(dir)?)?);
        Ok(self.replace(engine))
    }

    fn keep_encoder(&self, engine: Engine) -> Engine {
        #[cfg(feature = "encoder")]
        if let Some(encoder) = self.current.load().encoder.clone() {
            return engine.with_encoder(encoder);
        }
        engine
    }

    /// Searches the current engine (see [`Engine::search`]).
    pub fn search(&self, query: &str, options: &SearchOptions) -> Result<Vec<Answer>> {
        self.current.load().search(query, options)
    }
}

impl std::fmt::Debug for EngineHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let engine = self.current.load();
        f.debug_struct("EngineHandle")
            .field("catalog", &engine.catalog().name())
            .field("answers", &engine.answer_count())
            .finish()
    }
}
