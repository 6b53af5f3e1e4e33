"""The accessibility statement (``tilgjengelighet.html``, beside the index), which every page
of the site links: what it covers, the status against WCAG 2.1 A and AA, the known gaps, how the
pages are tested, where to write, and Uutilsynet."""

from __future__ import annotations

import datetime

from kompetanse.formatting import number
from kompetanse.site.pages import _UNLINKED_SLOT, STATEMENT, Site, _finish, _nav, _render

__all__ = ["ACCESSIBILITY_CONTACT", "AXE_VERSION", "accessibility_page"]

#: The axe-core release the test suite runs over the pages (package.json pins the same).
AXE_VERSION = "4.11.0"

#: Where readers write about accessibility: a placeholder until the publisher names a function
#: address (never a person's name).
ACCESSIBILITY_CONTACT = "postmottaket til utgiveren (adressen fylles inn av den som publiserer sidene)"


def accessibility_page(*, periode: int, tested: datetime.date, site: Site | None = None,
                       contact: str = ACCESSIBILITY_CONTACT) -> str:
    """The accessibility statement, ``tilgjengelighet.html`` beside the index, in bokmål.

    Parameters
    ----------
    periode : the period the site reports on.
    tested : the date the statement was last brought up to date (the build's date), written
        out in bokmål with Babel (``2. desember 2026``).
    site : the pages of the build, for the header's links (`Site`).
    contact : where readers write (a function address, never a person's name).

    Returns
    -------
    The page as HTML: what the statement covers, the status against WCAG 2.1 A and AA, the
    known gaps, how the pages were tested (axe-core `AXE_VERSION` in Chromium at 1280 and 390
    px), contact, and the supervisory authority (Uutilsynet).
    """
    from babel.dates import format_date

    rendered = _render("tilgjengelighet.html", title="Tilgjengelighetserklæring", home="index.html", footer="",
                       fingerprint=None, periode=periode, tested=format_date(tested, "d. MMMM y", locale="nb"),
                       contact=contact, axe_version=AXE_VERSION, widths=[number(w) for w in (1280, 390)],
                       nav=_nav(STATEMENT, site), sources=[], unlinked_slot=_UNLINKED_SLOT, statement_page=True,
                       site=site)
    return _finish(rendered, STATEMENT, site)
