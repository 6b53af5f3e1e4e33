"""kompetanse.reports.program: the municipalities of a cohort on program-<kull>.html, on a small
hand-written cohort with the answers worked out in the comments."""

from __future__ import annotations

import pandas as pd
import pytest

from kompetanse.reports import program, tables
from kompetanse.settings import SUPPRESSED_MARKER
from tests.test_programme import ON, cancelled, held, participation, planned, write_programme


@pytest.fixture
def cohort(minimal) -> program.Cohort:
    """Cohort 2025 on ON (60 % of the period passed):

    - 5001 Trondheim: 1 of 10 staff meetings held (4 staff) → 0.1, 0.5 behind → forsinket
    - 0301 Oslo: 3 of 10 staff meetings held (10 staff each) → 0.3, 0.3 behind → forsinket
    - 3101 Halden: 5 of 5 training days held (10 each), 0 of 5 staff meetings → 0.5, i_rute
    - 1103 Stavanger: granted, starts 2026 → innvilget, not started
    - 4601 Bergen: applied → sokt
    - 1151 Utsira: withdrew after one parent meeting on 2025-03-03 (3 parents) → avbrutt,
      time stopped on day 62 of 365
    """
    ds = write_programme(
        minimal,
        [
            participation("0301"), participation("3101"), participation("5001"),
            participation("1151", "avbrutt"),
            "1103,2025,2024-06-01,innvilget,2026-01-05,2027-01-04,5,5",
            "4601,2025,2024-07-01,sokt,,,2,2",
        ],
        [
            *held("5001", 1, deltakere=4), *planned("5001", 9),
            *held("0301", 3), *planned("0301", 7),
            *held("3101", 5, type_="opplaeringsdag"), *planned("3101", 5),
            *held("1151", 1, type_="foreldremote", deltakere=3), *cancelled("1151", 1),
        ],
    )  # fmt: skip
    return program.cohort(ds, kull="2025", on=pd.Timestamp(ON))


def shown(c: program.Cohort) -> pd.DataFrame:
    return program.progress_table(c).to_frame().set_index("Kommune")


def test_every_municipality_of_the_cohort_is_named_with_its_status_and_county(cohort):
    frame = shown(cohort)
    assert frame["Status"].to_dict() == {
        "Trondheim": "Forsinket", "Oslo": "Forsinket", "Halden": "I rute",
        "Stavanger": "Innvilget, ikke startet", "Bergen": "Søkt", "Utsira": "Avbrutt",
    }  # fmt: skip
    assert frame["Fylke"].to_dict() == {
        "Trondheim": "Trøndelag", "Oslo": "Oslo", "Halden": "Østfold",
        "Stavanger": "Rogaland", "Bergen": "Vestland", "Utsira": "Rogaland",
    }  # fmt: skip


def test_table_puts_the_furthest_behind_first_and_the_finished_last(cohort):
    # forsinket by avvik (−0.5 before −0.3), i_rute, not started, applied, then withdrawn
    assert shown(cohort).index.tolist() == ["Trondheim", "Oslo", "Halden", "Stavanger", "Bergen", "Utsira"]


def test_time_passed_stops_for_a_withdrawn_municipality_and_is_blank_before_the_start(cohort):
    frame = shown(cohort)
    assert frame.loc["Utsira", "Tid gått"] == tables.number(62 / 365, 1, percent=True)
    assert frame.loc["Oslo", "Tid gått"] == tables.number(0.6, 1, percent=True)
    assert frame.loc["Stavanger", "Tid gått"] == tables.MISSING
    assert frame.loc["Bergen", "Gjennomført"] == tables.MISSING


def test_training_days_staff_and_parent_meetings_are_held_of_planned(cohort):
    frame = shown(cohort)[["Opplæringsdager", "Personalmøter", "Foreldremøter"]]
    assert frame.loc["Halden"].tolist() == ["5 av 5", "0 av 5", "0 av 0"]
    assert frame.loc["Oslo"].tolist() == ["0 av 0", "3 av 10", "0 av 0"]
    # the cancelled staff meeting stays in Utsira's plan
    assert frame.loc["Utsira"].tolist() == ["0 av 0", "0 av 1", "1 av 1"]
    assert frame.loc["Stavanger"].tolist() == [tables.MISSING] * 3


def test_small_attendances_are_suppressed_and_large_ones_shown(cohort):
    frame = shown(cohort)
    assert frame.loc["Trondheim", "Ansatte nådd"] == SUPPRESSED_MARKER  # 4 staff
    assert frame.loc["Utsira", "Foreldre nådd"] == SUPPRESSED_MARKER  # 3 parents
    assert frame.loc["Halden", "Ansatte nådd"] == "50"
    assert frame.loc["Halden", "Foreldre nådd"] == "0"


def test_a_hidden_attendance_cannot_be_subtracted_from_the_cohorts_total(cohort):
    """Staff: Trondheim 4, Oslo 30, Halden 50, Utsira 0, total 84 in the key figures. With only
    Trondheim hidden, 84 − 30 − 50 − 0 = 4 would give it away, so Oslo's 30 (the smallest other
    non-zero count) is hidden too; the total stays. Parents: only Utsira's 3, so the cohort's
    total is 3 and hidden as well."""
    frame = shown(cohort)
    assert frame.loc["Oslo", "Ansatte nådd"] == SUPPRESSED_MARKER
    figures = dict(program.key_figures(cohort).to_frame().astype(str).to_numpy().tolist())
    assert figures["Ansatte nådd (oppmøter)"] == "84"
    assert figures["Foreldre nådd (oppmøter)"] == SUPPRESSED_MARKER
    assert {frame.loc[k, "Foreldre nådd"] for k in ("Trondheim", "Oslo", "Halden")} == {"0"}


def test_a_link_escapes_its_text_and_its_address():
    data = pd.DataFrame({"navn": ['<b>"A&B"</b>', "C"], "lenke": ['x.html" onclick="alert(1)', None]})
    page = tables.table(data, columns={"navn": "Navn"}, links={"navn": "lenke"})._repr_html_()
    assert '<a href="x.html&quot; onclick=&quot;alert(1)">&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;</a>' in page
    assert "<td class=\"kort\">C</td>" in page  # no address: plain text
    assert "<b>" not in page and 'onclick="' not in page


def test_every_name_links_to_its_municipal_page_relative_to_the_cohort_page(cohort):
    page = program.progress_table(cohort)._repr_html_()
    for nr, name in (("5001", "Trondheim"), ("0301", "Oslo"), ("4601", "Bergen"), ("1151", "Utsira")):
        assert f'<a href="kommuner/{nr}.html">{name}</a>' in page


def test_all_activities_are_held_of_planned_in_one_column(cohort):
    frame = shown(cohort)
    # Trondheim: 1 held of 10 registered; Utsira: 1 held, 1 cancelled (still in the plan)
    assert frame.loc["Trondheim", "Aktiviteter i alt"] == "1 av 10"
    assert frame.loc["Utsira", "Aktiviteter i alt"] == "1 av 2"
    assert frame.loc["Bergen", "Aktiviteter i alt"] == tables.MISSING
    assert "Planlagt i alt" not in frame.columns


def test_the_title_names_the_cohort_and_the_status_line_the_date(cohort):
    assert program.page_title("2025") == "Fremdrift i «Bedre foreldresamarbeid til det beste for barnet», kull 2025"
    line = program.status_line(cohort)
    assert str(line) == f"Status per {pd.Timestamp(ON):%d.%m.%Y}."
    assert line._repr_html_() == f"<p>Status per {pd.Timestamp(ON):%d.%m.%Y}.</p>"
