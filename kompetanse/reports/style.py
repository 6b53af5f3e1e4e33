"""The house style shared by figures, tables and HTML pages: colours, labels, order.

Colours are Okabe–Ito (colour-blind safe). Every status has one colour everywhere, and is
always also written out, never shown by colour alone. Text on a status colour (a badge, a
number on a bar) is in `BADGE_TEXT`, at least 4.5:1 against the fill (WCAG 2.1 1.4.3); text and
markers on white use colours of at least 4.5:1 (`TEXT_COLOURS`).
"""

from __future__ import annotations

import functools

from kompetanse.data.reference import LEVELS, metoder

#: Prevention levels in their fixed order, with labels for people.
LEVEL_LABELS: dict[str, str] = {"universell": "Universell", "selektiv": "Selektiv", "indikativ": "Indikativ"}
LEVEL_COLOURS: dict[str, str] = {"universell": "#56B4E9", "selektiv": "#0072B2", "indikativ": "#CC79A7"}


def levels_text(levels) -> str:
    """Prevention levels in words, as a table cell shows them: ``universell, indikativ``."""
    return ", ".join(LEVEL_LABELS[x].lower() for x in levels)

#: Coverage status: dekket (covered), sarbar (vulnerable), mangler (missing).
STATUS_LABELS: dict[str, str] = {"dekket": "Dekket", "sarbar": "Sårbar", "mangler": "Mangler"}
STATUS_COLOURS: dict[str, str] = {"dekket": "#009E73", "sarbar": "#E69F00", "mangler": "#D55E00"}

#: Programme progress status.
PROGRESS_LABELS: dict[str, str] = {
    "i_rute": "I rute", "forsinket": "Forsinket", "fullfort": "Fullført", "avbrutt": "Avbrutt",
}
PROGRESS_COLOURS: dict[str, str] = {
    "i_rute": "#009E73", "forsinket": "#E69F00", "fullfort": "#0072B2", "avbrutt": "#6E6E6E",
}

#: Text on each status colour: black on the light fills (6.1:1 on Dekket, 9.3:1 on Sårbar, 5.4:1
#: on Mangler), white on the dark ones (5.2:1 on Fullført, 5.1:1 on Avbrutt). White on the
#: Okabe–Ito fills fails 4.5:1 (3.4:1 on Dekket, 3.9:1 on Mangler). ``innvilget`` and ``sokt``
#: (the programme's roster) have a light grey fill.
BADGE_TEXT: dict[str, str] = {
    "dekket": "#000000", "sarbar": "#000000", "mangler": "#000000",
    "i_rute": "#000000", "forsinket": "#000000", "fullfort": "#FFFFFF", "avbrutt": "#FFFFFF",
    "innvilget": "#000000", "sokt": "#000000",
}
PARTICIPATION_COLOURS: dict[str, str] = {"innvilget": "#E3E3E3", "sokt": "#F2F2F2"}

#: Comparison with the country (FHI style).
ASSESSMENT_LABELS: dict[str, str] = {"bedre": "Bedre enn landet", "likt": "Som landet",
                                     "darligere": "Dårligere enn landet", "": "Ikke vurdert"}

#: Neutral colours for county and country beside a municipality.
MUNICIPALITY_COLOUR = "#0072B2"
COUNTY_COLOUR = "#6E6E6E"
COUNTRY_COLOUR = "#333333"
#: Grey for reference lines, and every colour a figure writes text or draws a marker in on white
#: (each at least 4.5:1).
GUIDE_COLOUR = "#6E6E6E"
TEXT_COLOURS: tuple[str, ...] = ("#1A1A1A", "#000000", COUNTRY_COLOUR, MUNICIPALITY_COLOUR, COUNTY_COLOUR, GUIDE_COLOUR)


def short_method_names() -> dict[str, str]:
    """Method codes to the names readers know (the catalogue's name up to a dash: «ICDP»,
    «De utrolige årene (DUÅ)», «Trygghetssirkelen (Circle of Security Parenting)»); a new dict
    each call, from the catalogue read once per process (a municipal page asks for it six times,
    and copying the catalogue costs 5-10 ms)."""
    return dict(_short_method_names())


@functools.cache
def _short_method_names() -> tuple[tuple[str, str], ...]:
    catalogue = metoder()
    return tuple(zip(catalogue["metode"], catalogue["navn"].str.split(" – ").str[0], strict=True))


assert tuple(LEVEL_LABELS) == LEVELS
