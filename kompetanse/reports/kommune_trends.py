"""The municipal page's trend section (capacity and status per level for every year, beside the
peer group and the country, with the trend test's marker), and the text a section shows when the
municipality registered no staff at all."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from kompetanse.data.reference import LEVELS
from kompetanse.formatting import number
from kompetanse.reports import tables
from kompetanse.reports.kommune_plots import capacity_scale
from kompetanse.reports.kommune_text import TEXT
from kompetanse.reports.style import LEVEL_LABELS
from kompetanse.reports.svg import SvgChart, trend_svg
from kompetanse.reports.words import STATUS_LABELS, analysis_text, pick

if TYPE_CHECKING:  # pragma: no cover
    from kompetanse.reports.kommune import Profile

__all__ = ["no_staff", "trend_chart", "trend_table"]


def _t(p: Profile) -> dict[str, str]:
    return pick(TEXT, p.lang)


def no_staff(p: Profile, what: str, caption: str) -> tables.Table | None:
    """A one-cell table saying the municipality registered no staff, so ``what``, with the
    ``caption`` of the table it stands in for; None if it did."""
    if p.has_staff:
        return None
    t = _t(p)
    return tables.table(pd.DataFrame({"t": [t["no_staff"].format(name=p.kommunenavn, what=what)]}),
                        columns={"t": t["no_data"]}, caption=caption)


def _trend_labels(t: dict[str, str]) -> dict[str, str]:
    return {"økende": t["rising"], "synkende": t["falling"], "ingen tydelig endring": t["flat"]}



def trend_chart(p: Profile) -> SvgChart | tables.Table:
    """Capacity per 1,000 children by year per level: the municipality, its peers and the
    country, as SVG."""
    t = _t(p)
    empty = no_staff(p, t["no_trend"], t["cap_trend"])
    if empty is not None:
        return empty
    group = analysis_text(p.trends["peer_group_navn"].iloc[0], p.lang)
    shown = p.trends[["kapasitet_per_1000", "peer_per_1000", "land_per_1000"]].to_numpy().ravel()
    first, last = int(p.trends["ar"].min()), int(p.trends["ar"].max())
    return trend_svg(p.trends, kommunenavn=p.kommunenavn, peer_label=t["others"].format(group=group),
                     scale=capacity_scale(p.all_rates, shown), words=t,
                     alt=t["trend_alt"].format(name=p.kommunenavn, first=first, last=last, group=group))


def trend_table(p: Profile) -> tables.Table:
    """Per level, capacity per 1,000 children and status at the end of each year, and the trend
    marker of the municipality, its peers and the country (`kompetanse.analysis.trends`)."""
    t = _t(p)
    if not p.has_staff:
        return no_staff(p, t["no_trend"], t["cap_trend"])
    labels = _trend_labels(t)
    statuses = STATUS_LABELS[p.lang]
    tr = p.trends
    # (level, year) -> (capacity per 1,000, status): a few rows, read in Python
    cells = {(str(lv), int(y)): (v, s) for lv, y, v, s in zip(
        tr["niva"].tolist(), tr["ar"].tolist(), tr["kapasitet_per_1000"].tolist(), tr["status"].tolist(), strict=True)}
    years = sorted({y for _, y in cells})
    mk = p.markers
    markers = {str(lv): {"trend": a, "trend_merknad": b, "trend_peer": c, "trend_land": d} for lv, a, b, c, d in zip(
        mk["niva"].tolist(), mk["trend"].tolist(), mk["trend_merknad"].tolist(), mk["trend_peer"].tolist(),
        mk["trend_land"].tolist(), strict=True)}
    rows = []
    for lv in LEVELS:
        row = {t["level"]: LEVEL_LABELS[lv]}
        for y in years:
            row[str(y)] = (f"{number(cells[lv, y][0], 1)} ({statuses[cells[lv, y][1]].lower()})"
                           if (lv, y) in cells else tables.MISSING)
        m = markers.get(lv)
        own = "" if m is None else m["trend"]
        why = "" if m is None else analysis_text(m["trend_merknad"], p.lang)
        row[t["trend_own"]] = labels.get(own, t["trend_none"].format(why=why) if m is not None else "")
        row[t["trend_peer"]] = labels.get("" if m is None else m["trend_peer"], tables.MISSING)
        row[t["land"]] = labels.get("" if m is None else m["trend_land"], tables.MISSING)
        rows.append(row)
    return tables.Table(pd.DataFrame(rows, dtype=object), set(map(str, years)), t["cap_trend"])
