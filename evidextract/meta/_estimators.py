"""Between-study variance (tau²) estimators, step for step as metafor's ``rma.uni`` computes them.

Two code paths give the same numbers: a closed form for intercept-only models (sums over
the studies, no k x k matrices: the fast path behind ``rma`` and the benchmarks) and the
matrix form of metafor for meta-regression (``X`` with moderators). Both follow metafor 3.8:
the HE value as the Fisher-scoring start, metafor's step halving at ``tau2_min``, its
convergence threshold 1e-5 and at most 100 iterations, the ML/REML check against tau² = 0,
and R's ``uniroot`` for Paule-Mandel.
"""

import math
import warnings
from dataclasses import dataclass, replace

import numpy as np

from evidextract.meta._uniroot import R_UNIROOT_TOL, RootNotBracketed, uniroot

#: Codes of the random-effects estimators, in metafor's spelling.
RANDOM_METHODS = ("DL", "REML", "ML", "PM", "HE", "SJ", "HS", "EB")
#: Codes of the fixed (equal-effects) model; ``FE`` is metafor's older alias of ``EE``.
FIXED_METHODS = ("EE", "FE")

_LOG_2PI = math.log(2.0 * math.pi)
_add_reduce = np.add.reduce  # ndarray.sum() without its Python-level wrapper


class ConvergenceError(RuntimeError):
    """An iterative tau² estimator did not converge (metafor stops with an error too)."""


@dataclass(frozen=True)
class Control:
    """Settings of the iterative estimators, named and defaulted as metafor's ``control=``.

    Parameters
    ----------
    tau2_init : float, optional
        Starting value of Fisher scoring (default: the HE estimate, truncated at 0).
    tau2_min : float, default 0
        Lower bound of tau².
    tau2_max : float, optional
        Upper bound for the Paule-Mandel search (default ``max(100, 10 * mad(yi)**2)``).
    threshold : float, default 1e-5
        Fisher scoring stops when tau² changes by less than this.
    tol : float, default ``eps**0.25``
        ``uniroot`` tolerance and the ML/REML log-likelihood check tolerance.
    maxiter : int, default 100
        Maximum number of iterations.
    stepadj : float, default 1
        Step-length factor of Fisher scoring; values below 1 help a non-converging REML.
    ll0check : bool, default True
        Compare the ML/REML log likelihood at the estimate with the one at tau² = 0.
    """

    tau2_init: float | None = None
    tau2_min: float = 0.0
    tau2_max: float | None = None
    threshold: float = 1e-5
    tol: float = R_UNIROOT_TOL
    maxiter: int = 100
    stepadj: float = 1.0
    ll0check: bool = True

    @classmethod
    def from_user(cls, control):
        """Build from ``None``, a :class:`Control` or a dict (metafor's dotted names allowed)."""
        if control is None:
            return _DEFAULT_CONTROL
        if isinstance(control, Control):
            return control
        names = {f.replace(".", "_"): v for f, v in dict(control).items()}
        unknown = set(names) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(
                f"unknown control setting(s) {sorted(unknown)}; "
                f"valid: {sorted(cls.__dataclass_fields__)}"
            )
        return replace(_DEFAULT_CONTROL, **names)


_DEFAULT_CONTROL = Control()


@dataclass
class Tau2Fit:
    """What a tau² estimator returns: the value, its SE and how it was reached."""

    tau2: float
    se_tau2: float
    iterations: int = 0

    def __post_init__(self):
        self.tau2 = float(self.tau2)
        self.se_tau2 = float(self.se_tau2)


def _r_divide(a, b):
    # division with R's (IEEE) results where Python floats raise: x/0 = +-Inf, 0/0 = NaN
    if b == 0.0:
        return math.nan if a == 0.0 or math.isnan(a) else math.copysign(math.inf, a)
    return a / b


def _r_mad(x):
    # R's mad(): 1.4826 * median absolute deviation from the median
    return 1.4826 * float(np.median(np.abs(x - np.median(x))))


def default_tau2_max(yi):
    """Metafor's upper search bound, ``max(100, 10 * mad(yi)^2)``."""
    return max(100.0, 10.0 * _r_mad(yi) ** 2)


# --------------------------------------------------------------------- intercept-only fast path
def _re_quantities(yi, vi, tau2):
    # weights and the P-matrix summaries of an intercept-only model at tau2
    w = 1.0 / (vi + tau2)
    sw = float(_add_reduce(w))
    mu = float(w @ yi) / sw
    return w, sw, mu


def _q_at(yi, vi, tau2):
    w, sw, mu = _re_quantities(yi, vi, tau2)
    r = yi - mu
    return float(w @ (r * r))


def _ll_reml(yi, vi, tau2):
    w, sw, mu = _re_quantities(yi, vi, tau2)
    r = yi - mu
    k = yi.size
    return (
        -0.5 * (k - 1) * _LOG_2PI
        - 0.5 * float(_add_reduce(np.log(vi + tau2)))
        - 0.5 * math.log(sw)
        - 0.5 * float(w @ (r * r))
    )


def _ll_ml(yi, vi, tau2):
    w, sw, mu = _re_quantities(yi, vi, tau2)
    r = yi - mu
    k = yi.size
    return -0.5 * k * _LOG_2PI - 0.5 * np.log(vi + tau2).sum() - 0.5 * (w @ (r * r))


def _he_simple(yi, vi):
    k = yi.size
    d = yi - yi.mean()
    return (float(d @ d) - vi.sum() * (1.0 - 1.0 / k)) / (k - 1)


def _fisher_scoring(method, step, tau2, ctl):
    """Metafor's Fisher-scoring loop; ``step(tau2)`` returns the raw adjustment."""
    change = ctl.threshold + 1.0
    iteration = 0
    while change > ctl.threshold:
        iteration += 1
        old = tau2
        adj = step(tau2) * ctl.stepadj
        if math.isnan(adj):
            adj = 0.0  # metafor: if (is.na(adj)) adj <- 0
        if adj < 0 and tau2 + adj < ctl.tau2_min and tau2 <= ctl.tau2_min:
            adj = 0.0  # metafor halves the step down to -0.0: tau2 stays at its bound
        elif math.isinf(adj):
            # metafor would halve an infinite step for ever; stop with a clear message instead
            raise ConvergenceError(
                f"Fisher scoring ({method}) produced an infinite step at tau^2 = {tau2:g}: "
                "the effect sizes or variances are too extreme for this estimator."
            )
        elif adj < 0 and tau2 + adj < ctl.tau2_min:
            while tau2 + adj < ctl.tau2_min:
                adj /= 2.0
        tau2 = tau2 + adj
        change = abs(old - tau2)
        if iteration > ctl.maxiter:
            raise ConvergenceError(
                f"Fisher scoring algorithm did not converge after {ctl.maxiter} iterations "
                f"(method {method}). As metafor advises: try a smaller step, "
                "control={'stepadj': 0.5}, more iterations, control={'maxiter': 1000}, "
                "or another method such as 'DL' or 'PM'."
            )
    return tau2, iteration


def _check_ll0(method, ll_fun, yi, vi, tau2, ctl):
    # metafor: REML/ML may stop at a local maximum; tau2 = 0 wins if its likelihood is higher
    if not ctl.ll0check:
        return tau2
    ll0 = ll_fun(yi, vi, 0.0)
    ll = ll_fun(yi, vi, tau2)
    if ll0 - ll > ctl.tol and tau2 > ctl.threshold:
        warnings.warn(
            "Fisher scoring algorithm may have gotten stuck at a local maximum; setting "
            "tau^2 = 0 (metafor's fallback).",
            RuntimeWarning,
            stacklevel=4,
        )
        return 0.0
    return tau2


def _pm_root(q_fun, target, tau2_min, tau2_max, ctl, method):
    if q_fun(tau2_min) < target:
        return tau2_min
    q_max = q_fun(tau2_max) - target
    if q_max > 0:
        raise ConvergenceError(
            f"Value of 'tau2_max' ({tau2_max:g}) too low for the {method} estimator: increase "
            "control={'tau2_max': ...} or switch to another method."
        )
    try:
        return uniroot(
            lambda t: q_fun(t) - target,
            tau2_min,
            tau2_max,
            f_upper=q_max,
            tol=ctl.tol,
            maxiter=ctl.maxiter,
        )
    except (RootNotBracketed, RuntimeError) as err:
        raise ConvergenceError(f"Error in iterative search for tau2 ({method}): {err}") from err


def tau2_intercept_only(yi, vi, method, control=None):
    """Estimate tau² of an intercept-only random-effects model as metafor does.

    Parameters
    ----------
    yi, vi : numpy.ndarray
        Effect sizes and sampling variances (float64, positive variances, k >= 2).
    method : {"DL", "REML", "ML", "PM", "HE", "SJ", "HS", "EB"}
        metafor's estimator code.
    control : Control or dict, optional
        Iteration settings (see :class:`Control`).

    Returns
    -------
    Tau2Fit
        ``tau2`` (truncated at ``tau2_min``), ``se_tau2`` as metafor reports it, and the
        number of iterations.

    Notes
    -----
    With weights ``w = 1/(vi + tau2)``, ``sw = sum(w)`` and residuals ``r = yi - mu`` the
    matrix expressions of metafor reduce to sums: ``y'Py = sum(w r^2)``,
    ``y'PPy = sum(w^2 r^2)``, ``tr(P) = sw - sum(w^2)/sw`` and
    ``tr(PP) = sum(w^2) - 2 sum(w^3)/sw + (sum(w^2)/sw)^2``.

    Examples
    --------
    >>> import numpy as np
    >>> yi = np.array([-0.9, -1.6, -1.3, -1.4, -0.2])
    >>> vi = np.array([0.33, 0.19, 0.42, 0.02, 0.05])
    >>> round(tau2_intercept_only(yi, vi, "DL").tau2, 6)
    0.412425
    """
    ctl = Control.from_user(control)
    k = yi.size
    p = 1
    tmin = ctl.tau2_min
    if method == "DL":
        w = 1.0 / vi
        sw = w.sum()
        s2 = w @ w
        mu = (w @ yi) / sw
        r = yi - mu
        q = float(w @ (r * r))
        trp = w @ (1.0 - w / sw)  # = sw - s2/sw, without cancellation: each term >= 0
        tau2 = max(tmin, (q - (k - p)) / trp)
        t = max(tau2, 0.0)
        sum_pp = s2 - 2.0 * (w @ (w * w)) / sw + (s2 / sw) ** 2
        se = math.sqrt((2 * (k - p) + 4 * t * trp + 2 * t * t * sum_pp) / trp**2)
        return Tau2Fit(tau2, se)
    if method == "HE":
        tau2_raw = _he_simple(yi, vi)
        tau2 = max(tmin, tau2_raw)
        t = max(tau2, 0.0)
        trpv = vi.sum() * (1.0 - 1.0 / k)
        sum_pvpv = (vi @ vi) * (1.0 - 2.0 / k) + vi.sum() ** 2 / k**2
        se = math.sqrt((2 * sum_pvpv + 4 * t * trpv + 2 * t * t * (k - p)) / (k - p) ** 2)
        return Tau2Fit(tau2, se)
    if method == "HS":
        w = 1.0 / vi
        sw = w.sum()
        s2 = w @ w
        mu = (w @ yi) / sw
        r = yi - mu
        tau2 = max(tmin, (float(w @ (r * r)) - k) / sw)
        t = max(tau2, 0.0)
        trp = w @ (1.0 - w / sw)  # = sw - s2/sw, without cancellation: each term >= 0
        sum_pp = s2 - 2.0 * (w @ (w * w)) / sw + (s2 / sw) ** 2
        se = math.sqrt((2 * (k - p) + 4 * t * trp + 2 * t * t * sum_pp) / sw**2)
        return Tau2Fit(tau2, se)
    if method == "SJ":
        d = yi - yi.mean()
        tau0 = float(d @ d) / k if ctl.tau2_init is None else float(ctl.tau2_init)
        w = 1.0 / (vi + tau0)
        sw = w.sum()
        w2 = w * w
        s2 = w2.sum()
        mu = (w @ yi) / sw
        r = yi - mu
        tau2 = max(tmin, tau0 * float(w @ (r * r)) / (k - p))
        t = max(tau2, 0.0)
        sum_pvpv = (w2 @ (vi * vi)) - 2.0 * ((w2 * w) @ (vi * vi)) / sw + (w2 @ vi) ** 2 / sw**2
        sum_pvp = (w2 @ vi) - 2.0 * ((w2 * w) @ vi) / sw + s2 * (w2 @ vi) / sw**2
        sum_pp = s2 - 2.0 * (w2 @ w) / sw + (s2 / sw) ** 2
        se = math.sqrt(
            tau0**2 / (k - p) ** 2 * (2 * sum_pvpv + 4 * t * sum_pvp + 2 * t * t * sum_pp)
        )
        return Tau2Fit(tau2, se)
    if method == "PM":
        tau2_max = default_tau2_max(yi) if ctl.tau2_max is None else ctl.tau2_max
        tau2 = _pm_root(lambda t: _q_at(yi, vi, t), k - p, tmin, tau2_max, ctl, method)
        tau2 = max(tmin, tau2)
        sw = (1.0 / (vi + tau2)).sum()
        return Tau2Fit(tau2, math.sqrt(2.0 * k * k / (k - p) / sw**2))
    if method in ("REML", "ML", "EB"):
        start = max(0.0, _he_simple(yi, vi), tmin) if ctl.tau2_init is None else ctl.tau2_init

        check_weights = tmin < 0  # with vi > 0 and tau2 >= 0 the weights are always finite

        def step(tau2):
            # plain floats and few numpy calls: this loop is the hot path of rma
            w = 1.0 / (vi + tau2)
            if check_weights and not np.all(np.isfinite(w)):
                raise ValueError(
                    "Division by zero when computing the inverse variance weights "
                    "(a marginal variance vi + tau^2 of zero)."
                )
            sw = float(_add_reduce(w))
            mu = float(w @ yi) / sw
            r = yi - mu
            wr = w * r
            if method == "REML":
                w2 = w * w
                s2 = float(_add_reduce(w2))
                ratio = s2 / sw
                tr_pp = s2 - 2.0 * float(w2 @ w) / sw + ratio * ratio
                return _r_divide(float(wr @ wr) - (sw - ratio), tr_pp)
            if method == "ML":
                return _r_divide(float(wr @ wr) - sw, float(w @ w))
            return _r_divide(float(wr @ r) * k / (k - p) - k, sw)  # EB

        tau2, iterations = _fisher_scoring(method, step, float(start), ctl)
        if method in ("REML", "ML"):
            tau2 = _check_ll0(method, _ll_reml if method == "REML" else _ll_ml, yi, vi, tau2, ctl)
        tau2 = max(tmin, tau2)
        w = 1.0 / (vi + tau2)
        sw = w.sum()
        s2 = w @ w
        if method == "REML":
            sum_pp = s2 - 2.0 * (w @ (w * w)) / sw + (s2 / sw) ** 2
            se = math.sqrt(2.0 / sum_pp)
        elif method == "ML":
            se = math.sqrt(2.0 / s2)
        else:
            se = math.sqrt(2.0 * k * k / (k - p) / sw**2)
        return Tau2Fit(tau2, se, iterations)
    raise ValueError(
        "unknown tau^2 method {!r}; valid: {}".format(method, ", ".join(RANDOM_METHODS))
    )


# --------------------------------------------------------------------------- general (X) path
def p_matrix(w, X):
    """Metafor's ``P = W - W X (X'WX)^-1 X'W`` for weights ``w`` and design ``X``."""
    wx = w[:, None] * X
    inv = np.linalg.inv(X.T @ wx)
    return np.diag(w) - wx @ inv @ wx.T


def q_statistic(yc, vi, X, tau2):
    """``y'Py`` at ``tau2`` (metafor's ``.QE.func`` without the objective)."""
    P = p_matrix(1.0 / (vi + tau2), X)
    return float(yc @ P @ yc)


def _ll_general(method, yc, vi, X, tau2):
    w = 1.0 / (vi + tau2)
    wx = w[:, None] * X
    xtwx = X.T @ wx
    beta = np.linalg.solve(xtwx, wx.T @ yc)
    r = yc - X @ beta
    rss = float(w @ (r * r))
    k, p = X.shape
    if method == "ML":
        return -0.5 * k * _LOG_2PI - 0.5 * np.log(vi + tau2).sum() - 0.5 * rss
    logdet = np.linalg.slogdet(xtwx)[1]
    return -0.5 * (k - p) * _LOG_2PI - 0.5 * np.log(vi + tau2).sum() - 0.5 * logdet - 0.5 * rss


def tau2_general(yi, vi, X, method, control=None):
    """Estimate tau² of a (mixed-effects) meta-regression as metafor's matrix code does.

    Parameters
    ----------
    yi, vi : numpy.ndarray
        Effect sizes and sampling variances.
    X : numpy.ndarray
        Design matrix (k x p), intercept column included when the model has one.
    method : str
        One of :data:`RANDOM_METHODS`.
    control : Control or dict, optional
        Iteration settings.

    Returns
    -------
    Tau2Fit

    Examples
    --------
    >>> import numpy as np
    >>> yi = np.array([-0.9, -1.6, -1.3, -1.4, -0.2])
    >>> vi = np.array([0.33, 0.19, 0.42, 0.02, 0.05])
    >>> round(tau2_general(yi, vi, np.ones((5, 1)), "DL").tau2, 6)
    0.412425
    """
    ctl = Control.from_user(control)
    k, p = X.shape
    yc = yi - yi.mean()  # metafor works with the centred outcomes when estimating tau^2
    tmin = ctl.tau2_min
    if method in ("DL", "HS"):
        w = 1.0 / vi
        P = p_matrix(w, X)
        rss = float(yc @ P @ yc)
        trp = float(np.trace(P))
        sum_pp = float((P * P).sum())
        if method == "DL":
            tau2 = max(tmin, (rss - (k - p)) / trp)
            t = max(tau2, 0.0)
            se = math.sqrt((2 * (k - p) + 4 * t * trp + 2 * t * t * sum_pp) / trp**2)
        else:
            sw = w.sum()
            tau2 = max(tmin, (rss - k) / sw)
            t = max(tau2, 0.0)
            se = math.sqrt((2 * (k - p) + 4 * t * trp + 2 * t * t * sum_pp) / sw**2)
        return Tau2Fit(tau2, se)
    if method in ("HE", "REML", "ML", "EB"):
        Pols = np.eye(k) - X @ np.linalg.solve(X.T @ X, X.T)
        rss = float(yc @ Pols @ yc)
        pv = Pols * vi[None, :]
        trpv = float(np.trace(pv))
        he = (rss - trpv) / (k - p)
        if method == "HE":
            tau2 = max(tmin, he)
            t = max(tau2, 0.0)
            se = math.sqrt(
                (2 * float((pv * pv.T).sum()) + 4 * t * trpv + 2 * t * t * (k - p)) / (k - p) ** 2
            )
            return Tau2Fit(tau2, se)
        start = max(0.0, he, tmin) if ctl.tau2_init is None else ctl.tau2_init

        def step(tau2):
            w = 1.0 / (vi + tau2)
            if not np.all(np.isfinite(w)):
                raise ValueError("Division by zero when computing the inverse variance weights.")
            P = p_matrix(w, X)
            py = P @ yc
            if method == "REML":
                return float((py @ py - np.trace(P)) / (P * P).sum())
            if method == "ML":
                return float((py @ py - w.sum()) / (w @ w))
            return float(((yc @ py) * k / (k - p) - k) / w.sum())

        tau2, iterations = _fisher_scoring(method, step, float(start), ctl)
        if method in ("REML", "ML"):
            tau2 = _check_ll0(
                method, lambda y, v, t: _ll_general(method, y, v, X, t), yc, vi, tau2, ctl
            )
        tau2 = max(tmin, tau2)
        w = 1.0 / (vi + tau2)
        if method == "REML":
            P = p_matrix(w, X)
            se = math.sqrt(2.0 / float((P * P).sum()))
        elif method == "ML":
            se = math.sqrt(2.0 / float(w @ w))
        else:
            se = math.sqrt(2.0 * k * k / (k - p) / w.sum() ** 2)
        return Tau2Fit(tau2, se, iterations)
    if method == "SJ":
        tau0 = float(yc @ yc) / k if ctl.tau2_init is None else float(ctl.tau2_init)
        P = p_matrix(1.0 / (vi + tau0), X)
        rss = float(yc @ P @ yc)
        pv = P * vi[None, :]
        tau2 = max(tmin, tau0 * rss / (k - p))
        t = max(tau2, 0.0)
        se = math.sqrt(
            tau0**2
            / (k - p) ** 2
            * (
                2 * float((pv * pv.T).sum())
                + 4 * t * float((pv * P).sum())
                + 2 * t * t * float((P * P).sum())
            )
        )
        return Tau2Fit(tau2, se)
    if method == "PM":
        tau2_max = default_tau2_max(yi) if ctl.tau2_max is None else ctl.tau2_max
        tau2 = _pm_root(lambda t: q_statistic(yc, vi, X, t), k - p, tmin, tau2_max, ctl, method)
        tau2 = max(tmin, tau2)
        sw = (1.0 / (vi + tau2)).sum()
        return Tau2Fit(tau2, math.sqrt(2.0 * k * k / (k - p) / sw**2))
    raise ValueError(
        "unknown tau^2 method {!r}; valid: {}".format(method, ", ".join(RANDOM_METHODS))
    )
