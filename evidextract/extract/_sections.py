"""The sections of an abstract, found as :func:`evidextract.io.split_sections` finds them.

``split_sections`` searches its label pattern at every character of the abstract; on
the statistics hot path that search cost as much as a third of the tokenizer. A label can
only start where a sentence or a line starts, so here the same pattern is tried (anchored)
at those few positions, and the same acceptance rule (``_is_label``) and section table are
applied. ``tests/test_extract.py`` checks that both give the same sections on real
abstracts.
"""

from __future__ import annotations

import re
from functools import lru_cache

from evidextract.io import _sections as _io_sections

# Where a label may start: the start of the text, or after the characters that end a
# sentence or a line (the set of ``evidextract.io._sections._BEFORE_LABEL`` plus "\n").
_AFTER = r"[.?!:;)\]}\"'\u2019\u201d\u2022*\n]\s*"


@lru_cache(maxsize=1)
def _start_patterns() -> tuple[re.Pattern, re.Pattern]:
    """Return the patterns of the places where a known label may start.

    The first matches at the start of the text, the second after the end of a sentence or
    a line; both only where the first letters of a known label follow (compared ignoring
    case, as the label pattern compares them). Most sentences start with other words
    ("The", "We"): they are passed over at C speed instead of trying the whole label
    pattern there. The second pattern starts with a set of characters, which lets the
    regex engine skip to the next such character at C speed.
    """
    heads = sorted({re.escape(label.split()[0][:3]) for label in _io_sections._label_table()})
    label_ahead = "(?=(?i:" + "|".join(heads) + "))"
    return re.compile(r"\s*" + label_ahead), re.compile(_AFTER + label_ahead)


def _label_starts(abstract):
    """Yield the positions where a known label may start, in order.

    The same positions as one ``finditer`` of "the start of the text or a character of
    ``_AFTER``, then white space" gives (the match at the start, then those after it),
    restricted to those before a label's first letters.
    """
    at_start, after_stop = _start_patterns()
    first = at_start.match(abstract)
    if first is not None:
        yield first.end()
    for start in after_stop.finditer(abstract, first.end() if first is not None else 0):
        yield start.end()


def find_sections(abstract: str) -> list[tuple[str, str, int, int]]:
    """Return what ``evidextract.io.split_sections(abstract)`` returns, faster.

    Examples
    --------
    >>> find_sections("Objective: To test. Results: It works.")
    [('objective', 'Objective', 0, 19), ('results', 'Results', 20, 38)]
    """
    if not abstract:
        return []
    pattern = _io_sections._label_pattern()
    is_label = _io_sections._is_label
    found = []
    last_end = 0
    for p in _label_starts(abstract):
        if p < last_end or p >= len(abstract) or not abstract[p].isupper():
            continue
        match = pattern.match(abstract, p)
        if match is not None and is_label(abstract, match):
            found.append(match)
            last_end = match.end()
    if len(found) < 2:
        return []
    table = _io_sections._label_table()
    sections = []
    for i, match in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(abstract)
        while end > match.start() and abstract[end - 1].isspace():
            end -= 1
        label = match.group("label")
        sections.append((table[" ".join(label.lower().split())], label, match.start(), end))
    return sections
