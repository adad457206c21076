//! The one text analyzer civic311 uses everywhere: search indexes and
//! queries, the classifier's features, and the keyword conditions of
//! routing rules. So "Potholes", "pothole" and "POTHOLE" mean the same thing
//! in all of them.
//!
//! Text goes through:
//! 1. Unicode word segmentation (UAX #29), so "e-waste" is two words and
//!    "neighbor's" one;
//! 2. lower-casing and diacritic folding ("Vehículo" → "vehiculo");
//! 3. stop-word removal for the language (positions are kept, so phrases
//!    still line up);
//! 4. Snowball stemming for the language ("recycling" → "recycl").
//!
//! ```
//! use civic311::analyzer::{Analyzer, Language};
//!
//! let english = Analyzer::builder(Language::English).build();
//! assert_eq!(english.stems("Report the POTHOLES on Maple Ave."), ["report", "pothol", "mapl", "ave"]);
//!
//! let spanish = Analyzer::builder(Language::Spanish).build();
//! assert_eq!(spanish.stems("Recolección de basura"), spanish.stems("recoleccion basura"));
//! ```

mod fold;
mod language;
mod stop_words;
mod tantivy_bridge;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_segmentation::UnicodeSegmentation;

pub use fold::fold;
pub(crate) use fold::fold_into;
pub use language::{Language, detect_language};
pub(crate) use tantivy_bridge::TantivyAnalyzer;

/// Words longer than this many bytes are dropped: they are never words a
/// resident types, and they would bloat the index.
pub const MAX_TOKEN_BYTES: usize = 48;

/// One analyzed word: its stem, where it stands in the text (byte offsets),
/// and its position among the words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub stem: String,
    pub offset_from: usize,
    pub offset_to: usize,
    pub position: usize,
}

/// FNV-1a, for the stem cache: its keys are short words, which SipHash
/// (the standard library's default, built to resist hash flooding) hashes
/// several times slower. The cache is bounded, so flooding costs nothing.
#[derive(Default)]
pub(crate) struct FnvHasher(u64);

impl std::hash::Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for b in bytes {
            h = (h ^ *b as u64).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// Stems already computed, by folded word (`None` for a stop word).
#[derive(Debug, Default)]
pub(crate) struct StemCache {
    map: std::collections::HashMap<Box<str>, Option<Box<str>>, std::hash::BuildHasherDefault<FnvHasher>>,
}

impl StemCache {
    /// A cache holding more words than this starts over, which bounds its memory.
    const MAX_WORDS: usize = 200_000;
}

/// Builds an [`Analyzer`].
#[derive(Debug, Clone)]
pub struct AnalyzerBuilder {
    language: Language,
    stop_words: bool,
    stemming: bool,
}

impl AnalyzerBuilder {
    /// Whether stop words are removed (default: yes).
    pub fn stop_words(mut self, on: bool) -> Self {
        self.stop_words = on;
        self
    }

    /// Whether words are stemmed (default: yes).
    pub fn stemming(mut self, on: bool) -> Self {
        self.stemming = on;
        self
    }

    pub fn build(self) -> Analyzer {
        let algorithm = match self.language {
            Language::English => Algorithm::English,
            Language::Spanish => Algorithm::Spanish,
        };
        Analyzer {
            language: self.language,
            stop_words: self.stop_words.then(|| self.language.stop_words()),
            stemmer: self.stemming.then(|| Stemmer::create(algorithm)),
        }
    }
}

/// Turns text into stems for one language.
pub struct Analyzer {
    language: Language,
    stop_words: Option<&'static [&'static str]>,
    stemmer: Option<Stemmer>,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("language", &self.language)
            .field("stop_words", &self.stop_words.is_some())
            .field("stemming", &self.stemmer.is_some())
            .finish()
    }
}

impl Analyzer {
    /// A builder with stop words and stemming on.
    pub fn builder(language: Language) -> AnalyzerBuilder {
        AnalyzerBuilder { language, stop_words: true, stemming: true }
    }

    /// The default analyzer of a language.
    pub fn new(language: Language) -> Analyzer {
        Analyzer::builder(language).build()
    }

    pub fn language(&self) -> Language {
        self.language
    }

    /// Walks the words of `text`: segmentation, length limit, folding and
    /// the trailing possessive, shared by every way of analyzing. Calls
    /// `f(position, byte offset, word as written, folded word)`.
    fn for_each_word(&self, text: &str, mut f: impl FnMut(usize, usize, &str, &str)) {
        let mut folded = String::new();
        for (position, (offset, word)) in text.unicode_word_indices().enumerate() {
            if word.len() > MAX_TOKEN_BYTES {
                continue;
            }
            folded.clear();
            fold::fold_into(word, &mut folded);
            // Note: a trailing possessive is dropped before the stop-word
            // check, so "city's" is "city" everywhere (Snowball would do it
            // for English only).
            // Note: a combining mark after a space makes the two one "word"
            // (it extends the space); folding drops the mark and leaves the
            // space, which is trimmed here. Whitespace left inside means no word.
            let trimmed = folded.trim();
            let bare = trimmed.strip_suffix("'s").unwrap_or(trimmed).trim_matches('\'');
            if !bare.is_empty() && !bare.contains(char::is_whitespace) {
                f(position, offset, word, bare);
            }
        }
    }

    /// Calls `sink` with every token of `text`, in order.
    pub fn for_each_token(&self, text: &str, mut sink: impl FnMut(&Token)) {
        let mut token = Token { stem: String::new(), offset_from: 0, offset_to: 0, position: 0 };
        self.for_each_word(text, |position, offset, word, bare| {
            if let Some(stem) = self.stem_word(bare) {
                token.stem.clear();
                token.stem.push_str(&stem);
                token.offset_from = offset;
                token.offset_to = offset + word.len();
                token.position = position;
                sink(&token);
            }
        });
    }

    /// Like [`for_each_token`](Analyzer::for_each_token), remembering the
    /// stem of every word in `cache`: when the same words come back (they do,
    /// in a catalog's worth of text) stemming is a lookup.
    pub(crate) fn for_each_token_cached(&self, text: &str, cache: &mut StemCache, mut sink: impl FnMut(&Token)) {
        let mut token = Token { stem: String::new(), offset_from: 0, offset_to: 0, position: 0 };
        self.for_each_word(text, |position, offset, word, bare| {
            if !cache.map.contains_key(bare) {
                if cache.map.len() >= StemCache::MAX_WORDS {
                    cache.map.clear();
                }
                cache.map.insert(bare.into(), self.stem_word(bare));
            }
            if let Some(Some(stem)) = cache.map.get(bare) {
                token.stem.clear();
                token.stem.push_str(stem);
                token.offset_from = offset;
                token.offset_to = offset + word.len();
                token.position = position;
                sink(&token);
            }
        });
    }

    /// The stem of one folded word, or `None` for a stop word.
    fn stem_word(&self, bare: &str) -> Option<Box<str>> {
        if let Some(list) = self.stop_words
            && stop_words::is_stop_word(list, bare)
        {
            return None;
        }
        Some(match &self.stemmer {
            Some(stemmer) => stemmer.stem(bare).into(),
            None => bare.into(),
        })
    }

    /// Every token of `text`.
    pub fn tokens(&self, text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        self.for_each_token(text, |t| out.push(t.clone()));
        out
    }

    /// The stems of `text`, in order.
    pub fn stems(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.for_each_token(text, |t| out.push(t.stem.clone()));
        out
    }
}

impl Clone for Analyzer {
    fn clone(&self) -> Analyzer {
        AnalyzerBuilder {
            language: self.language,
            stop_words: self.stop_words.is_some(),
            stemming: self.stemmer.is_some(),
        }
        .build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_and_number_do_not_matter() {
        let en = Analyzer::new(Language::English);
        assert_eq!(en.stems("Potholes"), en.stems("pothole"));
        assert_eq!(en.stems("POTHOLE"), en.stems("pothole"));
        assert_eq!(en.stems("recycling"), en.stems("Recycle"));
        assert_eq!(en.stems("the city's trucks"), en.stems("city truck"));
    }

    #[test]
    fn offsets_and_positions_point_into_the_text() {
        let en = Analyzer::new(Language::English);
        let text = "Is the Main Library open on Sunday?";
        let tokens = en.tokens(text);
        let words: Vec<&str> = tokens.iter().map(|t| &text[t.offset_from..t.offset_to]).collect();
        assert_eq!(words, ["Main", "Library", "open", "Sunday"]);
        assert_eq!(tokens.iter().map(|t| t.position).collect::<Vec<_>>(), [2, 3, 4, 6]);
    }

    #[test]
    fn non_ascii_and_empty_input() {
        let es = Analyzer::new(Language::Spanish);
        assert_eq!(es.stems("¿Dónde está la Biblioteca?"), es.stems("donde esta la biblioteca"));
        assert!(es.stems("").is_empty());
        assert!(es.stems("   ¿? ... !!").is_empty());
        let en = Analyzer::new(Language::English);
        assert!(en.stems(&"x".repeat(10_000)).is_empty(), "an endless word is dropped");
        assert_eq!(en.stems("日本語のテキスト 🚧 pothole"), ["日", "本", "語", "の", "テキスト", "pothol"]);
        assert_eq!(en.stems("e-waste"), ["e", "wast"]);
    }

    #[test]
    fn the_cache_changes_nothing_but_speed() {
        let en = Analyzer::new(Language::English);
        let text = "The potholes on Maple; the POTHOLE on Maple's corner. Año nuevo, año nuevo!";
        let mut cache = StemCache::default();
        for _ in 0..3 {
            let mut cached = Vec::new();
            en.for_each_token_cached(text, &mut cache, |t| cached.push(t.clone()));
            assert_eq!(cached, en.tokens(text));
        }
        assert!(cache.map.len() < 12, "each word once: {:?}", cache.map);
    }

    #[test]
    fn builder_switches_parts_off() {
        let raw = Analyzer::builder(Language::English).stop_words(false).stemming(false).build();
        assert_eq!(raw.stems("The Potholes"), ["the", "potholes"]);
        assert_eq!(raw.clone().stems("The"), ["the"]);
    }
}
