"""The group-time cells: which (cohort, period) comparisons exist, which units are treated and
which are controls in each, and ATT(g, t) from sums of weighted changes.

Everything is kept as sums per cluster, so that leaving a cluster out (jackknife) or drawing
clusters with replacement (bootstrap) is arithmetic on those sums, not a new pass over the data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kompetanse.did.panel import Panel

__all__ = ["aggregate", "cell_effects", "cell_grid", "unit_cell_arrays"]


def cell_grid(panel: Panel, *, first_effect: int) -> pd.DataFrame:
    """Every (cohort, period) cell that can be estimated: the base period ``g - 1`` is a period
    of the panel, and the cell is not the base period itself. Columns ``cohort``, ``time``,
    ``rel_time`` (``time - cohort``) and ``post`` (``rel_time >= first_effect``)."""
    times, g = panel.times, panel.g
    cohorts = np.unique(g[np.isfinite(g)]).astype("int64")
    cohorts = cohorts[np.isin(cohorts - 1, times)]
    grid = pd.MultiIndex.from_product([cohorts, times], names=["cohort", "time"]).to_frame(index=False)
    grid = grid[grid["time"] != grid["cohort"] - 1].reset_index(drop=True)
    grid["rel_time"] = grid["time"] - grid["cohort"]
    grid["post"] = grid["rel_time"] >= first_effect
    return grid


def unit_cell_arrays(panel: Panel, cells: pd.DataFrame, *, control_group: str) -> dict:
    """Per unit and cell: change from the base period, weight (the unit's weight in the base
    period), and whether the unit is treated or a control there; summed per cluster and stratum
    into the four sums the estimators need (treated weighted change, treated weight, control
    weighted change, control weight).

    Returns a dict with ``sums`` (K, S * C * 4), ``dy``, ``w``, ``treated``, ``control`` (U, C)
    and ``treated_k``, ``control_k`` (K, C): whether the cluster has a treated or control unit."""
    pos = {t: i for i, t in enumerate(panel.times)}
    g_c = cells["cohort"].to_numpy(dtype="float64")
    t_c = cells["time"].to_numpy()
    t_idx = np.array([pos[t] for t in t_c], dtype="int64")
    b_idx = np.array([pos[g - 1] for g in cells["cohort"]], dtype="int64")
    y, g = panel.y, panel.g[:, None]

    dy = y[:, t_idx] - y[:, b_idx]  # (U, C); NaN unless both periods observed
    valid = ~np.isnan(dy)
    w = panel.w[:, b_idx]
    treated = valid & (g == g_c)
    if control_group == "never_treated":
        control = valid & np.isinf(g)
    else:  # not yet treated in either period compared, or never
        control = valid & (g > np.maximum(t_c, g_c - 1)) & (g != g_c)
    wdy = np.where(valid, w * np.nan_to_num(dy), 0.0)
    quantities = np.stack([np.where(treated, wdy, 0.0), np.where(treated, w, 0.0),
                           np.where(control, wdy, 0.0), np.where(control, w, 0.0)], axis=-1)  # (U, C, 4)

    k, s = len(panel.clusters), len(panel.strata)
    sums = np.zeros((k, s, len(cells), 4))
    np.add.at(sums, (panel.c_idx, panel.s_idx), quantities)
    treated_k = np.zeros((k, len(cells)), dtype=bool)
    control_k = np.zeros((k, len(cells)), dtype=bool)
    np.logical_or.at(treated_k, panel.c_idx, treated)
    np.logical_or.at(control_k, panel.c_idx, control)
    return {"sums": sums.reshape(k, -1), "dy": dy, "w": w, "treated": treated, "control": control,
            "treated_k": treated_k, "control_k": control_k}


def cell_effects(sums: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ATT(g, t) and the cell's weight from summed quantities of shape (B, S, C, 4).

    Within a stratum: treated mean change minus control mean change, where both exist; across
    strata: weighted by the treated weight. Returns (att, weight), each (B, C); att is NaN where
    the cell has no comparison."""
    tn, td, cn, cd = np.moveaxis(sums, -1, 0)
    ok = (td > 0) & (cd > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        att_s = np.where(ok, tn / np.where(ok, td, 1) - cn / np.where(ok, cd, 1), 0.0)
    w_s = np.where(ok, td, 0.0)
    weight = w_s.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        att = np.where(weight > 0, (w_s * att_s).sum(axis=1) / np.where(weight > 0, weight, 1), np.nan)
    return att, weight


def aggregate(att: np.ndarray, weight: np.ndarray, select: np.ndarray) -> np.ndarray:
    """Weighted mean of ATT(g, t) over the selected cells, per draw (B,); NaN when none."""
    w = np.where(select[None, :] & (weight > 0), weight, 0.0)
    total = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (w * np.nan_to_num(att)).sum(axis=1) / np.where(total > 0, total, 1), np.nan)
