"""The one number formatter (kompetanse.formatting): Norwegian thousands, decimal comma,
typographic minus, missing as a dash; and that it stands alone."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kompetanse.formatting import MINUS, MISSING, NBSP, number


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


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, pd.NaT, np.float64("nan")])
def test_missing_is_a_dash(missing):
    assert number(missing) == MISSING == "–"
    assert number(missing, 2, percent=True) == MISSING


def test_the_thousands_separator_can_be_an_ordinary_space():
    assert number(26213, thousands=" ") == "26 213"
    assert number(-1234567.25, 1, thousands=" ") == f"{MINUS}1 234 567,2"
    assert number(-0.001, 2, thousands=" ") == "0,00"


def test_tables_figures_and_pages_share_the_one_formatter():
    from kompetanse.reports import outcome_plots, plots, tables
    from kompetanse.site import pages

    assert tables.number is number
    assert plots.number is number and outcome_plots.number is number and pages.number is number


def test_formatting_imports_nothing_from_the_package():
    source = Path(__import__("kompetanse.formatting").formatting.__file__).read_text(encoding="utf-8")
    imported = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ]
    assert imported and not [m for m in imported if m and m.split(".")[0] == "kompetanse"]
