"""kompetanse.reports.kommune: one municipality's profile and the sections of its report, on the staff
fixture of tests/coverage_fixture.py (expected numbers worked out by hand from its docstring)."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

import kompetanse
from kompetanse.analysis import coverage as cov
from kompetanse.analysis import periods
from kompetanse.reports import kommune as municipal
from kompetanse.reports import kommune_national
from kompetanse.settings import SUPPRESSED_MARKER
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


def shown(table) -> list[list[str]]:
    return table.to_frame().astype(str).to_numpy().tolist()


def _counting_coverage(monkeypatch) -> list:
    calls = []
    original = cov.coverage_by_level

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(cov, "coverage_by_level", counted)
    return calls


def test_national_analyses_are_computed_once_per_data_and_date(ds, monkeypatch):
    kommune_national._NATIONAL.clear()
    calls = _counting_coverage(monkeypatch)
    first = municipal.national(ds, on=DAY)
    once = len(calls)  # the status on the day, and once per year of the trend
    assert once >= 1
    again = municipal.national(ds, on=DAY)
    assert len(calls) == once
    for name, frame in first.items():
        pd.testing.assert_frame_equal(again[name], frame)
    # an equal copy (what every kompetanse.load() of the same files gives) shares the result
    municipal.national(ds.copy(), on=DAY)
    assert len(calls) == once
    municipal.national(ds, on=pd.Timestamp("2025-12-31"))
    assert len(calls) > once


def test_an_edited_copy_of_a_dataset_gets_its_own_numbers(ds):
    # the what-if of issue 13: every Oslo certification set to "i_opplaering" in a copy
    municipal.national(ds, on=DAY)
    before = municipal.profile(ds, "0301", on=DAY)
    assert before.coverage["status"].astype(str).tolist() == ["dekket"] * 3
    whatif = ds.copy()
    staff = whatif.ansatte_kompetanse
    whatif.ansatte_kompetanse = staff.assign(status=staff["status"].mask(staff["kommunenummer"] == "0301",
                                                                         "i_opplaering"))
    direct = cov.coverage_by_level(whatif, on=DAY)
    assert direct.loc[direct["kommunenummer"] == "0301", "status"].astype(str).tolist() == ["mangler"] * 3
    after = municipal.profile(whatif, "0301", on=DAY)
    assert after.coverage["status"].astype(str).tolist() == ["mangler"] * 3
    assert after.coverage["kapasitet"].tolist() == [0, 0, 0]
    # an edit in place, on the frame itself, counts as well
    inplace = ds.copy()
    inplace.ansatte_kompetanse.loc[inplace.ansatte_kompetanse["kommunenummer"] == "0301", "status"] = "i_opplaering"
    assert municipal.profile(inplace, "0301", on=DAY).coverage["kapasitet"].tolist() == [0, 0, 0]
    # and the original is untouched by either
    assert municipal.profile(ds, "0301", on=DAY).coverage["kapasitet"].tolist() == before.coverage["kapasitet"].tolist()


def test_changing_a_returned_frame_does_not_change_the_next_result(ds):
    first = municipal.national(ds, on=DAY)
    first["coverage"].loc[:, "kapasitet"] = -1
    assert (municipal.national(ds, on=DAY)["coverage"]["kapasitet"] >= 0).all()


def test_profile_holds_only_its_own_rows(oslo):
    assert (oslo.kommunenavn, oslo.fylkesnummer, oslo.fylkesnavn, oslo.periode) == ("Oslo", "03", "Oslo", 2025)
    for frame in (oslo.coverage, oslo.comparison, oslo.retention, oslo.training, oslo.gaps,
                  oslo.active, oslo.offers, oslo.progress):
        assert set(frame["kommunenummer"]) <= {"0301"}
    assert len(oslo.coverage) == 3
    # offers of the period only: the 2024 icdp row (5 groups, 50 parents) is left out
    assert sorted(oslo.offers["antall_foreldre"]) == [3, 15, 38]


def test_no_person_in_a_profile(oslo):
    for name in ("coverage", "comparison", "retention", "training", "gaps", "active", "offers"):
        assert "ansatt_id" not in getattr(oslo, name).columns


def test_summary_table(oslo, utsira):
    assert shown(municipal.summary_table(oslo)) == [
        # methods by the names readers know, alphabetically
        ["Universell", "Dekket", "–", "3", "ICDP, Trygghetssirkelen (Circle of Security Parenting)"],
        ["Selektiv", "Dekket", "–", "2", "Trygghetssirkelen (Circle of Security Parenting)"],
        ["Indikativ", "Dekket", "–", "3", "PMTO, Trygghetssirkelen (Circle of Security Parenting)"],
    ]
    assert shown(municipal.summary_table(utsira)) == [
        ["Universell", "Sårbar", "Hviler på én person", "1", "ICDP"],
        ["Selektiv", "Mangler", "–", "0", "–"],
        ["Indikativ", "Mangler", "–", "0", "–"],
    ]


def test_summary_table_says_why_each_level_is_vulnerable(tmp_path):
    # Hand-made: Oslo one person (icdp); Utsira two persons in two methods (icdp, tik); Halden two
    # in icdp whose certifications both expire by 2026-06-30. Universell row of each.
    ds = load_staff_fixture(tmp_path)
    (tmp_path / "ansatte_kompetanse.csv").write_text(
        "kommunenummer,ansatt_id,tjeneste,metode,status,opplaering_start,sertifisert_dato,sertifisering_utloper,"
        "sluttet_dato\n"
        "0301,P1,helsestasjon,icdp,sertifisert,2019-09-02,2020-03-01,,\n"
        "1151,P2,helsestasjon,icdp,sertifisert,2019-09-02,2020-03-01,,\n"
        "1151,P3,skole,tik,sertifisert,2019-09-02,2020-03-01,,\n"
        "3101,P4,helsestasjon,icdp,sertifisert,2019-09-02,2020-03-01,2026-01-01,\n"
        "3101,P5,helsestasjon,icdp,sertifisert,2019-09-02,2020-03-01,2026-05-01,\n", encoding="utf-8")
    ds = kompetanse.load(tmp_path)
    reasons = [shown(municipal.summary_table(municipal.profile(ds, k, on=DAY)))[0][1:4]
               for k in ("0301", "1151", "3101")]
    assert reasons == [["Sårbar", "Hviler på én person", "1"],
                       ["Sårbar", "Ingen metode har to sertifiserte", "2"],
                       ["Sårbar", "Alle sertifiseringene utløper innen et år", "2"]]


def test_the_notebook_states_the_rule_the_code_applies():
    # The definition under «Kort oppsummert» names every reason the summary table can show, in
    # the code's order, and no longer says that sårbar always means one person.
    nb = json.loads((Path(__file__).parents[1] / "notebooks" / "kommune_rapport.ipynb").read_text("utf-8"))
    text = " ".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    text = " ".join(text.split())
    words = municipal.vulnerability_reasons()
    assert words == {"for_faa": "Hviler på én person", "spredt": "Ingen metode har to sertifiserte",
                     "utloper": "Alle sertifiseringene utløper innen et år"}
    rule = "nivået hviler på én person; flere personer, men ingen metode har to sertifiserte; " \
           "alle sertifiseringene på nivået utløper innen et år"
    assert rule in text
    assert "kapasiteten hviler på én person" not in text
    assert "minst én metode på nivået har to eller flere aktive, sertifiserte ansatte" in text


def test_comparison_beside_county_and_country(oslo):
    c = oslo.comparison.set_index("niva")
    # Rates known for four municipalities. universell: Oslo 0.15, Utsira 25, Halden 0, Bergen 0
    # -> national median (0 + 0.15) / 2 = 0.075. selektiv: 0.1, 0, 0.4, 0 -> median 0.05.
    assert c.loc["universell", "land_median"] == pytest.approx(0.075)
    assert c.loc["selektiv", "land_median"] == pytest.approx(0.05)
    # Oslo is the only municipality of its county: compare's county median is its own figure,
    # but the page says there is nothing to compare with and gives no rank
    assert c["fylke_median"].tolist() == pytest.approx([0.15, 0.10, 0.15])
    rows = shown(municipal.comparison_table(oslo))
    # universell: 3 persons / 20 000 children = 0.15 per 1 000 (exact interval 0.62-8.77 persons);
    # the country pools (3 + 1) / 73 040 children = 0.055; its peer Bergen (100 000 or more) has 0
    assert rows[0] == ["Universell", "0,15", "0,03–0,44", "eneste i fylket", "0,00", "0,05", "0,00–6,36", "–"]
    assert [r[3] for r in rows] == ["eneste i fylket"] * 3 and [r[7] for r in rows] == ["–"] * 3
    # national rate at universell: (3 + 1) / 73 040 * 1 000 = 0.0548; Oslo's 3 persons have the
    # exact Poisson interval 0.62-8.77, i.e. 0.031-0.44 per 1 000 children: "likt"
    assert c.loc["universell", "land_rate"] == pytest.approx(4 / 73040 * 1000)
    assert c.loc["universell", "vurdering"] == "likt"


def test_methods_table_counts_active_and_training_per_method(oslo):
    # active: icdp O1, O2; cos-p O1, O3; pmto O4. In training: pmto O5. Sorted by name.
    rows = shown(municipal.methods_table(oslo))
    assert [r[0].split(" ")[0] for r in rows] == ["ICDP", "PMTO", "Trygghetssirkelen"]
    assert [r[2:] for r in rows] == [["2", "0"], ["1", "1"], ["2", "0"]]
    assert rows[2][1] == "universell, selektiv, indikativ"


def test_retention_table(oslo):
    # O4's pmto (indikativ) expires within 12 months; O6 (icdp, universell) left in 2025; O5 is in
    # training in pmto (indikativ). Nothing gets worse.
    # The public edition (the default) shows none of these counts of one person, nor 0 (a «0»
    # beside a «:» would tell what the «:» hides), nor the status a year ahead that rests on them;
    # staff in training are capacity to come and shown; the internal edition shows everything.
    table = municipal.retention_table(oslo)
    assert table.to_frame().columns.tolist() == [
        "Nivå", "Utløper innen 12 mnd.", "Sluttet i 2025", "I opplæring",
        "Status nå", "Status om ett år"]
    assert shown(table) == [
        ["Universell", ":", ":", "0", "Dekket", ":"],
        ["Selektiv", ":", ":", "0", "Dekket", ":"],
        ["Indikativ", ":", ":", "1", "Dekket", ":"],
    ]
    assert "vises ikke (:)" in table.caption
    internal = municipal.retention_table(replace(oslo, utgave="intern"))
    assert shown(internal) == [
        ["Universell", "0", "1", "0", "Dekket", "Dekket"],
        ["Selektiv", "0", "0", "0", "Dekket", "Dekket"],
        ["Indikativ", "1", "0", "1", "Dekket", "Dekket"],
    ]
    assert "Intern utgave" in internal.caption


def test_gaps_table(oslo, utsira):
    assert shown(municipal.gaps_table(oslo)) == [["Alle tre nivåene er dekket."]]
    table = municipal.gaps_table(utsira)
    rows = shown(table)
    # universell 4 methods, selektiv 5, indikativ 7 (see test_coverage): at most 5 per level
    # first (4 + 5 + 5 = 14), the other 2 indikativ ones under «Vis alle»
    assert len(rows) == 14
    assert len(table.all_rows()) == 16
    # method names as readers know them (as in the summary table)
    assert rows[0][:5] == ["Universell", "ICDP", "ja", "4–5 måneder", "nei"]
    assert rows[1][:5] == ["Universell", "Trygghetssirkelen (Circle of Security Parenting)", "nei", "4 dager", "nei"]
    assert ["Selektiv", "0–2 år"] in [[r[0], r[5]] for r in table.all_rows().astype(str).to_numpy().tolist()]
    rest = table.rest.to_frame()["Metode"].tolist()
    assert rest == ["Familie for første gang (Nurse-Family Partnership)", "TIBIR foreldrerådgivning"]
    assert "PMTO" in table.all_rows()["Metode"].tolist()
    assert len(table.to_spreadsheet()) == 16
    page = table._repr_html_()
    assert page.count("<table") == 2 and "<details><summary>Vis alle: 2 metoder til</summary><table" in page


def test_gaps_table_shows_a_chosen_number_first(utsira):
    assert len(shown(municipal.gaps_table(utsira, shown=1))) == 3
    assert municipal.gaps_table(utsira, shown=10).rest is None
    assert "<details>" not in municipal.gaps_table(utsira, shown=10)._repr_html_()
    with pytest.raises(kompetanse.UsageError, match="shown"):
        municipal.gaps_table(utsira, shown=0)


def test_utsiras_first_gap_row_on_the_sample_is_marte_meo():
    sample = kompetanse.load()
    p = municipal.profile(sample, "1151", on=periods.reference_date(sample))
    first = shown(municipal.gaps_table(p))
    # the first row of the page: the level where Utsira has staff, the method they hold
    assert first[0][:4] == ["Indikativ", "Marte Meo", "ja", "2–3 år"]


def test_offers_table_suppresses_small_counts_and_what_would_reveal_them(oslo, utsira):
    # Oslo 2025 parents: universell 38 + 15 = 53, selektiv 0, indikativ 3, total 56. The 3 is
    # below 5 (primary); with the total shown it would be 56 - 53 - 0, so 53 is hidden too
    # (secondary: the smallest shown non-zero cell of the column). 0 is shown. Groups are not
    # suppressed: 6, 0, 0, total 6.
    assert shown(municipal.offers_table(oslo)) == [
        ["Universell", "6", SUPPRESSED_MARKER],
        ["Selektiv", "0", "0"],
        ["Indikativ", "0", SUPPRESSED_MARKER],
        ["I alt", "6", "56"],
    ]
    # Utsira: 6 parents, not small: shown
    assert shown(municipal.offers_table(utsira))[0] == ["Universell", "1", "6"]


def test_programme_table(oslo, utsira):
    # Oslo, cohort 2024, 2024-01-15 to 2025-12-15: 701 days; on 2025-06-30, 533 have passed
    # (366 to 2025-01-15, then 16 + 28 + 31 + 30 + 31 + 30, and the day itself): 76.0 %.
    # Activities: 1 held, 1 cancelled, 1 planned: 1 / 3 = 33.3 %, 43 points behind: forsinket.
    assert shown(municipal.programme_table(oslo)) == [
        ["2024", "Forsinket", "76,0\u00a0%", "33,3\u00a0%", "1", "3", "12", "8"]]
    assert shown(municipal.programme_table(utsira)) == [["Kommunen har ikke startet i programmet."]]


def test_a_supplied_grouping_file_sets_the_peers(ds, tmp_path):
    from kompetanse.errors import DataError

    groups = tmp_path / "kommunegrupper.csv"
    groups.write_text("kommunenummer,gruppe,gruppenavn\n0301,K13,KOSTRA-gruppe 13\n3101,K13,KOSTRA-gruppe 13\n",
                      encoding="utf-8")
    p = municipal.profile(ds, "0301", on=DAY, grouping=str(groups))
    b = p.barometer.set_index("indikator")
    assert b.loc["kapasitet_universell", "peer_group_navn"] == "KOSTRA-gruppe 13"
    # Oslo's only peer is Halden, which has no one certified at universell on the day (H3 not yet)
    assert b.loc["kapasitet_universell", "peer_antall"] == 1 and b.loc["kapasitet_universell", "peer_verdi"] == 0
    assert "andre KOSTRA-gruppe 13" in municipal.heading(p).line
    # an empty parameter means size bands, and a bad file is refused with its row and column
    assert municipal.profile(ds, "0301", on=DAY, grouping="").barometer["peer_group"].iloc[0] == "str_5"
    groups.write_text("kommunenummer,gruppe,gruppenavn\n301,K13,KOSTRA-gruppe 13\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        municipal.profile(ds, "0301", on=DAY, grouping=str(groups))
    assert caught.value.problems[0].row == 2 and caught.value.problems[0].column == "kommunenummer"


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_the_figures_keep_their_legend_and_labels_inside_for_the_longest_name(lang, tmp_path):
    # the class, not one municipality: Voss's two figures under a municipality name longer than
    # any real one (its legend entry is the longest), in both forms; every text, as Chromium
    # lays it out, lies within the figure
    import dataclasses

    from tests.browser import chromium, open_page

    if chromium() is None:
        pytest.skip("no Chromium")
    sample = kompetanse.load()
    # longer than any name in the sample (15 characters) or in Norway (Porsanger's three names)
    longest = "Nordre Langdalen og Vesterstrand"
    p = municipal.profile(sample, "4621", on=periods.reference_date(sample), lang=lang)
    p = dataclasses.replace(p, kommunenavn=longest)
    charts = [municipal.capacity_chart(p), municipal.trend_chart(p)]
    script = """<pre id="r"></pre><script>
    const out = [];
    for (const svg of document.querySelectorAll("svg")) {
      const f = svg.getBoundingClientRect();
      for (const t of svg.querySelectorAll("text")) {
        const b = t.getBoundingClientRect();  // as drawn: after a rotation
        if (b.left < f.left - 1 || b.top < f.top - 1 || b.right > f.right + 1 || b.bottom > f.bottom + 1)
          out.push(t.textContent);
      }
      out.push("svg:" + svg.querySelectorAll("text").length);
    }
    document.getElementById("r").textContent = JSON.stringify(out);
    </script>"""
    page = tmp_path / "figures.html"
    page.write_text("<!doctype html><html><body>" + "".join(c.svg for c in charts) + script + "</body></html>",
                    encoding="utf-8")
    dom, _ = open_page(page)
    found = json.loads(re.search(r'<pre id="r">(.*?)</pre>', dom, re.S).group(1))
    outside = [t for t in found if not t.startswith("svg:")]
    assert outside == []
    # the check saw both figures and their texts, the longest name among them
    assert [t for t in found if t.startswith("svg:")] and all(int(t[4:]) > 10 for t in found if t.startswith("svg:"))
    assert all(longest in c.svg for c in charts)


def test_capacity_rows_taken_directly_equal_the_merge_for_every_municipality():
    """The capacity chart's and comparison table's rows are taken in level order without a
    merge when a municipality has one row per level: the same frame as the merge, for every
    municipality of the sample; a profile with a level missing goes through the merge."""
    sample = kompetanse.load()
    on = periods.reference_date(sample)
    for nr in sample.kommuner["kommunenummer"]:
        p = municipal.profile(sample, nr, on=on)
        pd.testing.assert_frame_equal(municipal._capacity_rows(p), municipal._capacity_rows_merged(p))
    oslo = municipal.profile(sample, "0301", on=on)
    lacking = replace(oslo, barometer=oslo.barometer[oslo.barometer["indikator"] != "kapasitet_selektiv"])
    rows = municipal._capacity_rows(lacking)
    pd.testing.assert_frame_equal(rows, municipal._capacity_rows_merged(lacking))
    assert rows["niva"].tolist() == ["universell", "selektiv", "indikativ"]
    assert pd.isna(rows.loc[1, "rate"]) and not pd.isna(rows.loc[0, "rate"])
    municipal.capacity_chart(lacking)  # still drawn, the missing level without a dot
