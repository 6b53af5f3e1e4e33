"""Retention with dates: per method, the quarter in which active certifications run out, and per
level, the quarter in which its coverage status would first change if nothing is done.

Definitions (``docs/definitions.md``, "Retention with dates"):

- **Horizon**: the days after the reference date ``on`` up to and including ``on`` + ``months``.
  It is cut into calendar quarters (``kvartal``, a pandas Period with quarterly frequency, named
  "2026 K1"). A quarter is **judged** on its last day, or on the horizon's last day for the last,
  partial quarter (``vurdert``).
- **Loss date** of an active certification (see `kompetanse.analysis.coverage`): the first day it
  no longer counts: its ``sertifisering_utloper`` (a certification is in force up to the day
  before), or the day after ``sluttet_dato`` (a person counts on the day they leave), whichever
  comes first. A certification expiring on the last day of a quarter is lost in that quarter; a
  person leaving on the last day of a quarter is lost in the next one.
- **Re-judging a level**: at the end of each quarter the level is judged with the rule of
  `coverage.coverage_by_level` (the same ``min_certified`` and ``expiry_months``), counting only
  people certified by ``on`` whose certification has not been lost (people in training are not
  counted, nothing new is done), exactly as `coverage.projected_coverage` does at the horizon.

Vectorised over municipalities: one judgement of all 357 per quarter. Counts only; no staff id
leaves this module.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from kompetanse.analysis.coverage import _PLACES, _active_rows, _check, _date, _level_status
from kompetanse.analysis.periods import DateLike
from kompetanse.data.reference import LEVELS
from kompetanse.errors import argument_error
from kompetanse.settings import EXPIRY_MONTHS, HORIZON_MONTHS, MIN_CERTIFIED

__all__ = ["ExpirySchedule", "expiry_schedule", "quarter_name", "quarters"]

_DAY = pd.Timedelta(days=1)


def quarter_name(kvartal: pd.Period) -> str:
    """``"2026 K1"`` for the first quarter of 2026 (the short label of tables and data)."""
    return f"{kvartal.year} K{kvartal.quarter}"


def quarters(on, months: int = HORIZON_MONTHS) -> pd.DataFrame:
    """The calendar quarters of the horizon after ``on``.

    Returns one row per quarter that has a day in (``on``, ``on`` + ``months``], in order, with
    ``kvartal`` (Period, quarterly), ``kvartal_navn`` ("2026 K1") and ``vurdert`` (the day the
    quarter is judged: its last day, or the horizon's last day when that comes first). Empty for
    ``months`` = 0.
    """
    if not isinstance(months, int) or isinstance(months, bool) or months < 0:
        raise argument_error("months", "a whole number of 0 or more", months)
    at = pd.Timestamp(on).normalize()
    end = at + pd.DateOffset(months=months)
    if months == 0:
        periods = pd.PeriodIndex([], freq="Q")
    else:
        periods = pd.period_range((at + _DAY).to_period("Q"), end.to_period("Q"), freq="Q")
    last_days = periods.to_timestamp(how="end").normalize()
    return pd.DataFrame({"kvartal": periods, "kvartal_navn": [quarter_name(q) for q in periods],
                         "vurdert": pd.DatetimeIndex(last_days).where(last_days < end, end)})


@dataclass(frozen=True)
class ExpirySchedule:
    """What runs out when, for every municipality (or one: `ExpirySchedule.kommune`).

    Attributes
    ----------
    methods : one row per (kommunenummer, metode, kvartal) for every method in which the
        municipality has active certified staff on ``on`` and every quarter of the horizon.
        Place names, ``metode``, ``nivaer`` (the levels the method serves, comma-separated codes
        in level order), ``aktive_na`` (distinct active certified persons in the method on ``on``),
        ``kvartal``, ``kvartal_navn``, ``vurdert``, ``utloper`` (persons whose certification in
        the method expires in the quarter, while they have not left), ``slutter`` (persons whose
        dated leaving ends their active certification in the quarter) and ``aktive_etter``
        (persons still active in the method when the quarter is judged).
    levels : one row per (kommunenummer, niva, kvartal) for every municipality, level and
        quarter: place names, ``niva``, ``status_na`` and ``kapasitet_na`` (as `coverage_by_level`
        on ``on``), ``kvartal``, ``kvartal_navn``, ``vurdert``, ``status``, ``kapasitet`` and
        ``sarbar_grunn`` when the quarter is judged, and ``endret`` (True where the status differs
        from the quarter before, or from the status now for the first quarter).
    changes : one row per (kommunenummer, niva): place names, ``niva``, ``status_na``,
        ``kapasitet_na``, ``forste_endring`` (the first quarter whose status differs from now; NaT
        when none does within the horizon), ``status_forste_endring`` (the status it becomes),
        ``status_ved_horisont`` (the status when the last quarter is judged) and ``endringer``
        (how many quarters change the status, 0–2).
    on, horizon : the reference date and the last day of the horizon.
    months : the horizon in months.
    """

    methods: pd.DataFrame
    levels: pd.DataFrame
    changes: pd.DataFrame
    on: pd.Timestamp
    horizon: pd.Timestamp
    months: int

    def kommune(self, kommunenummer: str) -> ExpirySchedule:
        """The schedule of one municipality (every frame filtered to it)."""
        if kommunenummer not in set(self.changes["kommunenummer"]):
            raise argument_error("kommunenummer", "a municipality of the data", kommunenummer)

        def only(frame: pd.DataFrame) -> pd.DataFrame:
            return frame[frame["kommunenummer"] == kommunenummer].reset_index(drop=True)

        return ExpirySchedule(only(self.methods), only(self.levels), only(self.changes), self.on, self.horizon,
                              self.months)


def _loss_dates(active: pd.DataFrame) -> pd.DataFrame:
    """Per active row: the day it stops counting and whether leaving (not expiry) is the cause."""
    expires = active["sertifisering_utloper"]
    leaves = active["sluttet_dato"] + _DAY
    tap = pd.concat([expires, leaves], axis=1).min(axis=1)
    return active.assign(tap=tap, ved_slutt=(leaves.notna() & (expires.isna() | (leaves < expires))).astype(bool))


def _method_schedule(ds, active: pd.DataFrame, grid: pd.DataFrame, horizon: pd.Timestamp) -> pd.DataFrame:
    keys = ["kommunenummer", "metode"]
    now = active.groupby(keys, observed=True)["ansatt_id"].nunique().rename("aktive_na").reset_index()
    levels = ds.metode_nivaer.assign(_rank=ds.metode_nivaer["niva"].map({v: i for i, v in enumerate(LEVELS)}))
    levels = levels.sort_values(["metode", "_rank"])
    served = (levels.assign(t=levels["niva"].astype("str") + ", ").groupby("metode", observed=True)["t"].sum()
              .str.removesuffix(", ").rename("nivaer").reset_index())
    frame = (ds.kommuner[_PLACES].merge(now, on="kommunenummer").merge(served, on="metode", how="left")
             .merge(grid, how="cross"))
    # one loss per person and method: the row's last day counted decides
    lost = _loss_dates(active).sort_values("tap").drop_duplicates(["kommunenummer", "ansatt_id", "metode"], keep="last")
    lost = lost[lost["tap"].notna() & (lost["tap"] <= horizon)]
    lost = lost.assign(kvartal=pd.PeriodIndex(lost["tap"].dt.to_period("Q")),
                       utloper=~lost["ved_slutt"], slutter=lost["ved_slutt"])
    counts = lost.groupby([*keys, "kvartal"], observed=True)[["utloper", "slutter"]].sum().reset_index()
    frame = frame.merge(counts, on=[*keys, "kvartal"], how="left")
    frame[["utloper", "slutter"]] = frame[["utloper", "slutter"]].fillna(0).astype("int64")
    frame = frame.sort_values([*keys, "kvartal"], ignore_index=True)
    gone = frame.groupby(keys, observed=True)[["utloper", "slutter"]].cumsum().sum(axis=1)
    frame["aktive_etter"] = frame["aktive_na"] - gone
    columns = [*_PLACES, "metode", "nivaer", "aktive_na", "kvartal", "kvartal_navn", "vurdert", "utloper", "slutter",
               "aktive_etter"]
    return frame[columns]


def _level_schedule(ds, now: pd.DataFrame, grid: pd.DataFrame, at: pd.Timestamp, *, min_certified: int,
                    expiry_months: int) -> pd.DataFrame:
    staff = ds.ansatte_kompetanse
    judged = [
        _level_status(ds, _active_rows(staff, at=day, certified_by=at), at=day, min_certified=min_certified,
                      expiry_months=expiry_months)[["kommunenummer", "niva", "status", "kapasitet", "sarbar_grunn"]]
        .assign(kvartal=q, kvartal_navn=name, vurdert=day)
        for q, name, day in grid.itertuples(index=False)  # one vectorised judgement per quarter (4–5)
    ]
    base = now[[*_PLACES, "niva", "status", "kapasitet"]].rename(
        columns={"status": "status_na", "kapasitet": "kapasitet_na"})
    if not judged:
        empty = base.iloc[:0].assign(kvartal=pd.PeriodIndex([], freq="Q"), kvartal_navn="", vurdert=pd.NaT,
                                     status=base["status_na"].iloc[:0], kapasitet=0, sarbar_grunn="", endret=False)
        return empty
    out = base.merge(pd.concat(judged, ignore_index=True), on=["kommunenummer", "niva"])
    out = out.sort_values(["kommunenummer", "niva", "kvartal"], ignore_index=True)
    before = out.groupby(["kommunenummer", "niva"], observed=True)["status"].shift(1)
    before = before.astype(out["status"].dtype).fillna(out["status_na"])
    out["endret"] = out["status"] != before
    return out


def _changes(now: pd.DataFrame, levels: pd.DataFrame) -> pd.DataFrame:
    keys = ["kommunenummer", "niva"]
    base = now[[*_PLACES, "niva", "status", "kapasitet"]].rename(
        columns={"status": "status_na", "kapasitet": "kapasitet_na"})
    changed = levels[levels["endret"]]
    first = changed.drop_duplicates(keys)[[*keys, "kvartal", "status"]].rename(
        columns={"kvartal": "forste_endring", "status": "status_forste_endring"})
    last = levels.drop_duplicates(keys, keep="last")[[*keys, "status"]].rename(
        columns={"status": "status_ved_horisont"})
    count = changed.groupby(keys, observed=True).size().rename("endringer").reset_index()
    out = base.merge(first, on=keys, how="left").merge(last, on=keys, how="left").merge(count, on=keys, how="left")
    out["forste_endring"] = pd.PeriodIndex(out["forste_endring"], freq="Q")
    out["status_forste_endring"] = out["status_forste_endring"].astype(base["status_na"].dtype)
    out["status_ved_horisont"] = out["status_ved_horisont"].astype(base["status_na"].dtype).fillna(out["status_na"])
    out["endringer"] = out["endringer"].fillna(0).astype("int64")
    return out.sort_values(keys, ignore_index=True)


def expiry_schedule(ds, *, on: DateLike | None = None, months: int = HORIZON_MONTHS,
                    min_certified: int = MIN_CERTIFIED, expiry_months: int = EXPIRY_MONTHS) -> ExpirySchedule:
    """When certifications run out per method, and when each level's status would first change
    if nothing is done, per quarter of the next ``months`` months.

    Parameters
    ----------
    ds : the Dataset.
    on : the reference date (default: the last day of the latest period).
    months : the horizon in months (default ``settings.HORIZON_MONTHS`` = 12).
    min_certified, expiry_months : the thresholds of the coverage status
        (`coverage.coverage_by_level`), used when the levels are judged again each quarter.

    Returns
    -------
    ExpirySchedule with three frames: ``methods`` (per municipality, method and quarter: active
    certified persons now, certifications expiring and persons leaving in the quarter, persons
    left), ``levels`` (per municipality, level and quarter: the status if nothing is done) and
    ``changes`` (per municipality and level: the first quarter the status changes, the status it
    becomes and the status at the end of the horizon). Two granularities, so two frames; see
    `ExpirySchedule` for every column and the module docstring for the definitions.

    Counts of persons per method are for the municipality's own use; what a published page may
    show of them is decided in `kompetanse.reports.expiry`.
    """
    _check(min_certified, expiry_months)
    at = _date(ds, on)
    grid = quarters(at, months)
    horizon = at + pd.DateOffset(months=months)
    active = _active_rows(ds.ansatte_kompetanse, at=at)
    now = _level_status(ds, active, at=at, min_certified=min_certified, expiry_months=expiry_months)
    methods = _method_schedule(ds, active, grid, horizon)
    levels = _level_schedule(ds, now, grid, at, min_certified=min_certified, expiry_months=expiry_months)
    return ExpirySchedule(methods, levels, _changes(now, levels), at, horizon, months)
