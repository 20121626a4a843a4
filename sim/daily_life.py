"""One day in a simulated home: a plan of activities, then the sensor events they cause.

The plan is a time-ordered list of activities (sleep, bathroom, kitchen, sitting,
outing, ...) laid out from the resident's clock and habits, bent by the day's
episode effects (a fall, a night walk). Rendering turns each activity into what
the sensors would report: passive-infrared motion at the pace of the activity,
bed and chair occupancy, doors, toilet, fridge and appliances. Overlays add what
happens alongside: home-care visits, visitors, calls, the medication dispenser.

Sensor imperfection is part of it: a motion sensor misses about 2 % of
detections and now and then fires without anyone there.
"""

from __future__ import annotations

import random

from sim.effects import DayEffects
from sim.episodes import Lapse
from sim.homes import HOUR, MINUTE, Home
from sim.records import Recorder
from sim.routine import DayClock

DAY = 86400
MISSED_MOTION = 0.02  # share of detections a PIR sensor misses
SPURIOUS_MOTION_PER_DAY = 0.3
DISPENSER_WINDOW = HOUR  # a dose not taken within an hour is reported missed
FORGET_DOSE = 0.01

SLEEP, BATH, KITCHEN, LIVING, BEDROOM, OUT, FALL, WANDER = range(8)
ROOM: dict[int, str | None] = {
    SLEEP: "bedroom", BATH: "bathroom", KITCHEN: "kitchen", LIVING: "living_room",
    BEDROOM: "bedroom", OUT: None, FALL: "bathroom", WANDER: None,
}
AWAY = (OUT, FALL, WANDER)  # not available to visitors, calls or the dispenser


class Act:
    """One activity from ``start`` to ``end`` (local seconds)."""

    __slots__ = ("end", "kind", "start", "tag")

    def __init__(self, start: int, end: int, kind: int, tag: str = "") -> None:
        self.start = start
        self.end = end
        self.kind = kind
        self.tag = tag

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Act({self.start}, {self.end}, {self.kind}, {self.tag!r})"


def _night(acts: list[Act], home: Home, wake: int, last_trip: int, fx: DayEffects, rng: random.Random) -> None:
    """Sleep until ``wake`` with the night's trips out of bed, all before ``last_trip``."""
    p = home.persona
    n = rng.choices((0, 1, 2), p.night_toilet_weights)[0] + fx.extra_night_toilets
    trips = [(rng.randint(40 * MINUTE, max(41 * MINUTE, last_trip - 30 * MINUTE)), BATH) for _ in range(n)]
    if rng.random() < p.restless_nights:
        trips.append((rng.randint(HOUR, max(HOUR + 1, last_trip - HOUR)), KITCHEN))
    trips.sort()
    cursor = 0
    for at, kind in trips:
        # Trips bunch up near waking when there are many; keep them apart and before waking.
        at = max(at, cursor + rng.randint(10, 25) * MINUTE)
        dur = rng.randint(3 * MINUTE, 8 * MINUTE) if kind == BATH else rng.randint(8 * MINUTE, 30 * MINUTE)
        if at + dur + 10 * MINUTE > last_trip:
            at = cursor + 10 * MINUTE
            if at + dur + 5 * MINUTE > wake:
                break
        acts.append(Act(cursor, at, SLEEP))
        acts.append(Act(at + 40, at + 40 + dur, kind, "night"))
        cursor = at + 80 + dur
    acts.append(Act(cursor, wake, SLEEP))


def plan_day(home: Home, clock: DayClock, weekday: int, fx: DayEffects, rng: random.Random) -> list[Act]:
    """The resident's activities of one day, before falls and night walks are spliced in."""
    p = home.persona
    act = p.activity * fx.activity
    slow = max(0.0, 1.0 - fx.activity)
    wake = fx.get_up if fx.get_up is not None else clock.wake + int(slow * 40 * MINUTE)
    bed = clock.bedtime - int(slow * 40 * MINUTE)
    acts: list[Act] = []
    # Night trips stay in the night (before 06:30 and the usual waking), also on a morning in bed.
    _night(acts, home, wake, min(wake, clock.wake, 6 * HOUR + 30 * MINUTE), fx, rng)

    t = wake + rng.randint(30, 90)

    def add(kind: int, dur: int, tag: str = "") -> None:
        nonlocal t
        acts.append(Act(t, t + dur, kind, tag))
        t += dur + rng.randint(30, 90)

    add(BATH, rng.randint(8, 20) * MINUTE, "morning")
    add(BEDROOM, rng.randint(4, 10) * MINUTE)
    add(KITCHEN, rng.randint(18, 40) * MINUTE, "breakfast")

    anchors: list[tuple[int, int, int, str]] = [
        (rng.randint(11 * HOUR + 45 * MINUTE, 12 * HOUR + 45 * MINUTE), KITCHEN, rng.randint(15, 35) * MINUTE, "lunch"),
        (rng.randint(16 * HOUR + 15 * MINUTE, 17 * HOUR + 45 * MINUTE), KITCHEN, rng.randint(25, 50) * MINUTE, "dinner"),
    ]
    if rng.random() < 0.6:
        anchors.append((rng.randint(19 * HOUR + 30 * MINUTE, 20 * HOUR + 30 * MINUTE), KITCHEN, rng.randint(5, 15) * MINUTE, "snack"))
    toilet = t + rng.randint(90, 150) * MINUTE
    while toilet < bed - 45 * MINUTE:
        anchors.append((toilet, BATH, rng.randint(3, 8) * MINUTE, "toilet"))
        toilet += rng.randint(120, 210) * MINUTE
    for _ in range(round(rng.uniform(3, 8) * act)):
        kind = rng.choice((KITCHEN, KITCHEN, BEDROOM, BATH))
        anchors.append((rng.randint(t, max(t + 1, bed - HOUR)), kind, rng.randint(2, 8) * MINUTE, "potter"))
    if weekday in p.day_centre_days and rng.random() < 0.9 * min(1.0, fx.social * 1.2) and not fx.ill:
        leave = max(rng.randint(9 * HOUR + 15 * MINUTE, 10 * HOUR), clock.session + 10 * MINUTE)
        anchors.append((leave, OUT, rng.randint(300, 360) * MINUTE, "day_centre"))
    elif rng.random() < p.outing_rate * fx.social * min(1.0, act) and not fx.ill:
        anchors.append((rng.randint(10 * HOUR, 15 * HOUR), OUT, rng.randint(30, 150) * MINUTE, "outing"))
    if rng.random() < (0.9 if fx.ill else 0.3):
        anchors.append((rng.randint(13 * HOUR, 14 * HOUR + 30 * MINUTE), SLEEP, rng.randint(45, 120) * MINUTE, "nap"))
    anchors.sort()

    for target, kind, dur, tag in anchors:
        if target > bed - 20 * MINUTE or t > bed - 30 * MINUTE:
            continue
        if target > t + 2 * MINUTE:
            acts.append(Act(t, target, LIVING))
            t = target + rng.randint(30, 90)
        add(kind, dur, tag)
    evening = max(t, bed - 20 * MINUTE)
    if evening > t + 2 * MINUTE:
        acts.append(Act(t, evening, LIVING))
        t = evening + rng.randint(30, 90)
    add(BATH, rng.randint(6, 15) * MINUTE, "evening")
    add(BEDROOM, rng.randint(3, 6) * MINUTE)
    acts.append(Act(min(t, DAY - 60), DAY, SLEEP))
    return acts


def splice(acts: list[Act], start: int, end: int, inserted: Act, gap: int) -> list[Act]:
    """Put ``inserted`` over ``[start, end)``; what it interrupts resumes ``gap`` seconds after."""
    before: list[Act] = []
    after: list[Act] = []
    resume: Act | None = None
    for a in acts:
        if a.end <= start - gap:
            before.append(a)
        elif a.start >= end + gap:
            after.append(a)
        else:
            if a.start < start - gap - 30:
                before.append(Act(a.start, start - gap, a.kind, a.tag))
            if a.end > end + gap + 60:
                kind = a.kind if a.kind in (SLEEP, LIVING, KITCHEN, BEDROOM) else LIVING
                resume = Act(end + gap, a.end, kind, "" if kind != SLEEP else a.tag)
    if resume is None:
        nxt = after[0].start if after else DAY
        if nxt > end + 2 * gap:
            resume = Act(end + gap, nxt, SLEEP if inserted.kind == WANDER else LIVING, "rest")
    return [*before, inserted, *([resume] if resume else []), *after]


class DayRenderer:
    """Turns a day's activities into sensor events on a :class:`Recorder`."""

    __slots__ = ("acts", "fx", "home", "lapses", "pace", "rec", "rng")

    def __init__(self, home: Home, rec: Recorder, rng: random.Random, fx: DayEffects) -> None:
        self.home = home
        self.rec = rec
        self.rng = rng
        self.fx = fx
        self.pace = max(0.25, home.persona.activity * fx.activity)
        self.acts: list[Act] = []
        self.lapses: list[Lapse] = []

    # -- helpers ---------------------------------------------------------
    def motion(self, s: int, room: str) -> None:
        if 0 <= s < DAY and self.rng.random() >= MISSED_MOTION:
            self.rec.motion(s, room)

    def motion_span(self, a: int, b: int, room: str, mean_gap: float, lo: int, hi: int) -> None:
        """Motion from ``a`` to ``b`` at a random pace around ``mean_gap`` seconds."""
        rng = self.rng
        s = a
        expo = rng.expovariate
        while s < b:
            self.motion(s, room)
            s += int(min(hi, max(lo, expo(1.0 / mean_gap))))

    def at(self, s: int) -> Act | None:
        for a in self.acts:
            if a.start <= s < a.end:
                return a
        return None

    def busy(self, a: int, b: int) -> bool:
        return any(x.kind in AWAY and x.start < b and a < x.end for x in self.acts)

    # -- activities ------------------------------------------------------
    def render(self, acts: list[Act]) -> None:
        self.acts = acts
        rng = self.rng
        prev: str | None = None
        for a in acts:
            room = ROOM[a.kind]
            if room is not None and prev is not None and room != prev and a.start > 0:
                self.motion(a.start - rng.randint(8, 40), "hallway")
            prev = room or "hallway"
            getattr(self, _RENDER[a.kind])(a)

    def sleep(self, a: Act) -> None:
        rng = self.rng
        if a.start > 0:
            self.motion(a.start, "bedroom")
            self.rec.occupancy(a.start + rng.randint(15, 60), "bed", "occupied")
        s = a.start + rng.randint(20, 90) * MINUTE
        restless = self.fx.get_up is None
        while s < a.end - 10 * MINUTE:
            # A bedroom sensor aimed at the floor sees a sleeper only now and then.
            if restless and (s < 5 * HOUR or s > 20 * HOUR) and rng.random() < 0.15:
                self.motion(s, "bedroom")
            s += rng.randint(30, 120) * MINUTE
        if a.end < DAY:
            self.rec.occupancy(a.end, "bed", "vacant")
            self.motion(a.end + rng.randint(3, 20), "bedroom")

    def bath(self, a: Act) -> None:
        rng = self.rng
        self.motion_span(a.start, a.end, "bathroom", 70.0 / self.pace, 30, 240)
        if a.tag in ("night", "toilet") or rng.random() < 0.7:
            self.rec.toilet(rng.randint(a.start + 60, max(a.start + 61, a.end - 20)))

    def kitchen(self, a: Act) -> None:
        rng = self.rng
        self.motion_span(a.start, a.end, "kitchen", 80.0 / self.pace, 30, 300)
        if a.tag != "night" or rng.random() < 0.5:
            opened = a.start + rng.randint(20, 120)
            if opened < a.end:
                self.rec.door(opened, "fridge", "open")
                self.rec.door(opened + rng.randint(8, 60), "fridge", "closed")
        plug = {"breakfast": "kettle", "snack": "kettle", "lunch": "stove", "dinner": "stove"}.get(a.tag)
        if plug and rng.random() < 0.8:
            on = a.start + rng.randint(60, 180)
            self.rec.appliance(on, plug, "on")
            self.rec.appliance(min(a.end, on + rng.randint(3, 20) * MINUTE), plug, "off")

    def living(self, a: Act) -> None:
        rng = self.rng
        self.motion_span(a.start, a.end, "living_room", 420.0 / self.pace, 60, 2700)
        if a.end - a.start < 5 * MINUTE:
            return
        self.rec.occupancy(a.start + rng.randint(10, 40), "chair", "occupied")
        self.rec.occupancy(a.end - rng.randint(5, 20), "chair", "vacant")
        if rng.random() < (0.85 if a.start > 17 * HOUR else 0.4):
            on = a.start + rng.randint(60, 180)
            if on < a.end - 2 * MINUTE:
                self.rec.appliance(on, "tv", "on")
                self.rec.appliance(a.end - rng.randint(30, 60), "tv", "off")

    def bedroom(self, a: Act) -> None:
        self.motion_span(a.start, a.end, "bedroom", 90.0 / self.pace, 30, 300)

    def out(self, a: Act) -> None:
        rng, rec = self.rng, self.rec
        self.motion(a.start - rng.randint(15, 40), "hallway")
        rec.door(a.start, "exit", "open")
        rec.door(a.start + rng.randint(5, 15), "exit", "closed")
        if a.end < DAY:
            rec.door(a.end, "exit", "open")
            rec.door(a.end + rng.randint(5, 15), "exit", "closed")
            self.motion(a.end + rng.randint(15, 40), "hallway")
        if a.tag == "day_centre":
            rec.social(a.start + rng.randint(25, 40) * MINUTE, "day_centre", f"daycentre-{self.home.municipality}")

    def wander(self, a: Act) -> None:
        # Night wandering: out of the front door, back much later (or brought back).
        rng, rec = self.rng, self.rec
        rec.motion(a.start - rng.randint(10, 30), "hallway")
        rec.door(a.start, "exit", "open")
        rec.door(a.start + rng.randint(5, 20), "exit", "closed")
        rec.door(a.end, "exit", "open")
        rec.door(a.end + rng.randint(5, 20), "exit", "closed")
        rec.motion(a.end + rng.randint(20, 40), "hallway")

    def fallen(self, a: Act) -> None:
        """On the bathroom floor from ``start`` until help arrives at ``end``."""
        rng, rec = self.rng, self.rec
        rec.motion(a.start, "bathroom")
        ep = next((e for e in self.fx.falls if e.at == a.start), None)
        if ep is not None and ep.detected:
            rec.fall(a.start + rng.randint(3, 40), rng.uniform(0.7, 0.97))
        if ep is not None and ep.alarm_after is not None:
            rec.alarm(a.start + ep.alarm_after)
        s = a.start + rng.randint(5, 20) * MINUTE
        while s < a.end - 5 * MINUTE:
            if rng.random() < 0.4:
                rec.motion(s, "bathroom")  # trying to get up
            s += rng.randint(5, 20) * MINUTE
        self.carer(a.end - 60, rng.randint(20, 40) * MINUTE, "bathroom")

    # -- overlays --------------------------------------------------------
    def carer(self, s: int, dur: int, room: str) -> None:
        """A home-care visit: in through the front door, checks in, helps, leaves."""
        rng, rec = self.rng, self.rec
        rec.door(s, "exit", "open")
        rec.door(s + rng.randint(5, 15), "exit", "closed")
        self.motion(s + rng.randint(20, 40), "hallway")
        rec.social(s + 60, "homecare_visit", f"carer-app-{self.home.home_care_team}")
        self.motion(s + 60, room)
        for _ in range(max(1, dur // (4 * MINUTE))):
            self.motion(s + rng.randint(90, max(91, dur - 90)), rng.choice(("kitchen", "bathroom", room)))
        self.motion(s + dur - rng.randint(20, 40), "hallway")
        rec.door(s + dur, "exit", "open")
        rec.door(s + dur + rng.randint(5, 15), "exit", "closed")

    def overlays(self) -> None:
        rng, rec, fx, p = self.rng, self.rec, self.fx, self.home.persona
        for slot in p.homecare_visits:
            s = slot + rng.randint(-15, 15) * MINUTE
            dur = rng.randint(10, 30) * MINUTE
            if fx.get_up is not None and s < fx.get_up + 30 * MINUTE:
                continue
            if not self.busy(s - 10 * MINUTE, s + dur + 10 * MINUTE):
                self.carer(s, dur, "living_room")
        for ep in fx.alarms:
            rec.alarm(ep.at)
            self.carer(ep.at + ep.duration, rng.randint(15, 30) * MINUTE, "living_room")
        visits = (1 if rng.random() < p.visitor_rate * fx.social else 0) + (1 if rng.random() < 0.1 * p.visitor_rate else 0)
        for _ in range(visits):
            s, dur = rng.randint(11 * HOUR, 19 * HOUR), rng.randint(30, 120) * MINUTE
            if self.busy(s - 10 * MINUTE, s + dur + 10 * MINUTE):
                continue
            rec.door(s, "exit", "open")
            rec.door(s + rng.randint(5, 15), "exit", "closed")
            rec.social(s + rng.randint(30, 120), "visitor", f"{self.home.resident_id}-doorbell")
            self.motion_span(s + 60, s + dur, "living_room", 240.0, 60, 900)
            rec.door(s + dur, "exit", "open")
            rec.door(s + dur + rng.randint(5, 15), "exit", "closed")
        for _ in range(3):
            if rng.random() < p.call_rate * fx.social / 3:
                s = rng.randint(9 * HOUR, 21 * HOUR)
                channel = "video_call" if rng.random() < 0.15 else "phone_call"
                rec.social(s, channel, f"{self.home.resident_id}-phone")
        if rng.random() < SPURIOUS_MOTION_PER_DAY:
            s = rng.randint(0, DAY - 1)
            if not self.busy(s - HOUR, s + HOUR):
                rec.motion(s, rng.choice(("kitchen", "living_room", "hallway", "bedroom")))

    def dispenser(self) -> None:
        rng, rec = self.rng, self.rec
        for dose in self.home.dose_times:
            dose_id = f"d{self.rec.day}-{dose // HOUR:02d}"
            rec.medication(dose, dose_id, "offered", dose)
            if dose in self.fx.missed_doses:
                rec.medication(dose + DISPENSER_WINDOW, dose_id, "missed", dose)
                continue
            taken = self._available_after(dose)
            if taken is None or taken > dose + DISPENSER_WINDOW - 60 or rng.random() < FORGET_DOSE:
                rec.medication(dose + DISPENSER_WINDOW, dose_id, "missed", dose)
                self.lapses.append(Lapse("missed_medication", dose))
            else:
                done = min(taken + rng.randint(60, 12 * MINUTE), dose + DISPENSER_WINDOW - 30)
                rec.medication(done, dose_id, "taken", dose)

    def _available_after(self, s: int) -> int | None:
        """First time at or after ``s`` the resident is up and at home."""
        for a in self.acts:
            if a.end <= s:
                continue
            if a.kind in (SLEEP, *AWAY):
                continue
            return max(s, a.start)
        return None


_RENDER = {
    SLEEP: "sleep", BATH: "bath", KITCHEN: "kitchen", LIVING: "living", BEDROOM: "bedroom",
    OUT: "out", FALL: "fallen", WANDER: "wander",
}


def live_day(home: Home, clock: DayClock, weekday: int, fx: DayEffects, rec: Recorder, rng: random.Random) -> list[Lapse]:
    """Plan and render one day of ``home``; returns everyday lapses for the ground truth."""
    acts = plan_day(home, clock, weekday, fx, rng)
    for ep in fx.falls:
        acts = splice(acts, ep.at, ep.at + ep.duration, Act(ep.at, ep.at + ep.duration, FALL), 60)
    for ep in fx.wanders:
        acts = splice(acts, ep.at, ep.at + ep.duration, Act(ep.at, ep.at + ep.duration, WANDER), 90)
    r = DayRenderer(home, rec, rng, fx)
    r.render(acts)
    r.overlays()
    if home.dose_times:
        r.dispenser()
    return r.lapses
