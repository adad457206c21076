//! Inputs shared by the benchmarks: the Riverton catalog's files, its golden
//! questions, and synthetic catalogs of any size built from Riverton's text.

use civic311::catalog::SourceFile;

/// The files of the embedded Riverton catalog.
pub fn riverton_files() -> Vec<SourceFile> {
    civic311::Catalog::riverton().expect("Riverton loads").source_files().to_vec()
}

/// The golden questions (`eval/riverton/questions.jsonl`) as (query, tags).
pub fn golden_questions() -> Vec<(String, Vec<String>)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../eval/riverton/questions.jsonl");
    let text = std::fs::read_to_string(path).expect("the golden questions are in eval/riverton");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("a JSON line");
            let tags = v["tags"]
                .as_array()
                .map(|t| t.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
                .unwrap_or_default();
            (v["query"].as_str().unwrap_or_default().to_string(), tags)
        })
        .collect()
}

/// A deterministic pseudo-random sequence (a 64-bit LCG): the same catalog every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

/// A catalog of `n` articles (and nothing else) whose text is Riverton's
/// own sentences, recombined: realistic word statistics at any size.
pub fn synthetic_articles(n: usize) -> Vec<(String, String)> {
    let riverton = civic311::Catalog::riverton().expect("Riverton loads");
    let articles: Vec<_> = riverton.articles().iter().filter(|a| a.lang == "en").collect();
    let sentences: Vec<&str> =
        articles.iter().flat_map(|a| a.body_text.split(". ").map(str::trim).filter(|s| s.len() > 20)).collect();
    let places = [
        "Maple Avenue",
        "River Street",
        "Levee Road",
        "Commerce Street",
        "Harbor Street",
        "Old Town",
        "Eastside",
        "Northgate",
    ];
    let mut rng = Lcg(311);
    let mut files = Vec::with_capacity(n);
    for i in 0..n {
        let base = articles[rng.next(articles.len())];
        let place = places[rng.next(places.len())];
        let mut body = String::new();
        for _ in 0..(6 + rng.next(8)) {
            body.push_str(sentences[rng.next(sentences.len())]);
            body.push_str(". ");
        }
        let keywords: Vec<String> = base.keywords.iter().map(|k| format!("{k:?}")).collect();
        let questions: Vec<String> =
            base.questions.iter().take(2).map(|q| format!("{:?}", format!("{q} near {place}"))).collect();
        let text = format!(
            "+++\nid = \"syn-{i}\"\ntitle = {:?}\nkeywords = [{}]\nquestions = [{}]\n+++\n{body}\n",
            format!("{} ({place}, notice {i})", base.title),
            keywords.join(", "),
            questions.join(", ")
        );
        files.push((format!("articles/syn-{i:06}.md"), text));
    }
    files
}

/// A percentile of sorted values (`p` from 0 to 1).
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Times every query `runs` times (after one warm-up run each) and returns
/// the sorted latencies in microseconds: percentiles over them are those of
/// the query mix.
pub fn latencies_us(
    engine: &civic311::Engine,
    queries: &[String],
    opts: &civic311::SearchOptions,
    runs: usize,
) -> Vec<f64> {
    use std::hint::black_box;
    for q in queries {
        black_box(engine.search(q, opts).expect("search"));
    }
    let mut all = Vec::with_capacity(queries.len() * runs);
    for q in queries {
        for _ in 0..runs {
            let t = std::time::Instant::now();
            let answers = engine.search(black_box(q), opts).expect("search");
            all.push(t.elapsed().as_secs_f64() * 1e6);
            black_box(answers);
        }
    }
    all.sort_by(f64::total_cmp);
    all
}

/// Macro-F1 over the labels present in the gold set or the predictions, as
/// scikit-learn computes it.
pub fn macro_f1(gold: &[&str], pred: &[&str]) -> f64 {
    let mut labels: std::collections::BTreeMap<&str, (f64, f64, f64)> = Default::default(); // tp, fp, fn
    for (g, p) in gold.iter().zip(pred) {
        if g == p {
            labels.entry(g).or_default().0 += 1.0;
        } else {
            labels.entry(p).or_default().1 += 1.0;
            labels.entry(g).or_default().2 += 1.0;
        }
    }
    let f1: Vec<f64> =
        labels.values().map(|(tp, fp, fnn)| if *tp == 0.0 { 0.0 } else { 2.0 * tp / (2.0 * tp + fp + fnn) }).collect();
    f1.iter().sum::<f64>() / f1.len().max(1) as f64
}
