"""Figures of the outcome study in the house style (kompetanse.reports.plots): the event study and the
robustness checks side by side. Each function takes a tidy DataFrame and ``ax=None`` (a new
figure, or draw into ``ax``) and returns the Figure drawn on, in the house style without
touching matplotlib's global settings."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from kompetanse.formatting import number
from kompetanse.reports.plots import _decimal_comma, _new, _styled
from kompetanse.reports.style import COUNTRY_COLOUR, COUNTY_COLOUR, GUIDE_COLOUR, MUNICIPALITY_COLOUR

__all__ = ["NO_INTERVAL_LABEL", "PHASE_COLOURS", "PHASE_LABELS", "event_study", "robustness_estimates"]

#: Before the start (placebo), the start year (transition) and after it.
PHASE_COLOURS = {"for": COUNTY_COLOUR, "start": "#D55E00", "etter": MUNICIPALITY_COLOUR}
PHASE_LABELS = {"for": "Før start (skal ligge rundt 0)", "start": "Startåret (overgang)",
                "etter": "Etter start (effekten)"}
#: The legend of a year drawn without an interval.
NO_INTERVAL_LABEL = "Uten intervall (bare én deltakerkommune)"


@_styled
def event_study(
    data: pd.DataFrame,
    *,
    indikator: str = "samarbeid",
    confidence_level: float = 0.95,
    estimate: float | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Effect by year relative to the programme start, with confidence intervals.

    ``data``: the event study of an :class:`~kompetanse.outcomes.OutcomeResult` (columns
    ``rel_year``, ``estimate``, ``ci_low``, ``ci_high``, ``n``). Year −1 (the year before the
    start) is the reference, 0 by construction; years before it are the placebo coefficients,
    year 0 is the start year (a transition, not counted), later years are the effect. A year
    without an interval (``ci_low`` missing: one treated municipality) is drawn as an open
    circle without a bar, and the legend says why. ``estimate``,
    when given, draws the overall estimate as a dashed line over the years it covers.
    """
    d = data.sort_values("rel_year")
    rel = d["rel_year"].to_numpy()
    phase = np.select([rel < 0, rel == 0], ["for", "start"], "etter")
    fig, ax = _new(4.3, ax)
    ax.axhline(0, color=COUNTRY_COLOUR, linewidth=0.9, zorder=1)
    ax.axvline(-0.5, color=GUIDE_COLOUR, linewidth=0.9, linestyle=":", zorder=1)
    refused = False
    for key in ("for", "start", "etter"):
        sel = phase == key
        if not sel.any():
            continue
        part = d[sel]
        given = part["ci_low"].notna().to_numpy() | (part["rel_year"] == -1).to_numpy()
        est = part["estimate"].to_numpy(dtype="float64")
        low = (est - part["ci_low"].to_numpy(dtype="float64"))
        high = (part["ci_high"].to_numpy(dtype="float64") - est)
        if given.any():
            ax.errorbar(part["rel_year"][given], est[given],
                        yerr=np.vstack([np.nan_to_num(low[given]), np.nan_to_num(high[given])]),
                        fmt="o", color=PHASE_COLOURS[key], ecolor=PHASE_COLOURS[key], elinewidth=1.6, capsize=3,
                        markersize=5.5, label=PHASE_LABELS[key], zorder=3)
        if (~given).any():
            # no interval drawn where none is given (one treated municipality), not a bar of length 0
            ax.scatter(part["rel_year"][~given], est[~given], marker="o", s=34, facecolor="white",
                       edgecolor=PHASE_COLOURS[key], linewidth=1.4, zorder=3,
                       label=None if given.any() else PHASE_LABELS[key])
            refused = True
    if refused:
        ax.scatter([], [], marker="o", s=34, facecolor="white", edgecolor=COUNTRY_COLOUR, linewidth=1.4,
                   label=NO_INTERVAL_LABEL)
    reference = d[d["rel_year"] == -1]
    if len(reference):
        ax.scatter([-1], [0], marker="D", s=30, facecolor="white", edgecolor=COUNTRY_COLOUR, zorder=4,
                   label="Året før start (referanse, 0)")
    if estimate is not None and (rel >= 1).any():
        # in the legend, not on the line, where it would collide with the intervals
        ax.hlines(estimate, 0.6, rel.max() + 0.4, colors=MUNICIPALITY_COLOUR, linestyles="--", linewidth=1,
                  zorder=2, label=f"Samlet effekt ({number(estimate, 2)})")
    ax.set_xticks(rel)
    ax.set_xlabel("År fra programstart (0 = startåret)")
    ax.set_ylabel("Effekt på snittet (poeng, skala 1–5)")
    ax.yaxis.set_major_formatter(_decimal_comma(2))
    level = f"{confidence_level * 100:g}".replace(".", ",")
    ax.set_title(title or f"«{indikator}» før og etter start, {level} % konfidensintervall")
    ax.legend(ncols=2, loc="upper left", bbox_to_anchor=(0, -0.2), borderaxespad=0, fontsize=9)
    return fig


@_styled
def robustness_estimates(data: pd.DataFrame, *, title: str = "Robusthet: ett valg endret om gangen",
                         ax: Axes | None = None) -> Figure:
    """Each variant's estimate with its interval, one row per variant, the main analysis first.

    ``data``: as :func:`kompetanse.outcomes.robustness` returns it (``variant``, ``estimate``,
    ``ci_low``, ``ci_high``)."""
    d = data.reset_index(drop=True)
    y = np.arange(len(d))[::-1]
    fig, ax = _new(0.45 * len(d) + 1.3, ax)
    ax.axvline(0, color=COUNTRY_COLOUR, linewidth=0.9, zorder=1)
    colours = [MUNICIPALITY_COLOUR if i == 0 else COUNTY_COLOUR for i in range(len(d))]
    for yi, row, colour in zip(y, d.itertuples(index=False), colours, strict=True):
        ax.plot([row.ci_low, row.ci_high], [yi, yi], color=colour, linewidth=2, zorder=2)
        ax.plot([row.estimate], [yi], "o", color=colour, markersize=6, zorder=3)
    ax.set_yticks(y, d["variant"])
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    ax.xaxis.set_major_formatter(_decimal_comma(2))
    ax.set_xlabel("Effekt (poeng, skala 1–5) med konfidensintervall")
    ax.set_title(title)
    return fig
