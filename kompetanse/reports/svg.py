"""The municipal page's two figures drawn straight as SVG: capacity per level with its interval
beside the county, the peer group and the country, and the yearly trend per level.

A municipal page is built 714 times a batch (357 municipalities, two forms), and matplotlib took
three quarters of a page's time for these two figures (constrained layout, drawing, PNG
encoding: 0.3 to 0.5 s a page). Written as SVG they cost about a millisecond, are sharp at every
zoom and in print, and their text is text. The layout needs no text measuring: every label has a
fixed place (level names on the left, one legend entry per line), so a long municipality name
runs to the right, never over another label.

The figures follow the house style of `kompetanse.reports.plots` (colours of
`kompetanse.reports.style`, decimal comma, level order). Every text from the data is escaped.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from markupsafe import escape

from kompetanse.data.reference import LEVELS
from kompetanse.formatting import number
from kompetanse.reports.kommune_plots import PEER_COLOUR
from kompetanse.reports.style import COUNTRY_COLOUR, COUNTY_COLOUR, LEVEL_LABELS, MUNICIPALITY_COLOUR

__all__ = ["SvgChart", "capacity_svg", "nice_ticks", "trend_svg"]

BAND_COLOUR = "#e6e6e6"
GRID_COLOUR = "#e3e3e3"
AXIS_COLOUR = "#1A1A1A"
TEXT_COLOUR = "#1A1A1A"
#: The figure's width in SVG units; it scales to the width of the page.
WIDTH = 690
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"


@dataclass(frozen=True)
class SvgChart:
    """A figure as SVG with a text description (``alt``) for readers who cannot see it: what the
    municipal report's chart functions return. A notebook displays it as the cell's result
    (``image/svg+xml``); the page puts it inline, named by ``alt`` (``role="img"``)."""

    svg: str
    alt: str

    def _repr_mimebundle_(self, include=None, exclude=None) -> tuple[dict, dict]:
        return {"image/svg+xml": self.svg, "text/plain": self.alt}, {}

    def __repr__(self) -> str:
        return self.alt


def nice_ticks(top: float, most: int = 7) -> list[float]:
    """Ticks from 0 to ``top`` in steps of 1, 2, 2.5 or 5 times a power of ten, at most ``most``."""
    if not (top > 0 and math.isfinite(top)):
        return [0.0]
    raw = top / (most - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(s * power for s in (1, 2, 2.5, 5, 10) if s * power >= raw)
    return [i * step for i in range(int(top / step + 1e-9) + 1)]


def _decimals(ticks: list[float]) -> int:
    """Decimals the tick labels need (at least one, as the tables write rates)."""
    return max(1, *(len(f"{t:.6g}".partition(".")[2]) for t in ticks)) if ticks else 1


def _f(x: float) -> str:
    return f"{x:.1f}".removesuffix(".0")


def _text(x: float, y: float, text: str, *, size: int = 13, anchor: str = "start", weight: str = "",
          colour: str = TEXT_COLOUR, extra: str = "") -> str:
    bold = ' font-weight="bold"' if weight else ""
    return (f'<text x="{_f(x)}" y="{_f(y)}" font-size="{size}" text-anchor="{anchor}" fill="{colour}"{bold}{extra}>'
            f"{escape(text)}</text>")


def _svg(height: float, alt: str, body: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {_f(height)}" width="{WIDTH}" '
            f'height="{_f(height)}" role="img" aria-label="{escape(alt)}" font-family="{FONT}">'
            + "".join(body) + "</svg>")


def _marker(kind: str, x: float, y: float, colour: str, size: float = 6.0) -> str:
    """A marker as the legends and the plots draw it: a dot, a square, a diamond or a bar."""
    if kind == "o":
        return f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{_f(size)}" fill="{colour}"/>'
    if kind == "s":
        return (f'<rect x="{_f(x - size)}" y="{_f(y - size)}" width="{_f(2 * size)}" height="{_f(2 * size)}" '
                f'fill="{colour}" stroke="#ffffff" stroke-width="1"/>')
    if kind == "D":
        s = size * 1.25
        return (f'<path d="M{_f(x)} {_f(y - s)}L{_f(x + s)} {_f(y)}L{_f(x)} {_f(y + s)}L{_f(x - s)} {_f(y)}Z" '
                f'fill="{colour}" stroke="#ffffff" stroke-width="1"/>')
    if kind == "|":
        return (f'<line x1="{_f(x)}" y1="{_f(y - 2.2 * size)}" x2="{_f(x)}" y2="{_f(y + 2.2 * size)}" '
                f'stroke="{colour}" stroke-width="3"/>')
    if kind == "band":
        return f'<rect x="{_f(x - 14)}" y="{_f(y - 7)}" width="28" height="14" fill="{BAND_COLOUR}"/>'
    raise ValueError(f"unknown marker {kind!r}")


def _line_sample(style: str, marker: str | None, x: float, y: float, *, colour: str) -> str:
    out = f'<line x1="{_f(x - 16)}" y1="{_f(y)}" x2="{_f(x + 16)}" y2="{_f(y)}" stroke="{colour}" ' \
          f'stroke-width="2"{_DASH[style]}/>'
    return out + (_marker(marker, x, y, colour, 4) if marker else "")


_DASH = {"-": "", "--": ' stroke-dasharray="7 4"', ":": ' stroke-dasharray="2 3"'}


def _legend(entries: list[tuple[Callable[[float], str], str]], top: float) -> tuple[list[str], float]:
    """One entry per line from ``top``: (the sample drawn at a given y, the label). Returns the
    elements and the y under the last line."""
    out = []
    y = top
    for sample, label in entries:
        out.append(sample(y))
        out.append(_text(40, y + 4.5, label))
        y += 22
    return out, y


def capacity_svg(data: pd.DataFrame, *, kommunenavn: str, fylkesnavn: str, scale: float, words: dict,
                 peer_label: str, alt: str) -> SvgChart:
    """Per level: the municipality's rate per 1,000 children as a dot with its 95 % interval, and
    markers for the pooled rate of its county, its peer group and the country, over the middle
    half of the country's municipalities (first to third quartile) as a band.

    ``data``: one row per ``niva`` with ``rate``, ``ci_low``, ``ci_high``, ``fylke``, ``peer``,
    ``land``, ``land_q1``, ``land_q3`` (NaN where absent: a series with no value has no legend
    entry). ``scale``: the end of the axis (`kompetanse.reports.kommune_plots.capacity_scale`);
    a value beyond it is drawn at the edge with its number written out. ``words``: the page's
    labels (`kompetanse.reports.kommune_text.TEXT` of its form).
    """
    d = data if data["niva"].tolist() == list(LEVELS) else data.set_index("niva").reindex(list(LEVELS))
    ticks = nice_ticks(scale)
    edge = max(scale, 1e-9)
    left, right, top, row = 92.0, WIDTH - 12.0, 40.0, 58.0
    bottom = top + row * len(LEVELS)

    def x(v: float) -> float:
        return left + (right - left) * min(max(v, 0.0), edge) / edge

    body = [_text(0, 20, words["chart_title"], size=16, weight="bold")]
    decimals = _decimals(ticks)
    for t in ticks:
        if t <= edge * (1 + 1e-9):
            body.append(f'<line x1="{_f(x(t))}" y1="{_f(top)}" x2="{_f(x(t))}" y2="{_f(bottom)}" '
                        f'stroke="{GRID_COLOUR}" stroke-width="1"/>')
            body.append(_text(x(t), bottom + 19, number(t, decimals), anchor="middle"))
    body.append(f'<path d="M{_f(left)} {_f(top)}V{_f(bottom)}H{_f(right)}" fill="none" stroke="{AXIS_COLOUR}" '
                f'stroke-width="1"/>')
    body.append(_text((left + right) / 2, bottom + 42, words["axis"], anchor="middle"))
    values = {c: d[c].to_numpy(dtype="float64") for c in ("rate", "ci_low", "ci_high", "fylke", "peer", "land",
                                                         "land_q1", "land_q3")}
    markers = [("land", words["country_label"], COUNTRY_COLOUR, "|"), ("fylke", fylkesnavn, COUNTY_COLOUR, "D"),
               ("peer", peer_label, PEER_COLOUR, "s")]
    for i, lv in enumerate(LEVELS):
        cy = top + row * (i + 0.5)
        body.append(_text(left - 10, cy + 4.5, LEVEL_LABELS[lv], anchor="end"))
        a, b = values["land_q1"][i], values["land_q3"][i]
        if np.isfinite(a) and np.isfinite(b):
            body.append(f'<rect x="{_f(x(a))}" y="{_f(cy - 16)}" width="{_f(x(b) - x(a))}" height="32" '
                        f'fill="{BAND_COLOUR}"/>')
        for col, _label, colour, kind in markers:
            v = values[col][i]
            if np.isfinite(v):
                body.append(_marker(kind, x(v), cy, colour))
        rate, low, high = values["rate"][i], values["ci_low"][i], values["ci_high"][i]
        if np.isfinite(rate):
            if np.isfinite(low) and np.isfinite(high):
                body.append(f'<line x1="{_f(x(low))}" y1="{_f(cy)}" x2="{_f(x(high))}" y2="{_f(cy)}" '
                            f'stroke="{MUNICIPALITY_COLOUR}" stroke-width="3"/>')
            body.append(_marker("o", x(rate), cy, MUNICIPALITY_COLOUR, 7))
            if rate > edge or (np.isfinite(high) and high > edge):
                body.append(_text(right - 2, cy - 10, f"{number(rate, 1)} →" if rate > edge else "→", anchor="end",
                                  colour=MUNICIPALITY_COLOUR))
    entries = [(_sample(kind, colour), label) for col, label, colour, kind in markers
               if np.isfinite(values[col]).any()]
    entries.append((_sample("o", MUNICIPALITY_COLOUR), words["with_ci"].format(name=kommunenavn)))
    entries.append((_sample("band", BAND_COLOUR), words["middle_band"]))
    legend, end = _legend(entries, bottom + 70)
    return SvgChart(_svg(end, alt, body + legend), alt)


def _sample(kind: str, colour: str) -> Callable[[float], str]:
    """A legend's marker sample, drawn at x=16 and the y `_legend` gives."""
    return lambda y: _marker(kind, 16, y, colour, 6.0 if kind != "|" else 3.5)


def _segments(xs: list[float], ys: np.ndarray) -> list[list[tuple[float, float]]]:
    """Runs of finite points: a missing year breaks the line."""
    runs, run = [], []
    for a, b in zip(xs, ys, strict=True):
        if np.isfinite(b):
            run.append((a, b))
        elif run:
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    return runs


def trend_svg(data: pd.DataFrame, *, kommunenavn: str, peer_label: str, words: dict, alt: str,
              scale: float | None = None) -> SvgChart:
    """Capacity per 1,000 children by year, one small panel per level: the municipality, its peer
    group (pooled, without the municipality) and the country (pooled).

    ``data``: `kompetanse.analysis.trends.level_trends` rows of one municipality. ``scale``: the
    top of the axis (`kompetanse.reports.kommune_plots.capacity_scale`); a value above it is
    drawn at the top and its number written beside the last year's point, so one small
    municipality's rate does not flatten the peer and national lines. ``words``: the page's
    labels (`kompetanse.reports.kommune_text.TEXT` of its form).
    """
    series = [("kapasitet_per_1000", kommunenavn, MUNICIPALITY_COLOUR, "o", "-"),
              ("peer_per_1000", peer_label, PEER_COLOUR, "s", "--"),
              ("land_per_1000", words["country_label"], COUNTRY_COLOUR, None, ":")]
    values = data[[c for c, *_ in series]].to_numpy(dtype="float64")
    top = scale if scale is not None else float(np.nanmax(values, initial=0.0)) * 1.1 or 1.0
    years = sorted(int(a) for a in data["ar"].unique())
    # each level's rows by year (a stable sort of the few rows, in numpy)
    levels_of = data["niva"].astype("str").to_numpy()
    year_of = data["ar"].to_numpy()
    ticks = [t for t in nice_ticks(top, 5) if t <= top * (1 + 1e-9)]
    decimals = _decimals(ticks)
    entries = [(functools.partial(_line_sample, style, marker, 16, colour=colour), label)
               for _c, label, colour, marker, style in series]
    legend, y0 = _legend(entries, 14)
    left, gap, panel_h = 78.0, 18.0, 150.0
    panel_w = (WIDTH - 8 - left - gap * (len(LEVELS) - 1)) / len(LEVELS)
    ptop = y0 + 22
    body = list(legend)
    body.append(_text(14, ptop + panel_h / 2, words["per_1000"], anchor="middle",
                      extra=f' transform="rotate(-90 14 {_f(ptop + panel_h / 2)})"'))
    span = max(years[-1] - years[0], 1) if years else 1

    def y(v: float) -> float:
        return ptop + panel_h * (1 - min(max(v, 0.0), top) / top)

    for p, lv in enumerate(LEVELS):
        x0 = left + p * (panel_w + gap)

        def x(year: float, x0=x0) -> float:
            return x0 + 8 + (panel_w - 16) * ((year - years[0]) / span if len(years) > 1 else 0.5)

        body.append(_text(x0, ptop - 8, LEVEL_LABELS[lv], size=14, weight="bold"))
        for t in ticks:
            body.append(f'<line x1="{_f(x0)}" y1="{_f(y(t))}" x2="{_f(x0 + panel_w)}" y2="{_f(y(t))}" '
                        f'stroke="{GRID_COLOUR}" stroke-width="1"/>')
            if p == 0:
                body.append(_text(x0 - 6, y(t) + 4.5, number(t, decimals), anchor="end"))
        body.append(f'<path d="M{_f(x0)} {_f(ptop)}V{_f(ptop + panel_h)}H{_f(x0 + panel_w)}" fill="none" '
                    f'stroke="{AXIS_COLOUR}" stroke-width="1"/>')
        for year in years:
            label = f"{year % 100:02d}" if len(years) > 3 else str(year)
            body.append(_text(x(year), ptop + panel_h + 18, label, anchor="middle"))
        rows = np.flatnonzero(levels_of == lv)
        rows = rows[np.argsort(year_of[rows], kind="stable")]
        xs = [float(a) for a in year_of[rows]]
        for i, (_col, _label, colour, marker, style) in enumerate(series):
            v = values[rows, i]
            for run in _segments(xs, v):
                points = " ".join(f"{_f(x(a))},{_f(y(b))}" for a, b in run)
                body.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"'
                            f'{_DASH[style]}/>')
                if marker:
                    body.extend(_marker(marker, x(a), y(b), colour, 3.5) for a, b in run)
            if len(v) and np.isfinite(v[-1]) and v[-1] > top:
                body.append(_text(x(xs[-1]), y(top) + 18, f"{number(v[-1], 1)} ↑", anchor="end", colour=colour))
    return SvgChart(_svg(ptop + panel_h + 28, alt, body), alt)
