//! Answer search on Riverton: by kind of question, completions, and the
//! costs of building and loading an engine.

use std::hint::black_box;

use civic311::{Catalog, Engine, SearchOptions};
use civic311_benches::golden_questions;
use criterion::{Criterion, criterion_group, criterion_main};

fn search(c: &mut Criterion) {
    let engine = Engine::build(Catalog::riverton().unwrap()).unwrap();
    let opts = SearchOptions { now: Some("2026-11-22T20:00:00Z".parse().unwrap()), ..SearchOptions::default() };
    let golden = golden_questions();
    // One representative query per kind, each checked against its answer.
    let cases = [
        ("short", "potholes", "ST-POTHOLE"),
        ("sentence", "how do i get rid of an old couch", "SW-BULKY"),
        ("typo", "grafitti on my garage", "GR-PRIVATE"),
        ("spanish", "como reporto un bache en mi calle", "reportar-un-bache-es"),
        ("facility", "is the main library open on sunday", "main-library"),
    ];
    for (name, query, expected) in cases {
        c.bench_function(&format!("search/riverton/{name}"), |b| {
            b.iter(|| {
                let answers = engine.search(black_box(query), &opts).unwrap();
                assert!(answers.iter().take(3).any(|a| a.id == expected), "{query}");
                answers
            })
        });
    }
    // Every golden question in turn: the figure closest to real traffic.
    let mut i = 0;
    c.bench_function("search/riverton/golden", |b| {
        b.iter(|| {
            let (q, _) = &golden[i % golden.len()];
            i += 1;
            let answers = engine.search(black_box(q), &opts).unwrap();
            assert!(answers.len() <= 5);
            answers
        })
    });
    c.bench_function("suggest/riverton/bulky-it", |b| {
        b.iter(|| {
            let c = engine.suggest(black_box("bulky it"), 5);
            assert!(!c.is_empty());
            c
        })
    });
}

fn build_and_load(c: &mut Criterion) {
    let catalog = Catalog::riverton().unwrap();
    let mut group = c.benchmark_group("engine");
    group.sample_size(20);
    group.bench_function("build/riverton", |b| {
        b.iter(|| {
            let e = Engine::build(black_box(catalog.clone())).unwrap();
            assert_eq!(e.answer_count(), 261);
            e
        })
    });
    let bytes = Engine::build(catalog.clone()).unwrap().to_bundle().unwrap();
    group.bench_function("from-bundle/riverton", |b| {
        b.iter(|| {
            let e = Engine::from_bundle(black_box(&bytes)).unwrap();
            assert_eq!(e.answer_count(), 261);
            e
        })
    });
    group.finish();
}

criterion_group!(benches, search, build_and_load);
criterion_main!(benches);
