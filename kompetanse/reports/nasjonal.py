"""The national overview (notebooks/nasjonal_oversikt.ipynb), for the country or one county:
one function per section. `overview` gathers the coverage of the area on a date; each section
function takes it and returns what the section shows: a heading, a table or a figure
(`kompetanse.reports.plots.Chart`).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kompetanse.analysis import overview as analysis
from kompetanse.analysis.coverage import coverage_by_level
from kompetanse.analysis.peers import read_grouping
from kompetanse.analysis.periods import DateLike, reference_date
from kompetanse.data.reference import LEVELS
from kompetanse.reports import plots, tables
from kompetanse.reports.style import LEVEL_LABELS

__all__ = ["Overview", "Prose", "overview", "page_title", "heading", "status_line", "coverage_chart", "status_table",
           "county_chart", "coverage_alt", "lacking_table", "trend_chart", "extract_table", "extract_download"]

#: How a level is named in the figures' descriptions ("med universelt nivå dekket").
_LEVEL_ADJECTIVES = {"universell": "universelt", "selektiv": "selektivt", "indikativ": "indikativt"}


@dataclass(frozen=True)
class Prose:
    """Text for a report page: paragraphs, then a bulleted list, each item plain text (escaped in
    HTML, so a name from the data never becomes markup) that wraps with the page."""

    paragraphs: tuple[str, ...] = ()
    items: tuple[str, ...] = ()

    def _repr_html_(self) -> str:
        out = [f"<p>{html.escape(p)}</p>" for p in self.paragraphs]
        if self.items:
            out.append("<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in self.items) + "</ul>")
        return "\n".join(out)

    def __str__(self) -> str:
        return "\n\n".join([*self.paragraphs, "\n".join(f"- {i}" for i in self.items)]).strip()

    __repr__ = __str__


def page_title(periode: int, omrade: str = "Hele landet") -> str:
    """The overview's title: on the index, in the page's ``<title>`` and as its ``<h1>``
    ("Nasjonal oversikt 2025: foreldrestøtte i kommunene"; a county's name for one county)."""
    what = "Nasjonal oversikt" if omrade == "Hele landet" else omrade
    return f"{what} {periode}: foreldrestøtte i kommunene"


@dataclass(frozen=True)
class Overview:
    """The coverage of the country, or of one county, on a date."""

    ds: object
    on: pd.Timestamp
    fylkesnummer: str  # "" for the whole country
    omrade: str  # the county's name, or "Hele landet"
    coverage: pd.DataFrame  # `coverage_by_level` of the area's municipalities
    #: the checked grouping the peer groups come from (`kompetanse.analysis.peers.read_grouping`),
    #: or None for size bands
    grouping: pd.DataFrame | None = None


def overview(ds, *, on: DateLike | None = None, fylkesnummer: str = "",
             grouping: str | Path | pd.DataFrame | None = None) -> Overview:
    """The coverage on ``on`` (None: the last day of the latest period,
    `kompetanse.analysis.periods.reference_date`) of every municipality, or of those in county
    ``fylkesnummer`` (two digits, already checked; empty for the whole country). ``grouping``: a
    grouping file or frame whose groups the extract names as each municipality's peer group
    (`kompetanse.analysis.peers.read_grouping`; checked here, every problem named); an empty string
    or None means size bands."""
    if isinstance(grouping, str | Path):
        grouping = read_grouping(grouping, known=list(ds.kommuner["kommunenummer"])) if str(grouping).strip() else None
    on = reference_date(ds, on=on)
    coverage = coverage_by_level(ds, on=on)
    if fylkesnummer:
        coverage = coverage[coverage["fylkesnummer"] == fylkesnummer]
    omrade = coverage["fylkesnavn"].iloc[0] if fylkesnummer else "Hele landet"
    return Overview(ds, pd.Timestamp(on), fylkesnummer, omrade, coverage, grouping)


def heading(o: Overview) -> tables.Heading:
    """The area and the date of the figures, as a heading (for a notebook of one's own; the
    report opens with `status_line` under its title instead)."""
    return tables.heading(f"{o.omrade}: status {o.on:%d.%m.%Y}", level=2)


def status_line(o: Overview) -> Prose:
    """The area, its number of municipalities and the date of the figures, as the page's first
    sentence (under the title, so no heading stands without text under it)."""
    area = "hele landet" if not o.fylkesnummer else o.omrade
    # the coverage has a row per municipality and level
    municipalities = o.coverage["kommunenummer"].nunique()
    return Prose((f"Tallene gjelder {tables.number(municipalities)} kommuner i {area}, "
                  f"med status per {o.on:%d.%m.%Y}.",))


def _share(part, whole) -> str:
    return tables.number(part / whole if whole else float("nan"), percent=True)


def coverage_alt(o: Overview) -> str:
    """What the coverage figure shows, as its text for screen readers: per level, the share and
    number of municipalities where it is dekket, and how many are sårbar and mangler
    ("Universelt nivå er dekket i 59 % av kommunene (212 av 357), sårbart i 80 og mangler i 65; …")."""
    counts = analysis.status_counts(o.coverage, by=None).set_index("niva")
    parts = [f"{_LEVEL_ADJECTIVES[lv]} nivå er dekket i {_share(r.dekket, r.kommuner)} av kommunene "
             f"({tables.number(r.dekket)} av {tables.number(r.kommuner)}), sårbart i {tables.number(r.sarbar)} "
             f"og mangler i {tables.number(r.mangler)}"
             for lv, r in counts.reindex([lv for lv in LEVELS if lv in counts.index]).iterrows()]
    text = "; ".join(parts)
    return f"Kommuner etter dekning per nivå. {text[:1].upper()}{text[1:]}."


def coverage_chart(o: Overview) -> plots.Chart:
    """Municipalities where each level is dekket, sårbar or mangler; the alt text states the
    share covered per level (`coverage_alt`)."""
    return plots.Chart(plots.coverage_counts(o.coverage), coverage_alt(o))


def status_table(o: Overview) -> tables.Table:
    """Per level: municipalities by status, the share covered and the share of children who live
    where the level is covered."""
    return tables.table(
        analysis.status_counts(o.coverage, by=None),
        columns={"niva": "Nivå", "kommuner": "Kommuner", "dekket": "Dekket", "sarbar": "Sårbar",
                 "mangler": "Mangler", "andel_dekket": "Andel dekket", "barn_i_dekkede": "Barn i kommuner med dekning"},
        percent=["andel_dekket", "barn_i_dekkede"],
        labels={"niva": LEVEL_LABELS},
        caption="Kommuner etter status per nivå, andelen der nivået er dekket, og andelen av barna 0–17 år "
                "som bor i en kommune der det er dekket.",
    )


def county_chart(o: Overview, *, level: str) -> plots.Chart:
    """Share of municipalities per county where ``level`` is dekket, sårbar or mangler. The alt
    text names the counties with the highest and lowest share covered, and the area's share."""
    from kompetanse.errors import check_argument

    check_argument("level", LEVELS, level)
    counts = analysis.status_counts(o.coverage[o.coverage["niva"] == level])
    counts = counts.assign(andel=counts["dekket"] / counts["kommuner"]).sort_values(["andel", "fylkesnavn"])
    low, high = counts.iloc[0], counts.iloc[-1]
    whole = _share(counts["dekket"].sum(), counts["kommuner"].sum())
    area = "landet" if not o.fylkesnummer else o.omrade
    alt = (f"Andel kommuner per fylke med {_LEVEL_ADJECTIVES[level]} nivå dekket, sårbart eller manglende: "
           f"dekket i {whole} av kommunene i {area}")
    if len(counts) > 1:
        alt += (f", høyest andel i {high.fylkesnavn} ({_share(high.dekket, high.kommuner)}), "
                f"lavest i {low.fylkesnavn} ({_share(low.dekket, low.kommuner)})")
    alt += "."
    return plots.Chart(plots.status_by_county(o.coverage, level=level), alt)


def lacking_table(o: Overview) -> tables.Table:
    """Per level and county, the municipalities without any capacity at the level."""
    return tables.table(analysis.lacking(o.coverage),
                        columns={"niva": "Nivå", "fylkesnavn": "Fylke", "antall": "Antall", "kommuner": "Kommuner"},
                        labels={"niva": LEVEL_LABELS},
                        caption="Kommuner uten aktive sertifiserte på nivået, per nivå og fylke.")


def trend_chart(o: Overview) -> plots.Chart:
    """Share of municipalities where each level was dekket at the end of each year."""
    trend = analysis.coverage_trend(o.ds, fylkesnummer=o.fylkesnummer or None)
    first, last = trend["ar"].min(), trend["ar"].max()
    ends = trend[trend["ar"].isin([first, last])].pivot_table(index="niva", columns="ar", values="andel_dekket",
                                                               observed=True)
    parts = [f"{_LEVEL_ADJECTIVES[lv]} fra {tables.number(r[first], percent=True)} til "
             f"{tables.number(r[last], percent=True)}" for lv, r in ends.iterrows()]
    alt = (f"Andel kommuner der nivået var dekket ved utgangen av hvert år fra {first} til {last}: "
           + ", ".join(parts) + ".")
    return plots.Chart(plots.share_covered_over_years(trend), alt)


def extract_table(o: Overview) -> tables.Table:
    """The statistics-bank extract of the area's municipalities
    (`kompetanse.analysis.extract.key_figures_by_municipality`) as a table: one row per
    municipality and level, the columns named as in the data, numbers formatted as on every page."""
    from kompetanse.analysis.extract import EXTRACT_COLUMNS, key_figures_by_municipality

    data = key_figures_by_municipality(o.ds, on=o.on, coverage=o.coverage, grouping=o.grouping)
    area = o.omrade if o.fylkesnummer else o.omrade.lower()
    return tables.table(data, columns={c: c for c in EXTRACT_COLUMNS}, decimals={"sertifiserte_per_1000_barn": 2},
                        caption=f"Nøkkeltall per kommune og nivå, {area}, status per {o.on:%d.%m.%Y}.")


def extract_download(o: Overview) -> tables.Download:
    """The statistics-bank extract as a download only: a sentence on the page, and the table as
    CSV and in the page's workbook (`kompetanse.site.downloads`)."""
    t = extract_table(o)
    municipalities = o.coverage["kommunenummer"].nunique()
    return tables.Download(
        f"Tabellen har én rad per kommune og nivå for alle {tables.number(municipalities)} kommuner "
        f"({tables.number(len(t.frame))} rader), med fylke, kommunegruppe, målform og periode: status, aktive "
        "sertifiserte, metoder i bruk, sertifiserte per 1 000 barn og tilbudsgrupper.", t)
