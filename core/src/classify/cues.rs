//! The triage's cue tables, as data: `core/data/triage-cues.toml` (compiled
//! in, read on an engine's first triage) and, for local dangers, a catalog's
//! own `triage.toml` (`[[cue]]` and `[[warning]]` tables in the same format,
//! read and checked with the rest of the catalog). The file's header says
//! what each table means; docs/classify.md says how to add a cue.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};
use toml::Spanned;
use toml::de::DeTable;

use crate::analyzer::fold;
use crate::catalog::FileCtx;
use crate::error::{Error, ErrorKind, Problem, Result};

/// The library's cue tables.
const BUILTIN: &str = include_str!("../../data/triage-cues.toml");
/// Where they are, for error messages.
pub(crate) const BUILTIN_PATH: &str = "core/data/triage-cues.toml";
/// The widest a cue's window may be, in words.
pub(crate) const MAX_WINDOW: usize = 12;

/// An emergency cue (or a warning's danger words): every slot must be
/// matched (by one of its words) within `window` words, and no cancelling
/// word may follow the first slot's word (`cancel_next`) or stand near it
/// (`cancel_near`). Words are folded; a word ending in `*` is a stem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Cue {
    pub name: String,
    pub slots: Vec<Vec<String>>,
    pub window: usize,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cancel_next: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cancel_near: Vec<String>,
}

/// A catalog's own cues (its `triage.toml`), added to the library's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct LocalCues {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cues: Vec<Cue>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Cue>,
}

impl LocalCues {
    pub(crate) fn is_empty(&self) -> bool {
        self.cues.is_empty() && self.warnings.is_empty()
    }
}

/// Everything the triage's rules read.
#[derive(Debug, Clone)]
pub(crate) struct Tables {
    /// Emergency cues, then a catalog's.
    pub cues: Vec<Cue>,
    /// Danger words that are asked about, then a catalog's.
    pub warnings: Vec<Cue>,
    /// (name, phrases): telling of the past, a habit, what might happen.
    pub tempering: Vec<(String, Vec<Vec<String>>)>,
    /// Phrases that say it is happening now.
    pub now: Vec<Vec<String>>,
    pub question_starts: Vec<String>,
    pub report_markers: Vec<String>,
}

/// The library's tables, read once.
pub(crate) fn builtin() -> Result<Arc<Tables>> {
    static TABLES: OnceLock<Result<Arc<Tables>>> = OnceLock::new();
    TABLES
        .get_or_init(|| {
            let mut problems = Vec::new();
            let tables = read_builtin(&mut problems);
            match tables {
                Some(t) if problems.is_empty() => Ok(Arc::new(t)),
                _ => Err(Error::new(
                    ErrorKind::Model,
                    format!("the library's triage cues do not read: {}", show(&problems)),
                )),
            }
        })
        .clone()
}

/// The library's tables with a catalog's cues added.
pub(crate) fn with_local(local: &LocalCues) -> Result<Arc<Tables>> {
    let builtin = builtin()?;
    if local.is_empty() {
        return Ok(builtin);
    }
    let mut tables = (*builtin).clone();
    tables.cues.extend(local.cues.iter().cloned());
    tables.warnings.extend(local.warnings.iter().cloned());
    Ok(Arc::new(tables))
}

fn show(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("{}:{}: {}: {}", p.file, p.line.unwrap_or(0), p.field, p.message))
        .collect::<Vec<_>>()
        .join("; ")
}

fn read_builtin(problems: &mut Vec<Problem>) -> Option<Tables> {
    let mut ctx = FileCtx::new(BUILTIN_PATH, BUILTIN, 0, problems);
    let doc = ctx.parse_toml(BUILTIN)?;
    ctx.check_keys(&doc, &["words", "now", "questions", "tempering", "cue", "warning"]);
    let words = read_words(&mut ctx, &doc);
    let (cues, warnings) = read_cue_arrays(&mut ctx, &doc, &words);
    let now: RawNow = ctx.table(&doc, "now")?;
    let questions: RawQuestions = ctx.table(&doc, "questions")?;
    let now = phrases(&mut ctx, &now.phrases, "now.phrases", &words);
    let question_starts = word_list(&mut ctx, &questions.starts, "questions.starts", &words);
    let report_markers = word_list(&mut ctx, &questions.report_markers, "questions.report_markers", &words);
    let mut tempering = Vec::new();
    for (i, _, raw) in ctx.array::<RawTempering>(&doc, "tempering", "name", &mut Vec::new()) {
        let list = phrases(&mut ctx, &raw.phrases, &format!("tempering[{i}].phrases"), &words);
        tempering.push((raw.name, list));
    }
    Some(Tables { cues, warnings, tempering, now, question_starts, report_markers })
}

/// Reads a catalog's `triage.toml`: its `[[cue]]` and `[[warning]]` tables
/// (and the `[words]` lists they name), with every problem recorded.
pub(crate) fn read_local(ctx: &mut FileCtx<'_>, text: &str) -> LocalCues {
    let Some(doc) = ctx.parse_toml(text) else { return LocalCues::default() };
    for key in doc.keys() {
        let name: &str = key.get_ref();
        if matches!(name, "now" | "questions" | "tempering") {
            ctx.at(
                Some(&key.span()),
                name,
                format!(
                    "a catalog's triage.toml adds [[cue]] and [[warning]] tables (and [words]); '{name}' is the library's own ({BUILTIN_PATH})"
                ),
            );
        }
    }
    ctx.check_keys(&doc, &["words", "cue", "warning", "now", "questions", "tempering"]);
    let words = read_words(ctx, &doc);
    let (cues, warnings) = read_cue_arrays(ctx, &doc, &words);
    LocalCues { cues, warnings }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCue {
    name: Spanned<String>,
    slots: Spanned<Vec<Vec<String>>>,
    window: Spanned<i64>,
    #[serde(default)]
    cancel_next: Vec<String>,
    #[serde(default)]
    cancel_near: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTempering {
    name: String,
    phrases: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNow {
    phrases: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestions {
    starts: Vec<String>,
    report_markers: Vec<String>,
}

fn read_words(ctx: &mut FileCtx<'_>, doc: &DeTable<'_>) -> BTreeMap<String, Vec<String>> {
    ctx.table::<BTreeMap<String, Vec<String>>>(doc, "words").unwrap_or_default()
}

fn read_cue_arrays(
    ctx: &mut FileCtx<'_>,
    doc: &DeTable<'_>,
    words: &BTreeMap<String, Vec<String>>,
) -> (Vec<Cue>, Vec<Cue>) {
    let mut out = [Vec::new(), Vec::new()];
    for (slot, key) in ["cue", "warning"].into_iter().enumerate() {
        // Note: a warning may share a cue's name ("someone hurt"): the
        // reason reads the same whichever found it.
        let mut names: Vec<String> = Vec::new();
        for (i, span, raw) in ctx.array::<RawCue>(doc, key, "name", &mut Vec::new()) {
            let field = format!("{key}[{i}]");
            let name = raw.name.get_ref().trim().to_string();
            if name.is_empty() {
                ctx.at(
                    Some(&raw.name.span()),
                    format!("{field}.name"),
                    "a cue needs a name: what the triage gives as its reason, such as \"levee breach\"",
                );
                continue;
            }
            if names.contains(&name) {
                ctx.at(
                    Some(&raw.name.span()),
                    format!("{field}.name"),
                    format!("the name '{name}' is used twice among the [[{key}]] tables; give each its own"),
                );
                continue;
            }
            names.push(name.clone());
            let window = *raw.window.get_ref();
            if !(1..=MAX_WINDOW as i64).contains(&window) {
                ctx.at(
                    Some(&raw.window.span()),
                    format!("{field}.window"),
                    format!(
                        "window = {window}; use 1 to {MAX_WINDOW} (words between the first slot's word and the others)"
                    ),
                );
                continue;
            }
            if raw.slots.get_ref().is_empty() || raw.slots.get_ref().iter().any(Vec::is_empty) {
                ctx.at(
                    Some(&raw.slots.span()),
                    format!("{field}.slots"),
                    "slots must list at least one slot, each with at least one word, such as [[\"levee\"], [\"breach\", \"breached\", \"overtopping\"]]",
                );
                continue;
            }
            let before = ctx.problems.len();
            let slots: Vec<Vec<String>> = raw
                .slots
                .get_ref()
                .iter()
                .enumerate()
                .map(|(s, list)| word_list(ctx, list, &format!("{field}.slots[{s}]"), words))
                .collect();
            let cancel_next = word_list(ctx, &raw.cancel_next, &format!("{field}.cancel_next"), words);
            let cancel_near = word_list(ctx, &raw.cancel_near, &format!("{field}.cancel_near"), words);
            if ctx.problems.len() > before {
                // Note: word problems carry no line of their own; point at the table.
                for p in &mut ctx.problems[before..] {
                    p.line = p.line.or(Some(ctx.lines.line_of(span.start)));
                }
                continue;
            }
            out[slot].push(Cue { name, slots, window: window as usize, cancel_next, cancel_near });
        }
    }
    let [cues, warnings] = out;
    (cues, warnings)
}

/// A list of words, folded, with `@name` lists expanded; a problem for
/// each entry that is not one word.
fn word_list(
    ctx: &mut FileCtx<'_>,
    list: &[String],
    field: &str,
    words: &BTreeMap<String, Vec<String>>,
) -> Vec<String> {
    let mut out = Vec::new();
    for entry in list {
        if let Some(name) = entry.strip_prefix('@') {
            match words.get(name) {
                Some(named) => {
                    for w in named {
                        push_word(ctx, w, field, &mut out);
                    }
                }
                None => ctx.at(
                    None,
                    field,
                    format!(
                        "'{entry}' names no list; define it under [words] ({name} = [\"...\"]) or write the words here"
                    ),
                ),
            }
        } else {
            push_word(ctx, entry, field, &mut out);
        }
    }
    out
}

fn push_word(ctx: &mut FileCtx<'_>, word: &str, field: &str, out: &mut Vec<String>) {
    match cue_word(word) {
        Ok(w) => out.push(w),
        Err(why) => ctx.at(None, field, why),
    }
}

/// A cue word as the triage compares it: folded (lowercase, no accents),
/// apostrophes dropped; one word of letters and digits, optionally a stem
/// ending in `*` of at least three letters.
pub(crate) fn cue_word(word: &str) -> std::result::Result<String, String> {
    let folded: String = fold(word.trim()).chars().filter(|c| *c != '\'' && *c != '’').collect();
    let (body, stem) = match folded.strip_suffix('*') {
        Some(b) => (b, true),
        None => (folded.as_str(), false),
    };
    if body.is_empty() {
        return Err(format!("'{word}' is empty; write a word residents use"));
    }
    if !body.chars().all(char::is_alphanumeric) {
        return Err(format!(
            "'{word}' is not one word: list single words, and write a phrase such as \"mine shaft\" as two slots, [\"mine\"], [\"shaft\"]"
        ));
    }
    if stem && body.chars().count() < 3 {
        return Err(format!("'{word}' is too short a stem; a stem needs at least three letters before the *"));
    }
    Ok(folded)
}

/// Phrases: runs of words separated by spaces.
fn phrases(
    ctx: &mut FileCtx<'_>,
    list: &[String],
    field: &str,
    words: &BTreeMap<String, Vec<String>>,
) -> Vec<Vec<String>> {
    list.iter()
        .map(|p| {
            let parts: Vec<String> = p.split_whitespace().map(str::to_string).collect();
            word_list(ctx, &parts, field, words)
        })
        .filter(|p| !p.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_library_tables_read_without_problems() {
        let t = builtin().unwrap();
        assert!(t.cues.len() >= 39 && t.warnings.len() >= 10, "{} cues, {} warnings", t.cues.len(), t.warnings.len());
        assert_eq!(t.tempering.len(), 3);
        let fire = t.cues.iter().find(|c| c.name == "fire").unwrap();
        assert!(fire.cancel_next.contains(&"hydrant".to_string()), "@fire_next expanded");
        assert!(t.tempering[0].1.contains(&vec!["back".to_string(), "in".to_string()]));
    }

    #[test]
    fn words_are_folded_and_checked() {
        assert_eq!(cue_word("Señal").unwrap(), "senal");
        assert_eq!(cue_word("isn't").unwrap(), "isnt");
        assert_eq!(cue_word("convuls*").unwrap(), "convuls*");
        assert!(cue_word("mine shaft").unwrap_err().contains("two slots"));
        assert!(cue_word("a*").unwrap_err().contains("three letters"));
        assert!(cue_word(" ").unwrap_err().contains("empty"));
    }

    #[test]
    fn a_catalog_file_with_problems_names_each() {
        let text = r#"
[words]
water = ["agua", "water"]

[[cue]]
name = "levee breach"
slots = [["levee", "dique"], ["breach", "breached", "@water"]]
window = 4

[[cue]]
name = "levee breach"
slots = [["x"]]
window = 1

[[warning]]
name = "shaft"
slots = [["mine shaft"]]
window = 30

[[warning]]
name = "pit"
slots = [["@nothing"]]
window = 2

[tempering]
"#;
        let mut problems = Vec::new();
        let mut ctx = FileCtx::new("triage.toml", text, 0, &mut problems);
        let local = read_local(&mut ctx, text);
        assert_eq!(local.cues.len(), 1);
        assert_eq!(local.cues[0].slots[1], ["breach", "breached", "agua", "water"]);
        let all = show(&problems);
        assert!(all.contains("used twice among the [[cue]] tables"), "{all}");
        assert!(all.contains("window = 30"), "{all}");
        assert!(all.contains("'@nothing' names no list"), "{all}");
        assert!(all.contains("'tempering' is the library's own"), "{all}");
        assert!(problems.iter().all(|p| p.line.is_some()), "{all}");
    }
}
