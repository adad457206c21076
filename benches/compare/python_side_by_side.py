#!/usr/bin/env python3
"""civic311's Python package side by side with the tools a Python user would
otherwise pick, in one process, on the same rows:

- training: `civic311.Classifier.train` against scikit-learn's reference
  pipeline `fit` (TF-IDF word 1-2 + char_wb 2-5 grams, logistic regression
  C=10, as ../shared/eval/sklearn_reference.py builds it) on Newport's 494
  train rows;
- prediction: `Engine.classify_batch` (an engine with that classifier
  attached) and `Classifier.predict` against the pipeline's `predict`, on
  Newport's 226 test rows and on them repeated 100 times (22,600 texts);
- search: `Engine.search` against tantivy-py searching the same documents
  (`docs.py`, stock English setup as in `search_quality.py`) with the 268
  golden Riverton questions.

    benches/compare/setup.sh                                  # once: scikit-learn, tantivy-py
    target/compare-venv/bin/pip install ./bindings-python     # civic311 (a release build)
    target/compare-venv/bin/python benches/compare/python_side_by_side.py [--out FILE.json]

Times are medians of several runs (RUNS); the table gives civic311's ratio
to each peer. Quality figures come from the same runs, as a check that both
sides did the same work.
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
NEWPORT = REPO / "kb-fixtures" / "newport" / "newport-seeclickfix.jsonl"
QUESTIONS = REPO / "eval" / "riverton" / "questions.jsonl"

sys.path.insert(0, str(HERE))
import docs as docs_mod  # noqa: E402
import search_quality  # noqa: E402

import civic311  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.metrics import accuracy_score, f1_score  # noqa: E402
from sklearn_reference import sklearn_pipeline  # noqa: E402

RUNS = 7


def median_seconds(fn, runs=RUNS):
    """The median wall time of `runs` calls, and the last call's result."""
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def classification():
    rows = [json.loads(line) for line in NEWPORT.open(encoding="utf-8")]
    train = [r for r in rows if r["split"] == "train"]
    test = [r for r in rows if r["split"] == "test"]
    train_texts, train_labels = [r["text"] for r in train], [r["label"] for r in train]
    test_texts, gold = [r["text"] for r in test], [r["label"] for r in test]
    many = test_texts * 100

    sk_fit, pipeline = median_seconds(lambda: sklearn_pipeline().fit(train_texts, train_labels), runs=5)
    c3_fit, model = median_seconds(lambda: civic311.Classifier.train(train_texts, train_labels), runs=5)
    engine = civic311.Engine.default(classifier=model)

    sk_pred, sk_labels = median_seconds(lambda: pipeline.predict(test_texts))
    c3_batch, batch = median_seconds(lambda: engine.classify_batch(test_texts, limit=1))
    c3_pred, c3_labels = median_seconds(lambda: model.predict(test_texts))
    sk_many, _ = median_seconds(lambda: pipeline.predict(many), runs=3)
    c3_batch_many, _ = median_seconds(lambda: engine.classify_batch(many, limit=1), runs=3)
    c3_pred_many, _ = median_seconds(lambda: model.predict(many), runs=3)

    batch_labels = [row[0].service_code for row in batch]
    assert batch_labels == c3_labels, "classify_batch and predict disagree"
    quality = {
        "scikit-learn": {
            "accuracy": accuracy_score(gold, sk_labels),
            "macro_f1": f1_score(gold, sk_labels, average="macro", zero_division=0),
        },
        "civic311": {
            "accuracy": accuracy_score(gold, c3_labels),
            "macro_f1": f1_score(gold, c3_labels, average="macro", zero_division=0),
        },
    }
    return {
        "train_rows": len(train),
        "test_rows": len(test),
        "many_rows": len(many),
        "fit_s": {"scikit-learn": sk_fit, "civic311": c3_fit},
        "predict_s": {"scikit-learn": sk_pred, "civic311 classify_batch": c3_batch, "civic311 predict": c3_pred},
        "predict_many_s": {
            "scikit-learn": sk_many,
            "civic311 classify_batch": c3_batch_many,
            "civic311 predict": c3_pred_many,
        },
        "quality": quality,
    }


def search():
    questions = search_quality.load_questions(QUESTIONS)
    documents = docs_mod.build_docs()
    engine = civic311.Engine.default()
    passes = 5

    def civic311_pass():
        ranked, times = [], []
        for q in questions:
            t0 = time.perf_counter()
            answers = engine.search(q["query"], limit=search_quality.K_MRR)
            times.append(time.perf_counter() - t0)
            ranked.append([f"{a.kind}:{a.id}" for a in answers])
        return ranked, times

    c3_times, tv_times = [], []
    for _ in range(passes):
        c3_ranked, times = civic311_pass()
        c3_times += times
        tv = search_quality.run_tantivy(documents, questions)
        tv_times += [t / 1000 for t in tv["times_ms"]]

    def hit3(ranked):
        return sum(search_quality.score(r, q["expected"])["hit3"] for r, q in zip(ranked, questions)) / len(questions)

    return {
        "questions": len(questions),
        "passes": passes,
        "documents": len(documents),
        "per_query_median_s": {"tantivy-py": statistics.median(tv_times), "civic311": statistics.median(c3_times)},
        "per_query_p99_s": {
            "tantivy-py": float(np.percentile(tv_times, 99)),
            "civic311": float(np.percentile(c3_times, 99)),
        },
        "hit3": {"tantivy-py": hit3(tv["ranked"]), "civic311": hit3(c3_ranked)},
    }


def ms(seconds):
    return f"{seconds * 1000:.1f} ms" if seconds >= 0.001 else f"{seconds * 1e6:.0f} µs"


def ratio(peer, ours):
    return f"{peer / ours:.1f}x faster" if ours < peer else f"{ours / peer:.1f}x SLOWER"


def markdown(c, s):
    sk = c["predict_s"]["scikit-learn"]
    skm = c["predict_many_s"]["scikit-learn"]
    lines = [
        "| what | peer | civic311 | civic311 vs peer |",
        "|---|---|---|---|",
        f"| train on Newport ({c['train_rows']} rows): scikit-learn `fit` vs `Classifier.train` "
        f"| {ms(c['fit_s']['scikit-learn'])} | {ms(c['fit_s']['civic311'])} "
        f"| {ratio(c['fit_s']['scikit-learn'], c['fit_s']['civic311'])} |",
    ]
    for label, key, base in (("test rows", "predict_s", sk), ("texts", "predict_many_s", skm)):
        n = c["test_rows"] if key == "predict_s" else c["many_rows"]
        for ours in ("civic311 classify_batch", "civic311 predict"):
            name = ours.replace("civic311 ", "")
            lines.append(
                f"| predict {n:,} {label}: scikit-learn `predict` vs `{'Engine.' if name == 'classify_batch' else 'Classifier.'}{name}` "
                f"| {ms(base)} | {ms(c[key][ours])} | {ratio(base, c[key][ours])} |"
            )
    tv, c3 = s["per_query_median_s"]["tantivy-py"], s["per_query_median_s"]["civic311"]
    lines.append(
        f"| search, {s['questions']} golden questions × {s['passes']}: tantivy-py vs `Engine.search`, median per query "
        f"| {ms(tv)} | {ms(c3)} | {ratio(tv, c3)} |"
    )
    tv99, c399 = s["per_query_p99_s"]["tantivy-py"], s["per_query_p99_s"]["civic311"]
    lines.append(f"| the same, p99 | {ms(tv99)} | {ms(c399)} | {ratio(tv99, c399)} |")
    q = c["quality"]
    lines += [
        "",
        f"Same runs, quality: Newport accuracy / macro-F1 scikit-learn {q['scikit-learn']['accuracy']:.3f} / "
        f"{q['scikit-learn']['macro_f1']:.3f}, civic311 {q['civic311']['accuracy']:.3f} / {q['civic311']['macro_f1']:.3f}; "
        f"search hit@3 tantivy-py {s['hit3']['tantivy-py']:.1%}, civic311 {s['hit3']['civic311']:.1%}.",
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="also write every figure as JSON here")
    args = parser.parse_args()
    c = classification()
    s = search()
    print(markdown(c, s))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        meta = {
            "date": datetime.date.today().isoformat(),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
            "civic311": civic311.__version__,
        }
        args.out.write_text(json.dumps({**meta, "classification": c, "search": s}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
