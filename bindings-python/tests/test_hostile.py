"""The hostile-input table of docs/reliability.md, Python rows (P01 ...).

Malformed, oversized and crafted input through the Python package gives a
civic311 error or a TypeError/ValueError naming what was wrong, never a
PanicException, a crash of the interpreter, or a hang.
"""

import datetime
import pickle

import pytest

import civic311


def test_hostile_p01_queries_of_the_wrong_type_or_size(engine):
    for bad in [None, 42, b"pothole", ["pothole"]]:
        with pytest.raises(TypeError):
            engine.search(bad)
    assert engine.search("pothole " * 125_000)[0].id == "ST-POTHOLE"


def test_hostile_p02_strings_python_cannot_encode(engine):
    # A lone surrogate is a str Python holds but UTF-8 cannot carry.
    for call in [lambda: engine.search("pot\ud800hole"), lambda: engine.classify("\udfff"), lambda: engine.triage("\ud83d")]:
        with pytest.raises(UnicodeEncodeError):
            call()


def test_hostile_p03_limits_out_of_range(engine):
    for bad in [10**6, -1]:
        with pytest.raises(civic311.QueryError, match=f"limit = {bad}; ask for 0 to 100"):
            engine.search("pothole", limit=bad)
    with pytest.raises(OverflowError):
        engine.search("pothole", limit=2**70)


def test_hostile_p04_batches_with_values_that_are_not_text(engine):
    with pytest.raises(TypeError, match=r"texts\[2\]"):
        engine.classify_batch(["pothole", "graffiti", float("nan")])
    with pytest.raises(TypeError):
        engine.classify_batch("a string is not a list of texts")
    assert len(engine.classify_batch(["x" * 1_000_000, ""])) == 2


def test_hostile_p05_requests_that_are_not_open311(engine):
    now = datetime.datetime(2026, 11, 23, 12, tzinfo=datetime.timezone.utc)
    with pytest.raises(civic311.FormatError, match="attribute: expected an object of answers by attribute code"):
        engine.route({"service_code": "ST-POTHOLE", "attribute": [1, 2]}, now=now)
    deep = {}
    node = deep
    for _ in range(10_000):
        node["a"] = {}
        node = node["a"]
    with pytest.raises(civic311.FormatError, match="is nested more than 16 deep; a request is flat"):
        engine.route({"service_code": "ST-POTHOLE", "attribute": deep}, now=now)
    with pytest.raises(civic311.FormatError, match=r'request\["lat"\] = inf is not a finite number'):
        engine.route({"service_code": "ST-POTHOLE", "lat": float("inf"), "long": 0.0}, now=now)


def test_hostile_p06_times_without_a_zone(engine):
    with pytest.raises(civic311.FormatError, match="naive datetime .*; give it a time zone"):
        engine.route({"service_code": "GEN-FEEDBACK"}, now=datetime.datetime(2026, 11, 23, 12))


def test_hostile_p07_bundles_and_models_that_are_not_ours(tmp_path):
    for bad in [b"", b"CIVIC311", bytes(4096), b"\x80\x04 a pickle"]:
        with pytest.raises(civic311.BundleError):
            civic311.Engine.from_bundle(bad)
        with pytest.raises(civic311.ModelError):
            civic311.Classifier.from_bytes(bad)
    with pytest.raises(TypeError):
        civic311.Engine.from_bundle("a str is not bytes")


def test_hostile_p08_a_pickle_of_a_damaged_engine(engine):
    # Unpickling reads the bundle inside: damage there is a BundleError.
    data = bytearray(pickle.dumps(engine))
    at = data.index(b"CIVIC311") + 200
    data[at] ^= 0xFF
    with pytest.raises(civic311.BundleError):
        pickle.loads(bytes(data))
