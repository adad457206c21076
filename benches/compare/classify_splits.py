#!/usr/bin/env python3
"""civic311's trained classifier against scikit-learn on repeated random
stratified splits, same rows for both, in one process.

    benches/compare/setup.sh                       # once: scikit-learn 1.9.1
    target/compare-venv/bin/pip install ./bindings-python
    target/compare-venv/bin/python benches/compare/classify_splits.py [--seeds 20] [--set newport|riverton|all] [--test]
    # scikit-learn's side only, with the splits, for the Rust bench to score civic311 on:
    python benches/compare/classify_splits.py --sklearn-only --dump target/splits.json
    cargo bench -p civic311-benches --bench newport -- --splits target/splits.json

Sets:
  newport   Newport's SeeClickFix requests (kb-fixtures/newport/, 16 labels):
            splits of its `train` rows only (70 % fit, 30 % scored). With
            --test, instead: fit on `train`, score on the public `test` rows,
            once (for when the method is fixed).
  riverton  Riverton's 277 golden complaints (eval/riverton/complaints.jsonl,
            55 codes, English and Spanish), split 70 / 30.

scikit-learn is the reference pipeline of ../shared/eval/sklearn_reference.py
(TF-IDF word 1-2 grams + char_wb 2-5 grams, logistic regression C=10).
Splits are stratified: within each label, rows shuffled by the seed, 30 %
scored (at least one where a label has two rows; a label with one row only
trains). Macro-F1 is over the labels of the scored rows. Prints,
for each set: the mean and standard deviation of macro-F1, the splits
civic311 wins, ties and loses, its worst margin, and the fit and predict
times of both.
"""
import argparse
import json
import os
import random
import statistics
import sys
import time
import warnings

import numpy as np
from sklearn.metrics import f1_score

try:
    import civic311
except ImportError:  # --sklearn-only needs scikit-learn alone
    civic311 = None

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sklearn_reference import sklearn_pipeline  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def read(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def split(labels, seed, test_share=0.3):
    """Indices (fit, scored): within each label, shuffled by seed, 30 % scored
    (at least one when the label has two rows or more)."""
    by_label = {}
    for i, label in enumerate(labels):
        by_label.setdefault(label, []).append(i)
    rng = random.Random(seed)
    fit, scored = [], []
    for label in sorted(by_label):
        idx = by_label[label][:]
        rng.shuffle(idx)
        n = 0 if len(idx) < 2 else max(1, round(len(idx) * test_share))
        scored += idx[:n]
        fit += idx[n:]
    return fit, scored


def run(texts, labels, fit, scored, sklearn_only=False):
    ftexts, flabels = [texts[i] for i in fit], [labels[i] for i in fit]
    stexts, gold = [texts[i] for i in scored], [labels[i] for i in scored]
    out = {}
    t0 = time.perf_counter()
    sk = sklearn_pipeline().fit(ftexts, flabels)
    t1 = time.perf_counter()
    pred = list(sk.predict(stexts))
    t2 = time.perf_counter()
    out["sklearn"] = (f1_score(gold, pred, average="macro", labels=sorted(set(gold))), t1 - t0, t2 - t1)
    out["fit"], out["scored"] = fit, scored
    if sklearn_only:
        return out
    t0 = time.perf_counter()
    c3 = civic311.Classifier.train(ftexts, flabels)
    t1 = time.perf_counter()
    pred = c3.predict(stexts)
    t2 = time.perf_counter()
    out["civic311"] = (f1_score(gold, pred, average="macro", labels=sorted(set(gold))), t1 - t0, t2 - t1)
    return out


def report(name, results):
    if "civic311" not in results[0]:
        f1 = [r["sklearn"][0] for r in results]
        print(f"\n{name}: {len(results)} splits, scikit-learn macro-F1 {statistics.mean(f1):.3f} ({statistics.pstdev(f1):.3f})")
        return
    c3 = [r["civic311"][0] for r in results]
    sk = [r["sklearn"][0] for r in results]
    diff = [a - b for a, b in zip(c3, sk)]
    wins = sum(d > 1e-9 for d in diff)
    losses = sum(d < -1e-9 for d in diff)
    print(f"\n{name}: {len(results)} splits")
    print("| | macro-F1 mean (sd) | fit, median | predict, median |\n|---|---|---|---|")
    for side in ("sklearn", "civic311"):
        f1 = [r[side][0] for r in results]
        sd = statistics.pstdev(f1) if len(f1) > 1 else 0.0
        fit = statistics.median(r[side][1] for r in results)
        pred = statistics.median(r[side][2] for r in results)
        print(f"| {side} | {statistics.mean(f1):.3f} ({sd:.3f}) | {fit * 1000:.1f} ms | {pred * 1000:.2f} ms |")
    print(
        f"civic311 ahead on {wins} of {len(results)} splits, behind on {losses}; "
        f"mean margin {statistics.mean(diff):+.3f}, worst {min(diff):+.3f}, best {max(diff):+.3f}"
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--set", default="all", choices=["newport", "riverton", "all"])
    ap.add_argument("--test", action="store_true", help="Newport: fit on train, score on the public test rows, once")
    ap.add_argument("--sklearn-only", action="store_true", help="score scikit-learn alone (with --dump)")
    ap.add_argument("--dump", metavar="FILE", help="write the splits and scikit-learn's scores as JSON")
    args = ap.parse_args()
    if civic311 is None and not args.sklearn_only:
        ap.error("civic311 is not installed here; install ./bindings-python or pass --sklearn-only")
    np.random.seed(0)
    # Riverton has about five rows a label, which scikit-learn warns of once a split.
    warnings.filterwarnings("ignore", message="The number of unique classes")
    dump = {}

    if args.set in ("newport", "all"):
        rows = read(os.path.join(ROOT, "kb-fixtures/newport/newport-seeclickfix.jsonl"))
        if args.test:
            texts = [r["text"] for r in rows]
            labels = [r["label"] for r in rows]
            fit = [i for i, r in enumerate(rows) if r["split"] == "train"]
            scored = [i for i, r in enumerate(rows) if r["split"] == "test"]
            results = [run(texts, labels, fit, scored, args.sklearn_only)]
            report("Newport, public split (train -> test)", results)
            dump["newport-test"] = {"path": "kb-fixtures/newport/newport-seeclickfix.jsonl", "splits": results}
        else:
            rows = [r for r in rows if r["split"] == "train"]
            texts = [r["text"] for r in rows]
            labels = [r["label"] for r in rows]
            results = [run(texts, labels, *split(labels, seed), args.sklearn_only) for seed in range(args.seeds)]
            report("Newport train rows, 70/30 stratified", results)
            dump["newport"] = {"path": "kb-fixtures/newport/newport-seeclickfix.jsonl", "only_split": "train", "splits": results}
    if args.set in ("riverton", "all"):
        rows = read(os.path.join(ROOT, "eval/riverton/complaints.jsonl"))
        texts = [r["text"] for r in rows]
        labels = [r["label"] for r in rows]
        results = [run(texts, labels, *split(labels, seed), args.sklearn_only) for seed in range(args.seeds)]
        report("Riverton complaints, 70/30 stratified", results)
        dump["riverton"] = {"path": "eval/riverton/complaints.jsonl", "splits": results}
    if args.dump:
        # Indices are into the file's rows (Newport: its train rows only, unless --test).
        with open(args.dump, "w", encoding="utf-8") as f:
            json.dump(dump, f)


if __name__ == "__main__":
    main()
