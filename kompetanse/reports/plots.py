"""Figures in one house style: colour-blind safe, prevention levels always in the order
universell, selektiv, indikativ, one colour per status everywhere, Norwegian labels with decimal
comma, readable at A4 width.

Each function takes a tidy DataFrame and ``ax=None``: without ``ax`` it draws a new figure of the
house size, with ``ax`` it draws into that Axes (a panel of the caller's figure). Either way it
returns the Figure drawn on. The house style is applied with `matplotlib.rc_context` while a
figure is drawn and rendered: importing or calling this module never changes matplotlib's global
settings (``with house_style():`` gives the style to figures of your own).
"""

from __future__ import annotations

import base64
import functools
import io
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from kompetanse.data.reference import LEVELS
from kompetanse.formatting import number
from kompetanse.reports.style import (
    BADGE_TEXT,
    COUNTRY_COLOUR,
    COUNTY_COLOUR,
    GUIDE_COLOUR,
    LEVEL_LABELS,
    MUNICIPALITY_COLOUR,
    PROGRESS_COLOURS,
    PROGRESS_LABELS,
    STATUS_COLOURS,
    STATUS_LABELS,
)

#: A4 text width is about 16 cm; figures are drawn at that width so text stays readable in print.
A4_WIDTH_IN = 6.3

HOUSE_STYLE = {
    "figure.figsize": (A4_WIDTH_IN, 3.6),
    "figure.dpi": 110,
    "savefig.dpi": 110,
    "figure.autolayout": False,
    "font.size": 10,
    "axes.titlesize": 11.5,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#e3e3e3",
    "grid.linewidth": 0.8,
    "axes.axisbelow": True,
    "legend.frameon": False,
    "legend.fontsize": 9,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    # Text from the data (an indicator, a name) is drawn as it is written, never parsed as
    # mathtext: "$\x{…}$" in a label would otherwise fail the figure or change it.
    "text.parse_math": False,
    "axes.prop_cycle": mpl.cycler(color=["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9",
                                         "#D55E00", "#F0E442", "#000000"]),
}


def house_style() -> AbstractContextManager:
    """The house style as a context: ``with house_style(): ...`` draws in it; matplotlib's own
    settings are back as they were when the block ends."""
    return mpl.rc_context(HOUSE_STYLE)


def _styled(draw: Callable[..., Figure]) -> Callable[..., Figure]:
    """Run a figure function in the house style. Tick labels and grid lines are created when a
    figure is first drawn, from the settings in force then; the first tick of each axis is made
    here, in the style, and matplotlib copies its properties to the ticks it adds later."""

    @functools.wraps(draw)
    def styled(*args, **kwargs) -> Figure:
        with house_style():
            fig = draw(*args, **kwargs)
            for ax in fig.axes:
                ax.xaxis.get_major_ticks(1)
                ax.yaxis.get_major_ticks(1)
        return fig

    return styled


def png(fig: Figure) -> bytes:
    """The figure as PNG at the house resolution. Margins come from the constrained layout every
    house-style figure uses, so one drawing is enough (no second pass to find a tight box)."""
    buf = io.BytesIO()
    with house_style():
        fig.savefig(buf, format="png", dpi=HOUSE_STYLE["savefig.dpi"], metadata={"Software": None})
    return buf.getvalue()


@dataclass(frozen=True)
class Chart:
    """A figure as a report shows it: a PNG with a text description (``alt``) for readers who
    cannot see it. What the report functions return for a figure; a notebook displays it as the
    cell's result. The figure is released from pyplot, so the inline backend does not draw it a
    second time; ``chart.figure`` is the matplotlib Figure."""

    figure: Figure
    alt: str

    def __post_init__(self) -> None:
        plt.close(self.figure)

    def _repr_mimebundle_(self, include=None, exclude=None) -> tuple[dict, dict]:
        data = base64.b64encode(png(self.figure)).decode("ascii")
        return {"image/png": data, "text/plain": self.alt}, {"image/png": {"alt": self.alt}}

    def __repr__(self) -> str:
        return self.alt


def _decimal_comma(decimals: int = 0) -> FuncFormatter:
    # as the tables write numbers: thousands separator, decimal comma, typographic minus
    return FuncFormatter(lambda x, _pos: number(x, decimals))


def _percent() -> FuncFormatter:
    return FuncFormatter(lambda x, _pos: f"{x * 100:.0f}\u00a0%")


def _new(height: float = 3.6, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """A new house-size figure and its Axes, or the figure of ``ax`` (call inside the style)."""
    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=(A4_WIDTH_IN, height), layout="constrained")
    return fig, ax


def _legend_above(ax: Axes, title: str, ncols: int) -> None:
    """Title on top, legend in one row between the title and the plot."""
    # left-aligned like the legend under it; a long title wraps instead of running off the figure
    ax.set_title(title, pad=24, loc="left", wrap=True)
    ax.legend(ncols=ncols, loc="lower left", bbox_to_anchor=(0, 1.0), borderaxespad=0.2)


@_styled
def coverage_counts(coverage: pd.DataFrame, *, title: str = "Kommuner etter dekning per nivå",
                    ax: Axes | None = None) -> Figure:
    """Stacked horizontal bars: for each level, how many municipalities are dekket, sårbar and
    mangler. ``coverage``: one row per (kommunenummer, niva) with ``status``."""
    counts = (coverage.groupby(["niva", "status"], observed=False).size().unstack("status", fill_value=0)
              .reindex(index=list(LEVELS), columns=list(STATUS_LABELS), fill_value=0))
    fig, ax = _new(2.6, ax)
    left = np.zeros(len(counts))
    y = np.arange(len(counts))[::-1]
    for status in STATUS_LABELS:
        values = counts[status].to_numpy()
        ax.barh(y, values, left=left, color=STATUS_COLOURS[status], label=STATUS_LABELS[status], height=0.6)
        for yi, li, v in zip(y, left, values, strict=True):
            if v >= max(8, counts.to_numpy().sum() / len(counts) * 0.05):
                ax.text(li + v / 2, yi, f"{v}", ha="center", va="center", fontsize=9,
                        color=BADGE_TEXT[status])
        left += values
    ax.set_yticks(y, [LEVEL_LABELS[lv] for lv in counts.index])
    ax.set_xlabel("Antall kommuner")
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    ax.xaxis.set_major_formatter(_decimal_comma())
    _legend_above(ax, title, 3)
    return fig


@_styled
def capacity_beside_county_and_country(data: pd.DataFrame, *, kommunenavn: str, fylkesnavn: str,
                                       value: str = "kapasitet_per_1000",
                                       value_label: str = "Sertifiserte per 1\u00a0000 barn",
                                       ax: Axes | None = None) -> Figure:
    """Grouped bars per level: the municipality's figure beside its county's and the country's
    median. ``data``: one row per niva with ``value``, ``fylke_median`` and ``land_median``
    (as `kompetanse.analysis.compare.compare` gives them)."""
    d = data.set_index("niva").reindex(list(LEVELS))
    fig, ax = _new(3.2, ax)
    x = np.arange(len(LEVELS))
    width = 0.26
    series = [(value, kommunenavn, MUNICIPALITY_COLOUR), ("fylke_median", f"{fylkesnavn} (median)", COUNTY_COLOUR),
              ("land_median", "Landet (median)", COUNTRY_COLOUR)]
    for i, (col, label, colour) in enumerate(series):
        values = d[col].astype("float64").to_numpy()
        ax.bar(x + (i - 1) * width, np.nan_to_num(values), width, label=label, color=colour)
    ax.set_xticks(x, [LEVEL_LABELS[lv] for lv in LEVELS])
    ax.set_ylabel(value_label)
    ax.yaxis.set_major_formatter(_decimal_comma(1))
    _legend_above(ax, "Kapasitet per forebyggingsnivå", 3)
    return fig


@_styled
def status_by_county(coverage: pd.DataFrame, *, level: str, ax: Axes | None = None) -> Figure:
    """Share of municipalities in each county whose ``level`` is dekket, sårbar or mangler."""
    d = coverage[coverage["niva"] == level]
    shares = (d.groupby(["fylkesnavn", "status"], observed=False).size().unstack("status", fill_value=0)
              .reindex(columns=list(STATUS_LABELS), fill_value=0))
    shares = shares.div(shares.sum(axis=1), axis=0).sort_values(["dekket", "sarbar"], ascending=True)
    fig, ax = _new(0.32 * len(shares) + 1.2, ax)
    left = np.zeros(len(shares))
    for status in STATUS_LABELS:
        ax.barh(shares.index, shares[status], left=left, color=STATUS_COLOURS[status],
                label=STATUS_LABELS[status], height=0.7)
        left += shares[status].to_numpy()
    ax.xaxis.set_major_formatter(_percent())
    ax.set_xlim(0, 1)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    _legend_above(ax, f"{LEVEL_LABELS[level]} nivå: andel kommuner etter status, per fylke", 3)
    return fig


@_styled
def share_covered_over_years(data: pd.DataFrame, *, ax: Axes | None = None) -> Figure:
    """Lines per level: share of municipalities where the level is dekket, by year.
    ``data``: columns ``ar``, ``niva``, ``andel_dekket``."""
    from kompetanse.reports.style import LEVEL_COLOURS

    fig, ax = _new(3.2, ax)
    for level in LEVELS:
        d = data[data["niva"] == level].sort_values("ar")
        ax.plot(d["ar"], d["andel_dekket"], marker="o", color=LEVEL_COLOURS[level], label=LEVEL_LABELS[level])
    ax.yaxis.set_major_formatter(_percent())
    ax.set_ylim(0, 1)
    ax.set_xticks(sorted(data["ar"].unique()))
    ax.set_xlabel("År (status ved utgangen av året)")
    _legend_above(ax, "Andel kommuner der nivået er dekket", 3)
    return fig


@_styled
def programme_progress(progress: pd.DataFrame, *, tolerance: float, ax: Axes | None = None) -> Figure:
    """Each municipality in a cohort: share of the programme period passed against share of
    planned activities held, with the tolerance band; colour and marker by progress status."""
    fig, ax = _new(4.2, ax)
    xs = np.linspace(0, 1, 50)
    ax.fill_between(xs, np.clip(xs - tolerance, 0, 1), 1, color="#eef5ee", zorder=0,
                    label=f"I rute (inntil {tolerance * 100:.0f} prosentpoeng bak)")
    ax.plot([0, 1], [0, 1], color=GUIDE_COLOUR, linewidth=1, linestyle="--", zorder=1)
    markers = {"i_rute": "o", "forsinket": "s", "fullfort": "D", "avbrutt": "X"}
    for status, label in PROGRESS_LABELS.items():
        d = progress[progress["status"] == status]
        if len(d):
            ax.scatter(d["andel_tid"], d["andel_gjennomfort"], color=PROGRESS_COLOURS[status],
                       marker=markers[status], s=40, label=label, zorder=3, edgecolor="#1a1a1a", linewidth=0.6)
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.05)
    ax.xaxis.set_major_formatter(_percent())
    ax.yaxis.set_major_formatter(_percent())
    ax.set_xlabel("Andel av programperioden som er gått")
    ax.set_ylabel("Andel planlagte aktiviteter gjennomført")
    ax.grid(axis="x", visible=True)
    ax.set_title("Fremdrift per kommune")
    ax.legend(loc="upper left", fontsize=9)
    return fig


@_styled
def activities_by_type(data: pd.DataFrame, *, ax: Axes | None = None) -> Figure:
    """Held activities by type, split by format (digital, fysisk).
    ``data``: columns ``type``, ``format``, ``gjennomforte``."""
    from kompetanse.data.schema import AKTIVITET_TYPER

    labels = {"opplaeringsdag": "Opplæringsdag", "personalmote": "Personalmøte",
              "foreldremote": "Foreldremøte", "veiledning": "Veiledning"}
    pivot = (data.groupby(["type", "format"], observed=False)["gjennomforte"].sum().unstack("format", fill_value=0)
             .reindex(index=list(AKTIVITET_TYPER), columns=["digital", "fysisk"], fill_value=0))
    fig, ax = _new(3.0, ax)
    x = np.arange(len(pivot))
    ax.bar(x - 0.2, pivot["digital"], 0.4, label="Digitalt", color="#56B4E9")
    ax.bar(x + 0.2, pivot["fysisk"], 0.4, label="Fysisk", color="#0072B2")
    ax.set_xticks(x, [labels[t] for t in pivot.index])
    ax.set_ylabel("Gjennomførte aktiviteter")
    ax.yaxis.set_major_formatter(_decimal_comma())
    _legend_above(ax, "Aktiviteter etter type og format", 2)
    return fig
