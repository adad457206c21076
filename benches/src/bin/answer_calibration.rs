//! Calibrates `Engine::answer`'s confidence, and measures it.
//!
//! The questions: Riverton's golden questions (`eval/riverton/questions.jsonl`,
//! which the catalog answers; even lines are `dev`, odd lines `test`) and the
//! questions it does not answer (`eval/riverton/unanswered.jsonl`, each with
//! the department that should reply, split in the file). A question counts
//! as answered when one of the three answers given is an expected one.
//!
//! ```text
//! cargo run --release -p civic311-benches --bin answer_calibration           # the tables, on dev and test
//! cargo run --release -p civic311-benches --bin answer_calibration -- --fit  # fit the weights on dev
//! ```
//!
//! `--fit` prints the logistic regression's weights (Newton's method on
//! the `dev` rows, with a light L2 penalty) for `core/src/answer.rs`.

use civic311::answer::Signals;
use civic311::{AnswerOptions, Catalog, Engine};

struct Row {
    query: String,
    lang: String,
    /// For answerable questions: the expected answers; empty otherwise.
    expected: Vec<String>,
    /// For unanswerable ones: the department to ask.
    department: Option<String>,
    dev: bool,
    near_miss: bool,
}

fn read(path: &str) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).expect("a JSON line")).collect()
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array().map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

fn rows() -> Vec<Row> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../eval/riverton/");
    let mut rows = Vec::new();
    for (i, v) in read(&format!("{dir}questions.jsonl")).into_iter().enumerate() {
        rows.push(Row {
            query: v["query"].as_str().unwrap_or_default().into(),
            lang: v["lang"].as_str().unwrap_or("en").into(),
            expected: strings(&v["expected"]),
            department: None,
            dev: i % 2 == 0,
            near_miss: false,
        });
    }
    for v in read(&format!("{dir}unanswered.jsonl")) {
        rows.push(Row {
            query: v["query"].as_str().unwrap_or_default().into(),
            lang: v["lang"].as_str().unwrap_or("en").into(),
            expected: Vec::new(),
            department: v["department"].as_str().map(str::to_string),
            dev: v["split"].as_str() == Some("dev"),
            near_miss: strings(&v["tags"]).iter().any(|t| t == "near-miss"),
        });
    }
    rows
}

struct Scored {
    signals: Signals,
    /// One of the answers is expected (always false for unanswerable questions).
    good: bool,
    answerable: bool,
    department_right: Option<bool>,
    department_in_three: Option<bool>,
    emergency: bool,
}

fn features(s: &Signals) -> [f64; 5] {
    [s.coverage as f64, (s.top_score as f64).ln_1p(), s.runner_up as f64, s.unknown as f64, 1.0]
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Logistic regression by Newton's method, with an L2 penalty on the
/// weights (not the intercept).
fn fit(rows: &[(&Signals, bool)]) -> [f64; 5] {
    let mut w = [0.0f64; 5];
    let lambda = 0.1;
    for _ in 0..50 {
        let mut grad = [0.0f64; 5];
        let mut hess = [[0.0f64; 5]; 5];
        for (s, y) in rows {
            let x = features(s);
            let p = sigmoid(x.iter().zip(&w).map(|(a, b)| a * b).sum());
            let y = if *y { 1.0 } else { 0.0 };
            for i in 0..5 {
                grad[i] += (p - y) * x[i];
                for j in 0..5 {
                    hess[i][j] += p * (1.0 - p) * x[i] * x[j];
                }
            }
        }
        for i in 0..4 {
            grad[i] += lambda * w[i];
            hess[i][i] += lambda;
        }
        let step = solve(hess, grad);
        for i in 0..5 {
            w[i] -= step[i];
        }
        if step.iter().map(|s| s.abs()).fold(0.0, f64::max) < 1e-9 {
            break;
        }
    }
    w
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting.
fn solve(mut a: [[f64; 5]; 5], mut b: [f64; 5]) -> [f64; 5] {
    for c in 0..5 {
        let p = (c..5).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs())).unwrap_or(c);
        a.swap(c, p);
        b.swap(c, p);
        for r in c + 1..5 {
            let f = a[r][c] / a[c][c];
            for k in c..5 {
                a[r][k] -= f * a[c][k];
            }
            b[r] -= f * b[c];
        }
    }
    let mut x = [0.0; 5];
    for r in (0..5).rev() {
        x[r] = (b[r] - (r + 1..5).map(|k| a[r][k] * x[k]).sum::<f64>()) / a[r][r];
    }
    x
}

fn tables(name: &str, scored: &[&Scored]) {
    let answerable = scored.iter().filter(|s| s.answerable).count();
    let unanswerable = scored.len() - answerable;
    println!("\n## {name}: {answerable} answerable, {unanswerable} unanswerable questions\n");
    println!("Calibration: the questions by confidence, and how many of them the answers given did answer.\n");
    println!("| confidence | questions | answered by the answers given | mean confidence |");
    println!("|---|---|---|---|");
    for b in 0..5 {
        let (lo, hi) = (b as f32 * 0.2, (b + 1) as f32 * 0.2);
        let bin: Vec<_> = scored
            .iter()
            .filter(|s| {
                let c = s.signals.confidence();
                c >= lo && (c < hi || (b == 4 && c <= 1.0))
            })
            .collect();
        if bin.is_empty() {
            println!("| {lo:.1} to {hi:.1} | 0 | | |");
            continue;
        }
        let good = bin.iter().filter(|s| s.good).count();
        let mean = bin.iter().map(|s| s.signals.confidence()).sum::<f32>() / bin.len() as f32;
        println!(
            "| {lo:.1} to {hi:.1} | {} | {} ({:.0}%) | {mean:.2} |",
            bin.len(),
            good,
            100.0 * good as f32 / bin.len() as f32
        );
    }
    println!("\nThresholds: what each would do.\n");
    println!(
        "| threshold | answerable, answered right | answerable, escalated | unanswerable, escalated | answers given that were right |"
    );
    println!("|---|---|---|---|---|");
    for t in [0.3f32, 0.4, 0.5, 0.6, 0.7] {
        let given: Vec<_> = scored.iter().filter(|s| s.signals.confidence() >= t).collect();
        let right = given.iter().filter(|s| s.good).count();
        let kept = scored.iter().filter(|s| s.answerable && s.good && s.signals.confidence() >= t).count();
        let wrongly = scored.iter().filter(|s| s.answerable && s.signals.confidence() < t).count();
        let escalated = scored.iter().filter(|s| !s.answerable && s.signals.confidence() < t).count();
        println!(
            "| {t:.1} | {kept} of {answerable} ({:.0}%) | {wrongly} ({:.0}%) | {escalated} of {unanswerable} ({:.0}%) | {right} of {} ({:.0}%) |",
            pct(kept, answerable),
            pct(wrongly, answerable),
            pct(escalated, unanswerable),
            given.len(),
            pct(right, given.len())
        );
    }
    let with_dept: Vec<_> = scored.iter().filter_map(|s| s.department_right).collect();
    let right = with_dept.iter().filter(|r| **r).count();
    println!(
        "\nThe department named for the unanswerable questions: right for {right} of {} ({:.0}%).",
        with_dept.len(),
        pct(right, with_dept.len())
    );
    let three: Vec<_> = scored.iter().filter_map(|s| s.department_in_three).collect();
    let hits = three.iter().filter(|r| **r).count();
    println!("Among the three candidates: {hits} of {} ({:.0}%).", three.len(), pct(hits, three.len()));
    let emergencies = scored.iter().filter(|s| s.emergency).count();
    if emergencies > 0 {
        println!("Read as emergencies (911's advice, not escalated): {emergencies}.");
    }
}

fn pct(a: usize, b: usize) -> f32 {
    if b == 0 { 0.0 } else { 100.0 * a as f32 / b as f32 }
}

fn main() {
    let fit_weights = std::env::args().any(|a| a == "--fit");
    if std::env::args().any(|a| a == "--departments") {
        departments();
        return;
    }
    let engine = Engine::build(Catalog::riverton().expect("Riverton loads")).expect("the engine builds");
    let rows = rows();
    let mut scored = Vec::new();
    for r in &rows {
        // Every question is escalated at confidence 1, so that the department is always named.
        let options = AnswerOptions { lang: Some(r.lang.clone()), min_confidence: 1.0, ..AnswerOptions::default() };
        let reply = engine.answer(&r.query, &options).expect("answer");
        let good = reply.answers.iter().take(3).any(|a| {
            let key = format!("{}:{}", a.kind.as_str(), a.id);
            r.expected.contains(&key)
        });
        let department_right = r
            .department
            .as_ref()
            .map(|d| reply.escalation.as_ref().and_then(|e| e.department.as_deref()) == Some(d.as_str()));
        let department_in_three = r
            .department
            .as_ref()
            .map(|d| reply.escalation.as_ref().is_some_and(|e| e.candidates.iter().any(|c| &c.department == d)));
        scored.push(Scored {
            department_in_three,
            signals: reply.signals,
            good,
            answerable: !r.expected.is_empty(),
            department_right,
            emergency: reply.emergency.is_some(),
        });
    }
    if fit_weights {
        let dev: Vec<(&Signals, bool)> =
            rows.iter().zip(&scored).filter(|(r, _)| r.dev).map(|(_, s)| (&s.signals, s.good)).collect();
        let w = fit(&dev);
        println!("const WEIGHTS: [f32; 5] = [{:.3}, {:.3}, {:.3}, {:.3}, {:.3}];", w[0], w[1], w[2], w[3], w[4]);
        return;
    }
    let split = |dev: bool| -> Vec<&Scored> {
        rows.iter().zip(&scored).filter(|(r, _)| r.dev == dev).map(|(_, s)| s).collect()
    };
    println!("# Answer or escalate: Riverton");
    tables("dev", &split(true));
    tables("test", &split(false));
    let near: Vec<&Scored> = rows.iter().zip(&scored).filter(|(r, _)| r.near_miss && !r.dev).map(|(_, s)| s).collect();
    let escalated = near.iter().filter(|s| s.signals.confidence() < civic311::answer::DEFAULT_MIN_CONFIDENCE).count();
    println!(
        "\nNear misses in test (unanswerable, but sharing words with articles): {escalated} of {} escalated at the default threshold.",
        near.len()
    );
}

/// Compares ways of naming the department, on the `dev` unanswerable questions.
fn departments() {
    use std::collections::HashMap;
    let engine = Engine::build(Catalog::riverton().expect("Riverton loads")).expect("the engine builds");
    let rows: Vec<Row> = rows().into_iter().filter(|r| r.dev && r.department.is_some()).collect();
    let mut right: HashMap<String, usize> = HashMap::new();
    for r in &rows {
        let want = r.department.as_deref().unwrap_or_default();
        let suggestions = engine.classify(&r.query, 20).expect("classify");
        let options = civic311::SearchOptions { limit: 10, lang: Some(r.lang.clone()), ..Default::default() };
        let answers = engine.search(&r.query, &options).expect("search");
        let mut by_class: HashMap<String, f32> = HashMap::new();
        for s in &suggestions {
            if let Some(d) = &s.department {
                *by_class.entry(d.clone()).or_default() += s.score;
            }
        }
        let top = answers.first().map(|a| a.score).unwrap_or(1.0).max(1e-6);
        let mut by_search: HashMap<String, f32> = HashMap::new();
        let mut by_search_rank: HashMap<String, f32> = HashMap::new();
        for (i, a) in answers.iter().enumerate() {
            if let Some(d) = &a.department {
                *by_search.entry(d.clone()).or_default() += a.score / top;
                *by_search_rank.entry(d.clone()).or_default() += 1.0 / (i as f32 + 1.0);
            }
        }
        let best = |m: &HashMap<String, f32>| -> Option<String> {
            m.iter().max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0))).map(|(k, _)| k.clone())
        };
        let mut variants: Vec<(String, Option<String>)> = vec![
            ("classifier, top category".into(), suggestions.iter().find_map(|s| s.department.clone())),
            ("classifier, summed by department".into(), best(&by_class)),
            ("search, top answer".into(), answers.iter().find_map(|a| a.department.clone())),
            ("search, scores summed".into(), best(&by_search)),
            ("search, 1/rank summed".into(), best(&by_search_rank)),
        ];
        let profiles: HashMap<String, f32> =
            engine.departments_for(&r.query, 30).expect("departments").into_iter().collect();
        variants.push(("profiles".into(), best(&profiles)));
        for mu in [0.25f32, 0.5, 1.0, 2.0, 4.0] {
            let mut mix = by_class.clone();
            for (d, v) in &profiles {
                *mix.entry(d.clone()).or_default() += mu * v;
            }
            variants.push((format!("classifier summed + {mu} x profiles"), best(&mix)));
        }
        for lambda in [0.25f32, 0.5, 1.0, 2.0] {
            let mut mix = by_class.clone();
            let total: f32 = by_search_rank.values().sum::<f32>().max(1e-6);
            for (d, v) in &by_search_rank {
                *mix.entry(d.clone()).or_default() += lambda * v / total;
            }
            variants.push((format!("classifier summed + {lambda} x search 1/rank share"), best(&mix)));
        }
        if std::env::var("SHOW").is_ok() {
            let got =
                variants.iter().find(|(n, _)| n == "classifier summed + 2 x profiles").and_then(|(_, g)| g.clone());
            if got.as_deref() != Some(want) {
                println!("want {want:18} got {:18} {}", got.unwrap_or_default(), r.query);
            }
        }
        for (name, got) in variants {
            *right.entry(name).or_default() += usize::from(got.as_deref() == Some(want));
        }
    }
    let mut list: Vec<_> = right.into_iter().collect();
    list.sort();
    for (name, n) in list {
        println!("{name}: {n} of {} ({:.0}%)", rows.len(), pct(n, rows.len()));
    }
}
