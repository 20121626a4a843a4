"""Offline replay: the worker's own processing over a file, in event-time order, without a broker.

``tilsyn replay`` feeds records through :class:`streams.processor.ResidentProcessor`,
the very object the Faust worker hands its batches to: same validation, same
detectors, same alert desk. Only the transport differs. A municipality uses it to
see what a threshold change would have done to last month's data before changing
production; the evaluation scores its output against ground truth.
"""

from __future__ import annotations

import csv
import math
import re
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from agents.engine import Engine
from schemas.alerts import Alert
from streams.codec import Limits
from streams.processor import Publish, Record, ResidentProcessor
from streams.producer import route_line
from streams.topics import CARE_CONTEXT, DEAD_LETTER, INPUT_TOPICS

DEFAULT_TICK_S = 60.0
"""Event-time step at which absence patterns and escalations are checked (the live worker ticks every second)."""

_TIME = re.compile(rb'"time"\s*:\s*"([^"]{10,40})"')


@dataclass(slots=True)
class ReplayResult:
    """What a replay saw and did."""

    records: int = 0
    invalid: Counter[str] = field(default_factory=Counter)
    alerts: list[Alert] = field(default_factory=list)
    dead_letters: list[Publish] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def events_per_s(self) -> float:
        return self.records / self.seconds if self.seconds > 0 else math.inf

    def by(self, attr: str) -> Counter[str]:
        c: Counter[str] = Counter()
        for a in self.alerts:
            if a.notification != "initial":
                continue
            value = a.recipient.kind.value if attr == "recipient" else getattr(a, attr).value
            c[value] += 1
        return c

    def summary(self) -> str:
        lines = [
            f"records: {self.records}  invalid: {sum(self.invalid.values())}  "
            f"alerts: {sum(1 for a in self.alerts if a.notification == 'initial')} "
            f"(+{sum(1 for a in self.alerts if a.notification != 'initial')} escalations/reminders)  "
            f"{self.events_per_s:,.0f} records/s",
        ]
        if self.invalid:
            lines.append("invalid by reason: " + ", ".join(f"{k} {v}" for k, v in self.invalid.most_common()))
        for attr in ("type", "recipient"):
            counts = self.by(attr)
            if counts:
                lines.append(f"alerts by {attr}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        return "\n".join(lines)


def _event_time(line: bytes) -> float:
    """Event time of a JSON line for ordering (lines without one sort first and fail validation)."""
    m = _TIME.search(line)
    if m is None:
        return -math.inf
    try:
        return datetime.fromisoformat(m.group(1).decode()).timestamp()
    except ValueError:
        return -math.inf


def in_time_order(lines: Iterable[bytes]) -> list[bytes]:
    """Lines sorted by event time (stable: equal times keep file order)."""
    keyed = [(_event_time(line), i, line) for i, line in enumerate(lines)]
    if any(keyed[i][0] > keyed[i + 1][0] for i in range(len(keyed) - 1)):
        keyed.sort(key=lambda k: (k[0], k[1]))
    return [line for _, _, line in keyed]


def read_jsonl(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        for line in fh:
            line = line.strip()
            if line:
                yield line


_NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")


def _cell(value: str) -> Any:
    """A CSV cell as JSON: numbers and booleans typed, empty cells left out, the rest strings."""
    if _NUMBER.match(value):
        return float(value) if any(ch in value for ch in ".eE") else int(value)
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def read_csv(path: Path, mapping: Mapping[str, str], constants: Mapping[str, str]) -> Iterator[bytes]:
    """Rows of a CSV export as JSON lines in tilsyn's schemas.

    ``mapping`` maps schema field → CSV column (fields not mapped keep their column
    name); ``constants`` sets a field to a fixed value for every row (e.g. ``kind=motion``).
    Numbers and booleans are typed from the text; empty cells are left out, so the
    schema's own defaults and required-field checks apply.
    """
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        columns = reader.fieldnames or []
        missing = sorted(c for c in mapping.values() if c not in columns)
        if missing:
            raise ValueError(f"CSV has no column(s) {', '.join(missing)}; it has {', '.join(columns)}")
        by_column = {col: field_ for field_, col in mapping.items()}
        for row in reader:
            out: dict[str, Any] = {}
            for col, raw in row.items():
                if col is None or raw is None or raw == "":
                    continue
                out[by_column.get(col, col)] = _cell(raw)
            for k, v in constants.items():
                out[k] = _cell(v)
            yield orjson.dumps(out)


class Replay:
    """Runs the worker's processor over records in event time, as the live worker in event-clock mode does.

    The live worker ticks its processor (:meth:`ResidentProcessor.tick`) every second of wall
    time; a tick moves each due resident on to its partition's time, and
    :meth:`agents.engine.Engine.advance` fires every deadline due by then at its own time. The
    replay ticks the same processor each time event time has moved on by ``tick_s``, steps
    through the quiet time between two records from deadline to deadline (at least ``tick_s``
    apart), ticks after the last record and can run on to an end time: every absence pattern
    fires at its own deadline with the facts of that moment, so alert ids, times and evidence
    equal the live worker's for the same input (``tests/integration/test_replay_equals_live.py``).

    Parameters:
        engine: the core (default: every detector and the repository's routing rules).
        tick_s: event-time step at which absence patterns and escalations are checked.
        limits: ingest limits; clock skew is not checked offline (there is no "now").
        resolve_after_s: when set, the care team resolves every alert this long after its first
            notice (an acknowledgement on ``alert-acks``), as a team that checks each alert does;
            an evaluation uses it so that one episode's open alert does not absorb the next one's.
    """

    def __init__(
        self, engine: Engine | None = None, tick_s: float = DEFAULT_TICK_S, limits: Limits | None = None,
        resolve_after_s: float | None = None,
    ) -> None:
        from streams.app import fhir_hooks

        to_events, _ = fhir_hooks()
        self.processor = ResidentProcessor(
            engine or Engine(), partitions=1, limits=limits or Limits(), clock="event",
            fhir_bundle_to_events=to_events, align_topics=False,
        )
        self.tick_s = tick_s
        self.resolve_after_s = resolve_after_s
        self._acks: list[tuple[float, str, bytes]] = []
        self._acked: set[str] = set()
        self._offsets: Counter[str] = Counter()

    def run(
        self,
        lines: Iterable[bytes],
        care_contexts: Iterable[bytes] = (),
        until: float | None = None,
        progress: bool = False,
        total: int | None = None,
    ) -> ReplayResult:
        """Replay ``lines`` (already in event-time order) after loading ``care_contexts``.

        ``until`` lets time run on after the last record, in steps of ``tick_s``, so that
        absence patterns due by then fire.
        """
        from tqdm import tqdm

        result = ReplayResult()
        start = time.perf_counter()
        proc = self.processor
        self._feed([self._record(route_line(raw, CARE_CONTEXT)) for raw in care_contexts], result)
        next_tick = -math.inf
        batch: list[Record] = []
        bar = tqdm(total=total, unit="rec", disable=not progress, mininterval=0.5)
        for raw in lines:
            t = _event_time(raw)
            if t >= next_tick:
                if batch:
                    self._feed(batch, result)
                    bar.update(len(batch))
                    batch = []
                if next_tick > -math.inf:
                    self._tick(result)
                    self._step_until(t, result)
                next_tick = (t // self.tick_s + 1) * self.tick_s
            batch.append(self._record(route_line(raw)))
            result.records += 1
        if batch:
            self._feed(batch, result)
            bar.update(len(batch))
        bar.close()
        self._tick(result)
        if until is not None:
            clock = proc.clocks.get(0)
            t = clock.watermark if clock is not None else until
            while t < until:
                t = min(until, t + self.tick_s)
                for c in proc.clocks.values():
                    c.watermark = max(c.watermark, t)
                self._tick(result)
        result.seconds = time.perf_counter() - start
        return result

    def _step_until(self, t: float, result: ReplayResult) -> None:
        """Move event time on towards the next record at ``t`` as the live worker's tick does.

        Each step goes to the next pending deadline (the processor's deadline heap), but at least
        ``tick_s`` past the last step: a deadline that is exact fires at its own time, and one a
        detector could only estimate ("maybe by then") is looked at again a tick later, not only
        when the next record arrives hours later.
        """
        proc = self.processor
        clock = proc.clocks.get(0)
        if clock is None:
            return
        while True:
            due = proc.next_due(0)
            at = min(t, max(due, clock.watermark + self.tick_s))
            if due >= t or at >= t:
                return
            clock.watermark = at
            self._tick(result)

    def _feed(self, batch: list[Record], result: ReplayResult) -> None:
        self._collect(self.processor.handle(batch, 0.0), result)
        self._resolve(result)

    def _tick(self, result: ReplayResult) -> None:
        self._collect(self.processor.tick(0.0), result)
        self._resolve(result)

    def _resolve(self, result: ReplayResult) -> None:
        """Send the acknowledgements that are due by the partition's event time."""
        if not self._acks:
            return
        clock = self.processor.clocks.get(0)
        now = clock.watermark if clock is not None else -math.inf
        due = [a for a in self._acks if a[0] <= now]
        if not due:
            return
        self._acks = [a for a in self._acks if a[0] > now]
        self._collect(self.processor.handle([self._record(route_line(raw)) for _, _, raw in due], 0.0), result)

    def _record(self, out: Any) -> Record:
        offset = self._offsets[out.topic]
        self._offsets[out.topic] += 1
        return Record(out.topic, 0, offset, None, out.key, out.value)

    def _collect(self, output: Any, result: ReplayResult) -> None:
        refeed: list[Record] = []
        for pub in output.publish:
            if pub.alert is not None:
                result.alerts.append(pub.alert)
                if self.resolve_after_s is not None and pub.alert.notification == "initial":
                    self._schedule_resolution(pub.alert)
            elif pub.topic == DEAD_LETTER:
                result.dead_letters.append(pub)
                code = dict(pub.headers or ()).get("tilsyn.dlq.reason_code", b"?")
                result.invalid[code.decode()] += 1
            elif pub.topic in INPUT_TOPICS:  # re-keyed copy: offline it is simply processed again
                refeed.append(Record(pub.topic, 0, -1, None, pub.key, pub.value, rekeyed=True))
        if refeed:
            self._collect(self.processor.handle(refeed, 0.0), result)


    def _schedule_resolution(self, alert: Alert) -> None:
        if alert.alert_id in self._acked or self.resolve_after_s is None:
            return
        self._acked.add(alert.alert_id)
        at = alert.time.timestamp() + self.resolve_after_s
        ack = {
            "alert_id": alert.alert_id, "resident_id": alert.resident_id, "action": "resolved",
            "by": alert.recipient.team_id, "time": datetime.fromtimestamp(at, UTC).isoformat(),
        }
        self._acks.append((at, alert.alert_id, orjson.dumps(ack)))


def write_alerts(alerts: Iterable[Alert], path: Path) -> int:
    """Alerts as JSON lines, in the order they were produced (byte-identical for the same input)."""
    n = 0
    with path.open("wb") as fh:
        for a in alerts:
            fh.write(a.model_dump_json().encode())
            fh.write(b"\n")
            n += 1
    return n
