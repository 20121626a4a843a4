"""Offline replay: the worker's processing over a file, deterministic, with CSV mapping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
from click.testing import CliRunner

from agents.statecodec import Stored
from schemas.alerts import AlertType, RecipientKind
from streams.cli import main
from streams.replay import Replay, in_time_order, read_csv

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def care(rid: str) -> bytes:
    return orjson.dumps({
        "resident_id": rid, "municipality": "4601", "home_care_team": "hc-bergenhus",
        "response_centre": "rs-bergen", "updated_at": T0.isoformat(),
    })


def press(i: int, rid: str, t: datetime) -> bytes:
    return orjson.dumps({
        "kind": "alarm_button", "event_id": f"press-{i}", "resident_id": rid,
        "time": t.isoformat(), "device_id": "pendant-1",
    })


def motion(i: int, rid: str, t: datetime) -> bytes:
    return orjson.dumps({
        "kind": "motion", "event_id": f"mo-{i}", "resident_id": rid, "time": t.isoformat(),
        "device_id": "pir-hall", "room": "hallway",
    })


def _lines() -> list[bytes]:
    lines = [motion(i, "r-000001", T0 + timedelta(minutes=i)) for i in range(30)]
    lines.append(press(1, "r-000001", T0 + timedelta(minutes=31)))
    lines.append(press(2, "r-000002", T0 + timedelta(minutes=5)))  # no care context: the fallback intake
    lines.append(b"{broken")
    lines.append(motion(99, "12345678901", T0))  # national-id-like resident id
    lines.append(motion(3, "r-000001", T0 + timedelta(minutes=3)))  # duplicate event id
    return lines


def test_replay_routes_safety_alarms_and_rejects_bad_records() -> None:
    result = Replay().run(in_time_order(_lines()), [care("r-000001")])
    initial = [a for a in result.alerts if a.notification == "initial"]
    presses = sorted((a.resident_id, a.recipient.team_id) for a in initial if a.type is AlertType.SAFETY_ALARM)
    assert presses == [("r-000001", "rs-bergen"), ("r-000002", "rsp-region-mottak")]
    assert all(a.recipient.kind is RecipientKind.RESPONSE_CENTRE for a in initial if a.type is AlertType.SAFETY_ALARM)
    assert result.records == 35
    assert result.invalid == {"bad_json": 1, "national_id": 1, "duplicate": 1}
    assert len(result.dead_letters) == 3


def test_unacknowledged_press_escalates_in_event_time() -> None:
    lines = [press(1, "r-000001", T0)] + [motion(i, "r-000001", T0 + timedelta(minutes=i)) for i in range(1, 9)]
    result = Replay().run(lines, [care("r-000001")])
    esc = [a for a in result.alerts if a.notification == "escalation"]
    assert len(esc) == 1
    assert esc[0].time - T0 >= timedelta(minutes=5)


def test_same_input_gives_byte_identical_alerts(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    events.write_bytes(b"\n".join(reversed(_lines())) + b"\n")  # out of order on purpose
    ctx = tmp_path / "care.jsonl"
    ctx.write_bytes(care("r-000001") + b"\n")
    outs = []
    for n in range(2):
        out = tmp_path / f"alerts-{n}.jsonl"
        res = CliRunner().invoke(
            main, ["replay", str(events), "--care-context", str(ctx), "--out", str(out), "--no-progress"]
        )
        assert res.exit_code == 0, res.output
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    assert outs[0].count(b'"notification":"initial"') >= 2


def test_csv_export_is_mapped_onto_the_schema(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "Beboer,Tidspunkt,Id,Sensor,Rom\n"
        f"r-000001,{T0.isoformat()},e-1,pir-1,kitchen\n"
        f"r-000001,{(T0 + timedelta(minutes=1)).isoformat()},e-2,pir-1,bathroom\n",
        encoding="utf-8",
    )
    rows = list(read_csv(
        path, {"resident_id": "Beboer", "time": "Tidspunkt", "event_id": "Id", "device_id": "Sensor", "room": "Rom"},
        {"kind": "motion"},
    ))
    assert orjson.loads(rows[1]) == {
        "resident_id": "r-000001", "time": (T0 + timedelta(minutes=1)).isoformat(), "event_id": "e-2",
        "device_id": "pir-1", "room": "bathroom", "kind": "motion",
    }
    result = Replay().run(rows)
    assert result.invalid == {}
    assert result.records == 2


def test_csv_with_a_missing_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["replay", str(path), "--map", "resident_id=Beboer", "--no-progress"])
    assert res.exit_code != 0
    assert "no column(s) Beboer" in res.output


class _EstimatingState(Stored):
    last: float = -1.0
    done: float = -1.0


class _Estimating:
    """A detector that can only estimate its deadline: it asks to be looked at 10 min after the last
    motion ("maybe by then") and fires once 30 min have passed."""

    name = "estimating"
    kinds = frozenset({"motion"})
    ticks = True
    state_type = _EstimatingState

    def initial(self) -> _EstimatingState:
        return _EstimatingState()

    def dump(self, state: _EstimatingState) -> _EstimatingState:
        return state

    def step(self, state, event, t, view):  # type: ignore[no-untyped-def]
        state.last = t
        return state, []

    def due(self, state, view):  # type: ignore[no-untyped-def]
        return state.last + 600.0 if state.last > state.done else float("inf")

    def tick(self, state, now, view):  # type: ignore[no-untyped-def]
        from agents.types import AlertCandidate
        from schemas.alerts import Severity

        if state.last <= state.done or now < state.last + 1800.0:
            return state, []
        state.done = state.last
        return state, [AlertCandidate(AlertType.DAYTIME_INACTIVITY, Severity.MEDIUM, now, state.last, "stille", "quiet")]


def test_replay_steps_through_quiet_time_like_the_live_tick() -> None:
    """Between two records hours apart, an estimated deadline is looked at again every tick, as the
    live worker does every second: the alert comes 30 min after the motion, not at the next record."""
    from agents.engine import Engine

    lines = [motion(1, "r-000001", T0), motion(2, "r-000001", T0 + timedelta(hours=3))]
    result = Replay(Engine(detectors=[_Estimating()]), tick_s=60.0).run(lines, [care("r-000001")])
    first = [a for a in result.alerts if a.notification == "initial"]
    assert len(first) == 1
    assert T0 + timedelta(minutes=30) <= first[0].time <= T0 + timedelta(minutes=31)
