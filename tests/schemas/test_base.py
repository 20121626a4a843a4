"""Shared field types: pseudonymous resident ids, team ids, event ids, time zones, strictness."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from schemas.base import EventId, ResidentId, StrictModel, TeamId, TimeZoneName
from tests.schemas.rejection import rejected

RESIDENT: TypeAdapter[str] = TypeAdapter(ResidentId)
TEAM: TypeAdapter[str] = TypeAdapter(TeamId)
EVENT_ID: TypeAdapter[str] = TypeAdapter(EventId)
TZ: TypeAdapter[str] = TypeAdapter(TimeZoneName)


def _python_rejected(adapter: TypeAdapter[Any], value: Any) -> str:
    with pytest.raises(ValidationError) as info:
        adapter.validate_python(value)
    return "; ".join(e["msg"] for e in info.value.errors())


@pytest.mark.parametrize("rid", ["r-001", "abc", "R.42:home-3", "kommune3905_bruker17", "a" * 64, "r-1234567890"])
def test_pseudonymous_resident_ids_are_accepted(rid: str) -> None:
    assert RESIDENT.validate_python(rid) == rid


@pytest.mark.parametrize(
    "rid",
    [
        "01017012345",  # fødselsnummer shape
        "41017012345",  # D-nummer shape (day + 40)
        "010170-12345",
        "010170.12345",
        "010170:12345",
        "010170_12345",
        "r-01017012345",
        "01017012345-x",
        "0101-70-123-45",
        "r-1234567890123",  # any 11 consecutive digits, longer runs too
    ],
)
def test_national_id_like_resident_ids_are_refused(rid: str) -> None:
    msg = _python_rejected(RESIDENT, rid)
    assert "looks like a national identity number (11 digits)" in msg
    assert "pseudonymous resident id" in msg


def test_national_id_with_a_space_is_refused_by_the_id_pattern() -> None:
    # the pattern (no spaces) catches it before the national-id check runs
    msg = _python_rejected(RESIDENT, "010170 12345")
    assert "String should match pattern" in msg


@pytest.mark.parametrize(
    ("rid", "why"),
    [
        ("ab", "String should match pattern"),  # too short
        ("a" * 65, "String should match pattern"),
        ("-r001", "String should match pattern"),  # must start with a letter or digit
        ("r 001", "String should match pattern"),
        ("rå-001", "String should match pattern"),
        ("", "String should match pattern"),
    ],
)
def test_malformed_resident_ids_are_refused(rid: str, why: str) -> None:
    assert why in _python_rejected(RESIDENT, rid)


def test_resident_id_is_not_coerced_from_a_number() -> None:
    assert "Input should be a valid string" in rejected(RESIDENT, b"12345")


@pytest.mark.parametrize("team", ["hjt-sandefjord", "rsc/vestfold", "AHUS.hjertesvikt:1"])
def test_team_ids(team: str) -> None:
    assert TEAM.validate_python(team) == team


@pytest.mark.parametrize("team", ["", "/rsc", "team with space", "x" * 65])
def test_bad_team_ids(team: str) -> None:
    assert "String should" in _python_rejected(TEAM, team)


def test_event_id_is_printable_ascii_up_to_128() -> None:
    assert EVENT_ID.validate_python("urn:uuid:1234") == "urn:uuid:1234"
    assert "String should match pattern" in _python_rejected(EVENT_ID, "with space")
    assert "at most 128 characters" in _python_rejected(EVENT_ID, "e" * 129)
    assert "at least 1 character" in _python_rejected(EVENT_ID, "")


@pytest.mark.parametrize("zone", ["Europe/Oslo", "UTC", "Arctic/Longyearbyen", "America/New_York"])
def test_iana_time_zones_are_accepted(zone: str) -> None:
    assert TZ.validate_python(zone) == zone


@pytest.mark.parametrize("zone", ["Europe/Bergen", "CET+1", "Oslo", "../etc/passwd", "Europe/", "+01:00"])
def test_unknown_time_zones_are_refused(zone: str) -> None:
    assert "unknown IANA time zone" in _python_rejected(TZ, zone)


def test_strict_model_config_is_the_contract_style() -> None:
    cfg = StrictModel.model_config
    assert cfg.get("extra") == "forbid"
    assert cfg.get("strict") is True
    assert cfg.get("frozen") is True
    assert cfg.get("allow_inf_nan") is False
