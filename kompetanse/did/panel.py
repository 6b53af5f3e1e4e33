"""The panel: checks a long DataFrame against the columns it is said to have and turns it into
the wide arrays the estimators work on (one row per unit, one column per period).

Every check names the argument and the column, so a researcher can fix the call or the data
without reading the estimator.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kompetanse.errors import DataError, ParameterError, Problem, argument_error

__all__ = ["NoEstimateError", "Panel", "prepare_panel"]


class NoEstimateError(DataError):
    """The panel is valid but holds no comparison that can be estimated.

    ``reason`` says which: ``"no_cohort"`` (no unit is ever treated), ``"cohort"`` (no cohort
    is observed both in the period before it was first treated and in another period),
    ``"no_controls"`` (treated periods from ``first_effect`` on, but no control in any of them),
    ``"post"`` (no cohort is observed from ``first_effect`` on) or ``"contrast"`` (the
    regression's treatment indicator does not vary). The message (``expected``) is one sentence
    naming the cause; ``file`` and ``value`` let a caller say it of its own table.
    """

    def __init__(self, reason: str, column: str | None, expected: str, *, file: str = "data",
                 value: str | None = None):
        self.reason = reason
        super().__init__([Problem(file, None, column, value, expected)])


@dataclass(frozen=True)
class Panel:
    """Wide arrays of a checked panel: ``U`` units, ``T`` periods.

    Attributes
    ----------
    y : (U, T) outcome, NaN where the unit is not observed in the period.
    w : (U, T) weight (1 everywhere when no weight column was given), NaN where not observed.
    times : (T,) the periods, sorted, as whole numbers.
    g : (U,) the period each unit is first treated in; ``inf`` for a unit never treated.
    units : (U,) the unit labels (tuples when the unit is identified by several columns).
    clusters, c_idx : the cluster labels and each unit's position among them.
    strata, s_idx : the stratum labels and each unit's position among them.
    """

    y: np.ndarray
    w: np.ndarray
    times: np.ndarray
    g: np.ndarray
    units: np.ndarray
    clusters: np.ndarray
    c_idx: np.ndarray
    strata: np.ndarray
    s_idx: np.ndarray


def prepare_panel(
    data: pd.DataFrame,
    *,
    unit: Hashable | Sequence[Hashable],
    time: Hashable,
    cohort: Hashable,
    outcome: Hashable,
    weight: Hashable | None = None,
    cluster: Hashable | None = None,
    strata: Hashable | None = None,
) -> Panel:
    """Check ``data`` and return its :class:`Panel`.

    Rows whose outcome is missing are dropped (the unit is not observed in that period). A
    cohort that is missing (NaN, None, ``pd.NA``), 0 or infinite marks a unit never treated.

    Raises
    ------
    ParameterError : ``data`` is not a DataFrame; a named column is missing; the outcome, time,
        cohort or weight column is not numeric; a period or cohort is not a whole number; a weight
        is missing, negative or zero; a unit appears twice in a period; a unit's cohort, cluster
        or stratum changes over time; a unit has no cluster or stratum; 0 is both a period and
        the never-treated mark.
    """
    if not isinstance(data, pd.DataFrame):
        raise argument_error("data", "a pandas DataFrame in long form (one row per unit and period)",
                             type(data).__name__, cls=ParameterError)
    unit_cols = list(unit) if isinstance(unit, list | tuple) else [unit]
    if not unit_cols:
        raise argument_error("unit", "a column of `data` or a list of columns", unit, cls=ParameterError)
    named = {"time": time, "cohort": cohort, "outcome": outcome, "weight": weight, "cluster": cluster,
             "strata": strata}
    for name, column in [("unit", c) for c in unit_cols] + list(named.items()):
        if column is not None:
            _require_column(data, name, column)
    for name in ("outcome", "time", "cohort") + (("weight",) if weight is not None else ()):
        _require_numeric(data, name, named[name])

    columns = list(dict.fromkeys([*unit_cols, time, cohort, outcome, *(c for c in (weight, cluster, strata)
                                                                       if c is not None)]))
    f = data.loc[data[outcome].notna(), columns]
    _require_present(f, "time", time)
    _require_whole(f[time], "time", time)
    periods = f[time].astype("int64")
    start = f[cohort].astype("float64")
    never = start.isna() | (start == 0) | np.isinf(start)
    _require_whole(start[~never], "cohort", cohort)
    if (start == 0).any() and (periods == 0).any():
        raise argument_error("cohort", "the first period a unit is treated in, with 0 or a missing value for "
                             "never treated", 0, cls=ParameterError,
                             detail=f"0 is also a period in column {time!r}; mark never-treated units "
                                    f"with a missing value instead")
    if weight is not None:
        bad = ~(np.isfinite(f[weight].astype("float64")) & (f[weight].astype("float64") > 0))
        if bad.any():
            raise argument_error("weight", "a column of positive, finite numbers where the outcome is observed",
                                 weight, cls=ParameterError,
                                 detail=f"row {bad.idxmax()!r} has {f.loc[bad.idxmax(), weight]!r}")
    for name in ("cluster", "strata"):
        if named[name] is not None:
            _require_present(f, name, named[name])
    f = f.copy()
    f[time] = periods
    f[cohort] = np.where(never, np.inf, start)

    duplicated = f.duplicated([*unit_cols, time])
    if duplicated.any():
        row = f.loc[duplicated.idxmax()]
        raise argument_error("unit", "columns that identify one row per unit and period", _label(unit),
                             cls=ParameterError,
                             detail=f"unit {_unit_text(row, unit_cols)} has more than one row in period {row[time]}")
    by_unit = f.groupby(unit_cols, sort=True, dropna=False)
    for name in ("cohort", "cluster", "strata"):
        column = named[name]
        if column is None or column in unit_cols:
            continue
        varies = by_unit[column].nunique(dropna=False) > 1
        if varies.any():
            first = varies.index[varies.to_numpy().argmax()]
            raise argument_error(name, "a column that is constant within each unit", column, cls=ParameterError,
                                 detail=f"unit {first!r} has more than one value of {column!r} over time")

    y = f.pivot(index=unit_cols, columns=time, values=outcome).sort_index()
    w = (f.pivot(index=unit_cols, columns=time, values=weight).reindex_like(y).to_numpy(dtype="float64")
         if weight is not None else np.where(y.isna(), np.nan, 1.0))
    per_unit = by_unit.first().reindex(y.index) if len(f) else f.set_index(unit_cols)
    units = y.index.to_numpy()
    if cluster is None:  # each unit its own cluster
        c_idx, clusters = np.arange(len(y)), units
    else:
        c_idx, clusters = pd.factorize(_unit_attribute(y.index, per_unit, cluster), sort=True)
    if strata is None:
        s_idx, strata_labels = np.zeros(len(y), dtype="int64"), np.array([None])
    else:
        s_idx, strata_labels = pd.factorize(_unit_attribute(y.index, per_unit, strata), sort=True)
    return Panel(
        y=y.to_numpy(dtype="float64"),
        w=w,
        times=y.columns.to_numpy(dtype="int64"),
        g=per_unit[cohort].to_numpy(dtype="float64") if len(f) else np.zeros(0),
        units=units,
        clusters=np.asarray(clusters),
        c_idx=np.asarray(c_idx, dtype="int64"),
        strata=np.asarray(strata_labels),
        s_idx=np.asarray(s_idx, dtype="int64"),
    )


def _unit_attribute(index: pd.Index, per_unit: pd.DataFrame, column) -> np.ndarray:
    """Each unit's cluster or stratum label (a column of the unit's own, or constant within it)."""
    if column in index.names:
        return index.get_level_values(column).to_numpy()
    return per_unit[column].to_numpy()


def _require_column(data: pd.DataFrame, name: str, column) -> None:
    if not isinstance(column, Hashable) or column not in data.columns:
        listed = ", ".join(map(repr, data.columns[:20])) + (", …" if len(data.columns) > 20 else "")
        raise argument_error(name, "the name of a column of `data`", column, cls=ParameterError,
                             detail=f"`data` has the columns {listed or '(none)'}")


def _require_numeric(data: pd.DataFrame, name: str, column) -> None:
    series = data[column]
    numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
    if not numeric and not (name == "cohort" and series.isna().all()):
        raise argument_error(name, "a column of numbers", column, cls=ParameterError,
                             detail=f"column {column!r} has dtype {series.dtype}")


def _require_present(f: pd.DataFrame, name: str, column) -> None:
    missing = f[column].isna()
    if missing.any():
        raise argument_error(name, "a column without missing values where the outcome is observed", column,
                             cls=ParameterError, detail=f"row {missing.idxmax()!r} has no value")


def _require_whole(values: pd.Series, name: str, column) -> None:
    numbers = values.astype("float64")
    bad = ~np.isfinite(numbers) | (numbers != np.round(numbers))
    if bad.any():
        what = "periods" if name == "time" else "first-treated periods"
        raise argument_error(name, f"a column of whole numbers ({what}, e.g. years)", column, cls=ParameterError,
                             detail=f"row {bad.idxmax()!r} has {values[bad.idxmax()]!r}")


def _label(unit) -> object:
    return unit if not isinstance(unit, list | tuple) else list(unit)


def _unit_text(row: pd.Series, unit_cols: list) -> str:
    return ", ".join(f"{c}={row[c]!r}" for c in unit_cols)
