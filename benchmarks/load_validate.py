"""Benchmark: read, validate and load a data set; prints seconds and peak memory.

Usage:
    python benchmarks/load_validate.py               # generates --scale 10 into a temp folder
    python benchmarks/load_validate.py --scale 1
    python benchmarks/load_validate.py --data DIR    # an existing folder or workbook

Each measurement runs in a fresh child process so that peak memory (ru_maxrss) belongs to the
load alone, not to the generator. Target (issue 2): under 2 s and 1 GB at --scale 10.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
import kompetanse
t1 = time.perf_counter()
ds = kompetanse.load(sys.argv[1])
t2 = time.perf_counter()
rows = int(ds.counts["read"].sum())
print(json.dumps({"import_s": t1 - t0, "load_s": t2 - t1, "rows": rows,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(path: Path, repeat: int) -> list[dict]:
    runs = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", CHILD, str(path)], check=True,
                             capture_output=True, text=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, help="an existing data folder or workbook")
    parser.add_argument("--scale", type=float, default=10.0, help="scale of the generated sample (default 10)")
    parser.add_argument("--repeat", type=int, default=3, help="runs to take the best of (default 3)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = args.data
        if path is None:
            from kompetanse.data.sample import write_sample

            path = Path(tmp) / f"scale{args.scale:g}"
            write_sample(path, scale=args.scale)
        size_mb = sum(f.stat().st_size for f in Path(path).glob("*")) / 1e6 if Path(path).is_dir() \
            else Path(path).stat().st_size / 1e6
        runs = measure(Path(path), args.repeat)
    best = min(runs, key=lambda r: r["load_s"])
    each = ", ".join(f"{r['load_s']:.3f}" for r in runs)
    print(f"data: {path} ({size_mb:.1f} MB, {best['rows']:,} rows)")
    print(f"load + validate: best {best['load_s']:.3f} s of {len(runs)} runs "
          f"({each}); {best['rows'] / best['load_s']:,.0f} rows/s")
    print(f"import kompetanse: {best['import_s']:.3f} s")
    print(f"peak memory of the loading process: {max(r['peak_mb'] for r in runs):.0f} MB")


if __name__ == "__main__":
    main()
