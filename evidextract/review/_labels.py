"""Study labels for tables and forest plots: "first author's surname year"."""

from __future__ import annotations

import re

import pandas as pd


def _surname(authors: str) -> str:
    authors = re.sub(r"\bet al\.?", "", authors).strip(" ,;")
    if ";" in authors:  # "Cazzato, Roberto Luigi; ..." or "Fallahi MS; ..."
        first = authors.split(";")[0].strip()
        return first.split(",")[0].strip() if "," in first else first.split()[0]
    first = authors.split(",")[0].strip()  # "Gang Sun, ..." (given names first)
    words = first.split()
    return words[-1] if words else ""


def study_labels(records: pd.DataFrame) -> dict:
    """Label each record "Surname year" from its first author, for study tables and plots.

    Parameters
    ----------
    records : pandas.DataFrame
        The records table of :func:`evidextract.read` (``record_id``, ``authors``,
        ``year``).

    Returns
    -------
    dict
        ``{record_id: label}``; the record id where there is no author; a letter appended
        when two records get the same label ("Wang 2025a", "Wang 2025b").

    Examples
    --------
    >>> import pandas as pd
    >>> records = pd.DataFrame({"record_id": ["a", "b", "c", "d"], "year": [2022, 2014, 2025, None],
    ...     "authors": ["Cazzato, Roberto Luigi; Jennings, Jack W.", "Gang Sun et al.",
    ...                 "Fallahi MS; Maroufi SF", None]})
    >>> study_labels(records)
    {'a': 'Cazzato 2022', 'b': 'Sun 2014', 'c': 'Fallahi 2025', 'd': 'd'}
    """
    labels = {}
    for _, record in records.iterrows():
        authors, year = record.get("authors"), record.get("year")
        name = _surname(str(authors)) if isinstance(authors, str) and authors.strip() else ""
        if not name:
            labels[record["record_id"]] = str(record["record_id"])
            continue
        labels[record["record_id"]] = f"{name} {int(year)}" if pd.notna(year) else name
    counts = pd.Series(list(labels.values())).value_counts()
    seen: dict[str, int] = {}
    for key, label in labels.items():
        if counts[label] > 1:
            seen[label] = seen.get(label, 0) + 1
            labels[key] = f"{label}{chr(ord('a') + seen[label] - 1)}"
    return labels
