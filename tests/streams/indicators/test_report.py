"""The monthly report: numbers, funnel flags, bokmål summary, CSV, and the page rendered in headless Chromium."""

from __future__ import annotations

import csv
import random
import shutil
import subprocess  # nosec B404
from pathlib import Path

import pytest
from click.testing import CliRunner

from agents.indicators.book import IndicatorBook
from agents.indicators.definitions import funnel, merge, values
from schemas.indicators import IndicatorWindow
from streams.cli import main
from streams.indicators.report import build
from tests.agents.indicators.streams import ack, alert, at, care

# municipality -> (residents, false-alarm share, minutes to acknowledge)
PROFILES = {"0301": (60, 0.05, 3), "4601": (25, 0.40, 12), "5001": (35, 0.08, 4), "1103": (15, 0.10, 5)}


def _records(seed: int = 1) -> list[IndicatorWindow]:
    rng = random.Random(seed)
    books = [IndicatorBook(s) for s in range(3)]
    events = []
    n = 0
    for muni, (size, fa, minutes) in PROFILES.items():
        for i in range(size):
            rid = f"r-{muni}-{i}"
            shard = n % 3
            books[shard].care(rid, care(rid, muni, when=at(days=-70)))
            for _ in range(8):
                n += 1
                h = rng.uniform(-60 * 24, 27 * 24)
                events.append((h, shard, alert(rid, n, at(hours=h), municipality=muni)))
                action = "false_alarm" if rng.random() < fa else "acknowledged"
                events.append((h + minutes / 60, shard, ack(rid, n, at(hours=h + minutes / 60), action=action)))
    for _, shard, msg in sorted(events, key=lambda e: e[0]):
        (books[shard].ack if msg.__class__.__name__ == "Acknowledgement" else books[shard].alert)(msg)
    for b in books:
        b.advance(at(days=40).timestamp())
    return [r for b in books for r in b.records()]


def test_report_numbers_flags_and_summary() -> None:
    records = _records()
    rep = build(records, "2026-11")
    totals = merge(records)
    for row in (r for r in rep.rows if r["service"] == "ALL"):
        t = totals[("month", "2026-11", row["municipality"], "ALL")]
        assert row["alerts"] == t.alerts and row["resident_days"] == t.resident_days
        assert row["false_alarm_share"] == pytest.approx(values(t)["false_alarm_share"], abs=1e-4)
    f = funnel("false_alarm_share", [totals[("month", "2026-11", m, "ALL")] for m in PROFILES])
    assert f is not None
    flagged = {p.municipality for p in f.points if p.outside998}
    assert flagged == {"4601"}  # 40 % false alarms against about 10 %
    assert any("4601" in s and "99,8 %" in s and "over snittet" in s for s in rep.summary)
    assert not any("0301" in s and "falske" in s and "99,8 %-grensen." in s for s in rep.summary)
    assert any("4601" in s and "kvittering" in s and "over snittet" in s for s in rep.summary)
    oslo = next(r for r in rep.rows if r["municipality"] == "0301" and r["service"] == "ALL")
    assert oslo["residents"] == 60 and oslo["resident_days"] == 60 * 30  # November has 30 days


def test_report_command_from_file_and_headless_chromium(tmp_path: Path) -> None:
    src = tmp_path / "indicators.jsonl"
    src.write_text("".join(r.model_dump_json() + "\n" for r in _records()), encoding="utf-8")
    out = tmp_path / "report"
    res = CliRunner().invoke(main, ["indicators", "report", "--month", "2026-11", "--from", str(src), "--out", str(out)])
    assert res.exit_code == 0, res.output
    page = out / "indikatorer-2026-11.html"
    rows = list(csv.DictReader((out / "indikatorer-2026-11.csv").open(encoding="utf-8")))
    assert {r["municipality"] for r in rows} == set(PROFILES)
    text = page.read_text(encoding="utf-8")
    images = text.count("<img ")
    assert images == 6 and "src='http" not in text and "<link" not in text  # no CDN: it opens offline

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("chromium is not installed: run `sh ops/install-tools.sh` (as root, Debian package chromium)")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1200,2400",
             "--user-data-dir=" + str(tmp_path / "chromium-profile")]
    dom = subprocess.run([chromium, *flags, "--virtual-time-budget=5000", "--dump-dom", page.as_uri()],  # nosec B603
                         capture_output=True, timeout=60, check=True).stdout.decode()
    assert f'data-images-rendered="{images}"' in dom  # every embedded plot decoded and laid out
    assert "Traktplott" in dom and "4601" in dom
    shot = tmp_path / "report.png"  # the screenshot stays in tmp, never in the repository
    subprocess.run([chromium, *flags, f"--screenshot={shot}", page.as_uri()],  # nosec B603
                   capture_output=True, timeout=60, check=True)
    import matplotlib.image as mpimg

    pixels = mpimg.imread(shot)
    assert pixels.shape[0] >= 2000 and pixels.std() > 0.05  # not a blank page


def test_report_rejects_a_bad_month_and_a_bad_file(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["indicators", "report", "--month", "2026-13", "--from", str(tmp_path)])
    assert res.exit_code != 0 and "YYYY-MM" in res.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"window": "day"}\n', encoding="utf-8")
    res = CliRunner().invoke(main, ["indicators", "report", "--month", "2026-11", "--from", str(bad)])
    assert res.exit_code == 1 and "bad.jsonl:1: not an indicator record" in res.output
