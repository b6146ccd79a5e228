"""Back-transformations of pooled results (metafor's ``transf.*`` functions).

Ratio measures are pooled on the log scale, proportions on the logit (or arcsine) scale and
correlations on Fisher's z scale; these functions bring estimates and interval bounds back.
"""

import numpy as np


def _ipft(x, ni):
    # metafor's transf.ipft: inverse of the Freeman-Tukey double arcsine for sample size ni
    x = np.asarray(x, dtype=float)
    s = np.sin(2.0 * x)
    with np.errstate(divide="ignore", invalid="ignore"):
        inner = 1.0 - (s + (s - 1.0 / s) / ni) ** 2
        out = 0.5 * (1.0 - np.sign(np.cos(2.0 * x)) * np.sqrt(inner))
    out = np.where(x < transf_pft_limit(0, ni), 0.0, out)
    out = np.where(x > transf_pft_limit(1, ni), 1.0, out)
    return out


def transf_pft_limit(p, ni):
    """Freeman-Tukey value of a proportion ``p`` at sample size ``ni`` (the range ends)."""
    xi = p * ni
    return 0.5 * (np.arcsin(np.sqrt(xi / (ni + 1))) + np.arcsin(np.sqrt((xi + 1) / (ni + 1))))


#: Named back-transformations, metafor's names in parentheses.
TRANSFORMS = {
    "exp": np.exp,
    "expit": lambda x: 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float))),  # transf.ilogit
    "ilogit": lambda x: 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float))),
    "tanh": np.tanh,  # transf.ztor
    "ztor": np.tanh,
    "iarcsin": lambda x: np.sin(np.asarray(x, dtype=float)) ** 2,  # transf.iarcsin
}

#: The back-transformation a measure asks for with ``transf=True``.
MEASURE_TRANSFORMS = {
    "OR": "exp",
    "RR": "exp",
    "ROM": "exp",
    "IRR": "exp",
    "PLN": "exp",
    "PLO": "expit",
    "ZCOR": "tanh",
    "PAS": "iarcsin",
    "PFT": "ipft.hm",
    "AUC": None,
}


def resolve_transf(transf, measure=None, ni=None):
    """Turn ``transf=`` into a function (or ``None`` for no transformation).

    Parameters
    ----------
    transf : None, False, True, "auto", str or callable
        ``True``/``"auto"``: the measure's natural back-transformation (exp for OR, RR, ROM;
        inverse logit for PLO; tanh for ZCOR; sin² for PAS; the inverse Freeman-Tukey at the
        harmonic mean of ``ni`` for PFT). A name of :data:`TRANSFORMS` (or ``"ipft.hm"``), or
        any vectorised function such as ``np.exp``.
    measure : str, optional
        The effect-size measure of the fit.
    ni : array-like, optional
        Sample sizes (PFT only).

    Returns
    -------
    callable or None

    Examples
    --------
    >>> float(resolve_transf("auto", "RR")(0.0))
    1.0
    >>> float(resolve_transf("expit")(0.0))
    0.5
    """
    if transf is None or transf is False:
        return None
    if transf is True or transf == "auto":
        name = MEASURE_TRANSFORMS.get(measure)
        if name is None:
            return None
        transf = name
    if callable(transf):
        return transf
    if transf == "ipft.hm":
        if ni is None:
            raise ValueError("the PFT back-transformation needs the sample sizes (column ni)")
        ni = np.asarray(ni, dtype=float)
        hm = len(ni) / np.sum(1.0 / ni)
        return lambda x: _ipft(x, hm)
    try:
        return TRANSFORMS[transf]
    except KeyError:
        raise ValueError(
            "unknown transf {!r}; valid names: {}, ipft.hm, auto".format(
                transf, ", ".join(sorted(TRANSFORMS))
            )
        ) from None
