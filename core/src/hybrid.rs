//! Hybrid ranking: the lexical (BM25) ranking and the sentence encoder's
//! (cosine) ranking, fused. See docs/search.md, "Hybrid ranking".

#[cfg(feature = "encoder")]
use std::sync::Arc;

use crate::analyzer::Language;
#[cfg(feature = "encoder")]
use crate::encoder::{Encoder, Vectors};
use crate::engine::Engine;
use crate::error::Result;
#[cfg(feature = "encoder")]
use crate::search::AnswerDoc;
use crate::search::{AnalyzedQuery, AnswerKind, SearchOptions};

/// The fusion, fitted on the Quebec FAQ's `dev` questions and Riverton's
/// golden questions (`benches/src/bin/hybrid_eval.rs --fit`): an answer's
/// score is its best cosine with the question plus this weight times its
/// BM25 score over the best BM25 score of the search.
pub(crate) const LEXICAL_WEIGHT: f32 = 0.15;
/// An answer no word of the question matched is kept only when its cosine
/// reaches this (a question of unknown words still finds its answer; noise
/// finds nothing). MRR@5 is flat from 0 to 0.5 on the fitting sets, so the
/// floor is set for that behaviour, not fitted.
pub(crate) const DENSE_FLOOR: f32 = 0.40;

/// The fusion's constants (`LEXICAL_WEIGHT`, `DENSE_FLOOR`), for the calibration bench.
#[doc(hidden)]
pub fn hybrid_constants() -> (f32, f32) {
    (LEXICAL_WEIGHT, DENSE_FLOOR)
}

/// One answer's two scores before fusion, for the calibration bench.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct HybridCandidate {
    /// `kind:id`, as the golden sets write answers.
    pub key: String,
    /// BM25 (with the hours lift) over the search's best; 0 when no word matched.
    pub lexical: f32,
    /// The best cosine of the question with the answer's vectors.
    pub cosine: f32,
    /// Whether the question reads as English (the others rank lexically).
    pub english: bool,
}

impl Engine {
    /// Builds the engine of a catalog with a sentence encoder: every answer
    /// gets vectors (its title, each of its questions, its title with its
    /// text) and searches rank by words and meaning together.
    ///
    /// ```no_run
    /// use civic311::{Catalog, Encoder, Engine, SearchOptions};
    ///
    /// let engine = Engine::build_with(Catalog::riverton()?, Encoder::load("models/all-minilm-l6-v2")?)?;
    /// let best = &engine.search("raccoon acting strange in my yard during the day", &SearchOptions::default())?[0];
    /// assert_eq!(best.id, "AN-WILDLIFE");
    /// # Ok::<(), civic311::Error>(())
    /// ```
    #[cfg(feature = "encoder")]
    pub fn build_with(catalog: crate::Catalog, encoder: impl Into<Arc<Encoder>>) -> Result<Engine> {
        Ok(Engine::build(catalog)?.with_encoder(encoder))
    }

    /// The engine with a sentence encoder attached. Answer vectors already
    /// present (from a bundle) are kept when the same encoder made them
    /// ([`Encoder::fingerprint`]); otherwise they are computed now.
    #[cfg(feature = "encoder")]
    pub fn with_encoder(mut self, encoder: impl Into<Arc<Encoder>>) -> Engine {
        let encoder = encoder.into();
        let current = self.vectors.as_ref().is_some_and(|v| v.fingerprint == encoder.fingerprint());
        if !current {
            self.vectors = Some(Arc::new(answer_vectors(&self.docs, &encoder)));
        }
        self.encoder = Some(encoder);
        self
    }

    /// The sentence encoder searches use, if one is attached.
    #[cfg(feature = "encoder")]
    pub fn encoder(&self) -> Option<&Encoder> {
        self.encoder.as_deref()
    }

    /// Whether searches are hybrid: an encoder is attached and the answers
    /// have its vectors.
    pub fn is_hybrid(&self) -> bool {
        #[cfg(feature = "encoder")]
        return self.encoder.is_some() && self.vectors.is_some();
        #[cfg(not(feature = "encoder"))]
        false
    }

    /// Both scores of every candidate answer (the lexical hits and the
    /// nearest answers by cosine), unfused; empty without an encoder.
    #[doc(hidden)]
    pub fn hybrid_candidates(&self, query: &str, options: &SearchOptions) -> Result<Vec<HybridCandidate>> {
        let lang = self.check_options(options)?;
        if options.limit == 0 {
            return Ok(Vec::new());
        }
        let analyzed = crate::search::analyze(query, lang, &self.analyzers, &self.synonyms, &self.index);
        let lexical = self.lexical_hits(&analyzed, options, lang)?.unwrap_or_default();
        let english = analyzed.answer_lang == Language::English;
        let Some(cosines) = self.cosines(query, options, lang) else { return Ok(Vec::new()) };
        let lex = self.shares(&lexical);
        Ok(candidates(&cosines, &lexical, (options.limit * 3).max(20))
            .into_iter()
            .map(|ord| HybridCandidate {
                key: format!("{}:{}", self.docs[ord].kind.as_str(), self.docs[ord].id),
                lexical: lex[ord],
                cosine: cosines[ord],
                english,
            })
            .collect())
    }

    /// Each answer's best cosine with the query (`NEG_INFINITY` for answers
    /// the options, already checked, filter out), or `None` when the engine
    /// is not hybrid or the query has no words.
    #[cfg(feature = "encoder")]
    pub(crate) fn cosines(&self, query: &str, options: &SearchOptions, lang: Option<Language>) -> Option<Vec<f32>> {
        let (Some(encoder), Some(vectors)) = (&self.encoder, &self.vectors) else { return None };
        let text = crate::search::truncate_query(query, crate::search::MAX_QUERY_BYTES);
        if !text.chars().any(char::is_alphanumeric) {
            return None;
        }
        let q = encoder.encode(text);
        let mut best = vec![f32::NEG_INFINITY; self.docs.len()];
        let allowed: Vec<bool> = self.docs.iter().map(|d| admits(d, options, lang)).collect();
        vectors.cosines(&q, |i, c| {
            let o = vectors.owners[i] as usize;
            if o < best.len() && allowed[o] && c > best[o] {
                best[o] = c;
            }
        });
        Some(best)
    }

    /// Without the `encoder` feature no question is encoded: `None`.
    #[cfg(not(feature = "encoder"))]
    pub(crate) fn cosines(&self, _: &str, _: &SearchOptions, _: Option<Language>) -> Option<Vec<f32>> {
        None
    }

    /// Each answer's BM25 score over the search's best (0 for answers no
    /// word matched), by ordinal.
    fn shares(&self, lexical: &[(f32, usize)]) -> Vec<f32> {
        let top = lexical.first().map_or(0.0, |(s, _)| *s);
        let mut lex = vec![0f32; self.docs.len()];
        for (s, ord) in lexical {
            lex[*ord] = if top > 0.0 { s / top } else { 0.0 };
        }
        lex
    }

    /// The lexical ranking (`fetched`, best first, scores with the hours
    /// lift) fused with the cosines; at most `limit` answers.
    pub(crate) fn fuse(
        &self,
        analyzed: &AnalyzedQuery,
        lexical: &[(f32, usize)],
        cosines: &[f32],
        limit: usize,
    ) -> Vec<(f32, usize)> {
        let lex = self.shares(lexical);
        let hours = analyzed.asks_hours;
        let mut fused: Vec<(f32, usize)> = candidates(cosines, lexical, (limit * 3).max(20))
            .into_iter()
            .filter(|ord| lex[*ord] > 0.0 || cosines[*ord] >= DENSE_FLOOR)
            .map(|ord| {
                let mut score = cosines[ord].max(0.0) + LEXICAL_WEIGHT * lex[ord];
                // A question about hours lifts facilities, as the lexical ranking does.
                if hours && lex[ord] == 0.0 && self.docs[ord].kind == AnswerKind::Facility {
                    score *= crate::engine::HOURS_BOOST;
                }
                (score, ord)
            })
            .collect();
        fused.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        fused.truncate(limit);
        fused
    }
}

/// The lexical hits and the `k` answers nearest by cosine, once each.
fn candidates(cosines: &[f32], lexical: &[(f32, usize)], k: usize) -> Vec<usize> {
    let mut nearest: Vec<usize> = (0..cosines.len()).filter(|o| cosines[*o].is_finite()).collect();
    if nearest.len() > k {
        nearest.select_nth_unstable_by(k, |a, b| cosines[*b].total_cmp(&cosines[*a]));
        nearest.truncate(k);
    }
    let mut out: Vec<usize> =
        lexical.iter().map(|(_, o)| *o).filter(|o| cosines.get(*o).is_some_and(|c| c.is_finite())).collect();
    for o in nearest {
        if !out.contains(&o) {
            out.push(o);
        }
    }
    out
}

/// Whether the search's filters (language, kinds, department) admit an answer.
#[cfg(feature = "encoder")]
fn admits(doc: &AnswerDoc, options: &SearchOptions, lang: Option<Language>) -> bool {
    if let Some(l) = lang
        && doc.lang.is_some_and(|d| d != l)
    {
        return false;
    }
    if !options.kinds.is_empty() && !options.kinds.contains(&doc.kind) {
        return false;
    }
    if let Some(d) = &options.department
        && doc.department.as_deref() != Some(d.as_str())
    {
        return false;
    }
    true
}

/// The texts an answer is known by, each encoded: its title, each of its
/// questions (other phrasings), and its title with its text.
#[cfg(feature = "encoder")]
fn answer_texts(doc: &AnswerDoc) -> Vec<String> {
    let slot = doc.lang.map_or(0, |l| Language::ALL.iter().position(|x| *x == l).unwrap_or(0));
    let f = &doc.fields[slot];
    let mut texts = vec![doc.title.clone()];
    texts.extend(f.questions.iter().filter(|q| !q.trim().is_empty()).cloned());
    texts.push(format!("{}. {}", doc.title, doc.body));
    texts
}

/// Every answer's vectors, encoded on every core (natively).
#[cfg(feature = "encoder")]
pub(crate) fn answer_vectors(docs: &[AnswerDoc], encoder: &Encoder) -> Vectors {
    let jobs: Vec<(u32, String)> = docs
        .iter()
        .enumerate()
        .flat_map(|(ord, d)| answer_texts(d).into_iter().map(move |t| (ord as u32, t)))
        .collect();
    let encoded = encode_all(encoder, &jobs);
    let mut vectors = Vectors::new(encoder.dim(), encoder.fingerprint());
    for ((owner, _), v) in jobs.iter().zip(encoded) {
        vectors.push(*owner, &v);
    }
    vectors
}

#[cfg(feature = "encoder")]
#[cfg(not(target_arch = "wasm32"))]
fn encode_all(encoder: &Encoder, jobs: &[(u32, String)]) -> Vec<Vec<f32>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(jobs.len().max(1));
    let chunk = jobs.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = jobs
            .chunks(chunk)
            .map(|part| (part.len(), s.spawn(move || part.iter().map(|(_, t)| encoder.encode(t)).collect::<Vec<_>>())))
            .collect();
        // Note: encode does not panic; were a thread to, its texts would get
        // zero vectors (never matched) rather than shift the others'.
        handles.into_iter().flat_map(|(n, h)| h.join().unwrap_or_else(|_| vec![vec![0.0; encoder.dim()]; n])).collect()
    })
}

#[cfg(feature = "encoder")]
#[cfg(target_arch = "wasm32")]
fn encode_all(encoder: &Encoder, jobs: &[(u32, String)]) -> Vec<Vec<f32>> {
    jobs.iter().map(|(_, t)| encoder.encode(t)).collect()
}
