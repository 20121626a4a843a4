"""Questionnaire responses above their alert limit (CAT, PHQ-9, GAD-7, ...).

Each questionnaire has a limit and a severity (1 low, 2 medium, 3 high) as
parameters named ``questionnaire_<code>_alert`` and ``questionnaire_<code>_severity``
(defaults and sources in :mod:`agents.clinical.thresholds`). A care context may set
a limit for a questionnaire without a default by overriding those names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from agents.clinical.episode import Episode, severity_rank
from agents.clinical.reading import ReadingDetector, graded_candidate
from agents.clinical.thresholds import QUESTIONNAIRES
from agents.clinical.wording import clock, num_en, num_nb
from agents.types import AlertCandidate, ResidentView
from schemas.alerts import AlertType, DetailValue

MAX_TRACKED = 8
"""Questionnaires with an open episode kept per resident."""

_ACTION = {1: ("vurder ved neste besøk", "review at the next round"), 2: ("vurder i dag", "act today"),
           3: ("vurder nå", "act now")}


def questionnaire_code(name: str) -> str:
    """Questionnaire id as used in parameter names: lower case letters and digits (``PHQ-9`` → ``phq9``)."""
    return "".join(c for c in name.lower() if c.isalnum())


def limit_of(code: str, view: ResidentView) -> tuple[float, int] | None:
    """Alert limit and severity rank for questionnaire ``code``, or None when it has no limit."""
    known = QUESTIONNAIRES.get(code)
    o = view.overrides
    alert_name, sev_name = f"questionnaire_{code}_alert", f"questionnaire_{code}_severity"
    if known is not None:
        lim = o.get(alert_name, known[0].default)
        sev = o.get(sev_name, known[1].default)
    elif alert_name in o:
        lim, sev = o[alert_name], o.get(sev_name, 2.0)
    else:
        return None
    return lim, severity_rank(sev)


@dataclass(slots=True)
class QuestionnaireState:
    """Open episodes by questionnaire code, and the newest response time of each."""

    episodes: dict[str, Episode] = field(default_factory=dict)
    latest: dict[str, float] = field(default_factory=dict)


class QuestionnaireScore(ReadingDetector[QuestionnaireState]):
    """A questionnaire score at or above its configured limit (CAT > 20 per the CAT user guide, PHQ-9 ≥ 15, ...)."""

    name: ClassVar[str] = "questionnaire_score"
    kinds: ClassVar[frozenset[str]] = frozenset({"questionnaire"})
    state_type = QuestionnaireState

    def step(self, state: QuestionnaireState, event: Any, t: float, view: ResidentView
             ) -> tuple[QuestionnaireState, list[AlertCandidate]]:
        code = questionnaire_code(event.questionnaire)
        limit = limit_of(code, view)
        if limit is None:
            return state, []
        s = state
        if t <= s.latest.get(code, 0.0):
            return s, []
        s.latest[code] = t
        lim, rank = limit
        score = float(event.score)
        ep = s.episodes.get(code)
        if score < lim:
            if ep is not None:
                del s.episodes[code]
            if len(s.latest) > MAX_TRACKED:
                del s.latest[min(s.latest, key=s.latest.__getitem__)]
            return s, []
        if ep is None:
            ep = s.episodes[code] = Episode()
        if len(s.latest) > MAX_TRACKED:
            del s.latest[min(s.latest, key=s.latest.__getitem__)]
        at = clock(t, view.tz)
        out_of_nb = f" av {num_nb(event.max_score)}" if event.max_score is not None else ""
        out_of_en = f" of {num_en(event.max_score)}" if event.max_score is not None else ""
        act_nb, act_en = _ACTION[rank]
        nb = (f"{event.questionnaire}: skår {num_nb(score)}{out_of_nb} kl. {at}, over grensen "
              f"(≥ {num_nb(lim)}): {act_nb}.")
        en = (f"{event.questionnaire}: score {num_en(score)}{out_of_en} at {at}, at or above the limit "
              f"(≥ {num_en(lim)}): {act_en}.")
        details: dict[str, DetailValue] = {"questionnaire": code, "score": score, "limit": lim}
        return s, graded_candidate(AlertType.QUESTIONNAIRE_SCORE, ep, rank, t, nb, en, details, key=code)
