"""Tests of the general estimator (kompetanse.did) on plain DataFrames: small panels whose
answers are worked out by hand below, argument errors, and the group-time effects of an
independent implementation (the `differences` package) on a balanced panel."""

from __future__ import annotations

import ast
import doctest
import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import kompetanse.did
from kompetanse.did import NoEstimateError, att_gt, twfe
from kompetanse.errors import ParameterError

COLUMNS = {"unit": "id", "time": "t", "cohort": "g", "outcome": "y"}


def _long(values: dict[str, list[float]], cohorts: dict[str, float], *, start: int = 1, **extra) -> pd.DataFrame:
    """A long panel from {unit: outcomes by period}; ``extra`` columns as {unit: value or list}."""
    rows = []
    for unit, ys in values.items():
        for i, y in enumerate(ys):
            row = {"id": unit, "t": start + i, "g": cohorts.get(unit, np.nan), "y": y}
            for name, by_unit in extra.items():
                v = by_unit[unit]
                row[name] = v[i] if isinstance(v, list) else v
            rows.append(row)
    return pd.DataFrame(rows)


def _cells(res) -> dict[tuple[int, int], float]:
    return {(int(g), int(t)): e for g, t, e in res.group_time[["cohort", "time", "estimate"]].itertuples(index=False)}


# --- 2×2 ----------------------------------------------------------------------------------
#
# Periods 1 and 2; A and B first treated in period 2, C and D never.
#        y1  y2   change   weight (period 1, period 2)
#   A    10  14   4        3, 100
#   B    12  15   3        1, 100
#   C    11  12   1        3, 1
#   D     9  11   2        1, 1
# Unweighted: 3.5 - 1.5 = 2.0.
# Weighted by the base period's weight (period 1; period 2's weights play no part):
#   treated (3*4 + 1*3) / 4 = 3.75, controls (3*1 + 1*2) / 4 = 1.25: 2.5.
# Jackknife (unweighted), leaving out A, B, C, D: 3 - 1.5 = 1.5, 4 - 1.5 = 2.5, 3.5 - 2 = 1.5,
#   3.5 - 1 = 2.5; mean 2, squared deviations 4 * 0.25 = 1, variance 3/4 * 1: se = sqrt(0.75).
#   Degrees of freedom: two treated clusters of equal weight, 2 - 1 = 1.

TWO_BY_TWO = _long({"A": [10, 14], "B": [12, 15], "C": [11, 12], "D": [9, 11]}, {"A": 2, "B": 2},
                   w={"A": [3, 100], "B": [1, 100], "C": [3, 1], "D": [1, 1]})


def test_two_by_two_unweighted():
    res = att_gt(TWO_BY_TWO, **COLUMNS)
    assert _cells(res) == {(2, 2): pytest.approx(2.0)}
    assert res.estimate == pytest.approx(2.0)
    assert (res.n_treated, res.n_control) == (2, 2)
    assert res.event_study.set_index("rel_time").loc[0, "estimate"] == pytest.approx(2.0)


def test_two_by_two_jackknife_standard_error_and_t_interval():
    res = att_gt(TWO_BY_TWO, **COLUMNS, confidence_level=0.9)
    assert res.se == pytest.approx(math.sqrt(0.75))
    assert res.df == pytest.approx(1.0)
    q = stats.t.ppf(0.95, 1)
    assert (res.ci_low, res.ci_high) == (pytest.approx(2 - q * math.sqrt(0.75)), pytest.approx(2 + q * math.sqrt(0.75)))
    assert res.p_value == pytest.approx(2 * stats.t.sf(2 / math.sqrt(0.75), 1))


def test_two_by_two_weighted_by_the_base_period():
    res = att_gt(TWO_BY_TWO, **COLUMNS, weight="w")
    assert res.estimate == pytest.approx(2.5)
    assert res.group_time["weight"].tolist() == [4.0]  # treated weight in the base period: 3 + 1


def test_first_effect_leaves_the_first_treated_period_out_of_the_overall_effect():
    with pytest.raises(NoEstimateError) as info:
        att_gt(TWO_BY_TWO, **COLUMNS, first_effect=1)
    assert info.value.reason == "post"


# --- staggered, with not-yet-treated controls ---------------------------------------------------
#
# Periods 1–4; A first treated in 2, B in 3, C and D never.
#        y1   y2   y3   y4
#   A    1    2    4    5
#   B    2    2    3    6
#   C    1    1.5  2    2.5
#   D    3    3    3.5  3.5
# Cohort 2 (base period 1):
#   (2, 2): A 1; controls not treated by max(2, 1) = 2: B 0, C 0.5, D 0 -> 1/6;   ATT 5/6
#   (2, 3): A 3; controls not treated by 3: C 1, D 0.5 -> 0.75;                ATT 2.25
#   (2, 4): A 4; C 1.5, D 0.5 -> 1;                                           ATT 3
# Cohort 3 (base period 2):
#   (3, 1): B 0; controls not treated by max(1, 2) = 2: C -0.5, D 0 -> -0.25 (A started in 2); ATT 0.25
#   (3, 3): B 1; C 0.5, D 0.5;                                                ATT 0.5
#   (3, 4): B 4; C 1, D 0.5 -> 0.75;                                          ATT 3.25
# Never-treated controls change only (2, 2): C 0.5, D 0 -> 0.25, ATT 0.75.
# Overall (one unit per cohort, equal weights): first_effect 0: (5/6 + 2.25 + 3 + 0.5 + 3.25) / 5
#   = 59/30; first_effect 1: (2.25 + 3 + 3.25) / 3 = 17/6.
# Event study: rel_time 0 (5/6 + 0.5) / 2 = 2/3, 1: (2.25 + 3.25) / 2 = 2.75, 2: 3, -2: 0.25.
# Weighted, A 2, B 1, C 1, D 3 in every period, first_effect 1:
#   (2, 3): 3 - (1*1 + 3*0.5) / 4 = 2.375; (2, 4): 4 - (1.5 + 1.5) / 4 = 3.25; (2 weight each)
#   (3, 4): 4 - (1 + 1.5) / 4 = 3.375 (weight 1); overall (2*2.375 + 2*3.25 + 3.375) / 5 = 2.925.

STAGGERED = _long({"A": [1, 2, 4, 5], "B": [2, 2, 3, 6], "C": [1, 1.5, 2, 2.5], "D": [3, 3, 3.5, 3.5]},
                  {"A": 2, "B": 3}, w={"A": 2, "B": 1, "C": 1, "D": 3})


def test_staggered_not_yet_treated():
    res = att_gt(STAGGERED, **COLUMNS)
    assert _cells(res) == pytest.approx({(2, 2): 5 / 6, (2, 3): 2.25, (2, 4): 3.0,
                                         (3, 1): 0.25, (3, 3): 0.5, (3, 4): 3.25})
    assert res.estimate == pytest.approx(59 / 30)
    gt = res.group_time.set_index(["cohort", "time"])
    assert gt.loc[(2, 2), "n_control"] == 3 and gt.loc[(2, 3), "n_control"] == 2  # B only before it starts
    es = res.event_study.set_index("rel_time")["estimate"]
    assert es.to_dict() == pytest.approx({-2: 0.25, -1: 0.0, 0: 2 / 3, 1: 2.75, 2: 3.0})
    assert res.placebo.estimate == pytest.approx(0.25)


def test_staggered_never_treated_changes_only_the_cell_where_b_was_a_control():
    res = att_gt(STAGGERED, **COLUMNS, control_group="never_treated")
    assert _cells(res) == pytest.approx({(2, 2): 0.75, (2, 3): 2.25, (2, 4): 3.0,
                                         (3, 1): 0.25, (3, 3): 0.5, (3, 4): 3.25})
    assert res.group_time["n_control"].max() == 2


def test_staggered_first_effect_and_weights():
    assert att_gt(STAGGERED, **COLUMNS, first_effect=1).estimate == pytest.approx(17 / 6)
    res = att_gt(STAGGERED, **COLUMNS, first_effect=1, weight="w")
    assert _cells(res)[2, 3] == pytest.approx(2.375) and _cells(res)[3, 4] == pytest.approx(3.375)
    assert res.estimate == pytest.approx(2.925)


def test_every_never_treated_mark_means_the_same():
    base = att_gt(STAGGERED, **COLUMNS).to_dict()
    for mark in (0, np.inf):
        assert att_gt(STAGGERED.assign(g=STAGGERED["g"].fillna(mark)), **COLUMNS).to_dict() == base, mark
    nullable = STAGGERED.assign(g=STAGGERED["g"].astype("Int64"))  # pd.NA for never treated
    assert nullable["g"].isna().any()
    assert att_gt(nullable, **COLUMNS).to_dict() == base


def test_missing_outcomes_are_unobserved_periods():
    # C unobserved in period 4: cell (2, 4) and (3, 4) compare with D only
    data = STAGGERED.assign(y=STAGGERED["y"].where(~((STAGGERED["id"] == "C") & (STAGGERED["t"] == 4))))
    res = att_gt(data, **COLUMNS)
    cells = _cells(res)
    assert cells[2, 4] == pytest.approx(4 - 0.5) and cells[3, 4] == pytest.approx(4 - 0.5)
    # two units, two clusters, two coefficients: no residual degrees of freedom for a regression error
    assert np.isnan(res.group_time.set_index(["cohort", "time"]).loc[(2, 4), "se_wls"])


# --- few treated clusters: the estimate, but no interval ---------------------------------------
#
# ONE_TREATED: A first treated in 3, B and C never. Leaving A out leaves no treated side, so the
# jackknife says nothing about A's noise: the interval is refused, the estimate is not.
#   (3, 3): A 2 - 2 = 0; controls B 1 - 1 = 0, C 3 - 2 = 1 -> 0.5;  ATT -0.5
#   (3, 4): A 5 - 2 = 3; controls B 1, C 1 -> 1;                     ATT 2;  overall 0.75

ONE_TREATED = _long({"A": [1, 2, 2, 5], "B": [1, 1, 1, 2], "C": [2, 2, 3, 3]}, {"A": 3})
_REFUSED = ["se", "ci_low", "ci_high", "p_value"]


@pytest.mark.parametrize("inference", ["jackknife", "bootstrap"])
def test_one_treated_cluster_gives_the_estimate_but_no_interval(inference):
    res = att_gt(ONE_TREATED, **COLUMNS, inference=inference)
    assert res.estimate == pytest.approx(0.75)
    assert all(math.isnan(getattr(res, k)) for k in [*_REFUSED, "df"])
    assert res.no_interval_reason.startswith("only 1 treated cluster contributes")
    assert res.group_time[_REFUSED].isna().all().all()
    assert res.group_time["no_interval_reason"].notna().all()
    es = res.event_study.set_index("rel_time")
    assert es.loc[[-2, 0, 1], _REFUSED].isna().all().all() and es.loc[[-2, 0, 1], "no_interval_reason"].notna().all()
    assert es.loc[[-2, 0, 1], "estimate"].notna().all()


def test_one_treated_cluster_has_no_pre_period_test_even_with_one_coefficient():
    res = att_gt(ONE_TREATED, **COLUMNS)
    assert res.placebo.df == 0 and math.isnan(res.placebo.wald_p_value) and math.isnan(res.placebo.p_value)
    assert res.placebo.note.startswith("no pre-period test: only 1 treated cluster")


def test_one_treated_cluster_is_null_in_json():
    out = att_gt(ONE_TREATED, **COLUMNS).to_dict()
    assert out["estimate"] == pytest.approx(0.75)
    assert [out[k] for k in _REFUSED] == [None] * 4 and "at least 2" in out["no_interval_reason"]
    json.dumps(out, allow_nan=False)


def test_intervals_are_refused_cell_by_cell_where_one_treated_cluster_remains():
    # STAGGERED: one treated unit per cohort, so every cell rests on one; the overall effect and
    # rel_time 0 and 1 on two (A and B); rel_time 2 only on A, -2 only on B.
    res = att_gt(STAGGERED, **COLUMNS)
    assert not math.isnan(res.ci_low) and res.no_interval_reason is None
    assert res.group_time["ci_low"].isna().all()
    assert res.group_time["se_wls"].notna().any()  # the regression check is given regardless
    es = res.event_study.set_index("rel_time")
    assert es.loc[[0, 1], "ci_low"].notna().all() and es.loc[[0, 1], "no_interval_reason"].isna().all()
    assert es.loc[[-2, 2], "ci_low"].isna().all() and es.loc[[-2, 2], "no_interval_reason"].notna().all()
    assert es.loc[[-2, 2], "estimate"].tolist() == pytest.approx([0.25, 3.0])


def test_two_treated_clusters_give_an_interval_in_a_cell():
    data = _long({"A": [1, 2, 4], "B": [1, 1, 2], "C": [2, 2, 2], "D": [1, 2, 2]}, {"A": 3, "B": 3})
    gt = att_gt(data, **COLUMNS).group_time
    assert gt["ci_low"].notna().all() and gt["no_interval_reason"].isna().all()


# --- nothing to estimate: each cause in its own words ---------------------------------------------


def test_no_period_before_the_base_period_says_the_placebo_test_cannot_be_run():
    placebo = att_gt(TWO_BY_TWO, **COLUMNS).placebo  # periods 1 and 2: the base period is the first
    assert placebo.df == 0 and math.isnan(placebo.wald_p_value) and math.isnan(placebo.estimate)
    assert placebo.note.startswith("no pre-period test: no cohort is observed in a period before its base period")


def test_nobody_treated_says_there_is_no_cohort():
    with pytest.raises(NoEstimateError, match="no unit is ever treated") as info:
        att_gt(STAGGERED.assign(g=np.nan), **COLUMNS)
    assert info.value.reason == "no_cohort"


def test_everyone_treated_at_once_says_no_control_is_left():
    with pytest.raises(NoEstimateError, match="no control unit is left") as info:
        att_gt(STAGGERED.assign(g=3), **COLUMNS)
    assert info.value.reason == "no_controls"
    assert "estimated yet" not in str(info.value)


def test_never_treated_controls_without_a_never_treated_unit_say_no_control_is_left():
    data = STAGGERED[STAGGERED["id"].isin(["A", "B"])]
    with pytest.raises(NoEstimateError, match="no control unit is left.*never_treated") as info:
        att_gt(data, **COLUMNS, control_group="never_treated")
    assert info.value.reason == "no_controls"


def test_nothing_to_estimate_is_one_sentence():
    for data in (STAGGERED.assign(g=np.nan), STAGGERED.assign(g=3), STAGGERED[STAGGERED["t"] >= 3]):
        with pytest.raises(NoEstimateError) as info:
            att_gt(data, **COLUMNS)
        (problem,) = info.value.problems
        assert problem.expected.count(". ") == 0 and not problem.expected.endswith(".")


# --- strata and clusters ------------------------------------------------------------------------
#
# Stratum s1 is the 2×2 above (ATT 2, treated weight 2). Stratum s2: E treated in 2 (change 5),
# F and G never (changes 3 and 5): ATT 5 - 4 = 1, treated weight 1. Kept apart: (2*2 + 1*1)/3 = 5/3;
# pooled: treated (4 + 3 + 5)/3 = 4, controls (1 + 2 + 3 + 5)/4 = 2.75: 1.25.

STRATIFIED = pd.concat([
    TWO_BY_TWO.assign(s="s1"),
    _long({"E": [0, 5], "F": [0, 3], "G": [1, 6]}, {"E": 2}).assign(s="s2"),
], ignore_index=True)


def test_strata_are_never_compared_with_each_other():
    assert att_gt(STRATIFIED, **COLUMNS, strata="s").estimate == pytest.approx(5 / 3)
    assert att_gt(STRATIFIED, **COLUMNS).estimate == pytest.approx(1.25)


def test_a_stratum_without_treated_units_changes_nothing():
    controls_only = _long({"X": [0, 9], "Y": [5, -4]}, {}).assign(s="s3")
    plain = att_gt(STRATIFIED, **COLUMNS, strata="s")
    more = att_gt(pd.concat([STRATIFIED, controls_only]), **COLUMNS, strata="s")
    assert more.estimate == pytest.approx(plain.estimate, abs=1e-12)


def test_unit_of_several_columns_equals_one_combined_column():
    data = STRATIFIED.assign(kommune=STRATIFIED["id"].map(lambda u: "k" + str("ABCDEFG".index(u) // 2)))
    several = att_gt(data, unit=["kommune", "s", "id"], time="t", cohort="g", outcome="y", strata="s",
                     cluster="kommune")
    one = att_gt(data.assign(uid=data["kommune"] + data["s"] + data["id"]), unit="uid", time="t", cohort="g",
                 outcome="y", strata="s", cluster="kommune")
    assert several.to_dict() == one.to_dict()


def _random_panel(seed: int = 3, *, units: int = 30, periods: range = range(2014, 2022)) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cohorts = [2016, 2018, 2019, np.nan]
    rows = []
    for u in range(units):
        g, w = cohorts[u % 4], int(rng.integers(5, 60))
        for t in periods:
            effect = 0.3 * (t - g + 1) if not np.isnan(g) and t >= g else 0.0
            rows.append((u, u // 3, t, g, rng.normal() + 0.05 * (t - periods[0]) + effect, w))
    return pd.DataFrame(rows, columns=["unit", "cluster", "time", "cohort", "y", "w"])


def test_jackknife_equals_refitting_without_each_cluster():
    data = _random_panel()
    options = {"unit": "unit", "time": "time", "cohort": "cohort", "outcome": "y", "weight": "w",
               "cluster": "cluster"}
    res = att_gt(data, **options)
    leave_out = np.array([att_gt(data[data["cluster"] != k], **options).estimate for k in data["cluster"].unique()])
    k = len(leave_out)
    assert res.se == pytest.approx(math.sqrt((k - 1) / k * ((leave_out - leave_out.mean()) ** 2).sum()), rel=1e-9)
    assert res.n_treated == data.loc[data["cohort"].notna(), "cluster"].nunique()


def test_bootstrap_is_reproducible_and_keeps_the_estimate():
    data = _random_panel()
    options = {"unit": "unit", "time": "time", "cohort": "cohort", "outcome": "y", "cluster": "cluster"}
    jack = att_gt(data, **options)
    boot = [att_gt(data, **options, inference="bootstrap", n_boot=200, seed=s) for s in (1, 1, 2)]
    assert boot[0].estimate == jack.estimate and boot[0].to_dict() == boot[1].to_dict()
    assert boot[0].se != boot[2].se and 0.5 < boot[0].se / jack.se < 2
    assert (boot[0].n_boot, boot[0].seed, jack.n_boot, jack.seed) == (200, 1, None, None)


# --- against an independent implementation -----------------------------------------------------


@pytest.mark.parametrize("control_group", ["not_yet_treated", "never_treated"])
@pytest.mark.parametrize("weight", [None, "w"])
def test_group_time_effects_equal_those_of_the_differences_package(control_group, weight):
    differences = pytest.importorskip("differences")
    data = _random_panel()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the package's pandas-4 deprecation warnings
        model = differences.ATTgt(data=data.set_index(["unit", "time"]), cohort_column="cohort",
                                  base_period="universal")
        model.fit(formula="y", control_group=control_group, weights_column=weight, progress_bar=False)
        cells, simple, event = model.results(), model.aggregate("simple"), model.aggregate("event")
    theirs = _flat(cells).reset_index()
    theirs = theirs[theirs["time"] != theirs["base_period"]].set_index(["cohort", "time"])["ATT"]
    res = att_gt(data, unit="unit", time="time", cohort="cohort", outcome="y", weight=weight,
                 control_group=control_group)
    ours = res.group_time.set_index(["cohort", "time"])["estimate"]
    assert len(ours) == len(theirs) == 21
    np.testing.assert_allclose(ours.sort_index().to_numpy(), theirs.sort_index().to_numpy(), rtol=0, atol=1e-9)
    # the aggregations agree too: "simple" is the overall effect from the first treated period on
    assert res.estimate == pytest.approx(float(_flat(simple)["ATT"].iloc[0]), abs=1e-9)
    es = res.event_study.set_index("rel_time")["estimate"]
    np.testing.assert_allclose(es.sort_index().to_numpy(), _flat(event)["ATT"].sort_index().to_numpy(), atol=1e-9)


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_axis([c[-1] if isinstance(c, tuple) else c for c in frame.columns], axis=1)


# --- argument errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(("change", "options", "message"), [
    (None, {"outcome": "score"}, r"`outcome` must be the name of a column of `data`, but 'score' was passed: "
                                 r"`data` has the columns 'id', 't', 'g', 'y', 'w'"),
    (None, {"weight": "vekt"}, r"`weight` must be the name of a column of `data`, but 'vekt' was passed"),
    (lambda d: d.assign(y=d["y"].astype(str)), {}, r"`outcome` must be a column of numbers, but 'y' was passed"),
    (lambda d: d.assign(t=d["t"] + 0.5), {}, r"`time` must be a column of whole numbers .* but 't' was passed"),
    (lambda d: d.assign(g=d["g"].where(d["t"] != 1, 3)), {}, r"`cohort` must be a column that is constant within "
                                                             r"each unit, but 'g' was passed: unit 'A'"),
    (lambda d: pd.concat([d, d.iloc[:1]]), {}, r"`unit` must be columns that identify one row per unit and period"),
    (lambda d: d.assign(w=-d["w"]), {"weight": "w"}, r"`weight` must be a column of positive, finite numbers"),
    (lambda d: d.assign(c=d["t"]), {"cluster": "c"}, r"`cluster` must be a column that is constant within each unit"),
    (None, {"control_group": "all"}, r"`control_group` must be one of not_yet_treated, never_treated, but 'all'"),
    (None, {"inference": "delta"}, r"`inference` must be one of jackknife, bootstrap, but 'delta' was passed"),
    (None, {"inference": "bootstrap", "n_boot": 10}, r"`n_boot` must be a whole number of at least 50, but 10"),
    (None, {"confidence_level": 95}, r"`confidence_level` must be a number between 0 and 1, e.g. 0.95, but 95"),
    (None, {"first_effect": -1}, r"`first_effect` must be a whole number of 0 or more, but -1 was passed"),
])
def test_arguments_that_cannot_be_used_are_refused_naming_the_column(change, options, message):
    data = change(STAGGERED) if change else STAGGERED
    with pytest.raises(ParameterError, match=message):
        att_gt(data, **{**COLUMNS, **options})


def test_data_must_be_a_data_frame():
    with pytest.raises(ParameterError, match=r"`data` must be a pandas DataFrame .* but 'dict' was passed"):
        att_gt(STAGGERED.to_dict(), **COLUMNS)


def test_zero_cannot_mark_never_treated_when_it_is_a_period():
    data = _long({"A": [1, 2, 3], "B": [1, 1, 1]}, {"A": 1, "B": 0}, start=0)
    with pytest.raises(ParameterError, match="0 is also a period in column 't'"):
        att_gt(data, **COLUMNS)


def test_no_comparable_cohort_is_a_data_error_naming_the_reason():
    data = STAGGERED[STAGGERED["t"] >= 3]  # cohort 2's base period 1 and cohort 3's base period 2 are gone
    with pytest.raises(NoEstimateError, match="no cohort can be compared") as info:
        att_gt(data, **COLUMNS)
    assert info.value.reason == "cohort"


# --- two-way fixed effects -----------------------------------------------------------------------


def _dummy_regression(data: pd.DataFrame, weight: str | None, first_effect: int) -> float:
    d = (data["time"] >= data["cohort"] + first_effect).astype(float)
    x = np.column_stack([d, pd.get_dummies(data["unit"], dtype=float), pd.get_dummies(data["time"], dtype=float).iloc[:, 1:]])
    w = np.sqrt(data[weight].to_numpy(dtype=float) if weight else np.ones(len(data)))
    return float(np.linalg.lstsq(x * w[:, None], data["y"].to_numpy() * w, rcond=None)[0][0])


@pytest.mark.parametrize("weight", [None, "w"])
@pytest.mark.parametrize("first_effect", [0, 1])
def test_twfe_equals_the_regression_on_unit_and_period_dummies(weight, first_effect):
    data = _random_panel()
    res = twfe(data, unit="unit", time="time", cohort="cohort", outcome="y", weight=weight, cluster="cluster",
               first_effect=first_effect)
    assert res.estimate == pytest.approx(_dummy_regression(data, weight, first_effect), abs=1e-9)
    assert (res.n_obs, res.n_clusters) == (len(data), data["cluster"].nunique())
    assert res.ci_low < res.estimate < res.ci_high


def test_twfe_without_treated_periods_has_no_contrast():
    with pytest.raises(NoEstimateError, match="no contrast") as info:
        twfe(STAGGERED.assign(g=np.nan), **COLUMNS)
    assert info.value.reason == "contrast"


# --- documentation and layering -----------------------------------------------------------------


def test_the_documented_examples_run_as_shown():
    for module in (kompetanse.did, kompetanse.did.estimator):
        failed, attempted = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert attempted > 0 and failed == 0, module.__name__


def test_the_estimator_knows_nothing_of_the_project_data():
    folder = Path(kompetanse.did.__file__).parent
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom | ast.Import):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                for name in names:
                    assert not name.startswith(("kompetanse.data", "kompetanse.reports", "kompetanse.outcomes",
                                                "kompetanse.analysis")), (path.name, name)


def test_the_readme_example_runs_and_gives_the_number_it_states():
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The estimator on your own panel", 1)[1].split("\n## ", 1)[0]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - our own documentation
    assert "0.567" in code and round(namespace["res"].estimate, 3) == 0.567
