"""Load the rule patterns shipped as data in ``evidextract/extract/patterns/*.jsonl``."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

#: Pattern files, one family of rules each.
PATTERN_FILES = (
    "stat_keywords.jsonl",
    "outcomes.jsonl",
    "timepoints.jsonl",
    "units.jsonl",
    "count_nouns.jsonl",
    "attachments.jsonl",
    "exclusions.jsonl",
)


@cache
def load_patterns(name: str) -> tuple[dict, ...]:
    """Return the ``{"label", "pattern", "id"}`` objects of one pattern file.

    Parameters
    ----------
    name : str
        File name inside the package folder ``patterns/``, e.g. ``"units.jsonl"``.

    Returns
    -------
    tuple of dict
        One dict a line, in spaCy's ``SpanRuler`` pattern format.

    Examples
    --------
    >>> rows = load_patterns("units.jsonl")
    >>> rows[0]["label"], sorted(rows[0])
    ('UNIT', ['id', 'label', 'pattern'])
    """
    folder = resources.files("evidextract.extract").joinpath("patterns")
    text = folder.joinpath(name).read_text(encoding="utf-8")
    return tuple(json.loads(line) for line in text.splitlines() if line.strip())


def all_patterns() -> list[dict]:
    """Return the patterns of every file of :data:`PATTERN_FILES`, in order.

    Examples
    --------
    >>> labels = {p["label"] for p in all_patterns()}
    >>> sorted(labels)[:3]
    ['CI', 'COUNT_NOUN', 'NOT_STAT']
    """
    return [p for name in PATTERN_FILES for p in load_patterns(name)]
