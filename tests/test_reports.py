"""kompetanse.reports.nasjonal, program and utfall: what each notebook section shows, computed in
the library (kompetanse.reports.kommune is tested in test_municipal.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from kompetanse import UsageError
from kompetanse.analysis import programme
from kompetanse.analysis.coverage import coverage_by_level
from kompetanse.reports import nasjonal, plots, program, tables
from kompetanse.settings import MIN_COUNT, SUPPRESSED_MARKER


def shown(table) -> list[list[str]]:
    return table.to_frame().astype(str).to_numpy().tolist()


def test_national_overview_of_one_county_holds_only_its_municipalities(ds, on):
    country = nasjonal.overview(ds, on=on)
    county = nasjonal.overview(ds, on=on, fylkesnummer="18")
    assert country.omrade == "Hele landet" and len(country.coverage) == 357 * 3
    assert set(county.coverage["fylkesnummer"]) == {"18"} and county.omrade == "Nordland"
    assert repr(nasjonal.heading(county)) == f"Nordland: status {on:%d.%m.%Y}"


def test_national_status_table_counts_every_municipality_once_per_level(ds, on):
    rows = shown(nasjonal.status_table(nasjonal.overview(ds, on=on)))
    assert [r[0] for r in rows] == ["Universell", "Selektiv", "Indikativ"]
    cov = coverage_by_level(ds, on=on)
    for row, (_, level) in zip(rows, cov.groupby("niva", observed=True), strict=True):
        assert row[1] == "357"
        assert row[2:5] == [str((level["status"] == s).sum()) for s in ("dekket", "sarbar", "mangler")]


def test_national_county_chart_names_its_level_and_refuses_another(ds, on):
    o = nasjonal.overview(ds, on=on)
    chart = nasjonal.county_chart(o, level="selektiv")
    assert isinstance(chart, plots.Chart) and "selektivt nivå" in chart.alt
    with pytest.raises(UsageError, match=r"The value for `level` must be one of universell, selektiv, indikativ"):
        nasjonal.county_chart(o, level="alle")


def test_programme_key_figures_hide_small_attendances_and_show_the_rest(ds, on):
    for kull in sorted(ds.program_deltakelse["kull"].unique()):
        c = program.cohort(ds, kull=kull, on=on)
        figures = dict(shown(program.key_figures(c)))
        raw = programme.cohort_summary(ds, on=on).set_index("kull").loc[kull]
        for label, column in (("Ansatte nådd (oppmøter)", "ansatte_naadd"),
                              ("Foreldre nådd (oppmøter)", "foreldre_naadd")):
            n = int(raw[column])
            if 0 < n < MIN_COUNT:
                assert figures[label] == SUPPRESSED_MARKER, (kull, label)
            elif figures[label] != SUPPRESSED_MARKER:  # a total may be hidden to protect a row
                assert figures[label] == tables.number(n), (kull, label)
        assert figures["Kommuner i kullet"] == str(int(raw["kommuner"]))


def test_programme_table_shows_no_small_attendance(ds, on):
    c = program.cohort(ds, kull="2024", on=on)
    assert set(c.progress["kull"]) == {"2024"}
    frame = program.progress_table(c).to_frame()
    # every municipality of the cohort, started or not (was: only those that had started)
    d = ds.program_deltakelse
    assert sorted(frame["Kommune"]) == sorted(d.loc[d["kull"] == "2024", "kommunenavn"])
    for column in ("Ansatte nådd", "Foreldre nådd"):
        assert not set(frame[column]) & {str(n) for n in range(1, MIN_COUNT)}
    # what the table hides is the counts from 1 to 4 and, beside them, what the cohort's total
    # would give away (tests/test_program_page.py); nothing when none is small
    for column, raw in (("Ansatte nådd", "ansatte_naadd"), ("Foreldre nådd", "foreldre_naadd")):
        hidden = (frame[column] == SUPPRESSED_MARKER).sum()
        small = c.progress[raw].between(1, MIN_COUNT - 1).sum()
        assert hidden == 0 if small == 0 else hidden >= small, column


def test_programme_sections_are_for_the_cohort_asked_for(ds, on):
    c = program.cohort(ds, kull="2024", on=on)
    assert repr(program.heading(c)) == f"Kull 2024: status {on:%d.%m.%Y}"
    assert program.progress_chart(c).alt.endswith("kull 2024")
    assert program.activities_chart(c).alt.endswith("kull 2024")


def test_outcome_sections_come_from_the_study_result(ds):
    from kompetanse import outcomes
    from kompetanse.reports import utfall

    s = utfall.study(ds, indikator="samarbeid", confidence_level=0.9)
    direct = outcomes.outcome_study(ds, indikator="samarbeid", confidence_level=0.9)
    assert s.result.estimate == pytest.approx(direct.estimate)
    assert repr(utfall.heading(s)) == "Indikator «samarbeid»"
    assert len(utfall.event_table(s).to_frame()) == len(direct.event_study)
    assert utfall.method_text(s) == direct.method
    assert "90 % konfidensintervall" in utfall.event_chart(s).figure.axes[0].get_title(loc="left")
    # the robustness checks are run once, for the chart and the table together
    assert s.robustness is s.robustness
    assert len(utfall.robustness_table(s).to_frame()) == len(s.robustness)
    assert isinstance(utfall.twfe_table(s).to_frame(), pd.DataFrame)
