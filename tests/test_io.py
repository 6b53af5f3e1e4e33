"""Real-world files: Norwegian Excel CSV, BOM, Windows-1252, headers in any spelling, XLSX."""

from __future__ import annotations

import datetime as dt

import pytest

import kompetanse
from kompetanse import DataError
from kompetanse.data.io import normalise_name, read_input, table_for

STAFF_HEADER = ("kommunenummer", "ansatt_id", "tjeneste", "metode", "status", "opplaering_start",
                "sertifisert_dato", "sertifisering_utloper", "sluttet_dato")


@pytest.mark.parametrize(
    ("given", "canonical"),
    [("Nivå", "niva"), ("NIVAA", "niva"), (" niva ", "niva"), ("År", "ar"), ("aar", "ar"),
     ("Sertifisering utløper", "sertifisering_utloper"), ("sertifisering-utloeper", "sertifisering_utloper"),
     ("Foreldreundersøkelsen", "foreldreundersokelsen"), ("I opplæring", "i_opplaering")],
)
def test_names_match_in_any_case_and_spelling(given, canonical):
    assert normalise_name(given) == normalise_name(canonical)


def test_file_names_map_to_tables():
    assert table_for("Foreldreundersøkelsen") == "foreldreundersokelsen"
    assert table_for("Program-Aktiviteter") == "program_aktiviteter"
    assert table_for("notes") is None


def test_excel_csv_with_semicolons_decimal_comma_and_windows_1252_loads(minimal):
    text = (
        "Kommunenummer;År;Skoleslag;Indikator;Snitt;Antall svar\r\n"
        "301;2024;Grunnskole;samarbeid;4,12;5230\r\n"
        "0301;2024;barnehage;samarbeid;4,31;4 100\r\n"
        "1151;2024;grunnskole;samarbeid;;3\r\n"
    )
    (minimal / "foreldreundersokelsen.csv").write_bytes(text.encode("cp1252"))
    ds = kompetanse.load(minimal)
    fu = ds.foreldreundersokelsen
    assert fu["snitt"].tolist()[:2] == [4.12, 4.31]
    assert fu["antall_svar"].tolist() == [5230, 4100, 3]
    assert fu["kommunenummer"].tolist() == ["0301", "0301", "1151"]
    assert fu["skoleslag"].tolist()[0] == "grunnskole"
    notes = "\n".join(ds.notes)
    assert "separator ';'" in notes
    assert "'301' → '0301'" in notes
    assert "decimal comma" in notes


def test_windows_1252_with_norwegian_letters_is_read_and_noted(minimal):
    path = minimal / "befolkning.csv"
    path.write_bytes("kommunenummer;år;barn_0_17\n0301;2024;132245\n1151;2024;35\n3101;2024;6000\n".encode("cp1252"))
    ds = kompetanse.load(minimal)
    assert len(ds.befolkning) == 3
    assert any("Windows-1252" in n for n in ds.notes)


def test_utf8_with_bom_and_dotted_dates_loads(minimal):
    path = minimal / "program_aktiviteter.csv"
    text = path.read_text().replace("2024-02-01", "01.02.2024").replace("2024-10-01", "1.10.2024")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    ds = kompetanse.load(minimal)
    assert ds.program_aktiviteter["dato"].tolist()[:2] == [dt.datetime(2024, 2, 1), dt.datetime(2024, 10, 1)]
    assert any("byte order mark" in n for n in ds.notes)


def test_excel_sep_hint_line_is_honoured_and_rows_keep_their_numbers(minimal):
    path = minimal / "tilbud.csv"
    body = path.read_text().replace(",", ";").replace("universell;1;6", "universel;1;6")
    path.write_text("sep=;\n" + body)
    with pytest.raises(DataError) as err:
        kompetanse.load(minimal)
    # header on spreadsheet row 2, so the third data row is row 5
    assert [str(p) for p in err.value.problems] == [
        "tilbud.csv:5: column 'niva': value 'universel': one of universell, selektiv, indikativ"
    ]


def test_old_municipality_numbers_are_mapped_with_a_note(minimal):
    path = minimal / "befolkning.csv"
    path.write_text(path.read_text().replace("3101,2024", "3001,2024"))
    ds = kompetanse.load(minimal)
    assert "3101" in set(ds.befolkning["kommunenummer"])
    assert any("'3001' → '3101' Halden" in n for n in ds.notes)


def test_split_municipality_is_rejected_naming_the_new_numbers(minimal):
    path = minimal / "befolkning.csv"
    path.write_text(path.read_text() + "1507,2024,12000\n")
    with pytest.raises(DataError, match="1507 Ålesund was split on 1 January 2024 into 1508 Ålesund and 1580 Haram"):
        kompetanse.load(minimal)


def test_method_names_as_people_write_them_are_read(minimal):
    path = minimal / "tilbud.csv"
    path.write_text(path.read_text().replace("0301,2024,pmto", "0301,2024,PMTO").replace(
        "1151,2024,icdp", "1151,2024,ICDP"))
    ds = kompetanse.load(minimal)
    assert set(ds.tilbud["metode"]) == {"icdp", "pmto"}


def test_unknown_columns_are_ignored_with_a_note_and_missing_ones_reject_the_file(minimal):
    path = minimal / "befolkning.csv"
    path.write_text("kommunenummer,ar,barn,kommentar\n0301,2024,5,x\n")
    ds = kompetanse.load(minimal, on_error="skip")
    problems = [str(p) for p in ds.problems]
    assert any(p.startswith("befolkning.csv:1: column 'barn_0_17': column missing from the header") for p in problems)
    assert ds.befolkning.empty
    assert ds.rejected.query("table == 'befolkning'")["row"].tolist() == [2]
    assert any("column 'kommentar' is not part of table 'befolkning'" in n for n in ds.notes)


def test_row_with_too_many_fields_is_reported_and_the_rest_kept(minimal):
    path = minimal / "befolkning.csv"
    path.write_text("kommunenummer,ar,barn_0_17\n0301,2024,132245\n1151,2024,3,5\n3101,2024,6000\n")
    ds = kompetanse.load(minimal, on_error="skip")
    assert ds.befolkning["kommunenummer"].tolist() == ["0301", "3101"]
    assert any(str(p).startswith("befolkning.csv:3: the row has 4 fields but the header has 3")
               for p in ds.problems)
    assert ds.rejected.query("table == 'befolkning'")["row"].tolist() == [3]


def test_blank_lines_are_skipped_without_shifting_row_numbers(minimal):
    path = minimal / "befolkning.csv"
    path.write_text("kommunenummer,ar,barn_0_17\n0301,2024,132245\n\n,,\n1151,2024,x\n")
    ds = kompetanse.load(minimal, on_error="skip")
    assert ds.rejected.query("table == 'befolkning'")["row"].tolist() == [5]
    assert any("2 empty rows skipped" in n for n in ds.notes)


def test_empty_file_is_a_problem_naming_the_expected_header(minimal):
    (minimal / "tilbud.csv").write_bytes(b"")
    with pytest.raises(DataError, match="tilbud.csv: the file is empty: expected a header row with kommunenummer, ar"):
        kompetanse.load(minimal)


def test_header_only_file_is_an_empty_table(minimal):
    (minimal / "program_aktiviteter.csv").write_text(
        "kommunenummer,kull,aktivitet_id,type,format,dato,status,antall_deltakere\n")
    ds = kompetanse.load(minimal)
    assert ds.program_aktiviteter.empty


def _write_workbook(path, sheets: dict[str, list[list]]):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)


def _minimal_as_sheets(folder):
    import csv

    sheets = {}
    for file in sorted(folder.glob("*.csv")):
        with file.open(encoding="utf-8") as fh:
            sheets[file.stem] = list(csv.reader(fh))
    return sheets


def test_xlsx_workbook_with_numbers_and_dates_as_cells_loads(minimal, tmp_path):
    sheets = _minimal_as_sheets(minimal)
    # as Excel keeps them: numbers as numbers (0301 becomes 301), dates as dates
    sheets["befolkning"] = [["Kommunenummer", "År", "barn_0_17"], [301, 2024, 132245], [1151, 2024, 35]]
    sheets["program_aktiviteter"][1][5] = dt.datetime(2024, 2, 1)
    book = tmp_path / "innsending.xlsx"
    _write_workbook(book, sheets)
    ds = kompetanse.load(book)
    assert ds.befolkning["kommunenummer"].tolist() == ["0301", "1151"]
    assert ds.program_aktiviteter["dato"].iloc[0] == dt.datetime(2024, 2, 1)
    assert ds.sources["befolkning"][0] == "innsending.xlsx[befolkning]"


def test_workbook_with_a_missing_sheet_names_the_sheet(minimal, tmp_path):
    sheets = _minimal_as_sheets(minimal)
    del sheets["tilbud"]
    book = tmp_path / "innsending.xlsx"
    _write_workbook(book, sheets)
    with pytest.raises(DataError, match=r"innsending.xlsx: sheet 'tilbud' missing: the workbook has .*add a sheet named 'tilbud'"):
        kompetanse.load(book)


def test_xlsx_problem_rows_are_spreadsheet_rows(minimal, tmp_path):
    sheets = _minimal_as_sheets(minimal)
    sheets["befolkning"][2][2] = "mange"
    book = tmp_path / "innsending.xlsx"
    _write_workbook(book, sheets)
    with pytest.raises(DataError) as err:
        kompetanse.load(book)
    assert [str(p) for p in err.value.problems] == [
        "innsending.xlsx[befolkning]:3: column 'barn_0_17': value 'mange': a whole number ≥ 0"
    ]


def test_read_input_of_a_single_csv_reads_that_table(minimal):
    raw = read_input(minimal / "tilbud.csv")
    assert list(raw.tables) == ["tilbud"]
    assert raw.tables["tilbud"].rows.tolist() == [2, 3, 4]


def test_header_with_no_known_column_gets_one_message_about_the_separator(minimal):
    (minimal / "tilbud.csv").write_text("kommunenummer:ar:metode\n0301:2024:icdp\n")
    with pytest.raises(DataError) as err:
        kompetanse.load(minimal)
    (msg,) = [str(p) for p in err.value.problems]
    assert msg.startswith("tilbud.csv:1: value 'kommunenummer:ar:metode': none of the columns of table 'tilbud'")
    assert "check the separator" in msg


def test_one_missing_column_is_named_with_the_fix(minimal):
    (minimal / "befolkning.csv").write_text("kommunenummer,barn_0_17\n0301,5\n")
    with pytest.raises(DataError) as err:
        kompetanse.load(minimal)
    assert [str(p) for p in err.value.problems] == [
        "befolkning.csv:1: column 'ar': column missing from the header: add a column 'ar' to row 1"
    ]


def test_unclosed_quote_is_reported_on_its_row(minimal):
    (minimal / "befolkning.csv").write_text('kommunenummer,ar,barn_0_17\n0301,2024,"132245\n1151,2024,35\n')
    ds = kompetanse.load(minimal, on_error="skip")
    assert any(str(p).startswith("befolkning.csv:2: column 'barn_0_17'") and "quote" in str(p) for p in ds.problems)
    assert ds.rejected.query("table == 'befolkning'")["row"].tolist() == [2]
