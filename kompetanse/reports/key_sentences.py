"""Key sentences at the top of the municipal page, in the manner of FHI's Folkehelseprofil: what
the municipality has, where it is thin, what expires, what would close a gap, and how it stands
against the country and its peers where a stated test says so.

Each rule is a function of the municipal `~kompetanse.reports.kommune.Profile` that returns a
sentence, or ``None`` when the data do not support one. `key_sentences` applies the rules in
`RULES` order and keeps at most `MOST` of them. A comparison is said only from the barometer's
test (`kompetanse.analysis.barometer`): "higher than in the country" only where the municipality's
95 % interval lies wholly above the national rate. Nothing is said about one or two persons
(the staff policy, `kompetanse.reports.staff_policy`).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from kompetanse.analysis.barometer import MIN_STAFF_FACT
from kompetanse.data.reference import LEVELS
from kompetanse.formatting import number
from kompetanse.reports.staff_policy import future_hidden
from kompetanse.reports.words import LEVEL_ADJECTIVES, analysis_text, date_text, pick, training_time
from kompetanse.settings import HORIZON_MONTHS, MIN_CERTIFIED

if TYPE_CHECKING:  # pragma: no cover
    from kompetanse.reports.kommune import Profile

__all__ = ["MOST", "RULES", "KeySentences", "key_sentences"]

#: At most this many sentences.
MOST = 6
_TWO = {2: "to", 3: "tre", 4: "fire", 5: "fem"}


_TEXT = {
    "nb": {
        "none_registered": "{name} har ingen registrerte ansatte med sertifisering eller opplæring i metodene, så "
                           "kommunen er ikke vurdert på kompetanse.",
        "none_active": "{name} har ingen ansatte med aktiv sertifisering per {date}.",
        "has": "{name} har {n} {persons} med aktiv sertifisering i {methods} per {date}.",
        "person": "ansatt", "persons": "ansatte", "one_method": "én metode", "methods": "{n} metoder",
        "all_covered": "Alle tre forebyggingsnivåene er dekket.",
        "covered": "{levels} er dekket", "vulnerable": "{levels} er sårbart fordi {why}",
        "missing": "{levels} mangler sertifiserte ansatte",
        "for_faa": "det hviler på én person", "for_faa_n": "det har færre enn {two} personer",
        "spredt": "ingen metode har {two} sertifiserte", "utloper": "alle sertifiseringene utløper innen et år",
        "thin": "det er tynt",
        "unit": "sertifiserte per 1\u00a0000 barn", "more": "flere", "fewer": "færre", "against": "mot",
        "at": "på", "level": "nivå", "and": "og",
        "no_difference": "Antallet sertifiserte per 1\u00a0000 barn skiller seg ikke sikkert fra landets på noe nivå "
                         "(95\u00a0% konfidensintervall).",
        "versus_country": "Kommunen har {diff} enn landet; forskjellen er sikker (95\u00a0% konfidensintervall).",
        "versus_peers": "Mot andre {group} har kommunen {diff}; forskjellen er sikker.",
        "a_year": "et år", "months": "{n} måneder",
        "keeps_year": "Om ingenting gjøres, holder alle tre nivåene statusen sin det neste året.",
        "keeps_months": "Om ingenting gjøres, holder alle tre nivåene statusen sin de neste {n} månedene.",
        "becomes_sarbar": "{levels} sårbart", "becomes_mangler": "{levels} uten sertifiserte ansatte",
        "weakens": "Om ingen sertifiseringer fornyes og ingen nye kommer til, blir {what} innen {when}: "
                   "sertifiseringer utløper eller ansatte har sluttet.",
        "already": "som kommunen allerede har ansatte i", "path": "{time} fram til sertifisering",
        "quickest": "Raskeste vei til dekning: {what}.",
        "rose": "økt på {levels}", "fell": "gått ned på {levels}",
        "trend": "Kapasiteten per 1\u00a0000 barn har {what} fra {first} til {last} (trendtest).",
        "training": "{n} ansatte er i opplæring og kan gi ny kapasitet.",
        "no_offers": "Det er ingen registrerte tilbud til foreldre i {year}.",
        "survey": "Foreldrene gir samarbeidet med barnehage og skole {value} av 5 i foreldreundersøkelsen "
                  "(landet {land}); forskjellen er ikke testet.",
    },
    "nn": {
        "none_registered": "{name} har ingen registrerte tilsette med sertifisering eller opplæring i metodane, så "
                           "kommunen er ikkje vurdert på kompetanse.",
        "none_active": "{name} har ingen tilsette med aktiv sertifisering per {date}.",
        "has": "{name} har {n} {persons} med aktiv sertifisering i {methods} per {date}.",
        "person": "tilsett", "persons": "tilsette", "one_method": "éin metode", "methods": "{n} metodar",
        "all_covered": "Alle dei tre førebyggingsnivåa er dekte.",
        "covered": "{levels} er dekt", "vulnerable": "{levels} er sårbart fordi {why}",
        "missing": "{levels} manglar sertifiserte tilsette",
        "for_faa": "det kviler på éin person", "for_faa_n": "det har færre enn {two} personar",
        "spredt": "ingen metode har {two} sertifiserte", "utloper": "alle sertifiseringane går ut innan eitt år",
        "thin": "det er tynt",
        "unit": "sertifiserte per 1\u00a0000 barn", "more": "fleire", "fewer": "færre", "against": "mot",
        "at": "på", "level": "nivå", "and": "og",
        "no_difference": "Talet på sertifiserte per 1\u00a0000 barn skil seg ikkje sikkert frå landet sitt på "
                         "noko nivå (95\u00a0% konfidensintervall).",
        "versus_country": "Kommunen har {diff} enn landet; skilnaden er sikker (95\u00a0% konfidensintervall).",
        "versus_peers": "Mot andre {group} har kommunen {diff}; skilnaden er sikker.",
        "a_year": "eitt år", "months": "{n} månader",
        "keeps_year": "Om ingenting blir gjort, held alle dei tre nivåa statusen sin det neste året.",
        "keeps_months": "Om ingenting blir gjort, held alle dei tre nivåa statusen sin dei neste {n} månadene.",
        "becomes_sarbar": "{levels} sårbart", "becomes_mangler": "{levels} utan sertifiserte tilsette",
        "weakens": "Om ingen sertifiseringar blir fornya og ingen nye kjem til, blir {what} innan {when}: "
                   "sertifiseringar går ut eller tilsette har slutta.",
        "already": "som kommunen allereie har tilsette i", "path": "{time} fram til sertifisering",
        "quickest": "Raskaste veg til dekning: {what}.",
        "rose": "auka på {levels}", "fell": "gått ned på {levels}",
        "trend": "Kapasiteten per 1\u00a0000 barn har {what} frå {first} til {last} (trendtest).",
        "training": "{n} tilsette er i opplæring og kan gi ny kapasitet.",
        "no_offers": "Det er ingen registrerte tilbod til foreldre i {year}.",
        "survey": "Foreldra gir samarbeidet med barnehage og skule {value} av 5 i foreldreundersøkinga "
                  "(landet {land}); skilnaden er ikkje testa.",
    },
}


def _t(p: Profile) -> dict[str, str]:
    return pick(_TEXT, p.lang)


def _join(words: list[str]) -> str:
    """«a», «a og b», «a, b og c»."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} og {words[-1]}"


def _levels(levels: list[str]) -> str:
    """«universelt nivå», «universelt og selektivt nivå» (the same in both forms)."""
    return f"{_join([LEVEL_ADJECTIVES['nb'][lv] for lv in levels])} nivå"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _rate(value: float) -> str:
    """A rate per 1,000 with one decimal, or two below 1 (0,15 not 0,1)."""
    return number(value, 1 if abs(value) >= 1 else 2)


def what_it_has(p: Profile) -> str | None:
    """How many distinct staff have an active certification, in how many methods."""
    t = _t(p)
    date = date_text(p.on, p.lang)
    if not p.has_staff:
        return t["none_registered"].format(name=p.kommunenavn)
    if p.staff_total == 0:
        return t["none_active"].format(name=p.kommunenavn, date=date)
    persons = t["person"] if p.staff_total == 1 else t["persons"]
    methods = t["one_method"] if p.method_total == 1 else t["methods"].format(n=number(p.method_total))
    return t["has"].format(name=p.kommunenavn, n=number(p.staff_total), persons=persons, methods=methods, date=date)


def coverage(p: Profile) -> str | None:
    """Which levels are covered, vulnerable (with the reason) and missing."""
    if not p.has_staff or p.coverage.empty:
        return None
    t = _t(p)
    cov = p.coverage
    rows = dict(zip(cov["niva"].astype("str").tolist(),
                    zip(cov["status"].astype("str").tolist(), cov["sarbar_grunn"].tolist(), strict=True), strict=True))
    status = {lv: rows[lv][0] if lv in rows else "nan" for lv in LEVELS}
    if all(s == "dekket" for s in status.values()):
        return t["all_covered"]
    two = _TWO.get(MIN_CERTIFIED, number(MIN_CERTIFIED))
    reasons = {"for_faa": t["for_faa"] if MIN_CERTIFIED == 2 else t["for_faa_n"].format(two=two),
               "spredt": t["spredt"].format(two=two), "utloper": t["utloper"]}
    parts = []
    covered = [lv for lv in LEVELS if status[lv] == "dekket"]
    if covered:
        parts.append(t["covered"].format(levels=_levels(covered)))
    for lv in LEVELS:
        if status[lv] == "sarbar":
            why = reasons.get(rows[lv][1], t["thin"])
            parts.append(t["vulnerable"].format(levels=_levels([lv]), why=why))
    missing = [lv for lv in LEVELS if status[lv] == "mangler"]
    if missing:
        parts.append(t["missing"].format(levels=_levels(missing)))
    return _capital("; ".join(parts)) + "."


def _capacity_versus(p: Profile, comparator: str) -> tuple[list[tuple], list[tuple], bool]:
    """Levels where capacity is tested higher / lower than ``comparator``, and whether every
    level was tested."""
    b = p.barometer
    higher, lower = [], []
    levels = 0
    tested = True
    for indikator, verdi, other, verdict in zip(b["indikator"].tolist(), b["verdi"].tolist(),
                                                b[f"{comparator}_verdi"].tolist(),
                                                b[f"vurdering_{comparator}"].tolist(), strict=True):
        if not indikator.startswith("kapasitet_"):
            continue
        levels += 1
        tested = tested and verdict != ""
        item = (indikator.removeprefix("kapasitet_"), verdi, other)
        if verdict == "bedre":
            higher.append(item)
        elif verdict == "darligere":
            lower.append(item)
    return higher, lower, levels == len(LEVELS) and tested


def _differences(p: Profile, higher: list[tuple], lower: list[tuple]) -> str:
    """«flere sertifiserte per 1 000 barn på universelt nivå (2,1 mot 1,5) og færre på …»."""
    t = _t(p)
    texts = []
    for word, items in ((t["more"], higher), (t["fewer"], lower)):
        if items:
            unit = "" if texts else t["unit"] + " "
            figures = "; ".join(f"{_rate(v)} {t['against']} {_rate(c)}" for _, v, c in items)
            texts.append(f"{word} {unit}{t['at']} {_levels([lv for lv, _, _ in items])} ({figures})")
    return f" {t['and']} ".join(texts)


def versus_country(p: Profile) -> str | None:
    """Capacity against the country, from the test (stated only where it is tested)."""
    if not p.has_staff:
        return None
    higher, lower, tested = _capacity_versus(p, "land")
    if not higher and not lower:
        return _t(p)["no_difference"] if tested else None
    return _t(p)["versus_country"].format(diff=_differences(p, higher, lower))


def versus_peers(p: Profile) -> str | None:
    """Capacity against the peer group, said only where the test finds a difference."""
    if not p.has_staff or p.barometer.empty:
        return None
    higher, lower, _ = _capacity_versus(p, "peer")
    if not higher and not lower:
        return None
    group = analysis_text(p.barometer["peer_group_navn"].iloc[0], p.lang)
    return _t(p)["versus_peers"].format(group=group, diff=_differences(p, higher, lower))


def what_expires(p: Profile) -> str | None:
    """Levels whose status gets worse within the horizon if nothing is done (never a count). The
    public edition speaks only of levels whose status a year ahead the page shows
    (`kompetanse.reports.staff_policy.future_hidden`), and says that all keep their status only
    when it shows all three: otherwise the sentence, or its absence, would tell what happens to
    one or two persons."""
    if not p.has_staff or p.retention.empty or p.staff_total == 0:
        return None
    t = _t(p)
    r = p.retention
    hidden = future_hidden(r) if p.utgave == "offentlig" else pd.Series(False, index=r.index)
    worse = r[(r["status_om_ett_ar"].cat.codes > r["status_na"].cat.codes) & ~hidden]
    if worse.empty and hidden.any():
        return None
    if worse.empty:
        return t["keeps_year"] if HORIZON_MONTHS == 12 else t["keeps_months"].format(n=number(HORIZON_MONTHS))
    when = t["a_year"] if HORIZON_MONTHS == 12 else t["months"].format(n=number(HORIZON_MONTHS))
    parts = [t[f"becomes_{s}"].format(levels=_levels([lv]))
             for lv, s in zip(worse["niva"], worse["status_om_ett_ar"].astype("str"), strict=True)]
    return t["weakens"].format(what=_join(parts), when=when)


def closes_a_gap(p: Profile) -> str | None:
    """For each level not covered, the first method of the gap table: the quickest fix."""
    if not p.has_staff or p.gaps.empty:
        return None
    t = _t(p)
    firsts = p.gaps[p.gaps["rekkefolge"] == 1]
    parts = []
    # one clause per method, with every level it would close
    for metode, rows in firsts.groupby("metode", sort=False):
        r = rows.iloc[0]
        name = p.method_names.get(metode, metode)
        why = (t["already"] if r["allerede_i_bruk"]
               else t["path"].format(time=training_time(r["opplaering_tid"], p.lang)) if r["opplaering_tid"] else "")
        parts.append(f"{name} {t['at']} {_levels(list(rows['niva']))}" + (f" ({why})" if why else ""))
    if not parts:
        return None
    return t["quickest"].format(what="; ".join(parts))


def trend(p: Profile) -> str | None:
    """Levels whose capacity per 1,000 children rose or fell by the trend test."""
    if not p.has_staff or p.markers.empty or p.trends.empty:
        return None
    t = _t(p)
    first, last = int(p.trends["ar"].min()), int(p.trends["ar"].max())
    up = [lv for lv, m in zip(p.markers["niva"], p.markers["trend"], strict=True) if m == "økende"]
    down = [lv for lv, m in zip(p.markers["niva"], p.markers["trend"], strict=True) if m == "synkende"]
    parts = ([t["rose"].format(levels=_levels(up))] if up else []) + \
            ([t["fell"].format(levels=_levels(down))] if down else [])
    if not parts:
        return None
    return t["trend"].format(what=f" {t['and']} ".join(parts), first=first, last=last)


def in_training(p: Profile) -> str | None:
    """Staff in training, capacity to come (only from `MIN_STAFF_FACT` persons: not about one)."""
    if not p.has_staff or p.training_total < MIN_STAFF_FACT:
        return None
    return _t(p)["training"].format(n=number(p.training_total))


def no_offers(p: Profile) -> str | None:
    """A municipality with no registered offers says so."""
    if p.has_offers:
        return None
    return _t(p)["no_offers"].format(year=p.periode)


def survey(p: Profile) -> str | None:
    """The parent survey's «samarbeid» beside the country, said to be untested (means without
    their spread)."""
    b = p.barometer
    found = [(v, land) for i, v, land in zip(b["indikator"].tolist(), b["verdi"].tolist(), b["land_verdi"].tolist(),
                                             strict=True) if i == "samarbeid"]
    if not found or pd.isna(found[0][0]) or pd.isna(found[0][1]):
        return None
    value, land = found[0]
    return _t(p)["survey"].format(value=number(value, 2), land=number(land, 2))


#: The rules in the order their sentences are kept.
RULES: tuple[Callable[[Profile], str | None], ...] = (
    what_it_has, coverage, versus_country, what_expires, closes_a_gap, no_offers, trend, versus_peers,
    in_training, survey,
)


@dataclass
class KeySentences:
    """The sentences as a list; the HTML is an escaped ``<ul>``."""

    sentences: list[str]

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{html.escape(s)}</li>" for s in self.sentences)
        return f'<ul class="nokkelsetninger">{items}</ul>'

    def __repr__(self) -> str:
        return "\n".join(f"- {s}" for s in self.sentences)


def key_sentences(p: Profile, *, most: int = MOST) -> KeySentences:
    """The sentences of every rule that has one, in `RULES` order, at most ``most``."""
    found = [s for s in (rule(p) for rule in RULES) if s]
    return KeySentences(found[:most])
