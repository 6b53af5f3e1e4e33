"""The outcome study's page (kompetanse.reports.utfall): one title that names barnehage and
school, the method as paragraphs and a list that wrap, and the counts of treated and control
municipalities explained, on hand-made study results."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from kompetanse.reports import nasjonal, utfall

METHOD = ("Forskjell-i-forskjeller (Callaway og Sant'Anna 2021) på «samarbeid». Kommuner som startet, "
          "sammenlignes med de andre: før og etter. Usikkerheten er beregnet med kommunen som klynge; "
          "95 % konfidensintervall. Placebotesten sjekker årene før start.")


def _study(n_treated: int, n_control: int, municipalities: int) -> SimpleNamespace:
    survey = pd.DataFrame({"kommunenummer": [f"{i:04d}" for i in range(municipalities)] * 2})
    result = SimpleNamespace(n_treated=n_treated, n_control=n_control, method=METHOD)
    return SimpleNamespace(result=result, ds=SimpleNamespace(foreldreundersokelsen=survey))


def test_the_title_names_barnehage_and_school_and_not_home_and_school():
    title = utfall.page_title()
    assert title == "Utfallsstudie: gir programmet bedre foreldresamarbeid i barnehage og skole?"
    assert "hjem og skole" not in title
    assert "«trivsel»" in utfall.page_title("trivsel")


def test_the_method_is_a_paragraph_and_a_list_of_its_sentences():
    prose = utfall.method_prose(_study(1, 1, 2))
    # four sentences: the first is the paragraph, the other three the list
    assert prose.paragraphs == ("Forskjell-i-forskjeller (Callaway og Sant'Anna 2021) på «samarbeid».",)
    assert prose.items == ("Kommuner som startet, sammenlignes med de andre: før og etter.",
                           "Usikkerheten er beregnet med kommunen som klynge; 95 % konfidensintervall.",
                           "Placebotesten sjekker årene før start.")
    html = prose._repr_html_()
    assert html.count("<li>") == 3 and html.startswith("<p>Forskjell") and "Sant&#x27;Anna" in html
    assert " ".join([*prose.paragraphs, *prose.items]) == METHOD


def test_the_counts_are_of_municipalities_and_their_sum_can_exceed_the_country():
    # 46 treated + 317 control = 363 > 357 municipalities in the survey: some are counted twice
    text = str(utfall.units_text(_study(46, 317, 357)))
    assert "46 deltakerkommuner og 317 sammenligningskommuner" in text
    assert "kommune og skoleslag" in text and "telles da i begge" in text
    assert "46 + 317 = 363 flere enn de 357 kommunene" in text
    # 10 + 20 = 30 of 40: no sentence about a sum that is not larger
    assert "Derfor" not in str(utfall.units_text(_study(10, 20, 40)))


def test_prose_is_text_not_markup():
    prose = nasjonal.Prose(("<b>A & B</b>",), ("<script>x</script>",))
    assert prose._repr_html_() == "<p>&lt;b&gt;A &amp; B&lt;/b&gt;</p>\n<ul><li>&lt;script&gt;x&lt;/script&gt;</li></ul>"
    assert str(prose) == "<b>A & B</b>\n\n- <script>x</script>"


def test_the_national_title_and_status_line():
    assert nasjonal.page_title(2025) == "Nasjonal oversikt 2025: foreldrestøtte i kommunene"
    assert nasjonal.page_title(2025, "Nordland") == "Nordland 2025: foreldrestøtte i kommunene"
    # one row per municipality and level: 357 municipalities, 1 071 rows
    coverage = pd.DataFrame({"kommunenummer": [f"{i:04d}" for i in range(357)] * 3,
                             "niva": ["universell"] * 357 + ["selektiv"] * 357 + ["indikativ"] * 357})
    o = SimpleNamespace(coverage=coverage, fylkesnummer="", omrade="Hele landet", on=pd.Timestamp("2025-12-31"))
    assert str(nasjonal.status_line(o)) == "Tallene gjelder 357 kommuner i hele landet, med status per 31.12.2025."
