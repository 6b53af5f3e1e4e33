"""The one number and date formatter (kompetanse.formatting): Norwegian thousands, decimal
comma, typographic minus, missing as a dash, in bokmål and nynorsk alike; dates with CLDR's
month and day names (Babel); and that it stands alone."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kompetanse.errors import UsageError
from kompetanse.formatting import MINUS, MISSING, NBSP, date_text, number


@pytest.mark.parametrize(
    ("value", "decimals", "percent", "expected"),
    [
        (0, 0, False, "0"),
        (7, 0, False, "7"),
        (999, 0, False, "999"),
        (1000, 0, False, f"1{NBSP}000"),
        (26213, 0, False, f"26{NBSP}213"),
        (1234567, 0, False, f"1{NBSP}234{NBSP}567"),
        (4.25, 1, False, "4,2"),  # half to even, as Python's format
        (4.35, 1, False, "4,3"),  # 4.35 is 4.3499... in binary
        (1234.5, 2, False, f"1{NBSP}234,50"),
        (-3, 0, False, f"{MINUS}3"),
        (-1234.5, 1, False, f"{MINUS}1{NBSP}234,5"),
        (-0.126, 2, False, f"{MINUS}0,13"),
        (-0.001, 2, False, "0,00"),  # never −0,00
        (-0.4, 0, False, "0"),
        (0.153, 1, True, f"15,3{NBSP}%"),
        (-0.05, 0, True, f"{MINUS}5{NBSP}%"),
        (np.int64(12345), 0, False, f"12{NBSP}345"),
        (np.float64(2.5), 1, False, "2,5"),
        (True, 0, False, "1"),
    ],
)
def test_numbers_the_norwegian_way(value, decimals, percent, expected):
    assert number(value, decimals, percent=percent) == expected
    # nynorsk writes numbers exactly as bokmål does
    assert number(value, decimals, percent=percent, lang="nn") == expected


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, pd.NaT, np.float64("nan")])
def test_missing_is_a_dash(missing):
    assert number(missing) == MISSING == "–"
    assert number(missing, 2, percent=True) == MISSING


def test_the_thousands_separator_can_be_an_ordinary_space():
    assert number(26213, thousands=" ") == "26 213"
    assert number(-1234567.25, 1, thousands=" ") == f"{MINUS}1 234 567,2"
    assert number(-0.001, 2, thousands=" ") == "0,00"


def test_babels_nb_and_nn_symbols_are_the_house_styles():
    from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol, get_minus_sign_symbol

    for lang in ("nb", "nn"):
        assert (get_group_symbol(lang), get_decimal_symbol(lang), get_minus_sign_symbol(lang)) == (NBSP, ",", MINUS)
        # away from ties and signs, Babel's own formatting agrees with ours
        assert format_decimal(1234567.891, "#,##0.00", locale=lang) == number(1234567.891, 2, lang=lang)
    # where they differ, ours is kept: a typographic minus, no "−0,00", the float's own rounding
    assert format_decimal(-12.5, "#,##0.0", locale="nb") == "-12,5" != number(-12.5, 1)
    assert format_decimal(-0.001, "#,##0.00", locale="nb") == "-0,00" != number(-0.001, 2)
    assert (format_decimal(2.675, "#,##0.00", locale="nb"), number(2.675, 2)) == ("2,68", "2,67")


@pytest.mark.parametrize(("lang", "style", "expected"), [
    ("nb", "long", "5. mars 2024"),
    ("nn", "long", "5. mars 2024"),
    ("nb", "full", "tirsdag 5. mars 2024"),
    ("nn", "full", "tysdag 5. mars 2024"),
    ("nb", "short", "05.03.2024"),
])
def test_dates_in_bokmal_and_nynorsk(lang, style, expected):
    assert date_text(dt.date(2024, 3, 5), lang, style) == expected


@pytest.mark.parametrize("value", [dt.datetime(2024, 3, 5, 23, 59), pd.Timestamp("2024-03-05"),
                                   np.datetime64("2024-03-05"), "2024-03-05"])
def test_a_date_may_be_given_in_any_of_its_forms(value):
    assert date_text(value, "nn", "full") == "tysdag 5. mars 2024"


def test_weekdays_and_months_differ_between_the_forms_where_the_words_do():
    saturday, monday = dt.date(2024, 3, 9), dt.date(2024, 3, 4)
    assert (date_text(saturday, "nb", "full"), date_text(saturday, "nn", "full")) == (
        "lørdag 9. mars 2024", "laurdag 9. mars 2024")
    assert date_text(monday, "nn", "full") == "måndag 4. mars 2024"
    assert date_text(dt.date(2025, 12, 31), "nn") == "31. desember 2025"


@pytest.mark.parametrize("missing", [None, pd.NaT, float("nan")])
def test_a_missing_date_is_a_dash(missing):
    assert date_text(missing) == MISSING


@pytest.mark.parametrize(("call", "name"), [
    (lambda: number(1, lang="en"), "lang"),
    (lambda: number(1, lang="no"), "lang"),
    (lambda: date_text(dt.date(2024, 3, 5), "nno"), "lang"),
    (lambda: date_text(dt.date(2024, 3, 5), "nb", "lang"), "style"),
    (lambda: date_text("not a date"), "d"),
])
def test_an_unknown_language_style_or_date_is_an_argument_error(call, name):
    with pytest.raises(UsageError, match=f"`{name}`"):
        call()


def test_tables_figures_and_pages_share_the_one_formatter():
    from kompetanse.reports import outcome_plots, plots, tables
    from kompetanse.site import pages

    assert tables.number is number
    assert plots.number is number and outcome_plots.number is number and pages.number is number


def test_formatting_imports_nothing_from_the_package_but_errors():
    # kompetanse.errors stands alone too (test_errors): its argument_error is the one message
    # for a bad argument, here for an unknown language or date style
    source = Path(__import__("kompetanse.formatting").formatting.__file__).read_text(encoding="utf-8")
    imported = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ]
    assert imported and {m for m in imported if m and m.split(".")[0] == "kompetanse"} == {"kompetanse.errors"}
