"""The municipal page's SVG figures (`kompetanse.reports.svg`): well-formed, escaped, every
series where the data put it, and a gap where a value is missing."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from kompetanse.reports import svg
from kompetanse.reports.kommune_text import TEXT

NS = {"s": "http://www.w3.org/2000/svg"}


def _capacity(**over) -> pd.DataFrame:
    rows = {"niva": ["universell", "selektiv", "indikativ"], "rate": [1.0, 2.0, 30.0], "ci_low": [0.5, 1.0, 20.0],
            "ci_high": [1.5, 3.0, 40.0], "fylke": [1.2, np.nan, 1.0], "peer": [1.1, 1.9, 1.4],
            "land": [1.3, 1.5, 1.6], "land_q1": [0.8, 0.9, 1.0], "land_q3": [2.0, 2.5, 2.2]}
    rows.update(over)
    return pd.DataFrame(rows)


def _texts(chart: svg.SvgChart) -> list[str]:
    root = ET.fromstring(chart.svg)
    return ["".join(t.itertext()) for t in root.iterfind(".//s:text", NS)]


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_capacity_figure_is_well_formed_and_escapes_names(lang):
    name = 'Å<b>&"ø\''
    chart = svg.capacity_svg(_capacity(), kommunenavn=name, fylkesnavn="Fylke <x>", scale=5.0, words=TEXT[lang],
                             peer_label="Andre & like", alt=f"Figur om {name}")
    root = ET.fromstring(chart.svg)  # well-formed XML, so nothing from the data opened a tag
    assert root.get("role") == "img" and root.get("aria-label") == f"Figur om {name}"
    texts = _texts(chart)
    assert TEXT[lang]["with_ci"].format(name=name) in texts and "Fylke <x>" in texts and "Andre & like" in texts
    # the value beyond the axis's end is written out at the edge
    assert "30,0 →" in texts
    # ticks in steps of one, with a decimal comma
    assert [t for t in texts if t[:1].isdigit() and "," in t and "→" not in t] == ["0,0", "1,0", "2,0", "3,0", "4,0",
                                                                                "5,0"]
    assert chart._repr_mimebundle_()[0]["image/svg+xml"] == chart.svg


def test_a_series_without_values_has_no_legend_entry():
    chart = svg.capacity_svg(_capacity(fylke=[np.nan] * 3), kommunenavn="K", fylkesnavn="Fylket", scale=5.0,
                             words=TEXT["nb"], peer_label="Gruppen", alt="a")
    assert "Fylket" not in _texts(chart) and "Gruppen" in _texts(chart)
    # one diamond per county value: none
    assert "M" not in "".join(p.get("d", "")[:1] for p in ET.fromstring(chart.svg).iterfind(".//s:path", NS)
                              if p.get("fill") == svg.COUNTY_COLOUR)


def test_the_trend_figure_breaks_its_line_at_a_missing_year_and_marks_a_value_above_the_top():
    rows = []
    for lv in ("universell", "selektiv", "indikativ"):
        for year, value in zip(range(2021, 2026), [1.0, 2.0, np.nan, 3.0, 28.6], strict=True):
            rows.append({"niva": lv, "ar": year, "kapasitet_per_1000": value, "peer_per_1000": 2.0,
                         "land_per_1000": 1.5})
    chart = svg.trend_svg(pd.DataFrame(rows), kommunenavn="K", peer_label="Gruppen", words=TEXT["nb"], alt="a",
                          scale=8.0)
    root = ET.fromstring(chart.svg)
    lines = [p for p in root.iterfind(".//s:polyline", NS) if p.get("stroke") == svg.MUNICIPALITY_COLOUR]
    # two runs per panel (2021–22 and 2024–25), three panels
    assert [len(p.get("points").split()) for p in lines] == [2, 2] * 3
    assert _texts(chart).count("28,6 ↑") == 3
    # the value above the top is drawn at the top, not beyond the figure
    ys = [float(pt.split(",")[1]) for p in lines for pt in p.get("points").split()]
    assert min(ys) >= 0


@pytest.mark.parametrize(("top", "ticks"), [(5.0, [0, 1, 2, 3, 4, 5]), (0.7, [0, 0.2, 0.4, 0.6]),
                                            (12.0, [0, 2, 4, 6, 8, 10, 12]), (0.0, [0.0]), (math.inf, [0.0])])
def test_nice_ticks(top, ticks):
    assert svg.nice_ticks(top) == pytest.approx(ticks)
