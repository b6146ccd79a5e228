"""A rule-based sentence splitter that knows how statistics are written."""

from __future__ import annotations

from bisect import bisect_left
from itertools import compress
from operator import itemgetter

import numpy as np
from spacy.attrs import IDX, SENT_START
from spacy.language import Language

from evidextract.extract import _extensions  # noqa: F401  (declares doc._.evid_sections)
from evidextract.extract._tokens import cache_token_table
from evidextract.io import split_sections

# Tokens after which a full stop does not end a sentence ("vs.", "et al.", "Fig. 2").
_NO_BREAK_BEFORE_STOP = frozenset(
    "vs v al fig figs e.g i.e approx ca cf no nos ref refs resp dr mr mrs ms st sd se "
    "incl eq eqs vol pp p".split()
)
_STOPS = frozenset({".", "?", "!"})
_LAST_CHARS = frozenset(".?!\n\u2022 \t\r")
_last_char = itemgetter(-1)
_OPENERS = frozenset({"(", "[", "\u2022", "\u00b7", "*", '"', "\u201c", "'"})


def _starts_sentence(text: str) -> bool:
    first = text[0]
    return first.isupper() or first.isdigit() or text in _OPENERS


class SentenceSplitter:
    """Mark sentence starts from full stops, line breaks and section labels.

    The sections of :func:`evidextract.io.split_sections` are stored in
    ``doc._.evid_sections`` (unless the caller set them); each section label
    (``Results:``) is a sentence of its own.

    A full stop ends a sentence when the next token starts with a capital letter, a digit
    or an opening bracket or bullet, and the token before it is no abbreviation (``vs.``,
    ``et al.``, ``Fig.``). Decimals (``0.05``, ``.001``) are single tokens, so ``P < .05.``
    ends at the last full stop only. A line break or a bullet always starts a sentence.
    """

    def __init__(self, nlp: Language, name: str = "evidextract_sentences"):
        self.name = name

    def __call__(self, doc):
        """Set ``is_sent_start`` on every token of ``doc``."""
        n = len(doc)
        if n == 0:
            return doc
        texts, _spaces, full_text = cache_token_table(doc)
        starts = [False] * n
        starts[0] = True
        # Only tokens ending in a full stop, ?, !, a line break or a bullet can matter.
        candidates = list(compress(range(n), map(_LAST_CHARS.__contains__,
                                                 map(_last_char, texts))))
        for i in candidates:
            if i >= n - 1:
                break
            text = texts[i]
            if text in _STOPS:
                nxt = i + 1
                if texts[nxt].isspace():
                    starts[nxt] = True
                    continue
                before = texts[i - 1].lower().rstrip(".") if i else ""
                if before in _NO_BREAK_BEFORE_STOP:
                    continue
                if _starts_sentence(texts[nxt]):
                    starts[nxt] = True
            elif "\n" in text and text.isspace():
                starts[i + 1] = True
            elif text == "\u2022":
                starts[i] = True
            elif text.endswith(".") and len(text) > 1 and text[-2].isalpha():
                # The tokenizer keeps "e.g.", "vs.", "h." whole: a full stop after a unit
                # ("at 24 h. Among") still ends the sentence; abbreviations and initials do not.
                stem = text[:-1]
                nxt = texts[i + 1]
                if "." in stem or stem.lower() in _NO_BREAK_BEFORE_STOP or (
                        len(stem) == 1 and stem.isupper()):
                    continue
                if nxt[:1].isupper() and not texts[i + 1].isspace():
                    starts[i + 1] = True
        sections = doc._.evid_sections
        if sections is None:
            sections = doc._.evid_sections = split_sections(full_text)
        if sections:
            offsets = doc.to_array([IDX]).tolist()
            for _name, label, start, _end in sections:
                for char in (start, start + len(label) + 1):
                    i = bisect_left(offsets, char)
                    if 0 < i < n and not texts[i].isspace():
                        starts[i] = True
        values = np.where(np.array(starts, dtype=bool), 1, -1).astype("uint64").reshape(-1, 1)
        # Keep the existing token attributes: from_array would reset the others otherwise.
        doc.from_array([SENT_START], values)
        return doc


@Language.factory(
    "evidextract_sentences",
    assigns=["token.is_sent_start", "doc._.evid_sections"],
)
def make_sentence_splitter(nlp: Language, name: str) -> SentenceSplitter:
    """Build the ``evidextract_sentences`` component (see :class:`SentenceSplitter`).

    Examples
    --------
    >>> import spacy
    >>> nlp = spacy.blank("en")
    >>> _ = nlp.add_pipe("evidextract_sentences")
    >>> [s.text for s in nlp("Lower than control (P < .05). Larger vs. smaller.").sents]
    ['Lower than control (P < .05).', 'Larger vs. smaller.']
    """
    return SentenceSplitter(nlp, name)
