//! Routings: mirrors `civic311::route`. A routing goes out as a dict with
//! Open311 field names and timezone-aware datetimes.

use civic311::route::Routing;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::time;

/// The routing as a dict: service_code, jurisdiction, department,
/// priority, requested_datetime, expected_datetime, sla, escalation,
/// referral, notices, rule, trace.
pub(crate) fn to_dict<'py>(py: Python<'py>, r: &Routing) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("service_code", &r.service_code)?;
    d.set_item("jurisdiction", &r.jurisdiction)?;
    d.set_item("department", &r.department)?;
    d.set_item("priority", r.priority.as_str())?;
    d.set_item("requested_datetime", time::to_py(py, &r.requested_datetime)?)?;
    match &r.expected_datetime {
        Some(t) => d.set_item("expected_datetime", time::to_py(py, t)?)?,
        None => d.set_item("expected_datetime", py.None())?,
    }
    d.set_item("sla", r.sla.map(|s| s.to_string()))?;
    match &r.escalation {
        Some(e) => {
            let esc = PyDict::new(py);
            esc.set_item("to", &e.to)?;
            esc.set_item("at", time::to_py(py, &e.at)?)?;
            d.set_item("escalation", esc)?;
        }
        None => d.set_item("escalation", py.None())?,
    }
    match &r.referral {
        Some(f) => {
            let referral = PyDict::new(py);
            referral.set_item("jurisdiction", &f.jurisdiction)?;
            referral.set_item("name", &f.name)?;
            referral.set_item("phone", &f.phone)?;
            referral.set_item("email", &f.email)?;
            referral.set_item("url", &f.url)?;
            referral.set_item("message", &f.message)?;
            d.set_item("referral", referral)?;
        }
        None => d.set_item("referral", py.None())?,
    }
    d.set_item("notices", &r.notices)?;
    d.set_item("rule", &r.rule)?;
    d.set_item("trace", &r.trace)?;
    Ok(d)
}
