//! `Engine`: mirrors `civic311::Engine` (search, suggest, classify, triage,
//! route, bundles).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use civic311::search::MAX_LIMIT;
use civic311::{AnswerKind, SearchOptions};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

use crate::catalog::Catalog;
use crate::classify::{Classifier, Suggestion, Triage, strings, suggestions};
use crate::errors::{IntoPyResult, QueryError};
use crate::search::{Answer, Completion};

/// A catalog with its answer index, classifier and router, ready to answer,
/// classify and route. Immutable and safe to share between threads; the GIL
/// is released while it searches, classifies and loads.
#[pyclass(module = "civic311", frozen)]
pub struct Engine {
    inner: Arc<civic311::Engine>,
}

/// Checks a count asked for by a caller: 0 to `max`.
pub(crate) fn limit(value: i64, name: &str, max: usize) -> PyResult<usize> {
    match usize::try_from(value) {
        Ok(n) if n <= max => Ok(n),
        _ => Err(QueryError::new_err(format!("{name} = {value}; ask for 0 to {max}"))),
    }
}

fn with_classifier(mut engine: civic311::Engine, classifier: Option<&Classifier>) -> Arc<civic311::Engine> {
    if let Some(c) = classifier {
        engine.set_classifier((*c.inner).clone());
    }
    Arc::new(engine)
}

/// A sentence encoder (all-MiniLM-L6-v2 and other BERT sentence models in
/// the sentence-transformers layout), run natively. Load it once and give
/// it to engines (`Engine.default(encoder=...)`); `encode` releases the GIL.
#[pyclass(module = "civic311", frozen)]
pub struct Encoder {
    pub(crate) inner: Arc<civic311::Encoder>,
}

#[pymethods]
impl Encoder {
    /// Loads the encoder in a folder holding `config.json`,
    /// `tokenizer.json` and `model.safetensors` (or whose `model/` folder
    /// does): `scripts/fetch-encoder.sh DIR` makes one. Raises `ModelError`
    /// naming the file that is missing or does not fit.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Encoder> {
        let inner = py.detach(|| civic311::Encoder::load(&path)).py_err(py)?;
        Ok(Encoder { inner: Arc::new(inner) })
    }

    /// The text's unit-length vector (a list of `dim` floats).
    fn encode(&self, py: Python<'_>, text: String) -> Vec<f32> {
        let inner = self.inner.clone();
        py.detach(move || inner.encode(&text))
    }

    /// The length of the vectors.
    #[getter]
    fn dim(&self) -> usize {
        self.inner.dim()
    }

    /// The folder name it was loaded from.
    #[getter]
    fn name(&self) -> String {
        self.inner.name().to_string()
    }

    fn __repr__(&self) -> String {
        format!("Encoder(name={:?}, dim={})", self.inner.name(), self.inner.dim())
    }
}

/// An `encoder=` argument: an `Encoder`, or the path of its folder.
#[derive(FromPyObject)]
pub(crate) enum EncoderArg {
    Loaded(Py<Encoder>),
    Path(PathBuf),
}

impl EncoderArg {
    fn load(&self, py: Python<'_>) -> PyResult<Arc<civic311::Encoder>> {
        match self {
            EncoderArg::Loaded(e) => Ok(e.get().inner.clone()),
            EncoderArg::Path(p) => Ok(Encoder::load(py, p.clone())?.inner),
        }
    }
}

/// The engine with the encoder attached (answers encoded with the GIL released).
fn with_encoder(py: Python<'_>, engine: civic311::Engine, encoder: Option<EncoderArg>) -> PyResult<civic311::Engine> {
    match encoder {
        None => Ok(engine),
        Some(e) => {
            let e = e.load(py)?;
            Ok(py.detach(move || engine.with_encoder(e)))
        }
    }
}

/// Engines this process unpickled, most recent first, by their bundle's
/// length and checksum: unpickling the same engine again (as Dask and
/// multiprocessing do for every task) reuses it, with the models it has
/// trained, instead of loading and training again.
static UNPICKLED: Mutex<Vec<(usize, u64, Arc<civic311::Engine>)>> = Mutex::new(Vec::new());
const UNPICKLED_KEPT: usize = 4;

impl Engine {
    /// The engine itself, for the store's submissions.
    pub(crate) fn shared(&self) -> Arc<civic311::Engine> {
        self.inner.clone()
    }
}

#[pymethods]
impl Engine {
    /// The engine of the Riverton catalog compiled into the library.
    /// `classifier`, a model trained on the city's history, replaces the
    /// zero-shot one in `classify` and `triage`.
    #[staticmethod]
    ///
    /// `encoder` (an `Encoder`, or its folder's path) makes searches
    /// hybrid: by meaning as well as words.
    #[pyo3(signature = (classifier=None, encoder=None))]
    fn default(py: Python<'_>, classifier: Option<&Classifier>, encoder: Option<EncoderArg>) -> PyResult<Engine> {
        let engine = py.detach(|| civic311::Engine::build(civic311::Catalog::riverton()?)).py_err(py)?;
        let engine = with_encoder(py, engine, encoder)?;
        Ok(Engine { inner: with_classifier(engine, classifier) })
    }

    /// Builds the engine of a loaded catalog (indexes every article,
    /// service and facility).
    #[staticmethod]
    #[pyo3(signature = (catalog, classifier=None, encoder=None))]
    fn build(
        py: Python<'_>,
        catalog: &Catalog,
        classifier: Option<&Classifier>,
        encoder: Option<EncoderArg>,
    ) -> PyResult<Engine> {
        let catalog = (*catalog.inner).clone();
        let engine = py.detach(|| civic311::Engine::build(catalog)).py_err(py)?;
        let engine = with_encoder(py, engine, encoder)?;
        Ok(Engine { inner: with_classifier(engine, classifier) })
    }

    /// Loads, validates and indexes a catalog folder; raises `CatalogError`
    /// listing every problem.
    #[staticmethod]
    #[pyo3(signature = (path, classifier=None, encoder=None))]
    fn from_dir(
        py: Python<'_>,
        path: PathBuf,
        classifier: Option<&Classifier>,
        encoder: Option<EncoderArg>,
    ) -> PyResult<Engine> {
        let engine = py.detach(|| civic311::Engine::build(civic311::Catalog::load(&path)?)).py_err(py)?;
        let engine = with_encoder(py, engine, encoder)?;
        Ok(Engine { inner: with_classifier(engine, classifier) })
    }

    /// Loads an engine from bundle bytes (`to_bundle`, `civic311 bundle`),
    /// with no re-indexing. A truncated or altered bundle raises `BundleError`.
    /// With `encoder`, searches are hybrid (the answers' vectors in the
    /// bundle are used when that encoder made them).
    #[staticmethod]
    #[pyo3(signature = (data, encoder=None))]
    fn from_bundle(py: Python<'_>, data: &[u8], encoder: Option<EncoderArg>) -> PyResult<Engine> {
        let engine = py.detach(|| civic311::Engine::from_bundle(data)).py_err(py)?;
        Ok(Engine { inner: Arc::new(with_encoder(py, engine, encoder)?) })
    }

    /// Loads an engine from a bundle file (`encoder` as in `from_bundle`).
    #[staticmethod]
    #[pyo3(signature = (path, encoder=None))]
    fn load_bundle(py: Python<'_>, path: PathBuf, encoder: Option<EncoderArg>) -> PyResult<Engine> {
        let engine = py.detach(|| civic311::Engine::load_bundle(&path)).py_err(py)?;
        Ok(Engine { inner: Arc::new(with_encoder(py, engine, encoder)?) })
    }

    /// Whether searches rank by meaning as well as words (an encoder is attached).
    #[getter]
    fn is_hybrid(&self) -> bool {
        self.inner.is_hybrid()
    }

    /// The engine as bundle bytes: the catalog's files, the index, and the
    /// attached classifier.
    fn to_bundle<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let engine = self.inner.clone();
        let bytes = py.detach(move || engine.to_bundle()).py_err(py)?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// Writes the bundle to a file (atomically: a reader never sees half of it).
    fn save_bundle(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        let engine = self.inner.clone();
        py.detach(move || engine.save_bundle(&path)).py_err(py)
    }

    /// The catalog the engine answers from.
    #[getter]
    fn catalog(&self) -> Catalog {
        Catalog { inner: self.inner.shared_catalog() }
    }

    /// The attached trained classifier, or None when `classify` uses the
    /// zero-shot model trained from the catalog.
    #[getter]
    fn classifier(&self) -> Option<Classifier> {
        self.inner.classifier().map(|c| Classifier { inner: Arc::new(c.clone()) })
    }

    /// How many answers (articles, services, facilities) it searches.
    #[getter]
    fn answer_count(&self) -> usize {
        self.inner.answer_count()
    }

    /// Answers a resident's question, best first. No query string is an
    /// error; options that cannot be honoured raise `QueryError`.
    ///
    /// `lang` ("en", "es") keeps articles in that language; `kinds` keeps
    /// answers of those kinds ("article", "service", "facility");
    /// `department` keeps one department's; `now` (an aware datetime) is the
    /// instant facilities' "open now" is computed at.
    #[pyo3(signature = (query, limit=5, lang=None, kinds=None, department=None, now=None))]
    #[allow(clippy::too_many_arguments)]
    fn search(
        &self,
        py: Python<'_>,
        query: String,
        limit: i64,
        lang: Option<String>,
        kinds: Option<Vec<String>>,
        department: Option<String>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Answer>> {
        let mut options = SearchOptions {
            limit: self::limit(limit, "limit", MAX_LIMIT)?,
            lang,
            department,
            ..SearchOptions::default()
        };
        for k in kinds.unwrap_or_default() {
            let kind = AnswerKind::parse(&k).ok_or_else(|| {
                QueryError::new_err(format!("unknown kind {k:?}; use {}", AnswerKind::NAMES.join(", ")))
            })?;
            options.kinds.push(kind);
        }
        if let Some(now) = now {
            options.now = Some(crate::time::from_py(now, "now")?.timestamp());
        }
        let engine = self.inner.clone();
        let answers = py.detach(move || engine.search(&query, &options)).py_err(py)?;
        Ok(answers.into_iter().map(|inner| Answer { inner }).collect())
    }

    /// Answers a question, or names the department to ask.
    ///
    /// Returns a dict: `answered` (bool), `confidence` (the chance, 0 to 1,
    /// that one of the answers answers it), `answers` (Answer objects, best
    /// first, given even when escalated), `escalation` (None, or a dict with
    /// `department`, `department_name`, `service_code`, `service_name`,
    /// `classifier_score`, `candidates`, `reason`, `reply_within` and
    /// `reply_by`, an aware datetime), `emergency` (911's advice, or None)
    /// and `signals` (what the confidence came from). Under
    /// `min_confidence` the question is escalated.
    #[pyo3(signature = (question, limit=3, lang=None, min_confidence=0.5, now=None))]
    fn answer<'py>(
        &self,
        py: Python<'py>,
        question: String,
        limit: i64,
        lang: Option<String>,
        min_confidence: f32,
        now: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let options = civic311::AnswerOptions {
            limit: self::limit(limit, "limit", 20)?,
            lang,
            min_confidence,
            now: now.map(|n| crate::time::from_py(n, "now").map(|d| d.timestamp())).transpose()?,
        };
        let engine = self.inner.clone();
        let reply = py.detach(move || engine.answer(&question, &options)).py_err(py)?;
        reply_dict(py, &reply)
    }

    /// What a question asks, as a key that groups its wordings (its stems,
    /// typos corrected, sorted): "Potholes on Maple?" and "maple potole"
    /// share one.
    fn question_key(&self, question: &str) -> String {
        self.inner.question_key(question)
    }

    /// The departments most likely to know about a question, best first:
    /// `(department id, share)` pairs whose shares sum to 1.
    #[pyo3(signature = (question, limit=3))]
    fn departments_for(&self, py: Python<'_>, question: String, limit: i64) -> PyResult<Vec<(String, f32)>> {
        let limit = self::limit(limit, "limit", 100)?;
        let engine = self.inner.clone();
        py.detach(move || engine.departments_for(&question, limit)).py_err(py)
    }

    /// Completions of what a resident is typing, best first.
    #[pyo3(signature = (prefix, limit=5))]
    fn suggest(&self, prefix: &str, limit: i64) -> PyResult<Vec<Completion>> {
        let limit = self::limit(limit, "limit", MAX_LIMIT)?;
        Ok(self.inner.suggest(prefix, limit).into_iter().map(|inner| Completion { inner }).collect())
    }

    /// The `limit` most likely categories of a resident's text, with
    /// probabilities (over all categories they sum to 1).
    #[pyo3(signature = (text, limit=3))]
    fn classify(&self, py: Python<'_>, text: String, limit: i64) -> PyResult<Vec<Suggestion>> {
        let k = self::limit(limit, "limit", civic311::classify::MAX_SUGGESTIONS)?;
        let engine = self.inner.clone();
        Ok(suggestions(py.detach(move || engine.classify(&text, k)).py_err(py)?))
    }

    /// `classify` for many texts (any iterable of str, such as a pandas
    /// Series), with the GIL released while it works; 512 texts or more are
    /// shared among the machine's cores.
    #[pyo3(signature = (texts, limit=3))]
    fn classify_batch<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        limit: i64,
    ) -> PyResult<Bound<'py, PyList>> {
        let k = self::limit(limit, "limit", civic311::classify::MAX_SUGGESTIONS)?;
        let texts = strings(texts, "texts")?;
        let engine = self.inner.clone();
        let all = py.detach(move || engine.classify_batch(&texts, k)).py_err(py)?;
        let out = PyList::empty(py);
        for row in all {
            out.append(suggestions(row))?;
        }
        Ok(out)
    }

    /// Whether a text is an emergency for 911, a report (with its likely
    /// categories) or a question (with answers).
    fn triage(&self, py: Python<'_>, text: String) -> PyResult<Triage> {
        let engine = self.inner.clone();
        let inner = py.detach(move || engine.triage(&text)).py_err(py)?;
        Ok(Triage { inner })
    }

    /// Routes a request (a dict with Open311 field names; attributes under
    /// "attribute"; `requested_datetime` an aware datetime or RFC 3339
    /// string): who delivers it, how urgent it is, when it is due, and why.
    /// Returns the routing as a dict with aware datetimes. An invalid request
    /// raises `ValidationError` (`.errors` is the Open311 error array); a
    /// place no jurisdiction holds raises `RoutingError`. `now` (default: the
    /// current time) stands in for a missing `requested_datetime`.
    #[pyo3(signature = (request, now=None))]
    fn route<'py>(
        &self,
        py: Python<'py>,
        request: &Bound<'py, PyAny>,
        now: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let request = crate::open311::request_from_py(request)?;
        let now = match now {
            Some(t) => crate::time::from_py(t, "now")?.timestamp(),
            None => jiff::Timestamp::now(),
        };
        let routing = self.inner.route(&request, now).py_err(py)?;
        crate::route::to_dict(py, &routing)
    }

    /// An engine unpickled from bundle bytes; see `UNPICKLED`.
    #[staticmethod]
    fn _from_pickle(py: Python<'_>, data: &[u8]) -> PyResult<Engine> {
        let sum = xxhash_rust::xxh3::xxh3_64(data);
        let cached = |list: &mut Vec<(usize, u64, Arc<civic311::Engine>)>| {
            let i = list.iter().position(|(len, s, _)| *len == data.len() && *s == sum)?;
            let entry = list.remove(i);
            let engine = entry.2.clone();
            list.insert(0, entry);
            Some(engine)
        };
        if let Some(inner) = cached(&mut UNPICKLED.lock().unwrap_or_else(|e| e.into_inner())) {
            return Ok(Engine { inner });
        }
        let inner = Engine::from_bundle(py, data, None)?.inner;
        let mut list = UNPICKLED.lock().unwrap_or_else(|e| e.into_inner());
        list.insert(0, (data.len(), sum, inner.clone()));
        list.truncate(UNPICKLED_KEPT);
        Ok(Engine { inner })
    }

    /// Pickles as its bundle, so an engine can go to multiprocessing, Dask
    /// and Spark workers.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyBytes>,))> {
        let py = slf.py();
        let restore = py.get_type::<Engine>().getattr("_from_pickle")?;
        Ok((restore, (slf.get().to_bundle(py)?,)))
    }

    fn __repr__(&self) -> String {
        let model = if self.inner.classifier().is_some() { "trained" } else { "zero-shot" };
        format!(
            "<Engine {:?}: {} answers, {} classifier>",
            self.inner.catalog().name(),
            self.inner.answer_count(),
            model
        )
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Encoder>()?;
    m.add_class::<Engine>()
}

/// A reply of `Engine.answer` as a dict (answers as Answer objects).
pub(crate) fn reply_dict<'py>(py: Python<'py>, r: &civic311::Reply) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("answered", r.answered)?;
    d.set_item("confidence", r.confidence)?;
    let answers = PyList::empty(py);
    for a in &r.answers {
        answers.append(Answer { inner: a.clone() })?;
    }
    d.set_item("answers", answers)?;
    match &r.escalation {
        Some(e) => {
            let x = PyDict::new(py);
            x.set_item("department", &e.department)?;
            x.set_item("department_name", &e.department_name)?;
            x.set_item("service_code", &e.service_code)?;
            x.set_item("service_name", &e.service_name)?;
            x.set_item("classifier_score", e.classifier_score)?;
            let candidates = PyList::empty(py);
            for c in &e.candidates {
                let cd = PyDict::new(py);
                cd.set_item("department", &c.department)?;
                cd.set_item("score", c.score)?;
                candidates.append(cd)?;
            }
            x.set_item("candidates", candidates)?;
            x.set_item("reason", &e.reason)?;
            x.set_item("reply_within", &e.reply_within)?;
            match &e.reply_by {
                Some(t) => x.set_item("reply_by", crate::time::to_py(py, t)?)?,
                None => x.set_item("reply_by", py.None())?,
            }
            d.set_item("escalation", x)?;
        }
        None => d.set_item("escalation", py.None())?,
    }
    d.set_item("emergency", &r.emergency)?;
    let s = PyDict::new(py);
    s.set_item("coverage", r.signals.coverage)?;
    s.set_item("top_score", r.signals.top_score)?;
    s.set_item("runner_up", r.signals.runner_up)?;
    s.set_item("unknown", r.signals.unknown)?;
    s.set_item("words", r.signals.words)?;
    d.set_item("signals", s)?;
    Ok(d)
}

// The signatures above write the default threshold as 0.5 (a Python
// signature shows a literal, not a path): it must stay the library's.
const _: () = assert!(civic311::answer::DEFAULT_MIN_CONFIDENCE == 0.5);
