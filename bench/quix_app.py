"""Reference: a Quix Streams app that decodes each record and counts it per key in its state.

What a Python team would pick instead of Faust (https://quix.io/docs/quix-streams/). Stateful
mode keeps a per-resident count in Quix's RocksDB state, checkpointed (offsets committed, state
flushed and its changelog produced) every ``commit_interval``; stateless mode only decodes.
Run as ``python -m bench.quix_app``; environment:
BENCH_BOOTSTRAP (host:port), BENCH_TOPICS (comma-separated), BENCH_N (stop after N records),
BENCH_OUT (JSON result file), BENCH_GROUP (consumer group), BENCH_STATE_DIR, BENCH_STATEFUL (1/0).

The embedded broker (Tansu) needs a short session and heartbeat, as the Faust agents get.
Needs the ``bench`` extra (``pip install 'tilsyn[bench]'``; ``make bench`` installs it).
"""

from __future__ import annotations

import os
import time
from typing import Any

import orjson
from quixstreams import Application, State

N = int(os.environ.get("BENCH_N", "100000"))
OUT = os.environ.get("BENCH_OUT", "quix.json")
STATEFUL = os.environ.get("BENCH_STATEFUL", "1") == "1"
COMMIT_INTERVAL_S = 1.0
"""Checkpoint interval: the same 1 s as the naive Faust agent's commit interval."""

_seen = 0
_first = 0.0
_last = 0.0


def _tick() -> None:
    global _seen, _first, _last
    _seen += 1
    if _seen == 1:
        _first = time.perf_counter()
    if _seen == N:
        _last = time.perf_counter()


def count_per_key(value: Any, state: State) -> int:
    """The per-resident count, kept in the partition's RocksDB state."""
    n = int(state.get("count", 0)) + 1
    state.set("count", n)
    _tick()
    return n


def decode_only(value: Any) -> Any:
    _tick()
    return value


def main() -> None:
    app = Application(
        broker_address=os.environ.get("BENCH_BOOTSTRAP", "127.0.0.1:9092"),
        consumer_group=os.environ.get("BENCH_GROUP", "bench-quix"),
        auto_offset_reset="earliest",
        commit_interval=COMMIT_INTERVAL_S,
        state_dir=os.environ.get("BENCH_STATE_DIR", "bench/out/quix-state"),
        consumer_extra_config={"session.timeout.ms": 6000, "heartbeat.interval.ms": 500},
        loglevel="WARNING",
    )
    for name in os.environ.get("BENCH_TOPICS", "sensor-events").split(","):
        sdf = app.dataframe(app.topic(name, value_deserializer="json", key_deserializer="str"))
        if STATEFUL:
            sdf.apply(count_per_key, stateful=True)
        else:
            sdf.apply(decode_only)
    app.run(count=N, collect=False)
    dt = _last - _first
    with open(OUT, "wb") as fh:
        fh.write(orjson.dumps({"records": _seen, "seconds": dt, "events_per_s": (N - 1) / dt if dt > 0 else 0.0}))


if __name__ == "__main__":
    main()
