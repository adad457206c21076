//! Answer search: residents ask in their own words, with typos, in English
//! or Spanish, and the answer (an article, a service to report, a facility)
//! comes first.
//!
//! The index is tantivy's, over fields cut by the shared
//! [analyzer](crate::analyzer): title and questions weigh more than
//! keywords, which weigh more than the body. On top of BM25:
//! - **synonyms** from the catalog's groups ("trash" finds "garbage"; "couch"
//!   implies "bulky item");
//! - **misspellings** corrected against the index's own words ("potole",
//!   "grafitti", "recyling"), only for words the index does not know, so
//!   exact matches are never drowned;
//! - **language**: a query is analyzed as English, Spanish, or both when it
//!   cannot be told;
//! - **hours**: facilities answer "is it open" from their hours, holidays
//!   and exceptions, in their own time zone.
//!
//! ```
//! use civic311::{Catalog, Engine, SearchOptions};
//!
//! let engine = Engine::build(Catalog::riverton()?)?;
//! let answers = engine.search("how do i report a potole", &SearchOptions::default())?;
//! assert_eq!(answers[0].id, "ST-POTHOLE");
//! assert!(answers[0].snippet.contains("<mark>"));
//! # Ok::<(), civic311::Error>(())
//! ```

mod documents;
pub(crate) mod index;
mod query;
mod snippet;
mod suggest;
mod vocabulary;

use serde::Serialize;

pub use snippet::{SNIPPET_CHARS, escape_html};
pub use suggest::Completion;

pub(crate) use documents::{AnswerDoc, answer_docs};
pub(crate) use index::SearchIndex;
pub(crate) use query::SynonymIndex;
pub(crate) use suggest::Suggester;

/// What an answer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AnswerKind {
    /// A knowledge article.
    Article,
    /// A service category: the answer is to report it.
    Service,
    /// A place, with its hours.
    Facility,
}

impl AnswerKind {
    pub const NAMES: &'static [&'static str] = &["article", "service", "facility"];

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    pub fn parse(s: &str) -> Option<AnswerKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "article" => Some(AnswerKind::Article),
            "service" => Some(AnswerKind::Service),
            "facility" => Some(AnswerKind::Facility),
            _ => None,
        }
    }
}

/// A facility's opening status, with the words to show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FacilityHours {
    pub open_now: bool,
    /// "Open now, closes at 6 pm" or "Closed now, opens Monday at 9 am".
    pub status: String,
    /// The hours of the day asked about (or today), such as "Sunday: 1 pm to 5 pm".
    pub day: String,
}

/// One answer to a question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answer {
    /// The article id, service code or facility id.
    pub id: String,
    pub kind: AnswerKind,
    pub title: String,
    /// HTML: the best passage with matched words in `<mark>`, every other
    /// character escaped. Safe to insert into a page.
    pub snippet: String,
    pub url: Option<String>,
    pub score: f32,
    /// The language of an article; `None` for services and facilities.
    pub lang: Option<String>,
    pub department: Option<String>,
    /// The service to report: the service itself, or the one an article explains.
    pub service_code: Option<String>,
    /// For facilities: open or closed now, and the hours of the day asked about.
    pub hours: Option<FacilityHours>,
}

/// Options of [`Engine::search`](crate::Engine::search).
#[derive(Debug, Clone, PartialEq)]
pub struct SearchOptions {
    /// How many answers at most (default 5, at most 100).
    pub limit: usize,
    /// Only articles in this language ("en", "es"); services and facilities
    /// serve every language. The query is then analyzed in it too.
    pub lang: Option<String>,
    /// Only these kinds of answer (all when empty).
    pub kinds: Vec<AnswerKind>,
    /// Only answers of this department.
    pub department: Option<String>,
    /// The instant "open now" is computed at (default: now).
    pub now: Option<jiff::Timestamp>,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions { limit: 5, lang: None, kinds: Vec::new(), department: None, now: None }
    }
}

/// The most answers one search returns.
pub const MAX_LIMIT: usize = 100;

pub(crate) use query::{
    AnalyzedQuery, DayAsked, MAX_QUERY_BYTES, analyze, build as build_query, truncate as truncate_query,
};
pub(crate) use snippet::{BodyTokens, snippet, stem_hash, stem_hashes};
pub(crate) use vocabulary::osa_distance;
