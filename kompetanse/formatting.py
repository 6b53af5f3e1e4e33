"""Numbers and dates written the Norwegian way, in bokmål and nynorsk, in one place: ``12 345``
(a non-breaking space between thousands), ``4,2`` (a decimal comma), ``−0,13`` (a typographic
minus, never ``−0,00``), ``5. mars 2024`` and ``tysdag 5. mars 2024``.

The symbols and the month and day names are the Unicode CLDR's for the locale (``nb``, ``nn``),
through Babel. Numbers keep one implementation of their own rather than Babel's
``format_decimal``, which writes a hyphen-minus, keeps ``-0,00`` and rounds the decimal text of a
float rather than the float itself (``2.675`` to ``2,68``, where every figure and table here has
always shown ``2,67``); CLDR's grouping, decimal and minus symbols are the same for ``nb`` and
``nn``, so a number reads alike in both forms.

Every layer may use it: like `kompetanse.errors`, which is the one module it imports from the
package, it depends on nothing else in it.
"""

from __future__ import annotations

import datetime as dt
import functools
import math

import pandas as pd

from kompetanse.errors import argument_error, check_argument

__all__ = ["DATE_STYLES", "LANGUAGES", "MINUS", "MISSING", "NBSP", "date_text", "number"]

#: Between thousands, and between a number and its ``%``.
NBSP = "\u00a0"
#: The typographic minus of figures and tables (matplotlib's ticks use it too).
MINUS = "\u2212"
#: A value that is missing or not applicable (a suppressed value shows its marker instead).
MISSING = "–"
#: The language forms the reports are written in, as BCP 47 tags: bokmål and nynorsk.
LANGUAGES: tuple[str, ...] = ("nb", "nn")
#: Babel's date styles: ``short`` 05.03.2024, ``medium`` and ``long`` 5. mars 2024, ``full``
#: with the weekday.
DATE_STYLES: tuple[str, ...] = ("short", "medium", "long", "full")


@functools.cache
def _symbols(lang: str) -> tuple[str, str]:
    """CLDR's (thousands separator, decimal separator) for ``lang``; checked to be the ones the
    house style writes, so that bokmål and nynorsk numbers are one implementation."""
    from babel.numbers import get_decimal_symbol, get_group_symbol, get_minus_sign_symbol

    group, decimal, minus = get_group_symbol(lang), get_decimal_symbol(lang), get_minus_sign_symbol(lang)
    if minus != MINUS:  # a CLDR release that changed it would change every figure: say so
        raise RuntimeError(f"CLDR's minus sign for {lang!r} is {minus!r}, not the typographic minus")
    return group, decimal


def _check_language(lang: str) -> None:
    if lang not in LANGUAGES:
        check_argument("lang", LANGUAGES, lang)


def _missing(value) -> bool:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def number(value, decimals: int = 0, *, percent: bool = False, thousands: str | None = None,
           lang: str = "nb") -> str:
    """Format a number the Norwegian way: ``12 345``, ``4,2`` and ``−0,13``; missing as a dash.

    Parameters
    ----------
    value : a number, or None, NaN or ``pd.NA`` (shown as ``MISSING``, "–").
    decimals : decimals shown (rounded half to even on the float, as Python's format does).
    percent : multiply by 100 and append a non-breaking space and ``%`` (``0.153`` → ``15,3 %``).
    thousands : what separates thousands; None for the locale's, a non-breaking space, so that a
        number never breaks over two lines (the command line passes an ordinary space).
    lang : ``"nb"`` (bokmål) or ``"nn"`` (nynorsk): the locale whose CLDR symbols are used. The
        two write numbers alike.

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
    >>> number(0.153, 1, percent=True, lang="nn")
    '15,3\\xa0%'
    >>> number(26213, thousands=" ")
    '26 213'
    """
    _check_language(lang)
    if _missing(value):
        return MISSING
    group, comma = _symbols(lang)
    x = float(value) * (100 if percent else 1)
    text = f"{x:,.{decimals}f}".replace(",", group if thousands is None else thousands).replace(".", comma)
    if text.startswith("-"):
        text = text[1:] if not text.strip("-0,") else MINUS + text[1:]
    return f"{text}{NBSP}%" if percent else text


def date_text(d, lang: str = "nb", style: str = "long") -> str:
    """A date as Norwegian text, with CLDR's month and day names for the language form.

    Parameters
    ----------
    d : a date: `datetime.date`, `datetime.datetime`, `pandas.Timestamp`, ``numpy.datetime64``
        or an ISO text (``"2024-03-05"``); None, NaT or NaN is shown as ``MISSING`` ("–"). A
        time of day is dropped.
    lang : ``"nb"`` (bokmål) or ``"nn"`` (nynorsk).
    style : one of `DATE_STYLES`: ``"long"`` ``5. mars 2024`` (both forms), ``"full"``
        ``tirsdag 5. mars 2024`` / ``tysdag 5. mars 2024``, ``"short"`` ``05.03.2024``.

    Returns
    -------
    str : the date as text, months and weekdays in lower case as Norwegian writes them.

    Examples
    --------
    >>> import datetime as dt
    >>> date_text(dt.date(2024, 3, 5), "nn", "full")
    'tysdag 5. mars 2024'
    """
    _check_language(lang)
    if style not in DATE_STYLES:
        check_argument("style", DATE_STYLES, style)
    if _missing(d):
        return MISSING
    if not isinstance(d, dt.date) or isinstance(d, dt.datetime):
        try:
            d = pd.Timestamp(d).date()
        except (TypeError, ValueError) as exc:
            raise argument_error("d", "a date", d) from exc
    from babel.dates import format_date

    return format_date(d, style, locale=lang)
