"""The fitted meta-analysis: attributes, predictions, per-study table and printouts."""

import math
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import special

from evidextract.meta._transforms import resolve_transf

#: Columns of :meth:`MetaAnalysis.predict` (fixed, whatever the arguments).
PREDICT_COLUMNS = ["pred", "se", "ci_low", "ci_high", "pi_low", "pi_high"]
#: Columns of :meth:`MetaAnalysis.to_frame`.
FRAME_COLUMNS = ["label", "yi", "vi", "se", "ci_low", "ci_high", "weight", "level", "is_pooled"]
#: Columns of :attr:`MetaAnalysis.coefs`.
COEF_COLUMNS = ["term", "estimate", "se", "zval", "pval", "ci_low", "ci_high"]


class MetaAnalysis:
    """A fitted meta-analysis (what :func:`evidextract.rma` returns).

    Numbers are computed from the estimator on first access, so fitting stays cheap.
    For meta-regressions ``estimate``, ``se``, ``zval``, ``pval``, ``ci_low`` and ``ci_high``
    are arrays (one value per coefficient, see :attr:`coefs`); for the usual intercept-only
    model they are floats.

    Attributes
    ----------
    estimate, se, zval, pval, ci_low, ci_high : float or numpy.ndarray
        Pooled estimate (coefficients), standard error, test statistic (z, or t under
        Knapp-Hartung), p-value and confidence interval.
    tau2, se_tau2 : float
        Between-study variance and its standard error (``nan`` for fixed models).
    i2 : float
        I² as a FRACTION (metafor prints it in percent).
    h2, q, q_pval : float
        H², Cochran's Q (QE with moderators) and its p-value.
    k : int
        Number of studies fitted.
    method, test, level, measure
        As fitted.
    data : pandas.DataFrame
        The studies fitted (rows of the input kept), with ``yi`` and ``vi``.
    slab : list of str
        Study labels of the fitted studies.
    excluded : pandas.DataFrame
        Studies left out (missing values) with the reason: no record is lost.
    subgroups : SubgroupAnalysis or None
        Set when ``rma(..., subgroup=...)``.
    """

    def __init__(
        self,
        estimator,
        *,
        data=None,
        keep=None,
        labels=None,
        measure=None,
        mods=None,
        yi_input=None,
        vi_input=None,
    ):
        self._est = estimator
        self._data_in = data
        self._keep = keep
        self._labels_all = labels
        self.measure = measure
        self.mods = mods
        self._yi_input = yi_input
        self._vi_input = vi_input
        self.subgroups = None
        self.filled = None  # set by trimfill: which studies were imputed

    # ---------------------------------------------------------------- basic attributes
    def _scalar(self, values):
        return float(values[0]) if self._est.p_ == 1 else np.asarray(values)

    @property
    def estimator(self):
        """The fitted estimator object (:class:`RandomEffects` or :class:`FixedEffect`)."""
        return self._est

    @property
    def method(self):
        """tau² estimator code (``EE`` for the fixed model)."""
        return self._est.method

    @property
    def test(self):
        """``z`` or ``knha``."""
        return self._est.test_

    @property
    def level(self):
        """Confidence level (a fraction)."""
        return self._est.level_

    @property
    def k(self):
        """Number of studies fitted."""
        return self._est.k_

    @property
    def p(self):
        """Number of coefficients."""
        return self._est.p_

    @property
    def estimate(self):
        """Pooled estimate (array of coefficients for a meta-regression)."""
        return self._scalar(self._est.coef_)

    @property
    def se(self):
        """Standard error(s) of the estimate."""
        return self._scalar(self._est.se_)

    @property
    def zval(self):
        """Test statistic(s): z, or t under Knapp-Hartung."""
        return self._scalar(self._est.coef_ / self._est.se_)

    @property
    def pval(self):
        """Two-sided p-value(s)."""
        return self._scalar(self._est.pvalues_())

    @property
    def ci_low(self):
        """Lower confidence bound(s)."""
        return self._scalar(self._est.coef_ - self._est.crit_() * self._est.se_)

    @property
    def ci_high(self):
        """Upper confidence bound(s)."""
        return self._scalar(self._est.coef_ + self._est.crit_() * self._est.se_)

    @property
    def tau2(self):
        """Between-study variance (0 for the fixed model)."""
        return float(self._est.tau2_)

    @property
    def tau(self):
        """Square root of tau²."""
        return math.sqrt(self.tau2)

    @property
    def se_tau2(self):
        """Standard error of tau² (``nan`` for the fixed model and k = 1)."""
        return float(self._est.se_tau2_)

    @property
    def i2(self):
        """I², a fraction in [0, 1]."""
        return float(self._est.i2_)

    @property
    def h2(self):
        """H²."""
        return float(self._est.h2_)

    @property
    def q(self):
        """Cochran's Q (the residual QE for meta-regressions)."""
        return float(self._est.q_)

    @property
    def q_df(self):
        """Degrees of freedom of Q, k - p."""
        return int(self._est.q_df_)

    @property
    def q_pval(self):
        """p-value of the Q test (1 when k = p)."""
        if self.q_df <= 0:
            return 1.0
        return float(special.chdtrc(self.q_df, self.q))

    @property
    def ddf(self):
        """Degrees of freedom of the t tests under Knapp-Hartung (``nan`` for z tests)."""
        return self._est.ddf_

    @property
    def term_names(self):
        """Names of the coefficients (``intrcpt`` first)."""
        return list(self._est.term_names_)

    # ------------------------------------------------------------------ moderators
    def _btt(self):
        names = self.term_names
        if self.p > 1 and names[0] == "intrcpt":
            return list(range(1, self.p))
        return list(range(self.p))

    @property
    def qm(self):
        """Omnibus test of the moderators (chi² under z; F under Knapp-Hartung)."""
        btt = self._btt()
        b = self._est.coef_[btt]
        vb = self._est.vcov_[np.ix_(btt, btt)]
        try:
            value = float(b @ np.linalg.solve(vb, b))
        except np.linalg.LinAlgError:
            return math.nan
        return value / len(btt) if self.test == "knha" else value

    @property
    def qm_df(self):
        """Degrees of freedom of QM: ``(m, nan)`` under z, ``(m, k - p)`` under knha."""
        m = len(self._btt())
        return (m, self.k - self.p) if self.test == "knha" else (m, math.nan)

    @property
    def qm_pval(self):
        """p-value of the moderator test."""
        df1, df2 = self.qm_df
        if self.test == "knha":
            return float(special.fdtrc(df1, df2, self.qm)) if df2 > 0 else math.nan
        return float(special.chdtrc(df1, self.qm))

    @cached_property
    def r2(self):
        """Share of heterogeneity the moderators account for (a fraction; metafor's R²).

        ``nan`` for intercept-only models. Random effects: ``(tau2_RE - tau2) / tau2_RE``
        with tau2_RE from the intercept-only fit with the same method, truncated at 0;
        fixed model: adjusted R² of the weighted least-squares fit, as metafor.
        """
        from evidextract.meta._rma import make_estimator

        est = self._est
        if est.intercept_only_ or self.term_names[0] != "intrcpt":
            return math.nan
        yi, vi, X = est.yi_, est.vi_, est.X_
        if self.method == "EE":
            if np.var(yi) == 0:
                return 0.0
            w = 1.0 / vi
            beta = np.linalg.solve(X.T @ (w[:, None] * X), X.T @ (w * yi))
            rss = float(w @ (yi - X @ beta) ** 2)
            ybar = (w @ yi) / w.sum()
            tss = float(w @ (yi - ybar) ** 2)
            r2 = 1.0 - rss / tss
            adj = 1.0 - (1.0 - r2) * (self.k - 1) / (self.k - self.p)
            return max(0.0, adj)
        import warnings

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                reduced = make_estimator(self.method, self.test, self.level, est.control)
                reduced.fit(yi, vi)
        except (ValueError, RuntimeError):
            return math.nan
        if reduced.tau2_ == 0:
            return 0.0
        return max(0.0, (reduced.tau2_ - self.tau2) / reduced.tau2_)

    @property
    def coefs(self):
        """Coefficient table: ``term, estimate, se, zval, pval, ci_low, ci_high``."""
        est = self._est
        crit = est.crit_()
        return pd.DataFrame(
            {
                "term": self.term_names,
                "estimate": est.coef_,
                "se": est.se_,
                "zval": est.coef_ / est.se_,
                "pval": est.pvalues_(),
                "ci_low": est.coef_ - crit * est.se_,
                "ci_high": est.coef_ + crit * est.se_,
            },
            columns=COEF_COLUMNS,
        )

    # ---------------------------------------------------------------- data and labels
    @property
    def slab(self):
        """Labels of the studies fitted."""
        keep = self._keep
        if keep is None:
            return [f"Study {i + 1}" for i in range(self.k)]
        return [lab for lab, kept in zip(self._labels_all, keep, strict=True) if kept]

    @cached_property
    def data(self):
        """The studies fitted, one row each, with ``yi`` and ``vi`` (input order)."""
        keep = self._keep if self._keep is not None else np.ones(self.k, dtype=bool)
        if isinstance(self._data_in, pd.DataFrame):
            frame = self._data_in.loc[keep].copy()
        else:
            frame = pd.DataFrame(index=pd.RangeIndex(int(keep.sum())))
        frame["yi"] = self._est.yi_
        frame["vi"] = self._est.vi_
        return frame

    @property
    def excluded(self):
        """Studies not fitted (missing values), with ``label`` and ``reason``."""
        if self._keep is None or self._keep.all():
            return pd.DataFrame(
                {"label": pd.Series(dtype=object), "reason": pd.Series(dtype=object)}
            )
        idx = np.flatnonzero(~self._keep)
        return pd.DataFrame(
            {
                "label": [self._labels_all[i] for i in idx],
                "reason": "missing yi, vi or moderator value",
            }
        )

    @property
    def weights(self):
        """Study weights in percent (``100 w_i / sum(w)``, ``w_i = 1/(vi + tau2)``)."""
        w = 1.0 / (self._est.vi_ + self.tau2)
        return 100.0 * w / w.sum()

    # -------------------------------------------------------------------- predictions
    def _ni(self):
        # sample sizes for the PFT back-transformation: an ni column, or escalc's attrs["ni"]
        data = self._data_in
        if not isinstance(data, pd.DataFrame):
            return None
        keep = self._keep if self._keep is not None else slice(None)
        if "ni" in data.columns:
            return data["ni"].to_numpy(dtype=float)[keep]
        if data.attrs.get("ni") is not None and len(data.attrs["ni"]) == len(data):
            return np.asarray(data.attrs["ni"], dtype=float)[keep]
        return None

    def predict(self, transf=None, newmods=None, level=None):
        """Pooled (or fitted) values with confidence and prediction intervals.

        Parameters
        ----------
        transf : None, True, "auto", str or callable, optional
            Back-transformation (``"exp"``, ``np.exp``, ``True`` for the measure's own: exp
            for OR/RR/ROM, inverse logit for PLO, tanh for ZCOR, sin² for PAS, inverse
            Freeman-Tukey for PFT). The ``se`` column is ``nan`` once transformed (as metafor).
        newmods : array-like, optional
            Moderator values (without the intercept) to predict at; default for a
            meta-regression: the fitted value of every study.
        level : float, optional
            Interval level (default: the model's).

        Returns
        -------
        pandas.DataFrame
            ``pred, se, ci_low, ci_high, pi_low, pi_high`` (one row for an intercept-only
            model). For the fixed model the prediction interval equals the confidence
            interval (tau² = 0; metafor omits it).

        Notes
        -----
        As metafor's ``predict.rma``: ``pi = pred -/+ crit * sqrt(se^2 + tau2)`` with the
        normal quantile under ``test="z"`` and the t quantile on k - p df under ``knha``.

        Examples
        --------
        >>> import numpy as np
        >>> from evidextract import rma
        >>> fit = rma(np.array([0.1, 0.5, 0.2]), np.array([0.01, 0.02, 0.015]), method="DL")
        >>> fit.predict().round(3)
            pred     se  ci_low  ci_high  pi_low  pi_high
        0  0.25  0.114   0.027    0.474  -0.129    0.629
        """
        est = self._est
        if newmods is None:
            X = np.ones((1, 1)) if est.intercept_only_ else est.X_
        else:
            new = np.asarray(newmods, dtype=float)
            new = new.reshape(-1, est.p_ - 1) if est.p_ > 1 else new.reshape(-1, 0)
            X = np.column_stack([np.ones(new.shape[0]), new])
        pred = X @ est.coef_
        vpred = np.einsum("ij,jk,ik->i", X, est.vcov_, X)
        if level is None or _same_level(level, self.level):
            crit = est.crit_()
        else:
            from evidextract.meta._rma import _level

            alpha = 1.0 - _level(level)
            crit = (
                float(special.stdtrit(est.ddf_, 1.0 - alpha / 2))
                if self.test == "knha"
                else float(special.ndtri(1.0 - alpha / 2))
            )
        se = np.sqrt(np.where(vpred < 0, np.nan, vpred))
        ci_low, ci_high = pred - crit * se, pred + crit * se
        half = crit * np.sqrt(vpred + self.tau2)
        pi_low, pi_high = pred - half, pred + half
        fun = resolve_transf(transf, self.measure, self._ni())
        if fun is not None:
            pred, ci_low, ci_high, pi_low, pi_high = (
                np.asarray(fun(v), dtype=float) for v in (pred, ci_low, ci_high, pi_low, pi_high)
            )
            se = np.full_like(pred, np.nan)
            ci_low, ci_high = np.minimum(ci_low, ci_high), np.maximum(ci_low, ci_high)
            pi_low, pi_high = np.minimum(pi_low, pi_high), np.maximum(pi_low, pi_high)
        return pd.DataFrame(
            {
                "pred": pred,
                "se": se,
                "ci_low": ci_low,
                "ci_high": ci_high,
                "pi_low": pi_low,
                "pi_high": pi_high,
            },
            columns=PREDICT_COLUMNS,
        )

    # ------------------------------------------------------------------ other methods
    def confint(self, level=None):
        """Q-profile confidence intervals for tau², tau, I² and H² (metafor's ``confint``).

        Parameters
        ----------
        level : float, optional
            Interval level (default: the model's).

        Returns
        -------
        pandas.DataFrame
            Index ``tau2, tau, i2, h2``; columns ``estimate, ci_low, ci_high`` (I² as a
            fraction).

        See Also
        --------
        evidextract.meta._methods.confint_tau2
        """
        from evidextract.meta._methods import confint_tau2

        return confint_tau2(self, level=level)

    def regtest(self):
        """Egger's regression test for funnel-plot asymmetry (metafor's ``regtest``).

        Returns
        -------
        RegTestResult
            ``zval, pval, ddf, est, ci_low, ci_high`` (the limit estimate as sei -> 0).
        """
        from evidextract.meta._methods import regtest

        return regtest(self)

    def trimfill(self, side=None):
        """Duval and Tweedie's trim and fill with the L0 estimator (metafor's ``trimfill``).

        Parameters
        ----------
        side : {"left", "right"}, optional
            Side where studies are missing; by default found as metafor does.

        Returns
        -------
        MetaAnalysis
            The model on the filled data; ``filled`` flags the imputed studies, ``k0`` and
            ``side`` say how many and where.
        """
        from evidextract.meta._methods import trimfill

        return trimfill(self, side=side)

    def leave1out(self):
        """Refit leaving out each study in turn (metafor's ``leave1out``).

        Returns
        -------
        pandas.DataFrame
            One row per left-out study: ``label, estimate, se, zval, pval, ci_low, ci_high,
            q, q_pval, tau2, i2, h2``.
        """
        from evidextract.meta._methods import leave1out

        return leave1out(self)

    def to_frame(self):
        """Per-study rows plus the pooled row, for tables and forest plots.

        Returns
        -------
        pandas.DataFrame
            ``label, yi, vi, se, ci_low, ci_high, weight, level, is_pooled``; ``weight`` in
            percent. The last row (``is_pooled``) holds the pooled estimate with its CI
            (``vi`` and ``se`` of the estimate, weight 100). For a meta-regression the
            pooled row is the intercept.

        Examples
        --------
        >>> import numpy as np
        >>> from evidextract import rma
        >>> fit = rma(np.array([0.1, 0.5]), np.array([0.01, 0.02]), method="EE")
        >>> fit.to_frame()[["label", "yi", "weight"]].round(2)
             label    yi  weight
        0  Study 1  0.10   66.67
        1  Study 2  0.50   33.33
        2   Pooled  0.23  100.00
        """
        est = self._est
        crit_study = float(special.ndtri(1.0 - (1.0 - self.level) / 2))
        sei = np.sqrt(est.vi_)
        studies = pd.DataFrame(
            {
                "label": self.slab,
                "yi": est.yi_,
                "vi": est.vi_,
                "se": sei,
                "ci_low": est.yi_ - crit_study * sei,
                "ci_high": est.yi_ + crit_study * sei,
                "weight": self.weights,
                "level": self.level,
                "is_pooled": False,
            }
        )
        b, s = float(est.coef_[0]), float(est.se_[0])
        crit = est.crit_()
        pooled = pd.DataFrame(
            {
                "label": ["Pooled"],
                "yi": [b],
                "vi": [s * s],
                "se": [s],
                "ci_low": [b - crit * s],
                "ci_high": [b + crit * s],
                "weight": [100.0],
                "level": [self.level],
                "is_pooled": [True],
            }
        )
        return pd.concat([studies, pooled], ignore_index=True)[FRAME_COLUMNS]

    def summary(self):
        """Summarise the fit as metafor's ``print.rma.uni`` lays it out.

        Returns
        -------
        Summary
            Has ``__str__`` (plain text) and ``_repr_html_`` (notebooks).
        """
        from evidextract.meta._summary import Summary

        return Summary(self)

    def __repr__(self):
        return str(self.summary())

    def _repr_html_(self):
        return self.summary()._repr_html_()

    def forest(self, **kwargs):
        """Draw a forest plot with :func:`evidextract.plot.forest` (keyword arguments passed on)."""
        from evidextract.plot import forest

        return forest(self, **kwargs)

    def funnel(self, **kwargs):
        """Draw a funnel plot with :func:`evidextract.plot.funnel`."""
        from evidextract.plot import funnel

        return funnel(self, **kwargs)


def _same_level(a, b):
    a = a / 100.0 if a > 1 else a
    return abs(a - b) < 1e-12
