//! Suggestions, triage and trained classifiers: mirrors `civic311::classify`.

use std::path::PathBuf;
use std::sync::Arc;

use civic311::classify::TrainOptions;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};

use crate::errors::{IntoPyResult, ModelError};
use crate::search::Answer;

/// A category suggested for a text.
#[pyclass(module = "civic311", frozen)]
pub struct Suggestion {
    pub(crate) inner: civic311::classify::Suggestion,
}

#[pymethods]
impl Suggestion {
    /// The service code (or, for a model trained on another taxonomy, its label).
    #[getter]
    fn service_code(&self) -> &str {
        &self.inner.service_code
    }
    /// The service's name, when the catalog knows the code.
    #[getter]
    fn service_name(&self) -> Option<&str> {
        self.inner.service_name.as_deref()
    }
    /// The department that delivers it, when the catalog knows the code.
    #[getter]
    fn department(&self) -> Option<&str> {
        self.inner.department.as_deref()
    }
    /// The probability of this category; over all categories they sum to 1.
    #[getter]
    fn score(&self) -> f32 {
        self.inner.score
    }
    /// The suggestion as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        suggestion_dict(py, &self.inner)
    }
    fn __repr__(&self) -> String {
        let s = &self.inner;
        match (&s.service_name, &s.department) {
            (Some(name), Some(dep)) => {
                format!("<Suggestion {:?} {:?} ({dep}) score={:.3}>", s.service_code, name, s.score)
            }
            _ => format!("<Suggestion {:?} score={:.3}>", s.service_code, s.score),
        }
    }
}

fn suggestion_dict<'py>(py: Python<'py>, s: &civic311::classify::Suggestion) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("service_code", &s.service_code)?;
    d.set_item("service_name", &s.service_name)?;
    d.set_item("department", &s.department)?;
    d.set_item("score", s.score)?;
    Ok(d)
}

pub(crate) fn suggestions(list: Vec<civic311::classify::Suggestion>) -> Vec<Suggestion> {
    list.into_iter().map(|inner| Suggestion { inner }).collect()
}

/// Whether a text is an emergency for 911, a report to file (with its
/// likely categories) or a question to answer (with answers).
#[pyclass(module = "civic311", frozen)]
pub struct Triage {
    pub(crate) inner: civic311::classify::Triage,
}

#[pymethods]
impl Triage {
    /// "emergency", "report" or "question".
    #[getter]
    fn kind(&self) -> &'static str {
        self.inner.kind.as_str()
    }
    /// For a report or question that mentions danger without reading as an
    /// emergency now: ask the resident whether anyone is in danger right now
    /// before filing it. Always False for an emergency.
    #[getter]
    fn possible_emergency(&self) -> bool {
        self.inner.possible_emergency
    }
    /// The learned detector's probability (0 to 1) that the text describes
    /// an emergency now, whatever the rules found.
    #[getter]
    fn emergency_probability(&self) -> f32 {
        self.inner.emergency_probability
    }
    /// What to tell the resident: for an emergency, "Call 911 now ..."; for
    /// a possible emergency, to call 911 if anyone is in danger right now.
    #[getter]
    fn advice(&self) -> Option<&str> {
        self.inner.advice.as_deref()
    }
    /// The cues found, such as "gas smell", and why they were tempered.
    #[getter]
    fn reasons(&self) -> Vec<String> {
        self.inner.reasons.clone()
    }
    /// The most likely categories.
    #[getter]
    fn suggestions(&self) -> Vec<Suggestion> {
        suggestions(self.inner.suggestions.clone())
    }
    /// Answers from the knowledge base (for questions).
    #[getter]
    fn answers(&self) -> Vec<Answer> {
        self.inner.answers.iter().cloned().map(|inner| Answer { inner }).collect()
    }
    /// The triage as a dict, with suggestions and answers as dicts.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let t = &self.inner;
        let d = PyDict::new(py);
        d.set_item("kind", t.kind.as_str())?;
        d.set_item("possible_emergency", t.possible_emergency)?;
        d.set_item("emergency_probability", t.emergency_probability)?;
        d.set_item("advice", &t.advice)?;
        d.set_item("reasons", &t.reasons)?;
        let list = PyList::empty(py);
        for s in &t.suggestions {
            list.append(suggestion_dict(py, s)?)?;
        }
        d.set_item("suggestions", list)?;
        let list = PyList::empty(py);
        for a in &t.answers {
            list.append(crate::search::answer_dict(py, a)?)?;
        }
        d.set_item("answers", list)?;
        Ok(d)
    }
    fn __repr__(&self) -> String {
        let t = &self.inner;
        let top = t.suggestions.first().map(|s| format!(" {} {:.2}", s.service_code, s.score)).unwrap_or_default();
        let flag = if t.possible_emergency { " possible_emergency" } else { "" };
        format!("<Triage {}{flag}:{top}>", t.kind.as_str())
    }
}

/// Reads an iterable of strings (a list, a tuple, a pandas Series ...).
/// `what` names it in errors.
pub(crate) fn strings(values: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<String>> {
    if values.cast::<PyString>().is_ok() {
        return Err(PyTypeError::new_err(format!(
            "{what} is one str; pass a list of texts (for one text, [text] or the single-text method)"
        )));
    }
    let iter = values.try_iter().map_err(|_| {
        PyTypeError::new_err(match values.get_type().name() {
            Ok(t) => format!("{what} must be an iterable of str, not {t}"),
            Err(_) => format!("{what} must be an iterable of str"),
        })
    })?;
    let mut out = Vec::with_capacity(values.len().unwrap_or(0));
    for (i, item) in iter.enumerate() {
        let item = item?;
        match item.cast::<PyString>() {
            Ok(s) => out.push(s.to_cow()?.into_owned()),
            Err(_) => {
                return Err(PyTypeError::new_err(format!(
                    "{what}[{i}] is {} ({}), not a str; fill or drop missing values first \
                     (with pandas: series.fillna(\"\").astype(str))",
                    item.repr()?,
                    item.get_type().name()?
                )));
            }
        }
    }
    Ok(out)
}

/// A text classifier trained on labelled rows, such as a city's request
/// history: labels with calibrated probabilities for any text.
#[pyclass(module = "civic311", frozen)]
pub struct Classifier {
    pub(crate) inner: Arc<civic311::classify::Classifier>,
}

#[pymethods]
impl Classifier {
    /// Trains on `texts` and their `labels` (same length; at least two
    /// distinct labels). Options left as None keep civic311's defaults:
    /// seed 311, 12 epochs but at most max_updates 250,000 row updates (one
    /// pass at least), l2 1e-3, learning_rate 0.07, class_balance 1.0
    /// (scikit-learn's "balanced"; 0 weighs every row alike), calibrate True.
    /// The same rows and seed give the same model.
    #[staticmethod]
    #[pyo3(signature = (texts, labels, *, seed=None, epochs=None, max_updates=None, l2=None, learning_rate=None, class_balance=None, calibrate=None))]
    #[allow(clippy::too_many_arguments)]
    fn train(
        py: Python<'_>,
        texts: &Bound<'_, PyAny>,
        labels: &Bound<'_, PyAny>,
        seed: Option<u64>,
        epochs: Option<usize>,
        max_updates: Option<usize>,
        l2: Option<f32>,
        learning_rate: Option<f32>,
        class_balance: Option<f32>,
        calibrate: Option<bool>,
    ) -> PyResult<Classifier> {
        let texts = strings(texts, "texts")?;
        let labels = strings(labels, "labels")?;
        if texts.len() != labels.len() {
            return Err(ModelError::new_err(format!(
                "texts has {} rows and labels {}; give one label per text",
                texts.len(),
                labels.len()
            )));
        }
        let d = TrainOptions::default();
        let options = TrainOptions {
            seed: seed.unwrap_or(d.seed),
            epochs: epochs.unwrap_or(d.epochs),
            max_updates: max_updates.unwrap_or(d.max_updates),
            l2: l2.unwrap_or(d.l2),
            learning_rate: learning_rate.unwrap_or(d.learning_rate),
            class_balance: class_balance.unwrap_or(d.class_balance),
            calibrate: calibrate.unwrap_or(d.calibrate),
            ..d
        };
        let model = py.detach(|| {
            civic311::classify::Classifier::train(
                texts.iter().map(String::as_str).zip(labels.iter().map(String::as_str)),
                &options,
            )
        });
        Ok(Classifier { inner: Arc::new(model.py_err(py)?) })
    }

    /// The labels the model knows, sorted.
    #[getter]
    fn labels(&self) -> Vec<String> {
        self.inner.labels().to_vec()
    }

    /// The calibration temperature (logits are divided by it).
    #[getter]
    fn temperature(&self) -> f32 {
        self.inner.temperature()
    }

    /// The most likely label of each text (with the GIL released; 512
    /// texts or more are shared among the machine's cores).
    fn predict(&self, py: Python<'_>, texts: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
        let texts = strings(texts, "texts")?;
        let model = self.inner.clone();
        Ok(py.detach(move || model.predict(texts.iter().map(String::as_str))))
    }

    /// The `k` most likely labels of each text, with their probabilities
    /// (with the GIL released; 512 texts or more are shared among the
    /// machine's cores).
    #[pyo3(signature = (texts, k=3))]
    fn predict_top<'py>(&self, py: Python<'py>, texts: &Bound<'py, PyAny>, k: i64) -> PyResult<Bound<'py, PyList>> {
        let k = crate::engine::limit(k, "k", civic311::classify::MAX_SUGGESTIONS)?;
        let texts = strings(texts, "texts")?;
        let model = self.inner.clone();
        let top = py.detach(move || model.predict_top_batch(texts.iter().map(String::as_str), k));
        let rows = PyList::empty(py);
        for row in top {
            let list = PyList::empty(py);
            for (label, p) in row {
                list.append(PyTuple::new(py, [label.into_pyobject(py)?.into_any(), p.into_pyobject(py)?.into_any()])?)?;
            }
            rows.append(list)?;
        }
        Ok(rows)
    }

    /// The model as bytes (what `save` writes).
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.to_bytes())
    }

    /// A model from bytes written by `to_bytes` or `save`; raises `ModelError`
    /// for anything else.
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: &[u8]) -> PyResult<Classifier> {
        let model = py.detach(|| civic311::classify::Classifier::from_bytes(data));
        Ok(Classifier { inner: Arc::new(model.py_err(py)?) })
    }

    /// Writes the model to a file (the format `civic311 train` writes).
    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        let model = self.inner.clone();
        py.detach(move || model.save(&path)).py_err(py)
    }

    /// Reads a model file written by `save` or `civic311 train`.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Classifier> {
        let model = py.detach(|| civic311::classify::Classifier::load(&path));
        Ok(Classifier { inner: Arc::new(model.py_err(py)?) })
    }

    /// Pickles as its bytes.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyBytes>,))> {
        let py = slf.py();
        let from_bytes = py.get_type::<Classifier>().getattr("from_bytes")?;
        Ok((from_bytes, (slf.get().to_bytes(py),)))
    }

    fn __repr__(&self) -> String {
        let labels = self.inner.labels();
        let shown: Vec<&str> = labels.iter().take(3).map(String::as_str).collect();
        let more = if labels.len() > 3 { ", ..." } else { "" };
        format!("<Classifier: {} labels ({}{more})>", labels.len(), shown.join(", "))
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Suggestion>()?;
    m.add_class::<Triage>()?;
    m.add_class::<Classifier>()
}
