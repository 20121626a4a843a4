"""Grouping never drops information, and the result does not depend on record order (issue 13, part 4)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from agents.alerting.desk import AlertDesk
from agents.types import AlertCandidate
from schemas.alerts import Alert, AlertType, Severity
from tests.agents.alerting.helpers import at, drammen, view

DESK = AlertDesk.from_repo()
V = view(drammen(specialist_unit="hjerte-vvhf"))
T = at(2026, 11, 4, 9, 0)
TYPES = [AlertType.PULSE, AlertType.BLOOD_PRESSURE, AlertType.FEVER, AlertType.NEWS2, AlertType.COPD_SPO2,
         AlertType.SAFETY_ALARM, AlertType.FALL_DETECTED]


@st.composite
def readings(draw: st.DrawFn) -> list[AlertCandidate]:
    n = draw(st.integers(1, 7))
    out = []
    for i in range(n):
        type_ = draw(st.sampled_from(TYPES))
        sev = draw(st.sampled_from([Severity.MEDIUM, Severity.HIGH]))
        t = T + 60 * draw(st.integers(0, 3))
        out.append(AlertCandidate(type_, sev, t, t, f"{type_.value}#{i} nb", f"{type_.value}#{i} en", episode_key=str(i)))
    return out


def _key(a: Alert) -> tuple[object, ...]:
    return (a.alert_id, a.notification, a.type, a.severity, a.recipient, tuple(e.en for e in a.evidence), a.grouped)


def _feed(records: list[AlertCandidate]) -> list[Alert]:
    book = DESK.initial()
    out: list[Alert] = []
    for c in records:  # one record, one call: as the engine sees a cuff's pulse and blood pressure
        out += DESK.on_candidates(book, V, [c], c.time)[1]
    return out


@settings(max_examples=300, deadline=None)
@given(records=readings(), data=st.data())
def test_record_order_does_not_change_the_alerts(records: list[AlertCandidate], data: st.DataObject) -> None:
    # any interleaving that keeps each type's own order (a later episode of a type stays later)
    slots = data.draw(st.permutations(range(len(records))))
    shuffled: list[AlertCandidate | None] = [None] * len(records)
    by_type: dict[AlertType, list[AlertCandidate]] = {}
    for c in records:
        by_type.setdefault(c.type, []).append(c)
    positions: dict[AlertType, list[int]] = {}
    for slot, c in zip(slots, records, strict=True):
        positions.setdefault(c.type, []).append(slot)
    for type_, cs in by_type.items():
        for slot, c in zip(sorted(positions[type_]), cs, strict=True):
            shuffled[slot] = c
    a = _feed(records)
    b = _feed([c for c in shuffled if c is not None])
    assert sorted(map(_key, a), key=repr) == sorted(map(_key, b), key=repr)
    # nothing silently lost: every type found reaches a team, the first finding of each in its own words
    for type_, cs in by_type.items():
        texts = {e.en for x in a if x.type is type_ for e in x.evidence}
        assert any(cs[0].evidence_en in t for t in texts), (type_, texts)


@settings(max_examples=200, deadline=None)
@given(records=readings())
def test_findings_of_one_reading_all_reach_the_team(records: list[AlertCandidate]) -> None:
    # every candidate found by one event (one call) is carried, merged within its group or alone
    same_time = [AlertCandidate(c.type, c.severity, T, T, c.evidence_nb, c.evidence_en, episode_key=c.episode_key)
                 for c in records]
    distinct = list({c.type: c for c in same_time}.values())
    out = DESK.on_candidates(DESK.initial(), V, distinct, T)[1]
    carried = {e.en for a in out for e in a.evidence}
    assert {c.evidence_en for c in distinct} <= carried
    assert {a.type for a in out} | {g for a in out for g in a.grouped} == {c.type for c in distinct}
