"""Coverage of the three prevention levels and retention of competence, per municipality.

Definitions (``docs/definitions.md``, "Competence and coverage"):

- **Active certified** on a date: a staff row whose certification was in force that day:
  ``sertifisert_dato`` on or before the date, ``sertifisering_utloper`` empty or after it, and
  ``sluttet_dato`` empty or not before it (a person still counts on the day they leave). Rows
  with status ``sertifisert`` count; rows with status ``utgatt`` count only for dates before their
  recorded expiry (so earlier years are judged as they were); ``i_opplaering`` never counts.
- **Capacity at a level**: distinct active certified persons certified in a method whose
  ``nivaer`` include the level. A person certified in a method serving three levels counts once
  at each of them; a person certified in two methods at one level counts once there.
- **Status of a level**: ``dekket`` when at least one method serving it has ``min_certified``
  active certified persons and not every active certification at the level expires within
  ``expiry_months``; ``mangler`` when capacity is 0; otherwise ``sarbar``, with one reason in
  ``sarbar_grunn``, the first that holds of:

  1. ``"for_faa"``: fewer persons at the level than ``min_certified`` (with the default 2: the
     level rests on one person);
  2. ``"spredt"``: ``min_certified`` persons or more, but spread over methods so that no method
     has ``min_certified`` of them;
  3. ``"utloper"``: every active certification at the level has an expiry date within
     ``expiry_months``.

Every function is vectorised over all municipalities; none returns a staff id except
`active_certified`, which is a building block and must never be shown in a report.
"""

from __future__ import annotations

import pandas as pd

from kompetanse.analysis.periods import DateLike, period_bounds, reference_date
from kompetanse.data.reference import LEVELS
from kompetanse.settings import COVERAGE_STATUSES, EXPIRY_MONTHS, HORIZON_MONTHS, MIN_CERTIFIED

_STATUS = pd.CategoricalDtype(COVERAGE_STATUSES, ordered=True)
_LEVEL = pd.CategoricalDtype(LEVELS, ordered=True)
_PLACES = ["kommunenummer", "kommunenavn", "fylkesnummer", "fylkesnavn"]


def _date(ds, on) -> pd.Timestamp:
    return reference_date(ds, on=on)


def _active_rows(staff: pd.DataFrame, *, at: pd.Timestamp, certified_by: pd.Timestamp | None = None) -> pd.DataFrame:
    certified_by = at if certified_by is None else certified_by
    counts = staff["status"].isin(["sertifisert"]) | (
        (staff["status"] == "utgatt") & staff["sertifisering_utloper"].notna()
    )
    mask = (
        counts
        & (staff["sertifisert_dato"] <= certified_by)
        & (staff["sertifisering_utloper"].isna() | (staff["sertifisering_utloper"] > at))
        & _not_left(staff, at)
    )
    return staff.loc[mask.fillna(False).astype(bool)]


def _not_left(staff: pd.DataFrame, at) -> pd.Series:
    """True for rows whose person has not left before ``at`` (the contract: "not `sluttet_dato` before it")."""
    return staff["sluttet_dato"].isna() | (staff["sluttet_dato"] >= at)


def active_certified(ds, *, on: DateLike | None = None) -> pd.DataFrame:
    """The staff rows that count as capacity on ``on`` (see the module docstring).

    Individual rows: a building block for the other analyses, never to be shown in a report.
    Returns the columns of ``ds.ansatte_kompetanse``.
    """
    return _active_rows(ds.ansatte_kompetanse, at=_date(ds, on)).reset_index(drop=True)


def _grid(ds) -> pd.DataFrame:
    """Every municipality × level, with place names."""
    places = ds.kommuner[_PLACES]
    grid = places.merge(pd.DataFrame({"niva": pd.Categorical(LEVELS, dtype=_LEVEL)}), how="cross")
    return grid


def _children(ds, year: int) -> pd.DataFrame:
    """Children 0–17 per municipality in ``year``, falling back to the latest earlier year."""
    b = ds.befolkning[ds.befolkning["ar"] <= year].sort_values("ar")
    return b.drop_duplicates("kommunenummer", keep="last")[["kommunenummer", "barn_0_17"]]


def _level_status(ds, active: pd.DataFrame, *, at: pd.Timestamp, min_certified: int,
                  expiry_months: int) -> pd.DataFrame:
    """Capacity and status of every municipality × level from a frame of active rows."""
    by_level = active[["kommunenummer", "ansatt_id", "metode", "sertifisering_utloper"]].merge(
        ds.metode_nivaer, on="metode", how="inner")
    persons = by_level.groupby(["kommunenummer", "niva"], observed=True)["ansatt_id"].nunique().rename("kapasitet")
    per_method = by_level.groupby(["kommunenummer", "niva", "metode"], observed=True)["ansatt_id"].nunique()
    largest = per_method.groupby(level=["kommunenummer", "niva"], observed=True).max().rename("storste_metode")
    # names joined by a vectorised string sum, not a Python join per municipality and level
    named = per_method.reset_index().sort_values("metode")
    by_place = named.assign(navn=named["metode"] + ", ").groupby(["kommunenummer", "niva"], observed=True)
    methods = pd.DataFrame({"metoder": by_place.size(),
                            "metoder_i_bruk": by_place["navn"].sum().str.removesuffix(", ")})
    horizon = at + pd.DateOffset(months=expiry_months)
    expiring = by_level["sertifisering_utloper"].notna() & (by_level["sertifisering_utloper"] <= horizon)
    all_expiring = expiring.groupby([by_level["kommunenummer"], by_level["niva"]], observed=True).all()
    stats = pd.concat([persons, largest, methods, all_expiring.rename("alle_utloper")], axis=1).reset_index()

    out = _grid(ds).merge(stats, on=["kommunenummer", "niva"], how="left")
    out["kapasitet"] = out["kapasitet"].fillna(0).astype("int64")
    out["metoder"] = out["metoder"].fillna(0).astype("int64")
    out["metoder_i_bruk"] = out["metoder_i_bruk"].fillna("").astype("str")
    few = out["storste_metode"].fillna(0) < min_certified
    expires = out["alle_utloper"].fillna(False).astype(bool)
    has = out["kapasitet"] > 0
    status = pd.Series("dekket", index=out.index).mask(has & (few | expires), "sarbar").mask(~has, "mangler")
    out["status"] = status.astype(_STATUS)
    reason = (pd.Series("", index=out.index).mask(has & expires, "utloper").mask(has & few, "spredt")
              .mask(has & (out["kapasitet"] < min_certified), "for_faa"))
    out["sarbar_grunn"] = reason.astype("str")
    return out.drop(columns=["storste_metode", "alle_utloper"])


def _given_coverage(ds, coverage: pd.DataFrame, thresholds: dict | None = None) -> pd.DataFrame:
    """``coverage`` passed in by a caller, checked to be a `coverage_by_level` frame of ``ds``."""
    from kompetanse.errors import UsageError, argument_error

    if thresholds:
        raise UsageError("Pass thresholds to the `coverage_by_level` call that made `coverage`, not beside it: "
                         f"{', '.join(sorted(thresholds))} was passed")
    missing = [c for c in [*_PLACES, "niva", "kapasitet", "status"] if c not in coverage.columns]
    if missing or len(coverage) != len(ds.kommuner) * len(LEVELS):
        raise argument_error("coverage", "the output of `coverage_by_level` on this Dataset",
                             f"{len(coverage)} rows", detail=f"lacks {', '.join(missing)}" if missing else
                             f"one row per municipality and level is {len(ds.kommuner) * len(LEVELS)} rows")
    return coverage


def _check(min_certified: int, expiry_months: int) -> None:
    from kompetanse.errors import argument_error

    if not isinstance(min_certified, int) or min_certified < 1:
        raise argument_error("min_certified", "a whole number of 1 or more", min_certified)
    if not isinstance(expiry_months, int) or expiry_months < 0:
        raise argument_error("expiry_months", "a whole number of 0 or more", expiry_months)


def coverage_by_level(ds, *, on: DateLike | None = None, min_certified: int = MIN_CERTIFIED,
                      expiry_months: int = EXPIRY_MONTHS) -> pd.DataFrame:
    """Coverage status per municipality and prevention level on a date.

    A level is ``dekket`` when at least one method serving it has ``min_certified`` active
    certified persons and not every active certification at the level expires within
    ``expiry_months``; ``sarbar`` when there is capacity but it rests on too few people or
    expires; ``mangler`` without capacity (see the module docstring for every definition).

    Parameters
    ----------
    ds : the Dataset.
    on : the reference date (default: the last day of the latest period).
    min_certified : active certified persons one method needs for a level to be ``dekket``.
    expiry_months : a level whose certifications all expire within this many months is ``sarbar``.

    Returns
    -------
    One row per (kommunenummer, niva) for every municipality and all three levels, sorted, with
    kommunenavn, fylkesnummer, fylkesnavn, ``niva`` (ordered categorical), ``kapasitet``
    (persons), ``barn_0_17`` (children in the year of ``on``, or the latest earlier year),
    ``kapasitet_per_1000`` (per 1,000 children; NaN without a denominator), ``metoder`` and
    ``metoder_i_bruk`` (methods with active staff at the level), ``tilbud_grupper`` and
    ``foreldre_naadd`` (groups held and parents reached in ``tilbud`` at the level in the year of
    ``on``), ``status`` (ordered categorical dekket, sarbar, mangler) and ``sarbar_grunn`` (why a
    ``sarbar`` level is: ``for_faa`` fewer persons than ``min_certified``, ``spredt`` enough
    persons but no method with ``min_certified``, ``utloper`` every certification expires within
    ``expiry_months``, the first that holds; empty for ``dekket`` and ``mangler``).
    """
    _check(min_certified, expiry_months)
    at = _date(ds, on)
    active = _active_rows(ds.ansatte_kompetanse, at=at)
    out = _level_status(ds, active, at=at, min_certified=min_certified, expiry_months=expiry_months)
    out = out.merge(_children(ds, at.year), on="kommunenummer", how="left")
    out["barn_0_17"] = out["barn_0_17"].astype("Int64")
    out["kapasitet_per_1000"] = (out["kapasitet"] / out["barn_0_17"].astype("float64").where(lambda s: s > 0)
                                 * 1000)
    offers = (ds.tilbud[ds.tilbud["ar"] == at.year].groupby(["kommunenummer", "niva"], observed=True)
              [["antall_grupper", "antall_foreldre"]].sum()
              .rename(columns={"antall_grupper": "tilbud_grupper", "antall_foreldre": "foreldre_naadd"}).reset_index())
    out = out.merge(offers, on=["kommunenummer", "niva"], how="left")
    out[["tilbud_grupper", "foreldre_naadd"]] = out[["tilbud_grupper", "foreldre_naadd"]].fillna(0).astype("int64")
    columns = [*_PLACES, "niva", "kapasitet", "barn_0_17", "kapasitet_per_1000", "metoder", "metoder_i_bruk",
               "tilbud_grupper", "foreldre_naadd", "status", "sarbar_grunn"]
    return out[columns].sort_values(["kommunenummer", "niva"], ignore_index=True)


def breadth(ds, *, on: DateLike | None = None, **thresholds) -> pd.DataFrame:
    """How many of the three levels each municipality covers.

    Returns one row per municipality with place names, ``niva_dekket`` (levels ``dekket``, 0–3),
    ``niva_med_kapasitet`` (levels with any capacity) and ``status_universell``,
    ``status_selektiv``, ``status_indikativ``.
    """
    cov = coverage_by_level(ds, on=on, **thresholds)
    wide = cov.pivot(index="kommunenummer", columns="niva", values="status")
    wide.columns = [f"status_{c}" for c in wide.columns]
    counts = cov.assign(d=cov["status"] == "dekket", k=cov["kapasitet"] > 0).groupby("kommunenummer")[["d", "k"]].sum()
    out = (ds.kommuner[_PLACES].set_index("kommunenummer")
           .join(counts.rename(columns={"d": "niva_dekket", "k": "niva_med_kapasitet"})).join(wide).reset_index())
    return out.sort_values("kommunenummer", ignore_index=True)


def gaps(ds, *, on: DateLike | None = None, coverage: pd.DataFrame | None = None, **thresholds) -> pd.DataFrame:
    """For each level a municipality does not cover, the catalogue's methods that would close it,
    in the order a leader would act on them.

    A gap is a (municipality, level) that is not ``dekket``. Every method whose ``nivaer`` include
    the level is listed (all methods in the catalogue target ages within 0–17, so all are
    relevant for the municipality's children; their age range is given so readers can match it
    to the children they have in mind), with ``allerede_i_bruk`` True when the municipality
    already has staff certified or in training in the method (not left).

    Order: per municipality, first the levels where it already has staff in a method serving
    them (the quickest fixes), then the other levels, each group in the order universell,
    selektiv, indikativ. Within a level: methods already in use first, then by
    ``opplaering_dager`` (the catalogue's calendar days from the start of training to
    certification, shortest first; methods whose training length no source states come last),
    then by Ungsinn evidence level (highest first), then by code.

    Returns one row per (kommunenummer, niva, metode) with place names, ``status`` of the level,
    ``metode``, ``alder_fra``, ``alder_til``, ``tilbyder``, ``implementeringsavtale`` (True when
    the provider requires an agreement with the municipality before staff are trained),
    ``opplaering_dager`` (days, nullable integer), ``opplaering_tid`` (the training length as the
    sources word it, in Norwegian; empty where unknown), ``ungsinn_niva``, ``allerede_i_bruk`` and
    ``rekkefolge`` (1, 2, … within the municipality and level, in the order above).

    ``coverage``: `coverage_by_level` of ``ds`` on ``on``, when the caller has it already; it is
    used as given instead of being computed again (thresholds then belong to that call).
    """
    at = _date(ds, on)
    cov = _given_coverage(ds, coverage, thresholds) if coverage is not None else coverage_by_level(
        ds, on=on, **thresholds)
    open_levels = cov.loc[cov["status"] != "dekket", [*_PLACES, "niva", "status"]]
    catalogue = ds.metoder[["metode", "alder_fra", "alder_til", "tilbyder", "implementeringsavtale",
                            "opplaering_dager", "opplaering_tid", "ungsinn_niva"]]
    options = open_levels.merge(ds.metode_nivaer, on="niva").merge(catalogue, on="metode")
    staff = ds.ansatte_kompetanse
    present = staff[_not_left(staff, at)]
    in_use = present[["kommunenummer", "metode"]].drop_duplicates().assign(allerede_i_bruk=True)
    out = options.merge(in_use, on=["kommunenummer", "metode"], how="left")
    out["allerede_i_bruk"] = out["allerede_i_bruk"].fillna(False).astype(bool)
    level_in_use = out.groupby(["kommunenummer", "niva"], observed=True)["allerede_i_bruk"].transform("any")
    out = out.assign(_level_in_use=level_in_use, _unknown=out["opplaering_dager"].isna(),
                     _days=out["opplaering_dager"].fillna(0), _evidence=out["ungsinn_niva"].fillna(-1))
    keys = ["kommunenummer", "_level_in_use", "niva", "allerede_i_bruk", "_unknown", "_days", "_evidence", "metode"]
    out = out.sort_values(keys, ascending=[True, False, True, False, True, True, False, True])
    out = out.drop(columns=["_level_in_use", "_unknown", "_days", "_evidence"]).reset_index(drop=True)
    out["rekkefolge"] = out.groupby(["kommunenummer", "niva"], observed=True).cumcount() + 1
    return out


def _expiring_rows(staff: pd.DataFrame, at: pd.Timestamp, months: int) -> pd.DataFrame:
    """Rows of active certifications on ``at`` that expire within ``months``."""
    active = _active_rows(staff, at=at)
    return active[active["sertifisering_utloper"] <= at + pd.DateOffset(months=months)]


def _training_rows(staff: pd.DataFrame, at: pd.Timestamp) -> pd.DataFrame:
    """Rows of staff in training on ``at``: status ``i_opplaering``, started, not left."""
    return staff[(staff["status"] == "i_opplaering") & (staff["opplaering_start"] <= at) & _not_left(staff, at)]


def _left_certified(staff: pd.DataFrame, first: pd.Timestamp, last: pd.Timestamp) -> pd.DataFrame:
    """Rows of people who left between ``first`` and ``last`` and were active certified in the
    row's method on the day they left."""
    left = staff[staff["sluttet_dato"].between(first, last)]
    return _active_rows(left, at=left["sluttet_dato"])


def in_training(ds, *, on: DateLike | None = None, by_level: bool = True) -> pd.DataFrame:
    """Staff in training on ``on`` (status ``i_opplaering``, started, not left): capacity to come.

    Returns one row per (kommunenummer, niva, metode) — or per (kommunenummer, metode) with
    ``by_level=False`` — with ``antall`` (distinct persons).
    """
    at = _date(ds, on)
    training = _training_rows(ds.ansatte_kompetanse, at)
    keys = ["kommunenummer", "metode"]
    if by_level:
        training = training.merge(ds.metode_nivaer, on="metode")
        keys = ["kommunenummer", "niva", "metode"]
    out = training.groupby(keys, observed=True)["ansatt_id"].nunique().rename("antall").reset_index()
    return out.sort_values(keys, ignore_index=True)


def projected_coverage(ds, *, on: DateLike | None = None, months: int = HORIZON_MONTHS,
                       min_certified: int = MIN_CERTIFIED, expiry_months: int = EXPIRY_MONTHS,
                       coverage: pd.DataFrame | None = None) -> pd.DataFrame:
    """The status of every municipality × level ``months`` ahead if nothing is done.

    Only people certified by ``on`` count; certifications that expire by then and people whose
    leaving is already dated are gone; people in training are not counted (nothing is done).

    Returns one row per (kommunenummer, niva) with place names, ``status_na`` and
    ``status_om_ett_ar`` (ordered categoricals), ``kapasitet_na``, ``kapasitet_om_ett_ar`` and
    ``svekkes`` (True where the status gets worse).

    ``coverage``: `coverage_by_level` of ``ds`` on ``on`` with the same thresholds, when the
    caller has it already: the status now is taken from it instead of being computed again.
    """
    _check(min_certified, expiry_months)
    at = _date(ds, on)
    later = at + pd.DateOffset(months=months)
    staff = ds.ansatte_kompetanse
    if coverage is not None:
        now = _given_coverage(ds, coverage)
    else:
        now = _level_status(ds, _active_rows(staff, at=at), at=at, min_certified=min_certified,
                            expiry_months=expiry_months)
    then = _level_status(ds, _active_rows(staff, at=later, certified_by=at), at=later,
                         min_certified=min_certified, expiry_months=expiry_months)
    out = now[[*_PLACES, "niva", "status", "kapasitet"]].rename(
        columns={"status": "status_na", "kapasitet": "kapasitet_na"}).merge(
        then[["kommunenummer", "niva", "status", "kapasitet"]].rename(
            columns={"status": "status_om_ett_ar", "kapasitet": "kapasitet_om_ett_ar"}),
        on=["kommunenummer", "niva"])
    out["svekkes"] = out["status_om_ett_ar"].cat.codes > out["status_na"].cat.codes
    return out.sort_values(["kommunenummer", "niva"], ignore_index=True)


def _retention_rows(ds, at: pd.Timestamp, months: int) -> dict[str, pd.DataFrame]:
    """The staff rows behind the retention counts: active certifications expiring within
    ``months`` of ``at``, certified staff who left in the year of ``at``, and staff in training."""
    staff = ds.ansatte_kompetanse
    return {
        "utloper_neste_12_mnd": _expiring_rows(staff, at, months),
        "sluttet_i_perioden": _left_certified(staff, *period_bounds(at.year)),
        "i_opplaering": _training_rows(staff, at),
    }


def retention_by_level(ds, *, on: DateLike | None = None, months: int = HORIZON_MONTHS,
                       coverage: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per municipality and level: what may be lost and what is coming.

    ``utloper_neste_12_mnd``: persons with an active certification at the level that expires
    within ``months``; ``sluttet_i_perioden``: persons certified at the level who left in the
    year of ``on`` (active on the day they left); ``i_opplaering``: persons in training in a
    method of the level. Each person counts once per level, however many of its methods they
    hold. With the columns of `projected_coverage` (status now and ``months`` ahead if nothing is
    done). One row per (kommunenummer, niva) for every municipality; counts only.

    ``coverage``: `coverage_by_level` of ``ds`` on ``on``, when the caller has it already; the
    status now is taken from it instead of being computed again.
    """
    at = _date(ds, on)
    out = projected_coverage(ds, on=at, months=months, coverage=coverage)
    keys = ["kommunenummer", "niva"]
    for name, rows in _retention_rows(ds, at, months).items():
        counts = (rows.merge(ds.metode_nivaer, on="metode").groupby(keys, observed=True)["ansatt_id"]
                  .nunique().rename(name).reset_index())
        out = out.merge(counts, on=keys, how="left")
        out[name] = out[name].fillna(0).astype("int64")
    return out


def staff_counts(ds, *, on: DateLike | None = None) -> pd.DataFrame:
    """How many staff are trained: the headline count of every municipality on a date.

    Definitions (the module docstring has the rule for an active certification):

    - ``sertifiserte``: distinct persons (``ansatt_id``) with at least one active certification
      on ``on``, the rows of `active_certified`. This is *the* answer to "how many staff are
      trained?"; a person certified in several methods counts once.
    - ``i_opplaering``: distinct persons in training on ``on`` as `in_training` counts them
      (status ``i_opplaering``, training started, not left). A person certified in one method and
      in training in another counts in both ``sertifiserte`` and ``i_opplaering``; the two
      columns are not to be added.
    - ``sertifiseringer``: active certifications, that is distinct (person, method) pairs; a
      person certified in two methods counts twice. Equals the ``aktive`` counts of
      ``national(ds, on=...)["active"]`` summed over methods.
    - ``sertifiserte_universell``, ``sertifiserte_selektiv``, ``sertifiserte_indikativ``:
      distinct persons certified in a method serving the level, the ``kapasitet`` of
      `coverage_by_level`. A person may count at several levels, so these do not add up to
      ``sertifiserte``.

    National totals: ``staff_counts(ds, on=on).sum(numeric_only=True)``. ``ansatt_id`` is chosen
    by each municipality, so a person registered in two municipalities cannot be recognised and
    counts once in each of them; within a municipality every person counts once.

    Parameters
    ----------
    ds : the Dataset.
    on : the reference date (default: the last day of the latest period).

    Returns
    -------
    One row per municipality of ``ds.kommuner`` (zeros where none), sorted by kommunenummer, with
    kommunenummer, kommunenavn, fylkesnummer, fylkesnavn and the counts above (persons or
    certifications, int64). Counts only: no staff id leaves this function.
    """
    at = _date(ds, on)
    staff = ds.ansatte_kompetanse
    active = _active_rows(staff, at=at)[["kommunenummer", "ansatt_id", "metode"]]
    by_place = active.groupby("kommunenummer")
    counts = pd.DataFrame({
        "sertifiserte": by_place["ansatt_id"].nunique(),
        "i_opplaering": _training_rows(staff, at).groupby("kommunenummer")["ansatt_id"].nunique(),
        "sertifiseringer": active.drop_duplicates().groupby("kommunenummer").size(),
    })
    levels = (active.merge(ds.metode_nivaer, on="metode").groupby(["kommunenummer", "niva"], observed=True)
              ["ansatt_id"].nunique().unstack("niva"))
    levels = levels.reindex(columns=pd.Index(LEVELS)).add_prefix("sertifiserte_")
    out = ds.kommuner[_PLACES].set_index("kommunenummer").join(counts).join(levels)
    numbers = [c for c in out.columns if c not in _PLACES]
    out[numbers] = out[numbers].fillna(0).astype("int64")
    return out.reset_index().sort_values("kommunenummer", ignore_index=True)
