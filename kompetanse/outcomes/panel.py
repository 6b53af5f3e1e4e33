"""The outcome study's panel from a Dataset: one row per (municipality, school type, survey year)
with the municipality's start cohort, and the checks of the study's parameters."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from kompetanse.did import NoEstimateError
from kompetanse.errors import ParameterError, argument_error

if TYPE_CHECKING:
    from kompetanse.data.dataset import Dataset

#: Default indicator: home–school cooperation, what the programme is meant to improve.
DEFAULT_INDIKATOR = "samarbeid"
#: Years after the start year from which an effect is counted (the start year is a transition).
FIRST_EFFECT_YEAR = 1
#: Programme statuses of a municipality that has started.
STARTED = ("aktiv", "fullfort", "avbrutt")

#: The panel's columns as the general estimator is told them: a unit is (municipality, school
#: type), clustered by municipality, school types kept apart.
PANEL_COLUMNS = {"unit": ["kommunenummer", "skoleslag"], "time": "ar", "cohort": "startar", "outcome": "snitt",
                 "cluster": "kommunenummer"}
#: Why no estimate, in the words of the survey table (a `NoEstimateError`'s ``reason``): one
#: sentence each, naming the cause.
NO_ESTIMATE = {
    "no_cohort": "no municipality in the survey has started the programme (status aktiv, fullfort or avbrutt "
                 "with a start date in program_deltakelse), so there is no cohort to study",
    "cohort": "no cohort has survey means both in the year before its programme start and in another year, so "
              "no cohort can be compared",
    "no_controls": "no comparison municipality is left: from each cohort's first full programme year on, every "
                   "municipality in the survey has already started, as when every municipality started in the "
                   "same year",
    "post": "no cohort has survey means from its first full programme year on, so no effect can be estimated yet",
    "contrast": "survey means both before and after a programme start: the regression has no contrast",
}
#: The placebo test's note when no cohort has a survey year before its reference year.
NO_PRE_PERIOD = ("no pre-period test: no cohort has survey means from two or more years before its start (only "
                 "the year before the start, the reference), so there is nothing to test before the start")


def valid_indikator(value: object, ds: Dataset, *, name: str = "indikator") -> str:
    """An indicator present in ``ds.foreldreundersokelsen``; anything else raises
    `ParameterError` (a `UsageError`) listing the indicators in the data."""
    known = sorted(ds.foreldreundersokelsen["indikator"].dropna().unique())
    text = str(value).strip() if value is not None else ""
    if text not in known:
        raise argument_error(name, f"one of {', '.join(known) if known else '(no indicators in the data)'}",
                             value, cls=ParameterError)
    return text


def valid_confidence_level(value: object, *, name: str = "konfidensniva") -> float:
    """A confidence level strictly between 0 and 1 (0.95, "0.95"; 95 is refused, not guessed)."""
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        number = float("nan")
    if not 0 < number < 1:
        raise argument_error(name, "a number between 0 and 1, e.g. 0.95", value, cls=ParameterError)
    return number

def _cohorts(deltakelse: pd.DataFrame) -> pd.DataFrame:
    """Per municipality that started: ``startar`` (earliest start year among started rows) and
    ``avbrutt`` (any withdrawn participation)."""
    started = deltakelse[deltakelse["status"].astype("str").isin(STARTED) & deltakelse["startdato"].notna()]
    out = started.groupby("kommunenummer").agg(startar=("startdato", "min"))
    out["startar"] = out["startar"].dt.year.astype("float64")
    withdrawn = set(deltakelse.loc[deltakelse["status"].astype("str") == "avbrutt", "kommunenummer"])
    out["avbrutt"] = out.index.isin(withdrawn)
    return out



def _survey_panel(survey: pd.DataFrame, deltakelse: pd.DataFrame, *, indikator: str,
                  exclude_withdrawn: bool) -> pd.DataFrame:
    """The long panel of one indicator: one row per (kommunenummer, skoleslag, ar) with a mean
    and respondents, and ``startar``, the municipality's cohort (NaN: never started)."""
    f = survey.loc[(survey["indikator"] == indikator) & survey["snitt"].notna() & (survey["antall_svar"] > 0),
                   ["kommunenummer", "skoleslag", "ar", "snitt", "antall_svar"]]
    f = f.assign(skoleslag=f["skoleslag"].astype("str"), kommunenummer=f["kommunenummer"].astype("str"))
    withdrawn = set(deltakelse.loc[deltakelse["status"].astype("str") == "avbrutt", "kommunenummer"])
    if exclude_withdrawn:
        f = f[~f["kommunenummer"].isin(withdrawn)]
    start = _cohorts(deltakelse)["startar"]
    return f.assign(startar=f["kommunenummer"].map(start).astype("float64"))


def _survey_error(exc: NoEstimateError, indikator: str) -> NoEstimateError:
    """The estimator's "nothing to estimate", said of the survey table, with its ``reason`` kept."""
    return NoEstimateError(exc.reason, "indikator", NO_ESTIMATE[exc.reason], file="foreldreundersokelsen",
                           value=indikator)


def _in_municipalities(text: str | None) -> str | None:
    """The estimator's words for clusters, said of the study's clusters: municipalities."""
    if not isinstance(text, str):
        return None
    return text.replace("clusters", "municipalities").replace("cluster", "municipality")
