"""The command line: errors as one line and an exit code, stdin for `produce`, replay's exit code."""

from __future__ import annotations

import asyncio
import subprocess  # nosec B404
import sys
from datetime import datetime
from pathlib import Path

import orjson
import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaConnectionError
from click.testing import CliRunner

from schemas.events import SENSOR_KINDS
from sim.simulate import Cohort
from streams.cli import main
from streams.clierrors import all_rejected, operator_message
from streams.topics import CARE_CONTEXT, SENSOR_EVENTS

ROOT = Path(__file__).resolve().parents[2]


def test_the_all_rejected_rule() -> None:
    assert all_rejected(3, 3)
    assert not all_rejected(3, 2)
    assert not all_rejected(0, 0), "no input is not a failure of the input"


def test_operator_messages_are_one_line() -> None:
    exc = KafkaConnectionError("Unable to bootstrap from [('127.0.0.1', 1, <AddressFamily.AF_INET: 2>)]")
    assert operator_message(exc) == (
        "KafkaConnectionError: Unable to bootstrap from [127.0.0.1:1] (is TILSYN_BROKER right and the broker up?)"
    )
    assert operator_message(FileNotFoundError(2, "No such file or directory", "/x.jsonl")) == (
        "No such file or directory: /x.jsonl"
    )
    assert operator_message(ValueError("a\n  b")) == "a b"


def _cohort(tmp_path: Path) -> tuple[Path, Path]:
    cohort = Cohort(2, 2, 5, datetime.fromisoformat("2025-01-06T00:00:00+00:00"))
    events = tmp_path / "events.jsonl"
    care = tmp_path / "care.jsonl"
    events.write_bytes(b"".join(raw + b"\n" for _, _, _, raw in cohort.events()))
    care.write_bytes(b"".join(raw + b"\n" for _, raw in cohort.care_contexts()))
    return events, care


def test_replay_exits_non_zero_when_every_record_is_rejected(tmp_path: Path) -> None:
    events, care = _cohort(tmp_path)
    runner = CliRunner()
    good = runner.invoke(main, ["replay", str(events), "--care-context", str(care), "--no-progress"])
    assert good.exit_code == 0, good.output
    wrong = tmp_path / "wrong.jsonl"  # a file of something else entirely
    wrong.write_text('{"patient": "x", "value": 1}\n' * 5)
    bad = runner.invoke(main, ["replay", str(wrong), "--no-progress"])
    assert bad.exit_code == 1
    assert "all 5 records were rejected" in bad.output
    assert bad.exception is None or isinstance(bad.exception, SystemExit), "no traceback"


def test_missing_file_is_a_usage_error_not_a_traceback() -> None:
    res = CliRunner().invoke(main, ["produce", "/nonexistent/events.jsonl"])
    assert res.exit_code == 2
    assert "does not exist" in res.output


def test_produce_unreachable_broker_is_one_error_line(tmp_path: Path) -> None:
    f = tmp_path / "one.jsonl"
    f.write_text('{"resident_id": "r-1"}\n')
    res = subprocess.run(  # nosec B603
        [sys.executable, "-m", "streams.cli", "produce", str(f)], capture_output=True, text=True, timeout=120,
        cwd=ROOT, check=False, env={"PATH": "/usr/bin:/bin", "TILSYN_BROKER": "kafka://127.0.0.1:1"},
    )
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    assert res.stderr.strip().splitlines()[-1].startswith("Error: KafkaConnectionError: Unable to bootstrap from [127.0.0.1:1]")


@pytest.mark.broker
def test_produce_dash_reads_standard_input(broker, prefix, tmp_path: Path) -> None:
    events, care = _cohort(tmp_path)
    care_line = care.read_bytes().splitlines()[0]
    event_lines = [ln for ln in events.read_bytes().splitlines() if orjson.loads(ln)["kind"] in SENSOR_KINDS][:3]
    assert len(event_lines) == 3
    stdin = b"\n".join([care_line, *event_lines]) + b"\n"
    res = subprocess.run(  # nosec B603
        [sys.executable, "-m", "streams.cli", "produce", "-"], input=stdin, capture_output=True, timeout=120,
        cwd=ROOT, check=False,
        env={"PATH": "/usr/bin:/bin", "TILSYN_BROKER": broker.url, "TILSYN_TOPIC_PREFIX": prefix,
             "TILSYN_PARTITIONS": "2"},
    )
    assert res.returncode == 0, res.stderr
    assert b"sent 4 records" in res.stderr

    async def read(topic: str, n: int) -> list[tuple[bytes | None, bytes | None]]:
        consumer = AIOKafkaConsumer(prefix + topic, bootstrap_servers=broker.bootstrap,
                                    auto_offset_reset="earliest", enable_auto_commit=False)
        await consumer.start()
        try:
            got: list[tuple[bytes | None, bytes | None]] = []
            while len(got) < n:
                batch = await asyncio.wait_for(consumer.getmany(timeout_ms=1000), 30)
                got += [(m.key, m.value) for msgs in batch.values() for m in msgs]
            return got
        finally:
            await consumer.stop()

    (care_rec,) = asyncio.run(read(CARE_CONTEXT, 1))
    resident = orjson.loads(care_line)["resident_id"]
    assert care_rec == (resident.encode(), care_line)
    sent = asyncio.run(read(SENSOR_EVENTS, 3))
    assert sorted(sent) == sorted((orjson.loads(v)["resident_id"].encode(), v) for v in event_lines)
