"""XML exports: PubMed (streamed with iterparse), EndNote XML, PubMed Central JATS.

Every parse refuses external entities, DTD loading and network access, so an XXE or
"billion laughs" file is read without expanding anything.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from evidextract.io._records import Problems, make_record
from evidextract.io._sources import Input

#: Parser options of every XML read (no XXE, no entity expansion, no network).
SAFE_XML = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


def _local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def xml_text(elem) -> str:
    """Text of an element and its descendants (entity references are not expanded)."""
    if elem is None:
        return ""
    return "".join(_ordered_text(elem))


def _ordered_text(elem):
    if isinstance(elem.tag, str) and elem.text:
        yield elem.text
    for child in elem:
        if isinstance(child.tag, str):
            yield from _ordered_text(child)
        if child.tail:
            yield child.tail


def _stream(item: Input, problems: Problems, tags, make) -> Iterator[dict]:
    """Parse ``item`` incrementally, yield ``make(elem)`` for each element named in ``tags``.

    Each element is cleared once read and earlier siblings are dropped, so memory stays
    flat on a 30,000-record baseline file. A file that breaks off keeps the records read
    before the break and adds one ``error`` row for the record it was in.
    """
    count = 0
    stream = item.open_binary()
    try:
        context = etree.iterparse(stream, events=("end",), tag=tags, **SAFE_XML)
        for _, elem in context:
            count += 1
            try:
                record = make(elem, item.name)
            except Exception as exc:  # a malformed record must not stop the file
                problems.add(item.name, f"unreadable record ({exc})", record=count,
                             line=elem.sourceline)
                record = make_record(source=item.name, status="error",
                                     message=f"unreadable record: {exc}")
            record["_line"] = elem.sourceline
            yield record
            elem.clear(keep_tail=False)
            while elem.getprevious() is not None:
                del elem.getparent()[0]
    except (etree.XMLSyntaxError, OSError, EOFError) as exc:
        line = getattr(exc, "lineno", None)
        what = "XML breaks off" if count else "not well-formed XML"
        message = f"{what} at line {line}: {getattr(exc, 'msg', exc)}; kept the {count} " \
            "record(s) before it"
        problems.add(item.name, message, record=count + 1, line=line)
        record = make_record(source=item.name, status="error", message=message)
        record["_line"] = line
        yield record
        return
    finally:
        stream.close()
    if count == 0:
        problems.add(item.name, f"no {' or '.join(tags)} element in the XML")


def _pubmed_record(elem, source: str) -> dict:
    is_book = elem.tag == "PubmedBookArticle"
    citation = elem.find("BookDocument" if is_book else "MedlineCitation")
    if citation is None:
        citation = elem
    article = citation if is_book else citation.find("Article")
    if article is None:
        article = citation
    pmid = citation.findtext("PMID") or ""
    title = xml_text(article.find("ArticleTitle"))
    if not title and is_book:
        title = xml_text(citation.find("Book/BookTitle"))
    parts = []
    for node in article.findall("Abstract/AbstractText"):
        text = xml_text(node).strip()
        label = node.get("Label")
        if label and text:
            parts.append(f"{label.strip()}: {text}")
        elif text:
            parts.append(text)
    if is_book:
        journal = xml_text(citation.find("Book/BookTitle"))
        year = citation.findtext("Book/PubDate/Year")
    else:
        journal = article.findtext("Journal/Title") or article.findtext("Journal/ISOAbbreviation")
        year = (article.findtext("Journal/JournalIssue/PubDate/Year")
                or article.findtext("Journal/JournalIssue/PubDate/MedlineDate")
                or article.findtext("ArticleDate/Year"))
    authors = []
    for author in article.findall("AuthorList/Author"):
        name = " ".join(
            x for x in (author.findtext("LastName"), author.findtext("Initials")
                        or author.findtext("ForeName")) if x
        ) or xml_text(author.find("CollectiveName"))
        if name:
            authors.append(name)
    doi = (elem.findtext("PubmedData/ArticleIdList/ArticleId[@IdType='doi']")
           or article.findtext("ELocationID[@EIdType='doi']")
           or citation.findtext("ELocationID[@EIdType='doi']") or "")
    return make_record(source=source, title=title, abstract=" ".join(parts), doi=doi, pmid=pmid,
                       year=year, journal=journal, authors=authors)


def read_pubmed_xml(item: Input, problems: Problems) -> Iterator[dict]:
    """Stream the records of PubMed efetch XML or a baseline file (``.xml``, ``.xml.gz``)."""
    yield from _stream(item, problems, ("PubmedArticle", "PubmedBookArticle"), _pubmed_record)


def _endnote_text(record, path) -> str:
    node = record.find(path)
    return " ".join(xml_text(node).split()) if node is not None else ""


def _endnote_record(elem, source: str) -> dict:
    authors = [" ".join(xml_text(a).split()) for a in elem.findall("contributors/authors/author")]
    accession = _endnote_text(elem, "accession-num")
    return make_record(
        source=source,
        title=_endnote_text(elem, "titles/title"),
        abstract=_endnote_text(elem, "abstract"),
        doi=_endnote_text(elem, "electronic-resource-num"),
        pmid=accession if accession.isdigit() else "",
        year=_endnote_text(elem, "dates/year"),
        journal=_endnote_text(elem, "periodical/full-title")
        or _endnote_text(elem, "titles/secondary-title"),
        authors=authors,
        source_id=None,
    )


def read_endnote_xml(item: Input, problems: Problems) -> Iterator[dict]:
    """Yield the records of an EndNote XML export (``<xml><records><record>``)."""
    yield from _stream(item, problems, ("record",), _endnote_record)


def _find_local(elem, name):
    for node in elem.iter():
        if _local(node.tag) == name:
            return node
    return None


def _jats_abstract(abstract) -> str:
    parts = []
    for child in abstract:
        name = _local(child.tag)
        if name == "title":
            continue
        if name == "sec":
            title_node = next((c for c in child if _local(c.tag) == "title"), None)
            title = " ".join(xml_text(title_node).split()) if title_node is not None else ""
            body = " ".join(
                xml_text(c) for c in child if _local(c.tag) != "title" and isinstance(c.tag, str)
            )
            body = " ".join(body.split())
            if title and body:
                parts.append(f"{title.rstrip(':')}: {body}")
            elif body:
                parts.append(body)
        elif isinstance(child.tag, str):
            parts.append(xml_text(child))
    return " ".join(parts)


def _jats_record(elem, source: str) -> dict:
    meta = _find_local(elem, "article-meta")
    if meta is None:
        meta = elem
    ids = {}
    for node in meta:
        if _local(node.tag) == "article-id":
            ids.setdefault(node.get("pub-id-type"), (node.text or "").strip())
    title_node = _find_local(meta, "article-title")
    abstracts = [n for n in meta.iter() if _local(n.tag) == "abstract"]
    main = [n for n in abstracts if not n.get("abstract-type")] or abstracts
    journal_node = _find_local(elem, "journal-title")
    year_node = _find_local(meta, "year")
    authors = []
    for contrib in meta.iter():
        if _local(contrib.tag) == "contrib" and contrib.get("contrib-type") == "author":
            surname = _find_local(contrib, "surname")
            given = _find_local(contrib, "given-names")
            name = " ".join(xml_text(n) for n in (surname, given) if n is not None)
            if name:
                authors.append(name)
    return make_record(
        source=source,
        title=xml_text(title_node),
        abstract=_jats_abstract(main[0]) if main else "",
        doi=ids.get("doi"),
        pmid=ids.get("pmid"),
        year=xml_text(year_node),
        journal=xml_text(journal_node),
        authors=authors,
        source_id=("PMC" + ids["pmc"]) if ids.get("pmc") else ids.get("publisher-id"),
    )


def read_jats(item: Input, problems: Problems) -> Iterator[dict]:
    """Yield the abstract of each article in PubMed Central JATS (``.nxml``)."""
    yield from _stream(item, problems, ("article", "{*}article"), _jats_record)
