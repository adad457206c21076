//! Snippets: the passage of an answer's text that best matches the query,
//! as HTML with the matched words in `<mark>` and every other character
//! escaped, so that an article or a query holding `<script>` is harmless.

use std::collections::HashSet;

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

/// The best passage of `text` for the stems, as escaped HTML.
pub(crate) fn snippet(text: &str, analyzer: &Analyzer, stems: &HashSet<String>) -> String {
    let matches: Vec<(usize, usize, String)> = {
        let mut m = Vec::new();
        analyzer.for_each_token(text, |t| {
            if stems.contains(&t.stem) {
                m.push((t.offset_from, t.offset_to, t.stem.clone()));
            }
        });
        m
    };
    let spans = sentences(text);
    if spans.is_empty() {
        return String::new();
    }
    // The best run of consecutive sentences that fits: most distinct stems
    // matched, then most matches, then the earliest.
    let mut best = (0usize, 0usize, 0usize, 0usize); // (distinct, total, first, last)
    let mut found = false;
    for first in 0..spans.len() {
        let mut last = first;
        while last + 1 < spans.len() && text[spans[first].0..spans[last + 1].1].chars().count() <= SNIPPET_CHARS {
            last += 1;
        }
        let (from, to) = (spans[first].0, spans[last].1);
        let inside: Vec<&(usize, usize, String)> = matches.iter().filter(|(a, b, _)| *a >= from && *b <= to).collect();
        let distinct = inside.iter().map(|(_, _, s)| s).collect::<HashSet<_>>().len();
        if !found || (distinct, inside.len()) > (best.0, best.1) {
            best = (distinct, inside.len(), first, last);
            found = true;
        }
    }
    let (from, to) = (spans[best.2].0, spans[best.3].1);
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
fn cut(passage: &str, offset: usize, matches: &[(usize, usize, String)]) -> (usize, usize) {
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

    fn stems(words: &[&str]) -> HashSet<String> {
        words.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn marks_matches_and_escapes_the_rest() {
        let en = Analyzer::new(Language::English);
        let text = "Crews <b>fill</b> potholes fast. Call 311 & say \"pothole\".";
        let s = snippet(text, &en, &stems(&["pothol"]));
        assert_eq!(
            s,
            "Crews &lt;b&gt;fill&lt;/b&gt; <mark>potholes</mark> fast. Call 311 &amp; say &quot;<mark>pothole</mark>&quot;."
        );
    }

    #[test]
    fn picks_the_best_passage() {
        let en = Analyzer::new(Language::English);
        let mut text = String::new();
        for i in 0..20 {
            text.push_str(&format!("Sentence number {i} is about nothing at all. "));
        }
        text.push_str("Bulky items like a couch go out on the curb.");
        let s = snippet(&text, &en, &stems(&["couch"]));
        assert!(s.starts_with("… ") && s.contains("<mark>couch</mark>"), "{s}");
        assert!(s.chars().count() < SNIPPET_CHARS + 40);
    }

    #[test]
    fn hostile_and_empty_text() {
        let en = Analyzer::new(Language::English);
        assert_eq!(snippet("", &en, &stems(&["x"])), "");
        let s = snippet("<img src=x onerror=alert(1)> pothole", &en, &stems(&["pothol"]));
        assert!(
            !s.contains('<') || s.matches('<').count() == s.matches("<mark>").count() + s.matches("</mark>").count()
        );
        assert!(s.contains("&lt;img"));
        let long = "word ".repeat(1000) + "pothole " + &"word ".repeat(1000);
        let s = snippet(&long, &en, &stems(&["pothol"]));
        assert!(s.contains("<mark>pothole</mark>") && s.chars().count() < SNIPPET_CHARS + 40, "{s}");
        let s = snippet("ñandú ñandú ñandú. ¿Dónde?", &en, &stems(&["nandu"]));
        assert!(s.contains("<mark>ñandú</mark>"), "{s}");
    }
}
