"""Safety invariants of the engine: an alarm is never lost, a failing detector switches off alone,
absence alerts fire at their deadline whatever the tick rhythm, configuration cannot silence supervision."""

from __future__ import annotations

import functools
import logging
import math
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agents.alerting.desk import AlertDesk
from agents.engine import Engine
from agents.registry import all_detectors, all_parameters
from agents.types import AlertCandidate, ResidentView
from schemas.alerts import AlertType, RecipientKind
from schemas.care import CareContext, Programme
from schemas.events import AlarmButton, Fall, Motion, Room

RID = "r-000001"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC).timestamp()
_n = iter(range(10**9))


def care(updated: datetime | None = None, **overrides: float) -> CareContext:
    return CareContext(
        resident_id=RID, municipality="0301", home_care_team="hc-1", response_centre="rc-1",
        programmes=(Programme.DEMENTIA, Programme.HEART_FAILURE), overrides=overrides,
        updated_at=updated or datetime(2026, 1, 1, tzinfo=UTC),
    )


def _ts(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC)


def motion(t: float, room: Room = Room.KITCHEN) -> Motion:
    return Motion(event_id=f"m{next(_n)}", resident_id=RID, time=_ts(t), device_id=f"pir-{room}", room=room)


def press(t: float) -> AlarmButton:
    return AlarmButton(event_id=f"a{next(_n)}", resident_id=RID, time=_ts(t), device_id="pendant-1")


class Exploding:
    """A detector that raises on every motion event (a bug, or a value it cannot handle)."""

    name: ClassVar[str] = "exploding"
    kinds: ClassVar[frozenset[str]] = frozenset({"motion", "alarm_button"})
    ticks: ClassVar[bool] = True
    state_type: ClassVar[type[int]] = int

    def initial(self) -> int:
        return 0

    def step(self, state: int, event: Any, t: float, view: ResidentView) -> tuple[int, list[AlertCandidate]]:
        raise ZeroDivisionError("float division by zero")

    def tick(self, state: int, now: float, view: ResidentView) -> tuple[int, list[AlertCandidate]]:
        return state, []

    def due(self, state: int, view: ResidentView) -> float:
        return math.inf

    def dump(self, state: int) -> int:
        return state


def test_a_failing_detector_is_switched_off_alone_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    engine = Engine(detectors=(*all_detectors()[:3], Exploding()))
    st_ = engine.new_state(RID)
    engine.on_care(st_, care())
    with caplog.at_level(logging.WARNING, logger="agents.engine"):
        alerts, rejected = engine.on_event(st_, motion(T0), T0)
        more, _ = engine.on_event(st_, motion(T0 + 60), T0 + 60)
        pressed, _ = engine.on_event(st_, press(T0 + 120), T0 + 120)
    assert rejected is None
    notices = [a for a in alerts if a.type is AlertType.PATTERN_DISABLED]
    assert {a.recipient.kind for a in notices} == {RecipientKind.TECHNICAL, RecipientKind.HOMECARE}
    assert "exploding" in notices[0].evidence[0].en and "ZeroDivisionError" in notices[0].evidence[0].en
    assert not more  # switched off: no second notice, no second traceback
    assert [a.type for a in pressed if a.notification == "initial"] == [AlertType.SAFETY_ALARM]
    assert len([r for r in caplog.records if "exploding" in r.getMessage()]) == 1
    assert RID not in caplog.text
    # the other detectors saw every event: the kitchen motion counts as the day's activity
    assert st_.watermark == T0 + 120
    # a corrected care context switches it back on
    engine.on_care(st_, care(datetime(2026, 2, 1, tzinfo=UTC)))
    assert "exploding" not in st_.faults
    assert engine.load(engine.dump(st_), engine.dump_care(st_)).faults == {}


def test_fault_survives_a_restart() -> None:
    engine = Engine(detectors=(Exploding(),))
    st_ = engine.new_state(RID)
    engine.on_event(st_, motion(T0), T0)
    assert engine.load(engine.dump(st_), engine.dump_care(st_)).faults.keys() == {"exploding"}


class BrokenSafety:
    name: ClassVar[str] = "safety_pass_through"
    kinds: ClassVar[frozenset[str]] = frozenset({"alarm_button", "fall"})
    ticks: ClassVar[bool] = False
    state_type: ClassVar[None] = None

    def initial(self) -> None:
        return None

    def step(self, state: None, event: Any, t: float, view: ResidentView) -> tuple[None, list[AlertCandidate]]:
        raise RuntimeError("broken")

    def tick(self, state: None, now: float, view: ResidentView) -> tuple[None, list[AlertCandidate]]:
        return state, []

    def due(self, state: None, view: ResidentView) -> float:
        return math.inf

    def dump(self, state: None) -> None:
        return None


def test_a_press_gives_an_alert_even_when_its_own_detector_fails() -> None:
    engine = Engine(detectors=(BrokenSafety(),))
    st_ = engine.new_state(RID)
    engine.on_care(st_, care())
    alerts, _ = engine.on_event(st_, press(T0), T0)
    kinds = {(a.type, a.recipient.kind) for a in alerts}
    assert (AlertType.SAFETY_ALARM, RecipientKind.RESPONSE_CENTRE) in kinds


class BrokenDesk(AlertDesk):
    __slots__ = ()

    def on_candidates(self, *_: Any) -> Any:
        raise KeyError("routing")


def test_a_press_gives_an_alert_even_when_the_desk_fails() -> None:
    engine = Engine(desk=BrokenDesk())
    st_ = engine.new_state(RID)
    engine.on_care(st_, care())
    alerts, _ = engine.on_event(st_, Fall(event_id="f1", resident_id=RID, time=_ts(T0), device_id="radar"), T0)
    assert [(a.type, a.recipient.team_id) for a in alerts] == [(AlertType.FALL_DETECTED, "rc-1")]


def test_a_late_press_still_alerts_but_moves_nothing_else() -> None:
    engine = Engine()
    st_ = engine.new_state(RID)
    engine.on_care(st_, care())
    engine.on_event(st_, motion(T0 + 3600), T0 + 3600)
    alerts, rejected = engine.on_event(st_, press(T0), T0)  # an hour behind the resident's clock
    assert rejected is None and [a.type for a in alerts] == [AlertType.SAFETY_ALARM]
    _, rejected = engine.on_event(st_, motion(T0 + 1), T0 + 1)
    assert rejected is not None and rejected.reason_code == "late"


def test_an_older_care_context_never_replaces_a_newer_one() -> None:
    engine = Engine()
    st_ = engine.new_state(RID)
    assert engine.on_care(st_, care(datetime(2026, 5, 1, tzinfo=UTC), bathroom_stay_limit_min=30)) is None
    stale = engine.on_care(st_, care(datetime(2020, 1, 1, tzinfo=UTC)))
    assert stale is not None and stale.reason_code == "stale_care_context"
    assert st_.care is not None and st_.care.overrides == {"bathroom_stay_limit_min": 30}


def _bathroom_night(engine: Engine, tick_every: float | None) -> list[tuple[str, str, datetime, str]]:
    """A bathroom entry at 23:00 and then silence until 05:00, ticked every ``tick_every`` s or once at the end."""
    st_ = engine.new_state(RID)
    engine.on_care(st_, care())
    start = datetime(2026, 3, 2, 21, 0, tzinfo=UTC).timestamp()
    out = []
    for i in range(8):  # an evening of kitchen and bedroom activity, then the bathroom
        room = Room.BEDROOM if i == 3 else Room.KITCHEN
        out += engine.on_event(st_, motion(start + 900 * i, room), start + 900 * i)[0]
    entry = start + 7200
    out += engine.on_event(st_, motion(entry - 60, Room.HALLWAY), entry - 60)[0]  # walking there
    out += engine.on_event(st_, motion(entry, Room.BATHROOM), entry)[0]
    end = entry + 6 * 3600
    if tick_every is None:
        out += engine.advance(st_, end)
    else:
        t = entry
        while t < end:
            t += tick_every
            out += engine.advance(st_, t)
    return [(a.alert_id, a.notification, a.time, a.evidence[0].en) for a in out]


def test_absence_alerts_fire_at_their_deadline_whatever_the_tick_rhythm() -> None:
    once = _bathroom_night(Engine(), None)
    every_second = _bathroom_night(Engine(), 1.0)
    every_ten_minutes = _bathroom_night(Engine(), 600.0)
    assert once == every_second == every_ten_minutes
    stays = [a for a in once if a[0].startswith("long-bathroom-stay") and a[1] == "initial"]
    assert stays and "now for 45 min" in stays[0][3]


# -- configuration cannot silence supervision --------------------------------------------------------

PARAMS = all_parameters()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    overrides=st.dictionaries(
        st.sampled_from(sorted(PARAMS)),
        st.one_of(st.sampled_from([0.0, -5.0, 1e9, -1e9, 0.5, 1e-9]), st.floats(-1e6, 1e6, allow_nan=False)),
        max_size=12,
    ),
    gaps=st.lists(st.floats(0.0, 6 * 3600.0), min_size=1, max_size=40),
    presses=st.lists(st.integers(0, 39), min_size=1, max_size=6),
)
def test_any_schema_valid_care_context_and_event_sequence_alerts_on_every_press(
    overrides: dict[str, float], gaps: list[float], presses: list[int]
) -> None:
    engine = Engine()
    st_ = engine.new_state(RID)
    engine.on_care(st_, care(**overrides))  # the schema accepts any finite number: ingest checks ranges
    t = T0
    rooms = list(Room)
    pressed_at: list[float] = []
    alerted_at: list[float] = []
    for i, gap in enumerate(gaps):
        t += gap
        if i in presses and (not pressed_at or round(t, 3) != pressed_at[-1]):
            pressed_at.append(round(t, 3))
            alerts, rejected = engine.on_event(st_, press(t), t)
        else:
            alerts, rejected = engine.on_event(st_, motion(t, rooms[i % len(rooms)]), t)
        assert rejected is None
        # every press is a notice: a new alert, or "pressed again" while one is open
        alerted_at += [round(a.time.timestamp(), 3) for a in alerts
                       if a.type is AlertType.SAFETY_ALARM and a.notification in ("initial", "repeat")]
        assert not [a for a in alerts if a.type is AlertType.PATTERN_DISABLED], st_.faults
    assert set(pressed_at) <= set(alerted_at)


@functools.cache
def _fuzz_home() -> tuple[list[tuple[str, CareContext]], list[tuple[float, str, Any]]]:
    """Two simulated residents over eight days, decoded once for every parameter."""
    from schemas.inbound import RESIDENT_EVENT
    from sim.simulate import Cohort

    cohort = Cohort(residents=2, days=8, seed=11, start=datetime(2026, 3, 2, tzinfo=UTC), episode_rate=0.0)
    cares = [(rid, CareContext.model_validate_json(raw)) for rid, raw in cohort.care_contexts()]
    events = [(float(t), rid, RESIDENT_EVENT.validate_json(raw)) for t, _topic, rid, raw in cohort.events()]
    return cares, events


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_every_parameter_at_its_bounds_runs_simulated_days_without_fault_or_storm(name: str) -> None:
    p = PARAMS[name]
    cares, events = _fuzz_home()
    for bound in (p.minimum, p.maximum):
        engine = Engine()
        states: dict[str, Any] = {}
        for rid, c in cares:
            states[rid] = engine.new_state(rid)
            engine.on_care(states[rid], c.model_copy(update={"overrides": {name: bound}}))
        counts: dict[tuple[str, str], int] = {}
        for t, rid, ev in events:
            alerts, _ = engine.on_event(states[rid], ev, t)
            for a in alerts:
                assert a.type is not AlertType.PATTERN_DISABLED, (name, bound, states[rid].faults)
                if a.notification == "initial":
                    counts[(rid, a.type.value)] = counts.get((rid, a.type.value), 0) + 1
        storm = {k: n for k, n in counts.items() if n > 8 * 3}  # more than three a day is a storm
        assert not storm, (name, bound, storm)


def test_advance_steps_through_deadlines_in_order() -> None:
    engine = Engine()
    st_ = engine.new_state(RID)
    engine.on_care(st_, care())
    engine.on_event(st_, press(T0), T0)  # escalates at +5 min, reminders after
    out = engine.advance(st_, T0 + 4 * 3600)
    times = [a.time for a in out]
    assert times == sorted(times)
    assert [a.notification for a in out][:1] == ["escalation"]
    assert out[0].time - _ts(T0) == timedelta(minutes=5)
    assert all(b - a >= timedelta(0) for a, b in pairwise(times))
