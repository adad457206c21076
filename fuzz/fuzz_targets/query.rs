//! A query string: searched with options the first byte chooses, and completed.
#![no_main]
use civic311::{AnswerKind, SearchOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(init: {
    // The engine is built (and its zero-shot model trained) before the first input.
    civic311_fuzz::riverton();
}, |data: &[u8]| {
    let Some((flags, rest)) = civic311_fuzz::selector(data) else { return };
    let query = String::from_utf8_lossy(rest);
    let engine = civic311_fuzz::riverton();
    let options = SearchOptions {
        limit: (flags as usize % 12),
        lang: match flags >> 4 & 3 {
            0 => None,
            1 => Some("en".into()),
            2 => Some("es".into()),
            _ => Some("zz".into()),
        },
        kinds: if flags & 0x40 != 0 { vec![AnswerKind::Facility, AnswerKind::Service] } else { Vec::new() },
        department: (flags & 0x80 != 0).then(|| "streets".into()),
        ..SearchOptions::default()
    };
    if let Ok(answers) = engine.search(&query, &options) {
        for a in answers {
            // Snippets are HTML with <mark> only: no other tag gets through.
            let without_marks = a.snippet.replace("<mark>", "").replace("</mark>", "");
            assert!(!without_marks.contains('<') && !without_marks.contains('>'), "{:?}", a.snippet);
        }
    }
    let _ = engine.suggest(&query, flags as usize % 10);
});
