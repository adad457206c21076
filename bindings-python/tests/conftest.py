"""Shared fixtures: one Riverton engine for the session, and the project's paths."""

import json
import pathlib

import pytest

import civic311

ROOT = pathlib.Path(__file__).resolve().parents[2]
EVAL = ROOT / "eval" / "riverton"
NEWPORT = ROOT / "kb-fixtures" / "newport" / "newport-seeclickfix.jsonl"


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="session")
def engine():
    return civic311.Engine.default()


@pytest.fixture(scope="session")
def questions():
    return read_jsonl(EVAL / "questions.jsonl")


@pytest.fixture(scope="session")
def complaints():
    return read_jsonl(EVAL / "complaints.jsonl")


@pytest.fixture(scope="session")
def newport():
    rows = read_jsonl(NEWPORT)
    return [r for r in rows if r["split"] == "train"], [r for r in rows if r["split"] == "test"]
