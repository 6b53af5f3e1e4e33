"""Periods and reference dates: one period is a calendar year; analyses look at a date."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from kompetanse.errors import UsageError, argument_error

__all__ = ["DateLike", "latest_period", "period_bounds", "reference_date"]

#: What ``on`` accepts: a date, a Timestamp or an ISO string. An analysis given ``on=None`` looks at
#: `reference_date` of its dataset, the last day of the latest period.
DateLike = dt.date | pd.Timestamp | str


def latest_period(ds) -> int:
    """The latest calendar year with data in ``tilbud`` or ``befolkning``."""
    years = pd.concat([ds.tilbud["ar"], ds.befolkning["ar"]])
    if years.empty:
        raise UsageError("The data has no rows in tilbud or befolkning, so it has no period to analyse")
    return int(years.max())


def reference_date(ds=None, *, on=None, periode: int | None = None) -> pd.Timestamp:
    """The date an analysis looks at.

    ``on`` wins when given (a date, datetime, Timestamp or ISO string); otherwise the last day of
    ``periode``; otherwise the last day of the latest period in ``ds``.
    """
    if on is not None:
        try:
            stamp = pd.Timestamp(on)
        except (ValueError, TypeError) as exc:
            raise argument_error("on", "a date", on) from exc
        if pd.isna(stamp):
            raise argument_error("on", "a date", on)
        return stamp.normalize()
    if periode is None:
        if ds is None:
            raise UsageError("Give `on`, `periode` or a dataset to take the latest period from")
        periode = latest_period(ds)
    return pd.Timestamp(dt.date(int(periode), 12, 31))


def period_bounds(periode: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of a period (calendar year)."""
    return pd.Timestamp(dt.date(periode, 1, 1)), pd.Timestamp(dt.date(periode, 12, 31))
