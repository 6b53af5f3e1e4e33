"""The outcome study on data where it cannot do everything: nobody started, no comparison
municipality left, one treated municipality, one survey year before the start. Each says its
cause, through `outcome_study` and through `kompetanse outcomes` (with ``--json`` standard
output holds the JSON object or nothing; every message goes to standard error).

The data sets are the synthetic sample (kompetanse.data.sample, no effect planted) with the
survey or the participation table cut down to the case.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pandas as pd
import pytest

import kompetanse
from kompetanse import outcomes
from kompetanse.cli import main
from kompetanse.data.sample import write_sample
from kompetanse.did import NoEstimateError
from kompetanse.outcomes import outcome_study

STARTED = ("aktiv", "fullfort", "avbrutt")


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sample")
    write_sample(folder, effect=0.0)
    return folder


def _read(folder: Path, table: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)


def _started(folder: Path, year: str | None = None) -> pd.Series:
    p = _read(folder, "program_deltakelse")
    p = p[p["status"].isin(STARTED) & (p["startdato"] != "")]
    if year is not None:
        p = p[p["startdato"].str[:4] == year]
    return p["kommunenummer"]


def _variant(sample: Path, target: Path, **tables: pd.DataFrame) -> Path:
    shutil.copytree(sample, target)
    for name, table in tables.items():
        table.to_csv(target / f"{name}.csv", index=False)
    return target


@pytest.fixture(scope="module")
def cases(sample, tmp_path_factory) -> dict[str, Path]:
    """One folder per case."""
    root = tmp_path_factory.mktemp("cases")
    survey = _read(sample, "foreldreundersokelsen")
    started, cohort_2022 = _started(sample), _started(sample, "2022")
    never = ~survey["kommunenummer"].isin(started)
    return {
        # no participation at all (and so no activities)
        "nobody": _variant(sample, root / "nobody", program_deltakelse=_read(sample, "program_deltakelse").iloc[:0],
                           program_aktiviteter=_read(sample, "program_aktiviteter").iloc[:0]),
        # the survey holds only municipalities that started in 2022
        "same_year": _variant(sample, root / "same_year",
                              foreldreundersokelsen=survey[survey["kommunenummer"].isin(cohort_2022)]),
        # the never-started municipalities and one that started in 2022
        "one_treated": _variant(sample, root / "one_treated",
                                foreldreundersokelsen=survey[never | (survey["kommunenummer"] == cohort_2022.iloc[0])]),
        # cohort 2022 and the never started, from 2021 (the cohort's base year) on
        "one_pre_year": _variant(sample, root / "one_pre_year", foreldreundersokelsen=survey[
            (never | survey["kommunenummer"].isin(cohort_2022)) & (survey["ar"].astype(int) >= 2021)]),
    }


# --- the study ------------------------------------------------------------------------------


@pytest.mark.parametrize(("case", "reason", "words"), [
    ("nobody", "no_cohort", "no municipality in the survey has started the programme"),
    ("same_year", "no_controls", "no comparison municipality is left"),
])
def test_nothing_to_estimate_names_its_cause(cases, case, reason, words):
    with pytest.raises(NoEstimateError, match=words) as info:
        outcome_study(kompetanse.load(cases[case]))
    assert info.value.reason == reason
    assert "estimated yet" not in str(info.value)


def test_one_treated_municipality_gives_the_estimate_without_an_interval(cases):
    res = outcome_study(kompetanse.load(cases["one_treated"]))
    assert res.n_treated == 1 and not math.isnan(res.estimate)
    assert all(math.isnan(getattr(res, k)) for k in ("se", "ci_low", "ci_high", "p_value"))
    assert res.no_interval_reason == ("only 1 treated municipality contributes, and an interval or p-value "
                                      "needs at least 2")
    years = res.event_study[res.event_study["rel_year"] != -1]
    assert years["ci_low"].isna().all() and years["no_interval_reason"].notna().all()
    assert res.group_time["ci_low"].isna().all()
    assert "municipality" in res.placebo.note and math.isnan(res.placebo.wald_p_value)
    figures = dict(res.key_figures())
    assert figures["95 % konfidensintervall"] == outcomes.NO_INTERVAL
    assert figures["p-verdi (ingen effekt)"] == "ikke oppgitt"
    assert figures["Placebotest før start (p-verdi)"] == "ikke oppgitt: bare én deltakerkommune"


def test_one_survey_year_before_the_start_says_the_placebo_test_cannot_be_run(cases):
    res = outcome_study(kompetanse.load(cases["one_pre_year"]))
    assert not math.isnan(res.ci_low) and res.no_interval_reason is None  # many treated: an interval
    assert (res.event_study["rel_year"] >= -1).all()
    assert res.placebo.df == 0 and math.isnan(res.placebo.estimate)
    assert res.placebo.note.startswith("no pre-period test: no cohort has survey means from two or more years")
    assert dict(res.key_figures())["Placebotest før start (p-verdi)"].startswith("kan ikke gjennomføres")


# --- the command line -------------------------------------------------------------------------


@pytest.mark.parametrize(("case", "words"), [
    ("nobody", "no municipality in the survey has started the programme"),
    ("same_year", "no comparison municipality is left"),
])
@pytest.mark.parametrize("as_json", [True, False])
def test_cli_nothing_to_estimate_exits_1_with_the_cause_on_stderr(cases, capsys, case, words, as_json):
    assert main(["outcomes", "--data", str(cases[case]), *(["--json"] if as_json else [])]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert words in captured.err and "no estimate: 1 problem in the data" in captured.err


def test_cli_json_with_one_treated_municipality_has_nulls_and_the_reason(cases, capsys):
    assert main(["outcomes", "--data", str(cases["one_treated"]), "--json"]) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert out["estimate"] is not None and out["n_treated"] == 1
    assert [out[k] for k in ("se", "ci_low", "ci_high", "p_value")] == [None] * 4
    assert "only 1 treated municipality" in out["no_interval_reason"]
    assert all(row["ci_low"] is None for row in out["event_study"])
    assert "no interval: only 1 treated municipality" in captured.err


def test_cli_text_with_one_treated_municipality_says_why_there_is_no_interval(cases, capsys):
    assert main(["outcomes", "--data", str(cases["one_treated"])]) == 0
    out = capsys.readouterr().out
    assert "95 % CI                  none: only 1 treated municipality contributes" in out


def test_cli_json_with_one_survey_year_before_the_start_notes_it_on_stderr(cases, capsys):
    assert main(["outcomes", "--data", str(cases["one_pre_year"]), "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["placebo"]["note"].startswith("no pre-period test")
    assert "no pre-period test" in captured.err
