//! Classification input: a complaint classified and triaged by Riverton's
//! engine (the first byte chooses how many categories), and the same bytes
//! read as a saved classifier model.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(init: {
    // The engine is built (and its zero-shot model trained) before the first input.
    let _ = civic311_fuzz::riverton().classify("warm up", 1);
}, |data: &[u8]| {
    let Some((k, rest)) = civic311_fuzz::selector(data) else { return };
    let text = String::from_utf8_lossy(rest);
    let engine = civic311_fuzz::riverton();
    if let Ok(suggestions) = engine.classify(&text, k as usize % 8) {
        let sum: f32 = suggestions.iter().map(|s| s.score).sum();
        assert!(suggestions.iter().all(|s| s.score.is_finite() && s.score >= 0.0) && sum <= 1.0001, "{suggestions:?}");
    }
    let _ = engine.triage(&text);
    if let Ok(model) = civic311::classify::Classifier::from_bytes(rest) {
        let _ = model.predict_top("a pothole on maple", 3);
    }
});
