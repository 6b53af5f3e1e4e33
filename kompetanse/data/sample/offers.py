"""``tilbud``: offers per municipality, year, method and service where certified staff worked."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kompetanse.data import reference
from kompetanse.data.sample.base import DATA_YEARS, _choose, _expit, _method_params
from kompetanse.data.sample.days import _day_numbers, _days

# Which of a method's levels an offer served (weights; levels missing here share equally).
_NIVA_WEIGHTS: dict[str, dict[str, float]] = {
    "pmto-foreldregruppe": {"selektiv": 60, "indikativ": 40},
    "tibir-foreldreradgivning": {"selektiv": 70, "indikativ": 30},
    "duaa": {"universell": 40, "selektiv": 35, "indikativ": 25},
    "cos-p": {"universell": 60, "selektiv": 25, "indikativ": 15},
    "nfp": {"selektiv": 70, "indikativ": 30},
}


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

