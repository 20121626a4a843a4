"""One activity model per resident: out or at home, in bed, up, where, and since when.

Every behavioural detector reads this model instead of re-deriving the resident's state from
raw events. It is updated by every home-sensor event (before the detectors see the event) and
asked questions at event time or at a tick (``now``); answers that depend on time passing (a
departure confirmed by silence after the door, a bed exit confirmed by not lying down again)
are computed when asked, so the model needs no tick of its own.

What it decides, and from what:

- **Leaving and arriving.** An exit-door event is a departure only when the resident was seen
  moving indoors shortly before it (``exit_lookback_min``) and nothing indoors follows within
  the passage time; a door while the resident is out is an arrival. An outing runs from the
  departure to the return: the arrival door followed by indoor activity, or (door missed) two
  indoor reports within ``return_confirm_min``.
- **In bed.** The newest bed-mat report, unless the resident has been active outside bedroom
  and bathroom since (a mat that missed the 'vacant' report, or reports presses only).
- **Bathroom stay.** Starts on confirmed presence in a wet room (bathroom or separate WC): two
  presence reports within ``bathroom_confirm_min``, or one after the resident was seen moving
  elsewhere within that span, or one by day or soon after other activity (the resident is up);
  never while a bed or seat mat places the resident there (a lone report in sleep is a false
  trigger). A toilet flush or the bathroom door alone is not presence, but confirms a candidate. Ends on activity outside the wet rooms, on the bed,
  or on the wet room's door being opened after the stay began.
- **The start of the day.** The first sustained activity after ``morning_from_h``: a run of at
  least ``morning_events`` events outside bedroom, hallway and bathroom, no more than
  ``morning_confirm_min`` apart and spanning ``morning_sustain_min``; or leaving the bed and not
  lying down again within ``morning_bed_return_min`` while active meanwhile. A day whose morning
  found the resident out started away from home.
- **Current room** with a confidence that depends on what placed the resident there (a motion
  sensor or a mat more than a door or a light) and fades as the evidence ages; hysteresis: weak
  evidence (a door, a light) does not move a fresh strong placement.
"""

from __future__ import annotations

import math
from typing import Any

import msgspec

from agents.behaviour.capabilities import NIGHT_ROOMS, WET_ROOMS, Device
from agents.behaviour.thresholds import (
    BATHROOM_CONFIRM,
    ENTRANCE_OUT,
    EXIT_LOOKBACK,
    MORNING_BED_RETURN,
    MORNING_CONFIRM,
    MORNING_EVENTS,
    MORNING_FROM,
    MORNING_RESLEEP,
    MORNING_SUSTAIN,
    MORNING_UP_RECENT,
    NIGHT_FROM,
    NIGHT_TO,
    RETURN_CONFIRM,
    VISIT_DOOR_WINDOW,
    WANDERING_PASSAGE_S,
    value,
)
from agents.localtime import at_local, local_day_number, local_hour
from agents.statecodec import Stored
from agents.types import ResidentView

OUTINGS_KEPT = 8
"""Completed outings remembered (departure, return): enough for a day's tally and its evidence."""
ROOM_HALF_LIFE_S = 1800.0
"""Confidence in the current room halves every 30 min without new evidence there."""
RUN_SPACING_S = 60.0
"""Reports closer than this count as one in the morning run: one movement makes a burst of PIR
reports (re-arm times are 10-60 s) and a seat mat flickers as the sitter shifts."""
WET_DOOR_AFTER_S = 60.0
"""The wet room's door moving this long after the stay began is the resident leaving (closing it
behind oneself on entering takes seconds)."""

# how strongly one event places the resident in its room
_PLACE_CONFIDENCE = {
    "motion": 0.9, "bed": 0.95, "chair": 0.95, "contact": 0.8, "toilet": 0.8, "appliance": 0.7,
    "door": 0.4, "light": 0.5, "medication": 0.6,
}
_MOVING_KINDS = frozenset({"motion", "contact", "door", "appliance", "toilet", "medication", "chair"})
"""Kinds that show the resident moving about (a bed or seat turning vacant counts too)."""


class Activity(Stored):
    """The shared per-resident activity state (see the module docstring)."""

    # -- newest activity at home --------------------------------------------------------
    last: float = -math.inf
    """Newest activity event (anything the resident does: motion, doors, contacts, mats, appliances)."""
    last_place: str = ""
    """Its room, or the sensor kind when it has none."""
    first_seen: float = math.inf
    room: str = ""
    room_at: float = -math.inf
    room_conf: float = 0.0
    moved_at: float = -math.inf
    """Newest sign of the resident moving outside the wet rooms (lying down is not moving)."""
    elsewhere_at: float = -math.inf
    """Newest activity outside bedroom and wet rooms (makes a stale 'bed occupied' stale)."""
    # -- bed -------------------------------------------------------------------------------
    bed: int = 0
    """Newest bed-mat report: 1 occupied, -1 vacant, 0 none yet."""
    bed_at: float = -math.inf
    bed_down: float = -math.inf
    """Newest 'occupied' report (lay down)."""
    seat_at: float = -math.inf
    """Newest seat-mat 'occupied' report (-inf after a 'vacant')."""
    last_other_seat: float = -math.inf
    """Newest activity other than a seat mat."""
    # -- leaving and arriving --------------------------------------------------------------
    leave_first: float = math.inf
    """First exit-door event of a departure not yet ended by a return (inf: none pending)."""
    door_at: float = -math.inf
    """Newest exit-door event."""
    door_open: bool = False
    """The newest exit-door event said open."""
    leave_seen: bool = False
    """The resident was seen moving indoors just before ``leave_first``: someone left, not arrived."""
    leave_bed: bool = False
    """The bed mat said the resident was lying in bed at ``leave_first``: someone else at the door."""
    arrive_at: float = math.inf
    """First exit-door event after the departure's passage (the resident, or someone, coming in)."""
    indoor_after: float = -math.inf
    """First indoor activity after the departure's passage (any report, even a lone one)."""
    soft: bool = False
    """The departure was inferred from the entrance (the home has no exit-door sensor)."""
    out_after_s: float = WANDERING_PASSAGE_S
    """Silence after the departure's last door (or entrance) event that makes the resident out."""
    blip: float = -math.inf
    """A lone indoor report while out, waiting for a second sensor to confirm a return without the door."""
    blip_dev: str = ""
    leave_visit: bool = False
    """The departure came during a home-care or visitor check-in window: probably the visitor leaving."""
    outings: list[tuple[float, float]] = msgspec.field(default_factory=list)
    """Recent completed outings (departure, return)."""
    visit_at: float = -math.inf
    """Newest home-care or visitor check-in."""
    contacts_seen: bool = False
    """A social-contact check-in has ever arrived (the home has a contact feed)."""
    # -- bathroom stay -----------------------------------------------------------------------
    bath_entry: float = math.inf
    """Confirmed presence in a wet room since (inf: no stay)."""
    bath_cand: float = math.inf
    """First unconfirmed wet-room presence report (a candidate entry)."""
    bath_room: str = ""
    bath_last: float = -math.inf
    """Newest wet-room report of the stay."""
    # -- the start of the day ------------------------------------------------------------
    day: int = -1
    morning_start: float = math.inf
    night_end: float = math.inf
    """``night_to_h`` on ``day``: a start before it followed by a long sleep was the night's tail."""
    day_end: float = -math.inf
    morning_known: bool = False
    """Whether ``away_start`` of ``day`` is settled (the first event after morning_start decides)."""
    away_start: bool = False
    """``day``'s morning found the resident out."""
    up_at: float = math.inf
    """When ``day`` started: leaving the bed for good, or the first sustained activity (inf: not yet)."""
    day_rooms_at: float = math.inf
    """First sustained activity of ``day`` in the day rooms (the anchor of the usual morning)."""
    run_first: float = math.inf
    run_last: float = -math.inf
    run_n: int = 0
    bed_exit: float = math.inf
    """Bed left after morning_start and not lain down again since (inf: none)."""
    bed_exit_n: int = 0
    """Activity events since ``bed_exit``."""
    resleep_at: float = math.inf
    """Lay down again after an early start of the day (inf: not)."""
    prev_day: int = -1
    prev_up: float = math.inf
    prev_day_rooms: float = math.inf
    prev_away: bool = False


# -- updating ------------------------------------------------------------------------------
def step(act: Activity, event: Any, dev: Device | None, t: float, view: ResidentView, soft_exits: bool = False) -> None:
    """Update the model with one home-sensor event at ``t`` (``dev``: its device record).

    ``soft_exits``: the home has no exit-door sensor, so a departure is inferred from activity at
    the entrance followed by ``entrance_out_min`` of silence."""
    kind = event.kind
    if kind == "social":
        act.contacts_seen = True
        if event.channel in ("homecare_visit", "visitor") and t > act.visit_at:
            act.visit_at = t
        return
    if dev is None or kind not in _PLACE_CONFIDENCE:
        return
    if kind == "medication" and event.status != "taken":
        return
    if t >= act.day_end:
        _new_day(act, t, view)
    if not act.morning_known and t >= act.morning_start:
        act.away_start = is_out(act, act.morning_start)
        act.morning_known = True
    room = dev.room
    exit_door = kind == "door" and dev.purpose == "exit"
    if exit_door:
        _exit_door(act, t, view)
        if t >= act.door_at:
            act.door_at, act.door_open = t, event.state == "open"
    else:
        _indoor(act, kind, room, event.device_id, t, view, soft_exits)
    if is_out(act, t):
        return  # the home is empty: a lone report or a door is not the resident's activity
    if kind == "chair":
        act.seat_at = t if event.state == "occupied" else -math.inf
    elif t > act.last_other_seat:
        act.last_other_seat = t
    if kind == "bed" and t >= act.bed_at:
        act.bed = 1 if event.state == "occupied" else -1
        act.bed_at = t
        if act.bed == 1 and t > act.bed_down:
            act.bed_down = t
    moving = (kind in _MOVING_KINDS and not (kind == "chair" and event.state == "occupied")) or (
        kind == "bed" and event.state == "vacant"
    )
    wet = room in WET_ROOMS
    if moving and not wet and t > act.moved_at:
        act.moved_at = t
    if not exit_door and not wet and room != "bedroom" and kind != "bed" and kind != "light" and t > act.elsewhere_at:
        act.elsewhere_at = t
    _bathroom(act, kind, room, dev, event, t, view)
    _morning(act, kind, room, event, t, view)
    if t < act.first_seen:
        act.first_seen = t
    if t >= act.last:
        act.last = t
        act.last_place = room or ("exit" if exit_door else kind)
    _place(act, kind, room, t)


def _new_day(act: Activity, t: float, view: ResidentView) -> None:
    tz = view.tz
    if act.day >= 0:
        if not act.morning_known:
            act.away_start = is_out(act, act.morning_start)
        act.prev_day, act.prev_up, act.prev_away = act.day, day_started(act, act.day_end, act.day, view), act.away_start
        act.prev_day_rooms = act.day_rooms_at
    day = local_day_number(t, tz)
    act.day = day
    act.morning_start = at_local(day, value(view, MORNING_FROM), tz)
    act.night_end = at_local(day, value(view, NIGHT_TO), tz)
    act.day_end = at_local(day + 1, 0.0, tz)
    act.morning_known = False
    act.away_start = False
    act.up_at = act.day_rooms_at = math.inf
    act.run_first, act.run_last, act.run_n = math.inf, -math.inf, 0
    act.bed_exit, act.bed_exit_n = math.inf, 0
    act.resleep_at = math.inf


def _exit_door(act: Activity, t: float, view: ResidentView) -> None:
    passage = WANDERING_PASSAGE_S
    if act.leave_first == math.inf:
        # the resident was seen moving indoors just before (walking to the door), not lying in bed
        lookback = 60.0 * value(view, EXIT_LOOKBACK)
        act.leave_first, act.soft, act.out_after_s = t, False, WANDERING_PASSAGE_S
        act.leave_seen = act.moved_at >= t - lookback and not in_bed(act)
        act.leave_bed = in_bed(act)
        act.leave_visit = act.visit_at > t - 60.0 * value(view, VISIT_DOOR_WINDOW)
        act.arrive_at, act.indoor_after, act.blip, act.blip_dev = math.inf, -math.inf, -math.inf, ""
    elif t > act.door_at + passage and act.arrive_at == math.inf:
        act.arrive_at = t  # a door after the departure's passage: someone coming in


def _indoor(
    act: Activity, kind: str, room: str, dev_id: str, t: float, view: ResidentView, soft_exits: bool
) -> None:
    if act.leave_first == math.inf or t <= act.leave_first:
        if soft_exits and room == "entrance" and act.leave_first == math.inf:
            # no exit-door sensor: the entrance followed by a long silence is a departure
            act.leave_first, act.door_at, act.soft = t, t, True
            act.out_after_s = 60.0 * value(view, ENTRANCE_OUT)
            act.leave_seen, act.leave_bed = True, False
            act.arrive_at, act.indoor_after, act.blip, act.blip_dev = math.inf, -math.inf, -math.inf, ""
        return
    at_door = room in ("hallway", "entrance")
    if act.soft:
        if t < act.door_at + act.out_after_s:
            if room == "entrance":
                act.door_at = t  # still about the entrance
            elif _confirmed(act, dev_id, t, view):
                _clear_departure(act)  # two sensors inside: the resident stayed in
            return
    elif act.arrive_at == math.inf and t <= act.door_at + WANDERING_PASSAGE_S:
        if not at_door:
            # moving about inside right after the door: the resident stayed (a visitor came or went)
            _clear_departure(act)
        return
    if act.indoor_after == -math.inf and t > act.door_at + (WANDERING_PASSAGE_S if at_door else 0.0):
        act.indoor_after = t
    if kind == "light":
        return  # lights switch on timers: not enough to say the resident is back
    if act.arrive_at < math.inf and t >= act.arrive_at and t - act.door_at <= 60.0 * value(view, RETURN_CONFIRM):
        _returned(act, act.arrive_at)  # in through the door and straight into the home
        return
    if act.leave_visit:
        _returned(act, t)  # a visitor left while the resident stayed in
        return
    if _confirmed(act, dev_id, t, view):
        _returned(act, act.blip)


def _confirmed(act: Activity, dev_id: str, t: float, view: ResidentView) -> bool:
    """Someone is inside: a second sensor reports within ``return_confirm_min`` of a first.

    One sensor alone never confirms it, however often it reports: in the real homes an empty
    kitchen's motion sensor fired every 20 minutes through a ten-hour absence (sunlight, heat).
    The cost: a resident who stays in while someone else leaves (without a check-in) counts as
    out until seen by a second sensor."""
    confirm = 60.0 * value(view, RETURN_CONFIRM)
    if act.blip > -math.inf and dev_id != act.blip_dev and t - act.blip <= confirm:
        return True
    if act.blip == -math.inf or t - act.blip > confirm:
        act.blip, act.blip_dev = t, dev_id
    return False


def _returned(act: Activity, at: float) -> None:
    act.outings.append((act.leave_first, at))
    if len(act.outings) > OUTINGS_KEPT:
        del act.outings[0]
    _clear_departure(act)


def _clear_departure(act: Activity) -> None:
    act.leave_first, act.leave_seen, act.leave_bed, act.soft, act.leave_visit = math.inf, False, False, False, False
    act.arrive_at, act.indoor_after, act.blip, act.blip_dev = math.inf, -math.inf, -math.inf, ""


def _bathroom(act: Activity, kind: str, room: str, dev: Device, event: Any, t: float, view: ResidentView) -> None:
    wet = room in WET_ROOMS
    if not wet:
        if kind in ("light",):
            return
        if kind == "door" and dev.purpose == "exit" and act.bath_entry == math.inf:
            act.bath_cand = math.inf
            return
        if t >= act.bath_entry or t >= act.bath_cand:
            act.bath_entry = act.bath_cand = math.inf
        return
    confirm = 60.0 * value(view, BATHROOM_CONFIRM)
    if kind == "door":
        if act.bath_entry < math.inf and t >= act.bath_entry + WET_DOOR_AFTER_S:
            act.bath_entry = act.bath_cand = math.inf  # the door moved: the resident left
        elif act.bath_cand < math.inf and t - act.bath_cand <= confirm:
            _bath_start(act, act.bath_cand, room)
        return
    if act.bath_entry < math.inf:
        if t > act.bath_last:
            act.bath_last = t
        return
    presence = kind == "motion"
    if act.bath_cand < math.inf and t - act.bath_cand <= confirm and t >= act.bath_cand:
        _bath_start(act, act.bath_cand, room)
        act.bath_last = t
        return
    if not presence:
        return  # a flush or a cabinet alone is not presence
    act.bath_cand, act.bath_room = t, room
    if in_bed(act) or seated(act):
        return  # the mats place the resident elsewhere: a lone report is a false trigger
    # by day the resident is up: one report is presence; at night only after being seen up
    up = act.last >= t - 60.0 * value(view, MORNING_UP_RECENT) or not _at_night(t, view)
    if act.moved_at >= t - confirm or up:
        _bath_start(act, t, room)
    act.bath_last = t


def _at_night(t: float, view: ResidentView) -> bool:
    h = local_hour(t, view.tz)
    start, end = value(view, NIGHT_FROM), value(view, NIGHT_TO)
    return h >= start or h < end if start > end else start <= h < end


def _bath_start(act: Activity, at: float, room: str) -> None:
    act.bath_entry, act.bath_room = at, room
    act.bath_cand = math.inf


def _morning(act: Activity, kind: str, room: str, event: Any, t: float, view: ResidentView) -> None:
    if t < act.morning_start:
        return
    lying = kind == "bed" and event.state == "occupied"
    if act.up_at < act.night_end:
        # a start before the night ends may be the night's tail: lying down for long after it retracts it
        if lying:
            if act.resleep_at == math.inf and t < act.night_end:
                act.resleep_at = t  # lying down again before the night is over
            return
        if act.resleep_at < math.inf and not (room == "bedroom" and kind != "bed"):
            if t - act.resleep_at < 60.0 * value(view, MORNING_RESLEEP):
                act.resleep_at = math.inf  # a short lie-down: the day had started
            else:
                slept_from = act.resleep_at
                act.up_at = act.day_rooms_at = act.resleep_at = math.inf
                act.run_first, act.run_last, act.run_n = math.inf, -math.inf, 0
                # the real day begins now, or when the bed was left after that sleep
                left = act.bed == -1 and act.bed_at > slept_from and kind != "bed"
                act.bed_exit, act.bed_exit_n = (act.bed_at, 0) if left else (math.inf, 0)
    if act.up_at < math.inf and act.day_rooms_at < math.inf:
        return  # settled for the day
    if kind == "bed":
        if act.up_at == math.inf:
            if event.state == "occupied":
                act.bed_exit, act.bed_exit_n = math.inf, 0
                act.run_first, act.run_last, act.run_n = math.inf, -math.inf, 0  # back to bed
            elif act.bed_exit == math.inf:
                act.bed_exit, act.bed_exit_n = t, 0
        return
    if act.up_at == math.inf and act.bed_exit < math.inf:
        if t - act.bed_exit >= 60.0 * value(view, MORNING_BED_RETURN) and act.bed_exit_n >= 1:
            act.up_at = act.bed_exit
        else:
            act.bed_exit_n += 1
    day_room = bool(room) and room not in NIGHT_ROOMS
    if not day_room:
        return
    if act.run_n > 0 and t - act.run_last <= 60.0 * value(view, MORNING_CONFIRM):
        if t - act.run_last >= RUN_SPACING_S:
            act.run_n += 1
            act.run_last = t
    else:
        act.run_first, act.run_last, act.run_n = t, t, 1
    if act.run_n >= value(view, MORNING_EVENTS) and act.run_last - act.run_first >= 60.0 * value(view, MORNING_SUSTAIN):
        act.day_rooms_at = act.run_first
        if act.up_at == math.inf:
            act.up_at = min(act.run_first, act.bed_exit)  # the day began when the bed was left, if it was


def _place(act: Activity, kind: str, room: str, t: float) -> None:
    if not room or t < act.room_at:
        return
    conf = _PLACE_CONFIDENCE.get(kind, 0.5)
    if room != act.room and conf < room_confidence(act, t):
        return  # weak evidence does not move a fresh strong placement
    act.room, act.room_at, act.room_conf = room, t, conf


# -- questions -----------------------------------------------------------------------------
def is_out(act: Activity, now: float) -> bool:
    """The resident left (exit door, then nothing indoors past the passage time) and has not returned.

    A door while the bed mat says the resident lies in bed is someone else (or the door sensor),
    not the resident leaving."""
    if act.leave_first == math.inf or act.leave_bed or now < act.leave_first:
        return False
    return now >= act.door_at + act.out_after_s


def out_since(act: Activity, now: float) -> float:
    """Departure time when out at ``now``, else inf."""
    return act.leave_first if is_out(act, now) else math.inf


def in_bed(act: Activity) -> bool:
    """The bed mat says occupied, and nothing outside bedroom and wet rooms happened since."""
    return act.bed == 1 and act.bed_at >= act.elsewhere_at


def seated(act: Activity) -> bool:
    """The newest seat-mat report says occupied, and nothing happened elsewhere since."""
    return act.seat_at > -math.inf and act.seat_at >= act.last_other_seat


def room_confidence(act: Activity, now: float) -> float:
    """Confidence that the resident is in ``act.room`` at ``now`` (fades with a 30-min half-life)."""
    if not act.room or now < act.room_at:
        return act.room_conf if act.room else 0.0
    return act.room_conf * 0.5 ** ((now - act.room_at) / ROOM_HALF_LIFE_S)


def day_started(act: Activity, now: float, day: int, view: ResidentView) -> float:
    """When the resident's local day ``day`` started (first sustained activity), inf if not by ``now``."""
    if day == act.prev_day:
        return act.prev_up
    if day != act.day:
        return math.inf
    if act.up_at < math.inf:
        return act.up_at
    if (
        act.bed_exit < math.inf and act.bed_exit_n >= 1
        and now - act.bed_exit >= 60.0 * value(view, MORNING_BED_RETURN)
    ):
        return act.bed_exit
    return math.inf


def bed_exit_pending(act: Activity, day: int) -> float:
    """Time the resident left the bed on ``day`` and has not lain down since (inf: none)."""
    return act.bed_exit if day == act.day else math.inf


def started_away(act: Activity, day: int) -> bool | None:
    """Whether ``day`` began with the resident out (None: not known yet)."""
    if day == act.prev_day:
        return act.prev_away
    if day == act.day and act.morning_known:
        return act.away_start
    return None


def outings_between(act: Activity, start: float, end: float) -> list[tuple[float, float]]:
    """Completed outings whose departure lies in [start, end)."""
    return [(d, r) for d, r in act.outings if start <= d < end]


def status(act: Activity, now: float, recent_s: float) -> str:
    """One word for the coverage report and the docs: out, asleep, up or home."""
    if is_out(act, now):
        return "out"
    if in_bed(act):
        return "asleep"
    if act.last >= now - recent_s:
        return "up"
    return "home"
