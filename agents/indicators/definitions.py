"""Every quality indicator tilsyn reports, with its formula, numerator and denominator.

This is the one place that defines them: the indicators worker's gauges, the monthly report,
its CSV and the README's indicator table all read :data:`INDICATORS`. Counts come per source
partition (:class:`schemas.indicators.IndicatorWindow`); :func:`merge` sums them per window,
municipality and service, and only then are ratios formed, so a municipality's figure is the
same however its residents are spread over partitions.

Counting rules (what a numerator or denominator counts):

- **resident-day**: a local calendar day at whose end the resident's care context was in force
  and named the service (a move to another municipality counts the day where the resident was at
  midnight; a withdrawn context stops counting the day it is withdrawn).
- **services** of a resident, from the care context: ``DT`` when digital supervision has a legal
  basis (or none is recorded) and the home has activity sensors or no device registry (the kit is
  then inferred from events); ``TA`` with an alarm button or fall detector registered, or no
  registry; ``MD`` with a medication dispenser registered; ``DHO`` when home follow-up has a legal
  basis and the care plan schedules measurements or questionnaires. ``ALL``: any of them.
- **alert**: one alert id, counted once at its first (initial) notification, in the window of its
  detection time, under the alert's own municipality and VKP service. Reminders, escalations,
  hand-overs and status notices are not new alerts.
- **acknowledgement**: the first acknowledgement of an alert (any action) within
  :data:`ACK_LIMIT_S`; its time counts in the alert's window even when the window has closed
  (the closed window is published again with a higher revision).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from schemas.indicators import ACK_BUCKETS_S, IndicatorWindow

ACK_LIMIT_S = 7 * 24 * 3600.0
"""An acknowledgement later than 7 days after detection does not count (the alert counts as never
acknowledged). Practical: a weekly review digest is the slowest loop the alert desk expects."""

CLOSE_GRACE_S = 3600.0
"""A window closes one hour (event time) after its end: the safety chain's escalations (5 + 5 min)
and the first hourly reminder of a medium alert (agents/alerting/routing.yaml) fall inside it.
Later acknowledgements revise the closed window."""

PER = 1000.0
"""Rates per 1,000 resident-days, the usual denominator of Norwegian municipal welfare-technology statistics."""


@dataclass(slots=True)
class Totals:
    """Counts of one window, municipality and service, summed over partitions."""

    window: str
    label: str
    municipality: str
    service: str
    start: str = ""
    end: str = ""
    closed: bool = True
    shards: int = 0
    residents: int = 0
    resident_days: int = 0
    device_days: int = 0
    alerts: int = 0
    alerts_by_type: dict[str, int] = field(default_factory=dict)
    alerts_by_category: dict[str, int] = field(default_factory=dict)
    alerts_by_severity: dict[str, int] = field(default_factory=dict)
    escalated: int = 0
    acknowledged: int = 0
    false_alarms: int = 0
    ack_seconds: dict[str, list[int]] = field(default_factory=dict)
    inactive_residents: int = 0
    device_silent: int = 0
    next_of_kin_notices: int = 0

    def ack_histogram(self, severity: str | None = None, recipient: str | None = None) -> list[int]:
        """Time-to-acknowledge bucket counts, optionally of one severity and/or recipient kind."""
        out = [0] * (len(ACK_BUCKETS_S) + 1)
        for key, counts in self.ack_seconds.items():
            sev, _, kind = key.partition("/")
            if (severity is None or sev == severity) and (recipient is None or kind == recipient):
                for i, c in enumerate(counts):
                    out[i] += c
        return out


_SUMMED = ("residents", "resident_days", "device_days", "alerts", "escalated", "acknowledged", "false_alarms",
           "inactive_residents", "device_silent", "next_of_kin_notices")
_COUNTERS = ("alerts_by_type", "alerts_by_category", "alerts_by_severity")


def newest(records: Iterable[IndicatorWindow]) -> dict[str, IndicatorWindow]:
    """The newest record per key (as a compacted topic keeps it): closed beats open, then the higher revision."""
    out: dict[str, IndicatorWindow] = {}
    for r in records:
        old = out.get(r.key)
        if old is None or (r.status == "closed", r.revision) >= (old.status == "closed", old.revision):
            out[r.key] = r
    return out


def merge(records: Iterable[IndicatorWindow]) -> dict[tuple[str, str, str, str], Totals]:
    """Sum partition records per (window, label, municipality, service); newest record per key first."""
    out: dict[tuple[str, str, str, str], Totals] = {}
    for r in newest(records).values():
        k = (r.window, r.label, r.municipality, r.service)
        t = out.get(k)
        if t is None:
            t = out[k] = Totals(r.window, r.label, r.municipality, r.service,
                                start=r.start.isoformat(), end=r.end.isoformat())
        t.shards += 1
        t.closed = t.closed and r.status == "closed"
        for name in _SUMMED:
            setattr(t, name, getattr(t, name) + getattr(r, name))
        for name in _COUNTERS:
            acc: dict[str, int] = getattr(t, name)
            for key, n in getattr(r, name).items():
                acc[key] = acc.get(key, 0) + n
        for key, counts in r.ack_seconds.items():
            hist = t.ack_seconds.setdefault(key, [0] * (len(ACK_BUCKETS_S) + 1))
            for i, c in enumerate(counts):
                hist[i] += c
    return out


def quantile(hist: list[int], q: float) -> float | None:
    """Quantile ``q`` (0-1) in seconds of a bucketed histogram, linear within the bucket; None when empty.

    The open last bucket (beyond 7 days' bound) reports its lower bound.
    """
    total = sum(hist)
    if total == 0:
        return None
    rank = q * total
    seen = 0.0
    for i, c in enumerate(hist):
        if c and seen + c >= rank:
            lo = ACK_BUCKETS_S[i - 1] if i > 0 else 0.0
            if i >= len(ACK_BUCKETS_S):
                return float(lo)
            hi = ACK_BUCKETS_S[i]
            return lo + (hi - lo) * max(0.0, rank - seen) / c
        seen += c
    return float(ACK_BUCKETS_S[-1])


def _ratio(num: float, den: float, scale: float = 1.0) -> float | None:
    return None if den <= 0 else scale * num / den


def _minutes(t: Totals, q: float) -> float | None:
    s = quantile(t.ack_histogram(), q)
    return None if s is None else s / 60.0


@dataclass(frozen=True, slots=True)
class Indicator:
    """A quality indicator: what it means, how it is computed, and the function that computes it."""

    name: str
    title_nb: str
    title_en: str
    unit: str
    formula: str
    numerator: str
    denominator: str
    value: Callable[[Totals], float | None]
    numerator_of: Callable[[Totals], float] | None = None
    denominator_of: Callable[[Totals], float] | None = None
    kind: str = "count"
    """count, proportion (binomial funnel), rate (Poisson funnel) or duration (median funnel)."""


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "residents", "Mottakere fulgt", "Residents followed", "residents",
        "distinct residents with >= 1 resident-day",
        "residents whose care context named the service at the end of at least one day of the window",
        "-", lambda t: float(t.residents)),
    Indicator(
        "resident_days", "Mottakerdøgn", "Resident-days", "days", "sum of resident-days",
        "local days at whose end the care context named the service", "-", lambda t: float(t.resident_days)),
    Indicator(
        "alerts_per_1000_days", "Varsler per 1000 mottakerdøgn", "Alerts per 1,000 resident-days", "per 1,000 days",
        "1000 x alerts / resident_days", "distinct alerts (initial notifications) detected in the window",
        "resident-days of the service in the window", lambda t: _ratio(t.alerts, t.resident_days, PER),
        lambda t: t.alerts, lambda t: t.resident_days, "rate"),
    Indicator(
        "false_alarm_share", "Andel falske alarmer", "False-alarm share", "share",
        "false_alarms / acknowledged", "alerts acknowledged with action false_alarm (within 7 days)",
        "alerts acknowledged with any action within 7 days (an unanswered alert has no outcome)",
        lambda t: _ratio(t.false_alarms, t.acknowledged), lambda t: t.false_alarms, lambda t: t.acknowledged,
        "proportion"),
    Indicator(
        "ack_p50_min", "Tid til kvittering, median (min)", "Time to acknowledge, median (min)", "minutes",
        "50th percentile of (first acknowledgement - detection)",
        "time of each alert's first acknowledgement within 7 days, bucketed (schemas/indicators.py ACK_BUCKETS_S)",
        "acknowledged alerts", lambda t: _minutes(t, 0.5), None, lambda t: t.acknowledged, "duration"),
    Indicator(
        "ack_p90_min", "Tid til kvittering, 90-persentil (min)", "Time to acknowledge, 90th percentile (min)",
        "minutes", "90th percentile of (first acknowledgement - detection)", "as for the median",
        "acknowledged alerts", lambda t: _minutes(t, 0.9), None, lambda t: t.acknowledged, "duration"),
    Indicator(
        "unacknowledged_share", "Andel ikke kvittert", "Share never acknowledged", "share",
        "(alerts - acknowledged) / alerts", "alerts without an acknowledgement within 7 days",
        "alerts", lambda t: _ratio(t.alerts - t.acknowledged, t.alerts),
        lambda t: t.alerts - t.acknowledged, lambda t: t.alerts, "proportion"),
    Indicator(
        "escalated_share", "Andel eskalert", "Share escalated", "share", "escalated / alerts",
        "alerts that got at least one escalation (nobody acknowledged in time)", "alerts",
        lambda t: _ratio(t.escalated, t.alerts), lambda t: t.escalated, lambda t: t.alerts, "proportion"),
    Indicator(
        "inactive_share", "Andel inaktive DHO-pasienter", "Share of DHO patients inactive", "share",
        "inactive_residents / residents (service DHO)",
        "DHO patients with an inactive_patient alert (no data for days) in the window",
        "DHO patients followed in the window", lambda t: _ratio(t.inactive_residents, t.residents),
        lambda t: t.inactive_residents, lambda t: t.residents, "proportion"),
    Indicator(
        "device_downtime_share", "Andel enhetsdøgn med taus sensor", "Device-downtime share", "share",
        "device_silent / device_days", "device_silent alerts (a registered device stopped reporting)",
        "registered devices x resident-days", lambda t: _ratio(t.device_silent, t.device_days),
        lambda t: t.device_silent, lambda t: t.device_days, "proportion"),
    Indicator(
        "next_of_kin_notices", "Varsler til pårørende", "Next-of-kin notices", "notices",
        "count of notifications to next of kin", "notices on alerts.next-of-kin (within the resident's consent)",
        "-", lambda t: float(t.next_of_kin_notices)),
)
BY_NAME = {i.name: i for i in INDICATORS}

KEY_INDICATORS = ("false_alarm_share", "alerts_per_1000_days", "ack_p50_min")
"""The funnel-plot indicators of the monthly report."""


def values(t: Totals) -> dict[str, float | None]:
    """Every indicator of one merged window."""
    return {i.name: i.value(t) for i in INDICATORS}


def rates_by(t: Totals, attr: str) -> dict[str, float | None]:
    """Alerts per 1,000 resident-days broken down by ``type``, ``category`` or ``severity``."""
    counts: dict[str, int] = getattr(t, f"alerts_by_{attr}")
    return {k: _ratio(n, t.resident_days, PER) for k, n in sorted(counts.items())}


MIN_EXPECTED = 5.0
"""A municipality is judged against the limits only when its expected numerator (group mean x its
denominator) is at least 5: below that the normal approximation of binomial and Poisson limits is
unreliable (the np >= 5 rule of thumb); such points are drawn but not flagged."""

Z95, Z998 = 1.959964, 3.090232
"""Two-sided normal quantiles of the funnel plot's 95 % and 99.8 % control limits (Spiegelhalter 2005)."""


@dataclass(frozen=True, slots=True)
class FunnelPoint:
    municipality: str
    value: float
    size: float
    """Precision on the x axis: the denominator (alerts, acknowledgements or resident-days)."""
    outside95: bool
    outside998: bool
    judged: bool = True
    """False when the numbers are too small to judge (:data:`MIN_EXPECTED`): never flagged."""


@dataclass(frozen=True, slots=True)
class Funnel:
    indicator: str
    mean: float
    spread: float
    """Standard deviation of one unit of size: limits are mean ± z * spread / sqrt(size)."""
    points: tuple[FunnelPoint, ...]

    def limits(self, size: float, z: float) -> tuple[float, float]:
        half = z * self.spread / math.sqrt(size) if size > 0 else math.inf
        lo = self.mean - half
        if BY_NAME[self.indicator].kind == "proportion":
            return max(0.0, lo), min(1.0, self.mean + half)
        return max(0.0, lo), self.mean + half


def funnel(indicator: str, totals: Iterable[Totals]) -> Funnel | None:
    """Funnel plot data: each municipality against the group mean with 95 % and 99.8 % limits.

    Proportions: binomial, spread sqrt(p(1-p)); rates per 1,000 days: Poisson, spread
    sqrt(rate x 1000); the median time to acknowledge: spread 1.2533 sigma (the standard error
    of a median), sigma from the pooled interquartile range / 1.349, size the number of
    acknowledgements (an approximation: times to acknowledge are skewed, so read it as a guide).
    """
    ind = BY_NAME[indicator]
    rows = [t for t in totals if ind.denominator_of is not None and ind.denominator_of(t) > 0]
    if not rows or ind.denominator_of is None:
        return None
    den = ind.denominator_of
    if ind.kind == "duration":
        pooled = [0] * (len(ACK_BUCKETS_S) + 1)
        for t in rows:
            for i, c in enumerate(t.ack_histogram()):
                pooled[i] += c
        mean = (quantile(pooled, 0.5) or 0.0) / 60.0
        q1, q3 = quantile(pooled, 0.25) or 0.0, quantile(pooled, 0.75) or 0.0
        spread = 1.2533 * (q3 - q1) / 1.349 / 60.0
    elif ind.numerator_of is None:
        return None
    else:
        num = ind.numerator_of
        total_num, total_den = sum(num(t) for t in rows), sum(den(t) for t in rows)
        if ind.kind == "rate":
            mean = PER * total_num / total_den
            spread = math.sqrt(mean * PER)
        else:
            mean = total_num / total_den
            spread = math.sqrt(mean * (1 - mean))
    pts = []
    for t in rows:
        v = ind.value(t)
        if v is None:
            continue
        n = den(t)
        f = Funnel(indicator, mean, spread, ())
        lo95, hi95 = f.limits(n, Z95)
        lo998, hi998 = f.limits(n, Z998)
        expected = n if ind.kind == "duration" else mean * n / (PER if ind.kind == "rate" else 1.0)
        judged = expected >= MIN_EXPECTED
        pts.append(FunnelPoint(t.municipality, v, n, judged and not lo95 <= v <= hi95,
                               judged and not lo998 <= v <= hi998, judged))
    return Funnel(indicator, mean, spread, tuple(sorted(pts, key=lambda p: p.municipality)))
