"""evidextract: from bibliographic exports to pooled estimates.

Read what reviewers export (:func:`read`), extract the reported statistics
into a tidy table (:func:`extract`), compute effect sizes (:func:`escalc`),
pool them as R's metafor does (:func:`rma`) and draw them (:func:`forest`).

The readers and the extractor are imported with the package (importing the
extractor registers its spaCy factories); pooling, plots, the review tools and
batch extraction are imported on first use, so that extraction workers do not
pay for SciPy, statsmodels and matplotlib.
"""

import importlib

from evidextract.extract import extract, make_pipeline
from evidextract.io import read

__version__ = "0.1.0"

_LAZY_EXPORTS = {
    "extract_files": "evidextract.batch",
    "escalc": "evidextract.meta",
    "rma": "evidextract.meta",
    "forest": "evidextract.plot",
    "funnel": "evidextract.plot",
    "pre_post": "evidextract.review",
    "two_groups": "evidextract.review",
    "proportions": "evidextract.review",
    "estimates": "evidextract.review",
    "sensitivity": "evidextract.review",
    "show": "evidextract.review",
    "to_review": "evidextract.review",
    "from_review": "evidextract.review",
}
_LAZY_MODULES = {"batch", "dask", "meta", "plot", "review"}

__all__ = ["read", "extract", "make_pipeline", *_LAZY_EXPORTS]


def __getattr__(name):
    if name in _LAZY_EXPORTS:
        value = getattr(importlib.import_module(_LAZY_EXPORTS[name]), name)
        globals()[name] = value
        return value
    if name in _LAZY_MODULES:
        return importlib.import_module(f"evidextract.{name}")
    raise AttributeError(f"module 'evidextract' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__) | _LAZY_MODULES)
