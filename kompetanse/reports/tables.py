"""Tables for people: Norwegian labels, thousands separators, decimal comma, suppressed cells
marked, and every text escaped so that data can never become markup.

``table(df, ...)`` returns a `Table` that notebooks display as HTML and that can also be had as
a DataFrame of display strings or exported for spreadsheets with formula-looking cells neutralised.
"""

from __future__ import annotations

import functools
import html
from collections import namedtuple
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kompetanse.formatting import MINUS, MISSING, NBSP, number
from kompetanse.reports.style import STATUS_LABELS
from kompetanse.settings import SUPPRESSED_MARKER

__all__ = ["MINUS", "MISSING", "NBSP", "TABLE_MIME", "Download", "Paragraph", "ShortAndFull", "Stack", "Table", "Title",
           "cell_rows", "neutralise_formula", "number", "records", "table", "table_bundle"]

#: The MIME type under which a table's cells travel in the executed notebook, beside the HTML
#: made from the same object: the page's downloads (`kompetanse.site.downloads`) are written from
#: it, so a download shows exactly the cells the page shows, suppression markers included.
TABLE_MIME = "application/vnd.kompetanse.table+json"


def table_bundle(tables: Sequence[tuple[str, Sequence[str], Sequence[str], Sequence[Sequence[str]]]], *,
                 inline: bool = True) -> dict:
    """The `TABLE_MIME` part of a display bundle: per table its caption, its columns, which of
    them are numeric, and its rows as the text each cell shows on the page. ``inline`` False:
    the table is a download only (the page shows a sentence and its links)."""
    return {TABLE_MIME: {"inline": inline, "tables": [
        {"caption": caption or "", "columns": [str(c) for c in columns], "numeric": [str(c) for c in numeric],
         "rows": [[str(v) for v in row] for row in rows]} for caption, columns, numeric, rows in tables]}}

def cell_rows(frame: pd.DataFrame) -> list[tuple]:
    """The rows of ``frame`` as tuples of its values: the values ``frame.itertuples(index=False,
    name=None)`` gives, as each column's ``tolist()`` gives them (Python scalars; NaN, NA or
    NaT where missing; Timestamps and Periods). A frame of display cells (object dtype: every
    `Table`) is read in one step, its objects as they are (a `StatusText` stays one): a hundred
    times faster than ``itertuples``, which makes a Series of every column and iterates it."""
    if len(frame.columns) and all(isinstance(dtype, np.dtype) and dtype.kind == "O" for dtype in frame.dtypes):
        return list(map(tuple, frame.to_numpy().tolist()))
    if not len(frame.columns):
        return [()] * len(frame)
    # tolist() converts a column at once (iterating an Arrow column makes a scalar per value)
    return list(zip(*(column.tolist() for _, column in frame.items()), strict=True))


@functools.lru_cache(maxsize=256)
def _record_class(columns: tuple):
    return namedtuple("Pandas", columns, rename=True)


def records(frame: pd.DataFrame) -> list[tuple]:
    """The rows as named tuples, as ``frame.itertuples(index=False)`` gives them (with the values
    of `cell_rows`), whose class is made once per set of column names instead of on every call
    (`collections.namedtuple` costs more than the rows of a small table)."""
    make = _record_class(tuple(frame.columns))._make
    return [make(row) for row in cell_rows(frame)]


def _p_value(value) -> str:
    text = number(value, 3)
    return f"<{NBSP}0,001" if text != MISSING and float(value) < 0.0005 else text


def _suppressed_mask(df: pd.DataFrame, column: str) -> pd.Series:
    flag = f"{column}_prikket"
    if flag in df:
        return df[flag].fillna(False).astype(bool)
    return pd.Series(False, index=df.index)


@dataclass
class Table:
    """A formatted table: display strings plus which columns are numeric."""

    frame: pd.DataFrame
    numeric: set[str] = field(default_factory=set)
    caption: str | None = None

    def _repr_html_(self) -> str:
        esc = html.escape
        num = ' class="num"'
        head = "".join(
            f'<th scope="col"{num if c in self.numeric else ""}>{esc(str(c))}</th>' for c in self.frame.columns
        )
        values = cell_rows(self.frame)
        by_column = list(zip(*values, strict=True)) if values else [()] * len(self.frame.columns)
        # short text (a county, a level) stays on one line; long text (lists of names) wraps
        cls = [num if c in self.numeric else ' class="kort"' if _short_text(column) else ""
               for c, column in zip(self.frame.columns, by_column, strict=True)]
        rows = []
        for row in values:
            cells = "".join(f'<td{c}>{_cell_html(v)}</td>' for c, v in zip(cls, row, strict=True))
            rows.append(f"<tr>{cells}</tr>")
        caption = f"<caption>{esc(self.caption)}</caption>" if self.caption else ""
        body = "".join(rows)
        return f'<table class="kompetanse">{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'

    def __repr__(self) -> str:
        # the plain-text view of the table (also what a notebook stores beside the HTML): the
        # same for the same table in every run, unlike a repr of the set of numeric columns
        text = plain_text(self.frame)
        return f"{self.caption}\n{text}" if self.caption else text

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def _download_tables(self) -> list[tuple]:
        columns = list(self.frame.columns)
        return [(self.caption, columns, [c for c in columns if c in self.numeric], cell_rows(self.frame))]

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        # IPython adds text/html and text/plain from the other _repr_ methods
        return table_bundle(self._download_tables())

    def to_spreadsheet(self) -> pd.DataFrame:
        """The table for CSV/Excel export: a cell that begins with ``=``, ``+``, ``-`` or ``@``
        would run as a formula in a spreadsheet, so it is prefixed with an apostrophe. Negative
        numbers get an ASCII minus back, so that a spreadsheet reads them as numbers."""
        return self.frame.map(_spreadsheet_cell)


def plain_text(frame: pd.DataFrame) -> str:
    """``frame.to_string(index=False)`` for a table of one-line display strings, in a tenth of the
    time: each column right-aligned to its widest header or cell, one space between columns.
    Anything else (a value that is not a string, a line break, an empty frame) goes to pandas."""
    columns = [str(c) for c in frame.columns]
    cells = [list(column) for column in zip(*cell_rows(frame), strict=True)] if len(frame) else []
    if not columns or not len(frame) or any(not isinstance(v, str) or "\n" in v or "\r" in v
                                            for column in cells for v in column):
        return frame.to_string(index=False)
    widths = [max(len(name), *map(len, column)) for name, column in zip(columns, cells, strict=True)]
    lines = [" ".join(name.rjust(w) for name, w in zip(columns, widths, strict=True))]
    lines += [" ".join(v.rjust(w) for v, w in zip(row, widths, strict=True)) for row in zip(*cells, strict=True)]
    return "\n".join(lines)


#: Text columns whose longest value has at most this many characters are kept on one line.
SHORT_TEXT = 20


def _short_text(column: Sequence) -> bool:
    values = [v for v in column if isinstance(v, str)]
    return bool(values) and len(values) == len(column) and max(map(len, values)) <= SHORT_TEXT


def _cell_html(value) -> str:
    text = html.escape(str(value))
    if isinstance(value, StatusText):
        return f'<span class="status {html.escape(value.status)}">{text}</span>'
    if isinstance(value, LinkText):
        return f'<a href="{html.escape(value.href)}">{text}</a>'
    return text


class LinkText(str):
    """Text that links to a page of the site; text and address are both escaped in the HTML."""

    href: str

    def __new__(cls, text: str, href: str):
        obj = super().__new__(cls, text)
        obj.href = href
        return obj


class StatusText(str):
    """A status label that remembers its status, so the HTML can colour it."""

    status: str

    def __new__(cls, status: str, labels: Mapping[str, str] = STATUS_LABELS):
        obj = super().__new__(cls, labels.get(status, status))
        obj.status = status
        return obj


def neutralise_formula(value):
    """Make text safe for spreadsheets: a leading ``= + - @`` (also after spaces or a tab) gets
    an apostrophe in front, the convention Excel and LibreOffice show as plain text."""
    if isinstance(value, str) and value.lstrip(" \t\r\n")[:1] in ("=", "+", "-", "@"):
        # numbers formatted by this module are never negative-signed text except real negatives
        if not _is_number_text(value):
            return "'" + value
    return value


def _spreadsheet_cell(value):
    if isinstance(value, str) and value.startswith(MINUS) and _is_number_text("-" + value[1:]):
        return "-" + value[1:]
    return neutralise_formula(value)


def _is_number_text(value: str) -> bool:
    try:
        float(value.replace(NBSP, "").replace(",", ".").replace("%", ""))
        return True
    except ValueError:
        return False


def table(
    data: pd.DataFrame,
    *,
    columns: Mapping[str, str],
    decimals: Mapping[str, int] | None = None,
    percent: Sequence[str] = (),
    p_values: Sequence[str] = (),
    status: Mapping[str, Mapping[str, str]] | None = None,
    labels: Mapping[str, Mapping[str, str]] | None = None,
    links: Mapping[str, str] | None = None,
    caption: str | None = None,
) -> Table:
    """Format a tidy frame for people.

    Parameters
    ----------
    data : the frame; a column ``<name>_prikket`` (True where suppressed) makes ``<name>`` show
        the suppression marker (``settings.SUPPRESSED_MARKER``) instead of a value, never 0 (in a
        status column too: the marker instead of the badge).
    columns : which columns to show, in order, with their Norwegian labels.
    decimals : decimals per numeric column (default 0 for numbers).
    percent : columns holding shares (0–1) to show as percentages.
    p_values : columns holding p-values: 3 decimals, and ``< 0,001`` instead of ``0,000``.
    status : per column, labels for status values (shown as coloured badges in HTML).
    labels : per column, labels for category values shown as text (``{"niva": LEVEL_LABELS}``);
        a value without a label shows as it is.
    links : per text column, the column holding each row's relative address: the text links
        there in HTML (a missing address leaves plain text).
    caption : an optional caption.
    """
    decimals = dict(decimals or {})
    status = dict(status or {})
    labels = dict(labels or {})
    out = {}
    numeric = set()
    for col, label in columns.items():
        s = data[col]
        if col in status:
            hidden = _suppressed_mask(data, col).to_numpy()
            out[label] = [SUPPRESSED_MARKER if h else MISSING if pd.isna(v) else StatusText(str(v), status[col])
                          for v, h in zip(s, hidden, strict=True)]
        elif pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            numeric.add(label)
            d = decimals.get(col, 1 if col in percent else 0)
            shown = [_p_value(v) if col in p_values else number(v, d, percent=col in percent) for v in s]
            hidden = _suppressed_mask(data, col).to_numpy()
            out[label] = [SUPPRESSED_MARKER if h else v for v, h in zip(shown, hidden, strict=True)]
        elif pd.api.types.is_bool_dtype(s):
            out[label] = ["ja" if v else "nei" for v in s]
        else:
            names = labels.get(col, {})
            out[label] = [MISSING if pd.isna(v) or v == "" else names.get(str(v), str(v)) for v in s]
            if col in (links or {}):
                out[label] = [v if pd.isna(h) or v == MISSING else LinkText(v, str(h))
                              for v, h in zip(out[label], data[links[col]], strict=True)]
    # object dtype keeps StatusText (a str subclass) intact for the HTML
    return Table(pd.DataFrame(out, dtype=object), numeric, caption)


@dataclass
class ShortAndFull:
    """A table of the first rows and, under a ``<details>`` element («Vis alle»), a table of the
    rest with the same columns: the page stays short, and nothing is hidden from a screen reader
    or from the printed notebook."""

    first: Table
    rest: Table | None = None
    summary: str = "Vis alle"

    def _repr_html_(self) -> str:
        if self.rest is None:
            return self.first._repr_html_()
        return (f"{self.first._repr_html_()}<details><summary>{html.escape(self.summary)}</summary>"
                f"{self.rest._repr_html_()}</details>")

    def __repr__(self) -> str:
        return repr(self.first) if self.rest is None else f"{self.first!r}\n{self.summary}:\n{self.rest!r}"

    def to_frame(self) -> pd.DataFrame:
        """The rows shown first (`all_rows` for every row)."""
        return self.first.to_frame()

    def all_rows(self) -> pd.DataFrame:
        """Every row, the first ones and the rest, in order."""
        return pd.concat([self.first.to_frame(), *([] if self.rest is None else [self.rest.to_frame()])],
                         ignore_index=True)

    def to_spreadsheet(self) -> pd.DataFrame:
        """Every row for CSV/Excel export, formula-looking cells neutralised (`Table.to_spreadsheet`)."""
        parts = [self.first, *([] if self.rest is None else [self.rest])]
        return pd.concat([t.to_spreadsheet() for t in parts], ignore_index=True)

    def _download_tables(self) -> list[tuple]:
        # the first rows and the rest as one table
        return [(self.first.caption, list(self.first.frame.columns),
                 [c for c in self.first.frame.columns if c in self.first.numeric],
                 cell_rows(self.all_rows()))]

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return table_bundle(self._download_tables())


@dataclass
class Stack:
    """Several tables shown one after the other as one section's output."""

    parts: list

    def _repr_html_(self) -> str:
        return "".join(part._repr_html_() for part in self.parts)

    def __repr__(self) -> str:
        return "\n\n".join(repr(part) for part in self.parts)

    def _download_tables(self) -> list[tuple]:
        return [t for part in self.parts if hasattr(part, "_download_tables") for t in part._download_tables()]

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        tables = self._download_tables()
        return table_bundle(tables) if tables else {}


@dataclass
class Download:
    """A table offered as a download only (too long for the page): the page shows ``text`` and
    the links to the table's files, which the site writes from the same cells (`TABLE_MIME`)."""

    text: str
    table: Table

    def _repr_html_(self) -> str:
        return f'<p class="nedlasting-tekst">{html.escape(self.text)}</p>'

    def __repr__(self) -> str:
        return f"{self.text} ({len(self.table.frame)} rader)"

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return table_bundle(self.table._download_tables(), inline=False)


@dataclass
class Paragraph:
    """A paragraph whose text comes from data: escaped."""

    text: str

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(self.text)}</p>"

    def __repr__(self) -> str:
        return self.text


@dataclass
class Title:
    """A page's title (``<h1>``) with a line under it, both escaped."""

    text: str
    line: str = ""

    def _repr_html_(self) -> str:
        under = f'<p class="ingress">{html.escape(self.line)}</p>' if self.line else ""
        return f"<h1>{html.escape(self.text)}</h1>{under}"

    def __repr__(self) -> str:
        return f"{self.text}\n{self.line}" if self.line else self.text


@dataclass
class Heading:
    """A heading whose text comes from data: escaped, so a name can never become markup."""

    text: str
    level: int = 2

    def _repr_html_(self) -> str:
        return f"<h{self.level}>{html.escape(self.text)}</h{self.level}>"

    def __repr__(self) -> str:
        return self.text


def heading(text: str, *, level: int = 2) -> Heading:
    """A heading built from data (a municipality's name, a cohort) for a notebook or report."""
    return Heading(str(text), level)


def key_figures(items: Sequence[tuple[str, object]], *, decimals: int = 0, caption: str | None = None) -> Table:
    """A two-column table of key figures: (label, value) pairs, values formatted as numbers
    where they are numbers, with the suppression marker where the value is ``SUPPRESSED``."""
    shown = []
    for label, value in items:
        if value is SUPPRESSED:
            shown.append((label, SUPPRESSED_MARKER))
        elif isinstance(value, str):
            shown.append((label, value))
        else:
            shown.append((label, number(value, decimals)))
    return Table(pd.DataFrame(shown, columns=["Nøkkeltall", "Verdi"], dtype=object), {"Verdi"}, caption)


class _Suppressed:
    def __repr__(self) -> str:
        return "SUPPRESSED"


#: A value withheld by disclosure control (see `key_figures`).
SUPPRESSED = _Suppressed()
