"""The contract of every input table, declared as data in one place.

The same declarations drive reading (header aliases), validation (types, categories, ranges,
keys, references, row rules) and documentation (``describe()``, ``docs/data-contract.md``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from kompetanse.data.reference import LEVELS
from kompetanse.errors import check_argument

# Column kinds understood by kompetanse.data.parse
KOMMUNENUMMER = "kommunenummer"  # four digits; three-digit and 2020–2023 numbers are normalised
TEXT = "text"  # free text or an id
SLUG = "slug"  # lower-case identifier (metode, indikator)
CATEGORY = "category"  # one of a fixed, ordered list
DATE = "date"  # yyyy-mm-dd or dd.mm.yyyy
INT = "int"  # whole number
FLOAT = "float"  # decimal number, decimal point or comma
YEAR = "year"  # a calendar year as a whole number
COHORT = "cohort"  # a programme cohort label such as "2025"

TJENESTER = ("helsestasjon", "barnehage", "skole", "barnevern", "ppt", "familiesenter", "annet")
ANSATT_STATUS = ("i_opplaering", "sertifisert", "utgatt")
#: The status of a row of program_deltakelse (the participation), not its progress
#: (`kompetanse.settings.PROGRESS_STATUSES`).
DELTAKELSE_STATUS = ("sokt", "innvilget", "aktiv", "fullfort", "avbrutt")
AKTIVITET_TYPER = ("opplaeringsdag", "personalmote", "foreldremote", "veiledning")
FORMATER = ("digital", "fysisk")
AKTIVITET_STATUS = ("planlagt", "gjennomfort", "avlyst")
SKOLESLAG = ("barnehage", "grunnskole")

#: Plausible calendar years in any input: catches typos such as 0224 or 20245.
YEAR_RANGE = (1990, 2100)
#: FUB/FUG programme length in years: at least one, at most two. The end date is inclusive, so
#: 2025-09-01 to 2026-08-31 is one year.
PROGRAMME_YEARS = (1, 2)


@dataclass(frozen=True)
class Column:
    """One column of a table: its canonical name, kind and checks."""

    name: str
    kind: str
    required: bool = True
    categories: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    max_length: int = 200
    description: str = ""


@dataclass(frozen=True)
class RowRule:
    """A check across columns of one row. ``bad`` returns True where the row breaks the rule;
    comparisons with missing values are False, so a rule only judges what is present."""

    name: str
    column: str  # the column the user should look at
    bad: Callable[[pd.DataFrame], pd.Series]
    expected: str


@dataclass(frozen=True)
class Reference:
    """Values in ``columns`` must exist in ``table`` (an input table or a reference table)."""

    columns: tuple[str, ...]
    table: str
    expected: str
    target_columns: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    rules: tuple[RowRule, ...] = ()
    references: tuple[Reference, ...] = field(default_factory=tuple)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _kommune() -> Column:
    return Column("kommunenummer", KOMMUNENUMMER, description="four digits, 2024 numbering")


def _count(name: str, *, required: bool = True, description: str = "") -> Column:
    return Column(name, INT, required=required, min=0, max=10_000_000, description=description)


def _is(df: pd.DataFrame, col: str, value: str) -> pd.Series:
    return (df[col] == value).fillna(False).astype(bool)


def _before(df: pd.DataFrame, later: str, earlier: str) -> pd.Series:
    """True where both dates are present and ``later`` is before ``earlier``."""
    return (df[later] < df[earlier]).fillna(False).astype(bool)


ANSATTE = Table(
    name="ansatte_kompetanse",
    description="One row per staff member and method: training and certification.",
    columns=(
        _kommune(),
        Column("ansatt_id", TEXT, max_length=64, description="pseudonymous id, never a name"),
        Column("tjeneste", CATEGORY, categories=TJENESTER),
        Column("metode", SLUG, description="a method of the catalogue"),
        Column("status", CATEGORY, categories=ANSATT_STATUS),
        Column("opplaering_start", DATE),
        Column("sertifisert_dato", DATE, required=False),
        Column("sertifisering_utloper", DATE, required=False),
        Column("sluttet_dato", DATE, required=False),
    ),
    key=("kommunenummer", "ansatt_id", "metode"),
    rules=(
        RowRule(
            "certified_needs_date",
            "sertifisert_dato",
            lambda d: _is(d, "status", "sertifisert") & d["sertifisert_dato"].isna(),
            "a date, required when status is 'sertifisert'",
        ),
        RowRule(
            "certified_after_training",
            "sertifisert_dato",
            lambda d: _before(d, "sertifisert_dato", "opplaering_start"),
            "a date on or after opplaering_start",
        ),
        RowRule(
            "expiry_after_certification",
            "sertifisering_utloper",
            lambda d: (d["sertifisering_utloper"] <= d["sertifisert_dato"]).fillna(False).astype(bool),
            "a date after sertifisert_dato",
        ),
        RowRule(
            "left_after_start",
            "sluttet_dato",
            lambda d: _before(d, "sluttet_dato", "opplaering_start"),
            "a date on or after opplaering_start",
        ),
    ),
    references=(
        Reference(("metode",), "metoder", "a method in the catalogue (kompetanse.data.reference.metoder())"),
    ),
)

TILBUD = Table(
    name="tilbud",
    description="Offers a municipality ran for parents, per year, method and service.",
    columns=(
        _kommune(),
        Column("ar", YEAR, min=YEAR_RANGE[0], max=YEAR_RANGE[1]),
        Column("metode", SLUG),
        Column("tjeneste", CATEGORY, categories=TJENESTER),
        Column("niva", CATEGORY, categories=LEVELS),
        _count("antall_grupper"),
        _count("antall_foreldre"),
    ),
    key=("kommunenummer", "ar", "metode", "tjeneste"),
    references=(
        Reference(("metode",), "metoder", "a method in the catalogue (kompetanse.data.reference.metoder())"),
        Reference(
            ("metode", "niva"),
            "metode_nivaer",
            "a prevention level the method serves (see nivaer in the method catalogue)",
        ),
    ),
)

BEFOLKNING = Table(
    name="befolkning",
    description="Children aged 0–17 per municipality and year: the denominators.",
    columns=(
        _kommune(),
        Column("ar", YEAR, min=YEAR_RANGE[0], max=YEAR_RANGE[1]),
        _count("barn_0_17"),
    ),
    key=("kommunenummer", "ar"),
)


def _wrong_length(d: pd.DataFrame) -> pd.Series:
    """True where the planned end is less than one year or more than two after the start."""
    lo, hi = PROGRAMME_YEARS
    start, end = d["startdato"], d["planlagt_slutt"]
    shortest = start + pd.DateOffset(years=lo) - pd.Timedelta(days=1)
    longest = start + pd.DateOffset(years=hi)
    return ((end < shortest) | (end > longest)).fillna(False).astype(bool)


PROGRAM_DELTAKELSE = Table(
    name="program_deltakelse",
    description="One row per municipality and FUB/FUG programme cohort.",
    columns=(
        _kommune(),
        Column("kull", COHORT, max_length=20),
        Column("soknad_dato", DATE),
        Column("status", CATEGORY, categories=DELTAKELSE_STATUS),
        # empty allowed only while the application is pending (status 'sokt'), see rules
        Column("startdato", DATE, required=False),
        Column("planlagt_slutt", DATE, required=False),
        _count("antall_barnehager"),
        _count("antall_skoler"),
    ),
    key=("kommunenummer", "kull"),
    rules=(
        RowRule(
            "start_required",
            "startdato",
            lambda d: ~_is(d, "status", "sokt") & d["startdato"].isna() & d["status"].notna(),
            "a date, required unless status is 'sokt'",
        ),
        RowRule(
            "end_required",
            "planlagt_slutt",
            lambda d: ~_is(d, "status", "sokt") & d["planlagt_slutt"].isna() & d["status"].notna(),
            "a date, required unless status is 'sokt'",
        ),
        RowRule(
            "start_after_application",
            "startdato",
            lambda d: _before(d, "startdato", "soknad_dato"),
            "a date on or after soknad_dato",
        ),
        RowRule(
            "programme_length",
            "planlagt_slutt",
            _wrong_length,
            "a date 1 to 2 years after startdato (the programme runs at least one year, at most two)",
        ),
    ),
)

PROGRAM_AKTIVITETER = Table(
    name="program_aktiviteter",
    description="One row per planned or held programme activity.",
    columns=(
        _kommune(),
        Column("kull", COHORT, max_length=20),
        Column("aktivitet_id", TEXT, max_length=64),
        Column("type", CATEGORY, categories=AKTIVITET_TYPER),
        Column("format", CATEGORY, categories=FORMATER),
        Column("dato", DATE),
        Column("status", CATEGORY, categories=AKTIVITET_STATUS),
        _count("antall_deltakere", required=False, description="empty while planlagt"),
    ),
    key=("aktivitet_id",),
    rules=(
        RowRule(
            "planned_has_no_count",
            "antall_deltakere",
            lambda d: _is(d, "status", "planlagt") & d["antall_deltakere"].notna(),
            "empty while status is 'planlagt' (participants are counted when the activity is held)",
        ),
    ),
    references=(
        Reference(
            ("kommunenummer", "kull"),
            "program_deltakelse",
            "a (kommunenummer, kull) that has a row in program_deltakelse",
        ),
    ),
)

FORELDREUNDERSOKELSEN = Table(
    name="foreldreundersokelsen",
    description="Municipal means from Udir's parent survey, per year, school type and indicator.",
    columns=(
        _kommune(),
        Column("ar", YEAR, min=YEAR_RANGE[0], max=YEAR_RANGE[1]),
        Column("skoleslag", CATEGORY, categories=SKOLESLAG),
        Column("indikator", SLUG, max_length=64),
        # empty where the source suppressed the mean (too few respondents)
        Column("snitt", FLOAT, required=False, min=1, max=5),
        _count("antall_svar"),
    ),
    key=("kommunenummer", "ar", "skoleslag", "indikator"),
)

#: Input tables in the order they are validated: a table's references come before it.
TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        ANSATTE,
        TILBUD,
        BEFOLKNING,
        PROGRAM_DELTAKELSE,
        PROGRAM_AKTIVITETER,
        FORELDREUNDERSOKELSEN,
    )
}

#: Everyday names and spellings of methods that map to the catalogue's slugs
#: (compared after header-style normalisation: lower case, æøå transliterated, _ for spaces).
METODE_ALIASES: dict[str, str] = {
    "icdp": "icdp",
    "program_for_foreldreveiledning": "icdp",
    "pmto": "pmto",
    "pmto_foreldregruppe": "pmto-foreldregruppe",
    "tibir": "tibir-foreldreradgivning",
    "tibir_foreldreradgivning": "tibir-foreldreradgivning",
    "foreldreradgivning": "tibir-foreldreradgivning",
    "dua": "duaa",
    "duaa": "duaa",
    "de_utrolige_arene": "duaa",
    "incredible_years": "duaa",
    "cos_p": "cos-p",
    "cosp": "cos-p",
    "circle_of_security": "cos-p",
    "circle_of_security_parenting": "cos-p",
    "trygghetssirkelen": "cos-p",
    "marte_meo": "marte-meo",
    "tik": "tik",
    "tuning_in_to_kids": "tik",
    "nfp": "nfp",
    "familie_for_forste_gang": "nfp",
    "nurse_family_partnership": "nfp",
}


def describe(table: str | None = None) -> pd.DataFrame:
    """The contract as a table, for documentation and notebooks: it returns a DataFrame (JupyterLab
    shows it, ``print()`` prints it); it prints nothing itself.

    Parameters
    ----------
    table
        The name of one input table (``"ansatte_kompetanse"``); None gives every table.

    Returns
    -------
    pandas.DataFrame
        One row per (table, column) in the contract's order, with columns ``tabell``,
        ``kolonne``, ``type`` (the column kind), ``paakrevd`` (required), ``tillatte_verdier``
        (the allowed values, comma-separated; empty when any value of the type is allowed),
        ``min``, ``maks`` and ``nokkel`` (part of the table's key).

    Examples
    --------
    >>> import kompetanse
    >>> kompetanse.schema.describe("tilbud")  # doctest: +SKIP
    """
    if table is not None:
        check_argument("table", TABLES, table)
    rows = [
        {
            "tabell": t.name,
            "kolonne": c.name,
            "type": c.kind,
            "paakrevd": c.required,
            "tillatte_verdier": ", ".join(c.categories),
            "min": c.min,
            "maks": c.max,
            "nokkel": c.name in t.key,
        }
        for t in TABLES.values()
        if table is None or t.name == table
        for c in t.columns
    ]
    return pd.DataFrame(rows)
