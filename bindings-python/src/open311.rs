//! Open311 helpers: mirrors `civic311::open311`.

use civic311::open311::{NewRequest, Payload, ServiceDefinition, ServiceList, validate_request as validate};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::catalog::{Catalog, or_riverton};
use crate::errors::IntoPyResult;

/// The Open311 services list of a catalog (Riverton's by default), as JSON.
#[pyfunction]
#[pyo3(signature = (catalog=None))]
fn open311_services_json(py: Python<'_>, catalog: Option<&Catalog>) -> PyResult<String> {
    Ok(ServiceList::from_catalog(&*or_riverton(py, catalog)?).to_json())
}

/// The Open311 services list of a catalog (Riverton's by default), as XML.
#[pyfunction]
#[pyo3(signature = (catalog=None))]
fn open311_services_xml(py: Python<'_>, catalog: Option<&Catalog>) -> PyResult<String> {
    Ok(ServiceList::from_catalog(&*or_riverton(py, catalog)?).to_xml())
}

/// One service's Open311 definition (its attributes), as JSON or XML.
#[pyfunction]
#[pyo3(signature = (service_code, catalog=None, format="json"))]
fn open311_service_definition(
    py: Python<'_>,
    service_code: &str,
    catalog: Option<&Catalog>,
    format: &str,
) -> PyResult<String> {
    let def = ServiceDefinition::from_catalog(&*or_riverton(py, catalog)?, service_code).py_err(py)?;
    match civic311::open311::Format::parse(format) {
        Some(f) => Ok(def.write(f)),
        None => Err(crate::errors::QueryError::new_err(format!("unknown format '{format}'; use json or xml"))),
    }
}

/// Checks a submitted request (a dict with Open311 field names, attributes
/// under "attribute") against its service definition. Raises
/// `ValidationError`, whose `.errors` is the Open311 error array.
#[pyfunction]
#[pyo3(signature = (request, catalog=None))]
fn validate_request(py: Python<'_>, request: &Bound<'_, PyDict>, catalog: Option<&Catalog>) -> PyResult<()> {
    let json = py.import("json")?.call_method1("dumps", (request,))?;
    let text: String = json.extract()?;
    let req = NewRequest::from_json(&text).py_err(py)?;
    validate(&*or_riverton(py, catalog)?, &req).py_err(py)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(open311_services_json, m)?)?;
    m.add_function(wrap_pyfunction!(open311_services_xml, m)?)?;
    m.add_function(wrap_pyfunction!(open311_service_definition, m)?)?;
    m.add_function(wrap_pyfunction!(validate_request, m)?)?;
    Ok(())
}
