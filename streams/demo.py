"""`tilsyn demo` / `make demo`: the whole system on one machine, in accelerated time.

Starts the embedded broker and a worker, feeds it a simulated cohort (a week of
history at full speed, then a live day at a day per minute by default) and
prints every alert as it arrives on the alert topics, readable for a person.
Ctrl-C stops everything cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess  # nosec B404
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from schemas.alerts import Alert
from streams.broker import EmbeddedBroker, free_port
from streams.console import format_alert, recipient_label
from streams.gateway.demo import NationalIdFeed, print_fhir_messages, start_gateway
from streams.indicators.demo import respond_to_alerts, start_indicators, write_report
from streams.producer import route_line
from streams.topics import ALERT_TOPICS, CARE_CONTEXT, SENSOR_EVENTS

DEMO_PARTITIONS = 4


def _wait_ready(port: int, proc: subprocess.Popen[bytes], timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise click.ClickException(f"worker exited with code {proc.returncode}; see out/demo-worker.log")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as r:  # nosec B310
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise click.ClickException("worker did not become ready; see out/demo-worker.log")


async def _print_alerts(
    bootstrap: str, lang: str, colour: bool, counts: dict[str, int], live_from: float
) -> None:
    """Print live alerts as a care team would see them; history and reminders are only counted.

    The simulated history exists to warm up personal baselines; its alerts are old news
    and reminders repeat what is on screen, so both go into the summary line instead.
    """
    consumer = AIOKafkaConsumer(
        *ALERT_TOPICS, bootstrap_servers=bootstrap, group_id=f"demo-console-{os.getpid()}",
        auto_offset_reset="earliest", enable_auto_commit=True,
    )
    await consumer.start()
    try:
        async for msg in consumer:
            if msg.value is None:
                continue
            alert = Alert.model_validate_json(msg.value)
            kind = alert.recipient.kind.value
            if alert.time.timestamp() < live_from:
                counts["history"] = counts.get("history", 0) + 1
                continue
            if alert.notification == "reminder":
                counts["reminders"] = counts.get("reminders", 0) + 1
                continue
            counts[kind] = counts.get(kind, 0) + 1
            click.echo(format_alert(alert, lang=lang, colour=colour))
    finally:
        await consumer.stop()


async def _both(first: Any, second: Any) -> None:
    await asyncio.gather(first, second)


async def _feed(bootstrap: str, feed: Any, residents: int, days: int, speed: float) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=10)
    await producer.start()
    try:
        for rid, raw in feed.care_contexts():
            await producer.send(CARE_CONTEXT, raw, key=rid.encode())
        await producer.flush()
        click.echo(f"-- {residents} residents enrolled; replaying {days - 1} days of history at full speed", err=True)
        live_from = feed.live_from
        wall0: float | None = None
        sim0 = live_from
        pending: list[Any] = []
        for t, topic, rid, raw in feed.events():
            if t >= live_from:
                if wall0 is None:
                    await asyncio.gather(*pending)
                    pending.clear()
                    wall0 = time.monotonic()
                    click.echo(
                        f"-- live: {datetime.fromtimestamp(t, UTC):%a %d %b}, one simulated day per "
                        f"{86400 / speed:.0f} s",
                        err=True,
                    )
                ahead = (t - sim0) / speed - (time.monotonic() - wall0)
                if ahead > 0.02:
                    await asyncio.gather(*pending)
                    pending.clear()
                    await asyncio.sleep(ahead)
            if topic == SENSOR_EVENTS:
                topic = route_line(raw).topic  # presses and falls take the alarm lane (safety-events)
            pending.append(await producer.send(topic, raw, key=rid.encode()))
            if len(pending) > 2000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
        click.echo("-- simulation finished; Ctrl-C to stop", err=True)
    finally:
        await producer.stop()



@click.command()
@click.option("--residents", default=40, show_default=True, help="Simulated homes.")
@click.option("--days", default=8, show_default=True, help="Simulated days; the last one runs live.")
@click.option("--speed", default=1440.0, show_default=True, help="Simulated seconds per second (1440: a day a minute).")
@click.option("--seed", default=7, show_default=True)
@click.option("--lang", type=click.Choice(["en", "nb"]), default="en", show_default=True)
@click.option("--duration", type=float, help="Stop after this many seconds (default: until Ctrl-C).")
@click.option("--fhir", is_flag=True, help="Also show the hub's FHIR message, one per alert kind (docs/FHIR.md).")
def demo(residents: int, days: int, speed: float, seed: int, lang: str, duration: float | None, fhir: bool) -> None:
    """Broker + worker + simulated homes; alerts printed as they reach the care teams."""
    out = Path("out")
    out.mkdir(exist_ok=True)
    broker = EmbeddedBroker(port=free_port(), log_path=out / "demo-broker.log")
    click.echo(f"-- starting embedded broker (Tansu) on {broker.bootstrap}", err=True)
    broker.start()
    http_port = int(os.environ.get("TILSYN_HTTP_PORT", "8080"))
    with contextlib.suppress(OSError):
        import socket

        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", http_port)) == 0:
                http_port = free_port()
    env = {
        **os.environ,
        "TILSYN_BROKER": broker.url,
        "TILSYN_CLOCK": "event",
        "TILSYN_FAST_REBALANCE": "1",
        "TILSYN_PARTITIONS": str(DEMO_PARTITIONS),
        "TILSYN_HTTP_PORT": str(http_port),
        "TILSYN_DATA_DIR": str(out / "demo-data"),
        "TILSYN_APP_ID": "tilsyn-demo",
        "TILSYN_FHIR_OUTPUT": "1" if fhir else "0",
    }
    log = (out / "demo-worker.log").open("ab")
    worker = subprocess.Popen(  # nosec B603
        [sys.executable, "-m", "streams.cli", "worker"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    gateway, ids = start_gateway(env, out)  # the identity bridge (docs/FHIR.md)
    indicators, indicators_port = start_indicators(env, out)  # quality indicators (issue 16)
    counts: dict[str, int] = {}
    started = time.monotonic()
    try:
        click.echo("-- starting worker (joins the group in a few seconds)", err=True)
        _wait_ready(http_port, worker)
        click.echo(
            f"-- worker ready after {time.monotonic() - started:.0f} s; metrics on "
            f"http://127.0.0.1:{http_port}/metrics; indicators on http://127.0.0.1:{indicators_port}/metrics",
            err=True,
        )

        from sim.simulate import DemoFeed

        feed = NationalIdFeed(DemoFeed(residents=residents, history_days=days, seed=seed, end=datetime.now(UTC)), ids)

        async def run() -> None:
            printer = asyncio.create_task(
                _print_alerts(broker.bootstrap, lang, sys.stdout.isatty(), counts, feed.live_from)
            )
            feeder = asyncio.create_task(_both(_feed(broker.bootstrap, feed, residents, days, speed),
                                               respond_to_alerts(broker.bootstrap)))
            if fhir:
                printer = asyncio.create_task(_both(printer, print_fhir_messages(broker.bootstrap, feed.live_from,
                                                                                 out / "demo-fhir")))
            loop = asyncio.get_running_loop()
            stop = asyncio.Event()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            waiters: list[asyncio.Task[Any]] = [asyncio.create_task(stop.wait())]
            if duration is not None:
                waiters.append(asyncio.create_task(asyncio.sleep(duration)))
            await asyncio.wait([*waiters, printer], return_when=asyncio.FIRST_COMPLETED)
            for task in (printer, feeder, *waiters):
                task.cancel()
            for task in (printer, feeder):
                with contextlib.suppress(asyncio.CancelledError):
                    await task

        asyncio.run(run())
    finally:
        if "feed" in locals():
            write_report(broker.url, feed.live_from, out / "indicators")
        click.echo("-- stopping worker, gateway and broker", err=True)
        indicators.send_signal(signal.SIGTERM)
        gateway.send_signal(signal.SIGTERM)
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            gateway.wait(10)
        with contextlib.suppress(subprocess.TimeoutExpired):
            indicators.wait(10)
        broker.stop()
        live = ", ".join(
            f"{recipient_label(k, lang)}: {v}" for k, v in sorted(counts.items()) if k not in ("history", "reminders")
        )
        click.echo(
            f"-- live alerts by recipient: {live or 'none'}; reminders of unacknowledged alerts: "
            f"{counts.get('reminders', 0)}; alerts during the warm-up history: {counts.get('history', 0)}",
            err=True,
        )


