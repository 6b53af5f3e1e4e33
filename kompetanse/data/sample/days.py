"""Dates as day numbers (int64 days since 1970-01-01), so that whole columns are drawn and
shifted with numpy; weekdays, month ends and calendar months."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kompetanse.data.sample.base import AS_OF, DATA_YEARS

_AS_OF = np.datetime64(AS_OF, "D")
_DAY0 = np.datetime64("1970-01-01", "D")


def _days(d: np.ndarray) -> np.ndarray:
    """Day numbers (int64, days since 1970-01-01) of a datetime64[D] array."""
    return (d - _DAY0).astype("int64")


def _day_numbers(values: pd.Series, fill: int) -> np.ndarray:
    """Day numbers of a datetime Series, ``fill`` where it is NaT."""
    d = values.to_numpy().astype("datetime64[D]")
    return np.where(np.isnat(d), fill, (d - _DAY0).astype("int64"))


def _dates(days: np.ndarray, missing: np.ndarray | None = None) -> pd.Series:
    """datetime64 values from day numbers, NaT where ``missing``."""
    values = _DAY0 + np.asarray(days, dtype="int64").astype("timedelta64[D]")
    if missing is not None:
        values = np.where(missing, np.datetime64("NaT", "D"), values)
    return pd.Series(pd.to_datetime(values))


def _weekday(days: np.ndarray) -> np.ndarray:
    """Monday = 0 … Sunday = 6 (1970-01-01 was a Thursday)."""
    return (days + 3) % 7


def _back_to_weekday(days: np.ndarray) -> np.ndarray:
    """Move Saturdays and Sundays back to the Friday before."""
    wd = _weekday(days)
    return days - np.where(wd >= 5, wd - 4, 0)


def _forward_to_weekday(days: np.ndarray) -> np.ndarray:
    """Move Saturdays and Sundays forward to the Monday after."""
    wd = _weekday(days)
    return days + np.where(wd >= 5, 7 - wd, 0)


def _add_months(days: np.ndarray, months: int) -> np.ndarray:
    """Day numbers ``months`` calendar months later (end-of-month clipped, as pandas does)."""
    shifted = pd.DatetimeIndex(_dates(days)) + pd.DateOffset(months=months)
    return _days(shifted.to_numpy().astype("datetime64[D]"))


def _month_end(days: np.ndarray) -> np.ndarray:
    months = (_DAY0 + days.astype("timedelta64[D]")).astype("datetime64[M]")
    return _days((months + 1).astype("datetime64[D]")) - 1


_DATA_START = _days(np.datetime64(f"{DATA_YEARS[0]}-01-01", "D"))
_DATA_END = _days(np.datetime64(f"{DATA_YEARS[-1]}-12-31", "D"))
_AS_OF_DAY = _days(_AS_OF)
