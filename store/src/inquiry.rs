//! Inquiries: questions that no article answered, escalated by
//! [`Engine::answer`](civic311::Engine::answer) to the department that
//! should reply. Each waits in that department's queue with a deadline
//! (the catalog's `[slas] inquiry`, two business days by default) until a
//! reply closes it; the reply is its public note. Notes and transfers
//! between departments are its history, appended to, never changed.
//!
//! An inquiry is not a service request: no Open311 list shows it.
//!
//! ```
//! use civic311::{AnswerOptions, Catalog, Engine};
//! use civic311_store::{Asked, InquiryFilter, InquiryUpdate, Store};
//!
//! let engine = Engine::build(Catalog::riverton()?)?;
//! let store = Store::open("sqlite::memory:")?;
//! let question = "do I need a permit for a garage sale";
//! let reply = engine.answer(question, &AnswerOptions::default())?;
//! let inquiry = store.escalate(&engine, question, &reply, &Asked::default())?;
//! assert_eq!(inquiry.department.as_deref(), Some("permits"));
//!
//! let queue = store.inquiries(&InquiryFilter { department: Some("permits".into()), ..InquiryFilter::default() })?;
//! assert_eq!(queue.len(), 1);
//!
//! let done = store.update_inquiry(
//!     &engine,
//!     &inquiry.id,
//!     InquiryUpdate::by("permits.clerk").reply("No permit is needed for up to two garage sales a year."),
//! )?;
//! assert!(!done.open);
//! # Ok::<(), civic311::Error>(())
//! ```

use civic311::{DateTime, Engine, Error, ErrorKind, Reply, Result};
use jiff::Timestamp;
use serde::Serialize;

use crate::Store;
use crate::db::{Conn, Dialect, Mode, Row, Value, store_error};
use crate::rows::{seconds, timestamp, zone};
use crate::searches::page_only;

/// The longest question kept, in characters (a longer one is cut).
const MAX_QUESTION: usize = 4_000;
/// The longest note or reply kept, in characters.
const MAX_NOTE: usize = 10_000;

/// A question escalated to a department.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Inquiry {
    pub id: String,
    pub question: String,
    pub lang: Option<String>,
    /// Open until replied to.
    pub open: bool,
    pub asked_datetime: DateTime,
    pub updated_datetime: DateTime,
    /// When the reply is due.
    pub reply_by: Option<DateTime>,
    /// The IANA zone its times are shown in.
    pub time_zone: String,
    /// The department whose queue it is in; `None` when no department was
    /// a likely fit (a call-taker assigns one).
    pub department: Option<String>,
    /// The category that named the department.
    pub service_code: Option<String>,
    /// The engine's confidence in its answers (under the threshold).
    pub confidence: f32,
    /// Why it was escalated, in words.
    pub reason: String,
    pub channel: Option<String>,
    /// The page it was asked on, without query string.
    pub page: Option<String>,
    /// The department's reply, public.
    pub reply: Option<String>,
    pub replied_datetime: Option<DateTime>,
    /// Counts its changes; give it back as [`InquiryUpdate::expected_version`].
    pub version: i64,
    /// Its history, oldest first (from [`Store::inquiry`] and
    /// [`Store::update_inquiry`] only).
    pub history: Vec<InquiryEvent>,
    /// The asker's secret ([`Asked::token`]); never serialized.
    #[serde(skip)]
    pub token: Option<String>,
}

impl Inquiry {
    /// Whether it is open past its deadline at `now`.
    pub fn is_overdue(&self, now: Timestamp) -> bool {
        self.open && self.reply_by.is_some_and(|d| d.timestamp() < now)
    }

    /// The reply as a draft article in catalog format: the question as its
    /// title and first phrasing, the department, the reply as its body, and
    /// a comment that it is a draft. An editor finishes it (keywords, other
    /// phrasings, a link). Refused (a [`Lifecycle`](ErrorKind::Lifecycle)
    /// error) before the reply.
    pub fn draft_article(&self) -> Result<DraftArticle> {
        let i = self;
        let reply = i.reply.as_deref().filter(|r| !r.trim().is_empty()).ok_or_else(|| {
            Error::new(
                ErrorKind::Lifecycle,
                format!("inquiry {} has no reply yet; a draft article is made from the department's reply", i.id),
            )
        })?;
        let lang = i.lang.clone().unwrap_or_else(|| "en".into());
        let question = i.question.trim();
        let mut title: String = question.chars().take(120).collect();
        if let Some(first) = title.chars().next() {
            title = first.to_uppercase().chain(title.chars().skip(1)).collect();
        }
        if !title.ends_with(['?', '.', '!']) {
            title.push('?');
        }
        let mut slug = String::new();
        for word in question.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
            let word: String = civic311::analyzer::fold(word).chars().filter(|c| c.is_ascii_alphanumeric()).collect();
            if word.is_empty() || slug.len() + word.len() > 60 {
                continue;
            }
            if !slug.is_empty() {
                slug.push('-');
            }
            slug.push_str(&word);
        }
        let id = format!("{}-{}", i.id.to_lowercase(), if slug.is_empty() { "answer".into() } else { slug });
        let toml_str = |s: &str| toml::Value::String(s.to_string()).to_string();
        let mut text = String::from("+++\n");
        text.push_str(&format!(
            "# A draft from inquiry {}, replied {}; check it, add keywords and phrasings, then publish.\n",
            i.id,
            i.replied_datetime.map(|d| d.to_string()).unwrap_or_default()
        ));
        text.push_str(&format!("id = {}\n", toml_str(&id)));
        text.push_str(&format!("title = {}\n", toml_str(&title)));
        text.push_str(&format!("lang = {}\n", toml_str(&lang)));
        if let Some(d) = &i.department {
            text.push_str(&format!("department = {}\n", toml_str(d)));
        }
        text.push_str(&format!("questions = [{}]\n", toml_str(question)));
        text.push_str("+++\n");
        text.push_str(reply.trim());
        text.push('\n');
        Ok(DraftArticle { id, lang, text })
    }

    /// Whether `token` is the asker's secret (compared in constant time).
    pub fn token_matches(&self, token: &str) -> bool {
        let Some(own) = &self.token else { return false };
        own.len() == token.len() && own.bytes().zip(token.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }
}

/// A department's reply as an article file: its id, its language and the
/// file's text (TOML front matter and Markdown), for `articles/LANG/ID.md`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DraftArticle {
    pub id: String,
    pub lang: String,
    pub text: String,
}

/// One entry of an inquiry's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InquiryEvent {
    pub n: i64,
    pub at: DateTime,
    /// `asked`, `note`, `transferred` or `replied`.
    pub kind: String,
    pub actor: String,
    /// Whether whoever asked may see it (the question and the reply).
    pub public: bool,
    pub note: Option<String>,
    pub department: Option<String>,
}

/// How a question arrived, for [`Store::escalate`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Asked {
    /// `web`, `phone`, `widget`, ...
    pub channel: Option<String>,
    /// The page it was asked on; its query string and fragment are dropped.
    pub page: Option<String>,
    /// When; now when `None`.
    pub at: Option<Timestamp>,
    /// A secret to give whoever asked, with which they may read the reply
    /// ([`Inquiry::token_matches`]); the server makes one per question.
    pub token: Option<String>,
}

/// A change to an inquiry, for [`Store::update_inquiry`]: an internal
/// note, a transfer, and the reply (which closes it).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InquiryUpdate {
    pub actor: String,
    /// An internal note.
    pub note: Option<String>,
    /// Transfer it to this department.
    pub department: Option<String>,
    /// The reply: public, and it closes the inquiry.
    pub reply: Option<String>,
    pub at: Option<Timestamp>,
    /// Refuse the change if the inquiry changed since this version.
    pub expected_version: Option<i64>,
}

impl InquiryUpdate {
    pub fn by(actor: impl Into<String>) -> InquiryUpdate {
        InquiryUpdate { actor: actor.into(), ..InquiryUpdate::default() }
    }

    pub fn note(mut self, text: impl Into<String>) -> InquiryUpdate {
        self.note = Some(text.into());
        self
    }

    pub fn transfer(mut self, department: impl Into<String>) -> InquiryUpdate {
        self.department = Some(department.into());
        self
    }

    pub fn reply(mut self, text: impl Into<String>) -> InquiryUpdate {
        self.reply = Some(text.into());
        self
    }

    pub fn at(mut self, at: Timestamp) -> InquiryUpdate {
        self.at = Some(at);
        self
    }

    pub fn expecting(mut self, version: i64) -> InquiryUpdate {
        self.expected_version = Some(version);
        self
    }
}

/// Which inquiries [`Store::inquiries`] lists: a department's queue by
/// default order (oldest first).
#[derive(Debug, Clone, PartialEq)]
pub struct InquiryFilter {
    pub department: Option<String>,
    /// Open ones only (`Some(true)`, the default), closed ones only, or all (`None`).
    pub open: Option<bool>,
    /// From 1.
    pub page: u32,
    /// 1 to 1000; 50 by default.
    pub page_size: u32,
}

impl Default for InquiryFilter {
    fn default() -> InquiryFilter {
        InquiryFilter { department: None, open: Some(true), page: 1, page_size: 50 }
    }
}

const COLUMNS: &str = "id, question, lang, state, asked_at, updated_at, reply_by, time_zone, department, service_code, \
                       confidence, reason, channel, page, reply, replied_at, version, token";

fn clip(text: &str, max: usize) -> String {
    let text = text.trim();
    match text.char_indices().nth(max) {
        Some((at, _)) => text[..at].to_string(),
        None => text.to_string(),
    }
}

fn not_found(id: &str) -> Error {
    Error::new(ErrorKind::NotFound, format!("no inquiry has id '{}'", clip(id, 64)))
}

impl Store {
    /// Keeps an escalated question as an inquiry in the queue of the
    /// department the reply names, due by the reply's deadline. Refused
    /// (a [`Query`](ErrorKind::Query) error) when the reply answered the
    /// question or was an emergency: only escalations become inquiries.
    pub fn escalate(&self, engine: &Engine, question: &str, reply: &Reply, asked: &Asked) -> Result<Inquiry> {
        let Some(escalation) = &reply.escalation else {
            let why = if reply.emergency.is_some() { "it reads as an emergency (911)" } else { "it was answered" };
            return Err(Error::new(
                ErrorKind::Query,
                format!("the question is not escalated: {why}; only an escalated reply becomes an inquiry"),
            ));
        };
        let question = clip(question, MAX_QUESTION);
        if question.is_empty() {
            return Err(Error::new(ErrorKind::Query, "the question is empty; give the resident's words"));
        }
        let at = asked.at.unwrap_or_else(Timestamp::now);
        let catalog = engine.catalog();
        let dept = escalation.department.as_deref().and_then(|d| catalog.department(d));
        let tz_name = dept
            .and_then(|d| d.calendar.as_deref())
            .and_then(|c| catalog.calendar(c))
            .or_else(|| catalog.calendars().first())
            .map(|c| c.time_zone.clone())
            .unwrap_or_else(|| "UTC".to_string());
        let lang = civic311::analyzer::detect_language(&question).map(|l| l.code().to_string());
        let reply_by = escalation.reply_by.map(|d| seconds(d.timestamp()));
        let actor = asked.channel.clone().unwrap_or_else(|| "api".into());
        self.transaction(Mode::Write, |c| {
            let id = format!("Q{}", next_number(c)?);
            let values: Vec<Value> = vec![
                id.as_str().into(),
                question.as_str().into(),
                lang.clone().into(),
                "open".into(),
                Value::Int(seconds(at)),
                Value::Int(seconds(at)),
                reply_by.map(Value::Int).unwrap_or(Value::Null),
                tz_name.as_str().into(),
                escalation.department.clone().into(),
                escalation.service_code.clone().into(),
                f64::from(reply.confidence).into(),
                escalation.reason.as_str().into(),
                asked.channel.as_deref().map(|c| clip(c, 32)).into(),
                asked.page.as_deref().and_then(page_only).into(),
                Value::Null,
                Value::Null,
                Value::Int(1),
                asked.token.as_deref().map(|t| clip(t, 200)).into(),
            ];
            let marks = vec!["?"; values.len()].join(", ");
            c.execute(&format!("INSERT INTO inquiries ({COLUMNS}) VALUES ({marks})"), &values)?;
            append(c, &id, 1, at, "asked", &actor, true, Some(question.clone()), escalation.department.clone())?;
            read(c, &id)?.ok_or_else(|| not_found(&id))
        })
    }

    /// An inquiry with its history; `None` when no inquiry has that id.
    pub fn inquiry(&self, id: &str) -> Result<Option<Inquiry>> {
        self.transaction(Mode::Read, |c| read(c, id))
    }

    /// Inquiries, oldest first: a department's queue, or every open one.
    /// Without their history.
    pub fn inquiries(&self, filter: &InquiryFilter) -> Result<Vec<Inquiry>> {
        if filter.page == 0 || filter.page_size == 0 || filter.page_size > 1000 {
            return Err(Error::new(
                ErrorKind::Query,
                format!(
                    "page {} of size {}: pages count from 1, and hold 1 to 1000 inquiries",
                    filter.page, filter.page_size
                ),
            ));
        }
        let mut clauses = Vec::new();
        let mut params: Vec<Value> = Vec::new();
        if let Some(d) = &filter.department {
            clauses.push("department = ?");
            params.push(d.as_str().into());
        }
        match filter.open {
            Some(true) => clauses.push("state = 'open'"),
            Some(false) => clauses.push("state = 'closed'"),
            None => {}
        }
        let filter_sql = if clauses.is_empty() { String::new() } else { format!(" WHERE {}", clauses.join(" AND ")) };
        let offset = (filter.page as i64 - 1) * filter.page_size as i64;
        let sql = format!(
            "SELECT {COLUMNS} FROM inquiries{filter_sql} ORDER BY asked_at, id LIMIT {} OFFSET {offset}",
            filter.page_size
        );
        let rows = self.autocommit(Mode::Read, |c| c.query(&sql, &params))?;
        rows.into_iter().map(from_row).collect()
    }

    /// Changes an inquiry: an internal note, a transfer to another of the
    /// catalog's departments, the reply (public; it closes the inquiry).
    /// Returns the inquiry as it now is.
    ///
    /// Refused, with nothing changed: an update that changes nothing, an
    /// unknown department, a reply to a closed inquiry (a
    /// [`Lifecycle`](ErrorKind::Lifecycle) error), a stale version (a
    /// [`Conflict`](ErrorKind::Conflict) error), an unknown id.
    pub fn update_inquiry(&self, engine: &Engine, id: &str, update: InquiryUpdate) -> Result<Inquiry> {
        if update.actor.trim().is_empty() {
            return Err(Error::new(ErrorKind::Query, "an inquiry's change needs its actor: who makes it"));
        }
        let empty = |t: &Option<String>| t.as_deref().is_none_or(|t| t.trim().is_empty());
        if empty(&update.note) && empty(&update.reply) && update.department.is_none() {
            return Err(Error::new(
                ErrorKind::Query,
                "the change changes nothing: give a note, a department or a reply",
            ));
        }
        if let Some(d) = &update.department
            && engine.catalog().department(d).is_none()
        {
            let known: Vec<&str> = engine.catalog().departments().iter().map(|d| d.id.as_str()).collect();
            return Err(Error::new(
                ErrorKind::Query,
                format!("unknown department '{}'; the catalog's are: {}", clip(d, 64), known.join(", ")),
            ));
        }
        let at = update.at.unwrap_or_else(Timestamp::now);
        let actor = clip(&update.actor, 200);
        self.transaction(Mode::Write, |c| {
            let lock = if c.dialect() == Dialect::Postgres { " FOR UPDATE" } else { "" };
            let row = c
                .query_one(&format!("SELECT {COLUMNS} FROM inquiries WHERE id = ?{lock}"), &[id.into()])?
                .ok_or_else(|| not_found(id))?;
            let current = from_row(row)?;
            if let Some(v) = update.expected_version
                && v != current.version
            {
                return Err(Error::new(
                    ErrorKind::Conflict,
                    format!(
                        "inquiry {id} is at version {}, not {v}: it changed since it was read; read it again and redo the change",
                        current.version
                    ),
                ));
            }
            if !current.open {
                return Err(Error::new(
                    ErrorKind::Lifecycle,
                    format!("inquiry {id} was replied to and is closed; a closed inquiry takes no change"),
                ));
            }
            let mut n = c
                .query_one("SELECT COALESCE(MAX(n), 0) FROM inquiry_events WHERE inquiry_id = ?", &[id.into()])?
                .and_then(|r| r[0].int())
                .unwrap_or(0);
            let mut department = current.department.clone();
            if let Some(note) = update.note.as_deref().filter(|t| !t.trim().is_empty()) {
                n += 1;
                append(c, id, n, at, "note", &actor, false, Some(clip(note, MAX_NOTE)), None)?;
            }
            if let Some(d) = &update.department
                && department.as_deref() != Some(d.as_str())
            {
                n += 1;
                append(c, id, n, at, "transferred", &actor, false, None, Some(d.clone()))?;
                department = Some(d.clone());
            }
            let reply = update.reply.as_deref().filter(|t| !t.trim().is_empty()).map(|t| clip(t, MAX_NOTE));
            if let Some(text) = &reply {
                n += 1;
                append(c, id, n, at, "replied", &actor, true, Some(text.clone()), department.clone())?;
            }
            let state = if reply.is_some() { "closed" } else { "open" };
            c.execute(
                "UPDATE inquiries SET state = ?, department = ?, reply = ?, replied_at = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                &[
                    state.into(),
                    department.into(),
                    reply.clone().into(),
                    reply.as_ref().map(|_| Value::Int(seconds(at))).unwrap_or(Value::Null),
                    Value::Int(seconds(at)),
                    id.into(),
                ],
            )?;
            read(c, id)?.ok_or_else(|| not_found(id))
        })
    }
}

fn next_number(c: &mut dyn Conn) -> Result<i64> {
    let row = match c.dialect() {
        Dialect::Sqlite => {
            c.query_one("UPDATE counters SET value = value + 1 WHERE name = 'inquiry' RETURNING value - 1", &[])?
        }
        Dialect::Postgres => c.query_one("SELECT nextval('inquiry_numbers')", &[])?,
    };
    row.and_then(|r| r[0].int()).ok_or_else(|| store_error("the store has no inquiry counter"))
}

#[allow(clippy::too_many_arguments)]
fn append(
    c: &mut dyn Conn,
    id: &str,
    n: i64,
    at: Timestamp,
    kind: &str,
    actor: &str,
    public: bool,
    note: Option<String>,
    department: Option<String>,
) -> Result<()> {
    c.execute(
        "INSERT INTO inquiry_events (inquiry_id, n, at, kind, actor, public, note, department) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        &[
            id.into(),
            Value::Int(n),
            Value::Int(seconds(at)),
            kind.into(),
            actor.into(),
            public.into(),
            note.into(),
            department.into(),
        ],
    )?;
    Ok(())
}

fn read(c: &mut dyn Conn, id: &str) -> Result<Option<Inquiry>> {
    let Some(row) = c.query_one(&format!("SELECT {COLUMNS} FROM inquiries WHERE id = ?"), &[id.into()])? else {
        return Ok(None);
    };
    let mut inquiry = from_row(row)?;
    let tz = zone(&inquiry.time_zone);
    let rows = c.query(
        "SELECT n, at, kind, actor, public, note, department FROM inquiry_events WHERE inquiry_id = ? ORDER BY n",
        &[id.into()],
    )?;
    inquiry.history = rows
        .into_iter()
        .map(|row| {
            let mut v = row.into_iter();
            let mut next = || v.next().unwrap_or(Value::Null);
            InquiryEvent {
                n: next().int().unwrap_or(0),
                at: DateTime::in_zone(timestamp(next().int().unwrap_or(0)), &tz),
                kind: next().into_text().unwrap_or_default(),
                actor: next().into_text().unwrap_or_default(),
                public: next().int().unwrap_or(0) != 0,
                note: next().into_text(),
                department: next().into_text(),
            }
        })
        .collect();
    Ok(Some(inquiry))
}

fn from_row(row: Row) -> Result<Inquiry> {
    let mut v = row.into_iter();
    let mut next = || v.next().unwrap_or(Value::Null);
    let id = next().into_text().ok_or_else(|| store_error("an inquiry without id"))?;
    let question = next().into_text().unwrap_or_default();
    let lang = next().into_text();
    let state = next().into_text().unwrap_or_default();
    let asked = next().int().unwrap_or(0);
    let updated = next().int().unwrap_or(asked);
    let reply_by = next().int();
    let time_zone = next().into_text().unwrap_or_else(|| "UTC".into());
    let tz = zone(&time_zone);
    let at = |s: i64| DateTime::in_zone(timestamp(s), &tz);
    Ok(Inquiry {
        question,
        lang,
        open: state != "closed",
        asked_datetime: at(asked),
        updated_datetime: at(updated),
        reply_by: reply_by.map(at),
        department: next().into_text(),
        service_code: next().into_text(),
        confidence: next().real().unwrap_or(0.0) as f32,
        reason: next().into_text().unwrap_or_default(),
        channel: next().into_text(),
        page: next().into_text(),
        reply: next().into_text(),
        replied_datetime: next().int().map(at),
        version: next().int().unwrap_or(1),
        token: next().into_text(),
        history: Vec::new(),
        time_zone,
        id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_lose_their_query_strings() {
        assert_eq!(
            page_only("https://riverton.gov/parks?email=a@b.c#top").as_deref(),
            Some("https://riverton.gov/parks")
        );
        assert_eq!(page_only("  ?x=1"), None);
    }

    #[test]
    fn long_texts_are_cut_on_characters() {
        assert_eq!(clip("  añob ", 2), "añ");
    }
}
