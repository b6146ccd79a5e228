"""Saved web pages (PubMed, publisher and aggregator pages, as text or HTML) and plain text."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from evidextract.io._normalize import fold_space
from evidextract.io._records import Problems, clean_doi, make_record
from evidextract.io._sources import Input

_HEADING = re.compile(r"^\s*abstract\s*:?\s*$", re.IGNORECASE)
# Lines that end an abstract on the pages we know (PubMed, ISC, publishers).
_STOP = re.compile(
    r"^\s*(?:keywords?|pubmed disclaimer|similar articles|cited by|references|mesh terms|"
    r"other related docs|experts\b|related (?:articles|docs)|figures?\b|full text|"
    r"introduction|copyright|publication types|linkout|comment in|supplementary|"
    r"conflict of interest|funding|acknowledg|access options|download|share this)",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?)\]\"'\u201d%]\s*$")
_BLOCK_TAG = re.compile(r"</?(?:p|div|br|h[1-6]|li|tr|section|article|header|footer|title)\b"
                        r"[^<>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^<>]+>")
_META = re.compile(r"<meta\s[^<>]*?name=[\"']([^\"'<>]+)[\"'][^<>]*?content=[\"']([^\"'<>]*)[\"']",
                   re.IGNORECASE)


def _html_lines(text: str) -> tuple[str, dict]:
    meta = {}
    for name, content in _META.findall(text):
        meta.setdefault(name.lower(), html.unescape(content))
    for tag in ("script", "style"):  # each pass only when its closing tag is there
        if f"</{tag}" in text.lower():
            text = re.sub(rf"<{tag}\b.*?</{tag}\s*>", " ", text, flags=re.I | re.S)
    text = _BLOCK_TAG.sub("\n", text)
    text = _ANY_TAG.sub("", text)
    return html.unescape(text), meta


def _abstract(lines: list[str], start: int) -> tuple[str, int]:
    """Collect the paragraphs after the heading at ``start`` until a line that is no prose."""
    paragraphs, end = [], start
    for i in range(start + 1, len(lines)):
        line = lines[i].strip()
        if not line:
            continue
        prose = len(line) >= 60 or (_SENTENCE_END.search(line) and len(line.split()) >= 4)
        if _STOP.match(line) and not prose or not prose and paragraphs:
            break
        if not prose:
            continue  # a label or button between the heading and the text
        paragraphs.append(line)
        end = i
    return " ".join(paragraphs), end


def _title(lines: list[str], before: int, meta: dict) -> str:
    if meta.get("citation_title"):
        return meta["citation_title"]
    head = [line.strip() for line in lines[:before] if line.strip()]
    for line in head:
        if line.endswith(" Publisher"):  # ISC-style pages glue a "Publisher" button on
            return line[: -len(" Publisher")]
    counts = {}
    for line in head:
        if len(line.split()) >= 4:
            counts[line] = counts.get(line, 0) + 1
    repeated = [line for line, n in counts.items() if n >= 2]
    if repeated:  # PubMed pages show the title twice
        return repeated[0]
    candidates = [line for line in head if 4 <= len(line.split()) <= 40
                  and not re.search(r"©|https?:|doi|\.gov|cookie|website", line, re.I)]
    return max(candidates, key=len) if candidates else ""


def read_webpage(item: Input, problems: Problems) -> Iterator[dict]:
    """Yield the one record of a saved web page: the text under its 'Abstract' heading."""
    text = item.read_text(problems)
    meta = {}
    if re.search(r"<(html|body|p|div)\b", text[:20000], re.IGNORECASE):
        text, meta = _html_lines(text)
    lines = text.split("\n")
    heading = next((i for i, line in enumerate(lines) if _HEADING.match(line)), None)
    if heading is None:
        yield from read_text(item, problems, text=text)
        return
    abstract, end = _abstract(lines, heading)
    if meta.get("citation_abstract") and not abstract:
        abstract = meta["citation_abstract"]
    page = "\n".join(lines[: end + 1])
    doi = meta.get("citation_doi") or clean_doi(
        (re.search(r"\bdoi:?\s*(10\.\S+)", page, re.IGNORECASE) or [None, ""])[1]
    )
    pmid = meta.get("citation_pmid") or (re.search(r"\bPMID:\s*(\d+)", page) or [None, ""])[1]
    journal, year, authors = meta.get("citation_journal_title", ""), "", []
    source_line = re.search(r"^Source:\s*(.+?)\s*Published:\s*(\d{4})", page, re.MULTILINE)
    if source_line:
        journal, year = source_line.group(1), source_line.group(2)
    cited = re.search(r"^(.+?\set al\.)\s+(.+?)\.\s+((?:19|20)\d\d)\b", page, re.MULTILINE)
    if cited:
        authors, journal, year = [cited.group(1)], journal or cited.group(2), cited.group(3)
    for i, line in enumerate(lines[:heading]):
        if line.strip() == "Authors" and i and ";" in lines[i - 1]:
            # The lookbehind starts a match once per number list, not at each of its
            # characters (which was quadratic on a long run of "1,1,1,...").
            authors = [re.sub(r"(?<![\d,\s])\s*\d+(?:,\s*\d+)*\s*$", "", a).strip()
                       for a in lines[i - 1].split(";")]
            break
    if not year:
        year = meta.get("citation_publication_date") or meta.get("citation_date") or ""
    if not year:
        year = (re.search(r"^\.?\s*((?:19|20)\d\d)\s+[A-Z][a-z]{2}", page, re.MULTILINE)
                or [None, ""])[1]
    if not abstract:
        problems.add(item.name, "an 'Abstract' heading with no text under it",
                     line=heading + 1)
    record = make_record(source=item.name, title=_title(lines, heading, meta), abstract=abstract,
                         doi=doi, pmid=pmid, year=year, journal=journal, authors=authors)
    record["_line"] = heading + 1
    yield record


def read_text(item: Input, problems: Problems, text: str | None = None) -> Iterator[dict]:
    """Yield the one record of a plain-text file: its text is the abstract.

    A first paragraph of one short line, followed by more text, is taken as the title.
    """
    if text is None:
        text = item.read_text(problems)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    title = ""
    if len(paragraphs) > 1 and "\n" not in paragraphs[0] and len(paragraphs[0]) < 300:
        title = paragraphs.pop(0)
    abstract = fold_space(" ".join(paragraphs))
    record = make_record(source=item.name, title=title, abstract=abstract)
    record["_line"] = 1
    yield record
