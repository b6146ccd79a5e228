"""Token texts of a Doc without building Token objects (the hot path of every component)."""

from __future__ import annotations

from operator import add

from spacy.attrs import ORTH, SPACY

_WORDS: dict[int, str] = {}
_SPACE = ("", " ")  # indexed by the trailing-space flag
_CACHE_KEY = "evidextract.token_table"
#: Where :class:`~evidextract.extract._tokenizer.RunLimitedTokenizer` leaves the text it
#: tokenized: joining the tokens back into it costs as much as looking up their texts.
TEXT_KEY = "evidextract.text"


def token_table(doc) -> tuple[list[str], list[bool], str]:
    """Return the token texts, their trailing-space flags and the text of ``doc``.

    Reads ``doc.to_array`` and a cache of hash -> string, which is much cheaper than
    iterating over ``doc`` (each iteration builds a Token) or calling ``doc.text``.

    Examples
    --------
    >>> import spacy
    >>> doc = spacy.blank("en")("Mean 6.8 ± 2.2.")
    >>> token_table(doc)
    (['Mean', '6.8', '±', '2.2', '.'], [True, True, True, False, False], 'Mean 6.8 ± 2.2.')
    """
    cached = doc.user_data.get(_CACHE_KEY)
    if cached is not None and len(cached[0]) == len(doc):
        return cached
    if not len(doc):
        return [], [], doc.text
    array = doc.to_array([ORTH, SPACY])
    strings = doc.vocab.strings
    words = _WORDS
    if len(words) > 500_000:
        words.clear()
    hashes = array[:, 0].tolist()
    try:
        texts = list(map(words.__getitem__, hashes))  # C-speed when every word is known
    except KeyError:
        texts = []
        for h in hashes:
            text = words.get(h)
            if text is None:
                text = words[h] = strings[h]
            texts.append(text)
    spaces = array[:, 1].astype(bool).tolist()
    full = doc.user_data.get(TEXT_KEY)
    if full is None or len(full) != doc[-1].idx + len(texts[-1]) + spaces[-1]:
        full = "".join(map(add, texts, map(_SPACE.__getitem__, spaces)))
    return texts, spaces, full


def cache_token_table(doc):
    """Compute :func:`token_table` and keep it on ``doc`` for the next component."""
    table = token_table(doc)
    doc.user_data[_CACHE_KEY] = table
    return table


def drop_token_table(doc):
    """Forget the table kept by :func:`cache_token_table` and the text (not to be serialized)."""
    doc.user_data.pop(_CACHE_KEY, None)
    doc.user_data.pop(TEXT_KEY, None)
