"""What the plots read from a fitted model, in one place.

The plots only use the fitted model's public contract (see CONTRIBUTING.md,
"Fitted model"): ``to_frame()``, ``predict()``, ``data``, the summary
attributes, its subgroup results and ``trimfill()``. Each accessor here
turns one part of it into plain arrays.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

# Columns of ``fit.data`` that hold a sample size, by preference; a pair is summed.
_N_COLUMNS = (("n1i", "n2i"), ("n",), ("ni",), ("n_total",))


def check_pooled_model(fit, what):
    """Raise a ValueError naming the problem unless ``fit`` pools one estimate.

    A meta-regression has one coefficient per moderator, not one pooled
    estimate a diamond or a funnel's centre could show.
    """
    if np.ndim(getattr(fit, "estimate", None)) != 0:
        raise ValueError(
            f"{what} draws models without moderators; this fit is a meta-regression "
            "(mods=...): fit the subgroups with rma(..., subgroup=...) or draw "
            "fit.predict() yourself"
        )


def excluded_studies(fit):
    """Return ``[(label, reason)]`` of the studies the fit left out (missing values)."""
    excluded = getattr(fit, "excluded", None)
    if excluded is None or len(excluded) == 0:
        return []
    return [(str(row["label"]), str(row["reason"])) for _, row in excluded.iterrows()]


def study_frame(fit):
    """Return the study rows of ``fit.to_frame()`` (the pooled row dropped).

    Returns
    -------
    pandas.DataFrame
        ``label, yi, vi, ci_low, ci_high, weight`` (weight in percent), one
        row per study in the order of ``fit.data``.
    """
    frame = fit.to_frame()
    if "is_pooled" in frame.columns:
        frame = frame[~frame["is_pooled"].astype(bool)]
    elif "kind" in frame.columns:
        frame = frame[frame["kind"].astype(str).str.lower().eq("study")]
    elif len(frame) > fit.k:
        frame = frame.iloc[: fit.k]
    frame = frame.reset_index(drop=True)
    missing = {"yi", "vi", "ci_low", "ci_high", "weight"} - set(frame.columns)
    if missing:
        raise ValueError(f"fit.to_frame() lacks the columns {sorted(missing)}")
    if "label" not in frame.columns:
        frame["label"] = study_labels(fit, len(frame))
    return frame


def study_labels(fit, k):
    """Return the study labels: ``fit.slab``, else ``Study 1..k``."""
    labels = getattr(fit, "slab", None)
    if labels is None:
        return [f"Study {i + 1}" for i in range(k)]
    return [str(label) for label in labels]


def fit_data(fit, k):
    """Return ``fit.data`` aligned to the k studies (an empty frame when absent)."""
    data = getattr(fit, "data", None)
    if data is None or len(data) != k:
        return pd.DataFrame(index=range(k))
    return data.reset_index(drop=True)


def sample_size_columns(data, n=None):
    """Return ``[(name, values), ...]``: the sample sizes the table shows.

    Parameters
    ----------
    data : pandas.DataFrame
        ``fit.data``.
    n : None, False, str or sequence of str
        ``None`` looks for ``n1i`` and ``n2i`` (two columns), ``n``, ``ni``,
        ``n_total``, then the total n ``escalc`` records in
        ``data.attrs["ni"]``; ``False`` shows none; names choose the columns.
    """
    if n is False:
        return []
    if n is None:
        for names in _N_COLUMNS:
            if all(name in data.columns for name in names):
                return [(name, data[name].to_numpy()) for name in names]
        recorded = data.attrs.get("ni")
        if recorded is not None and len(recorded) == len(data):
            return [("ni", np.asarray(recorded, dtype=float))]
        return []
    names = [n] if isinstance(n, str) else list(n)
    absent = [name for name in names if name not in data.columns]
    if absent:
        raise KeyError(f"n column(s) {absent} not in fit.data; it has {list(data.columns)}")
    return [(name, data[name].to_numpy()) for name in names]


def sample_size_for_scale(data):
    """Return each study's n for the Freeman-Tukey inverse (or None).

    ``escalc`` records the n of proportions in ``data.attrs["ni"]``; columns
    ``ni``, ``n`` or ``n1i + n2i`` serve too.
    """
    recorded = data.attrs.get("ni") if hasattr(data, "attrs") else None
    if recorded is not None and len(recorded) == len(data):
        return np.asarray(recorded, dtype=float)
    for names in (("ni",), ("n",), ("n1i", "n2i")):
        if all(name in data.columns for name in names):
            return np.sum([data[name].to_numpy(dtype=float) for name in names], axis=0)
    return None


def imputed_notes(data):
    """Return what was converted or imputed in each study (``""`` when nothing).

    Reads the ``imputed`` column of ``fit.data``: a non-empty string says what,
    e.g. ``"mean from median (Luo 2018)"``.
    """
    if "imputed" not in data.columns:
        return [""] * len(data)
    notes = []
    for value in data["imputed"]:
        if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
            notes.append("")
        else:
            notes.append(str(value).strip())
    return notes


def is_random_effects(fit):
    """Return True unless the model is an equal/fixed-effects one."""
    return str(getattr(fit, "method", "REML")).upper() not in ("EE", "FE", "CE")


def overall_test(fit):
    """Return ``(statistic, pval, name)`` of the test of the pooled estimate."""
    test = str(getattr(fit, "test", "z")).lower()
    stat = getattr(fit, "zval", None)
    if stat is None:
        stat = fit.estimate / fit.se
    pval = getattr(fit, "pval", None)
    if pval is None:
        pval = 2 * stats.norm.sf(abs(stat))
    return float(stat), float(pval), ("t" if test in ("t", "knha", "hksj") else "z")


def heterogeneity(fit):
    """Return ``dict(tau2, i2, q, df, q_pval, k)`` of a fit."""
    k = int(fit.k)
    df = getattr(fit, "q_df", None)
    return {
        "tau2": float(getattr(fit, "tau2", 0.0) or 0.0),
        "i2": float(getattr(fit, "i2", 0.0) or 0.0),
        "q": float(fit.q),
        "df": int(df) if df is not None else k - 1,
        "q_pval": float(fit.q_pval),
        "k": k,
    }


def prediction_interval(fit):
    """Return ``(pi_low, pi_high)`` of ``fit.predict()`` on the analysis scale."""
    pred = fit.predict()
    if isinstance(pred, pd.DataFrame):
        pred = pred.iloc[0]
    return float(pred["pi_low"]), float(pred["pi_high"])


def level_of(fit):
    """Return the fit's confidence level as a fraction (0.95)."""
    level = float(getattr(fit, "level", 0.95))
    return level / 100 if level > 1 else level


def subgroups(fit):
    """Return the fit's subgroups as ``[(name, subfit, mask)]`` and the between test.

    Returns
    -------
    groups : list of (str, fit, numpy.ndarray)
        Each subgroup's name, its fitted model and the boolean mask of its
        studies among the overall fit's; empty without subgroups.
    between : dict or None
        ``q, df, pval`` of the test for subgroup differences.
    """
    found = getattr(fit, "subgroups", None)
    if found is None:
        return [], None
    # rma(..., subgroup=...) gives a SubgroupAnalysis: .fits, .column and the between test
    fits = getattr(found, "fits", found)
    items = list(fits.items()) if isinstance(fits, dict) else list(fits)
    if not items:
        return [], None
    column = getattr(found, "column", None) or getattr(fit, "subgroup", None)
    data = fit_data(fit, int(fit.k))
    groups = []
    for name, subfit in items:
        if isinstance(column, str) and column in data.columns:
            mask = (data[column].astype(str) == str(name)).to_numpy()
        else:
            mask = _mask_from_labels(fit, subfit)
        groups.append((str(name), subfit, mask))
    return groups, _between_test(found, groups)


def _mask_from_labels(fit, subfit):
    labels = study_labels(fit, int(fit.k))
    wanted = list(study_labels(subfit, int(subfit.k)))
    mask = np.zeros(len(labels), dtype=bool)
    for i, label in enumerate(labels):  # labels may repeat: take them in order
        if label in wanted:
            mask[i] = True
            wanted.remove(label)
    return mask


def _between_test(found, groups):
    q = getattr(found, "q_between", None)
    if q is None:
        return None
    df = getattr(found, "df_between", None)
    df = int(df) if df is not None else len(groups) - 1
    pval = getattr(found, "p_between", None)
    pval = float(pval) if pval is not None else float(stats.chi2.sf(q, df))
    return {"q": float(q), "df": df, "pval": pval}


def filled_mask(fit):
    """Return the boolean mask of the studies trim-and-fill added to ``fit``."""
    for name in ("filled", "fill"):
        value = getattr(fit, name, None)
        if value is not None and not callable(value) and np.ndim(value) == 1:
            return np.asarray(value, dtype=bool)
    data = getattr(fit, "data", None)
    if data is not None:
        for name in ("filled", "fill", "imputed_study"):
            if name in data.columns:
                return data[name].fillna(False).to_numpy(dtype=bool)
    raise ValueError("cannot find which studies trimfill() added (no 'filled' flag on the fit)")
