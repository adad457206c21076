//! Snippets: the passage of an answer's text that best matches the query,
//! as HTML with the matched words in `<mark>` and every other character
//! escaped, so that an article or a query holding `<script>` is harmless.

use crate::analyzer::Analyzer;

/// The longest snippet, in characters, before the ellipses.
pub const SNIPPET_CHARS: usize = 220;

/// Appends `text` to `out` with the five HTML-significant characters escaped.
pub fn escape_html_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            // Paragraph breaks read as spaces in a one-line snippet.
            '\n' | '\r' | '\t' => {
                if !out.ends_with(' ') {
                    out.push(' ');
                }
            }
            ' ' if out.ends_with(' ') => {}
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// `text` with the HTML-significant characters escaped.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_html_into(text, &mut out);
    out
}

/// Sentence spans of `text`: ends at . ! ? followed by a space, or at a line break.
fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, c) in text.char_indices() {
        let end_here = match c {
            '\n' => true,
            '.' | '!' | '?' => bytes.get(i + 1).is_none_or(|b| b.is_ascii_whitespace()),
            _ => false,
        };
        if end_here {
            let end = i + c.len_utf8();
            if text[start..end].trim().len() > 1 {
                out.push((start, end));
            }
            start = end;
        }
    }
    if text[start..].trim().len() > 1 {
        out.push((start, text.len()));
    }
    out
}

/// A stem as a 64-bit hash: a body's words and a query's stems are compared
/// as integers, with no table shared between them. A collision (about one in
/// 10^19) would only highlight a wrong word.
pub(crate) fn stem_hash(stem: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(stem.as_bytes())
}

/// The sorted hashes of a query's stems.
pub(crate) fn stem_hashes<'a>(stems: impl IntoIterator<Item = &'a String>) -> Vec<u64> {
    let mut out: Vec<u64> = stems.into_iter().map(|s| stem_hash(s)).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// A body analyzed for snippets: its words as stem hashes with their byte
/// ranges, and its sentences with their lengths. Built the first time the
/// answer is shown, then kept.
#[derive(Debug, Default, Clone)]
pub(crate) struct BodyTokens {
    /// (byte offset, byte length, stem hash), in text order.
    tokens: Vec<(u32, u16, u64)>,
    /// (from, to) byte ranges of sentences, and each one's length in characters.
    sentences: Vec<(u32, u32, u32)>,
}

/// Bodies longer than this are analyzed for snippets up to here only (at a
/// char boundary): snippets come from the first part of long texts.
pub(crate) const SNIPPET_SCAN_BYTES: usize = 16 * 1024;

impl BodyTokens {
    pub(crate) fn new(text: &str, analyzer: &Analyzer) -> BodyTokens {
        let text = super::query::truncate(text, SNIPPET_SCAN_BYTES);
        let mut tokens = Vec::new();
        analyzer.for_each_token(text, |t| {
            let len = (t.offset_to - t.offset_from).min(u16::MAX as usize) as u16;
            tokens.push((t.offset_from as u32, len, stem_hash(&t.stem)));
        });
        let sentences =
            sentences(text).into_iter().map(|(a, b)| (a as u32, b as u32, text[a..b].chars().count() as u32)).collect();
        BodyTokens { tokens, sentences }
    }
}

/// The best passage of `text` for the stems (sorted hashes), as escaped HTML.
pub(crate) fn snippet(text: &str, body: &BodyTokens, stems: &[u64]) -> String {
    let text = super::query::truncate(text, SNIPPET_SCAN_BYTES);
    let spans = &body.sentences;
    if spans.is_empty() {
        return String::new();
    }
    // Matches as (from, to, index of the stem in `stems`), and per sentence.
    let mut matches: Vec<(usize, usize, usize)> = Vec::new();
    let mut per_sentence: Vec<(usize, usize)> = vec![(0, 0); spans.len()]; // range into `matches`
    let mut si = 0;
    for &(from, len, stem) in &body.tokens {
        let Ok(i) = stems.binary_search(&stem) else { continue };
        let from = from as usize;
        while si < spans.len() && spans[si].1 as usize <= from {
            si += 1;
        }
        if si == spans.len() {
            break;
        }
        if per_sentence[si] == (0, 0) {
            per_sentence[si] = (matches.len(), matches.len());
        }
        matches.push((from, from + len as usize, i));
        per_sentence[si].1 = matches.len();
    }
    // The best run of consecutive sentences that fits: most distinct stems
    // matched, then most matches, then the earliest.
    let mut best = (0usize, 0usize, 0usize, 0usize); // (distinct, total, first, last)
    let mut seen = vec![false; stems.len()];
    for first in 0..spans.len() {
        let mut last = first;
        let mut chars = spans[first].2 as usize;
        while last + 1 < spans.len() {
            let next = chars + (spans[last + 1].0 - spans[last].1) as usize + spans[last + 1].2 as usize;
            if next > SNIPPET_CHARS {
                break;
            }
            chars = next;
            last += 1;
        }
        seen.iter_mut().for_each(|s| *s = false);
        let mut total = 0;
        for &(a, b) in &per_sentence[first..=last] {
            for m in &matches[a..b] {
                seen[m.2] = true;
                total += 1;
            }
        }
        let distinct = seen.iter().filter(|s| **s).count();
        if first == 0 || (distinct, total) > (best.0, best.1) {
            best = (distinct, total, first, last);
        }
        if matches.is_empty() {
            break;
        }
    }
    let (from, to) = (spans[best.2].0 as usize, spans[best.3].1 as usize);
    let passage = text[from..to].trim();
    let offset = from + (text[from..to].len() - text[from..to].trim_start().len());
    let mut out = String::with_capacity(passage.len() + 32);
    if best.2 > 0 {
        out.push_str("… ");
    }
    // A single sentence longer than the limit is cut at a word, around its first match.
    let (cut_from, cut_to) = cut(passage, offset, &matches);
    let mut pos = cut_from;
    for (a, b, _) in matches.iter().filter(|(a, b, _)| *a >= offset + cut_from && *b <= offset + cut_to) {
        let (a, b) = (a - offset, b - offset);
        escape_html_into(&passage[pos..a], &mut out);
        out.push_str("<mark>");
        escape_html_into(&passage[a..b], &mut out);
        out.push_str("</mark>");
        pos = b;
    }
    escape_html_into(&passage[pos..cut_to], &mut out);
    if cut_to < passage.len() || best.3 + 1 < spans.len() {
        out.push_str(" …");
    }
    out
}

/// The byte range of `passage` to show: all of it when short enough, else
/// about `SNIPPET_CHARS` characters from a word boundary before the first match.
fn cut(passage: &str, offset: usize, matches: &[(usize, usize, usize)]) -> (usize, usize) {
    if passage.chars().count() <= SNIPPET_CHARS {
        return (0, passage.len());
    }
    let first = matches.iter().map(|(a, _, _)| *a).find(|a| *a >= offset).map(|a| a - offset).unwrap_or(0);
    let first = first.min(passage.len());
    // Start up to 40 characters before the first match, at a space.
    let mut start = passage[..first].char_indices().rev().nth(40).map(|(i, _)| i).unwrap_or(0);
    if start > 0 {
        start = passage[start..first].find(' ').map(|i| start + i + 1).unwrap_or(start);
    }
    let mut end = passage[start..].char_indices().nth(SNIPPET_CHARS).map(|(i, _)| start + i).unwrap_or(passage.len());
    if end < passage.len() {
        end = passage[start..end].rfind(' ').map(|i| start + i).unwrap_or(end);
    }
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyzer::Language;

    fn run(text: &str, words: &[&str]) -> String {
        let en = Analyzer::new(Language::English);
        let body = BodyTokens::new(text, &en);
        let stems: Vec<String> = words.iter().map(|s| s.to_string()).collect();
        snippet(text, &body, &stem_hashes(&stems))
    }

    #[test]
    fn marks_matches_and_escapes_the_rest() {
        let text = "Crews <b>fill</b> potholes fast. Call 311 & say \"pothole\".";
        let s = run(text, &["pothol"]);
        assert_eq!(
            s,
            "Crews &lt;b&gt;fill&lt;/b&gt; <mark>potholes</mark> fast. Call 311 &amp; say &quot;<mark>pothole</mark>&quot;."
        );
    }

    #[test]
    fn picks_the_best_passage() {
        let mut text = String::new();
        for i in 0..20 {
            text.push_str(&format!("Sentence number {i} is about nothing at all. "));
        }
        text.push_str("Bulky items like a couch go out on the curb.");
        let s = run(&text, &["couch"]);
        assert!(s.starts_with("… ") && s.contains("<mark>couch</mark>"), "{s}");
        assert!(s.chars().count() < SNIPPET_CHARS + 40);
        let s = run(&text, &["nomatch"]);
        assert!(s.starts_with("Sentence number 0"), "no match: the beginning: {s}");
    }

    #[test]
    fn hostile_and_empty_text() {
        assert_eq!(run("", &["x"]), "");
        let s = run("<img src=x onerror=alert(1)> pothole", &["pothol"]);
        assert!(s.contains("&lt;img") && s.contains("<mark>pothole</mark>"), "{s}");
        let long = "word ".repeat(1000) + "pothole " + &"word ".repeat(1000);
        let s = run(&long, &["pothol"]);
        assert!(s.contains("<mark>pothole</mark>") && s.chars().count() < SNIPPET_CHARS + 40, "{s}");
        let s = run("ñandú ñandú ñandú. ¿Dónde?", &["nandu"]);
        assert!(s.contains("<mark>ñandú</mark>"), "{s}");
        let huge = "a ".repeat(SNIPPET_SCAN_BYTES) + "ñ";
        let _ = run(&huge, &["a"]);
    }
}
