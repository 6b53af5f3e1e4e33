"""What every published, suppressed table must satisfy, shared by the disclosure and the
consistency tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kompetanse.analysis.disclosure import SuppressedTable, suppress_table


def suppress_and_check(table: pd.DataFrame, *, threshold: int, row_total: bool, col_total: bool):
    """Suppress ``table`` and check what a reader sees: the true values where shown, NA exactly
    where hidden, and no small count shown (zeros are shown). Returns (the suppressed table,
    the full table with its totals, the hidden mask)."""
    out: SuppressedTable = suppress_table(table, threshold=threshold, row_total=row_total, col_total=col_total)
    full = table.to_numpy(dtype="int64")
    if row_total:
        full = np.column_stack([full, full.sum(axis=1)])
    if col_total:
        full = np.vstack([full, full.sum(axis=0)])
    hidden = out.suppressed.to_numpy()
    published = out.values.to_numpy(dtype=object)
    assert (pd.isna(published) == hidden).all()
    assert (published[~hidden].astype("int64") == full[~hidden]).all()
    assert not ((full > 0) & (full < threshold) & ~hidden).any()
    return out, full, hidden
