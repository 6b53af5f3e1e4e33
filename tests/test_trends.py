"""Trend markers from a Poisson regression on the year, and the yearly capacity beside peers and
the country. Expected answers are worked by hand or checked against statsmodels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import kompetanse
from kompetanse.analysis.coverage import coverage_by_level
from kompetanse.analysis.trends import level_trend_markers, level_trends, trend_markers


def _series(name: str, counts: list[int], start: int = 2021, exposure: int = 1000) -> pd.DataFrame:
    return pd.DataFrame({"serie": name, "ar": range(start, start + len(counts)), "antall": counts,
                         "barn": exposure})


@pytest.fixture
def series() -> pd.DataFrame:
    return pd.concat([_series("stiger", [10, 20, 30, 40, 50]), _series("flat", [10, 10, 10, 10, 10]),
                      _series("faller", [50, 40, 30, 20, 10]), _series("to_ar", [10, 50]),
                      _series("null", [0, 0, 0]), _series("bare_sist", [0, 0, 0, 4])], ignore_index=True)


def test_markers_follow_the_slope_interval(series):
    out = trend_markers(series, count="antall", exposure="barn", by="serie").set_index("serie")
    assert out.loc["stiger", "trend"] == "økende" and out.loc["stiger", "stigning_low"] > 0
    assert out.loc["faller", "trend"] == "synkende" and out.loc["faller", "stigning_high"] < 0
    # a flat series: the slope is 0 exactly, its interval symmetric about 0
    assert out.loc["flat", "stigning"] == pytest.approx(0, abs=1e-12)
    assert out.loc["flat", "stigning_low"] == pytest.approx(-out.loc["flat", "stigning_high"])
    assert out.loc["flat", "trend"] == "ingen tydelig endring" and out.loc["flat", "trend_merknad"] == ""


def test_too_few_years_zero_or_unfittable_series_get_no_marker(series):
    out = trend_markers(series, count="antall", exposure="barn", by="serie").set_index("serie")
    assert out.loc["to_ar", "antall_ar"] == 2
    assert out.loc["to_ar", "trend"] == "" and out.loc["to_ar", "trend_merknad"] == "færre enn 3 år"
    assert np.isnan(out.loc["to_ar", "stigning"])
    assert out.loc["null", "trend"] == "" and out.loc["null", "trend_merknad"].startswith("ingen registrert")
    assert out.loc["bare_sist", "trend"] == "" and "første eller siste" in out.loc["bare_sist", "trend_merknad"]


def test_estimate_matches_statsmodels_poisson_glm():
    import statsmodels.api as sm

    d = pd.DataFrame({"ar": [2021, 2022, 2023, 2024, 2025], "antall": [3, 1, 4, 6, 5],
                      "barn": [800, 820, 790, 810, 805]})
    out = trend_markers(d, count="antall", exposure="barn").iloc[0]
    fit = sm.GLM(d["antall"], sm.add_constant(d["ar"] - 2023.0), family=sm.families.Poisson(),
                 offset=np.log(d["barn"])).fit()
    low, high = fit.conf_int().iloc[1]
    assert out["stigning"] == pytest.approx(fit.params.iloc[1], rel=1e-6)
    assert out["stigning_low"] == pytest.approx(low, rel=1e-6)
    assert out["stigning_high"] == pytest.approx(high, rel=1e-6)
    assert out["trend"] == "ingen tydelig endring"  # the interval crosses 0
    assert out["endring_per_ar"] == pytest.approx(np.expm1(fit.params.iloc[1]))


def test_missing_or_zero_exposure_rows_are_left_out():
    d = pd.concat([_series("a", [10, 20, 30]), pd.DataFrame({"serie": ["a"], "ar": [2024], "antall": [0],
                                                             "barn": [0]})])
    out = trend_markers(d, count="antall", exposure="barn", by="serie")
    assert out.loc[0, "antall_ar"] == 3 and out.loc[0, "trend"] == "økende"


def test_bad_min_years_is_an_argument_error(series):
    with pytest.raises(kompetanse.errors.UsageError, match="`min_years`"):
        trend_markers(series, count="antall", exposure="barn", by="serie", min_years=1)


@pytest.fixture(scope="module")
def sample_trends():
    ds = kompetanse.load()
    return ds, level_trends(ds)


def test_level_trends_on_the_sample_match_coverage_and_pool_the_others(sample_trends):
    ds, tr = sample_trends
    years = sorted(tr["ar"].unique())
    assert years == sorted(set(ds.befolkning["ar"]) | set(ds.tilbud["ar"]))
    assert len(tr) == len(ds.kommuner) * 3 * len(years)
    last = coverage_by_level(ds, on="2025-12-31")
    t25 = tr[tr["ar"] == 2025].set_index(["kommunenummer", "niva"])
    c25 = last.set_index(["kommunenummer", "niva"]).loc[t25.index]
    assert (t25["kapasitet"] == c25["kapasitet"]).all()
    assert (t25["status"].astype(str) == c25["status"].astype(str)).all()
    oslo = t25.loc[("0301", "universell")]
    group = t25[(t25["peer_group"] == oslo["peer_group"])].xs("universell", level="niva")
    assert oslo["peer_kapasitet"] == group["kapasitet"].sum() - oslo["kapasitet"]
    assert oslo["peer_antall"] == len(group) - 1
    assert oslo["land_kapasitet"] == t25.xs("universell", level="niva")["kapasitet"].sum()


def test_level_trend_markers_on_the_sample(sample_trends):
    _, tr = sample_trends
    mk = level_trend_markers(tr)
    assert len(mk) == tr[["kommunenummer", "niva"]].drop_duplicates().shape[0]
    assert set(mk["trend"]) <= {"økende", "synkende", "ingen tydelig endring", ""}
    assert (mk.loc[mk["trend"] == "", "trend_merknad"] != "").all()
    assert set(mk["trend_land"]) <= {"økende", "synkende", "ingen tydelig endring"}
