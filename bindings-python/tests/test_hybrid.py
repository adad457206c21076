"""Hybrid search from Python: the encoder (all-MiniLM-L6-v2 at
$CIVIC311_ENCODER, which the README's test command installs with
scripts/fetch-encoder.sh), `encoder=` on every way to make an engine, and
bundles that carry the answers' vectors. Skipped without an encoder unless
CIVIC311_REQUIRE_ENCODER=1."""

import math
import os
import threading

import pytest

import civic311

ENCODER_DIR = os.environ.get("CIVIC311_ENCODER", "")


@pytest.fixture(scope="module")
def encoder():
    if not ENCODER_DIR:
        if os.environ.get("CIVIC311_REQUIRE_ENCODER") == "1":
            pytest.fail("CIVIC311_REQUIRE_ENCODER=1 but CIVIC311_ENCODER is not set")
        pytest.skip("set CIVIC311_ENCODER to an encoder folder (scripts/fetch-encoder.sh DIR)")
    return civic311.Encoder.load(ENCODER_DIR)


@pytest.fixture(scope="module")
def hybrid(encoder):
    return civic311.Engine.default(encoder=encoder)


def test_encoder_vectors(encoder):
    assert encoder.dim == 384 and "Encoder(" in repr(encoder)
    v = encoder.encode("Where is the nearest library?")
    assert len(v) == 384 and math.isclose(math.fsum(x * x for x in v), 1.0, rel_tol=1e-4)
    same = encoder.encode("Where's the closest public library?")
    assert sum(a * b for a, b in zip(v, same)) > 0.75


def test_hybrid_finds_answers_asked_in_other_words(hybrid, engine):
    assert hybrid.is_hybrid and not engine.is_hybrid
    query = "someone sprayed tags all over the bus shelter"
    assert "GR-PUBLIC" in [a.id for a in hybrid.search(query, limit=3)]
    # Filters and snippets as in lexical search.
    for a in hybrid.search("a tree fell across the trail", department="parks"):
        assert a.department == "parks"


def test_bundles_carry_vectors_and_threads_agree(hybrid, encoder, tmp_path):
    path = tmp_path / "riverton.c311"
    hybrid.save_bundle(path)
    loaded = civic311.Engine.load_bundle(path, encoder=encoder)
    assert loaded.is_hybrid and not civic311.Engine.load_bundle(path).is_hybrid
    queries = ["someone sprayed tags all over the bus shelter", "where do I pay a parking ticket", "bache en mi calle"]
    expected = [[a.id for a in hybrid.search(q)] for q in queries]
    assert [[a.id for a in loaded.search(q)] for q in queries] == expected
    results = [None] * 4

    def work(n):
        results[n] = [[a.id for a in loaded.search(q)] for q in queries]

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == expected for r in results)


def test_a_folder_without_a_model(tmp_path):
    with pytest.raises(civic311.ModelError, match="fetch-encoder.sh"):
        civic311.Encoder.load(tmp_path)
    with pytest.raises(civic311.ModelError):
        civic311.Engine.default(encoder=str(tmp_path))
