"""Trends: capacity per 1,000 children and coverage status per level for every year in the data,
for each municipality beside its peer group and the country, and a trend marker decided by a
stated test, as Fingertips marks "increasing", "decreasing" or "no significant change".

The test (``docs/definitions.md``, "Trends"): a Poisson regression of the yearly count (certified
staff at the level) on the year, with the log of the denominator (children 0–17) as offset, fitted
per series by maximum likelihood; the marker is ``"økende"`` when the Wald ``level`` confidence
interval of the slope lies wholly above 0, ``"synkende"`` when wholly below, ``"ingen tydelig
endring"`` otherwise. Fewer than ``settings.TREND_MIN_YEARS`` years give no marker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from kompetanse.analysis.checks import require_columns
from kompetanse.analysis.compare import _as_list
from kompetanse.errors import argument_error
from kompetanse.settings import CONFIDENCE_LEVEL, EXPIRY_MONTHS, MIN_CERTIFIED, RATE_PER, TREND_MIN_YEARS

__all__ = ["TREND_MARKERS", "level_trend_markers", "level_trends", "trend_markers"]

#: The markers, and "" for no marker (``trend_merknad`` says why).
TREND_MARKERS = ("økende", "synkende", "ingen tydelig endring", "")
#: Why a series has no marker.
NO_MARKER = {"few": f"færre enn {TREND_MIN_YEARS} år", "zero": "ingen registrert kapasitet i perioden",
             "fit": "modellen lar seg ikke tilpasse (kapasitet bare i første eller siste år)"}


def level_trends(ds, *, groups: pd.DataFrame | None = None, years: Sequence[int] | None = None,
                 min_certified: int = MIN_CERTIFIED, expiry_months: int = EXPIRY_MONTHS) -> pd.DataFrame:
    """Capacity and status per municipality, level and year, beside the peer group and the country.

    Each year is judged on 31 December with `kompetanse.analysis.coverage.coverage_by_level`
    (one call per year, vectorised over municipalities). The peer figures pool the *other*
    municipalities of the same ``peer_group`` (the municipality excluded); the national figures
    pool every municipality.

    Parameters
    ----------
    ds : the Dataset.
    groups : `kompetanse.analysis.peers.peer_groups` output (default: size bands).
    years : the years (default every year in ``befolkning`` or ``tilbud``).
    min_certified, expiry_months : passed to ``coverage_by_level``.

    Returns
    -------
    One row per (kommunenummer, niva, ar), sorted, with ``kommunenavn``, ``fylkesnummer``,
    ``peer_group``, ``peer_group_navn``, ``kapasitet`` (persons), ``barn_0_17``,
    ``kapasitet_per_1000``, ``status``; ``peer_kapasitet``, ``peer_barn_0_17``, ``peer_per_1000``
    (pooled: sum of capacity over sum of children × 1,000), ``peer_antall`` (other municipalities),
    ``peer_andel_dekket`` (share of them with status ``dekket``, 0–1); ``land_kapasitet``,
    ``land_barn_0_17``, ``land_per_1000``, ``land_andel_dekket`` (every municipality).
    """
    from kompetanse.analysis.coverage import coverage_by_level
    from kompetanse.analysis.peers import peer_groups

    if years is None:
        years = sorted(set(ds.befolkning["ar"].astype(int)) | set(ds.tilbud["ar"].astype(int)))
    frames = [coverage_by_level(ds, on=dt.date(int(y), 12, 31), min_certified=min_certified,
                                expiry_months=expiry_months).assign(ar=int(y)) for y in years]
    columns = ["kommunenummer", "kommunenavn", "fylkesnummer", "niva", "ar", "kapasitet", "barn_0_17",
               "kapasitet_per_1000", "status"]
    cov = pd.concat(frames, ignore_index=True)[columns]
    groups = peer_groups(ds.kommuner) if groups is None else groups
    cov = cov.merge(groups[["kommunenummer", "peer_group", "peer_group_navn"]], on="kommunenummer", how="left")
    cov["barn_0_17"] = cov["barn_0_17"].astype("float64")
    cov["_dekket"] = (cov["status"] == "dekket").astype("int64")
    cov["_en"] = 1
    cols = ["kapasitet", "barn_0_17", "_dekket", "_en"]
    peer = cov.groupby(["peer_group", "niva", "ar"], observed=True)[cols].transform("sum") - cov[cols].fillna(0)
    land = cov.groupby(["niva", "ar"], observed=True)[cols].transform("sum")
    with np.errstate(divide="ignore", invalid="ignore"):
        for prefix, s in (("peer", peer), ("land", land)):
            cov[f"{prefix}_kapasitet"] = s["kapasitet"].astype("int64")
            cov[f"{prefix}_barn_0_17"] = s["barn_0_17"]
            cov[f"{prefix}_per_1000"] = (s["kapasitet"] / s["barn_0_17"].where(s["barn_0_17"] > 0) * RATE_PER)
            cov[f"{prefix}_andel_dekket"] = s["_dekket"] / s["_en"].where(s["_en"] > 0)
    cov["peer_antall"] = peer["_en"].astype("int64")
    cov["barn_0_17"] = cov["barn_0_17"].astype("Int64")
    order = [*columns[:3], "peer_group", "peer_group_navn", *columns[3:], "peer_kapasitet", "peer_barn_0_17",
             "peer_per_1000", "peer_antall", "peer_andel_dekket", "land_kapasitet", "land_barn_0_17",
             "land_per_1000", "land_andel_dekket"]
    return cov[order].sort_values(["kommunenummer", "niva", "ar"]).reset_index(drop=True)


def trend_markers(data: pd.DataFrame, *, count: str, exposure: str, by: str | Sequence[str] = (),
                  year: str = "ar", level: float = CONFIDENCE_LEVEL,
                  min_years: int = TREND_MIN_YEARS) -> pd.DataFrame:
    """The trend of a rate per series, decided by a Poisson regression on the year.

    For each ``by`` group, with ``y`` the count, ``n`` the exposure and ``t`` the year:
    ``log E[y] = log n + a + b·t``, fitted by maximum likelihood (Newton–Raphson, vectorised over
    all series at once; the same estimate as statsmodels' ``GLM(..., family=Poisson(),
    offset=log n)``). ``b`` is the yearly change of the log rate; its Wald interval is
    ``b ± z·se(b)`` with ``z`` the normal quantile of ``level``. The marker is ``"økende"`` when the
    interval lies wholly above 0, ``"synkende"`` when wholly below, ``"ingen tydelig endring"``
    otherwise. Rows with a missing count or a missing or zero exposure are left out.

    No marker (``""``, with ``trend_merknad`` saying why) for a series with fewer than
    ``min_years`` years, a series whose count is 0 every year, or one whose fit does not converge
    (every non-zero count in the first or the last year: the slope is infinite).

    Returns
    -------
    One row per ``by`` group with ``antall_ar`` (int), ``stigning``, ``stigning_low``,
    ``stigning_high`` (float, change of the log rate per year and its interval),
    ``endring_per_ar`` (``exp(b) - 1``, the rate's relative change per year, a fraction),
    ``trend`` (one of `TREND_MARKERS`) and ``trend_merknad``.
    """
    from scipy.stats import norm

    by = _as_list(by)
    if not 0 < level < 1:
        raise argument_error("level", "between 0 and 1", level)
    if int(min_years) != min_years or min_years < 2:
        raise argument_error("min_years", "a whole number of 2 or more", min_years)
    require_columns(data, [*by, year, count, exposure], "trend_markers")
    d = data[[*by, year, count, exposure]].copy()
    d["_y"] = pd.to_numeric(d[count]).astype("float64")
    d["_n"] = pd.to_numeric(d[exposure]).astype("float64")
    d["_t"] = pd.to_numeric(d[year]).astype("float64")
    d = d[d["_y"].notna() & (d["_n"] > 0)]
    keys = by if by else [np.zeros(len(d), dtype=np.int8)]
    grouped = d.groupby(keys, observed=True, sort=True)
    code = grouped.ngroup().to_numpy()
    result = grouped.size().rename("antall_ar").reset_index()
    if not by:
        result = result.drop(columns=result.columns[0])
    m = len(result)
    y, n = d["_y"].to_numpy(), d["_n"].to_numpy()
    t = d["_t"].to_numpy() - (np.bincount(code, d["_t"].to_numpy(), m) / np.bincount(code, minlength=m))[code]
    slope, se, converged = _poisson_slope(code, y, n, t, m)
    z = norm.ppf(0.5 + level / 2)
    total = np.bincount(code, y, m)
    few = result["antall_ar"].to_numpy() < min_years
    zero = ~few & (total == 0)
    failed = ~few & ~zero & ~converged
    shown = ~(few | zero | failed)
    low, high = np.where(shown, slope - z * se, np.nan), np.where(shown, slope + z * se, np.nan)
    result["stigning"] = np.where(shown, slope, np.nan)
    result["stigning_low"], result["stigning_high"] = low, high
    result["endring_per_ar"] = np.expm1(result["stigning"])
    trend = np.select([~shown, low > 0, high < 0], ["", "økende", "synkende"], default="ingen tydelig endring")
    result["trend"] = pd.array(trend, dtype="str")
    why = np.select([few, zero, failed], [NO_MARKER["few"].replace(str(TREND_MIN_YEARS), str(min_years)),
                                          NO_MARKER["zero"], NO_MARKER["fit"]], default="")
    result["trend_merknad"] = pd.array(why, dtype="str")
    return result


def _poisson_slope(code: np.ndarray, y: np.ndarray, n: np.ndarray, t: np.ndarray, m: int,
                   *, iterations: int = 50, tol: float = 1e-10) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Newton–Raphson for ``log E[y] = log n + a + b·t`` in ``m`` series at once (``t`` centred per
    series). Returns the slope ``b``, its standard error from the inverse Fisher information,
    and whether the fit converged, per series."""
    def sums(v):
        return np.bincount(code, v, m)

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        a = np.log(sums(y) / sums(n))
        b = np.zeros(m)
        done = np.zeros(m, dtype=bool)
        for _ in range(iterations):
            mu = n * np.exp(a[code] + b[code] * t)
            r = y - mu
            ua, ub = sums(r), sums(r * t)
            iaa, iab, ibb = sums(mu), sums(mu * t), sums(mu * t * t)
            det = iaa * ibb - iab * iab
            da, db = (ibb * ua - iab * ub) / det, (iaa * ub - iab * ua) / det
            step_ok = np.isfinite(da) & np.isfinite(db)
            a, b = np.where(step_ok, a + da, a), np.where(step_ok, b + db, b)
            done = step_ok & (np.abs(da) < tol) & (np.abs(db) < tol * np.maximum(1.0, np.abs(b)))
            if done.all():
                break
        mu = n * np.exp(a[code] + b[code] * t)
        iaa, iab, ibb = sums(mu), sums(mu * t), sums(mu * t * t)
        se = np.sqrt(iaa / (iaa * ibb - iab * iab))
    return b, se, done & np.isfinite(se) & (np.abs(b) < 20)


def level_trend_markers(trends: pd.DataFrame, *, level: float = CONFIDENCE_LEVEL,
                        min_years: int = TREND_MIN_YEARS) -> pd.DataFrame:
    """Trend markers of capacity per 1,000 children per municipality and level, for the
    municipality, its peers and the country, from `level_trends` (test: `trend_markers`).

    Returns
    -------
    One row per (kommunenummer, niva) with ``antall_ar``, ``stigning``, ``stigning_low``,
    ``stigning_high``, ``endring_per_ar``, ``trend``, ``trend_merknad`` for the municipality, and
    ``trend_peer``, ``trend_land`` (markers of the pooled peer and national series).
    """
    key = ["kommunenummer", "niva"]
    own = trend_markers(trends, count="kapasitet", exposure="barn_0_17", by=key, level=level, min_years=min_years)
    peer = trend_markers(trends, count="peer_kapasitet", exposure="peer_barn_0_17", by=key, level=level,
                         min_years=min_years)
    land_rows = trends.drop_duplicates(["niva", "ar"])
    land = trend_markers(land_rows, count="land_kapasitet", exposure="land_barn_0_17", by="niva", level=level,
                         min_years=min_years)
    out = own.merge(peer[[*key, "trend"]].rename(columns={"trend": "trend_peer"}), on=key, how="left")
    out = out.merge(land[["niva", "trend"]].rename(columns={"trend": "trend_land"}), on="niva", how="left")
    for c in ("trend_peer", "trend_land"):
        out[c] = out[c].fillna("").astype("str")
    return out
