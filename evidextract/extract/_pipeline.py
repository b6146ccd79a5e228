"""Build (once) the blank English pipeline with evidextract's components."""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.attrs import LIKE_NUM
from spacy.lang.en.lex_attrs import like_num as _english_like_num

from evidextract.extract import _components, _sentences  # noqa: F401  (register factories)
from evidextract.extract._numbers import parse_number
from evidextract.extract._tokenizer import customize_tokenizer


def _like_num(text: str) -> bool:
    """English ``like_num``, plus ``0·72``, ``−2.00`` and ``.001`` as published."""
    return _english_like_num(text) or parse_number(text) is not None


def build_pipeline():
    """Return a new pipeline: ``spacy.blank("en")``, our tokenizer rules and components."""
    nlp = spacy.blank("en")
    # spaCy refuses texts over 1,000,000 characters for the parser's and NER's memory; this
    # pipeline has neither and runs in linear time, so a 1 MB abstract is read, not refused.
    nlp.max_length = 100_000_000
    nlp.vocab.lex_attr_getters[LIKE_NUM] = _like_num
    for lexeme in nlp.vocab:
        lexeme.like_num = _like_num(lexeme.orth_)
    customize_tokenizer(nlp)
    nlp.add_pipe("evidextract_sentences")
    nlp.add_pipe("evidextract_stats")
    return nlp


@lru_cache(maxsize=1)
def make_pipeline():
    """Return the statistics pipeline, built once and cached.

    The pipeline is ``spacy.blank("en")`` with the tokenizer rules of
    :func:`~evidextract.extract._tokenizer.customize_tokenizer` and two components:
    ``evidextract_sentences`` (sentence starts and sections) and ``evidextract_stats``
    (the statistics, in ``doc._.evid_rows`` and ``doc.spans["evid"]``). No model is
    downloaded.

    Returns
    -------
    spacy.language.Language
        The shared pipeline; do not add components to it (build your own with
        ``nlp.add_pipe("evidextract_sentences")`` and ``nlp.add_pipe("evidextract_stats")``).

    Examples
    --------
    >>> nlp = make_pipeline()
    >>> nlp.pipe_names
    ['evidextract_sentences', 'evidextract_stats']
    >>> [(r["stat"], r["value"]) for r in nlp("AUC was 0.85 in 120 patients.")._.evid_rows]
    [('auc', 0.85), ('sample_size', 120.0)]
    """
    return build_pipeline()
