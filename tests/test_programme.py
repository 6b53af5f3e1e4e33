"""kompetanse.analysis.programme: progress of each municipality's FUB/FUG programme and the cohort summary,
on small hand-written programmes with the numbers worked out in comments."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import kompetanse
from kompetanse import UsageError
from kompetanse.analysis.programme import activities_by_type, cohort_summary, programme_progress
from kompetanse.settings import PROGRESS_STATUSES

DELTAKELSE = "kommunenummer,kull,soknad_dato,status,startdato,planlagt_slutt,antall_barnehager,antall_skoler"
AKTIVITETER = "kommunenummer,kull,aktivitet_id,type,format,dato,status,antall_deltakere"

# Every fixture programme runs 2025-01-01 to 2025-12-31: 365 days, both ends counted.
# On ON, 219 days have passed (31+28+31+30+31+30+31 = 212 to 31 July, + 7): 219 / 365 = 0.6.
ON = "2025-08-07"
YEAR_2025 = "2024-10-01,{status},2025-01-01,2025-12-31"


def write_programme(folder: Path, deltakelse: list[str], aktiviteter: list[str]) -> kompetanse.Dataset:
    """Replace the programme tables of a copy of tests/data/minimal and load it. Activity lines
    are given without ``aktivitet_id``; ids AKT-1, AKT-2, ... are inserted after ``kull``."""
    (folder / "program_deltakelse.csv").write_text("\n".join([DELTAKELSE, *deltakelse]) + "\n", encoding="utf-8")
    rows = []
    for i, line in enumerate(aktiviteter, start=1):
        kommune, kull, rest = line.split(",", 2)
        rows.append(f"{kommune},{kull},AKT-{i},{rest}")
    (folder / "program_aktiviteter.csv").write_text("\n".join([AKTIVITETER, *rows]) + "\n", encoding="utf-8")
    return kompetanse.load(folder)


def participation(kommune: str, status: str = "aktiv", units: str = "2,1") -> str:
    return f"{kommune},2025,{YEAR_2025.format(status=status)},{units}"


def held(
    kommune: str,
    n: int,
    *,
    type_: str = "personalmote",
    format_: str = "digital",
    dato: str = "2025-03-03",
    deltakere: int = 10,
) -> list[str]:
    return [f"{kommune},2025,{type_},{format_},{dato},gjennomfort,{deltakere}"] * n


def planned(
    kommune: str, n: int, *, type_: str = "personalmote", format_: str = "digital", dato: str = "2025-10-06"
) -> list[str]:
    return [f"{kommune},2025,{type_},{format_},{dato},planlagt,"] * n


def cancelled(
    kommune: str, n: int, *, type_: str = "personalmote", format_: str = "digital", dato: str = "2025-04-07"
) -> list[str]:
    return [f"{kommune},2025,{type_},{format_},{dato},avlyst,"] * n


@pytest.fixture
def cohort(minimal) -> kompetanse.Dataset:
    """Cohort 2025 on ON (60 % of the period passed), ten activities planned per municipality:

    - 0301 Oslo: 3 of 10 held → 0.3, 0.3 behind → forsinket
    - 3101 Halden: 5 of 10 held → 0.5, 0.1 behind, within 0.15 → i_rute
    - 1151 Utsira: withdrew; 5 held, 5 cancelled → 0.5, but avbrutt
    - 1103 Stavanger: granted, starts 2026 → not started, left out
    - 4601 Bergen: applied, undecided → left out
    """
    return write_programme(
        minimal,
        [
            participation("0301", units="4,2"),
            participation("3101", units="3,1"),
            participation("1151", "avbrutt", units="1,1"),
            "1103,2026,2025-06-01,innvilget,2026-01-05,2027-01-04,5,5",
            "4601,2026,2025-07-01,sokt,,,2,2",
        ],
        [
            *held("0301", 3), *planned("0301", 7),
            *held("3101", 5), *planned("3101", 5),
            *held("1151", 5), *cancelled("1151", 5, dato="2025-09-01"),
            "1103,2026,opplaeringsdag,fysisk,2026-02-02,planlagt,",
        ],
    )  # fmt: skip


def row(progress: pd.DataFrame, kommune: str) -> pd.Series:
    return progress.set_index("kommunenummer").loc[kommune]


# --- progress status --------------------------------------------------------------------------


def test_municipality_behind_schedule_is_delayed(cohort):
    oslo = row(programme_progress(cohort, on=ON), "0301")
    assert oslo["andel_tid"] == pytest.approx(0.6)
    assert (oslo["planlagte_aktiviteter"], oslo["gjennomforte"], oslo["gjenstaende"]) == (10, 3, 7)
    assert oslo["andel_gjennomfort"] == pytest.approx(0.3)
    assert oslo["avvik"] == pytest.approx(-0.3)
    assert oslo["status"] == "forsinket"


def test_on_track_within_tolerance(cohort):
    # 0.5 held against 0.6 of the time: 0.1 behind, less than the default 0.15
    halden = row(programme_progress(cohort, on=ON), "3101")
    assert halden["avvik"] == pytest.approx(-0.1)
    assert halden["status"] == "i_rute"


def test_tolerance_is_a_parameter(cohort):
    strict = programme_progress(cohort, on=ON, tolerance=0.05)
    assert row(strict, "3101")["status"] == "forsinket"  # 0.1 behind > 0.05
    lenient = programme_progress(cohort, on=ON, tolerance=0.35)
    assert row(lenient, "0301")["status"] == "i_rute"  # 0.3 behind < 0.35


@pytest.mark.parametrize("bad", [-0.1, 1.5, 15, "0.15", None])
def test_tolerance_outside_zero_to_one_is_refused(cohort, bad):
    with pytest.raises(UsageError, match="`tolerance` must be a share between 0 and 1"):
        programme_progress(cohort, on=ON, tolerance=bad)


def test_withdrawn_participation_is_avbrutt(cohort):
    # 0.5 held against 0.6 would be i_rute; the withdrawal decides
    utsira = row(programme_progress(cohort, on=ON), "1151")
    assert (utsira["gjennomforte"], utsira["avlyste"], utsira["gjenstaende"]) == (5, 5, 0)
    assert utsira["status"] == "avbrutt"
    assert utsira["deltakelse_status"] == "avbrutt"


def test_completed_participation_is_fullfort(minimal):
    # recorded as fullfort: fullfort even with only half the plan held (avvik shows the gap)
    ds = write_programme(minimal, [participation("0301", "fullfort")], [*held("0301", 5), *cancelled("0301", 5)])
    oslo = row(programme_progress(ds, on="2026-01-15"), "0301")
    assert oslo["status"] == "fullfort"
    assert oslo["avvik"] == pytest.approx(-0.5)


def test_not_started_applications_are_left_out(cohort):
    progress = programme_progress(cohort, on=ON)
    assert progress["kommunenummer"].tolist() == ["0301", "1151", "3101"]
    # by 2026-02-01 Stavanger's programme has started, though the file still says innvilget
    later = programme_progress(cohort, on="2026-02-01")
    stavanger = row(later, "1103")
    assert stavanger["deltakelse_status"] == "innvilget"
    # 28 of 365 days passed (2026-01-05 to 2026-02-01), nothing held yet: 0.08 behind, i_rute
    assert stavanger["andel_tid"] == pytest.approx(28 / 365)
    assert stavanger["status"] == "i_rute"
    assert "4601" not in set(later["kommunenummer"])


def test_status_is_ordered_categorical_in_fixed_order(cohort):
    status = programme_progress(cohort, on=ON)["status"]
    assert status.cat.ordered
    assert status.cat.categories.tolist() == list(PROGRESS_STATUSES)


# --- time share -------------------------------------------------------------------------------


def test_time_share_counts_first_and_last_day(cohort):
    assert row(programme_progress(cohort, on="2025-01-01"), "0301")["andel_tid"] == pytest.approx(1 / 365)
    assert row(programme_progress(cohort, on="2025-12-31"), "0301")["andel_tid"] == 1.0


def test_time_share_is_clipped_after_the_end(cohort):
    # deliberately changed: Utsira withdrew, so its time stopped (see the tests below)
    progress = programme_progress(cohort, on="2027-06-30")
    running = progress[progress["deltakelse_status"].ne("avbrutt")]
    assert (running["andel_tid"] == 1.0).all() and len(running) == 3


def test_time_stops_at_the_last_activity_held_when_withdrawn(cohort):
    # Utsira held its 5 activities on 2025-03-03: 31 + 28 + 3 = 62 days of 365, on any later
    # date; its cancelled activities (2025-09-01) do not move the day it stopped.
    for on in (ON, "2025-12-31", "2027-06-30"):
        utsira = row(programme_progress(cohort, on=on), "1151")
        assert utsira["sluttdato"] == pd.Timestamp("2025-03-03")
        assert utsira["andel_tid"] == pytest.approx(62 / 365)
        assert utsira["avvik"] == pytest.approx(0.5 - 62 / 365)
    # measured on a date before anything was held, it stops at the start: day 1 of 365
    early = row(programme_progress(cohort, on="2025-02-01"), "1151")
    assert (early["sluttdato"], early["andel_tid"]) == (pd.Timestamp("2025-01-01"), pytest.approx(1 / 365))


def test_time_stops_at_the_start_when_withdrawn_before_holding_anything(minimal):
    ds = write_programme(minimal, [participation("0301", "avbrutt")], cancelled("0301", 4))
    oslo = row(programme_progress(ds, on=ON), "0301")
    assert oslo["sluttdato"] == pd.Timestamp("2025-01-01")
    assert oslo["andel_tid"] == pytest.approx(1 / 365)


def test_completed_programme_has_run_its_period(minimal):
    # recorded as fullfort on ON (60 % of the period): time stands at the planned end, 1.0
    ds = write_programme(minimal, [participation("0301", "fullfort")], held("0301", 10))
    oslo = row(programme_progress(ds, on=ON), "0301")
    assert oslo["sluttdato"] == pd.Timestamp("2025-12-31")
    assert (oslo["andel_tid"], oslo["avvik"]) == (1.0, 0.0)


def test_running_programme_time_runs_to_the_date_measured_on(cohort):
    oslo = row(programme_progress(cohort, on=ON), "0301")
    assert oslo["sluttdato"] == pd.Timestamp(ON)
    assert row(programme_progress(cohort, on="2026-03-01"), "0301")["sluttdato"] == pd.Timestamp("2025-12-31")


def test_active_past_its_end_is_fullfort_when_nearly_all_held(minimal):
    # Both still say aktiv after the planned end. Oslo held 9 of 10 (0.1 short, within 0.15):
    # fullfort. Halden held 5 of 10 (0.5 short): forsinket.
    ds = write_programme(
        minimal,
        [participation("0301"), participation("3101")],
        [*held("0301", 9), *cancelled("0301", 1), *held("3101", 5), *planned("3101", 5)],
    )
    progress = programme_progress(ds, on="2026-01-31")
    assert row(progress, "0301")["status"] == "fullfort"
    assert row(progress, "3101")["status"] == "forsinket"


def test_default_date_is_the_end_of_the_latest_period(cohort):
    # tests/data/minimal has tilbud and befolkning for 2024 only: the default is 2024-12-31,
    # before the 2025 cohort started, so nothing has started yet
    assert programme_progress(cohort).empty
    pd.testing.assert_frame_equal(programme_progress(cohort), programme_progress(cohort, on="2024-12-31"))


# --- activities -------------------------------------------------------------------------------


def test_cancelled_activities_stay_in_the_plan(minimal):
    # 10 registered: 4 held, 2 cancelled, 4 still to come → 4 / 10 held, not 4 / 8
    ds = write_programme(
        minimal, [participation("0301")], [*held("0301", 4), *cancelled("0301", 2), *planned("0301", 4)]
    )
    oslo = row(programme_progress(ds, on=ON), "0301")
    assert (oslo["planlagte_aktiviteter"], oslo["gjennomforte"], oslo["avlyste"], oslo["gjenstaende"]) == (10, 4, 2, 4)
    assert oslo["andel_gjennomfort"] == pytest.approx(0.4)


def test_activity_held_after_the_date_is_not_yet_held(minimal):
    # on 2025-05-26 (146 / 365 = 0.4 of the period) the September meeting lies ahead
    ds = write_programme(
        minimal, [participation("0301")], [*held("0301", 2, dato="2025-03-03"), *held("0301", 1, dato="2025-09-01")]
    )
    oslo = row(programme_progress(ds, on="2025-05-26"), "0301")
    assert oslo["andel_tid"] == pytest.approx(0.4)
    assert (oslo["gjennomforte"], oslo["gjenstaende"]) == (2, 1)
    assert row(programme_progress(ds, on="2025-09-01"), "0301")["gjennomforte"] == 3


def test_municipality_without_activities_is_delayed_once_time_passes(minimal):
    ds = write_programme(minimal, [participation("0301")], [])
    early = row(programme_progress(ds, on="2025-01-31"), "0301")  # 31 / 365 = 0.08 passed
    assert early["planlagte_aktiviteter"] == 0 and pd.isna(early["andel_gjennomfort"])
    assert early["status"] == "i_rute"
    assert row(programme_progress(ds, on=ON), "0301")["status"] == "forsinket"  # 0.6 passed


def test_digital_and_physical_are_counted_separately(minimal):
    # held: 3 digital, 2 physical; a cancelled physical and a planned digital one count in neither
    ds = write_programme(
        minimal,
        [participation("0301")],
        [
            *held("0301", 3, format_="digital"),
            *held("0301", 2, format_="fysisk", type_="opplaeringsdag"),
            *cancelled("0301", 1, format_="fysisk"),
            *planned("0301", 1, format_="digital"),
        ],
    )
    oslo = row(programme_progress(ds, on=ON), "0301")
    assert (oslo["digitale"], oslo["fysiske"]) == (3, 2)
    assert oslo["andel_digital"] == pytest.approx(3 / 5)


def test_parents_reached_counts_only_parent_meetings(minimal):
    # parents: two held parent meetings, 30 + 12 = 42; the cancelled and the planned one add nothing.
    # staff: training day 40 + staff meeting 25 + guidance 5 = 70.
    ds = write_programme(
        minimal,
        [participation("0301")],
        [
            *held("0301", 1, type_="foreldremote", deltakere=30),
            *held("0301", 1, type_="foreldremote", format_="fysisk", deltakere=12),
            *cancelled("0301", 1, type_="foreldremote"),
            *planned("0301", 1, type_="foreldremote"),
            *held("0301", 1, type_="opplaeringsdag", format_="fysisk", deltakere=40),
            *held("0301", 1, type_="personalmote", deltakere=25),
            *held("0301", 1, type_="veiledning", deltakere=5),
        ],
    )
    oslo = row(programme_progress(ds, on=ON), "0301")
    assert oslo["foreldre_naadd"] == 42
    assert oslo["ansatte_naadd"] == 70
    assert (oslo["opplaeringsdag"], oslo["personalmote"], oslo["foreldremote"], oslo["veiledning"]) == (1, 1, 2, 1)


def test_activities_by_type_has_every_type_and_format(minimal):
    # one held digital parent meeting of 30 and one planned physical training day
    ds = write_programme(
        minimal,
        [participation("0301")],
        [
            *held("0301", 1, type_="foreldremote", deltakere=30),
            *planned("0301", 1, type_="opplaeringsdag", format_="fysisk"),
        ],
    )
    long = activities_by_type(ds, on=ON)
    assert len(long) == 8  # 4 types × 2 formats, zeros included
    assert long["type"].cat.categories.tolist() == ["opplaeringsdag", "personalmote", "foreldremote", "veiledning"]
    cells = long.set_index(["type", "format"])
    parents, training = cells.loc[("foreldremote", "digital")], cells.loc[("opplaeringsdag", "fysisk")]
    assert (parents["planlagte_aktiviteter"], parents["gjennomforte"], parents["deltakere"]) == (1, 1, 30)
    assert (training["planlagte_aktiviteter"], training["gjennomforte"], training["gjenstaende"]) == (1, 0, 1)
    assert cells[["planlagte_aktiviteter", "gjennomforte"]].sum().tolist() == [2, 1]
    assert long["kommunenavn"].eq("Oslo").all()


def test_activities_by_type_adds_up_to_progress(cohort):
    long = activities_by_type(cohort, on=ON)
    progress = programme_progress(cohort, on=ON).set_index(["kommunenummer", "kull"])
    sums = long.groupby(["kommunenummer", "kull"])[
        ["planlagte_aktiviteter", "gjennomforte", "avlyste", "gjenstaende"]
    ].sum()
    pd.testing.assert_frame_equal(sums, progress[sums.columns])


# --- cohort summary ---------------------------------------------------------------------------


def test_cohort_summary_counts_municipalities_by_status(cohort):
    summary = cohort_summary(cohort, on=ON).set_index("kull")
    assert summary.index.tolist() == ["2025", "2026"]
    c25, c26 = summary.loc["2025"], summary.loc["2026"]
    assert (c25["kommuner"], c25["deltakelse_aktiv"], c25["deltakelse_avbrutt"], c25["startet"]) == (3, 2, 1, 3)
    assert (c25["fremdrift_i_rute"], c25["fremdrift_forsinket"], c25["fremdrift_avbrutt"]) == (1, 1, 1)
    assert (c26["kommuner"], c26["deltakelse_sokt"], c26["deltakelse_innvilget"], c26["startet"]) == (2, 1, 1, 0)
    # units taking part leave out withdrawn Utsira: Oslo 4 + 2, Halden 3 + 1
    assert (c25["antall_barnehager"], c25["antall_skoler"]) == (7, 3)
    # held: 3 + 5 + 5 (Utsira's held activities were delivered)
    assert c25["gjennomforte"] == 13
    # mean share held of Oslo (0.3) and Halden (0.5), not Utsira
    assert c25["snitt_andel_gjennomfort"] == pytest.approx(0.4)
    assert c25["snitt_avvik"] == pytest.approx(-0.2)
    assert pd.isna(c26["snitt_andel_gjennomfort"]) and c26["gjennomforte"] == 0


def _assert_summary_adds_up(ds: kompetanse.Dataset, on: str) -> None:
    progress = programme_progress(ds, on=on)
    summary = cohort_summary(ds, on=on).set_index("kull")
    summed = ["planlagte_aktiviteter", "gjennomforte", "avlyste", "gjenstaende", "opplaeringsdag", "personalmote",
              "foreldremote", "veiledning", "digitale", "fysiske", "ansatte_naadd", "foreldre_naadd"]  # fmt: skip
    by_cohort = progress.groupby("kull")[summed].sum()
    pd.testing.assert_frame_equal(summary.loc[by_cohort.index, summed], by_cohort)
    assert (summary[summed].drop(by_cohort.index).eq(0)).all().all()
    statuses = progress.groupby("kull")["status"].value_counts().unstack().reindex(summary.index, fill_value=0)
    for status in PROGRESS_STATUSES:
        assert summary[f"fremdrift_{status}"].tolist() == statuses[status].tolist()
    participation = [c for c in summary.columns if c.startswith("deltakelse_")]
    assert (summary[participation].sum(axis=1) == summary["kommuner"]).all()
    assert summary["kommuner"].sum() == len(ds.program_deltakelse)
    assert (summary[[f"fremdrift_{s}" for s in PROGRESS_STATUSES]].sum(axis=1) == summary["startet"]).all()
    assert summary["startet"].sum() == len(progress)
    assert (
        summary["opplaeringsdag"] + summary["personalmote"] + summary["foreldremote"] + summary["veiledning"]
    ).equals(summary["gjennomforte"])
    assert (summary["digitale"] + summary["fysiske"]).equals(summary["gjennomforte"])


def test_cohort_summary_adds_up_to_municipal_rows(cohort):
    _assert_summary_adds_up(cohort, ON)
    _assert_summary_adds_up(cohort, "2026-03-01")


def test_cohort_summary_adds_up_on_the_sample():
    ds = kompetanse.load()
    for on in ("2023-06-30", "2025-12-31"):
        _assert_summary_adds_up(ds, on)


# --- whole tables -----------------------------------------------------------------------------


def test_no_programme_data_gives_empty_tables_with_columns(minimal):
    ds = write_programme(minimal, [], [])
    progress = programme_progress(ds, on=ON)
    assert progress.empty and "status" in progress.columns and "andel_tid" in progress.columns
    assert activities_by_type(ds, on=ON).empty
    summary = cohort_summary(ds, on=ON)
    assert summary.empty and "snitt_andel_gjennomfort" in summary.columns


def test_inputs_are_not_changed(cohort):
    before = {name: frame.copy() for name, frame in cohort.tables().items()}
    programme_progress(cohort, on=ON)
    activities_by_type(cohort, on=ON)
    cohort_summary(cohort, on=ON)
    for name, frame in cohort.tables().items():
        pd.testing.assert_frame_equal(frame, before[name])


def test_sample_has_every_started_participation_and_every_status():
    ds = kompetanse.load()
    on = pd.Timestamp("2025-12-31")  # the default: last day of the latest period, 2025
    progress = programme_progress(ds)
    d = ds.program_deltakelse
    started = d[d["status"].ne("sokt") & (d["startdato"] <= on)]
    assert sorted(zip(progress["kommunenummer"], progress["kull"], strict=True)) == sorted(
        zip(started["kommunenummer"], started["kull"], strict=True)
    )
    assert progress[["kommunenummer", "kull"]].equals(
        progress[["kommunenummer", "kull"]].sort_values(["kommunenummer", "kull"], ignore_index=True)
    )
    assert progress["kommunenummer"].str.fullmatch(r"\d{4}").all()
    counts = progress["status"].value_counts()
    assert (counts[list(PROGRESS_STATUSES)] > 0).all(), counts
    assert progress["andel_tid"].between(0, 1).all()
    assert progress["andel_gjennomfort"].between(0, 1).all()
