"""``tilsyn replay``, ``tilsyn import`` and ``tilsyn eval-real``: the offline shell around the worker's processor.

``replay`` runs :class:`streams.replay.Replay` over a file. ``import`` and the public formats of
``replay --format`` read the common research formats through ``sim/importers.py``; ``eval-real``
scores the development homes with ``sim/realhome.py``. The simulator package (``sim``) is an
optional install: the worker image has none, and these commands then say so.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from streams.clierrors import fail_if_all_rejected

PUBLIC_FORMATS = ("casas", "kasteren", "kasteren-b", "ordonez")


def _pairs(values: tuple[str, ...], what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for v in values:
        name, sep, rest = v.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{what} must look like field=value, got {v!r}")
        out[name] = rest
    return out


def _sim(module: str) -> Any:
    """A module of the simulator package, or a clear error where it is not installed."""
    import importlib

    try:
        return importlib.import_module(f"sim.{module}")
    except ModuleNotFoundError as exc:
        if exc.name == "sim":
            raise click.ClickException("this command needs the simulator package (pip install 'tilsyn[sim]')") from None
        raise


def _import(fmt: str, src: Path, map_file: Path, heartbeats: bool) -> Any:
    importers = _sim("importers")
    try:
        home = importers.HomeMap.load(map_file)
        return home, importers.import_home(fmt, src, home, 60.0 if heartbeats else None)
    except importers.ImportError_ as exc:
        raise click.ClickException(str(exc)) from None


EVAL_RESOLVE_AFTER_S = 1800.0
"""In an evaluation the team resolves each alert 30 min after its first notice: a home-care visit
or a call has checked on the resident by then (practice: response centres answer within minutes,
home care reaches the home within the half hour). Each later occurrence is then a notice of its own."""


def run_replay(events: Sequence[bytes], care: Sequence[bytes], until: float | None) -> list[Any]:
    """Every alert of an offline replay with a team that resolves each alert (the
    :data:`sim.realhome.Runner` the evaluation uses)."""
    from streams.replay import Replay

    return Replay(resolve_after_s=EVAL_RESOLVE_AFTER_S).run(events, care, until=until).alerts


@click.command()
@click.argument("events", type=click.Path(exists=True, path_type=Path))
@click.option("--care-context", "care", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="JSON-lines file of care contexts, loaded before the events.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write alerts here (JSON lines).")
@click.option("--dead-letter", type=click.Path(dir_okay=False, path_type=Path),
              help="Write rejected records here (JSON lines: reason and original text).")
@click.option("--format", "fmt", type=click.Choice(["auto", "jsonl", "csv", *PUBLIC_FORMATS]), default="auto",
              show_default=True, help="jsonl/csv: tilsyn records; casas, kasteren, kasteren-b, ordonez: a public "
              "recording read with the sensor map given by --map (its care context comes from the map).")
@click.option("--map", "mapping", multiple=True, metavar="FIELD=COLUMN|FILE",
              help="CSV: schema field from a column. Public formats: the sensor map file (YAML/JSON).")
@click.option("--set", "constants", multiple=True, metavar="FIELD=VALUE", help="CSV: a fixed field value.")
@click.option("--heartbeats", is_flag=True, help="Public formats: add synthetic hourly device heartbeats.")
@click.option("--until", help="Let event time run on to this ISO time so absence patterns due by then fire.")
@click.option("--tick", "tick_s", type=float, default=60.0, show_default=True,
              help="Event-time seconds between checks of absence patterns and escalations.")
@click.option("--progress/--no-progress", default=True)
@click.option("--indicators", "indicators_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write quality-indicator records here (JSON lines; `tilsyn indicators report --from`).")
@click.option("--simulated-acks", is_flag=True,
              help="With --indicators: acknowledge alerts as the simulated care teams would (sim/responders.py).")
def replay(
    events: Path, care: Path | None, out: Path | None, dead_letter: Path | None, fmt: str,
    mapping: tuple[str, ...], constants: tuple[str, ...], heartbeats: bool, until: str | None, tick_s: float,
    progress: bool, indicators_path: Path | None = None, simulated_acks: bool = False,
) -> None:
    """Run validation, every detector and the alert desk over EVENTS offline, in event-time order."""
    import orjson

    from streams.replay import Replay, in_time_order, read_csv, read_jsonl, write_alerts

    care_lines = list(read_jsonl(care)) if care else []
    if fmt in PUBLIC_FORMATS:
        if len(mapping) != 1:
            raise click.UsageError(f"--format {fmt} needs exactly one --map FILE (a sensor map, see sim/maps/)")
        _, imported = _import(fmt, events, Path(mapping[0]), heartbeats)
        lines = imported.events
        care_lines = [imported.care_context, *care_lines]
    elif events.is_dir():
        raise click.UsageError(f"{events} is a folder; only --format kasteren reads a folder")
    elif fmt == "csv" or (fmt == "auto" and events.suffix.lower() == ".csv"):
        try:
            lines = list(read_csv(events, _pairs(mapping, "--map"), _pairs(constants, "--set")))
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
    else:
        lines = list(read_jsonl(events))
    lines = in_time_order(lines)
    end = datetime.fromisoformat(until).timestamp() if until else None
    result = Replay(tick_s=tick_s).run(lines, care_lines, until=end, progress=progress, total=len(lines))
    if out:
        write_alerts(result.alerts, out)
    if dead_letter:
        with dead_letter.open("wb") as fh:
            for pub in result.dead_letters:
                headers = {k: v.decode("utf-8", "replace") for k, v in (pub.headers or ())}
                fh.write(orjson.dumps({
                    "reason_code": headers.get("tilsyn.dlq.reason_code"),
                    "reason": headers.get("tilsyn.dlq.reason"),
                    "original": pub.value.decode("utf-8", "replace"),
                }) + b"\n")
    click.echo(result.summary(), err=True)
    if indicators_path:
        _write_indicators(indicators_path, lines, care_lines, result.alerts, simulated_acks)
    fail_if_all_rejected(result.records + len(care_lines), len(result.dead_letters))


def _write_indicators(path: Path, lines: list[bytes], care_lines: list[bytes], alerts: list[Any],
                      simulated_acks: bool) -> None:
    """Indicators of the replayed history (streams/indicators/offline.py)."""
    from schemas.alerts import Acknowledgement
    from sim.responders import respond
    from streams.indicators.offline import compute, write
    from streams.producer import route_line
    from streams.topics import ALERT_ACKS

    acks = []
    for raw in lines:
        if route_line(raw).topic == ALERT_ACKS:
            try:
                acks.append(Acknowledgement.model_validate_json(raw))
            except ValueError:
                continue  # dead-lettered by the replay with its reason
    if simulated_acks:
        acks += [k for k in map(respond, alerts) if k is not None]
    n = write(compute(care_lines, alerts, acks), path)
    click.echo(f"wrote {n} indicator records to {path}", err=True)


@click.command(name="import")
@click.argument("src", type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", required=True, type=click.Choice(PUBLIC_FORMATS),
              help="casas: tab-separated event log; kasteren: folder of interval files (house C); "
              "kasteren-b: house B ground truth; ordonez: <Home>_Sensors.txt (ADLs file beside it).")
@click.option("--map", "map_file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Sensor map (YAML/JSON): each source sensor's kind, room and purpose (see sim/maps/).")
@click.option("--heartbeats", is_flag=True, help="Add a synthetic supervision heartbeat per device every hour.")
@click.option("--care-context", "care_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the home's care context (with its device registry) here.")
@click.option("--annotations", "notes_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the activity annotations here (JSON lines: start, end, label).")
def import_cmd(src: Path, fmt: str, map_file: Path, heartbeats: bool, care_out: Path | None, notes_out: Path | None) -> None:
    """Convert a public smart-home recording SRC to tilsyn events (JSON lines on standard output)."""
    home, imported = _import(fmt, src, map_file, heartbeats)
    out = sys.stdout.buffer
    for line in imported.events:
        out.write(line + b"\n")
    out.flush()
    if care_out:
        care_out.write_bytes(imported.care_context + b"\n")
    if notes_out:
        lines = _sim("importers").annotation_lines(imported.annotations, home.time_zone)
        notes_out.write_bytes(b"".join(line + b"\n" for line in lines))
    click.echo(f"{len(imported.events)} events of {home.home}, {imported.start:%Y-%m-%d} .. {imported.end:%Y-%m-%d}, "
               f"{len(imported.annotations)} annotations", err=True)


@click.command(name="eval-real")
@click.option("--datasets", type=click.Path(file_okay=False, path_type=Path),
              help="Folder of the public recordings (default: TILSYN_DATASETS, else ../shared/datasets).")
@click.option("--home", "homes", multiple=True, help="Only these development homes (default: all).")
@click.option("--seeds", type=int, default=4, show_default=True, help="Injection runs per home and pattern.")
@click.option("--max-episodes", type=int, help="At most this many injected episodes per run.")
@click.option("--explain/--no-explain", default=True, help="Print the per-alert explanation tables.")
def eval_real(datasets: Path | None, homes: tuple[str, ...], seeds: int, max_episodes: int | None, explain: bool) -> None:
    """Score the development homes: false alarms on normal life and recall on injected episodes."""
    realhome = _sim("realhome")
    folder = datasets or realhome.datasets_dir(Path(__file__).resolve().parent.parent)
    if not folder.is_dir():
        raise click.ClickException(f"no datasets folder {folder} (set TILSYN_DATASETS)")
    report = realhome.evaluate_all(folder, run_replay, homes or None, range(seeds), max_episodes, explain)
    click.echo(report)
