"""The scale a forest plot shows: back-transformations by effect-size measure.

Models are fitted on the analysis scale (log ratios, logit or arcsine
proportions, Fisher's z); plots show the natural scale. A :class:`Scale`
says how to get there, whether the axis is logarithmic, where the line of
no effect sits, and what the measure is called.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

# measure code -> (name on the axis, abbreviation)
_RATIO_MEASURES = {
    "OR": ("Odds ratio", "OR"),
    "PETO": ("Odds ratio", "OR"),
    "RR": ("Risk ratio", "RR"),
    "HR": ("Hazard ratio", "HR"),
    "IRR": ("Incidence rate ratio", "IRR"),
    "ROM": ("Ratio of means", "ROM"),
}
_PROPORTION_MEASURES = ("PR", "PLO", "PFT", "PAS")
_LINEAR_MEASURES = {
    "SMD": ("Standardized mean difference", "SMD"),
    "SMDH": ("Standardized mean difference", "SMD"),
    "MD": ("Mean difference", "MD"),
    "SMCC": ("Standardized mean change", "SMC"),
    "SMCR": ("Standardized mean change", "SMC"),
    "MC": ("Mean change", "MC"),
    "RD": ("Risk difference", "RD"),
    "COR": ("Correlation", "r"),
    "ZCOR": ("Correlation", "r"),
    "AUC": ("Area under the ROC curve", "AUC"),
}


def _expit(values, n=None):
    return 1.0 / (1.0 + np.exp(-np.asarray(values, dtype=float)))


def _sin_squared(values, n=None):
    return np.sin(np.asarray(values, dtype=float)) ** 2


def _identity(values, n=None):
    return np.asarray(values, dtype=float)


def _exp(values, n=None):
    return np.exp(np.asarray(values, dtype=float))


def _tanh(values, n=None):
    return np.tanh(np.asarray(values, dtype=float))


def _pft(proportion, n):
    """Freeman-Tukey double arcsine of a proportion with ``n`` (metafor's ``transf.pft``)."""
    events = proportion * n
    return 0.5 * (np.arcsin(np.sqrt(events / (n + 1))) + np.arcsin(np.sqrt((events + 1) / (n + 1))))


def inverse_freeman_tukey(values, n=None):
    """Back-transform Freeman-Tukey double arcsine values to proportions.

    Miller's (1978) inversion, as metafor's ``transf.ipft``: each value with
    its own ``n``; a pooled value takes the harmonic mean of the studies' n
    (``transf.ipft.hm``), which the caller passes as a scalar. Without ``n``
    the large-sample inverse ``sin(x)**2`` is used.

    Examples
    --------
    >>> import numpy as np
    >>> y = 0.5 * (np.arcsin(np.sqrt(12 / 21)) + np.arcsin(np.sqrt(13 / 21)))
    >>> float(inverse_freeman_tukey(y, 20).round(4))
    0.6
    """
    values = np.asarray(values, dtype=float)
    if n is None:
        return np.sin(values) ** 2
    n = np.broadcast_to(np.asarray(n, dtype=float), values.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        sin2x = np.sin(2 * values)
        inner = 1 - (sin2x + (sin2x - 1 / sin2x) / n) ** 2
        result = 0.5 * (1 - np.sign(np.cos(2 * values)) * np.sqrt(inner))
    result = np.where(values > _pft(1.0, n), 1.0, result)
    result = np.where(values < _pft(0.0, n), 0.0, result)
    return result


@dataclass(frozen=True)
class Scale:
    """The scale a plot shows and how to get to it from the model's scale.

    Parameters
    ----------
    back : callable
        ``back(values, n)`` maps analysis-scale values to displayed values;
        ``n`` is used by the Freeman-Tukey inverse only.
    log : bool
        Draw the x axis on a log scale (ratio measures).
    null : float or None
        The line of no effect on the displayed scale (None: no line).
    name, abbrev : str
        The measure's name for the axis and its abbreviation for headers.
    bounds : tuple or None
        Limits the displayed values cannot leave (``(0, 1)`` for proportions).
    needs_n : bool
        ``back`` uses the sample sizes (Freeman-Tukey).
    """

    back: Callable
    log: bool
    null: float | None
    name: str
    abbrev: str
    bounds: tuple | None = None
    needs_n: bool = False


def scale_for(measure, transf=None):
    """Return the :class:`Scale` a plot of ``measure`` shows.

    Parameters
    ----------
    measure : str or None
        metafor's measure code of the fit (``"RR"``, ``"PLO"``, ``"SMD"``...).
    transf : None, False or callable
        ``None`` chooses by measure: ratios exponentiated on a log axis,
        PLO/PFT/PAS back to proportions, ZCOR back to correlations, other
        measures as fitted. ``False`` shows the analysis scale itself
        (log ratios on a linear axis). A callable is applied to every value,
        on a linear axis (``numpy.exp`` gives the log axis of a ratio).

    Returns
    -------
    Scale

    Examples
    --------
    >>> s = scale_for("RR")
    >>> s.log, s.null, s.name, float(s.back(0.0))
    (True, 1.0, 'Risk ratio', 1.0)
    >>> scale_for("PLO").name
    'Proportion'
    """
    code = (measure or "").upper()
    if transf is False:
        if code in _RATIO_MEASURES:
            name, abbrev = _RATIO_MEASURES[code]
            return Scale(_identity, False, 0.0, f"Log {name.lower()}", f"log {abbrev}")
        name, abbrev = _LINEAR_MEASURES.get(code, (_proportion_label(code), code or "Estimate"))
        return Scale(_identity, False, _null_of(code), name, abbrev)
    if callable(transf):
        if transf is np.exp:
            name, abbrev = _RATIO_MEASURES.get(code, ("Ratio", code or "Ratio"))
            return Scale(_exp, True, 1.0, name, abbrev)
        name, abbrev = _LINEAR_MEASURES.get(code, _RATIO_MEASURES.get(code, ("Estimate", "Est")))

        def back(values, n=None):
            return np.asarray(transf(np.asarray(values, dtype=float)), dtype=float)

        null = _null_of(code)
        null = float(back(null)) if null is not None and np.isfinite(back(null)) else None
        return Scale(back, False, null, name, abbrev)
    if transf is not None:
        raise TypeError(f"transf must be None, False or a callable, not {transf!r}")
    if code in _RATIO_MEASURES:
        name, abbrev = _RATIO_MEASURES[code]
        return Scale(_exp, True, 1.0, name, abbrev)
    if code in _PROPORTION_MEASURES:
        back = {
            "PR": _identity,
            "PLO": _expit,
            "PAS": _sin_squared,
            "PFT": inverse_freeman_tukey,
        }[code]
        return Scale(back, False, None, "Proportion", "Proportion", (0.0, 1.0), code == "PFT")
    if code == "ZCOR":
        return Scale(_tanh, False, 0.0, "Correlation", "r", (-1.0, 1.0))
    name, abbrev = _LINEAR_MEASURES.get(code, ("Estimate", code or "Estimate"))
    return Scale(_identity, False, _null_of(code), name, abbrev)


def _null_of(code):
    if code in _PROPORTION_MEASURES:
        return None
    if code == "AUC":
        return 0.5
    return 0.0


def _proportion_label(code):
    return {"PLO": "Log odds", "PAS": "Arcsine proportion", "PFT": "Double arcsine"}.get(
        code, "Estimate"
    )
