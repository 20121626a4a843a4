"""Real-home regression: the development homes of ../shared/DATASETS.md, replayed offline.

For each home, with and without synthetic hourly heartbeats, the goals of issue 12 are asserted
where they are met, and otherwise the figure reached so far (a ratchet: it may only get better;
lower the number here when a change improves it). Injection recall runs on a limited number of
episodes here (``make eval-real`` runs the full set). Skipped where the datasets folder is absent.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import pytest

from sim import realhome
from sim.importers import HomeMap, Imported
from streams.replay_cli import run_replay

ROOT = Path(__file__).resolve().parents[2]
DATASETS = realhome.datasets_dir(ROOT)
pytestmark = pytest.mark.skipif(
    not DATASETS.is_dir(), reason=f"real-home datasets folder {DATASETS} is absent (set TILSYN_DATASETS)"
)
HOMES = {h.name: h for h in realhome.DEV_HOMES}

GOAL_HIGH_PER_MONTH = 1.0
GOAL_NON_URGENT_PER_WEEK = 0.5
GOAL_RECALL = 0.95

# Ratchet: (high alerts, non-urgent alerts) over the whole recording where the goal is not met yet.
# Measured with `make eval-real`; every high alert listed is explained in docs/EVALUATION.md.
RATCHET: dict[tuple[str, bool], tuple[int, int]] = {
    ("kasteren-b", True): (2, 4),   # night exits at 04:28 and 05:47 (a young man going out); lie-ins in warm-up
    ("kasteren-b", False): (2, 4),
    ("kasteren-c", True): (1, 0),   # left by the front door at 22:50 and stayed out
    ("kasteren-c", False): (1, 0),
    ("ordonez-a", True): (1, 0),    # bathroom motion 16:26 and then no sensor until 17:11
    ("ordonez-a", False): (1, 0),
    ("ordonez-b", True): (1, 0),    # left by the front door at 22:18 (annotated Leaving)
    ("ordonez-b", False): (1, 1),
}
INJECTED_PER_RUN = 2
"""Episodes per pattern and home in the suite with heartbeats (1 without; 2 cores, <= 60 s);
`make eval-real` injects all."""


@cache
def imported(name: str, beats: bool) -> tuple[HomeMap, Imported]:
    return realhome.load_home(DATASETS, HOMES[name], realhome.HEARTBEAT_MIN if beats else None)


@cache
def burden(name: str, beats: bool) -> realhome.HomeScore:
    m, imp = imported(name, beats)
    return realhome.score(m, imp, run_replay(imp.events, [imp.care_context], imp.end.timestamp()), beats)


@pytest.mark.parametrize("beats", [True, False], ids=["heartbeats", "no-heartbeats"])
@pytest.mark.parametrize("name", sorted(HOMES))
def test_alert_burden_on_normal_life(name: str, beats: bool) -> None:
    s = burden(name, beats)
    assert s.days > 5.0
    high_goal = math.floor(GOAL_HIGH_PER_MONTH * s.days / 30.0)
    low_goal = math.floor(GOAL_NON_URGENT_PER_WEEK * s.days / 7.0 * s.residents)
    high_max, low_max = RATCHET.get((name, beats), (high_goal, low_goal))
    table = realhome.explanation_table(s, imported(name, beats)[0].time_zone)
    assert len(s.high) <= max(high_goal, high_max), f"more high alerts than before on {name}:\n{table}"
    assert len(s.non_urgent) <= max(low_goal, low_max), f"more non-urgent alerts than before on {name}:\n{table}"
    if not beats:
        assert s.high_device == [], "a high-severity device alert without heartbeats"


def test_every_alert_is_explained_by_what_the_annotations_say() -> None:
    s = burden("ordonez-b", True)
    m, _ = imported("ordonez-b", True)
    assert s.explanations and all(note for _, note in s.explanations)
    assert "Leaving" in realhome.explanation_table(s, m.time_zone)  # the 22:18 exit is annotated as leaving


@pytest.mark.parametrize("beats", [True, False], ids=["heartbeats", "no-heartbeats"])
@pytest.mark.parametrize("pattern", realhome.PATTERNS)
def test_injected_episodes_are_found_within_the_limit(pattern: str, beats: bool) -> None:
    found = injected = 0
    for name in sorted(HOMES):
        m, imp = imported(name, beats)
        r = realhome.recall(imp, m, pattern, run_replay, seeds=[0], max_count=INJECTED_PER_RUN if beats else 1)
        found += r.found
        injected += len(r.episodes)
    assert injected >= (6 if beats else 3)
    assert found / injected >= GOAL_RECALL, f"{pattern}: {found}/{injected} found within the limit + 5 min"
