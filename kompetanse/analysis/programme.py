"""FUB/FUG programme progress: for each municipality in a cohort, the share of planned activities
held against the share of the programme period passed, activities by type and format, and the
staff and parents reached; and the summary per cohort that FUB/FUG reports upward."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from kompetanse.analysis.periods import DateLike, reference_date
from kompetanse.data.dataset import Dataset
from kompetanse.data.schema import AKTIVITET_TYPER, DELTAKELSE_STATUS, FORMATER
from kompetanse.errors import argument_error
from kompetanse.settings import PROGRESS_STATUSES, PROGRESS_TOLERANCE

__all__ = ["activities_by_type", "cohort_summary", "programme_progress"]

_KEY = ["kommunenummer", "kull"]
_PLACES = ["kommunenavn", "fylkesnummer", "fylkesnavn"]
_COUNTS = ["planlagte_aktiviteter", "gjennomforte", "avlyste", "gjenstaende"]
#: What is held, by type, by format and the people reached: summed per municipality and cohort.
_HELD = [*AKTIVITET_TYPER, "digitale", "fysiske", "ansatte_naadd", "foreldre_naadd"]
_PROGRESS_COLUMNS = [
    "kommunenummer", *_PLACES, "kull", "deltakelse_status", "startdato", "planlagt_slutt",
    "antall_barnehager", "antall_skoler", "sluttdato", "andel_tid", *_COUNTS, "andel_gjennomfort", "avvik", "status",
    *AKTIVITET_TYPER, "digitale", "fysiske", "andel_digital", "ansatte_naadd", "foreldre_naadd",
]  # fmt: skip
#: Participants of these activity types are staff; of ``foreldremote``, parents.
_PARENT_TYPE = "foreldremote"

_TYPE_DTYPE = pd.CategoricalDtype(AKTIVITET_TYPER, ordered=True)
_FORMAT_DTYPE = pd.CategoricalDtype(FORMATER, ordered=True)
_PROGRESS_DTYPE = pd.CategoricalDtype(PROGRESS_STATUSES, ordered=True)
_PARTICIPATION_DTYPE = pd.CategoricalDtype(DELTAKELSE_STATUS, ordered=True)


def programme_progress(
    ds: Dataset, *, on: DateLike | None = None, tolerance: float = PROGRESS_TOLERANCE
) -> pd.DataFrame:
    """Progress of each municipality's programme on a date: activities held against time passed.

    Which participations
        Every row of ``program_deltakelse`` that has started on ``on``: status ``aktiv``,
        ``fullfort``, ``avbrutt`` or ``innvilget`` with ``startdato`` on or before ``on``.
        Applications not yet started (``sokt``, and ``innvilget`` starting after ``on``) are left
        out: they have no progress to measure. `cohort_summary` counts them by participation
        status.

    Definitions
        ``sluttdato``
            the day time stops for the programme: ``on``, or ``planlagt_slutt`` when that
            comes first. The file has no date of withdrawal or completion, so for a
            participation it gives as ``avbrutt`` time stops on the day of its last activity
            held on or before ``on`` (the last day the programme is known to have run), or on
            ``startdato`` when none was held; for one it gives as ``fullfort`` time stops at
            ``planlagt_slutt``: a completed programme has run its period.
        ``andel_tid``
            share of the programme period passed at the end of ``sluttdato``: days from
            ``startdato`` to ``sluttdato`` over days from ``startdato`` to ``planlagt_slutt``,
            both ends counted (the end date is inclusive), clipped to [0, 1]. It stays 1 after
            the planned end, and stops growing when a programme is stopped or completed: a
            withdrawn programme is measured against the plan up to the day it stopped, not to
            the report date.
        ``planlagte_aktiviteter``
            every activity registered for the municipality and cohort, whatever its status: the
            plan as laid out. A cancelled activity stays in the plan and counts as not held, so
            cancelling does not improve a municipality's share (an activity moved to a new date
            should be re-dated, not cancelled and added again).
        ``gjennomforte``
            activities with status ``gjennomfort`` dated on or before ``on`` (an activity dated
            after ``on`` had not been held on that day, whatever the file says now).
        ``avlyste``
            activities with status ``avlyst`` (the file has no date of cancellation, so the
            date of the activity does not matter).
        ``gjenstaende``
            the rest: still to be held. ``planlagte = gjennomforte + avlyste + gjenstaende``.
        ``andel_gjennomfort``
            ``gjennomforte / planlagte_aktiviteter``; missing when no activity is registered.
        ``avvik``
            ``andel_gjennomfort - andel_tid``: negative when behind. Activities need not be
            spread evenly (training days come early), which ``tolerance`` absorbs.
        ``status``
            ordered categorical with the categories of ``settings.PROGRESS_STATUSES``, the
            first rule that applies:

            1. ``avbrutt`` when the participation's status is ``avbrutt``;
            2. ``fullfort`` when the participation's status is ``fullfort``, or when the
               planned end has passed on ``on`` and the municipality is not behind (it has held
               at least ``1 - tolerance`` of its plan), even if the file still says ``aktiv``;
            3. ``forsinket`` when ``avvik < -tolerance``. A municipality with no activities
               registered counts as having held none: it is ``forsinket`` once more than
               ``tolerance`` of its period has passed;
            4. ``i_rute`` otherwise.

            The participation status is taken as the file gives it (the file has no date of
            withdrawal or completion), while ``on`` sets the time passed and the activities
            held.
        ``opplaeringsdag``, ``personalmote``, ``foreldremote``, ``veiledning``
            activities of that type held (``gjennomforte`` by type; they add up to it).
        ``digitale``, ``fysiske``, ``andel_digital``
            activities held digitally and physically; ``digitale / gjennomforte`` (missing when
            none is held).
        ``ansatte_naadd``, ``foreldre_naadd``
            the sum of ``antall_deltakere`` of held training days, staff meetings and guidance
            (staff), and of held parent meetings (parents). These are **attendances, not
            distinct people**: a teacher at five meetings counts five times. A held activity
            with no count adds nothing. Raw numbers: suppress small ones before publishing.

    Parameters
    ----------
    ds : the data set.
    on : the date to measure on (date, Timestamp or ISO string); default the last day of the
        latest period in ``ds`` (see `kompetanse.analysis.periods.reference_date`).
    tolerance : how far, as a share between 0 and 1, the share of activities held may trail the
        share of time passed before a municipality is ``forsinket``.

    Returns
    -------
    pandas.DataFrame
        One row per (kommunenummer, kull), sorted by both, with columns ``kommunenummer``,
        ``kommunenavn``, ``fylkesnummer``, ``fylkesnavn``, ``kull``, ``deltakelse_status`` (the
        participation's status in the file, ordered categorical), ``startdato``,
        ``planlagt_slutt``, ``antall_barnehager``, ``antall_skoler``, ``sluttdato``, ``andel_tid``,
        ``planlagte_aktiviteter``, ``gjennomforte``, ``avlyste``, ``gjenstaende``,
        ``andel_gjennomfort``, ``avvik``, ``status``, ``opplaeringsdag``, ``personalmote``,
        ``foreldremote``, ``veiledning``, ``digitale``, ``fysiske``, ``andel_digital``,
        ``ansatte_naadd``, ``foreldre_naadd``. Counts are int64, shares float64.

    Examples
    --------
    >>> import kompetanse
    >>> from kompetanse.analysis.programme import programme_progress
    >>> progress = programme_progress(kompetanse.load(), on="2025-12-31")
    >>> progress.groupby("status", observed=False).size()  # doctest: +SKIP
    """
    on = reference_date(ds, on=on)
    tolerance = _checked_tolerance(tolerance)
    started = _started(ds, on)
    long = _activities_long(ds, started, on)

    is_parent = long["type"].eq(_PARENT_TYPE)
    held = long["gjennomforte"]
    per_type = {t: held.where(long["type"].eq(t), 0) for t in AKTIVITET_TYPER}
    sums = (
        long.assign(
            **per_type,
            digitale=held.where(long["format"].eq("digital"), 0),
            fysiske=held.where(long["format"].eq("fysisk"), 0),
            ansatte_naadd=long["deltakere"].where(~is_parent, 0),
            foreldre_naadd=long["deltakere"].where(is_parent, 0),
        )
        .groupby(_KEY, sort=False)[[*_COUNTS, *_HELD]]
        .sum()
        .reset_index()
    )
    out = started.merge(sums, on=_KEY, how="left", validate="one_to_one").merge(
        _last_held(ds, on), on=_KEY, how="left", validate="one_to_one"
    )

    recorded = out["deltakelse_status"]
    last_held = out["sist_holdt"].fillna(out["startdato"])
    sluttdato = out["planlagt_slutt"].where(out["planlagt_slutt"] < on, on)
    sluttdato = sluttdato.where(~recorded.eq("avbrutt") | (sluttdato <= last_held), last_held)
    sluttdato = sluttdato.where(~recorded.eq("fullfort"), out["planlagt_slutt"])
    days_passed = (sluttdato - out["startdato"]).dt.days + 1
    days_total = (out["planlagt_slutt"] - out["startdato"]).dt.days + 1
    andel_tid = (days_passed / days_total).astype("float64").clip(0.0, 1.0)
    andel_gjennomfort = _share(out["gjennomforte"], out["planlagte_aktiviteter"])
    behind = andel_gjennomfort.fillna(0.0) < andel_tid - tolerance
    ended = (out["planlagt_slutt"] < on).to_numpy()
    status = np.select(
        [
            recorded.eq("avbrutt").to_numpy(),
            recorded.eq("fullfort").to_numpy() | (ended & ~behind.to_numpy()),
            behind.to_numpy(),
        ],
        ["avbrutt", "fullfort", "forsinket"],
        "i_rute",
    )
    out = out.assign(
        sluttdato=sluttdato,
        andel_tid=andel_tid,
        andel_gjennomfort=andel_gjennomfort,
        avvik=andel_gjennomfort - andel_tid,
        status=pd.Categorical(status, dtype=_PROGRESS_DTYPE),
        andel_digital=_share(out["digitale"], out["gjennomforte"]),
    )
    return out[_PROGRESS_COLUMNS]


def activities_by_type(ds: Dataset, *, on: DateLike | None = None) -> pd.DataFrame:
    """Programme activities per municipality, cohort, type and format: planned, held, cancelled.

    Covers the same participations as `programme_progress` (those started on ``on``), with a row
    for every type and format, zeros included, so the rows of one municipality and cohort add up
    to its row of `programme_progress`. Activities of applications not yet started are left out.

    Definitions are those of `programme_progress`: ``planlagte_aktiviteter`` counts every
    registered activity whatever its status; ``gjennomforte`` those with status ``gjennomfort``
    dated on or before ``on``; ``avlyste`` those with status ``avlyst``; ``gjenstaende`` the rest,
    still to be held. ``deltakere`` is the sum of ``antall_deltakere`` of the held activities:
    attendances, not distinct people, raw (suppress small numbers before publishing).

    Parameters
    ----------
    ds : the data set.
    on : the date to count held activities on; default the last day of the latest period in
        ``ds`` (see `kompetanse.analysis.periods.reference_date`).

    Returns
    -------
    pandas.DataFrame
        One row per (kommunenummer, kull, type, format), sorted by them (types and formats in the
        contract's order), with columns ``kommunenummer``, ``kommunenavn``, ``fylkesnummer``,
        ``fylkesnavn``, ``kull``, ``type`` and ``format`` (ordered categoricals),
        ``planlagte_aktiviteter``, ``gjennomforte``, ``avlyste``, ``gjenstaende``, ``deltakere``
        (int64).
    """
    on = reference_date(ds, on=on)
    started = _started(ds, on)
    long = _activities_long(ds, started, on)
    return long.merge(started[[*_KEY, *_PLACES]], on=_KEY, how="left", validate="many_to_one")[
        ["kommunenummer", *_PLACES, "kull", "type", "format", *_COUNTS, "deltakere"]
    ]


def cohort_summary(ds: Dataset, *, on: DateLike | None = None, tolerance: float = PROGRESS_TOLERANCE) -> pd.DataFrame:
    """The summary per cohort that FUB/FUG reports upward.

    Built from `programme_progress` (same ``on`` and ``tolerance``) and the participation table,
    so its counts and sums add up to the municipal rows.

    Columns
        ``kommuner``
            municipalities in the cohort (rows of ``program_deltakelse``), any status.
        ``deltakelse_sokt``, ``deltakelse_innvilget``, ``deltakelse_aktiv``,
        ``deltakelse_fullfort``, ``deltakelse_avbrutt``
            municipalities by participation status as the file gives it; they add up to
            ``kommuner``.
        ``startet``
            municipalities whose programme has started on ``on`` (the rows of
            `programme_progress`).
        ``fremdrift_i_rute``, ``fremdrift_forsinket``, ``fremdrift_fullfort``,
        ``fremdrift_avbrutt``
            started municipalities by progress status; they add up to ``startet``.
        ``antall_barnehager``, ``antall_skoler``
            units taking part: in started participations that were not withdrawn
            (progress status other than ``avbrutt``).
        ``planlagte_aktiviteter``, ``gjennomforte``, ``avlyste``, ``gjenstaende``,
        ``opplaeringsdag``, ``personalmote``, ``foreldremote``, ``veiledning``, ``digitale``,
        ``fysiske``, ``ansatte_naadd``, ``foreldre_naadd``
            sums over all started participations, withdrawn ones included (what was held was
            delivered). Participants are attendances, not distinct people, and raw.
        ``andel_digital``
            ``digitale / gjennomforte`` of the cohort as a whole (missing when none is held).
        ``snitt_andel_gjennomfort``, ``snitt_avvik``
            unweighted mean over municipalities not withdrawn of ``andel_gjennomfort`` and
            ``avvik``: a withdrawn municipality's cancelled remainder says nothing about how
            the rest of the cohort keeps pace. Missing when there is no such municipality.

    Parameters
    ----------
    ds : the data set.
    on : the date to measure on; default the last day of the latest period in ``ds``.
    tolerance : as in `programme_progress`.

    Returns
    -------
    pandas.DataFrame
        One row per ``kull`` in ``program_deltakelse``, sorted, with the columns above; counts
        int64, shares float64.
    """
    progress = programme_progress(ds, on=on, tolerance=tolerance)
    participation = ds.program_deltakelse
    cohorts = pd.Index(sorted(participation["kull"].unique()), name="kull", dtype="str")

    by_participation = _count_by(participation, "status", DELTAKELSE_STATUS, "deltakelse_", cohorts)
    by_progress = _count_by(progress, "status", PROGRESS_STATUSES, "fremdrift_", cohorts)
    kept = progress["status"].ne("avbrutt")
    sums = progress.assign(
        antall_barnehager=progress["antall_barnehager"].where(kept, 0),
        antall_skoler=progress["antall_skoler"].where(kept, 0),
        andel_gjennomfort=progress["andel_gjennomfort"].where(kept),
        avvik=progress["avvik"].where(kept),
    ).groupby("kull")
    summed = ["antall_barnehager", "antall_skoler", *_COUNTS, *_HELD]
    totals = sums[summed].sum().reindex(cohorts, fill_value=0).astype("int64")
    means = sums[["andel_gjennomfort", "avvik"]].mean().reindex(cohorts).astype("float64")

    out = pd.concat(
        [
            by_participation.sum(axis=1).rename("kommuner"),
            by_participation,
            by_progress.sum(axis=1).rename("startet"),
            by_progress,
            totals,
        ],
        axis=1,
    )
    out["andel_digital"] = _share(out["digitale"], out["gjennomforte"])
    out["snitt_andel_gjennomfort"] = means["andel_gjennomfort"]
    out["snitt_avvik"] = means["avvik"]
    return out.reset_index()


# --- internals -----------------------------------------------------------------------------


def _checked_tolerance(tolerance: float) -> float:
    if isinstance(tolerance, bool) or not isinstance(tolerance, numbers.Real) or not 0 <= float(tolerance) <= 1:
        raise argument_error("tolerance", "a share between 0 and 1 (0.15 is 15 percentage points)", tolerance)
    return float(tolerance)


def _started(ds: Dataset, on: pd.Timestamp) -> pd.DataFrame:
    """Participations that have started on ``on``, with places, sorted."""
    d = ds.program_deltakelse
    # a missing startdato compares False, so pending applications without dates drop out too
    has_started = d["status"].ne("sokt") & (d["startdato"] <= on)
    columns = ["kommunenummer", *_PLACES, "kull", "status", "startdato", "planlagt_slutt",
               "antall_barnehager", "antall_skoler"]  # fmt: skip
    out = d.loc[has_started, columns].rename(columns={"status": "deltakelse_status"})
    out["deltakelse_status"] = out["deltakelse_status"].astype("str").astype(_PARTICIPATION_DTYPE)
    return out.sort_values(_KEY, ignore_index=True)


def _activities_long(ds: Dataset, started: pd.DataFrame, on: pd.Timestamp) -> pd.DataFrame:
    """Counts per (kommunenummer, kull, type, format) for the started participations, with a row
    for every type and format (zeros included), sorted."""
    act = ds.program_aktiviteter
    held = act["status"].eq("gjennomfort") & (act["dato"] <= on)
    counted = pd.DataFrame(
        {
            "kommunenummer": act["kommunenummer"],
            "kull": act["kull"],
            "type": act["type"].astype("str"),
            "format": act["format"].astype("str"),
            "planlagte_aktiviteter": np.ones(len(act), dtype="int64"),
            "gjennomforte": held.astype("int64"),
            "avlyste": act["status"].eq("avlyst").astype("int64"),
            "deltakere": act["antall_deltakere"].astype("Int64").where(held),
        }
    )
    sums = counted.groupby([*_KEY, "type", "format"], sort=False).sum().reset_index()

    grid = pd.MultiIndex.from_product([AKTIVITET_TYPER, FORMATER], names=["type", "format"]).to_frame(index=False)
    grid = grid.astype("str")
    long = started[_KEY].merge(grid, how="cross").merge(sums, on=[*_KEY, "type", "format"], how="left")
    counts = ["planlagte_aktiviteter", "gjennomforte", "avlyste", "deltakere"]
    long[counts] = long[counts].fillna(0).astype("int64")
    long["gjenstaende"] = long["planlagte_aktiviteter"] - long["gjennomforte"] - long["avlyste"]
    long["type"] = long["type"].astype(_TYPE_DTYPE)
    long["format"] = long["format"].astype(_FORMAT_DTYPE)
    return long.sort_values([*_KEY, "type", "format"], ignore_index=True)


def _last_held(ds: Dataset, on: pd.Timestamp) -> pd.DataFrame:
    """The date of the last activity held on or before ``on``, per (kommunenummer, kull)."""
    act = ds.program_aktiviteter
    held = act.loc[act["status"].eq("gjennomfort") & (act["dato"] <= on), [*_KEY, "dato"]]
    return held.groupby(_KEY, as_index=False)["dato"].max().rename(columns={"dato": "sist_holdt"})


def _share(part: pd.Series, whole: pd.Series) -> pd.Series:
    """``part / whole`` as float64, missing where ``whole`` is 0."""
    whole = whole.astype("float64")
    return part.astype("float64") / whole.where(whole > 0)


def _count_by(
    frame: pd.DataFrame, column: str, categories: tuple[str, ...], prefix: str, cohorts: pd.Index
) -> pd.DataFrame:
    """Rows per cohort and value of ``column``, one column per category (zeros included)."""
    counts = (
        frame.assign(**{column: frame[column].astype("str")})
        .groupby(["kull", column])
        .size()
        .unstack(column)
        .reindex(index=cohorts, columns=list(categories), fill_value=0)
        .fillna(0)
        .astype("int64")
    )
    counts.columns = [f"{prefix}{c}" for c in categories]
    return counts
