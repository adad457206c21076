"""The README's Python examples run as they are written."""

import pathlib
import re

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


def python_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_the_readme_has_python_examples():
    assert python_blocks()


def test_every_python_example_runs(capsys, monkeypatch):
    # The examples name paths from the repository's root (target/encoder,
    # which the README's test command fills with scripts/fetch-encoder.sh).
    monkeypatch.chdir(README.parent)
    for block in python_blocks():
        exec(compile(block, str(README), "exec"), {})
    out = capsys.readouterr().out
    assert "streets" in out and "VH-ABANDONED" in out and "Call 911 now" in out
    assert "rrwsa-ops emergency" in out
    assert "AN-WILDLIFE" in out, "the hybrid engine ranks the wildlife service first"
    assert "does not exist" in out, "the catalog error example prints the problem"
