"""The submission template: an Excel workbook a municipality fills in and sends back.

One sheet per table of the contract (`kompetanse.data.schema.TABLES`), its canonical headers in
row 1, frozen, each with a Norwegian note as a cell comment: a comment is not a cell value, so
the reader never takes it for data. The words are bokmål, or nynorsk for a municipality that
writes nynorsk (`kompetanse.data.template_text`). Every column with allowed values has a dropdown (Excel
data validation); lists longer than Excel's 255 characters, and every list whose entries would
need quoting, are ranges on the hidden sheet ``lister``. Dates are real dates shown
``dd.mm.yyyy``, counts and years whole numbers within the contract's bounds, ids and
municipality numbers text (``@``), so that ``0301`` keeps its zero. The first sheet,
``Veiledning``, says what each table is for, who fills it, and how to send it.

Choices:

- **metode** is listed as ``code – name`` (`kompetanse.data.parse.metode_choice`): the person
  filling it sees the catalogue's readable name, the code stays visible for those who know it,
  and the reader maps the entry to the code and rejects an entry whose code and name name
  different methods (an edited cell). An input message alone cannot carry the names: Excel
  cuts it at 255 characters.
- **kommunenummer** with ``kommune``: the column gets a dropdown of that one number and nothing
  is prefilled in empty rows, so a row the municipality leaves unused stays blank and is
  skipped as blank (with the reader's note), neither a problem nor a row that is quietly
  dropped. With ``data`` its current rows are written in full.
- No formula in any cell: the reader refuses formulas saved without a result.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from kompetanse import __version__
from kompetanse.data import reference
from kompetanse.data.names import TEMPLATE_INSTRUCTION_SHEET, TEMPLATE_LISTS_SHEET
from kompetanse.data.parse import metode_choice
from kompetanse.data.schema import (
    CATEGORY,
    COHORT,
    DATE,
    FLOAT,
    INT,
    KOMMUNENUMMER,
    SLUG,
    TABLES,
    TEXT,
    YEAR,
    YEAR_RANGE,
    Column,
    Table,
)
from kompetanse.data.template_text import INSTRUCTIONS, LANGUAGES, MESSAGES, TABLE_NOTES, column_note
from kompetanse.errors import UsageError, argument_error, check_argument

__all__ = ["INSTRUCTION_SHEET", "LISTS_SHEET", "TEMPLATE_ROWS", "default_template_name", "dropdown_values",
           "template_language", "write_template"]

INSTRUCTION_SHEET = TEMPLATE_INSTRUCTION_SHEET
LISTS_SHEET = TEMPLATE_LISTS_SHEET
#: Rows below the header that get the column's format and validation beyond the prefilled ones.
TEMPLATE_ROWS = 1000
_EXCEL_LIST_LIMIT = 255  # characters of an inline list of a data validation
_EXCEL_PROMPT_LIMIT = 255
_DATE_FORMAT = "dd.mm.yyyy"
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def default_template_name(kommune: str | None = None) -> str:
    """``mal.xlsx``, or ``mal-<NR>.xlsx`` for one municipality."""
    return f"mal-{kommune}.xlsx" if kommune else "mal.xlsx"


def _cohorts(today: dt.date) -> tuple[str, ...]:
    """The cohorts offered in program_deltakelse's dropdown: the years 2018 to three years ahead."""
    return tuple(str(y) for y in range(2018, today.year + 4))


def dropdown_values(table: Table, column: Column, *, kommune: str | None = None,
                    today: dt.date | None = None) -> tuple[str, ...] | None:
    """The entries of a column's dropdown in the template, or None for a column without one.

    Categories come from the contract; metode from the catalogue as ``code – name``;
    kommunenummer is every municipality of 2024, or only ``kommune``; the cohorts of
    program_deltakelse are suggestions (other values are allowed after a warning); the cohorts of
    program_aktiviteter are those typed on the sheet program_deltakelse, not a fixed list.
    """
    if column.kind == CATEGORY:
        return column.categories
    if column.name == "metode":
        m = reference.metoder()
        return tuple(metode_choice(c, n) for c, n in zip(m["metode"], m["navn"], strict=True))
    if column.kind == KOMMUNENUMMER:
        return (kommune,) if kommune else tuple(reference.kommuner()["kommunenummer"])
    if column.kind == COHORT and table.name == "program_deltakelse":
        return _cohorts(today or dt.date.today())
    return None


def _serial(day: dt.date) -> int:
    return (day - _EXCEL_EPOCH).days


class _Lists:
    """The hidden sheet of dropdown lists: one column per list, written as text."""

    def __init__(self, ws):
        self.ws = ws
        self.used = 0
        self.ranges: dict[tuple[str, ...], str] = {}

    def range_for(self, title: str, values: tuple[str, ...]) -> str:
        from openpyxl.utils import get_column_letter

        if values in self.ranges:
            return self.ranges[values]
        self.used += 1
        col = self.used
        self.ws.cell(row=1, column=col, value=title)
        for i, v in enumerate(values, start=2):
            self.ws.cell(row=i, column=col, value=v).number_format = "@"
        letter = get_column_letter(col)
        self.ranges[values] = f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
        return self.ranges[values]


def _list_formula(values: tuple[str, ...], title: str, lists: _Lists) -> str:
    inline = ",".join(values)
    if len(inline) <= _EXCEL_LIST_LIMIT and not any(ch in inline for ch in '"') and all(
            v and "," not in v and not v.isdigit() for v in values):
        return f'"{inline}"'
    # long lists, and numbers written as text ("0301"), which an inline list would turn into numbers
    return lists.range_for(title, values)


def _validation(table: Table, column: Column, *, kommune: str | None, lists: _Lists, last_row: int,
                today: dt.date, language: str):
    """The data validation of one column, or None."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    note = column_note(table.name, column.name, language)[:_EXCEL_PROMPT_LIMIT]
    say = MESSAGES[language]
    common = {"allow_blank": True, "showInputMessage": True, "showErrorMessage": True,
              "promptTitle": column.name[:32], "prompt": note, "errorTitle": say["title"][:32]}
    values = dropdown_values(table, column, kommune=kommune, today=today)
    if values is not None:
        formula = _list_formula(values, column.name, lists)
        if column.kind == COHORT:  # suggestions: 2025-host is a cohort too
            return DataValidation(type="list", formula1=formula, errorStyle="warning",
                                  error=say["cohort"], **common)
        return DataValidation(type="list", formula1=formula, error=say["list"], **common)
    if column.kind == COHORT:  # program_aktiviteter: a cohort of program_deltakelse
        letter = get_column_letter(TABLES["program_deltakelse"].column_names.index(column.name) + 1)
        return DataValidation(type="list", formula1=f"'program_deltakelse'!${letter}$2:${letter}${last_row}",
                              errorStyle="warning",
                              error=say["cohort_ref"], **common)
    if column.kind == DATE:
        lo, hi = dt.date(YEAR_RANGE[0], 1, 1), dt.date(YEAR_RANGE[1], 12, 31)
        return DataValidation(type="date", operator="between", formula1=str(_serial(lo)),
                              formula2=str(_serial(hi)),
                              error=say["date"].format(lo=f"{lo:%d.%m.%Y}", hi=f"{hi:%d.%m.%Y}"),
                              **common)
    if column.kind in (INT, YEAR):
        lo, hi = int(column.min), int(column.max)
        return DataValidation(type="whole", operator="between", formula1=str(lo), formula2=str(hi),
                              error=say["whole"].format(lo=lo, hi=hi), **common)
    if column.kind == FLOAT:
        return DataValidation(type="decimal", operator="between", formula1=f"{column.min:g}",
                              formula2=f"{column.max:g}",
                              error=say["decimal"].format(lo=f"{column.min:g}", hi=f"{column.max:g}"), **common)
    if column.kind in (TEXT, SLUG):
        return DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(column.max_length),
                              error=say["length"].format(n=column.max_length), **common)
    return None


def _number_format(column: Column) -> str:
    if column.kind == DATE:
        return _DATE_FORMAT
    if column.kind in (INT, YEAR):
        return "0"
    if column.kind == FLOAT:
        return "General"  # every decimal as typed, with the decimal sign of the user's Excel
    return "@"


def _cell_value(column: Column, value):
    """A typed value of the Dataset as the template's cell holds it."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    if column.kind == DATE:
        return pd.Timestamp(value).date()
    if column.kind in (INT, YEAR):
        return int(value)
    if column.kind == FLOAT:
        return float(value)
    return str(value)


def _current_rows(data: Path | str, kommune: str) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """The municipality's accepted rows of each table in ``data``, and notes on its rejected ones."""
    from kompetanse.data.dataset import load

    ds = load(data, on_error="skip")
    rows = {}
    for name, table in TABLES.items():
        frame = getattr(ds, name)
        rows[name] = frame.loc[frame["kommunenummer"] == kommune, table.column_names].reset_index(drop=True)
    notes = []
    rejected = ds.rejected
    if len(rejected) and "kommunenummer" in rejected:
        mine = rejected[rejected["kommunenummer"].astype("str").str.strip().isin({kommune, kommune.lstrip("0")})]
        for name, n in mine.groupby("table").size().items():
            notes.append(f"{n} row{'s' if n != 1 else ''} of {name} for {kommune} in {data} did not pass "
                         f"validation and {'are' if n != 1 else 'is'} not prefilled; see kompetanse validate "
                         f"{data} --rejected FILE.csv")
    return rows, notes


def _instructions(ws, *, kommune: str | None, prefilled: bool, today: dt.date, language: str) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.properties import PageSetupProperties

    words = INSTRUCTIONS[language]
    lines: list[tuple[str, str]] = [
        ("title", words["title"]),
        ("", words["made"].format(day=f"{today:%d.%m.%Y}", version=__version__)),
    ]
    if kommune:
        names = reference.kommuner().set_index("kommunenummer")["kommunenavn"]
        lines.append(("", words["kommune"].format(nr=kommune, name=names[kommune])
                      + (" " + words["prefilled"] if prefilled else "")))
    for part in ("how", "privacy"):
        head, paragraphs = words[part]
        lines += [("head", head)] + [("", text) for text in paragraphs]
    lines.append(("head", words["tables"]))
    for name, (purpose, who) in TABLE_NOTES[language].items():
        lines += [("table", name), ("", purpose), ("", f"{words['who']} {who}")]
    head, paragraphs = words["send"]
    lines += [("head", head)] + [("", text) for text in paragraphs]
    fonts = {"title": Font(bold=True, size=14), "head": Font(bold=True, size=12), "table": Font(bold=True)}
    for i, (kind, text) in enumerate(lines, start=1):
        cell = ws.cell(row=i, column=1, value=text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if kind in fonts:
            cell.font = fonts[kind]
        # wrapped text gets no taller row by itself in every program: about 75 characters a line
        ws.row_dimensions[i].height = 15 * -(-len(text) // 75) + (6 if kind in fonts else 2)
    ws.column_dimensions["A"].width = 85  # within a portrait A4 page
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)  # printed: one page wide
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0


def template_language(kommune: str | None) -> str:
    """The language of a template: nynorsk (``nn``) for a municipality whose administration writes
    nynorsk, bokmål (``nb``) otherwise and without a municipality
    (`kompetanse.data.reference.report_language`)."""
    return reference.report_language(kommune) if kommune else "nb"


def write_template(out: Path | str, *, kommune: str | None = None, data: Path | str | None = None,
                   language: str | None = None, overwrite: bool = False,
                   today: dt.date | None = None) -> list[str]:
    """Write the submission template (see the module docstring) to ``out``.

    Parameters
    ----------
    out : the .xlsx file to write.
    kommune : a four-digit municipality number of 2024: its number is the only entry of the
        kommunenummer dropdowns, and its name is on the instruction sheet.
    data : with ``kommune``, a data set (folder or workbook) whose rows for that municipality are
        prefilled, so that next year's submission is an update of this one.
    language : ``"nb"`` (bokmål) or ``"nn"`` (nynorsk) for the instruction sheet, the notes and
        the messages; default: the municipality's målform (`template_language`).
    overwrite : replace an existing file; without it an existing ``out`` is refused.
    today : the date printed on the instruction sheet (default: today).

    Returns
    -------
    list of str : notes for the person who asked (rows of ``data`` not prefilled because they
    did not pass validation).

    Raises
    ------
    UsageError : an unknown municipality, ``data`` without ``kommune``, or ``out`` exists.
    """
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    out = Path(out)
    today = today or dt.date.today()
    if kommune is not None and kommune not in set(reference.kommuner()["kommunenummer"]):
        raise argument_error("--kommune", "the four-digit number of a municipality of 2024 (e.g. 0301)", kommune)
    language = language or template_language(kommune)
    check_argument("language", LANGUAGES, language)
    if data is not None and kommune is None:
        raise UsageError("--data prefills one municipality's rows: give --kommune NR as well")
    if out.exists() and not overwrite:
        raise UsageError(f"{out} exists; not overwritten (give another --out, or --force to replace it)")
    if out.suffix.lower() != ".xlsx":
        raise argument_error("--out", "a file name ending in .xlsx", str(out))
    current, notes = _current_rows(data, kommune) if data is not None else ({}, [])

    m = reference.metoder()
    choices = {c: metode_choice(c, n) for c, n in zip(m["metode"], m["navn"], strict=True)}
    wb = Workbook()
    prefilled = any(len(frame) for frame in current.values())
    if data is not None and not prefilled:
        notes.append(f"{data} has no accepted row for {kommune}: the template is written without rows")
    _instructions(wb.active, kommune=kommune, prefilled=prefilled, today=today, language=language)
    wb.active.title = INSTRUCTION_SHEET
    sheets = {name: wb.create_sheet(name) for name in TABLES}
    lists_ws = wb.create_sheet(LISTS_SHEET)
    lists_ws.sheet_state = "hidden"
    lists = _Lists(lists_ws)
    last_rows = {name: 1 + TEMPLATE_ROWS + len(current.get(name, ())) for name in TABLES}
    for name, table in TABLES.items():
        ws = sheets[name]
        ws.freeze_panes = "A2"
        prefill = current.get(name)
        last = last_rows[name]
        for j, column in enumerate(table.columns, start=1):
            letter = get_column_letter(j)
            head = ws.cell(row=1, column=j, value=column.name)
            head.font = Font(bold=True)
            head.number_format = "@"
            comment = Comment(column_note(name, column.name, language), "kompetanse")
            comment.width, comment.height = 300, 110
            head.comment = comment
            ws.column_dimensions[letter].width = max(12, len(column.name) + 4)
            fmt = _number_format(column)
            ws.column_dimensions[letter].number_format = fmt
            values = prefill[column.name].tolist() if prefill is not None else []
            for i in range(2, last + 1):
                value = _cell_value(column, values[i - 2]) if i - 2 < len(values) else None
                if value is not None and column.name == "metode":
                    value = choices[value]
                ws.cell(row=i, column=j, value=value).number_format = fmt
            dv = _validation(table, column, kommune=kommune, lists=lists,
                             last_row=last_rows["program_deltakelse"], today=today, language=language)
            if dv is not None:
                dv.add(f"{letter}2:{letter}{last}")
                ws.add_data_validation(dv)
    # written beside it and moved into place: an interrupted run leaves no half a workbook under the name
    part = out.with_name(f".{out.name}.part")
    try:
        wb.save(part)
        part.replace(out)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise UsageError(f"{out}: cannot be written ({exc.strerror or exc})") from exc
    return notes

