//! Properties, checked on generated inputs (proptest): the analyzer on any
//! Unicode, snippets on any query and any article text, SLA arithmetic on
//! any start and duration, bundles of generated catalogs.

use civic311::analyzer::{Analyzer, Language};
use civic311::catalog::Calendar;
use civic311::route::{SlaDuration, deadline};
use civic311::{Catalog, Engine, SearchOptions};
use jiff::Timestamp;
use proptest::prelude::*;

use crate::search::riverton;

/// Text that mixes what residents type with what breaks naive code:
/// combining marks, ligatures, right-to-left and zero-width characters,
/// emoji, controls, HTML.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9 ,.'!?-]{0,80}",
        proptest::collection::vec(
            prop_oneof![
                Just("pothole".to_string()),
                Just("Ñandú".to_string()),
                Just("e\u{301}".to_string()),
                Just("ǅ ﬁ ß İ".to_string()),
                Just("\u{202e}\u{200b}\u{feff}".to_string()),
                Just("🚗🕳️".to_string()),
                Just("<img src=x onerror=alert(1)>".to_string()),
                Just("&amp;&lt;\"'".to_string()),
                Just("\u{0}\u{7}\r\n\t".to_string()),
                "[\\p{L}\\p{M}\\p{N}\\p{P}\\p{S}\\p{Z}]{1,12}",
            ],
            0..12
        )
        .prop_map(|parts| parts.join(" ")),
    ]
}

fn check_snippet(snippet: &str) -> Result<(), TestCaseError> {
    let mut open = false;
    let mut rest = snippet;
    while let Some(i) = rest.find(['<', '>', '&']) {
        let tail = &rest[i..];
        if let Some(after) = tail.strip_prefix("<mark>") {
            prop_assert!(!open, "nested <mark> in {snippet:?}");
            open = true;
            rest = after;
        } else if let Some(after) = tail.strip_prefix("</mark>") {
            prop_assert!(open, "</mark> without <mark> in {snippet:?}");
            open = false;
            rest = after;
        } else if let Some(entity) = ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"].iter().find(|e| tail.starts_with(**e))
        {
            rest = &tail[entity.len()..];
        } else {
            prop_assert!(false, "unescaped {:?} in {snippet:?}", &tail[..1]);
        }
    }
    prop_assert!(!open, "unclosed <mark> in {snippet:?}");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn the_analyzer_takes_any_unicode_and_gives_the_same_tokens_every_time(text in hostile_text()) {
        for language in Language::ALL {
            let analyzer = Analyzer::new(language);
            let tokens = analyzer.tokens(&text);
            prop_assert_eq!(&tokens, &analyzer.tokens(&text));
            let mut last_position = None;
            for t in &tokens {
                prop_assert!(!t.stem.is_empty());
                prop_assert!(!t.stem.chars().any(char::is_whitespace), "{:?}", t.stem);
                prop_assert!(t.offset_from < t.offset_to && t.offset_to <= text.len());
                prop_assert!(text.is_char_boundary(t.offset_from) && text.is_char_boundary(t.offset_to));
                prop_assert!(last_position.is_none_or(|p| t.position > p), "positions increase");
                last_position = Some(t.position);
            }
            // The stems are those of the tokens, and another analyzer of
            // the same language agrees.
            let stems: Vec<String> = tokens.iter().map(|t| t.stem.clone()).collect();
            prop_assert_eq!(analyzer.stems(&text), stems.clone());
            prop_assert_eq!(Analyzer::new(language).stems(&text), stems);
        }
    }

    #[test]
    fn snippets_are_well_formed_and_escaped_for_any_query(query in hostile_text()) {
        let options = SearchOptions { now: Some("2026-11-22T20:00:00Z".parse().unwrap()), ..SearchOptions::default() };
        if let Ok(answers) = riverton().search(&query, &options) {
            for a in answers {
                check_snippet(&a.snippet)?;
            }
        }
    }
}

/// A catalog of one generated article beside a fixed one.
fn catalog_with(title: &str, body: &str, keywords: &[String]) -> Option<Catalog> {
    let quote = |s: &str| serde_json::to_string(s).unwrap(); // a JSON string is a TOML basic string
    let keywords: Vec<String> = keywords.iter().map(|k| quote(k)).collect();
    let article = format!(
        "+++\nid = \"generated\"\ntitle = {}\nkeywords = [{}]\n+++\n{body}\n",
        quote(title),
        keywords.join(", ")
    );
    let fixed = "+++\nid = \"fixed\"\ntitle = \"Potholes\"\n+++\nReport a pothole on your street.\n";
    Catalog::from_files([("articles/generated.md", article.as_str()), ("articles/fixed.md", fixed)]).ok()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn snippets_of_any_article_text_are_well_formed_and_escaped(
        title in hostile_text(),
        body in hostile_text(),
        pick in 0usize..8,
    ) {
        let Some(catalog) = catalog_with(&title, &body, &[]) else { return Ok(()) };
        let engine = Engine::build(catalog).unwrap();
        // Search with words of the article itself, so that there is something to mark.
        let words: Vec<&str> = body.split_whitespace().chain(title.split_whitespace()).collect();
        let query = if words.is_empty() { "pothole".to_string() } else { words[pick % words.len()..].iter().take(3).copied().collect::<Vec<_>>().join(" ") };
        for a in engine.search(&query, &SearchOptions::default()).unwrap_or_default() {
            check_snippet(&a.snippet)?;
        }
    }

    #[test]
    fn bundles_of_any_catalog_round_trip_exactly(
        title in "[^\u{0}-\u{1f}]{1,40}",
        body in hostile_text(),
        keywords in proptest::collection::vec("[\\p{L} ]{1,20}", 0..4),
    ) {
        let Some(catalog) = catalog_with(&title, &body, &keywords) else { return Ok(()) };
        let engine = Engine::build(catalog).unwrap();
        let bytes = engine.to_bundle().unwrap();
        let loaded = Engine::from_bundle(&bytes).unwrap();
        prop_assert_eq!(loaded.catalog().articles(), engine.catalog().articles());
        prop_assert!(loaded.to_bundle().unwrap() == bytes, "the same bytes again");
        let q = title.split_whitespace().next().unwrap_or("pothole");
        prop_assert_eq!(loaded.search(q, &SearchOptions::default()).ok(), engine.search(q, &SearchOptions::default()).ok());
    }
}

fn city() -> Calendar {
    Catalog::riverton().unwrap().calendar("city").unwrap().clone()
}

fn duration() -> impl Strategy<Value = SlaDuration> {
    prop_oneof![
        (1u32..120).prop_map(SlaDuration::BusinessHours),
        (1u32..40).prop_map(SlaDuration::BusinessDays),
        (1u32..500).prop_map(SlaDuration::Hours),
        (1u32..5000).prop_map(SlaDuration::Minutes),
        (1u32..60).prop_map(SlaDuration::Days),
    ]
}

/// Any instant from 2020 to 2035, daylight-saving changes and holidays included.
fn instant() -> impl Strategy<Value = Timestamp> {
    (1_577_836_800i64..2_082_758_400).prop_map(|s| Timestamp::from_second(s).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn a_later_request_is_never_due_earlier(d in duration(), start in instant(), later_by in 0i64..(10 * 86_400)) {
        let calendar = city();
        let tz = calendar.tz();
        let later = Timestamp::from_second(start.as_second() + later_by).unwrap();
        let (a, b) = (deadline(d, start, Some(&calendar), &tz).unwrap(), deadline(d, later, Some(&calendar), &tz).unwrap());
        prop_assert!(a.timestamp() >= start, "{d} from {start} is due at {a}, before it began");
        prop_assert!(a.timestamp() <= b.timestamp(), "{d}: from {start} due {a}, from {later} due {b}");
        // And a longer service level is never due sooner.
        let longer = match d {
            SlaDuration::BusinessHours(n) => SlaDuration::BusinessHours(n + 1),
            SlaDuration::BusinessDays(n) => SlaDuration::BusinessDays(n + 1),
            SlaDuration::Hours(n) => SlaDuration::Hours(n + 1),
            SlaDuration::Minutes(n) => SlaDuration::Minutes(n + 1),
            SlaDuration::Days(n) => SlaDuration::Days(n + 1),
        };
        prop_assert!(deadline(longer, start, Some(&calendar), &tz).unwrap().timestamp() >= a.timestamp());
    }

    #[test]
    fn business_time_is_never_due_in_a_closed_period(d in duration(), start in instant()) {
        prop_assume!(d.is_business());
        let calendar = city();
        let due = deadline(d, start, Some(&calendar), &calendar.tz()).unwrap();
        let minute = (due.hour() as u16) * 60 + due.minute() as u16;
        let hours = calendar.hours_on(due.date());
        prop_assert!(
            hours.iter().any(|r| r.start_minute() <= minute && minute <= r.end_minute()),
            "{d} from {start} is due at {due}, when the city is closed (hours that day: {hours:?})"
        );
    }
}

#[test]
fn a_combining_mark_after_a_space_makes_no_empty_word() {
    // What the analyzer property found: U+11F00 (a Kawi mark, alphabetic)
    // extends the space before it into a "word" that folding left as " ".
    for language in Language::ALL {
        assert_eq!(Analyzer::new(language).stems("pothole \u{11f00}"), ["pothol"]);
    }
}
