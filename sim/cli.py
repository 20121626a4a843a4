"""``tilsyn simulate`` and ``tilsyn evaluate``: attached to the main CLI (``tilsyn replay`` is the shell's: streams/replay_cli.py)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click


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

            who = resident or episodes[0].resident_id
            lines = (ln for ln in events_path.read_bytes().splitlines() if ln.strip())
            written.append(ev.timeline(who, lines, episodes, alerts, report_dir / "timeline.png"))
        text += "\n" + "\n".join(f"![{p.stem}]({p.name})" for p in written) + "\n"
    (report_dir / "report.md").write_text(text, encoding="utf-8")
    click.echo(text)
    click.echo(f"wrote {report_dir / 'report.md'} and {len(written)} plot(s)", err=True)


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
