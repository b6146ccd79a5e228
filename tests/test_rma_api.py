"""The rma interface: estimator contract, inputs, fixed output columns, printouts, batch path."""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evidextract import escalc, rma
from evidextract.meta import FixedEffect, MetaAnalysis, NotFittedError, RandomEffects, rma_batch
from evidextract.meta._estimators import RANDOM_METHODS, tau2_general, tau2_intercept_only

FIXTURE = json.loads((Path(__file__).parent / "data" / "metafor_rma.json").read_text())
BCG = FIXTURE["datasets"]["bcg"]
YI, VI, SLAB = np.array(BCG["yi"]), np.array(BCG["vi"]), BCG["slab"]
# two code paths for the same model differ by floating-point rounding only
RTOL_SAME_MODEL = 1e-10


def _fixture_fit(dataset, method, test="z"):
    return next(
        f
        for f in FIXTURE["fits"]
        if (f["dataset"], f["method"], f["test"]) == (dataset, method, test)
    )


def test_rma_estimator_stores_params_unchanged_and_fit_returns_self():
    est = RandomEffects(method="PM", test="knha", level=95)
    assert est.get_params() == {"method": "PM", "test": "knha", "level": 95, "control": None}
    assert est.fit(YI, VI) is est
    assert est.level == 95 and est.level_ == 0.95
    assert est.tau2_ == pytest.approx(_fixture_fit("bcg", "PM", "knha")["tau2"], rel=1e-6)
    assert est.set_params(method="DL") is est and est.method == "DL"


def test_rma_estimator_unfitted_raises():
    est = RandomEffects()
    with pytest.raises(NotFittedError, match="not fitted yet"):
        _ = est.mu_
    assert not hasattr(est, "tau2_")
    with pytest.raises(NotFittedError):
        FixedEffect().crit_()


def test_rma_estimator_unknown_method_raises():
    with pytest.raises(ValueError, match="valid: DL, REML"):
        RandomEffects(method="EE").fit(YI, VI)


def test_rma_fixed_effect_class_equals_rma_ee_and_fe_alias():
    fe = FixedEffect().fit(YI, VI)
    ee = rma(YI, VI, method="EE")
    fe_alias = rma(YI, VI, method="FE")
    expected = _fixture_fit("bcg", "EE")
    assert fe.mu_ == pytest.approx(expected["estimate"], rel=1e-6)
    assert ee.estimate == fe_alias.estimate == fe.mu_
    assert ee.tau2 == 0.0 and math.isnan(ee.se_tau2)


@pytest.mark.parametrize("method", RANDOM_METHODS)
@pytest.mark.parametrize("dataset", ["bcg", "pain", "molloy2014"])
def test_rma_intercept_fast_path_equals_matrix_path(method, dataset):
    data = FIXTURE["datasets"][dataset]
    yi, vi = np.array(data["yi"]), np.array(data["vi"])
    fast = tau2_intercept_only(yi, vi, method)
    matrix = tau2_general(yi, vi, np.ones((yi.size, 1)), method)
    assert fast.tau2 == pytest.approx(matrix.tau2, rel=RTOL_SAME_MODEL, abs=1e-12)
    assert fast.se_tau2 == pytest.approx(matrix.se_tau2, rel=RTOL_SAME_MODEL)
    assert fast.iterations == matrix.iterations


def test_rma_accepts_columns_sei_and_level_percent():
    data = pd.DataFrame({"effect": YI, "var": VI, "se": np.sqrt(VI), "study": SLAB})
    by_name = rma("effect", "var", data=data, slab="study")
    by_sei = rma("effect", data=data, sei="se", vi=None)
    by_percent = rma(YI, VI, level=95)
    assert by_name.estimate == by_percent.estimate
    assert by_sei.estimate == pytest.approx(by_name.estimate, rel=RTOL_SAME_MODEL)
    assert by_sei.ci_low == pytest.approx(by_name.ci_low, rel=1e-12)
    assert by_name.slab == SLAB
    assert by_name.data["study"].tolist() == SLAB


def test_rma_level_changes_intervals_as_metafor():
    fit90 = rma(YI, VI, level=0.90)
    fit95 = rma(YI, VI)
    half90 = fit90.ci_high - fit90.estimate
    half95 = fit95.ci_high - fit95.estimate
    assert half90 / half95 == pytest.approx(1.6448536269514722 / 1.959963984540054, rel=1e-12)


def test_rma_uses_escalc_measure_and_back_transforms():
    dat = pd.DataFrame(
        {
            "tpos": [4, 6, 3, 62, 33, 180],
            "tneg": [119, 300, 228, 13536, 5036, 1361],
            "cpos": [11, 29, 11, 248, 47, 372],
            "cneg": [128, 274, 209, 12619, 5761, 1079],
        }
    )
    es = escalc("RR", ai="tpos", bi="tneg", ci="cpos", di="cneg", data=dat)
    fit = rma(data=es)
    assert fit.measure == "RR"
    np.testing.assert_allclose(fit.data["yi"], YI[:6], rtol=1e-12)
    log_scale = fit.predict()
    rr = fit.predict(transf=True)
    np.testing.assert_allclose(rr["pred"], np.exp(log_scale["pred"]), rtol=1e-12)
    np.testing.assert_allclose(rr["pi_high"], np.exp(log_scale["pi_high"]), rtol=1e-12)
    assert rr["se"].isna().all()  # metafor drops the SE once transformed
    by_name = fit.predict(transf="exp")
    by_func = fit.predict(transf=np.exp)
    pd.testing.assert_frame_equal(by_name, by_func)


@pytest.mark.parametrize(
    ("measure", "inverse"),
    [
        ("PLO", lambda x: 1 / (1 + np.exp(-x))),
        ("ZCOR", np.tanh),
        ("OR", np.exp),
        ("PAS", lambda x: np.sin(x) ** 2),
    ],
)
def test_rma_predict_auto_transform_by_measure(measure, inverse):
    fit = rma(YI / 4, VI, measure=measure)
    pred = fit.predict()
    back = fit.predict(transf=True)
    np.testing.assert_allclose(back["pred"], inverse(pred["pred"]), rtol=1e-12)


def test_rma_predict_pft_uses_harmonic_mean_n():
    # metafor: predict(res, transf = transf.ipft.hm, targs = list(ni = dat$ni))
    ni = np.array([20.0, 40.0, 80.0])
    data = pd.DataFrame({"yi": [0.9, 1.0, 1.1], "vi": 1 / (ni + 0.5), "ni": ni})
    fit = rma("yi", "vi", data=data, measure="PFT")
    p = float(fit.predict(transf=True)["pred"].iloc[0])
    hm = 3 / np.sum(1 / ni)
    x = fit.estimate
    expected = 0.5 * (
        1
        - np.sign(np.cos(2 * x))
        * np.sqrt(1 - (np.sin(2 * x) + (np.sin(2 * x) - 1 / np.sin(2 * x)) / hm) ** 2)
    )
    assert p == pytest.approx(expected, rel=1e-12)
    with pytest.raises(ValueError, match="unknown transf"):
        fit.predict(transf="cube")


def test_rma_to_frame_columns_fixed_and_weights_percent():
    fit = rma(YI, VI, slab=SLAB)
    frame = fit.to_frame()
    assert list(frame.columns) == [
        "label",
        "yi",
        "vi",
        "se",
        "ci_low",
        "ci_high",
        "weight",
        "level",
        "is_pooled",
    ]
    assert len(frame) == 14 and frame["is_pooled"].tolist() == [False] * 13 + [True]
    assert frame["weight"].iloc[:13].sum() == pytest.approx(100.0)
    w = 1 / (VI + fit.tau2)
    np.testing.assert_allclose(frame["weight"].iloc[:13], 100 * w / w.sum(), rtol=1e-12)
    pooled = frame.iloc[-1]
    assert (pooled["yi"], pooled["ci_low"], pooled["ci_high"]) == (
        fit.estimate,
        fit.ci_low,
        fit.ci_high,
    )
    np.testing.assert_allclose(
        frame["ci_low"].iloc[:13], YI - 1.959963984540054 * np.sqrt(VI), rtol=1e-12
    )
    mods_frame = rma(YI, VI, mods=np.array(BCG["ablat"])).to_frame()
    assert list(mods_frame.columns) == list(frame.columns)


def test_rma_summary_reads_like_metafor_print():
    text = str(rma(YI, VI, slab=SLAB).summary())
    assert text.splitlines()[0] == "Random-Effects Model (k = 13; tau^2 estimator: REML)"
    assert "tau^2 (estimated amount of total heterogeneity): 0.3132 (SE = 0.1664)" in text
    assert "I^2 (total heterogeneity / total variability):   92.22%" in text
    assert "Q(df = 12) = 152.2330, p-val < .0001" in text
    assert " -0.7145  0.1798  -3.9744  <.0001  -1.0669  -0.3622  ***" in text
    data = pd.DataFrame({"yi": YI, "vi": VI, "ablat": BCG["ablat"], "year": BCG["year"]})
    reg = str(rma("yi", "vi", data=data, mods="~ ablat + year", test="knha"))
    assert reg.splitlines()[0] == "Mixed-Effects Model (k = 13; tau^2 estimator: REML)"
    assert "R^2 (amount of heterogeneity accounted for):            64.63%" in reg
    assert "QE(df = 10) = 28.3251, p-val = 0.0016" in reg
    assert "F(df1 = 2, df2 = 10) = 4.9649, p-val = 0.0318" in reg
    assert "ablat     -0.0280   0.0113  -2.4689  10  0.0332   -0.0533  -0.0027  *" in reg
    fixed = str(rma("yi", "vi", data=data, mods="~ ablat", method="EE"))
    assert fixed.splitlines()[0] == "Fixed-Effects with Moderators Model (k = 13)"
    assert "I^2 (residual heterogeneity / unaccounted variability): 64.21%" in fixed
    assert "QM(df = 1) = 121.4999, p-val < .0001" in fixed


def test_rma_repr_html_escapes_labels():
    fit = rma(YI[:3], VI[:3], slab=["<script>x</script>", "b", "c"], subgroup=None)
    html = fit._repr_html_()
    assert "<table>" in html and "Random-Effects Model" in html
    assert "<script>" not in fit.subgroups.__str__() if fit.subgroups else "<script>" not in html
    data = pd.DataFrame({"yi": YI[:4], "vi": VI[:4], "g": ["<b>a</b>", "<b>a</b>", "z", "z"]})
    html = rma("yi", "vi", data=data, subgroup="g")._repr_html_()
    assert "<b>a</b>" not in html and "&lt;b&gt;a&lt;/b&gt;" in html


def test_rma_meta_regression_knha_single_moderator_f_equals_t_squared():
    data = pd.DataFrame({"yi": YI, "vi": VI, "ablat": BCG["ablat"]})
    fit = rma("yi", "vi", data=data, mods="~ ablat", test="knha")
    assert fit.qm == pytest.approx(fit.zval[1] ** 2, rel=1e-12)
    assert fit.qm_pval == pytest.approx(fit.pval[1], rel=1e-10)
    assert list(fit.coefs.columns) == [
        "term",
        "estimate",
        "se",
        "zval",
        "pval",
        "ci_low",
        "ci_high",
    ]
    pred = fit.predict(newmods=[10.0, 50.0])
    expected = fit.estimate[0] + fit.estimate[1] * np.array([10.0, 50.0])
    np.testing.assert_allclose(pred["pred"], expected, rtol=1e-12)


def test_rma_trimfill_flags_filled_studies_and_labels():
    tf = rma(YI, VI, slab=SLAB).trimfill()
    assert tf.k0 == 1 and tf.side == "right"
    assert tf.slab[-1] == "Filled 1" and tf.filled.tolist() == [False] * 13 + [True]
    assert isinstance(tf, MetaAnalysis)


def test_rma_regtest_str():
    text = str(rma(YI, VI).regtest())
    assert "Test for Funnel Plot Asymmetry: z = -0.8033, p = 0.4218" in text
    assert "b = -0.5104 (CI: -1.1182, 0.0974)" in text


def test_rma_subgroup_frame_columns_and_between_test():
    data = pd.DataFrame({"yi": YI, "vi": VI, "alloc": BCG["alloc"]})
    fit = rma("yi", "vi", data=data, subgroup="alloc")
    table = fit.subgroups.to_frame()
    assert table["subgroup"].tolist() == ["alternate", "random", "systematic"]
    assert table["k"].sum() == fit.k
    assert fit.estimate == pytest.approx(_fixture_fit("bcg", "REML")["estimate"], rel=1e-6)
    with pytest.raises(ValueError, match="not a column"):
        rma("yi", "vi", data=data, subgroup="nope")


@pytest.mark.parametrize("method", ["EE", "DL", "REML", "ML", "PM", "HE", "SJ", "HS", "EB"])
@pytest.mark.parametrize("test", ["z", "knha"])
def test_rma_batch_equals_rma_per_analysis(method, test):
    rng = np.random.default_rng(3)
    frames = []
    for i, k in enumerate([2, 3, 5, 8, 13, 20]):
        vi = rng.uniform(0.01, 0.3, k)
        frames.append(
            pd.DataFrame({"analysis_id": i, "yi": rng.normal(0.2, np.sqrt(vi + 0.05)), "vi": vi})
        )
    frames.append(pd.DataFrame({"analysis_id": 99, "yi": YI, "vi": VI}))
    long = pd.concat(frames, ignore_index=True)
    out = rma_batch(long, method=method, test=test)
    assert list(out.columns[:4]) == ["analysis_id", "k", "estimate", "se"]
    for _, row in out.iterrows():
        part = long[long["analysis_id"] == row["analysis_id"]]
        fit = rma(part["yi"].to_numpy(), part["vi"].to_numpy(), method=method, test=test)
        assert row["status"] == "ok"
        pred = fit.predict().iloc[0]
        for key in [
            "estimate",
            "se",
            "pval",
            "ci_low",
            "ci_high",
            "tau2",
            "i2",
            "h2",
            "q",
            "q_pval",
        ]:
            assert row[key] == pytest.approx(getattr(fit, key), rel=RTOL_SAME_MODEL, abs=1e-12), key
        assert row["pi_high"] == pytest.approx(pred["pi_high"], rel=RTOL_SAME_MODEL)


def test_rma_forest_and_funnel_delegate_to_plot(close_figures):
    fit = rma(YI, VI, slab=SLAB, measure="RR")
    assert fit.forest() is not None
    assert fit.funnel() is not None
