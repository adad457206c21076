#!/usr/bin/env python3
"""Side by side on Newport (../shared/eval/newport-seeclickfix.jsonl), same
rows, same run: scikit-learn's reference pipeline (TF-IDF word 1-2 + char_wb
2-5 grams, logistic regression C=10) and civic311's trained classifier.

    benches/compare/setup.sh          # once: the venv with scikit-learn
    target/compare-venv/bin/python benches/compare/classify.py

Each side runs 5 times; the table shows the median fit and predict times
(scikit-learn's vary by half from run to run) and civic311's speed ratios.
"""
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "eval")


RUNS = 5


def median_run(command, cwd=None):
    """Runs a command RUNS times; the scores of its last run, with the median times."""
    results = []
    for _ in range(RUNS):
        out = subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True).stdout
        results.append(json.loads([l for l in out.splitlines() if l.startswith("{")][-1]))
    result = dict(results[-1])
    for key in ("fit_seconds", "predict_seconds"):
        result[key] = statistics.median(r[key] for r in results)
    return result


def main():
    sk = median_run([sys.executable, os.path.join(SHARED, "sklearn_reference.py")])
    c3 = median_run(["cargo", "bench", "-q", "-p", "civic311-benches", "--bench", "newport"], cwd=ROOT)
    rows = [
        ("accuracy", f"{sk['accuracy']:.3f}", f"{c3['accuracy']:.3f}", ""),
        ("macro-F1", f"{sk['macro_f1']:.3f}", f"{c3['macro_f1']:.3f}", ""),
        ("top-3 accuracy", f"{sk['top3_accuracy']:.3f}", f"{c3['top3_accuracy']:.3f}", ""),
        ("fit (494 rows)", f"{sk['fit_seconds']:.3f} s", f"{c3['fit_seconds']:.3f} s", f"{sk['fit_seconds'] / c3['fit_seconds']:.1f}x faster"),
        ("predict (226 rows)", f"{sk['predict_seconds'] * 1000:.1f} ms", f"{c3['predict_seconds'] * 1000:.1f} ms", f"{sk['predict_seconds'] / c3['predict_seconds']:.1f}x faster"),
    ]
    print("| metric | scikit-learn | civic311 | |\n|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()
