//! The engine: a catalog with its answer index, ready to answer, suggest,
//! and (in later modules) classify and route.

use std::collections::HashSet;
use std::sync::Arc;

use jiff::Timestamp;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;

use crate::analyzer::{Analyzer, Language};
use crate::catalog::{Catalog, Facility, OpenStatus};
use crate::error::{Error, ErrorKind, Result};
use crate::search::{
    AnalyzedQuery, Answer, AnswerDoc, AnswerKind, BodyTokens, Completion, DayAsked, FacilityHours, MAX_LIMIT,
    SearchIndex, SearchOptions, Suggester, SynonymIndex, analyze, answer_docs, build_query, escape_html, snippet,
    stem_hashes,
};

/// A catalog with everything built from it: the answer index, analyzers,
/// synonyms and completions. Cheap to share between threads (`Send + Sync`);
/// build it once, or load it from a bundle.
pub struct Engine {
    pub(crate) catalog: Arc<Catalog>,
    pub(crate) docs: Vec<AnswerDoc>,
    pub(crate) index: SearchIndex,
    pub(crate) analyzers: [Analyzer; 2],
    pub(crate) synonyms: [SynonymIndex; 2],
    suggester: Suggester,
    /// Each answer's body, analyzed for snippets the first time it is shown.
    bodies: Vec<std::sync::OnceLock<BodyTokens>>,
    /// Each answer's stems per language (sorted hashes), for the confidence
    /// of [`answer`](Engine::answer); made the first time it is the best answer.
    pub(crate) doc_stems: Vec<[std::sync::OnceLock<Vec<u64>>; 2]>,
    /// Each department's words, for [`departments_for`](Engine::departments_for); made on first use.
    pub(crate) profiles: std::sync::OnceLock<crate::answer::Profiles>,
    /// The catalog-trained classifier, trained on first use.
    pub(crate) zero_shot: std::sync::OnceLock<std::result::Result<Arc<crate::classify::Classifier>, Error>>,
    /// The duplicate finder with the default options, for
    /// [`find_duplicates_among`](Engine::find_duplicates_among); made on first use.
    pub(crate) duplicates: std::sync::OnceLock<crate::route::DuplicateFinder>,
    /// A classifier trained on the city's history, used instead when attached.
    pub(crate) trained: Option<Arc<crate::classify::Classifier>>,
    /// The learned emergency detector of triage, trained on first use.
    pub(crate) danger: std::sync::OnceLock<std::result::Result<crate::classify::Classifier, Error>>,
    /// The triage's cue tables (the library's and the catalog's), read on first use.
    pub(crate) triage_cues: std::sync::OnceLock<Result<Arc<crate::classify::cues::Tables>>>,
    /// The routing rules, ready to apply.
    pub(crate) router: crate::route::Router,
    /// The sentence encoder of hybrid searches, if one is attached.
    #[cfg(feature = "encoder")]
    pub(crate) encoder: Option<Arc<crate::Encoder>>,
    /// The answers' vectors (built with an encoder, or loaded from a bundle).
    pub(crate) vectors: Option<Arc<crate::encoder::Vectors>>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("catalog", &self.catalog.name()).field("answers", &self.docs.len()).finish()
    }
}

/// A query analyzed, and its best answers' (score, ordinal), best first.
pub(crate) type Ranking = (AnalyzedQuery, Vec<(f32, usize)>);

/// A search's rankings (see [`Engine::rankings`]).
pub(crate) struct Rankings {
    pub analyzed: AnalyzedQuery,
    /// The answers to show, best first, at most the limit.
    pub ranked: Vec<(f32, usize)>,
    /// The lexical hits, best first (more than the limit; empty when only
    /// the encoder found answers): what `answer`'s confidence was fitted on.
    pub lexical: Vec<(f32, usize)>,
}

/// Answers whose score is within this share of a hit's are re-ranked by intent.
pub(crate) const HOURS_BOOST: f32 = 1.6;

impl Engine {
    /// Builds the engine of a catalog: indexes every article, service and facility.
    pub fn build(catalog: Catalog) -> Result<Engine> {
        let docs = answer_docs(&catalog);
        let index = SearchIndex::build(&docs)?;
        Ok(Engine::assemble(Arc::new(catalog), docs, index))
    }

    /// Puts together an engine from a catalog and its index (built or loaded).
    pub(crate) fn assemble(catalog: Arc<Catalog>, docs: Vec<AnswerDoc>, index: SearchIndex) -> Engine {
        let analyzers = Language::ALL.map(Analyzer::new);
        let synonyms = [
            SynonymIndex::new(catalog.synonyms(), &analyzers[0]),
            SynonymIndex::new(catalog.synonyms(), &analyzers[1]),
        ];
        let suggester = Suggester::new(&docs);
        let bodies = docs.iter().map(|_| std::sync::OnceLock::new()).collect();
        let doc_stems = docs.iter().map(|_| Default::default()).collect();
        let router = crate::route::Router::new(catalog.clone());
        Engine {
            catalog,
            docs,
            index,
            analyzers,
            synonyms,
            suggester,
            bodies,
            doc_stems,
            profiles: std::sync::OnceLock::new(),
            zero_shot: std::sync::OnceLock::new(),
            duplicates: std::sync::OnceLock::new(),
            trained: None,
            danger: std::sync::OnceLock::new(),
            triage_cues: std::sync::OnceLock::new(),
            router,
            #[cfg(feature = "encoder")]
            encoder: None,
            vectors: None,
        }
    }

    /// The catalog the engine answers from.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The catalog, shared: for owners that outlive the engine (the bindings
    /// hand it out this way).
    pub fn shared_catalog(&self) -> Arc<Catalog> {
        self.catalog.clone()
    }

    /// Answers a resident's question, best first.
    ///
    /// No query string is an error: empty, very long, or full of quotes,
    /// brackets, colons, `AND`, `*` and `~`, it is searched as words, or
    /// finds nothing. Options that cannot be honoured (an unknown language
    /// or department, a limit over 100) are a [`ErrorKind::Query`] error.
    pub fn search(&self, query: &str, options: &SearchOptions) -> Result<Vec<Answer>> {
        let Some((analyzed, ranked)) = self.rank(query, options)? else { return Ok(Vec::new()) };
        Ok(self.answers(&analyzed, ranked, options))
    }

    /// The query analyzed and the best answers' (score, ordinal), best
    /// first, at most `options.limit`; `None` when nothing is left to search.
    pub(crate) fn rank(&self, query: &str, options: &SearchOptions) -> Result<Option<Ranking>> {
        Ok(self.rankings(query, options)?.map(|r| (r.analyzed, r.ranked)))
    }

    /// The query analyzed, the answers to show and the lexical hits they
    /// came from; `None` when nothing is left to search. With an encoder
    /// attached the answers shown are the hybrid ranking (`crate::hybrid`).
    pub(crate) fn rankings(&self, query: &str, options: &SearchOptions) -> Result<Option<Rankings>> {
        let lang = self.check_options(options)?;
        if options.limit == 0 {
            return Ok(None);
        }
        let analyzed = analyze(query, lang, &self.analyzers, &self.synonyms, &self.index);
        let lexical = self.lexical_hits(&analyzed, options, lang)?;
        // Note: the encoder (all-MiniLM-L6-v2) read English only; on
        // Riverton's Spanish questions it lowered the ranking, so questions
        // read as Spanish rank by their words alone (docs/search.md).
        let cosines = if analyzed.answer_lang == Language::English { self.cosines(query, options, lang) } else { None };
        Ok(match (lexical, cosines) {
            (None, None) => None,
            (Some(lexical), None) => {
                let ranked = lexical[..lexical.len().min(options.limit)].to_vec();
                Some(Rankings { analyzed, ranked, lexical })
            }
            (lexical, Some(cosines)) => {
                let lexical = lexical.unwrap_or_default();
                let ranked = self.fuse(&analyzed, &lexical, &cosines, options.limit);
                Some(Rankings { analyzed, ranked, lexical })
            }
        })
    }

    /// The analyzed query's lexical hits: (BM25 score with the hours lift,
    /// ordinal), best first, more than `options.limit` of them; `None` when
    /// no word is left to search.
    pub(crate) fn lexical_hits(
        &self,
        analyzed: &AnalyzedQuery,
        options: &SearchOptions,
        lang: Option<Language>,
    ) -> Result<Option<Vec<(f32, usize)>>> {
        let Some(text_query) = build_query(analyzed, &self.index) else { return Ok(None) };
        let query = self.filtered(text_query, options, lang);
        let searcher = self.index.searcher();
        // Note: more hits than asked are fetched, so that re-ranking by
        // intent (a question about hours lifts facilities) has room.
        let fetch = (options.limit * 3).max(20);
        let hits = searcher
            .search(&query, &TopDocs::with_limit(fetch).order_by_score())
            .map_err(|e| Error::new(ErrorKind::Query, format!("the search failed: {e}")))?;
        let mut ranked: Vec<(f32, usize)> = self
            .index
            .ords(&searcher, &hits)
            .into_iter()
            .filter(|(_, ord)| *ord < self.docs.len())
            .map(|(score, ord)| {
                let boost =
                    if analyzed.asks_hours && self.docs[ord].kind == AnswerKind::Facility { HOURS_BOOST } else { 1.0 };
                (score * boost, ord)
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        Ok(Some(ranked))
    }

    /// The ranked answers, with snippets and hours.
    pub(crate) fn answers(
        &self,
        analyzed: &AnalyzedQuery,
        ranked: Vec<(f32, usize)>,
        options: &SearchOptions,
    ) -> Vec<Answer> {
        let now = options.now.unwrap_or_else(Timestamp::now);
        // The query's stems (with synonyms and corrections) as ids, per language, for highlighting.
        let stems: [Vec<u64>; 2] = Language::ALL.map(|lang| {
            let set: HashSet<String> =
                analyzed.langs.iter().filter(|l| l.lang == lang).flat_map(|l| l.stems()).collect();
            stem_hashes(&set)
        });
        ranked.into_iter().map(|(score, ord)| self.answer_at(ord, score, analyzed, &stems, now)).collect()
    }

    pub(crate) fn check_options(&self, options: &SearchOptions) -> Result<Option<Language>> {
        if options.limit > MAX_LIMIT {
            return Err(Error::new(
                ErrorKind::Query,
                format!("limit {} is too large; ask for at most {MAX_LIMIT} answers", options.limit),
            ));
        }
        let lang = match &options.lang {
            None => None,
            Some(code) => match Language::from_code(code) {
                Some(l) if self.catalog.languages().iter().any(|c| c == l.code()) => Some(l),
                _ => {
                    return Err(Error::new(
                        ErrorKind::Query,
                        format!(
                            "unknown language '{}'; this catalog has {}",
                            crate::text::clip(code, 16),
                            self.catalog.languages().join(", ")
                        ),
                    ));
                }
            },
        };
        if let Some(d) = &options.department
            && self.catalog.department(d).is_none()
        {
            let hint = crate::catalog::did_you_mean(d, self.catalog.departments().iter().map(|x| x.id.as_str()))
                .map(|s| format!("; did you mean '{s}'?"))
                .unwrap_or_default();
            return Err(Error::new(
                ErrorKind::Query,
                format!("unknown department '{}'{hint}", crate::text::clip(d, 64)),
            ));
        }
        Ok(lang)
    }

    fn filtered(&self, text: BooleanQuery, options: &SearchOptions, lang: Option<Language>) -> Box<dyn Query> {
        let f = &self.index.fields;
        let term = |field, value: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(tantivy::Term::from_field_text(field, value), IndexRecordOption::Basic))
        };
        let mut must: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(text))];
        if let Some(l) = lang {
            let either =
                BooleanQuery::new(vec![(Occur::Should, term(f.lang, l.code())), (Occur::Should, term(f.lang, "any"))]);
            must.push((Occur::Must, Box::new(either)));
        }
        if !options.kinds.is_empty() {
            let kinds = options.kinds.iter().map(|k| (Occur::Should, term(f.kind, k.as_str()))).collect();
            must.push((Occur::Must, Box::new(BooleanQuery::new(kinds))));
        }
        if let Some(d) = &options.department {
            must.push((Occur::Must, term(f.department, d)));
        }
        if must.len() == 1 {
            return must.pop().map(|(_, q)| q).unwrap_or_else(|| Box::new(BooleanQuery::new(Vec::new())));
        }
        Box::new(BooleanQuery::new(must))
    }

    fn answer_at(&self, ord: usize, score: f32, q: &AnalyzedQuery, stems: &[Vec<u64>; 2], now: Timestamp) -> Answer {
        let doc = &self.docs[ord];
        let doc_lang = slot(doc.lang.unwrap_or(Language::English));
        let stems = &stems[doc_lang];
        let body = self.bodies[ord].get_or_init(|| BodyTokens::new(&doc.body, &self.analyzers[doc_lang]));
        let facility = (doc.kind == AnswerKind::Facility).then(|| self.catalog.facility(&doc.id)).flatten();
        let hours = facility.map(|f| self.facility_hours(f, now, q.day, q.answer_lang));
        let snippet = match &hours {
            Some(h) => {
                let mut s = escape_html(&format!("{}. {}.", h.status, h.day));
                let body = snippet(&doc.body, body, stems);
                if !body.is_empty() {
                    s.push(' ');
                    s.push_str(&body);
                }
                s
            }
            None => snippet(&doc.body, body, stems),
        };
        Answer {
            id: doc.id.clone(),
            kind: doc.kind,
            title: doc.title.clone(),
            snippet,
            url: doc.url.clone(),
            score,
            lang: doc.lang.map(|l| l.code().to_string()),
            department: doc.department.clone(),
            service_code: doc.service_code.clone(),
            hours,
        }
    }

    fn facility_hours(&self, f: &Facility, now: Timestamp, day: Option<DayAsked>, lang: Language) -> FacilityHours {
        let status = self.catalog.facility_status(f, now);
        let tz = crate::zones::get_or_utc(&f.time_zone);
        let today = now.to_zoned(tz).date();
        let date = match day {
            None | Some(DayAsked::Today) => today,
            Some(DayAsked::Tomorrow) => today.tomorrow().unwrap_or(today),
            Some(DayAsked::Weekday(w)) => Catalog::next_weekday(today, w),
        };
        let hours = self.catalog.facility_hours_on(f, date);
        FacilityHours {
            open_now: status.open_now,
            status: status_words(&status, today, lang),
            day: day_words(&hours, lang),
        }
    }

    /// Up to `limit` completions of what a resident has typed so far.
    ///
    /// ```
    /// use civic311::{Catalog, Engine};
    ///
    /// let engine = Engine::build(Catalog::riverton()?)?;
    /// let completions = engine.suggest("bulky it", 5);
    /// assert!(completions[0].text.to_lowercase().contains("bulky item"));
    /// # Ok::<(), civic311::Error>(())
    /// ```
    pub fn suggest(&self, prefix: &str, limit: usize) -> Vec<Completion> {
        self.suggester.suggest(prefix, limit.min(MAX_LIMIT))
    }

    /// How many answers (articles, services and facilities) the engine searches.
    pub fn answer_count(&self) -> usize {
        self.docs.len()
    }
}

/// The position of a language in `Language::ALL` (and in per-language arrays).
fn slot(lang: Language) -> usize {
    Language::ALL.iter().position(|l| *l == lang).unwrap_or(0)
}

fn time_words(minute: u16, lang: Language) -> String {
    let (h, m) = ((minute / 60) % 24, minute % 60);
    match lang {
        Language::Spanish => format!("{h}:{m:02}"),
        Language::English => {
            let suffix = if h < 12 { "am" } else { "pm" };
            let h12 = if h % 12 == 0 { 12 } else { h % 12 };
            if minute >= 1440 {
                "midnight".to_string()
            } else if m == 0 {
                format!("{h12} {suffix}")
            } else {
                format!("{h12}:{m:02} {suffix}")
            }
        }
    }
}

const DAYS_EN: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const DAYS_ES: [&str; 7] = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"];

fn day_name(date: jiff::civil::Date, lang: Language) -> &'static str {
    let i = date.weekday().to_monday_zero_offset() as usize;
    match lang {
        Language::English => DAYS_EN[i],
        Language::Spanish => DAYS_ES[i],
    }
}

fn status_words(s: &OpenStatus, today: jiff::civil::Date, lang: Language) -> String {
    match (s.open_now, lang) {
        (true, Language::English) => format!("Open now, closes at {}", time_words(s.closes_at.unwrap_or(1440), lang)),
        (true, Language::Spanish) => {
            format!("Abierto ahora, cierra a las {}", time_words(s.closes_at.unwrap_or(1440), lang))
        }
        (false, _) => {
            let next = s.opens_next.map(|(date, minute)| {
                let when = if date == today {
                    match lang {
                        Language::English => "today".to_string(),
                        Language::Spanish => "hoy".to_string(),
                    }
                } else if Some(date) == today.tomorrow().ok() {
                    match lang {
                        Language::English => "tomorrow".to_string(),
                        Language::Spanish => "mañana".to_string(),
                    }
                } else {
                    day_name(date, lang).to_string()
                };
                match lang {
                    Language::English => format!(", opens {when} at {}", time_words(minute, lang)),
                    Language::Spanish => format!(", abre {when} a las {}", time_words(minute, lang)),
                }
            });
            let closed = if lang == Language::English { "Closed now" } else { "Cerrado ahora" };
            format!("{closed}{}", next.unwrap_or_default())
        }
    }
}

fn day_words(h: &crate::catalog::DayHours, lang: Language) -> String {
    let name = day_name(h.date, lang);
    let name = match lang {
        Language::English => name.to_string(),
        Language::Spanish => {
            let mut c = name.chars();
            c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
        }
    };
    let why = match &h.reason {
        crate::catalog::HoursReason::Regular => String::new(),
        crate::catalog::HoursReason::Holiday(name) => format!(" ({name})"),
        crate::catalog::HoursReason::Exception(Some(note)) => format!(" ({note})"),
        crate::catalog::HoursReason::Exception(None) => String::new(),
    };
    if h.ranges.is_empty() {
        let closed = if lang == Language::English { "closed" } else { "cerrado" };
        return format!("{name} {}: {closed}{why}", h.date);
    }
    let joiner = if lang == Language::English { " to " } else { " a " };
    let ranges: Vec<String> = h
        .ranges
        .iter()
        .map(|r| format!("{}{joiner}{}", time_words(r.start_minute(), lang), time_words(r.end_minute(), lang)))
        .collect();
    format!("{name} {}: {}{why}", h.date, ranges.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_naturally() {
        assert_eq!(time_words(9 * 60, Language::English), "9 am");
        assert_eq!(time_words(13 * 60 + 30, Language::English), "1:30 pm");
        assert_eq!(time_words(12 * 60, Language::English), "12 pm");
        assert_eq!(time_words(0, Language::English), "12 am");
        assert_eq!(time_words(1440, Language::English), "midnight");
        assert_eq!(time_words(18 * 60, Language::Spanish), "18:00");
    }
}
