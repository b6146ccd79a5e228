"""RIS (every dialect) and Web of Science tagged text, parsed by rispy one record at a time."""

from __future__ import annotations

import re
from collections.abc import Iterator

import rispy

from evidextract.io._records import Problems, clean_pmid, first, make_record
from evidextract.io._sources import Input

# "TY  - JOUR", "TY - JOUR" (one space, as some exporters write) and "ER  -".
_RIS_LINE = re.compile(r"^\ufeff?([A-Z][A-Z0-9])\s{1,3}-(?:\s(.*)|\s*)$")
_WOS_LINE = re.compile(r"^\ufeff?([A-Z][A-Z0-9])(?: (.*)|\s*)$")
# Ovid numbers its records ("1.", "2.") on a line of their own, outside the tags.
_NUMBERING = re.compile(r"^\s*\d+\.\s*$")
_RIS_LIST_TAGS = ["A1", "A2", "A3", "A4", "AU", "KW", "N1", "UR", "AD", "SN", "L2", "M1"]
_WOS_LIST_TAGS = ["AU", "AF", "CR", "RI", "BA", "BF", "CA", "GP", "OI", "C1"]


class _Chunk:
    def __init__(self, line: int, first_line: str):
        self.line = line
        self.lines = [first_line]
        self.ended = False


def _chunks(text, line_re, start, end, style, name, problems) -> Iterator[_Chunk]:
    """Cut the text into records at each start tag; close a record that lacks its end tag."""
    current = None
    count = 0
    for number, raw in enumerate(text.split("\n"), 1):
        match = line_re.match(raw)
        tag = match.group(1) if match else None
        value = (match.group(2) or "").strip() if match else ""
        if tag == start:
            if current is not None:
                problems.add(
                    name, f"record has no {end} line; it ends where the next record starts "
                    f"(line {number})", record=count, line=current.line
                )
                current.lines.append(style(end, ""))
                yield current
            count += 1
            current = _Chunk(number, style(tag, value))
        elif current is None:
            continue  # text between records: Ovid numbering, blank lines, FN/VR headers
        elif tag == end:
            current.lines.append(style(end, ""))
            current.ended = True
            yield current
            current = None
        elif tag in ("EF", "FN", "VR") and style is _wos_style:
            continue
        elif tag is not None:
            current.lines.append(style(tag, value))
        elif raw.strip() and not _NUMBERING.match(raw):
            # Continuation lines are joined here, not by rispy (which fails on a continued
            # repeated tag); a WoS list tag (AU, AF, ...) takes one value per line.
            last_tag = current.lines[-1][:2]
            if style is _wos_style and last_tag in _WOS_LIST_TAGS:
                current.lines.append(style(last_tag, raw.strip()))
            else:
                current.lines[-1] += " " + raw.strip()
    if current is not None:
        problems.add(
            name, f"record has no {end} line (the file ends inside it); read what it holds",
            record=count, line=current.line
        )
        current.lines.append(style(end, ""))
        yield current


def _ris_style(tag, value):
    return f"{tag}  - {value}"


def _wos_style(tag, value):
    return f"{tag} {value}"


def _fields(parsed: dict) -> dict:
    fields = dict(parsed)
    fields.update(fields.pop("UK", {}) or {})
    return fields


def _all(fields, tag) -> list[str]:
    value = fields.get(tag)
    if value is None:
        return []
    values = value if isinstance(value, list) else [value]
    return [str(v).strip() for v in values if v is not None and str(v).strip()]


def _one(fields, *tags) -> str:
    for tag in tags:
        values = _all(fields, tag)
        if values:
            return values[0]
    return ""


class _IdentityMap(dict):
    """Map every tag to itself, so rispy keeps the tags (the dialects disagree on names)."""

    def __missing__(self, key):
        return key


def _ris_record(fields: dict, source: str) -> dict:
    title = _one(fields, "TI", "T1", "CT", "BT")
    journal_tags = [_one(fields, t).casefold() for t in ("JF", "JO", "JA", "J2")]
    subtitle = _one(fields, "T2")
    # T2 is the journal in most dialects; it is a subtitle when the journal has its own
    # full-name tag (JF/JO) and T2 differs from every journal tag.
    if subtitle and (_one(fields, "JF") or _one(fields, "JO")) and (
        subtitle.casefold() not in journal_tags
    ):
        title = f"{title}: {subtitle}" if title else subtitle
        subtitle = ""
    journal = first(_one(fields, "JF"), _one(fields, "JO"), subtitle, _one(fields, "J2"),
                    _one(fields, "JA"), _one(fields, "T3"))
    pmid = _one(fields, "PM", "PMID")
    accession = _one(fields, "AN")
    provider = " ".join(_all(fields, "DP") + _all(fields, "DB")).lower()
    if not pmid and accession.isdigit() and ("nlm" in provider or "pubmed" in provider):
        pmid = accession
    doi = _one(fields, "DO", "DI") or next(
        (u for u in _all(fields, "L2") + _all(fields, "UR") + _all(fields, "LK") if "10." in u),
        "",
    )
    return make_record(
        source=source,
        title=title,
        abstract=_one(fields, "AB", "N2"),
        doi=doi,
        pmid=clean_pmid(pmid) if pmid else "",
        year=_one(fields, "PY", "Y1", "DA", "Y2"),
        journal=journal,
        authors=_all(fields, "AU") or _all(fields, "A1") or _all(fields, "AF"),
        source_id=_one(fields, "ID", "U2", "AN", "UT"),
    )


def read_ris(item: Input, problems: Problems) -> Iterator[dict]:
    """Yield the records of an RIS export (any dialect), each with its first line."""
    text = item.read_text(problems)
    found = False
    for chunk in _chunks(text, _RIS_LINE, "TY", "ER", _ris_style, item.name, problems):
        found = True
        parsed = rispy.loads(
            "\n".join(chunk.lines) + "\n",
            mapping=_IdentityMap(TY="TY", ER="ER", UK="UK"),
            list_tags=_RIS_LIST_TAGS,
            delimiter_tags_mapping={},
            enforce_list_tags=False,
        )
        record = _ris_record(_fields(parsed[0]), item.name) if parsed else None
        if record is None:
            problems.add(item.name, "unreadable RIS record", line=chunk.line)
            record = make_record(source=item.name, status="unreadable",
                                 message="unreadable RIS record")
        record["_line"] = chunk.line
        yield record
    if not found and text.strip():
        problems.add(item.name, "no RIS record (no 'TY  -' line) in the file", line=1)


def read_wos(item: Input, problems: Problems) -> Iterator[dict]:
    """Yield the records of a Web of Science plain-text export (``PT J`` ... ``ER``)."""
    text = item.read_text(problems)
    found = False
    for chunk in _chunks(text, _WOS_LINE, "PT", "ER", _wos_style, item.name, problems):
        found = True
        parser = rispy.WokParser(
            mapping=_IdentityMap(PT="PT", ER="ER", UK="UK"),
            list_tags=_WOS_LIST_TAGS,
            enforce_list_tags=False,
        )
        parsed = parser.parse("\n".join(chunk.lines) + "\n")
        fields = _fields(parsed[0]) if parsed else {}
        record = make_record(
            source=item.name,
            title=_one(fields, "TI"),
            abstract=_one(fields, "AB"),
            doi=_one(fields, "DI"),
            pmid=_one(fields, "PM"),
            year=_one(fields, "PY", "PD"),
            journal=_one(fields, "SO", "J9", "JI"),
            authors=_all(fields, "AU") or _all(fields, "AF"),
            source_id=_one(fields, "UT"),
        )
        record["_line"] = chunk.line
        yield record
    if not found and text.strip():
        problems.add(item.name, "no Web of Science record (no 'PT' line) in the file", line=1)
