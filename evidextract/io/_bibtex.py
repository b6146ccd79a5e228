"""BibTeX with ``abstract`` fields, parsed by bibtexparser 1.x."""

from __future__ import annotations

import re
from collections.abc import Iterator

import bibtexparser
from bibtexparser.bparser import BibTexParser
from bibtexparser.customization import convert_to_unicode

from evidextract.io._records import Problems, make_record
from evidextract.io._sources import Input

_ENTRY = re.compile(r"^[ \t]*@([A-Za-z]+)[ \t]*[{(][ \t]*([^,\s]*)", re.MULTILINE)
_NOT_ENTRIES = {"comment", "string", "preamble"}


def _clean(value: str) -> str:
    value = re.sub(r"\\(?:textit|textbf|emph|textsc|mathrm|text)\s*", "", value or "")
    return value.replace("{", "").replace("}", "").replace("\\%", "%").replace("\\&", "&")


def read_bibtex(item: Input, problems: Problems) -> Iterator[dict]:
    """Yield the entries of a BibTeX file; an entry the parser drops becomes an error row."""
    text = item.read_text(problems)
    starts = [
        (m.group(2), text.count("\n", 0, m.start()) + 1)
        for m in _ENTRY.finditer(text) if m.group(1).lower() not in _NOT_ENTRIES
    ]
    parser = BibTexParser(common_strings=True, ignore_nonstandard_types=False,
                          interpolate_strings=True)
    parser.customization = convert_to_unicode
    try:
        entries = bibtexparser.loads(text, parser=parser).entries
    except Exception as exc:  # bibtexparser raises bare exceptions on broken input
        problems.add(item.name, f"BibTeX parser failed ({exc})", line=1)
        entries = []
    by_key = {entry.get("ID"): entry for entry in entries}
    seen = set()
    for key, line in starts:
        entry = by_key.get(key)
        if entry is None or key in seen:
            if key in seen:
                continue
            message = f"BibTeX entry {key!r} could not be parsed"
            problems.add(item.name, message, record=key, line=line)
            record = make_record(source=item.name, source_id=key or None, status="error",
                                 message=message)
        else:
            seen.add(key)
            authors = [a.strip() for a in _clean(entry.get("author", "")).split(" and ")]
            record = make_record(
                source=item.name,
                title=_clean(entry.get("title")),
                abstract=_clean(entry.get("abstract")),
                doi=entry.get("doi"),
                pmid=entry.get("pmid"),
                year=entry.get("year") or entry.get("date"),
                journal=_clean(entry.get("journal") or entry.get("journaltitle")
                               or entry.get("booktitle")),
                authors=[a for a in authors if a],
                source_id=key or None,
            )
        record["_line"] = line
        yield record
    if not starts and text.strip():
        problems.add(item.name, "no BibTeX entry (@article{...}) in the file", line=1)
