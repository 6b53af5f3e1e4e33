"""The content digest that keys the national analyses: remembered for data it has seen (a report
batch asks for it once per page), never for data that changed.

Every column of every table the national analyses read is edited in place in a copy of a data
set whose digest is remembered, in the ways pandas offers; the digest must then be the one a
fresh hash of the edited data gives, and differ from the original's.
"""

from __future__ import annotations

import pandas as pd
import pytest

import kompetanse
from kompetanse.reports import digest
from kompetanse.reports.kommune_national import _NATIONAL_INPUTS


@pytest.fixture
def seen():
    """A freshly loaded data set whose digest is remembered."""
    digest._MEMO.clear()
    ds = kompetanse.load()
    return ds, digest.content_digest(ds, _NATIONAL_INPUTS)


def _fresh(ds) -> str:
    return digest._digest({name: getattr(ds, name) for name in _NATIONAL_INPUTS})


def test_an_equal_copy_is_not_hashed_again(seen, monkeypatch):
    ds, first = seen
    calls = []
    monkeypatch.setattr(digest, "_digest", lambda frames: calls.append(1) or "hashed")
    for copy in (kompetanse.load(), ds.copy(), kompetanse.load().copy()):
        assert digest.content_digest(copy, _NATIONAL_INPUTS) == first
    assert calls == []


def _other_value(column: pd.Series):
    """A value of the column's own type that differs from its first value."""
    first = column.iloc[0]
    for value in column.iloc[1:]:
        if not (pd.isna(value) and pd.isna(first)) and (pd.isna(value) or pd.isna(first) or value != first):
            return value
    if isinstance(column.dtype, pd.CategoricalDtype):
        return next(c for c in column.cat.categories if c != first)
    return None


def _edits():
    ds = kompetanse.load()
    for name in _NATIONAL_INPUTS:
        frame = getattr(ds, name)
        for column in frame.columns:
            if _other_value(frame[column]) is not None:
                yield name, column


@pytest.mark.parametrize("how", ["loc", "iloc", "at"])
@pytest.mark.parametrize(("table", "column"), list(_edits()))
def test_a_value_written_in_place_is_seen(seen, table, column, how):
    ds, first = seen
    copy = kompetanse.load()
    frame = getattr(copy, table)
    value = _other_value(frame[column])
    position = frame.columns.get_loc(column)
    if how == "loc":
        frame.loc[frame.index[0], column] = value
    elif how == "iloc":
        frame.iloc[0, position] = value
    else:
        frame.at[frame.index[0], column] = value
    changed = digest.content_digest(copy, _NATIONAL_INPUTS)
    assert changed == _fresh(copy)
    assert changed != first
    # and the data set it was copied from is still known for what it is
    assert digest.content_digest(ds, _NATIONAL_INPUTS) == first


def _writable():
    """(table, column, accessor) whose array a value can be written into: ``.values`` of a
    nullable or categorical column, ``.array`` of most (numpy's ``.values`` is read-only)."""
    for table, column in _edits():
        for through in ("values", "array"):
            frame = getattr(kompetanse.load(), table).copy(deep=True)
            try:
                getattr(frame[column], through)[0] = _other_value(frame[column])
            except (ValueError, TypeError):
                continue
            yield table, column, through


@pytest.mark.parametrize(("table", "column", "through"), list(_writable()))
def test_a_value_written_around_copy_on_write_is_seen(seen, table, column, through):
    # Series.values of a nullable or categorical column, and Series.array of any, are the
    # column's own array: a write into it changes the values where they lie, which copy-on-write
    # does not see (found in review: the digest of the data before the write came back)
    _, first = seen
    copy = kompetanse.load()
    setattr(copy, table, getattr(copy, table).copy(deep=True))  # the write must not reach load's cache
    assert digest.content_digest(copy, _NATIONAL_INPUTS) == first  # remembered where it lies now
    frame = getattr(copy, table)
    value = _other_value(frame[column])
    getattr(frame[column], through)[0] = value
    changed = digest.content_digest(copy, _NATIONAL_INPUTS)
    assert changed == _fresh(copy)
    assert changed != first


@pytest.mark.filterwarnings("ignore:The inplace keyword")  # deprecated in pandas 3.1, still there to be used
@pytest.mark.parametrize("edit", [
    lambda f: f.rename(columns={f.columns[0]: "annet"}, inplace=True),
    lambda f: f.drop(index=f.index[-1], inplace=True),
    lambda f: f.sort_values(f.columns[-1], inplace=True, ascending=False, kind="stable"),
    lambda f: f.insert(0, "ny", 1),
    lambda f: f.pop(f.columns[-1]),
    lambda f: f.__setitem__(f.columns[0], f[f.columns[0]].iloc[::-1].to_numpy()),
    lambda f: f.fillna({c: 0 for c in f.columns if f[c].dtype.kind in "if"}, inplace=True),
], ids=["rename", "drop", "sort", "insert", "pop", "replace-column", "fillna"])
def test_a_table_changed_in_place_is_seen(seen, edit):
    _, first = seen
    for name in ("ansatte_kompetanse", "foreldreundersokelsen", "metoder"):
        copy = kompetanse.load()
        frame = getattr(copy, name)
        before = _fresh(copy)
        edit(frame)
        if _fresh(copy) == before:  # the edit changed nothing in this table (no missing number to fill)
            continue
        assert digest.content_digest(copy, _NATIONAL_INPUTS) == _fresh(copy) != first


def test_a_table_replaced_by_an_equal_one_keeps_the_digest(seen):
    _, first = seen
    copy = kompetanse.load()
    copy.kommuner = copy.kommuner.copy(deep=True)  # new memory, same values: hashed again, same digest
    assert digest.content_digest(copy, _NATIONAL_INPUTS) == first


def test_an_array_of_unknown_kind_is_always_hashed(seen, monkeypatch):
    ds, first = seen
    monkeypatch.setattr(digest, "_memory", lambda values: (_ for _ in ()).throw(TypeError("unknown")))
    calls = []
    real = digest._digest
    monkeypatch.setattr(digest, "_digest", lambda frames: calls.append(1) or real(frames))
    assert digest.content_digest(ds.copy(), _NATIONAL_INPUTS) == first
    assert calls == [1]
