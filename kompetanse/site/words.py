"""The site's own words around the reports' content, in bokmål and nynorsk: the skip link, the
header, the links to a page's other language form and to its PDF."""

from __future__ import annotations

__all__ = ["CHROME", "FORM_NAMES", "OTHER_FORM"]

#: The words every page carries around its content (skip link, header, PDF link, and on every
#: page of an internal build the banner and the title's prefix), in the page's language form.
CHROME: dict[str, dict[str, str]] = {
    "nb": {"skip": "Hopp til innholdet", "nav": "Rapportene", "statement": "Tilgjengelighet",
           "all": "Alle rapporter", "pdf": "Last ned PDF",
           "internal": "Intern utgave, ikke for publisering.", "internal_title": "Intern utgave: ",
           "internal_banner": "Denne utgaven av rapportene viser hendelser som gjelder én eller to ansatte, og "
                              "den er bare for kommunens ledelse. Den skal ikke publiseres eller deles."},
    "nn": {"skip": "Hopp til innhaldet", "nav": "Rapportane", "statement": "Tilgjengelegheit",
           "all": "Alle rapportar", "pdf": "Last ned PDF",
           "internal": "Intern utgåve, ikkje for publisering.", "internal_title": "Intern utgåve: ",
           "internal_banner": "Denne utgåva av rapportane viser hendingar som gjeld éin eller to tilsette, og "
                              "ho er berre for leiinga i kommunen. Ho skal ikkje publiserast eller delast."},
}

#: The header's link to a page's other language form, written in the page's own form (the two
#: read alike in bokmål and nynorsk), by the other form.
OTHER_FORM = {"nn": "Les på nynorsk", "nb": "Les på bokmål"}

#: The index's small second link to a municipality's report in its other form, by that form.
FORM_NAMES = {"nn": "nynorsk", "nb": "bokmål"}
