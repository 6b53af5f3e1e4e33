"""The feedback workbook of `kompetanse validate --tilbakemelding`: the marked cells are the
problems validate prints, every record stands at its own row, and the fixed workbook sent back
passes."""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from kompetanse.cli import main
from kompetanse.data.dataset import check
from kompetanse.data.feedback import FEEDBACK_COLUMN, FEEDBACK_SHEET, FEIL_SEPARATOR
from kompetanse.errors import UsageError
from tests.conftest import MINIMAL, append_line, replace_line

TABLE_SHEETS = ["ansatte_kompetanse", "tilbud", "befolkning", "program_deltakelse", "program_aktiviteter",
                "foreldreundersokelsen"]


def _break(folder: Path) -> dict[tuple[str, int, str], str]:
    """Five problems in the minimal data: four cells (two in one row) and a duplicate row. Returns
    the broken cells' original values by (table, row, column), to fix them again."""
    replace_line(folder / "tilbud.csv", 2, "0301,2024,icdp,helsestasjon,universal,4,38")
    replace_line(folder / "befolkning.csv", 3, "1151,20x4,35")
    replace_line(folder / "program_aktiviteter.csv", 2, "03O1,2024,AKT-1,opplaeringsdag,fysiskk,2024-02-01,"
                                                        "gjennomfort,40")
    append_line(folder / "ansatte_kompetanse.csv", "0301,A0000001,helsestasjon,icdp,sertifisert,2021-01-10,"
                                                   "2021-06-01,,")
    return {("tilbud", 2, "niva"): "universell", ("befolkning", 3, "ar"): "2024",
            ("program_aktiviteter", 2, "kommunenummer"): "0301", ("program_aktiviteter", 2, "format"): "fysisk"}


def _table_of(validation) -> dict[str, str]:
    return dict(zip(validation.counts["file"], validation.counts["table"], strict=True))


def _expected_marks(validation) -> set[tuple[str, int, str]]:
    """(sheet, row, header) each printed problem should mark: its cell, or the row's Feil cell for
    a problem of the whole row (no column, or a key over several columns)."""
    table_of = _table_of(validation)
    return {(table_of[p.file], p.row, p.column if p.column and " + " not in p.column else FEEDBACK_COLUMN)
            for p in validation.problems}


def _header(ws) -> list:
    return [c.value for c in ws[1]]


def _marks(book: Path) -> dict[tuple[str, int, str], str]:
    """The filled cells of the table sheets: (sheet, row, header) → comment ('' for none)."""
    wb = openpyxl.load_workbook(book)
    out = {}
    for ws in wb.worksheets[1:]:
        header = _header(ws)
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if cell.fill.fill_type is not None:
                    out[(ws.title, cell.row, header[cell.column - 1])] = cell.comment.text if cell.comment else ""
    return out


def _section(ws, title: str) -> list[tuple]:
    """The rows of a summary section: those after its heading and column headings, up to a blank."""
    rows = [tuple(c for c in r) for r in ws.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r[0] == title) + 2
    out = []
    for r in rows[start:]:
        if all(v is None for v in r):
            break
        out.append(r)
    return out


def test_marked_cells_are_the_problems_validate_prints(minimal, tmp_path, capsys):
    _break(minimal)
    out = tmp_path / "tilbakemelding.xlsx"
    assert main(["validate", str(minimal), "--tilbakemelding", str(out)]) == 1
    printed = capsys.readouterr().out
    validation, _ = check(minimal)
    assert len(validation.problems) == 5
    assert all(str(p) in printed for p in validation.problems)
    marks = _marks(out)
    assert set(marks) == _expected_marks(validation)
    assert ("ansatte_kompetanse", 9, FEEDBACK_COLUMN) in marks  # the duplicate row, as a whole
    table_of = _table_of(validation)
    for p in validation.problems:
        where = (table_of[p.file], p.row, p.column if " + " not in p.column else FEEDBACK_COLUMN)
        assert p.expected in marks[where]
        assert f"value '{p.value}'" in marks[where]


def test_feil_column_lists_each_rows_messages_and_untouched_rows_are_untouched(minimal, tmp_path):
    _break(minimal)
    out = tmp_path / "tilbakemelding.xlsx"
    validation, _ = check(minimal, tilbakemelding=out)
    table_of = _table_of(validation)
    by_row = Counter((table_of[p.file], p.row) for p in validation.problems)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [FEEDBACK_SHEET, *TABLE_SHEETS]
    for ws in wb.worksheets[1:]:
        header = _header(ws)
        assert header.count(FEEDBACK_COLUMN) == 1
        feil = header.index(FEEDBACK_COLUMN)
        for row in ws.iter_rows(min_row=2):
            r = row[0].row
            text = row[feil].value
            if (ws.title, r) in by_row:
                expected = [p.expected for p in validation.problems if (table_of[p.file], p.row) == (ws.title, r)]
                assert len(text.split(FEIL_SEPARATOR)) == by_row[(ws.title, r)]
                assert all(e in text for e in expected)
            else:
                assert text is None
                assert all(c.fill.fill_type is None and c.comment is None for c in row), (ws.title, r)
    # program_aktiviteter row 2 has two problems: two marked cells and two lines in its Feil cell
    assert by_row[("program_aktiviteter", 2)] == 2


def test_every_record_stands_at_its_own_row_with_its_values_as_written(minimal, tmp_path):
    _break(minimal)
    out = tmp_path / "tilbakemelding.xlsx"
    check(minimal, tilbakemelding=out)
    wb = openpyxl.load_workbook(out)
    for name in TABLE_SHEETS:
        lines = (minimal / f"{name}.csv").read_text(encoding="utf-8").splitlines()
        ws = wb[name]
        assert ws.max_row == len(lines)
        for r, line in enumerate(lines, start=1):
            cells = ws[r][: len(line.split(","))]
            assert [c.value or "" for c in cells] == line.split(","), (name, r)
            assert all(c.number_format == "@" for c in cells if c.value is not None)
    assert wb["befolkning"]["A2"].value == "0301"  # text, not the number 301


def test_summary_counts_equal_the_problem_counts(minimal, tmp_path):
    _break(minimal)
    (minimal / "foreldreundersokelsen.csv").unlink()
    out = tmp_path / "tilbakemelding.xlsx"
    validation, _ = check(minimal, tilbakemelding=out)
    ws = openpyxl.load_workbook(out)[FEEDBACK_SHEET]
    per_table = {r[1]: r for r in _section(ws, "Per tabell")}
    problems_per_file = Counter(p.file for p in validation.problems)
    for row in validation.counts.itertuples(index=False):
        table, file, sheet, read, rejected, problems = per_table[row.file]
        assert (table, sheet, read, rejected) == (row.table, row.table, row.read, row.rejected)
        assert problems == problems_per_file[row.file]
    assert per_table["(mangler: se nedenfor)"][0] == "foreldreundersokelsen"
    assert sum(r[5] or 0 for r in per_table.values()) == len(validation.problems) - 1  # the missing file
    by_column = Counter((p.file, p.column or ("(hele raden)" if p.row else "(hele filen)"))
                        for p in validation.problems)
    assert {(r[1], r[2]): r[3] for r in _section(ws, "Feil per kolonne")} == by_column
    loose = _section(ws, "Feil som ikke står i en celle (hele filen, tabellen eller en kolonne som mangler)")
    assert [r[0] for r in loose] == ["foreldreundersokelsen.csv"]
    assert "file missing" in loose[0][3]
    assert str(ws["A3"].value).startswith("Innsendingen har 6 feil; 4 rader er avvist")


def test_a_missing_column_is_named_on_the_summary_sheet_and_marks_no_cell(minimal, tmp_path):
    lines = (minimal / "tilbud.csv").read_text(encoding="utf-8").splitlines()
    (minimal / "tilbud.csv").write_text("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n",
                                        encoding="utf-8")
    out = tmp_path / "tilbakemelding.xlsx"
    validation, _ = check(minimal, tilbakemelding=out)
    assert [p.column for p in validation.problems] == ["antall_foreldre"]
    assert _marks(out) == {}
    loose = _section(openpyxl.load_workbook(out)[FEEDBACK_SHEET],
                     "Feil som ikke står i en celle (hele filen, tabellen eller en kolonne som mangler)")
    assert [(r[0], r[1], r[2]) for r in loose] == [("tilbud.csv", 1, "antall_foreldre")]
    assert "column missing from the header" in loose[0][3]


def test_valid_data_gets_a_workbook_that_says_so_and_exit_code_0(minimal, tmp_path, capsys):
    out = tmp_path / "tilbakemelding.xlsx"
    assert main(["validate", str(minimal), "--tilbakemelding", str(out)]) == 0
    assert f"feedback workbook written to {out}" in capsys.readouterr().out
    ws = openpyxl.load_workbook(out)[FEEDBACK_SHEET]
    assert ws["A3"].value.startswith("Ingen feil")
    assert _marks(out) == {}


def test_norwegian_excel_csv_semicolon_decimal_comma_windows_1252(minimal, tmp_path):
    for name in TABLE_SHEETS:
        text = (minimal / f"{name}.csv").read_text(encoding="utf-8").replace(",", ";")
        if name == "foreldreundersokelsen":
            text = text.replace("4.12", "4,12").replace("4.31", "4,31")
        if name == "tilbud":
            text = text.replace("niva", "nivå").replace("barnevern;indikativ", "barnevern;indikatív")
        (minimal / f"{name}.csv").write_bytes(text.replace("\n", "\r\n").encode("cp1252"))
    out = tmp_path / "tilbakemelding.xlsx"
    validation, _ = check(minimal, tilbakemelding=out)
    assert [(p.file, p.row, p.column) for p in validation.problems] == [("tilbud.csv", 3, "niva")]
    assert set(_marks(out)) == {("tilbud", 3, "nivå")}  # the header as the user wrote it
    wb = openpyxl.load_workbook(out)
    assert wb["tilbud"]["E3"].value == "indikatív"
    assert wb["foreldreundersokelsen"]["E2"].value == "4,12"
    assert wb["foreldreundersokelsen"]["E2"].number_format == "@"


def _as_workbook(folder: Path, book: Path) -> None:
    """The minimal data as Excel keeps it: whole numbers as numbers, dates as dates, the rest text."""
    import datetime as dt

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name in TABLE_SHEETS:
        ws = wb.create_sheet(name)
        for r, line in enumerate((folder / f"{name}.csv").read_text(encoding="utf-8").splitlines()):
            values = []
            for v in line.split(","):
                if r and v.isdigit() and not v.startswith("0"):
                    values.append(int(v))
                elif r and len(v) == 10 and v[4] == "-" and v[:4].isdigit():
                    values.append(dt.date.fromisoformat(v))
                else:
                    values.append(v or None)
            ws.append(values)
    wb.save(book)


def test_workbook_input_keeps_numbers_dates_and_text(minimal, tmp_path):
    _break(minimal)
    book = tmp_path / "innsending.xlsx"
    _as_workbook(minimal, book)
    out = tmp_path / "tilbakemelding.xlsx"
    validation, _ = check(book, tilbakemelding=out)
    assert len(validation.problems) == 5
    assert set(_marks(out)) == _expected_marks(validation)
    ws = openpyxl.load_workbook(out)["befolkning"]
    assert (ws["A2"].value, ws["B2"].value, ws["C2"].value) == ("0301", 2024, 132245)
    assert ws["B3"].value == "20x4"
    dates = openpyxl.load_workbook(out)["ansatte_kompetanse"]
    assert dates["F2"].is_date and dates["F2"].value.date().isoformat() == "2021-01-10"


def test_a_marked_date_or_number_of_a_workbook_keeps_its_type(minimal, tmp_path):
    replace_line(minimal / "ansatte_kompetanse.csv", 5, "0301,A0000003,barnevern,pmto,sertifisert,2020-01-15,"
                                                        "2021-09-01,2019-08-31,")
    replace_line(minimal / "befolkning.csv", 3, "1151,1800,35")
    book = tmp_path / "innsending.xlsx"
    _as_workbook(minimal, book)
    out = tmp_path / "tilbakemelding.xlsx"
    validation, _ = check(book, tilbakemelding=out)
    assert set(_marks(out)) == _expected_marks(validation)
    wb = openpyxl.load_workbook(out)
    marked_date = next(c for c in wb["ansatte_kompetanse"][5] if c.fill.fill_type and c.column < 10)
    assert marked_date.is_date and marked_date.number_format == "yyyy-mm-dd" and marked_date.comment is not None
    assert wb["befolkning"]["B3"].value == 1800 and wb["befolkning"]["B3"].fill.fill_type == "solid"


@pytest.mark.parametrize("as_workbook", [False, True], ids=["csv", "xlsx"])
def test_fixing_the_marked_cells_and_sending_the_workbook_again_passes(minimal, tmp_path, as_workbook):
    originals = _break(minimal)
    source = minimal
    if as_workbook:
        source = tmp_path / "innsending.xlsx"
        _as_workbook(minimal, source)
    out = tmp_path / "tilbakemelding.xlsx"
    check(source, tilbakemelding=out)
    wb = openpyxl.load_workbook(out)
    for (sheet, row, column), comment in _marks(out).items():
        ws = wb[sheet]
        if column == FEEDBACK_COLUMN:
            assert "the same value is already in row 2" in comment
            ws.delete_rows(row)  # the duplicate row goes
        else:
            ws.cell(row, _header(ws).index(column) + 1).value = originals[(sheet, row, column)]
    fixed = tmp_path / "rettet.xlsx"
    wb.save(fixed)
    again = tmp_path / "tilbakemelding-2.xlsx"
    validation, _ = check(fixed, tilbakemelding=again)
    assert validation.problems == []
    assert int(validation.counts["accepted"].sum()) == 22
    # the workbook's own sheet and Feil column are passed over without a word
    assert not [n for n in validation.notes if FEEDBACK_SHEET in n or FEEDBACK_COLUMN in n]
    second = openpyxl.load_workbook(again)
    assert all(_header(ws).count(FEEDBACK_COLUMN) == 1 for ws in second.worksheets[1:])
    assert _marks(again) == {}
    for ws in second.worksheets[1:]:
        feil = _header(ws).index(FEEDBACK_COLUMN)
        assert all(row[feil].value is None for row in ws.iter_rows(min_row=2)), ws.title


def test_rows_keep_their_numbers_below_a_title_row_and_blank_lines(minimal, tmp_path):
    path = minimal / "befolkning.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(["Befolkning 2024,,", "", lines[0], lines[1], "", "1151,20x4,35", lines[3]]) + "\n",
                    encoding="utf-8")
    out = tmp_path / "tilbakemelding.xlsx"
    validation, _ = check(minimal, tilbakemelding=out)
    assert [(p.row, p.column) for p in validation.problems] == [(6, "ar")]
    ws = openpyxl.load_workbook(out)["befolkning"]
    assert ws["A1"].value == "Befolkning 2024"
    assert [c.value for c in ws[3]][:4] == ["kommunenummer", "ar", "barn_0_17", FEEDBACK_COLUMN]
    assert ws["B6"].value == "20x4" and ws["B6"].fill.fill_type == "solid"
    assert "a whole number" in ws["B6"].comment.text and "a whole number" in ws["D6"].value
    assert ws.freeze_panes == "A4"


def test_a_value_like_a_formula_stays_text(minimal, tmp_path):
    replace_line(minimal / "befolkning.csv", 3, '1151,"=HYPERLINK(""http://x"")",35')
    out = tmp_path / "tilbakemelding.xlsx"
    check(minimal, tilbakemelding=out)
    cell = openpyxl.load_workbook(out)["befolkning"]["B3"]
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://x")'


def test_control_characters_are_written_as_escapes(minimal, tmp_path):
    replace_line(minimal / "befolkning.csv", 3, "1151,20\x0124,35")
    out = tmp_path / "tilbakemelding.xlsx"
    validation, _ = check(minimal, tilbakemelding=out)
    assert validation.problems[0].row == 3
    assert openpyxl.load_workbook(out)["befolkning"]["B3"].value == "20\\u000124"


def test_the_feedback_never_overwrites_the_submission(minimal, tmp_path, capsys):
    book = tmp_path / "innsending.xlsx"
    _as_workbook(MINIMAL, book)
    before = book.read_bytes()
    with pytest.raises(UsageError, match="the submission itself"):
        check(book, tilbakemelding=book)
    assert book.read_bytes() == before
    assert main(["validate", str(minimal), "--tilbakemelding", str(tmp_path / "ut.csv")]) == 2
    assert "must be an .xlsx file" in capsys.readouterr().err
    assert main(["validate", str(minimal), "--tilbakemelding", str(tmp_path / "finnes-ikke" / "ut.xlsx")]) == 2
    assert "cannot be written" in capsys.readouterr().err


@pytest.mark.parametrize("case", [
    "csv_ragged_rows", "csv_unclosed_quote", "dup_identical_row", "enc_nul_bytes", "file_two_files_for_one_table",
    "hdr_duplicate_column", "huge_cell_1mb", "invisible_rtl_override_in_method", "ref_level_not_served_by_method",
    "csv_blank_lines_then_error", "type_category_misspelt", "empty_zero_bytes",
])
def test_no_problem_of_the_bad_corpus_is_lost(case, tmp_path):
    """Every problem stands in the Feil cell of its row or on the summary sheet."""
    out = tmp_path / "tilbakemelding.xlsx"
    validation, _ = check(MINIMAL.parent / "bad" / case, tilbakemelding=out)
    assert validation.problems
    wb = openpyxl.load_workbook(out)
    feil: dict[int, list[str]] = {}
    for ws in wb.worksheets[1:]:
        header_row = next((r for r in range(1, 5) if FEEDBACK_COLUMN in [c.value for c in ws[r]]), None)
        if header_row is None:
            assert not any(any(r) for r in ws.iter_rows(values_only=True)), ws.title  # an empty file
            continue
        column = [c.value for c in ws[header_row]].index(FEEDBACK_COLUMN)
        for row in ws.iter_rows(min_row=header_row + 1):
            if row[column].value:
                feil.setdefault(row[0].row, []).append(row[column].value)
    summary = [str(r[3]) for r in _section(wb[FEEDBACK_SHEET], "Feil som ikke står i en celle (hele filen, tabellen "
                                                                 "eller en kolonne som mangler)")]
    for p in validation.problems:
        assert any(p.expected in text for text in feil.get(p.row, []) + summary), str(p)
    assert sum(len(t.split(FEIL_SEPARATOR)) for texts in feil.values() for t in texts) + len(summary) >= len(validation.problems)


def test_excel_sep_hint_line_keeps_the_header_in_row_2_and_the_workbook_reads_the_same(tmp_path):
    case = MINIMAL.parent / "bad" / "sep_excel_hint_line"
    out = tmp_path / "tilbakemelding.xlsx"
    first, _ = check(case, tilbakemelding=out)
    hinted = [f.stem for f in case.glob("*.csv") if f.read_text(encoding="utf-8-sig").startswith("sep=")]
    assert hinted
    wb = openpyxl.load_workbook(out)
    for name in hinted:
        assert all(c.value is None for c in wb[name][1])
        assert wb[name]["A2"].value == "kommunenummer"
    again, _ = check(out)
    assert again.problems == first.problems == []
    assert again.counts["read"].tolist() == first.counts["read"].tolist()


def test_a_column_named_feil_in_a_file_is_kept_and_the_messages_go_beside_it(minimal, tmp_path):
    lines = (minimal / "befolkning.csv").read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",Feil"] + [line + ",egen merknad" for line in lines[1:]]
    lines[2] = "1151,20x4,35,egen merknad"
    (minimal / "befolkning.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "tilbakemelding.xlsx"
    check(minimal, tilbakemelding=out)
    ws = openpyxl.load_workbook(out)["befolkning"]
    assert _header(ws) == ["kommunenummer", "ar", "barn_0_17", "Feil", "Feil"]
    assert [ws.cell(r, 4).value for r in (2, 3, 4)] == ["egen merknad"] * 3
    assert ws["E2"].value is None and "a whole number" in ws["E3"].value


def test_a_file_changed_after_it_was_checked_is_refused(minimal, tmp_path):
    from kompetanse.data.feedback import write_feedback
    from kompetanse.data.io import read_input
    from kompetanse.data.validate import validate_input

    raw = read_input(minimal)
    validation = validate_input(raw)
    append_line(minimal / "tilbud.csv", "1151,2024,pmto,barnevern,indikativ,1,2")
    with pytest.raises(UsageError, match="changed while it was checked"):
        write_feedback(raw, validation, tmp_path / "tilbakemelding.xlsx")
    assert not (tmp_path / "tilbakemelding.xlsx").exists()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_the_workbook_saved_again_by_libreoffice_reads_the_same(minimal, tmp_path):
    _break(minimal)
    out = tmp_path / "tilbakemelding.xlsx"
    first, _ = check(minimal, tilbakemelding=out)
    saved = tmp_path / "lo"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'profil'}", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(saved), str(out)],
                   check=True, capture_output=True, timeout=180)
    again, _ = check(saved / out.name)
    table_of = _table_of(first)
    assert [(table_of[p.file], p.row, p.column, p.value) for p in first.problems] == \
        [(p.file.split("[")[1].rstrip("]"), p.row, p.column, p.value) for p in again.problems]
    assert set(_marks(saved / out.name)) == _expected_marks(first)
    assert not [n for n in again.notes if FEEDBACK_SHEET in n or FEEDBACK_COLUMN in n]


def _one_municipality(folder: Path, kommunenummer: str) -> None:
    """The minimal data cut to Oslo's rows, given another municipality's number."""
    for path in folder.glob("*.csv"):
        lines = path.read_text(encoding="utf-8").splitlines()
        kept = [lines[0]] + [line.replace("0301", kommunenummer, 1) for line in lines[1:] if line.startswith("0301")]
        path.write_text("\n".join(kept) + "\n", encoding="utf-8")


@pytest.mark.parametrize(("kommunenummer", "expected"), [
    ("4621", "Innsendinga har 1 feil; 1 rad er avvist til feila er retta."),  # Voss writes nynorsk
    ("3101", "Innsendingen har 1 feil; 1 rad er avvist til feilene er rettet."),  # Halden, bokmål
])
def test_the_summary_is_in_the_municipalitys_written_form(minimal, tmp_path, kommunenummer, expected):
    _one_municipality(minimal, kommunenummer)
    replace_line(minimal / "tilbud.csv", 2, f"{kommunenummer},2024,icdp,helsestasjon,universal,4,38")
    out = tmp_path / "tilbakemelding.xlsx"
    validation, _ = check(minimal, tilbakemelding=out)
    assert [(p.file, p.row) for p in validation.problems] == [("tilbud.csv", 2)]
    ws = openpyxl.load_workbook(out)[FEEDBACK_SHEET]
    assert ws["A3"].value == expected


def test_a_submission_of_several_municipalities_gets_bokmal(minimal):
    from kompetanse.data.feedback import summary_language

    assert summary_language(check(minimal)[0]) == "nb"  # Oslo, Utsira and Halden


def test_json_output_stays_one_object_when_the_workbook_is_written(minimal, tmp_path, capsys):
    import json

    replace_line(minimal / "befolkning.csv", 3, "1151,20x4,35")
    out = tmp_path / "tilbakemelding.xlsx"
    assert main(["validate", str(minimal), "--json", "--tilbakemelding", str(out)]) == 1
    assert json.loads(capsys.readouterr().out)["problems"] == ["befolkning.csv:3: column 'ar': value '20x4': "
                                                               "a whole number from 1990 to 2100"]
    assert set(_marks(out)) == {("befolkning", 3, "ar")}
