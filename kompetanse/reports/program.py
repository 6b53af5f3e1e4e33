"""The programme report (notebooks/program_fremdrift.ipynb): how far one cohort of FUB/FUG's
programme «Bedre foreldresamarbeid til det beste for barnet» has come, one function per section.
`cohort` gathers the cohort's progress on a date; each section function takes it and returns
what the section shows: a heading, a table or a figure (`kompetanse.reports.plots.Chart`).
Attendance counts are suppressed here, never in the notebook, by one mechanism (`attendances`):
the municipalities' rows and the cohort's totals in the key figures are secured together, so that
no hidden row is the total minus the rows shown.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from kompetanse.analysis import programme
from kompetanse.analysis.disclosure import suppress_with_totals
from kompetanse.analysis.periods import DateLike, reference_date
from kompetanse.reports import plots, tables
from kompetanse.reports.nasjonal import Prose
from kompetanse.reports.style import PROGRESS_LABELS
from kompetanse.settings import MIN_COUNT, PROGRESS_TOLERANCE

__all__ = ["Cohort", "PROGRAMME", "activities_chart", "attendances", "cohort", "heading", "key_figures", "page_title",
           "progress_alt", "progress_chart", "progress_table", "roster", "status_line"]

#: The programme's name as FUB/FUG writes it.
PROGRAMME = "«Bedre foreldresamarbeid til det beste for barnet»"


def page_title(kull: str) -> str:
    """The cohort page's title: on the index, in the page's ``<title>`` and as its ``<h1>``."""
    return f"Fremdrift i {PROGRAMME}, kull {kull}"

#: Attendances (not distinct persons), suppressed below MIN_COUNT wherever they are shown.
_ATTENDANCES = ["ansatte_naadd", "foreldre_naadd"]


@dataclass(frozen=True)
class Cohort:
    """One programme cohort on a date: the progress of each of its municipalities that started."""

    ds: object
    kull: str
    on: pd.Timestamp
    progress: pd.DataFrame  # `programme_progress` of the cohort's municipalities


def cohort(ds, *, kull: str, on: DateLike | None = None) -> Cohort:
    """Cohort ``kull`` (already checked to be in the data) on ``on`` (None: the last day of the
    latest period, `kompetanse.analysis.periods.reference_date`)."""
    on = reference_date(ds, on=on)
    progress = programme.programme_progress(ds, on=on)
    return Cohort(ds, kull, pd.Timestamp(on), progress[progress["kull"] == kull])


def heading(c: Cohort) -> tables.Heading:
    """The cohort and the date of the figures, as a heading (for a notebook of one's own; the
    report opens with `status_line` under its title instead)."""
    return tables.heading(f"Kull {c.kull}: status {c.on:%d.%m.%Y}", level=2)


def status_line(c: Cohort) -> Prose:
    """The date of the figures, as the page's first sentence (under the title, which names the
    cohort, so no heading stands without text under it)."""
    return Prose((f"Status per {c.on:%d.%m.%Y}.",))


def key_figures(c: Cohort) -> tables.Table:
    """Municipalities by programme status, units taking part, activities held, the digital share
    and the attendances (suppressed when small)."""
    summary = programme.cohort_summary(c.ds, on=c.on)
    s = summary[summary["kull"] == c.kull].iloc[0]
    _, totals = attendances(c)

    def total(column: str):
        return tables.SUPPRESSED if pd.isna(totals[column]) else totals[column]

    return tables.key_figures([
        ("Kommuner i kullet", s["kommuner"]),
        ("Har startet", s["startet"]),
        ("I rute", s["fremdrift_i_rute"]),
        ("Forsinket", s["fremdrift_forsinket"]),
        ("Fullført", s["fremdrift_fullfort"]),
        ("Avbrutt", s["fremdrift_avbrutt"]),
        ("Barnehager med", s["antall_barnehager"]),
        ("Skoler med", s["antall_skoler"]),
        ("Aktiviteter gjennomført", s["gjennomforte"]),
        ("Andel digitale", tables.number(s["andel_digital"], 0, percent=True)),
        ("Ansatte nådd (oppmøter)", total("ansatte_naadd")),
        ("Foreldre nådd (oppmøter)", total("foreldre_naadd")),
    ], caption=f"Nøkkeltall for kull {c.kull}. Oppmøter telles per aktivitet, ikke per person.")


def progress_alt(c: Cohort) -> str:
    """What the progress figure shows, for screen readers: the municipalities by progress status
    ("… av 14 kommuner som har startet, er 9 i rute, 3 forsinket, 1 fullført og 1 avbrutt, i kull
    2024"); statuses without municipalities are left out."""
    counts = c.progress["status"].astype("str").value_counts()
    shown = [(k, int(counts.get(k, 0))) for k in PROGRESS_LABELS if counts.get(k, 0)]
    if not shown:
        return f"Fremdrift per kommune: ingen kommuner har startet, i kull {c.kull}"
    words = [f"{tables.number(n)} {PROGRESS_LABELS[k].lower()}" for k, n in shown]
    listed = ", ".join(words[:-1]) + f" og {words[-1]}" if len(words) > 1 else words[0]
    total = tables.number(sum(n for _, n in shown))
    return (f"Fremdrift per kommune (gjennomført andel av planlagte aktiviteter mot andel av tiden som er gått): "
            f"av {total} kommuner som har startet, er {listed}, i kull {c.kull}")


def progress_chart(c: Cohort) -> plots.Chart:
    """Each municipality: share of the period passed against share of planned activities held;
    the alt text counts the municipalities per status (`progress_alt`)."""
    return plots.Chart(plots.programme_progress(c.progress, tolerance=PROGRESS_TOLERANCE), progress_alt(c))


#: The order an adviser acts on: behind first, then on track, then not yet started, then done.
_ROSTER_ORDER = ("forsinket", "i_rute", "innvilget", "sokt", "fullfort", "avbrutt")
ROSTER_LABELS: dict[str, str] = {**PROGRESS_LABELS, "innvilget": "Innvilget, ikke startet", "sokt": "Søkt"}
#: The activity types the table shows held against planned, with their Norwegian names.
#: Guidance (``veiledning``) is counted in «Aktiviteter holdt» but has no column of its own.
ACTIVITY_COLUMNS: dict[str, str] = {
    "opplaeringsdag": "Opplæringsdager", "personalmote": "Personalmøter", "foreldremote": "Foreldremøter",
}


def roster(c: Cohort) -> pd.DataFrame:
    """Every municipality of the cohort, started or not, in the order an adviser acts on.

    One row per row of ``program_deltakelse`` of the cohort, whatever its status. ``status`` is
    the progress status of `programme_progress` for a programme that has started on the date,
    otherwise the participation status (``innvilget`` or ``sokt``). Rows are sorted by
    ``_ROSTER_ORDER`` (``forsinket``, ``i_rute``, ``innvilget``, ``sokt``, ``fullfort``,
    ``avbrutt``), within a status by ``avvik`` (furthest behind first), then by name.

    Columns: ``kommunenummer``, ``kommunenavn``, ``fylkesnavn``, ``status``, ``lenke`` (the
    municipal page, ``kommuner/<nr>.html``, relative to the cohort page in the period folder),
    the progress columns of `programme_progress` (missing before the start), and per type in
    ``ACTIVITY_COLUMNS`` ``<type>_holdt`` and ``<type>_planlagt`` (activities held on the date
    and registered in the plan; missing before the start). Attendances are raw here.
    """
    d = c.ds.program_deltakelse
    members = d.loc[d["kull"] == c.kull, ["kommunenummer", "kommunenavn", "fylkesnavn", "status"]]
    members = members.rename(columns={"status": "deltakelse"}).astype({"deltakelse": "str"})
    progress = c.progress.drop(columns=["kommunenavn", "fylkesnummer", "fylkesnavn", "kull"])
    out = members.merge(progress, on="kommunenummer", how="left", validate="one_to_one")
    activities = programme.activities_by_type(c.ds, on=c.on)
    per_type = (
        activities[activities["kull"] == c.kull]
        .assign(type=lambda a: a["type"].astype("str"))
        .groupby(["kommunenummer", "type"])[["gjennomforte", "planlagte_aktiviteter"]]
        .sum()
        .unstack("type")
    )
    per_type.columns = [f"{t}_{'holdt' if what == 'gjennomforte' else 'planlagt'}" for what, t in per_type.columns]
    wanted = [f"{t}_{w}" for t in ACTIVITY_COLUMNS for w in ("holdt", "planlagt")]
    out = out.merge(per_type.reindex(columns=wanted).reset_index(), on="kommunenummer", how="left")
    status = out["status"].astype("str").where(out["status"].notna(), out["deltakelse"])
    out = out.assign(
        status=pd.Categorical(status, categories=_ROSTER_ORDER, ordered=True),
        lenke="kommuner/" + out["kommunenummer"] + ".html",
    )
    return out.sort_values(["status", "avvik", "kommunenavn"], na_position="last", ignore_index=True)


def attendances(c: Cohort) -> tuple[pd.DataFrame, pd.Series]:
    """`roster` with the attendances suppressed against the cohort's totals, and the totals to
    publish (<NA> where hidden): `kompetanse.analysis.disclosure.suppress_with_totals`, primary
    and secondary. `key_figures` shows the totals and `progress_table` the rows; both take them
    from here so that what one page shows is secured as one table."""
    return suppress_with_totals(roster(c), columns=_ATTENDANCES, threshold=MIN_COUNT)


def progress_table(c: Cohort) -> tables.Table:
    """Every municipality in the cohort with its status and county, in the order of `roster`,
    its name linking to its municipal page (``kommuner/<nr>.html``; a build that has no page for
    a municipality shows the name as text, `kompetanse.site.pages.site_links`); time passed,
    share held, training days, staff and parent meetings and all activities held of planned
    («3 av 4»), attendances suppressed with the cohort's totals (`attendances`)."""
    shown, _ = attendances(c)
    held_of_planned = {
        t: shown[f"{t}_holdt"].map(_count, na_action="ignore") + " av "
        + shown[f"{t}_planlagt"].map(_count, na_action="ignore")
        for t in ACTIVITY_COLUMNS
    }
    held_of_planned["gjennomforte"] = (shown["gjennomforte"].map(_count, na_action="ignore") + " av "
                                       + shown["planlagte_aktiviteter"].map(_count, na_action="ignore"))
    return tables.table(
        shown.assign(**held_of_planned),
        columns={"kommunenavn": "Kommune", "fylkesnavn": "Fylke", "status": "Status", "andel_tid": "Tid gått",
                 "andel_gjennomfort": "Gjennomført", **ACTIVITY_COLUMNS, "gjennomforte": "Aktiviteter i alt",
                 "ansatte_naadd": "Ansatte nådd", "foreldre_naadd": "Foreldre nådd"},
        percent=["andel_tid", "andel_gjennomfort"],
        status={"status": ROSTER_LABELS},
        links={"kommunenavn": "lenke"},
        caption=f"Kommunene i kull {c.kull}: de som ligger etter først. Aktiviteter står som gjennomført av "
                f"planlagt; færre enn {MIN_COUNT} oppmøter vises ikke, og heller ikke tall som kunne "
                f"regnes ut fra summen for kullet.",
    )


_TYPE_PLURALS = {"opplaeringsdag": "opplæringsdager", "personalmote": "personalmøter",
                 "foreldremote": "foreldremøter", "veiledning": "veiledninger"}


def _count(n) -> str:
    return tables.number(n)


def activities_chart(c: Cohort) -> plots.Chart:
    """Held activities by type, digital and physical."""
    activities = programme.activities_by_type(c.ds, on=c.on)
    d = activities[activities["kull"] == c.kull]
    held = d.groupby("format", observed=False)["gjennomforte"].sum()
    total, digital = int(held.sum()), int(held.get("digital", 0))
    by_type = d.groupby("type", observed=True)["gjennomforte"].sum()
    most = (f", flest {_TYPE_PLURALS.get(by_type.idxmax(), by_type.idxmax())} ({tables.number(by_type.max())})"
            if total else "")
    alt = (f"Gjennomførte aktiviteter etter type og format: {tables.number(total)} i alt, "
           f"{tables.number(digital)} av dem digitalt{most}, i kull {c.kull}")
    return plots.Chart(plots.activities_by_type(d), alt)
