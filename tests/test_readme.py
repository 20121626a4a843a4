"""The README's topic table is the contract operators read; it must match streams/topics.py."""

from __future__ import annotations

import re
from pathlib import Path

from streams.topics import SPECS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def _topic_rows() -> dict[str, list[str]]:
    section = README.split("## Topics", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        m = re.match(r"\| `([^`]+)` \|(.*)\|$", line)
        if m:
            rows[m.group(1)] = [c.strip() for c in m.group(2).split("|")]
    return rows


def test_every_topic_is_documented_with_its_key_and_retention() -> None:
    rows = _topic_rows()
    for spec in SPECS:
        assert spec.name in rows, f"README topic table lacks {spec.name}"
        key, _partitions, retention = rows[spec.name][:3]
        assert key == spec.key
        expected = "compacted" if spec.compacted else f"{(spec.retention_ms or 0) // 86_400_000} days"
        assert retention == expected, f"{spec.name}: README says {retention}, code says {expected}"


def test_readme_documents_no_topic_the_code_does_not_have() -> None:
    known = {s.name for s in SPECS} | {"tilsyn-resident-state-changelog"}
    assert set(_topic_rows()) <= known


def test_every_alert_type_is_in_the_pattern_table() -> None:
    from schemas.alerts import AlertType

    section = README.split("## Patterns", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`([a-z0-9_]+)`", section))
    missing = sorted(t.value for t in AlertType if t.value not in documented)
    assert not missing, f"README pattern table lacks {missing}"


def test_every_default_named_in_the_pattern_table_exists() -> None:
    from agents.registry import all_parameters

    section = README.split("## Patterns", 1)[1].split("\n## ", 1)[0]
    from schemas.alerts import AlertType

    types = {t.value for t in AlertType}
    suffixes = ("_min", "_kg", "_score", "_days", "_nights", "_h")
    named = {n for n in re.findall(r"`([a-z0-9_]+)`", section) if n.endswith(suffixes) and n not in types}
    assert named <= set(all_parameters()), sorted(named - set(all_parameters()))


def test_every_quality_indicator_is_described() -> None:
    from agents.indicators.definitions import INDICATORS

    section = README.split("## Quality indicators per municipality", 1)[1].split("\n## ", 1)[0]
    for ind in INDICATORS:
        assert f"| `{ind.name}` | {ind.title_nb} | `{ind.formula}` |" in section, ind.name
