"""Quality indicators per municipality and service: one window of one source partition.

Published by the indicators worker (``tilsyn indicators worker``) on the compacted
``indicators`` topic. Residents are partitioned by their id, so each partition's record
holds the counts of a disjoint set of residents: the indicators of a municipality are
the **sum of the counts of every partition** (``shard``) for the same window, municipality
and service, and only then the ratios (``agents/indicators/definitions.py`` does both).
Counts only: no resident id, team id or alert id travels in this record.

Key: ``<window>|<label>|<municipality>|<service>|<shard>``; a newer ``revision`` of the same
key replaces the older one (a late acknowledgement revises a closed window).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints

from schemas.base import StrictModel, TimeZoneName

WindowKind = Literal["day", "week", "month"]
"""Tumbling windows in local time: a calendar day, an ISO week (Monday to Monday), a calendar month."""

ServiceCode = Literal["ALL", "TA", "DT", "DHO", "MD", "GPS", "RT"]
"""VKP service code, or ALL: the resident is followed by at least one service."""

Count = Annotated[int, Field(ge=0)]

ACK_BUCKETS_S: tuple[float, ...] = (
    15, 30, 60, 120, 180, 300, 420, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200, 10800,
    14400, 21600, 28800, 43200, 86400, 172800, 604800,
)
"""Upper bounds (seconds) of the time-to-acknowledge histogram; the last bucket is open.

Fine below 10 min, where the response centre's 5-minute escalation step lies (routing.yaml
chain ``safety``), coarse up to the 7 days after which an alert counts as never acknowledged."""


class IndicatorWindow(StrictModel):
    """Counts of one tumbling window for one municipality and service, from one source partition."""

    window: WindowKind
    label: Annotated[str, StringConstraints(pattern=r"^\d{4}-(\d{2}|\d{2}-\d{2}|W\d{2})$")] = Field(
        description="2026-11 (month), 2026-W45 (ISO week) or 2026-11-03 (day), in the local time zone."
    )
    start: AwareDatetime = Field(description="Local start of the window (inclusive), with its UTC offset.")
    end: AwareDatetime = Field(description="Local end of the window (exclusive); a DST day lasts 23 or 25 h.")
    time_zone: TimeZoneName = "Europe/Oslo"
    municipality: Annotated[str, StringConstraints(pattern=r"^(\d{4}|unknown)$")] = Field(
        description="Municipality number from the care context (the alert's own for alerts); unknown when none."
    )
    service: ServiceCode
    shard: Annotated[int, Field(ge=0, le=4095)] = Field(description="Source partition; sum over shards.")
    status: Literal["open", "closed"] = Field(
        description="open: provisional counts of a running window; closed: the window ended (plus grace)."
    )
    revision: Annotated[int, Field(ge=0)] = Field(
        default=0, description="Raised when a closed window is revised by a late acknowledgement or escalation."
    )
    residents: Count = Field(description="Distinct residents with at least one resident-day in the window.")
    resident_days: Count = Field(description="Local days at whose end the resident's care context named the service.")
    device_days: Count = Field(description="Registered devices times resident-days (homes with a device registry).")
    alerts: Count = Field(description="Distinct alerts (initial notifications, one per alert id) detected in the window.")
    alerts_by_type: dict[str, Count] = Field(default_factory=dict)
    alerts_by_category: dict[str, Count] = Field(default_factory=dict)
    alerts_by_severity: dict[str, Count] = Field(default_factory=dict)
    escalated: Count = Field(description="Alerts of the window that got at least one escalation notification.")
    acknowledged: Count = Field(description="Alerts of the window with an acknowledgement within 7 days (any action).")
    false_alarms: Count = Field(description="Alerts of the window acknowledged as false_alarm.")
    ack_seconds: dict[str, tuple[Count, ...]] = Field(
        default_factory=dict,
        description="Time from detection to first acknowledgement, per '<severity>/<recipient kind>' of the "
        "acknowledging team: counts per ACK_BUCKETS_S bucket (len + 1, the last open).",
    )
    inactive_residents: Count = Field(
        description="Distinct residents with an inactive_patient alert in the window (DHO: no data for days)."
    )
    device_silent: Count = Field(description="device_silent alerts in the window (a device stopped reporting).")
    next_of_kin_notices: Count = Field(description="Notices sent to next of kin (recipient next-of-kin) in the window.")

    @property
    def key(self) -> str:
        """Compacted-topic key: one record per window, municipality, service and shard."""
        return f"{self.window}|{self.label}|{self.municipality}|{self.service}|{self.shard}"
