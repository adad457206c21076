#!/usr/bin/env python3
"""Side by side on Newport (../shared/eval/newport-seeclickfix.jsonl), same
rows, same run: scikit-learn's reference pipeline (TF-IDF word 1-2 + char_wb
2-5 grams, logistic regression C=10) and civic311's trained classifier.

    benches/compare/setup.sh          # once: the venv with scikit-learn
    target/compare-venv/bin/python benches/compare/classify.py

Prints a Markdown table with accuracy, macro-F1, top-3 accuracy, fit and
predict times, and civic311's speed ratios.
"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "eval")


def main():
    sk = json.loads(subprocess.run([sys.executable, os.path.join(SHARED, "sklearn_reference.py")], check=True, capture_output=True, text=True).stdout)
    out = subprocess.run(["cargo", "bench", "-q", "-p", "civic311-benches", "--bench", "newport"], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    c3 = json.loads([l for l in out.splitlines() if l.startswith("{")][-1])
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
