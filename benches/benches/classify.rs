//! Classification throughput with a trained model (complaints per second on
//! one core), and training time at 200,000 rows.
//!
//! `cargo bench -p civic311-benches --bench classify`

use std::hint::black_box;
use std::time::Instant;

use civic311::classify::{Classifier, TrainOptions};
use criterion::{Criterion, Throughput};

fn newport() -> Vec<(String, String, String)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../kb-fixtures/newport/newport-seeclickfix.jsonl");
    std::fs::read_to_string(path)
        .expect("the Newport data is in kb-fixtures/newport")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["text"].as_str().unwrap_or("").to_string(),
                v["label"].as_str().unwrap_or("").to_string(),
                v["split"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn main() {
    let rows = newport();
    let train: Vec<(&str, &str)> =
        rows.iter().filter(|r| r.2 == "train").map(|r| (r.0.as_str(), r.1.as_str())).collect();
    let model = Classifier::train(train.iter().copied(), &TrainOptions::default()).unwrap();
    // Short complaints: the test texts cut to their first 80 characters, as a web form's one-liners.
    let short: Vec<String> = rows.iter().filter(|r| r.2 == "test").map(|r| r.0.chars().take(80).collect()).collect();
    let batch: Vec<&str> = short.iter().cycle().take(1000).map(String::as_str).collect();

    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("classify/batch");
    group.throughput(Throughput::Elements(batch.len() as u64));
    group.bench_function("1000", |b| {
        b.iter(|| {
            let labels = model.predict(black_box(batch.iter().copied()));
            assert_eq!(labels.len(), 1000);
            labels
        })
    });
    group.finish();

    // 200,000 training rows: Newport's train rows sampled with replacement,
    // each with a random tenth of its words dropped, so no two are alike.
    let mut state = 311u64;
    let mut next = |n: usize| {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
        ((state >> 33) as usize) % n
    };
    let big: Vec<(String, String)> = (0..200_000)
        .map(|_| {
            let (t, l) = train[next(train.len())];
            let words: Vec<&str> = t.split_whitespace().filter(|_| next(10) != 0).collect();
            (words.join(" "), l.to_string())
        })
        .collect();
    for calibrate in [false, true] {
        let t = Instant::now();
        let m = Classifier::train(
            big.iter().map(|(t, l)| (t.as_str(), l.as_str())),
            &TrainOptions { calibrate, ..TrainOptions::default() },
        )
        .unwrap();
        println!("classify/train/200000 (calibrate: {calibrate}): {:.2?}, {} labels", t.elapsed(), m.labels().len());
    }
    c.final_summary();
}
