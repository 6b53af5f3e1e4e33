"""One definition per number: "how many staff are trained?" has one answer, the distinct persons
with an active certification on the status date, and every place that gives it (the library's
functions, the municipal analyses, the command line, utforsk.ipynb) gives the same figure.

The sample figures for Oslo on 31.12.2025 (issue 14): 301 persons, 351 certifications (person ×
method), 248 / 201 / 227 persons at universell / selektiv / indikativ. utforsk.ipynb used to say
345, counting every row with status ``sertifisert``, including people who had left and
certifications that had expired.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import papermill as pm
import pytest

import kompetanse
from kompetanse.analysis.coverage import active_certified, coverage_by_level, staff_counts
from kompetanse.cli import main
from kompetanse.reports.kommune import national
from tests.conftest import MINIMAL
from tests.coverage_fixture import ON, load_staff_fixture

STATUS = pd.Timestamp("2025-12-31")
PLACES = ["0301", "4621", "1151"]  # Oslo, Voss, Utsira
LEVELS = ["universell", "selektiv", "indikativ"]


@pytest.fixture(scope="module")
def sample():
    return kompetanse.load()


@pytest.fixture(scope="module")
def counts(sample):
    return staff_counts(sample, on=STATUS).set_index("kommunenummer")


# --- hand-made fixtures ---------------------------------------------------------------------------

# P1 is certified in icdp (universell) and pmto (indikativ) and in training in tik; P2 is only in
# training; P3 was certified in icdp but left before the date; P4's certification expired.
TWO_METHODS = """\
kommunenummer,ansatt_id,tjeneste,metode,status,opplaering_start,sertifisert_dato,sertifisering_utloper,sluttet_dato
0301,P1,helsestasjon,icdp,sertifisert,2021-01-10,2021-06-01,,
0301,P1,barnevern,pmto,sertifisert,2020-01-15,2021-09-01,2026-08-31,
0301,P1,skole,tik,i_opplaering,2024-08-01,,,
0301,P2,barnevern,pmto,i_opplaering,2024-02-01,,,
0301,P3,helsestasjon,icdp,sertifisert,2019-01-10,2019-06-01,,2024-06-30
0301,P4,helsestasjon,icdp,sertifisert,2019-01-10,2019-06-01,2023-06-01,
"""


@pytest.fixture(scope="module")
def two_methods(tmp_path_factory):
    folder = tmp_path_factory.mktemp("to_metoder")
    shutil.copytree(MINIMAL, folder, dirs_exist_ok=True)
    (folder / "ansatte_kompetanse.csv").write_text(TWO_METHODS, encoding="utf-8")
    return kompetanse.load(folder)


def test_person_in_two_methods_at_two_levels_counts_once_as_a_person(two_methods):
    oslo = staff_counts(two_methods, on="2024-12-31").set_index("kommunenummer").loc["0301"]
    assert oslo["sertifiserte"] == 1  # P1; P3 left, P4 expired
    assert oslo["sertifiseringer"] == 2  # P1 × icdp, P1 × pmto
    assert [oslo[f"sertifiserte_{n}"] for n in LEVELS] == [1, 0, 1]
    # P1, certified in two methods and in training in a third, counts in both columns; P2 too
    assert oslo["i_opplaering"] == 2


def test_every_municipality_has_a_row_with_zeros_where_none(two_methods):
    out = staff_counts(two_methods, on="2024-12-31")
    assert len(out) == len(two_methods.kommuner) and out["kommunenummer"].is_unique
    assert out["kommunenummer"].is_monotonic_increasing
    numbers = [c for c in out.columns if c.startswith(("sertifiser", "i_opplaering"))]
    assert out[numbers].dtypes.eq("int64").all()
    others = out[out["kommunenummer"] != "0301"]
    assert others[numbers].eq(0).all().all()


def test_staff_counts_on_the_shared_coverage_fixture(tmp_path):
    # tests/coverage_fixture.py, on 2025-06-30: see its docstring for every row
    out = staff_counts(load_staff_fixture(tmp_path), on=ON).set_index("kommunenummer")
    columns = ["sertifiserte", "i_opplaering", "sertifiseringer", *[f"sertifiserte_{n}" for n in LEVELS]]
    assert out.loc["0301", columns].tolist() == [4, 1, 5, 3, 2, 3]  # O1 in icdp and cos-p; O4 pmto
    assert out.loc["1151", columns].tolist() == [1, 0, 1, 1, 0, 0]
    assert out.loc["3101", columns].tolist() == [2, 0, 2, 0, 2, 2]  # H3 not yet, H4 lapsed
    assert out.loc["4601", columns].tolist() == [0, 1, 0, 0, 0, 0]  # only B3, in training


def test_the_date_moves_the_count(two_methods):
    # on 2024-06-30 P3 still counts (the day they leave); P4 had expired a year before
    oslo = staff_counts(two_methods, on="2024-06-30").set_index("kommunenummer").loc["0301"]
    assert oslo["sertifiserte"] == 2 and oslo["sertifiseringer"] == 3


def test_a_bad_date_is_refused_by_name(two_methods):
    with pytest.raises(kompetanse.UsageError, match="`on`"):
        staff_counts(two_methods, on="ikke en dato")


# --- the sample: every place gives the same figure ------------------------------------------------

def test_oslo_figures_of_the_sample(counts):
    oslo = counts.loc["0301"]
    assert oslo["sertifiserte"] == 301
    assert oslo["sertifiseringer"] == 351
    assert [oslo[f"sertifiserte_{n}"] for n in LEVELS] == [248, 201, 227]


@pytest.mark.parametrize("kommune", PLACES)
def test_headline_is_the_distinct_persons_of_active_certified(sample, counts, kommune):
    active = active_certified(sample, on=STATUS)
    assert counts.loc[kommune, "sertifiserte"] == active.loc[active["kommunenummer"] == kommune,
                                                             "ansatt_id"].nunique()


def test_headline_equals_active_certified_in_every_municipality(sample, counts):
    persons = active_certified(sample, on=STATUS).groupby("kommunenummer")["ansatt_id"].nunique()
    assert counts["sertifiserte"].eq(persons.reindex(counts.index, fill_value=0)).all()


@pytest.mark.parametrize("kommune", PLACES)
def test_per_level_figures_are_the_capacity_of_coverage_by_level(sample, counts, kommune):
    cov = coverage_by_level(sample, on=STATUS)
    capacity = cov[cov["kommunenummer"] == kommune].set_index("niva")["kapasitet"]
    assert [counts.loc[kommune, f"sertifiserte_{n}"] for n in LEVELS] == [capacity[n] for n in LEVELS]


def test_per_level_figures_equal_capacity_everywhere(sample, counts):
    cov = coverage_by_level(sample, on=STATUS).pivot(index="kommunenummer", columns="niva", values="kapasitet")
    for n in LEVELS:
        assert counts[f"sertifiserte_{n}"].eq(cov[n].reindex(counts.index)).all(), n


@pytest.mark.parametrize("kommune", PLACES)
def test_certifications_are_the_active_counts_summed_over_methods(sample, counts, kommune):
    active = national(sample, on=STATUS)["active"]
    assert counts.loc[kommune, "sertifiseringer"] == active.loc[active["kommunenummer"] == kommune,
                                                                "aktive"].sum()


def test_national_total_counts_a_person_once_per_municipality(sample, counts):
    active = active_certified(sample, on=STATUS)
    assert counts["sertifiserte"].sum() == len(active[["kommunenummer", "ansatt_id"]].drop_duplicates())
    assert counts["sertifiseringer"].sum() == len(active)


# --- the command line -----------------------------------------------------------------------------

def test_validate_json_gives_the_same_headline(counts, capsys):
    assert main(["validate", "--json"]) == 0
    staff = json.loads(capsys.readouterr().out)["aktive_sertifiserte"]
    assert staff == {"dato": "2025-12-31", "sertifiserte": int(counts["sertifiserte"].sum()),
                     "sertifiseringer": int(counts["sertifiseringer"].sum())}


def test_validate_prints_oslos_headline_for_oslos_staff(tmp_path, capsys):
    folder = tmp_path / "oslo"
    shutil.copytree(kompetanse.load().path, folder)
    staff = folder / "ansatte_kompetanse.csv"
    lines = staff.read_text(encoding="utf-8").splitlines()
    staff.write_text("\n".join([lines[0], *[x for x in lines[1:] if x.startswith("0301,")]]) + "\n",
                     encoding="utf-8")
    assert main(["validate", str(folder), "-q"]) == 0
    assert "Aktive sertifiserte ansatte 31.12.2025: 301 personer (351 sertifiseringer)" in capsys.readouterr().out


# --- utforsk.ipynb --------------------------------------------------------------------------------

NOTEBOOK = Path(__file__).parent.parent / "notebooks" / "utforsk.ipynb"


def test_utforsk_prints_the_same_headline_for_oslo(tmp_path, counts):
    out = tmp_path / "utforsk.ipynb"
    pm.execute_notebook(str(NOTEBOOK), str(out), parameters={"kommunenummer": "0301"}, progress_bar=False,
                        kernel_name="python3", execution_timeout=600)
    text = "".join(o.get("text", "") for c in nbformat.read(out, as_version=4).cells for o in c.get("outputs", [])
                   if o.get("output_type") == "stream")
    found = re.search(r"Oslo 31\.12\.2025: (\d+) personer med aktiv sertifisering \((\d+) sertifiseringer\)", text)
    assert found, text
    assert [int(found[1]), int(found[2])] == [counts.loc["0301", "sertifiserte"],
                                              counts.loc["0301", "sertifiseringer"]] == [301, 351]


def test_the_municipal_page_headline_is_the_library_headline():
    # the key sentence «<kommune> har N ansatte med aktiv sertifisering» counts what staff_counts counts
    from kompetanse.analysis.periods import reference_date
    from kompetanse.reports import key_sentences, kommune

    ds = kompetanse.load()
    on = reference_date(ds)
    counts = staff_counts(ds, on=on).set_index("kommunenummer")
    for nr in ("0301", "4621", "1151"):
        p = kommune.profile(ds, nr, on=on)
        text = key_sentences.what_it_has(p)
        found = int(re.search(r"har ([\d\u00a0]+) ansatte?", text).group(1).replace("\u00a0", ""))
        assert found == counts.loc[nr, "sertifiserte"] == p.staff_total, (nr, text)
