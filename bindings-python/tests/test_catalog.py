"""civic311.Catalog, mirroring core/src/catalog."""

import pathlib

import pytest

import civic311

RIVERTON = pathlib.Path(__file__).resolve().parents[2] / "kb-fixtures" / "riverton"


def test_riverton_embedded_and_from_folder_agree():
    embedded = civic311.Catalog.riverton()
    folder = civic311.Catalog.load(RIVERTON)
    assert embedded.counts() == folder.counts()
    assert embedded.counts()["services"] == 92
    assert embedded.languages == ["en", "es"]
    assert "92 services" in repr(embedded)


def test_service_lookup():
    catalog = civic311.Catalog.riverton()
    pothole = catalog.service("ST-POTHOLE")
    assert pothole["department"] == "streets"
    assert pothole["service_name"] == "Pothole"
    assert catalog.service("NOPE") is None
    assert catalog.service_codes()[0] == "ST-POTHOLE"


def test_catalog_errors_list_every_problem(tmp_path):
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "a.md").write_text('+++\nid = "a"\ntitle = "Ñandú"\nservices = ["PTH-9"]\n+++\nCuerpo.\n', encoding="utf-8")
    (tmp_path / "articles" / "b.md").write_text("no front matter", encoding="utf-8")
    with pytest.raises(civic311.CatalogError) as info:
        civic311.Catalog.load(tmp_path)
    err = info.value
    assert isinstance(err, civic311.Civic311Error)
    assert err.kind == "CatalogError"
    assert [(p["file"], p["line"], p["field"]) for p in err.problems] == [
        ("articles/a.md", 4, "services[0]"),
        ("articles/b.md", 1, ""),
    ]
    assert "unknown service code 'PTH-9'" in err.problems[0]["message"]
    assert "the catalog has 2 problems" in str(err)


def test_missing_folder():
    with pytest.raises(civic311.CatalogError, match="does not exist"):
        civic311.Catalog.load("/no/such/folder")
