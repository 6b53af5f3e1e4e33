"""Invariants of the analyses: municipal figures add up to county and national totals, capacity
agrees with a row-by-row reading of the data model, and suppressed tables give nothing away.

Checked on the committed sample (``kompetanse.load()``), on samples generated with other seeds
and scales (`kompetanse.data.sample`), and on small random data sets drawn by hypothesis.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kompetanse
from kompetanse.analysis.coverage import active_certified, breadth, coverage_by_level
from kompetanse.analysis.overview import status_counts
from kompetanse.analysis.periods import reference_date
from kompetanse.analysis.programme import activities_by_type, cohort_summary, programme_progress
from kompetanse.data import reference
from kompetanse.data.sample import write_sample
from kompetanse.reports import kommune as municipal
from kompetanse.settings import MIN_COUNT
from tests.conftest import MINIMAL
from tests.disclosure_checks import suppress_and_check

LEVELS = list(kompetanse.LEVELS)
ACTIVITY_COUNTS = ["planlagte_aktiviteter", "gjennomforte", "avlyste", "gjenstaende"]
TYPES = ["opplaeringsdag", "personalmote", "foreldremote", "veiledning"]


# ------------------------------------------------------------------------------------- checks


def check_capacity_adds_up(ds: kompetanse.Dataset, on: pd.Timestamp) -> pd.DataFrame:
    """Capacity per level: municipalities -> counties -> country, and the country equals the
    distinct (municipality, person) pairs active at the level."""
    cov = coverage_by_level(ds, on=on)
    assert len(cov) == 357 * 3
    active = active_certified(ds, on=on).merge(ds.metode_nivaer, on="metode")
    pairs = (active.drop_duplicates(["kommunenummer", "ansatt_id", "niva"])
             .groupby("niva", observed=False).size().reindex(LEVELS, fill_value=0))
    national = cov.groupby("niva", observed=False)["kapasitet"].sum().reindex(LEVELS)
    assert national.tolist() == pairs.tolist()

    # every municipality lies in a county, so the counties add up to the country
    by_county = cov.groupby(["niva", "fylkesnummer"], observed=True)["kapasitet"].sum()
    assert by_county.groupby("niva", observed=True).sum().reindex(LEVELS).tolist() == national.tolist()
    assert (cov.groupby("niva", observed=True)["kommunenummer"].nunique() == 357).all()
    return cov


def check_status_adds_up(cov: pd.DataFrame, ds: kompetanse.Dataset, on: pd.Timestamp) -> None:
    counts = status_counts(cov)
    country = status_counts(cov, by=None).set_index("niva")
    columns = ["kommuner", "dekket", "sarbar", "mangler"]
    summed = counts.groupby("niva", observed=True)[columns].sum()
    assert (summed.to_numpy() == country[columns].to_numpy()).all()
    assert (country["dekket"] + country["sarbar"] + country["mangler"] == 357).all()
    assert breadth(ds, on=on)["niva_dekket"].sum() == country["dekket"].sum()
    # mangler exactly where there is no capacity
    assert ((cov["status"] == "mangler") == (cov["kapasitet"] == 0)).all()


def check_offers_add_up(cov: pd.DataFrame, ds: kompetanse.Dataset, on: pd.Timestamp) -> None:
    """Groups and parents reached: municipalities -> counties -> country = the offers file."""
    offers = ds.tilbud[ds.tilbud["ar"] == on.year]
    for shown, raw in (("foreldre_naadd", "antall_foreldre"), ("tilbud_grupper", "antall_grupper")):
        by_county = cov.groupby(["fylkesnummer", "niva"], observed=True)[shown].sum()
        from_file = offers.groupby(["fylkesnummer", "niva"], observed=True)[raw].sum()
        assert by_county[by_county > 0].sort_index().to_dict() == from_file[from_file > 0].sort_index().to_dict()
        land = cov.groupby("niva", observed=False)[shown].sum().reindex(LEVELS)
        fylke = by_county.groupby("niva", observed=True).sum().reindex(LEVELS, fill_value=0)
        total = offers.groupby("niva", observed=False)[raw].sum().reindex(LEVELS, fill_value=0)
        assert land.tolist() == fylke.tolist() == total.tolist()


def check_programme_adds_up(ds: kompetanse.Dataset, on: pd.Timestamp) -> None:
    """Activities: type x format rows -> municipality -> county -> country -> cohort summary."""
    progress = programme_progress(ds, on=on)
    by_type = activities_by_type(ds, on=on)
    summary = cohort_summary(ds, on=on).set_index("kull")
    key = ["kommunenummer", "kull"]

    per_muni = by_type.groupby(key)[ACTIVITY_COUNTS].sum()
    assert (per_muni.to_numpy() == progress.set_index(key)[ACTIVITY_COUNTS].to_numpy()).all()
    for t in TYPES:
        held = by_type[by_type["type"] == t].groupby(key)["gjennomforte"].sum()
        assert held.tolist() == progress[t].tolist()
    assert (progress[TYPES].sum(axis=1) == progress["gjennomforte"]).all()
    assert (progress["digitale"] + progress["fysiske"] == progress["gjennomforte"]).all()
    reached = by_type.groupby(key)["deltakere"].sum()
    assert reached.tolist() == (progress["ansatte_naadd"] + progress["foreldre_naadd"]).tolist()

    # every activity of a started participation is planned in exactly one row
    started = progress[key].assign(_s=True)
    acts = ds.program_aktiviteter.merge(started, on=key, how="inner")
    assert progress["planlagte_aktiviteter"].sum() == len(acts)
    assert progress["avlyste"].sum() == (acts["status"] == "avlyst").sum()

    # municipalities -> counties -> country per cohort, and the country is the cohort summary
    for column in ["gjennomforte", "planlagte_aktiviteter", "ansatte_naadd", "foreldre_naadd", "digitale"]:
        if progress.empty:
            break
        fylke = progress.groupby(["kull", "fylkesnummer"])[column].sum().groupby("kull").sum().astype(float)
        land = progress.groupby("kull")[column].sum().astype(float)
        assert fylke.to_dict() == land.to_dict()
        assert land.to_dict() == summary.loc[land.index, column].astype(float).to_dict()
    started_per_cohort = progress.groupby("kull").size().reindex(summary.index, fill_value=0)
    assert summary["startet"].tolist() == started_per_cohort.tolist()
    assert (summary[[f"deltakelse_{s}" for s in ("sokt", "innvilget", "aktiv", "fullfort", "avbrutt")]]
            .sum(axis=1) == summary["kommuner"]).all()


def assert_reveals_nothing(table: pd.DataFrame, *, threshold: int = MIN_COUNT, row_total=True, col_total=True):
    """Suppress ``table`` and check what a reader sees: the true values where shown, no small
    count shown, no line with one hidden member, and nothing `recoverable` finds."""
    out, _full, hidden = suppress_and_check(table, threshold=threshold, row_total=row_total, col_total=col_total)
    if row_total:
        assert (hidden.sum(axis=1) != 1).all()
    if col_total:
        assert (hidden.sum(axis=0) != 1).all()
    assert not out.recoverable().to_numpy().any()
    return out


def check_published_tables_reveal_nothing(cov: pd.DataFrame, ds: kompetanse.Dataset, on: pd.Timestamp,
                                          *, municipalities: int | None = None) -> None:
    # Parents reached per municipality and level, one table per county (as a county report shows them)
    for _, county in cov.groupby("fylkesnummer"):
        table = county.pivot_table(index="kommunenavn", columns="niva", values="foreldre_naadd", aggfunc="sum",
                                   observed=False)
        out = assert_reveals_nothing(table)
        # the shown totals row is the county's parents per level
        totals = out.values.loc["I alt"]
        per_level = county.groupby("niva", observed=False)["foreldre_naadd"].sum()
        for niva in LEVELS:
            if not pd.isna(totals[niva]):
                assert totals[niva] == per_level[niva]
    # Attendances per activity type and format, one table per cohort (the programme report)
    by_type = activities_by_type(ds, on=on)
    for _, cohort in by_type.groupby("kull"):
        assert_reveals_nothing(cohort.pivot_table(index="type", columns="format", values="deltakere",
                                                  aggfunc="sum", observed=False))
    # Every municipal report's offers table: levels with a totals row, as `offers_table` publishes
    small = cov.loc[cov["foreldre_naadd"].between(1, MIN_COUNT - 1), "kommunenummer"].unique()
    for kommune in small[:municipalities]:
        per_level = cov[cov["kommunenummer"] == kommune].set_index("niva")[["foreldre_naadd"]]
        assert_reveals_nothing(per_level, row_total=False, col_total=True)
        shown = municipal.offers_table(municipal.profile(ds, kommune, on=on)).to_frame()["Foreldre"]
        assert not set(shown) & {str(n) for n in range(1, MIN_COUNT)}


def check_everything(ds: kompetanse.Dataset, on: pd.Timestamp, *, municipalities: int | None = None) -> None:
    cov = check_capacity_adds_up(ds, on)
    check_status_adds_up(cov, ds, on)
    check_offers_add_up(cov, ds, on)
    check_programme_adds_up(ds, on)
    check_published_tables_reveal_nothing(cov, ds, on, municipalities=municipalities)


# ------------------------------------------------------------------------- the committed sample


@pytest.fixture(scope="module")
def sample():
    return kompetanse.load()


@pytest.mark.parametrize("year", [2023, 2025])
def test_capacity_adds_up_on_the_sample(sample, year):
    on = reference_date(sample, periode=year)
    cov = check_capacity_adds_up(sample, on)
    assert cov["kapasitet"].sum() > 0
    check_status_adds_up(cov, sample, on)


@pytest.mark.parametrize("year", [2023, 2025])
def test_parents_and_groups_add_up_on_the_sample(sample, year):
    on = reference_date(sample, periode=year)
    cov = coverage_by_level(sample, on=on)
    check_offers_add_up(cov, sample, on)
    assert cov["foreldre_naadd"].sum() == sample.tilbud.loc[sample.tilbud["ar"] == year, "antall_foreldre"].sum() > 0


@pytest.mark.parametrize("on", ["2024-12-31", "2025-06-30", "2025-12-31"])
def test_programme_activities_add_up_on_the_sample(sample, on):
    check_programme_adds_up(sample, pd.Timestamp(on))


def test_published_tables_of_the_sample_reveal_nothing(sample):
    on = reference_date(sample)
    cov = coverage_by_level(sample, on=on)
    assert cov["foreldre_naadd"].between(1, MIN_COUNT - 1).any()  # there is something to hide
    check_published_tables_reveal_nothing(cov, sample, on, municipalities=25)


# -------------------------------------------------------------------- generated national samples


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31 - 1), scale=st.sampled_from([0.3, 1.0]), year=st.sampled_from([2022, 2025]))
def test_totals_add_up_on_generated_samples(seed, scale, year):
    with tempfile.TemporaryDirectory() as tmp:
        write_sample(Path(tmp), seed=seed, scale=scale)
        ds = kompetanse.load(tmp, cache=False)
    check_everything(ds, reference_date(ds, periode=year), municipalities=5)


# ------------------------------------------------------------------------ small random data sets

# Two municipalities in Rogaland, two in Østfold, Oslo and Bergen: counties with one and several.
KOMMUNER = ["0301", "1103", "1151", "3101", "3103", "4601"]
PEOPLE = ["P1", "P2", "P3", "P4"]
START = dt.date(2018, 1, 1)
NIVAER = reference.metode_nivaer().groupby("metode")["niva"].agg(lambda s: sorted(map(str, s))).to_dict()
METHODS = sorted(NIVAER)
TJENESTER = ["helsestasjon", "barnehage", "skole", "barnevern", "ppt", "familiesenter", "annet"]


@st.composite
def staff_rows(draw):
    """One row of ansatte_kompetanse that the contract accepts, as a dict of dates."""
    start = START + dt.timedelta(days=draw(st.integers(0, 2500)))
    status = draw(st.sampled_from(["sertifisert", "sertifisert", "utgatt", "i_opplaering"]))
    cert = None if status == "i_opplaering" else start + dt.timedelta(days=draw(st.integers(0, 800)))
    expiry = None
    if cert is not None and draw(st.booleans()):
        expiry = cert + dt.timedelta(days=draw(st.integers(1, 1500)))
    left = start + dt.timedelta(days=draw(st.integers(0, 3000))) if draw(st.booleans()) else None
    return {
        "kommunenummer": draw(st.sampled_from(KOMMUNER)), "ansatt_id": draw(st.sampled_from(PEOPLE)),
        "tjeneste": draw(st.sampled_from(TJENESTER)), "metode": draw(st.sampled_from(METHODS)), "status": status,
        "opplaering_start": start, "sertifisert_dato": cert, "sertifisering_utloper": expiry, "sluttet_dato": left,
    }


@st.composite
def offer_rows(draw):
    metode = draw(st.sampled_from(METHODS))
    groups = draw(st.integers(0, 4))
    return {"kommunenummer": draw(st.sampled_from(KOMMUNER)), "ar": draw(st.sampled_from([2024, 2025])),
            "metode": metode, "tjeneste": draw(st.sampled_from(TJENESTER)),
            "niva": draw(st.sampled_from(NIVAER[metode])), "antall_grupper": groups,
            "antall_foreldre": draw(st.integers(0, 12)) if groups else draw(st.integers(0, 3))}


staff_tables = st.lists(staff_rows(), min_size=0, max_size=30,
                        unique_by=lambda r: (r["kommunenummer"], r["ansatt_id"], r["metode"]))
offer_tables = st.lists(offer_rows(), max_size=12,
                        unique_by=lambda r: (r["kommunenummer"], r["ar"], r["metode"], r["tjeneste"]))
children = st.fixed_dictionaries({k: st.one_of(st.just(0), st.integers(1, 60000)) for k in KOMMUNER})


def write_random(folder: Path, staff: list[dict], offers: list[dict], barn: dict[str, int]) -> kompetanse.Dataset:
    shutil.copytree(MINIMAL, folder, dirs_exist_ok=True)
    columns = ["kommunenummer", "ansatt_id", "tjeneste", "metode", "status", "opplaering_start",
               "sertifisert_dato", "sertifisering_utloper", "sluttet_dato"]
    pd.DataFrame(staff, columns=columns).to_csv(folder / "ansatte_kompetanse.csv", index=False)
    pd.DataFrame(offers, columns=["kommunenummer", "ar", "metode", "tjeneste", "niva", "antall_grupper",
                                  "antall_foreldre"]).to_csv(folder / "tilbud.csv", index=False)
    pd.DataFrame([(k, 2025, n) for k, n in barn.items()], columns=["kommunenummer", "ar", "barn_0_17"]).to_csv(
        folder / "befolkning.csv", index=False)
    return kompetanse.load(folder, cache=False)


def capacity_by_hand(staff: list[dict], on: dt.date, *, min_certified: int, expiry_months: int) -> dict:
    """The module's definitions read row by row: {(kommunenummer, niva): (persons, status)}."""
    horizon = (pd.Timestamp(on) + pd.DateOffset(months=expiry_months)).date()
    methods: dict[tuple, dict[str, set]] = {}
    expiries: dict[tuple, list] = {}
    for r in staff:
        counts = r["status"] == "sertifisert" or (r["status"] == "utgatt" and r["sertifisering_utloper"] is not None)
        if not counts or r["sertifisert_dato"] is None or r["sertifisert_dato"] > on:
            continue
        if r["sertifisering_utloper"] is not None and r["sertifisering_utloper"] <= on:
            continue  # expired
        if r["sluttet_dato"] is not None and r["sluttet_dato"] < on:
            continue  # left before the date
        for niva in NIVAER[r["metode"]]:
            key = (r["kommunenummer"], niva)
            methods.setdefault(key, {}).setdefault(r["metode"], set()).add(r["ansatt_id"])
            expiries.setdefault(key, []).append(r["sertifisering_utloper"])
    out = {}
    for key, per_method in methods.items():
        persons = len(set().union(*per_method.values()))
        enough = max(len(p) for p in per_method.values()) >= min_certified
        all_expire = all(e is not None and e <= horizon for e in expiries[key])
        out[key] = (persons, "dekket" if enough and not all_expire else "sarbar")
    return out


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(staff=staff_tables, offers=offer_tables, barn=children, data=st.data(),
       min_certified=st.integers(1, 3), expiry_months=st.sampled_from([0, 6, 12, 24]))
def test_random_small_datasets_agree_with_the_definitions_and_add_up(staff, offers, barn, data, min_certified,
                                                                     expiry_months):
    # the reference date is often one of the rows' own dates, where the boundaries lie
    columns = ("opplaering_start", "sertifisert_dato", "sertifisering_utloper", "sluttet_dato")
    dates = sorted({r[c] for r in staff for c in columns if r[c] is not None})
    any_day = st.dates(dt.date(2018, 6, 1), dt.date(2026, 12, 31))
    on = data.draw(st.one_of(any_day, st.sampled_from(dates)) if dates else any_day, label="on")
    with tempfile.TemporaryDirectory() as tmp:
        ds = write_random(Path(tmp) / "data", staff, offers, barn)
    at = pd.Timestamp(on)
    cov = coverage_by_level(ds, on=at, min_certified=min_certified, expiry_months=expiry_months)
    expected = capacity_by_hand(staff, on, min_certified=min_certified, expiry_months=expiry_months)
    got = {(k, str(n)): (c, str(s)) for k, n, c, s in
           cov[["kommunenummer", "niva", "kapasitet", "status"]].itertuples(index=False) if c > 0}
    assert got == expected
    assert set(cov.loc[cov["kapasitet"] == 0, "status"].astype(str)) <= {"mangler"}
    rate = cov.set_index(["kommunenummer", "niva"])["kapasitet_per_1000"]
    for (kommune, niva), (persons, _) in expected.items():
        if barn[kommune] > 0 and at.year >= 2025:
            assert rate[(kommune, niva)] == pytest.approx(persons / barn[kommune] * 1000)
    check_capacity_adds_up(ds, at)
    check_status_adds_up(coverage_by_level(ds, on=at), ds, at)
    check_offers_add_up(coverage_by_level(ds, on=at), ds, at)
    check_published_tables_reveal_nothing(coverage_by_level(ds, on=at), ds, at)
