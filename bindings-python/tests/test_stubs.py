"""The hand-written stubs match the built module (mypy.stubtest) and type
real uses of it (mypy --strict on typing_check.py)."""

import pathlib
import subprocess
import sys

import pytest

import civic311

HERE = pathlib.Path(__file__).resolve().parent
ALLOWLIST = HERE.parent / "stubtest-allowlist.txt"


def run(*args, cwd=None):
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=cwd)
    return done.returncode, done.stdout + done.stderr


def test_stubtest_finds_the_stubs_true(tmp_path):
    # From an empty folder, so that the installed package is what is checked.
    code, out = run("-m", "mypy.stubtest", "civic311", "--allowlist", str(ALLOWLIST), cwd=tmp_path)
    assert code == 0, out


def test_the_stubs_type_a_real_program(tmp_path):
    code, out = run(
        "-m", "mypy", "--strict", "--no-incremental", str(HERE / "typing_check.py"),
        cwd=tmp_path,
    )
    assert code == 0, out
    code, out = run(str(HERE / "typing_check.py"), cwd=tmp_path)
    assert code == 0, out


def test_every_public_name_has_a_docstring():
    missing = []
    for name in civic311.__all__:
        obj = getattr(civic311, name)
        if name.startswith("__"):
            continue
        if not (obj.__doc__ or "").strip():
            missing.append(name)
        if isinstance(obj, type) and not issubclass(obj, BaseException):
            for attr, member in vars(obj).items():
                if not attr.startswith("_") and not (getattr(member, "__doc__", None) or "").strip():
                    missing.append(f"{name}.{attr}")
    assert not missing, f"no docstring: {missing}"


def test_the_typed_dicts_name_every_key(engine):
    """civic311.types describes the dicts the package gives, key for key."""
    from civic311 import types

    def keys(typed_dict):
        return set(typed_dict.__annotations__)

    facility = engine.search("is the main library open", kinds=["facility"])[0]
    assert set(facility.to_dict()) == keys(types.AnswerDict)
    assert set(facility.hours.to_dict()) == keys(types.HoursDict)
    assert set(engine.suggest("pot")[0].to_dict()) == keys(types.CompletionDict)
    assert set(engine.classify("pothole")[0].to_dict()) == keys(types.SuggestionDict)
    assert set(engine.triage("when is trash day").to_dict()) == keys(types.TriageDict)
    routing = engine.route(
        {"service_code": "WS-MAIN-BREAK", "lat": 39.1, "long": -90.75, "attribute": {"FLOWING": "yes", "AMOUNT": "gushing"}}
    )
    assert set(routing) == keys(types.Routing)
    assert set(routing["referral"]) == keys(types.Referral)
    escalated = engine.route(
        {"service_code": "WS-MAIN-BREAK", "lat": 38.955, "long": -90.95, "attribute": {"FLOWING": "yes", "AMOUNT": "gushing"}}
    )
    assert set(escalated["escalation"]) == keys(types.Escalation)
    with pytest.raises(civic311.CatalogError) as caught:
        civic311.Catalog.load(HERE / "no-such-catalog")
    assert set(caught.value.problems[0]) == keys(types.Problem)
    with pytest.raises(civic311.ValidationError) as caught:
        engine.route({"service_code": "ST-POTHOLE"})
    assert set(caught.value.errors[0]) == keys(types.Open311ErrorEntry)
    # Every key a request may have is one the library reads.
    for key in keys(types.Request) - {"service_code"}:
        with pytest.raises(civic311.Civic311Error) as caught:
            engine.route({"service_code": "NOPE", key: None})
        assert "unknown field" not in str(caught.value), key
