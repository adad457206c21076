//! The civic311 engine for web pages: a thin wasm-bindgen layer over the
//! Rust crate. Bytes and plain objects in, plain objects out; every error is
//! a JavaScript `Error` whose `name` is the error's kind.
//!
//! Two builds of this crate make the npm package's two wasm modules: the
//! engine (feature `engine`, the default), which pages download to search,
//! and the catalog tools (feature `catalog`: catalogs read from their files,
//! their problems, the Open311 services list), which only authoring tools
//! need. Keeping the TOML, Markdown and GeoJSON readers out of the engine's
//! build keeps its download small.

// A build with neither module (`--no-default-features` alone) exports nothing.
#![cfg_attr(not(any(feature = "engine", feature = "catalog")), allow(dead_code))]

use serde::Serialize;
use wasm_bindgen::prelude::*;

#[cfg(feature = "catalog")]
mod catalog;
#[cfg(feature = "engine")]
mod engine;
mod errors;

#[cfg(feature = "catalog")]
pub use catalog::{Catalog, check_catalog};
#[cfg(feature = "hybrid")]
pub use engine::Encoder;
#[cfg(feature = "engine")]
pub use engine::Engine;

/// Serializes to plain JavaScript objects (not Maps).
pub(crate) fn to_plain<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| errors::js_error("FormatError", &e.to_string()))
}
