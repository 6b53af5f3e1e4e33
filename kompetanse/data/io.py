"""Read input tables in the dialects people send: a folder of CSV files from Norwegian Excel or
UTF-8 tools (`kompetanse.data.csvfile`), or an XLSX workbook with one sheet per table
(`kompetanse.data.workbook`). Everything comes back as text with canonical headers and
spreadsheet row numbers (`kompetanse.data.records`); kompetanse.data.parse turns text into typed
values.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from kompetanse.data.csvfile import read_csv_table
from kompetanse.data.names import HEADER_ALIASES, normalise_name, table_for
from kompetanse.data.records import RawInput, RawTable
from kompetanse.data.schema import TABLES
from kompetanse.data.workbook import read_workbook
from kompetanse.errors import Problem, UsageError, shown

__all__ = ["HEADER_ALIASES", "RawInput", "RawTable", "normalise_name", "read_csv_table", "read_input", "table_for"]


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
        return read_workbook(path, wanted)
    if path.suffix.lower() == ".csv":
        name = table_for(path.stem)
        if name is None:
            raise UsageError(
                f"{path}: the file name does not name a table; expected one of {', '.join(TABLES)}"
            )
        raw = read_csv_table(path, TABLES[name])
        return RawInput(path, {name: raw}, [], [])
    raise UsageError(f"{path}: not a folder, .csv or .xlsx file")


def _outside(file: Path, folder: Path) -> bool:
    """A link whose target lies outside the data folder (a copy of the data is a folder you
    can send on; a link out of it reads whatever it points at)."""
    return file.is_symlink() and not file.resolve().is_relative_to(folder.resolve())


def _read_folder(folder: Path, wanted: tuple[str, ...]) -> RawInput:
    by_table: dict[str, list[Path]] = {}
    notes: list[str] = []
    problems: list[Problem] = []
    linked_out: set[str] = set()
    files = sorted(folder.iterdir())
    for file in files:
        if file.suffix.lower() != ".csv":
            continue
        name = table_for(file.stem)
        if _outside(file, folder):
            problems.append(Problem(shown(file.name), None, None, None,
                                    "a link to a file outside the data folder: not read; copy the file into "
                                    "the folder instead"))
            linked_out.add(name or "")
            continue
        if not file.is_file():
            continue
        if name is None:
            notes.append(f"{shown(file.name)}: not a table of the contract; ignored")
        elif name in wanted:
            by_table.setdefault(name, []).append(file)
    found: dict[str, RawTable] = {}
    extra: list[RawTable] = []
    for name, paths in by_table.items():
        refused = None
        if len(paths) > 1:
            quoted = ", ".join(shown(f.name) for f in paths)
            refused = f"table '{name}' is in {len(paths)} files ({quoted}): keep one file named {name}.csv"
            problems.append(Problem(shown(paths[0].name), None, None, None, refused + "; no row of them is loaded"))
        for i, file in enumerate(paths):
            raw = read_csv_table(file, TABLES[name])
            raw.refused = refused
            if i:
                extra.append(raw)
            else:
                found[name] = raw
    workbooks = [f for f in files if f.suffix.lower() in (".xlsx", ".xlsm") and f.is_file()]
    for name in wanted:
        if name not in found and name not in linked_out:
            problems.append(Problem(f"{name}.csv", None, None, None,
                                    f"file missing: expected {name}.csv in {folder}{_near_miss(name, files)}"))
    for book in workbooks:
        if table_for(book.stem) is None:
            notes.append(f"{shown(book.name)}: a workbook in a folder of CSV files is not read; give its path "
                         f"to read it instead of the folder's CSV files")
    return RawInput(folder, found, problems, notes, extra)


def _near_miss(name: str, files: list[Path]) -> str:
    """What in the folder may be the missing file: the table's name with another extension
    (a workbook, a text file), or a name close to it."""
    for file in files:
        if file.suffix.lower() != ".csv" and table_for(file.stem.split(".")[0]) == name:
            hint = ("save that sheet as CSV UTF-8 under this name" if file.suffix.lower() in (".xlsx", ".xls", ".xlsm",
                                                                                                ".ods")
                    else f"name it {name}.csv")
            return f"; there is {shown(file.name)}: {hint}"
    stems = {normalise_name(f.stem): f for f in files if table_for(f.stem) is None}
    close = difflib.get_close_matches(normalise_name(name), list(stems), n=1, cutoff=0.8)
    if close:
        return f"; there is {shown(stems[close[0]].name)}: if that is it, name it {name}.csv"
    return ""
