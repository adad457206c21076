"""Open311 helpers, mirroring core/src/open311."""

import json
import xml.etree.ElementTree as ET

import pytest

import civic311


def test_services_list_in_both_formats():
    services = json.loads(civic311.open311_services_json())
    assert len(services) == 90
    assert all(isinstance(s["service_code"], str) for s in services)
    root = ET.fromstring(civic311.open311_services_xml())
    assert root.tag == "services"
    assert len(root.findall("service")) == 90


def test_service_definition():
    definition = json.loads(civic311.open311_service_definition("ST-POTHOLE"))
    assert definition["service_code"] == "ST-POTHOLE"
    assert definition["attributes"]
    xml = civic311.open311_service_definition("ST-POTHOLE", format="xml")
    assert ET.fromstring(xml).tag == "service_definition"
    with pytest.raises(civic311.ValidationError) as info:
        civic311.open311_service_definition("ST-POTHOL")
    assert info.value.errors[0]["code"] == 404
    with pytest.raises(civic311.QueryError):
        civic311.open311_service_definition("ST-POTHOLE", format="yaml")


def test_validation_returns_the_open311_error_array():
    with pytest.raises(civic311.ValidationError) as info:
        civic311.validate_request({"service_code": "ST-POTHOLE", "description": "x" * 4001})
    descriptions = [e["description"] for e in info.value.errors]
    assert any("location is required" in d for d in descriptions)
    assert any("4001 characters" in d for d in descriptions)
    assert all(e["code"] == 400 for e in info.value.errors)


def test_malformed_requests_are_format_errors():
    with pytest.raises(civic311.FormatError, match="unknown field 'descripton'"):
        civic311.validate_request({"service_code": "ST-POTHOLE", "descripton": "typo"})
