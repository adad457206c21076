#!/usr/bin/env python3
"""Hybrid search side by side, in one run: BM25 (rank-bm25), tantivy-py,
all-MiniLM-L6-v2 alone (sentence-transformers, cosine), civic311 lexical and
civic311 hybrid, on Quebec's municipal COVID FAQ (../shared/eval, 313
answers; the "test" split by default) and on Riverton's golden questions
(eval/riverton/questions.jsonl).

Usage:
  python hybrid_side_by_side.py --civic311 target/release/civic311 --encoder target/encoder
                                [--split test|dev] [--out PATH.json]

Every engine indexes the same documents. Quebec: each answer's title (the
FAQ question) and body. Riverton: the documents civic311 searches (docs.py:
title, questions, keywords, body of articles, services and facilities).
MiniLM alone encodes each document's fields joined in one text (truncated
at its 256 word pieces, as sentence-transformers does) and ranks by cosine.
civic311 runs as a process (`ask` reading one question a line), once
without and once with `--encoder`.

Metrics: MRR@5, hit@1, hit@3, and the time per question of each engine
(civic311's includes its process start and, with the encoder, encoding the
answers: reported separately as "build"). Needs setup.sh --minilm.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SHARED = REPO.parent / "shared" / "eval"
sys.path.insert(0, str(HERE))

import docs as civic_docs  # noqa: E402

K = 5
TANTIVY_BOOSTS = {"title": 3.0, "questions": 2.5, "keywords": 2.0, "body": 1.0}
FIELDS = ("title", "questions", "keywords", "body")


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


# --- the two sets ------------------------------------------------------------

def quebec(split: str) -> tuple[list[dict], list[dict]]:
    docs = [
        {"key": f"article:{a['id']}", "id": a["id"], "title": a["title"], "questions": "", "keywords": "",
         "body": a["body"]}
        for a in read_jsonl(SHARED / "quebec-faq-articles.jsonl")
    ]
    questions = [
        {"query": q["question"], "expected": [f"article:{q['answer']}"]}
        for q in read_jsonl(SHARED / "quebec-faq-questions.jsonl") if q["split"] == split
    ]
    return docs, questions


def quebec_catalog(docs: list[dict], folder: Path) -> None:
    """The Quebec answers as a civic311 catalog folder."""
    (folder / "articles" / "en").mkdir(parents=True)
    (folder / "catalog.toml").write_text(
        '[catalog]\nname = "Quebec municipal COVID-19 FAQ"\ndefault_jurisdiction = "quebec"\nlanguages = ["en"]\n\n'
        '[[jurisdictions]]\nid = "quebec"\nkind = "state"\nname = "Gouvernement du Québec"\n'
        'time_zone = "America/Toronto"\n\n'
        '[[departments]]\nid = "municipal-affairs"\njurisdiction = "quebec"\nname = "Municipal Affairs"\n',
        encoding="utf-8")
    for d in docs:
        front = (f"id = {json.dumps(d['id'])}\ntitle = {json.dumps(d['title'], ensure_ascii=False)}\n"
                 'lang = "en"\ndepartment = "municipal-affairs"\n')
        (folder / "articles" / "en" / f"{d['id']}.md").write_text(f"+++\n{front}+++\n{d['body']}\n", encoding="utf-8")


def riverton() -> tuple[list[dict], list[dict]]:
    docs = civic_docs.build_docs()
    questions = read_jsonl(REPO / "eval" / "riverton" / "questions.jsonl")
    return docs, questions


# --- engines -----------------------------------------------------------------

def text_of(d: dict) -> str:
    return " ".join(d[f] for f in FIELDS if d.get(f))


def run_bm25(docs, questions):
    from rank_bm25 import BM25Okapi

    def tokens(s):
        return re.findall(r"\w+", s.lower())

    bm25 = BM25Okapi([tokens(text_of(d)) for d in docs])
    ranked, times = [], []
    for q in questions:
        t = time.perf_counter()
        scores = bm25.get_scores(tokens(q["query"]))
        top = sorted(range(len(docs)), key=lambda i: -scores[i])[:K]
        times.append((time.perf_counter() - t) * 1000)
        ranked.append([docs[i]["key"] for i in top if scores[i] > 0])
    return ranked, times


def run_tantivy(docs, questions):
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_text_field("key", stored=True, tokenizer_name="raw")
    for f in FIELDS:
        sb.add_text_field(f, tokenizer_name="en_stem")
    index = tantivy.Index(sb.build())
    writer = index.writer()
    for d in docs:
        writer.add_document(tantivy.Document(key=[d["key"]], **{f: [d.get(f, "")] for f in FIELDS}))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    searcher = index.searcher()
    ranked, times = [], []
    for q in questions:
        t = time.perf_counter()
        query, _errors = index.parse_query_lenient(q["query"], list(FIELDS), field_boosts=TANTIVY_BOOSTS)
        hits = searcher.search(query, limit=K).hits
        ranked.append([searcher.doc(addr)["key"][0] for _s, addr in hits])
        times.append((time.perf_counter() - t) * 1000)
    return ranked, times


def run_minilm(model, docs, questions):
    import numpy as np

    vectors = model.encode([text_of(d) for d in docs], normalize_embeddings=True, batch_size=32)
    ranked, times = [], []
    for q in questions:
        t = time.perf_counter()
        v = model.encode(q["query"], normalize_embeddings=True)
        scores = vectors @ v
        top = np.argsort(-scores)[:K]
        times.append((time.perf_counter() - t) * 1000)
        ranked.append([docs[i]["key"] for i in top])
    return ranked, times


def run_civic311(cmd: list[str], questions):
    stdin = "".join(" ".join(q["query"].split()) + "\n" for q in questions)
    t = time.perf_counter()
    proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True, encoding="utf-8")
    total_ms = (time.perf_counter() - t) * 1000
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    assert len(rows) == len(questions), (len(rows), len(questions))
    ranked = [[f"{a['kind']}:{a['id']}" for a in r.get("answers", [])][:K] for r in rows]
    return ranked, total_ms


# --- scores ------------------------------------------------------------------

def scores(ranked, questions):
    mrr = hit1 = hit3 = 0
    for keys, q in zip(ranked, questions):
        expected = set(q["expected"])
        for r, k in enumerate(keys[:K], 1):
            if k in expected:
                mrr += 1 / r
                hit1 += r == 1
                hit3 += r <= 3
                break
    n = len(questions)
    return {"n": n, "mrr5": mrr / n, "hit1": hit1 / n, "hit3": hit3 / n}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--civic311", default=str(REPO / "target" / "release" / "civic311"))
    ap.add_argument("--encoder", default=str(REPO / "target" / "encoder"))
    ap.add_argument("--split", default="test", choices=["dev", "test"])
    ap.add_argument("--out")
    args = ap.parse_args()

    from sentence_transformers import SentenceTransformer
    import sentence_transformers
    import torch

    torch.set_num_threads(1)
    model = SentenceTransformer(args.encoder, device="cpu")
    results = {"date": time.strftime("%Y-%m-%d"), "machine": platform.processor() or platform.machine(),
               "split": args.split, "sets": {}}
    with tempfile.TemporaryDirectory(prefix="civic311-hybrid-") as tmp:
        qc_docs, qc_questions = quebec(args.split)
        catalog = Path(tmp) / "quebec"
        quebec_catalog(qc_docs, catalog)
        sets = {
            f"Quebec FAQ {args.split}": (qc_docs, qc_questions, ["--catalog", str(catalog)]),
            "Riverton golden": (*riverton(), []),
        }
        for name, (docs, questions, source) in sets.items():
            log(f"{name}: {len(docs)} answers, {len(questions)} questions")
            rows = {}
            ranked, times = run_bm25(docs, questions)
            rows["BM25 (rank-bm25)"] = (ranked, sorted(times)[len(times) // 2])
            ranked, times = run_tantivy(docs, questions)
            rows["tantivy-py"] = (ranked, sorted(times)[len(times) // 2])
            ranked, times = run_minilm(model, docs, questions)
            rows["MiniLM alone (sentence-transformers, 1 thread)"] = (ranked, sorted(times)[len(times) // 2])
            base = [args.civic311, "ask", "--json", "--limit", str(K), *source]
            ranked, total = run_civic311(base, questions)
            rows["civic311 lexical"] = (ranked, None)
            ranked, total = run_civic311([*base, "--encoder", args.encoder], questions)
            rows["civic311 hybrid"] = (ranked, None)
            table = {}
            for engine, (ranked, p50) in rows.items():
                s = scores(ranked, questions)
                s["p50_ms"] = p50
                table[engine] = s
                log(f"  {engine}: MRR@5 {s['mrr5']:.3f}")
            results["sets"][name] = table
    print("| set | engine | questions | MRR@5 | hit@1 | hit@3 |")
    print("|---|---|---|---|---|---|")
    for name, table in results["sets"].items():
        for engine, s in table.items():
            print(f"| {name} | {engine} | {s['n']} | {s['mrr5']:.3f} | {100 * s['hit1']:.1f}% | {100 * s['hit3']:.1f}% |")
    results["versions"] = {"sentence-transformers": sentence_transformers.__version__, "torch": torch.__version__}
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
