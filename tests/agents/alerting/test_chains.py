"""Escalation chains, reminders at the chain's pace, handover at a change of shift, status notices."""

from __future__ import annotations

import math

import pytest

from agents.alerting.desk import AlertDesk
from schemas.alerts import AlertType, Severity
from tests.agents.alerting.helpers import ack, at, cand, drammen, run, send, view, who

FALL, ALARM = AlertType.FALL_DETECTED, AlertType.SAFETY_ALARM
H, M = Severity.HIGH, Severity.MEDIUM
NIGHT = at(2026, 11, 3, 2, 10)  # Tuesday 02:10


@pytest.fixture(scope="module")
def desk() -> AlertDesk:
    return AlertDesk.from_repo()


def test_night_fall_climbs_the_safety_chain_then_reminds_every_five_minutes(desk: AlertDesk) -> None:
    v = view(drammen())
    book = desk.initial()
    (first,) = send(desk, book, v, cand(FALL, H, NIGHT))
    assert who([first]) == [("initial", "response-centre", "rsp-buskerud", 1)]
    later = run(desk, book, v, NIGHT, 25)
    assert who(later)[:2] == [
        ("escalation", "homecare", "hjt-3301-natt", 2),       # 02:15 the night patrol
        ("escalation", "out-of-hours", "legevakt-drammen", 3),  # 02:20 legevakt
    ]
    assert [round((a.time.timestamp() - NIGHT) / 60) for a in later[:2]] == [5, 10]
    assert later[0].evidence[0].en.startswith("Step 2 of 3: not acknowledged after 5 min. Now told: "
                                              "the home-care team on duty (hjt-3301-natt)")
    assert later[1].evidence[0].nb.startswith("Trinn 3 av 3: ikke kvittert etter 10 min. Nå varslet: legevakten")
    reminders = later[2:]
    # 02:25 and 02:30 (run ends at 02:35 inclusive): every team that has it, at the chain's pace
    assert {a.notification for a in reminders} == {"reminder"}
    times = sorted({round((a.time.timestamp() - NIGHT) / 60) for a in reminders})
    assert times == [15, 20, 25]
    assert {a.recipient.team_id for a in reminders} == {"rsp-buskerud", "hjt-3301-natt", "legevakt-drammen"}
    assert all(a.escalation_of == first.alert_id for a in later)
    assert len({a.alert_id for a in later}) == 2 + 3, "each notification has its own id"


def test_reminders_stop_after_the_chains_maximum(desk: AlertDesk) -> None:
    v = view(drammen())
    book = desk.initial()
    send(desk, book, v, cand(FALL, H, NIGHT))
    later = run(desk, book, v, NIGHT, 24 * 60, step_s=300)
    reminder_times = sorted({a.time for a in later if a.notification == "reminder"})
    assert len(reminder_times) == desk.rules.chains["safety"].max_reminders == 12
    assert book.open[0].next_at == math.inf
    # it stays open on every list, and is still handed over at each change of shift
    assert {a.notification for a in later} == {"escalation", "reminder", "handover"}


def test_a_step_never_goes_to_the_team_that_already_has_the_alert(desk: AlertDesk) -> None:
    # a municipality where the home-care team answers the alarms itself, by day
    v = view(drammen(response_centre="hjt-3301-2"))
    book = desk.initial()
    day = at(2026, 11, 3, 10, 0)
    send(desk, book, v, cand(ALARM, H, day))
    later = run(desk, book, v, day, 6)
    # step 2 (home care on duty = the same team) is skipped: legevakt is told at the 5-minute mark
    assert who(later) == [("escalation", "out-of-hours", "legevakt-drammen", 3)]
    assert round((later[0].time.timestamp() - day) / 60) == 5


def test_acknowledgement_at_any_step_stops_the_chain_and_everyone_is_told(desk: AlertDesk) -> None:
    v = view(drammen())
    book = desk.initial()
    (first,) = send(desk, book, v, cand(FALL, H, NIGHT))
    (esc,) = run(desk, book, v, NIGHT, 6)
    _, notices, outcome = desk.on_ack(book, v, ack(esc.alert_id, "hjt-3301-natt", NIGHT + 420), NIGHT + 420)
    assert outcome.matched and outcome.refused is None and outcome.latency_s == 420
    assert who(notices) == [("status", "response-centre", "rsp-buskerud", 2), ("status", "homecare", "hjt-3301-natt", 2)]
    n = notices[0]
    assert (n.status, n.status_by, n.escalation_of) == ("acknowledged", "hjt-3301-natt", first.alert_id)
    assert n.status_at is not None and n.status_at.timestamp() == NIGHT + 420
    assert n.evidence[0].en == "Acknowledged by hjt-3301-natt at 02:17."
    assert run(desk, book, v, NIGHT + 420, 120) == [], "no further step or reminder"
    _, closed, _ = desk.on_ack(book, v, ack(first.alert_id, "rsp-buskerud", NIGHT + 1800, "resolved"), NIGHT + 1800)
    assert {(a.status, a.status_by) for a in closed} == {("resolved", "rsp-buskerud")}
    assert book.open == []


def test_false_alarm_is_told_as_such(desk: AlertDesk) -> None:
    v = view(drammen())
    book = desk.initial()
    (first,) = send(desk, book, v, cand(ALARM, H, NIGHT))
    _, notices, _ = desk.on_ack(book, v, ack(first.alert_id, "rsp-buskerud", NIGHT + 60, "false_alarm", "pressed by mistake"),
                                NIGHT + 60)
    assert [(a.notification, a.status) for a in notices] == [("status", "false_alarm")]
    assert "mistake" not in notices[0].evidence[0].en, "free-text reasons are not forwarded"


def test_red_news2_on_a_saturday_afternoon_takes_the_acute_route(desk: AlertDesk) -> None:
    v = view(drammen(specialist_unit="lunge-vvhf", gp="legekontor-bragernes"))
    book = desk.initial()
    saturday = at(2026, 11, 7, 14, 0)
    alerts = send(desk, book, v, cand(AlertType.NEWS2, H, saturday))
    assert who(alerts) == [("initial", "out-of-hours", "legevakt-drammen", 1), ("initial", "specialist", "lunge-vvhf", 1)]
    later = run(desk, book, v, saturday, 31)
    assert who(later)[0] == ("escalation", "homecare", "hjt-3301-2", 2)  # Saturday day shift: the own team
    assert round((later[0].time.timestamp() - saturday) / 60) == 15


def test_red_news2_in_office_hours_goes_to_the_gp(desk: AlertDesk) -> None:
    monday = at(2026, 11, 2, 10, 0)
    alerts = send(desk, desk.initial(), view(drammen(gp="legekontor-bragernes")), cand(AlertType.PULSE, H, monday))
    assert who(alerts) == [("initial", "gp", "legekontor-bragernes", 1), ("initial", "homecare", "hjt-3301-2", 1)]
    without_gp = send(desk, desk.initial(), view(drammen()), cand(AlertType.PULSE, H, monday))
    assert who(without_gp)[0] == ("initial", "out-of-hours", "legevakt-drammen", 1)


def test_evening_alert_goes_to_the_evening_team_and_is_handed_over_to_the_night(desk: AlertDesk) -> None:
    v = view(drammen())
    book = desk.initial()
    evening = at(2026, 11, 3, 21, 0)
    (a,) = send(desk, book, v, cand(AlertType.NOCTURIA_INCREASE, M, evening))
    assert who([a]) == [("initial", "homecare", "hjt-3301-kveld", 1)]
    later = run(desk, book, v, evening, 11 * 60, step_s=300)
    handovers = [x for x in later if x.notification == "handover"]
    assert who(handovers) == [("handover", "homecare", "hjt-3301-natt", 1), ("handover", "homecare", "hjt-3301-2", 1)]
    assert [x.time.timestamp() for x in handovers] == [at(2026, 11, 3, 22, 0), at(2026, 11, 4, 7, 30)]
    assert handovers[0].evidence[0].en == "Change of shift at 22:00: open alert handed over to hjt-3301-natt."
    # reminders go to everyone who has it, the incoming team included
    assert {x.recipient.team_id for x in later if x.notification == "reminder" and x.time >= handovers[0].time} >= {
        "hjt-3301-natt"}


def test_handover_of_an_acknowledged_alert_says_so(desk: AlertDesk) -> None:
    v = view(drammen())
    book = desk.initial()
    evening = at(2026, 11, 3, 21, 0)
    (a,) = send(desk, book, v, cand(AlertType.DAYTIME_INACTIVITY, M, evening))
    desk.on_ack(book, v, ack(a.alert_id, "hjt-3301-kveld", evening + 600), evening + 600)
    (h,) = run(desk, book, v, evening, 61, step_s=300)
    assert (h.notification, h.status, h.status_by) == ("handover", "acknowledged", "hjt-3301-kveld")
    assert h.evidence[0].en.endswith("Acknowledged by hjt-3301-kveld at 21:10, not resolved.")


def test_low_alerts_and_municipalities_without_shift_teams_are_not_handed_over(desk: AlertDesk) -> None:
    evening = at(2026, 11, 3, 21, 0)
    book = desk.initial()
    send(desk, book, view(drammen()), cand(AlertType.SOCIAL_ISOLATION, Severity.LOW, evening))
    assert desk.due(book) == math.inf
    elsewhere = view(drammen(municipality="1806", home_care_team="hjt-narvik"))
    book = desk.initial()
    send(desk, book, elsewhere, cand(AlertType.NOCTURIA_INCREASE, M, evening))
    assert all(a.notification == "reminder" for a in run(desk, book, elsewhere, evening, 12 * 60, step_s=600))


def test_repeat_press_goes_to_everyone_who_has_it_and_keeps_the_clock(desk: AlertDesk) -> None:
    v = view(drammen())
    book = desk.initial()
    (first,) = send(desk, book, v, cand(ALARM, H, NIGHT))
    run(desk, book, v, NIGHT, 6)  # the night patrol has it now
    due = desk.due(book)
    again = send(desk, book, v, cand(ALARM, H, NIGHT + 420))
    assert who(again) == [("repeat", "response-centre", "rsp-buskerud", 2), ("repeat", "homecare", "hjt-3301-natt", 2)]
    assert {a.escalation_of for a in again} == {first.alert_id}
    assert again[0].evidence[0].en.startswith("Pressed again at 02:17.")
    assert again[0].details["repeats"] == 1
    assert desk.due(book) == due, "the escalation clock does not reset"
    # the repeat notice is a notification the teams may acknowledge by its own id
    _, _, outcome = desk.on_ack(book, v, ack(again[0].alert_id, "rsp-buskerud", NIGHT + 480), NIGHT + 480)
    assert outcome.matched
