"""Many meta-analyses at once: ``rma_batch`` over a long table with an analysis id.

For meta-research across thousands of reviews. The studies are packed into a
(analyses x max k) array, padded with zero weights, and the estimators run on all rows
together; each row stops iterating when it converges, so every analysis takes exactly the
steps metafor takes and gets metafor's numbers. Paule-Mandel (a root search per analysis)
and analyses with problems go through :func:`rma` one by one; a problem becomes a row with
``status="error"`` and the message, never a crash or a lost analysis.
"""

import math
import warnings

import numpy as np
import pandas as pd
from scipy import special

from evidextract.meta._estimators import FIXED_METHODS, Control
from evidextract.meta._rma import MAX_ABS_EFFECT, VARIANCE_RATIO_WARN, _level, make_estimator

#: Columns after the ``by`` column in :func:`rma_batch`'s result.
BATCH_COLUMNS = [
    "k",
    "estimate",
    "se",
    "zval",
    "pval",
    "ci_low",
    "ci_high",
    "pi_low",
    "pi_high",
    "tau2",
    "se_tau2",
    "i2",
    "h2",
    "q",
    "q_pval",
    "method",
    "test",
    "level",
    "n_iter",
    "status",
    "message",
]
_VECTOR_METHODS = ("EE", "FE", "DL", "HE", "HS", "SJ", "REML", "ML", "EB")
_LOG_2PI = math.log(2.0 * math.pi)


def _pack(df, by, yi, vi):
    groups, inverse = np.unique(df[by].to_numpy(), return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    inv_sorted = inverse[order]
    counts = np.bincount(inverse, minlength=groups.size)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    pos = np.arange(order.size) - starts[inv_sorted]
    kmax = int(counts.max()) if counts.size else 0
    Y = np.zeros((groups.size, kmax))
    V = np.full((groups.size, kmax), np.inf)  # padding: infinite variance = zero weight
    Y[inv_sorted, pos] = df[yi].to_numpy(dtype=float)[order]
    V[inv_sorted, pos] = df[vi].to_numpy(dtype=float)[order]
    mask = np.zeros((groups.size, kmax), dtype=bool)
    mask[inv_sorted, pos] = True
    return groups, Y, V, mask, counts


def _weighted(Y, V, tau2):
    w = 1.0 / (V + tau2[:, None])
    sw = w.sum(axis=1)
    mu = (w * Y).sum(axis=1) / sw
    r = Y - mu[:, None]
    return w, sw, mu, r


def _ll(method, Y, V, mask, k, tau2):
    w, sw, mu, r = _weighted(Y, V, tau2)
    logv = np.where(mask, np.log(np.where(mask, V, 1.0) + tau2[:, None]), 0.0).sum(axis=1)
    rss = (w * r * r).sum(axis=1)
    if method == "ML":
        return -0.5 * k * _LOG_2PI - 0.5 * logv - 0.5 * rss
    return -0.5 * (k - 1) * _LOG_2PI - 0.5 * logv - 0.5 * np.log(sw) - 0.5 * rss


def _tau2_vector(method, Y, V, mask, k, ctl):
    """tau², its SE and the iteration count per row; ``converged`` flags failures."""
    n = Y.shape[0]
    p = 1
    Vm = np.where(mask, V, 0.0)
    ybar = (Y * mask).sum(axis=1) / k
    d = np.where(mask, Y - ybar[:, None], 0.0)
    iters = np.zeros(n, dtype=int)
    converged = np.ones(n, dtype=bool)
    if method in FIXED_METHODS:
        return np.zeros(n), np.full(n, np.nan), iters, converged
    tmin = ctl.tau2_min
    if method in ("DL", "HS"):
        w = np.where(mask, 1.0 / np.where(mask, V, 1.0), 0.0)
        sw = w.sum(axis=1)
        s2 = (w * w).sum(axis=1)
        mu = (w * Y).sum(axis=1) / sw
        r = np.where(mask, Y - mu[:, None], 0.0)
        q = (w * r * r).sum(axis=1)
        trp = (w * (1.0 - w / sw[:, None])).sum(axis=1)  # = sw - s2/sw, each term >= 0
        sum_pp = s2 - 2.0 * (w**3).sum(axis=1) / sw + (s2 / sw) ** 2
        if method == "DL":
            tau2 = np.maximum(tmin, (q - (k - p)) / trp)
            t = np.maximum(tau2, 0.0)
            se = np.sqrt((2 * (k - p) + 4 * t * trp + 2 * t * t * sum_pp) / trp**2)
        else:
            tau2 = np.maximum(tmin, (q - k) / sw)
            t = np.maximum(tau2, 0.0)
            se = np.sqrt((2 * (k - p) + 4 * t * trp + 2 * t * t * sum_pp) / sw**2)
        return tau2, se, iters, converged
    he = ((d * d).sum(axis=1) - Vm.sum(axis=1) * (1.0 - 1.0 / k)) / (k - 1)
    if method == "HE":
        tau2 = np.maximum(tmin, he)
        t = np.maximum(tau2, 0.0)
        trpv = Vm.sum(axis=1) * (1.0 - 1.0 / k)
        sum_pvpv = (Vm * Vm).sum(axis=1) * (1.0 - 2.0 / k) + Vm.sum(axis=1) ** 2 / k**2
        se = np.sqrt((2 * sum_pvpv + 4 * t * trpv + 2 * t * t * (k - p)) / (k - p) ** 2)
        return tau2, se, iters, converged
    if method == "SJ":
        tau0 = (d * d).sum(axis=1) / k
        w, sw, mu, r = _weighted(Y, V, tau0)
        r = np.where(mask, r, 0.0)
        w2 = w * w
        s2 = w2.sum(axis=1)
        tau2 = np.maximum(tmin, tau0 * (w * r * r).sum(axis=1) / (k - p))
        t = np.maximum(tau2, 0.0)
        w2v = (w2 * Vm).sum(axis=1)
        sum_pvpv = (
            (w2 * Vm * Vm).sum(axis=1) - 2.0 * (w2 * w * Vm * Vm).sum(axis=1) / sw + w2v**2 / sw**2
        )
        sum_pvp = w2v - 2.0 * (w2 * w * Vm).sum(axis=1) / sw + s2 * w2v / sw**2
        sum_pp = s2 - 2.0 * (w2 * w).sum(axis=1) / sw + (s2 / sw) ** 2
        se = np.sqrt(tau0**2 / (k - p) ** 2 * (2 * sum_pvpv + 4 * t * sum_pvp + 2 * t * t * sum_pp))
        return tau2, se, iters, converged
    # REML, ML, EB: Fisher scoring on all rows, each frozen once it has converged
    tau2 = (
        np.maximum(np.maximum(0.0, he), tmin)
        if ctl.tau2_init is None
        else np.full(n, ctl.tau2_init)
    )
    active = np.ones(n, dtype=bool)
    while active.any():
        rows = np.flatnonzero(active)
        t = tau2[rows]
        w, sw, mu, r = _weighted(Y[rows], V[rows], t)
        r = np.where(mask[rows], r, 0.0)
        wr = w * r
        if method == "REML":
            w2 = w * w
            s2 = w2.sum(axis=1)
            tr_p = (w * (1.0 - w / sw[:, None])).sum(axis=1)
            tr_pp = s2 - 2.0 * (w2 * w).sum(axis=1) / sw + (s2 / sw) ** 2
            adj = ((wr * wr).sum(axis=1) - tr_p) / tr_pp
        elif method == "ML":
            adj = ((wr * wr).sum(axis=1) - sw) / (w * w).sum(axis=1)
        else:
            kk = k[rows]
            adj = ((wr * r).sum(axis=1) * kk / (kk - p) - kk) / sw
        adj = np.where(np.isnan(adj), 0.0, adj * ctl.stepadj)
        at_bound = (adj < 0) & (t + adj < tmin) & (t <= tmin)
        adj[at_bound] = 0.0
        infinite = np.isinf(adj)
        if infinite.any():  # the one-by-one path reports these as errors
            converged[rows[infinite]] = False
            active[rows[infinite]] = False
            keep = ~infinite
            rows, t, adj = rows[keep], t[keep], adj[keep]
            if rows.size == 0:
                break
        at_bound = (adj < 0) & (t + adj < tmin) & (t <= tmin)
        adj[at_bound] = 0.0
        halve = t + adj < tmin
        while halve.any():
            adj[halve] /= 2.0
            halve = t + adj < tmin
        new = t + adj
        tau2[rows] = new
        iters[rows] += 1
        still = np.abs(new - t) > ctl.threshold
        over = iters[rows] > ctl.maxiter
        converged[rows[over]] = False
        active[rows] = still & ~over
    if method in ("REML", "ML") and ctl.ll0check:
        ll0 = _ll(method, Y, V, mask, k, np.zeros(n))
        ll = _ll(method, Y, V, mask, k, tau2)
        stuck = (ll0 - ll > ctl.tol) & (tau2 > ctl.threshold) & converged
        tau2[stuck] = 0.0
    tau2 = np.maximum(tmin, tau2)
    w, sw, mu, r = _weighted(Y, V, tau2)
    s2 = (w * w).sum(axis=1)
    if method == "REML":
        se = np.sqrt(2.0 / (s2 - 2.0 * (w**3).sum(axis=1) / sw + (s2 / sw) ** 2))
    elif method == "ML":
        se = np.sqrt(2.0 / s2)
    else:
        se = np.sqrt(2.0 * k * k / (k - p) / sw**2)
    return tau2, se, iters, converged


def rma_batch(
    df,
    by="analysis_id",
    yi="yi",
    vi="vi",
    method="REML",
    test="z",
    level=0.95,
    control=None,
):
    """Fit one intercept-only meta-analysis per value of ``by``, vectorised.

    Parameters
    ----------
    df : pandas.DataFrame
        Long table: one row per study, with the analysis id, ``yi`` and ``vi``.
    by : str, default "analysis_id"
        Column naming the analysis each study belongs to.
    yi, vi : str, default "yi", "vi"
        Columns of effect sizes and sampling variances.
    method : str, default "REML"
        ``EE``/``FE``, ``DL, REML, ML, PM, HE, SJ, HS, EB`` (as :func:`rma`).
    test : {"z", "knha"}, default "z"
    level : float, default 0.95
    control : dict, optional
        Iteration settings as for :func:`rma`.

    Returns
    -------
    pandas.DataFrame
        One row per analysis (sorted by ``by``): the ``by`` column, then ``k, estimate,
        se, zval, pval, ci_low, ci_high, pi_low, pi_high, tau2, se_tau2, i2, h2, q, q_pval,
        method, test, level, n_iter, status, message``. ``status`` is ``ok``, ``warning``
        (e.g. k = 1 or omitted studies, said in ``message``) or ``error`` (numbers ``nan``,
        the reason in ``message``).

    Raises
    ------
    ValueError
        Unknown method or test codes, or missing columns.

    Notes
    -----
    Each analysis gets exactly what :func:`rma` gives for it (same iterations, same
    fallbacks), so it matches metafor as :func:`rma` does.

    Examples
    --------
    >>> import pandas as pd
    >>> long = pd.DataFrame({"analysis_id": ["a", "a", "a", "b", "b"],
    ...                      "yi": [0.1, 0.5, 0.2, -0.3, -0.1],
    ...                      "vi": [0.01, 0.02, 0.015, 0.04, 0.05]})
    >>> rma_batch(long, method="DL")[["analysis_id", "k", "estimate", "tau2", "status"]].round(4)
      analysis_id  k  estimate    tau2 status
    0           a  3    0.2500  0.0244     ok
    1           b  2   -0.2111  0.0000     ok
    """
    make_estimator(method, test, level, control)  # validates the codes
    method = method.upper()
    for col in (by, yi, vi):
        if col not in df.columns:
            raise ValueError(f"column {col!r} not in the data frame")
    lev = _level(level)
    ctl = Control.from_user(control)
    groups, Y, V, mask, counts = _pack(df, by, yi, vi)
    n = groups.size
    # rows that pass rma's input checks without warnings go through the vectorised path;
    # the rest through rma one by one, which names the problem (error or warning status)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        clean = (
            np.isfinite(Y)
            & (np.abs(Y) <= MAX_ABS_EFFECT)
            & np.isfinite(V)
            & (V > 0)
            & np.isfinite((1.0 / V) ** 2)
        )
        raw_ok = np.all(np.where(mask, clean, True), axis=1)
        vmax = np.where(mask, V, -np.inf).max(axis=1, initial=-np.inf)
        vmin = np.where(mask, V, np.inf).min(axis=1, initial=np.inf)
        raw_ok &= vmax / vmin < VARIANCE_RATIO_WARN
    simple = raw_ok & (counts >= 2) & (method in _VECTOR_METHODS)
    out = {c: np.full(n, np.nan) for c in BATCH_COLUMNS[:15]}
    n_iter = np.zeros(n, dtype=int)
    status = np.array(["ok"] * n, dtype=object)
    message = np.array([""] * n, dtype=object)
    rows = np.flatnonzero(simple)
    if rows.size:
        Yr, Vr, Mr = Y[rows], V[rows], mask[rows]
        k = counts[rows].astype(float)
        tau2, se_tau2, iters, conv = _tau2_vector(method, Yr, Vr, Mr, k, ctl)
        w, sw, mu, _ = _weighted(Yr, Vr, tau2)
        var_mu = 1.0 / sw
        r = np.where(Mr, Yr - mu[:, None], 0.0)
        if test == "knha":
            rss = (w * r * r).sum(axis=1)
            s2w = np.where(rss <= np.finfo(float).eps, 0.0, rss / (k - 1))
            var_mu = var_mu * s2w
            crit = special.stdtrit(k - 1, 1 - (1 - lev) / 2)
        else:
            crit = np.full(rows.size, special.ndtri(1 - (1 - lev) / 2))
        se = np.sqrt(var_mu)
        z = mu / se
        pval = (
            2.0 * special.stdtr(k - 1, -np.abs(z))
            if test == "knha"
            else special.erfc(np.abs(z) / math.sqrt(2))
        )
        w0 = np.where(Mr, 1.0 / np.where(Mr, Vr, 1.0), 0.0)
        sw0 = w0.sum(axis=1)
        mu0 = (w0 * Yr).sum(axis=1) / sw0
        r0 = np.where(Mr, Yr - mu0[:, None], 0.0)
        q = np.maximum(0.0, (w0 * r0 * r0).sum(axis=1))
        vt = (k - 1) / (sw0 - (w0 * w0).sum(axis=1) / sw0)
        if method in FIXED_METHODS:
            i2 = np.where(q > 0, np.maximum(0.0, (q - (k - 1)) / np.where(q > 0, q, 1.0)), 0.0)
            h2 = q / (k - 1)
        else:
            i2 = tau2 / (vt + tau2)
            h2 = tau2 / vt + 1.0
        half = crit * np.sqrt(var_mu + tau2)
        values = {
            "k": k,
            "estimate": mu,
            "se": se,
            "zval": z,
            "pval": pval,
            "ci_low": mu - crit * se,
            "ci_high": mu + crit * se,
            "pi_low": mu - half,
            "pi_high": mu + half,
            "tau2": tau2,
            "se_tau2": se_tau2,
            "i2": i2,
            "h2": h2,
            "q": q,
            "q_pval": special.chdtrc(k - 1, q),
        }
        for name, vals in values.items():
            out[name][rows] = vals
        n_iter[rows] = iters
        failed = rows[~conv]
        simple[failed] = False  # rerun one by one to get metafor's error
    for g in np.flatnonzero(~simple):
        _fit_one(
            g,
            Y[g][mask[g]],
            V[g][mask[g]],
            method,
            test,
            lev,
            control,
            out,
            n_iter,
            status,
            message,
        )
    result = pd.DataFrame({by: groups})
    for name in BATCH_COLUMNS[:15]:
        result[name] = out[name]
    result["k"] = result["k"].astype("Int64")
    result["method"] = method
    result["test"] = test
    result["level"] = lev
    result["n_iter"] = n_iter
    result["status"] = status
    result["message"] = message
    return result


def _fit_one(g, yi, vi, method, test, level, control, out, n_iter, status, message):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            est = make_estimator(method, test, level, control).fit(yi, vi)
        except (ValueError, RuntimeError, np.linalg.LinAlgError) as err:
            status[g] = "error"
            message[g] = str(err)
            out["k"][g] = int(np.isfinite(yi).sum())
            return
    if caught:
        status[g] = "warning"
        message[g] = "; ".join(str(w.message) for w in caught)
    crit = est.crit_()
    b, s = est.mu_, float(est.se_[0])
    half = crit * math.sqrt(s * s + est.tau2_)
    values = {
        "k": est.k_,
        "estimate": b,
        "se": s,
        "zval": b / s,
        "pval": float(est.pvalues_()[0]),
        "ci_low": b - crit * s,
        "ci_high": b + crit * s,
        "pi_low": b - half,
        "pi_high": b + half,
        "tau2": est.tau2_,
        "se_tau2": est.se_tau2_,
        "i2": est.i2_,
        "h2": est.h2_,
        "q": est.q_,
        "q_pval": float(special.chdtrc(est.q_df_, est.q_)) if est.q_df_ > 0 else 1.0,
    }
    for name, value in values.items():
        out[name][g] = value
    n_iter[g] = est.n_iter_
