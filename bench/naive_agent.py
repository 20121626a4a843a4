"""Baseline: a naive Faust agent (``async for event in stream``) that decodes and counts.

Run as ``python -m bench.naive_agent worker``; environment:
BENCH_BROKER (kafka://host:port), BENCH_TOPIC, BENCH_N (stop counting after N),
BENCH_OUT (JSON result file), BENCH_APP_ID, BENCH_PORT (web port).
Same fast-rebalance settings as a tilsyn worker, so joining the group is quick.
"""

from __future__ import annotations

import os
import time

import faust
import orjson

N = int(os.environ.get("BENCH_N", "60000"))
OUT = os.environ.get("BENCH_OUT", "naive.json")

app = faust.App(
    os.environ.get("BENCH_APP_ID", "bench-naive"),
    broker=os.environ.get("BENCH_BROKER", "kafka://127.0.0.1:9092"),
    store="memory://",
    datadir=os.environ.get("BENCH_DATA_DIR", "bench/out/naive-data"),
    web_port=int(os.environ.get("BENCH_PORT", "6066")),
    web_bind="127.0.0.1",
    web_host="127.0.0.1",
    consumer_auto_offset_reset="earliest",
    broker_session_timeout=6.0,
    broker_heartbeat_interval=0.5,
    broker_rebalance_timeout=6.0,
    broker_commit_interval=1.0,
    topic_allow_declare=False,
    topic_disable_leader=True,
    key_serializer="raw",
    value_serializer="raw",
)
topic = app.topic(os.environ.get("BENCH_TOPIC", "sensor-events"), key_serializer="raw", value_serializer="raw")


@app.agent(topic)
async def count(stream: faust.StreamT) -> None:
    n = 0
    first = 0.0
    async for event in stream:
        orjson.loads(event)
        if n == 0:
            first = time.perf_counter()
        n += 1
        if n == N:
            dt = time.perf_counter() - first
            with open(OUT, "wb") as fh:
                fh.write(orjson.dumps({"records": n, "seconds": dt, "events_per_s": (n - 1) / dt}))


if __name__ == "__main__":
    app.main()
