"""Parameters are validated wherever they enter: a municipality number given as 301, "301",
" 0301 " or "0301" becomes "0301" from the command line and from Python; garbage is refused with a
clear message (exit 2 from the command line) before anything is written; and no parameter can put
an output file outside the output folder."""

from __future__ import annotations

from pathlib import Path

import pytest

import kompetanse
from kompetanse.build import batch as build
from kompetanse.build import params
from kompetanse.cli import main
from kompetanse.errors import ParameterError

FORMS = [301, "301", " 0301 ", "0301", 301.0]
GARBAGE = ["03O1", "12345", "-1", "../x", "0301/../../x", "..", "/etc/passwd", "0301\x00", "1e3", "+301",
           "٠٣٠١", "03 01", ""]


class _Planned(Exception):
    """Raised after planning, so a test sees the reports a command would build without building them."""


@pytest.fixture
def planned(monkeypatch):
    """Stop `kompetanse report` right after it has planned its reports; the plan lands in the list."""
    jobs: list[build.Job] = []
    real_plan = build.plan

    def plan(ds, **kwargs):
        jobs.extend(real_plan(ds, **kwargs))
        raise _Planned

    monkeypatch.setattr(build, "plan", plan)
    return jobs


@pytest.mark.parametrize("given", FORMS, ids=repr)
def test_municipality_number_in_any_form_becomes_four_digits_in_python(given):
    assert params.kommunenummer(given) == "0301"


@pytest.mark.parametrize("given", ["301", " 0301 ", "0301"], ids=repr)
def test_municipality_number_on_the_command_line_becomes_four_digits(given, minimal, tmp_path, planned):
    with pytest.raises(_Planned):
        main(["report", "--data", str(minimal), "--out", str(tmp_path / "out"), "--kommune", given, "-q"])
    pages = [job.html for job in planned if job.kind == "kommune"]
    # Oslo's own form (bokmål) at <nr>.html, the other form beside it
    assert pages == ["kommuner/0301.html", "kommuner/0301.nn.html"]
    assert not (tmp_path / "out").exists()  # nothing written before the plan


@pytest.mark.parametrize("given", FORMS, ids=repr)
def test_municipality_number_in_python_build_becomes_four_digits(given, minimal, tmp_path, planned):
    with pytest.raises(_Planned):
        build.build_reports(minimal, out=tmp_path / "out", kommuner=[given], progress=False)
    assert [job.parameters["kommunenummer"] for job in planned if job.kind == "kommune"] == ["0301", "0301"]


@pytest.mark.parametrize("given", GARBAGE, ids=repr)
def test_garbage_municipality_number_is_refused_in_python(given):
    with pytest.raises(ParameterError, match=r"The value for `kommunenummer` must be a municipality number of four "
                                             r"digits, e\.g\. '0301', but .* was passed"):
        params.kommunenummer(given)


@pytest.mark.parametrize("given", GARBAGE, ids=repr)
def test_garbage_municipality_number_on_the_command_line_exits_2_before_writing(given, minimal, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["report", "--data", str(minimal), "--out", str(out), "--kommune", given, "-q"]) == 2
    captured = capsys.readouterr()
    assert captured.err == (f"kompetanse report: error: The value for `kommunenummer` must be a municipality "
                            f"number of four digits, e.g. '0301', but {given!r} was passed\n")
    assert "Traceback" not in captured.out + captured.err
    assert not out.exists()


def test_old_number_on_the_command_line_names_the_new_one(minimal, tmp_path, capsys):
    assert main(["report", "--data", str(minimal), "--out", str(tmp_path / "out"), "--kommune", "1507"]) == 2
    assert "1507 is the 2020–2023 number of Ålesund; use 1508 Ålesund or 1580 Haram" in capsys.readouterr().err


@pytest.mark.parametrize("given", ["../2024", "2024/..", "20x4", "99999", "-2024"], ids=repr)
def test_period_that_is_not_a_year_is_refused_before_writing(given, minimal, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["report", "--data", str(minimal), "--out", str(out), "--periode", given]) == 2
    assert f"The value for `periode` must be a year from 1990 to 2100, but {given!r} was passed" in capsys.readouterr().err
    assert not out.exists()


def _inside(folder: Path, relative: str) -> bool:
    return (folder / relative).resolve().is_relative_to(folder.resolve())


def test_every_planned_file_stays_in_the_period_folder(tmp_path):
    ds = kompetanse.load()
    numbers = sorted(ds.kommuner["kommunenummer"])
    jobs = build.plan(ds, periode=2024, kommuner=numbers, data="")
    folder = tmp_path / "out" / "2024"
    # each municipality in both written forms
    assert len([j for j in jobs if j.kind == "kommune"]) == 2 * len(numbers)
    for job in jobs:
        assert _inside(folder, job.html) and _inside(folder, job.executed), job.key
        assert ".." not in Path(job.html).parts and not Path(job.html).is_absolute()


@pytest.mark.parametrize("given", FORMS + GARBAGE + ["1507", "9999"], ids=repr)
def test_a_municipality_page_is_named_by_the_normalised_number_only(given):
    """Whatever is passed, the page is kommuner/<four digits of 2024>.html or nothing is planned."""
    ds = kompetanse.load()
    try:
        number = params.kommunenummer(given)
    except ParameterError:
        return
    pages = sorted(j.html for j in build.plan(ds, periode=2024, kommuner=[number], data="") if j.kind == "kommune")
    assert number.isascii() and number.isdigit() and len(number) == 4
    assert pages[0] == f"kommuner/{number}.html" and len(pages) == 2
    assert pages[1] in (f"kommuner/{number}.nb.html", f"kommuner/{number}.nn.html")


def test_out_folder_holds_the_build(minimal, tmp_path, planned):
    """`--out` names the output folder itself: the period goes below it, never beside it."""
    out = tmp_path / "a" / ".." / "b"
    with pytest.raises(_Planned):
        main(["report", "--data", str(minimal), "--out", str(out), "--kommune", "301", "-q"])
    folder = out / "2024"
    assert all(_inside(folder, j.html) and _inside(folder, j.executed) for j in planned)
