"""The clinical family as the engine runs it: registry, parameters, state, late and duplicate events."""

from __future__ import annotations

from datetime import timedelta

from agents.clinical import detectors
from agents.clinical.thresholds import PARAMETERS
from agents.engine import Engine
from agents.registry import all_parameters
from agents.statecodec import decode, encode
from schemas.alerts import AlertType, RecipientKind, Severity
from schemas.care import Programme
from tests.agents.clinical.helpers import T0, at, bp, care, meas, medication


def test_detectors_are_fresh_and_parameters_documented() -> None:
    a, b = detectors(), detectors()
    assert all(x is not y for x, y in zip(a, b, strict=True))
    assert len({d.name for d in a}) == len(a)
    names = [p.name for p in PARAMETERS]
    assert len(names) == len(set(names))
    assert all(p.source and p.description for p in PARAMETERS)
    assert set(names) <= set(all_parameters())


def _engine() -> Engine:
    return Engine(detectors=detectors())


def test_engine_routes_weight_gain_to_the_specialist_and_state_round_trips() -> None:
    eng = _engine()
    st = eng.new_state("res-001")
    eng.on_care(st, care(Programme.HEART_FAILURE))
    for i, kg in enumerate((80.0, 81.0, 81.5)):
        e = meas("weight", kg, at(days=i))
        assert eng.on_event(st, e, e.time.timestamp())[0] == []
    st = eng.load(eng.dump(st), eng.dump_care(st))
    e = meas("weight", 82.2, at(days=3))
    alerts, rejected = eng.on_event(st, e, e.time.timestamp())
    assert rejected is None
    assert [(a.type, a.recipient.kind, a.recipient.team_id) for a in alerts] == [
        (AlertType.WEIGHT_GAIN, RecipientKind.SPECIALIST, "hf-clinic")
    ]
    assert len(eng.dump(st)) < 4096


def test_duplicate_and_late_measurements_do_not_double_count() -> None:
    eng = _engine()
    st = eng.new_state("res-001")
    eng.on_care(st, care())
    e = meas("temperature", 38.2, at(0))
    alerts, _ = eng.on_event(st, e, e.time.timestamp())
    assert alerts == []  # judged when its measuring occasion closes, 30 min on
    again, rejected = eng.on_event(st, e, e.time.timestamp())
    assert again == [] and rejected is not None and rejected.reason_code == "duplicate"
    alerts = eng.on_tick(st, at(0.5).timestamp())
    assert [a.type for a in alerts] == [AlertType.FEVER]
    newer = meas("temperature", 38.9, at(1))
    eng.on_event(st, newer, newer.time.timestamp())
    late = meas("temperature", 38.5, at(0.95))  # 3 min late, within the allowed lateness
    alerts, rejected = eng.on_event(st, late, late.time.timestamp())
    assert rejected is None and alerts == []
    later = [a for a in eng.on_tick(st, at(2).timestamp()) if a.notification == "initial"]
    assert later == []  # the same band again the same day: no second notice
    too_late = meas("temperature", 39.0, at(-1))
    assert eng.on_event(st, too_late, too_late.time.timestamp())[1] is not None


def test_high_blood_pressure_escalates_through_the_desk() -> None:
    eng = _engine()
    st = eng.new_state("res-001")
    eng.on_care(st, care())
    e = bp(225, 100, at())
    alerts, _ = eng.on_event(st, e, e.time.timestamp())
    assert {a.severity for a in alerts} == {Severity.HIGH}
    # the acute route at home (no GP recorded: the out-of-hours service), see docs/ALERTING.md
    assert {a.recipient.kind for a in alerts} >= {RecipientKind.OUT_OF_HOURS}


def test_missed_dose_fires_from_engine_tick() -> None:
    eng = _engine()
    st = eng.new_state("res-001")
    eng.on_care(st, care())
    e = medication("d1", "offered", at(0), at(0))
    eng.on_event(st, e, e.time.timestamp())
    assert st.due <= at(1).timestamp()
    alerts = eng.on_tick(st, (T0 + timedelta(hours=1)).timestamp())
    assert [a.type for a in alerts] == [AlertType.MISSED_MEDICATION]
    assert alerts[0].recipient.kind is RecipientKind.HOMECARE


def test_initial_state_is_stored_exactly() -> None:
    for d in detectors():
        assert decode(encode(d.dump(d.initial())), d.state_type) == d.initial(), d.name
