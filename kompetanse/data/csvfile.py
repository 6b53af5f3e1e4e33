"""CSV files as Norwegian Excel and other tools save them: UTF-8 with or without a byte order
mark, Windows-1252, UTF-16 ("Unicode text"), a mix of UTF-8 and Windows-1252 lines; separators
``;``, ``,``, tab or ``|``; Excel's ``sep=`` hint line; any line ending (CR LF, LF, CR alone).
"""

from __future__ import annotations

import csv
import hashlib
import io as _io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from kompetanse.data.records import HEADER_SEARCH_ROWS, RawTable, frame_from_records
from kompetanse.data.schema import Table
from kompetanse.errors import Problem, UsageError

__all__ = ["csv_records", "read_csv_table"]

_SEPARATORS = (";", ",", "\t", "|")
_LINE = re.compile(r"[^\r\n]*")


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


def _sniff_separator(lines: list[str]) -> str:
    """The separator that splits some line of the first ones into the most fields (a title row
    above the header has fewer than the header)."""
    counts = {sep: max((line.count(sep) for line in lines), default=0) for sep in _SEPARATORS}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else ","


def csv_records(data: bytes, source: str) -> tuple[list[list[str]] | None, int, list[str], list[Problem]]:
    """The records of a CSV file's bytes, as a spreadsheet shows them: ``(records, first_row,
    notes, problems)``, where ``first_row`` is the spreadsheet row of ``records[0]`` (2 after
    Excel's ``sep=`` hint line) and ``records`` is None when the text cannot be decoded."""
    text, notes, problems = _decode(data, source)
    if text is None:
        return None, 1, notes, problems
    first_row = 1
    first_line = _LINE.match(text).group()
    if re.fullmatch(r"\s*sep=(.)\s*", first_line):
        # Excel's "sep=;" hint line: the header is on the next row, whatever the line ending.
        sep = first_line.strip()[4]
        text, first_row = text[len(first_line):], 2
        text = text[2:] if text.startswith("\r\n") else text[1:]
    else:
        head = [m.group() for m in _LINE.finditer(text, 0, min(len(text), 1 << 16))]
        sep = _sniff_separator([line for line in head if line.strip()][:HEADER_SEARCH_ROWS])
    if sep != ",":
        notes.append(f"{source}: separator {sep!r}")
    return _parse_records(text, sep), first_row, notes, problems


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
    records, first_row, notes, problems = csv_records(data, source)
    empty.notes += notes
    if records is None:
        empty.problems += problems
        return empty
    frame, rows, header_notes, header_problems, missing = frame_from_records(records, table, source, first_row)
    return RawTable(
        table.name, source, path, frame, rows, digest,
        notes=empty.notes + header_notes, problems=header_problems, missing_columns=missing,
    )


def _parse_records(text: str, sep: str) -> list[list[str]]:
    # The csv module knows record boundaries inside quoted fields, so record i is spreadsheet
    # row i + 1 even when a field spans lines, and a short or long record is seen, not guessed.
    csv.field_size_limit(1 << 30)
    return list(csv.reader(_io.StringIO(text, newline=""), delimiter=sep))
