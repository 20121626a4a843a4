"""What each behaviour pattern needs from the home, and which patterns are live in a given home.

Each detector declares its :class:`Needs`. ``assess`` tells, from the home's capabilities (the
device registry, else the devices seen) and their supervision, whether the pattern is

- ``live``: the home has what the pattern needs;
- ``degraded``: it runs, but with less to go on, and its alerts are graded lower (the detector
  says how: the reason is in the alert's evidence);
- ``paused``: the sensors it reads are proven offline (missed supervision heartbeats): its alerts
  are held back until they report again, and device support has the device alert;
- ``off``: the home lacks what the pattern needs, so it never alerts;
- ``not_enrolled``: the pattern belongs to a care programme the resident does not follow.

:func:`report` lists every pattern with its status and reason: the per-resident coverage report
(``tilsyn coverage``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from agents.behaviour import activity
from agents.behaviour.capabilities import PRESENCE_KINDS, USE_KINDS, WET_ROOMS, Capabilities
from agents.behaviour.home import HomeState
from agents.behaviour.supervision import blind_since, offline
from agents.types import ResidentView
from schemas.care import Programme


class Status(StrEnum):
    LIVE = "live"
    DEGRADED = "degraded"
    PAUSED = "paused"
    OFF = "off"
    NOT_ENROLLED = "not_enrolled"


@dataclass(frozen=True, slots=True)
class Coverage:
    """One pattern's status in one home, and why (bokmål and English)."""

    pattern: str
    status: Status
    reason_en: str
    reason_nb: str


def _live(pattern: str, en: str, nb: str) -> Coverage:
    return Coverage(pattern, Status.LIVE, en, nb)


Assess = Callable[[str, HomeState, ResidentView, float], Coverage]


@dataclass(frozen=True, slots=True)
class Needs:
    """What one pattern needs (``summary_*`` for the README table), and how to judge a home."""

    pattern: str
    summary_en: str
    judge: Assess
    programme: Programme | None = None

    def assess(self, home: HomeState, view: ResidentView, now: float) -> Coverage:
        if self.programme is not None and not view.follows(self.programme):
            return Coverage(
                self.pattern, Status.NOT_ENROLLED, f"only for the {self.programme.value} programme",
                f"bare for programmet {self.programme.value}",
            )
        return self.judge(self.pattern, home, view, now)


_DAY = frozenset({"kitchen", "living_room", "dining_room", "office", "other"})
"""Rooms where the day is lived (not the night rooms of a toilet trip)."""
_MOTION = frozenset({"motion"})
_SENSES = PRESENCE_KINDS | USE_KINDS - {"medication"}


def _paused(pattern: str, caps: Capabilities, view: ResidentView, now: float) -> Coverage | None:
    since = blind_since(caps, now, view)
    if since == math.inf:
        return None
    n = len(offline(caps, now, view))
    return Coverage(
        pattern, Status.PAUSED,
        f"every activity sensor ({n}) has missed its supervision heartbeats: held back until one reports",
        f"alle aktivitetssensorer ({n}) har sluttet å sende kontrollsignal: holdes tilbake til en svarer",
    )


def _bathroom(pattern: str, home: HomeState, view: ResidentView, now: float) -> Coverage:
    caps = home.caps
    if not caps.has(_MOTION, WET_ROOMS):
        return Coverage(
            pattern, Status.OFF,
            "no presence sensor in the bathroom: a flush or the door shows a visit began, not that the resident is "
            "still there",
            "ingen tilstedeværelsessensor på badet: skylling eller dør viser at et besøk begynte, ikke at beboeren "
            "fortsatt er der",
        )
    outside = [d for d, dev in caps.devices.items() if dev.kind in _SENSES and dev.room not in WET_ROOMS and dev.room]
    if not outside:
        return Coverage(
            pattern, Status.OFF, "nothing outside the bathroom shows the resident leaving it",
            "ingen sensor utenfor badet viser at beboeren har gått ut",
        )
    if not (caps.bed_mats() or caps.has(_MOTION, frozenset({"bedroom"}))):
        return Coverage(
            pattern, Status.DEGRADED,
            "no bed mat or bedroom motion sensor, so a return to bed is not seen: daytime only, medium severity",
            "ingen sengesensor eller bevegelsessensor på soverommet, så retur til sengen sees ikke: bare på dagtid, "
            "middels alvorlighet",
        )
    return _live(pattern, "motion sensor in the bathroom, bedroom sensed", "bevegelsessensor på badet, soverom dekket")


def _day_rooms(caps: Capabilities) -> tuple[list[str], list[str]]:
    presence = caps.sensing(PRESENCE_KINDS, _DAY)
    used = caps.sensing(USE_KINDS - {"medication", "light"}, _DAY)
    return presence, used


def _morning(pattern: str, home: HomeState, view: ResidentView, now: float) -> Coverage:
    caps = home.caps
    presence, used = _day_rooms(caps)
    if not presence and not used:
        return Coverage(
            pattern, Status.OFF, "no sensor in the day rooms (kitchen, living room): the start of the day is not seen",
            "ingen sensor i dagrommene (kjøkken, stue): dagens start sees ikke",
        )
    paused = _paused(pattern, caps, view, now)
    if paused is not None:
        return paused
    if not presence:
        return Coverage(
            pattern, Status.DEGRADED,
            "day rooms sensed only by contacts and appliances, no motion sensor or seat mat: medium severity",
            "dagrommene dekkes bare av kontakter og apparater, ingen bevegelsessensor eller stolsensor: middels",
        )
    if not caps.exit_doors():
        return Coverage(
            pattern, Status.DEGRADED,
            "no exit-door sensor: a night away cannot be told from a missed morning; medium severity",
            "ingen ytterdørsensor: en natt borte kan ikke skilles fra en uteblitt morgen; middels alvorlighet",
        )
    return _live(pattern, "day rooms sensed by motion sensors or seat mats", "dagrom dekket av bevegelses- eller stolsensor")


def _inactivity(pattern: str, home: HomeState, view: ResidentView, now: float) -> Coverage:
    caps = home.caps
    if not caps.sensing(_SENSES):
        return Coverage(pattern, Status.OFF, "no activity sensor", "ingen aktivitetssensor")
    paused = _paused(pattern, caps, view, now)
    if paused is not None:
        return paused
    if not caps.has(_MOTION):
        return Coverage(
            pattern, Status.DEGRADED,
            "no motion sensor: a still resident is seen only through mats, doors and contacts; medium severity only",
            "ingen bevegelsessensor: beboeren sees bare gjennom matter, dører og kontakter; bare middels alvorlighet",
        )
    if not caps.exit_doors():
        return Coverage(
            pattern, Status.DEGRADED,
            "no exit-door sensor: an outing cannot be told from stillness at home; medium severity only",
            "ingen ytterdørsensor: en tur ut kan ikke skilles fra stillhet hjemme; bare middels alvorlighet",
        )
    return _live(pattern, "motion sensors and the exit door", "bevegelsessensorer og ytterdør")


def _wandering(pattern: str, home: HomeState, view: ResidentView, now: float) -> Coverage:
    caps = home.caps
    if not caps.exit_doors():
        return Coverage(pattern, Status.OFF, "no exit-door sensor", "ingen ytterdørsensor")
    if not caps.sensing(_SENSES - {"door"}):
        return Coverage(
            pattern, Status.OFF, "nothing indoors shows the resident coming back in",
            "ingen sensor inne viser at beboeren kommer inn igjen",
        )
    return _live(pattern, "exit door and indoor sensors", "ytterdør og sensorer inne")


def _nocturia(pattern: str, home: HomeState, view: ResidentView, now: float) -> Coverage:
    caps = home.caps
    if not (caps.has(_MOTION, WET_ROOMS) or caps.has(frozenset({"toilet"}))):
        return Coverage(
            pattern, Status.OFF, "no bathroom motion sensor or toilet sensor", "ingen bevegelses- eller toalettsensor på badet"
        )
    if not caps.bed_mats():
        return Coverage(
            pattern, Status.DEGRADED,
            "no bed mat: visits are counted by time apart, not between two sleeps; low severity",
            "ingen sengesensor: besøk telles etter tid, ikke mellom to søvnperioder; lav alvorlighet",
        )
    return _live(pattern, "bathroom sensor and bed mat", "badsensor og sengesensor")


def _sleep(pattern: str, home: HomeState, view: ResidentView, now: float) -> Coverage:
    if not home.caps.bed_mats():
        return Coverage(pattern, Status.OFF, "no bed mat", "ingen sengesensor")
    return _live(pattern, "bed mat", "sengesensor")


def _decline(pattern: str, home: HomeState, view: ResidentView, now: float) -> Coverage:
    caps = home.caps
    sensing = caps.sensing(_SENSES)
    if not sensing:
        return Coverage(pattern, Status.OFF, "no activity sensor", "ingen aktivitetssensor")
    rooms = {caps.devices[d].room for d in sensing if caps.devices[d].room}
    if len(rooms) < 3:
        return Coverage(
            pattern, Status.DEGRADED, f"only {len(rooms)} rooms sensed: the living space is not seen; low severity",
            f"bare {len(rooms)} rom dekket: boarealet i bruk sees ikke; lav alvorlighet",
        )
    return _live(pattern, f"{len(rooms)} rooms sensed", f"{len(rooms)} rom dekket")


def _social(pattern: str, home: HomeState, view: ResidentView, now: float) -> Coverage:
    caps = home.caps
    contacts = home.act.visit_at > -math.inf or home.act.contacts_seen
    if caps.exit_doors():
        return _live(pattern, "exit door" + (" and contact check-ins" if contacts else ""),
                     "ytterdør" + (" og registrerte kontakter" if contacts else ""))
    if contacts:
        return Coverage(
            pattern, Status.DEGRADED, "no exit-door sensor: outings are not seen, only registered contacts; low",
            "ingen ytterdørsensor: turer ut sees ikke, bare registrerte kontakter; lav",
        )
    return Coverage(pattern, Status.OFF, "no exit-door sensor and no contact check-ins", "ingen ytterdørsensor og ingen kontaktregistrering")


def _devices(pattern: str, home: HomeState, view: ResidentView, now: float) -> Coverage:
    caps = home.caps
    devs = [d for d, dev in caps.devices.items() if dev.kind]
    if not devs:
        return Coverage(pattern, Status.OFF, "no device known yet", "ingen enhet kjent ennå")
    beats = sum(1 for d in devs if caps.devices[d].supervised)
    en = f"{beats} of {len(devs)} devices send heartbeats (their absence is a fault)"
    nb = f"{beats} av {len(devs)} enheter sender kontrollsignal (fravær er feil)"
    if beats < len(devs):
        en += "; the others are judged against their own learned silences, never urgent"
        nb += "; de andre måles mot egne lærte pauser, aldri haster"
    return _live(pattern, en, nb)


def _safety(pattern: str, home: HomeState, view: ResidentView, now: float) -> Coverage:
    alarms = home.caps.sensing(frozenset({"alarm_button", "fall"}))
    if not alarms:
        return Coverage(pattern, Status.OFF, "no safety alarm or fall detector known", "ingen trygghetsalarm eller fallsensor kjent")
    return _live(pattern, f"{len(alarms)} alarm/fall devices", f"{len(alarms)} alarm-/fallenheter")


SAFETY = Needs("safety_alarm, fall_detected", "a safety alarm or fall detector", _safety)
BATHROOM = Needs(
    "long_bathroom_stay",
    "motion sensor in the bathroom (a flush or door alone is not presence) and a sensor outside it; "
    "bed mat or bedroom motion for full severity", _bathroom,
)
MORNING = Needs(
    "no_morning_activity",
    "motion sensor or seat mat in a day room and the exit door (contacts and appliances alone, or no exit door: "
    "medium)", _morning
)
INACTIVITY = Needs(
    "daytime_inactivity", "motion sensors and the exit door for the high stage (mats, doors, contacts alone: medium)",
    _inactivity,
)
WANDERING = Needs("night_wandering", "exit-door sensor and an indoor sensor; dementia programme", _wandering,
                  Programme.DEMENTIA)
NOCTURIA = Needs("nocturia_increase", "bathroom motion or toilet sensor; bed mat for full severity", _nocturia)
SLEEP = Needs("sleep_disturbance", "bed mat", _sleep)
DECLINE = Needs("activity_decline", "activity sensors in at least 3 rooms for full severity", _decline)
SOCIAL = Needs("social_isolation", "exit-door sensor (contact check-ins alone: low)", _social)
DEVICES = Needs("device_silent, low_battery", "any device; heartbeats for fault supervision", _devices)

ALL: tuple[Needs, ...] = (SAFETY, BATHROOM, MORNING, INACTIVITY, WANDERING, NOCTURIA, SLEEP, DECLINE, SOCIAL, DEVICES)


def report(home: HomeState, view: ResidentView, now: float) -> list[Coverage]:
    """Every behaviour pattern's status in this home at ``now``."""
    return [n.assess(home, view, now) for n in ALL]


def resident_status(home: HomeState, now: float) -> str:
    """The activity model's one-word state (out, asleep, up, home) for the report."""
    return activity.status(home.act, now, 1800.0)

