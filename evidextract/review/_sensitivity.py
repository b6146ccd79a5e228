"""Re-pooling a pre-post study table over a grid of baseline/follow-up correlations."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The correlations :func:`sensitivity` tries by default.
DEFAULT_RI = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)

SENSITIVITY_COLUMNS = ["ri", "k", "estimate", "se", "ci_low", "ci_high", "pval", "tau2", "i2"]

_PRE_POST_ARGUMENTS = ("m1i", "sd1i", "m2i", "sd2i", "ni", "ri")


def effect_sizes(table: pd.DataFrame, measure: str = "SMCC") -> pd.DataFrame:
    """``escalc`` on a pre-post study table: the table with ``yi`` and ``vi`` appended.

    Parameters
    ----------
    table : pandas.DataFrame
        A :func:`evidextract.pre_post` table.
    measure : str, default "SMCC"
        A metafor pre-post measure: ``"MC"``, ``"SMCC"``, ``"SMCR"`` or ``"SMCRH"``.

    Returns
    -------
    pandas.DataFrame
        The rows that have every input (missing n or SD leaves a row out: they are listed
        in ``attrs["dropped"]``), with ``yi`` and ``vi``.
    """
    from evidextract.meta import escalc

    complete = table[list(_PRE_POST_ARGUMENTS)].notna().all(axis=1)
    usable = table[complete]
    arguments = {name: usable[name].to_numpy(dtype=float) for name in _PRE_POST_ARGUMENTS}
    arguments["ni"] = arguments["ni"].astype(int)
    sizes = escalc(measure, **arguments)
    out = usable.copy()
    out["yi"] = np.asarray(sizes["yi"], dtype=float)
    out["vi"] = np.asarray(sizes["vi"], dtype=float)
    out.attrs["dropped"] = list(table.index[~complete])
    return out


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
    each ``r``.
    """
    from evidextract.meta import rma

    rows = []
    for r in ri:
        sizes = effect_sizes(table.assign(ri=float(r)), measure)
        fit = rma(sizes["yi"].to_numpy(), sizes["vi"].to_numpy(), method=method, **rma_options)
        rows.append({"ri": float(r), "k": int(fit.k), "estimate": fit.estimate, "se": fit.se,
                     "ci_low": fit.ci_low, "ci_high": fit.ci_high, "pval": fit.pval,
                     "tau2": fit.tau2, "i2": fit.i2})
    return pd.DataFrame(rows, columns=SENSITIVITY_COLUMNS)
