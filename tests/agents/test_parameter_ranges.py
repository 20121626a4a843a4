"""Care-context overrides are checked against each parameter's documented range."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import orjson
import pytest

from agents.registry import all_parameters
from agents.types import Parameter, ResidentView, value
from schemas.care import CareContext
from streams.codec import DecodeError, Limits, decode_care

PARAMETERS = all_parameters()


def _care(**overrides: float) -> bytes:
    return orjson.dumps({
        "resident_id": "r-000001", "municipality": "0301", "home_care_team": "hc-1",
        "response_centre": "rsp-1", "overrides": overrides, "updated_at": "2026-01-01T00:00:00+00:00",
    })


def test_every_parameter_declares_a_range_around_its_default() -> None:
    for p in PARAMETERS.values():
        assert p.minimum <= p.default <= p.maximum, p.name
        assert p.minimum < p.maximum, p.name


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_bounds_are_accepted_and_beyond_them_rejected_with_name_value_and_range(name: str) -> None:
    p = PARAMETERS[name]
    for ok in (p.minimum, p.maximum, p.default):
        assert decode_care(_care(**{name: ok}), Limits(), PARAMETERS).overrides[name] == ok
    below = p.minimum - max(1.0, abs(p.minimum))
    for bad in (below, p.maximum * 10 + 1, 1e9, -5.0 if p.minimum > -5 else p.maximum + 1):
        with pytest.raises(DecodeError) as exc:
            decode_care(_care(**{name: bad}), Limits(), PARAMETERS)
        assert exc.value.code == "override_range"
        assert name in exc.value.reason and f"{p.minimum:g}-{p.maximum:g}" in exc.value.reason


def test_unknown_parameter_is_named() -> None:
    with pytest.raises(DecodeError) as exc:
        decode_care(_care(no_such_limit=3), Limits(), PARAMETERS)
    assert exc.value.code == "unknown_override" and "no_such_limit" in exc.value.reason


def test_open_ended_questionnaire_severity_is_bounded() -> None:
    assert decode_care(_care(questionnaire_ehfscbs_severity=3), Limits(), PARAMETERS)
    with pytest.raises(DecodeError) as exc:
        decode_care(_care(questionnaire_ehfscbs_severity=0), Limits(), PARAMETERS)
    assert exc.value.code == "override_range"


def test_value_clamps_an_override_that_bypassed_ingest() -> None:
    p = Parameter("x_limit_min", 45.0, "min", "test", "test", minimum=15, maximum=180)
    care = CareContext.model_construct(
        resident_id="r-000001", municipality="0301", home_care_team="hc", response_centre="rc",
        programmes=(), time_zone="Europe/Oslo", overrides={"x_limit_min": 0.0},
        updated_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    view = ResidentView.of("r-000001", care)
    assert value(view, p) == 15
    assert p.clamp(math.nan) == 45.0


def test_a_default_outside_its_own_range_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="outside"):
        Parameter("bad", 5.0, "min", "d", "s", minimum=10, maximum=20)
