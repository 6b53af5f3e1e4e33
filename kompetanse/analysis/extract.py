"""The statistics-bank extract: the key figures of every municipality and prevention level in one
tidy table, with county, peer group and målform, for those who work on the numbers themselves.
The national overview offers it as a download (`kompetanse.reports.nasjonal.extract_download`).

The figures are those the municipal reports show in their summary table (status, active
certified persons, methods in use, capacity per 1,000 children, groups held): counts of staff
certifications and of groups, which the reports publish unsuppressed (docs/disclosure.md: counts of staff capacity are
published unsuppressed; the small-count rules are for parents, attendances and the staff-policy
events, none of which the extract holds).
"""

from __future__ import annotations

import pandas as pd

from kompetanse.analysis.coverage import coverage_by_level
from kompetanse.analysis.peers import peer_groups
from kompetanse.analysis.periods import reference_date
from kompetanse.data.reference import malform

__all__ = ["EXTRACT_COLUMNS", "key_figures_by_municipality"]

#: The extract's columns, in order.
EXTRACT_COLUMNS = ["kommunenummer", "kommunenavn", "fylkesnummer", "fylkesnavn", "kommunegruppe", "malform",
                   "periode", "statusdato", "niva", "status", "sarbar_grunn", "aktive_sertifiserte",
                   "metoder_i_bruk", "antall_metoder_i_bruk", "barn_0_17", "sertifiserte_per_1000_barn",
                   "tilbud_grupper"]


def key_figures_by_municipality(ds, *, on=None, coverage: pd.DataFrame | None = None,
                                grouping: pd.DataFrame | None = None) -> pd.DataFrame:
    """The key figures of every municipality and level on a date.

    Parameters
    ----------
    ds : the Dataset.
    on : the reference date (default: the last day of the latest period, as the reports).
    coverage : `coverage_by_level` on ``on`` when the caller has it (a subset of municipalities,
        one county, gives the extract of those); default computed here for all municipalities.
    grouping : a grouping (`kompetanse.analysis.peers.read_grouping`, e.g. the KOSTRA groups) whose
        group names ``kommunegruppe`` gives for the municipalities it lists; default size bands.

    Returns
    -------
    One row per (kommunenummer, niva), sorted, with the columns `EXTRACT_COLUMNS`:
    kommunenummer, kommunenavn, fylkesnummer, fylkesnavn; ``kommunegruppe`` (the peer group's
    Norwegian name, `peer_groups`: the supplied grouping's, or the size band by inhabitants); ``malform`` (``nynorsk``,
    ``bokmal`` or ``noytral``, the reference table ``malform_2024``); ``periode`` (the year of
    ``on``, as text) and ``statusdato`` (``on``, ISO text); ``niva``, ``status`` (dekket, sarbar, mangler)
    and ``sarbar_grunn``; ``aktive_sertifiserte`` (active certified persons at the level, the
    reports' capacity), ``metoder_i_bruk`` (method codes with active staff, comma-separated),
    ``antall_metoder_i_bruk``, ``barn_0_17``, ``sertifiserte_per_1000_barn`` and
    ``tilbud_grupper`` (groups held at the level in the year).
    """
    at = reference_date(ds, on=on)
    cov = coverage_by_level(ds, on=at) if coverage is None else coverage
    groups = peer_groups(ds.kommuner, grouping=grouping)[["kommunenummer", "peer_group_navn"]]
    forms = malform()[["kommunenummer", "malform"]]
    out = (cov.merge(groups, on="kommunenummer", how="left", validate="many_to_one")
              .merge(forms, on="kommunenummer", how="left", validate="many_to_one"))
    in_use = out["metoder_i_bruk"].fillna("").astype("str")
    out = out.assign(
        kommunegruppe=out["peer_group_navn"].fillna("").astype("str"),
        malform=out["malform"].astype("str").where(out["malform"].notna(), ""),
        periode=str(at.year),
        statusdato=at.strftime("%Y-%m-%d"),
        status=out["status"].astype("str"),
        sarbar_grunn=out["sarbar_grunn"].fillna("").astype("str"),
        aktive_sertifiserte=out["kapasitet"],
        metoder_i_bruk=in_use,
        antall_metoder_i_bruk=(in_use.str.count(",") + 1).where(in_use.str.strip() != "", 0).astype("int64"),
        sertifiserte_per_1000_barn=out["kapasitet_per_1000"],
    )
    return out[EXTRACT_COLUMNS].sort_values(["kommunenummer", "niva"], ignore_index=True)
