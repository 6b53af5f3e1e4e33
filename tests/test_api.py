"""The package's public API as an analyst meets it in JupyterLab: what ``dir()`` lists, the
``kompetanse.schema`` alias and its ``describe()``, and date arguments that default to the latest
period."""

from __future__ import annotations

import importlib

import pandas as pd
import pandas.testing as pdt
import pytest

import kompetanse
from kompetanse.errors import UsageError

LAZY_PACKAGES = ["kompetanse", "kompetanse.analysis", "kompetanse.build", "kompetanse.data", "kompetanse.reports",
                 "kompetanse.site"]


def test_dir_of_the_package_is_its_public_api_sorted_and_once_each():
    # importing submodules binds them in the package's namespace: dir() must not list them twice
    import kompetanse.data.schema  # noqa: F401
    import kompetanse.formatting  # noqa: F401

    names = dir(kompetanse)
    assert names == sorted(set(names))
    assert set(names) == {*kompetanse.__all__, *kompetanse.SUBMODULES, "schema"}
    assert {"load", "Dataset", "Problem", "DataError", "analysis", "reports", "data", "errors", "schema"} <= set(names)
    assert not {"_lazy", "submodule_getattr", "SUBMODULES", "ALIASES", "importlib", "__getattr__"} & set(names)


@pytest.mark.parametrize("name", LAZY_PACKAGES)
def test_dir_of_every_lazy_package_lists_only_public_names(name):
    package = importlib.import_module(name)
    names = dir(package)
    assert names == sorted(set(names))
    assert set(package.SUBMODULES) <= set(names)
    assert all(not n.startswith("_") or n == "__version__" for n in names), names
    assert "submodule_getattr" not in names and "SUBMODULES" not in names


def test_every_name_dir_lists_is_an_attribute():
    for name in dir(kompetanse):
        assert getattr(kompetanse, name) is not None, name


def test_kompetanse_schema_is_the_data_contract_module():
    from kompetanse import schema

    assert kompetanse.schema is schema is importlib.import_module("kompetanse.data.schema")


def test_describe_returns_one_row_per_column_of_the_contract_and_prints_nothing(capsys):
    d = kompetanse.schema.describe()
    assert capsys.readouterr().out == ""
    assert isinstance(d, pd.DataFrame)
    expected = [(t.name, c.name) for t in kompetanse.schema.TABLES.values() for c in t.columns]
    assert list(zip(d["tabell"], d["kolonne"], strict=True)) == expected
    assert list(d.columns) == ["tabell", "kolonne", "type", "paakrevd", "tillatte_verdier", "min", "maks", "nokkel"]


def test_describe_of_one_table_is_that_tables_rows():
    whole = kompetanse.schema.describe()
    one = kompetanse.schema.describe("tilbud")
    pdt.assert_frame_equal(one, whole[whole["tabell"] == "tilbud"].reset_index(drop=True))
    assert list(one["kolonne"]) == list(kompetanse.schema.TABLES["tilbud"].column_names)


def test_describe_of_an_unknown_table_names_the_tables():
    with pytest.raises(UsageError, match=r"`table` must be one of ansatte_kompetanse, tilbud.*but 'tulll' was passed"):
        kompetanse.schema.describe("tulll")


# --- dates default to the latest period -----------------------------------------------------------


@pytest.fixture(scope="module")
def latest(ds):
    # worked out here, not by the library: 31 December of the last year in tilbud or befolkning
    year = max(int(ds.tilbud["ar"].max()), int(ds.befolkning["ar"].max()))
    return pd.Timestamp(year, 12, 31)


def test_latest_is_the_reference_date_of_the_library(ds, latest, on):
    assert on == latest == pd.Timestamp("2025-12-31")


def test_profile_without_a_date_is_the_profile_of_the_latest_period(ds, latest):
    from kompetanse.reports import kommune

    default = kommune.profile(ds, "0301")
    explicit = kommune.profile(ds, "0301", on=latest.date())
    assert default.on == explicit.on == latest and default.periode == latest.year
    assert default.staff_total == explicit.staff_total
    pdt.assert_frame_equal(default.coverage, explicit.coverage)
    pdt.assert_frame_equal(default.barometer, explicit.barometer)
    earlier = kommune.profile(ds, "0301", on="2023-12-31")
    assert earlier.periode == 2023 and not earlier.coverage.equals(default.coverage)


def test_national_without_a_date_is_the_latest_period(ds, latest):
    from kompetanse.reports import kommune

    default, explicit = kommune.national(ds), kommune.national(ds, on=str(latest.date()))
    assert default.keys() == explicit.keys()
    for name in default:
        pdt.assert_frame_equal(default[name], explicit[name], obj=name)


def test_national_overview_and_cohort_without_a_date_look_at_the_latest_period(ds, latest):
    from kompetanse.reports import nasjonal, program

    assert nasjonal.overview(ds).on == latest
    pdt.assert_frame_equal(nasjonal.overview(ds).coverage, nasjonal.overview(ds, on=latest).coverage)
    kull = str(ds.program_deltakelse["kull"].iloc[0])
    default, explicit = program.cohort(ds, kull=kull), program.cohort(ds, kull=kull, on=latest)
    assert default.on == latest
    pdt.assert_frame_equal(default.progress, explicit.progress)


def test_barometer_without_a_date_is_the_barometer_of_the_latest_period(ds, latest):
    from kompetanse.analysis import barometer

    pdt.assert_frame_equal(barometer.indicator_counts(ds), barometer.indicator_counts(ds, on=latest))
    pdt.assert_frame_equal(barometer.barometer(ds), barometer.barometer(ds, on=latest))


def test_a_date_that_is_not_a_date_is_refused_by_name(ds):
    from kompetanse.reports import nasjonal

    with pytest.raises(UsageError, match=r"`on` must be a date, but 'i fjor' was passed"):
        nasjonal.overview(ds, on="i fjor")
