"""Peers: every municipality beside municipalities of similar size, as Udir's Skoleporten shows
"kommuner i min kommunegruppe" and Fingertips shows statistically similar areas.

Statistics Norway's KOSTRA groups are not in the package's reference data, so the default groups
are size bands by inhabitants (``settings.PEER_BANDS``; inhabitants on 1 January 2024 from
``kompetanse.data.reference.befolkning_2024``, because the ``befolkning`` table of the data
contract holds children 0–17 only). A supplied grouping (one KOSTRA group per municipality) takes
precedence for the municipalities it lists.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from kompetanse.analysis.checks import require_columns
from kompetanse.analysis.compare import _as_list, _county, _numeric, _rate_interval, _require_unique
from kompetanse.errors import DataError, Problem, UsageError, argument_error
from kompetanse.formatting import number
from kompetanse.settings import CONFIDENCE_LEVEL, PEER_BANDS, RATE_PER

__all__ = ["GROUPING_COLUMNS", "NO_COMPARISON", "band_labels", "compare_with_peers", "peer_groups",
           "read_grouping"]

#: The columns of a supplied grouping file: one KOSTRA group per municipality.
GROUPING_COLUMNS = ("kommunenummer", "gruppe", "gruppenavn")
#: What a comparison column says when there is nothing to compare with.
NO_COMPARISON = {"peer": "eneste kommune i gruppen", "fylke": "eneste kommune i fylket"}


def band_labels(bands: Sequence[int] = PEER_BANDS) -> pd.DataFrame:
    """The size bands: one row per band with ``peer_group`` (``"str_1"`` … smallest first),
    ``fra`` and ``til`` (inhabitants, ``til`` inclusive; <NA> for the largest band) and
    ``peer_group_navn`` ("kommuner med 2 000–4 999 innbyggere")."""
    bands = list(bands)
    if not bands or any(b <= 0 for b in bands) or bands != sorted(set(bands)):
        raise argument_error("bands", "increasing whole numbers above 0", tuple(bands))
    lows, highs = [0, *bands], [*(b - 1 for b in bands), None]
    names = [f"kommuner med under {number(bands[0])} innbyggere",
             *(f"kommuner med {number(lo)}–{number(hi)} innbyggere"
               for lo, hi in zip(lows[1:-1], highs[1:-1], strict=True)),
             f"kommuner med {number(bands[-1])} innbyggere eller flere"]
    return pd.DataFrame({"peer_group": [f"str_{i + 1}" for i in range(len(lows))],
                         "fra": lows, "til": pd.array(highs, dtype="Int64"),
                         "peer_group_navn": pd.array(names, dtype="str")})


def read_grouping(source: str | Path | pd.DataFrame, *, known: Sequence[str] | None = None) -> pd.DataFrame:
    """Read and check a grouping: one group per municipality (e.g. SSB's KOSTRA groups).

    Parameters
    ----------
    source : a CSV file (UTF-8, comma or semicolon) or a frame with columns ``kommunenummer``,
        ``gruppe`` and ``gruppenavn``.
    known : the valid municipality numbers (default: none checked beyond the format).

    Returns
    -------
    The frame with the three columns as strings, one row per municipality.

    Raises
    ------
    DataError : listing every problem with its file, row (header is row 1), column and value: a
        missing column, a number that is not four digits or not a known municipality, a
        municipality listed twice, an empty group or name, one group code with two names.
    """
    if isinstance(source, pd.DataFrame):
        label, raw = "grouping", source.astype("object").fillna("").astype("str")
    else:
        path = Path(source)
        label = path.name
        try:
            raw = pd.read_csv(path, dtype=str, keep_default_na=False, sep=None, engine="python",
                              encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise UsageError(f"Could not read the grouping file {path}: {exc}") from exc
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    missing = [c for c in GROUPING_COLUMNS if c not in raw.columns]
    if missing:
        raise DataError([Problem(label, None, c, None, f"the grouping needs the column '{c}' "
                                 f"(it has: {', '.join(raw.columns)})") for c in missing])
    g = raw[list(GROUPING_COLUMNS)].apply(lambda s: s.fillna("").str.strip()).reset_index(drop=True)
    row = pd.Series(np.arange(len(g)) + 2, index=g.index)
    checks = [
        ("kommunenummer", ~g["kommunenummer"].str.fullmatch(r"\d{4}"), "expected a four-digit municipality number"),
        ("gruppe", g["gruppe"] == "", "expected a group code, not an empty cell"),
        ("gruppenavn", g["gruppenavn"] == "", "expected the group's name, not an empty cell"),
    ]
    if known is not None:
        checks.append(("kommunenummer", g["kommunenummer"].str.fullmatch(r"\d{4}") & ~g["kommunenummer"].isin(known),
                       "expected a municipality number of the 2024 structure"))
    checks.append(("kommunenummer", g.duplicated("kommunenummer", keep="first"),
                   "the municipality is listed more than once; give each one group"))
    names = g[g["gruppe"] != ""].groupby("gruppe")["gruppenavn"].transform("nunique")
    checks.append(("gruppenavn", (names > 1).reindex(g.index, fill_value=False),
                   "one group code has more than one name; give each group one name"))
    problems = [Problem(label, int(r), col, str(v), expected)
                for col, bad, expected in checks for r, v in zip(row[bad], g.loc[bad, col], strict=True)]
    if problems:
        raise DataError(sorted(problems, key=lambda p: (p.row, p.column or "")))
    return g.astype("str")


def peer_groups(data: pd.DataFrame | None = None, *, population: pd.DataFrame | None = None,
                grouping: str | Path | pd.DataFrame | None = None,
                bands: Sequence[int] = PEER_BANDS) -> pd.DataFrame:
    """The peer group of every municipality: a supplied grouping where it lists the municipality,
    otherwise its size band by inhabitants.

    Parameters
    ----------
    data : a frame with ``kommunenummer`` (e.g. ``ds.kommuner``); default the 357 municipalities
        of the population frame.
    population : ``kommunenummer`` and ``innbyggere`` (inhabitants); default inhabitants on
        1 January 2024 from the reference table ``befolkning_2024``.
    grouping : a grouping file or frame (see `read_grouping`), which takes precedence.
    bands : lower bounds of the size bands (default ``settings.PEER_BANDS``); a municipality of
        exactly 2 000 inhabitants is in the band that starts at 2 000.

    Returns
    -------
    One row per municipality of ``data`` with ``kommunenummer``, ``innbyggere`` (Int64, <NA> when
    unknown), ``peer_group`` (``str_1`` … for size bands, the group code of a grouping),
    ``peer_group_navn`` (Norwegian label) and ``peer_kilde`` (``"storrelse"`` or ``"gruppering"``;
    ``""`` with empty group when neither applies).
    """
    if population is None:
        from kompetanse.data.reference import befolkning_2024

        population = befolkning_2024().rename(columns={"innbyggere_2024": "innbyggere"})
    require_columns(population, ["kommunenummer", "innbyggere"], "peer_groups")
    places = population[["kommunenummer"]] if data is None else data[["kommunenummer"]]
    out = places.drop_duplicates().merge(population[["kommunenummer", "innbyggere"]], how="left")
    out["innbyggere"] = out["innbyggere"].astype("Int64")
    labels = band_labels(bands)
    people = out["innbyggere"].astype("float64").to_numpy(na_value=np.nan)
    which = np.searchsorted(np.asarray(bands, dtype="float64"), people, side="right")
    known = ~np.isnan(people)
    code = np.where(known, labels["peer_group"].to_numpy()[np.minimum(which, len(labels) - 1)], "")
    name = np.where(known, labels["peer_group_navn"].to_numpy()[np.minimum(which, len(labels) - 1)], "")
    out["peer_group"], out["peer_group_navn"] = code, name
    out["peer_kilde"] = np.where(known, "storrelse", "")
    if grouping is not None:
        g = read_grouping(grouping, known=list(out["kommunenummer"]))
        g = out[["kommunenummer"]].merge(g, how="left")
        has = g["gruppe"].notna().to_numpy()
        out["peer_group"] = np.where(has, g["gruppe"], out["peer_group"])
        out["peer_group_navn"] = np.where(has, g["gruppenavn"], out["peer_group_navn"])
        out["peer_kilde"] = np.where(has, "gruppering", out["peer_kilde"])
    for c in ("peer_group", "peer_group_navn", "peer_kilde"):
        out[c] = out[c].astype("str")
    return out.reset_index(drop=True)


def compare_with_peers(data: pd.DataFrame, *, count: str, denominator: str, by: str | Sequence[str] = (),
                       groups: pd.DataFrame | None = None, higher_is_better: bool = True,
                       per: float = RATE_PER, level: float = CONFIDENCE_LEVEL) -> pd.DataFrame:
    """A municipality's rate beside its peer group's, the peers excluding the municipality itself.

    - the municipal rate is ``count / denominator * per`` with its exact Poisson (Garwood)
      ``level`` interval, the interval of `kompetanse.analysis.compare.compare`;
    - the peers are the *other* municipalities of the same ``peer_group`` (and ``by`` group) with
      a count and a positive denominator; ``peer_median`` is the median of their rates,
      ``peer_rate`` their pooled rate (sum of counts over sum of denominators) with its exact
      Poisson interval (``peer_ci_low``, ``peer_ci_high``);
    - ``vurdering_peer`` is ``"bedre"``/``"darligere"`` when the municipal interval lies wholly on
      the better/worse side of ``peer_rate`` (treated as known, as ``compare`` treats the national
      rate), ``"likt"`` when it contains it, ``""`` when not assessed;
    - a group with no other municipality is not a comparison: ``peer_merknad`` says
      ``"eneste kommune i gruppen"`` and the peer columns are empty. Likewise ``fylke_merknad``
      says ``"eneste kommune i fylket"`` where the county has no other municipality in ``data``
      (Oslo), so a county median there is the municipality itself.

    Parameters
    ----------
    data : one row per municipality (and ``by`` group) with ``kommunenummer`` and the two
        numeric columns ``count`` and ``denominator`` (0 or more).
    count, denominator : e.g. certified staff and children 0–17.
    by : grouping columns compared within themselves (e.g. ``"niva"``).
    groups : `peer_groups` output (default ``peer_groups(data)``: size bands).
    higher_is_better, per, level : as in ``compare``.

    Returns
    -------
    A copy of ``data`` with ``rate``, ``ci_low``, ``ci_high``, ``peer_group``, ``peer_group_navn``,
    ``peer_antall`` (int, other municipalities compared with), ``peer_median``, ``peer_rate``,
    ``peer_ci_low``, ``peer_ci_high`` (float, per ``per``), ``vurdering_peer``, ``peer_merknad``,
    ``fylke_antall`` (int, other municipalities of the county in ``data``) and ``fylke_merknad``.
    """
    by = _as_list(by)
    if not 0 < level < 1:
        raise argument_error("level", "between 0 and 1", level)
    require_columns(data, ["kommunenummer", *by, count, denominator], "compare_with_peers")
    _require_unique(data, ["kommunenummer", *by], "compare_with_peers")
    k, n = _numeric(data, count, "compare_with_peers"), _numeric(data, denominator, "compare_with_peers")
    if (k < 0).any() or (n < 0).any():
        raise UsageError(f"`{count}` and `{denominator}` must be counts (0 or more), but a negative value was passed")
    groups = peer_groups(data) if groups is None else groups
    require_columns(groups, ["kommunenummer", "peer_group", "peer_group_navn"], "compare_with_peers")
    out = data.drop(columns=["peer_group", "peer_group_navn"], errors="ignore").copy()
    named = out[["kommunenummer"]].merge(groups[["kommunenummer", "peer_group", "peer_group_navn"]], how="left")
    out["peer_group"] = named["peer_group"].fillna("").astype("str").to_numpy()
    out["peer_group_navn"] = named["peer_group_navn"].fillna("").astype("str").to_numpy()
    ok = ~np.isnan(k) & (n > 0)
    kk, nn = np.where(ok, k, 0.0), np.where(ok, n, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(ok, kk / nn * per, np.nan)
        low, high = _rate_interval(kk, np.where(ok, nn, 1.0), level)
    out["rate"], out["ci_low"], out["ci_high"] = rate, np.where(ok, low * per, np.nan), np.where(ok, high * per, np.nan)

    work = pd.DataFrame({c: out[c].to_numpy() for c in ["kommunenummer", "peer_group", *by]})
    work["_ok"], work["_k"], work["_n"], work["_r"] = ok.astype("int64"), kk, nn, rate
    work.loc[work["peer_group"] == "", "peer_group"] = None  # no group: no peers
    key = ["peer_group", *by]
    sums = work.groupby(key, observed=True, dropna=False)[["_ok", "_k", "_n"]].transform("sum")
    others = sums["_ok"].to_numpy() - ok
    pk, pn = sums["_k"].to_numpy() - kk, sums["_n"].to_numpy() - nn
    has_peers = (others > 0) & work["peer_group"].notna().to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        peer_rate = np.where(has_peers, pk / pn * per, np.nan)
        plow, phigh = _rate_interval(pk, np.where(has_peers & (pn > 0), pn, 1.0), level)
    out["peer_antall"] = np.where(has_peers, others, 0).astype("int64")
    out["peer_median"] = _median_of_others(work, key)
    out["peer_rate"] = peer_rate
    out["peer_ci_low"] = np.where(has_peers, plow * per, np.nan)
    out["peer_ci_high"] = np.where(has_peers, phigh * per, np.nan)
    above, below = out["ci_low"].to_numpy() > peer_rate, out["ci_high"].to_numpy() < peer_rate
    better, worse = (above, below) if higher_is_better else (below, above)
    verdict = np.select([~ok | ~has_peers, better, worse], ["", "bedre", "darligere"], default="likt")
    out["vurdering_peer"] = pd.array(verdict, dtype="str")
    out["peer_merknad"] = pd.array(np.where(has_peers, "", NO_COMPARISON["peer"]), dtype="str")
    county = pd.DataFrame({"_f": _county(data).to_numpy(), **{c: out[c].to_numpy() for c in by}})
    in_county = county.groupby(["_f", *by], observed=True, dropna=False)["_f"].transform("size").to_numpy() - 1
    out["fylke_antall"] = in_county.astype("int64")
    out["fylke_merknad"] = pd.array(np.where(in_county > 0, "", NO_COMPARISON["fylke"]), dtype="str")
    return out


def _median_of_others(work: pd.DataFrame, key: list[str]) -> np.ndarray:
    """Per row, the median rate of the other rows with a rate in its ``key`` group (NaN if none):
    a self-join within groups, at most a few hundred rows squared."""
    left = work.reset_index(drop=True).assign(_row=lambda d: np.arange(len(d)))
    right = left.loc[left["_ok"] == 1, [*key, "_row", "_r"]].dropna(subset=["peer_group"])
    pairs = left[[*key, "_row"]].dropna(subset=["peer_group"]).merge(right, on=key, suffixes=("", "_o"))
    pairs = pairs[pairs["_row"] != pairs["_row_o"]]
    med = pairs.groupby("_row")["_r"].median()
    return med.reindex(np.arange(len(left))).to_numpy(dtype="float64")
