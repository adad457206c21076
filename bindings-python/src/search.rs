//! Answers and completions: mirrors `civic311::search`.

use pyo3::prelude::*;
use pyo3::types::PyDict;

/// One answer to a question: a knowledge article, a service category to
/// report, or a facility with its hours.
#[pyclass(module = "civic311", frozen)]
pub struct Answer {
    pub(crate) inner: civic311::Answer,
}

#[pymethods]
impl Answer {
    /// The article id, service code or facility id.
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }
    /// "article", "service" or "facility".
    #[getter]
    fn kind(&self) -> &'static str {
        self.inner.kind.as_str()
    }
    /// The article's, service's or facility's title.
    #[getter]
    fn title(&self) -> &str {
        &self.inner.title
    }
    /// HTML: the best passage with matched words in `<mark>`, every other
    /// character escaped. Safe to insert into a page.
    #[getter]
    fn snippet(&self) -> &str {
        &self.inner.snippet
    }
    /// The page to link to, when the catalog gives one.
    #[getter]
    fn url(&self) -> Option<&str> {
        self.inner.url.as_deref()
    }
    /// Relevance: higher is better; comparable within one search only.
    #[getter]
    fn score(&self) -> f32 {
        self.inner.score
    }
    /// The language of an article; None for services and facilities.
    #[getter]
    fn lang(&self) -> Option<&str> {
        self.inner.lang.as_deref()
    }
    /// The department the answer belongs to.
    #[getter]
    fn department(&self) -> Option<&str> {
        self.inner.department.as_deref()
    }
    /// The service to report: the service itself, or the one an article explains.
    #[getter]
    fn service_code(&self) -> Option<&str> {
        self.inner.service_code.as_deref()
    }
    /// For facilities: open or closed now, and the hours of the day asked about.
    #[getter]
    fn hours(&self) -> Option<FacilityHours> {
        self.inner.hours.clone().map(|inner| FacilityHours { inner })
    }

    /// The answer as a dict of plain values (JSON-ready).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        answer_dict(py, &self.inner)
    }

    fn __repr__(&self) -> String {
        let a = &self.inner;
        format!("<Answer {} {:?} {:?} score={:.2}>", a.kind.as_str(), a.id, a.title, a.score)
    }
}

/// An answer as a dict of plain values.
pub(crate) fn answer_dict<'py>(py: Python<'py>, a: &civic311::Answer) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("id", &a.id)?;
    d.set_item("kind", a.kind.as_str())?;
    d.set_item("title", &a.title)?;
    d.set_item("snippet", &a.snippet)?;
    d.set_item("url", &a.url)?;
    d.set_item("score", a.score)?;
    d.set_item("lang", &a.lang)?;
    d.set_item("department", &a.department)?;
    d.set_item("service_code", &a.service_code)?;
    match &a.hours {
        Some(h) => d.set_item("hours", hours_dict(py, h)?)?,
        None => d.set_item("hours", py.None())?,
    }
    Ok(d)
}

/// A facility's opening status, with the words to show.
#[pyclass(module = "civic311", frozen)]
pub struct FacilityHours {
    inner: civic311::search::FacilityHours,
}

#[pymethods]
impl FacilityHours {
    /// Whether it is open at the instant of the search.
    #[getter]
    fn open_now(&self) -> bool {
        self.inner.open_now
    }
    /// "Open now, closes at 6 pm" or "Closed now, opens Monday at 9 am".
    #[getter]
    fn status(&self) -> &str {
        &self.inner.status
    }
    /// The hours of the day asked about (or today), such as "Sunday: 1 pm to 5 pm".
    #[getter]
    fn day(&self) -> &str {
        &self.inner.day
    }
    /// The hours as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        hours_dict(py, &self.inner)
    }
    fn __repr__(&self) -> String {
        format!("<FacilityHours {:?}; {:?}>", self.inner.status, self.inner.day)
    }
}

fn hours_dict<'py>(py: Python<'py>, h: &civic311::search::FacilityHours) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("open_now", h.open_now)?;
    d.set_item("status", &h.status)?;
    d.set_item("day", &h.day)?;
    Ok(d)
}

/// One completion of what a resident is typing.
#[pyclass(module = "civic311", frozen)]
pub struct Completion {
    pub(crate) inner: civic311::Completion,
}

#[pymethods]
impl Completion {
    /// The phrase to show and to search for.
    #[getter]
    fn text(&self) -> &str {
        &self.inner.text
    }
    /// The kind of answer it comes from: "article", "service" or "facility".
    #[getter]
    fn kind(&self) -> &'static str {
        self.inner.kind.as_str()
    }
    /// The id of the answer it comes from.
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }
    /// Higher is better; 1.0 for the best of the list.
    #[getter]
    fn score(&self) -> f32 {
        self.inner.score
    }
    /// The completion as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let c = &self.inner;
        let d = PyDict::new(py);
        d.set_item("text", &c.text)?;
        d.set_item("kind", c.kind.as_str())?;
        d.set_item("id", &c.id)?;
        d.set_item("score", c.score)?;
        Ok(d)
    }
    fn __repr__(&self) -> String {
        format!("<Completion {:?} ({} {:?})>", self.inner.text, self.inner.kind.as_str(), self.inner.id)
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Answer>()?;
    m.add_class::<FacilityHours>()?;
    m.add_class::<Completion>()
}
