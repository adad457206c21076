"""civic311.Store, mirroring civic311-store: the same calls on SQLite and,
when the test command started a server (CIVIC311_TEST_POSTGRES), on
PostgreSQL."""

import datetime
import os
import shutil
import subprocess
import threading
import uuid

import pytest

import civic311
from civic311 import types
from conftest import ROOT

UTC = datetime.timezone.utc
FIXTURES = ROOT / "kb-fixtures"


def pothole(lat=38.94, long=-90.957, description="deep hole"):
    return {
        "service_code": "ST-POTHOLE",
        "lat": lat,
        "long": long,
        "description": description,
        "attribute": {"SIZE": "large", "LANE_POSITION": "edge"},
    }


def postgres_url():
    """A new database on the test server, or None without one."""
    server = os.environ.get("CIVIC311_TEST_POSTGRES")
    if not server:
        if os.environ.get("CIVIC311_REQUIRE_POSTGRES") == "1":
            pytest.fail("CIVIC311_REQUIRE_POSTGRES=1 but CIVIC311_TEST_POSTGRES names no server")
        return None
    psql = shutil.which("psql") or "/usr/bin/psql"
    name = "py_" + uuid.uuid4().hex[:12]
    subprocess.run([psql, server, "-q", "-c", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    return server.rsplit("/", 1)[0] + "/" + name


def engines():
    yield "sqlite"
    if os.environ.get("CIVIC311_TEST_POSTGRES") or os.environ.get("CIVIC311_REQUIRE_POSTGRES") == "1":
        yield "postgres"


@pytest.fixture(params=list(engines()))
def store(request, tmp_path):
    if request.param == "sqlite":
        return civic311.Store(f"sqlite:{tmp_path / 'store.db'}")
    return civic311.Store(postgres_url())


def test_submit_get_update_and_history(store, engine):
    at = datetime.datetime(2026, 3, 6, 22, tzinfo=UTC)
    request = dict(pothole(), email="ana@example.org", first_name="Ana")
    s = store.submit(engine, request, channel="mobile_app", at=at)
    assert s["created"] is True
    assert s["routing"]["department"] == "streets"
    assert s["routing"]["expected_datetime"] == datetime.datetime(2026, 3, 11, 22, tzinfo=UTC)
    assert s["duplicates"] == []
    rid = s["service_request_id"]

    r = store.get(rid)
    assert r["status"] == "open" and r["state"] == "submitted"
    assert r["channel"] == "mobile_app" and r["department"] == "streets"
    assert r["requested_datetime"] == at
    assert r["requested_datetime"].utcoffset() == datetime.timedelta(hours=-6)
    assert r["personal"]["email"] == "ana@example.org"
    assert [e["kind"] for e in r["history"]] == ["submitted", "routed"]
    assert r["attributes"] == {"SIZE": "large", "LANE_POSITION": "edge"}
    assert store.get("404") is None

    r = store.update(rid, actor="dispatch", status="acknowledged")
    r = store.update(rid, actor="crew-7", status="closed", note="filled", expected_version=r["version"])
    assert r["status"] == "closed" and r["close_reason"] == "fixed" and r["status_notes"] == "filled"
    assert [e["kind"] for e in r["history"]][-2:] == ["acknowledged", "closed"]
    assert len(store) == 1
    assert store.verify() == []


def test_errors_are_typed(store, engine):
    with pytest.raises(civic311.ValidationError) as info:
        store.submit(engine, {"service_code": "ST-POTHOLE", "lat": 38.94, "long": -90.957})
    assert any("SIZE" in e["description"] for e in info.value.errors)
    rid = store.submit(engine, pothole())["service_request_id"]
    with pytest.raises(civic311.LifecycleError, match="may go to"):
        store.update(rid, actor="x", status="on_hold")
    store.update(rid, actor="x", note="called back")
    with pytest.raises(civic311.ConflictError, match="changed since it was read"):
        store.update(rid, actor="x", note="late", expected_version=1)
    with pytest.raises(civic311.NotFoundError):
        store.update("404", actor="x", note="hi")
    with pytest.raises(civic311.QueryError):
        store.update(rid, actor="x", status="finished")
    with pytest.raises(civic311.QueryError):
        store.query(page_size=0)
    with pytest.raises(civic311.FormatError, match="naive datetime"):
        store.submit(engine, pothole(), at=datetime.datetime(2026, 3, 6))
    for cls in (civic311.StoreError, civic311.ConflictError, civic311.NotFoundError):
        assert issubclass(cls, civic311.Civic311Error)


def test_a_retry_with_the_same_client_request_id_gives_one_request(store, engine):
    first = store.submit(engine, pothole(), client_request_id="app-1")
    again = store.submit(engine, pothole(), client_request_id="app-1")
    assert (first["created"], again["created"]) == (True, False)
    assert again["service_request_id"] == first["service_request_id"]
    assert again["routing"] == first["routing"]
    assert len(store) == 1


def test_query_filters_pages_and_frames(store, engine):
    start = datetime.datetime(2026, 3, 2, 15, tzinfo=UTC)
    for i in range(6):
        store.submit(engine, pothole(lat=38.94 + 0.001 * i), at=start + datetime.timedelta(hours=i))
    store.update("2", actor="crew", status="closed")
    rows = store.query()
    assert [r["service_request_id"] for r in rows] == ["6", "5", "4", "3", "2", "1"]
    assert "personal" not in rows[0] and "history" not in rows[0]
    assert [r["service_request_id"] for r in store.query(status="closed")] == ["2"]
    assert len(store.query(status="open", near=(38.942, -90.957, 150.0))) == 2
    assert [r["service_request_id"] for r in store.query(start=start + datetime.timedelta(hours=4))] == ["6", "5"]
    assert [r["service_request_id"] for r in store.query(page=2, page_size=4)] == ["2", "1"]
    pandas = pytest.importorskip("pandas", reason="frame=True needs pandas (tests/requirements.txt installs it)")
    frame = store.query(frame=True)
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame["service_request_id"]) == ["6", "5", "4", "3", "2", "1"]
    assert frame["requested_datetime"].iloc[0] == start + datetime.timedelta(hours=5)


def test_sweep_records_once(store, engine):
    main_break = {
        "service_code": "WS-MAIN-BREAK",
        "lat": 38.955,
        "long": -90.95,
        "attribute": {"FLOWING": "yes", "AMOUNT": "gushing"},
    }
    at = datetime.datetime(2026, 3, 3, 15, tzinfo=UTC)
    s = store.submit(engine, main_break, at=at)
    report = store.sweep(at + datetime.timedelta(days=2))
    assert report["breached"] == [s["service_request_id"]]
    assert report["escalated"] == [(s["service_request_id"], s["routing"]["escalation"]["to"])]
    assert store.sweep(at + datetime.timedelta(days=3)) == {"escalated": [], "breached": []}


def test_import_real_exports(store):
    report = store.import_file(FIXTURES / "requests" / "nyc311-sample-2011.csv")
    assert (report["rows"], report["imported"], report["problems"]) == (2000, 2000, [])
    r = store.get("19937901")
    assert r["service_code"] == "Street Sign - Dangling" and r["channel"] == "phone"
    report = store.import_file(FIXTURES / "requests" / "nyc-council-cases-sample.csv", mapping="nyc-council")
    assert report["imported"] == 2000
    report = store.import_file(FIXTURES / "open311" / "open311status_requests_many.xml", mapping="open311")
    assert report["imported"] >= 1 and report["problems"] == []


def test_malformed_rows_by_line_and_strict(store, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "Unique Key,Created Date,Complaint Type,Status\n1,03/01/2011 02:27:57 PM,Pothole,Open\n2,never,Pothole,Open\n",
        encoding="utf-8",
    )
    report = store.import_file(path)
    assert report["imported"] == 1
    assert [(p["line"], p["field"]) for p in report["problems"]] == [(3, "Created Date")]
    with pytest.raises(civic311.FormatError) as info:
        store.import_file(path, strict=True)
    assert info.value.problems[0]["line"] == 3
    with pytest.raises(civic311.FormatError, match="no built-in mapping"):
        store.import_file(path, mapping="chicago")


def test_threads_share_a_store(store, engine):
    """Submissions from 8 threads at once (the GIL is released while the
    database works): every one is stored once, with its own id."""
    ids, errors = [], []

    def work(t):
        try:
            for i in range(5):
                ids.append(store.submit(engine, pothole(lat=38.9 + 0.01 * t, description=f"{t}-{i}"))["service_request_id"])
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(ids) == len(set(ids)) == 40 == len(store)


def test_a_foreign_file_is_refused(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"not a database at all\n" * 100)
    with pytest.raises(civic311.StoreError, match="is not a SQLite database"):
        civic311.Store(f"sqlite:{path}")
    with pytest.raises(civic311.StoreError, match="is not a store URL"):
        civic311.Store("mysql://localhost/x")


def test_the_typed_dicts_name_every_key(store, engine):
    def keys(typed_dict):
        return set(typed_dict.__annotations__) | set(getattr(typed_dict, "__optional_keys__", ()))

    s = store.submit(engine, pothole())
    assert set(s) == keys(types.Submitted)
    full = store.get(s["service_request_id"])
    assert set(full) == keys(types.StoredRequest)
    assert set(full["history"][0]) == keys(types.Event)
    assert set(full["personal"] or types.Personal.__annotations__) == keys(types.Personal)
    assert set(store.query()[0]) == keys(types.StoredRequest) - {"history", "personal"}
    assert set(store.sweep()) == keys(types.SweepReport)


REPORT_CSV = """Unique Key,Created Date,Closed Date,Agency,Complaint Type,Status,Due Date,Latitude,Longitude,Open Data Channel Type
1,03/03/2025 09:00:00 AM,03/03/2025 01:00:00 PM,NYPD,Noise,Closed,03/04/2025 09:00:00 AM,38.95,-90.94,PHONE
2,03/09/2025 11:30:00 PM,,DOT,Pothole,Open,03/10/2025 09:00:00 AM,38.95,-90.94,ONLINE
3,02/24/2025 09:00:00 AM,,DOT,Pothole,Open,,,,PHONE
"""


def test_report_tables_as_frames_or_lists(store, engine, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(REPORT_CSV)
    store.import_file(path, mapping="nyc311")
    now = datetime.datetime(2025, 3, 20, 12, tzinfo=UTC)
    # Lists of dicts, as without pandas.
    r = store.report(datetime.date(2025, 3, 3), "2025-03-16", now=now, frame=False)
    assert (r["total"], r["previous_total"], r["previous_from"]) == (2, 1, "2025-02-17")
    volumes = r["tables"]["volumes"]
    # Sunday night in New York is in the week of the 3rd (Monday in UTC).
    pothole_weeks = [v["bucket"] for v in volumes if v["dimension"] == "category" and v["value"] == "Pothole"]
    assert pothole_weeks == ["2025-03-03"]
    overall = next(s for s in r["tables"]["service_levels"] if s["dimension"] == "all")
    assert (overall["within_sla"], overall["sla_decided"], overall["overdue"]) == (1, 2, 1)
    assert overall["acknowledge_hours_p50"] is None
    # Districts from an engine's catalog; a mistake is a QueryError.
    r = store.report("2025-03-03", "2025-03-16", now=now, engine=engine, districts="council_district", frame=False)
    assert {c["value"] for c in r["tables"]["changes"] if c["dimension"] == "district"} >= {"(none)"}
    with pytest.raises(civic311.QueryError, match="day', 'week' or 'month"):
        store.report("2025-03-03", "2025-03-16", by="fortnight")
    with pytest.raises(civic311.QueryError, match="YYYY-MM-DD"):
        store.report("March 3", "2025-03-16")
    # The HTML page.
    html = store.report_html("2025-03-03", "2025-03-16", now=now, title="March")
    assert html.startswith("<!DOCTYPE html>") and "<title>March</title>" in html and "<svg" in html
    # Data frames, with pandas.
    pandas = pytest.importorskip("pandas", reason="frames need pandas (tests/requirements.txt installs it)")
    r = store.report("2025-03-03", "2025-03-16", now=now)
    frame = r["tables"]["service_levels"]
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.columns)[:4] == ["dimension", "value", "requests", "sla_decided"]
    assert int(frame[frame.dimension == "all"].within_sla.iloc[0]) == 1
    assert isinstance(r["tables"]["rising"], pandas.DataFrame) and r["tables"]["rising"].empty


def test_an_escalated_question_is_an_inquiry_until_its_reply(store, engine):
    def keys(typed_dict):
        return set(typed_dict.__annotations__)

    friday = datetime.datetime(2026, 12, 4, 16, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=-6)))
    answered = store.escalate(engine, "how do i report a pothole", at=friday)
    assert answered["reply"]["answered"] and answered["inquiry"] is None
    assert answered["reply"]["answers"][0].service_code == "ST-POTHOLE"

    kept = store.escalate(
        engine, "do I need a permit for a garage sale", channel="widget", page="https://riverton.example/p?x=1", at=friday
    )
    reply, inquiry = kept["reply"], kept["inquiry"]
    assert set(reply) == keys(types.Reply) and set(reply["escalation"]) == keys(types.QuestionEscalation)
    assert set(inquiry) == keys(types.Inquiry) and set(inquiry["history"][0]) == keys(types.InquiryEvent)
    assert reply["escalation"]["department"] == inquiry["department"] == "permits"
    assert inquiry["reply_by"] == datetime.datetime(2026, 12, 8, 17, 0, tzinfo=friday.tzinfo)
    assert inquiry["page"] == "https://riverton.example/p"
    assert [i["id"] for i in store.inquiries(department="permits")] == [inquiry["id"]]

    with pytest.raises(civic311.QueryError, match="unknown department 'dmv'"):
        store.update_inquiry(engine, inquiry["id"], actor="desk", department="dmv")
    noted = store.update_inquiry(engine, inquiry["id"], actor="desk", note="asking zoning")
    with pytest.raises(civic311.ConflictError):
        store.update_inquiry(engine, inquiry["id"], actor="desk", reply="no", expected_version=1)
    done = store.update_inquiry(
        engine, inquiry["id"], actor="desk", reply="No permit for two sales a year.", expected_version=noted["version"]
    )
    assert not done["open"] and done["reply"] == "No permit for two sales a year."
    draft = store.draft_article(inquiry["id"])
    assert draft["id"] == f"{inquiry['id'].lower()}-do-i-need-a-permit-for-a-garage-sale" and draft["lang"] == "en"
    assert 'title = "Do I need a permit for a garage sale?"' in draft["text"]
    assert draft["text"].rstrip().endswith("No permit for two sales a year.")
    assert [e["kind"] for e in done["history"]] == ["asked", "note", "replied"]
    assert [e["public"] for e in done["history"]] == [True, False, True]
    with pytest.raises(civic311.LifecycleError, match="closed"):
        store.update_inquiry(engine, inquiry["id"], actor="desk", note="late")
    assert store.inquiries(department="permits") == []
    assert [i["id"] for i in store.inquiries(status="all")] == [inquiry["id"]]
    assert store.inquiry("Q999") is None
    with pytest.raises(civic311.QueryError, match="status"):
        store.inquiries(status="pending")


def test_searches_are_grouped_in_the_report_and_pruned(store, engine):
    day = datetime.datetime(2026, 12, 2, 15, 0, tzinfo=datetime.timezone.utc)
    for q in ["Potholes on Maple?", "maple potole", "do I need a permit for a garage sale"]:
        store.record_search(q, answers=3, at=day, page="https://riverton.example/help?email=a@b.org")
    store.record_search("maple potole", kind="follow", followed="service:ST-POTHOLE", at=day)
    with pytest.raises(civic311.QueryError, match="answer followed"):
        store.record_search("x", kind="follow", at=day)
    with pytest.raises(civic311.QueryError, match="kind"):
        store.record_search("x", kind="click")
    assert engine.question_key("Potholes on Maple?") == engine.question_key("maple potole")
    report = store.report("2026-12-01", "2026-12-07", engine=engine, now=day, frame=False)
    top = report["tables"]["questions_top"]
    assert top[0]["count"] == 2 and top[0]["followed"] == 1, top
    unanswered = report["tables"]["questions_unanswered"]
    assert [g["department"] for g in unanswered] == ["permits"], unanswered
    assert store.prune_searches(datetime.datetime(2026, 12, 3, tzinfo=datetime.timezone.utc)) == 4
