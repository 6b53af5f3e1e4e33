"""County and country comparisons: quartiles, ranks, placement, and better/worse against the
national rate only where a Poisson interval supports it. Expected numbers are worked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import kompetanse
from kompetanse.analysis.compare import compare
from kompetanse.errors import UsageError


@pytest.fixture
def two_counties() -> pd.DataFrame:
    """County 11 has 1, 2, 3, 4; county 15 has 10, 20, 30."""
    return pd.DataFrame(
        {
            "kommunenummer": ["1101", "1103", "1106", "1108", "1505", "1506", "1507"],
            "fylkesnummer": ["11", "11", "11", "11", "15", "15", "15"],
            "fylkesnavn": ["Rogaland"] * 4 + ["Møre og Romsdal"] * 3,
            "verdi": [1.0, 2.0, 3.0, 4.0, 10.0, 20.0, 30.0],
        }
    )


def test_quartiles_of_county_and_country(two_counties):
    out = compare(two_counties, value="verdi")
    # type-7 quantiles: position (n - 1) * p. County 11 (n = 4): q1 at 0.75 -> 1.75, median 2.5,
    # q3 at 2.25 -> 3.25. County 15 (n = 3): 15, 20, 25. Country (n = 7): q1 at 1.5 -> 2.5,
    # median at 3 -> 4, q3 at 4.5 -> 15.
    rogaland = out.iloc[0]
    assert (rogaland["fylke_q1"], rogaland["fylke_median"], rogaland["fylke_q3"]) == (1.75, 2.5, 3.25)
    more = out.iloc[-1]
    assert (more["fylke_q1"], more["fylke_median"], more["fylke_q3"]) == (15.0, 20.0, 25.0)
    assert out["land_q1"].eq(2.5).all() and out["land_median"].eq(4.0).all() and out["land_q3"].eq(15.0).all()
    assert out["antall_i_fylket"].tolist() == [4, 4, 4, 4, 3, 3, 3]
    assert out["antall_i_landet"].eq(7).all()


def test_rank_one_is_best_when_higher_is_better(two_counties):
    out = compare(two_counties, value="verdi", higher_is_better=True)
    assert out["rang_i_fylket"].tolist() == [4, 3, 2, 1, 3, 2, 1]
    assert out["rang_i_landet"].tolist() == [7, 6, 5, 4, 3, 2, 1]


def test_rank_one_is_lowest_when_lower_is_better(two_counties):
    out = compare(two_counties, value="verdi", higher_is_better=False)
    assert out["rang_i_fylket"].tolist() == [1, 2, 3, 4, 1, 2, 3]
    assert out["rang_i_landet"].tolist() == [1, 2, 3, 4, 5, 6, 7]


def test_tied_values_share_the_best_rank(two_counties):
    data = two_counties.assign(verdi=[1.0, 3.0, 3.0, 4.0, 10.0, 20.0, 30.0])
    out = compare(data, value="verdi")
    assert out["rang_i_fylket"].tolist()[:4] == [4, 2, 2, 1]


def test_placement_is_by_national_quartiles(two_counties):
    out = compare(two_counties, value="verdi")
    # national q1 = 2.5, q3 = 15
    assert out["plassering"].tolist() == [
        "nederste_kvartil",
        "nederste_kvartil",
        "midtre_halvdel",
        "midtre_halvdel",
        "midtre_halvdel",
        "overste_kvartil",
        "overste_kvartil",
    ]


def test_missing_value_is_placed_nowhere(two_counties):
    data = pd.concat(
        [two_counties, pd.DataFrame({"kommunenummer": ["1111"], "fylkesnummer": ["11"], "verdi": [np.nan]})],
        ignore_index=True,
    )
    out = compare(data, value="verdi")
    missing = out.iloc[-1]
    assert missing["rang_i_fylket"] is pd.NA and missing["rang_i_landet"] is pd.NA
    assert missing["plassering"] == ""
    # medians and counts as without the row
    assert out["fylke_median"].iloc[0] == 2.5 and out["land_median"].iloc[0] == 4.0
    assert out["antall_i_fylket"].iloc[0] == 4 and out["antall_i_landet"].iloc[0] == 7


def test_without_counts_comparison_only_places(two_counties):
    out = compare(two_counties, value="verdi")
    assert out["vurdering"].eq("").all()
    assert not {"ci_low", "ci_high", "rate", "land_rate"} & set(out.columns)


@pytest.fixture
def rates() -> pd.DataFrame:
    """Four municipalities in two counties; national rate 1251 / 120100 * 1000 = 10.4163."""
    return pd.DataFrame(
        {
            "kommunenummer": ["0301", "1101", "1103", "1505"],
            "fylkesnummer": ["03", "11", "11", "15"],
            "foreldre": [1000, 50, 1, 200],
            "barn": [100_000, 10_000, 100, 10_000],
        }
    )


def test_municipality_below_national_rate_with_narrow_interval_is_worse(rates):
    out = compare(rates, count="foreldre", denominator="barn")
    assert out["land_rate"].iloc[0] == pytest.approx(1251 / 120_100 * 1000)
    # 1101: 50 per 10 000 = 5.0 per 1000; the exact 95 % limits for k = 50 are 37.11 and 65.92,
    # so 3.71 to 6.59 per 1000, wholly below 10.42.
    worse = out.iloc[1]
    assert worse["rate"] == 5.0
    assert worse["ci_low"] == pytest.approx(3.711, abs=0.001) and worse["ci_high"] == pytest.approx(6.592, abs=0.001)
    assert worse["vurdering"] == "darligere"
    # 0301: 10.0 with limits about 9.39 to 10.63, which hold 10.42; 1103: one parent of 100
    # children, 10 per 1000 with limits about 0.1 to 56; 1505: 20 per 1000, limits 17.3 to 23.0.
    assert out["vurdering"].tolist() == ["likt", "darligere", "likt", "bedre"]


def test_direction_flips_the_assessment_when_lower_is_better(rates):
    out = compare(rates, count="foreldre", denominator="barn", higher_is_better=False)
    assert out["vurdering"].tolist() == ["likt", "bedre", "likt", "darligere"]


def test_count_without_a_denominator_is_not_assessed(rates):
    data = rates.astype({"foreldre": "Int64"})
    data.loc[2, "barn"] = 0
    data.loc[3, "foreldre"] = pd.NA
    out = compare(data, count="foreldre", denominator="barn")
    assert out["vurdering"].tolist()[2:] == ["", ""]
    assert out[["ci_low", "ci_high", "rate"]].iloc[2:].isna().all().all()
    # the national rate is over the rows that can be assessed: 1050 / 110 000
    assert out["land_rate"].iloc[0] == pytest.approx(1050 / 110_000 * 1000)


def test_value_is_placed_while_the_rate_is_tested(rates):
    out = compare(rates.assign(andel=[0.1, 0.2, 0.3, 0.4]), value="andel", count="foreldre", denominator="barn")
    assert out["rang_i_landet"].tolist() == [4, 3, 2, 1]
    assert out["vurdering"].tolist() == ["likt", "darligere", "likt", "bedre"]


def test_rate_interval_is_close_to_the_exact_limits():
    # exact (Garwood) 95 % limits: k = 0: 0 to 3.6889; k = 1: 0.0253 to 5.5716;
    # k = 10: 4.7954 to 18.3904; k = 100: 81.364 to 121.627 (per 1,000 with 1,000 children)
    data = pd.DataFrame({"kommunenummer": ["0301", "1103", "4601", "5001"], "k": [0, 1, 10, 100], "n": [1000] * 4})
    out = compare(data, count="k", denominator="n")
    assert out["ci_low"].tolist() == pytest.approx([0, 0.0253, 4.7954, 81.364], abs=0.025)
    assert out["ci_high"].tolist() == pytest.approx([3.6889, 5.5716, 18.3904, 121.627], abs=0.025)


@pytest.mark.parametrize("level", [0.8, 0.95, 0.99])
def test_rate_interval_is_the_chi_square_garwood_interval_to_1e12(level):
    """statsmodels' confint_poisson(method="exact-c") gives what the hand-written chi-square
    formula gave, on a grid from 0 to a million events and denominators from 1 to 10 million."""
    from scipy.stats import chi2

    counts = np.array([0, 1, 2, 3, 5, 9, 10, 37, 100, 999, 12_345, 10**5, 10**6], dtype=float)
    denominators = np.array([1, 7, 250, 1000, 48_213, 10**7], dtype=float)
    k, n = (a.ravel() for a in np.meshgrid(counts, denominators))
    data = pd.DataFrame({"kommunenummer": [f"{i:04d}" for i in range(len(k))], "k": k, "n": n})
    out = compare(data, count="k", denominator="n", level=level, per=1)
    alpha = 1 - level
    with np.errstate(invalid="ignore"):
        low = np.where(k > 0, chi2.ppf(alpha / 2, 2 * k) / 2, 0.0) / n
    high = chi2.ppf(1 - alpha / 2, 2 * k + 2) / 2 / n
    assert (out["ci_low"].to_numpy()[k == 0] == 0).all()
    np.testing.assert_allclose(out["ci_low"].to_numpy(), low, rtol=1e-12, atol=0)
    np.testing.assert_allclose(out["ci_high"].to_numpy(), high, rtol=1e-12, atol=0)
    assert (out["ci_low"] < out["rate"]).where(k > 0, True).all() and (out["ci_high"] > out["rate"]).all()


def test_level_outside_zero_and_one_is_refused(rates):
    with pytest.raises(UsageError, match=r"^The value for `level` must be between 0 and 1, but 1.5 was passed$"):
        compare(rates, count="foreldre", denominator="barn", level=1.5)


def test_groups_are_compared_within_group(two_counties):
    data = pd.concat(
        [two_counties.assign(niva="universell"), two_counties.assign(niva="selektiv", verdi=lambda d: -d["verdi"])]
    )
    out = compare(data, value="verdi", by="niva")
    selektiv = out[out["niva"] == "selektiv"]
    assert selektiv["rang_i_landet"].tolist() == [1, 2, 3, 4, 5, 6, 7]
    assert selektiv["land_median"].eq(-4.0).all()
    assert out["antall_i_landet"].eq(7).all()


def test_county_is_taken_from_the_municipality_number_when_absent(two_counties):
    out = compare(two_counties.drop(columns="fylkesnummer"), value="verdi")
    assert out["fylkesnummer"].tolist() == ["11"] * 4 + ["15"] * 3
    assert out["fylke_median"].iloc[0] == 2.5


def test_input_is_not_changed(two_counties):
    before = two_counties.copy()
    compare(two_counties, value="verdi")
    pd.testing.assert_frame_equal(two_counties, before)


def test_two_rows_for_one_municipality_are_refused(two_counties):
    data = pd.concat([two_counties, two_counties.iloc[[0]]])
    with pytest.raises(UsageError, match=r"one row per kommunenummer.*aggregate them first"):
        compare(data, value="verdi")


def test_missing_column_is_named(two_counties):
    with pytest.raises(UsageError, match="needs the column\\(s\\) 'andel'"):
        compare(two_counties, value="andel")


def test_parents_per_1000_children_on_the_sample():
    ds = kompetanse.load()
    parents = (
        ds.tilbud[ds.tilbud["ar"] == 2025]
        .groupby(["kommunenummer", "niva"], observed=True, as_index=False)["antall_foreldre"]
        .sum()
    )
    children = ds.befolkning[ds.befolkning["ar"] == 2025][["kommunenummer", "fylkesnummer", "barn_0_17"]]
    levels = pd.DataFrame({"niva": pd.Categorical(kompetanse.LEVELS, categories=kompetanse.LEVELS)})
    data = children.merge(levels, how="cross").merge(parents, on=["kommunenummer", "niva"], how="left")
    data["antall_foreldre"] = data["antall_foreldre"].fillna(0)

    out = compare(data, by="niva", count="antall_foreldre", denominator="barn_0_17")

    assert len(out) == 357 * 3
    assert out["antall_i_landet"].eq(357).all()
    for _, part in out.groupby("niva", observed=True):
        national = part["antall_foreldre"].sum() / part["barn_0_17"].sum() * 1000
        assert part["land_rate"].iloc[0] == pytest.approx(national)
        assert part.loc[part["rang_i_landet"] == 1, "rate"].iloc[0] == part["rate"].max()
        assert part["land_median"].iloc[0] == pytest.approx(part["rate"].median())
    assert set(out["vurdering"]) <= {"bedre", "likt", "darligere"}
    # a rate wholly above the national rate is better, and so on
    above = out["ci_low"] > out["land_rate"]
    assert (out.loc[above, "vurdering"] == "bedre").all()
    # every county ranks its municipalities from 1
    assert out.groupby(["niva", "fylkesnummer"], observed=True)["rang_i_fylket"].min().eq(1).all()
