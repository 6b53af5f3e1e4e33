"""kompetanse.analysis.overview: the national and county view of coverage, on the staff fixture of
tests/coverage_fixture.py (expected numbers worked out by hand from its docstring).

On 2025-06-30 the fixture has: Oslo dekket at all three levels; Utsira universell sarbar,
selektiv and indikativ mangler; Halden universell mangler, selektiv and indikativ sarbar; every
other municipality mangler everywhere. 2024 municipalities per county: Oslo 1, Rogaland 23 (with
Utsira), Østfold 12 (with Halden), Vestland 43 (with Bergen); 357 in all.
"""

from __future__ import annotations

import pytest

from kompetanse.analysis.coverage import coverage_by_level
from kompetanse.analysis.overview import coverage_trend, lacking, status_counts
from tests.coverage_fixture import ON, load_staff_fixture


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    return load_staff_fixture(tmp_path_factory.mktemp("staff"))


@pytest.fixture(scope="module")
def cov(ds):
    return coverage_by_level(ds, on=ON)


def test_national_status_counts_per_level(cov):
    n = status_counts(cov, by=None).set_index("niva")
    # each level: 1 dekket (Oslo), 1 sarbar (Utsira at universell, Halden at the other two),
    # 355 mangler
    assert n["kommuner"].tolist() == [357, 357, 357]
    assert n["dekket"].tolist() == [1, 1, 1]
    assert n["sarbar"].tolist() == [1, 1, 1]
    assert n["mangler"].tolist() == [355, 355, 355]
    assert n["andel_dekket"].tolist() == pytest.approx([1 / 357] * 3)


def test_share_of_children_living_where_a_level_is_covered(cov):
    # Children known: Oslo 20 000, Utsira 40 (2024), Halden 5 000, Bergen 48 000 = 73 040; only
    # Oslo is dekket: 20 000 / 73 040. Municipalities without a population figure add nothing.
    n = status_counts(cov, by=None)
    assert n["barn_i_dekkede"].tolist() == pytest.approx([20000 / 73040] * 3)


def test_status_counts_per_county(cov):
    c = status_counts(cov).set_index(["fylkesnummer", "niva"])
    assert tuple(c.loc[("03", "universell"), ["kommuner", "dekket", "sarbar", "mangler"]]) == (1, 1, 0, 0)
    assert c.loc[("03", "universell"), "barn_i_dekkede"] == 1.0
    # Rogaland universell: Utsira sarbar, 22 others mangler; selektiv all 23 mangler
    assert tuple(c.loc[("11", "universell"), ["kommuner", "dekket", "sarbar", "mangler"]]) == (23, 0, 1, 22)
    assert tuple(c.loc[("11", "selektiv"), ["dekket", "sarbar", "mangler"]]) == (0, 0, 23)
    assert c.loc[("11", "universell"), "barn_i_dekkede"] == 0.0  # 0 / 40
    assert tuple(c.loc[("31", "indikativ"), ["kommuner", "sarbar", "mangler"]]) == (12, 1, 11)
    assert c.loc[("31", "universell"), "fylkesnavn"] == "Østfold"


def test_county_counts_add_up_to_the_country(cov):
    by_county = status_counts(cov).groupby("niva", observed=True)[["kommuner", "dekket", "sarbar", "mangler"]].sum()
    country = status_counts(cov, by=None).set_index("niva")[["kommuner", "dekket", "sarbar", "mangler"]]
    assert (by_county.to_numpy() == country.to_numpy()).all()


def test_lacking_lists_the_municipalities_without_capacity(cov):
    lack = lacking(cov).set_index(["niva", "fylkesnummer"])
    assert "03" not in lack.index.get_level_values("fylkesnummer")  # Oslo lacks nothing
    # Rogaland: Utsira has universell capacity, so 22 lack it and all 23 lack selektiv
    assert lack.loc[("universell", "11"), "antall"] == 22
    assert "Utsira" not in lack.loc[("universell", "11"), "kommuner"].split(", ")
    assert lack.loc[("selektiv", "11"), "antall"] == 23
    assert "Utsira" in lack.loc[("selektiv", "11"), "kommuner"].split(", ")
    # Østfold: Halden lacks universell (12 in all) but has (vulnerable) selektiv capacity (11)
    assert lack.loc[("universell", "31"), "antall"] == 12
    assert lack.loc[("selektiv", "31"), "antall"] == 11
    names = lack.loc[("universell", "31"), "kommuner"].split(", ")
    assert names == sorted(names) and "Halden" in names


def test_lacking_levels_in_fixed_order(cov):
    lack = lacking(cov)
    assert lack["niva"].astype(str).drop_duplicates().tolist() == ["universell", "selektiv", "indikativ"]
    # 355 mangler per level (357 less Oslo and the one sarbar municipality), as status_counts says
    assert lack["antall"].sum() == 355 * 3


def test_coverage_trend_year_by_year(ds):
    t = coverage_trend(ds).set_index(["ar", "niva"])
    # Years in befolkning and tilbud: 2024 and 2025, each judged on 31 December.
    # 2024-12-31: Oslo dekket everywhere (O6 still there); Halden's H1 and H2 do not expire within
    # 12 months (2026-03-01 > 2025-12-31), so Halden selektiv and indikativ are dekket too.
    # 2025-12-31: they now expire within 12 months: only Oslo is dekket.
    assert t.loc[2024, "dekket"].tolist() == [1, 2, 2]
    assert t.loc[2025, "dekket"].tolist() == [1, 1, 1]
    assert t["kommuner"].eq(357).all()
    assert t.loc[(2024, "selektiv"), "andel_dekket"] == pytest.approx(2 / 357)


def test_coverage_trend_for_one_county_and_with_thresholds(ds):
    t = coverage_trend(ds, fylkesnummer="31").set_index(["ar", "niva"])
    assert t["kommuner"].eq(12).all()
    assert t.loc[2024, "dekket"].tolist() == [0, 1, 1]
    assert t.loc[2025, "dekket"].tolist() == [0, 0, 0]
    # With expiry_months=0 nothing counts as expiring: Halden stays dekket in 2025; with
    # min_certified=1 its tik (H3, certified 2025-09-01) covers universell too.
    lenient = coverage_trend(ds, years=[2025], fylkesnummer="31", min_certified=1, expiry_months=0)
    assert lenient["dekket"].tolist() == [1, 1, 1]
