"""The outcome study on a Dataset: the panel handed to `kompetanse.did.att_gt`, its result with the
study's names, and the robustness variants."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import pandas as pd

from kompetanse.did import (
    BOOTSTRAP_SEED,
    N_BOOT,
    NoEstimateError,
    PlaceboResult,
    att_gt,
)
from kompetanse.did.summaries import NO_PRE_PERIOD as _NO_PRE_PERIOD_DID
from kompetanse.did.summaries import json_number as _json_number
from kompetanse.formatting import number
from kompetanse.outcomes.panel import (
    DEFAULT_INDIKATOR,
    FIRST_EFFECT_YEAR,
    NO_PRE_PERIOD,
    PANEL_COLUMNS,
    _in_municipalities,
    _survey_error,
    _survey_panel,
    valid_confidence_level,
    valid_indikator,
)
from kompetanse.outcomes.text import NO_INTERVAL, NO_PRE_PERIOD_TEST
from kompetanse.outcomes.text import method_text as _method_text
from kompetanse.outcomes.text import p_text as _p_text

if TYPE_CHECKING:
    from kompetanse.data.dataset import Dataset

ControlGroup = Literal["not_yet_treated", "never_treated"]
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
    no_interval_reason : None, or why ``se``, the interval, ``p_value`` and ``df`` are NaN (JSON
        null) although there is an estimate: fewer than 2 treated municipalities contribute
        (`kompetanse.did.inference.MIN_TREATED_CLUSTERS`).
    n_treated, n_control : municipalities that contribute to the overall estimate as treated
        and as controls (a not-yet-treated municipality can be both, in different years).
    event_study : one row per ``rel_year`` (survey year minus start year), with ``estimate``,
        ``se``, ``ci_low``, ``ci_high``, ``p_value``, ``n`` (treated municipalities) and
        ``kohorter`` (cohorts) and ``no_interval_reason`` (a year resting on one treated
        municipality has its estimate but no interval); ``rel_year`` −1 is the reference, 0 by construction, with the
        municipalities and cohorts of the whole study (it is the base year of each).
    group_time : one row per (``startar``, ``ar``) cell: ``rel_year``, ``post``, ``estimate``,
        ``se`` (from the replicates), ``se_wls`` (cluster-robust, statsmodels), ``ci_low``,
        ``ci_high``, ``p_value``, ``df``, ``n_treated``, ``n_control`` (municipalities) and
        ``vekt`` (the cell's weight: respondents or units of the cohort), and ``no_interval_reason``.
    placebo : the pre-period test, a :class:`PlaceboResult`; its ``note`` says why a test is
        missing (one survey year before the start, or too few treated municipalities).
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
    no_interval_reason: str | None
    event_study: pd.DataFrame = field(repr=False)
    group_time: pd.DataFrame = field(repr=False)
    placebo: PlaceboResult = field(repr=False)
    method: str = field(repr=False)

    def to_dict(self) -> dict:
        """The numbers as plain JSON-ready values (NaN becomes None), with the placebo test and
        the event study as a list of rows."""
        scalars = ("indikator", "estimate", "se", "ci_low", "ci_high", "p_value", "df", "n_treated", "n_control",
                   "confidence_level", "weighted", "exclude_withdrawn", "control_group", "inference", "n_boot",
                   "seed", "no_interval_reason")
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
        refused = self.no_interval_reason is not None
        p = self.placebo
        if p.note == NO_PRE_PERIOD:
            joint = average = NO_PRE_PERIOD_TEST
        else:
            joint = ("ikke oppgitt: bare én deltakerkommune" if math.isnan(p.se) and not math.isnan(p.estimate)
                     else "for få deltakerkommuner til en samlet test" if p.df and math.isnan(p.wald_p_value)
                     else _p_text(p.wald_p_value))
            average = ("–" if math.isnan(p.estimate) else
                       f"{number(p.estimate, 2)} (uten p-verdi: bare én deltakerkommune)" if math.isnan(p.se)
                       else f"{number(p.estimate, 2)} (p-verdi {_p_text(p.p_value)})")
        return [
            ("Indikator", self.indikator),
            ("Estimert effekt (poeng på skalaen 1–5)", number(self.estimate, 2)),
            (f"{level} % konfidensintervall",
             NO_INTERVAL if refused else f"{number(self.ci_low, 2)} til {number(self.ci_high, 2)}"),
            ("p-verdi (ingen effekt)", "ikke oppgitt" if refused else _p_text(self.p_value)),
            ("Deltakerkommuner i estimatet", self.n_treated),
            ("Sammenligningskommuner", self.n_control),
            ("Placebotest før start (p-verdi)", joint),
            ("Snitt før start (placeboeffekt)", average),
        ]


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
    NoEstimateError : (a `DataError`) nothing to estimate, its ``reason`` and one-sentence message
        naming the cause: nobody started (``"no_cohort"``), no cohort with survey means in the
        year before its start and another year (``"cohort"``), no comparison municipality left
        (``"no_controls"``) or no survey year after a cohort's first full year (``"post"``). One
        treated municipality is not an error: the estimate comes without an interval.

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
        no_interval_reason=_in_municipalities(res.no_interval_reason),
        event_study=_reasons_in_municipalities(res.event_study.rename(columns=_EVENT_STUDY_NAMES)),
        group_time=_reasons_in_municipalities(res.group_time.rename(columns=_GROUP_TIME_NAMES)),
        placebo=_placebo_in_municipalities(res.placebo),
        method=_method_text(indikator=indikator, weighted=weighted, exclude_withdrawn=exclude_withdrawn,
                            control_group=control_group, confidence_level=confidence_level, inference=inference,
                            n_boot=n_boot),
    )


def _reasons_in_municipalities(table: pd.DataFrame) -> pd.DataFrame:
    reasons = table["no_interval_reason"].map(_in_municipalities, na_action="ignore")
    return table.assign(no_interval_reason=reasons.astype("object").where(reasons.notna(), None))


def _placebo_in_municipalities(p: PlaceboResult) -> PlaceboResult:
    note = NO_PRE_PERIOD if p.note == _NO_PRE_PERIOD_DID else _in_municipalities(p.note)
    return dataclasses.replace(p, note=note)


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
    ``estimate``, ``ci_low``, ``ci_high``, ``p_value``, ``n_treated``, ``n_control`` and
    ``no_interval_reason`` (a variant resting on one treated municipality has no interval).
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
                     "n_treated": res.n_treated, "n_control": res.n_control,
                     "no_interval_reason": res.no_interval_reason})
    return pd.DataFrame(rows)
