"""The municipal page's trend section (capacity and status per level for every year, beside the
peer group and the country, with the trend test's marker), and the text a section shows when the
municipality registered no staff at all."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from kompetanse.data.reference import LEVELS
from kompetanse.formatting import number
from kompetanse.reports import plots, tables
from kompetanse.reports.kommune_plots import capacity_scale, trend_lines
from kompetanse.reports.style import LEVEL_LABELS, STATUS_LABELS

if TYPE_CHECKING:  # pragma: no cover
    from kompetanse.reports.kommune import Profile

__all__ = ["TREND_LABELS", "no_staff", "trend_chart", "trend_table"]


def no_staff(p: Profile, what: str) -> tables.Table | None:
    """A one-cell table saying the municipality registered no staff, so ``what``; None if it did."""
    if p.has_staff:
        return None
    return tables.table(pd.DataFrame({"t": [f"{p.kommunenavn} har ingen registrerte ansatte, så {what}."]}),
                        columns={"t": "Ingen data"})


TREND_LABELS = {"økende": "Økende", "synkende": "Synkende", "ingen tydelig endring": "Ingen tydelig endring"}


def trend_chart(p: Profile) -> plots.Chart | tables.Table:
    """Capacity per 1,000 children by year per level: the municipality, its peers and the country."""
    empty = no_staff(p, "det er ingen utvikling å vise")
    if empty is not None:
        return empty
    group = p.trends["peer_group_navn"].iloc[0]
    shown = p.trends[["kapasitet_per_1000", "peer_per_1000", "land_per_1000"]].to_numpy().ravel()
    fig = trend_lines(p.trends, kommunenavn=p.kommunenavn, peer_label=f"Andre {group}",
                      scale=capacity_scale(p.all_rates, shown))
    first, last = int(p.trends["ar"].min()), int(p.trends["ar"].max())
    return plots.Chart(fig, f"Linjer per nivå: sertifiserte per 1 000 barn i {p.kommunenavn} hvert år fra {first} "
                            f"til {last}, ved siden av andre {group} og landet. Tallene står i tabellen under.")


def trend_table(p: Profile) -> tables.Table:
    """Per level, capacity per 1,000 children and status at the end of each year, and the trend
    marker of the municipality, its peers and the country (`kompetanse.analysis.trends`)."""
    if not p.has_staff:
        return no_staff(p, "det er ingen utvikling å vise")
    years = sorted(int(y) for y in p.trends["ar"].unique())
    markers = p.markers.set_index("niva")
    rows = []
    for lv in LEVELS:
        d = p.trends[p.trends["niva"] == lv].set_index("ar")
        row = {"Nivå": LEVEL_LABELS[lv]}
        for y in years:
            row[str(y)] = (f"{number(d.loc[y, 'kapasitet_per_1000'], 1)} ({STATUS_LABELS[d.loc[y, 'status']].lower()})"
                           if y in d.index else tables.MISSING)
        m = markers.loc[lv] if lv in markers.index else None
        own = "" if m is None else m["trend"]
        row["Trend i kommunen"] = TREND_LABELS.get(own, f"Ingen: {m['trend_merknad']}" if m is not None else "")
        row["Andre i gruppen"] = TREND_LABELS.get("" if m is None else m["trend_peer"], tables.MISSING)
        row["Landet"] = TREND_LABELS.get("" if m is None else m["trend_land"], tables.MISSING)
        rows.append(row)
    return tables.Table(pd.DataFrame(rows, dtype=object), set(map(str, years)))
