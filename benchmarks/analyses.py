"""Benchmark: every analysis for all 357 municipalities, after loading; prints seconds.

Usage:
    python benchmarks/analyses.py               # the --scale 10 data set, generated in a temp folder
    python benchmarks/analyses.py --scale 1
    python benchmarks/analyses.py --data DIR

Target (issue 3): under 1 s for all analyses on the --scale 10 data set after loading.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import kompetanse
from kompetanse.analysis import coverage, overview, programme
from kompetanse.analysis.compare import compare
from kompetanse.analysis.disclosure import suppress_counts, suppress_table
from kompetanse.analysis.periods import reference_date


def analyses(ds) -> dict[str, float]:
    on = reference_date(ds)
    timings = {}

    def timed(name, func):
        t = time.perf_counter()
        result = func()
        timings[name] = time.perf_counter() - t
        return result

    cov = timed("coverage_by_level", lambda: coverage.coverage_by_level(ds, on=on))
    timed("breadth", lambda: coverage.breadth(ds, on=on))
    timed("gaps", lambda: coverage.gaps(ds, on=on))
    timed("in_training", lambda: coverage.in_training(ds, on=on))
    timed("projected_coverage", lambda: coverage.projected_coverage(ds, on=on))
    timed("retention_by_level", lambda: coverage.retention_by_level(ds, on=on))
    timed("programme_progress", lambda: programme.programme_progress(ds, on=on))
    timed("activities_by_type", lambda: programme.activities_by_type(ds, on=on))
    timed("cohort_summary", lambda: programme.cohort_summary(ds, on=on))
    timed("compare", lambda: compare(cov, value="kapasitet_per_1000", by="niva", count="kapasitet",
                                     denominator="barn_0_17"))
    timed("status_counts", lambda: overview.status_counts(cov))
    timed("suppress_counts", lambda: suppress_counts(ds.tilbud, columns="antall_foreldre"))
    table = cov.pivot_table(index="kommunenummer", columns="niva", values="foreldre_naadd", observed=False,
                            aggfunc="sum").fillna(0).astype("int64")
    timed("suppress_table (357 x 3)", lambda: suppress_table(table))
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.data
        if path is None:
            from kompetanse.data.sample import write_sample

            path = Path(tmp) / "data"
            write_sample(path, scale=args.scale)
        ds = kompetanse.load(path, cache=False)
        rows = int(ds.counts["read"].sum())
        runs = [analyses(ds) for _ in range(args.repeat)]
    best = {name: min(r[name] for r in runs) for name in runs[0]}
    totals = [sum(r.values()) for r in runs]
    print(f"data: {path} ({rows:,} rows), best of {args.repeat} runs")
    for name, seconds in best.items():
        print(f"  {name:<28}{seconds * 1000:8.1f} ms")
    print(f"all analyses, 357 municipalities: best {min(totals):.3f} s "
          f"(runs: {', '.join(f'{t:.3f}' for t in totals)})")


if __name__ == "__main__":
    main()
