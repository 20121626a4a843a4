"""``tilsyn indicators``: the indicators worker and the monthly report."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import click

from schemas.indicators import IndicatorWindow
from streams.settings import Settings
from streams.topics import INDICATORS


@click.group()
def indicators() -> None:
    """Quality indicators per municipality: the live worker and the monthly report."""


@indicators.command()
@click.option("--broker", help="Kafka URL (env TILSYN_BROKER).")
@click.option("--http-port", type=int, help="Port of /metrics and /healthz (env TILSYN_HTTP_PORT; not the worker's).")
@click.option("--loglevel", default=None, type=click.Choice(["debug", "info", "warn", "error"]))
def worker(broker: str | None, http_port: int | None, loglevel: str | None) -> None:
    """Count alerts, acknowledgements and care contexts into windows; publish them on `indicators`."""
    from streams.admin import ensure_topics
    from streams.indicators.app import IndicatorsApp
    from streams.worker import run_worker

    settings = Settings.from_env(broker=broker, http_port=http_port)
    asyncio.run(ensure_topics(settings))
    app = IndicatorsApp(settings)
    run_worker(app.app, loglevel or settings.log_level)


async def read_topic(settings: Settings, topic: str, timeout_s: float = 30.0) -> list[IndicatorWindow]:
    """Every record of the indicators topic up to its current end (no consumer group; compaction may keep older
    revisions next to newer ones until it runs: :func:`agents.indicators.definitions.merge` keeps the newest)."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    consumer = AIOKafkaConsumer(bootstrap_servers=settings.bootstrap, enable_auto_commit=False,
                                auto_offset_reset="earliest", **settings.security.aiokafka_kwargs())
    await consumer.start()
    out: list[IndicatorWindow] = []
    try:
        parts = consumer.partitions_for_topic(topic) or set()
        if not parts:
            await consumer.topics()  # fetch metadata
            parts = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(parts)]
        if not tps:
            raise click.ClickException(f"topic {topic} does not exist on {settings.bootstrap}")
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends: dict[Any, int] = await consumer.end_offsets(tps)
        left = {tp for tp in tps if ends[tp] > 0}
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while left and loop.time() < deadline:
            batch = await consumer.getmany(*left, timeout_ms=500)
            for tp, msgs in batch.items():
                for m in msgs:
                    if m.value is not None:
                        out.append(IndicatorWindow.model_validate_json(m.value))
                    if m.offset + 1 >= ends[tp]:
                        left.discard(tp)
        if left:
            raise click.ClickException(f"timed out reading {topic}")
    finally:
        await consumer.stop()
    return out


@indicators.command()
@click.option("--month", required=True, help="Report month, YYYY-MM (local time).")
@click.option("--from", "source", default=INDICATORS, show_default=True,
              help="The indicators topic (name) or a JSON Lines file of indicator records.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out/indicators"),
              show_default=True, help="Directory of the HTML and CSV files.")
@click.option("--broker", help="Kafka URL when reading the topic (env TILSYN_BROKER).")
def report(month: str, source: str, out_dir: Path, broker: str | None) -> None:
    """Write indikatorer-YYYY-MM.html (self-contained, plots embedded) and .csv for the month."""
    import re

    from streams.indicators.report import build, read_file, write

    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise click.BadParameter("use YYYY-MM, e.g. 2026-11", param_hint="--month")
    path = Path(source)
    if path.exists():
        try:
            records = read_file(path)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
    else:
        settings = Settings.from_env(broker=broker)
        records = asyncio.run(read_topic(settings, settings.topic_prefix + source))
    rep = build(records, month)
    html_path, csv_path = out_dir / f"indikatorer-{month}.html", out_dir / f"indikatorer-{month}.csv"
    write(rep, html_path, csv_path)
    for line in rep.summary:
        click.echo(line)
    click.echo(f"wrote {html_path} and {csv_path} ({len(rep.rows)} rows from {len(records)} records)", err=True)
