"""Disclosure control: small counts and thin means are hidden, never shown as 0, and no hidden
cell of a published table can be worked out from what is shown."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kompetanse
from kompetanse.analysis.disclosure import recoverable, suppress_counts, suppress_table
from kompetanse.errors import UsageError
from kompetanse.settings import MIN_COUNT, SUPPRESSED_MARKER
from tests.disclosure_checks import suppress_and_check

# --------------------------------------------------------------------------- counts and means


def test_count_below_threshold_is_suppressed_not_zero():
    out = suppress_counts(pd.DataFrame({"antall_foreldre": [3, 1, 12]}), columns="antall_foreldre")
    assert out["antall_foreldre"].dtype == "Int64"
    assert out["antall_foreldre"].isna().tolist() == [True, True, False]
    assert 0 not in out["antall_foreldre"].dropna().tolist()
    assert out["antall_foreldre_prikket"].tolist() == [True, True, False]
    assert out["antall_foreldre_prikkegrunn"].tolist() == ["primar", "primar", ""]


def test_zero_and_the_threshold_itself_are_shown():
    out = suppress_counts(pd.DataFrame({"n": [0, MIN_COUNT - 1, MIN_COUNT]}), columns="n")
    assert out["n"].tolist() == [0, pd.NA, MIN_COUNT]


def test_threshold_is_a_parameter():
    data = pd.DataFrame({"n": [2, 3, 9]})
    assert suppress_counts(data, columns="n", threshold=3)["n_prikket"].tolist() == [True, False, False]
    assert suppress_counts(data, columns="n", threshold=10)["n_prikket"].tolist() == [True, True, True]
    table = pd.DataFrame({"a": [3, 10], "b": [10, 10]})
    assert suppress_table(table, threshold=3).suppressed.to_numpy().sum() == 0
    assert suppress_table(table, threshold=4).suppressed.iloc[0, 0]


def test_several_columns_are_suppressed_each_on_its_own():
    out = suppress_counts(pd.DataFrame({"a": [1, 7], "b": [8, 2]}), columns=["a", "b"])
    assert out["a_prikket"].tolist() == [True, False] and out["b_prikket"].tolist() == [False, True]


def test_missing_count_is_not_flagged_as_suppressed():
    out = suppress_counts(pd.DataFrame({"n": pd.array([pd.NA, 7], dtype="Int64")}), columns="n")
    assert out["n_prikket"].tolist() == [False, False]


def test_input_frame_is_not_changed():
    data = pd.DataFrame({"n": [1, 7]})
    suppress_counts(data, columns="n")
    assert data["n"].tolist() == [1, 7]


def test_fractional_or_negative_counts_are_refused():
    with pytest.raises(UsageError, match="whole counts"):
        suppress_counts(pd.DataFrame({"n": [1.5]}), columns="n")
    with pytest.raises(UsageError, match="0 or more"):
        suppress_counts(pd.DataFrame({"n": [-1]}), columns="n")


def test_threshold_below_one_is_refused():
    with pytest.raises(UsageError, match="^The value for `threshold` must be a number of at least 1, but 0 was passed$"):
        suppress_counts(pd.DataFrame({"n": [1]}), columns="n", threshold=0)


# --------------------------------------------------------------------------- tables with totals


def test_single_suppressed_cell_in_a_row_forces_a_second():
    table = pd.DataFrame({"x": [2, 6, 7], "y": [8, 9, 10], "z": [20, 30, 40]}, index=["A", "B", "C"])
    out = suppress_table(table)
    # Primary: A.x = 2. Row A then has one hidden cell, so its smallest other non-zero cell (8)
    # goes too; column x has one hidden cell, so B.x = 6 goes; column y likewise B.y = 9. Rows
    # and columns then each hide two cells (a rectangle), which nothing can undo.
    expected_hidden = {("A", "x"), ("A", "y"), ("B", "x"), ("B", "y")}
    hidden = {(r, c) for r, c in zip(*np.nonzero(out.suppressed.to_numpy()), strict=True)}
    assert {(out.values.index[r], out.values.columns[c]) for r, c in hidden} == expected_hidden
    assert out.reason.loc["A", "x"] == "primar"
    assert out.reason.loc["A", "y"] == out.reason.loc["B", "x"] == out.reason.loc["B", "y"] == "sekundar"
    # totals are computed and shown
    assert out.values["I alt"].tolist() == [30, 45, 57, 132]
    assert out.values.loc["I alt"].tolist() == [15, 27, 90, 132]
    assert not out.recoverable().to_numpy().any()


def test_hidden_cells_that_must_be_ones_get_company():
    # Two hidden 1s with their total shown: since zeros are shown, each hidden cell is at least
    # 1, so both would be 1. The next smallest cell is hidden too.
    out = suppress_table(pd.DataFrame({"a": [1], "b": [1], "c": [10]}), col_total=False)
    assert out.suppressed.to_numpy().tolist() == [[True, True, True, False]]
    assert out.values.iloc[0, -1] == 12


def test_a_lone_hidden_cell_among_zeros_hides_the_total():
    out = suppress_table(pd.DataFrame({"a": [3], "b": [0], "c": [0]}), col_total=False)
    assert out.suppressed.to_numpy().tolist() == [[True, False, False, True]]
    assert out.values.iloc[0, 1:3].tolist() == [0, 0]


def test_small_total_is_suppressed_as_well():
    out = suppress_table(pd.DataFrame({"a": [1, 10], "b": [2, 10]}))
    assert out.suppressed.loc[0, "I alt"]
    assert out.reason.loc[0, "I alt"] == "primar"


def test_hidden_blocks_joined_by_one_cell_are_widened():
    # Two hidden rectangles joined by the single cell (0, 2): every line hides two or more cells,
    # but adding rows 0 and 1 and subtracting columns 0 and 1 gives cell (0, 2) exactly.
    table = pd.DataFrame([[3, 3, 2, 0, 0], [3, 3, 0, 0, 0], [0, 0, 3, 3, 0], [0, 0, 3, 3, 0], [50, 50, 50, 50, 50]])
    out = suppress_table(table)
    assert not out.recoverable().to_numpy().any()
    assert out.suppressed.to_numpy().sum() > 9


def test_recoverable_finds_a_lone_hidden_cell_and_a_single_link():
    lone = pd.DataFrame({"a": [pd.NA, 4], "b": [8, 5], "I alt": [10, 9]}, dtype="Int64")
    assert recoverable(lone, col_total=False).to_numpy().tolist() == [[True, False, False], [False, False, False]]
    # rows 0-1 and 2-3 each hide a rectangle; (0, 2) links them
    x = pd.NA
    linked = pd.DataFrame(
        [[x, x, x, 0, 8], [x, x, 0, 0, 6], [0, 0, x, x, 6], [0, 0, x, x, 6], [6, 6, 8, 6, 26]], dtype="Int64"
    )
    found = recoverable(linked)
    assert found.iloc[0, 2] and found.to_numpy().sum() == 1


def test_recoverable_accepts_a_hidden_rectangle():
    x = pd.NA
    rectangle = pd.DataFrame([[x, x, 10, 22], [x, x, 12, 25], [7, 7, 7, 21], [17, 23, 29, 68]], dtype="Int64")
    assert not recoverable(rectangle).to_numpy().any()


def test_tidy_and_formatted_show_the_marker_never_zero():
    table = pd.DataFrame(
        {"digital": [3, 10], "fysisk": [7, 12]}, index=pd.Index(["foreldremote", "personalmote"], name="type")
    )
    out = suppress_table(table)
    tidy = out.tidy()
    assert len(tidy) == 9
    assert list(tidy.columns) == ["type", "kolonne", "verdi", "verdi_prikket", "verdi_prikkegrunn"]
    assert tidy["verdi"].isna().sum() == 4 and tidy["verdi_prikket"].sum() == 4
    shown = out.formatted()
    assert shown.loc["foreldremote", "digital"] == SUPPRESSED_MARKER
    assert shown.loc["I alt", "I alt"] == "32"
    assert "0" not in shown.to_numpy().ravel().tolist()


def test_table_with_a_missing_cell_is_refused():
    with pytest.raises(UsageError, match="write 0 where there were none"):
        suppress_table(pd.DataFrame({"a": [1.0, np.nan]}))


def test_categorical_columns_take_a_total():
    levels = pd.CategoricalIndex(kompetanse.LEVELS, categories=kompetanse.LEVELS, name="niva")
    table = pd.DataFrame([[10, 20, 30]], columns=levels)
    out = suppress_table(table)
    assert list(out.values.columns) == [*kompetanse.LEVELS, "I alt"]
    assert out.values.columns.name == "niva"


def test_formatted_writes_thousands_the_norwegian_way_and_any_marker():
    table = pd.DataFrame({"a": [1234, 2], "b": [0, 3]}, index=["x", "y"])
    shown = suppress_table(table, row_total=False, col_total=False).formatted(marker="*")
    assert shown.to_numpy().tolist() == [["1\u00a0234", "0"], ["*", "*"]]


# --------------------------------------------------------------------------- property test


def _lines(values: np.ndarray, hidden: np.ndarray, row_total: bool, col_total: bool):
    """Each line as (cell positions, total position), written out independently of the module."""
    n_rows, n_cols = values.shape
    if row_total:
        for i in range(n_rows):
            yield [(i, j) for j in range(n_cols - 1)], (i, n_cols - 1)
    if col_total:
        for j in range(n_cols):
            yield [(i, j) for i in range(n_rows - 1)], (n_rows - 1, j)


def _derivable_by_rank(hidden: np.ndarray, row_total: bool, col_total: bool) -> set[tuple[int, int]]:
    """Hidden cells whose unit vector lies in the row space of the line equations."""
    unknowns = [tuple(p) for p in np.argwhere(hidden)]
    if not unknowns:
        return set()
    position = {p: k for k, p in enumerate(unknowns)}
    equations = []
    for cells, total in _lines(hidden, hidden, row_total, col_total):
        row = np.zeros(len(unknowns))
        for p in cells:
            if p in position:
                row[position[p]] = 1
        if total in position:
            row[position[total]] = -1
        equations.append(row)
    if not equations:
        return set()
    a = np.array(equations)
    rank = np.linalg.matrix_rank(a)
    found = set()
    for p, k in position.items():
        unit = np.zeros(len(unknowns))
        unit[k] = 1
        if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            found.add(p)
    return found


counts = st.one_of(st.integers(0, 6), st.integers(0, 40))


@st.composite
def count_tables(draw):
    rows = draw(st.integers(1, 6))
    cols = draw(st.integers(1, 5))
    cells = draw(st.lists(st.lists(counts, min_size=cols, max_size=cols), min_size=rows, max_size=rows))
    return pd.DataFrame(cells)


@settings(max_examples=300, deadline=None)
@given(
    table=count_tables(),
    threshold=st.integers(2, 6),
    row_total=st.booleans(),
    col_total=st.booleans(),
)
def test_suppressed_cell_cannot_be_recovered_from_totals(table, threshold, row_total, col_total):
    # shown values are the true ones, NA exactly where hidden, no small count shown
    out, full, hidden = suppress_and_check(table, threshold=threshold, row_total=row_total, col_total=col_total)
    for cells, total in _lines(full, hidden, row_total, col_total):
        members = [*cells, total]
        n_hidden = sum(hidden[p] for p in members)
        # no line has exactly one hidden member: the total minus the shown cells would give it
        assert n_hidden != 1
        # nor hidden cells that must all be 1 next to a shown total
        k = sum(hidden[p] for p in cells)
        if k and not hidden[total]:
            assert sum(full[p] for p in cells if hidden[p]) != k
    # and no combination of rows and columns gives a hidden cell exactly
    assert _derivable_by_rank(hidden, row_total, col_total) == set()
    assert not out.recoverable().to_numpy().any()


def test_parents_per_municipality_and_level_on_the_sample():
    ds = kompetanse.load()
    t = ds.tilbud[ds.tilbud["ar"] == 2025]
    table = t.pivot_table(
        index="kommunenummer", columns="niva", values="antall_foreldre", aggfunc="sum", fill_value=0, observed=True
    )
    out = suppress_table(table)
    hidden = out.suppressed.to_numpy()
    assert hidden.any()
    assert not out.recoverable().to_numpy().any()
    inner = out.values.iloc[:-1, :-1]
    shown = ~out.suppressed.iloc[:-1, :-1].to_numpy()
    assert (inner.to_numpy(dtype=object)[shown].astype(int) == table.to_numpy()[shown]).all()
    assert out.values.loc["I alt", "I alt"] == table.to_numpy().sum()


# --------------------------------------------------------------------------- rows published with their totals


def test_rows_with_their_total_hide_what_the_total_would_give_away():
    from kompetanse.analysis.disclosure import suppress_with_totals

    data = pd.DataFrame({"n": pd.array([3, 30, 50, 0, pd.NA], dtype="Int64"), "m": [0, 0, 0, 0, 0]})
    rows, totals = suppress_with_totals(data, columns=["n", "m"])
    # 3 alone would be 83 − 30 − 50 − 0: the smallest other non-zero count goes too
    assert rows["n"].tolist() == [pd.NA, pd.NA, 50, 0, pd.NA]
    assert rows["n_prikkegrunn"].tolist() == ["primar", "sekundar", "", "", ""]
    assert rows["n_prikket"].tolist() == [True, True, False, False, False]  # missing is not suppressed
    assert totals["n"] == 83 and totals["m"] == 0
    assert not suppress_table(pd.DataFrame({"n": [3, 30, 50, 0]}), row_total=False).recoverable().any().any()


def test_a_small_total_is_hidden_with_its_rows():
    from kompetanse.analysis.disclosure import suppress_with_totals

    rows, totals = suppress_with_totals(pd.DataFrame({"n": [3, 0, 0]}), columns="n")
    assert rows["n_prikket"].tolist() == [True, False, False] and pd.isna(totals["n"])
    rows, totals = suppress_with_totals(pd.DataFrame({"n": [1, 1, 9]}), columns="n")
    # 1 and 1 under a shown total of 11 would each have to be 1 if 9 were shown
    assert rows["n_prikket"].all() and totals["n"] == 11


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 12), min_size=1, max_size=8))
def test_one_column_with_its_total_hides_the_total_only_when_it_is_small(cells):
    """The barometer hides a municipality's parents per 1 000 children exactly when its total is 1
    to 4; the offers table must hide its total then and only then, or the rate would show it."""
    from kompetanse.analysis.disclosure import suppress_with_totals

    rows, totals = suppress_with_totals(pd.DataFrame({"n": cells}), columns="n")
    assert pd.isna(totals["n"]) == (0 < sum(cells) < MIN_COUNT)
    shown = rows["n"].dropna()
    hidden = int(rows["n_prikket"].sum())
    assert hidden != 1 or pd.isna(totals["n"])  # one hidden row under a shown total is a subtraction
    if pd.notna(totals["n"]) and hidden:
        assert totals["n"] - shown.sum() > hidden  # not every hidden row forced to be 1
