"""Apply token patterns only where their first token can match.

spaCy's :class:`~spacy.matcher.Matcher` tests every pattern at every token; with the few
dozen patterns that need predicates (``LIKE_NUM``, ``IN``, ``OP``) that is most of the
time spent on an abstract. Here each pattern is indexed by what its first token must be
(a word, or any number), so only those positions are tried. The patterns stay in spaCy's
format (``tests/test_extract.py`` checks that both matchers agree) and the keys used are
the subset this package needs: ``ORTH``, ``LOWER`` (a string or ``{"IN": [...]}``),
``LIKE_NUM``, ``SHAPE`` and the operators ``?``, ``*``, ``+``.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import compress

from spacy.lang.lex_attrs import word_shape

from evidextract.extract._numbers import NUMBER_WORDS, ORDINAL_WORDS

_SUPPORTED = {"ORTH", "LOWER", "LIKE_NUM", "SHAPE", "OP"}


@lru_cache(maxsize=65536)
def _shape(text):
    return word_shape(text)


def _predicate(spec):
    """Compile a token spec into one test of ``(text, lower, is_num)``.

    Built once per pattern, so that matching does not walk the spec's keys at each token.

    Examples
    --------
    >>> test = _predicate({"LOWER": {"IN": frozenset({"ci", "interval"})}})
    >>> test("CI", "ci", False), test("95", "95", True)
    (True, False)
    """
    checks = []
    for key, want in spec.items():
        if key == "OP":
            continue
        if key == "LIKE_NUM":
            checks.append(lambda text, lower, is_num, want=want: bool(is_num) == want)
            continue
        allowed = frozenset(want["IN"]) if isinstance(want, dict) else frozenset([want])
        if key == "ORTH":
            checks.append(lambda text, lower, is_num, allowed=allowed: text in allowed)
        elif key == "LOWER":
            checks.append(lambda text, lower, is_num, allowed=allowed: lower in allowed)
        else:  # SHAPE
            checks.append(lambda text, lower, is_num, allowed=allowed: _shape(text) in allowed)
    if len(checks) == 1:
        return checks[0]
    return lambda text, lower, is_num: all(check(text, lower, is_num) for check in checks)


def _literal_words(spec):
    """Words a token spec accepts, or None when it accepts more than listed words."""
    words = set()
    for attr in ("ORTH", "LOWER"):
        want = spec.get(attr)
        if want is not None:
            words |= set(want["IN"]) if isinstance(want, dict) else {want}
    if not words or set(spec) - {"ORTH", "LOWER", "OP"}:
        return None
    return words


def _follow_set(compiled):
    """Words that can follow the first token of a pattern (None: anything, or nothing)."""
    words = set()
    for spec, op in compiled[1:]:
        literal = _literal_words(spec)
        if literal is None:
            return None
        words |= literal
        if op not in ("?", "*"):
            return frozenset(words)
    return None


class SparseMatcher:
    """Match spaCy token patterns, trying each only where its first token fits.

    Parameters
    ----------
    patterns : iterable of (key, pattern)
        ``key`` is returned with each match; ``pattern`` is a list of token dicts.

    Examples
    --------
    >>> m = SparseMatcher([("P", [{"LOWER": "p"}, {"ORTH": {"IN": ["<", "="]}}])])
    >>> m.match(["x", "P", "<", ".05"], ["x", "p", "<", ".05"], [None, None, None, 0.05])
    [('P', 1, 3)]
    """

    def anchors(self):
        """Return ``(orth_words, lower_words)``: the words a pattern can start with."""
        return sorted(self.by_orth), sorted(self.by_lower)

    def __init__(self, patterns):
        self.by_orth = {}
        self.by_lower = {}
        self.by_number = []
        for key, pattern in patterns:
            compiled = []
            for token in pattern:
                if set(token) - _SUPPORTED:
                    raise ValueError(f"unsupported token pattern {token} in {key}")
                spec = dict(token)
                for k, v in spec.items():
                    if isinstance(v, dict):
                        spec[k] = {"IN": frozenset(v["IN"])}
                compiled.append((spec, token.get("OP")))
            first, op = compiled[0]
            if op is not None:
                raise ValueError(f"the first token of {key} must not be optional")
            # The first token is found by its word (or as a number); when that is all its
            # spec asks, matching starts at the second token.
            tests = [(_predicate(spec), op) for spec, op in compiled]
            if not ({"ORTH", "LOWER"} & set(first)):
                if first.get("LIKE_NUM") is not True and "SHAPE" not in first:
                    raise ValueError(f"the first token of {key} needs a word or a number")
                skip = int(first == {"LIKE_NUM": True})
                self.by_number.append((key, tests, skip, _follow_set(compiled)))
                continue
            attr = "ORTH" if "ORTH" in first else "LOWER"
            entry = (key, tests, int(len(first) == 1))
            table = self.by_orth if attr == "ORTH" else self.by_lower
            want = first[attr]
            for word in (want["IN"] if isinstance(want, dict) else [want]):
                table.setdefault(word, []).append(entry)

    def match(self, texts, lowers, numbers, positions=None, is_num=None):
        """Return ``[(key, start, end)]``, the longest match of each pattern at each start.

        ``positions``, when given, are the only token positions where a pattern may
        start (found beforehand, e.g. by a phrase matcher over the anchor words);
        ``is_num`` flags the tokens that count as numbers (computed when not given).
        """
        n = len(texts)
        if is_num is None:
            is_num = [v is not None or lw in NUMBER_WORDS or lw in ORDINAL_WORDS
                      for v, lw in zip(numbers, lowers, strict=True)]
        out = []
        by_orth, by_lower, by_number = self.by_orth, self.by_lower, self.by_number
        longest = self._longest
        if positions is None:
            positions = range(n)
        else:
            positions = sorted(set(positions).union(compress(range(n), is_num)))
        for i in positions:
            for table in (by_orth.get(texts[i]), by_lower.get(lowers[i])):
                if table:
                    for key, tests, skip in table:
                        end = longest(tests, skip, i + skip, texts, lowers, is_num)
                        if end is not None and end > i:
                            out.append((key, i, end))
            if is_num[i]:
                nxt = texts[i + 1] if i + 1 < n else ""
                nxt_lower = lowers[i + 1] if i + 1 < n else ""
                for key, tests, skip, follow in by_number:
                    # Cheap test of the next word before trying the whole pattern.
                    if follow is not None and nxt not in follow and nxt_lower not in follow:
                        continue
                    end = longest(tests, skip, i + skip, texts, lowers, is_num)
                    if end is not None and end > i:
                        out.append((key, i, end))
        return out

    def _longest(self, tests, p, i, texts, lowers, is_num):
        """Longest end of ``tests[p:]`` matched from token ``i`` (None: no match)."""
        n = len(texts)
        while p < len(tests):
            test, op = tests[p]
            if op is None:
                if i >= n or not test(texts[i], lowers[i], is_num[i]):
                    return None
                p += 1
                i += 1
                continue
            # Repeatable or optional token: try the longest run first.
            run = i
            limit = min(n, i + (1 if op == "?" else 8))
            while run < limit and test(texts[run], lowers[run], is_num[run]):
                run += 1
            low = i + 1 if op == "+" else i
            for stop in range(run, low - 1, -1):
                end = self._longest(tests, p + 1, stop, texts, lowers, is_num)
                if end is not None:
                    return end
            return None
        return i
