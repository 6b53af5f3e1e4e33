"""The feedback workbook (``kompetanse validate --tilbakemelding OUT.xlsx``): the submission
written back with every problem cell highlighted and commented, a «Feil» column per row and a
first sheet summarising the problems, so that a municipality can fix the cells and send the
same file again.

Every record of a file or sheet stands at the row it has in the original (the header where it
was, title rows above it kept), so "row 17" in a message is row 17 of the sheet; values are
written as the user wrote them (text as text, in cells formatted as text, so that ``0301``
stays ``0301`` when it is typed again). The reader passes over the summary sheet and the «Feil»
column when the workbook is sent back (`kompetanse.data.workbook`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
from copy import copy
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kompetanse.data.csvfile import csv_records
from kompetanse.data.feedback_summary import summary_language, write_summary
from kompetanse.data.names import FEEDBACK_COLUMN, FEEDBACK_SHEET, header_key, normalise_name
from kompetanse.data.records import RawInput, RawTable, find_header
from kompetanse.data.schema import TABLES
from kompetanse.data.validate import Validation
from kompetanse.errors import Problem, UsageError

__all__ = ["FEEDBACK_COLUMN", "FEEDBACK_SHEET", "FEIL_SEPARATOR", "Feedback", "check_feedback_path", "problem_places",
           "summary_language", "write_feedback"]

#: The most characters an Excel cell holds; a longer value is cut, and the cell's comment says so.
EXCEL_CELL_MAX = 32_767
_FILL = "FFC7CE"  # Excel's own "Bad" fill: light red
#: Between the messages of one row in its «Feil» cell.
FEIL_SEPARATOR = " | "


@dataclass(frozen=True)
class Feedback:
    """What `write_feedback` wrote: the workbook's path, the cells and rows marked in the table
    sheets, and the problems listed on the summary sheet only (no row, or a column the sheet does
    not have)."""

    path: Path
    cells: int
    rows: int
    summary_only: int


@dataclass
class _Sheet:
    """One table sheet to write: its name, the records as the file holds them, the spreadsheet
    row of the first record, the header's row and the column index of each canonical column."""

    raw: RawTable
    name: str
    records: list[list]
    first_row: int
    header_row: int | None
    positions: dict[str, int]
    feil_col: int


def _message(p: Problem) -> str:
    """The problem in its own words, without the file and row the cell already stands for."""
    text = str(p)
    prefix = f"{p.file}:{p.row}: " if p.row is not None else f"{p.file}: "
    return text[len(prefix):] if text.startswith(prefix) else text


def _records(raw: RawTable, books: dict) -> tuple[list[list], int]:
    """The file's or sheet's records again, as the user wrote them, and the row of the first;
    ``books`` keeps each workbook opened once. A file changed since it was validated is refused:
    the messages would name rows of the other version."""
    if raw.sheet is None or raw.path not in books:
        try:
            data = raw.path.read_bytes()
        except OSError as exc:
            raise UsageError(f"{raw.path}: cannot be read ({exc.strerror})") from exc
        if hashlib.sha256(data).hexdigest() != raw.sha256:
            raise UsageError(f"{raw.path}: the file changed while it was checked; run kompetanse validate again")
        if raw.sheet is None:
            if not data.strip():
                return [], 1
            records, first_row, _, _ = csv_records(data, raw.source)
            return records or [], first_row
        from python_calamine import CalamineWorkbook

        books[raw.path] = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return books[raw.path].get_sheet_by_name(raw.sheet).to_python(skip_empty_area=False), 1


def _sheet(raw: RawTable, name: str, books: dict) -> _Sheet:
    records, first_row = _records(raw, books)
    table = TABLES[raw.name]
    text = [[str(v) if v is not None else "" for v in r] for r in records[:40]]
    at = find_header(text, table) if text else None
    positions: dict[str, int] = {}
    feil_col = max((len(r) for r in records), default=0)
    # the feedback workbook sent back (the reader knows it by its summary sheet): its old Feil
    # column is replaced; elsewhere a column named Feil is the user's, and kept
    resent = raw.sheet is not None and any(normalise_name(s) == normalise_name(FEEDBACK_SHEET)
                                           for s in books[raw.path].sheet_names)
    if at is not None:
        canonical = {normalise_name(c): c for c in table.column_names}
        for i, h in enumerate(text[at]):
            column = canonical.get(header_key(h))
            if column is not None:
                positions.setdefault(column, i)
            elif resent and h.strip() == FEEDBACK_COLUMN:
                feil_col = i  # the feedback sent back: its old messages are replaced
    header_row = first_row + at if at is not None else None
    return _Sheet(raw, name, records, first_row, header_row, positions, feil_col)


def _sheet_names(raw: RawInput) -> list[tuple[RawTable, str]]:
    """Each table's sheet (named as the table), then each further file or sheet of a table
    (which the reader refuses), named as the table with a number."""
    out = [(raw.tables[name], name) for name in TABLES if name in raw.tables]
    seen: dict[str, int] = {}
    for extra in raw.extra:
        seen[extra.name] = seen.get(extra.name, 1) + 1
        out.append((extra, f"{extra.name} ({seen[extra.name]})"))
    return out


def problem_places(raw: RawInput, validation: Validation) -> pd.DataFrame:
    """Where each problem of ``validation`` goes in the feedback workbook.

    Returns one row per problem, in the order `validate` prints them, with columns ``file``,
    ``row`` and ``column`` (the `Problem`'s), ``sheet`` (the table's sheet, or None), ``place``
    (``celle``: the cell of that row and column is marked; ``rad``: a problem of the whole row
    (no column, or a key or reference over several columns), whose «Feil» cell is marked;
    ``oppsummering``: no data row, or a column the sheet does not have, listed on the summary
    sheet), ``index`` (the 0-based column of the marked cell) and ``message`` (the problem's
    words without file and row).
    """
    return _places(validation, {s.raw.source: s for s in _sheets(raw)})


def _sheets(raw: RawInput) -> list[_Sheet]:
    books: dict = {}
    return [_sheet(t, name, books) for t, name in _sheet_names(raw)]


def _places(validation: Validation, sheets: dict[str, _Sheet]) -> pd.DataFrame:
    rows = []
    for p in validation.problems:
        sheet = sheets.get(p.file)
        place, col = "oppsummering", None
        if sheet is not None and p.row is not None and sheet.header_row is not None and p.row > sheet.header_row:
            parts = p.column.split(" + ") if p.column else []
            if p.column in sheet.positions:
                place, col = "celle", sheet.positions[p.column]
            elif all(c in sheet.positions for c in parts):
                place, col = "rad", sheet.feil_col
        rows.append({"file": p.file, "row": p.row, "column": p.column, "sheet": sheet.name if sheet else None,
                     "place": place, "index": col, "message": _message(p)})
    out = pd.DataFrame(rows, columns=["file", "row", "column", "sheet", "place", "index", "message"])
    return out.astype({"row": "Int64", "index": "Int64"})


class _Cells:
    """Cells for a write-only sheet: text as text (format ``@``, never a formula), dates with a
    date format, marked cells with the fill and a comment. One style object of each kind is
    shared by all its cells, so an untouched row costs openpyxl's own work and little more."""

    def __init__(self, ws):
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font, PatternFill

        self.ws, self._new = ws, WriteOnlyCell
        text = WriteOnlyCell(ws, "")
        text.number_format = "@"
        date = WriteOnlyCell(ws, "")
        date.number_format = "yyyy-mm-dd"
        self._text, self._date = text._style, date._style
        self.fill = PatternFill("solid", fgColor=_FILL)
        self.bold = Font(bold=True)

    def value(self, v):
        if v is None or (v.__class__ is str and not v):
            return None
        if isinstance(v, str):
            return self.text(v)
        if isinstance(v, dt.date):
            cell = self._new(self.ws, v)
            cell._style = self._date
            return cell
        return v

    def text(self, v: str | None, **style):
        if v is not None:
            if not v.isprintable():  # quick in C: only then look for what XLSX cannot hold
                v = _printable(v)
            whole = len(v)
            v = v[:EXCEL_CELL_MAX]
        cell = self._new(self.ws, v)
        # shared by the plain text cells; a cell of its own style gets a copy (openpyxl changes
        # a cell's style in place)
        cell._style = copy(self._text) if style else self._text
        if v is not None:
            cell.data_type = "s"  # a value such as "=SUM(A1)" stays the text it was
            if whole > EXCEL_CELL_MAX:
                from openpyxl.comments import Comment

                cell.comment = Comment(f"The value has {whole} characters; an Excel cell holds "
                                       f"{EXCEL_CELL_MAX}: cut here, whole in the file you sent.",
                                       "kompetanse validate")
        for key, val in style.items():
            setattr(cell, key, val)
        return cell

    def marked(self, v, messages: list[str]):
        from openpyxl.comments import Comment

        if v is None or isinstance(v, str):
            cell = self.text(v or None)  # an empty cell too: what is typed into it stays text
        else:
            cell = self._new(self.ws, v)
            if isinstance(v, dt.date):
                cell._style = self._date
        cell._style = copy(cell._style)
        cell.fill = self.fill
        text = "\n".join(messages)
        if cell.comment is not None:  # a value cut to Excel's limit says so too
            text += "\n" + cell.comment.text
        cell.comment = Comment(text, "kompetanse validate", width=360,
                               height=min(400, 40 + 16 * (len(text) // 50 + len(messages))))
        return cell


def _printable(v: str) -> str:
    """Characters an XLSX file cannot hold (control characters) written as ``\\u0000`` escapes."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", v)


def _write_table(wb, sheet: _Sheet, places: pd.DataFrame) -> None:
    """Write one table sheet: every record at its row, marked cells, the «Feil» column."""
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(sheet.name)
    make = _Cells(ws)
    mine = places[places["sheet"] == sheet.name]
    marked = mine[mine["place"] != "oppsummering"]
    by_cell = marked.groupby(["row", "index"], sort=False)["message"].agg(list).to_dict()
    by_row = marked.groupby("row", sort=False)["message"].agg(list).to_dict()
    row_level = set(marked.loc[marked["place"] == "rad", "row"])
    header = sheet.records[sheet.header_row - sheet.first_row] if sheet.header_row else []
    # widths from the header and the first rows (a streamed sheet is not fitted afterwards)
    first = sheet.records[: (sheet.header_row or sheet.first_row) - sheet.first_row + 50]
    for i in range(sheet.feil_col):
        longest = max((len(str(r[i])) * (1.2 if r is header else 1) for r in first
                       if i < len(r) and r[i] is not None), default=0)
        ws.column_dimensions[get_column_letter(i + 1)].width = min(40, max(8, round(longest) + 2))
    ws.column_dimensions[get_column_letter(sheet.feil_col + 1)].width = 70
    if sheet.header_row:
        ws.freeze_panes = f"A{sheet.header_row + 1}"
    for _ in range(sheet.first_row - 1):
        ws.append([])  # Excel's sep= line: the header stays in its row
    value, feil = make.value, sheet.feil_col
    for i, record in enumerate(sheet.records):
        r = sheet.first_row + i
        record = list(record[:feil]) + [None] * (feil - len(record)) + list(record[feil + 1:])
        if r == sheet.header_row:
            cells = [make.text(str(v), font=make.bold) if v not in (None, "") else None for v in record]
            cells.insert(feil, make.text(FEEDBACK_COLUMN, font=make.bold))
        elif r in by_row:
            cells = [make.marked(v, by_cell[(r, j)]) if (r, j) in by_cell else value(v)
                     for j, v in enumerate(record)]
            # on one line, which runs on to the right of the last column (a wrapped cell would
            # need a row height, which a streamed sheet cannot fit to its text)
            messages = FEIL_SEPARATOR.join(by_row[r])
            cells.insert(feil, make.marked(messages, by_cell[(r, feil)]) if r in row_level
                         else make.text(messages))
        else:
            cells = [value(v) for v in record]
            cells.insert(feil, None)
        ws.append(cells)


def check_feedback_path(out: str | Path, submission: str | Path) -> Path:
    """``out`` as a `Path` if a feedback workbook can be written there: an ``.xlsx`` name in a
    folder that exists, and not the submission itself; otherwise a `UsageError` that says why
    (checked before a long validation, not after it)."""
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise UsageError(f"{out}: the feedback workbook must be an .xlsx file")
    if out.exists() and out.resolve() == Path(submission).resolve():
        raise UsageError(f"{out}: that is the submission itself; write the feedback to another file")
    if not out.parent.is_dir():
        raise UsageError(f"{out}: the feedback workbook cannot be written (no folder {out.parent})")
    return out


def write_feedback(raw: RawInput, validation: Validation, out: str | Path) -> Feedback:
    """Write the feedback workbook of a submission (see the module docstring).

    Parameters
    ----------
    raw : the submission as `kompetanse.data.io.read_input` read it.
    validation : its validation (`kompetanse.data.validate.validate_input`).
    out : the ``.xlsx`` file to write; never the submission itself. Written whole or not at all.

    Returns
    -------
    Feedback : the path, the cells and rows marked and the problems on the summary sheet only.

    Raises
    ------
    UsageError : ``out`` is not an ``.xlsx`` path, is the submission, or cannot be written; or a
        file of the submission changed after it was read.

    Examples
    --------
    >>> from kompetanse.data.io import read_input
    >>> from kompetanse.data.validate import validate_input
    >>> raw = read_input("innsending/")  # doctest: +SKIP
    >>> write_feedback(raw, validate_input(raw), "tilbakemelding.xlsx")  # doctest: +SKIP
    Feedback(path=PosixPath('tilbakemelding.xlsx'), cells=2, rows=2, summary_only=0)
    """
    from openpyxl import Workbook

    out = check_feedback_path(out, raw.path)
    sheets = _sheets(raw)
    places = _places(validation, {s.raw.source: s for s in sheets})
    wb = Workbook(write_only=True)
    write_summary(wb, raw, validation, places, sheets)
    for sheet in sheets:
        _write_table(wb, sheet, places)
    part = out.with_name(f".{out.name}.part")
    try:
        wb.save(part)
        os.replace(part, out)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise UsageError(f"{out}: the feedback workbook cannot be written ({exc.strerror})") from exc
    marked = places[places["place"] != "oppsummering"]
    return Feedback(out, cells=int((marked["place"] == "celle").sum()),
                    rows=int(marked["row"].nunique()), summary_only=int(len(places) - len(marked)))
