"""The simulator: deterministic, schema-valid, time-ordered, fast, and its ground truth holds."""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import orjson
import pytest

from schemas.care import Programme
from schemas.inbound import CARE_CONTEXT, DHO_EVENT, SENSOR_EVENT
from schemas.measurements import DHO_KINDS
from sim.episodes import Episode, EpisodeKind
from sim.homes import HOUR, MINUTE
from sim.simulate import Cohort, DemoFeed, default_rate, write
from streams.topics import MEASUREMENTS, SENSOR_EVENTS

# Spans the spring daylight-saving change in Norway (31 March 2024).
START = datetime(2024, 3, 28, 6, 0, tzinfo=UTC)


def _events(cohort: Cohort) -> list[tuple[int, str, str, bytes]]:
    return list(cohort.events())


def _epoch(iso: str) -> int:
    return int(datetime.fromisoformat(iso).timestamp())


def _by_resident(events: list[tuple[int, str, str, bytes]]) -> dict[str, list[tuple[int, dict[str, Any]]]]:
    out: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for t, _, rid, raw in events:
        out.setdefault(rid, []).append((t, orjson.loads(raw)))
    return out


def test_same_seed_gives_identical_bytes_and_another_seed_differs() -> None:
    a = Cohort(6, 5, 11, START)
    b = Cohort(6, 5, 11, START)
    c = Cohort(6, 5, 12, START)
    ea, eb, ec = _events(a), _events(b), _events(c)
    assert ea == eb
    assert list(a.care_contexts()) == list(b.care_contexts())
    assert a.truth() == b.truth()
    assert [raw for *_, raw in ea] != [raw for *_, raw in ec]


def test_events_are_time_ordered_inside_the_window_with_unique_ids() -> None:
    cohort = Cohort(8, 5, 3, START, episode_rate=1.0)
    events = _events(cohort)
    times = [t for t, *_ in events]
    assert times == sorted(times)
    begin, end = cohort.calendar.window
    assert begin <= times[0] and times[-1] < end
    ids = [orjson.loads(raw)["event_id"] for *_, raw in events]
    assert len(ids) == len(set(ids))
    for t, _, rid, raw in events[:: max(1, len(events) // 500)]:
        record = orjson.loads(raw)
        assert record["resident_id"] == rid
        assert _epoch(record["time"]) == t


def test_every_record_validates_and_goes_to_its_topic() -> None:
    cohort = Cohort(12, 6, 5, START, episode_rate=1.0)
    for rid, raw in cohort.care_contexts():
        assert CARE_CONTEXT.validate_json(raw).resident_id == rid
    kinds: Counter[str] = Counter()
    events = _events(cohort)
    for _, topic, _, raw in events[::7]:
        if topic == MEASUREMENTS:
            kind: str = DHO_EVENT.validate_json(raw).kind
        else:
            assert topic == SENSOR_EVENTS
            kind = SENSOR_EVENT.validate_json(raw).kind
        kinds[kind] += 1
        assert (kind in DHO_KINDS) == (topic == MEASUREMENTS)
    for kind in ("motion", "door", "contact", "bed", "chair", "toilet", "appliance", "heartbeat", "battery", "social"):
        assert kinds[kind] > 0, kind


def test_care_contexts_carry_the_kit_in_their_device_registry() -> None:
    cohort = Cohort(5, 1, 1, START)
    contexts = {rid: CARE_CONTEXT.validate_json(raw) for rid, raw in cohort.care_contexts()}
    with_registry = [c for c in contexts.values() if c.devices is not None]
    assert len(with_registry) == 4  # one home in five: the kit is inferred from its events
    kit = with_registry[0].devices
    assert kit is not None
    kinds = {(d.kind, d.room.value if d.room else None, d.purpose) for d in kit.devices}
    assert {("door", "hallway", "exit"), ("contact", "kitchen", "fridge"), ("motion", "bathroom", None)} <= kinds
    assert all(d.heartbeat_min == 60.0 for d in kit.devices)


def test_care_context_schedule_matches_the_programme() -> None:
    cohort = Cohort(3, 1, 1, START, programmes={0: (Programme.HEART_FAILURE,), 1: (Programme.COPD,)})
    contexts = {rid: CARE_CONTEXT.validate_json(raw) for rid, raw in cohort.care_contexts()}
    hf, copd = contexts["r-000000"], contexts["r-000001"]
    assert {i.code for i in hf.schedule} >= {"weight", "blood_pressure", "pulse"}
    assert {i.code for i in copd.schedule} >= {"spo2", "respiratory_rate", "CAT"}
    assert hf.specialist_unit and copd.specialist_unit
    assert all(len(c.municipality) == 4 for c in contexts.values())


def test_default_cohort_gets_episodes_in_a_fifth_to_a_third_of_residents() -> None:
    cohort = Cohort(400, 28, 9, START)
    share = sum(1 for eps in cohort.episodes.values() if eps) / 400
    assert 0.18 <= share <= 0.33
    assert default_rate(28) == pytest.approx(0.25)


def _forced(episodes: dict[int, list[Episode]], programmes: dict[int, tuple[Programme, ...]] | None = None,
            days: int = 10) -> tuple[Cohort, dict[str, list[tuple[int, dict[str, Any]]]], list[dict[str, Any]]]:
    cohort = Cohort(max(episodes) + 1, days, 21, START, episode_rate=0.0, programmes=programmes)
    for i, eps in episodes.items():
        cohort.force(i, eps)
    events = _by_resident(_events(cohort))
    truth = [r for r in cohort.truth() if not r.get("incidental")]
    return cohort, events, truth


def test_bathroom_fall_leaves_the_resident_in_the_bathroom_for_45_minutes() -> None:
    k = EpisodeKind.BATHROOM_FALL
    falls = {
        0: [Episode(k, 4, 2 * HOUR + 10 * MINUTE, duration=70 * MINUTE)],
        1: [Episode(k, 5, 10 * HOUR, duration=55 * MINUTE, detected=True, alarm_after=6 * MINUTE)],
        2: [Episode(k, 6, 17 * HOUR + 20 * MINUTE, duration=120 * MINUTE)],
    }
    _, events, truth = _forced(falls)
    rows = [r for r in truth if r["episode"] == "bathroom_fall"]
    assert len(rows) == 3
    for row in rows:
        start = _epoch(str(row["start"]))
        assert _epoch(str(row["end"])) - start >= 45 * 60
        mine = events[str(row["resident_id"])]
        assert any(t == start and r.get("room") == "bathroom" for t, r in mine)
        others = [r for t, r in mine if start < t <= start + 45 * 60 and r["kind"] == "motion" and r["room"] != "bathroom"]
        assert others == []
    detected = next(r for r in rows if r["resident_id"] == "r-000001")
    assert set(detected["also"]) == {"fall_detected", "safety_alarm"}
    kinds = {r["kind"] for t, r in events["r-000001"] if _epoch(str(detected["start"])) <= t}
    assert {"fall", "alarm_button"} <= kinds


def test_random_falls_hold_the_same_way() -> None:
    cohort = Cohort(120, 14, 4, START, episode_rate=1.0)
    rows = [r for r in cohort.truth() if r["episode"] == "bathroom_fall"]
    assert rows
    wanted = {str(r["resident_id"]) for r in rows}
    events: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for i, home in enumerate(cohort.homes):
        if home.resident_id in wanted:
            events[home.resident_id] = [(rec[0], orjson.loads(rec[5])) for rec in cohort.resident_records(i)]
    for row in rows:
        start = _epoch(str(row["start"]))
        mine = events[str(row["resident_id"])]
        assert any(t == start and r.get("room") == "bathroom" for t, r in mine)
        assert not any(
            start < t <= start + 45 * 60 and r["kind"] == "motion" and r["room"] != "bathroom" for t, r in mine
        )


def test_night_wandering_is_an_exit_without_return_for_over_15_minutes() -> None:
    k = EpisodeKind.NIGHT_WANDERING
    _, events, truth = _forced({0: [Episode(k, 3, 2 * HOUR, duration=35 * MINUTE)]}, {0: (Programme.DEMENTIA,)})
    (row,) = truth
    start, end = _epoch(str(row["start"])), _epoch(str(row["end"]))
    assert end - start > 15 * 60
    mine = events["r-000000"]
    assert any(t == start and r["kind"] == "door" and r["door"] == "exit" and r["state"] == "open" for t, r in mine)
    assert not any(start + 60 < t < end and r["kind"] in ("motion", "bed", "toilet") for t, r in mine)
    assert any(t == end and r["kind"] == "door" and r["state"] == "open" for t, r in mine)


def test_no_morning_activity_means_no_movement_until_getting_up() -> None:
    k = EpisodeKind.NO_MORNING_ACTIVITY
    for index in range(4):
        _, events, truth = _forced({index: [Episode(k, 4, 12 * HOUR)]})
        (row,) = truth
        start, end = _epoch(str(row["start"])), _epoch(str(row["end"]))
        assert end - start > 2 * HOUR
        rid = str(row["resident_id"])
        moves = [r for t, r in events[rid] if start - HOUR <= t < end and r["kind"] in ("motion", "door", "toilet", "bed")]
        assert moves == []
        assert any(t == end and r["kind"] == "bed" and r["state"] == "vacant" for t, r in events[rid])


def test_nocturia_adds_night_toilet_visits() -> None:
    k = EpisodeKind.NOCTURIA
    cohort, events, truth = _forced({0: [Episode(k, 7, days=5, magnitude=3)]}, {0: (Programme.FRAIL_ELDERLY,)}, 12)
    cal = cohort.calendar

    def night_toilets(day: int) -> int:
        # Toilet visits between midnight and the morning's first kitchen visit.
        m = cal.midnights[day]
        mine = [(t, r) for t, r in events["r-000000"] if m <= t < m + 12 * HOUR]
        breakfast = next(t for t, r in mine if r.get("room") == "kitchen" and t > m + 5 * HOUR)
        return sum(1 for t, r in mine if t < breakfast and r["kind"] == "toilet")

    before = sum(night_toilets(d) for d in range(2, 7))
    during = sum(night_toilets(d) for d in range(7, 12))
    assert during >= before + 12
    assert truth[0]["type"] == "nocturia_increase"


def test_heart_failure_and_copd_episodes_move_the_measurements() -> None:
    hf = Episode(EpisodeKind.HF_DECOMPENSATION, 6, days=3, magnitude=0.8)
    copd = Episode(EpisodeKind.COPD_EXACERBATION, 6, days=3, magnitude=6.0)
    cohort, events, truth = _forced(
        {0: [hf], 1: [copd]}, {0: (Programme.HEART_FAILURE,), 1: (Programme.COPD,)}
    )
    m6 = cohort.calendar.midnights[6]
    m9 = cohort.calendar.midnights[9]
    home = cohort.homes[0]
    factor = 1.0 if home.baseline.weight_unit == "kg" else 1 / 2.20462262
    weights = [(t, float(r["value"]) * factor) for t, r in events["r-000000"] if r.get("code") == "weight"]
    base = [w for t, w in weights if t < m6]
    peak = [w for t, w in weights if m6 <= t < m9]
    assert max(peak) - sum(base) / len(base) > 1.5
    spo2 = [(t, float(r["value"])) for t, r in events["r-000001"] if r.get("code") == "spo2"]
    base_s = [v for t, v in spo2 if t < m6]
    last = [v for t, v in spo2 if m6 <= t < m9][-1]
    assert sum(base_s) / len(base_s) - last >= 4
    cat = [r for t, r in events["r-000001"] if r["kind"] == "questionnaire" and m6 <= t < m9]
    assert cat, "an exacerbation brings a CAT response"
    assert {r["type"] for r in truth} == {"weight_gain", "copd_spo2"}


def test_dead_sensor_is_silent_in_its_interval() -> None:
    ep = Episode(EpisodeKind.DEAD_SENSOR, 3, 9 * HOUR, duration=2 * 86400, device="pir-kitchen")
    _, events, truth = _forced({0: [ep]})
    (row,) = truth
    start, end = _epoch(str(row["start"])), _epoch(str(row["end"]))
    device = "r-000000-pir-kitchen"
    mine = events["r-000000"]
    assert not any(start <= t < end and r["device_id"] == device for t, r in mine)
    assert any(t < start and r["device_id"] == device for t, r in mine)
    assert any(t >= end and r["device_id"] == device for t, r in mine)


def test_battery_death_reports_low_battery_before_going_silent() -> None:
    ep = Episode(EpisodeKind.BATTERY_DEATH, 7, 10 * HOUR, days=4, duration=86400, device="bed")
    _, events, truth = _forced({0: [ep]}, days=10)
    low, silent = sorted(truth, key=lambda r: str(r["start"]))
    assert (low["type"], silent["type"]) == ("low_battery", "device_silent")
    device = "r-000000-bed"
    levels = [float(r["battery_pct"]) for t, r in events["r-000000"]
              if r["device_id"] == device and "battery_pct" in r
              and _epoch(str(low["start"])) + HOUR <= t < _epoch(str(silent["start"]))]
    assert levels and max(levels) < 15


def test_missed_medication_episode_reports_a_missed_dose() -> None:
    cohort = Cohort(40, 2, 8, START, episode_rate=0.0)
    index = next(h.index for h in cohort.homes if h.dose_times)
    dose = cohort.homes[index].dose_times[0]
    cohort.force(index, [Episode(EpisodeKind.MISSED_MEDICATION, 1, dose)])
    rid = cohort.homes[index].resident_id
    missed = [orjson.loads(raw) for _, _, r, raw in cohort.events() if r == rid and b'"missed"' in raw]
    assert missed and missed[0]["kind"] == "medication"
    assert any(row["type"] == "missed_medication" and not row.get("incidental") for row in cohort.truth())


def test_demo_feed_is_ordered_and_its_episodes_start_soon_after_live_from() -> None:
    end = datetime(2024, 5, 2, 14, 37, tzinfo=UTC)
    feed = DemoFeed(residents=10, history_days=5, seed=7, end=end)
    assert feed.live_from == int(end.timestamp()) - 86400
    contexts = list(feed.care_contexts())
    assert len(contexts) == 10
    last = 0
    kinds_live: Counter[str] = Counter()
    for t, topic, _rid, raw in feed.events():
        assert t >= last
        last = t
        assert topic in (SENSOR_EVENTS, MEASUREMENTS)
        if feed.live_from <= t < feed.live_from + 3 * HOUR:
            kinds_live[orjson.loads(raw)["kind"]] += 1
    assert last < int(end.timestamp())
    assert kinds_live["alarm_button"] >= 1
    truth = {r["episode"]: r for r in feed.truth() if not r.get("incidental")}
    soon = feed.live_from + 3 * HOUR
    for name in ("bathroom_fall", "safety_alarm", "dead_sensor"):
        assert feed.live_from <= _epoch(truth[name]["start"]) < soon, name
    for name in ("hf_decompensation", "copd_exacerbation"):  # the end includes the days back to normal
        assert feed.live_from <= _epoch(truth[name]["start"]) < feed.live_from + 86400, name
    for name in ("night_wandering", "no_morning_activity"):
        assert feed.live_from <= _epoch(truth[name]["start"]) < feed.live_from + 86400, name


def test_write_produces_the_three_files(tmp_path: Path) -> None:
    out = tmp_path / "sim"
    counts = write(out, 3, 2, 1, START)
    lines = {name: (out / f"{name}.jsonl").read_bytes().count(b"\n") for name in ("events", "care-context", "truth")}
    assert lines == counts
    assert counts["care-context"] == 3 and counts["events"] > 1000


def test_simulator_makes_well_over_a_million_events_a_minute() -> None:
    cohort = Cohort(20, 3, 2, START + timedelta(days=30))
    began = time.perf_counter()
    n = sum(1 for _ in cohort.events())
    rate = n / (time.perf_counter() - began) * 60
    assert rate > 1_000_000, f"{rate:,.0f} events/min"


def test_truth_file_starts_with_the_cohort_line(tmp_path: Path) -> None:
    write(tmp_path, 2, 1, 1, START)
    first = orjson.loads((tmp_path / "truth.jsonl").read_bytes().splitlines()[0])
    assert first["cohort"]["residents"] == 2
    assert _epoch(first["cohort"]["end"]) - _epoch(first["cohort"]["start"]) == 86400


def test_simulate_command_writes_the_cohort(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from sim.simulate_cli import simulate

    result = CliRunner().invoke(simulate, ["--residents", "2", "--days", "1", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "events.jsonl").stat().st_size > 0


def test_clinical_episodes_move_their_measurements_and_leave_truth() -> None:
    k = EpisodeKind
    eps = {
        0: [Episode(k.HYPERTENSIVE_CRISIS, 5, days=2, magnitude=200.0)],
        1: [Episode(k.TACHYCARDIA, 5, days=1, magnitude=140.0)],
        2: [Episode(k.BRADYCARDIA, 5, days=1, magnitude=36.0)],
        3: [Episode(k.HYPOGLYCAEMIA, 5, days=1, magnitude=2.6)],
        4: [Episode(k.DEPRESSION, 4, days=6, magnitude=19.0, duration=2)],
    }
    progs = {
        0: (Programme.HYPERTENSION, Programme.HEART_FAILURE), 1: (Programme.HEART_FAILURE,),
        2: (Programme.HEART_FAILURE,), 3: (Programme.DIABETES,), 4: (Programme.MENTAL_HEALTH,),
    }
    cohort, events, truth = _forced(eps, progs)
    m5, m6 = cohort.calendar.midnights[5], cohort.calendar.midnights[6]

    def values(rid: str, key: str, code: str | None = None) -> list[float]:
        return [float(r[key]) for t, r in events[rid]
                if m5 <= t < m6 and (code is None or r.get("code") == code) and key in r]

    assert min(values("r-000000", "systolic")) >= 180
    assert min(values("r-000001", "value", "pulse")) >= 125
    assert max(values("r-000002", "value", "pulse")) <= 46
    glucose = values("r-000003", "value", "blood_glucose")
    assert glucose[0] < 3.9 and glucose[-1] >= 4.5  # treated and checked again
    phq = [r for t, r in events["r-000004"] if r["kind"] == "questionnaire" and t >= cohort.calendar.midnights[4]]
    assert phq and phq[0]["score"] >= 15 and phq[0]["items"][8] == 2 and sum(phq[0]["items"]) == phq[0]["score"]
    assert {r["type"] for r in truth} == {"blood_pressure", "pulse", "blood_glucose", "questionnaire_score",
                                         "self_harm_risk"}


def test_stable_patients_vary_as_real_ones_do() -> None:
    cohort = Cohort(80, 10, 5, START, episode_rate=0.0)
    events = _by_resident(_events(cohort))
    habits = {h.resident_id: h.habits for h in cohort.homes}
    repeats = lows = water = 0
    for rid, evs in events.items():
        bps = [t for t, r in evs if r["kind"] == "blood_pressure"]
        repeats += sum(1 for a, b in pairwise(bps) if b - a < 5 * MINUTE)
        temps = [float(r["value"]) for _, r in evs if r.get("code") == "temperature"]
        lows += sum(1 for x in temps if x <= 35.3) if habits[rid].low_thermometer else 0
        assert all(x > 35.3 for x in temps) or habits[rid].low_thermometer
        water += sum(1 for _, r in evs if r.get("code") == "body_water")
    assert repeats > 0 and lows > 0 and water > 0
    units = {r["unit"] for evs in events.values() for _, r in evs if r.get("code") == "pulse"}
    assert {"/min", "bpm", "beats/min"} <= units


def test_sim_routes_records_by_the_shells_topic_names_without_importing_the_shell() -> None:
    import pathlib

    import sim.records as rec
    from streams import topics

    assert (rec.SENSOR_EVENTS, rec.MEASUREMENTS) == (topics.SENSOR_EVENTS, topics.MEASUREMENTS)
    sim_dir = pathlib.Path(rec.__file__).parent
    offenders = [p.name for p in sim_dir.glob("*.py")
                 if "from streams" in p.read_text() or "import streams" in p.read_text()]
    assert offenders == [], f"sim imports the shell: {offenders}"
