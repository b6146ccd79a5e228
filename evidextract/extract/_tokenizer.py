"""Tokenizer rules for the way statistics are typeset in abstracts."""

from __future__ import annotations

from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

# Split off so that each number is a token of its own and each sign a token beside it.
_EXTRA_PREFIXES = [
    r"\+/-", r"\+/\u2212", r"\u00b1", r"[<>=\u2264\u2265\u2266\u2267]", r"[~\u223c\u2248]",
]
_EXTRA_INFIXES = [
    r"\+/-", r"\+/\u2212", r"\u00b1",                     # 73.7±4.5, 2.2+/-0.4
    r"[<>=\u2264\u2265\u2266\u2267]",                    # p<.001, I²=85, n=45
    r"(?<=[0-9])[~\u223c\u2248](?=[0-9.])",              # 45∼50
    r"(?<=[0-9%])[-\u2013\u2014\u2010\u2212](?=[0-9.\u2212-])",  # 0–10, 0.61-0.85, 5%-10%
    r"(?<=[0-9])/(?=[0-9])",                             # 34/64
    r"(?<=[0-9])%(?=[A-Za-z\u2013-])",                          # 95%CI
    r"(?<=[0-9])(?=\u00b0)",                             # 4.5°
    r"(?<=[A-Za-z]):(?=[0-9.])",                         # age:73.7
]


def customize_tokenizer(nlp):
    """Add the statistics typesetting rules to ``nlp``'s tokenizer, in place.

    Splits ``±``, ``+/-``, comparison signs (``p<.001``, ``I²=85``, ``n=45``), ranges
    written with dashes or tildes between digits (``0–10``, ``45∼50``), ``34/64`` and
    ``95%CI``, so that every number is its own token. Middle-dot decimals (``0·72``),
    the minus sign (``−2.00``) and thousands separators (``1,267``) stay inside the number.

    Parameters
    ----------
    nlp : spacy.language.Language
        A pipeline whose tokenizer follows spaCy's English defaults.

    Returns
    -------
    spacy.language.Language
        The same ``nlp``.

    Examples
    --------
    >>> import spacy
    >>> nlp = customize_tokenizer(spacy.blank("en"))
    >>> [t.text for t in nlp("p<.001, 73.7±4.5 (95%CI 0.61-0.85)")]
    ['p', '<', '.001', ',', '73.7', '±', '4.5', '(', '95', '%', 'CI', '0.61', '-', '0.85', ')']
    """
    prefixes = _EXTRA_PREFIXES + list(nlp.Defaults.prefixes)
    infixes = list(nlp.Defaults.infixes) + _EXTRA_INFIXES
    suffixes = list(nlp.Defaults.suffixes) + [r"(?<=[A-Za-z0-9])-"]  # "Two- and 5-year"
    nlp.tokenizer.suffix_search = compile_suffix_regex(suffixes).search
    nlp.tokenizer.prefix_search = compile_prefix_regex(prefixes).search
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    return nlp
