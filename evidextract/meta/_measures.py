"""The formulas behind :func:`evidextract.escalc`, one function per family of measures.

Each function takes float arrays that :mod:`evidextract.meta._escalc` has already
checked (same length, no infinities, no negative counts), computes metafor's
outcome ``yi`` and sampling variance ``vi``, and returns them with the total
sample size of each study and a per-study note explaining any value it could
not compute. Formulas follow ``metafor::escalc`` 3.8 line by line (Viechtbauer,
2010); where metafor has no measure (``AUC``, a CI or p-value route for
``GEN``), the published formula is cited.
"""

import numpy as np
from scipy import special, stats

# Measures whose zero cells get no continuity correction unless `add` is given
# (metafor: PAS and PFT are defined at zero counts).
NO_DEFAULT_ADD = frozenset({"PAS", "PFT"})

# The one case where metafor keeps yi but sets vi to NA.
NO_VARIANCE_NOTE = "ni <= 3 leaves no sampling variance (metafor gives NA)"

# vtype codes each measure accepts, as in metafor::escalc.
VTYPES = {
    "OR": ("LS",),
    "RR": ("LS",),
    "RD": ("LS", "UB", "AV"),
    "PETO": ("LS",),
    "MD": ("LS", "UB", "HO"),
    "SMD": ("LS", "UB", "LS2", "AV"),
    "ROM": ("LS", "HO", "AV", "AVHO"),
    "MC": ("LS",),
    "SMCC": ("LS", "LS2"),
    "SMCR": ("LS", "LS2"),
    "PR": ("LS", "UB", "AV"),
    "PLN": ("LS", "AV"),
    "PLO": ("LS", "AV"),
    "PAS": ("LS",),
    "PFT": ("LS",),
    "COR": ("LS", "AV"),
    "ZCOR": ("LS",),
    "AUC": ("LS",),
    "GEN": ("LS",),
}


def bias_correction(mi):
    """Return Hedges' exact small-sample correction ``c(m)`` for ``m`` degrees of freedom.

    ``c(m) = Gamma(m/2) / (sqrt(m/2) * Gamma((m-1)/2))``, computed on the log
    scale as metafor's ``.cmicalc`` does; ``NaN`` where ``m <= 1``.
    """
    mi = np.asarray(mi, dtype=float)
    out = np.full(mi.shape, np.nan)
    ok = mi > 1
    m = mi[ok]
    out[ok] = np.exp(special.gammaln(m / 2) - np.log(np.sqrt(m / 2)) - special.gammaln((m - 1) / 2))
    return out


def weighted_mean(x, w):
    """Return ``sum(w x) / sum(w)`` over the pairs where neither is NaN (metafor's ``.wmean``)."""
    keep = ~(np.isnan(x) | np.isnan(w))
    return np.sum(x[keep] * w[keep]) / np.sum(w[keep])


def _notes(k):
    return np.full(k, "", dtype=object)


def _continuity(cells, add, to, zero):
    """Add ``add`` to every cell of the studies that ``to`` selects; return cells, selection."""
    if to == "all":
        selected = np.ones(zero.shape, dtype=bool)
    elif to == "only0":
        selected = zero
    elif to == "if0all":
        selected = np.full(zero.shape, bool(zero.any()))
    else:  # "none"
        selected = np.zeros(zero.shape, dtype=bool)
    return [c + np.where(selected, add, 0.0) for c in cells], selected


def two_by_two(measure, x, *, add, to, drop00, vtype):
    """Compute OR, RR, RD or PETO from the cells ``ai, bi, ci, di`` of 2x2 tables."""
    ai, bi, ci, di = (x[name].copy() for name in ("ai", "bi", "ci", "di"))
    k = ai.size
    notes = _notes(k)
    ni_u = ai + bi + ci + di
    if drop00:
        double_zero = ((ai == 0) & (ci == 0)) | ((bi == 0) & (di == 0))
        for cell in (ai, bi, ci, di):
            cell[double_zero] = np.nan
        notes[double_zero] = "no events (or no non-events) in either group, dropped (drop00=True)"
    zero = (ai == 0) | (bi == 0) | (ci == 0) | (di == 0)
    (ai, bi, ci, di), _ = _continuity([ai, bi, ci, di], add, to, zero)
    n1i, n2i = ai + bi, ci + di
    ni = n1i + n2i
    p1i, p2i = ai / n1i, ci / n2i
    with np.errstate(divide="ignore", invalid="ignore"):
        if measure == "OR":
            yi = np.log(p1i / (1 - p1i)) - np.log(p2i / (1 - p2i))
            vi = 1 / ai + 1 / bi + 1 / ci + 1 / di
        elif measure == "RR":
            yi = np.log(p1i) - np.log(p2i)
            vi = 1 / ai - 1 / n1i + 1 / ci - 1 / n2i
        elif measure == "RD":
            yi = p1i - p2i
            if vtype == "UB":
                vi = p1i * (1 - p1i) / (n1i - 1) + p2i * (1 - p2i) / (n2i - 1)
            elif vtype == "AV":
                q1, q2 = weighted_mean(p1i, n1i), weighted_mean(p2i, n2i)
                vi = q1 * (1 - q1) / n1i + q2 * (1 - q2) / n2i
            else:
                vi = p1i * (1 - p1i) / n1i + p2i * (1 - p2i) / n2i
        else:  # PETO: Yusuf et al. (1985) one-step odds ratio
            events, non_events = ai + ci, bi + di
            expected = events * n1i / ni
            var_hyper = events * non_events * (n1i / ni) * (n2i / ni) / (ni - 1)
            yi = (ai - expected) / var_hyper
            vi = 1 / var_hyper
    if to == "none":
        notes[zero & (notes == "")] = "a zero cell with to='none' (no continuity correction)"
    return yi, vi, ni_u, notes


def two_group_means(measure, x, *, vtype):
    """Compute MD, SMD (Hedges' g) or ROM from two groups' means, SDs and sizes."""
    m1i, m2i, sd1i, sd2i, n1i, n2i = (x[n] for n in ("m1i", "m2i", "sd1i", "sd2i", "n1i", "n2i"))
    k = m1i.size
    notes = _notes(k)
    ni = n1i + n2i
    mi = ni - 2
    with np.errstate(divide="ignore", invalid="ignore"):
        sdpi = np.sqrt(((n1i - 1) * sd1i**2 + (n2i - 1) * sd2i**2) / mi)
        if measure == "MD":
            yi = m1i - m2i
            if vtype == "HO":
                vi = sdpi**2 * (1 / n1i + 1 / n2i)
            else:
                vi = sd1i**2 / n1i + sd2i**2 / n2i
        elif measure == "SMD":
            di = (m1i - m2i) / sdpi
            cmi = bias_correction(mi)
            notes[mi <= 1] = "too few participants for Hedges' correction (n1i + n2i - 2 <= 1)"
            yi = cmi * di
            if vtype == "UB":
                vi = 1 / n1i + 1 / n2i + (1 - (mi - 2) / (mi * cmi**2)) * yi**2
            elif vtype == "LS2":
                vi = cmi**2 * (1 / n1i + 1 / n2i + di**2 / (2 * ni))
            elif vtype == "AV":
                vi = 1 / n1i + 1 / n2i + weighted_mean(yi, ni) ** 2 / (2 * ni)
            else:
                vi = 1 / n1i + 1 / n2i + yi**2 / (2 * ni)
        else:  # ROM: log ratio of means (Hedges et al., 1999)
            yi = np.log(m1i / m2i)
            notes[(m1i / m2i) <= 0] = "a ratio of means needs means of the same sign"
            cv1, cv2 = sd1i / m1i, sd2i / m2i
            if vtype == "HO":
                vi = sdpi**2 / (n1i * m1i**2) + sdpi**2 / (n2i * m2i**2)
            elif vtype == "AV":
                vi = weighted_mean(cv1, n1i) ** 2 / n1i + weighted_mean(cv2, n2i) ** 2 / n2i
            elif vtype == "AVHO":
                keep = ~(np.isnan(n1i) | np.isnan(n2i) | np.isnan(cv1) | np.isnan(cv2))
                weighted = np.sum(n1i[keep] * cv1[keep]) + np.sum(n2i[keep] * cv2[keep])
                pooled_cv = weighted / np.sum((n1i + n2i)[keep])
                vi = pooled_cv**2 * (1 / n1i + 1 / n2i)
            else:
                vi = sd1i**2 / (n1i * m1i**2) + sd2i**2 / (n2i * m2i**2)
    return yi, vi, ni, notes


def mean_change(measure, x, *, vtype):
    """Compute MC, SMCC or SMCR from one group measured twice (pre-post) with correlation ri."""
    m1i, m2i, sd1i, sd2i, ni, ri = (x[n] for n in ("m1i", "m2i", "sd1i", "sd2i", "ni", "ri"))
    k = m1i.size
    notes = _notes(k)
    mi = ni - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        if measure == "MC":
            yi = m1i - m2i
            vi = (sd1i**2 + sd2i**2 - 2 * ri * sd1i * sd2i) / ni
        elif measure == "SMCC":
            cmi = bias_correction(mi)
            sd_change = np.sqrt(sd1i**2 + sd2i**2 - 2 * ri * sd1i * sd2i)
            di = (m1i - m2i) / sd_change
            yi = cmi * di
            if vtype == "LS2":
                vi = cmi**2 * (1 / ni + di**2 / (2 * ni))
            else:
                vi = 1 / ni + yi**2 / (2 * ni)
        else:  # SMCR: raw-score standardization by sd1i (Becker, 1988)
            cmi = bias_correction(mi)
            di = (m1i - m2i) / sd1i
            yi = cmi * di
            if vtype == "LS2":
                vi = cmi**2 * (2 * (1 - ri) / ni + di**2 / (2 * ni))
            else:
                vi = 2 * (1 - ri) / ni + yi**2 / (2 * ni)
        if measure != "MC":
            notes[mi <= 1] = "too few participants for the bias correction (ni - 1 <= 1)"
    return yi, vi, ni, notes


def proportions(measure, x, *, add, to, vtype):
    """Compute PR, PLN, PLO, PAS or PFT from event counts ``xi`` among ``ni``."""
    xi, mi = x["xi"].copy(), x["mi"].copy()
    ni_u = xi + mi
    notes = _notes(xi.size)
    zero = (xi == 0) | (mi == 0)
    (xi, mi), _ = _continuity([xi, mi], add, to, zero)
    ni = xi + mi
    pri = xi / ni
    with np.errstate(divide="ignore", invalid="ignore"):
        if measure == "PR":
            yi = pri
            if vtype == "UB":
                vi = pri * (1 - pri) / (ni - 1)
            elif vtype == "AV":
                p = weighted_mean(pri, ni)
                vi = p * (1 - p) / ni
            else:
                vi = pri * (1 - pri) / ni
        elif measure == "PLN":
            yi = np.log(pri)
            if vtype == "AV":
                vi = 1 / (weighted_mean(pri, ni) * ni) - 1 / ni
            else:
                vi = 1 / xi - 1 / ni
        elif measure == "PLO":
            yi = np.log(pri / (1 - pri))
            if vtype == "AV":
                p = weighted_mean(pri, ni)
                vi = 1 / (p * ni) + 1 / ((1 - p) * ni)
            else:
                vi = 1 / xi + 1 / mi
        elif measure == "PAS":
            yi = np.arcsin(np.sqrt(pri))
            vi = 1 / (4 * ni)
        else:  # PFT: Freeman-Tukey double arcsine
            yi = 0.5 * (np.arcsin(np.sqrt(xi / (ni + 1))) + np.arcsin(np.sqrt((xi + 1) / (ni + 1))))
            vi = 1 / (4 * ni + 2)
    if to == "none" or add == 0:
        notes[zero & (notes == "")] = "no events or no non-events and no continuity correction"
    return yi, vi, ni_u, notes


def correlations(measure, x, *, vtype):
    """Compute COR or ZCOR (Fisher's z) from correlations ``ri`` and sample sizes ``ni``."""
    ri, ni = x["ri"], x["ni"]
    notes = _notes(ri.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        if measure == "COR":
            yi = ri.copy()
            if vtype == "AV":
                vi = (1 - weighted_mean(yi, ni) ** 2) ** 2 / (ni - 1)
            else:
                vi = (1 - yi**2) ** 2 / (ni - 1)
        else:
            yi = np.arctanh(ri)
            vi = 1 / (ni - 3)
    small = ni <= 3
    vi = np.where(small, np.nan, vi)
    notes[small] = NO_VARIANCE_NOTE
    return yi, vi, ni, notes


def hanley_mcneil_variance(auc, n1i, n2i):
    """Return the Hanley & McNeil (1982) variance of an AUC from n1i cases and n2i controls.

    ``var = (A(1-A) + (n1-1)(Q1-A^2) + (n2-1)(Q2-A^2)) / (n1 n2)`` with
    ``Q1 = A/(2-A)`` and ``Q2 = 2A^2/(1+A)`` (Hanley & McNeil, 1982, Table 1 and eq. 2).
    """
    a2 = auc**2
    q1 = auc / (2 - auc)
    q2 = 2 * a2 / (1 + auc)
    return (auc * (1 - auc) + (n1i - 1) * (q1 - a2) + (n2i - 1) * (q2 - a2)) / (n1i * n2i)


def area_under_curve(x, *, transform):
    """Compute an AUC and its Hanley-McNeil variance, optionally on the logit scale."""
    auc, n1i, n2i = x["auc"], x["n1i"], x["n2i"]
    notes = _notes(auc.size)
    vi = hanley_mcneil_variance(auc, n1i, n2i)
    yi = auc.copy()
    if transform == "logit":
        with np.errstate(divide="ignore", invalid="ignore"):
            yi = special.logit(auc)
            vi = vi / (auc * (1 - auc)) ** 2
        notes[(auc == 0) | (auc == 1)] = "an AUC of 0 or 1 has no logit"
    return yi, vi, n1i + n2i, notes


def generic(x, *, level, scale):
    """Take ``yi`` with ``vi``, ``sei``, a CI or a p-value, filling each study from the first given.

    Order per study: ``vi``, then ``sei``, then ``(ci_high - ci_low) / (2 z)``,
    then ``|yi| / z_(1 - p/2)`` (Altman & Bland, 2011), all on the ``scale``
    of the analysis (``"log"``: estimate and limits are logged first).
    """
    yi = x["yi"].copy()
    k = yi.size
    notes = _notes(k)
    lo, hi = x["ci_low"].copy(), x["ci_high"].copy()
    if scale == "log":
        yi, lo, hi = np.log(yi), np.log(lo), np.log(hi)
    z = stats.norm.isf((1 - level) / 2)
    vi = x["vi"].copy()
    vi = np.where(np.isnan(vi), x["sei"] ** 2, vi)
    from_ci = np.isnan(vi) & ~np.isnan(lo) & ~np.isnan(hi)
    vi = np.where(from_ci, ((hi - lo) / (2 * z)) ** 2, vi)
    pval = x["pval"]
    from_p = np.isnan(vi) & ~np.isnan(pval)
    with np.errstate(divide="ignore", invalid="ignore"):
        se_p = np.abs(yi) / stats.norm.isf(pval / 2)
    vi = np.where(from_p, se_p**2, vi)
    notes[from_p & (yi == 0)] = "an estimate of 0 gives no standard error from its p-value"
    vi = np.where(from_p & (yi == 0), np.nan, vi)
    notes[from_p & (pval == 1)] = "p = 1 gives no standard error"
    notes[np.isnan(vi) & (notes == "")] = "no vi, sei, complete CI or p-value"
    return yi, vi, x["ni"], notes
