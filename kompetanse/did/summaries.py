"""From the fitted replicates to the tables a reader sees: the group-time table, the event
study and the placebo (pre-period) test."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kompetanse.did.inference import Replicates, hotelling_p_value, wls_standard_errors
from kompetanse.did.panel import Panel

__all__ = ["EVENT_STUDY_COLUMNS", "NO_PRE_PERIOD", "TOO_FEW_FOR_JOINT", "PlaceboResult", "event_study",
           "group_time_table", "json_number", "placebo"]

EVENT_STUDY_COLUMNS = ["rel_time", "estimate", "se", "ci_low", "ci_high", "p_value", "n_treated", "n_cohorts",
                       "no_interval_reason"]
#: Why the placebo test is missing, one sentence each.
NO_PRE_PERIOD = ("no pre-period test: no cohort is observed in a period before its base period (the period "
                 "before it was first treated), so there is nothing to compare before the start")
TOO_FEW_FOR_JOINT = ("no joint pre-period test: too few effective treated clusters to test the pre-period "
                     "coefficients jointly (the average pre-period coefficient is tested instead)")
_SUMMARY = ["estimate", "se", "ci_low", "ci_high", "p_value", "df", "no_interval_reason"]


@dataclass(frozen=True)
class PlaceboResult:
    """The pre-period (placebo) test: are the event-study coefficients before the start zero?

    ``wald_statistic`` (``df`` restrictions) and ``wald_p_value`` test all pre-period
    coefficients (``rel_time`` ≤ −2) jointly, with the replicates' covariance; the p-value is
    from Hotelling's T² with the effective number of treated clusters (NaN when they are too
    few to test ``df`` coefficients jointly).
    ``estimate``, ``ci_low``, ``ci_high`` and ``p_value`` are for their weighted average (a
    placebo ATT: the "effect" before anything happened). NaN when there is no pre-period.
    ``note`` says, in one sentence, why the joint test or the average's interval is not given
    (no period before the base period; fewer than 2 treated clusters; too few for a joint test),
    None when both are.
    """

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    wald_statistic: float
    df: int
    wald_p_value: float
    note: str | None = None

    def to_dict(self) -> dict:
        return {k: json_number(v) for k, v in self.__dict__.items()}


def group_time_table(cells: pd.DataFrame, inf: Replicates, arrays: dict, panel: Panel) -> pd.DataFrame:
    """One row per cell: the cell's columns, then ``estimate``, ``se``, ``se_wls``, ``ci_low``,
    ``ci_high``, ``p_value``, ``df``, ``n_treated``, ``n_control`` (clusters), ``weight`` and
    ``no_interval_reason`` (why a cell with an estimate has no interval: fewer than 2 treated
    clusters; None otherwise). ``se_wls`` is a check of the regression and is given regardless."""
    rows = [inf.summarise(np.arange(len(cells)) == c) for c in range(len(cells))]
    summary = pd.DataFrame(rows, columns=_SUMMARY)
    out = pd.concat([cells, summary.drop(columns="no_interval_reason")], axis=1)
    out.insert(out.columns.get_loc("se") + 1, "se_wls", wls_standard_errors(cells, arrays, panel))
    out["n_treated"] = arrays["treated_k"].sum(axis=0)
    out["n_control"] = arrays["control_k"].sum(axis=0)
    out["weight"] = inf.point[1][0]
    out["no_interval_reason"] = summary["no_interval_reason"].astype("object")
    return out


def event_study(cells: pd.DataFrame, inf: Replicates, arrays: dict) -> pd.DataFrame:
    """One row per ``rel_time``: the weighted mean of the cells with that ``time - cohort``.
    ``rel_time`` −1 is the base period of every cohort, 0 by construction, counted with every
    treated cluster and cohort of the study. A year resting on fewer than 2 treated clusters has
    its estimate but no ``se``, interval or p-value, and ``no_interval_reason`` says so."""
    rel = cells["rel_time"].to_numpy()
    rows = []
    for e in sorted(set(rel) | {-1}):
        select = rel == e
        counts = {"n_treated": int(arrays["treated_k"][:, select].any(axis=1).sum()),
                  "n_cohorts": int(cells.loc[select, "cohort"].nunique())}
        if e == -1:  # the base period of every cohort in the study: 0 by construction
            counts = {"n_treated": int(arrays["treated_k"].any(axis=1).sum()),
                      "n_cohorts": int(cells["cohort"].nunique())}
            rows.append({"rel_time": -1, "estimate": 0.0, **counts, "no_interval_reason": None})
            continue
        summary = inf.summarise(select)
        rows.append({"rel_time": int(e), **{k: summary[k] for k in ("estimate", "se", "ci_low", "ci_high",
                                                                    "p_value")}, **counts,
                     "no_interval_reason": summary["no_interval_reason"]})
    out = pd.DataFrame(rows, columns=EVENT_STUDY_COLUMNS)
    return out.astype({"no_interval_reason": "object"})


def placebo(cells: pd.DataFrame, inf: Replicates) -> PlaceboResult:
    """Joint test of the pre-period event-study coefficients, and their weighted average."""
    nan = float("nan")
    rel = cells["rel_time"].to_numpy()
    pre_cells = rel <= -2
    if not pre_cells.any():
        return PlaceboResult(nan, nan, nan, nan, nan, nan, 0, nan, NO_PRE_PERIOD)
    avg = inf.summarise(pre_cells)
    if avg["no_interval_reason"] is not None:  # too few treated clusters for the average, let alone jointly
        return PlaceboResult(avg["estimate"], nan, nan, nan, nan, nan, 0, nan,
                             f"no pre-period test: {avg['no_interval_reason']}")
    est, reps = zip(*(inf.aggregate(rel == e) for e in sorted(set(rel[pre_cells]))), strict=True)
    beta, reps = np.asarray(est), np.column_stack(reps)
    keep = ~np.isnan(beta)
    beta, cov = beta[keep], inf.covariance(reps[:, keep])
    q = int(np.linalg.matrix_rank(cov)) if not np.isnan(cov).any() else 0
    if q == 0:
        return PlaceboResult(avg["estimate"], avg["se"], avg["ci_low"], avg["ci_high"], avg["p_value"], nan, 0, nan,
                             TOO_FEW_FOR_JOINT)
    wald = float(beta @ np.linalg.pinv(cov) @ beta)
    p = hotelling_p_value(wald, q, inf.df(pre_cells))
    return PlaceboResult(avg["estimate"], avg["se"], avg["ci_low"], avg["ci_high"], avg["p_value"], wald, q, p,
                         TOO_FEW_FOR_JOINT if math.isnan(p) else None)


def json_number(value):
    """A plain Python value for JSON: numpy scalars unwrapped, NaN as None."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
