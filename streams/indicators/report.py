"""The monthly indicator report for a municipality's leaders: one self-contained HTML file and a CSV.

``tilsyn indicators report --month 2026-11 --from indicators|FILE`` reads the indicator
records (the compacted topic, or a JSON Lines file of :class:`IndicatorWindow`), sums them
per municipality (:func:`agents.indicators.definitions.merge`) and writes:

- the month's indicators against the previous months (small multiples, one panel per municipality);
- a funnel plot per key indicator: each municipality against the group mean with 95 % and
  99.8 % control limits, the usual way to show unwanted variation without a league table
  (Spiegelhalter, Statistics in Medicine 2005);
- a plain-language summary in bokmål of what stands out;
- a CSV of the month's table.

Plots are drawn with matplotlib (extra ``sim``) and embedded as base64 PNG: the page opens offline,
no script or style comes from elsewhere.
"""

from __future__ import annotations

import base64
import csv
import html
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agents.indicators.definitions import (
    BY_NAME,
    INDICATORS,
    KEY_INDICATORS,
    Z95,
    Z998,
    Totals,
    funnel,
    merge,
    values,
)
from schemas.indicators import IndicatorWindow

HISTORY_MONTHS = 6
"""Months shown in the small multiples: the report month and up to five before it."""

FUNNEL_X_NB = {"rate": "mottakerdøgn i måneden", "proportion": "kvitterte varsler", "duration": "kvitterte varsler"}
"""Axis label of the funnel plot's precision (its denominator), per indicator kind."""

CSV_COLUMNS = ("month", "municipality", "service", "status", *(i.name for i in INDICATORS), "alerts",
               "acknowledged", "false_alarms", "escalated", "inactive_residents", "device_days", "device_silent")


@dataclass(frozen=True, slots=True)
class Report:
    """What a report contains, for the files and for the tests."""

    month: str
    rows: list[dict[str, Any]]
    """CSV rows: one per municipality and service of the month."""
    summary: list[str]
    """Bokmål sentences of what stands out."""
    html: str


def read_file(path: Path) -> list[IndicatorWindow]:
    """Indicator records from a JSON Lines file (blank lines skipped)."""
    out = []
    with path.open("rb") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    out.append(IndicatorWindow.model_validate_json(line))
                except ValueError as exc:
                    raise ValueError(f"{path}:{n}: not an indicator record ({exc.__class__.__name__})") from None
    return out


def _previous(month: str, n: int) -> list[str]:
    y, m = (int(x) for x in month.split("-"))
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out[::-1]


def _fmt(name: str, v: float | None) -> str:
    if v is None:
        return "–"
    unit = BY_NAME[name].unit
    if unit == "share":
        return f"{100 * v:.1f} %".replace(".", ",")
    if unit in ("residents", "days", "notices"):
        return f"{v:,.0f}".replace(",", " ")
    return f"{v:.1f}".replace(".", ",")


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _small_multiples(name: str, months: list[str], by_muni: dict[str, dict[str, Totals]]) -> str:
    import matplotlib.pyplot as plt

    munis = sorted(by_muni)
    cols = min(4, len(munis))
    rows = (len(munis) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(2.6 * cols, 1.9 * rows), sharey=True, squeeze=False)
    ind = BY_NAME[name]
    for ax, muni in zip(axes.flat, munis, strict=False):
        vals = [ind.value(by_muni[muni][m]) if m in by_muni[muni] else None for m in months]
        xs = range(len(months))
        ax.bar(list(xs), [v if v is not None else 0 for v in vals],
               color=["#1f5f8b" if i == len(months) - 1 else "#9bb7cc" for i in xs])
        ax.set_title(muni, fontsize=9)
        ax.set_xticks(list(xs), [m[2:] for m in months], fontsize=6, rotation=45)
        ax.tick_params(axis="y", labelsize=7)
    for ax in list(axes.flat)[len(munis):]:
        ax.set_visible(False)
    fig.suptitle(f"{ind.title_nb}: denne måneden (mørk) mot månedene før", fontsize=10, y=1.0)
    fig.tight_layout()
    return _png(fig)


def _funnel_plot(name: str, totals: list[Totals]) -> tuple[str | None, Any]:
    import matplotlib.pyplot as plt
    import numpy as np

    f = funnel(name, totals)
    if f is None or not f.points:
        return None, f
    ind = BY_NAME[name]
    scale = 100.0 if ind.unit == "share" else 1.0
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    top = max(p.size for p in f.points) * 1.15
    xs = np.linspace(max(0.5, min(p.size for p in f.points) * 0.5), top, 200)
    for z, style, label in ((Z95, "--", "95 %"), (Z998, ":", "99,8 %")):
        lim = [f.limits(x, z) for x in xs]
        ax.plot(xs, [lo * scale for lo, _ in lim], "k" + style, lw=0.8, label=f"kontrollgrense {label}")
        ax.plot(xs, [hi * scale for _, hi in lim], "k" + style, lw=0.8)
    ax.axhline(f.mean * scale, color="#1f5f8b", lw=1, label="snitt i gruppen")
    for p in f.points:
        colour = "#b22222" if p.outside998 else ("#e08a00" if p.outside95 else "#1f5f8b" if p.judged else "#aaaaaa")
        ax.plot(p.size, p.value * scale, "o", color=colour)
        ax.annotate(p.municipality, (p.size, p.value * scale), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.set_xlabel(FUNNEL_X_NB.get(ind.kind, ""), fontsize=8)
    ax.set_ylabel(ind.title_nb + (" (%)" if scale == 100 else ""), fontsize=8)
    ax.legend(fontsize=7, loc="best")
    ax.set_title(f"Traktplott: {ind.title_nb}", fontsize=10)
    return _png(fig), f


def _summary(month: str, current: dict[str, Totals], before: dict[str, Totals], funnels: dict[str, Any]) -> list[str]:
    out = []
    if not current:
        return [f"Ingen indikatorer for {month} ennå."]
    days = sum(t.resident_days for t in current.values())
    out.append(f"I {month} ble {sum(t.residents for t in current.values())} mottakere fulgt i "
               f"{len(current)} kommuner ({days} mottakerdøgn) og det kom "
               f"{sum(t.alerts for t in current.values())} varsler.")
    if not all(t.closed for t in current.values()):
        out.append("Måneden er ikke avsluttet: tallene er foreløpige.")
    for name, f in funnels.items():
        if f is None:
            continue
        title = BY_NAME[name].title_nb.lower()
        for p in f.points:
            side = "over" if p.value > f.mean else "under"
            if p.outside998:
                out.append(f"Kommune {p.municipality}: {title} {_fmt(name, p.value)} ligger klart {side} snittet "
                           f"({_fmt(name, f.mean)}), utenfor 99,8 %-grensen. Dette er neppe tilfeldig og bør "
                           f"undersøkes.")
            elif p.outside95:
                out.append(f"Kommune {p.municipality}: {title} {_fmt(name, p.value)} ligger {side} snittet "
                           f"({_fmt(name, f.mean)}), utenfor 95 %-grensen, men innenfor 99,8 %. Følg med neste måned.")
    if len(out) == (2 if not all(t.closed for t in current.values()) else 1):
        out.append("Ingen kommune skiller seg ut utover det tilfeldig variasjon kan forklare.")
    small = sorted({p.municipality for f in funnels.values() if f is not None for p in f.points if not p.judged})
    if small:
        out.append(f"For små tall til å vurdere mot snittet for minst én indikator: kommune {', '.join(small)}.")
    for muni, t in sorted(current.items()):
        prev = before.get(muni)
        if prev is None:
            continue
        a, b = values(t)["alerts_per_1000_days"], values(prev)["alerts_per_1000_days"]
        if a is not None and b and abs(a - b) / b >= 0.5 and t.alerts + prev.alerts >= 10:
            out.append(f"Kommune {muni}: varsler per 1000 mottakerdøgn {'økte' if a > b else 'falt'} fra "
                       f"{_fmt('alerts_per_1000_days', b)} til {_fmt('alerts_per_1000_days', a)} fra måneden før.")
    return out


def build(records: Iterable[IndicatorWindow], month: str) -> Report:
    """Compute the report of ``month`` (``YYYY-MM``) from indicator records."""
    totals = merge(r for r in records if r.window == "month")
    months = _previous(month, HISTORY_MONTHS)
    by_muni: dict[str, dict[str, Totals]] = {}
    for (_, label, muni, service), t in totals.items():
        if service == "ALL" and label in months:
            by_muni.setdefault(muni, {})[label] = t
    current = {m: ts[month] for m, ts in by_muni.items() if month in ts}
    before = {m: ts[months[-2]] for m, ts in by_muni.items() if len(months) > 1 and months[-2] in ts}
    rows = []
    for (_, label, muni, service), t in sorted(totals.items()):
        if label != month:
            continue
        v = values(t)
        rows.append({"month": month, "municipality": muni, "service": service,
                     "status": "closed" if t.closed else "open",
                     **{k: (None if x is None else int(x) if BY_NAME[k].kind == "count" else round(x, 4))
                        for k, x in v.items()},
                     "alerts": t.alerts, "acknowledged": t.acknowledged, "false_alarms": t.false_alarms,
                     "escalated": t.escalated, "inactive_residents": t.inactive_residents,
                     "device_days": t.device_days, "device_silent": t.device_silent})
    funnel_imgs, funnels = {}, {}
    for name in KEY_INDICATORS:
        funnel_imgs[name], funnels[name] = _funnel_plot(name, list(current.values()))
    multiples = {name: _small_multiples(name, months, by_muni) for name in KEY_INDICATORS} if by_muni else {}
    summary = _summary(month, current, before, funnels)
    return Report(month, rows, summary, _html(month, rows, summary, funnel_imgs, multiples))


def _html(month: str, rows: list[dict[str, Any]], summary: list[str], funnels: dict[str, str | None],
          multiples: dict[str, str]) -> str:
    e = html.escape
    shown = ("residents", "resident_days", "alerts_per_1000_days", "false_alarm_share", "ack_p50_min", "ack_p90_min",
             "escalated_share", "unacknowledged_share", "inactive_share", "device_downtime_share",
             "next_of_kin_notices")
    head = "".join(f"<th>{e(BY_NAME[n].title_nb)}</th>" for n in shown)
    body = "".join(
        f"<tr><td>{e(r['municipality'])}</td><td>{e(r['service'])}</td>"
        + "".join(f"<td>{e(_fmt(n, r[n]))}</td>" for n in shown) + "</tr>"
        for r in rows if r["service"] == "ALL"
    ) or f"<tr><td colspan='{len(shown) + 2}'>Ingen data for {e(month)}</td></tr>"
    defs = "".join(
        f"<tr><td>{e(i.title_nb)}</td><td><code>{e(i.formula)}</code></td><td>{e(i.numerator)}</td>"
        f"<td>{e(i.denominator)}</td></tr>" for i in INDICATORS
    )
    figs = "".join(
        f"<figure><img alt='{e(BY_NAME[n].title_nb)}' src='{src}'></figure>"
        for n in KEY_INDICATORS for src in (funnels.get(n), multiples.get(n)) if src
    )
    points = "".join(f"<li>{e(s)}</li>" for s in summary)
    return f"""<!DOCTYPE html>
<html lang="nb"><head><meta charset="utf-8"><title>Kvalitetsindikatorer {e(month)}</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}}
table{{border-collapse:collapse;font-size:12px}}td,th{{border:1px solid #ccc;padding:3px 6px;text-align:right}}
td:first-child,th:first-child{{text-align:left}}figure{{display:inline-block;margin:1em}}img{{max-width:100%}}</style>
</head><body>
<h1>Kvalitetsindikatorer for velferdsteknologi, {e(month)}</h1>
<h2>Hva som skiller seg ut</h2><ul id="summary">{points}</ul>
<h2>Månedens tall per kommune (alle tjenester)</h2>
<table id="indicators"><tr><th>Kommune</th><th>Tjeneste</th>{head}</tr>{body}</table>
<h2>Traktplott og utvikling</h2>
<p>Traktplottet viser hver kommune mot snittet i gruppen. Punkter innenfor de stiplede linjene (95 %) skiller
seg ikke fra snittet mer enn tilfeldig variasjon kan forklare; utenfor de prikkede (99,8 %) er forskjellen
neppe tilfeldig. Små kommuner har videre grenser fordi tallene deres varierer mer.</p>
<div id="plots">{figs}</div>
<h2>Definisjoner</h2>
<table><tr><th>Indikator</th><th>Formel</th><th>Teller</th><th>Nevner</th></tr>{defs}</table>
<script>window.addEventListener("load",function(){{var ok=0;for(var i of document.images){{
if(i.complete&&i.naturalWidth>0)ok++;}}document.body.setAttribute("data-images-rendered",String(ok));}});</script>
</body></html>
"""


def write(report: Report, html_path: Path, csv_path: Path) -> None:
    """Write the HTML page and the CSV table."""
    html_path.parent.mkdir(parents=True, exist_ok=True)
    html_path.write_text(report.html, encoding="utf-8")
    with csv_path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=CSV_COLUMNS)
        w.writeheader()
        for r in report.rows:
            w.writerow({k: ("" if r[k] is None else r[k]) for k in CSV_COLUMNS})
