//! What residents searched for: one event per search and per answer
//! followed, recorded by the server (its `/api/search`, and the widget's
//! `/api/events` when a page opts in), read by the report's "what residents
//! asked", and deleted after the retention period.
//!
//! No event names a person. There is no address, cookie, account or key
//! field. The page is kept without its query string or fragment. In the
//! question, e-mail addresses and runs of three digits or more (house
//! numbers, phone numbers, account numbers) become `#`.

use civic311::{Error, ErrorKind, Result};
use jiff::Timestamp;

use crate::Store;
use crate::db::{Mode, Value};
use crate::rows::seconds;

/// The longest question kept, in characters.
const MAX_QUERY: usize = 200;

/// One search, or one answer followed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchEvent {
    pub at: Option<Timestamp>,
    /// `search` or `follow`.
    pub kind: SearchEventKind,
    /// The question as typed; [`scrub`] is applied when it is recorded.
    pub query: String,
    pub lang: Option<String>,
    /// For a search: how many answers, and the first one's `kind:id` and score.
    pub answers: Option<u32>,
    pub top: Option<String>,
    pub top_score: Option<f32>,
    /// For a follow: the answer followed, as `kind:id`.
    pub followed: Option<String>,
    /// The page it was asked on; its query string and fragment are dropped.
    pub page: Option<String>,
    /// `api` or `widget`.
    pub source: String,
}

/// What a search event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SearchEventKind {
    #[default]
    Search,
    Follow,
}

impl SearchEventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SearchEventKind::Search => "search",
            SearchEventKind::Follow => "follow",
        }
    }

    pub fn parse(s: &str) -> Option<SearchEventKind> {
        match s {
            "search" => Some(SearchEventKind::Search),
            "follow" => Some(SearchEventKind::Follow),
            _ => None,
        }
    }
}

/// A question without what could name a person: e-mail addresses and runs
/// of three digits or more (with the separators of phone numbers inside
/// them) become `#`; spaces are collapsed; at most 200 characters.
///
/// ```
/// use civic311_store::scrub;
/// assert_eq!(scrub("pothole at 1234 Maple  Ave, call 555-867-5309"), "pothole at # Maple Ave, call #");
/// assert_eq!(scrub("mail ana.q@example.org about route 9"), "mail # about route 9");
/// ```
pub fn scrub(query: &str) -> String {
    let mut words = Vec::new();
    for word in query.split_whitespace() {
        if word.contains('@') && word.contains('.') {
            words.push("#".to_string());
            continue;
        }
        let mut out = String::new();
        let chars: Vec<char> = word.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            if chars[i].is_ascii_digit() {
                // A run of digits, with the separators a phone number has inside it.
                let mut j = i;
                let mut digits = 0;
                while j < chars.len()
                    && (chars[j].is_ascii_digit()
                        || (digits > 0
                            && "-.()".contains(chars[j])
                            && chars.get(j + 1).is_some_and(|c| c.is_ascii_digit())))
                {
                    digits += usize::from(chars[j].is_ascii_digit());
                    j += 1;
                }
                if digits >= 3 {
                    out.push('#');
                } else {
                    out.extend(&chars[i..j]);
                }
                i = j;
            } else {
                out.push(chars[i]);
                i += 1;
            }
        }
        words.push(out);
    }
    // Numbers split by spaces ("555 867 5309") are one number.
    let mut joined: Vec<String> = Vec::new();
    for w in words {
        let short_number = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || c == '#');
        if short_number(&w) && joined.last().is_some_and(|l| short_number(l) && (l.contains('#') || w.contains('#'))) {
            if let Some(last) = joined.last_mut() {
                *last = "#".into();
            }
            continue;
        }
        joined.push(w);
    }
    let text = joined.join(" ");
    match text.char_indices().nth(MAX_QUERY) {
        Some((at, _)) => text[..at].to_string(),
        None => text,
    }
}

impl SearchEvent {
    /// Whether it may be recorded: a question left after scrubbing, and
    /// for a follow, the answer followed.
    pub fn check(&self) -> Result<()> {
        if scrub(&self.query).is_empty() {
            return Err(Error::new(ErrorKind::Query, "the search event has no question; give what was searched for"));
        }
        if self.kind == SearchEventKind::Follow && self.followed.as_deref().is_none_or(|f| f.trim().is_empty()) {
            return Err(Error::new(ErrorKind::Query, "a follow event names the answer followed, as kind:id"));
        }
        Ok(())
    }
}

/// The row of an event, its text scrubbed and clipped.
fn values(event: &SearchEvent) -> Vec<Value> {
    let clip = |s: &Option<String>, n: usize| s.as_deref().map(|s| s.trim().chars().take(n).collect::<String>());
    let at = event.at.unwrap_or_else(Timestamp::now);
    vec![
        Value::Int(seconds(at)),
        event.kind.as_str().into(),
        scrub(&event.query).into(),
        clip(&event.lang, 8).into(),
        event.answers.map(|n| Value::Int(i64::from(n))).unwrap_or(Value::Null),
        clip(&event.top, 200).into(),
        event.top_score.filter(|s| s.is_finite()).map(f64::from).into(),
        clip(&event.followed, 200).into(),
        event.page.as_deref().and_then(page_only).into(),
        event.source.chars().take(16).collect::<String>().into(),
    ]
}

/// A page address without its query string or fragment (they may carry
/// whatever the site put there, personal data included), at most 500
/// characters: what search events and inquiries keep of a page.
pub(crate) fn page_only(page: &str) -> Option<String> {
    let page = page.split(['?', '#']).next().unwrap_or_default().trim();
    (!page.is_empty()).then(|| page.chars().take(500).collect())
}

/// A search event as the report reads it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StoredSearch {
    pub at: i64,
    pub kind: String,
    pub query: String,
    pub answers: Option<i64>,
    pub top: Option<String>,
    pub followed: Option<String>,
}

impl Store {
    /// Records a search or an answer followed (the question scrubbed, the
    /// page cut to its address).
    pub fn record_search(&self, event: &SearchEvent) -> Result<()> {
        self.record_searches(std::slice::from_ref(event)).map(|_| ())
    }

    /// Records many events in one transaction: all of them, or, when one
    /// is refused ([`SearchEvent::check`]), none.
    pub fn record_searches(&self, events: &[SearchEvent]) -> Result<usize> {
        let rows: Vec<Vec<Value>> = events.iter().map(|e| e.check().map(|_| values(e))).collect::<Result<_>>()?;
        self.transaction(Mode::Write, |c| {
            for row in &rows {
                c.execute(
                    "INSERT INTO search_events (at, kind, query, lang, answers, top_id, top_score, followed, page, source) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    row,
                )?;
            }
            Ok(rows.len())
        })
    }

    /// Deletes the search events from before `before`; how many.
    pub fn prune_searches(&self, before: Timestamp) -> Result<u64> {
        self.autocommit(Mode::Write, |c| {
            c.execute("DELETE FROM search_events WHERE at < ?", &[Value::Int(seconds(before))])
        })
    }

    /// The search events from `from` to `to` (seconds, both included).
    pub(crate) fn searches_between(&self, from: i64, to: i64) -> Result<Vec<StoredSearch>> {
        let rows = self.autocommit(Mode::Read, |c| {
            c.query(
                "SELECT at, kind, query, answers, top_id, followed FROM search_events WHERE at >= ? AND at <= ? ORDER BY at",
                &[Value::Int(from), Value::Int(to)],
            )
        })?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let mut v = row.into_iter();
                let mut next = || v.next().unwrap_or(Value::Null);
                StoredSearch {
                    at: next().int().unwrap_or(0),
                    kind: next().into_text().unwrap_or_default(),
                    query: next().into_text().unwrap_or_default(),
                    answers: next().int(),
                    top: next().into_text(),
                    followed: next().into_text(),
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrubbing_keeps_short_numbers_and_words() {
        assert_eq!(scrub("  route 9   pothole near 5th st "), "route 9 pothole near 5th st");
        assert_eq!(scrub("my account 00123-45 is wrong"), "my account # is wrong");
        assert_eq!(scrub("call me at (555) 867 5309"), "call me at (#) #");
        assert_eq!(scrub("311 hours"), "# hours");
        assert_eq!(scrub(&"a".repeat(500)).chars().count(), 200);
    }
}
