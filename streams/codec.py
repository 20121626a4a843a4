"""Decode raw Kafka records into validated messages, or say exactly why not.

One function per input topic shape; every failure becomes a :class:`DecodeError`
with a bounded ``code`` (a metric label) and a readable ``reason`` that names
fields and rules but never repeats the payload (it may hold personal data).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter, ValidationError

from agents.types import Parameter
from schemas.alerts import Acknowledgement
from schemas.base import ResidentId
from schemas.care import CareContext
from schemas.inbound import ACKNOWLEDGEMENT, CARE_CONTEXT, RESIDENT_EVENT

REASON_CODES = (
    "oversized", "bad_json", "schema", "national_id", "unknown_kind", "future_time",
    "past_time", "late", "duplicate", "bad_key", "fhir", "unknown_override", "override_range",
    "implausible_time", "stale_care_context", "forged_header", "ack_refused",
)
"""Every reason code (bounded label set of tilsyn_invalid_records_total)."""


class DecodeError(ValueError):
    """A record that cannot be used, with a metric-safe code and a readable reason."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class ClockFault(DecodeError):
    """A valid event whose device time cannot be used; ``event`` lets a safety alarm still be alerted."""

    def __init__(self, code: str, reason: str, event: Any) -> None:
        super().__init__(code, reason)
        self.event = event


def explain(exc: ValidationError, limit: int = 5) -> DecodeError:
    """Turn a pydantic error into a DecodeError without echoing input values."""
    errors = exc.errors(include_input=False, include_url=False)
    code = "schema"
    parts = []
    for err in errors:
        msg = err["msg"]
        if err["type"] == "json_invalid":
            code = "bad_json"
        elif err["type"] == "union_tag_invalid" or err["type"] == "union_tag_not_found":
            code = "unknown_kind"
        elif "national identity number" in msg:
            code = "national_id"
        loc = ".".join(str(p) for p in err["loc"]) or "record"
        parts.append(f"{loc}: {msg}")
    more = f" (+{len(parts) - limit} more)" if len(parts) > limit else ""
    return DecodeError(code, "; ".join(parts[:limit]) + more)


@dataclass(frozen=True, slots=True)
class Limits:
    """Ingest limits; see :class:`streams.settings.Settings` for their meaning."""

    max_record_bytes: int = 64 * 1024
    max_future_skew_s: float = 600.0
    max_past_age_s: float | None = 7 * 24 * 3600.0
    max_event_jump_s: float = 14 * 24 * 3600.0
    """Event-clock mode (simulated or replayed time): a record this far ahead of its partition's event
    time is a wrong device clock. Two weeks: a home may well be silent for a holiday."""


EARLIEST_PLAUSIBLE = 946_684_800.0
"""2000-01-01T00:00Z: no welfare-technology record is older; earlier means a clock that was never set."""
LATEST_PLAUSIBLE = 4_102_444_800.0
"""2100-01-01T00:00Z: later is a clock gone wrong, whatever the reference clock says."""


def check_size(raw: bytes | None, limits: Limits) -> bytes:
    if raw is None:
        raise DecodeError("schema", "record has no value")
    if len(raw) > limits.max_record_bytes:
        raise DecodeError(
            "oversized", f"record is {len(raw)} bytes; the limit is {limits.max_record_bytes} bytes"
        )
    return raw


def decode_event(raw: bytes | None, wall_now: float | None, limits: Limits) -> tuple[Any, float]:
    """A sensor or DHO event and its event time (epoch s); device clocks are checked against the wall."""
    data = check_size(raw, limits)
    try:
        event = RESIDENT_EVENT.validate_json(data)
    except ValidationError as exc:
        raise explain(exc) from None
    t = event.time.timestamp()
    if not EARLIEST_PLAUSIBLE <= t < LATEST_PLAUSIBLE:
        raise ClockFault(
            "implausible_time", f"event time {event.time.isoformat()} is outside 2000-2100: device clock not set",
            event,
        )
    if wall_now is not None:
        ahead = t - wall_now
        if ahead > limits.max_future_skew_s:
            raise ClockFault(
                "future_time",
                f"event time is {ahead:.0f} s ahead of the clock (allowed {limits.max_future_skew_s:.0f} s): "
                "device clock wrong",
                event,
            )
        if limits.max_past_age_s is not None and -ahead > limits.max_past_age_s:
            raise DecodeError(
                "past_time",
                f"event time is {-ahead / 86400:.1f} days in the past "
                f"(allowed {limits.max_past_age_s / 86400:.1f}): device clock wrong or stale buffer",
            )
    return event, t


_QUESTIONNAIRE_PARAM = re.compile(r"^questionnaire_[a-z0-9]{1,24}_(alert|severity)$")
_QUESTIONNAIRE_RANGES = {"alert": (0.0, 200.0), "severity": (1.0, 3.0)}
"""Open-ended per-questionnaire overrides: a score limit within any published scale, a severity 1-3."""


def check_overrides(care: CareContext, known_parameters: Mapping[str, Parameter]) -> None:
    """Every override must name a documented parameter and lie within its range.

    A care context that breaks this is rejected whole (the resident keeps the previous
    valid one): an override of 0 or 1e9 can silence a pattern or make it storm.
    """
    unknown: list[str] = []
    out_of_range: list[str] = []
    for name, v in sorted(care.overrides.items()):
        p = known_parameters.get(name)
        if p is not None:
            problem = p.problem(v)
            if problem:
                out_of_range.append(problem)
            continue
        m = _QUESTIONNAIRE_PARAM.match(name)
        if m is None:
            unknown.append(name)
            continue
        lo, hi = _QUESTIONNAIRE_RANGES[m.group(1)]
        if not lo <= v <= hi:
            out_of_range.append(f"{name}={v:g} is outside the allowed range {lo:g}-{hi:g}")
    if unknown:
        raise DecodeError("unknown_override", f"overrides name unknown parameters: {', '.join(unknown)}")
    if out_of_range:
        raise DecodeError("override_range", "; ".join(out_of_range))


def decode_care(raw: bytes | None, limits: Limits, known_parameters: Mapping[str, Parameter]) -> CareContext:
    data = check_size(raw, limits)
    try:
        care = CARE_CONTEXT.validate_json(data)
    except ValidationError as exc:
        raise explain(exc) from None
    check_overrides(care, known_parameters)
    return care


_RESIDENT_KEY: TypeAdapter[str] = TypeAdapter(ResidentId)


def tombstone_key(key: bytes | None) -> str:
    """The resident id a care-context tombstone deletes; a missing or invalid key is an error."""
    if not key:
        raise DecodeError("bad_key", "care-context tombstone without a key: nothing to delete")
    try:
        return _RESIDENT_KEY.validate_python(key.decode("utf-8"))
    except (UnicodeDecodeError, ValidationError):
        raise DecodeError(
            "bad_key", "care-context tombstone key is not a valid resident id (pseudonym, 3-64 characters)"
        ) from None


def decode_ack(raw: bytes | None, limits: Limits) -> Acknowledgement:
    data = check_size(raw, limits)
    try:
        return ACKNOWLEDGEMENT.validate_json(data)
    except ValidationError as exc:
        raise explain(exc) from None
