"""Disclosure control for everything published: small counts are suppressed (primary), and cells
that could be worked out from shown totals too (secondary).

Rules (sources in ``docs/disclosure.md``): Udir does not show results from
fewer than 5 respondents and applies secondary suppression ("når eit tal blir skjerma, må òg andre
tal som kan nyttast til å utleia desse tala skjermast"); SSB marks a suppressed cell with ":".
The threshold is a parameter, defaulting to ``kompetanse.settings.MIN_COUNT``. How the secondary
cells are chosen and audited is in `kompetanse.analysis.secondary_suppression`.

**Zeros are shown.** A count of 0 ("no parents took part") says nothing about any person, and
suppressing every 0 beside a small count would hide most of a sparse table. The price is that a
reader knows every suppressed count is at least 1; `suppress_table` takes that into account (a
line whose hidden cells would all have to be 1 gets one more suppression), and `recoverable`
audits it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kompetanse.analysis.checks import require_columns
from kompetanse.analysis.secondary_suppression import recoverable, secure
from kompetanse.errors import UsageError, argument_error
from kompetanse.formatting import number
from kompetanse.settings import MIN_COUNT, SUPPRESSED_MARKER

__all__ = ["PRIMARY", "SECONDARY", "SuppressedTable", "recoverable", "suppress_counts", "suppress_table",
           "suppress_with_totals"]

#: Reasons in ``<col>_prikkegrunn`` and `SuppressedTable.reason`; "" where shown.
PRIMARY = "primar"  # a count of 1 to threshold − 1
SECONDARY = "sekundar"  # hidden so that a primary cell cannot be derived from totals


# --------------------------------------------------------------------------- single columns


def suppress_counts(data: pd.DataFrame, *, columns: str | Sequence[str], threshold: int = MIN_COUNT) -> pd.DataFrame:
    """Primary suppression of small counts, column by column.

    A count ``n`` with ``0 < n < threshold`` becomes <NA>; 0 and counts of at least ``threshold``
    are shown (see the module docstring for why 0 is shown). Missing input stays missing and is
    not flagged: missing is not suppressed.

    This hides each small number on its own. When the counts are published together with a total
    they add up to, use `suppress_table`, which also hides the cells a reader could subtract.

    Parameters
    ----------
    data : any frame.
    columns : the count column or columns (whole numbers ≥ 0; nullable ``Int64`` is fine).
    threshold : the smallest count that is shown (default ``settings.MIN_COUNT`` = 5, Udir's rule).

    Returns
    -------
    A copy of ``data`` where each column in ``columns`` is nullable ``Int64`` with <NA> where
    suppressed (never 0), plus per column ``<col>_prikket`` (bool) and ``<col>_prikkegrunn``
    (``"primar"`` or ``""``). `kompetanse.reports.tables.table` shows a ``<col>_prikket`` cell as the
    suppression marker.

    Examples
    --------
    >>> import pandas as pd
    >>> out = suppress_counts(pd.DataFrame({"antall_foreldre": [0, 3, 12]}), columns="antall_foreldre")
    >>> out[["antall_foreldre", "antall_foreldre_prikket"]]
       antall_foreldre  antall_foreldre_prikket
    0                0                    False
    1             <NA>                     True
    2               12                    False
    """
    _check_threshold(threshold)
    columns = [columns] if isinstance(columns, str) else list(columns)
    require_columns(data, columns, "suppress_counts")
    out = data.copy()
    for col in columns:
        n = _counts(data[col], col, "suppress_counts")
        flag = ((n > 0) & (n < threshold)).fillna(False).to_numpy(dtype=bool)
        out[col] = n.mask(flag)
        out[f"{col}_prikket"] = flag
        out[f"{col}_prikkegrunn"] = pd.array(np.where(flag, PRIMARY, ""), dtype="str")
    return out


# --------------------------------------------------------------------------- tables with totals


@dataclass(frozen=True)
class SuppressedTable:
    """A table of counts ready to publish, with its totals and what was hidden and why.

    Attributes
    ----------
    values : the table with a totals column (when ``row_total``) and a totals row (when
        ``col_total``) labelled ``total_label``; nullable ``Int64``, <NA> where suppressed.
    suppressed : bool frame of the same shape, True where hidden.
    reason : str frame of the same shape: ``"primar"``, ``"sekundar"`` or ``""``.
    threshold, row_total, col_total : the settings it was made with.
    """

    values: pd.DataFrame
    suppressed: pd.DataFrame
    reason: pd.DataFrame
    threshold: int
    row_total: bool
    col_total: bool

    def tidy(self) -> pd.DataFrame:
        """One row per cell: the row and column labels (named after the table's index and
        column names, else ``rad`` and ``kolonne``), ``verdi`` (Int64, <NA> where suppressed),
        ``verdi_prikket`` and ``verdi_prikkegrunn``, in row-major order."""
        rows = self.values.index.name or "rad"
        cols = self.values.columns.name or "kolonne"
        r, c = self.values.shape
        return pd.DataFrame(
            {
                rows: np.repeat(self.values.index.to_numpy(dtype=object), c),
                cols: np.tile(self.values.columns.to_numpy(dtype=object), r),
                "verdi": pd.array(self.values.to_numpy(dtype=object).ravel(), dtype="Int64"),
                "verdi_prikket": self.suppressed.to_numpy().ravel(),
                "verdi_prikkegrunn": pd.array(self.reason.to_numpy(dtype=object).ravel(), dtype="str"),
            }
        )

    def formatted(self, *, marker: str = SUPPRESSED_MARKER) -> pd.DataFrame:
        """The table as display strings (`kompetanse.formatting.number`: ``12 345`` with a
        non-breaking space), suppressed cells as ``marker``, never as 0 or "<NA>"."""
        return self.values.apply(
            lambda s: pd.Series([marker if hidden else number(v) for v, hidden in zip(s, self.suppressed[s.name],
                                                                                        strict=True)],
                                index=s.index, dtype="str")
        )

    def recoverable(self) -> pd.DataFrame:
        """`recoverable` applied to ``values``; all False for a table made by `suppress_table`."""
        return recoverable(self.values, row_total=self.row_total, col_total=self.col_total)


def suppress_table(
    table: pd.DataFrame,
    *,
    threshold: int = MIN_COUNT,
    row_total: bool = True,
    col_total: bool = True,
    total_label: str = "I alt",
) -> SuppressedTable:
    """Primary and secondary suppression of a two-way table of counts and its totals.

    ``table`` holds the inner cells only (e.g. municipalities × levels, or activity types ×
    formats); the totals are computed here, so that they add up, and published with it: a totals
    column when ``row_total`` and a totals row when ``col_total`` (the grand total when both).

    1. **Primary**: every cell or total ``n`` with ``0 < n < threshold`` is hidden. Zeros are
       shown.
    2. **Secondary**, in passes over all rows, then all columns, until nothing changes. A *line*
       is a row with its total (when ``row_total``) or a column with its total (when
       ``col_total``); the totals row and the totals column are lines too, with the grand total as
       their total. A line is unsafe when exactly one of its members (cells and total) is hidden,
       since it is then the total minus the shown cells (or the sum of them); or when its total is
       shown and every hidden cell would have to be 1 (hidden cells sum to their number; zeros are
       never hidden, so a hidden cell is at least 1). An unsafe line gets its smallest shown
       non-zero cell hidden too (the classic next-smallest choice, which loses the least
       information; ties go to the first); if it has none, its total is hidden.
    3. **Audit**: a cell can also be derived by combining several lines (add two rows, subtract two
       columns) even when every line has two hidden cells. The table is checked with `recoverable`
       (linear algebra on all row and column equations at once); beside the first derivable cell
       the smallest shown non-zero cell of its row or column is hidden, and steps 2–3 repeat until
       nothing is derivable. Rarely needed: never on the sample's tables, about 1 in 400 random small ones.

    Every pass hides at least one more cell and a fully hidden table reveals nothing, so this
    ends. It guarantees that no hidden cell's *exact* value follows from the shown cells and
    totals; it is not a full linear-programming audit of how *narrowly* a hidden cell can be
    bounded (a hidden cell may be known to lie in, say, 1–8). Each pass is vectorised over all
    lines with numpy.

    Parameters
    ----------
    table : a DataFrame of whole counts ≥ 0 without missing cells; its index and columns label the
        rows and columns.
    threshold : the smallest count shown (default ``settings.MIN_COUNT`` = 5).
    row_total, col_total : whether the table is published with row totals (a totals column) and
        column totals (a totals row).
    total_label : the label of the totals row and column.

    Returns
    -------
    SuppressedTable : ``values`` (Int64, <NA> where hidden, totals last), ``suppressed``,
    ``reason``; ``.tidy()`` for one row per cell, ``.formatted()`` for display.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"digital": [3, 10], "fysisk": [7, 12]}, index=["foreldremote", "personalmote"])
    >>> suppress_table(t).values
                  digital  fysisk  I alt
    foreldremote     <NA>    <NA>     10
    personalmote     <NA>    <NA>     22
    I alt              13      19     32
    """
    _check_threshold(threshold)
    inner = _table_counts(table)
    values = _with_totals(inner, row_total, col_total)
    primary = (values > 0) & (values < threshold)
    hidden = secure(values, primary, row_total, col_total)

    index, columns = _labels(table, row_total, col_total, total_label)
    reason = np.where(primary, PRIMARY, np.where(hidden, SECONDARY, ""))
    shown = pd.DataFrame(values, index=index, columns=columns).astype("Int64").mask(hidden)
    return SuppressedTable(
        values=shown,
        suppressed=pd.DataFrame(hidden, index=index, columns=columns),
        reason=pd.DataFrame(reason, index=index, columns=columns).astype("str"),
        threshold=threshold,
        row_total=row_total,
        col_total=col_total,
    )


def suppress_with_totals(
    data: pd.DataFrame, *, columns: str | Sequence[str], threshold: int = MIN_COUNT
) -> tuple[pd.DataFrame, pd.Series]:
    """Primary and secondary suppression of count columns published **with their totals**.

    Use this, not `suppress_counts`, whenever the rows of ``data`` are published together with
    the sum of a column, on the same page or on another (a programme cohort's municipalities and
    the cohort's «Foreldre nådd»): each column with its total is a one-column `suppress_table`
    (``row_total=False, col_total=True``), so that no hidden row can be worked out as the total
    minus the shown rows, and a total below ``threshold`` is hidden too. The columns are not
    summed across, so each is secured on its own. Rows where a column is missing are not part of
    its sum and stay missing, unflagged (a reader sees they add nothing).

    Returns
    -------
    (rows, totals) : ``rows`` is a copy of ``data`` shaped as `suppress_counts` returns it (each
    column nullable ``Int64``, <NA> where hidden, ``<col>_prikket`` and ``<col>_prikkegrunn``,
    now ``"primar"`` or ``"sekundar"``); ``totals`` is an object Series indexed by the columns
    with the sum to publish, or <NA> where the total itself is hidden.

    Examples
    --------
    >>> import pandas as pd
    >>> rows, totals = suppress_with_totals(pd.DataFrame({"n": [3, 10, 12]}), columns="n")
    >>> rows["n"].tolist(), int(totals["n"])
    ([<NA>, <NA>, 12], 25)
    """
    _check_threshold(threshold)
    columns = [columns] if isinstance(columns, str) else list(columns)
    require_columns(data, columns, "suppress_with_totals")
    out = data.copy()
    totals = {}
    for col in columns:
        n = _counts(data[col], col, "suppress_with_totals")
        known = n.notna().to_numpy()
        flag = np.zeros(len(n), dtype=bool)
        reason = np.full(len(n), "", dtype=object)
        total = int(n[known].sum())
        if known.any():
            t = suppress_table(pd.DataFrame({col: n[known].astype("int64").to_numpy()}), threshold=threshold,
                               row_total=False, col_total=True)
            flag[known] = t.suppressed[col].to_numpy()[:-1]
            reason[known] = t.reason[col].to_numpy(dtype=object)[:-1]
            total = pd.NA if t.suppressed[col].iloc[-1] else total
        out[col] = n.mask(flag)
        out[f"{col}_prikket"] = flag
        out[f"{col}_prikkegrunn"] = pd.array(reason, dtype="str")
        totals[col] = total
    return out, pd.Series(totals, dtype=object)


def _table_counts(table: pd.DataFrame) -> np.ndarray:
    if not isinstance(table, pd.DataFrame):
        raise UsageError(f"suppress_table() needs a DataFrame of counts, but {type(table).__name__} was passed")
    if table.shape[0] == 0 or table.shape[1] == 0:
        raise UsageError("suppress_table() needs a table with at least one row and one column")
    if table.isna().any().any():
        raise UsageError("suppress_table() needs every cell of the table filled; write 0 where there were none")
    if not all(pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t) for t in table.dtypes):
        raise UsageError("suppress_table() needs a table of counts (numbers), but some columns are not numeric")
    values = table.to_numpy(dtype="float64")
    if (values < 0).any() or (values != np.round(values)).any():
        raise UsageError("suppress_table() needs whole counts of 0 or more in every cell")
    return values.astype("int64")


def _with_totals(inner: np.ndarray, row_total: bool, col_total: bool) -> np.ndarray:
    out = inner
    if row_total:
        out = np.column_stack([out, out.sum(axis=1)])
    if col_total:
        out = np.vstack([out, out.sum(axis=0)])
    return out


def _labels(table: pd.DataFrame, row_total: bool, col_total: bool, total_label: str) -> tuple[pd.Index, pd.Index]:
    index, columns = table.index, table.columns
    if col_total:
        if total_label in list(index):
            raise UsageError(f"The table already has a row labelled {total_label!r}; pass the inner cells only")
        index = pd.Index([*index, total_label], name=index.name, dtype=object)
    if row_total:
        if total_label in list(columns):
            raise UsageError(f"The table already has a column labelled {total_label!r}; pass the inner cells only")
        columns = pd.Index([*columns, total_label], name=columns.name, dtype=object)
    return index, columns


# --------------------------------------------------------------------------- helpers


def _check_threshold(threshold) -> None:
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, int | float | np.integer | np.floating)
        or threshold < 1
    ):
        raise argument_error("threshold", "a number of at least 1", threshold)


def _counts(s: pd.Series, name: str, func: str) -> pd.Series:
    if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        raise UsageError(f"{func}() needs `{name}` to hold counts, but it has dtype {s.dtype}")
    try:
        n = s.astype("Int64")
    except (TypeError, ValueError) as exc:
        raise UsageError(f"{func}() needs `{name}` to hold whole counts, but it has fractions") from exc
    if (n < 0).any():
        raise UsageError(f"{func}() needs `{name}` to hold counts of 0 or more, but it has negative values")
    return n
