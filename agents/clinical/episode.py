"""Daily notices: one per abnormal local day per parameter, again whenever it gets worse.

A monitoring nurse wants to hear about a parameter outside its green band once a
day, not once per reading, and again the moment it moves to a worse band; an open
episode must never hide a worse reading. An episode starts with the first abnormal
reading and ends with a normal one; its start time (with the alert type and an
episode key carrying the local day and the severity) gives the alert desk a
deterministic alert id, so a replay or a restart sends nothing twice.
"""

from __future__ import annotations

from agents.localtime import local_day_number as local_day
from agents.statecodec import Stored
from schemas.alerts import Severity

__all__ = ["HIGH", "LOW", "MEDIUM", "NONE", "SEVERITY_OF", "Episode", "local_day", "severity_rank"]

NONE, LOW, MEDIUM, HIGH = 0, 1, 2, 3
"""Severity ranks; 0 means normal (no alert, ends an episode)."""

SEVERITY_OF = {LOW: Severity.LOW, MEDIUM: Severity.MEDIUM, HIGH: Severity.HIGH}


def severity_rank(level: float) -> int:
    """A configured severity (1 low, 2 medium, 3 high) as a rank, clamped to that range."""
    return min(HIGH, max(LOW, round(level)))


class Episode(Stored):
    """One parameter's abnormal run: when it began, and the worst rank notified on the last notice day."""

    start: float | None = None
    rank: int = NONE
    """Worst rank notified on ``day``."""
    day: int = 0
    """Local day ordinal of the last notice (0: never)."""

    def update(self, rank: int, t: float, day: int) -> bool:
        """Feed the rank of the newest finding at ``t`` on local ``day``; True when a notice is due.

        Due on the first abnormal finding of a local day, and whenever a finding is worse
        than everything notified that day. A normal finding ends the run but not the day:
        abnormal, normal and abnormal again within one day is one notice.
        """
        if rank == NONE:
            self.start = None
            return False
        if self.start is None:
            self.start = t
        if day != self.day:
            self.day, self.rank = day, rank
            return True
        if rank > self.rank:
            self.rank = rank
            return True
        return False
