//! The `civic311._civic311` extension module: a thin layer over the Rust
//! crate, one file per core module.

use pyo3::prelude::*;

mod catalog;
mod classify;
mod engine;
mod errors;
mod open311;
mod route;
mod search;
mod store;
mod time;

#[pymodule]
fn _civic311(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    errors::register(m)?;
    catalog::register(m)?;
    open311::register(m)?;
    search::register(m)?;
    classify::register(m)?;
    engine::register(m)?;
    store::register(m)?;
    Ok(())
}
