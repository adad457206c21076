//! Every civic311 error becomes a `Civic311Error` subclass here, in one place.

use civic311::{Error, ErrorKind};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

create_exception!(civic311, Civic311Error, PyException, "Base class of every error civic311 raises.");
create_exception!(civic311, CatalogError, Civic311Error, "A catalog has problems; `.problems` lists each one.");
create_exception!(civic311, FormatError, Civic311Error, "Open311 JSON or XML, or a request, could not be read.");
create_exception!(
    civic311,
    ValidationError,
    Civic311Error,
    "A request breaks its service definition; `.errors` is the Open311 error array."
);
create_exception!(civic311, LifecycleError, Civic311Error, "A service request cannot make that lifecycle transition.");
create_exception!(civic311, BundleError, Civic311Error, "A bundle is truncated, altered or of another format version.");
create_exception!(civic311, ModelError, Civic311Error, "A trained model cannot be read or does not fit.");
create_exception!(civic311, QueryError, Civic311Error, "Options of a search or classification cannot be honoured.");
create_exception!(civic311, RoutingError, Civic311Error, "No rule, jurisdiction or department can take a request.");
create_exception!(civic311, Civic311IOError, Civic311Error, "Reading or writing a file failed.");
create_exception!(
    civic311,
    StoreError,
    Civic311Error,
    "A request store cannot be used: missing, foreign, damaged, of a newer schema, or its database failed."
);
create_exception!(
    civic311,
    ConflictError,
    Civic311Error,
    "A change was made against a stale version of a request, or an id is taken."
);
create_exception!(civic311, NotFoundError, Civic311Error, "No stored record has that id.");

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("Civic311Error", py.get_type::<Civic311Error>())?;
    m.add("CatalogError", py.get_type::<CatalogError>())?;
    m.add("FormatError", py.get_type::<FormatError>())?;
    m.add("ValidationError", py.get_type::<ValidationError>())?;
    m.add("LifecycleError", py.get_type::<LifecycleError>())?;
    m.add("BundleError", py.get_type::<BundleError>())?;
    m.add("ModelError", py.get_type::<ModelError>())?;
    m.add("QueryError", py.get_type::<QueryError>())?;
    m.add("RoutingError", py.get_type::<RoutingError>())?;
    m.add("Civic311IOError", py.get_type::<Civic311IOError>())?;
    m.add("StoreError", py.get_type::<StoreError>())?;
    m.add("ConflictError", py.get_type::<ConflictError>())?;
    m.add("NotFoundError", py.get_type::<NotFoundError>())?;
    Ok(())
}

/// Converts a civic311 error into the matching Python exception, with the
/// catalog problems or Open311 errors attached as attributes.
pub(crate) fn to_py(py: Python<'_>, err: Error) -> PyErr {
    let message = err.to_string();
    let exc = match err.kind() {
        ErrorKind::Catalog => CatalogError::new_err(message),
        ErrorKind::Format => FormatError::new_err(message),
        ErrorKind::Validation => ValidationError::new_err(message),
        ErrorKind::Lifecycle => LifecycleError::new_err(message),
        ErrorKind::Bundle => BundleError::new_err(message),
        ErrorKind::Model => ModelError::new_err(message),
        ErrorKind::Query => QueryError::new_err(message),
        ErrorKind::Routing => RoutingError::new_err(message),
        ErrorKind::Io => Civic311IOError::new_err(message),
        ErrorKind::Store => StoreError::new_err(message),
        ErrorKind::Conflict => ConflictError::new_err(message),
        ErrorKind::NotFound => NotFoundError::new_err(message),
        _ => Civic311Error::new_err(message),
    };
    // Note: attaching details is best effort; a failure here must not hide
    // the error being raised.
    let _ = attach_details(py, &exc, &err);
    exc
}

fn attach_details(py: Python<'_>, exc: &PyErr, err: &Error) -> PyResult<()> {
    let value = exc.value(py);
    let problems = PyList::empty(py);
    for p in err.problems() {
        let d = PyDict::new(py);
        d.set_item("file", &p.file)?;
        d.set_item("line", p.line)?;
        d.set_item("field", &p.field)?;
        d.set_item("message", &p.message)?;
        problems.append(d)?;
    }
    value.setattr("problems", problems)?;
    let errors = PyList::empty(py);
    for e in err.open311_errors() {
        let d = PyDict::new(py);
        d.set_item("code", e.code)?;
        d.set_item("description", &e.description)?;
        errors.append(d)?;
    }
    value.setattr("errors", errors)?;
    value.setattr("kind", err.kind().name())?;
    Ok(())
}

/// `?` for civic311 results inside binding code.
pub(crate) trait IntoPyResult<T> {
    fn py_err(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for civic311::Result<T> {
    fn py_err(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py(py, e))
    }
}
