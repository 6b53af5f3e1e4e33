"""Every rule of the contract, one test each, on the hand-written minimal data set."""

from __future__ import annotations

import pytest

import kompetanse
from kompetanse import DataError
from kompetanse.data.schema import TABLES, describe
from tests.conftest import append_line, replace_line

STAFF = "ansatte_kompetanse.csv"


def problems(folder) -> list[str]:
    with pytest.raises(DataError) as err:
        kompetanse.load(folder)
    return [str(p) for p in err.value.problems]


def test_certified_staff_need_a_certification_date(minimal):
    replace_line(minimal / STAFF, 2, "0301,A0000001,helsestasjon,icdp,sertifisert,2021-01-10,,,")
    assert problems(minimal) == [
        "ansatte_kompetanse.csv:2: column 'sertifisert_dato': value '': "
        "a date, required when status is 'sertifisert'"
    ]


def test_certification_before_training_is_refused(minimal):
    replace_line(minimal / STAFF, 2, "0301,A0000001,helsestasjon,icdp,sertifisert,2021-01-10,2020-06-01,,")
    assert problems(minimal) == [
        "ansatte_kompetanse.csv:2: column 'sertifisert_dato': value '2020-06-01': "
        "a date on or after opplaering_start"
    ]


def test_expiry_must_follow_certification(minimal):
    replace_line(minimal / STAFF, 5, "0301,A0000003,barnevern,pmto,sertifisert,2020-01-15,2021-09-01,2021-09-01,")
    assert problems(minimal) == [
        "ansatte_kompetanse.csv:5: column 'sertifisering_utloper': value '2021-09-01': "
        "a date after sertifisert_dato"
    ]


def test_leaving_before_training_started_is_refused(minimal):
    replace_line(minimal / STAFF, 7, "1151,A0000005,helsestasjon,icdp,sertifisert,2019-02-01,2019-08-01,,2018-03-31")
    assert problems(minimal) == [
        "ansatte_kompetanse.csv:7: column 'sluttet_dato': value '2018-03-31': "
        "a date on or after opplaering_start"
    ]


def test_national_identity_number_as_staff_id_is_refused(minimal):
    replace_line(minimal / STAFF, 2, "0301,01019912345,helsestasjon,icdp,sertifisert,2021-01-10,2021-06-01,,")
    assert problems(minimal) == [
        # the number is not repeated: the message shows its shape only
        "ansatte_kompetanse.csv:2: column 'ansatt_id': value '***********': a pseudonymous id, never a "
        "national identity number or D-number (11 digits): replace it with the municipality's own pseudonym "
        "(a code such as A0000123 that names nobody)"
    ]


def test_name_as_staff_id_is_refused(minimal):
    replace_line(minimal / STAFF, 2, "0301,Ola Testesen,helsestasjon,icdp,sertifisert,2021-01-10,2021-06-01,,")
    assert problems(minimal) == [
        "ansatte_kompetanse.csv:2: column 'ansatt_id': value 'Ola Testesen': "
        "a pseudonymous id without spaces, never a person's name"
    ]


def test_unknown_method_lists_the_catalogue(minimal):
    replace_line(minimal / STAFF, 2, "0301,A0000001,helsestasjon,foreldrekurs,sertifisert,2021-01-10,2021-06-01,,")
    (msg,) = problems(minimal)
    assert msg.startswith("ansatte_kompetanse.csv:2: column 'metode': value 'foreldrekurs': a method in the catalogue")
    assert "icdp, pmto" in msg


def test_programme_shorter_than_a_year_is_refused(minimal):
    replace_line(minimal / "program_deltakelse.csv", 2, "0301,2024,2023-10-01,aktiv,2024-01-15,2024-12-31,12,8")
    msgs = problems(minimal)
    assert msgs[0] == (
        "program_deltakelse.csv:2: column 'planlagt_slutt': value '2024-12-31': a date 1 to 2 years "
        "after startdato (the programme runs at least one year, at most two)"
    )
    # its activities then lose their parent row and are reported too
    assert all(m.startswith("program_aktiviteter.csv") for m in msgs[1:]) and len(msgs) == 4


def test_programme_of_exactly_one_and_two_years_is_accepted(minimal):
    replace_line(minimal / "program_deltakelse.csv", 2, "0301,2024,2023-10-01,aktiv,2024-01-15,2026-01-15,12,8")
    replace_line(minimal / "program_deltakelse.csv", 3, "3101,2025,2024-10-01,innvilget,2025-09-01,2026-08-31,3,2")
    assert len(kompetanse.load(minimal).program_deltakelse) == 3


def test_programme_longer_than_two_years_is_refused(minimal):
    replace_line(minimal / "program_deltakelse.csv", 3, "3101,2025,2024-10-01,innvilget,2025-09-01,2027-09-02,3,2")
    assert problems(minimal)[0].startswith("program_deltakelse.csv:3: column 'planlagt_slutt'")


def test_start_before_application_is_refused(minimal):
    replace_line(minimal / "program_deltakelse.csv", 3, "3101,2025,2025-10-01,innvilget,2025-09-01,2026-08-31,3,2")
    assert problems(minimal) == [
        "program_deltakelse.csv:3: column 'startdato': value '2025-09-01': a date on or after soknad_dato"
    ]


def test_granted_participation_needs_dates_but_application_does_not(minimal):
    replace_line(minimal / "program_deltakelse.csv", 3, "3101,2025,2024-10-01,innvilget,,,3,2")
    assert problems(minimal) == [
        "program_deltakelse.csv:3: column 'startdato': value '': a date, required unless status is 'sokt'",
        "program_deltakelse.csv:3: column 'planlagt_slutt': value '': a date, required unless status is 'sokt'",
    ]


def test_planned_activity_with_participants_is_refused(minimal):
    replace_line(minimal / "program_aktiviteter.csv", 4, "0301,2024,AKT-3,personalmote,digital,2026-03-01,planlagt,12")
    assert problems(minimal) == [
        "program_aktiviteter.csv:4: column 'antall_deltakere': value '12': empty while status is "
        "'planlagt' (participants are counted when the activity is held)"
    ]


def test_activity_id_must_be_unique(minimal):
    row = append_line(minimal / "program_aktiviteter.csv", "0301,2024,AKT-1,foreldremote,digital,2024-05-01,gjennomfort,9")
    assert problems(minimal) == [
        f"program_aktiviteter.csv:{row}: column 'aktivitet_id': value 'AKT-1': "
        "a unique aktivitet_id: the same value is already in row 2"
    ]


def test_activity_for_unknown_cohort_is_refused(minimal):
    row = append_line(minimal / "program_aktiviteter.csv", "0301,2022,AKT-9,foreldremote,digital,2022-05-01,gjennomfort,9")
    assert problems(minimal) == [
        f"program_aktiviteter.csv:{row}: column 'kommunenummer + kull': value '0301 + 2022': "
        "a (kommunenummer, kull) that has a row in program_deltakelse"
    ]


def test_survey_mean_outside_the_scale_is_refused(minimal):
    replace_line(minimal / "foreldreundersokelsen.csv", 2, "0301,2024,grunnskole,samarbeid,5.5,5230")
    assert problems(minimal) == [
        "foreldreundersokelsen.csv:2: column 'snitt': value '5.5': a number from 1 to 5"
    ]


def test_fractional_count_is_refused(minimal):
    replace_line(minimal / "tilbud.csv", 2, "0301,2024,icdp,helsestasjon,universell,4.5,38")
    assert problems(minimal) == [
        "tilbud.csv:2: column 'antall_grupper': value '4.5': a whole number ≥ 0"
    ]


def test_implausible_year_is_refused(minimal):
    replace_line(minimal / "befolkning.csv", 2, "0301,224,132245")
    assert problems(minimal) == ["befolkning.csv:2: column 'ar': value '224': a whole number from 1990 to 2100"]


def test_impossible_date_is_refused_with_the_formats_accepted(minimal):
    replace_line(minimal / "program_aktiviteter.csv", 2, "0301,2024,AKT-1,opplaeringsdag,fysisk,31.02.2024,gjennomfort,40")
    assert problems(minimal) == [
        "program_aktiviteter.csv:2: column 'dato': value '31.02.2024': a date as yyyy-mm-dd or dd.mm.yyyy "
        "(day, month, year), e.g. 31.12.2024"
    ]


def test_every_table_has_a_key_whose_columns_exist():
    for table in TABLES.values():
        assert set(table.key) <= set(table.column_names), table.name


def test_contract_description_lists_every_column():
    d = describe()
    assert len(d) == sum(len(t.columns) for t in TABLES.values())
    assert d.query("tabell == 'tilbud' and kolonne == 'niva'")["tillatte_verdier"].item() == "universell, selektiv, indikativ"
