//! Classification and triage of residents' free text.
//!
//! - **Zero-shot**: with no training data, [`Engine::classify`](crate::Engine::classify)
//!   ranks the catalog's categories with a model trained on everything the
//!   catalog says about them: names, descriptions, keywords, residents'
//!   phrasings, and the titles and questions of their articles. Its
//!   temperature is fitted on the catalog's own held-out phrasings, so its
//!   probabilities are calibrated without any labelled history.
//! - **Trained**: [`Classifier::train`] learns from a city's labelled
//!   history (hundreds to millions of rows): softmax regression over hashed
//!   word and character n-grams, with balanced class weights; attach it
//!   with [`Engine::set_classifier`](crate::Engine::set_classifier) and
//!   `classify` uses it.
//! - **Triage**: [`Engine::triage`](crate::Engine::triage) tells a report
//!   from a question, and sends emergencies (fire, a gas smell, someone hurt,
//!   a crime in progress, a downed power line, a person or animal in danger)
//!   to 911 instead of filing them.
//!
//! ```
//! use civic311::{Catalog, Engine};
//!
//! let engine = Engine::build(Catalog::riverton()?)?;
//! let s = engine.classify("car with no plates parked in front of my house for two weeks", 3)?;
//! assert_eq!(s[0].service_code, "VH-ABANDONED");
//! assert_eq!(s[0].department.as_deref(), Some("parking"));
//! # Ok::<(), civic311::Error>(())
//! ```

pub(crate) mod cues;
mod danger;
mod features;
mod model;
mod persist;
mod triage;

pub use features::{FeatureSpec, MAX_TEXT_BYTES, SparseVec};
pub use model::{Classifier, TrainOptions};
pub use persist::{MODEL_MAGIC, MODEL_VERSION};
pub use triage::{Triage, TriageKind};

use triage::Danger;

use serde::Serialize;

use std::sync::Arc;

use crate::catalog::Catalog;
use crate::engine::Engine;
use crate::error::{Error, ErrorKind, Result};

/// A category suggested for a text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// The service code (or, for a model trained on another taxonomy, its label).
    pub service_code: String,
    /// The service's name, when the catalog knows the code.
    pub service_name: Option<String>,
    /// The department that delivers it, when the catalog knows the code.
    pub department: Option<String>,
    /// The probability of this category; over all categories they sum to 1.
    pub score: f32,
}

impl Suggestion {
    pub(crate) fn new(catalog: &Catalog, code: String, score: f32) -> Suggestion {
        let service = catalog.service(&code);
        Suggestion {
            service_name: service.map(|s| s.name.clone()),
            department: service.map(|s| s.department.clone()),
            service_code: code,
            score,
        }
    }
}

/// The training rows of the zero-shot model: what the catalog says about
/// each service residents may request.
pub(crate) fn catalog_examples(catalog: &Catalog) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    for s in catalog.services().iter().filter(|s| !s.staff_only) {
        let code = s.code.clone();
        rows.push((s.name.clone(), code.clone()));
        rows.push((format!("{} {}", s.name, s.description), code.clone()));
        rows.extend(s.keywords.iter().map(|k| (k.clone(), code.clone())));
        rows.extend(s.phrasings.iter().map(|p| (p.clone(), code.clone())));
        for a in s.articles.iter().filter_map(|id| catalog.article(id)) {
            // Only articles about this one service teach its words; an
            // article that explains several would blur them.
            if a.services.len() == 1 {
                rows.push((a.title.clone(), code.clone()));
                rows.extend(a.questions.iter().map(|q| (q.clone(), code.clone())));
            }
        }
    }
    rows
}

/// The zero-shot model of a catalog.
pub(crate) fn zero_shot(catalog: &Catalog) -> crate::Result<Classifier> {
    let rows = catalog_examples(catalog);
    let options = TrainOptions { epochs: 10, ..TrainOptions::default() };
    Classifier::train(rows.iter().map(|(t, l)| (t.as_str(), l.as_str())), &options)
}

/// The most categories one call suggests.
pub const MAX_SUGGESTIONS: usize = 100;

impl Engine {
    /// Attaches a classifier trained on the city's history: `classify` and
    /// `triage` use it instead of the zero-shot model, and bundles carry it.
    pub fn set_classifier(&mut self, classifier: Classifier) {
        self.trained = Some(Arc::new(classifier));
    }

    /// The attached trained classifier, if any.
    pub fn classifier(&self) -> Option<&Classifier> {
        self.trained.as_deref()
    }

    /// The model `classify` uses: the trained one, else the zero-shot one
    /// (trained from the catalog on first use).
    fn model(&self) -> Result<Arc<Classifier>> {
        if let Some(m) = &self.trained {
            return Ok(m.clone());
        }
        self.zero_shot
            .get_or_init(|| {
                zero_shot(&self.catalog).map(Arc::new).map_err(|e| {
                    Error::new(ErrorKind::Model, format!("the catalog cannot train a zero-shot model: {e}"))
                })
            })
            .clone()
    }

    /// The `k` most likely categories of a resident's text, with
    /// probabilities (over all categories they sum to 1).
    pub fn classify(&self, text: &str, k: usize) -> Result<Vec<Suggestion>> {
        Ok(self.classify_batch(&[text], k)?.pop().unwrap_or_default())
    }

    /// [`classify`](Engine::classify) for many texts, reusing buffers; a
    /// batch of 512 texts or more is shared among the machine's cores.
    pub fn classify_batch<S: AsRef<str>>(&self, texts: &[S], k: usize) -> Result<Vec<Vec<Suggestion>>> {
        if k > MAX_SUGGESTIONS {
            return Err(Error::new(
                ErrorKind::Query,
                format!("k = {k} is too large; ask for at most {MAX_SUGGESTIONS} categories"),
            ));
        }
        // A catalog of one category (or none: a folder of articles) has
        // nothing to tell apart: its only category, certain, or nothing.
        if self.trained.is_none() && self.catalog.services().len() < 2 {
            let only = self.catalog.services().first().filter(|_| k > 0);
            return Ok(texts
                .iter()
                .map(|_| only.map(|s| vec![Suggestion::new(&self.catalog, s.code.clone(), 1.0)]).unwrap_or_default())
                .collect());
        }
        let model = self.model()?;
        Ok(model
            .predict_top_batch(texts.iter().map(AsRef::as_ref), k)
            .into_iter()
            .map(|top| top.into_iter().map(|(code, score)| Suggestion::new(&self.catalog, code, score)).collect())
            .collect())
    }

    /// Whether a text is an emergency for 911, a report (with its likely
    /// categories) or a question (with answers).
    ///
    /// ```
    /// use civic311::{Catalog, Engine};
    /// use civic311::classify::TriageKind;
    ///
    /// let engine = Engine::build(Catalog::riverton()?)?;
    /// assert_eq!(engine.triage("I smell gas in my basement")?.kind, TriageKind::Emergency);
    /// assert_eq!(engine.triage("the fire hydrant on 5th is leaking")?.kind, TriageKind::Report);
    /// assert_eq!(engine.triage("when is bulky item pickup?")?.kind, TriageKind::Question);
    /// # Ok::<(), civic311::Error>(())
    /// ```
    pub fn triage(&self, text: &str) -> Result<Triage> {
        let suggestions = self.classify(text, 3)?;
        let DangerReading { assessment, level, probability: p, mut reasons } = self.danger_reading(text)?;
        let spanish = || crate::analyzer::detect_language(text) == Some(crate::analyzer::Language::Spanish);
        if level == Danger::Emergency {
            let advice = emergency_advice(text, &reasons);
            return Ok(Triage {
                kind: TriageKind::Emergency,
                possible_emergency: false,
                emergency_probability: p,
                advice: Some(advice),
                reasons,
                suggestions,
                answers: Vec::new(),
            });
        }
        let possible_emergency = level == Danger::Possible;
        let advice = possible_emergency.then(|| {
            if spanish() {
                "Si alguien está en peligro ahora mismo, llame al 911. Si no, podemos tramitar su solicitud."
                    .to_string()
            } else {
                "If anyone is in danger right now, call 911. Otherwise we can take your request.".to_string()
            }
        });
        if possible_emergency
            && assessment.danger == Danger::Possible
            && let Some(t) = assessment.tempered_by
        {
            reasons.push(t.to_string());
        }
        let (kind, answers) = if triage::is_question(&*self.triage_tables()?, text) {
            (TriageKind::Question, self.search(text, &crate::search::SearchOptions { limit: 3, ..Default::default() })?)
        } else {
            (TriageKind::Report, Vec::new())
        };
        Ok(Triage { kind, possible_emergency, emergency_probability: p, advice, reasons, suggestions, answers })
    }

    /// The rules and the learned detector together: how dangerous a text
    /// reads, and why.
    fn danger_reading(&self, text: &str) -> Result<DangerReading> {
        let assessment = triage::assess(&*self.triage_tables()?, text);
        let mut reasons: Vec<String> = assessment.reasons.clone();
        // The learned detector: a sure reading makes a weak or tempered
        // finding an emergency; a likely one makes an unflagged text a
        // possible emergency.
        let detector = self.danger.get_or_init(|| danger::train(&self.catalog)).as_ref().map_err(Clone::clone)?;
        let probability = danger::emergency_probability(detector, text);
        let mut level = assessment.danger;
        if level == Danger::Possible && probability >= danger::SURE {
            level = Danger::Emergency;
            reasons.push("reads like an emergency".into());
        } else if level == Danger::None && probability >= danger::ASK {
            level = Danger::Possible;
            reasons.push("reads like an emergency".into());
        }
        Ok(DangerReading { assessment, level, probability, reasons })
    }

    /// The triage's cue tables: the library's and the catalog's own.
    fn triage_tables(&self) -> Result<std::sync::Arc<cues::Tables>> {
        self.triage_cues.get_or_init(|| cues::with_local(&self.catalog.triage)).clone()
    }

    /// For a text that reads as an emergency, what triage tells the
    /// resident ("Call 911 now ..."); `None` otherwise. Triage's first step
    /// alone, without its categories or answers.
    pub(crate) fn emergency(&self, text: &str) -> Result<Option<String>> {
        let reading = self.danger_reading(text)?;
        Ok((reading.level == Danger::Emergency).then(|| emergency_advice(text, &reading.reasons)))
    }
}

/// What [`Engine::danger_reading`] found.
struct DangerReading {
    assessment: triage::Assessment,
    level: Danger,
    probability: f32,
    reasons: Vec<String>,
}

/// The advice for an emergency, in the text's language.
fn emergency_advice(text: &str, reasons: &[String]) -> String {
    if crate::analyzer::detect_language(text) == Some(crate::analyzer::Language::Spanish) {
        format!(
            "Llame al 911 ahora: esto parece una emergencia ({}). El 311 no atiende emergencias.",
            reasons.join(", ")
        )
    } else {
        format!(
            "Call 911 now: this sounds like an emergency ({}). 311 does not handle emergencies.",
            reasons.join(", ")
        )
    }
}
