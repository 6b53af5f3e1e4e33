"""XLSX workbooks with one sheet per table, as municipal staff make them in Excel or LibreOffice.

Before a sheet is read its XML is scanned once, streaming, within bounds: a workbook that unpacks
to more than `WORKBOOK_MAX_UNPACKED_MB` or a sheet whose cells span more than
`WORKBOOK_MAX_CELLS` (one stray value in XFD1048576 makes a reader allocate every cell up to it)
is refused before any reader allocates it. The same scan finds what a reader shows as an empty
cell but is not: Excel's error values (``#DIV/0!``, ``#N/A`` …) and formulas saved without
their result. Both become problems that name the cell.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io as _io
import posixpath
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from kompetanse.data.names import (
    FEEDBACK_COLUMN,
    FEEDBACK_SHEET,
    TEMPLATE_INSTRUCTION_SHEET,
    TEMPLATE_LISTS_SHEET,
    normalise_name,
    table_for,
)
from kompetanse.data.records import RawInput, RawTable, frame_from_records
from kompetanse.data.schema import TABLES
from kompetanse.errors import Problem, UsageError, shown
from kompetanse.settings import WORKBOOK_MAX_CELLS, WORKBOOK_MAX_UNPACKED_MB

__all__ = ["SheetScan", "column_letters", "read_workbook", "scan_sheet"]

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_REF = re.compile(r"([A-Z]{1,3})(\d+)")
_KEPT = 200  # error cells and formulas kept per sheet for messages; the rest are counted


def _n(number: int) -> str:
    return f"{number:,}".replace(",", " ")


def column_letters(index: int) -> str:
    """Excel's letters for a 0-based column index: 0 → A, 25 → Z, 26 → AA, 16383 → XFD."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


@dataclass
class SheetScan:
    """What one pass over a sheet's XML found: the extent of cells with content (rows and
    columns, 1-based), how many cells have content, and the cells a reader would show as empty
    though they are not: ``errors`` maps (row, column index) to the error value, ``formulas``
    to the formula saved without its result."""

    max_row: int = 0
    max_col: int = 0
    cells: int = 0
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)

    def where_last(self) -> str:
        return f"{column_letters(self.max_col - 1)}{self.max_row}"


_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(/?)>")
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]+)"')
_ERROR_OR_FORMULA = re.compile(rb'\bt="e"|<(?:\w+:)?f[\s>/]')


def scan_sheet(stream) -> SheetScan:
    """One pass over a worksheet's XML (at most the workbook's unpacked limit in memory).

    The extent comes from the cells' references by a regular expression (a cell written as
    ``<c r="X9" s="1"/>`` has a style and no content: Excel writes those for formatted empty
    cells, and readers skip them). Only a sheet with an error value or a formula, and one whose
    cells lack references, is parsed as XML, for the cells' contents."""
    data = stream.read()
    scan = SheetScan()
    refs_missing = False
    for m in _CELL.finditer(data):
        if m.group(2):
            continue  # self-closing: no value, no formula
        ref = _CELL_REF.search(m.group(1))
        if ref is None:
            refs_missing = True
            break
        scan.cells += 1
        row, col = int(ref.group(2)), _column_index(ref.group(1).decode())
        scan.max_row, scan.max_col = max(scan.max_row, row), max(scan.max_col, col + 1)
    if refs_missing or _ERROR_OR_FORMULA.search(data):
        return _parse_sheet(_io.BytesIO(data))
    return scan


def _parse_sheet(stream) -> SheetScan:
    """The sheet parsed as XML, streaming: extent, error values and formulas without a result."""
    scan = SheetScan()
    row = col = 0
    for event, elem in ElementTree.iterparse(stream, events=("start", "end")):
        tag = elem.tag
        if event == "start":
            if tag == f"{_MAIN}row":
                row = int(elem.get("r") or row + 1)
                col = -1
            continue
        if tag == f"{_MAIN}c":
            m = _REF.fullmatch(elem.get("r") or "")
            if m:
                col, row = _column_index(m.group(1)), int(m.group(2))
            else:
                col += 1
            value = elem.find(f"{_MAIN}v")
            formula = elem.find(f"{_MAIN}f")
            inline = elem.find(f"{_MAIN}is")
            has_value = value is not None and (value.text or "") != ""
            if has_value or inline is not None or formula is not None:
                scan.cells += 1
                scan.max_row, scan.max_col = max(scan.max_row, row), max(scan.max_col, col + 1)
            if elem.get("t") == "e" and has_value:
                if len(scan.errors) < _KEPT:
                    scan.errors[(row, col)] = value.text
            elif formula is not None and not has_value and len(scan.formulas) < _KEPT:
                scan.formulas[(row, col)] = "=" + (formula.text or "")
            elem.clear()
        elif tag == f"{_MAIN}row":
            elem.clear()
    return scan


def _sheet_paths(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its XML member, from the workbook and its relationships."""
    book = ElementTree.fromstring(z.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{_PKG_REL}Relationship")}
    out = {}
    for sheet in book.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_REL}id"), "")
        out[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join("xl", target))
    return out


def _check_size(path: Path, z: zipfile.ZipFile) -> None:
    unpacked = sum(info.file_size for info in z.infolist())
    limit = WORKBOOK_MAX_UNPACKED_MB * 1024 * 1024
    if unpacked > limit:
        packed = path.stat().st_size
        raise UsageError(
            f"{path}: the workbook unpacks to {_n(round(unpacked / 1024**2))} MB from {packed / 1024**2:.1f} MB "
            f"on disk, more than the {WORKBOOK_MAX_UNPACKED_MB} MB a submission may take; not read. Save the "
            f"tables as CSV files, or remove what the workbook holds beside them (pictures, other sheets)")


def _verify_parts(z: zipfile.ZipFile, scanned: set[str]) -> None:
    """Unpack the other XML parts a reader opens (shared strings, styles), a megabyte at a time
    and thrown away: a part whose header understates its size fails its check here (zipfile
    stops at the stated size and the checksum differs) instead of inflating inside the reader."""
    for info in z.infolist():
        if info.filename in scanned or not info.filename.endswith((".xml", ".rels")):
            continue
        with z.open(info) as stream:
            while stream.read(1 << 20):
                pass


def _inspect(path: Path, data: bytes) -> tuple[dict[str, str], zipfile.ZipFile]:
    """Open the zip, check its unpacked size and every XML part but the sheets, and return
    the sheets' XML members by sheet name, before any reader allocates anything."""
    try:
        z = zipfile.ZipFile(_io.BytesIO(data))
        _check_size(path, z)
        members = _sheet_paths(z)
        _verify_parts(z, set(members.values()))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, ValueError, EOFError) as exc:
        raise UsageError(f"{path}: not a readable .xlsx workbook ({exc})") from exc
    return members, z


def _scan(path: Path, z: zipfile.ZipFile, members: dict[str, str], sheet: str) -> SheetScan | None:
    """Scan one sheet; refuse it (the whole workbook) when its cells span an absurd range."""
    if members.get(sheet) not in z.namelist():
        return None
    try:
        with z.open(members[sheet]) as stream:
            scan = scan_sheet(stream)
    except (zipfile.BadZipFile, ElementTree.ParseError, ValueError, EOFError) as exc:
        raise UsageError(f"{path}: sheet '{shown(sheet)}' is not readable ({exc})") from exc
    if scan.max_row * scan.max_col > WORKBOOK_MAX_CELLS:
        raise UsageError(
            f"{path}: sheet '{shown(sheet)}' has {_n(scan.cells)} cells with content but they reach cell "
            f"{scan.where_last()} ({_n(scan.max_row)} rows × {_n(scan.max_col)} columns, more than the "
            f"{_n(WORKBOOK_MAX_CELLS)} cells a sheet may span); not read. Delete the rows and columns "
            f"beyond the table (select them, Delete, save) and send it again")
    return scan


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


def _cell_problems(scan: SheetScan | None) -> dict[tuple[int, int], tuple[str, str]]:
    if scan is None:
        return {}
    out = {}
    for (row, col), error in scan.errors.items():
        out[(row, col)] = (error, f"an Excel error value in cell {column_letters(col)}{row}, not a value: "
                                  f"correct the formula behind it or type the value")
    for (row, col), formula in scan.formulas.items():
        out[(row, col)] = (formula, f"a formula in cell {column_letters(col)}{row} saved without its result: "
                                    f"open the file in Excel or LibreOffice and save it again (or type the value)")
    return out


def read_workbook(path: Path, wanted: tuple[str, ...]) -> RawInput:
    """Read the sheets of a workbook that name tables of the contract (see the module docstring)."""
    from python_calamine import CalamineWorkbook

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read ({exc.strerror})") from exc
    members, z = _inspect(path, data)
    try:
        workbook = CalamineWorkbook.from_filelike(_io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise UsageError(f"{path}: not a readable .xlsx workbook ({exc})") from exc
    digest = hashlib.sha256(data).hexdigest()
    by_table: dict[str, list[str]] = defaultdict(list)
    notes: list[str] = []
    # the feedback workbook sent back again: its summary sheet and message column are its own
    feedback = any(normalise_name(s) == normalise_name(FEEDBACK_SHEET) for s in workbook.sheet_names)
    ignored = frozenset({normalise_name(FEEDBACK_COLUMN)}) if feedback else frozenset()
    for sheet_name in workbook.sheet_names:
        name = table_for(sheet_name)
        if name is None and feedback and normalise_name(sheet_name) == normalise_name(FEEDBACK_SHEET):
            continue
        if name is None and sheet_name in (TEMPLATE_INSTRUCTION_SHEET, TEMPLATE_LISTS_SHEET):
            continue  # the submission template's instructions and dropdown lists
        if name is None:
            notes.append(f"{path.name}[{shown(sheet_name)}]: sheet is not a table of the contract; ignored")
        elif name in wanted:
            by_table[name].append(sheet_name)
    scans = {s: _scan(path, z, members, s) for names in by_table.values() for s in names}
    found: dict[str, RawTable] = {}
    extra: list[RawTable] = []
    problems: list[Problem] = []
    for name, sheet_names in by_table.items():
        refused = None
        if len(sheet_names) > 1:
            quoted = ", ".join(f"'{shown(s)}'" for s in sheet_names)
            refused = (f"table '{name}' is on {len(sheet_names)} sheets ({quoted}): put all its rows on one "
                       f"sheet named '{name}' and delete the others")
            problems.append(Problem(path.name, None, None, None, refused + "; no row of them is loaded"))
        for i, sheet_name in enumerate(sheet_names):
            source = f"{path.name}[{sheet_name}]"
            cells = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
            records = [[_cell_text(v) for v in row] for row in cells]
            # calamine pads rows to the sheet width, so ragged rows cannot occur here
            frame, rows, hnotes, hproblems, missing = frame_from_records(
                records, TABLES[name], source, 1, cell_problems=_cell_problems(scans.get(sheet_name)),
                ignored=ignored)
            raw = RawTable(name, source, path, frame, rows, digest, hnotes, hproblems, missing, refused,
                           sheet=sheet_name)
            if i:
                extra.append(raw)
            else:
                found[name] = raw
    for name in wanted:
        if name not in found:
            problems.append(
                Problem(path.name, None, None, None,
                        f"sheet '{name}' missing: the workbook has "
                        f"{', '.join(shown(s) for s in workbook.sheet_names)}; add a sheet named '{name}'")
            )
    return RawInput(path, found, problems, notes, extra)
