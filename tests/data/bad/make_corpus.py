"""Build the corpus of malformed inputs in tests/data/bad/ from tests/data/minimal/.

Each case is a folder holding a complete small data set (a copy of minimal/ with one thing
broken, as municipalities send it) or one .xlsx workbook. tests/test_bad_inputs.py states, for
every case, what `kompetanse validate` must say about it. Run from the repository root:

    .venv/bin/python tests/data/bad/make_corpus.py

The output is committed; running the script again rewrites it byte for byte. Every id, number
and name here is synthetic.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
MINIMAL = HERE.parent / "minimal"


def _lines(folder: Path, file: str) -> list[str]:
    return (folder / file).read_text(encoding="utf-8").splitlines()


def _write(folder: Path, file: str, lines: list[str], *, encoding: str = "utf-8", newline: str = "\n") -> None:
    (folder / file).write_bytes((newline.join(lines) + newline).encode(encoding))


def replace(file: str, row: int, text: str) -> Callable[[Path], None]:
    """Replace spreadsheet row ``row`` (header = 1)."""
    def edit(folder: Path) -> None:
        lines = _lines(folder, file)
        lines[row - 1] = text
        _write(folder, file, lines)
    return edit


def append(file: str, *texts: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        _write(folder, file, _lines(folder, file) + list(texts))
    return edit


def rewrite(file: str, *, encoding: str = "utf-8", sep: str | None = None, newline: str = "\n",
            header: str | None = None, change: Callable[[list[str]], list[str]] | None = None
            ) -> Callable[[Path], None]:
    """Write ``file`` again: other encoding, separator (minimal/ has no commas inside values),
    header line, or line changes."""
    def edit(folder: Path) -> None:
        lines = _lines(folder, file)
        if header is not None:
            lines[0] = header
        if change is not None:
            lines = change(lines)
        if sep is not None:
            lines = [line.replace(",", sep) for line in lines]
        _write(folder, file, lines, encoding=encoding, newline=newline)
    return edit


def raw(file: str, data: bytes) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        (folder / file).write_bytes(data)
    return edit


def remove(file: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        (folder / file).unlink()
    return edit


def _set(lines: list[str], row: int, column: int, value: str, sep: str = ",") -> list[str]:
    cells = lines[row - 1].split(sep)
    cells[column] = value
    lines[row - 1] = sep.join(cells)
    return lines


#: name -> how minimal/ is broken. The name says the category (enc, sep, hdr, type, range, key,
#: ref, dup, date, empty, huge, kommune, csv, privacy, file).
FOLDER_CASES: dict[str, Callable[[Path], None]] = {
    # ---- encodings
    "enc_cp1252_no_bom": rewrite("tilbud.csv", encoding="cp1252",
                                 header="kommunenummer,år,metode,tjeneste,nivå,antall_grupper,antall_foreldre"),
    "enc_utf8_bom": rewrite("befolkning.csv", encoding="utf-8-sig"),
    "enc_utf16_tab": rewrite("tilbud.csv", encoding="utf-16", sep="\t", newline="\r\n"),
    "enc_utf16_no_bom": rewrite("befolkning.csv", encoding="utf-16-le", sep="\t", newline="\r\n"),
    "enc_invalid_bytes": raw("befolkning.csv", b"kommunenummer,ar,barn_0_17\n0301,2024,132245\n"
                                               b"1151,2024,35\x81\n3101,2024,6000\n"),
    # UTF-8 header, one value typed in a Windows-1252 editor: the file is neither encoding
    "enc_mixed_utf8_cp1252": raw("tilbud.csv",
                                 "kommunenummer,år,metode,tjeneste,nivå,antall_grupper,antall_foreldre\n"
                                 "0301,2024,icdp,helsestasjon,universell,4,38\n".encode()
                                 + "0301,2024,pmto,barnevern,indikativ,3,3\n1151,2024,icdp,helsestasjon,"
                                   "universell,1,6\n".encode("cp1252")
                                 + "0301,2024,duå,familiesenter,selektiv,1,5\n".encode("cp1252")),
    "enc_nul_bytes": raw("befolkning.csv", b"kommunenummer,ar,barn_0_17\n0301,2024,132245\n"
                                           b"1151,2024,3\x005\n3101,2024,6000\n"),
    # ---- separators
    # Norwegian Excel: semicolons because the comma is the decimal separator
    "sep_semicolon_decimal_comma": rewrite("foreldreundersokelsen.csv", encoding="cp1252", change=lambda ls: [
        x.replace(",", ";").replace("4.12", "4,12").replace("4.31", "4,31") for x in ls]),
    "sep_tab": rewrite("tilbud.csv", sep="\t"),
    "sep_excel_hint_line": rewrite("befolkning.csv", sep=";", change=lambda ls: ["sep=;", *ls]),
    "sep_comma_with_decimal_comma": rewrite("foreldreundersokelsen.csv",
                                            change=lambda ls: _set(ls, 2, 4, "4,12")),
    "sep_trailing_semicolons": rewrite("befolkning.csv", sep=";", change=lambda ls: [f"{x},," for x in ls]),
    # ---- headers
    "hdr_misspelt_column": rewrite("befolkning.csv", header="kommunenumer,ar,barn_0_17"),
    "hdr_duplicate_column": rewrite("befolkning.csv", header="kommunenummer,ar,barn_0_17,barn_0_17",
                                    change=lambda ls: [ls[0]] + [f"{x},{x.rsplit(',', 1)[1]}" for x in ls[1:]]),
    "hdr_missing_required_column": rewrite("tilbud.csv", change=lambda ls: [x.rsplit(",", 1)[0] for x in ls]),
    "hdr_extra_unknown_column": rewrite("befolkning.csv", change=lambda ls: [ls[0] + ",kommentar"]
                                        + [x + ",tall fra SSB" for x in ls[1:]]),
    "hdr_uppercase_transliterated": rewrite(
        "tilbud.csv", sep=";",
        header=" KOMMUNENR , AAR ,Metode,TJENESTE,NIVAA,Antall grupper,ANTALL-FORELDRE "),
    "hdr_title_row_above_header": rewrite("befolkning.csv", change=lambda ls: ["Barn 0-17 år etter kommune,,", *ls]),
    "hdr_header_only": rewrite("tilbud.csv", change=lambda ls: ls[:1]),
    # ---- empty files
    "empty_zero_bytes": raw("befolkning.csv", b""),
    "empty_whitespace_only": raw("befolkning.csv", b"\r\n\r\n  \r\n"),
    # ---- types
    "type_text_in_number_column": replace("tilbud.csv", 2, "0301,2024,icdp,helsestasjon,universell,fire,38"),
    "type_decimal_in_count": replace("tilbud.csv", 3, "0301,2024,pmto,barnevern,indikativ,3,\"2,5\""),
    "type_date_us_format": replace("ansatte_kompetanse.csv", 2,
                                   "0301,A0000001,helsestasjon,icdp,sertifisert,01/10/2021,2021-06-01,,"),
    "type_date_impossible_day": replace("program_aktiviteter.csv", 2,
                                        "0301,2024,AKT-1,opplaeringsdag,fysisk,2024-02-30,gjennomfort,40"),
    "type_date_dotted_accepted": replace("ansatte_kompetanse.csv", 2,
                                         "0301,A0000001,helsestasjon,icdp,sertifisert,10.01.2021,01.06.2021,,"),
    "type_category_misspelt": replace("program_deltakelse.csv", 2,
                                      "0301,2024,2023-10-01,active,2024-01-15,2025-12-15,12,8"),
    # ---- ranges
    "range_negative_count": replace("tilbud.csv", 4, "1151,2024,icdp,helsestasjon,universell,1,-6"),
    "range_mean_above_scale": replace("foreldreundersokelsen.csv", 2, "0301,2024,grunnskole,samarbeid,41.2,5230"),
    "range_year_out_of_range": replace("befolkning.csv", 3, "1151,2224,35"),
    "range_date_year_out_of_range": replace("program_deltakelse.csv", 2,
                                            "0301,2024,0223-10-01,aktiv,2024-01-15,2025-12-15,12,8"),
    # ---- keys and duplicates
    "key_duplicate_primary_key": append("befolkning.csv", "0301,2024,130000"),
    "key_duplicate_activity_id": append("program_aktiviteter.csv",
                                        "0301,2024,AKT-1,veiledning,digital,2024-03-01,gjennomfort,12"),
    "dup_identical_row": append("tilbud.csv", "1151,2024,icdp,helsestasjon,universell,1,6"),
    # ---- references between tables
    "ref_method_not_in_catalogue": replace("ansatte_kompetanse.csv", 6,
                                           "0301,A0000004,barnevern,foreldreveiledning-x,i_opplaering,2025-02-01,,,"),
    "ref_activity_not_in_programme": append("program_aktiviteter.csv",
                                            "1151,2024,AKT-4,foreldremote,digital,2024-05-01,gjennomfort,25"),
    "ref_level_not_served_by_method": replace("tilbud.csv", 2, "0301,2024,icdp,helsestasjon,indikativ,4,38"),
    # ---- date order
    "date_end_before_start": replace("program_deltakelse.csv", 3,
                                     "3101,2025,2024-10-01,innvilget,2025-09-01,2025-03-31,3,2"),
    "date_expiry_before_certification": replace("ansatte_kompetanse.csv", 5,
                                                "0301,A0000003,barnevern,pmto,sertifisert,2020-01-15,2021-09-01,"
                                                "2021-08-31,"),
    # ---- huge field: a 1 MB cell
    "huge_cell_1mb": replace("ansatte_kompetanse.csv", 3,
                             "0301," + "X" * 1_000_000 + ",helsestasjon,icdp,sertifisert,2021-01-10,2021-06-01,,"),
    # ---- municipality numbers
    "kommune_old_and_new_numbers_mixed": replace("ansatte_kompetanse.csv", 8,
                                                 "3001,A0000006,skole,tik,utgatt,2018-01-01,2018-02-01,2020-02-01,"),
    "kommune_old_and_new_same_key": append("befolkning.csv", "3001,2024,5900"),
    "kommune_cut_to_three_digits": rewrite("befolkning.csv", change=lambda ls: _set(ls, 2, 0, "301")),
    "kommune_1507_alesund_split": replace("tilbud.csv", 4, "1507,2024,icdp,helsestasjon,universell,1,6"),
    "kommune_unknown_number": replace("befolkning.csv", 4, "9999,2024,6000"),
    "kommune_letter_o_for_zero": replace("befolkning.csv", 2, "03O1,2024,132245"),
    # ---- CSV structure
    "csv_unclosed_quote": replace("tilbud.csv", 3, "0301,2024,\"pmto,barnevern,indikativ,3,3"),
    "csv_ragged_rows": rewrite("befolkning.csv", change=lambda ls: [ls[0], ls[1] + ",17", ls[2][:-3], ls[3]]),
    "csv_blank_lines": rewrite("tilbud.csv", newline="\r\n", change=lambda ls: [ls[0], "", ls[1], ",,,,,,", ls[2], ls[3], ""]),
    "csv_blank_lines_then_error": rewrite("befolkning.csv",
                                          change=lambda ls: [ls[0], "", "", ls[1], ls[2], "3101,2024,seks tusen"]),
    # ---- privacy
    "privacy_fodselsnummer_as_ansatt_id": replace("ansatte_kompetanse.csv", 7,
                                                  "1151,01010012345,helsestasjon,icdp,sertifisert,2019-02-01,"
                                                  "2019-08-01,,2025-03-31"),
    "privacy_name_as_ansatt_id": replace("ansatte_kompetanse.csv", 2,
                                         "0301,Testa Testesen,helsestasjon,icdp,sertifisert,2021-01-10,2021-06-01,,"),
    # ---- files and tables
    "file_missing_table": remove("befolkning.csv"),
    "file_unknown_extra_file": raw("notater.csv", b"hva,hvem\nsjekk tallene,analytiker\n"),
    "file_two_files_for_one_table": raw("Befolkning.csv", b"kommunenummer,ar,barn_0_17\n0301,2023,130000\n"),
    "file_workbook_instead_of_csv": lambda folder: _csv_as_workbook(folder, "befolkning.csv"),
    "file_misspelt_name": lambda folder: (folder / "befolkning.csv").rename(folder / "befolknig.csv"),
    # ---- rows a person sees above and between the rows of a table
    "csv_blank_line_above_header": rewrite("befolkning.csv", change=lambda ls: ["", "", *ls]),
    "csv_whitespace_and_tab_lines": rewrite("tilbud.csv", change=lambda ls: [ls[0], ls[1], "   ", ls[2], "\t",
                                                                              " \t ", ls[3]]),
    "sep_hint_line_cr_only": rewrite("befolkning.csv", sep=";", newline="\r", change=lambda ls: ["sep=;", *ls]),
    # ---- identity numbers and addresses where a pseudonym belongs (synthetic values)
    "privacy_fodselsnummer_with_dash": replace("ansatte_kompetanse.csv", 7, "1151,010100-12345,helsestasjon,icdp,"
                                               "sertifisert,2019-02-01,2019-08-01,,2025-03-31"),
    "privacy_fodselsnummer_leading_zero_lost": replace("ansatte_kompetanse.csv", 7, "1151,1010012345,helsestasjon,"
                                                       "icdp,sertifisert,2019-02-01,2019-08-01,,2025-03-31"),
    "privacy_d_number_dotted": replace("ansatte_kompetanse.csv", 7, "1151,41.01.00 12345,helsestasjon,icdp,"
                                       "sertifisert,2019-02-01,2019-08-01,,2025-03-31"),
    "privacy_email_as_ansatt_id": replace("ansatte_kompetanse.csv", 2, "0301,testa.testesen@example.no,helsestasjon,"
                                          "icdp,sertifisert,2021-01-10,2021-06-01,,"),
    # ---- characters nobody sees, and text that must not become markup or mathtext
    "invisible_zero_width_space_in_number": replace("befolkning.csv", 2, "0301,2024,132\u200b245"),
    "invisible_rtl_override_in_method": replace("tilbud.csv", 2, "0301,2024,\u202eicdp,helsestasjon,universell,4,38"),
    "type_indicator_with_mathtext": replace("foreldreundersokelsen.csv", 2,
                                            "0301,2024,grunnskole,$\\x{41}$,4.12,5230"),
    # ---- path tricks in values that end up in file names of reports
    "path_cohort_escapes_folder": replace("program_deltakelse.csv", 3,
                                          "3101,../../x,2024-10-01,innvilget,2025-09-01,2026-08-31,3,2"),
}


def _csv_as_workbook(folder: Path, file: str) -> None:
    """The table saved as a workbook instead of CSV: the CSV is gone, the .xlsx lies there."""
    _workbook(folder / Path(file).with_suffix(".xlsx").name, {Path(file).stem: _minimal_rows(file)})
    (folder / file).unlink()


def _minimal_rows(file: str) -> list[list[str]]:
    return [line.split(",") for line in _lines(MINIMAL, file)]


def _fixed_props(book) -> None:
    # fixed timestamps so that the workbook is the same bytes on every run
    when = dt.datetime(2024, 1, 1)
    book.properties.creator = "kompetanse tests"
    book.properties.created = when
    book.properties.modified = when


def _workbook(path: Path, sheets: dict[str, list[list]]) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    _fixed_props(book)
    book.save(path)
    _normalise_zip(path)


def _normalise_zip(path: Path) -> None:
    """Rewrite the zip with fixed member timestamps: openpyxl stamps the time of saving."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        members = [(info.filename, z.read(info)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            if name == "docProps/core.xml":
                import re

                data = re.sub(rb"<dcterms:modified[^>]*>[^<]*</dcterms:modified>",
                              b'<dcterms:modified xsi:type="dcterms:W3CDTF">2024-01-01T00:00:00Z'
                              b"</dcterms:modified>", data)
            z.writestr(info, data)


def _all_sheets() -> dict[str, list[list]]:
    return {f.stem: _minimal_rows(f.name) for f in sorted(MINIMAL.glob("*.csv"))}


def _numbers_as_numbers(sheets: dict[str, list[list]]) -> dict[str, list[list]]:
    """Typed cells as Excel stores them: 301 as a number (leading zero lost), dates as dates."""
    out = {}
    for name, rows in sheets.items():
        header, body = rows[0], rows[1:]
        typed = []
        for row in body:
            cells = []
            for col, value in zip(header, row, strict=True):
                if col == "kommunenummer":
                    cells.append(int(value))
                elif col.endswith(("dato", "start", "slutt", "utloper")) and value:
                    cells.append(dt.datetime.fromisoformat(value))
                elif value.isdigit() and col not in ("kull", "ansatt_id"):
                    cells.append(int(value))
                else:
                    cells.append(value or None)
            typed.append(cells)
        out[name] = [header, *typed]
    return out


WORKBOOK_CASES: dict[str, Callable[[], dict[str, list[list]]]] = {
    "xlsx_missing_sheet.xlsx": lambda: {k: v for k, v in _all_sheets().items() if k != "befolkning"},
    "xlsx_numbers_and_dates_typed.xlsx": lambda: _numbers_as_numbers(_all_sheets()),
    "xlsx_header_not_in_first_row.xlsx": lambda: _all_sheets() | {
        "befolkning": [["Barn 0-17 år"], *_minimal_rows("befolkning.csv")]},
    "xlsx_text_in_number_cell.xlsx": lambda: _all_sheets() | {
        "tilbud": [*_minimal_rows("tilbud.csv")[:3], ["1151", "2024", "icdp", "helsestasjon", "universell", 1,
                                                      "seks"]]},
    # one table on two sheets, as staff split a long list; two spellings of one sheet name
    "xlsx_table_on_two_sheets.xlsx": lambda: {k: v for k, v in _all_sheets().items() if k != "ansatte_kompetanse"} | {
        "Ansatte": _minimal_rows("ansatte_kompetanse.csv")[:4],
        "Kompetanse": [_minimal_rows("ansatte_kompetanse.csv")[0], *_minimal_rows("ansatte_kompetanse.csv")[4:]]},
    "xlsx_sheet_names_differ_by_accent.xlsx": lambda: _all_sheets() | {
        "Foreldreundersøkelsen": [_minimal_rows("foreldreundersokelsen.csv")[0],
                                  ["1151", "2024", "grunnskole", "samarbeid", "3.9", "40"]]},
    # Excel's error values and a formula saved without its result (openpyxl writes '#…' strings
    # as error cells and '=…' as formulas with no cached value, as a script would)
    "xlsx_error_cells.xlsx": lambda: _all_sheets() | {
        "tilbud": [*_minimal_rows("tilbud.csv")[:2], ["0301", "2024", "pmto", "barnevern", "indikativ", 3, "#DIV/0!"],
                   ["1151", "2024", "icdp", "helsestasjon", "universell", "#N/A", 6]],
        "befolkning": [*_minimal_rows("befolkning.csv")[:3], ["3101", "2024", "=B2*3"]],
        "ansatte_kompetanse": [*_minimal_rows("ansatte_kompetanse.csv")[:2],
                               [*_minimal_rows("ansatte_kompetanse.csv")[2][:8], "#VALUE!"],
                               *_minimal_rows("ansatte_kompetanse.csv")[3:]]},
    # a title in A1 and the table from C5, as a report layout leaves it
    "xlsx_title_and_table_at_c5.xlsx": lambda: _all_sheets() | {
        "befolkning": [["Barn 0–17 år etter kommune"], [], [], [],
                       *[[None, None, *r] for r in _minimal_rows("befolkning.csv")]]},
}

#: Inputs that are not data at all: `kompetanse validate` exits 2.
RAW_CASES: dict[str, bytes] = {
    "usage_not_a_workbook.xlsx": b"PK\x03\x04 this is not really a zip file",
}


def stray_value_far_out(path: Path) -> None:
    """A workbook of 9 KB with one value in XFD1048576: a reader that allocates the sheet's
    range asks for 17 billion cells."""
    from openpyxl import load_workbook

    _workbook(path, _all_sheets())
    book = load_workbook(path)
    book["befolkning"]["XFD1048576"] = "x"
    _fixed_props(book)
    book.save(path)
    _normalise_zip(path)


def unpacks_to(path: Path, megabytes: int) -> None:
    """A valid workbook with one more part of ``megabytes`` MB of spaces: a zip bomb of a few
    hundred KB (built when a test needs it, not committed)."""
    import zipfile

    _workbook(path, _all_sheets())
    info = zipfile.ZipInfo("xl/media/filler.xml", date_time=(2024, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "a") as z, z.open(info, "w", force_zip64=True) as part:
        part.write(b"<a>")
        block = b" " * (1 << 20)
        for _ in range(megabytes):  # a megabyte at a time: the builder stays small too
            part.write(block)
        part.write(b"</a>")


#: Built by a function: name -> function(path).
BUILT_CASES: dict[str, Callable[[Path], None]] = {
    "usage_value_in_xfd1048576.xlsx": stray_value_far_out,
}


def main() -> None:
    known = set(FOLDER_CASES) | set(WORKBOOK_CASES) | set(RAW_CASES) | set(BUILT_CASES)
    for old in HERE.iterdir():
        if old.name in known or (old.is_dir() and not old.name.startswith(("_", "."))):
            shutil.rmtree(old) if old.is_dir() else old.unlink()
    for name, edit in FOLDER_CASES.items():
        shutil.copytree(MINIMAL, HERE / name)
        edit(HERE / name)
    for name, sheets in WORKBOOK_CASES.items():
        _workbook(HERE / name, sheets())
    for name, data in RAW_CASES.items():
        (HERE / name).write_bytes(data)
    for name, build in BUILT_CASES.items():
        build(HERE / name)
    print(f"{len(known)} cases written to {HERE}")


if __name__ == "__main__":
    main()
