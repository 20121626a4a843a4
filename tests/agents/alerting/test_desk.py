"""Routing, de-duplication, cool-down, grouping, escalation and acknowledgement of alerts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agents.alerting.desk import AlertBook, AlertDesk
from agents.alerting.rules import ROUTING_FILE, RoutingRules
from agents.statecodec import decode, encode
from agents.types import AlertCandidate, ResidentView
from schemas.alerts import Acknowledgement, Alert, AlertType, Recipient, RecipientKind, Severity
from schemas.care import CareContext, Programme

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC).timestamp()
RID = "r-000042"


def care(**kw: object) -> CareContext:
    base: dict[str, object] = dict(
        resident_id=RID, municipality="0301", home_care_team="hc-grunerlokka",
        response_centre="rs-oslo", updated_at=datetime(2026, 11, 1, tzinfo=UTC),
    )
    base.update(kw)
    return CareContext.model_validate(base)


def view(c: CareContext | None = None) -> ResidentView:
    return ResidentView.of(RID, c)


def cand(type_: AlertType, sev: Severity, t: float = T0, start: float | None = None, **kw: object) -> AlertCandidate:
    return AlertCandidate(
        type=type_, severity=sev, time=t, episode_start=t if start is None else start,
        evidence_nb=f"{type_.value} nb", evidence_en=f"{type_.value} en", **kw,  # type: ignore[arg-type]
    )


def ack(alert_id: str, action: str, t: float, reason: str | None = None) -> Acknowledgement:
    return Acknowledgement(
        alert_id=alert_id, resident_id=RID, action=action,  # type: ignore[arg-type]
        by="rs-oslo", time=datetime.fromtimestamp(t, UTC), reason=reason,
    )


@pytest.fixture(scope="module")
def desk() -> AlertDesk:
    return AlertDesk.from_repo()


def send(desk: AlertDesk, book: object, v: ResidentView, *cands: AlertCandidate) -> list[Alert]:
    _, alerts = desk.on_candidates(book, v, list(cands), max(c.time for c in cands))  # type: ignore[arg-type]
    return alerts


# -- routing ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("type_", "sev", "programmes", "specialist", "expected"),
    [
        (AlertType.FALL_DETECTED, Severity.HIGH, (), None, {("response-centre", "rs-oslo")}),
        (AlertType.SAFETY_ALARM, Severity.HIGH, (), None, {("response-centre", "rs-oslo")}),
        (AlertType.NOCTURIA_INCREASE, Severity.MEDIUM, (), None, {("homecare", "hc-grunerlokka")}),
        (AlertType.SOCIAL_ISOLATION, Severity.LOW, (), None, {("homecare", "hc-grunerlokka")}),
        (AlertType.DEVICE_SILENT, Severity.LOW, (), None, {("technical", "device-support")}),
        (AlertType.DATA_QUALITY, Severity.LOW, (), "hf-ahus", {("technical", "device-support")}),
        # heart failure followed by a hospital: to its follow-up unit ...
        (AlertType.WEIGHT_GAIN, Severity.MEDIUM, (Programme.HEART_FAILURE,), "hf-ahus", {("specialist", "hf-ahus")}),
        # ... and to the home-care team when no specialist unit follows the resident
        (AlertType.WEIGHT_GAIN, Severity.MEDIUM, (Programme.HEART_FAILURE,), None, {("homecare", "hc-grunerlokka")}),
        # fever outside a specialist programme stays with home care
        (AlertType.FEVER, Severity.MEDIUM, (Programme.COPD,), "lunge-ous", {("homecare", "hc-grunerlokka")}),
        # red NEWS2 on a Monday morning without a GP recorded: the acute route is legevakt
        (
            AlertType.NEWS2, Severity.HIGH, (Programme.COPD,), "lunge-ous",
            {("out-of-hours", "legevakt-oslo"), ("specialist", "lunge-ous")},
        ),
        # operational findings: missed medication goes to the home-care team
        (AlertType.MISSED_MEDICATION, Severity.MEDIUM, (), None, {("homecare", "hc-grunerlokka")}),
        (AlertType.MISSED_MEASUREMENT, Severity.LOW, (Programme.COPD,), "lunge-ous", {("specialist", "lunge-ous")}),
    ],
)
def test_routing_table(
    desk: AlertDesk, type_: AlertType, sev: Severity, programmes: tuple[Programme, ...],
    specialist: str | None, expected: set[tuple[str, str]],
) -> None:
    v = view(care(programmes=programmes, specialist_unit=specialist))
    alerts = send(desk, desk.initial(), v, cand(type_, sev))
    assert {(a.recipient.kind.value, a.recipient.team_id) for a in alerts} == expected
    assert len({a.alert_id for a in alerts}) == 1, "one episode keeps one id across recipients"


def test_detector_hint_names_the_specialist(desk: AlertDesk) -> None:
    v = view(care(specialist_unit="hf-ahus"))
    alerts = send(desk, desk.initial(), v, cand(AlertType.PULSE, Severity.MEDIUM, recipient_hint=RecipientKind.SPECIALIST))
    assert [a.recipient.kind for a in alerts] == [RecipientKind.SPECIALIST]


def test_resident_without_care_context_goes_to_the_fallback_intake(desk: AlertDesk) -> None:
    alerts = send(desk, desk.initial(), view(None), cand(AlertType.FALL_DETECTED, Severity.HIGH))
    assert len(alerts) == 1
    assert alerts[0].recipient.kind is RecipientKind.RESPONSE_CENTRE
    assert alerts[0].recipient.team_id == desk.rules.fallback.intake.response_centre == "rsp-region-mottak"
    assert alerts[0].municipality is None


def test_resident_whose_care_context_ended_goes_to_their_municipalitys_intake(desk: AlertDesk) -> None:
    book = desk.initial()
    send(desk, book, view(care()), cand(AlertType.NOCTURIA_INCREASE, Severity.MEDIUM))
    (press,) = send(desk, book, view(None), cand(AlertType.SAFETY_ALARM, Severity.HIGH, T0 + 60))
    assert press.recipient.team_id == "rsp-oslo"  # the intake of 0301, remembered from the last context
    (decline,) = send(desk, book, view(None), cand(AlertType.ACTIVITY_DECLINE, Severity.MEDIUM, T0 + 120))
    assert decline.recipient.team_id == "hjt-0301-mottak"


def test_no_team_is_a_placeholder() -> None:
    text = ROUTING_FILE.read_text()
    assert "unassigned" not in text


def test_alert_carries_evidence_and_catalogue_facts(desk: AlertDesk) -> None:
    (a,) = send(desk, desk.initial(), view(care()), cand(AlertType.WEIGHT_GAIN, Severity.MEDIUM, details={"gain_kg": 2.4}))
    assert a.evidence[0].nb == "weight_gain nb" and a.evidence[0].en == "weight_gain en"
    assert a.vkp_service.value == "DHO" and a.dho_category is not None
    assert a.details == {"gain_kg": 2.4}
    assert a.municipality == "0301"


# -- ids, de-duplication, cool-down, grouping --------------------------------------------

def test_same_episode_gives_same_id_and_is_sent_once(desk: AlertDesk) -> None:
    v = view(care())
    book = desk.initial()
    first = send(desk, book, v, cand(AlertType.NO_MORNING_ACTIVITY, Severity.HIGH, T0, start=T0 - 3600))
    again = send(desk, book, v, cand(AlertType.NO_MORNING_ACTIVITY, Severity.HIGH, T0 + 60, start=T0 - 3600))
    assert len(first) == 1 and again == []
    # a fresh desk and book (replay, restart) derive the identical id
    replayed = send(desk, desk.initial(), v, cand(AlertType.NO_MORNING_ACTIVITY, Severity.HIGH, T0, start=T0 - 3600))
    assert replayed[0].alert_id == first[0].alert_id


def test_cool_down_counts_a_new_episode_into_the_earlier_alert(desk: AlertDesk) -> None:
    v = view(care())
    book = desk.initial()
    assert len(send(desk, book, v, cand(AlertType.MISSED_MEDICATION, Severity.MEDIUM, T0))) == 1
    # 30 min later: inside the 120 min cool-down of routing.yaml
    assert send(desk, book, v, cand(AlertType.MISSED_MEDICATION, Severity.MEDIUM, T0 + 1800)) == []
    assert book.open[0].repeats == 1
    # after the cool-down a new episode is a new alert
    later = send(desk, book, v, cand(AlertType.MISSED_MEDICATION, Severity.MEDIUM, T0 + 3 * 3600))
    assert len(later) == 1


def test_related_candidates_found_together_become_one_alert(desk: AlertDesk) -> None:
    v = view(care())
    alerts = send(
        desk, desk.initial(), v,
        cand(AlertType.LONG_BATHROOM_STAY, Severity.HIGH, T0), cand(AlertType.FALL_DETECTED, Severity.HIGH, T0 + 1),
    )
    assert len(alerts) == 1
    a = alerts[0]
    assert a.type is AlertType.LONG_BATHROOM_STAY
    assert a.grouped == (AlertType.FALL_DETECTED,)
    assert [e.en for e in a.evidence] == ["long_bathroom_stay en", "fall_detected en"]


def test_related_findings_arriving_separately_are_separate_alerts(desk: AlertDesk) -> None:
    v = view(care())
    book = desk.initial()
    assert len(send(desk, book, v, cand(AlertType.FEVER, Severity.MEDIUM, T0))) == 1
    assert [a.type for a in send(desk, book, v, cand(AlertType.PULSE, Severity.MEDIUM, T0 + 600))] == [AlertType.PULSE]
    worse = send(desk, book, v, cand(AlertType.NEWS2, Severity.HIGH, T0 + 900))
    assert {a.type for a in worse} == {AlertType.NEWS2}
    # the acute route (no GP recorded: legevakt) and, without a specialist unit, the home-care team
    assert {a.recipient.kind for a in worse} == {RecipientKind.OUT_OF_HOURS, RecipientKind.HOMECARE}


# -- lifecycle --------------------------------------------------------------------------

def test_unacknowledged_high_alert_escalates_after_five_minutes(desk: AlertDesk) -> None:
    v = view(care())
    book = desk.initial()
    (a,) = send(desk, book, v, cand(AlertType.LONG_BATHROOM_STAY, Severity.HIGH, T0))
    assert desk.due(book) == T0 + 300
    assert desk.tick(book, v, T0 + 299)[1] == []
    _, esc = desk.tick(book, v, T0 + 300)
    assert len(esc) == 1
    e = esc[0]
    assert e.notification == "escalation" and e.escalation_of == a.alert_id
    assert e.recipient == Recipient(kind=RecipientKind.HOMECARE, team_id="hc-grunerlokka")  # day shift: own team
    assert e.alert_id == a.alert_id + "-n1" and e.step == 2
    assert e.evidence[0].en.startswith("Step 2 of 3: not acknowledged after 5 min")
    assert e.evidence[1].en == a.evidence[0].en
    assert desk.tick(book, v, T0 + 301)[1] == [], "escalates once"


def test_acknowledgement_stops_escalation(desk: AlertDesk) -> None:
    v = view(care())
    book = desk.initial()
    (a,) = send(desk, book, v, cand(AlertType.FALL_DETECTED, Severity.HIGH, T0))
    _, _, outcome = desk.on_ack(book, v, ack(a.alert_id, "acknowledged", T0 + 120), T0 + 120)
    assert outcome.matched and outcome.latency_s == 120 and outcome.severity == "high"
    assert desk.due(book) == float("inf")
    assert desk.tick(book, v, T0 + 3600)[1] == []
    assert desk.open_counts(book) == {"high": 1}
    _, _, resolved = desk.on_ack(book, v, ack(a.alert_id, "resolved", T0 + 900), T0 + 900)
    assert resolved.matched and resolved.latency_s is None, "latency counts from the first response"
    assert desk.open_counts(book) == {}


def test_ack_of_the_escalation_closes_the_original(desk: AlertDesk) -> None:
    v = view(care())
    book = desk.initial()
    send(desk, book, v, cand(AlertType.SAFETY_ALARM, Severity.HIGH, T0))
    _, (esc,) = desk.tick(book, v, T0 + 300)
    _, _, outcome = desk.on_ack(book, v, ack(esc.alert_id, "false_alarm", T0 + 400, "pressed by mistake"), T0 + 400)
    assert outcome.matched
    assert book.open == []


def test_medium_alert_is_reminded_hourly_at_most_three_times(desk: AlertDesk) -> None:
    v = view(care())
    book = desk.initial()
    (a,) = send(desk, book, v, cand(AlertType.NOCTURIA_INCREASE, Severity.MEDIUM, T0))
    reminders = []
    t = T0
    while t < T0 + 10 * 3600:
        t += 60
        reminders += desk.tick(book, v, t)[1]
    assert [r.notification for r in reminders] == ["reminder"] * 3
    assert [round((r.time.timestamp() - T0) / 60) for r in reminders] == [60, 120, 180]
    assert all(r.recipient.kind is RecipientKind.HOMECARE and r.escalation_of == a.alert_id for r in reminders)
    assert len({r.alert_id for r in reminders}) == 3


def test_low_alert_neither_escalates_nor_reminds(desk: AlertDesk) -> None:
    v = view(care())
    book = desk.initial()
    send(desk, book, v, cand(AlertType.SOCIAL_ISOLATION, Severity.LOW, T0))
    assert desk.due(book) == float("inf")


def test_unknown_ack_is_reported_unmatched(desk: AlertDesk) -> None:
    _, _, outcome = desk.on_ack(desk.initial(), view(care()), ack("fall-detected-0000000000", "acknowledged", T0), T0)
    assert not outcome.matched


def test_book_survives_dump_and_load_mid_escalation(desk: AlertDesk) -> None:
    v = view(care())
    book = desk.initial()
    send(desk, book, v, cand(AlertType.LONG_BATHROOM_STAY, Severity.HIGH, T0))
    restored = decode(encode(desk.dump(book)), AlertBook)
    assert restored == book
    _, esc = desk.tick(restored, v, T0 + 300)
    assert [e.notification for e in esc] == ["escalation"]


# -- the routing file ------------------------------------------------------------------------

def test_shipped_routing_file_validates() -> None:
    rules = RoutingRules.load(ROUTING_FILE)
    assert [s.after_min for s in rules.chains["safety"].steps] == [5, 5]
    assert rules.lifecycle.remind_medium_after_min == 60


def test_a_more_severe_finding_is_not_cooled_down(desk: AlertDesk) -> None:
    v = view(care())
    book = desk.initial()
    assert len(send(desk, book, v, cand(AlertType.DAYTIME_INACTIVITY, Severity.MEDIUM, T0))) == 1
    assert send(desk, book, v, cand(AlertType.DAYTIME_INACTIVITY, Severity.MEDIUM, T0 + 600, episode_key="again")) == []
    stepped = send(desk, book, v, cand(AlertType.DAYTIME_INACTIVITY, Severity.HIGH, T0 + 7200, start=T0, episode_key="long"))
    assert [a.severity for a in stepped] == [Severity.HIGH]


def test_blind_supervision_reaches_the_home_care_team(desk: AlertDesk) -> None:
    """Supervision blind for long (by day) goes to home care too; a device alert never reaches the
    response centre (issue 12: 'supervision blind' alone is never urgent)."""
    blind = cand(AlertType.DEVICE_SILENT, Severity.MEDIUM, recipient_hint=RecipientKind.HOMECARE)
    alerts = send(desk, desk.initial(), view(care()), blind)
    assert {a.recipient.kind for a in alerts} == {RecipientKind.TECHNICAL, RecipientKind.HOMECARE}
    one = send(desk, desk.initial(), view(care()), cand(AlertType.DEVICE_SILENT, Severity.LOW))
    assert {a.recipient.kind for a in one} == {RecipientKind.TECHNICAL}


# -- issue 18: repeated presses are never silent; only the recipient acknowledges ----------

def test_issue18_press_after_acknowledgement_is_a_new_alert(desk: AlertDesk) -> None:
    v = view(care())
    book = desk.initial()
    (first,) = send(desk, book, v, cand(AlertType.SAFETY_ALARM, Severity.HIGH, T0))
    desk.on_ack(book, v, ack(first.alert_id, "acknowledged", T0 + 60), T0 + 60)
    again = send(desk, book, v, cand(AlertType.SAFETY_ALARM, Severity.HIGH, T0 + 180))
    assert [a.notification for a in again] == ["initial"]
    assert again[0].alert_id != first.alert_id


def test_issue18_press_while_open_renotifies_without_resetting_escalation(desk: AlertDesk) -> None:
    v = view(care())
    book = desk.initial()
    (first,) = send(desk, book, v, cand(AlertType.SAFETY_ALARM, Severity.HIGH, T0))
    due = desk.due(book)
    again = send(desk, book, v, cand(AlertType.SAFETY_ALARM, Severity.HIGH, T0 + 120))
    assert [a.notification for a in again] == ["repeat"]
    assert again[0].escalation_of == first.alert_id
    assert again[0].recipient == first.recipient
    assert "Pressed again at 09:02" in again[0].evidence[0].en
    assert desk.due(book) == due


def test_issue18_forged_acknowledgements_do_not_stop_escalation(desk: AlertDesk) -> None:
    v = view(care())
    book = desk.initial()
    (a,) = send(desk, book, v, cand(AlertType.FALL_DETECTED, Severity.HIGH, T0))
    forged = [
        Acknowledgement(alert_id=a.alert_id, resident_id=RID, action="acknowledged", by="hc-elsewhere",
                        time=datetime.fromtimestamp(T0 + 60, UTC)),
        Acknowledgement(alert_id=a.alert_id + "-anything-goes", resident_id=RID, action="acknowledged",
                        by="rs-oslo", time=datetime.fromtimestamp(T0 + 60, UTC)),
        Acknowledgement(alert_id=a.alert_id, resident_id=RID, action="acknowledged", by="rs-oslo",
                        time=datetime(2099, 1, 1, tzinfo=UTC)),
        Acknowledgement(alert_id=a.alert_id, resident_id=RID, action="resolved", by="rs-oslo",
                        time=datetime.fromtimestamp(T0 - 60, UTC)),
    ]
    for f in forged:
        desk.on_ack(book, v, f, T0 + 60)
    _, esc = desk.tick(book, v, T0 + 300)
    assert [e.notification for e in esc] == ["escalation"]


# -- issue 13 part 4: grouping never drops information ------------------------------------

@pytest.mark.parametrize("pulse_first", [True, False])
def test_issue13_cuff_pulse_and_blood_pressure_both_reach_the_team(desk: AlertDesk, pulse_first: bool) -> None:
    v = view(care())
    book = desk.initial()
    pulse = cand(AlertType.PULSE, Severity.MEDIUM, T0)
    bp = cand(AlertType.BLOOD_PRESSURE, Severity.MEDIUM, T0)
    out = []
    for c in ((pulse, bp) if pulse_first else (bp, pulse)):
        out += send(desk, book, v, c)
    assert sorted(a.type.value for a in out) == ["blood_pressure", "pulse"]


# -- the book's size (it is stored in every resident's state) ------------------------------

def test_book_stays_small(desk: AlertDesk) -> None:
    v = view(care())
    empty = len(encode(desk.dump(desk.initial())))
    book = desk.initial()
    long_nb, long_en = "ø" * 200, "e" * 200
    send(desk, book, v, AlertCandidate(AlertType.SOCIAL_ISOLATION, Severity.LOW, T0, T0, long_nb, long_en))
    one_low = len(encode(desk.dump(book)))
    send(desk, book, v, AlertCandidate(AlertType.NOCTURIA_INCREASE, Severity.MEDIUM, T0 + 9, T0 + 9, long_nb, long_en))
    typical = len(encode(desk.dump(book)))
    # the most a book can hold: every open slot taken by a high alert with two long evidence texts
    full = desk.initial()
    for i, type_ in enumerate([*AlertType, *AlertType]):
        send(desk, full, v, AlertCandidate(type_, Severity.HIGH, T0 + 60 * i, T0 + 60 * i, "ø" * 400, "e" * 400))
    worst = len(encode(desk.dump(full)))
    assert len(full.open) == 8 and len(full.sent) == 24
    assert empty < 80
    assert one_low < 400, "a low alert keeps no evidence"
    assert typical < 1300
    assert worst < 12_000
    assert decode(encode(desk.dump(full)), AlertBook) == full
