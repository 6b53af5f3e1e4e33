"""The national and county view: how coverage is distributed, which municipalities lack each
level, and how coverage changed over the years. Built on `kompetanse.analysis.coverage`."""

from __future__ import annotations

import pandas as pd

from kompetanse.analysis.coverage import coverage_by_level
from kompetanse.analysis.periods import reference_date
from kompetanse.data.reference import LEVELS
from kompetanse.settings import COVERAGE_STATUSES


def status_counts(coverage: pd.DataFrame, *, by: str | None = "fylkesnummer") -> pd.DataFrame:
    """Municipalities by coverage status per level, per county (or for the country with
    ``by=None``).

    Parameters
    ----------
    coverage : the output of `coverage_by_level` (one row per kommunenummer and niva).
    by : ``"fylkesnummer"`` for one row per county and level, None for the country.

    Returns
    -------
    One row per (county, niva) or per niva, with ``fylkesnavn`` where by county, ``kommuner``
    (municipalities), ``dekket``, ``sarbar``, ``mangler`` (counts), ``andel_dekket`` (share of
    municipalities where the level is dekket) and ``barn_i_dekkede`` (share of the children 0–17
    who live in a municipality where the level is dekket).
    """
    keys = ([by, "fylkesnavn"] if by else []) + ["niva"]
    counts = (coverage.groupby(keys + ["status"], observed=True).size()
              .unstack("status", fill_value=0).reindex(columns=list(COVERAGE_STATUSES), fill_value=0))
    counts.columns = list(COVERAGE_STATUSES)
    counts = counts.reset_index()
    counts["kommuner"] = counts[list(COVERAGE_STATUSES)].sum(axis=1)
    counts["andel_dekket"] = counts["dekket"] / counts["kommuner"]
    barn = coverage.assign(barn_dekket=coverage["barn_0_17"].where(coverage["status"] == "dekket", 0))
    shares = barn.groupby(keys, observed=True)[["barn_dekket", "barn_0_17"]].sum().reset_index()
    shares["barn_i_dekkede"] = shares["barn_dekket"] / shares["barn_0_17"]
    out = counts.merge(shares[keys + ["barn_i_dekkede"]], on=keys, how="left")
    return out[keys + ["kommuner", *COVERAGE_STATUSES, "andel_dekket", "barn_i_dekkede"]].sort_values(keys,
                                                                                                   ignore_index=True)


def lacking(coverage: pd.DataFrame) -> pd.DataFrame:
    """For each level and county, the municipalities where the level is ``mangler``.

    Returns one row per (niva, fylkesnummer) with ``fylkesnavn``, ``antall`` and ``kommuner``
    (the names, alphabetical, comma-separated), levels in their fixed order.
    """
    d = coverage[coverage["status"] == "mangler"].sort_values("kommunenavn")
    out = (d.groupby(["niva", "fylkesnummer", "fylkesnavn"], observed=True)
           .agg(antall=("kommunenummer", "size"), kommuner=("kommunenavn", ", ".join)).reset_index())
    return out.sort_values(["niva", "fylkesnummer"], ignore_index=True)


def coverage_trend(ds, *, years=None, fylkesnummer: str | None = None, **thresholds) -> pd.DataFrame:
    """Share of municipalities where each level is ``dekket`` at the end of each year.

    Parameters
    ----------
    ds : the Dataset.
    years : the years to look at (default: every year in ``befolkning`` and ``tilbud``).
    fylkesnummer : only this county.
    thresholds : passed on to `coverage_by_level`.

    Returns
    -------
    One row per (ar, niva) with ``kommuner``, ``dekket`` and ``andel_dekket``.
    """
    if years is None:
        years = sorted(set(ds.befolkning["ar"]) | set(ds.tilbud["ar"]))
    frames = []
    for year in years:  # a handful of years; each call is vectorised over all municipalities
        cov = coverage_by_level(ds, on=reference_date(ds, periode=int(year)), **thresholds)
        if fylkesnummer:
            cov = cov[cov["fylkesnummer"] == fylkesnummer]
        counts = status_counts(cov, by=None)
        frames.append(counts.assign(ar=int(year))[["ar", "niva", "kommuner", "dekket", "andel_dekket"]])
    out = pd.concat(frames, ignore_index=True)
    out["niva"] = pd.Categorical(out["niva"], categories=LEVELS, ordered=True)
    return out.sort_values(["ar", "niva"], ignore_index=True)
