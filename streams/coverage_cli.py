"""``tilsyn coverage``: which behaviour patterns are live in each home, and why the others are not.

The report is read from the resident's state after replaying a file through the worker's own
processor (the same engine the live worker runs): the home's devices as declared in the care
context's registry or inferred from what they sent, how each is supervised, what the activity
model says the resident is doing, and each pattern's status (live, degraded, paused, off, not
enrolled) with its reason.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import orjson

from agents.behaviour import activity, coverage
from agents.behaviour.devices import DeviceHealth, DeviceState
from agents.behaviour.home import HomeState
from agents.engine import Engine, ResidentState
from streams.codec import Limits
from streams.processor import Record, ResidentProcessor
from streams.producer import read_lines, route_line
from streams.topics import CARE_CONTEXT


def _clock(t: float, tz: Any) -> str:
    return datetime.fromtimestamp(t, tz).strftime("%Y-%m-%d %H:%M") if math.isfinite(t) else "never"


_TIME = re.compile(rb'"time"\s*:\s*"([^"]{10,40})"')


def _event_time(line: bytes) -> float:
    m = _TIME.search(line)
    try:
        return datetime.fromisoformat(m.group(1).decode()).timestamp() if m else -math.inf
    except ValueError:
        return -math.inf


def replay_states(
    care_contexts: list[bytes], lines: list[bytes], until: float | None
) -> tuple[dict[str, ResidentState], Engine]:
    """Residents' states after the worker's own processor has seen the lines (event-time order) and,
    with ``until``, time has run on to it: the same path as ``tilsyn replay``."""
    proc = ResidentProcessor(Engine(), partitions=1, limits=Limits(), clock="event", align_topics=False)
    offsets: dict[str, int] = {}

    def record(raw: bytes, topic: str | None = None) -> Record:
        out = route_line(raw, topic)
        offsets[out.topic] = offsets.get(out.topic, -1) + 1
        return Record(out.topic, 0, offsets[out.topic], None, out.key, out.value)

    proc.handle([record(raw, CARE_CONTEXT) for raw in care_contexts], 0.0)
    proc.handle([record(raw) for raw in lines], 0.0)
    proc.tick(0.0)
    if until is not None:
        for st in proc.states.values():
            proc.engine.advance(st, until)
    return proc.states, proc.engine


def resident_report(engine: Engine, state: ResidentState, now: float) -> dict[str, Any]:
    """The coverage report of one resident at event time ``now`` as plain data."""
    view = engine.view(state)
    home: HomeState = state.home
    caps, act = home.caps, home.act
    dev_state = state.detectors.get(DeviceHealth.name)
    health = DeviceHealth()
    devices = []
    for dev_id in sorted(caps.devices):
        dev = caps.devices[dev_id]
        if not dev.kind:
            continue
        limit, how = health.silence_limit(dev_state if isinstance(dev_state, DeviceState) else DeviceState(), dev_id, dev, caps, view)
        devices.append({
            "device_id": dev_id, "kind": dev.kind, "room": dev.room or None, "purpose": dev.purpose or None,
            "declared": dev.declared, "heartbeat_min": round(dev.beat_s / 60.0, 1) if dev.supervised else None,
            "silence_limit_min": round(limit / 60.0), "silence_limit": how,
            "last_seen": _clock(dev.last, view.tz), "silent": now - dev.last > limit,
        })
    return {
        "resident_id": state.resident_id,
        "at": _clock(now, view.tz),
        "status": activity.status(act, now, 1800.0),
        "room": act.room or None,
        "room_confidence": round(activity.room_confidence(act, now), 2),
        "devices": devices,
        "patterns": [
            {"pattern": c.pattern, "status": c.status.value, "reason": c.reason_en, "reason_nb": c.reason_nb}
            for c in coverage.report(home, view, now)
        ],
    }


def render(report: dict[str, Any]) -> str:
    """The report as text for a person."""
    lines = [
        f"resident {report['resident_id']} at {report['at']}: {report['status']}"
        + (f", {report['room']} (confidence {report['room_confidence']:.2f})" if report["room"] else ""),
        "devices:",
    ]
    for d in report["devices"]:
        where = d["room"] or "?"
        what = f"{d['kind']}{'/' + d['purpose'] if d['purpose'] else ''}"
        beat = f"heartbeat {d['heartbeat_min']:g} min" if d["heartbeat_min"] else "event-only"
        lines.append(
            f"  {d['device_id']:<24} {what:<22} {where:<12} {beat:<20} silent after {d['silence_limit_min']} min "
            f"({d['silence_limit']}){'  SILENT' if d['silent'] else ''}  last {d['last_seen']}"
            f"{'' if d['declared'] else '  (inferred)'}"
        )
    lines.append("patterns:")
    for p in report["patterns"]:
        lines.append(f"  {p['pattern']:<28} {p['status']:<13} {p['reason']}")
    return "\n".join(lines)


@click.command("coverage")
@click.argument("events", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--care-context", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="JSON-lines file of care contexts (with device registries), loaded before the events.")
@click.option("--resident", "residents", multiple=True, help="Only this resident (repeatable).")
@click.option("--at", "at_time", help="Report at this ISO time (default: the newest event of each resident).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per resident instead of text.")
def coverage_command(
    events: Path, care_context: Path | None, residents: tuple[str, ...], at_time: str | None, as_json: bool
) -> None:
    """Replay EVENTS and report, per resident, which behaviour patterns are live in that home and why not."""
    until = None
    if at_time:
        at = datetime.fromisoformat(at_time)
        if at.tzinfo is None:
            raise click.BadParameter("give the time with its UTC offset, e.g. 2024-03-10T12:00:00+01:00", param_hint="--at")
        until = at.timestamp()
    contexts = list(read_lines(care_context)) if care_context else []
    states, engine = replay_states(contexts, sorted(read_lines(events), key=_event_time), until)
    wanted = sorted(residents) if residents else sorted(r for r, st in states.items() if math.isfinite(st.watermark))
    missing = [r for r in wanted if r not in states]
    if missing:
        raise click.ClickException(f"no events for resident(s) {', '.join(missing)}")
    for rid in wanted:
        st = states[rid]
        now = until if until is not None else st.watermark
        if not math.isfinite(now):
            now = datetime.now(UTC).timestamp()
        report = resident_report(engine, st, now)
        click.echo(orjson.dumps(report).decode() if as_json else render(report) + "\n")
