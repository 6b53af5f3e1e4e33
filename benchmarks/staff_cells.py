"""Count the person-revealing cells (`tests/staff_cells.py`, docs/staff-policy.md) of every
municipal page of the sample, in each edition, without the kernel: the sections of the page that
speak about staff (key sentences, barometer, levels, methods, the policy, retention and its dates)
rendered as the notebook renders them.

Usage:
    python benchmarks/staff_cells.py                 # each municipality's own form
    python benchmarks/staff_cells.py --both-forms    # bokmål and nynorsk pages of every municipality
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import kompetanse  # noqa: E402
from kompetanse.analysis import periods  # noqa: E402
from kompetanse.data.reference import report_language  # noqa: E402
from kompetanse.reports import kommune as rapport  # noqa: E402
from tests.staff_cells import person_revealing_cells  # noqa: E402

SECTIONS = ("key_sentences", "barometer_table", "summary_table", "methods_table", "staff_policy", "retention_table",
            "expiry_tables")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--both-forms", action="store_true")
    args = parser.parse_args()
    start = time.perf_counter()
    ds = kompetanse.load(args.data)
    on = periods.reference_date(ds)
    for utgave in ("offentlig", "intern"):
        kinds: collections.Counter = collections.Counter()
        pages = places = 0
        for nr in ds.kommuner["kommunenummer"]:
            forms = ("nb", "nn") if args.both_forms else (report_language(nr),)
            found = 0
            for lang in forms:
                p = rapport.profile(ds, nr, on=on, lang=lang, utgave=utgave)
                html = "".join(getattr(rapport, s)(p)._repr_html_() for s in SECTIONS)
                cells = person_revealing_cells(html)
                kinds.update(c[0] for c in cells)
                found += len(cells)
                pages += 1
            places += found > 0
        print(f"{utgave}: {sum(kinds.values())} person-revealing cells on {pages} pages "
              f"({places} municipalities); {dict(kinds)}")
    print(f"{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
