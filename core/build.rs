//! Turns the triage's cue tables (data/triage-cues.toml) into the JSON of
//! the library's `classify::cues::Tables`: `@lists` expanded, phrases split
//! into words. The engine reads it with the JSON reader it already has, so
//! that the browser's engine carries no TOML reader and no checking code
//! (together 52 kB of its brotli download). The file is checked, word by
//! word, as a catalog's triage.toml is, by the library's tests.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value as Json, json};
use toml::Value;

fn main() {
    let source = "data/triage-cues.toml";
    println!("cargo:rerun-if-changed={source}");
    let text = std::fs::read_to_string(source).unwrap_or_else(|e| panic!("{source}: {e}"));
    let file: Value = toml::from_str(&text).unwrap_or_else(|e| panic!("{source} is not valid TOML: {e}"));
    let strings = |v: Option<&Value>, what: &str| -> Vec<String> {
        v.and_then(Value::as_array)
            .unwrap_or_else(|| panic!("{source}: {what} must be a list of words"))
            .iter()
            .map(|w| w.as_str().unwrap_or_else(|| panic!("{source}: {what} holds a non-string")).to_string())
            .collect()
    };
    let mut words: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if let Some(table) = file.get("words").and_then(Value::as_table) {
        for (name, list) in table {
            words.insert(name.clone(), strings(Some(list), &format!("words.{name}")));
        }
    }
    let expand = |list: Vec<String>| -> Vec<String> {
        list.into_iter()
            .flat_map(|w| match w.strip_prefix('@') {
                Some(name) => words.get(name).cloned().unwrap_or_else(|| panic!("{source}: no list [words].{name}")),
                None => vec![w],
            })
            .collect()
    };
    let phrases = |list: Vec<String>| -> Vec<Vec<String>> {
        list.iter().map(|p| expand(p.split_whitespace().map(str::to_string).collect())).collect()
    };
    let cues = |key: &str| -> Vec<Json> {
        let tables = file.get(key).and_then(Value::as_array).unwrap_or_else(|| panic!("{source}: no [[{key}]]"));
        tables
            .iter()
            .map(|c| {
                let slots: Vec<Vec<String>> = c
                    .get("slots")
                    .and_then(Value::as_array)
                    .unwrap_or_else(|| panic!("{source}: a [[{key}]] without slots"))
                    .iter()
                    .map(|s| expand(strings(Some(s), "slots")))
                    .collect();
                json!({
                    "name": c.get("name").and_then(Value::as_str).unwrap_or_else(|| panic!("{source}: a [[{key}]] without a name")),
                    "slots": slots,
                    "window": c.get("window").and_then(Value::as_integer).unwrap_or_else(|| panic!("{source}: a [[{key}]] without a window")),
                    "cancel_next": expand(c.get("cancel_next").map(|v| strings(Some(v), "cancel_next")).unwrap_or_default()),
                    "cancel_near": expand(c.get("cancel_near").map(|v| strings(Some(v), "cancel_near")).unwrap_or_default()),
                })
            })
            .collect()
    };
    let tempering: Vec<Json> = file
        .get("tempering")
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("{source}: no [[tempering]]"))
        .iter()
        .map(|t| {
            let name = t
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_else(|| panic!("{source}: a [[tempering]] without a name"));
            json!([name, phrases(strings(t.get("phrases"), "tempering.phrases"))])
        })
        .collect();
    let questions = file.get("questions");
    let tables = json!({
        "cues": cues("cue"),
        "warnings": cues("warning"),
        "tempering": tempering,
        "now": phrases(strings(file.get("now").and_then(|n| n.get("phrases")), "now.phrases")),
        "question_starts": expand(strings(questions.and_then(|q| q.get("starts")), "questions.starts")),
        "report_markers": expand(strings(questions.and_then(|q| q.get("report_markers")), "questions.report_markers")),
    });
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(Path::new(&out).join("triage-cues.json"), tables.to_string()).expect("OUT_DIR is writable");
}
