//! A synthetic catalog of 100,000 articles: how long indexing takes (timed
//! once per run, it takes seconds), then search latency with criterion.
//!
//! `cargo bench -p civic311-benches --bench scale` (set CIVIC311_SCALE to
//! change the number of articles).

use std::hint::black_box;
use std::time::Instant;

use civic311::{Catalog, Engine, SearchOptions};
use civic311_benches::{golden_questions, latencies_us, percentile, synthetic_articles};
use criterion::Criterion;

fn main() {
    let n: usize = std::env::var("CIVIC311_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let t = Instant::now();
    let files = synthetic_articles(n);
    let generated = t.elapsed();
    let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();

    let t = Instant::now();
    let catalog = Catalog::from_files(files).expect("the synthetic catalog is valid");
    let loaded = t.elapsed();
    let t = Instant::now();
    let engine = Engine::build(catalog).expect("the synthetic catalog indexes");
    let built = t.elapsed();
    let t = Instant::now();
    let bundle = engine.to_bundle().unwrap();
    let saved = t.elapsed();
    println!(
        "scale/{n}: {:.1} MB of Markdown generated in {:.2?}; loaded and validated in {:.2?}; indexed in {:.2?} (load + index {:.2?}); bundle {:.1} MB written in {:.2?}",
        bytes as f64 / 1e6,
        generated,
        loaded,
        built,
        loaded + built,
        bundle.len() as f64 / 1e6,
        saved
    );

    let golden = golden_questions();
    let english: Vec<String> =
        golden.iter().filter(|(_, tags)| !tags.iter().any(|t| t == "spanish")).map(|(q, _)| q.clone()).collect();
    let opts = SearchOptions::default();
    let mut c = Criterion::default().configure_from_args().measurement_time(std::time::Duration::from_secs(10));
    c.bench_function(&format!("search/scale-{n}/potholes"), |b| {
        b.iter(|| {
            let a = engine.search(black_box("report a pothole on maple avenue"), &opts).unwrap();
            assert!(!a.is_empty());
            a
        })
    });
    let mut i = 0;
    c.bench_function(&format!("search/scale-{n}/golden"), |b| {
        b.iter(|| {
            let q = &english[i % english.len()];
            i += 1;
            engine.search(black_box(q), &opts).unwrap()
        })
    });
    c.final_summary();

    let all = latencies_us(&engine, &english, &opts, 20);
    println!(
        "search/scale-{n}/golden-latency: {} English questions x 20 runs: p50 {:.0} µs, p90 {:.0} µs, p99 {:.0} µs",
        english.len(),
        percentile(&all, 0.5),
        percentile(&all, 0.9),
        percentile(&all, 0.99)
    );
}
