"""Conversions before pooling, checked against published worked numbers and exact identities.

No R package for these is installed here (meta, estmeansd and metaBLUE are not in
Debian's r-cran-*), so the references are: metaBLUE's documented example output
(Wan.std / Luo.mean, S1, X = (1, 4, 10), n = 30), the Cochrane Handbook's worked
numbers (sections 6.5.2.2-6.5.2.3), Altman & Bland (BMJ 2011;343:d2090), and the
formulas' own algebraic identities (a pooled SD equal to the SD of the pooled data).
"""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import evidextract as ev
from evidextract.meta import (
    combine_groups,
    mean_sd_from_median,
    sd_from_ci,
    sd_from_se,
    se_from_ci,
    se_from_p,
)


def test_convert_public_names_are_reexported():
    assert ev.meta.mean_sd_from_median is mean_sd_from_median
    assert ev.meta.combine_groups is combine_groups


# --- median, IQR, range ---------------------------------------------------------------


def test_convert_median_range_matches_metablue_example():
    # metaBLUE 1.0.0 docs: Wan.std(c(1, 4, 10), 30, "S1") -> 2.205578 and
    # Luo.mean(c(1, 4, 10), 30, "S1") -> 4.356748
    out = mean_sd_from_median(4, 30, minimum=1, maximum=10)
    assert out["scenario"].tolist() == ["S1"]
    assert out["sd"].iloc[0] == pytest.approx(2.205578, rel=1e-6)
    assert out["mean"].iloc[0] == pytest.approx(4.356748, rel=1e-6)


def test_convert_median_formulas_per_scenario():
    n, a, q1, m, q3, b = 50.0, 2.0, 4.0, 5.0, 7.0, 10.0
    xi = 2 * stats.norm.ppf((n - 0.375) / (n + 0.25))
    eta = 2 * stats.norm.ppf((0.75 * n - 0.125) / (n + 0.25))
    out = mean_sd_from_median([m, m, m], n, q1=[np.nan, q1, q1], q3=[np.nan, q3, q3],
                              minimum=[a, a, np.nan], maximum=[b, b, np.nan])
    assert out["scenario"].tolist() == ["S1", "S2", "S3"]
    # Wan 2014 eq. 7 and 16; Shi 2020 eq. 11
    w = 1 / (1 + 0.07 * n**0.6)
    np.testing.assert_allclose(
        out["sd"], [(b - a) / xi, w * (b - a) / xi + (1 - w) * (q3 - q1) / eta, (q3 - q1) / eta],
        rtol=1e-12)
    # Luo 2018 eq. 7, 15, 11
    w1, w2 = 2.2 / (2.2 + n**0.75), 0.7 - 0.72 / n**0.55
    expected_mean = [
        4 / (4 + n**0.75) * (a + b) / 2 + n**0.75 / (4 + n**0.75) * m,
        w1 * (a + b) / 2 + w2 * (q1 + q3) / 2 + (1 - w1 - w2) * m,
        (0.7 + 0.39 / n) * (q1 + q3) / 2 + (0.3 - 0.39 / n) * m,
    ]
    np.testing.assert_allclose(out["mean"], expected_mean, rtol=1e-12)
    wan = mean_sd_from_median([m, m, m], n, q1=[np.nan, q1, q1], q3=[np.nan, q3, q3],
                              minimum=[a, a, np.nan], maximum=[b, b, np.nan],
                              mean_method="wan", sd_method="wan")
    np.testing.assert_allclose(
        wan["mean"], [(a + 2 * m + b) / 4, (a + 2 * q1 + 2 * m + 2 * q3 + b) / 8,
                      (q1 + m + q3) / 3], rtol=1e-12)
    assert wan["sd"].iloc[1] == pytest.approx(0.5 * ((b - a) / xi + (q3 - q1) / eta), rel=1e-12)
    assert wan["sd"].iloc[0] == out["sd"].iloc[0]  # S1 and S3 are Wan's in both methods


def test_convert_median_recovers_normal_parameters_for_large_n():
    # For normal data the estimators are consistent: the exact quantiles of N(10, 2^2)
    n = 10_000
    z75 = stats.norm.ppf(0.75)
    out = mean_sd_from_median(10.0, n, q1=10 - 2 * z75, q3=10 + 2 * z75)
    assert out["mean"].iloc[0] == pytest.approx(10.0, rel=1e-12)
    assert out["sd"].iloc[0] == pytest.approx(2.0, rel=1e-3)


def test_convert_median_keeps_series_index_and_handles_missing_rows():
    idx = pd.Index(["a", "b"], name="study")
    out = mean_sd_from_median(pd.Series([5.0, np.nan], index=idx), pd.Series([20, 20], index=idx),
                              q1=pd.Series([3.0, 3.0], index=idx),
                              q3=pd.Series([8.0, 8.0], index=idx))
    assert list(out.index) == ["a", "b"]
    assert out.loc["a", "scenario"] == "S3"
    assert np.isnan(out.loc["b", "mean"])


def test_convert_median_bad_input():
    with pytest.raises(ValueError, match=r"values out of order: q1 > median \(row 1\)"):
        mean_sd_from_median([5, 5], [20, 20], q1=[3, 6], q3=[8, 8])
    with pytest.raises(ValueError, match=r"n must be greater than 0 \(row 0\)"):
        mean_sd_from_median(5, -3, q1=3, q3=8)
    with pytest.raises(ValueError, match="give q1 and q3, minimum and maximum"):
        mean_sd_from_median(5, 20)
    with pytest.raises(ValueError, match="different lengths"):
        mean_sd_from_median([5, 5, 5], [20, 20], q1=3, q3=8)
    with pytest.raises(ValueError, match="row 0: q3 is infinite"):
        mean_sd_from_median(5, 20, q1=3, q3=np.inf)
    with pytest.raises(ValueError, match="mean_method"):
        mean_sd_from_median(5, 20, q1=3, q3=8, mean_method="hozo")


# --- SD and SE from SE, CI, p ----------------------------------------------------------


def test_convert_sd_from_ci_uses_handbook_t_divisor():
    # Cochrane Handbook 6.5.2.2: for n = 25 the 95% t value is 2.0639, so 3.92 -> 4.128
    # (4.128 is 2 x 2.0639 rounded, hence abs=5e-4)
    assert sd_from_ci(0.0, 4.128, 25) == pytest.approx(5.0, abs=5e-4)
    assert sd_from_ci(0.0, 3.92, 100) == pytest.approx(10.0, abs=1e-3)  # normal from n = 60
    assert sd_from_ci(0.0, 3.92, 25, dist="normal") == pytest.approx(5.0, abs=1e-3)
    # 90% and 99% intervals: the Handbook's 3.29 and 5.15 (3 digits, hence abs=5e-3)
    assert sd_from_ci(0.0, 3.29, 100, level=0.90) == pytest.approx(10.0, abs=5e-3)
    assert sd_from_ci(0.0, 5.15, 100, level=99) == pytest.approx(10.0, abs=5e-3)


def test_convert_handbook_t_and_p_value_example():
    # Cochrane Handbook 6.5.2.3: MD 3.8, P = 0.008, n = 25 and 22: t(45) = 2.78,
    # SE = 3.8 / 2.78 = 1.37, SD = 1.37 / sqrt(1/25 + 1/22) = 4.69 (rounded inputs)
    se = se_from_p(3.8, 0.008, df=45)
    assert 3.8 / se == pytest.approx(2.78, abs=0.005)
    assert se == pytest.approx(1.37, abs=0.005)
    assert sd_from_se(se, 25, n2=22) == pytest.approx(4.69, abs=0.01)


def test_convert_se_from_p_matches_altman_bland():
    # BMJ 2011;343:d2090: 49% v 32%, P = 0.032 -> SE 7.94 (their z approximation 2.141)
    assert se_from_p(17.0, 0.032) == pytest.approx(7.94, abs=0.02)
    # ratio on the log scale: RR 0.30, P = 0.034 -> SE of log RR = 1.204 / 2.12
    assert se_from_p(0.30, 0.034, scale="log") == pytest.approx(
        abs(math.log(0.30)) / stats.norm.isf(0.017), rel=1e-12)


def test_convert_se_from_ci_round_trips_a_wald_interval():
    est, se = np.array([0.2, -1.5, 3.0]), np.array([0.1, 0.4, 2.0])
    z = stats.norm.isf(0.025)
    np.testing.assert_allclose(se_from_ci(est - z * se, est + z * se), se, rtol=1e-12)
    ratio_lo, ratio_hi = np.exp(est - z * se), np.exp(est + z * se)
    np.testing.assert_allclose(se_from_ci(ratio_lo, ratio_hi, scale="log"), se, rtol=1e-12)
    t = stats.t.ppf(0.975, 9)
    assert se_from_ci(1 - t, 1 + t, df=9) == pytest.approx(1.0, rel=1e-12)


def test_convert_series_in_series_out():
    s = pd.Series([0.5, 1.0], index=["x", "y"])
    out = sd_from_se(s, pd.Series([16, 25], index=["x", "y"]))
    assert isinstance(out, pd.Series)
    assert out.to_dict() == {"x": 2.0, "y": 5.0}
    assert isinstance(sd_from_se(0.5, 16), float)


def test_convert_se_sd_bad_input():
    with pytest.raises(ValueError, match=r"ci_low is above ci_high \(row 1\)"):
        se_from_ci([1, 5], [2, 4])
    with pytest.raises(ValueError, match=r"p must be in \(0, 1\]"):
        se_from_p(0.4, 0.0)
    with pytest.raises(ValueError, match=r"n must be greater than 0 \(row 0\)"):
        sd_from_se(0.3, 0)
    with pytest.raises(ValueError, match="se must not be negative"):
        sd_from_se(-0.3, 10)
    with pytest.raises(ValueError, match="positive with scale='log'"):
        se_from_ci(-0.1, 2.0, scale="log")
    with pytest.raises(ValueError, match="df <= 0"):
        sd_from_ci(1.0, 2.0, 1)
    with pytest.raises(ValueError, match="row 1: se is not a number: 'n/a'"):
        sd_from_se([0.3, "n/a"], 10)
    assert np.isnan(se_from_p(0.0, 0.5))  # a zero estimate tells nothing about its SE


# --- combining groups ------------------------------------------------------------------


def test_convert_combine_groups_equals_sd_of_pooled_data():
    rng = np.random.default_rng(7)
    a, b = rng.normal(5, 1, 13), rng.normal(8, 3, 21)
    out = combine_groups(a.size, a.mean(), a.std(ddof=1), b.size, b.mean(), b.std(ddof=1))
    pooled = np.concatenate([a, b])
    assert out["n"].iloc[0] == 34
    assert out["mean"].iloc[0] == pytest.approx(pooled.mean(), rel=1e-12)
    assert out["sd"].iloc[0] == pytest.approx(pooled.std(ddof=1), rel=1e-12)


def test_convert_combine_groups_vectorized_and_bad_input():
    out = combine_groups([10, 5], [1.0, 2.0], [1.0, 1.0], [10, 5], [1.0, 2.0], [1.0, 1.0])
    # two identical groups: the pooled sum of squares 2 (n - 1) over 2n - 1 degrees of freedom
    np.testing.assert_allclose(out["sd"], np.sqrt([18 / 19, 8 / 9]), rtol=1e-12)
    assert list(out.columns) == ["n", "mean", "sd"]
    with pytest.raises(ValueError, match=r"standard deviations must not be negative \(row 0\)"):
        combine_groups(10, 1.0, -1.0, 10, 1.0, 1.0)
    with pytest.raises(ValueError, match=r"n2 must be greater than 0"):
        combine_groups(10, 1.0, 1.0, 0, 1.0, 1.0)
