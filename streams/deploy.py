"""Deployment commands: ``tilsyn topics`` before the workers start, ``tilsyn wait-ready`` after.

``tilsyn topics`` is what the compose stack's one-shot ``topics`` service runs: it creates every
topic of :data:`streams.topics.SPECS` with the code the worker uses, refuses a layout the worker
could not run on (partition counts, fewer replicas than ``TILSYN_REPLICATION``), lists the topics
and exits 0. ``tilsyn wait-ready`` blocks until workers answer 200 on ``/readyz`` (partitions
assigned, state recovered), so a feeder or a rolling deployment goes on only then.
"""

from __future__ import annotations

import asyncio
import time
import urllib.error
import urllib.request

import click

from streams.settings import Settings


@click.command()
def topics() -> None:
    """Create and check tilsyn's topics (TILSYN_PARTITIONS, TILSYN_REPLICATION), then list them."""
    from streams.admin import check_layout, check_replication, ensure_topics, replication_factors
    from streams.topics import INPUT_TOPICS, SPECS

    settings = Settings.from_env()
    counts = asyncio.run(ensure_topics(settings))
    check_layout(counts, settings, [settings.topic_prefix + t for t in INPUT_TOPICS])
    names = [settings.topic_prefix + s.name for s in SPECS]
    factors = asyncio.run(replication_factors(settings, names))
    check_replication(factors, settings)
    for name in names:
        click.echo(f"topic {name}: {counts[name]} partitions, replication {factors[name]}")


def _ready(url: str) -> bool:
    try:
        # the URL is an operator-given http(s) address (checked in wait_ready)
        with urllib.request.urlopen(url, timeout=3) as response:  # nosec B310
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@click.command(name="wait-ready")
@click.argument("urls", nargs=-1, required=True)
@click.option("--timeout", type=click.FloatRange(min=0), default=600.0, show_default=True,
              help="Give up (exit code 1) after this many seconds.")
@click.option("--interval", type=click.FloatRange(min=0.1), default=2.0, show_default=True)
def wait_ready(urls: tuple[str, ...], timeout: float, interval: float) -> None:
    """Wait until every URL (a worker's /readyz) answers 200."""
    for url in urls:
        if not url.startswith(("http://", "https://")):
            raise click.BadParameter(f"{url!r} is not an http(s) URL", param_hint="URLS")
    deadline = time.monotonic() + timeout
    waiting = list(urls)
    while waiting:
        waiting = [u for u in waiting if not _ready(u)]
        if not waiting:
            break
        if time.monotonic() >= deadline:
            raise click.ClickException(f"not ready after {timeout:.0f} s: {', '.join(waiting)}")
        time.sleep(interval)
    click.echo(f"ready: {', '.join(urls)}", err=True)
