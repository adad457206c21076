//! `Catalog`: mirrors `civic311::catalog`.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::errors::IntoPyResult;

/// A validated catalog: jurisdictions, departments, service categories,
/// articles, facilities, calendars and boundaries.
#[pyclass(module = "civic311", frozen)]
pub struct Catalog {
    pub(crate) inner: Arc<civic311::Catalog>,
}

#[pymethods]
impl Catalog {
    /// Loads and validates a catalog folder; raises `CatalogError` listing every problem.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Catalog> {
        let loaded = py.detach(|| civic311::Catalog::load(&path));
        Ok(Catalog { inner: Arc::new(loaded.py_err(py)?) })
    }

    /// The Riverton catalog compiled into the library.
    #[staticmethod]
    fn riverton(py: Python<'_>) -> PyResult<Catalog> {
        Ok(Catalog { inner: Arc::new(civic311::Catalog::riverton().py_err(py)?) })
    }

    /// The catalog's name.
    #[getter]
    fn name(&self) -> &str {
        self.inner.name()
    }

    /// Languages articles may be written in; the first is the default.
    #[getter]
    fn languages(&self) -> Vec<String> {
        self.inner.languages().to_vec()
    }

    /// How many of each thing the catalog holds.
    fn counts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let c = &self.inner;
        let d = PyDict::new(py);
        d.set_item("jurisdictions", c.jurisdictions().len())?;
        d.set_item("departments", c.departments().len())?;
        d.set_item("services", c.services().len())?;
        d.set_item("articles", c.articles().len())?;
        d.set_item("facilities", c.facilities().len())?;
        d.set_item("calendars", c.calendars().len())?;
        d.set_item("boundaries", c.boundaries().len())?;
        Ok(d)
    }

    /// The service codes, in catalog order.
    fn service_codes(&self) -> Vec<String> {
        self.inner.services().iter().map(|s| s.code.clone()).collect()
    }

    /// One service category as a dict, or None for an unknown code.
    fn service<'py>(&self, py: Python<'py>, code: &str) -> PyResult<Option<Bound<'py, PyDict>>> {
        let Some(s) = self.inner.service(code) else { return Ok(None) };
        let d = PyDict::new(py);
        d.set_item("service_code", &s.code)?;
        d.set_item("service_name", &s.name)?;
        d.set_item("description", &s.description)?;
        d.set_item("group", &s.group)?;
        d.set_item("department", &s.department)?;
        d.set_item("type", s.service_type.as_str())?;
        d.set_item("keywords", &s.keywords)?;
        d.set_item("phrasings", &s.phrasings)?;
        d.set_item("staff_only", s.staff_only)?;
        d.set_item("attributes", PyList::new(py, s.attributes.iter().map(|a| a.code.clone()))?)?;
        d.set_item("articles", &s.articles)?;
        Ok(Some(d))
    }

    fn __repr__(&self) -> String {
        let c = &self.inner;
        format!("<Catalog {:?}: {} services, {} articles>", c.name(), c.services().len(), c.articles().len())
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Catalog>()
}

/// The catalog given, or Riverton's.
pub(crate) fn or_riverton(py: Python<'_>, catalog: Option<&Catalog>) -> PyResult<Arc<civic311::Catalog>> {
    match catalog {
        Some(c) => Ok(c.inner.clone()),
        None => Ok(Arc::new(civic311::Catalog::riverton().py_err(py)?)),
    }
}
