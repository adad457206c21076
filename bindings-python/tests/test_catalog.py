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


EXPORT_IDS = [
    "20090318-DD2E5500-13C9-11DE-BCD9-98CDABA93CC6",
    "KB:Roads.Potholes_01",
    "FAQ." + "Ab9:" * 31,  # 128 characters
]


def test_ids_as_exports_write_them_come_back_unchanged(tmp_path):
    """Article ids as a city's FAQ export carries them (upper-case, ':', '.',
    up to 128 characters) load, and come back unchanged from search, from
    to_dict and through a bundle and pickling."""
    import pickle

    (tmp_path / "articles").mkdir()
    titles = ["Potholes on my street", "Bulky item pickup", "Library opening hours"]
    for i, (id_, title) in enumerate(zip(EXPORT_IDS, titles)):
        (tmp_path / "articles" / f"a{i}.md").write_text(f'+++\nid = "{id_}"\ntitle = "{title}"\n+++\n{title}.\n', encoding="utf-8")
    engine = civic311.Engine.from_dir(tmp_path)
    again = civic311.Engine.from_bundle(engine.to_bundle())
    unpickled = pickle.loads(pickle.dumps(engine))
    for id_, query in zip(EXPORT_IDS, ["potholes", "bulky pickup", "library hours"]):
        for e in (engine, again, unpickled):
            top = e.search(query)[0]
            assert top.id == id_
            assert top.to_dict()["id"] == id_
    assert len(EXPORT_IDS[2]) == 128


@pytest.mark.parametrize(
    "bad, why",
    [("roads/potholes", "contains '/'"), ("faq 12", "contains whitespace"), ("", "it is empty"), ("x" * 129, "129 characters")],
)
def test_ids_that_cannot_work_are_problems(tmp_path, bad, why):
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "a.md").write_text(f'+++\ntitle = "A"\nid = "{bad}"\n+++\nBody.\n', encoding="utf-8")
    with pytest.raises(civic311.CatalogError) as info:
        civic311.Catalog.load(tmp_path)
    [problem] = info.value.problems
    assert (problem["file"], problem["line"], problem["field"]) == ("articles/a.md", 3, "id")
    assert why in problem["message"]
