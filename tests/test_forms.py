"""Målform: each municipality's report in its own language form, and the other form beside it."""

from __future__ import annotations

import pytest

from kompetanse.data import reference
from kompetanse.errors import UsageError

# ------------------------------------------------------------------------------ reference data


def test_malform_covers_every_municipality_with_sprakradets_totals():
    m = reference.malform()
    assert len(m) == 357 and m["kommunenummer"].is_unique
    assert set(m["kommunenummer"]) == set(reference.kommuner()["kommunenummer"])
    assert m["malform"].value_counts().to_dict() == {"nynorsk": 88, "bokmal": 119, "noytral": 150}


@pytest.mark.parametrize(("nr", "malform", "language"), [
    ("4621", "nynorsk", "nn"),  # Voss
    ("4629", "nynorsk", "nn"),  # Modalen
    ("0301", "noytral", "nb"),  # Oslo: neutral is served in bokmål
    ("1106", "bokmal", "nb"),   # Haugesund
])
def test_report_language_is_the_municipalitys_form_and_bokmal_for_neutral(nr, malform, language):
    assert reference.malform().set_index("kommunenummer").loc[nr, "malform"] == malform
    assert reference.report_language(nr) == language


def test_report_languages_count_88_nynorsk_and_269_bokmal():
    languages = [reference.report_language(nr) for nr in reference.kommuner()["kommunenummer"]]
    assert languages.count("nn") == 88 and languages.count("nb") == 269


@pytest.mark.parametrize("bad", ["301", "9999", 301])
def test_report_language_of_an_unknown_number_is_an_argument_error(bad):
    with pytest.raises(UsageError, match="kommunenummer"):
        reference.report_language(bad)


def test_malform_is_a_copy_callers_may_change():
    m = reference.malform()
    m.loc[0, "kommunenavn"] = "x"
    assert reference.malform().loc[0, "kommunenavn"] == "Oslo"
