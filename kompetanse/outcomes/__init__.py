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
- **No interval from one treated municipality**: an estimate resting on one (overall, a
  group-time cell, an event-study year) is given without ``se``, interval and p-value, and
  ``no_interval_reason`` says why; with 1 treated municipality the jackknife's intervals
  excluded 0 in 17.5–19.5 % of data sets with no effect, with 2–10 in 0–1.5 % (few-treated
  scenario of the simulation). A restricted wild cluster bootstrap (Webb weights) was measured
  beside it and not adopted: 0 % with 1–3 treated, 4–5.5 % with 10.
"""

from kompetanse.did import CONTROL_GROUPS, INFERENCE_METHODS, PlaceboResult
from kompetanse.did.inference import hotelling_p_value as _hotelling_p_value  # noqa: F401 - its old home
from kompetanse.did.summaries import json_number as _json_number  # noqa: F401
from kompetanse.outcomes.panel import (
    DEFAULT_INDIKATOR,
    FIRST_EFFECT_YEAR,
    STARTED,
    valid_confidence_level,
    valid_indikator,
)
from kompetanse.outcomes.study import OutcomeResult, outcome_study, robustness
from kompetanse.outcomes.text import NO_INTERVAL, NO_INTERVAL_SHORT
from kompetanse.outcomes.text import p_text as _p_text  # noqa: F401
from kompetanse.outcomes.twfe import TwfeResult, compare_with_twfe, naive_twfe

__all__ = ["CONTROL_GROUPS", "DEFAULT_INDIKATOR", "FIRST_EFFECT_YEAR", "INFERENCE_METHODS", "NO_INTERVAL",
           "NO_INTERVAL_SHORT", "STARTED", "OutcomeResult", "PlaceboResult", "TwfeResult", "compare_with_twfe",
           "naive_twfe", "outcome_study", "robustness", "valid_confidence_level", "valid_indikator"]
