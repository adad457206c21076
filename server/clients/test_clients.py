"""Open311 clients from PyPI, as their users call them, against `civic311
serve`: civicbot 0.4.0's `civicbot.open311` client and georeport 0.3.1."""

import datetime

import pytest
from civicbot.open311 import CONFIRM_TOKEN, Open311Client
from civicbot.registry import Endpoint
from georeport import GeoReport

from conftest import CLIENT_KEY

POTHOLE = {"SIZE": "large", "LANE_POSITION": "edge"}


def civicbot_client(server, fmt="json"):
    endpoint = Endpoint(id="riverton", name="Riverton", base_url=server.base, write=True)
    return Open311Client(endpoint, fmt=fmt)


def file_pothole(client, description="deep pothole by the curb", **extra):
    # civicbot files for real only with dry_run=False, an api_key and confirm="SEND".
    prepared = client.create_request(
        "ST-POTHOLE", dry_run=False, confirm=CONFIRM_TOKEN, api_key=CLIENT_KEY, validate_remote=True,
        lat=38.9501, lng=-90.9402, description=description, attributes=POTHOLE, email="ana@example.org", **extra,
    )
    assert not prepared.dry_run
    return prepared.response


def test_civicbot_reads_services_and_definitions(server):
    client = civicbot_client(server)
    services = client.list_services()
    codes = {s["service_code"] for s in services}
    assert {"ST-POTHOLE", "TREE-PLANT"} <= codes
    definition = client.get_service_definition("ST-POTHOLE")
    assert definition["service_code"] == "ST-POTHOLE"
    assert {"SIZE", "LANE_POSITION"} <= {a["code"] for a in definition["attributes"]}


def test_civicbot_files_a_request_and_reads_it_back(server):
    client = civicbot_client(server)
    response = file_pothole(client)
    assert isinstance(response, list) and len(response) == 1, response
    request_id = response[0]["service_request_id"]
    got = client.get_request(request_id)
    assert got["service_request_id"] == request_id
    assert got["status"] == "open" and got["service_code"] == "ST-POTHOLE"
    assert "ana@example.org" not in str(got), "a public GET shows no personal data"
    listed = client.list_requests(service_code="ST-POTHOLE", status="open", page_size=100)
    assert request_id in {r["service_request_id"] for r in listed}
    both = client.list_requests(service_request_ids=[request_id, "no-such-id"])
    assert [r["service_request_id"] for r in both] == [request_id]
    start = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert request_id in {r["service_request_id"] for r in client.list_requests(start_date=start)}


def test_civicbot_validation_matches_the_server(server):
    client = civicbot_client(server)
    # civicbot refuses what the definition refuses, before sending...
    from civicbot.open311 import ValidationError
    with pytest.raises(ValidationError):
        client.create_request("ST-POTHOLE", dry_run=False, confirm=CONFIRM_TOKEN, api_key=CLIENT_KEY,
                              validate_remote=True, lat=38.95, lng=-90.94, attributes={"SIZE": "enormous"})
    # ...and the server refuses it too, with the error array, when sent anyway.
    from civicbot.http import HttpError
    with pytest.raises(HttpError) as e:
        client.http.post_form(client._url("requests"), {"api_key": CLIENT_KEY, "service_code": "ST-POTHOLE",
                                                        "lat": 38.95, "long": -90.94, "attribute[SIZE]": "enormous"})
    assert e.value.status == 400 and "SIZE" in e.value.body


def test_civicbot_batch_service_token(server):
    client = civicbot_client(server)
    prepared = client.create_request(
        "TREE-PLANT", dry_run=False, confirm=CONFIRM_TOKEN, api_key=CLIENT_KEY, validate_remote=True,
        lat=38.95, lng=-90.94, address_string="412 Maple St",
        attributes={"PLANTING_SPOT": "parkway", "RELATIONSHIP": "owner"},
    )
    token = prepared.response[0]["token"]
    resolved = client.get_token(token)
    assert resolved[0]["token"] == token and resolved[0]["service_request_id"]


def test_civicbot_in_xml(server):
    client = civicbot_client(server, fmt="xml")
    # civicbot parses JSON only; its transport still fetches XML as bytes.
    body = client.http.get_bytes(client._url("services"), {}).decode()
    assert body.startswith("<?xml") and "<service_code>ST-POTHOLE</service_code>" in body


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_reads_everything(server, fmt):
    created = file_pothole(civicbot_client(server), description=f"for georeport {fmt}")[0]["service_request_id"]
    geo = GeoReport(server.base, api_key=CLIENT_KEY, output_format=fmt)
    services = geo.get_service_list()
    assert "ST-POTHOLE" in {s["service_code"] for s in services}
    definition = geo.get_service_definition("ST-POTHOLE")
    assert definition["service_code"] == "ST-POTHOLE"
    listed = geo.get_service_requests(service_code="ST-POTHOLE", status="open")
    if fmt == "xml" and isinstance(listed, dict):
        listed = [listed]
    assert created in {r["service_request_id"] for r in listed}
    one = geo.get_service_request(created)
    one = one[0] if isinstance(one, list) else one
    assert one["service_request_id"] == created
    assert one["description"] == f"for georeport {fmt}"
