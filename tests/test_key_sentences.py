"""The key sentences of the municipal page: one test per rule, on the staff fixture's Oslo and
Utsira (tests/coverage_fixture.py) with the profile's frames changed by hand where a rule needs
another situation. A rule says nothing when the data do not support it."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from kompetanse.reports import key_sentences as ks
from kompetanse.reports import kommune as municipal
from tests.coverage_fixture import ON, load_staff_fixture

DAY = pd.Timestamp(ON)


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    return load_staff_fixture(tmp_path_factory.mktemp("staff"))


@pytest.fixture(scope="module")
def oslo(ds):
    return municipal.profile(ds, "0301", on=DAY)


@pytest.fixture(scope="module")
def utsira(ds):
    return municipal.profile(ds, "1151", on=DAY)


def _with_status(p, statuses: dict[str, str], reasons: dict[str, str] | None = None):
    c = p.coverage.copy()
    c["status"] = c["niva"].astype(str).map(statuses).astype(c["status"].dtype)
    c["sarbar_grunn"] = c["niva"].astype(str).map(reasons or {}).fillna("").astype("str")
    return dataclasses.replace(p, coverage=c)


def _with_verdicts(p, comparator: str, verdicts: dict[str, str]):
    b = p.barometer.copy()
    for level, verdict in verdicts.items():
        b.loc[b["indikator"] == f"kapasitet_{level}", f"vurdering_{comparator}"] = verdict
    return dataclasses.replace(p, barometer=b)


def test_what_it_has_counts_distinct_persons_and_methods(oslo):
    # O1 (icdp, cos-p), O2 (icdp), O3 (cos-p), O4 (pmto): 4 persons in 3 methods
    assert ks.what_it_has(oslo) == "Oslo har 4 ansatte med aktiv sertifisering i 3 metoder per 30. juni 2025."


def test_what_it_has_without_registered_staff_or_without_active(oslo):
    none = dataclasses.replace(oslo, has_staff=False)
    assert "ingen registrerte ansatte" in ks.what_it_has(none) and "ikke vurdert" in ks.what_it_has(none)
    inactive = dataclasses.replace(oslo, staff_total=0)
    assert ks.what_it_has(inactive) == "Oslo har ingen ansatte med aktiv sertifisering per 30. juni 2025."
    one = dataclasses.replace(oslo, staff_total=1, method_total=1)
    assert ks.what_it_has(one) == "Oslo har 1 ansatt med aktiv sertifisering i én metode per 30. juni 2025."


def test_coverage_names_every_status_with_the_reason(oslo):
    assert ks.coverage(oslo) == "Alle tre forebyggingsnivåene er dekket."
    mixed = _with_status(oslo, {"universell": "dekket", "selektiv": "sarbar", "indikativ": "mangler"},
                         {"selektiv": "spredt"})
    assert ks.coverage(mixed) == ("Universelt nivå er dekket; selektivt nivå er sårbart fordi ingen metode har to "
                                  "sertifiserte; indikativt nivå mangler sertifiserte ansatte.")
    two = _with_status(oslo, {"universell": "mangler", "selektiv": "mangler", "indikativ": "sarbar"},
                       {"indikativ": "for_faa"})
    assert ks.coverage(two) == ("Indikativt nivå er sårbart fordi det hviler på én person; universelt og selektivt "
                                "nivå mangler sertifiserte ansatte.")
    assert ks.coverage(dataclasses.replace(oslo, has_staff=False)) is None


def test_versus_country_only_from_the_test(oslo):
    # on the fixture no level differs surely from the country (intervals 0.03-0.44 contain 0.05)
    assert ks.versus_country(oslo).startswith("Antallet sertifiserte per 1\u00a0000 barn skiller seg ikke sikkert")
    mixed = _with_verdicts(oslo, "land", {"universell": "bedre", "indikativ": "darligere"})
    text = ks.versus_country(mixed)
    assert text.startswith("Kommunen har flere sertifiserte per 1\u00a0000 barn på universelt nivå (0,15 mot 0,05)"
                           " og færre på indikativt nivå (0,15 mot 0,07) enn landet")
    untested = _with_verdicts(oslo, "land", {"selektiv": ""})
    assert ks.versus_country(untested) is None


def test_versus_peers_only_where_the_test_finds_a_difference(oslo):
    same = _with_verdicts(oslo, "peer", {lv: "likt" for lv in ("universell", "selektiv", "indikativ")})
    assert ks.versus_peers(same) is None
    # on the fixture Oslo's peer (Bergen) has none certified: Oslo is surely above at every level
    assert ks.versus_peers(oslo) == (
        "Mot andre kommuner med 100\u00a0000 innbyggere eller flere har kommunen flere sertifiserte per 1\u00a0000 "
        "barn på universelt, selektivt og indikativt nivå (0,15 mot 0,00; 0,10 mot 0,00; 0,15 mot 0,00); "
        "forskjellen er sikker.")


def test_what_expires_says_which_level_weakens_never_how_many(ds, oslo, utsira):
    # Oslo keeps every status a year ahead; Utsira's one person leaves in January 2026. Both rest
    # on fewer than three persons lost, so the public edition (the profiles' default) says nothing
    # (it could say neither «keeps» nor «weakens» without telling); the internal edition says it
    assert ks.what_expires(oslo) is None
    assert ks.what_expires(utsira) is None
    oslo = municipal.profile(ds, "0301", on=DAY, utgave="intern")
    utsira = municipal.profile(ds, "1151", on=DAY, utgave="intern")
    assert ks.what_expires(oslo) == "Om ingenting gjøres, holder alle tre nivåene statusen sin det neste året."
    text = ks.what_expires(utsira)
    assert text.startswith("Om ingen sertifiseringer fornyes og ingen nye kommer til, blir universelt nivå "
                           "uten sertifiserte ansatte innen et år")
    assert not any(ch.isdigit() for ch in text)


def test_closes_a_gap_takes_the_first_method_per_level_and_joins_levels(utsira):
    text = ks.closes_a_gap(utsira)
    first = utsira.gaps[utsira.gaps["rekkefolge"] == 1]
    assert text.startswith("Raskeste vei til dekning: ")
    for metode in first["metode"].unique():
        assert text.count(utsira.method_names[metode]) == 1  # one clause per method, with all its levels
    assert ks.closes_a_gap(dataclasses.replace(utsira, gaps=utsira.gaps.iloc[0:0])) is None


def test_closes_a_gap_prefers_a_method_already_in_the_municipality(utsira):
    g = utsira.gaps.copy()
    g.loc[g["rekkefolge"] == 1, "allerede_i_bruk"] = True
    assert "som kommunen allerede har ansatte i" in ks.closes_a_gap(dataclasses.replace(utsira, gaps=g))


def test_trend_only_for_a_marked_change(oslo):
    m = oslo.markers.copy()
    m["trend"] = "ingen tydelig endring"
    assert ks.trend(dataclasses.replace(oslo, markers=m)) is None
    m.loc[m["niva"] == "selektiv", "trend"] = "økende"
    m.loc[m["niva"] == "indikativ", "trend"] = "synkende"
    first, last = int(oslo.trends["ar"].min()), int(oslo.trends["ar"].max())
    assert ks.trend(dataclasses.replace(oslo, markers=m)) == (
        f"Kapasiteten per 1\u00a0000 barn har økt på selektivt nivå og gått ned på indikativt nivå fra {first} "
        f"til {last} (trendtest).")


def test_in_training_only_from_three_persons(oslo):
    assert ks.in_training(oslo) is None  # one person (O5): not a sentence about one person
    assert ks.in_training(dataclasses.replace(oslo, training_total=3)) == \
        "3 ansatte er i opplæring og kan gi ny kapasitet."


def test_no_offers_and_the_survey(oslo):
    assert ks.no_offers(oslo) is None
    assert ks.no_offers(dataclasses.replace(oslo, has_offers=False)) == \
        "Det er ingen registrerte tilbud til foreldre i 2025."
    assert ks.survey(oslo).endswith("forskjellen er ikke testet.")
    b = oslo.barometer.copy()
    b.loc[b["indikator"] == "samarbeid", "verdi"] = float("nan")
    assert ks.survey(dataclasses.replace(oslo, barometer=b)) is None


def test_key_sentences_keep_the_rule_order_and_at_most_six(oslo, utsira):
    out = ks.key_sentences(oslo)
    assert 3 <= len(out.sentences) <= ks.MOST
    assert out.sentences[:2] == [ks.what_it_has(oslo), ks.coverage(oslo)]
    expected = [s for s in (rule(oslo) for rule in ks.RULES) if s][:ks.MOST]
    assert out.sentences == expected
    assert ks.key_sentences(oslo, most=2).sentences == expected[:2]
    html = ks.key_sentences(utsira)._repr_html_()
    assert html.startswith('<ul class="nokkelsetninger"><li>') and html.count("<li>") == len(
        ks.key_sentences(utsira).sentences)


def test_no_data_municipality_gets_sentences_but_no_verdict(oslo):
    none = dataclasses.replace(oslo, has_staff=False, has_offers=False)
    out = ks.key_sentences(none).sentences
    assert out[0].startswith("Oslo har ingen registrerte ansatte")
    assert "Det er ingen registrerte tilbud til foreldre i 2025." in out
    assert not any("landet" in s and "sikker" in s for s in out)
