"""The municipal report (notebooks/kommune_rapport.ipynb): everything it shows about one
municipality, one function per section. `profile` gathers the municipality's figures; each
section function takes the profile and returns what the section shows: a heading, a table or a
figure (`kompetanse.reports.plots.Chart`).

The national analyses (coverage of all 357 municipalities, comparisons, retention, programme
progress) are computed once per data set and date in a process and reused for every
municipality: a report batch asks for 357 profiles of the same data. They are kept under a
digest of the tables' contents, so a copy of a Dataset that was edited (a what-if) gets its own.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

import pandas as pd

from kompetanse.analysis import coverage as cov
from kompetanse.analysis import programme
from kompetanse.analysis.barometer import barometer
from kompetanse.analysis.compare import compare
from kompetanse.analysis.disclosure import suppress_table
from kompetanse.analysis.expiry import ExpirySchedule, expiry_schedule
from kompetanse.analysis.peers import compare_with_peers, peer_groups
from kompetanse.analysis.trends import level_trend_markers, level_trends
from kompetanse.data.reference import LEVELS, metoder
from kompetanse.errors import argument_error
from kompetanse.formatting import number
from kompetanse.reports import plots, tables
from kompetanse.reports.barometer import Barometer
from kompetanse.reports.barometer import barometer_table as _barometer_table
from kompetanse.reports.digest import content_digest
from kompetanse.reports.expiry import expiry_methods_table, expiry_table
from kompetanse.reports.key_sentences import KeySentences
from kompetanse.reports.key_sentences import key_sentences as _key_sentences
from kompetanse.reports.kommune_plots import capacity_scale, capacity_with_intervals
from kompetanse.reports.kommune_trends import no_staff, trend_chart, trend_table
from kompetanse.reports.style import LEVEL_LABELS, PROGRESS_LABELS, STATUS_LABELS, short_method_names
from kompetanse.settings import EXPIRY_MONTHS, HORIZON_MONTHS, MIN_CERTIFIED, MIN_COUNT

__all__ = ["national", "Profile", "profile", "heading", "key_sentences", "barometer_table",
           "summary_table", "capacity_chart", "comparison_table", "trend_chart", "trend_table",
           "methods_table", "retention_table", "expiry_tables", "gaps_table", "GAPS_SHOWN", "vulnerability_reasons",
           "offers_table", "programme_table", "short_method_names"]

_NATIONAL: OrderedDict[tuple, dict[str, pd.DataFrame]] = OrderedDict()
_NATIONAL_SIZE = 4

#: The tables the national analyses read.
_NATIONAL_INPUTS = ("ansatte_kompetanse", "tilbud", "befolkning", "program_deltakelse", "program_aktiviteter",
                    "foreldreundersokelsen", "kommuner", "metoder", "metode_nivaer")


def national(ds, *, on: pd.Timestamp) -> dict[str, pd.DataFrame]:
    """The analyses of every municipality on ``on``, computed once per data set and date.

    Returns a dict of frames: ``coverage`` (`coverage_by_level`), ``comparison`` (capacity per
    1,000 children compared with county and country, per level), ``retention``
    (`retention_by_level`: expiring, left, in training and projected status per level),
    ``training`` (`in_training` per method), ``gaps`` (`gaps`), ``active`` (active certified
    staff per municipality and method, counts only), ``progress`` (`programme_progress`),
    ``barometer`` (`kompetanse.analysis.barometer.barometer`), ``trends`` and ``markers``
    (`kompetanse.analysis.trends.level_trends` for the years up to ``on`` and their markers),
    ``staff`` (per municipality: distinct active certified persons, methods with one, distinct
    persons in training, and whether any staff row is registered). The comparison carries the
    peer group's columns (`kompetanse.analysis.peers.compare_with_peers`).

    The frames are kept for the next call with equal data and date (compared by content, not by
    object: an edited copy of a Dataset is computed afresh); each call returns its own shallow
    copies, so changing a returned frame cannot change what a later call returns.
    """
    key = (content_digest(ds, _NATIONAL_INPUTS), pd.Timestamp(on))
    if key in _NATIONAL:
        _NATIONAL.move_to_end(key)
        return {name: frame.copy(deep=False) for name, frame in _NATIONAL[key].items()}
    coverage = cov.coverage_by_level(ds, on=on)
    groups = peer_groups(ds.kommuner)
    comparison = compare(coverage, value="kapasitet_per_1000", by="niva", count="kapasitet",
                         denominator="barn_0_17")
    comparison = compare_with_peers(comparison, count="kapasitet", denominator="barn_0_17", by="niva",
                                    groups=groups)
    active_rows = cov.active_certified(ds, on=on)
    active = (active_rows.groupby(["kommunenummer", "metode"], observed=True)["ansatt_id"]
              .nunique().rename("aktive").reset_index())
    years = [y for y in sorted(set(ds.befolkning["ar"].astype(int)) | set(ds.tilbud["ar"].astype(int)))
             if y <= pd.Timestamp(on).year]
    trends = level_trends(ds, groups=groups, years=years)
    result = {
        "coverage": coverage,
        "comparison": comparison,
        "retention": cov.retention_by_level(ds, on=on, coverage=coverage),
        "training": cov.in_training(ds, on=on, by_level=False),
        "gaps": cov.gaps(ds, on=on, coverage=coverage),
        "active": active,
        "progress": programme.programme_progress(ds, on=on),
        "barometer": barometer(ds, on=on, groups=groups, coverage=coverage),
        "trends": trends,
        "markers": level_trend_markers(trends),
        "staff": _staff(ds, active_rows, on),
    }
    schedule = expiry_schedule(ds, on=on)
    result.update(expiry_methods=schedule.methods, expiry_levels=schedule.levels, expiry_changes=schedule.changes)
    _NATIONAL[key] = result
    if len(_NATIONAL) > _NATIONAL_SIZE:
        _NATIONAL.popitem(last=False)
    return {name: frame.copy(deep=False) for name, frame in result.items()}


def _staff(ds, active_rows: pd.DataFrame, on) -> pd.DataFrame:
    """Per municipality the headline of the page, one definition (`coverage.staff_counts`):
    ``sertifiserte`` (distinct persons with an active certification), ``i_opplaering``
    (distinct persons in training), with ``metoder`` (methods with at least one active certified
    person) and ``registrert`` (any staff row at all)."""
    out = cov.staff_counts(ds, on=on)[["kommunenummer", "sertifiserte", "i_opplaering"]]
    methods = active_rows.groupby("kommunenummer")["metode"].nunique()
    out = out.assign(metoder=out["kommunenummer"].map(methods).fillna(0).astype("int64"),
                     registrert=out["kommunenummer"].isin(ds.ansatte_kompetanse["kommunenummer"]))
    return out.reset_index(drop=True)


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


def profile(ds, kommunenummer: str, *, on: pd.Timestamp) -> Profile:
    """Everything the municipal report shows about ``kommunenummer`` on ``on``."""
    nat = national(ds, on=on)
    staff = nat.pop("staff").set_index("kommunenummer").loc[kommunenummer]
    mine = {name: frame[frame["kommunenummer"] == kommunenummer].reset_index(drop=True) if name.startswith("expiry_")
            else frame[frame["kommunenummer"] == kommunenummer] for name, frame in nat.items()}
    at = pd.Timestamp(on).normalize()
    expiry = ExpirySchedule(mine.pop("expiry_methods"), mine.pop("expiry_levels"), mine.pop("expiry_changes"), at,
                            at + pd.DateOffset(months=HORIZON_MONTHS), HORIZON_MONTHS)
    place = ds.kommuner.set_index("kommunenummer").loc[kommunenummer]
    periode = int(pd.Timestamp(on).year)
    offers = ds.tilbud[(ds.tilbud["kommunenummer"] == kommunenummer) & (ds.tilbud["ar"] == periode)]
    return Profile(kommunenummer, place["kommunenavn"], place["fylkesnummer"], place["fylkesnavn"],
                   pd.Timestamp(on), periode, offers=offers, **mine,
                   staff_total=int(staff["sertifiserte"]), method_total=int(staff["metoder"]),
                   training_total=int(staff["i_opplaering"]), has_staff=bool(staff["registrert"]),
                   has_offers=bool(len(offers)), all_rates=nat["comparison"]["rate"],
                   method_names=short_method_names(), expiry=expiry)


# ------------------------------------------------------------------------------ report sections


def heading(p: Profile) -> tables.Title:
    """The page's title, the municipality's name, and under it its number, county, the date of
    the figures and the peer group it is compared with."""
    group = p.barometer["peer_group_navn"].iloc[0] if len(p.barometer) else ""
    line = f"Kommunenummer {p.kommunenummer}, {p.fylkesnavn}. Tallene gjelder {p.on:%d.%m.%Y}."
    if group:
        line += f" Kommunen sammenlignes med fylket, landet og andre {group}."
    return tables.Title(p.kommunenavn, line)


def key_sentences(p: Profile) -> KeySentences:
    """«Kort oppsummert»: 3–6 sentences from the analyses (`kompetanse.reports.key_sentences`)."""
    return _key_sentences(p)


def barometer_table(p: Profile) -> Barometer:
    """The barometer: each indicator beside the county, the peer group and the country, tested."""
    return _barometer_table(p.barometer, kommunenavn=p.kommunenavn, fylkesnavn=p.fylkesnavn)


def _capacity_rows(p: Profile) -> pd.DataFrame:
    """Per level: the municipality's rate and interval and the pooled rates of county, peers and
    country (the barometer's, so every figure on the page is the same), with the quartiles and
    ranks of `compare`."""
    b = p.barometer[p.barometer["indikator"].str.startswith("kapasitet_")]
    b = b.assign(niva=b["indikator"].str.removeprefix("kapasitet_"))[
        ["niva", "verdi", "ci_low", "ci_high", "fylke_verdi", "peer_verdi", "land_verdi", "peer_antall"]]
    b = b.rename(columns={"verdi": "rate", "fylke_verdi": "fylke", "peer_verdi": "peer", "land_verdi": "land"})
    c = p.comparison[["niva", "land_q1", "land_q3", "rang_i_fylket", "antall_i_fylket", "fylke_antall"]]
    return c.merge(b, on="niva", how="left").set_index("niva").reindex(list(LEVELS)).reset_index()


def capacity_chart(p: Profile) -> plots.Chart | tables.Table:
    """Capacity per 1,000 children per level with its interval, beside the county, the peer group
    and the country, on a scale no outlier stretches (`kommune_plots.capacity_scale`)."""
    empty = no_staff(p, "det er ingen kapasitet å vise")
    if empty is not None:
        return empty
    group = p.barometer["peer_group_navn"].iloc[0]
    d = _capacity_rows(p)
    shown = d[["rate", "ci_high", "fylke", "peer", "land", "land_q3"]].to_numpy().ravel()
    fig = capacity_with_intervals(d, kommunenavn=p.kommunenavn, fylkesnavn=p.fylkesnavn,
                                  scale=capacity_scale(p.all_rates, shown), peer_label=f"Andre {group}")
    d = d.set_index("niva")
    said = "; ".join(f"{LEVEL_LABELS[lv].lower()} {number(d.loc[lv, 'rate'], 1)} "
                     f"(landet {number(d.loc[lv, 'land'], 1)})" for lv in LEVELS)
    return plots.Chart(fig, f"Sertifiserte per 1 000 barn i {p.kommunenavn}, med 95 % konfidensintervall, ved "
                            f"siden av {p.fylkesnavn}, andre {group} og landet: {said}.")


def vulnerability_reasons(min_certified: int = MIN_CERTIFIED, expiry_months: int = EXPIRY_MONTHS) -> dict[str, str]:
    """The reasons `coverage.coverage_by_level` gives for a ``sarbar`` level (``sarbar_grunn``),
    in words for the page, with the thresholds the code applied."""
    two = {2: "to", 3: "tre", 4: "fire", 5: "fem"}.get(min_certified, number(min_certified))
    return {
        "for_faa": "Hviler på én person" if min_certified == 2 else f"Færre enn {two} personer",
        "spredt": f"Ingen metode har {two} sertifiserte",
        "utloper": "Alle sertifiseringene utløper innen et år" if expiry_months == 12 else
                   f"Alle sertifiseringene utløper innen {number(expiry_months)} måneder",
    }


def summary_table(p: Profile) -> tables.Table:
    """The three levels at a glance: status, why a level is sårbar (`vulnerability_reasons`),
    active certified staff (distinct persons at the level) and methods in use."""
    empty = no_staff(p, "nivåene er ikke vurdert")
    if empty is not None:
        return empty
    names = short_method_names()
    in_use = p.coverage["metoder_i_bruk"].map(
        lambda codes: ", ".join(sorted(names.get(c, c) for c in codes.split(", ") if c)))
    d = p.coverage.assign(niva_navn=p.coverage["niva"].map(LEVEL_LABELS), metoder_i_bruk=in_use)
    return tables.table(
        d,
        columns={"niva_navn": "Nivå", "status": "Status", "sarbar_grunn": "Hvorfor sårbart",
                 "kapasitet": "Aktive sertifiserte", "metoder_i_bruk": "Metoder i bruk"},
        status={"status": STATUS_LABELS},
        labels={"sarbar_grunn": vulnerability_reasons()},
    )


def comparison_table(p: Profile) -> tables.Table:
    """Capacity per 1,000 children per level with its 95 % interval, beside the county, the peer
    group and the country (pooled rates, as in the barometer), the middle half of the country's
    municipalities and the rank in the county. A county or group with no other municipality is
    no comparison and says so."""
    rows = []
    for r in _capacity_rows(p).itertuples(index=False):
        lone_county = r.fylke_antall == 0
        rows.append({
            "Nivå": LEVEL_LABELS[r.niva],
            "Kommunen": number(r.rate, 2) if p.has_staff else "ingen registrerte ansatte",
            "95\u00a0% KI": f"{number(r.ci_low, 2)}–{number(r.ci_high, 2)}" if p.has_staff else tables.MISSING,
            "Fylket": "eneste i fylket" if lone_county else number(r.fylke, 2),
            "Kommunegruppen": "eneste i gruppen" if r.peer_antall == 0 else number(r.peer, 2),
            "Landet": number(r.land, 2),
            "Midtre halvdel av kommunene": f"{number(r.land_q1, 2)}–{number(r.land_q3, 2)}",
            "Rang i fylket": tables.MISSING if lone_county or not p.has_staff or pd.isna(r.rang_i_fylket)
                             else f"{r.rang_i_fylket:.0f} av {r.antall_i_fylket:.0f}",
        })
    frame = pd.DataFrame(rows, dtype=object)
    return tables.Table(frame, {c for c in frame.columns if c != "Nivå"})


def methods_table(p: Profile) -> tables.Table:
    """Active certified staff and staff in training per method (counts)."""
    empty = no_staff(p, "det er ingen metoder å vise")
    if empty is not None:
        return empty
    training = p.training.set_index("metode")["antall"].rename("i_opplaering")
    d = (p.active.set_index("metode")["aktive"].to_frame().join(training, how="outer").fillna(0)
         .astype("int64").reset_index())
    catalogue = _catalogue()
    d = d.merge(catalogue, on="metode", how="left").sort_values("navn")
    if d.empty:
        return tables.table(pd.DataFrame({"navn": ["Ingen ansatte med sertifisering eller i opplæring"]}),
                            columns={"navn": "Metode"})
    return tables.table(d, columns={"navn": "Metode", "niva_tekst": "Nivåer", "aktive": "Aktive sertifiserte",
                                    "i_opplaering": "I opplæring"})


def _catalogue() -> pd.DataFrame:
    m = metoder()
    return m.assign(niva_tekst=m["nivaer"].map(lambda t: ", ".join(LEVEL_LABELS[x].lower() for x in t)))[
        ["metode", "navn", "niva_tekst"]]


def retention_table(p: Profile) -> tables.Table:
    """Per level: certified persons whose certification expires within the horizon, who left in
    the period, and who are in training, with the status now and a year ahead (counts only)."""
    empty = no_staff(p, "det er ingen kompetanse som kan forsvinne")
    if empty is not None:
        return empty
    d = p.retention.assign(niva_navn=p.retention["niva"].map(LEVEL_LABELS))
    return tables.table(
        d,
        columns={"niva_navn": "Nivå", "utloper_neste_12_mnd": "Utløper innen 12 mnd.",
                 "sluttet_i_perioden": f"Sluttet i {p.periode}",
                 "i_opplaering": "I opplæring", "status_na": "Status nå",
                 "status_om_ett_ar": "Status om ett år"},
        status={"status_na": STATUS_LABELS, "status_om_ett_ar": STATUS_LABELS},
    )


def expiry_tables(p: Profile) -> tables.Stack:
    """When certifications run out (`kompetanse.reports.expiry`, public edition): per level the
    quarter the status first changes if nothing is done, and per method when to renew; dates
    only, never counts of persons."""
    empty = no_staff(p, "det er ingen sertifiseringer som utløper")
    if empty is not None:
        return tables.Stack([empty])
    return tables.Stack([expiry_table(p.expiry), expiry_methods_table(p.expiry)])


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
    if p.gaps.empty:
        text = "Alle tre nivåene er dekket." if p.has_staff else "Ingen registrerte ansatte: alle nivåene mangler."
        return tables.ShortAndFull(tables.table(pd.DataFrame({"t": [text]}), columns={"t": "Hull"}))
    d = p.gaps.assign(navn=p.gaps["metode"].map(short_method_names()))
    d = d.assign(niva_navn=d["niva"].map(LEVEL_LABELS),
                 alder=d["alder_fra"].astype("str") + "–" + d["alder_til"].astype("str") + " år",
                 tid=d["opplaering_tid"].replace("", "ikke oppgitt"))
    columns = {"niva_navn": "Nivå", "navn": "Metode", "allerede_i_bruk": "Allerede i kommunen",
               "tid": "Tid til sertifisering", "implementeringsavtale": "Krever avtale med tilbyderen",
               "alder": "Alder", "tilbyder": "Opplæring og sertifisering"}
    first = d["rekkefolge"] <= shown
    rest = None
    if not first.all():
        rest = tables.table(d[~first], columns=columns)
    summary = f"Vis alle: {number(int((~first).sum()))} metoder til"
    return tables.ShortAndFull(tables.table(d[first], columns=columns), rest, summary)


def offers_table(p: Profile) -> tables.Table:
    """Groups and parents in offers per level in the period; parents suppressed below
    ``MIN_COUNT`` with secondary suppression against the total."""
    if not p.has_offers:
        text = f"{p.kommunenavn} har ingen registrerte tilbud til foreldre i {p.periode}."
        return tables.table(pd.DataFrame({"t": [text]}), columns={"t": "Ingen data"})
    per_level = (p.offers.groupby("niva", observed=False)[["antall_grupper", "antall_foreldre"]].sum()
                 .reindex(list(LEVELS), fill_value=0))
    parents = suppress_table(per_level[["antall_foreldre"]], threshold=MIN_COUNT, row_total=False, col_total=True)
    shown = parents.values.rename(columns={"antall_foreldre": "foreldre"})
    shown["foreldre_prikket"] = parents.suppressed["antall_foreldre"].to_numpy()
    shown["grupper"] = list(per_level["antall_grupper"]) + [int(per_level["antall_grupper"].sum())]
    shown["niva_navn"] = [LEVEL_LABELS.get(i, i) for i in shown.index]
    return tables.table(shown, columns={"niva_navn": "Nivå", "grupper": "Grupper og kurs", "foreldre": "Foreldre"})


def programme_table(p: Profile) -> tables.Table:
    """The municipality's FUB/FUG participation, if any."""
    if p.progress.empty:
        none = pd.DataFrame({"t": ["Kommunen har ikke startet i programmet."]})
        return tables.table(none, columns={"t": "Deltakelse"})
    d = p.progress.assign(kull_tekst=p.progress["kull"].astype("str"),
                          lenke="../program-" + p.progress["kull"].astype("str") + ".html")
    return tables.table(
        d,
        links={"kull_tekst": "lenke"},
        columns={"kull_tekst": "Kull", "status": "Status", "andel_tid": "Tid gått", "andel_gjennomfort": "Gjennomført",
                 "gjennomforte": "Aktiviteter holdt", "planlagte_aktiviteter": "Planlagt i alt",
                 "antall_barnehager": "Barnehager", "antall_skoler": "Skoler"},
        percent=["andel_tid", "andel_gjennomfort"],
        status={"status": PROGRESS_LABELS},
    )
