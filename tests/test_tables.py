"""Tables for people: Norwegian number format, suppressed cells marked, text escaped."""

import numpy as np
import pandas as pd
import pytest

from kompetanse.reports.tables import MISSING, NBSP, neutralise_formula, number, table


def test_numbers_get_thousands_separators_and_decimal_comma():
    assert number(1234567) == f"1{NBSP}234{NBSP}567"
    assert number(4.25, 1) == "4,2" or number(4.25, 1) == "4,3"
    assert number(0.456, 1, percent=True) == f"45,6{NBSP}%"
    assert number(float("nan")) == MISSING and number(pd.NA) == MISSING
    assert number(-0.129, 3) == "\u22120,129" and number(-1234, 0) == f"\u22121{NBSP}234"
    assert number(-0.0004, 3) == "0,000"  # rounds to zero: no sign
    # ... and a spreadsheet gets an ASCII minus, which it reads as a number
    shown = table(pd.DataFrame({"x": [-1234.5, 2.0]}), columns={"x": "X"}, decimals={"x": 1}).to_spreadsheet()
    assert shown["X"].tolist() == [f"-1{NBSP}234,5", "2,0"]


def test_suppressed_cell_shows_the_marker_never_zero():
    df = pd.DataFrame({"foreldre": pd.array([12, pd.NA, 0], dtype="Int64"),
                       "foreldre_prikket": [False, True, False]})
    t = table(df, columns={"foreldre": "Foreldre"})
    assert t.to_frame()["Foreldre"].tolist() == ["12", ":", "0"]


def test_text_from_data_is_escaped_in_html():
    df = pd.DataFrame({"navn": ["<script>alert(1)</script>", "a & b"]})
    html = table(df, columns={"navn": "Navn"})._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html and "a &amp; b" in html


def test_short_text_stays_on_one_line_and_long_text_wraps():
    df = pd.DataFrame({"fylke": ["Møre og Romsdal", "Oslo"], "kommuner": ["Oslo", "Averøy, Fjord, Gjemnes, Hareid"],
                       "n": [1, 2]})
    html = table(df, columns={"fylke": "Fylke", "kommuner": "Kommuner", "n": "N"})._repr_html_()
    assert '<td class="kort">Møre og Romsdal</td>' in html and '<td class="kort">Oslo</td>' in html
    assert "<td>Averøy, Fjord, Gjemnes, Hareid</td>" in html and '<td class="num">1</td>' in html


def test_status_values_become_labelled_badges():
    df = pd.DataFrame({"status": ["sarbar", "dekket"]})
    html = table(df, columns={"status": "Status"}, status={"status": {"sarbar": "Sårbar", "dekket": "Dekket"}})._repr_html_()
    assert '<span class="status sarbar">Sårbar</span>' in html


def test_category_values_get_their_labels_and_unknown_values_stay():
    df = pd.DataFrame({"niva": pd.Categorical(["universell", "indikativ", "annet"]), "n": [1, 2, 3]})
    t = table(df, columns={"niva": "Nivå"}, labels={"niva": {"universell": "Universell", "indikativ": "Indikativ"}})
    assert t.to_frame()["Nivå"].tolist() == ["Universell", "Indikativ", "annet"]


def test_p_values_below_a_half_thousandth_show_as_less_than_0_001():
    df = pd.DataFrame({"p": [0.0004, 0.0006, 0.5, float("nan")]})
    shown = table(df, columns={"p": "p-verdi"}, p_values=["p"]).to_frame()["p-verdi"].tolist()
    assert shown == [f"<{NBSP}0,001", "0,001", "0,500", MISSING]


def test_spreadsheet_export_neutralises_formulas_but_not_numbers():
    assert neutralise_formula("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert neutralise_formula("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise_formula("  +cmd") == "'  +cmd"
    assert neutralise_formula("-4,5") == "-4,5"
    df = pd.DataFrame({"navn": ["=1+1", "Oslo"]})
    assert table(df, columns={"navn": "Navn"}).to_spreadsheet()["Navn"].tolist() == ["'=1+1", "Oslo"]


def _page_tables(nr: str) -> list:
    """Every Table the library gives a municipal page (the sections of kommune_rapport.ipynb)."""
    import kompetanse
    from kompetanse.reports import kommune

    p = kommune.profile(kompetanse.load(), nr)
    sections = ["summary_table", "comparison_table", "trend_table", "methods_table", "retention_table",
                "expiry_tables", "gaps_table", "offers_table", "programme_table"]
    found = []
    for name in sections:
        out = getattr(kommune, name)(p)
        found += getattr(out, "parts", [out])
    return [t for t in found if hasattr(t, "frame")]


@pytest.mark.parametrize("nr", ["0301", "1151", "4601"])
def test_the_plain_text_of_a_table_is_what_pandas_prints(nr):
    from kompetanse.reports.tables import plain_text

    tables = _page_tables(nr)
    assert len(tables) >= 6
    for t in tables:
        assert plain_text(t.frame) == t.frame.to_string(index=False)
        assert repr(t).endswith(t.frame.to_string(index=False))
    import kompetanse
    from kompetanse.reports import kommune

    barometer = kommune.barometer_table(kommune.profile(kompetanse.load(), nr))
    assert repr(barometer) == barometer.to_frame().to_string(index=False)


@pytest.mark.parametrize("frame", [
    pd.DataFrame({"a": ["1", "22"], "lang kolonne": ["x", "yy"]}),
    pd.DataFrame({"a": ["to\nlinjer", "b"]}),
    pd.DataFrame({"a": ["x", None], "b": [float("nan"), "y"]}, dtype=object),
    pd.DataFrame({"a": pd.Series(["x", pd.NA], dtype="str")}),
    pd.DataFrame({"tall": [1, 22]}),
    pd.DataFrame({"a": []}, dtype=object),
    pd.DataFrame(),
])
def test_plain_text_falls_back_to_pandas_for_anything_but_one_line_strings(frame):
    from kompetanse.reports.tables import plain_text

    assert plain_text(frame) == frame.to_string(index=False)


@pytest.mark.parametrize("frame", [
    pd.DataFrame({"a": ["x", "y"], "b": ["1", "2"]}, dtype=object),
    pd.DataFrame({"tekst": pd.Series(["x", pd.NA], dtype="str"), "tall": [1.5, float("nan")], "heltall": [1, 2],
                  "sann": [True, False], "dato": pd.to_datetime(["2025-01-01", None])}),
    pd.DataFrame({"a": ["x", None], "b": [float("nan"), "y"]}, dtype=object),
    pd.DataFrame({"a": [], "b": []}, dtype=object),
    pd.DataFrame(index=[0, 1]),
    pd.DataFrame({"class": ["x"], "def": ["y"], "1tall": ["z"]}, dtype=object),
    pd.DataFrame({"a": pd.array([1, None], dtype="Int64"), "b": pd.Categorical(["x", None]),
                  "c": pd.array([1.5, None], dtype="Float64"), "d": pd.array([True, None], dtype="boolean"),
                  "p": pd.period_range("2025Q1", periods=2, freq="Q")}),
])
def test_cell_rows_and_records_give_what_itertuples_gives(frame):
    """The fast row readers behind every table's HTML, text and downloads agree with pandas,
    for frames of display cells and for mixed frames alike (names that are not identifiers
    are renamed as itertuples renames them)."""
    from kompetanse.reports.tables import cell_rows, records

    def seen(rows):  # each value with its type (NaN equals itself here, as the rows must agree on it)
        return [[(type(v), repr(v)) for v in row] for row in rows]

    def value(v):  # a numpy scalar as the Python scalar it stands for
        return v.item() if isinstance(v, np.generic) else v

    expected = list(frame.itertuples(index=False))
    assert [r._fields for r in records(frame)] == [r._fields for r in expected]
    assert seen(records(frame)) == seen([tuple(map(value, row)) for row in expected])
    as_listed = list(zip(*(frame.iloc[:, i].tolist() for i in range(frame.shape[1])), strict=True))
    assert seen(cell_rows(frame)) == seen(as_listed if frame.shape[1] else [()] * len(frame))


def test_cell_rows_keep_the_cells_own_objects():
    """A status badge and a link are str subclasses that the HTML needs whole: reading the rows
    fast must not turn them into plain strings."""
    from kompetanse.reports.tables import LinkText, StatusText, cell_rows

    frame = pd.DataFrame({"status": [StatusText("dekket")], "navn": [LinkText("Oslo", "0301.html")]}, dtype=object)
    (status, link), = cell_rows(frame)
    assert type(status) is StatusText and status.status == "dekket"
    assert type(link) is LinkText and link.href == "0301.html"
    html = table(pd.DataFrame({"s": ["dekket"]}), columns={"s": "Status"},
                 status={"s": {"dekket": "Dekket"}})._repr_html_()
    assert '<span class="status dekket">Dekket</span>' in html
