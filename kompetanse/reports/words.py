"""The municipal report's words in both written forms of Norwegian: bokmål (``"nb"``) and nynorsk
(``"nn"``). Every label a municipal page shows that is not prose of its notebook comes from here
or from a ``_TEXT`` table beside the code that uses it (``{"nb": {...}, "nn": {...}}`` with the
same keys, which `pick` checks), so the two forms cannot drift apart.

The nynorsk is written, not substituted: *tilsette* for *ansatte*, *ikkje*, *kva*, *korleis*,
*fleire*, *dekt* for *dekket*, *manglar*, *kommunar*, *innbyggjarar*.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from kompetanse.errors import check_argument

__all__ = ["LANGUAGES", "LEVEL_ADJECTIVES", "LEVEL_LABELS", "PROGRESS_LABELS", "STATUS_LABELS", "analysis_text",
           "check_lang", "date_text", "pick", "training_time", "yes_no"]

#: The written forms a municipal page comes in.
LANGUAGES = ("nb", "nn")

LEVEL_LABELS = {lang: {"universell": "Universell", "selektiv": "Selektiv", "indikativ": "Indikativ"}
                for lang in LANGUAGES}
#: The neuter adjective a level takes before «nivå» (the same in both forms).
LEVEL_ADJECTIVES = {lang: {"universell": "universelt", "selektiv": "selektivt", "indikativ": "indikativt"}
                    for lang in LANGUAGES}
STATUS_LABELS = {"nb": {"dekket": "Dekket", "sarbar": "Sårbar", "mangler": "Mangler"},
                 "nn": {"dekket": "Dekt", "sarbar": "Sårbar", "mangler": "Manglar"}}
PROGRESS_LABELS = {"nb": {"i_rute": "I rute", "forsinket": "Forsinket", "fullfort": "Fullført", "avbrutt": "Avbrutt"},
                   "nn": {"i_rute": "I rute", "forsinket": "Forseinka", "fullfort": "Fullført", "avbrutt": "Avbrote"}}
_YES_NO = {"nb": ("ja", "nei"), "nn": ("ja", "nei")}

#: Bokmål phrases the analysis layer writes into its frames (peer group names, reasons for no
#: trend marker, why a comparison is missing), in nynorsk: whole phrases, matched whole.
_ANALYSIS_NN = {
    "eneste kommune i fylket": "einaste kommunen i fylket",
    "eneste kommune i gruppen": "einaste kommunen i gruppa",
    "ingen å sammenligne med": "ingen å samanlikne med",
    "ingen registrerte ansatte": "ingen registrerte tilsette",
    "ingen registrerte tilbud": "ingen registrerte tilbod",
    "ingen registrerte data": "ingen registrerte data",
    "ingen svar i undersøkelsen": "ingen svar i undersøkinga",
    "ingen å regne av": "ingenting å rekne ut frå",
    "prikket": "prikka",
    "ikke testet: snitt uten spredning": "ikkje testa: snitt utan spreiing",
    "ingen registrert kapasitet i perioden": "ingen registrert kapasitet i perioden",
    "modellen lar seg ikke tilpasse (kapasitet bare i første eller siste år)":
        "modellen let seg ikkje tilpasse (kapasitet berre i første eller siste år)",
}


def check_lang(lang: str) -> str:
    """``lang`` if it is one of `LANGUAGES`, else a UsageError naming the choices."""
    check_argument("lang", LANGUAGES, lang)
    return lang


def pick(table: Mapping[str, Mapping[str, str]], lang: str) -> Mapping[str, str]:
    """The words of ``lang`` from a ``{"nb": {...}, "nn": {...}}`` table whose forms have the
    same keys."""
    check_lang(lang)
    return table[lang]


def yes_no(value: bool, lang: str) -> str:
    yes, no = _YES_NO[check_lang(lang)]
    return yes if value else no


def analysis_text(text: str, lang: str) -> str:
    """A phrase the analysis layer wrote (in bokmål) in ``lang``: peer group names
    («kommuner med 2 000–4 999 innbyggere» → «kommunar med 2 000–4 999 innbyggjarar») and the
    fixed notes of `_ANALYSIS_NN`; other text unchanged."""
    if check_lang(lang) == "nb" or not text:
        return text
    if text in _ANALYSIS_NN:
        return _ANALYSIS_NN[text]
    if text.startswith("færre enn ") and text.endswith(" år"):
        return "færre enn " + text.removeprefix("færre enn ")
    if text.startswith("kommuner med "):
        return (text.replace("kommuner med ", "kommunar med ", 1).replace("innbyggere", "innbyggjarar")
                .replace("eller flere", "eller fleire"))
    return text


_UNITS_NN = {"dager": "dagar", "måneder": "månader", "semestre": "semester", "uker": "veker", "om lag": "om lag"}


def training_time(text: str, lang: str) -> str:
    """The catalogue's training length («4 dager», «4–5 måneder», «3 semestre») in ``lang``."""
    if check_lang(lang) == "nb":
        return text
    words = text.split(" ")
    return " ".join(_UNITS_NN.get(w, w) for w in words)


def date_text(day, lang: str) -> str:
    """A date as the page says it: «31. desember 2025» (the same spelling in both forms, from
    CLDR through Babel)."""
    import pandas as pd

    return _date_text(pd.Timestamp(day).date(), check_lang(lang))


@functools.lru_cache(maxsize=256)
def _date_text(day, lang: str) -> str:
    from babel.dates import format_date

    return format_date(day, "d. MMMM y", locale=lang)
