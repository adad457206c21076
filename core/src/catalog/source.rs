//! The files of a catalog as text, and the plumbing every file parser
//! shares: line numbers from byte offsets, a problem sink, TOML tables read
//! one element at a time so that one bad table does not hide the others.

use std::ops::Range;

use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use crate::error::Problem;

/// One file of a catalog: its path relative to the catalog folder, with `/`
/// separators, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

/// Byte offsets of line starts, for turning spans into 1-based line numbers.
pub(crate) struct Lines {
    starts: Vec<usize>,
    /// Added to every line: front matter starts below the file's first line.
    offset: u32,
}

impl Lines {
    pub(crate) fn new(text: &str, offset: u32) -> Lines {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Lines { starts, offset }
    }

    pub(crate) fn line_of(&self, byte: usize) -> u32 {
        let idx = match self.starts.binary_search(&byte) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        idx as u32 + 1 + self.offset
    }
}

/// Collects the problems of one file.
pub(crate) struct FileCtx<'a> {
    pub(crate) file: &'a str,
    pub(crate) lines: Lines,
    pub(crate) problems: &'a mut Vec<Problem>,
}

impl<'a> FileCtx<'a> {
    pub(crate) fn new(file: &'a str, text: &str, line_offset: u32, problems: &'a mut Vec<Problem>) -> FileCtx<'a> {
        FileCtx { file, lines: Lines::new(text, line_offset), problems }
    }

    pub(crate) fn line(&self, span: &Range<usize>) -> u32 {
        self.lines.line_of(span.start)
    }

    /// Records a problem at a span (or with no line).
    pub(crate) fn at(&mut self, span: Option<&Range<usize>>, field: impl Into<String>, message: impl Into<String>) {
        let line = span.map(|s| self.line(s));
        self.problems.push(Problem { file: self.file.to_string(), line, field: field.into(), message: message.into() });
    }

    /// Records a TOML syntax or type error, taking the line from its span and
    /// keeping only its first line of message (the rest repeats the source).
    pub(crate) fn toml_error(&mut self, field: impl Into<String>, err: &toml::de::Error) {
        let message = err.message().trim().lines().next().unwrap_or("invalid TOML").to_string();
        let line = err.span().map(|s| self.line(&s));
        self.problems.push(Problem {
            file: self.file.to_string(),
            line,
            field: field.into(),
            message: toml_hint(message),
        });
    }

    /// Parses a whole TOML document into its spanned tables.
    pub(crate) fn parse_toml<'i>(&mut self, text: &'i str) -> Option<DeTable<'i>> {
        match DeTable::parse(text) {
            Ok(doc) => Some(doc.into_inner()),
            Err(err) => {
                self.toml_error("", &err);
                None
            }
        }
    }

    /// Checks the top-level keys of a document against those allowed.
    pub(crate) fn check_keys(&mut self, doc: &DeTable<'_>, allowed: &[&str]) {
        for key in doc.keys() {
            let name: &str = key.get_ref();
            if !allowed.contains(&name) {
                let hint = did_you_mean(name, allowed.iter().copied())
                    .map(|s| format!("; did you mean '{s}'?"))
                    .unwrap_or_default();
                self.at(
                    Some(&key.span()),
                    name,
                    format!("unknown key '{name}' (expected one of: {}){hint}", allowed.join(", ")),
                );
            }
        }
    }

    /// Reads one table (such as `[catalog]`) into `T`.
    pub(crate) fn table<T: DeserializeOwned>(&mut self, doc: &DeTable<'_>, key: &str) -> Option<T> {
        let (_, value) = doc.get_key_value(key)?;
        self.value(value, key)
    }

    fn value<T: DeserializeOwned>(&mut self, value: &Spanned<DeValue<'_>>, field: &str) -> Option<T> {
        match T::deserialize(ValueDeserializer::from(value.clone())) {
            Ok(v) => Some(v),
            Err(mut err) => {
                if err.span().is_none() {
                    // A missing field has no span of its own: point at the table.
                    let line = self.line(&value.span());
                    let message = toml_hint(err.message().trim().to_string());
                    self.problems.push(Problem {
                        file: self.file.to_string(),
                        line: Some(line),
                        field: field.to_string(),
                        message,
                    });
                    return None;
                }
                err.set_input(None);
                self.toml_error(field, &err);
                None
            }
        }
    }

    /// Reads every element of an array of tables (such as `[[services]]`) on
    /// its own, with the element's index and span.
    ///
    /// The ids (the `id_key` field) of elements that could not be read are
    /// pushed to `broken`, so that references to them are not reported as
    /// unknown on top of the element's own problem.
    pub(crate) fn array<T: DeserializeOwned>(
        &mut self,
        doc: &DeTable<'_>,
        key: &str,
        id_key: &str,
        broken: &mut Vec<String>,
    ) -> Vec<(usize, Range<usize>, T)> {
        let Some((_, value)) = doc.get_key_value(key) else { return Vec::new() };
        let Some(array) = value.get_ref().as_array() else {
            self.at(
                Some(&value.span()),
                key,
                format!("'{key}' must be an array of tables; write each one under [[{key}]]"),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, elem) in array.iter().enumerate() {
            let field = format!("{key}[{i}]");
            match self.value::<T>(elem, &field) {
                Some(v) => out.push((i, elem.span(), v)),
                None => {
                    if let Some(id) =
                        elem.get_ref().as_table().and_then(|t| t.get(id_key)).and_then(|v| v.get_ref().as_str())
                    {
                        broken.push(id.to_string());
                    }
                }
            }
        }
        out
    }
}

/// Rewrites serde's wording into the catalog's: backticks become quotes.
fn toml_hint(message: String) -> String {
    let message = message.replace('`', "'");
    if let Some(rest) = message.strip_prefix("missing field ") {
        return format!("missing field {rest}; add it");
    }
    message
}

/// The known name closest to `name`, when one is close enough to be a typo.
pub(crate) fn did_you_mean<'k>(name: &str, known: impl IntoIterator<Item = &'k str>) -> Option<&'k str> {
    let name = name.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for k in known {
        let d = edit_distance(&name, &k.to_lowercase());
        let limit = (k.chars().count().max(3) / 3).max(1);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, k));
        }
    }
    best.map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// "known: a, b, c, ... (N in all)" for an unknown-reference message.
pub(crate) fn known_list<'k>(known: impl IntoIterator<Item = &'k str>) -> String {
    let mut all: Vec<&str> = known.into_iter().collect();
    if all.is_empty() {
        return "none are defined".to_string();
    }
    all.sort_unstable();
    const SHOWN: usize = 8;
    if all.len() <= SHOWN {
        format!("known: {}", all.join(", "))
    } else {
        format!("known: {}, ... ({} in all)", all[..SHOWN].join(", "), all.len())
    }
}

/// The most characters an id may have: enough for the GUIDs and composite
/// keys of real FAQ and CRM exports (`20090318-DD2E5500-13C9-11DE-BCD9-98CDABA93CC6`).
pub(crate) const ID_MAX_CHARS: usize = 128;

/// Why `s` cannot be a catalog id, or `None` when it can.
///
/// Ids are taken as real exports write them (upper-case, digits, `-`, `_`,
/// `.`, `:` and more) and compared exactly, with no case folding. Only what
/// cannot work is refused: an empty id, one over [`ID_MAX_CHARS`]
/// characters, and whitespace, control characters or `/`, which do not
/// survive a URL path, a file name or a line of the command line's output.
pub(crate) fn id_problem(s: &str) -> Option<String> {
    if s.is_empty() {
        return Some("it is empty".to_string());
    }
    let chars = s.chars().count();
    if chars > ID_MAX_CHARS {
        return Some(format!("it has {chars} characters, over the {ID_MAX_CHARS} an id may have"));
    }
    let bad = s.chars().find(|c| c.is_whitespace() || c.is_control() || *c == '/')?;
    let what = match bad {
        '/' => "'/'",
        c if c.is_whitespace() => "whitespace",
        _ => "a control character",
    };
    Some(format!("it contains {what} ({})", bad.escape_unicode()))
}

/// An id, quoted for a message: control characters and quotes escaped, so
/// that a bad id cannot break the line it is reported on.
pub(crate) fn quote_id(s: &str) -> String {
    format!("'{}'", s.escape_debug())
}

pub(crate) const ID_RULE: &str = "an id is 1 to 128 characters of anything but whitespace, control characters and '/' \
     (upper-case letters, digits, '-', '_', '.' and ':' are all fine), and is compared exactly as written";

/// Whether `s` is a valid Open311 service or attribute code here.
pub(crate) fn is_valid_code(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

pub(crate) const CODE_RULE: &str = "a code is 1 to 64 ASCII letters, digits, '-', '_' and '.'";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_from_offsets() {
        let lines = Lines::new("a\nbc\n\nd", 0);
        assert_eq!(lines.line_of(0), 1);
        assert_eq!(lines.line_of(2), 2);
        assert_eq!(lines.line_of(5), 3);
        assert_eq!(lines.line_of(6), 4);
        assert_eq!(Lines::new("x", 3).line_of(0), 4);
    }

    #[test]
    fn suggestions_catch_typos_only() {
        assert_eq!(did_you_mean("street", ["streets", "parks"]), Some("streets"));
        assert_eq!(did_you_mean("Parks", ["streets", "parks"]), Some("parks"));
        assert_eq!(did_you_mean("library", ["streets", "parks"]), None);
        assert_eq!(did_you_mean("", ["a"]), Some("a"));
        assert_eq!(did_you_mean("nandú", ["nandu"]), Some("nandu"));
        assert_eq!(did_you_mean("ñandú", ["nandu"]), None, "two edits is too many for five letters");
    }

    #[test]
    fn ids_and_codes() {
        let long = "a".repeat(ID_MAX_CHARS);
        for good in ["main-library", "d1_x", "-x", "Main", "é", "KB:0012.x", &long, &"ñ".repeat(ID_MAX_CHARS)] {
            assert_eq!(id_problem(good), None, "{good}");
        }
        for (bad, why) in [
            ("", "it is empty"),
            ("a b", "whitespace (\\u{20})"),
            ("a\u{a0}b", "whitespace (\\u{a0})"),
            ("a\nb", "whitespace (\\u{a})"),
            ("a\u{0}b", "a control character (\\u{0})"),
            ("a\u{7f}", "a control character (\\u{7f})"),
            ("roads/potholes", "'/' (\\u{2f})"),
            (&"a".repeat(ID_MAX_CHARS + 1), "129 characters, over the 128"),
        ] {
            let problem = id_problem(bad).unwrap_or_else(|| panic!("{bad:?} passed"));
            assert!(problem.contains(why), "{bad:?}: {problem}");
        }
        assert_eq!(quote_id("a'b\u{7}"), "'a\\'b\\u{7}'");
        assert!(is_valid_code("ST-POTHOLE") && is_valid_code("4ffa9cad6018277d4000007b") && is_valid_code("1.2"));
        assert!(!is_valid_code("a b") && !is_valid_code(""));
    }
}
