"""A broker that comes back without its topics makes the worker unhealthy, loudly (issue: safety
invariants, finding 5). The embedded broker keeps topics in memory, so restarting it is exactly
"the broker lost every topic". Before, the worker stayed healthy and counted alerts as published
into topics nobody reads (auto-created by the first producer, with the wrong partition count)."""

from __future__ import annotations

import asyncio
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from streams.broker import EmbeddedBroker, free_port
from streams.metrics import metric_sum, scrape
from tests.kafkaio import produce, read_all

pytestmark = pytest.mark.broker

RID = "r-077001"


def _care() -> bytes:
    return orjson.dumps({"resident_id": RID, "municipality": "3301", "home_care_team": "hjt-3301-2",
                         "response_centre": "rsp-buskerud", "updated_at": "2026-01-01T00:00:00+00:00"})


def _press(n: int, t: datetime) -> bytes:
    return orjson.dumps({"kind": "alarm_button", "event_id": f"press-{n}", "resident_id": RID,
                         "time": t.isoformat(), "device_id": "pendant-1"})


def _health(worker) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(worker.url("/healthz"), timeout=2) as resp:  # nosec B310
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    except OSError:
        return 0, ""


def test_a_broker_that_lost_its_topics_makes_the_worker_unhealthy(tmp_path, prefix, worker_factory) -> None:
    own = EmbeddedBroker(port=free_port(), log_path=tmp_path / "own-broker.log")
    own.start()
    try:
        worker = worker_factory(broker=own.url, clock="event", topic_check_s="1")
        worker.wait_ready()
        t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
        asyncio.run(produce(own.bootstrap, [(f"{prefix}care-context", RID.encode(), _care())]))
        time.sleep(2)
        asyncio.run(produce(own.bootstrap, [(f"{prefix}safety-events", RID.encode(), _press(1, t0))]))
        first = asyncio.run(read_all(own.bootstrap, f"{prefix}alerts.response-centre", expect=1, timeout=60))
        assert len(first) == 1
        assert _health(worker)[0] == 200
        published = metric_sum(scrape(worker.http_port), "tilsyn_alerts_total")

        own.stop()
        own.start()  # same port, nothing in it: every topic and the changelog are gone
        # a producer of the site auto-creates the input topic (with the broker's default partition count)
        asyncio.run(produce(own.bootstrap, [(f"{prefix}safety-events", RID.encode(), _press(2, t0 + timedelta(minutes=5)))]))

        deadline = time.monotonic() + 60
        status, body = _health(worker)
        while time.monotonic() < deadline and status != 503 and worker.process.poll() is None:
            time.sleep(0.5)
            status, body = _health(worker)
        log = worker.log_path.read_text(errors="replace")
        assert "topic fault" in log and "[ERROR]" in log, worker.log_tail()
        assert status == 503 and "topic fault" in body, (status, body, worker.log_tail())
        samples = scrape(worker.http_port)
        assert metric_sum(samples, "tilsyn_topic_fault") == 1
        time.sleep(3)
        # nothing was published into the void after the loss
        assert metric_sum(scrape(worker.http_port), "tilsyn_alerts_total") == published
        worker.kill()  # an orderly stop would wait for a broker that no longer knows the group
    finally:
        own.stop()
