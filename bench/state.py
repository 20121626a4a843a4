"""Where a resident's stored state goes: size per part, and what reading it back costs.

Runs the worker's own processor (no broker) over a simulated cohort, then dumps every
resident's state with :meth:`Engine.dump` and splits the stored bytes into their parts
(the desk's book, the home model, the seen event ids, each detector) by encoding each
part alone with the codec of the stored format. ``Engine.load`` is timed per state.

``python -m bench --only state`` runs this phase alone; ``python -m bench.state`` too.
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from typing import Any

import msgspec
import orjson

from agents.engine import HEADER_SIZE, Engine, ResidentState, peek
from bench.common import log
from bench.data import Dataset
from streams.codec import Limits
from streams.processor import Record, ResidentProcessor, partition_for


def _percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    if not s:
        return float("nan")
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


def cohort_states(ds: Dataset, partitions: int = 8) -> tuple[Engine, dict[str, ResidentState]]:
    """Every resident's state after the cohort's care contexts and events went through the processor."""
    proc = ResidentProcessor(Engine(), partitions=partitions, limits=Limits(), clock="event")
    recs = [Record("care-context", partition_for(rid.encode(), partitions), i, None, rid.encode(), raw)
            for i, (rid, raw) in enumerate(ds.care)]
    recs += [Record(topic, partition_for(rid.encode(), partitions), i, None, rid.encode(), raw)
             for i, (topic, rid, raw) in enumerate(ds.events)]
    for i in range(0, len(recs), 1000):
        proc.handle(recs[i:i + 1000], 0.0)
    return proc.engine, dict(proc.states)


_V1_PARTS = {"r": "resident id", "w": "watermarks", "wd": "watermarks", "s": "seen event ids",
             "b": "alert book", "h": "home model", "f": "faults"}
_V2_PARTS = ("resident id", "watermarks", "seen event ids", "d", "alert book", "home model", "faults")
"""Format 2 stores a resident positionally (``agents.engine._stored_types``)."""


def parts(raw: bytes) -> dict[str, int]:
    """Bytes of each part of one stored state (format 1: JSON object, format 2: msgpack array)."""
    body = raw[HEADER_SIZE:]
    if raw[0] == 1:
        data, enc = orjson.loads(body), orjson.dumps
        items = [(_V1_PARTS.get(k, k), k, v) for k, v in data.items()]
    else:
        data, enc = msgspec.msgpack.decode(body), msgspec.msgpack.encode
        items = [(name, None, v) for name, v in zip(_V2_PARTS, data, strict=False)]
    out: dict[str, int] = defaultdict(int)
    for name, key, v in items:
        if name == "d":
            for det, dv in v.items():
                out[f"detector {det}"] += len(enc(det)) + len(enc(dv))
        else:
            out[name] += (len(enc(key)) if key is not None else 0) + len(enc(v))
    out["header + framing"] = len(raw) - sum(out.values())
    return dict(out)


def measure(ds: Dataset, load_repeats: int = 5) -> dict[str, Any]:
    """State size median/p95, median bytes per part, ``Engine.load`` and ``Engine.dump`` µs per state (median)."""
    t0 = time.perf_counter()
    engine, states = cohort_states(ds)
    run_s = time.perf_counter() - t0
    raws = {rid: engine.dump(st) for rid, st in states.items()}
    care = {rid: engine.dump_care(st) for rid, st in states.items()}
    sizes = [len(r) for r in raws.values()]
    per_part: dict[str, list[int]] = defaultdict(list)
    for raw in raws.values():
        for k, v in parts(raw).items():
            per_part[k].append(v)
    n = len(raws)
    part_median = {k: statistics.median(v + [0] * (n - len(v))) for k, v in per_part.items()}
    part_mean = {k: round(sum(v) / n, 1) for k, v in per_part.items()}
    load_us: list[float] = []
    for _ in range(load_repeats):
        for rid, raw in raws.items():
            t = time.perf_counter()
            engine.load(raw, care[rid])
            load_us.append(1e6 * (time.perf_counter() - t))
    dump_us: list[float] = []
    for st in states.values():
        t = time.perf_counter()
        engine.dump(st)
        dump_us.append(1e6 * (time.perf_counter() - t))
    peek_t = time.perf_counter()
    for raw in raws.values():
        peek(raw)
    peek_us = 1e6 * (time.perf_counter() - peek_t) / max(1, n)
    care_sizes = [len(c) for c in care.values() if c is not None]
    out = {
        "residents": n, "days": ds.days, "events": len(ds.events), "processor_seconds": round(run_s, 1),
        "state_bytes_median": statistics.median(sizes) if sizes else None,
        "state_bytes_p95": _percentile([float(x) for x in sizes], 0.95),
        "state_bytes_max": max(sizes) if sizes else None,
        "care_bytes_median": statistics.median(care_sizes) if care_sizes else None,
        "part_bytes_median": dict(sorted(part_median.items(), key=lambda kv: -kv[1])),
        "part_bytes_mean": dict(sorted(part_mean.items(), key=lambda kv: -kv[1])),
        "load_us_median": round(statistics.median(load_us), 1) if load_us else None,
        "load_us_p95": round(_percentile(load_us, 0.95), 1) if load_us else None,
        "dump_us_median": round(statistics.median(dump_us), 1) if dump_us else None,
        "peek_us": round(peek_us, 2),
        "format": next(iter(raws.values()))[0] if raws else None,
    }
    log(f"state: median {out['state_bytes_median']} B, p95 {out['state_bytes_p95']} B over {n} residents "
        f"after {ds.days} days; Engine.load median {out['load_us_median']} µs, dump {out['dump_us_median']} µs")
    for k, v in out["part_bytes_median"].items():
        log(f"  {k:<34} median {v:>7} B  mean {part_mean[k]:>8} B")
    return out


def main() -> None:
    import argparse
    import json

    from bench import data

    ap = argparse.ArgumentParser(prog="python -m bench.state", description=__doc__)
    ap.add_argument("--residents", type=int, default=50)
    ap.add_argument("--days", type=int, default=14)
    args = ap.parse_args()
    ds = data.cohort(args.residents, args.days, seed=23)
    print(json.dumps(measure(ds), indent=2))


if __name__ == "__main__":
    main()
