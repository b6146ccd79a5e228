"""Abstracts with their extracted statistics highlighted, in the style of spaCy's displaCy."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from evidextract.review._frames import as_stats

#: Background colour of each kind of statistic (displaCy's palette).
STAT_COLORS = {
    "mean": "#7aecec",
    "median": "#bfeeb7",
    "proportion": "#feca74",
    "sample_size": "#c887fb",
    "p_value": "#ddd",
    "auc": "#aa9cfc",
    "sensitivity": "#9cc9cc",
    "specificity": "#9cc9cc",
    "accuracy": "#9cc9cc",
    "icc": "#ffeb80",
    "kappa": "#ffeb80",
    "correlation": "#ffeb80",
    "i2": "#ff8197",
    "smd": "#ff9561",
    "mean_difference": "#ff9561",
    "odds_ratio": "#e4e7d2",
    "risk_ratio": "#e4e7d2",
    "hazard_ratio": "#e4e7d2",
    "coefficient": "#f0d0ff",
    "quantity": "#bfe1d9",
}
_DEFAULT_COLOR = "#ddd"
_MARK = ('<mark class="entity" style="background: {color}; padding: 0.45em 0.6em; '
         'margin: 0 0.25em; line-height: 1; border-radius: 0.35em;" title="{title}">{text}'
         '<span style="font-size: 0.8em; font-weight: bold; line-height: 1; '
         'border-radius: 0.35em; vertical-align: middle; margin-left: 0.5rem">{label}</span>'
         "</mark>")
_DETAIL_FIELDS = ("value", "comparator", "sd", "se", "ci_low", "ci_high", "iqr_low", "iqr_high",
                  "range_low", "range_high", "count", "total", "unit", "outcome", "timepoint",
                  "group", "pattern_id")


class Highlights:
    """Rendered abstracts: shows itself in Jupyter, prints as text, saves as an HTML page.

    Attributes
    ----------
    html : str
        The HTML fragment; every character that came from a file is escaped.
    located, missing : int
        Statistics placed in their abstract, and statistics whose span could not be found.
    """

    def __init__(self, fragment: str, located: int, missing: int, n_records: int):
        self.html = fragment
        self.located = located
        self.missing = missing
        self.n_records = n_records

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return (f"<Highlights: {self.located} statistics in {self.n_records} records"
                f"{f', {self.missing} not located' if self.missing else ''}>")

    def save(self, path) -> Path:
        """Write a standalone HTML page and return its path."""
        path = Path(path)
        path.write_text(
            '<!DOCTYPE html><html><head><meta charset="utf-8"><title>evidextract</title>'
            f"</head><body>{self.html}</body></html>",
            encoding="utf-8",
        )
        return path


def _title(row: pd.Series) -> str:
    parts = []
    for field in _DETAIL_FIELDS:
        value = row.get(field)
        if value is not None and not (not isinstance(value, str) and pd.isna(value)):
            parts.append(f"{field}: {value:g}" if isinstance(value, float) else f"{field}: {value}")
    return "\n".join(parts)


def _locate(abstract: str, rows: pd.DataFrame) -> list[tuple[int, int, pd.Series]]:
    """Place each statistic: by its offsets when they hold, else at its text's next match."""
    spans, cursor = [], 0
    for _, row in rows.iterrows():
        start, end, text = row["start"], row["end"], row["text"]
        if not pd.isna(start) and not pd.isna(end) and abstract[int(start):int(end)] == text:
            spans.append((int(start), int(end), row))
            continue
        if pd.isna(text) or not text:
            continue
        found = abstract.find(text, cursor)
        if found < 0:
            found = abstract.find(text)
        if found >= 0:
            spans.append((found, found + len(text), row))
            cursor = found + len(text)
    return spans


def _render(abstract: str, spans) -> str:
    pieces, cursor = [], 0
    for start, end, row in sorted(spans, key=lambda item: (item[0], -item[1])):
        if start < cursor:  # overlapping span: keep the first, its row stays in the table
            continue
        stat = "" if pd.isna(row["stat"]) else str(row["stat"])
        pieces.append(html.escape(abstract[cursor:start]))
        pieces.append(_MARK.format(
            color=STAT_COLORS.get(stat, _DEFAULT_COLOR),
            title=html.escape(_title(row), quote=True),
            text=html.escape(abstract[start:end]),
            label=html.escape(stat.upper()),
        ))
        cursor = end
    pieces.append(html.escape(abstract[cursor:]))
    return "".join(pieces)


def _by_sentence(stats: pd.DataFrame) -> Highlights:
    """Each sentence once, with every statistic found in it highlighted."""
    sentences = stats.assign(_sentence=stats["sentence"].fillna(stats["text"]).fillna(""))
    sentences = sentences.assign(start=pd.NA, end=pd.NA)  # offsets index the abstract
    parts, located = [], 0
    keys = [sentences["record_id"].fillna(""), sentences["_sentence"]]
    for (record_id, sentence), rows in sentences.groupby(keys, sort=False):
        spans = _locate(sentence, rows)
        located += len(spans)
        parts.append(f"<p><code>{html.escape(str(record_id))}</code> "
                     f"{_render(sentence, spans)}</p>")
    fragment = ('<div class="entities" style="line-height: 2.5; direction: ltr">'
                f"{''.join(parts)}</div>")
    return Highlights(fragment, located, len(stats) - located, stats["record_id"].nunique())


def show(records: pd.DataFrame | None, stats: pd.DataFrame, max_records: int | None = 50):
    """Render abstracts with each extracted statistic highlighted and labelled.

    Parameters
    ----------
    records : pandas.DataFrame or None
        The records table of :func:`evidextract.read` (``record_id``, ``abstract``, and
        ``title`` when there is one; a gold ``records.jsonl`` with ``id`` works too). With
        None, the statistics table is shown sentence by sentence: each sentence once,
        with every statistic in it highlighted.
    stats : pandas.DataFrame
        The statistics table of :func:`evidextract.extract` for those records.
    max_records : int or None, default 50
        Render at most this many records (None: all).

    Returns
    -------
    Highlights
        Shows itself in a notebook (``_repr_html_``); ``.html`` is the fragment and
        ``.save(path)`` writes a page. Everything that came from a file is HTML-escaped,
        so markup in an abstract is shown as text, never run.

    Notes
    -----
    A statistic is placed by its ``start``/``end`` offsets when ``abstract[start:end]``
    equals its ``text``, else at the next occurrence of its text. Hovering a highlight shows
    the parsed fields (value, SD, CI, n, outcome, timepoint).

    Examples
    --------
    >>> import pandas as pd
    >>> records = pd.DataFrame({"record_id": ["r1"], "title": ["<b>T</b>"],
    ...                         "abstract": ["Pain fell (p < 0.001) <script>x</script>."]})
    >>> stats = pd.DataFrame({"record_id": ["r1"], "start": [11], "end": [20],
    ...                       "text": ["p < 0.001"], "stat": ["p_value"], "value": [0.001]})
    >>> view = show(records, stats)
    >>> "<script>" in view.html, "&lt;script&gt;" in view.html, "P_VALUE" in view.html
    (False, True, True)
    """
    stats = as_stats(stats)
    if records is None:
        return _by_sentence(stats)
    if "record_id" not in records.columns and "id" in records.columns:
        records = records.rename(columns={"id": "record_id"})
    parts, located, missing = [], 0, 0
    chosen = records if max_records is None else records.head(max_records)
    for _, record in chosen.iterrows():
        abstract = record.get("abstract")
        abstract = "" if abstract is None or pd.isna(abstract) else str(abstract)
        rows = stats[stats["record_id"] == record["record_id"]]
        spans = _locate(abstract, rows)
        located += len(spans)
        missing += len(rows) - len(spans)
        title = record.get("title")
        title = "" if title is None or pd.isna(title) else str(title)
        parts.append(
            '<div class="evidextract-record" style="margin-bottom: 1.5em">'
            f"<h4>{html.escape(title)} <code>{html.escape(str(record['record_id']))}</code> "
            f"<small>({len(rows)} statistics)</small></h4>"
            f'<div class="entities" style="line-height: 2.5; direction: ltr">'
            f"{_render(abstract, spans)}</div></div>"
        )
    if missing:
        parts.append(f"<p><i>{missing} statistics could not be placed in their abstract.</i></p>")
    return Highlights("".join(parts), located, missing, len(chosen))
