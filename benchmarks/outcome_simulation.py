"""Simulation: does the outcome study find a planted effect? Prints bias, RMSE and interval
coverage over many synthetic data sets; no assertions.

Usage:
    python benchmarks/outcome_simulation.py                  # 50 seeds, effect 0.15
    python benchmarks/outcome_simulation.py --seeds 200 --effect 0.3 --n-boot 499

Each seed gives one synthetic national data set (kompetanse.sample) with ``effect`` planted in
``samarbeid`` from the first full year after the start, for aktiv and fullfort municipalities.
The truth of the intention-to-treat estimate (withdrawn municipalities count as treated but got
nothing) is the same study on the same seed generated with effect 0, subtracted: the estimator
is linear in ``snitt`` and the two data sets differ only by the effect (and rounding, clipping).
Without withdrawn municipalities the truth is ``effect`` itself. Pre-period coefficients and the
placebo test are checked against 0.
"""

from __future__ import annotations

import argparse
import time
from types import SimpleNamespace

import numpy as np
import pandas as pd

from kompetanse.outcomes import outcome_study
from kompetanse.sample import generate


def _dataset(seed: int, effect: float) -> SimpleNamespace:
    tables = generate(seed=seed, effect=effect)
    return SimpleNamespace(foreldreundersokelsen=tables["foreldreundersokelsen"],
                           program_deltakelse=tables["program_deltakelse"])


def simulate(seeds: range, *, effect: float, n_boot: int, confidence_level: float) -> pd.DataFrame:
    variants = {
        "vektet, ITT (standard)": {},
        "vektet, ITT, bootstrap": {"inference": "bootstrap"},
        "uvektet, ITT": {"weighted": False},
        "vektet, uten avbrutt": {"exclude_withdrawn": True},
        "uvektet, uten avbrutt": {"weighted": False, "exclude_withdrawn": True},
    }
    rows = []
    for seed in seeds:
        planted, null = _dataset(seed, effect), _dataset(seed, 0.0)
        for name, options in variants.items():
            common = {"n_boot": n_boot, "confidence_level": confidence_level, **options}
            res = outcome_study(planted, **common)
            truth = res.estimate - outcome_study(null, **common).estimate
            es = res.event_study.set_index("rel_year")
            pre = es[es.index <= -2]
            post = es.loc[[e for e in (1, 2, 3) if e in es.index]]
            rows.append({
                "variant": name, "seed": seed, "truth": truth, "estimate": res.estimate, "se": res.se,
                "covered": res.ci_low <= truth <= res.ci_high, "rejects_0": res.ci_low > 0 or res.ci_high < 0,
                # event-study post coefficients against the planted effect (exact without withdrawn)
                "es_post_covered": ((post["ci_low"] <= effect) & (effect <= post["ci_high"])).mean()
                if "uten avbrutt" in name else np.nan,
                "pre_covered_0": ((pre["ci_low"] <= 0) & (0 <= pre["ci_high"])).mean(),
                "placebo_rejects": res.placebo.wald_p_value < 1 - confidence_level,
            })
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=50, help="number of data sets (default 50)")
    parser.add_argument("--effect", type=float, default=0.15, help="planted effect (default 0.15)")
    parser.add_argument("--n-boot", type=int, default=499,
                        help="bootstrap draws per study, for the bootstrap variant (default 499)")
    parser.add_argument("--confidence-level", type=float, default=0.95)
    args = parser.parse_args()

    start = time.perf_counter()
    runs = simulate(range(1, args.seeds + 1), effect=args.effect, n_boot=args.n_boot,
                    confidence_level=args.confidence_level)
    seconds = time.perf_counter() - start
    error = runs["estimate"] - runs["truth"]
    summary = runs.assign(error=error, sq=error**2).groupby("variant", sort=False).agg(
        truth=("truth", "mean"), estimate=("estimate", "mean"), bias=("error", "mean"),
        rmse=("sq", lambda s: float(np.sqrt(s.mean()))), sd=("estimate", "std"), mean_se=("se", "mean"),
        coverage=("covered", "mean"), power=("rejects_0", "mean"), es_post_coverage=("es_post_covered", "mean"),
        pre_coverage_0=("pre_covered_0", "mean"), placebo_rejection=("placebo_rejects", "mean"),
    )
    level = f"{args.confidence_level:.0%}"
    print(f"outcome study: {args.seeds} synthetic data sets, effect {args.effect}, {level} intervals, "
          f"jackknife unless stated ({args.n_boot} draws for the bootstrap), {seconds:.1f} s")
    with pd.option_context("display.width", 250, "display.max_columns", 20, "display.float_format", "{:.4f}".format):
        print(summary)
    print("\ntruth: mean true effect of the estimand (ITT: withdrawn municipalities got nothing)")
    print("rmse: root mean squared error against the truth; bias: mean error")
    print("sd vs mean_se: spread of the estimates across data sets against the mean standard error")
    print(f"coverage: share of {level} intervals containing the truth; power: share excluding 0")
    print("es_post_coverage: event-study rel_year 1-3 intervals containing the effect (without withdrawn)")
    print("pre_coverage_0: pre-period intervals containing 0; placebo_rejection: joint pre-period test rejects")


if __name__ == "__main__":
    main()
