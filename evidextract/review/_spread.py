"""A mean and its SD from what a statistics row gives: SD, SE, CI, or a median with IQR/range."""

from __future__ import annotations

import math

import pandas as pd

from evidextract.meta import _convert


def _given(value) -> bool:
    return value is not None and not pd.isna(value)


def mean_and_sd(row: pd.Series, n=None) -> tuple[float, float, str]:
    """Return ``(mean, sd, note)`` for one ``mean`` or ``median`` row of the statistics table.

    The note is empty when the row states a mean and an SD; otherwise it names the
    conversion, for the ``imputed`` column of a study table.

    Parameters
    ----------
    row : pandas.Series
        A statistics row (``stat``, ``value``, ``sd``, ``se``, ``ci_*``, ``iqr_*``, ``range_*``).
    n : int, optional
        The n of the measurement; needed to turn an SE or CI into an SD and to convert
        a median.

    Returns
    -------
    tuple of (float, float, str)
        NaN stands for what cannot be had; the note then says what is missing.

    Notes
    -----
    Conversions come from :mod:`evidextract.meta` (``mean_sd_from_median``,
    ``sd_from_se``, ``sd_from_ci``): Luo et al. (2018) for the mean and Wan et al. (2014)
    (Shi et al. (2020) with both IQR and range) for the SD of a median; the t quantile
    below 60 participants and the normal one above for a CI (Cochrane Handbook 6.5.2.2).

    Examples
    --------
    >>> import pandas as pd
    >>> mean_and_sd(pd.Series({"stat": "mean", "value": 6.8, "sd": 2.2}))
    (6.8, 2.2, '')
    >>> mean, sd, note = mean_and_sd(pd.Series({"stat": "mean", "value": 6.8, "se": 0.5}), n=16)
    >>> round(sd, 6), note
    (2.0, 'SD from SE')
    """
    stat = row.get("stat")
    value = row.get("value")
    has_n = _given(n)
    if stat == "median":
        return _from_median(row, n if has_n else None)
    mean = float(value) if _given(value) else math.nan
    if _given(row.get("sd")):
        return mean, float(row["sd"]), ""
    if _given(row.get("se")):
        if not has_n:
            return mean, math.nan, "SD from SE needs n (missing)"
        return mean, float(_convert.sd_from_se(float(row["se"]), int(n))), "SD from SE"
    if _given(row.get("ci_low")) and _given(row.get("ci_high")):
        if not has_n:
            return mean, math.nan, "SD from CI needs n (missing)"
        level = row.get("ci_level")
        level = float(level) if _given(level) else 0.95
        sd = _convert.sd_from_ci(float(row["ci_low"]), float(row["ci_high"]), int(n), level=level)
        return mean, float(sd), f"SD from the {level:.0%} CI"
    return mean, math.nan, "SD not reported"


_MEDIAN_NOTES = {
    "S1": "mean/SD from median and range (Luo 2018; Wan 2014)",
    "S2": "mean/SD from median, IQR and range (Luo 2018; Shi 2020)",
    "S3": "mean/SD from median and IQR (Luo 2018; Wan 2014)",
}


def _from_median(row: pd.Series, n) -> tuple[float, float, str]:
    q1, q3 = row.get("iqr_low"), row.get("iqr_high")
    low, high = row.get("range_low"), row.get("range_high")
    has_iqr = _given(q1) and _given(q3)
    has_range = _given(low) and _given(high)
    if not (has_iqr or has_range):
        return math.nan, math.nan, "median without IQR or range: no mean/SD"
    if n is None:
        return math.nan, math.nan, "mean/SD from median needs n (missing)"
    found = _convert.mean_sd_from_median(
        float(row["value"]),
        int(n),
        q1=float(q1) if has_iqr else None,
        q3=float(q3) if has_iqr else None,
        minimum=float(low) if has_range else None,
        maximum=float(high) if has_range else None,
    ).iloc[0]
    return float(found["mean"]), float(found["sd"]), _MEDIAN_NOTES[found["scenario"]]
