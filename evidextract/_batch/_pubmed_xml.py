"""Write records as PubMed XML, to make test inputs and benchmark corpora.

The benchmark builds PubMed baseline-like files (``PubmedArticleSet``,
gzipped or not) from the shared corpus of real abstracts; tests build tiny
ones. Only the elements the PubMed reader uses are written.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from xml.sax.saxutils import escape

_HEADER = ('<?xml version="1.0" encoding="UTF-8"?>\n'
           '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
           '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n<PubmedArticleSet>\n')
_FOOTER = "</PubmedArticleSet>\n"


def article_xml(pmid: str, title: str, abstract: str, year: int = 2020,
                journal: str = "Test Journal") -> str:
    """Return one ``PubmedArticle`` element as text.

    Examples
    --------
    >>> print(article_xml("1", "A & B", "n = 3 (p < 0.05)")[:60])
    <PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"
    >>> "p &lt; 0.05" in article_xml("1", "A & B", "n = 3 (p < 0.05)")
    True
    """
    abstract_xml = (f"<Abstract><AbstractText>{escape(abstract)}</AbstractText></Abstract>"
                    if abstract else "")
    return (
        '<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM">'
        f'<PMID Version="1">{escape(str(pmid))}</PMID>'
        '<Article PubModel="Print"><Journal><JournalIssue CitedMedium="Print"><PubDate>'
        f"<Year>{int(year)}</Year></PubDate></JournalIssue><Title>{escape(journal)}</Title>"
        f"</Journal><ArticleTitle>{escape(title or '')}</ArticleTitle>{abstract_xml}"
        "</Article></MedlineCitation></PubmedArticle>\n"
    )


def write_pubmed_xml(records, path) -> int:
    """Write ``records`` (dicts with ``pmid``, ``title``, ``abstract``) as a PubMed XML file.

    A path ending in ``.gz`` is gzipped. Returns the number of articles written.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    count = 0
    with opener(path, "wt", encoding="utf-8") as handle:
        handle.write(_HEADER)
        for record in records:
            handle.write(article_xml(record["pmid"], record.get("title") or "",
                                     record.get("abstract") or ""))
            count += 1
        handle.write(_FOOTER)
    return count
