"""The naive two-way fixed-effects regression, for contrast with :func:`~kompetanse.did.att_gt`.

With staggered adoption the regression also compares later-treated units with units treated
earlier, whose effect may still be growing, so some group-time effects enter with negative
weights and the estimate is biased when effects change over time (Goodman-Bacon 2021;
de Chaisemartin and D'Haultfœuille 2020). With a constant effect it is close to the truth.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kompetanse.did.estimator import check_confidence_level
from kompetanse.did.panel import NoEstimateError, prepare_panel
from kompetanse.errors import ParameterError, argument_error

__all__ = ["TwfeResult", "demean_two_way", "twfe"]


@dataclass(frozen=True)
class TwfeResult:
    """The result of :func:`twfe`: the coefficient of the treatment indicator with its
    cluster-robust standard error, interval and p-value, and the observations and clusters in
    the regression."""

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    n_obs: int
    n_clusters: int


def twfe(
    data: pd.DataFrame,
    *,
    unit: Hashable | Sequence[Hashable],
    time: Hashable,
    cohort: Hashable,
    outcome: Hashable,
    weight: Hashable | None = None,
    cluster: Hashable | None = None,
    first_effect: int = 0,
    confidence_level: float = 0.95,
) -> TwfeResult:
    """The naive two-way fixed-effects estimate on a long panel, for comparison only.

    The outcome of every unit and period is regressed on unit and period fixed effects and one
    indicator that is 1 from ``first_effect`` periods after the unit's cohort on
    (``time >= cohort + first_effect``), weighted by ``weight`` (or equally), by weighted least
    squares (statsmodels) with standard errors clustered by ``cluster`` (default: the unit) and
    t intervals. The fixed effects are absorbed by alternating weighted demeaning (exact at
    convergence, by the Frisch–Waugh–Lovell theorem); nested in the clusters, they are not
    counted in the small-sample correction. The arguments mean what they mean for
    :func:`~kompetanse.did.att_gt`.

    Raises
    ------
    ParameterError : as :func:`~kompetanse.did.att_gt`.
    NoEstimateError : (``reason="contrast"``) the treatment indicator does not vary.
    """
    import statsmodels.api as sm

    if isinstance(first_effect, bool) or not isinstance(first_effect, int | np.integer) or first_effect < 0:
        raise argument_error("first_effect", "a whole number of 0 or more", first_effect, cls=ParameterError)
    confidence_level = check_confidence_level(confidence_level)
    panel = prepare_panel(data, unit=unit, time=time, cohort=cohort, outcome=outcome, weight=weight,
                          cluster=cluster)
    rows, period = np.nonzero(~np.isnan(panel.y))
    y = panel.y[rows, period]
    w = panel.w[rows, period]
    d = (panel.times[period] >= panel.g[rows] + first_effect).astype("float64")
    if d.min(initial=1.0) == d.max(initial=0.0):
        raise NoEstimateError("contrast", str(outcome),
                              "an outcome both before and after a unit is first treated: the regression has no "
                              "contrast")
    y_dm, d_dm = (demean_two_way(v, rows, period, w) for v in (y, d))
    clusters = panel.c_idx[rows]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.WLS(y_dm, d_dm[:, None], weights=w).fit(cov_type="cluster", cov_kwds={"groups": clusters},
                                                         use_t=True)
    low, high = fit.conf_int(alpha=1 - confidence_level)[0]
    return TwfeResult(estimate=float(fit.params[0]), se=float(fit.bse[0]), ci_low=float(low), ci_high=float(high),
                      p_value=float(fit.pvalues[0]), n_obs=len(y), n_clusters=int(np.unique(clusters).size))


def demean_two_way(v: np.ndarray, a: np.ndarray, b: np.ndarray, w: np.ndarray, *,
                   tol: float = 1e-13, max_iter: int = 10_000) -> np.ndarray:
    """``v`` minus its weighted projection on the fixed effects of groups ``a`` and ``b``:
    subtract weighted group means of ``a``, then ``b``, until nothing changes."""
    wa, wb = np.bincount(a, w), np.bincount(b, w)
    x = v.astype("float64", copy=True)
    for _ in range(max_iter):
        before = x.copy()
        for groups, total in ((a, wa), (b, wb)):
            x = x - (np.bincount(groups, w * x, minlength=len(total)) / np.where(total > 0, total, 1))[groups]
        if np.max(np.abs(x - before), initial=0.0) < tol:
            return x
    raise RuntimeError("two-way demeaning did not converge")  # pragma: no cover - unbalanced beyond repair
