//! The native encoder against sentence-transformers: the same texts'
//! vectors (cosine with the reference's), and the time to encode a
//! question on one core.
//!
//! ```text
//! target/compare-venv/bin/python benches/compare/encoder_reference.py DIR > target/encoder-reference.json
//! cargo run --release -p civic311-benches --bin encoder_check -- DIR target/encoder-reference.json
//! ```

use std::time::Instant;

use civic311::Encoder;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(dir), Some(reference)) = (args.first(), args.get(1)) else {
        eprintln!("usage: encoder_check ENCODER_DIR REFERENCE.json");
        std::process::exit(2);
    };
    let encoder = Encoder::load(dir).unwrap_or_else(|e| panic!("{e}"));
    let text = std::fs::read_to_string(reference).unwrap_or_else(|e| panic!("{reference}: {e}"));
    let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let texts: Vec<&str> =
        json["texts"].as_array().expect("texts").iter().map(|t| t.as_str().unwrap_or_default()).collect();
    let vectors = json["vectors"].as_array().expect("vectors");
    let (mut worst, mut worst_text, mut tokens_differ) = (1.0f64, "", 0);
    for (i, t) in texts.iter().enumerate() {
        let ours = encoder.encode(t);
        let theirs: Vec<f64> =
            vectors[i].as_array().expect("vector").iter().map(|x| x.as_f64().unwrap_or(0.0)).collect();
        let cos: f64 = ours.iter().zip(&theirs).map(|(a, b)| *a as f64 * b).sum();
        if cos < worst {
            (worst, worst_text) = (cos, t);
        }
        let want = json["ids"][i].as_array().map_or(0, |a| a.len());
        if encoder.token_count(t) != want {
            tokens_differ += 1;
            eprintln!("tokens differ ({} vs {want}): {t:?}", encoder.token_count(t));
        }
    }
    println!(
        "{} texts: lowest cosine with sentence-transformers {worst:.6} ({worst_text:?}); token counts differ on {tokens_differ}",
        texts.len()
    );
    let mut times = Vec::new();
    let mut tokens = 0;
    for _ in 0..5 {
        for t in &texts {
            let start = Instant::now();
            std::hint::black_box(encoder.encode(t));
            times.push(start.elapsed().as_secs_f64() * 1e3);
            tokens += encoder.token_count(t);
        }
    }
    times.sort_by(f64::total_cmp);
    println!(
        "encode, one thread: p50 {:.2} ms, p99 {:.2} ms, mean {:.1} tokens",
        times[times.len() / 2],
        times[times.len() * 99 / 100],
        tokens as f64 / times.len() as f64
    );
}
