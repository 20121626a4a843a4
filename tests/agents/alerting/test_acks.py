"""Only a team the alert went to can acknowledge it, by its exact id, at a plausible time."""

from __future__ import annotations

import pytest

from agents.alerting.desk import AlertDesk
from schemas.alerts import AlertType, Severity
from tests.agents.alerting.helpers import ack, at, cand, drammen, run, send, view

NIGHT = at(2026, 11, 3, 2, 10)


@pytest.fixture(scope="module")
def desk() -> AlertDesk:
    return AlertDesk.from_repo()


def _fall(desk: AlertDesk):  # type: ignore[no-untyped-def]
    v = view(drammen())
    book = desk.initial()
    (first,) = send(desk, book, v, cand(AlertType.FALL_DETECTED, Severity.HIGH, NIGHT))
    return v, book, first


@pytest.mark.parametrize(
    ("suffix", "by", "dt", "reason"),
    [
        ("-anything-goes", "rsp-buskerud", 60, "names no open alert"),
        ("-n1", "rsp-buskerud", 60, "names no open alert"),       # no notification sent yet
        ("-n01", "rsp-buskerud", 60, "names no open alert"),
        ("x", "rsp-buskerud", 60, "names no open alert"),
        ("", "hjt-3301-natt", 60, "not a team this alert went to (it went to rsp-buskerud)"),  # not yet escalated
        ("", "rsp-oslo", 60, "not a team this alert went to"),
        ("", "rsp-buskerud", -60, "60 s before the alert"),
        ("", "rsp-buskerud", 2 * 3600, "ahead of the resident's event time (allowed 600 s)"),
    ],
)
def test_refused_acknowledgement_says_why_and_changes_nothing(
    desk: AlertDesk, suffix: str, by: str, dt: float, reason: str
) -> None:
    v, book, first = _fall(desk)
    before = desk.due(book)
    _, notices, outcome = desk.on_ack(book, v, ack(first.alert_id + suffix, by, NIGHT + dt), NIGHT + 60)
    assert not outcome.matched and notices == []
    assert outcome.refused is not None and reason in outcome.refused, outcome.refused
    assert desk.due(book) == before and book.open[0].ack_by is None
    assert "anything" not in outcome.refused, "the reason does not echo the payload"


def test_a_team_told_by_a_step_may_acknowledge_by_the_notification_id(desk: AlertDesk) -> None:
    v, book, first = _fall(desk)
    (esc,) = run(desk, book, v, NIGHT, 5)
    assert esc.alert_id == first.alert_id + "-n1"
    _, _, outcome = desk.on_ack(book, v, ack(esc.alert_id, "hjt-3301-natt", NIGHT + 360), NIGHT + 360)
    assert outcome.matched and outcome.refused is None
    assert book.open[0].ack_by == "hjt-3301-natt"


def test_ack_time_is_judged_against_the_clock_not_itself(desk: AlertDesk) -> None:
    v, book, first = _fall(desk)
    # ten minutes ahead of the resident's time is tolerated (a care system's clock), more is not
    ok = desk.on_ack(book, v, ack(first.alert_id, "rsp-buskerud", NIGHT + 600), NIGHT)[2]
    assert ok.matched


def test_a_second_acknowledgement_changes_nothing_and_tells_nobody(desk: AlertDesk) -> None:
    v, book, first = _fall(desk)
    desk.on_ack(book, v, ack(first.alert_id, "rsp-buskerud", NIGHT + 60), NIGHT + 60)
    _, notices, outcome = desk.on_ack(book, v, ack(first.alert_id, "rsp-buskerud", NIGHT + 90), NIGHT + 90)
    assert outcome.matched and outcome.latency_s is None and notices == []


def test_a_closed_alert_cannot_be_acknowledged_again(desk: AlertDesk) -> None:
    v, book, first = _fall(desk)
    desk.on_ack(book, v, ack(first.alert_id, "rsp-buskerud", NIGHT + 60, "resolved"), NIGHT + 60)
    outcome = desk.on_ack(book, v, ack(first.alert_id, "rsp-buskerud", NIGHT + 90), NIGHT + 90)[2]
    assert outcome.refused is not None and "closed, expired or never sent" in outcome.refused
