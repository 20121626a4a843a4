"""The behaviour family as a whole: registration, parameters, state storage, the engine."""

from __future__ import annotations

import random

from agents.behaviour import detectors
from agents.behaviour.thresholds import PARAMETERS
from agents.engine import Engine
from agents.statecodec import decode, encode, to_plain
from schemas.alerts import AlertType
from tests.agents.behaviour.scenario import RID, Driver, alarm, at, care, days, motion, normal_day, view


def test_detectors_are_fresh_and_named_once() -> None:
    a, b = detectors(), detectors()
    assert len({d.name for d in a}) == len(a) == 9
    assert all(x is not y for x, y in zip(a, b, strict=True))


def test_every_parameter_is_documented_once() -> None:
    names = [p.name for p in PARAMETERS]
    assert len(names) == len(set(names))
    assert all(p.description and p.source and p.unit for p in PARAMETERS)


def test_every_state_round_trips_mid_episode() -> None:
    events: list[object] = []
    for y, m, dd in days(2026, 3, 20, 12):
        events += normal_day(y, m, dd, random.Random(dd))
    events.append(motion(at(2026, 4, 1, 7, 0), "bathroom"))  # a bathroom stay under way
    for det in detectors():
        d = Driver(det, view())
        d.feed(events)
        before = to_plain(det.dump(d.state))  # what is stored (caches are not)
        d.roundtrip()
        assert to_plain(det.dump(d.state)) == before, det.name
        assert det.due(d.state, d.view) == det.due(decode(encode(det.dump(d.state)), det.state_type), d.view)


def test_engine_runs_normal_days_quietly_and_passes_alarms_through() -> None:
    engine = Engine(detectors=detectors())
    state = engine.new_state(RID)
    engine.on_care(state, care())
    alerts = []
    for y, m, d in days(2026, 3, 20, 14):
        for ev in normal_day(y, m, d, random.Random(d)):
            found, rejected = engine.on_event(state, ev, ev.time.timestamp())
            assert rejected is None
            alerts += found
    assert alerts == []
    press = alarm(at(2026, 4, 2, 23, 55))
    found, _ = engine.on_event(state, press, press.time.timestamp())
    again, rejected = engine.on_event(state, press, press.time.timestamp())
    assert [a.type for a in found] == [AlertType.SAFETY_ALARM] and again == [] and rejected is not None
    restored = engine.load(engine.dump(state), engine.dump_care(state))
    assert restored.detectors.keys() == state.detectors.keys()
