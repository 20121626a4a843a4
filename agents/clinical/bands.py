"""Traffic-light bands per parameter: green, yellow, red and critical, as DHO platforms show them.

Each parameter has a *band table*: its bands, worst first, each naming its limit, its
colour, its rank (a worse band has a higher rank, so ESH grade 2 ranks above grade 1
although both may be red), its source and who set it. The table comes from the
patient's plan when the nurse has set bands for that parameter
(``CareContext.bands``), else from the programme's defaults below, whose limits are
:class:`~agents.types.Parameter` objects with their guideline sources.

The colours map onto the alert severity and the national hub's (VKP) severity codes:

=========  ============  ==========================  ============================
colour     severity      vkp-severity-level          what happens
=========  ============  ==========================  ============================
green      (none)        10 normal                   nothing; feeds the baseline
yellow     low           20 moderate                 weekly review digest
red        medium        30 serious                  one notice a day, act today
critical   high          40 critical                 notice at once, act now
=========  ============  ==========================  ============================
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from agents.clinical.thresholds import (
    BP_CRISIS_DIA,
    BP_CRISIS_SYS,
    BP_GRADE1_DIA,
    BP_GRADE1_SYS,
    BP_GRADE2_DIA,
    BP_GRADE2_SYS,
    BP_LOW_SYS,
    BP_LOWISH_SYS,
    BP_SEVERE_DIA,
    BP_SEVERE_SYS,
    BP_VERY_LOW_SYS,
    FEVER_GENERAL,
    FEVER_HIGH,
    FEVER_REPEAT,
    FEVER_SINGLE,
    GLUCOSE_HIGH,
    GLUCOSE_HYPO,
    GLUCOSE_SEVERE_HYPO,
    GLUCOSE_VERY_HIGH,
    PULSE_HIGH_LOWER,
    PULSE_HIGH_UPPER,
    PULSE_MEDIUM_UPPER,
    PULSE_NORMAL_HIGH,
    PULSE_NORMAL_LOW,
    TEMP_LOW,
    TEMP_VERY_LOW,
    value,
)
from agents.types import Parameter, ResidentView
from schemas.alerts import Severity
from schemas.care import BandLimits, Programme


class Level(IntEnum):
    """Traffic-light colour of a reading."""

    GREEN = 0
    YELLOW = 1
    RED = 2
    CRITICAL = 3


SEVERITY_OF_LEVEL: dict[Level, Severity] = {
    Level.YELLOW: Severity.LOW, Level.RED: Severity.MEDIUM, Level.CRITICAL: Severity.HIGH,
}
VKP_SEVERITY_CODE: dict[Level, int] = {Level.GREEN: 10, Level.YELLOW: 20, Level.RED: 30, Level.CRITICAL: 40}
"""Code in the hub's ``vkp-severity-level`` code system (normal, moderate, serious, critical)."""

COLOUR: dict[Level, tuple[str, str]] = {
    Level.GREEN: ("grønt", "green"), Level.YELLOW: ("gult", "yellow"), Level.RED: ("rødt", "red"),
    Level.CRITICAL: ("kritisk", "critical"),
}
"""Colour names (bokmål in the neuter, as in «rødt nivå»)."""

PROGRAMME_NAME: dict[Programme, tuple[str, str]] = {
    Programme.HEART_FAILURE: ("hjertesvikt", "heart failure"),
    Programme.COPD: ("KOLS", "COPD"),
    Programme.DEMENTIA: ("demens", "dementia"),
    Programme.FRAIL_ELDERLY: ("skrøpelige eldre", "frail elderly"),
    Programme.DIABETES: ("diabetes", "diabetes"),
    Programme.HYPERTENSION: ("hypertensjon", "hypertension"),
    Programme.MENTAL_HEALTH: ("psykisk helse", "mental health"),
}


@dataclass(frozen=True, slots=True)
class Band:
    """One band of a parameter: values at or beyond its limit (``above`` or ``below``) fall in it.

    ``strict``: beyond means strictly beyond (the nurse's "outside green" limits), else at
    or beyond (the guidelines' "140 or more").
    """

    name: str
    level: Level
    rank: int
    label_nb: str
    label_en: str
    source: str
    above: float | None = None
    below: float | None = None
    strict: bool = False

    def contains(self, v: float) -> bool:
        if self.above is not None and (v > self.above if self.strict else v >= self.above):
            return True
        return self.below is not None and (v < self.below if self.strict else v <= self.below)


GREEN = Band("green", Level.GREEN, 0, "normalområdet", "the normal range", "")


@dataclass(frozen=True, slots=True)
class BandTable:
    """The bands of one parameter for one patient, worst first, and who set them."""

    parameter: str
    bands: tuple[Band, ...]
    set_by_nb: str
    set_by_en: str
    personal: bool = False
    """True when the bands come from the patient's plan."""

    def classify(self, v: float) -> Band:
        """The worst band ``v`` falls in (green when none)."""
        for b in self.bands:
            if b.contains(v):
                return b
        return GREEN


def worse(a: Band, b: Band) -> Band:
    """The worse of two bands (by rank, then colour); ``a`` on a tie."""
    return b if (b.rank, b.level) > (a.rank, a.level) else a


def _programme(view: ResidentView, preferred: tuple[Programme, ...]) -> tuple[str, str]:
    for p in preferred:
        if view.follows(p):
            nb, en = PROGRAMME_NAME[p]
            return f"standard for programmet {nb}", f"default of the {en} programme"
    return "standard for alle programmer", "default for all programmes"


def from_plan(parameter: str, limits: BandLimits) -> BandTable:
    """The nurse's bands for ``parameter`` as a band table (beyond red: critical)."""
    plan = "the patient's plan"
    out: list[Band] = []
    for level, lo, hi in (
        (Level.CRITICAL, limits.red_low, limits.red_high),
        (Level.RED, limits.yellow_low, limits.yellow_high),
        (Level.YELLOW, limits.green_low, limits.green_high),
    ):
        c_nb, c_en = COLOUR[level]
        if hi is not None:
            out.append(Band(f"plan_{c_en}_high", level, int(level), f"{c_nb} (over {_n(hi)})",
                            f"{c_en} (above {_n(hi)})", plan, above=hi, strict=True))
        if lo is not None:
            out.append(Band(f"plan_{c_en}_low", level, int(level), f"{c_nb} (under {_n(lo)})",
                            f"{c_en} (below {_n(lo)})", plan, below=lo, strict=True))
    return BandTable(parameter, tuple(out), "satt i pasientens plan", "set in the patient's plan", personal=True)


def _n(x: float) -> str:
    return f"{x:g}"


def _at_least(p: Parameter, view: ResidentView, name: str, level: Level, rank: int, nb: str, en: str) -> Band:
    v = value(view, p)
    return Band(name, level, rank, f"{nb} (≥ {_n(v)})", f"{en} (≥ {_n(v)})", p.source, above=v)


def _at_most(p: Parameter, view: ResidentView, name: str, level: Level, rank: int, nb: str, en: str) -> Band:
    v = value(view, p)
    return Band(name, level, rank, f"{nb} (≤ {_n(v)})", f"{en} (≤ {_n(v)})", p.source, below=v)


_BP_PROGRAMMES = (Programme.HYPERTENSION, Programme.HEART_FAILURE, Programme.DIABETES, Programme.FRAIL_ELDERLY,
                  Programme.DEMENTIA, Programme.COPD)


def systolic(view: ResidentView) -> BandTable:
    """Systolic pressure: ESH 2023 grades 1-3 above, NEWS2 below, critical at the extremes."""
    plan = _plan(view, "systolic")
    if plan is not None:
        return plan
    nb, en = _programme(view, _BP_PROGRAMMES)
    R, Y, C = Level.RED, Level.YELLOW, Level.CRITICAL
    return BandTable("systolic", (
        _at_least(BP_SEVERE_SYS, view, "severe_systolic", C, 5, "svært høyt systolisk", "extremely high systolic"),
        _at_most(BP_VERY_LOW_SYS, view, "very_low_systolic", C, 5, "svært lavt systolisk", "very low systolic"),
        _at_least(BP_CRISIS_SYS, view, "esh_grade3", R, 4, "ESH grad 3", "ESH grade 3"),
        _at_most(BP_LOW_SYS, view, "low_systolic", R, 4, "lavt systolisk (NEWS2 3)", "low systolic (NEWS2 3)"),
        _at_least(BP_GRADE2_SYS, view, "esh_grade2", R, 3, "ESH grad 2", "ESH grade 2"),
        _at_least(BP_GRADE1_SYS, view, "esh_grade1", Y, 1, "ESH grad 1", "ESH grade 1"),
        _at_most(BP_LOWISH_SYS, view, "lowish_systolic", Y, 1, "lavt systolisk (NEWS2 2)", "low systolic (NEWS2 2)"),
    ), nb, en)


def diastolic(view: ResidentView) -> BandTable:
    """Diastolic pressure: ESH 2023 grades 1-3 (the higher of systolic and diastolic decides)."""
    plan = _plan(view, "diastolic")
    if plan is not None:
        return plan
    nb, en = _programme(view, _BP_PROGRAMMES)
    R, Y, C = Level.RED, Level.YELLOW, Level.CRITICAL
    return BandTable("diastolic", (
        _at_least(BP_SEVERE_DIA, view, "severe_diastolic", C, 5, "svært høyt diastolisk", "extremely high diastolic"),
        _at_least(BP_CRISIS_DIA, view, "esh_grade3", R, 4, "ESH grad 3", "ESH grade 3"),
        _at_least(BP_GRADE2_DIA, view, "esh_grade2", R, 3, "ESH grad 2", "ESH grade 2"),
        _at_least(BP_GRADE1_DIA, view, "esh_grade1", Y, 1, "ESH grad 1", "ESH grade 1"),
    ), nb, en)


def pulse(view: ResidentView) -> BandTable:
    """Pulse: the NEWS2 chart exactly (≤40 and ≥131: 3 points; 111-130: 2; 41-50 and 91-110: 1)."""
    plan = _plan(view, "pulse")
    if plan is not None:
        return plan
    nb, en = _programme(view, (Programme.HEART_FAILURE, Programme.COPD, Programme.FRAIL_ELDERLY, Programme.DEMENTIA))
    R, Y = Level.RED, Level.YELLOW
    high_1 = value(view, PULSE_NORMAL_HIGH)
    low_1 = value(view, PULSE_NORMAL_LOW)
    return BandTable("pulse", (
        _at_least(PULSE_HIGH_UPPER, view, "news2_3_high", R, 3, "NEWS2 3 poeng", "NEWS2 3 points"),
        _at_most(PULSE_HIGH_LOWER, view, "news2_3_low", R, 3, "NEWS2 3 poeng", "NEWS2 3 points"),
        _at_least(PULSE_MEDIUM_UPPER, view, "news2_2_high", R, 2, "NEWS2 2 poeng", "NEWS2 2 points"),
        Band("news2_1_high", Y, 1, f"NEWS2 1 poeng (> {_n(high_1)})", f"NEWS2 1 point (> {_n(high_1)})",
             PULSE_NORMAL_HIGH.source, above=high_1, strict=True),
        Band("news2_1_low", Y, 1, f"NEWS2 1 poeng (< {_n(low_1)})", f"NEWS2 1 point (< {_n(low_1)})",
             PULSE_NORMAL_LOW.source, below=low_1, strict=True),
    ), nb, en)


def frail(view: ResidentView) -> bool:
    """Frail elderly and people with dementia: fever by the McGeer criteria, weight loss watched."""
    return view.follows(Programme.FRAIL_ELDERLY) or view.follows(Programme.DEMENTIA)


def temperature(view: ResidentView) -> BandTable:
    """Temperature: fever red (McGeer > 37.8 °C for frail elderly and dementia, else ≥ 38.0 °C), NEWS2 below."""
    plan = _plan(view, "temperature")
    if plan is not None:
        return plan
    R, Y = Level.RED, Level.YELLOW
    low = (
        _at_most(TEMP_VERY_LOW, view, "news2_3_low", R, 3, "NEWS2 3 poeng", "NEWS2 3 points"),
        _at_most(TEMP_LOW, view, "news2_1_low", Y, 1, "NEWS2 1 poeng", "NEWS2 1 point"),
    )
    high = _at_least(FEVER_HIGH, view, "news2_2_high", R, 3, "høy feber (NEWS2 2)", "high fever (NEWS2 2)")
    if frail(view):
        nb, en = _programme(view, (Programme.FRAIL_ELDERLY, Programme.DEMENTIA))
        single, rep = value(view, FEVER_SINGLE), value(view, FEVER_REPEAT)
        return BandTable("temperature", (
            high,
            Band("mcgeer_fever", R, 2, f"feber (> {_n(single)})", f"fever (> {_n(single)})", FEVER_SINGLE.source,
                 above=single, strict=True),
            low[0],
            Band("mcgeer_raised", Y, 1, f"forhøyet (> {_n(rep)})", f"raised (> {_n(rep)})", FEVER_REPEAT.source,
                 above=rep, strict=True),
            low[1],
        ), nb, en)
    nb, en = _programme(view, (Programme.COPD, Programme.HEART_FAILURE))
    return BandTable("temperature", (
        high, _at_least(FEVER_GENERAL, view, "fever", R, 2, "feber", "fever"), *low,
    ), nb, en)


def blood_glucose(view: ResidentView) -> BandTable:
    """Glucose: ADA hypoglycaemia levels 1 (red) and 2 (critical); above 10.0 and 13.9 yellow (time in range)."""
    plan = _plan(view, "blood_glucose")
    if plan is not None:
        return plan
    nb, en = _programme(view, (Programme.DIABETES,))
    R, Y, C = Level.RED, Level.YELLOW, Level.CRITICAL
    severe, hypo = value(view, GLUCOSE_SEVERE_HYPO), value(view, GLUCOSE_HYPO)
    high, very_high = value(view, GLUCOSE_HIGH), value(view, GLUCOSE_VERY_HIGH)
    return BandTable("blood_glucose", (
        Band("hypo_level2", C, 3, f"alvorlig hypoglykemi (< {_n(severe)})", f"level 2 hypoglycaemia (< {_n(severe)})",
             GLUCOSE_SEVERE_HYPO.source, below=severe, strict=True),
        Band("hypo_level1", R, 2, f"hypoglykemi (< {_n(hypo)})", f"level 1 hypoglycaemia (< {_n(hypo)})",
             GLUCOSE_HYPO.source, below=hypo, strict=True),
        Band("hyper_level2", Y, 1, f"svært høyt (> {_n(very_high)})", f"level 2 high (> {_n(very_high)})",
             GLUCOSE_VERY_HIGH.source, above=very_high, strict=True),
        Band("hyper_level1", Y, 1, f"over målområdet (> {_n(high)})", f"above target (> {_n(high)})",
             GLUCOSE_HIGH.source, above=high, strict=True),
    ), nb, en)


def _plan(view: ResidentView, parameter: str) -> BandTable | None:
    care = view.care
    if care is None:
        return None
    limits = care.bands.get(parameter)  # type: ignore[call-overload]
    return None if limits is None else from_plan(parameter, limits)
