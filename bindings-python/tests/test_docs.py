"""docs/python.md's examples run as written: each in a fresh folder that
holds the files they read (history.csv, complaints.csv); examples that start
with a `# NAME.py` line run as scripts in their own process."""

import csv
import datetime
import glob
import json
import pathlib
import re
import subprocess
import sys

import pytest

from conftest import EVAL, NEWPORT, ROOT, read_jsonl

DOC = ROOT / "docs" / "python.md"


def examples():
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def script_name(block):
    m = re.match(r"# (\w+\.py)\n", block)
    return m.group(1) if m else None


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """The files the examples read: a request history (Newport's rows) and
    some 110,000 complaints (Riverton's golden ones, repeated), enough for
    Dask to cut the CSV into two partitions."""
    d = tmp_path_factory.mktemp("docs")
    with open(d / "history.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "opened", "description", "request_type", "split"])
        for r in read_jsonl(NEWPORT):
            opened = datetime.datetime.fromtimestamp(r["requested_at_ms"] / 1000, datetime.timezone.utc).date()
            w.writerow([r["id"], opened.isoformat(), r["text"], r["label"], r["split"]])
    complaints = read_jsonl(EVAL / "complaints.jsonl")
    with open(d / "complaints.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "description"])
        for n in range(400):
            for i, c in enumerate(complaints):
                w.writerow([n * len(complaints) + i, c["text"]])
    return d


def test_the_doc_has_examples():
    blocks = examples()
    assert len(blocks) >= 6
    assert {script_name(b) for b in blocks} == {None, "classify_pool.py", "classify_csv.py"}


@pytest.mark.parametrize("n", range(len(examples())))
def test_each_example_runs(folder, n, monkeypatch, capsys):
    block = examples()[n]
    name = script_name(block)
    if name is None:
        monkeypatch.chdir(folder)
        exec(compile(block, f"{DOC}:example {n + 1}", "exec"), {"__name__": "__main__"})
        assert capsys.readouterr().out.strip(), "every example prints something"
        return
    (folder / name).write_text(block, encoding="utf-8")
    done = subprocess.run([sys.executable, name], cwd=folder, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    print(done.stdout)
    if name == "classify_csv.py":
        check_classified_csv(folder)


def check_classified_csv(folder):
    """Dask wrote one file per partition, every row classified as the
    engine classifies it in this process."""
    import civic311

    parts = sorted(glob.glob(str(folder / "classified-*.csv")))
    assert len(parts) >= 2, "the CSV was cut into several partitions"
    rows = []
    for p in parts:
        with open(p, newline="", encoding="utf-8") as f:
            rows.extend(csv.DictReader(f))
    complaints = read_jsonl(EVAL / "complaints.jsonl")
    assert len(rows) == 400 * len(complaints)
    assert sorted(int(r["id"]) for r in rows) == list(range(len(rows)))
    engine = civic311.Engine.default()
    expected = {c["text"]: s[0].service_code for c, s in zip(complaints, engine.classify_batch([c["text"] for c in complaints], limit=1))}
    assert all(r["service_code"] == expected[r["description"]] for r in rows)
    assert all(0.0 < float(r["score"]) <= 1.0 for r in rows)


def test_the_package_docstring_examples():
    import doctest

    import civic311

    result = doctest.testmod(civic311)
    assert result.attempted >= 3 and result.failed == 0
