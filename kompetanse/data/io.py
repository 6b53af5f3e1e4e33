"""Read input tables in the dialects people send: CSV from Norwegian Excel or UTF-8 tools,
and XLSX workbooks with one sheet per table. Everything comes back as text with canonical
headers and spreadsheet row numbers; kompetanse.data.parse turns text into typed values.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io as _io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from kompetanse.data.schema import TABLES, Table
from kompetanse.errors import Problem, UsageError

#: Header spellings seen in municipal files beyond case, æøå and spacing.
HEADER_ALIASES: dict[str, str] = {
    "kommunenr": "kommunenummer",
    "knr": "kommunenummer",
    "kommune_nr": "kommunenummer",
    "kommunenummer_2024": "kommunenummer",
    "aarstall": "ar",
    "arstall": "ar",
    "nivaa": "niva",
    "forebyggingsniva": "niva",
}

_TRANSLIT = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "é": "e", "ä": "ae", "ö": "o"})
_SEPARATORS = (";", ",", "\t", "|")
_SEP_JOIN = " | "  # how a header is quoted back in a message


def normalise_name(text: str) -> str:
    """Canonical key for a header, table or category value: lower case, æøå spelled out or
    transliterated alike (``nivå`` = ``niva`` = ``nivaa``), runs of spaces and hyphens as ``_``."""
    s = str(text).replace("\ufeff", "").strip().lower().translate(_TRANSLIT)
    s = s.replace("oe", "o").replace("aa", "a")
    s = re.sub(r"[\s\-/.]+", "_", s)
    return s.strip("_")


_TABLE_KEYS = {normalise_name(name): name for name in TABLES}
# "ansatte_kompetanse" is also sent as "ansatte" or "kompetanse"
_TABLE_KEYS |= {"ansatte": "ansatte_kompetanse", "kompetanse": "ansatte_kompetanse"}


def table_for(name: str) -> str | None:
    """The canonical table a file stem or sheet name stands for, or None."""
    return _TABLE_KEYS.get(normalise_name(name))


@dataclass
class RawTable:
    """One input table as text, before validation.

    ``frame`` has one column per canonical column found (strings, ``""`` for empty) and
    ``rows`` the spreadsheet row number of each record (header = row 1).
    """

    name: str
    source: str
    path: Path
    frame: pd.DataFrame
    rows: np.ndarray
    sha256: str
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)


@dataclass
class RawInput:
    """Everything read from a path: tables found, problems with the submission as a whole
    (a missing table), and notes on what was normalised or ignored."""

    path: Path
    tables: dict[str, RawTable]
    problems: list[Problem]
    notes: list[str]


def read_input(path: str | Path, *, tables: tuple[str, ...] | None = None) -> RawInput:
    """Read a folder of CSV files or one XLSX workbook.

    Raises `UsageError` when the path does not exist or a file cannot be opened at all;
    problems with the content come back in the result, never as exceptions.
    """
    path = Path(path)
    wanted = tables or tuple(TABLES)
    if not path.exists():
        raise UsageError(f"{path}: no such file or folder (expected a folder of CSV files or an .xlsx workbook)")
    if path.is_dir():
        return _read_folder(path, wanted)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_workbook(path, wanted)
    if path.suffix.lower() == ".csv":
        name = table_for(path.stem)
        if name is None:
            raise UsageError(
                f"{path}: the file name does not name a table; expected one of {', '.join(TABLES)}"
            )
        raw = read_csv_table(path, TABLES[name])
        return RawInput(path, {name: raw}, [], [])
    raise UsageError(f"{path}: not a folder, .csv or .xlsx file")


def _read_folder(folder: Path, wanted: tuple[str, ...]) -> RawInput:
    found: dict[str, RawTable] = {}
    notes: list[str] = []
    problems: list[Problem] = []
    for file in sorted(folder.iterdir()):
        if file.suffix.lower() != ".csv" or not file.is_file():
            continue
        name = table_for(file.stem)
        if name is None:
            notes.append(f"{file.name}: not a table of the contract; ignored")
            continue
        if name not in wanted:
            continue
        if name in found:
            problems.append(
                Problem(file.name, None, None, None,
                        f"a second file for table '{name}' (first: {found[name].source}); keep one")
            )
            continue
        found[name] = read_csv_table(file, TABLES[name])
    for name in wanted:
        if name not in found:
            problems.append(
                Problem(f"{name}.csv", None, None, None,
                        f"file missing: expected {name}.csv in {folder}")
            )
    return RawInput(folder, found, problems, notes)


# ---------------------------------------------------------------------------------------- CSV


def _decode(data: bytes, source: str) -> tuple[str | None, list[str], list[Problem]]:
    notes: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        notes.append(f"{source}: UTF-8 with byte order mark (as Excel saves it)")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        notes.append(f"{source}: read as UTF-16 (Excel's 'Unicode text')")
        return data.decode("utf-16"), notes, []
    elif len(data) >= 4 and data.count(0) * 3 >= len(data):
        # UTF-16 saved without a byte order mark: every other byte of plain text is zero
        encoding = "utf-16-le" if data[1::2].count(0) > data[0::2].count(0) else "utf-16-be"
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            pass
        else:
            notes.append(f"{source}: read as UTF-16 without a byte order mark")
            return text, notes, []
    try:
        return data.decode("utf-8"), notes, []
    except UnicodeDecodeError:
        pass
    mixed = _decode_mixed(data, source)
    if mixed is not None:
        return mixed[0], notes + [mixed[1]], []
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        return None, notes, [
            Problem(source, None, None, None,
                    f"text encoding not recognised (byte {exc.object[exc.start]:#04x} in line "
                    f"{data.count(10, 0, exc.start) + 1}, at position {exc.start}, is neither UTF-8 "
                    f"nor Windows-1252): save the file as 'CSV UTF-8'")
        ]
    notes.append(f"{source}: read as Windows-1252 (not UTF-8), as Norwegian Excel saves CSV")
    return text, notes, []


_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def _decode_mixed(data: bytes, source: str) -> tuple[str, str] | None:
    """A file that is neither UTF-8 nor Windows-1252 as a whole but UTF-8 in some lines and
    Windows-1252 in others (rows pasted from another file, or typed in another editor).

    Decoding it all as Windows-1252 would turn the UTF-8 lines into mojibake (``nivå`` into
    ``nivÃ¥``, so the header no longer matches), so each line is read in the encoding it is in.
    """
    if not _UTF8_MULTIBYTE.search(data):
        return None
    text, cp1252_rows, utf8_rows = [], [], 0
    for i, line in enumerate(data.split(b"\n"), start=1):
        try:
            text.append(line.decode("utf-8"))
            utf8_rows += not line.isascii()
        except UnicodeDecodeError:
            try:
                text.append(line.decode("cp1252"))
            except UnicodeDecodeError:
                return None
            cp1252_rows.append(i)
    if not utf8_rows:
        return None  # Windows-1252 throughout: the ASCII lines read the same either way
    shown = ", ".join(map(str, cp1252_rows[:10])) + (" …" if len(cp1252_rows) > 10 else "")
    return "\n".join(text), (f"{source}: mixes encodings: line{'s' if len(cp1252_rows) > 1 else ''} {shown} "
                             f"read as Windows-1252, the others as UTF-8; save the file as 'CSV UTF-8'")


def _sniff_separator(header_line: str) -> str:
    counts = {sep: header_line.count(sep) for sep in _SEPARATORS}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else ","


def read_csv_table(path: Path, table: Table) -> RawTable:
    """Read one CSV file as text, whatever its encoding, separator or header spelling."""
    source = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read ({exc.strerror})") from exc
    digest = hashlib.sha256(data).hexdigest()
    # Until a header is read, every column counts as missing: the table is rejected whole.
    empty = RawTable(table.name, source, path, pd.DataFrame(), np.array([], dtype=int), digest,
                     missing_columns=list(table.column_names))
    if not data.strip():
        empty.problems.append(
            Problem(source, None, None, None,
                    f"the file is empty: expected a header row with {', '.join(table.column_names)}")
        )
        return empty
    text, notes, problems = _decode(data, source)
    empty.notes += notes
    if text is None:
        empty.problems += problems
        return empty

    first_row = 1
    first_line, _, rest = text.partition("\n")
    if re.fullmatch(r"\s*sep=(.)\s*", first_line):
        # Excel's "sep=;" hint line: the header is on the next row.
        sep = first_line.strip()[4]
        text, first_row = rest, 2
        first_line = text.partition("\n")[0]
    else:
        sep = _sniff_separator(first_line)
    if sep != ",":
        empty.notes.append(f"{source}: separator {sep!r}")

    records = _parse_records(text, sep)
    if records is None:
        records = []
    header, body = records[0], records[1:]
    frame, rows, header_notes, header_problems, missing = _frame_from_records(
        header, body, table, source, first_row
    )
    return RawTable(
        table.name, source, path, frame, rows, digest,
        notes=empty.notes + header_notes, problems=header_problems, missing_columns=missing,
    )


def _parse_records(text: str, sep: str) -> list[list[str]]:
    # The csv module knows record boundaries inside quoted fields, so record i is spreadsheet
    # row i + 1 even when a field spans lines, and a short or long record is seen, not guessed.
    csv.field_size_limit(1 << 30)
    return list(csv.reader(_io.StringIO(text, newline=""), delimiter=sep))


def _frame_from_records(header, body, table: Table, source: str, first_row: int):
    """Map headers to canonical names and build a text frame; report ragged records."""
    notes: list[str] = []
    problems: list[Problem] = []
    canonical = {normalise_name(c): c for c in table.column_names}
    positions: dict[str, int] = {}
    for i, h in enumerate(header):
        key = normalise_name(h)
        key = HEADER_ALIASES.get(key, key)
        name = canonical.get(key)
        if not h.strip():
            continue
        if name is None:
            notes.append(f"{source}: column '{h.strip()}' is not part of table '{table.name}'; ignored")
            continue
        if name in positions:
            problems.append(
                Problem(source, first_row, name, h,
                        f"column given twice (also column {positions[name] + 1}); keep one")
            )
            continue
        if h != name:
            notes.append(f"{source}: header '{h}' read as '{name}'")
        positions[name] = i
    missing = [c for c in table.column_names if c not in positions]
    if missing and not positions:
        problems.append(
            Problem(source, first_row, None, _SEP_JOIN.join(header),
                    f"none of the columns of table '{table.name}' found in the header: expected "
                    f"{', '.join(table.column_names)} in row {first_row} (check the separator and "
                    f"that the header is the first row)")
        )
    else:
        problems.extend(
            Problem(source, first_row, name, None,
                    f"column missing from the header: add a column '{name}' to row {first_row}")
            for name in missing
        )

    width = len(header)
    lengths = np.fromiter((len(r) for r in body), dtype=np.int64, count=len(body))
    row_numbers = np.arange(first_row + 1, first_row + 1 + len(body), dtype=np.int64)
    for index in np.flatnonzero((lengths != width) & (lengths > 0)):
        problems.append(
            Problem(source, int(row_numbers[index]), None, None,
                    f"the row has {lengths[index]} fields but the header has {width}: check the "
                    f"separator and quotes in this row")
        )
        # Keep the row so it is counted and reported as rejected, not lost.
        body[index] = (body[index] + [""] * width)[:width]
    for index in np.flatnonzero(lengths == 0):
        body[index] = [""] * width
    full = pd.DataFrame(body, columns=range(width), dtype="str") if body else None
    if full is None:
        notes.append(f"{source}: a header and no rows (nothing to report for table '{table.name}')")
        frame = pd.DataFrame({name: pd.Series([], dtype="str") for name in positions})
        return frame, row_numbers, notes, problems, missing
    frame = pd.DataFrame({name: full[pos] for name, pos in positions.items()}, index=full.index)
    blank_mask = (full.apply(lambda col: col.str.strip()) == "").all(axis=1).to_numpy()
    blank = int(blank_mask.sum())
    if blank:
        notes.append(f"{source}: {blank} empty row{'s' if blank > 1 else ''} skipped")
        frame = frame.loc[~blank_mask].reset_index(drop=True)
        row_numbers = row_numbers[~blank_mask]
    rows = row_numbers
    for name in frame.columns:
        # No column of the contract holds line breaks: one in a field means a quote was opened
        # and not closed, and the field swallowed the rows after it.
        broken = frame[name].str.contains("\n", regex=False).to_numpy(dtype=bool)
        problems.extend(
            Problem(source, int(r), name, v,
                    "a value on one line: this field spans several lines, so a quote (\") was opened "
                    "and not closed; the rows after it were read into this field. Check the quotes")
            for r, v in zip(rows[broken], frame[name].to_numpy()[broken], strict=True)
        )
    return frame, rows, notes, problems, missing


# --------------------------------------------------------------------------------------- XLSX


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _read_workbook(path: Path, wanted: tuple[str, ...]) -> RawInput:
    from python_calamine import CalamineWorkbook

    try:
        data = path.read_bytes()
        workbook = CalamineWorkbook.from_filelike(_io.BytesIO(data))
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read ({exc.strerror})") from exc
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise UsageError(f"{path}: not a readable .xlsx workbook ({exc})") from exc
    digest = hashlib.sha256(data).hexdigest()
    found: dict[str, RawTable] = {}
    notes: list[str] = []
    problems: list[Problem] = []
    for sheet_name in workbook.sheet_names:
        name = table_for(sheet_name)
        source = f"{path.name}[{sheet_name}]"
        if name is None:
            notes.append(f"{source}: sheet is not a table of the contract; ignored")
            continue
        if name not in wanted or name in found:
            continue
        cells = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
        if not cells or not any(_cell_text(v).strip() for v in cells[0]):
            table = TABLES[name]
            raw = RawTable(name, source, path, pd.DataFrame(), np.array([], dtype=int), digest,
                           missing_columns=list(table.column_names))
            raw.problems.append(
                Problem(source, 1, None, None,
                        f"no header in row 1: expected the columns {', '.join(table.column_names)} "
                        f"in the first row of the sheet")
            )
            found[name] = raw
            continue
        header = [_cell_text(v) for v in cells[0]]
        body = [[_cell_text(v) for v in row] for row in cells[1:]]
        # calamine pads rows to the sheet width, so ragged rows cannot occur here
        frame, rows, hnotes, hproblems, missing = _frame_from_records(
            header, body, TABLES[name], source, 1
        )
        found[name] = RawTable(name, source, path, frame, rows, digest, hnotes, hproblems, missing)
    for name in wanted:
        if name not in found:
            problems.append(
                Problem(path.name, None, None, None,
                        f"sheet '{name}' missing: the workbook has {', '.join(workbook.sheet_names)}; "
                        f"add a sheet named '{name}'")
            )
    return RawInput(path, found, problems, notes)
