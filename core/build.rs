//! Turns the triage's data into the compact text the library compiles in:
//!
//! - data/triage-cues.toml, the cue tables, into `triage-cues.txt`
//!   (`@lists` expanded, phrases split into words), read by
//!   `classify::cues::parse_builtin`. Lines: `C` or `W` (a cue or a
//!   warning) `name;window;slot|slot;cancel_next;cancel_near`, `T
//!   name;phrase|phrase` (tempering), `N phrase|phrase` (now), `Q words`
//!   (question starts), `R words` (report markers); words are separated by
//!   spaces. The browser's engine thus carries no TOML reader, no checking
//!   code and no JSON keys (together 54 kB of its brotli download);
//! - data/triage-train.jsonl, the danger detector's rows, into
//!   `triage-train.txt`: one text a line, in the file's order, marked `!`
//!   when it is an emergency (1 kB less of brotli than the JSON lines).
//!
//! The cue file is checked, word by word, as a catalog's triage.toml is, by
//! the library's tests; here only what would break the text's shape.

use std::collections::BTreeMap;
use std::path::Path;

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
    // Words and names are joined with ' ', '|' and ';': none may hold them.
    let clean = |w: &str, what: &str| -> String {
        if w.is_empty() || w.contains([';', '|', '\n', '\r']) || (what != "name" && w.contains(' ')) {
            panic!("{source}: {what} {w:?} must be a single word without ';' or '|'");
        }
        w.to_string()
    };
    let words_of =
        |list: Vec<String>, what: &str| -> String { list.iter().map(|w| clean(w, what)).collect::<Vec<_>>().join(" ") };
    let phrases_of = |list: Vec<String>, what: &str| -> String {
        phrases(list).into_iter().map(|p| words_of(p, what)).collect::<Vec<_>>().join("|")
    };
    let mut out = String::new();
    for (key, mark) in [("cue", 'C'), ("warning", 'W')] {
        let tables = file.get(key).and_then(Value::as_array).unwrap_or_else(|| panic!("{source}: no [[{key}]]"));
        for c in tables {
            let name =
                c.get("name").and_then(Value::as_str).unwrap_or_else(|| panic!("{source}: a [[{key}]] without a name"));
            let slots: Vec<String> = c
                .get("slots")
                .and_then(Value::as_array)
                .unwrap_or_else(|| panic!("{source}: a [[{key}]] without slots"))
                .iter()
                .map(|s| words_of(expand(strings(Some(s), "slots")), "slots"))
                .collect();
            let window = c
                .get("window")
                .and_then(Value::as_integer)
                .unwrap_or_else(|| panic!("{source}: a [[{key}]] without a window"));
            let list = |field: &str| {
                words_of(expand(c.get(field).map(|v| strings(Some(v), field)).unwrap_or_default()), field)
            };
            out += &format!(
                "{mark} {};{window};{};{};{}\n",
                clean(name, "name"),
                slots.join("|"),
                list("cancel_next"),
                list("cancel_near")
            );
        }
    }
    for t in file.get("tempering").and_then(Value::as_array).unwrap_or_else(|| panic!("{source}: no [[tempering]]")) {
        let name =
            t.get("name").and_then(Value::as_str).unwrap_or_else(|| panic!("{source}: a [[tempering]] without a name"));
        out += &format!(
            "T {};{}\n",
            clean(name, "name"),
            phrases_of(strings(t.get("phrases"), "tempering.phrases"), "phrase")
        );
    }
    let questions = file.get("questions");
    out += &format!(
        "N {}\n",
        phrases_of(strings(file.get("now").and_then(|n| n.get("phrases")), "now.phrases"), "phrase")
    );
    out += &format!(
        "Q {}\n",
        words_of(expand(strings(questions.and_then(|q| q.get("starts")), "questions.starts")), "word")
    );
    out += &format!(
        "R {}\n",
        words_of(expand(strings(questions.and_then(|q| q.get("report_markers")), "questions.report_markers")), "word")
    );
    let dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(Path::new(&dir).join("triage-cues.txt"), out).expect("OUT_DIR is writable");

    let source = "data/triage-train.jsonl";
    println!("cargo:rerun-if-changed={source}");
    let text = std::fs::read_to_string(source).unwrap_or_else(|e| panic!("{source}: {e}"));
    let mut out = String::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let row: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{source}:{}: not JSON: {e}", n + 1));
        let text = row["text"].as_str().unwrap_or_else(|| panic!("{source}:{}: no \"text\"", n + 1)).trim();
        if text.is_empty() || text.starts_with('!') || text.contains(['\n', '\r']) {
            panic!("{source}:{}: a text must be one line, not empty and not starting with '!'", n + 1);
        }
        let mark = match row["expected"].as_str() {
            Some("emergency") => "!",
            Some(_) => "",
            None => panic!("{source}:{}: no \"expected\"", n + 1),
        };
        out += &format!("{mark}{text}\n");
    }
    std::fs::write(Path::new(&dir).join("triage-train.txt"), out).expect("OUT_DIR is writable");
}
