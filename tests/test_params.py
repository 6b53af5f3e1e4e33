"""Parameters are normalised or refused with a clear message, whatever form they come in."""

import pytest

from kompetanse.build import params
from kompetanse.errors import ParameterError


@pytest.mark.parametrize("given", [301, "301", "0301", " 0301 ", 301.0])
def test_municipality_number_becomes_four_digits(given):
    assert params.kommunenummer(given) == "0301"


def test_old_number_is_refused_naming_the_new_one():
    with pytest.raises(ParameterError, match="3001 is the 2020–2023 number of Halden; use 3101 Halden"):
        params.kommunenummer(3001)


def test_split_municipality_names_both_new_numbers():
    with pytest.raises(ParameterError, match="use 1508 Ålesund or 1580 Haram"):
        params.kommunenummer("1507")


@pytest.mark.parametrize("given", ["Oslo", "03011", "", None, True, "12.5", -301])
def test_non_numbers_are_refused(given):
    with pytest.raises(ParameterError, match="must be a municipality number"):
        params.kommunenummer(given)


def test_unknown_number_is_refused():
    with pytest.raises(ParameterError, match="no municipality has the number 9999"):
        params.kommunenummer(9999)


def test_year_accepts_text_and_float_and_refuses_nonsense():
    assert params.year("2024") == 2024 and params.year(2024.0) == 2024
    with pytest.raises(ParameterError, match="`periode` must be a year from 1990 to 2100, but '20x4'"):
        params.year("20x4")


def test_data_path_must_exist(tmp_path):
    assert params.data_path(None) is None
    assert params.data_path(str(tmp_path)) == tmp_path
    with pytest.raises(ParameterError, match="must be a folder of CSV files or an .xlsx workbook that exists"):
        params.data_path(tmp_path / "nope")


def test_cohort_must_exist_in_the_data(minimal):
    import kompetanse

    ds = kompetanse.load(minimal)
    assert params.kull(2024, ds) == "2024" and params.kull(2024.0, ds) == "2024"
    with pytest.raises(ParameterError, match=r"`kull` must be a cohort in the data \(2024, 2025, 2026\), but '1999'"):
        params.kull("1999", ds)


def test_period_defaults_to_the_latest_and_must_have_data(minimal):
    import kompetanse

    ds = kompetanse.load(minimal)
    assert params.periode("", ds) == 2024 and params.periode(2024.0, ds) == 2024
    with pytest.raises(ParameterError, match=r"must be a year with data \(2024\), but 2019"):
        params.periode(2019, ds)


@pytest.mark.parametrize("given", [3, "3", "03", 3.0])
def test_county_number_becomes_two_digits(given):
    assert params.fylkesnummer(given) == "03"


def test_unknown_county_lists_the_counties():
    with pytest.raises(ParameterError, match=r"`fylkesnummer` must be a county number of 2024 \(03 Oslo, 11 Rogaland"):
        params.fylkesnummer("30")
