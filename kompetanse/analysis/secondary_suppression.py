"""Secondary suppression: which further cells of a table with totals to hide so that no hidden
cell can be worked out from the cells and totals shown, and the audit that checks it.

`kompetanse.analysis.disclosure.suppress_table` applies the rules (primary suppression, then
`secure`); `recoverable` audits any published table. Both work on numpy arrays whose last column
holds each row's total (when ``row_total``) and whose last row holds each column's total (when
``col_total``); everything is vectorised over all lines at once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["recoverable", "secure"]


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


def secure(values: np.ndarray, primary: np.ndarray, row_total: bool, col_total: bool) -> np.ndarray:
    """Which cells to hide: ``primary`` and as few more as the line rules and the audit need (see
    steps 2 and 3 of `kompetanse.analysis.disclosure.suppress_table`)."""
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
