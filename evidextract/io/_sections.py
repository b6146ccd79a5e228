"""Split structured abstracts into canonical sections from their inline labels."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

#: Canonical section names, in their usual order in an abstract.
CANONICAL_SECTIONS = ("background", "objective", "methods", "results", "conclusion")

# Characters that may end the text before a label ("... 82.1%. Key Points:").
_BEFORE_LABEL = set(".?!:;)]}\"'\u2019\u201d\u2022*")
# Where a label may start: after white space at the start of the text, or after one of
# those characters (or a line break) and white space.
_AFTER = r"[.?!:;)\]}\"'\u2019\u201d\u2022*\n]\s*"


@lru_cache(maxsize=1)
def _label_table() -> dict[str, str]:
    """Return ``{label in lower case: canonical name}`` from ``section_labels.json``."""
    text = resources.files("evidextract.io").joinpath("section_labels.json").read_text("utf-8")
    table = {}
    for name, labels in json.loads(text).items():
        if name.startswith("_"):
            continue
        for label in labels:
            table[_key(label)] = name
    return table


def _key(label: str) -> str:
    # casefold, as the label pattern's IGNORECASE matches: "Re\u017fults" is "results".
    return " ".join(label.casefold().split())


@lru_cache(maxsize=1)
def _label_pattern() -> re.Pattern:
    labels = sorted(_label_table(), key=len, reverse=True)
    alternatives = "|".join(r"\s+".join(re.escape(w) for w in lab.split()) for lab in labels)
    return re.compile(
        rf"(?<![\w&/-])(?P<label>{alternatives})(?P<sep>[ \t]*:|[ \t]*[.\u2014-](?=\s)|(?=\s))",
        re.IGNORECASE,
    )


def _is_label(text: str, match: re.Match) -> bool:
    label = match.group("label")
    if not label[0].isupper():
        return False
    has_colon = ":" in match.group("sep")
    if not has_colon and not (label.isupper() and len(label) >= 3):
        # Without a colon only an upper-case label ("BACKGROUND The ...") is safe to take.
        return False
    k = match.start()
    while k and text[k - 1].isspace():
        k -= 1
    return not k or text[k - 1] in _BEFORE_LABEL or "\n" in text[k : match.start()]


@lru_cache(maxsize=1)
def _start_patterns() -> tuple[re.Pattern, re.Pattern]:
    """Return the patterns of the places where a known label may start.

    The first matches at the start of the text, the second after the end of a sentence or
    a line; both only where the first letters of a known label follow (ignoring case, as
    the label pattern does). Most sentences start with other words ("The", "We"): they are
    passed over at C speed instead of trying the whole label pattern there.
    """
    heads = sorted({re.escape(label.split()[0][:3]) for label in _label_table()})
    label_ahead = "(?=(?i:" + "|".join(heads) + "))"
    return re.compile(r"\s*" + label_ahead), re.compile(_AFTER + label_ahead)


def _label_starts(abstract: str):
    """Yield, in order, the positions where a known label may start."""
    at_start, after_stop = _start_patterns()
    first = at_start.match(abstract)
    if first is not None:
        yield first.end()
    for start in after_stop.finditer(abstract, first.end() if first is not None else 0):
        yield start.end()


def split_sections(abstract: str) -> list[tuple[str, str, int, int]]:
    """Split a structured abstract into its labelled sections.

    Parameters
    ----------
    abstract : str
        Normalized abstract text, labels inline (``"Objectives: ... Results: ..."``).

    Returns
    -------
    list of tuple
        One ``(name, label, start, end)`` tuple per section, in text order: ``name`` is the
        canonical section (``background``, ``objective``, ``methods``, ``results``,
        ``conclusion``, or ``other`` for labels such as ``Key points`` or ``Trial
        registration``), ``label`` the label as written, ``start:end`` the span of the section
        in ``abstract`` (label included, trailing white space excluded). An unstructured
        abstract, or one with a single label, gives ``[]``.

    Notes
    -----
    A label counts when it is a known label (the table ``section_labels.json`` in this
    package), starts with a capital letter, follows the start of the text or the end of a
    sentence, and is followed by a colon; upper-case labels (``BACKGROUND``) need no colon.
    Text before the first label belongs to no section.

    Examples
    --------
    >>> text = "Purpose: To test. Materials and methods: We did. Results: It worked. Findings"
    >>> for section in split_sections(text):
    ...     print(section)
    ('objective', 'Purpose', 0, 17)
    ('methods', 'Materials and methods', 18, 48)
    ('results', 'Results', 49, 77)
    >>> split_sections("BACKGROUND Cancer is common. CONCLUSIONS It is.")
    [('background', 'BACKGROUND', 0, 28), ('conclusion', 'CONCLUSIONS', 29, 47)]
    >>> split_sections("We studied 12 patients. Results were good.")
    []
    """
    if not abstract:
        return []
    # The label pattern is tried, anchored, only where a label may start: searching it at
    # every character cost a third of the tokenizer's time on the extraction path.
    pattern = _label_pattern()
    found = []
    for p in _label_starts(abstract):
        if found and p < found[-1].end() or p >= len(abstract) or not abstract[p].isupper():
            continue
        match = pattern.match(abstract, p)
        if match is not None and _is_label(abstract, match):
            found.append(match)
    if len(found) < 2:
        return []
    table = _label_table()
    sections = []
    for i, match in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(abstract)
        while end > match.start() and abstract[end - 1].isspace():
            end -= 1
        label = match.group("label")
        sections.append((table[_key(label)], label, match.start(), end))
    return sections
