"""The stored state is what survives kill -9: it must come back exactly, in every format we read."""

from __future__ import annotations

import base64
import logging
import math
import types
import typing
from pathlib import Path
from typing import Any

import msgspec
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agents.alerting.desk import AlertBook
from agents.behaviour.home import StoredHome
from agents.engine import HEADER_SIZE, STATE_FORMAT, Engine, UnreadableState, peek
from agents.registry import all_detectors
from agents.statecodec import Stored, decode, encode
from schemas.alerts import AlertType
from tests.agents.behaviour.scenario import RID, alarm, at, bed, care, door, heartbeat, motion, social, toilet

ENGINE = Engine()
T0 = at(2026, 1, 5, 7)

# -- every stored type, filled with arbitrary values (±inf and NaN included) ---------------------

FLOATS = st.floats(allow_nan=True, allow_infinity=True)
SMALL_INTS = st.integers(-(2**47), 2**47)


def strategy(tp: Any) -> st.SearchStrategy[Any]:
    """Arbitrary values of a stored field type."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is float:
        return FLOATS
    if tp is int:
        return SMALL_INTS
    if tp is bool:
        return st.booleans()
    if tp is str:
        return st.text(max_size=6)
    if tp is bytes:
        return st.binary(max_size=12)
    if tp is type(None) or tp is None:
        return st.none()
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(strategy(a) for a in args))
    if origin is list:
        return st.lists(strategy(args[0]), max_size=3)
    if origin is dict:
        return st.dictionaries(strategy(args[0]), strategy(args[1]), max_size=2)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return st.lists(strategy(args[0]), max_size=3).map(tuple)
        return st.tuples(*(strategy(a) for a in args))
    if isinstance(tp, type) and issubclass(tp, msgspec.Struct):
        hints = typing.get_type_hints(tp)
        return st.builds(tp, **{f: strategy(hints[f]) for f in tp.__struct_fields__})
    raise AssertionError(f"no strategy for stored type {tp!r}")


STORED_TYPES = sorted(
    {d.state_type for d in all_detectors() if isinstance(d.state_type, type)} | {AlertBook, StoredHome},
    key=lambda t: t.__name__,
)


def _same(a: Any, b: Any) -> bool:
    """Equal, counting NaN equal to NaN (what "exact" means for a stored float)."""
    return encode(a) == encode(b)


@pytest.mark.parametrize("tp", STORED_TYPES, ids=lambda t: t.__name__)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_stored_type_comes_back_exactly(tp: type[Stored], data: st.DataObject) -> None:
    value = data.draw(strategy(tp))
    raw = encode(value)
    back = decode(raw, tp)
    assert encode(back) == raw
    assert _same(back, value)


def test_infinities_and_nan_are_kept_not_turned_into_inf() -> None:
    from agents.behaviour.inactivity import InactivityState

    s = InactivityState(away_mark=-math.inf, usual_h=math.nan, hold_until=math.inf)
    back = decode(encode(s), InactivityState)
    assert back.away_mark == -math.inf
    assert math.isnan(back.usual_h)
    assert back.hold_until == math.inf


# -- whole engine states, built by the engine from random days ---------------------------------

EVENT = st.sampled_from(["kitchen", "bathroom", "bedroom", "hallway", "door", "bed", "toilet", "beat", "social", "alarm"])


def _event(kind: str, t: float) -> Any:
    if kind == "door":
        return door(t, "open")
    if kind == "bed":
        return bed(t, "vacant")
    if kind == "toilet":
        return toilet(t)
    if kind == "beat":
        return heartbeat(t, "pir-kit", 80.0)
    if kind == "social":
        return social(t)
    if kind == "alarm":
        return alarm(t)
    return motion(t, kind)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    steps=st.lists(st.tuples(EVENT, st.floats(0.0, 6 * 3600.0)), max_size=40),
    with_care=st.booleans(),
    run_on=st.floats(0.0, 3 * 86400.0),
)
def test_engine_state_dump_load_dump_is_identical(
    steps: list[tuple[str, float]], with_care: bool, run_on: float
) -> None:
    state = ENGINE.new_state(RID)
    if with_care:
        ENGINE.on_care(state, care())
    t = T0
    for kind, gap in steps:
        t += gap
        ENGINE.on_event(state, _event(kind, t), t)
    ENGINE.advance(state, t + run_on)
    raw = ENGINE.dump(state)
    care_raw = ENGINE.dump_care(state)
    restored = ENGINE.load(raw, care_raw)
    assert ENGINE.dump(restored) == raw
    assert restored.seen == state.seen and restored.faults == state.faults
    assert peek(raw) == (state.due, state.watermark)


def test_a_live_resident_with_open_alerts_round_trips() -> None:
    state = ENGINE.new_state(RID)
    ENGINE.on_care(state, care())
    alerts, _ = ENGINE.on_event(state, alarm(T0), T0)
    assert [a.type for a in alerts] == [AlertType.SAFETY_ALARM]
    ENGINE.advance(state, T0 + 3600)
    assert state.book.open
    raw = ENGINE.dump(state)
    assert raw[0] == STATE_FORMAT
    restored = ENGINE.load(raw, ENGINE.dump_care(state))
    assert ENGINE.dump(restored) == raw
    assert restored.book == state.book


# -- the previous format still loads ------------------------------------------------------------

FORMAT_1 = Path(__file__).parents[1] / "fixtures" / "state" / "format1.json"
"""Real states of two simulated residents after six days, written by the previous version
(state format 1: JSON, ``null`` for an infinite float), with the deadline it computed on loading."""


def _as_v1(obj: Any) -> Any:
    """A stored value as format 1 wrote it: objects by field name, ``null`` for ±inf."""
    if isinstance(obj, msgspec.Struct):
        return {f: _as_v1(getattr(obj, f)) for f in obj.__struct_fields__}
    if isinstance(obj, list | tuple):
        return [_as_v1(v) for v in obj]
    if isinstance(obj, dict):
        return {str(k): _as_v1(v) for k, v in obj.items()}
    if isinstance(obj, float) and math.isinf(obj):
        return None
    return obj


@pytest.mark.parametrize("i", [0, 1])
@pytest.mark.parametrize("header", [True, False], ids=["format-1", "header-less"])
def test_a_format_1_state_still_loads(i: int, header: bool, caplog: pytest.LogCaptureFixture) -> None:
    stored = orjson.loads(FORMAT_1.read_bytes())["residents"][i]
    raw, care_raw = base64.b64decode(stored["state"]), base64.b64decode(stored["care"])
    assert raw[0] == 1
    old = orjson.loads(raw[HEADER_SIZE:])
    with caplog.at_level(logging.WARNING):
        state = ENGINE.load(raw if header else raw[HEADER_SIZE:], care_raw)
    assert not caplog.records, "nothing of a format-1 state may be dropped"
    assert state.resident_id == old["r"] and state.watermark == stored["watermark"]
    # The deadline is recomputed by this version's detectors on load (a rule change, such as the
    # longer inactivity limit while a bed or seat mat is occupied, moves it); it must be what this
    # version computes for the same state written in the current format, and finite as before.
    assert math.isfinite(state.due) == math.isfinite(stored["due"])
    assert state.due == ENGINE.load(ENGINE.dump(state), care_raw).due
    for d in ENGINE.detectors:
        stored_v1 = _as_v1(d.dump(state.detectors[d.name]))
        written = old["d"][d.name]
        if isinstance(written, dict):  # fields format 1 did not store (caches) are left aside
            stored_v1 = {k: v for k, v in stored_v1.items() if k in written}
        assert stored_v1 == written, d.name
    assert _as_v1(state.book.last) == old["b"]["last"]
    assert [a.alert_id for a in state.book.open] == [a["alert_id"] for a in old["b"].get("open", [])]
    assert _as_v1(state.home.act) == old["h"]["a"]
    assert sorted(state.home.caps.devices) == sorted(old["h"]["d"])
    # stored again it is format 2, and reads back byte for byte
    again = ENGINE.dump(state)
    assert again[0] == STATE_FORMAT and len(again) < len(raw)
    assert ENGINE.dump(ENGINE.load(again, care_raw)) == again


def test_an_unreadable_detector_state_restarts_that_detector_alone(caplog: pytest.LogCaptureFixture) -> None:
    state = ENGINE.new_state(RID)
    ENGINE.on_care(state, care())
    for day in range(3):  # three mornings: days are learned
        ENGINE.on_event(state, motion(T0 + day * 86400, "kitchen"), T0 + day * 86400)
    assert state.detectors["inactivity"].learned_day > 0
    raw = ENGINE.dump(state)
    # a detector state this version cannot read (as a later, incompatible version might write it)
    body = msgspec.msgpack.decode(raw[HEADER_SIZE:])
    body[3]["inactivity"] = ["not", "an", "inactivity", "state"]
    broken = raw[:HEADER_SIZE] + msgspec.msgpack.encode(body)
    with caplog.at_level(logging.WARNING):
        restored = ENGINE.load(broken, ENGINE.dump_care(state))
    assert restored.detectors["inactivity"].learned_day == -1  # started afresh
    assert "inactivity" in caplog.text and RID not in caplog.text
    assert encode(restored.home.act) == encode(state.home.act)
    assert restored.detectors["activity_decline"] == state.detectors["activity_decline"]
    assert restored.seen == state.seen


def test_an_unknown_format_or_damaged_state_is_refused_clearly() -> None:
    raw = ENGINE.dump(ENGINE.new_state(RID))
    with pytest.raises(UnreadableState, match=f"format {STATE_FORMAT + 1}; this version reads formats 1 and"):
        ENGINE.load(bytes([STATE_FORMAT + 1]) + raw[1:])
    with pytest.raises(UnreadableState, match="damaged"):
        ENGINE.load(raw[: len(raw) // 2])


