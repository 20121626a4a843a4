"""What every reading-driven clinical detector shares: no ticks, state stored as its dataclass.

Measurement patterns fire when a reading arrives, never from absence, so their
``tick`` does nothing and ``due`` is never. A reading older than the newest one of
its kind (a late delivery within the engine's allowed lateness) does not move an
episode: the newest reading is the patient's current state.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar, Generic, TypeVar
from zoneinfo import ZoneInfo

from agents.clinical.episode import SEVERITY_OF, Episode, local_day
from agents.types import AlertCandidate, ResidentView
from schemas.alerts import AlertType, DetailValue, RecipientKind

S = TypeVar("S")


class ReadingDetector(Generic[S]):
    """Base of detectors that decide on each reading; subclasses set ``state_type`` and ``step``."""

    ticks: ClassVar[bool] = False
    state_type: ClassVar[type[Any]]

    def initial(self) -> S:
        return self.state_type()

    def tick(self, state: S, now: float, view: ResidentView) -> tuple[S, list[AlertCandidate]]:
        return state, []

    def due(self, state: S, view: ResidentView) -> float:
        return math.inf

    def dump(self, state: S) -> S:
        return state


def graded_candidate(
    type_: AlertType,
    episode: Episode,
    rank: int,
    t: float,
    nb: str,
    en: str,
    details: dict[str, DetailValue],
    hint: RecipientKind | None = None,
    key: str = "",
    *,
    tz: ZoneInfo,
) -> list[AlertCandidate]:
    """The candidate for a reading of ``rank`` at ``t``, if the episode warrants a notice (else none).

    The episode key is the local day and the severity (each abnormal day and each
    worsening is a new alert), prefixed by ``key`` when one detector runs several
    episodes of one type at once.
    """
    if not episode.update(rank, t, local_day(t, tz)):
        return []
    assert episode.start is not None  # nosec B101 - update() opened the episode
    sev = SEVERITY_OF[rank]
    return [
        AlertCandidate(
            type=type_, severity=sev, time=t, episode_start=episode.start, evidence_nb=nb,
            evidence_en=en, details=details, episode_key=f"{key}:{episode.day}:{sev.value}" if key else f"{episode.day}:{sev.value}", recipient_hint=hint,
        )
    ]
