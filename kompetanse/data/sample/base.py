"""Constants of the synthetic data set, the municipalities and method parameters everything
scales with, and the random helpers the tables share."""

from __future__ import annotations

from datetime import date

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
        raise RuntimeError(f"kompetanse.data.sample.base has no parameters for methods {sorted(missing)}")
    return catalogue.merge(_METHOD_PARAMS, on="metode", validate="one_to_one")


def _expit(z):
    return 1.0 / (1.0 + np.exp(-z))


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

