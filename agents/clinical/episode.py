"""Graded episodes: fire once per episode, again only when it gets worse.

An episode starts with the first reading at or above low severity and ends with
a reading back in the normal band. Its start time (with the alert type and the
episode key) gives the alert desk a deterministic alert id, so a replay or a
restart sends nothing twice. A worsening within the episode (medium → high) is a
new candidate keyed by its severity.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.alerts import Severity

NONE, LOW, MEDIUM, HIGH = 0, 1, 2, 3
"""Severity ranks; 0 means normal (no alert, ends an episode)."""

SEVERITY_OF = {LOW: Severity.LOW, MEDIUM: Severity.MEDIUM, HIGH: Severity.HIGH}


def severity_rank(level: float) -> int:
    """A configured severity (1 low, 2 medium, 3 high) as a rank, clamped to that range."""
    return min(HIGH, max(LOW, round(level)))


@dataclass(slots=True)
class Episode:
    """The open episode of one pattern: when it began and the worst severity alerted."""

    start: float | None = None
    rank: int = NONE

    def update(self, rank: int, t: float) -> bool:
        """Feed the rank of the newest reading at ``t``; True when a candidate should be sent."""
        if rank == NONE:
            self.start = None
            self.rank = NONE
            return False
        if self.start is None:
            self.start = t
        if rank > self.rank:
            self.rank = rank
            return True
        return False
