"""The indicator book and every formula, on hand-made streams."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agents.indicators.book import IndicatorBook, services_of
from agents.indicators.definitions import BY_NAME, merge, quantile, values
from agents.indicators.windows import windows_of
from schemas.alerts import AlertType, RecipientKind, Severity
from tests.agents.indicators.streams import T0, ack, alert, at, care


def _totals(book: IndicatorBook, window: str, label: str, muni: str = "0301", service: str = "ALL"):
    return merge(book.records())[(window, label, muni, service)]


def test_windows_follow_local_midnight_across_dst() -> None:
    # 2026-10-25: Oslo leaves summer time, the day lasts 25 h; 2026-03-29 lasts 23 h
    autumn = windows_of(datetime(2026, 10, 25, 12, tzinfo=UTC).timestamp(), "Europe/Oslo")[0]
    spring = windows_of(datetime(2026, 3, 29, 12, tzinfo=UTC).timestamp(), "Europe/Oslo")[0]
    assert (autumn.label, autumn.end - autumn.start) == ("2026-10-25", 25 * 3600)
    assert (spring.label, spring.end - spring.start) == ("2026-03-29", 23 * 3600)
    # 23:30 UTC on 31 Oct is already 1 November in Oslo (UTC+1): the November month window
    day, week, month = windows_of(datetime(2026, 10, 31, 23, 30, tzinfo=UTC).timestamp(), "Europe/Oslo")
    assert (day.label, week.label, month.label) == ("2026-11-01", "2026-W44", "2026-11")
    assert month.local(month.start).isoformat() == "2026-11-01T00:00:00+01:00"


def test_resident_days_count_days_ended_under_the_care_context_across_dst() -> None:
    book = IndicatorBook(0)
    start = datetime(2026, 10, 24, 10, tzinfo=UTC)
    book.care("r-1", care("r-1", when=start))
    book.advance(datetime(2026, 10, 27, 0, 30, tzinfo=UTC).timestamp())  # 01:30 local on the 27th
    t = _totals(book, "week", "2026-W43")  # Mon 19 - Sun 25 Oct: the 24th and the 25-hour 25th
    assert (t.resident_days, t.residents, t.device_days) == (2, 1, 4)
    assert _totals(book, "day", "2026-10-26").resident_days == 1
    assert ("day", "2026-10-27", "0301", "ALL") not in merge(book.records())  # not ended yet
    assert _totals(book, "week", "2026-W43", service="TA").resident_days == 2


def test_services_from_the_care_context() -> None:
    assert services_of(care("r-1", dho=True)) == ("TA", "DT", "DHO")
    assert services_of(care("r-2", devices=1, alarm=True)) == ("TA",)
    assert services_of(care("r-3", devices=0)) == ("TA", "DT")  # no registry: kit inferred


def test_alert_rates_by_type_category_severity_and_service() -> None:
    book = IndicatorBook(0)
    book.care("r-1", care("r-1"))
    book.care("r-2", care("r-2"))
    book.alert(alert("r-1", 1, at(hours=1)))
    # the same alert to a second recipient is the same alert
    book.alert(alert("r-1", 1, at(hours=1), kind=RecipientKind.NEXT_OF_KIN, team="nok-1"))
    book.alert(alert("r-2", 2, at(hours=2), AlertType.DEVICE_SILENT, Severity.LOW, RecipientKind.TECHNICAL, "tek"))
    book.advance(at(days=10).timestamp())
    nov = _totals(book, "week", "2026-W45")
    assert nov.alerts == 2 and nov.resident_days == 14
    v = values(nov)
    assert v["alerts_per_1000_days"] == pytest.approx(1000 * 2 / 14)
    assert nov.alerts_by_type == {"safety_alarm": 1, "device_silent": 1}
    assert nov.alerts_by_severity == {"high": 1, "low": 1}
    assert nov.alerts_by_category == {"safety": 1, "operational": 1}
    assert v["next_of_kin_notices"] == 1
    assert v["device_downtime_share"] == pytest.approx(1 / 28)  # 2 devices x 14 days
    ta = _totals(book, "week", "2026-W45", service="TA")
    assert (ta.alerts, ta.resident_days) == (1, 14)


def test_ack_time_false_alarm_escalation_and_late_ack_revise_a_closed_window() -> None:
    book = IndicatorBook(3)
    book.care("r-1", care("r-1", when=at(hours=-1)))
    for n in range(4):
        book.alert(alert("r-1", n, at(hours=n)))
    book.alert(alert("r-1", 1, at(hours=1, minutes=5), kind=RecipientKind.HOMECARE, team="hjt-0301-1",
                     notification="escalation"))
    book.ack(ack("r-1", 0, at(minutes=2)))
    book.ack(ack("r-1", 1, at(hours=1, minutes=8), by="hjt-0301-1"))
    book.ack(ack("r-1", 2, at(hours=2, minutes=3), action="false_alarm"))
    book.ack(ack("r-1", 2, at(hours=2, minutes=9)))  # a second ack does not count again
    book.advance(at(days=1, hours=16).timestamp())  # the day 2 Nov has closed
    closed = [r for r in book.drain() if r.window == "day" and r.label == "2026-11-02" and r.service == "ALL"]
    assert closed and closed[0].status == "closed" and closed[0].revision == 0
    # a late acknowledgement (day after) revises the closed day window
    book.ack(ack("r-1", 3, at(days=1, hours=17), action="false_alarm"))
    again = [r for r in book.drain() if r.window == "day" and r.label == "2026-11-02" and r.service == "ALL"]
    assert again[0].revision == 1 and again[0].acknowledged == 4 and again[0].false_alarms == 2
    t = _totals(book, "day", "2026-11-02")
    v = values(t)
    assert v["false_alarm_share"] == pytest.approx(2 / 4)
    assert v["escalated_share"] == pytest.approx(1 / 4)
    assert v["unacknowledged_share"] == 0
    assert t.ack_histogram(recipient="homecare")[7] == 1  # 8 min after the alert: bucket 7-10 min
    assert sum(t.ack_histogram(severity="high", recipient="response-centre")) == 3
    assert v["ack_p50_min"] is not None and 2 <= v["ack_p50_min"] <= 10


def test_ack_after_seven_days_counts_as_never_acknowledged() -> None:
    book = IndicatorBook(0)
    book.care("r-1", care("r-1"))
    book.alert(alert("r-1", 1, at(hours=1)))
    book.ack(ack("r-1", 1, at(days=8)))
    t = _totals(book, "month", "2026-11")
    assert (t.alerts, t.acknowledged) == (1, 0)
    assert values(t)["unacknowledged_share"] == 1


def test_resident_moving_municipality_counts_days_where_they_were_at_midnight() -> None:
    book = IndicatorBook(0)
    book.care("r-1", care("r-1", "0301", when=T0))
    book.alert(alert("r-1", 1, at(days=2), municipality="0301"))
    book.care("r-1", care("r-1", "4601", when=at(days=3, hours=2)))  # moves on Thursday 10:00 local
    book.alert(alert("r-1", 2, at(days=4), municipality="4601"))
    book.advance(at(days=7).timestamp())
    oslo, bergen = _totals(book, "week", "2026-W45", "0301"), _totals(book, "week", "2026-W45", "4601")
    assert (oslo.resident_days, bergen.resident_days) == (3, 4)  # Mon-Wed in Oslo, Thu-Sun in Bergen
    assert (oslo.alerts, bergen.alerts, oslo.residents, bergen.residents) == (1, 1, 1, 1)


def test_tombstone_stops_counting_and_dho_inactive_share() -> None:
    book = IndicatorBook(0)
    book.care("r-1", care("r-1", dho=True))
    book.care("r-2", care("r-2", dho=True))
    book.alert(alert("r-1", 1, at(days=1), AlertType.INACTIVE_PATIENT, Severity.MEDIUM, RecipientKind.HOMECARE,
                     "hjt-0301-1"))
    book.alert(alert("r-1", 2, at(days=2), AlertType.INACTIVE_PATIENT, Severity.MEDIUM, RecipientKind.HOMECARE,
                     "hjt-0301-1"))
    book.care("r-2", None, at(days=2, hours=1).timestamp())
    book.advance(at(days=6).timestamp())
    dho = _totals(book, "week", "2026-W45", service="DHO")
    assert (dho.residents, dho.resident_days, dho.inactive_residents) == (2, 6 + 2, 1)
    assert values(dho)["inactive_share"] == pytest.approx(1 / 2)


def test_alert_without_municipality_or_care_goes_to_unknown_and_ack_of_notification_acts_on_original() -> None:
    book = IndicatorBook(0)
    book.alert(alert("r-9", 1, at(hours=1), municipality=None))
    a = ack("r-9", 1, at(hours=1, minutes=1)).model_copy(update={"alert_id": "alert-r-9-0001-n2"})
    book.ack(a)
    t = _totals(book, "day", "2026-11-02", muni="unknown")
    assert (t.alerts, t.acknowledged, t.resident_days) == (1, 1, 0)
    assert values(t)["alerts_per_1000_days"] is None


def test_quantile_interpolates_within_buckets() -> None:
    hist = [0] * 24
    hist[2] = 10  # ten acknowledgements between 30 and 60 s
    assert quantile(hist, 0.5) == pytest.approx(45.0)
    assert quantile([0] * 24, 0.5) is None
    assert BY_NAME["false_alarm_share"].denominator.startswith("alerts acknowledged")


def test_book_survives_its_codec() -> None:
    book = IndicatorBook(5)
    book.care("r-1", care("r-1"))
    book.alert(alert("r-1", 1, at(hours=1)))
    book.advance(at(days=2).timestamp())
    again = IndicatorBook.load(book.dump())
    assert again.records() == book.records()
    again.ack(ack("r-1", 1, at(days=2, minutes=1)))
    assert _totals(again, "month", "2026-11").acknowledged == 1


def test_topics_out_of_step_ack_before_alert_and_a_late_alert_still_count_in_the_month() -> None:
    """Alerts, acknowledgements and other alert topics are read at their own pace (another partition, topic)."""
    book = IndicatorBook(0)
    book.care("r-1", care("r-1", when=at(days=-1)))
    book.ack(ack("r-1", 1, at(hours=1, minutes=4)))  # read before its alert
    book.alert(alert("r-1", 2, at(days=20)))  # another topic is three weeks ahead
    book.alert(alert("r-1", 1, at(hours=1)))  # 20 days late: its day and week are gone, the month is not
    book.advance(at(days=40).timestamp())
    month = _totals(book, "month", "2026-11")
    assert (month.alerts, month.acknowledged) == (2, 1)
    assert month.ack_histogram()[5] == 1  # 4 min: the 3-5 min bucket
    assert book.state.late > 0 and book.state.unmatched_acks == 0 and not book.state.early_acks
