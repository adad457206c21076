"""Engine construction, bundles and pickling."""

import pickle
import threading

import pytest

import civic311
from conftest import ROOT

RIVERTON = ROOT / "kb-fixtures" / "riverton"


def test_every_way_to_make_an_engine_answers_the_same(engine, tmp_path):
    question = "how do i get rid of an old couch"
    expected = [(a.kind, a.id) for a in engine.search(question)]
    from_dir = civic311.Engine.from_dir(RIVERTON)
    built = civic311.Engine.build(civic311.Catalog.load(str(RIVERTON)))
    from_bytes = civic311.Engine.from_bundle(engine.to_bundle())
    path = tmp_path / "riverton.c311"
    engine.save_bundle(path)
    from_file = civic311.Engine.load_bundle(path)
    for other in (from_dir, built, from_bytes, from_file):
        assert [(a.kind, a.id) for a in other.search(question)] == expected
        assert other.answer_count == engine.answer_count


def test_the_engine_shows_its_catalog(engine):
    assert engine.catalog.name == "Riverton 311"
    assert engine.catalog.service("ST-POTHOLE")["department"] == "streets"
    assert engine.classifier is None
    assert repr(engine) == f'<Engine "Riverton 311": {engine.answer_count} answers, zero-shot classifier>'


def test_a_bad_catalog_folder_lists_its_problems(tmp_path):
    with pytest.raises(civic311.CatalogError) as caught:
        civic311.Engine.from_dir(tmp_path / "no-such-city")
    assert caught.value.problems


def test_damaged_bundles_are_refused(engine, tmp_path):
    data = engine.to_bundle()
    with pytest.raises(civic311.BundleError, match="not a civic311 bundle"):
        civic311.Engine.from_bundle(b"PK\x03\x04 a zip file")
    with pytest.raises(civic311.BundleError):
        civic311.Engine.from_bundle(data[: len(data) // 2])
    altered = bytearray(data)
    altered[len(altered) // 2] ^= 0x01
    with pytest.raises(civic311.BundleError):
        civic311.Engine.from_bundle(bytes(altered))
    with pytest.raises(civic311.Civic311IOError, match="cannot read the bundle"):
        civic311.Engine.load_bundle(tmp_path / "missing.c311")
    with pytest.raises(TypeError):
        civic311.Engine.from_bundle("not bytes")


def test_an_engine_pickles_through_its_bundle(engine):
    data = pickle.dumps(engine)
    again = pickle.loads(data)
    assert isinstance(again, civic311.Engine)
    assert [a.id for a in again.search("graffiti on my fence")] == [a.id for a in engine.search("graffiti on my fence")]
    text = "car with no plates parked for two weeks"
    assert [s.service_code for s in again.classify(text)] == [s.service_code for s in engine.classify(text)]
    # Unpickling the same bytes again (as Dask does for every task) works
    # every time, from any thread.
    results = []
    threads = [threading.Thread(target=lambda: results.append(pickle.loads(data).answer_count)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [engine.answer_count] * 4


def test_an_altered_pickle_is_refused(engine):
    data = bytearray(pickle.dumps(engine))
    data[len(data) // 2] ^= 0x01
    with pytest.raises(civic311.BundleError):
        pickle.loads(bytes(data))


def test_classes_are_not_constructed_directly():
    with pytest.raises(TypeError):
        civic311.Engine()
    with pytest.raises(TypeError):
        civic311.Answer()
