"""``tilsyn simulate`` and ``tilsyn evaluate``: attached to the main CLI (``tilsyn replay`` is the shell's: streams/replay_cli.py)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click


@click.command()
@click.option("--alerts", "alerts_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--truth", "truth_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Ground truth of a simulation (tilsyn simulate).")
@click.option("--annotations", "notes_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Instead of --truth: activity annotations of a real home (tilsyn import --annotations); "
              "every high alert on a normal day is a false alarm, each explained by the annotations around it.")
@click.option("--map", "map_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="With --annotations: the home's sensor map (time zone, residents).")
@click.option("--report", "report_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("report"),
              show_default=True, help="Directory for report.md and the PNG plots.")
@click.option("--events", "events_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Events file, for the resident timeline plot.")
@click.option("--resident", help="Resident for the timeline plot (default: the first with an episode).")
@click.option("--plots/--no-plots", default=True)
def evaluate(
    alerts_path: Path, truth_path: Path | None, notes_path: Path | None, map_path: Path | None, report_dir: Path,
    events_path: Path | None, resident: str | None, plots: bool,
) -> None:
    """Score alerts against ground truth (recall, precision, delay, burden) or against a real home's annotations."""
    from sim import evaluate as ev

    if notes_path is not None:
        _against_annotations(alerts_path, notes_path, map_path)
        return
    if truth_path is None:
        raise click.UsageError("give --truth (a simulation) or --annotations with --map (a real home)")
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

            who = resident or episodes[0].resident_id
            lines = (ln for ln in events_path.read_bytes().splitlines() if ln.strip())
            written.append(ev.timeline(who, lines, episodes, alerts, report_dir / "timeline.png"))
        text += "\n" + "\n".join(f"![{p.stem}]({p.name})" for p in written) + "\n"
    (report_dir / "report.md").write_text(text, encoding="utf-8")
    click.echo(text)
    click.echo(f"wrote {report_dir / 'report.md'} and {len(written)} plot(s)", err=True)


def _against_annotations(alerts_path: Path, notes_path: Path, map_path: Path | None) -> None:
    from sim import evaluate as ev
    from sim import realhome
    from sim.importers import HomeMap, ImportError_

    if map_path is None:
        raise click.UsageError("--annotations needs --map (the home's sensor map)")
    try:
        home = HomeMap.load(map_path)
    except ImportError_ as exc:
        raise click.ClickException(str(exc)) from None
    alerts = ev.load_alerts(alerts_path)
    notes = realhome.read_annotations(ln for ln in notes_path.read_bytes().splitlines() if ln.strip())
    if not notes and not alerts:
        raise click.ClickException("no annotations and no alerts: nothing to score")
    tz = ZoneInfo(home.time_zone)
    times = [n.start.replace(tzinfo=tz) for n in notes] + [n.end.replace(tzinfo=tz) for n in notes] + [a.time for a in alerts]
    s = realhome.score_span(home, notes, min(times), max(times), alerts, heartbeats=False)
    click.echo(f"{home.home}: {s.days:.1f} days, {len(s.high)} high alerts ({s.high_per_month:.2f} per home-month, "
               f"each a false alarm unless the annotations show something unusual), {len(s.non_urgent)} non-urgent "
               f"({s.non_urgent_per_week:.2f} per resident-week)\n")
    click.echo(realhome.explanation_table(s, home.time_zone) if s.explanations else "no alerts")


def register(main: click.Group) -> None:
    """Attach the simulation and evaluation commands to ``tilsyn``."""
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
