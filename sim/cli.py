"""``tilsyn simulate``, ``tilsyn replay`` and ``tilsyn evaluate``: attached to the main CLI."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click


def _pairs(values: tuple[str, ...], what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for v in values:
        name, sep, rest = v.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{what} must look like field=value, got {v!r}")
        out[name] = rest
    return out


@click.command()
@click.argument("events", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--care-context", "care", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="JSON-lines file of care contexts, loaded before the events.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write alerts here (JSON lines).")
@click.option("--dead-letter", type=click.Path(dir_okay=False, path_type=Path),
              help="Write rejected records here (JSON lines: reason and original text).")
@click.option("--format", "fmt", type=click.Choice(["auto", "jsonl", "csv"]), default="auto", show_default=True)
@click.option("--map", "mapping", multiple=True, metavar="FIELD=COLUMN", help="CSV: schema field from a column.")
@click.option("--set", "constants", multiple=True, metavar="FIELD=VALUE", help="CSV: a fixed field value.")
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
    mapping: tuple[str, ...], constants: tuple[str, ...], until: str | None, tick_s: float, progress: bool,
    indicators_path: Path | None = None, simulated_acks: bool = False,
) -> None:
    """Run validation, every detector and the alert desk over EVENTS offline, in event-time order."""
    import orjson

    from sim.replay import Replay, in_time_order, read_csv, read_jsonl, write_alerts

    if fmt == "csv" or (fmt == "auto" and events.suffix.lower() == ".csv"):
        try:
            lines = list(read_csv(events, _pairs(mapping, "--map"), _pairs(constants, "--set")))
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
    else:
        lines = list(read_jsonl(events))
    lines = in_time_order(lines)
    care_lines = list(read_jsonl(care)) if care else []
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
    from streams.clierrors import fail_if_all_rejected

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


@click.command()
@click.option("--alerts", "alerts_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--truth", "truth_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--report", "report_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("report"),
              show_default=True, help="Directory for report.md and the PNG plots.")
@click.option("--events", "events_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Events file, for the resident timeline plot.")
@click.option("--resident", help="Resident for the timeline plot (default: the first with an episode).")
@click.option("--plots/--no-plots", default=True)
def evaluate(
    alerts_path: Path, truth_path: Path, report_dir: Path, events_path: Path | None,
    resident: str | None, plots: bool,
) -> None:
    """Score alerts against ground truth: recall, precision, delay, alert burden."""
    from sim import evaluate as ev

    episodes, meta = ev.load_truth(truth_path)
    alerts = ev.load_alerts(alerts_path)
    residents, start, end = ev.cohort_span(meta, alerts, episodes)
    result = ev.evaluate(alerts, episodes, residents, start, end)
    report_dir.mkdir(parents=True, exist_ok=True)
    text = ev.markdown(result)
    written = []
    if plots:
        written = ev.plots(result, report_dir)
        if events_path is not None and (resident or episodes):
            from sim.replay import read_jsonl

            who = resident or episodes[0].resident_id
            written.append(ev.timeline(who, read_jsonl(events_path), episodes, alerts, report_dir / "timeline.png"))
        text += "\n" + "\n".join(f"![{p.stem}]({p.name})" for p in written) + "\n"
    (report_dir / "report.md").write_text(text, encoding="utf-8")
    click.echo(text)
    click.echo(f"wrote {report_dir / 'report.md'} and {len(written)} plot(s)", err=True)


def register(main: click.Group) -> None:
    """Attach the simulation, replay and evaluation commands to ``tilsyn``."""
    main.add_command(replay)
    main.add_command(evaluate)
    try:
        from sim.simulate_cli import simulate
    except ImportError:  # pragma: no cover - simulator not built yet
        return
    main.add_command(simulate)


def _now() -> datetime:  # pragma: no cover - used by commands that default to today
    return datetime.now(UTC)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(0)
