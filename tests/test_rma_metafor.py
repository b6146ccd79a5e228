"""rma against R's metafor: every estimator x test on six data sets, plus moderators and subgroups.

The reference numbers come from ``validation/rma_reference.R`` (metafor 3.8-1, default
settings) stored in ``tests/data/metafor_rma.json``; R is not needed here.
"""

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from evidextract import rma

# metafor prints and stores doubles; our code takes the same steps (same Fisher-scoring start,
# threshold and stopping rule, R's uniroot for PM and the Q-profile bounds), so the only
# differences are floating-point rounding of differently ordered sums: far below 1e-6.
RTOL = 1e-6
# quantities that are (or should be) exactly zero, e.g. tau2 truncated at 0, differ only by
# rounding noise of order 1e-15; a relative tolerance is meaningless there.
ATOL_NEAR_ZERO = 1e-9

FIXTURE = json.loads(
    (__import__("pathlib").Path(__file__).parent / "data" / "metafor_rma.json").read_text()
)
DATASETS = FIXTURE["datasets"]
CORE_KEYS = [
    "estimate",
    "se",
    "zval",
    "pval",
    "ci_low",
    "ci_high",
    "tau2",
    "se_tau2",
    "i2",
    "h2",
    "q",
    "q_pval",
]
PREDICT_KEYS = ["pred", "se", "ci_low", "ci_high", "pi_low", "pi_high"]


def _ids(entries, fields):
    return ["-".join(str(e[f]) for f in fields) for e in entries]


def assert_close(actual, expected, what):
    """Compare with the metafor value; ``None`` (R's NA) means metafor reports nothing."""
    expected = np.asarray([np.nan if v is None else v for v in np.atleast_1d(expected)], float)
    actual = np.atleast_1d(np.asarray(actual, dtype=float))
    if np.isnan(expected).all():
        return 0  # metafor gives no value here (e.g. no prediction interval for EE models)
    present = ~np.isnan(expected)
    assert actual.shape == expected.shape, what
    np.testing.assert_allclose(
        actual[present], expected[present], rtol=RTOL, atol=ATOL_NEAR_ZERO, err_msg=what
    )
    return int(present.sum())


def _fit(entry):
    data = DATASETS[entry["dataset"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return rma(
            np.array(data["yi"]),
            np.array(data["vi"]),
            method=entry["method"],
            test=entry["test"],
            slab=data["slab"],
            measure=data["measure"],
        )


@pytest.mark.parametrize(
    "entry", FIXTURE["fits"], ids=_ids(FIXTURE["fits"], ["dataset", "method", "test"])
)
def test_rma_matches_metafor_model_and_predict(entry):
    fit = _fit(entry)
    assert fit.k == entry["k"]
    for key in CORE_KEYS:
        assert_close(getattr(fit, key), entry[key], key)
    pred = fit.predict()
    for key in PREDICT_KEYS:
        assert_close(pred[key].to_numpy(), entry["predict"][key], "predict " + key)


@pytest.mark.parametrize(
    "entry", FIXTURE["fits"], ids=_ids(FIXTURE["fits"], ["dataset", "method", "test"])
)
def test_rma_matches_metafor_confint_regtest(entry):
    fit = _fit(entry)
    if "error" in entry["confint"]:
        # metafor refuses confint() for the fixed model; so do we
        with pytest.raises(ValueError, match="random-effects component"):
            fit.confint()
    else:
        ci = fit.confint()
        for key in ["tau2", "tau", "i2", "h2"]:
            assert_close(ci.loc[key].to_numpy(), entry["confint"][key], "confint " + key)
    reg = fit.regtest()
    for key in ["zval", "pval", "est", "ci_low", "ci_high"]:
        assert_close(getattr(reg, key), entry["regtest"][key], "regtest " + key)
    assert_close(reg.ddf, entry["regtest"]["ddf"], "regtest ddf")


@pytest.mark.parametrize(
    "entry", FIXTURE["fits"], ids=_ids(FIXTURE["fits"], ["dataset", "method", "test"])
)
def test_rma_matches_metafor_trimfill_leave1out(entry):
    fit = _fit(entry)
    tf, ref = fit.trimfill(), entry["trimfill"]
    assert (tf.k0, tf.side, tf.k) == (ref["k0"], ref["side"], ref["k"])
    assert list(tf.filled) == ref["fill"]
    for key in ["estimate", "se", "ci_low", "ci_high", "tau2"]:
        assert_close(getattr(tf, key), ref[key], "trimfill " + key)
    assert_close(tf.data["yi"].to_numpy(), ref["yi"], "trimfill yi")
    loo, ref = fit.leave1out(), entry["leave1out"]
    assert list(loo["label"]) == DATASETS[entry["dataset"]]["slab"]
    for key in [
        "estimate",
        "se",
        "zval",
        "pval",
        "ci_low",
        "ci_high",
        "q",
        "q_pval",
        "tau2",
        "i2",
        "h2",
    ]:
        assert_close(loo[key].to_numpy(), ref[key], "leave1out " + key)


def _bcg_frame():
    bcg = DATASETS["bcg"]
    return pd.DataFrame({key: bcg[key] for key in ["yi", "vi", "ablat", "year", "alloc"]})


@pytest.mark.parametrize(
    "entry", FIXTURE["mods"], ids=_ids(FIXTURE["mods"], ["formula", "method", "test"])
)
def test_rma_matches_metafor_meta_regression(entry):
    fit = rma(
        "yi",
        "vi",
        data=_bcg_frame(),
        mods=entry["formula"],
        method=entry["method"],
        test=entry["test"],
    )
    assert fit.term_names == entry["term"]
    for key in CORE_KEYS + ["r2", "qm", "qm_pval"]:
        assert_close(getattr(fit, key), entry[key], key)
    assert_close(fit.qm_df, entry["qm_df"], "qm_df")
    coefs = fit.coefs
    assert_close(coefs["estimate"].to_numpy(), entry["estimate"], "coefs estimate")
    pred = fit.predict()
    for key in PREDICT_KEYS:
        assert_close(pred[key].to_numpy(), entry["predict"][key], "predict " + key)


def test_rma_meta_regression_column_names_equal_formula():
    data = _bcg_frame()
    by_formula = rma("yi", "vi", data=data, mods="~ ablat + year")
    by_columns = rma("yi", "vi", data=data, mods=["ablat", "year"])
    by_array = rma("yi", "vi", data=data, mods=data[["ablat", "year"]].to_numpy())
    np.testing.assert_allclose(by_columns.estimate, by_formula.estimate, rtol=1e-12)
    np.testing.assert_allclose(by_array.estimate, by_formula.estimate, rtol=1e-12)
    assert by_columns.term_names == ["intrcpt", "ablat", "year"]


@pytest.mark.parametrize(
    "entry", FIXTURE["subgroup"], ids=_ids(FIXTURE["subgroup"], ["method", "test"])
)
def test_rma_matches_metafor_subgroups(entry):
    fit = rma(
        "yi", "vi", data=_bcg_frame(), subgroup="alloc", method=entry["method"], test=entry["test"]
    )
    table = fit.subgroups.to_frame().set_index("subgroup")
    assert list(table.index) == [g["group"] for g in entry["groups"]]
    for group in entry["groups"]:
        row = table.loc[group["group"]]
        assert row["k"] == group["k"]
        for key in ["estimate", "se", "ci_low", "ci_high", "tau2", "i2", "q"]:
            assert_close(row[key], group[key], f"{group['group']} {key}")
    assert_close(fit.subgroups.q_between, entry["q_between"], "Q between")
    assert fit.subgroups.df_between == entry["df_between"]
    assert_close(fit.subgroups.p_between, entry["p_between"], "p between")


def test_rma_fixture_records_metafor_version():
    assert FIXTURE["metafor_version"].startswith("3.8")
    assert len(FIXTURE["fits"]) == 6 * 9 * 2


def test_rma_published_bcg_example():
    """Viechtbauer (2010), J Stat Softw 36(3), section 3.3 / predict example: the BCG vaccine
    trials (log risk ratios), REML: estimate -0.7145 (SE 0.1798), tau^2 = 0.3132, I^2 = 92.22%,
    back-transformed RR 0.49 with 95% CI 0.34 to 0.70 (printed there as 0.4894, 0.3441 to 0.6962).
    """
    bcg = DATASETS["bcg"]
    fit = rma(np.array(bcg["yi"]), np.array(bcg["vi"]), method="REML", measure="RR")
    assert round(fit.estimate, 4) == -0.7145
    assert round(fit.se, 4) == 0.1798
    assert round(fit.tau2, 4) == 0.3132
    assert round(100 * fit.i2, 2) == 92.22
    rr = fit.predict(transf=True).iloc[0]
    assert (round(rr["pred"], 2), round(rr["ci_low"], 2), round(rr["ci_high"], 2)) == (
        0.49,
        0.34,
        0.70,
    )
    assert (round(rr["pred"], 4), round(rr["ci_low"], 4), round(rr["ci_high"], 4)) == (
        0.4894,
        0.3441,
        0.6962,
    )
