//! The trained model: multinomial logistic regression over hashed sparse
//! features, with balanced class weights for labels with few examples, and a
//! temperature fitted on held-out predictions so that its probabilities are
//! calibrated.

use super::features::{FeatureSpec, Featurizer, SparseVec, weigh};
use crate::error::{Error, ErrorKind, Result};

/// Options of [`Classifier::train`].
#[derive(Debug, Clone, PartialEq)]
pub struct TrainOptions {
    /// The seed of the shuffles: the same rows and seed give the same model.
    pub seed: u64,
    /// Passes over the training rows (at most; see `max_updates`).
    pub epochs: usize,
    /// The most example updates training makes, whatever `epochs` says
    /// (never less than one pass): on many rows, one pass or a little more
    /// converges, and twelve would take minutes.
    pub max_updates: usize,
    /// L2 regularization strength per example.
    pub l2: f32,
    /// The initial learning rate of AdaGrad.
    pub learning_rate: f32,
    /// Weigh each class by the inverse of its frequency (raised to this
    /// power: 1 is scikit-learn's "balanced", 0 is no weighting).
    pub class_balance: f32,
    /// How features are cut.
    pub features: FeatureSpec,
    /// Fit a calibration temperature on held-out predictions.
    pub calibrate: bool,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            seed: 311,
            epochs: 12,
            // Twelve passes over 20,000 rows; 1.25 passes over 200,000.
            max_updates: 250_000,
            // L2 and the learning rate were chosen on 20 random stratified
            // 70/30 splits of Newport's train rows and of Riverton's golden
            // complaints, against scikit-learn on the same rows
            // (benches/compare/classify_splits.py, docs/benchmarks.md): 1e-5
            // had let rare labels' few words take over (Riverton: behind on
            // 6 of 20 splits; 1e-3: ahead on all 20 of both sets).
            l2: 1e-3,
            learning_rate: 0.07,
            class_balance: 1.0,
            features: FeatureSpec::default(),
            calibrate: true,
        }
    }
}

/// A deterministic pseudo-random sequence for shuffles.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z % n.max(1) as u64) as usize
    }
    pub(crate) fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

const NO_ROW: u32 = u32::MAX;

/// Rows per thread below which features are cut on one thread.
const PARALLEL_ROWS: usize = 5_000;
/// Prediction goes on more cores from this many texts a core. A text takes
/// about 15 µs, but a worker starts cold (its own featurizer and stem
/// caches): at 32 a core, predicting Riverton's 83 scored complaints took
/// 3.99 ms (median of 20 splits) instead of 3.00 on one; 830 texts took
/// 9.8 ms on two cores instead of 15.3 on one.
const PARALLEL_TEXTS: usize = 256;

/// Above this many rows, calibration holds out a tenth instead of
/// cross-validating.
const LARGE: usize = 20_000;

/// A trained text classifier: labels with probabilities for any text.
///
/// ```
/// use civic311::classify::{Classifier, TrainOptions};
///
/// let texts = ["pothole on elm", "huge pothole in the road", "hole in the street",
///              "graffiti on the wall", "someone tagged my fence", "spray paint on the bridge"];
/// let labels = ["ST-POTHOLE", "ST-POTHOLE", "ST-POTHOLE", "GR-PUBLIC", "GR-PUBLIC", "GR-PUBLIC"];
/// let model = Classifier::train(texts.iter().copied().zip(labels.iter().copied()), &TrainOptions::default())?;
/// let top = model.predict_top("potholes everywhere on main street", 2);
/// assert_eq!(top[0].0, "ST-POTHOLE");
/// assert!((top.iter().map(|(_, p)| p).sum::<f32>() - 1.0).abs() < 1e-4);
/// # Ok::<(), civic311::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Classifier {
    pub(crate) spec: FeatureSpec,
    pub(crate) labels: Vec<String>,
    /// For each hash bucket, its row of weights (or NO_ROW when training never saw it).
    pub(crate) row_of_bucket: Vec<u32>,
    /// Inverse document frequency of each row's feature.
    pub(crate) idf: Vec<f32>,
    /// Rows × classes, row-major.
    pub(crate) weights: Vec<f32>,
    pub(crate) bias: Vec<f32>,
    /// Logits are divided by this before the softmax.
    pub(crate) temperature: f32,
}

/// A training row's features: the model's rows (in `index`) with their
/// weighted values.
type Example = SparseVec;

impl Classifier {
    /// Trains a classifier on (text, label) rows.
    ///
    /// Labels are any strings (service codes, or another city's request
    /// types); at least two labels and one row each are needed.
    pub fn train<'a>(rows: impl IntoIterator<Item = (&'a str, &'a str)>, options: &TrainOptions) -> Result<Classifier> {
        // Generic only in how rows arrive: one copy of the training itself
        // (the browser's engine downloads every copy).
        Classifier::train_rows(&rows.into_iter().collect::<Vec<_>>(), options)
    }

    fn train_rows(rows: &[(&str, &str)], options: &TrainOptions) -> Result<Classifier> {
        let model_error = |m: String| Error::new(ErrorKind::Model, m);
        if options.features.bits < 10 || options.features.bits > 24 {
            return Err(model_error(format!("features.bits = {}; use 10 to 24", options.features.bits)));
        }
        if options.epochs == 0 || options.learning_rate.is_nan() || options.learning_rate <= 0.0 || options.l2 < 0.0 {
            return Err(model_error("epochs must be at least 1, learning_rate above 0 and l2 at least 0".into()));
        }
        let labels: std::collections::BTreeSet<&str> = rows.iter().map(|(_, l)| l.trim()).collect();
        let labels: Vec<String> = labels.into_iter().map(str::to_string).collect();
        if labels.iter().any(|l| l.is_empty()) {
            return Err(model_error("a training row has an empty label; give every row its category".into()));
        }
        if labels.len() < 2 {
            return Err(model_error(format!(
                "training needs at least two labels, got {}; add rows of other categories",
                labels.len()
            )));
        }
        let worker_failed = || model_error("training stopped: a worker thread failed; train again".into());
        let counts: Vec<SparseVec> = crate::parallel::map_chunks(rows, PARALLEL_ROWS, |part| {
            let mut featurizer = Featurizer::new(options.features);
            part.iter().map(|(t, _)| featurizer.counts(t)).collect()
        })
        .ok_or_else(worker_failed)?;
        let targets: Vec<usize> =
            rows.iter().map(|(_, l)| labels.binary_search_by(|x| x.as_str().cmp(l.trim())).unwrap_or(0)).collect();

        // Rows: every bucket seen in training, with its document frequency.
        let mut row_of_bucket = vec![NO_ROW; options.features.buckets()];
        let mut doc_freq: Vec<u32> = Vec::new();
        for c in &counts {
            for &b in &c.index {
                let slot = &mut row_of_bucket[b as usize];
                if *slot == NO_ROW {
                    *slot = doc_freq.len() as u32;
                    doc_freq.push(0);
                }
                doc_freq[*slot as usize] += 1;
            }
        }
        let n = rows.len() as f32;
        let idf: Vec<f32> = doc_freq.iter().map(|df| ((1.0 + n) / (1.0 + *df as f32)).ln() + 1.0).collect();
        let mut model = Classifier {
            spec: options.features,
            labels,
            row_of_bucket,
            idf,
            weights: Vec::new(),
            bias: Vec::new(),
            temperature: 1.0,
        };
        // Every bucket of the training rows has its row: the counts become
        // examples in place.
        let mut examples = counts;
        let mapped = crate::parallel::for_each_chunk_mut(&mut examples, PARALLEL_ROWS, |part| {
            for c in part {
                for i in c.index.iter_mut() {
                    *i = model.row_of_bucket[*i as usize];
                }
                weigh(&c.index, &mut c.value, &model.idf);
            }
        });
        if !mapped {
            return Err(worker_failed());
        }

        let k = model.labels.len();
        let mut class_count = vec![0usize; k];
        for t in &targets {
            class_count[*t] += 1;
        }
        let class_weight: Vec<f32> =
            class_count.iter().map(|c| (n / (k as f32 * (*c).max(1) as f32)).powf(options.class_balance)).collect();

        let all: Vec<usize> = (0..examples.len()).collect();
        if options.calibrate && examples.len() > LARGE {
            // Many rows: a tenth held out gives the temperature, and the
            // model trained on the rest is kept (one training, not four).
            let mut order = all.clone();
            Rng::new(options.seed ^ 0xCA1B).shuffle(&mut order);
            let cut = order.len() / 10;
            let (test, train) = order.split_at(cut);
            let (w, b) = fit(&examples, &targets, train, &class_weight, model.idf.len(), k, options);
            let held_out: Vec<(Vec<f32>, usize)> =
                test.iter().map(|&i| (logits(&examples[i], &w, &b, k), targets[i])).collect();
            model.temperature = fit_temperature(&held_out);
            model.weights = w;
            model.bias = b;
            return Ok(model);
        }
        if options.calibrate && examples.len() >= 20 {
            // Out-of-fold logits give the temperature; the final model is
            // trained on every row.
            let folds = 3;
            let mut held_out: Vec<(Vec<f32>, usize)> = Vec::new();
            let mut order = all.clone();
            Rng::new(options.seed ^ 0xCA1B).shuffle(&mut order);
            // Note: the folds only estimate a temperature, so they train
            // with half the epochs; the final model gets them all.
            let quick = TrainOptions { epochs: options.epochs.div_ceil(2), ..options.clone() };
            for f in 0..folds {
                let train: Vec<usize> =
                    order.iter().enumerate().filter(|(i, _)| i % folds != f).map(|(_, x)| *x).collect();
                let test: Vec<usize> =
                    order.iter().enumerate().filter(|(i, _)| i % folds == f).map(|(_, x)| *x).collect();
                let (w, b) = fit(&examples, &targets, &train, &class_weight, model.idf.len(), k, &quick);
                for &i in &test {
                    held_out.push((logits(&examples[i], &w, &b, k), targets[i]));
                }
            }
            model.temperature = fit_temperature(&held_out);
        }
        let (w, b) = fit(&examples, &targets, &all, &class_weight, model.idf.len(), k, options);
        model.weights = w;
        model.bias = b;
        Ok(model)
    }

    /// The labels the model knows, sorted.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The calibration temperature (1.0 when not calibrated).
    pub fn temperature(&self) -> f32 {
        self.temperature
    }

    /// The probability of every label for a text, in [`labels`](Classifier::labels) order.
    pub fn probabilities(&self, text: &str) -> Vec<f32> {
        let mut featurizer = Featurizer::new(self.spec);
        self.probabilities_with(&mut featurizer, text)
    }

    fn probabilities_with(&self, featurizer: &mut Featurizer, text: &str) -> Vec<f32> {
        featurizer.row_counts(text, &self.row_of_bucket);
        weigh(&featurizer.rows, &mut featurizer.values, &self.idf);
        let k = self.labels.len();
        let mut z = self.bias.clone();
        for (r, v) in featurizer.rows.iter().zip(&featurizer.values) {
            let row = &self.weights[*r as usize * k..(*r as usize + 1) * k];
            for (zc, wc) in z.iter_mut().zip(row) {
                *zc += v * wc;
            }
        }
        softmax(&mut z, self.temperature);
        z
    }

    /// The `k` most likely labels for a text, with their probabilities.
    pub fn predict_top(&self, text: &str, k: usize) -> Vec<(String, f32)> {
        let p = self.probabilities(text);
        top_k(&self.labels, &p, k)
    }

    /// The `k` most likely labels of each text, reusing buffers between
    /// texts; a long batch is cut over the machine's cores.
    pub fn predict_top_batch<'a>(&self, texts: impl IntoIterator<Item = &'a str>, k: usize) -> Vec<Vec<(String, f32)>> {
        self.map_texts(texts, |p| top_k(&self.labels, p, k))
    }

    /// The most likely label of each text; a long batch is cut over the
    /// machine's cores.
    pub fn predict<'a>(&self, texts: impl IntoIterator<Item = &'a str>) -> Vec<String> {
        self.map_texts(texts, |p| top_k(&self.labels, p, 1).into_iter().next().map(|(l, _)| l).unwrap_or_default())
    }

    /// `f` of each text's probabilities, in order, on up to every core.
    fn map_texts<'a, U: Send>(
        &self,
        texts: impl IntoIterator<Item = &'a str>,
        f: impl Fn(&[f32]) -> U + Sync,
    ) -> Vec<U> {
        let texts: Vec<&str> = texts.into_iter().collect();
        let run = |part: &[&str]| -> Vec<U> {
            let mut featurizer = Featurizer::new(self.spec);
            part.iter().map(|t| f(&self.probabilities_with(&mut featurizer, t))).collect()
        };
        // A worker cannot fail here short of a bug; the caller's thread then
        // does the work (and meets the bug itself).
        crate::parallel::map_chunks(&texts, PARALLEL_TEXTS, run).unwrap_or_else(|| run(&texts))
    }
}

fn top_k(labels: &[String], p: &[f32], k: usize) -> Vec<(String, f32)> {
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|a, b| p[*b].total_cmp(&p[*a]).then(a.cmp(b)));
    order.into_iter().take(k).map(|i| (labels[i].clone(), p[i])).collect()
}

fn logits(x: &Example, w: &[f32], b: &[f32], k: usize) -> Vec<f32> {
    let mut z = b.to_vec();
    for (r, v) in x.index.iter().zip(&x.value) {
        let row = &w[*r as usize * k..(*r as usize + 1) * k];
        for (zc, wc) in z.iter_mut().zip(row) {
            *zc += v * wc;
        }
    }
    z
}

pub(crate) fn softmax(z: &mut [f32], temperature: f32) {
    let t = if temperature > 0.0 { temperature } else { 1.0 };
    let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in z.iter_mut() {
        *v = ((*v - max) / t).exp();
        sum += *v;
    }
    if sum > 0.0 {
        z.iter_mut().for_each(|v| *v /= sum);
    }
}

/// Softmax regression by AdaGrad over the given examples.
fn fit(
    examples: &[Example],
    targets: &[usize],
    subset: &[usize],
    class_weight: &[f32],
    rows: usize,
    k: usize,
    o: &TrainOptions,
) -> (Vec<f32>, Vec<f32>) {
    let mut w = vec![0.0f32; rows * k];
    let mut g2 = vec![1e-6f32; rows * k];
    let mut b = vec![0.0f32; k];
    let mut gb2 = vec![1e-6f32; k];
    let mut order = subset.to_vec();
    let mut rng = Rng::new(o.seed);
    let mut p = vec![0.0f32; k];
    // Note: classes whose gradient is below this are skipped (their weights
    // would barely move); once the model is confident that is most of them.
    // Skipping more (1e-2) lost 0.01 to 0.02 macro-F1 on the splits.
    let skip = 1e-4f32;
    let updates = o.epochs.saturating_mul(order.len()).min(o.max_updates).max(order.len());
    let mut active: Vec<usize> = Vec::with_capacity(k);
    let mut mask = vec![0.0f32; k];
    let mut done = 0;
    while done < updates {
        rng.shuffle(&mut order);
        let take = (updates - done).min(order.len());
        done += take;
        for &i in &order[..take] {
            let x = &examples[i];
            p.copy_from_slice(&b);
            for (r, v) in x.index.iter().zip(&x.value) {
                let row = &w[*r as usize * k..(*r as usize + 1) * k];
                for (pc, wc) in p.iter_mut().zip(row) {
                    *pc += v * wc;
                }
            }
            softmax(&mut p, 1.0);
            let cw = class_weight[targets[i]];
            p[targets[i]] -= 1.0;
            p.iter_mut().for_each(|g| *g *= cw);
            for c in 0..k {
                gb2[c] += p[c] * p[c];
                b[c] -= o.learning_rate * p[c] / gb2[c].sqrt();
            }
            active.clear();
            active.extend((0..k).filter(|c| p[*c].abs() > skip));
            if active.len() * 4 <= k {
                for (r, v) in x.index.iter().zip(&x.value) {
                    let base = *r as usize * k;
                    for &c in &active {
                        let j = base + c;
                        let g = v * p[c] + o.l2 * w[j];
                        g2[j] += g * g;
                        w[j] -= o.learning_rate * g / g2[j].sqrt();
                    }
                }
            } else {
                // Most classes move: the same update over whole rows, with
                // the skipped classes' gradient masked to zero (which leaves
                // their weights as they were), in a loop the compiler
                // vectorizes.
                for (c, m) in mask.iter_mut().enumerate() {
                    *m = if p[c].abs() > skip { 1.0 } else { 0.0 };
                }
                for (r, v) in x.index.iter().zip(&x.value) {
                    let range = *r as usize * k..(*r as usize + 1) * k;
                    let (wr, gr) = (&mut w[range.clone()], &mut g2[range]);
                    for (((wj, gj), pc), m) in wr.iter_mut().zip(gr.iter_mut()).zip(&p).zip(&mask) {
                        let g = m * (v * pc + o.l2 * *wj);
                        *gj += g * g;
                        *wj -= o.learning_rate * g / gj.sqrt();
                    }
                }
            }
        }
    }
    (w, b)
}

/// The temperature that minimizes the negative log-likelihood of held-out
/// predictions (golden-section search over log T in [-3, 3]).
fn fit_temperature(held_out: &[(Vec<f32>, usize)]) -> f32 {
    if held_out.is_empty() {
        return 1.0;
    }
    let nll = |log_t: f32| -> f32 {
        let t = log_t.exp();
        held_out
            .iter()
            .map(|(z, y)| {
                let mut p = z.clone();
                softmax(&mut p, t);
                -(p[*y].max(1e-9)).ln()
            })
            .sum()
    };
    let (mut a, mut b) = (-3.0f32, 3.0f32);
    let phi = 0.618_034f32;
    for _ in 0..40 {
        let c = b - phi * (b - a);
        let d = a + phi * (b - a);
        if nll(c) < nll(d) { b = d } else { a = c }
    }
    ((a + b) / 2.0).exp()
}
