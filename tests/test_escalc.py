"""evidextract.escalc against metafor::escalc 3.8.1 (tests/data/metafor_escalc.json).

The fixture is made by validation/escalc_reference.R; these tests do not need R.
Tolerances: RTOL = 1e-6 is the issue's agreement target (metafor's own tests
compare printed results at 1e-4 or so; double precision gives ~1e-15 here, so
1e-6 leaves room only for a different but equivalent formula ordering).
ATOL = 1e-9 covers outcomes that are exactly zero (a log ratio of equal risks,
dat.molloy2014's r = 0), where a relative tolerance means nothing.
"""

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import evidextract as ev
from evidextract.meta._escalc import EffectSizeWarning

RTOL = 1e-6
ATOL = 1e-9


FIXTURE = Path(__file__).parent / "data" / "metafor_escalc.json"
_CASES = json.loads(FIXTURE.read_text())["cases"]


def _as_array(values):
    return np.array([np.nan if v is None else v for v in values], dtype=float)


@pytest.mark.parametrize("case", _CASES, ids=[c["id"] for c in _CASES])
def test_escalc_matches_metafor_fixture(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EffectSizeWarning)
        out = ev.escalc(case["measure"], **case["args"], **case["options"])
    expected_yi = _as_array(case["yi"])
    expected_vi = _as_array(case["vi"])
    np.testing.assert_allclose(out["yi"].to_numpy(), expected_yi, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(out["vi"].to_numpy(), expected_vi, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(out["sei"].to_numpy(), np.sqrt(expected_vi), rtol=RTOL, atol=ATOL)


def test_escalc_fixture_covers_every_measure():
    fixture = json.loads(FIXTURE.read_text())
    assert fixture["metafor_version"] == "3.8.1"
    measures = {c["measure"] for c in fixture["cases"]}
    issue_measures = {"SMD", "MD", "SMCC", "SMCR", "MC", "ROM", "OR", "RR", "RD", "PR", "PLO",
                      "PFT", "PAS", "COR", "ZCOR", "AUC", "GEN"}
    assert issue_measures <= measures
    n_values = sum(2 * len(c["yi"]) for c in fixture["cases"])
    assert n_values >= 1700


def test_escalc_keeps_columns_and_labels_from_data():
    df = pd.DataFrame({"study": ["A", "B"], "note": ["x", "y"], "tpos": [4, 6], "tneg": [119, 300],
                       "cpos": [11, 29], "cneg": [128, 274]}, index=[10, 20])
    out = ev.escalc("OR", df, ai="tpos", bi="tneg", ci="cpos", di="cneg", slab="study")
    assert list(out.columns) == ["study", "note", "tpos", "tneg", "cpos", "cneg", "yi", "vi", "sei"]
    assert list(out.index) == [10, 20]
    assert out["note"].tolist() == ["x", "y"]
    assert "yi" not in df.columns  # the input is not modified
    assert out.attrs["measure"] == "OR"
    assert out.attrs["back_transform"] == "exp"
    assert out.attrs["ni"] == [4 + 119 + 11 + 128.0, 6 + 300 + 29 + 274.0]
    assert out["yi"].iloc[0] == pytest.approx(math.log((4 / 119) / (11 / 128)), rel=1e-12)


def test_escalc_accepts_series_scalars_and_lowercase_measure():
    out = ev.escalc("smcc", m1i=pd.Series([6.8, 8.19]), sd1i=[2.2, 1.1], m2i=[2.5, 3.41],
                    sd2i=[2.6, 2.1], ni=[64, 51], ri=0.5)
    ref = [c for c in _CASES if c["id"] == "prepost_SMCC_LS"][0]
    np.testing.assert_allclose(out["yi"], ref["yi"][:2], rtol=RTOL)
    assert out.attrs["measure"] == "SMCC"


def test_escalc_seed_smd_from_ci():
    # the seeds' pooled SMD -3.71 (95% CI -5.29 to -2.00): se = 3.29 / 3.919928
    out = ev.escalc("GEN", yi=[-3.71], ci_low=[-5.29], ci_high=[-2.00])
    assert out["sei"].iloc[0] == pytest.approx(3.29 / (2 * 1.959963984540054), rel=1e-12)
    assert out.attrs["back_transform"] is None


def test_escalc_gen_p_value_matches_altman_bland_2011():
    # Altman & Bland, BMJ 2011;343:d2090: 49% v 32%, P = 0.032 -> SE 7.94 (their z
    # approximation gives 2.141; the exact normal quantile 2.144, hence abs=0.02).
    out = ev.escalc("GEN", yi=[17.0], pval=[0.032])
    assert out["sei"].iloc[0] == pytest.approx(7.94, abs=0.02)


def test_escalc_gen_uses_vi_then_sei_then_ci_then_p_per_study():
    out = ev.escalc("GEN", yi=[1.0, 1.0, 1.0, 1.0], vi=[0.25, None, None, None],
                    sei=[9.0, 0.3, None, None], ci_low=[None, None, 0.0, None],
                    ci_high=[None, None, 2.0, None], pval=[0.5, 0.5, 0.5, 0.05])
    z = 1.959963984540054
    np.testing.assert_allclose(out["vi"], [0.25, 0.09, (1 / z) ** 2, (1 / z) ** 2], rtol=1e-9)


def test_escalc_auc_at_one_half_gives_mann_whitney_null_variance():
    # At A = 1/2, Hanley-McNeil's Q1 = Q2 = 1/3, and the variance is the exact
    # null variance of the Mann-Whitney U / (n1 n2): (n1 + n2 + 1) / (12 n1 n2).
    n1, n2 = np.array([10, 25, 40]), np.array([15, 25, 7])
    out = ev.escalc("AUC", auc=0.5, n1i=n1, n2i=n2)
    np.testing.assert_allclose(out["vi"], (n1 + n2 + 1) / (12 * n1 * n2), rtol=1e-12)
    logit = ev.escalc("AUC", auc=0.5, n1i=n1, n2i=n2, transform="logit")
    np.testing.assert_allclose(logit["yi"], 0.0, atol=1e-15)
    np.testing.assert_allclose(logit["vi"], out["vi"] * 16, rtol=1e-12)
    assert logit.attrs["back_transform"] == "ilogit"


def test_escalc_pft_and_pas_default_to_no_continuity_correction():
    plain = ev.escalc("PFT", xi=[0, 5], ni=[20, 20])
    assert plain.attrs["escalc"]["add"] == 0.0
    assert plain["yi"].iloc[0] == pytest.approx(0.5 * math.asin(math.sqrt(1 / 21)), rel=1e-12)


# --- bad input -----------------------------------------------------------------


def test_escalc_unknown_measure_lists_valid_codes():
    with pytest.raises(ValueError, match=r"unknown measure 'HR'.*SMD.*ZCOR.*AUC.*GEN"):
        ev.escalc("HR", yi=[1.0], vi=[0.1])


def test_escalc_column_not_in_data_names_it():
    df = pd.DataFrame({"m1": [1.0], "s1": [1.0], "n1": [10], "m2": [0.0], "s2": [1.0], "n2": [10]})
    with pytest.raises(ValueError, match=r"sd2i='sd2' is not a column of data; columns: m1, s1"):
        ev.escalc("SMD", df, m1i="m1", sd1i="s1", n1i="n1", m2i="m2", sd2i="sd2", n2i="n2")


def test_escalc_column_name_without_data():
    with pytest.raises(ValueError, match="no data was given"):
        ev.escalc("COR", ri="r", ni=[10])


def test_escalc_mismatched_lengths():
    with pytest.raises(ValueError, match="ni has 2 values but there are 3 studies"):
        ev.escalc("COR", ri=[0.1, 0.2, 0.3], ni=[10, 20])


def test_escalc_missing_required_argument():
    with pytest.raises(ValueError, match="needs m1i, m2i, sd1i, sd2i, n1i, n2i; missing: sd2i"):
        ev.escalc("MD", m1i=[1], m2i=[0], sd1i=[1], n1i=[5], n2i=[5])


def test_escalc_negative_sd_names_the_study():
    message = r"sd1i \(a standard deviation\) is negative for study 'B'"
    with pytest.raises(ValueError, match=message):
        ev.escalc("SMD", m1i=[1, 1], sd1i=[1, -1], n1i=[5, 5], m2i=[0, 0], sd2i=[1, 1],
                  n2i=[5, 5], slab=["A", "B"])


def test_escalc_negative_or_zero_n_names_the_row():
    df = pd.DataFrame({"r": [0.3, 0.2], "n": [30, -4]})
    with pytest.raises(ValueError, match=r"ni \(a sample size\) is not positive for row 1"):
        ev.escalc("ZCOR", df, ri="r", ni="n")


def test_escalc_correlation_outside_unit_interval():
    with pytest.raises(ValueError, match=r"ri \(a correlation\) is outside \[-1, 1\] for row 0"):
        ev.escalc("MC", m1i=[5], sd1i=[1], m2i=[3], sd2i=[1], ni=[20], ri=1.5)


def test_escalc_infinite_input_names_the_study():
    with pytest.raises(ValueError, match=r"m2i is infinite for study 'Umea'"):
        ev.escalc("MD", m1i=[1, 2], sd1i=[1, 1], n1i=[5, 5], m2i=[0, np.inf], sd2i=[1, 1],
                  n2i=[5, 5], slab=["Uppsala", "Umea"])


def test_escalc_non_numeric_input_names_the_study():
    df = pd.DataFrame({"x": [3, "n/a"], "n": [10, 12], "label": ["a", "b"]})
    with pytest.raises(ValueError, match=r"study 'b': xi \(column 'x'\) is not a number: 'n/a'"):
        ev.escalc("PR", df, xi="x", ni="n", slab="label")


def test_escalc_events_above_group_size():
    with pytest.raises(ValueError, match="more events than participants"):
        ev.escalc("OR", ai=[12], n1i=[10], ci=[3], n2i=[10])
    with pytest.raises(ValueError, match="are there more events xi than participants ni"):
        ev.escalc("PLO", xi=[12], ni=[10])


def test_escalc_inconsistent_totals():
    with pytest.raises(ValueError, match=r"row 0: n1i = 11 is not ai \+ bi = 10"):
        ev.escalc("RR", ai=[3], bi=[7], n1i=[11], ci=[2], di=[8])


def test_escalc_nan_input_gives_nan_with_warning_naming_the_study():
    with pytest.warns(EffectSizeWarning, match=r"study 'B': missing sd2i"):
        out = ev.escalc("SMD", m1i=[1, 1], sd1i=[1, 1], n1i=[5, 5], m2i=[0, 0],
                        sd2i=[1, np.nan], n2i=[5, 5], slab=["A", "B"])
    assert np.isfinite(out["yi"].iloc[0])
    assert np.isnan(out["yi"].iloc[1]) and np.isnan(out["vi"].iloc[1])


def test_escalc_zero_cell_in_every_study_gets_the_correction():
    # metafor's default add=1/2, to="only0": every study is corrected, none is lost
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = ev.escalc("OR", ai=[0, 0, 0], bi=[10, 12, 9], ci=[2, 1, 1], di=[8, 11, 9])
    assert out["yi"].iloc[0] == pytest.approx(math.log((0.5 / 10.5) / (2.5 / 8.5)), rel=1e-12)
    assert out["vi"].iloc[0] == pytest.approx(1 / 0.5 + 1 / 10.5 + 1 / 2.5 + 1 / 8.5, rel=1e-12)


def test_escalc_double_zero_in_every_study_with_drop00_warns_for_each():
    with pytest.warns(EffectSizeWarning, match=r"3 of 3 studies.*row 0: no events.*drop00=True"):
        out = ev.escalc("RR", ai=[0, 0, 0], bi=[10, 12, 9], ci=[0, 0, 0], di=[10, 12, 9],
                        drop00=True)
    assert out["yi"].isna().all()


def test_escalc_zero_cell_without_correction_warns():
    with pytest.warns(EffectSizeWarning, match=r"row 0: a zero cell with to='none'"):
        out = ev.escalc("OR", ai=[0, 4], bi=[10, 6], ci=[2, 3], di=[8, 7], to="none")
    assert np.isnan(out["yi"].iloc[0]) and np.isfinite(out["yi"].iloc[1])


def test_escalc_too_small_for_bias_correction_warns():
    with pytest.warns(EffectSizeWarning, match="too few participants for Hedges' correction"):
        ev.escalc("SMD", m1i=[5], sd1i=[1], n1i=[2], m2i=[4], sd2i=[1], n2i=[1])


def test_escalc_zcor_small_n_warns():
    with pytest.warns(EffectSizeWarning, match=r"ni <= 3 leaves no sampling variance"):
        out = ev.escalc("ZCOR", ri=[0.5, 0.2], ni=[3, 50])
    assert np.isnan(out["vi"].iloc[0])


def test_escalc_bad_options():
    with pytest.raises(ValueError, match="vtype='HO' is not available for measure 'SMD'"):
        ev.escalc("SMD", m1i=[1], sd1i=[1], n1i=[5], m2i=[0], sd2i=[1], n2i=[5], vtype="HO")
    with pytest.raises(ValueError, match="to='some'"):
        ev.escalc("OR", ai=[1], bi=[1], ci=[1], di=[1], to="some")
    with pytest.raises(ValueError, match="scale='log' applies to measure 'GEN' only"):
        ev.escalc("OR", ai=[1], bi=[1], ci=[1], di=[1], scale="log")
    with pytest.raises(ValueError, match="level"):
        ev.escalc("GEN", yi=[1], ci_low=[0], ci_high=[2], level=0)


def test_escalc_gen_estimate_outside_its_ci():
    with pytest.raises(ValueError, match="yi lies outside its own CI for row 0"):
        ev.escalc("GEN", yi=[3.71], ci_low=[-5.29], ci_high=[-2.00])


def test_escalc_gen_ratio_without_log_scale_warns():
    with pytest.warns(EffectSizeWarning, match="scale='log'"):
        ev.escalc("GEN", yi=[2.5], ci_low=[1.2], ci_high=[5.2])


def test_escalc_gen_bad_p_and_log_values():
    with pytest.raises(ValueError, match=r"pval is outside \(0, 1\]"):
        ev.escalc("GEN", yi=[0.4], pval=[0.0])
    with pytest.raises(ValueError, match="yi must be positive with scale='log'"):
        ev.escalc("GEN", yi=[-0.2], ci_low=[0.1], ci_high=[0.9], scale="log")
    with pytest.raises(ValueError, match="needs vi, sei, both ci_low and ci_high, or pval"):
        ev.escalc("GEN", yi=[0.4], ci_low=[0.1])


def test_escalc_auc_outside_unit_interval():
    with pytest.raises(ValueError, match=r"auc is outside \[0, 1\] for row 0"):
        ev.escalc("AUC", auc=[89.3], n1i=[58], n2i=[51])


# --- property tests: no silent wrong number ----------------------------------------

_ANY_NUMBER = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-5, max_value=10**6),
)


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.tuples(*[_ANY_NUMBER] * 6), min_size=1, max_size=5),
       measure=st.sampled_from(["SMD", "MD", "ROM"]))
def test_escalc_property_any_numbers_give_a_number_a_warned_nan_or_valueerror(rows, measure):
    m1, sd1, n1, m2, sd2, n2 = (list(c) for c in zip(*rows, strict=True))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = ev.escalc(measure, m1i=m1, sd1i=sd1, n1i=n1, m2i=m2, sd2i=sd2, n2i=n2)
        except ValueError:
            return
    yi, vi = out["yi"].to_numpy(), out["vi"].to_numpy()
    assert not np.isinf(yi).any() and not np.isinf(vi).any()
    assert (vi[~np.isnan(vi)] >= 0).all()
    if np.isnan(yi).any() or np.isnan(vi).any():
        assert any(issubclass(w.category, EffectSizeWarning) for w in caught)
    assert not any(issubclass(w.category, RuntimeWarning) for w in caught)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50), st.integers(0, 50),
                          st.integers(0, 50)), min_size=1, max_size=8))
def test_escalc_property_zero_cells_never_lose_a_study(tables):
    ai, bi, ci, di = (np.array(c, dtype=float) for c in zip(*tables, strict=True))
    nonempty = (ai + bi > 0) & (ci + di > 0)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        out = ev.escalc("OR", ai=ai, bi=bi, ci=ci, di=di)
    # metafor's default (add 1/2 to every cell of a table with a zero cell) makes every
    # table with two non-empty arms finite, and equal to the corrected closed form
    zero = (ai == 0) | (bi == 0) | (ci == 0) | (di == 0)
    a, b, c, d = (x + np.where(zero, 0.5, 0.0) for x in (ai, bi, ci, di))
    expected = np.log(a * d / (b * c))
    assert np.isfinite(out["yi"][nonempty]).all()
    np.testing.assert_allclose(out["yi"][nonempty], expected[nonempty], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out["vi"][nonempty], (1 / a + 1 / b + 1 / c + 1 / d)[nonempty],
                               rtol=1e-12)
