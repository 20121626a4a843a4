"""How clinical evidence reads: local clock times and numbers, in bokmål and English.

A nurse reads the evidence on a phone between visits, so it names the value, the
unit, the limit and the local time the reading was taken, and nothing else.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def clock(t: float, tz: ZoneInfo) -> str:
    """Local wall-clock time, e.g. ``08:15``."""
    return datetime.fromtimestamp(t, tz).strftime("%H:%M")


def day_clock_nb(t: float, tz: ZoneInfo) -> str:
    """Local date and time in Norwegian style, e.g. ``29.03. kl. 08:15``."""
    return datetime.fromtimestamp(t, tz).strftime("%d.%m. kl. %H:%M")


def day_clock_en(t: float, tz: ZoneInfo) -> str:
    """Local date and time in English, e.g. ``29 Mar 08:15``."""
    return datetime.fromtimestamp(t, tz).strftime("%d %b %H:%M")


def num_en(x: float, decimals: int = 0) -> str:
    """A number with a decimal point and no trailing noise (``37.9``, ``72``)."""
    return f"{x:.{decimals}f}"


def num_nb(x: float, decimals: int = 0) -> str:
    """A number with a decimal comma, as Norwegian readers expect (``37,9``)."""
    return f"{x:.{decimals}f}".replace(".", ",")
