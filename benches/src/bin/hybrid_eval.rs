//! Hybrid search's quality: lexical, dense (the encoder alone) and hybrid
//! rankings on Quebec's municipal COVID FAQ (`../shared/eval/`, 313 answers,
//! residents' paraphrases split `dev` / `test`) and on Riverton's golden
//! questions (`eval/riverton/questions.jsonl`; even lines fit, odd lines
//! check), with MRR@5, hit@1 and hit@3; and the fusion's fit.
//!
//! ```text
//! cargo run --release -p civic311-benches --bin hybrid_eval -- --encoder DIR            # dev split
//! cargo run --release -p civic311-benches --bin hybrid_eval -- --encoder DIR --fit      # fit the fusion on dev
//! cargo run --release -p civic311-benches --bin hybrid_eval -- --encoder DIR --test     # report on test
//! ```
//!
//! `--fit` searches the fusion's two constants (`LEXICAL_WEIGHT`,
//! `DENSE_FLOOR` in core/src/hybrid.rs) on Quebec `dev` and Riverton's even
//! lines, weighting the two sets equally. `--test` is for reporting once the
//! method is fixed (docs/search.md counts the times it was run).

use std::collections::HashMap;
use std::time::Instant;

use civic311::{Catalog, Encoder, Engine, HybridCandidate, SearchOptions};

struct Query {
    text: String,
    expected: Vec<String>,
    lang: String,
}

struct Set {
    name: String,
    queries: Vec<Query>,
    /// Each query's candidates, computed once.
    candidates: Vec<Vec<HybridCandidate>>,
}

fn read(path: &str) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).expect("a JSON line")).collect()
}

/// Quebec's FAQ as a catalog: one department, one article an answer.
fn quebec_catalog(shared: &str) -> Catalog {
    let mut files = vec![(
        "catalog.toml".to_string(),
        r#"[catalog]
name = "Quebec municipal COVID-19 FAQ"
default_jurisdiction = "quebec"
languages = ["en"]

[[jurisdictions]]
id = "quebec"
kind = "state"
name = "Gouvernement du Québec"
time_zone = "America/Toronto"

[[departments]]
id = "municipal-affairs"
jurisdiction = "quebec"
name = "Municipal Affairs"
"#
        .to_string(),
    )];
    for a in read(&format!("{shared}/quebec-faq-articles.jsonl")) {
        let id = a["id"].as_str().unwrap_or_default();
        let quoted = |s: &str| toml::Value::String(s.to_string()).to_string();
        let front = format!(
            "id = {}\ntitle = {}\nlang = \"en\"\ndepartment = \"municipal-affairs\"\n",
            quoted(id),
            quoted(a["title"].as_str().unwrap_or_default())
        );
        files.push((
            format!("articles/en/{id}.md"),
            format!("+++\n{front}+++\n{}\n", a["body"].as_str().unwrap_or_default()),
        ));
    }
    Catalog::from_files(files).unwrap_or_else(|e| panic!("the Quebec catalog: {e}"))
}

fn quebec_queries(shared: &str, split: &str) -> Vec<Query> {
    read(&format!("{shared}/quebec-faq-questions.jsonl"))
        .into_iter()
        .filter(|q| q["split"].as_str() == Some(split))
        .map(|q| Query {
            text: q["question"].as_str().unwrap_or_default().into(),
            expected: vec![format!("article:{}", q["answer"].as_str().unwrap_or_default())],
            lang: "en".into(),
        })
        .collect()
}

fn riverton_queries(parity: Option<usize>) -> Vec<Query> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../eval/riverton/questions.jsonl");
    read(path)
        .into_iter()
        .enumerate()
        .filter(|(i, _)| parity.is_none_or(|p| i % 2 == p))
        .map(|(_, v)| Query {
            text: v["query"].as_str().unwrap_or_default().into(),
            expected: v["expected"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect(),
            lang: v["lang"].as_str().unwrap_or("en").into(),
        })
        .collect()
}

fn candidates(engine: &Engine, queries: &[Query]) -> Vec<Vec<HybridCandidate>> {
    let options = SearchOptions { limit: 5, ..SearchOptions::default() };
    queries.iter().map(|q| engine.hybrid_candidates(&q.text, &options).expect("candidates")).collect()
}

#[derive(Clone, Copy)]
enum Ranker {
    Lexical,
    Dense,
    Hybrid { weight: f32, floor: f32 },
}

fn ranked(c: &[HybridCandidate], ranker: Ranker) -> Vec<&str> {
    let mut scored: Vec<(f32, usize)> = c
        .iter()
        .enumerate()
        .filter_map(|(i, x)| match ranker {
            Ranker::Lexical => (x.lexical > 0.0).then_some((x.lexical, i)),
            Ranker::Dense => Some((x.cosine, i)),
            Ranker::Hybrid { .. } if !x.english => (x.lexical > 0.0).then_some((x.lexical, i)),
            Ranker::Hybrid { weight, floor } => {
                (x.lexical > 0.0 || x.cosine >= floor).then_some((x.cosine.max(0.0) + weight * x.lexical, i))
            }
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().take(5).map(|(_, i)| c[i].key.as_str()).collect()
}

#[derive(Default, Clone, Copy)]
struct Scores {
    n: usize,
    mrr: f64,
    hit1: usize,
    hit3: usize,
}

fn score(set: &Set, ranker: Ranker, lang: Option<&str>) -> Scores {
    let mut s = Scores::default();
    for (q, c) in set.queries.iter().zip(&set.candidates) {
        if lang.is_some_and(|l| q.lang != l) {
            continue;
        }
        s.n += 1;
        let top = ranked(c, ranker);
        if let Some(r) = top.iter().position(|k| q.expected.iter().any(|e| e == k)) {
            s.mrr += 1.0 / (r + 1) as f64;
            s.hit1 += usize::from(r == 0);
            s.hit3 += usize::from(r < 3);
        }
    }
    s.mrr /= s.n.max(1) as f64;
    s
}

fn row(name: &str, s: Scores) {
    let pct = |x: usize| 100.0 * x as f64 / s.n.max(1) as f64;
    println!("| {name} | {} | {:.3} | {:.1}% | {:.1}% |", s.n, s.mrr, pct(s.hit1), pct(s.hit3));
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |f: &str| args.iter().any(|a| a == f);
    let value = |f: &str| args.iter().position(|a| a == f).and_then(|i| args.get(i + 1)).cloned();
    let Some(dir) = value("--encoder") else {
        eprintln!(
            "usage: hybrid_eval --encoder DIR [--fit] [--test] [--latency] [--classify] [--classify-trained] [--shared ../shared/eval]"
        );
        std::process::exit(2);
    };
    let shared = value("--shared").unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/eval").into());
    let split = if flag("--test") { "test" } else { "dev" };

    let rss_start = rss_mb();
    let t = Instant::now();
    let encoder = std::sync::Arc::new(Encoder::load(&dir).unwrap_or_else(|e| panic!("{e}")));
    eprintln!(
        "encoder {} loaded in {:.0} ms; resident memory {rss_start:.0} MB before, {:.0} MB after",
        encoder.name(),
        t.elapsed().as_secs_f64() * 1e3,
        rss_mb()
    );
    if flag("--classify-trained") {
        classify_trained(&encoder);
        return;
    }
    let t = Instant::now();
    let quebec = Engine::build_with(quebec_catalog(&shared), encoder.clone()).expect("Quebec engine");
    eprintln!("Quebec: {} answers encoded in {:.1} s", quebec.answer_count(), t.elapsed().as_secs_f64());
    let t = Instant::now();
    let riverton =
        Engine::build_with(Catalog::riverton().expect("Riverton"), encoder.clone()).expect("Riverton engine");
    eprintln!("Riverton: {} answers encoded in {:.1} s", riverton.answer_count(), t.elapsed().as_secs_f64());

    if flag("--latency") {
        latency(&riverton, &encoder);
        return;
    }
    if flag("--classify") {
        classify(&riverton);
        return;
    }
    let t = Instant::now();
    let mut sets = Vec::new();
    for (name, engine, queries) in [
        (format!("Quebec {split}"), &quebec, quebec_queries(&shared, split)),
        ("Riverton even (fit)".to_string(), &riverton, riverton_queries(Some(0))),
        ("Riverton odd (check)".to_string(), &riverton, riverton_queries(Some(1))),
    ] {
        let candidates = candidates(engine, &queries);
        sets.push(Set { name, queries, candidates });
    }
    let n: usize = sets.iter().map(|s| s.queries.len()).sum();
    eprintln!("{n} questions searched in {:.1} s", t.elapsed().as_secs_f64());

    let current = Ranker::Hybrid { weight: civic311_weights().0, floor: civic311_weights().1 };
    if flag("--fit") {
        let mut best = (0.0, 0.0, 0.0);
        let mut table: HashMap<(u32, u32), f64> = HashMap::new();
        for wi in 0..=40 {
            let weight = wi as f32 * 0.05;
            for fi in 0..=8 {
                let floor = fi as f32 * 0.075;
                let r = Ranker::Hybrid { weight, floor };
                let objective = (score(&sets[0], r, None).mrr + score(&sets[1], r, None).mrr) / 2.0;
                table.insert((wi, fi), objective);
                if objective > best.0 {
                    best = (objective, weight, floor);
                }
            }
        }
        println!("best: LEXICAL_WEIGHT {:.2}, DENSE_FLOOR {:.3} (mean MRR@5 {:.4})", best.1, best.2, best.0);
        for wi in (0..=40).step_by(4) {
            let line: Vec<String> = (0..=8).map(|fi| format!("{:.3}", table[&(wi, fi)])).collect();
            println!("weight {:.2}: {}", wi as f32 * 0.05, line.join(" "));
        }
    }
    if flag("--quantization") {
        // The dense ranking with the answers' vectors in f32 (encoded here
        // from the same texts: title, and title with body) against the
        // bundle's one-byte vectors.
        let articles = read(&format!("{shared}/quebec-faq-articles.jsonl"));
        let mut exact: Vec<(String, Vec<f32>)> = Vec::new();
        for a in &articles {
            let (id, title, body) =
                (a["id"].as_str().unwrap_or(""), a["title"].as_str().unwrap_or(""), a["body"].as_str().unwrap_or(""));
            exact.push((format!("article:{id}"), encoder.encode(title)));
            exact.push((format!("article:{id}"), encoder.encode(&format!("{title}. {body}"))));
        }
        let (mut mrr, mut n) = (0.0, 0);
        for q in &sets[0].queries {
            let v = encoder.encode(&q.text);
            let mut best: HashMap<&str, f32> = HashMap::new();
            for (key, e) in &exact {
                let c: f32 = v.iter().zip(e).map(|(a, b)| a * b).sum();
                let slot = best.entry(key.as_str()).or_insert(f32::MIN);
                *slot = slot.max(c);
            }
            let mut order: Vec<(&str, f32)> = best.into_iter().collect();
            order.sort_by(|a, b| b.1.total_cmp(&a.1));
            if let Some(r) = order.iter().take(5).position(|(k, _)| q.expected.iter().any(|e| e == k)) {
                mrr += 1.0 / (r + 1) as f64;
            }
            n += 1;
        }
        println!(
            "dense MRR@5 on {}: f32 vectors {:.4}, one-byte vectors {:.4}",
            sets[0].name,
            mrr / n as f64,
            score(&sets[0], Ranker::Dense, None).mrr
        );
    }
    println!("| set · ranker | questions | MRR@5 | hit@1 | hit@3 |");
    println!("|---|---|---|---|---|");
    for set in &sets {
        for (name, r) in [("lexical", Ranker::Lexical), ("dense", Ranker::Dense), ("hybrid", current)] {
            row(&format!("{} · {name}", set.name), score(set, r, None));
            if set.name.starts_with("Riverton") {
                for lang in ["en", "es"] {
                    row(&format!("{} · {name} · {lang}", set.name), score(set, r, Some(lang)));
                }
            }
        }
    }
}

/// The fusion's constants as the library has them.
fn civic311_weights() -> (f32, f32) {
    civic311::hybrid_constants()
}

/// The process's resident memory in MB (Linux), or 0.
fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1).and_then(|p| p.parse::<f64>().ok()))
        .map_or(0.0, |pages| pages * 4096.0 / 1e6)
}

fn percentiles(mut times: Vec<f64>) -> String {
    times.sort_by(f64::total_cmp);
    format!("p50 {:.2} ms, p99 {:.2} ms", times[times.len() / 2], times[times.len() * 99 / 100])
}

/// Time per question on one thread: encoding, the whole hybrid search, the
/// lexical search; the brute-force scan over 100,000 one-byte vectors; the
/// bundle's growth.
fn latency(hybrid: &Engine, encoder: &Encoder) {
    let lexical = Engine::build(Catalog::riverton().expect("Riverton")).expect("engine");
    let queries = riverton_queries(None);
    let options = SearchOptions::default();
    let (mut encode, mut search, mut words) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..3 {
        for q in &queries {
            let t = Instant::now();
            std::hint::black_box(encoder.encode(&q.text));
            encode.push(t.elapsed().as_secs_f64() * 1e3);
            let t = Instant::now();
            std::hint::black_box(hybrid.search(&q.text, &options).expect("search"));
            search.push(t.elapsed().as_secs_f64() * 1e3);
            let t = Instant::now();
            std::hint::black_box(lexical.search(&q.text, &options).expect("search"));
            words.push(t.elapsed().as_secs_f64() * 1e3);
        }
    }
    println!("Riverton, {} questions x 3, one thread:", queries.len());
    println!("  encoding the question: {}", percentiles(encode));
    println!("  hybrid search (encoding + both rankings + snippets): {}", percentiles(search));
    println!("  lexical search: {}", percentiles(words));

    // 100,000 answers' vectors (random unit vectors; one a answer), scanned
    // in full for each of 200 question vectors, keeping the best 15.
    let dim = encoder.dim();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f32 / (1u64 << 53) as f32 - 0.5
    };
    let unit = |next: &mut dyn FnMut() -> f32| {
        let mut v: Vec<f32> = (0..dim).map(|_| next()).collect();
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter_mut().for_each(|x| *x /= n);
        v
    };
    let mut vectors = civic311::encoder::Vectors::new(dim, 0);
    for i in 0..100_000u32 {
        vectors.push(i, &unit(&mut next));
    }
    let mut scan = Vec::new();
    for _ in 0..200 {
        let q = unit(&mut next);
        let t = Instant::now();
        let mut best: Vec<(f32, usize)> = Vec::with_capacity(vectors.len());
        vectors.cosines(&q, |i, c| best.push((c, i)));
        best.select_nth_unstable_by(15, |a, b| b.0.total_cmp(&a.0));
        std::hint::black_box(&best[..15]);
        scan.push(t.elapsed().as_secs_f64() * 1e3);
    }
    println!(
        "  brute-force scan of 100,000 one-byte vectors ({:.1} MB): {}",
        vectors.len() as f64 * (dim + 8) as f64 / 1e6,
        percentiles(scan)
    );

    let plain = lexical.to_bundle().expect("bundle").len();
    let with = hybrid.to_bundle().expect("bundle").len();
    println!("  Riverton bundle: {plain} bytes lexical, {with} bytes with vectors (+{} bytes)", with - plain);
    println!("  resident memory now: {:.0} MB", rss_mb());
}

/// The vectors as classification features, tried zero-shot on Riverton's
/// golden complaints: the catalog-trained classifier's top service, the
/// service nearest by cosine, and the two added (the classifier's
/// probability plus a weight times the cosine).
fn classify(engine: &Engine) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../eval/riverton/complaints.jsonl");
    let rows = read(path);
    let services = SearchOptions { limit: 20, kinds: vec![civic311::AnswerKind::Service], ..SearchOptions::default() };
    let weights = [0.0f32, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0];
    let mut gold = Vec::new();
    let (mut zero, mut dense) = (Vec::new(), Vec::new());
    let mut fused: Vec<Vec<String>> = vec![Vec::new(); weights.len()];
    let mut langs = Vec::new();
    for r in &rows {
        let text = r["text"].as_str().unwrap_or_default();
        gold.push(r["label"].as_str().unwrap_or_default().to_string());
        langs.push(r["lang"].as_str().unwrap_or("en").to_string());
        let suggestions = engine.classify(text, 20).expect("classify");
        zero.push(suggestions.first().map(|s| s.service_code.clone()).unwrap_or_default());
        let cands = engine.hybrid_candidates(text, &services).expect("candidates");
        let cos = |code: &str| cands.iter().find(|c| c.key == format!("service:{code}")).map_or(0.0, |c| c.cosine);
        let nearest = cands
            .iter()
            .max_by(|a, b| a.cosine.total_cmp(&b.cosine))
            .map(|c| c.key.trim_start_matches("service:").to_string());
        dense.push(nearest.unwrap_or_default());
        for (k, w) in weights.iter().enumerate() {
            let best = suggestions
                .iter()
                .max_by(|a, b| (a.score + w * cos(&a.service_code)).total_cmp(&(b.score + w * cos(&b.service_code))))
                .map(|s| s.service_code.clone());
            fused[k].push(best.unwrap_or_default());
        }
    }
    let f1 = |pred: &[String], lang: Option<&str>, half: Option<usize>| {
        let keep: Vec<usize> = (0..gold.len())
            .filter(|i| lang.is_none_or(|l| langs[*i] == l) && half.is_none_or(|h| i % 2 == h))
            .collect();
        let g: Vec<&str> = keep.iter().map(|i| gold[*i].as_str()).collect();
        let p: Vec<&str> = keep.iter().map(|i| pred[*i].as_str()).collect();
        civic311_benches::macro_f1(&g, &p)
    };
    println!("Riverton complaints ({}), macro-F1 all / en / es / even lines (fit) / odd lines (check):", rows.len());
    let line = |name: &str, pred: &[String]| {
        println!(
            "| {name} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} |",
            f1(pred, None, None),
            f1(pred, Some("en"), None),
            f1(pred, Some("es"), None),
            f1(pred, None, Some(0)),
            f1(pred, None, Some(1))
        )
    };
    line("zero-shot classifier", &zero);
    line("nearest service by cosine", &dense);
    for (k, w) in weights.iter().enumerate().skip(1) {
        line(&format!("classifier + {w} x cosine"), &fused[k]);
    }
}

/// The vectors as features of a trained classifier, on repeated stratified
/// splits (70 % train, 30 % scored) of Newport's `train` rows (its `test`
/// rows are not read) and of Riverton's complaints: civic311's classifier
/// alone, the label whose training vectors' centroid is nearest, and the two
/// added (the classifier's probability plus a weight times the cosine).
fn classify_trained(encoder: &Encoder) {
    let newport = concat!(env!("CARGO_MANIFEST_DIR"), "/../kb-fixtures/newport/newport-seeclickfix.jsonl");
    let riverton = concat!(env!("CARGO_MANIFEST_DIR"), "/../eval/riverton/complaints.jsonl");
    let sets: Vec<(&str, Vec<(String, String)>)> = vec![
        (
            "Newport train rows",
            read(newport)
                .into_iter()
                .filter(|r| r["split"] == "train")
                .map(|r| {
                    (r["text"].as_str().unwrap_or_default().into(), r["label"].as_str().unwrap_or_default().into())
                })
                .collect(),
        ),
        (
            "Riverton complaints",
            read(riverton)
                .into_iter()
                .map(|r| {
                    (r["text"].as_str().unwrap_or_default().into(), r["label"].as_str().unwrap_or_default().into())
                })
                .collect(),
        ),
    ];
    let weights = [0.0f32, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0];
    let seeds = 20u64;
    for (name, rows) in &sets {
        let t = Instant::now();
        let vectors: Vec<Vec<f32>> = rows.iter().map(|(text, _)| encoder.encode(text)).collect();
        eprintln!("{name}: {} rows encoded in {:.1} s", rows.len(), t.elapsed().as_secs_f64());
        let mut by_weight: Vec<Vec<f64>> = vec![Vec::new(); weights.len()];
        let mut nearest_only = Vec::new();
        for seed in 0..seeds {
            let (train, test) = stratified_split(rows, seed);
            let options = civic311::classify::TrainOptions { seed, ..Default::default() };
            let model = civic311::classify::Classifier::train(
                train.iter().map(|i| (rows[*i].0.as_str(), rows[*i].1.as_str())),
                &options,
            )
            .expect("train");
            let labels = model.labels().to_vec();
            // Each label's centroid of its training rows' vectors, unit length.
            let dim = encoder.dim();
            let mut centroids = vec![vec![0.0f32; dim]; labels.len()];
            for i in &train {
                let l = labels.iter().position(|l| *l == rows[*i].1.trim()).expect("a trained label");
                for (c, v) in centroids[l].iter_mut().zip(&vectors[*i]) {
                    *c += v;
                }
            }
            for c in &mut centroids {
                let norm = c.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-9);
                c.iter_mut().for_each(|v| *v /= norm);
            }
            let gold: Vec<&str> = test.iter().map(|i| rows[*i].1.trim()).collect();
            let mut preds: Vec<Vec<String>> = vec![Vec::new(); weights.len()];
            let mut nearest = Vec::new();
            for i in &test {
                let p = model.probabilities(&rows[*i].0);
                let cos: Vec<f32> =
                    centroids.iter().map(|c| c.iter().zip(&vectors[*i]).map(|(a, b)| a * b).sum()).collect();
                for (k, w) in weights.iter().enumerate() {
                    let best = (0..labels.len()).max_by(|a, b| (p[*a] + w * cos[*a]).total_cmp(&(p[*b] + w * cos[*b])));
                    preds[k].push(labels[best.unwrap_or(0)].clone());
                }
                let best = (0..labels.len()).max_by(|a, b| cos[*a].total_cmp(&cos[*b]));
                nearest.push(labels[best.unwrap_or(0)].clone());
            }
            for (k, pred) in preds.iter().enumerate() {
                let pred: Vec<&str> = pred.iter().map(String::as_str).collect();
                by_weight[k].push(civic311_benches::macro_f1(&gold, &pred));
            }
            let pred: Vec<&str> = nearest.iter().map(String::as_str).collect();
            nearest_only.push(civic311_benches::macro_f1(&gold, &pred));
        }
        let stats = |xs: &[f64]| {
            let mean = xs.iter().sum::<f64>() / xs.len() as f64;
            let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64).sqrt();
            (mean, sd)
        };
        println!(
            "{name} ({} rows), {seeds} stratified 70/30 splits, macro-F1 mean (sd), wins over the classifier alone:",
            rows.len()
        );
        println!("| nearest centroid alone | {:.3} ({:.3}) | |", stats(&nearest_only).0, stats(&nearest_only).1);
        for (k, w) in weights.iter().enumerate() {
            let (mean, sd) = stats(&by_weight[k]);
            let wins = (0..seeds as usize).filter(|s| by_weight[k][*s] > by_weight[0][*s] + 1e-9).count();
            let losses = (0..seeds as usize).filter(|s| by_weight[k][*s] < by_weight[0][*s] - 1e-9).count();
            println!("| classifier + {w} x cosine | {mean:.3} ({sd:.3}) | {wins} wins, {losses} losses |");
        }
    }
}

/// Row indices split 70 / 30 within each label, shuffled by `seed`; a label
/// with one row trains only.
fn stratified_split(rows: &[(String, String)], seed: u64) -> (Vec<usize>, Vec<usize>) {
    let mut by_label: std::collections::BTreeMap<&str, Vec<usize>> = Default::default();
    for (i, (_, l)) in rows.iter().enumerate() {
        by_label.entry(l.trim()).or_default().push(i);
    }
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    let mut next = move || {
        // splitmix64
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for (_, mut idx) in by_label {
        for i in (1..idx.len()).rev() {
            let j = (next() % (i as u64 + 1)) as usize;
            idx.swap(i, j);
        }
        let n_test = if idx.len() < 2 { 0 } else { ((idx.len() as f64) * 0.3).round().max(1.0) as usize };
        test.extend_from_slice(&idx[..n_test]);
        train.extend_from_slice(&idx[n_test..]);
    }
    (train, test)
}
