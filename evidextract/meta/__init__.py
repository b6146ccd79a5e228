"""Effect sizes and meta-analytic pooling, numerically matched to R's metafor."""

from evidextract.meta._batch import rma_batch
from evidextract.meta._convert import (
    combine_groups,
    mean_sd_from_median,
    sd_from_ci,
    sd_from_se,
    se_from_ci,
    se_from_p,
)
from evidextract.meta._escalc import EffectSizeWarning, escalc
from evidextract.meta._estimators import Control, ConvergenceError
from evidextract.meta._results import MetaAnalysis
from evidextract.meta._rma import FixedEffect, NotFittedError, RandomEffects, rma

__all__ = [
    "escalc",
    "rma",
    "rma_batch",
    "RandomEffects",
    "FixedEffect",
    "MetaAnalysis",
    "Control",
    "ConvergenceError",
    "NotFittedError",
    "EffectSizeWarning",
    "mean_sd_from_median",
    "sd_from_se",
    "sd_from_ci",
    "se_from_ci",
    "se_from_p",
    "combine_groups",
]
