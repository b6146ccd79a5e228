"""Token texts of a Doc without building Token objects (the hot path of every component)."""

from __future__ import annotations

from operator import add, itemgetter

from spacy.attrs import ORTH, SPACY

from evidextract.extract._numbers import token_number_info

#: orth hash -> (text, lower case, number or None, counts as a number). One lookup a token
#: gives all four: these lookups in a large table are the main cost of the token table.
_WORDS: dict[int, tuple] = {}
_MAX_WORDS = 300_000
_TEXT, _LOWER, _NUMBER, _IS_NUM = (itemgetter(k) for k in range(4))
_SPACE = ("", " ")  # indexed by the trailing-space flag
_CACHE_KEY = "evidextract.token_table"
#: Where :class:`~evidextract.extract._tokenizer.RunLimitedTokenizer` leaves the text it
#: tokenized: joining the tokens back into it costs as much as looking up their texts.
TEXT_KEY = "evidextract.text"


def _word(orth, strings):
    text = strings[orth]
    info = _WORDS[orth] = (text, *token_number_info(text))
    return info


def _table(doc):
    """Return ``(texts, spaces, full text, word infos)``, kept on ``doc`` when cached."""
    cached = doc.user_data.get(_CACHE_KEY)
    if cached is not None and len(cached[0]) == len(doc):
        return cached
    if not len(doc):
        return [], [], doc.text, []
    array = doc.to_array([ORTH, SPACY])
    words = _WORDS
    if len(words) > _MAX_WORDS:
        words.clear()
    hashes = array[:, 0].tolist()
    try:
        infos = list(map(words.__getitem__, hashes))  # C-speed when every word is known
    except KeyError:
        get, strings = words.get, doc.vocab.strings
        infos = [get(h) or _word(h, strings) for h in hashes]
    texts = list(map(_TEXT, infos))
    spaces = array[:, 1].astype(bool).tolist()
    full = doc.user_data.get(TEXT_KEY)
    if full is None or len(full) != doc[-1].idx + len(texts[-1]) + spaces[-1]:
        full = "".join(map(add, texts, map(_SPACE.__getitem__, spaces)))
    return texts, spaces, full, infos


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
    return _table(doc)[:3]


def token_columns(doc) -> tuple[list[str], list[float | None], list[bool]]:
    """Return the tokens' lower cases, numbers (or None) and whether each counts as a number.

    The values of :func:`~evidextract.extract._numbers.token_number_info`, from the same
    lookups as :func:`token_table`.

    Examples
    --------
    >>> import spacy
    >>> token_columns(spacy.blank("en")("Twelve had 0·72"))
    (['twelve', 'had', '0·72'], [None, None, 0.72], [True, False, True])
    """
    infos = _table(doc)[3]
    return list(map(_LOWER, infos)), list(map(_NUMBER, infos)), list(map(_IS_NUM, infos))


def cache_token_table(doc):
    """Compute :func:`token_table` and keep it on ``doc`` for the next component."""
    table = doc.user_data[_CACHE_KEY] = _table(doc)
    return table[:3]


def drop_token_table(doc):
    """Forget the table kept by :func:`cache_token_table` and the text (not to be serialized)."""
    doc.user_data.pop(_CACHE_KEY, None)
    doc.user_data.pop(TEXT_KEY, None)
