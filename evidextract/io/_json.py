"""JSON and JSON Lines: Semantic Scholar, OpenAlex, the gold-corpus format, page dumps."""

from __future__ import annotations

import json
from collections.abc import Iterator

from evidextract.io._records import Problems, first, make_record
from evidextract.io._sources import Input

# Keys under which an API response lists its records.
_LIST_KEYS = ("results", "data", "records", "items", "works", "papers", "hits")
# Keys under which a record lists other records that may carry abstracts (Semantic Scholar).
_NESTED_KEYS = ("citations", "references")
_RECORD_KEYS = {"title", "abstract", "display_name", "paperId", "doi", "DOI", "TI", "AB",
                "abstract_inverted_index", "pmid", "PMID"}


def rebuild_inverted_index(index: dict) -> str:
    """Rebuild an abstract from OpenAlex's ``abstract_inverted_index``.

    Parameters
    ----------
    index : dict
        ``{word: [positions]}``.

    Returns
    -------
    str
        The words in position order, joined by single spaces.

    Examples
    --------
    >>> rebuild_inverted_index({"Results:": [0], "12": [1], "of": [2], "40.": [3]})
    'Results: 12 of 40.'
    """
    slots = {}
    for word, positions in (index or {}).items():
        for position in positions or []:
            slots[int(position)] = word
    return " ".join(slots[i] for i in sorted(slots))


def _get(record: dict, path: str):
    value = record
    for key in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _name(value):
    if isinstance(value, dict):
        return first(value.get("name"), value.get("display_name"), value.get("title"))
    return value


def _authors(record: dict):
    authors = record.get("authors") or record.get("author") or record.get("AU")
    if isinstance(authors, str):
        return authors
    names = []
    for author in authors or []:
        if isinstance(author, dict):
            names.append(first(author.get("name"), author.get("display_name"),
                               _get(author, "author.display_name"),
                               " ".join(x for x in (author.get("given"), author.get("family"))
                                        if x)))
        else:
            names.append(author)
    for authorship in record.get("authorships") or []:
        names.append(_get(authorship, "author.display_name") or authorship.get("raw_author_name"))
    return [n for n in names if n]


def json_record(record: dict, source: str, message: str = "") -> dict:
    """Map one JSON object (Semantic Scholar, OpenAlex, gold corpus, generic) to a record."""
    abstract = first(record.get("abstract"), record.get("Abstract"), record.get("AB"),
                     record.get("paperAbstract"))
    if not abstract and record.get("abstract_inverted_index"):
        abstract = rebuild_inverted_index(record["abstract_inverted_index"])
    pmid = first(record.get("pmid"), record.get("PMID"), _get(record, "externalIds.PubMed"),
                 _get(record, "ids.pmid"))
    doi = first(record.get("doi"), record.get("DOI"), _get(record, "externalIds.DOI"),
                _get(record, "ids.doi"))
    given_id = first(record.get("record_id"), record.get("id"))
    if isinstance(given_id, str) and given_id.startswith("http"):
        given_id = given_id.rstrip("/").rsplit("/", 1)[-1]  # OpenAlex W-ids
    built = make_record(
        source=source,
        title=first(record.get("title"), record.get("display_name"), record.get("TI")),
        abstract=abstract if isinstance(abstract, str) else "",
        doi=doi,
        pmid=pmid,
        year=first(record.get("year"), record.get("publication_year"),
                   record.get("publicationDate"), record.get("publication_date"),
                   record.get("PY")),
        journal=_name(first(record.get("journal"), record.get("venue"),
                            _get(record, "host_venue.display_name"),
                            _get(record, "primary_location.source.display_name"),
                            record.get("PeriodicalName"), record.get("container-title"))),
        authors=_authors(record),
        source_id=first(record.get("paperId"), record.get("corpusId")),
        message=message,
    )
    if given_id not in (None, "") and not built["pmid"]:
        built["record_id"] = str(given_id)  # the id a corpus gives is its record id
    return built


def _records_in(value, source: str, where: str = "") -> Iterator[dict]:
    if isinstance(value, list):
        for element in value:
            yield from _records_in(element, source, where)
        return
    if not isinstance(value, dict):
        return
    for key in ("citingPaper", "citedPaper", "paper"):
        if isinstance(value.get(key), dict) and len(value) <= 3:
            yield from _records_in(value[key], source, where)
            return
    if not ({"title", "abstract"} & set(value)):
        for key in _LIST_KEYS:
            if isinstance(value.get(key), list):
                yield from _records_in(value[key], source, where)
                return
    if (_RECORD_KEYS | {"id", "record_id"}) & set(value):
        yield json_record(value, source, where)
        parent = first(value.get("paperId"), value.get("doi"), value.get("id")) or "record"
        for key in _NESTED_KEYS:
            nested = value.get(key)
            if isinstance(nested, list):
                yield from _records_in(nested, source, f"in the {key} of {parent}")
        return


def read_json(item: Input, problems: Problems) -> Iterator[dict]:
    """Yield the records of one JSON document (a record, a list, or an API response)."""
    text = item.read_text(problems)
    try:
        document = json.loads(text)
    except ValueError as exc:
        if text.lstrip().startswith("{") and "\n{" in text:
            yield from read_jsonl(item, problems, text=text)
            return
        problems.add(item.name, f"not valid JSON ({exc.msg}) at line {exc.lineno}",
                     line=exc.lineno)
        yield make_record(source=item.name, status="unreadable",
                          message=f"not valid JSON: {exc.msg} at line {exc.lineno}")
        return
    found = False
    for record in _records_in(document, item.name):
        found = True
        yield record
    if not found:
        problems.add(item.name, "no record (an object with a title or an abstract) in the JSON")


def read_jsonl(item: Input, problems: Problems, text: str | None = None) -> Iterator[dict]:
    """Yield the records of JSON Lines; lines that are not JSON (page headers) are skipped.

    A line that opens like JSON (``{``) but does not parse is reported and kept as an
    ``unreadable`` row.
    """
    if text is None:
        text = item.read_text(problems)
    for number, line in enumerate(text.split("\n"), 1):
        stripped = line.strip()
        if not stripped.startswith(("{", "[")):
            continue
        try:
            value = json.loads(stripped)
        except ValueError as exc:
            message = f"line is not valid JSON ({exc.msg})"
            problems.add(item.name, message, line=number)
            record = make_record(source=item.name, status="unreadable", message=message)
            record["_line"] = number
            yield record
            continue
        for record in _records_in(value, item.name):
            record["_line"] = number
            yield record
