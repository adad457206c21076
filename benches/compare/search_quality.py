#!/usr/bin/env python3
"""Answer quality of civic311 against two peer search engines.

Usage:
  python search_quality.py [--civic311 "CMD"] [--questions PATH] [--out PATH]
                           [--catalog DIR] [--engines tantivy,minisearch]
                           [--verbose]

Every engine gets the same documents (docs.py: the articles, public services
and facilities civic311 indexes) and the same golden questions
(eval/riverton/questions.jsonl by default). The peers run with stock
settings:

  tantivy-py  en_stem text fields title, questions, keywords, body; the
              query parser's lenient mode with field boosts title 3,
              questions 2.5, keywords 2, body 1; top 5.
  MiniSearch  fields title, questions, keywords, body; searchOptions
              boost {title 3, questions 2.5, keywords 2}, fuzzy 0.2,
              prefix, OR (see minisearch_eval.mjs); top 5.
  civic311    CMD (for example "target/release/civic311 ask --json
              --limit 5") reads all queries on stdin, one a line, and
              prints one JSON line per query with "answers"; an answer's
              key is "<kind>:<id>".

Metrics per engine: hit@1, hit@3, MRR@5 overall, per tag and per language,
and the time per query. Prints Markdown; --out also writes JSON, and the
queries each engine missed at 3 go to <out>.misses.md (or to stderr with
--verbose).

Run setup.sh first; this script re-runs itself under
<repo>/target/compare-venv when tantivy is not importable here.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
VENV_PYTHON = REPO / "target" / "compare-venv" / "bin" / "python"
DEFAULT_QUESTIONS = REPO / "eval" / "riverton" / "questions.jsonl"

sys.path.insert(0, str(HERE))
import docs as docs_mod  # noqa: E402

K_MRR = 5
FIELDS = ("title", "questions", "keywords", "body")
TANTIVY_BOOSTS = {"title": 3.0, "questions": 2.5, "keywords": 2.0, "body": 1.0}
PEERS = ("tantivy", "minisearch")
PLURAL = {"article": "articles", "service": "services", "facility": "facilities"}
ENGINE_LABELS = {"tantivy": "tantivy-py", "minisearch": "MiniSearch", "civic311": "civic311"}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# Questions
# ---------------------------------------------------------------------------

def load_questions(path: Path) -> list[dict]:
    """The golden questions. Blank lines are skipped; a line that is not a
    JSON object with a query string and an expected list (a file still being
    written) is skipped with a note on stderr."""
    questions = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                q = json.loads(line)
                if not isinstance(q, dict) or not isinstance(q.get("query"), str):
                    raise ValueError('no "query" string')
                if not isinstance(q.get("expected"), list) or not q["expected"]:
                    raise ValueError('no "expected" list')
            except ValueError as e:
                log(f"{path}:{n}: skipped ({e})")
                continue
            q.setdefault("lang", "en")
            q.setdefault("tags", [])
            q["line"] = n
            questions.append(q)
    return questions


# ---------------------------------------------------------------------------
# Engines: each returns {"ranked": [[key, ...] per question], "times_ms":
# [...] or None, "batch_ms": float or None, "version": str, "notes": [...]}
# ---------------------------------------------------------------------------

def run_tantivy(docs: list[dict], questions: list[dict], limit: int = K_MRR) -> dict:
    import tantivy

    t0 = time.perf_counter()
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("key", stored=True, tokenizer_name="raw")
    for field in FIELDS:
        sb.add_text_field(field, tokenizer_name="en_stem")
    schema = sb.build()
    index = tantivy.Index(schema)  # in memory
    writer = index.writer()
    for d in docs:
        writer.add_document(tantivy.Document(key=[d["key"]], **{f: [d[f]] for f in FIELDS}))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    searcher = index.searcher()
    build_ms = (time.perf_counter() - t0) * 1000

    ranked, times, with_errors = [], [], []
    for q in questions:
        start = time.perf_counter()
        query, errors = index.parse_query_lenient(q["query"], list(FIELDS), field_boosts=TANTIVY_BOOSTS)
        hits = searcher.search(query, limit=limit).hits
        keys = [searcher.doc(addr)["key"][0] for _score, addr in hits]
        times.append((time.perf_counter() - start) * 1000)
        ranked.append(keys)
        if errors:
            with_errors.append({"query": q["query"], "errors": [str(e) for e in errors]})
    version = _pip_version("tantivy")  # tantivy.__version__ is a longer "tantivy vX, index_format vY"
    notes = []
    if with_errors:
        notes.append(
            f"the lenient query parser reported errors for {len(with_errors)} of {len(questions)} "
            "queries (parts it could not read are dropped; see the JSON for which)")
    return {
        "ranked": ranked, "times_ms": times, "batch_ms": None, "version": version,
        "index_build_ms": build_ms, "notes": notes, "parse_errors": with_errors,
        "settings": {
            "tokenizer": "en_stem", "fields": list(FIELDS), "boosts": TANTIVY_BOOSTS,
            "parser": "Index.parse_query_lenient", "limit": limit,
        },
    }


def _pip_version(name: str) -> str:
    try:
        from importlib.metadata import version
        return version(name)
    except Exception:
        return "unknown"


def run_minisearch(docs_path: Path, questions: list[dict], limit: int = K_MRR) -> dict:
    script = HERE / "minisearch_eval.mjs"
    if not (HERE / "node_modules" / "minisearch").is_dir():
        raise SystemExit(f"minisearch is not installed in {HERE}/node_modules: run {HERE}/setup.sh")
    node = shutil.which("node")
    if not node:
        raise SystemExit("node is not on PATH")
    with tempfile.TemporaryDirectory(prefix="civic311-compare-") as tmp:
        qpath = Path(tmp) / "questions.jsonl"
        qpath.write_text("".join(json.dumps({"query": q["query"]}, ensure_ascii=False) + "\n" for q in questions),
                         encoding="utf-8")
        proc = subprocess.run([node, str(script), str(docs_path), str(qpath), "--limit", str(limit)],
                              capture_output=True, text=True, encoding="utf-8", cwd=HERE)
    if proc.returncode != 0:
        raise SystemExit(f"minisearch_eval.mjs failed ({proc.returncode}):\n{proc.stderr}")
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    meta = lines[-1].get("meta", {}) if lines and "meta" in lines[-1] else {}
    rows = [r for r in lines if "meta" not in r]
    if len(rows) != len(questions):
        raise SystemExit(f"minisearch_eval.mjs answered {len(rows)} of {len(questions)} questions")
    for r, q in zip(rows, questions):
        if r["query"] != q["query"]:
            raise SystemExit(f"minisearch_eval.mjs answered out of order: {r['query']!r} for {q['query']!r}")
    return {
        "ranked": [r["ids"] for r in rows], "times_ms": [r["ms"] for r in rows], "batch_ms": None,
        "version": meta.get("version", "unknown"), "index_build_ms": meta.get("index_build_ms"),
        "notes": [], "settings": meta.get("options"), "node": meta.get("node"),
    }


def run_civic311(cmd: str, questions: list[dict], limit: int = K_MRR) -> dict:
    # One query a line: a newline inside a query would split it in two.
    sent = [" ".join(q["query"].split()) for q in questions]
    stdin = "".join(s + "\n" for s in sent)
    start = time.perf_counter()
    proc = subprocess.run(cmd, shell=True, input=stdin, capture_output=True, text=True, encoding="utf-8")
    batch_ms = (time.perf_counter() - start) * 1000
    if proc.returncode != 0:
        raise SystemExit(f"civic311 command failed ({proc.returncode}): {cmd}\n{proc.stderr[-4000:]}")
    rows = []
    for n, line in enumerate(proc.stdout.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except ValueError as e:
            raise SystemExit(f"civic311 stdout line {n} is not JSON ({e}): {line[:200]}")
    if len(rows) != len(questions):
        raise SystemExit(f"civic311 printed {len(rows)} JSON lines for {len(questions)} queries")
    ranked, mismatched = [], 0
    for row, s in zip(rows, sent):
        if "query" in row and row["query"] != s:
            mismatched += 1
        ranked.append([f"{a['kind']}:{a['id']}" for a in row.get("answers", [])][:limit])
    notes = []
    if mismatched:
        notes.append(f"{mismatched} output lines echo a query different from the one sent at that line")
    version = "unknown"
    try:
        first = cmd.split()[0]
        if not Path(first).name.startswith("civic311"):
            raise ValueError("not the civic311 binary itself")
        v = subprocess.run([first, "--version"], capture_output=True, text=True, timeout=30)
        if v.returncode == 0 and v.stdout.strip():
            version = v.stdout.strip().splitlines()[0].removeprefix("civic311").strip() or "unknown"
    except Exception:
        pass
    return {
        "ranked": ranked, "times_ms": None, "batch_ms": batch_ms, "version": version,
        "notes": notes, "settings": {"command": cmd},
    }


# ---------------------------------------------------------------------------
# Metrics
# ---------------------------------------------------------------------------

def first_rank(ranked: list[str], expected: list[str], k: int) -> int | None:
    """1-based rank of the first expected key within the top k, or None."""
    wanted = set(expected)
    for i, key in enumerate(ranked[:k], 1):
        if key in wanted:
            return i
    return None


def score(ranked: list[str], expected: list[str]) -> dict:
    r = first_rank(ranked, expected, K_MRR)
    return {
        "hit1": r is not None and r <= 1,
        "hit3": r is not None and r <= 3,
        "rr5": 1.0 / r if r else 0.0,
        "rank": r,
    }


def aggregate(scores: list[dict]) -> dict:
    n = len(scores)
    h1 = sum(s["hit1"] for s in scores)
    h3 = sum(s["hit3"] for s in scores)
    rr = sum(s["rr5"] for s in scores)
    return {
        "n": n, "hit1_count": h1, "hit3_count": h3, "rr5_sum": rr,
        "hit1": h1 / n if n else 0.0, "hit3": h3 / n if n else 0.0, "mrr5": rr / n if n else 0.0,
    }


def groups(questions: list[dict]) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """Question indices by tag (a question counts under each of its tags;
    untagged ones under "(untagged)") and by language."""
    by_tag: dict[str, list[int]] = {}
    by_lang: dict[str, list[int]] = {}
    for i, q in enumerate(questions):
        for t in (q["tags"] or ["(untagged)"]):
            by_tag.setdefault(str(t), []).append(i)
        by_lang.setdefault(str(q["lang"]), []).append(i)
    return dict(sorted(by_tag.items())), dict(sorted(by_lang.items()))


def evaluate(name: str, run: dict, questions: list[dict]) -> dict:
    scores = [score(r, q["expected"]) for r, q in zip(run["ranked"], questions)]
    by_tag, by_lang = groups(questions)
    result = {
        "label": ENGINE_LABELS[name],
        "version": run["version"],
        "settings": run.get("settings"),
        "overall": aggregate(scores),
        "by_tag": {t: aggregate([scores[i] for i in idx]) for t, idx in by_tag.items()},
        "by_lang": {lang: aggregate([scores[i] for i in idx]) for lang, idx in by_lang.items()},
        "notes": run.get("notes", []),
    }
    if run.get("times_ms") is not None:
        t = run["times_ms"]
        result["timing"] = {
            "kind": "per query, in process, around the search call",
            "mean_ms": statistics.fmean(t) if t else 0.0,
            "median_ms": statistics.median(t) if t else 0.0,
            "max_ms": max(t) if t else 0.0,
            "index_build_ms": run.get("index_build_ms"),
        }
    else:
        n = len(questions)
        result["timing"] = {
            "kind": "wall time of the whole batch (process start, catalog load, all queries) / queries",
            "batch_ms": run["batch_ms"],
            "mean_ms": run["batch_ms"] / n if n else 0.0,
            "median_ms": None,
        }
    if run.get("parse_errors"):
        result["parse_errors"] = run["parse_errors"]
    result["per_query"] = [
        {"query": q["query"], "lang": q["lang"], "tags": q["tags"], "expected": q["expected"],
         "top": r, "rank": s["rank"]}
        for q, r, s in zip(questions, run["ranked"], scores)
    ]
    return result


def check_sums(result: dict, questions: list[dict]) -> None:
    """The per-tag and per-language counts must agree with the per-query
    results: each group's hits are the hits among its questions, and the
    languages partition the questions."""
    pq = result["per_query"]
    for tag, agg in result["by_tag"].items():
        idx = [i for i, q in enumerate(questions) if tag in ([str(t) for t in q["tags"]] or ["(untagged)"])]
        assert agg["n"] == len(idx), (tag, agg["n"], len(idx))
        assert agg["hit3_count"] == sum(1 for i in idx if pq[i]["rank"] and pq[i]["rank"] <= 3), tag
    overall = result["overall"]
    langs = result["by_lang"].values()
    assert sum(a["n"] for a in langs) == overall["n"]
    assert sum(a["hit1_count"] for a in langs) == overall["hit1_count"]
    assert sum(a["hit3_count"] for a in langs) == overall["hit3_count"]
    assert abs(sum(a["rr5_sum"] for a in langs) - overall["rr5_sum"]) < 1e-9


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------

def pct(count: int, n: int) -> str:
    return f"{100 * count / n:.1f}% ({count}/{n})" if n else "n/a"


def ms(v: float | None) -> str:
    if v is None:
        return "n/a"
    return f"{v:.3f} ms" if v < 10 else f"{v:.1f} ms"


def engine_title(res: dict) -> str:
    return res["label"] if res["version"] == "unknown" else f"{res['label']} {res['version']}"


def markdown(results: dict[str, dict], questions: list[dict], docs: list[dict]) -> str:
    names = list(results)
    head = "| metric | " + " | ".join(engine_title(results[n]) for n in names) + " |"
    sep = "|---|" + "---|" * len(names)
    kinds: dict[str, int] = {}
    for d in docs:
        kinds[d["kind"]] = kinds.get(d["kind"], 0) + 1
    langs: dict[str, int] = {}
    for q in questions:
        langs[q["lang"]] = langs.get(q["lang"], 0) + 1
    out = [
        "## Answer quality",
        "",
        f"{len(questions)} questions ({', '.join(f'{n} {lang}' for lang, n in sorted(langs.items()))}); "
        f"{len(docs)} documents ({', '.join(f'{n} {PLURAL.get(k, k)}' for k, n in kinds.items())}).",
        "",
        head, sep,
    ]
    row = lambda label, cells: out.append(f"| {label} | " + " | ".join(cells) + " |")  # noqa: E731
    row("hit@1", [pct(results[n]["overall"]["hit1_count"], results[n]["overall"]["n"]) for n in names])
    row("hit@3", [pct(results[n]["overall"]["hit3_count"], results[n]["overall"]["n"]) for n in names])
    row("MRR@5", [f"{results[n]['overall']['mrr5']:.3f}" for n in names])
    cells_mean, cells_median = [], []
    for n in names:
        t = results[n]["timing"]
        if t.get("batch_ms") is not None:
            cells_mean.append(f"{ms(t['mean_ms'])} (batch wall time / queries)")
            cells_median.append("n/a (batch)")
        else:
            cells_mean.append(ms(t["mean_ms"]))
            cells_median.append(ms(t["median_ms"]))
    row("mean time per query", cells_mean)
    row("median time per query", cells_median)
    out.append("")
    notes = [(results[n]["label"], note) for n in names for note in results[n]["notes"]]
    for label, note in notes:
        out.append(f"- {label}: {note}")
    if notes:
        out.append("")

    for title, key in (("hit@3 per tag", "by_tag"), ("hit@3 per language", "by_lang")):
        first = results[names[0]][key]
        out += [f"### {title}", "", "| " + ("tag" if key == "by_tag" else "lang") + " | questions | "
                + " | ".join(results[n]["label"] for n in names) + " |", "|---|---|" + "---|" * len(names)]
        for group, agg in first.items():
            out.append(f"| {group} | {agg['n']} | "
                       + " | ".join(pct(results[n][key][group]["hit3_count"], agg["n"]) for n in names) + " |")
        out.append("")
    if len({q["lang"] for q in questions}) > 0:
        out.append("A question counts under each of its tags, so the tag rows need not add up to the total; "
                   "the language rows do.")
    return "\n".join(out) + "\n"


def misses_markdown(results: dict[str, dict]) -> str:
    out = ["# Questions missed at 3", ""]
    for name, res in results.items():
        missed = [p for p in res["per_query"] if not (p["rank"] and p["rank"] <= 3)]
        out += [f"## {engine_title(res)}: {len(missed)} of {res['overall']['n']} missed", ""]
        for p in missed:
            got = ", ".join(p["top"][:3]) or "(nothing)"
            where = f"expected at rank {p['rank']}" if p["rank"] else "expected not in the top 5"
            out.append(f"- {json.dumps(p['query'], ensure_ascii=False)} [{p['lang']}; {', '.join(p['tags'])}]: "
                       f"expected {', '.join(p['expected'])}; got {got} ({where})")
        out.append("")
    return "\n".join(out)


# ---------------------------------------------------------------------------

def ensure_tantivy(engines: list[str]) -> None:
    """Re-runs this script under the compare venv when tantivy is missing."""
    if "tantivy" not in engines:
        return
    try:
        import tantivy  # noqa: F401
        return
    except ImportError:
        pass
    if VENV_PYTHON.exists() and Path(sys.prefix).resolve() != VENV_PYTHON.parent.parent.resolve() \
            and not os.environ.get("CIVIC311_COMPARE_REEXEC"):
        os.environ["CIVIC311_COMPARE_REEXEC"] = "1"
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), str(Path(__file__).resolve()), *sys.argv[1:]])
    raise SystemExit(f"tantivy is not importable: run {HERE / 'setup.sh'} and use {VENV_PYTHON}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Answer quality of civic311 against tantivy-py and MiniSearch.")
    ap.add_argument("--civic311", metavar="CMD",
                    help='shell command that answers queries on stdin, e.g. "target/release/civic311 ask --json --limit 5"')
    ap.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS, help="golden questions (default: %(default)s)")
    ap.add_argument("--catalog", type=Path, default=docs_mod.DEFAULT_CATALOG, help="catalog folder (default: %(default)s)")
    ap.add_argument("--out", type=Path, help="also write the results as JSON here, and the misses to <out>.misses.md")
    ap.add_argument("--engines", default=",".join(PEERS),
                    help="peer engines to run, comma-separated, from tantivy,minisearch (default: both; '' for none)")
    ap.add_argument("--verbose", action="store_true", help="print the queries each engine missed at 3 to stderr")
    args = ap.parse_args(argv)

    peers = [e.strip() for e in args.engines.split(",") if e.strip()]
    for e in peers:
        if e not in PEERS:
            ap.error(f"unknown engine {e!r} (known: {', '.join(PEERS)})")
    ensure_tantivy(peers)
    if not args.questions.exists():
        ap.error(f"no questions file at {args.questions}")

    docs = docs_mod.build_docs(args.catalog)
    questions = load_questions(args.questions)
    if not questions:
        ap.error(f"no questions read from {args.questions}")
    keys = {d["key"] for d in docs}
    for q in questions:
        unknown = [e for e in q["expected"] if e not in keys]
        if unknown:
            log(f"{args.questions}:{q['line']}: expected {', '.join(unknown)} is not among the documents "
                "(unknown id, or a staff-only service)")

    runs: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="civic311-compare-") as tmp:
        docs_path = Path(tmp) / "docs.json"
        docs_mod.write_docs(docs, docs_path)
        for e in peers:
            log(f"running {ENGINE_LABELS[e]} on {len(questions)} questions ...")
            runs[e] = run_tantivy(docs, questions) if e == "tantivy" else run_minisearch(docs_path, questions)
    if args.civic311:
        log(f"running civic311: {args.civic311}")
        runs["civic311"] = run_civic311(args.civic311, questions)
    if not runs:
        ap.error("no engine to run")

    results = {name: evaluate(name, run, questions) for name, run in runs.items()}
    for res in results.values():
        check_sums(res, questions)

    report = markdown(results, questions, docs)
    print(report, end="")
    misses = misses_markdown(results)
    if args.verbose:
        log(misses)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "machine": {"platform": platform.platform(), "python": platform.python_version(),
                        "cpus": os.cpu_count()},
            "catalog": str(args.catalog),
            "questions_file": str(args.questions),
            "questions": len(questions),
            "documents": len(docs),
            "k_mrr": K_MRR,
            "engines": results,
        }
        args.out.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        misses_path = args.out.with_suffix(".misses.md")
        misses_path.write_text(misses, encoding="utf-8")
        log(f"wrote {args.out} and {misses_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
