"""Study tables: the statistics table reshaped into one row per study, as ``escalc`` reads it."""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Mapping

import pandas as pd

from evidextract.meta import escalc
from evidextract.review._frames import (
    as_list,
    as_stats,
    join_notes,
    n_override,
    n_source_row,
    outcome_matcher,
    record_sample_size,
    span_columns,
    span_of,
    timepoint_mask,
)
from evidextract.review._spread import mean_and_sd
from evidextract.review._table import StudyTable

PRE_POST_COLUMNS = [
    "study", "record_id", "outcome", "group", "timepoint", "timepoint_days",
    "m1i", "sd1i", "m2i", "sd2i", "ni", "ri",
    "scale", "rescaled", "direction", "imputed", "n_source",
    *span_columns("m1i"), *span_columns("m2i"), *span_columns("ni"),
]  # fmt: skip

TWO_GROUPS_COLUMNS = [
    "study", "record_id", "outcome", "timepoint", "group1", "group2",
    "m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i", "imputed", "n_source",
    *span_columns("m1i"), *span_columns("m2i"), *span_columns("n1i"), *span_columns("n2i"),
]  # fmt: skip

PROPORTIONS_COLUMNS = [
    "study", "record_id", "outcome", "group", "timepoint", "xi", "ni", "pi",
    "imputed", "n_source", *span_columns("xi"),
]  # fmt: skip

ESTIMATES_COLUMNS = [
    "study", "record_id", "outcome", "group", "timepoint", "measure", "estimate",
    "ci_low", "ci_high", "ci_level", "yi", "sei", "vi", "se_source", "imputed",
    *span_columns("yi"),
]  # fmt: skip

_INT_COLUMNS = {"ni", "n1i", "n2i", "xi"}
_FLOAT_COLUMNS = {"timepoint_days", "m1i", "sd1i", "m2i", "sd2i", "ri", "pi", "estimate", "ci_low",
                  "ci_high", "ci_level", "yi", "sei", "vi"}

#: ``stat`` of the statistics table -> metafor measure code; ratios are pooled as logs.
ESTIMATE_MEASURES = {
    "odds_ratio": "OR",
    "risk_ratio": "RR",
    "hazard_ratio": "HR",
    "smd": "SMD",
    "mean_difference": "MD",
    "auc": "AUC",
    "coefficient": "GEN",
}
_RATIO_MEASURES = {"OR", "RR", "HR"}

MISSING_N = "missing: the text gives no n for this measurement; supply it with n={record_id: n}"


def _frame(rows: list[dict], columns: list[str], **attrs) -> StudyTable:
    table = StudyTable(rows, columns=columns) if rows else StudyTable(columns=columns)
    for column in columns:
        if column in _INT_COLUMNS or column.endswith(("_start", "_end")):
            table[column] = pd.to_numeric(table[column], errors="coerce").astype("Int64")
        elif column in _FLOAT_COLUMNS:
            table[column] = pd.to_numeric(table[column], errors="coerce").astype("float64")
        else:
            table[column] = table[column].astype("string")
    table.attrs.update(attrs)
    return table


def _label(labels, record_id) -> str:
    if labels and record_id in labels:
        return str(labels[record_id])
    return str(record_id)


def _scale_max(text) -> float:
    found = re.fullmatch(r"(?:0 ?[-–] ?)?(\d+(?:\.\d+)?)", " ".join(str(text).split()))
    if not found:
        raise ValueError(f"scale must look like '0-10' or 10, got {text!r}")
    return float(found.group(1))


def _instrument_max(block: pd.DataFrame, outcome: str, scale_max) -> float:
    """Return the top of the instrument's scale: given, else 100 if any value exceeds 10.

    Means and range ends are read, not mean + SD: 8.5 ± 2.1 on a 0-10 scale is common.
    """
    if scale_max:
        for key in (outcome, block["record_id"].iloc[0]):
            if key in scale_max:
                return float(scale_max[key])
    seen = pd.concat([block["value"], block["range_high"], block["iqr_high"]])
    return 100.0 if (seen.dropna() > 10).any() else 10.0


def _find_n(stats, record_id, outcome, group, measured: list[pd.Series], n, n_from):
    """Return ``(n, source_row, n_source, note)`` for a measurement, never guessing silently."""
    given = n_override(n, record_id, outcome, None if pd.isna(group) else group)
    if given is not None:
        return given, None, "given by the caller (n=)", ""
    totals = [(row, int(row["total"])) for row in measured if not pd.isna(row["total"])]
    if totals:
        row, value = totals[-1]  # the follow-up's own n when both are given
        note = ""
        if len({v for _, v in totals}) > 1:
            note = f"n differs between timepoints ({', '.join(str(v) for _, v in totals)}): " \
                   f"the follow-up n {value} is used"
        source = n_source_row(stats, record_id, value, row["start"])
        return value, source if source is not None else row, \
            "total the text attaches to the measurement", note
    if n_from == "sample_size":
        row = record_sample_size(stats, record_id)
        if row is not None:
            value = int(row["value"])
            return value, row, f"the study's sample size ({row['text']!r}, its largest count " \
                "of people), not stated for the measurement", \
                f"n = {value} from the study's sample size"
    return pd.NA, None, MISSING_N, ""


def pre_post(
    stats: pd.DataFrame,
    outcome=None,
    baseline="baseline",
    followup=None,
    ri: float | Mapping = 0.5,
    scale=None,
    n: Mapping | None = None,
    n_from: str = "measurement",
    scale_max: Mapping | None = None,
    reverse=None,
    labels: Mapping | None = None,
) -> StudyTable:
    """Before/after means of one group, one row per study and follow-up time, for ``escalc``.

    Parameters
    ----------
    stats : pandas.DataFrame
        The statistics table of :func:`evidextract.extract`.
    outcome : str or list of str, optional
        Outcomes to keep, e.g. ``"NRS,VAS"``; matched case-insensitively, by common long
        forms too ("numerical pain rating scale" is NRS). Default: every outcome.
    baseline : str or float, default "baseline"
        The timepoint of the "before" mean: words such as ``"baseline"`` or
        ``"preoperatively"``, or days.
    followup : str or float, optional
        The timepoint of the "after" mean: ``"1month"``, ``"24 h"``, ``"12 weeks"``, days,
        or text found in ``timepoint`` (``"last"``). Default: every follow-up time.
    ri : float or mapping, default 0.5
        Correlation between baseline and follow-up, which abstracts rarely give; a mapping
        gives it per record id. Stated in the ``ri`` and ``imputed`` columns.
    scale : str or float, optional
        Put pain scales on one scale before pooling raw changes: ``"0-10"`` maps a 0-100 VAS
        onto 0-10. The instrument's top is ``scale_max[outcome]`` or ``scale_max[record_id]``
        when given, else 100 when any value or range exceeds 10, else 10.
    n : mapping, optional
        n supplied by the reader: ``{record_id: n}``, ``{(record_id, outcome): n}``.
    n_from : {"measurement", "sample_size"}, default "measurement"
        Where n comes from when ``n`` does not give it: only the total the text attaches to
        the measurement (else missing), or also, as a fallback flagged in ``imputed``, the
        study's enrolment: its largest count of people ("51 consecutive patients").
    scale_max : mapping, optional
        Top of an instrument's scale by outcome or record id, e.g. ``{"VAS": 100}``.
    reverse : str or list of str, optional
        Outcomes where higher is better, flipped (``top - x``) so that higher = worse.
    labels : mapping, optional
        Study labels by record id (default: the record id).

    Returns
    -------
    StudyTable
        A DataFrame with columns ``study, record_id, outcome, group, timepoint,
        timepoint_days`` (of the follow-up), ``m1i, sd1i`` (follow-up mean and SD),
        ``m2i, sd2i`` (baseline), ``ni, ri``, ``scale, rescaled, direction``, ``imputed``
        (every conversion or assumption, empty when none), ``n_source`` (where n came from,
        or why it is missing), and the source span of each number: ``m1i_start, m1i_end,
        m1i_text, m1i_sentence`` and the same for ``m2i`` and ``ni``. Studies with no
        matching baseline or follow-up are listed in ``table.attrs["skipped"]``.

    Notes
    -----
    ``m1i - m2i`` is the change, metafor's convention for ``measure="MC"``, ``"SMCC"`` and
    ``"SMCR"``: a fall in pain is negative.

    Examples
    --------
    >>> import pandas as pd
    >>> stats = pd.DataFrame({
    ...     "record_id": ["r1", "r1"], "stat": ["mean", "mean"], "value": [6.8, 2.5],
    ...     "sd": [2.2, 2.6], "total": [64, 64], "outcome": ["NRS", "NRS"],
    ...     "timepoint": ["baseline", "1 month"], "timepoint_days": [0.0, 30.4375],
    ...     "text": ["6.8 ± 2.2", "2.5 ± 2.6"]})
    >>> table = pre_post(stats, outcome="NRS", followup="1month")
    >>> table[["m1i", "sd1i", "m2i", "sd2i", "ni", "ri", "imputed"]]
       m1i  sd1i  m2i  sd2i  ni   ri          imputed
    0  2.5   2.6  6.8   2.2  64  0.5  imputed r = 0.5
    """
    if n_from not in ("measurement", "sample_size"):
        raise ValueError(f"n_from must be 'measurement' or 'sample_size', got {n_from!r}")
    stats = as_stats(stats)
    target = _scale_max(scale) if scale is not None else None
    reverse = set(as_list(reverse) or [])
    rows = _select(stats, ["mean", "median"], outcome)
    is_base = timepoint_mask(rows, baseline)
    if followup is None:
        is_follow = ~is_base & (rows["timepoint"].notna() | rows["timepoint_days"].notna())
    else:
        is_follow = timepoint_mask(rows, followup) & ~is_base
    out, skipped = [], []
    keys = [rows["record_id"], rows["_outcome"], rows["group"].fillna("")]
    for (record_id, name, group), block in rows.groupby(keys, sort=False):
        group = group or pd.NA
        bases, follows = block[is_base[block.index]], block[is_follow[block.index]]
        if bases.empty or follows.empty:
            what = "baseline" if bases.empty else \
                "follow-up" if followup is None else f"follow-up {followup}"
            skipped.append({"record_id": record_id, "outcome": name, "reason": f"no {what} mean"})
            continue
        base = bases.iloc[0]
        top = _instrument_max(block, name, scale_max) if target else None
        for _, follow in follows.iterrows():
            n_value, n_row, n_source, n_note = _find_n(stats, record_id, name, group,
                                                       [base, follow], n, n_from)
            n_arg = None if pd.isna(n_value) else n_value
            m1, sd1, note1 = mean_and_sd(follow, n_arg)
            m2, sd2, note2 = mean_and_sd(base, n_arg)
            rescaled = direction = scale_text = pd.NA
            if target:
                factor = target / top
                m1, sd1, m2, sd2 = m1 * factor, sd1 * factor, m2 * factor, sd2 * factor
                rescaled = (f"{name} 0-{top:g} -> 0-{target:g} (x {factor:g})" if factor != 1
                            else f"{name} 0-{top:g} (as reported)")
                if name in reverse:
                    m1, m2 = target - m1, target - m2
                    rescaled += "; reversed so that higher = worse"
                scale_text, direction = f"0-{target:g}", "higher = worse"
            if not isinstance(ri, Mapping):
                r, r_note = float(ri), f"imputed r = {float(ri):g}"
            elif record_id in ri:
                r, r_note = float(ri[record_id]), f"r = {float(ri[record_id]):g} given (ri=)"
            else:
                r, r_note = math.nan, "r missing: ri= gives none for this study"
            out.append({
                "study": _label(labels, record_id), "record_id": record_id, "outcome": name,
                "group": group, "timepoint": follow["timepoint"],
                "timepoint_days": follow["timepoint_days"],
                "m1i": m1, "sd1i": sd1, "m2i": m2, "sd2i": sd2, "ni": n_value, "ri": r,
                "scale": scale_text, "rescaled": rescaled, "direction": direction,
                "imputed": join_notes(
                    f"follow-up: {note1}" if note1 else "", f"baseline: {note2}" if note2 else "",
                    n_note, r_note),
                "n_source": n_source,
                **span_of(follow, "m1i"), **span_of(base, "m2i"), **span_of(n_row, "ni"),
            })  # fmt: skip
    return _frame(out, PRE_POST_COLUMNS, skipped=skipped)


def _group_rows(rows: pd.DataFrame, wanted: str) -> pd.DataFrame:
    folded = rows["group"].fillna("").str.casefold()
    return rows[folded == wanted.casefold()]


def two_groups(
    stats: pd.DataFrame,
    groups: tuple[str, str],
    outcome=None,
    timepoint=None,
    n: Mapping | None = None,
    labels: Mapping | None = None,
) -> StudyTable:
    """Means, SDs and n of two arms, one row per study, for ``escalc("SMD")`` or ``"MD"``.

    Parameters
    ----------
    stats : pandas.DataFrame
        The statistics table.
    groups : tuple of (str, str)
        The two arms as the ``group`` column names them (case-insensitive); the first is
        the treatment arm (``m1i``), the second the control (``m2i``).
    outcome : str or list of str, optional
        Outcomes to keep (default: all).
    timepoint : str or float, optional
        Keep only means at this timepoint.
    n : mapping, optional
        n by ``(record_id, group)`` or ``(record_id, outcome, group)``.
    labels : mapping, optional
        Study labels by record id.

    Returns
    -------
    StudyTable
        Columns ``study, record_id, outcome, timepoint, group1, group2, m1i, sd1i, n1i, m2i,
        sd2i, n2i, imputed, n_source`` and the spans of ``m1i, m2i, n1i, n2i``. An arm's n
        is the ``total`` the text attaches to its mean, else the sample size stated for that
        group, else missing.

    Examples
    --------
    >>> import pandas as pd
    >>> stats = pd.DataFrame({"record_id": ["r", "r"], "stat": ["mean", "mean"],
    ...     "value": [5.0, 6.5], "sd": [1.0, 1.5], "total": [20, 22], "outcome": ["VAS", "VAS"],
    ...     "group": ["cryoablation", "radiotherapy"]})
    >>> two_groups(stats, groups=("cryoablation", "radiotherapy"))[["m1i", "n1i", "m2i", "n2i"]]
       m1i  n1i  m2i  n2i
    0  5.0   20  6.5   22
    """
    stats = as_stats(stats)
    rows = _select(stats, ["mean", "median"], outcome)
    if timepoint is not None:
        rows = rows[timepoint_mask(rows, timepoint)]
    out = []
    for (record_id, name), block in rows.groupby([rows["record_id"], rows["_outcome"]], sort=False):
        arms = [_group_rows(block, g) for g in groups]
        if any(arm.empty for arm in arms):
            continue
        record = {"study": _label(labels, record_id), "record_id": record_id, "outcome": name,
                  "timepoint": arms[0].iloc[0]["timepoint"], "group1": groups[0],
                  "group2": groups[1]}
        notes, sources = [], []
        for i, arm in enumerate(arms, start=1):
            row = arm.iloc[0]
            given = n_override(n, record_id, name, groups[i - 1])
            if given is None and n:
                given = n.get((record_id, groups[i - 1]))
            n_row = None
            if given is not None:
                n_value, source = int(given), "given by the caller (n=)"
            elif not pd.isna(row["total"]):
                n_value, source = int(row["total"]), "total attached to the mean"
                n_row = n_source_row(stats, record_id, n_value, row["start"])
            else:
                sizes = _group_rows(stats[(stats["record_id"] == record_id)
                                          & (stats["stat"] == "sample_size")], groups[i - 1])
                if not sizes.empty:
                    n_row = sizes.iloc[0]
                    n_value, source = int(n_row["value"]), "sample size stated for the group"
                else:
                    n_value, source = pd.NA, MISSING_N
            mean, sd, note = mean_and_sd(row, None if pd.isna(n_value) else n_value)
            record.update({f"m{i}i": mean, f"sd{i}i": sd, f"n{i}i": n_value,
                           **span_of(row, f"m{i}i"),
                           **span_of(n_row if n_row is not None else None, f"n{i}i")})
            notes.append(f"{groups[i - 1]}: {note}" if note else "")
            sources.append(f"{groups[i - 1]}: {source}")
        record["imputed"] = join_notes(*notes)
        record["n_source"] = "; ".join(sources)
        out.append(record)
    return _frame(out, TWO_GROUPS_COLUMNS)


def _select(stats, kinds, outcome, keep_unnamed=False):
    """Rows of the given ``stat`` kinds whose outcome matches, with it in ``_outcome``."""
    rows = stats[stats["stat"].isin(kinds).fillna(False)].copy()
    rows["_outcome"] = rows["outcome"].map(outcome_matcher(as_list(outcome)))
    return rows if keep_unnamed else rows[rows["_outcome"].notna()]


def proportions(
    stats: pd.DataFrame,
    outcome=None,
    group=None,
    n: Mapping | None = None,
    labels: Mapping | None = None,
) -> StudyTable:
    """Events and totals, one row per reported proportion, for ``escalc("PR")`` and kin.

    Parameters
    ----------
    stats : pandas.DataFrame
        The statistics table.
    outcome : str or list of str, optional
        Outcomes to keep (default: all).
    group : str, optional
        Keep only proportions of this group.
    n : mapping, optional
        Totals by record id or ``(record_id, outcome)`` where the text gives none.
    labels : mapping, optional
        Study labels by record id.

    Returns
    -------
    StudyTable
        Columns ``study, record_id, outcome, group, timepoint, xi`` (events), ``ni``
        (total), ``pi`` (the proportion as written), ``imputed`` (says when events were
        computed from a percentage and a total), ``n_source``, and the span of ``xi``.

    Examples
    --------
    >>> import pandas as pd
    >>> stats = pd.DataFrame({"record_id": ["r"], "stat": ["proportion"], "value": [0.531],
    ...     "count": [34], "total": [64], "outcome": ["completely pain-free"]})
    >>> proportions(stats)[["xi", "ni", "pi"]]
       xi  ni     pi
    0  34  64  0.531
    """
    stats = as_stats(stats)
    rows = _select(stats, ["proportion"], outcome)
    if group is not None:
        rows = _group_rows(rows, group)
    out = []
    for _, row in rows.iterrows():
        record_id, name = row["record_id"], row["_outcome"]
        note = ""
        given = n_override(n, record_id, name)
        if not pd.isna(row["total"]):
            total, source = int(row["total"]), "total stated with the proportion"
        elif given is not None:
            total, source = given, "given by the caller (n=)"
        else:
            total, source = pd.NA, MISSING_N
        if not pd.isna(row["count"]):
            events = int(row["count"])
        elif not pd.isna(total) and not pd.isna(row["value"]):
            events = int(round(row["value"] * total))
            note = f"events = round({row['value']:g} x {total})"
        else:
            events = pd.NA
        out.append({"study": _label(labels, record_id), "record_id": record_id, "outcome": name,
                    "group": row["group"], "timepoint": row["timepoint"], "xi": events,
                    "ni": total, "pi": row["value"], "imputed": note, "n_source": source,
                    **span_of(row, "xi")})
    return _frame(out, PROPORTIONS_COLUMNS)


def estimates(
    stats: pd.DataFrame,
    stat=None,
    outcome=None,
    labels: Mapping | None = None,
) -> StudyTable:
    """Turn reported estimates with CIs (OR, RR, HR, SMD, MD, AUC) into ``yi`` and ``vi``.

    Parameters
    ----------
    stats : pandas.DataFrame
        The statistics table.
    stat : str or list of str, optional
        Kinds to keep, from ``odds_ratio, risk_ratio, hazard_ratio, smd, mean_difference,
        auc, coefficient`` (default: all of them).
    outcome : str or list of str, optional
        Outcomes to keep (default: all).
    labels : mapping, optional
        Study labels by record id.

    Returns
    -------
    StudyTable
        Columns ``study, record_id, outcome, group, timepoint, measure`` (metafor's code),
        ``estimate, ci_low, ci_high, ci_level`` (as reported), ``yi`` (log scale for
        ratios), ``sei``, ``vi``, ``se_source`` (``"95% CI"``, ``"reported SE"``, or why
        there is none), ``imputed`` (empty: the generic route assumes nothing), and the
        span of the estimate (``yi_*``).

    Notes
    -----
    The generic route of :func:`evidextract.escalc` (``measure="GEN"``, as metafor's
    ``conv.wald``): for ratios ``yi = log(estimate)`` and
    ``sei = (log(ci_high) - log(ci_low)) / (2 z)``; for differences
    ``sei = (ci_high - ci_low) / (2 z)``, with ``z`` the normal quantile of
    ``(1 + ci_level) / 2``; a reported SE is used instead when there is one (not for
    ratios, whose SE's scale an abstract seldom says). ``vi = sei ** 2``.

    Examples
    --------
    >>> import pandas as pd
    >>> stats = pd.DataFrame({"record_id": ["r"], "stat": ["odds_ratio"], "value": [2.1],
    ...     "ci_low": [1.3], "ci_high": [3.4], "ci_level": [0.95], "outcome": ["fracture"]})
    >>> estimates(stats)[["measure", "yi", "sei"]].round(4)
      measure      yi     sei
    0      OR  0.7419  0.2453
    """
    stats = as_stats(stats)
    kinds = as_list(stat) or list(ESTIMATE_MEASURES)
    unknown = set(kinds) - set(ESTIMATE_MEASURES)
    if unknown:
        raise ValueError(f"unknown estimate kind(s) {sorted(unknown)}; "
                         f"valid: {sorted(ESTIMATE_MEASURES)}")
    rows = _select(stats, kinds, outcome, keep_unnamed=outcome is None)
    out = []
    for _, row in rows.iterrows():
        measure = ESTIMATE_MEASURES[row["stat"]]
        value, low, high = row["value"], row["ci_low"], row["ci_high"]
        level = float(row["ci_level"]) if not pd.isna(row["ci_level"]) else 0.95
        ratio = measure in _RATIO_MEASURES
        has_ci = not (pd.isna(low) or pd.isna(high))
        has_se = not pd.isna(row["se"]) and not ratio  # a ratio's SE: scale unknown
        usable = not pd.isna(value) and (not ratio or (value > 0 and (not has_ci or low > 0)))
        yi = sei = math.nan
        se_source = "none: no CI or SE, variance unknown"
        if usable and (has_ci or has_se):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # an asymmetric CI is common after rounding
                sizes = escalc(
                    "GEN", yi=[value], sei=[row["se"]] if has_se else None,
                    ci_low=[low] if has_ci and not has_se else None,
                    ci_high=[high] if has_ci and not has_se else None,
                    level=level, scale="log" if ratio else "identity")
            yi, sei = float(sizes["yi"].iloc[0]), float(sizes["sei"].iloc[0])
            se_source = "reported SE" if has_se else f"{level:.0%} CI"
        elif usable:
            yi = math.log(value) if ratio else float(value)
        else:
            se_source = "none: a ratio must be positive" if ratio else "none: no estimate"
        out.append({"study": _label(labels, row["record_id"]), "record_id": row["record_id"],
                    "outcome": row["outcome"], "group": row["group"],
                    "timepoint": row["timepoint"], "measure": measure, "estimate": value,
                    "ci_low": low, "ci_high": high, "ci_level": row["ci_level"], "yi": yi,
                    "sei": sei, "vi": sei**2, "se_source": se_source, "imputed": "",
                    **span_of(row, "yi")})
    return _frame(out, ESTIMATES_COLUMNS)
