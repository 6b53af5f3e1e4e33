"""The naive two-way fixed-effects regression on the outcome study's panel, for comparison only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from kompetanse.did import NoEstimateError, twfe
from kompetanse.outcomes.panel import (
    DEFAULT_INDIKATOR,
    FIRST_EFFECT_YEAR,
    PANEL_COLUMNS,
    _survey_error,
    _survey_panel,
    valid_confidence_level,
    valid_indikator,
)

if TYPE_CHECKING:
    from kompetanse.data.dataset import Dataset
    from kompetanse.outcomes.study import OutcomeResult


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
