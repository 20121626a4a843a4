"""The shared home model: capabilities (declared or inferred), the activity model, coverage, the engine."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime

from agents.behaviour import activity, coverage
from agents.behaviour.capabilities import Capabilities, apply_registry, observe
from agents.behaviour.home import HomeModel, HomeState
from agents.behaviour.social import SocialIsolation
from agents.engine import Engine
from agents.statecodec import to_plain
from schemas.alerts import AlertType, RecipientKind
from schemas.care import Programme
from schemas.devices import DeviceRegistry
from schemas.events import Contact, Door, Heartbeat, Light, Room, Toilet
from tests.agents.behaviour.scenario import (
    KIT,
    RID,
    TZ,
    Driver,
    _base,
    _spec,
    at,
    bed,
    care,
    days,
    door,
    heartbeat,
    motion,
    normal_day,
    social,
    view,
)


# -- capabilities --------------------------------------------------------------------------
def test_capabilities_are_inferred_from_what_devices_send() -> None:
    caps = Capabilities()
    t = at(2026, 5, 4, 10, 0)
    observe(caps, Door(**_base(t, "d-front"), door="exit", room=Room.HALLWAY, state="open"), t)
    observe(caps, Door(**_base(t, "d-old-fridge"), door="fridge", state="open"), t)
    observe(caps, Contact(**_base(t, "c-pills"), room=Room.BATHROOM, purpose="medicine_cabinet", state="open"), t)
    observe(caps, Toilet(**_base(t, "wc-flush"), room=Room.WC), t)
    observe(caps, Light(**_base(t, "l-kit"), room=Room.KITCHEN, state="on"), t)
    for i in range(4):  # hourly heartbeats, none promising an interval
        observe(caps, Heartbeat(**_base(t + 3600 * i, "d-front")), t + 3600 * i)
    observe(caps, Heartbeat(**_base(t, "pir-x"), interval_s=600.0), t)
    d = caps.devices
    assert (d["d-front"].kind, d["d-front"].room, d["d-front"].purpose) == ("door", "hallway", "exit")
    assert (d["d-old-fridge"].kind, d["d-old-fridge"].room, d["d-old-fridge"].purpose) == ("contact", "kitchen", "fridge")
    assert (d["c-pills"].purpose, d["wc-flush"].room, d["l-kit"].kind) == ("medicine_cabinet", "wc", "light")
    assert d["d-front"].beat_s == 3600.0 and d["d-front"].supervised
    assert d["pir-x"].beat_s == 600.0 and d["pir-x"].kind == ""  # only heartbeats so far: no kind yet
    assert not d["c-pills"].supervised
    assert caps.exit_doors() == ["d-front"]


def test_the_registry_wins_and_is_withdrawn_cleanly() -> None:
    caps = Capabilities()
    t = at(2026, 5, 4, 10, 0)
    observe(caps, motion(t, "kitchen"), t)  # pir-kit says kitchen
    registry = DeviceRegistry(devices=(_spec("pir-kit", "motion", "dining_room", beat=15.0),))
    apply_registry(caps, care(devices=registry))
    assert (caps.devices["pir-kit"].room, caps.devices["pir-kit"].beat_s) == ("dining_room", 900.0)
    observe(caps, motion(t + 60, "kitchen"), t + 60)  # the event cannot overrule the registry
    assert caps.devices["pir-kit"].room == "dining_room"
    later = care(devices=None).model_copy(update={"updated_at": datetime(2026, 2, 1, tzinfo=UTC)})
    apply_registry(caps, later)
    assert not caps.devices["pir-kit"].declared and caps.devices["pir-kit"].beat_s == 0.0


# -- the activity model --------------------------------------------------------------------
def _model(events: list[object], programmes: tuple[Programme, ...] = ()) -> tuple[HomeState, object]:
    model, home = HomeModel(), HomeState()
    v = view(programmes)
    from dataclasses import replace

    v = replace(v, home=home)
    for ev in events:
        model.step(home, ev, ev.time.timestamp(), v)  # type: ignore[attr-defined]
    return home, v


def test_leaving_is_told_from_arriving_and_an_outing_runs_from_departure_to_return() -> None:
    """Regression: the return's door events overwrote the departure, and a 2-hour outing followed by
    kitchen motion counted as none."""
    left, back = at(2026, 5, 4, 10, 0), at(2026, 5, 4, 12, 0)
    home, _ = _model([motion(left - 120, "hallway"), door(left, "open"), door(left + 8, "closed"),
                      door(back, "open"), door(back + 8, "closed"), motion(back + 600, "kitchen"),
                      motion(back + 640, "living_room")])
    assert home.act.outings == [(left, back + 600)]
    home2, _ = _model([motion(left - 120, "hallway"), door(left, "open"), door(left + 8, "closed"),
                       door(back, "open"), door(back + 8, "closed"), motion(back + 60, "hallway")])
    assert home2.act.outings == [(left, back)]
    assert not activity.is_out(home2.act, back + 3600)


def test_a_visitor_arriving_is_not_the_resident_leaving() -> None:
    t = at(2026, 5, 4, 14, 0)
    home, _ = _model([motion(t - 1800, "living_room"), door(t, "open"), door(t + 8, "closed"),
                      motion(t + 30, "hallway"), motion(t + 50, "living_room")])
    assert home.act.leave_first == math.inf and home.act.outings == []


def test_lone_reports_in_an_empty_home_do_not_end_an_outing() -> None:
    """A false trigger (even a burst from one sensor) while out is not the resident coming back."""
    left = at(2026, 5, 4, 9, 0)
    ghosts = [motion(left + 3600 * h + s, "kitchen") for h in (1, 2, 3) for s in (0, 4, 9)]
    home, _ = _model([motion(left - 60, "hallway"), door(left, "open"), door(left + 5, "closed"), *ghosts])
    assert activity.is_out(home.act, left + 4 * 3600) and home.act.outings == []


def test_a_home_without_an_exit_door_infers_departures_from_the_entrance() -> None:
    kit = DeviceRegistry(devices=(
        *(s for s in KIT.devices if s.device_id not in ("door-1", "pir-hall")), _spec("pir-hall", "motion", "entrance"),
    ))
    t = at(2026, 5, 4, 9, 0)
    model, home = HomeModel(), HomeState()
    from dataclasses import replace

    v = replace(view(devices=kit), home=home)
    for ev in [motion(t - 60, "kitchen"), motion(t, "entrance"), motion(t + 900, "bedroom")]:
        model.step(home, ev, ev.time.timestamp(), v)
    assert not activity.is_out(home.act, t + 1000)  # a lone report inside before the 30 min: undecided
    assert activity.is_out(home.act, t + 1800 + 1)
    for ev in [motion(t + 5 * 3600, "hallway"), motion(t + 5 * 3600 + 40, "kitchen")]:
        model.step(home, ev, ev.time.timestamp(), v)
    assert home.act.outings == [(t, t + 5 * 3600)]


def test_current_room_has_a_fading_confidence_and_weak_evidence_does_not_move_it() -> None:
    t = at(2026, 5, 4, 10, 0)
    light = Light(**_base(t + 10, "l-bed"), room=Room.BEDROOM, state="on")
    home, _ = _model([motion(t, "kitchen"), light])
    assert home.act.room == "kitchen"
    assert activity.room_confidence(home.act, t) == 0.9
    assert abs(activity.room_confidence(home.act, t + 1800) - 0.45) < 1e-9


def test_status_word() -> None:
    t = at(2026, 5, 4, 23, 0)
    home, _ = _model([motion(t - 60, "bedroom"), bed(t, "occupied")])
    assert activity.status(home.act, t + 60, 1800) == "asleep"
    home, _ = _model([motion(t, "kitchen")])
    assert activity.status(home.act, t + 60, 1800) == "up"
    assert activity.status(home.act, t + 7200, 1800) == "home"


# -- social ----------------------------------------------------------------------------------
def test_home_care_visits_are_care_not_social_contact() -> None:
    """Regression (issue 15): home-care visits counted as social contact, so the main target group
    rarely looked isolated."""
    d = Driver(SocialIsolation(), view())
    events: list[object] = []
    for y, m, dd in days(2026, 3, 1, 9):
        day = normal_day(y, m, dd, random.Random(dd), heartbeats=False, outing=False, contact=False)
        day.append(social(at(y, m, dd, 9, 0), "homecare_visit"))
        events += sorted(day, key=lambda e: e.time)
    d.feed(events)
    assert [a.episode_key for a in d.alerts] == ["none"]


def test_every_outing_counts_on_its_day() -> None:
    d = Driver(SocialIsolation(), view())
    d.feed(normal_day(2026, 3, 1, random.Random(1), heartbeats=False, contact=False))
    d.feed(normal_day(2026, 3, 2, random.Random(2), heartbeats=False, contact=False))
    assert d.state.scores[-1] == 1.0  # 1 March: one outing (11:36-12:54), however the return looked


# -- coverage --------------------------------------------------------------------------------
def test_coverage_report_names_every_pattern_with_a_reason() -> None:
    home, v = _model([motion(at(2026, 5, 4, 10, 0), "kitchen"), door(at(2026, 5, 4, 10, 5), "open")])
    report = {c.pattern: c for c in coverage.report(home, v, at(2026, 5, 4, 11, 0))}  # type: ignore[arg-type]
    assert set(report) == {n.pattern for n in coverage.ALL}
    assert report["night_wandering"].status is coverage.Status.NOT_ENROLLED
    assert report["long_bathroom_stay"].status is coverage.Status.LIVE  # the registry declares the kit
    bare, bv = _model([], ())
    HomeModel().on_care(bare, care())  # the registry is applied when the care context arrives
    bare_report = {c.pattern: c for c in coverage.report(bare, bv, at(2026, 5, 4, 11, 0))}  # type: ignore[arg-type]
    assert bare_report["sleep_disturbance"].status is coverage.Status.LIVE  # declared: a bed mat
    none_home, nv = HomeState(), view(devices=None)
    from dataclasses import replace

    none_report = {c.pattern: c for c in coverage.report(none_home, replace(nv, home=none_home), 0.0)}
    assert all(c.status in (coverage.Status.OFF, coverage.Status.NOT_ENROLLED) for c in none_report.values())


# -- the engine keeps the model --------------------------------------------------------------
def test_engine_keeps_the_home_model_across_a_restart_and_routes_device_alerts_off_the_response_centre() -> None:
    engine = Engine()
    st = engine.new_state(RID)
    engine.on_care(st, care())
    t = at(2026, 5, 4, 18, 0)
    for ev in [heartbeat(t, s.device_id) for s in KIT.devices] + [motion(t + 60, "kitchen")]:
        assert engine.on_event(st, ev, ev.time.timestamp())[1] is None
    restored = engine.load(engine.dump(st), engine.dump_care(st))
    assert to_plain(engine.home_model.dump(restored.home)) == to_plain(engine.home_model.dump(st.home))
    assert restored.home.caps.devices["pir-kit"].declared and restored.home.act == st.home.act
    alerts = engine.advance(restored, at(2026, 5, 5, 12, 0))
    device = [a for a in alerts if a.type is AlertType.DEVICE_SILENT and a.notification == "initial"]
    kinds = {a.recipient.kind for a in device}
    assert RecipientKind.RESPONSE_CENTRE not in kinds
    assert kinds == {RecipientKind.TECHNICAL, RecipientKind.HOMECARE}
    homecare = [a for a in device if a.recipient.kind is RecipientKind.HOMECARE]
    assert len(homecare) == 1 and datetime.fromtimestamp(homecare[0].time.timestamp(), TZ).hour >= 8
    assert all(a.severity.value != "high" for a in device)
