"""The synthetic national data set: the six municipal tables for all 357 municipalities of 2024,
plausible enough to exercise every analysis, with a known programme effect planted in the outcomes.

Everything is drawn from ``numpy.random.default_rng(seed)``, so the same ``seed``, ``scale`` and
``effect`` give byte-identical files. Municipalities, population and the method catalogue come
from :mod:`kompetanse.data.reference`; everything else is invented. ``data/sample/README.md`` describes
the committed sample; the assumptions are listed here once.

As-of date and periods
----------------------
The data set is as of ``AS_OF`` = 2026-01-01: nothing is dated on or after it except what is
planned (future programme activities, programme starts that are granted or applied for, and
certification expiry dates). Data years are 2021–2025 (one period = one calendar year);
the parent survey covers 2018–2025 so there are years before every programme start.

Planted truth (the outcome study)
---------------------------------
``effect`` (default ``DEFAULT_EFFECT`` = 0.15 points on the 1–5 scale) is added to ``snitt`` of
indicator ``samarbeid``, both ``skoleslag``, in every survey year ``ar >= start year + 1`` where
*start year* is the calendar year of ``startdato`` in ``program_deltakelse``, for municipalities
whose programme status is ``aktiv`` or ``fullfort``. By default a constant step: ``effect`` is the
whole effect, from the first full year after the start. ``effect_growth`` (default 0) makes it
grow: ``effect + effect_growth * (ar - (start year + 1))`` in year ``ar``, the shape under which a
naive two-way fixed-effects regression is biased (``benchmarks/outcome_simulation.py``).
Municipalities that applied or were granted a place (``sokt``, ``innvilget``), that withdrew
(``avbrutt``: true effect 0), and that never took part get nothing; ``informasjon`` and
``trivsel`` get nothing. The effect is added after every random draw, so two samples with the
same seed differ only by it (and by the clip to [1, 5] and the rounding to 2 decimals).

Synthetic assumptions
---------------------
- Children 0–17 per year: the real 2024 figure, with a per-municipality random walk in log scale
  for the other years (drift slightly negative for small municipalities, flat for large ones;
  year-to-year noise larger where there are few children).
- Which methods a municipality has: the probability rises with the number of children; ICDP,
  COS-P and TIK are widespread, Marte Meo scattered; PMTO, PMTO-foreldregruppe and TIBIR
  foreldrerådgivning only in about 100 municipalities with a TIBIR agreement, DUÅ in about 125 with
  an implementation agreement, NFP in 0301 Oslo, 1103 Stavanger, 1108 Sandnes, 1121 Time and 2–3
  other large municipalities. Roughly 40–50 % of the municipalities under 2,000 inhabitants have
  no trained staff at all. Staff per method grow with children to the power 0.9, so Oslo has
  hundreds of rows and the smallest municipalities 0–3.
- Certification expiry: only PMTO, PMTO-foreldregruppe and TIBIR foreldrerådgivning carry
  ``sertifisering_utloper``, ``RENEWAL_YEARS`` (3) years after ``sertifisert_dato``, which is the
  latest (re)certification; the interval is a synthetic assumption (NUBU requires follow-up but
  states no period). Rows past expiry have status ``utgatt``. Other methods never expire.
- Training lengths (``opplaering_start`` to the first certification) follow the catalogue notes
  (COS-P a 4-day course, ICDP about 5 months, DUÅ and PMTO about 1.5 years, Marte Meo 2–3 years;
  TIK 2 days and NFP one year are assumptions). First certifications go back to the year each
  method came to Norway, a little more often recent than old. About 7 % of rows are still in
  training (none for the short COS-P and TIK courses).
- About 10 % of certified people left (``sluttet_dato``, a month end in 2021–2025, after their
  certification); a person who left leaves every method they hold.
- ``tilbud``: a (municipality, year, method, service) can have an offer when someone there was
  certified by 30 September and had neither left nor expired by 1 July; the more such staff, the
  likelier and the larger the offer. One level per row. For individual methods (PMTO, TIBIR
  foreldrerådgivning, Marte Meo, NFP)
  ``antall_grupper`` is 0 and ``antall_foreldre`` counts families; group methods have 1 or more
  groups of about 4–12 parents (smaller in small municipalities). A few group offers were
  announced and not held (0 groups, 0 parents).
- ``program_deltakelse``: cohort ``kull`` Y starts in August–October of Y or January–February of
  Y + 1 and runs 12, 18 or 24 months (24 months end the day before the anniversary, so every
  duration is between 365 and 730 days). Status follows the as-of date; 3–6 municipalities
  withdrew (``avbrutt``) 20–70 % into their period; a few late applications to the
  newest cohort are undecided (``sokt``). Units taking part are sized to the municipality
  (about one barnehage per 210 children, one school per 420).
- ``program_aktiviteter``: activities of each type spread over the programme period (training
  days early), on weekdays and never in July; past ones held (``gjennomfort``) or, about 7 %,
  cancelled (``avlyst``); future ones ``planlagt``. About a quarter of the active municipalities
  are behind (their activities pushed towards the end). A withdrawn municipality's activities
  from its withdrawal on are ``avlyst``. Undecided applications have no activities.
- ``foreldreundersokelsen``: a municipality takes part in a year with a probability that rises
  with its size (about three in four barnehage years, two in three grunnskole years); schools
  choose their question blocks, so a grunnskole indicator can be missing. ``snitt`` = base
  level of (skoleslag, indikator) + municipal effect (SD 0.07, plus 0.05 per indicator) +
  common year shock (SD 0.025) + noise with SD 0.85 / sqrt(``antall_svar``) + 0.05 (sampling of
  respondents plus the changing set of units taking part), clipped to [1, 5].

``scale`` multiplies the rows of ``ansatte_kompetanse`` and ``program_aktiviteter`` about
``scale``-fold, for load tests; ``tilbud`` grows with the staff (more services and larger counts,
about 3× at ``scale=10``); ``befolkning``, ``program_deltakelse`` and ``foreldreundersokelsen``
do not change.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from kompetanse.data import reference

DEFAULT_SEED = 2024
DEFAULT_EFFECT = 0.15
AS_OF = date(2026, 1, 1)
DATA_YEARS: tuple[int, ...] = (2021, 2022, 2023, 2024, 2025)
SURVEY_YEARS: tuple[int, ...] = tuple(range(2018, 2026))
COHORTS: tuple[str, ...] = tuple(str(y) for y in DATA_YEARS)
RENEWAL_YEARS = 3

COLUMNS: dict[str, tuple[str, ...]] = {
    "ansatte_kompetanse": (
        "kommunenummer", "ansatt_id", "tjeneste", "metode", "status", "opplaering_start",
        "sertifisert_dato", "sertifisering_utloper", "sluttet_dato",
    ),
    "tilbud": (
        "kommunenummer", "ar", "metode", "tjeneste", "niva", "antall_grupper", "antall_foreldre",
    ),
    "befolkning": ("kommunenummer", "ar", "barn_0_17"),
    "program_deltakelse": (
        "kommunenummer", "kull", "soknad_dato", "status", "startdato", "planlagt_slutt",
        "antall_barnehager", "antall_skoler",
    ),
    "program_aktiviteter": (
        "kommunenummer", "kull", "aktivitet_id", "type", "format", "dato", "status",
        "antall_deltakere",
    ),
    "foreldreundersokelsen": (
        "kommunenummer", "ar", "skoleslag", "indikator", "snitt", "antall_svar",
    ),
}
"""The tables ``generate`` returns, in order, with their columns in the contract's order."""

_TJENESTER = ("helsestasjon", "barnehage", "skole", "barnevern", "ppt", "familiesenter", "annet")
_AS_OF = np.datetime64(AS_OF, "D")
_DAY0 = np.datetime64("1970-01-01", "D")

# Per method: adoption logit at 1,000 children (a) and its slope per tenfold children (b), staff
# per adopting municipality per 1,000 children (c), training days, first year anyone in Norway
# was certified, share of rows still in training, whether the certification expires, whether it
# is a group method, and for individual methods families per certified person per year.
# Adoption of the agreement methods (pmto, pmto-foreldregruppe, tibir-foreldreradgivning, duaa,
# nfp) is decided by the agreements in `_adoption`, a and b are then the share among them.
_METHOD_PARAMS = pd.DataFrame.from_records(
    [
        ("icdp", 1.3, 2.0, 1.6, 150, 2008, 0.08, False, True, 0),
        ("pmto", 0.3, 1.5, 0.25, 540, 2002, 0.15, True, False, 4),
        ("pmto-foreldregruppe", 0.9, 0.0, 0.35, 240, 2008, 0.10, True, True, 0),
        ("tibir-foreldreradgivning", 2.2, 0.0, 0.5, 120, 2008, 0.08, True, False, 5),
        ("duaa", 9.0, 0.0, 0.7, 500, 2008, 0.15, False, True, 0),
        ("cos-p", 0.8, 2.0, 1.2, 3, 2013, 0.0, False, True, 0),
        ("marte-meo", -1.3, 1.2, 0.25, 900, 2002, 0.20, False, False, 3),
        ("tik", -0.5, 1.5, 0.6, 1, 2017, 0.0, False, True, 0),
        ("nfp", 9.0, 0.0, 0.15, 365, 2016, 0.10, False, False, 8),
    ],
    columns=[
        "metode", "adopt_a", "adopt_b", "staff_c", "training_days", "first_year",
        "share_training", "expires", "group", "families_per_staff",
    ],
)

# Where each method's trained staff work (weights, normalised per method).
_TJENESTE_WEIGHTS: dict[str, dict[str, float]] = {
    "icdp": {"helsestasjon": 35, "barnehage": 15, "skole": 5, "barnevern": 10,
             "familiesenter": 20, "annet": 15},
    "pmto": {"barnevern": 35, "ppt": 15, "familiesenter": 30, "annet": 20},
    "pmto-foreldregruppe": {"helsestasjon": 15, "barnevern": 25, "ppt": 15,
                            "familiesenter": 35, "annet": 10},
    "tibir-foreldreradgivning": {"helsestasjon": 30, "barnehage": 10, "barnevern": 15, "ppt": 25,
                                 "familiesenter": 20},
    "duaa": {"helsestasjon": 10, "barnehage": 30, "skole": 20, "barnevern": 5, "ppt": 20,
             "familiesenter": 15},
    "cos-p": {"helsestasjon": 45, "barnehage": 20, "barnevern": 10, "ppt": 5,
              "familiesenter": 20},
    "marte-meo": {"helsestasjon": 10, "barnehage": 35, "barnevern": 25, "ppt": 10,
                  "familiesenter": 20},
    "tik": {"helsestasjon": 40, "barnehage": 15, "skole": 25, "ppt": 5, "familiesenter": 15},
    "nfp": {"helsestasjon": 100},
}

# Which of a method's levels an offer served (weights; levels missing here share equally).
_NIVA_WEIGHTS: dict[str, dict[str, float]] = {
    "pmto-foreldregruppe": {"selektiv": 60, "indikativ": 40},
    "tibir-foreldreradgivning": {"selektiv": 70, "indikativ": 30},
    "duaa": {"universell": 40, "selektiv": 35, "indikativ": 25},
    "cos-p": {"universell": 60, "selektiv": 25, "indikativ": 15},
    "nfp": {"selektiv": 70, "indikativ": 30},
}

_NFP_PILOTS = ("0301", "1103", "1108", "1121")
_ACTIVITY_TYPES = ("opplaeringsdag", "personalmote", "foreldremote", "veiledning")
# Planned activities of each type in an 18-month programme (low, high inclusive), and the share
# held physically rather than digitally.
_ACTIVITY_PLAN = {"opplaeringsdag": (3, 6), "personalmote": (6, 10), "foreldremote": (3, 6),
                  "veiledning": (6, 12)}
_ACTIVITY_FYSISK = {"opplaeringsdag": 0.40, "personalmote": 0.20, "foreldremote": 0.35,
                    "veiledning": 0.15}
# Survey means before municipal effects, by (skoleslag, indikator).
_SURVEY_BASE = {
    ("barnehage", "samarbeid"): 4.30, ("barnehage", "informasjon"): 4.20,
    ("barnehage", "trivsel"): 4.50, ("grunnskole", "samarbeid"): 3.95,
    ("grunnskole", "informasjon"): 4.05, ("grunnskole", "trivsel"): 4.25,
}


def generate(
    *, seed: int = DEFAULT_SEED, scale: float = 1.0, effect: float = DEFAULT_EFFECT, effect_growth: float = 0.0
) -> dict[str, pd.DataFrame]:
    """Generate the synthetic national data set.

    Parameters
    ----------
    seed : the seed of ``numpy.random.default_rng``; the same seed, scale and effect give the
        same tables.
    scale : multiplies the rows of ``ansatte_kompetanse`` and ``program_aktiviteter`` about
        ``scale``-fold (load tests). Must be positive; the other tables keep their size.
    effect : points added to ``samarbeid`` in participating municipalities after their start
        (see the module docstring for the exact definition). 0 plants no effect.
    effect_growth : points added to the effect for each further year after the first full
        year (default 0: a constant step).

    Returns
    -------
    dict of table name to DataFrame, in the order of ``COLUMNS``, each with exactly the
    contract's columns. ``kommunenummer``, ``kull`` and categories are strings, dates are
    ``datetime64`` (``NaT`` when empty), counts are ``int64`` or ``Int64`` where they may be empty
    (``antall_deltakere``), ``snitt`` is float rounded to 2 decimals.

    Examples
    --------
    >>> tables = generate(seed=1)
    >>> sorted(tables)[:2]
    ['ansatte_kompetanse', 'befolkning']
    """
    if not scale > 0:
        raise ValueError(f"The value for `scale` must be positive, but {scale!r} was passed.")
    # One independent stream per table, so that `scale` changes only the tables it scales.
    rngs = dict(zip(COLUMNS, np.random.default_rng(seed).spawn(len(COLUMNS)), strict=True))
    kommuner = _municipalities()

    befolkning = _befolkning(rngs["befolkning"], kommuner)
    ansatte = _ansatte(rngs["ansatte_kompetanse"], kommuner, scale)
    tilbud = _tilbud(rngs["tilbud"], kommuner, ansatte)
    deltakelse, withdrawn = _deltakelse(rngs["program_deltakelse"], kommuner)
    aktiviteter = _aktiviteter(rngs["program_aktiviteter"], deltakelse, withdrawn, scale)
    survey = _foreldreundersokelsen(rngs["foreldreundersokelsen"], kommuner, deltakelse, effect, effect_growth)

    tables = {
        "ansatte_kompetanse": ansatte,
        "tilbud": tilbud,
        "befolkning": befolkning,
        "program_deltakelse": deltakelse,
        "program_aktiviteter": aktiviteter,
        "foreldreundersokelsen": survey,
    }
    return {name: tables[name].loc[:, list(cols)] for name, cols in COLUMNS.items()}


def write_sample(
    out: str | Path,
    *,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
    effect: float = DEFAULT_EFFECT,
    effect_growth: float = 0.0,
) -> dict[str, Path]:
    """Generate the synthetic data set and write one ``<table>.csv`` per table into ``out``.

    Files are UTF-8 with a comma separator, ``\\n`` line endings and a header row; dates are
    ISO ``yyyy-mm-dd``, missing values are empty cells, integers have no decimals, ``snitt``
    has 2 decimals and ``kommunenummer`` keeps its leading zero. The same arguments give
    byte-identical files. ``out`` is created if needed; existing files of the same names are
    replaced, other files are left alone.

    Parameters are those of :func:`generate`. Returns the path of each file written, by table.

    Examples
    --------
    >>> paths = write_sample("data/sample")  # doctest: +SKIP
    >>> paths["tilbud"].name  # doctest: +SKIP
    'tilbud.csv'
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, df in generate(seed=seed, scale=scale, effect=effect, effect_growth=effect_growth).items():
        path = out / f"{name}.csv"
        df.to_csv(
            path,
            index=False,
            encoding="utf-8",
            lineterminator="\n",
            date_format="%Y-%m-%d",
            float_format="%.2f",
            na_rep="",
        )
        paths[name] = path
    return paths


# --- reference and small helpers ------------------------------------------------------------


def _municipalities() -> pd.DataFrame:
    """The 2024 municipalities with inhabitants and children, sorted by number, plus ``x``, the
    base-10 log of children (the size everything scales with)."""
    kommuner = reference.kommuner()[["kommunenummer"]].merge(
        reference.befolkning_2024(), on="kommunenummer", how="left", validate="one_to_one"
    )
    if kommuner["barn_0_17"].isna().any():
        raise RuntimeError("reference.befolkning_2024() lacks a municipality of kommuner()")
    kommuner = kommuner.sort_values("kommunenummer", ignore_index=True)
    return kommuner.assign(x=np.log10(kommuner["barn_0_17"].clip(lower=1)))


def _method_params() -> pd.DataFrame:
    """The method parameters joined to the catalogue, in catalogue order, with the levels."""
    catalogue = reference.metoder()[["metode", "nivaer"]]
    missing = set(catalogue["metode"]) ^ set(_METHOD_PARAMS["metode"])
    if missing:
        raise RuntimeError(f"sample.py has no parameters for methods {sorted(missing)}")
    return catalogue.merge(_METHOD_PARAMS, on="metode", validate="one_to_one")


def _expit(z):
    return 1.0 / (1.0 + np.exp(-z))


def _days(d: np.ndarray) -> np.ndarray:
    """Day numbers (int64, days since 1970-01-01) of a datetime64[D] array."""
    return (d - _DAY0).astype("int64")


def _day_numbers(values: pd.Series, fill: int) -> np.ndarray:
    """Day numbers of a datetime Series, ``fill`` where it is NaT."""
    d = values.to_numpy().astype("datetime64[D]")
    return np.where(np.isnat(d), fill, (d - _DAY0).astype("int64"))


def _dates(days: np.ndarray, missing: np.ndarray | None = None) -> pd.Series:
    """datetime64 values from day numbers, NaT where ``missing``."""
    values = _DAY0 + np.asarray(days, dtype="int64").astype("timedelta64[D]")
    if missing is not None:
        values = np.where(missing, np.datetime64("NaT", "D"), values)
    return pd.Series(pd.to_datetime(values))


def _weekday(days: np.ndarray) -> np.ndarray:
    """Monday = 0 … Sunday = 6 (1970-01-01 was a Thursday)."""
    return (days + 3) % 7


def _back_to_weekday(days: np.ndarray) -> np.ndarray:
    """Move Saturdays and Sundays back to the Friday before."""
    wd = _weekday(days)
    return days - np.where(wd >= 5, wd - 4, 0)


def _forward_to_weekday(days: np.ndarray) -> np.ndarray:
    """Move Saturdays and Sundays forward to the Monday after."""
    wd = _weekday(days)
    return days + np.where(wd >= 5, 7 - wd, 0)


def _add_months(days: np.ndarray, months: int) -> np.ndarray:
    """Day numbers ``months`` calendar months later (end-of-month clipped, as pandas does)."""
    shifted = pd.DatetimeIndex(_dates(days)) + pd.DateOffset(months=months)
    return _days(shifted.to_numpy().astype("datetime64[D]"))


def _month_end(days: np.ndarray) -> np.ndarray:
    months = (_DAY0 + days.astype("timedelta64[D]")).astype("datetime64[M]")
    return _days((months + 1).astype("datetime64[D]")) - 1


def _choose(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One column index per row of a row-stochastic matrix ``probs``."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs)) * cum[:, -1]
    return np.minimum((u[:, None] >= cum).sum(axis=1), probs.shape[1] - 1)


def _scaled(rng: np.random.Generator, counts: np.ndarray, scale: float) -> np.ndarray:
    """``counts`` multiplied by ``scale`` in expectation, staying integer: the whole part times
    each count, plus a binomial draw for the fraction."""
    whole = int(np.floor(scale))
    return counts * whole + rng.binomial(counts, scale - whole)


_DATA_START = _days(np.datetime64(f"{DATA_YEARS[0]}-01-01", "D"))
_DATA_END = _days(np.datetime64(f"{DATA_YEARS[-1]}-12-31", "D"))
_AS_OF_DAY = _days(_AS_OF)


# --- befolkning ---------------------------------------------------------------------------


def _befolkning(rng: np.random.Generator, kommuner: pd.DataFrame) -> pd.DataFrame:
    """Children 0–17 per municipality and data year: the real 2024 figure, and a random walk
    in log scale to the other years."""
    barn = kommuner["barn_0_17"].to_numpy(dtype=float)
    x = kommuner["x"].to_numpy()
    z = (x - x.mean()) / x.std()
    drift = -0.004 + 0.002 * z + rng.normal(0.0, 0.004, len(x))
    sd = 0.003 + 0.3 / np.sqrt(barn)
    steps = drift[:, None] + sd[:, None] * rng.standard_normal((len(x), len(DATA_YEARS) - 1))
    # steps[:, i] is the log change from DATA_YEARS[i] to DATA_YEARS[i + 1]; 2024 is anchored.
    years = np.asarray(DATA_YEARS)
    anchor = int(np.flatnonzero(years == 2024)[0])
    cum = np.concatenate([np.zeros((len(x), 1)), np.cumsum(steps, axis=1)], axis=1)
    log_barn = np.log(barn)[:, None] + cum - cum[:, [anchor]]
    values = np.rint(np.exp(log_barn)).astype("int64")
    return pd.DataFrame(
        {
            "kommunenummer": np.repeat(kommuner["kommunenummer"].to_numpy(), len(years)),
            "ar": np.tile(years, len(x)),
            "barn_0_17": values.ravel(),
        }
    )


# --- ansatte_kompetanse -------------------------------------------------------------------


def _adoption(rng: np.random.Generator, kommuner: pd.DataFrame, params: pd.DataFrame):
    """Boolean matrix (municipality × method): does the municipality have trained staff in it."""
    n, x = len(kommuner), kommuner["x"].to_numpy()
    knr = kommuner["kommunenummer"].to_numpy()
    slugs = list(params["metode"])
    # A municipality's general appetite for parent-support work, shared by all methods.
    appetite = rng.normal(0.0, 0.8, n)
    logit = (
        params["adopt_a"].to_numpy()[None, :]
        + params["adopt_b"].to_numpy()[None, :] * (x[:, None] - 3.0)
        + appetite[:, None]
    )
    adopted = rng.random(logit.shape) < _expit(logit)

    def agreement(count: int, slope: float) -> np.ndarray:
        weight = _expit(slope * (x - 3.0) + appetite)
        chosen = rng.choice(n, size=count, replace=False, p=weight / weight.sum())
        return np.isin(np.arange(n), chosen)

    tibir = agreement(int(rng.integers(95, 106)), 2.0)
    duaa = agreement(int(rng.integers(118, 131)), 1.5)
    col = {slug: i for i, slug in enumerate(slugs)}
    tibir_modules = [col["pmto"], col["pmto-foreldregruppe"], col["tibir-foreldreradgivning"]]
    adopted[:, tibir_modules] &= tibir[:, None]
    # Every municipality with a TIBIR agreement has trained someone in at least one module.
    none_yet = tibir & ~adopted[:, tibir_modules].any(axis=1)
    adopted[none_yet, col["tibir-foreldreradgivning"]] = True
    adopted[:, col["duaa"]] = duaa
    # PMTO therapists are found in the larger of the TIBIR municipalities.
    adopted[:, col["pmto"]] &= rng.random(n) < _expit(0.3 + 1.5 * (x - 3.0))

    large = np.flatnonzero((kommuner["barn_0_17"].to_numpy() >= 5000) & ~np.isin(knr, _NFP_PILOTS))
    later = rng.choice(large, size=int(rng.integers(2, 4)), replace=False)
    adopted[:, col["nfp"]] = np.isin(knr, _NFP_PILOTS) | np.isin(np.arange(n), later)

    # Small municipalities often have nobody trained and rely on their neighbours.
    nobody = rng.random(n) < _expit(-1.5 - 2.5 * (x - 2.5))
    nobody &= kommuner["innbyggere_2024"].to_numpy() < 5000
    adopted[nobody, :] = False
    return adopted


def _ansatte(rng: np.random.Generator, kommuner: pd.DataFrame, scale: float) -> pd.DataFrame:
    params = _method_params()
    n_k, n_m = len(kommuner), len(params)
    adopted = _adoption(rng, kommuner, params)

    children = kommuner["barn_0_17"].to_numpy(dtype=float)
    lam = (
        params["staff_c"].to_numpy()[None, :]
        * (children[:, None] / 1000.0) ** 0.9
        * np.exp(rng.normal(0.0, 0.4, (n_k, n_m)))
    )
    counts = adopted * (1 + rng.poisson(lam))
    counts = _scaled(rng, counts, scale).ravel()

    k = np.repeat(np.repeat(np.arange(n_k), n_m), counts)
    m = np.repeat(np.tile(np.arange(n_m), n_k), counts)
    n_rows = len(k)

    weights = np.array(
        [[_TJENESTE_WEIGHTS[slug].get(t, 0.0) for t in _TJENESTER] for slug in params["metode"]]
    )
    t = _choose(rng, weights[m])

    # People: two rows of different methods in the same municipality and service may be the
    # same person. Sort rows in random order within (municipality, service) and let a row join
    # the row before it; a row that joins cannot be joined, so nobody holds a method twice.
    order = np.lexsort((rng.random(n_rows), t, k))
    k, m, t = k[order], m[order], t[order]
    same_group = np.r_[False, (k[1:] == k[:-1]) & (t[1:] == t[:-1]) & (m[1:] != m[:-1])]
    candidate = same_group & (rng.random(n_rows) < 0.3)
    joins = candidate & ~np.r_[False, candidate[:-1]]
    person = np.cumsum(~joins) - 1
    n_people = int(person[-1]) + 1 if n_rows else 0
    ids = rng.choice(16**8, size=n_people, replace=False)
    person_ids = np.array([f"A{v:08X}" for v in ids], dtype=object)

    # Status and dates, per row.
    p = params.iloc[m]
    expires = p["expires"].to_numpy()
    training = p["training_days"].to_numpy()
    long_course = training >= 30
    training = np.where(
        long_course, np.rint(training * rng.uniform(0.85, 1.2, n_rows)), training
    ).astype("int64")
    u = rng.random(n_rows)
    in_training = u < p["share_training"].to_numpy()
    lapsed = expires & ~in_training & (rng.random(n_rows) < 0.12)
    certified = ~in_training

    # First certification: days back from the as-of date, an exponential (mean 12 years)
    # truncated at the year the method came to Norway, so recent years hold a few more.
    max_back = _AS_OF_DAY - _days(
        (p["first_year"].to_numpy().astype(str).astype("datetime64[Y]")).astype("datetime64[D]")
    )
    mean_back = 12 * 365.25
    v = rng.random(n_rows)
    back = -mean_back * np.log1p(-v * (1 - np.exp(-max_back / mean_back)))
    first_cert = _back_to_weekday(_AS_OF_DAY - np.maximum(np.rint(back), 1).astype("int64"))

    # Expiring methods: sertifisert_dato is the latest (re)certification.
    renew_back = np.where(
        lapsed, rng.integers(1100, 2900, n_rows), rng.integers(3, 1090, n_rows)
    )
    latest = _back_to_weekday(_AS_OF_DAY - renew_back)
    cert = np.where(expires, latest, first_cert)
    first_cert = np.minimum(first_cert, cert)
    start_certified = _back_to_weekday(first_cert - training)
    into_training = (rng.random(n_rows) * training).astype("int64")
    start_training = _back_to_weekday(_AS_OF_DAY - 1 - into_training)
    start = np.where(in_training, start_training, start_certified)
    expiry = _add_months(cert, 12 * RENEWAL_YEARS)

    status = np.where(in_training, "i_opplaering", np.where(lapsed, "utgatt", "sertifisert"))

    # Leaving: per person, about 10 % of the certified, at a month end after their latest
    # certification and within the data years; never someone still in training.
    frame = pd.DataFrame({"person": person, "cert": np.where(certified, cert, -1),
                          "training": in_training})
    per_person = frame.groupby("person", sort=True).agg(cert=("cert", "max"),
                                                        training=("training", "any"))
    lo = np.maximum(per_person["cert"].to_numpy() + 1, _DATA_START)
    hi = _DATA_END
    leaves = (~per_person["training"].to_numpy()) & (lo <= hi) & (rng.random(n_people) < 0.105)
    left_day = _month_end(lo + (rng.random(n_people) * (hi - lo + 1)).astype("int64"))
    left = leaves[person]
    left_day = left_day[person]

    out = pd.DataFrame(
        {
            "kommunenummer": kommuner["kommunenummer"].to_numpy()[k],
            "ansatt_id": person_ids[person],
            "tjeneste": np.asarray(_TJENESTER, dtype=object)[t],
            "metode": params["metode"].to_numpy()[m],
            "status": status,
            "opplaering_start": _dates(start),
            "sertifisert_dato": _dates(cert, missing=in_training),
            "sertifisering_utloper": _dates(expiry, missing=in_training | ~expires),
            "sluttet_dato": _dates(left_day, missing=~left),
            # The first certification, for `_tilbud`: sertifisert_dato of an expiring method is
            # the latest renewal. Not a column of the contract; `generate` drops it.
            "_first_cert": _dates(first_cert, missing=in_training),
        }
    )
    for col in ("ansatt_id", "tjeneste", "metode", "status"):
        out[col] = out[col].astype("str")
    return out.sort_values(["kommunenummer", "ansatt_id", "metode"], ignore_index=True)


# --- tilbud -------------------------------------------------------------------------------


def _tilbud(rng: np.random.Generator, kommuner: pd.DataFrame, ansatte: pd.DataFrame):
    """Offers per (municipality, year, method, service) where certified staff worked that year."""
    params = _method_params().set_index("metode")
    never = np.iinfo("int64").max
    cert = _day_numbers(ansatte["_first_cert"], never)
    gone = np.minimum(
        _day_numbers(ansatte["sluttet_dato"], never),
        _day_numbers(ansatte["sertifisering_utloper"], never),
    )
    active = {}
    for year in DATA_YEARS:
        # Certified in time for the autumn term, and still there and valid at midsummer.
        autumn = _days(np.datetime64(f"{year}-09-30", "D"))
        midsummer = _days(np.datetime64(f"{year}-07-01", "D"))
        active[year] = (cert <= autumn) & (gone >= midsummer)
    staff = (
        pd.DataFrame({"kommunenummer": ansatte["kommunenummer"], "metode": ansatte["metode"],
                      "tjeneste": ansatte["tjeneste"], **{str(y): a for y, a in active.items()}})
        .groupby(["kommunenummer", "metode", "tjeneste"], sort=True)
        .sum()
        .melt(ignore_index=False, var_name="ar", value_name="staff")
        .reset_index()
    )
    staff = staff[staff["staff"] > 0].sort_values(
        ["kommunenummer", "ar", "metode", "tjeneste"], ignore_index=True
    )
    n = len(staff)
    c = staff["staff"].to_numpy()
    runs = rng.random(n) < 1 - 0.35**c
    x = staff[["kommunenummer"]].merge(kommuner[["kommunenummer", "x"]], on="kommunenummer")
    x = x["x"].to_numpy()

    p = params.loc[staff["metode"]]
    group = p["group"].to_numpy()
    groups = np.maximum(1, rng.poisson(0.6 * c))
    size = 4.0 + 5.0 * _expit(2.0 * (x - 2.7))
    parents_group = np.clip(rng.poisson(groups * size), 1, 12 * groups)
    families = np.maximum(1, rng.poisson(p["families_per_staff"].to_numpy() * c))
    not_held = group & (rng.random(n) < 0.03)
    antall_grupper = np.where(group & ~not_held, groups, 0)
    antall_foreldre = np.where(group, np.where(not_held, 0, parents_group), families)

    levels = list(reference.LEVELS)
    level_weights = pd.DataFrame(
        [
            [_NIVA_WEIGHTS.get(slug, {}).get(lvl, 1.0) if lvl in nivaer else 0.0 for lvl in levels]
            for slug, nivaer in params["nivaer"].items()
        ],
        index=params.index,
    )
    niva_w = level_weights.loc[staff["metode"]].to_numpy()
    niva = np.asarray(levels, dtype=object)[_choose(rng, niva_w)]

    out = pd.DataFrame(
        {
            "kommunenummer": staff["kommunenummer"],
            "ar": staff["ar"].astype("int64"),
            "metode": staff["metode"],
            "tjeneste": staff["tjeneste"],
            "niva": pd.array(niva, dtype="str"),
            "antall_grupper": antall_grupper.astype("int64"),
            "antall_foreldre": antall_foreldre.astype("int64"),
        }
    )
    return out[runs].reset_index(drop=True)


# --- program_deltakelse -------------------------------------------------------------------


def _deltakelse(rng: np.random.Generator, kommuner: pd.DataFrame):
    """Cohorts of the FUB/FUG programme. Returns the table and, for withdrawn municipalities,
    the day they stopped (a Series of day numbers indexed like the table)."""
    sizes = rng.integers(10, 26, len(COHORTS))
    children = kommuner["barn_0_17"].to_numpy(dtype=float)
    weight = children**0.35
    picked = rng.choice(
        len(kommuner), size=int(sizes.sum()), replace=False, p=weight / weight.sum()
    )
    kull = np.repeat(np.asarray(COHORTS), sizes)
    year = kull.astype("int64")
    n = len(picked)

    # Start in August–October of the cohort year, or January–February of the next.
    autumn = rng.random(n) < 0.7
    autumn_start = _days(np.asarray([f"{y}-08-10" for y in year], dtype="datetime64[D]"))
    spring_start = _days(np.asarray([f"{y + 1}-01-05" for y in year], dtype="datetime64[D]"))
    start = np.where(
        autumn, autumn_start + rng.integers(0, 67, n), spring_start + rng.integers(0, 55, n)
    )
    start = _forward_to_weekday(start)
    soknad = _back_to_weekday(start - rng.integers(75, 211, n))

    # A few late applications to the newest cohort are not yet decided on the as-of date.
    newest = np.flatnonzero(kull == COHORTS[-1])
    pending = np.isin(np.arange(n), rng.choice(newest, size=min(3, len(newest)), replace=False))
    soknad = np.where(pending, _back_to_weekday(_AS_OF_DAY - rng.integers(10, 46, n)), soknad)
    start = np.where(pending, _forward_to_weekday(soknad + rng.integers(70, 121, n)), start)

    months = rng.choice(np.array([12, 18, 24]), size=n, p=[0.3, 0.4, 0.3])
    end = np.select(
        [months == 12, months == 18],
        [_add_months(start, 12), _add_months(start, 18)],
        _add_months(start, 24) - 1,
    )

    started = start < _AS_OF_DAY
    # A few municipalities (3–6) that started at least four months before the as-of date
    # withdrew, 20–70 % into their period and at the latest a month before the as-of date.
    eligible = np.flatnonzero(start < _AS_OF_DAY - 120)
    quitters = rng.choice(eligible, size=min(len(eligible), int(rng.integers(3, 7))), replace=False)
    withdraws = np.isin(np.arange(n), quitters)
    stop = start + (rng.uniform(0.2, 0.7, n) * (end - start)).astype("int64")
    stop = np.minimum(stop, _AS_OF_DAY - 30)
    status = np.select(
        [pending, ~started, withdraws, end < _AS_OF_DAY],
        ["sokt", "innvilget", "avbrutt", "fullfort"],
        "aktiv",
    )

    n_bhg = np.maximum(1, np.rint(children[picked] / 210)).astype("int64")
    n_skoler = np.maximum(1, np.rint(children[picked] / 420)).astype("int64")
    share = rng.uniform(0.3, 1.0, n)
    bhg = rng.binomial(n_bhg, np.minimum(1.0, share * np.minimum(1.0, 30 / n_bhg)))
    skoler = rng.binomial(n_skoler, np.minimum(1.0, share * np.minimum(1.0, 15 / n_skoler)))
    only = rng.random(n)
    bhg = np.where(only < 0.12, 0, bhg)  # schools only
    skoler = np.where(only > 0.85, 0, skoler)  # barnehager only
    bhg = np.where(bhg + skoler == 0, 1, bhg)

    out = pd.DataFrame(
        {
            "kommunenummer": kommuner["kommunenummer"].to_numpy()[picked],
            "kull": pd.array(kull, dtype="str"),
            "soknad_dato": _dates(soknad),
            "status": pd.array(status, dtype="str"),
            "startdato": _dates(start),
            "planlagt_slutt": _dates(end),
            "antall_barnehager": bhg.astype("int64"),
            "antall_skoler": skoler.astype("int64"),
        }
    )
    out["_stop"] = np.where(withdraws, stop, np.iinfo("int64").max)
    out = out.sort_values(["kull", "kommunenummer"], ignore_index=True)
    return out.drop(columns="_stop"), out["_stop"]


# --- program_aktiviteter ------------------------------------------------------------------


def _aktiviteter(
    rng: np.random.Generator, deltakelse: pd.DataFrame, stop: pd.Series, scale: float
) -> pd.DataFrame:
    """Planned and held activities across each programme period (not for undecided
    applications). About a quarter of the active municipalities are behind schedule."""
    keep = (deltakelse["status"] != "sokt").to_numpy()
    d = deltakelse[keep].reset_index(drop=True)
    stop = stop[keep].to_numpy()
    start = _days(d["startdato"].to_numpy().astype("datetime64[D]"))
    end = _days(d["planlagt_slutt"].to_numpy().astype("datetime64[D]"))
    length = end - start
    behind = (d["status"] == "aktiv").to_numpy() & (rng.random(len(d)) < 0.25)
    staff_units = d["antall_barnehager"].to_numpy() * 12 + d["antall_skoler"].to_numpy() * 25
    child_units = d["antall_barnehager"].to_numpy() * 60 + d["antall_skoler"].to_numpy() * 250

    parts = []
    for type_ in _ACTIVITY_TYPES:
        low, high = _ACTIVITY_PLAN[type_]
        planned = rng.integers(low, high + 1, len(d)) * length / 547
        planned = np.maximum(1, np.rint(planned)).astype("int64")
        planned = np.maximum(1, _scaled(rng, planned, scale))
        row = np.repeat(np.arange(len(d)), planned)
        # Position j of n within the period, jittered; training days come early.
        first = np.r_[0, np.cumsum(planned)[:-1]]
        j = np.arange(len(row)) - first[row]
        q = (j + rng.uniform(0.15, 0.85, len(row))) / planned[row]
        if type_ == "opplaeringsdag":
            q = q**1.5
        q = np.where(behind[row], q**0.6, q)
        parts.append(pd.DataFrame({"row": row, "type": type_, "q": q}))
    acts = pd.concat(parts, ignore_index=True)
    row = acts["row"].to_numpy()
    n = len(acts)

    offset = np.clip(np.rint(acts["q"].to_numpy() * length[row]), 1, length[row] - 1)
    day = start[row] + offset.astype("int64")
    # Weekends move to a nearby weekday (Saturday back, Sunday forward, by 1–4 days); July, when
    # nobody meets, moves five weeks earlier or later (later near the start, earlier near the
    # end), keeping the weekday.
    wd = _weekday(day)
    shift = rng.integers(1, 5, n)
    day = day + np.where(wd == 5, -shift, 0) + np.where(wd == 6, shift, 0)
    month = (_DAY0 + day.astype("timedelta64[D]")).astype("datetime64[M]").astype("int64") % 12
    later = ((rng.random(n) < 0.5) | (day - 35 <= start[row])) & (day + 35 < end[row])
    day = np.where(month == 6, np.where(later, day + 35, day - 35), day)
    day = np.clip(day, start[row], _back_to_weekday(end[row]))

    past = day < _AS_OF_DAY
    cancelled = (past & (rng.random(n) < 0.07)) | (day >= stop[row])
    status = np.where(cancelled, "avlyst", np.where(past, "gjennomfort", "planlagt"))

    type_ = acts["type"].to_numpy()
    fysisk = rng.random(n) < np.vectorize(_ACTIVITY_FYSISK.get)(type_)
    share = rng.uniform(0.3, 0.85, n)
    deltakere = np.select(
        [type_ == "opplaeringsdag", type_ == "personalmote", type_ == "foreldremote"],
        [
            rng.binomial(staff_units[row], share),
            rng.binomial(staff_units[row], share * 0.8),
            rng.binomial(child_units[row], share * 0.35),
        ],
        rng.integers(2, 13, n),
    )
    deltakere = np.maximum(deltakere, 2)
    held = status == "gjennomfort"

    out = pd.DataFrame(
        {
            "kommunenummer": d["kommunenummer"].to_numpy()[row],
            "kull": d["kull"].to_numpy()[row],
            "type": type_,
            "format": np.where(fysisk, "fysisk", "digital"),
            "dato": _dates(day),
            "status": status,
            "antall_deltakere": pd.array(np.where(held, deltakere, 0), dtype="Int64"),
        }
    )
    out.loc[~held, "antall_deltakere"] = pd.NA
    out = out.sort_values(
        ["kull", "kommunenummer", "dato", "type"], ignore_index=True, kind="stable"
    )
    width = max(6, len(str(len(out))))
    out.insert(2, "aktivitet_id", [f"AKT-{i:0{width}d}" for i in range(1, len(out) + 1)])
    for col in ("kommunenummer", "kull", "aktivitet_id", "type", "format", "status"):
        out[col] = out[col].astype("str")
    return out


# --- foreldreundersokelsen ----------------------------------------------------------------


def _foreldreundersokelsen(
    rng: np.random.Generator, kommuner: pd.DataFrame, deltakelse: pd.DataFrame, effect: float,
    effect_growth: float = 0.0,
) -> pd.DataFrame:
    """Municipal means of the parent survey, with the programme effect planted in
    ``samarbeid`` (see the module docstring)."""
    n_k = len(kommuner)
    x = kommuner["x"].to_numpy()
    children = kommuner["barn_0_17"].to_numpy()
    years = np.asarray(SURVEY_YEARS)
    skoleslag = ("barnehage", "grunnskole")
    indikatorer = ("samarbeid", "informasjon", "trivsel")

    # One survey unit per (municipality, year, school type), then one row per indicator.
    units = pd.MultiIndex.from_product(
        [range(n_k), years, skoleslag], names=["k", "ar", "skoleslag"]
    ).to_frame(index=False)
    uk = units["k"].to_numpy()
    u_bhg = (units["skoleslag"] == "barnehage").to_numpy()
    n_u = len(units)

    # Taking part: a municipality-level propensity per school type, then each year on its own.
    propensity = rng.normal(0.0, 1.0, (n_k, 2))
    p_take = _expit(
        np.where(u_bhg, 1.2, 0.6) + 1.8 * (x[uk] - 2.7) + propensity[uk, (~u_bhg).astype(int)]
    )
    took = rng.random(n_u) < p_take
    # Respondents: one parent per child in barnehage (about 26 % of children 0–17 are in
    # barnehage), parents of pupils in grades 1–10 (about 55 %); a share of the units take part
    # and a share of their parents answer.
    pool = np.rint(children[uk] * np.where(u_bhg, 0.26, 0.55)).astype("int64")
    units_taking_part = np.where(u_bhg, rng.uniform(0.3, 1.0, n_u), rng.uniform(0.1, 1.0, n_u))
    answering = np.where(u_bhg, rng.uniform(0.5, 0.85, n_u), rng.uniform(0.2, 0.6, n_u))
    respondents = rng.binomial(pool, units_taking_part * answering)

    n_i = len(indikatorer)
    grid = units.loc[units.index.repeat(n_i)].reset_index(drop=True)
    grid["indikator"] = np.tile(np.asarray(indikatorer, dtype=object), n_u)
    k = grid["k"].to_numpy()
    is_bhg = np.repeat(u_bhg, n_i)
    n = len(grid)
    # Schools choose their question blocks, so an indicator can be missing for grunnskole.
    block = is_bhg | (rng.random(n) < 0.9)
    svar = rng.binomial(np.repeat(respondents, n_i), rng.uniform(0.92, 1.0, n))
    took = np.repeat(took, n_i)

    base = np.array([_SURVEY_BASE[(s, i)] for s, i in zip(grid["skoleslag"], grid["indikator"],
                                                          strict=True)])
    municipal = rng.normal(0.0, 0.07, n_k)[k]
    specific = rng.normal(0.0, 0.05, (n_k, 6))
    cell = (~is_bhg).astype(int) * 3 + pd.Categorical(grid["indikator"], indikatorer).codes
    shocks = rng.normal(0.0, 0.025, (len(years), 6))
    year_pos = grid["ar"].to_numpy() - years[0]
    noise = rng.normal(0.0, 1.0, n) * (0.85 / np.sqrt(np.maximum(svar, 1)) + 0.05)
    snitt = base + municipal + specific[k, cell] + shocks[year_pos, cell] + noise

    # The planted effect, added after every draw.
    treated = deltakelse[deltakelse["status"].isin(["aktiv", "fullfort"])]
    first_post = pd.Series(
        treated["startdato"].dt.year.to_numpy() + 1, index=treated["kommunenummer"].to_numpy()
    )
    knr = kommuner["kommunenummer"].to_numpy()
    post_from = first_post.reindex(knr).to_numpy(dtype=float)[k]
    is_samarbeid = (grid["indikator"] == "samarbeid").to_numpy()
    ar = grid["ar"].to_numpy()
    gets_effect = is_samarbeid & (ar >= post_from)
    snitt = snitt + np.where(gets_effect, effect + effect_growth * (ar - np.nan_to_num(post_from)), 0.0)
    snitt = np.round(np.clip(snitt, 1.0, 5.0), 2)

    keep = took & block & (svar > 0)
    out = pd.DataFrame(
        {
            "kommunenummer": knr[k],
            "ar": grid["ar"].astype("int64"),
            "skoleslag": grid["skoleslag"].astype("str"),
            "indikator": grid["indikator"].astype("str"),
            "snitt": snitt,
            "antall_svar": svar.astype("int64"),
        }
    )
    out["kommunenummer"] = out["kommunenummer"].astype("str")
    return out[keep].reset_index(drop=True)
