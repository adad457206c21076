//! Completions for search-as-you-type: the titles, questions and keywords
//! of the answers, found by the words typed so far, the last one a prefix.

use std::collections::HashSet;

use serde::Serialize;
use unicode_segmentation::UnicodeSegmentation;

use super::AnswerKind;
use super::documents::AnswerDoc;
use crate::analyzer::fold;

/// One completion of what a resident is typing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Completion {
    /// The phrase to show and to search for.
    pub text: String,
    /// The answer it comes from.
    pub kind: AnswerKind,
    pub id: String,
    /// Higher is better; 1.0 for the best of the list.
    pub score: f32,
}

#[derive(Debug, Clone)]
struct Phrase {
    text: String,
    words: Vec<String>,
    kind: AnswerKind,
    id: String,
    weight: f32,
}

/// Phrases indexed by their folded words.
#[derive(Debug, Clone, Default)]
pub(crate) struct Suggester {
    phrases: Vec<Phrase>,
    /// (folded word, phrase, position of the word), sorted.
    words: Vec<(String, u32, u16)>,
}

/// The folded words of a text.
fn words(text: &str) -> Vec<String> {
    text.unicode_words().take(32).map(fold).collect()
}

impl Suggester {
    pub(crate) fn new(docs: &[AnswerDoc]) -> Suggester {
        let mut phrases = Vec::new();
        let mut seen = HashSet::new();
        let mut add = |text: &str, doc: &AnswerDoc, weight: f32| {
            let text = text.trim();
            let folded = fold(text);
            if text.is_empty() || text.chars().count() > 120 || !seen.insert(folded) {
                return;
            }
            phrases.push(Phrase {
                text: text.to_string(),
                words: words(text),
                kind: doc.kind,
                id: doc.id.clone(),
                weight,
            });
        };
        for doc in docs {
            // Titles first: on equal text, the title's answer is the one kept.
            let kind_weight = match doc.kind {
                AnswerKind::Service => 1.2,
                AnswerKind::Article => 1.0,
                AnswerKind::Facility => 1.1,
            };
            add(&doc.title, doc, 3.0 * kind_weight);
        }
        for doc in docs {
            for f in &doc.fields {
                for q in &f.questions {
                    add(q, doc, 2.0);
                }
            }
        }
        for doc in docs {
            for k in doc.fields.iter().flat_map(|f| f.keywords.iter()) {
                add(k, doc, 1.0);
            }
        }
        let mut index = Vec::new();
        for (i, p) in phrases.iter().enumerate() {
            for (pos, w) in p.words.iter().enumerate() {
                index.push((w.clone(), i as u32, pos as u16));
            }
        }
        index.sort();
        Suggester { phrases, words: index }
    }

    /// Up to `limit` completions of `prefix`: phrases holding every word
    /// typed, the last one as a prefix (unless the text ends in a space).
    pub(crate) fn suggest(&self, prefix: &str, limit: usize) -> Vec<Completion> {
        let prefix = super::query::truncate(prefix, 256);
        let typed = words(prefix);
        let Some(last) = typed.last() else { return Vec::new() };
        let complete_last = prefix.ends_with(char::is_whitespace);
        let (done, partial) =
            if complete_last { (&typed[..], None) } else { (&typed[..typed.len() - 1], Some(last.as_str())) };
        let probe = partial.unwrap_or(last.as_str());
        // Phrases with a word starting with (or equal to) the probe word.
        let start = self.words.partition_point(|(w, _, _)| w.as_str() < probe);
        let mut scored: Vec<(f32, u32)> = Vec::new();
        let mut seen = HashSet::new();
        for (w, phrase, pos) in self.words[start..].iter() {
            if !w.starts_with(probe) {
                break;
            }
            if partial.is_none() && w != probe {
                continue;
            }
            if !seen.insert(*phrase) {
                continue;
            }
            let p = &self.phrases[*phrase as usize];
            if !done.iter().all(|d| p.words.contains(d)) {
                continue;
            }
            // Matches at the start of the phrase, and short phrases, first.
            let at_start = if *pos as usize <= done.len() { 1.5 } else { 1.0 };
            let exact_word = if w == probe { 1.2 } else { 1.0 };
            let score = p.weight * at_start * exact_word / (1.0 + 0.05 * p.words.len() as f32);
            scored.push((score, *phrase));
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.truncate(limit);
        let top = scored.first().map(|(s, _)| *s).unwrap_or(1.0);
        scored
            .into_iter()
            .map(|(s, i)| {
                let p = &self.phrases[i as usize];
                Completion { text: p.text.clone(), kind: p.kind, id: p.id.clone(), score: s / top }
            })
            .collect()
    }
}
