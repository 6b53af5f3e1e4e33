"""Tests of the synthetic national data set (kompetanse.data.sample)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kompetanse.data import reference
from kompetanse.data.sample import (
    AS_OF,
    COLUMNS,
    DATA_YEARS,
    DEFAULT_EFFECT,
    DEFAULT_SEED,
    generate,
    write_sample,
)
from kompetanse.errors import UsageError

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "data" / "sample"
AS_OF_TS = pd.Timestamp(AS_OF)
KEYS = {
    "ansatte_kompetanse": ["kommunenummer", "ansatt_id", "metode"],
    "tilbud": ["kommunenummer", "ar", "metode", "tjeneste"],
    "befolkning": ["kommunenummer", "ar"],
    "program_deltakelse": ["kommunenummer", "kull"],
    "program_aktiviteter": ["aktivitet_id"],
    "foreldreundersokelsen": ["kommunenummer", "ar", "skoleslag", "indikator"],
}
EXPIRING = {"pmto", "pmto-foreldregruppe", "tibir-foreldreradgivning"}


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return generate()


@pytest.fixture(scope="module")
def tables_x10() -> dict[str, pd.DataFrame]:
    return generate(scale=10)


def _staff_per_municipality(ansatte: pd.DataFrame) -> pd.DataFrame:
    ref = reference.befolkning_2024()
    counts = ansatte.groupby("kommunenummer").size()
    return ref.assign(staff=counts.reindex(ref["kommunenummer"], fill_value=0).to_numpy())


# --- determinism and shape -----------------------------------------------------------------


def test_same_seed_gives_identical_tables(tables):
    again = generate(seed=DEFAULT_SEED)
    for name, df in tables.items():
        pd.testing.assert_frame_equal(df, again[name], obj=name)


def test_different_seed_gives_different_tables(tables):
    other = generate(seed=DEFAULT_SEED + 1)
    for name in ("ansatte_kompetanse", "tilbud", "program_deltakelse", "foreldreundersokelsen"):
        assert not tables[name].equals(other[name]), name


def test_tables_have_exactly_the_contract_columns_in_order(tables):
    assert list(tables) == list(COLUMNS)
    for name, df in tables.items():
        assert tuple(df.columns) == COLUMNS[name], name


def test_keys_are_unique(tables):
    for name, key in KEYS.items():
        assert not tables[name].duplicated(key).any(), name


def test_municipality_numbers_are_the_2024_ones_with_leading_zero(tables):
    known = set(reference.kommuner()["kommunenummer"])
    for name, df in tables.items():
        numbers = df["kommunenummer"]
        assert numbers.str.fullmatch(r"\d{4}").all(), name
        assert set(numbers) <= known, name


def test_scale_must_be_positive():
    with pytest.raises(UsageError, match=r"^The value for `scale` must be a positive number, but 0 was passed$"):
        generate(scale=0)
    with pytest.raises(UsageError, match="but -1.5 was passed"):
        generate(scale=-1.5)


# --- befolkning --------------------------------------------------------------------------


def test_every_municipality_has_children_for_every_data_year(tables):
    bef = tables["befolkning"]
    ref = reference.befolkning_2024()
    assert len(bef) == len(ref) * len(DATA_YEARS)
    assert set(bef["kommunenummer"]) == set(ref["kommunenummer"])
    assert set(bef["ar"]) == set(DATA_YEARS)
    real = bef[bef["ar"] == 2024].merge(ref, on="kommunenummer", suffixes=("", "_ref"))
    assert (real["barn_0_17"] == real["barn_0_17_ref"]).all()


def test_children_drift_only_a_little_from_year_to_year(tables):
    wide = tables["befolkning"].pivot(index="kommunenummer", columns="ar", values="barn_0_17")
    change = wide.pct_change(axis=1).iloc[:, 1:].abs()
    large = wide[2024] > 1000
    assert change[large].max().max() < 0.05
    assert 120_000 < wide.loc["0301"].min() and wide.loc["0301"].max() < 145_000
    assert 20 <= wide.loc["1151"].min() and wide.loc["1151"].max() <= 55


# --- ansatte_kompetanse ------------------------------------------------------------------


def test_staff_grow_with_children(tables):
    staff = _staff_per_municipality(tables["ansatte_kompetanse"])
    rho = staff["staff"].rank().corr(staff["barn_0_17"].rank())
    assert rho > 0.7
    by = staff.set_index("kommunenummer")["staff"]
    assert by["0301"] > 200  # Oslo: hundreds of rows
    assert by["1151"] <= 3  # Utsira: a handful at most
    assert by["0301"] > 50 * max(by["1151"], 1)


def test_staff_per_thousand_children_stay_in_a_plausible_band(tables):
    staff = _staff_per_municipality(tables["ansatte_kompetanse"])
    with_staff = staff[staff["staff"] > 0]
    rate = with_staff["staff"] / with_staff["barn_0_17"] * 1000
    assert 2 < rate.median() < 15
    large = with_staff["barn_0_17"] > 10_000
    assert rate[large].between(0.5, 10).all()


def test_many_small_municipalities_have_no_staff_or_lack_a_level(tables):
    ansatte = tables["ansatte_kompetanse"]
    active = ansatte[(ansatte["status"] == "sertifisert") & ansatte["sluttet_dato"].isna()]
    levels = active.merge(reference.metode_nivaer(), on="metode")
    has = levels.groupby(["kommunenummer", "niva"], observed=True).size().unstack(fill_value=0)
    ref = reference.befolkning_2024()
    small = ref.loc[ref["innbyggere_2024"] < 2000, "kommunenummer"]
    has_small = has.reindex(small, fill_value=0).reindex(columns=list(reference.LEVELS),
                                                         fill_value=0)
    lacking_a_level = (has_small == 0).any(axis=1).sum()
    nobody = (~small.isin(ansatte["kommunenummer"])).sum()
    assert lacking_a_level >= 0.3 * len(small)
    assert nobody >= 0.15 * len(small)
    # and most large municipalities are covered at every level
    large = ref.loc[ref["barn_0_17"] > 10_000, "kommunenummer"]
    assert (has.reindex(large, fill_value=0) > 0).all(axis=1).mean() > 0.8


def test_method_prevalence_follows_the_catalogue_notes(tables):
    munis = tables["ansatte_kompetanse"].groupby("metode")["kommunenummer"].nunique()
    assert munis["icdp"] > 200 and munis["cos-p"] > 150
    agreement = tables["ansatte_kompetanse"].query("metode in @EXPIRING")["kommunenummer"]
    assert 70 <= agreement.nunique() <= 110
    assert 90 <= munis["duaa"] <= 131
    nfp = set(tables["ansatte_kompetanse"].query("metode == 'nfp'")["kommunenummer"])
    assert {"0301", "1103", "1108", "1121"} <= nfp
    assert 6 <= len(nfp) <= 7


def test_larger_municipalities_use_more_methods(tables):
    ansatte = tables["ansatte_kompetanse"]
    methods = ansatte.groupby("kommunenummer")["metode"].nunique()
    ref = reference.befolkning_2024().set_index("kommunenummer")
    top = ref["barn_0_17"].nlargest(30).index
    bottom = ref["barn_0_17"].nsmallest(100).index
    large, small = methods.reindex(top, fill_value=0), methods.reindex(bottom, fill_value=0)
    assert large.mean() > small.mean() + 2


def test_staff_dates_are_in_order(tables):
    a = tables["ansatte_kompetanse"]
    certified = a["sertifisert_dato"].notna()
    assert (a.loc[certified, "opplaering_start"] < a.loc[certified, "sertifisert_dato"]).all()
    expires = a["sertifisering_utloper"].notna()
    assert (a.loc[expires, "sertifisert_dato"] < a.loc[expires, "sertifisering_utloper"]).all()
    left = a["sluttet_dato"].notna()
    assert (a.loc[left, "sertifisert_dato"] < a.loc[left, "sluttet_dato"]).all()
    assert (a["opplaering_start"] < AS_OF_TS).all()
    assert (a["sertifisert_dato"].dropna() < AS_OF_TS).all()
    assert (a["sluttet_dato"].dropna() < AS_OF_TS).all()
    assert (a["sluttet_dato"].dropna().dt.year >= DATA_YEARS[0]).all()


def test_status_agrees_with_the_dates(tables):
    a = tables["ansatte_kompetanse"]
    training = a["status"] == "i_opplaering"
    assert a.loc[~training, "sertifisert_dato"].notna().all()
    assert a.loc[training, ["sertifisert_dato", "sertifisering_utloper"]].isna().all().all()
    assert a.loc[training, "sluttet_dato"].isna().all()
    lapsed = a["status"] == "utgatt"
    assert (a.loc[lapsed, "sertifisering_utloper"] < AS_OF_TS).all()
    valid = (a["status"] == "sertifisert") & a["sertifisering_utloper"].notna()
    assert (a.loc[valid, "sertifisering_utloper"] >= AS_OF_TS).all()
    assert set(a["status"]) == {"i_opplaering", "sertifisert", "utgatt"}


def test_only_methods_with_renewal_requirements_expire(tables):
    a = tables["ansatte_kompetanse"]
    certified = a["status"] != "i_opplaering"
    assert a.loc[certified & a["metode"].isin(EXPIRING), "sertifisering_utloper"].notna().all()
    assert a.loc[~a["metode"].isin(EXPIRING), "sertifisering_utloper"].isna().all()
    soon = a["sertifisering_utloper"].between(AS_OF_TS, AS_OF_TS + pd.DateOffset(years=1))
    assert soon.sum() > 20
    assert (a["status"] == "utgatt").sum() > 10


def test_about_a_tenth_of_certified_staff_left(tables):
    a = tables["ansatte_kompetanse"]
    certified = a[a["status"] != "i_opplaering"]
    assert 0.08 <= certified["sluttet_dato"].notna().mean() <= 0.12


def test_ansatt_id_is_pseudonymous_and_some_people_hold_several_methods(tables):
    a = tables["ansatte_kompetanse"]
    assert a["ansatt_id"].str.fullmatch(r"A[0-9A-F]{8}").all()
    per_person = a.groupby("ansatt_id")
    assert (per_person.size() > 1).sum() > 100
    # one person works in one municipality and one service, and leaves all methods at once
    assert (per_person["kommunenummer"].nunique() == 1).all()
    assert (per_person["tjeneste"].nunique() == 1).all()
    assert (per_person["sluttet_dato"].nunique(dropna=False) == 1).all()


def test_services_are_plausible_for_each_method(tables):
    a = tables["ansatte_kompetanse"]
    assert set(a.loc[a["metode"] == "nfp", "tjeneste"]) == {"helsestasjon"}
    assert "helsestasjon" not in set(a.loc[a["metode"] == "pmto", "tjeneste"])
    assert set(a["tjeneste"]) <= {"helsestasjon", "barnehage", "skole", "barnevern", "ppt",
                                  "familiesenter", "annet"}


# --- tilbud ------------------------------------------------------------------------------


def test_offers_serve_a_level_of_their_method(tables):
    t = tables["tilbud"].merge(reference.metode_nivaer().astype({"niva": "str"}),
                               on=["metode", "niva"], how="left", indicator=True)
    assert (t["_merge"] == "both").all()


def test_offers_exist_only_where_staff_work(tables):
    staff = tables["ansatte_kompetanse"][["kommunenummer", "metode", "tjeneste"]]
    offers = tables["tilbud"].merge(staff.drop_duplicates(), how="left", indicator=True)
    assert (offers["_merge"] == "both").all()
    assert set(tables["tilbud"]["ar"]) == set(DATA_YEARS)


def test_offer_counts_are_plausible(tables):
    t = tables["tilbud"]
    individual = t["metode"].isin(["pmto", "tibir-foreldreradgivning", "marte-meo", "nfp"])
    assert (t.loc[individual, "antall_grupper"] == 0).all()
    group = t[~individual & (t["antall_grupper"] > 0)]
    per_group = group["antall_foreldre"] / group["antall_grupper"]
    assert per_group.between(1, 12).all()
    assert 5 <= per_group.median() <= 10
    assert t["antall_foreldre"].between(1, 4).mean() > 0.05  # work for disclosure control


# --- programme ---------------------------------------------------------------------------


def test_programme_durations_are_between_one_and_two_years(tables):
    d = tables["program_deltakelse"]
    assert (d["planlagt_slutt"] >= d["startdato"] + pd.DateOffset(years=1)).all()
    assert (d["planlagt_slutt"] <= d["startdato"] + pd.DateOffset(years=2)).all()
    days = (d["planlagt_slutt"] - d["startdato"]).dt.days
    assert days.between(365, 730).all()
    assert (d["soknad_dato"] < d["startdato"]).all()
    assert (d["soknad_dato"] < AS_OF_TS).all()


def test_each_municipality_joins_at_most_one_cohort_of_plausible_size(tables):
    d = tables["program_deltakelse"]
    assert not d["kommunenummer"].duplicated().any()
    sizes = d.groupby("kull").size()
    assert list(sizes.index) == [str(y) for y in DATA_YEARS]
    assert sizes.between(10, 25).all()


def test_programme_status_follows_the_dates(tables):
    d = tables["program_deltakelse"]
    started = d["startdato"] < AS_OF_TS
    ended = d["planlagt_slutt"] < AS_OF_TS
    status = d["status"]
    assert (~started[status.isin(["sokt", "innvilget"])]).all()
    assert started[status.isin(["aktiv", "fullfort", "avbrutt"])].all()
    assert ended[status == "fullfort"].all()
    assert (~ended[status == "aktiv"]).all()
    assert set(status) == {"sokt", "innvilget", "aktiv", "fullfort", "avbrutt"}
    old = d[d["kull"].isin(["2021", "2022"])]
    assert (old["status"] == "fullfort").mean() > 0.8


def test_activities_belong_to_a_participation_and_fall_in_its_period(tables):
    akt = tables["program_aktiviteter"].merge(
        tables["program_deltakelse"], on=["kommunenummer", "kull"], how="left",
        suffixes=("", "_deltakelse"), validate="many_to_one",
    )
    assert akt["startdato"].notna().all()
    assert (akt["dato"] >= akt["startdato"]).all() and (akt["dato"] <= akt["planlagt_slutt"]).all()
    assert (akt["dato"].dt.day_of_week < 5).all()
    assert "sokt" not in set(akt["status_deltakelse"])


def test_activity_status_follows_the_as_of_date(tables):
    akt = tables["program_aktiviteter"]
    past = akt["dato"] < AS_OF_TS
    assert set(akt.loc[past, "status"]) == {"gjennomfort", "avlyst"}
    assert set(akt.loc[~past, "status"]) <= {"planlagt", "avlyst"}
    held = akt["status"] == "gjennomfort"
    assert akt.loc[held, "antall_deltakere"].notna().all()
    assert akt.loc[~held, "antall_deltakere"].isna().all()
    assert akt["aktivitet_id"].str.fullmatch(r"AKT-\d{6}").all()
    assert (akt["format"] == "digital").mean() > 0.6


def test_some_active_municipalities_are_behind_and_withdrawn_ones_stop(tables):
    akt = tables["program_aktiviteter"].merge(tables["program_deltakelse"],
                                              on=["kommunenummer", "kull"],
                                              suffixes=("", "_d"))
    active = akt[akt["status_d"] == "aktiv"]
    held = active.groupby("kommunenummer")["status"].apply(lambda s: (s == "gjennomfort").mean())
    first = active.groupby("kommunenummer").first()
    passed = (AS_OF_TS - first["startdato"]) / (first["planlagt_slutt"] - first["startdato"])
    behind = held < passed - 0.1
    assert behind.any() and (~behind).sum() > behind.sum()
    withdrawn = akt[akt["status_d"] == "avbrutt"]
    held_rows = withdrawn[withdrawn["status"] == "gjennomfort"]
    last_held = held_rows.groupby("kommunenummer")["dato"].max()
    cancelled_after = withdrawn.merge(last_held.rename("last_held"), on="kommunenummer")
    later = cancelled_after[cancelled_after["dato"] > cancelled_after["last_held"]]
    assert (later["status"] == "avlyst").all()
    assert len(later) > 0


# --- foreldreundersokelsen ---------------------------------------------------------------


def test_survey_means_stay_on_the_scale_and_coverage_is_incomplete(tables):
    f = tables["foreldreundersokelsen"]
    assert f["snitt"].between(1, 5).all()
    assert (f["snitt"].round(2) == f["snitt"]).all()
    assert 4.0 <= f["snitt"].median() <= 4.4
    assert (f["antall_svar"] < 10).any() and (f["antall_svar"] > 1000).any()
    covered = f.groupby(["ar", "skoleslag"])["kommunenummer"].nunique()
    assert (covered < 357).all() and (covered > 200).all()


def _did(tables: dict[str, pd.DataFrame]) -> float:
    """Crude difference in differences of `samarbeid`: treated (post − pre) − controls
    (2023–2025 − 2018–2020)."""
    f = tables["foreldreundersokelsen"].query("indikator == 'samarbeid'")
    d = tables["program_deltakelse"]
    treated = d[d["status"].isin(["aktiv", "fullfort"])]
    first_post = treated.set_index("kommunenummer")["startdato"].dt.year + 1
    post_from = f["kommunenummer"].map(first_post)
    t = f[post_from.notna()]
    t_post = t["ar"] >= post_from[post_from.notna()]
    c = f[~f["kommunenummer"].isin(d["kommunenummer"])]
    treated_change = t.loc[t_post, "snitt"].mean() - t.loc[~t_post, "snitt"].mean()
    control_change = c.loc[c["ar"] >= 2023, "snitt"].mean() - c.loc[c["ar"] <= 2020, "snitt"].mean()
    return treated_change - control_change


def test_planted_effect_shows_in_a_crude_difference_in_differences():
    without = _did(generate(effect=0.0))
    with_effect = _did(generate(effect=0.5))
    assert with_effect - without > 0.4
    assert abs(without) < 0.1


def test_effect_changes_only_samarbeid_of_treated_municipalities_after_their_start():
    base = generate(effect=0.0)
    planted = generate(effect=0.3)
    for name in COLUMNS:
        if name != "foreldreundersokelsen":
            pd.testing.assert_frame_equal(base[name], planted[name], obj=name)
    f0, f1 = base["foreldreundersokelsen"], planted["foreldreundersokelsen"]
    pd.testing.assert_frame_equal(f0.drop(columns="snitt"), f1.drop(columns="snitt"))
    d = base["program_deltakelse"]
    treated = d[d["status"].isin(["aktiv", "fullfort"])]
    first_post = f0["kommunenummer"].map(
        treated.set_index("kommunenummer")["startdato"].dt.year + 1
    )
    expected = (f0["indikator"] == "samarbeid") & (f0["ar"] >= first_post)
    changed = f1["snitt"] != f0["snitt"]
    assert not changed[~expected].any()
    unclipped = expected & (f0["snitt"] < 4.7)
    np.testing.assert_allclose((f1["snitt"] - f0["snitt"])[unclipped], 0.3, atol=0.011)
    assert expected.sum() > 50


def test_effect_growth_adds_the_growth_for_each_year_after_the_first_full_year():
    step = generate(effect=0.1)
    growing = generate(effect=0.1, effect_growth=0.05)
    f0, f1 = step["foreldreundersokelsen"], growing["foreldreundersokelsen"]
    pd.testing.assert_frame_equal(f0.drop(columns="snitt"), f1.drop(columns="snitt"))
    d = step["program_deltakelse"]
    treated = d[d["status"].isin(["aktiv", "fullfort"])]
    first_post = f0["kommunenummer"].map(treated.set_index("kommunenummer")["startdato"].dt.year + 1)
    years_after = (f0["ar"] - first_post).where((f0["indikator"] == "samarbeid") & (f0["ar"] >= first_post))
    assert not (f1["snitt"] != f0["snitt"])[years_after.isna() | (years_after == 0)].any()
    grown = years_after.notna() & (years_after > 0) & (f1["snitt"] < 5.0)
    assert grown.sum() > 50 and years_after.max() >= 3
    np.testing.assert_allclose((f1["snitt"] - f0["snitt"])[grown], 0.05 * years_after[grown], atol=0.011)


def test_cli_sample_takes_effect_growth(tmp_path):
    from kompetanse.cli import main

    assert main(["sample", "--out", str(tmp_path), "--effect", "0.1", "--effect-growth", "0.05"]) == 0
    expected = generate(effect=0.1, effect_growth=0.05)["foreldreundersokelsen"]
    written = pd.read_csv(tmp_path / "foreldreundersokelsen.csv", dtype={"kommunenummer": "str"})
    np.testing.assert_allclose(written["snitt"], expected["snitt"])


# --- scale -------------------------------------------------------------------------------


def test_scale_ten_gives_about_ten_times_the_staff_and_activity_rows(tables, tables_x10):
    for name in ("ansatte_kompetanse", "program_aktiviteter"):
        ratio = len(tables_x10[name]) / len(tables[name])
        assert 8 <= ratio <= 12, (name, ratio)
    for name in ("befolkning", "program_deltakelse", "foreldreundersokelsen"):
        pd.testing.assert_frame_equal(tables[name], tables_x10[name], obj=name)


def test_scaled_tables_stay_valid(tables_x10):
    for name, key in KEYS.items():
        assert not tables_x10[name].duplicated(key).any(), name
    a = tables_x10["ansatte_kompetanse"]
    certified = a["sertifisert_dato"].notna()
    assert (a.loc[certified, "opplaering_start"] < a.loc[certified, "sertifisert_dato"]).all()
    akt = tables_x10["program_aktiviteter"]
    assert akt["aktivitet_id"].is_unique


# --- files -------------------------------------------------------------------------------


def test_committed_sample_equals_what_write_sample_writes(tmp_path):
    paths = write_sample(tmp_path)
    assert sorted(p.name for p in paths.values()) == sorted(f"{n}.csv" for n in COLUMNS)
    for path in paths.values():
        committed = SAMPLE_DIR / path.name
        assert committed.exists(), f"{committed} is missing: run `kompetanse sample`"
        assert committed.read_bytes() == path.read_bytes(), (
            f"{committed} differs from write_sample(): regenerate with `make sample`"
        )


def test_written_files_follow_the_csv_dialect(tmp_path):
    paths = write_sample(tmp_path, seed=7)
    for name, path in paths.items():
        raw = path.read_bytes()
        assert b"\r" not in raw, name
        text = raw.decode("utf-8")
        lines = text.split("\n")
        assert lines[0] == ",".join(COLUMNS[name])
        assert lines[-1] == "" and lines[-2] != ""
        assert not re.search(r"\.0(,|\n)", text), name  # integers without ".0"
        assert "NaT" not in text and "nan" not in text and "<NA>" not in text
    ansatte = paths["ansatte_kompetanse"].read_text(encoding="utf-8")
    assert "\n0301,A" in ansatte
    assert re.search(r"^\d{4},A[0-9A-F]{8},\w+,[\w-]+,i_opplaering,\d{4}-\d\d-\d\d,,,$", ansatte,
                     flags=re.M)
    survey = pd.read_csv(paths["foreldreundersokelsen"], dtype=str)
    assert survey["snitt"].str.fullmatch(r"\d\.\d\d").all()
    assert survey["antall_svar"].str.fullmatch(r"\d+").all()


def test_write_sample_is_byte_identical_for_the_same_arguments(tmp_path):
    first = write_sample(tmp_path / "a", seed=11, scale=1.5, effect=0.2)
    second = write_sample(tmp_path / "b", seed=11, scale=1.5, effect=0.2)
    for name in COLUMNS:
        assert first[name].read_bytes() == second[name].read_bytes(), name


def test_default_effect_is_documented():
    readme = (SAMPLE_DIR / "README.md").read_text(encoding="utf-8")
    assert f"{DEFAULT_EFFECT}" in readme and f"{DEFAULT_SEED}" in readme
    assert AS_OF.isoformat() in readme


def test_committed_sample_loads_without_problems():
    dataset = pytest.importorskip("kompetanse.data.dataset")
    validation, _ = dataset.check(SAMPLE_DIR)
    assert validation.problems == []
    ds = dataset.load(SAMPLE_DIR)
    for name in COLUMNS:
        assert len(getattr(ds, name)) == len(pd.read_csv(SAMPLE_DIR / f"{name}.csv")), name


def test_scaled_sample_with_another_seed_loads_without_problems(tmp_path):
    dataset = pytest.importorskip("kompetanse.data.dataset")
    write_sample(tmp_path, seed=5, scale=3, effect=0.5)
    validation, _ = dataset.check(tmp_path)
    assert validation.problems == []
