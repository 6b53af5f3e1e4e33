"""The municipal page's sections on what to do and what is done: the methods that would close
each gap, the offers to parents in the period (small counts suppressed) and the municipality's
part in FUB/FUG's programme."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from kompetanse.analysis.disclosure import suppress_table
from kompetanse.data.reference import LEVELS
from kompetanse.errors import argument_error
from kompetanse.formatting import number
from kompetanse.reports import tables
from kompetanse.reports.kommune_text import TEXT
from kompetanse.reports.style import LEVEL_LABELS, short_method_names
from kompetanse.reports.words import PROGRESS_LABELS, pick, training_time, yes_no
from kompetanse.settings import MIN_COUNT

if TYPE_CHECKING:  # pragma: no cover
    from kompetanse.reports.kommune import Profile

__all__ = ["GAPS_SHOWN", "gaps_table", "offers_table", "programme_table"]


def _t(p: Profile) -> dict[str, str]:
    return pick(TEXT, p.lang)


#: Methods shown per level in the gap table; the rest are one click away.
GAPS_SHOWN = 5


def gaps_table(p: Profile, *, shown: int = GAPS_SHOWN) -> tables.ShortAndFull:
    """For each level not covered, the methods that would close the gap, in the order a leader
    would act (`coverage.gaps`: methods the municipality already has staff in first, then the
    shortest training path to certification, then evidence), with the training length and
    whether the provider requires an agreement first. ``shown`` methods per level are in the
    first table; the rest are under «Vis alle»."""
    if isinstance(shown, bool) or not isinstance(shown, int) or shown < 1:
        raise argument_error("shown", "a whole number of 1 or more", shown)
    t = _t(p)
    if p.gaps.empty:
        text = t["all_covered"] if p.has_staff else t["none_all_missing"]
        return tables.ShortAndFull(tables.table(pd.DataFrame({"t": [text]}), columns={"t": t["gap"]},
                                                caption=t["cap_gaps"]))
    d = p.gaps.assign(navn=p.gaps["metode"].map(short_method_names()))
    d = d.assign(niva_navn=d["niva"].map(LEVEL_LABELS),
                 alder=[t["years"].format(a=a, b=b) for a, b in zip(d["alder_fra"], d["alder_til"], strict=True)],
                 tid=[training_time(x, p.lang) if x else t["not_given"] for x in d["opplaering_tid"]],
                 avtale=[yes_no(bool(x), p.lang) for x in d["implementeringsavtale"]],
                 i_bruk=[yes_no(bool(x), p.lang) for x in d["allerede_i_bruk"]])
    columns = {"niva_navn": t["level"], "navn": t["method"], "i_bruk": t["already"],
               "tid": t["time"], "avtale": t["agreement"], "alder": t["age"], "tilbyder": t["provider"]}
    first = d["rekkefolge"] <= shown
    rest = None
    if not first.all():
        rest = tables.table(d[~first], columns=columns, caption=t["cap_gaps_rest"].format(n=shown))
    summary = t["show_more"].format(n=number(int((~first).sum())))
    caption = t["cap_gaps"] if rest is None else t["cap_gaps_first"].format(n=shown)
    return tables.ShortAndFull(tables.table(d[first], columns=columns, caption=caption), rest, summary)


def offers_table(p: Profile) -> tables.Table:
    """Groups and parents in offers per level in the period; parents suppressed below
    ``MIN_COUNT`` with secondary suppression against the total."""
    t = _t(p)
    if not p.has_offers:
        text = t["no_offers"].format(name=p.kommunenavn, year=p.periode)
        return tables.table(pd.DataFrame({"t": [text]}), columns={"t": t["no_data"]},
                            caption=t["cap_offers"].format(year=p.periode, m=MIN_COUNT - 1))
    per_level = (p.offers.groupby("niva", observed=False)[["antall_grupper", "antall_foreldre"]].sum()
                 .reindex(list(LEVELS), fill_value=0))
    parents = suppress_table(per_level[["antall_foreldre"]], threshold=MIN_COUNT, row_total=False, col_total=True)
    shown = parents.values.rename(columns={"antall_foreldre": "foreldre"})
    shown["foreldre_prikket"] = parents.suppressed["antall_foreldre"].to_numpy()
    shown["grupper"] = list(per_level["antall_grupper"]) + [int(per_level["antall_grupper"].sum())]
    shown["niva_navn"] = [LEVEL_LABELS.get(i, t["total"] if i == "I alt" else i) for i in shown.index]
    return tables.table(shown, columns={"niva_navn": t["level"], "grupper": t["groups"], "foreldre": t["parents"]},
                        caption=t["cap_offers"].format(year=p.periode, m=MIN_COUNT - 1))


def programme_table(p: Profile) -> tables.Table:
    """The municipality's FUB/FUG participation, if any."""
    t = _t(p)
    if p.progress.empty:
        none = pd.DataFrame({"t": [t["not_started"]]})
        return tables.table(none, columns={"t": t["participation"]}, caption=t["cap_programme"])
    d = p.progress.assign(kull_tekst=p.progress["kull"].astype("str"),
                          lenke="../program-" + p.progress["kull"].astype("str") + ".html")
    return tables.table(
        d,
        links={"kull_tekst": "lenke"},
        columns={"kull_tekst": t["cohort"], "status": t["status"], "andel_tid": t["time_gone"],
                 "andel_gjennomfort": t["done"], "gjennomforte": t["held"], "planlagte_aktiviteter": t["planned"],
                 "antall_barnehager": t["kindergartens"], "antall_skoler": t["schools"]},
        percent=["andel_tid", "andel_gjennomfort"],
        status={"status": PROGRESS_LABELS[p.lang]},
        caption=t["cap_programme"],
    )
