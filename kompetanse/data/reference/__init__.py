"""Reference tables shipped with the package: municipalities, renumbering, population, målform,
methods.

Facts and sources
-----------------
``kommuner_2024.csv``
    Norway's municipal structure in force from 1 January 2024: 357 municipalities in 15 counties
    (Statistics Norway, classification 131). ``kommunenavn`` is the everyday name,
    ``kommunenavn_offisielt`` the official one with Sami or Kven forms.
``kommuner_2020_til_2024.csv``
    Statistics Norway's change table for 1 January 2024 (118 rows): 2020–2023 number and name
    against the 2024 number and name. 1507 Ålesund split into 1508 Ålesund and 1580 Haram.
``befolkning_2024.csv``
    Inhabitants on 1 January 2024 and children 0–17 on 1 January 2023 moved to 2024 numbers
    (Statistics Norway, table 07459 and the population count; Ålesund/Haram split by population
    share, an approximation).
``malform_2024.csv``
    Each municipality's official language form (målform) for its administration: ``nynorsk``
    (88), ``bokmal`` (119) or ``noytral`` (150), the totals Språkrådet publishes. Source: the
    ``language`` field of the municipalities file of the MIT-licensed ``aprestmo/norway-geodata``
    package (``data/municipalities-2025.json``; the 2025 and 2024 numbers are the same). A
    separate file rather than a column of ``kommuner_2024.csv``: it has another source, and a
    municipal council changes its målform by its own decision, not with Statistics Norway's
    classification. A neutral municipality is served in bokmål by default (`report_language`);
    its reports in both forms are equally valid.
``metoder.csv``
    Knowledge-based parent-support methods used in Norwegian municipalities. Prevention levels
    from Bufdir's programme pages (field *Forebyggingsnivå*), ages and providers from Bufdir,
    NUBU, RKBU Nord/UiT, RBUP Øst og Sør and the programme owners, evidence levels from Ungsinn
    (RKBU Nord, 0–5 scale since 2015/2016, with the edition in ``ungsinn_utgave``). The ``kilde``
    column gives one source URL per method; the full list is in the project's
    ``docs/methods.md``:

    - ICDP: https://bufdir.no/en/Familie/Fagstotte/Sertifisering_i_ICDP/, https://www.icdp.no/icdp-norge/,
      Ungsinn 3rd ed. (Reedtz & Lauritzen), level 4.
    - PMTO: https://www.nubu.no/opplaring-av-pmto-terapeuter/category940.html, Ungsinn 2nd ed., level 5.
    - PMTO-foreldregruppe: https://ungsinn.no/post_tiltak_arkiv/pmto-foreldregruppe/, level 4.
    - TIBIR foreldrerådgivning: https://bufdir.no/fagstotte/barnevern-oppvekst/foreldrestotte/foreldrestottende-tiltak/tibir
      (Ungsinn level not confirmed, left empty).
    - De utrolige årene: https://dua.uit.no/sertifisering-som-dua-gruppeleder/, https://uit.no/utdanning/emner/emne/744489/hel-6316,
      Ungsinn level 5 (preschool and school parent programmes).
    - Trygghetssirkelen (COS-P): https://www.bufdir.no/fagstotte/barnevern-oppvekst/foreldrestotte/foreldrestottende-tiltak/cosp/,
      Ungsinn 2nd ed., level 2.
    - Marte Meo: https://bufdir.no/fagstotte/barnevern-oppvekst/foreldrestotte/foreldrestottende-tiltak/marte-meo-video,
      https://www.martemeo.no/terapeutkrav/.
    - Tuning in to Kids: https://www2.bufdir.no/Familie/foreldrestotte/tiltaksliste/tuning_into_kids_tik/.
    - Familie for første gang (NFP): https://www.rbup.no/program/familie-for-forste-gang-nfp.

    ``gyldighet_ar`` (years a certification stays valid) is empty for every method: no source
    states a fixed validity period. PMTO/TIBIR require ongoing fidelity follow-up and ICDP
    trainers must meet requirements to keep certification, but neither gives a number of years.
    Expiry therefore comes from each staff row's own ``sertifisering_utloper`` when the provider
    set one. ``implementeringsavtale`` is true where the provider requires an agreement before
    staff are trained (PMTO/TIBIR with NUBU and Bufetat, DUÅ with RKBU/RBUP, NFP with Bufdir/RBUP
    in practice). Ungsinn levels change between editions; the edition is kept beside the level.

    ``opplaering_dager`` is the length of the training path: calendar days from the first day of
    training to certification, the upper end where a source gives a range (1 month = 30 days,
    1 year = 365 days, a semester = half a year); ``opplaering_tid`` is the same length as the
    source words it. Empty where no source states a length. From the stored source notes
    (``metoder_kilder.md``, table 1.1 and section 1.2):

    - ICDP: 150 (6 training days, a parent group of one's own, 2 group supervisions and a
      logbook; icdp.no: 4–5 months), http://icdp.no/icdp-utdannelse.
    - PMTO: 545 (21 seminar days and 24 supervision days over about 1.5 years),
      https://www.nubu.no/opplaring-av-pmto-terapeuter/category940.html.
    - De utrolige årene: 545 (HEL-6316, 30 ECTS over 3 semesters), https://uit.no/utdanning/emner/emne/744489/hel-6316.
    - Trygghetssirkelen (COS-P): 4 (a 4-day intensive facilitator course; full attendance gives
      certification), https://www.bufdir.no/fagstotte/barnevern-oppvekst/foreldrestotte/foreldrestottende-tiltak/cosp/.
    - Marte Meo: 1095 (2–3 years of supervised practice, about 100 supervision hours),
      https://www.martemeo.no/terapeutkrav/.
    - PMTO-foreldregruppe and TIBIR foreldrerådgivning (part of the TIBIR training), Tuning in to
      Kids (a short course) and Familie for første gang: length not confirmed, left empty.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd

from kompetanse.errors import argument_error

LEVELS: tuple[str, ...] = ("universell", "selektiv", "indikativ")


def _read(name: str, **kwargs) -> pd.DataFrame:
    with resources.files(__name__).joinpath(name).open("rb") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False, encoding="utf-8", **kwargs)


@cache
def _kommuner() -> pd.DataFrame:
    return _read("kommuner_2024.csv")


def kommuner() -> pd.DataFrame:
    """The 357 municipalities of 2024: kommunenummer, kommunenavn, kommunenavn_offisielt,
    fylkesnummer, fylkesnavn (all strings; numbers keep their leading zero)."""
    return _kommuner().copy()


@cache
def _renumbering() -> pd.DataFrame:
    return _read("kommuner_2020_til_2024.csv")


def renumbering() -> pd.DataFrame:
    """Statistics Norway's 2020–2023 → 2024 correspondence: kommunenummer_2023,
    kommunenavn_2023, kommunenummer_2024, kommunenavn_2024. One old number can have two rows
    (1507 Ålesund split into 1508 Ålesund and 1580 Haram)."""
    return _renumbering().copy()


@cache
def _befolkning() -> pd.DataFrame:
    df = _read("befolkning_2024.csv")
    return df.astype({"innbyggere_2024": "int64", "barn_0_17": "int64"})


def befolkning_2024() -> pd.DataFrame:
    """Inhabitants (2024) and children 0–17 (2023, on 2024 numbers) per municipality."""
    return _befolkning().copy()


#: The three målformer of ``malform_2024.csv``, in this order.
MALFORMER: tuple[str, ...] = ("nynorsk", "bokmal", "noytral")

#: The report language (a BCP 47 tag, as in ``<html lang>``) of each målform: neutral is bokmål.
REPORT_LANGUAGE: dict[str, str] = {"nynorsk": "nn", "bokmal": "nb", "noytral": "nb"}


@cache
def _malform() -> pd.DataFrame:
    df = _read("malform_2024.csv")
    return df.assign(malform=pd.Categorical(df["malform"], categories=MALFORMER))


def malform() -> pd.DataFrame:
    """Each municipality's official målform, the form of its administration.

    Returns
    -------
    DataFrame with one row per municipality of 2024 (357) and the columns kommunenummer (four
    digits, a string), kommunenavn (the name people use) and malform (categorical: ``nynorsk``,
    ``bokmal`` or ``noytral``, the last for a municipality that has chosen neither).
    """
    return _malform().copy()


@cache
def _languages() -> dict[str, str]:
    m = _malform()
    return dict(zip(m["kommunenummer"], m["malform"].astype("str").map(REPORT_LANGUAGE), strict=True))


def report_language(kommunenummer: str) -> str:
    """The language a municipality's report is written in by default: its målform.

    Parameters
    ----------
    kommunenummer : the four-digit 2024 number, as a string (``"4621"``).

    Returns
    -------
    str : ``"nn"`` (nynorsk) for a nynorsk municipality, ``"nb"`` (bokmål) for a bokmål or a
    neutral one (`REPORT_LANGUAGE`).

    Raises
    ------
    UsageError : ``kommunenummer`` is not a municipality of 2024 (`kompetanse.errors.argument_error`).

    Examples
    --------
    >>> report_language("4621"), report_language("0301")
    ('nn', 'nb')
    """
    languages = _languages()
    if kommunenummer not in languages:
        raise argument_error("kommunenummer", "the four-digit number of a municipality of 2024, as a string",
                             kommunenummer)
    return languages[kommunenummer]


@cache
def _metoder() -> pd.DataFrame:
    df = _read("metoder.csv")
    truth = {"true": True, "false": False}
    out = df.assign(
        nivaer=df["nivaer"].map(lambda s: tuple(v for v in LEVELS if v in s.split(";"))),
        alder_fra=df["alder_fra"].astype("int64"),
        alder_til=df["alder_til"].astype("int64"),
        sertifisering=df["sertifisering"].map(truth).astype(bool),
        implementeringsavtale=df["implementeringsavtale"].map(truth).astype(bool),
        gyldighet_ar=pd.to_numeric(df["gyldighet_ar"].replace("", None)).astype("Int64"),
        opplaering_dager=pd.to_numeric(df["opplaering_dager"].replace("", None)).astype("Int64"),
        ungsinn_niva=pd.to_numeric(df["ungsinn_niva"].replace("", None)).astype("Int64"),
    )
    return out


def metoder() -> pd.DataFrame:
    """The method catalogue: one row per method with columns metode, navn, nivaer (a tuple of
    levels in the fixed order universell, selektiv, indikativ), alder_fra, alder_til, tilbyder,
    sertifisering, gyldighet_ar, implementeringsavtale, opplaering_dager (calendar days from the
    start of training to certification, nullable integer), opplaering_tid (the same as the
    sources word it, empty where unknown), ungsinn_niva, ungsinn_utgave, kilde."""
    return _metoder().copy()


def metode_nivaer() -> pd.DataFrame:
    """The catalogue in long form: one row per (metode, niva) a method serves."""
    m = _metoder()[["metode", "nivaer"]].explode("nivaer").rename(columns={"nivaer": "niva"})
    m["niva"] = pd.Categorical(m["niva"], categories=LEVELS, ordered=True)
    return m.reset_index(drop=True)
