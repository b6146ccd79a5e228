"""Pooling on extreme and generated input: metafor's numbers, or a clear error.

``tests/data/fuzz/metafor_extremes.json`` holds metafor 3.8's ``rma()`` on extreme inputs
(tiny and huge variances and effects, a variance ratio of 1e9, identical effects, two
opposed studies, a table with all-zero cells), every tau² estimator; it is written by
``metafor_extremes.R`` beside it. The property tests feed generated data sets and
meta-regression designs (near-singular among them): a fit whose numbers are consistent,
or a ``ValueError``/``ConvergenceError`` with a message; nothing else, never a silent NaN.
"""

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import evidextract as ev
from evidextract.meta import ConvergenceError

REFERENCE = json.loads((Path(__file__).parent / "data" / "fuzz" / "metafor_extremes.json")
                       .read_text(encoding="utf-8"))
CASES = [(name, method) for name, data in REFERENCE["sets"].items() for method in data["fits"]]
METHODS = ["FE", "DL", "HE", "HS", "SJ", "ML", "REML", "EB", "PM"]
PROPERTY = settings(max_examples=80, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


def _fit(*args, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = ev.rma(*args, **kwargs)
    return fit, [str(w.message) for w in caught if issubclass(w.category, UserWarning)]


@pytest.mark.parametrize("name,method", CASES, ids=[f"{n}-{m}" for n, m in CASES])
def test_fuzz_meta_extreme_inputs_match_metafor(name, method):
    data = REFERENCE["sets"][name]
    expected = data["fits"][method]
    fit, messages = _fit(np.array(data["yi"], float), np.array(data["vi"], float),
                         method=method)
    scale = abs(expected["estimate"]) + expected["se"]
    for key in ("estimate", "se", "ci_low", "ci_high"):
        assert getattr(fit, key) == pytest.approx(expected[key], rel=1e-5, abs=1e-9 * scale), key
    assert fit.tau2 == pytest.approx(expected["tau2"], rel=1e-5, abs=1e-12 * scale ** 2)
    assert fit.q == pytest.approx(expected["q"], rel=1e-5, abs=1e-9)
    assert fit.i2 * 100 == pytest.approx(expected["i2"], rel=1e-5, abs=1e-6)
    # metafor's warning (variance ratio >= 1e7) is given exactly when metafor gives it.
    assert any("extremely large" in m for m in messages) == bool(expected["warnings"])


def test_fuzz_meta_reference_covers_every_class():
    assert {"tiny_variances", "huge_variances", "variance_ratio_1e9", "identical_effects",
            "huge_effects", "two_studies_opposed", "tiny_effects",
            "all_zero_cells_or"} <= set(REFERENCE["sets"])
    assert len(CASES) == 8 * len(METHODS)


def test_fuzz_meta_all_zero_cells_escalc_then_rma_as_metafor():
    table = ev.escalc("OR", ai=[0, 0, 2, 0], bi=[10, 20, 18, 15], ci=[0, 1, 3, 0],
                      di=[10, 19, 17, 15])
    expected = REFERENCE["sets"]["all_zero_cells_or"]
    kept = table.dropna(subset=["yi"])
    assert kept["yi"].tolist() == pytest.approx(expected["yi"])
    assert kept["vi"].tolist() == pytest.approx(expected["vi"])
    assert len(table) == 4  # the double-zero study stays in the table, with NaN


@st.composite
def datasets(draw, k_min=2, k_max=12):
    k = draw(st.integers(k_min, k_max))
    yi = draw(st.lists(st.floats(-5, 5, allow_nan=False), min_size=k, max_size=k))
    exponents = draw(st.lists(st.floats(-4, 2), min_size=k, max_size=k))
    return np.array(yi), 10.0 ** np.array(exponents)


def _consistent(fit):
    assert math.isfinite(fit.estimate) and math.isfinite(fit.se) and fit.se > 0
    assert fit.ci_low <= fit.estimate <= fit.ci_high
    assert fit.tau2 >= 0 and 0 <= fit.i2 <= 1
    # H² = 1 + tau²/s² under random effects; metafor's FE model gives H² = Q/(k - 1).
    assert fit.h2 >= (0 if fit.method in ("FE", "EE") else 1 - 1e-9)
    assert fit.q >= -1e-9 and 0 <= fit.pval <= 1 and 0 <= fit.q_pval <= 1


def _fit_or_clear_error(yi, vi, **kwargs):
    try:
        fit, _ = _fit(yi, vi, **kwargs)
    except (ValueError, ConvergenceError) as exc:
        assert len(str(exc)) > 20  # says what went wrong
        return None
    _consistent(fit)
    return fit


@PROPERTY
@given(datasets(), st.sampled_from(METHODS))
def test_fuzz_meta_generated_data_fit_consistently_or_fail_clearly(data, method):
    yi, vi = data
    _fit_or_clear_error(yi, vi, method=method)


@PROPERTY
@given(datasets(k_min=3), st.sampled_from(["DL", "REML", "PM"]), st.randoms())
def test_fuzz_meta_study_order_does_not_matter(data, method, random):
    yi, vi = data
    fit = _fit_or_clear_error(yi, vi, method=method)
    assume(fit is not None)
    order = list(range(len(yi)))
    random.shuffle(order)
    shuffled = _fit_or_clear_error(yi[order], vi[order], method=method)
    assert shuffled.estimate == pytest.approx(fit.estimate, rel=1e-6, abs=1e-9)
    assert shuffled.tau2 == pytest.approx(fit.tau2, rel=1e-5, abs=1e-9)


@PROPERTY
@given(datasets(k_min=3), st.sampled_from(["DL", "REML", "ML"]),
       st.floats(-100, 100, allow_nan=False), st.floats(0.01, 100))
def test_fuzz_meta_shift_and_scale_equivariance(data, method, shift, factor):
    yi, vi = data
    fit = _fit_or_clear_error(yi, vi, method=method)
    assume(fit is not None)
    moved = _fit_or_clear_error(yi * factor + shift, vi * factor ** 2, method=method)
    # Exact for DL; ML/REML stop when tau² moves less than 1e-5 (metafor's threshold, in
    # the units of the data), so a rescaled problem stops at a slightly different point.
    assert moved.estimate == pytest.approx(fit.estimate * factor + shift, rel=1e-4,
                                           abs=1e-3 * fit.se * factor + 1e-9 * abs(shift))
    assert moved.tau2 == pytest.approx(fit.tau2 * factor ** 2, rel=2e-3,
                                       abs=1e-4 * factor ** 2 + 2e-5)


@PROPERTY
@given(datasets(k_min=6), st.sampled_from([0.0, 1e-14, 1e-10, 1e-6, 1e-3]), st.randoms())
def test_fuzz_meta_near_singular_regression_fits_drops_or_fails_clearly(data, eps, random):
    yi, vi = data
    x1 = np.arange(len(yi), dtype=float)
    x2 = 2 * x1 + eps * np.array([random.gauss(0, 1) for _ in x1])
    try:
        fit, messages = _fit(yi, vi, mods=np.column_stack([x1, x2]), method="REML")
    except (ValueError, ConvergenceError) as exc:
        assert len(str(exc)) > 20
        return
    coefs = np.atleast_1d(fit.estimate)
    assert np.isfinite(coefs).all()
    if len(coefs) < 3:  # a predictor was dropped: metafor says so
        assert any("Redundant predictors dropped" in m for m in messages)


@pytest.mark.parametrize("yi,vi", [([np.inf, 0.1], [0.1, 0.1]), ([0.1, 0.2], [0.1, np.inf]),
                                   ([0.1, 0.2], [0.1, 0.0]), ([0.1, 0.2], [0.1, -1.0])],
                         ids=["infinite_effect", "infinite_variance", "zero_variance",
                              "negative_variance"])
def test_fuzz_meta_bad_study_raises_naming_it(yi, vi):
    culprit = "A" if not np.isfinite(yi[0]) else "B"
    with pytest.raises(ValueError, match=f"'{culprit}'"):
        ev.rma(np.array(yi), np.array(vi), slab=["A", "B"])
