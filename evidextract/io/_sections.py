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


@lru_cache(maxsize=1)
def _label_table() -> dict[str, str]:
    """Return ``{label in lower case: canonical name}`` from ``section_labels.json``."""
    text = resources.files("evidextract.io").joinpath("section_labels.json").read_text("utf-8")
    table = {}
    for name, labels in json.loads(text).items():
        if name.startswith("_"):
            continue
        for label in labels:
            table[" ".join(label.lower().split())] = name
    return table


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
    before = text[: match.start()].rstrip()
    if before and before[-1] not in _BEFORE_LABEL and "\n" not in text[len(before) : match.start()]:
        return False
    return True


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
    table = _label_table()
    found = [m for m in _label_pattern().finditer(abstract) if _is_label(abstract, m)]
    if len(found) < 2:
        return []
    sections = []
    for i, match in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(abstract)
        while end > match.start() and abstract[end - 1].isspace():
            end -= 1
        label = match.group("label")
        name = table[" ".join(label.lower().split())]
        sections.append((name, label, match.start(), end))
    return sections
