"""Runs bench/naive_agent.py as a subprocess and waits for its result."""

from __future__ import annotations

import os
import subprocess  # nosec B404
import sys
import time
from typing import Any

import orjson

from bench.common import OUT, ROOT, log
from streams.broker import free_port


def run(broker_url: str, topic: str, n: int, timeout: float = 240.0) -> dict[str, Any]:
    OUT.mkdir(parents=True, exist_ok=True)
    result = OUT / "naive.json"
    result.unlink(missing_ok=True)
    app_id = f"bench-naive-{int(time.time())}"
    env = {
        **os.environ, "BENCH_BROKER": broker_url, "BENCH_TOPIC": topic, "BENCH_N": str(n),
        "BENCH_OUT": str(result), "BENCH_APP_ID": app_id, "BENCH_PORT": str(free_port()),
        "BENCH_DATA_DIR": str(OUT / f"data-{app_id}"), "PYTHONUNBUFFERED": "1",
    }
    log_path = OUT / "naive-agent.log"
    t0 = time.monotonic()
    with log_path.open("wb") as fh:
        proc = subprocess.Popen(  # nosec B603
            [sys.executable, "-m", "bench.naive_agent", "worker", "-l", "warn"],
            cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT,
        )
    try:
        while time.monotonic() - t0 < timeout and not result.exists():
            if proc.poll() is not None:
                raise RuntimeError(f"naive agent exited with {proc.returncode}; see {log_path}")
            time.sleep(0.5)
        time.sleep(0.2)
        if not result.exists():
            raise RuntimeError(f"naive agent did not consume {n} records within {timeout} s; see {log_path}")
        data = orjson.loads(result.read_bytes())
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    out = {"records": data["records"], "seconds": round(data["seconds"], 2),
           "events_per_s": round(data["events_per_s"]), "wall_incl_startup_s": round(time.monotonic() - t0, 1)}
    log(f"naive Faust agent: {out['records']} records in {out['seconds']} s = {out['events_per_s']:,} ev/s")
    return out
