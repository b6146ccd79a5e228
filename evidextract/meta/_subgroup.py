"""Subgroup analysis: one model per subgroup and the test for subgroup differences."""

import math
import warnings

import numpy as np
import pandas as pd
from scipy import special

#: Columns of :meth:`SubgroupAnalysis.to_frame`.
SUBGROUP_COLUMNS = [
    "subgroup",
    "k",
    "estimate",
    "se",
    "zval",
    "pval",
    "ci_low",
    "ci_high",
    "tau2",
    "i2",
    "q",
    "q_pval",
    "level",
]


class SubgroupAnalysis:
    """Per-subgroup fits and the test for subgroup differences.

    Attributes
    ----------
    fits : dict
        Subgroup value -> :class:`MetaAnalysis` (same method, test and level as the overall).
    q_between, df_between, p_between : float
        Test for subgroup differences: Q of a fixed-effect model of the subgroup estimates
        with their standard errors, on (groups - 1) df (metafor's documented recipe).
    column : str
        The grouping column.
    """

    def __init__(self, column, fits, q_between, df_between, p_between, level):
        self.column = column
        self.fits = fits
        self.q_between = q_between
        self.df_between = df_between
        self.p_between = p_between
        self.level = level

    def to_frame(self):
        """One row per subgroup, columns :data:`SUBGROUP_COLUMNS`.

        Returns
        -------
        pandas.DataFrame
        """
        rows = []
        for name, fit in self.fits.items():
            rows.append(
                [
                    name,
                    fit.k,
                    fit.estimate,
                    fit.se,
                    fit.zval,
                    fit.pval,
                    fit.ci_low,
                    fit.ci_high,
                    fit.tau2,
                    fit.i2,
                    fit.q,
                    fit.q_pval,
                    fit.level,
                ]
            )
        return pd.DataFrame(rows, columns=SUBGROUP_COLUMNS)

    def __str__(self):
        lines = [f"Subgroups by {self.column}:"]
        for name, fit in self.fits.items():
            lines.append(
                f"  {name} (k = {fit.k}): {fit.estimate:.4f} "
                f"[{fit.ci_low:.4f}, {fit.ci_high:.4f}], tau^2 = {fit.tau2:.4f}"
            )
        lines.append(
            f"Test for Subgroup Differences: Q(df = {self.df_between}) = "
            f"{self.q_between:.4f}, p-val = {self.p_between:.4f}"
        )
        return "\n".join(lines)

    def __repr__(self):
        return str(self)


def fit_subgroups(fit, column):
    """Fit each subgroup of ``fit``'s studies and test for differences between them.

    Parameters
    ----------
    fit : MetaAnalysis
        The overall model (its data must hold ``column``).
    column : str
        Grouping column of the fitted data.

    Returns
    -------
    SubgroupAnalysis

    Raises
    ------
    ValueError
        ``column`` is not in the data or has missing values.

    Notes
    -----
    Groups are sorted. A subgroup of one study is fitted as metafor does for k = 1 (tau² = 0,
    with its warning silenced here). The between-groups Q is the fixed-effect Q of the
    subgroup estimates weighted by their inverse squared standard errors; under
    ``test="knha"`` those standard errors are the Knapp-Hartung ones.
    """
    from evidextract.meta._methods import _refit
    from evidextract.meta._results import MetaAnalysis

    data = fit.data
    if column not in data.columns:
        raise ValueError(f"subgroup={column!r} is not a column of data")
    groups = data[column]
    if groups.isna().any():
        raise ValueError(f"subgroup column {column!r} has missing values")
    est = fit.estimator
    labels = np.asarray(fit.slab, dtype=object)
    fits = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in sorted(groups.unique()):
            mask = (groups == name).to_numpy()
            sub = _refit(
                est.yi_[mask],
                est.vi_[mask],
                None,
                None,
                fit.method,
                fit.test,
                fit.level,
                est.control,
            )
            fits[name] = MetaAnalysis(
                sub,
                data=data.loc[mask],
                keep=np.ones(int(mask.sum()), bool),
                labels=list(labels[mask]),
                measure=fit.measure,
            )
    b = np.array([f.estimate for f in fits.values()])
    s = np.array([f.se for f in fits.values()])
    w = 1.0 / s**2
    mu = (w @ b) / w.sum()
    q = float(w @ (b - mu) ** 2)
    df = len(fits) - 1
    p = float(special.chdtrc(df, q)) if df > 0 else math.nan
    return SubgroupAnalysis(column, fits, q, df, p, fit.level)
