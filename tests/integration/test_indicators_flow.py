"""Alerts and acknowledgements through the real broker -> indicators worker -> indicators topic -> report file."""

from __future__ import annotations

import asyncio
import csv
import time
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from agents.indicators.definitions import merge, values
from schemas.alerts import AlertType, RecipientKind, Severity
from schemas.indicators import IndicatorWindow
from streams.cli import main
from streams.topics import ALERT_ACKS, CARE_CONTEXT, INDICATORS, alert_topic
from tests.agents.indicators.streams import ack, alert, care
from tests.kafkaio import metric_sum, produce, read_all, scrape

pytestmark = pytest.mark.broker

OCT = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)


def test_alerts_and_acks_become_indicator_windows_and_a_report(broker, worker_factory, prefix, tmp_path) -> None:
    started = time.monotonic()
    worker = worker_factory("indicators", "worker")
    munis = {f"r-{i:03d}": ("0301" if i < 6 else "4601") for i in range(10)}
    records: list[tuple[str, bytes | None, bytes | None]] = []
    for rid, muni in munis.items():
        records.append((prefix + CARE_CONTEXT, rid.encode(), care(rid, muni, when=OCT - timedelta(days=10))
                        .model_dump_json().encode()))
    n = 0
    expected = {"0301": 0, "4601": 0}
    false_alarms = {"0301": 0, "4601": 0}
    for day in range(20):
        for rid, muni in munis.items():
            if (day + int(rid[2:])) % 3:
                continue
            n += 1
            t = OCT + timedelta(days=day, hours=int(rid[2:]))
            a = alert(rid, n, t, municipality=muni)
            records.append((prefix + alert_topic("response-centre"), rid.encode(), a.model_dump_json().encode()))
            expected[muni] += 1
            if n % 4 == 0:  # Bergen's centre answers slower and calls more false alarms
                continue
            slow = 20 if muni == "4601" else 3
            fa = muni == "4601" and n % 2 == 0
            false_alarms[muni] += fa
            records.append((prefix + ALERT_ACKS, rid.encode(), ack(rid, n, t + timedelta(minutes=slow),
                            action="false_alarm" if fa else "acknowledged").model_dump_json().encode()))
    # a device fault to the technical desk and a notice to next of kin
    n += 1
    records.append((prefix + alert_topic("technical"), b"r-001", alert(
        "r-001", n, OCT + timedelta(days=3), AlertType.DEVICE_SILENT, Severity.LOW, RecipientKind.TECHNICAL, "tek-1",
    ).model_dump_json().encode()))
    records.append((prefix + alert_topic("next-of-kin"), b"r-001", alert(
        "r-001", 1, OCT + timedelta(hours=1), kind=RecipientKind.NEXT_OF_KIN, team="nok-1",
    ).model_dump_json().encode()))
    expected["0301"] += 2  # both are alerts of their own
    # every resident's partition moves past the month's end: an acknowledgement of nothing in November
    for rid in munis:
        records.append((prefix + ALERT_ACKS, rid.encode(), ack(rid, 9999, datetime(2026, 11, 2, 12, tzinfo=UTC))
                        .model_dump_json().encode()))
    worker.wait_ready(30)
    asyncio.run(produce(broker.bootstrap, records))

    deadline = time.monotonic() + 15
    month: dict = {}
    while time.monotonic() < deadline:
        got = asyncio.run(read_all(broker.bootstrap, prefix + INDICATORS, settle=0.5, timeout=5))
        recs = [IndicatorWindow.model_validate_json(c.value) for c in got if c.value]
        month = {k: t for k, t in merge(recs).items() if k[0] == "month" and k[1] == "2026-10" and k[3] == "ALL"}
        if len(month) == 2 and all(t.closed for t in month.values()) and \
                sum(t.alerts for t in month.values()) == sum(expected.values()):
            break
        time.sleep(0.5)
    assert {k[2]: t.alerts for k, t in month.items()} == expected, worker.log_tail()
    oslo, bergen = month[("month", "2026-10", "0301", "ALL")], month[("month", "2026-10", "4601", "ALL")]
    assert (oslo.false_alarms, bergen.false_alarms) == (false_alarms["0301"], false_alarms["4601"])
    assert oslo.resident_days == 6 * 31 and bergen.resident_days == 4 * 31
    assert oslo.next_of_kin_notices == 1 and oslo.device_silent == 1
    assert values(bergen)["ack_p50_min"] > values(oslo)["ack_p50_min"]
    samples = scrape(worker.http_port)
    while not any(k.startswith("tilsyn_indicator_count") for k in samples) and time.monotonic() < deadline + 3:
        time.sleep(0.3)  # the gauges are refreshed every 2 s
        samples = scrape(worker.http_port)
    assert metric_sum(samples, "tilsyn_indicator_records_total", status="closed") > 0
    # the gauges carry only municipality numbers from the care contexts, never a resident id
    gauge_keys = [k for k in samples if k.startswith("tilsyn_indicator_count")]
    assert gauge_keys and not any("r-0" in k for k in samples)
    assert {k.split('municipality="')[1][:4] for k in gauge_keys} <= {"0301", "4601", "unkn"}

    # the monthly report from the topic: its numbers are the topic's
    env = {"TILSYN_BROKER": broker.url, "TILSYN_TOPIC_PREFIX": prefix}
    res = CliRunner().invoke(main, ["indicators", "report", "--month", "2026-10", "--out", str(tmp_path)], env=env)
    assert res.exit_code == 0, res.output
    rows = {(r["municipality"], r["service"]): r for r in
            csv.DictReader((tmp_path / "indikatorer-2026-10.csv").open(encoding="utf-8"))}
    for muni, t in (("0301", oslo), ("4601", bergen)):
        row = rows[(muni, "ALL")]
        assert int(row["alerts"]) == t.alerts and int(row["resident_days"]) == t.resident_days
        assert float(row["false_alarm_share"]) == pytest.approx(values(t)["false_alarm_share"], abs=1e-4)
        assert float(row["ack_p50_min"]) == pytest.approx(values(t)["ack_p50_min"], abs=1e-4)
    html = (tmp_path / "indikatorer-2026-10.html").read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") >= 3 and "http://" not in html and "https://" not in html
    assert time.monotonic() - started < 20

