"""Person-revealing cells of a built municipal page, read from its HTML alone (the staff policy,
docs/staff-policy.md): what a reader of the page learns about one or two persons leaving or
losing their certification. Shared by the edition tests and the count over the whole sample.

A cell or sentence counts when it is, in bokmål or nynorsk:

1. a count of persons whose certification expires, or who left, of 1 or 2 (the retention
   table's «Utløper innen 12 mnd.» and «Sluttet i <år>»);
2. a count of persons lost in a quarter of 1 or 2 (the internal expiry table's «Mister <kvartal>»);
3. a status a year ahead worse than the status now («Status om ett år: Mangler») on a level
   whose expiring count the page does not show as 3 or more: the status rests on fewer;
4. a dated change of a level («1. kvartal 2026: ingen sertifiserte igjen») on such a level;
5. the key sentence that a level weakens within a year, naming such a level;
6. a level «sårbar» because all its certifications expire within a year, with 1 or 2 active
   certified persons.

Suppressed cells («:») and counts of 0 or of 3 and more do not count.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["PersonCell", "person_revealing_cells", "tables_of"]

_WORSE = {"dekket": 0, "dekt": 0, "sårbar": 1, "mangler": 2, "manglar": 2}
_DATED = re.compile(r"\d\. kvartal \d{4}:")
_LEVELS = ("universell", "selektiv", "indikativ")


class _Tables(HTMLParser):
    """Every <table> as a list of rows of cell texts (header row first), and the key sentences."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self.sentences: list[str] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._in_keys = False
        self._li: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "ul" and ("class", "nokkelsetninger") in attrs:
            self._in_keys = True
        elif tag == "li" and self._in_keys:
            self._li = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None
        elif tag == "li" and self._li is not None:
            self.sentences.append(" ".join("".join(self._li).split()))
            self._li = None
        elif tag == "ul":
            self._in_keys = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._li is not None:
            self._li.append(data)


def tables_of(page: str) -> tuple[list[list[list[str]]], list[str]]:
    """The page's tables (rows of cell texts, the header first) and its key sentences."""
    parser = _Tables()
    parser.feed(page)
    return [t for t in parser.tables if t], parser.sentences


class PersonCell(tuple):
    """(what, level or column, the text) of one person-revealing cell."""


def _column(header: list[str], *starts: str) -> int | None:
    return next((i for i, h in enumerate(header) if h.startswith(starts)), None)


def _small(text: str) -> bool:
    return text in ("1", "2")


def person_revealing_cells(page: str) -> list[PersonCell]:
    """Every person-revealing cell or sentence of a built municipal page (see the module)."""
    tables, sentences = tables_of(page)
    found: list[PersonCell] = []
    expiring: dict[str, str] = {}  # level → the retention table's expiring count as shown
    for rows in tables:
        header, body = rows[0], rows[1:]
        exp = _column(header, "Utløper innen", "Går ut innan")
        left = _column(header, "Sluttet i", "Slutta i")
        if exp is not None and left is not None:
            now, later = _column(header, "Status nå", "Status no"), _column(header, "Status om")
            for r in body:
                level = r[0].lower()
                expiring[level] = r[exp]
                found += [PersonCell(("count", header[i], f"{level}: {r[i]}")) for i in (exp, left) if _small(r[i])]
                if later is not None and _WORSE.get(r[later].lower(), -1) > _WORSE.get(r[now].lower(), 9) \
                        and not (r[exp].isdigit() and int(r[exp]) >= 3):
                    found.append(PersonCell(("status a year ahead", level, r[later])))
    for rows in tables:
        header, body = rows[0], rows[1:]
        lost = [i for i, h in enumerate(header) if h.startswith(("Mister ", "Mistar "))]
        found += [PersonCell(("lost in a quarter", header[i], f"{r[0]}: {r[i]}")) for r in body for i in lost
                  if _small(r[i])]
        first = _column(header, "Endres først", "Blir endra først")
        if first is not None:
            for r in body:
                level = r[0].lower()
                shown = expiring.get(level, "")
                if any(_DATED.match(c) for c in r[first:first + 2]) and not (shown.isdigit() and int(shown) >= 3):
                    found.append(PersonCell(("dated change", level, r[first])))
        why, active = _column(header, "Hvorfor sårbart", "Kvifor sårbart"), _column(header, "Aktive sertifiserte")
        if why is not None and active is not None:
            found += [PersonCell(("sårbar because expiring", r[0], r[why])) for r in body
                      if r[why].startswith(("alle sertifiseringene utløper", "alle sertifiseringane går ut"))
                      and _small(r[active])]
    for s in sentences:
        if s.startswith(("Om ingen sertifiseringer fornyes", "Om ingen sertifiseringar blir fornya")):
            named = [lv for lv in _LEVELS if f"{lv[:-1]}t" in s.lower() or f"{lv}t" in s.lower()]
            if any(not (expiring.get(lv, "").isdigit() and int(expiring[lv]) >= 3) for lv in named):
                found.append(PersonCell(("key sentence", ", ".join(named), s)))
    return found
