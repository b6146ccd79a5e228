"""The spaCy component that finds statistics: ``evidextract_stats``."""

from __future__ import annotations

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Span

from evidextract.extract import _extensions  # noqa: F401  (declares the extensions)
from evidextract.extract._grammar import build_index, scan_sentence
from evidextract.extract._patterns import all_patterns

#: Labels of the rule patterns, each a family of ``patterns/*.jsonl``.
LABELS = ("STAT_KEYWORD", "OUTCOME", "TIMEPOINT", "UNIT", "COUNT_NOUN", "P_VALUE", "CI",
          "SPREAD", "RANGE", "NOT_STAT")

#: Fields a row may carry besides its offsets, in the order of the statistics table.
ROW_FIELDS = ("comparator", "sd", "se", "ci_low", "ci_high", "ci_level", "range_low",
              "range_high", "iqr_low", "iqr_high", "count", "total", "unit", "outcome",
              "timepoint", "timepoint_days", "group")


class StatsComponent:
    """Find the reported statistics of a Doc and store them as rows and spans.

    Runs one :class:`spacy.matcher.Matcher` built from the package's pattern files
    (``patterns/*.jsonl``), then reads each sentence's numbers with what is attached to
    them (see :mod:`evidextract.extract._grammar`). Sentences must be set (the
    ``evidextract_sentences`` component does it).

    Sets ``doc._.evid_rows`` (a list of dicts: ``start``, ``end``, ``text``, ``stat``,
    ``value``, the fields of :data:`ROW_FIELDS`, ``sentence_index``, ``pattern_id``,
    ``link_id``) and ``doc.spans[spans_key]``, one span per row with ``span._.evid_row``.
    """

    def __init__(self, nlp: Language, name: str = "evidextract_stats", spans_key: str = "evid"):
        self.name = name
        self.spans_key = spans_key
        self.matcher = Matcher(nlp.vocab)
        self._keys = {}
        for pattern in all_patterns():
            key = f"{pattern['label']}|{pattern['id']}"
            self.matcher.add(key, [pattern["pattern"]])
            self._keys[nlp.vocab.strings[key]] = (pattern["label"], pattern["id"])

    def __call__(self, doc):
        """Find the statistics of ``doc``; return ``doc``."""
        keys = self._keys
        matches = [(*keys[m], s, e) for m, s, e in self.matcher(doc)]
        texts = [t.text for t in doc]
        spaces = [bool(t.whitespace_) for t in doc]
        index = build_index(texts, spaces, matches, LABELS)
        rows = []
        spans = []
        for sentence_index, sent in enumerate(doc.sents):
            for row in scan_sentence(index, sent.start, sent.end):
                rows.append((sentence_index, row))
        out = []
        by_id = {}
        for sentence_index, row in rows:
            span = doc[row.a:row.b]
            record = {"start": span.start_char, "end": span.end_char, "text": span.text,
                      "stat": row.stat, "value": float(row.value)}
            for key in ROW_FIELDS:
                record[key] = row.fields.get(key)
            record["sentence_index"] = sentence_index
            record["pattern_id"] = row.pattern
            record["link_id"] = None
            by_id[id(row)] = record
            out.append((row, record))
            spans.append(Span(doc, row.a, row.b, label=row.stat))
            spans[-1]._.evid_row = record
        for row, record in out:
            if row.link is not None and id(row.link) in by_id:
                record["link_id"] = by_id[id(row.link)]["start"]
        doc._.evid_rows = [record for _, record in out]
        doc.spans[self.spans_key] = spans
        return doc


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
