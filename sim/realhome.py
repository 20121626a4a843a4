"""Evaluation on real annotated homes: false alarms on normal life, and recall on injected episodes.

The functional core of ``tilsyn evaluate --annotations`` and ``make eval-real``. It never runs
the detectors itself: the shell hands it a :data:`Runner` (the offline replay of
``streams/replay.py``, the worker's own processor), so this module depends only on schemas
and agents.

Rules (issue 12, the same the held-out homes are scored by):

- A high-severity alert on a day of the recording is a false alarm unless the annotations show
  something unusual. None of the development homes records an emergency, so every high alert
  is one; the explanation table says what the annotations say around it.
- Alert burden: high alerts per home-month (30 days), non-urgent (low, medium) alerts per
  resident-week, counted per occurrence (see :func:`first_notices`).
- Injected episodes: an episode is found when an alert of its type comes after the onset and no
  later than the pattern's limit + 5 min (missed morning: the detector's own personal deadline
  for that day + 5 min).
"""

from __future__ import annotations

import bisect
import math
import os
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import orjson

from agents.behaviour.thresholds import (
    BATHROOM_STAY_LIMIT,
    INACTIVITY_LIMIT,
    INACTIVITY_RESTING_FACTOR,
    MORNING_EVENTS,
    MORNING_SUSTAIN,
    WANDERING_RETURN,
)
from schemas.alerts import Alert, AlertType, Category, Severity
from sim.importers import Annotation, HomeMap, Imported, import_home

MAPS = Path(__file__).parent / "maps"
DETECTION_SLACK_S = 300.0
"""Detection delay allowed beyond the pattern's limit (issue 12: limit + 5 min; the live worker
ticks every second, a replay checks at every deadline)."""
DAY = 86400.0

Runner = Callable[[Sequence[bytes], Sequence[bytes], float | None], list[Alert]]
"""(events in time order, care contexts, run on until) → every alert produced (the offline replay)."""


@dataclass(frozen=True, slots=True)
class DevHome:
    """One development home: where its recording lies under the datasets folder, and its map."""

    name: str
    fmt: str
    path: str

    def map(self) -> HomeMap:
        return HomeMap.load(MAPS / f"{self.name}.yaml")


DEV_HOMES = (
    DevHome("kasteren-b", "kasteren-b", "kasteren-b/kasterenB_groundtruth.csv"),
    DevHome("kasteren-c", "kasteren", "kasteren-c"),
    DevHome("ordonez-a", "ordonez", "ordonez/OrdonezA_Sensors.txt"),
    DevHome("ordonez-b", "ordonez", "ordonez/OrdonezB_Sensors.txt"),
    DevHome("casas-tm000", "casas", "casas-tm000/tm000.multiday_absence.txt"),
)
"""The public homes of ``../shared/DATASETS.md``."""


def datasets_dir(repo_root: Path) -> Path:
    """``TILSYN_DATASETS``, else ``../shared/datasets`` next to the repository."""
    env = os.environ.get("TILSYN_DATASETS")
    return Path(env) if env else (repo_root.parent / "shared" / "datasets").resolve()


# -- scoring against annotations -----------------------------------------------------------------

def first_notices(alerts: Iterable[Alert]) -> list[Alert]:
    """One notice per occurrence of a pattern, in time order.

    An occurrence is a first notice (``initial``) or, while that alert is still open, a new
    occurrence of the same pattern (``repeat``: nobody acknowledges in a replay). Several
    recipients of the same occurrence count once; escalations and reminders do not count."""
    seen: set[tuple[str, datetime]] = set()
    out = []
    for a in alerts:
        key = (a.type.value, a.time)
        if a.notification in ("initial", "repeat") and key not in seen:
            seen.add(key)
            out.append(a)
    return sorted(out, key=lambda a: (a.time, a.type.value))


def is_device_alert(a: Alert) -> bool:
    return a.type in (AlertType.DEVICE_SILENT, AlertType.LOW_BATTERY) or (a.category in (
        Category.OPERATIONAL, Category.TECHNICAL,
    ) and a.type is not AlertType.MISSED_MEDICATION)


def around(notes: Sequence[Annotation], t: datetime, before: timedelta = timedelta(hours=1)) -> str:
    """What the annotations say at local time ``t``: the activity in progress and those of the hour before."""
    notes = [n for n in notes if n.end >= n.start]  # a few source rows end before they start: not evidence
    now = [n.label for n in notes if n.start <= t <= n.end]
    prior = [n for n in notes if t - before <= n.end < t]
    parts = []
    if now:
        parts.append("during " + ", ".join(dict.fromkeys(now)))
    if prior:
        last = prior[-1]
        parts.append(f"after {last.label} (ended {last.end:%H:%M})")
    if not parts:
        covered = any(n.start.date() <= t.date() <= n.end.date() for n in notes)
        return "nothing annotated around it" if covered else "day not annotated"
    return "; ".join(parts)


@dataclass(slots=True)
class HomeScore:
    """Alert burden of one home over its whole recording."""

    home: str
    heartbeats: bool
    days: float
    residents: int
    alerts: list[Alert]
    explanations: list[tuple[Alert, str]] = field(default_factory=list)

    @property
    def high(self) -> list[Alert]:
        return [a for a in self.alerts if a.severity is Severity.HIGH]

    @property
    def non_urgent(self) -> list[Alert]:
        return [a for a in self.alerts if a.severity is not Severity.HIGH]

    @property
    def high_per_month(self) -> float:
        return len(self.high) / self.days * 30.0

    @property
    def non_urgent_per_week(self) -> float:
        return len(self.non_urgent) / self.days * 7.0 / self.residents

    @property
    def high_device(self) -> list[Alert]:
        return [a for a in self.high if is_device_alert(a)]


def score(home: HomeMap, imported: Imported, alerts: Iterable[Alert], heartbeats: bool) -> HomeScore:
    """Alert burden of ``home`` over its recording and what the annotations say around each alert."""
    return score_span(home, imported.annotations, imported.start, imported.end, alerts, heartbeats)


def score_span(
    home: HomeMap, notes: Sequence[Annotation], start: datetime, end: datetime, alerts: Iterable[Alert],
    heartbeats: bool,
) -> HomeScore:
    """Alert burden over ``start``..``end`` (aware) and the annotations around each alert."""
    tz = ZoneInfo(home.time_zone)
    notices = first_notices(alerts)
    days = max(1.0, (end - start).total_seconds() / DAY)
    s = HomeScore(home.home, heartbeats, days, home.residents, notices)
    for a in notices:
        local = a.time.astimezone(tz).replace(tzinfo=None)
        s.explanations.append((a, around(notes, local)))
    return s


def read_annotations(lines: Iterable[bytes]) -> list[Annotation]:
    """Annotations from JSON lines ``{"start", "end", "label"}`` (``tilsyn import --annotations``), local times."""
    out = []
    for line in lines:
        d = orjson.loads(line)
        start, end = datetime.fromisoformat(d["start"]), datetime.fromisoformat(d["end"])
        out.append(Annotation(start.replace(tzinfo=None), end.replace(tzinfo=None), str(d["label"])))
    return out


def explanation_table(s: HomeScore, tz: str) -> str:
    """Markdown: every alert with its time, type, severity, verdict and the annotations around it."""
    zone = ZoneInfo(tz)
    rows = ["| time (local) | type | severity | verdict | annotations around it |", "|---|---|---|---|---|"]
    for a, note in s.explanations:
        verdict = "false alarm (normal day)" if a.severity is Severity.HIGH else "non-urgent"
        rows.append(f"| {a.time.astimezone(zone):%Y-%m-%d %H:%M} | {a.type.value} | {a.severity.value} | {verdict} | {note} |")
    return "\n".join(rows)


# -- episode injection ------------------------------------------------------------------------------

PATTERNS = ("bathroom", "morning", "inactivity", "wandering")
"""Injected episodes: a fall in the bathroom (entry, then silence), a missed morning (morning
activity removed), daytime inactivity (silence at home by day), a night exit without return."""

_ALERT_OF = {
    "bathroom": AlertType.LONG_BATHROOM_STAY, "morning": AlertType.NO_MORNING_ACTIVITY,
    "inactivity": AlertType.DAYTIME_INACTIVITY, "wandering": AlertType.NIGHT_WANDERING,
}
SILENCE_S = {"bathroom": 3 * 3600.0, "inactivity": 10 * 3600.0, "wandering": 3 * 3600.0}
"""How long the home stays silent after the onset (well past each limit)."""
_WINDOW_H = {"bathroom": (8.5, 20.0), "inactivity": (9.0, 13.0)}
"""Local hours an onset is drawn from: by day, awake (active hours 08-22, thresholds.py); daytime
inactivity early enough that even the longer limit of a resident resting in a chair (2 x 4 h)
ends within the active hours."""
_NIGHT_ROOMS = frozenset({"bedroom", "bathroom", "wc", "hallway", "entrance", None})
EPISODE_GAP_DAYS = 2
"""Injected episodes of one run lie at least this many days apart (the home recovers in between)."""
WARMUP_DAYS = 2
"""No episode in the first days: the home model learns the kit (and the morning its warm-up)."""
MORNING_WARMUP_DAYS = 8
"""A missed morning is injected once the routine can be learned (baseline_min_days + 1)."""


@dataclass(frozen=True, slots=True)
class Injected:
    """One injected episode: its pattern, onset and the latest time a detection counts."""

    pattern: str
    onset: float
    limit_s: float
    """Seconds after the onset by which the alert is due (limit of the pattern; morning: 0, see day)."""
    day: str = ""
    """Local date of a missed morning."""


def _lines(events: Sequence[bytes]) -> list[dict[str, object]]:
    return [orjson.loads(e) for e in events]


def _t(ev: dict[str, object]) -> float:
    return datetime.fromisoformat(str(ev["time"])).timestamp()


def _local_h(t: float, tz: ZoneInfo) -> float:
    d = datetime.fromtimestamp(t, tz)
    return d.hour + d.minute / 60.0


def _first_device(home: HomeMap, kind: str, room: str | None = None, purpose: str | None = None) -> str | None:
    for name, spec in home.sensors.items():
        if spec.kind == kind and (room is None or (spec.room is not None and spec.room.value == room)) and (
            purpose is None or spec.purpose == purpose
        ):
            return home.device_id(name)
    return None


def injectable(home: HomeMap, pattern: str) -> str | None:
    """Why ``pattern`` cannot be injected (and is not live) in this home, or None when it can."""
    if pattern == "bathroom" and _first_device(home, "motion", "bathroom") is None:
        return "no presence sensor (PIR) in the bathroom"
    if pattern == "wandering" and _first_device(home, "door", purpose="exit") is None:
        return "no exit-door contact"
    return None


def inject(
    events: Sequence[bytes], home: HomeMap, pattern: str, seed: int, max_count: int | None = None,
    notes: Sequence[Annotation] = (),
) -> tuple[list[bytes], list[Injected]]:
    """The recording with episodes of ``pattern`` inserted at seeded random times.

    At most one episode every :data:`EPISODE_GAP_DAYS` days. Heartbeats go on through an
    episode (the devices are fine; the resident is not). Each episode is placed only where the
    recording shows the resident at home (awake by day, asleep at night), so that the injected
    story is plausible in that home.
    """
    rng = random.Random(f"{home.home}:{pattern}:{seed}")  # nosec B311 - seeded placement, not security
    tz = ZoneInfo(home.time_zone)
    evs = _lines(events)
    times = [_t(e) for e in evs]
    if not times:
        return list(events), []
    first_day = datetime.fromtimestamp(times[0], tz).date()
    last_day = datetime.fromtimestamp(times[-1], tz).date()
    warm = MORNING_WARMUP_DAYS if pattern == "morning" else WARMUP_DAYS
    days = [first_day + timedelta(days=i) for i in range(warm, (last_day - first_day).days)]
    activity = [(t, e) for t, e in zip(times, evs, strict=True) if e["kind"] != "heartbeat"]
    away_labels = home.labels.get("away", ())
    away = [(n.start.replace(tzinfo=tz).timestamp(), n.end.replace(tzinfo=tz).timestamp())
            for n in notes if n.label in away_labels]
    drops: list[tuple[float, float]] = []
    adds: list[dict[str, object]] = []
    found: list[Injected] = []
    next_ok = None
    for day in days:
        if max_count is not None and len(found) >= max_count:
            break
        if next_ok is not None and day < next_ok:
            continue
        if not _plausible(pattern, day, notes, home):
            continue
        ep = _place(pattern, day, activity, home, tz, rng, away)
        if ep is None:
            continue
        onset, drop_from, drop_to, extra, limit_s = ep
        drops.append((drop_from, drop_to))
        adds.extend(extra)
        found.append(Injected(pattern, onset, limit_s, day.isoformat() if pattern == "morning" else ""))
        next_ok = day + timedelta(days=EPISODE_GAP_DAYS)
    kept = [
        e for t, e in zip(times, evs, strict=True)
        if e["kind"] == "heartbeat" or not any(a <= t < b for a, b in drops)
    ]
    for i, e in enumerate(adds):
        e.update(event_id=f"{home.home}-inj-{pattern}-{seed}-{i}", resident_id=home.resident_id)
    merged = sorted(kept + adds, key=_t)
    return [orjson.dumps(e) for e in merged], found


def _plausible(pattern: str, day: date, notes: Sequence[Annotation], home: HomeMap) -> bool:
    """Where the recording is annotated, a night episode needs the resident asleep at home that
    night (a sleeping annotation over 02:00-04:00, no outing annotated from 22:00 to 04:00)."""
    if pattern not in ("morning", "wandering") or not notes:
        return True
    midnight = datetime(day.year, day.month, day.day)
    sleeping, away = home.labels.get("sleeping", ()), home.labels.get("away", ())
    asleep = any(n.label in sleeping and n.start <= midnight + timedelta(hours=2) and n.end >= midnight + timedelta(hours=4)
                 for n in notes)
    out = any(n.label in away and n.start < midnight + timedelta(hours=4) and n.end > midnight - timedelta(hours=2)
              for n in notes)
    return asleep and not out


def _line_time(line: bytes) -> float:
    return _t(orjson.loads(line))


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, ZoneInfo("UTC")).isoformat(timespec="milliseconds").replace("+00:00", "Z")


Placement = tuple[float, float, float, list[dict[str, object]], float]
"""onset, silence from, silence to, events added, seconds after onset by which the alert is due."""


def _place(
    pattern: str, day: date, activity: list[tuple[float, dict[str, object]]], home: HomeMap, tz: ZoneInfo,
    rng: random.Random, away: Sequence[tuple[float, float]],
) -> Placement | None:
    midnight = datetime(day.year, day.month, day.day, tzinfo=tz).timestamp()

    def events_between(a: float, b: float) -> list[tuple[float, dict[str, object]]]:
        return [(t, e) for t, e in activity if a <= t < b]

    def at_home_and_up(t: float) -> bool:
        # the day has started (sustained activity outside bedroom, bathroom and hallway in the
        # hour before: otherwise a silence is the morning pattern's, not this one's), the resident
        # was last seen in a day room and has not just left (by the door, or as annotated)
        recent = events_between(t - 3600.0, t)
        day_rooms: list[float] = []
        for u, e in recent:  # reports within a minute count once, as the activity model counts them
            if e.get("room") not in _NIGHT_ROOMS and (not day_rooms or u - day_rooms[-1] >= 60.0):
                day_rooms.append(u)
        sustained = len(day_rooms) >= MORNING_EVENTS.default and day_rooms[-1] - day_rooms[0] >= 60.0 * MORNING_SUSTAIN.default
        exits = [e for _, e in recent if e["kind"] == "door" and e.get("door") == "exit"]
        last = events_between(t - 1800.0, t)
        return (sustained and not exits and bool(last) and last[-1][1].get("room") not in _NIGHT_ROOMS
                and not any(a < t + 600.0 and b > t - 3600.0 for a, b in away))

    if pattern == "morning":
        # asleep at home that night: bed or bedroom seen between 22:00 and 04:00
        night = events_between(midnight - 2 * 3600.0, midnight + 4 * 3600.0)
        if not any(e["kind"] == "bed" or e.get("room") == "bedroom" for _, e in night):
            return None
        if any(e["kind"] == "door" and e.get("door") == "exit" for _, e in night[-3:]):
            return None
        return midnight + 4 * 3600.0, midnight + 4 * 3600.0, midnight + 15 * 3600.0, [], 0.0
    if pattern == "wandering":
        for _ in range(20):
            t = midnight + rng.uniform(0.5, 4.5) * 3600.0
            before = events_between(t - 3 * 3600.0, t)
            if not before or not any(e["kind"] == "bed" or e.get("room") == "bedroom" for _, e in before):
                continue
            if any(e["kind"] == "door" and e.get("door") == "exit" for _, e in before):
                continue
            door = _first_device(home, "door", purpose="exit")
            spec_room = next(s.room for s in home.sensors.values() if s.kind == "door" and s.purpose == "exit")
            room = spec_room.value if spec_room is not None else "hallway"
            extra: list[dict[str, object]] = []
            bed = _first_device(home, "bed")
            if bed is not None:
                extra.append({"kind": "bed", "device_id": bed, "state": "vacant", "room": "bedroom", "time": _iso(t - 120.0)})
            pir = _first_device(home, "motion", "bedroom")
            if pir is not None:
                extra.append({"kind": "motion", "device_id": pir, "room": "bedroom", "time": _iso(t - 90.0)})
            extra.append({"kind": "door", "device_id": door, "door": "exit", "room": room, "state": "open", "time": _iso(t)})
            extra.append({"kind": "door", "device_id": door, "door": "exit", "room": room, "state": "closed",
                          "time": _iso(t + 20.0)})
            return t, t - 150.0, t + SILENCE_S["wandering"], extra, 60.0 * WANDERING_RETURN.default + DETECTION_SLACK_S
        return None
    for _ in range(20):
        t = midnight + rng.uniform(*_WINDOW_H[pattern]) * 3600.0
        if not at_home_and_up(t):
            continue
        if pattern == "bathroom":
            pir = _first_device(home, "motion", "bathroom")
            extra = [
                {"kind": "motion", "device_id": pir, "room": "bathroom", "time": _iso(t)},
                {"kind": "motion", "device_id": pir, "room": "bathroom", "time": _iso(t + 40.0)},
            ]
            return t, t, t + SILENCE_S["bathroom"], extra, 60.0 * BATHROOM_STAY_LIMIT.default + DETECTION_SLACK_S
        # daytime inactivity: the last activity before the silence is the onset; a seat or bed
        # mat still occupied then gives the documented longer limit of a located, resting resident
        recent = events_between(t - 6 * 3600.0, t)
        onset = recent[-1][0]
        mats: dict[str, object] = {}
        for _, e in recent:
            if e["kind"] in ("bed", "chair"):
                mats[str(e["device_id"])] = e.get("state")
        resting = any(v == "occupied" for v in mats.values())
        limit = 60.0 * INACTIVITY_LIMIT.default * (INACTIVITY_RESTING_FACTOR.default if resting else 1.0)
        return onset, t, t + SILENCE_S["inactivity"], [], limit + DETECTION_SLACK_S
    return None


@dataclass(slots=True)
class Recall:
    """Injected episodes of one pattern in one home, and which were found in time."""

    home: str
    pattern: str
    episodes: list[Injected] = field(default_factory=list)
    delays_s: list[float | None] = field(default_factory=list)
    """Per episode: alert time minus onset (None: not found in time)."""
    not_live: str | None = None

    @property
    def found(self) -> int:
        return sum(1 for d in self.delays_s if d is not None)


def match(episodes: Sequence[Injected], alerts: Iterable[Alert], tz: str) -> list[float | None]:
    """For each episode, the delay of the first alert of its type in time (None: missed)."""
    zone = ZoneInfo(tz)
    notices = first_notices(alerts)
    out: list[float | None] = []
    for ep in episodes:
        want = _ALERT_OF[ep.pattern]
        delay: float | None = None
        for a in notices:
            if a.type is not want:
                continue
            t = a.time.timestamp()
            if ep.pattern == "morning":
                if a.time.astimezone(zone).date().isoformat() != ep.day:
                    continue
                deadline = _personal_deadline(a, zone)
                if t <= deadline + DETECTION_SLACK_S:
                    delay = t - deadline
                    break
            elif ep.onset <= t <= ep.onset + ep.limit_s:
                delay = t - ep.onset
                break
        out.append(delay)
    return out


def _personal_deadline(a: Alert, zone: ZoneInfo) -> float:
    """The morning detector's own deadline of that day: its usual first activity + its margin."""
    usual = float(a.details.get("usual_first_activity_h", math.nan))
    margin = float(a.details.get("margin_min", math.nan))
    local = a.time.astimezone(zone)
    midnight = datetime(local.year, local.month, local.day, tzinfo=zone)
    return (midnight + timedelta(hours=usual, minutes=margin)).timestamp()


def recall(
    imported: Imported, home: HomeMap, pattern: str, run: Runner, seeds: Sequence[int], max_count: int | None = None,
) -> Recall:
    """Inject ``pattern`` into the home with each seed, replay, and match alerts to episodes."""
    r = Recall(home.home, pattern, not_live=injectable(home, pattern))
    if r.not_live is not None:
        return r
    end = imported.end.timestamp() + DAY
    for seed in seeds:
        events, eps = inject(imported.events, home, pattern, seed, max_count, imported.annotations)
        if not eps:
            continue
        # nothing after the last episode can change whether it was found: replay up to it only
        stop = max(ep.onset for ep in eps) + DAY
        events = events[: bisect.bisect_right(events, stop, key=_line_time)]
        alerts = run(events, [imported.care_context], min(end, stop))
        r.episodes.extend(eps)
        r.delays_s.extend(match(eps, alerts, home.time_zone))
    return r


def load_home(datasets: Path, home: DevHome, heartbeat_min: float | None) -> tuple[HomeMap, Imported]:
    m = home.map()
    return m, import_home(home.fmt, datasets / home.path, m, heartbeat_min)


def median(values: Sequence[float]) -> float:
    s = sorted(values)
    if not s:
        return math.nan
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2.0


# -- the full table ----------------------------------------------------------------------------------

HEARTBEAT_MIN = 60.0
"""Synthetic supervision heartbeats: hourly, as many real kits send them (DATASETS.md: evaluate both)."""


@dataclass(slots=True)
class HomeResult:
    """Everything measured on one development home."""

    home: str
    with_beats: HomeScore
    without_beats: HomeScore
    recalls: list[Recall]
    """With hourly heartbeats."""
    recalls_bare: list[Recall]
    """Without heartbeats (as recorded)."""
    tz: str


def evaluate_home(
    datasets: Path, home: DevHome, run: Runner, seeds: Sequence[int], max_count: int | None = None,
) -> HomeResult:
    """Burden with and without heartbeats, and recall of every pattern (injected with heartbeats)."""
    scores = {}
    loaded = {beats: load_home(datasets, home, HEARTBEAT_MIN if beats else None) for beats in (True, False)}
    for beats, (m, imported) in loaded.items():
        alerts = run(imported.events, [imported.care_context], imported.end.timestamp())
        scores[beats] = score(m, imported, alerts, beats)
    recalls = {beats: [recall(imp, m, p, run, seeds, max_count) for p in PATTERNS] for beats, (m, imp) in loaded.items()}
    return HomeResult(home.name, scores[True], scores[False], recalls[True], recalls[False], loaded[True][0].time_zone)


def _delay_txt(r: Recall) -> str:
    found = [d for d in r.delays_s if d is not None]
    return f"{median(found) / 60.0 + 0.0:.0f} min".replace("-0 min", "0 min") if found else "-"


def _share(found: int, n: int) -> str:
    return f"{100.0 * found / n:.0f} %" if n else "-"


def table(results: Sequence[HomeResult]) -> str:
    """The Markdown table of ``make eval-real``."""
    lines = [
        "| home | days | high / home-month (beats) | non-urgent / resident-week (beats) "
        "| high / home-month (no beats) | non-urgent / resident-week (no beats) | high device alerts (no beats) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        b, n = r.with_beats, r.without_beats
        lines.append(
            f"| {r.home} | {b.days:.1f} | {b.high_per_month:.2f} ({len(b.high)}) | {b.non_urgent_per_week:.2f} "
            f"({len(b.non_urgent)}) | {n.high_per_month:.2f} ({len(n.high)}) | {n.non_urgent_per_week:.2f} "
            f"({len(n.non_urgent)}) | {len(n.high_device)} |"
        )
    lines += ["", "| home | pattern | found / injected (heartbeats) | median delay (after onset; morning: after "
              "its personal deadline) | found / injected (no heartbeats) | not live because |",
              "|---|---|---:|---:|---:|---|"]
    totals: dict[str, list[int]] = {}
    for r in results:
        for rc, bare in zip(r.recalls, r.recalls_bare, strict=True):
            t = totals.setdefault(rc.pattern, [0, 0, 0, 0])
            t[0] += rc.found
            t[1] += len(rc.episodes)
            t[2] += bare.found
            t[3] += len(bare.episodes)
            lines.append(f"| {r.home} | {rc.pattern} | {rc.found}/{len(rc.episodes)} | {_delay_txt(rc)} | "
                         f"{bare.found}/{len(bare.episodes)} | {rc.not_live or ''} |")
    for pattern, (found, injected, found_bare, injected_bare) in totals.items():
        lines.append(f"| **all** | {pattern} | {found}/{injected} ({_share(found, injected)}) | | "
                     f"{found_bare}/{injected_bare} ({_share(found_bare, injected_bare)}) | |")
    return "\n".join(lines)


def evaluate_all(
    datasets: Path, run: Runner, names: Iterable[str] | None, seeds: Sequence[int], max_count: int | None = None,
    explain: bool = True,
) -> str:
    """The full report: burden and recall table, then every alert explained (per home)."""
    wanted = set(names) if names else None
    results = [evaluate_home(datasets, h, run, seeds, max_count) for h in DEV_HOMES if wanted is None or h.name in wanted]
    out = [table(results)]
    if explain:
        for r in results:
            for s in (r.with_beats, r.without_beats):
                out += ["", f"### {r.home}, {'with' if s.heartbeats else 'without'} hourly heartbeats", "",
                        explanation_table(s, r.tz) if s.explanations else "no alerts"]
    return "\n".join(out)
