"""Shared helpers of the study tables: column checks, outcome and timepoint matching, spans."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

#: Columns of the statistics table the study tables read (STATS_SCHEMA.md, version 1).
STATS_COLUMNS = {
    "record_id": "string",
    "section": "string",
    "start": "Int64",
    "end": "Int64",
    "text": "string",
    "sentence": "string",
    "stat": "string",
    "value": "float64",
    "comparator": "string",
    "sd": "float64",
    "se": "float64",
    "ci_low": "float64",
    "ci_high": "float64",
    "ci_level": "float64",
    "range_low": "float64",
    "range_high": "float64",
    "iqr_low": "float64",
    "iqr_high": "float64",
    "count": "Int64",
    "total": "Int64",
    "unit": "string",
    "outcome": "string",
    "timepoint": "string",
    "timepoint_days": "float64",
    "group": "string",
}

#: Other names of the outcomes reviewers pool most, compared case-insensitively.
OUTCOME_ALIASES = {
    "nrs": (
        "numeric rating scale",
        "numerical rating scale",
        "numeric pain rating scale",
        "numerical pain rating scale",
        "nprs",
        "pain nrs",
    ),
    "vas": ("visual analog scale", "visual analogue scale", "pain vas", "vas score", "vas scores"),
}

#: Timepoint words that mean "before treatment".
BASELINE_WORDS = (
    "baseline",
    "preoperatively",
    "preoperative",
    "pre-operative",
    "pre-operatively",
    "before treatment",
    "pretreatment",
    "pre-treatment",
    "pre-procedure",
    "preprocedure",
    "before the procedure",
    "before",
)

_DAYS_PER_UNIT = {
    "h": 1 / 24,
    "hr": 1 / 24,
    "hrs": 1 / 24,
    "hour": 1 / 24,
    "hours": 1 / 24,
    "d": 1.0,
    "day": 1.0,
    "days": 1.0,
    "w": 7.0,
    "wk": 7.0,
    "wks": 7.0,
    "week": 7.0,
    "weeks": 7.0,
    "m": 30.4375,
    "mo": 30.4375,
    "mos": 30.4375,
    "month": 30.4375,
    "months": 30.4375,
    "y": 365.25,
    "yr": 365.25,
    "yrs": 365.25,
    "year": 365.25,
    "years": 365.25,
}
_TIMEPOINT = re.compile(r"(\d+(?:\.\d+)?) ?-? ?([a-z]+)")  # on folded text, full match

#: Units that count people, for the record-level sample size fallback.
PERSON_UNITS = ("patients", "participants", "subjects", "individuals", "people", "cases", "women",
                "men", "adults", "children")


def as_stats(stats: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of a statistics table with every schema column present and typed.

    Parameters
    ----------
    stats : pandas.DataFrame
        The table :func:`evidextract.extract` returns, or a gold table read from JSON Lines
        (which leaves out the columns a row does not state).

    Returns
    -------
    pandas.DataFrame
        The same rows; absent columns added as missing values.
    """
    if not isinstance(stats, pd.DataFrame):
        raise TypeError(f"expected a statistics DataFrame, got {type(stats).__name__}")
    out = stats.copy()
    out.attrs = {}  # extract's attrs hold DataFrames, which pandas cannot compare in concat
    for column, dtype in STATS_COLUMNS.items():
        if column not in out.columns:
            missing = np.nan if dtype == "float64" else pd.NA
            out[column] = pd.Series(missing, index=out.index, dtype=dtype)
        elif dtype == "Int64":
            out[column] = pd.to_numeric(out[column], errors="coerce").round().astype("Int64")
        elif dtype == "float64":
            out[column] = pd.to_numeric(out[column], errors="coerce").astype("float64")
        else:
            out[column] = out[column].astype("string")
    return out


def as_list(value: str | Iterable[str] | None) -> list[str] | None:
    """Return ``value`` as a list of strings: ``"NRS,VAS"`` and ``["NRS", "VAS"]`` alike."""
    if value is None:
        return None
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [str(part) for part in value]


def _fold(text) -> str:
    return " ".join(str(text).casefold().split())


def outcome_matcher(wanted: list[str] | None):
    """Return a function mapping an outcome as written to the wanted name it matches, or None.

    An outcome matches when it equals a wanted name, one of that name's aliases
    (:data:`OUTCOME_ALIASES`), or contains one of them as whole words, compared
    case-insensitively: ``"VAS scores"`` matches ``"VAS"``.
    """
    if wanted is None:
        return lambda outcome: None if pd.isna(outcome) else str(outcome)
    forms = []
    for name in wanted:
        key = _fold(name)
        for form in (key, *OUTCOME_ALIASES.get(key, ())):
            forms.append((re.compile(rf"(?<!\w){re.escape(form)}(?!\w)"), name))

    def match(outcome):
        if pd.isna(outcome):
            return None
        folded = _fold(outcome)
        for pattern, name in forms:
            if pattern.search(folded):
                return name
        return None

    return match


def parse_timepoint(spec) -> float | str | None:
    """Return a timepoint specification as days, or as folded text to compare with ``timepoint``.

    Examples
    --------
    >>> parse_timepoint("1month"), parse_timepoint("24 h"), parse_timepoint("12 weeks")
    (30.4375, 1.0, 84.0)
    >>> parse_timepoint("baseline"), parse_timepoint("last follow-up")
    (0.0, 'last follow-up')
    """
    if spec is None:
        return None
    if isinstance(spec, int | float | np.number):
        return float(spec)
    text = _fold(spec)
    if text in BASELINE_WORDS:
        return 0.0
    found = _TIMEPOINT.fullmatch(text)
    if found and found.group(2) in _DAYS_PER_UNIT:
        return float(found.group(1)) * _DAYS_PER_UNIT[found.group(2)]
    return text


def timepoint_mask(stats: pd.DataFrame, spec) -> pd.Series:
    """Rows of ``stats`` at the timepoint ``spec`` (days compared exactly, text as a substring)."""
    wanted = parse_timepoint(spec)
    days = stats["timepoint_days"]
    written = stats["timepoint"].fillna("").map(_fold)
    if isinstance(wanted, float):
        by_days = pd.Series(np.isclose(days.fillna(-1.0), wanted, rtol=0, atol=1e-6),
                            index=stats.index)
        if wanted == 0.0:
            by_days |= written.isin(BASELINE_WORDS)
        return by_days
    return written.str.contains(wanted, regex=False) & (written != "")


def span_of(row: pd.Series | None, prefix: str) -> dict:
    """Return the source span of a statistics row as ``{prefix_start, prefix_end, ...}``."""
    if row is None:
        return {f"{prefix}_{key}": pd.NA for key in ("start", "end", "text", "sentence")}
    return {
        f"{prefix}_start": row["start"],
        f"{prefix}_end": row["end"],
        f"{prefix}_text": row["text"],
        f"{prefix}_sentence": row["sentence"],
    }


def span_columns(prefix: str) -> list[str]:
    """Names of the four span columns of one number."""
    return [f"{prefix}_{key}" for key in ("start", "end", "text", "sentence")]


def n_override(n: Mapping | None, record_id, outcome=None, group=None):
    """Return the n a caller supplied for a study, or None.

    ``n`` maps a record id, ``(record_id, outcome)`` or ``(record_id, outcome, group)`` to
    an integer; the most specific key wins.
    """
    if not n:
        return None
    for key in ((record_id, outcome, group), (record_id, outcome), record_id):
        if key in n and n[key] is not None and not pd.isna(n[key]):
            return int(n[key])
    return None


def n_source_row(stats: pd.DataFrame, record_id, n_value: int, before: int | None):
    """Return the row stating ``n_value`` units in a record: a sample size or a count.

    Prefers the last such row before offset ``before`` (the measurement the n belongs to).
    """
    rows = stats[stats["record_id"] == record_id]
    stated = (
        ((rows["stat"] == "sample_size") & np.isclose(rows["value"].fillna(-1), n_value))
        | ((rows["stat"] == "proportion")
           & (rows["count"].astype("Float64") == n_value).fillna(False))
    )
    rows = rows[stated.astype(bool)]
    if rows.empty:
        return None
    if before is not None and not pd.isna(before) and rows["start"].notna().any():
        earlier = rows[rows["start"].fillna(np.iinfo(np.int64).max) <= before]
        if not earlier.empty:
            return earlier.iloc[-1]
    return rows.iloc[0]


def record_sample_size(stats: pd.DataFrame, record_id):
    """Return the record's enrolment: its largest count of people, or None when it gives none.

    Counts of people are ``sample_size`` rows whose unit ends in a word such as
    ``patients`` ("51 consecutive patients"); counts of a group or an outcome are left out.
    """
    rows = stats[(stats["record_id"] == record_id) & (stats["stat"] == "sample_size")]
    rows = rows[rows["group"].isna() & rows["outcome"].isna() & rows["value"].notna()]
    last_word = rows["unit"].fillna("").map(lambda unit: _fold(unit).split(" ")[-1])
    rows = rows[last_word.isin(PERSON_UNITS)]
    if rows.empty:
        return None
    return rows.loc[rows["value"].idxmax()]


def join_notes(*notes) -> str:
    """Join the non-empty notes with ``"; "``."""
    return "; ".join(note for note in notes if note)
