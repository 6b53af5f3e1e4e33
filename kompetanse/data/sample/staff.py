"""``ansatte_kompetanse``: which methods a municipality has, its trained staff, their training,
certification, expiry and leaving."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kompetanse.data.sample.base import RENEWAL_YEARS, _choose, _expit, _method_params, _scaled
from kompetanse.data.sample.days import (
    _AS_OF_DAY,
    _DATA_END,
    _DATA_START,
    _add_months,
    _back_to_weekday,
    _dates,
    _days,
    _month_end,
)
from kompetanse.data.schema import TJENESTER as _TJENESTER

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


_NFP_PILOTS = ("0301", "1103", "1108", "1121")


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

