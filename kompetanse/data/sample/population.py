"""``befolkning``: children 0–17 per municipality and data year."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kompetanse.data.sample.base import DATA_YEARS


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

