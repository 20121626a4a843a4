"""Properties over generated input: round trips, canonical units, national ids never pass."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from schemas.alerts import AlertType, Category, DhoCategory, RecipientKind, Severity, VkpService
from schemas.base import ResidentId
from schemas.events import Room
from schemas.inbound import CARE_CONTEXT, RESIDENT_EVENT
from schemas.measurements import Measurement
from schemas.units import UNITS
from tests.schemas.rejection import wire
from tests.schemas.test_alerts import ALERT

RESIDENT: TypeAdapter[str] = TypeAdapter(ResidentId)
DIGITS = "0123456789"
ID_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-"

PROPERTY = settings(max_examples=60, deadline=None)
"""Enough examples to find edge cases while the whole schema suite stays well under 20 s."""

offsets = st.integers(min_value=-12 * 60, max_value=14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
aware = st.datetimes(
    min_value=datetime(2000, 1, 2), max_value=datetime(2099, 12, 30), timezones=offsets
)
resident_ids = st.from_regex(r"\A[a-z]{1,4}-[0-9]{1,6}\Z")
ids = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=40)
finite = st.floats(allow_nan=False, allow_infinity=False)


def _base(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"kind": st.just(kind), "event_id": ids, "resident_id": resident_ids,
         "time": aware.map(datetime.isoformat), "device_id": ids}
    )


def _with(kind: str, **extra: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.tuples(_base(kind), st.fixed_dictionaries(extra)).map(lambda p: {**p[0], **p[1]})


def _measurement() -> st.SearchStrategy[dict[str, Any]]:
    def one(code: str) -> st.SearchStrategy[dict[str, Any]]:
        spec = UNITS[code]
        return _with(
            "measurement", code=st.just(code), unit=st.just(spec.canonical),
            value=st.floats(min_value=spec.low, max_value=spec.high),
        )

    return st.one_of([one(c) for c in ("spo2", "pulse", "respiratory_rate", "temperature", "weight", "blood_glucose")])


ROOMS = st.sampled_from([r.value for r in Room])

sensor_or_dho_events = st.one_of(
    _with("motion", room=st.sampled_from([r.value for r in Room])),
    _with("door", door=st.sampled_from(["exit", "balcony", "fridge", "interior"]), state=st.sampled_from(["open", "closed"])),
    _with("door", door=st.sampled_from(["exit", "interior"]), state=st.sampled_from(["open", "closed"]), room=ROOMS),
    _with("contact", room=ROOMS, purpose=st.sampled_from(["cupboard", "freezer", "medicine_cabinet", "window"]),
          state=st.sampled_from(["open", "closed"])),
    _with("bed", state=st.sampled_from(["occupied", "vacant"])),
    _with("chair", state=st.sampled_from(["occupied", "vacant"])),
    _with("chair", state=st.sampled_from(["occupied", "vacant"]), seat=st.sampled_from(["couch", "armchair"]), room=ROOMS),
    _with("toilet"),
    _with("toilet", room=st.sampled_from(["bathroom", "wc"])),
    _with("appliance", appliance=st.sampled_from(["stove", "kettle", "tv"]), state=st.sampled_from(["on", "off"])),
    _with("light", room=ROOMS, state=st.sampled_from(["on", "off"])),
    _with("fall", confidence=st.none() | st.floats(min_value=0, max_value=1)),
    _with("alarm_button", source=st.sampled_from(["pendant", "wristband", "wall", "pull_cord"])),
    _with("medication", dose_id=st.text(min_size=1, max_size=64), status=st.sampled_from(["offered", "taken", "missed"]),
          scheduled_time=aware.map(datetime.isoformat)),
    _with("heartbeat", battery_pct=st.none() | st.floats(min_value=0, max_value=100)),
    _with("battery", battery_pct=st.floats(min_value=0, max_value=100)),
    _with("social", channel=st.sampled_from(["homecare_visit", "visitor", "phone_call", "video_call", "day_centre"])),
    _measurement(),
    _with("blood_pressure", systolic=st.floats(min_value=121, max_value=300), diastolic=st.floats(min_value=20, max_value=120)),
    _with("consciousness", level=st.sampled_from(list("ACVPU"))),
    _with("questionnaire", questionnaire=st.sampled_from(["CAT", "UCLA-3", "KCCQ-12"]),
          score=st.floats(min_value=0, max_value=1000)),
)


@PROPERTY
@given(sensor_or_dho_events)
def test_any_valid_event_round_trips_through_json(data: dict[str, Any]) -> None:
    ev = RESIDENT_EVENT.validate_json(wire(data))
    assert ev.kind == data["kind"]
    again = RESIDENT_EVENT.validate_json(ev.model_dump_json())
    assert again == ev
    assert again.model_dump_json() == ev.model_dump_json()


@PROPERTY
@given(sensor_or_dho_events, st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12))
def test_any_extra_field_is_refused(data: dict[str, Any], name: str) -> None:
    if name in data:
        return
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        RESIDENT_EVENT.validate_json(wire({**data, name: 1}))


@PROPERTY
@given(sensor_or_dho_events)
def test_naive_time_is_always_refused(data: dict[str, Any]) -> None:
    naive = datetime.fromisoformat(data["time"]).replace(tzinfo=None).isoformat()
    with pytest.raises(ValidationError, match="Input should have timezone info"):
        RESIDENT_EVENT.validate_json(wire({**data, "time": naive}))


@PROPERTY
@given(st.text(alphabet=DIGITS, min_size=11, max_size=11))
def test_any_eleven_digit_string_is_refused_as_resident_id(digits: str) -> None:
    with pytest.raises(ValidationError, match="national identity number"):
        RESIDENT.validate_python(digits)


@PROPERTY
@given(
    st.text(alphabet=DIGITS, min_size=11, max_size=11),
    st.lists(st.tuples(st.integers(1, 10), st.sampled_from("-._:")), max_size=4),
    st.text(alphabet="abcxyz-", max_size=5),
)
def test_eleven_digits_broken_by_separators_or_prefixed_are_refused(
    digits: str, cuts: list[tuple[int, str]], prefix: str
) -> None:
    value = digits
    for pos, sep in sorted(cuts, reverse=True):
        value = value[:pos] + sep + value[pos:]
    value = f"r{prefix}{value}"
    with pytest.raises(ValidationError):
        RESIDENT.validate_python(value)


@PROPERTY
@given(st.text(alphabet=ID_CHARS, min_size=2, max_size=63), st.sampled_from("abcdefghR"))
def test_resident_ids_with_at_most_ten_digits_pass_unless_malformed(body: str, first: str) -> None:
    value = first + body
    if sum(c.isdigit() for c in value) > 10:
        return
    assert RESIDENT.validate_python(value) == value


@PROPERTY
@given(
    st.sampled_from(["weight", "temperature", "blood_glucose"]),
    st.floats(min_value=0, max_value=1),
)
def test_unit_conversion_lands_in_range_and_is_idempotent(code: str, fraction: float) -> None:
    foreign = {"weight": "[lb_av]", "temperature": "[degF]", "blood_glucose": "mg/dL"}[code]
    spec = UNITS[code]
    convert = spec.conversions[foreign]
    # pick a foreign value whose canonical value is comfortably inside the range
    lo, hi = spec.low + 0.1, spec.high - 0.1
    target = lo + (hi - lo) * fraction
    foreign_value = {"[lb_av]": target / 0.45359237, "[degF]": target * 9 / 5 + 32, "mg/dL": target * 18.016}[foreign]
    m = RESIDENT_EVENT.validate_json(
        wire({"kind": "measurement", "event_id": "e", "resident_id": "r-001", "time": "2024-03-01T08:00:00Z",
              "code": code, "value": foreign_value, "unit": foreign})
    )
    assert isinstance(m, Measurement)
    assert m.unit == spec.canonical
    assert m.value == convert(foreign_value)
    assert spec.low <= m.value <= spec.high
    assert RESIDENT_EVENT.validate_json(m.model_dump_json()) == m


@PROPERTY
@given(st.sampled_from(list(UNITS)), finite)
def test_values_outside_the_plausible_range_never_pass(code: str, value: float) -> None:
    spec = UNITS[code]
    if spec.low <= value <= spec.high:
        return
    if code.endswith("_bp"):
        data = {"kind": "blood_pressure", "systolic": value if code == "systolic_bp" else 300.0,
                "diastolic": value if code == "diastolic_bp" else 20.0}
    else:
        data = {"kind": "measurement", "code": code, "value": value, "unit": spec.canonical}
    with pytest.raises(ValidationError, match=r"implausible|not below"):
        RESIDENT_EVENT.validate_json(
            wire({"event_id": "e", "resident_id": "r-001", "time": "2024-03-01T08:00:00Z", **data})
        )


alerts = st.fixed_dictionaries(
    {
        "alert_id": st.from_regex(r"\A[a-z0-9_-]{8,80}\Z"),
        "resident_id": resident_ids,
        "type": st.sampled_from([t.value for t in AlertType]),
        "category": st.sampled_from([c.value for c in Category]),
        "severity": st.sampled_from([s.value for s in Severity]),
        "recipient": st.fixed_dictionaries(
            {"kind": st.sampled_from([k.value for k in RecipientKind]), "team_id": st.from_regex(r"\A[a-z][a-z0-9-]{0,20}\Z")}
        ),
        "vkp_service": st.sampled_from([v.value for v in VkpService]),
        "dho_category": st.none() | st.sampled_from([d.value for d in DhoCategory]),
        "episode_start": aware.map(datetime.isoformat),
        "time": aware.map(datetime.isoformat),
        "evidence": st.lists(
            st.fixed_dictionaries({"nb": st.text(min_size=1, max_size=50), "en": st.text(min_size=1, max_size=50)}),
            min_size=1, max_size=3,
        ),
        "details": st.dictionaries(
            st.text(min_size=1, max_size=10), finite | st.integers(-(2**53), 2**53) | st.text(max_size=10) | st.booleans(),
            max_size=4,
        ),
    }
)


@PROPERTY
@given(alerts)
def test_any_valid_alert_round_trips_through_json(data: dict[str, Any]) -> None:
    a = ALERT.validate_json(wire(data))
    assert ALERT.validate_json(a.model_dump_json()) == a


@PROPERTY
@given(st.sampled_from(["Europe/Oslo", "UTC", "Europe/Stockholm"]) | st.text(alphabet="abcXYZ/_", min_size=1, max_size=20))
def test_time_zone_is_accepted_exactly_when_iana_knows_it(zone: str) -> None:
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(zone)
        known = True
    except Exception:
        known = False
    data = {"resident_id": "r-001", "municipality": "0301", "home_care_team": "hjt", "response_centre": "rsc",
            "time_zone": zone, "updated_at": "2024-03-01T08:00:00+01:00"}
    if known:
        assert CARE_CONTEXT.validate_json(wire(data)).time_zone == zone
    else:
        with pytest.raises(ValidationError, match="unknown IANA time zone"):
            CARE_CONTEXT.validate_json(wire(data))
