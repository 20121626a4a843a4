"""Funnel-plot limits and which municipalities they flag."""

from __future__ import annotations

import pytest

from agents.indicators.definitions import Z95, Z998, Totals, funnel


def _t(muni: str, acknowledged: int, false_alarms: int, days: int = 1000, alerts: int = 0) -> Totals:
    return Totals("month", "2026-11", muni, "ALL", acknowledged=acknowledged, false_alarms=false_alarms,
                  resident_days=days, alerts=alerts or acknowledged)


def test_binomial_limits_around_the_group_mean() -> None:
    f = funnel("false_alarm_share", [_t("0301", 100, 10), _t("4601", 100, 10)])
    assert f is not None and f.mean == pytest.approx(0.1)
    lo, hi = f.limits(100, Z95)
    assert (lo, hi) == (pytest.approx(0.1 - Z95 * 0.03), pytest.approx(0.1 + Z95 * 0.03))
    assert f.limits(400, Z998)[1] == pytest.approx(0.1 + Z998 * 0.015)
    assert not any(p.outside95 for p in f.points)


def test_outliers_are_flagged_small_numbers_are_not() -> None:
    rows = [_t("0301", 400, 36), _t("5001", 300, 27), _t("4601", 200, 60), _t("1806", 3, 3)]
    f = funnel("false_alarm_share", rows)
    assert f is not None
    by = {p.municipality: p for p in f.points}
    assert by["4601"].outside998 and by["4601"].judged
    assert not by["1806"].judged and not by["1806"].outside95  # 3 of 3, but 3 acknowledgements say little
    assert not by["0301"].outside998


def test_poisson_limits_for_alerts_per_1000_days() -> None:
    rows = [_t("0301", 0, 0, days=2000, alerts=100), _t("4601", 0, 0, days=2000, alerts=200)]
    f = funnel("alerts_per_1000_days", rows)
    assert f is not None and f.mean == pytest.approx(75.0)
    lo, hi = f.limits(2000, Z95)
    assert lo == pytest.approx(75 - Z95 * (75 * 1000 / 2000) ** 0.5)
    assert hi == pytest.approx(75 + Z95 * (75 * 1000 / 2000) ** 0.5)
    assert {p.municipality for p in f.points if p.outside998} == {"0301", "4601"}
