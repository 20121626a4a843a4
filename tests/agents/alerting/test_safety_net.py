"""An unacknowledged fall or safety alarm reaches at least two different teams within 15 minutes.

Property test over care contexts the schema accepts (teams drawn from a small pool so that they
collide with each other, with the municipality's teams and with the fallback), municipalities
configured or not, residents without a care context, and any local time of 2025-2027.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from agents.alerting.desk import AlertDesk
from schemas.alerts import AlertType, RecipientKind, Severity
from schemas.care import CareContext
from tests.agents.alerting.helpers import RID, cand, view

DESK = AlertDesk.from_repo()
POOL = ["t-a", "t-b", "rsp-buskerud", "hjt-3301-natt", "hjt-3301-kveld", "legevakt-drammen", "legevakt-oslo",
        "rsp-region-mottak", "amk-region", "hjt-region-mottak", "hjt-3301-mottak"]
MUNICIPALITIES = ["3301", "0301", "4601", "1806"]
START = datetime(2025, 1, 1, tzinfo=UTC)


@st.composite
def contexts(draw: st.DrawFn) -> CareContext | None:
    if draw(st.booleans()):
        return None
    team = st.sampled_from(POOL)
    return CareContext(
        resident_id=RID, municipality=draw(st.sampled_from(MUNICIPALITIES)), home_care_team=draw(team),
        response_centre=draw(team), specialist_unit=draw(st.none() | team), gp=draw(st.none() | team),
        out_of_hours=draw(st.none() | team), updated_at=START,
    )


@settings(max_examples=300, deadline=None)
@given(
    care=contexts(),
    known=st.none() | st.sampled_from(MUNICIPALITIES),
    minute=st.integers(0, 3 * 365 * 24 * 60),
    type_=st.sampled_from([AlertType.FALL_DETECTED, AlertType.SAFETY_ALARM]),
)
def test_unacknowledged_fall_or_alarm_reaches_two_teams_within_15_minutes(
    care: CareContext | None, known: str | None, minute: int, type_: AlertType
) -> None:
    v = view(care)
    book = DESK.initial()
    book.municipality = known  # the municipality of a care context that has since been deleted
    t0 = (START + timedelta(minutes=minute)).timestamp()
    reached = {a.recipient.team_id for a in DESK.on_candidates(book, v, [cand(type_, Severity.HIGH, t0)], t0)[1]
               if a.recipient.kind is not RecipientKind.NEXT_OF_KIN}
    assert reached, "the alarm went to nobody"
    t = t0
    while t <= t0 + 15 * 60:
        reached |= {a.recipient.team_id for a in DESK.tick(book, v, t)[1]}
        t += 60
    assert len(reached) >= 2, (care, known, reached)
