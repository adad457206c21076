//! The triage's cue tables, as data: `core/data/triage-cues.toml` (compiled
//! in, read on an engine's first triage) and, for local dangers, a catalog's
//! own `triage.toml` (`[[cue]]` and `[[warning]]` tables in the same format,
//! read and checked with the rest of the catalog). The file's header says
//! what each table means; docs/classify.md says how to add a cue.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::analyzer::fold;
use crate::catalog::FileCtx;
use crate::error::{Error, ErrorKind, Result};

/// The library's tables: `core/data/triage-cues.toml`, as the compact text
/// build.rs makes of it (its header gives the lines' form).
const BUILTIN: &str = include_str!(concat!(env!("OUT_DIR"), "/triage-cues.txt"));
/// Where they are written, for error messages.
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
#[derive(Debug, Clone, Default)]
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
            parse_builtin(BUILTIN).map(Arc::new).ok_or_else(|| {
                Error::new(
                    ErrorKind::Model,
                    format!("the library's triage cues ({BUILTIN_PATH}) do not read; rebuild the library"),
                )
            })
        })
        .clone()
}

/// Reads the text build.rs made of the library's file: `None` if a line is
/// not of its form (build.rs only writes well-formed ones).
fn parse_builtin(text: &str) -> Option<Tables> {
    let words = |s: &str| -> Vec<String> { s.split(' ').filter(|w| !w.is_empty()).map(str::to_string).collect() };
    let phrases = |s: &str| -> Vec<Vec<String>> { s.split('|').map(words).filter(|p| !p.is_empty()).collect() };
    let mut tables = Tables::default();
    for line in text.lines() {
        let (kind, rest) = line.split_once(' ')?;
        match kind {
            "C" | "W" => {
                let mut fields = rest.split(';');
                let cue = Cue {
                    name: fields.next()?.to_string(),
                    window: fields.next()?.parse().ok()?,
                    slots: fields.next()?.split('|').map(words).collect(),
                    cancel_next: words(fields.next()?),
                    cancel_near: words(fields.next()?),
                };
                if cue.slots.iter().any(Vec::is_empty) || fields.next().is_some() {
                    return None;
                }
                if kind == "C" { &mut tables.cues } else { &mut tables.warnings }.push(cue);
            }
            "T" => {
                let (name, list) = rest.split_once(';')?;
                tables.tempering.push((name.to_string(), phrases(list)));
            }
            "N" => tables.now = phrases(rest),
            "Q" => tables.question_starts = words(rest),
            "R" => tables.report_markers = words(rest),
            _ => return None,
        }
    }
    Some(tables)
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

type Words = BTreeMap<String, Vec<String>>;

/// The library's file as written, for the tests that check it.
#[cfg(test)]
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlainFile {
    #[serde(default)]
    words: Words,
    now: RawNow,
    questions: RawQuestions,
    tempering: Vec<RawTempering>,
    cue: Vec<PlainCue>,
    warning: Vec<PlainCue>,
}

/// A cue as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlainCue {
    name: String,
    slots: Vec<Vec<String>>,
    window: i64,
    #[serde(default)]
    cancel_next: Vec<String>,
    #[serde(default)]
    cancel_near: Vec<String>,
}

#[cfg(test)]
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTempering {
    name: String,
    phrases: Vec<String>,
}

#[cfg(test)]
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNow {
    phrases: Vec<String>,
}

#[cfg(test)]
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestions {
    starts: Vec<String>,
    report_markers: Vec<String>,
}

/// Which part of a cue's table a problem is in (its line, where the file has lines).
#[derive(Clone, Copy)]
enum Part {
    Table,
    Name,
    Slots,
    Window,
}

/// A cue of a catalog's `triage.toml`, with the spans of its parts.
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
    let words: Words = ctx.table(&doc, "words").unwrap_or_default();
    let mut lists = [Vec::new(), Vec::new()];
    for (list, key) in lists.iter_mut().zip(["cue", "warning"]) {
        let mut names = Vec::new();
        for (i, span, raw) in ctx.array::<RawCue>(&doc, key, "name", &mut Vec::new()) {
            let plain = PlainCue {
                name: raw.name.get_ref().clone(),
                slots: raw.slots.get_ref().clone(),
                window: *raw.window.get_ref(),
                cancel_next: raw.cancel_next.clone(),
                cancel_near: raw.cancel_near.clone(),
            };
            let mut sink = |part: Part, field: String, message: String| {
                let at = match part {
                    Part::Table => span.clone(),
                    Part::Name => raw.name.span(),
                    Part::Slots => raw.slots.span(),
                    Part::Window => raw.window.span(),
                };
                ctx.at(Some(&at), field, message);
            };
            if let Some(cue) = check_cue(&plain, key, i, &mut names, &words, &mut sink) {
                list.push(cue);
            }
        }
    }
    let [cues, warnings] = lists;
    LocalCues { cues, warnings }
}

/// Checks one cue as written (`key` is "cue" or "warning", `i` its place)
/// and returns it with its words folded and `@lists` expanded; problems go
/// to `sink`. Names are unique among a file's tables of one kind (a
/// warning may share a cue's name: the reason reads the same).
fn check_cue(
    raw: &PlainCue,
    key: &str,
    i: usize,
    names: &mut Vec<String>,
    words: &Words,
    sink: &mut dyn FnMut(Part, String, String),
) -> Option<Cue> {
    let field = format!("{key}[{i}]");
    let name = raw.name.trim().to_string();
    if name.is_empty() {
        let why = "a cue needs a name: what the triage gives as its reason, such as \"levee breach\"";
        sink(Part::Name, format!("{field}.name"), why.into());
        return None;
    }
    if names.contains(&name) {
        let why = format!("the name '{name}' is used twice among the [[{key}]] tables; give each its own");
        sink(Part::Name, format!("{field}.name"), why);
        return None;
    }
    names.push(name.clone());
    if !(1..=MAX_WINDOW as i64).contains(&raw.window) {
        let why = format!(
            "window = {}; use 1 to {MAX_WINDOW} (words between the first slot's word and the others)",
            raw.window
        );
        sink(Part::Window, format!("{field}.window"), why);
        return None;
    }
    if raw.slots.is_empty() || raw.slots.iter().any(Vec::is_empty) {
        let why = "slots must list at least one slot, each with at least one word, such as [[\"levee\"], [\"breach\", \"breached\", \"overtopping\"]]";
        sink(Part::Slots, format!("{field}.slots"), why.into());
        return None;
    }
    let mut bad = false;
    let mut words_sink = |f: String, m: String| {
        bad = true;
        sink(Part::Table, f, m);
    };
    let slots: Vec<Vec<String>> = raw
        .slots
        .iter()
        .enumerate()
        .map(|(s, list)| word_list(list, &format!("{field}.slots[{s}]"), words, &mut words_sink))
        .collect();
    let cancel_next = word_list(&raw.cancel_next, &format!("{field}.cancel_next"), words, &mut words_sink);
    let cancel_near = word_list(&raw.cancel_near, &format!("{field}.cancel_near"), words, &mut words_sink);
    (!bad).then_some(Cue { name, slots, window: raw.window as usize, cancel_next, cancel_near })
}

/// A list of words, folded, with `@name` lists expanded; a problem for
/// each entry that is not one word.
fn word_list(list: &[String], field: &str, words: &Words, sink: &mut dyn FnMut(String, String)) -> Vec<String> {
    let mut out = Vec::new();
    for entry in list {
        let expanded: Vec<&String> = match entry.strip_prefix('@') {
            Some(name) => match words.get(name) {
                Some(named) => named.iter().collect(),
                None => {
                    let why = format!(
                        "'{entry}' names no list; define it under [words] ({name} = [\"...\"]) or write the words here"
                    );
                    sink(field.to_string(), why);
                    continue;
                }
            },
            None => vec![entry],
        };
        for w in expanded {
            match cue_word(w) {
                Ok(w) => out.push(w),
                Err(why) => sink(field.to_string(), why),
            }
        }
    }
    out
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
    fn the_compiled_form_reads_back_or_is_refused() {
        let t =
            parse_builtin("C gas leak;6;gas propane|leak;station;car\nT told as past;ago|last week\nQ how\n").unwrap();
        assert_eq!(t.cues[0].slots, vec![vec!["gas", "propane"], vec!["leak"]]);
        assert_eq!((t.cues[0].window, t.cues[0].cancel_next.len(), t.cues[0].cancel_near.len()), (6, 1, 1));
        assert_eq!(t.tempering[0].1[1], vec!["last", "week"]);
        for bad in ["X what", "C gas leak;six;gas|leak;;", "C gas;1;gas||leak;;", "C gas;1;gas;;;extra", "C gas;1"] {
            assert!(parse_builtin(bad).is_none(), "{bad}");
        }
    }

    /// The library's file passes the checks a catalog's passes, and reads
    /// the same through them (its words already folded).
    #[test]
    fn the_library_file_passes_the_catalog_checks() {
        let file: PlainFile = toml::from_str(include_str!("../../data/triage-cues.toml")).unwrap();
        let mut problems = Vec::new();
        let mut sink = |_: Part, field: String, message: String| problems.push(format!("{field}: {message}"));
        let mut checked = [Vec::new(), Vec::new()];
        for (list, (key, raws)) in checked.iter_mut().zip([("cue", &file.cue), ("warning", &file.warning)]) {
            let mut names = Vec::new();
            for (i, raw) in raws.iter().enumerate() {
                list.extend(check_cue(raw, key, i, &mut names, &file.words, &mut sink));
            }
        }
        let mut words_sink = |field: String, message: String| problems.push(format!("{field}: {message}"));
        let mut lists = vec![
            (&file.questions.starts, "questions.starts"),
            (&file.questions.report_markers, "questions.report_markers"),
        ];
        lists.extend(file.tempering.iter().map(|t| (&t.phrases, "tempering")));
        lists.push((&file.now.phrases, "now"));
        for (list, field) in lists {
            for phrase in list {
                let words: Vec<String> = phrase.split_whitespace().map(str::to_string).collect();
                let folded = word_list(&words, field, &file.words, &mut words_sink);
                assert!(phrase.starts_with('@') || folded == words, "{field}: '{phrase}' is not written folded");
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
        let t = builtin().unwrap();
        let [cues, warnings] = checked;
        assert_eq!(t.cues, cues, "the library's cues are written folded");
        assert_eq!(t.warnings, warnings);
        let names: Vec<&str> = file.tempering.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(names, t.tempering.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>());
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
        let all: String = problems.iter().map(|p| format!("{p}\n")).collect();
        assert!(all.contains("used twice among the [[cue]] tables"), "{all}");
        assert!(all.contains("window = 30"), "{all}");
        assert!(all.contains("'@nothing' names no list"), "{all}");
        assert!(all.contains("'tempering' is the library's own"), "{all}");
        assert!(problems.iter().all(|p| p.line.is_some()), "{all}");
    }
}
