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

Modules
-------
One per table or pair of tables, each drawing from its own random stream: ``population``
(``befolkning``), ``staff`` (``ansatte_kompetanse``), ``offers`` (``tilbud``), ``programme``
(``program_deltakelse``, ``program_aktiviteter``) and ``survey`` (``foreldreundersokelsen``);
``base`` holds the constants, the municipalities and the method parameters, ``days`` the
day-number calendar helpers. Only the names in ``__all__`` are public.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from kompetanse.data.sample.base import (
    AS_OF,
    COHORTS,
    COLUMNS,
    DATA_YEARS,
    DEFAULT_EFFECT,
    DEFAULT_SEED,
    RENEWAL_YEARS,
    SURVEY_YEARS,
    _municipalities,
)
from kompetanse.data.sample.offers import _tilbud
from kompetanse.data.sample.population import _befolkning
from kompetanse.data.sample.programme import _aktiviteter, _deltakelse
from kompetanse.data.sample.staff import _ansatte
from kompetanse.data.sample.survey import _foreldreundersokelsen
from kompetanse.errors import argument_error

__all__ = [
    "AS_OF",
    "COHORTS",
    "COLUMNS",
    "DATA_YEARS",
    "DEFAULT_EFFECT",
    "DEFAULT_SEED",
    "RENEWAL_YEARS",
    "SURVEY_YEARS",
    "generate",
    "write_sample",
]


def generate(
    *, seed: int = DEFAULT_SEED, scale: float = 1.0, effect: float = DEFAULT_EFFECT, effect_growth: float = 0.0
) -> dict[str, pd.DataFrame]:
    """Generate the synthetic national data set.

    Parameters
    ----------
    seed : the seed of ``numpy.random.default_rng``; the same seed, scale and effect give the
        same tables.
    scale : multiplies the rows of ``ansatte_kompetanse`` and ``program_aktiviteter`` about
        ``scale``-fold (load tests). Must be positive (else `kompetanse.errors.UsageError`);
        the other tables keep their size.
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
        raise argument_error("scale", "a positive number", scale)
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

