"""PubMed MEDLINE text and ``.nbib`` files (``PMID- ``, ``TI  - ``, 6-space continuations)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from evidextract.io._records import Problems, make_record
from evidextract.io._sources import Input

_TAG = re.compile(r"^([A-Z][A-Z0-9]{0,3})\s*- ?(.*)$")


def _records(text: str):
    fields, start, last = {}, None, None
    for number, line in enumerate(text.split("\n"), 1):
        match = _TAG.match(line)
        if match and (match.group(1) != "PMID" or not fields):
            tag, value = match.group(1), match.group(2).strip()
            if start is None:
                start = number
            fields.setdefault(tag, []).append(value)
            last = tag
        elif match:  # a new PMID- line without a blank line before it
            yield start, fields
            fields, start, last = {match.group(1): [match.group(2).strip()]}, number, "PMID"
        elif line.startswith(" ") and line.strip() and last:
            fields[last][-1] += " " + line.strip()
        elif not line.strip() and fields:
            yield start, fields
            fields, start, last = {}, None, None
    if fields:
        yield start, fields


def read_medline(item: Input, problems: Problems) -> Iterator[dict]:
    """Yield the records of a MEDLINE/.nbib export."""
    text = item.read_text(problems)
    found = False
    for line, fields in _records(text):
        if not {"PMID", "TI", "AB"} & set(fields):
            problems.add(item.name, "lines without PMID, TI or AB tags skipped", line=line)
            continue
        found = True

        def one(*tags, fields=fields):
            for tag in tags:
                if fields.get(tag):
                    return fields[tag][0]
            return ""

        ids = fields.get("LID", []) + fields.get("AID", [])
        doi = next((x for x in ids if x.endswith("[doi]")), "")
        record = make_record(
            source=item.name,
            title=one("TI", "BTI"),
            abstract=" ".join(fields.get("AB", [])),
            doi=doi,
            pmid=one("PMID"),
            year=one("DP", "DEP", "EDAT"),
            journal=one("JT", "TA", "BTI"),
            authors=fields.get("AU") or fields.get("FAU") or fields.get("CN"),
        )
        record["_line"] = line
        yield record
    if not found and text.strip():
        problems.add(item.name, "no MEDLINE record (no PMID-/TI/AB lines) in the file", line=1)
