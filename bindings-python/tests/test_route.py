"""Engine.route: requests in as dicts, routings out as dicts with aware
datetimes; the routing table of the Rust suite, through the binding."""

import datetime
import json
import zoneinfo

import pytest

import civic311
from conftest import ROOT

CENTRAL = zoneinfo.ZoneInfo("America/Chicago")
TABLE = ROOT / "core" / "tests" / "it" / "routing_table.jsonl"

MAIN_BREAK = {
    "service_code": "WS-MAIN-BREAK",
    "lat": 38.955,
    "long": -90.95,
    "description": "water gushing out of the street",
    "attribute": {"FLOWING": "yes", "AMOUNT": "gushing"},
}


def rows():
    with open(TABLE, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.mark.parametrize("row", rows(), ids=lambda r: r["name"][:60])
def test_the_routing_table(engine, row):
    request = dict(row["request"])
    # Half the rows give their instant as a datetime, half as a string.
    if len(row["name"]) % 2 == 0 and "requested_datetime" in request:
        request["requested_datetime"] = datetime.datetime.fromisoformat(request["requested_datetime"])
    expected = row["expected"]
    if "error" in expected:
        with pytest.raises(civic311.RoutingError):
            engine.route(request)
        return
    routing = engine.route(request)
    assert routing["jurisdiction"] == expected["jurisdiction"]
    assert routing["department"] == expected["department"]
    assert routing["priority"] == expected["priority"]
    assert routing["rule"] == expected["rule"]
    assert (routing["referral"] is not None) == expected["referral"]
    due = routing["expected_datetime"]
    if expected["expected_datetime"] is None:
        assert due is None
    else:
        want = datetime.datetime.fromisoformat(expected["expected_datetime"])
        assert due == want and due.utcoffset() == want.utcoffset()


def test_a_routing_is_a_dict_with_aware_datetimes(engine):
    at_two = datetime.datetime(2026, 7, 3, 2, 0, tzinfo=CENTRAL)
    routing = engine.route({**MAIN_BREAK, "requested_datetime": at_two})
    assert set(routing) == {
        "service_code", "jurisdiction", "department", "priority", "requested_datetime", "expected_datetime",
        "sla", "escalation", "referral", "notices", "rule", "trace",
    }
    assert routing["jurisdiction"] == "rrwsa" and routing["priority"] == "emergency"
    assert routing["rule"] == "water-main-gushing" and routing["sla"] == "2 hours"
    assert routing["requested_datetime"] == at_two
    assert routing["expected_datetime"] == at_two + datetime.timedelta(hours=2)
    assert routing["expected_datetime"].utcoffset() == datetime.timedelta(hours=-5)
    assert routing["escalation"] == {"to": "police", "at": at_two + datetime.timedelta(hours=1)}
    assert any("applies" in line for line in routing["trace"])
    assert routing["notices"]


def test_now_stands_in_for_a_missing_requested_datetime(engine):
    now = datetime.datetime(2026, 7, 3, 7, 0, tzinfo=datetime.timezone.utc)
    routing = engine.route(MAIN_BREAK, now=now)
    assert routing["requested_datetime"] == now
    assert engine.route(MAIN_BREAK, now="2026-07-03T07:00:00Z")["requested_datetime"] == now
    # Without either, it is the current time.
    before = datetime.datetime.now(datetime.timezone.utc)
    assert engine.route(MAIN_BREAK)["requested_datetime"] >= before - datetime.timedelta(seconds=1)


def test_a_referral_names_whom_to_contact(engine):
    outside_the_water_area = {**MAIN_BREAK, "lat": 39.1, "long": -90.75, "attribute": {"FLOWING": "yes", "AMOUNT": "steady"}}
    routing = engine.route(outside_the_water_area, now="2026-05-05T10:00:00-05:00")
    assert routing["rule"] == "water-outside-service-area" and routing["jurisdiction"] == "mercer-county"
    referral = routing["referral"]
    assert set(referral) == {"jurisdiction", "name", "phone", "email", "url", "message"}
    assert referral["jurisdiction"] == "mercer-county" and referral["name"] and referral["message"]
    assert routing["expected_datetime"] is None


def test_an_invalid_request_raises_the_open311_errors(engine):
    with pytest.raises(civic311.ValidationError) as caught:
        engine.route({"service_code": "ST-POTHOLE"})
    assert caught.value.kind == "ValidationError"
    assert {"code": 400, "description": "attribute[SIZE] (About how big is the pothole?) is required"} in caught.value.errors
    with pytest.raises(civic311.ValidationError, match="service_code 'NOPE' not found"):
        engine.route({"service_code": "NOPE", "lat": 38.95, "long": -90.95})


@pytest.mark.parametrize(
    "request_, message",
    [
        (["ST-POTHOLE"], "a request is a dict"),
        ({**MAIN_BREAK, "requested_datetime": datetime.datetime(2026, 7, 3, 2, 0)}, "naive datetime"),
        ({**MAIN_BREAK, "requested_datetime": "July 3rd"}, "RFC 3339"),
        ({**MAIN_BREAK, "lat": float("nan")}, "not a finite number"),
        ({**MAIN_BREAK, "attribute": {"FLOWING": object()}}, r"request\[\"attribute\"\]\[\"FLOWING\"\] is a object"),
        ({**MAIN_BREAK, 3: "x"}, "keys are strings"),
        ({**MAIN_BREAK, "servce_code": "x"}, "servce_code"),
        ({**MAIN_BREAK, "channel": "pigeon"}, "unknown channel 'pigeon'"),
        ({**MAIN_BREAK, "lat": 10**30}, "too large"),
    ],
)
def test_unreadable_requests_are_format_errors(engine, request_, message):
    with pytest.raises(civic311.FormatError, match=message):
        engine.route(request_)


def test_validate_request_takes_the_same_dicts():
    civic311.validate_request({**MAIN_BREAK, "requested_datetime": datetime.datetime.now(CENTRAL)})
    with pytest.raises(civic311.ValidationError):
        civic311.validate_request({"service_code": "ST-POTHOLE"})
