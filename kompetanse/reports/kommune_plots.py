"""The scale of the municipal page's figures: capacity per level on an axis no single
municipality stretches. The figures themselves are drawn as SVG (`kompetanse.reports.svg`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["PEER_COLOUR", "capacity_scale"]

#: The peer group's colour (Okabe–Ito vermilion, apart from county grey and country black).
PEER_COLOUR = "#D55E00"


def capacity_scale(rates: pd.Series | np.ndarray, shown: pd.Series | np.ndarray = (), *, quantile: float = 0.9,
                   margin: float = 1.25) -> float:
    """The end of the capacity axis: just beyond the values ``shown`` (the municipality, its
    interval and its comparators), but never beyond ``margin`` times the ``quantile`` of every
    municipality's rate (``rates``, all levels), so that one very small municipality with one
    person (28.6 per 1,000 children in Utsira) does not flatten everything else. A value beyond
    the end is drawn at the edge with its number written out."""
    values = np.asarray(rates, dtype="float64")
    values = values[~np.isnan(values)]
    # as pandas' Series.quantile computes it (linear interpolation), without making a Series
    top = float(np.quantile(values, [quantile])[0]) * margin if len(values) else 0.0
    mine = np.asarray(shown, dtype="float64")
    mine = mine[~np.isnan(mine)]
    want = float(mine.max()) * 1.1 if len(mine) else top
    end = min(want, top) if top > 0 else want
    return end if end > 0 else 1.0
