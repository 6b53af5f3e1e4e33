"""The barometer: values, exact intervals and the tests against county, peer group and country,
on hand-made counts with hand-worked answers, and its indicators on the staff fixture."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import beta, chi2

from kompetanse.analysis.barometer import INDICATORS, barometer, indicator_counts, judge
from kompetanse.errors import UsageError
from kompetanse.reports.barometer import barometer_table
from tests.coverage_fixture import ON, load_staff_fixture


def _counts(indikator: str, rows: list[tuple]) -> pd.DataFrame:
    """rows: (kommunenummer, fylkesnummer, teller, nevner[, data])."""
    return pd.DataFrame([(r[0], r[1], indikator, float(r[2]), float(r[3]), r[4] if len(r) > 4 else True)
                         for r in rows], columns=["kommunenummer", "fylkesnummer", "indikator", "teller", "nevner",
                                                  "data"])


def _groups(pairs: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({"kommunenummer": list(pairs), "peer_group": list(pairs.values()),
                         "peer_group_navn": [f"gruppe {g}" for g in pairs.values()]})


@pytest.fixture
def rates() -> pd.DataFrame:
    # county 11: A (30 of 10 000), B (2 of 1 000); county 12: C (5 of 10 000), D alone in county 13
    counts = _counts("kapasitet_universell", [("1101", "11", 30, 10_000), ("1102", "11", 2, 1_000),
                                               ("1201", "12", 5, 10_000), ("1301", "13", 0, 2_000)])
    groups = _groups({"1101": "g1", "1102": "g2", "1201": "g1", "1301": "g2"})
    return judge(counts, groups=groups).set_index("kommunenummer")


def test_rate_value_and_its_exact_interval(rates):
    a = rates.loc["1101"]
    assert a["verdi"] == pytest.approx(3.0)  # 30 / 10 000 * 1 000
    # Garwood: chi2(0.025, 60) / 2 and chi2(0.975, 62) / 2 persons, per 10 000 children
    assert a["ci_low"] == pytest.approx(chi2.ppf(0.025, 60) / 2 / 10)
    assert a["ci_high"] == pytest.approx(chi2.ppf(0.975, 62) / 2 / 10)
    d = rates.loc["1301"]
    assert d["verdi"] == 0 and d["ci_low"] == 0  # 0 persons: the interval starts at 0


def test_each_comparator_pools_its_municipalities(rates):
    a = rates.loc["1101"]
    # the country pools all four, the municipality included: 37 / 23 000
    assert a["land_verdi"] == pytest.approx(37 / 23_000 * 1000)
    assert a["land_antall"] == 4
    # the county pools A and B: 32 / 11 000
    assert a["fylke_verdi"] == pytest.approx(32 / 11_000 * 1000) and a["fylke_antall"] == 2
    # the peer group is the others of g1 only: C, 5 / 10 000
    assert a["peer_verdi"] == pytest.approx(0.5) and a["peer_antall"] == 1


def test_verdicts_follow_the_interval(rates):
    a = rates.loc["1101"]
    # A's interval 2.02-4.28 lies above the country's 1.61 and above C's 0.5: better
    assert a["vurdering_land"] == "bedre" and a["vurdering_peer"] == "bedre"
    # and contains the county's 2.91: no sure difference
    assert a["vurdering_fylke"] == "likt"
    c = rates.loc["1201"]
    # C: 5 of 10 000, interval 0.16-1.17, below the country's 1.61 and below A's 3.0
    assert c["vurdering_land"] == "darligere" and c["vurdering_peer"] == "darligere"


def test_a_lone_comparator_is_no_comparison(rates):
    d = rates.loc["1301"]
    assert np.isnan(d["fylke_verdi"]) and d["vurdering_fylke"] == ""
    assert d["merknad_fylke"] == "eneste kommune i fylket"
    # D's peers are B (g2): 2 of 1 000
    assert d["peer_verdi"] == pytest.approx(2.0) and d["peer_antall"] == 1


def test_lower_is_better_for_the_expiring_share():
    counts = _counts("utloper_andel", [("1101", "11", 10, 20), ("1102", "11", 3, 100), ("1201", "12", 4, 80)])
    out = judge(counts, groups=_groups({"1101": "g", "1102": "g", "1201": "g"})).set_index("kommunenummer")
    a = out.loc["1101"]
    assert a["verdi"] == pytest.approx(0.5)
    # Clopper-Pearson for 10 of 20
    assert a["ci_low"] == pytest.approx(beta.ppf(0.025, 10, 11))
    assert a["ci_high"] == pytest.approx(beta.ppf(0.975, 11, 10))
    # the country's share 17 / 200 = 0.085 lies below A's interval: A is worse (more expire)
    assert a["land_verdi"] == pytest.approx(0.085) and a["vurdering_land"] == "darligere"
    b = out.loc["1102"]
    # B: 3 of 100, interval 0.006-0.085, wholly below A and C's pooled 14 / 100 = 0.14: better
    assert b["peer_verdi"] == pytest.approx(0.14) and b["vurdering_peer"] == "bedre"


def test_small_numbers_about_one_or_two_persons_are_suppressed():
    counts = pd.concat([
        _counts("utloper_andel", [("1101", "11", 1, 40), ("1102", "11", 0, 2), ("1103", "11", 3, 40)]),
        _counts("foreldre_per_1000", [("1101", "11", 4, 1000), ("1102", "11", 5, 1000), ("1103", "11", 0, 1000)]),
        _counts("samarbeid", [("1101", "11", 4.0 * 4, 4), ("1102", "11", 4.2 * 5, 5), ("1103", "11", 0, 0, False)]),
    ], ignore_index=True)
    out = judge(counts, groups=_groups({"1101": "g", "1102": "g", "1103": "g"}))
    flagged = out.set_index(["indikator", "kommunenummer"])["prikket"]
    # one certification of 40 expiring; 2 certifications in all (0 expiring tells about both)
    assert flagged["utloper_andel", "1101"] and flagged["utloper_andel", "1102"]
    assert not flagged["utloper_andel", "1103"]
    # 4 parents hidden, 5 and 0 shown; a survey mean from 4 answers hidden, from 5 shown
    assert flagged["foreldre_per_1000", "1101"] and not flagged["foreldre_per_1000", "1102"]
    assert not flagged["foreldre_per_1000", "1103"]
    assert flagged["samarbeid", "1101"] and not flagged["samarbeid", "1102"]
    hidden = out[out["prikket"]]
    assert hidden[["verdi", "ci_low", "ci_high"]].isna().all().all()
    assert (hidden[["vurdering_fylke", "vurdering_peer", "vurdering_land"]] == "").all().all()


def test_the_survey_mean_is_never_tested():
    counts = _counts("samarbeid", [("1101", "11", 4.5 * 100, 100), ("1102", "11", 3.0 * 100, 100)])
    out = judge(counts, groups=_groups({"1101": "g", "1102": "g"})).set_index("kommunenummer")
    assert out.loc["1101", "verdi"] == pytest.approx(4.5)
    assert out.loc["1101", "land_verdi"] == pytest.approx(3.75)  # weighted by answers
    assert out.loc["1101", "vurdering_land"] == "ikke_testet"
    assert np.isnan(out.loc["1101", "ci_low"])


def test_no_registered_data_gets_no_verdict():
    counts = _counts("kapasitet_universell", [("1101", "11", 0, 1000, False), ("1102", "11", 4, 1000)])
    out = judge(counts, groups=_groups({"1101": "g", "1102": "g"})).set_index("kommunenummer")
    assert out.loc["1101", "vurdering_land"] == "" and out.loc["1101", "merknad_land"] == "ingen registrerte ansatte"
    assert np.isnan(out.loc["1101", "verdi"])


def test_an_unknown_indicator_is_refused():
    with pytest.raises(UsageError, match="indicators among"):
        judge(_counts("noe_annet", [("1101", "11", 1, 10)]), groups=_groups({"1101": "g"}))


def test_indicators_on_the_staff_fixture(tmp_path):
    ds = load_staff_fixture(tmp_path)
    counts = indicator_counts(ds, on=pd.Timestamp(ON)).set_index(["indikator", "kommunenummer"])
    # Oslo: universell O1, O2 (icdp), O3 (cos-p) = 3 persons of 20 000 children
    assert counts.loc[("kapasitet_universell", "0301"), ["teller", "nevner"]].tolist() == [3, 20_000]
    # five active certifications (O1 twice), one (O4's pmto) expiring within 12 months
    assert counts.loc[("utloper_andel", "0301"), ["teller", "nevner"]].tolist() == [1, 5]
    # in training: O5 (one person)
    assert counts.loc[("i_opplaering_per_1000", "0301"), "teller"] == 1
    # parents in 2025 offers: 38 + 15 + 3
    assert counts.loc[("foreldre_per_1000", "0301"), "teller"] == 56
    # Halden has no offer rows in 2025: no data, not zero
    assert not counts.loc[("foreldre_per_1000", "3101"), "data"]
    out = barometer(ds, on=pd.Timestamp(ON))
    assert set(out["indikator"]) == {i.key for i in INDICATORS}
    assert len(out) == len(INDICATORS) * ds.kommuner["kommunenummer"].nunique()


def test_the_table_names_the_comparators_and_shows_words_not_only_colours(tmp_path):
    ds = load_staff_fixture(tmp_path)
    rows = barometer(ds, on=pd.Timestamp(ON))
    table = barometer_table(rows[rows["kommunenummer"] == "0301"], kommunenavn="Oslo", fylkesnavn="Oslo")
    frame = table.to_frame()
    assert list(frame.columns) == ["Indikator", "Oslo (95\u00a0% KI)", "Fylket", "Kommunegruppen", "Landet", "Best er"]
    html = table._repr_html_()
    assert "eneste kommune i fylket" in html and "kommuner med 100\u00a0000 innbyggere eller flere" in html
    # every badge carries its word
    assert html.count('class="verdikt') == html.count("Bedre</span>") + html.count("Dårligere</span>") + \
        html.count("Ingen sikker forskjell</span>")
    assert frame.loc[frame["Indikator"].str.startswith("Sertifiseringer som"), "Oslo (95\u00a0% KI)"].item() == ":"


def test_a_suppressed_value_is_left_out_of_every_comparator():
    # A's 4 parents are hidden; if the country pooled them (9 / 3 000 = 3.0 per 1 000), 3.0 × 3 less
    # B's 5 shown on B's page and C's 0 would give A's 4 back. Pooled without A: 5 / 2 000 = 2.5.
    counts = _counts("foreldre_per_1000", [("1101", "11", 4, 1000), ("1102", "11", 5, 1000), ("1103", "11", 0, 1000)])
    out = judge(counts, groups=_groups({"1101": "g", "1102": "g", "1103": "g"})).set_index("kommunenummer")
    assert out.loc["1101", "prikket"]
    for nr in ("1102", "1103"):
        assert out.loc[nr, "land_verdi"] == pytest.approx(2.5)
        assert out.loc[nr, "fylke_verdi"] == pytest.approx(2.5) and out.loc[nr, "land_antall"] == 2
    assert out.loc["1103", "peer_verdi"] == pytest.approx(5.0)  # the others shown: B only
    assert out.loc["1102", "peer_verdi"] == pytest.approx(0.0)  # C only
