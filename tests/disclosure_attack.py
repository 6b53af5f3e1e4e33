"""An attack on a built site: read every published count back from the pages' HTML, declare the
linear relations between them, and bound each hidden cell by integer programming.

What a reader knows, and what the attack therefore uses:

- every number shown in a table of the site, read from the HTML (not from the library); a cell
  showing the suppression marker is an unknown whole number of at least 1 (zeros are shown, so a
  hidden count is never 0); a value shown on one page is known on every page (the municipal page
  in bokmål and in nynorsk, a cohort's page and its municipalities);
- every table with a totals row or column (``I alt``): the cells of each column (row) add up to
  its total;
- the programme pages: the municipalities' «Ansatte nådd» and «Foreldre nådd» add up to the
  cohort's «Ansatte nådd (oppmøter)» and «Foreldre nådd (oppmøter)» in the key figures
  (municipalities that have not started show «–» and add nothing).

For each hidden cell the smallest and largest whole value consistent with all of it is found
with `scipy.optimize.milp`; a cell is *recovered* when they are equal and *bounded to ±1* when
they are at most 2 apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from kompetanse.settings import SUPPRESSED_MARKER

__all__ = ["Attack", "Published", "attack", "pages_of", "read_site", "read_tables"]

TOTAL = "I alt"
#: The programme page's key figures that are the sums of the roster's columns.
COHORT_TOTALS = {"Ansatte nådd": "Ansatte nådd (oppmøter)", "Foreldre nådd": "Foreldre nådd (oppmøter)"}
_NUMBER = re.compile(r"^-?\d{1,3}(?:[\s\u00a0\u202f]\d{3})*$|^-?\d+$")


class _Tables(HTMLParser):
    """Every ``<table>`` of a page as a list of rows of cell texts (header row first)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self._depth = 0
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._depth += 1
            if self._depth == 1:
                self.tables.append([])
        elif self._depth == 1 and tag == "tr":
            self.tables[-1].append([])
        elif self._depth == 1 and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._depth -= 1
        elif self._depth == 1 and tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def read_tables(page_html: str) -> list[list[list[str]]]:
    """The tables of a page, each a list of rows of cell texts; the first row is the header."""
    parser = _Tables()
    parser.feed(page_html)
    return [t for t in parser.tables if t]


def _count(text: str) -> int | None | str:
    """A cell as a reader takes it: an int, None for the suppression marker, or the text."""
    if text == SUPPRESSED_MARKER:
        return None
    if _NUMBER.match(text):
        return int(re.sub(r"[\s\u00a0\u202f]", "", text))
    return text


@dataclass
class Published:
    """What the site shows: ``values`` by key (None where hidden) and the relations, each
    (members, total): the members add up to the total."""

    values: dict[tuple, int | None] = field(default_factory=dict)
    relations: list[tuple[tuple[tuple, ...], tuple]] = field(default_factory=list)
    conflicts: list[tuple] = field(default_factory=list)

    def show(self, key: tuple, value: int | None) -> None:
        """A value read on a page; a value shown anywhere is known everywhere."""
        before = self.values.get(key)
        if before is not None and value is not None and before != value:
            self.conflicts.append((key, before, value))
        self.values[key] = before if value is None else value


def _add_total_lines(pub: Published, where: tuple, table: list[list[str]]) -> None:
    """A table with a totals row (first cell ``I alt``) or a totals column (header ``I alt``):
    each column's (row's) counts add up to its total."""
    header, rows = table[0], table[1:]
    cells = [[_count(c) for c in r] for r in rows]
    total_rows = [i for i, r in enumerate(rows) if r and r[0] == TOTAL]
    total_cols = [j for j, h in enumerate(header) if h == TOTAL]
    if not total_rows and not total_cols:
        return  # no relation between its cells (a hidden cell there is in no sum)

    def numeric(c) -> bool:
        return c is None or isinstance(c, int)

    for i, r in enumerate(cells):
        for j, c in enumerate(r):
            if numeric(c):
                pub.show((*where, i, j), c)
    for t in total_rows:
        inner = [i for i in range(len(cells)) if i not in total_rows]
        for j in range(1, len(header)):
            column = [cells[i][j] for i in [*inner, t] if j < len(cells[i])]
            if len(column) == len(inner) + 1 and all(numeric(c) for c in column):
                pub.relations.append((tuple((*where, i, j) for i in inner), (*where, t, j)))
    for t in total_cols:
        inner = [j for j in range(1, len(header)) if j not in total_cols]
        for i, r in enumerate(cells):
            row = [r[j] for j in [*inner, t] if j < len(r)]
            if len(row) == len(inner) + 1 and all(numeric(c) for c in row):
                pub.relations.append((tuple((*where, i, j) for j in inner), (*where, i, t)))


def _add_cohort(pub: Published, kull: str, tables: list[list[list[str]]]) -> None:
    """A programme page: the roster's attendance columns add up to the key figures."""
    figures = next(t for t in tables if t[0][:2] == ["Nøkkeltall", "Verdi"])
    roster = next(t for t in tables if "Kommune" in t[0] and set(COHORT_TOTALS) <= set(t[0]))
    shown = {r[0]: _count(r[1]) for r in figures[1:]}
    for column, label in COHORT_TOTALS.items():
        j = roster[0].index(column)
        total = ("program", kull, TOTAL, column)
        pub.show(total, shown[label])
        members = []
        for r in roster[1:]:
            value = _count(r[j])
            if value is None or isinstance(value, int):  # «–»: not started, adds nothing
                key = ("program", kull, r[0], column)
                pub.show(key, value)
                members.append(key)
        pub.relations.append((tuple(members), total))


def read_site(pages: Mapping[str, str]) -> Published:
    """The published counts and their relations from pages given as {path: html}; a municipal
    page ``kommuner/<nr>[.<form>].html`` is one set of numbers in either written form."""
    pub = Published()
    for path, page in sorted(pages.items()):
        name = Path(path).name
        tables = read_tables(page)
        m = re.fullmatch(r"(\d{4})(?:\.(?:nb|nn))?\.html", name)
        where = ("kommune", m.group(1)) if m and "kommuner" in Path(path).parts else ("side", name)
        for k, table in enumerate(tables):
            _add_total_lines(pub, (*where, k), table)
        m = re.fullmatch(r"program-(\d{4})\.html", name)
        if m:
            _add_cohort(pub, m.group(1), tables)
    return pub


@dataclass(frozen=True)
class Attack:
    """The result: each hidden cell's feasible range (high may be inf)."""

    ranges: dict[tuple, tuple[float, float]]

    @property
    def hidden(self) -> int:
        return len(self.ranges)

    @property
    def recovered(self) -> dict[tuple, int]:
        return {k: int(lo) for k, (lo, hi) in self.ranges.items() if hi - lo < 0.5}

    @property
    def within_one(self) -> list[tuple]:
        """Hidden cells not recovered but known to ±1 (at most three whole values)."""
        return [k for k, (lo, hi) in self.ranges.items() if 0.5 <= hi - lo <= 2.5]

    def summary(self) -> str:
        return (f"{self.hidden} hidden cells, {len(self.recovered)} recovered exactly, "
                f"{len(self.within_one)} more bounded to ±1")


def attack(pub: Published, *, least: int = 1) -> Attack:
    """Bound every hidden value of ``pub`` by its relations (whole numbers ≥ ``least``)."""
    unknown = sorted((k for k, v in pub.values.items() if v is None), key=repr)
    index = {k: i for i, k in enumerate(unknown)}
    rows, rhs = [], []
    for members, total in pub.relations:
        row = np.zeros(len(unknown))
        b = 0.0
        for key, sign in [*((m, 1.0) for m in members), (total, -1.0)]:
            if pub.values[key] is None:
                row[index[key]] += sign
            else:
                b -= sign * pub.values[key]
        if row.any():
            rows.append(row)
            rhs.append(b)
    ranges = {k: (float(least), float("inf")) for k in unknown}
    if not unknown:
        return Attack(ranges)
    a = np.array(rows) if rows else np.zeros((0, len(unknown)))
    constraints = [LinearConstraint(a, rhs, rhs)] if rows else []
    bounds = Bounds(np.full(len(unknown), least), np.full(len(unknown), np.inf))
    integrality = np.ones(len(unknown))
    for k, i in index.items():
        if rows and not a[:, i].any():
            continue  # in no relation: anything from `least` up
        c = np.zeros(len(unknown))
        c[i] = 1.0
        low = milp(c, integrality=integrality, bounds=bounds, constraints=constraints)
        high = milp(-c, integrality=integrality, bounds=bounds, constraints=constraints)
        if low.status != 0:
            raise AssertionError(f"the published numbers admit no solution ({low.message}); the reading is wrong")
        ranges[k] = (round(low.x[i]), round(high.x[i]) if high.status == 0 else float("inf"))
    return Attack(ranges)


def pages_of(folder: Path, patterns: Iterable[str] = ("*.html", "kommuner/*.html")) -> dict[str, str]:
    """The HTML pages of a built period folder, by path relative to it."""
    return {str(p.relative_to(folder)): p.read_text(encoding="utf-8") for pat in patterns for p in folder.glob(pat)}


if __name__ == "__main__":  # python -m tests.disclosure_attack <built period folder, e.g. reports/2025>
    import sys

    result = attack(read_site(pages_of(Path(sys.argv[1]))))
    print(result.summary())
    for key, value in sorted(result.recovered.items(), key=repr):
        print("recovered:", key, value)
