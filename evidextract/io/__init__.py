"""Readers: one per export format behind :func:`read`; text normalization; sections.

``read`` gives the records table (see CONTRIBUTING.md), ``iter_records`` the same records one
at a time, ``split_sections`` the canonical sections of a structured abstract, and
``normalize_text`` the text form every reader stores abstracts in.
"""

from evidextract.io._detect import FORMATS, detect_format
from evidextract.io._json import rebuild_inverted_index
from evidextract.io._normalize import html_to_text, normalize_text
from evidextract.io._read import iter_records, read
from evidextract.io._records import RECORD_COLUMNS, STATUSES, ReadError, ReadWarning
from evidextract.io._sections import CANONICAL_SECTIONS, split_sections
from evidextract.io._write import write_records

__all__ = [
    "read",
    "iter_records",
    "split_sections",
    "normalize_text",
    "html_to_text",
    "rebuild_inverted_index",
    "detect_format",
    "write_records",
    "ReadWarning",
    "ReadError",
    "FORMATS",
    "RECORD_COLUMNS",
    "STATUSES",
    "CANONICAL_SECTIONS",
]
