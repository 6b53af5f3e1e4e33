"""Every municipal figure beside its county and the country, as public municipal profiles show
them: median and quartiles, rank, quartile placement, and better/worse only where a test says so.

The model is FHI's folkehelseprofiler and oppvekstprofiler, which place each municipality against
the country and mark it better or worse than the country only as the result of a statistical test
(https://www.fhi.no/fp/oppvekstprofiler/brukerveiledning-oppvekstprofiler/).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from kompetanse.analysis.checks import require_columns
from kompetanse.errors import UsageError, argument_error
from kompetanse.settings import CONFIDENCE_LEVEL, RATE_PER

#: Quartile placement against the country, by value (not by better/worse).
PLACEMENTS = ("nederste_kvartil", "midtre_halvdel", "overste_kvartil")
#: The assessment against the national rate; "" means not assessed.
ASSESSMENTS = ("bedre", "likt", "darligere", "")

_QUARTILES = {"q1": 0.25, "median": 0.5, "q3": 0.75}


def compare(
    data: pd.DataFrame,
    *,
    value: str | None = None,
    by: str | Sequence[str] = (),
    higher_is_better: bool = True,
    count: str | None = None,
    denominator: str | None = None,
    per: float = RATE_PER,
    level: float = CONFIDENCE_LEVEL,
) -> pd.DataFrame:
    """Place each municipal figure against its county and the country.

    Medians and quartiles are taken over the municipalities in ``data`` that have a value, within
    each group of ``by`` (e.g. per ``niva``): the county figures over the municipalities of the same
    ``fylkesnummer``, the national figures over all of them. Quartiles are the linear-interpolation
    quantiles (pandas' and numpy's default, Hyndman–Fan type 7). A missing value (NaN/NA) is placed
    nowhere: it has no rank, no placement, and is not counted in medians, quartiles or ``antall_*``.
    A municipality absent from ``data`` counts nowhere either, so add municipalities whose true
    figure is 0 (e.g. by merging onto ``kompetanse.data.reference.kommuner()``) before comparing.

    **Better or worse** (``vurdering``) is assessed only when ``count`` and ``denominator`` are
    given, as significance against the national level:

    - the municipal rate is ``count / denominator * per``;
    - the national rate (``land_rate``) is the sum of ``count`` over the sum of ``denominator``
      across every row of the same ``by`` group with a count and a positive denominator
      (the municipality itself included, as in FHI's comparison with *hele landet*);
    - the municipal count is taken as Poisson, and its ``level`` (default 95 %) confidence
      interval is the exact (Garwood) interval, statsmodels'
      ``confint_poisson(count, denominator, method="exact-c")``, multiplied by ``per``
      (``ci_low``, ``ci_high``); the national rate is treated as known.
    - ``"bedre"`` when the whole interval lies on the better side of the national rate (above it
      when ``higher_is_better``, below it otherwise), ``"darligere"`` when it lies wholly on the
      worse side, ``"likt"`` when it contains the national rate;
    - ``""`` (not assessed) when no method applies: no ``count``/``denominator`` given, or a row's
      count is missing or its denominator missing or 0.

    Without counts the comparison only places: ranks, quartiles and ``plassering``, never better or
    worse, because a difference between two figures says nothing about chance by itself.

    Parameters
    ----------
    data : a tidy frame with one row per municipality (and per ``by`` group): ``kommunenummer``
        (four-digit string), ``fylkesnummer`` (taken from the first two digits of
        ``kommunenummer`` when absent), the ``by`` columns and the numeric ``value`` column.
    value : the column to place. May be omitted when ``count`` and ``denominator`` are given; the
        computed rate (column ``rate``) is then placed.
    by : grouping columns compared within themselves (e.g. ``"niva"``).
    higher_is_better : direction of "better", used for ranks and ``vurdering``.
    count, denominator : columns of a count (e.g. parents) and its denominator (e.g. children
        0–17), non-negative, for the test against the national rate.
    per : the rate's unit (default ``settings.RATE_PER``, per 1,000).
    level : the confidence level of the interval (default ``settings.CONFIDENCE_LEVEL``, 0.95).

    Returns
    -------
    A copy of ``data`` in the same order and index, with columns added:

    ``fylke_median``, ``fylke_q1``, ``fylke_q3``, ``land_median``, ``land_q1``, ``land_q3``
        float, over the municipalities with a value in the county / country (within ``by``).
    ``rang_i_fylket``, ``rang_i_landet``
        Int64, 1 = best given ``higher_is_better``; ties share the lowest rank ("min");
        <NA> where the value is missing.
    ``antall_i_fylket``, ``antall_i_landet``
        int, how many municipalities with a value the rank is out of.
    ``plassering``
        ``"nederste_kvartil"`` (value below the national first quartile),
        ``"overste_kvartil"`` (above the national third quartile), ``"midtre_halvdel"``
        (between them, bounds included), ``""`` where the value is missing. By value, not by
        better/worse.
    ``rate``, ``ci_low``, ``ci_high``, ``land_rate``
        only when ``count`` and ``denominator`` are given: the municipal rate per ``per``, its
        confidence interval, and the national rate.
    ``vurdering``
        ``"bedre"``, ``"likt"``, ``"darligere"`` or ``""`` as above.

    Examples
    --------
    >>> import kompetanse
    >>> from kompetanse.analysis.compare import compare
    >>> ds = kompetanse.load()
    >>> t = ds.tilbud.query("ar == 2025").groupby("kommunenummer", as_index=False)["antall_foreldre"].sum()
    >>> b = ds.befolkning.query("ar == 2025")[["kommunenummer", "fylkesnummer", "barn_0_17"]]
    >>> d = b.merge(t, how="left").fillna({"antall_foreldre": 0})
    >>> compare(d, count="antall_foreldre", denominator="barn_0_17")  # doctest: +SKIP
    """
    by = _as_list(by)
    if value is None and (count is None or denominator is None):
        raise UsageError("compare() needs `value`, or both `count` and `denominator` to compute a rate from")
    if (count is None) != (denominator is None):
        raise UsageError("compare() needs both `count` and `denominator` to assess a rate, or neither")
    if not 0 < level < 1:
        raise argument_error("level", "between 0 and 1", level)
    needed = ["kommunenummer", *by, *(c for c in (value, count, denominator) if c is not None)]
    require_columns(data, needed, "compare")
    _require_unique(data, ["kommunenummer", *by], "compare")

    out = data.copy()
    out["fylkesnummer"] = _county(data)
    assessed = count is not None
    if assessed:
        k = _numeric(data, count, "compare")
        n = _numeric(data, denominator, "compare")
        if (k < 0).any() or (n < 0).any():
            raise UsageError(
                f"`{count}` and `{denominator}` must be counts (0 or more), but a negative value was passed"
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(n > 0, k / n * per, np.nan)
    v = rate if value is None else _numeric(data, value, "compare")

    work = pd.DataFrame({"_v": v}, index=out.index)
    for c in by:
        work[c] = out[c]
    work["_fylke"] = out["fylkesnummer"]
    country = by if by else [np.zeros(len(work), dtype=np.int8)]
    county = [*by, "_fylke"]
    g_land = work.groupby(country, observed=True, dropna=False, sort=False)["_v"]
    g_fylke = work.groupby(county, observed=True, dropna=False, sort=False)["_v"]

    for prefix, g in (("fylke", g_fylke), ("land", g_land)):
        for name in ("median", "q1", "q3"):
            out[f"{prefix}_{name}"] = g.transform("quantile", _QUARTILES[name]).to_numpy()
    ascending = not higher_is_better
    for suffix, g in (("fylket", g_fylke), ("landet", g_land)):
        out[f"rang_i_{suffix}"] = g.rank(method="min", ascending=ascending, na_option="keep").astype("Int64").array
        out[f"antall_i_{suffix}"] = g.transform("count").to_numpy()

    placement = np.select(
        [np.isnan(v), v < out["land_q1"].to_numpy(), v > out["land_q3"].to_numpy()],
        ["", "nederste_kvartil", "overste_kvartil"],
        default="midtre_halvdel",
    )
    out["plassering"] = pd.array(placement, dtype="str")

    if assessed:
        ok = ~np.isnan(k) & (n > 0)
        kk = np.where(ok, k, 0.0)
        nn = np.where(ok, n, 0.0)
        work["_k"], work["_n"] = kk, nn
        sums = work.groupby(country, observed=True, dropna=False, sort=False)[["_k", "_n"]].transform("sum")
        with np.errstate(divide="ignore", invalid="ignore"):
            land_rate = sums["_k"].to_numpy() / sums["_n"].to_numpy() * per
            low, high = _rate_interval(kk, np.where(ok, nn, 1.0), level)
            ci_low = np.where(ok, low * per, np.nan)
            ci_high = np.where(ok, high * per, np.nan)
        above, below = ci_low > land_rate, ci_high < land_rate
        better, worse = (above, below) if higher_is_better else (below, above)
        vurdering = np.select([~ok | np.isnan(land_rate), better, worse], ["", "bedre", "darligere"], default="likt")
        out["rate"] = rate
        out["ci_low"] = ci_low
        out["ci_high"] = ci_high
        out["land_rate"] = land_rate
    else:
        vurdering = np.full(len(out), "", dtype=object)
    out["vurdering"] = pd.array(vurdering, dtype="str")
    return out


def _rate_interval(count: np.ndarray, exposure: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """The exact (Garwood) ``level`` confidence interval of the rate ``count / exposure``, count
    taken as Poisson: ``chi2.ppf(a/2, 2k) / 2`` (0 for k = 0) to ``chi2.ppf(1 - a/2, 2k + 2) / 2``
    with ``a = 1 - level``, divided by ``exposure`` (exposure > 0): the interval FHI and Statistics
    Norway use for small counts."""
    from statsmodels.stats.rates import confint_poisson

    low, high = confint_poisson(count, exposure, method="exact-c", alpha=1 - level)
    return np.asarray(low, dtype="float64"), np.asarray(high, dtype="float64")


def _as_list(by: str | Sequence[str]) -> list[str]:
    return [by] if isinstance(by, str) else list(by)


def _require_unique(data: pd.DataFrame, key: list[str], func: str) -> None:
    dup = data.duplicated(key, keep=False)
    if dup.any():
        first = data.loc[dup, key].drop_duplicates().head(3).to_dict("records")
        raise UsageError(
            f"{func}() needs one row per {', '.join(key)}, but {int(dup.sum())} rows share a key "
            f"(e.g. {first}); aggregate them first"
        )


def _numeric(data: pd.DataFrame, column: str, func: str) -> np.ndarray:
    s = data[column]
    if not (pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)):
        raise UsageError(f"{func}() needs `{column}` to be numeric, but it has dtype {s.dtype}")
    return s.to_numpy(dtype="float64", na_value=np.nan)


def _county(data: pd.DataFrame) -> pd.Series:
    if "fylkesnummer" in data.columns:
        return data["fylkesnummer"]
    return data["kommunenummer"].astype("str").str[:2].rename("fylkesnummer")
