//! From a resident's words to a tantivy query: analysis per language,
//! synonyms from the catalog, corrections of misspelt words, and what the
//! question is about (hours, a day).

use std::collections::{HashMap, HashSet};

use jiff::civil::Weekday;
use tantivy::Term;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;

use super::index::{LangFields, SearchIndex};
use super::vocabulary::Vocabulary;
use crate::analyzer::{Analyzer, Language, fold};
use crate::catalog::SynonymGroup;

/// At most this many bytes of a query are read: a pasted 10 kB complaint is
/// searched by its beginning, which bounds the cost of every query.
pub(crate) const MAX_QUERY_BYTES: usize = 2048;
/// At most this many stems of a query are used.
const MAX_TERMS: usize = 32;
/// The weight of a synonym against the word the resident typed.
const SYNONYM_WEIGHT: f32 = 0.6;
/// The weight of a corrected misspelling, by edit distance.
const CORRECTION_WEIGHT: [f32; 3] = [1.0, 0.8, 0.6];

/// A synonym pattern (a sequence of stems) and what it stands for (each a sequence of stems).
type Expansion = (Vec<String>, Vec<Vec<String>>);

/// The synonym groups of one language, analyzed into stems.
#[derive(Debug, Default, Clone)]
pub(crate) struct SynonymIndex {
    /// By the first stem of a pattern: the whole pattern and what it stands for.
    by_first: HashMap<String, Vec<Expansion>>,
}

impl SynonymIndex {
    pub(crate) fn new(groups: &[SynonymGroup], analyzer: &Analyzer) -> SynonymIndex {
        let mut by_first: HashMap<String, Vec<Expansion>> = HashMap::new();
        for g in groups.iter().filter(|g| Language::from_code(&g.lang) == Some(analyzer.language())) {
            let terms: Vec<Vec<String>> = g.terms.iter().map(|t| analyzer.stems(t)).filter(|s| !s.is_empty()).collect();
            let implies: Vec<Vec<String>> =
                g.implies.iter().map(|t| analyzer.stems(t)).filter(|s| !s.is_empty()).collect();
            for (i, pattern) in terms.iter().enumerate() {
                let alternatives: Vec<Vec<String>> = if g.implies.is_empty() {
                    terms.iter().enumerate().filter(|(j, t)| *j != i && *t != pattern).map(|(_, t)| t.clone()).collect()
                } else {
                    implies.clone()
                };
                if !alternatives.is_empty() {
                    by_first.entry(pattern[0].clone()).or_default().push((pattern.clone(), alternatives));
                }
            }
        }
        SynonymIndex { by_first }
    }

    /// Patterns that match the stems at `at`, with their alternatives.
    fn matches<'a>(
        &'a self,
        stems: &'a [String],
        at: usize,
    ) -> impl Iterator<Item = &'a (Vec<String>, Vec<Vec<String>>)> + 'a {
        self.by_first.get(&stems[at]).into_iter().flatten().filter(move |(pattern, _)| stems[at..].starts_with(pattern))
    }
}

/// One group of alternatives: the stem typed (or its corrections) and its
/// one-word synonyms. The best of them counts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TermGroup {
    pub alternatives: Vec<(String, f32)>,
    /// Whether the resident typed it (a synonym's extra words were not typed).
    pub typed: bool,
}

/// The query in one language.
#[derive(Debug, Clone)]
pub(crate) struct LangQuery {
    pub lang: Language,
    pub groups: Vec<TermGroup>,
    /// Words typed that the index knows nothing like: no group searches them.
    pub unknown: usize,
}

impl LangQuery {
    /// Every stem that counts as a match, for highlighting.
    pub(crate) fn typed_words(&self) -> usize {
        self.groups.iter().filter(|g| g.typed).count() + self.unknown
    }

    pub(crate) fn stems(&self) -> HashSet<String> {
        self.groups.iter().flat_map(|g| g.alternatives.iter().map(|(s, _)| s.clone())).collect()
    }
}

/// What day a question asks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DayAsked {
    Today,
    Tomorrow,
    Weekday(Weekday),
}

/// A query, analyzed.
#[derive(Debug, Clone)]
pub(crate) struct AnalyzedQuery {
    pub langs: Vec<LangQuery>,
    /// The language to answer in: the one detected or asked for.
    pub answer_lang: Language,
    /// Whether the question is about opening hours.
    pub asks_hours: bool,
    pub day: Option<DayAsked>,
}

/// Cuts a string at a char boundary at most `max` bytes in.
pub(crate) fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

const HOURS_WORDS: &[&str] = &[
    "abierta", "abierto", "abre", "cerrado", "cierra", "close", "closed", "closes", "closing", "hora", "horario",
    "horarios", "horas", "hour", "hours", "open", "opens", "schedule", "time", "tonight", "when",
];

fn day_of(word: &str) -> Option<DayAsked> {
    use Weekday::*;
    Some(match word {
        "today" | "hoy" | "tonight" | "now" | "ahora" => DayAsked::Today,
        "tomorrow" => DayAsked::Tomorrow,
        "monday" | "mon" | "lunes" => DayAsked::Weekday(Monday),
        "tuesday" | "tue" | "tues" | "martes" => DayAsked::Weekday(Tuesday),
        "wednesday" | "wed" | "miercoles" => DayAsked::Weekday(Wednesday),
        "thursday" | "thu" | "thurs" | "jueves" => DayAsked::Weekday(Thursday),
        "friday" | "fri" | "viernes" => DayAsked::Weekday(Friday),
        "saturday" | "sat" | "sabado" => DayAsked::Weekday(Saturday),
        "sunday" | "sun" | "domingo" => DayAsked::Weekday(Sunday),
        _ => return None,
    })
}

/// Analyzes `text` for the given languages (all, or the one asked for).
pub(crate) fn analyze(
    text: &str,
    lang: Option<Language>,
    analyzers: &[Analyzer; 2],
    synonyms: &[SynonymIndex; 2],
    index: &SearchIndex,
) -> AnalyzedQuery {
    let text = truncate(text, MAX_QUERY_BYTES);
    let detected = lang.or_else(|| crate::analyzer::detect_language(text));
    let languages: Vec<Language> = match detected {
        Some(l) => vec![l],
        None => Language::ALL.to_vec(),
    };
    let mut langs = Vec::new();
    for l in languages {
        let slot = Language::ALL.iter().position(|x| *x == l).unwrap_or(0);
        let vocabulary = &index.vocabulary[slot];
        let mut stems = analyzers[slot].stems(text);
        stems.truncate(MAX_TERMS);
        // Each typed stem, or its corrections when the index does not know it.
        let mut groups: Vec<TermGroup> = Vec::new();
        let mut resolved: Vec<String> = Vec::with_capacity(stems.len());
        for stem in &stems {
            let mut alternatives = Vec::new();
            if vocabulary.contains(stem) {
                alternatives.push((stem.clone(), 1.0));
            } else {
                // The best correction counts fully; runners-up at half weight.
                for (i, c) in vocabulary.corrections(stem, 3).into_iter().enumerate() {
                    let rank = if i == 0 { 1.0 } else { 0.5 };
                    alternatives.push((c.stem, CORRECTION_WEIGHT[c.distance as usize] * rank));
                }
            }
            resolved.push(alternatives.first().map(|(s, _)| s.clone()).unwrap_or_else(|| stem.clone()));
            groups.push(TermGroup { alternatives, typed: true });
        }
        // Synonyms of what was typed (or corrected): a one-word pattern joins
        // the word's own group; a longer one adds groups of its own.
        let mut extra = Vec::new();
        for (at, group) in groups.iter_mut().enumerate() {
            for (pattern, alternatives) in synonyms[slot].matches(&resolved, at) {
                for alt in alternatives {
                    let known: Vec<(String, f32)> =
                        alt.iter().filter(|s| vocabulary.contains(s)).map(|s| (s.clone(), SYNONYM_WEIGHT)).collect();
                    if pattern.len() == 1 && alt.len() == 1 {
                        group.alternatives.extend(known);
                    } else {
                        extra.extend(known.into_iter().map(|a| TermGroup { alternatives: vec![a], typed: false }));
                    }
                }
            }
        }
        groups.extend(extra);
        let unknown = groups.iter().filter(|g| g.alternatives.is_empty()).count();
        groups.retain(|g| !g.alternatives.is_empty());
        for g in &mut groups {
            let mut seen = HashSet::new();
            g.alternatives.retain(|(s, _)| seen.insert(s.clone()));
        }
        langs.push(LangQuery { lang: l, groups, unknown });
    }
    let mut asks_hours = false;
    let mut day = None;
    for w in unicode_segmentation::UnicodeSegmentation::unicode_words(text).take(64) {
        let w = fold(w);
        if HOURS_WORDS.contains(&w.as_str()) {
            asks_hours = true;
        }
        if let Some(d) = day_of(&w) {
            day = Some(d);
            asks_hours = true;
        }
    }
    AnalyzedQuery { langs, answer_lang: detected.unwrap_or(Language::English), asks_hours, day }
}

/// The tantivy query of one language's groups: one boosted term query per
/// word and alternative, on the language's field. Their scores add up.
pub(crate) fn to_tantivy(q: &LangQuery, fields: &LangFields, vocabulary: &Vocabulary) -> Vec<(Occur, Box<dyn Query>)> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for group in &q.groups {
        for (stem, weight) in &group.alternatives {
            if !vocabulary.contains(stem) {
                continue;
            }
            let term = Term::from_field_text(fields.all, stem);
            let tq: Box<dyn Query> = Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs));
            let clause: Box<dyn Query> = if *weight == 1.0 { tq } else { Box::new(BoostQuery::new(tq, *weight)) };
            clauses.push((Occur::Should, clause));
        }
    }
    clauses
}

/// All groups of all languages as one query, or `None` when nothing is left to search.
pub(crate) fn build(q: &AnalyzedQuery, index: &SearchIndex) -> Option<BooleanQuery> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for lq in &q.langs {
        let slot = Language::ALL.iter().position(|x| *x == lq.lang).unwrap_or(0);
        clauses.extend(to_tantivy(lq, &index.fields.text[slot], &index.vocabulary[slot]));
    }
    (!clauses.is_empty()).then(|| BooleanQuery::new(clauses))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_on_char_boundaries() {
        assert_eq!(truncate("añob", 2), "a");
        assert_eq!(truncate("añob", 3), "añ");
        assert_eq!(truncate("", 3), "");
    }

    #[test]
    fn hours_words_are_sorted_and_folded() {
        assert!(HOURS_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(day_of("domingo"), Some(DayAsked::Weekday(Weekday::Sunday)));
    }
}
