"""Forest and funnel plots draw the fit's numbers: read back from the matplotlib artists.

Every artist of a plot carries a gid naming its part (``square:study-3``, ``diamond:overall``,
``cell:estimate:study-3``...); the tests find them by gid and compare their coordinates and
texts with the fitted model and with metafor 3.8-1's printout for ``dat.bcg``.
"""

import re
import subprocess
import sys

import matplotlib
import numpy as np
import pandas as pd
import pytest
from scipy import stats

import evidextract as ee

matplotlib.use("Agg")

# metafor's dat.bcg (Colditz et al. 1994), a public data set: BCG vaccine trials.
BCG = pd.DataFrame(
    {
        "author": [
            "Aronson", "Ferguson & Simes", "Rosenthal et al", "Hart & Sutherland",
            "Frimodt-Moller et al", "Stein & Aronson", "Vandiviere et al", "TPT Madras",
            "Coetzee & Berjak", "Rosenthal et al", "Comstock et al", "Comstock & Webster",
            "Comstock et al",
        ],
        "year": [1948, 1949, 1960, 1977, 1973, 1953, 1973, 1980, 1968, 1961, 1974, 1969, 1976],
        "tpos": [4, 6, 3, 62, 33, 180, 8, 505, 29, 17, 186, 5, 27],
        "tneg": [119, 300, 228, 13536, 5036, 1361, 2537, 87886, 7470, 1699, 50448, 2493, 16886],
        "cpos": [11, 29, 11, 248, 47, 372, 10, 499, 45, 65, 141, 3, 29],
        "cneg": [128, 274, 209, 12619, 5761, 1079, 619, 87892, 7232, 1600, 27197, 2338, 17825],
        "ablat": [44, 55, 42, 52, 13, 44, 19, 13, 27, 42, 18, 33, 33],
        "alloc": [
            "random", "random", "random", "random", "alternate", "alternate", "random",
            "random", "random", "systematic", "systematic", "systematic", "systematic",
        ],
    }
)  # fmt: skip

# metafor 3.8-1: res <- rma(yi, vi, data=escalc("RR", ai=tpos, bi=tneg, ci=cpos, di=cneg,
# data=dat.bcg)); print(res); predict(res); weights(res); trimfill(res)
R_ESTIMATE, R_CI = -0.7145, (-1.0669, -0.3622)
R_PI = (-1.8667, 0.4376)
R_WEIGHTS = [5.059483, 6.364680, 4.436028, 9.698747, 8.868456, 10.095738, 6.027182,
             10.189439, 8.743133, 8.367607, 9.925027, 3.821629, 8.402852]  # fmt: skip
R_FILLED = (0.31040302401, 0.223017247572)  # yi, vi of the one study trimfill adds
R_TOL = 1e-4  # metafor prints four decimals

IMPUTED = {2: "SD from CI", 5: "mean from median (Luo 2018)", 9: "SD from CI"}


def _labels(frame):
    return [f"{a}, {y}" for a, y in zip(frame["author"], frame["year"], strict=True)]


@pytest.fixture(scope="module")
def bcg_data():
    data = ee.escalc("RR", ai="tpos", bi="tneg", ci="cpos", di="cneg", data=BCG)
    data["n1i"] = data["tpos"] + data["tneg"]
    data["n2i"] = data["cpos"] + data["cneg"]
    data["imputed"] = [IMPUTED.get(i, "") for i in range(len(data))]
    return data


@pytest.fixture(scope="module")
def bcg_fit(bcg_data):
    return ee.rma("yi", "vi", data=bcg_data, slab=_labels(bcg_data))


@pytest.fixture(scope="module")
def bcg_subgroup_fit(bcg_data):
    return ee.rma("yi", "vi", data=bcg_data, slab=_labels(bcg_data), subgroup="alloc")


def _by_gid(fig, gid):
    found = [a for a in fig.findobj() if a.get_gid() == gid]
    assert found, f"no artist with gid {gid!r}"
    return found


def _one(fig, gid):
    found = _by_gid(fig, gid)
    assert len(found) == 1, f"{len(found)} artists with gid {gid!r}"
    return found[0]


def _studies(fit):
    frame = fit.to_frame()
    return frame[~frame["is_pooled"]].reset_index(drop=True)


# --- forest: graphics --------------------------------------------------------------------------


def test_plot_forest_squares_and_ci_lines_at_study_estimates(bcg_fit, close_figures):
    fig = ee.forest(bcg_fit)
    studies = _studies(bcg_fit)
    for i, row in studies.iterrows():
        square = _one(fig, f"square:study-{i}")
        ci = _one(fig, f"ci:study-{i}")
        np.testing.assert_allclose(square.get_xdata(), [np.exp(row["yi"])], rtol=1e-12)
        np.testing.assert_allclose(
            ci.get_xdata(), np.exp([row["ci_low"], row["ci_high"]]), rtol=1e-12
        )
        assert square.get_ydata()[0] == ci.get_ydata()[0] == ci.get_ydata()[1]
    # Aronson 1948 from the raw counts: RR = (4/123) / (11/139)
    aronson = _one(fig, "square:study-0").get_xdata()[0]
    assert aronson == pytest.approx((4 / 123) / (11 / 139), rel=1e-12)


def test_plot_forest_square_areas_proportional_to_weights(bcg_fit, close_figures):
    fig = ee.forest(bcg_fit)
    sides = np.array([_one(fig, f"square:study-{i}").get_markersize() for i in range(13)])
    areas = sides**2
    np.testing.assert_allclose(areas / areas.sum() * 100, R_WEIGHTS, atol=1e-4)
    assert list(np.argsort(areas)) == list(np.argsort(R_WEIGHTS))


def test_plot_forest_diamond_vertices_are_pooled_estimate_and_ci(bcg_fit, close_figures):
    fig = ee.forest(bcg_fit)
    diamond = _one(fig, "diamond:overall")
    xy = diamond.get_xy()
    xs = sorted(set(np.round(xy[:, 0], 12)))
    np.testing.assert_allclose(xs, np.exp([R_CI[0], R_ESTIMATE, R_CI[1]]), rtol=R_TOL)
    np.testing.assert_allclose(
        xs, np.exp([bcg_fit.ci_low, bcg_fit.estimate, bcg_fit.ci_high]), rtol=1e-12
    )
    # the tips sit on the row's centre line, the widest points at the estimate
    row_y = xy[np.argmin(xy[:, 0]), 1]
    assert xy[np.argmax(xy[:, 0]), 1] == row_y
    assert all(x == pytest.approx(np.exp(bcg_fit.estimate)) for x, y in xy if y != row_y)


def test_plot_forest_prediction_interval_is_predicts(bcg_fit, close_figures):
    fig = ee.forest(bcg_fit)
    pi = _one(fig, "pi:overall")
    pred = bcg_fit.predict().iloc[0]
    np.testing.assert_allclose(pi.get_xdata(), np.exp([pred["pi_low"], pred["pi_high"]]))
    np.testing.assert_allclose(pi.get_xdata(), np.exp(R_PI), rtol=R_TOL)
    assert pi.get_ydata()[0] > _one(fig, "diamond:overall").get_xy()[:, 1].mean()  # below it
    assert not _by_gid_or_none(ee.forest(bcg_fit, show_pi=False), "pi:overall")


def _by_gid_or_none(fig, gid):
    return [a for a in fig.findobj() if a.get_gid() == gid]


def test_plot_forest_fixed_effect_model_has_no_prediction_interval(bcg_data, close_figures):
    fit = ee.rma("yi", "vi", data=bcg_data, method="EE")
    fig = ee.forest(fit)
    assert not _by_gid_or_none(fig, "pi:overall")
    het = _one(fig, "het:overall").get_text()
    assert "Tau²" not in het and het.startswith("Heterogeneity: Chi² = 152.23, df = 12")
    assert "IV, Fixed, 95% CI" in _one(fig, "header:estimate").get_text()


# --- forest: text ------------------------------------------------------------------------------


def test_plot_forest_text_cells_revman(bcg_fit, close_figures):
    fig = ee.forest(bcg_fit)
    assert _one(fig, "cell:label:study-0").get_text() == "Aronson, 1948"
    assert _one(fig, "cell:estimate:study-0").get_text() == "0.41 [0.13, 1.26]"
    assert _one(fig, "cell:weight:study-0").get_text() == "5.1%"
    assert _one(fig, "cell:weight:study-7").get_text() == "10.2%"
    assert _one(fig, "cell:n:n1i:study-0").get_text() == "123"
    assert _one(fig, "cell:n:n2i:study-0").get_text() == "139"
    assert _one(fig, "cell:estimate:overall").get_text() == "0.49 [0.34, 0.70]"
    assert _one(fig, "cell:weight:overall").get_text() == "100.0%"
    assert _one(fig, "cell:n:n1i:overall").get_text() == str(int(BCG.tpos.sum() + BCG.tneg.sum()))
    assert _one(fig, "cell:estimate:pi").get_text() == "[0.15, 1.55]"
    for i, weight in enumerate(R_WEIGHTS):
        assert _one(fig, f"cell:weight:study-{i}").get_text() == f"{weight:.1f}%"


def test_plot_forest_text_cells_jama(bcg_fit, close_figures):
    fig = ee.forest(bcg_fit, layout="jama")
    assert _one(fig, "cell:estimate:study-0").get_text() == "0.41 (0.13–1.26)"
    assert _one(fig, "cell:weight:study-0").get_text() == "5.1"
    assert _one(fig, "cell:estimate:overall").get_text() == "0.49 (0.34–0.70)"
    assert _one(fig, "header:weight").get_text() == "Weight,\n%"
    # JAMA: the graph between the study column and the estimates
    fig.canvas.draw()
    ax = fig.axes[0]
    label_x = _one(fig, "cell:label:study-0").get_window_extent().x1
    estimate_x = _one(fig, "cell:estimate:study-0").get_window_extent().x0
    assert label_x < ax.get_window_extent().x0 < ax.get_window_extent().x1 < estimate_x


def test_plot_forest_heterogeneity_and_test_lines(bcg_fit, close_figures):
    fig = ee.forest(bcg_fit)
    assert _one(fig, "het:overall").get_text() == (
        "Heterogeneity: Tau² = 0.31; Chi² = 152.23, df = 12 (P < 0.00001); I² = 92%"
    )
    assert _one(fig, "test:overall").get_text() == "Test for overall effect: Z = 3.97 (P < 0.0001)"
    fig = ee.forest(bcg_fit, layout="jama")
    assert _one(fig, "het:overall").get_text() == (
        "Heterogeneity: τ² = 0.31; I² = 92.2%; Q = 152.23, df = 12, P < .001"
    )
    assert _one(fig, "test:overall").get_text() == "Overall effect: z = −3.97, P < .001"


def test_plot_forest_heterogeneity_numbers_follow_the_fit(close_figures):
    # small heterogeneity, so every number prints in full
    yi = np.array([0.10, 0.30, 0.35, 0.65, 0.45])
    vi = np.array([0.04, 0.05, 0.03, 0.06, 0.05])
    fit = ee.rma(yi, vi, method="DL", measure="SMD")
    text = _one(ee.forest(fit), "het:overall").get_text()
    numbers = re.fullmatch(
        r"Heterogeneity: Tau² = (\S+); Chi² = (\S+), df = (\d+) \(P = (\S+)\); I² = (\d+)%", text
    )
    assert numbers, text
    tau2, q, df, p, i2 = numbers.groups()
    assert float(tau2) == pytest.approx(fit.tau2, abs=0.005 if fit.tau2 >= 0.01 else 5e-4)
    assert float(q) == pytest.approx(fit.q, abs=0.005)
    assert int(df) == fit.k - 1
    assert float(p) == pytest.approx(fit.q_pval, abs=0.005)
    assert int(i2) == round(100 * fit.i2)
    test = _one(ee.forest(fit), "test:overall").get_text()
    assert fit.pval < 0.01  # so RevMan writes one significant digit
    assert test == f"Test for overall effect: Z = {abs(fit.zval):.2f} (P = {fit.pval:.1g})"


def test_plot_forest_imputed_marks_and_footnotes(bcg_fit, close_figures):
    fig = ee.forest(bcg_fit)
    marks = {"SD from CI": "†", "mean from median (Luo 2018)": "‡"}
    for i, label in enumerate(_labels(BCG)):
        text = _one(fig, f"cell:label:study-{i}").get_text()
        expected = label + marks[IMPUTED[i]] if i in IMPUTED else label
        assert text == expected
    notes = [t.get_text() for t in _by_gid(fig, "footnote")]
    assert notes == ["† SD from CI", "‡ Mean from median (Luo 2018)"]


def test_plot_forest_without_imputed_column_has_no_marks(bcg_data, close_figures):
    fit = ee.rma("yi", "vi", data=bcg_data.drop(columns="imputed"), slab=_labels(bcg_data))
    fig = ee.forest(fit)
    assert not _by_gid_or_none(fig, "footnote")
    assert _one(fig, "cell:label:study-2").get_text() == "Rosenthal et al, 1960"


# --- forest: axis and scales -------------------------------------------------------------------


def test_plot_forest_ratio_on_log_axis_with_back_transformed_ticks(bcg_fit, close_figures):
    for layout in ("revman", "jama"):
        fig = ee.forest(bcg_fit, layout=layout)
        ax = fig.axes[0]
        assert ax.get_xscale() == "log"
        ticks = ax.get_xticks()
        labels = [t.get_text() for t in ax.get_xticklabels()]
        assert "1" in labels
        np.testing.assert_allclose([float(label) for label in labels], ticks)
        low, high = ax.get_xlim()
        values = np.exp(_studies(bcg_fit)[["ci_low", "ci_high"]].to_numpy())
        assert low <= values.min() and values.max() <= high
        refline = _by_gid(fig, "refline")
        assert all(list(line.get_xdata()) == [1.0, 1.0] for line in refline)
    # RevMan's scales are symmetric about 1
    ax = ee.forest(bcg_fit).axes[0]
    assert ax.get_xlim()[0] * ax.get_xlim()[1] == pytest.approx(1.0)


def test_plot_forest_transf_false_shows_log_scale_values(bcg_fit, close_figures):
    fig = ee.forest(bcg_fit, transf=False)
    assert fig.axes[0].get_xscale() == "linear"
    np.testing.assert_allclose(
        _one(fig, "square:study-3").get_xdata(), [_studies(bcg_fit)["yi"][3]]
    )
    assert _one(fig, "cell:estimate:overall").get_text() == "-0.71 [-1.07, -0.36]"


def test_plot_forest_logit_proportions_back_transformed(close_figures):
    xi, ni = np.array([12, 30, 45, 8, 60]), np.array([20, 41, 70, 15, 80])
    data = ee.escalc("PLO", xi=xi, ni=ni)
    fit = ee.rma("yi", "vi", data=data)
    fig = ee.forest(fit)
    for i in range(5):
        np.testing.assert_allclose(
            _one(fig, f"square:study-{i}").get_xdata(), [xi[i] / ni[i]], rtol=1e-12
        )
    diamond = _one(fig, "diamond:overall").get_xy()[:, 0]
    expit = 1 / (1 + np.exp(-np.array([fit.ci_low, fit.estimate, fit.ci_high])))
    np.testing.assert_allclose(sorted(set(diamond)), expit)
    ax = fig.axes[0]
    assert ax.get_xscale() == "linear" and 0 <= ax.get_xlim()[0] and ax.get_xlim()[1] <= 1
    assert not _by_gid_or_none(fig, "refline")  # no line of no effect for proportions
    assert not _by_gid_or_none(fig, "test:overall")  # nor a test against 0
    assert _by_gid_or_none(fig, "het:overall")


def test_plot_forest_freeman_tukey_back_transformed_as_metafor(close_figures):
    # metafor 3.8-1: transf.ipft(yi, ni) gives back xi/ni; the pooled values use the
    # harmonic mean n (predict(res, transf=transf.ipft.hm, targs=list(ni=ni)))
    xi, ni = np.array([12, 30, 45, 8, 60]), np.array([20, 41, 70, 15, 80])
    fit = ee.rma("yi", "vi", data=ee.escalc("PFT", xi=xi, ni=ni))
    fig = ee.forest(fit)
    for i in range(5):
        np.testing.assert_allclose(
            _one(fig, f"square:study-{i}").get_xdata(), [xi[i] / ni[i]], rtol=1e-9
        )
    diamond = sorted(set(_one(fig, "diamond:overall").get_xy()[:, 0]))
    np.testing.assert_allclose(diamond, [0.6131357300, 0.6859354071, 0.7546828201], rtol=1e-8)
    np.testing.assert_allclose(
        _one(fig, "pi:overall").get_xdata(), [0.5852006402, 0.7790333382], rtol=1e-8
    )


def test_plot_forest_linear_measure_refline_at_zero(close_figures):
    yi = np.array([-0.8, -1.2, -0.3, -2.1, -0.9])
    vi = np.array([0.05, 0.09, 0.04, 0.2, 0.07])
    fit = ee.rma(yi, vi, measure="SMD")
    fig = ee.forest(fit, favours=("Favours treatment", "Favours control"))
    ax = fig.axes[0]
    assert ax.get_xscale() == "linear"
    assert all(list(line.get_xdata()) == [0.0, 0.0] for line in _by_gid(fig, "refline"))
    np.testing.assert_allclose(_one(fig, "square:study-3").get_xdata(), [-2.1])
    fig.canvas.draw()
    left = _one(fig, "favours:left").get_window_extent()
    right = _one(fig, "favours:right").get_window_extent()
    null_x = ax.transData.transform((0.0, 0.0))[0]
    assert left.x1 < null_x < right.x0


# --- forest: subgroups, sorting, options -------------------------------------------------------


def test_plot_forest_subgroup_diamonds_equal_subgroup_fits(bcg_subgroup_fit, close_figures):
    fig = ee.forest(bcg_subgroup_fit)
    fits = bcg_subgroup_fit.subgroups.fits
    assert set(fits) == {"alternate", "random", "systematic"}
    for name, sub in fits.items():
        xs = sorted(set(_one(fig, f"diamond:subgroup-{name}").get_xy()[:, 0]))
        np.testing.assert_allclose(xs, np.exp([sub.ci_low, sub.estimate, sub.ci_high]))
        assert _one(fig, f"cell:label:group-{name}").get_text() == name
        het = _one(fig, f"het:subgroup-{name}").get_text()
        assert f"Chi² = {sub.q:.2f}, df = {sub.k - 1}" in het
    # studies sit under their own subgroup's title, above its diamond
    title_y = _one(fig, "cell:label:group-systematic").get_position()[1]
    diamond_y = _one(fig, "diamond:subgroup-systematic").get_xy()[:, 1].mean()
    for i in (9, 10, 11, 12):  # the systematic-allocation trials
        y = _one(fig, f"square:study-{i}").get_ydata()[0]
        assert title_y < y < diamond_y
    # the overall diamond is still the overall fit
    xs = sorted(set(_one(fig, "diamond:overall").get_xy()[:, 0]))
    np.testing.assert_allclose(xs, np.exp([R_CI[0], R_ESTIMATE, R_CI[1]]), rtol=R_TOL)
    between = bcg_subgroup_fit.subgroups
    assert _one(fig, "test:subgroups").get_text() == (
        f"Test for subgroup differences: Chi² = {between.q_between:.2f}, df = 2 "
        f"(P = {between.p_between:.2f}), I² = 0%"
    )
    # subtotal weights sum the overall weights of their studies
    random_weight = sum(R_WEIGHTS[i] for i in (0, 1, 2, 3, 6, 7, 8))
    assert _one(fig, "cell:weight:subgroup-random").get_text() == f"{random_weight:.1f}%"


def test_plot_forest_sort_by_estimate(bcg_fit, close_figures):
    fig = ee.forest(bcg_fit, sort="estimate")
    ys = [_one(fig, f"square:study-{i}").get_ydata()[0] for i in range(13)]
    yi = _studies(bcg_fit)["yi"].to_numpy()
    assert list(np.argsort(ys)) == list(np.argsort(yi, kind="stable"))
    fig = ee.forest(bcg_fit, sort="-weight")
    ys = [_one(fig, f"square:study-{i}").get_ydata()[0] for i in range(13)]
    assert list(np.argsort(ys)) == list(np.argsort(-np.array(R_WEIGHTS), kind="stable"))


def test_plot_forest_total_n_from_escalc_when_no_n_columns(close_figures):
    data = ee.escalc("RR", ai="tpos", bi="tneg", ci="cpos", di="cneg", data=BCG)
    fig = ee.forest(ee.rma("yi", "vi", data=data))
    assert _one(fig, "header:n:ni").get_text() == "Total"
    assert _one(fig, "cell:n:ni:study-0").get_text() == "262"  # 4 + 119 + 11 + 128
    total = int(BCG[["tpos", "tneg", "cpos", "cneg"]].to_numpy().sum())
    assert _one(fig, "cell:n:ni:overall").get_text() == str(total)


def test_plot_forest_options_remove_columns(bcg_fit, close_figures):
    fig = ee.forest(bcg_fit, show_weights=False, annotate=False, n=False)
    gids = {a.get_gid() for a in fig.findobj() if a.get_gid()}
    assert not any(g.startswith(("cell:weight", "cell:estimate", "cell:n:")) for g in gids)
    assert "square:study-0" in gids


def test_plot_forest_bad_arguments_raise_clear_errors(bcg_fit, close_figures):
    with pytest.raises(ValueError, match="'revman', 'jama'"):
        ee.forest(bcg_fit, layout="lancet")
    with pytest.raises(ValueError, match="cannot sort by 'nonsense'"):
        ee.forest(bcg_fit, sort="nonsense")
    with pytest.raises(KeyError, match="not in fit.data"):
        ee.forest(bcg_fit, n="patients")


def test_plot_forest_meta_regression_is_refused_with_reason(bcg_data, close_figures):
    fit = ee.rma("yi", "vi", data=bcg_data, mods="ablat")
    with pytest.raises(ValueError, match="meta-regression"):
        ee.forest(fit)
    with pytest.raises(ValueError, match="meta-regression"):
        ee.funnel(fit)


def test_plot_forest_names_studies_left_out_of_the_fit(bcg_data, close_figures):
    data = bcg_data.copy()
    data.loc[4, "yi"] = np.nan
    with pytest.warns(UserWarning, match="omitted"):
        fit = ee.rma("yi", "vi", data=data, slab=_labels(data))
    fig = ee.forest(fit)
    labels = [_one(fig, f"cell:label:study-{i}").get_text() for i in range(12)]
    assert "Frimodt-Moller et al, 1973" not in labels
    assert labels[4] == "Stein & Aronson, 1953‡"  # marks stay with their own studies
    notes = [t.get_text() for t in _by_gid(fig, "footnote")]
    assert notes[-1].startswith("Not pooled: Frimodt-Moller et al, 1973 (missing")


def test_plot_forest_single_study_has_no_heterogeneity(close_figures):
    with pytest.warns(UserWarning, match="k = 1"):
        fit = ee.rma(np.array([0.2]), np.array([0.04]), measure="OR")
    fig = ee.forest(fit)
    assert _one(fig, "het:overall").get_text() == "Heterogeneity: Not applicable"
    assert not _by_gid_or_none(fig, "pi:overall")


def test_plot_fit_forest_method_draws_the_same_plot(bcg_fit, close_figures):
    fig = bcg_fit.forest(layout="jama")
    assert _one(fig, "cell:estimate:overall").get_text() == "0.49 (0.34–0.70)"
    assert len(_by_gid(bcg_fit.funnel(), "studies")[0].get_xdata()) == 13


# --- figures, axes and files -------------------------------------------------------------------


def test_plot_forest_draws_on_given_axes(bcg_fit, close_figures):
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 6))
    returned = ee.forest(bcg_fit, ax=right)
    assert returned is fig
    assert any(a.get_gid() == "diamond:overall" for a in right.patches)
    assert not left.patches and not left.lines
    assert right.get_xscale() == "log"


def test_plot_forest_no_text_outside_the_default_figure(bcg_fit, bcg_subgroup_fit, close_figures):
    for fit, layout in [(bcg_fit, "revman"), (bcg_fit, "jama"), (bcg_subgroup_fit, "revman")]:
        fig = ee.forest(fit, layout=layout, favours=("Favours vaccine", "Favours control"))
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        box = fig.bbox
        texts = [t for t in fig.findobj(matplotlib.text.Text) if t.get_text().strip()]
        assert len(texts) > 50
        for text in texts:
            extent = text.get_window_extent(renderer)
            assert box.x0 - 0.5 <= extent.x0 and extent.x1 <= box.x1 + 0.5, text.get_text()
            assert box.y0 - 0.5 <= extent.y0 and extent.y1 <= box.y1 + 0.5, text.get_text()


def test_plot_forest_text_cells_do_not_overlap(bcg_fit, close_figures):
    fig = ee.forest(bcg_fit, layout="revman")
    fig.canvas.draw()
    row = [_one(fig, f"cell:{key}:study-4") for key in ("label", "n:n1i", "n:n2i", "weight",
                                                         "estimate")]  # fmt: skip
    extents = [t.get_window_extent() for t in row]
    for a, b in zip(extents, extents[1:], strict=False):
        assert a.x1 < b.x0
    assert extents[-1].x1 < fig.axes[0].get_window_extent().x0


def test_plot_forest_saves_png_svg_pdf(bcg_fit, tmp_path, close_figures):
    from PIL import Image

    fig = ee.forest(bcg_fit)
    width, height = fig.get_size_inches()
    fig.savefig(tmp_path / "forest.png", dpi=100)
    with Image.open(tmp_path / "forest.png") as image:
        assert abs(image.size[0] - width * 100) <= 1 and abs(image.size[1] - height * 100) <= 1
        pixels = np.asarray(image.convert("L"))
    assert pixels.min() < 50 and pixels.max() > 250  # black ink on white paper
    fig.savefig(tmp_path / "forest.svg")
    svg = (tmp_path / "forest.svg").read_text(encoding="utf-8")
    assert "0.49 [0.34, 0.70]" in svg and 'id="diamond:overall"' in svg
    fig.savefig(tmp_path / "forest.pdf")
    pdf = (tmp_path / "forest.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    box = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert box and float(box.group(1)) == pytest.approx(width * 72, abs=0.5)
    assert float(box.group(2)) == pytest.approx(height * 72, abs=0.5)


def test_plot_import_does_not_load_pyplot():
    code = "import sys, evidextract; print('matplotlib.pyplot' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


# --- funnel ------------------------------------------------------------------------------------


def test_plot_funnel_points_at_yi_and_sei(bcg_fit, close_figures):
    fig = ee.funnel(bcg_fit)
    points = _one(fig, "studies")
    np.testing.assert_allclose(points.get_xdata(), bcg_fit.data["yi"])
    np.testing.assert_allclose(points.get_ydata(), np.sqrt(bcg_fit.data["vi"]))
    ax = fig.axes[0]
    assert ax.get_ylim()[0] > ax.get_ylim()[1] == 0  # standard error 0 at the top


def test_plot_funnel_contours_at_normal_quantiles(bcg_fit, close_figures):
    fig = ee.funnel(bcg_fit, contours=(0.90, 0.95, 0.99))
    se_max = fig.axes[0].get_ylim()[0]
    assert se_max >= np.sqrt(bcg_fit.data["vi"].max())
    for level, z in [(0.90, 1.6448536), (0.95, 1.9599640), (0.99, 2.5758293)]:
        xy = _one(fig, f"contour:{level:g}").get_xy()
        bottom = xy[np.isclose(xy[:, 1], se_max)]
        np.testing.assert_allclose(
            sorted(set(np.round(bottom[:, 0], 12))), [-z * se_max, z * se_max]
        )
        apex = xy[np.isclose(xy[:, 1], 0)]
        np.testing.assert_allclose(apex[:, 0], 0.0)
    # a study is inside the 95% contour exactly when it is not significant at 0.05
    from matplotlib.path import Path

    contour = Path(_one(fig, "contour:0.95").get_xy())
    yi, sei = bcg_fit.data["yi"].to_numpy(), np.sqrt(bcg_fit.data["vi"].to_numpy())
    inside = contour.contains_points(np.column_stack([yi, sei]))
    assert list(inside) == list(2 * stats.norm.sf(np.abs(yi / sei)) > 0.05)
    pseudo = _one(fig, "pseudo-ci")
    np.testing.assert_allclose(
        pseudo.get_xdata(),
        [bcg_fit.estimate - 1.959964 * se_max, bcg_fit.estimate, bcg_fit.estimate
         + 1.959964 * se_max],
        rtol=1e-6,
    )  # fmt: skip


def test_plot_funnel_trimfill_adds_open_points_for_filled_studies(bcg_fit, close_figures):
    fig = ee.funnel(bcg_fit, trimfill=True)
    filled = _one(fig, "filled")
    np.testing.assert_allclose(filled.get_xdata(), [R_FILLED[0]], rtol=1e-6)
    np.testing.assert_allclose(filled.get_ydata(), [np.sqrt(R_FILLED[1])], rtol=1e-6)
    assert filled.get_markerfacecolor() != _one(fig, "studies").get_markerfacecolor()
    assert len(_one(fig, "studies").get_xdata()) == 13
    # metafor's funnel of a trimfill fit centres the region on the adjusted estimate
    assert _one(fig, "estimate").get_xdata()[0] == pytest.approx(-0.6570828008, rel=1e-6)
    assert not _by_gid_or_none(ee.funnel(bcg_fit), "filled")


def test_plot_funnel_draws_on_given_axes(bcg_fit, close_figures):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    assert ee.funnel(bcg_fit, ax=ax, contours=()) is fig
    assert not _by_gid_or_none(fig, "contour:0.95")
    assert len(_one(fig, "studies").get_xdata()) == 13
