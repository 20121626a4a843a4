"""Detection quality: alerts scored against ground truth, with a Markdown report and plots.

An injected episode counts as *detected* when an initial alert of a compatible type
for the same resident falls inside the episode's detection window; an alert counts
as *true* when it detects some episode. Per pattern the report gives recall,
precision, detection delay (median, 90th percentile) and, across the cohort, the
alert burden: non-urgent alerts to care staff per resident-week on days without
any episode, the figure that decides whether staff keep the system switched on.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import orjson

from schemas.alerts import Alert, Category, RecipientKind, Severity

_NOT_CARE_STAFF = frozenset({RecipientKind.TECHNICAL, RecipientKind.NEXT_OF_KIN})
"""Recipients whose notices are not care-staff burden: device support and next of kin."""

DAY = 86400.0

# Which alert types detect an injected episode of a given type (besides the type itself).
# A fall in the bathroom is found by the fall detector, the alarm button or the long stay;
# an exacerbation by its own pattern or by NEWS2.
COMPATIBLE: dict[str, frozenset[str]] = {
    "long_bathroom_stay": frozenset({"long_bathroom_stay", "fall_detected", "safety_alarm"}),
    "fall_detected": frozenset({"fall_detected", "long_bathroom_stay", "safety_alarm"}),
    "no_morning_activity": frozenset({"no_morning_activity", "daytime_inactivity"}),
    "daytime_inactivity": frozenset({"daytime_inactivity", "no_morning_activity"}),
    "copd_spo2": frozenset({"copd_spo2", "copd_cat_rise", "news2"}),
    "copd_cat_rise": frozenset({"copd_cat_rise", "copd_spo2", "news2"}),
    "fever": frozenset({"fever", "news2"}),
    "news2": frozenset({"news2", "copd_spo2", "fever", "pulse"}),
    "weight_loss": frozenset({"weight_loss", "dehydration"}),
    "dehydration": frozenset({"dehydration", "weight_loss"}),
    "questionnaire_score": frozenset({"questionnaire_score", "self_harm_risk"}),
    "self_harm_risk": frozenset({"self_harm_risk"}),
    "missed_measurement": frozenset({"missed_measurement", "missed_questionnaire", "inactive_patient"}),
    "device_silent": frozenset({"device_silent", "low_battery"}),
}

# How long after an episode's start an alert still counts as detecting it. Acute patterns
# must be caught within hours; trends are defined over days by the detectors themselves.
HORIZON_S: dict[str, float] = {
    "activity_decline": 14 * DAY,
    "social_isolation": 28 * DAY,
    "nocturia_increase": 7 * DAY,
    "sleep_disturbance": 7 * DAY,
    "weight_gain": 7 * DAY,
    "copd_spo2": 4 * DAY,
    "copd_cat_rise": 10 * DAY,
    "inactive_patient": 7 * DAY,
    "weight_loss": 14 * DAY,
}

CLINICAL_NOTICES = frozenset({
    "news2", "weight_gain", "weight_loss", "copd_spo2", "copd_cat_rise", "blood_pressure", "fever",
    "low_temperature", "pulse", "blood_glucose", "dehydration", "questionnaire_score", "self_harm_risk",
})
"""Alert types that are clinical notices about a measured parameter (the burden that goal 13 bounds)."""
SUMMARIES = frozenset({"review_digest"})
"""Low-priority summary records: no ground truth of their own, counted apart from notices."""
DEFAULT_HORIZON_S = 1 * DAY
EARLY_S = 3600.0
"""An alert up to an hour before the recorded onset still counts (onsets are fuzzy)."""


@dataclass(frozen=True, slots=True)
class Episode:
    resident_id: str
    type: str
    start: float
    end: float
    also: frozenset[str] = frozenset()
    """Further alert types the ground truth says also detect this episode."""
    incidental: bool = False
    """An everyday lapse (a forgotten dose): scored, but its alerts are not a burden."""

    def window(self) -> tuple[float, float]:
        return self.start - EARLY_S, max(self.end, self.start + HORIZON_S.get(self.type, DEFAULT_HORIZON_S))

    def detected_by(self, alert: Alert) -> bool:
        if alert.resident_id != self.resident_id:
            return False
        ok = COMPATIBLE.get(self.type, frozenset({self.type})) | self.also
        if alert.type.value not in ok and not any(g.value in ok for g in alert.grouped):
            return False
        lo, hi = self.window()
        return lo <= alert.time.timestamp() <= hi


@dataclass(slots=True)
class PatternScore:
    pattern: str
    episodes: int = 0
    detected: int = 0
    own: int = 0
    """Episodes detected by an alert of the episode's own type (not a compatible one)."""
    alerts: int = 0
    true_alerts: int = 0
    delays_s: list[float] = field(default_factory=list)

    @property
    def recall(self) -> float | None:
        return self.detected / self.episodes if self.episodes else None

    @property
    def precision(self) -> float | None:
        return self.true_alerts / self.alerts if self.alerts else None

    def delay(self, q: float) -> float | None:
        if not self.delays_s:
            return None
        xs = sorted(self.delays_s)
        if q == 0.5:
            return statistics.median(xs)
        return xs[min(len(xs) - 1, math.ceil(q * len(xs)) - 1)]


@dataclass(slots=True)
class Evaluation:
    patterns: dict[str, PatternScore]
    residents: int
    days: float
    burden_alerts: int
    burden_resident_days: float
    clinical_notices: int = 0
    """Clinical notices (any severity) on episode-free resident-days."""
    summaries: int = 0
    """Weekly review digests over the whole run."""

    @property
    def burden_per_resident_week(self) -> float:
        return self.burden_alerts / (self.burden_resident_days / 7) if self.burden_resident_days else 0.0

    @property
    def clinical_per_resident_week(self) -> float:
        return self.clinical_notices / (self.burden_resident_days / 7) if self.burden_resident_days else 0.0

    @property
    def summaries_per_resident_week(self) -> float:
        weeks = self.residents * self.days / 7
        return self.summaries / weeks if weeks else 0.0


def _ts(value: str) -> float:
    return datetime.fromisoformat(value).timestamp()


def load_truth(path: Path) -> tuple[list[Episode], dict[str, object]]:
    """Episodes from a ground-truth file; a line with ``"cohort"`` carries residents/start/end."""
    episodes: list[Episode] = []
    meta: dict[str, object] = {}
    for line in path.read_bytes().splitlines():
        if not line.strip():
            continue
        row = orjson.loads(line)
        if "cohort" in row:
            meta = dict(row["cohort"])
            continue
        episodes.append(Episode(
            row["resident_id"], row["type"], _ts(row["start"]), _ts(row["end"]),
            frozenset(row.get("also") or ()), bool(row.get("incidental", False)),
        ))
    return episodes, meta


def load_alerts(path: Path) -> list[Alert]:
    return [Alert.model_validate_json(line) for line in path.read_bytes().splitlines() if line.strip()]


def evaluate(
    alerts: Iterable[Alert],
    episodes: Sequence[Episode],
    residents: int,
    start: float,
    end: float,
) -> Evaluation:
    """Score initial alerts against episodes of a cohort of ``residents`` observed from ``start`` to ``end``."""
    initial = [a for a in alerts if a.notification == "initial"]
    by_resident: dict[str, list[Episode]] = defaultdict(list)
    for ep in episodes:
        by_resident[ep.resident_id].append(ep)
    scores: dict[str, PatternScore] = {}

    def score(p: str) -> PatternScore:
        return scores.setdefault(p, PatternScore(p))

    # recall and delay per injected pattern
    alerts_of: dict[str, list[Alert]] = defaultdict(list)
    for a in initial:
        alerts_of[a.resident_id].append(a)
    for ep in episodes:
        s = score(ep.type)
        s.episodes += 1
        hits = [a for a in alerts_of.get(ep.resident_id, ()) if ep.detected_by(a)]
        if hits:
            s.detected += 1
            if any(a.type.value == ep.type or any(g.value == ep.type for g in a.grouped) for a in hits):
                s.own += 1
            s.delays_s.append(max(0.0, min(a.time.timestamp() for a in hits) - ep.start))
    # precision per alert type (summaries have no truth of their own)
    for a in initial:
        if a.type.value in SUMMARIES:
            continue
        s = score(a.type.value)
        s.alerts += 1
        if any(ep.detected_by(a) for ep in by_resident.get(a.resident_id, ())):
            s.true_alerts += 1
    # burden: non-urgent alerts to care staff on resident-days without any episode
    days = max(1.0, (end - start) / DAY)
    busy: set[tuple[str, int]] = set()
    for ep in episodes:
        lo, hi = ep.window()
        for d in range(int((lo - start) // DAY) - 1, int((hi - start) // DAY) + 2):
            busy.add((ep.resident_id, d))
    whole_days = math.ceil(days)
    free_days = residents * whole_days - sum(1 for _, d in busy if 0 <= d < whole_days)
    burden = sum(
        1 for a in initial
        if a.severity is not Severity.HIGH
        and a.category is not Category.TECHNICAL
        and a.recipient.kind not in _NOT_CARE_STAFF
        and (a.resident_id, int((a.time.timestamp() - start) // DAY)) not in busy
    )
    clinical = sum(
        1 for a in initial
        if a.type.value in CLINICAL_NOTICES
        and (a.resident_id, int((a.time.timestamp() - start) // DAY)) not in busy
    )
    summaries = sum(1 for a in initial if a.type.value in SUMMARIES)
    return Evaluation(scores, residents, days, burden, float(free_days), clinical, summaries)


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f} %"


def _dur(s: float | None) -> str:
    if s is None:
        return "–"
    if s < 3600:
        return f"{s / 60:.1f} min"
    if s < 2 * DAY:
        return f"{s / 3600:.1f} h"
    return f"{s / DAY:.1f} d"


def markdown(ev: Evaluation, title: str = "Detection quality") -> str:
    lines = [
        f"# {title}",
        "",
        f"Cohort: {ev.residents} residents over {ev.days:.0f} days. "
        f"Alert burden on episode-free days: **{ev.burden_per_resident_week:.2f} non-urgent alerts "
        f"per resident-week** ({ev.burden_alerts} alerts over {ev.burden_resident_days:.0f} resident-days).",
        f"Clinical notices on those days: **{ev.clinical_per_resident_week:.2f} per resident-week** "
        f"({ev.clinical_notices}); weekly review digests: {ev.summaries_per_resident_week:.2f} per resident-week "
        f"({ev.summaries}).",
        "",
        "| pattern | episodes | detected | recall | own type | alerts | true | precision | delay median | delay p90 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in sorted(ev.patterns):
        s = ev.patterns[p]
        lines.append(
            f"| {p} | {s.episodes} | {s.detected} | {_pct(s.recall)} | {s.own} | {s.alerts} | {s.true_alerts} | "
            f"{_pct(s.precision)} | {_dur(s.delay(0.5))} | {_dur(s.delay(0.9))} |"
        )
    lines += [
        "",
        "Recall counts injected episodes with a compatible alert in the detection window (\"own type\": found",
        "by an alert of the episode's own type); precision",
        "counts alerts that detect some injected episode (alerts on patterns without injected",
        "episodes, such as low battery, have no ground truth and show a precision of 0).",
    ]
    return "\n".join(lines) + "\n"


def plots(ev: Evaluation, out: Path) -> list[Path]:
    """Precision/recall bars and detection-delay distributions as PNG files."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written: list[Path] = []
    names = sorted(p for p, s in ev.patterns.items() if s.episodes or s.alerts)
    fig, ax = plt.subplots(figsize=(10, 4.5))
    x = range(len(names))
    ax.bar([i - 0.2 for i in x], [100 * (ev.patterns[n].recall or 0) for n in names], 0.4, label="recall")
    ax.bar([i + 0.2 for i in x], [100 * (ev.patterns[n].precision or 0) for n in names], 0.4, label="precision")
    ax.set_xticks(list(x), names, rotation=40, ha="right", fontsize=8)
    ax.set_ylabel("%")
    ax.set_ylim(0, 105)
    ax.axhline(95, ls=":", c="grey", lw=0.8)
    ax.axhline(90, ls=":", c="grey", lw=0.8)
    ax.legend()
    ax.set_title("Recall and precision per pattern")
    fig.tight_layout()
    written.append(out / "precision-recall.png")
    fig.savefig(written[-1], dpi=110)
    plt.close(fig)

    with_delay = [n for n in names if ev.patterns[n].delays_s]
    if with_delay:
        fig, ax = plt.subplots(figsize=(10, 4.5))
        ax.boxplot([[d / 60 for d in ev.patterns[n].delays_s] for n in with_delay], showfliers=True)
        ax.set_xticks(range(1, len(with_delay) + 1), with_delay, rotation=40, ha="right", fontsize=8)
        ax.set_yscale("log")
        ax.set_ylabel("minutes after onset (log)")
        ax.set_title("Detection delay per pattern")
        fig.tight_layout()
        written.append(out / "detection-delay.png")
        fig.savefig(written[-1], dpi=110)
        plt.close(fig)
    return written


def timeline(
    resident_id: str,
    events: Iterable[bytes],
    episodes: Sequence[Episode],
    alerts: Sequence[Alert],
    path: Path,
) -> Path:
    """One resident's hourly sensor activity, measurements, episodes and alerts on a shared time axis."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    activity: dict[float, int] = defaultdict(int)
    series: dict[str, list[tuple[float, float]]] = defaultdict(list)
    needle = f'"resident_id":"{resident_id}"'.encode()
    for raw in events:
        if needle not in raw:
            continue
        row = orjson.loads(raw)
        t = _ts(row["time"])
        value = row.get("value")
        if isinstance(value, int | float) and not isinstance(value, bool):
            series[str(row.get("kind"))].append((t, float(value)))
        elif row.get("kind") in ("motion", "door", "bed", "chair", "toilet", "appliance"):
            activity[t // 3600 * 3600] += 1
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(12, 6), sharex=True)
    if activity:
        hours = sorted(activity)
        ax1.bar([datetime.fromtimestamp(h, UTC) for h in hours], [activity[h] for h in hours], width=1 / 24)
    ax1.set_ylabel("sensor events / h")
    for kind, points in sorted(series.items()):
        ax2.plot([datetime.fromtimestamp(t, UTC) for t, _ in points], [v for _, v in points], ".-", label=kind, ms=3)
    if series:
        ax2.legend(fontsize=7, ncol=4)
    ax2.set_ylabel("measurements")
    for ep in episodes:
        if ep.resident_id == resident_id:
            for ax in (ax1, ax2):
                ax.axvspan(datetime.fromtimestamp(ep.start, UTC), datetime.fromtimestamp(max(ep.end, ep.start + 3600), UTC),
                           color="orange", alpha=0.25)
            ax1.annotate(ep.type, (datetime.fromtimestamp(ep.start, UTC), ax1.get_ylim()[1] * 0.9), fontsize=7)
    for a in alerts:
        if a.resident_id == resident_id and a.notification == "initial":
            colour = {"high": "red", "medium": "darkorange", "low": "gold"}[a.severity.value]
            for ax in (ax1, ax2):
                ax.axvline(a.time, color=colour, lw=1)
            ax2.annotate(a.type.value, (a.time, ax2.get_ylim()[0]), rotation=90, fontsize=6, va="bottom")
    ax1.set_title(f"Resident {resident_id}: activity, measurements, episodes (shaded) and alerts (lines)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def cohort_span(meta: Mapping[str, object], alerts: Sequence[Alert], episodes: Sequence[Episode]) -> tuple[int, float, float]:
    """Residents, start and end of the observed period, from the truth file's cohort line or the data."""
    if {"residents", "start", "end"} <= set(meta):
        return int(str(meta["residents"])), _ts(str(meta["start"])), _ts(str(meta["end"]))
    times = [a.time.timestamp() for a in alerts] + [e.start for e in episodes]
    residents = {a.resident_id for a in alerts} | {e.resident_id for e in episodes}
    if not times:
        return len(residents), 0.0, DAY
    return len(residents), min(times), max(times)
