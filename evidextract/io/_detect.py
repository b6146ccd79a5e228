"""Tell an export's format from its content (the file name only confirms)."""

from __future__ import annotations

import json
import re

#: Format names :func:`evidextract.read` accepts, with what each one is.
FORMATS = {
    "pubmed_xml": "PubMed efetch XML and baseline files (PubmedArticleSet), .xml or .xml.gz",
    "medline": "PubMed MEDLINE text and .nbib (PMID- TI  - AB  - tags)",
    "ris": "RIS from Scopus, PubMed, Zotero, EndNote, Embase, ProQuest, Ovid, Web of Science",
    "wos": "Web of Science plain-text tagged export (FN/VR/PT ... ER)",
    "endnote_xml": "EndNote XML (<xml><records><record>)",
    "bibtex": "BibTeX (@article{...} with abstract fields)",
    "csv": "comma-separated table with a header (Embase, Scopus, WoS CSV exports)",
    "tsv": "tab-separated table with a header",
    "jats": "PubMed Central JATS full text (.nxml): its abstract",
    "json": "one JSON document: a record, a list of records, or an API response",
    "jsonl": "JSON Lines: one record per line (lines that are not JSON are skipped)",
    "webpage": "a saved web page (text or HTML) holding one abstract",
    "parquet": "a records table written by evidextract (Parquet)",
    "text": "plain text: one abstract per file",
}

ALIASES = {
    "pubmed": "pubmed_xml", "xml": "pubmed_xml", "nbib": "medline", "wos_txt": "wos",
    "endnote": "endnote_xml", "bib": "bibtex", "nxml": "jats", "pmc": "jats",
    "html": "webpage", "txt": "text", "ndjson": "jsonl",
}

# Which formats a file name's suffix promises.
_SUFFIX_FORMATS = {
    ".xml": {"pubmed_xml", "endnote_xml", "jats"},
    ".nxml": {"jats"},
    ".ris": {"ris", "wos"},
    ".nbib": {"medline"},
    ".medline": {"medline"},
    ".bib": {"bibtex"},
    ".csv": {"csv", "tsv"},
    ".tsv": {"tsv", "csv"},
    ".json": {"json", "jsonl"},
    ".jsonl": {"jsonl", "json"},
    ".html": {"webpage"},
    ".htm": {"webpage"},
    ".parquet": {"parquet"},
}

# Leading white space is matched within the line ([^\S\n]*): "^\s*" under MULTILINE runs
# across blank lines from every line start, quadratic on a file of blank lines.
_RIS_TAG = re.compile(r"^[^\S\n]*TY\s{1,2}-", re.MULTILINE)
_MEDLINE = re.compile(r"^PMID-\s*\d", re.MULTILINE)
_WOS = re.compile(r"^(?:FN |PT [A-Z]\s*$)", re.MULTILINE)
_BIBTEX = re.compile(r"^[^\S\n]*@[A-Za-z]+\s*[{(]", re.MULTILINE)
_ABSTRACT_HEADING = re.compile(r"^[^\S\n]*abstract\s*:?\s*$", re.MULTILINE | re.IGNORECASE)
_TABLE_HEADER_WORDS = re.compile(
    r"\b(title|abstract|doi|pmid|authors?|author names|year|source|journal)\b", re.IGNORECASE
)


def canonical_format(name: str) -> str:
    """Return the canonical name of a format given by the user, or raise ValueError."""
    key = name.lower().replace("-", "_")
    key = ALIASES.get(key, key)
    if key not in FORMATS and key != "auto":
        raise ValueError(f"unknown format {name!r}; choose one of: auto, {', '.join(FORMATS)}")
    return key


def _xml_kind(head: str) -> str | None:
    low = head[:20000].lower()
    if "<pubmedarticleset" in low or "<pubmedarticle" in low or "<pubmedbookarticle" in low:
        return "pubmed_xml"
    if "<medlinecitationset" in low or "<medlinecitation" in low:
        return "pubmed_xml"
    if "<records>" in low and "<record>" in low or re.search(r"<xml>\s*<records", low):
        return "endnote_xml"
    if re.search(r"<pmc-articleset|<article\b[^<>]*(jats|article-type|dtd-version|xmlns)", low):
        return "jats"
    if "<article" in low and ("<front>" in low or "<article-meta" in low):
        return "jats"
    if re.search(r"<!doctype\s+html|<html\b|<body\b|<head\b", low):
        return "webpage"
    return None


def _json_kind(text: str) -> str | None:
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            json.loads(stripped)
            return "json"
        except ValueError:
            pass
    lines = [line for line in text.splitlines()[:200] if line.strip()]
    objects = 0
    for line in lines:
        if line.lstrip().startswith("{"):
            try:
                if isinstance(json.loads(line), dict):
                    objects += 1
            except ValueError:
                continue
    if objects and (objects >= len(lines) / 4 or objects >= 2 or stripped.startswith("{")):
        return "jsonl"
    if stripped.startswith(("{", "[")):
        return "json"  # broken JSON: the JSON reader reports where it breaks
    return None


def _table_kind(text: str) -> str | None:
    header = text.lstrip().split("\n", 1)[0]
    if len(_TABLE_HEADER_WORDS.findall(header)) < 2:
        return None
    if header.count("\t") >= 1:
        return "tsv"
    if header.count(",") >= 1:
        return "csv"
    return None


def detect_format(head: str) -> str | None:
    r"""Guess the format of an export from the beginning of its decoded text.

    Parameters
    ----------
    head : str
        The first tens of kilobytes of the file, decoded.

    Returns
    -------
    str or None
        A key of :data:`FORMATS`, or None for an empty text.

    Examples
    --------
    >>> detect_format("TY  - JOUR\nTI  - A trial\nER  - \n")
    'ris'
    >>> detect_format("PMID- 123\nTI  - A trial\n")
    'medline'
    >>> detect_format('<?xml version="1.0"?>\n<PubmedArticleSet><PubmedArticle>')
    'pubmed_xml'
    >>> detect_format("Title,Abstract,DOI\nA,B,C\n")
    'csv'
    >>> detect_format("We enrolled 30 patients.")
    'text'
    """
    text = head.lstrip("\ufeff")
    if not text.strip():
        return None
    stripped = text.lstrip()
    if stripped.startswith("<"):
        kind = _xml_kind(stripped)
        if kind:
            return kind
    if _MEDLINE.search(text):
        return "medline"
    if _RIS_TAG.search(text) and re.search(r"^[^\S\n]*(?:ER|TI|T1|AB|AU|N2)\s{1,2}-", text, re.M):
        return "ris"
    if _WOS.search(text) and re.search(r"^(?:TI|AU|SO|AB) ", text, re.MULTILINE):
        return "wos"
    if stripped.startswith(("{", "[")) or "\n{" in text:
        kind = _json_kind(text)
        if kind:
            return kind
    if _BIBTEX.search(text) and re.search(r"\b(?:title|author)\s*=", text, re.IGNORECASE):
        return "bibtex"
    kind = _table_kind(text)
    if kind:
        return kind
    if stripped.startswith("<"):
        return "webpage" if re.search(r"<(p|div|span|br)\b", stripped[:20000], re.I) else "text"
    if _ABSTRACT_HEADING.search(text):
        return "webpage"
    return "text"


def suffix_formats(name: str) -> set[str] | None:
    """Return the formats a file name's suffix promises (None when it promises nothing)."""
    low = name.lower()
    if low.endswith(".gz"):
        low = low[:-3]
    for suffix, formats in _SUFFIX_FORMATS.items():
        if low.endswith(suffix):
            return formats
    return None
