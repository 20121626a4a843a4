"""The ``tilsyn`` command line (click, like Faust itself)."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from streams.clierrors import TilsynGroup
from streams.coverage_cli import coverage_command
from streams.demo import demo
from streams.deploy import topics, wait_ready
from streams.gateway.cli import gateway
from streams.indicators.cli import indicators
from streams.replay_cli import eval_real, import_cmd, replay
from streams.settings import Settings

if TYPE_CHECKING:
    from agents.engine import Engine


@click.group(cls=TilsynGroup)
@click.version_option(package_name="tilsyn")
def main() -> None:
    """tilsyn: detect isolation and deterioration in home-monitoring streams."""


@main.command()
@click.option("--broker", help="Kafka URL, e.g. kafka://127.0.0.1:9092 (env TILSYN_BROKER).")
@click.option("--http-port", type=int, help="Port of /metrics, /healthz, /readyz (env TILSYN_HTTP_PORT).")
@click.option("--clock", type=click.Choice(["wall", "event"]), help="Time source for absence patterns.")
@click.option("--fhir/--no-fhir", default=None, help="Also publish every alert as FHIR on alerts.fhir (env TILSYN_FHIR_OUTPUT).")
@click.option("--loglevel", default=None, type=click.Choice(["debug", "info", "warn", "error"]))
def worker(
    broker: str | None, http_port: int | None, clock: str | None, fhir: bool | None, loglevel: str | None
) -> None:
    """Run a worker: consume the input topics, detect, publish alerts."""
    from streams.app import TilsynApp
    from streams.worker import run_worker

    settings = Settings.from_env(broker=broker, http_port=http_port, clock=clock)
    tilsyn = TilsynApp(settings, engine=_engine(settings), fhir_output=settings.fhir_output if fhir is None else fhir)
    tilsyn.prepare_topics()
    level = loglevel or settings.log_level
    run_worker(tilsyn.app, level)


def _engine(settings: Settings) -> Engine | None:
    """The detection engine, with the site's routing file when TILSYN_ROUTING_FILE is set."""
    if settings.routing_file is None:
        return None  # the worker's default: the rules shipped in agents/alerting/routing.yaml
    from agents.alerting.desk import AlertDesk
    from agents.alerting.rules import RoutingRules
    from agents.engine import Engine

    return Engine(desk=AlertDesk(RoutingRules.load(settings.routing_file)))


@main.command(name="settings")
@click.option("--table", is_flag=True, help="Print the Markdown table of every setting (docs/OPERATIONS.md).")
def settings_cmd(table: bool) -> None:
    """Show the effective TILSYN_* settings (secrets masked), or document them all."""
    from streams.settings import env_name, markdown_table

    if table:
        click.echo(markdown_table())
        return
    for name, value in Settings.from_env().model_dump().items():
        click.echo(f"{env_name(name)}={'' if value is None else value}")


@main.command()
@click.option("--port", default=9092, show_default=True, help="Port to listen on (127.0.0.1).")
@click.option("--log", "log_path", type=click.Path(path_type=Path), help="Write the broker's log here.")
def broker(port: int, log_path: Path | None) -> None:
    """Run the embedded Kafka-compatible broker (Tansu) until Ctrl-C."""
    from streams.broker import EmbeddedBroker

    b = EmbeddedBroker(port=port, log_path=log_path)
    b.start()
    click.echo(f"broker ready on {b.bootstrap} (in memory; Ctrl-C stops it)")
    stop = False

    def _stop(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        while not stop and b.process is not None and b.process.poll() is None:
            time.sleep(0.2)
    finally:
        b.stop()
        click.echo("broker stopped")


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--broker", help="Kafka URL (env TILSYN_BROKER).")
@click.option("--topic", help="Send every line to this topic instead of choosing by content.")
@click.option("--rate", type=click.FloatRange(min=0, min_open=True), help="Records per second (default: as fast as possible).")
def produce(file: Path, broker: str | None, topic: str | None, rate: float | None) -> None:
    """Send a JSON-lines FILE (`-`: standard input) of events, measurements, care contexts or acks."""
    from streams.admin import ensure_topics
    from streams.producer import produce as send
    from streams.producer import read_lines, route_line

    settings = Settings.from_env(broker=broker)
    asyncio.run(ensure_topics(settings))
    stdin = str(file) == "-"
    total = None if stdin else sum(1 for _ in read_lines(file))
    lines = read_lines(sys.stdin.buffer if stdin else file)
    n = asyncio.run(send(settings, (route_line(line, topic) for line in lines), rate=rate, total=total))
    click.echo(f"sent {n} records to {settings.bootstrap}", err=True)


@main.command()
@click.option("--write", is_flag=True, help="Rewrite schemas/json/ from the models.")
def schemas(write: bool) -> None:
    """Check (or rewrite) the JSON Schema files care systems consume."""
    from schemas.export import stale
    from schemas.export import write as write_schemas
    from streams import asyncapi

    if write:
        for path in [*write_schemas(), asyncapi.write()]:
            click.echo(f"wrote {path}")
        return
    old = stale() + (["asyncapi.yaml"] if asyncapi.stale() else [])
    if old:
        click.echo(f"stale: {', '.join(old)} (run `tilsyn schemas --write`)", err=True)
        sys.exit(1)
    click.echo("schemas/json is up to date")


def _attach_optional() -> None:
    """Simulation, replay and evaluation: present where the simulator is installed (not in the worker image)."""
    try:
        from sim.cli import register
    except ModuleNotFoundError as exc:  # the worker image has no sim/; any other missing module is a bug
        if exc.name != "sim":
            raise
        return
    register(main)


_attach_optional()
main.add_command(demo)
main.add_command(topics)
main.add_command(wait_ready)
main.add_command(gateway)
main.add_command(coverage_command)
main.add_command(indicators)
main.add_command(replay)
main.add_command(import_cmd)
main.add_command(eval_real)

if __name__ == "__main__":  # pragma: no cover
    logging.basicConfig(level=logging.INFO)
    main()
