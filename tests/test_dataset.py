"""kompetanse.load: typed tables, one exception with every problem, nothing lost."""

from __future__ import annotations

import pandas as pd
import pytest

import kompetanse
from kompetanse import DataError, UsageError
from tests.conftest import append_line, replace_line


def test_minimal_data_loads_typed(minimal):
    ds = kompetanse.load(minimal)
    staff = ds.ansatte_kompetanse
    assert len(staff) == 7
    assert staff["kommunenummer"].tolist()[:1] == ["0301"]
    assert str(staff["kommunenummer"].dtype) == "str"
    assert staff["status"].cat.categories.tolist() == ["i_opplaering", "sertifisert", "utgatt"]
    assert pd.api.types.is_datetime64_any_dtype(staff["opplaering_start"])
    assert ds.tilbud["niva"].cat.categories.tolist() == ["universell", "selektiv", "indikativ"]
    assert ds.tilbud["niva"].cat.ordered
    assert ds.befolkning["barn_0_17"].dtype == "int64"
    assert ds.program_aktiviteter["antall_deltakere"].isna().sum() == 2


def test_place_names_are_joined_after_the_number(minimal):
    ds = kompetanse.load(minimal)
    b = ds.befolkning.set_index("kommunenummer")
    assert list(ds.befolkning.columns[:4]) == ["kommunenummer", "kommunenavn", "fylkesnummer", "fylkesnavn"]
    assert b.loc["1151", "kommunenavn"] == "Utsira"
    assert b.loc["3101", "fylkesnavn"] == "Østfold"
    assert b.loc["0301", "fylkesnummer"] == "03"


def test_every_problem_is_raised_at_once(minimal):
    replace_line(minimal / "tilbud.csv", 2, "0301,2024,icdp,helsestasjon,universal,4,38")
    replace_line(minimal / "befolkning.csv", 3, "1151,2024,-35")
    with pytest.raises(DataError) as err:
        kompetanse.load(minimal)
    text = [str(p) for p in err.value.problems]
    assert "tilbud.csv:2: column 'niva': value 'universal': one of universell, selektiv, indikativ" in text
    assert "befolkning.csv:3: column 'barn_0_17': value '-35': a whole number ≥ 0" in text
    assert len(text) == 2


def test_skip_returns_rejected_rows_with_reasons_and_loses_nothing(minimal):
    bad_row = append_line(minimal / "tilbud.csv", "0301,2024,pmto,barnevern,universell,1,2")
    dup_row = append_line(minimal / "tilbud.csv", "0301,2024,icdp,helsestasjon,universell,1,2")
    ds = kompetanse.load(minimal, on_error="skip")
    rejected = ds.rejected.query("table == 'tilbud'")
    assert sorted(rejected["row"]) == [bad_row, dup_row]
    assert "a prevention level the method serves" in rejected.set_index("row").loc[bad_row, "reason"]
    assert "already in row 2" in rejected.set_index("row").loc[dup_row, "reason"]
    counts = ds.counts.set_index("table")
    assert (counts["accepted"] + counts["rejected"] == counts["read"]).all()
    assert counts.loc["tilbud", "accepted"] == len(ds.tilbud) == 3


def test_activity_of_rejected_participation_is_rejected_too(minimal):
    replace_line(minimal / "program_deltakelse.csv", 2, "0301,2024,2023-10-01,aktiv,2024-01-15,2024-06-15,12,8")
    ds = kompetanse.load(minimal, on_error="skip")
    assert "0301" not in set(ds.program_deltakelse["kommunenummer"])
    assert ds.program_aktiviteter.empty
    reasons = ds.rejected.query("table == 'program_aktiviteter'")["reason"]
    assert reasons.str.contains("has a row in program_deltakelse").all()


def test_unknown_on_error_is_refused(minimal):
    with pytest.raises(UsageError, match="`on_error` must be one of 'raise', 'skip'"):
        kompetanse.load(minimal, on_error="ignore")


def test_missing_path_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="no such file or folder"):
        kompetanse.load(tmp_path / "nowhere")


def test_missing_table_is_a_problem_not_a_crash(minimal):
    (minimal / "befolkning.csv").unlink()
    with pytest.raises(DataError, match="befolkning.csv: file missing"):
        kompetanse.load(minimal)
    ds = kompetanse.load(minimal, on_error="skip")
    assert ds.befolkning.empty and list(ds.befolkning.columns)[:2] == ["kommunenummer", "kommunenavn"]


def test_load_reuses_validated_data_until_a_file_changes(minimal):
    import os

    first = kompetanse.load(minimal)
    first.befolkning["barn_0_17"] = 0  # a copy: the cached data set is not touched
    second = kompetanse.load(minimal)
    assert second.befolkning["barn_0_17"].tolist() == [132245, 35, 6000]
    path = minimal / "befolkning.csv"
    path.write_text(path.read_text().replace("132245", "132246"))
    os.utime(path, ns=(os.stat(path).st_atime_ns, os.stat(path).st_mtime_ns + 1_000_000))
    assert kompetanse.load(minimal).befolkning["barn_0_17"].iloc[0] == 132246


def test_analyses_are_reachable_from_the_package_without_an_import():
    import kompetanse

    assert callable(kompetanse.analysis.coverage.coverage_by_level)
    assert callable(kompetanse.analysis.programme.programme_progress)
    assert "outcomes" in dir(kompetanse)
    with pytest.raises(AttributeError, match="no attribute 'nosuch'"):
        kompetanse.nosuch  # noqa: B018
