"""The submission template (`kompetanse mal`): its sheets, headers, notes and dropdowns follow the
contract, and a template filled from its own dropdowns, or prefilled from the sample, validates
and loads back the same rows, also after LibreOffice has converted it."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import uuid
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import kompetanse
from kompetanse.cli import main
from kompetanse.data import reference
from kompetanse.data.dataset import check
from kompetanse.data.schema import CATEGORY, TABLES
from kompetanse.data.template import INSTRUCTION_SHEET, LISTS_SHEET, write_template
from kompetanse.data.template_text import COLUMN_NOTES, LANGUAGES, column_note
from kompetanse.resources import sample_dir
from tests.conftest import MINIMAL

TODAY = dt.date(2026, 1, 15)


def _validations(ws) -> dict[str, object]:
    """Column letter → the data validation that covers its row 2."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for cell_range in dv.sqref.ranges:
            if cell_range.min_row <= 2 <= cell_range.max_row:
                for col in range(cell_range.min_col, cell_range.max_col + 1):
                    out[openpyxl.utils.get_column_letter(col)] = dv
    return out


def _list_values(wb, dv) -> list[str]:
    """The entries of a list validation: inline ("a,b") or a range on another sheet."""
    assert dv.type == "list"
    formula = dv.formula1
    if formula.startswith('"'):
        return formula.strip('"').split(",")
    sheet, ref = formula.split("!")
    ws = wb[sheet.strip("'")]
    return [str(c.value) for row in ws[ref.replace("$", "")] for c in row if c.value is not None]


def _dropdowns(wb, table: str) -> dict[str, list[str]]:
    """Column name → the entries of its dropdown, for every list column of a table's sheet."""
    ws = wb[table]
    by_letter = _validations(ws)
    return {ws[f"{letter}1"].value: _list_values(wb, dv) for letter, dv in by_letter.items() if dv.type == "list"}


def _records(frame: pd.DataFrame, table: str) -> list[dict]:
    """A table's rows as plain Python values, sorted by its key, to compare across loads."""
    t = TABLES[table]
    out = []
    for row in frame[t.column_names].astype("object").itertuples(index=False):
        rec = {}
        for name, value in zip(t.column_names, row, strict=True):
            if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
                value = None
            elif isinstance(value, pd.Timestamp):
                value = value.date()
            rec[name] = value
        out.append(rec)
    return sorted(out, key=lambda r: tuple(str(r[k]) for k in t.key))


@pytest.fixture(scope="module")
def blank(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("mal") / "mal-0301.xlsx"
    assert write_template(path, kommune="0301", today=TODAY) == []
    return path


def test_sheets_headers_notes_and_frozen_rows_follow_the_contract(blank):
    wb = openpyxl.load_workbook(blank)
    assert wb.sheetnames[0] == INSTRUCTION_SHEET
    assert wb.sheetnames[1:-1] == list(TABLES)
    assert wb[LISTS_SHEET].sheet_state == "hidden"
    for name, table in TABLES.items():
        ws = wb[name]
        header = [c.value for c in ws[1] if c.value is not None]
        assert header == table.column_names
        assert ws.freeze_panes == "A2"
        for cell, column in zip(ws[1], table.columns, strict=False):
            assert cell.comment is not None and cell.comment.text == column_note(name, column.name)
            assert 0 < len(cell.comment.text) <= 255  # also the dropdown's input message


def test_instruction_sheet_says_who_fills_what_pseudonyms_formats_and_how_to_send(blank):
    text = "\n".join(str(c.value) for row in openpyxl.load_workbook(blank)[INSTRUCTION_SHEET].iter_rows()
                     for c in row if c.value)
    for name in TABLES:
        assert name in text
    assert text.count("Fylles ut av:") == len(TABLES)
    for phrase in ("pseudonym", "fødselsnummer", "dd.mm.åååå", "kompetanse validate", kompetanse.__version__,
                   "0301 Oslo"):
        assert phrase in text


def test_every_column_has_a_note_in_bokmal_and_nynorsk_short_enough_for_an_input_message():
    assert set(COLUMN_NOTES["nb"]) == set(COLUMN_NOTES["nn"])
    for language in LANGUAGES:
        for name, table in TABLES.items():
            for column in table.columns:
                assert 0 < len(column_note(name, column.name, language)) <= 255


def test_a_nynorsk_municipality_gets_its_template_in_nynorsk(tmp_path):
    assert reference.report_language("4621") == "nn"
    path = tmp_path / "mal-4621.xlsx"
    write_template(path, kommune="4621", today=TODAY)
    wb = openpyxl.load_workbook(path)
    text = "\n".join(str(c.value) for row in wb[INSTRUCTION_SHEET].iter_rows() for c in row if c.value)
    assert text.count("Blir fylt ut av:") == len(TABLES) and "Fylles ut av" not in text
    assert "4621 Voss" in text
    ws = wb["ansatte_kompetanse"]
    assert ws["B1"].comment.text == column_note("ansatte_kompetanse", "ansatt_id", "nn")
    assert _validations(ws)["C"].error == "Vel ein verdi frå lista."
    assert check(path)[0].problems == []


def test_every_categorical_column_has_a_dropdown_of_the_contracts_categories(blank):
    wb = openpyxl.load_workbook(blank)
    catalogue = reference.metoder()
    for name, table in TABLES.items():
        lists = _dropdowns(wb, name)
        for column in table.columns:
            if column.kind == CATEGORY:
                assert lists[column.name] == list(column.categories), (name, column.name)
        if "metode" in table.column_names:
            # code – name: the code first, then the catalogue's readable name
            assert [v.split(" – ", 1)[0] for v in lists["metode"]] == catalogue["metode"].tolist()
            assert [v.split(" – ", 1)[1] for v in lists["metode"]] == catalogue["navn"].tolist()
        assert lists["kommunenummer"] == ["0301"]
    assert "kull" in _dropdowns(wb, "program_deltakelse")
    assert "kull" in _dropdowns(wb, "program_aktiviteter")


def test_lists_over_255_characters_are_ranges_and_formats_keep_dates_numbers_and_zeros(tmp_path):
    path = tmp_path / "mal.xlsx"
    write_template(path, today=TODAY)
    wb = openpyxl.load_workbook(path)
    ws = wb["ansatte_kompetanse"]
    by_letter = _validations(ws)
    assert by_letter["A"].formula1.startswith(f"'{LISTS_SHEET}'!")  # 357 municipality numbers
    assert _list_values(wb, by_letter["A"]) == reference.kommuner()["kommunenummer"].tolist()
    assert by_letter["D"].formula1.startswith(f"'{LISTS_SHEET}'!")  # the catalogue, with names
    assert by_letter["F"].type == "date"
    assert ws["A2"].number_format == "@" and ws["B2"].number_format == "@"
    assert ws["F2"].number_format == "dd.mm.yyyy"
    years = _validations(wb["tilbud"])["B"]
    assert (years.type, years.formula1, years.formula2) == ("whole", "1990", "2100")
    mean = _validations(wb["foreldreundersokelsen"])["E"]
    assert (mean.type, mean.formula1, mean.formula2) == ("decimal", "1", "5")


def _fill(path: Path, out: Path) -> dict[str, list[dict]]:
    """Fill one or two rows per table with values taken from the template's own dropdowns;
    return the rows as `kompetanse.load` should give them back."""
    wb = openpyxl.load_workbook(path)
    lists = {name: _dropdowns(wb, name) for name in TABLES}
    levels = reference.metode_nivaer()
    knr = lists["tilbud"]["kommunenummer"][0]
    choice = lists["tilbud"]["metode"][-1]
    code = choice.split(" – ", 1)[0]
    niva = next(v for v in lists["tilbud"]["niva"] if v in set(levels.loc[levels["metode"] == code, "niva"]))
    a = lists["ansatte_kompetanse"]
    p = lists["program_aktiviteter"]
    kull = lists["program_deltakelse"]["kull"][-1]
    d = dt.date
    rows = {
        "ansatte_kompetanse": [
            [knr, "ansatt-0001", a["tjeneste"][0], a["metode"][0], "sertifisert", d(2024, 1, 15), d(2024, 6, 3),
             None, None],
            [knr, "ansatt-0002", a["tjeneste"][-1], a["metode"][1], "i_opplaering", d(2025, 9, 1), None, None,
             None],
        ],
        "tilbud": [[knr, 2025, choice, lists["tilbud"]["tjeneste"][1], niva, 3, 27]],
        "befolkning": [[knr, 2025, 130_456]],
        "program_deltakelse": [[knr, kull, d(2025, 3, 1), "aktiv", d(2025, 8, 15), d(2026, 8, 14), 12, 4]],
        "program_aktiviteter": [[knr, kull, "AKT-0001", p["type"][0], p["format"][-1], d(2025, 9, 10),
                                 "gjennomfort", 41]],
        "foreldreundersokelsen": [[knr, 2025, lists["foreldreundersokelsen"]["skoleslag"][-1], "samarbeid",
                                   4.25, 321]],
    }
    expected = {}
    for name, table in TABLES.items():
        ws = wb[name]
        for i, values in enumerate(rows[name], start=2):
            for j, value in enumerate(values, start=1):
                ws.cell(row=i, column=j, value=value)
        expected[name] = sorted(
            ({c: (v.split(" – ", 1)[0] if c == "metode" else v) for c, v in zip(table.column_names, values,
                                                                                 strict=True)}
             for values in rows[name]), key=lambda r, t=table: tuple(str(r[k]) for k in t.key))
    wb.save(out)
    return expected


def _assert_loads_back(path: Path, expected: dict[str, list[dict]]) -> None:
    validation, _ = check(path)
    assert validation.problems == []
    # the template's own sheets and its 'code – name' methods are the contract's spelling: the
    # reader says nothing about them (a note is for what the user wrote another way)
    quiet = [n for n in validation.notes if "Veiledning" in n or "lister" in n or "'metode'" in n]
    assert quiet == []
    ds = kompetanse.load(path, cache=False)
    for name in TABLES:
        assert _records(getattr(ds, name), name) == expected[name], name


def test_a_template_filled_from_its_dropdowns_validates_and_loads_back_the_rows(blank, tmp_path):
    filled = tmp_path / "utfylt.xlsx"
    expected = _fill(blank, filled)
    _assert_loads_back(filled, expected)
    assert main(["validate", str(filled), "-q"]) == 0


def test_a_method_whose_code_and_name_disagree_is_rejected(blank, tmp_path):
    filled = tmp_path / "utfylt.xlsx"
    _fill(blank, filled)
    wb = openpyxl.load_workbook(filled)
    names = reference.metoder().set_index("metode")["navn"]
    wb["ansatte_kompetanse"]["D2"] = f"icdp – {names['pmto']}"
    wb["ansatte_kompetanse"]["D3"] = "pmto"  # a plain code is still a method
    wb.save(filled)
    problems = check(filled)[0].problems
    assert [(p.row, p.column) for p in problems] == [(2, "metode")]
    assert f"icdp – {names['icdp']}" in problems[0].expected


def test_unused_rows_of_a_municipalitys_template_are_blank_not_problems(blank):
    validation, _ = check(blank)
    assert validation.problems == []
    assert int(validation.counts["read"].sum()) == 0


def _municipality_in_every_table() -> str:
    ds = kompetanse.load(sample_dir())
    numbers = set(ds.program_aktiviteter["kommunenummer"])
    for name in TABLES:
        numbers &= set(getattr(ds, name)["kommunenummer"])
    return sorted(numbers)[0]


def test_prefilled_template_round_trips_the_samples_rows_of_a_municipality(tmp_path):
    knr = _municipality_in_every_table()
    path = tmp_path / f"mal-{knr}.xlsx"
    assert main(["mal", "--kommune", knr, "--data", str(sample_dir()), "--out", str(path)]) == 0
    sample = kompetanse.load(sample_dir())
    validation, _ = check(path)
    assert validation.problems == []
    again = kompetanse.load(path, cache=False)
    for name in TABLES:
        mine = getattr(sample, name)
        mine = mine[mine["kommunenummer"] == knr]
        assert len(mine) > 0
        assert _records(getattr(again, name), name) == _records(mine, name), name
    ws = openpyxl.load_workbook(path)["ansatte_kompetanse"]
    assert ws["A2"].data_type == "s" and ws["A2"].value == knr
    assert isinstance(ws["F2"].value, dt.datetime) and ws["F2"].number_format == "dd.mm.yyyy"


def test_rows_that_do_not_validate_are_named_not_prefilled(minimal, tmp_path, capsys):
    lines = (minimal / "tilbud.csv").read_text(encoding="utf-8").splitlines()
    knr = lines[1].split(",")[0]
    lines[1] = lines[1].replace(",universell,", ",universal,")
    (minimal / "tilbud.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "mal.xlsx"
    assert main(["mal", "--kommune", knr, "--data", str(minimal), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"1 row of tilbud for {knr} in {minimal} did not pass validation and is not prefilled" in err
    ds = kompetanse.load(minimal, on_error="skip")
    accepted = ds.tilbud[ds.tilbud["kommunenummer"] == knr]
    assert _records(kompetanse.load(out, cache=False).tilbud, "tilbud") == _records(accepted, "tilbud")


def test_cli_default_name_refuses_to_overwrite_and_needs_kommune_for_data(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["mal"]) == 0
    assert (tmp_path / "mal.xlsx").is_file()
    assert main(["mal", "--kommune", "1804"]) == 0
    assert (tmp_path / "mal-1804.xlsx").is_file()
    capsys.readouterr()
    before = (tmp_path / "mal.xlsx").read_bytes()
    assert main(["mal"]) == 2
    assert "exists; not overwritten" in capsys.readouterr().err
    assert (tmp_path / "mal.xlsx").read_bytes() == before
    assert main(["mal", "--force"]) == 0
    assert main(["mal", "--data", str(sample_dir()), "--out", "x.xlsx"]) == 2
    assert "--kommune" in capsys.readouterr().err
    assert main(["mal", "--kommune", "9999", "--out", "y.xlsx"]) == 2
    assert not (tmp_path / "y.xlsx").exists()
    capsys.readouterr()
    assert main(["mal", "--out", str(tmp_path / "no" / "such" / "z.xlsx")]) == 2
    assert "cannot be written" in capsys.readouterr().err
    assert main(["mal", "--kommune", "1151", "--data", str(MINIMAL), "--out", "utsira.xlsx"]) == 0
    assert "no accepted row for 1151" not in capsys.readouterr().err
    assert main(["mal", "--kommune", "1804", "--data", str(MINIMAL), "--out", "bodo.xlsx"]) == 0
    assert f"{MINIMAL} has no accepted row for 1804" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bodo.xlsx", "mal-1804.xlsx", "mal.xlsx", "utsira.xlsx"]


def _soffice(src: Path, fmt: str, outdir: Path, profile: Path) -> Path:
    outdir.mkdir(exist_ok=True)
    subprocess.run([shutil.which("soffice"), f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", fmt, "--outdir", str(outdir), str(src)],
                   check=True, capture_output=True, timeout=180)
    out = outdir / f"{src.stem}.{fmt}"
    assert out.is_file()
    return out


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_round_trip_of_a_filled_template_still_validates(blank, tmp_path):
    filled = tmp_path / "utfylt.xlsx"
    expected = _fill(blank, filled)
    profile = Path(f"/tmp/lo-{uuid.uuid4().hex}")
    try:
        ods = _soffice(filled, "ods", tmp_path / "ods", profile)
        back = _soffice(ods, "xlsx", tmp_path / "xlsx", profile)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    _assert_loads_back(back, expected)
    # LibreOffice keeps the dropdowns and the date format
    wb = openpyxl.load_workbook(back)
    assert _dropdowns(wb, "tilbud")["niva"] == list(TABLES["tilbud"].column("niva").categories)
    assert "dd" in wb["ansatte_kompetanse"]["F2"].number_format.lower()
    assert _validations(wb["ansatte_kompetanse"])["F"].type == "date"
