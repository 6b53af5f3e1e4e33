"""``att_gt``: group-time average treatment effects for staggered adoption (Callaway and
Sant'Anna 2021) on any long panel, aggregated into an event study and an overall effect, with
replicate-based inference clustered by a column of the panel. The method is described in the
package docstring (:mod:`kompetanse.did`)."""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from kompetanse.did.cells import cell_grid, unit_cell_arrays
from kompetanse.did.inference import Replicates
from kompetanse.did.panel import NoEstimateError, prepare_panel
from kompetanse.did.summaries import PlaceboResult, event_study, group_time_table, json_number, placebo
from kompetanse.errors import ParameterError, argument_error, check_argument

__all__ = ["BOOTSTRAP_SEED", "CONTROL_GROUPS", "INFERENCE_METHODS", "NO_ESTIMATE", "N_BOOT", "AttGtResult", "att_gt",
           "check_confidence_level"]

#: Bootstrap draws and seed for ``inference="bootstrap"`` (fixed: the same inputs give identical numbers).
N_BOOT = 999
BOOTSTRAP_SEED = 2024
CONTROL_GROUPS = ("not_yet_treated", "never_treated")
INFERENCE_METHODS = ("jackknife", "bootstrap")
#: Why there is nothing to estimate, by `NoEstimateError` ``reason``: one sentence each.
NO_ESTIMATE = {
    "no_cohort": "no unit is ever treated (every cohort is missing, 0 or inf), so there is no cohort to study",
    "cohort": "no cohort is observed both in the period before it is first treated and in another period, so "
              "no cohort can be compared",
    "no_controls": "no control unit is left in the periods counted in the effect (first_effect={first_effect} "
                   "on): every unit observed there is in the cohort compared or already treated (control_group="
                   "{control_group!r}), as when every unit was first treated in the same period",
    "post": "no cohort is observed {first_effect} or more periods after it was first treated, so no effect can "
            "be estimated yet",
}


@dataclass(frozen=True)
class AttGtResult:
    """The result of :func:`att_gt`.

    Attributes
    ----------
    estimate, se, ci_low, ci_high, p_value : the overall effect (the weighted mean of the
        group-time effects with ``rel_time >= first_effect``), its standard error (clustered),
        confidence interval and two-sided p-value for "no effect".
    df : degrees of freedom of the t quantile: effective number of treated clusters − 1.
    no_interval_reason : None, or why ``se``, the interval, ``p_value`` and ``df`` are NaN
        although there is an estimate: fewer than 2 treated clusters contribute
        (`kompetanse.did.inference.MIN_TREATED_CLUSTERS`).
    n_treated, n_control : clusters that contribute to the overall effect as treated and as
        controls (a not-yet-treated cluster can be both, in different periods).
    group_time : one row per (``cohort``, ``time``) cell: ``rel_time``, ``post``, ``estimate``,
        ``se`` (from the replicates), ``se_wls`` (cluster-robust 2×2 regression, statsmodels),
        ``ci_low``, ``ci_high``, ``p_value``, ``df``, ``n_treated``, ``n_control`` (clusters) and
        ``weight`` (the cohort's total weight in the cell), and ``no_interval_reason``.
    event_study : one row per ``rel_time`` with ``estimate``, ``se``, ``ci_low``, ``ci_high``,
        ``p_value``, ``n_treated`` (clusters), ``n_cohorts`` and ``no_interval_reason``;
        ``rel_time`` −1 is the reference, 0 by construction.
    placebo : the pre-period test, a :class:`PlaceboResult`.
    control_group, first_effect, confidence_level, inference, n_boot, seed : the options used
        (``n_boot`` and ``seed`` are None for the jackknife).
    """

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    df: float
    n_treated: int
    n_control: int
    control_group: str
    first_effect: int
    confidence_level: float
    inference: str
    n_boot: int | None
    seed: int | None
    no_interval_reason: str | None
    group_time: pd.DataFrame = field(repr=False)
    event_study: pd.DataFrame = field(repr=False)
    placebo: PlaceboResult = field(repr=False)

    def to_dict(self) -> dict:
        """The numbers as JSON-ready values (NaN becomes None), with the placebo test and the
        event study as a list of rows."""
        scalars = ("estimate", "se", "ci_low", "ci_high", "p_value", "df", "n_treated", "n_control",
                   "control_group", "first_effect", "confidence_level", "inference", "n_boot", "seed",
                   "no_interval_reason")
        out = {k: json_number(getattr(self, k)) for k in scalars}
        out["placebo"] = self.placebo.to_dict()
        out["event_study"] = [{k: json_number(v) for k, v in row.items()}
                              for row in self.event_study.to_dict(orient="records")]
        return out


def att_gt(
    data: pd.DataFrame,
    *,
    unit: Hashable | Sequence[Hashable],
    time: Hashable,
    cohort: Hashable,
    outcome: Hashable,
    weight: Hashable | None = None,
    cluster: Hashable | None = None,
    strata: Hashable | None = None,
    control_group: Literal["not_yet_treated", "never_treated"] = "not_yet_treated",
    first_effect: int = 0,
    confidence_level: float = 0.95,
    inference: Literal["jackknife", "bootstrap"] = "jackknife",
    n_boot: int = N_BOOT,
    seed: int = BOOTSTRAP_SEED,
) -> AttGtResult:
    """Staggered difference in differences on a long panel: group-time effects ATT(g, t), the
    event study, the overall effect and the placebo test.

    Parameters
    ----------
    data : one row per unit and period (a balanced panel is not required; a row whose outcome
        is missing counts as not observed).
    unit : the column identifying a unit, or a list of columns (e.g. municipality and school type).
    time : the period column, whole numbers (years, or period numbers).
    cohort : the column with the first period a unit is treated in (its cohort ``g``); a missing
        value (NaN, None, ``pd.NA``), 0 or ``inf`` marks a unit never treated. Constant within a unit.
    outcome : the numeric outcome column.
    weight : a column of positive weights, or None (every unit counts the same). A unit's weight
        in a comparison is its weight in the cohort's base period ``g - 1``.
    cluster : the column whose values are the clusters of the standard errors (constant within a
        unit); defaults to the unit itself.
    strata : a column whose groups are never compared with each other (constant within a unit):
        each cell is estimated within every stratum, then averaged over strata with the cohort's
        weights. None: one stratum.
    control_group : ``"not_yet_treated"`` (default: units not treated by ``max(t, g - 1)``,
        including the never treated) or ``"never_treated"``.
    first_effect : the first ``rel_time = t - g`` counted in the overall effect (default 0, the
        first treated period; 1 treats period ``g`` as a transition shown only in the event study).
    confidence_level : of the intervals, a number between 0 and 1 (default 0.95).
    inference : ``"jackknife"`` (default; leave one cluster out, deterministic) or
        ``"bootstrap"`` (clusters drawn with replacement).
    n_boot, seed : bootstrap draws (at least 50) and seed; used with ``inference="bootstrap"`` only.

    Returns
    -------
    AttGtResult

    Raises
    ------
    ParameterError : an option outside its allowed values, or a panel that does not fit the
        columns named (missing or non-numeric column, duplicated unit and period, a cohort that
        changes within a unit, …); the message names the argument and the column.
    NoEstimateError : (a `DataError`) nothing to estimate; ``reason`` says why, in one sentence
        in the message: no unit is ever treated (``"no_cohort"``); no cohort is observed in its
        base period and another period (``"cohort"``); cells from ``first_effect`` on have treated
        units but none has a control, e.g. every unit was first treated in the same period
        (``"no_controls"``); no cohort is observed ``first_effect`` periods after it was first
        treated (``"post"``). One treated cluster is not an error: the estimate is given without
        an interval (``no_interval_reason``).

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({
    ...     "id": [1, 1, 2, 2, 3, 3], "year": [2020, 2021] * 3,
    ...     "first": [2021, 2021, None, None, None, None], "y": [1.0, 3.0, 1.0, 1.5, 2.0, 2.5]})
    >>> res = att_gt(panel, unit="id", time="year", cohort="first", outcome="y")
    >>> round(res.estimate, 3), res.n_treated, res.n_control
    (1.5, 1, 2)
    """
    check_argument("control_group", CONTROL_GROUPS, control_group, cls=ParameterError)
    check_argument("inference", INFERENCE_METHODS, inference, cls=ParameterError)
    if inference == "bootstrap" and not (isinstance(n_boot, int) and n_boot >= 50):
        raise argument_error("n_boot", "a whole number of at least 50", n_boot, cls=ParameterError)
    if isinstance(first_effect, bool) or not isinstance(first_effect, int | np.integer) or first_effect < 0:
        raise argument_error("first_effect", "a whole number of 0 or more", first_effect, cls=ParameterError)
    confidence_level = check_confidence_level(confidence_level)

    panel = prepare_panel(data, unit=unit, time=time, cohort=cohort, outcome=outcome, weight=weight,
                          cluster=cluster, strata=strata)
    if not np.isfinite(panel.g).any():
        raise NoEstimateError("no_cohort", str(cohort), NO_ESTIMATE["no_cohort"])
    cells = cell_grid(panel, first_effect=int(first_effect))
    if cells.empty:
        raise NoEstimateError("cohort", str(outcome), NO_ESTIMATE["cohort"])
    arrays = unit_cell_arrays(panel, cells, control_group=control_group)
    inf = Replicates.fit(arrays, shape=(len(panel.strata), len(cells), 4), method=inference,
                         confidence_level=confidence_level, n_boot=n_boot, seed=seed)
    post = cells["post"].to_numpy()
    overall = inf.summarise(post)
    if math.isnan(overall["estimate"]):
        treated_post = arrays["treated"][:, post].any()
        reason = "no_controls" if treated_post else "post"
        raise NoEstimateError(reason, str(cohort) if treated_post else str(outcome),
                              NO_ESTIMATE[reason].format(first_effect=first_effect, control_group=control_group))

    bootstrap = inference == "bootstrap"
    return AttGtResult(
        estimate=overall["estimate"],
        se=overall["se"],
        ci_low=overall["ci_low"],
        ci_high=overall["ci_high"],
        p_value=overall["p_value"],
        df=overall["df"],
        n_treated=int(arrays["treated_k"][:, post].any(axis=1).sum()),
        n_control=int(arrays["control_k"][:, post].any(axis=1).sum()),
        control_group=control_group,
        first_effect=int(first_effect),
        confidence_level=confidence_level,
        inference=inference,
        n_boot=n_boot if bootstrap else None,
        seed=seed if bootstrap else None,
        no_interval_reason=overall["no_interval_reason"],
        group_time=group_time_table(cells, inf, arrays, panel),
        event_study=event_study(cells, inf, arrays),
        placebo=placebo(cells, inf),
    )


def check_confidence_level(value: object) -> float:
    """A confidence level strictly between 0 and 1, as a float; anything else raises `ParameterError`."""
    ok = isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
    if not ok or not 0 < float(value) < 1:
        raise argument_error("confidence_level", "a number between 0 and 1, e.g. 0.95", value, cls=ParameterError)
    return float(value)
