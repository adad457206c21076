//! Instants: mirrors `civic311::DateTime`. Out, a timezone-aware `datetime`
//! at the offset civic311 gives (the delivering calendar's, for deadlines);
//! in, an aware `datetime` or an RFC 3339 string with an offset.

use civic311::DateTime;
use pyo3::prelude::*;
use pyo3::types::{PyDateTime, PyDelta, PyString, PyTzInfo};

use crate::errors::{FormatError, IntoPyResult};

/// A `datetime` with a fixed-offset `tzinfo`, the same instant as `t`.
pub(crate) fn to_py<'py>(py: Python<'py>, t: &DateTime) -> PyResult<Bound<'py, PyDateTime>> {
    let offset = t.offset();
    let civil = offset.to_datetime(t.timestamp());
    let tz = PyTzInfo::fixed_offset(py, PyDelta::new(py, 0, offset.seconds(), 0, true)?)?;
    PyDateTime::new(
        py,
        i32::from(civil.year()),
        civil.month() as u8,
        civil.day() as u8,
        civil.hour() as u8,
        civil.minute() as u8,
        civil.second() as u8,
        (civil.subsec_nanosecond() / 1000) as u32,
        Some(&tz),
    )
}

/// Reads an instant given as an aware `datetime` or an RFC 3339 string;
/// `what` names it in errors ("now", "request['requested_datetime']").
pub(crate) fn from_py(value: &Bound<'_, PyAny>, what: &str) -> PyResult<DateTime> {
    let py = value.py();
    if let Ok(s) = value.cast::<PyString>() {
        return DateTime::parse(&s.to_cow()?).map_err(|e| FormatError::new_err(format!("{what}: {}", e.message())));
    }
    if value.cast::<PyDateTime>().is_ok() {
        if value.call_method0("utcoffset")?.is_none() {
            return Err(FormatError::new_err(format!(
                "{what} is a naive datetime ({}); give it a time zone, such as \
                 datetime.timezone.utc or zoneinfo.ZoneInfo(\"America/Chicago\")",
                value.repr()?
            )));
        }
        let iso: String = value.call_method0("isoformat")?.extract()?;
        return DateTime::parse(&iso).py_err(py);
    }
    Err(FormatError::new_err(format!(
        "{what} must be a timezone-aware datetime or an RFC 3339 string, not {}",
        value.get_type().name()?
    )))
}
