"""The national analyses behind the municipal report: every municipality's figures, computed once
per data set and date in a process and reused for every municipality (a report batch asks for
357 profiles of the same data), kept under a digest of the tables' contents
(`kompetanse.reports.digest`), so a copy of a Dataset that was edited (a what-if) gets its own;
and the same frames cut up by municipality, so that a profile (`kompetanse.reports.kommune.profile`)
takes its rows as slices.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kompetanse.analysis import coverage as cov
from kompetanse.analysis import programme
from kompetanse.analysis.barometer import barometer
from kompetanse.analysis.compare import compare
from kompetanse.analysis.expiry import expiry_schedule
from kompetanse.analysis.peers import compare_with_peers, peer_groups
from kompetanse.analysis.periods import DateLike, reference_date
from kompetanse.analysis.trends import level_trend_markers, level_trends
from kompetanse.reports.digest import content_digest

__all__ = ["national"]

_NATIONAL: OrderedDict[tuple, dict[str, pd.DataFrame]] = OrderedDict()
_NATIONAL_SIZE = 4


@dataclass(frozen=True)
class _ByMunicipality:
    """The national frames cut up for profiles: each frame stably sorted by municipality (the
    rows of one municipality in their order in the frame, with their labels), and where each
    municipality's rows begin and end in it, so that a profile takes its rows as a slice
    (a view) instead of gathering them from all over the frame (a copy of every column: 4 ms
    for the fifteen frames of a municipal page). With the places and each municipality's
    offers, read as the profile reads them, and every municipality's comparison rates (the
    capacity chart's common scale)."""

    frames: dict[str, pd.DataFrame]
    ranges: dict[str, dict[str, tuple[int, int]]]
    places: dict[str, tuple[str, str, str]]
    tilbud: pd.DataFrame
    tilbud_ranges: dict[str, tuple[int, int]]
    rates: pd.Series


_NATIONAL_ROWS: dict[tuple, _ByMunicipality] = {}


def _sorted_by_municipality(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, tuple[int, int]]]:
    """``frame`` stably sorted by municipality, and each municipality's rows as (start, stop)
    positions in it; rows without a municipality number belong to none (as in a groupby)."""
    known = frame["kommunenummer"].notna().to_numpy()
    if not known.all():
        frame = frame[known]
    keys = frame["kommunenummer"].astype("str").to_numpy()
    order = np.argsort(keys, kind="stable")
    ordered = frame.iloc[order]
    keys = keys[order]
    if not len(keys):
        return ordered, {}
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    stops = np.r_[starts[1:], len(keys)]
    return ordered, {str(keys[a]): (int(a), int(b)) for a, b in zip(starts, stops, strict=True)}


def _by_municipality(ds, result: dict[str, pd.DataFrame]) -> _ByMunicipality:
    frames, ranges = {}, {}
    for name, frame in result.items():
        frames[name], ranges[name] = _sorted_by_municipality(frame)
    k = ds.kommuner
    places = {nr: (navn, fnr, fnavn) for nr, navn, fnr, fnavn in zip(
        k["kommunenummer"].tolist(), k["kommunenavn"].tolist(), k["fylkesnummer"].tolist(),
        k["fylkesnavn"].tolist(), strict=True)}
    tilbud, tilbud_ranges = _sorted_by_municipality(ds.tilbud)
    return _ByMunicipality(frames, ranges, places, tilbud, tilbud_ranges, result["comparison"]["rate"])


def by_municipality(ds, *, on, grouping: pd.DataFrame | None) -> _ByMunicipality:
    """The national analyses of ``ds`` on ``on`` (a date) cut by municipality for `profile`,
    computed once per data set, date and grouping as `national` computes them."""
    key = _national_key(ds, on, grouping)
    if key in _NATIONAL:
        _NATIONAL.move_to_end(key)
    else:
        national(ds, on=on, grouping=grouping, _key=key)
    return _NATIONAL_ROWS[key]

#: The tables the national analyses read.
_NATIONAL_INPUTS = ("ansatte_kompetanse", "tilbud", "befolkning", "program_deltakelse", "program_aktiviteter",
                    "foreldreundersokelsen", "kommuner", "metoder", "metode_nivaer")


def _national_key(ds, on, grouping: pd.DataFrame | None) -> tuple:
    groups_key = None if grouping is None else tuple(map(tuple, grouping.astype("str").to_numpy()))
    return content_digest(ds, _NATIONAL_INPUTS), pd.Timestamp(on), groups_key


def national(ds, *, on: DateLike | None = None, grouping: pd.DataFrame | None = None,
             _key: tuple | None = None) -> dict[str, pd.DataFrame]:
    """The analyses of every municipality on ``on`` (None: the last day of the latest period,
    `kompetanse.analysis.periods.reference_date`), computed once per data set and date.

    Returns a dict of frames: ``coverage`` (`coverage_by_level`), ``comparison`` (capacity per
    1,000 children compared with county and country, per level), ``retention``
    (`retention_by_level`: expiring, left, in training and projected status per level),
    ``training`` (`in_training` per method), ``gaps`` (`gaps`), ``active`` (active certified
    staff per municipality and method, counts only), ``progress`` (`programme_progress`),
    ``barometer`` (`kompetanse.analysis.barometer.barometer`), ``trends`` and ``markers``
    (`kompetanse.analysis.trends.level_trends` for the years up to ``on`` and their markers),
    ``staff`` (per municipality: distinct active certified persons, methods with one, distinct
    persons in training, and whether any staff row is registered). The comparison carries the
    peer group's columns (`kompetanse.analysis.peers.compare_with_peers`): size bands, or the
    groups of ``grouping`` (`kompetanse.analysis.peers.read_grouping`) for the municipalities it
    lists.

    The frames are kept for the next call with equal data and date (compared by content, not by
    object: an edited copy of a Dataset is computed afresh); each call returns its own shallow
    copies, so changing a returned frame cannot change what a later call returns.
    """
    on = reference_date(ds, on=on)
    key = _national_key(ds, on, grouping) if _key is None else _key
    if key in _NATIONAL:
        _NATIONAL.move_to_end(key)
        return {name: frame.copy(deep=False) for name, frame in _NATIONAL[key].items()}
    coverage = cov.coverage_by_level(ds, on=on)
    groups = peer_groups(ds.kommuner, grouping=grouping)
    comparison = compare(coverage, value="kapasitet_per_1000", by="niva", count="kapasitet",
                         denominator="barn_0_17")
    comparison = compare_with_peers(comparison, count="kapasitet", denominator="barn_0_17", by="niva",
                                    groups=groups)
    active_rows = cov.active_certified(ds, on=on)
    active = (active_rows.groupby(["kommunenummer", "metode"], observed=True)["ansatt_id"]
              .nunique().rename("aktive").reset_index())
    years = [y for y in sorted(set(ds.befolkning["ar"].astype(int)) | set(ds.tilbud["ar"].astype(int)))
             if y <= pd.Timestamp(on).year]
    trends = level_trends(ds, groups=groups, years=years)
    result = {
        "coverage": coverage,
        "comparison": comparison,
        "retention": cov.retention_by_level(ds, on=on, coverage=coverage),
        "training": cov.in_training(ds, on=on, by_level=False),
        "gaps": cov.gaps(ds, on=on, coverage=coverage),
        "active": active,
        "progress": programme.programme_progress(ds, on=on),
        "barometer": barometer(ds, on=on, groups=groups, coverage=coverage),
        "trends": trends,
        "markers": level_trend_markers(trends),
        "staff": _staff(ds, active_rows, on),
    }
    schedule = expiry_schedule(ds, on=on)
    result.update(expiry_methods=schedule.methods, expiry_levels=schedule.levels, expiry_changes=schedule.changes)
    _NATIONAL[key] = result
    # each municipality's rows together in each frame, so that a profile takes them as a slice
    _NATIONAL_ROWS[key] = _by_municipality(ds, result)
    if len(_NATIONAL) > _NATIONAL_SIZE:
        old, _ = _NATIONAL.popitem(last=False)
        _NATIONAL_ROWS.pop(old, None)
    return {name: frame.copy(deep=False) for name, frame in result.items()}


def _staff(ds, active_rows: pd.DataFrame, on) -> pd.DataFrame:
    """Per municipality the headline of the page, one definition (`coverage.staff_counts`):
    ``sertifiserte`` (distinct persons with an active certification), ``i_opplaering``
    (distinct persons in training), with ``metoder`` (methods with at least one active certified
    person) and ``registrert`` (any staff row at all)."""
    out = cov.staff_counts(ds, on=on)[["kommunenummer", "sertifiserte", "i_opplaering"]]
    methods = active_rows.groupby("kommunenummer")["metode"].nunique()
    out = out.assign(metoder=out["kommunenummer"].map(methods).fillna(0).astype("int64"),
                     registrert=out["kommunenummer"].isin(ds.ansatte_kompetanse["kommunenummer"]))
    return out.reset_index(drop=True)
