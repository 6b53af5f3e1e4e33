"""Peer groups by size band or a supplied grouping, and the comparison with the other members of
the group. Expected numbers are worked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import kompetanse
from kompetanse.analysis.peers import band_labels, compare_with_peers, peer_groups, read_grouping
from kompetanse.errors import DataError

NBSP = "\xa0"


@pytest.fixture
def population() -> pd.DataFrame:
    return pd.DataFrame({"kommunenummer": ["1101", "1103", "1106", "1108", "1505"],
                         "innbyggere": [1999, 2000, 4999, 5000, 100000]})


def test_band_boundaries_are_lower_bounds(population):
    g = peer_groups(population=population)
    assert list(g["peer_group"]) == ["str_1", "str_2", "str_2", "str_3", "str_5"]
    assert g.loc[1, "peer_group_navn"] == f"kommuner med 2{NBSP}000–4{NBSP}999 innbyggere"
    assert g.loc[0, "peer_group_navn"] == f"kommuner med under 2{NBSP}000 innbyggere"
    assert g.loc[4, "peer_group_navn"] == f"kommuner med 100{NBSP}000 innbyggere eller flere"
    assert set(g["peer_kilde"]) == {"storrelse"}


def test_band_labels_reject_unordered_bounds():
    with pytest.raises(kompetanse.errors.UsageError, match="`bands`"):
        band_labels((5000, 2000))


def test_supplied_grouping_overrides_bands(population):
    grouping = pd.DataFrame({"kommunenummer": ["1101", "1505"], "gruppe": ["K13", "K13"],
                             "gruppenavn": ["KOSTRA-gruppe 13", "KOSTRA-gruppe 13"]})
    g = peer_groups(population=population, grouping=grouping)
    assert list(g["peer_group"]) == ["K13", "str_2", "str_2", "str_3", "K13"]
    assert list(g["peer_kilde"]) == ["gruppering", "storrelse", "storrelse", "storrelse", "gruppering"]
    assert g.loc[0, "peer_group_navn"] == "KOSTRA-gruppe 13"


def test_bad_grouping_file_names_file_row_column_value(tmp_path, population):
    path = tmp_path / "kostra.csv"
    path.write_text("kommunenummer,gruppe,gruppenavn\n1101,K1,Gruppe 1\n110,K1,Gruppe 1\n"
                    "1101,K2,Gruppe 2\n9999,K1,Gruppe én\n1103,,Gruppe 3\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        peer_groups(population=population, grouping=path)
    found = {(p.file, p.row, p.column, p.value) for p in err.value.problems}
    assert ("kostra.csv", 3, "kommunenummer", "110") in found       # not four digits
    assert ("kostra.csv", 4, "kommunenummer", "1101") in found      # listed twice
    assert ("kostra.csv", 5, "kommunenummer", "9999") in found      # not a municipality
    assert ("kostra.csv", 5, "gruppenavn", "Gruppe én") in found    # K1 has two names
    assert ("kostra.csv", 6, "gruppe", "") in found                 # empty group
    assert "kostra.csv:3: column 'kommunenummer': value '110'" in str(err.value)


def test_grouping_without_a_column_says_which(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text("kommunenummer;gruppe\n1101;K1\n", encoding="utf-8")
    with pytest.raises(DataError, match="g.csv: column 'gruppenavn'"):
        read_grouping(path)


@pytest.fixture
def rates() -> pd.DataFrame:
    """Group A: 10/1000, 20/1000, 30/1000 (county 11); group B: one municipality (county 15)."""
    return pd.DataFrame({"kommunenummer": ["1101", "1103", "1106", "1505"],
                         "antall": [10, 20, 30, 5], "barn": [1000, 1000, 1000, 1000]})


@pytest.fixture
def groups() -> pd.DataFrame:
    return pd.DataFrame({"kommunenummer": ["1101", "1103", "1106", "1505"],
                         "peer_group": ["A", "A", "A", "B"], "peer_group_navn": ["a", "a", "a", "b"]})


def test_peers_exclude_the_municipality_itself(rates, groups):
    out = compare_with_peers(rates, count="antall", denominator="barn", groups=groups)
    # 1101's peers are 1103 and 1106: median (20 + 30) / 2 = 25, pooled 50 / 2000 * 1000 = 25
    assert out.loc[0, "peer_median"] == 25.0
    assert out.loc[0, "peer_rate"] == 25.0
    assert out.loc[1, "peer_rate"] == 20.0                       # (10 + 30) / 2000 * 1000
    assert list(out["peer_antall"]) == [2, 2, 2, 0]
    # 1101: 10 per 1,000, exact interval about 4.8–18.4, wholly below 25 → darligere
    assert out.loc[0, "ci_high"] < 25 and out.loc[0, "vurdering_peer"] == "darligere"
    # 1103: 20, interval about 12.2–30.9, contains its peers' 20 → likt
    assert out.loc[1, "vurdering_peer"] == "likt"
    # 1106: 30, interval about 20.2–42.8, wholly above its peers' (10 + 20) / 2000 * 1000 = 15 → bedre
    assert round(out.loc[2, "ci_low"], 1) == 20.2 and out.loc[2, "peer_rate"] == 15.0
    assert out.loc[2, "vurdering_peer"] == "bedre"


def test_a_group_or_county_of_one_says_so(rates, groups):
    out = compare_with_peers(rates, count="antall", denominator="barn", groups=groups)
    assert out.loc[3, "peer_merknad"] == "eneste kommune i gruppen"
    assert np.isnan(out.loc[3, "peer_rate"]) and out.loc[3, "vurdering_peer"] == ""
    assert out.loc[3, "fylke_merknad"] == "eneste kommune i fylket" and out.loc[3, "fylke_antall"] == 0
    assert list(out["fylke_merknad"][:3]) == ["", "", ""]


def test_sample_oslo_in_the_largest_band_and_everyone_grouped():
    ds = kompetanse.load()
    g = peer_groups(ds.kommuner)
    assert len(g) == len(ds.kommuner) and g["kommunenummer"].is_unique
    assert (g["peer_group"] != "").all()
    oslo = g.set_index("kommunenummer").loc["0301"]
    assert oslo["peer_group"] == "str_5" and oslo["peer_group_navn"].endswith("eller flere")


def test_grouping_frame_with_a_missing_name_is_a_problem():
    frame = pd.DataFrame({"kommunenummer": ["1101"], "gruppe": ["K1"], "gruppenavn": [None]})
    with pytest.raises(DataError) as err:
        read_grouping(frame)
    assert [(p.file, p.row, p.column, p.value) for p in err.value.problems] == [("grouping", 2, "gruppenavn", "")]
