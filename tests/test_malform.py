"""Both written forms of the municipal report: the twin notebooks run the same code, and every
word the report shows (the notebook's prose, the library's tables, sentences, labels, figure
descriptions) is in the page's form, never in the other one."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest

import kompetanse
from kompetanse.analysis import periods
from kompetanse.data.reference import metoder
from kompetanse.errors import UsageError
from kompetanse.reports import kommune as rapport
from kompetanse.reports import plots, words
from kompetanse.reports.svg import SvgChart

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
FORMS = {"nb": NOTEBOOKS / "kommune_rapport.ipynb", "nn": NOTEBOOKS / "kommune_rapport_nn.ipynb"}

#: Words that belong to one form only: seeing one on a page of the other form is a mistake.
ONLY = {
    "nb": {"ikke", "hva", "hvordan", "hvilke", "hvor", "flere", "ansatte", "ansatt", "mangler", "hvert", "også",
           "noen", "hvis", "kommuner", "innbyggere", "bare", "vises", "hele", "sier", "gjøres", "fra", "tallene",
           "sammenlignet", "sammenlignes", "forskjell", "forskjellen", "utløper", "innen", "sluttet", "tilbud",
           "undersøkelsen", "skoler", "barnehager", "gjelder", "gruppen", "metoder", "nivåene", "dekket", "siden",
           "enn landets", "dem", "bedre", "dårligere", "økende", "synkende", "kommunegruppen", "opplysninger",
           "tall", "antall", "antallet", "mellom", "deres", "hviler", "én metode", "et år", "metodene"},
    "nn": {"ikkje", "kva", "korleis", "fleire", "tilsette", "tilsett", "manglar", "kvart", "kvar", "òg", "nokon",
           "noko", "berre", "heile", "seier", "ein", "eit", "dei", "frå", "tal", "tala", "talet", "samanlikna",
           "skilnad", "skilnaden", "innan", "slutta", "tilbod", "undersøkinga", "skular", "barnehagar", "gjeld",
           "gruppa", "metodar", "nivåa", "dekt", "dekte", "sida", "betre", "dårlegare", "aukande", "søkkande",
           "kommunegruppa", "kviler", "éin", "eitt", "metodane", "blir viste", "går ut"},
}


def _names() -> list[str]:
    """Proper names a page quotes as they are: methods, providers, the programme."""
    m = metoder()
    names = [*m["navn"], *m["navn"].str.split(" – ").str[0], *m["tilbyder"]]
    names.append("Bedre foreldresamarbeid til det beste for barnet")
    return sorted({n for n in names if n}, key=len, reverse=True)


_PATTERN = {lang: re.compile(r"(?<![\wæøå])(" + "|".join(sorted(map(re.escape, words_), key=len, reverse=True))
                             + r")(?![\wæøå])") for lang, words_ in ONLY.items()}


def _words_of_other_form(text: str, lang: str, names: list[str]) -> set[str]:
    for name in names:
        text = text.replace(name, " ")
    text = " ".join(re.sub(r"<[^>]+>", " ", html.unescape(text)).lower().split())
    return set(_PATTERN["nn" if lang == "nb" else "nb"].findall(text))


def _notebook(lang: str) -> dict:
    return json.loads(FORMS[lang].read_text(encoding="utf-8"))


def _section_calls(nb: dict) -> list[str]:
    """The library's section functions the notebook calls, in order (``rapport.x(profil)``)."""
    calls = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            calls += re.findall(r"^rapport\.(\w+)\(profil\)\s*$", "".join(cell["source"]), flags=re.M)
    return calls


def test_the_twin_notebooks_run_the_same_code():
    nb, nn = _notebook("nb"), _notebook("nn")
    assert nb["metadata"]["language"] == "nb" and nn["metadata"]["language"] == "nn"
    code = [[c for c in n["cells"] if c["cell_type"] == "code"] for n in (nb, nn)]
    assert len(code[0]) == len(code[1])
    # every code cell but the parameters is the same, character for character
    for a, b in zip(code[0][1:], code[1][1:], strict=True):
        assert a["source"] == b["source"]
    # the parameters: the same names, types and defaults, except the form itself
    def parameters(cell):
        found = re.findall(r"^(\w+): (\w+) = (\"[^\"]*\"|\d+)", "".join(cell["source"]), flags=re.M)
        return {name: (kind, default) for name, kind, default in found}
    p_nb, p_nn = parameters(code[0][0]), parameters(code[1][0])
    assert p_nb.pop("malform") == ("str", '"nb"') and p_nn.pop("malform") == ("str", '"nn"')
    assert p_nb == p_nn and "kommunenummer" in p_nb
    # the same sections in the same order, prose or not
    kinds = [[c["cell_type"] for c in n["cells"]] for n in (nb, nn)]
    assert kinds[0] == kinds[1]


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_the_notebooks_prose_is_in_its_form(lang):
    names = _names()
    prose = " ".join("".join(c["source"]) for c in _notebook(lang)["cells"] if c["cell_type"] == "markdown")
    parameters = "".join(_notebook(lang)["cells"][0]["source"])
    assert _words_of_other_form(prose + " " + parameters, lang, names) == set()


def _shown(value) -> str:
    """Everything a section's output says: its HTML (tables, sentences) and a figure's description."""
    if isinstance(value, SvgChart):
        return value.alt + " " + html.unescape(re.sub(r"<[^>]+>", " ", value.svg))
    if isinstance(value, plots.Chart):
        plt.close(value.figure)
        return value.alt + " " + " ".join(t.get_text() for ax in value.figure.axes
                                          for t in [*ax.texts, ax.title, ax.xaxis.label, ax.yaxis.label,
                                                    *(ax.get_legend().get_texts() if ax.get_legend() else [])])
    return value._repr_html_()


@pytest.fixture(scope="module")
def sample():
    ds = kompetanse.load()
    return ds, periods.reference_date(ds)


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_every_section_of_four_municipalities_is_in_the_pages_form(sample, lang):
    # Oslo (large), Utsira (tiny), Voss (nynorsk), Modalen (no data); figures included
    ds, on = sample
    names = _names()
    calls = _section_calls(_notebook(lang))
    assert {"heading", "key_sentences", "barometer_table", "capacity_chart", "trend_table"} <= set(calls)
    for nr in ("0301", "1151", "4621", "4629"):
        p = rapport.profile(ds, nr, on=on, lang=lang)
        for call in calls:
            found = _words_of_other_form(_shown(getattr(rapport, call)(p)), lang, names)
            assert found == set(), (nr, call, found)


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_every_municipalitys_tables_and_sentences_are_in_the_pages_form(sample, lang):
    # all 357 municipalities, every section whose words depend on the municipality's data (the
    # others have fixed labels, tested above for four)
    ds, on = sample
    names = _names()
    varying = {"heading", "key_sentences", "barometer_table", "summary_table", "trend_table", "expiry_tables",
               "gaps_table", "programme_table"}
    calls = [c for c in _section_calls(_notebook(lang)) if c in varying]
    assert len(calls) == len(varying)
    bad = {}
    for nr in ds.kommuner["kommunenummer"]:
        p = rapport.profile(ds, nr, on=on, lang=lang)
        for call in calls:
            found = _words_of_other_form(_shown(getattr(rapport, call)(p)), lang, names)
            if found:
                bad[(nr, call)] = found
    assert bad == {}, dict(list(bad.items())[:10])


def test_the_word_check_can_fail():
    names = _names()
    assert _words_of_other_form("Kommunen har ikke tilbud.", "nn", names) == {"ikke", "tilbud"}
    assert _words_of_other_form("Kommunen har ikkje tilbod.", "nb", names) == {"ikkje", "tilbod"}
    # a method's name is quoted as it is: «De utrolige årene» on a nynorsk page is not a mistake
    assert _words_of_other_form("De utrolige årene (DUÅ) – foreldreprogram", "nn", names) == set()


def test_a_form_that_is_not_nb_or_nn_is_refused(sample):
    ds, on = sample
    with pytest.raises(UsageError, match="lang"):
        rapport.profile(ds, "0301", on=on, lang="en")
    assert words.analysis_text("kommuner med 2\u00a0000–4\u00a0999 innbyggere", "nn") == \
        "kommunar med 2\u00a0000–4\u00a0999 innbyggjarar"
    assert pd.notna(words.date_text("2025-12-31", "nn"))
