"""Tokenizer rules for the way statistics are typeset in abstracts."""

from __future__ import annotations

import re

from spacy.tokens import Doc
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

from evidextract.extract._tokens import TEXT_KEY

#: Longest run without white space handed whole to spaCy's tokenizer. spaCy peels affixes
#: one at a time and searches the rest of the run for a suffix each time, so its time grows
#: with the square of a run's length ("((((...", "%%%%...", "±±±..."); longer runs are cut.
MAX_RUN = 100
_LONG_RUN = re.compile(rf"(?<!\S)\S{{{MAX_RUN + 1},}}")  # tried at the start of runs only
# Characters after which a long run may be cut: not inside a word or a number (1.5, 1,267, 0·72).
_CUT_AFTER = re.compile(r"[^\w.,\u00b7]")
#: Chunks (text between spaces) whose tokens spaCy's tokenizer keeps, instead of its
#: default 10,000: once that many are kept it runs its affix regexes on every other chunk
#: again, which on abstracts (70,000 distinct chunks in 3,000 of them) made it almost
#: twice as slow on new text. A kept chunk takes some 50 bytes: about 10 MiB when full.
CACHE_SIZE = 200_000

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
    r"(?<=[0-9])%(?=[A-Za-z\u2013(\[-])",                       # 95%CI, 97%(87 to 99)
    r"(?<=[0-9])(?=\u00b0)",                             # 4.5°
    r"(?<=[A-Za-z]):(?=[0-9.])",                         # age:73.7
    r"(?<=[0-9])(?=[A-Za-z\u00b5\u03bc](?<!st)(?<!nd)(?<!rd)(?<!th))(?!st\b|nd\b|rd\b|th\b)",
    # A bracket glued to a number: 39(24.4%), 65(±7), 97%(87 to 99), 0.81[0.72-0.90], 12.4)ng/mL
    r"(?<=[0-9%])[(\[](?=[0-9.\u00b1+\u2212\u2013<>=\u2264\u2265-])",
    r"(?<=[0-9%])[)\]](?=[A-Za-z\u00b5\u03bc%/])",
]


class RunLimitedTokenizer:
    """spaCy's tokenizer with runs of more than :data:`MAX_RUN` non-space characters cut first.

    Text without such a run (every real abstract but a handful) is tokenized exactly as by
    the wrapped tokenizer. A longer run is cut after a symbol (never inside a word or a
    number) into pieces of at most about ``MAX_RUN`` characters, each tokenized alone, so the
    time stays linear in the length of the text. Everything else is the wrapped tokenizer's.
    The text is left in ``doc.user_data`` for the components (they remove it).

    Examples
    --------
    >>> import spacy
    >>> nlp = customize_tokenizer(spacy.blank("en"))
    >>> doc = nlp("(" * 5000 + "1")
    >>> len(doc), doc.text == "(" * 5000 + "1"
    (5001, True)
    """

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        """Tokenize ``text``; ``doc.text == text``."""
        # str.split and the regex's \s agree on white space; split is the cheaper test.
        if len(text) <= MAX_RUN or max(map(len, text.split()), default=0) <= MAX_RUN:
            doc = self.tokenizer(text)
        else:
            words, spaces = [], []
            for piece in _pieces(text):
                for token in self.tokenizer(piece):
                    words.append(token.text)
                    spaces.append(bool(token.whitespace_))
            doc = Doc(self.tokenizer.vocab, words=words, spaces=spaces)
        doc.user_data[TEXT_KEY] = text  # read by token_table, which needs the text
        return doc

    def pipe(self, texts, batch_size: int = 1000):
        """Tokenize a stream of texts."""
        for text in texts:
            yield self(text)

    def __getattr__(self, name):
        if name == "tokenizer" or name.startswith("__"):  # unpickling: not set yet
            raise AttributeError(name)
        return getattr(self.tokenizer, name)


def _pieces(text: str):
    """Yield consecutive pieces of ``text``, cutting runs longer than ``MAX_RUN`` after symbols."""
    done = 0
    for run in _LONG_RUN.finditer(text):
        start, end = run.span()
        while end - start > MAX_RUN:
            window = text[start + MAX_RUN // 2:start + MAX_RUN]
            cuts = [m.end() for m in _CUT_AFTER.finditer(window)]
            if cuts:
                cut = start + MAX_RUN // 2 + cuts[-1]
            else:  # no symbol near: cut after the next one, never inside a word or number
                later = _CUT_AFTER.search(text, start + MAX_RUN, end)
                if later is None:
                    break
                cut = later.end()
            if cut >= end:
                break
            yield text[done:cut]
            done = start = cut
    yield text[done:]


def customize_tokenizer(nlp):
    """Add the statistics typesetting rules to ``nlp``'s tokenizer, in place.

    Wraps the tokenizer in :class:`RunLimitedTokenizer` (linear time on adversarial runs).
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
    # Emoticon exceptions ("8)", "):", "<3") would swallow a bracket or a sign of the numbers.
    nlp.tokenizer.rules = {
        text: attrs for text, attrs in nlp.tokenizer.rules.items()
        if not any(c in "()[]<>" for c in text) or any(c.isalpha() for c in text)
    }
    prefixes = _EXTRA_PREFIXES + list(nlp.Defaults.prefixes)
    infixes = list(nlp.Defaults.infixes) + _EXTRA_INFIXES
    suffixes = list(nlp.Defaults.suffixes) + [
        r"(?<=[A-Za-z0-9])-",  # "Two- and 5-year"
        r"(?<=[a-z][A-Z])\.",  # "2.5 mg/dL." ends a sentence
    ]
    tokenizer = nlp.tokenizer
    if isinstance(tokenizer, RunLimitedTokenizer):
        tokenizer = tokenizer.tokenizer
    tokenizer.suffix_search = compile_suffix_regex(suffixes).search
    tokenizer.prefix_search = compile_prefix_regex(prefixes).search
    tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    tokenizer.max_cache_size = max(tokenizer.max_cache_size, CACHE_SIZE)
    nlp.tokenizer = RunLimitedTokenizer(tokenizer)
    return nlp
