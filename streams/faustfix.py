"""The one correction tilsyn makes to Faust's internals (faust-streaming 0.15.3, pinned).

Faust decides what offset to commit from the list of acknowledged offsets per partition
(``Consumer._acked``), taking the first run of consecutive numbers. Two things in Faust put
the same offset into that list twice:

- after a partition is assigned, Faust resumes fetching before it seeks the partition to its
  committed offset (``Recovery.on_recovery_completed``), so records fetched before the seek
  can arrive after it, ahead of the re-read; its fetch loop then registers the offsets in
  between as a gap (meant for compacted topics) and later counts the gap as acknowledged;
- those same offsets are read again from the committed offset and acknowledged when processed.

A duplicated offset ends a "run", so the commit advanced by one offset per commit interval:
after a kill -9 the partitions stayed committed near their pre-crash offsets for minutes, the
stall watchdog restarted the worker, and it started over (issue: commits stop advancing after
kill -9). The correction removes duplicates before Faust computes the run. It is a subclass,
reached through Faust's public transport registry (the ``faust.transports`` entry point), not a
patch; ``tests/streams/test_faustfix.py`` checks the assumption against the installed version.
"""

from __future__ import annotations

from typing import Any

from faust.transport.drivers import aiokafka as _aiokafka

FAUST_VERSION = "0.15.3"
"""The faust-streaming version whose ``Consumer._new_offset`` this corrects (pinned in pyproject.toml)."""

SCHEME = "tilsyn-kafka"
"""URL scheme of the corrected transport (``kafka://host:port`` is rewritten to it)."""


class Consumer(_aiokafka.Consumer):
    """Faust's aiokafka consumer, with duplicate acknowledged offsets removed before each commit."""

    def _new_offset(self, tp: Any) -> int | None:
        acked = self._acked[tp]
        if len(acked) > 1:
            unique = set(acked)
            if len(unique) != len(acked):
                acked[:] = sorted(unique)  # in place: Faust keeps the list object
        result: int | None = super()._new_offset(tp)
        return result


    def commit_view(self, tp: Any) -> dict[str, Any]:
        """Faust's commit bookkeeping of one partition, for a log line when its commit stands still."""
        acked = self._acked.get(tp) or []
        return {
            "committed": self._committed_offset.get(tp), "read": self._read_offset.get(tp),
            "acked": len(acked), "acked_min": min(acked) if acked else None,
            "gaps": len(self._gap.get(tp) or ()), "paused": tp in self._paused_partitions,
            "active": tp in (self._active_partitions or ()),
        }


class Transport(_aiokafka.Transport):
    """Faust's aiokafka transport with the corrected consumer."""

    Consumer = Consumer


def broker_url(url: str) -> str:
    """Faust broker URL(s) using the corrected transport (``kafka://a;kafka://b`` likewise)."""
    return ";".join(
        SCHEME + part[len("kafka"):] if part.startswith("kafka://") else part for part in url.split(";")
    )
