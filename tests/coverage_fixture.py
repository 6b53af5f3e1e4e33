"""A small hand-written staff fixture shared by test_coverage, test_overview and test_municipal.

Four municipalities on the reference date ON = 2025-06-30 (period 2025). Catalogue levels used:
icdp and tik universell; cos-p and duaa all three; pmto indikativ; pmto-foreldregruppe selektiv and
indikativ. "active" below means counted as capacity on ON.

0301 Oslo (children 19 000 in 2024, 20 000 in 2025)
    O1  icdp   certified 2020-03-01                          active
    O1  cos-p  certified 2021-05-01                          active (same person, second method)
    O2  icdp   certified 2020-03-01                          active
    O3  cos-p  certified 2022-01-10                          active
    O4  pmto   certified 2023-01-01, expires 2026-01-01      active, expires within 12 months
    O5  pmto   in training since 2025-01-06                  not active; in training
    O6  icdp   certified 2019-03-01, left 2025-03-31         not active; left in 2025
1151 Utsira (children 40 in 2024, no 2025 figure: the 2024 one is used)
    U1  icdp   certified 2022-02-01, leaves 2026-01-31       active now, gone a year ahead
3101 Halden (children 5 000 in 2025)
    H1  pmto-foreldregruppe certified 2023-03-01, expires 2026-03-01   active, expiring
    H2  pmto-foreldregruppe certified 2023-04-03, expires 2026-04-03   active, expiring
    H3  tik    certified 2025-09-01 (after ON)                         not yet active
    H4  icdp   utgatt, certified 2018-01-15, expired 2021-01-15        not active (active in 2020)
4601 Bergen (children 48 000 in 2025)
    B1  duaa   certified 2021-02-01, left 2024-11-30                   not active; left in 2024
    B2  duaa   status sertifisert but expired 2025-03-01               not active (expired)
    B3  duaa   in training since 2024-09-02                            not active; in training
    B4  duaa   utgatt, expired 2021-01-15, then left 2024-06-30        not active; left uncertified

Offers (tilbud) in 2025: Oslo icdp universell 4 groups 38 parents, cos-p universell 2 groups 15
parents, pmto indikativ 0 groups 3 families; Utsira icdp universell 1 group 6 parents. Oslo also
has a 2024 icdp offer (5 groups, 50 parents) that a 2025 date must not count.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import kompetanse
from tests.conftest import MINIMAL

ON = "2025-06-30"

ANSATTE = """\
kommunenummer,ansatt_id,tjeneste,metode,status,opplaering_start,sertifisert_dato,sertifisering_utloper,sluttet_dato
0301,O1,helsestasjon,icdp,sertifisert,2019-09-02,2020-03-01,,
0301,O1,helsestasjon,cos-p,sertifisert,2021-04-20,2021-05-01,,
0301,O2,helsestasjon,icdp,sertifisert,2019-09-02,2020-03-01,,
0301,O3,barnehage,cos-p,sertifisert,2022-01-03,2022-01-10,,
0301,O4,barnevern,pmto,sertifisert,2021-06-01,2023-01-01,2026-01-01,
0301,O5,barnevern,pmto,i_opplaering,2025-01-06,,,
0301,O6,helsestasjon,icdp,sertifisert,2018-09-03,2019-03-01,,2025-03-31
1151,U1,helsestasjon,icdp,sertifisert,2021-09-01,2022-02-01,,2026-01-31
3101,H1,familiesenter,pmto-foreldregruppe,sertifisert,2020-01-06,2023-03-01,2026-03-01,
3101,H2,familiesenter,pmto-foreldregruppe,sertifisert,2020-01-06,2023-04-03,2026-04-03,
3101,H3,skole,tik,sertifisert,2025-06-02,2025-09-01,,
3101,H4,helsestasjon,icdp,utgatt,2017-09-01,2018-01-15,2021-01-15,
4601,B1,familiesenter,duaa,sertifisert,2019-08-01,2021-02-01,,2024-11-30
4601,B2,familiesenter,duaa,sertifisert,2018-08-01,2020-01-15,2025-03-01,
4601,B3,familiesenter,duaa,i_opplaering,2024-09-02,,,
4601,B4,barnehage,duaa,utgatt,2016-08-01,2018-01-15,2021-01-15,2024-06-30
"""

TILBUD = """\
kommunenummer,ar,metode,tjeneste,niva,antall_grupper,antall_foreldre
0301,2025,icdp,helsestasjon,universell,4,38
0301,2025,cos-p,barnehage,universell,2,15
0301,2025,pmto,barnevern,indikativ,0,3
0301,2024,icdp,helsestasjon,universell,5,50
1151,2025,icdp,helsestasjon,universell,1,6
"""

BEFOLKNING = """\
kommunenummer,ar,barn_0_17
0301,2024,19000
0301,2025,20000
1151,2024,40
3101,2025,5000
4601,2025,48000
"""


def load_staff_fixture(folder: Path) -> kompetanse.Dataset:
    """Copy tests/data/minimal into ``folder``, write the staff, offers and population above over
    it and load it."""
    shutil.copytree(MINIMAL, folder, dirs_exist_ok=True)
    (folder / "ansatte_kompetanse.csv").write_text(ANSATTE, encoding="utf-8")
    (folder / "tilbud.csv").write_text(TILBUD, encoding="utf-8")
    (folder / "befolkning.csv").write_text(BEFOLKNING, encoding="utf-8")
    return kompetanse.load(folder)
