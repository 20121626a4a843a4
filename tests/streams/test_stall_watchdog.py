"""A worker that stops consuming while input waits reports itself unhealthy."""

from __future__ import annotations

import time
from pathlib import Path

from streams.app import STALL_AFTER_S, TilsynApp
from streams.settings import Settings


def test_waiting_input_without_progress_marks_the_worker_stalled(tmp_path: Path) -> None:
    app = TilsynApp(Settings.from_env({"TILSYN_DATA_DIR": str(tmp_path)}))
    app._check_stall(waiting=500)
    assert app._stalled_s is None, "fresh progress: not stalled"
    app._progress_at = time.monotonic() - STALL_AFTER_S - 1
    app._check_stall(waiting=500)
    assert app._stalled_s is not None and app._stalled_s >= STALL_AFTER_S
    # nothing waiting (all committed) clears it: an idle worker is healthy
    app._check_stall(waiting=0)
    assert app._stalled_s is None
    app._progress_at = time.monotonic() - STALL_AFTER_S - 1
    app._check_stall(waiting=0)
    assert app._stalled_s is None
