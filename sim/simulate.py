"""A simulated cohort of homes: care contexts, time-ordered events and ground truth.

Each resident's days are generated lazily, one local day at a time, from
generators seeded by (seed, resident, day), and the residents' streams are
merged by event time. Same seed, same bytes; no global random state and no wall
clock. :class:`DemoFeed` is the cohort ``tilsyn demo`` plays, with episodes
placed just after the live part starts.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from schemas.alerts import AlertType
from schemas.care import Programme
from sim.calendar import Calendar
from sim.daily_life import live_day
from sim.devices import device_reports
from sim.effects import day_effects, silences
from sim.episodes import Episode, EpisodeKind, Lapse, TruthRecord, plan, truth
from sim.fastjson import dumps, iso_utc
from sim.homes import HOUR, MINUTE, Home, build_home, care_context
from sim.records import Record, Recorder
from sim.routine import day_clock
from sim.vitals import follow_up

Event = tuple[int, str, str, bytes]
"""(epoch seconds, topic, resident id, JSON bytes)."""

EPISODE_RATE_4_WEEKS = 0.25
"""Share of residents with one injected episode over four weeks (brief: 20-30 %)."""


def default_rate(days: int) -> float:
    """Episode probability per resident for a run of ``days`` days."""
    return min(0.9, EPISODE_RATE_4_WEEKS * days / 28)


class Cohort:
    """``residents`` simulated homes over ``days`` days from ``start`` (timezone-aware)."""

    def __init__(
        self,
        residents: int,
        days: int,
        seed: int,
        start: datetime,
        *,
        episode_rate: float | None = None,
        programmes: dict[int, tuple[Programme, ...]] | None = None,
    ) -> None:
        if residents < 0 or days < 1:
            raise ValueError("need residents >= 0 and days >= 1")
        self.seed = seed
        self.start = start
        self.calendar = Calendar(start, days)
        forced = programmes or {}
        self.homes: list[Home] = [build_home(i, seed, forced.get(i)) for i in range(residents)]
        rate = default_rate(days) if episode_rate is None else episode_rate
        self.episodes: dict[int, list[Episode]] = {
            h.index: plan(h, self.calendar, seed, rate) for h in self.homes
        }
        self._lapses: dict[int, list[TruthRecord]] = {}

    def force(self, index: int, episodes: list[Episode], home: Home | None = None) -> None:
        """Replace the episodes (and optionally the home) of resident ``index``."""
        self.episodes[index] = episodes
        if home is not None:
            self.homes[index] = home
        self._lapses.pop(index, None)

    def meta(self) -> dict[str, Any]:
        """Size and period of the cohort (the first line of truth.jsonl)."""
        begin, end = self.calendar.window
        return {
            "residents": len(self.homes), "days": self.calendar.days, "seed": self.seed,
            "start": iso_utc(begin), "end": iso_utc(end),
        }

    def care_contexts(self) -> Iterator[tuple[str, bytes]]:
        """(resident id, care-context JSON) of every resident."""
        for home in self.homes:
            yield home.resident_id, care_context(home, self.start).model_dump_json().encode()

    def resident_records(self, index: int) -> Iterator[Record]:
        """Time-ordered records of one resident."""
        home = self.homes[index]
        eps = self.episodes[index]
        cal = self.calendar
        seed = self.seed
        muted = silences(eps, cal)
        begin, end = cal.window
        lapses: list[TruthRecord] = []
        pending: list[Record] = []
        for day in range(cal.day_count):
            midnight = cal.midnights[day]
            weekday = cal.weekday(day)
            rng = random.Random(f"tilsyn-sim:{seed}:{index}:{day}:life")  # nosec B311
            clock = day_clock(home, seed, day, weekday)
            fx = day_effects(eps, day)
            rec = Recorder(home.resident_id, index, day, midnight, home.device_ids, muted)
            day_lapses = live_day(home, clock, weekday, fx, rec, rng)
            day_lapses += follow_up(home, day, weekday, clock, eps, fx, rec, rng)
            device_reports(home, day, eps, cal, rec)
            out = rec.out
            out.sort()
            if midnight < begin or midnight + 86400 > end:
                out = [r for r in out if begin <= r[0] < end]
            lapses.extend(self._lapse_truth(home, lap, midnight) for lap in day_lapses)
            if pending and out and pending[-1] > out[0]:
                pending = sorted(pending + out)  # daylight-saving overlap
            else:
                yield from pending
                pending = out
        yield from pending
        self._lapses[index] = [r for r in lapses if begin <= r.start < end]

    @staticmethod
    def _lapse_truth(home: Home, lapse: Lapse, midnight: int) -> TruthRecord:
        t = midnight + lapse.at
        kind = AlertType(lapse.kind)
        end = t + HOUR if kind is AlertType.MISSED_MEDICATION else t
        return TruthRecord(home.resident_id, kind, t, end, "everyday_lapse", incidental=True)

    def records(self) -> Iterator[Record]:
        """All residents' records merged by time."""
        return heapq.merge(*(self.resident_records(h.index) for h in self.homes))

    def events(self) -> Iterator[Event]:
        """(epoch seconds, topic, resident id, JSON bytes) of every event, in time order."""
        for t, _, _, topic, rid, raw in self.records():
            yield t, topic, rid, raw

    def truth(self) -> list[dict[str, Any]]:
        """Ground truth: injected episodes plus everyday lapses, ordered by start.

        Lapses are known once a resident's events were generated; residents not
        yet generated are generated here (and their events dropped).
        """
        rows: list[TruthRecord] = []
        for home in self.homes:
            for ep in self.episodes[home.index]:
                rows.extend(truth(home, ep, self.calendar, self.seed))
            if home.index not in self._lapses:
                for _ in self.resident_records(home.index):
                    pass
            rows.extend(self._lapses[home.index])
        begin, end = self.calendar.window
        rows = [replace(r, end=min(r.end, end)) for r in rows if r.start < end and r.end >= begin]
        rows.sort(key=lambda r: (r.start, r.resident_id, r.type.value))
        return [r.as_dict() for r in rows]


def simulate(residents: int, days: int, seed: int, start: datetime) -> Iterator[Event]:
    """Time-ordered events of a default cohort (see :class:`Cohort`)."""
    return Cohort(residents, days, seed, start).events()


def _write_lines(path: Path, lines: Iterable[bytes]) -> int:
    n = 0
    with path.open("wb") as f:
        chunk: list[bytes] = []
        for line in lines:
            chunk.append(line)
            if len(chunk) >= 20000:
                f.write(b"\n".join(chunk) + b"\n")
                n += len(chunk)
                chunk.clear()
        if chunk:
            f.write(b"\n".join(chunk) + b"\n")
            n += len(chunk)
    return n


def write_cohort(cohort: Cohort, out_dir: Path | str) -> dict[str, int]:
    """Write events.jsonl, care-context.jsonl and truth.jsonl of ``cohort``; return line counts."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    counts = {
        "care-context": _write_lines(out / "care-context.jsonl", (raw for _, raw in cohort.care_contexts())),
        "events": _write_lines(out / "events.jsonl", (raw for *_, raw in cohort.events())),
    }
    counts["truth"] = _write_lines(
        out / "truth.jsonl", (dumps(row) for row in [{"cohort": cohort.meta()}, *cohort.truth()])
    )
    return counts


def write(out_dir: Path | str, residents: int, days: int, seed: int, start: datetime) -> dict[str, int]:
    """Simulate a default cohort and write its three files to ``out_dir``."""
    return write_cohort(Cohort(residents, days, seed, start), out_dir)


# -- the demo -----------------------------------------------------------------

DEMO_PROGRAMMES: tuple[tuple[Programme, ...], ...] = (
    (Programme.FRAIL_ELDERLY,),
    (Programme.FRAIL_ELDERLY,),
    (Programme.DEMENTIA,),
    (Programme.HEART_FAILURE,),
    (Programme.COPD,),
    (Programme.FRAIL_ELDERLY,),
    (Programme.FRAIL_ELDERLY, Programme.DEMENTIA),
)


def _next_local(cal: Calendar, after: int, lo: int, hi: int) -> tuple[int, int]:
    """First (day, second) at or after epoch ``after`` whose local second lies in ``[lo, hi)``."""
    day, s = cal.locate(after)
    if s < lo:
        return day, lo
    if s < hi:
        return day, s
    return day + 1, lo


def _with_device(home: Home, name: str, on_battery: bool) -> Home:
    """``home`` with device ``name`` installed (a demo role needs it)."""
    if name in home.devices:
        return home
    return replace(
        home,
        devices={**home.devices, name: on_battery},
        device_ids={**home.device_ids, name: f"{home.resident_id}-{name}"},
        battery_start={**home.battery_start, name: 90.0} if on_battery else home.battery_start,
        battery_drain={**home.battery_drain, name: 0.1} if on_battery else home.battery_drain,
        phase={**home.phase, name: 1234},
    )


class DemoFeed:
    """The cohort of ``tilsyn demo``: history up to ``live_from``, then a live day with sure episodes.

    ``live_from`` is one day before ``end``. Within the first simulated hours
    after it: a bathroom fall, a safety-alarm press, a silent kitchen sensor, a
    heart-failure weight gain and an infective COPD exacerbation worth a high NEWS2 score;
    the first night brings a night walk and the next morning no activity.
    """

    def __init__(self, *, residents: int = 25, history_days: int = 8, seed: int = 7, end: datetime) -> None:
        days = max(4, history_days)
        end_epoch = int(end.timestamp())
        start = end - timedelta(days=days)
        self.live_from = end_epoch - 86400
        self.cohort = Cohort(
            residents, days, seed, start,
            programmes={i: p for i, p in enumerate(DEMO_PROGRAMMES) if i < residents},
        )
        self._place_episodes()

    def _place_episodes(self) -> None:
        cohort, cal, L = self.cohort, self.cohort.calendar, self.live_from
        n = len(cohort.homes)
        k = EpisodeKind
        if n > 0:
            d, s = cal.locate(L + 15 * MINUTE)
            home = _with_device(cohort.homes[0], "fall-radar", on_battery=False)
            cohort.force(0, [Episode(k.BATHROOM_FALL, d, s, duration=55 * MINUTE, detected=True)], home)
        if n > 1:
            d, s = cal.locate(L + 40 * MINUTE)
            home = _with_device(cohort.homes[1], "pendant", on_battery=True)
            cohort.force(1, [Episode(k.SAFETY_ALARM, d, s, duration=25 * MINUTE)], home)
        if n > 2:
            d, s = _next_local(cal, L + 20 * MINUTE, 30 * MINUTE, 4 * HOUR)
            cohort.force(2, [Episode(k.NIGHT_WANDERING, d, s, duration=40 * MINUTE)])
        session_day, session_at = _next_local(cal, L + 45 * MINUTE, 7 * HOUR, 21 * HOUR)
        if n > 3:
            # One sudden reading, so the alert falls in the live part rather than in the history.
            cohort.force(3, [Episode(k.HF_DECOMPENSATION, session_day, days=1, magnitude=2.8, session_at=session_at)])
        if n > 4:
            home = cohort.homes[4]
            home = replace(home, hypercapnic=False, baseline=replace(home.baseline, spo2=94.0))
            copd_at = session_at + 30 * MINUTE
            cohort.force(
                4,
                [
                    Episode(k.COPD_EXACERBATION, session_day, days=1, magnitude=7.0, session_at=copd_at),
                    Episode(k.FEVER, session_day, days=1, magnitude=38.4, session_at=copd_at),  # infective
                ],
                home,
            )
        if n > 5:
            home = cohort.homes[5]
            d = cal.locate(L + HOUR)[0]
            if cal.epoch(d, day_clock(home, cohort.seed, d, cal.weekday(d)).wake) < L + HOUR:
                d += 1
            wake = day_clock(home, cohort.seed, d, cal.weekday(d)).wake
            cohort.force(5, [Episode(k.NO_MORNING_ACTIVITY, d, min(wake + 3 * HOUR + 30 * MINUTE, 14 * HOUR))])
        if n > 6:
            d, s = cal.locate(L + 10 * MINUTE)
            cohort.force(6, [Episode(k.DEAD_SENSOR, d, s, duration=3 * 86400, device="pir-kitchen")])

    def care_contexts(self) -> Iterator[tuple[str, bytes]]:
        """(resident id, care-context JSON) of every demo resident."""
        return self.cohort.care_contexts()

    def events(self) -> Iterator[Event]:
        """(epoch seconds, topic, resident id, JSON bytes) in time order, up to ``end``."""
        return self.cohort.events()

    def truth(self) -> list[dict[str, Any]]:
        """Ground truth of the demo cohort."""
        return self.cohort.truth()
