"""Base model and shared field types for every message tilsyn reads or writes.

Models are strict: unknown fields are rejected and values are not coerced
silently (a string "72" is not a pulse). JSON input is parsed by pydantic's own
parser, which accepts ISO-8601 strings for timestamps even in strict mode.
"""

from __future__ import annotations

import functools
import re
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints


class StrictModel(BaseModel):
    """Frozen, strict, closed model: the contract style of every tilsyn message."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{2,63}$"
_ELEVEN_DIGITS = re.compile(r"\d{11}")
_SEPARATORS = re.compile(r"[\s._:-]")


def _reject_national_id(value: str) -> str:
    """Reject values that look like a Norwegian national identity number.

    Residents are pseudonymous in the stream; the mapping to a fødselsnummer or
    D-nummer (11 digits) belongs to the care system. Eleven consecutive digits,
    also when broken up by separators, are refused.
    """
    if _ELEVEN_DIGITS.search(value) or _ELEVEN_DIGITS.search(_SEPARATORS.sub("", value)):
        raise ValueError(
            "resident_id looks like a national identity number (11 digits); "
            "send the pseudonymous resident id instead"
        )
    return value


ResidentId = Annotated[
    str,
    StringConstraints(pattern=_ID_PATTERN),
    AfterValidator(_reject_national_id),
    Field(description="Pseudonymous resident id (3-64 chars; never a national identity number)."),
]
"""Pseudonymous resident id: 3-64 characters, letters, digits and ``._:-``."""

EventId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$"),
    Field(description="Producer-unique event id (printable ASCII, 1-128 chars); duplicates are ignored."),
]
DeviceId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$")]
TeamId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$"),
    Field(description="Id of a team or unit (home-care team, response centre, specialist unit)."),
]


_NOT_A_ZONE = frozenset({"localtime", "Factory", "posixrules"})
"""Names some tz databases carry that are not places: ``localtime`` is whatever the host says."""


@functools.cache
def _iana_zones() -> frozenset[str]:
    return frozenset(available_timezones()) - _NOT_A_ZONE


def _check_time_zone(value: str) -> str:
    if value not in _iana_zones():
        raise ValueError(f"unknown IANA time zone {value!r} (a place name such as Europe/Oslo)")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown IANA time zone {value!r}") from exc
    return value


TimeZoneName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64),
    AfterValidator(_check_time_zone),
    Field(description="IANA time zone name, for example Europe/Oslo."),
]
