"""The spaCy component that finds statistics: ``evidextract_stats``."""

from __future__ import annotations

import numpy as np
from spacy.attrs import IDX, SENT_START
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from evidextract.extract import (
    _extensions,  # noqa: F401  (declares the extensions)
    _sentences,  # noqa: F401  (the entry point registers both)
)
from evidextract.extract._grammar import build_index, scan_sentence
from evidextract.extract._patterns import all_patterns
from evidextract.extract._sparse import SparseMatcher
from evidextract.extract._tokens import cache_token_table, drop_token_table, token_columns

#: Labels of the rule patterns, each a family of ``patterns/*.jsonl``.
LABELS = ("STAT_KEYWORD", "OUTCOME", "TIMEPOINT", "UNIT", "COUNT_NOUN", "P_VALUE", "CI",
          "SPREAD", "RANGE", "NOT_STAT")

#: Longest ``sentence`` reported whole; longer ones are cut around the statistic.
MAX_SENTENCE = 2000

#: ``doc.user_data`` key: when set, the component stores the rows only, not the spans
#: (``extract`` reads the rows; a Span with its extension attribute costs more than a row).
ROWS_ONLY = "evidextract.rows_only"

#: Fields a row may carry besides its offsets, in the order of the statistics table.
ROW_FIELDS = ("comparator", "sd", "se", "ci_low", "ci_high", "ci_level", "range_low",
              "range_high", "iqr_low", "iqr_high", "count", "total", "unit", "outcome",
              "timepoint", "timepoint_days", "group")


class StatsComponent:
    """Find the reported statistics of a Doc and store them as rows and spans.

    Applies the package's pattern files (``patterns/*.jsonl``): word-for-word patterns
    with :class:`spacy.matcher.PhraseMatcher`, the others with
    :class:`~evidextract.extract._sparse.SparseMatcher`; then reads each sentence's
    numbers with what is attached to them (see :mod:`evidextract.extract._grammar`).
    Sentences must be set (the ``evidextract_sentences`` component does it).

    Sets ``doc._.evid_rows`` (a list of dicts: ``start``, ``end``, ``text``, ``stat``,
    ``value``, the fields of :data:`ROW_FIELDS`, ``sentence``, ``sentence_index``, ``pattern_id``,
    ``link_id``) and ``doc.spans[spans_key]``, one span per row with ``span._.evid_row``
    (not when ``doc.user_data[ROWS_ONLY]`` is set).
    """

    def __init__(self, nlp: Language, name: str = "evidextract_stats", spans_key: str = "evid"):
        self.name = name
        self.spans_key = spans_key
        self.vocab = nlp.vocab
        # Word-for-word patterns go to phrase matchers (hash lookups, cost independent of
        # the number of phrases); patterns with predicates to one token Matcher.
        sparse = []
        self.phrases = {"LOWER": PhraseMatcher(nlp.vocab, attr="LOWER"),
                        "ORTH": PhraseMatcher(nlp.vocab, attr="ORTH")}
        self._keys = {}
        grouped = {}
        for pattern in all_patterns():
            key = f"{pattern['label']}|{pattern['id']}"
            self._keys[nlp.vocab.strings.add(key)] = (pattern["label"], pattern["id"])
            attr = _phrase_attr(pattern["pattern"])
            if attr is None:
                sparse.append((key, pattern["pattern"]))
            else:
                words = [next(iter(t.values())) for t in pattern["pattern"]]
                grouped.setdefault((attr, key), []).append(Doc(nlp.vocab, words=words))
        for (attr, key), docs in grouped.items():
            self.phrases[attr].add(key, docs)
        self.matcher = SparseMatcher(sparse)
        # The words the sparse patterns start with, found at C speed.
        orth_words, lower_words = self.matcher.anchors()
        # They share the phrase matchers of the word patterns: one pass per attribute.
        self._anchor_key = nlp.vocab.strings.add("evidextract_anchor")
        self.phrases["ORTH"].add("evidextract_anchor", [Doc(nlp.vocab, words=[w])
                                                        for w in orth_words])
        self.phrases["LOWER"].add("evidextract_anchor", [Doc(nlp.vocab, words=[w])
                                                         for w in lower_words])
        self._key_names = {key: self._keys[nlp.vocab.strings[key]] for key, _ in sparse}

    def _sparse_matches(self, texts, lowers, numbers, positions=None, is_num=None):
        names = self._key_names
        return [(*names[key], s, e)
                for key, s, e in self.matcher.match(texts, lowers, numbers, positions, is_num)]

    def __call__(self, doc):
        """Find the statistics of ``doc``; return ``doc``."""
        keys = self._keys
        anchor = self._anchor_key
        matches = []
        anchored = []
        for phrase_matcher in self.phrases.values():
            for m, s, e in phrase_matcher(doc):
                if m == anchor:
                    anchored.append(s)
                else:
                    matches.append((*keys[m], s, e))
        texts, spaces, full_text = cache_token_table(doc)
        columns = token_columns(doc)
        drop_token_table(doc)
        rows_only = doc.user_data.pop(ROWS_ONLY, False)
        index = build_index(texts, spaces, matches, LABELS,
                            lambda t, lw, n, f: self._sparse_matches(t, lw, n, anchored, f),
                            columns=columns)
        rows = []
        spans = []
        if len(doc):
            starts = np.flatnonzero(doc.to_array([SENT_START]).reshape(-1) == 1).tolist()
        else:
            starts = []
        if starts and starts[0] != 0:
            starts.insert(0, 0)
        bounds = list(zip(starts, starts[1:] + [len(doc)], strict=True)) if starts else []
        offsets = doc.to_array([IDX]).reshape(-1).tolist() if len(doc) else []

        def sentence_text(k, start_char, end_char):
            lo, hi = bounds[k]
            first, last = offsets[lo], offsets[hi - 1] + len(texts[hi - 1])
            if last - first > MAX_SENTENCE:
                # No real sentence is this long (text without full stops): keep a window,
                # so that the table stays linear in the size of the input.
                first = max(first, start_char - MAX_SENTENCE // 2)
                last = min(last, max(end_char, first + MAX_SENTENCE))
            return full_text[first:last]
        candidates = index.is_num
        for sentence_index, (lo, hi) in enumerate(bounds):
            if not any(candidates[lo:hi]):
                continue  # nothing to read in a sentence without numbers
            for row in scan_sentence(index, lo, hi):
                rows.append((sentence_index, row))
        out = []
        by_id = {}
        for sentence_index, row in rows:
            start_char = offsets[row.a]
            end_char = offsets[row.b - 1] + len(texts[row.b - 1])
            record = {"start": start_char, "end": end_char,
                      "text": full_text[start_char:end_char],
                      "stat": row.stat, "value": float(row.value)}
            record.update(zip(ROW_FIELDS, map(row.fields.get, ROW_FIELDS), strict=True))
            for key in ("count", "total"):  # whole numbers or nothing
                value = record[key]
                if value is not None:
                    record[key] = int(value) if float(value).is_integer() else None
            record["sentence"] = sentence_text(sentence_index, start_char, end_char)
            record["sentence_index"] = sentence_index
            record["pattern_id"] = row.pattern
            record["link_id"] = None
            by_id[id(row)] = record
            out.append((row, record))
        for row, record in out:
            if row.link is not None and id(row.link) in by_id:
                record["link_id"] = by_id[id(row.link)]["start"]
        doc._.evid_rows = [record for _, record in out]
        if not rows_only:
            for row, record in out:
                span = Span(doc, row.a, row.b, label=row.stat)
                span._.evid_row = record
                spans.append(span)
            doc.spans[self.spans_key] = spans
        return doc


def _phrase_attr(pattern):
    """Return ``"LOWER"`` or ``"ORTH"`` when a pattern is a plain word sequence, else None."""
    attrs = set()
    for token in pattern:
        if len(token) != 1:
            return None
        (attr, value), = token.items()
        if attr not in ("LOWER", "ORTH") or not isinstance(value, str):
            return None
        attrs.add(attr)
    return attrs.pop() if len(attrs) == 1 else None


@Language.factory(
    "evidextract_stats",
    default_config={"spans_key": "evid"},
    assigns=["doc._.evid_rows", "doc.spans", "span._.evid_row"],
    requires=["token.is_sent_start"],
)
def make_stats_component(nlp: Language, name: str, spans_key: str) -> StatsComponent:
    """Build the ``evidextract_stats`` component (see :class:`StatsComponent`).

    Examples
    --------
    >>> from evidextract import make_pipeline
    >>> doc = make_pipeline()("Pain fell from 6.8 ± 2.2 to 4.1 ± 2.4 (p < 0.001).")
    >>> [(s.text, s.label_) for s in doc.spans["evid"]]
    [('6.8 ± 2.2', 'mean'), ('4.1 ± 2.4', 'mean'), ('p < 0.001', 'p_value')]
    """
    return StatsComponent(nlp, name, spans_key)
