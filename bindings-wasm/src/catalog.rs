//! The catalog tools (feature `catalog`): a catalog read from its files,
//! every problem of those files, and the Open311 services list.

use std::collections::BTreeMap;

use civic311::open311::{Payload, ServiceList};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::errors::{self, to_js};
use crate::to_plain;

/// A validated catalog.
#[wasm_bindgen]
pub struct Catalog {
    inner: civic311::Catalog,
}

/// Reads `{ "catalog.toml": "...", "articles/a.md": "..." }` into path, text pairs.
fn read_files(files: JsValue) -> Result<BTreeMap<String, String>, JsValue> {
    serde_wasm_bindgen::from_value(files).map_err(|e| {
        errors::js_error(
            "FormatError",
            &format!("files must be an object of path to text, such as {{\"articles/a.md\": \"+++...\"}}: {e}"),
        )
    })
}

#[wasm_bindgen]
impl Catalog {
    /// Loads a catalog from its files: an object mapping paths relative to
    /// the catalog folder (`catalog.toml`, `articles/potholes.md`) to their
    /// text. Throws a `CatalogError` whose `problems` lists every problem.
    #[wasm_bindgen(js_name = fromFiles)]
    pub fn from_files(files: JsValue) -> Result<Catalog, JsValue> {
        let files = read_files(files)?;
        civic311::Catalog::from_files(files).map(|inner| Catalog { inner }).map_err(to_js)
    }

    /// The catalog's name.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.inner.name().to_string()
    }

    /// How many of each thing the catalog holds.
    pub fn counts(&self) -> Result<JsValue, JsValue> {
        let c = &self.inner;
        let counts: BTreeMap<&str, usize> = [
            ("jurisdictions", c.jurisdictions().len()),
            ("departments", c.departments().len()),
            ("services", c.services().len()),
            ("articles", c.articles().len()),
            ("facilities", c.facilities().len()),
            ("calendars", c.calendars().len()),
            ("boundaries", c.boundaries().len()),
        ]
        .into_iter()
        .collect();
        to_plain(&counts)
    }

    /// The Open311 services list as JSON text.
    #[wasm_bindgen(js_name = servicesJson)]
    pub fn services_json(&self) -> String {
        ServiceList::from_catalog(&self.inner).to_json()
    }

    /// The Open311 services list as XML text.
    #[wasm_bindgen(js_name = servicesXml)]
    pub fn services_xml(&self) -> String {
        ServiceList::from_catalog(&self.inner).to_xml()
    }
}

#[derive(Serialize)]
struct JsProblem<'a> {
    file: &'a str,
    line: Option<u32>,
    field: &'a str,
    message: &'a str,
}

/// Checks a catalog's files and returns every problem (an empty array when
/// the catalog is clean), for editors that validate as the author types.
#[wasm_bindgen(js_name = checkCatalog)]
pub fn check_catalog(files: JsValue) -> Result<JsValue, JsValue> {
    let files = read_files(files)?;
    match civic311::Catalog::from_files(files) {
        Ok(_) => to_plain(&Vec::<JsProblem<'_>>::new()),
        Err(err) if err.kind() == civic311::ErrorKind::Catalog => {
            let problems: Vec<JsProblem<'_>> = err
                .problems()
                .iter()
                .map(|p| JsProblem { file: &p.file, line: p.line, field: &p.field, message: &p.message })
                .collect();
            to_plain(&problems)
        }
        Err(err) => Err(to_js(err)),
    }
}
