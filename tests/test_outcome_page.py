"""The outcome study's page (kompetanse.reports.utfall): one title that names barnehage and
school, the method as paragraphs and a list that wrap, and the counts of treated and control
municipalities explained, on hand-made study results."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
from matplotlib.container import ErrorbarContainer

from kompetanse import outcomes
from kompetanse.formatting import MISSING
from kompetanse.reports import nasjonal, outcome_plots, utfall

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


# --- years without an interval (one treated municipality) ------------------------------------


def _event_study(refused: tuple[int, ...]) -> pd.DataFrame:
    years = [-3, -2, -1, 0, 1, 2, 3]
    est = [0.01, -0.02, 0.0, 0.03, 0.12, 0.15, 0.40]
    rows = []
    for e, x in zip(years, est, strict=True):
        given = e != -1 and e not in refused
        rows.append({"rel_year": e, "estimate": x, "se": 0.02 if given else float("nan"),
                     "ci_low": x - 0.04 if given else float("nan"), "ci_high": x + 0.04 if given else float("nan"),
                     "p_value": 0.5 if given else float("nan"), "n": 1 if e in refused else 4, "kohorter": 2,
                     "no_interval_reason": "only 1 treated municipality contributes, and an interval or p-value "
                                           "needs at least 2" if e in refused else None})
    return pd.DataFrame(rows)


def _result_study(refused: tuple[int, ...], *, overall_refused: bool = False) -> SimpleNamespace:
    nan = float("nan")
    result = SimpleNamespace(event_study=_event_study(refused), estimate=0.2,
                             ci_low=nan if overall_refused else 0.1, ci_high=nan if overall_refused else 0.3,
                             no_interval_reason="only 1 treated municipality contributes" if overall_refused else None)
    return SimpleNamespace(result=result, indikator="samarbeid", confidence_level=0.95)


def test_a_year_on_one_treated_municipality_has_a_note_instead_of_an_interval_in_the_table():
    table = utfall.event_table(_result_study((3,)))
    frame = table.to_frame().set_index("År fra start")
    assert frame.loc["3", "Merknad"] == outcomes.NO_INTERVAL_SHORT
    assert frame.loc["3", "Nedre grense"] == MISSING and frame.loc["3", "p-verdi"] == MISSING
    assert frame.loc["2", "Merknad"] != outcomes.NO_INTERVAL_SHORT and frame.loc["2", "Nedre grense"] != MISSING
    assert "bare én deltakerkommune" in table.caption


def test_the_table_has_no_note_column_when_every_year_has_an_interval():
    table = utfall.event_table(_result_study(()))
    assert "Merknad" not in table.to_frame().columns and "deltakerkommune" not in table.caption


def test_the_figure_draws_no_bar_for_a_year_without_an_interval_and_says_why():
    s = _result_study((-3, 3))
    chart = utfall.event_chart(s)
    ax = chart.figure.axes[0]
    bars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    drawn = {float(x) for c in bars for x in c.lines[0].get_xdata()}
    assert drawn == {-2.0, -1.0, 0.0, 1.0, 2.0}  # not -3 or 3
    assert outcome_plots.NO_INTERVAL_LABEL in [t.get_text() for t in ax.get_legend().get_texts()]
    assert "år −3 og 3 er tegnet uten intervall, fordi bare én deltakerkommune bidrar" in chart.alt
    assert "konfidensintervall 0,10 til 0,30" in chart.alt


def test_the_alt_text_says_when_the_overall_effect_has_no_interval():
    alt = utfall.event_alt(_result_study((-3, -2, 0, 1, 2, 3), overall_refused=True))
    assert "samlet 0,20 (uten konfidensintervall: bare én deltakerkommune bidrar" in alt
    assert "nan" not in alt.lower() and "tegnet uten intervall" not in alt  # said once, for the whole figure
