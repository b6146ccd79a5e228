"""Brent's root finder exactly as R's ``uniroot`` runs it, so roots match metafor's digits.

metafor finds the Paule-Mandel tau² and the Q-profile interval bounds with ``uniroot`` at its
default tolerance (``.Machine$double.eps^0.25``, about 1.2e-4). Such a root is only accurate
to that tolerance, so reproducing metafor's printed numbers to 1e-6 means taking the same
steps: this module follows Brent's (1973) zero-finding algorithm in the form R's C routine
``R_zeroin2`` uses (the bracket is given with its function values).
"""

import math

import numpy as np

#: R's default ``uniroot`` tolerance, ``.Machine$double.eps^0.25``.
R_UNIROOT_TOL = float(np.finfo(float).eps) ** 0.25
_EPS = float(np.finfo(float).eps)


class RootNotBracketed(ValueError):
    """The function has the same sign at both ends of the search interval."""


def uniroot(fun, lower, upper, *, f_lower=None, f_upper=None, tol=R_UNIROOT_TOL, maxiter=1000):
    """Find a root of ``fun`` in ``[lower, upper]`` with R's ``uniroot`` steps.

    Parameters
    ----------
    fun : callable
        Function of one float returning a float.
    lower, upper : float
        The bracket; ``fun`` must change sign over it.
    f_lower, f_upper : float, optional
        ``fun(lower)`` and ``fun(upper)`` when already known (saves two evaluations).
    tol : float, default ``R_UNIROOT_TOL``
        Convergence tolerance, as R's ``tol``.
    maxiter : int, default 1000
        Maximum number of iterations, as R's ``maxiter``.

    Returns
    -------
    root : float
        The root R's ``uniroot(...)$root`` returns.

    Raises
    ------
    RootNotBracketed
        When ``fun`` has the same sign at both ends (R: "f() values at end points not of
        opposite sign").
    RuntimeError
        When ``maxiter`` iterations did not reach ``tol``.

    Notes
    -----
    Brent's method combines bisection, the secant step and inverse quadratic interpolation;
    the variable names follow the published algorithm.

    References
    ----------
    Brent, R. (1973). *Algorithms for Minimization without Derivatives*. Prentice-Hall, ch. 4.

    Examples
    --------
    >>> round(uniroot(lambda x: x * x - 2.0, 0.0, 2.0, tol=1e-12), 10)
    1.4142135624
    """
    a, b = float(lower), float(upper)
    fa = fun(a) if f_lower is None else float(f_lower)
    fb = fun(b) if f_upper is None else float(f_upper)
    if fa * fb > 0:
        raise RootNotBracketed("f() values at end points not of opposite sign")
    if fa == 0.0:
        return a
    if fb == 0.0:
        return b
    c, fc = a, fa
    for _ in range(maxiter + 1):
        prev_step = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = 2.0 * _EPS * abs(b) + tol / 2.0
        new_step = (c - b) / 2.0
        if abs(new_step) <= tol_act or fb == 0.0:
            return b
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):
            cb = c - b
            if a == c:
                t1 = fb / fa
                p = cb * t1
                q = 1.0 - t1
            else:
                q = fa / fc
                t1 = fb / fc
                t2 = fb / fa
                p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0))
                q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if p > 0:
                q = -q
            else:
                p = -p
            if p < (0.75 * cb * q - abs(tol_act * q) / 2.0) and p < abs(prev_step * q / 2.0):
                new_step = p / q
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0 else -tol_act
        a, fa = b, fb
        b += new_step
        fb = fun(b)
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            c, fc = a, fa
        if math.isnan(fb):
            raise RuntimeError(f"uniroot: the function returned NaN at {b!r}")
    raise RuntimeError(f"uniroot did not converge in {maxiter} iterations")
