"""Benchmark: the feedback workbook (`kompetanse validate --tilbakemelding`) of a sample-sized
submission with a few errors; prints seconds beside those of reading and validating it.

Usage:
    python benchmarks/feedback_workbook.py              # the sample (--scale 1) with 10 broken cells
    python benchmarks/feedback_workbook.py --scale 4
    python benchmarks/feedback_workbook.py --data DIR   # an existing folder or workbook, as it is

openpyxl writes every cell in Python (15-20 µs a cell with the text format on a 2-core machine:
4.4 s for the 26 213 rows of the sample, 10 times reading and validating them); the feedback
code adds little per untouched row (one shared style object per kind of cell).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path


def _break(folder: Path, n: int) -> None:
    """``n`` bad municipality numbers spread over tilbud.csv (letter O for zero)."""
    path = folder / "tilbud.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    step = max(1, (len(lines) - 1) // n)
    for i in range(1, len(lines), step)[:n]:
        lines[i] = "03O1" + lines[i][4:]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    from kompetanse.data.feedback import write_feedback
    from kompetanse.data.io import read_input
    from kompetanse.data.validate import validate_input

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, help="an existing data folder or workbook")
    parser.add_argument("--scale", type=float, default=1.0, help="scale of the generated sample (default 1)")
    parser.add_argument("--errors", type=int, default=10, help="cells to break in tilbud.csv (default 10)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.data
        if path is None:
            from kompetanse.data.sample import write_sample

            path = Path(tmp) / "data"
            write_sample(path, scale=args.scale)
            _break(path, args.errors)
        t0 = time.perf_counter()
        raw = read_input(path)
        validation = validate_input(raw)
        t1 = time.perf_counter()
        out = write_feedback(raw, validation, Path(tmp) / "tilbakemelding.xlsx")
        t2 = time.perf_counter()
        size = out.path.stat().st_size / 1e6
    rows = int(validation.counts["read"].sum())
    cells = sum(len(t.frame) * (len(t.frame.columns) + 1) for t in raw.tables.values())
    print(f"{path}: {rows:,} rows, {len(validation.problems)} problems, {out.cells} cells and {out.rows} rows marked")
    print(f"  read and validate   {t1 - t0:6.2f} s")
    print(f"  feedback workbook   {t2 - t1:6.2f} s  ({size:.1f} MB, {(t2 - t1) / cells * 1e6:.1f} µs a cell, "
          f"{(t2 - t1) / (t1 - t0):.1f} × reading and validating)")


if __name__ == "__main__":
    main()
