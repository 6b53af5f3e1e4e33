"""The site's own words around the reports' content, in bokmål and nynorsk: the skip link, the
header, the links to a page's other language form and to its PDF."""

from __future__ import annotations

__all__ = ["CHROME", "FORM_NAMES", "OTHER_FORM"]

#: The words every page carries around its content (skip link, header, PDF link), in the
#: page's language form.
CHROME: dict[str, dict[str, str]] = {
    "nb": {"skip": "Hopp til innholdet", "nav": "Rapportene", "statement": "Tilgjengelighet",
           "all": "Alle rapporter", "pdf": "Last ned PDF"},
    "nn": {"skip": "Hopp til innhaldet", "nav": "Rapportane", "statement": "Tilgjengelegheit",
           "all": "Alle rapportar", "pdf": "Last ned PDF"},
}

#: The header's link to a page's other language form, written in the page's own form (the two
#: read alike in bokmål and nynorsk), by the other form.
OTHER_FORM = {"nn": "Les på nynorsk", "nb": "Les på bokmål"}

#: The index's small second link to a municipality's report in its other form, by that form.
FORM_NAMES = {"nn": "nynorsk", "nb": "bokmål"}
