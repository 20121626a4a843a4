"""Legal basis per service and next of kin within their consent scope: the desk and the engine's gate."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

import pytest

from agents.alerting.desk import CLOSED_BY_CONSENT, AlertDesk
from agents.catalogue import CONSENT_OF, detector_service
from agents.engine import Engine
from agents.registry import all_detectors
from schemas.alerts import AlertType, RecipientKind, Severity
from schemas.care import CareContext, CareService, NextOfKin
from schemas.events import AlarmButton, Motion, Room
from schemas.measurements import Measurement
from tests.agents.alerting.helpers import OSLO, RID, ack, at, cand, drammen, run, send, view, who

MORNING = at(2026, 11, 4, 10, 30)
DAUGHTER = NextOfKin(contact_id="nok-7f3a", alert_types=(AlertType.NO_MORNING_ACTIVITY,),
                     notify_from=time(7, 0), notify_until=time(21, 0))
CONSENTED = {CareService.NEXT_OF_KIN_NOTICES: "consent", CareService.DIGITAL_SUPERVISION: "consent"}


@pytest.fixture(scope="module")
def desk() -> AlertDesk:
    return AlertDesk.from_repo()


def test_next_of_kin_get_a_missed_morning_within_their_consent(desk: AlertDesk) -> None:
    v = view(drammen(next_of_kin=(DAUGHTER,), legal_basis=CONSENTED))
    c = cand(AlertType.NO_MORNING_ACTIVITY, Severity.HIGH, MORNING, details={"usual_first_activity": "07:40"})
    alerts = send(desk, desk.initial(), v, c)
    assert who(alerts) == [("initial", "response-centre", "rsp-buskerud", 1), ("initial", "next-of-kin", "nok-7f3a", 1)]
    care_copy, notice = alerts
    assert notice.alert_id == care_copy.alert_id
    assert [e.en for e in notice.evidence] == ["no_morning_activity en"]
    assert notice.details == {} and care_copy.details == {"usual_first_activity": "07:40"}


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"legal_basis": {CareService.DIGITAL_SUPERVISION: "consent"}}, "no consent to next-of-kin notices"),
        ({"legal_basis": None}, "legal basis not recorded: next-of-kin notices need it explicitly"),
        ({"next_of_kin": (DAUGHTER.model_copy(update={"alert_types": (AlertType.FALL_DETECTED,)}),)}, "another type"),
        ({"next_of_kin": (DAUGHTER.model_copy(update={"notify_from": time(11, 0)}),)}, "outside the hours"),
    ],
)
def test_no_notice_outside_the_consent(desk: AlertDesk, change: dict[str, Any], why: str) -> None:
    base: dict[str, Any] = {"next_of_kin": (DAUGHTER,), "legal_basis": CONSENTED}
    base.update(change)
    alerts = send(desk, desk.initial(), view(drammen(**base)), cand(AlertType.NO_MORNING_ACTIVITY, Severity.HIGH, MORNING))
    assert [a.recipient.kind for a in alerts] == [RecipientKind.RESPONSE_CENTRE], why


def test_hours_across_midnight() -> None:
    night_owl = DAUGHTER.model_copy(update={"notify_from": time(20, 0), "notify_until": time(2, 0)})
    assert night_owl.in_scope(AlertType.NO_MORNING_ACTIVITY, 23 * 60)
    assert night_owl.in_scope(AlertType.NO_MORNING_ACTIVITY, 60)
    assert not night_owl.in_scope(AlertType.NO_MORNING_ACTIVITY, 12 * 60)
    all_day = DAUGHTER.model_copy(update={"notify_from": time(0, 0), "notify_until": time(0, 0)})
    assert all_day.in_scope(AlertType.NO_MORNING_ACTIVITY, 3 * 60)


def test_evidence_of_a_type_outside_the_consent_never_reaches_next_of_kin(desk: AlertDesk) -> None:
    v = view(drammen(next_of_kin=(DAUGHTER,), legal_basis=CONSENTED))
    alerts = send(
        desk, desk.initial(), v,
        cand(AlertType.NO_MORNING_ACTIVITY, Severity.HIGH, MORNING),
        cand(AlertType.DAYTIME_INACTIVITY, Severity.MEDIUM, MORNING, details={"quiet_min": 250}),
    )
    care_copy = next(a for a in alerts if a.recipient.kind is RecipientKind.RESPONSE_CENTRE)
    notice = next(a for a in alerts if a.recipient.kind is RecipientKind.NEXT_OF_KIN)
    assert care_copy.grouped == (AlertType.DAYTIME_INACTIVITY,) and len(care_copy.evidence) == 2
    assert [e.en for e in notice.evidence] == ["no_morning_activity en"]
    assert notice.grouped == () and notice.details == {}
    assert "daytime_inactivity" not in notice.model_dump_json()


def test_next_of_kin_are_told_when_it_is_handled_but_are_not_tasked(desk: AlertDesk) -> None:
    v = view(drammen(next_of_kin=(DAUGHTER,), legal_basis=CONSENTED))
    book = desk.initial()
    (first, _) = send(desk, book, v, cand(AlertType.NO_MORNING_ACTIVITY, Severity.HIGH, MORNING))
    later = run(desk, book, v, MORNING, 12)
    assert RecipientKind.NEXT_OF_KIN not in {a.recipient.kind for a in later}, "escalations and reminders: care only"
    # next of kin cannot acknowledge: they are told, not tasked
    _, _, refused = desk.on_ack(book, v, ack(first.alert_id, "nok-7f3a", MORNING + 700), MORNING + 700)
    assert refused.refused is not None and "not a team this alert went to" in refused.refused
    _, notices, _ = desk.on_ack(book, v, ack(first.alert_id, "hjt-3301-2", MORNING + 720), MORNING + 720)
    told = {a.recipient.team_id: a for a in notices}
    assert set(told) == {"rsp-buskerud", "hjt-3301-2", "legevakt-drammen", "nok-7f3a"}
    assert [e.en for e in told["nok-7f3a"].evidence] == ["Acknowledged by hjt-3301-2 at 10:42."]
    assert told["nok-7f3a"].status == "acknowledged"


# -- legal basis: the engine's gate ------------------------------------------------------------

def _care(legal: dict[CareService, str] | None, updated: int = 1) -> CareContext:
    return drammen(legal_basis=legal, updated_at=datetime(2026, 1, updated, tzinfo=UTC))


def _motion(i: int, t: float, room: str) -> Motion:
    return Motion(event_id=f"m{i}", resident_id=RID, time=datetime.fromtimestamp(t, OSLO), device_id=f"pir-{room}",
                  room=Room(room))


def _bathroom_stay(engine: Engine, state: Any, start: float) -> list[Any]:
    """Bedroom and kitchen, then the bathroom and nothing else for an hour (a home with a bedroom
    sensor, so the stay is judged at full severity)."""
    out = engine.on_event(state, _motion(901, start - 600, "bedroom"), start - 600)[0]
    out += engine.on_event(state, _motion(1, start, "kitchen"), start)[0]
    out += engine.on_event(state, _motion(2, start + 60, "bathroom"), start + 60)[0]
    return out + engine.advance(state, start + 3600)


def test_every_detector_has_a_service() -> None:
    for d in all_detectors():
        assert detector_service(d) in CONSENT_OF, d.name


def test_a_new_detector_takes_its_familys_service_unless_it_declares_one() -> None:
    from agents.clinical.reading import ReadingDetector
    from schemas.alerts import VkpService

    class WeightLoss(ReadingDetector[None]):  # a helper's new clinical pattern, declared nowhere
        name = "weight_loss_new"

    WeightLoss.__module__ = "agents.clinical.weight_loss"

    class Dispenser(WeightLoss):
        service = VkpService.MD

    assert detector_service(WeightLoss()) is VkpService.DHO
    assert detector_service(Dispenser()) is VkpService.MD


def test_detectors_of_a_service_without_legal_basis_do_not_run() -> None:
    engine = Engine()
    start = at(2026, 11, 4, 13, 0)
    on = engine.new_state(RID)
    engine.on_care(on, _care({CareService.DIGITAL_SUPERVISION: "decision_4_6a"}))
    assert [a.type for a in _bathroom_stay(engine, on, start) if a.notification == "initial"] == [
        AlertType.LONG_BATHROOM_STAY]
    off = engine.new_state(RID)
    engine.on_care(off, _care({CareService.HOME_FOLLOW_UP: "consent"}))
    assert _bathroom_stay(engine, off, start) == []
    # a safety alarm is the resident's own call for help: never switched off
    press = AlarmButton(event_id="p1", resident_id=RID, time=datetime.fromtimestamp(start + 4000, OSLO), device_id="tt")
    assert [a.type for a in engine.on_event(off, press, start + 4000)[0]] == [AlertType.SAFETY_ALARM]
    # home follow-up still runs
    fever = Measurement(event_id="f1", resident_id=RID, time=datetime.fromtimestamp(start + 4100, OSLO),
                        code="temperature", value=39.4, unit="Cel")
    engine.on_event(off, fever, start + 4100)
    # judged when its measuring occasion closes, 30 min on
    assert AlertType.FEVER in {a.type for a in engine.advance(off, start + 4100 + 1800)}


def test_withdrawal_stops_the_detectors_and_closes_open_alerts_with_a_notice() -> None:
    engine = Engine()
    start = at(2026, 11, 4, 13, 0)
    st = engine.new_state(RID)
    engine.on_care(st, _care({CareService.DIGITAL_SUPERVISION: "consent"}))
    (stay,) = [a for a in _bathroom_stay(engine, st, start) if a.notification == "initial"]
    engine.on_event(st, _motion(3, start + 3700, "bathroom"), start + 3700)
    engine.on_care(st, _care({CareService.HOME_FOLLOW_UP: "consent"}, updated=2))
    bathroom = next(d for d in engine.detectors if d.name == "long_bathroom_stay")
    assert st.detectors[bathroom.name] == bathroom.initial(), "episode closed, state forgotten"
    notices = engine.advance(st, start + 3800)
    assert [(a.notification, a.status, a.status_by, a.escalation_of) for a in notices] == [
        ("status", "resolved", CLOSED_BY_CONSENT, stay.alert_id)] * len(notices)
    assert {a.recipient.team_id for a in notices} >= {"rsp-buskerud"}
    assert notices[0].evidence[0].en == "Closed: the legal basis for digital supervision was withdrawn."
    assert st.book.open == []
    assert engine.advance(st, start + 3 * 3600) == [], "nothing runs, nothing escalates"


def test_legal_basis_not_recorded_keeps_every_service_running() -> None:
    care = _care(None)
    assert care.permits(CareService.DIGITAL_SUPERVISION) and care.permits(CareService.HOME_FOLLOW_UP)
    assert not care.permits(CareService.NEXT_OF_KIN_NOTICES)
    engine = Engine()
    st = engine.new_state(RID)
    engine.on_care(st, care)
    start = at(2026, 11, 4, 13, 0)
    assert any(a.type is AlertType.LONG_BATHROOM_STAY for a in _bathroom_stay(engine, st, start))
