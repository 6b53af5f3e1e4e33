"""kompetanse.analysis.coverage: capacity, coverage status, breadth, gaps and retention, on the small staff
fixture of tests/coverage_fixture.py (read its docstring first: every expected number below is
worked out from that table by hand)."""

from __future__ import annotations

import copy

import pandas as pd
import pytest

import kompetanse
from kompetanse import UsageError
from kompetanse.analysis.coverage import (
    active_certified,
    breadth,
    coverage_by_level,
    gaps,
    in_training,
    projected_coverage,
    retention_by_level,
)
from kompetanse.settings import EXPIRY_MONTHS, MIN_CERTIFIED
from tests.coverage_fixture import ON, load_staff_fixture

MINE = ["0301", "1151", "3101", "4601"]


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    # loaded once: every analysis returns a new frame and leaves the Dataset alone (tested below)
    return load_staff_fixture(tmp_path_factory.mktemp("staff"))


def level(frame: pd.DataFrame, kommune: str, niva: str) -> pd.Series:
    rows = frame[(frame["kommunenummer"] == kommune) & (frame["niva"] == niva)]
    assert len(rows) == 1
    return rows.iloc[0]


def statuses(frame: pd.DataFrame, kommune: str, column: str = "status") -> list[str]:
    return frame.loc[frame["kommunenummer"] == kommune, column].astype(str).tolist()


# --- active certified ---------------------------------------------------------------------------


def test_active_certified_on_the_reference_date(ds):
    # Active on 2025-06-30: O1 (icdp and cos-p), O2, O3, O4, U1, H1, H2. Not: O5 and B3 (in
    # training), O6 and B1 (left before), H3 (certified only 2025-09-01), H4 and B4 (utgatt), B2
    # (status sertifisert, but its certification expired 2025-03-01).
    active = active_certified(ds, on=ON)
    assert sorted(zip(active["ansatt_id"], active["metode"], strict=True)) == [
        ("H1", "pmto-foreldregruppe"), ("H2", "pmto-foreldregruppe"), ("O1", "cos-p"), ("O1", "icdp"),
        ("O2", "icdp"), ("O3", "cos-p"), ("O4", "pmto"), ("U1", "icdp"),
    ]  # fmt: skip
    assert list(active.columns) == list(ds.ansatte_kompetanse.columns)


def test_expired_certification_does_not_count_even_if_status_says_certified(ds):
    ids = set(active_certified(ds, on=ON)["ansatt_id"])
    assert "B2" not in ids  # sertifisert, sertifisering_utloper 2025-03-01 < ON
    assert "B2" in set(active_certified(ds, on="2025-02-28")["ansatt_id"])


def test_certification_dated_after_the_reference_date_does_not_count_yet(ds):
    assert "H3" not in set(active_certified(ds, on=ON)["ansatt_id"])
    assert "H3" in set(active_certified(ds, on="2025-09-01")["ansatt_id"])  # on the day itself


def test_people_in_training_are_not_capacity(ds):
    ids = set(active_certified(ds, on=ON)["ansatt_id"])
    assert not {"O5", "B3"} & ids


def test_person_who_left_before_the_date_is_not_capacity(ds):
    ids = set(active_certified(ds, on=ON)["ansatt_id"])
    assert not {"O6", "B1"} & ids
    assert "O6" in set(active_certified(ds, on="2025-03-30")["ansatt_id"])


def test_person_still_counts_on_the_day_they_leave(ds):
    # docs/definitions.md: "not before the date". U1 leaves 2026-01-31.
    assert "U1" in set(active_certified(ds, on="2026-01-31")["ansatt_id"])
    assert "U1" not in set(active_certified(ds, on="2026-02-01")["ansatt_id"])


def test_certification_no_longer_counts_on_its_expiry_date(ds):
    # H1 expires 2026-03-01: in force the day before, not on the day (the code's reading of
    # "not expired on the reference date" for a date called sertifisering_utloper).
    assert "H1" in set(active_certified(ds, on="2026-02-28")["ansatt_id"])
    assert "H1" not in set(active_certified(ds, on="2026-03-01")["ansatt_id"])


def test_lapsed_certification_counted_for_dates_before_it_expired(ds):
    # On 2020-06-30: O1 icdp (2020-03-01), O2, O6 (left only in 2025), H4 and B4 (utgatt now, but
    # in force until 2021-01-15), B2 (certified 2020-01-15). Not yet: O1 cos-p, O3, O4, U1, H1-H3, B1.
    active = active_certified(ds, on="2020-06-30")
    assert sorted(zip(active["ansatt_id"], active["metode"], strict=True)) == [
        ("B2", "duaa"), ("B4", "duaa"), ("H4", "icdp"), ("O1", "icdp"), ("O2", "icdp"), ("O6", "icdp"),
    ]


def test_default_date_is_the_end_of_the_latest_period(ds):
    # Latest year in tilbud/befolkning is 2025, so the default is 2025-12-31: the same as on=.
    pd.testing.assert_frame_equal(active_certified(ds), active_certified(ds, on="2025-12-31"))


# --- capacity -------------------------------------------------------------------------------------


def test_one_row_per_municipality_and_level(ds):
    cov = coverage_by_level(ds, on=ON)
    assert len(cov) == 357 * 3
    assert not cov.duplicated(["kommunenummer", "niva"]).any()
    assert list(cov["niva"].cat.categories) == ["universell", "selektiv", "indikativ"]


def test_capacity_counts_distinct_persons_per_level(ds):
    # Oslo universell: icdp {O1, O2} and cos-p {O1, O3}: O1 once, so 3 persons, not 4.
    # selektiv: cos-p {O1, O3} = 2. indikativ: cos-p {O1, O3} and pmto {O4} = 3.
    cov = coverage_by_level(ds, on=ON)
    assert statuses(cov, "0301", "kapasitet") == ["3", "2", "3"]


def test_capacity_per_1000_children(ds):
    cov = coverage_by_level(ds, on=ON)
    # Oslo: 3 / 20 000 * 1 000 = 0.15; 2 / 20 000 * 1 000 = 0.10
    assert level(cov, "0301", "universell")["kapasitet_per_1000"] == pytest.approx(0.15)
    assert level(cov, "0301", "selektiv")["kapasitet_per_1000"] == pytest.approx(0.10)
    # Halden: 2 / 5 000 * 1 000 = 0.4; Bergen: 0 / 48 000 = 0
    assert level(cov, "3101", "selektiv")["kapasitet_per_1000"] == pytest.approx(0.4)
    assert level(cov, "4601", "indikativ")["kapasitet_per_1000"] == 0.0


def test_children_fall_back_to_the_latest_earlier_year(ds):
    # Utsira has only a 2024 figure (40): 1 / 40 * 1 000 = 25 in 2025.
    row = level(coverage_by_level(ds, on=ON), "1151", "universell")
    assert row["barn_0_17"] == 40
    assert row["kapasitet_per_1000"] == pytest.approx(25.0)
    # Oslo in 2024 uses its 2024 figure: on 2024-12-31 universell is O1, O2, O3 and O6 (left
    # only 2025-03-31) = 4 persons; 4 / 19 000 * 1 000.
    oslo_2024 = level(coverage_by_level(ds, on="2024-12-31"), "0301", "universell")
    assert (oslo_2024["barn_0_17"], oslo_2024["kapasitet"]) == (19000, 4)
    assert oslo_2024["kapasitet_per_1000"] == pytest.approx(4 / 19)


def test_rate_is_missing_without_a_denominator(ds):
    # 1103 Stavanger has no befolkning row at all.
    row = level(coverage_by_level(ds, on=ON), "1103", "universell")
    assert pd.isna(row["barn_0_17"]) and pd.isna(row["kapasitet_per_1000"])
    assert row["status"] == "mangler"


def test_methods_in_use_per_level(ds):
    cov = coverage_by_level(ds, on=ON)
    assert statuses(cov, "0301", "metoder_i_bruk") == ["cos-p, icdp", "cos-p", "cos-p, pmto"]
    assert statuses(cov, "0301", "metoder") == ["2", "1", "2"]
    # Halden's tik (H3) is certified only after ON and its icdp (H4) has lapsed: no method.
    assert level(cov, "3101", "universell")["metoder_i_bruk"] == ""


def test_offers_held_and_parents_reached_in_the_year_of_the_date(ds):
    cov = coverage_by_level(ds, on=ON)
    # Oslo universell 2025: icdp 4 + cos-p 2 = 6 groups, 38 + 15 = 53 parents (the 2024 row with
    # 5 groups and 50 parents is another year). indikativ: pmto 0 groups, 3 families.
    assert statuses(cov, "0301", "tilbud_grupper") == ["6", "0", "0"]
    assert statuses(cov, "0301", "foreldre_naadd") == ["53", "0", "3"]
    assert (level(cov, "1151", "universell")["tilbud_grupper"], level(cov, "1151", "universell")["foreldre_naadd"]) \
        == (1, 6)
    in_2024 = level(coverage_by_level(ds, on="2024-12-31"), "0301", "universell")
    assert (in_2024["tilbud_grupper"], in_2024["foreldre_naadd"]) == (5, 50)


# --- status ---------------------------------------------------------------------------------------


def test_level_with_two_certified_in_one_method_is_covered(ds):
    cov = coverage_by_level(ds, on=ON)
    assert statuses(cov, "0301") == ["dekket", "dekket", "dekket"]
    assert statuses(cov, "0301", "sarbar_grunn") == ["", "", ""]


def test_level_with_one_certified_person_is_vulnerable(ds):
    row = level(coverage_by_level(ds, on=ON), "1151", "universell")
    assert (row["status"], row["sarbar_grunn"]) == ("sarbar", "for_faa")


def test_level_whose_certifications_all_expire_within_a_year_is_vulnerable(ds):
    # Halden selektiv and indikativ: pmto-foreldregruppe has two people (enough), but H1 expires
    # 2026-03-01 and H2 2026-04-03, both within 12 months of 2025-06-30 (2026-06-30).
    cov = coverage_by_level(ds, on=ON)
    for niva in ("selektiv", "indikativ"):
        row = level(cov, "3101", niva)
        assert (row["status"], row["sarbar_grunn"]) == ("sarbar", "utloper")


def test_one_expiring_certification_beside_lasting_ones_leaves_the_level_covered(ds):
    # Oslo indikativ: O4's pmto expires 2026-01-01, but cos-p (O1, O3) does not expire.
    assert level(coverage_by_level(ds, on=ON), "0301", "indikativ")["status"] == "dekket"


def test_level_without_capacity_is_missing(ds):
    cov = coverage_by_level(ds, on=ON)
    assert statuses(cov, "4601") == ["mangler", "mangler", "mangler"]  # training, left, expired
    assert statuses(cov, "1151")[1:] == ["mangler", "mangler"]
    assert level(cov, "3101", "universell")["status"] == "mangler"


def test_status_is_ordered_best_to_worst(ds):
    cov = coverage_by_level(ds, on=ON)
    assert list(cov["status"].cat.categories) == ["dekket", "sarbar", "mangler"]
    assert cov["status"].cat.ordered


def test_min_certified_is_a_parameter(ds):
    assert MIN_CERTIFIED == 2
    # One person is enough with min_certified=1: Utsira universell becomes dekket.
    assert level(coverage_by_level(ds, on=ON, min_certified=1), "1151", "universell")["status"] == "dekket"
    # With 3, Oslo universell (3 persons, but at most 2 in one method) is vulnerable: enough
    # persons, spread over methods (was "for_faa" before the reasons were told apart).
    row = level(coverage_by_level(ds, on=ON, min_certified=3), "0301", "universell")
    assert (row["kapasitet"], row["status"], row["sarbar_grunn"]) == (3, "sarbar", "spredt")


def test_expiry_months_is_a_parameter(ds):
    assert EXPIRY_MONTHS == 12
    # 2025-06-30 + 9 months = 2026-03-30: H1 (2026-03-01) within, H2 (2026-04-03) not -> dekket.
    # + 10 months = 2026-04-30: both within -> sarbar.
    assert level(coverage_by_level(ds, on=ON, expiry_months=9), "3101", "selektiv")["status"] == "dekket"
    assert level(coverage_by_level(ds, on=ON, expiry_months=10), "3101", "selektiv")["status"] == "sarbar"


def test_too_few_wins_over_expiring_as_the_reason(ds):
    # Halden with min_certified=3: both reasons hold; for_faa is the one given.
    row = level(coverage_by_level(ds, on=ON, min_certified=3), "3101", "selektiv")
    assert (row["status"], row["sarbar_grunn"]) == ("sarbar", "for_faa")


# Hand-made staff for the three reasons a level is sårbar (universell: icdp and tik only), ON = 2025-06-30.
REASONS = """\
kommunenummer,ansatt_id,tjeneste,metode,status,opplaering_start,sertifisert_dato,sertifisering_utloper,sluttet_dato
0301,P1,helsestasjon,icdp,sertifisert,2019-09-02,2020-03-01,,
1151,P2,helsestasjon,icdp,sertifisert,2019-09-02,2020-03-01,,
1151,P3,skole,tik,sertifisert,2019-09-02,2020-03-01,,
3101,P4,helsestasjon,icdp,sertifisert,2019-09-02,2020-03-01,2026-01-01,
3101,P5,helsestasjon,icdp,sertifisert,2019-09-02,2020-03-01,2026-05-01,
4601,P6,helsestasjon,icdp,sertifisert,2019-09-02,2020-03-01,2026-01-01,
4601,P7,skole,tik,sertifisert,2019-09-02,2020-03-01,2026-01-01,
5001,P8,helsestasjon,icdp,sertifisert,2019-09-02,2020-03-01,2026-01-01,
5001,P9,helsestasjon,icdp,sertifisert,2019-09-02,2020-03-01,2027-01-01,
5501,P10,familiesenter,marte-meo,sertifisert,2019-09-02,2020-03-01,,
"""


@pytest.fixture(scope="module")
def reasons(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reasons")
    load_staff_fixture(folder)
    (folder / "ansatte_kompetanse.csv").write_text(REASONS, encoding="utf-8")
    return kompetanse.load(folder)


def test_each_reason_for_a_vulnerable_level_on_hand_made_staff(reasons):
    cov = coverage_by_level(reasons, on=ON)
    got = {k: tuple(level(cov, k, "universell")[["kapasitet", "status", "sarbar_grunn"]]) for k in
           ("0301", "1151", "3101", "4601", "5001")}
    assert got == {
        "0301": (1, "sarbar", "for_faa"),   # one person
        "1151": (2, "sarbar", "spredt"),    # two persons, one in each method: no method with two
        "3101": (2, "sarbar", "utloper"),   # two in icdp, both expire by 2026-06-30
        "4601": (2, "sarbar", "spredt"),    # spread and expiring: the first reason that holds
        "5001": (2, "dekket", ""),          # P9 expires 2027-01-01, after the year
    }
    # the levels without anyone have no reason
    assert (cov.loc[cov["status"] != "sarbar", "sarbar_grunn"] == "").all()


def test_reasons_follow_the_thresholds(reasons):
    # min_certified=3: Trondheim's two icdp persons are too few, not spread.
    row = level(coverage_by_level(reasons, on=ON, min_certified=3), "5001", "universell")
    assert (row["status"], row["sarbar_grunn"]) == ("sarbar", "for_faa")
    # expiry_months=6 (to 2025-12-30): Halden's expiries lie beyond it, so the level is covered.
    assert level(coverage_by_level(reasons, on=ON, expiry_months=6), "3101", "universell")["status"] == "dekket"


@pytest.mark.parametrize("kwargs", [{"min_certified": 0}, {"min_certified": 1.5}, {"expiry_months": -1}])
def test_bad_thresholds_are_refused_with_a_message(ds, kwargs):
    name = next(iter(kwargs))
    with pytest.raises(UsageError, match=f"The value for `{name}` must be a whole number"):
        coverage_by_level(ds, on=ON, **kwargs)


def test_bad_date_is_refused(ds):
    with pytest.raises(UsageError, match="The value for `on` must be a date"):
        coverage_by_level(ds, on="not a date")


# --- breadth and gaps -----------------------------------------------------------------------------


def test_breadth_counts_covered_levels_out_of_three(ds):
    b = breadth(ds, on=ON).set_index("kommunenummer")
    # Oslo 3 covered; Utsira 0 covered, 1 with capacity; Halden 0 covered, 2 with capacity
    # (both sarbar); Bergen nothing.
    assert b.loc[MINE, "niva_dekket"].tolist() == [3, 0, 0, 0]
    assert b.loc[MINE, "niva_med_kapasitet"].tolist() == [3, 1, 2, 0]
    assert b.loc["3101", ["status_universell", "status_selektiv", "status_indikativ"]].tolist() == [
        "mangler", "sarbar", "sarbar"]
    assert len(b) == 357 and b["niva_dekket"].between(0, 3).all()


def test_breadth_passes_thresholds_on(ds):
    b = breadth(ds, on=ON, min_certified=1).set_index("kommunenummer")
    # Utsira universell dekket with one person; Halden still sarbar (expiring), Oslo 3.
    assert b.loc[MINE, "niva_dekket"].tolist() == [3, 1, 0, 0]


def test_no_gaps_where_every_level_is_covered(ds):
    assert (gaps(ds, on=ON)["kommunenummer"] == "0301").sum() == 0


def test_gap_lists_every_catalogue_method_for_the_level(ds):
    g = gaps(ds, on=ON)
    utsira = g[g["kommunenummer"] == "1151"]
    # universell is served by icdp, tik, duaa and cos-p; icdp is already in use (U1) and comes
    # first; then by days to certification: cos-p 4, duaa 545, tik not stated (last).
    assert utsira[utsira["niva"] == "universell"]["metode"].tolist() == ["icdp", "cos-p", "duaa", "tik"]
    assert utsira[utsira["niva"] == "universell"]["allerede_i_bruk"].tolist() == [True, False, False, False]
    assert utsira[utsira["niva"] == "universell"]["rekkefolge"].tolist() == [1, 2, 3, 4]
    # selektiv (mangler): cos-p 4 days, duaa 545; then without a stated length, by Ungsinn level:
    # pmto-foreldregruppe 4, then nfp and tibir (no level, alphabetical)
    assert utsira[utsira["niva"] == "selektiv"]["metode"].tolist() == [
        "cos-p", "duaa", "pmto-foreldregruppe", "nfp", "tibir-foreldreradgivning"]
    # indikativ: cos-p 4, duaa and pmto 545 (both Ungsinn 5: alphabetical), marte-meo 1095, then
    # pmto-foreldregruppe, nfp, tibir-foreldreradgivning without a length
    assert utsira[utsira["niva"] == "indikativ"]["metode"].tolist() == [
        "cos-p", "duaa", "pmto", "marte-meo", "pmto-foreldregruppe", "nfp", "tibir-foreldreradgivning"]
    assert set(utsira["status"].astype(str)) == {"sarbar", "mangler"}


def test_gaps_carry_the_training_length_and_the_agreement_from_the_catalogue(ds):
    g = gaps(ds, on=ON).drop_duplicates("metode").set_index("metode")
    assert g.loc["cos-p", "opplaering_dager"] == 4 and g.loc["cos-p", "opplaering_tid"] == "4 dager"
    assert g.loc["marte-meo", "opplaering_dager"] == 1095
    assert pd.isna(g.loc["tik", "opplaering_dager"]) and g.loc["tik", "opplaering_tid"] == ""
    assert g.loc[["pmto", "duaa", "nfp"], "implementeringsavtale"].all()
    assert not g.loc[["icdp", "cos-p", "marte-meo"], "implementeringsavtale"].any()


def test_utsiras_quickest_fix_on_the_sample_is_marte_meo():
    # In the sample, Utsira has one person in Marte Meo (indikativ, sårbar), a method that takes
    # 2–3 years to learn: still the first to act on, because the municipality has staff in it.
    sample = kompetanse.load()
    g = gaps(sample)
    utsira = g[(g["kommunenummer"] == "1151") & (g["niva"] == "indikativ")]
    assert utsira.iloc[0][["metode", "allerede_i_bruk", "rekkefolge"]].tolist() == ["marte-meo", True, 1]
    assert not utsira["allerede_i_bruk"].iloc[1:].any()
    # and its level comes before universell and selektiv, where Utsira has no one: the first row
    everything = g[g["kommunenummer"] == "1151"]
    assert everything["niva"].drop_duplicates().astype(str).tolist() == ["indikativ", "universell", "selektiv"]
    assert everything.iloc[0]["metode"] == "marte-meo"


def test_levels_with_staff_in_a_method_come_first(reasons):
    g = gaps(reasons, on=ON)
    # Tromsø: one person in marte-meo (indikativ only): indikativ first, then the fixed order.
    tromso = g[g["kommunenummer"] == "5501"]
    assert tromso["niva"].drop_duplicates().astype(str).tolist() == ["indikativ", "universell", "selektiv"]
    assert tromso.iloc[0][["metode", "allerede_i_bruk"]].tolist() == ["marte-meo", True]
    # Oslo: one person in icdp (universell): universell is first anyway.
    oslo = g[g["kommunenummer"] == "0301"]
    assert oslo["niva"].drop_duplicates().astype(str).tolist() == ["universell", "selektiv", "indikativ"]


def test_gap_methods_carry_the_childrens_ages_they_serve(ds):
    g = gaps(ds, on=ON)
    ages = g.drop_duplicates("metode").set_index("metode")[["alder_fra", "alder_til"]]
    assert tuple(ages.loc["nfp"]) == (0, 2)  # Familie for første gang: the youngest only
    assert tuple(ages.loc["cos-p"]) == (0, 6)
    assert tuple(ages.loc["duaa"]) == (3, 12)
    catalogue = ds.metoder.set_index("metode")[["alder_fra", "alder_til"]]
    pd.testing.assert_frame_equal(ages.sort_index(), catalogue.loc[ages.index].sort_index(), check_dtype=False)
    # every method of the catalogue overlaps the children 0–17 the denominators count
    assert (catalogue["alder_fra"] <= 17).all() and (catalogue["alder_til"] >= 0).all()


def test_methods_with_staff_present_are_marked_in_use_even_if_not_certified_now(ds):
    g = gaps(ds, on=ON)
    halden = g[(g["kommunenummer"] == "3101") & (g["niva"] == "universell")]
    # H4 (icdp, lapsed) and H3 (tik, certified later) are still employed: in use, listed first
    # (icdp 150 days, tik no stated length); then cos-p 4 days, duaa 545.
    assert halden["metode"].tolist() == ["icdp", "tik", "cos-p", "duaa"]
    assert halden["allerede_i_bruk"].tolist() == [True, True, False, False]
    bergen = g[g["kommunenummer"] == "4601"]
    # B2 (expired) and B3 (in training) are present with duaa; duaa leads every level.
    assert bergen.groupby("niva", observed=True)["metode"].first().tolist() == ["duaa", "duaa", "duaa"]


def test_gaps_follow_the_thresholds(ds):
    g = gaps(ds, on=ON, min_certified=1)
    assert not ((g["kommunenummer"] == "1151") & (g["niva"] == "universell")).any()


# --- retention ------------------------------------------------------------------------------------


def test_expiring_horizon_is_a_parameter(ds):
    # 2025-06-30 + 6 months = 2025-12-30: nothing; + 7 months = 2026-01-30: O4 (pmto, indikativ) only.
    cols = ["kommunenummer", "niva", "utloper_neste_12_mnd"]
    assert retention_by_level(ds, on=ON, months=6)["utloper_neste_12_mnd"].eq(0).all()
    r = retention_by_level(ds, on=ON, months=7)[cols]
    expiring = r[r["utloper_neste_12_mnd"] > 0]
    assert list(zip(expiring["kommunenummer"], expiring["niva"].astype(str), expiring["utloper_neste_12_mnd"],
                    strict=True)) == [("0301", "indikativ", 1)]


def test_only_staff_certified_when_they_left_count_as_lost(ds):
    # 2024: B1 (duaa, all three levels, certified, left 2024-11-30) counts; B4 left 2024-06-30
    # but its certification had expired in 2021, so no capacity was lost with it.
    r = retention_by_level(ds, on="2024-12-31")
    left = r[r["sluttet_i_perioden"] > 0]
    assert list(zip(left["kommunenummer"], left["niva"].astype(str), left["sluttet_i_perioden"], strict=True)) == [
        ("4601", "universell", 1), ("4601", "selektiv", 1), ("4601", "indikativ", 1)]


def test_staff_in_training_are_capacity_to_come(ds):
    t = in_training(ds, on=ON)
    # O5 pmto (indikativ); B3 duaa (all three levels).
    assert list(zip(t["kommunenummer"], t["niva"].astype(str), t["metode"], t["antall"], strict=True)) == [
        ("0301", "indikativ", "pmto", 1),
        ("4601", "universell", "duaa", 1),
        ("4601", "selektiv", "duaa", 1),
        ("4601", "indikativ", "duaa", 1),
    ]
    per_method = in_training(ds, on=ON, by_level=False)
    assert list(zip(per_method["kommunenummer"], per_method["metode"], per_method["antall"], strict=True)) == [
        ("0301", "pmto", 1), ("4601", "duaa", 1)]


def test_training_not_started_yet_is_not_counted(ds):
    # O5 starts 2025-01-06: on 2024-12-31 only B3 (started 2024-09-02) is in training.
    assert set(in_training(ds, on="2024-12-31", by_level=False)["kommunenummer"]) == {"4601"}


def test_projected_status_a_year_ahead(ds):
    p = projected_coverage(ds, on=ON)
    # On 2026-06-30, with no one new: Oslo loses O4 (expires 2026-01-01) but indikativ keeps
    # cos-p {O1, O3}: 3, 2, 2 persons, all dekket. Utsira loses U1 (leaves 2026-01-31): sarbar ->
    # mangler. Halden's H1 and H2 expire: sarbar -> mangler at selektiv and indikativ; H3's tik
    # is not counted (certified after ON). Bergen's B3 is in training: not counted, still mangler.
    oslo = p[p["kommunenummer"] == "0301"]
    assert oslo["kapasitet_na"].tolist() == [3, 2, 3]
    assert oslo["kapasitet_om_ett_ar"].tolist() == [3, 2, 2]
    assert statuses(p, "0301", "status_om_ett_ar") == ["dekket"] * 3
    assert statuses(p, "1151", "status_om_ett_ar") == ["mangler"] * 3
    assert statuses(p, "3101", "status_na") == ["mangler", "sarbar", "sarbar"]
    assert statuses(p, "3101", "status_om_ett_ar") == ["mangler"] * 3
    assert statuses(p, "4601", "status_om_ett_ar") == ["mangler"] * 3
    weaker = p[p["svekkes"]]
    assert sorted(zip(weaker["kommunenummer"], weaker["niva"].astype(str), strict=True)) == [
        ("1151", "universell"), ("3101", "indikativ"), ("3101", "selektiv")]


def test_projection_horizon_is_a_parameter(ds):
    # Six months ahead (2025-12-31): O4 is still in force, U1 still there, H1 and H2 still in force
    # (now expiring within 12 months of that date too: Halden stays sarbar). Nothing gets worse.
    p = projected_coverage(ds, on=ON, months=6)
    assert not p["svekkes"].any()
    assert p.loc[p["kommunenummer"] == "0301", "kapasitet_om_ett_ar"].tolist() == [3, 2, 3]


def test_retention_by_level(ds):
    r = retention_by_level(ds, on=ON)
    cols = ["utloper_neste_12_mnd", "sluttet_i_perioden", "i_opplaering"]
    # Oslo: O4 pmto expires (indikativ); O6 icdp left in 2025 (universell); O5 in pmto training
    # (indikativ). Halden: H1, H2 pmto-foreldregruppe expire (selektiv, indikativ). Bergen: B3 in
    # duaa training (all three levels); B1 left in 2024, not in the period.
    expected = {
        ("0301", "universell"): [0, 1, 0], ("0301", "selektiv"): [0, 0, 0], ("0301", "indikativ"): [1, 0, 1],
        ("3101", "universell"): [0, 0, 0], ("3101", "selektiv"): [2, 0, 0], ("3101", "indikativ"): [2, 0, 0],
        ("4601", "universell"): [0, 0, 1], ("4601", "selektiv"): [0, 0, 1], ("4601", "indikativ"): [0, 0, 1],
    }
    for (kommune, niva), counts in expected.items():
        assert level(r, kommune, niva)[cols].tolist() == counts, (kommune, niva)
    assert len(r) == 357 * 3 and r.loc[~r["kommunenummer"].isin(MINE), cols].eq(0).all().all()
    # the projection comes with it, unchanged
    p = projected_coverage(ds, on=ON)
    pd.testing.assert_frame_equal(r[p.columns], p)
    assert "ansatt_id" not in r.columns


def test_retention_by_level_counts_a_person_once_per_level(ds):
    # O1 holds icdp and cos-p, both universell. Let O1 leave in May 2025: one person lost at
    # universell (two at no level), and cos-p's selektiv and indikativ lose one each.
    staff = ds.ansatte_kompetanse
    left = staff["ansatt_id"].eq("O1")
    changed = copy.copy(ds)
    changed.ansatte_kompetanse = staff.assign(
        sluttet_dato=staff["sluttet_dato"].mask(left, pd.Timestamp("2025-05-01")))
    r = retention_by_level(changed, on=ON)
    oslo = r[r["kommunenummer"] == "0301"]
    assert oslo["sluttet_i_perioden"].tolist() == [2, 1, 1]  # O1 and O6; O1; O1


def test_analyses_do_not_change_the_dataset(ds):
    before = ds.ansatte_kompetanse.copy()
    for func in (coverage_by_level, breadth, gaps, projected_coverage, retention_by_level):
        func(ds, on=ON)
    pd.testing.assert_frame_equal(ds.ansatte_kompetanse, before)


def test_no_staff_id_outside_active_certified(ds):
    frames = [coverage_by_level(ds, on=ON), breadth(ds, on=ON), gaps(ds, on=ON), in_training(ds, on=ON),
              projected_coverage(ds, on=ON), retention_by_level(ds, on=ON)]
    for frame in frames:
        assert "ansatt_id" not in frame.columns


# --- reusing the coverage a caller already has ------------------------------------------------------


@pytest.mark.parametrize("on", [ON, "2024-12-31"])
def test_gaps_and_retention_with_the_coverage_given_equal_those_computed(ds, on):
    cov = coverage_by_level(ds, on=on)
    pd.testing.assert_frame_equal(gaps(ds, on=on, coverage=cov), gaps(ds, on=on))
    pd.testing.assert_frame_equal(retention_by_level(ds, on=on, coverage=cov), retention_by_level(ds, on=on))
    pd.testing.assert_frame_equal(projected_coverage(ds, on=on, coverage=cov), projected_coverage(ds, on=on))


def test_gaps_and_retention_use_the_coverage_given_instead_of_computing_it(ds, monkeypatch):
    # Say Oslo's universell level is mangler: a function that reuses the frame lists Oslo's
    # universell methods as a gap and reports the status now as mangler; one that recomputed
    # coverage would find Oslo dekket. And nothing computes the coverage again.
    cov = coverage_by_level(ds, on=ON)
    oslo = (cov["kommunenummer"] == "0301") & (cov["niva"] == "universell")
    doctored = cov.assign(status=cov["status"].mask(oslo, "mangler"), kapasitet=cov["kapasitet"].mask(oslo, 0))
    import kompetanse.analysis.coverage as module

    def refuse(*args, **kwargs):
        raise AssertionError("coverage computed again")

    monkeypatch.setattr(module, "coverage_by_level", refuse)
    g = gaps(ds, on=ON, coverage=doctored)
    assert set(g.loc[g["kommunenummer"] == "0301", "niva"].astype(str)) == {"universell"}
    r = retention_by_level(ds, on=ON, coverage=doctored)
    assert level(r, "0301", "universell")[["status_na", "kapasitet_na", "status_om_ett_ar"]].tolist() == [
        "mangler", 0, "dekket"]
    assert not level(r, "0301", "universell")["svekkes"]  # mangler now, dekket a year ahead: not worse


def test_a_frame_that_is_not_this_datasets_coverage_is_refused(ds):
    cov = coverage_by_level(ds, on=ON)
    with pytest.raises(UsageError, match=r"The value for `coverage` must be the output of `coverage_by_level`"):
        gaps(ds, on=ON, coverage=cov.head(12))
    with pytest.raises(UsageError, match=r"lacks status"):
        retention_by_level(ds, on=ON, coverage=cov.drop(columns="status"))
    with pytest.raises(UsageError, match=r"min_certified"):
        gaps(ds, on=ON, coverage=cov, min_certified=3)
