"""Figures of the municipal page: capacity per level with its interval beside the county, the peer
group and the country on a scale no single municipality stretches, and the yearly trend.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from kompetanse.data.reference import LEVELS
from kompetanse.formatting import number
from kompetanse.reports.kommune_text import TEXT
from kompetanse.reports.plots import _decimal_comma, _new, _styled
from kompetanse.reports.style import COUNTRY_COLOUR, COUNTY_COLOUR, LEVEL_LABELS, MUNICIPALITY_COLOUR

__all__ = ["PEER_COLOUR", "capacity_scale", "capacity_with_intervals", "trend_lines"]

#: The peer group's colour (Okabe–Ito vermilion, apart from county grey and country black).
PEER_COLOUR = "#D55E00"


def capacity_scale(rates: pd.Series | np.ndarray, shown: pd.Series | np.ndarray = (), *, quantile: float = 0.9,
                   margin: float = 1.25) -> float:
    """The end of the capacity axis: just beyond the values ``shown`` (the municipality, its
    interval and its comparators), but never beyond ``margin`` times the ``quantile`` of every
    municipality's rate (``rates``, all levels), so that one very small municipality with one
    person (28.6 per 1,000 children in Utsira) does not flatten everything else. A value beyond
    the end is drawn at the edge with its number written out."""
    values = pd.to_numeric(pd.Series(np.asarray(rates, dtype="float64")), errors="coerce").dropna()
    top = float(values.quantile(quantile)) * margin if len(values) else 0.0
    mine = pd.Series(np.asarray(shown, dtype="float64")).dropna()
    want = float(mine.max()) * 1.1 if len(mine) else top
    end = min(want, top) if top > 0 else want
    return end if end > 0 else 1.0


@_styled
def capacity_with_intervals(data: pd.DataFrame, *, kommunenavn: str, fylkesnavn: str, scale: float,
                            peer_label: str = "Kommunegruppen", words: dict | None = None,
                            ax: Axes | None = None) -> Figure:
    """Per level: the municipality's rate per 1,000 children as a dot with its 95 % interval, and
    markers for the rate of its county, its peer group and the country (pooled: all certified
    over all children), over the middle half of the country's municipalities (first to third
    quartile) as a band.

    ``data``: one row per ``niva`` with ``rate``, ``ci_low``, ``ci_high``, ``fylke``, ``peer``,
    ``land``, ``land_q1``, ``land_q3`` (NaN where absent: a series with no value has no legend
    entry). ``scale``: the end of the axis (`capacity_scale`); anything beyond is drawn at the
    edge and labelled. ``words``: the page's labels (`kompetanse.reports.kommune_text.TEXT`
    of its form; bokmål by default).
    """
    w = words or TEXT["nb"]
    d = data.set_index("niva").reindex(list(LEVELS))
    fig, ax = _new(3.3, ax)
    y = np.arange(len(LEVELS))[::-1].astype(float)
    edge = scale

    def clip(v):
        return np.minimum(np.asarray(v, dtype="float64"), edge)

    q1, q3 = d["land_q1"].to_numpy(dtype="float64"), d["land_q3"].to_numpy(dtype="float64")
    for yi, a, b in zip(y, q1, q3, strict=True):
        if np.isfinite(a) and np.isfinite(b):
            ax.barh(yi, clip(b) - clip(a), left=clip(a), height=0.55, color="#e6e6e6", zorder=1)
    ax.barh([np.nan], [0], color="#e6e6e6", label=w["middle_band"])
    markers = [("land", w["country_label"], COUNTRY_COLOUR, "|", 0.0),
               ("fylke", fylkesnavn, COUNTY_COLOUR, "D", 0.0),
               ("peer", peer_label, PEER_COLOUR, "s", 0.0)]
    for col, label, colour, marker, dy in markers:
        v = d[col].to_numpy(dtype="float64")
        if not np.isfinite(v).any():
            continue
        size = 260 if marker == "|" else 36
        ax.scatter(clip(v), y + dy, marker=marker, s=size, color=colour, label=label, zorder=3,
                   linewidths=2.2 if marker == "|" else 0.8, edgecolors="white" if marker != "|" else None)
    rate = d["rate"].to_numpy(dtype="float64")
    low, high = d["ci_low"].to_numpy(dtype="float64"), d["ci_high"].to_numpy(dtype="float64")
    shown = np.isfinite(rate)
    ax.hlines(y[shown], clip(low[shown]), clip(high[shown]), color=MUNICIPALITY_COLOUR, linewidth=2, zorder=4)
    ax.scatter(clip(rate[shown]), y[shown], s=60, color=MUNICIPALITY_COLOUR, zorder=5,
               label=w["with_ci"].format(name=kommunenavn))
    for yi, v, h in zip(y, rate, high, strict=True):
        if np.isfinite(v) and (v > edge or (np.isfinite(h) and h > edge)):
            text = f"{number(v, 1)} →" if v > edge else "→"
            ax.annotate(text, (edge, yi), xytext=(-2, 7), textcoords="offset points", ha="right", va="bottom",
                        fontsize=9, color=MUNICIPALITY_COLOUR)
    ax.set_xlim(0, edge)
    ax.set_ylim(-0.6, len(LEVELS) - 0.4)
    ax.set_yticks(y, [LEVEL_LABELS[lv] for lv in LEVELS])
    ax.set_xlabel(w["axis"])
    ax.xaxis.set_major_formatter(_decimal_comma(1))
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    ax.set_title(w["chart_title"], loc="left")
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower left", ncols=1, fontsize=9)
    return fig


@_styled
def trend_lines(data: pd.DataFrame, *, kommunenavn: str, peer_label: str = "Kommunegruppen",
                scale: float | None = None, words: dict | None = None, axes: list[Axes] | None = None) -> Figure:
    """Capacity per 1,000 children by year, one small panel per level: the municipality, its peer
    group (pooled, without the municipality) and the country (pooled).

    ``data``: `kompetanse.analysis.trends.level_trends` rows of one municipality. ``scale``: the
    top of the axis (`capacity_scale`); a value above it is drawn at the top and its number
    written beside the last year's point, so one small municipality's rate does not flatten the
    peer and national lines. ``words``: the page's labels (bokmål by default).
    """
    import matplotlib.pyplot as plt

    w = words or TEXT["nb"]

    if axes is None:
        fig, axes = plt.subplots(1, len(LEVELS), figsize=(6.3, 2.5), sharey=True, layout="constrained")
    fig = axes[0].figure
    years = sorted(int(a) for a in data["ar"].unique())
    series = [("kapasitet_per_1000", kommunenavn, MUNICIPALITY_COLOUR, "o", "-"),
              ("peer_per_1000", peer_label, PEER_COLOUR, "s", "--"),
              ("land_per_1000", w["country_label"], COUNTRY_COLOUR, None, ":")]
    values = data[[c for c, *_ in series]].to_numpy(dtype="float64")
    top = scale if scale is not None else float(np.nanmax(values, initial=0.0)) * 1.1 or 1.0
    for ax, lv in zip(axes, LEVELS, strict=True):
        d = data[data["niva"] == lv].sort_values("ar")
        for col, label, colour, marker, style in series:
            v = d[col].to_numpy(dtype="float64")
            ax.plot(d["ar"], np.minimum(v, top), marker=marker, markersize=4, linestyle=style, color=colour,
                    label=label)
            if len(v) and np.isfinite(v[-1]) and v[-1] > top:
                ax.annotate(f"{number(v[-1], 1)} ↑", (d["ar"].iloc[-1], top), xytext=(0, -12),
                            textcoords="offset points", ha="right", fontsize=9, color=colour)
        ax.set_title(LEVEL_LABELS[lv], fontsize=10, loc="left")
        ax.set_xticks(years, [f"{y % 100:02d}" if len(years) > 3 else str(y) for y in years])
        ax.yaxis.set_major_formatter(_decimal_comma(1))
        ax.set_ylim(0, top)
    axes[0].set_ylabel(w["per_1000"])
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside upper left", ncols=3)
    return fig
