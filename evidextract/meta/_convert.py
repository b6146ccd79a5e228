"""Conversions a meta-analyst needs before pooling: means, SDs and SEs from what was reported.

Every function is vectorized: scalars, lists, NumPy arrays and pandas Series
are accepted (a Series' index is kept), missing values give NaN for that row
only, and impossible values (a negative n or SD, a CI whose limits are
reversed, quartiles out of order) raise a ``ValueError`` naming the row.
"""

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "mean_sd_from_median",
    "sd_from_se",
    "sd_from_ci",
    "se_from_ci",
    "se_from_p",
    "combine_groups",
]


def _arrays(**named):
    """Broadcast the named inputs to float arrays of one length; return them and an index."""
    index = None
    values = {}
    for name, value in named.items():
        if value is None:
            continue
        if isinstance(value, pd.Series) and index is None:
            index = value.index
        arr = pd.to_numeric(pd.Series(np.asarray(value, dtype=object).ravel()), errors="coerce")
        raw = np.asarray(value, dtype=object).ravel()
        bad = arr.isna().to_numpy() & pd.notna(pd.Series(raw)).to_numpy()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(f"row {i}: {name} is not a number: {raw[i]!r}")
        values[name] = arr.to_numpy(dtype=float)
    lengths = {name: arr.size for name, arr in values.items() if arr.size != 1}
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{name} has {n}" for name, n in lengths.items())
        raise ValueError(f"inputs have different lengths: {detail}")
    k = max(lengths.values(), default=1)
    if index is not None and len(index) != k:
        index = None
    out = {name: np.broadcast_to(arr, (k,)).astype(float) for name, arr in values.items()}
    for name, arr in out.items():
        if np.isinf(arr).any():
            raise ValueError(f"row {int(np.flatnonzero(np.isinf(arr))[0])}: {name} is infinite")
    return out, index, k


def _refuse(mask, message):
    if np.any(mask):
        rows = ", ".join(str(i) for i in np.flatnonzero(mask)[:5])
        raise ValueError(f"{message} (row {rows})")


def _shape_like(result, index, scalar):
    if scalar:
        return float(result[0])
    if index is not None:
        return pd.Series(result, index=index)
    return result


def _is_scalar(*values):
    return all(v is None or np.ndim(v) == 0 for v in values)


def _check_n(n, name="n", minimum=0):
    with np.errstate(invalid="ignore"):
        _refuse(n <= minimum, f"{name} must be greater than {minimum}")


def _critical_value(level, df):
    """Two-sided critical value: normal where df is None or NaN, else Student's t with df."""
    level = _check_level(level)
    upper = 1 - (1 - level) / 2
    if df is None:
        return stats.norm.ppf(upper)
    df = np.asarray(df, dtype=float)
    t_quantile = stats.t.ppf(upper, np.where(df > 0, df, 1))
    return np.where(np.isnan(df), stats.norm.ppf(upper), t_quantile)


def _check_level(level):
    level = float(level)
    if 1 < level < 100:
        level /= 100
    if not 0 < level < 1:
        raise ValueError(f"level={level!r} must be in (0, 1), e.g. 0.95")
    return level


def mean_sd_from_median(
    median, n, *, q1=None, q3=None, minimum=None, maximum=None, mean_method="luo", sd_method="shi"
):
    """Estimate a sample mean and SD from the median with the IQR and/or the range.

    The scenario is chosen per row from what that row has (Wan et al., 2014):
    **S1** median, minimum, maximum; **S2** the five-number summary (minimum,
    q1, median, q3, maximum); **S3** median, q1, q3.

    Parameters
    ----------
    median, n : float or array-like
        The sample median and the sample size.
    q1, q3 : float or array-like, optional
        The first and third quartiles.
    minimum, maximum : float or array-like, optional
        The smallest and largest values.
    mean_method : {"luo", "wan"}, default "luo"
        Luo et al. (2018), optimally weighted, for all three scenarios; or
        Wan et al. (2014): ``(a + 2m + b) / 4`` (S1),
        ``(a + 2q1 + 2m + 2q3 + b) / 8`` (S2), ``(q1 + m + q3) / 3`` (S3).
    sd_method : {"shi", "wan"}, default "shi"
        For S2: Shi et al. (2020), or Wan et al. (2014). S1 and S3 always use
        Wan et al. (2014), which Shi et al. (2020) leave unchanged.

    Returns
    -------
    pandas.DataFrame
        Columns ``mean``, ``sd`` (floats) and ``scenario`` (``"S1"``, ``"S2"``,
        ``"S3"`` or ``None`` when the row has neither quartiles nor range).
        The index is that of the first Series given, else a RangeIndex.

    Raises
    ------
    ValueError
        If n is not positive, or a row's values are out of order
        (``minimum <= q1 <= median <= q3 <= maximum``).

    See Also
    --------
    sd_from_ci, sd_from_se

    Notes
    -----
    With ``xi(n) = 2 Phi^-1((n - 0.375) / (n + 0.25))`` and
    ``eta(n) = 2 Phi^-1((0.75 n - 0.125) / (n + 0.25))``:

    - SD, Wan et al. (2014): S1 ``(b - a) / xi(n)`` (their eq. 7); S3
      ``(q3 - q1) / eta(n)`` (eq. 16); S2
      ``((b - a) / xi(n) + (q3 - q1) / eta(n)) / 2`` (eq. 9).
    - SD, Shi et al. (2020), S2 only (their eq. 11):
      ``w (b - a) / xi(n) + (1 - w) (q3 - q1) / eta(n)``,
      ``w = 1 / (1 + 0.07 n^0.6)``.
    - Mean, Luo et al. (2018): S1 ``w (a + b) / 2 + (1 - w) m`` with
      ``w = 4 / (4 + n^0.75)`` (eq. 7); S2
      ``w1 (a + b) / 2 + w2 (q1 + q3) / 2 + (1 - w1 - w2) m`` with
      ``w1 = 2.2 / (2.2 + n^0.75)``, ``w2 = 0.7 - 0.72 / n^0.55`` (eq. 15);
      S3 ``w (q1 + q3) / 2 + (1 - w) m`` with ``w = 0.7 + 0.39 / n`` (eq. 11).

    The closed-form ``xi(n)`` and ``eta(n)`` (Blom's approximation) are used
    for every n, as in Wan et al.'s spreadsheet and metaBLUE; R's ``meta``
    package instead looks up exact values for n <= 50 (S1) and n <= 201 (S3),
    which can differ in the third significant digit for small n. All three
    methods assume roughly normal data; a skewed outcome (one reported as a
    median for that reason) is better analysed on another scale. No R package
    implementing them (meta, estmeansd, metaBLUE) is installed here, so the
    tests check the published formulas and metaBLUE's documented example
    output (Wan.std and Luo.mean, S1: (1, 4, 10), n = 30).

    References
    ----------
    .. [1] Wan X, Wang W, Liu J, Tong T (2014). Estimating the sample mean and
       standard deviation from the sample size, median, range and/or
       interquartile range. BMC Med Res Methodol 14:135.
    .. [2] Luo D, Wan X, Liu J, Tong T (2018). Optimally estimating the sample
       mean from the sample size, median, mid-range, and/or mid-quartile range.
       Stat Methods Med Res 27(6):1785-1805.
    .. [3] Shi J, Luo D, Weng H, et al. (2020). Optimally estimating the sample
       standard deviation from the five-number summary. Res Synth Methods
       11(5):641-654.

    Examples
    --------
    >>> import evidextract as ev
    >>> ev.meta.mean_sd_from_median([4.0, 4.0, 4.0], n=30, q1=[None, 2.5, 2.5],
    ...     q3=[None, 6.0, 6.0], minimum=[1, 1, None], maximum=[10, 10, None]).round(3)
        mean     sd scenario
    0  4.357  2.206       S1
    1  4.367  2.387       S2
    2  4.178  2.724       S3
    """
    if mean_method not in ("luo", "wan"):
        raise ValueError(f"mean_method={mean_method!r}; valid: 'luo', 'wan'")
    if sd_method not in ("shi", "wan"):
        raise ValueError(f"sd_method={sd_method!r}; valid: 'shi', 'wan'")
    x, index, k = _arrays(median=median, n=n, q1=q1, q3=q3, minimum=minimum, maximum=maximum)
    nan = np.full(k, np.nan)
    m, nn = x["median"], x["n"]
    q1_, q3_ = x.get("q1", nan), x.get("q3", nan)
    a, b = x.get("minimum", nan), x.get("maximum", nan)
    if "q1" not in x and "minimum" not in x:
        raise ValueError("give q1 and q3, minimum and maximum, or both")
    _check_n(nn)
    with np.errstate(invalid="ignore"):
        for low, high, what in (
            (a, q1_, "minimum > q1"),
            (q1_, m, "q1 > median"),
            (m, q3_, "median > q3"),
            (q3_, b, "q3 > maximum"),
            (a, m, "minimum > median"),
            (m, b, "median > maximum"),
        ):
            _refuse(low > high, f"values out of order: {what}")
    has_range = ~np.isnan(a) & ~np.isnan(b)
    has_iqr = ~np.isnan(q1_) & ~np.isnan(q3_)
    s2 = has_range & has_iqr
    s1 = has_range & ~has_iqr
    s3 = has_iqr & ~has_range

    with np.errstate(invalid="ignore", divide="ignore"):
        xi = 2 * stats.norm.ppf((nn - 0.375) / (nn + 0.25))
        eta = 2 * stats.norm.ppf((0.75 * nn - 0.125) / (nn + 0.25))
        if mean_method == "luo":
            w_s1 = 4 / (4 + nn**0.75)
            w1_s2 = 2.2 / (2.2 + nn**0.75)
            w2_s2 = 0.7 - 0.72 / nn**0.55
            w_s3 = 0.7 + 0.39 / nn
            mean_s1 = w_s1 * (a + b) / 2 + (1 - w_s1) * m
            mean_s2 = w1_s2 * (a + b) / 2 + w2_s2 * (q1_ + q3_) / 2 + (1 - w1_s2 - w2_s2) * m
            mean_s3 = w_s3 * (q1_ + q3_) / 2 + (1 - w_s3) * m
        else:
            mean_s1 = (a + 2 * m + b) / 4
            mean_s2 = (a + 2 * q1_ + 2 * m + 2 * q3_ + b) / 8
            mean_s3 = (q1_ + m + q3_) / 3
        sd_s1 = (b - a) / xi
        sd_s3 = (q3_ - q1_) / eta
        if sd_method == "shi":
            w = 1 / (1 + 0.07 * nn**0.6)
            sd_s2 = w * (b - a) / xi + (1 - w) * (q3_ - q1_) / eta
        else:
            sd_s2 = 0.5 * ((b - a) / xi + (q3_ - q1_) / eta)

    mean = np.select([s1, s2, s3], [mean_s1, mean_s2, mean_s3], default=np.nan)
    sd = np.select([s1, s2, s3], [sd_s1, sd_s2, sd_s3], default=np.nan)
    scenario = np.select([s1, s2, s3], ["S1", "S2", "S3"], default="")
    scenario = pd.Series(scenario, dtype=object).replace("", None).to_numpy()
    return pd.DataFrame({"mean": mean, "sd": sd, "scenario": scenario}, index=index)


def sd_from_se(se, n, n2=None):
    """Return the standard deviation behind a standard error.

    Parameters
    ----------
    se : float or array-like
        The standard error of a group mean, or (with `n2`) of a difference
        between two independent group means.
    n : float or array-like
        The group's sample size (the first group's, with `n2`).
    n2 : float or array-like, optional
        The second group's sample size.

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        ``SD = SE sqrt(n)`` for one group (Cochrane Handbook 6.5.2.2); with
        `n2`, the within-group SD assumed common to both groups,
        ``SD = SE / sqrt(1/n + 1/n2)`` (Cochrane Handbook 6.5.2.3).

    References
    ----------
    .. [1] Higgins JPT, Li T, Deeks JJ (eds). Chapter 6: Choosing effect
       measures and computing estimates of effect. Cochrane Handbook for
       Systematic Reviews of Interventions, version 6.4, sections 6.5.2.2 and
       6.5.2.3.

    Examples
    --------
    >>> import evidextract as ev
    >>> ev.meta.sd_from_se(0.5, 25)
    2.5
    >>> ev.meta.sd_from_se([0.5, 1.3691], [25, 25], n2=[25, 22]).round(3)
    array([1.768, 4.683])
    """
    scalar = _is_scalar(se, n, n2)
    x, index, _ = _arrays(se=se, n=n, n2=n2)
    _check_n(x["n"])
    with np.errstate(invalid="ignore"):
        _refuse(x["se"] < 0, "se must not be negative")
    if "n2" in x:
        _check_n(x["n2"], "n2")
        result = x["se"] / np.sqrt(1 / x["n"] + 1 / x["n2"])
    else:
        result = x["se"] * np.sqrt(x["n"])
    return _shape_like(result, index, scalar)


def se_from_ci(ci_low, ci_high, *, level=0.95, scale="identity", df=None):
    """Return the standard error implied by a symmetric confidence interval.

    Parameters
    ----------
    ci_low, ci_high : float or array-like
        The confidence limits.
    level : float, default 0.95
        The confidence level (``95`` is read as 0.95).
    scale : {"identity", "log"}, default "identity"
        ``"log"`` for a ratio (OR, RR, HR): the SE is that of its logarithm.
    df : float or array-like, optional
        Degrees of freedom when the interval came from a t distribution
        (``n - 1`` for a mean, ``n1 + n2 - 2`` for a difference); NaN rows and
        the default use the normal distribution.

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        ``SE = (ci_high - ci_low) / (2 q)`` where ``q`` is the normal (1.96 at
        95%) or t quantile (Cochrane Handbook 6.5.2.2-6.5.2.3; Altman and
        Bland, 2011).

    References
    ----------
    .. [1] Cochrane Handbook for Systematic Reviews of Interventions, version
       6.4, section 6.5.2.3.
    .. [2] Altman DG, Bland JM (2011). How to obtain the P value from a
       confidence interval. BMJ 343:d2304.

    Examples
    --------
    >>> import evidextract as ev
    >>> round(ev.meta.se_from_ci(-5.29, -2.00), 4)
    0.8393
    >>> round(ev.meta.se_from_ci(0.70, 0.94, scale="log"), 4)
    0.0752
    """
    scalar = _is_scalar(ci_low, ci_high, df)
    x, index, _ = _arrays(ci_low=ci_low, ci_high=ci_high, df=df)
    lo, hi = x["ci_low"], x["ci_high"]
    if scale == "log":
        with np.errstate(invalid="ignore"):
            _refuse((lo <= 0) | (hi <= 0), "confidence limits must be positive with scale='log'")
        lo, hi = np.log(lo), np.log(hi)
    elif scale != "identity":
        raise ValueError(f"scale={scale!r}; valid: 'identity', 'log'")
    with np.errstate(invalid="ignore"):
        _refuse(lo > hi, "ci_low is above ci_high")
    q = _critical_value(level, x.get("df"))
    return _shape_like((hi - lo) / (2 * q), index, scalar)


def sd_from_ci(ci_low, ci_high, n, *, n2=None, level=0.95, dist="auto"):
    """Return the standard deviation behind a confidence interval of a mean or a mean difference.

    Parameters
    ----------
    ci_low, ci_high : float or array-like
        The confidence limits of a group mean (or, with `n2`, of a difference
        between two independent means).
    n : float or array-like
        The group's sample size (the first group's, with `n2`).
    n2 : float or array-like, optional
        The second group's sample size.
    level : float, default 0.95
        The confidence level.
    dist : {"auto", "t", "normal"}, default "auto"
        The distribution the authors used: ``"t"`` with ``n - 1`` (or
        ``n + n2 - 2``) degrees of freedom, ``"normal"``, or ``"auto"``: t
        below 60 participants a group, normal from 60, following the
        Handbook's advice.

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        ``SD = sqrt(n) (ci_high - ci_low) / (2 q)``; with `n2`,
        ``SD = (ci_high - ci_low) / (2 q) / sqrt(1/n + 1/n2)``
        (Cochrane Handbook 6.5.2.2 and 6.5.2.3).

    Notes
    -----
    The Handbook's worked number: for a sample of 25 the 95% t quantile is
    2.0639, so the divisor 3.92 becomes 4.128.

    References
    ----------
    .. [1] Cochrane Handbook for Systematic Reviews of Interventions, version
       6.4, sections 6.5.2.2 and 6.5.2.3.

    Examples
    --------
    >>> import evidextract as ev
    >>> round(ev.meta.sd_from_ci(30.0, 34.2, 25), 3)
    5.087
    >>> round(ev.meta.sd_from_ci(30.0, 34.2, 25, dist="normal"), 3)
    5.357
    """
    if dist not in ("auto", "t", "normal"):
        raise ValueError(f"dist={dist!r}; valid: 'auto', 't', 'normal'")
    scalar = _is_scalar(ci_low, ci_high, n, n2)
    x, index, k = _arrays(ci_low=ci_low, ci_high=ci_high, n=n, n2=n2)
    _check_n(x["n"])
    if "n2" in x:
        _check_n(x["n2"], "n2")
        df = x["n"] + x["n2"] - 2
        smallest = np.minimum(x["n"], x["n2"])
    else:
        df = x["n"] - 1
        smallest = x["n"]
    if dist == "normal":
        df = np.full(k, np.nan)
    elif dist == "auto":
        df = np.where(smallest < 60, df, np.nan)
    with np.errstate(invalid="ignore"):
        _refuse(df <= 0, "too few participants for a t interval (df <= 0)")
    se = se_from_ci(x["ci_low"], x["ci_high"], level=level, df=df)
    if "n2" in x:
        sd = se / np.sqrt(1 / x["n"] + 1 / x["n2"])
    else:
        sd = se * np.sqrt(x["n"])
    return _shape_like(sd, index, scalar)


def se_from_p(estimate, p, *, scale="identity", df=None):
    """Return the standard error implied by an estimate and its two-sided p-value.

    Parameters
    ----------
    estimate : float or array-like
        The estimate (a difference, or a ratio with ``scale="log"``).
    p : float or array-like
        Its two-sided p-value, in (0, 1]. Enter a reported ``p < 0.001`` as
        0.001: the SE is then conservative (too large, never too small).
    scale : {"identity", "log"}, default "identity"
        ``"log"`` for ratios: the SE is that of the log ratio.
    df : float or array-like, optional
        Degrees of freedom of a t test (``n1 + n2 - 2``); the normal
        distribution otherwise.

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        ``SE = |estimate| / q(1 - p/2)`` (Altman and Bland, 2011; Cochrane
        Handbook 6.5.2.3). A zero estimate or ``p = 1`` gives NaN: no SE
        follows from them.

    References
    ----------
    .. [1] Altman DG, Bland JM (2011). How to obtain the confidence interval
       from a P value. BMJ 343:d2090.
    .. [2] Cochrane Handbook for Systematic Reviews of Interventions, version
       6.4, section 6.5.2.3.

    Examples
    --------
    >>> import evidextract as ev
    >>> round(ev.meta.se_from_p(17.0, 0.032), 3)
    7.928
    >>> round(ev.meta.se_from_p(3.8, 0.008, df=45), 3)
    1.369
    """
    scalar = _is_scalar(estimate, p, df)
    x, index, _ = _arrays(estimate=estimate, p=p, df=df)
    est, pv = x["estimate"], x["p"]
    with np.errstate(invalid="ignore"):
        _refuse((pv <= 0) | (pv > 1), "p must be in (0, 1] (enter 'p < 0.001' as 0.001)")
        if scale == "log":
            _refuse(est <= 0, "estimate must be positive with scale='log'")
            est = np.log(est)
        elif scale != "identity":
            raise ValueError(f"scale={scale!r}; valid: 'identity', 'log'")
    df_ = x.get("df")
    q = stats.norm.isf(pv / 2)
    if df_ is not None:
        q = np.where(np.isnan(df_), q, stats.t.isf(pv / 2, np.where(df_ > 0, df_, 1)))
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.abs(est) / q
    se = np.where((est == 0) | (pv == 1), np.nan, se)
    return _shape_like(se, index, scalar)


def combine_groups(n1, mean1, sd1, n2, mean2, sd2):
    """Combine two groups (arms) into one: sample size, mean and SD.

    Parameters
    ----------
    n1, mean1, sd1 : float or array-like
        Size, mean and SD of the first group.
    n2, mean2, sd2 : float or array-like
        Size, mean and SD of the second group.

    Returns
    -------
    pandas.DataFrame
        Columns ``n``, ``mean``, ``sd`` of the combined group, one row per input
        row (the index of the first Series given, else a RangeIndex).

    Notes
    -----
    Cochrane Handbook Table 6.5.a: ``N = N1 + N2``,
    ``M = (N1 M1 + N2 M2) / N`` and
    ``SD = sqrt(((N1 - 1) SD1^2 + (N2 - 1) SD2^2
    + N1 N2 / N (M1^2 + M2^2 - 2 M1 M2)) / (N - 1))``.
    This is exact: it gives the sample SD of the pooled observations. To
    combine more than two groups, apply it repeatedly.

    References
    ----------
    .. [1] Cochrane Handbook for Systematic Reviews of Interventions, version
       6.4, Table 6.5.a.

    Examples
    --------
    >>> import evidextract as ev
    >>> ev.meta.combine_groups(10, 5.0, 1.0, 20, 6.0, 2.0).round(4)
          n    mean      sd
    0  30.0  5.6667  1.7779
    """
    x, index, _ = _arrays(n1=n1, mean1=mean1, sd1=sd1, n2=n2, mean2=mean2, sd2=sd2)
    _check_n(x["n1"], "n1")
    _check_n(x["n2"], "n2")
    with np.errstate(invalid="ignore"):
        _refuse((x["sd1"] < 0) | (x["sd2"] < 0), "standard deviations must not be negative")
    na, nb = x["n1"], x["n2"]
    ma, mb, sa, sb = x["mean1"], x["mean2"], x["sd1"], x["sd2"]
    n = na + nb
    mean = (na * ma + nb * mb) / n
    between = na * nb / n * (ma**2 + mb**2 - 2 * ma * mb)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = ((na - 1) * sa**2 + (nb - 1) * sb**2 + between) / (n - 1)
    return pd.DataFrame({"n": n, "mean": mean, "sd": np.sqrt(var)}, index=index)
