"""The municipal report (notebooks/kommune_rapport.ipynb): everything it shows about one
municipality, one function per section. `profile` gathers the municipality's figures; each
section function takes the profile and returns what the section shows: a heading, a table or a
figure (`kompetanse.reports.plots.Chart`).

The national analyses (coverage of all 357 municipalities, comparisons, retention, programme
progress) are computed once per data set and date in a process and reused for every
municipality (`kompetanse.reports.kommune_national`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from kompetanse.analysis.expiry import ExpirySchedule
from kompetanse.analysis.peers import read_grouping
from kompetanse.analysis.periods import DateLike, reference_date
from kompetanse.data.reference import LEVELS, metoder
from kompetanse.errors import check_argument
from kompetanse.formatting import number
from kompetanse.reports import tables
from kompetanse.reports.barometer import Barometer
from kompetanse.reports.barometer import barometer_table as _barometer_table
from kompetanse.reports.expiry import expiry_methods_table, expiry_table
from kompetanse.reports.key_sentences import KeySentences
from kompetanse.reports.key_sentences import key_sentences as _key_sentences
from kompetanse.reports.kommune_actions import GAPS_SHOWN, gaps_table, offers_table, programme_table
from kompetanse.reports.kommune_national import by_municipality, national
from kompetanse.reports.kommune_plots import capacity_scale
from kompetanse.reports.kommune_text import TEXT
from kompetanse.reports.kommune_trends import no_staff, trend_chart, trend_table
from kompetanse.reports.staff_policy import future_hidden, policy_note, public_retention
from kompetanse.reports.style import LEVEL_LABELS, levels_text, short_method_names
from kompetanse.reports.svg import SvgChart, capacity_svg
from kompetanse.reports.words import (
    STATUS_LABELS,
    analysis_text,
    check_lang,
    date_text,
    pick,
)
from kompetanse.settings import EDITIONS, EXPIRY_MONTHS, HORIZON_MONTHS, MIN_CERTIFIED, MIN_STAFF_EVENTS

__all__ = ["national", "Profile", "profile", "heading", "key_sentences", "barometer_table",
           "summary_table", "capacity_chart", "comparison_table", "trend_chart", "trend_table",
           "methods_table", "staff_policy", "retention_table", "expiry_tables", "gaps_table", "GAPS_SHOWN",
           "vulnerability_reasons", "offers_table", "programme_table", "short_method_names"]

@dataclass
class Profile:
    """One municipality's figures for the municipal report (aggregates only, never a person)."""

    kommunenummer: str
    kommunenavn: str
    fylkesnummer: str
    fylkesnavn: str
    on: pd.Timestamp
    periode: int
    coverage: pd.DataFrame
    comparison: pd.DataFrame
    retention: pd.DataFrame
    training: pd.DataFrame
    gaps: pd.DataFrame
    active: pd.DataFrame
    offers: pd.DataFrame
    progress: pd.DataFrame
    barometer: pd.DataFrame
    trends: pd.DataFrame
    markers: pd.DataFrame
    staff_total: int = 0
    method_total: int = 0
    training_total: int = 0
    has_staff: bool = True
    has_offers: bool = True
    all_rates: pd.Series = field(default_factory=lambda: pd.Series(dtype="float64"))
    method_names: dict = field(default_factory=dict)
    expiry: ExpirySchedule | None = None
    lang: str = "nb"
    #: the edition (`kompetanse.settings.EDITIONS`): ``offentlig`` follows the staff policy
    #: (`kompetanse.reports.staff_policy`), ``intern`` shows every retention count
    utgave: str = "offentlig"

    @property
    def public(self) -> bool:
        return self.utgave == "offentlig"


def profile(ds, kommunenummer: str, *, on: DateLike | None = None, lang: str = "nb",
            grouping: str | Path | pd.DataFrame | None = None, utgave: str = "offentlig") -> Profile:
    """Everything the municipal report shows about ``kommunenummer`` on ``on`` (None: the last day
    of the latest period, `kompetanse.analysis.periods.reference_date`), for a page in
    ``lang`` (``"nb"`` bokmål, ``"nn"`` nynorsk), compared with the peers of ``grouping`` when
    given: a grouping file or frame (one KOSTRA group per municipality, checked by
    `kompetanse.analysis.peers.read_grouping`; an empty string or None means size bands), in the
    edition ``utgave``: ``"offentlig"`` (the published page, following the staff policy of
    `kompetanse.reports.staff_policy`) or ``"intern"`` (every retention count, for the
    municipality's own leaders)."""
    check_lang(lang)
    check_argument("utgave", EDITIONS, utgave)
    on = reference_date(ds, on=on)
    if isinstance(grouping, str | Path) and str(grouping).strip():
        grouping = read_grouping(grouping, known=list(ds.kommuner["kommunenummer"]))
    elif isinstance(grouping, str | Path):
        grouping = None
    cut = by_municipality(ds, on=on, grouping=grouping)
    if kommunenummer not in cut.places or kommunenummer not in cut.ranges["staff"]:
        raise KeyError(kommunenummer)
    # each frame's rows of this municipality, as a view (copy-on-write keeps the national
    # frames from any change made to it)
    mine = {}
    for name, frame in cut.frames.items():
        start, stop = cut.ranges[name].get(kommunenummer, (0, 0))
        mine[name] = frame.iloc[start:stop]
    staff = mine.pop("staff")
    mine = {name: frame.reset_index(drop=True) if name.startswith("expiry_") else frame
            for name, frame in mine.items()}
    at = pd.Timestamp(on).normalize()
    expiry = ExpirySchedule(mine.pop("expiry_methods"), mine.pop("expiry_levels"), mine.pop("expiry_changes"), at,
                            at + pd.DateOffset(months=HORIZON_MONTHS), HORIZON_MONTHS)
    navn, fylkesnummer, fylkesnavn = cut.places[kommunenummer]
    periode = int(pd.Timestamp(on).year)
    start, stop = cut.tilbud_ranges.get(kommunenummer, (0, 0))
    offers = cut.tilbud.iloc[start:stop]
    offers = offers[offers["ar"] == periode]
    return Profile(kommunenummer, navn, fylkesnummer, fylkesnavn,
                   pd.Timestamp(on), periode, offers=offers, **mine,
                   staff_total=int(staff["sertifiserte"].iloc[0]), method_total=int(staff["metoder"].iloc[0]),
                   training_total=int(staff["i_opplaering"].iloc[0]), has_staff=bool(staff["registrert"].iloc[0]),
                   has_offers=bool(len(offers)), all_rates=cut.rates.copy(deep=False),
                   method_names=short_method_names(), expiry=expiry, lang=lang, utgave=utgave)


# ------------------------------------------------------------------------------ report sections


def _t(p: Profile) -> dict[str, str]:
    return pick(TEXT, p.lang)


def _group(p: Profile) -> str:
    """The peer group's name in the page's form."""
    return analysis_text(p.barometer["peer_group_navn"].iloc[0], p.lang) if len(p.barometer) else ""


def heading(p: Profile) -> tables.Title:
    """The page's title, the municipality's name, and under it its number, county, the date of
    the figures and the peer group it is compared with."""
    t = _t(p)
    line = t["title_line"].format(nr=p.kommunenummer, county=p.fylkesnavn, date=date_text(p.on, p.lang))
    if _group(p):
        line += t["compared"].format(group=_group(p))
    return tables.Title(p.kommunenavn, line)


def key_sentences(p: Profile) -> KeySentences:
    """«Kort oppsummert»: 3–6 sentences from the analyses (`kompetanse.reports.key_sentences`)."""
    return _key_sentences(p)


def barometer_table(p: Profile) -> Barometer:
    """The barometer: each indicator beside the county, the peer group and the country, tested.
    The public edition also suppresses the share of certifications expiring where none expire
    (the analysis suppresses 1 or 2): a «0 %» beside a «:» would tell what the «:» hides."""
    rows = p.barometer
    if p.public and len(rows):
        few = ((rows["indikator"] == "utloper_andel") & (rows["teller"] < MIN_STAFF_EVENTS)).to_numpy()
        places = ("fylke", "peer", "land")
        rows = rows.assign(prikket=rows["prikket"].to_numpy() | few,
                           **{c: rows[c].mask(few) for c in ("verdi", "ci_low", "ci_high")},
                           **{f"vurdering_{c}": rows[f"vurdering_{c}"].mask(few, "") for c in places},
                           **{f"merknad_{c}": rows[f"merknad_{c}"].mask(few, "prikket") for c in places})
    return _barometer_table(rows, kommunenavn=p.kommunenavn, fylkesnavn=p.fylkesnavn, lang=p.lang)


_CAPACITY_COMPARISON = ("land_q1", "land_q3", "rang_i_fylket", "antall_i_fylket", "fylke_antall")
_CAPACITY_BAROMETER = {"verdi": "rate", "ci_low": "ci_low", "ci_high": "ci_high", "fylke_verdi": "fylke",
                       "peer_verdi": "peer", "land_verdi": "land", "peer_antall": "peer_antall"}


def _capacity_rows(p: Profile) -> pd.DataFrame:
    """Per level: the municipality's rate and interval and the pooled rates of county, peers and
    country (the barometer's, so every figure on the page is the same), with the quartiles and
    ranks of `compare`, in level order.

    A municipality has one comparison row and one capacity indicator per level: their columns
    are then taken in level order directly (the frame `_capacity_rows_merged` makes, in a fifth
    of the time); anything else (a level missing, a level twice) is merged."""
    levels = p.comparison["niva"].astype("str").tolist()
    indicators = p.barometer["indikator"].tolist()
    wanted = [f"kapasitet_{lv}" for lv in LEVELS]
    if sorted(levels) != sorted(LEVELS) or sorted(i for i in indicators if str(i).startswith("kapasitet_")) != sorted(
            wanted):
        return _capacity_rows_merged(p)
    in_comparison = [levels.index(lv) for lv in LEVELS]
    in_barometer = [indicators.index(i) for i in wanted]
    data = {"niva": pd.array(list(LEVELS), dtype="str")}
    data |= {c: p.comparison[c].array.take(in_comparison) for c in _CAPACITY_COMPARISON}
    data |= {name: p.barometer[c].array.take(in_barometer) for c, name in _CAPACITY_BAROMETER.items()}
    return pd.DataFrame(data)


def _capacity_rows_merged(p: Profile) -> pd.DataFrame:
    """`_capacity_rows` for any profile: the comparison merged with the barometer's capacity
    rows, reindexed to the levels (a level without a row has NaN)."""
    b = p.barometer[p.barometer["indikator"].str.startswith("kapasitet_")]
    b = b.assign(niva=b["indikator"].str.removeprefix("kapasitet_"))[["niva", *_CAPACITY_BAROMETER]]
    b = b.rename(columns=_CAPACITY_BAROMETER)
    c = p.comparison[["niva", *_CAPACITY_COMPARISON]]
    return c.merge(b, on="niva", how="left").set_index("niva").reindex(list(LEVELS)).reset_index()


def capacity_chart(p: Profile) -> SvgChart | tables.Table:
    """Capacity per 1,000 children per level with its interval, beside the county, the peer group
    and the country, on a scale no outlier stretches (`kommune_plots.capacity_scale`), as SVG."""
    t = _t(p)
    empty = no_staff(p, t["no_capacity"], t["cap_capacity"])
    if empty is not None:
        return empty
    group = _group(p)
    d = _capacity_rows(p)
    shown = np.concatenate([d[c].to_numpy(dtype="float64", na_value=np.nan)
                            for c in ("rate", "ci_high", "fylke", "peer", "land", "land_q3")])
    by_level = {r.niva: r for r in tables.records(d)}
    said = "; ".join(f"{LEVEL_LABELS[lv].lower()} {number(by_level[lv].rate, 1)} "
                     f"({t['country']} {number(by_level[lv].land, 1)})" for lv in LEVELS)
    alt = t["capacity_alt"].format(name=p.kommunenavn, county=p.fylkesnavn, group=group, said=said)
    return capacity_svg(d, kommunenavn=p.kommunenavn, fylkesnavn=p.fylkesnavn,
                        scale=capacity_scale(p.all_rates, shown), peer_label=t["others"].format(group=group),
                        words=t, alt=alt)


def vulnerability_reasons(min_certified: int = MIN_CERTIFIED, expiry_months: int = EXPIRY_MONTHS,
                          lang: str = "nb") -> dict[str, str]:
    """The reasons `coverage.coverage_by_level` gives for a ``sarbar`` level (``sarbar_grunn``),
    in words for the page in ``lang``, with the thresholds the code applied."""
    t = pick(TEXT, lang)
    two = {2: "to", 3: "tre", 4: "fire", 5: "fem"}.get(min_certified, number(min_certified))
    return {
        "for_faa": t["for_faa"] if min_certified == 2 else t["for_faa_n"].format(two=two),
        "spredt": t["spredt"].format(two=two),
        "utloper": t["utloper"] if expiry_months == 12 else t["utloper_n"].format(n=number(expiry_months)),
    }


def summary_table(p: Profile) -> tables.Table:
    """The three levels at a glance: status, why a level is sårbar (`vulnerability_reasons`),
    active certified staff (distinct persons at the level) and methods in use."""
    t = _t(p)
    empty = no_staff(p, t["no_levels"], t["cap_summary"])
    if empty is not None:
        return empty
    names = short_method_names()
    in_use = p.coverage["metoder_i_bruk"].map(
        lambda codes: ", ".join(sorted(names.get(c, c) for c in codes.split(", ") if c)))
    d = p.coverage.assign(niva_navn=p.coverage["niva"].map(LEVEL_LABELS), metoder_i_bruk=in_use)
    return tables.table(
        d,
        columns={"niva_navn": t["level"], "status": t["status"], "sarbar_grunn": t["why"],
                 "kapasitet": t["active"], "metoder_i_bruk": t["in_use"]},
        status={"status": STATUS_LABELS[p.lang]},
        labels={"sarbar_grunn": vulnerability_reasons(lang=p.lang)},
        caption=t["cap_summary"],
    )


def comparison_table(p: Profile) -> tables.Table:
    """Capacity per 1,000 children per level with its 95 % interval, beside the county, the peer
    group and the country (pooled rates, as in the barometer), the middle half of the country's
    municipalities and the rank in the county. A county or group with no other municipality is
    no comparison and says so."""
    t = _t(p)
    rows = []
    for r in tables.records(_capacity_rows(p)):
        lone_county = r.fylke_antall == 0
        rows.append({
            t["level"]: LEVEL_LABELS[r.niva],
            t["municipality"]: number(r.rate, 2) if p.has_staff else t["none_registered"],
            t["ci"]: f"{number(r.ci_low, 2)}–{number(r.ci_high, 2)}" if p.has_staff else tables.MISSING,
            t["county"]: t["lone_county"] if lone_county else number(r.fylke, 2),
            t["group"]: t["lone_group"] if r.peer_antall == 0 else number(r.peer, 2),
            t["land"]: number(r.land, 2),
            t["middle"]: f"{number(r.land_q1, 2)}–{number(r.land_q3, 2)}",
            t["rank"]: tables.MISSING if lone_county or not p.has_staff or pd.isna(r.rang_i_fylket)
                       else f"{r.rang_i_fylket:.0f} {t['of']} {r.antall_i_fylket:.0f}",
        })
    frame = pd.DataFrame(rows, dtype=object)
    caption = t["cap_comparison"].format(group=_group(p))
    return tables.Table(frame, {c for c in frame.columns if c != t["level"]}, caption)


def methods_table(p: Profile) -> tables.Table:
    """Active certified staff and staff in training per method (counts)."""
    t = _t(p)
    empty = no_staff(p, t["no_methods"], t["cap_methods"])
    if empty is not None:
        return empty
    # per method (the active and the training ones, by code), with the catalogue's name and
    # levels, by name (a method the catalogue lacks last): a few rows, in Python
    active = dict(zip(p.active["metode"].tolist(), p.active["aktive"].tolist(), strict=True))
    training = dict(zip(p.training["metode"].tolist(), p.training["antall"].tolist(), strict=True))
    catalogue = _catalogue_rows()
    codes = sorted(active.keys() | training.keys())
    codes = sorted(codes, key=lambda code: (code not in catalogue, catalogue.get(code, ("",))[0]))
    d = pd.DataFrame({
        "metode": pd.array(codes, dtype="str"),
        "aktive": np.array([active.get(code, 0) for code in codes], dtype="int64"),
        "i_opplaering": np.array([training.get(code, 0) for code in codes], dtype="int64"),
        "navn": pd.array([catalogue[code][0] if code in catalogue else None for code in codes], dtype="str"),
        "niva_tekst": pd.array([catalogue[code][1] if code in catalogue else None for code in codes], dtype="str"),
    })
    if d.empty:
        return tables.table(pd.DataFrame({"navn": [t["no_methods_row"]]}), columns={"navn": t["method"]},
                            caption=t["cap_methods"])
    return tables.table(d, columns={"navn": t["method"], "niva_tekst": t["levels"], "aktive": t["active"],
                                    "i_opplaering": t["training"]}, caption=t["cap_methods"])


@functools.cache
def _catalogue_rows() -> dict[str, tuple[str, str]]:
    """The catalogue by code: (name, levels in words), made once per process."""
    c = _catalogue_once()
    return dict(zip(c["metode"].tolist(), zip(c["navn"].tolist(), c["niva_tekst"].tolist(), strict=True),
                    strict=True))


@functools.cache
def _catalogue_once() -> pd.DataFrame:
    m = metoder()
    return m.assign(niva_tekst=m["nivaer"].map(levels_text))[
        ["metode", "navn", "niva_tekst"]]


def staff_policy(p: Profile) -> tables.Paragraph:
    """What the page says about staff and what it does not (`kompetanse.reports.staff_policy`),
    in the page's edition and form."""
    return policy_note(p.utgave, p.lang)


def retention_table(p: Profile) -> tables.Table:
    """Per level: certified persons whose certification expires within the horizon, who left in
    the period, and who are in training, with the status now and a year ahead (counts only). The
    public edition suppresses the counts of persons leaving or expiring below the policy's
    threshold and the status a year ahead that rests on them (`staff_policy.public_retention`)."""
    t = _t(p)
    empty = no_staff(p, t["no_loss"], t["cap_retention"])
    if empty is not None:
        return empty
    shown = public_retention(p.retention) if p.public else p.retention
    d = shown.assign(niva_navn=p.retention["niva"].map(LEVEL_LABELS))
    return tables.table(
        d,
        columns={"niva_navn": t["level"], "utloper_neste_12_mnd": t["expires"],
                 "sluttet_i_perioden": t["left"].format(year=p.periode),
                 "i_opplaering": t["training"], "status_na": t["now"], "status_om_ett_ar": t["in_a_year"]},
        status={"status_na": STATUS_LABELS[p.lang], "status_om_ett_ar": STATUS_LABELS[p.lang]},
        caption=t["cap_retention"] + (t["cap_retention_public"].format(n=number(MIN_STAFF_EVENTS)) if p.public
                                      else t["cap_retention_internal"]),
    )


def expiry_tables(p: Profile) -> tables.Stack:
    """When certifications run out (`kompetanse.reports.expiry`) in the profile's edition: per
    level the quarter the status first changes if nothing is done, and per method when to renew;
    in the public edition dates only, never counts of persons, and no date where the retention
    table suppresses the status a year ahead (`staff_policy.future_hidden`)."""
    empty = no_staff(p, _t(p)["no_expiry"], _t(p)["cap_expiry"])
    if empty is not None:
        return tables.Stack([empty])
    hidden = future_hidden(p.retention).set_axis(p.retention["niva"].astype("str")) if p.public else None
    return tables.Stack([expiry_table(p.expiry, utgave=p.utgave, lang=p.lang, hidden_levels=hidden),
                         expiry_methods_table(p.expiry, utgave=p.utgave, lang=p.lang)])
