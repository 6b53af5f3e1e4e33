"""Simulation: does the outcome study find a planted effect, and does it find nothing when there
is nothing? Prints bias, RMSE, interval coverage and rejection rates over many synthetic data
sets, beside the naive two-way fixed-effects (TWFE) regression; no assertions.

Usage:
    python benchmarks/outcome_simulation.py                 # 200 seeds, effect 0.15, growth 0.1
    python benchmarks/outcome_simulation.py --seeds 500 --effect 0.3 --growth 0.05

Each seed gives three synthetic national data sets (kompetanse.data.sample) that differ only in what
is planted in ``samarbeid`` for aktiv and fullfort municipalities from the first full year after
their start:

- ``trinn`` (step): ``effect`` every year, the default sample's shape;
- ``null``: nothing (effect 0), where an interval should exclude 0 in about 5 % of data sets;
- ``voksende`` (growing): ``effect`` in the first full year, ``growth`` more each further year,
  with staggered starts: the case where TWFE is biased and the study should not be.

The truth is what the study's estimand is on the planted effect alone: the study (the same
variant) on the seed's planted data set minus the study on its null data set. The estimator is
linear in ``snitt`` and the data sets differ only by the effect (and rounding, clipping), so
this is the average planted effect over treated unit-years after the start, weighted as the
study weights them. Withdrawn municipalities count as treated but got nothing (intention to
treat), so the ITT truth is below ``effect``; without them it is ``effect`` itself in the step
case. TWFE is judged against the truth of the matching study variant.
"""

from __future__ import annotations

import argparse
import time
from types import SimpleNamespace

import numpy as np
import pandas as pd

from kompetanse.data.sample import generate
from kompetanse.outcomes import naive_twfe, outcome_study

#: Study variants (options of outcome_study) in every scenario.
VARIANTS = {
    "vektet, ITT (standard)": {},
    "vektet, ITT, bootstrap": {"inference": "bootstrap"},
    "uvektet, ITT": {"weighted": False},
    "vektet, uten avbrutt": {"exclude_withdrawn": True},
    "uvektet, uten avbrutt": {"weighted": False, "exclude_withdrawn": True},
}
#: TWFE variants and the study variant whose truth they are judged against.
TWFE_VARIANTS = {
    "TWFE vektet, ITT": ({}, "vektet, ITT (standard)"),
    "TWFE vektet, uten avbrutt": ({"exclude_withdrawn": True}, "vektet, uten avbrutt"),
}


def _dataset(seed: int, effect: float, growth: float = 0.0) -> SimpleNamespace:
    tables = generate(seed=seed, effect=effect, effect_growth=growth)
    return SimpleNamespace(foreldreundersokelsen=tables["foreldreundersokelsen"],
                           program_deltakelse=tables["program_deltakelse"])


def _row(scenario, variant, seed, truth, res) -> dict:
    return {"scenario": scenario, "variant": variant, "seed": seed, "truth": truth, "estimate": res.estimate,
            "se": res.se, "covered": res.ci_low <= truth <= res.ci_high,
            "rejects_0": res.ci_low > 0 or res.ci_high < 0}


def simulate(seeds: range, *, effect: float, growth: float, n_boot: int, confidence_level: float) -> pd.DataFrame:
    rows = []
    for seed in seeds:
        data = {"null": _dataset(seed, 0.0), "trinn": _dataset(seed, effect),
                "voksende": _dataset(seed, effect, growth)}
        studies, twfe = {}, {}
        for scenario, ds in data.items():
            for name, options in VARIANTS.items():
                studies[scenario, name] = outcome_study(ds, n_boot=n_boot, confidence_level=confidence_level,
                                                        **options)
            for name, (options, _) in TWFE_VARIANTS.items():
                twfe[scenario, name] = naive_twfe(ds, confidence_level=confidence_level, **options)
        for scenario in data:
            truths = {name: studies[scenario, name].estimate - studies["null", name].estimate for name in VARIANTS}
            for name in VARIANTS:
                res = studies[scenario, name]
                row = _row(scenario, name, seed, truths[name], res)
                es = res.event_study.set_index("rel_year")
                pre = es[es.index <= -2]
                row["pre_covered_0"] = ((pre["ci_low"] <= 0) & (0 <= pre["ci_high"])).mean()
                row["placebo_rejects"] = res.placebo.wald_p_value < 1 - confidence_level
                row["placebo_undefined"] = np.isnan(res.placebo.wald_p_value)
                row["placebo_avg_rejects"] = res.placebo.p_value < 1 - confidence_level
                rows.append(row)
            for name, (_, study) in TWFE_VARIANTS.items():
                rows.append(_row(scenario, name, seed, truths[study], twfe[scenario, name]))
    return pd.DataFrame(rows)


def summarise(runs: pd.DataFrame) -> pd.DataFrame:
    error = runs["estimate"] - runs["truth"]
    return runs.assign(error=error, sq=error**2).groupby(["scenario", "variant"], sort=False).agg(
        truth=("truth", "mean"), estimate=("estimate", "mean"), bias=("error", "mean"),
        rmse=("sq", lambda s: float(np.sqrt(s.mean()))), sd=("estimate", "std"), mean_se=("se", "mean"),
        coverage=("covered", "mean"), rejects_0=("rejects_0", "mean"),
        pre_coverage_0=("pre_covered_0", "mean"), placebo_rejection=("placebo_rejects", "mean"),
        placebo_undefined=("placebo_undefined", "mean"), placebo_avg=("placebo_avg_rejects", "mean"),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=200, help="number of seeds, each three data sets (default 200)")
    parser.add_argument("--effect", type=float, default=0.15,
                        help="planted effect, in the first full year for the growing case (default 0.15)")
    parser.add_argument("--growth", type=float, default=0.1,
                        help="added to the effect each further year in the growing case (default 0.1)")
    parser.add_argument("--n-boot", type=int, default=499,
                        help="bootstrap draws per study, for the bootstrap variant (default 499)")
    parser.add_argument("--confidence-level", type=float, default=0.95)
    args = parser.parse_args()

    start = time.perf_counter()
    runs = simulate(range(1, args.seeds + 1), effect=args.effect, growth=args.growth, n_boot=args.n_boot,
                    confidence_level=args.confidence_level)
    seconds = time.perf_counter() - start
    level = f"{args.confidence_level:.0%}"
    print(f"outcome study: {args.seeds} seeds x 3 synthetic data sets (null; step {args.effect}; growing "
          f"{args.effect} + {args.growth}/year), {level} intervals, jackknife unless stated "
          f"({args.n_boot} draws for the bootstrap), {seconds:.1f} s")
    with pd.option_context("display.width", 250, "display.max_columns", 20, "display.float_format", "{:.4f}".format):
        print(summarise(runs))
    print("\ntruth: mean true effect of the variant's estimand (ITT: withdrawn municipalities got nothing)")
    print("bias: mean error against the truth; rmse: root mean squared error")
    print("sd vs mean_se: spread of the estimates across data sets against the mean standard error")
    print(f"coverage: share of {level} intervals containing the truth")
    print("rejects_0: share of intervals excluding 0 (scenario null: the false-positive rate; otherwise power)")
    print("pre_coverage_0: pre-period intervals containing 0; placebo_rejection: joint pre-period test rejects;")
    print("placebo_undefined: too few effective treated municipalities for the joint test (no p-value);")
    print("placebo_avg: the test of the average pre-period coefficient rejects")
    print("TWFE rows: the naive two-way fixed-effects regression, judged against the study variant's truth")


if __name__ == "__main__":
    main()
