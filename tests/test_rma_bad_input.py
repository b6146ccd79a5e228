"""Bad input to rma and rma_batch: a clear error naming the study, or metafor's fallback with a
warning; never a silent NaN estimate (issues 4 and 7)."""

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidextract import rma
from evidextract.meta import ConvergenceError, rma_batch

FIXTURE = json.loads((Path(__file__).parent / "data" / "metafor_rma.json").read_text())
BCG = FIXTURE["datasets"]["bcg"]
YI = np.array(BCG["yi"])
VI = np.array(BCG["vi"])
SLAB = BCG["slab"]


def test_rma_k0_empty_input_raises():
    with pytest.raises(ValueError, match="k = 0"):
        rma(np.array([]), np.array([]))


def test_rma_k0_all_missing_raises_naming_studies():
    with pytest.raises(ValueError, match="k = 0.*'A'"):
        rma([np.nan, 0.2], [0.1, np.nan], slab=["A", "B"])


def test_rma_k1_falls_back_to_tau2_zero_with_warning():
    # metafor: rma(0.3, 0.04) -> estimate 0.3, se 0.2, tau2 0, QE 0, QEp 1, I2 0, H2 1, se.tau2 NA
    with pytest.warns(UserWarning, match="k = 1"):
        fit = rma([0.3], [0.04], method="REML")
    assert (fit.estimate, fit.se, fit.tau2, fit.q, fit.q_pval, fit.i2, fit.h2) == (
        0.3,
        pytest.approx(0.2),
        0.0,
        0.0,
        1.0,
        0.0,
        1.0,
    )
    assert math.isnan(fit.se_tau2)


def test_rma_k1_knha_switches_to_z_as_metafor():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = rma([0.3], [0.04], test="knha")
    messages = " | ".join(str(w.message) for w in caught)
    assert 'test="z"' in messages and "k = 1" in messages
    assert fit.test == "z"
    with pytest.raises(ValueError, match="k = 1"):
        fit.confint()


def test_rma_zero_variance_raises_naming_study():
    vi = VI.copy()
    vi[3] = 0.0
    with pytest.raises(
        ValueError, match=r"zero or negative sampling variance.*'Hart & Sutherland, 1977'"
    ):
        rma(YI, vi, slab=SLAB)


def test_rma_negative_variance_raises_naming_study():
    vi = VI.copy()
    vi[0] = -0.01
    with pytest.raises(ValueError, match=r"zero or negative.*'Aronson, 1948'"):
        rma(YI, vi, slab=SLAB, method="DL")


def test_rma_nan_study_omitted_with_warning_and_listed():
    yi = YI.copy()
    yi[2] = np.nan
    with pytest.warns(UserWarning, match="omitted.*'Rosenthal et al, 1960'"):
        fit = rma(yi, VI, slab=SLAB)
    reference = rma(np.delete(YI, 2), np.delete(VI, 2))
    assert fit.k == 12
    assert fit.estimate == pytest.approx(reference.estimate, rel=1e-12)
    assert fit.excluded["label"].tolist() == ["Rosenthal et al, 1960"]
    assert "Rosenthal et al, 1960" not in fit.slab


def test_rma_infinite_effect_raises_naming_study():
    yi = YI.copy()
    yi[5] = np.inf
    with pytest.raises(ValueError, match=r"infinite effect size.*'Stein & Aronson, 1953'"):
        rma(yi, VI, slab=SLAB)


def test_rma_infinite_variance_raises_naming_study():
    vi = VI.copy()
    vi[5] = np.inf
    with pytest.raises(ValueError, match=r"infinite sampling variance.*'Stein & Aronson, 1953'"):
        rma(YI, vi, slab=SLAB)


def test_rma_non_numeric_input_raises():
    with pytest.raises(ValueError, match="numeric"):
        rma(["a", "b"], [0.1, 0.2])


def test_rma_reml_not_converging_raises_with_metafor_advice():
    # random data on which metafor 3.8's Fisher scoring oscillates and stops with "Fisher scoring
    # algorithm did not converge. See 'help(rma)' for possible remedies." (fixture entry)
    case = FIXTURE["nonconvergent"]
    assert "did not converge" in case["default"]["error"]
    yi, vi = np.array(case["yi"]), np.array(case["vi"])
    with pytest.raises(ConvergenceError, match="did not converge.*stepadj"):
        rma(yi, vi, method="REML")
    # metafor's remedy, a smaller step, converges to metafor's value
    fit = rma(yi, vi, method="REML", control={"stepadj": 0.5})
    expected = case["stepadj_half"]
    for key in ["tau2", "estimate", "se", "se_tau2", "i2"]:
        assert getattr(fit, key) == pytest.approx(expected[key], rel=1e-6), key


def test_rma_reml_iteration_limit_raises():
    with pytest.raises(ConvergenceError, match="after 1 iterations"):
        rma(YI, VI, method="REML", control={"maxiter": 1})


def test_rma_pm_tau2_max_too_low_raises():
    with pytest.raises(ConvergenceError, match="tau2_max"):
        rma(YI, VI, method="PM", control={"tau2_max": 0.01})


def test_rma_tiny_variance_not_invertible_raises():
    vi = VI.copy()
    vi[1] = 1e-320  # subnormal: 1 / vi overflows to inf
    with pytest.raises(ValueError, match=r"too small to invert.*'Ferguson & Simes, 1949'"):
        rma(YI, vi, slab=SLAB)


def test_rma_huge_variance_ratio_warns_naming_studies():
    vi = VI.copy()
    vi[0] = 1e6  # ratio to the smallest (0.004) is about 2.5e8 >= 1e7, metafor's warning
    with pytest.warns(UserWarning, match=r"extremely large.*'Aronson, 1948'"):
        fit = rma(YI, vi, slab=SLAB)
    assert np.isfinite(fit.estimate)
    assert fit.weights[0] < 1e-4  # the study barely counts, as it should


def test_rma_too_many_parameters_raises():
    with pytest.raises(ValueError, match="larger than the number of studies"):
        rma([0.3, 0.5], [0.04, 0.05], mods=[1.0, 2.0])


def test_rma_redundant_moderator_dropped_with_warning():
    data = pd.DataFrame({"yi": YI, "vi": VI, "ablat": BCG["ablat"]})
    data["ablat2"] = 2 * data["ablat"]  # exactly collinear
    with pytest.warns(UserWarning, match="Redundant predictors dropped.*ablat2"):
        fit = rma("yi", "vi", data=data, mods=["ablat", "ablat2"])
    reference = rma("yi", "vi", data=data, mods=["ablat"])
    assert fit.term_names == ["intrcpt", "ablat"]
    np.testing.assert_allclose(fit.estimate, reference.estimate, rtol=1e-10)


def test_rma_near_singular_design_raises():
    data = pd.DataFrame({"yi": YI, "vi": VI, "ablat": np.array(BCG["ablat"]) * 1e-6})
    with pytest.raises(ValueError, match="not of full rank.*ablat"):
        rma("yi", "vi", data=data, mods="~ ablat")


def test_rma_missing_moderator_omits_study_with_warning():
    data = pd.DataFrame({"yi": YI, "vi": VI, "ablat": BCG["ablat"]}, dtype=float)
    data.loc[4, "ablat"] = np.nan
    with pytest.warns(UserWarning, match="missing moderator.*Study 5"):
        fit = rma("yi", "vi", data=data, mods="~ ablat")
    assert fit.k == 12
    assert fit.excluded["label"].tolist() == ["Study 5"]


def test_rma_unknown_method_lists_valid_codes():
    with pytest.raises(ValueError, match="valid codes: EE, FE, DL, REML, ML, PM, HE, SJ, HS, EB"):
        rma(YI, VI, method="XYZ")


def test_rma_unknown_test_lists_valid_codes():
    with pytest.raises(ValueError, match="valid codes: z, knha"):
        rma(YI, VI, test="t")


def test_rma_unknown_control_setting_raises():
    with pytest.raises(ValueError, match="unknown control setting"):
        rma(YI, VI, control={"stepsize": 0.5})


def test_rma_batch_bad_analyses_become_error_rows():
    rows = [("good", y, v) for y, v in zip(YI, VI, strict=True)]
    rows += [("zero_var", 0.1, 0.0), ("zero_var", 0.2, 0.1)]
    rows += [("single", 0.4, 0.02)]
    rows += [("with_nan", 0.1, 0.02), ("with_nan", np.nan, 0.03), ("with_nan", 0.3, 0.04)]
    rows += [("all_nan", np.nan, 0.1)]
    long = pd.DataFrame(rows, columns=["analysis_id", "yi", "vi"])
    out = rma_batch(long).set_index("analysis_id")
    assert len(out) == 5  # no analysis lost
    assert out.loc["good", "status"] == "ok"
    assert out.loc["good", "estimate"] == pytest.approx(rma(YI, VI).estimate, rel=1e-12)
    assert out.loc["zero_var", "status"] == "error"
    assert "zero or negative sampling variance" in out.loc["zero_var", "message"]
    assert math.isnan(out.loc["zero_var", "estimate"])
    assert out.loc["single", "status"] == "warning" and "k = 1" in out.loc["single", "message"]
    assert out.loc["single", "estimate"] == 0.4
    assert out.loc["with_nan", "status"] == "warning" and out.loc["with_nan", "k"] == 2
    assert out.loc["all_nan", "status"] == "error" and "k = 0" in out.loc["all_nan", "message"]


def test_rma_batch_non_converging_row_reports_error():
    long = pd.DataFrame({"analysis_id": ["a"] * len(YI), "yi": YI, "vi": VI})
    out = rma_batch(long, control={"maxiter": 1})
    assert out.loc[0, "status"] == "error"
    assert "did not converge" in out.loc[0, "message"]


_ANY_FLOAT = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1e-320, 1e-300, 1e300, -1.0]),
    st.floats(min_value=-5, max_value=5),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.tuples(_ANY_FLOAT, st.one_of(_ANY_FLOAT, st.floats(min_value=1e-4, max_value=2))),
        max_size=12,
    ),
    method=st.sampled_from(["EE", "DL", "REML", "ML", "PM", "HE", "SJ", "HS", "EB"]),
    test=st.sampled_from(["z", "knha"]),
)
def test_rma_random_input_errors_clearly_or_gives_finite_estimate(rows, method, test):
    yi = np.array([r[0] for r in rows], dtype=float)
    vi = np.array([r[1] for r in rows], dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fit = rma(yi, vi, method=method, test=test)
        except (ValueError, ConvergenceError) as err:
            assert str(err)  # a message saying what is wrong
            return
    assert np.isfinite(fit.estimate) and np.isfinite(fit.se) and fit.se >= 0
    assert np.isfinite(fit.tau2) and fit.tau2 >= 0
    assert 0 <= fit.i2 <= 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.tuples(st.integers(0, 4), _ANY_FLOAT, st.one_of(_ANY_FLOAT, st.floats(1e-4, 2))),
        max_size=30,
    ),
    method=st.sampled_from(["EE", "DL", "REML", "PM", "SJ"]),
)
def test_rma_batch_random_input_keeps_every_analysis(rows, method):
    long = pd.DataFrame(rows, columns=["analysis_id", "yi", "vi"], dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = rma_batch(long, method=method)
    assert sorted(out["analysis_id"]) == sorted(long["analysis_id"].unique())
    fine = out[out["status"] != "error"]
    assert np.isfinite(fine["estimate"]).all()
    assert (out.loc[out["status"] == "error", "message"].str.len() > 0).all()


@pytest.mark.parametrize("method", ["DL", "HS"])
def test_rma_variances_sixteen_orders_apart_keep_tau2_and_i2_sane(method):
    # sum(w) - sum(w^2)/sum(w) cancelled to a negative trace here, and DL gave tau2 = 9e15.
    with pytest.warns(UserWarning, match="Ratio of largest to smallest sampling variance"):
        fit = rma(yi=[0.0, 0.0], vi=[1.8014398509481984e16, 1.25], method=method)
    assert fit.tau2 == 0.0
    assert 0.0 <= fit.i2 <= 1.0
    batch = rma_batch(
        pd.DataFrame({"a": [1, 1], "yi": [0.0, 0.0], "vi": [1.8014398509481984e16, 1.25]}),
        by="a", method=method,
    )
    assert batch.loc[0, "tau2"] == 0.0
