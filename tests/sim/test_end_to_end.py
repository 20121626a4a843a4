"""simulate → replay → evaluate through the command line, as a user would run it."""

from __future__ import annotations

from pathlib import Path

import orjson
from click.testing import CliRunner

from streams.cli import main


def test_simulate_replay_evaluate(tmp_path: Path) -> None:
    run = CliRunner()
    out = tmp_path / "sim"
    res = run.invoke(main, ["simulate", "--residents", "12", "--days", "10", "--seed", "5",
                            "--episode-rate", "1.0", "--out", str(out)])
    assert res.exit_code == 0, res.output
    truth = [orjson.loads(line) for line in (out / "truth.jsonl").read_bytes().splitlines()]
    assert "cohort" in truth[0] and len(truth) > 1
    alerts = tmp_path / "alerts.jsonl"
    res = run.invoke(main, ["replay", str(out / "events.jsonl"), "--care-context", str(out / "care-context.jsonl"),
                            "--out", str(alerts), "--no-progress"])
    assert res.exit_code == 0, res.output
    assert "invalid: 0" in res.output
    report = tmp_path / "report"
    res = run.invoke(main, ["evaluate", "--alerts", str(alerts), "--truth", str(out / "truth.jsonl"),
                            "--events", str(out / "events.jsonl"), "--report", str(report)])
    assert res.exit_code == 0, res.output
    text = (report / "report.md").read_text()
    assert "| pattern | episodes | detected | recall |" in text
    for png in ("precision-recall.png", "detection-delay.png", "timeline.png"):
        assert (report / png).stat().st_size > 10_000, png
    # every injected acute safety episode in this cohort is found
    rows = {line.split("|")[1].strip(): line for line in text.splitlines() if line.startswith("| ")}
    for pattern in ("long_bathroom_stay", "safety_alarm", "night_wandering"):
        if pattern in rows and rows[pattern].split("|")[2].strip() not in ("0", ""):
            assert "100.0 %" in rows[pattern].split("|")[4], rows[pattern]
