//! The report's "what residents asked": the searches of the period grouped
//! by what they ask, the groups nothing answers well with the department
//! that should know (the articles to write), and how departments replied
//! to the questions escalated to them.

use std::collections::HashMap;

use civic311::{AnswerOptions, Engine, Result};
use jiff::Timestamp;
use serde::Serialize;

use crate::Store;
use crate::db::{Mode, Value};
use crate::searches::StoredSearch;

/// How many groups each list keeps.
const LISTED: usize = 20;

/// What residents asked in the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Questions {
    /// Searches recorded, and answers followed.
    pub searches: u64,
    pub follows: u64,
    /// Distinct questions (groups of wordings).
    pub groups: u64,
    /// The most asked, most first.
    pub top: Vec<QuestionGroup>,
    /// The most asked of those no answer covers well (confidence under 0.5,
    /// or no answer at all): the articles to write, with the department
    /// that should write each.
    pub unanswered: Vec<QuestionGroup>,
    /// Questions escalated in the period, by department and overall (`"(all)"`).
    pub inquiries: Vec<InquiryLevel>,
}

/// One question, in all its wordings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionGroup {
    /// Its most frequent wording.
    pub question: String,
    /// What groups its wordings: the stems ([`Engine::question_key`]), or
    /// the lowercased words without an engine.
    pub key: String,
    pub count: u64,
    /// Up to three other wordings.
    pub forms: Vec<String>,
    /// Searches of it that found no answer, and answers followed from it.
    pub no_answers: u64,
    pub followed: u64,
    /// With an engine: its best answer today (`kind:id`), the confidence
    /// that it answers, and the department that should know.
    pub top_answer: Option<String>,
    pub confidence: Option<f32>,
    pub department: Option<String>,
    pub department_name: Option<String>,
}

/// How a department replied to the questions escalated to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InquiryLevel {
    pub department: String,
    pub asked: u64,
    pub replied: u64,
    /// Replied by the deadline, of those replied or past their deadline.
    pub replied_in_time: u64,
    pub in_time_percent: Option<f64>,
    pub open: u64,
    /// Open past the deadline at the report's `now`.
    pub overdue: u64,
    /// Hours from the question to the reply, median.
    pub reply_hours_p50: Option<f64>,
}

struct Group {
    forms: HashMap<String, u64>,
    count: u64,
    no_answers: u64,
    followed: u64,
}

/// A wording of a question: lowercased, its spaces collapsed, without the
/// question or exclamation marks around it.
fn wording(query: &str) -> String {
    let text = query.to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ");
    text.trim_matches(|c: char| c.is_whitespace() || "?!.¿¡".contains(c)).to_string()
}

pub(crate) fn build(
    store: &Store,
    engine: Option<&Engine>,
    from: i64,
    to: i64,
    now: Timestamp,
    departments: &[String],
) -> Result<Questions> {
    let events = store.searches_between(from, to)?;
    // Residents ask the same words again and again: each wording is
    // analyzed once.
    let mut keys: HashMap<String, String> = HashMap::new();
    let mut key = |q: &str| -> String {
        if let Some(k) = keys.get(q) {
            return k.clone();
        }
        let k = match engine {
            Some(e) => e.question_key(q),
            None => wording(q),
        };
        keys.insert(q.to_string(), k.clone());
        k
    };
    let mut groups: HashMap<String, Group> = HashMap::new();
    let (mut searches, mut follows) = (0u64, 0u64);
    for StoredSearch { kind, query, answers, followed, .. } in events {
        let k = key(&query);
        if k.is_empty() {
            continue;
        }
        let g =
            groups.entry(k).or_insert_with(|| Group { forms: HashMap::new(), count: 0, no_answers: 0, followed: 0 });
        if kind == "follow" {
            follows += 1;
            g.followed += u64::from(followed.is_some());
            continue;
        }
        searches += 1;
        g.count += 1;
        g.no_answers += u64::from(answers == Some(0));
        *g.forms.entry(wording(&query)).or_default() += 1;
    }
    let distinct = groups.values().filter(|g| g.count > 0).count() as u64;
    let mut ranked: Vec<(String, Group)> = groups.into_iter().filter(|(_, g)| g.count > 0).collect();
    ranked.sort_by(|a, b| b.1.count.cmp(&a.1.count).then_with(|| a.0.cmp(&b.0)));
    let describe = |key: &str, g: &Group| -> Result<QuestionGroup> {
        let mut forms: Vec<(&String, &u64)> = g.forms.iter().collect();
        forms.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
        let question = forms.first().map(|(f, _)| (*f).clone()).unwrap_or_default();
        let mut group = QuestionGroup {
            question: question.clone(),
            key: key.to_string(),
            count: g.count,
            forms: forms.iter().skip(1).take(3).map(|(f, _)| (*f).clone()).collect(),
            no_answers: g.no_answers,
            followed: g.followed,
            top_answer: None,
            confidence: None,
            department: None,
            department_name: None,
        };
        if let Some(engine) = engine {
            // Escalated at any confidence, so that the department is named.
            let options = AnswerOptions { min_confidence: 1.0, now: Some(now), ..AnswerOptions::default() };
            let reply = engine.answer(&question, &options)?;
            group.top_answer = reply.answers.first().map(|a| format!("{}:{}", a.kind.as_str(), a.id));
            group.confidence = Some(reply.confidence);
            if let Some(e) = reply.escalation {
                group.department_name = e.department_name;
                group.department = e.department;
            }
        }
        Ok(group)
    };
    let mut top = Vec::new();
    for (k, g) in ranked.iter().take(LISTED) {
        top.push(describe(k, g)?);
    }
    // The unanswered: no engine can only tell searches that found nothing.
    let mut unanswered = Vec::new();
    // Note: the most asked 200 are looked at; a question asked less is not
    // yet the article most worth writing.
    for (k, g) in ranked.iter().take(10 * LISTED) {
        if unanswered.len() == LISTED {
            break;
        }
        let group = match top.iter().find(|t| &t.key == k) {
            Some(t) => t.clone(),
            None => describe(k, g)?,
        };
        let weak = match group.confidence {
            Some(c) => c < civic311::answer::DEFAULT_MIN_CONFIDENCE,
            None => g.no_answers * 2 > g.count,
        };
        let ours = departments.is_empty() || group.department.as_ref().is_some_and(|d| departments.contains(d));
        if weak && ours {
            unanswered.push(group);
        }
    }
    let inquiries = inquiry_levels(store, from, to, now, departments)?;
    Ok(Questions { searches, follows, groups: distinct, top, unanswered, inquiries })
}

fn inquiry_levels(
    store: &Store,
    from: i64,
    to: i64,
    now: Timestamp,
    departments: &[String],
) -> Result<Vec<InquiryLevel>> {
    let rows = store.autocommit(Mode::Read, |c| {
        c.query(
            "SELECT department, asked_at, reply_by, replied_at, state FROM inquiries WHERE asked_at >= ? AND asked_at <= ?",
            &[Value::Int(from), Value::Int(to)],
        )
    })?;
    let now = now.as_second();
    let mut by: HashMap<String, (InquiryLevel, Vec<f64>)> = HashMap::new();
    for row in rows {
        let mut v = row.into_iter();
        let mut next = || v.next().unwrap_or(Value::Null);
        let department = next().into_text().unwrap_or_else(|| super::NONE.to_string());
        if !departments.is_empty() && !departments.contains(&department) {
            continue;
        }
        let asked = next().int().unwrap_or(0);
        let due = next().int();
        let replied = next().int();
        let open = next().into_text().as_deref() != Some("closed");
        for name in [department.clone(), super::ALL.to_string()] {
            let (level, hours) = by.entry(name.clone()).or_insert_with(|| {
                (
                    InquiryLevel {
                        department: name,
                        asked: 0,
                        replied: 0,
                        replied_in_time: 0,
                        in_time_percent: None,
                        open: 0,
                        overdue: 0,
                        reply_hours_p50: None,
                    },
                    Vec::new(),
                )
            });
            level.asked += 1;
            if let Some(r) = replied {
                level.replied += 1;
                hours.push((r - asked) as f64 / 3600.0);
                level.replied_in_time += u64::from(due.is_none_or(|d| r <= d));
            }
            if open {
                level.open += 1;
                level.overdue += u64::from(due.is_some_and(|d| d < now));
            }
        }
    }
    let mut levels: Vec<InquiryLevel> = by
        .into_values()
        .map(|(mut level, mut hours)| {
            let decided = level.replied + level.overdue;
            level.in_time_percent = (decided > 0).then(|| 100.0 * level.replied_in_time as f64 / decided as f64);
            hours.sort_by(f64::total_cmp);
            level.reply_hours_p50 = super::quantile(&hours, 0.5);
            level
        })
        .collect();
    levels.sort_by(|a, b| {
        (a.department == super::ALL).cmp(&(b.department == super::ALL)).then(a.department.cmp(&b.department))
    });
    Ok(levels)
}
