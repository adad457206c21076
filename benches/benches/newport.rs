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
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--splits") {
        let Some(file) = args.get(i + 1) else {
            eprintln!("--splits needs the file written by benches/compare/classify_splits.py --dump");
            std::process::exit(2);
        };
        splits(file, &options_from_env());
        return;
    }
    if args.iter().any(|a| a == "--cv") {
        cross_validate(&train);
        return;
    }
    let options = options_from_env();
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

/// The training options, varied from the environment to study them.
fn options_from_env() -> TrainOptions {
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
    options
}

/// Scores civic311 on the splits that `benches/compare/classify_splits.py
/// --dump` wrote, beside scikit-learn's scores on the same rows: macro-F1
/// over the labels of each split's scored rows, as scikit-learn counts it.
fn splits(file: &str, options: &TrainOptions) {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let dump: serde_json::Value = match std::fs::read_to_string(file).map(|t| serde_json::from_str(&t)) {
        Ok(Ok(v)) => v,
        _ => {
            eprintln!("{file}: not the JSON of classify_splits.py --dump");
            std::process::exit(2);
        }
    };
    let Some(sets) = dump.as_object() else { return };
    for (name, set) in sets {
        let path = format!("{root}/{}", set["path"].as_str().unwrap_or(""));
        let text = std::fs::read_to_string(&path).expect("the set's rows are in the repository");
        let rows: Vec<(String, String)> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .filter(|r| set["only_split"].as_str().is_none_or(|s| r["split"] == s))
            .map(|r| (r["text"].as_str().unwrap_or("").to_string(), r["label"].as_str().unwrap_or("").to_string()))
            .collect();
        let (mut ours, mut theirs, mut fit_seconds) = (Vec::new(), Vec::new(), Vec::new());
        for split in set["splits"].as_array().into_iter().flatten() {
            let ids = |k: &str| -> Vec<usize> {
                split[k].as_array().into_iter().flatten().filter_map(|v| v.as_u64()).map(|v| v as usize).collect()
            };
            let (fit, scored) = (ids("fit"), ids("scored"));
            let t = Instant::now();
            let model =
                Classifier::train(fit.iter().map(|&i| (rows[i].0.as_str(), rows[i].1.as_str())), options).unwrap();
            fit_seconds.push(t.elapsed().as_secs_f64());
            let pred = model.predict(scored.iter().map(|&i| rows[i].0.as_str()));
            let gold: Vec<&str> = scored.iter().map(|&i| rows[i].1.as_str()).collect();
            let pred: Vec<&str> = pred.iter().map(String::as_str).collect();
            ours.push(macro_f1_over_gold(&gold, &pred));
            theirs.push(split["sklearn"][0].as_f64().unwrap_or(f64::NAN));
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
        // The population standard deviation (statistics.pstdev, as the Python script).
        let sd = |v: &[f64]| {
            let m = mean(v);
            (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / v.len().max(1) as f64).sqrt()
        };
        let diff: Vec<f64> = ours.iter().zip(&theirs).map(|(a, b)| a - b).collect();
        println!(
            "{name}: {} splits; civic311 {:.4} (sd {:.4}), scikit-learn {:.4} (sd {:.4}); margin sd {:.4}; ahead on {}, behind on {}; worst {:+.4}; fit {:.0} ms mean",
            ours.len(),
            mean(&ours),
            sd(&ours),
            mean(&theirs),
            sd(&theirs),
            sd(&diff),
            diff.iter().filter(|d| **d > 1e-9).count(),
            diff.iter().filter(|d| **d < -1e-9).count(),
            diff.iter().copied().fold(f64::INFINITY, f64::min),
            mean(&fit_seconds) * 1000.0,
        );
        if std::env::var("CIVIC311_SPLITS_VERBOSE").is_ok() {
            let per: Vec<String> = diff.iter().map(|d| format!("{d:+.3}")).collect();
            println!("  margins: {}", per.join(" "));
        }
    }
}

/// Macro-F1 over the labels of the gold rows (scikit-learn's `labels=sorted(set(gold))`).
fn macro_f1_over_gold(gold: &[&str], pred: &[&str]) -> f64 {
    let mut labels: std::collections::BTreeMap<&str, (f64, f64, f64)> =
        gold.iter().map(|g| (*g, (0.0, 0.0, 0.0))).collect();
    for (g, p) in gold.iter().zip(pred) {
        if g == p {
            labels.entry(g).or_default().0 += 1.0;
        } else {
            if let Some(e) = labels.get_mut(p) {
                e.1 += 1.0;
            }
            labels.entry(g).or_default().2 += 1.0;
        }
    }
    let f1: Vec<f64> =
        labels.values().map(|(tp, fp, fnn)| if *tp == 0.0 { 0.0 } else { 2.0 * tp / (2.0 * tp + fp + fnn) }).collect();
    f1.iter().sum::<f64>() / f1.len().max(1) as f64
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
