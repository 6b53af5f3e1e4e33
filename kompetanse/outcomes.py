"""The outcome study: does taking part in FUB/FUG's programme improve the parent survey's scores?
Difference in differences for staggered programme starts (Callaway and Sant'Anna 2021).

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
- **Group-time effects** ``ATT(g, t)``: for cohort ``g`` and survey year ``t``, the change in
  ``snitt`` from the base year ``g - 1`` to ``t`` among the cohort's units, minus the same change
  among control units, within each school type, then averaged over school types with the
  cohort's weights. A unit counts only when it has a mean in both years. The base year is the
  same ``g - 1`` for pre-period cells (a "universal" base), so pre-period coefficients read as an
  ordinary event-study plot with ``rel_year`` −1 fixed at 0.
- **Control group** (``control_group``): ``"not_yet_treated"`` (default) uses units of
  municipalities that had not started by year ``max(t, g - 1)`` (their start year is later than
  both years compared) together with those that never started; ``"never_treated"`` only the
  latter. Not-yet-treated controls keep more municipalities and remain valid under staggered
  adoption and effects that grow over time, because a treated unit is never used as a control.
- **Weights** (``weighted=True``): a unit's weight in a comparison is its number of respondents
  (``antall_svar``) in the base year, so the estimate is the effect for the average parent who
  answers the survey; the base year is before the start, so the programme cannot move the
  weights. ``weighted=False`` gives each unit the same weight (the effect for the average
  municipality and school type).
- **Aggregation**: the overall estimate is the weighted mean of ``ATT(g, t)`` over the cells with
  ``t >= g + 1``, each cell weighted by its cohort's total weight in it (respondents or units);
  the event study averages the cells with the same ``rel_year = t - g`` in the same way.
- **Inference** (``inference``): standard errors clustered by municipality from replicates
  that recompute every step above. ``"jackknife"`` (default) leaves out one municipality at a
  time; it is deterministic, so the same inputs give identical numbers. ``"bootstrap"`` draws
  municipalities with replacement (``n_boot`` draws, fixed ``seed``). Intervals are the estimate
  ± a t quantile times the standard error, with degrees of freedom the effective number of
  treated municipalities (Kish: (Σw)²/Σw² over their weights) minus one, and p-values are the
  matching two-sided t p-values, so an interval excludes 0 exactly when p < 1 − confidence level.
  Why: weighted by respondents, a handful of large municipalities carry most of the weight; in
  simulation (``benchmarks/outcome_simulation.py``) the bootstrap with normal quantiles then
  covers the truth far less often than it claims, the jackknife with t quantiles nearly as often.
  Each cell is also fitted as a weighted least-squares 2×2 regression (statsmodels) whose
  cluster-robust standard error, ``se_wls``, stands beside the replicates' as a check.
- **Placebo test**: the pre-period coefficients (``rel_year`` ≤ −2) should be zero if treated
  and control municipalities were on parallel paths before the start. Reported as a joint Wald
  test with the replicates' covariance (p-value from Hotelling's T² with the same effective
  number of treated municipalities; none when they are too few for the number of
  coefficients), and as their weighted average with an interval.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
from scipy import stats

from kompetanse.errors import DataError, ParameterError, Problem
from kompetanse.reports.tables import number

if TYPE_CHECKING:
    from kompetanse.data.dataset import Dataset

#: Default indicator: home–school cooperation, what the programme is meant to improve.
DEFAULT_INDIKATOR = "samarbeid"
#: Bootstrap draws and seed, for ``inference="bootstrap"`` (fixed: the same inputs give identical numbers).
N_BOOT = 999
BOOTSTRAP_SEED = 2024
#: Years after the start year from which an effect is counted (the start year is a transition).
FIRST_EFFECT_YEAR = 1
#: Programme statuses of a municipality that has started.
STARTED = ("aktiv", "fullfort", "avbrutt")
CONTROL_GROUPS = ("not_yet_treated", "never_treated")
INFERENCE_METHODS = ("jackknife", "bootstrap")

ControlGroup = Literal["not_yet_treated", "never_treated"]


@dataclass(frozen=True)
class PlaceboResult:
    """The pre-period (placebo) test: are the event-study coefficients before the start zero?

    ``wald_statistic`` (``df`` restrictions) and ``wald_p_value`` test all pre-period
    coefficients (``rel_year`` ≤ −2) jointly, with the replicates' covariance; the p-value is
    from Hotelling's T² with the effective number of treated municipalities (NaN when they are
    too few to test ``df`` coefficients jointly).
    ``estimate``, ``ci_low``, ``ci_high`` and ``p_value`` are for their weighted average (a
    placebo ATT: the "effect" before anything happened). NaN when there is no pre-period.
    """

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    wald_statistic: float
    df: int
    wald_p_value: float

    def to_dict(self) -> dict:
        return {k: _json_number(v) for k, v in self.__dict__.items()}


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
        raise ParameterError(
            f"The value for `{name}` must be one of {', '.join(known) if known else '(no indicators in the data)'}, "
            f"but {value!r} was passed"
        )
    return text


def valid_confidence_level(value: object, *, name: str = "konfidensniva") -> float:
    """A confidence level strictly between 0 and 1 (0.95, "0.95"; 95 is refused, not guessed)."""
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        number = float("nan")
    if not 0 < number < 1:
        raise ParameterError(f"The value for `{name}` must be a number between 0 and 1, e.g. 0.95, "
                             f"but {value!r} was passed")
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
    if control_group not in CONTROL_GROUPS:
        raise ParameterError(f"The value for `control_group` must be one of {', '.join(CONTROL_GROUPS)}, "
                             f"but {control_group!r} was passed")
    if inference not in INFERENCE_METHODS:
        raise ParameterError(f"The value for `inference` must be one of {', '.join(INFERENCE_METHODS)}, "
                             f"but {inference!r} was passed")
    if inference == "bootstrap" and not (isinstance(n_boot, int) and n_boot >= 50):
        raise ParameterError(f"The value for `n_boot` must be a whole number of at least 50, but {n_boot!r} was passed")

    panel = _panel(ds.foreldreundersokelsen, ds.program_deltakelse, indikator=indikator,
                   exclude_withdrawn=exclude_withdrawn)
    cells = _cells(panel)
    if cells.empty:
        raise DataError([Problem(
            "foreldreundersokelsen", None, "indikator", indikator,
            "survey means both in the year before a cohort's programme start and in a later year: "
            "no cohort can be compared",
        )])
    arrays = _unit_cell_arrays(panel, cells, weighted=weighted, control_group=control_group)

    inf = _Inference.fit(arrays, shape=(len(panel["strata"]), len(cells), 4), method=inference,
                         confidence_level=confidence_level, n_boot=n_boot, seed=seed)
    rel = cells["rel_year"].to_numpy()
    post = rel >= FIRST_EFFECT_YEAR
    overall = inf.summarise(post)
    if math.isnan(overall["estimate"]):
        raise DataError([Problem(
            "foreldreundersokelsen", None, "indikator", indikator,
            "survey means after a cohort's first full programme year, for the cohort and for controls: "
            "no effect can be estimated yet",
        )])

    group_time = _group_time_table(cells, inf, arrays, panel)
    event_study = _event_study(cells, inf, arrays)
    placebo = _placebo(cells, inf)

    treated_any = arrays["treated_k"][:, post].any(axis=1)
    control_any = arrays["control_k"][:, post].any(axis=1)
    return OutcomeResult(
        indikator=indikator,
        estimate=overall["estimate"],
        se=overall["se"],
        ci_low=overall["ci_low"],
        ci_high=overall["ci_high"],
        p_value=overall["p_value"],
        df=overall["df"],
        n_treated=int(treated_any.sum()),
        n_control=int(control_any.sum()),
        confidence_level=confidence_level,
        weighted=weighted,
        exclude_withdrawn=exclude_withdrawn,
        control_group=control_group,
        inference=inference,
        n_boot=n_boot if inference == "bootstrap" else 0,
        seed=seed if inference == "bootstrap" else 0,
        event_study=event_study,
        group_time=group_time,
        placebo=placebo,
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

    ``snitt`` of every unit (municipality, school type) and survey year is regressed on unit
    and year fixed effects and one indicator that is 1 from the first full year after the start
    (``ar >= startar + 1``, the definition the study uses), weighted by respondents (``weighted``)
    by weighted least squares (statsmodels), standard errors clustered by municipality. The
    fixed effects are absorbed by alternating weighted demeaning (exact at convergence, by the
    Frisch–Waugh–Lovell theorem); nested in the clusters, they are not counted in the small-sample
    correction. Units and cohorts are those of :func:`outcome_study`.

    Why not this: with staggered starts the regression also compares later starters with
    municipalities that started earlier, whose effect is still growing, so some group-time
    effects enter with negative weights and the estimate is biased when effects change over time
    (Goodman-Bacon 2021; de Chaisemartin and D'Haultfœuille 2020). With a constant effect it is
    close to the truth.
    """
    import statsmodels.api as sm

    indikator = valid_indikator(indikator, ds)
    confidence_level = valid_confidence_level(confidence_level, name="confidence_level")
    panel = _panel(ds.foreldreundersokelsen, ds.program_deltakelse, indikator=indikator,
                   exclude_withdrawn=exclude_withdrawn)
    unit, year = np.nonzero(~np.isnan(panel["y"]))
    y = panel["y"][unit, year]
    w = panel["n"][unit, year] if weighted else np.ones(len(y))
    d = (panel["years"][year] >= panel["g"][unit] + FIRST_EFFECT_YEAR).astype("float64")
    if d.min(initial=1.0) == d.max(initial=0.0):
        raise DataError([Problem(
            "foreldreundersokelsen", None, "indikator", indikator,
            "survey means both before and after a programme start: the regression has no contrast",
        )])
    y_dm, d_dm = (_demean_two_way(v, unit, year, w) for v in (y, d))
    clusters = panel["k_idx"][unit]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.WLS(y_dm, d_dm[:, None], weights=w).fit(cov_type="cluster", cov_kwds={"groups": clusters},
                                                         use_t=True)
    low, high = fit.conf_int(alpha=1 - confidence_level)[0]
    return TwfeResult(indikator=indikator, estimate=float(fit.params[0]), se=float(fit.bse[0]),
                      ci_low=float(low), ci_high=float(high), p_value=float(fit.pvalues[0]),
                      n_obs=len(y), n_clusters=int(np.unique(clusters).size))


def compare_with_twfe(result: OutcomeResult, twfe: TwfeResult) -> pd.DataFrame:
    """The study's estimate and the naive TWFE estimate side by side: ``variant`` (Norwegian
    label), ``estimate``, ``ci_low``, ``ci_high``, ``p_value``."""
    rows = [("Forskjøvet oppstart (hovedanalyse)", result), ("Naiv toveis faste effekter (TWFE)", twfe)]
    return pd.DataFrame([{"variant": label, "estimate": r.estimate, "ci_low": r.ci_low, "ci_high": r.ci_high,
                          "p_value": r.p_value} for label, r in rows])


def _demean_two_way(v: np.ndarray, a: np.ndarray, b: np.ndarray, w: np.ndarray, *,
                    tol: float = 1e-13, max_iter: int = 10_000) -> np.ndarray:
    """``v`` minus its weighted projection on the fixed effects of groups ``a`` and ``b``:
    subtract weighted group means of ``a``, then ``b``, until nothing changes."""
    wa, wb = np.bincount(a, w), np.bincount(b, w)
    x = v.astype("float64", copy=True)
    for _ in range(max_iter):
        before = x.copy()
        for groups, total in ((a, wa), (b, wb)):
            x = x - (np.bincount(groups, w * x, minlength=len(total)) / np.where(total > 0, total, 1))[groups]
        if np.max(np.abs(x - before), initial=0.0) < tol:
            return x
    raise RuntimeError("two-way demeaning did not converge")  # pragma: no cover - unbalanced beyond repair


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


def _panel(survey: pd.DataFrame, deltakelse: pd.DataFrame, *, indikator: str, exclude_withdrawn: bool) -> dict:
    """Wide arrays: one row per unit (kommunenummer, skoleslag), one column per survey year."""
    f = survey.loc[(survey["indikator"] == indikator) & survey["snitt"].notna() & (survey["antall_svar"] > 0),
                   ["kommunenummer", "skoleslag", "ar", "snitt", "antall_svar"]]
    f = f.assign(skoleslag=f["skoleslag"].astype("str"), kommunenummer=f["kommunenummer"].astype("str"))
    withdrawn = set(deltakelse.loc[deltakelse["status"].astype("str") == "avbrutt", "kommunenummer"])
    if exclude_withdrawn:
        f = f[~f["kommunenummer"].isin(withdrawn)]
    y = f.pivot(index=["kommunenummer", "skoleslag"], columns="ar", values="snitt").sort_index()
    n = f.pivot(index=["kommunenummer", "skoleslag"], columns="ar", values="antall_svar").reindex_like(y)
    kommune = y.index.get_level_values("kommunenummer").to_numpy()
    skoleslag = y.index.get_level_values("skoleslag").to_numpy()
    kommuner, k_idx = np.unique(kommune, return_inverse=True)
    strata, s_idx = np.unique(skoleslag, return_inverse=True)
    start = _cohorts(deltakelse)["startar"].reindex(kommune).to_numpy(dtype="float64")
    return {
        "y": y.to_numpy(dtype="float64"),
        "n": n.to_numpy(dtype="float64"),
        "years": y.columns.to_numpy(dtype="int64"),
        "g": np.where(np.isnan(start), np.inf, start),  # never started: +inf, a control in every year
        "kommuner": kommuner,
        "k_idx": k_idx,
        "strata": strata,
        "s_idx": s_idx,
    }


def _cells(panel: dict) -> pd.DataFrame:
    """Every (cohort, survey year) cell that can be estimated: the base year ``g - 1`` is a
    survey year, and the cell is not the base year itself."""
    years = panel["years"]
    g = panel["g"]
    cohorts = np.unique(g[np.isfinite(g)]).astype("int64")
    cohorts = cohorts[np.isin(cohorts - 1, years)]
    grid = pd.MultiIndex.from_product([cohorts, years], names=["startar", "ar"]).to_frame(index=False)
    grid = grid[grid["ar"] != grid["startar"] - 1].reset_index(drop=True)
    grid["rel_year"] = grid["ar"] - grid["startar"]
    grid["post"] = grid["rel_year"] >= FIRST_EFFECT_YEAR
    return grid


def _unit_cell_arrays(panel: dict, cells: pd.DataFrame, *, weighted: bool, control_group: str) -> dict:
    """Per unit and cell: change from the base year, weight, and whether the unit is treated or
    a control there; summed per municipality into the sums the estimators need."""
    years = panel["years"]
    pos = {year: i for i, year in enumerate(years)}
    g_c = cells["startar"].to_numpy(dtype="float64")
    t_c = cells["ar"].to_numpy()
    t_idx = np.array([pos[t] for t in t_c], dtype="int64")
    b_idx = np.array([pos[g - 1] for g in cells["startar"]], dtype="int64")
    y, n, g = panel["y"], panel["n"], panel["g"][:, None]

    dy = y[:, t_idx] - y[:, b_idx]  # (U, C); NaN unless both years observed
    valid = ~np.isnan(dy)
    w = n[:, b_idx] if weighted else np.ones_like(dy)
    treated = valid & (g == g_c)
    if control_group == "never_treated":
        control = valid & np.isinf(g)
    else:
        control = valid & (g > np.maximum(t_c, g_c - 1)) & (g != g_c)
    wdy = np.where(valid, w * np.nan_to_num(dy), 0.0)
    quantities = np.stack([np.where(treated, wdy, 0.0), np.where(treated, w, 0.0),
                           np.where(control, wdy, 0.0), np.where(control, w, 0.0)], axis=-1)  # (U, C, 4)

    k, s = len(panel["kommuner"]), len(panel["strata"])
    sums = np.zeros((k, s, len(cells), 4))
    np.add.at(sums, (panel["k_idx"], panel["s_idx"]), quantities)  # one unit per (k, s): a plain scatter
    treated_k = np.zeros((k, len(cells)), dtype=bool)
    control_k = np.zeros((k, len(cells)), dtype=bool)
    np.logical_or.at(treated_k, panel["k_idx"], treated)
    np.logical_or.at(control_k, panel["k_idx"], control)
    return {"sums": sums.reshape(k, -1), "dy": dy, "w": w, "treated": treated, "control": control,
            "treated_k": treated_k, "control_k": control_k}


# --- estimators -------------------------------------------------------------------------------


def _cell_effects(sums: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ATT(g, t) and the cell's weight from summed quantities of shape (B, S, C, 4).

    Within a stratum (school type): treated mean change minus control mean change, where both
    exist; across strata: weighted by the treated weight. Returns (att, weight), each (B, C);
    att is NaN where the cell has no comparison."""
    tn, td, cn, cd = np.moveaxis(sums, -1, 0)
    ok = (td > 0) & (cd > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        att_s = np.where(ok, tn / np.where(ok, td, 1) - cn / np.where(ok, cd, 1), 0.0)
    w_s = np.where(ok, td, 0.0)
    weight = w_s.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        att = np.where(weight > 0, (w_s * att_s).sum(axis=1) / np.where(weight > 0, weight, 1), np.nan)
    return att, weight


def _aggregate(att: np.ndarray, weight: np.ndarray, select: np.ndarray) -> np.ndarray:
    """Weighted mean of ATT(g, t) over the selected cells, per draw (B,); NaN when none."""
    w = np.where(select[None, :] & (weight > 0), weight, 0.0)
    total = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (w * np.nan_to_num(att)).sum(axis=1) / np.where(total > 0, total, 1), np.nan)


class _Inference:
    """Point estimates and their replicates (jackknife: each municipality left out in turn;
    bootstrap: municipalities drawn with replacement), and intervals from them."""

    def __init__(self, point, replicates, treated_w, *, method: str, confidence_level: float):
        self.point, self.replicates, self.treated_w = point, replicates, treated_w
        self.method, self.confidence_level = method, confidence_level

    @classmethod
    def fit(cls, arrays: dict, *, shape: tuple, method: str, confidence_level: float, n_boot: int, seed: int):
        sums = arrays["sums"]  # (K, S * C * 4): each municipality's sums
        k = sums.shape[0]
        total = sums.sum(axis=0)
        point = _cell_effects(total.reshape((1, *shape)))
        if method == "jackknife":
            replicates = _cell_effects((total[None, :] - sums).reshape((k, *shape)))
        else:
            # Drawing municipalities with replacement is, for these ratios of sums, the same as
            # multiplying each municipality's sums by how often it was drawn: one matrix product.
            draws = np.random.default_rng(seed).multinomial(k, np.full(k, 1.0 / k), size=n_boot)
            replicates = _cell_effects((draws.astype("float64") @ sums).reshape((n_boot, *shape)))
        treated_w = sums.reshape((k, *shape))[..., 1].sum(axis=1)  # (K, C): treated weight per municipality
        return cls(point, replicates, treated_w, method=method, confidence_level=confidence_level)

    def aggregate(self, select: np.ndarray) -> tuple[float, np.ndarray]:
        return float(_aggregate(*self.point, select)[0]), _aggregate(*self.replicates, select)

    def covariance(self, reps: np.ndarray) -> np.ndarray:
        """Covariance of estimates from their replicates (rows: replicates, columns: estimates)."""
        reps = reps[~np.isnan(reps).any(axis=1)]
        if len(reps) < 2:
            return np.full((reps.shape[1], reps.shape[1]), np.nan)
        centred = reps - reps.mean(axis=0)
        if self.method == "jackknife":
            n = len(reps)
            return (n - 1) / n * centred.T @ centred
        return centred.T @ centred / (len(reps) - 1)

    def df(self, select: np.ndarray) -> float:
        """Degrees of freedom: the effective number of treated municipalities (Kish:
        (sum of weights)² / sum of squared weights) minus one, at least 1."""
        w = self.treated_w[:, select].sum(axis=1)
        w = w[w > 0]
        return max(float(w.sum() ** 2 / (w**2).sum()) - 1, 1.0) if len(w) else float("nan")

    def interval(self, est: float, se: float, df: float) -> dict:
        if math.isnan(est) or math.isnan(se) or math.isnan(df):
            return {"ci_low": float("nan"), "ci_high": float("nan"), "p_value": float("nan")}
        if se == 0:
            return {"ci_low": est, "ci_high": est, "p_value": 1.0 if est == 0 else 0.0}
        q = float(stats.t.ppf(0.5 + self.confidence_level / 2, df))
        return {"ci_low": est - q * se, "ci_high": est + q * se, "p_value": float(2 * stats.t.sf(abs(est / se), df))}

    def summarise(self, select: np.ndarray) -> dict:
        est, reps = self.aggregate(select)
        se = float(np.sqrt(self.covariance(reps[:, None])[0, 0])) if not math.isnan(est) else float("nan")
        df = self.df(select)
        return {"estimate": est, "se": se, **self.interval(est, se, df), "df": df}


def _group_time_table(cells: pd.DataFrame, inf: _Inference, arrays: dict, panel: dict) -> pd.DataFrame:
    rows = [inf.summarise(np.arange(len(cells)) == c) for c in range(len(cells))]
    out = pd.concat([cells, pd.DataFrame(rows, columns=["estimate", "se", "ci_low", "ci_high", "p_value", "df"])],
                    axis=1)
    out.insert(out.columns.get_loc("se") + 1, "se_wls", _wls_standard_errors(cells, arrays, panel))
    out["n_treated"] = arrays["treated_k"].sum(axis=0)
    out["n_control"] = arrays["control_k"].sum(axis=0)
    out["vekt"] = inf.point[1][0]
    return out


def _wls_standard_errors(cells: pd.DataFrame, arrays: dict, panel: dict) -> np.ndarray:
    """Each cell as a 2×2 regression: change on school-type intercepts and school-type treatment
    dummies, weighted, with standard errors clustered by municipality; the cell's ATT is the
    treated-weight average of the treatment coefficients, and its standard error follows from
    their covariance. The coefficients equal the closed form used for the estimates."""
    import statsmodels.api as sm

    out = np.full(len(cells), np.nan)
    s_idx, k_idx = panel["s_idx"], panel["k_idx"]
    n_s = len(panel["strata"])
    for c in range(len(cells)):  # a few dozen cells, each a small regression
        tr, co = arrays["treated"][:, c], arrays["control"][:, c]
        both = [s for s in range(n_s) if (tr & (s_idx == s)).any() and (co & (s_idx == s)).any()]
        rows = (tr | co) & np.isin(s_idx, both)
        if len(both) == 0 or np.unique(k_idx[rows]).size < 2:
            continue
        s_r, d_r, w_r = s_idx[rows], tr[rows].astype("float64"), arrays["w"][rows, c]
        x = np.column_stack([(s_r == s).astype("float64") for s in both]
                            + [d_r * (s_r == s) for s in both])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = sm.WLS(arrays["dy"][rows, c], x, weights=w_r).fit(
                cov_type="cluster", cov_kwds={"groups": k_idx[rows]})
        td = np.array([w_r[(s_r == s) & (d_r == 1)].sum() for s in both])
        a = np.r_[np.zeros(len(both)), td / td.sum()]
        out[c] = float(np.sqrt(a @ fit.cov_params() @ a))
    return out


def _event_study(cells: pd.DataFrame, inf: _Inference, arrays: dict) -> pd.DataFrame:
    rel = cells["rel_year"].to_numpy()
    rows = []
    for e in sorted(set(rel) | {-1}):
        select = rel == e
        counts = {"n": int(arrays["treated_k"][:, select].any(axis=1).sum()),
                  "kohorter": int(cells.loc[select, "startar"].nunique())}
        if e == -1:  # the base year of every cohort in the study: 0 by construction
            counts = {"n": int(arrays["treated_k"].any(axis=1).sum()), "kohorter": int(cells["startar"].nunique())}
            rows.append({"rel_year": -1, "estimate": 0.0, **counts})
            continue
        summary = inf.summarise(select)
        rows.append({"rel_year": int(e), **{k: summary[k] for k in ("estimate", "se", "ci_low", "ci_high",
                                                                    "p_value")}, **counts})
    return pd.DataFrame(rows, columns=["rel_year", "estimate", "se", "ci_low", "ci_high", "p_value", "n",
                                       "kohorter"])


def _placebo(cells: pd.DataFrame, inf: _Inference) -> PlaceboResult:
    """Joint test of the pre-period event-study coefficients, and their weighted average."""
    nan = float("nan")
    rel = cells["rel_year"].to_numpy()
    pre_cells = rel <= -2
    if not pre_cells.any():
        return PlaceboResult(nan, nan, nan, nan, nan, nan, 0, nan)
    avg = inf.summarise(pre_cells)
    est, reps = zip(*(inf.aggregate(rel == e) for e in sorted(set(rel[pre_cells]))), strict=True)
    beta, reps = np.asarray(est), np.column_stack(reps)
    keep = ~np.isnan(beta)
    beta, cov = beta[keep], inf.covariance(reps[:, keep])
    q = int(np.linalg.matrix_rank(cov)) if not np.isnan(cov).any() else 0
    if q == 0:
        return PlaceboResult(avg["estimate"], avg["se"], avg["ci_low"], avg["ci_high"], avg["p_value"], nan, 0, nan)
    wald = float(beta @ np.linalg.pinv(cov) @ beta)
    p = _hotelling_p_value(wald, q, inf.df(pre_cells))
    return PlaceboResult(avg["estimate"], avg["se"], avg["ci_low"], avg["ci_high"], avg["p_value"], wald, q, p)


def _hotelling_p_value(wald: float, q: int, df: float) -> float:
    """p-value of a Wald statistic of ``q`` restrictions whose covariance was estimated from
    ``df + 1`` (effective) clusters, by Hotelling's T² distribution: ``wald * (df - q + 1) / (df * q)``
    against F(q, df - q + 1). NaN when ``df - q + 1 < 1``: too few clusters to test ``q``
    coefficients jointly.

    Why: with the covariance estimated from few effective clusters the chi-squared test rejected
    a true null in 36 % of simulated data sets and F(q, df) in 12 %; Hotelling's correction in
    2 % (``benchmarks/outcome_simulation.py``, weighted, 200 seeds). Conservative rather than
    liberal: a placebo test should not cry wolf.
    """
    df2 = df - q + 1
    if math.isnan(df2) or df2 < 1:
        return float("nan")
    return float(stats.f.sf(wald * df2 / (df * q), q, df2))


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


def _json_number(value):
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
