"""Fixed- and random-effects models: estimator classes and metafor's one-call ``rma``.

The estimators follow scikit-learn's contract: the constructor stores its arguments
unchanged, ``fit`` validates and returns ``self``, results carry a trailing underscore and
using an unfitted estimator raises :class:`NotFittedError`. :func:`rma` maps metafor's method
codes to them and wraps the fit in a :class:`~evidextract.meta._results.MetaAnalysis`, the
object a notebook user works with.
"""

import math
import warnings

import numpy as np
import pandas as pd
from scipy import special

from evidextract.meta._estimators import (
    FIXED_METHODS,
    RANDOM_METHODS,
    Control,
    p_matrix,
    tau2_general,
    tau2_intercept_only,
)

#: All method codes ``rma`` accepts.
METHODS = FIXED_METHODS + RANDOM_METHODS
#: Test codes: ``z`` (normal) and ``knha`` (Knapp-Hartung, t distribution).
TESTS = ("z", "knha")
#: metafor's ``evtol``: eigenvalues of X'X at or below this mean a rank-deficient design.
EIGEN_TOL = 1e-7
#: metafor warns when max(vi) / min(vi) reaches 1 / evtol.
VARIANCE_RATIO_WARN = 1.0 / EIGEN_TOL
#: R's ``lm`` pivoting tolerance, used to find redundant moderators.
LM_PIVOT_TOL = 1e-7
#: Larger effect sizes are refused: no real measure gets there, and the estimators square
#: them (twice for SJ), which would overflow.
MAX_ABS_EFFECT = 1e50
_EPS = float(np.finfo(float).eps)


class NotFittedError(ValueError, AttributeError):
    """The estimator was used before ``fit`` (scikit-learn's name and bases)."""


# ------------------------------------------------------------------------------ validation
class _DefaultLabels:
    """``"Study 1"``, ``"Study 2"``, ... made on demand (most fits never print a label)."""

    def __init__(self, k):
        self._k = k

    def __len__(self):
        return self._k

    def __getitem__(self, i):
        if not -self._k <= i < self._k:
            raise IndexError(i)
        return f"Study {i % self._k + 1}"

    def __iter__(self):
        return (f"Study {i + 1}" for i in range(self._k))


def _labels(slab, k):
    if slab is None:
        return _DefaultLabels(k)
    return [str(s) for s in slab]


def _name_studies(labels, mask, limit=5):
    names = [labels[i] for i in np.flatnonzero(mask)]
    text = ", ".join(repr(n) for n in names[:limit])
    if len(names) > limit:
        text += f" and {len(names) - limit} more"
    return text


def validate_yi_vi(yi, vi, labels):
    """Check effect sizes and variances; return the float arrays and the rows kept.

    Parameters
    ----------
    yi, vi : array-like
        Effect sizes and sampling variances.
    labels : list of str
        Study labels, used in the messages.

    Returns
    -------
    yi, vi : numpy.ndarray
        The studies kept (missing values dropped, as metafor's ``na.omit``).
    keep : numpy.ndarray of bool
        Which input rows were kept.

    Raises
    ------
    ValueError
        k = 0, infinite values, zero or negative variances, or variances too small to invert
        (the message names the studies).

    Warns
    -----
    UserWarning
        Studies with missing values are omitted (metafor's default), naming them; the ratio
        of the largest to the smallest variance is extreme (metafor's warning).

    Examples
    --------
    >>> yi, vi, keep = validate_yi_vi([0.1, 0.3], [0.01, 0.02], ["a", "b"])
    >>> keep.tolist()
    [True, True]
    """
    try:
        yi = np.asarray(yi, dtype=float).ravel()
        vi = np.asarray(vi, dtype=float).ravel()
    except (TypeError, ValueError) as err:
        raise ValueError(f"yi and vi must be numeric: {err}") from None
    if yi.shape != vi.shape:
        raise ValueError(f"yi has {yi.size} values but vi has {vi.size}")
    if yi.size and np.isfinite(yi @ yi) and np.isfinite(vi).all():
        vmin = vi.min()
        if np.abs(yi).max() > MAX_ABS_EFFECT:
            vmin = -1.0  # not the clean case: let the checks below name the study
        if vmin > 1e-150 and vi.max() / vmin < VARIANCE_RATIO_WARN:
            return yi, vi, np.ones(yi.size, dtype=bool)  # the common, clean case
    missing = np.isnan(yi) | np.isnan(vi)
    keep = ~missing
    if missing.any():
        if missing.all():
            raise ValueError(
                f"k = 0: every study has a missing yi or vi ({_name_studies(labels, missing)})"
            )
        warnings.warn(
            "Studies with missing yi or vi omitted from model fitting: "
            + _name_studies(labels, missing),
            UserWarning,
            stacklevel=3,
        )
    if yi.size == 0:
        raise ValueError("k = 0: there are no studies to pool")
    bad = np.isinf(yi) & keep
    if bad.any():
        raise ValueError(f"infinite effect size (yi) in study {_name_studies(labels, bad)}")
    bad = (np.abs(yi) > MAX_ABS_EFFECT) & keep
    if bad.any():
        raise ValueError(
            f"effect size too large to pool (|yi| > {MAX_ABS_EFFECT:g}) in study "
            + _name_studies(labels, bad)
        )
    bad = np.isinf(vi) & keep
    if bad.any():
        raise ValueError("infinite sampling variance (vi) in study " + _name_studies(labels, bad))
    bad = (vi <= 0) & keep
    if bad.any():
        raise ValueError(
            f"zero or negative sampling variance (vi) in study {_name_studies(labels, bad)}: "
            "every study needs vi > 0 "
            "(metafor constrains negative variances to 0 and then cannot use most estimators; "
            "check the extraction)"
        )
    with np.errstate(over="ignore", divide="ignore"):
        bad = ~np.isfinite((1.0 / vi) ** 2) & keep
    if bad.any():
        raise ValueError(
            "sampling variance too small to invert (1/vi^2 overflows) in study "
            + _name_studies(labels, bad)
        )
    yi, vi = yi[keep], vi[keep]
    ratio = vi.max() / vi.min()
    if ratio >= VARIANCE_RATIO_WARN:
        idx = np.flatnonzero(keep)
        warnings.warn(
            f"Ratio of largest to smallest sampling variance extremely large ({ratio:.3g}: "
            f"{labels[idx[vi.argmax()]]!r} vs {labels[idx[vi.argmin()]]!r}); "
            "results may be unstable (metafor's warning).",
            UserWarning,
            stacklevel=3,
        )
    return yi, vi, keep


def _drop_redundant(X, names):
    # R's lm() flags a column as aliased when, after projecting out the columns kept before
    # it, less than LM_PIVOT_TOL of its norm remains; metafor drops those with a warning.
    kept = []
    basis = np.zeros((X.shape[0], 0))
    for j in range(X.shape[1]):
        col = X[:, j]
        norm = np.linalg.norm(col)
        resid = col - basis @ (basis.T @ col) if basis.shape[1] else col
        if norm == 0 or np.linalg.norm(resid) < LM_PIVOT_TOL * norm:
            continue
        kept.append(j)
        basis = np.column_stack([basis, resid / np.linalg.norm(resid)])
    if len(kept) < X.shape[1]:
        dropped = [names[j] for j in range(X.shape[1]) if j not in kept]
        warnings.warn(
            "Redundant predictors dropped from the model: {} (metafor's fallback)".format(
                ", ".join(dropped)
            ),
            UserWarning,
            stacklevel=4,
        )
    return X[:, kept], [names[j] for j in kept]


def check_design(X, names, k, random):
    """Validate a design matrix as metafor does; return it with redundant columns dropped.

    Parameters
    ----------
    X : numpy.ndarray
        k x p design, intercept column first when present.
    names : list of str
        Column names.
    k : int
        Number of studies.
    random : bool
        Whether tau² is estimated (needs p + 1 <= k).

    Returns
    -------
    X : numpy.ndarray
    names : list of str

    Raises
    ------
    ValueError
        Non-finite moderator values, more parameters than studies, or a design that is not
        of full rank after dropping exactly redundant columns (smallest eigenvalue of X'X at
        or below 1e-7, metafor's ``evtol``).

    Examples
    --------
    >>> import numpy as np
    >>> X, names = check_design(np.ones((3, 1)), ["intrcpt"], 3, True)
    >>> names
    ['intrcpt']
    """
    if not np.all(np.isfinite(X)):
        raise ValueError("moderators contain infinite values")
    X, names = _drop_redundant(X, names)
    p = X.shape[1]
    if p == 0:
        raise ValueError("the model has no coefficients (no intercept and no moderators)")
    if not (k == 1 and p == 1):
        if p + (1 if random else 0) > k:
            raise ValueError(
                f"Number of parameters to be estimated ({p}{' plus tau^2' if random else ''}) "
                f"is larger than the number of studies (k = {k})."
            )
    eig = np.linalg.eigvalsh(X.T @ X)
    if np.any(eig <= EIGEN_TOL):
        raise ValueError(
            "Model matrix not of full rank (smallest eigenvalue of X'X = {:.3g} <= {:g}): the "
            "moderators {} are (nearly) collinear or on a tiny scale; rescale or drop one.".format(
                eig.min(), EIGEN_TOL, ", ".join(names)
            )
        )
    return X, names


def design_matrix(mods, data, k, intercept=True):
    """Build the design matrix from ``mods`` (formula, column names or array).

    Parameters
    ----------
    mods : str, list of str, array-like or None
        A formula such as ``"~ ablat + year"`` (patsy syntax; ``- 1`` removes the intercept),
        column names of ``data``, or an array of moderator values.
    data : pandas.DataFrame or None
        Where formula terms and column names are looked up.
    k : int
        Number of studies.
    intercept : bool, default True
        Add an intercept column ``intrcpt`` (array and column input).

    Returns
    -------
    X : numpy.ndarray
        k x p design with missing values kept as NaN.
    names : list of str
        Column names in metafor's style (``intrcpt`` first).

    Examples
    --------
    >>> import pandas as pd
    >>> X, names = design_matrix("~ x", pd.DataFrame({"x": [1.0, 2.0, 4.0]}), 3)
    >>> names, X[:, 1].tolist()
    (['intrcpt', 'x'], [1.0, 2.0, 4.0])
    """
    if mods is None:
        return np.ones((k, 1)), ["intrcpt"]
    if isinstance(mods, str) and "~" in mods:
        import patsy

        if data is None:
            raise ValueError("a formula for mods needs data=")
        rhs = mods.split("~", 1)[1]
        frame = patsy.dmatrix(
            rhs, data, NA_action=patsy.NAAction(NA_types=[]), return_type="dataframe"
        )
        names = ["intrcpt" if c == "Intercept" else c for c in frame.columns]
        return frame.to_numpy(dtype=float), names
    if isinstance(mods, str) or (
        isinstance(mods, (list, tuple)) and mods and all(isinstance(m, str) for m in mods)
    ):
        cols = [mods] if isinstance(mods, str) else list(mods)
        if data is None:
            raise ValueError("moderator column names need data=")
        missing = [c for c in cols if c not in data.columns]
        if missing:
            raise ValueError("moderator column(s) not in data: {}".format(", ".join(missing)))
        values = data[cols].to_numpy(dtype=float)
        names = cols
    else:
        if isinstance(mods, pd.DataFrame):
            names = [str(c) for c in mods.columns]
            values = mods.to_numpy(dtype=float)
        else:
            values = np.asarray(mods, dtype=float)
            if values.ndim == 1:
                values = values[:, None]
            names = [f"mods{j + 1}" for j in range(values.shape[1])]
            if values.shape[1] == 1:
                names = ["mods"]
    if values.shape[0] != k:
        raise ValueError(f"mods has {values.shape[0]} rows but there are {k} studies")
    if intercept:
        return np.column_stack([np.ones(k), values]), ["intrcpt"] + names
    return values, names


# ------------------------------------------------------------------------------ estimators
class _MetaEstimator:
    """Shared fitting of fixed- and random-effects (meta-regression) models."""

    method = "EE"

    def __init__(self, test="z", level=0.95, control=None):
        self.test = test
        self.level = level
        self.control = control

    # scikit-learn's parameter protocol
    def get_params(self, deep=True):
        """Return the constructor arguments (scikit-learn's protocol)."""
        return {n: getattr(self, n) for n in self._param_names()}

    def set_params(self, **params):
        """Set constructor arguments (scikit-learn's protocol); return ``self``."""
        for name, value in params.items():
            if name not in self._param_names():
                raise ValueError(f"invalid parameter {name!r} for {type(self).__name__}")
            setattr(self, name, value)
        return self

    def _param_names(self):
        return ["test", "level", "control"]

    def __repr__(self):
        args = ", ".join(f"{n}={getattr(self, n)!r}" for n in self._param_names())
        return f"{type(self).__name__}({args})"

    def _check_fitted(self):
        if not hasattr(self, "coef_"):
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. "
                "Call 'fit' with yi and vi first."
            )

    def _estimate_tau2(self, yi, vi, X, intercept_only, ctl):
        return None

    def fit(self, yi, vi, mods=None, *, slab=None):
        """Fit the model.

        Parameters
        ----------
        yi, vi : array-like
            Effect sizes and sampling variances (one per study).
        mods : array-like, optional
            Design matrix (k x p) including an intercept column when wanted; ``None`` fits
            the intercept-only model.
        slab : list of str, optional
            Study labels for error messages.

        Returns
        -------
        self
        """
        test = self.test
        if test not in TESTS:
            raise ValueError("unknown test {!r}; valid: {}".format(test, ", ".join(TESTS)))
        level = _level(self.level)
        ctl = Control.from_user(self.control)
        labels = _labels(slab, np.size(yi))
        yi, vi, keep = validate_yi_vi(yi, vi, labels)
        if mods is None:
            X = None
        else:
            X = np.asarray(mods, dtype=float)
            X = X[:, None] if X.ndim == 1 else X
            X = X[keep]
        self._fit_arrays(yi, vi, X, None, test, level, ctl)
        return self

    def _fit_arrays(self, yi, vi, X, names, test, level, ctl):
        k = yi.size
        random = self.method not in FIXED_METHODS
        intercept_only = X is None
        if intercept_only:
            p = 1
        else:
            if names is None:
                names = [f"x{j}" for j in range(X.shape[1])]
            X, names = check_design(X, names, k, random)
            p = X.shape[1]
            intercept_only = p == 1 and bool(np.all(np.abs(X[:, 0] - 1.0) < 1e-8))
        self.term_names_ = ["intrcpt"] if X is None else list(names)
        if k == 1 and test != "z":
            warnings.warn('Setting test="z" since k = 1 (as metafor).', UserWarning, stacklevel=4)
            test = "z"
        if k == 1:
            if random:
                warnings.warn(
                    "k = 1: tau^2 cannot be estimated and is set to 0; the pooled estimate is "
                    "the single study's (metafor's behaviour).",
                    UserWarning,
                    stacklevel=4,
                )
            fit = None
            tau2, se_tau2, iterations = 0.0, math.nan, 0
        elif random:
            try:
                fit = (
                    tau2_intercept_only(yi, vi, self.method, ctl)
                    if intercept_only
                    else tau2_general(yi, vi, X, self.method, ctl)
                )
            except OverflowError as err:
                raise ValueError(
                    f"numerical overflow estimating tau^2 ({self.method}): effect sizes or "
                    "variances are too extreme (rescale them)"
                ) from err
            tau2, se_tau2, iterations = fit.tau2, fit.se_tau2, fit.iterations
        else:
            tau2, se_tau2, iterations = 0.0, math.nan, 0
        self.test_ = test
        self.level_ = level
        self.k_ = k
        self.p_ = p
        self.tau2_ = tau2
        self.se_tau2_ = se_tau2
        self.n_iter_ = iterations
        self.yi_ = yi
        self.vi_ = vi
        self.X_ = X
        w = 1.0 / (vi + tau2)
        if intercept_only:
            sw = w.sum()
            beta = np.array([(w @ yi) / sw])
            vb = np.array([[1.0 / sw]])
            r = yi - beta[0]
            rss = float(w @ (r * r))
            w0 = 1.0 / vi
            sw0 = w0.sum()
            mu0 = (w0 @ yi) / sw0
            r0 = yi - mu0
            q = max(0.0, float(w0 @ (r0 * r0)))
            tr_p0 = sw0 - (w0 @ w0) / sw0
        else:
            wx = w[:, None] * X
            vb = np.linalg.inv(X.T @ wx)
            beta = vb @ (wx.T @ yi)
            r = yi - X @ beta
            rss = float(w @ (r * r))
            P0 = p_matrix(1.0 / vi, X)
            yc = yi - yi.mean()
            q = max(0.0, float(yc @ P0 @ yc))
            tr_p0 = float(np.trace(P0))
        s2w = 1.0
        if test == "knha":
            s2w = 0.0 if rss <= _EPS else rss / (k - p)
            vb = vb * s2w
        self.s2w_ = s2w
        self.coef_ = beta
        self.vcov_ = vb
        self.se_ = np.sqrt(np.diag(vb))
        self.ddf_ = k - p if test == "knha" else math.nan
        if k > p:
            self.q_ = q
            self.vt_ = (k - p) / tr_p0
            if random:
                self.i2_ = tau2 / (self.vt_ + tau2)
                self.h2_ = tau2 / self.vt_ + 1.0
            else:
                self.i2_ = max(0.0, (q - (k - p)) / q) if q > 0 else 0.0
                self.h2_ = q / (k - p)
        else:
            self.q_, self.vt_, self.i2_, self.h2_ = 0.0, 0.0, 0.0, 1.0
        self.q_df_ = k - p
        self.intercept_only_ = intercept_only
        if not (np.all(np.isfinite(beta)) and np.all(np.isfinite(self.se_)) and np.isfinite(tau2)):
            # e.g. effect sizes near the float limit overflow in the weighted sums
            del self.coef_
            raise ValueError(
                "numerical overflow: the pooled estimate is not finite; effect sizes or "
                "variances are too extreme (rescale them)"
            )
        return self

    # --- derived numbers (computed on demand: the fit itself stays cheap)
    @property
    def mu_(self):
        """The pooled estimate (intercept-only models)."""
        self._check_fitted()
        return float(self.coef_[0])

    def crit_(self):
        """Critical value of the coefficient tests at ``level_``."""
        self._check_fitted()
        alpha = 1.0 - self.level_
        if self.test_ == "knha":
            return float(special.stdtrit(self.ddf_, 1.0 - alpha / 2)) if self.ddf_ > 0 else math.nan
        return float(special.ndtri(1.0 - alpha / 2))

    def pvalues_(self):
        """Two-sided p-values of the coefficients."""
        self._check_fitted()
        z = np.abs(self.coef_ / self.se_)
        if self.test_ == "knha":
            if self.ddf_ <= 0:
                return np.full_like(z, math.nan)
            return 2.0 * special.stdtr(self.ddf_, -z)
        return special.erfc(z / math.sqrt(2.0))


class FixedEffect(_MetaEstimator):
    """Fixed (equal-effects) model, metafor's ``method="EE"`` (alias ``"FE"``).

    Parameters
    ----------
    test : {"z", "knha"}, default "z"
        Normal-theory tests or Knapp-Hartung's t tests.
    level : float, default 0.95
        Confidence level (0.95 or metafor's 95).
    control : dict, optional
        Unused by the fixed model; accepted for a common interface.

    Attributes
    ----------
    coef_ : numpy.ndarray
        Coefficients (the pooled estimate for an intercept-only model).
    se_ : numpy.ndarray
        Their standard errors.
    tau2_ : float
        Always 0.
    q_ : float
        Cochran's Q (QE with moderators).
    i2_, h2_ : float
        I² (a fraction) and H² from Q, as metafor for fixed models.

    Examples
    --------
    >>> import numpy as np
    >>> fe = FixedEffect().fit(np.array([0.1, 0.3, 0.2]), np.array([0.01, 0.02, 0.015]))
    >>> round(fe.mu_, 4), round(float(fe.se_[0]), 4)
    (0.1769, 0.0679)
    """

    method = "EE"


class RandomEffects(_MetaEstimator):
    """Random-effects model (meta-regression with ``mods``), metafor's ``rma.uni``.

    Parameters
    ----------
    method : {"REML", "DL", "ML", "PM", "HE", "SJ", "HS", "EB"}, default "REML"
        tau² estimator, metafor's codes.
    test : {"z", "knha"}, default "z"
        Normal-theory tests or Knapp-Hartung's (t distribution with k - p df, the variance
        factor not truncated, metafor's default).
    level : float, default 0.95
        Confidence level.
    control : dict, optional
        Iteration settings, metafor's ``control=`` names (``stepadj``, ``maxiter``,
        ``threshold``, ``tau2_init``, ``tau2_min``, ``tau2_max``, ``tol``, ``ll0check``).

    Attributes
    ----------
    coef_, se_, vcov_ : numpy.ndarray
        Coefficients, standard errors and their covariance matrix.
    tau2_, se_tau2_ : float
        Estimated tau² and its standard error.
    i2_, h2_, q_ : float
        I² (fraction), H² and Cochran's Q (QE).
    n_iter_ : int
        Fisher-scoring iterations (0 for closed-form estimators).

    Examples
    --------
    >>> import numpy as np
    >>> yi, vi = np.array([0.1, 0.5, 0.2]), np.array([0.01, 0.02, 0.015])
    >>> re = RandomEffects(method="DL").fit(yi, vi)
    >>> round(re.mu_, 4), round(re.tau2_, 4)
    (0.25, 0.0244)
    """

    def __init__(self, method="REML", test="z", level=0.95, control=None):
        self.method = method
        self.test = test
        self.level = level
        self.control = control

    def _param_names(self):
        return ["method", "test", "level", "control"]

    def fit(self, yi, vi, mods=None, *, slab=None):
        """Fit the model; see :meth:`FixedEffect.fit`.

        Parameters
        ----------
        yi, vi : array-like
            Effect sizes and sampling variances.
        mods : array-like, optional
            Design matrix including the intercept column when wanted.
        slab : list of str, optional
            Study labels for error messages.

        Returns
        -------
        self
        """
        if self.method not in RANDOM_METHODS:
            raise ValueError(
                "unknown random-effects method {!r}; valid: {}".format(
                    self.method, ", ".join(RANDOM_METHODS)
                )
            )
        return super().fit(yi, vi, mods, slab=slab)




def _level(level):
    level = float(level)
    if level > 1:
        level /= 100.0  # metafor's level = 95
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1) (or a percentage), got {level!r}")
    return level


def make_estimator(method="REML", test="z", level=0.95, control=None):
    """Map a metafor method code to an estimator (the dispatch behind :func:`rma`).

    Parameters
    ----------
    method : str
        One of ``EE, FE, DL, REML, ML, PM, HE, SJ, HS, EB``.
    test, level, control
        Passed to the estimator.

    Returns
    -------
    FixedEffect or RandomEffects

    Raises
    ------
    ValueError
        Unknown method or test code (the message lists the valid ones).

    Examples
    --------
    >>> make_estimator("FE")
    FixedEffect(test='z', level=0.95, control=None)
    """
    if not isinstance(method, str) or method.upper() not in METHODS:
        raise ValueError("unknown method {!r}; valid codes: {}".format(method, ", ".join(METHODS)))
    if test not in TESTS:
        raise ValueError("unknown test {!r}; valid codes: {}".format(test, ", ".join(TESTS)))
    method = method.upper()
    if method in FIXED_METHODS:
        return FixedEffect(test=test, level=level, control=control)
    return RandomEffects(method=method, test=test, level=level, control=control)


def _column(value, data, name):
    if isinstance(value, str):
        if data is None or value not in data.columns:
            raise ValueError(f"{name}={value!r} is not a column of data")
        return data[value].to_numpy()
    if value is None:
        return None
    return np.asarray(value)


def rma(
    yi="yi",
    vi="vi",
    data=None,
    *,
    sei=None,
    method="REML",
    test="z",
    level=0.95,
    mods=None,
    subgroup=None,
    slab=None,
    measure=None,
    control=None,
):
    """Fit a fixed-, random- or mixed-effects meta-analysis as metafor's ``rma`` does.

    Parameters
    ----------
    yi, vi : str or array-like, default "yi", "vi"
        Column names of ``data`` (``escalc``'s output) or arrays of effect sizes and sampling
        variances. Give ``sei=`` (standard errors) instead of ``vi`` if that is what you have.
    data : pandas.DataFrame, optional
        The studies; ``data.attrs["measure"]`` (set by ``escalc``) fills ``measure``.
    sei : str or array-like, optional
        Standard errors, used when ``vi`` is not a column/array (``vi = sei**2``).
    method : str, default "REML"
        ``EE`` (alias ``FE``) or a tau² estimator: ``DL, REML, ML, PM, HE, SJ, HS, EB``.
    test : {"z", "knha"}, default "z"
        ``knha``: Knapp-Hartung adjustment with t (and F) tests on k - p df.
    level : float, default 0.95
        Confidence level for every interval (metafor's ``level = 95`` is accepted too).
    mods : str, list of str or array-like, optional
        Moderators: a formula (``"~ ablat + year"``), column names, or an array. Gives a
        mixed-effects meta-regression.
    subgroup : str, optional
        Column of ``data``: each subgroup is also fitted with the same method and the test
        for subgroup differences is run (``fit.subgroups``).
    slab : str or array-like, optional
        Study labels (a column name or values); default the index of ``data`` when it holds
        names, else ``"Study 1"``, ``"Study 2"``, ...
    measure : str, optional
        The effect-size measure (``"RR"``, ``"SMD"``, ...), used for back-transformations.
    control : dict, optional
        Iteration settings (``stepadj``, ``maxiter``, ``threshold``, ``tau2_init``, ...).

    Returns
    -------
    MetaAnalysis
        Attributes ``estimate, se, zval, pval, ci_low, ci_high, tau2, se_tau2, i2, h2, q,
        q_pval, k, method, test, level, measure``, plus ``data`` and ``slab``; methods
        ``predict, confint, regtest, trimfill, leave1out, to_frame, summary, forest,
        funnel``.

    Raises
    ------
    ValueError
        Unknown method or test codes (the valid ones are listed), k = 0, non-finite values,
        zero or negative variances (naming the study), more parameters than studies, or a
        rank-deficient moderator design.
    ConvergenceError
        Fisher scoring (REML, ML, EB) did not converge: as metafor, it stops and suggests
        ``control={"stepadj": 0.5}`` or more iterations.

    Warns
    -----
    UserWarning
        Studies with missing values omitted (listed in ``fit.excluded``); k = 1 (tau² set to
        0); redundant moderators dropped; extreme variance ratio.

    See Also
    --------
    escalc : compute ``yi`` and ``vi``.
    RandomEffects, FixedEffect : the estimator classes behind ``rma``.
    rma_batch : many meta-analyses at once.

    Notes
    -----
    Matches R's metafor 3.8 ``rma.uni`` with default settings: tau² estimators, Fisher scoring
    (start at the HE value, step halving at 0, threshold 1e-5, 100 iterations), Paule-Mandel
    through R's ``uniroot``, I² = tau² / (tau² + typical variance), Knapp-Hartung without
    truncation. The numbers agree with metafor to a relative 1e-6 on metafor's data sets
    (``tests/data/metafor_rma.json``, made by ``validation/rma_reference.R``). Other names:
    statsmodels ``combine_effects(effect, variance, method_re="dl"|"iterated")``, PyMARE
    ``Dataset(y, v)``.

    References
    ----------
    Viechtbauer, W. (2010). Conducting meta-analyses in R with the metafor package. *Journal
    of Statistical Software*, 36(3), 1-48. https://doi.org/10.18637/jss.v036.i03

    Examples
    --------
    The BCG vaccine trials (metafor's ``dat.bcg``), log risk ratios:

    >>> import numpy as np
    >>> yi = np.array([-0.8893, -1.5854, -1.3481, -1.4416, -0.2175, -0.7861, -1.6209,
    ...                0.0120, -0.4694, -1.3713, -0.3394, 0.4459, -0.0173])
    >>> vi = np.array([0.3256, 0.1946, 0.4154, 0.0200, 0.0512, 0.0069, 0.2230,
    ...                0.0040, 0.0564, 0.0730, 0.0124, 0.5325, 0.0714])
    >>> fit = rma(yi, vi, method="REML", measure="RR")
    >>> round(fit.estimate, 2), round(fit.tau2, 2), round(fit.i2, 2)
    (-0.71, 0.31, 0.92)
    >>> fit.predict(transf="exp").round(2)[["pred", "ci_low", "ci_high"]]
       pred  ci_low  ci_high
    0  0.49    0.34      0.70
    """
    from evidextract.meta._results import MetaAnalysis

    if isinstance(data, pd.DataFrame) and measure is None:
        measure = data.attrs.get("measure")
    estimator = make_estimator(method, test, level, control)
    yi_values = _column(yi, data, "yi")
    if yi_values is None:
        raise ValueError("yi is required")
    k = np.size(yi_values)
    if isinstance(vi, str) and (data is None or vi not in data.columns) and sei is not None:
        vi = None
    if vi is None:
        if sei is None:
            raise ValueError("give vi= or sei=")
        se_values = np.asarray(_column(sei, data, "sei"), dtype=float)
        vi_values = se_values**2
    else:
        vi_values = _column(vi, data, "vi")
    labels = None
    if slab is not None:
        labels = [str(s) for s in np.asarray(_column(slab, data, "slab")).ravel()]
        if len(labels) != k:
            raise ValueError(f"slab has {len(labels)} labels but there are {k} studies")
    elif isinstance(data, pd.DataFrame) and data.index.dtype == object:
        labels = [str(s) for s in data.index]  # a frame indexed by study names
    all_labels = _labels(labels, k)
    yi_arr, vi_arr, keep = validate_yi_vi(yi_values, vi_values, all_labels)
    if mods is not None:
        X, names = design_matrix(mods, data, k)
        missing_mod = np.isnan(X).any(axis=1) & keep
        if missing_mod.any():
            warnings.warn(
                "Studies with missing moderator values omitted from model fitting: "
                + _name_studies(all_labels, missing_mod),
                UserWarning,
                stacklevel=2,
            )
            keep = keep & ~missing_mod
            yi_arr = np.asarray(yi_values, dtype=float)[keep]
            vi_arr = np.asarray(vi_values, dtype=float)[keep]
        X = X[keep]
    else:
        X, names = None, None
    estimator._fit_arrays(yi_arr, vi_arr, X, names, test, _level(level), Control.from_user(control))
    fit = MetaAnalysis(
        estimator,
        data=data,
        keep=keep,
        labels=all_labels,
        measure=measure,
        mods=mods,
        yi_input=yi_values,
        vi_input=vi_values,
    )
    if subgroup is not None:
        from evidextract.meta._subgroup import fit_subgroups

        fit.subgroups = fit_subgroups(fit, subgroup)
    return fit
