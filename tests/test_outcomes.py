"""Tests of the outcome study (kompetanse.outcomes): a hand-computed fixture, and generated data
sets with a known planted effect (kompetanse.data.sample plants `effect` in `samarbeid` from the first
full year after the start, for aktiv and fullfort municipalities)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import kompetanse
from kompetanse.cli import main
from kompetanse.data.sample import write_sample
from kompetanse.errors import DataError, UsageError
from kompetanse.outcomes import _p_text, naive_twfe, outcome_study, robustness, valid_confidence_level
from tests.conftest import MINIMAL

# --- generated data with a known effect ----------------------------------------------------


@pytest.fixture(scope="session")
def generated(tmp_path_factory) -> dict[float, str]:
    """Data folders generated with the default seed and effects 0, 0.3; identical but for
    `snitt` of `samarbeid` after the start."""
    folders = {}
    for effect in (0.0, 0.3):
        folder = tmp_path_factory.mktemp(f"effect_{effect}")
        write_sample(folder, effect=effect)
        folders[effect] = str(folder)
    return folders


@pytest.fixture(scope="session")
def studies(generated) -> dict:
    """The main study (and a few variants) on each generated data set, computed once."""
    out = {}
    for effect, folder in generated.items():
        ds = kompetanse.load(folder)
        out[effect] = outcome_study(ds)
        out[effect, "uten_avbrutt"] = outcome_study(ds, exclude_withdrawn=True)
        out[effect, "uvektet"] = outcome_study(ds, weighted=False)
    return out


def test_large_effect_is_recovered_within_its_interval_and_the_interval_excludes_0(studies):
    # Without withdrawn municipalities every treated municipality got exactly 0.3 (bar clipping at 5).
    res = studies[0.3, "uten_avbrutt"]
    assert res.ci_low < 0.3 < res.ci_high
    assert res.ci_low > 0 and res.p_value < 0.001
    assert abs(res.estimate - 0.3) < 0.05


def test_intention_to_treat_estimate_covers_its_truth(studies):
    # The estimator is linear in snitt, and the two data sets differ only by the planted effect,
    # so the difference of the estimates is the true (intention-to-treat) effect: 0.3 for the
    # municipalities that did not withdraw, 0 for those that did.
    truth = studies[0.3].estimate - studies[0.0].estimate
    assert 0.25 < truth <= 0.3
    assert studies[0.3].ci_low < truth < studies[0.3].ci_high
    assert studies[0.3, "uten_avbrutt"].estimate - studies[0.0, "uten_avbrutt"].estimate == pytest.approx(0.3, abs=0.005)


def test_no_effect_gives_an_interval_that_covers_0(studies):
    for key in (0.0, (0.0, "uten_avbrutt"), (0.0, "uvektet")):
        res = studies[key]
        assert res.ci_low < 0 < res.ci_high, key
        assert res.p_value > 0.05, key


def test_pre_period_coefficients_are_near_0_and_untouched_by_the_effect(studies):
    for effect in (0.0, 0.3):
        es = studies[effect].event_study
        pre = es[es["rel_year"] <= -2]
        assert len(pre) >= 3
        assert (pre["estimate"].abs() < 0.1).all()
        assert (pre["ci_low"] < 0).all() and (pre["ci_high"] > 0).all()
        assert studies[effect].placebo.wald_p_value > 0.05
        assert studies[effect].placebo.ci_low < 0 < studies[effect].placebo.ci_high
    # the effect starts after the start year: nothing before it changes
    a, b = studies[0.0].event_study, studies[0.3].event_study
    before = a["rel_year"] <= 0
    np.testing.assert_allclose(a.loc[before, "estimate"], b.loc[before, "estimate"], atol=1e-12)


def test_event_study_shows_the_effect_from_the_first_full_year(studies):
    es = studies[0.3, "uten_avbrutt"].event_study.set_index("rel_year")
    null = studies[0.0, "uten_avbrutt"].event_study.set_index("rel_year")
    assert es.loc[-1, "estimate"] == 0 and np.isnan(es.loc[-1, "se"])
    assert es.loc[0, "estimate"] == pytest.approx(null.loc[0, "estimate"], abs=1e-12)  # start year: nothing yet
    for e in (1, 2, 3):
        # linear in snitt: the planted effect shows exactly (bar rounding), and stands out from 0
        assert es.loc[e, "estimate"] - null.loc[e, "estimate"] == pytest.approx(0.3, abs=0.005), e
        assert es.loc[e, "ci_low"] > 0.1, e
        assert null.loc[e, "ci_low"] < 0.1, e
    assert list(es.columns) == ["estimate", "se", "ci_low", "ci_high", "p_value", "n", "kohorter",
                                "no_interval_reason"]


def test_weights_change_the_answer_when_respondents_differ(studies):
    assert studies[0.0].estimate != pytest.approx(studies[0.0, "uvektet"].estimate, abs=1e-3)
    assert studies[0.0].method != studies[0.0, "uvektet"].method


def test_excluding_withdrawn_municipalities_lowers_n_treated(studies, generated):
    ds = kompetanse.load(generated[0.3])
    withdrawn = set(ds.program_deltakelse.query("status == 'avbrutt'")["kommunenummer"])
    assert withdrawn
    included, excluded = studies[0.3], studies[0.3, "uten_avbrutt"]
    assert excluded.n_treated < included.n_treated
    assert included.n_treated - excluded.n_treated <= len(withdrawn)
    assert excluded.estimate > included.estimate  # the withdrawn got no effect


def test_same_inputs_give_identical_numbers(generated, studies):
    again = outcome_study(kompetanse.load(generated[0.3]))
    first = studies[0.3]
    assert again.to_dict() == first.to_dict()
    pd.testing.assert_frame_equal(again.group_time, first.group_time)
    ds = kompetanse.load(generated[0.3])
    boot = [outcome_study(ds, inference="bootstrap", n_boot=199).to_dict() for _ in range(2)]
    assert boot[0] == boot[1] and boot[0]["seed"] and boot[0]["n_boot"] == 199


def test_bootstrap_and_jackknife_agree_on_the_estimate_and_roughly_on_the_error(generated, studies):
    boot = outcome_study(kompetanse.load(generated[0.3]), inference="bootstrap")
    jack = studies[0.3]
    assert boot.estimate == jack.estimate
    assert 0.5 < boot.se / jack.se < 2
    assert "bootstrap" in boot.method and "jackknife" in jack.method


def test_group_time_table_has_a_cluster_robust_standard_error_per_cell(studies):
    gt = studies[0.3].group_time
    assert {"startar", "ar", "rel_year", "post", "estimate", "se", "se_wls", "ci_low", "ci_high", "p_value",
            "df", "n_treated", "n_control", "vekt"} <= set(gt.columns)
    assert not ((gt["ar"] == gt["startar"] - 1).any())  # the base year is not a cell
    post = gt[gt["post"]]
    assert (post["se_wls"] > 0).all()
    # analytic and bootstrap standard errors tell the same story (within a factor of 3)
    assert ((post["se_wls"] / post["se"]).between(1 / 3, 3)).all()


def test_higher_confidence_gives_a_wider_interval(generated, studies):
    narrow = outcome_study(kompetanse.load(generated[0.3]), confidence_level=0.8)
    wide = studies[0.3]
    assert narrow.estimate == wide.estimate
    assert wide.ci_low < narrow.ci_low and narrow.ci_high < wide.ci_high


def test_other_indicators_show_no_effect(generated):
    ds = kompetanse.load(generated[0.3])
    for indikator in ("trivsel", "informasjon"):
        res = outcome_study(ds, indikator=indikator)
        assert res.ci_low < 0.3 and abs(res.estimate) < 0.1, indikator


def test_robustness_table_has_one_row_per_variant(generated):
    table = robustness(kompetanse.load(generated[0.3]), n_boot=99)
    assert list(table.columns) == ["variant", "indikator", "estimate", "ci_low", "ci_high", "p_value",
                                   "n_treated", "n_control", "no_interval_reason"]
    assert len(table) == 5
    assert table["indikator"].tolist() == ["samarbeid"] * 4 + ["trivsel"]
    assert (table.loc[:3, "ci_low"] > 0).all()
    assert table.loc[4, "ci_low"] < 0 < table.loc[4, "ci_high"]


def test_runs_on_the_sample_in_well_under_a_few_seconds(generated):
    import time

    ds = kompetanse.load(generated[0.0])
    outcome_study(ds)  # statsmodels imported once
    start = time.perf_counter()
    outcome_study(ds, weighted=False)
    assert time.perf_counter() - start < 2


# --- a hand-built fixture -------------------------------------------------------------------
#
# Four municipalities, barnehage `samarbeid`, 2019–2023 (snitt, antall_svar):
#
#          startdato    2019        2020        2021        2022        2023
#   A 1001 2021-09-01   4.00 (100)  4.00 (100)  4.10 (100)  4.40 (100)  4.45 (100)   cohort 2021
#   B 1002 2022-09-01   3.90 (50)   3.95 (50)   4.00 (50)   4.10 (50)   4.35 (50)    cohort 2022
#   C 1003 never        4.20 (200)  4.25 (200)  4.30 (100)  4.30 (100)  4.35 (100)
#   D 1004 never        4.00 (20)   4.05 (20)   4.10 (60)   4.20 (60)   4.20 (60)
#
# ATT(g, t) = change of the cohort from g-1 to t minus the change of the controls; controls
# have not started by max(t, g-1) (C, D, and B before 2022). Weights: respondents in g-1.
#   ATT(2021, 2022), base 2020, controls C, D:
#     A: 4.40-4.00 = 0.40; C: 4.30-4.25 = 0.05, D: 4.20-4.05 = 0.15
#     unweighted 0.40 - 0.10 = 0.30; weighted 0.40 - (200*0.05 + 20*0.15)/220 = 0.40 - 13/220 = 0.340909
#   ATT(2021, 2023): A 0.45; C 0.10, D 0.15
#     unweighted 0.45 - 0.125 = 0.325; weighted 0.45 - (200*0.10 + 20*0.15)/220 = 0.45 - 23/220 = 0.345455
#   ATT(2022, 2023), base 2021, controls C, D: B 4.35-4.00 = 0.35; C 0.05, D 0.10
#     unweighted 0.35 - 0.075 = 0.275; weighted 0.35 - (100*0.05 + 60*0.10)/160 = 0.35 - 11/160 = 0.28125
#   ATT(2021, 2021) (start year, not in the overall estimate), controls B, C, D: 0.10 - 0.05 = 0.05
#   ATT(2021, 2019) (pre-period), controls B, C, D: A 0.00; B, C, D -0.05 each: 0.05
#   ATT(2022, 2020) (pre-period), controls C, D: B -0.05; C, D -0.05: 0.00
# Overall (post cells t >= g+1, each weighted by its cohort's weight there):
#   unweighted (0.30 + 0.325 + 0.275) / 3 = 0.30
#   weighted (100*0.340909 + 100*0.345455 + 50*0.28125) / 250 = 82.698864 / 250 = 0.330795
# Event study rel_year 1: cells (2021, 2022) and (2022, 2023): unweighted (0.30 + 0.275) / 2 = 0.2875


def _hand_built(*, extra_survey: list[tuple] = (), withdrawn: bool = False) -> SimpleNamespace:
    values = {
        "1001": [(4.00, 100), (4.00, 100), (4.10, 100), (4.40, 100), (4.45, 100)],
        "1002": [(3.90, 50), (3.95, 50), (4.00, 50), (4.10, 50), (4.35, 50)],
        "1003": [(4.20, 200), (4.25, 200), (4.30, 100), (4.30, 100), (4.35, 100)],
        "1004": [(4.00, 20), (4.05, 20), (4.10, 60), (4.20, 60), (4.20, 60)],
    }
    rows = [(k, 2019 + i, "barnehage", "samarbeid", s, n) for k, v in values.items() for i, (s, n) in enumerate(v)]
    rows += [(k, 2019 + i, "barnehage", "trivsel", 4.5, 10) for k in values for i in range(5)]
    rows += list(extra_survey)
    survey = pd.DataFrame(rows, columns=["kommunenummer", "ar", "skoleslag", "indikator", "snitt", "antall_svar"])
    participation = pd.DataFrame({
        "kommunenummer": ["1001", "1002"],
        "status": ["avbrutt" if withdrawn else "fullfort", "aktiv"],
        "startdato": pd.to_datetime(["2021-09-01", "2022-09-01"]),
    })
    return SimpleNamespace(foreldreundersokelsen=survey, program_deltakelse=participation)


def _cell(res, g: int, t: int) -> float:
    gt = res.group_time.set_index(["startar", "ar"])
    return gt.loc[(g, t), "estimate"]


def test_hand_built_group_time_effects_unweighted():
    res = outcome_study(_hand_built(), weighted=False, n_boot=99)
    assert _cell(res, 2021, 2022) == pytest.approx(0.30)
    assert _cell(res, 2021, 2023) == pytest.approx(0.325)
    assert _cell(res, 2022, 2023) == pytest.approx(0.275)
    assert _cell(res, 2021, 2021) == pytest.approx(0.05)
    assert _cell(res, 2021, 2019) == pytest.approx(0.05)
    assert _cell(res, 2022, 2020) == pytest.approx(0.0, abs=1e-12)
    assert res.estimate == pytest.approx(0.30)
    assert res.event_study.set_index("rel_year").loc[1, "estimate"] == pytest.approx(0.2875)
    assert (res.n_treated, res.n_control) == (2, 2)
    gt = res.group_time.set_index(["startar", "ar"])
    assert gt.loc[(2021, 2021), "n_control"] == 3  # B has not started yet
    assert gt.loc[(2021, 2022), "n_control"] == 2  # B started in 2022: no longer a control
    assert not gt.loc[(2021, 2021), "post"] and gt.loc[(2021, 2022), "post"]


def test_hand_built_group_time_effects_weighted_by_respondents():
    res = outcome_study(_hand_built(), n_boot=99)
    assert _cell(res, 2021, 2022) == pytest.approx(0.40 - 13 / 220)
    assert _cell(res, 2021, 2023) == pytest.approx(0.45 - 23 / 220)
    assert _cell(res, 2022, 2023) == pytest.approx(0.35 - 11 / 160)
    assert res.estimate == pytest.approx((100 * (0.40 - 13 / 220) + 100 * (0.45 - 23 / 220) + 50 * (0.35 - 11 / 160)) / 250)
    assert res.estimate == pytest.approx(0.330795, abs=1e-6)


def test_hand_built_school_types_are_never_mixed():
    # grunnskole means for a control only, far below barnehage: no treated grunnskole unit to
    # compare them with, so nothing changes
    extra = [("1003", 2019 + i, "grunnskole", "samarbeid", 3.0 + 0.3 * i, 500) for i in range(5)]
    plain = outcome_study(_hand_built(), n_boot=99)
    mixed = outcome_study(_hand_built(extra_survey=extra), n_boot=99)
    assert mixed.estimate == pytest.approx(plain.estimate, abs=1e-12)


def test_hand_built_never_treated_controls_drop_the_not_yet_treated():
    res = outcome_study(_hand_built(), weighted=False, control_group="never_treated", n_boot=99)
    # ATT(2021, 2021) with C and D only: 0.10 - 0.05 = 0.05, and B is never a control
    assert _cell(res, 2021, 2021) == pytest.approx(0.05)
    assert res.group_time["n_control"].max() == 2


def test_hand_built_withdrawn_municipality_counts_as_treated_unless_excluded():
    included = outcome_study(_hand_built(withdrawn=True), weighted=False, n_boot=99)
    excluded = outcome_study(_hand_built(withdrawn=True), weighted=False, exclude_withdrawn=True, n_boot=99)
    assert included.estimate == pytest.approx(0.30)
    assert (included.n_treated, excluded.n_treated) == (2, 1)
    assert excluded.estimate == pytest.approx(0.275)  # only cohort 2022 is left


# --- parameters and errors ------------------------------------------------------------------


def test_unknown_indicator_is_refused_with_the_valid_ones_listed():
    with pytest.raises(UsageError, match=r"`indikator` must be one of samarbeid, trivsel, but 'trivsle' was passed"):
        outcome_study(_hand_built(), indikator="trivsle")


@pytest.mark.parametrize("value", [0, 1, 95, "x", -0.5])
def test_confidence_level_must_be_between_0_and_1(value):
    with pytest.raises(UsageError, match="must be a number between 0 and 1"):
        valid_confidence_level(value)


def test_confidence_level_accepts_text_and_decimal_comma():
    assert valid_confidence_level("0,9") == 0.9


def test_no_comparable_cohort_is_a_data_error():
    ds = _hand_built()
    ds.foreldreundersokelsen = ds.foreldreundersokelsen.query("ar >= 2022")
    with pytest.raises(DataError, match="no cohort can be compared"):
        outcome_study(ds)


# --- command line ---------------------------------------------------------------------------


def test_cli_json_is_one_object_with_the_keys(generated, capsys):
    assert main(["outcomes", "--data", generated[0.3], "--json", "--uten-avbrutt"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"estimate", "ci_low", "ci_high", "p_value", "n_treated", "n_control"} <= set(out)
    assert out["ci_low"] < 0.3 < out["ci_high"]
    assert out["exclude_withdrawn"] is True and out["weighted"] is True
    assert isinstance(out["n_treated"], int) and isinstance(out["event_study"], list)


def test_cli_prints_estimate_interval_p_value_and_municipalities(generated, capsys):
    assert main(["outcomes", "--data", generated[0.0], "--uvektet"]) == 0
    out = capsys.readouterr().out
    for label in ("estimate", "95 % CI", "p-value", "treated municipalities", "control municipalities",
                  "unweighted", "pre-period test", "pre-period average"):
        assert label in out, label


def test_cli_unknown_indicator_exits_2_listing_the_valid_ones(generated, capsys):
    assert main(["outcomes", "--data", generated[0.0], "--indikator", "foo"]) == 2
    err = capsys.readouterr().err
    assert "informasjon, samarbeid, trivsel" in err and "'foo'" in err


def test_cli_data_without_a_comparison_exits_1(capsys):
    assert main(["outcomes", "--data", str(MINIMAL)]) == 1
    assert "no cohort can be compared" in capsys.readouterr().err


# --- figures and key figures ----------------------------------------------------------------


def test_event_study_figure_marks_before_start_and_after(studies):
    from kompetanse.reports.outcome_plots import event_study

    res = studies[0.3]
    fig = event_study(res.event_study, indikator=res.indikator, estimate=res.estimate)
    ax = fig.axes[0]
    assert "samarbeid" in ax.get_title(loc="left") and "95 % konfidensintervall" in ax.get_title(loc="left")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"Før start (skal ligge rundt 0)", "Startåret (overgang)", "Etter start (effekten)",
            "Året før start (referanse, 0)", f"Samlet effekt ({res.estimate:.2f})".replace(".", ",")} == set(labels)
    assert [int(t) for t in ax.get_xticks()] == res.event_study["rel_year"].tolist()


def test_robustness_figure_has_one_row_per_variant(generated):
    from kompetanse.reports.outcome_plots import robustness_estimates

    table = robustness(kompetanse.load(generated[0.0]))
    ax = robustness_estimates(table).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == table["variant"].tolist()


def test_key_figures_use_decimal_comma(studies):
    figures = dict(studies[0.3].key_figures())
    assert figures["Indikator"] == "samarbeid"
    assert "," in figures["Estimert effekt (poeng på skalaen 1–5)"]
    assert " til " in figures["95 % konfidensintervall"]
    assert figures["p-verdi (ingen effekt)"] == "under 0,001"
    assert figures["Deltakerkommuner i estimatet"] == studies[0.3].n_treated


# --- the naive two-way fixed-effects regression, for comparison -------------------------------
#
# Noise-free panels: snitt = unit level + year shock + planted effect, barnehage `samarbeid`,
# 2017–2024. A (1001) starts in 2019, B (1002) in 2022, C (1003) and D (1004) never. The effect
# counts from the first full year after the start (e = ar - startar >= 1).


def _noise_free(effect_by_e, *, respondents=(100, 100, 100, 100)) -> SimpleNamespace:
    years = range(2017, 2025)
    level = {"1001": 4.0, "1002": 3.8, "1003": 4.2, "1004": 3.9}
    shock = {t: 0.03 * (t - 2017) + (0.02 if t % 2 else 0.0) for t in years}
    start = {"1001": 2019, "1002": 2022}
    rows = []
    for (k, base), n in zip(level.items(), respondents, strict=True):
        for t in years:
            e = t - start[k] if k in start else None
            rows.append((k, t, "barnehage", "samarbeid",
                         base + shock[t] + (effect_by_e(e) if e is not None and e >= 1 else 0.0), n))
    survey = pd.DataFrame(rows, columns=["kommunenummer", "ar", "skoleslag", "indikator", "snitt", "antall_svar"])
    participation = pd.DataFrame({"kommunenummer": ["1001", "1002"], "status": ["fullfort", "aktiv"],
                                  "startdato": pd.to_datetime(["2019-09-01", "2022-09-01"])})
    return SimpleNamespace(foreldreundersokelsen=survey, program_deltakelse=participation)


def _dummy_regression(ds: SimpleNamespace, weighted: bool) -> float:
    """TWFE by brute force: least squares on a full set of unit and year dummies."""
    f = ds.foreldreundersokelsen
    start = ds.program_deltakelse.set_index("kommunenummer")["startdato"].dt.year
    d = (f["ar"] >= f["kommunenummer"].map(start) + 1).astype(float)
    x = np.column_stack([d, pd.get_dummies(f["kommunenummer"], dtype=float),
                         pd.get_dummies(f["ar"], dtype=float).iloc[:, 1:]])
    w = np.sqrt(f["antall_svar"].to_numpy(dtype=float) if weighted else np.ones(len(f)))
    beta = np.linalg.lstsq(x * w[:, None], f["snitt"].to_numpy() * w, rcond=None)[0]
    return float(beta[0])


def test_twfe_recovers_a_constant_effect_exactly():
    res = naive_twfe(_noise_free(lambda e: 0.2))
    assert res.estimate == pytest.approx(0.2, abs=1e-9)
    assert (res.n_obs, res.n_clusters) == (32, 4)


@pytest.mark.parametrize("weighted", [True, False])
def test_twfe_equals_the_regression_on_unit_and_year_dummies(weighted):
    ds = _noise_free(lambda e: 0.1 * e, respondents=(300, 40, 120, 75))
    assert naive_twfe(ds, weighted=weighted).estimate == pytest.approx(_dummy_regression(ds, weighted), abs=1e-9)


def test_growing_effect_biases_twfe_but_not_the_study():
    # Effects 0.1, 0.2, ... in years 1, 2, ... after the start. Post cells of the study (weighted
    # equally: 100 respondents each): A in 2020–2024 (e = 1..5), B in 2023–2024 (e = 1..2).
    ds = _noise_free(lambda e: 0.1 * e)
    truth = (0.1 + 0.2 + 0.3 + 0.4 + 0.5 + 0.1 + 0.2) / 7
    assert outcome_study(ds).estimate == pytest.approx(truth, abs=1e-9)
    twfe = naive_twfe(ds).estimate
    assert twfe == pytest.approx(_dummy_regression(ds, True), abs=1e-9)
    assert twfe < truth - 0.03  # already-treated A serves as a control for B while its effect grows


def test_twfe_without_any_start_is_a_data_error():
    ds = _noise_free(lambda e: 0.0)
    ds.program_deltakelse = ds.program_deltakelse.iloc[0:0]
    with pytest.raises(DataError, match="no contrast"):
        naive_twfe(ds)


def test_compare_with_twfe_puts_both_estimates_side_by_side():
    from kompetanse.outcomes import compare_with_twfe

    ds = _noise_free(lambda e: 0.1 * e)
    study, twfe = outcome_study(ds), naive_twfe(ds)
    table = compare_with_twfe(study, twfe)
    assert table["estimate"].tolist() == [study.estimate, twfe.estimate]
    assert table["ci_low"].tolist() == [study.ci_low, twfe.ci_low]
    assert table["variant"].str.contains("TWFE").tolist() == [False, True]


def test_event_study_reference_year_counts_every_cohort_it_is_the_base_of():
    es = outcome_study(_hand_built(), n_boot=99).event_study.set_index("rel_year")
    assert es.loc[-1, "estimate"] == 0.0
    assert (es.loc[-1, "n"], es.loc[-1, "kohorter"]) == (2, 2)  # A (2021) and B (2022), each against its own g-1
    assert (es.loc[2, "n"], es.loc[2, "kohorter"]) == (1, 1)  # only A has a second year after the start


def test_hotelling_p_value_with_one_restriction_is_the_t_test():
    from scipy import stats

    from kompetanse.outcomes import _hotelling_p_value

    t, df = 2.1, 12.0
    assert _hotelling_p_value(t**2, 1, df) == pytest.approx(2 * stats.t.sf(t, df))


def test_hotelling_p_value_is_larger_than_the_plain_f_test_and_undefined_with_too_few_clusters():
    from scipy import stats

    from kompetanse.outcomes import _hotelling_p_value

    wald, q, df = 14.0, 6, 10.0
    assert _hotelling_p_value(wald, q, df) > stats.f.sf(wald / q, q, df)
    assert np.isnan(_hotelling_p_value(wald, q, 5.5))  # df - q + 1 < 1: 6 coefficients, 6.5 clusters
    assert not np.isnan(_hotelling_p_value(wald, q, 6.0))


def test_too_few_treated_municipalities_for_a_joint_placebo_test_is_said_not_guessed():
    # Two treated municipalities and four pre-period years: four coefficients cannot be tested
    # jointly with a covariance from two clusters.
    ds = _noise_free(lambda e: 0.1)
    survey = ds.foreldreundersokelsen
    ds.foreldreundersokelsen = survey.assign(snitt=survey["snitt"] + np.random.default_rng(1).normal(0, 0.02, len(survey)))
    res = outcome_study(ds)
    assert res.placebo.df >= 2 and np.isnan(res.placebo.wald_p_value)
    assert not np.isnan(res.placebo.wald_statistic)
    figures = dict(res.key_figures())
    assert figures["Placebotest før start (p-verdi)"] == "for få deltakerkommuner til en samlet test"
    # ... while the average pre-period coefficient is still tested, with one restriction
    assert not np.isnan(res.placebo.p_value)
    assert figures["Snitt før start (placeboeffekt)"].endswith(f"(p-verdi {_p_text(res.placebo.p_value)})")
