//! The analyzer as a tantivy tokenizer, registered on every index under the
//! name of its language ("civic_en", "civic_es"), so that what is indexed
//! and what is searched are cut the same way.

use std::sync::Arc;

use tantivy::tokenizer::{Token as TantivyToken, TokenStream, Tokenizer};

use super::{Analyzer, Language, StemCache};

/// A tantivy [`Tokenizer`] over the civic311 analyzer. While indexing, tantivy
/// keeps one per field, so each remembers the stems of the words it has seen.
pub(crate) struct TantivyAnalyzer {
    analyzer: Arc<Analyzer>,
    cache: StemCache,
}

impl Clone for TantivyAnalyzer {
    fn clone(&self) -> Self {
        // Note: a clone starts with an empty cache; copying a large one for
        // every field would cost more than it saves.
        TantivyAnalyzer { analyzer: self.analyzer.clone(), cache: StemCache::default() }
    }
}

impl TantivyAnalyzer {
    pub(crate) fn new(language: Language) -> TantivyAnalyzer {
        TantivyAnalyzer { analyzer: Arc::new(Analyzer::new(language)), cache: StemCache::default() }
    }

    /// The name the tokenizer is registered under.
    pub(crate) fn name(language: Language) -> &'static str {
        match language {
            Language::English => "civic_en",
            Language::Spanish => "civic_es",
        }
    }
}

/// The tokens of one text, analyzed up front.
pub(crate) struct AnalyzedStream {
    tokens: Vec<TantivyToken>,
    /// The current token; `usize::MAX` before the first `advance`.
    cursor: usize,
    /// Returned for a read outside the tokens, so that no call can panic.
    none: TantivyToken,
}

impl Tokenizer for TantivyAnalyzer {
    type TokenStream<'a> = AnalyzedStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> AnalyzedStream {
        let mut tokens = Vec::new();
        self.analyzer.for_each_token_cached(text, &mut self.cache, |t| {
            tokens.push(TantivyToken {
                offset_from: t.offset_from,
                offset_to: t.offset_to,
                position: t.position,
                text: t.stem.clone(),
                position_length: 1,
            })
        });
        AnalyzedStream { tokens, cursor: usize::MAX, none: TantivyToken::default() }
    }
}

impl TokenStream for AnalyzedStream {
    fn advance(&mut self) -> bool {
        self.cursor = self.cursor.wrapping_add(1);
        if self.cursor > self.tokens.len() {
            self.cursor = self.tokens.len();
        }
        self.cursor < self.tokens.len()
    }

    fn token(&self) -> &TantivyToken {
        self.tokens.get(self.cursor).unwrap_or(&self.none)
    }

    fn token_mut(&mut self) -> &mut TantivyToken {
        match self.tokens.get_mut(self.cursor) {
            Some(t) => t,
            None => &mut self.none,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_the_analyzer_tokens() {
        let mut t = TantivyAnalyzer::new(Language::English);
        let mut stream = t.token_stream("The Potholes on Maple");
        let mut stems = Vec::new();
        while stream.advance() {
            stems.push(stream.token().text.clone());
        }
        assert_eq!(stems, ["pothol", "mapl"]);
        assert!(!stream.advance() && !stream.advance(), "stays at the end");
        assert_eq!(stream.token().text, "");
        let mut empty = t.token_stream("");
        assert!(!empty.advance());
        empty.token_mut().text.push('x');
    }
}
