"""Disclosure control for everything published: small counts and means from few respondents are
suppressed (primary), and cells that could be worked out from shown totals too (secondary).

Rules (sources in ``docs/disclosure.md``): Udir does not show results from
fewer than 5 respondents and applies secondary suppression ("når eit tal blir skjerma, må òg andre
tal som kan nyttast til å utleia desse tala skjermast"); SSB marks a suppressed cell with ":".
Thresholds are parameters, defaulting to `kompetanse.settings` (``MIN_COUNT``, ``MIN_RESPONDENTS``).

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

from kompetanse.errors import UsageError
from kompetanse.settings import MIN_COUNT, MIN_RESPONDENTS, SUPPRESSED_MARKER

#: Reasons in ``<col>_prikkegrunn`` and `SuppressedTable.reason`; "" where shown.
PRIMARY = "primar"  # a count of 1 to threshold − 1
SECONDARY = "sekundar"  # hidden so that a primary cell cannot be derived from totals
FEW_RESPONDENTS = "for_faa_svar"  # a mean from fewer respondents than the threshold
UNKNOWN_RESPONDENTS = "ukjent_antall_svar"  # a mean whose number of respondents is missing

NBSP = "\u00a0"


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
    _require(data, columns, "suppress_counts")
    out = data.copy()
    for col in columns:
        n = _counts(data[col], col, "suppress_counts")
        flag = ((n > 0) & (n < threshold)).fillna(False).to_numpy(dtype=bool)
        out[col] = n.mask(flag)
        out[f"{col}_prikket"] = flag
        out[f"{col}_prikkegrunn"] = pd.array(np.where(flag, PRIMARY, ""), dtype="str")
    return out


def suppress_means(data: pd.DataFrame, *, mean: str, n: str, threshold: int = MIN_RESPONDENTS) -> pd.DataFrame:
    """Suppress survey means computed from fewer than ``threshold`` respondents.

    A mean is hidden (NaN) when its number of respondents ``n`` is below ``threshold``, or when
    ``n`` is missing (it cannot be shown to rest on enough answers). A mean that is already
    missing stays missing and is not flagged. The respondent count itself is a count: pass it
    through `suppress_counts` if it is published too.

    Parameters
    ----------
    data : any frame.
    mean : the column of means (e.g. ``snitt``).
    n : the column of respondents behind each mean (e.g. ``antall_svar``).
    threshold : the fewest respondents a shown mean may rest on (default
        ``settings.MIN_RESPONDENTS`` = 10).

    Returns
    -------
    A copy of ``data`` with ``mean`` as float (NaN where suppressed) and ``<mean>_prikket`` (bool)
    and ``<mean>_prikkegrunn`` (``"for_faa_svar"``, ``"ukjent_antall_svar"`` or ``""``).
    """
    _check_threshold(threshold)
    _require(data, [mean, n], "suppress_means")
    m = data[mean]
    if not pd.api.types.is_numeric_dtype(m) or pd.api.types.is_bool_dtype(m):
        raise UsageError(f"suppress_means() needs `{mean}` to be numeric, but it has dtype {m.dtype}")
    values = m.to_numpy(dtype="float64", na_value=np.nan)
    answers = _counts(data[n], n, "suppress_means").to_numpy(dtype="float64", na_value=np.nan)
    shown = ~np.isnan(values)
    unknown = shown & np.isnan(answers)
    few = shown & (answers < threshold)
    flag = unknown | few
    out = data.copy()
    out[mean] = np.where(flag, np.nan, values)
    out[f"{mean}_prikket"] = flag
    out[f"{mean}_prikkegrunn"] = pd.array(
        np.select([few, unknown], [FEW_RESPONDENTS, UNKNOWN_RESPONDENTS], default=""), dtype="str"
    )
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
        """The table as display strings: Norwegian thousands separators, suppressed cells as
        ``marker``."""
        return self.values.apply(lambda s: format_suppressed(s, suppressed=self.suppressed[s.name], marker=marker))

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
    hidden = _secure(values, primary, row_total, col_total)

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


def recoverable(published: pd.DataFrame, *, row_total: bool = True, col_total: bool = True) -> pd.DataFrame:
    """Which hidden cells of a published table a reader can work out exactly.

    ``published`` is a table as shown: <NA> where hidden, with its totals column last (when
    ``row_total``) and its totals row last (when ``col_total``). A hidden cell is recoverable when

    - its value follows from the row and column equations (each line's cells add up to its total)
      by any linear combination, found by checking whether the cell's unit vector lies in the row
      space of the equations restricted to the hidden cells (singular value decomposition); this
      covers the simple case of a line with one hidden member, and hidden cells joined to the rest
      by a single link (e.g. two hidden rectangles joined by one cell); or
    - its line's total is shown and the hidden cells of the line sum to their number, so that, as
      zeros are never hidden, each is 1.

    Returns
    -------
    A bool frame shaped like ``published``: True where a hidden cell is recoverable.
    """
    if published.shape[0] == 0 or published.shape[1] == 0:
        return pd.DataFrame(False, index=published.index, columns=published.columns)
    hidden = published.isna().to_numpy()
    values = published.fillna(0).to_numpy(dtype="int64")
    found = _derivable(hidden, row_total, col_total) | _all_ones(values, hidden, row_total, col_total)
    return pd.DataFrame(found & hidden, index=published.index, columns=published.columns)


def _secure(values: np.ndarray, primary: np.ndarray, row_total: bool, col_total: bool) -> np.ndarray:
    hidden = primary.copy()
    for _ in range(values.size + 1):
        before = hidden.copy()
        if row_total:
            hidden = _secure_lines(values, hidden)
        if col_total:
            hidden = _secure_lines(values.T, hidden.T).T
        if (hidden != before).any():
            continue
        derivable = _derivable(hidden, row_total, col_total) | _all_ones(values, hidden, row_total, col_total)
        derivable &= hidden
        if not derivable.any():
            return hidden
        hidden = _widen(values, hidden, derivable, row_total, col_total)
    raise AssertionError("secondary suppression did not settle")  # pragma: no cover - see docstring


def _secure_lines(values: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """One pass over the rows of ``values``, whose last column is each row's total."""
    cells, cells_hidden, total_hidden = values[:, :-1], hidden[:, :-1], hidden[:, -1]
    k = cells_hidden.sum(axis=1)
    hidden_sum = np.where(cells_hidden, cells, 0).sum(axis=1)
    unsafe = (k + total_hidden == 1) | (~total_hidden & (k >= 2) & (hidden_sum == k))
    if not unsafe.any():
        return hidden
    hidden = hidden.copy()
    candidate = ~cells_hidden & (cells > 0)
    smallest = np.where(candidate, cells, np.iinfo(np.int64).max).argmin(axis=1)
    has = candidate.any(axis=1)
    rows = np.flatnonzero(unsafe & has)
    hidden[rows, smallest[rows]] = True
    rows = np.flatnonzero(unsafe & ~has & ~total_hidden)
    hidden[rows, -1] = True
    # A hidden total alone in a line of shown zeros cannot occur (a hidden total is positive, so
    # some cell is too); hide any shown cell to be safe.
    rows = np.flatnonzero(unsafe & ~has & total_hidden)
    if rows.size:
        first_shown = (~cells_hidden[rows]).argmax(axis=1)
        hidden[rows, first_shown] = True
    return hidden


def _equations(hidden: np.ndarray, row_total: bool, col_total: bool) -> np.ndarray:
    """The line equations restricted to the hidden cells: one row per line, one column per hidden
    cell (row-major), +1 for a cell and −1 for the line's total."""
    r, c = np.nonzero(hidden)
    n_rows, n_cols = hidden.shape
    parts = []
    if row_total:
        a = np.zeros((n_rows, r.size))
        a[r, np.arange(r.size)] = np.where(c == n_cols - 1, -1.0, 1.0)
        parts.append(a)
    if col_total:
        a = np.zeros((n_cols, r.size))
        a[c, np.arange(r.size)] = np.where(r == n_rows - 1, -1.0, 1.0)
        parts.append(a)
    return np.vstack(parts) if parts else np.zeros((0, r.size))


def _derivable(hidden: np.ndarray, row_total: bool, col_total: bool) -> np.ndarray:
    out = np.zeros_like(hidden)
    a = _equations(hidden, row_total, col_total)
    if a.size == 0:
        return out
    _, s, vt = np.linalg.svd(a, full_matrices=False)
    rank = int((s > 1e-9 * max(1.0, s.max(initial=0.0))).sum())
    # squared length of each unit vector's projection onto the row space: 1 means determined
    projection = (vt[:rank] ** 2).sum(axis=0)
    out[np.nonzero(hidden)] = projection > 1 - 1e-9
    return out


def _all_ones(values: np.ndarray, hidden: np.ndarray, row_total: bool, col_total: bool) -> np.ndarray:
    out = np.zeros_like(hidden)
    for flip, on in ((False, row_total), (True, col_total)):
        if not on:
            continue
        v, h = (values.T, hidden.T) if flip else (values, hidden)
        cells_hidden = h[:, :-1]
        k = cells_hidden.sum(axis=1)
        remainder = v[:, -1] - np.where(cells_hidden, 0, v[:, :-1]).sum(axis=1)
        ones = ~h[:, -1] & (k >= 1) & (remainder == k)
        mark = np.zeros_like(h)
        mark[:, :-1] = cells_hidden & ones[:, None]
        out |= mark.T if flip else mark
    return out


def _widen(values: np.ndarray, hidden: np.ndarray, derivable: np.ndarray, row_total: bool, col_total: bool):
    """Hide one more cell beside the first derivable one: the smallest shown non-zero inner cell
    of its row or column, else a shown total of its lines, else everything in its lines."""
    i, j = (int(x[0]) for x in np.nonzero(derivable))
    n_rows, n_cols = hidden.shape
    inner_r = n_rows - 1 if col_total else n_rows
    inner_c = n_cols - 1 if row_total else n_cols
    line = np.zeros_like(hidden)
    if row_total:
        line[i, :] = True
    if col_total:
        line[:, j] = True
    inner = np.zeros_like(hidden)
    inner[:inner_r, :inner_c] = True
    candidate = line & ~hidden & inner & (values > 0)
    hidden = hidden.copy()
    if candidate.any():
        hidden.flat[np.where(candidate, values, np.iinfo(np.int64).max).argmin()] = True
    elif (line & ~hidden & ~inner).any():
        hidden |= line & ~inner
    elif (line & ~hidden).any():
        hidden |= line
    else:
        # nothing left to hide around it: hide the whole table, which reveals nothing
        hidden[:] = True
    return hidden


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


# --------------------------------------------------------------------------- display


def format_suppressed(
    values: pd.Series,
    *,
    suppressed: pd.Series | None = None,
    marker: str = SUPPRESSED_MARKER,
    missing: str = "–",
    decimals: int = 0,
) -> pd.Series:
    """Display strings for a column of numbers in which some values are suppressed.

    A suppressed value shows as ``marker`` (``settings.SUPPRESSED_MARKER``, ":"), never as 0,
    "nan" or "<NA>". Numbers are written the Norwegian way (``12 345``, ``4,2``).

    Parameters
    ----------
    values : the numbers (suppressed ones are NA).
    suppressed : the matching ``<col>_prikket`` flags. When given, only flagged cells show the
        marker and other missing values show ``missing``; when omitted, every missing value is
        taken as suppressed.
    marker, missing : what a suppressed and a missing (not applicable) value show as.
    decimals : decimals shown.

    Returns
    -------
    A str Series with the index of ``values``.
    """
    isna = values.isna().to_numpy()
    flag = isna if suppressed is None else np.asarray(suppressed, dtype=bool)
    numbers = values.to_numpy(dtype="float64", na_value=np.nan)
    text = [
        marker if f else missing if n else f"{x:,.{decimals}f}".replace(",", NBSP).replace(".", ",")
        for x, n, f in zip(numbers, isna, flag, strict=True)
    ]
    return pd.Series(text, index=values.index, name=values.name, dtype="str")


# --------------------------------------------------------------------------- helpers


def _check_threshold(threshold) -> None:
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, int | float | np.integer | np.floating)
        or threshold < 1
    ):
        raise UsageError(f"The value for `threshold` must be a number of at least 1, but {threshold!r} was passed")


def _require(data: pd.DataFrame, columns: list[str], func: str) -> None:
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise UsageError(
            f"{func}() needs the column(s) {', '.join(map(repr, missing))} in `data`, "
            f"which has: {', '.join(map(str, data.columns))}"
        )


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
