"""Read the PromQL expressions of ops/ (alert rules and Grafana dashboards) for the ops tests."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
OPS = ROOT / "ops"
PROMETHEUS_DIR = OPS / "prometheus"
RULES = PROMETHEUS_DIR / "rules.yml"
DASHBOARDS = sorted((OPS / "grafana" / "dashboards").glob("*.json"))

# What Grafana substitutes before a query reaches Prometheus (values fit a short test run).
GRAFANA_VARIABLES = {
    "$__rate_interval": "15s",
    "$__interval": "5s",
    "$__range": "5m",
    "$instance": ".*",
    "$municipality": ".*",
    "$window": "month",
    "$service": "ALL",
}


@dataclass(frozen=True, slots=True)
class Query:
    source: str  # "rules.yml: TilsynWorkerDown" or "overview.json: Events in by topic and kind"
    title: str
    expr: str  # as written (Grafana variables not substituted)

    @property
    def promql(self) -> str:
        out = self.expr
        for var, value in GRAFANA_VARIABLES.items():
            out = out.replace(var, value)
        return out


def rule_queries() -> list[Query]:
    doc = yaml.safe_load(RULES.read_text())
    return [
        Query(f"rules.yml: {rule.get('alert') or rule.get('record')}", rule.get("alert") or rule["record"], rule["expr"])
        for group in doc["groups"]
        for rule in group["rules"]
    ]


def _panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for panel in dashboard.get("panels", []):
        out.append(panel)
        out.extend(panel.get("panels", []))  # panels inside collapsed rows
    return out


def dashboard_queries(path: Path) -> list[Query]:
    dashboard = json.loads(path.read_text())
    return [
        Query(f"{path.name}: {panel['title']}", panel["title"], target["expr"])
        for panel in _panels(dashboard)
        for target in panel.get("targets", [])
        if target.get("expr")
    ]


def variable_queries(path: Path) -> list[str]:
    """The label_values(...) selectors of the dashboard's template variables."""
    dashboard = json.loads(path.read_text())
    out = []
    for var in dashboard.get("templating", {}).get("list", []):
        q = var.get("query")
        text = q.get("query") if isinstance(q, dict) else q
        m = re.fullmatch(r"label_values\((.+),\s*\w+\)", text or "")
        if m:
            out.append(m.group(1))
    return out


def all_queries() -> list[Query]:
    queries = rule_queries()
    for path in DASHBOARDS:
        queries += dashboard_queries(path)
        queries += [Query(f"{path.name}: variable", "variable", sel) for sel in variable_queries(path)]
    return queries


_KEYWORDS = {
    "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right",
    "offset", "bool", "inf", "nan",
    # aggregation operators may be followed by `by (...)` instead of their argument
    "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk",
    "quantile", "limitk", "limit_ratio",
}


def metric_names(expr: str) -> set[str]:
    """Metric names an expression selects: identifiers that are not functions, keywords or labels."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # string literals
    text = re.sub(r"\{[^}]*\}", "", text)  # label matchers
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", r"\1", text)
    text = re.sub(r"\[[^\]]*\]", "", text)  # ranges and subqueries
    names = set()
    for m in re.finditer(r"(?<![\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)\b(\s*\()?", text):
        name, call = m.group(1), m.group(2)
        if call or name.lower() in _KEYWORDS:
            continue
        names.add(name)
    return names
