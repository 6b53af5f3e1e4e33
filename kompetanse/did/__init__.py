"""Difference in differences for staggered adoption on any long panel DataFrame.

``att_gt(data, unit=..., time=..., cohort=..., outcome=...)`` takes one row per unit and period
and the names of its columns, as csdid's ``ATTgt(yname, tname, idname, gname, data)`` and
differences' ``ATTgt(data, cohort_column)`` do; ``twfe`` gives the naive two-way fixed-effects
regression beside it. Nothing here knows this project's data: ``kompetanse.outcomes`` builds the
panel from a Dataset and calls these functions.

The method
----------
Units first treated in the same period ``g`` form a cohort (``cohort``: the first treated
period; a missing value, 0 or ``inf`` marks a unit never treated). For each cohort and period
``t`` the group-time effect ATT(g, t) (Callaway and Sant'Anna 2021) is the cohort's mean change
in the outcome from its base period ``g - 1`` to ``t`` minus the same change among controls:
with ``control_group="not_yet_treated"`` (default) the units not treated by ``max(t, g - 1)``
and those never treated, with ``"never_treated"`` only the latter. A unit counts in a cell when
it is observed in both periods; its weight is its ``weight`` in the base period (or 1). The base
period is ``g - 1`` for pre-period cells too (a "universal" base), so pre-period coefficients
read as an ordinary event-study plot with ``rel_time`` −1 fixed at 0. Units in different
``strata`` are never compared: each cell is computed within every stratum and averaged over
strata with the cohort's weight. The overall effect is the weighted mean of the cells with
``rel_time = t - g >= first_effect``, each weighted by its cohort's total weight there; the
event study averages the cells of each ``rel_time`` the same way, and the placebo test asks
whether the pre-period coefficients (``rel_time`` ≤ −2) are zero, jointly (Wald, Hotelling's
T²) and on average.

Standard errors are clustered by ``cluster`` (default: the unit), from replicates that repeat
every step: the jackknife (default) leaves out one cluster at a time and is deterministic; the
bootstrap draws clusters with replacement (``n_boot`` draws, fixed ``seed``). Intervals are the
estimate ± a t quantile times the standard error, with degrees of freedom the effective number
of treated clusters (Kish: (Σw)²/Σw²) minus one, and p-values are the matching t p-values, so an
interval excludes 0 exactly when p < 1 − ``confidence_level``. With few or unequally weighted
clusters this covers the truth about as often as it claims, where normal quantiles do not
(``benchmarks/outcome_simulation.py``). Each cell is also fitted as a weighted 2×2 regression
with a cluster-robust standard error (``se_wls``) as a check. No covariates, no anticipation.

No interval from one treated cluster: where fewer than 2 distinct treated clusters (with weight
in a comparison) contribute, to the overall effect, a group-time cell or an event-study year,
the estimate is given but ``se``, the interval, the p-value and ``df`` are NaN and
``no_interval_reason`` says why; the placebo test is refused the same way. Leaving out the only
treated cluster leaves no treated side, so the replicates say nothing about its noise. Nothing
to estimate at all raises `NoEstimateError` with a ``reason`` and a one-sentence cause:
``"no_cohort"`` (no unit ever treated), ``"cohort"``, ``"no_controls"`` (no control left, as
when every unit is first treated in the same period) or ``"post"``.

Example
-------
>>> import pandas as pd
>>> from kompetanse.did import att_gt
>>> panel = pd.DataFrame({
...     "school": ["a", "a", "a", "b", "b", "b", "c", "c", "c", "d", "d", "d"],
...     "year": [2019, 2020, 2021] * 4,
...     "first_year": [2020] * 3 + [2021] * 3 + [None] * 6,   # c and d never treated
...     "score": [3.0, 3.6, 3.9, 2.8, 2.9, 3.5, 3.1, 3.2, 3.3, 2.9, 3.0, 3.1],
... })
>>> res = att_gt(panel, unit="school", time="year", cohort="first_year", outcome="score")
>>> res.group_time[["cohort", "time", "estimate"]].round(3)
   cohort  time  estimate
0    2020  2020       0.5
1    2020  2021       0.7
2    2021  2019       0.0
3    2021  2021       0.5
>>> round(res.estimate, 3)  # mean of the cells from the first treated year on: (0.5 + 0.7 + 0.5) / 3
0.567

Cell (2020, 2021): school a rose 0.9 from its base year 2019; c and d, the only schools not yet
treated in 2021, rose 0.2: 0.9 − 0.2 = 0.7. In cell (2020, 2020), b (first treated in 2021) is a
control too.
"""

from kompetanse.did.estimator import BOOTSTRAP_SEED, CONTROL_GROUPS, INFERENCE_METHODS, N_BOOT, AttGtResult, att_gt
from kompetanse.did.panel import NoEstimateError, Panel, prepare_panel
from kompetanse.did.summaries import PlaceboResult
from kompetanse.did.twfe import TwfeResult, twfe

__all__ = [
    "BOOTSTRAP_SEED",
    "CONTROL_GROUPS",
    "INFERENCE_METHODS",
    "N_BOOT",
    "AttGtResult",
    "NoEstimateError",
    "Panel",
    "PlaceboResult",
    "TwfeResult",
    "att_gt",
    "prepare_panel",
    "twfe",
]
