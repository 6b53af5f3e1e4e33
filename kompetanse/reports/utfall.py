"""The outcome study for researchers (notebooks/utfallsstudie.ipynb), one function per section.
`study` runs `kompetanse.outcomes.outcome_study`; each section function takes the study and
returns what the section shows: a heading, a table, a figure (`kompetanse.reports.plots.Chart`)
or text. Only the public API of `kompetanse.outcomes` and its result fields are used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from kompetanse import outcomes
from kompetanse.reports import outcome_plots, plots, tables
from kompetanse.reports.nasjonal import Prose

__all__ = ["Study", "study", "page_title", "heading", "key_figures", "units_text", "event_alt", "event_chart",
           "event_table",
           "robustness_chart", "robustness_table", "twfe_table", "method_text",
           "method_prose"]

#: A sentence ends at a full stop (or a closing parenthesis after one) before a capital letter.
_SENTENCE_END = re.compile(r"(?<=[.)])\s+(?=[A-ZÆØÅ0-9])")


def page_title(indikator: str = "samarbeid") -> str:
    """The study's title: on the index, in the page's ``<title>`` and as its ``<h1>``. The
    survey covers barnehage and grunnskole, so the title names both."""
    if indikator == "samarbeid":
        return "Utfallsstudie: gir programmet bedre foreldresamarbeid i barnehage og skole?"
    return f"Utfallsstudie: virker programmet på «{indikator}» i barnehage og skole?"

_INTERVAL = {"estimate": "Effekt", "ci_low": "Nedre grense", "ci_high": "Øvre grense", "p_value": "p-verdi"}
_DECIMALS = {"estimate": 3, "ci_low": 3, "ci_high": 3}


@dataclass(frozen=True)
class Study:
    """The outcome study of one indicator: the main result, and the robustness checks and the
    two-way regression, computed when a section first asks for them."""

    ds: object = field(repr=False)
    indikator: str
    confidence_level: float
    result: outcomes.OutcomeResult = field(repr=False)

    @cached_property
    def robustness(self) -> pd.DataFrame:
        return outcomes.robustness(self.ds, indikator=self.indikator, confidence_level=self.confidence_level)


def study(ds, *, indikator: str, confidence_level: float) -> Study:
    """The study of ``indikator`` (already checked) at ``confidence_level`` (already checked)."""
    result = outcomes.outcome_study(ds, indikator=indikator, confidence_level=confidence_level)
    return Study(ds, indikator, confidence_level, result)


def heading(s: Study) -> tables.Heading:
    """The indicator studied."""
    return tables.heading(f"Indikator «{s.indikator}»", level=2)


def key_figures(s: Study) -> tables.Table:
    """The estimate with its interval and p-value, the municipalities and the placebo tests."""
    return tables.key_figures(s.result.key_figures(), caption=f"Nøkkeltall for indikatoren «{s.indikator}».")


def units_text(s: Study) -> Prose:
    """What the counts of treated and control municipalities in `key_figures` count.

    The analysis compares units of municipality × school type (barnehage and grunnskole apart);
    the counts are of municipalities (the clusters of the standard errors). A municipality that
    started later is a control in the years before its start and treated after it, so it can be
    counted in both: the sum can exceed the number of municipalities in the survey, and the text
    says so when it does.
    """
    treated, control = s.result.n_treated, s.result.n_control
    total = s.ds.foreldreundersokelsen["kommunenummer"].nunique()
    text = (f"Analysen sammenligner enheter av kommune og skoleslag (barnehage og grunnskole hver for seg), "
            f"men tallene over teller kommuner: {tables.number(treated)} deltakerkommuner og "
            f"{tables.number(control)} sammenligningskommuner. En kommune som startet senere, er "
            f"sammenligningskommune i årene før den startet og deltakerkommune etter, og telles da i begge.")
    if treated + control > total:
        text += (f" Derfor er {tables.number(treated)} + {tables.number(control)} = "
                 f"{tables.number(treated + control)} flere enn de {tables.number(total)} kommunene i "
                 f"foreldreundersøkelsen.")
    return Prose((text,))


def event_chart(s: Study) -> plots.Chart:
    """The effect by year from the start, with intervals and the overall estimate."""
    fig = outcome_plots.event_study(s.result.event_study, indikator=s.indikator,
                                    confidence_level=s.confidence_level, estimate=s.result.estimate)
    return plots.Chart(fig, event_alt(s))


def _points(x: float) -> str:
    return tables.number(x, 2)


def _refused_years(s: Study) -> list[int]:
    """Years from the start whose estimate rests on one treated municipality: no interval."""
    es = s.result.event_study
    return [int(e) for e in es.loc[es["no_interval_reason"].notna(), "rel_year"]]


def _years_text(years: list[int]) -> str:
    """"år 3", "år −4 og 3", "år −5, −4 og 3" (a minus sign, not a hyphen)."""
    words = [tables.number(e) for e in years]
    return "år " + (words[0] if len(words) == 1 else f"{', '.join(words[:-1])} og {words[-1]}")


def event_alt(s: Study) -> str:
    """What the event-study figure shows, for screen readers: the overall effect with its
    interval, and the range of the yearly estimates before and from the start ("Effekt på
    samarbeid etter år fra start: samlet 0,12 poeng (95 % konfidensintervall 0,05 til 0,19);
    årene før start mellom −0,03 og 0,02, årene fra start mellom 0,08 og 0,17"), and which years
    are drawn without an interval because one treated municipality carries them."""
    r, es = s.result, s.result.event_study
    level = tables.number(s.confidence_level, percent=True)
    interval = ("uten konfidensintervall: bare én deltakerkommune bidrar, og et intervall krever minst to"
                if r.no_interval_reason
                else f"{level} konfidensintervall {_points(r.ci_low)} til {_points(r.ci_high)}")
    text = (f"Effekt på {s.indikator} etter år fra start, i poeng på skalaen 1–5: samlet {_points(r.estimate)} "
            f"({interval})")
    for label, rows in (("årene før start", es[es["rel_year"] < 0]), ("årene fra start", es[es["rel_year"] >= 0])):
        if len(rows):
            text += f"; {label} mellom {_points(rows['estimate'].min())} og {_points(rows['estimate'].max())}"
    refused = _refused_years(s)
    if refused and not r.no_interval_reason:
        text += (f"; {_years_text(refused)} er tegnet uten intervall, fordi bare én deltakerkommune bidrar "
                 f"{'til hvert av dem' if len(refused) > 1 else 'til det'}")
    return text + "."


def event_table(s: Study) -> tables.Table:
    """The event study as a table: one row per year from the start. A year that rests on one
    treated municipality has its estimate but no interval or p-value, and a note in the column
    ``Merknad`` (shown only when some year has one)."""
    es = s.result.event_study
    columns = {"rel_year": "År fra start", **_INTERVAL, "n": "Deltakerkommuner", "kohorter": "Startkull"}
    caption = (f"Effekten på {s.indikator} per år fra start, med {tables.number(s.confidence_level, percent=True)} "
               "konfidensintervall.")
    if es["no_interval_reason"].notna().any():
        es = es.assign(merknad=es["no_interval_reason"].notna().map({True: outcomes.NO_INTERVAL_SHORT, False: ""}))
        columns["merknad"] = "Merknad"
        caption += (" År som bare én deltakerkommune bidrar til, har verken intervall eller p-verdi: med én "
                    "kommune kan usikkerheten ikke anslås.")
    return tables.table(es.drop(columns="no_interval_reason"), columns=columns,
                        decimals={"rel_year": 0, **_DECIMALS}, p_values=["p_value"], caption=caption)


def robustness_chart(s: Study) -> plots.Chart:
    """Each robustness variant's estimate with its interval, the main analysis first."""
    r = s.robustness
    given = int(r["ci_low"].notna().sum())
    alt = (f"Punktestimater med konfidensintervall for hovedanalysen og {tables.number(len(r) - 1)} "
           f"robusthetsvarianter: estimatene ligger mellom {_points(r['estimate'].min())} og "
           f"{_points(r['estimate'].max())} poeng, og {tables.number(int((r['ci_low'] > 0).sum()))} av "
           f"{tables.number(given)} intervaller ligger over null.")
    if given < len(r):
        alt += (f" {tables.number(len(r) - given)} av variantene har ikke intervall, fordi bare én "
                "deltakerkommune bidrar.")
    return plots.Chart(outcome_plots.robustness_estimates(r), alt)


def robustness_table(s: Study) -> tables.Table:
    """The robustness variants as a table."""
    return tables.table(
        s.robustness.drop(columns="no_interval_reason"),
        columns={"variant": "Variant", "indikator": "Indikator", **_INTERVAL, "n_treated": "Deltakerkommuner",
                 "n_control": "Sammenligningskommuner"},
        decimals=_DECIMALS,
        p_values=["p_value"],
        caption="Hovedanalysen og robusthetsvariantene.",
    )


def twfe_table(s: Study) -> tables.Table:
    """The main estimate beside the naive two-way fixed-effects regression's."""
    twfe = outcomes.naive_twfe(s.ds, indikator=s.indikator, confidence_level=s.confidence_level)
    return tables.table(
        outcomes.compare_with_twfe(s.result, twfe),
        columns={"variant": "Metode", **_INTERVAL},
        decimals=_DECIMALS,
        p_values=["p_value"],
        caption="Hovedestimatet ved siden av den naive toveis faste effekter-regresjonen.",
    )


def method_text(s: Study) -> str:
    """The method in brief, in Norwegian, as the study describes itself (one line of text)."""
    return s.result.method


def method_prose(s: Study) -> Prose:
    """`method_text` for the page: its first sentence as a paragraph and each further sentence
    as an item of a list, so the text wraps on the page (``str()`` gives it as Markdown)."""
    first, *rest = _SENTENCE_END.split(s.result.method.strip())
    return Prose((first,), tuple(rest))
