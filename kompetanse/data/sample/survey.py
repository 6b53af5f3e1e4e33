"""``foreldreundersokelsen``: municipal means of the parent survey, with the planted programme
effect."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kompetanse.data.sample.base import SURVEY_YEARS, _expit

# Survey means before municipal effects, by (skoleslag, indikator).
_SURVEY_BASE = {
    ("barnehage", "samarbeid"): 4.30, ("barnehage", "informasjon"): 4.20,
    ("barnehage", "trivsel"): 4.50, ("grunnskole", "samarbeid"): 3.95,
    ("grunnskole", "informasjon"): 4.05, ("grunnskole", "trivsel"): 4.25,
}


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
