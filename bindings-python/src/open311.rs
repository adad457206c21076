//! Open311 helpers: mirrors `civic311::open311`.

use civic311::open311::{NewRequest, Payload, ServiceDefinition, ServiceList, validate_request as validate};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDateTime, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Number, Value};

use crate::catalog::{Catalog, or_riverton};
use crate::errors::{FormatError, IntoPyResult};

/// Nesting deeper than this is not a request.
const MAX_DEPTH: usize = 16;

/// Reads a request dict (Open311 field names, attributes under
/// "attribute" or as "attribute[CODE]" keys; `requested_datetime` an aware
/// `datetime` or an RFC 3339 string).
pub(crate) fn request_from_py(request: &Bound<'_, PyAny>) -> PyResult<NewRequest> {
    if request.cast::<PyDict>().is_err() {
        return Err(FormatError::new_err(format!(
            "a request is a dict with Open311 field names, such as {{\"service_code\": \"ST-POTHOLE\", \"lat\": 38.95, \"long\": -90.95}}; got {}",
            request.get_type().name()?
        )));
    }
    let value = to_json(request, "request", 0)?;
    NewRequest::from_json_value(&value).py_err(request.py())
}

/// A Python value as JSON: dicts with str keys, lists and tuples, str, int,
/// float, bool, None, and aware datetimes (as RFC 3339).
fn to_json(v: &Bound<'_, PyAny>, path: &str, depth: usize) -> PyResult<Value> {
    if depth > MAX_DEPTH {
        return Err(FormatError::new_err(format!("{path} is nested more than {MAX_DEPTH} deep; a request is flat")));
    }
    if v.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = v.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if let Ok(s) = v.cast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    if v.cast::<PyInt>().is_ok() {
        if let Ok(i) = v.extract::<i64>() {
            return Ok(Value::Number(i.into()));
        }
        return Err(FormatError::new_err(format!("{path} = {} is too large a number", v.repr()?)));
    }
    if let Ok(f) = v.cast::<PyFloat>() {
        return match Number::from_f64(f.value()) {
            Some(n) => Ok(Value::Number(n)),
            None => Err(FormatError::new_err(format!("{path} = {} is not a finite number", v.repr()?))),
        };
    }
    if v.cast::<PyDateTime>().is_ok() {
        return Ok(Value::String(crate::time::from_py(v, path)?.to_string()));
    }
    if let Ok(d) = v.cast::<PyDict>() {
        let mut map = Map::new();
        for (k, item) in d.iter() {
            let Ok(key) = k.cast::<PyString>() else {
                return Err(FormatError::new_err(format!(
                    "{path} has the key {} ({}); keys are strings",
                    k.repr()?,
                    k.get_type().name()?
                )));
            };
            let key = key.to_cow()?.into_owned();
            let value = to_json(&item, &format!("{path}[{key:?}]"), depth + 1)?;
            map.insert(key, value);
        }
        return Ok(Value::Object(map));
    }
    if v.cast::<PyList>().is_ok() || v.cast::<PyTuple>().is_ok() {
        let mut items = Vec::new();
        for (i, item) in v.try_iter()?.enumerate() {
            items.push(to_json(&item?, &format!("{path}[{i}]"), depth + 1)?);
        }
        return Ok(Value::Array(items));
    }
    Err(FormatError::new_err(format!(
        "{path} is a {}; a request holds str, int, float, bool, None, lists, dicts and datetimes",
        v.get_type().name()?
    )))
}

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
fn validate_request(py: Python<'_>, request: &Bound<'_, PyAny>, catalog: Option<&Catalog>) -> PyResult<()> {
    let req = request_from_py(request)?;
    validate(&*or_riverton(py, catalog)?, &req).py_err(py)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(open311_services_json, m)?)?;
    m.add_function(wrap_pyfunction!(open311_services_xml, m)?)?;
    m.add_function(wrap_pyfunction!(open311_service_definition, m)?)?;
    m.add_function(wrap_pyfunction!(validate_request, m)?)?;
    Ok(())
}
