//! Answer or escalate: a resident's question gets the knowledge base's
//! answers when they are likely to answer it, and otherwise the name of
//! the department to ask, and why.
//!
//! The confidence is a probability, fitted on Riverton's questions: the
//! chance that one of the answers given answers the question. It comes
//! from how much of the question the best answer covers (each word
//! weighted by how rare it is in the catalog), how strong the best match
//! is, how far ahead of the runner-up it is, and how many words the
//! catalog has never seen. `docs/answer.md` has the calibration table and
//! the threshold's choice.
//!
//! ```
//! use civic311::{AnswerOptions, Catalog, Engine};
//!
//! let engine = Engine::build(Catalog::riverton()?)?;
//! let reply = engine.answer("how do i report a pothole", &AnswerOptions::default())?;
//! assert!(reply.answered);
//! assert_eq!(reply.answers[0].service_code.as_deref(), Some("ST-POTHOLE"));
//!
//! let reply = engine.answer("do I need a permit for a garage sale", &AnswerOptions::default())?;
//! assert!(!reply.answered);
//! let escalation = reply.escalation.expect("a department to ask");
//! assert_eq!(escalation.department.as_deref(), Some("permits"));
//! println!("{}", escalation.reason);
//! # Ok::<(), civic311::Error>(())
//! ```

use jiff::Timestamp;
use serde::Serialize;

use crate::analyzer::Language;
use crate::engine::Engine;
use crate::error::{Error, ErrorKind, Result};
use crate::route::SlaDuration;
use crate::search::{Answer, SearchOptions};
use crate::time::DateTime;

/// The confidence under which a question is escalated, by default: chosen
/// on the `dev` questions (see `docs/answer.md`).
pub const DEFAULT_MIN_CONFIDENCE: f32 = 0.5;

/// How long a department has to reply to an escalated question when the
/// catalog's `[slas]` does not say (`inquiry = "..."`).
pub const DEFAULT_INQUIRY_SLA: SlaDuration = SlaDuration::BusinessDays(2);

/// The fitted model: weights of coverage, ln(1 + top score), the runner-up's
/// share of the top score, and the share of words the catalog has never
/// seen; then the intercept. Refit with
/// `cargo run --release -p civic311-benches --bin answer_calibration -- --fit`.
const WEIGHTS: [f32; 5] = [3.461, 2.043, -1.002, -2.059, -6.592];

/// The weight of the departments' own words against the classifier's
/// categories when naming the department to ask (chosen on `dev`).
const PROFILE_WEIGHT: f32 = 2.0;

/// Options of [`Engine::answer`].
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerOptions {
    /// How many answers at most (default 3).
    pub limit: usize,
    /// The question's language ("en", "es"); detected when `None`.
    pub lang: Option<String>,
    /// Under this confidence (0 to 1) the question is escalated.
    pub min_confidence: f32,
    /// The time asked at, for facility hours and the reply's deadline; now when `None`.
    pub now: Option<Timestamp>,
}

impl Default for AnswerOptions {
    fn default() -> AnswerOptions {
        AnswerOptions { limit: 3, lang: None, min_confidence: DEFAULT_MIN_CONFIDENCE, now: None }
    }
}

/// What [`Engine::answer`] decided.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reply {
    /// Whether the answers are likely to answer the question.
    pub answered: bool,
    /// The estimated chance (0 to 1) that one of the answers answers it.
    pub confidence: f32,
    /// The best answers, best first. When the question is escalated they
    /// are still given: a call-taker may find a lead in them.
    pub answers: Vec<Answer>,
    /// Whom to ask instead, when not answered (and not an emergency).
    pub escalation: Option<Escalation>,
    /// For an emergency: what to tell the resident ("Call 911 now ...").
    /// Such a question is neither answered nor escalated.
    pub emergency: Option<String>,
    /// What the confidence was computed from.
    pub signals: Signals,
}

/// A question the knowledge base does not answer, and the department to ask.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Escalation {
    /// The department's id; `None` when no department is a likely fit
    /// (then a call-taker decides).
    pub department: Option<String>,
    pub department_name: Option<String>,
    /// The service category that led to the department.
    pub service_code: Option<String>,
    pub service_name: Option<String>,
    /// The classifier's probability for that category.
    pub classifier_score: f32,
    /// The likeliest departments, best first (at most 3), with their
    /// shares of the evidence: for a call-taker who reassigns it.
    pub candidates: Vec<Candidate>,
    /// Why, in words: "no answer covers it (confidence 0.12); Parks & Recreation handles 'Park maintenance' (classifier 0.41)".
    pub reason: String,
    /// How long the department has to reply (the catalog's `[slas] inquiry`,
    /// else two business days), and the deadline counted from the time asked
    /// on the department's calendar.
    pub reply_within: String,
    pub reply_by: Option<DateTime>,
}

/// A department that may know, with its share (0 to 1) of the evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    pub department: String,
    pub score: f32,
}

/// The measurements behind a confidence.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Signals {
    /// The share (0 to 1) of the question's words, weighted by rarity, that
    /// the best answer holds.
    pub coverage: f32,
    /// The best answer's score.
    pub top_score: f32,
    /// The runner-up's score over the best one's (0 when there is none).
    pub runner_up: f32,
    /// The share of the question's words that no answer holds or resembles.
    pub unknown: f32,
    /// How many words of the question were searched (stop words aside).
    pub words: u32,
}

impl Signals {
    /// The model's confidence: a logistic function of the signals.
    pub fn confidence(&self) -> f32 {
        if self.words == 0 || self.top_score <= 0.0 {
            return 0.0;
        }
        let [w_cov, w_score, w_runner, w_unknown, bias] = WEIGHTS;
        let z = bias
            + w_cov * self.coverage
            + w_score * self.top_score.ln_1p()
            + w_runner * self.runner_up
            + w_unknown * self.unknown;
        1.0 / (1.0 + (-z).exp())
    }
}

/// Each department's words, per language, for
/// [`departments_for`](Engine::departments_for): term frequencies and
/// lengths, scored with BM25.
pub(crate) struct Profiles {
    departments: Vec<String>,
    /// Per language: stem hash → (department index, term frequency).
    postings: [std::collections::HashMap<u64, Vec<(u32, u32)>>; 2],
    lengths: [Vec<f32>; 2],
    average: [f32; 2],
}

impl Profiles {
    fn new(engine: &Engine) -> Profiles {
        let departments: Vec<String> = engine.catalog.departments().iter().map(|d| d.id.clone()).collect();
        let index: std::collections::HashMap<&str, usize> =
            departments.iter().enumerate().map(|(i, d)| (d.as_str(), i)).collect();
        let mut counts: [Vec<std::collections::HashMap<u64, u32>>; 2] =
            [vec![Default::default(); departments.len()], vec![Default::default(); departments.len()]];
        for (slot, per_dept) in counts.iter_mut().enumerate() {
            let analyzer = &engine.analyzers[slot];
            let mut add = |d: usize, text: &str| {
                analyzer
                    .for_each_token(text, |t| *per_dept[d].entry(crate::search::stem_hash(&t.stem)).or_default() += 1);
            };
            for (d, dept) in engine.catalog.departments().iter().enumerate() {
                add(d, &dept.name);
                if let Some(text) = &dept.description {
                    add(d, text);
                }
            }
            for doc in &engine.docs {
                let Some(&d) = doc.department.as_deref().and_then(|d| index.get(d)) else { continue };
                let f = &doc.fields[slot];
                for text in f.title.iter().chain(&f.questions).chain(&f.keywords).chain(&f.body) {
                    add(d, text);
                }
            }
        }
        let mut postings: [std::collections::HashMap<u64, Vec<(u32, u32)>>; 2] = Default::default();
        let mut lengths: [Vec<f32>; 2] = Default::default();
        let mut average = [0.0f32; 2];
        for slot in 0..2 {
            for (d, terms) in counts[slot].iter().enumerate() {
                lengths[slot].push(terms.values().sum::<u32>() as f32);
                for (&h, &tf) in terms {
                    postings[slot].entry(h).or_default().push((d as u32, tf));
                }
            }
            let n = lengths[slot].len().max(1) as f32;
            average[slot] = (lengths[slot].iter().sum::<f32>() / n).max(1.0);
        }
        Profiles { departments, postings, lengths, average }
    }

    /// Each department's BM25 weight for one stem.
    fn score(&self, slot: usize, stem: u64) -> Vec<f32> {
        let mut out = vec![0.0f32; self.departments.len()];
        let Some(list) = self.postings[slot].get(&stem) else { return out };
        let n = self.departments.len() as f32;
        let df = list.len() as f32;
        let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
        let (k1, b) = (1.2f32, 0.75f32);
        for &(d, tf) in list {
            let tf = tf as f32;
            let norm = k1 * (1.0 - b + b * self.lengths[slot][d as usize] / self.average[slot]);
            out[d as usize] = idf * tf * (k1 + 1.0) / (tf + norm);
        }
        out
    }
}

impl Engine {
    /// Answers a question, or says whom to ask.
    ///
    /// The answers come from [`search`](Engine::search); the confidence says
    /// how likely they are to answer it. Under `options.min_confidence` the
    /// reply is an [`Escalation`]: the department the classifier names for
    /// the question, why, and by when it should reply. A question that reads
    /// as an emergency gets 911's advice instead of either.
    pub fn answer(&self, question: &str, options: &AnswerOptions) -> Result<Reply> {
        if !(0.0..=1.0).contains(&options.min_confidence) {
            return Err(Error::new(
                ErrorKind::Query,
                format!("min_confidence is {}; give a number from 0 to 1", options.min_confidence),
            ));
        }
        let search = SearchOptions {
            limit: options.limit.max(2),
            lang: options.lang.clone(),
            now: options.now,
            ..SearchOptions::default()
        };
        let rankings = self.rankings(question, &search)?;
        // The confidence was fitted on the lexical ranking's signals (BM25
        // scores): a hybrid engine's is still computed on that ranking,
        // whose order it knows, while the answers shown are the hybrid ones.
        let signals = match &rankings {
            Some(r) => self.signals(&r.analyzed, &r.lexical[..r.lexical.len().min(search.limit)]),
            None => Signals::default(),
        };
        let confidence = signals.confidence();
        let mut answers = match rankings {
            Some(r) => self.answers(&r.analyzed, r.ranked, &search),
            None => Vec::new(),
        };
        answers.truncate(options.limit);
        if let Some(advice) = self.emergency(question)? {
            return Ok(Reply {
                answered: false,
                confidence,
                answers: Vec::new(),
                escalation: None,
                emergency: Some(advice),
                signals,
            });
        }
        let answered = confidence >= options.min_confidence && !answers.is_empty();
        let escalation = if answered { None } else { Some(self.escalation(question, confidence, options)?) };
        Ok(Reply { answered, confidence, answers, escalation, emergency: None, signals })
    }

    /// The signals of a ranking: about its best answer, against the query.
    fn signals(&self, analyzed: &crate::search::AnalyzedQuery, ranked: &[(f32, usize)]) -> Signals {
        let Some(&(top, ord)) = ranked.first() else {
            let words = analyzed.langs.iter().map(|l| l.typed_words()).max().unwrap_or(0);
            return Signals { words: words as u32, unknown: if words > 0 { 1.0 } else { 0.0 }, ..Signals::default() };
        };
        let runner_up = ranked.get(1).map(|(s, _)| if top > 0.0 { s / top } else { 0.0 }).unwrap_or(0.0);
        let total = self.index.num_docs() as f32;
        let idf = |df: u32| (1.0 + total / (df as f32 + 0.5)).ln();
        // The best reading of the query (English or Spanish, when both were tried).
        let mut best = Signals { top_score: top, runner_up, ..Signals::default() };
        let mut best_coverage = -1.0;
        for lq in &analyzed.langs {
            let slot = Language::ALL.iter().position(|l| *l == lq.lang).unwrap_or(0);
            let vocabulary = &self.index.vocabulary[slot];
            let held = self.doc_stems(ord, slot);
            let (mut matched, mut weight) = (0.0f32, 0.0f32);
            for g in lq.groups.iter().filter(|g| g.typed) {
                let w = g.alternatives.first().map(|(s, _)| idf(vocabulary.doc_freq(s))).unwrap_or(0.0);
                weight += w;
                if g.alternatives.iter().any(|(s, _)| held.binary_search(&crate::search::stem_hash(s)).is_ok()) {
                    matched += w;
                }
            }
            weight += lq.unknown as f32 * idf(0);
            let coverage = if weight > 0.0 { matched / weight } else { 0.0 };
            if coverage > best_coverage {
                best_coverage = coverage;
                let words = lq.typed_words();
                best.coverage = coverage;
                best.words = words as u32;
                best.unknown = if words > 0 { lq.unknown as f32 / words as f32 } else { 0.0 };
            }
        }
        best
    }

    fn escalation(&self, question: &str, confidence: f32, options: &AnswerOptions) -> Result<Escalation> {
        // Two opinions, added: the classifier's categories, summed by the
        // department that delivers them, and the departments' own words
        // (BM25 against each department's name, description and answers).
        // The profiles' weight was chosen on the dev questions (docs/answer.md).
        let suggestions = self.classify(question, 20)?;
        let mut votes: std::collections::HashMap<String, f32> = std::collections::HashMap::new();
        for s in &suggestions {
            if let Some(d) = s.department.as_deref().filter(|d| self.catalog.department(d).is_some()) {
                *votes.entry(d.to_string()).or_default() += s.score;
            }
        }
        for (d, share) in self.departments_for(question, usize::MAX)? {
            *votes.entry(d).or_default() += PROFILE_WEIGHT * share;
        }
        let total: f32 = votes.values().sum();
        let mut candidates: Vec<(String, f32)> =
            votes.into_iter().map(|(d, v)| (d, if total > 0.0 { v / total } else { 0.0 })).collect();
        candidates.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        candidates.truncate(3);
        let department = candidates.first().map(|(d, _)| d.clone());
        let dept = department.as_deref().and_then(|d| self.catalog.department(d));
        // The category that speaks for the department: its likeliest one.
        let pick = suggestions.iter().find(|s| s.department.is_some() && s.department == department);
        let within = self.catalog.service_levels().inquiry().unwrap_or(DEFAULT_INQUIRY_SLA);
        let now = options.now.unwrap_or_else(Timestamp::now);
        let reply_by = dept.and_then(|d| self.inquiry_deadline(d, within, now));
        let why = if confidence > 0.0 {
            format!("no answer covers it well (confidence {confidence:.2})")
        } else {
            "no article answers it".to_string()
        };
        let share = candidates.first().map(|(_, s)| *s).unwrap_or(0.0);
        let reason = match (dept, pick) {
            (Some(d), Some(s)) => format!(
                "{why}; {} handles '{}' (classifier {:.2}; department {:.2})",
                d.name,
                s.service_name.as_deref().unwrap_or(&s.service_code),
                s.score,
                share
            ),
            (Some(d), None) => format!("{why}; it reads closest to what {} does (department {share:.2})", d.name),
            _ => format!("{why}; no department is a likely fit, so a call-taker should decide"),
        };
        Ok(Escalation {
            department,
            department_name: dept.map(|d| d.name.clone()),
            service_code: pick.map(|s| s.service_code.clone()),
            service_name: pick.and_then(|s| s.service_name.clone()),
            classifier_score: pick.map(|s| s.score).unwrap_or(0.0),
            candidates: candidates.into_iter().map(|(department, score)| Candidate { department, score }).collect(),
            reason,
            reply_within: within.to_string(),
            reply_by,
        })
    }

    /// When a department should reply to a question asked at `at`: on its
    /// calendar; a business duration without a calendar counts as days.
    pub fn inquiry_deadline(
        &self,
        department: &crate::catalog::Department,
        within: SlaDuration,
        at: Timestamp,
    ) -> Option<DateTime> {
        let calendar = department.calendar.as_deref().and_then(|c| self.catalog.calendar(c));
        let fallback_tz = self.catalog.calendars().first().map(|c| c.tz()).unwrap_or(jiff::tz::TimeZone::UTC);
        let within = match (within, calendar) {
            (SlaDuration::BusinessDays(n), None) => SlaDuration::Days(n),
            (SlaDuration::BusinessHours(n), None) => SlaDuration::Hours(n),
            (d, _) => d,
        };
        crate::route::deadline(within, at, calendar, &fallback_tz).map(|z| DateTime::from_zoned(&z))
    }

    /// The departments most likely to know about a question, best first, at
    /// most `limit`, with scores that sum to 1 over the departments listed.
    ///
    /// Each department is known by its name and description and by every
    /// answer it owns (articles, services, facilities); the question's
    /// words are weighed against them as BM25 weighs them against
    /// documents, with the catalog's synonyms and typo corrections.
    ///
    /// ```
    /// use civic311::{Catalog, Engine};
    ///
    /// let engine = Engine::build(Catalog::riverton()?)?;
    /// let departments = engine.departments_for("who trims the branches over the street", 3)?;
    /// assert_eq!(departments[0].0, "forestry");
    /// # Ok::<(), civic311::Error>(())
    /// ```
    pub fn departments_for(&self, question: &str, limit: usize) -> Result<Vec<(String, f32)>> {
        let analyzed = crate::search::analyze(question, None, &self.analyzers, &self.synonyms, &self.index);
        let profiles = self.profiles.get_or_init(|| Profiles::new(self));
        let mut scores = vec![0.0f32; profiles.departments.len()];
        for lq in &analyzed.langs {
            let slot = Language::ALL.iter().position(|l| *l == lq.lang).unwrap_or(0);
            for g in &lq.groups {
                // The best alternative of each group counts, per department.
                let mut best = vec![0.0f32; scores.len()];
                for (stem, weight) in &g.alternatives {
                    let h = crate::search::stem_hash(stem);
                    for (d, s) in profiles.score(slot, h).into_iter().enumerate() {
                        best[d] = best[d].max(s * weight);
                    }
                }
                for (total, b) in scores.iter_mut().zip(best) {
                    *total += b;
                }
            }
        }
        let sum: f32 = scores.iter().sum();
        let mut ranked: Vec<(String, f32)> = profiles
            .departments
            .iter()
            .cloned()
            .zip(scores)
            .filter(|(_, s)| *s > 0.0)
            .map(|(d, s)| (d, s / sum))
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(limit);
        Ok(ranked)
    }

    /// What a question asks, as a key that groups its wordings: its stems
    /// (in its detected language, English when it cannot be told), each
    /// misspelling corrected to a word the catalog knows when one is near,
    /// sorted, without repeats. "Potholes on Maple?" and "maple pothole"
    /// share a key.
    ///
    /// ```
    /// use civic311::{Catalog, Engine};
    ///
    /// let engine = Engine::build(Catalog::riverton()?)?;
    /// assert_eq!(engine.question_key("Potholes on Maple?"), engine.question_key("maple potole"));
    /// # Ok::<(), civic311::Error>(())
    /// ```
    pub fn question_key(&self, question: &str) -> String {
        let text = crate::search::truncate_query(question, crate::search::MAX_QUERY_BYTES);
        let lang = crate::analyzer::detect_language(text).unwrap_or(Language::English);
        let slot = Language::ALL.iter().position(|l| *l == lang).unwrap_or(0);
        let vocabulary = &self.index.vocabulary[slot];
        let mut stems: Vec<String> = self.analyzers[slot]
            .stems(text)
            .into_iter()
            .map(|s| {
                if vocabulary.contains(&s) {
                    return s;
                }
                vocabulary.corrections(&s, 1).into_iter().next().map(|c| c.stem).unwrap_or(s)
            })
            .collect();
        stems.sort();
        stems.dedup();
        stems.join(" ")
    }

    /// The sorted stem hashes an answer holds in one language (all its fields).
    fn doc_stems(&self, ord: usize, slot: usize) -> &[u64] {
        self.doc_stems[ord][slot].get_or_init(|| {
            let f = &self.docs[ord].fields[slot];
            let mut hashes = Vec::new();
            for text in f.title.iter().chain(&f.questions).chain(&f.keywords).chain(&f.body) {
                self.analyzers[slot].for_each_token(text, |t| hashes.push(crate::search::stem_hash(&t.stem)));
            }
            hashes.sort_unstable();
            hashes.dedup();
            hashes
        })
    }
}
