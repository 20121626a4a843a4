"""Evaluation arithmetic on a small hand-made case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from schemas.alerts import (
    Alert,
    AlertType,
    Category,
    Evidence,
    Recipient,
    RecipientKind,
    Severity,
    VkpService,
)
from sim.evaluate import DAY, Episode, evaluate, markdown

START = datetime(2026, 11, 2, tzinfo=UTC)


def alert(rid: str, type_: AlertType, at: timedelta, sev: Severity = Severity.MEDIUM,
          category: Category = Category.DETERIORATION, notification: str = "initial") -> Alert:
    t = START + at
    return Alert(
        alert_id=f"{type_.value.replace('_', '-')}-{rid}-{int(at.total_seconds())}",
        resident_id=rid, type=type_, category=category, severity=sev,
        notification=notification,  # type: ignore[arg-type]
        escalation_of="x-original-1" if notification != "initial" else None,
        recipient=Recipient(kind=RecipientKind.HOMECARE, team_id="hc-1"), vkp_service=VkpService.DT,
        episode_start=t, time=t, evidence=(Evidence(nb="x", en="x"),),
    )


def ep(rid: str, type_: str, at: timedelta, length: timedelta = timedelta(hours=1)) -> Episode:
    s = (START + at).timestamp()
    return Episode(rid, type_, s, s + length.total_seconds())


def test_recall_precision_delay_and_burden() -> None:
    h = timedelta(hours=1)
    episodes = [
        ep("r-1", "long_bathroom_stay", 2 * 24 * h),
        ep("r-2", "long_bathroom_stay", 3 * 24 * h),   # missed
        ep("r-3", "nocturia_increase", 5 * 24 * h, 3 * 24 * h),
    ]
    alerts = [
        # found by the long stay 47 min after the fall, and the fall detector 1 min after: delay 1 min
        alert("r-1", AlertType.LONG_BATHROOM_STAY, 2 * 24 * h + timedelta(minutes=47), Severity.HIGH, Category.SAFETY),
        alert("r-1", AlertType.FALL_DETECTED, 2 * 24 * h + timedelta(minutes=1), Severity.HIGH, Category.SAFETY),
        # escalations are not counted as alerts
        alert("r-1", AlertType.LONG_BATHROOM_STAY, 2 * 24 * h + timedelta(minutes=52), Severity.HIGH,
              Category.SAFETY, notification="escalation"),
        # nocturia found two nights in
        alert("r-3", AlertType.NOCTURIA_INCREASE, 7 * 24 * h),
        # a false long-stay alert for r-4 (no episode): precision drops, burden unaffected (urgent)
        alert("r-4", AlertType.LONG_BATHROOM_STAY, 9 * 24 * h, Severity.HIGH, Category.SAFETY),
        # two non-urgent alerts on episode-free days: the burden
        alert("r-4", AlertType.SLEEP_DISTURBANCE, 10 * 24 * h, Severity.LOW),
        alert("r-5", AlertType.ACTIVITY_DECLINE, 11 * 24 * h),
        # technical alerts are not a burden on care staff
        alert("r-5", AlertType.LOW_BATTERY, 12 * 24 * h, Severity.LOW, Category.TECHNICAL),
    ]
    ev = evaluate(alerts, episodes, residents=5, start=START.timestamp(), end=START.timestamp() + 14 * DAY)
    fall = ev.patterns["long_bathroom_stay"]
    assert (fall.episodes, fall.detected, fall.recall) == (2, 1, 0.5)
    assert fall.delays_s == [60.0]
    assert (fall.alerts, fall.true_alerts) == (2, 1)
    assert ev.patterns["fall_detected"].precision == 1.0
    noct = ev.patterns["nocturia_increase"]
    assert noct.recall == 1.0 and noct.delays_s == [2 * DAY]
    assert ev.patterns["sleep_disturbance"].precision == 0.0
    assert ev.burden_alerts == 2
    # 5 residents x 14 days minus the days around the three episodes' windows
    assert 0 < ev.burden_resident_days < 70
    assert abs(ev.burden_per_resident_week - 2 / (ev.burden_resident_days / 7)) < 1e-9
    text = markdown(ev)
    assert "| long_bathroom_stay | 2 | 1 | 50.0 % | 1 | 2 | 1 | 50.0 % | 1.0 min |" in text
    assert fall.own == 1  # the long stay itself found it, not only the fall detector


def test_clinical_notices_and_weekly_reviews_are_counted_apart() -> None:
    h = timedelta(hours=1)
    alerts = [
        alert("r-1", AlertType.BLOOD_PRESSURE, 2 * 24 * h),
        alert("r-1", AlertType.PULSE, 3 * 24 * h, Severity.HIGH),
        alert("r-2", AlertType.REVIEW_DIGEST, 7 * 24 * h, Severity.LOW),
        alert("r-2", AlertType.SLEEP_DISTURBANCE, 8 * 24 * h, Severity.LOW),
    ]
    ev = evaluate(alerts, [], residents=2, start=START.timestamp(), end=START.timestamp() + 14 * DAY)
    assert ev.clinical_notices == 2 and ev.summaries == 1
    assert "review_digest" not in ev.patterns  # a summary has no truth of its own
    assert abs(ev.clinical_per_resident_week - 2 / 4) < 1e-9 and abs(ev.summaries_per_resident_week - 0.25) < 1e-9
    assert "Clinical notices on those days: **0.50 per resident-week** (2)" in markdown(ev)


def test_alert_outside_the_window_or_for_another_resident_does_not_count() -> None:
    e = ep("r-1", "long_bathroom_stay", timedelta(days=1))
    too_late = alert("r-1", AlertType.LONG_BATHROOM_STAY, timedelta(days=3), Severity.HIGH, Category.SAFETY)
    other = alert("r-2", AlertType.LONG_BATHROOM_STAY, timedelta(days=1, minutes=50), Severity.HIGH, Category.SAFETY)
    ev = evaluate([too_late, other], [e], residents=2, start=START.timestamp(), end=START.timestamp() + 7 * DAY)
    assert ev.patterns["long_bathroom_stay"].detected == 0
    assert ev.patterns["long_bathroom_stay"].precision == 0.0
