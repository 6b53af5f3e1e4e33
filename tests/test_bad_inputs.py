"""Malformed inputs as municipalities send them (tests/data/bad/, built by make_corpus.py):
for each, the exact problems `kompetanse validate` prints, its exit code, no traceback, and
that no row is lost: per table, accepted + rejected = rows read, and every valid row is loaded."""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import kompetanse
from kompetanse.cli import main
from kompetanse.errors import UsageError
from tests.conftest import MINIMAL

BAD = Path(__file__).parent / "data" / "bad"

#: data rows of each table in tests/data/minimal/
MINIMAL_ROWS = {"ansatte_kompetanse": 7, "tilbud": 3, "befolkning": 3, "program_deltakelse": 3,
                "program_aktiviteter": 3, "foreldreundersokelsen": 3}

WHOLE_NUMBER = "a whole number ≥ 0"
BAD_DATE = "a date as yyyy-mm-dd or dd.mm.yyyy (day, month, year), e.g. 31.12.2024"
RAGGED = "check the separator and quotes in this row"
PSEUDONYM = "replace it with the municipality's own pseudonym (a code such as A0000123 that names nobody)"
IDENTIFIER = "an identifier of the letters a–z, digits, '_' and '-' only, e.g. samarbeid"
EXCEL_ERROR = "not a value: correct the formula behind it or type the value"
REJECTED_COHORT = ("a (kommunenummer, kull) that has a row in program_deltakelse: program_deltakelse.csv has it "
                   "in row 2 but that row was rejected; fix that row first")


@dataclass
class Case:
    """One corpus entry and what validating it must give.

    ``lines``: the problem lines, exactly and in order (``{path}`` stands for the path given).
    ``read``: rows read per table where it differs from minimal/ (absent = table not read).
    ``whole``: files rejected whole (a header problem): every row read is rejected.
    ``notes``: fragments that must be among the notes on standard error.
    """

    name: str
    exit: int
    lines: list[str] = field(default_factory=list)
    read: dict[str, int | None] = field(default_factory=dict)
    whole: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.name


CASES = [
    # ---- encodings: read and said so, or refused with the line of the bad byte
    Case("enc_cp1252_no_bom", 0, notes=("tilbud.csv: read as Windows-1252", "header 'nivå' read as 'niva'")),
    Case("enc_utf8_bom", 0, notes=("befolkning.csv: UTF-8 with byte order mark",)),
    Case("enc_utf16_tab", 0, notes=("tilbud.csv: read as UTF-16", "tilbud.csv: separator '\\t'")),
    Case("enc_utf16_no_bom", 0, notes=("befolkning.csv: read as UTF-16 without a byte order mark",)),
    Case("enc_mixed_utf8_cp1252", 0, read={"tilbud": 4},
         notes=("tilbud.csv: mixes encodings: line 5 read as Windows-1252, the others as UTF-8",
                "header 'nivå' read as 'niva'", "'duå' → 'duaa'")),
    Case("enc_invalid_bytes", 1, [
        "befolkning.csv: text encoding not recognised (byte 0x81 in line 3, at position 56, is neither UTF-8 nor "
        "Windows-1252): save the file as 'CSV UTF-8'",
    ], read={"befolkning": 0}),
    # an invisible character is shown escaped, so the message does not look like a valid number
    Case("enc_nul_bytes", 1, ["befolkning.csv:3: column 'barn_0_17': value '3\\u00005': " + WHOLE_NUMBER]),
    # ---- separators
    Case("sep_semicolon_decimal_comma", 0,
         notes=("foreldreundersokelsen.csv: separator ';'", "column 'snitt': decimal comma read as decimal point")),
    Case("sep_tab", 0, notes=("tilbud.csv: separator '\\t'",)),
    Case("sep_excel_hint_line", 0, notes=("befolkning.csv: separator ';'",)),
    Case("sep_trailing_semicolons", 0, notes=("befolkning.csv: separator ';'",)),
    Case("sep_comma_with_decimal_comma", 1, [
        f"foreldreundersokelsen.csv:2: the row has 7 fields but the header has 6: {RAGGED}",
    ]),
    # ---- headers
    Case("hdr_misspelt_column", 1, [
        "befolkning.csv:1: column 'kommunenummer': column missing from the header: add a column 'kommunenummer' to row 1",
    ], whole=("befolkning.csv",)),
    Case("hdr_duplicate_column", 1, [
        "befolkning.csv:1: column 'barn_0_17': value 'barn_0_17': column given twice (also column 3); keep one",
    ]),
    Case("hdr_missing_required_column", 1, [
        "tilbud.csv:1: column 'antall_foreldre': column missing from the header: add a column 'antall_foreldre' "
        "to row 1",
    ], whole=("tilbud.csv",)),
    Case("hdr_extra_unknown_column", 0, notes=("column 'kommentar' is not part of table 'befolkning'; ignored",)),
    Case("hdr_uppercase_transliterated", 0,
         notes=("header ' KOMMUNENR ' read as 'kommunenummer'", "header ' AAR ' read as 'ar'",
                "header 'NIVAA' read as 'niva'", "header 'ANTALL-FORELDRE ' read as 'antall_foreldre'")),
    Case("hdr_title_row_above_header", 0, notes=(
        "befolkning.csv: the header is in row 2; row 1 above it skipped ('Barn 0-17 år etter kommune')",)),
    Case("hdr_header_only", 0, read={"tilbud": 0}, notes=("tilbud.csv: a header and no rows",)),
    # ---- empty files
    Case("empty_zero_bytes", 1, [
        "befolkning.csv: the file is empty: expected a header row with kommunenummer, ar, barn_0_17",
    ], read={"befolkning": 0}),
    Case("empty_whitespace_only", 1, [
        "befolkning.csv: the file is empty: expected a header row with kommunenummer, ar, barn_0_17",
    ], read={"befolkning": 0}),
    # ---- types
    Case("type_text_in_number_column", 1, [f"tilbud.csv:2: column 'antall_grupper': value 'fire': {WHOLE_NUMBER}"]),
    Case("type_decimal_in_count", 1, [f"tilbud.csv:3: column 'antall_foreldre': value '2,5': {WHOLE_NUMBER}"]),
    Case("type_date_us_format", 1, [
        f"ansatte_kompetanse.csv:2: column 'opplaering_start': value '01/10/2021': {BAD_DATE}",
    ]),
    Case("type_date_impossible_day", 1, [f"program_aktiviteter.csv:2: column 'dato': value '2024-02-30': {BAD_DATE}"]),
    Case("type_date_dotted_accepted", 0,
         notes=("column 'opplaering_start': dates written dd.mm.yyyy read as such",)),
    Case("type_category_misspelt", 1, [
        "program_deltakelse.csv:2: column 'status': value 'active': one of sokt, innvilget, aktiv, fullfort, avbrutt",
        *(f"program_aktiviteter.csv:{r}: column 'kommunenummer + kull': value '0301 + 2024': {REJECTED_COHORT}"
          for r in (2, 3, 4)),
    ]),
    # ---- ranges
    Case("range_negative_count", 1, [f"tilbud.csv:4: column 'antall_foreldre': value '-6': {WHOLE_NUMBER}"]),
    Case("range_mean_above_scale", 1, [
        "foreldreundersokelsen.csv:2: column 'snitt': value '41.2': a number from 1 to 5",
    ]),
    Case("range_year_out_of_range", 1, [
        "befolkning.csv:3: column 'ar': value '2224': a whole number from 1990 to 2100",
    ]),
    Case("range_date_year_out_of_range", 1, [
        "program_deltakelse.csv:2: column 'soknad_dato': value '0223-10-01': a date between 1990 and 2100",
        *(f"program_aktiviteter.csv:{r}: column 'kommunenummer + kull': value '0301 + 2024': {REJECTED_COHORT}"
          for r in (2, 3, 4)),
    ]),
    # ---- keys and duplicates
    Case("key_duplicate_primary_key", 1, [
        "befolkning.csv:5: column 'kommunenummer + ar': value '0301 + 2024': a unique kommunenummer + ar: the same "
        "value is already in row 2",
    ], read={"befolkning": 4}),
    Case("key_duplicate_activity_id", 1, [
        "program_aktiviteter.csv:5: column 'aktivitet_id': value 'AKT-1': a unique aktivitet_id: the same value is "
        "already in row 2",
    ], read={"program_aktiviteter": 4}),
    Case("dup_identical_row", 1, [
        "tilbud.csv:5: column 'kommunenummer + ar + metode + tjeneste': value '1151 + 2024 + icdp + helsestasjon': "
        "a unique kommunenummer + ar + metode + tjeneste: the same value is already in row 4",
    ], read={"tilbud": 4}),
    # ---- references between tables
    Case("ref_method_not_in_catalogue", 1, [
        "ansatte_kompetanse.csv:6: column 'metode': value 'foreldreveiledning-x': a method in the catalogue "
        "(kompetanse.data.reference.metoder()): one of icdp, pmto, pmto-foreldregruppe, tibir-foreldreradgivning, duaa, "
        "cos-p, marte-meo, tik, nfp",
    ]),
    Case("ref_activity_not_in_programme", 1, [
        "program_aktiviteter.csv:5: column 'kommunenummer + kull': value '1151 + 2024': a (kommunenummer, kull) that "
        "has a row in program_deltakelse",
    ], read={"program_aktiviteter": 4}),
    Case("ref_level_not_served_by_method", 1, [
        "tilbud.csv:2: column 'metode + niva': value 'icdp + indikativ': a prevention level the method serves (see "
        "nivaer in the method catalogue)",
    ]),
    # ---- date order
    Case("date_end_before_start", 1, [
        "program_deltakelse.csv:3: column 'planlagt_slutt': value '2025-03-31': a date 1 to 2 years after startdato "
        "(the programme runs at least one year, at most two)",
    ]),
    Case("date_expiry_before_certification", 1, [
        "ansatte_kompetanse.csv:5: column 'sertifisering_utloper': value '2021-08-31': a date after sertifisert_dato",
    ]),
    # ---- a 1 MB cell: shortened in the message, the row still located
    Case("huge_cell_1mb", 1, [
        f"ansatte_kompetanse.csv:3: column 'ansatt_id': value '{'X' * 80}… (1000000 characters)': "
        "at most 64 characters",
    ]),
    # ---- municipality numbers
    Case("kommune_old_and_new_numbers_mixed", 0,
         notes=("1 municipality number of 2020–2023 mapped to 2024 numbers (e.g. '3001' → '3101' Halden)",)),
    Case("kommune_old_and_new_same_key", 1, [
        "befolkning.csv:5: column 'kommunenummer + ar': value '3101 + 2024': a unique kommunenummer + ar: the same "
        "value is already in row 4",
    ], read={"befolkning": 4}, notes=("'3001' → '3101' Halden",)),
    Case("kommune_cut_to_three_digits", 0, notes=("given a leading zero (e.g. '301' → '0301')",)),
    Case("kommune_1507_alesund_split", 1, [
        "tilbud.csv:4: column 'kommunenummer': value '1507': a municipality number of 2024: 1507 Ålesund was split "
        "on 1 January 2024 into 1508 Ålesund and 1580 Haram; use the number of the part the row is about",
    ]),
    Case("kommune_unknown_number", 1, [
        "befolkning.csv:4: column 'kommunenummer': value '9999': a municipality number of 2024 (see "
        "kompetanse.data.reference.kommuner()); no municipality has this number",
    ]),
    Case("kommune_letter_o_for_zero", 1, [
        "befolkning.csv:2: column 'kommunenummer': value '03O1': a municipality number of 2024: four digits, e.g. "
        "0301 for Oslo",
    ]),
    # ---- CSV structure
    Case("csv_unclosed_quote", 1, [
        "tilbud.csv:3: column 'metode': value 'pmto,barnevern,indikativ,3,3\\n1151,2024,icdp,helsestasjon,universell,"
        "1,6\\n': a value on one line: this field spans several lines, so a quote (\") was opened and not closed; "
        "the rows after it were read into this field. Check the quotes",
        f"tilbud.csv:3: the row has 3 fields but the header has 7: {RAGGED}",
    ], read={"tilbud": 2}),  # as a spreadsheet shows it: row 4 is inside the open quote of row 3
    Case("csv_ragged_rows", 1, [
        f"befolkning.csv:2: the row has 4 fields but the header has 3: {RAGGED}",
        f"befolkning.csv:3: the row has 2 fields but the header has 3: {RAGGED}",
    ]),
    Case("csv_blank_lines", 0, notes=("tilbud.csv: 3 empty rows skipped",)),
    Case("csv_blank_line_above_header", 0, notes=(
        "befolkning.csv: the header is in row 3; rows 1–2 above it are empty and skipped",)),
    # spaces or a tab on a line are a blank line, not a row of one field
    Case("csv_whitespace_and_tab_lines", 0, notes=("tilbud.csv: 3 empty rows skipped",)),
    Case("sep_hint_line_cr_only", 0, notes=("befolkning.csv: separator ';'",)),
    Case("csv_blank_lines_then_error", 1, [
        f"befolkning.csv:6: column 'barn_0_17': value 'seks tusen': {WHOLE_NUMBER}",  # blank rows 2-3 counted
    ]),
    # ---- privacy: synthetic values only
    Case("privacy_fodselsnummer_as_ansatt_id", 1, [
        "ansatte_kompetanse.csv:7: column 'ansatt_id': value '***********': a pseudonymous id, never a national "
        f"identity number or D-number (11 digits): {PSEUDONYM}",
    ]),
    Case("privacy_fodselsnummer_with_dash", 1, [
        "ansatte_kompetanse.csv:7: column 'ansatt_id': value '******-*****': a pseudonymous id, never a national "
        f"identity number or D-number (11 digits): {PSEUDONYM}",
    ]),
    Case("privacy_fodselsnummer_leading_zero_lost", 1, [
        "ansatte_kompetanse.csv:7: column 'ansatt_id': value '**********': a pseudonymous id, never a national "
        f"identity number (10 digits: an 11-digit number whose leading zero the spreadsheet dropped): {PSEUDONYM}",
    ]),
    Case("privacy_d_number_dotted", 1, [
        "ansatte_kompetanse.csv:7: column 'ansatt_id': value '**.**.** *****': a pseudonymous id, never a national "
        f"identity number or D-number (11 digits): {PSEUDONYM}",
    ]),
    Case("privacy_email_as_ansatt_id", 1, [
        "ansatte_kompetanse.csv:2: column 'ansatt_id': value '*****.********@*******.**': a pseudonymous id, never "
        f"an e-mail address: {PSEUDONYM}",
    ]),
    Case("privacy_name_as_ansatt_id", 1, [
        "ansatte_kompetanse.csv:2: column 'ansatt_id': value 'Testa Testesen': a pseudonymous id without spaces, "
        "never a person's name",
    ]),
    # ---- files and tables
    Case("file_missing_table", 1, ["befolkning.csv: file missing: expected befolkning.csv in {path}"],
         read={"befolkning": None}),
    Case("file_unknown_extra_file", 0, notes=("notater.csv: not a table of the contract; ignored",)),
    # both files are read and counted, and every row of both rejected: neither is the table alone
    Case("file_two_files_for_one_table", 1, [
        "Befolkning.csv: table 'befolkning' is in 2 files (Befolkning.csv, befolkning.csv): keep one file named "
        "befolkning.csv; no row of them is loaded",
    ], read={"befolkning": 4}, whole=("Befolkning.csv", "befolkning.csv")),
    Case("file_workbook_instead_of_csv", 1, [
        "befolkning.csv: file missing: expected befolkning.csv in {path}; there is befolkning.xlsx: save that sheet "
        "as CSV UTF-8 under this name",
    ], read={"befolkning": None}),
    Case("file_misspelt_name", 1, [
        "befolkning.csv: file missing: expected befolkning.csv in {path}; there is befolknig.csv: if that is it, "
        "name it befolkning.csv",
    ], read={"befolkning": None}, notes=("befolknig.csv: not a table of the contract; ignored",)),
    # ---- characters nobody sees are shown escaped; data text is never markup or mathtext
    Case("invisible_zero_width_space_in_number", 1, [
        f"befolkning.csv:2: column 'barn_0_17': value '132\\u200b245': {WHOLE_NUMBER}",
    ]),
    Case("invisible_rtl_override_in_method", 1, [
        f"tilbud.csv:2: column 'metode': value '\\u202eicdp': {IDENTIFIER}",
        "tilbud.csv:2: column 'metode': value '\\u202eicdp': a method in the catalogue "
        "(kompetanse.data.reference.metoder()): one of icdp, pmto, pmto-foreldregruppe, tibir-foreldreradgivning, "
        "duaa, cos-p, marte-meo, tik, nfp",
        "tilbud.csv:2: column 'metode + niva': value '\\u202eicdp + universell': a prevention level the method "
        "serves (see nivaer in the method catalogue)",
    ]),
    Case("type_indicator_with_mathtext", 1, [
        f"foreldreundersokelsen.csv:2: column 'indikator': value '$\\x{{41}}$': {IDENTIFIER}",
    ]),
    # ---- a value that names report files must not lead out of the output folder
    Case("path_cohort_escapes_folder", 1, [
        "program_deltakelse.csv:3: column 'kull': value '../../x': a cohort of letters, digits, '-' and '_' only, "
        "e.g. 2025 or 2025-host",
    ]),
    # ---- workbooks
    Case("xlsx_missing_sheet.xlsx", 1, [
        "xlsx_missing_sheet.xlsx: sheet 'befolkning' missing: the workbook has ansatte_kompetanse, "
        "foreldreundersokelsen, program_aktiviteter, program_deltakelse, tilbud; add a sheet named 'befolkning'",
    ], read={"befolkning": None}),
    Case("xlsx_numbers_and_dates_typed.xlsx", 0,
         notes=("xlsx_numbers_and_dates_typed.xlsx[befolkning]: column 'kommunenummer': 1 three-digit",)),
    # the header below a title row is found, and rows keep their numbers as Excel shows them
    Case("xlsx_header_not_in_first_row.xlsx", 0, notes=(
        "xlsx_header_not_in_first_row.xlsx[befolkning]: the header is in row 2; row 1 above it skipped "
        "('Barn 0-17 år')",)),
    Case("xlsx_title_and_table_at_c5.xlsx", 0, notes=(
        "xlsx_title_and_table_at_c5.xlsx[befolkning]: the header is in row 5; rows 1–4 above it skipped "
        "('Barn 0–17 år etter kommune')",)),
    Case("xlsx_table_on_two_sheets.xlsx", 1, [
        "xlsx_table_on_two_sheets.xlsx: table 'ansatte_kompetanse' is on 2 sheets ('Ansatte', 'Kompetanse'): put all "
        "its rows on one sheet named 'ansatte_kompetanse' and delete the others; no row of them is loaded",
    ], whole=("xlsx_table_on_two_sheets.xlsx[Ansatte]", "xlsx_table_on_two_sheets.xlsx[Kompetanse]")),
    Case("xlsx_sheet_names_differ_by_accent.xlsx", 1, [
        "xlsx_sheet_names_differ_by_accent.xlsx: table 'foreldreundersokelsen' is on 2 sheets "
        "('foreldreundersokelsen', 'Foreldreundersøkelsen'): put all its rows on one sheet named "
        "'foreldreundersokelsen' and delete the others; no row of them is loaded",
    ], read={"foreldreundersokelsen": 4}, whole=("xlsx_sheet_names_differ_by_accent.xlsx[foreldreundersokelsen]",
                                                 "xlsx_sheet_names_differ_by_accent.xlsx[Foreldreundersøkelsen]")),
    # Excel's error values and a formula saved without its result, each named with its cell
    Case("xlsx_error_cells.xlsx", 1, [
        "xlsx_error_cells.xlsx[ansatte_kompetanse]:3: column 'sluttet_dato': value '#VALUE!': an Excel error value "
        f"in cell I3, {EXCEL_ERROR}",
        f"xlsx_error_cells.xlsx[tilbud]:3: column 'antall_foreldre': value '#DIV/0!': an Excel error value in cell G3, "
        f"{EXCEL_ERROR}",
        f"xlsx_error_cells.xlsx[tilbud]:4: column 'antall_grupper': value '#N/A': an Excel error value in cell F4, "
        f"{EXCEL_ERROR}",
        "xlsx_error_cells.xlsx[befolkning]:4: column 'barn_0_17': value '=B2*3': a formula in cell C4 saved without "
        "its result: open the file in Excel or LibreOffice and save it again (or type the value)",
    ], read={"befolkning": 3, "tilbud": 3}),
    Case("xlsx_text_in_number_cell.xlsx", 1, [
        f"xlsx_text_in_number_cell.xlsx[tilbud]:4: column 'antall_foreldre': value 'seks': {WHOLE_NUMBER}",
    ]),
    # ---- not data at all: a usage error
    Case("usage_not_a_workbook.xlsx", 2),
    Case("usage_value_in_xfd1048576.xlsx", 2),
]


_WHERE = re.compile(r"^(?P<file>.+?):(?P<row>\d+): ")


def _path(case: Case) -> Path:
    return BAD / case.name


def _rejected_rows(case: Case) -> dict[str, set[int]]:
    """The data rows each file must reject: the rows its problem lines name (row 1 is the header)."""
    rows: dict[str, set[int]] = {}
    for line in case.lines:
        m = _WHERE.match(line)
        if m and int(m["row"]) > 1:
            rows.setdefault(m["file"], set()).add(int(m["row"]))
    return rows


def _problem_lines(out: str) -> list[str]:
    # the problems come first, one per line, then a blank line and the summary
    return list(itertools.takewhile(bool, out.split("\n")))


def test_every_corpus_entry_has_a_case():
    entries = {p.name for p in BAD.iterdir() if p.name not in ("make_corpus.py", "__pycache__")}
    assert entries == {c.name for c in CASES}
    assert len(entries) >= 35


@pytest.mark.parametrize("case", CASES, ids=str)
def test_validate_prints_each_problem_with_its_file_row_column_value_and_fix(case, capsys):
    path = _path(case)
    code = main(["validate", str(path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert code == case.exit, out + err
    if case.exit == 2:
        assert err.startswith(f"kompetanse validate: error: {path}: ") and out == ""
        return
    assert _problem_lines(out) == [line.replace("{path}", str(path)) for line in case.lines]
    notes = [line for line in err.splitlines() if line.startswith("note: ")]
    assert len(notes) == len(err.splitlines())  # standard error holds notes only
    for fragment in case.notes:
        assert any(fragment in note for note in notes), (fragment, notes)


@pytest.fixture(scope="module")
def minimal_ds():
    return kompetanse.load(MINIMAL, cache=False)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_no_row_is_lost(case, minimal_ds):
    path = _path(case)
    if case.exit == 2:
        with pytest.raises(UsageError):
            kompetanse.load(path, on_error="skip", cache=False)
        return
    ds = kompetanse.load(path, on_error="skip", cache=False)
    assert [str(p) for p in ds.problems] == [line.replace("{path}", str(path)) for line in case.lines]
    counts = ds.counts
    rejected = _rejected_rows(case)
    for table, n in (MINIMAL_ROWS | case.read).items():
        files = counts[counts["table"] == table]
        if n is None:
            assert files.empty
            continue
        assert files["read"].sum() == n, table  # a table in two files or sheets: the rows of both
        assert len(getattr(ds, table)) == files["accepted"].sum(), table
        for _, row in files.iterrows():
            _check_file(case, ds, row, rejected, path, minimal_ds, table)


def _check_file(case, ds, row, rejected, path, minimal_ds, table) -> None:
    """One file or sheet of a table: its rows add up, and the rejected ones are the ones named."""
    assert row["accepted"] + row["rejected"] == row["read"], table
    named = ds.rejected.loc[ds.rejected["file"] == row["file"], "row"]
    assert len(named) == row["rejected"], table
    if row["file"] in case.whole:
        assert row["rejected"] == row["read"], table
    else:
        assert set(named) == rejected.get(row["file"], set()), table
    source = MINIMAL / f"{table}.csv"
    if path.is_dir() and row["file"] == source.name and not named.size \
            and (path / source.name).read_bytes() == source.read_bytes():
        # an untouched table is loaded whole, exactly as from minimal/
        assert getattr(ds, table).equals(getattr(minimal_ds, table)), table


@pytest.mark.parametrize("name", ["enc_nul_bytes", "huge_cell_1mb", "csv_unclosed_quote", "empty_zero_bytes",
                                  "usage_not_a_workbook.xlsx"])
def test_bad_input_never_gives_a_traceback_from_the_command(name):
    case = next(c for c in CASES if c.name == name)
    proc = subprocess.run([sys.executable, "-m", "kompetanse", "validate", "-q", str(BAD / name)],
                          capture_output=True, text=True)
    assert proc.returncode == case.exit
    assert "Traceback" not in proc.stdout + proc.stderr


def test_no_such_path_is_a_usage_error(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "innsending")]) == 2
    out, err = capsys.readouterr()
    assert err == (f"kompetanse validate: error: {tmp_path / 'innsending'}: no such file or folder (expected a "
                   "folder of CSV files or an .xlsx workbook)\n")


def test_unreadable_file_is_a_usage_error(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "data"
    shutil.copytree(MINIMAL, folder)
    (folder / "tilbud.csv").chmod(0)
    if not hasattr(os, "geteuid") or os.geteuid() == 0:
        # root reads any file: refuse the read the way the kernel would for anyone else
        read_bytes = Path.read_bytes

        def refuse(self):
            if self.name == "tilbud.csv":
                raise PermissionError(13, "Permission denied", str(self))
            return read_bytes(self)

        monkeypatch.setattr(Path, "read_bytes", refuse)
    try:
        assert main(["validate", str(folder)]) == 2
    finally:
        (folder / "tilbud.csv").chmod(0o644)
    out, err = capsys.readouterr()
    assert err.startswith("kompetanse validate: error: ") and "tilbud.csv: cannot be read (Permission denied)" in err
    assert "Traceback" not in out + err
