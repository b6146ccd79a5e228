"""The records table: its columns, one record's dict, and the problems found reading."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable

from evidextract.io._normalize import fold_space, normalize_text
from evidextract.io._sections import split_sections

#: Columns of the records table, in order (see CONTRIBUTING.md).
RECORD_COLUMNS = (
    "record_id",
    "title",
    "abstract",
    "doi",
    "pmid",
    "year",
    "journal",
    "authors",
    "source",
    "sections",
    "status",
    "message",
)

#: Values of the ``status`` column.
STATUSES = ("ok", "no_abstract", "unreadable", "error")

_DOI = re.compile(r"10\.\d{4,9}/[^\s&?#\"<>]+")
# Lone UTF-16 surrogates: a JSON "\ud83d" cut from its pair, a file name that is not UTF-8.
# UTF-8, Arrow (pandas strings) and spaCy refuse them, so they become U+FFFD, one for one.
_SURROGATE = re.compile("[\ud800-\udfff]")
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")


class ReadWarning(UserWarning):
    """A problem found while reading: which file, which record, which line, and what.

    Parameters
    ----------
    file : str
        The file (or ``<text>`` for raw text) the problem is in.
    record : str or None
        The record concerned (its id or its position, ``"3"``), if known.
    line : int or None
        The 1-based line of the file where the problem was seen, if known.
    message : str
        What went wrong and what the reader did about it.

    Examples
    --------
    >>> str(ReadWarning("a.ris", "2", 14, "record has no ER line; read to the next TY"))
    'a.ris, record 2, line 14: record has no ER line; read to the next TY'
    """

    def __init__(self, file: str, record: str | None, line: int | None, message: str):
        super().__init__(file, record, line, message)
        self.file = file
        self.record = record
        self.line = line
        self.message = message

    def __str__(self) -> str:
        where = [self.file]
        if self.record is not None:
            where.append(f"record {self.record}")
        if self.line is not None:
            where.append(f"line {self.line}")
        return f"{', '.join(where)}: {self.message}"

    def __repr__(self) -> str:
        return (
            f"ReadWarning(file={self.file!r}, record={self.record!r}, line={self.line!r}, "
            f"message={self.message!r})"
        )


class ReadError(ValueError):
    """Raised by the readers with ``errors="raise"``; ``.warning`` holds the problem."""

    def __init__(self, warning: ReadWarning):
        super().__init__(str(warning))
        self.warning = warning


class Problems:
    """Collect the :class:`ReadWarning` of one read, or raise at the first one."""

    def __init__(self, errors: str = "warn"):
        if errors not in ("warn", "ignore", "raise"):
            raise ValueError(f"errors must be 'warn', 'ignore' or 'raise', not {errors!r}")
        self.errors = errors
        self.warnings: list[ReadWarning] = []

    def add(self, file: str, message: str, *, record=None, line=None) -> ReadWarning:
        """Record one problem; raise :class:`ReadError` when ``errors="raise"``."""
        warning = ReadWarning(file, None if record is None else str(record), line, message)
        if self.errors == "raise":
            raise ReadError(warning)
        self.warnings.append(warning)
        if self.errors == "warn":
            warnings.warn(warning, stacklevel=4)
        return warning


def clean_doi(value) -> str:
    """Return the bare DOI in ``value`` (``https://doi.org/10.1/x`` -> ``10.1/x``).

    Examples
    --------
    >>> clean_doi("http://dx.doi.org/10.1002/cpp.2398 [doi]")
    '10.1002/cpp.2398'
    >>> clean_doi("none")
    ''
    """
    if not value:
        return ""
    match = _DOI.search(str(value).replace("%2F", "/").replace("%2f", "/"))
    return match.group().rstrip(".,;") if match else ""


def clean_pmid(value) -> str:
    """Return the PMID digits in ``value`` (``https://pubmed.ncbi.nlm.nih.gov/27919275``).

    Examples
    --------
    >>> clean_pmid("https://pubmed.ncbi.nlm.nih.gov/27919275")
    '27919275'
    """
    if value is None:
        return ""
    # The last (up to 9) digits; "(?!.*\d)" would rescan the rest from every digit.
    match = re.search(r"(\d{1,9})\D*$", str(value).strip())
    return match.group(1) if match else ""


def clean_year(value):
    """Return the first plausible year in ``value`` as an int, or None.

    Examples
    --------
    >>> clean_year("2022/6"), clean_year("Endoscopic Ultrasound (2014) 3:3"), clean_year("")
    (2022, 2014, None)
    """
    if value is None:
        return None
    if isinstance(value, int):
        return value
    match = _YEAR.search(str(value))
    return int(match.group()) if match else None


def join_authors(value) -> str:
    """Join a list of author names with ``"; "``; keep a string as it is."""
    if not value:
        return ""
    if isinstance(value, str):
        return fold_space(value)
    names = [fold_space(str(name)) for name in value if name and str(name).strip()]
    return "; ".join(names)


def first(*values):
    """Return the first value that is not empty."""
    for value in values:
        if isinstance(value, (list, tuple)):
            value = next((v for v in value if v), None)
        if value not in (None, "") and not (isinstance(value, float) and value != value):
            return value
    return None


def make_record(
    *,
    source: str,
    title=None,
    abstract=None,
    doi=None,
    pmid=None,
    year=None,
    journal=None,
    authors: Iterable[str] | str | None = None,
    source_id=None,
    status: str | None = None,
    message: str = "",
) -> dict:
    """Build one record dict with the columns of :data:`RECORD_COLUMNS`.

    Title and abstract are normalized (:func:`normalize_text`), the DOI and PMID cleaned,
    and ``record_id`` is the PMID, else the DOI, else ``source_id``; when none is known it is
    left ``None`` for the caller to give the file's name. ``status`` defaults to ``ok``, or
    ``no_abstract`` when the abstract is empty.
    """
    abstract = _SURROGATE.sub("\ufffd", normalize_text(abstract))
    pmid = clean_pmid(pmid) if pmid else ""
    doi = clean_doi(doi)
    source_id = fold_space(str(source_id)) if source_id not in (None, "") else ""
    if status is None:
        status = "ok" if abstract else "no_abstract"
    if status == "no_abstract":
        message = "no abstract in the record" + (f"; {message}" if message else "")
    record = {
        "record_id": pmid or doi or source_id or None,
        "title": normalize_text(title, copyright=False),
        "abstract": abstract,
        "doi": doi,
        "pmid": pmid,
        "year": clean_year(year),
        "journal": normalize_text(journal, copyright=False),
        "authors": join_authors(authors),
        "source": source,
        "sections": split_sections(abstract),
        "status": status,
        "message": message,
    }
    for key, value in record.items():
        if isinstance(value, str) and _SURROGATE.search(value):
            record[key] = _SURROGATE.sub("\ufffd", value)
    return record
