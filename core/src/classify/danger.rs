//! The learned half of the emergency triage: a classifier of "emergency or
//! not", trained on an engine's first triage from `core/data/triage-train.jsonl`
//! (480 texts written for it) and the catalog's phrasings. The rules of `triage.rs` know the common ways
//! of saying danger; the model catches the ones they miss ("my dad is
//! shaking on the floor and won't answer") and is the reason a text is
//! asked about rather than filed.

use super::{Classifier, TrainOptions};
use crate::catalog::Catalog;
use crate::error::Result;

/// `core/data/triage-train.jsonl` as build.rs writes it: a text a line,
/// marked `!` when it is an emergency.
const TRAINING: &str = include_str!(concat!(env!("OUT_DIR"), "/triage-train.txt"));

/// At or above this probability a text with no rule-found danger is asked
/// about; at or above [`SURE`], a tempered or weak rule finding becomes an
/// emergency. Chosen on the development sets `eval/riverton/triage.jsonl`
/// and `triage-heldout.jsonl` (`cargo bench -p civic311-benches --bench
/// classify_eval`).
pub(crate) const ASK: f32 = 0.5;
pub(crate) const SURE: f32 = 0.9;

/// Trains the detector: the training file's rows, and the catalog's own
/// phrasings and keywords as ordinary reports, so that the city's everyday
/// requests read as what they are.
pub(crate) fn train(catalog: &Catalog) -> Result<Classifier> {
    let mut rows: Vec<(String, &str)> = Vec::new();
    for line in TRAINING.lines() {
        rows.push(match line.strip_prefix('!') {
            Some(text) => (text.to_string(), "emergency"),
            None => (line.to_string(), "other"),
        });
    }
    for s in catalog.services() {
        rows.extend(s.phrasings.iter().map(|p| (p.clone(), "other")));
        rows.push((format!("{} {}", s.name, s.description), "other"));
    }
    // Note: the detector keeps the weak L2 it was measured with (issue 13);
    // the classifier's stronger default cost one held-out emergency
    // (filed silently instead of asked about).
    let options = TrainOptions { epochs: 16, l2: 1e-5, learning_rate: 0.05, ..TrainOptions::default() };
    Classifier::train(rows.iter().map(|(t, l)| (t.as_str(), *l)), &options)
}

/// The probability that a text describes an emergency now.
pub(crate) fn emergency_probability(model: &Classifier, text: &str) -> f32 {
    let p = model.probabilities(text);
    let i = model.labels().iter().position(|l| l == "emergency").unwrap_or(0);
    p[i]
}
