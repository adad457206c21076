//! Text to sparse features: the shared analyzer's stems and stem pairs, and
//! character n-grams of the folded words (which survive misspellings),
//! hashed into a fixed number of buckets, weighted by tf-idf and scaled to
//! unit length.

use unicode_segmentation::UnicodeSegmentation;
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::analyzer::{Analyzer, Language, StemCache, detect_language, fold_into};

/// How features are cut from text. Part of a saved model: a model only
/// reads features cut the way it was trained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeatureSpec {
    /// log2 of the number of hash buckets.
    pub bits: u8,
    /// Character n-grams from `char_min` to `char_max` (0 turns them off).
    pub char_min: u8,
    pub char_max: u8,
    /// Whether pairs of neighbouring stems are features too.
    pub word_bigrams: bool,
}

impl Default for FeatureSpec {
    fn default() -> Self {
        FeatureSpec { bits: 18, char_min: 2, char_max: 5, word_bigrams: true }
    }
}

impl FeatureSpec {
    pub fn buckets(&self) -> usize {
        1usize << self.bits
    }
}

/// A sparse vector: bucket indexes, each once, with their values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseVec {
    pub index: Vec<u32>,
    pub value: Vec<f32>,
}

/// Characters of text read for features: complaints are short, and a pasted
/// novel is classified by its beginning.
pub const MAX_TEXT_BYTES: usize = 4096;

const SEED_WORD: u64 = 0x5157_0001;
const SEED_BIGRAM: u64 = 0x5157_0002;
const SEED_CHAR: u64 = 0x5157_0003;

/// Cuts features from texts, reusing its buffers between calls.
pub(crate) struct Featurizer {
    spec: FeatureSpec,
    analyzers: [Analyzer; 2],
    /// Stems already computed, per language: complaints repeat their words.
    caches: [StemCache; 2],
    /// The bucket of every feature occurrence of the current text.
    hashes: Vec<u32>,
    /// Counts by bucket, all zero between calls of `counts` (allocated on
    /// its first call: prediction does not need it).
    table: Vec<u32>,
    /// Reused by `row_counts`: the model rows of the current text, and their counts.
    pub(crate) rows: Vec<u32>,
    pub(crate) values: Vec<f32>,
}

impl Featurizer {
    pub(crate) fn new(spec: FeatureSpec) -> Featurizer {
        Featurizer {
            spec,
            analyzers: Language::ALL.map(Analyzer::new),
            caches: Default::default(),
            hashes: Vec::new(),
            table: Vec::new(),
            rows: Vec::new(),
            values: Vec::new(),
        }
    }

    /// The raw term counts of a text (before idf and scaling), each bucket
    /// once, in the order of its first occurrence (training's path: counted
    /// in a table of every bucket rather than sorted).
    pub(crate) fn counts(&mut self, text: &str) -> SparseVec {
        self.hash_features(text);
        if self.table.len() != self.spec.buckets() {
            self.table = vec![0; self.spec.buckets()];
        }
        let mut out = SparseVec { index: Vec::with_capacity(self.hashes.len()), value: Vec::new() };
        for &h in &self.hashes {
            let c = &mut self.table[h as usize];
            if *c == 0 {
                out.index.push(h);
            }
            *c += 1;
        }
        out.value.reserve_exact(out.index.len());
        for &i in &out.index {
            let c = &mut self.table[i as usize];
            out.value.push(*c as f32);
            *c = 0;
        }
        out
    }

    /// The counts of a text's features that a model knows, as its rows
    /// (sorted) in `self.rows` with counts in `self.values`: the fast path
    /// of prediction, with no allocation once the buffers have grown.
    pub(crate) fn row_counts(&mut self, text: &str, row_of_bucket: &[u32]) {
        self.hash_features(text);
        self.rows.clear();
        self.values.clear();
        let mut mapped: Vec<u32> = std::mem::take(&mut self.hashes);
        mapped.retain_mut(|b| match row_of_bucket.get(*b as usize) {
            Some(&r) if r != u32::MAX => {
                *b = r;
                true
            }
            _ => false,
        });
        mapped.sort_unstable();
        for &r in &mapped {
            if self.rows.last() == Some(&r) {
                if let Some(last) = self.values.last_mut() {
                    *last += 1.0;
                }
            } else {
                self.rows.push(r);
                self.values.push(1.0);
            }
        }
        self.hashes = mapped;
    }

    /// Fills `self.hashes` with the bucket of every feature occurrence.
    fn hash_features(&mut self, text: &str) {
        let text = crate::search::truncate_query(text, MAX_TEXT_BYTES);
        let mask = (self.spec.buckets() - 1) as u64;
        self.hashes.clear();
        let hashes = &mut self.hashes;
        let mut push = |h: u64| hashes.push((h & mask) as u32);
        // Word stems in the text's language (both when it cannot be told),
        // and pairs of neighbours.
        let langs: Vec<usize> = match detect_language(text) {
            Some(Language::English) => vec![0],
            Some(Language::Spanish) => vec![1],
            None => vec![0, 1],
        };
        for l in langs {
            let mut prev: Option<u64> = None;
            self.analyzers[l].for_each_token_cached(text, &mut self.caches[l], |t| {
                let h = xxh3_64_with_seed(t.stem.as_bytes(), SEED_WORD);
                push(h);
                if self.spec.word_bigrams
                    && let Some(p) = prev
                {
                    push(xxh3_64_with_seed(&(p ^ h.rotate_left(17)).to_le_bytes(), SEED_BIGRAM));
                }
                prev = Some(h);
            });
        }
        // Character n-grams within folded words padded with spaces, as
        // scikit-learn's char_wb: "pothole" gives " p", "po", ... "le ".
        // Note: hashed incrementally (FNV-1a, one multiply per character),
        // since there are hundreds per text and this is the hot loop.
        if self.spec.char_max > 0 {
            let (lo, hi) = (self.spec.char_min.max(1) as usize, self.spec.char_max as usize);
            let mut padded: Vec<char> = Vec::new();
            let mut folded = String::new();
            for word in text.unicode_words() {
                folded.clear();
                fold_into(word, &mut folded);
                padded.clear();
                padded.push(' ');
                padded.extend(folded.chars());
                padded.push(' ');
                for start in 0..padded.len() {
                    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ SEED_CHAR;
                    for (n, c) in padded[start..].iter().take(hi).enumerate() {
                        h = (h ^ *c as u64).wrapping_mul(0x0100_0000_01b3);
                        if n + 1 >= lo {
                            // Mixing in the length keeps "ab" and "ab " apart from longer grams.
                            let mixed = (h ^ (n as u64 + 1)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                            push(mixed >> 7);
                        }
                    }
                }
            }
        }
    }
}

/// Sublinear term frequency times idf, scaled to unit length, in place:
/// `values[i]` is the count of the feature whose idf is `idf[index[i]]`.
/// The one weighting of training and prediction alike.
pub(crate) fn weigh(index: &[u32], values: &mut [f32], idf: &[f32]) {
    let mut norm = 0.0f32;
    for (i, v) in index.iter().zip(values.iter_mut()) {
        let tf = if *v == 1.0 { 1.0 } else { 1.0 + v.ln() };
        *v = tf * idf.get(*i as usize).copied().unwrap_or(1.0);
        norm += *v * *v;
    }
    if norm > 0.0 {
        let scale = 1.0 / norm.sqrt();
        values.iter_mut().for_each(|v| *v *= scale);
    }
}
