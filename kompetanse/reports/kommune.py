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

import hashlib
import html
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kompetanse.analysis import coverage as cov
from kompetanse.analysis import programme
from kompetanse.analysis.compare import compare
from kompetanse.analysis.disclosure import suppress_table
from kompetanse.data.reference import LEVELS, metoder
from kompetanse.errors import argument_error
from kompetanse.formatting import number
from kompetanse.reports import plots, tables
from kompetanse.reports.style import LEVEL_LABELS, PROGRESS_LABELS, STATUS_LABELS
from kompetanse.settings import EXPIRY_MONTHS, MIN_CERTIFIED, MIN_COUNT

__all__ = ["national", "Profile", "profile", "heading", "summary_table", "capacity_chart", "comparison_table",
           "methods_table", "retention_table", "gaps_table", "GAPS_SHOWN", "ShortAndFull",
           "vulnerability_reasons", "offers_table", "programme_table",
           "short_method_names"]

_NATIONAL: OrderedDict[tuple, dict[str, pd.DataFrame]] = OrderedDict()
_NATIONAL_SIZE = 4

#: The tables the national analyses read (the parent survey is not among them).
_NATIONAL_INPUTS = ("ansatte_kompetanse", "tilbud", "befolkning", "program_deltakelse", "program_aktiviteter",
                    "kommuner", "metoder", "metode_nivaer")


def _column_bytes(column: pd.Series) -> bytes:
    """A column's values as bytes: raw for numbers and dates, codes and categories for
    categoricals, the UTF-8 text and its offsets for Arrow-backed text, and the text joined for
    anything else (where values are missing is hashed per table)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy().tobytes() + repr(column.cat.categories.tolist()).encode()
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "biufcmM":
        return np.ascontiguousarray(column.to_numpy()).tobytes()
    if isinstance(column.dtype, pd.api.extensions.ExtensionDtype) and getattr(column.dtype, "kind", "O") in "biuf":
        # nullable numbers (Int64, Float64): the values, 0 where missing
        return column.fillna(0).to_numpy(dtype=column.dtype.numpy_dtype).tobytes()
    arrow = getattr(column.array, "__arrow_array__", None)
    if arrow is not None:
        import pyarrow as pa

        text = arrow()
        text = text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text
        if pa.types.is_string(text.type) or pa.types.is_large_string(text.type):
            # the offsets and text of exactly these values (an array may be a slice of a larger one)
            width = np.int64 if pa.types.is_large_string(text.type) else np.int32
            offsets = np.frombuffer(text.buffers()[1], dtype=width)[text.offset:text.offset + len(text) + 1]
            data = text.buffers()[2]
            body = b"" if data is None or not len(offsets) else data.to_pybytes()[offsets[0]:offsets[-1]]
            return (offsets - offsets[0]).astype(np.int64).tobytes() + body
    return "\x1f".join(map(str, column.tolist())).encode("utf-8", "surrogatepass")


def _content_digest(ds) -> str:
    """A digest of the tables the national analyses read (every value, column name and type):
    the same for the same data whatever object holds it, different after any edit, in place or
    not. About 18 ms for the sample (`pandas.util.hash_pandas_object`: 24 ms)."""
    h = hashlib.blake2b(digest_size=16)
    for name in _NATIONAL_INPUTS:
        frame = getattr(ds, name)
        h.update(repr((name, frame.shape, [(str(c), str(t)) for c, t in frame.dtypes.items()])).encode())
        h.update(np.packbits(frame.isna().to_numpy()).tobytes())
        for _, column in frame.items():
            h.update(_column_bytes(column))
    return h.hexdigest()


def national(ds, *, on: pd.Timestamp) -> dict[str, pd.DataFrame]:
    """The analyses of every municipality on ``on``, computed once per data set and date.

    Returns a dict of frames: ``coverage`` (`coverage_by_level`), ``comparison`` (capacity per
    1,000 children compared with county and country, per level), ``retention``
    (`retention_by_level`: expiring, left, in training and projected status per level),
    ``training`` (`in_training` per method), ``gaps`` (`gaps`), ``active`` (active certified
    staff per municipality and method, counts only), ``progress`` (`programme_progress`).

    The frames are kept for the next call with equal data and date (compared by content, not by
    object: an edited copy of a Dataset is computed afresh); each call returns its own shallow
    copies, so changing a returned frame cannot change what a later call returns.
    """
    key = (_content_digest(ds), pd.Timestamp(on))
    if key in _NATIONAL:
        _NATIONAL.move_to_end(key)
        return {name: frame.copy(deep=False) for name, frame in _NATIONAL[key].items()}
    coverage = cov.coverage_by_level(ds, on=on)
    comparison = compare(coverage, value="kapasitet_per_1000", by="niva", count="kapasitet",
                         denominator="barn_0_17")
    active = (cov.active_certified(ds, on=on).groupby(["kommunenummer", "metode"], observed=True)["ansatt_id"]
              .nunique().rename("aktive").reset_index())
    result = {
        "coverage": coverage,
        "comparison": comparison,
        "retention": cov.retention_by_level(ds, on=on, coverage=coverage),
        "training": cov.in_training(ds, on=on, by_level=False),
        "gaps": cov.gaps(ds, on=on, coverage=coverage),
        "active": active,
        "progress": programme.programme_progress(ds, on=on),
    }
    _NATIONAL[key] = result
    if len(_NATIONAL) > _NATIONAL_SIZE:
        _NATIONAL.popitem(last=False)
    return {name: frame.copy(deep=False) for name, frame in result.items()}


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


def profile(ds, kommunenummer: str, *, on: pd.Timestamp) -> Profile:
    """Everything the municipal report shows about ``kommunenummer`` on ``on``."""
    nat = national(ds, on=on)
    mine = {name: frame[frame["kommunenummer"] == kommunenummer] for name, frame in nat.items()}
    place = ds.kommuner.set_index("kommunenummer").loc[kommunenummer]
    periode = int(pd.Timestamp(on).year)
    offers = ds.tilbud[(ds.tilbud["kommunenummer"] == kommunenummer) & (ds.tilbud["ar"] == periode)]
    return Profile(kommunenummer, place["kommunenavn"], place["fylkesnummer"], place["fylkesnavn"],
                   pd.Timestamp(on), periode, offers=offers, **mine)


# ------------------------------------------------------------------------------ report sections


def heading(p: Profile) -> tables.Heading:
    """The report's heading: the municipality, its number and county, and the date of the figures."""
    return tables.heading(f"{p.kommunenavn} ({p.kommunenummer}), {p.fylkesnavn}: status {p.on:%d.%m.%Y}", level=2)


def capacity_chart(p: Profile) -> plots.Chart:
    """Capacity per 1,000 children per level beside the county's and the country's median."""
    fig = plots.capacity_beside_county_and_country(p.comparison, kommunenavn=p.kommunenavn, fylkesnavn=p.fylkesnavn)
    return plots.Chart(fig, f"Stolpediagram: sertifiserte per 1 000 barn per nivå i {p.kommunenavn}, "
                            f"ved siden av medianen i {p.fylkesnavn} og i landet")


def short_method_names() -> dict[str, str]:
    """Method codes to the names readers know (the catalogue's name up to a dash: «ICDP»,
    «De utrolige årene (DUÅ)», «Trygghetssirkelen (Circle of Security Parenting)»)."""
    catalogue = metoder()
    return dict(zip(catalogue["metode"], catalogue["navn"].str.split(" – ").str[0], strict=True))


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
    """Capacity per 1,000 children beside county and country, with rank and assessment."""
    d = p.comparison.assign(
        niva_navn=p.comparison["niva"].map(LEVEL_LABELS),
        rang=[f"{r:.0f} av {n:.0f}" if pd.notna(r) else tables.MISSING
              for r, n in zip(p.comparison["rang_i_fylket"], p.comparison["antall_i_fylket"], strict=True)],
        vurdering_tekst=p.comparison["vurdering"].map(
            {"bedre": "Over landet", "likt": "Som landet", "darligere": "Under landet", "": "Ikke vurdert"}),
    )
    return tables.table(
        d,
        columns={"niva_navn": "Nivå", "kapasitet_per_1000": "Kommunen", "fylke_median": "Fylket (median)",
                 "land_median": "Landet (median)", "rang": "Rang i fylket", "vurdering_tekst": "Vurdering"},
        decimals={"kapasitet_per_1000": 2, "fylke_median": 2, "land_median": 2},
    )


def methods_table(p: Profile) -> tables.Table:
    """Active certified staff and staff in training per method (counts)."""
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
    d = p.retention.assign(niva_navn=p.retention["niva"].map(LEVEL_LABELS))
    return tables.table(
        d,
        columns={"niva_navn": "Nivå", "utloper_neste_12_mnd": "Utløper innen 12 mnd.",
                 "sluttet_i_perioden": f"Sluttet i {p.periode}",
                 "i_opplaering": "I opplæring", "status_na": "Status nå",
                 "status_om_ett_ar": "Status om ett år"},
        status={"status_na": STATUS_LABELS, "status_om_ett_ar": STATUS_LABELS},
    )


#: Methods shown per level in the gap table; the rest are one click away.
GAPS_SHOWN = 5


@dataclass
class ShortAndFull:
    """A table of the first rows and, under a ``<details>`` element («Vis alle»), a table of the
    rest with the same columns: the page stays short, and nothing is hidden from a screen reader
    or from the printed notebook."""

    first: tables.Table
    rest: tables.Table | None = None
    summary: str = "Vis alle"

    def _repr_html_(self) -> str:
        if self.rest is None:
            return self.first._repr_html_()
        return (f"{self.first._repr_html_()}<details><summary>{html.escape(self.summary)}</summary>"
                f"{self.rest._repr_html_()}</details>")

    def __repr__(self) -> str:
        return repr(self.first) if self.rest is None else f"{self.first!r}\n{self.summary}:\n{self.rest!r}"

    def to_frame(self) -> pd.DataFrame:
        """The rows shown first (`all_rows` for every row)."""
        return self.first.to_frame()

    def all_rows(self) -> pd.DataFrame:
        """Every row, the first ones and the rest, in order."""
        return pd.concat([self.first.to_frame(), *([] if self.rest is None else [self.rest.to_frame()])],
                         ignore_index=True)

    def to_spreadsheet(self) -> pd.DataFrame:
        """Every row for CSV/Excel export, formula-looking cells neutralised (`tables.Table.to_spreadsheet`)."""
        parts = [self.first, *([] if self.rest is None else [self.rest])]
        return pd.concat([t.to_spreadsheet() for t in parts], ignore_index=True)


def gaps_table(p: Profile, *, shown: int = GAPS_SHOWN) -> ShortAndFull:
    """For each level not covered, the methods that would close the gap, in the order a leader
    would act (`coverage.gaps`: methods the municipality already has staff in first, then the
    shortest training path to certification, then evidence), with the training length and
    whether the provider requires an agreement first. ``shown`` methods per level are in the
    first table; the rest are under «Vis alle»."""
    if isinstance(shown, bool) or not isinstance(shown, int) or shown < 1:
        raise argument_error("shown", "a whole number of 1 or more", shown)
    if p.gaps.empty:
        return ShortAndFull(tables.table(pd.DataFrame({"t": ["Alle tre nivåene er dekket."]}), columns={"t": "Hull"}))
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
    return ShortAndFull(tables.table(d[first], columns=columns), rest, summary)


def offers_table(p: Profile) -> tables.Table:
    """Groups and parents in offers per level in the period; parents suppressed below
    ``MIN_COUNT`` with secondary suppression against the total."""
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
    return tables.table(
        p.progress,
        columns={"kull": "Kull", "status": "Status", "andel_tid": "Tid gått", "andel_gjennomfort": "Gjennomført",
                 "gjennomforte": "Aktiviteter holdt", "planlagte_aktiviteter": "Planlagt i alt",
                 "antall_barnehager": "Barnehager", "antall_skoler": "Skoler"},
        percent=["andel_tid", "andel_gjennomfort"],
        status={"status": PROGRESS_LABELS},
    )
