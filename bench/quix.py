"""Runs bench/quix_app.py (Quix Streams) as a subprocess on the pre-produced records."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess  # nosec B404
import sys
import time
from typing import Any

import orjson

from bench.common import OUT, ROOT, log


def available() -> bool:
    """Quix Streams is installed (the ``bench`` extra)."""
    return importlib.util.find_spec("quixstreams") is not None


def _once(bootstrap: str, topics: list[str], n: int, stateful: bool, timeout: float) -> dict[str, Any]:
    mode = "stateful" if stateful else "stateless"
    result = OUT / f"quix-{mode}.json"
    result.unlink(missing_ok=True)
    group = f"bench-quix-{mode}-{int(time.time())}"
    state_dir = OUT / f"quix-state-{group}"
    env = {
        **os.environ, "BENCH_BOOTSTRAP": bootstrap, "BENCH_TOPICS": ",".join(topics), "BENCH_N": str(n),
        "BENCH_OUT": str(result), "BENCH_GROUP": group, "BENCH_STATE_DIR": str(state_dir),
        "BENCH_STATEFUL": "1" if stateful else "0", "PYTHONUNBUFFERED": "1",
    }
    log_path = OUT / f"quix-{mode}.log"
    t0 = time.monotonic()
    with log_path.open("wb") as fh:
        proc = subprocess.Popen(  # nosec B603
            [sys.executable, "-m", "bench.quix_app"], cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT,
        )
    try:
        code = proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)
        raise RuntimeError(f"Quix ({mode}) did not process {n} records within {timeout:.0f} s; see {log_path}") from None
    finally:
        shutil.rmtree(state_dir, ignore_errors=True)
    if code != 0 or not result.exists():
        raise RuntimeError(f"Quix ({mode}) exited with {code}; see {log_path}")
    data = orjson.loads(result.read_bytes())
    out = {"records": data["records"], "seconds": round(data["seconds"], 2),
           "events_per_s": round(data["events_per_s"]), "wall_incl_startup_s": round(time.monotonic() - t0, 1)}
    log(f"Quix Streams {mode}: {out['records']} records in {out['seconds']} s = {out['events_per_s']:,} ev/s")
    return out


def run(bootstrap: str, topics: list[str], n: int, timeout: float = 300.0) -> dict[str, Any]:
    """Per-key count in RocksDB state, checkpointed each second (the reference), and decode-only."""
    if not available():
        raise RuntimeError("quixstreams is not installed: `make bench` installs the `bench` extra")
    OUT.mkdir(parents=True, exist_ok=True)
    stateful = _once(bootstrap, topics, n, stateful=True, timeout=timeout)
    stateless = _once(bootstrap, topics, n, stateful=False, timeout=timeout)
    return {**stateful, "stateless_events_per_s": stateless["events_per_s"], "stateless": stateless}
