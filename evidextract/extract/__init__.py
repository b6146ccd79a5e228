"""Statistics extraction with spaCy rules: :func:`extract` and :func:`make_pipeline`."""

from evidextract.extract._extract import COLUMNS, STATS, ExtractWarning, extract
from evidextract.extract._pipeline import make_pipeline

__all__ = ["extract", "make_pipeline", "COLUMNS", "STATS", "ExtractWarning"]
