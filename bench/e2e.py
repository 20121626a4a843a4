"""The tilsyn worker end to end on the embedded broker: throughput, latency, memory, recovery."""

from __future__ import annotations

import asyncio
import itertools
import signal
import time
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from bench.common import PARTITIONS, Worker, cpu_seconds, create_topics, log, metric_sum, produce, rss_kib
from bench.data import Dataset, care_for, care_template, iso
from streams.topics import ALERT_TOPICS, CARE_CONTEXT, INPUT_TOPICS, SAFETY_EVENTS, SENSOR_EVENTS


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


async def committed(bootstrap: str, group: str, topics: set[str]) -> int | None:
    """Records committed by a consumer group over ``topics`` (None: the broker would not say)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        total = 0
        for t in sorted(topics):
            for p in range(PARTITIONS):
                off = await consumer.committed(TopicPartition(t, p))
                total += max(0, off or 0)
        return total
    except Exception as exc:  # Tansu's OffsetFetch outside a joined group is not guaranteed
        log(f"committed offsets of {group} not readable: {type(exc).__name__}: {exc}")
        return None
    finally:
        await consumer.stop()


def preproduce(bootstrap: str, broker_url: str, prefix: str, ds: Dataset) -> dict[str, Any]:
    """Create the topics and write care contexts, then every event, keyed by resident."""
    create_topics(broker_url, prefix)
    t0 = time.perf_counter()
    records = itertools.chain(
        ((prefix + CARE_CONTEXT, rid.encode(), raw) for rid, raw in ds.care),
        ((prefix + topic, rid.encode(), raw) for topic, rid, raw in ds.events),
    )
    n = asyncio.run(produce(bootstrap, records))
    dt = time.perf_counter() - t0
    log(f"pre-produced {n} records in {dt:.1f} s ({n / dt:,.0f} rec/s)")
    return {"records": n, "seconds": round(dt, 1), "producer_rec_per_s": round(n / dt)}


def throughput(bootstrap: str, broker_url: str, prefix: str, ds: Dataset, timeout: float) -> dict[str, Any]:
    """Start a worker on the backlog; sustained rate from its tilsyn_events_in_total."""
    total = len(ds.care) + len(ds.events)
    app_id = f"bench-tp-{int(time.time())}"
    w = Worker.create("throughput", broker_url, prefix, app_id, clock="event").start()
    samples: list[tuple[float, float]] = []
    try:
        deadline = time.monotonic() + timeout
        count = 0.0
        while time.monotonic() < deadline and count < total:
            if w.process is not None and w.process.poll() is not None:
                raise RuntimeError(f"worker exited:\n{w.tail()}")
            count = w.events_in()
            if count >= 0:
                samples.append((time.monotonic(), count))
            time.sleep(0.5)
        cpu = cpu_seconds(w.pid)
        rss = rss_kib(w.pid)
        ready_s = w.wait_ready(timeout=30)
        done: int | None = 0
        for _ in range(20):
            done = asyncio.run(committed(bootstrap, app_id, {prefix + t for t in INPUT_TOPICS}))
            if done is None or done >= total:
                break
            time.sleep(0.5)
        m = w.metrics()
    finally:
        w.kill()
    lo, hi = 0.1 * total, 0.9 * total
    window = [s for s in samples if lo <= s[1] <= hi] or samples
    if len(window) >= 2:
        (t1, c1), (t2, c2) = window[0], window[-1]
        rate = (c2 - c1) / (t2 - t1) if t2 > t1 else 0.0
    else:
        rate = 0.0
    first = next((s for s in samples if s[1] > 0), None)
    last = samples[-1] if samples else None
    overall = (last[1] - 0) / (last[0] - first[0]) if first and last and last[0] > first[0] else 0.0
    batches = metric_sum(m, "tilsyn_batch_size_records_count")
    out = {
        "records": total, "events_in": samples[-1][1] if samples else 0, "committed": done,
        "sustained_events_per_s": round(rate), "overall_events_per_s": round(overall),
        "worker_cpu_s": round(cpu or 0, 1), "worker_rss_mib": round((rss or 0) / 1024, 1),
        "mean_batch": round(metric_sum(m, "tilsyn_batch_size_records_sum") / batches, 1) if batches else None,
        "ready_after_s": round(ready_s, 1), "alerts": metric_sum(m, "tilsyn_alerts_total"),
        "complete": bool(samples and samples[-1][1] >= total),
    }
    log(f"worker throughput: {out['sustained_events_per_s']:,} ev/s sustained "
        f"({out['events_in']:.0f}/{total} in, {done} committed, mean batch {out['mean_batch']})")
    return out


def _hist_quantile(m: dict[str, float], name: str, q: float, **labels: str) -> float | None:
    """Upper bound of the histogram bucket holding quantile ``q`` (Prometheus-style, no interpolation)."""
    buckets = []
    for key, v in m.items():
        if not key.startswith(name + "_bucket{"):
            continue
        if not all(f'{k}="{val}"' in key for k, val in labels.items()):
            continue
        le = key.split('le="', 1)[1].split('"', 1)[0]
        buckets.append((float("inf") if le == "+Inf" else float(le), v))
    buckets.sort()
    if not buckets or buckets[-1][1] == 0:
        return None
    target = q * buckets[-1][1]
    for le, v in buckets:
        if v >= target:
            return le
    return None


async def _latency_run(bootstrap: str, prefix: str, ds: Dataset, rate: float, duration: float,
                       alarm_every: float, probe_every: float, probe_ahead: float) -> dict[str, Any]:
    templates = [orjson.loads(raw) for _, _, raw in ds.events[:50000]]
    topics = {SENSOR_EVENTS: prefix + SENSOR_EVENTS, "measurements": prefix + "measurements"}
    tmpl_topics = [topics.get(t, prefix + t) for t, _, _ in ds.events[:50000]]
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                fetch_max_wait_ms=5, auto_offset_reset="latest")
    await consumer.start()
    # the alarm topic too: when a plain consumer sees the press is the broker's floor under the same load
    consumer.assign([TopicPartition(prefix + t, p) for t in (*ALERT_TOPICS, SAFETY_EVENTS) for p in range(PARTITIONS)])
    await consumer.seek_to_end()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=2)
    await producer.start()
    sent_alarm: dict[str, float] = {}
    probe_due: dict[str, float] = {}
    seen: dict[str, float] = {}
    visible: dict[str, float] = {}
    stop = asyncio.Event()

    async def consume() -> None:
        while not stop.is_set():
            batch = await consumer.getmany(timeout_ms=50)
            now = time.time()
            for tp, msgs in batch.items():
                for msg in msgs:
                    key = (msg.key or b"").decode()
                    if tp.topic == prefix + SAFETY_EVENTS:
                        visible.setdefault(key, now)
                        continue
                    if (key.startswith("alarm-") or key.startswith("bath-")) and key not in seen:
                        seen[key] = now

    # bathroom probes are residents with a sensor kit (a care context from the simulator's template):
    # a long bathroom stay needs presence sensing in the bathroom, a flush alone is not presence
    template = care_template()
    n_probes = int(duration / probe_every) + 1
    await asyncio.gather(*[
        await producer.send(prefix + CARE_CONTEXT, template.replace(b"r-000000", f"bath-{i:04d}".encode()),
                            key=f"bath-{i:04d}".encode())
        for i in range(n_probes)
    ])
    await asyncio.sleep(2.0)  # the worker reads the care contexts before the probes' sensor events
    reader = asyncio.create_task(consume())
    sent = 0
    alarms = probes = 0
    seq = itertools.count()
    start = time.time()
    next_alarm = start + 1.0
    next_probe = start + 2.0
    pending: list[Any] = []
    try:
        while True:
            now = time.time()
            elapsed = now - start
            if elapsed >= duration:
                break
            stamp = iso(now)
            due = int(rate * elapsed) - sent
            for _ in range(max(0, due)):
                i = next(seq)
                d = templates[i % len(templates)]
                d["time"] = stamp
                d["event_id"] = f"lat-{i}"
                pending.append(await producer.send(tmpl_topics[i % len(templates)], orjson.dumps(d),
                                                   key=d["resident_id"].encode()))
                sent += 1
            if now >= next_alarm:
                rid = f"alarm-{alarms:05d}"
                alarms += 1
                ev = {"kind": "alarm_button", "device_id": f"{rid}-pendant", "source": "pendant",
                      "event_id": f"{rid}-1", "resident_id": rid, "time": iso(time.time())}
                sent_alarm[rid] = time.time()
                # the alarm lane: presses and falls have their own topic (streams/topics.py SAFETY_EVENTS)
                pending.append(await producer.send(prefix + SAFETY_EVENTS, orjson.dumps(ev), key=rid.encode()))
                next_alarm += alarm_every
            if now >= next_probe and elapsed < duration - probe_ahead - 10:
                rid = f"bath-{probes:04d}"
                probes += 1
                entry = int(time.time()) - 2700 + int(probe_ahead)
                for n, (room, t) in enumerate((("hallway", entry - 60), ("bathroom", entry))):
                    ev = {"kind": "motion", "device_id": f"{rid}-pir-{room}", "room": room,
                          "event_id": f"{rid}-{n}", "resident_id": rid, "time": iso(t)}
                    pending.append(await producer.send(prefix + SENSOR_EVENTS, orjson.dumps(ev), key=rid.encode()))
                probe_due[rid] = entry + 2700.0
                next_probe += probe_every
            if len(pending) > 2000:
                await asyncio.gather(*pending)
                pending.clear()
            await asyncio.sleep(0.005)
        await asyncio.gather(*pending)
        produced_s = time.time() - start
        end = time.time() + 5
        while time.time() < end and not (set(sent_alarm) | set(probe_due)) <= set(seen):
            await asyncio.sleep(0.1)
    finally:
        stop.set()
        await reader
        await producer.stop()
        await consumer.stop()
    lat = [seen[r] - t for r, t in sent_alarm.items() if r in seen]
    floor = [visible[r] - t for r, t in sent_alarm.items() if r in visible]
    delay = [seen[r] - t for r, t in probe_due.items() if r in seen]
    return {
        "target_rate": round(rate), "achieved_rate": round(sent / produced_s), "seconds": round(produced_s, 1),
        "alarms_sent": len(sent_alarm), "alarm_alerts_seen": len(lat),
        "event_alert_p50_ms": round(1000 * (_pct(lat, 0.5) or float("nan")), 1),
        "event_alert_p99_ms": round(1000 * (_pct(lat, 0.99) or float("nan")), 1),
        "event_alert_max_ms": round(1000 * max(lat), 1) if lat else None,
        "broker_floor_p50_ms": round(1000 * (_pct(floor, 0.5) or float("nan")), 1),
        "broker_floor_p99_ms": round(1000 * (_pct(floor, 0.99) or float("nan")), 1),
        "bathroom_probes": len(probe_due), "bathroom_alerts_seen": len(delay),
        "tick_delay_p50_s": round(_pct(delay, 0.5) or float("nan"), 2),
        "tick_delay_max_s": round(max(delay), 2) if delay else None,
    }


def latency(bootstrap: str, broker_url: str, prefix: str, ds: Dataset, rate: float, duration: float) -> dict[str, Any]:
    """Wall-clock worker under a steady load of ``rate``: alarm → alert latency, bathroom tick delay."""
    create_topics(broker_url, prefix)
    app_id = f"bench-lat-{int(time.time())}"
    w = Worker.create("latency", broker_url, prefix, app_id, clock="wall").start()
    try:
        ready_s = w.wait_ready()
        cpu0 = cpu_seconds(w.pid) or 0.0
        out = asyncio.run(_latency_run(bootstrap, prefix, ds, rate, duration, alarm_every=0.25,
                                       probe_every=3.0, probe_ahead=5.0))
        cpu1 = cpu_seconds(w.pid) or 0.0
        m = w.metrics()
    finally:
        w.kill()
    out["ready_after_s"] = round(ready_s, 1)
    out["worker_cpu_share"] = round((cpu1 - cpu0) / max(1e-9, out["seconds"] + 5), 2)
    out["metric_event_p50_le_s"] = _hist_quantile(m, "tilsyn_alert_latency_seconds", 0.5, trigger="event")
    out["metric_event_p99_le_s"] = _hist_quantile(m, "tilsyn_alert_latency_seconds", 0.99, trigger="event")
    out["metric_tick_p99_le_s"] = _hist_quantile(m, "tilsyn_alert_latency_seconds", 0.99, trigger="tick")
    log(f"latency at {out['achieved_rate']:,} ev/s: alarm→alert p50 {out['event_alert_p50_ms']} ms, "
        f"p99 {out['event_alert_p99_ms']} ms ({out['alarm_alerts_seen']}/{out['alarms_sent']}; the press itself "
        f"visible to a plain consumer p50 {out['broker_floor_p50_ms']} ms, p99 {out['broker_floor_p99_ms']} ms); "
        f"bathroom tick delay p50 {out['tick_delay_p50_s']} s, max {out['tick_delay_max_s']} s "
        f"({out['bathroom_alerts_seen']}/{out['bathroom_probes']})")
    return out


def _resident_records(prefix: str, template: bytes, lo: int, hi: int, per: int) -> Any:
    base = 1736150400  # 2025-01-06T08:00:00Z
    rooms = ("kitchen", "living_room", "bedroom")
    for i in range(lo, hi):
        rid = f"m-{i:06d}"
        yield prefix + CARE_CONTEXT, rid.encode(), care_for(template, rid)
    for k in range(per):
        for i in range(lo, hi):
            rid = f"m-{i:06d}"
            ev = {"kind": "motion", "device_id": f"{rid}-pir", "room": rooms[(i + k) % 3],
                  "event_id": f"{rid}-{k}", "resident_id": rid, "time": iso(base + 60 * k + (i % 50))}
            yield prefix + SENSOR_EVENTS, rid.encode(), orjson.dumps(ev)


def memory(bootstrap: str, broker_url: str, prefix: str, steps: list[int], per: int, timeout: float,
           recovery_timeout: float = 150.0) -> dict[str, Any]:
    """Worker RSS at each resident count, then recovery time of a killed and restarted worker."""
    create_topics(broker_url, prefix)
    app_id = f"bench-mem-{int(time.time())}"
    template = care_template()
    w = Worker.create("memory", broker_url, prefix, app_id, clock="event").start()
    out: dict[str, Any] = {"events_per_resident": per, "steps": []}
    try:
        w.wait_ready()
        time.sleep(1)
        base = rss_kib(w.pid) or 0
        out["rss_empty_mib"] = round(base / 1024, 1)
        done = 0
        expected = 0
        for target in steps:
            t0 = time.perf_counter()
            expected += asyncio.run(produce(bootstrap, _resident_records(prefix, template, done, target, per)))
            produced_s = time.perf_counter() - t0
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and w.events_in() < expected:
                time.sleep(0.5)
            processed_s = time.perf_counter() - t0
            time.sleep(2)
            rss = rss_kib(w.pid) or 0
            row = {"residents": target, "records": expected, "processed": w.events_in(),
                   "rss_mib": round(rss / 1024, 1),
                   "rss_per_resident_kib": round((rss - base) / target, 2),
                   "produce_s": round(produced_s, 1), "processed_s": round(processed_s, 1)}
            out["steps"].append(row)
            log(f"memory: {target} residents → RSS {row['rss_mib']} MiB "
                f"({row['rss_per_resident_kib']} KiB/resident above empty)")
            done = target
        time.sleep(3)  # let the last changelog writes and commits settle
        w.kill(signal.SIGKILL)
        w2 = Worker(w.name + "-restart", w.env, w.http_port, w.log_path.with_name("worker-memory-restart.log"))
        w2.start()
        try:
            try:
                rec_s = w2.wait_ready(timeout=recovery_timeout, poll=0.1)
            except RuntimeError:
                try:
                    m = w2.metrics()
                except OSError:  # Faust serves HTTP only after table recovery
                    m = {}
                out["recovery"] = {
                    "residents": done, "ready_after_s": None, "not_ready_within_s": recovery_timeout,
                    "residents_tracked": metric_sum(m, "tilsyn_residents_tracked") if m else None,
                    "table_rows": metric_sum(m, "tilsyn_table_rows") if m else None,
                    "rss_mib": round((rss_kib(w2.pid) or 0) / 1024, 1),
                }
                log(f"recovery: restarted worker NOT ready within {recovery_timeout:.0f} s "
                    f"(table rows so far: {out['recovery']['table_rows']})")
                return out
            m = w2.metrics()
            out["recovery"] = {
                "residents": done, "ready_after_s": round(rec_s, 1),
                "residents_tracked": metric_sum(m, "tilsyn_residents_tracked"),
                "table_rows": metric_sum(m, "tilsyn_table_rows"),
                "rss_mib": round((rss_kib(w2.pid) or 0) / 1024, 1),
            }
            log(f"recovery: restarted worker ready after {rec_s:.1f} s holding "
                f"{out['recovery']['residents_tracked']:.0f} residents")
        finally:
            w2.kill()
    finally:
        w.kill()
    return out
