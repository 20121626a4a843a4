"""Traffic-light triage of home measurements and questionnaires, as monitoring nurses work.

What the detector does with each parameter (blood pressure, pulse, temperature, blood
glucose, body water, questionnaire scores):

1. **Measuring occasions.** Readings of one parameter within ``occasion_window_min``
   (30 min) of the first are one occasion, judged when the window has passed: blood
   pressure and pulse are the mean of the repeats (ESH 2023 home measurement),
   temperature is the confirmed value (the re-measurement), glucose the lowest (a
   re-check after treating a hypo must not hide it), body water the mean.
2. **Out-of-character values.** A temperature far below the thermometer's own median
   is usually technique; it counts only when a second reading agrees. Unconfirmed, it
   goes to the weekly review and the evidence says so.
3. **Bands.** The occasion's value is placed in the patient's bands (the nurse's, or
   the programme's defaults: :mod:`agents.clinical.bands`).
4. **Notices.** Red and critical: one notice per abnormal local day per parameter, and
   again whenever it moves to a worse band (:class:`~agents.clinical.episode.Episode`).
   A critical single reading is notified at once, without waiting for the occasion.
   Yellow: no notice; it goes into a weekly review digest per patient (Monday,
   ``review_digest_hour``), one low-priority record on the team's topic.
5. **Clean baselines.** Only green occasions feed the personal baseline (the patient's
   usual value, used by the fever-rise and body-water rules and quoted in evidence).
"""

from __future__ import annotations

import math
from bisect import insort
from dataclasses import dataclass
from typing import Any, ClassVar

import msgspec

from agents.clinical import bands
from agents.clinical.bands import COLOUR, SEVERITY_OF_LEVEL, VKP_SEVERITY_CODE, Band, BandTable, Level
from agents.clinical.baseline import baseline, median, push
from agents.clinical.episode import Episode, local_day
from agents.clinical.questionnaire import limit_of, questionnaire_code
from agents.clinical.thresholds import (
    BASELINE_MIN,
    BODY_WATER_DROP,
    BP_SPREAD_DIA,
    BP_SPREAD_SYS,
    BP_USUAL_MIN,
    COPD_CAT_BASELINE_MIN,
    COPD_CAT_RED_RISE,
    COPD_CAT_RISE,
    DIGEST_HOUR,
    FEVER_RISE,
    GLUCOSE_PERSIST,
    GLUCOSE_VERY_HIGH,
    OCCASION_MIN,
    PHQ9_ITEM9,
    POPULATION_TEMPERATURE,
    TEMP_CONFIRM,
    TEMP_SURPRISE,
    value,
)
from agents.clinical.wording import clock, num_en, num_nb
from agents.localtime import at_local, local_date
from agents.statecodec import Stored
from agents.types import AlertCandidate, ResidentView
from schemas.alerts import AlertType, DetailValue, RecipientKind, Severity
from schemas.care import Programme

MEASURED = frozenset({"pulse", "temperature", "blood_glucose", "body_water"})
"""Measurement codes triaged here (blood pressure arrives as its own kind)."""

PARAMETER_NAME = {
    "blood_pressure": ("blodtrykk", "blood pressure"),
    "pulse": ("puls", "pulse"),
    "temperature": ("temperatur", "temperature"),
    "blood_glucose": ("blodsukker", "blood glucose"),
    "body_water": ("kroppsvann", "body water"),
}

PENDING_MAX = 12
"""Readings of one parameter kept while their occasion is open (a stuck device cannot grow the state)."""

REVIEW_MAX = 12
"""Parameters and questionnaires kept in one weekly review."""

_ACT = {Level.RED: ("Vurder i dag.", "Act today."), Level.CRITICAL: ("Vurder nå.", "Act now.")}


class ParameterState(Stored):
    """One parameter: readings of the open occasion, consolidated history, the daily-notice episode."""

    pending: list[list[float]] = msgspec.field(default_factory=list)
    """[time, value (systolic), diastolic] of readings not yet judged, in time order."""
    judged_t: float = 0.0
    """Newest reading already judged: anything at or before it arrives too late to count."""
    recent: list[float] = msgspec.field(default_factory=list)
    """Consolidated values of the last occasions, whatever their band: the device's own median."""
    recent2: list[float] = msgspec.field(default_factory=list)
    """Blood pressure: the diastolic values matching ``recent``."""
    clean: list[float] = msgspec.field(default_factory=list)
    """Consolidated values of green occasions only: the personal baseline."""
    run: int = 0
    """Consecutive occasions above the level-2 glucose limit."""
    episode: Episode = msgspec.field(default_factory=Episode)


class ReviewItem(Stored):
    """Yellow findings of one parameter since the last weekly review."""

    days: list[int] = msgspec.field(default_factory=list)
    worst_rank: int = 0
    worst_t: float = 0.0
    worst_nb: str = ""
    worst_en: str = ""


class TriageState(Stored):
    """Per parameter and questionnaire state, and the pending weekly review."""

    params: dict[str, ParameterState] = msgspec.field(default_factory=dict)
    questionnaires: dict[str, Episode] = msgspec.field(default_factory=dict)
    q_latest: dict[str, float] = msgspec.field(default_factory=dict)
    review: dict[str, ReviewItem] = msgspec.field(default_factory=dict)
    review_due: float = math.inf


@dataclass(slots=True, frozen=True)
class Finding:
    """A judged occasion: its band and table, what to say about it."""

    band: Band
    table: BandTable
    type: AlertType
    shown_nb: str
    shown_en: str
    details: dict[str, DetailValue]
    note_nb: str = ""
    note_en: str = ""
    usable: bool = True
    """False for an unconfirmed out-of-character value: reviewed, never red, not in any baseline."""
    value: float = 0.0
    value2: float = 0.0
    """Blood pressure: the diastolic of the occasion."""
    run: int = 0
    """Glucose: consecutive occasions above the level-2 limit, this one included."""


def _hint(view: ResidentView) -> RecipientKind | None:
    """The specialist service when it follows the patient's programme, else the routing default."""
    care = view.care
    if care is not None and care.specialist_unit and (
        view.follows(Programme.HEART_FAILURE) or view.follows(Programme.COPD)
    ):
        return RecipientKind.SPECIALIST
    return None


def _follower(view: ResidentView) -> RecipientKind:
    """The team that follows the patient: the specialist unit in mental-health care, else home care."""
    care = view.care
    if care is not None and care.specialist_unit and view.follows(Programme.MENTAL_HEALTH):
        return RecipientKind.SPECIALIST
    return RecipientKind.HOMECARE


def next_review(t: float, view: ResidentView) -> float:
    """The first Monday ``review_digest_hour`` (local) after ``t``."""
    d = local_date(t, view.tz)
    hour = value(view, DIGEST_HOUR)
    day = d.toordinal() + (7 - d.weekday()) % 7
    due = at_local(day, hour, view.tz)
    return due if due > t else at_local(day + 7, hour, view.tz)


class Triage:
    """Traffic-light bands per parameter; daily notices for red and critical, a weekly review for yellow."""

    name: ClassVar[str] = "triage"
    kinds: ClassVar[frozenset[str]] = frozenset({"measurement", "blood_pressure", "questionnaire"})
    ticks: ClassVar[bool] = True
    state_type: ClassVar[type[TriageState]] = TriageState

    def initial(self) -> TriageState:
        return TriageState()

    def dump(self, state: TriageState) -> TriageState:
        return state

    def due(self, state: TriageState, view: ResidentView) -> float:
        window = 60.0 * value(view, OCCASION_MIN)
        d = state.review_due
        for ps in state.params.values():
            if ps.pending and ps.pending[0][0] + window < d:
                d = ps.pending[0][0] + window
        return d

    # -- events -------------------------------------------------------------
    def step(self, state: TriageState, event: Any, t: float, view: ResidentView
             ) -> tuple[TriageState, list[AlertCandidate]]:
        kind = event.kind
        if kind == "questionnaire":
            return state, self._questionnaire(state, event, t, view)
        if kind == "blood_pressure":
            param, row = "blood_pressure", [t, float(event.systolic), float(event.diastolic)]
        elif event.code in MEASURED:
            param, row = event.code, [t, float(event.value), 0.0]
        else:
            return state, []
        ps = state.params.get(param)
        if ps is None:
            ps = state.params[param] = ParameterState()
        if t <= ps.judged_t or row in ps.pending:
            return state, []
        out: list[AlertCandidate] = []
        day = local_day(t, view.tz)
        while ps.pending and local_day(ps.pending[0][0], view.tz) < day:
            # a reading of a later day closes the earlier days' occasions, whatever the ticks did
            out.extend(self._close_first(state, param, ps, view))
        insort(ps.pending, row)
        del ps.pending[PENDING_MAX:]
        # a critical reading is not held for its occasion (act now), unless it is out of character
        f = self._finding(param, [row], ps, view)
        if f is not None and f.usable and f.band.level is Level.CRITICAL:
            out.extend(self._notify(state, param, ps, f, t, view))
        return state, out

    def tick(self, state: TriageState, now: float, view: ResidentView) -> tuple[TriageState, list[AlertCandidate]]:
        out: list[AlertCandidate] = []
        window = 60.0 * value(view, OCCASION_MIN)
        for param, ps in state.params.items():
            while ps.pending and ps.pending[0][0] + window <= now:
                out.extend(self._close_first(state, param, ps, view))
        if now >= state.review_due:
            out.extend(self._review(state, view))
        return state, out

    def _close_first(self, state: TriageState, param: str, ps: ParameterState, view: ResidentView
                     ) -> list[AlertCandidate]:
        """Judge the earliest open occasion of ``param``: its readings within the window of its first."""
        window = 60.0 * value(view, OCCASION_MIN)
        first = ps.pending[0][0]
        n = sum(1 for r in ps.pending if r[0] < first + window)
        occasion = ps.pending[:n]
        del ps.pending[:n]
        ps.judged_t = occasion[-1][0]
        return self._judge(state, param, ps, occasion, first + window, view)

    # -- judging an occasion ------------------------------------------------------
    def _judge(self, s: TriageState, param: str, ps: ParameterState, occasion: list[list[float]], at: float,
               view: ResidentView) -> list[AlertCandidate]:
        f = self._finding(param, occasion, ps, view)
        if f is None:
            return []
        if not f.usable:  # an unconfirmed out-of-character value: reviewed, never counted
            self._add_review(s, param, f, occasion[-1][0], view)
            return []
        push(ps.recent, f.value)
        if param == "blood_pressure":
            push(ps.recent2, f.value2)
        ps.run = f.run
        if f.band.level is Level.GREEN:
            push(ps.clean, f.value)
        if f.band.level is Level.YELLOW:
            ps.episode.update(f.band.rank, occasion[0][0], local_day(occasion[0][0], view.tz))
            self._add_review(s, param, f, occasion[-1][0], view)
            return []
        if f.band.level is Level.GREEN:
            ps.episode.update(0, at, 0)
            return []
        return self._notify(s, param, ps, f, at, view, occasion[0][0])

    def _finding(self, param: str, rows: list[list[float]], ps: ParameterState, view: ResidentView
                 ) -> Finding | None:
        if param == "blood_pressure":
            return _blood_pressure(rows, ps, view)
        if param == "pulse":
            return _pulse(rows, ps, view)
        if param == "temperature":
            return _temperature(rows, ps, view)
        if param == "blood_glucose":
            return _glucose(rows, ps, view)
        return _body_water(rows, ps, view)

    def _notify(self, s: TriageState, param: str, ps: ParameterState, f: Finding, at: float, view: ResidentView,
                first: float | None = None) -> list[AlertCandidate]:
        start_t = at if first is None else first
        day = local_day(start_t, view.tz)
        if day < ps.episode.day:
            return []  # a day already overtaken by a later one's notice: its news is stale
        if not ps.episode.update(f.band.rank, start_t, day):
            return []
        assert ps.episode.start is not None  # nosec B101 - update() opened the episode
        level = f.band.level
        act_nb, act_en = _ACT[level]
        colour_nb, colour_en = COLOUR[level]
        nb = (f"{f.shown_nb}: {f.band.label_nb} – {colour_nb} nivå, {f.table.set_by_nb}.{f.note_nb} {act_nb}")
        en = (f"{f.shown_en}: {f.band.label_en} – {colour_en} band, {f.table.set_by_en}.{f.note_en} {act_en}")
        details = {**f.details, **_band_details(f)}
        return [AlertCandidate(
            type=f.type, severity=SEVERITY_OF_LEVEL[level], time=at, episode_start=ps.episode.start,
            evidence_nb=nb, evidence_en=en, details=details, episode_key=f"{day}:{f.band.name}",
            recipient_hint=_hint(view),
        )]

    # -- weekly review ---------------------------------------------------------------
    def _add_review(self, s: TriageState, key: str, f: Finding, t: float, view: ResidentView) -> None:
        item = s.review.get(key)
        if item is None:
            if len(s.review) >= REVIEW_MAX:
                return
            item = s.review[key] = ReviewItem()
        day = local_day(t, view.tz)
        if day not in item.days:
            item.days.append(day)
            del item.days[:-7]
        rank = f.band.rank if f.usable else 0
        if rank >= item.worst_rank:
            item.worst_rank, item.worst_t = rank, t
            # the review quotes the band and, for an unconfirmed value, why it was not used
            note_nb, note_en = (f.note_nb, f.note_en) if not f.usable else ("", "")
            item.worst_nb = f"{f.shown_nb} ({f.band.label_nb}{note_nb})"
            item.worst_en = f"{f.shown_en} ({f.band.label_en}{note_en})"
        if s.review_due == math.inf:
            s.review_due = next_review(t, view)

    def _review(self, s: TriageState, view: ResidentView) -> list[AlertCandidate]:
        at = s.review_due
        items = sorted(s.review.items(), key=lambda kv: kv[1].worst_t)
        s.review = {}
        s.review_due = math.inf
        if not items:
            return []
        parts_nb, parts_en = [], []
        for _, it in items:
            n = len(it.days)
            parts_nb.append(f"{it.worst_nb} – {n} dag{'er' if n > 1 else ''}")
            parts_en.append(f"{it.worst_en} – {n} day{'s' if n > 1 else ''}")
        nb = ("Ukentlig gjennomgang av gule funn (ikke varslet enkeltvis): " + "; ".join(parts_nb)
              + ". Vurder ved neste oppfølging om pasientens grenser eller behandling bør endres.")
        en = ("Weekly review of yellow findings (not notified one by one): " + "; ".join(parts_en)
              + ". Review at the next follow-up whether the patient's limits or treatment need a change.")
        start = min(it.worst_t for _, it in items)
        week = local_day(at, view.tz)
        details: dict[str, DetailValue] = {"findings": len(items), "parameters": ",".join(k for k, _ in items),
                                           "vkp_severity": VKP_SEVERITY_CODE[Level.YELLOW]}
        return [AlertCandidate(
            type=AlertType.REVIEW_DIGEST, severity=Severity.LOW, time=at, episode_start=start,
            evidence_nb=nb[:1990], evidence_en=en[:1990], details=details, episode_key=f"week:{week}",
            recipient_hint=_hint(view),
        )]

    # -- questionnaires ------------------------------------------------------------------
    def _questionnaire(self, s: TriageState, event: Any, t: float, view: ResidentView) -> list[AlertCandidate]:
        code = questionnaire_code(event.questionnaire)
        if t <= s.q_latest.get(code, 0.0):
            return []
        s.q_latest[code] = t
        if len(s.q_latest) > REVIEW_MAX:
            del s.q_latest[min(s.q_latest, key=s.q_latest.__getitem__)]
        out: list[AlertCandidate] = []
        if code == "phq9":
            out.extend(self._item9(s, event, t, view))
        if code == "cat" and view.follows(Programme.COPD):
            out.extend(self._cat_rise(s, event, t, view))
        limit = limit_of(code, view)
        if limit is None:
            return out
        lim, rank = limit
        score = float(event.score)
        ep = s.questionnaires.get(code)
        if score < lim:
            if ep is not None:
                ep.update(0, t, 0)
            return out
        if ep is None:
            ep = s.questionnaires[code] = Episode()
        level = Level(rank)
        out_of_nb = f" av {num_nb(event.max_score)}" if event.max_score is not None else ""
        out_of_en = f" of {num_en(event.max_score)}" if event.max_score is not None else ""
        at = clock(t, view.tz)
        own = f"questionnaire_{code}_alert" in view.overrides
        set_nb = "satt i pasientens plan" if own else "standard grense"
        set_en = "set in the patient's plan" if own else "default limit"
        band = Band(f"{code}_limit", level, rank, f"over grensen (≥ {num_nb(lim)})", f"at or above the limit "
                    f"(≥ {num_en(lim)})", "questionnaire limit")
        table = BandTable(code, (band,), set_nb, set_en, personal=own)
        f = Finding(band, table, AlertType.QUESTIONNAIRE_SCORE,
                    f"{event.questionnaire} skår {num_nb(score)}{out_of_nb} kl. {at}",
                    f"{event.questionnaire} score {num_en(score)}{out_of_en} at {at}",
                    {"questionnaire": code, "score": score, "limit": lim})
        if level is Level.YELLOW:
            ep.update(rank, t, local_day(t, view.tz))
            self._add_review(s, f"q:{code}", f, t, view)
            return out
        if not ep.update(rank, t, local_day(t, view.tz)):
            return out
        assert ep.start is not None  # nosec B101
        act_nb, act_en = _ACT[level]
        c_nb, c_en = COLOUR[level]
        out.append(AlertCandidate(
            type=AlertType.QUESTIONNAIRE_SCORE, severity=SEVERITY_OF_LEVEL[level], time=t, episode_start=ep.start,
            evidence_nb=f"{f.shown_nb}, {band.label_nb} – {c_nb} nivå, {set_nb}. {act_nb}",
            evidence_en=f"{f.shown_en}, {band.label_en} – {c_en} band, {set_en}. {act_en}",
            details={**f.details, **_band_details(f)}, episode_key=f"{code}:{ep.day}:{level.name.lower()}",
            recipient_hint=_hint(view),
        ))
        return out

    def _cat_rise(self, s: TriageState, event: Any, t: float, view: ResidentView) -> list[AlertCandidate]:
        """CAT above the patient's own baseline: +2 (MCID) to the weekly review, +4 red (GOLD 2024; Kon 2014)."""
        ps = s.params.get("cat")
        if ps is None:
            ps = s.params["cat"] = ParameterState()
        score = float(event.score)
        base = baseline(ps.clean, value(view, COPD_CAT_BASELINE_MIN), None)
        rise = round(score - base, 1) if base is not None else 0.0
        yellow, red = value(view, COPD_CAT_RISE), value(view, COPD_CAT_RED_RISE)
        if base is None or rise < yellow:
            push(ps.clean, score)
            ps.episode.update(0, t, 0)
            return []
        level = Level.RED if rise >= red else Level.YELLOW
        lim = red if level is Level.RED else yellow
        band = Band("cat_rise_red" if level is Level.RED else "cat_rise", level, int(level),
                    f"{num_nb(rise)} poeng over pasientens vanlige {num_nb(base)} (≥ {num_nb(lim)})",
                    f"{num_en(rise)} points above the patient's usual {num_en(base)} (≥ {num_en(lim)})",
                    COPD_CAT_RISE.source)
        at = clock(t, view.tz)
        nb_set, en_set = "standard for programmet KOLS", "default of the COPD programme"
        f = Finding(band, BandTable("cat", (band,), nb_set, en_set), AlertType.COPD_CAT_RISE,
                    f"CAT-skår {num_nb(score)} kl. {at}", f"CAT score {num_en(score)} at {at}",
                    {"cat_score": score, "baseline": base, "rise": rise})
        if level is Level.YELLOW:
            ps.episode.update(int(level), t, local_day(t, view.tz))
            self._add_review(s, "cat_rise", f, t, view)
            return []
        return self._notify(s, "cat", ps, f, t, view)

    def _item9(self, s: TriageState, event: Any, t: float, view: ResidentView) -> list[AlertCandidate]:
        item9 = event.item(9)
        if item9 is None:
            return []
        ep = s.questionnaires.get("phq9_item9")
        lim = value(view, PHQ9_ITEM9)
        if item9 < lim:
            if ep is not None:
                ep.update(0, t, 0)
            return []
        if ep is None:
            ep = s.questionnaires["phq9_item9"] = Episode()
        day = local_day(t, view.tz)
        if not ep.update(int(Level.RED), t, day):
            return []
        assert ep.start is not None  # nosec B101
        at = clock(t, view.tz)
        answer_nb = {1: "flere dager", 2: "mer enn halvparten av dagene", 3: "nesten hver dag"}.get(round(item9), "")
        answer_en = {1: "several days", 2: "more than half the days", 3: "nearly every day"}.get(round(item9), "")
        nb = (f"PHQ-9 kl. {at}: spørsmål 9 (tanker om at det er bedre å være død eller om å skade seg selv) besvart "
              f"{num_nb(item9)} ({answer_nb}) – rødt nivå, standard for alle programmer. Kontakt pasienten i dag "
              "og vurder selvmordsrisiko.")
        en = (f"PHQ-9 at {at}: item 9 (thoughts of being better off dead or of self-harm) answered {num_en(item9)} "
              f"({answer_en}) – red band, default for all programmes. Contact the patient today and assess "
              "suicide risk.")
        return [AlertCandidate(
            type=AlertType.SELF_HARM_RISK, severity=Severity.MEDIUM, time=t, episode_start=ep.start,
            evidence_nb=nb, evidence_en=en,
            details={"questionnaire": "phq9", "item": 9, "answer": item9, "score": float(event.score),
                     "band": "phq9_item9", "band_level": "red", "vkp_severity": VKP_SEVERITY_CODE[Level.RED],
                     "band_source": PHQ9_ITEM9.source[:200]},
            episode_key=f"phq9_item9:{day}", recipient_hint=_follower(view),
        )]


def _band_details(f: Finding) -> dict[str, DetailValue]:
    return {
        "band": f.band.name, "band_level": COLOUR[f.band.level][1], "vkp_severity": VKP_SEVERITY_CODE[f.band.level],
        "band_set_by": "plan" if f.table.personal else "default", "band_source": f.band.source[:200],
    }


def _mean(xs: list[float]) -> float:
    return sum(xs) / len(xs)


def _repeats(rows: list[list[float]], tz: Any) -> tuple[str, str]:
    if len(rows) == 1:
        return f"kl. {clock(rows[0][0], tz)}", f"at {clock(rows[0][0], tz)}"
    a, b = clock(rows[0][0], tz), clock(rows[-1][0], tz)
    return f"kl. {a}-{b} (snitt av {len(rows)} målinger)", f"at {a}-{b} (mean of {len(rows)} readings)"


def _usual(ps: ParameterState, view: ResidentView) -> float | None:
    return baseline(ps.clean, value(view, BASELINE_MIN), None)


def _blood_pressure(rows: list[list[float]], ps: ParameterState, view: ResidentView) -> Finding:
    sys_ = float(round(_mean([r[1] for r in rows])))
    dia = float(round(_mean([r[2] for r in rows])))
    t_sys, t_dia = bands.systolic(view), bands.diastolic(view)
    b_sys, b_dia = t_sys.classify(sys_), t_dia.classify(dia)
    band = bands.worse(b_sys, b_dia)
    table = t_sys if band is b_sys else t_dia
    when_nb, when_en = _repeats(rows, view.tz)
    details: dict[str, DetailValue] = {"systolic": sys_, "diastolic": dia, "readings": len(rows)}
    usual = _usual(ps, view)
    note_nb = note_en = ""
    if usual is not None:
        details["baseline_systolic"] = usual
        note_nb, note_en = f" Pasientens vanlige systoliske: {num_nb(usual)}.", f" The patient's usual systolic: " \
            f"{num_en(usual)}."
    if band.name == "esh_grade2" and not table.personal:
        # grade 2 notifies when it is a change for this patient; within their own spread it is a
        # treatment question for the weekly review (grade 3, critical and worse bands always notify)
        known = len(ps.recent) >= value(view, BP_USUAL_MIN)
        u_sys = median(ps.recent) if known else 0.0
        u_dia = median(ps.recent2) if known and ps.recent2 else 0.0
        if not known:
            band = Band("esh_grade2_unknown_usual", Level.YELLOW, 2,
                        "ESH grad 2, pasientens vanlige nivå er ikke kjent ennå",
                        "ESH grade 2, the patient's usual level not known yet", band.source)
        elif sys_ < u_sys + value(view, BP_SPREAD_SYS) and dia < u_dia + value(view, BP_SPREAD_DIA):
            band = Band("esh_grade2_usual", Level.YELLOW, 2,
                        f"ESH grad 2 innenfor pasientens vanlige variasjon ({num_nb(u_sys)}/{num_nb(u_dia)})",
                        f"ESH grade 2 within the patient's usual variation ({num_en(u_sys)}/{num_en(u_dia)})",
                        BP_SPREAD_SYS.source)
        details["usual_systolic"] = u_sys
        details["usual_diastolic"] = u_dia
    return Finding(band, table, AlertType.BLOOD_PRESSURE,
                   f"Blodtrykk {num_nb(sys_)}/{num_nb(dia)} mmHg {when_nb}",
                   f"Blood pressure {num_en(sys_)}/{num_en(dia)} mmHg {when_en}", details, note_nb, note_en,
                   value=sys_, value2=dia)


def _pulse(rows: list[list[float]], ps: ParameterState, view: ResidentView) -> Finding:
    p = float(round(_mean([r[1] for r in rows])))
    table = bands.pulse(view)
    when_nb, when_en = _repeats(rows, view.tz)
    details: dict[str, DetailValue] = {"pulse_per_min": p, "readings": len(rows)}
    usual = _usual(ps, view)
    note_nb = note_en = ""
    if usual is not None:
        details["baseline_per_min"] = usual
        note_nb, note_en = f" Pasientens vanlige puls: {num_nb(usual)}/min.", f" The patient's usual pulse: " \
            f"{num_en(usual)}/min."
    return Finding(table.classify(p), table, AlertType.PULSE, f"Puls {num_nb(p)}/min {when_nb}",
                   f"Pulse {num_en(p)}/min {when_en}", details, note_nb, note_en, value=p)


def _temperature(rows: list[list[float]], ps: ParameterState, view: ResidentView) -> Finding:
    device = median(ps.recent) if len(ps.recent) >= 3 else POPULATION_TEMPERATURE
    surprise, agree = value(view, TEMP_SURPRISE), value(view, TEMP_CONFIRM)
    vals = [round(r[1], 1) for r in rows]
    odd = [v <= device - surprise for v in vals]
    confirmed = [odd[i] and any(j != i and abs(vals[j] - vals[i]) <= agree for j in range(len(vals)))
                 for i in range(len(vals))]
    tz = view.tz
    table = bands.temperature(view)
    note_nb = note_en = ""
    chosen = len(vals) - 1  # the re-measurement is what a nurse trusts
    if odd[chosen] and not confirmed[chosen]:
        normal = [i for i in range(len(vals)) if not odd[i]]
        if not normal:
            v = vals[chosen]
            band = table.classify(v)
            return Finding(
                band, table, AlertType.LOW_TEMPERATURE,
                f"Temperatur {num_nb(v, 1)} °C kl. {clock(rows[chosen][0], tz)}",
                f"Temperature {num_en(v, 1)} °C at {clock(rows[chosen][0], tz)}",
                {"temperature_c": v, "confirmed": False, "device_median_c": device},
                f", ubekreftet: {num_nb(device - v, 1)} °C under termometerets vanlige {num_nb(device, 1)} °C, "
                "ikke brukt i NEWS2 – mål på nytt",
                f", unconfirmed: {num_en(device - v, 1)} °C below the thermometer's usual {num_en(device, 1)} °C, "
                "not used for NEWS2 – measure again",
                usable=False, value=v,
            )
        chosen = normal[-1]
        note_nb = f" En lav enkeltmåling ({num_nb(min(vals), 1)} °C) er ikke bekreftet og ikke brukt."
        note_en = f" A single low reading ({num_en(min(vals), 1)} °C) was not confirmed and is not used."
    elif confirmed[chosen]:
        note_nb = " Bekreftet av ny måling."
        note_en = " Confirmed by a second reading."
    v = vals[chosen]
    band = table.classify(v)
    usual = _usual(ps, view)
    details: dict[str, DetailValue] = {"temperature_c": v, "readings": len(rows)}
    if usual is not None:
        details["baseline_c"] = usual
        rise = round(v - usual, 2)
        if bands.frail(view) and not table.personal and rise > value(view, FEVER_RISE) and band.rank < 2:
            lim = value(view, FEVER_RISE)
            band = Band("mcgeer_rise", Level.RED, 2, f"feber: {num_nb(rise, 1)} °C over pasientens vanlige "
                        f"{num_nb(usual, 1)} °C (> {num_nb(lim, 1)})", f"fever: {num_en(rise, 1)} °C above the "
                        f"patient's usual {num_en(usual, 1)} °C (> {num_en(lim, 1)})", FEVER_RISE.source)
    kind = AlertType.LOW_TEMPERATURE if band.below is not None else AlertType.FEVER
    return Finding(band, table, kind, f"Temperatur {num_nb(v, 1)} °C kl. {clock(rows[chosen][0], tz)}",
                   f"Temperature {num_en(v, 1)} °C at {clock(rows[chosen][0], tz)}", details, note_nb, note_en,
                   value=v)


def _glucose(rows: list[list[float]], ps: ParameterState, view: ResidentView) -> Finding:
    table = bands.blood_glucose(view)
    graded = [(table.classify(round(r[1], 1)), round(r[1], 1), r[0]) for r in rows]
    band, g, t = graded[0]
    for b, v, ti in graded[1:]:
        if (b.rank, b.level) >= (band.rank, band.level):
            band, g, t = b, v, ti
    tz = view.tz
    details: dict[str, DetailValue] = {"glucose_mmol_l": g, "readings": len(rows)}
    limit = value(view, GLUCOSE_VERY_HIGH)
    run = ps.run + 1 if max(r[1] for r in rows) > limit and band.level < Level.RED else 0
    if run >= value(view, GLUCOSE_PERSIST):
        band = Band("hyper_persistent", Level.RED, 2,
                    f"vedvarende høyt: over {num_nb(limit, 1)} ved {run} målinger på rad",
                    f"persistently high: above {num_en(limit, 1)} on {run} occasions in a row", GLUCOSE_PERSIST.source)
        details["occasions_above"] = run
    return Finding(band, table, AlertType.BLOOD_GLUCOSE, f"Blodsukker {num_nb(g, 1)} mmol/L kl. {clock(t, tz)}",
                   f"Blood glucose {num_en(g, 1)} mmol/L at {clock(t, tz)}", details, value=g, run=run)


def _body_water(rows: list[list[float]], ps: ParameterState, view: ResidentView) -> Finding:
    w = round(_mean([r[1] for r in rows]), 1)
    usual = _usual(ps, view)
    lim = value(view, BODY_WATER_DROP)
    nb_src = "standard for programmet skrøpelige eldre" if bands.frail(view) else "standard for alle programmer"
    en_src = "default of the frail elderly programme" if bands.frail(view) else "default for all programmes"
    band = bands.GREEN
    if usual is not None and usual - w >= lim:
        band = Band("body_water_drop", Level.RED, 2,
                    f"mulig dehydrering: {num_nb(usual - w, 1)} prosentpoeng under pasientens vanlige "
                    f"{num_nb(usual, 1)} % (≥ {num_nb(lim, 1)})",
                    f"possible dehydration: {num_en(usual - w, 1)} points below the patient's usual "
                    f"{num_en(usual, 1)} % (≥ {num_en(lim, 1)})", BODY_WATER_DROP.source)
    details: dict[str, DetailValue] = {"body_water_pct": w}
    if usual is not None:
        details["baseline_pct"] = usual
    at = clock(rows[-1][0], view.tz)
    return Finding(band, BandTable("body_water", (band,), nb_src, en_src), AlertType.DEHYDRATION,
                   f"Kroppsvann {num_nb(w, 1)} % kl. {at}", f"Body water {num_en(w, 1)} % at {at}", details, value=w)

