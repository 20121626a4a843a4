"""How behaviour evidence states times and durations (local clock, both languages)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def clock(t: float, tz: ZoneInfo) -> str:
    """Local wall-clock time, e.g. ``07:42``."""
    d = datetime.fromtimestamp(t, tz)
    return f"{d.hour:02d}:{d.minute:02d}"


def day_clock(t: float, tz: ZoneInfo) -> str:
    """Local date and time, e.g. ``28.03. 07:42`` (readable in both languages)."""
    d = datetime.fromtimestamp(t, tz)
    return f"{d.day:02d}.{d.month:02d}. {d.hour:02d}:{d.minute:02d}"


def span_nb(seconds: float) -> str:
    """A duration in bokmål: ``52 min`` or ``4 t 10 min``."""
    m = round(seconds / 60.0)
    if m < 60:
        return f"{m} min"
    return f"{m // 60} t" if m % 60 == 0 else f"{m // 60} t {m % 60} min"


def span_en(seconds: float) -> str:
    """A duration in English: ``52 min`` or ``4 h 10 min``."""
    m = round(seconds / 60.0)
    if m < 60:
        return f"{m} min"
    return f"{m // 60} h" if m % 60 == 0 else f"{m // 60} h {m % 60} min"


def number(x: float) -> str:
    """A count or median without a needless decimal (``3``, ``2.5``)."""
    return f"{x:.0f}" if float(x).is_integer() else f"{x:.1f}"


PLACE_NB = {
    "bedroom": "soverommet", "bathroom": "badet", "kitchen": "kjøkkenet", "living_room": "stua",
    "hallway": "gangen", "entrance": "inngangen", "other": "et annet rom", "bed": "sengen",
    "chair": "stolen", "exit": "ytterdøren", "door": "en dør", "appliance": "et apparat",
    "wc": "toalettet", "dining_room": "spisestuen", "office": "kontoret", "contact": "en kontakt",
    "light": "en lysbryter", "medication": "medisindispenseren",
}
PLACE_EN = {
    "bedroom": "bedroom", "bathroom": "bathroom", "kitchen": "kitchen", "living_room": "living room",
    "hallway": "hallway", "entrance": "entrance", "other": "another room", "bed": "bed",
    "chair": "chair", "exit": "front door", "door": "a door", "appliance": "an appliance",
    "wc": "WC", "dining_room": "dining room", "office": "office", "contact": "a contact sensor",
    "light": "a light switch", "medication": "medication dispenser",
}
