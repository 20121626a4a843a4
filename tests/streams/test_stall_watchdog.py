"""A worker whose commits stop moving while input waits reports itself unhealthy."""

from __future__ import annotations

import time
from pathlib import Path

from streams.app import TilsynApp
from streams.settings import Settings


def test_waiting_input_with_commits_standing_still_marks_the_worker_stalled(tmp_path: Path) -> None:
    app = TilsynApp(Settings.from_env({"TILSYN_DATA_DIR": str(tmp_path)}))
    limit = app.settings.stall_after_s
    app._check_stall(waiting=500, committed_total=1000)
    assert app._stalled_s is None, "commits just moved: not stalled"
    app._progress_at = time.monotonic() - limit - 1
    app._check_stall(waiting=500, committed_total=1000)
    assert app._stalled_s is not None and app._stalled_s >= limit
    # commits moving again clears it, even with input still waiting
    app._check_stall(waiting=400, committed_total=1100)
    assert app._stalled_s is None
    # nothing waiting (all committed): an idle worker is healthy however long it idles
    app._progress_at = time.monotonic() - limit - 1
    app._check_stall(waiting=0, committed_total=1100)
    assert app._stalled_s is None


def test_only_health_and_metrics_are_served(tmp_path: Path) -> None:
    """Faust's router, table, graph and statistics views stay off (they show resident ids)."""
    conf = TilsynApp(Settings.from_env({"TILSYN_DATA_DIR": str(tmp_path)})).app.conf
    assert not (conf.web_router_enabled or conf.web_tables_enabled or conf.web_graph_enabled
                or conf.web_stats_enabled or conf.web_metrics_enabled)
