"""Re-pooling a pre-post study table over a grid of baseline/follow-up correlations."""

from __future__ import annotations

import pandas as pd

#: The correlations :func:`sensitivity` tries by default.
DEFAULT_RI = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)

SENSITIVITY_COLUMNS = ["ri", "k", "estimate", "se", "ci_low", "ci_high", "pval", "tau2", "i2"]

_PRE_POST_ARGUMENTS = ("m1i", "sd1i", "m2i", "sd2i", "ni", "ri")
#: metafor measures for one group measured twice.
PRE_POST_MEASURES = ("SMCC", "MC", "SMCR")


def effect_sizes(table: pd.DataFrame, measure: str = "SMCC") -> pd.DataFrame:
    """``escalc`` on a pre-post study table: the studies that have every input, with ``yi``, ``vi``.

    Parameters
    ----------
    table : pandas.DataFrame
        A :func:`evidextract.pre_post` table (``m1i`` follow-up, ``m2i`` baseline).
    measure : {"SMCC", "MC", "SMCR"}, default "SMCC"
        metafor's pre-post measures: standardized by the SD of the change, raw change, or
        standardized by the baseline SD.

    Returns
    -------
    pandas.DataFrame
        :func:`evidextract.escalc`'s output (``yi``, ``vi``, ``sei`` appended) for the rows
        with every input; the index labels of the others (missing n or SD) are in
        ``attrs["dropped"]``.

    Notes
    -----
    ``yi`` is follow-up minus baseline, so a fall in pain is negative. For ``"SMCR"``
    the baseline SD is passed as ``sd1i``, as metafor's own example does
    (``escalc("SMCR", m1i=m_post, m2i=m_pre, sd1i=sd_pre, ...)``, ``dat.morris2008``).

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"study": ["Cazzato 2022", "Sun 2014"], "m1i": [2.5, 3.41],
    ...     "sd1i": [2.6, 2.1], "m2i": [6.8, 8.19], "sd2i": [2.2, 1.1], "ni": [64, None],
    ...     "ri": [0.5, 0.5]})
    >>> sizes = effect_sizes(table, "SMCC")
    >>> sizes[["study", "yi", "vi"]].round(4), sizes.attrs["dropped"]
    (          study      yi      vi
    0  Cazzato 2022 -1.7521  0.0396, [1])
    """
    from evidextract.meta import escalc

    measure = measure.upper()
    if measure not in PRE_POST_MEASURES:
        raise ValueError(f"measure {measure!r} is not a pre-post measure; valid: "
                         f"{', '.join(PRE_POST_MEASURES)}")
    needed = list(_PRE_POST_ARGUMENTS)
    if measure == "SMCR":
        needed.remove("sd1i")
    complete = table[needed].notna().all(axis=1)
    usable = table[complete]
    sd1i = "sd2i" if measure == "SMCR" else "sd1i"
    sizes = escalc(measure, data=usable, m1i="m1i", sd1i=sd1i, m2i="m2i", sd2i="sd2i",
                   ni="ni", ri="ri", slab="study")
    sizes.attrs["dropped"] = list(table.index[~complete])
    return sizes


def sensitivity(
    table: pd.DataFrame,
    measure: str = "SMCC",
    ri=DEFAULT_RI,
    method: str = "REML",
    **rma_options,
) -> pd.DataFrame:
    """Pool a pre-post study table again for each assumed correlation ``ri``.

    Abstracts rarely report the correlation between baseline and follow-up, so the pooled
    change rests on an assumption; this shows how much.

    Parameters
    ----------
    table : pandas.DataFrame
        A :func:`evidextract.pre_post` table.
    measure : str, default "SMCC"
        The pre-post measure passed to :func:`evidextract.escalc`.
    ri : sequence of float, default 0.2, 0.3, ..., 0.8
        The correlations to try; each replaces the table's ``ri`` for every study.
    method : str, default "REML"
        The tau² estimator passed to :func:`evidextract.rma`.
    **rma_options
        Further arguments of :func:`evidextract.rma`.

    Returns
    -------
    pandas.DataFrame
        One row per correlation: ``ri, k, estimate, se, ci_low, ci_high, pval, tau2, i2``.

    Notes
    -----
    Matches metafor's ``escalc(measure, ..., ri = r)`` followed by ``rma(yi, vi)`` for
    each ``r`` (checked against metafor 3.8 in ``tests/test_review.py``).

    Examples
    --------
    The two seed pain studies at one month (NRS and VAS, n = 64 and 51):

    >>> import pandas as pd
    >>> table = pd.DataFrame({"study": ["Cazzato 2022", "Sun 2014"], "m1i": [2.5, 3.41],
    ...     "sd1i": [2.6, 2.1], "m2i": [6.8, 8.19], "sd2i": [2.2, 1.1], "ni": [64, 51],
    ...     "ri": [0.5, 0.5]})
    >>> sensitivity(table, ri=[0.2, 0.5, 0.8])[["ri", "estimate", "ci_low", "ci_high"]].round(2)
        ri  estimate  ci_low  ci_high
    0  0.2     -1.76   -2.52    -1.00
    1  0.5     -2.14   -2.96    -1.33
    2  0.8     -3.01   -3.67    -2.35
    """
    from evidextract.meta import rma

    rows = []
    for r in ri:
        sizes = effect_sizes(table.assign(ri=float(r)), measure)
        fit = rma("yi", "vi", data=sizes, method=method, measure=measure, **rma_options)
        rows.append({"ri": float(r), "k": int(fit.k), "estimate": fit.estimate, "se": fit.se,
                     "ci_low": fit.ci_low, "ci_high": fit.ci_high, "pval": fit.pval,
                     "tau2": fit.tau2, "i2": fit.i2})
    return pd.DataFrame(rows, columns=SENSITIVITY_COLUMNS)
