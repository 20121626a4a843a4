"""kill -9 of the indicators worker: its books come back from indicators.book, every alert counted once.

About 21 s on this machine (two worker starts and the dead member's session timeout); part of
`make test`, which runs the fault scenarios one after another beside the rest of the suite.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest

from agents.indicators.definitions import merge
from schemas.indicators import IndicatorWindow
from streams.topics import ALERT_ACKS, CARE_CONTEXT, INDICATORS, alert_topic
from tests.agents.indicators.streams import ack, alert, care
from tests.integration.test_indicators_flow import OCT
from tests.kafkaio import produce, read_all

pytestmark = [pytest.mark.broker, pytest.mark.slow]


def test_indicators_worker_killed_restores_its_books_and_counts_each_alert_once(broker, worker_factory, prefix) -> None:
    """kill -9 between two halves of a month: the restarted worker restores the books from the table's changelog
    and re-reads what was not committed; the month still has every alert once and every resident-day once."""
    started = time.monotonic()
    rids = [f"r-{i:03d}" for i in range(6)]
    first: list[tuple[str, bytes | None, bytes | None]] = [
        (prefix + CARE_CONTEXT, rid.encode(), care(rid, "3301", when=OCT - timedelta(days=10)).model_dump_json()
         .encode()) for rid in rids
    ]
    second: list[tuple[str, bytes | None, bytes | None]] = []
    for n in range(60):
        rid = rids[n % 6]
        t = OCT + timedelta(hours=7 * n)
        a = alert(rid, n, t, municipality="3301")
        (first if n < 30 else second).append(
            (prefix + alert_topic("response-centre"), rid.encode(), a.model_dump_json().encode()))
        (first if n < 30 else second).append(
            (prefix + ALERT_ACKS, rid.encode(), ack(rid, n, t + timedelta(minutes=4)).model_dump_json().encode()))
    for rid in rids:
        second.append((prefix + ALERT_ACKS, rid.encode(), ack(rid, 9999, datetime(2026, 11, 2, 12, tzinfo=UTC))
                       .model_dump_json().encode()))
    worker = worker_factory("indicators", "worker", state_flush_s="0.2")
    worker.wait_ready(30)
    asyncio.run(produce(broker.bootstrap, first))
    until = time.monotonic() + 10
    while time.monotonic() < until:  # the first half is counted (records out) before the kill
        got = asyncio.run(read_all(broker.bootstrap, prefix + INDICATORS, settle=0.2, timeout=2))
        if sum(IndicatorWindow.model_validate_json(c.value).alerts for c in got if c.value) > 0:
            break
    worker.kill()  # SIGKILL: no clean shutdown, no last commit
    again = worker_factory("indicators", "worker", state_flush_s="0.2")
    again.wait_ready(30)
    asyncio.run(produce(broker.bootstrap, second))
    deadline = time.monotonic() + 20
    month = None
    while time.monotonic() < deadline:
        got = asyncio.run(read_all(broker.bootstrap, prefix + INDICATORS, settle=0.3, timeout=4))
        recs = [IndicatorWindow.model_validate_json(c.value) for c in got if c.value]
        month = merge(recs).get(("month", "2026-10", "3301", "ALL"))
        if month is not None and month.closed and month.alerts >= 60 and month.residents >= 6:
            break
        time.sleep(0.3)
    assert month is not None and month.closed, again.log_tail()
    assert (month.alerts, month.acknowledged, month.resident_days, month.residents) == (60, 60, 6 * 31, 6)
    assert time.monotonic() - started < 40
