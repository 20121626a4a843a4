"""Simulated homes: who lives there, their habits, devices, care programmes and care plan.

Everything about a home is drawn once from a generator seeded by (seed, resident
index), so a home is the same in every run and independent of cohort size.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time

from schemas.care import CareContext, Programme, ScheduledItem
from schemas.devices import DeviceRegistry, DeviceSpec
from schemas.events import Room

HOUR = 3600
MINUTE = 60
ALL_WEEK = (0, 1, 2, 3, 4, 5, 6)

# Municipality number, response centre, hospital trust of the specialist follow-up.
MUNICIPALITIES: tuple[tuple[str, str, str], ...] = (
    ("0301", "rsp-oslo", "ous"),
    ("4601", "rsp-bergen", "hus"),
    ("5001", "rsp-trondheim", "stolav"),
    ("1103", "rsp-sor-rogaland", "sus"),
    ("3301", "rsp-buskerud", "vvhf"),
    ("1806", "rsp-ofoten", "nlsh"),
    ("3403", "rsp-innlandet", "sykehuset-innlandet"),
    ("4204", "rsp-agder", "sshf"),
)

MOTION_ROOMS: tuple[Room, ...] = (Room.BEDROOM, Room.BATHROOM, Room.KITCHEN, Room.LIVING_ROOM, Room.HALLWAY)

# Device name -> runs on battery. Sensors in every home; optional ones are added per home.
BASE_DEVICES: dict[str, bool] = {
    **{f"pir-{room.value}": True for room in MOTION_ROOMS},
    "bed": True,
    "chair": True,
    "door-exit": True,
    "door-fridge": True,
    "toilet": True,
    "plug-kettle": False,
    "plug-stove": False,
    "plug-tv": False,
}
OPTIONAL_DEVICES: dict[str, bool] = {"pendant": True, "dispenser": False, "fall-radar": False}


def motion_device(room: Room) -> str:
    """Device name of the motion sensor in ``room``."""
    return f"pir-{room.value}"


@dataclass(frozen=True, slots=True)
class Persona:
    """Habits of one resident; times are local seconds after midnight."""

    wake: int
    weekend_shift: int
    bedtime: int
    jitter: int
    night_toilet_weights: tuple[float, float, float]  # P(0, 1, 2 visits) on a normal night
    activity: float  # 1.0 = typical amount of moving about
    outing_rate: float  # probability of an outing on a day
    day_centre_days: tuple[int, ...]
    visitor_rate: float  # visitors per day
    call_rate: float  # phone or video calls per day
    homecare_visits: tuple[int, ...]  # planned home-care visits, local seconds
    restless_nights: float  # probability of getting up and pottering at night (dementia)


@dataclass(frozen=True, slots=True)
class Baseline:
    """Usual vital signs of a resident (canonical units)."""

    weight: float
    spo2: float
    pulse: float
    respiratory_rate: float
    temperature: float
    systolic: float
    diastolic: float
    glucose: float
    cat: float
    weight_unit: str  # "kg" or "[lb_av]": some scales report pounds


@dataclass(frozen=True, slots=True)
class Habits:
    """How a patient measures, and their devices' quirks: the ordinary variability of stable patients.

    Drawn from a generator of its own, so adding habits leaves every other draw of the home as it was.
    """

    bp_repeats: bool  # takes two cuff readings a minute or two apart (ESH home measurement)
    white_coat: float  # mmHg the first reading of a session runs high (alerting reaction)
    low_thermometer: bool  # the thermometer sometimes reads low (probe placement, a cold mouth)
    remeasure: float  # probability of measuring again when the device shows an unusual value
    bia_scale: bool  # the scale is a bioimpedance scale that also reports body water
    body_water: float  # usual total body water, % of body weight
    phq9: float  # usual PHQ-9 total


@dataclass(frozen=True, slots=True)
class ScheduleEntry:
    """One expected DHO item: ``kind`` measurement or questionnaire, due by a local time."""

    kind: str
    code: str
    due_by: int
    weekdays: tuple[int, ...] = ALL_WEEK


@dataclass(frozen=True, slots=True)
class Home:
    """One simulated home and its resident."""

    index: int
    resident_id: str
    municipality: str
    home_care_team: str
    response_centre: str
    specialist_unit: str | None
    programmes: tuple[Programme, ...]
    hypercapnic: bool
    persona: Persona
    baseline: Baseline
    schedule: tuple[ScheduleEntry, ...]
    dose_times: tuple[int, ...]
    devices: dict[str, bool]  # name -> battery powered
    device_ids: dict[str, str]
    battery_start: dict[str, float]
    battery_drain: dict[str, float]  # percent per day
    phase: dict[str, int]  # heartbeat offset within the hour, seconds
    habits: Habits

    @property
    def has_dho(self) -> bool:
        return bool(self.schedule)

    def measures(self, code: str) -> bool:
        return any(item.code == code for item in self.schedule)


def resident_id(index: int) -> str:
    """Pseudonymous resident id of cohort member ``index`` (``r-000123``)."""
    return f"r-{index:06d}"


def _programmes(rng: random.Random) -> tuple[Programme, ...]:
    chosen: list[Programme] = []
    if rng.random() < 0.55:
        chosen.append(Programme.FRAIL_ELDERLY)
    if rng.random() < 0.25:
        chosen.append(Programme.DEMENTIA)
    if rng.random() < 0.2:
        chosen.append(Programme.HEART_FAILURE)
    if rng.random() < 0.18:
        chosen.append(Programme.COPD)
    if rng.random() < 0.12:
        chosen.append(Programme.HYPERTENSION)
    if rng.random() < 0.1:
        chosen.append(Programme.DIABETES)
    return tuple(chosen) or (Programme.FRAIL_ELDERLY,)


def _schedule(rng: random.Random, programmes: tuple[Programme, ...]) -> tuple[ScheduleEntry, ...]:
    items: dict[str, ScheduleEntry] = {}
    due = 10 * HOUR
    m = "measurement"
    if Programme.HEART_FAILURE in programmes:
        for code in ("weight", "blood_pressure", "pulse"):
            items[code] = ScheduleEntry(m, code, due)
    if Programme.COPD in programmes:
        for code in ("spo2", "pulse", "respiratory_rate", "temperature"):
            items[code] = ScheduleEntry(m, code, due)
        items["CAT"] = ScheduleEntry("questionnaire", "CAT", 12 * HOUR, (0,))
    if Programme.HYPERTENSION in programmes and "blood_pressure" not in items:
        items["blood_pressure"] = ScheduleEntry(m, "blood_pressure", due, (0, 3))
    if Programme.DIABETES in programmes:
        items["blood_glucose"] = ScheduleEntry(m, "blood_glucose", 9 * HOUR + 30 * MINUTE)
    if Programme.FRAIL_ELDERLY in programmes and rng.random() < 0.4:
        items.setdefault("temperature", ScheduleEntry(m, "temperature", due))
        items.setdefault("pulse", ScheduleEntry(m, "pulse", due))
        items.setdefault("weight", ScheduleEntry(m, "weight", due, (0,)))
    return tuple(items.values())


def _persona(rng: random.Random, programmes: tuple[Programme, ...]) -> Persona:
    dementia = Programme.DEMENTIA in programmes
    visits: list[int] = []
    n_visits = rng.choices((0, 1, 2, 3), (0.2, 0.35, 0.3, 0.15))[0] + (1 if dementia else 0)
    for slot in (8 * HOUR + 30 * MINUTE, 13 * HOUR, 19 * HOUR, 11 * HOUR)[: min(n_visits, 4)]:
        visits.append(slot + rng.randint(-40, 40) * MINUTE)
    weekdays = [0, 1, 2, 3, 4]
    rng.shuffle(weekdays)
    centre = tuple(sorted(weekdays[: rng.choices((0, 1, 2), (0.6, 0.25, 0.15))[0]]))
    nocturia = rng.random()
    toilets = (0.7, 0.25, 0.05) if nocturia < 0.4 else (0.35, 0.45, 0.2) if nocturia < 0.8 else (0.15, 0.45, 0.4)
    return Persona(
        wake=int(rng.uniform(6.0, 8.75) * HOUR),
        weekend_shift=int(rng.uniform(0, 50)) * MINUTE,
        bedtime=int(rng.uniform(21.25, 23.4) * HOUR),
        jitter=int(rng.uniform(8, 25)) * MINUTE,
        night_toilet_weights=toilets,
        activity=rng.uniform(0.6, 1.3),
        outing_rate=rng.uniform(0.1, 0.7),
        day_centre_days=centre,
        visitor_rate=rng.uniform(0.05, 0.6),
        call_rate=rng.uniform(0.2, 2.0),
        homecare_visits=tuple(sorted(visits)),
        restless_nights=rng.uniform(0.1, 0.35) if dementia else 0.0,
    )


def _baseline(rng: random.Random, programmes: tuple[Programme, ...], hypercapnic: bool) -> Baseline:
    copd = Programme.COPD in programmes
    hf = Programme.HEART_FAILURE in programmes
    systolic = rng.uniform(115, 150)
    return Baseline(
        weight=round(rng.uniform(62, 105) if hf else rng.uniform(48, 92), 1),
        spo2=rng.uniform(88, 92) if hypercapnic else rng.uniform(91, 95) if copd else rng.uniform(95, 98),
        pulse=rng.uniform(62, 88),
        respiratory_rate=rng.uniform(16, 20) if copd else rng.uniform(13, 17),
        temperature=rng.uniform(36.3, 36.9),
        systolic=systolic,
        diastolic=rng.uniform(60, min(90, systolic - 35)),
        glucose=rng.uniform(6.0, 9.0),
        cat=rng.uniform(10, 22),
        weight_unit="[lb_av]" if rng.random() < 0.05 else "kg",
    )


def _habits(rng: random.Random) -> Habits:
    return Habits(
        bp_repeats=rng.random() < 0.6,
        white_coat=rng.uniform(6, 18) if rng.random() < 0.3 else 0.0,
        low_thermometer=rng.random() < 0.2,
        remeasure=rng.uniform(0.4, 0.9),
        bia_scale=rng.random() < 0.35,
        body_water=rng.uniform(45, 60),
        phq9=rng.uniform(2, 10),
    )


def _clinical_schedule(
    rng: random.Random, programmes: tuple[Programme, ...], schedule: tuple[ScheduleEntry, ...], habits: Habits
) -> tuple[ScheduleEntry, ...]:
    """The schedule with what the newer programmes and devices add (drawn apart from the rest)."""
    items = {e.code: e for e in schedule}
    if Programme.MENTAL_HEALTH in programmes:
        items["PHQ9"] = ScheduleEntry("questionnaire", "PHQ9", 12 * HOUR, (2,))
    if habits.bia_scale and "weight" in items:
        items["weight"] = ScheduleEntry("measurement", "weight", items["weight"].due_by)  # weighed daily
    if Programme.DEMENTIA in programmes and "weight" not in items and rng.random() < 0.4:
        items["weight"] = ScheduleEntry("measurement", "weight", 10 * HOUR, (0,))
    return tuple(items.values())


def build_home(index: int, seed: int, programmes: tuple[Programme, ...] | None = None) -> Home:
    """Draw home ``index`` of the cohort with ``seed``; ``programmes`` forces its care programmes."""
    rng = random.Random(f"tilsyn-sim:{seed}:{index}:home")  # nosec B311
    crng = random.Random(f"tilsyn-sim:{seed}:{index}:clinical")  # nosec B311
    drawn = _programmes(rng)
    if crng.random() < 0.08:
        drawn = (*drawn, Programme.MENTAL_HEALTH)
    progs = programmes if programmes is not None else drawn
    municipality, centre, trust = MUNICIPALITIES[rng.randrange(len(MUNICIPALITIES))]
    rid = resident_id(index)
    hypercapnic = Programme.COPD in progs and rng.random() < 0.3
    specialist = None
    if Programme.HEART_FAILURE in progs:
        specialist = f"spes-{trust}-hjertesvikt"
    elif Programme.COPD in progs:
        specialist = f"spes-{trust}-lunge"
    elif Programme.MENTAL_HEALTH in progs:
        specialist = f"spes-{trust}-psykiatri"
    devices = dict(BASE_DEVICES)
    if rng.random() < 0.9:
        devices["pendant"] = True
    dementia = Programme.DEMENTIA in progs
    persona = _persona(rng, progs)
    doses: tuple[int, ...] = ()
    if rng.random() < (0.8 if dementia else 0.4):
        # Dose times are set to suit the resident's day: morning dose after waking.
        devices["dispenser"] = False
        half_hour = 30 * MINUTE
        morning = (persona.wake + 50 * MINUTE + persona.weekend_shift) // half_hour * half_hour
        evening = min(20 * HOUR, (persona.bedtime - HOUR) // half_hour * half_hour)
        doses = ((morning,), (morning, evening), (morning, evening), (morning, 14 * HOUR, evening))[rng.randrange(4)]
    if rng.random() < 0.35:
        devices["fall-radar"] = False
    habits = _habits(crng)
    return Home(
        index=index,
        resident_id=rid,
        municipality=municipality,
        home_care_team=f"hjt-{municipality}-{rng.randint(1, 4)}",
        response_centre=centre,
        specialist_unit=specialist,
        programmes=progs,
        hypercapnic=hypercapnic,
        persona=persona,
        baseline=_baseline(rng, progs, hypercapnic),
        schedule=_clinical_schedule(crng, progs, _schedule(rng, progs), habits),
        dose_times=doses,
        devices=devices,
        device_ids={name: f"{rid}-{name}" for name in devices},
        battery_start={n: rng.uniform(35, 100) for n, battery in devices.items() if battery},
        battery_drain={n: rng.uniform(0.05, 0.4) for n, battery in devices.items() if battery},
        phase={name: rng.randrange(HOUR) for name in devices},
        habits=habits,
    )


HEARTBEAT_MIN = 60.0
"""Every simulated device sends an hourly supervision heartbeat (``sim/devices.py``)."""


def _device_spec(home: Home, name: str) -> DeviceSpec:
    """What the installer registered for device ``name`` of ``home``."""
    dev_id = home.device_ids[name]
    beat = HEARTBEAT_MIN
    if name.startswith("pir-"):
        return DeviceSpec(device_id=dev_id, kind="motion", room=Room(name[4:]), heartbeat_min=beat)
    if name.startswith("plug-"):
        appliance = name[5:]
        plug_room = Room.LIVING_ROOM if appliance == "tv" else Room.KITCHEN
        return DeviceSpec(device_id=dev_id, kind="appliance", room=plug_room, purpose=appliance, heartbeat_min=beat)
    fixed: dict[str, tuple[str, Room | None, str | None]] = {
        "bed": ("bed", Room.BEDROOM, None), "chair": ("chair", Room.LIVING_ROOM, "armchair"),
        "door-exit": ("door", Room.HALLWAY, "exit"), "door-fridge": ("contact", Room.KITCHEN, "fridge"),
        "toilet": ("toilet", Room.BATHROOM, None), "pendant": ("alarm_button", None, None),
        "dispenser": ("medication", None, None), "fall-radar": ("fall", None, None),
    }
    kind, room, purpose = fixed[name]
    return DeviceSpec(device_id=dev_id, kind=kind, room=room, purpose=purpose, heartbeat_min=beat)  # type: ignore[arg-type]


def device_registry(home: Home) -> DeviceRegistry | None:
    """The home's device registry; one home in five has none, so its kit is inferred from the events."""
    if home.index % 5 == 4:
        return None
    return DeviceRegistry(devices=tuple(_device_spec(home, name) for name in sorted(home.devices)))


def care_context(home: Home, updated_at: datetime) -> CareContext:
    """The care context a care system would publish for ``home``."""
    return CareContext(
        devices=device_registry(home),
        resident_id=home.resident_id,
        municipality=home.municipality,
        home_care_team=home.home_care_team,
        response_centre=home.response_centre,
        specialist_unit=home.specialist_unit,
        programmes=home.programmes,
        time_zone="Europe/Oslo",
        hypercapnic_respiratory_failure=home.hypercapnic,
        schedule=tuple(
            ScheduledItem(
                kind="questionnaire" if e.kind == "questionnaire" else "measurement",
                code=e.code,
                due_by=time(e.due_by // HOUR, e.due_by // MINUTE % 60),
                weekdays=e.weekdays,
            )
            for e in home.schedule
        ),
        updated_at=updated_at,
    )
