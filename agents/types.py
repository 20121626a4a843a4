"""The contract between detectors, the alert desk and the shells that run them.

A detector is a pure, deterministic state machine over one resident:

    step(state, event, t, view) -> (state, [AlertCandidate])   # an event arrived
    tick(state, now, view)      -> (state, [AlertCandidate])   # event time moved on

``t`` and ``now`` are event-time seconds since the epoch (UTC). A detector never
reads the wall clock, does no I/O and knows nothing of Kafka or Faust; it may
update the state it was given in place and return it (the shell owns the copy).
The Faust worker, the offline replay, the tests and the benchmark all call the
same detectors through :class:`agents.engine.Engine`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, TypeVar
from zoneinfo import ZoneInfo

from schemas.alerts import AlertType, DetailValue, DhoCategory, RecipientKind, Severity
from schemas.care import CareContext, Programme

S = TypeVar("S")


@dataclass(slots=True, frozen=True)
class AlertCandidate:
    """A detector's finding, before routing, de-duplication and escalation.

    ``episode_start`` (with ``type`` and ``episode_key``) identifies the episode:
    the alert desk derives the deterministic alert id from it, so the same
    episode seen again (replay, restart, repeated evidence) keeps one id.
    """

    type: AlertType
    severity: Severity
    time: float
    episode_start: float
    evidence_nb: str
    evidence_en: str
    details: Mapping[str, DetailValue] = field(default_factory=dict)
    episode_key: str = ""
    dho_category: DhoCategory | None = None
    recipient_hint: RecipientKind | None = None


@dataclass(slots=True, frozen=True)
class ResidentView:
    """Read-only facts about the resident a detector may use besides its state."""

    resident_id: str
    care: CareContext | None
    tz: ZoneInfo
    programmes: frozenset[Programme]
    overrides: Mapping[str, float]
    home: Any = None
    """The resident's home model (capabilities and activity, ``agents.behaviour.home.HomeState``),
    kept by the engine and updated before the detectors see an event; behaviour detectors read it."""

    @classmethod
    def of(
        cls, resident_id: str, care: CareContext | None, default_tz: str = "Europe/Oslo", home: Any = None
    ) -> ResidentView:
        if care is None:
            return cls(resident_id, None, ZoneInfo(default_tz), frozenset(), {}, home)
        return cls(resident_id, care, ZoneInfo(care.time_zone), frozenset(care.programmes), care.overrides, home)

    def param(self, name: str, default: float) -> float:
        """The resident's override of a threshold, or the documented default."""
        return self.overrides.get(name, default)

    @property
    def at_home(self) -> bool:
        """False when the care system says the resident is away or in hospital."""
        return self.care is None or self.care.presence == "home"

    def follows(self, programme: Programme) -> bool:
        return programme in self.programmes


@dataclass(frozen=True, slots=True)
class Parameter:
    """A documented default threshold that a care context may override by name.

    ``minimum`` and ``maximum`` bound what an override may set. They are clinical or
    practical limits, not the detector's arithmetic limits: a bathroom-stay limit of
    0 min would alert on every visit, and a limit of a week would switch the pattern
    off without anyone noticing. A care context with an override outside the range is
    rejected at ingest (dead-letter naming parameter, value and range), and
    :func:`value` clamps as the last guard.
    """

    name: str
    default: float
    unit: str
    description: str
    source: str
    minimum: float = field(kw_only=True)
    maximum: float = field(kw_only=True)

    def __post_init__(self) -> None:
        if not self.minimum <= self.default <= self.maximum:
            raise ValueError(f"parameter {self.name}: default {self.default} outside [{self.minimum}, {self.maximum}]")

    def problem(self, v: float) -> str | None:
        """Why ``v`` is not an acceptable override, or None when it is."""
        if not math.isfinite(v) or not self.minimum <= v <= self.maximum:
            return f"{self.name}={v:g} is outside the allowed range {self.minimum:g}-{self.maximum:g} {self.unit}"
        return None

    def clamp(self, v: float) -> float:
        if not math.isfinite(v):
            return self.default
        return min(self.maximum, max(self.minimum, v))


def value(view: ResidentView, p: Parameter) -> float:
    """The resident's override of ``p`` (kept within its range), or its documented default."""
    v = view.overrides.get(p.name)
    return p.default if v is None else p.clamp(v)


class Detector(Protocol[S]):
    """One pattern (or a small family of related patterns) over one resident."""

    name: ClassVar[str]
    kinds: ClassVar[frozenset[str]]
    """Event kinds ``step`` wants; the engine dispatches only those."""
    ticks: ClassVar[bool]
    """True when the detector has absence patterns and must see ``tick``."""

    def initial(self) -> S: ...

    def step(self, state: S, event: Any, t: float, view: ResidentView) -> tuple[S, list[AlertCandidate]]: ...

    def tick(self, state: S, now: float, view: ResidentView) -> tuple[S, list[AlertCandidate]]: ...

    def due(self, state: S, view: ResidentView) -> float:
        """Earliest event time at which ``tick`` could fire (``math.inf`` if nothing is pending).

        The engine skips ``tick`` until then, which keeps ticking a whole county
        cheap. Returning a time that is too early is always safe; too late is a bug.
        """
        ...

    state_type: ClassVar[Any]
    """The type ``dump`` returns and a stored state is decoded to (an ``agents.statecodec.Stored``
    class, or a plain type such as ``None``): the engine's codec reads it back typed, in one pass."""

    def dump(self, state: S) -> S:
        """The state as stored: the state itself, or a copy without caches that are rebuilt after loading."""
        ...
