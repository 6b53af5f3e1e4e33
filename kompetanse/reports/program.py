"""The programme report (notebooks/program_fremdrift.ipynb): how far one cohort of FUB/FUG's
programme «Bedre foreldresamarbeid til det beste for barnet» has come, one function per section.
`cohort` gathers the cohort's progress on a date; each section function takes it and returns
what the section shows: a heading, a table or a figure (`kompetanse.reports.plots.Chart`).
Attendance counts are suppressed below ``settings.MIN_COUNT`` here, never in the notebook.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from kompetanse.analysis import programme
from kompetanse.analysis.disclosure import suppress_counts
from kompetanse.reports import plots, tables
from kompetanse.reports.style import PROGRESS_LABELS
from kompetanse.settings import MIN_COUNT, PROGRESS_TOLERANCE

__all__ = ["Cohort", "cohort", "heading", "key_figures", "progress_chart", "progress_table", "activities_chart"]

#: Attendances (not distinct persons), suppressed below MIN_COUNT wherever they are shown.
_ATTENDANCES = ["ansatte_naadd", "foreldre_naadd"]


@dataclass(frozen=True)
class Cohort:
    """One programme cohort on a date: the progress of each of its municipalities that started."""

    ds: object
    kull: str
    on: pd.Timestamp
    progress: pd.DataFrame  # `programme_progress` of the cohort's municipalities


def cohort(ds, *, kull: str, on: pd.Timestamp) -> Cohort:
    """Cohort ``kull`` (already checked to be in the data) on ``on``."""
    progress = programme.programme_progress(ds, on=on)
    return Cohort(ds, kull, pd.Timestamp(on), progress[progress["kull"] == kull])


def heading(c: Cohort) -> tables.Heading:
    """The cohort and the date of the figures."""
    return tables.heading(f"Kull {c.kull}: status {c.on:%d.%m.%Y}", level=2)


def key_figures(c: Cohort) -> tables.Table:
    """Municipalities by programme status, units taking part, activities held, the digital share
    and the attendances (suppressed when small)."""
    summary = programme.cohort_summary(c.ds, on=c.on)
    s = suppress_counts(summary[summary["kull"] == c.kull], columns=_ATTENDANCES).iloc[0]

    def attendances(column: str):
        return tables.SUPPRESSED if s[f"{column}_prikket"] else s[column]

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
        ("Ansatte nådd (oppmøter)", attendances("ansatte_naadd")),
        ("Foreldre nådd (oppmøter)", attendances("foreldre_naadd")),
    ])


def progress_chart(c: Cohort) -> plots.Chart:
    """Each municipality: share of the period passed against share of planned activities held."""
    return plots.Chart(plots.programme_progress(c.progress, tolerance=PROGRESS_TOLERANCE),
                       "Spredningsplott: gjennomført andel av planlagte aktiviteter mot andel tid gått, "
                       f"kull {c.kull}")


def progress_table(c: Cohort) -> tables.Table:
    """Each municipality's progress, by status and name, attendances suppressed when small."""
    shown = suppress_counts(c.progress, columns=_ATTENDANCES, threshold=MIN_COUNT)
    return tables.table(
        shown.sort_values(["status", "kommunenavn"]),
        columns={"kommunenavn": "Kommune", "fylkesnavn": "Fylke", "status": "Status", "andel_tid": "Tid gått",
                 "andel_gjennomfort": "Gjennomført", "gjennomforte": "Aktiviteter holdt",
                 "planlagte_aktiviteter": "Planlagt i alt", "andel_digital": "Digitalt",
                 "ansatte_naadd": "Ansatte nådd", "foreldre_naadd": "Foreldre nådd"},
        percent=["andel_tid", "andel_gjennomfort", "andel_digital"],
        status={"status": PROGRESS_LABELS},
    )


def activities_chart(c: Cohort) -> plots.Chart:
    """Held activities by type, digital and physical."""
    activities = programme.activities_by_type(c.ds, on=c.on)
    return plots.Chart(plots.activities_by_type(activities[activities["kull"] == c.kull]),
                       f"Stolpediagram: gjennomførte aktiviteter etter type og format, kull {c.kull}")
