//! The trained classifier on real Newport, RI SeeClickFix requests
//! (`kb-fixtures/newport/newport-seeclickfix.jsonl`): trained on split=train,
//! scored on split=test, the same rows scikit-learn's reference uses.
//! Prints accuracy, macro-F1, top-3 accuracy and the training and
//! prediction times, as one JSON line (for benches/compare/classify.py).
//!
//! `cargo bench -p civic311-benches --bench newport`

use std::time::Instant;

use civic311::classify::{Classifier, TrainOptions};
use civic311_benches::macro_f1;

fn main() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../kb-fixtures/newport/newport-seeclickfix.jsonl");
    let text = std::fs::read_to_string(path).expect("the Newport data is in kb-fixtures/newport");
    let rows: Vec<serde_json::Value> =
        text.lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).unwrap()).collect();
    let pick = |split: &str| -> Vec<(String, String)> {
        rows.iter()
            .filter(|r| r["split"] == split)
            .map(|r| (r["text"].as_str().unwrap_or("").to_string(), r["label"].as_str().unwrap_or("").to_string()))
            .collect()
    };
    let (train, test) = (pick("train"), pick("test"));
    if std::env::args().any(|a| a == "--cv") {
        cross_validate(&train);
        return;
    }
    // The training options can be varied from the environment, to study them.
    let env = |k: &str| std::env::var(k).ok();
    let mut options = TrainOptions::default();
    if let Some(v) = env("CIVIC311_EPOCHS").and_then(|v| v.parse().ok()) {
        options.epochs = v;
    }
    if let Some(v) = env("CIVIC311_LR").and_then(|v| v.parse().ok()) {
        options.learning_rate = v;
    }
    if let Some(v) = env("CIVIC311_L2").and_then(|v| v.parse().ok()) {
        options.l2 = v;
    }
    if let Some(v) = env("CIVIC311_BALANCE").and_then(|v| v.parse().ok()) {
        options.class_balance = v;
    }
    if let Some(v) = env("CIVIC311_CHAR_MAX").and_then(|v| v.parse().ok()) {
        options.features.char_max = v;
    }
    if let Some(v) = env("CIVIC311_CALIBRATE").and_then(|v| v.parse().ok()) {
        options.calibrate = v;
    }
    let t = Instant::now();
    let model = Classifier::train(train.iter().map(|(t, l)| (t.as_str(), l.as_str())), &options).unwrap();
    let fit = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let top: Vec<Vec<(String, f32)>> = model.predict_top_batch(test.iter().map(|(t, _)| t.as_str()), 3);
    let predict = t.elapsed().as_secs_f64();
    let gold: Vec<&str> = test.iter().map(|(_, l)| l.as_str()).collect();
    let pred: Vec<&str> = top.iter().map(|t| t[0].0.as_str()).collect();
    let accuracy = gold.iter().zip(&pred).filter(|(g, p)| g == p).count() as f64 / gold.len() as f64;
    let top3 = gold.iter().zip(&top).filter(|(g, t)| t.iter().any(|(l, _)| l == *g)).count() as f64 / gold.len() as f64;
    println!(
        "{}",
        serde_json::json!({
            "engine": "civic311",
            "train_rows": train.len(), "test_rows": test.len(),
            "accuracy": round(accuracy), "macro_f1": round(macro_f1(&gold, &pred)), "top3_accuracy": round(top3),
            "fit_seconds": fit, "predict_seconds": predict, "temperature": model.temperature(),
        })
    );
}

fn round(x: f64) -> f64 {
    (x * 10000.0).round() / 10000.0
}

/// Chooses training options by 5-fold cross-validation on the train split
/// only (the test split is never looked at): prints mean macro-F1 and
/// accuracy per candidate.
fn cross_validate(train: &[(String, String)]) {
    let mut candidates = Vec::new();
    for lr in [0.05f32, 0.1, 0.2, 0.5] {
        for balance in [0.0f32, 0.5, 0.7, 1.0] {
            candidates.push((lr, balance));
        }
    }
    for (lr, balance) in candidates {
        let options =
            TrainOptions { learning_rate: lr, class_balance: balance, calibrate: false, ..TrainOptions::default() };
        let (mut f1, mut acc) = (0.0, 0.0);
        for fold in 0..5 {
            let fit: Vec<(&str, &str)> = train
                .iter()
                .enumerate()
                .filter(|(i, _)| i % 5 != fold)
                .map(|(_, (t, l))| (t.as_str(), l.as_str()))
                .collect();
            let held: Vec<&(String, String)> =
                train.iter().enumerate().filter(|(i, _)| i % 5 == fold).map(|(_, r)| r).collect();
            let model = Classifier::train(fit, &options).unwrap();
            let pred = model.predict(held.iter().map(|(t, _)| t.as_str()));
            let gold: Vec<&str> = held.iter().map(|(_, l)| l.as_str()).collect();
            let pred: Vec<&str> = pred.iter().map(String::as_str).collect();
            f1 += macro_f1(&gold, &pred) / 5.0;
            acc += gold.iter().zip(&pred).filter(|(g, p)| g == p).count() as f64 / gold.len() as f64 / 5.0;
        }
        println!("lr {lr} balance {balance}: cv macro-F1 {f1:.4} accuracy {acc:.4}");
    }
}
