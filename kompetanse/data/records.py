"""From the records of a file or sheet (lists of text cells, as a person sees them) to a table of
text with canonical headers: find the header (not always in row 1), keep every row's number as
the spreadsheet shows it, and account for every row: read, skipped as blank with one note, or
reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from kompetanse.data.names import header_key, normalise_name
from kompetanse.data.schema import Table
from kompetanse.errors import Problem, shown

__all__ = ["HEADER_SEARCH_ROWS", "RawInput", "RawTable", "find_header", "frame_from_records"]

#: How far down a file or sheet the header is looked for (title rows, empty rows above it).
HEADER_SEARCH_ROWS = 20
_SEP_JOIN = " | "  # how a header is quoted back in a message


@dataclass
class RawTable:
    """One input table as text, before validation.

    ``frame`` has one column per canonical column found (strings, ``""`` for empty) and
    ``rows`` the spreadsheet row number of each record (row 1 is the first line of the file or
    sheet). ``refused`` says why every row is rejected when the table cannot be read as a whole
    (it lies on two sheets, say): its rows are still counted and listed.
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
    refused: str | None = None
    sheet: str | None = None  # the sheet's name, for a table read from a workbook


@dataclass
class RawInput:
    """Everything read from a path: tables found, problems with the submission as a whole
    (a missing table), and notes on what was normalised or ignored. ``extra`` holds the further
    files or sheets of a table found more than once: read and counted, every row rejected."""

    path: Path
    tables: dict[str, RawTable]
    problems: list[Problem]
    notes: list[str]
    extra: list[RawTable] = field(default_factory=list)


def _is_blank(record: list[str]) -> bool:
    return all(not str(v).strip() for v in record)


def find_header(records: list[list[str]], table: Table) -> int:
    """The index of the header among the first `HEADER_SEARCH_ROWS` records: the first record
    that names at least two of the table's columns (one for a one-column table). Without one,
    the first record that is not blank (its problem then says which columns were expected)."""
    canonical = {normalise_name(c) for c in table.column_names}
    needed = min(2, len(canonical))
    first_filled = None
    for i, record in enumerate(records[:HEADER_SEARCH_ROWS]):
        if _is_blank(record):
            continue
        if first_filled is None:
            first_filled = i
        if sum(header_key(v) in canonical for v in record if str(v).strip()) >= needed:
            return i
    return first_filled if first_filled is not None else 0


def _above_header_note(records: list[list[str]], header_at: int, source: str, first_row: int) -> str | None:
    if header_at == 0:
        return None
    above = records[:header_at]
    span = f"row {first_row}" if header_at == 1 else f"rows {first_row}–{first_row + header_at - 1}"
    filled = [" ".join(str(v).strip() for v in r if str(v).strip()) for r in above if not _is_blank(r)]
    if not filled:
        return f"{source}: the header is in row {first_row + header_at}; {span} above it are empty and skipped"
    text = shown(" / ".join(filled), limit=60)
    return f"{source}: the header is in row {first_row + header_at}; {span} above it skipped ('{text}')"


def frame_from_records(records: list[list[str]], table: Table, source: str, first_row: int = 1, *,
                       cell_problems: dict[tuple[int, int], tuple[str, str]] | None = None,
                       ignored: frozenset[str] = frozenset()):
    """Find the header, map it to canonical names and build a text frame; report ragged records.

    ``first_row`` is the spreadsheet row of ``records[0]``; ``cell_problems`` maps (row, column
    index) of cells that look empty but are not (an Excel error, a formula without its result)
    to (what the cell holds, what to do): each one in a data row of a column of the table is a
    problem of that row; ``ignored`` holds the keys (`normalise_name`) of headers to pass over
    without a note (the feedback workbook's own column). Returns ``(frame, rows, notes,
    problems, missing)``: the text frame (blank rows left out), each row's spreadsheet number,
    notes, problems (a row's problem carries its row number) and the columns missing."""
    at = find_header(records, table)
    notes = [n for n in [_above_header_note(records, at, source, first_row)] if n]
    header, body = list(records[at]) if records else [], [list(r) for r in records[at + 1:]]
    first_row += at
    problems: list[Problem] = []
    canonical = {normalise_name(c): c for c in table.column_names}
    positions: dict[str, int] = {}
    for i, h in enumerate(header):
        name = canonical.get(header_key(h))
        if not str(h).strip():
            continue
        if name is None:
            if normalise_name(h) in ignored:
                continue
            notes.append(f"{source}: column '{shown(str(h).strip())}' is not part of table '{table.name}'; ignored")
            continue
        if name in positions:
            problems.append(
                Problem(source, first_row, name, h,
                        f"column given twice (also column {positions[name] + 1}); keep one")
            )
            continue
        if h != name:
            notes.append(f"{source}: header '{shown(h)}' read as '{name}'")
        positions[name] = i
    missing = [c for c in table.column_names if c not in positions]
    if missing and not positions:
        problems.append(
            Problem(source, first_row, None, _SEP_JOIN.join(header),
                    f"none of the columns of table '{table.name}' found in the first "
                    f"{HEADER_SEARCH_ROWS} rows: expected a header with {', '.join(table.column_names)} "
                    f"(check the separator and the column names)")
        )
    else:
        problems.extend(
            Problem(source, first_row, name, None,
                    f"column missing from the header: add a column '{name}' to row {first_row}")
            for name in missing
        )

    by_position = {pos: name for name, pos in positions.items()}
    problems.extend(
        Problem(source, row, by_position[col], value, expected)
        for (row, col), (value, expected) in sorted((cell_problems or {}).items())
        if row > first_row and col in by_position
    )
    width = len(header)
    row_numbers = np.arange(first_row + 1, first_row + 1 + len(body), dtype=np.int64)
    # A record of spaces and tabs only is blank, whatever its number of fields.
    blank_mask = np.fromiter((_is_blank(r) for r in body), dtype=bool, count=len(body))
    lengths = np.fromiter((len(r) for r in body), dtype=np.int64, count=len(body))
    for index in np.flatnonzero((lengths != width) & ~blank_mask):
        problems.append(
            Problem(source, int(row_numbers[index]), None, None,
                    f"the row has {lengths[index]} fields but the header has {width}: check the "
                    f"separator and quotes in this row")
        )
    for index in np.flatnonzero(lengths != width):
        # Keep the row so it is counted and reported as rejected, not lost.
        body[index] = (body[index] + [""] * width)[:width]
    blank = int(blank_mask.sum())
    if blank:
        notes.append(f"{source}: {blank} empty row{'s' if blank > 1 else ''} skipped")
    body = [r for r, b in zip(body, blank_mask, strict=True) if not b]
    rows = row_numbers[~blank_mask]
    if not body:
        notes.append(f"{source}: a header and no rows (nothing to report for table '{table.name}')")
        frame = pd.DataFrame({name: pd.Series([], dtype="str") for name in positions})
        return frame, rows, notes, problems, missing
    full = pd.DataFrame(body, columns=range(width), dtype="str")
    frame = pd.DataFrame({name: full[pos] for name, pos in positions.items()}, index=full.index)
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
