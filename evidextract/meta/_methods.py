"""Methods on a fitted meta-analysis: Q-profile CI, Egger's test, trim and fill, leave-one-out.

Each follows the metafor 3.8 function of the same name with its default arguments
(``confint.rma.uni`` type "QP", ``regtest`` with ``model="rma", predictor="sei"``,
``trimfill`` with the L0 estimator, ``leave1out``).
"""

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from evidextract.meta._estimators import Control, _q_at, q_statistic
from evidextract.meta._uniroot import R_UNIROOT_TOL, uniroot

#: Columns of :func:`leave1out`.
LEAVE1OUT_COLUMNS = [
    "label",
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
]


def _refit(yi, vi, X, names, method, test, level, control):
    from evidextract.meta._rma import make_estimator

    est = make_estimator(method, test, level, control)
    est._fit_arrays(yi, vi, X, names, est.test, level, Control.from_user(control))
    return est


# --------------------------------------------------------------------------------- confint
def confint_tau2(fit, level=None):
    """Q-profile confidence interval for tau² and the derived tau, I², H².

    Parameters
    ----------
    fit : MetaAnalysis
        A random-effects fit with k >= 2.
    level : float, optional
        Interval level (default: the model's).

    Returns
    -------
    pandas.DataFrame
        Index ``tau2, tau, i2, h2``, columns ``estimate, ci_low, ci_high``.

    Raises
    ------
    ValueError
        Fixed-effect models (no tau²) and k = 1, as metafor.

    Notes
    -----
    Bounds solve ``Q(tau2) = chi2_{k-p}`` quantiles (Viechtbauer 2007) with R's ``uniroot``
    at metafor's tolerance over ``[min(0, tau2), max(100, 10 tau2)]``; a bound that cannot
    be reached is set to the interval's end, as metafor does.

    References
    ----------
    Viechtbauer, W. (2007). Confidence intervals for the amount of heterogeneity in
    meta-analysis. *Statistics in Medicine*, 26(1), 37-52.
    """
    from evidextract.meta._rma import _level

    if fit.method == "EE":
        raise ValueError("Model does not contain a random-effects component (method EE).")
    if fit.k == 1:
        raise ValueError("Stopped because k = 1.")
    est = fit.estimator
    alpha = 1.0 - (fit.level if level is None else _level(level))
    k, p = est.k_, est.p_
    yi, vi = est.yi_, est.vi_
    ctl = Control.from_user(est.control)
    given = _control_keys(est.control)
    tau2_min = ctl.tau2_min if "tau2_min" in given else min(0.0, fit.tau2)
    tau2_max = ctl.tau2_max if "tau2_max" in given else max(100.0, fit.tau2 * 10, tau2_min * 10)
    if est.intercept_only_:

        def q_fun(t):
            return _q_at(yi, vi, t)
    else:

        def q_fun(t):
            return q_statistic(yi, vi, est.X_, t)

    crit_u = float(special.chdtri(k - p, alpha / 2))
    crit_l = float(special.chdtri(k - p, 1 - alpha / 2))
    q_max, q_min = q_fun(tau2_max), q_fun(tau2_min)

    def root(target):
        return uniroot(
            lambda t: q_fun(t) - target,
            tau2_min,
            tau2_max,
            f_lower=q_min - target,
            f_upper=q_max - target,
            tol=R_UNIROOT_TOL,
            maxiter=1000,
        )

    if q_min < crit_l:
        lb = ub = tau2_min
    else:
        ub = tau2_max if q_max > crit_l else root(crit_l)
    if q_max > crit_u:
        lb = ub = tau2_max
    elif q_min < crit_u:
        lb = tau2_min
    else:
        lb = root(crit_u)
    vt = est.vt_
    tau2 = [fit.tau2, lb, ub]
    rows = {
        "tau2": tau2,
        "tau": [math.sqrt(t) if t >= 0 else math.nan for t in tau2],
        "i2": [fit.i2, lb / (vt + lb), ub / (vt + ub)],
        "h2": [fit.h2, lb / vt + 1, ub / vt + 1],
    }
    return pd.DataFrame.from_dict(rows, orient="index", columns=["estimate", "ci_low", "ci_high"])


def _control_keys(control):
    # the settings the user gave explicitly (metafor checks is.null(x$control$...))
    if isinstance(control, dict):
        return {key.replace(".", "_") for key in control}
    if isinstance(control, Control):
        return {
            n for n in Control.__dataclass_fields__ if getattr(control, n) != getattr(Control(), n)
        }
    return set()


# --------------------------------------------------------------------------------- regtest
@dataclass
class RegTestResult:
    """Egger's regression test: the test of the ``sei`` coefficient and the limit estimate.

    Attributes
    ----------
    zval, pval : float
        Test statistic (t under Knapp-Hartung) and p-value of funnel asymmetry.
    ddf : float
        Degrees of freedom (``nan`` for z tests).
    est, ci_low, ci_high : float
        Limit estimate as sei -> 0 (the intercept) with its CI.
    fit : MetaAnalysis
        The meta-regression on the standard errors.
    """

    zval: float
    pval: float
    ddf: float
    est: float
    ci_low: float
    ci_high: float
    fit: object = None

    def __str__(self):
        stat = "t" if not math.isnan(self.ddf) else "z"
        dfs = f"(df = {self.ddf:.0f}) " if stat == "t" else ""
        return (
            "Regression Test for Funnel Plot Asymmetry\n\n"
            "Model:     mixed-effects meta-regression model\n"
            "Predictor: standard error\n\n"
            f"Test for Funnel Plot Asymmetry: {stat} = {self.zval:.4f}, {dfs}p = {self.pval:.4f}\n"
            f"Limit Estimate (as sei -> 0):   b = {self.est:.4f} "
            f"(CI: {self.ci_low:.4f}, {self.ci_high:.4f})"
        )


def regtest(fit):
    """Egger's test: meta-regression of the effects on their standard errors.

    Parameters
    ----------
    fit : MetaAnalysis
        The model to test (same method, test, level and control are reused).

    Returns
    -------
    RegTestResult

    Notes
    -----
    metafor's default ``regtest(model="rma", predictor="sei")``: the model's design plus
    ``sqrt(vi)`` as moderator, fitted with the model's estimator.

    References
    ----------
    Egger, M., Davey Smith, G., Schneider, M., & Minder, C. (1997). Bias in meta-analysis
    detected by a simple, graphical test. *BMJ*, 315, 629-634.
    """
    from evidextract.meta._results import MetaAnalysis

    est = fit.estimator
    X0 = np.ones((est.k_, 1)) if est.X_ is None else est.X_
    X = np.column_stack([X0, np.sqrt(est.vi_)])
    names = fit.term_names + ["sei"]
    reg = _refit(est.yi_, est.vi_, X, names, fit.method, fit.test, fit.level, est.control)
    j = est.p_
    zval = float(reg.coef_[j] / reg.se_[j])
    pval = float(reg.pvalues_()[j])
    crit = reg.crit_()
    b0, s0 = float(reg.coef_[0]), float(reg.se_[0])
    if est.p_ == 1:
        lim, lo, hi = b0, b0 - crit * s0, b0 + crit * s0
    else:
        lim = lo = hi = math.nan
    reg_fit = MetaAnalysis(reg, labels=fit.slab, keep=np.ones(est.k_, bool), measure=fit.measure)
    return RegTestResult(zval, pval, float(reg.ddf_), lim, lo, hi, reg_fit)


# -------------------------------------------------------------------------------- trimfill
def trimfill(fit, side=None, maxiter=100):
    """Trim and fill (Duval and Tweedie) with metafor's L0 estimator.

    Parameters
    ----------
    fit : MetaAnalysis
        An intercept-only model with k >= 2.
    side : {"left", "right"}, optional
        Where studies are missing. Default as metafor: from the sign of the slope of a
        regression on the standard errors (negative slope -> right).
    maxiter : int, default 100
        Iteration limit of the trimming loop.

    Returns
    -------
    MetaAnalysis
        The fit on observed plus imputed studies; attributes ``filled`` (bool per study),
        ``k0``, ``se_k0`` and ``side``. When ``k0 = 0`` it is a copy of ``fit``.

    Notes
    -----
    As metafor, the trimming fits and the fit on the filled data use the model's tau²
    method with metafor's defaults otherwise (``test="z"``, 95% level).

    References
    ----------
    Duval, S., & Tweedie, R. (2000). Trim and fill. *Biometrics*, 56(2), 455-463.
    """
    from evidextract.meta._results import MetaAnalysis

    est = fit.estimator
    if not est.intercept_only_:
        raise ValueError("Trim-and-fill method only applicable to models without moderators.")
    if fit.k == 1:
        raise ValueError("Stopped because k = 1.")
    yi, vi = est.yi_, est.vi_
    method = fit.method
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if side is None:
            X = np.column_stack([np.ones(yi.size), np.sqrt(vi)])
            slope = _refit(yi, vi, X, ["intrcpt", "sei"], method, "z", 0.95, None).coef_[1]
            side = "right" if slope < 0 else "left"
        elif side not in ("left", "right"):
            raise ValueError(f"side must be 'left' or 'right', got {side!r}")
        y = -yi if side == "right" else yi.copy()
        order = np.argsort(y, kind="stable")
        y, v = y[order], vi[order]
        k = y.size
        k0_prev, k0, iteration = -1, 0, 0
        while k0 != k0_prev:
            k0_prev = k0
            iteration += 1
            if iteration > maxiter:
                raise RuntimeError("Trim and fill algorithm did not converge.")
            beta = _refit(y[: k - k0], v[: k - k0], None, None, method, "z", 0.95, None).coef_[0]
            yc = y - beta
            ranks = np.empty(k)
            ranks[np.argsort(np.abs(yc), kind="stable")] = np.arange(1, k + 1)
            sr = float(ranks[yc > 0].sum())
            k0_raw = (4 * sr - k * (k + 1)) / (2 * k - 1)
            var_sr = (
                k * (k + 1) * (2 * k + 1)
                + 10 * k0_raw**3
                + 27 * k0_raw**2
                + 17 * k0_raw
                - 18 * k * k0_raw**2
                - 18 * k * k0_raw
                + 6 * k**2 * k0_raw
            ) / 24
            se_k0 = max(0.0, 4 * math.sqrt(var_sr) / (2 * k - 1)) if var_sr >= 0 else math.nan
            k0 = max(0, round(k0_raw))  # R's round(): half to even, as Python's
        if k0 > 0:
            yc = -(yc - beta) if side == "right" else yc - beta
            y_fill = np.concatenate([yi, -yc[k - k0 :]])
            v_fill = np.concatenate([vi, v[k - k0 :]])
            new = _refit(y_fill, v_fill, None, None, method, "z", 0.95, None)
            labels = fit.slab + [f"Filled {i + 1}" for i in range(k0)]
            result = MetaAnalysis(
                new, labels=labels, keep=np.ones(k + k0, bool), measure=fit.measure
            )
            result.filled = np.r_[np.zeros(k, bool), np.ones(k0, bool)]
        else:
            result = MetaAnalysis(
                est,
                data=fit._data_in,
                keep=fit._keep,
                labels=fit._labels_all,
                measure=fit.measure,
            )
            result.filled = np.zeros(k, bool)
    result.k0 = k0
    result.se_k0 = se_k0
    result.side = side
    return result


# ------------------------------------------------------------------------------- leave1out
def leave1out(fit):
    """Leave-one-out refits (metafor's ``leave1out``).

    Parameters
    ----------
    fit : MetaAnalysis
        An intercept-only model with k >= 2.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`LEAVE1OUT_COLUMNS`; ``zval`` holds t values under Knapp-Hartung,
        ``tau2`` is 0 for the fixed model. A refit that fails gives a row of ``nan`` (as
        metafor's ``NA``).
    """
    est = fit.estimator
    if not est.intercept_only_:
        raise ValueError("Method only applicable to models without moderators.")
    if fit.k == 1:
        raise ValueError("Stopped because k = 1.")
    yi, vi = est.yi_, est.vi_
    rows = []
    idx = np.arange(yi.size)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in idx:
            mask = idx != i
            try:
                r = _refit(
                    yi[mask], vi[mask], None, None, fit.method, fit.test, fit.level, est.control
                )
            except (ValueError, RuntimeError):
                rows.append([math.nan] * 11)
                continue
            b, s = float(r.coef_[0]), float(r.se_[0])
            crit = r.crit_()
            q_df = r.q_df_
            rows.append(
                [
                    b,
                    s,
                    b / s,
                    float(r.pvalues_()[0]),
                    b - crit * s,
                    b + crit * s,
                    r.q_,
                    float(special.chdtrc(q_df, r.q_)) if q_df > 0 else 1.0,
                    r.tau2_,
                    r.i2_,
                    r.h2_,
                ]
            )
    frame = pd.DataFrame(rows, columns=LEAVE1OUT_COLUMNS[1:])
    frame.insert(0, "label", fit.slab)
    return frame
