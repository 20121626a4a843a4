"""Prometheus gauges of the running windows (day, ISO week, month) of the books this worker holds.

Counts, not ratios: each worker holds some partitions, so the dashboard sums the counts over
workers and only then divides (as :func:`agents.indicators.definitions.merge` does). The
``municipality`` label takes only the 4-digit numbers seen in care contexts; anything else is
``unknown``. No resident, team or alert id becomes a label.
"""

from __future__ import annotations

from agents.indicators.definitions import merge
from schemas.indicators import ACK_BUCKETS_S
from streams import metrics
from streams.indicators.feed import IndicatorFeed

MEASURES = ("residents", "resident_days", "device_days", "alerts", "escalated", "acknowledged", "false_alarms",
            "inactive_residents", "device_silent", "next_of_kin_notices")
_LE = (*(f"{b:g}" for b in ACK_BUCKETS_S), "+Inf")


def refresh(feed: IndicatorFeed) -> None:
    """Set every indicator gauge from the running windows of ``feed``'s books."""
    known: set[str] = set()
    for book in feed.books.values():
        known |= book.state.municipalities
    records = feed.current()
    newest: dict[str, str] = {}
    for r in records:  # shards may straddle a boundary for a moment: the newest window of each kind wins
        newest[r.window] = max(newest.get(r.window, r.label), r.label)
    totals = merge(r for r in records if r.label == newest[r.window])
    for g in (metrics.INDICATOR_COUNT, metrics.INDICATOR_ALERTS, metrics.INDICATOR_ACK_SECONDS):
        g.clear()
    for (window, _, muni, service), t in sorted(totals.items()):
        m = muni if muni in known else "unknown"
        for name in MEASURES:
            metrics.INDICATOR_COUNT.labels(m, service, window, name).inc(getattr(t, name))
        if service != "ALL":
            continue
        for by in ("type", "category", "severity"):
            for value, n in getattr(t, f"alerts_by_{by}").items():
                metrics.INDICATOR_ALERTS.labels(m, window, by, value).inc(n)
        for key in t.ack_seconds:
            sev, _, kind = key.partition("/")
            cumulative = 0
            for le, n in zip(_LE, t.ack_histogram(sev, kind), strict=True):
                cumulative += n
                metrics.INDICATOR_ACK_SECONDS.labels(m, window, sev, kind, le).inc(cumulative)
