//! Search latency per query on Riverton's golden questions: every question
//! timed many times, then the percentiles over all runs (the p50 a site
//! would see under its real traffic mix), overall and by tag.
//!
//! `cargo bench -p civic311-benches --bench latency`

use std::hint::black_box;
use std::time::Instant;

use civic311::{Catalog, Engine, SearchOptions};
use civic311_benches::{golden_questions, percentile};

const RUNS: usize = 200;

fn main() {
    // Criterion's arguments (--bench) are accepted and ignored.
    let engine = Engine::build(Catalog::riverton().unwrap()).unwrap();
    let opts = SearchOptions { now: Some("2026-11-22T20:00:00Z".parse().unwrap()), ..SearchOptions::default() };
    let golden = golden_questions();
    // Warm up: every query once.
    for (q, _) in &golden {
        black_box(engine.search(q, &opts).unwrap());
    }
    let mut all = Vec::new();
    let mut by_tag: std::collections::BTreeMap<String, Vec<f64>> = Default::default();
    for (q, tags) in &golden {
        for _ in 0..RUNS {
            let t = Instant::now();
            let answers = engine.search(black_box(q), &opts).unwrap();
            let us = t.elapsed().as_secs_f64() * 1e6;
            assert!(answers.len() <= 5);
            all.push(us);
            for tag in tags {
                by_tag.entry(tag.clone()).or_default().push(us);
            }
        }
    }
    all.sort_by(f64::total_cmp);
    println!("search/riverton/golden-latency: {} questions x {RUNS} runs", golden.len());
    println!("| set | p50 | p90 | p99 |\n|---|---|---|---|");
    println!(
        "| all | {:.1} µs | {:.1} µs | {:.1} µs |",
        percentile(&all, 0.5),
        percentile(&all, 0.9),
        percentile(&all, 0.99)
    );
    for (tag, mut v) in by_tag {
        v.sort_by(f64::total_cmp);
        println!(
            "| {tag} | {:.1} µs | {:.1} µs | {:.1} µs |",
            percentile(&v, 0.5),
            percentile(&v, 0.9),
            percentile(&v, 0.99)
        );
    }
}
