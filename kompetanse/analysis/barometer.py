"""The barometer: a handful of indicators per municipality beside its county, its peer group and
the country, each comparison decided by a stated test, as FHI's Folkehelseprofil colours its
barometer and Fingertips its spine chart.

The indicators (`INDICATORS`, ``docs/definitions.md``, "The barometer"):

- ``kapasitet_<niva>`` for each prevention level: active certified persons at the level per 1,000
  children 0–17 (`coverage.coverage_by_level`'s ``kapasitet`` over ``barn_0_17``); higher is better;
- ``utloper_andel``: the share of the active certifications (person × method) that expire within
  ``settings.EXPIRY_MONTHS`` months; lower is better;
- ``i_opplaering_per_1000``: distinct persons in training per 1,000 children; higher is better;
- ``foreldre_per_1000``: parents who took part in offers in the year per 1,000 children; higher
  is better;
- ``samarbeid``: the parent survey's ``samarbeid`` (1–5), the mean over school types weighted by
  the number of answers, in the latest survey year up to the year of the date; higher is better.

The tests, per comparator (the county and the country pool every municipality of the group, the
municipality itself included, as FHI compares with *hele landet*; the peer group pools the *other*
municipalities of the same `kompetanse.analysis.peers.peer_groups` group):

- a **rate** (counts per 1,000 children) is ``"bedre"``/``"darligere"`` when the municipality's
  exact Poisson (Garwood) ``level`` interval lies wholly on the better/worse side of the
  comparator's pooled rate, ``"likt"`` when it contains it (`kompetanse.analysis.compare.compare`'s
  test);
- a **share** likewise with the exact binomial (Clopper–Pearson) interval against the
  comparator's pooled share;
- the survey **mean** is not tested (``"ikke_testet"``): the data hold municipal means without
  their spread, and a difference between two means says nothing about chance by itself.

No verdict (``""``, with ``merknad`` saying why) where there is nothing to judge: a municipality
with no registered staff rows gets none on the staff indicators ("ingen registrerte ansatte"),
one with no offers in the year none on parents reached ("ingen registrerte tilbud"), a comparator
with no other municipality is no comparison ("eneste kommune i fylket", "eneste kommune i
gruppen"). Small numbers are not shown where they say something about one or two persons: the
share expiring is suppressed (``prikket``: no value, no interval, no verdict) when 1 or 2
certifications expire or the municipality has fewer than `MIN_STAFF_FACT` certifications; parents
reached and the survey mean likewise when they rest on 1 to ``settings.MIN_COUNT`` − 1 parents
or answers. A suppressed value is left out of every comparator too (the county, the group and the
country pool only the municipalities whose value is shown): otherwise a pooled rate times the
pooled children, less the counts shown on the other municipalities' pages, would give it back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kompetanse.analysis.compare import _rate_interval
from kompetanse.analysis.periods import DateLike, reference_date
from kompetanse.data.reference import LEVELS
from kompetanse.errors import argument_error
from kompetanse.settings import CONFIDENCE_LEVEL, EXPIRY_MONTHS, MIN_COUNT, RATE_PER

__all__ = ["COMPARATORS", "INDICATORS", "Indicator", "MIN_STAFF_FACT", "barometer", "indicator_counts",
           "judge"]

#: Fewer persons than this expiring is a fact about one or two people: not published.
MIN_STAFF_FACT = 3
#: The comparators, in the order the page shows them.
COMPARATORS = ("fylke", "peer", "land")


@dataclass(frozen=True)
class Indicator:
    """One row of the barometer: ``kind`` is ``"rate"`` (per ``RATE_PER``), ``"share"`` (0–1) or
    ``"mean"`` (not tested); ``higher_is_better`` declares the direction of "better"."""

    key: str
    label: str
    unit: str
    kind: str
    higher_is_better: bool
    niva: str = ""


_LEVEL_WORDS = {"universell": "universelt", "selektiv": "selektivt", "indikativ": "indikativt"}

INDICATORS: tuple[Indicator, ...] = (
    *(Indicator(f"kapasitet_{lv}", f"Sertifiserte på {_LEVEL_WORDS[lv]} nivå", "per 1\u00a0000 barn", "rate",
                True, lv) for lv in LEVELS),
    Indicator("utloper_andel", f"Sertifiseringer som utløper innen {EXPIRY_MONTHS} måneder", "andel", "share", False),
    Indicator("i_opplaering_per_1000", "Ansatte i opplæring", "per 1\u00a0000 barn", "rate", True),
    Indicator("foreldre_per_1000", "Foreldre nådd av tilbud i året", "per 1\u00a0000 barn", "rate", True),
    Indicator("samarbeid", "Foreldreundersøkelsen: samarbeid", "snitt 1–5", "mean", True),
)
_BY_KEY = {i.key: i for i in INDICATORS}


def indicator_counts(ds, *, on: DateLike | None = None, coverage: pd.DataFrame | None = None) -> pd.DataFrame:
    """The numerator and denominator of every indicator for every municipality on ``on`` (None:
    the last day of the latest period, `kompetanse.analysis.periods.reference_date`).

    Returns one row per (kommunenummer, indikator) in `INDICATORS` order, for every municipality
    of ``ds.kommuner``, with ``fylkesnummer``, ``teller`` and ``nevner`` (float; for the survey
    mean ``teller`` is the sum of mean × answers and ``nevner`` the answers) and ``data``
    (False where the municipality registered nothing the indicator rests on).
    """
    from kompetanse.analysis import coverage as cov

    at = reference_date(ds, on=on)
    places = ds.kommuner[["kommunenummer", "fylkesnummer"]].drop_duplicates("kommunenummer")
    nr = places["kommunenummer"]
    coverage = cov.coverage_by_level(ds, on=at) if coverage is None else coverage
    children = coverage.drop_duplicates("kommunenummer").set_index("kommunenummer")["barn_0_17"]
    children = children.reindex(nr).astype("float64").fillna(0).to_numpy()
    staff = ds.ansatte_kompetanse
    has_staff = nr.isin(staff["kommunenummer"]).to_numpy()

    def per_municipality(values: pd.Series) -> np.ndarray:
        return values.reindex(nr).fillna(0).astype("float64").to_numpy()

    frames = []

    def add(key, teller, nevner, data):
        frames.append(pd.DataFrame({"kommunenummer": nr.to_numpy(), "fylkesnummer": places["fylkesnummer"].to_numpy(),
                                    "indikator": key, "teller": teller, "nevner": nevner, "data": data}))

    capacity = coverage.pivot(index="kommunenummer", columns="niva", values="kapasitet")
    for lv in LEVELS:
        add(f"kapasitet_{lv}", per_municipality(capacity[lv]), children, has_staff)
    active = cov.active_certified(ds, on=at)
    pairs = active.drop_duplicates(["kommunenummer", "ansatt_id", "metode"])
    soon = pairs["sertifisering_utloper"] <= at + pd.DateOffset(months=EXPIRY_MONTHS)
    add("utloper_andel", per_municipality(pairs[soon].groupby("kommunenummer").size()),
        per_municipality(pairs.groupby("kommunenummer").size()), has_staff)
    # distinct persons: one in training in two methods counts once
    trainees = cov._training_rows(staff, at).groupby("kommunenummer", observed=True)["ansatt_id"].nunique()
    add("i_opplaering_per_1000", per_municipality(trainees), children, has_staff)
    offers = ds.tilbud[ds.tilbud["ar"] == at.year]
    add("foreldre_per_1000", per_municipality(offers.groupby("kommunenummer")["antall_foreldre"].sum()), children,
        nr.isin(offers["kommunenummer"]).to_numpy())
    survey = ds.foreldreundersokelsen
    survey = survey[(survey["indikator"] == "samarbeid") & (survey["ar"] <= at.year)
                    & survey["snitt"].notna() & (survey["antall_svar"] > 0)]
    if len(survey):
        survey = survey[survey["ar"] == survey.groupby("kommunenummer")["ar"].transform("max")]
    weighted = (survey["snitt"].astype("float64") * survey["antall_svar"]).groupby(survey["kommunenummer"]).sum()
    answers = survey.groupby("kommunenummer")["antall_svar"].sum()
    add("samarbeid", per_municipality(weighted), per_municipality(answers), nr.isin(survey["kommunenummer"]).to_numpy())
    return pd.concat(frames, ignore_index=True)


def judge(counts: pd.DataFrame, *, groups: pd.DataFrame, level: float = CONFIDENCE_LEVEL) -> pd.DataFrame:
    """The barometer from `indicator_counts`-shaped rows: values, intervals and the tests.

    Parameters
    ----------
    counts : rows of (kommunenummer, fylkesnummer, indikator, teller, nevner, data); ``indikator``
        one of `INDICATORS`' keys.
    groups : `kompetanse.analysis.peers.peer_groups` output (``kommunenummer``, ``peer_group``,
        ``peer_group_navn``).
    level : the confidence level of the intervals (default 0.95).

    Returns
    -------
    ``counts`` with ``peer_group``, ``peer_group_navn``, ``verdi``, ``ci_low``, ``ci_high`` (the
    municipality's value, rates per 1,000 and shares 0–1; NaN where there is no value or it is
    suppressed), ``prikket`` (bool), and per comparator ``c`` in `COMPARATORS`: ``c_verdi`` (the
    pooled value), ``c_antall`` (municipalities pooled, the peers without the municipality),
    ``vurdering_c`` (``"bedre"``, ``"likt"``, ``"darligere"``, ``"ikke_testet"`` or ``""``) and
    ``merknad_c`` (why there is no verdict, or "").
    """
    if not 0 < level < 1:
        raise argument_error("level", "between 0 and 1", level)
    unknown = set(counts["indikator"]) - set(_BY_KEY)
    if unknown:
        raise argument_error("counts", f"indicators among {', '.join(_BY_KEY)}", sorted(unknown)[0])
    out = counts.merge(groups[["kommunenummer", "peer_group", "peer_group_navn"]], on="kommunenummer", how="left")
    out["peer_group"] = out["peer_group"].fillna("").astype("str")
    out["peer_group_navn"] = out["peer_group_navn"].fillna("").astype("str")
    kind = out["indikator"].map({k: i.kind for k, i in _BY_KEY.items()}).to_numpy()
    higher = out["indikator"].map({k: i.higher_is_better for k, i in _BY_KEY.items()}).to_numpy(dtype=bool)
    k, n = out["teller"].to_numpy(dtype="float64"), out["nevner"].to_numpy(dtype="float64")
    data = out["data"].to_numpy(dtype=bool)
    ok = data & (n > 0)
    scale = np.where(kind == "rate", RATE_PER, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(ok, k / np.where(n > 0, n, 1.0) * scale, np.nan)
    low, high = _intervals(kind, k, n, ok, level)
    suppressed = ok & (
        ((out["indikator"] == "foreldre_per_1000").to_numpy() & (k > 0) & (k < MIN_COUNT))
        | ((out["indikator"] == "utloper_andel").to_numpy() & (((k > 0) & (k < MIN_STAFF_FACT)) | (n < MIN_STAFF_FACT)))
        | ((out["indikator"] == "samarbeid").to_numpy() & (n < MIN_COUNT)))
    out["verdi"] = np.where(suppressed, np.nan, value)
    out["ci_low"] = np.where(suppressed, np.nan, low * scale)
    out["ci_high"] = np.where(suppressed, np.nan, high * scale)
    out["prikket"] = suppressed
    own_reason = np.select([~data & np.isin(out["indikator"], ["foreldre_per_1000"]), ~data, n <= 0, suppressed],
                           ["ingen registrerte tilbud", "ingen registrerte data", "ingen å regne av", "prikket"],
                           default="")
    staff_rows = ~np.isin(out["indikator"], ["foreldre_per_1000", "samarbeid"])
    own_reason = np.where(~data & staff_rows, "ingen registrerte ansatte", own_reason)
    own_reason = np.where(~data & (out["indikator"] == "samarbeid").to_numpy(), "ingen svar i undersøkelsen",
                          own_reason)

    keys = {"fylke": "fylkesnummer", "peer": "peer_group", "land": None}
    lone = {"fylke": "eneste kommune i fylket", "peer": "eneste kommune i gruppen", "land": "ingen å sammenligne med"}
    # A suppressed value never enters a comparator: the county's, the group's and the country's
    # values pool only what is shown, so no pooled rate can be multiplied back and a hidden count
    # subtracted from it (docs/disclosure.md, "One rule for every published number").
    pooled = (n > 0) & ~suppressed
    work = pd.DataFrame({"indikator": out["indikator"].to_numpy(), "fylkesnummer": out["fylkesnummer"].to_numpy(),
                         "peer_group": out["peer_group"].to_numpy(), "_k": np.where(pooled, k, 0.0),
                         "_n": np.where(pooled, n, 0.0), "_m": pooled.astype("int64")})
    for c in COMPARATORS:
        key = ["indikator"] + ([keys[c]] if keys[c] else [])
        sums = work.groupby(key, sort=False)[["_k", "_n", "_m"]].transform("sum")
        ck, cn, cm = sums["_k"].to_numpy(), sums["_n"].to_numpy(), sums["_m"].to_numpy()
        if c == "peer":  # the others of the group
            ck, cn, cm = ck - work["_k"].to_numpy(), cn - work["_n"].to_numpy(), cm - work["_m"].to_numpy()
            cm = np.where(out["peer_group"].to_numpy() == "", 0, cm)
        elif c == "fylke":  # the county is a comparison only with another municipality in it
            cm = cm - work["_m"].to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            cv = np.where((cn > 0) & (cm > 0), ck / np.where(cn > 0, cn, 1.0), np.nan)
        above, below = low > cv, high < cv
        better, worse = np.where(higher, above, below), np.where(higher, below, above)
        no_cmp = np.isnan(cv)
        verdict = np.select([own_reason != "", no_cmp, kind == "mean", better, worse],
                            ["", "", "ikke_testet", "bedre", "darligere"], default="likt")
        why = np.select([no_cmp, own_reason != "", kind == "mean"],
                        [lone[c], own_reason, "ikke testet: snitt uten spredning"], default="")
        out[f"{c}_verdi"] = cv * scale
        out[f"{c}_antall"] = (cm if c != "fylke" else cm + work["_m"].to_numpy()).astype("int64")
        out[f"vurdering_{c}"] = pd.array(verdict, dtype="str")
        out[f"merknad_{c}"] = pd.array(why, dtype="str")
    return out


def _intervals(kind: np.ndarray, k: np.ndarray, n: np.ndarray, ok: np.ndarray,
               level: float) -> tuple[np.ndarray, np.ndarray]:
    """Per row the exact interval of k/n: Garwood for rates, Clopper–Pearson for shares, none
    for means (NaN)."""
    from scipy.stats import beta

    low, high = np.full(len(k), np.nan), np.full(len(k), np.nan)
    rate = ok & (kind == "rate")
    if rate.any():
        low[rate], high[rate] = _rate_interval(k[rate], n[rate], level)
    share = ok & (kind == "share")
    if share.any():
        a = (1 - level) / 2
        ks, ns = k[share], n[share]
        with np.errstate(invalid="ignore"):
            low[share] = np.where(ks > 0, beta.ppf(a, ks, ns - ks + 1), 0.0)
            high[share] = np.where(ks < ns, beta.ppf(1 - a, ks + 1, ns - ks), 1.0)
    return low, high


def barometer(ds, *, on: DateLike | None = None, groups: pd.DataFrame | None = None,
              coverage: pd.DataFrame | None = None, level: float = CONFIDENCE_LEVEL) -> pd.DataFrame:
    """The barometer of every municipality on ``on`` (None: the last day of the latest period):
    `judge` of `indicator_counts`.

    ``groups`` defaults to the size bands of `kompetanse.analysis.peers.peer_groups`; ``coverage``
    is `coverage.coverage_by_level` on ``on`` when the caller has it already.
    """
    from kompetanse.analysis.peers import peer_groups

    groups = peer_groups(ds.kommuner) if groups is None else groups
    return judge(indicator_counts(ds, on=on, coverage=coverage), groups=groups, level=level)
