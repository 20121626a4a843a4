"""How a resident's episodes change one day of daily life, and which devices are silent."""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.calendar import Calendar
from sim.episodes import Episode, EpisodeKind
from sim.records import Silences

# Gradual changes reach their final level over this many days (or the episode's length).
GRADUAL_RAMP_DAYS = 18
ILL_ACTIVITY = 0.7


@dataclass(slots=True)
class DayEffects:
    """Changes to one day; the defaults are an ordinary day."""

    activity: float = 1.0
    social: float = 1.0
    extra_night_toilets: int = 0
    get_up: int | None = None
    ill: bool = False
    skip_dho: bool = False
    missed_doses: set[int] = field(default_factory=set)
    falls: list[Episode] = field(default_factory=list)
    wanders: list[Episode] = field(default_factory=list)
    alarms: list[Episode] = field(default_factory=list)


def _ramp(episode: Episode, day: int) -> float:
    """0 before the onset, rising linearly to 1 over the ramp."""
    ramp = max(1, min(GRADUAL_RAMP_DAYS, episode.days))
    return min(1.0, (day - episode.day + 1) / ramp)


def day_effects(episodes: list[Episode], day: int) -> DayEffects:
    """The effects of ``episodes`` on local ``day``."""
    fx = DayEffects()
    k = EpisodeKind
    for ep in episodes:
        if day < ep.day:
            continue
        on = day <= ep.last_day
        if ep.kind is k.ACTIVITY_DECLINE and on:
            fx.activity *= 1.0 - (1.0 - ep.magnitude) * _ramp(ep, day)
        elif ep.kind is k.SOCIAL_WITHDRAWAL and on:
            fx.social *= 1.0 - (1.0 - ep.magnitude) * _ramp(ep, day)
        elif ep.kind is k.NOCTURIA and on:
            fx.extra_night_toilets += int(ep.magnitude)
        elif ep.kind in (k.FEVER, k.COPD_EXACERBATION) and on:
            fx.ill = True
            fx.activity *= ILL_ACTIVITY
        elif ep.kind is k.MISSED_MEASUREMENTS and on:
            fx.skip_dho = True
        elif day == ep.day:
            if ep.kind is k.NO_MORNING_ACTIVITY:
                fx.get_up = ep.at
                fx.ill = True
                fx.activity *= 0.6
            elif ep.kind is k.MISSED_MEDICATION:
                fx.missed_doses.add(ep.at)
            elif ep.kind is k.BATHROOM_FALL:
                fx.falls.append(ep)
            elif ep.kind is k.NIGHT_WANDERING:
                fx.wanders.append(ep)
            elif ep.kind is k.SAFETY_ALARM:
                fx.alarms.append(ep)
    return fx


def silences(episodes: list[Episode], cal: Calendar) -> Silences:
    """Device name -> epoch intervals in which it sends nothing (dead sensor, flat battery)."""
    out: Silences = {}
    for ep in episodes:
        if ep.kind in (EpisodeKind.DEAD_SENSOR, EpisodeKind.BATTERY_DEATH) and ep.device:
            start = cal.epoch(ep.day, ep.at)
            out.setdefault(ep.device, []).append((start, start + ep.duration))
    return out


def battery_level(normal: float, episodes: list[Episode], device: str, t: int, cal: Calendar) -> float:
    """Battery percent of ``device`` at epoch ``t``: ``normal`` unless a battery death bends it."""
    for ep in episodes:
        if ep.kind is EpisodeKind.BATTERY_DEATH and ep.device == device:
            death = cal.epoch(ep.day, ep.at)
            low_from = cal.epoch(max(0, ep.day - ep.days), ep.at)
            if t >= death + ep.duration:
                return 100.0  # replaced
            if t >= low_from:
                # Lithium cells hold their voltage and then fall quickly: 14 % down to 1 %.
                return float(max(1, round(14 - 13 * (t - low_from) / max(1, death - low_from))))
            return max(20.0, normal)
    return normal
