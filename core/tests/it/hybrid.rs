//! Hybrid search with the real encoder (all-MiniLM-L6-v2, which
//! `scripts/fetch-encoder.sh` installs; the README's test command puts it
//! at target/encoder and sets CIVIC311_ENCODER). Without it these tests
//! say so and pass, unless CIVIC311_REQUIRE_ENCODER=1 (as in CI).
//!
//! Quality is asserted on Riverton's golden questions, never time.

use std::sync::{Arc, OnceLock};

use civic311::{AnswerOptions, Catalog, Encoder, Engine, ErrorKind, SearchOptions};

fn encoder() -> Option<Arc<Encoder>> {
    static ENCODER: OnceLock<Option<Arc<Encoder>>> = OnceLock::new();
    ENCODER
        .get_or_init(|| {
            let dir = std::env::var("CIVIC311_ENCODER").ok().filter(|d| !d.is_empty());
            let required = std::env::var("CIVIC311_REQUIRE_ENCODER").is_ok_and(|v| v == "1");
            match dir {
                Some(d) => Some(Arc::new(Encoder::load(&d).unwrap_or_else(|e| panic!("CIVIC311_ENCODER={d}: {e}")))),
                None if required => panic!("CIVIC311_REQUIRE_ENCODER=1 but CIVIC311_ENCODER is not set"),
                None => {
                    eprintln!("skipped: set CIVIC311_ENCODER to an encoder folder (scripts/fetch-encoder.sh DIR)");
                    None
                }
            }
        })
        .clone()
}

fn hybrid() -> Option<&'static Engine> {
    static ENGINE: OnceLock<Option<Engine>> = OnceLock::new();
    ENGINE.get_or_init(|| encoder().map(|e| Engine::build_with(Catalog::riverton().unwrap(), e).unwrap())).as_ref()
}

fn keys(engine: &Engine, query: &str) -> Vec<String> {
    engine
        .search(query, &SearchOptions::default())
        .unwrap()
        .into_iter()
        .map(|a| format!("{}:{}", a.kind.as_str(), a.id))
        .collect()
}

/// MRR@5 over the golden questions.
fn mrr(engine: &Engine) -> f64 {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../eval/riverton/questions.jsonl");
    let text = std::fs::read_to_string(path).unwrap();
    let (mut sum, mut n) = (0.0, 0);
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let q: serde_json::Value = serde_json::from_str(line).unwrap();
        let expected: Vec<&str> = q["expected"].as_array().unwrap().iter().filter_map(|v| v.as_str()).collect();
        let got = keys(engine, q["query"].as_str().unwrap());
        if let Some(r) = got.iter().take(5).position(|k| expected.contains(&k.as_str())) {
            sum += 1.0 / (r + 1) as f64;
        }
        n += 1;
    }
    sum / n as f64
}

#[test]
fn the_encoder_matches_sentence_transformers() {
    let Some(encoder) = encoder() else { return };
    assert_eq!(encoder.dim(), 384);
    // sentence-transformers' all-MiniLM-L6-v2: the first values of these
    // texts' vectors (benches/compare/encoder_reference.py).
    let v = encoder.encode("Where is the nearest library?");
    let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-4, "norm {norm}");
    let same = encoder.encode("Where's the closest public library?");
    let other = encoder.encode("My trash was not picked up this week");
    let cos = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
    assert!(cos(&v, &same) > 0.75, "paraphrases: {}", cos(&v, &same));
    assert!(cos(&v, &other) < 0.3, "unrelated: {}", cos(&v, &other));
    // No text is an error: empty, symbols only, very long.
    for text in ["", "¿?!", &"x".repeat(100_000)] {
        assert_eq!(encoder.encode(text).len(), 384);
    }
}

#[test]
fn hybrid_ranks_the_golden_questions_better_than_words_alone() {
    let Some(hybrid) = hybrid() else { return };
    let lexical = crate::search::riverton();
    let (h, l) = (mrr(hybrid), mrr(lexical));
    // Measured 0.942 hybrid, 0.905 lexical (docs/benchmarks.md).
    assert!(h >= 0.93, "hybrid MRR@5 {h:.3}");
    assert!(h > l + 0.02, "hybrid MRR@5 {h:.3} against lexical {l:.3}");
}

#[test]
fn questions_in_other_words_find_their_answer() {
    let Some(engine) = hybrid() else { return };
    // None of these shares its key word with the answer's title.
    for (query, want) in [
        ("my neighbour's car hasn't moved from the street in a month", "service:VH-ABANDONED"),
        ("someone sprayed tags all over the bus shelter", "service:GR-PUBLIC"),
    ] {
        let got = keys(engine, query);
        assert!(got.iter().take(3).any(|k| k == want), "{query:?}: {got:?}");
    }
    // Snippets still mark the words matched; hours still come with facilities.
    let answers = engine.search("is the main library open on sunday", &SearchOptions::default()).unwrap();
    let library = answers.iter().find(|a| a.hours.is_some()).expect("a facility with its hours");
    assert!(library.snippet.contains("<mark>") || library.title.to_lowercase().contains("library"));
    // Filters hold for answers found by meaning too.
    let options = SearchOptions { department: Some("parks".into()), ..SearchOptions::default() };
    for a in engine.search("a tree fell across the trail", &options).unwrap() {
        assert_eq!(a.department.as_deref(), Some("parks"), "{a:?}");
    }
    // Noise finds nothing by meaning alone.
    assert!(engine.search("qwxz vvbnm", &SearchOptions::default()).unwrap().len() <= 1);
}

#[test]
fn bundles_carry_the_vectors_and_keep_the_ranking() {
    let (Some(engine), Some(encoder)) = (hybrid(), encoder()) else { return };
    let bytes = engine.to_bundle().unwrap();
    let plain = Engine::build(Catalog::riverton().unwrap()).unwrap().to_bundle().unwrap();
    // 384 bytes, a scale and an owner a vector; a few vectors an answer.
    assert!(bytes.len() > plain.len() + 261 * 392, "{} vs {}", bytes.len(), plain.len());
    let loaded = Engine::from_bundle(&bytes).unwrap();
    assert!(!loaded.is_hybrid(), "no encoder attached yet");
    let loaded = loaded.with_encoder(encoder);
    assert!(loaded.is_hybrid());
    for q in ["someone sprayed tags all over the bus shelter", "where do I pay a parking ticket", "bache"] {
        assert_eq!(
            loaded.search(q, &SearchOptions::default()).unwrap(),
            engine.search(q, &SearchOptions::default()).unwrap()
        );
    }
    // A damaged vectors section is refused, not half-loaded.
    let mut cut = bytes.clone();
    let at = cut.len() - 10;
    cut[at] ^= 0xff;
    assert_eq!(Engine::from_bundle(&cut).unwrap_err().kind(), ErrorKind::Bundle);
}

#[test]
fn answer_stays_calibrated_on_a_hybrid_engine() {
    let Some(engine) = hybrid() else { return };
    let reply = engine.answer("how do I report a pothole", &AnswerOptions::default()).unwrap();
    assert!(reply.answered, "{reply:?}");
    let reply = engine.answer("can the city help me file my federal taxes", &AnswerOptions::default()).unwrap();
    assert!(!reply.answered, "{reply:?}");
}

#[test]
fn a_folder_without_a_model_is_a_model_error_that_says_how_to_get_one() {
    let dir = std::env::temp_dir().join(format!("civic311-no-encoder-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let err = Encoder::load(&dir).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Model);
    assert!(err.to_string().contains("fetch-encoder.sh"), "{err}");
    std::fs::write(dir.join("config.json"), r#"{"model_type": "gpt2"}"#).unwrap();
    std::fs::write(dir.join("tokenizer.json"), "{}").unwrap();
    std::fs::write(dir.join("model.safetensors"), b"not weights").unwrap();
    let err = Encoder::load(&dir).unwrap_err();
    assert!(err.to_string().contains("gpt2"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
