"""metafor's ``escalc``: effect sizes and their sampling variances, added to a DataFrame."""

import warnings

import numpy as np
import pandas as pd

from evidextract.meta import _measures

# measure -> (family, required arguments); alternatives are resolved in _resolve_family_inputs.
_FAMILIES = {
    **{m: "two_by_two" for m in ("OR", "RR", "RD", "PETO")},
    **{m: "two_group_means" for m in ("MD", "SMD", "ROM")},
    **{m: "mean_change" for m in ("MC", "SMCC", "SMCR")},
    **{m: "proportions" for m in ("PR", "PLN", "PLO", "PAS", "PFT")},
    **{m: "correlations" for m in ("COR", "ZCOR")},
    "AUC": "area_under_curve",
    "GEN": "generic",
}
MEASURES = tuple(_FAMILIES)

# The scale each measure is pooled on, named by the function that maps it back
# (metafor's transf.* names): rma and forest use it for back-transformation.
_BACK_TRANSFORM = {
    "OR": "exp",
    "RR": "exp",
    "PETO": "exp",
    "ROM": "exp",
    "PLN": "exp",
    "PLO": "ilogit",
    "PAS": "iarcsin",
    "PFT": "ipft.hm",
    "ZCOR": "ztor",
}

_ARGUMENTS = (
    "ai", "bi", "ci", "di", "n1i", "n2i", "m1i", "m2i", "sd1i", "sd2i",
    "xi", "mi", "ni", "ri", "yi", "vi", "sei", "ci_low", "ci_high", "pval", "auc",
)  # fmt: skip
_COUNTS = ("ai", "bi", "ci", "di", "xi", "mi")
_SIZES = ("n1i", "n2i", "ni")
_SDS = ("sd1i", "sd2i", "sei")


class EffectSizeWarning(UserWarning):
    """A study's effect size could not be computed and was set to NaN (metafor gives NA)."""


def escalc(
    measure,
    data=None,
    *,
    ai=None,
    bi=None,
    ci=None,
    di=None,
    n1i=None,
    n2i=None,
    m1i=None,
    m2i=None,
    sd1i=None,
    sd2i=None,
    xi=None,
    mi=None,
    ni=None,
    ri=None,
    yi=None,
    vi=None,
    sei=None,
    ci_low=None,
    ci_high=None,
    pval=None,
    auc=None,
    level=0.95,
    scale="identity",
    transform=None,
    add=None,
    to="only0",
    drop00=False,
    vtype="LS",
    slab=None,
):
    """Compute effect sizes ``yi`` and sampling variances ``vi`` as R's ``metafor::escalc``.

    Each study-level argument is the name of a column of `data`, an array of
    one value per study, or a scalar used for every study (for example an
    imputed ``ri=0.5``). Measure codes, argument names, defaults and formulas
    are metafor's, so ``escalc("SMD", df, m1i="m1", ...)`` gives the numbers
    ``escalc(measure="SMD", m1i=m1, ..., data=df)`` gives in R.

    Parameters
    ----------
    measure : str
        The outcome measure (case-insensitive):

        - 2x2 tables (``ai, bi, ci, di``, or ``ai, n1i, ci, n2i``): ``"OR"``
          log odds ratio, ``"RR"`` log risk ratio, ``"RD"`` risk difference,
          ``"PETO"`` Peto's log odds ratio.
        - two groups (``m1i, sd1i, n1i, m2i, sd2i, n2i``): ``"MD"`` mean
          difference, ``"SMD"`` standardized mean difference (Hedges' g with
          the exact gamma-function correction), ``"ROM"`` log ratio of means.
        - one group measured twice (``m1i, sd1i, m2i, sd2i, ni, ri``; group 1
          is the first occasion, so a fall gives ``yi > 0``): ``"MC"`` raw mean
          change, ``"SMCC"`` standardized by the SD of the change, ``"SMCR"``
          standardized by ``sd1i`` (``sd2i`` not needed).
        - single proportions (``xi`` events among ``ni``, or ``xi, mi``
          non-events): ``"PR"`` raw, ``"PLN"`` log, ``"PLO"`` logit, ``"PAS"``
          arcsine, ``"PFT"`` Freeman-Tukey double arcsine.
        - correlations (``ri, ni``): ``"COR"`` raw, ``"ZCOR"`` Fisher's z.
        - ``"AUC"``: an area under the ROC curve ``auc`` from ``n1i`` cases and
          ``n2i`` controls, with the Hanley-McNeil variance.
        - ``"GEN"``: a reported estimate ``yi`` with ``vi``, ``sei``, a CI
          (``ci_low, ci_high`` at `level`) or a two-sided ``pval``.
    data : pandas.DataFrame, optional
        The studies, one per row. Every column is kept in the result.
    ai, bi, ci, di, n1i, n2i, m1i, m2i, sd1i, sd2i, xi, mi, ni, ri : str, array-like or scalar
        metafor's study-level arguments (see `measure`).
    yi, vi, sei, ci_low, ci_high, pval : str, array-like or scalar
        For ``"GEN"``: the estimate with its variance, standard error,
        confidence limits or p-value; each study uses the first one it has in
        this order: ``vi``, ``sei``, CI, p-value.
    auc : str, array-like or scalar
        For ``"AUC"``: the area under the ROC curve, in [0, 1].
    level : float, default 0.95
        Confidence level of ``ci_low``/``ci_high`` (``95`` is read as 0.95).
    scale : {"identity", "log"}, default "identity"
        For ``"GEN"``: ``"log"`` when ``yi`` and its CI are ratios (OR, RR, HR)
        reported on their natural scale; they are pooled as logs.
    transform : {None, "logit"}, default None
        For ``"AUC"``: ``"logit"`` pools ``logit(AUC)`` with the delta-method
        variance ``var / (A (1 - A))^2``.
    add : float, optional
        Continuity correction for zero cells; metafor's default is 1/2, and 0
        for ``"PAS"`` and ``"PFT"``.
    to : {"only0", "all", "if0all", "none"}, default "only0"
        Which studies get `add`: those with a zero cell, all, all if any has a
        zero cell, or none.
    drop00 : bool, default False
        Give NaN for 2x2 studies with no events (or no non-events) in both groups.
    vtype : str, default "LS"
        Variance estimator, metafor's codes: ``"LS"`` large-sample (all
        measures), ``"UB"`` unbiased (``RD, MD, SMD, PR``), ``"LS2"``
        (``SMD, SMCC, SMCR``), ``"HO"`` homoscedastic (``MD, ROM``), ``"AV"``
        from the weighted mean outcome (``RD, SMD, ROM, PR, PLN, PLO, COR``),
        ``"AVHO"`` (``ROM``).
    slab : str or array-like, optional
        Study labels (a column name or one label per study), used in messages.

    Returns
    -------
    pandas.DataFrame
        A copy of `data` (or a new frame) with the float columns ``yi`` (the
        outcome), ``vi`` (its sampling variance) and ``sei`` (``sqrt(vi)``)
        added or replaced. ``df.attrs`` holds ``"measure"`` (the code),
        ``"back_transform"`` (``"exp"``, ``"ilogit"``, ``"ztor"``,
        ``"iarcsin"``, ``"ipft.hm"`` or ``None``: metafor's ``transf.*`` that maps
        ``yi`` back to its natural scale), ``"ni"`` (each study's total sample
        size, for ``transf.ipft.hm``) and ``"escalc"`` (every option used).

    Raises
    ------
    ValueError
        For an unknown measure or option; a column name not in `data`;
        arguments of different lengths; and, naming the study and the
        argument, non-numeric or infinite values, negative counts, sizes or
        SDs, counts above their group size, correlations outside [-1, 1],
        AUCs outside [0, 1] and p-values outside (0, 1].

    Warns
    -----
    EffectSizeWarning
        When some studies get ``NaN`` instead of a number, naming each study
        and why: a missing input, a zero cell with ``to="none"``, a double-zero
        study with ``drop00=True``, ``ni <= 3`` for correlations, too few
        participants for Hedges' correction. metafor returns NA in these cases.

    See Also
    --------
    evidextract.rma : pool the effect sizes.
    evidextract.meta.mean_sd_from_median, evidextract.meta.se_from_ci :
        conversions to fill in missing inputs.

    Notes
    -----
    Status: matches ``metafor::escalc`` 3.8.1 to a relative 1e-6 on
    ``dat.bcg``, ``dat.normand1999``, ``dat.curtis1998``, ``dat.pritz1997``,
    ``dat.molloy2014`` and a pre-post pain-score set from the seed abstracts
    (``tests/data/metafor_escalc.json``, made by
    ``validation/escalc_reference.R``).

    Formulas (Viechtbauer, 2010; metafor's documentation): Hedges' g is
    ``c(m) d`` with ``m = n1 + n2 - 2`` and
    ``c(m) = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2))``; its default ``"LS"``
    variance is ``1/n1 + 1/n2 + g^2 / (2 (n1 + n2))``. The log odds ratio has
    variance ``1/a + 1/b + 1/c + 1/d`` after adding 1/2 to every cell of a
    table with a zero cell. ``"AUC"`` and the CI/p-value route of ``"GEN"``
    are not in metafor: ``AUC`` uses the variance of Hanley and McNeil (1982),
    ``var = (A(1-A) + (n1-1)(Q1-A^2) + (n2-1)(Q2-A^2)) / (n1 n2)`` with
    ``Q1 = A/(2-A)``, ``Q2 = 2A^2/(1+A)``; ``GEN`` uses
    ``se = (ci_high - ci_low) / (2 z)`` and ``se = |yi| / z_(1-p/2)``
    (Cochrane Handbook 6.5.2.3; Altman and Bland, 2011), as metafor 4's
    ``conv.wald`` does. A warning flags a CI that is not symmetric around
    ``yi`` on the analysis scale (a ratio given without ``scale="log"``).

    Other libraries name the same things differently. statsmodels:
    ``effectsize_smd(mean1, sd1, nobs1, mean2, sd2, nobs2)`` returns Hedges'
    g and its variance (``SMD``), ``effectsize_2proportions(...,
    statistic=...)`` with ``"odds-ratio"``/``"risk-ratio"`` (log scale,
    ``OR``/``RR``), ``"diff"`` (``RD``) and ``"arcsine"``; its
    ``combine_effects(effect, variance)`` takes ``yi`` as ``effect`` and ``vi``
    as ``variance``. PyMARE: ``Dataset(y, v)`` takes ``yi`` as ``y`` and ``vi``
    as ``v``; ``TwoSampleEffectSizeConverter.to_dataset(measure)`` with
    ``"RMD"`` (``MD``), ``"SMD"`` (``SMD``) or ``"D"`` (Cohen's d, no
    correction), and ``OneSampleEffectSizeConverter`` with ``"RM"``, ``"SM"``,
    ``"R"`` (``COR``) and ``"ZR"`` (``ZCOR``).

    References
    ----------
    .. [1] Viechtbauer W (2010). Conducting meta-analyses in R with the
       metafor package. J Stat Softw 36(3):1-48. doi:10.18637/jss.v036.i03
    .. [2] Hedges LV (1981). Distribution theory for Glass's estimator of
       effect size and related estimators. J Educ Stat 6(2):107-128.
    .. [3] Hanley JA, McNeil BJ (1982). The meaning and use of the area under
       a receiver operating characteristic (ROC) curve. Radiology
       143(1):29-36.
    .. [4] Altman DG, Bland JM (2011). How to obtain the confidence interval
       from a P value. BMJ 343:d2090.
    .. [5] Higgins JPT et al. (eds). Cochrane Handbook for Systematic Reviews
       of Interventions, version 6.4, section 6.5.2.3.

    Examples
    --------
    Hedges' g for two of ``metafor::dat.normand1999``'s stroke trials:

    >>> import pandas as pd
    >>> import evidextract as ev
    >>> trials = pd.DataFrame({
    ...     "source": ["Edinburgh", "Orpington-Mild"],
    ...     "m1i": [55, 27], "sd1i": [47, 7], "n1i": [155, 31],
    ...     "m2i": [75, 29], "sd2i": [64, 4], "n2i": [156, 32]})
    >>> es = ev.escalc("SMD", trials, m1i="m1i", sd1i="sd1i", n1i="n1i",
    ...                m2i="m2i", sd2i="sd2i", n2i="n2i", slab="source")
    >>> es[["source", "yi", "vi"]].round(4)
               source      yi      vi
    0       Edinburgh -0.3552  0.0131
    1  Orpington-Mild -0.3479  0.0645
    >>> es.attrs["measure"]
    'SMD'

    A pain score before and after treatment (seed abstract: NRS 6.8 +/- 2.2
    to 2.5 +/- 2.6 in 64 patients), with an imputed pre-post correlation:

    >>> ev.escalc("SMCR", m1i=[6.8], sd1i=[2.2], m2i=[2.5], ni=[64], ri=0.5).round(4)
           yi      vi     sei
    0  1.9312  0.0448  0.2116

    An estimate reported with its CI, and an odds ratio on the log scale:

    >>> ev.escalc("GEN", yi=[-3.71], ci_low=[-5.29], ci_high=[-2.00]).round(4)
         yi      vi     sei
    0 -3.71  0.7045  0.8393
    >>> ev.escalc("GEN", yi=[2.5], ci_low=[1.2], ci_high=[5.2], scale="log").round(4)
           yi     vi     sei
    0  0.9163  0.14  0.3741
    """
    measure = _check_measure(measure)
    family = _FAMILIES[measure]
    level = _check_options(measure, level, scale, transform, to, vtype)
    if add is None:
        add = 0.0 if measure in _measures.NO_DEFAULT_ADD else 0.5
    if data is not None and not isinstance(data, pd.DataFrame):
        data = pd.DataFrame(data)
    given = {
        name: value for name, value in locals().items() if name in _ARGUMENTS and value is not None
    }
    k = _number_of_studies(data, given)
    labels = _study_labels(data, slab, k)
    x = {name: _column(name, value, data, k, labels) for name, value in given.items()}
    x = _resolve_family_inputs(measure, family, x, k, labels)
    _check_ranges(measure, x, labels)

    if family == "generic":
        _check_generic_ci(x, labels, scale)
    with np.errstate(all="ignore"):  # overflow and 0/0 become NaN, reported by _recode_missing
        yi_, vi_, ni_, notes = _compute(
            measure, family, x, add, to, drop00, vtype, level, scale, transform
        )
    yi_, vi_ = _recode_missing(measure, yi_, vi_, notes, x, labels)
    out = data.copy() if data is not None else pd.DataFrame(index=pd.RangeIndex(k))
    out["yi"] = yi_
    out["vi"] = vi_
    out["sei"] = np.sqrt(vi_)
    back = _BACK_TRANSFORM.get(measure)
    if measure == "GEN" and scale == "log":
        back = "exp"
    if measure == "AUC" and transform == "logit":
        back = "ilogit"
    out.attrs["measure"] = measure
    out.attrs["back_transform"] = back
    out.attrs["ni"] = [float(v) for v in np.broadcast_to(ni_, (k,))]
    out.attrs["escalc"] = {
        "measure": measure,
        "vtype": vtype,
        "add": add,
        "to": to,
        "drop00": drop00,
        "level": level,
        "scale": scale,
        "transform": transform,
    }
    return out


def _compute(measure, family, x, add, to, drop00, vtype, level, scale, transform):
    """Dispatch to the formulas of the measure's family in :mod:`._measures`."""
    if family == "two_by_two":
        return _measures.two_by_two(measure, x, add=add, to=to, drop00=drop00, vtype=vtype)
    if family == "proportions":
        return _measures.proportions(measure, x, add=add, to=to, vtype=vtype)
    if family == "area_under_curve":
        return _measures.area_under_curve(x, transform=transform)
    if family == "generic":
        return _measures.generic(x, level=level, scale=scale)
    return getattr(_measures, family)(measure, x, vtype=vtype)


def _check_measure(measure):
    if not isinstance(measure, str) or measure.upper() not in _FAMILIES:
        raise ValueError(f"unknown measure {measure!r}; valid measures are: {', '.join(MEASURES)}")
    return measure.upper()


def _check_options(measure, level, scale, transform, to, vtype):
    if to not in ("only0", "all", "if0all", "none"):
        raise ValueError(f"to={to!r}; valid values are 'only0', 'all', 'if0all', 'none'")
    if vtype not in _measures.VTYPES[measure]:
        raise ValueError(
            f"vtype={vtype!r} is not available for measure {measure!r}; "
            f"valid: {', '.join(_measures.VTYPES[measure])}"
        )
    if scale not in ("identity", "log"):
        raise ValueError(f"scale={scale!r}; valid values are 'identity' and 'log'")
    if scale != "identity" and measure != "GEN":
        raise ValueError(f"scale={scale!r} applies to measure 'GEN' only")
    if transform not in (None, "logit"):
        raise ValueError(f"transform={transform!r}; valid values are None and 'logit'")
    if transform is not None and measure != "AUC":
        raise ValueError(f"transform={transform!r} applies to measure 'AUC' only")
    level = float(level)
    if 1 < level < 100:
        level = level / 100  # metafor accepts 95 for 95%
    if not 0 < level < 1:
        raise ValueError(f"level={level!r} must be in (0, 1), e.g. 0.95")
    return level


def _number_of_studies(data, given):
    if data is not None:
        return len(data)
    lengths = {
        name: len(value)
        for name, value in given.items()
        if not isinstance(value, str) and np.ndim(value) > 0
    }
    if not lengths:
        return 1
    return max(lengths.values())


def _study_labels(data, slab, k):
    if slab is None:
        if data is not None:
            return [f"row {label!r}" for label in data.index]
        return [f"row {i}" for i in range(k)]
    if isinstance(slab, str):
        if data is None:
            raise ValueError(f"slab={slab!r} is a column name but no data was given")
        if slab not in data.columns:
            columns = ", ".join(map(str, data.columns))
            raise ValueError(f"slab={slab!r} is not a column of data; columns: {columns}")
        values = data[slab].tolist()
    else:
        values = list(slab)
    if len(values) != k:
        raise ValueError(f"slab has {len(values)} labels for {k} studies")
    return [f"study {value!r}" for value in values]


def _column(name, value, data, k, labels):
    """Return argument `name` as a float array of length k, checking what it holds."""
    if isinstance(value, str):
        if data is None:
            raise ValueError(f"{name}={value!r} is a column name but no data was given")
        if value not in data.columns:
            raise ValueError(
                f"{name}={value!r} is not a column of data; "
                f"columns: {', '.join(map(str, data.columns))}"
            )
        raw = data[value]
        source = f"{name} (column {value!r})"
    else:
        raw = value
        source = name
    if np.ndim(raw) == 0:
        raw = [raw] * k
    raw = pd.Series(np.asarray(raw, dtype=object).ravel())
    if len(raw) != k:
        raise ValueError(f"{source} has {len(raw)} values but there are {k} studies")
    numbers = pd.to_numeric(raw.where(raw.notna(), np.nan), errors="coerce")
    bad = numbers.isna() & raw.notna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(f"{labels[i]}: {source} is not a number: {raw.iloc[i]!r}")
    arr = numbers.to_numpy(dtype=float)
    infinite = np.isinf(arr)
    if infinite.any():
        rows = "; ".join(labels[i] for i in np.flatnonzero(infinite))
        raise ValueError(f"{source} is infinite for {rows}")
    return arr


def _missing(k):
    return np.full(k, np.nan)


def _resolve_family_inputs(measure, family, x, k, labels):
    """Check the required arguments are given and derive the alternatives (bi from n1i...)."""

    def need(*names):
        absent = [n for n in names if n not in x]
        if absent:
            raise ValueError(
                f"measure {measure!r} needs {', '.join(names)}; missing: {', '.join(absent)}"
            )

    def check_total(part, other, total):
        # metafor: "One or more 'n1i' values are not equal to 'ai + bi'."
        mismatch = np.abs(x[part] + x[other] - x[total]) > 1e-8
        if mismatch.any():
            i = int(np.flatnonzero(mismatch)[0])
            raise ValueError(
                f"{labels[i]}: {total} = {x[total][i]:g} is not {part} + {other} "
                f"= {x[part][i] + x[other][i]:g}"
            )

    if family == "two_by_two":
        need("ai", "ci")
        for cell, other, total in (("ai", "bi", "n1i"), ("ci", "di", "n2i")):
            if other in x and total in x:
                check_total(cell, other, total)
            elif other not in x:
                if total not in x:
                    raise ValueError(f"measure {measure!r} needs {other} or {total}")
                x[other] = x[total] - x[cell]
    elif family == "two_group_means":
        need("m1i", "m2i", "sd1i", "sd2i", "n1i", "n2i")
    elif family == "mean_change":
        if measure == "SMCR":
            need("m1i", "m2i", "sd1i", "ni", "ri")
            x.setdefault("sd2i", _missing(k))
        else:
            need("m1i", "m2i", "sd1i", "sd2i", "ni", "ri")
    elif family == "proportions":
        need("xi")
        if "mi" in x and "ni" in x:
            check_total("xi", "mi", "ni")
        elif "mi" not in x:
            if "ni" not in x:
                raise ValueError(f"measure {measure!r} needs ni (or mi, the non-events)")
            x["mi"] = x["ni"] - x["xi"]
    elif family == "correlations":
        need("ri", "ni")
    elif family == "area_under_curve":
        need("auc", "n1i", "n2i")
    else:
        need("yi")
        if not any(n in x for n in ("vi", "sei", "pval")) and not (
            "ci_low" in x and "ci_high" in x
        ):
            raise ValueError(
                "measure 'GEN' needs vi, sei, both ci_low and ci_high, or pval with yi"
            )
        for name in ("vi", "sei", "ci_low", "ci_high", "pval", "ni"):
            x.setdefault(name, _missing(k))
    return x


def _first_bad(mask, labels, message):
    if np.any(mask):
        rows = "; ".join(labels[i] for i in np.flatnonzero(mask)[:5])
        more = int(np.sum(mask)) - 5
        raise ValueError(f"{message} for {rows}" + (f" and {more} more" if more > 0 else ""))


def _check_ranges(measure, x, labels):
    """Raise for values no study can have (metafor stops on these too)."""
    with np.errstate(invalid="ignore"):
        for name in ("bi", "di"):
            if name in x:
                message = f"{name} is negative (more events than participants)"
                _first_bad(x[name] < 0, labels, message)
        if "mi" in x:
            _first_bad(
                x["mi"] < 0,
                labels,
                "mi (the non-events) is negative; are there more events xi than participants ni",
            )
        for name in _COUNTS:
            if name in x and name not in ("bi", "di", "mi"):
                _first_bad(x[name] < 0, labels, f"{name} (a count) is negative")
        for name in _SIZES:
            if name in x:
                _first_bad(x[name] <= 0, labels, f"{name} (a sample size) is not positive")
        for name in _SDS:
            if name in x:
                _first_bad(x[name] < 0, labels, f"{name} (a standard deviation) is negative")
        if "vi" in x:
            _first_bad(x["vi"] < 0, labels, "vi (a variance) is negative")
        if "ri" in x:
            _first_bad(np.abs(x["ri"]) > 1, labels, "ri (a correlation) is outside [-1, 1]")
        if "auc" in x:
            _first_bad((x["auc"] < 0) | (x["auc"] > 1), labels, "auc is outside [0, 1]")
        if "pval" in x:
            _first_bad(
                (x["pval"] <= 0) | (x["pval"] > 1),
                labels,
                "pval is outside (0, 1] (enter a reported 'p < 0.001' as 0.001)",
            )


def _check_generic_ci(x, labels, scale):
    """Refuse a CI that excludes its estimate; warn when it is lopsided on the analysis scale."""
    yi, lo, hi = x["yi"], x["ci_low"], x["ci_high"]
    with np.errstate(invalid="ignore", divide="ignore"):
        if scale == "log":
            for name in ("yi", "ci_low", "ci_high"):
                _first_bad(x[name] <= 0, labels, f"{name} must be positive with scale='log'")
            yi, lo, hi = np.log(yi), np.log(lo), np.log(hi)
        _first_bad(lo > hi, labels, "ci_low is above ci_high")
        _first_bad((yi < lo) | (yi > hi), labels, "yi lies outside its own CI")
        half_width = (hi - lo) / 2
        lopsided = np.abs((lo + hi) / 2 - yi) > 0.25 * half_width
    if np.any(lopsided):
        rows = "; ".join(labels[i] for i in np.flatnonzero(lopsided))
        hint = " (a ratio? pass scale='log')" if scale == "identity" else ""
        warnings.warn(
            f"the CI is not symmetric around yi on the {scale} scale{hint} for {rows}; "
            "the standard error is taken from the CI width",
            EffectSizeWarning,
            stacklevel=3,
        )


def _recode_missing(measure, yi, vi, notes, x, labels):
    """Set non-finite yi/vi and negative vi to NaN with one warning naming each study and why."""
    yi = np.asarray(yi, dtype=float)
    vi = np.asarray(vi, dtype=float)
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(yi) | ~np.isfinite(vi) | (vi < 0)
    if not bad.any():
        return yi, vi
    # metafor sets only vi to NA where a variance is undefined (ni <= 3 for correlations)
    keep_yi = (notes == _measures.NO_VARIANCE_NOTE) & np.isfinite(yi)
    yi, vi = yi.copy(), vi.copy()
    yi[bad & ~keep_yi] = np.nan
    vi[bad] = np.nan
    reasons = []
    for i in np.flatnonzero(bad):
        reason = notes[i]
        missing = [n for n in _needed(measure, x) if np.isnan(x[n][i])]
        if missing:
            reason = f"missing {', '.join(missing)}"
        reasons.append(f"{labels[i]}: {reason or 'the effect size or its variance is not finite'}")
    warnings.warn(
        f"{measure}: {len(reasons)} of {yi.size} studies have no effect size or no variance "
        "(NaN): " + "; ".join(reasons),
        EffectSizeWarning,
        stacklevel=3,
    )
    return yi, vi


def _needed(measure, x):
    # GEN's unused routes and SMCR's unused sd2i are NaN by design, not missing.
    if measure == "GEN":
        return ["yi"]
    return [name for name in x if not (measure == "SMCR" and name == "sd2i")]
