"""The municipal page's retention section with dates: per level, the status now and the quarter
it would first change if nothing is done, and the methods to renew, in bokmål; from an
`kompetanse.analysis.expiry.ExpirySchedule` of one municipality.

**What the public edition may say** (``docs/definitions.md``, "Retention with dates"; the staff
policy of issue 16): a quarter or a count that concerns one or two persons tells the public about
their job or certification, so

1. no published cell gives a count of persons expiring or leaving: the public tables give dates
   (quarters), never counts;
2. a level's date ("2. kvartal 2026: blir sårbart") is shown only when every method serving
   the level in which the municipality has active certified staff has at least `MIN_STAFF` of
   them now (a level resting on one or two persons, or a level that only a pair in one method
   keeps ``dekket``, is exactly where a date would say what happens to them). Otherwise the
   level says «Vises ikke …» whether or not it changes, so that the choice rests on published
   counts and tells nothing; a level without staff has nothing to lose («ingen endring»).
   Three in every method is not enough by itself: with three therapists whose remaining
   certifications all expire within the year, the first one lost makes the level ``sarbar``;
3. so a level is not dated either where its first change rests on fewer than `MIN_STAFF`
   persons lost by that quarter, nor where the retention table suppresses its status a year
   ahead (``hidden_levels``, `kompetanse.reports.staff_policy.future_hidden`: fewer than three
   persons expire or are lost by the horizon, 0 included, so the choice tells nothing);
4. a method is named with «fornyes innen <kvartal>» (the quarter of its first expiry) only when
   it has at least `MIN_STAFF` active certified persons now; methods with fewer are left out of
   the public tables, and the caption says so.

The internal edition (``utgave="intern"``), for the municipality's own leaders, shows every level
and method with counts per quarter; it is marked as internal in its caption and is never part of
what a public build publishes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kompetanse.analysis.expiry import ExpirySchedule
from kompetanse.errors import argument_error, check_argument
from kompetanse.formatting import number
from kompetanse.reports import tables
from kompetanse.reports.style import LEVEL_LABELS, levels_text, short_method_names
from kompetanse.reports.words import STATUS_LABELS, pick
from kompetanse.settings import EDITIONS, MIN_STAFF_EVENTS

__all__ = ["EDITIONS", "MIN_STAFF", "expiry_methods_table", "expiry_table", "quarter_text"]

#: Active certified persons a level or method needs now before the public edition dates its
#: losses (issue 16: nothing about persons leaving or expiring unless the count is at least 3).
MIN_STAFF = MIN_STAFF_EVENTS

_TEXT = {
    "nb": {
        "dekket": "blir dekket", "sarbar": "blir sårbart", "mangler": "ingen sertifiserte igjen",
        "internal": "Intern utgave, ikke for publisering: viser når enkeltpersoners sertifisering utløper.",
        "month": "måned", "months": "måneder", "by": "innen", "no_change": "ingen endring innen {months}",
        "hidden": "Vises ikke (kan gjelde færre enn {n} personer)",
        "caption": "Hvis ingenting gjøres: nivåenes status vurdert på nytt ved slutten av hvert kvartal de neste "
                   "{months}, med bare dem som er sertifisert nå (ansatte i opplæring er ikke med).",
        "public": " Datoer vises bare for nivåer og metoder med minst {n} sertifiserte, og ingen tall på personer.",
        "level": "Nivå", "now": "Status nå", "first": "Endres først", "then": "Deretter", "renew": "Fornyes",
        "no_expiry": "ingen utløp innen {months}", "none_shown": "Ingen metoder med minst {n} sertifiserte",
        "methods_caption": "Metoder med minst {n} sertifiserte nå. Metoder med færre vises ikke, fordi en dato der "
                           "ville si noe om én eller to personer.",
        "method": "Metode", "levels": "Nivåer", "active_now": "Aktive nå", "loses": "Mister {q}", "left": "Igjen",
    },
    "nn": {
        "dekket": "blir dekt", "sarbar": "blir sårbart", "mangler": "ingen sertifiserte att",
        "internal": "Intern utgåve, ikkje for publisering: viser når sertifiseringa til einskildpersonar går ut.",
        "month": "månad", "months": "månader", "by": "innan", "no_change": "inga endring innan {months}",
        "hidden": "Blir ikkje vist (kan gjelde færre enn {n} personar)",
        "caption": "Om ingenting blir gjort: statusen til nivåa vurdert på nytt ved slutten av kvart kvartal dei "
                   "neste {months}, berre med dei som er sertifiserte no (tilsette i opplæring er ikkje med).",
        "public": " Datoar blir viste berre for nivå og metodar med minst {n} sertifiserte, og ingen tal på personar.",
        "level": "Nivå", "now": "Status no", "first": "Blir endra først", "then": "Deretter", "renew": "Må fornyast",
        "no_expiry": "ingen går ut innan {months}", "none_shown": "Ingen metodar med minst {n} sertifiserte",
        "methods_caption": "Metodar med minst {n} sertifiserte no. Metodar med færre blir ikkje viste, fordi ein "
                           "dato der ville seie noko om éin eller to personar.",
        "method": "Metode", "levels": "Nivå", "active_now": "Aktive no", "loses": "Mistar {q}", "left": "Att",
    },
}


def _true(value) -> bool:
    """A flag that may be missing: True only where it is there and true."""
    return False if value is None or pd.isna(value) else bool(value)


def quarter_text(kvartal: pd.Period) -> str:
    """``"2. kvartal 2026"``: a quarter as a sentence says it."""
    return f"{kvartal.quarter}. kvartal {kvartal.year}"


def _months(months: int, lang: str = "nb") -> str:
    t = pick(_TEXT, lang)
    return f"{number(months)} {t['month'] if months == 1 else t['months']}"


def _one(schedule: ExpirySchedule, name: str) -> None:
    places = schedule.changes["kommunenummer"].unique()
    if len(places) != 1:
        raise argument_error(name, "the schedule of one municipality (`ExpirySchedule.kommune`)",
                             f"{len(places)} municipalities")


def _method_rows(schedule: ExpirySchedule) -> list[tuple]:
    """The schedule's method rows as (metode, nivaer, aktive_na, kvartal, utloper), in order: a
    municipality has a few methods and quarters, and these few rows are read in Python (a pandas
    step costs more than the rows)."""
    m = schedule.methods
    return list(zip(m["metode"].tolist(), m["nivaer"].tolist(), m["aktive_na"].tolist(), m["kvartal"].tolist(),
                    m["utloper"].tolist(), strict=True))


def _first_expiry(schedule: ExpirySchedule) -> dict[str, tuple]:
    """Per method with an expiry in the horizon, in the schedule's order: (nivaer, aktive_na,
    the quarter of its first expiry)."""
    first: dict[str, tuple] = {}
    for metode, nivaer, aktive, kvartal, utloper in _method_rows(schedule):
        if utloper > 0 and metode not in first:
            first[metode] = (nivaer, aktive, kvartal)
    return first


def _smallest_method(schedule: ExpirySchedule) -> dict[str, int]:
    """Per level: the fewest active certified persons now in any method serving it that has any."""
    smallest: dict[str, int] = {}
    seen = set()
    for metode, nivaer, aktive, _, _ in _method_rows(schedule):
        if metode in seen:
            continue
        seen.add(metode)
        for niva in nivaer.split(", "):
            smallest[niva] = min(smallest.get(niva, aktive), aktive)
    return smallest


def _renew_by_level(schedule: ExpirySchedule, min_staff: int, lang: str = "nb") -> dict[str, str]:
    """Per level: «PMTO innen 1. kvartal 2026; …», methods with at least ``min_staff`` only,
    the first to expire first (and by code within a quarter)."""
    names = short_method_names()
    by = pick(_TEXT, lang)["by"]
    per_level: dict[str, list[tuple]] = {}
    for metode, (nivaer, aktive, kvartal) in _first_expiry(schedule).items():
        if aktive >= min_staff:
            for niva in nivaer.split(", "):
                per_level.setdefault(niva, []).append((kvartal, metode))
    return {niva: "; ".join(f"{names.get(metode, metode)} {by} {quarter_text(kvartal)}"
                            for kvartal, metode in sorted(items))
            for niva, items in per_level.items()}


def _lost_by_first_change(schedule: ExpirySchedule) -> dict[str, int]:
    """Per level that changes: the persons it has lost by the quarter of its first change."""
    lv = schedule.levels
    lost: dict[str, int] = {}
    for niva, endret, now, then in zip(lv["niva"].astype("str").tolist(), lv["endret"].tolist(),
                                       lv["kapasitet_na"].tolist(), lv["kapasitet"].tolist(), strict=True):
        if endret and niva not in lost:
            lost[niva] = now - then
    return lost


def expiry_table(schedule: ExpirySchedule, *, utgave: str = "offentlig", min_staff: int = MIN_STAFF,
                 lang: str = "nb", hidden_levels: pd.Series | None = None) -> tables.Table:
    """Per level: the status now, the first change if nothing is done, and what to renew.

    Columns: «Nivå», «Status nå», «Endres først» ("2. kvartal 2026: blir sårbart", "ingen endring
    innen 12 måneder"), «Deretter» (a second change within the horizon) and «Fornyes» (the
    methods serving the level whose certifications expire within the horizon, each with the
    quarter of its first expiry). In the public edition (the default) a level is dated only when
    every method serving it with active certified staff has at least ``min_staff`` of them, and
    only such methods are named (see the module docstring); no cell holds a count of persons.

    Parameters
    ----------
    schedule : `expiry_schedule(...).kommune(nr)`, the schedule of one municipality.
    utgave : ``"offentlig"`` or ``"intern"`` (every level dated, every method named).
    min_staff : persons a level or method needs for the public edition to date it.
    lang : ``"nb"`` or ``"nn"``.
    hidden_levels : per level (index ``niva``), True where the public edition suppresses the
        status a year ahead (`kompetanse.reports.staff_policy.future_hidden`): not dated either.
    """
    check_argument("utgave", EDITIONS, utgave)
    t = pick(_TEXT, lang)
    _one(schedule, "schedule")
    public = utgave == "offentlig"
    c = schedule.changes
    levels = schedule.levels
    # the second change of each level: its second changed quarter
    changes: dict[str, list[tuple]] = {}
    for niva, endret, kvartal, status in zip(levels["niva"].astype("str").tolist(), levels["endret"].tolist(),
                                             levels["kvartal"].tolist(), levels["status"].astype("object").tolist(),
                                             strict=True):
        if endret:
            changes.setdefault(niva, []).append((kvartal, status))
    smallest, lost = _smallest_method(schedule), _lost_by_first_change(schedule)
    hidden_of = {} if hidden_levels is None else hidden_levels.to_dict()
    renew = _renew_by_level(schedule, min_staff if public else 1, lang)
    none = t["no_change"].format(months=_months(schedule.months, lang))
    hidden_text = t["hidden"].format(n=number(min_staff))
    rows = []
    for niva, status_na, kapasitet_na, forste, status_forste in zip(
            c["niva"].astype("str").tolist(), c["status_na"].astype("object").tolist(), c["kapasitet_na"].tolist(),
            c["forste_endring"].tolist(), c["status_forste_endring"].astype("object").tolist(), strict=True):
        # a level is not dated where it rests on few persons, where its first change does, or
        # where the retention table hides its status a year ahead (module docstring)
        few = (smallest.get(niva, min_staff) < min_staff or lost.get(niva, min_staff) < min_staff
               or _true(hidden_of.get(niva)))
        hidden = public and kapasitet_na > 0 and few
        second = changes.get(niva, [])[1:2]
        first = none if pd.isna(forste) else f"{quarter_text(forste)}: {t[status_forste]}"
        rows.append({
            "niva": LEVEL_LABELS.get(niva, np.nan),
            "status_na": status_na,
            "endres": hidden_text if hidden else first,
            "deretter": "" if hidden or not second else f"{quarter_text(second[0][0])}: {t[second[0][1]]}",
            "fornyes": renew.get(niva, ""),
        })
    shown = pd.DataFrame(rows, columns=["niva", "status_na", "endres", "deretter", "fornyes"], dtype=object)
    caption = t["caption"].format(months=_months(schedule.months, lang))
    caption += t["public"].format(n=number(min_staff)) if public else " " + t["internal"]
    return tables.table(shown, columns={"niva": t["level"], "status_na": t["now"], "endres": t["first"],
                                        "deretter": t["then"], "fornyes": t["renew"]},
                        status={"status_na": STATUS_LABELS[lang]}, caption=caption)


def expiry_methods_table(schedule: ExpirySchedule, *, utgave: str = "offentlig",
                         min_staff: int = MIN_STAFF, lang: str = "nb") -> tables.Table:
    """Per method with active certified staff: when certifications run out.

    Public edition (the default): the methods with at least ``min_staff`` active certified
    persons, with «Fornyes innen» (the quarter of the first expiry, or «ingen utløp innen
    12 måneder»); no counts of persons expiring. Internal edition: every method, its active
    certified persons now («Aktive nå»), per quarter of the horizon the persons lost in it
    (certification expired or person left) and «Igjen» (persons still active at the end).

    Parameters
    ----------
    schedule : `expiry_schedule(...).kommune(nr)`, the schedule of one municipality.
    utgave : ``"offentlig"`` or ``"intern"``.
    min_staff : persons a method needs for the public edition to show it.
    lang : ``"nb"`` or ``"nn"``.
    """
    check_argument("utgave", EDITIONS, utgave)
    t = pick(_TEXT, lang)
    _one(schedule, "schedule")
    m = schedule.methods
    names = short_method_names()
    # per method (its first row): code, levels, active now; by short name
    found: dict[str, tuple] = {}
    for metode, nivaer, aktive, _, _ in _method_rows(schedule):
        found.setdefault(metode, (nivaer, aktive))
    listed = sorted(((names.get(code, code), code, nivaer, aktive) for code, (nivaer, aktive) in found.items()),
                    key=lambda row: row[0])
    if utgave == "offentlig":
        first = {metode: kvartal for metode, (_, _, kvartal) in _first_expiry(schedule).items()}
        none = t["no_expiry"].format(months=_months(schedule.months, lang))
        shown = [(navn, levels_text(nivaer.split(", ")),
                  none if pd.isna(first.get(code)) else f"{t['by']} {quarter_text(first[code])}")
                 for navn, code, nivaer, aktive in listed if aktive >= min_staff]
        if not shown:
            shown = [(t["none_shown"].format(n=number(min_staff)), "", "")]
        caption = t["methods_caption"].format(n=number(min_staff))
        return tables.table(pd.DataFrame(shown, columns=["navn", "nivaer_tekst", "fornyes"], dtype=object),
                            columns={"navn": t["method"], "nivaer_tekst": t["levels"], "fornyes": t["renew"]},
                            caption=caption)
    methods = pd.DataFrame({
        "metode": pd.array([code for _, code, _, _ in listed], dtype="str"),
        "nivaer": pd.array([nivaer for _, _, nivaer, _ in listed], dtype="str"),
        "aktive_na": np.array([aktive for *_, aktive in listed], dtype="int64"),
        "navn": pd.array([navn for navn, *_ in listed], dtype="str"),
        "nivaer_tekst": pd.array([levels_text(nivaer.split(", "))
                                  for _, _, nivaer, _ in listed], dtype="str"),
    })
    lost = m.assign(tapt=m["utloper"] + m["slutter"]).pivot(index="metode", columns="kvartal_navn", values="tapt")
    order = list(dict.fromkeys(m["kvartal_navn"]))
    lost = lost[order].rename(columns=lambda q: t["loses"].format(q=q))
    left = m.drop_duplicates("metode", keep="last").set_index("metode")["aktive_etter"].rename("igjen")
    shown = methods.merge(lost.join(left), left_on="metode", right_index=True, how="left")
    columns = {"navn": t["method"], "nivaer_tekst": t["levels"], "aktive_na": t["active_now"],
               **{c: c for c in lost.columns}, "igjen": t["left"]}
    return tables.table(shown, columns=columns, caption=t["internal"])
