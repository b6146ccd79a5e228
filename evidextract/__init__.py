"""evidextract: from bibliographic exports to pooled estimates.

Read what reviewers export (:func:`read`), extract the reported statistics
into a tidy table (:func:`extract`), compute effect sizes (:func:`escalc`),
pool them as R's metafor does (:func:`rma`) and draw them (:func:`forest`).
"""

from evidextract.batch import extract_files
from evidextract.extract import extract, make_pipeline
from evidextract.io import read
from evidextract.meta import escalc, rma
from evidextract.plot import forest, funnel
from evidextract.review import (
    estimates,
    from_review,
    pre_post,
    proportions,
    sensitivity,
    show,
    to_review,
    two_groups,
)

__version__ = "0.1.0"

__all__ = [
    "read",
    "extract",
    "make_pipeline",
    "extract_files",
    "escalc",
    "rma",
    "forest",
    "funnel",
    "pre_post",
    "two_groups",
    "proportions",
    "estimates",
    "sensitivity",
    "show",
    "to_review",
    "from_review",
]
