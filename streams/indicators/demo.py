"""The indicators in ``make demo``: the indicators worker, simulated acknowledgements, the month's report.

Kept apart from :mod:`streams.demo` so the demo only starts these three things.
"""

from __future__ import annotations

import asyncio
import heapq
import os
import subprocess  # nosec B404
import sys
from datetime import datetime
from pathlib import Path

import click
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from schemas.alerts import Alert
from streams.broker import free_port
from streams.topics import ALERT_ACKS, ALERT_TOPICS

ACK_AHEAD_S = 300.0
"""Acknowledgements are sent once the simulated clock (the newest alert time) is within 5 min of their time:
the alert desk refuses one more than 10 min ahead of the resident's event time (routing.yaml lifecycle)."""


def start_indicators(env: dict[str, str], out: Path) -> tuple[subprocess.Popen[bytes], int]:
    """Start ``tilsyn indicators worker`` next to the demo's worker; its /metrics port is returned."""
    port = free_port()
    log = (out / "demo-indicators.log").open("ab")
    proc = subprocess.Popen(  # nosec B603
        [sys.executable, "-m", "streams.cli", "indicators", "worker"],
        env={**env, "TILSYN_HTTP_PORT": str(port)}, stdout=log, stderr=subprocess.STDOUT,
    )
    log.close()
    return proc, port


async def respond_to_alerts(bootstrap: str) -> None:
    """Simulated care teams acknowledge alerts with their municipality's habits (``sim/responders.py``)."""
    from sim.responders import respond

    consumer = AIOKafkaConsumer(*ALERT_TOPICS, bootstrap_servers=bootstrap, group_id=f"demo-responders-{os.getpid()}",
                                auto_offset_reset="earliest", enable_auto_commit=True)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20)
    await consumer.start()
    await producer.start()
    pending: list[tuple[float, str, str, bytes]] = []
    clock = 0.0
    try:
        async for msg in consumer:
            if msg.value is None:
                continue
            alert = Alert.model_validate_json(msg.value)
            clock = max(clock, alert.time.timestamp())
            ack = respond(alert)
            if ack is not None:
                heapq.heappush(pending, (ack.time.timestamp(), ack.alert_id, ack.resident_id,
                                         ack.model_dump_json().encode()))
            while pending and pending[0][0] <= clock + ACK_AHEAD_S:
                _, _, rid, raw = heapq.heappop(pending)
                await producer.send(ALERT_ACKS, raw, key=rid.encode())
    finally:
        await producer.stop()
        await consumer.stop()


def write_report(bootstrap_url: str, month_of: float, out: Path) -> None:
    """The report of the month with most resident-days (else ``month_of``'s), before the in-memory broker goes."""
    from agents.indicators.definitions import merge
    from streams.indicators.cli import read_topic
    from streams.indicators.report import build, write
    from streams.settings import Settings
    from streams.topics import INDICATORS

    month = datetime.fromtimestamp(month_of).strftime("%Y-%m")
    try:
        records = asyncio.run(read_topic(Settings.from_env(broker=bootstrap_url), INDICATORS, timeout_s=20))
        days: dict[str, int] = {}
        for (_, label, _, _), t in merge(r for r in records if r.window == "month" and r.service == "ALL").items():
            days[label] = days.get(label, 0) + t.resident_days
        month = max(days, key=lambda m: (days[m], m)) if days else month  # the month the demo covers most
        rep = build(records, month)
        write(rep, out / f"indikatorer-{month}.html", out / f"indikatorer-{month}.csv")
    except Exception as exc:  # the demo is stopping; say why there is no report, do not hide the shutdown
        click.echo(f"-- no indicator report: {exc.__class__.__name__}: {exc}", err=True)
        return
    for line in rep.summary:
        click.echo(f"   {line}", err=True)
    click.echo(f"-- indicator report for {month}: {out}/indikatorer-{month}.html (and .csv)", err=True)
