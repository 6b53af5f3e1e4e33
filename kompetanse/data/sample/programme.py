"""``program_deltakelse`` and ``program_aktiviteter``: the FUB/FUG programme's cohorts and
their activities."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kompetanse.data.sample.base import COHORTS, _scaled
from kompetanse.data.sample.days import (
    _AS_OF_DAY,
    _DAY0,
    _add_months,
    _back_to_weekday,
    _dates,
    _days,
    _forward_to_weekday,
    _weekday,
)
from kompetanse.data.schema import AKTIVITET_TYPER as _ACTIVITY_TYPES

# Planned activities of each type in an 18-month programme (low, high inclusive), and the share
# held physically rather than digitally.
_ACTIVITY_PLAN = {"opplaeringsdag": (3, 6), "personalmote": (6, 10), "foreldremote": (3, 6),
                  "veiledning": (6, 12)}
_ACTIVITY_FYSISK = {"opplaeringsdag": 0.40, "personalmote": 0.20, "foreldremote": 0.35,
                    "veiledning": 0.15}


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

