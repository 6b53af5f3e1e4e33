"""Inference clustered by the cluster column: replicates of every estimate (jackknife or
bootstrap over clusters), t intervals with the effective number of treated clusters, Hotelling's
T² for joint tests, and each cell's cluster-robust regression standard error as a check.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from scipy import stats

from kompetanse.did.cells import aggregate, cell_effects
from kompetanse.did.panel import Panel

__all__ = ["MIN_TREATED_CLUSTERS", "Replicates", "hotelling_p_value", "no_interval_reason", "wls_standard_errors"]

#: Fewest treated clusters an interval or p-value is given from. With one, leaving it out leaves
#: no treated side, so the spread of the replicates says nothing about it: on data with no
#: effect, 17.5–19.5 % of "95 %" intervals excluded 0, against 0–1.5 % with 2 to 10 treated
#: (``benchmarks/outcome_simulation.py --scenario few-treated``, 200 seeds). Distinct clusters,
#: not Kish's effective number: two already err on the safe side. The estimate is still given.
MIN_TREATED_CLUSTERS = 2


class Replicates:
    """Point estimates and their replicates (jackknife: each cluster left out in turn;
    bootstrap: clusters drawn with replacement), and intervals from them."""

    def __init__(self, point, replicates, treated_w, *, method: str, confidence_level: float):
        self.point, self.replicates, self.treated_w = point, replicates, treated_w
        self.method, self.confidence_level = method, confidence_level

    @classmethod
    def fit(cls, arrays: dict, *, shape: tuple, method: str, confidence_level: float, n_boot: int,
            seed: int | None) -> Replicates:
        """``shape`` is (strata, cells, 4), the layout of each cluster's sums."""
        sums = arrays["sums"]  # (K, S * C * 4): each cluster's sums
        k = sums.shape[0]
        total = sums.sum(axis=0)
        point = cell_effects(total.reshape((1, *shape)))
        if method == "jackknife":
            replicates = cell_effects((total[None, :] - sums).reshape((k, *shape)))
        else:
            # Drawing clusters with replacement is, for these ratios of sums, the same as
            # multiplying each cluster's sums by how often it was drawn: one matrix product.
            draws = np.random.default_rng(seed).multinomial(k, np.full(k, 1.0 / k), size=n_boot)
            replicates = cell_effects((draws.astype("float64") @ sums).reshape((n_boot, *shape)))
        # (K, C): treated weight per cluster, in the strata where the cell has a comparison
        contributes = (total.reshape(shape)[..., 1] > 0) & (total.reshape(shape)[..., 3] > 0)
        treated_w = (sums.reshape((k, *shape))[..., 1] * contributes).sum(axis=1)
        return cls(point, replicates, treated_w, method=method, confidence_level=confidence_level)

    def aggregate(self, select: np.ndarray) -> tuple[float, np.ndarray]:
        """The weighted mean of the selected cells, and its replicates."""
        return float(aggregate(*self.point, select)[0]), aggregate(*self.replicates, select)

    def covariance(self, reps: np.ndarray) -> np.ndarray:
        """Covariance of estimates from their replicates (rows: replicates, columns: estimates)."""
        reps = reps[~np.isnan(reps).any(axis=1)]
        if len(reps) < 2:
            return np.full((reps.shape[1], reps.shape[1]), np.nan)
        centred = reps - reps.mean(axis=0)
        if self.method == "jackknife":
            n = len(reps)
            return (n - 1) / n * centred.T @ centred
        return centred.T @ centred / (len(reps) - 1)

    def df(self, select: np.ndarray) -> float:
        """Degrees of freedom: the effective number of treated clusters (Kish: (sum of weights)²
        / sum of squared weights) minus one, at least 1."""
        w = self.treated_w[:, select].sum(axis=1)
        w = w[w > 0]
        return max(float(w.sum() ** 2 / (w**2).sum()) - 1, 1.0) if len(w) else float("nan")

    def n_treated_clusters(self, select: np.ndarray) -> int:
        """Distinct treated clusters with positive weight in the selected cells' comparisons."""
        return int((self.treated_w[:, select].sum(axis=1) > 0).sum())

    def interval(self, est: float, se: float, df: float) -> dict:
        """t interval and two-sided p-value; a zero standard error gives a point interval."""
        if math.isnan(est) or math.isnan(se) or math.isnan(df):
            return {"ci_low": float("nan"), "ci_high": float("nan"), "p_value": float("nan")}
        if se == 0:
            return {"ci_low": est, "ci_high": est, "p_value": 1.0 if est == 0 else 0.0}
        q = float(stats.t.ppf(0.5 + self.confidence_level / 2, df))
        return {"ci_low": est - q * se, "ci_high": est + q * se, "p_value": float(2 * stats.t.sf(abs(est / se), df))}

    def summarise(self, select: np.ndarray) -> dict:
        """``estimate``, ``se``, ``ci_low``, ``ci_high``, ``p_value``, ``df`` and
        ``no_interval_reason`` of the weighted mean of the selected cells.

        With fewer than `MIN_TREATED_CLUSTERS` treated clusters the estimate is given, but
        ``se``, the interval, the p-value and ``df`` are NaN and ``no_interval_reason`` says why
        (None otherwise, and when there is no estimate)."""
        est, reps = self.aggregate(select)
        nan = float("nan")
        reason = None if math.isnan(est) else no_interval_reason(self.n_treated_clusters(select))
        if math.isnan(est) or reason is not None:
            return {"estimate": est, "se": nan, "ci_low": nan, "ci_high": nan, "p_value": nan, "df": nan,
                    "no_interval_reason": reason}
        se = float(np.sqrt(self.covariance(reps[:, None])[0, 0]))
        df = self.df(select)
        return {"estimate": est, "se": se, **self.interval(est, se, df), "df": df, "no_interval_reason": None}


def no_interval_reason(n_treated: int, *, clusters: str = "clusters") -> str | None:
    """Why no interval is given for an estimate resting on ``n_treated`` treated clusters (one
    sentence), or None when there are enough (`MIN_TREATED_CLUSTERS`). ``clusters`` names them."""
    if n_treated >= MIN_TREATED_CLUSTERS:
        return None
    return (f"only {n_treated} treated {clusters.removesuffix('s') if n_treated == 1 else clusters} "
            f"{'contributes' if n_treated == 1 else 'contribute'}, and an interval or p-value needs at least "
            f"{MIN_TREATED_CLUSTERS}")


def hotelling_p_value(wald: float, q: int, df: float) -> float:
    """p-value of a Wald statistic of ``q`` restrictions whose covariance was estimated from
    ``df + 1`` (effective) clusters, by Hotelling's T² distribution: ``wald * (df - q + 1) / (df * q)``
    against F(q, df - q + 1). NaN when ``df - q + 1 < 1``: too few clusters to test ``q``
    coefficients jointly.

    Why: with the covariance estimated from few effective clusters the chi-squared test rejected
    a true null in 36 % of simulated data sets and F(q, df) in 12 %; Hotelling's correction in
    2 % (``benchmarks/outcome_simulation.py``, weighted, 200 seeds). Conservative rather than
    liberal: a placebo test should not cry wolf.
    """
    df2 = df - q + 1
    if math.isnan(df2) or df2 < 1:
        return float("nan")
    return float(stats.f.sf(wald * df2 / (df * q), q, df2))


def wls_standard_errors(cells: pd.DataFrame, arrays: dict, panel: Panel) -> np.ndarray:
    """Each cell as a 2×2 regression: change on stratum intercepts and stratum treatment
    dummies, weighted, with standard errors clustered; the cell's ATT is the treated-weight
    average of the treatment coefficients, and its standard error follows from their
    covariance. The coefficients equal the closed form used for the estimates."""
    import statsmodels.api as sm

    out = np.full(len(cells), np.nan)
    s_idx, c_idx = panel.s_idx, panel.c_idx
    n_s = len(panel.strata)
    for c in range(len(cells)):  # a few dozen cells, each a small regression
        tr, co = arrays["treated"][:, c], arrays["control"][:, c]
        both = [s for s in range(n_s) if (tr & (s_idx == s)).any() and (co & (s_idx == s)).any()]
        rows = (tr | co) & np.isin(s_idx, both)
        if len(both) == 0 or np.unique(c_idx[rows]).size < 2 or rows.sum() <= 2 * len(both):
            continue  # no comparison, one cluster, or no residual degrees of freedom: no standard error
        s_r, d_r, w_r = s_idx[rows], tr[rows].astype("float64"), arrays["w"][rows, c]
        x = np.column_stack([(s_r == s).astype("float64") for s in both]
                            + [d_r * (s_r == s) for s in both])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = sm.WLS(arrays["dy"][rows, c], x, weights=w_r).fit(
                cov_type="cluster", cov_kwds={"groups": c_idx[rows]})
        td = np.array([w_r[(s_r == s) & (d_r == 1)].sum() for s in both])
        a = np.r_[np.zeros(len(both)), td / td.sum()]
        out[c] = float(np.sqrt(a @ fit.cov_params() @ a))
    return out
