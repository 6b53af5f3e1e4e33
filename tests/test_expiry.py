"""Retention with dates (kompetanse.analysis.expiry, kompetanse.reports.expiry) on a small
hand-written staff table. ON = 2025-12-31, so the horizon is 2026 K1–K4, judged on 31 March,
30 June, 30 September and 31 December 2026. Levels of the methods used: icdp universell; pmto
and marte-meo indikativ; cos-p all three.

0301 Oslo
    A1  icdp  certified 2020, expires 2026-03-31 (last day of K1)   lost in K1
    A2  icdp  certified 2020, expires 2026-04-01                    lost in K2
    A3  icdp  certified 2020, expires 2026-12-31 (horizon's end)    lost in K4
    A4  icdp  certified 2020, no expiry                             stays
    A5  icdp  in training since 2025-09-01                          never counted
    A6  icdp  certified 2020, left 2025-06-30                       gone before ON
    universell: 4 persons in icdp. K1 3, K2 2, K3 2: dekket; K4 1: sårbar (for_faa).
1151 Utsira
    U1  icdp  certified 2022, leaves 2026-06-30 (last day of K2)    counts that day, lost in K3
    universell: sårbar (one person) → mangler in K3.
3101 Halden
    C1  pmto  expires 2026-02-15                                    lost in K1
    C2  pmto  expires 2026-11-30                                    lost in K4
    C3  pmto  expires 2027-06-30, leaves 2026-10-15                 lost in K4 by leaving
    C4  pmto  in training since 2025-08-01                          never counted
    indikativ on ON: 3 in pmto, not all expire by 2026-12-31 (C3): dekket. K1 (31 March):
    C2, C3, C3 expires after 2027-03-31: dekket. K2 (30 June): C2 and C3 both expire by
    2027-06-30: sårbar (utloper). K3 sårbar. K4: nobody: mangler.
4601 Bergen
    D1, D2  cos-p  no expiry; D3 cos-p expires 2027-01-01 (the day after the horizon)
    D4  marte-meo  expires 2026-05-01                               lost in K2
    every level dekket throughout (cos-p keeps 3); no cos-p certification expires in the horizon.
"""

from __future__ import annotations

import re
import shutil
import time

import pandas as pd
import pytest

import kompetanse
from kompetanse import UsageError
from kompetanse.analysis.coverage import coverage_by_level, projected_coverage
from kompetanse.analysis.expiry import expiry_schedule, quarter_name, quarters
from kompetanse.reports.expiry import expiry_methods_table, expiry_table, quarter_text
from tests.conftest import MINIMAL

ON = "2025-12-31"

ANSATTE = """\
kommunenummer,ansatt_id,tjeneste,metode,status,opplaering_start,sertifisert_dato,sertifisering_utloper,sluttet_dato
0301,A1,helsestasjon,icdp,sertifisert,2019-09-02,2020-03-01,2026-03-31,
0301,A2,helsestasjon,icdp,sertifisert,2019-09-02,2020-03-01,2026-04-01,
0301,A3,helsestasjon,icdp,sertifisert,2019-09-02,2020-03-01,2026-12-31,
0301,A4,helsestasjon,icdp,sertifisert,2019-09-02,2020-03-01,,
0301,A5,helsestasjon,icdp,i_opplaering,2025-09-01,,,
0301,A6,helsestasjon,icdp,sertifisert,2019-09-02,2020-03-01,,2025-06-30
1151,U1,helsestasjon,icdp,sertifisert,2021-09-01,2022-02-01,,2026-06-30
3101,C1,barnevern,pmto,sertifisert,2021-06-01,2023-02-15,2026-02-15,
3101,C2,barnevern,pmto,sertifisert,2021-06-01,2023-11-30,2026-11-30,
3101,C3,barnevern,pmto,sertifisert,2021-06-01,2024-06-30,2027-06-30,2026-10-15
3101,C4,barnevern,pmto,i_opplaering,2025-08-01,,,
4601,D1,familiesenter,cos-p,sertifisert,2021-01-04,2021-05-01,,
4601,D2,familiesenter,cos-p,sertifisert,2021-01-04,2021-05-01,,
4601,D3,familiesenter,cos-p,sertifisert,2021-01-04,2024-01-01,2027-01-01,
4601,D4,familiesenter,marte-meo,sertifisert,2022-01-04,2023-05-01,2026-05-01,
"""

BEFOLKNING = """\
kommunenummer,ar,barn_0_17
0301,2025,20000
1151,2025,40
3101,2025,5000
4601,2025,48000
"""

TILBUD = """\
kommunenummer,ar,metode,tjeneste,niva,antall_grupper,antall_foreldre
0301,2025,icdp,helsestasjon,universell,4,38
"""


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    folder = tmp_path_factory.mktemp("expiry")
    shutil.copytree(MINIMAL, folder, dirs_exist_ok=True)
    (folder / "ansatte_kompetanse.csv").write_text(ANSATTE, encoding="utf-8")
    (folder / "befolkning.csv").write_text(BEFOLKNING, encoding="utf-8")
    (folder / "tilbud.csv").write_text(TILBUD, encoding="utf-8")
    return kompetanse.load(folder)


@pytest.fixture(scope="module")
def schedule(ds):
    return expiry_schedule(ds, on=ON)


def method(schedule, kommune: str, metode: str) -> pd.DataFrame:
    m = schedule.methods
    return m[(m["kommunenummer"] == kommune) & (m["metode"] == metode)].reset_index(drop=True)


def change(schedule, kommune: str, niva: str) -> pd.Series:
    c = schedule.changes
    rows = c[(c["kommunenummer"] == kommune) & (c["niva"] == niva)]
    assert len(rows) == 1
    return rows.iloc[0]


def statuses(schedule, kommune: str, niva: str) -> list[str]:
    lv = schedule.levels
    return lv.loc[(lv["kommunenummer"] == kommune) & (lv["niva"] == niva), "status"].astype(str).tolist()


# --- quarters -----------------------------------------------------------------------------------


def test_quarters_of_a_year_end_horizon_are_the_four_quarters_of_the_next_year():
    q = quarters(ON, 12)
    assert q["kvartal_navn"].tolist() == ["2026 K1", "2026 K2", "2026 K3", "2026 K4"]
    assert q["vurdert"].dt.strftime("%Y-%m-%d").tolist() == ["2026-03-31", "2026-06-30", "2026-09-30", "2026-12-31"]


def test_a_horizon_from_mid_quarter_ends_with_a_partial_quarter_judged_on_its_last_day():
    q = quarters("2025-05-15", 12)
    assert q["kvartal_navn"].tolist() == ["2025 K2", "2025 K3", "2025 K4", "2026 K1", "2026 K2"]
    assert q["vurdert"].iloc[0] == pd.Timestamp("2025-06-30")
    assert q["vurdert"].iloc[-1] == pd.Timestamp("2026-05-15")


def test_a_horizon_of_zero_months_has_no_quarters_and_nothing_changes(ds):
    assert quarters(ON, 0).empty
    s = expiry_schedule(ds, on=ON, months=0)
    assert s.methods.empty and s.levels.empty
    assert (s.changes["endringer"] == 0).all()
    assert (s.changes["status_ved_horisont"] == s.changes["status_na"]).all()


def test_quarter_names():
    assert quarter_name(pd.Period("2026Q2", freq="Q")) == "2026 K2"
    assert quarter_text(pd.Period("2026Q2", freq="Q")) == "2. kvartal 2026"


@pytest.mark.parametrize("months", [-1, 1.5, "12"])
def test_a_horizon_that_is_not_a_whole_number_of_months_is_refused(ds, months):
    with pytest.raises(UsageError, match="months"):
        expiry_schedule(ds, on=ON, months=months)


# --- per method ---------------------------------------------------------------------------------


def test_expiry_on_the_last_day_of_a_quarter_falls_in_that_quarter(schedule):
    icdp = method(schedule, "0301", "icdp")
    # A1 expires 31 March (K1), A2 1 April (K2), A3 31 December, the horizon's last day (K4)
    assert icdp["utloper"].tolist() == [1, 1, 0, 1]
    assert icdp["aktive_etter"].tolist() == [3, 2, 2, 1]


def test_people_in_training_and_people_who_left_before_are_not_active_now(schedule):
    # A5 in training and A6 who left in 2025 are not among the 4 active; C4 not among Halden's 3
    assert method(schedule, "0301", "icdp")["aktive_na"].unique().tolist() == [4]
    assert method(schedule, "3101", "pmto")["aktive_na"].unique().tolist() == [3]


def test_a_person_leaving_on_the_last_day_of_a_quarter_is_lost_in_the_next(schedule):
    icdp = method(schedule, "1151", "icdp")
    assert icdp["slutter"].tolist() == [0, 0, 1, 0]
    assert icdp["utloper"].tolist() == [0, 0, 0, 0]


def test_leaving_before_the_expiry_counts_as_leaving_not_as_expiry(schedule):
    pmto = method(schedule, "3101", "pmto")
    assert pmto["utloper"].tolist() == [1, 0, 0, 1]  # C1 in K1, C2 in K4
    assert pmto["slutter"].tolist() == [0, 0, 0, 1]  # C3 leaves 15 October, expiry only in 2027
    assert pmto["aktive_etter"].tolist() == [2, 2, 2, 0]


def test_an_expiry_the_day_after_the_horizon_is_not_counted(schedule):
    cos = method(schedule, "4601", "cos-p")
    assert cos["utloper"].sum() == 0 and cos["aktive_etter"].tolist() == [3, 3, 3, 3]
    assert method(schedule, "4601", "cos-p")["nivaer"].iloc[0] == "universell, selektiv, indikativ"


def test_only_methods_with_active_staff_are_listed(schedule):
    listed = schedule.methods.groupby("kommunenummer")["metode"].unique().map(sorted).to_dict()
    assert listed == {"0301": ["icdp"], "1151": ["icdp"], "3101": ["pmto"], "4601": ["cos-p", "marte-meo"]}


# --- per level ----------------------------------------------------------------------------------


def test_level_status_is_judged_again_at_the_end_of_each_quarter(schedule):
    assert statuses(schedule, "0301", "universell") == ["dekket", "dekket", "dekket", "sarbar"]
    row = change(schedule, "0301", "universell")
    assert (str(row["forste_endring"]), row["status_forste_endring"]) == ("2026Q4", "sarbar")
    assert row["endringer"] == 1


def test_two_changes_the_expiry_rule_first_then_nobody_left(schedule):
    assert statuses(schedule, "3101", "indikativ") == ["dekket", "sarbar", "sarbar", "mangler"]
    lv = schedule.levels
    reasons = lv.loc[(lv["kommunenummer"] == "3101") & (lv["niva"] == "indikativ"), "sarbar_grunn"].tolist()
    assert reasons == ["", "utloper", "utloper", ""]
    row = change(schedule, "3101", "indikativ")
    assert (str(row["forste_endring"]), row["status_forste_endring"], row["status_ved_horisont"]) == (
        "2026Q2", "sarbar", "mangler")
    assert row["endringer"] == 2


def test_a_level_resting_on_one_person_who_leaves_becomes_missing(schedule):
    row = change(schedule, "1151", "universell")
    assert (row["status_na"], str(row["forste_endring"]), row["status_forste_endring"]) == (
        "sarbar", "2026Q3", "mangler")


def test_no_change_within_the_horizon(schedule):
    for niva in ["universell", "selektiv", "indikativ"]:
        row = change(schedule, "4601", niva)
        assert pd.isna(row["forste_endring"]) and pd.isna(row["status_forste_endring"])
        assert row["status_ved_horisont"] == "dekket" and row["endringer"] == 0


def test_status_now_and_at_the_horizon_agree_with_coverage_and_projection(ds, schedule):
    now = coverage_by_level(ds, on=ON)
    later = projected_coverage(ds, on=ON)
    c = schedule.changes
    assert c["status_na"].astype(str).tolist() == now["status"].astype(str).tolist()
    assert c["status_ved_horisont"].astype(str).tolist() == later["status_om_ett_ar"].astype(str).tolist()
    assert len(c) == len(ds.kommuner) * 3


def test_one_municipality(schedule):
    one = schedule.kommune("3101")
    assert set(one.methods["kommunenummer"]) == set(one.levels["kommunenummer"]) == {"3101"}
    assert len(one.changes) == 3
    with pytest.raises(UsageError, match="kommunenummer"):
        schedule.kommune("9999")


# --- the page: the public edition ---------------------------------------------------------------


def cells(table) -> list[str]:
    return [str(v) for v in table.to_frame().to_numpy().ravel()]


def frame(table) -> pd.DataFrame:
    return table.to_frame().set_index("Nivå")


def test_public_table_dates_a_level_whose_methods_have_three_or_more(schedule):
    t = frame(expiry_table(schedule.kommune("0301")))
    assert t.loc["Universell", "Endres først"] == "4. kvartal 2026: blir sårbart"
    assert t.loc["Universell", "Fornyes"] == "ICDP innen 1. kvartal 2026"
    assert t.loc["Selektiv", "Endres først"] == "ingen endring innen 12 måneder"


def test_public_table_gives_no_date_for_a_change_resting_on_fewer_than_three_lost(schedule):
    # Halden's three PMTO therapists: the first expiry (one person, 1st quarter) makes indikativ
    # sårbart by the 2nd quarter; a date would say that one of the three has gone by then. The
    # public edition hides it (the method is still named: it has three); the internal dates it
    t = frame(expiry_table(schedule.kommune("3101")))
    assert t.loc["Indikativ", "Endres først"] == "Vises ikke (kan gjelde færre enn 3 personer)"
    assert t.loc["Indikativ", "Deretter"] == "–"
    assert t.loc["Indikativ", "Fornyes"] == "PMTO innen 1. kvartal 2026"
    t = frame(expiry_table(schedule.kommune("3101"), utgave="intern"))
    assert t.loc["Indikativ", "Endres først"] == "2. kvartal 2026: blir sårbart"
    assert t.loc["Indikativ", "Deretter"] == "4. kvartal 2026: ingen sertifiserte igjen"


def test_public_table_hides_a_level_the_retention_table_hides(schedule):
    one = schedule.kommune("0301")
    hidden = pd.Series({"universell": True, "selektiv": False, "indikativ": False})
    t = frame(expiry_table(one, hidden_levels=hidden))
    assert t.loc["Universell", "Endres først"].startswith("Vises ikke")
    assert t.loc["Selektiv", "Endres først"] == "ingen endring innen 12 måneder"


def test_public_table_gives_no_date_for_a_level_resting_on_one_person(schedule):
    t = frame(expiry_table(schedule.kommune("1151")))
    assert t.loc["Universell", "Endres først"] == "Vises ikke (kan gjelde færre enn 3 personer)"
    assert not any("kvartal" in c for c in cells(expiry_table(schedule.kommune("1151"))))


def test_public_table_hides_the_date_of_a_level_with_a_small_method_even_without_change(schedule):
    # Bergen's indikativ level has Marte Meo with one person: no date, whether or not it changes,
    # and the method is not named; its other levels are dated ("ingen endring")
    t = frame(expiry_table(schedule.kommune("4601")))
    assert t.loc["Indikativ", "Endres først"].startswith("Vises ikke")
    assert t.loc["Universell", "Endres først"] == "ingen endring innen 12 måneder"
    assert t["Fornyes"].tolist() == ["–", "–", "–"]
    methods = expiry_methods_table(schedule.kommune("4601")).to_frame()
    assert methods["Metode"].tolist() == ["Trygghetssirkelen (Circle of Security Parenting)"]
    assert methods["Fornyes"].tolist() == ["ingen utløp innen 12 måneder"]


def test_public_methods_table_shows_the_quarter_of_the_first_expiry_and_no_count(schedule):
    t = expiry_methods_table(schedule.kommune("0301")).to_frame()
    assert t.to_dict("list") == {"Metode": ["ICDP"], "Nivåer": ["universell"], "Fornyes": ["innen 1. kvartal 2026"]}
    t = expiry_methods_table(schedule.kommune("1151")).to_frame()
    assert t["Metode"].tolist() == ["Ingen metoder med minst 3 sertifiserte"]


#: What a public cell may hold that looks like a number: a quarter, the horizon, the threshold.
_ALLOWED_NUMBERS = re.compile(r"\d\. kvartal \d{4}|innen 12 måneder|færre enn 3|minst 3")


def published_numbers(table) -> list[str]:
    return [n for c in cells(table) for n in re.findall(r"\d+", _ALLOWED_NUMBERS.sub("", c))]


def test_no_public_cell_gives_a_count_of_persons(schedule):
    for kommune in ["0301", "1151", "3101", "4601"]:
        one = schedule.kommune(kommune)
        assert published_numbers(expiry_table(one)) == []
        assert published_numbers(expiry_methods_table(one)) == []


def test_the_rule_is_a_test_that_can_fail(schedule):
    # the internal edition gives the counts the public one withholds, so the check above sees them
    internal = expiry_methods_table(schedule.kommune("1151"), utgave="intern")
    assert "1" in published_numbers(internal)


def test_internal_edition_dates_every_level_and_counts_per_quarter(schedule):
    one = schedule.kommune("1151")
    t = frame(expiry_table(one, utgave="intern"))
    assert t.loc["Universell", "Endres først"] == "3. kvartal 2026: ingen sertifiserte igjen"
    assert "Intern utgave" in expiry_table(one, utgave="intern").caption
    m = expiry_methods_table(schedule.kommune("3101"), utgave="intern").to_frame()
    assert m.iloc[0].tolist() == ["PMTO", "indikativ", "3", "1", "0", "0", "2", "0"]
    assert list(m.columns)[3:] == ["Mister 2026 K1", "Mister 2026 K2", "Mister 2026 K3", "Mister 2026 K4", "Igjen"]


def test_edition_and_schedule_are_checked(schedule):
    with pytest.raises(UsageError, match="utgave"):
        expiry_table(schedule.kommune("0301"), utgave="public")
    with pytest.raises(UsageError, match="one municipality"):
        expiry_table(schedule)


# --- the sample ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample():
    return kompetanse.load()


def test_on_the_sample_no_public_cell_gives_a_count_and_the_projection_agrees(sample):
    started = time.perf_counter()
    s = expiry_schedule(sample)
    assert time.perf_counter() - started < 5  # measured about 0.25 s; generous under load
    later = projected_coverage(sample)
    assert (s.changes["status_ved_horisont"].astype(str) == later["status_om_ett_ar"].astype(str)).all()
    # every municipality that loses anyone within the horizon (71 in the sample), and Utsira
    m = s.methods
    losing = set(m.loc[(m["utloper"] + m["slutter"]) > 0, "kommunenummer"])
    assert len(losing) > 20
    for kommune in sorted(losing | {"1151"}):
        one = s.kommune(kommune)
        assert published_numbers(expiry_table(one)) == [], kommune
        assert published_numbers(expiry_methods_table(one)) == [], kommune
