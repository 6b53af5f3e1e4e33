"""Benchmark: what the largest and the most hostile workbooks cost to read or to refuse.

Prints, for each input, its size on disk and unpacked, the exit of `kompetanse.load` (loaded or
refused), the seconds and the peak memory of the loading process (ru_maxrss of a fresh child):

- the national sample as one workbook (a sheet per table), the size a real submission has;
- a sheet at the cell limit (``WORKBOOK_MAX_CELLS``: 100 000 rows of 20 columns, 19 of them
  ignored), the largest sheet that is read;
- zip bombs that unpack to 300 MB and to 3 GB (a part of spaces), refused by their size;
- one value in XFD1048576 (9 KB), refused by the range its cells span.

    python benchmarks/hostile_inputs.py
    python benchmarks/hostile_inputs.py --no-big   # skip the 3 GB bomb and the sheet at the limit
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, resource, sys, time
import kompetanse
from kompetanse.errors import UsageError
t0 = time.perf_counter()
try:
    ds = kompetanse.load(sys.argv[1], on_error="skip", cache=False)
    outcome = f"loaded, {int(ds.counts['read'].sum()):,} rows read".replace(",", " ")
except UsageError as exc:
    outcome = "refused: " + str(exc).split(": ", 1)[1][:70] + "…"
print(json.dumps({"s": time.perf_counter() - t0, "outcome": outcome,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _sample_workbook(path: Path) -> None:
    import pandas as pd

    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for csv in sorted((ROOT / "data" / "sample").glob("*.csv")):
            pd.read_csv(csv, dtype=str, keep_default_na=False).to_excel(writer, sheet_name=csv.stem, index=False)


def _at_the_cell_limit(path: Path) -> None:
    """befolkning with 100 000 rows and 17 extra columns: 2 000 000 cells, the limit."""
    from openpyxl import Workbook

    from kompetanse.settings import WORKBOOK_MAX_CELLS

    cols = 20
    rows = WORKBOOK_MAX_CELLS // cols
    book = Workbook(write_only=True)
    sheet = book.create_sheet("befolkning")
    sheet.append(["kommunenummer", "ar", "barn_0_17", *[f"merknad_{i}" for i in range(cols - 3)]])
    for i in range(rows - 1):
        sheet.append(["0301", 2000 + i % 25, i, *range(cols - 3)])
    book.save(path)


def _unpacked_mb(path: Path) -> float:
    with zipfile.ZipFile(path) as z:
        return sum(i.file_size for i in z.infolist()) / 1024**2


BUILD = r"""
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from benchmarks import hostile_inputs as h
from tests.data.bad import make_corpus
path, what = Path(sys.argv[2]), sys.argv[3]
{"sample": h._sample_workbook, "limit": h._at_the_cell_limit, "xfd": make_corpus.stray_value_far_out,
 "bomb300": lambda p: make_corpus.unpacks_to(p, 300), "bomb3g": lambda p: make_corpus.unpacks_to(p, 3072)}[what](path)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-big", action="store_true", help="skip the 3 GB bomb and the sheet at the limit")
    args = parser.parse_args()
    # Each input is built in its own process and read in a fresh one: this process stays small,
    # so that a child's peak memory (which on Linux starts from its parent's at fork) is its own.
    inputs = {"national sample as one workbook": ("utvalg.xlsx", "sample"),
              "a sheet at the cell limit": ("grense.xlsx", "limit"),
              "zip bomb, 300 MB unpacked": ("bombe300.xlsx", "bomb300"),
              "zip bomb, 3 GB unpacked": ("bombe3g.xlsx", "bomb3g"),
              "one value in XFD1048576": ("xfd.xlsx", "xfd")}
    if args.no_big:
        inputs = {k: v for k, v in inputs.items() if v[1] not in ("limit", "bomb3g")}
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'input':<34}{'on disk':>10}{'unpacked':>11}{'seconds':>9}{'peak MB':>9}  outcome")
        for label, (name, what) in inputs.items():
            path = Path(tmp) / name
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", BUILD, str(ROOT), str(path), what], check=True)
            made = time.perf_counter() - t0
            out = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True,
                                 cwd=ROOT, check=True)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{label:<34}{path.stat().st_size / 1024**2:>8.2f}MB{_unpacked_mb(path):>9.1f}MB"
                  f"{r['s']:>9.2f}{r['peak_mb']:>9.0f}  {r['outcome']}  (built in {made:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
