"""The outcome study: does taking part in FUB/FUG's programme improve the parent survey's scores?
Difference in differences for staggered programme starts (Callaway and Sant'Anna 2021).

This module builds the panel from a Dataset (units, cohorts, weights, what counts as a start)
and calls the general estimator, :func:`kompetanse.did.att_gt`, which works on any long panel
DataFrame; the arithmetic lives there.

Design in short
---------------
- **Units** are (municipality, school type): barnehage and grunnskole means are never mixed, so a
  municipality whose schools skip the survey one year does not change the level it is compared
  at. Standard errors are clustered by municipality, which holds both.
- **Cohort** ``g`` of a municipality is the calendar year of its earliest ``startdato`` among rows
  that started (``aktiv``, ``fullfort``, ``avbrutt``). Municipalities that only applied or were
  granted a place (``sokt``, ``innvilget``) and those not in ``program_deltakelse`` have not
  started: they are controls in every year. Withdrawn municipalities (``avbrutt``) count as
  treated by default (intention to treat: dropping them would compare the programme's successes
  with everyone else); ``exclude_withdrawn=True`` drops them from the study altogether.
- **Start year as a transition year**: starts fall in August–February and the survey is answered
  in the winter, so the survey of the start year ``g`` is taken at most a few months into the
  programme. The effect is counted from the first full year after the start (``t >= g + 1``);
  the start year is shown in the event study (``rel_year`` 0) but is not part of the overall
  estimate. This is the definition the synthetic sample plants its effect with.
- **Group-time effects, controls, aggregation, inference, placebo test**: as
  :mod:`kompetanse.did` states them, with the municipality as cluster and the school type as
  stratum. ``control_group="not_yet_treated"`` (default) compares each cohort with municipalities
  that had not started by ``max(t, g - 1)`` and those that never started: they keep more
  municipalities and stay valid when effects grow, as a treated unit is never a control.
- **Weights** (``weighted=True``): a unit's weight in a comparison is its number of respondents
  (``antall_svar``) in the base year, so the estimate is the effect for the average parent who
  answers the survey; the base year is before the start, so the programme cannot move the
  weights. ``weighted=False`` gives each unit the same weight (the effect for the average
  municipality and school type).
- **Why the jackknife and t quantiles** (default ``inference``): weighted by respondents, a
  handful of large municipalities carry most of the weight; in simulation
  (``benchmarks/outcome_simulation.py``) the bootstrap with normal quantiles then covers the
  truth far less often than it claims, the jackknife with t quantiles on the effective number of
  treated municipalities nearly as often. The jackknife is deterministic: the same inputs give
  identical numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import pandas as pd

from kompetanse.did import (
    BOOTSTRAP_SEED,
    CONTROL_GROUPS,
    INFERENCE_METHODS,
    N_BOOT,
    NoEstimateError,
    PlaceboResult,
    att_gt,
    twfe,
)
from kompetanse.did.inference import hotelling_p_value as _hotelling_p_value  # noqa: F401 - its old home
from kompetanse.did.summaries import json_number as _json_number
from kompetanse.errors import DataError, ParameterError, Problem, argument_error
from kompetanse.formatting import number

if TYPE_CHECKING:
    from kompetanse.data.dataset import Dataset

__all__ = ["CONTROL_GROUPS", "DEFAULT_INDIKATOR", "FIRST_EFFECT_YEAR", "INFERENCE_METHODS", "STARTED",
           "OutcomeResult", "PlaceboResult", "TwfeResult", "compare_with_twfe", "naive_twfe", "outcome_study",
           "robustness", "valid_confidence_level", "valid_indikator"]

#: Default indicator: home–school cooperation, what the programme is meant to improve.
DEFAULT_INDIKATOR = "samarbeid"
#: Years after the start year from which an effect is counted (the start year is a transition).
FIRST_EFFECT_YEAR = 1
#: Programme statuses of a municipality that has started.
STARTED = ("aktiv", "fullfort", "avbrutt")
ControlGroup = Literal["not_yet_treated", "never_treated"]

#: The panel's columns as the general estimator is told them: a unit is (municipality, school
#: type), clustered by municipality, school types kept apart.
PANEL_COLUMNS = {"unit": ["kommunenummer", "skoleslag"], "time": "ar", "cohort": "startar", "outcome": "snitt",
                 "cluster": "kommunenummer"}
#: Why no estimate, in the words of the survey table (a `NoEstimateError`'s ``reason``).
NO_ESTIMATE = {
    "cohort": "survey means both in the year before a cohort's programme start and in a later year: "
              "no cohort can be compared",
    "post": "survey means after a cohort's first full programme year, for the cohort and for controls: "
            "no effect can be estimated yet",
    "contrast": "survey means both before and after a programme start: the regression has no contrast",
}
_GROUP_TIME_NAMES = {"cohort": "startar", "time": "ar", "rel_time": "rel_year", "weight": "vekt"}
_EVENT_STUDY_NAMES = {"rel_time": "rel_year", "n_treated": "n", "n_cohorts": "kohorter"}


@dataclass(frozen=True)
class OutcomeResult:
    """The result of :func:`outcome_study`.

    Attributes
    ----------
    estimate, se, ci_low, ci_high, p_value : the overall effect (points on the survey's 1–5
        scale, over the years from the first full year after the start), its standard error
        (clustered by municipality), confidence interval and two-sided p-value for "no effect".
    df : degrees of freedom of the t quantile: effective number of treated municipalities − 1.
    n_treated, n_control : municipalities that contribute to the overall estimate as treated
        and as controls (a not-yet-treated municipality can be both, in different years).
    event_study : one row per ``rel_year`` (survey year minus start year), with ``estimate``,
        ``se``, ``ci_low``, ``ci_high``, ``p_value``, ``n`` (treated municipalities) and
        ``kohorter`` (cohorts); ``rel_year`` −1 is the reference, 0 by construction, with the
        municipalities and cohorts of the whole study (it is the base year of each).
    group_time : one row per (``startar``, ``ar``) cell: ``rel_year``, ``post``, ``estimate``,
        ``se`` (from the replicates), ``se_wls`` (cluster-robust, statsmodels), ``ci_low``,
        ``ci_high``, ``p_value``, ``df``, ``n_treated``, ``n_control`` (municipalities) and
        ``vekt`` (the cell's weight: respondents or units of the cohort).
    placebo : the pre-period test, a :class:`PlaceboResult`.
    method : a short description in Norwegian bokmål for reports.
    """

    indikator: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    df: float
    n_treated: int
    n_control: int
    confidence_level: float
    weighted: bool
    exclude_withdrawn: bool
    control_group: str
    inference: str
    n_boot: int
    seed: int
    event_study: pd.DataFrame = field(repr=False)
    group_time: pd.DataFrame = field(repr=False)
    placebo: PlaceboResult = field(repr=False)
    method: str = field(repr=False)

    def to_dict(self) -> dict:
        """The numbers as plain JSON-ready values (NaN becomes None), with the placebo test and
        the event study as a list of rows."""
        scalars = ("indikator", "estimate", "se", "ci_low", "ci_high", "p_value", "df", "n_treated", "n_control",
                   "confidence_level", "weighted", "exclude_withdrawn", "control_group", "inference", "n_boot",
                   "seed")
        out = {k: _json_number(getattr(self, k)) for k in scalars}
        out["placebo"] = self.placebo.to_dict()
        out["event_study"] = [{k: _json_number(v) for k, v in row.items()}
                              for row in self.event_study.to_dict(orient="records")]
        out["method"] = self.method
        return out

    def key_figures(self) -> list[tuple[str, object]]:
        """(Norwegian label, value) pairs for a key-figure table: the estimate with its interval
        and p-value, the municipalities, and the placebo test (joint, and the average pre-period
        "effect", which can be tested when the joint test cannot); numbers with a decimal comma."""
        level = f"{self.confidence_level * 100:g}".replace(".", ",")
        return [
            ("Indikator", self.indikator),
            ("Estimert effekt (poeng på skalaen 1–5)", number(self.estimate, 2)),
            (f"{level} % konfidensintervall", f"{number(self.ci_low, 2)} til {number(self.ci_high, 2)}"),
            ("p-verdi (ingen effekt)", _p_text(self.p_value)),
            ("Deltakerkommuner i estimatet", self.n_treated),
            ("Sammenligningskommuner", self.n_control),
            ("Placebotest før start (p-verdi)",
             "for få deltakerkommuner til en samlet test"
             if self.placebo.df and math.isnan(self.placebo.wald_p_value) else _p_text(self.placebo.wald_p_value)),
            ("Snitt før start (placeboeffekt)",
             "–" if math.isnan(self.placebo.estimate)
             else f"{number(self.placebo.estimate, 2)} (p-verdi {_p_text(self.placebo.p_value)})"),
        ]


def valid_indikator(value: object, ds: Dataset, *, name: str = "indikator") -> str:
    """An indicator present in ``ds.foreldreundersokelsen``; anything else raises
    `ParameterError` (a `UsageError`) listing the indicators in the data."""
    known = sorted(ds.foreldreundersokelsen["indikator"].dropna().unique())
    text = str(value).strip() if value is not None else ""
    if text not in known:
        raise argument_error(name, f"one of {', '.join(known) if known else '(no indicators in the data)'}",
                             value, cls=ParameterError)
    return text


def valid_confidence_level(value: object, *, name: str = "konfidensniva") -> float:
    """A confidence level strictly between 0 and 1 (0.95, "0.95"; 95 is refused, not guessed)."""
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        number = float("nan")
    if not 0 < number < 1:
        raise argument_error(name, "a number between 0 and 1, e.g. 0.95", value, cls=ParameterError)
    return number


def outcome_study(
    ds: Dataset,
    *,
    indikator: str = DEFAULT_INDIKATOR,
    weighted: bool = True,
    exclude_withdrawn: bool = False,
    confidence_level: float = 0.95,
    control_group: ControlGroup = "not_yet_treated",
    inference: Literal["jackknife", "bootstrap"] = "jackknife",
    n_boot: int = N_BOOT,
    seed: int = BOOTSTRAP_SEED,
) -> OutcomeResult:
    """Effect of FUB/FUG's programme on a parent-survey indicator, by difference in differences
    for staggered starts (Callaway–Sant'Anna group-time effects), with standard errors clustered
    by municipality. The design is described in the module docstring.

    Parameters
    ----------
    ds : a Dataset (anything with ``foreldreundersokelsen`` and ``program_deltakelse``).
    indikator : the survey indicator to study (default ``"samarbeid"``); another indicator the
        programme does not target serves as a placebo outcome.
    weighted : weight units by respondents in the base year (default) or equally.
    exclude_withdrawn : drop municipalities with a withdrawn (``avbrutt``) participation; by
        default they count as treated (intention to treat).
    confidence_level : of the intervals, between 0 and 1 (default 0.95).
    control_group : ``"not_yet_treated"`` (default; includes never treated) or ``"never_treated"``.
    inference : ``"jackknife"`` (default; leave one municipality out, deterministic) or
        ``"bootstrap"`` (municipalities drawn with replacement).
    n_boot, seed : bootstrap draws and seed (``inference="bootstrap"`` only; 0 in the result otherwise).

    Returns
    -------
    OutcomeResult : overall estimate (points on the 1–5 scale) with interval and p-value,
        municipalities treated and control, event study, group-time table, placebo test and a
        Norwegian method text.

    Raises
    ------
    ParameterError : an unknown indicator or control group, or a confidence level outside (0, 1).
    DataError : no cohort has survey means both in the year before its start and after it.

    Examples
    --------
    >>> import kompetanse
    >>> res = outcome_study(kompetanse.load())  # doctest: +SKIP
    >>> round(res.estimate, 2), res.ci_low < res.estimate < res.ci_high  # doctest: +SKIP
    (0.15, True)
    """
    indikator = valid_indikator(indikator, ds)
    confidence_level = valid_confidence_level(confidence_level, name="confidence_level")
    panel = _survey_panel(ds.foreldreundersokelsen, ds.program_deltakelse, indikator=indikator,
                          exclude_withdrawn=exclude_withdrawn)
    try:
        res = att_gt(panel, **PANEL_COLUMNS, weight="antall_svar" if weighted else None, strata="skoleslag",
                     control_group=control_group, first_effect=FIRST_EFFECT_YEAR,
                     confidence_level=confidence_level, inference=inference, n_boot=n_boot, seed=seed)
    except NoEstimateError as exc:
        raise _survey_error(exc, indikator) from None

    return OutcomeResult(
        indikator=indikator,
        estimate=res.estimate,
        se=res.se,
        ci_low=res.ci_low,
        ci_high=res.ci_high,
        p_value=res.p_value,
        df=res.df,
        n_treated=res.n_treated,
        n_control=res.n_control,
        confidence_level=confidence_level,
        weighted=weighted,
        exclude_withdrawn=exclude_withdrawn,
        control_group=control_group,
        inference=inference,
        n_boot=n_boot if inference == "bootstrap" else 0,
        seed=seed if inference == "bootstrap" else 0,
        event_study=res.event_study.rename(columns=_EVENT_STUDY_NAMES),
        group_time=res.group_time.rename(columns=_GROUP_TIME_NAMES),
        placebo=res.placebo,
        method=_method_text(indikator=indikator, weighted=weighted, exclude_withdrawn=exclude_withdrawn,
                            control_group=control_group, confidence_level=confidence_level, inference=inference,
                            n_boot=n_boot),
    )


def robustness(
    ds: Dataset,
    *,
    indikator: str = DEFAULT_INDIKATOR,
    confidence_level: float = 0.95,
    placebo_indikator: str | None = None,
    inference: Literal["jackknife", "bootstrap"] = "jackknife",
    n_boot: int = N_BOOT,
    seed: int = BOOTSTRAP_SEED,
) -> pd.DataFrame:
    """The main estimate beside the same study with one choice changed: unweighted, without
    withdrawn municipalities, never-treated controls only, and on another indicator the
    programme does not target (a placebo outcome: expect 0).

    ``placebo_indikator`` defaults to the first other indicator in the data, preferring
    ``trivsel``. Returns one row per variant with ``variant`` (Norwegian label), ``indikator``,
    ``estimate``, ``ci_low``, ``ci_high``, ``p_value``, ``n_treated``, ``n_control``.
    """
    indikator = valid_indikator(indikator, ds)
    if placebo_indikator is None:
        others = [i for i in sorted(ds.foreldreundersokelsen["indikator"].dropna().unique()) if i != indikator]
        placebo_indikator = "trivsel" if "trivsel" in others else (others[0] if others else None)
    common = {"confidence_level": confidence_level, "inference": inference, "n_boot": n_boot, "seed": seed}
    variants = [
        ("Hovedanalyse (vektet)", {"indikator": indikator}),
        ("Uvektet", {"indikator": indikator, "weighted": False}),
        ("Uten kommuner som avbrøt", {"indikator": indikator, "exclude_withdrawn": True}),
        ("Kontroll: bare aldri startet", {"indikator": indikator, "control_group": "never_treated"}),
    ]
    if placebo_indikator is not None:
        variants.append((f"Placeboutfall: {placebo_indikator}", {"indikator": placebo_indikator}))
    rows = []
    for label, options in variants:
        res = outcome_study(ds, **options, **common)
        rows.append({"variant": label, "indikator": res.indikator, "estimate": res.estimate,
                     "ci_low": res.ci_low, "ci_high": res.ci_high, "p_value": res.p_value,
                     "n_treated": res.n_treated, "n_control": res.n_control})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class TwfeResult:
    """The result of :func:`naive_twfe`: the coefficient of the treatment indicator with its
    cluster-robust standard error, interval and p-value, and the observations and municipalities
    (clusters) in the regression."""

    indikator: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    n_obs: int
    n_clusters: int


def naive_twfe(
    ds: Dataset,
    *,
    indikator: str = DEFAULT_INDIKATOR,
    weighted: bool = True,
    exclude_withdrawn: bool = False,
    confidence_level: float = 0.95,
) -> TwfeResult:
    """The naive two-way fixed-effects estimate, for comparison only; the study's results come
    from :func:`outcome_study`.

    :func:`kompetanse.did.twfe` on the study's panel: ``snitt`` of every unit (municipality,
    school type) and survey year on unit and year fixed effects and an indicator that is 1 from
    the first full year after the start (``ar >= startar + 1``), weighted by respondents
    (``weighted``), standard errors clustered by municipality. Why not this: with staggered
    starts some group-time effects enter with negative weights, and the estimate is biased when
    effects grow over time (see :mod:`kompetanse.did.twfe`).
    """
    indikator = valid_indikator(indikator, ds)
    confidence_level = valid_confidence_level(confidence_level, name="confidence_level")
    panel = _survey_panel(ds.foreldreundersokelsen, ds.program_deltakelse, indikator=indikator,
                          exclude_withdrawn=exclude_withdrawn)
    try:
        res = twfe(panel, **PANEL_COLUMNS, weight="antall_svar" if weighted else None,
                   first_effect=FIRST_EFFECT_YEAR, confidence_level=confidence_level)
    except NoEstimateError as exc:
        raise _survey_error(exc, indikator) from None
    return TwfeResult(indikator=indikator, estimate=res.estimate, se=res.se, ci_low=res.ci_low,
                      ci_high=res.ci_high, p_value=res.p_value, n_obs=res.n_obs, n_clusters=res.n_clusters)


def compare_with_twfe(result: OutcomeResult, twfe: TwfeResult) -> pd.DataFrame:
    """The study's estimate and the naive TWFE estimate side by side: ``variant`` (Norwegian
    label), ``estimate``, ``ci_low``, ``ci_high``, ``p_value``."""
    rows = [("Forskjøvet oppstart (hovedanalyse)", result), ("Naiv toveis faste effekter (TWFE)", twfe)]
    return pd.DataFrame([{"variant": label, "estimate": r.estimate, "ci_low": r.ci_low, "ci_high": r.ci_high,
                          "p_value": r.p_value} for label, r in rows])


# --- data -----------------------------------------------------------------------------------


def _cohorts(deltakelse: pd.DataFrame) -> pd.DataFrame:
    """Per municipality that started: ``startar`` (earliest start year among started rows) and
    ``avbrutt`` (any withdrawn participation)."""
    started = deltakelse[deltakelse["status"].astype("str").isin(STARTED) & deltakelse["startdato"].notna()]
    out = started.groupby("kommunenummer").agg(startar=("startdato", "min"))
    out["startar"] = out["startar"].dt.year.astype("float64")
    withdrawn = set(deltakelse.loc[deltakelse["status"].astype("str") == "avbrutt", "kommunenummer"])
    out["avbrutt"] = out.index.isin(withdrawn)
    return out



def _survey_panel(survey: pd.DataFrame, deltakelse: pd.DataFrame, *, indikator: str,
                  exclude_withdrawn: bool) -> pd.DataFrame:
    """The long panel of one indicator: one row per (kommunenummer, skoleslag, ar) with a mean
    and respondents, and ``startar``, the municipality's cohort (NaN: never started)."""
    f = survey.loc[(survey["indikator"] == indikator) & survey["snitt"].notna() & (survey["antall_svar"] > 0),
                   ["kommunenummer", "skoleslag", "ar", "snitt", "antall_svar"]]
    f = f.assign(skoleslag=f["skoleslag"].astype("str"), kommunenummer=f["kommunenummer"].astype("str"))
    withdrawn = set(deltakelse.loc[deltakelse["status"].astype("str") == "avbrutt", "kommunenummer"])
    if exclude_withdrawn:
        f = f[~f["kommunenummer"].isin(withdrawn)]
    start = _cohorts(deltakelse)["startar"]
    return f.assign(startar=f["kommunenummer"].map(start).astype("float64"))


def _survey_error(exc: NoEstimateError, indikator: str) -> DataError:
    """The estimator's "nothing to estimate", said of the survey table."""
    return DataError([Problem("foreldreundersokelsen", None, "indikator", indikator, NO_ESTIMATE[exc.reason])])


def _method_text(*, indikator: str, weighted: bool, exclude_withdrawn: bool, control_group: str,
                 confidence_level: float, inference: str, n_boot: int) -> str:
    controls = ("kommuner som ennå ikke hadde startet, og kommuner som aldri har startet"
                if control_group == "not_yet_treated" else "kommuner som aldri har startet")
    weights = ("Gjennomsnittene er vektet med antall svar i året før start." if weighted
               else "Hver kommune og skoleslag teller likt (uvektet).")
    withdrawn = ("Kommuner som avbrøt programmet, er holdt utenfor." if exclude_withdrawn
                 else "Kommuner som avbrøt programmet, regnes som deltakere (alle som startet, teller med).")
    level = f"{confidence_level * 100:g}".replace(".", ",")
    replicates = ("jackknife: én kommune holdes utenfor om gangen" if inference == "jackknife"
                  else f"bootstrap: {n_boot} trekk av kommuner med tilbakelegging, fast frø")
    return (
        f"Forskjell-i-forskjeller for forskjøvet oppstart (Callaway og Sant'Anna 2021) på indikatoren "
        f"«{indikator}». Kommunene som startet programmet samme år, sammenlignes med {controls}: endringen "
        f"fra året før start til hvert senere år, innenfor barnehage og grunnskole hver for seg. Effekten regnes "
        f"fra første hele år etter start; startåret vises, men inngår ikke i det samlede estimatet. {weights} "
        f"{withdrawn} Usikkerheten er beregnet med kommunen som klynge ({replicates}); {level} % "
        f"konfidensintervall og p-verdi bruker t-fordelingen med det effektive antallet deltakerkommuner. "
        f"Placebotesten sjekker at forskjellene før start er null."
    )


def _p_text(p: float) -> str:
    if math.isnan(p):
        return "–"
    return "under 0,001" if p < 0.001 else number(p, 3)

