"""Effect sizes and meta-analytic pooling, numerically matched to R's metafor."""

from evidextract.meta._escalc import escalc
from evidextract.meta._rma import rma

__all__ = ["escalc", "rma"]
