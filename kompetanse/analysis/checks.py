"""Checks of the frames the analyses are given, worded the same everywhere."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from kompetanse.errors import UsageError

__all__ = ["require_columns"]


def require_columns(data: pd.DataFrame, columns: Iterable[str], func: str) -> None:
    """Raise `UsageError` naming every column of ``columns`` that ``data`` lacks, and the columns
    it has: "compare() needs the column(s) 'verdi' in `data`, which has: kommunenummer, barn".

    Parameters
    ----------
    data : the frame a caller passed.
    columns : the columns needed (a column named twice is reported once).
    func : the name of the function that needs them, for the message.
    """
    missing = [c for c in dict.fromkeys(columns) if c not in data.columns]
    if missing:
        raise UsageError(
            f"{func}() needs the column(s) {', '.join(map(repr, missing))} in `data`, "
            f"which has: {', '.join(map(str, data.columns))}"
        )
