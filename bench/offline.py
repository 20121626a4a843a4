"""Offline measurements: replay throughput, detector state size, a cProfile of the processor path."""

from __future__ import annotations

import cProfile
import io
import pstats
import statistics
from typing import Any

from bench.common import OUT, log
from bench.data import Dataset
from streams.replay import Replay


def _percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    if not s:
        return float("nan")
    i = min(len(s) - 1, max(0, round(q * (len(s) - 1))))
    return s[i]


def replay(ds: Dataset) -> dict[str, Any]:
    """Replay the cohort's events (care contexts first) through ResidentProcessor, no broker."""
    lines = [raw for _, _, raw in ds.events]
    care = [raw for _, raw in ds.care]
    rp = Replay()
    result = rp.run(lines, care)
    engine = rp.processor.engine
    sizes = [len(engine.dump(st)) for st in rp.processor.states.values()]
    out = {
        "events": result.records,
        "residents": ds.residents,
        "days": ds.days,
        "seconds": round(result.seconds, 2),
        "events_per_s": round(result.events_per_s),
        "alerts": len(result.alerts),
        "invalid": sum(result.invalid.values()),
        "state_bytes_median": statistics.median(sizes) if sizes else None,
        "state_bytes_p95": _percentile([float(x) for x in sizes], 0.95),
        "state_bytes_max": max(sizes) if sizes else None,
    }
    log(f"replay: {out['events']} events in {out['seconds']} s = {out['events_per_s']:,} ev/s; "
        f"state median {out['state_bytes_median']} B, p95 {out['state_bytes_p95']} B")
    return out


def profile(ds: Dataset, n: int, top: int = 25) -> dict[str, Any]:
    """cProfile of the offline processor path over the first ``n`` events."""
    lines = [raw for _, _, raw in ds.events[:n]]
    care = [raw for _, raw in ds.care]
    rp = Replay()
    prof = cProfile.Profile()
    prof.enable()
    rp.run(lines, care)
    prof.disable()
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "replay.pstats"
    prof.dump_stats(str(path))
    stats = pstats.Stats(prof)
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = []
    for (file, line, func), (_cc, nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append({"function": f"{_short(file)}:{line}({func})", "calls": nc,
                     "tottime_s": round(tt, 3), "cumtime_s": round(ct, 3)})
    by_tot = sorted(rows, key=lambda r: -r["tottime_s"])[:top]
    by_cum = sorted(rows, key=lambda r: -r["cumtime_s"])[:top]
    text = io.StringIO()
    pstats.Stats(str(path), stream=text).sort_stats("tottime").print_stats(top)
    (OUT / "replay-profile.txt").write_text(text.getvalue())
    log(f"profile: {n} events, {total:.1f} s under cProfile; written to {path}")
    return {"events": len(lines), "profiled_seconds": round(total, 2), "pstats": str(path.relative_to(OUT.parent.parent)),
            "top_tottime": by_tot, "top_cumtime": by_cum}


def _short(file: str) -> str:
    for marker in ("/site-packages/", "/work/main/"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file


def worker_path(ds: Dataset, batch: int = 1000, n: int | None = None) -> dict[str, Any]:
    """The worker's per-batch CPU work without Kafka: ResidentProcessor.handle, then
    Engine.dump of every resident the batch touched (what _apply writes to the changelog)."""
    import time

    from agents.engine import Engine
    from streams.codec import Limits
    from streams.processor import Record, ResidentProcessor, partition_for

    proc = ResidentProcessor(Engine(), partitions=8, limits=Limits(), clock="event")
    recs = [Record("care-context", partition_for(rid.encode(), 8), i, None, rid.encode(), raw)
            for i, (rid, raw) in enumerate(ds.care)]
    events = ds.events[:n] if n else ds.events
    recs += [Record(topic, partition_for(rid.encode(), 8), i, None, rid.encode(), raw)
             for i, (topic, rid, raw) in enumerate(events)]
    handle_s = dump_s = 0.0
    dumps = dumped_bytes = 0
    engine = proc.engine
    for i in range(0, len(recs), batch):
        t0 = time.perf_counter()
        out = proc.handle(recs[i:i + batch], 0.0)
        t1 = time.perf_counter()
        for rid in out.dirty:
            st = proc.states.get(rid)
            if st is not None:
                dumped_bytes += len(engine.dump(st))
                dumps += 1
        dump_s += time.perf_counter() - t1
        handle_s += t1 - t0
    total = len(recs)
    res = {
        "records": total, "batch": batch, "residents": ds.residents,
        "handle_events_per_s": round(total / handle_s), "handle_plus_dump_events_per_s": round(total / (handle_s + dump_s)),
        "dumps_per_record": round(dumps / total, 3), "changelog_bytes_per_record": round(dumped_bytes / total),
        "handle_us_per_record": round(1e6 * handle_s / total, 1), "dump_us_per_record": round(1e6 * dump_s / total, 1),
    }
    log(f"worker path offline: handle {res['handle_us_per_record']} µs/rec + state dump "
        f"{res['dump_us_per_record']} µs/rec ({res['dumps_per_record']} dumps/rec, "
        f"{res['changelog_bytes_per_record']} changelog B/rec) → {res['handle_plus_dump_events_per_s']:,} ev/s")
    return res
