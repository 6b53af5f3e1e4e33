"""Key sentences at the top of the municipal page, in the manner of FHI's Folkehelseprofil: what
the municipality has, where it is thin, what expires, what would close a gap, and how it stands
against the country and its peers where a stated test says so.

Each rule is a function of the municipal `~kompetanse.reports.kommune.Profile` that returns a
sentence, or ``None`` when the data do not support one. `key_sentences` applies the rules in
`RULES` order and keeps at most `MOST` of them. A comparison is said only from the barometer's
test (`kompetanse.analysis.barometer`): "higher than in the country" only where the municipality's
95 % interval lies wholly above the national rate. Nothing is said about one or two persons.
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
from kompetanse.settings import HORIZON_MONTHS, MIN_CERTIFIED

if TYPE_CHECKING:  # pragma: no cover
    from kompetanse.reports.kommune import Profile

__all__ = ["MOST", "RULES", "KeySentences", "key_sentences"]

#: At most this many sentences.
MOST = 6
#: Adjective forms of the levels ("universelt nivå").
LEVEL_WORDS = {"universell": "universelt", "selektiv": "selektivt", "indikativ": "indikativt"}
_TWO = {2: "to", 3: "tre", 4: "fire", 5: "fem"}


def _join(words: list[str]) -> str:
    """«a», «a og b», «a, b og c»."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} og {words[-1]}"


def _levels(levels: list[str]) -> str:
    """«universelt nivå», «universelt og selektivt nivå»."""
    return f"{_join([LEVEL_WORDS[lv] for lv in levels])} nivå"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _rate(value: float) -> str:
    """A rate per 1,000 with one decimal, or two below 1 (0,15 not 0,1)."""
    return number(value, 1 if abs(value) >= 1 else 2)


def what_it_has(p: Profile) -> str | None:
    """How many distinct staff have an active certification, in how many methods."""
    if not p.has_staff:
        return (f"{p.kommunenavn} har ingen registrerte ansatte med sertifisering eller opplæring i metodene, "
                "så kommunen er ikke vurdert på kompetanse.")
    if p.staff_total == 0:
        return f"{p.kommunenavn} har ingen ansatte med aktiv sertifisering per {p.on:%d.%m.%Y}."
    persons = "ansatt" if p.staff_total == 1 else "ansatte"
    methods = "én metode" if p.method_total == 1 else f"{number(p.method_total)} metoder"
    return (f"{p.kommunenavn} har {number(p.staff_total)} {persons} med aktiv sertifisering i {methods} "
            f"per {p.on:%d.%m.%Y}.")


def coverage(p: Profile) -> str | None:
    """Which levels are covered, vulnerable (with the reason) and missing."""
    if not p.has_staff or p.coverage.empty:
        return None
    c = p.coverage.set_index("niva").reindex(list(LEVELS))
    status = c["status"].astype("str")
    if (status == "dekket").all():
        return "Alle tre forebyggingsnivåene er dekket."
    two = _TWO.get(MIN_CERTIFIED, number(MIN_CERTIFIED))
    reasons = {"for_faa": "det hviler på én person" if MIN_CERTIFIED == 2 else f"det har færre enn {two} personer",
               "spredt": f"ingen metode har {two} sertifiserte",
               "utloper": "alle sertifiseringene utløper innen et år"}
    parts = []
    covered = [lv for lv in LEVELS if status[lv] == "dekket"]
    if covered:
        parts.append(f"{_levels(covered)} er dekket")
    for lv in LEVELS:
        if status[lv] == "sarbar":
            parts.append(f"{_levels([lv])} er sårbart fordi {reasons.get(c.loc[lv, 'sarbar_grunn'], 'det er tynt')}")
    missing = [lv for lv in LEVELS if status[lv] == "mangler"]
    if missing:
        parts.append(f"{_levels(missing)} mangler sertifiserte ansatte")
    return _capital("; ".join(parts)) + "."


def _capacity_versus(p: Profile, comparator: str) -> tuple[list[tuple], list[tuple], bool]:
    """Levels where capacity is tested higher / lower than ``comparator``, and whether every
    level was tested."""
    rows = p.barometer[p.barometer["indikator"].str.startswith("kapasitet_")]
    higher, lower = [], []
    for r in rows.itertuples(index=False):
        lv = r.indikator.removeprefix("kapasitet_")
        verdict = getattr(r, f"vurdering_{comparator}")
        item = (lv, r.verdi, getattr(r, f"{comparator}_verdi"))
        if verdict == "bedre":
            higher.append(item)
        elif verdict == "darligere":
            lower.append(item)
    tested = len(rows) == len(LEVELS) and (rows[f"vurdering_{comparator}"] != "").all()
    return higher, lower, tested


def _difference(items: list[tuple]) -> str:
    levels = _levels([lv for lv, _, _ in items])
    figures = "; ".join(f"{_rate(v)} mot {_rate(c)}" for _, v, c in items)
    return f"på {levels} ({figures})"


def _differences(higher: list[tuple], lower: list[tuple]) -> str:
    """«flere sertifiserte per 1 000 barn på universelt nivå (2,1 mot 1,5) og færre på …»."""
    texts = []
    for word, items in (("flere", higher), ("færre", lower)):
        if items:
            unit = "" if texts else "sertifiserte per 1\u00a0000 barn "
            texts.append(f"{word} {unit}{_difference(items)}")
    return " og ".join(texts)


def versus_country(p: Profile) -> str | None:
    """Capacity against the country, from the test (stated only where it is tested)."""
    if not p.has_staff:
        return None
    higher, lower, tested = _capacity_versus(p, "land")
    if not higher and not lower:
        if not tested:
            return None
        return ("Antallet sertifiserte per 1\u00a0000 barn skiller seg ikke sikkert fra landets på noe nivå "
                "(95\u00a0% konfidensintervall).")
    return (f"Kommunen har {_differences(higher, lower)} enn landet; forskjellen er sikker "
            "(95\u00a0% konfidensintervall).")


def versus_peers(p: Profile) -> str | None:
    """Capacity against the peer group, said only where the test finds a difference."""
    if not p.has_staff or p.barometer.empty:
        return None
    higher, lower, _ = _capacity_versus(p, "peer")
    if not higher and not lower:
        return None
    group = p.barometer["peer_group_navn"].iloc[0]
    return f"Mot andre {group} har kommunen {_differences(higher, lower)}; forskjellen er sikker."


def what_expires(p: Profile) -> str | None:
    """Levels whose status gets worse within the horizon if nothing is done (never a count)."""
    if not p.has_staff or p.retention.empty or p.staff_total == 0:
        return None
    r = p.retention
    worse = r[r["status_om_ett_ar"].cat.codes > r["status_na"].cat.codes]
    months = "et år" if HORIZON_MONTHS == 12 else f"{number(HORIZON_MONTHS)} måneder"
    if worse.empty:
        ahead = "det neste året" if HORIZON_MONTHS == 12 else f"de neste {number(HORIZON_MONTHS)} månedene"
        return f"Om ingenting gjøres, holder alle tre nivåene statusen sin {ahead}."
    words = {"sarbar": "sårbart", "mangler": "uten sertifiserte ansatte"}
    parts = [f"{_levels([lv])} {words[str(s)]}" for lv, s in zip(worse["niva"], worse["status_om_ett_ar"],
                                                                     strict=True)]
    return (f"Om ingen sertifiseringer fornyes og ingen nye kommer til, blir {_join(parts)} innen {months}: "
            "sertifiseringer utløper eller ansatte har sluttet.")


def closes_a_gap(p: Profile) -> str | None:
    """For each level not covered, the first method of the gap table: the quickest fix."""
    if not p.has_staff or p.gaps.empty:
        return None
    firsts = p.gaps[p.gaps["rekkefolge"] == 1]
    parts = []
    names = p.method_names
    # one clause per method, with every level it would close
    for metode, rows in firsts.groupby("metode", sort=False):
        r = rows.iloc[0]
        name = names.get(metode, metode)
        why = ("som kommunen allerede har ansatte i" if r["allerede_i_bruk"]
               else f"{r['opplaering_tid']} fram til sertifisering" if r["opplaering_tid"] else "")
        parts.append(f"{name} på {_levels(list(rows['niva']))}" + (f" ({why})" if why else ""))
    if not parts:
        return None
    return "Raskeste vei til dekning: " + "; ".join(parts) + "."


def trend(p: Profile) -> str | None:
    """Levels whose capacity per 1,000 children rose or fell by the trend test."""
    if not p.has_staff or p.markers.empty or p.trends.empty:
        return None
    first, last = int(p.trends["ar"].min()), int(p.trends["ar"].max())
    up = [lv for lv, t in zip(p.markers["niva"], p.markers["trend"], strict=True) if t == "økende"]
    down = [lv for lv, t in zip(p.markers["niva"], p.markers["trend"], strict=True) if t == "synkende"]
    parts = ([f"økt på {_levels(up)}"] if up else []) + ([f"gått ned på {_levels(down)}"] if down else [])
    if not parts:
        return None
    return f"Kapasiteten per 1\u00a0000 barn har {' og '.join(parts)} fra {first} til {last} (trendtest)."


def in_training(p: Profile) -> str | None:
    """Staff in training, capacity to come (only from `MIN_STAFF_FACT` persons: not about one)."""
    if not p.has_staff or p.training_total < MIN_STAFF_FACT:
        return None
    return f"{number(p.training_total)} ansatte er i opplæring og kan gi ny kapasitet."


def no_offers(p: Profile) -> str | None:
    """A municipality with no registered offers says so."""
    if p.has_offers:
        return None
    return f"Det er ingen registrerte tilbud til foreldre i {p.periode}."


def survey(p: Profile) -> str | None:
    """The parent survey's «samarbeid» beside the country, said to be untested (means without
    their spread)."""
    rows = p.barometer[p.barometer["indikator"] == "samarbeid"]
    if rows.empty or pd.isna(rows["verdi"].iloc[0]) or pd.isna(rows["land_verdi"].iloc[0]):
        return None
    r = rows.iloc[0]
    return (f"Foreldrene gir samarbeidet med barnehage og skole {number(r['verdi'], 2)} av 5 i "
            f"foreldreundersøkelsen (landet {number(r['land_verdi'], 2)}); forskjellen er ikke testet.")


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
