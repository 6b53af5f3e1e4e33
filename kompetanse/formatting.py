"""Numbers written the Norwegian way, in one place: ``12 345`` (a non-breaking space between
thousands), ``4,2`` (a decimal comma) and ``−0,13`` (a typographic minus, never ``−0,00``).

Every layer may use it: like `kompetanse.errors`, this module imports nothing else from the
package.
"""

from __future__ import annotations

import math

import pandas as pd

__all__ = ["MINUS", "MISSING", "NBSP", "number"]

#: Between thousands, and between a number and its ``%``.
NBSP = "\u00a0"
#: The typographic minus of figures and tables (matplotlib's ticks use it too).
MINUS = "\u2212"
#: A value that is missing or not applicable (a suppressed value shows its marker instead).
MISSING = "–"


def number(value, decimals: int = 0, *, percent: bool = False, thousands: str = NBSP) -> str:
    """Format a number the Norwegian way: ``12 345``, ``4,2`` and ``−0,13``; missing as a dash.

    Parameters
    ----------
    value : a number, or None, NaN or ``pd.NA`` (shown as ``MISSING``, "–").
    decimals : decimals shown (rounded half to even, as Python's format does).
    percent : multiply by 100 and append a non-breaking space and ``%`` (``0.153`` → ``15,3 %``).
    thousands : what separates thousands; a non-breaking space by default, so that a number
        never breaks over two lines (the command line passes an ordinary space).

    Returns
    -------
    str : the number with a decimal comma, and a typographic minus where it is negative after
    rounding (``-0.001`` with 2 decimals is ``0,00``, not ``−0,00``).

    Examples
    --------
    >>> number(12345)
    '12\\xa0345'
    >>> number(-0.126, 2)
    '−0,13'
    >>> number(0.153, 1, percent=True)
    '15,3\\xa0%'
    >>> number(26213, thousands=" ")
    '26 213'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return MISSING
    try:
        if pd.isna(value):
            return MISSING
    except (TypeError, ValueError):
        pass
    x = float(value) * (100 if percent else 1)
    text = f"{x:,.{decimals}f}".replace(",", thousands).replace(".", ",")
    if text.startswith("-"):
        text = text[1:] if not text.strip("-0,") else MINUS + text[1:]
    return f"{text}{NBSP}%" if percent else text
