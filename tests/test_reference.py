"""The reference tables shipped in the package."""

from kompetanse.data import reference


def test_357_municipalities_in_15_counties():
    k = reference.kommuner()
    assert len(k) == 357 and k["kommunenummer"].is_unique
    assert k["fylkesnummer"].nunique() == 15
    assert k["kommunenummer"].str.fullmatch(r"\d{4}").all()
    assert (k["kommunenummer"].str[:2] == k["fylkesnummer"]).all()
    assert k.set_index("kommunenummer").loc["0301", "kommunenavn"] == "Oslo"


def test_renumbering_maps_to_2024_numbers_and_splits_alesund():
    r = reference.renumbering()
    assert len(r) == 118
    assert set(r["kommunenummer_2024"]) <= set(reference.kommuner()["kommunenummer"])
    assert sorted(r.query("kommunenummer_2023 == '1507'")["kommunenummer_2024"]) == ["1508", "1580"]


def test_population_covers_every_municipality_and_sums_to_the_national_figure():
    b = reference.befolkning_2024()
    assert set(b["kommunenummer"]) == set(reference.kommuner()["kommunenummer"])
    assert b["innbyggere_2024"].sum() == 5_550_203
    assert b["barn_0_17"].sum() == 1_112_191


def test_method_catalogue_levels_are_valid_and_every_level_has_a_method():
    m = reference.metoder()
    assert m["metode"].is_unique
    assert {"icdp", "pmto", "duaa", "cos-p", "marte-meo", "tik"} <= set(m["metode"])
    long = reference.metode_nivaer()
    assert set(long["niva"]) == set(reference.LEVELS)
    assert (m["alder_fra"] <= m["alder_til"]).all()
    assert m["ungsinn_niva"].dropna().between(0, 5).all()
    duaa = m.set_index("metode").loc["duaa"]
    assert duaa["nivaer"] == ("universell", "selektiv", "indikativ") and duaa["implementeringsavtale"]


def test_no_certification_validity_is_invented():
    # no source states a fixed validity period for any method: see the module docstring
    assert reference.metoder()["gyldighet_ar"].isna().all()


def test_reference_tables_are_copies_callers_may_change():
    k = reference.kommuner()
    k.loc[0, "kommunenavn"] = "x"
    assert reference.kommuner().loc[0, "kommunenavn"] == "Oslo"
